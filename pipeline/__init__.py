"""policy-pipeline: compiled Chinese policy PDFs -> Parquet tables, and edition diffs."""
import os

# Arrow's own allocators (jemalloc, mimalloc) keep what they free for reuse: each build
# worker, converting chunk after chunk, grew to 183 MB on 10,000 pages with them and
# stays at 139 with the system allocator (the parent 170 -> 157), at the same speed.
# pa.set_memory_pool does not reach Arrow's C++ internals (Parquet, IPC), so it is
# chosen here, before pyarrow is loaded; a caller's own choice stands.
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")

#: The one version string: pyproject.toml reads it (`dynamic = ["version"]`).
__version__ = "0.3.0"
#: Bumped whenever a table's meaning or layout changes incompatibly; `diff` and
#: `validate` refuse data written under another format.
DATASET_FORMAT = 2    # 2: <table>/<ID>/ folders, edition stored in the files


def __getattr__(name: str):
    """`pipeline.load(table, data=..., editions=...)`, imported on first use so that the
    command line does not pay for pandas (the module is pipeline/loader.py: a submodule
    named `load` would replace this function once imported)."""
    if name == "load":
        from .loader import load
        return load
    raise AttributeError(f"module 'pipeline' has no attribute {name!r}")
