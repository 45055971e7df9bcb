"""The ingest stage: RawPages -> rows of the `pages` table.

The work here is telling page furniture (page numbers, running headers and footers,
a browser's web chrome) from body text, in a way that holds for any producer: page
numbers are recognised by their shape ("346", "— 346 —", "- 346 -", "• 346 •", "[346]",
"第 346 页", "346 / 500", and OCR's "-404-."), running headers and footers by recurring at the
same end of most pages (of every page, in a document of 2 or 3), web chrome by the
shapes in data/furniture.json. Each page also gets a `kind`: body, toc (a table of
contents: later stages must not take its lines for clauses) or blank.
"""
from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import dataclass
from typing import Iterator
from importlib import resources

import regex

from . import patterns
from .sources import Line, RawPage
from .text import CONTROL, PRIVATE_USE, normalize

log = logging.getLogger(__name__)

# 一 too: OCR reads the em dashes of "— 404 —" as 一.
_DASH = r"[-—–―‐‑−~一]"
# What OCR adds around a page number: "-404-.", "'404", "— 404 —,".
_EDGE_NOISE = patterns.compile(r"^[\s.,。、·'‘’\"“”`:;|_]+|[\s.,。、·'‘’\"“”`:;|_]+$")
# Marks a page number is framed by, the same one on each side: "• 12 •", "・12・", "◆ 12 ◆".
_ORNAMENT = r"[•・∙⋅◆◇■□●★☆*]"
PAGE_NUMBER = patterns.compile(
    rf"^(?:{_DASH}+\s*(?P<n>\d{{1,4}})\s*{_DASH}+"
    rf"|(?P<o>{_ORNAMENT})\s*(?P<n>\d{{1,4}})\s*(?P=o)"
    r"|[\[【〔]\s*(?P<n>\d{1,4})\s*[\]】〕]"      # "[12]", "【12】"; not "(12)", an item's number
    r"|第\s*(?P<n>\d{1,4})\s*页(?:\s*[/,]?\s*共\s*\d+\s*页)?"
    r"|(?:page\s*)?(?P<n>\d{1,4})(?:\s*/\s*\d{1,4})?"
    r"|(?:page\s*)?(?P<n>\d{1,4})\s*of\s*\d{1,4})$",
    regex.IGNORECASE,
)
# A running header that carries the page number at one end: "杭州市级产业政策汇编 378".
NUMBER_AT_EDGE = patterns.compile(r"^(?P<n>\d{1,4})\s+\S|\S\s+(?P<n>\d{1,4})$")

EDGE_LINES = 2          # lines at each end of a page that may be furniture
MARGIN_SHARE = 0.14     # ... and, when geometry is known, lie in this top/bottom share
RECURRING_SHARE = 0.4   # a header/footer recurs on at least this share of pages
RECURRING_MIN = 3       # ... and on at least this many, or every page of a 2-page source

_FURNITURE = json.loads(resources.files("pipeline.data").joinpath("furniture.json").read_text("utf-8"))
WEB_CHROME = [patterns.compile(form["pattern"], regex.VERBOSE)
              for form in _FURNITURE["web_chrome"] if isinstance(form, dict)]
BROWSER_EDGE = [patterns.compile(form["pattern"], regex.VERBOSE)
                for form in _FURNITURE["browser_header_footer"] if isinstance(form, dict)]
TOC_ENTRY = patterns.compile(_FURNITURE["toc"]["entry"], regex.VERBOSE)
TOC_ENTRY_LOOSE = patterns.compile(_FURNITURE["toc"]["entry_after_title"], regex.VERBOSE)
TOC_TITLE = patterns.compile(_FURNITURE["toc"]["title"], regex.VERBOSE)
TOC_SHARE = _FURNITURE["toc"]["share"]
TOC_MIN_ENTRIES = _FURNITURE["toc"]["min_entries"]


@dataclass
class Furniture:
    header: list[str]
    footer: list[str]
    printed_page: int | None
    body: list[Line]
    body_text: list[str]      # normalize(line.text) of each body line


def page_number_of(text: str) -> int | None:
    match = PAGE_NUMBER.match(_EDGE_NOISE.sub("", text))
    return int(match.group("n")) if match else None


def is_web_chrome(text: str) -> bool:
    """A line of a web page's chrome: 字号:[大] [中] [小], [打印] [关闭], 分享到 …"""
    return any(form.search(text) for form in WEB_CHROME)


def is_browser_edge(text: str) -> bool:
    """A browser's own print header or footer: "12/2/26, 12:50 AM <title>", "<URL> 1/4"."""
    return any(form.search(text) for form in BROWSER_EDGE)


_DIGITS = patterns.compile(r"\d+")   # compiled once: regex.sub(pattern, …) looks it up in a cache each call


def _shape(text: str) -> str:
    """A line with its digits masked, so "汇编 378" and "汇编 379" recur as one shape."""
    return _DIGITS.sub("#", text)


def _edges(page: RawPage) -> tuple[list[int], list[int]]:
    """Indexes of the lines that could be header (top) and footer (bottom) furniture."""
    n = len(page.lines)
    top = list(range(min(EDGE_LINES, n)))
    bottom = list(range(max(0, n - EDGE_LINES), n))
    if page.height:
        # With geometry a line of a short page (a scan with only its page number) is
        # header or footer by where it stands, whichever end it is counted from.
        top = [i for i in top if (page.lines[i].bottom or 0) <= page.height * MARGIN_SHARE]
        bottom = [i for i in bottom if (page.lines[i].top or page.height) >= page.height * (1 - MARGIN_SHARE)]
    return top, [i for i in bottom if i not in top]


def recurring_shapes(pages: list[RawPage]) -> set[str]:
    """Shapes of edge lines that recur on many pages: running headers and footers."""
    counts: Counter[str] = Counter()
    for page in pages:
        top, bottom = _edges(page)
        counts.update({("top", _shape(normalize(page.lines[i].text))) for i in top})
        counts.update({("bottom", _shape(normalize(page.lines[i].text))) for i in bottom})
    with_text = sum(1 for p in pages if p.lines)
    need = max(2, min(with_text, RECURRING_MIN), RECURRING_SHARE * with_text)
    return {key for key, count in counts.items() if count >= need and key[1] != "#"}


def split_furniture(page: RawPage, recurring: set[str], texts: list[str] | None = None) -> Furniture:
    """Separate one page's header/footer lines and printed page number from its body.
    `texts`: normalize(line.text) of every line, when the caller has them already."""
    texts = [normalize(line.text) for line in page.lines] if texts is None else texts
    top, bottom = _edges(page)
    furniture: dict[int, str] = {}
    printed = page.printed_page
    for end, indexes in (("top", top), ("bottom", bottom)):
        # Walk inwards from the page edge; furniture stops at the first body line.
        ordered = indexes if end == "top" else list(reversed(indexes))
        for i in ordered:
            text = texts[i]
            number = page_number_of(text)
            if number is None and is_browser_edge(text):
                pass          # furniture, but its "1/4" counts the print's sheets, not the pages
            elif number is None and (end, _shape(text)) in recurring:
                edge = NUMBER_AT_EDGE.search(text)
                number = int(edge.group("n")) if edge else None
            elif number is None:
                break
            furniture[i] = end
            if number is not None and printed is None:
                printed = number
    # Web chrome anywhere on the page: header above the first body line, footer below it.
    chrome = [i for i, text in enumerate(texts) if i not in furniture and is_web_chrome(text)]
    first_body = min((i for i in range(len(page.lines)) if i not in furniture and i not in chrome),
                     default=len(page.lines))
    furniture.update({i: "top" if i < first_body else "bottom" for i in chrome})
    header = [texts[i] for i in sorted(furniture) if furniture[i] == "top"]
    footer = [texts[i] for i in sorted(furniture) if furniture[i] == "bottom"]
    body = [i for i in range(len(page.lines)) if i not in furniture]
    return Furniture(header, footer, printed, [page.lines[i] for i in body], [texts[i] for i in body])


def page_kind(body: list[str]) -> str:
    """'blank' (no body text), 'toc' (a table of contents) or 'body'.

    A table of contents is a page most of whose lines end in a page number after dot
    leaders ("一、总体要求……………3"), or a page headed 目录 most of whose other lines end
    in a number ("31.关于加快生物医药产业高质量发展的若干意见 378").
    """
    if not body:
        return "blank"
    entries = sum(1 for t in body if TOC_ENTRY.search(t))
    if entries >= TOC_MIN_ENTRIES and entries >= TOC_SHARE * len(body):
        return "toc"
    rest = body[1:]
    if TOC_TITLE.match(body[0]) and rest and sum(1 for t in rest if TOC_ENTRY_LOOSE.search(t)) >= TOC_SHARE * len(rest):
        return "toc"
    return "body"


def _named(page: RawPage) -> RawPage:
    """What a warning says of a page (number, label, error), without its lines: the
    pages of a warning are kept to its end, and a source can have thousands of them."""
    return RawPage(page=page.page, label=page.label, error=page.error)


def _where(page: RawPage) -> str:
    """'page 45', with the page's label when it has its own ('page 45 (label 395)')."""
    if page.label and page.label != str(page.page):
        return f"page {page.page} (label {page.label})"
    return f"page {page.page}"


def pages_table(pages: list[RawPage], edition: str, source: str) -> list[dict]:
    """Rows of the `pages` table for one source; warns about pages it could not read."""
    return list(pages_rows(pages, edition, source))


def pages_rows(pages: list[RawPage], edition: str, source: str) -> Iterator[dict]:
    """The rows of `pages_table` one at a time, its warnings once the last is taken: the
    build streams them into structure and onto disk."""
    recurring = recurring_shapes(pages)
    # One warning per kind of trouble, naming its pages: 3,000 blank pages are one line.
    unread: dict[str, list[RawPage]] = {}     # trouble -> its pages, in order of the first
    for page in pages:
        # Each line normalized once (it was five times: 0.35 s CPU on a 500-page print)
        parts = split_furniture(page, recurring, [normalize(line.text) for line in page.lines])
        raw_text = "".join(l.text for l in page.lines)
        if CONTROL.search(raw_text):     # normalize removes them; the text layer is suspect
            unread.setdefault("control characters in the text layer (removed; broken ToUnicode map?)",
                              []).append(_named(page))
        if PRIVATE_USE.search(raw_text):
            unread.setdefault("Private Use Area characters in the text layer (unmapped glyphs?)", []).append(_named(page))
        if page.stamped_glyphs:
            unread.setdefault("large text printed over the body text (a watermark) is left out of pages.text",
                              []).append(_named(page))
        if page.rotated_glyphs:
            unread.setdefault("text set at an angle (a diagonal watermark, a margin note) is left out of pages.text", []).append(_named(page))
        body = [t for t in parts.body_text if t]
        kept = [line for line, t in zip(parts.body, parts.body_text) if t]     # the lines of `body`
        if page.error:
            unread.setdefault("damaged", []).append(_named(page))
        elif not page.has_text_layer and page.ocr and body:   # routine on scans: INFO, not a warning
            conf = f"{page.ocr_confidence:.2f}" if page.ocr_confidence is not None else "n/a"
            log.info("%s: %s: no text layer (image-only page); text read by OCR (%s, confidence %s)",
                     source, _where(page), page.ocr_engine, conf)
        elif not page.has_text_layer and page.ocr and (parts.header or parts.footer):
            # "— 390 —" and nothing else: a page of photos or seals, as compilations have
            log.info("%s: %s: image-only page; OCR read only its page furniture (%s)", source, _where(page),
                     " | ".join([*parts.header, *parts.footer]))
        elif not page.has_text_layer and page.ocr:
            unread.setdefault("no text layer (image-only page), and OCR read no text", []).append(_named(page))
        elif not page.has_text_layer and (page.image_count or page.width is None):   # a text export: unknown
            unread.setdefault("no text layer (image-only page)", []).append(_named(page))
        elif not page.has_text_layer:
            unread.setdefault("blank (no text, no image)", []).append(_named(page))
        yield {
            "edition": edition,
            "page": page.page,
            "printed_page": parts.printed_page,
            "page_label": page.label,
            "text": "\n".join(body),
            "kind": page_kind(body),
            "has_text_layer": page.has_text_layer,
            "char_count": sum(len(t) for t in body),
            "line_count": len(body),
            "image_count": page.image_count,
            "header": " | ".join(parts.header) or None,
            "footer": " | ".join(parts.footer) or None,
            "line_tops": [l.top for l in kept] if page.height else None,
            "line_x0s": [l.x0 for l in kept] if page.height else None,
            "line_sizes": [l.size for l in kept] if page.height else None,
            "width": page.width,
            "height": page.height,
            "reading_turn": page.turn if page.height else None,
            "error": page.error,
            "ocr": page.ocr,
            "ocr_engine": page.ocr_engine,
            "ocr_confidence": page.ocr_confidence,
        }
    for what, group in unread.items():
        where = _where(group[0]) if len(group) == 1 else _pages(group)
        if what == "damaged":
            log.warning("%s: %s: damaged page%s skipped (%s%s)", source, where, "s" * (len(group) > 1),
                        group[0].error, ", ..." if len(group) > 1 else "")
        else:
            log.warning("%s: %s: %s", source, where, what)


def _pages(pages: list[RawPage], most: int = 12) -> str:
    """'1,234 pages: 3-5, 9, ...': how many, and the first `most` runs of them."""
    from .sources.pdf import _page_list

    text = _page_list(pages)
    runs = text.split(", ")
    if len(runs) > most:
        text = ", ".join(runs[:most]) + ", ..."
    return f"{len(pages):,} pages ({text})"
