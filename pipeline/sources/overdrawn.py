"""Pages whose form XObjects expand past what any reader should load ("billion laughs").

A form drawing another ten times, seven deep, is 10^7 draws from a 4 KB file, and
pdfium expands them all in C when it loads the page (23 GB measured), where no time
limit reaches. Such pages are found from the file's dictionaries before any reader
loads them, and recorded damaged (pages.error PageTooLarge).

Most files have no form XObject at all (Chromium and LibreOffice prints write none),
and then no page needs a look: a form is a stream, streams never sit inside object
streams (pdfminer's object-stream parser reads none either), so every form's dictionary,
with its /Subtype /Form, is in the file's plain bytes, encrypted or not. Scanning them is 0.01 s for 5 MB; walking the page dictionaries with pdfminer
is what costs (0.52 s CPU on a 500-page Chromium print, 0.12 s on LibreOffice's).
"""
from __future__ import annotations

import os
import re

# Objects a page may draw once its forms are expanded.
MAX_DRAWN = 100_000
_DO = re.compile(rb"/([^\s/\[\]()<>{}%]+)\s+Do\b")
# The name /Form, each letter plain or #xx-escaped (/F#6frm is /Form too), ending where
# a name ends. A match inside some stream's compressed bytes only costs the page walk.
_FORM = re.compile(rb"/(?:F|#46)(?:o|#6[fF])(?:r|#72)(?:m|#6[dD])(?![^\s/\[\]()<>{}%])")
_CHUNK = 1 << 20        # bytes scanned at a time: memory stays flat however large the file
_OVERLAP = 16           # longer than the longest spelling of /Form (13 bytes) and what ends it


def overdrawn_pages(doc, most: int = MAX_DRAWN) -> dict[int, str]:
    """0-based page -> reason, for the pages whose form XObjects expand to more than
    `most` draws. `doc`: pdfminer's PDFDocument."""
    if not _may_hold_forms(doc):
        return {}
    return _walk_pages(doc, most)


def _may_hold_forms(doc) -> bool:
    """False only when the file's bytes name no /Form anywhere (so it has no form XObject);
    True when they do, or when the bytes cannot be read (then the pages are walked)."""
    try:
        fileno = doc._parser.fp.fileno()     # pdfminer keeps its parser; pdfplumber opens a real file
        size = os.fstat(fileno).st_size
        for offset in range(0, size, _CHUNK):
            if _FORM.search(os.pread(fileno, _CHUNK + _OVERLAP, offset)):
                return True
        return False
    except Exception:   # a stream without a file behind it: look at every page
        return True


def _walk_pages(doc, most: int) -> dict[int, str]:
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdftypes import resolve1, stream_value

    cost: dict[int, int] = {}        # form object id -> draws when expanded

    def expanded(ref, depth: int = 0) -> float:
        key = getattr(ref, "objid", None)
        if key in cost:
            return cost[key]
        if depth > 32:
            return most + 1
        cost[key] = 1                # visiting: a form that draws itself is cut there, as pdfium does
        try:
            form = stream_value(ref)
            names = _DO.findall(form.get_data())
            xobjects = resolve1(resolve1(form.get("Resources") or {}).get("XObject") or {})
        except Exception:
            cost[key] = 1
            return 1
        total = 1
        for name in names:
            target = xobjects.get(name.decode("latin-1")) if isinstance(xobjects, dict) else None
            if target is not None and _is_form(target):
                total += expanded(target, depth + 1)
            else:
                total += 1
            if total > most:
                break
        cost[key] = total
        return total

    found = {}
    try:
        for index, page in enumerate(PDFPage.create_pages(doc)):
            xobjects = resolve1((page.resources or {}).get("XObject") or {})
            if not isinstance(xobjects, dict):
                continue
            total = sum(expanded(ref) for ref in xobjects.values() if _is_form(ref))
            if total > most:
                found[index] = f"forms drawn over and over: more than {most:,} objects on one page"
    except Exception:   # a page dictionary pdfminer cannot walk: the readers look at each page
        pass
    return found


def _is_form(ref) -> bool:
    from pdfminer.pdftypes import resolve1
    from pdfminer.psparser import LIT
    try:
        return getattr(resolve1(ref), "attrs", {}).get("Subtype") is LIT("Form")
    except Exception:
        return False
