"""Command line: `python -m pipeline --help`. Thin commands over the stages.

Exit codes, the same for every command:
  0  done (validate: the dataset is valid)
  1  the command ran on good arguments and the answer is "no": the dataset or an edition
     is missing (build it first), `validate` found problems, `docs --check` is out of date.
     Like grep's 1, it tells a script "nothing wrong with the call, the data is not there".
  2  bad input: a file that cannot be read, an edition id outside the alphabet, a bad
     option. click uses 2 for usage errors, so 2 always means "fix the command".
130  interrupted (Ctrl-C or SIGTERM); the message says what the edition was left as.
"""
from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path

import click

from . import __version__
from .dataset import DatasetError, EditionIdError, OutputError, SchemaError
from .sources import InputError

EXIT_NO = 1          # ran fine; the dataset or edition is missing, or invalid
EXIT_BAD_INPUT = 2   # the caller's input cannot be used (also click's usage errors)
EXIT_INTERRUPTED = 130

log = logging.getLogger(__name__)


class _Stderr(logging.Handler):
    """Log lines on stderr that never share a line with the progress bar, and a count of
    warnings for the build's closing summary."""

    def __init__(self):
        super().__init__()
        self.bar = None            # the click progress bar being drawn, if any
        self.owner = os.getpid()   # worker processes inherit the handler: they only write
        self.warnings = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.WARNING:
            self.warnings += 1
        line = self.format(record)
        if self.bar is not None:
            line = "\r\x1b[K" + line            # wipe the bar's line first
        sys.stderr.write(line + "\n")
        sys.stderr.flush()
        if self.bar is not None and os.getpid() == self.owner:
            self.bar.render_progress()          # and draw it again below the message


_HANDLER = _Stderr()


_LIBRARIES = ("pdfminer", "pdfplumber", "jieba")


def _setup_logging(verbose: int, quiet: bool) -> _Stderr:
    """Logs to stderr at the level the flags ask for, for the time of the command: the
    previous set-up comes back when it ends (commands also run in-process, in tests)."""
    level = logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    _HANDLER.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    _HANDLER.bar, _HANDLER.warnings = None, 0
    root = logging.getLogger()
    saved = root.handlers[:], root.level, {name: logging.getLogger(name).level for name in _LIBRARIES}

    def restore():
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
        for name, old in saved[2].items():
            logging.getLogger(name).setLevel(old)

    context = click.get_current_context(silent=True)
    if context is not None:
        context.call_on_close(restore)
    root.handlers[:] = [_HANDLER]
    root.setLevel(level)
    # Library chatter (pdfminer font warnings, jieba start-up) only with -vv.
    for name in _LIBRARIES:
        logging.getLogger(name).setLevel(logging.DEBUG if verbose >= 2 else logging.ERROR)
    return _HANDLER


def _fail(message: str, code: int = EXIT_BAD_INPUT) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def _fail_for(exc: Exception, path) -> None:
    """The one error line (and exit code) for what reading or writing a dataset raised:
    a missing dataset or edition exits 1, a bad id, schema or path 2."""
    if isinstance(exc, DatasetError):
        _fail(str(exc), EXIT_NO)
    if isinstance(exc, OSError):
        _fail(f"{exc.filename or path}: {exc.strerror or exc}")
    _fail(str(exc))


def _examples(*lines: str) -> str:
    """An --help epilog; \\b keeps click from re-wrapping the lines."""
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)


#: The dataset directory option of every command that reads a built dataset.
DATA = click.option("--data", type=click.Path(path_type=Path), default=Path("extracted"), show_default=True,
                    help="Dataset directory.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, epilog=_examples(
    "python -m pipeline build raw/2023.pdf",
    "python -m pipeline update raw          # what make runs",
    "python -m pipeline editions",
    "python -m pipeline diff 2023 2024 --format markdown > changes.md",
    "python -m pipeline extract \"给予最高500万元奖励\"",
    "",
    "Exit codes: 0 done; 1 dataset or edition missing, or validate found problems;",
    "2 bad input (unreadable file, bad edition id, bad option).",
))
@click.version_option(__version__, "-V", "--version", prog_name="policy-pipeline")
def main() -> None:
    """Turn compiled Chinese policy PDFs into Parquet tables, and diff editions."""


def run(prog_name: str | None = None) -> None:
    """The program's entry point: `main`, then an exit that skips the interpreter's
    teardown. When a command returns, its files are written and closed and its workers
    joined; freeing what is left of a build's heap object by object, and the modules,
    took 0.23 s more before the shell had its prompt back (500-page bench file).
    Tests call `main` (CliRunner), which exits as usual."""
    try:
        main(prog_name=prog_name)
        code = 0
    except SystemExit as exc:
        code = exc.code
    if isinstance(code, str):       # sys.exit("message"): printed, exit status 1
        print(code, file=sys.stderr)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):   # a closed pipe (| head): nothing more to say
            pass
    logging.shutdown()
    os._exit(code or 0)


# ---------------------------------------------------------------- build

@main.command(epilog=_examples(
    "python -m pipeline build raw/2023.pdf",
    "python -m pipeline build scan.pdf --edition 2024 --out /tmp/data --no-ocr",
    "python -m pipeline build raw/2023.pdf --json -q | jq .rows.amounts",
    "python -m pipeline build raw/                          # a corpus: every source its own edition",
    "python -m pipeline build corpus/ --scheduler tcp://10.0.0.5:8786 --out /shared/data",
))
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--edition", help="Edition id: ASCII letters, digits, '.', '_', '-' "
                                "(default: the file's stem, spaces as '-'). Only with one SOURCE.")
@click.option("--out", type=click.Path(path_type=Path), default=Path("extracted"), show_default=True,
              help="Dataset directory; tables go to OUT/<table>/<ID>/.")
@click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True,
              help="Worker processes for reading pages, segmentation and extraction (1: none, all in this one); "
                   "with --scheduler local: cluster worker processes.")
@click.option("--no-ocr", "no_ocr", is_flag=True,
              help="Do not OCR image-only pages (they stay without text). OCR results are cached "
                   "in .cache/ocr, or $POLICY_PIPELINE_CACHE/ocr.")
@click.option("--reader", type=click.Choice(["pdfium", "pdfplumber"]), default="pdfium", show_default=True,
              help="PDF character reader: pdfium (fast) or pdfplumber (the reference).")
@click.option("--scheduler", envvar="DASK_SCHEDULER_ADDRESS", metavar="ADDRESS",
              help="Build on a Dask cluster: tcp://host:8786, or 'local' for one on this machine. "
                   "Default: $DASK_SCHEDULER_ADDRESS; unset = build here. See docs/corpus.md.")
@click.option("--force", is_flag=True, help="Rebuild editions already built from the same bytes and version.")
@click.option("--built-at", "built_at", metavar="ISO-TIME",
              help="editions.built_at for every edition (default: now, or $SOURCE_DATE_EPOCH).")
@click.option("--json", "as_json", is_flag=True, help="Print the result (edition, rows per table) as JSON on stdout.")
@click.option("-q", "--quiet", is_flag=True, help="No progress and no warnings; errors only.")
@click.option("-v", "--verbose", count=True, help="-v: progress details; -vv: library debug output.")
def build(sources: tuple[Path, ...], edition: str | None, out: Path, workers: int, no_ocr: bool, reader: str,
          scheduler: str | None, force: bool, built_at: str | None, as_json: bool, quiet: bool,
          verbose: int) -> None:
    """Run every stage on each SOURCE (a PDF, a flipbook text export, or a folder of them).

    One file named alone is always built. A folder or several files is a corpus:
    each source its own edition, one line each, and those already built from the same
    bytes by this pipeline version are skipped.
    """
    import os

    from .corpus import build_time

    _setup_logging(verbose, quiet)
    try:
        stamp = build_time(built_at, os.environ)
    except ValueError as exc:
        _fail(f"--built-at {built_at}: {exc}")
    corpus = len(sources) > 1 or sources[0].is_dir()
    if corpus or scheduler:
        if edition:
            folder = next((s for s in sources if s.is_dir()), None)
            _fail(f"{folder}: is a directory; --edition names the edition of one SOURCE file" if folder else
                  f"--edition names the edition of one SOURCE file, not of {len(sources)}")
        from .corpus import build_corpus
        sys.exit(build_corpus(list(sources), out, workers=workers, ocr=not no_ocr, scheduler=scheduler,
                              force=force or not corpus, built_at=stamp, quiet=quiet))
    result = _build_one(sources[0], edition, out, workers, no_ocr, quiet, reader, stamp)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False))


def _build_one(source: Path, edition: str | None, out: Path, workers: int, no_ocr: bool, quiet: bool,
               reader: str = "pdfium", built_at=None) -> dict:
    from .build import build_edition
    from .dataset import check_edition_id, edition_from_name

    handler, start = _HANDLER, _HANDLER.warnings

    try:
        source.name.encode("utf-8")
    except UnicodeEncodeError:   # the editions table records the name: it must be text
        _fail(f"{_shown(source)}: file name is not UTF-8; rename the file")
    try:
        edition = check_edition_id(edition) if edition is not None else edition_from_name(source.stem)
    except EditionIdError as exc:
        _fail(f"{_shown(source)}: {exc}" + ("" if edition else "; pass --edition"))
    show = not quiet and sys.stderr.isatty()
    try:
        from .dataset import check_writable, table_names
        check_writable(out, table_names())     # before the build, not after its minutes
        if show:
            from .sources import source_kind
            total = _page_total(source) if source_kind(source) == "pdf" else None
            with click.progressbar(length=total or 1, label=f"reading {source.name}", file=sys.stderr) as bar:
                handler.bar = bar
                try:
                    counts = build_edition(source, edition, out, workers, progress=bar.update, ocr=not no_ocr,
                                           reader=reader, built_at=built_at)
                finally:
                    handler.bar = None
        else:
            counts = build_edition(source, edition, out, workers, ocr=not no_ocr, reader=reader, built_at=built_at)
    except (InputError, SchemaError, EditionIdError, OutputError) as exc:
        _fail(str(exc))
    except OSError as exc:   # reading the source or writing --out: disk full, no permission, ...
        _fail(f"{exc.filename or source}: {exc.strerror or exc}")
    except KeyboardInterrupt as exc:
        _fail(_interrupted(exc, out, edition), EXIT_INTERRUPTED)
    summary = ", ".join(f"{n} {t}" for t, n in counts.items())
    warnings = handler.warnings - start
    warned = f" ({warnings} warning{'s' * (warnings != 1)} above)" if warnings else ""
    if not quiet:   # the one closing summary
        click.echo(f"{edition}: {summary} -> {out}{warned}", err=True)
    return {"edition": edition, "source": str(source), "out": str(out), "rows": counts, "warnings": warnings}


def _interrupted(exc: KeyboardInterrupt, out: Path, edition: str) -> str:
    """What an interrupted build left: dataset.write_edition says whether the switch to
    the new partitions had begun (then it was finished); before that nothing changed."""
    if getattr(exc, "replaced", False):
        return f"interrupted; {out}: edition {edition} was already written and is the new build"
    return f"interrupted; {out}: edition {edition} left as it was before this build"


def _shown(path: Path) -> str:
    return str(path).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _page_total(source: Path) -> int:
    from .sources.pdf import page_count
    return page_count(source)


# ---------------------------------------------------------------- update (what make runs)

@main.command(epilog=_examples(
    "python -m pipeline update                 # raw/ -> extracted/",
    "python -m pipeline update ~/pdfs --out ~/policy-data",
))
@click.argument("raw_dir", type=click.Path(path_type=Path), default=Path("raw"))
@click.option("--out", type=click.Path(path_type=Path), default=Path("extracted"), show_default=True)
@click.option("--workers", type=int, default=2, show_default=True)
@click.option("--no-ocr", "no_ocr", is_flag=True, help="Do not OCR image-only pages.")
@click.option("-q", "--quiet", is_flag=True, help="No progress and no warnings; errors only.")
@click.option("-v", "--verbose", count=True)
def update(raw_dir: Path, out: Path, workers: int, no_ocr: bool, quiet: bool, verbose: int) -> None:
    """Bring OUT up to date with RAW_DIR: build each source (*.pdf, *.PDF, *.txt, any file
    name) whose bytes or pipeline changed, and remove the editions of deleted sources.

    A text export named <stem>-<variant>.txt beside <stem>.pdf is the same compilation
    from a second source: it is left out, so that no sum over OUT counts it twice."""
    from . import update as sync

    _setup_logging(verbose, quiet)
    if not raw_dir.is_dir():
        _fail(f"{raw_dir}: not a directory")
    for old in sync.drop_old_layout(out):
        log.info("removed %s (layout of dataset format 1)", old)
    plan = sync.plan(raw_dir, out)
    for name, reason in plan.skipped:
        log.info("%s: skipped (%s)", name, reason)
    failed = [name for name, _ in plan.refused]
    for name, reason in plan.refused:
        click.echo(f"error: {raw_dir / name if ' and ' not in name else name}: {reason}", err=True)
    for edition in plan.remove:
        sync.remove(out, edition)
        log.info("removed edition %s: its source is gone from %s", edition, raw_dir)
    for source, edition in plan.build:
        try:   # one bad file must not stop the good ones: its one error line, then the next
            _build_one(source, edition, out, workers, no_ocr, quiet)
        except SystemExit as exc:
            if exc.code in (0, None, EXIT_INTERRUPTED):
                raise
            failed.append(source.name)
            continue
        sync.stamp(out, source, edition)
    if failed:
        _fail(f"{raw_dir}: {len(failed)} source(s) not built: {', '.join(failed)}")
    if not (plan.build or plan.remove) and not quiet:
        click.echo(f"{out}: up to date ({len(plan.current)} edition(s))", err=True)


# ---------------------------------------------------------------- editions

@main.command(epilog=_examples("python -m pipeline editions", "python -m pipeline editions --data /tmp/data --json"))
@DATA
@click.option("--json", "as_json", is_flag=True, help="One JSON list on stdout.")
def editions(data: Path, as_json: bool) -> None:
    """List the editions in a dataset: source file, kind, pages, rows per table, build time."""
    from . import dataset

    names = dataset.editions_in(data)
    if not names:
        _fail(f"{data}: no built edition (build one: python -m pipeline build FILE --out {data})", EXIT_NO)
    rows = []
    for name in names:
        try:
            info = dataset.check_edition(data, name)
        except DatasetError as exc:
            _fail(str(exc), EXIT_NO)
        rows.append({"edition": name, "source_file": info["source_file"], "source_kind": info["source_kind"],
                     "page_count": info["page_count"], "pipeline_version": info["pipeline_version"],
                     "built_at": info["built_at"].isoformat(),
                     "rows": {r["table"]: r["rows"] for r in info["row_counts"]}})
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    tables = ["documents", "sections", "amounts", "percentages", "dates", "responsibilities"]
    header = ["edition", "source", "kind", "pages", *tables, "built"]
    lines = [header] + [[r["edition"], r["source_file"], r["source_kind"], str(r["page_count"]),
                         *(str(r["rows"].get(t, "")) for t in tables), r["built_at"]] for r in rows]
    click.echo(_plain_table(lines))


def _plain_table(lines: list[list[str]]) -> str:
    """Columns padded to width (CJK counts double), as sqlite-utils prints them."""
    import unicodedata

    def width(s: str) -> int:
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)

    widths = [max(width(line[i]) for line in lines) for i in range(len(lines[0]))]
    out = []
    for j, line in enumerate(lines):
        out.append("  ".join(cell + " " * (w - width(cell)) for cell, w in zip(line, widths)).rstrip())
        if j == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


# ---------------------------------------------------------------- extract

@main.command(epilog=_examples(
    "python -m pipeline extract \"给予最高500万元奖励\"",
    "echo \"自2021年8月23日起施行\" | python -m pipeline extract --json",
    "python -m pipeline extract --table amounts < clause.txt",
    "python -m pipeline extract --data extracted --edition 2023   # rerun over a built edition",
))
@click.argument("text", required=False)
@click.option("--table", "only", multiple=True, help="Only these finders (amounts, quantities, percentages, "
                                                     "dates, responsibilities); repeatable.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object {table: [rows]} on stdout.")
@click.option("--data", type=click.Path(path_type=Path),
              help="With --edition: the dataset directory holding the built edition [default: extracted].")
@click.option("--edition", help="Redo segmentation and extraction of this built edition (after a rule change).")
@click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True,
              help="With --edition: worker processes (1: none, all in this one).")
@click.option("-q", "--quiet", is_flag=True, help="With --edition: no summary and no warnings; errors only.")
def extract(text: str | None, only: tuple[str, ...], as_json: bool, data: Path | None, edition: str | None,
            workers: int, quiet: bool) -> None:
    """The rows every finder returns for TEXT (or standard input), without building a
    dataset: try a rule on a sentence. Offsets are into TEXT.

    With --edition, rerun segmentation and extraction of a built edition from its
    sections and pages tables instead, and rewrite those tables (and the documents'
    dates) all or nothing."""
    if edition is not None or data is not None:
        _rerun_extraction(data or Path("extracted"), edition, workers, quiet)
        return
    from .extract import FINDERS

    if text is None:
        if sys.stdin.isatty():
            _fail("give TEXT, or pipe it on standard input")
        text = sys.stdin.read()
    unknown = set(only) - set(FINDERS)
    if unknown:
        _fail(f"--table: unknown finder(s) {', '.join(sorted(unknown))} (known: {', '.join(FINDERS)})")
    found = {name: finder(text) for name, finder in FINDERS.items() if not only or name in only}
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False, indent=1, default=str))
        return
    for name, rows in found.items():
        click.echo(f"{name}: {len(rows)}")
        if rows:
            columns = list(rows[0])
            click.echo(_plain_table([columns] + [["" if r.get(c) is None else str(r.get(c)) for c in columns]
                                                 for r in rows]))
        click.echo("")


def _rerun_extraction(data: Path, edition: str | None, workers: int, quiet: bool) -> None:
    from .build import extract_edition

    _setup_logging(0, quiet)
    if edition is None:
        _fail("extract: give --edition EDITION (and --data DIR) to redo a built edition")
    try:
        counts = extract_edition(data, edition, workers)
    except (DatasetError, SchemaError, OutputError) as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"{exc.filename or data}: {exc.strerror or exc}")
    except KeyboardInterrupt as exc:
        _fail(_interrupted(exc, data, edition), EXIT_INTERRUPTED)
    if not quiet:
        click.echo(f"{edition}: {', '.join(f'{n} {t}' for t, n in counts.items())} -> {data}", err=True)


# ---------------------------------------------------------------- docs, validate, diff

@main.command(epilog=_examples("python -m pipeline docs", "python -m pipeline docs --check   # exit 1 if stale",
                               "python -m pipeline docs --examples-from extracted --edition 2023"))
@click.option("--out", type=click.Path(path_type=Path), default=Path("docs/data-dictionary.md"), show_default=True)
@click.option("--check", is_flag=True, help="Exit 1 if the file is not up to date instead of writing it.")
@click.option("--examples-from", "examples_from", type=click.Path(path_type=Path),
              help="First set the examples in schemas/ from a real row of each table of this dataset.")
@click.option("--edition", "example_edition", default="2023", show_default=True,
              help="The edition --examples-from takes rows from.")
def docs(out: Path, check: bool, examples_from: Path | None, example_edition: str) -> None:
    """Write the data dictionary generated from schemas/."""
    from .datadict import data_dictionary, refresh_examples

    if examples_from is not None:
        try:
            from .dataset import check_edition
            check_edition(examples_from, example_edition)
        except DatasetError as exc:
            _fail(str(exc), EXIT_NO)
        tables = refresh_examples(examples_from, example_edition)
        click.echo(f"examples of {len(tables)} table(s) taken from {examples_from}/{example_edition}", err=True)

    text = data_dictionary()
    if check:
        current = out.read_text("utf-8") if out.exists() else ""
        if current != text:
            _fail(f"{out} is out of date with schemas/; run: python -m pipeline docs", EXIT_NO)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, "utf-8")
    click.echo(f"wrote {out}", err=True)


@main.command(epilog=_examples("python -m pipeline validate", "python -m pipeline validate --data /tmp/data --json"))
@DATA
@click.option("--json", "as_json", is_flag=True, help='{"data", "valid", "editions", "problems"} on stdout.')
def validate(data: Path, as_json: bool) -> None:
    """Check every partition against schemas/: types, required columns, enums, unique keys,
    foreign keys. Exit 1 when there is any problem (or no dataset)."""
    from .dataset import editions_in
    from .dataset import validate as check

    problems = check(data)
    if not editions_in(data) and not as_json:
        _fail(problems[0], EXIT_NO)          # no dataset at all: one error line, as elsewhere
    if as_json:
        click.echo(json.dumps({"data": str(data), "valid": not problems, "editions": editions_in(data),
                               "problems": problems}, ensure_ascii=False, indent=1))
    else:
        for line in problems:
            click.echo(line)
    if problems:
        click.echo(f"{len(problems)} problem(s) in {data}", err=True)
        sys.exit(EXIT_NO)
    click.echo(f"{data}: valid", err=True)


@main.command(epilog=_examples(
    "python -m pipeline diff 2023 2024",
    "python -m pipeline diff 2023 2024 --format markdown > changes.md",
    "python -m pipeline diff 2023 2024 --out changes.parquet --format json > changes.json",
))
@click.argument("old")
@click.argument("new")
@DATA
@click.option("--out", "out_file", type=click.Path(path_type=Path), help="Also write the changes table as Parquet.")
@click.option("--format", "fmt", type=click.Choice(["table", "markdown", "json"]), default="table", show_default=True)
@click.option("--exit-code", "exit_code", is_flag=True, help="Exit 1 when there are changes, 0 when none (as git diff).")
def diff(old: str, new: str, data: Path, out_file: Path | None, fmt: str, exit_code: bool) -> None:
    """What changed from edition OLD to edition NEW, grouped by document."""
    from . import dataset
    from .diff import TABLES, Edition, diff_editions, summary_line, to_markdown, to_rich

    _setup_logging(0, False)
    try:
        for name in (old, new):
            dataset.check_edition_id(name)
        if out_file is not None and out_file.is_dir():
            _fail(f"{out_file}: is a directory; --out names the Parquet file to write")
        if out_file is not None and not out_file.parent.is_dir():
            _fail(f"{out_file}: no folder {out_file.parent} to write it in")
        editions = []
        for name in (old, new):
            dataset.check_edition(data, name)
            rows = {t: dataset.read_rows(data, t, name) for t in TABLES}   # missing, unreadable: one line
            # diff validates what it reads: a broken partition is an error, not "no change"
            problems = dataset.validate_edition(data, name, [*TABLES, "editions"])
            if problems:
                more = f" (and {len(problems) - 1} more problem(s): python -m pipeline validate --data {data})"
                raise DatasetError(f"{data / problems[0]}" + (more if len(problems) > 1 else ""))
            editions.append(Edition(name, rows))
        changes = diff_editions(*editions)
        if out_file:
            table = dataset.to_arrow("changes", changes)
            tmp = out_file.with_name(f".{out_file.name}.tmp")
            import pyarrow.parquet as pq
            pq.write_table(table, tmp)
            tmp.replace(out_file)
    except (EditionIdError, SchemaError, DatasetError, OSError) as exc:
        _fail_for(exc, out_file)
    if fmt == "json":   # stdout stays one JSON array; the summary line goes to stderr
        click.echo(json.dumps(changes, ensure_ascii=False, indent=1, default=str))
        click.echo(f"{old} → {new}: {summary_line(changes)}", err=True)
    elif fmt == "markdown":
        click.echo(to_markdown(changes, old, new))
    else:
        from rich.console import Console
        to_rich(changes, old, new, Console())
    if exit_code and changes:
        sys.exit(1)


# ---------------------------------------------------------------- incentives and evidence

@main.command(epilog=_examples(
    "python -m pipeline incentives --on 2024-06-01",
    "python -m pipeline incentives --on 2024-06-01 --edition 2023 --json",
))
@click.option("--on", "on", required=True, help="The day (YYYY-MM-DD): list the incentives that applied then.")
@click.option("--edition", help="Edition id (default: every built edition).")
@DATA
@click.option("--json", "as_json", is_flag=True, help="JSON rows instead of a table.")
def incentives(on: str, edition: str | None, data: Path, as_json: bool) -> None:
    """The incentives in force on a day: in effect by then and not expired before it.

    A document with no expiry date stays listed; its `expiry_stated` says whether none is
    stated or none was found.
    """
    import datetime as dt

    from . import dataset
    from .incentives import in_force

    _setup_logging(0, False)
    try:
        day = dt.date.fromisoformat(on)
    except ValueError:
        _fail(f"--on {on!r}: not a date (YYYY-MM-DD)")
    try:
        editions = [edition] if edition else dataset.editions_in(data)
        if not editions:
            raise DatasetError(f"{data}: no built edition")
        rows = []
        for name in editions:
            dataset.check_edition(data, name)
            rows += in_force(dataset.read_rows(data, "incentives", name), day)
    except (EditionIdError, SchemaError, DatasetError) as exc:
        _fail_for(exc, data)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1, default=str))
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(title=f"Incentives in force on {day} ({len(rows)})", title_justify="left")
        for column in ("edition", "document", "clause", "category", "rate", "cap", "amount", "lead", "expiry"):
            table.add_column(column, overflow="fold")
        for r in rows:
            rate = f"{r['rate_text']} of {r['rate_base']}" if r["rate_text"] and r["rate_base"] else r["rate_text"]
            table.add_row(r["edition"], f"{r['doc_seq'] or ''} {r['doc_title'] or r['doc_id']}",
                          f"{r['clause_path']} {r['clause_title'] or ''}", r["category"] or "", rate or "",
                          r["cap_text"] or "", r["amount_text"] or r["per_unit_text"] or "",
                          "、".join(r["lead_departments"] or r["responsible_departments"]),
                          str(r["expiry_date"]) if r["expiry_date"] else r["expiry_stated"])
        Console().print(table)
    click.echo(f"{len(rows)} incentive(s) in force on {day}", err=True)


@main.command(epilog=_examples(
    "python -m pipeline evidence 2023 '杭政办函〔2021〕39号/二/(五)' 0 --out amount.html",
    "python -m pipeline evidence 2023 '杭政办函〔2021〕39号/二/(五)' 0 --table percentages --out p.png",
))
@click.argument("edition")
@click.argument("section_id")
@click.argument("mention_index", type=int)
@click.option("--table", "table_name", type=click.Choice(["amounts", "percentages", "dates", "responsibilities",
                                                          "quantities"]), default="amounts", show_default=True)
@DATA
@click.option("--pdf", "pdf_path", type=click.Path(path_type=Path),
              help="The edition's source PDF (default: its source_file in raw/ or the current directory).")
@click.option("--out", "out_file", type=click.Path(path_type=Path), required=True,
              help="FILE.html (page image beside the sentence) or FILE.png (the highlighted page).")
def evidence(edition: str, section_id: str, mention_index: int, table_name: str, data: Path,
             pdf_path: Path | None, out_file: Path) -> None:
    """Show one mention row as evidence: its page with the mention highlighted, and its sentence."""
    from . import dataset
    from .evidence import evidence_html, render_page

    _setup_logging(0, False)
    try:
        info = dataset.check_edition(data, edition)
        rows = [r for r in dataset.read_rows(data, table_name, edition)
                if r["section_id"] == section_id and r["mention_index"] == mention_index]
        if not rows:
            raise DatasetError(f"{data}: no {table_name} row {section_id!r} #{mention_index} in edition {edition!r}")
        row = rows[0]
        if info.get("source_kind") != "pdf":
            _fail(f"edition {edition!r} was built from a {info.get('source_kind')} source: no page to show")
        if pdf_path is not None and not pdf_path.exists():
            _fail(f"{pdf_path}: no such file")
        pdf_path = pdf_path or next((p for p in (Path("raw") / info["source_file"], Path(info["source_file"]))
                                     if p.exists()), None)
        if pdf_path is None:
            raise DatasetError(f"{info['source_file']}: source PDF not found in raw/ or here; pass --pdf")
        image = render_page(pdf_path, row["page"], row["boxes"])
        tmp = out_file.with_name(f".{out_file.name}.tmp")
        if out_file.suffix.lower() == ".png":
            image.save(tmp, format="PNG")
        else:
            tmp.write_text(evidence_html(row, image, f"{edition} {table_name} {section_id} #{mention_index}"), "utf-8")
        tmp.replace(out_file)
    except (EditionIdError, SchemaError, DatasetError, OSError) as exc:
        _fail_for(exc, out_file)
    if not row["boxes"]:
        click.echo(f"warning: {section_id} #{mention_index} has no boxes (not located on page {row['page']})", err=True)
    click.echo(f"wrote {out_file} (page {row['page']}, {len(row['boxes'])} box(es))", err=True)
