"""The extract stage: section text -> amounts, quantities, percentages, dates,
responsibilities, plus the sentences and tokens tables.

Each finder is a pure function from one section's joined text to mentions with
character spans; this module only adds provenance (edition, document, section,
clause, page, sentence, OCR flag). Extraction runs on the joined text, before and
independently of jieba, which would split numbers apart.
"""
from __future__ import annotations

import bisect
from typing import Callable, Iterable

import pyarrow as pa

from .. import segment
from ..dataset import to_arrow
from .amounts import find_amounts, find_quantities
from .dates import find_dates
from .percentages import find_percentages
from .responsibilities import find_responsibilities

FINDERS: dict[str, Callable[[str], list[dict]]] = {
    "amounts": find_amounts,
    "quantities": find_quantities,
    "percentages": find_percentages,
    "dates": find_dates,
    "responsibilities": find_responsibilities,
}


def clause_labels(sections) -> dict[str, str | None]:
    """path -> label of the innermost numbered clause (a box takes its parent's)."""
    by_path = {s.path: s for s in sections}
    out: dict[str, str | None] = {}
    for s in sections:
        node = s
        while node is not None and node.kind in ("box", "table"):
            node = by_path.get(node.parent_path) if node.parent_path else None
        out[s.path] = node.label if node is not None and node.kind in ("clause", "heading") else None
    return out


def extraction_tables(documents: list, edition: str, ocr_pages: set[int] = frozenset(),
                      workers: int = 1) -> dict[str, list[dict] | pa.Table]:
    """Rows of every extraction table, plus `sentences` and `tokens` (the latter as an
    Arrow table: it is by far the biggest), for one edition.

    With workers > 1, sections are shared out to processes in contiguous batches of
    similar text length; jieba is then loaded once per worker, never in this process.
    """
    items = [(doc.doc_id, clause_labels(doc.sections)[s.path], s) for doc in documents for s in doc.sections]
    batches = _batches(items, workers)
    args = [edition] * len(batches), [frozenset(ocr_pages)] * len(batches)
    if workers <= 1 or len(batches) <= 1:
        parts = [_extract(items, edition, frozenset(ocr_pages))]
    else:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=workers) as own:
            parts = list(own.map(_extract, batches, *args))
    tables: dict = {}
    for part in parts:
        for name, rows in part.items():
            tables.setdefault(name, []).append(rows) if name == "tokens" else tables.setdefault(name, []).extend(rows)
    tables["tokens"] = pa.concat_tables(tables["tokens"]) if tables else to_arrow("tokens", [])
    return tables


def _batches(items: list, workers: int) -> list[list]:
    """Contiguous batches of sections with about equal text length (order kept)."""
    total = sum(len(section.text) for _, _, section in items) or 1
    want = max(1, workers * 2)
    batches, current, size = [], [], 0
    for item in items:
        current.append(item)
        size += len(item[2].text)
        if size >= total * (len(batches) + 1) / want:
            batches.append(current)
            current = []
    if current:
        batches.append(current)
    return batches


TOKEN_COLUMNS = ["edition", "section_id", "sentence_index", "token_index", "token", "pos", "char_start"]


def _extract(items: list, edition: str, ocr_pages: frozenset[int]) -> dict:
    """All tables for (doc_id, clause label, Section) items; runs in a worker process."""
    tables: dict = {name: [] for name in FINDERS}
    tables["sentences"] = []
    tokens = {k: [] for k in TOKEN_COLUMNS}
    for doc_id, clause, section in items:
        text = section.text
        section_id = f"{doc_id}/{section.path}"
        spans = segment.split_sentences(text)
        starts = [s for s, _ in spans]

        def sentence_of(offset: int) -> str | None:
            i = bisect.bisect_right(starts, offset) - 1
            return text[spans[i][0]:spans[i][1]] if i >= 0 and offset < spans[i][1] else None

        base = {"edition": edition, "doc_id": doc_id, "section_id": section_id, "clause": clause,
                "section_order": section.order, "clause_path": section.clause_path}
        for name, finder in FINDERS.items():
            for index, mention in enumerate(finder(text)):
                page = section.page_at(mention["char_start"])
                tables[name].append({**base, "page": page, "mention_index": index, **mention,
                                     "sentence": sentence_of(mention["char_start"]),
                                     "ocr": page in ocr_pages})
        for index, (start, end) in enumerate(spans):
            tables["sentences"].append({
                "edition": edition, "doc_id": doc_id, "section_id": section_id,
                "sentence_index": index, "text": text[start:end], "page": section.page_at(start),
                "char_start": start, "char_end": end})
            for k, (token, pos, offset) in enumerate(segment.tokens(text[start:end])):
                for column, value in zip(TOKEN_COLUMNS, (edition, section_id, index, k, token, pos, offset)):
                    tokens[column].append(value)
    # Arrow here, in the worker: 130k tokens as Python objects would cost the parent ~100 MB.
    tables["tokens"] = to_arrow("tokens", tokens)
    return tables
