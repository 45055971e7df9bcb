"""Corpus builds: many sources, each its own edition, on this machine or on a Dask cluster.

Planning is pure: which sources, which edition ids, which to skip because the
`editions` table already holds a build of the same bytes by the same pipeline
version. Each source then becomes one task run by `build_source`, the same function
here and on a cluster worker, so both write the same bytes (given the same
`built_at`, see `build_time`). Failures stay inside their task: a bad source ends
as one line of error and the others are built.
"""
from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable

import regex

from .dataset import EditionIdError, check_edition_id

log = logging.getLogger(__name__)

#: File endings a folder is searched for; a file named outright is taken whatever its name.
SUFFIXES = (".pdf", ".txt")


@dataclass(frozen=True)
class Job:
    """One source of the corpus and what to do with it."""
    source: Path
    edition: str
    action: str            # "build" | "skip" | "fail"
    reason: str = ""       # why it is skipped or failed


@dataclass
class Outcome:
    """What became of one job; `seconds` is the time inside the task, not waiting for it."""
    source: Path
    edition: str
    status: str            # "built" | "skipped" | "failed"
    message: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return self.counts.get("pages", 0)


# --- planning (pure) -------------------------------------------------------------------

def edition_id(relative: Path) -> str:
    """Edition id of a file found in a folder: its path below the folder, without the
    ending, parts joined by '-' (a hive partition value cannot hold '/').
    hangzhou/2023.pdf -> 'hangzhou-2023'; 2023.pdf -> '2023' (as `build FILE`); spaces as
    '-' as there. Whether the id is a good one is `plan`'s question (dataset.check_edition_id)."""
    return "-".join(regex.sub(r"\s+", "-", part.strip()) for part in relative.with_suffix("").parts)


def plan(sources: Iterable[tuple[Path, str, str | None]], built: dict[str, dict], version: str,
         force: bool = False) -> list[Job]:
    """(path, edition, sha256 or None if unreadable) -> jobs, in the given order.

    A path given twice counts once. Two files that would write the same edition both
    fail: building one over the other would silently lose data. An edition already
    built from the same sha256 by the same pipeline version is skipped unless `force`.
    """
    unique: dict[Path, tuple[str, str | None]] = {}
    for path, edition, sha in sources:
        unique.setdefault(path, (edition, sha))
    by_edition: dict[str, list[Path]] = {}
    for path, (edition, _) in unique.items():
        by_edition.setdefault(edition, []).append(path)
    jobs = []
    for path, (edition, sha) in unique.items():
        clash = [p for p in by_edition[edition] if p != path]
        previous = built.get(edition)
        try:
            check_edition_id(edition)
        except EditionIdError as exc:
            jobs.append(Job(path, edition, "fail", f"{path}: {exc}; rename the file, or build it alone with --edition"))
            continue
        if clash:
            jobs.append(Job(path, edition, "fail", f"{path}: edition id {edition!r} is also the id of "
                                                   f"{clash[0]}; rename one, or build it alone with --edition"))
        elif (not force and previous and sha is not None and previous.get("source_sha256") == sha
              and previous.get("pipeline_version") == version):
            jobs.append(Job(path, edition, "skip", f"already built from these bytes by pipeline {version}"))
        else:
            jobs.append(Job(path, edition, "build"))
    return jobs


def build_time(option: str | None, environ: dict[str, str]) -> datetime:
    """The one `built_at` stamped on every edition of a corpus build.

    Default: now, which is what an analyst asks of the column (when was this built).
    `--built-at` (ISO 8601) or SOURCE_DATE_EPOCH (the reproducible-builds convention,
    seconds since 1970) fix it, so two builds of the same corpus, here or on a
    cluster, write the same bytes.
    """
    if option:
        stamp = datetime.fromisoformat(option)
        return (stamp if stamp.tzinfo else stamp.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)
    if environ.get("SOURCE_DATE_EPOCH"):
        return datetime.fromtimestamp(int(environ["SOURCE_DATE_EPOCH"]), timezone.utc)
    return datetime.now(timezone.utc).replace(microsecond=0)


def summary(outcomes: list[Outcome], seconds: float) -> str:
    """'3 built, 1 skipped, 1 failed; 150 pages in 4.2 s (35.7 pages/s)'."""
    tally = {s: sum(o.status == s for o in outcomes) for s in ("built", "skipped", "failed")}
    pages = sum(o.pages for o in outcomes if o.status == "built")
    rate = f" ({pages / seconds:.1f} pages/s)" if pages and seconds > 0 else ""
    return (f"{tally['built']} built, {tally['skipped']} skipped, {tally['failed']} failed; "
            f"{pages} pages in {seconds:.1f} s{rate}")


def outcome_line(outcome: Outcome) -> str:
    """One line per source, as the CLI prints it."""
    if outcome.status == "built":
        counts = ", ".join(f"{n} {t}" for t, n in outcome.counts.items() if t in ("pages", "documents", "sections"))
        return f"built   {outcome.edition}: {counts} ({outcome.seconds:.1f} s)"
    if outcome.status == "skipped":
        return f"skipped {outcome.edition}: {outcome.message}"
    return f"failed  {outcome.edition}: {outcome.message}"


# --- I/O at the edges ------------------------------------------------------------------

def find_sources(paths: Iterable[Path]) -> list[tuple[Path, str]]:
    """(absolute path, edition id) of every source: a folder gives every *.pdf and *.txt
    below it (hidden ones left out), sorted; a file, or a missing path, gives itself
    (a missing one then fails with the reader's one-line error)."""
    found = []
    for given in paths:
        if given.is_dir():
            files = sorted(p for p in given.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES
                           and not any(part.startswith(".") for part in p.relative_to(given).parts))
            found += [(p.resolve(), edition_id(p.relative_to(given))) for p in files]
        else:
            found.append((given.resolve(), edition_id(Path(given.name))))
    return found


def source_hashes(found: list[tuple[Path, str]]) -> list[tuple[Path, str, str | None]]:
    from .sources import file_sha256

    hashed = []
    for path, edition in found:
        try:
            hashed.append((path, edition, file_sha256(path)))
        except OSError:
            hashed.append((path, edition, None))    # the build names the problem
    return hashed


def built_editions(out: Path) -> dict[str, dict]:
    """edition -> its `editions` row, for every finished build under `out`. A row that
    cannot be read counts as not built (the edition is built again)."""
    from . import dataset

    rows = {}
    for edition in dataset.editions_in(out):
        try:
            rows[edition] = dataset.read_rows(out, "editions", edition)[0]
        except Exception as exc:  # damaged partition: rebuild rather than stop the corpus
            log.warning("%s: editions row of %r unreadable (%s); building it again", out, edition, exc)
    return rows


def build_source(source: Path, edition: str, out: Path, built_at: datetime, version: str,
                 workers: int = 1, ocr: bool = True, capture: bool = False) -> Outcome:
    """Build one source as one edition; never raises. Runs here or on a cluster worker.

    `capture` keeps the build's warnings in the outcome (a worker's log is not the
    user's terminal). `version` is the client's: a worker running another pipeline
    would write data the client's skip rule misreads, so it refuses.
    """
    from . import __version__
    from .build import build_edition
    from .dataset import SchemaError
    from .sources import InputError

    start = time.perf_counter()
    result = Outcome(source, edition, "failed")
    if version != __version__:
        result.message = (f"{source}: worker runs pipeline {__version__}, the client {version}; "
                          f"install the same version everywhere")
        return result
    handler = _Capture() if capture else None
    if handler:
        logging.getLogger("pipeline").addHandler(handler)
    try:
        result.counts = build_edition(source, edition, out, workers=workers, ocr=ocr, built_at=built_at)
        result.status = "built"
    except (InputError, SchemaError) as exc:
        result.message = str(exc)
    except OSError as exc:   # reading the source or writing OUT: disk full, no permission, ...
        result.message = f"{exc.filename or source}: {exc.strerror or exc}"
    except Exception as exc:   # a bug met on one source must not stop the corpus
        result.message = f"{source}: {type(exc).__name__}: {exc}".replace("\n", " ")
    finally:
        if handler:
            logging.getLogger("pipeline").removeHandler(handler)
            result.warnings = handler.messages
    result.seconds = time.perf_counter() - start
    return result


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def connect(address: str, workers: int):
    """A Dask client: 'local' starts a cluster of `workers` single-threaded processes
    on this machine (the work is CPU-bound Python, so one thread per process)."""
    if not log.isEnabledFor(logging.INFO):
        # Dask logs every worker's start and stop, and warns when it kills a worker slow
        # to exit at shutdown; the sources' own lines say what went wrong. This variable
        # also reaches the worker processes a local cluster starts.
        os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "error")
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise RuntimeError("a cluster build needs Dask: pip install 'policy-pipeline[cluster]'") from None
    if address == "local":
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        return Client(cluster)
    try:
        return Client(address)    # waits distributed.comm.timeouts.connect (30 s)
    except OSError as exc:
        raise RuntimeError(f"no Dask scheduler at {address}: {exc}".replace("\n", " ")) from None


def run(jobs: list[Job], out: Path, built_at: datetime, version: str, *, workers: int = 2,
        ocr: bool = True, client=None, report: Callable[[Outcome], None] = lambda o: None) -> list[Outcome]:
    """Carry out the jobs; `report` sees each outcome as it lands; outcomes come back in
    job order.

    With a Dask client each source is a task on the cluster. Without one, a lone source
    is built here on `workers` processes, as `build FILE` does; several are shared out to
    `workers` processes, one source each, so that jieba loads once per process rather
    than once per source (bench/corpus.py, 20 sources of 10 pages: 237 s one after the
    other, each on its own 2 processes). Either way a task builds its source on one
    process: the sources are the parallelism.
    """
    outcomes: dict[int, Outcome] = {}
    pending = []
    for i, job in enumerate(jobs):
        if job.action != "build":
            outcomes[i] = Outcome(job.source, job.edition, "skipped" if job.action == "skip" else "failed",
                                  job.reason)
            report(outcomes[i])
        else:
            pending.append(i)
    if client is None and (len(pending) <= 1 or workers <= 1):
        for i in pending:
            outcomes[i] = build_source(jobs[i].source, jobs[i].edition, out, built_at, version, workers, ocr)
            report(outcomes[i])
        return [outcomes[i] for i in range(len(jobs))]
    from concurrent.futures import ProcessPoolExecutor, as_completed

    # A worker's log is not the user's terminal: cluster tasks bring their warnings back.
    capture = client is not None
    pool = client.get_executor(pure=False) if capture else ProcessPoolExecutor(min(workers, len(pending)))
    with pool:
        futures = {pool.submit(build_source, jobs[i].source, jobs[i].edition, out, built_at, version,
                               1, ocr, capture): i for i in pending}
        for future in as_completed(futures):
            i = futures[future]
            try:
                outcomes[i] = future.result()
            except Exception as exc:   # the process died (out of memory, killed): that source fails
                outcomes[i] = Outcome(jobs[i].source, jobs[i].edition, "failed",
                                      f"{jobs[i].source}: build process lost: {type(exc).__name__}: {exc}")
            for message in outcomes[i].warnings:
                log.warning("%s", message)
            report(outcomes[i])
    if any(outcomes[i].status == "built" for i in pending):
        # Editions finished at the same moment on two workers each wrote datapackage.json
        # from the folders they saw (1 run in 5 of bench/corpus.py missed an edition):
        # write it once more from the finished dataset.
        from .dataset import write_datapackage
        write_datapackage(out)
    return [outcomes[i] for i in range(len(jobs))]


def build_corpus(paths: list[Path], out: Path, *, workers: int, ocr: bool, scheduler: str | None,
                 force: bool, built_at: datetime, quiet: bool) -> int:
    """The `build` command for a corpus: plan, run, one line per source on stderr and a
    summary. Returns the exit status: 0, or 2 when any source failed."""
    import click

    from . import __version__

    def report(outcome: Outcome) -> None:
        if outcome.status == "failed" or not quiet:
            click.echo(outcome_line(outcome), err=True)

    start = time.perf_counter()
    jobs = plan(source_hashes(find_sources(paths)), built_editions(out), __version__, force)
    if not jobs:
        click.echo(f"error: {', '.join(map(str, paths))}: a directory without any *.pdf or *.txt source",
                   err=True)
        return 2
    client = None
    try:
        if scheduler and any(job.action == "build" for job in jobs):
            client = connect(scheduler, workers)
            out = out.resolve()    # every worker must see the same path
        outcomes = run(jobs, out, built_at, __version__, workers=workers, ocr=ocr, client=client, report=report)
    except RuntimeError as exc:
        click.echo(f"error: {exc}", err=True)
        return 2
    except KeyboardInterrupt:
        click.echo("error: interrupted; editions finished so far are written, the others left as they were",
                   err=True)
        return 2
    finally:
        if client is not None:
            _close(client)
    if not quiet:
        where = f" on {scheduler}" if client is not None else ""
        click.echo(f"corpus{where}: {summary(outcomes, time.perf_counter() - start)} -> {out}", err=True)
    return 2 if any(o.status == "failed" for o in outcomes) else 0


def _close(client) -> None:
    cluster = client.cluster    # set only when we started it ('local')
    client.close()
    if cluster is not None:
        cluster.close()
