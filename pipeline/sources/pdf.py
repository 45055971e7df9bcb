"""Adapter for PDFs: characters from pdfium (default) or pdfplumber, grouped into lines.

Each page is parsed exactly once, its characters grouped into physical lines, and
the page closed at once, so memory stays flat however long the compilation is.
Pages are read in parallel chunks (one document handle per worker process).

Two character readers give the same dicts (text, x0, x1, top, bottom, size, upright,
baseline): "pdfium" (pdfiumchars, 6-10x faster) and "pdfplumber" (pdfchars, pdfminer's
interpreter: the reference, and what the table finder and OCR rendering use).
The file is always opened with pdfplumber first, for its one-line errors (encrypted,
damaged) and its page labels.
"""
from __future__ import annotations

import logging
import itertools
import re
import statistics
from pathlib import Path

from . import InputError, Line, RawPage
from ..text import is_cjk
from .pdfchars import page_chars
from ..ocr.schedule import OcrPass

READERS = ("pdfium", "pdfplumber")

log = logging.getLogger(__name__)

# A gap wider than this share of the font size between two characters is a space,
# unless both are CJK: justified Chinese text spreads characters apart, and
# "杭 州 市" set with letter-spacing is still 杭州市.
SPACE_GAP = 0.25
# Characters whose baselines (glyph origins) differ by less than this share of the
# larger font size sit on one line (superscripts and mixed fonts wobble a little).
# Baselines, not box centres: a 方正 file's digits come from a second font whose
# descent puts their boxes 14-17 pt below the ideographs printed on the same line.
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
# A space pdfium generated counts when its gap is at least this share of the font size
# (Chromium's space glyph in "156 行动" is 0.22 em).
GENERATED_SPACE_MIN = 0.1


def open_pdf(path: Path, count_pages=None):
    """Open a PDF with pdfplumber or raise InputError with the reason in one line.

    `count_pages` (a function of nothing) counts the pages instead of pdfplumber's page
    list, which parses every page's dictionary: the pdfium reader counts with pdfium.
    """
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect, PDFEncryptionError
    from pdfminer.psparser import PSException

    try:
        pdf = pdfplumber.open(path)
        n = count_pages() if count_pages else len(pdf.pages)
    except Exception as exc:  # pdfplumber wraps pdfminer errors; unwrap for the message
        cause = exc.__cause__ or exc.__context__ or exc
        for err in (exc, cause, *getattr(exc, "args", ())):
            if isinstance(err, (PDFPasswordIncorrect, PDFEncryptionError)) or "password" in str(err).lower():
                raise InputError(f"{path}: encrypted PDF (a password is needed to read it)") from None
        if isinstance(cause, PSException) or "PDFSyntaxError" in repr(exc) or "No /Root" in str(exc):
            raise InputError(f"{path}: damaged or truncated PDF ({_reason(exc)})") from None
        raise InputError(f"{path}: cannot read PDF ({_reason(exc)})") from None
    if n == 0:
        _close(pdf)
        raise InputError(f"{path}: PDF has no pages")
    return pdf


def _close(pdf) -> None:
    """Close a pdfplumber handle. Its close() walks every page (pdf.pages), which raises on
    one page's bad dictionary (a MediaBox [0 0 /Foo (bar)]): the file is closed anyway."""
    try:
        pdf.close()
    except Exception:
        stream = getattr(pdf, "stream", None)
        if stream is not None and getattr(pdf, "stream_is_external", False) is False:
            stream.close()


def _reason(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:120]


def page_count(path: Path) -> int:
    try:   # pdfium counts without parsing every page's dictionary (one bad page would fail it)
        from .pdfiumchars import page_total
        return page_total(path)
    except Exception:
        pass
    pdf = open_pdf(path)
    try:
        return len(pdf.pages)
    finally:
        _close(pdf)


def _labels(pdf, n: int | None = None) -> list[str] | None:
    try:
        return list(itertools.islice(pdf.doc.get_page_labels(), len(pdf.pages) if n is None else n))
    except Exception:  # no /PageLabels, or a broken one: labels are optional
        return None


# Pages refused before any reader loads them (nested forms drawn over and over).
from .overdrawn import overdrawn_pages  # noqa: E402


def read_pdf(path: Path, workers: int = 2, progress=None, ocr: bool = True, pool=None,
             reader: str = "pdfium") -> list[RawPage]:
    """All pages of the PDF as RawPages, in page order; on the build's worker pool
    (pipeline.workers.Pool) if given, else on one of `workers` processes."""
    from ..workers import Pool, spans

    if pool is None:
        with Pool(workers) as own:
            return read_pdf(path, progress=progress, ocr=ocr, pool=own, reader=reader)
    if reader not in READERS:
        raise ValueError(f"unknown reader {reader!r} (choose from {', '.join(READERS)})")
    n = None
    if reader == "pdfium":
        from .pdfiumchars import page_total
        try:
            n = page_total(path)
        except Exception as exc:  # pdfium cannot open what pdfminer may: read with the reference
            log.debug("%s: pdfium cannot open it (%s); reading with pdfplumber", path, _reason(exc))
            reader = "pdfplumber"
    if n is not None:
        pdf = open_pdf(path, count_pages=lambda: n)
    else:
        pdf = open_pdf(path)
        n = len(pdf.pages)
    try:
        labels = _labels(pdf, n)
        overdrawn = overdrawn_pages(pdf.doc)
    finally:
        _close(pdf)
    pages: list[RawPage] = []
    try:
        work = [(path, reader, a, b, overdrawn) for a, b in spans([1] * n, pool.workers, most=25)]
        with OcrPass(path, pool.workers, progress, enabled=ocr) as ocr_pass:   # OCR in a pool of its own
            for batch in pool.map(_read_span, work):
                pages.extend(batch)
                ocr_pass.submit(batch)
            ocr_pass.finish()
    finally:
        if pool.serial:
            _close_worker()
    if labels:
        for page, label in zip(pages, labels):
            page.label = label
    if ocr:
        _warn_not_ocred(path, pages)
    return pages


# A reading process opens the PDF once and keeps it for all its spans: parsing the
# xref and page tree again per span cost a quarter of the reading time on 500 pages.
# Memory stays flat: every page is closed after it is read.
_PDF = None        # pdfplumber handle (reader "pdfplumber"; with "pdfium" for the font check)
_DOC = None        # pypdfium2 document (reader "pdfium")
_PATH: Path | None = None
_READER = "pdfium"


def _open_worker(path: Path, reader: str = "pdfium") -> None:
    global _PDF, _DOC, _PATH, _READER
    _quiet_pdfminer()
    _PATH, _READER = path, reader
    if reader == "pdfium":
        from .pdfiumchars import open_document
        _DOC = open_document(path)        # pdfplumber only when a page needs it (_plumber)
    else:
        _PDF = open_pdf(path)


def _plumber():
    """The worker's pdfplumber handle, opened on first use by the pdfium reader."""
    global _PDF
    if _PDF is None:
        _PDF = open_pdf(_PATH)
    return _PDF


def _close_worker() -> None:
    global _PDF, _DOC
    if _PDF is not None:
        _close(_PDF)
        _PDF = None
    if _DOC is not None:
        _DOC.close()
        _DOC = None


# A page that takes longer than this to read (a library looping over a hostile page) is
# recorded as damaged (pages.error) and the rest of the file is read. $POLICY_PIPELINE_PAGE_SECONDS.
PAGE_SECONDS = 120.0


class PageTimeout(BaseException):
    """A page over its time limit. A BaseException, as KeyboardInterrupt is: pdfminer and
    pdfplumber catch Exception in places, and would swallow it and read on."""


def _page_seconds() -> float:
    import os
    try:
        return float(os.environ.get("POLICY_PIPELINE_PAGE_SECONDS", PAGE_SECONDS))
    except ValueError:
        return PAGE_SECONDS


def _time_limited(read, *args) -> RawPage:
    """read(*args) under the page time limit (SIGALRM: Python-level loops only; a loop
    inside pdfium's C code ends at its next return to Python)."""
    import signal
    import threading

    seconds = _page_seconds()
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        return read(*args)

    def expired(signum, frame):
        raise PageTimeout(f"page took longer than {seconds:g} s to read")

    old = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return read(*args)
    except PageTimeout as exc:
        return RawPage(page=args[-1] + 1, error=f"PageTimeout: {exc}")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _read_span(path: Path, reader: str, start: int, stop: int,
               refused: dict[int, str] | None = None) -> list[RawPage]:
    """Pages [start, stop) of the PDF; runs in a worker process, which keeps the PDF open
    across spans (and across builds of the same file). Pages in `refused` (index ->
    reason) are not loaded: they are recorded damaged."""
    if (_PDF is None and _DOC is None) or (_PATH, _READER) != (path, reader):
        _close_worker()
        _open_worker(path, reader)
    read, handle = (_read_page, _PDF) if _DOC is None else (_read_page_pdfium, _DOC)
    return [RawPage(page=index + 1, error=f"PageTooLarge: {refused[index]}") if index in (refused or {})
            else _time_limited(read, handle, index) for index in range(start, stop)]


def _read_page(pdf, index: int) -> RawPage:
    record = RawPage(page=index + 1)
    try:
        page = pdf.pages[index]
        record.width, record.height = float(page.width), float(page.height)
        chars, record.image_count = page_chars(pdf, page)
        _fill(record, chars)
        page.close()
    except Exception as exc:  # one damaged page must not sink the edition
        record.error = f"{type(exc).__name__}: {_reason(exc)}"
        record.lines = []
    return record


def _read_page_pdfium(doc, index: int) -> RawPage:
    from .pdfiumchars import page_chars as pdfium_chars
    record = RawPage(page=index + 1)
    try:
        page = doc[index]
        try:
            chars, drawn, record.width, record.height, unmapped = pdfium_chars(page)
            record.image_count, record.path_segments = drawn
        finally:
            page.close()
        if unmapped:
            _load_fonts(_plumber(), index)
        _fill(record, chars)
    except Exception as exc:  # one damaged page must not sink the edition
        record.error = f"{type(exc).__name__}: {_reason(exc)}"
        record.lines = []
    return record


def _load_fonts(pdf, index: int) -> None:
    """Load the page's fonts with pdfminer, raising where a font is broken.

    pdfium reads a page whose font it cannot load with a stand-in font and returns
    garbage ("{,NŒ˜ukce‡" for 第二页正文), some of it without a Unicode mapping;
    pdfminer refuses it. So a page where pdfium finds unmapped glyphs has its fonts
    checked here, and a damaged page is damaged for both readers.
    """
    from pdfminer.pdfinterp import PDFPageInterpreter
    PDFPageInterpreter(pdf.rsrcmgr, None).init_resources(pdf.pages[index].page_obj.resources)


def _fill(record: RawPage, chars: list[dict]) -> None:
    record.lines = chars_to_lines(chars)
    record.rotated_glyphs = sum(1 for c in chars if c.get("text", "").strip() and not c.get("upright", True))
    record.char_count = sum(len(l.text.replace(" ", "")) for l in record.lines)
    record.has_text_layer = record.char_count > 0


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
    """Group characters into physical lines, top to bottom, left to right.

    A line is the characters printed on one baseline (`baseline`: the glyph origin's
    distance from the page top; the box bottom stands in when a reader gives none).
    """
    glyphs = [c for c in chars if c.get("text") and c.get("upright", True)]
    glyphs.sort(key=_baseline)
    rows: list[list[dict]] = []
    anchor = anchor_size = None
    for ch in glyphs:
        base = _baseline(ch)
        size = _size(ch)
        if rows and abs(base - anchor) <= LINE_TOLERANCE * max(size, anchor_size):
            rows[-1].append(ch)
        else:
            rows.append([ch])
            anchor, anchor_size = base, size
    return [line for line in (_row_to_line(r) for r in rows) if line.text]


def _baseline(ch: dict) -> float:
    base = ch.get("baseline")
    return ch["bottom"] if base is None else base


def _size(ch: dict) -> float:
    return ch.get("size") or (ch["bottom"] - ch["top"]) or 10


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
    glyphs = _drop_generated_spaces(glyphs)
    pairs = list(zip(glyphs, glyphs[1:]))
    gaps = [b["x0"] - a["x1"] for a, b in pairs if a["text"] != " " and b["text"] != " "]
    tracking = max(0.0, min(gaps)) if len(gaps) >= TRACKING_MIN_GAPS else 0.0
    # (character, box) pairs; a word space we infer gets the box of the gap.
    cells: list[tuple[str, tuple]] = [(c, _box(glyphs[0])) for c in glyphs[0]["text"]] if glyphs else []
    for prev, ch in pairs:
        text = ch["text"]
        gap = ch["x0"] - prev["x1"] - tracking
        size = min(ch.get("size") or 10, prev.get("size") or 10)
        if (gap > SPACE_GAP * size and text != " " and prev["text"] != " "
                and not (is_cjk(text) and is_cjk(prev["text"]))):
            cells.append((" ", (prev["x1"], ch["top"], ch["x0"], ch["bottom"])))
        cells += [(c, _box(ch)) for c in text]
    cells = _squeeze_spaces(cells)
    text = "".join(c for c, _ in cells)
    sizes = [c.get("size") for c in glyphs if c.get("size") and c["text"].strip()]
    return Line(text=text, top=min(c["top"] for c in glyphs), bottom=max(c["bottom"] for c in glyphs),
                x0=glyphs[0]["x0"], x1=glyphs[-1]["x1"],
                size=round(statistics.median(sizes), 2) if sizes else None,
                boxes=[b for _, b in cells] if text else None)


def _drop_generated_spaces(glyphs: list[dict]) -> list[dict]:
    """A space the reader generated (pdfium, for a space glyph it could not place)
    stays only where the gap it fills is at least a tenth of an em: pdfium also
    generates spaces for gaps its own layout guess finds wide."""
    keep = []
    for ch in glyphs:
        if ch.get("generated") and ch["x1"] - ch["x0"] < GENERATED_SPACE_MIN * (ch.get("size") or 10):
            continue
        keep.append(ch)
    return keep


def _box(ch: dict) -> tuple[float, float, float, float]:
    return (round(ch["x0"], 2), round(ch["top"], 2), round(ch["x1"], 2), round(ch["bottom"], 2))


def _squeeze_spaces(cells: list[tuple[str, tuple]]) -> list[tuple[str, tuple]]:
    """" ".join(text.split()) on (character, box) pairs: runs of whitespace become one
    space, none at the ends."""
    out: list[tuple[str, tuple]] = []
    for c, box in cells:
        if c.isspace():
            if out and out[-1][0] != " ":
                out.append((" ", box))
        else:
            out.append((c, box))
    while out and out[-1][0] == " ":
        out.pop()
    return out


def _quiet_pdfminer() -> None:
    """pdfminer warns about every odd font; that is debug detail, not news."""
    for name in ("pdfminer", "pdfplumber"):
        logging.getLogger(name).setLevel(logging.ERROR if not logging.getLogger().isEnabledFor(logging.DEBUG) else logging.DEBUG)
