"""Bad input through the CLI, as a user meets it: one clear error line, no traceback,
and the dataset already in --out left exactly as it was."""
from __future__ import annotations

import shutil

import pyarrow.parquet as pq
import pytest

from conftest import FIXTURES, LIBREOFFICE_PDF, SAMPLE_PDF, run_cli, run_cli_subprocess, tree_digest

EDITION = "x"


def case(*values, id):
    return pytest.param(*values, id=id)


# Each maker writes the bad input under tmp and returns its path.
def not_a_pdf(tmp):
    path = tmp / "notes.pdf"
    path.write_text("这不是 PDF,只是一段文字。\n", encoding="utf-8")
    return path


def truncated_pdf(tmp):
    data = SAMPLE_PDF.read_bytes()
    path = tmp / "truncated.pdf"
    path.write_bytes(data[: len(data) // 2])
    return path


def encrypted_pdf(tmp):
    return FIXTURES / "encrypted-user-password.pdf"


def empty_file(tmp):
    path = tmp / "empty.pdf"
    path.write_bytes(b"")
    return path


def zero_pages(tmp):
    return FIXTURES / "zero-pages.pdf"


def missing_file(tmp):
    return tmp / "no-such-file.pdf"


def directory(tmp):
    path = tmp / "a-directory.pdf"
    path.mkdir()
    return path


def binary_not_utf8(tmp):
    path = tmp / "export.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    return path


def text_without_page_markers(tmp):
    path = tmp / "export.txt"
    path.write_text("杭州市级产业政策汇编\n没有页码标记的文字。\n", encoding="utf-8")
    return path


BAD_INPUTS = [
    case(not_a_pdf, "not a PDF", id="not-a-pdf"),
    case(truncated_pdf, "truncated", id="truncated-pdf"),
    case(encrypted_pdf, "encrypted", id="encrypted-pdf"),
    case(empty_file, "empty", id="empty-file"),
    case(zero_pages, "no pages", id="zero-pages"),
    case(missing_file, "no such file", id="missing-file"),
    case(directory, "directory", id="directory"),
    case(binary_not_utf8, "not UTF-8", id="text-not-utf8"),
    case(text_without_page_markers, "page markers", id="text-without-page-markers"),
]


@pytest.fixture(scope="module")
def previous_build(tmp_path_factory):
    """A dataset with edition EDITION already built, to be copied per test."""
    out = tmp_path_factory.mktemp("previous") / "out"
    run = run_cli("build", LIBREOFFICE_PDF, "--edition", EDITION, "--out", out, "-q")
    assert run.returncode == 0, run.stderr
    return out


@pytest.fixture
def out(previous_build, tmp_path):
    copy = tmp_path / "out"
    shutil.copytree(previous_build, copy)
    return copy


@pytest.mark.parametrize("make, reason", BAD_INPUTS)
def test_bad_input_fails_cleanly(make, reason, out, tmp_path):
    source = make(tmp_path)
    before = tree_digest(out)
    assert before, "the previous build wrote nothing"
    run = run_cli("build", source, "--edition", EDITION, "--out", out)
    assert run.returncode != 0
    assert "Traceback" not in run.stderr
    assert run.stdout == ""
    assert len(run.stderr_lines) == 1, run.stderr
    (line,) = run.stderr_lines
    assert line.startswith("error:")
    assert str(source) in line
    assert reason.lower() in line.lower()
    assert tree_digest(out) == before


@pytest.mark.parametrize("make, reason", BAD_INPUTS[:3])
def test_bad_input_fails_cleanly_into_a_new_out(make, reason, tmp_path):
    """Nothing is created when there is nothing to write."""
    source = make(tmp_path)
    run = run_cli("build", source, "--out", tmp_path / "fresh", "-q")
    assert run.returncode != 0 and run.stderr.startswith("error:") and "Traceback" not in run.stderr
    assert not (tmp_path / "fresh" / "pages").exists()


# ---------------------------------------------------------------- one damaged page

DAMAGED = FIXTURES / "damaged-page-2-missing-font.pdf"


@pytest.fixture(scope="module")
def damaged_build(tmp_path_factory):
    out = tmp_path_factory.mktemp("damaged")
    run = run_cli_subprocess("build", DAMAGED, "--edition", "damaged", "--out", out)
    rows = pq.read_table(out / "pages" / "damaged" / "part-0.parquet").to_pylist() \
        if run.returncode == 0 else None
    return run, rows


def test_damaged_page_does_not_sink_the_edition(damaged_build):
    run, rows = damaged_build
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    assert [r["page"] for r in rows] == [1, 2, 3]
    good = [rows[0], rows[2]]
    assert [r["text"] for r in good] == ["第一页正文:给予一次性 3 万元的资助。\n杭州市人民政府办公厅",
                                         "第三页正文:最高 600 万元资金支持。\n杭州市人民政府办公厅"]
    assert all(r["has_text_layer"] and r["error"] is None for r in good)
    bad = rows[1]
    assert bad["error"] and not bad["has_text_layer"] and bad["text"] == ""


def test_damaged_page_is_named_in_a_warning(damaged_build):
    run, _ = damaged_build
    warnings = [l for l in run.stderr_lines if l.startswith("WARNING")]
    assert len(warnings) == 1, run.stderr
    assert str(DAMAGED) in warnings[0] and "page 2" in warnings[0]


# ---------------------------------------------------------------- library chatter

NO_DESCRIPTOR = FIXTURES / "cid-font-without-descriptor.pdf"
CHATTER = "FontBBox"      # pdfminer: "Could not get FontBBox from font descriptor because ..."


@pytest.mark.slow
@pytest.mark.parametrize("flags", [[], ["-v"], ["-q"], ["--workers", "1"], ["--reader", "pdfplumber"]],
                         ids=["default", "v", "q", "one-worker", "pdfplumber"])
def test_library_chatter_stays_quiet_without_vv(flags, tmp_path):
    """pdfminer warns about the font; that is debug detail for -vv, not news for the user."""
    run = run_cli_subprocess("build", NO_DESCRIPTOR, "--edition", "nd", "--out", tmp_path, *flags)
    assert run.returncode == 0, run.stderr
    assert CHATTER not in run.stderr and "pdfminer" not in run.stderr
    assert not any(l.startswith("WARNING") for l in run.stderr_lines), run.stderr
    text = pq.read_table(tmp_path / "pages" / "nd" / "part-0.parquet").column("text").to_pylist()
    assert text == ["字体没有描述符:给予一次性 3 万元的资助。\n最高 600 万元资金支持。"]


@pytest.mark.slow
def test_library_chatter_shows_with_vv(tmp_path):
    """The check above means something: -vv does show pdfminer's warning (pdfminer parses
    the fonts with the reference reader; pdfium, the default, does not warn at all)."""
    run = run_cli_subprocess("build", NO_DESCRIPTOR, "--edition", "nd", "--out", tmp_path, "-vv",
                             "--reader", "pdfplumber")
    assert run.returncode == 0, run.stderr
    assert CHATTER in run.stderr


def test_damaged_page_build_shows_only_our_warning(damaged_build):
    run, _ = damaged_build
    assert [l for l in run.stderr_lines if not l.startswith("damaged: ")] == \
        [l for l in run.stderr_lines if l.startswith("WARNING: ")]
