"""Adapter for PDFs, via pdfplumber.

Each page is parsed exactly once, its characters grouped into physical lines, and
the page closed at once, so memory stays flat however long the compilation is.
Pages are read in parallel chunks (one pdfplumber handle per worker process).
"""
from __future__ import annotations

import logging
import itertools
import os
import statistics
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from . import InputError, Line, RawPage
from ..text import is_cjk
from .pdfchars import page_chars
from ..ocr.schedule import OcrPass

log = logging.getLogger(__name__)

# A gap wider than this share of the font size between two characters is a space,
# unless both are CJK: justified Chinese text spreads characters apart, and
# "杭 州 市" set with letter-spacing is still 杭州市.
SPACE_GAP = 0.25
# Characters whose vertical centres differ by less than this share of the font size
# sit on one line (subscripts and mixed fonts wobble a little).
LINE_TOLERANCE = 0.45
# Fake bold and drop shadows print a glyph twice, shifted by a few hundredths of an
# em; a repeat closer than this share of the font size is that, not a second letter
# (poppler's text output uses the same 0.1 em).
DUPLICATE_SHIFT = 0.1
# Letter-spaced lines (justified CJK, distributed dates and signatures) put the same
# extra gap between every pair of characters, digits and Latin included. When every
# gap of a line with at least this many gaps is that wide, the smallest gap is the
# letter spacing, and only what exceeds it can be a word space.
TRACKING_MIN_GAPS = 4


def open_pdf(path: Path):
    """Open a PDF or raise InputError with the reason in one line."""
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect, PDFEncryptionError
    from pdfminer.psparser import PSException

    try:
        pdf = pdfplumber.open(path)
        n = len(pdf.pages)
    except Exception as exc:  # pdfplumber wraps pdfminer errors; unwrap for the message
        cause = exc.__cause__ or exc.__context__ or exc
        for err in (exc, cause, *getattr(exc, "args", ())):
            if isinstance(err, (PDFPasswordIncorrect, PDFEncryptionError)) or "password" in str(err).lower():
                raise InputError(f"{path}: encrypted PDF (a password is needed to read it)") from None
        if isinstance(cause, PSException) or "PDFSyntaxError" in repr(exc) or "No /Root" in str(exc):
            raise InputError(f"{path}: damaged or truncated PDF ({_reason(exc)})") from None
        raise InputError(f"{path}: cannot read PDF ({_reason(exc)})") from None
    if n == 0:
        pdf.close()
        raise InputError(f"{path}: PDF has no pages")
    return pdf


def _reason(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:120]


def page_count(path: Path) -> int:
    pdf = open_pdf(path)
    try:
        return len(pdf.pages)
    finally:
        pdf.close()


def page_labels(path: Path) -> list[str] | None:
    """The PDF's /PageLabels (an excerpt may number its pages from 351), or None."""
    pdf = open_pdf(path)
    try:
        return _labels(pdf)
    finally:
        pdf.close()


def _labels(pdf) -> list[str] | None:
    try:
        return list(itertools.islice(pdf.doc.get_page_labels(), len(pdf.pages)))
    except Exception:  # no /PageLabels, or a broken one: labels are optional
        return None


def read_pdf(path: Path, workers: int = 2, progress=None, ocr: bool = True) -> list[RawPage]:
    """All pages of the PDF as RawPages, in page order."""
    pdf = open_pdf(path)
    try:
        n, labels = len(pdf.pages), _labels(pdf)
    finally:
        pdf.close()
    workers = max(1, min(workers, os.cpu_count() or 1, n))
    chunk = max(1, min(25, -(-n // (workers * 2))))
    spans = [(start, min(n, start + chunk)) for start in range(0, n, chunk)]
    pages: list[RawPage] = []
    with OcrPass(path, workers, progress, enabled=ocr) as ocr_pass:   # OCR in a pool of its own
        if workers == 1:
            _open_worker(path)
            try:
                for a, b in spans:
                    batch = _read_span(a, b)
                    pages.extend(batch)
                    ocr_pass.submit(batch)
            finally:
                _close_worker()
        else:
            with ProcessPoolExecutor(max_workers=workers, initializer=_open_worker, initargs=(path,)) as pool:
                for batch in pool.map(_read_span, *zip(*spans)):
                    pages.extend(batch)
                    ocr_pass.submit(batch)
        ocr_pass.finish()
    if labels:
        for page, label in zip(pages, labels):
            page.label = label
    if ocr:
        _warn_not_ocred(path, pages)
    return pages


# A reading process opens the PDF once and keeps it for all its spans: parsing the
# xref and page tree again per span cost a quarter of the reading time on 500 pages.
# Memory stays flat: every page is closed after it is read.
_PDF = None


def _open_worker(path: Path) -> None:
    global _PDF
    _quiet_pdfminer()
    _PDF = open_pdf(path)


def _close_worker() -> None:
    global _PDF
    if _PDF is not None:
        _PDF.close()
        _PDF = None


def _read_span(start: int, stop: int) -> list[RawPage]:
    """Pages [start, stop) of the PDF opened by _open_worker; runs in a worker process."""
    return [_read_page(_PDF, index) for index in range(start, stop)]


def _read_page(pdf, index: int) -> RawPage:
    record = RawPage(page=index + 1)
    try:
        page = pdf.pages[index]
        record.width, record.height = float(page.width), float(page.height)
        chars, record.image_count = page_chars(pdf, page)
        record.lines = chars_to_lines(chars)
        record.char_count = sum(len(l.text.replace(" ", "")) for l in record.lines)
        record.has_text_layer = record.char_count > 0
        page.close()
    except Exception as exc:  # one damaged page must not sink the edition
        record.error = f"{type(exc).__name__}: {_reason(exc)}"
        record.lines = []
    return record


def _warn_not_ocred(path: Path, pages: list[RawPage]) -> None:
    """One warning naming the image-only pages that OCR could not read, and why."""
    from .. import ocr
    missed = [p for p in pages if not p.ocr and ocr.needs_ocr(p)]
    if not missed:
        return
    where = _page_list(missed)
    problem = ocr.engine_problem()
    if problem:
        log.warning("%s: %s: image-only, not OCRed and left without text: %s", path, where, problem)
    else:
        log.warning("%s: %s: image-only, OCR failed and left without text (-vv for details)", path, where)


def _page_list(pages: list[RawPage]) -> str:
    """'pages 34-38, 45 (labels 384-388, 395)': ranges of page numbers, and of labels when they differ."""
    def ranges(numbers: list[int]) -> str:
        spans: list[list[int]] = []
        for n in numbers:
            if spans and n == spans[-1][1] + 1:
                spans[-1][1] = n
            else:
                spans.append([n, n])
        return ", ".join(f"{a}-{b}" if a != b else f"{a}" for a, b in spans)

    text = ("page " if len(pages) == 1 else "pages ") + ranges([p.page for p in pages])
    labels = [p.label for p in pages]
    if all(l and l.isdigit() for l in labels) and labels != [str(p.page) for p in pages]:
        text += f" ({'label' if len(pages) == 1 else 'labels'} {ranges([int(l) for l in labels])})"
    return text


def chars_to_lines(chars: list[dict]) -> list[Line]:
    """Group pdfplumber characters into physical lines, top to bottom, left to right."""
    glyphs = [c for c in chars if c.get("text") and c.get("upright", True)]
    glyphs.sort(key=lambda c: (c["top"] + c["bottom"]) / 2)
    rows: list[list[dict]] = []
    centre = None
    for ch in glyphs:
        mid = (ch["top"] + ch["bottom"]) / 2
        size = ch.get("size") or (ch["bottom"] - ch["top"]) or 10
        if rows and abs(mid - centre) <= LINE_TOLERANCE * size:
            rows[-1].append(ch)
        else:
            rows.append([ch])
            centre = mid
    return [line for line in (_row_to_line(r) for r in rows) if line.text]


def _row_to_line(row: list[dict]) -> Line:
    row.sort(key=lambda c: c["x0"])
    glyphs: list[dict] = []
    for ch in row:
        prev = glyphs[-1] if glyphs else None
        # Fake bold: the same glyph printed twice at (almost) the same spot.
        if (prev is not None and ch["text"] == prev["text"] and ch["text"] != " "
                and abs(ch["x0"] - prev["x0"]) < DUPLICATE_SHIFT * (ch.get("size") or 10)):
            continue
        glyphs.append(ch)
    pairs = list(zip(glyphs, glyphs[1:]))
    gaps = [b["x0"] - a["x1"] for a, b in pairs if a["text"] != " " and b["text"] != " "]
    tracking = max(0.0, min(gaps)) if len(gaps) >= TRACKING_MIN_GAPS else 0.0
    parts: list[str] = [glyphs[0]["text"]] if glyphs else []
    for prev, ch in pairs:
        text = ch["text"]
        gap = ch["x0"] - prev["x1"] - tracking
        size = min(ch.get("size") or 10, prev.get("size") or 10)
        if (gap > SPACE_GAP * size and text != " " and prev["text"] != " "
                and not (is_cjk(text) and is_cjk(prev["text"]))):
            parts.append(" ")
        parts.append(text)
    text = " ".join("".join(parts).split())
    sizes = [c.get("size") for c in glyphs if c.get("size") and c["text"].strip()]
    return Line(text=text, top=min(c["top"] for c in glyphs), bottom=max(c["bottom"] for c in glyphs),
                x0=glyphs[0]["x0"], x1=glyphs[-1]["x1"],
                size=round(statistics.median(sizes), 2) if sizes else None)


def _quiet_pdfminer() -> None:
    """pdfminer warns about every odd font; that is debug detail, not news."""
    for name in ("pdfminer", "pdfplumber"):
        logging.getLogger(name).setLevel(logging.ERROR if not logging.getLogger().isEnabledFor(logging.DEBUG) else logging.DEBUG)
