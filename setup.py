"""Packaging details pyproject.toml cannot say: schemas/ (top level, the single source of
truth) is shipped inside the wheel as the package data folder pipeline/schemas, where
pipeline.dataset finds it when there is no checkout around the installed package."""
from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["pipeline*"]) + ["pipeline.schemas"],
    package_dir={"pipeline.schemas": "schemas"},
    package_data={"pipeline.data": ["*.json", "*.csv", "*.txt", "*.tsv"], "pipeline.schemas": ["*.json"]},
)
