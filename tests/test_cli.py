"""The command line as sqlite-utils and csv-diff users expect it: --version, examples in
every --help, documented exit codes, --json, `editions`, `extract`, `update` and the
Makefile around it, and build output (INFO for routine facts, one summary, log lines off
the progress bar's line). In-process with click's CliRunner."""
from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from conftest import FIXTURES, LIBREOFFICE_EDITION, LIBREOFFICE_PDF, PDF_EDITION, RAW, ROOT, SEED_EDITION
from pipeline import cli, dataset, update
from pipeline.cli import main

SMALL_PDF = FIXTURES / "word-gaps-no-space-glyphs.pdf"      # one page


def invoke(*args, input=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input)


@pytest.mark.parametrize("command", [[]] + [[name] for name in main.commands])
def test_every_help_has_examples(command):
    result = invoke(*command, "--help")
    assert result.exit_code == 0
    examples = result.stdout.split("Examples:\n", 1)[1]
    assert examples.lstrip().startswith("python -m pipeline")


def test_main_help_documents_exit_codes():
    text = invoke("--help").stdout
    assert "Exit codes: 0 done; 1 dataset or edition missing" in text and "2 bad input" in text


# ---------------------------------------------------------------- exit codes

@pytest.mark.parametrize("args, code, message", [
    (["build", "no-such.pdf"], 2, "no-such.pdf"),
    (["build", SMALL_PDF, "--edition", "a/b"], 2, "edition id 'a/b' is not allowed"),
    (["build", SMALL_PDF, "--workers", "x"], 2, "'x' is not a valid integer"),
    (["extract", "--table", "prices", "5元"], 2, "unknown finder(s) prices"),
    (["diff", "2023", "../x"], 2, "edition id '../x' is not allowed"),
    (["editions", "--data", "{empty}"], 1, "no built edition"),
    (["validate", "--data", "{empty}"], 1, "no built edition"),
    (["diff", "2023", "2024", "--data", "{empty}"], 1, "unknown edition '2023'"),
], ids=["missing-file", "bad-edition", "bad-option", "bad-finder", "bad-diff-id", "editions-no-dataset",
        "validate-no-dataset", "diff-no-dataset"])
def test_exit_codes(tmp_path, args, code, message):
    args = [str(tmp_path) if a == "{empty}" else a for a in args]
    result = invoke(*args)
    assert result.exit_code == code, result.output
    assert message in result.stderr and "Traceback" not in result.output


# ---------------------------------------------------------------- --json, editions, extract

def test_cli_leaves_logging_as_it_was(tmp_path):
    """In-process runs (tests, notebooks) get their logging set-up back after a command."""
    root = logging.getLogger()
    before = root.handlers[:], root.level
    invoke("build", SMALL_PDF, "--edition", "one", "--out", tmp_path, "-q", "--workers", "1", "--no-ocr")
    invoke("validate", "--data", tmp_path / "none")
    assert (root.handlers[:], root.level) == before


def test_build_json_and_one_summary(tmp_path):
    result = invoke("build", SMALL_PDF, "--edition", "one", "--out", tmp_path, "--json", "--workers", "1", "--no-ocr")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["edition"] == "one" and report["rows"]["pages"] == 1 and report["warnings"] == 0
    lines = result.stderr.strip().splitlines()
    assert lines == [f"one: {', '.join(f'{n} {t}' for t, n in report['rows'].items())} -> {tmp_path}"]


def test_editions_lists_source_and_rows(built):
    result = invoke("editions", "--data", built.out, "--json")
    assert result.exit_code == 0
    rows = {r["edition"]: r for r in json.loads(result.stdout)}
    assert sorted(rows) == sorted(built.runs)
    assert rows[PDF_EDITION]["source_file"] == "2023.pdf" and rows[PDF_EDITION]["page_count"] == 50
    assert rows[SEED_EDITION]["source_kind"] == "flipbook"
    pages = dataset.read_rows(built.out, "pages", LIBREOFFICE_EDITION)
    assert rows[LIBREOFFICE_EDITION]["rows"]["pages"] == len(pages) == 4
    table = invoke("editions", "--data", built.out).stdout.splitlines()
    assert table[0].split()[:4] == ["edition", "source", "kind", "pages"]
    assert [line.split()[0] for line in table[2:]] == sorted(built.runs)


def test_validate_json(built):
    result = invoke("validate", "--data", built.out, "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"data": str(built.out), "valid": True,
                                         "editions": sorted(built.runs), "problems": []}


def test_extract_a_sentence():
    result = invoke("extract", "给予最高500万元奖励", "--json")
    assert result.exit_code == 0
    found = json.loads(result.stdout)
    assert set(found) == {"amounts", "quantities", "percentages", "dates", "responsibilities"}
    (amount,) = found["amounts"]
    assert (amount["text"], amount["bound"], amount["char_start"], amount["char_end"]) == ("500万元", "max", 4, 9)
    assert str(amount["value_yuan"]) == "5000000"
    assert found["percentages"] == [] and found["dates"] == []


def test_extract_from_stdin_as_a_table():
    result = invoke("extract", "--table", "dates", input="本意见自2021年8月23日起施行。\n")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "dates: 1"
    header = lines[1].split()
    row = dict(zip(header, lines[3].split()))
    assert row["value"] == "2021-08-23" and row["role"] == "effective" and row["precision"] == "day"


# ---------------------------------------------------------------- build output

def test_routine_ocr_facts_are_info_not_warnings(built):
    """raw/2023.pdf has image-only pages that OCR reads: a routine fact, not a warning."""
    stderr = built.runs[PDF_EDITION].stderr
    assert "text read by OCR" not in stderr
    assert stderr.strip().splitlines()[-1].startswith(f"{PDF_EDITION}: 50 pages, ")


class _Bar:
    def __init__(self):
        self.drawn = 0

    def render_progress(self):
        self.drawn += 1
        sys.stderr.write("[bar]")


def test_log_line_never_shares_the_progress_bar_line(capsys):
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    handler = cli._setup_logging(0, False)
    bar = _Bar()
    handler.bar = bar
    try:
        sys.stderr.write("[bar]")                          # the bar, drawn without a newline
        logging.getLogger("pipeline.test").warning("page 3: heading gap")
    finally:
        handler.bar = None
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
    err = capsys.readouterr().err
    assert err == "[bar]\r\x1b[KWARNING: page 3: heading gap\n[bar]"
    assert bar.drawn == 1 and handler.warnings == 1


# ---------------------------------------------------------------- update and the Makefile

def test_update_keeps_one_edition_per_compilation():
    keep, skipped = update.sources(RAW)
    assert [p.name for p in keep] == ["2023.pdf", "2024.pdf"]
    assert skipped == [("2023-flipbook.txt", "second source of 2023.pdf's compilation")]


def _make(tmp_path, *targets):
    """make in a copy of the Makefile, with a stand-in venv (the real one is shared)."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True, exist_ok=True)
    python = venv / "bin" / "python"
    if not python.exists():
        python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
        python.chmod(0o755)
        (venv / ".installed").touch()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(["make", "-s", "-C", str(tmp_path / "work"), f"VENV={venv}", *targets],
                          capture_output=True, text=True, env=env, timeout=600)


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_makefile_any_file_name_stale_editions_and_json_diff(tmp_path):
    work = tmp_path / "work"
    (work / "raw").mkdir(parents=True)
    shutil.copy(ROOT / "Makefile", work / "Makefile")
    shutil.copy(ROOT / "pyproject.toml", work / "pyproject.toml")
    os.utime(work / "pyproject.toml", (0, 0))                  # older than the stand-in venv's stamp
    shutil.copy(LIBREOFFICE_PDF, work / "raw" / "first edition.PDF")
    shutil.copy(SMALL_PDF, work / "raw" / "second.pdf")

    run = _make(tmp_path)
    assert run.returncode == 0, run.stderr
    out = work / "extracted"
    assert dataset.editions_in(out) == ["first-edition", "second"]

    run = _make(tmp_path, "diff", "OLD=first-edition", "NEW=second", "FORMAT=json")
    assert run.returncode == 0, run.stderr
    changes = json.loads(run.stdout)                           # nothing but the JSON on stdout
    assert changes and {c["change"] for c in changes} <= {"added", "removed", "changed"}

    (work / "raw" / "second.pdf").unlink()
    run = _make(tmp_path)
    assert run.returncode == 0, run.stderr
    assert dataset.editions_in(out) == ["first-edition"]
    assert not (out / "pages" / "second").exists()
    assert dataset.validate(out) == []
