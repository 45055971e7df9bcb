"""Reliability: interrupted writes, unwritable output, broken datasets, hostile sources.
Every input is made here, at test time (issue 15)."""
from __future__ import annotations

import os
import signal
from datetime import datetime, timezone
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from conftest import run_cli
from pipeline import DATASET_FORMAT, dataset

# ---------------------------------------------------------------- interrupted writes

EDITION = "e1"


def _tables(tag: str) -> dict:
    """A small edition whose every table carries `tag` in a text column, to tell old from new."""
    return {
        "pages": [{"page": 1, "text": tag, "has_text_layer": True, "char_count": len(tag), "line_count": 1,
                   "image_count": 0, "kind": "body", "ocr": False}],
        "documents": [{"doc_id": "d1", "title": tag, "issuers": [], "effective_derived": False, "expiry_derived": False,
                       "repeals": [],
                       "page_start": 1, "page_end": 1, "text": tag, "partial": False, "scanned_body": False,
                       "scanned_pages": [], "section_count": 0}],
        "editions": [{"edition": EDITION, "source_file": f"{tag}.pdf", "source_sha256": "0" * 64,
                      "source_kind": "pdf", "page_count": 1, "pipeline_version": tag,
                      "dataset_format": DATASET_FORMAT,
                      "built_at": datetime(2024, 1, 1, tzinfo=timezone.utc), "row_counts": []}],
    }


def _state(out: Path) -> set[str]:
    """Which build each table of the edition is from ('old'/'new'), or 'missing'."""
    seen = set()
    for table, column in (("pages", "text"), ("documents", "title"), ("editions", "pipeline_version")):
        path = out / table / EDITION / "part-0.parquet"
        seen.add(pq.read_table(path).column(column)[0].as_py() if path.exists() else "missing")
    return seen


def _count_renames(out: Path) -> int:
    calls = []
    real = os.replace

    def counting(*args):
        calls.append(args)
        return real(*args)

    os.replace = counting
    try:
        dataset.write_edition(out, EDITION, _tables("new"))
    finally:
        os.replace = real
    return len(calls)


def _killed_after(out: Path, renames: int) -> None:
    """Replace the edition in a child process killed (SIGKILL, no clean-up) right after
    its `renames`-th os.replace."""
    pid = os.fork()
    if pid == 0:   # child
        real, count = os.replace, [0]

        def replace_then_die(*args):
            real(*args)
            count[0] += 1
            if count[0] == renames:
                os.kill(os.getpid(), signal.SIGKILL)

        os.replace = replace_then_die
        try:
            dataset.write_edition(out, EDITION, _tables("new"))
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) == (renames > 0)


def test_a_kill_at_any_step_of_a_replacement_leaves_the_edition_old_or_new(tmp_path):
    probe = tmp_path / "probe"
    dataset.write_edition(probe, EDITION, _tables("old"))
    steps = _count_renames(probe)
    assert steps == 7        # journal, then 3 x (old aside, new in); datapackage.json is unchanged
    outcomes = []
    for kill_after in range(1, steps + 1):
        out = tmp_path / f"kill-{kill_after}"
        dataset.write_edition(out, EDITION, _tables("old"))
        _killed_after(out, kill_after)
        dataset.recover(out, EDITION)        # what the next build of the edition does first
        state = _state(out)
        assert state in ({"old"}, {"new"}), (kill_after, state)
        assert dataset.pending_replacements(out) == [], kill_after
        assert not [p for p in out.rglob("*") if p.name.startswith((".staging-", ".old-", ".replace-"))]
        outcomes.append(state.pop())
    # Before the journal is in place the old edition stands; from then on the new one.
    assert outcomes == ["new"] * steps


def test_a_kill_while_staging_leaves_the_old_edition(tmp_path):
    out = tmp_path / "out"
    dataset.write_edition(out, EDITION, _tables("old"))
    real = dataset._write_chunks     # every table file is written there
    pid = os.fork()
    if pid == 0:
        written = [0]

        def write_then_die(*args, **kw):
            real(*args, **kw)
            written[0] += 1
            if written[0] == 2:
                os.kill(os.getpid(), signal.SIGKILL)

        dataset._write_chunks = write_then_die
        try:
            dataset.write_edition(out, EDITION, _tables("new"))
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    assert list(out.glob(".staging-*"))          # the kill left its staging folder
    assert _state(out) == {"old"}
    dataset.check_edition(out, EDITION)           # a reader finds the old edition
    dataset.recover(out, EDITION)                 # the next build of it drops the folder
    assert not list(out.glob(".staging-*"))


def test_ctrl_c_during_the_switch_finishes_it_and_says_so(tmp_path, monkeypatch):
    out = tmp_path / "out"
    dataset.write_edition(out, EDITION, _tables("old"))
    real, count = os.replace, [0]

    def replace_then_interrupt(*args):
        real(*args)
        count[0] += 1
        if count[0] == 3:     # journal, pages aside, new pages in: documents still old
            raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", replace_then_interrupt)
    with pytest.raises(dataset.WriteInterrupted) as caught:
        dataset.write_edition(out, EDITION, _tables("new"))
    monkeypatch.undo()
    assert caught.value.replaced is True
    assert _state(out) == {"new"}


# ---------------------------------------------------------------- output that cannot be written

from conftest import FIXTURES  # noqa: E402

SMALL_PDF = FIXTURES / "word-gaps-no-space-glyphs.pdf"      # one page


def out_is_a_file(tmp):
    (tmp / "out").write_text("not a folder")
    return tmp / "out", tmp / "out"


def out_under_a_file(tmp):
    (tmp / "file").write_text("not a folder")
    return tmp / "file" / "out", tmp / "file"


def table_folder_is_a_file(tmp):
    (tmp / "out").mkdir()
    (tmp / "out" / "pages").write_text("not a folder")
    return tmp / "out", tmp / "out" / "pages"


def read_only_filesystem(tmp):
    return Path("/sys/policy-pipeline-out"), Path("/sys/policy-pipeline-out")   # sysfs: EPERM even for root


@pytest.mark.parametrize("make", [out_is_a_file, out_under_a_file, table_folder_is_a_file, read_only_filesystem])
def test_output_that_cannot_be_written_is_one_line_naming_the_path(make, tmp_path):
    out, named = make(tmp_path)
    run = run_cli("build", SMALL_PDF, "--edition", "x", "--out", out)
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr
    assert len(run.stderr_lines) == 1, run.stderr
    assert run.stderr_lines[0].startswith(f"error: {named}: cannot write the dataset there")


def test_unwritable_caches_cost_time_not_the_build(tmp_path, monkeypatch):
    """A read-only checkout: the jieba and OCR caches cannot be written; the build goes on."""
    (tmp_path / "cache").write_text("a file where the cache folder should be")
    monkeypatch.setenv("POLICY_PIPELINE_CACHE", str(tmp_path / "cache"))
    run = run_cli("build", SMALL_PDF, "--edition", "x", "--out", tmp_path / "out", "--workers", "1")
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    assert (tmp_path / "out" / "tokens" / "x" / "part-0.parquet").exists()


# ---------------------------------------------------------------- broken datasets given to diff and validate

import shutil  # noqa: E402

import pyarrow as pa  # noqa: E402


@pytest.fixture(scope="module")
def two_editions(tmp_path_factory):
    out = tmp_path_factory.mktemp("two") / "out"
    for edition in ("a", "b"):
        run = run_cli("build", SMALL_PDF, "--edition", edition, "--out", out, "-q", "--workers", "1")
        assert run.returncode == 0, run.stderr
    return out


def truncated(out):
    path = out / "pages" / "b" / "part-0.parquet"
    path.write_bytes(path.read_bytes()[:200])
    return path.parent


def bit_flipped_footer(out):
    path = out / "sections" / "b" / "part-0.parquet"
    data = bytearray(path.read_bytes())
    for i in range(len(data) - 60, len(data) - 8):     # the footer's metadata, before its length
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))
    return path.parent


def lost_a_column(out):
    path = out / "documents" / "b" / "part-0.parquet"
    pq.write_table(pq.read_table(path).drop_columns(["title"]), path)
    return path.parent


def not_parquet(out):
    path = out / "amounts" / "b" / "part-0.parquet"
    path.write_text("page,text\n1,这不是 Parquet\n", encoding="utf-8")
    return path.parent


def stray_file(out):
    (out / "pages" / "b" / "notes.csv").write_text("page,text\n", encoding="utf-8")
    return out / "pages" / "b"


def type_changed(out):
    path = out / "pages" / "b" / "part-0.parquet"
    data = pq.read_table(path)
    i = data.column_names.index("page")
    pq.write_table(data.set_column(i, "page", data.column("page").cast(pa.int64())), path)
    return path.parent


def empty_editions_row(out):
    path = out / "editions" / "b" / "part-0.parquet"
    pq.write_table(pq.read_table(path).slice(0, 0), path)
    return path.parent


BROKEN = [truncated, bit_flipped_footer, lost_a_column, not_parquet, stray_file, type_changed, empty_editions_row]


@pytest.mark.parametrize("damage", BROKEN)
def test_diff_and_validate_refuse_a_broken_partition_in_one_line(damage, two_editions, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(two_editions, out)
    assert run_cli("diff", "a", "b", "--data", out, "--format", "json").returncode == 0
    named = damage(out)
    run = run_cli("diff", "a", "b", "--data", out, "--format", "json")
    assert run.returncode != 0 and run.stdout == ""
    assert "Traceback" not in run.stderr
    assert len(run.stderr_lines) == 1, run.stderr
    assert run.stderr_lines[0].startswith(f"error: {named}"), run.stderr
    check = run_cli("validate", "--data", out)
    assert check.returncode == 1 and "Traceback" not in check.stderr, check.stderr
    assert f"{named.parent.name}/b: " in check.stdout


@pytest.mark.parametrize("target, says", [("missing-folder/changes.parquet", "no folder"),
                                          (".", "is a directory")])
def test_diff_out_that_cannot_be_written(target, says, two_editions, tmp_path):
    run = run_cli("diff", "a", "b", "--data", two_editions, "--out", tmp_path / target, "--format", "json")
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert len(run.stderr_lines) == 1 and says in run.stderr_lines[0] and str(tmp_path) in run.stderr_lines[0]


# ---------------------------------------------------------------- sniffing the source

from pipeline.sources import InputError, source_kind  # noqa: E402
from pipeline.sources.flipbook import parse_flipbook, read_flipbook  # noqa: E402

EXPORT = "杭州市级产业政策汇编\n第1页\n1\n第一页的正文。\n第2页\n2\n第二页的正文。\n"


@pytest.mark.parametrize("head, kind", [
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "pdf"),
    (b"\xef\xbb\xbf%PDF-1.4\n", "pdf"),
    (b"From: scanner@example.org\r\n\r\n%PDF-1.5\r\n", "pdf"),                  # junk before the header line
    ("说明:原文件格式 %PDF-1.7,转为文字。\n".encode() + EXPORT.encode(), "flipbook"),   # a mention
    (EXPORT.encode() + b"%PDF-1.4\n", "flipbook"),                             # a header line after 第N页
], ids=["header", "bom-header", "mail-junk-header", "mentioned-mid-line", "after-page-marker"])
def test_pdf_header_is_a_line_at_the_start(head, kind, tmp_path):
    path = tmp_path / "source.txt"
    path.write_bytes(head + b"x" * 2000)
    assert source_kind(path) == kind


@pytest.mark.parametrize("make", [
    lambda tmp: (os.mkfifo(tmp / "fifo.pdf"), tmp / "fifo.pdf")[1],
    lambda tmp: Path("/dev/zero"),
    lambda tmp: Path("/dev/null"),
], ids=["fifo", "dev-zero", "dev-null"])
def test_a_source_that_is_not_a_regular_file_is_refused_at_once(make, tmp_path):
    path = make(tmp_path)
    with pytest.raises(InputError, match="not a regular file"):
        source_kind(path)
    run = run_cli("build", path, "--edition", "x", "--out", tmp_path / "out", timeout=30)
    assert run.returncode == 2 and len(run.stderr_lines) == 1, run.stderr
    assert run.stderr_lines[0] == f"error: {path}: not a regular file (a pipe, device or socket); save it to a file first"


def test_a_bom_keeps_the_first_page(tmp_path):
    path = tmp_path / "export.txt"
    path.write_bytes(b"\xef\xbb\xbf" + "第1页\n1\n第一页的正文。\n第2页\n2\n第二页的正文。\n".encode())
    pages = read_flipbook(path)
    assert [(p.page, p.printed_page, [l.text for l in p.lines]) for p in pages] == [
        (1, 1, ["第一页的正文。"]), (2, 2, ["第二页的正文。"])]


def test_repeated_and_impossible_page_markers_make_one_key_per_page(caplog):
    text = EXPORT + "第2页\n2\n第二页又一段。\n第3000000000页\n第三页没有标记之前的文字。\n"
    pages = parse_flipbook(text, "dup.txt")
    assert [(p.page, [l.text for l in p.lines]) for p in pages] == [
        (1, ["第一页的正文。"]), (2, ["第二页的正文。", "第二页又一段。", "第三页没有标记之前的文字。"])]
    assert [r.getMessage() for r in caplog.records] == [
        "dup.txt: 1 page marker(s) ignored, page number out of range: 第3000000000页 after page 2",
        "dup.txt: 1 page marker(s) repeated (page 2): their lines are added to the first page of that number"]


# ---------------------------------------------------------------- one bad value

def test_a_value_no_column_holds_is_dropped_with_a_warning_and_the_rest_built(tmp_path):
    source = tmp_path / "big.txt"
    source.write_text("第1页\n1\n关于支持产业发展的若干意见\n一、给予最高123456789012345678901万元奖励。\n"
                      "第3000000000页\n二、给予最高500万元奖励,补助比例为30%。\n", encoding="utf-8")
    run = run_cli("build", source, "--edition", "big", "--out", tmp_path / "out", "--workers", "1")
    assert run.returncode == 0, run.stderr
    warnings = [l for l in run.stderr_lines if l.startswith("WARNING")]
    assert warnings == [
        f"WARNING: {source}: 1 page marker(s) ignored, page number out of range: 第3000000000页 after page 1",
        f"WARNING: {source}: page 1: amounts.value_yuan 123456789012345678901万元 does not fit its column, "
        "stored as null"]
    rows = pq.read_table(tmp_path / "out" / "amounts" / "big").select(["text", "value_yuan", "page"]).to_pylist()
    assert [(r["text"], r["value_yuan"], r["page"]) for r in rows] == [
        ("123456789012345678901万元", None, 1), ("500万元", 5000000, 1)]
    assert dataset.validate(tmp_path / "out") == []


@pytest.mark.parametrize("table, row, column, kept", [
    ("amounts", {"value_yuan": 10 ** 20}, "value_yuan", None),                     # 21 digits: past decimal(24,4)
    ("amounts", {"value_yuan": 10 ** 19}, "value_yuan", 10 ** 19),                 # 20 digits fit
    ("percentages", {"value": 1234567}, "value", None),                            # past decimal(12,6)
    ("percentages", {"value": __import__("decimal").Decimal("0.33333333")}, "value",
     __import__("decimal").Decimal("0.333333")),                                  # rounded to the scale
])
def test_fit_to_schema(table, row, column, kept):
    rows = [row]
    dropped = dataset.fit_to_schema(table, rows)
    assert rows[0][column] == kept and bool(dropped) == (kept is None)


# ---------------------------------------------------------------- workers, signals, warning floods

import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

from conftest import ROOT, SAMPLE_PDF  # noqa: E402
from pipeline import workers  # noqa: E402


def test_workers_are_capped_by_cores_and_memory(monkeypatch):
    cores = len(os.sched_getaffinity(0))
    assert workers.Pool(64).workers == cores
    assert workers.Pool(1).workers == 1
    monkeypatch.setattr(workers, "_available_memory", lambda: 3 * workers.WORKER_MEMORY // 2)
    assert workers.Pool(64).workers == 1          # memory for one worker only


def _children(pid: int) -> set[int]:
    try:
        return {int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}
    except OSError:
        return set()


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def test_sigterm_stops_the_workers_and_leaves_the_dataset_as_it_was(tmp_path):
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "build", str(SAMPLE_PDF), "--edition", "t",
                             "--out", str(out), "--workers", "2", "--no-ocr"], cwd=ROOT, env=env,
                            stderr=subprocess.PIPE, text=True)
    seen: set[int] = set()
    deadline = time.monotonic() + 60
    while len(seen) < 2 and time.monotonic() < deadline and proc.poll() is None:
        seen |= _children(proc.pid)
        time.sleep(0.05)
    assert len(seen) == 2, "the build started no workers"
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130, stderr
    assert stderr.splitlines()[-1] == f"error: interrupted; {out}: edition t left as it was before this build"
    deadline = time.monotonic() + 10
    while any(map(_alive, seen)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [p for p in seen if _alive(p)]
    assert not (out / "pages" / "t").exists()


# A worker killed while it sends a result: the executor's thread has read the header of
# the message and waits for the rest. Here the worker writes that half message itself
# (a header for 1 MiB, then 4 bytes), tells the parent, and sleeps; the parent then fails.
_HALF_A_RESULT = """
import os, struct, sys, time
from pathlib import Path
from pipeline import workers

def half_a_result(flag):
    frame = sys._getframe()
    while frame.f_code.co_name != "_process_worker":
        frame = frame.f_back
    writer = frame.f_locals["result_queue"]._writer
    os.write(writer.fileno(), struct.pack("!i", 1 << 20) + b"half")
    Path(flag).touch()
    time.sleep(600)

flag = Path(sys.argv[1])
try:
    with workers.Pool(2) as pool:
        results = pool.map(half_a_result, [(str(flag),)])
        while not flag.exists():
            time.sleep(0.01)
        raise RuntimeError("the stage failed")
except RuntimeError as exc:
    print(exc)
"""


def test_a_failing_build_stops_even_with_half_a_result_in_the_pipe(tmp_path):
    run = subprocess.run([sys.executable, "-c", _HALF_A_RESULT, str(tmp_path / "sent")], cwd=ROOT,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=30)
    assert (run.returncode, run.stdout) == (0, "the stage failed\n"), run.stderr


@pytest.mark.parametrize("signum, raised", [(signal.SIGTERM, workers.Terminated),
                                            (signal.SIGINT, KeyboardInterrupt)])
def test_an_interruption_waits_for_the_executors_bookkeeping(signum, raised):
    old = signal.signal(signum, workers._raise_terminated)
    try:
        with pytest.raises(KeyboardInterrupt) as caught:
            with workers.uninterrupted():
                os.kill(os.getpid(), signum)
                time.sleep(0.05)               # the handler has run by now, and raised nothing
                reached_the_end = True
        assert reached_the_end and type(caught.value) is raised
    finally:
        signal.signal(signum, old)


def test_three_thousand_blank_pages_make_one_warning_line(tmp_path):
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument.new()
    for _ in range(3000):
        doc.new_page(595, 842)
    source = tmp_path / "blank.pdf"
    doc.save(source)
    run = run_cli("build", source, "--edition", "blank", "--out", tmp_path / "out", "--workers", "1")
    assert run.returncode == 0, run.stderr
    assert run.stderr_lines[:-1] == [f"WARNING: {source}: 3,000 pages (pages 1-3000): blank (no text, no image)",
                                     f"WARNING: {source}: no page has any text",
                                     f"WARNING: {source}: no documents found"]


# ---------------------------------------------------------------- text lost without a word

import logging  # noqa: E402

from pipeline.pages import pages_table  # noqa: E402
from pipeline.sources import Line, RawPage, read_pages  # noqa: E402


def test_rotated_text_is_named_in_a_warning(tmp_path):
    """reportlab, Helvetica: an upright line, and a line set at 90 degrees on the same page."""
    from reportlab.pdfgen import canvas

    source = tmp_path / "rotated.pdf"
    c = canvas.Canvas(str(source), pagesize=(595, 842))
    c.setFont("Helvetica", 12)
    c.drawString(72, 770, "Upright line of the page.")
    c.saveState()
    c.translate(40, 300)
    c.rotate(90)
    c.drawString(0, 0, "Rotated margin note")
    c.restoreState()
    c.showPage()
    c.save()
    _, raw = read_pages(source, workers=1, ocr=False)
    assert raw[0].rotated_glyphs == len("RotatedMarginNote")     # spaces are no glyphs
    run = run_cli("build", source, "--edition", "r", "--out", tmp_path / "out", "--workers", "1", "--no-ocr")
    assert run.returncode == 0, run.stderr
    assert f"WARNING: {source}: page 1: text set at an angle (a diagonal watermark, a margin note) is left out of pages.text" in run.stderr_lines


def test_control_characters_never_reach_pages_text(caplog):
    pages = [RawPage(page=1, lines=[Line(text="第一条\x00 给予\x07最高\x1b500万元\x85奖励")], char_count=16,
                     has_text_layer=True),
             RawPage(page=2, lines=[Line(text="\ue000\ue001\ue002 政策")], char_count=6, has_text_layer=True)]
    with caplog.at_level(logging.WARNING, logger="pipeline.pages"):
        rows = pages_table(pages, "t", "ctl.pdf")
    assert [r["text"] for r in rows] == ["第一条 给予最高500万元奖励", "\ue000\ue001\ue002 政策"]
    assert [r.getMessage() for r in caplog.records] == [
        "ctl.pdf: page 1: control characters in the text layer (removed; broken ToUnicode map?)",
        "ctl.pdf: page 2: Private Use Area characters in the text layer (unmapped glyphs?)"]


# ---------------------------------------------------------------- hangs

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "make"))
from nested_forms import laughs  # noqa: E402


@pytest.mark.parametrize("reader, depth, seconds, reason", [
    ("pdfium", 7, "3", "PageTooLarge: forms drawn over and over: more than 100,000 objects on one page"),
    ("pdfplumber", 7, "3", "PageTooLarge: forms drawn over and over: more than 100,000 objects on one page"),
    ("pdfplumber", 4, "0.5", "PageTimeout: page took longer than 0.5 s to read"),
])
def test_a_page_of_nested_forms_is_recorded_damaged_and_the_rest_built(reader, depth, seconds, reason, tmp_path,
                                                                      monkeypatch):
    """10^7 draws of one form on page 1 (pdfium expands them in C when it loads the page:
    23 GB measured) are refused from the file's dictionaries before any reader loads the
    page; 10^4 draws (pdfminer: 2 s) run into the page time limit, set low here."""
    source = tmp_path / "laughs.pdf"
    laughs(source, depth)
    monkeypatch.setenv("POLICY_PIPELINE_PAGE_SECONDS", seconds)
    start = time.monotonic()
    run = run_cli("build", source, "--edition", "l", "--out", tmp_path / "out", "--workers", "1", "--no-ocr",
                  "--reader", reader)
    assert run.returncode == 0, run.stderr
    assert time.monotonic() - start < 30
    (row,) = pq.read_table(tmp_path / "out" / "pages" / "l").to_pylist()
    assert row["error"].startswith(reason) and row["text"] == ""
    assert f"WARNING: {source}: page 1: damaged page skipped ({row['error']})" in run.stderr_lines


@pytest.mark.parametrize("spelling", [b"/Form", b"/F#6frm", b"/#46#6F#72#6D"])
def test_nested_forms_are_found_however_their_subtype_is_spelled(spelling, tmp_path):
    """The byte scan that spares most files the page walk must see every spelling of /Form."""
    import pdfplumber
    from pipeline.sources.overdrawn import overdrawn_pages

    source = tmp_path / "laughs.pdf"
    laughs(source, 6, subtype=spelling)
    with pdfplumber.open(source) as pdf:
        assert overdrawn_pages(pdf.doc) == {0: "forms drawn over and over: more than 100,000 objects on one page"}


def test_a_file_without_forms_needs_no_page_walk(monkeypatch):
    import pdfplumber
    from pipeline.sources import overdrawn

    def walk(doc, most):
        raise AssertionError("pages walked")

    monkeypatch.setattr(overdrawn, "_walk_pages", walk)
    with pdfplumber.open(Path(__file__).parent / "fixtures" / "tables" / "ruled-tables-libreoffice.pdf") as pdf:
        assert overdrawn.overdrawn_pages(pdf.doc) == {}


# ---------------------------------------------------------------- make (update)

def test_update_builds_the_good_sources_and_reports_the_bad(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(SMALL_PDF, raw / "good.pdf")
    (raw / "bad.pdf").write_text("这不是 PDF。\n", encoding="utf-8")
    shutil.copy(SMALL_PDF, raw / "2024.pdf")
    (raw / "2024.txt").write_text("第1页\n1\n正文。\n", encoding="utf-8")
    out = tmp_path / "out"
    run = run_cli("update", raw, "--out", out, "-q", "--workers", "1")
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    assert run.stderr_lines == [
        "error: 2024.pdf and 2024.txt: both would be edition 2024; rename or remove one (edition left as it was)",
        f"error: {raw / 'bad.pdf'}: not a PDF (no %PDF header)",
        f"error: {raw}: 2 source(s) not built: 2024.pdf and 2024.txt, bad.pdf"]
    assert dataset.editions_in(out) == ["good"]
    assert dataset.validate(out) == []


from bad_mediabox import bad_mediabox  # noqa: E402


@pytest.mark.parametrize("ruled", [False, True])
def test_a_page_with_a_mediabox_that_is_not_numbers_does_not_reject_the_pdf(ruled, tmp_path):
    """Pages with ruling go to pdfplumber's table finder, whose page list fails on the bad
    page: one warning. Without ruling pdfplumber is never asked, and nothing is lost."""
    source = tmp_path / "mediabox.pdf"
    bad_mediabox(source, ruled)
    run = run_cli("build", source, "--edition", "m", "--out", tmp_path / "out", "--workers", "1", "--no-ocr")
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    rows = pq.read_table(tmp_path / "out" / "pages" / "m").select(["page", "text"]).to_pylist()
    assert rows == [{"page": 1, "text": "Page text here."}, {"page": 2, "text": "Page text here."}]
    warnings = [line for line in run.stderr_lines if line.startswith("WARNING")]
    if ruled:
        assert len(warnings) == 1
        assert warnings[0].startswith(f"WARNING: {source}: ruled tables not read (PdfminerException: ")
    else:
        assert warnings == []
