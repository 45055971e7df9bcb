"""The loading examples in README.md run as written, against a built dataset."""
from __future__ import annotations

import os
import re

import pytest

from conftest import ROOT

README = (ROOT / "README.md").read_text("utf-8")
BLOCKS = re.findall(r"```(python|sql)\n(.*?)```", README, flags=re.S)


def test_readme_has_loading_examples():
    assert {"python", "sql"} <= {kind for kind, _ in BLOCKS}


@pytest.mark.parametrize("kind, code", BLOCKS, ids=[f"{k}-{i}" for i, (k, _) in enumerate(BLOCKS)])
def test_readme_example_runs(built, tmp_path, kind, code):
    (tmp_path / "extracted").symlink_to(built.out)
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        if kind == "python":
            scope: dict = {}
            exec(compile(code, "README.md", "exec"), scope)
            frames = [v for v in scope.values() if v.__class__.__name__ == "DataFrame"]
            assert frames and all(len(f) > 0 for f in frames)
            assert any("edition" in f.columns for f in frames)
        else:
            import duckdb
            rows = duckdb.sql(code.split("--", 1)[-1].split("\n", 1)[1]).fetchall()
            assert rows and rows[0][0] is not None
    finally:
        os.chdir(cwd)
