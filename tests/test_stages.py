"""Stages meet at tables: segmentation and extraction rerun from a built dataset, the
one worker pool cuts work the same way for every stage, and the segmenter's start-up
is paid once (cached) without changing a token."""
from __future__ import annotations

import shutil
import subprocess
import sys

import pyarrow.parquet as pq
import pytest

from pipeline import dataset

from conftest import LIBREOFFICE_EDITION, PDF_EDITION, ROOT, SEED, SEED_EDITION, run_cli, tree_digest
from pipeline.workers import Pool, spans

# ---------------------------------------------------------------- chunking

@pytest.mark.parametrize("weights, workers, most, expected", [
    ([1] * 50, 2, None, [(0, 13), (13, 25), (25, 38), (38, 50)]),
    ([1] * 50, 2, 25, [(0, 13), (13, 25), (25, 38), (38, 50)]),
    ([1] * 500, 2, 25, [(i, i + 25) for i in range(0, 500, 25)]),
    ([1] * 3, 4, None, [(0, 1), (1, 2), (2, 3)]),
    ([100, 1, 1, 1, 1], 1, None, [(0, 1), (1, 5)]),          # one long section is a chunk of its own
    ([0, 0, 0], 2, None, [(0, 3)]),                          # no text at all: one chunk
    ([], 2, None, []),
    ([5], 1, None, [(0, 1)]),
])
def test_spans(weights, workers, most, expected):
    assert spans(weights, workers, most) == expected


@pytest.mark.parametrize("weights, heaviest, expected", [
    ([10] * 8, 30, [(0, 3), (3, 6), (6, 8)]),       # the even split is (0, 4), (4, 8): 40 each
    ([10] * 8, 1000, [(0, 4), (4, 8)]),              # a loose cap changes nothing
    ([5, 50, 5, 5], 20, [(0, 1), (1, 2), (2, 4)]),  # one section over the cap is a chunk of its own
])
def test_spans_stay_under_a_weight(weights, heaviest, expected):
    """The 5,000-page bench's sections grow with their documents: chunks of 25 of them
    held up to 122,000 characters, and segmenting one grew a worker by 30 MB."""
    assert spans(weights, 1, heaviest=heaviest) == expected


def test_serial_pool_runs_in_order_in_this_process():
    import os

    with Pool(1) as pool:
        assert list(pool.map(lambda a, b: (a + b, os.getpid()), [(1, 2), (3, 4)])) == \
            [(3, os.getpid()), (7, os.getpid())]


def test_process_pool_keeps_chunk_order():
    with Pool(2) as pool:
        assert list(pool.map(pow, [(2, k) for k in range(8)])) == [2 ** k for k in range(8)]


def _mark_pid(folder: str) -> None:
    import os
    import time
    from pathlib import Path

    time.sleep(1)  # a start-up's length: meanwhile the other worker takes the next call
    (Path(folder) / str(os.getpid())).touch()


def test_each_runs_once_in_each_worker_and_is_not_waited_for(tmp_path):
    import functools
    import os
    import time

    with Pool(1) as pool:
        pool.each(functools.partial(_mark_pid, str(tmp_path)))   # no workers: nothing runs ahead
    assert list(tmp_path.iterdir()) == []
    with Pool(2) as pool:
        if pool.serial:
            pytest.skip("one core")
        started = time.perf_counter()
        pool.each(functools.partial(_mark_pid, str(tmp_path)))
        assert time.perf_counter() - started < 0.5
        list(pool.map(pow, [(2, 1)] * 2))  # queued behind the two calls
    marks = {p.name for p in tmp_path.iterdir()}
    assert len(marks) == 2 and str(os.getpid()) not in marks


# ---------------------------------------------------------------- rerun from a dataset

@pytest.mark.parametrize("edition", [PDF_EDITION, LIBREOFFICE_EDITION])
def test_extract_rerun_gives_the_build_byte_for_byte(built, tmp_path, edition):
    out = tmp_path / "out"
    shutil.copytree(built.out, out)
    before = tree_digest(out)
    run = run_cli("extract", "--data", out, "--edition", edition)
    assert run.returncode == 0, run.stderr
    assert run.stdout == "" and run.stderr.startswith(f"{edition}: ")
    assert tree_digest(out) == before     # the editions row too: same counts, build time kept


def test_extract_rerun_picks_up_a_rule_change(built, tmp_path, monkeypatch):
    """What the command is for: a finder changed, its table (and only it) follows."""
    out = tmp_path / "out"
    shutil.copytree(built.out, out)
    before = tree_digest(out)
    from pipeline import extract

    monkeypatch.setitem(extract.FINDERS, "dates", lambda text: [])
    run = run_cli("extract", "--data", out, "--edition", LIBREOFFICE_EDITION, "--workers", "1")  # the patch holds
    assert run.returncode == 0, run.stderr
    changed = {k for k, v in tree_digest(out).items() if before.get(k) != v}
    assert changed == {f"dates/{LIBREOFFICE_EDITION}/part-0.parquet",
                       f"editions/{LIBREOFFICE_EDITION}/part-0.parquet"}
    assert pq.read_table(out / "dates" / LIBREOFFICE_EDITION).num_rows == 0
    (info,) = pq.read_table(out / "editions" / LIBREOFFICE_EDITION).to_pylist()
    counts = {r["table"]: r["rows"] for r in info["row_counts"]}
    (old,) = pq.read_table(built.out / "editions" / LIBREOFFICE_EDITION).to_pylist()
    assert counts == {**{r["table"]: r["rows"] for r in old["row_counts"]}, "dates": 0}
    assert info["built_at"] == old["built_at"]


def test_extract_rerun_of_an_unknown_edition_is_one_error_line(built, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(built.out, out)
    before = tree_digest(out)
    run = run_cli("extract", "--data", out, "--edition", "1999")
    assert run.returncode == 2
    assert run.stderr.splitlines() == [f"error: {out}: unknown edition '1999' "
                                       f"(built: {', '.join(sorted(built.runs))})"]
    assert tree_digest(out) == before


@pytest.mark.slow
@pytest.mark.parametrize("workers", ["1", "3"])
def test_build_does_not_depend_on_the_number_of_workers(built, tmp_path, workers):
    run = run_cli("build", SEED, "--edition", SEED_EDITION, "--out", tmp_path, "-q", "--workers", workers)
    assert run.returncode == 0, run.stderr
    mine = {k: v for k, v in tree_digest(tmp_path).items()
            if not k.startswith("editions/") and k != "datapackage.json"}
    theirs = {k: v for k, v in tree_digest(built.out).items()
              if f"/{SEED_EDITION}/" in k and not k.startswith("editions/")}
    assert mine == theirs
    assert {k.split("/")[0] for k in mine} == set(dataset.table_names()) - {"editions", "changes"}


# ---------------------------------------------------------------- imports and the segmenter cache

def _fresh(code: str, **env) -> str:
    import os

    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **env})
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return done.stdout


def test_importing_a_finder_imports_neither_pyarrow_nor_jieba():
    out = _fresh("import sys, pipeline.extract.amounts, pipeline.extract.dates; "
                 "print(sorted(m for m in ('pyarrow', 'jieba', 'pandas') if m in sys.modules))")
    assert out == "[]\n"


SENTENCE = "市经信局牵头,对首台(套)产品给予最高500万元奖励。"
TOKENS = f"from pipeline.segment import tokens; print(tokens({SENTENCE!r}))"


@pytest.mark.slow
def test_segmenter_cache_gives_the_same_tokens(tmp_path):
    from pipeline.segment import tokens

    cold = _fresh(TOKENS, POLICY_PIPELINE_CACHE=str(tmp_path))
    assert [p.name.startswith("segmenter-") for p in (tmp_path / "jieba").iterdir()] == [True]
    warm = _fresh(TOKENS, POLICY_PIPELINE_CACHE=str(tmp_path))
    assert cold == warm == f"{tokens(SENTENCE)}\n"
    assert "('市经信局', 'nt', 0)" in warm and "('首台(套)', 'nz', 8)" in warm


@pytest.mark.slow
def test_unwritable_cache_falls_back_to_no_cache(tmp_path):
    from pipeline.segment import tokens

    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    assert _fresh(TOKENS, POLICY_PIPELINE_CACHE=str(blocker)) == f"{tokens(SENTENCE)}\n"
    assert blocker.read_text() == "not a directory"


# The dates' forms, compiled in a fresh process: from the pattern cache when it is there.
DATE_FORMS = ("import regex, pipeline.patterns as p; compiled = []; orig = regex.compile; "
              "regex.compile = lambda *a, **k: compiled.append(a[0]) or orig(*a, **k); "
              "from pipeline.extract.dates import find_dates; p.save(); "
              "print(len(compiled), [d['value'] for d in find_dates('自2021年8月23日起施行')])")


@pytest.mark.slow
def test_pattern_cache_compiles_each_pattern_once(tmp_path):
    cold = _fresh(DATE_FORMS, POLICY_PIPELINE_CACHE=str(tmp_path))
    assert [p.suffix for p in (tmp_path / "patterns").iterdir()] == [".pickle"]
    warm = _fresh(DATE_FORMS, POLICY_PIPELINE_CACHE=str(tmp_path))
    count, values = cold.split(" ", 1)
    assert int(count) > 20          # every form of dates.py, and the numbers' patterns it imports
    assert warm == f"0 {values}"    # none compiled again, the same dates found
    assert values == "['2021-08-23']\n"


@pytest.mark.slow
@pytest.mark.parametrize("content", [b"", b"not a pickle", b"\x80\x05K\x01."])   # empty, junk, the int 1
def test_unreadable_pattern_cache_is_compiled_again(tmp_path, content):
    folder = tmp_path / "patterns"
    folder.mkdir()
    name = _fresh("import pipeline.patterns as p; print(p.cache_file().name)", POLICY_PIPELINE_CACHE=str(tmp_path))
    (folder / name.strip()).write_bytes(content)
    count, values = _fresh(DATE_FORMS, POLICY_PIPELINE_CACHE=str(tmp_path)).split(" ", 1)
    assert int(count) > 20 and values == "['2021-08-23']\n"
    assert _fresh(DATE_FORMS, POLICY_PIPELINE_CACHE=str(tmp_path)) == f"0 {values}"   # and rewritten


def test_a_build_never_imports_pandas(tmp_path):
    """pyarrow would import pandas (0.3 s) only to ask whether a list is a pandas object;
    a reader of the dataset still gets pandas from Table.to_pandas afterwards."""
    out = _fresh("import sys; from pipeline.cli import main; "
                 f"main(['build', 'raw/2023.pdf', '--out', {str(tmp_path / 'out')!r}, '-q', '--no-ocr'], "
                 "standalone_mode=False); print('pandas' in sys.modules); "
                 "import pyarrow.parquet as pq; "
                 f"frame = pq.read_table({str(tmp_path / 'out' / 'documents')!r}).to_pandas(); "
                 "print(type(frame).__name__, len(frame))")
    assert out == "False\nDataFrame 6\n"


def test_extract_without_an_edition_is_one_error_line(tmp_path):
    run = run_cli("extract", "--data", tmp_path)
    assert (run.returncode, run.stdout) == (2, "")
    assert run.stderr_lines == ["error: extract: give --edition EDITION (and --data DIR) to redo a built edition"]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("source", ["raw/2023.pdf", "raw/2023-flipbook.txt"])
def test_the_next_work_is_queued_once_the_reading_is(source):
    """The build queues each worker's warm-up (segment.warm) right behind its reading, so
    a worker starts jieba and the finders as soon as its pages are read."""
    from pipeline.sources import read_pages

    events = []
    with Pool(2) as pool:
        _, pages = read_pages(ROOT / source, pool=pool, ocr=False, queued=lambda: events.append(len(events)))
    assert events == [0] and len(pages) == 50
