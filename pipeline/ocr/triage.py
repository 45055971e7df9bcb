"""Which pages need OCR, and which image regions of a page that has a text layer.

A scan has images and no usable text layer. A mixed page (a typed page with a pasted
scan of a signed table or a paragraph, common in compilations) has both: its images
are OCRed when they are big enough to hold text and no text-layer line lies on them
(a searchable scan's invisible text layer, or text printed over a background picture,
is already read).
"""
from __future__ import annotations

import unicodedata

import regex

from ..sources import Line, RawPage

_UNUSABLE = {"Co", "Cn", "Cs", "Cc", "Cf"}      # private use, unassigned, surrogates, controls
_CID = regex.compile(r"\(cid:\d+\)")
# An image region worth OCRing on a mixed page: at least this high and wide (points),
# i.e. room for a line of 10 pt text and a few characters. Logos, rules and icons
# are smaller.
REGION_MIN_HEIGHT = 24.0
REGION_MIN_WIDTH = 60.0
# ... and covering at least this share of the page.
REGION_MIN_SHARE = 0.01


def needs_ocr(page: RawPage) -> bool:
    """Images drawn but no usable text layer: no characters at all, or only whitespace,
    private-use, replacement or control characters (or pdfminer's "(cid:N)" for glyphs
    without a Unicode mapping)."""
    if page.image_count == 0 or page.error:
        return False
    text = _CID.sub("", "".join(l.text for l in page.lines))
    return not any(_usable(ch) for ch in text)


def may_have_scanned_regions(page: RawPage) -> bool:
    """A page with a text layer and images: its images are looked at (image_regions)."""
    return page.image_count > 0 and not page.error and not needs_ocr(page)


def _usable(ch: str) -> bool:
    return not ch.isspace() and ch != "\ufffd" and unicodedata.category(ch) not in _UNUSABLE


def image_regions(images: list[tuple[float, float, float, float]], lines: list[Line],
                  width: float, height: float) -> list[tuple[float, float, float, float]]:
    """The image boxes (left, top, right, bottom in points from the page's top-left) to
    OCR on a page whose text layer has `lines`: text-sized, on the page, and with no
    text-layer line's centre on them."""
    out = []
    for left, top, right, bottom in images:
        left, top, right, bottom = max(0.0, left), max(0.0, top), min(width, right), min(height, bottom)
        w, h = right - left, bottom - top
        if h < REGION_MIN_HEIGHT or w < REGION_MIN_WIDTH or w * h < REGION_MIN_SHARE * width * height:
            continue
        covered = any(l.top is not None and left <= (l.x0 + l.x1) / 2 <= right
                      and top <= (l.top + l.bottom) / 2 <= bottom for l in lines)
        if not covered:
            out.append((left, top, right, bottom))
    return out


def merge_lines(text_lines: list[Line], ocr_lines: list[Line]) -> list[Line]:
    """Text-layer and OCR lines in reading order: top to bottom by their centres."""
    return sorted(text_lines + ocr_lines, key=lambda l: ((l.top or 0) + (l.bottom or 0)) / 2)
