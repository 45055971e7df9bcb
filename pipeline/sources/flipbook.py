"""Adapter for the flipbook text export (the seed file).

Format: web junk, then for each PDF page a line `第N页`, the printed page number on
the next line, then one line per physical PDF line (blank lines between are
artefacts of the export), then web junk again.
"""
from __future__ import annotations

import json
import logging
from importlib import resources
from pathlib import Path

import regex

from . import InputError, Line, RawPage

_FORMAT = json.loads(resources.files("pipeline.data").joinpath("flipbook.json").read_text("utf-8"))
PAGE_MARKER = regex.compile(_FORMAT["page_marker"])
END_MARKERS = tuple(_FORMAT["end_markers"])
# pages.page is int32: a marker beyond it (第3000000000页) is noise, not a page.
MAX_PAGE = 2**31 - 1

log = logging.getLogger(__name__)


def read_flipbook(path: Path) -> list[RawPage]:
    try:
        text = path.read_text(encoding="utf-8-sig")   # a BOM before 第1页 would hide the first page
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text and not a PDF (byte {exc.start})") from None
    return parse_flipbook(text, str(path))


def parse_flipbook(text: str, name: str = "<text>") -> list[RawPage]:
    text = text.removeprefix("\ufeff")
    pages: list[RawPage] = []
    current: RawPage | None = None
    seen: dict[int, RawPage] = {}
    ignored: list[str] = []       # markers whose number no page can have
    repeated: list[int] = []      # page numbers marked a second time
    expect_number = False
    for raw in text.splitlines():
        line = raw.strip()
        if any(marker in line for marker in END_MARKERS):
            break
        mark = PAGE_MARKER.match(line)
        if mark:
            digits = mark.group(1)
            number = int(digits) if len(digits) <= 10 else 0     # int() refuses 4,300+ digits
            if not 1 <= number <= MAX_PAGE:
                ignored.append(f"{line} after page {current.page if current else 'none'}")
                continue
            if number in seen:   # one page key per page: a repeated marker continues that page
                repeated.append(number)
                current = seen[number]
            else:
                current = seen[number] = RawPage(page=number, label=mark.group(1))
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
    if ignored:
        log.warning("%s: %d page marker(s) ignored, page number out of range: %s%s", name, len(ignored),
                    "; ".join(m[:60] for m in ignored[:3]), " …" if len(ignored) > 3 else "")
    if repeated:
        log.warning("%s: %d page marker(s) repeated (page %s%s): their lines are added to the first page "
                    "of that number", name, len(repeated), ", ".join(map(str, repeated[:5])),
                    " …" if len(repeated) > 5 else "")
    if not pages:
        raise InputError(f"{name}: no '第N页' page markers: neither a PDF nor a flipbook text export")
    for page in pages:
        page.char_count = sum(len(l.text) for l in page.lines)
        page.has_text_layer = page.char_count > 0
    return pages
