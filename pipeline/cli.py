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
@click.argument("source", type=click.Path(path_type=Path))
@click.option("--edition", help="Edition id (default: the file's stem).")
@click.option("--out", type=click.Path(path_type=Path), default=Path("extracted"), show_default=True,
              help="Dataset directory; tables go to OUT/<table>/edition=<ID>/.")
@click.option("--workers", type=int, default=2, show_default=True, help="Processes reading PDF pages.")
@click.option("--no-ocr", "no_ocr", is_flag=True,
              help="Do not OCR image-only pages (they stay without text). OCR results are cached "
                   "in .cache/ocr, or $POLICY_PIPELINE_CACHE/ocr.")
@click.option("-q", "--quiet", is_flag=True, help="No progress and no warnings; errors only.")
@click.option("-v", "--verbose", count=True, help="-v: progress details; -vv: library debug output.")
def build(source: Path, edition: str | None, out: Path, workers: int, no_ocr: bool, quiet: bool,
          verbose: int) -> None:
    """Run every stage on SOURCE (a PDF or a flipbook text export)."""
    from .build import build_edition

    _setup_logging(verbose, quiet)
    edition = edition or source.stem
    show = not quiet and sys.stderr.isatty()
    try:
        if show:
            from .sources import source_kind
            total = _page_total(source) if source_kind(source) == "pdf" else None
            with click.progressbar(length=total or 1, label=f"reading {source.name}", file=sys.stderr) as bar:
                counts = build_edition(source, edition, out, workers, progress=bar.update, ocr=not no_ocr)
        else:
            counts = build_edition(source, edition, out, workers, ocr=not no_ocr)
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
@click.option("--exit-code", "exit_code", is_flag=True, help="Exit 1 when there are changes, 0 when none (as git diff).")
def diff(old: str, new: str, data: Path, out_file: Path | None, fmt: str, exit_code: bool) -> None:
    """What changed from edition OLD to edition NEW, grouped by document."""
    import json as jsonlib

    from . import dataset
    from .diff import TABLES, Edition, diff_editions, summary_line, to_markdown, to_rich

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
    if fmt == "json":   # stdout stays one JSON array; the summary line goes to stderr
        click.echo(jsonlib.dumps(changes, ensure_ascii=False, indent=1, default=str))
        click.echo(f"{old} → {new}: {summary_line(changes)}", err=True)
    elif fmt == "markdown":
        click.echo(to_markdown(changes, old, new))
    else:
        from rich.console import Console
        to_rich(changes, old, new, Console())
    if exit_code and changes:
        sys.exit(1)


# ---------------------------------------------------------------- issue 14: incentives and evidence

@main.command()
@click.option("--on", "on", required=True, help="The day (YYYY-MM-DD): list the incentives that applied then.")
@click.option("--edition", help="Edition id (default: every built edition).")
@click.option("--data", type=click.Path(path_type=Path), default=Path("extracted"), show_default=True)
@click.option("--json", "as_json", is_flag=True, help="JSON rows instead of a table.")
def incentives(on: str, edition: str | None, data: Path, as_json: bool) -> None:
    """The incentives in force on a day: in effect by then and not expired before it.

    A document with no expiry date stays listed; its `expiry_stated` says whether none is
    stated or none was found.
    """
    import datetime as dt
    import json as jsonlib

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
    except (DatasetError, SchemaError) as exc:
        _fail(str(exc))
    if as_json:
        click.echo(jsonlib.dumps(rows, ensure_ascii=False, indent=1, default=str))
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


@main.command()
@click.argument("edition")
@click.argument("section_id")
@click.argument("mention_index", type=int)
@click.option("--table", "table_name", type=click.Choice(["amounts", "percentages", "dates", "responsibilities",
                                                          "quantities"]), default="amounts", show_default=True)
@click.option("--data", type=click.Path(path_type=Path), default=Path("extracted"), show_default=True)
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
            raise DatasetError(f"edition {edition!r} was built from a {info.get('source_kind')} source: no page to show")
        if pdf_path is not None and not pdf_path.exists():
            raise DatasetError(f"{pdf_path}: no such file")
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
    except (DatasetError, SchemaError) as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"{exc.filename or out_file}: {exc.strerror or exc}")
    if not row["boxes"]:
        click.echo(f"warning: {section_id} #{mention_index} has no boxes (not located on page {row['page']})", err=True)
    click.echo(f"wrote {out_file} (page {row['page']}, {len(row['boxes'])} box(es))", err=True)
