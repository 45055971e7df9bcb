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

from .. import segment
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
        while node is not None and node.kind == "box":
            node = by_path.get(node.parent_path) if node.parent_path else None
        out[s.path] = node.label if node is not None and node.kind in ("clause", "heading") else None
    return out


def extraction_tables(documents: Iterable, edition: str, ocr_pages: set[int] = frozenset(),
                      with_tokens: bool = True) -> dict[str, list[dict]]:
    """Rows of every extraction table, plus `sentences` and `tokens`, for one edition."""
    tables: dict[str, list[dict]] = {name: [] for name in FINDERS}
    tables["sentences"], tables["tokens"] = [], []
    for doc in documents:
        clauses = clause_labels(doc.sections)
        for section in doc.sections:
            text = section.text
            section_id = f"{doc.doc_id}/{section.path}"
            spans = segment.split_sentences(text)
            starts = [s for s, _ in spans]

            def sentence_of(offset: int) -> str | None:
                i = bisect.bisect_right(starts, offset) - 1
                return text[spans[i][0]:spans[i][1]] if i >= 0 and offset < spans[i][1] else None

            base = {"edition": edition, "doc_id": doc.doc_id, "section_id": section_id,
                    "clause": clauses[section.path]}
            for name, finder in FINDERS.items():
                for index, mention in enumerate(finder(text)):
                    page = section.page_at(mention["char_start"])
                    tables[name].append({**base, "page": page, "mention_index": index, **mention,
                                         "sentence": sentence_of(mention["char_start"]),
                                         "ocr": page in ocr_pages})
            for index, (start, end) in enumerate(spans):
                tables["sentences"].append({
                    "edition": edition, "doc_id": doc.doc_id, "section_id": section_id,
                    "sentence_index": index, "text": text[start:end], "page": section.page_at(start),
                    "char_start": start, "char_end": end})
                if with_tokens:
                    for k, (token, pos, offset) in enumerate(segment.tokens(text[start:end])):
                        tables["tokens"].append({
                            "edition": edition, "section_id": section_id, "sentence_index": index,
                            "token_index": k, "token": token, "pos": pos, "char_start": offset})
    return tables
