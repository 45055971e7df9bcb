"""The extract stage: `sections` rows -> amounts, quantities, percentages, dates,
responsibilities.

Each finder is a pure function from one section's joined text to mentions with
character spans; this module only adds provenance (edition, document, section,
clause, page, sentence, OCR flag), all read from the `sections` and `pages` rows, so
extraction reruns from a built dataset (`python -m pipeline extract --data …`).
Extraction runs on the joined text, before and independently of jieba, which would
split numbers apart. Importing a finder imports neither pyarrow nor jieba.
"""
from __future__ import annotations

import bisect
from functools import cache
from typing import Callable, Iterable, Iterator

from ..segment import PageMarks, split_sentences

#: The extraction tables, one per finder.
TABLES = ("amounts", "quantities", "percentages", "dates", "responsibilities")


@cache
def finders() -> dict[str, Callable[[str], list[dict]]]:
    """Table name -> finder (also as `FINDERS`). Imported on first use: their patterns
    take ~0.1 s to compile, which the parent of a build, handing sections to its
    workers, would pay before the workers could start."""
    from .amounts import find_amounts, find_quantities
    from .dates import find_dates
    from .percentages import find_percentages
    from .responsibilities import find_responsibilities

    found = {"amounts": find_amounts, "quantities": find_quantities, "percentages": find_percentages,
             "dates": find_dates, "responsibilities": find_responsibilities}
    assert tuple(found) == TABLES
    return found


def __getattr__(name: str):
    if name == "FINDERS":
        return finders()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def clause_labels(sections: list[dict]) -> dict[str, str | None]:
    """section_id -> label of the innermost numbered clause (a box takes its parent's)."""
    by_id = {s["section_id"]: s for s in sections}
    out: dict[str, str | None] = {}
    for s in sections:
        node = s
        while node is not None and node["kind"] in ("box", "table"):
            node = by_id.get(node["parent_id"]) if node["parent_id"] else None
        out[s["section_id"]] = node["label"] if node is not None and node["kind"] in ("clause", "heading") else None
    return out


def extraction_tables(sections: list[dict], pages: list[dict], edition: str, pool=None) -> dict[str, list[dict]]:
    """Rows of every extraction table of one edition, from its `sections` and `pages`
    rows, on the build's worker pool (a pipeline.workers.Pool; None: in this process)."""
    from ..workers import Pool

    pool = pool or Pool(1)
    return gather_extraction(submit_extraction(sections, pages, edition, pool))


def submit_extraction(sections: list[dict], pages: list[dict], edition: str, pool) -> Iterator:
    """The chunks of `extraction_tables` handed to the pool now; `gather_extraction`
    of the result waits for them."""
    ocr_pages = frozenset(p["page"] for p in pages if p.get("ocr"))
    return pool.map(extract_rows, extraction_chunks(sections, ocr_pages, edition, pool))


def extraction_chunks(sections: list[dict], ocr_pages: frozenset[int], edition: str, pool) -> list[tuple]:
    """The arguments of `extract_rows` for each of the pool's chunks of `sections`
    (segment.section_chunks); `ocr_pages`: the pages OCR read."""
    from ..segment import section_chunks

    clauses = clause_labels(sections)
    return [(chunk, edition, {s["section_id"]: clauses[s["section_id"]] for s in chunk}, ocr_pages)
            for chunk, edition in section_chunks(sections, edition, pool)]


def gather_extraction(results: Iterable[dict[str, list[dict]]]) -> dict[str, list[dict]]:
    tables: dict[str, list[dict]] = {name: [] for name in TABLES}
    for part in results:
        for name, rows in part.items():
            tables[name] += rows
    return tables


def extract_rows(sections: list[dict], edition: str, clauses: dict[str, str | None],
                 ocr_pages: frozenset[int] = frozenset()) -> dict[str, list[dict]]:
    """Rows of every extraction table for some `sections` rows (pure; runs in a worker)."""
    tables: dict[str, list[dict]] = {name: [] for name in TABLES}
    found_by = finders()
    for section in sections:
        text, section_id = section["text"], section["section_id"]
        marks = PageMarks(section["page_marks"])
        spans = split_sentences(text)
        starts = [s for s, _ in spans]

        def sentence_of(offset: int) -> str | None:
            i = bisect.bisect_right(starts, offset) - 1
            return text[spans[i][0]:spans[i][1]] if i >= 0 and offset < spans[i][1] else None

        base = {"edition": edition, "doc_id": section["doc_id"], "section_id": section_id,
                "clause": clauses[section_id], "section_order": section["section_order"],
                "clause_path": section["clause_path"]}
        for name, finder in found_by.items():
            for index, mention in enumerate(finder(text)):
                page = marks.page_at(mention["char_start"])
                tables[name].append({**base, "page": page, "mention_index": index, **mention,
                                     "sentence": sentence_of(mention["char_start"]),
                                     "ocr": page in ocr_pages})
    return tables
