"""Run every stage for one source and write the edition's tables atomically."""
from __future__ import annotations

import logging
from pathlib import Path

from . import dataset
from .pages import pages_table
from .sources import read_pages
from .structure import structure_tables

log = logging.getLogger(__name__)


def build_edition(source: Path, edition: str, out: Path, workers: int = 2, progress=None) -> dict[str, int]:
    """Build all tables of one edition; returns row counts per table."""
    kind, raw_pages = read_pages(source, workers=workers, progress=progress)
    pages = pages_table(raw_pages, edition, str(source))
    if not any(p["has_text_layer"] for p in pages):
        log.warning("%s: no page has a text layer", source)
    documents, sections, _ = structure_tables(pages, edition, str(source))
    tables = {"pages": pages, "documents": documents, "sections": sections}
    dataset.write_edition(out, edition, tables)
    return {name: len(rows) for name, rows in tables.items()}
