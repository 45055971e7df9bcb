"""Shared fixtures: repository paths, and the sample dataset built once per session.

The CLI runs in this process (click's CliRunner: no interpreter start-up and imports
per call); `run_cli_subprocess` runs it as a user does, for the few tests of what a
user sees on stderr from worker processes (library chatter) or of exits on signals.
"""
from __future__ import annotations

import hashlib
import logging
import os
import subprocess
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "raw"
SAMPLE_PDF = RAW / "2023.pdf"
SEED = RAW / "2023-flipbook.txt"
FIXTURES = ROOT / "tests" / "fixtures" / "pdfs"
LIBREOFFICE_PDF = FIXTURES / "libreoffice-running-header-pagenum-top-right.pdf"

# Editions of the session dataset.
PDF_EDITION = "2023"
SEED_EDITION = "2023-flipbook"
LIBREOFFICE_EDITION = "libreoffice"


@dataclass
class Run:
    """One finished CLI run."""
    args: list[str]
    returncode: int
    stdout: str
    stderr: str

    @property
    def stderr_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]


def run_cli(*args, timeout: float = 300) -> Run:
    """`python -m pipeline ARGS` in this process, from the repository root, as
    click's CliRunner sees it. An exception the CLI lets through appears on stderr
    as the interpreter would print it, with exit status 1, so tests of "never a
    traceback" still fail when they should. (`timeout` is for the subprocess variant.)"""
    from click.testing import CliRunner

    from pipeline.cli import main

    argv = ["-m", "pipeline", *map(str, args)]
    root = logging.getLogger()
    saved = root.handlers[:], root.level, {name: logging.getLogger(name).level
                                           for name in ("pdfminer", "pdfplumber", "jieba")}
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        result = CliRunner().invoke(main, argv[2:], catch_exceptions=True)
    finally:
        os.chdir(cwd)
        root.handlers[:], root.level = saved[0], saved[1]
        for name, level in saved[2].items():
            logging.getLogger(name).setLevel(level)
    stderr, code = result.stderr, result.exit_code
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "".join(traceback.format_exception(result.exception))   # "Traceback (most recent …"
        code = 1
    return Run([sys.executable, *argv], code, result.stdout, stderr)


def run_cli_subprocess(*args, timeout: float = 300) -> Run:
    """`python -m pipeline ARGS` in a subprocess, from the repository root."""
    argv = [sys.executable, "-m", "pipeline", *map(str, args)]
    proc = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    return Run(argv, proc.returncode, proc.stdout, proc.stderr)


# Fixtures that build a dataset or run OCR: a test using one is marked slow.
SLOW_FIXTURES = {"built", "pages_by_edition", "editions", "scanned", "previous_build", "damaged_build", "dataset_copy"}


def pytest_collection_modifyitems(items):
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


def tree_digest(root: Path) -> dict[str, str]:
    """sha256 of every file under root (hidden ones included), by relative path."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def sample_pdf() -> Path:
    return SAMPLE_PDF


@pytest.fixture(scope="session")
def seed_text() -> Path:
    return SEED


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


@dataclass
class BuiltDataset:
    out: Path
    runs: dict[str, Run]          # edition -> the CLI run that built it


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> BuiltDataset:
    """raw/2023.pdf, raw/2023-flipbook.txt and the LibreOffice fixture, built once."""
    out = tmp_path_factory.mktemp("dataset")
    runs = {}
    for source, edition in ((SAMPLE_PDF, PDF_EDITION), (SEED, SEED_EDITION),
                            (LIBREOFFICE_PDF, LIBREOFFICE_EDITION)):
        run = run_cli("build", source, "--edition", edition, "--out", out)
        if run.returncode != 0:
            pytest.fail(f"building {source.name} failed (exit {run.returncode}):\n{run.stderr}", pytrace=False)
        runs[edition] = run
    return BuiltDataset(out, runs)


@pytest.fixture(scope="session")
def pages_by_edition(built):
    """edition -> list of `pages` rows (dicts), in page order."""
    import pyarrow.parquet as pq

    result = {}
    for edition in built.runs:
        table = pq.read_table(built.out / "pages" / edition / "part-0.parquet")
        result[edition] = sorted(table.to_pylist(), key=lambda r: r["page"])
    return result
