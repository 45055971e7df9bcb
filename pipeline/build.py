"""Run the stages for one source and write the edition's tables atomically.

Stages meet at tables: read -> `pages` rows -> structure -> `documents` and `sections`
rows -> segment (`sentences`, `tokens`) and extract (amounts, …) from those rows. So
segmentation and extraction also rerun alone from a built dataset (`extract_edition`).
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator

from . import DATASET_FORMAT, __version__, dataset, patterns, segment
from .evidence import MENTION_TABLES, PageStore, add_boxes
from .incentives import incentives_table
from .pages import pages_rows
from .purpose import add_purpose
from .sources import PageSpill, file_sha256, page_heads, read_pages
from . import tables as ruled
from .structure import document_dates, structure_rows
from .workers import Pool

log = logging.getLogger(__name__)

#: The tables `extract_edition` rewrites.
TEXT_TABLES = ("amounts", "quantities", "percentages", "dates", "responsibilities", "sentences", "tokens")

#: The tables `build_edition` writes besides `editions`, in the order of its row counts.
BUILT_TABLES = ("pages", "documents", "sections", *TEXT_TABLES, "tables", "table_cells", "incentives")


def build_edition(source: Path, edition: str, out: Path, workers: int = 2, progress=None,
                  ocr: bool = True, reader: str = "pdfium", built_at: datetime | None = None) -> dict[str, int]:
    """Build all tables of one edition with `workers` processes; returns row counts per table.
    `built_at` (default: now) lets a corpus build stamp every edition alike, and reproducibly.

    The edition streams through the stages a batch of documents at a time, so the
    parent holds a few batches, not the edition: pages wait on disk (PageSpill), their
    rows are written as structure reads them, each batch's sections go to the workers
    as soon as structure has made them, and its rows are finished and written when the
    workers hand them back (dataset.EditionWriter.append). An edition with ruled tables
    is one batch: a cell's mentions are numbered across the edition."""
    import pyarrow as pa

    # Tables are written a part at a time, each part let go once written. Arrow's own
    # allocator (mimalloc) keeps what it frees, the system's gives it back: with both,
    # writing added 70 MB to the 5,000-page parent's peak, not 140.
    pa.set_memory_pool(pa.system_memory_pool())
    spill = PageSpill()     # the pages wait on disk as they are read, not in this process
    document = None         # the source opened once by pypdfium2, for add_boxes
    written: dict[str, int] = {}
    with dataset.EditionWriter(out, edition, dataset.table_names()) as writer:
        def append(name: str, rows) -> None:
            written[name] = written.get(name, 0) + _length(rows)
            writer.append(name, rows)

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
                printed = PageStore(raw_pages)   # read by add_boxes from the spill, a page at a time
                pages = PageFacts()
                rows = pages.written(pages_rows(raw_pages, edition, str(source)), append, str(source))
                batches = document_batches(structure_rows(rows, edition, str(source)),
                                           float("inf") if regions else BATCH_TEXT)
                pdf_source = source if kind == "pdf" else None
                document = _open_pdf(pdf_source)
                for batch in extracted(batches, pool, edition, pages.ocr, append):
                    if regions:
                        for name, found in ruled.edition_tables(regions, batch["sections"], edition, batch).items():
                            batch[name] = [*batch.get(name, []), *found]
                    add_boxes(batch, pdf_source, printed, document)     # each mention's boxes on its page
                    _finish(batch, str(source), pages.printed)
                    for name in list(batch):
                        append(name, batch.pop(name))
        finally:
            spill.close()
            if document is not None:
                document.close()
        for name in BUILT_TABLES:      # an edition without documents still has every table
            if name not in written:
                append(name, [])
        counts = {name: written[name] for name in BUILT_TABLES}
        dataset.give_back_memory()
        writer.add("editions", [{
            "edition": edition, "source_file": source.name, "source_sha256": file_sha256(source),
            "source_kind": kind, "page_count": written["pages"], "pipeline_version": __version__,
            "dataset_format": DATASET_FORMAT, "built_at": (built_at or datetime.now(timezone.utc)).replace(microsecond=0),
            "row_counts": [{"table": t, "rows": n} for t, n in counts.items()],
        }])
        writer.commit()
    return counts


#: Pages rows converted and written at a time.
PAGES_PER_WRITE = 256


class PageFacts:
    """What the later stages need of every page once its row is written: its printed
    page number (incentives) and whether OCR read it (extraction)."""

    def __init__(self):
        self.printed: dict[int, int | None] = {}
        self.ocr: set[int] = set()

    def written(self, rows: Iterator[dict], append, source: str) -> Iterator[dict]:
        """`rows` passed on to structure, and written (`append`) a few hundred at a time."""
        held, any_text = [], False
        for row in rows:
            self.printed[row["page"]] = row["printed_page"]
            if row["ocr"]:
                self.ocr.add(row["page"])
            any_text = any_text or bool(row["text"])
            held.append(row)
            yield row
            if len(held) >= PAGES_PER_WRITE:
                held = self._write(held, append, source)
        self._write(held, append, source)
        if not any_text:
            log.warning("%s: no page has any text", source)

    @staticmethod
    def _write(rows: list[dict], append, source: str) -> list[dict]:
        drop_unfit_values({"pages": rows}, source)
        append("pages", rows)
        return []


#: Characters of section text per batch of documents (~300 pages): a batch of one short
#: document cost ~10 ms of steps and writes, more than the workers spent on it.
BATCH_TEXT = 200_000

#: Batches handed to the workers ahead of the one the parent is finishing.
BATCHES_AHEAD = 2


def document_batches(documents: Iterable[tuple], most_text: float) -> Iterator[dict]:
    """structure_rows' documents as batches of `documents` and `sections` rows, each
    closed at the first document after `most_text` characters of sections that no
    document of it prints: a notice and the 办法 it publishes are finished together
    (document_dates fills the 办法's dates from the notice's)."""
    batch: dict[str, list[dict]] = {"documents": [], "sections": []}
    text = 0
    for doc_row, sections, _ in documents:
        if text >= most_text and doc_row["parent_doc_id"] is None:
            yield batch
            batch, text = {"documents": [], "sections": []}, 0
        batch["documents"].append(doc_row)
        batch["sections"] += sections
        text += sum(len(s["text"]) for s in sections)
    if batch["documents"]:
        yield batch


def extracted(batches: Iterable[dict], pool: Pool, edition: str, ocr_pages: set[int], append) -> Iterator[dict]:
    """Each batch with the rows of every extraction table, in order. A batch's chunks go
    to the workers as soon as it is made, up to BATCHES_AHEAD batches before the one
    being finished; its sentences and tokens are written (`append`) as they come back."""
    from collections import deque

    from .extract import TABLES, extraction_chunks

    pending: deque = deque()

    def finished() -> dict:
        batch, results = pending.popleft()
        found: dict[str, list[dict]] = {name: [] for name in TABLES}
        for (sentences, n), (tokens, m), rows in results:
            append("sentences", dataset.Packed("sentences", [sentences], n))
            append("tokens", dataset.Packed("tokens", [tokens], m))
            for name, part in rows.items():
                found[name] += part
        return {**batch, **found}

    for batch in batches:
        chunks = extraction_chunks(batch["sections"], frozenset(ocr_pages), edition, pool)
        pending.append((batch, pool.map(_text_chunk, chunks)))
        while len(pending) > BATCHES_AHEAD:
            yield finished()
    while pending:
        yield finished()


def _open_pdf(source: Path | None):
    """The source as a pypdfium2 document (None for no PDF, or one pdfium cannot open:
    add_boxes then tries, and reports, itself)."""
    if source is None:
        return None
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(str(source))
    except Exception:
        return None


def _text_chunk(sections: list[dict], edition: str, clauses: dict, ocr_pages: frozenset) -> tuple:
    """Both text stages of one chunk, in a worker: its packed sentences and tokens, and
    its extraction rows. One task, so the chunks come back in the order the parent
    finishes them, and no stage's results wait in memory for the other's."""
    from .extract import extract_rows

    sentences, tokens = segment._segment_chunk(sections, edition)
    return sentences, tokens, extract_rows(sections, edition, clauses, ocr_pages)


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
    """The segment and extract stages, from `sections` and `pages` rows, on one pool, by
    the build's own task (`_text_chunk`): sentences and tokens packed, the rest as rows.
    jieba loads in the workers only (the parent never needs it)."""
    from .extract import TABLES, extraction_chunks

    ocr_pages = frozenset(p["page"] for p in pages if p.get("ocr"))
    sentences, tokens, found = [], [], {name: [] for name in TABLES}
    for sentence_part, token_part, rows in pool.map(_text_chunk, extraction_chunks(sections, ocr_pages, edition, pool)):
        sentences.append(sentence_part)
        tokens.append(token_part)
        for name, part in rows.items():
            found[name] += part
    tables = {"sentences": dataset.Packed.of("sentences", sentences), "tokens": dataset.Packed.of("tokens", tokens),
              **found}
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
