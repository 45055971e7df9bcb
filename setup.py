"""Packaging details pyproject.toml cannot say: schemas/ (top level, the single source of
truth) is shipped inside the wheel as the package data folder pipeline/schemas, where
pipeline.dataset finds it when there is no checkout around the installed package.

The C loop of the pdfium reader (pipeline/sources/_pdfium_loop.c: page_chars ~12x less
CPU than with ctypes) is optional: without a compiler the install still succeeds and
the reader runs its pure-Python loop, which gives identical characters."""
from setuptools import Extension, find_packages, setup

setup(
    packages=find_packages(include=["pipeline*"]) + ["pipeline.schemas"],
    package_dir={"pipeline.schemas": "schemas"},
    package_data={"pipeline.data": ["*.json", "*.csv", "*.txt", "*.tsv"], "pipeline.schemas": ["*.json"]},
    ext_modules=[Extension("pipeline.sources._pdfium_loop", ["pipeline/sources/_pdfium_loop.c"],
                           # no fused multiply-add: the arithmetic must round as Python's does
                           extra_compile_args=["-O2", "-ffp-contract=off"], optional=True)],
)
