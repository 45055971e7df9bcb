"""policy-pipeline: compiled Chinese policy PDFs -> Parquet tables, and edition diffs."""

__version__ = "0.2.0"
#: Bumped whenever a table's meaning or layout changes incompatibly; `diff` and
#: `validate` refuse data written under another format.
DATASET_FORMAT = 1
