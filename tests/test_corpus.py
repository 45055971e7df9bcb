"""Corpus builds: planning rules, and real builds here and on a real local Dask cluster.

The sources are windows of the seed flipbook exports (tools/corpus_sample.py) and
files that are not sources at all; the cluster is a LocalCluster of 2 single-threaded
worker processes on this machine, reached by its tcp:// address like a remote one.
"""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from conftest import ROOT, SEED, tree_digest
from pipeline import __version__
from pipeline.corpus import Job, build_source, build_time, edition_id, find_sources, plan

sys.path.insert(0, str(ROOT / "tools"))
from corpus_sample import slice_flipbook  # noqa: E402

# Every build here stamps this built_at (2026-01-01T00:00:00Z), so two builds of the same
# sources must be the same bytes.
EPOCH = "1767225600"

A, B, C = Path("/c/a.pdf"), Path("/c/b.pdf"), Path("/d/a.txt")
BUILT = {"a": {"source_sha256": "1" * 64, "pipeline_version": __version__}}


@pytest.mark.parametrize("sources, built, force, expected", [
    ([(A, "a", "1" * 64)], {}, False, [(A, "a", "build")]),                        # new edition
    ([(A, "a", "1" * 64)], BUILT, False, [(A, "a", "skip")]),                      # same bytes, same version
    ([(A, "a", "2" * 64)], BUILT, False, [(A, "a", "build")]),                     # the file changed
    ([(A, "a", "1" * 64)], {"a": {**BUILT["a"], "pipeline_version": "0.0.1"}}, False,
     [(A, "a", "build")]),                                                         # built by another version
    ([(A, "a", "1" * 64)], BUILT, True, [(A, "a", "build")]),                      # --force
    ([(A, "a", None)], BUILT, False, [(A, "a", "build")]),                         # unreadable: the build says why
    ([(A, "a", "1" * 64), (A, "a", "1" * 64)], {}, False, [(A, "a", "build")]),    # named twice: once
    ([(A, "a", "1" * 64), (C, "a", "3" * 64), (B, "b", "4" * 64)], {}, False,
     [(A, "a", "fail"), (C, "a", "fail"), (B, "b", "build")]),                     # two files, one edition id
])
def test_plan(sources, built, force, expected):
    jobs = plan(sources, built, __version__, force)
    assert [(j.source, j.edition, j.action) for j in jobs] == expected


def test_plan_names_both_files_of_a_clash():
    jobs = plan([(A, "a", "1" * 64), (C, "a", "3" * 64)], {}, __version__)
    assert jobs[0].reason == ("/c/a.pdf: edition id 'a' is also the id of /d/a.txt; "
                              "rename one, or build it alone with --edition")


@pytest.mark.parametrize("relative, expected", [
    ("2023.pdf", "2023"),
    ("2023-flipbook.txt", "2023-flipbook"),
    ("hangzhou/2023.pdf", "hangzhou-2023"),
    ("zhejiang/hangzhou/2024.PDF", "zhejiang-hangzhou-2024"),
])
def test_edition_id(relative, expected):
    assert edition_id(Path(relative)) == expected


@pytest.mark.parametrize("option, environ, expected", [
    ("2026-03-01T08:00:00+08:00", {}, datetime(2026, 3, 1, 0, 0, tzinfo=timezone.utc)),
    ("2026-03-01T08:00:00", {}, datetime(2026, 3, 1, 8, 0, tzinfo=timezone.utc)),   # naive = UTC
    (None, {"SOURCE_DATE_EPOCH": EPOCH}, datetime(2026, 1, 1, tzinfo=timezone.utc)),
    ("2026-03-01T08:00:00Z", {"SOURCE_DATE_EPOCH": EPOCH}, datetime(2026, 3, 1, 8, 0, tzinfo=timezone.utc)),
])
def test_build_time(option, environ, expected):
    assert build_time(option, environ) == expected


def test_build_time_defaults_to_now_in_whole_seconds():
    before = datetime.now(timezone.utc).replace(microsecond=0)
    stamp = build_time(None, {})
    assert before <= stamp <= datetime.now(timezone.utc) and stamp.microsecond == 0


def test_find_sources_walks_folders_and_leaves_out_hidden_and_other_files(tmp_path):
    for name in ("2023.pdf", "hangzhou/2024.txt", "hangzhou/notes.docx", ".cache/x.pdf", "b/.hidden.pdf"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    missing = tmp_path / "gone.pdf"
    found = find_sources([tmp_path, missing])
    assert found == [(tmp_path / "2023.pdf", "2023"), (tmp_path / "hangzhou/2024.txt", "hangzhou-2024"),
                     (missing, "gone")]


def test_a_worker_of_another_pipeline_version_refuses(tmp_path):
    source = tmp_path / "s.txt"
    source.write_text(slice_flipbook(SEED.read_text("utf-8"), 0, 2), "utf-8")
    outcome = build_source(source, "s", tmp_path / "out", build_time(None, {}), "0.0.1")
    assert (outcome.status, outcome.message) == (
        "failed",
        f"{source}: worker runs pipeline {__version__}, the client 0.0.1; install the same version everywhere")
    assert not (tmp_path / "out").exists()


# --- real builds -----------------------------------------------------------------------

SLICES = [(0, 3), (3, 2), (10, 4), (20, 3)]     # (first page, pages) of the seed, one source each


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """Four flipbook sources in two folders, plus two that fail: a '.pdf' that is not a
    PDF and a text file without page markers."""
    root = tmp_path_factory.mktemp("corpus")
    text = SEED.read_text("utf-8")
    for i, (first, count) in enumerate(SLICES):
        path = root / ("hangzhou" if i % 2 else "ningbo") / f"{2020 + i}.txt"
        path.parent.mkdir(exist_ok=True)
        path.write_text(slice_flipbook(text, first, count), "utf-8")
    (root / "broken.pdf").write_bytes(b"<html>404 Not Found</html>")
    (root / "notes.txt").write_text("下载说明：本汇编共收录政策文件。\n", "utf-8")
    return root


EDITIONS = ["hangzhou-2021", "hangzhou-2023", "ningbo-2020", "ningbo-2022"]


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed", reason="the [cluster] extra is not installed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as local:
        yield local


def build(*args, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k != "DASK_SCHEDULER_ADDRESS"}
    environ.update(SOURCE_DATE_EPOCH=EPOCH, **(env or {}))
    return subprocess.run([sys.executable, "-m", "pipeline", "build", *map(str, args)], cwd=ROOT, env=environ,
                          capture_output=True, text=True, timeout=600)


def lines(run: subprocess.CompletedProcess) -> list[str]:
    return sorted(line for line in run.stderr.splitlines() if line.startswith(("built ", "skipped ", "failed ")))


@pytest.fixture(scope="module")
def local_build(corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("local")
    return build(corpus, "--out", out), out


@pytest.fixture(scope="module")
def cluster_build(corpus, cluster, tmp_path_factory):
    out = tmp_path_factory.mktemp("on-cluster")
    return build(corpus, "--out", out, "--scheduler", cluster.scheduler_address), out


def test_a_bad_source_fails_alone_and_the_others_are_built(local_build, corpus):
    run, out = local_build
    assert run.returncode == 2
    assert [line.split(":")[0] for line in lines(run)] == [
        "built   hangzhou-2021", "built   hangzhou-2023", "built   ningbo-2020", "built   ningbo-2022",
        "failed  broken", "failed  notes"]
    assert f"failed  broken: {corpus / 'broken.pdf'}: not a PDF (no %PDF header)" in run.stderr
    assert (f"failed  notes: {corpus / 'notes.txt'}: no '第N页' page markers: "
            f"neither a PDF nor a flipbook text export") in run.stderr
    assert run.stderr.splitlines()[-1].startswith("corpus: 4 built, 0 skipped, 2 failed; 12 pages in ")
    assert "Traceback" not in run.stderr
    assert sorted(p.name for p in (out / "editions").iterdir()) == sorted(EDITIONS)


def test_the_cluster_writes_the_same_bytes_as_the_local_build(local_build, cluster_build):
    (local_run, local_out), (cluster_run, cluster_out) = local_build, cluster_build
    assert cluster_run.returncode == 2, cluster_run.stderr
    assert [line.split(" (")[0] for line in lines(cluster_run)] == [line.split(" (")[0] for line in lines(local_run)]
    assert "corpus on tcp://" in cluster_run.stderr.splitlines()[-1]
    digest = tree_digest(cluster_out)
    tables = [p for p in local_out.iterdir() if p.is_dir() and not p.name.startswith(".")]
    assert len(digest) == 4 * len(tables) + 1     # 4 editions x every table, and datapackage.json
    assert digest == tree_digest(local_out)


def test_the_cluster_dataset_is_valid(cluster_build):
    from pipeline.dataset import validate

    assert validate(cluster_build[1]) == []


def test_a_rerun_with_nothing_new_does_no_work(corpus, cluster, cluster_build):
    out = cluster_build[1]
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    run = build(corpus, "--out", out, env={"DASK_SCHEDULER_ADDRESS": cluster.scheduler_address})
    assert [line for line in lines(run) if not line.startswith("failed  ")] == [
        f"skipped {e}: already built from these bytes by pipeline {__version__}" for e in EDITIONS]
    assert run.stderr.splitlines()[-1].startswith(
        f"corpus on {cluster.scheduler_address}: 0 built, 4 skipped, 2 failed")
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == before


def test_a_grown_corpus_builds_only_the_new_and_the_changed(corpus, cluster, tmp_path):
    grown = tmp_path / "grown"
    for path in sorted(corpus.rglob("2*.txt")):
        (grown / path.relative_to(corpus)).parent.mkdir(parents=True, exist_ok=True)
        (grown / path.relative_to(corpus)).write_bytes(path.read_bytes())
    out = tmp_path / "out"
    first = build(grown, "--out", out, "--scheduler", cluster.scheduler_address)
    assert first.returncode == 0, first.stderr
    text = SEED.read_text("utf-8")
    (grown / "ningbo" / "2024.txt").write_text(slice_flipbook(text, 30, 2), "utf-8")     # new
    (grown / "ningbo" / "2020.txt").write_text(slice_flipbook(text, 0, 2), "utf-8")      # changed
    second = build(grown, "--out", out, "--scheduler", cluster.scheduler_address)
    assert second.returncode == 0, second.stderr
    assert [line.split(":")[0] for line in lines(second)] == [
        "built   ningbo-2020", "built   ningbo-2024",
        "skipped hangzhou-2021", "skipped hangzhou-2023", "skipped ningbo-2022"]
    # Nothing left to build: the scheduler is not even asked (this address has none).
    third = build(grown, "--out", out, "--scheduler", "tcp://127.0.0.1:9")
    assert third.returncode == 0 and third.stderr.splitlines()[-1].startswith("corpus: 0 built, 5 skipped, 0 failed")


def test_one_file_named_alone_is_built_as_before(corpus, tmp_path):
    source = corpus / "ningbo" / "2020.txt"
    for _ in range(2):      # no skip: `make` rebuilds a file when the code changed
        run = build(source, "--out", tmp_path, "--edition", "n")
        assert run.returncode == 0 and run.stderr.splitlines()[-1].startswith("n: 3 pages, ")


@pytest.mark.parametrize("names, message", [
    (["ningbo"], "error: {corpus}/ningbo: is a directory; --edition names the edition of one SOURCE file"),
    (["ningbo/2020.txt", "ningbo/2022.txt"], "error: --edition names the edition of one SOURCE file, not of 2"),
])
def test_edition_with_several_sources_is_refused(corpus, tmp_path, names, message):
    run = build(*(corpus / name for name in names), "--edition", "x", "--out", tmp_path)
    assert (run.returncode, run.stderr.strip()) == (2, message.format(corpus=corpus))


def test_a_folder_without_sources_is_one_line(tmp_path):
    (tmp_path / "empty").mkdir()
    run = build(tmp_path / "empty", "--out", tmp_path / "out")
    assert (run.returncode, run.stderr.strip()) == (
        2, f"error: {tmp_path / 'empty'}: a directory without any *.pdf or *.txt source")
    assert not (tmp_path / "out").exists()


def test_an_unreachable_scheduler_is_one_line(corpus, tmp_path):
    run = build(corpus / "ningbo", "--out", tmp_path, "--scheduler", "tcp://127.0.0.1:9",
                env={"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"})
    assert run.returncode == 2
    assert run.stderr.strip().splitlines()[-1].startswith("error: no Dask scheduler at tcp://127.0.0.1:9: ")
    assert "Traceback" not in run.stderr and not (tmp_path / "editions").exists()


def test_run_itself_leaves_a_datapackage_of_every_edition(corpus, tmp_path):
    """corpus.run (what bench/corpus.py and the CLI call): sources built side by side on
    two processes each wrote datapackage.json from the folders they saw, and 1 run in 5
    of the bench left one out; run writes it once more when all are done."""
    import json

    from pipeline.corpus import run, source_hashes

    jobs = [job for job in plan(source_hashes(find_sources([corpus])), {}, __version__) if job.action == "build"]
    outcomes = run(jobs, tmp_path, datetime(2026, 1, 1, tzinfo=timezone.utc), __version__, workers=2, ocr=False)
    built = sorted(o.edition for o in outcomes if o.status == "built")
    package = json.loads((tmp_path / "datapackage.json").read_text("utf-8"))
    assert built == EDITIONS
    assert sorted({r["edition"] for r in package["resources"]}) == EDITIONS
