"""Adapter for the flipbook text export (the seed file).

Format: web junk, then for each PDF page a line `第N页`, the printed page number on
the next line, then one line per physical PDF line (blank lines between are
artefacts of the export), then web junk again.
"""
from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import regex

from . import InputError, Line, RawPage

_FORMAT = json.loads(resources.files("pipeline.data").joinpath("flipbook.json").read_text("utf-8"))
PAGE_MARKER = regex.compile(_FORMAT["page_marker"])
END_MARKERS = tuple(_FORMAT["end_markers"])


def read_flipbook(path: Path) -> list[RawPage]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text and not a PDF (byte {exc.start})") from None
    return parse_flipbook(text, str(path))


def parse_flipbook(text: str, name: str = "<text>") -> list[RawPage]:
    pages: list[RawPage] = []
    current: RawPage | None = None
    expect_number = False
    for raw in text.splitlines():
        line = raw.strip()
        if any(marker in line for marker in END_MARKERS):
            break
        mark = PAGE_MARKER.match(line)
        if mark:
            current = RawPage(page=int(mark.group(1)), label=mark.group(1))
            pages.append(current)
            expect_number = True
            continue
        if current is None or not line:
            continue      # junk before the first page, or a blank artefact line
        if expect_number:
            expect_number = False
            if line.isdigit():
                current.printed_page = int(line)
                continue
        current.lines.append(Line(text=line))
    if not pages:
        raise InputError(f"{name}: no '第N页' page markers: neither a PDF nor a flipbook text export")
    for page in pages:
        page.char_count = sum(len(l.text) for l in page.lines)
        page.has_text_layer = page.char_count > 0
    return pages
