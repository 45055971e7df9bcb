"""Command line: `python -m pipeline --help`. Thin commands over the stages."""
from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from .dataset import DatasetError, SchemaError
from .sources import InputError


def _setup_logging(verbose: int, quiet: bool) -> None:
    level = logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Library chatter (pdfminer font warnings, jieba start-up) only with -vv.
    for name in ("pdfminer", "pdfplumber", "jieba"):
        logging.getLogger(name).setLevel(logging.DEBUG if verbose >= 2 else logging.ERROR)


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Turn compiled Chinese policy PDFs into Parquet tables, and diff editions."""


@main.command()
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--edition", help="Edition id (default: the file's stem). Only with one SOURCE.")
@click.option("--out", type=click.Path(path_type=Path), default=Path("extracted"), show_default=True,
              help="Dataset directory; tables go to OUT/<table>/edition=<ID>/.")
@click.option("--workers", type=int, default=2, show_default=True,
              help="Processes reading PDF pages (with --scheduler local: cluster worker processes).")
@click.option("--no-ocr", "no_ocr", is_flag=True,
              help="Do not OCR image-only pages (they stay without text). OCR results are cached "
                   "in .cache/ocr, or $POLICY_PIPELINE_CACHE/ocr.")
@click.option("--scheduler", envvar="DASK_SCHEDULER_ADDRESS", metavar="ADDRESS",
              help="Build on a Dask cluster: tcp://host:8786, or 'local' for one on this machine. "
                   "Default: $DASK_SCHEDULER_ADDRESS; unset = build here. See docs/corpus.md.")
@click.option("--force", is_flag=True, help="Rebuild editions already built from the same bytes and version.")
@click.option("--built-at", "built_at", metavar="ISO-TIME",
              help="editions.built_at for every edition (default: now, or $SOURCE_DATE_EPOCH).")
@click.option("-q", "--quiet", is_flag=True, help="No progress and no warnings; errors only.")
@click.option("-v", "--verbose", count=True, help="-v: progress details; -vv: library debug output.")
def build(sources: tuple[Path, ...], edition: str | None, out: Path, workers: int, no_ocr: bool,
          scheduler: str | None, force: bool, built_at: str | None, quiet: bool, verbose: int) -> None:
    """Run every stage on each SOURCE (a PDF, a flipbook text export, or a folder of them).

    One file named alone is always built. A folder or several files is a corpus:
    each source its own edition, one line each, and those already built from the same
    bytes by this pipeline version are skipped.
    """
    import os

    from .build import build_edition
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
    source = sources[0]
    edition = edition or source.stem
    show = not quiet and sys.stderr.isatty()
    try:
        if show:
            from .sources import source_kind
            total = _page_total(source) if source_kind(source) == "pdf" else None
            with click.progressbar(length=total or 1, label=f"reading {source.name}", file=sys.stderr) as bar:
                counts = build_edition(source, edition, out, workers, progress=bar.update, ocr=not no_ocr,
                                       built_at=stamp)
        else:
            counts = build_edition(source, edition, out, workers, ocr=not no_ocr, built_at=stamp)
    except (InputError, SchemaError) as exc:
        _fail(str(exc))
    except OSError as exc:   # reading the source or writing --out: disk full, no permission, ...
        _fail(f"{exc.filename or source}: {exc.strerror or exc}")
    except KeyboardInterrupt:
        _fail("interrupted; previous output left as it was")
    summary = ", ".join(f"{n} {t}" for t, n in counts.items())
    logging.getLogger(__name__).info("built edition %s from %s: %s", edition, source, summary)
    if not quiet:
        click.echo(f"{edition}: {summary} -> {out}", err=True)


def _page_total(source: Path) -> int:
    from .sources.pdf import page_count
    return page_count(source)


@main.command()
@click.option("--out", type=click.Path(path_type=Path), default=Path("docs/data-dictionary.md"), show_default=True)
@click.option("--check", is_flag=True, help="Exit 1 if the file is not up to date instead of writing it.")
def docs(out: Path, check: bool) -> None:
    """Write the data dictionary generated from schemas/."""
    from .datadict import data_dictionary

    text = data_dictionary()
    if check:
        current = out.read_text("utf-8") if out.exists() else ""
        if current != text:
            _fail(f"{out} is out of date with schemas/; run: python -m pipeline docs")
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, "utf-8")
    click.echo(f"wrote {out}", err=True)


@main.command()
@click.option("--data", type=click.Path(path_type=Path), default=Path("extracted"), show_default=True,
              help="Dataset directory.")
def validate(data: Path) -> None:
    """Check every partition against schemas/: types, required columns, unique keys, foreign keys."""
    from .dataset import validate as check

    problems = check(data)
    for line in problems:
        click.echo(line)
    if problems:
        click.echo(f"{len(problems)} problem(s) in {data}", err=True)
        sys.exit(1)
    click.echo(f"{data}: valid", err=True)


@main.command()
@click.argument("old")
@click.argument("new")
@click.option("--data", type=click.Path(path_type=Path), default=Path("extracted"), show_default=True,
              help="Dataset directory holding both editions.")
@click.option("--out", "out_file", type=click.Path(path_type=Path), help="Also write the changes table as Parquet.")
@click.option("--format", "fmt", type=click.Choice(["table", "markdown", "json"]), default="table", show_default=True)
def diff(old: str, new: str, data: Path, out_file: Path | None, fmt: str) -> None:
    """What changed from edition OLD to edition NEW, grouped by document."""
    import json as jsonlib

    from . import dataset
    from .diff import TABLES, Edition, diff_editions, to_markdown, to_rich

    _setup_logging(0, False)
    try:
        editions = []
        for name in (old, new):
            dataset.check_edition(data, name)
            editions.append(Edition(name, {t: dataset.read_rows(data, t, name) for t in TABLES}))
        changes = diff_editions(*editions)
        if out_file:
            table = dataset.to_arrow("changes", changes)
            tmp = out_file.with_name(f".{out_file.name}.tmp")
            import pyarrow.parquet as pq
            pq.write_table(table, tmp)
            tmp.replace(out_file)
    except (DatasetError, SchemaError) as exc:
        _fail(str(exc))
    if fmt == "json":
        click.echo(jsonlib.dumps(changes, ensure_ascii=False, indent=1, default=str))
    elif fmt == "markdown":
        click.echo(to_markdown(changes, old, new))
    else:
        from rich.console import Console
        to_rich(changes, old, new, Console())
