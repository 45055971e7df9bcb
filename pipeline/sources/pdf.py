"""Adapter for PDFs: characters from pdfium (default) or pdfplumber, grouped into lines.

Each page is parsed exactly once, its characters grouped into physical lines, and
the page closed at once, so memory stays flat however long the compilation is.
Pages are read in parallel chunks (one document handle per worker process).

Two character readers give the same glyphs (text, x0, x1, top, bottom, size, upright,
baseline): "pdfium" (pdfiumchars, 6-10x faster; columns of glyphs.Glyphs) and
"pdfplumber" (pdfchars, pdfminer's interpreter, as dicts: the reference, and what the
table finder and OCR rendering use). One grouping, chars_to_lines, serves both.
The file is always opened with pdfplumber first, for its one-line errors (encrypted,
damaged) and its page labels.
"""
from __future__ import annotations

import logging
import itertools
import statistics
from pathlib import Path

import numpy as np

from . import Boxes, InputError, Line, PageSpill, RawPage
from .glyphs import BASELINE, BOTTOM, EMPTY, SIZE, TOP, X0, X1, Glyphs, turned_size
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
# A glyph at least this many times the size of the glyphs it is printed over is a stamp
# laid across the text (a 60-pt 仅供参考 over 12-pt lines), not part of them: printed text
# never covers other text, and it joined the line it crossed (最高110供0万元).
STAMP_RATIO = 2.0


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
    """Close a pdfplumber handle: the pages it has parsed, then the file.

    Not pdf.close(): that empties its page cache first and then walks pdf.pages, so it
    parses every page dictionary of the file (2.3 s CPU on a 500-page Chromium print,
    when the build had parsed none) and raises on one page's bad dictionary."""
    for page in pdf.__dict__.get("_pages", ()):
        try:
            page.close()
        except Exception:
            pass
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
             reader: str = "pdfium", spill: PageSpill | None = None, queued=None) -> list[RawPage]:
    """All pages of the PDF as RawPages, in page order; on the build's worker pool
    (pipeline.workers.Pool) if given, else on one of `workers` processes. With `spill`,
    each page goes into that file as it arrives, and the spill is returned. `queued()`
    is called once every page is queued for the workers (the build queues their next
    work behind the reading)."""
    from ..workers import Pool, spans

    if pool is None:
        with Pool(workers) as own:
            return read_pdf(path, progress=progress, ocr=ocr, pool=own, reader=reader, spill=spill, queued=queued)
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
        labels = _labels(pdf, n) or []
        overdrawn = overdrawn_pages(pdf.doc)
    finally:
        _close(pdf)
    pages = spill if spill is not None else []
    try:
        work = [(path, reader, a, b, overdrawn) for a, b in spans([1] * n, pool.workers, most=25)]
        with OcrPass(path, pool.workers, progress, enabled=ocr) as ocr_pass:   # OCR in a pool of its own
            batches = pool.map(_read_span, work)
            if queued is not None:
                queued()
            for batch in batches:
                for page in batch:
                    if page.page <= len(labels):
                        page.label = labels[page.page - 1]
                ocr_pass.submit(batch)     # it keeps the pages it will fill in
                pages.extend(batch)
            filled = ocr_pass.finish()
    finally:
        if pool.serial:
            _close_worker()
    for page in filled:
        pages[page.page - 1] = page        # pages are in page order, from 1
    if ocr:
        _warn_not_ocred(path, filled)      # a page that needs OCR was queued for it
    return pages


# A reading process opens the PDF once and keeps it for PAGES_PER_OPEN pages of its
# spans: parsing the xref and page tree again per span cost a quarter of the reading
# time on 500 pages. Not for ever: a document keeps every object it has parsed, pages
# closed or not (pypdfium2 grew 3.6 MB per 1,000 LibreOffice pages read, pdfminer
# caches its objects alike), so a worker reading 5,000 pages grew by 18 MB; reopened
# every 500 pages it stays flat, and an open costs ~10 ms on 10,000 pages.
PAGES_PER_OPEN = 500
_PDF = None        # pdfplumber handle (reader "pdfplumber"; with "pdfium" for the font check)
_DOC = None        # pypdfium2 document (reader "pdfium")
_PATH: Path | None = None
_READER = "pdfium"
_PAGES_READ = 0    # pages read since the handles were opened


def _open_worker(path: Path, reader: str = "pdfium") -> None:
    global _PDF, _DOC, _PATH, _READER, _PAGES_READ
    _quiet_pdfminer()
    _PATH, _READER, _PAGES_READ = path, reader, 0
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
    global _PAGES_READ
    if (_PDF is None and _DOC is None) or (_PATH, _READER) != (path, reader) or _PAGES_READ >= PAGES_PER_OPEN:
        _close_worker()
        _open_worker(path, reader)
    _PAGES_READ += stop - start
    read, handle = (_read_page, _PDF) if _DOC is None else (_read_page_pdfium, _DOC)
    return [RawPage(page=index + 1, error=f"PageTooLarge: {refused[index]}") if index in (refused or {})
            else _time_limited(read, handle, index) for index in range(start, stop)]


def _read_page(pdf, index: int) -> RawPage:
    record = RawPage(page=index + 1)
    try:
        page = pdf.pages[index]
        chars, record.image_count, record.turn = page_chars(pdf, page)
        record.width, record.height = map(float, turned_size(page.width, page.height, record.turn))
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
            chars, drawn, record.width, record.height, unmapped, record.turn = pdfium_chars(page)
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


def _fill(record: RawPage, chars: Glyphs | list[dict]) -> None:
    glyphs = chars if isinstance(chars, Glyphs) else Glyphs.from_dicts(chars)
    _, blank = _code_props(glyphs.codes, glyphs.extras)
    stamp = stamped_over(glyphs, blank)
    record.stamped_glyphs = int(np.count_nonzero(stamp))
    if record.stamped_glyphs:
        glyphs, blank = glyphs.take(~stamp), blank[~stamp]
    record.lines = chars_to_lines(glyphs)
    record.rotated_glyphs = int(np.count_nonzero(~blank & ~glyphs.upright))
    record.char_count = sum(len(l.text) - l.text.count(" ") for l in record.lines)
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


def stamped_over(g: Glyphs, blank: np.ndarray) -> np.ndarray:
    """Mask of the upright glyphs printed over smaller ones (STAMP_RATIO): a glyph whose
    box holds the centre of a printed glyph at most 1 / STAMP_RATIO its size. Only glyphs
    STAMP_RATIO times the page's median size are looked at: on most pages none. The rest
    of a stamp's run (same size, same baseline) goes with it: 考 of 仅供参考 lay past the
    end of the line the rest covered."""
    stamp = np.zeros(len(g), bool)
    printed = (~blank & g.upright).nonzero()[0]
    if len(printed) < 2:
        return stamp
    geo = g.geometry[printed]
    size = np.where(geo[:, SIZE] != 0, geo[:, SIZE], geo[:, BOTTOM] - geo[:, TOP])
    cx, cy = (geo[:, X0] + geo[:, X1]) / 2, (geo[:, TOP] + geo[:, BOTTOM]) / 2
    large = (size >= STAMP_RATIO * np.median(size)).nonzero()[0]
    over = np.zeros(len(large), bool)
    for i, k in enumerate(large):
        over[i] = ((geo[k, X0] <= cx) & (cx <= geo[k, X1]) & (geo[k, TOP] <= cy) & (cy <= geo[k, BOTTOM])
                   & (size * STAMP_RATIO <= size[k])).any()
    for k in large[over]:
        run = large[(np.abs(size[large] - size[k]) <= 0.01 * size[k])
                    & (np.abs(geo[large, BASELINE] - geo[k, BASELINE]) <= 0.1 * size[k])]
        stamp[printed[run]] = True
    return stamp


def chars_to_lines(chars: Glyphs | list[dict]) -> list[Line]:
    """Group characters into physical lines, top to bottom, left to right.

    A line is the characters printed on one baseline (`baseline`: the glyph origin's
    distance from the page top; the box bottom stands in when a reader gives none).
    Within a line: a glyph printed twice (fake bold) counts once, a space pdfium made
    up stays only over a real gap, a gap wider than SPACE_GAP (beyond the line's letter
    spacing) is a space unless both neighbours are CJK, and whitespace runs become one
    space. The page is done in whole-array steps (numpy): a loop over per-glyph dicts
    cost ~5.5 us per glyph, 1.4 s CPU per 500 pages; this ~0.7 us, 0.18 s.
    """
    g = chars if isinstance(chars, Glyphs) else Glyphs.from_dicts(chars)
    index = ((g.codes != EMPTY) & g.upright).nonzero()[0]
    if not len(index):
        return []
    # By baseline, then rows; within a row by x0. Stable sorts: ties keep content order.
    index = index[np.argsort(g.baseline[index], kind="stable")]
    geo = g.geometry[index]
    size = geo[:, SIZE]
    line_size = np.where(size != 0, size, geo[:, BOTTOM] - geo[:, TOP])
    row = _rows(geo[:, BASELINE], np.where(line_size != 0, line_size, 10.0))
    order = np.lexsort((geo[:, X0], row))
    geo, row, codes = geo[order], row[order], g.codes[index[order]]
    size10 = _or10(geo[:, SIZE])
    keep = _not_doubled(codes, geo[:, X0], size10, row)
    # A space the reader generated (pdfium, for a space glyph it could not place) stays
    # only where the gap it fills is at least a tenth of an em: pdfium also generates
    # spaces for gaps its own layout guess finds wide.
    keep &= ~(g.generated[index[order]] & (geo[:, X1] - geo[:, X0] < GENERATED_SPACE_MIN * size10))
    return _lines(codes[keep], geo[keep], row[keep], g.extras)


def _or10(size: np.ndarray) -> np.ndarray:
    """`size or 10`: a size of 0 (none given) counts as 10 pt."""
    return np.where(size != 0, size, 10.0)


def _rows(base: np.ndarray, size: np.ndarray) -> np.ndarray:
    """Row number of each glyph (sorted by baseline): a row takes glyphs while their
    baseline is within LINE_TOLERANCE of the larger size from its first glyph's."""
    # Guess the rows from the jumps between neighbours, and keep the guess if every glyph
    # fits its row's first glyph and every row's first glyph misses the row before: that
    # is what the loop below finds (profiled: 0.2 s -> 0.03 s per 500 pages).
    start = np.ones(len(base), bool)
    start[1:] = ~(base[1:] - base[:-1] <= LINE_TOLERANCE * np.maximum(size[1:], size[:-1]))
    starts = start.nonzero()[0]
    rid = np.cumsum(start) - 1
    fits = np.abs(base - base[starts][rid]) <= LINE_TOLERANCE * np.maximum(size, size[starts][rid])
    before = starts[:-1]
    misses = ~(np.abs(base[starts[1:]] - base[before]) <= LINE_TOLERANCE * np.maximum(size[starts[1:]], size[before]))
    if fits[~start].all() and misses.all():
        return rid
    starts = []
    anchor = anchor_size = 0.0
    for k, (b, s) in enumerate(zip(base.tolist(), size.tolist())):
        if not starts or not abs(b - anchor) <= LINE_TOLERANCE * max(s, anchor_size):
            starts.append(k)
            anchor, anchor_size = b, s
    return np.repeat(np.arange(len(starts)), np.diff(np.append(starts, len(base))))


def _not_doubled(codes: np.ndarray, x0: np.ndarray, size: np.ndarray, row: np.ndarray) -> np.ndarray:
    """Which glyphs (by row, left to right) to keep: fake bold prints a glyph twice at
    (almost) the same spot, and the repeat closer than DUPLICATE_SHIFT em to the last
    kept glyph of the same text is dropped. Spaces are never repeats."""
    repeat = np.zeros(len(codes), bool)
    repeat[1:] = ((row[1:] == row[:-1]) & (codes[1:] == codes[:-1]) & (codes[1:] != 0x20)
                  & (np.abs(x0[1:] - x0[:-1]) < DUPLICATE_SHIFT * size[1:]))
    keep = ~repeat
    last = -1
    # A glyph printed three times or more: each repeat is measured from the last glyph kept.
    for i in repeat.nonzero()[0].tolist():
        if keep[i - 1]:
            last = i - 1
        keep[i] = not abs(x0[i] - x0[last]) < DUPLICATE_SHIFT * size[i]
    return keep


def _lines(codes: np.ndarray, geo: np.ndarray, row: np.ndarray, extras: list[str]) -> list[Line]:
    """The Lines of glyphs (codes, geometry as in Glyphs) grouped by `row` and left to
    right in each."""
    x0, x1, top, bottom, size = geo[:, X0], geo[:, X1], geo[:, TOP], geo[:, BOTTOM], geo[:, SIZE]
    n = len(codes)
    first = np.ones(n, bool)
    first[1:] = row[1:] != row[:-1]
    rid = first.cumsum() - 1                     # rows numbered 0..R-1
    starts = first.nonzero()[0]
    cjk, blank = _code_props(codes, extras)
    inserted = _word_spaces(codes, geo, first, rid, len(starts), cjk)
    cell_codes, cell_boxes, cell_row = _squeeze_spaces(*_cells(codes, geo, rid, inserted, blank, extras))
    text = cell_codes.astype("<u4").tobytes().decode("utf-32-le", "surrogatepass")
    packed = cell_boxes.tobytes()
    bounds = np.searchsorted(cell_row, np.arange(len(starts) + 1)).tolist()
    line_tops = np.minimum.reduceat(top, starts).tolist()
    line_bottoms = np.maximum.reduceat(bottom, starts).tolist()
    line_x0 = x0[starts].tolist()
    line_x1 = x1[np.append(starts[1:], n) - 1].tolist()
    medians = _median_sizes(size, ~blank & (size != 0), rid, len(starts))
    lines = []
    for r, (a, b) in enumerate(zip(bounds, bounds[1:])):
        if a < b:
            lines.append(Line(text=text[a:b], top=line_tops[r], bottom=line_bottoms[r], x0=line_x0[r],
                              x1=line_x1[r], size=medians[r], boxes=Boxes(packed[32 * a:32 * b])))
    return lines


def _word_spaces(codes: np.ndarray, geo: np.ndarray, first: np.ndarray, rid: np.ndarray, rows: int,
                 cjk: np.ndarray) -> np.ndarray:
    """Which glyphs get a word space before them: the gap from the glyph before, beyond
    the line's letter spacing, is wider than SPACE_GAP of the smaller font, neither is a
    space and not both are CJK."""
    x0, x1, size10 = geo[:, X0], geo[:, X1], _or10(geo[:, SIZE])
    space = codes == 0x20
    gap = np.zeros(len(codes))
    gap[1:] = x0[1:] - x1[:-1]
    pair = ~first & ~space
    pair[1:] &= ~space[:-1]
    # Letter spacing: with at least TRACKING_MIN_GAPS gaps between non-space glyphs, all
    # of them wide, the smallest is the spacing and only what exceeds it can be a space.
    counted = np.bincount(rid[pair], minlength=rows)
    smallest = np.full(rows, np.inf)
    np.minimum.at(smallest, rid[pair], gap[pair])
    tracking = np.where((counted >= TRACKING_MIN_GAPS) & (smallest > 0), smallest, 0.0)
    prev_size = np.empty(len(codes))
    prev_size[0], prev_size[1:] = 10.0, size10[:-1]
    inserted = pair & (gap - tracking[rid] > SPACE_GAP * np.where(prev_size < size10, prev_size, size10))
    inserted[1:] &= ~(cjk[1:] & cjk[:-1])
    return inserted


def _cells(codes: np.ndarray, geo: np.ndarray, rid: np.ndarray, inserted: np.ndarray, blank: np.ndarray,
           extras: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(code point, box, row, is whitespace) of every character of the lines: per glyph
    its inferred word space (the box of the gap) if any, then its characters (its box
    rounded to 0.01 pt, as provenance has always been)."""
    n = len(codes)
    lengths = np.ones(n, np.int64)
    multi = (codes < EMPTY).nonzero()[0].tolist()
    for k in multi:
        lengths[k] = len(extras[-2 - codes[k]])
    # Two slots per glyph, (space, glyph), repeated 0/1 and len(text) times.
    counts = np.empty(2 * n, np.int64)
    counts[0::2], counts[1::2] = inserted, lengths
    slot_codes = np.empty(2 * n, np.int64)
    slot_codes[0::2], slot_codes[1::2] = 0x20, codes
    slot_white = np.empty(2 * n, bool)
    slot_white[0::2], slot_white[1::2] = True, blank      # one character: blank is whitespace
    boxes = np.empty((2 * n, 4))
    boxes[1::2] = _round2(geo[:, [X0, TOP, X1, BOTTOM]])
    gaps = geo[:, [X1, TOP, X0, BOTTOM]]                  # (previous x1, top, x0, bottom)
    gaps[1:, 0] = geo[:-1, X1]
    boxes[0::2] = gaps
    cell_codes, white = slot_codes.repeat(counts), slot_white.repeat(counts)
    if multi:
        ends = counts.cumsum()
        for k in multi:
            text = extras[-2 - codes[k]]
            cell_codes[ends[2 * k + 1] - len(text):ends[2 * k + 1]] = [ord(c) for c in text]
            white[ends[2 * k + 1] - len(text):ends[2 * k + 1]] = [c.isspace() for c in text]
    return cell_codes, boxes.repeat(counts, axis=0), rid.repeat(2).repeat(counts), white


def _squeeze_spaces(codes: np.ndarray, boxes: np.ndarray, row: np.ndarray,
                    white: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """" ".join(text.split()) per row on the cells: a run of whitespace becomes one space
    (with the first one's box), none at either end of a row."""
    first = np.ones(len(codes), bool)
    first[1:] = row[1:] != row[:-1]
    kept = ~white
    kept[1:] |= ~first[1:] & ~white[:-1]
    codes, boxes, row, white = codes[kept], boxes[kept], row[kept], white[kept]
    last = np.ones(len(codes), bool)
    last[:-1] = row[1:] != row[:-1]
    kept = ~(last & white)
    codes[white] = 0x20
    return codes[kept], boxes[kept], row[kept]


def _median_sizes(size: np.ndarray, counted: np.ndarray, rid: np.ndarray, rows: int) -> list[float | None]:
    """Per row, the median size of its printed glyphs, rounded to 0.01 pt (None: none).
    Most lines are set in one size: that is their median, without sorting."""
    chosen = counted.nonzero()[0]
    values, owner = size[chosen], rid[chosen]
    count = np.bincount(owner, minlength=rows)
    present = count.nonzero()[0]
    out: list[float | None] = [None] * rows
    if not len(present):
        return out
    starts = np.searchsorted(owner, present)
    low, high = np.minimum.reduceat(values, starts).tolist(), np.maximum.reduceat(values, starts).tolist()
    for r, a, m, lo, hi in zip(present.tolist(), starts.tolist(), count[present].tolist(), low, high):
        out[r] = round(lo, 2) if lo == hi else round(statistics.median(values[a:a + m].tolist()), 2)
    return out


def _round2(values: np.ndarray) -> np.ndarray:
    """round(x, 2) of every value, exactly as Python rounds (the nearest two-decimal
    number, ties to even). rint(x * 100) / 100 is that unless x * 100 lies within
    rounding error of a half (0.125); those few values go through round() itself."""
    scaled = values * 100
    out = np.rint(scaled) / 100
    doubt = ~(np.abs(np.abs(scaled - np.trunc(scaled)) - 0.5) > 1e-6) | ~(np.abs(values) < 1e7)
    for i in zip(*np.nonzero(doubt)):
        out[i] = round(float(values[i]), 2)
    return out


# Per code point, once known: bit 1 known, bit 2 CJK (pipeline.text.is_cjk), bit 4 blank
# (nothing left once stripped). A table indexed by the codes (1.1 MB, touched only where
# used) instead of a dict lookup per distinct code and page (profiled: 0.32 s -> 0.03 s
# per 500 pages).
_KNOWN, _CJK, _BLANK = 1, 2, 4
_PROPS = np.zeros(0x110000, np.uint8)


def _code_props(codes: np.ndarray, extras) -> tuple[np.ndarray, np.ndarray]:
    """(is CJK, is blank) for each glyph code (see glyphs.Glyphs.codes)."""
    single = codes >= 0
    props = np.where(single, _PROPS[np.where(single, codes, 0)], _KNOWN | _BLANK)    # EMPTY is blank
    new = single & (props == 0)
    if new.any():
        for code in set(codes[new].tolist()):    # not np.unique: it imports numpy.ma, 40 ms a worker
            _PROPS[code] = _props_of(chr(code))
        props[new] = _PROPS[codes[new]]
    for k in (codes < EMPTY).nonzero()[0].tolist():
        props[k] = _props_of(extras[-2 - codes[k]])
    return (props & _CJK) != 0, (props & _BLANK) != 0


def _props_of(text: str) -> int:
    return _KNOWN | (_CJK if is_cjk(text) else 0) | (_BLANK if not text.strip() else 0)


def _quiet_pdfminer() -> None:
    """pdfminer warns about every odd font; that is debug detail, not news."""
    for name in ("pdfminer", "pdfplumber"):
        logging.getLogger(name).setLevel(logging.ERROR if not logging.getLogger().isEnabledFor(logging.DEBUG) else logging.DEBUG)
