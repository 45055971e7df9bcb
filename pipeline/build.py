"""Run the stages for one source and write the edition's tables atomically.

Stages meet at tables: read -> `pages` rows -> structure -> `documents` and `sections`
rows -> segment (`sentences`, `tokens`) and extract (amounts, …) from those rows. So
segmentation and extraction also rerun alone from a built dataset (`extract_edition`).
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from pathlib import Path

from . import DATASET_FORMAT, __version__, dataset, patterns, segment
from .evidence import MENTION_TABLES, PageStore, add_boxes
from .incentives import incentives_table
from .pages import pages_table
from .purpose import add_purpose
from .sources import PageSpill, file_sha256, page_heads, read_pages
from . import tables as ruled
from .structure import document_dates, structure_tables
from .workers import Pool

log = logging.getLogger(__name__)

#: The tables `extract_edition` rewrites.
TEXT_TABLES = ("amounts", "quantities", "percentages", "dates", "responsibilities", "sentences", "tokens")


def build_edition(source: Path, edition: str, out: Path, workers: int = 2, progress=None,
                  ocr: bool = True, reader: str = "pdfium", built_at: datetime | None = None) -> dict[str, int]:
    """Build all tables of one edition with `workers` processes; returns row counts per table.
    `built_at` (default: now) lets a corpus build stamp every edition alike, and reproducibly.

    Each table is written as soon as it is final (dataset.EditionWriter), so the parent
    never holds them all: `pages` while the workers segment and extract, `sentences`
    and `tokens` as they arrive, the rest at the end; the edition switches at commit."""
    import pyarrow as pa

    # Tables are written one at a time, each let go once written: its memory serves the
    # next one's conversion. Arrow's own allocator (mimalloc) keeps what it frees, the
    # system's gives it back: with both, writing added 70 MB to the 5,000-page parent's
    # peak, not 140 (and nothing with dataset.give_back_memory).
    pa.set_memory_pool(pa.system_memory_pool())
    spill = PageSpill()     # the pages wait on disk as they are read, not in this process
    written: dict[str, int] = {}
    with dataset.EditionWriter(out, edition, dataset.table_names()) as writer:
        def write(name: str, rows) -> None:
            written[name] = _length(rows)
            writer.add(name, rows, release=True)

        try:
            with _pool(workers) as pool:
                # Each worker starts the text stages (segment.warm) as soon as its reading is done.
                kind, raw_pages = read_pages(source, progress=progress, ocr=ocr, pool=pool, reader=reader,
                                             spill=spill, queued=lambda: segment.warm(pool))
                heads = page_heads(raw_pages)
                refused = frozenset(p.page - 1 for p in heads if (p.error or "").startswith("PageTooLarge"))
                regions = _ruled_tables(source, heads, refused) if kind == "pdf" else {}  # kept out of the body
                del heads
                raw_pages = ruled.without_tables(raw_pages, regions)
                pages = pages_table(raw_pages, edition, str(source))
                printed = PageStore(raw_pages)   # read by add_boxes from the spill, a page at a time
                if not any(p["text"] for p in pages):
                    log.warning("%s: no page has any text", source)
                documents, sections = structure_tables(pages, edition, str(source))[:2]   # not its Documents
                pending = submit_text_tables(sections, pages, edition, pool)
                printed_pages = {p["page"]: p["printed_page"] for p in pages}
                drop_unfit_values({"pages": pages}, str(source))
                write("pages", pages)            # while the workers segment and extract
                del pages
                tables = {"documents": documents, "sections": sections, **gather_text_tables(pending)}
            for name in ("sentences", "tokens"):
                write(name, tables.pop(name))
            for name, rows in ruled.edition_tables(regions, sections, edition, tables).items():
                tables[name] = [*tables.get(name, []), *rows]
            add_boxes(tables, source if kind == "pdf" else None, printed)     # each mention's boxes on its page
        finally:
            spill.close()
        del documents, sections
        _finish(tables, str(source), printed_pages)
        counts = {name: written[name] if name in written else _length(tables[name])
                  for name in ("pages", "documents", "sections", *TEXT_TABLES, *tables) if name in written or name in tables}
        tables["editions"] = [{
            "edition": edition, "source_file": source.name, "source_sha256": file_sha256(source),
            "source_kind": kind, "page_count": written["pages"], "pipeline_version": __version__,
            "dataset_format": DATASET_FORMAT, "built_at": (built_at or datetime.now(timezone.utc)).replace(microsecond=0),
            "row_counts": [{"table": t, "rows": n} for t, n in counts.items()],
        }]
        dataset.give_back_memory()
        for name in list(tables):
            write(name, tables.pop(name))
        writer.commit()
    return counts


def _pool(workers: int) -> Pool:
    """The build's pool, with the finders' patterns compiled before its workers are
    forked: from the pattern cache (pipeline.patterns) that costs ~10 ms once here,
    where each worker compiling its own took 0.2 s."""
    from .extract import finders

    finders()
    patterns.save()
    return Pool(workers)


def _ruled_tables(source: Path, raw_pages: list, refused: frozenset[int]) -> dict:
    """The ruled tables of a PDF; none, with a warning, when pdfplumber cannot walk its
    pages (one page's bad dictionary fails its page list): the text is built anyway."""
    try:
        return ruled.find_tables(source, raw_pages, refused)
    except Exception as exc:
        reason = " ".join(str(exc).split())[:120] or type(exc).__name__
        log.warning("%s: ruled tables not read (%s: %s); the text is built without them",
                    source, type(exc).__name__, reason)
        return {}


def _finish(tables: dict, source: str, printed_pages: dict | None = None) -> None:
    """The steps across tables (`across_tables`), with every value fitted to its column
    before them (a figure no column holds must not reach the incentives) and after them
    (the rows they derive)."""
    drop_unfit_values(tables, source)
    across_tables(tables, printed_pages)
    drop_unfit_values(tables, source)


def drop_unfit_values(tables: dict, source: str) -> None:
    """One value no column can hold (a 21-digit 万元 amount) is dropped with a warning
    naming the file and page, one line per table; the rest of the edition is built."""
    for name, rows in tables.items():
        dropped = dataset.fit_to_schema(name, rows)
        if dropped:
            i, column, value = dropped[0]
            page = rows[i].get("page")
            text = rows[i].get("text")
            log.warning("%s: page %s: %s.%s %s does not fit its column, stored as null%s", source, page, name,
                        column, text or value, f" (and {len(dropped) - 1} more)" if len(dropped) > 1 else "")


def extract_edition(data: Path, edition: str, workers: int = 2) -> dict[str, int]:
    """Rerun segmentation and extraction of a built edition from its `sections` and
    `pages` tables (after a rule change), and rewrite those tables and the documents'
    dates, all or nothing.
    The `editions` row keeps its build time; its row counts and pipeline version follow."""
    info = dataset.check_edition(data, edition)
    sections = dataset.read_rows(data, "sections", edition)
    pages = dataset.read_rows(data, "pages", edition)
    previous = {name: dataset.read_rows(data, name, edition) for name in MENTION_TABLES}
    with _pool(workers) as pool:
        tables = text_tables(sections, pages, edition, pool)
    # Mentions read from table cells need the PDF's tables, not the sections: keep them,
    # numbered on after the section's new running-text mentions.
    for name in ruled.CELL_MENTION_TABLES:
        tables[name] += _renumbered([r for r in previous[name] if r.get("table_row") is not None], tables[name])
    # Boxes need the source PDF, which a dataset user may not have: a mention keeps the
    # boxes of the same span in the previous build; a new one has none.
    _carry_boxes(tables, previous)
    tables.update(documents=dataset.read_rows(data, "documents", edition), sections=sections, pages=pages)
    _finish(tables, info["source_file"])
    for name in ("sections", "pages"):
        del tables[name]                      # read, not rewritten
    counts = {name: _length(rows) for name, rows in tables.items()}
    info["row_counts"] = [{"table": r["table"], "rows": counts.get(r["table"], r["rows"])}
                          for r in info["row_counts"]]
    info["pipeline_version"] = __version__
    dataset.write_edition(data, edition, {**tables, "editions": [info]})
    return counts


def across_tables(tables: dict, printed_pages: dict | None = None) -> dict:
    """The steps that read several tables of one edition, in place: conventions stated
    once for a document (下同, 列第一位的为牵头单位) and its issuer's city, the documents'
    dates from the `dates` table, each figure's purpose, and the `incentives` table."""
    tables["responsibilities"] = _resolved(tables["responsibilities"], tables["documents"])
    tables["documents"] = document_dates(tables["documents"], tables["dates"])
    add_purpose(tables["amounts"] + tables["percentages"], tables["sections"])
    tables["incentives"] = incentives_table(tables, printed_pages)
    return tables


def _resolved(responsibilities: list[dict], documents: list[dict]) -> list[dict]:
    """Responsibility rows (in document order) with each document's issuer and carried
    conventions applied (pipeline.extract.responsibilities)."""
    from .extract.responsibilities import apply_conventions, apply_issuer

    # Without an issuer line the title's leading place says whose 市X it is: in
    # 西安市贯彻落实…分工方案 市司法局 is Xi'an's (a title with no place leaves the home city).
    issuer = {d["doc_id"]: d.get("issuer") or d.get("title") for d in documents}
    by_doc: dict[str, list[dict]] = {}
    for row in responsibilities:
        by_doc.setdefault(row["doc_id"], []).append(row)
    return apply_conventions([r for doc_id, rows in by_doc.items() for r in apply_issuer(rows, issuer.get(doc_id))])


def _carry_boxes(tables: dict, previous: dict[str, list[dict]]) -> None:
    def key(r):   # a cell's offsets index its own text: two cells' "区发改局" are both 0-4
        return (r["section_id"], r.get("table"), r.get("table_row"), r.get("table_column"),
                r["char_start"], r["char_end"], r["text"])

    for name in MENTION_TABLES:
        boxes = {key(r): r.get("boxes") or [] for r in previous[name]}
        for row in tables.get(name, []):
            row["boxes"] = boxes.get(key(row), [])


def text_tables(sections: list[dict], pages: list[dict], edition: str, pool: Pool) -> dict:
    """The segment and extract stages, from `sections` and `pages` rows, on one pool.
    jieba loads in the workers only (the parent never needs it)."""
    return gather_text_tables(submit_text_tables(sections, pages, edition, pool))


def submit_text_tables(sections: list[dict], pages: list[dict], edition: str, pool: Pool) -> tuple:
    """Both stages' chunks queued at once, before the parent waits on any: no worker
    idles between the stages (waiting for segmentation first cost ~0.1 s of idle worker)."""
    from .extract import submit_extraction
    from .segment import submit_segments

    return submit_segments(sections, edition, pool), submit_extraction(sections, pages, edition, pool)


def gather_text_tables(pending: tuple) -> dict:
    from .extract import gather_extraction
    from .segment import gather_segments

    segmented, extracted = pending
    tables = {**gather_segments(segmented), **gather_extraction(extracted)}
    return {name: tables[name] for name in TEXT_TABLES}


def _renumbered(kept: list[dict], fresh: list[dict]) -> list[dict]:
    """`kept` rows with mention_index continuing after each section's `fresh` rows."""
    next_index: dict[str, int] = {}
    for row in fresh:
        next_index[row["section_id"]] = max(next_index.get(row["section_id"], 0), row["mention_index"] + 1)
    out = []
    for row in kept:
        index = next_index.get(row["section_id"], 0)
        next_index[row["section_id"]] = index + 1
        out.append({**row, "mention_index": index})
    return out


def _length(rows) -> int:
    return rows.num_rows if hasattr(rows, "num_rows") else len(rows)
