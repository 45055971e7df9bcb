"""Characters of one PDF page from pdfium (pypdfium2), the default reader.

pdfium parses a page 6-10x faster than pdfminer and places glyphs by their origin on
the baseline, which is what the page prints; pdfminer derives each box from the
font's descent, and 方正 files whose second font (digits, Latin) has a wrong descent
get boxes 14-17 pt below the line they sit on. We read, per character: the code
point (FPDFText_GetUnicode), the loose box (advance width x font height, as pdfminer
computes it), the origin and the matrix, into the columns of glyphs.Glyphs (the values
pdfminer's device gives: text, x0, x1, top, bottom, size, upright, plus `baseline`, the
origin's distance from the page top).

The loop runs in C (_pdfium_loop.c, built by setup.py) where it was built: through
ctypes it took ~18 us per character (about ten calls each), 5.8 s CPU per 500 pages of
a Chromium print; in C 0.04 s. The ctypes loop (_chars_python) stays as the fallback
and the reference: tests/test_readers.py requires the same bits from both.

Line breaks pdfium adds itself are skipped. The spaces it adds (FPDFText_IsGenerated)
are kept as `generated` only where the page draws a glyph there: Chromium prints a
space as a text object of its own, which pdfium gives no character and replaces with
a generated space ("156 行动"). LibreOffice and Word draw no glyph for their
Asian-Latin spacing (0.15-0.25 em between 2022 and 年), and pdfium generates a space
for that gap too: such a space is dropped, and chars_to_lines judges the gap as it
judges any other (pdfplumber's characters have no space there: "2022年").

A page whose text is set sideways or upside down (a landscape table printed on portrait
paper: every glyph at 90 degrees) is read turned, as a viewer turns it: see glyphs.reading_turn.
"""
from __future__ import annotations

import ctypes
import math
from array import array

import numpy as np

import pypdfium2 as pdfium
import pypdfium2.raw as raw

from .glyphs import (BASELINE, BLANK, BOTTOM, EMPTY, SIZE, TOP, X0, X1, Glyphs, is_upright, quarter, reading_turn,
                     turned_size)


def open_document(path) -> pdfium.PdfDocument:
    return pdfium.PdfDocument(str(path))


def page_total(path) -> int:
    doc = open_document(path)
    try:
        return len(doc)
    finally:
        doc.close()


try:   # the C loop (setup.py builds it; optional): page_chars ~12x cheaper than with the ctypes loop
    from . import _pdfium_loop
except ImportError:    # no compiler at install time: the pure-Python loop, same results
    _pdfium_loop = None

# The pdfium functions the C loop calls, in the order _pdfium_loop.c numbers them.
_C_FUNCTIONS = ("FPDFText_GetUnicode", "FPDFText_IsGenerated", "FPDFText_HasUnicodeMapError",
                "FPDFText_GetTextObject", "FPDFText_GetMatrix", "FPDFText_GetFontSize", "FPDFTextObj_GetFont",
                "FPDFFont_GetDescent", "FPDFText_GetLooseCharBox", "FPDFText_GetCharOrigin",
                "FPDFPage_CountObjects", "FPDFPage_GetObject", "FPDFPageObj_GetType", "FPDFPath_CountSegments",
                "FPDFFormObj_CountObjects", "FPDFFormObj_GetObject")
_TEXT_OBJECT = 1     # FPDF_PAGEOBJ_TEXT
_addresses: tuple[int, ...] | None = None


def _functions() -> tuple[int, ...]:
    """The addresses of _C_FUNCTIONS in the loaded pdfium."""
    global _addresses
    if _addresses is None:
        _addresses = tuple(ctypes.cast(getattr(raw, name), ctypes.c_void_p).value for name in _C_FUNCTIONS)
    return _addresses


def _address(handle) -> int:
    return ctypes.cast(handle, ctypes.c_void_p).value


def _drawn(page, use_c: bool = True) -> tuple[int, int, np.ndarray]:
    """(image objects, path segments, the text objects' addresses in drawing order) of
    the page, inside form XObjects too (raw calls: pypdfium2's get_objects wraps every
    object, and a Chromium page has one per glyph). Path segments tell pipeline.tables
    which pages may hold a ruled table; the text objects, which generated spaces stand
    for a drawn glyph (_spaces_not_drawn)."""
    if _pdfium_loop is not None and use_c:
        images, segments, texts = _pdfium_loop.drawn(_functions(), _address(page.raw))
        return images, segments, np.frombuffer(texts, np.uint64)
    count_type, image, form, path = (raw.FPDFPageObj_GetType, raw.FPDF_PAGEOBJ_IMAGE, raw.FPDF_PAGEOBJ_FORM,
                                     raw.FPDF_PAGEOBJ_PATH)
    texts = array("Q")

    def count(objects, depth: int) -> tuple[int, int]:
        images = segments = 0
        for obj in objects:
            kind = count_type(obj)
            if kind == image:
                images += 1
            elif kind == path:
                segments += max(0, raw.FPDFPath_CountSegments(obj))
            elif kind == _TEXT_OBJECT:
                texts.append(_address(obj))
            elif kind == form and depth < 8:
                i, s = count((raw.FPDFFormObj_GetObject(obj, k) for k in range(raw.FPDFFormObj_CountObjects(obj))),
                             depth + 1)
                images, segments = images + i, segments + s
        return images, segments

    handle = page.raw
    images, segments = count((raw.FPDFPage_GetObject(handle, k) for k in range(raw.FPDFPage_CountObjects(handle))), 0)
    return images, segments, np.frombuffer(texts.tobytes(), np.uint64)


def _objects_over(page, most: int, use_c: bool = True) -> int | None:
    """The number of objects drawn on the page, forms expanded, if more than `most`
    (counting stops there, so a form drawn 10^9 times costs `most` steps); else None."""
    if _pdfium_loop is not None and use_c:
        return _pdfium_loop.objects_over(_functions(), _address(page.raw), most)
    get_type, form = raw.FPDFPageObj_GetType, raw.FPDF_PAGEOBJ_FORM
    seen = 0
    stack = [(raw.FPDFPage_GetObject, page.raw, raw.FPDFPage_CountObjects(page.raw))]
    while stack:
        get, parent, n = stack.pop()
        seen += n
        if seen > most:
            return seen
        for k in range(n):
            obj = get(parent, k)
            if get_type(obj) == form:
                stack.append((raw.FPDFFormObj_GetObject, obj, raw.FPDFFormObj_CountObjects(obj)))
    return None


def _unrotate(rotation: int, width: float, height: float):
    """A function from pdfium's unrotated page space (y up) to the displayed page
    (x right, top down), as pdfminer's interpreter rotates it."""
    if rotation == 90:
        return lambda x, y: (y, x)
    if rotation == 180:
        return lambda x, y: (width - x, y)
    if rotation == 270:
        return lambda x, y: (height - y, width - x)
    return lambda x, y: (x, height - y)


def _turn(rotation: int, a: float, b: float, c: float, d: float) -> tuple[float, float, float, float]:
    """A glyph matrix's linear part as the rotated page displays it (y up)."""
    if rotation == 90:
        return b, -a, d, -c
    if rotation == 180:
        return -a, -b, -c, -d
    if rotation == 270:
        return -b, a, -d, c
    return a, b, c, d


# A dense A4 page of 9-pt text holds about 3,000 glyphs; a page with more than this is
# a form drawn over and over (nested XObjects, "billion laughs"), not text to read.
MAX_PAGE_GLYPHS = 100_000


class PageTooLarge(Exception):
    """A page whose text would take unbounded time or memory to read."""


def _reading_turn(quarters: np.ndarray, blank: np.ndarray) -> int:
    """glyphs.reading_turn of the glyphs' writing directions (`quarters`), spaces left out."""
    return reading_turn(np.bincount(quarters[~blank], minlength=4))


_BLANK_CODES = np.array([ord(ch) for ch in BLANK])


def page_chars(page, use_c: bool = True) -> tuple[Glyphs, tuple[int, int], float, float, int, int]:
    """(glyphs, (image count, path segments), width, height, glyphs without a Unicode
    mapping, turn) of a pypdfium2 page. `use_c=False` runs the pure-Python loop (the
    reference). `turn`: degrees the page was turned clockwise to read its text
    (glyphs.reading_turn); the geometry and width and height are the turned page's."""
    read = _page_chars(page, use_c, 0)
    turn = read[-1]
    return (*_page_chars(page, use_c, turn)[:-1], turn) if turn else read


def _page_chars(page, use_c: bool, turn: int) -> tuple[Glyphs, tuple[int, int], float, float, int, int]:
    """page_chars with the page read `turn` degrees turned; the turn it needs, when read
    as displayed (turn 0: then nothing but the glyphs' directions is worked out)."""
    # Coordinates from the MediaBox, as pdfminer's interpreter sets them up; a page read
    # turned is read as if its /Rotate said so.
    left, low, right, high = page.get_mediabox()
    base_w, base_h = round(right - left, 3), round(high - low, 3)
    rotation = (page.get_rotation() + turn) % 360
    width, height = turned_size(base_w, base_h, rotation)
    # pdfium's text page of 10^5 glyphs takes 40 s in C, where no time limit reaches:
    # refuse the page before (a page that draws a form over and over, "billion laughs").
    if _objects_over(page, MAX_PAGE_GLYPHS, use_c) is not None:
        raise PageTooLarge(f"more than {MAX_PAGE_GLYPHS:,} objects drawn on one page (nested forms drawn "
                           "over and over?)")
    textpage = page.get_textpage()
    count = raw.FPDFText_CountChars(textpage.raw)
    if count > MAX_PAGE_GLYPHS:
        textpage.close()
        raise PageTooLarge(f"{count:,} glyphs on one page (at most {MAX_PAGE_GLYPHS:,} read; "
                           "nested forms drawn over and over?)")
    try:
        if _pdfium_loop is not None and use_c:
            codes, geometry, flags, unmapped, objects = _pdfium_loop.chars(
                _functions(), _address(textpage.raw), count, rotation, left, low, base_w, base_h, math.hypot)
        else:
            codes, geometry, flags, unmapped, objects = _chars_python(textpage.raw, count, rotation, left, low,
                                                                      base_w, base_h)
    finally:
        textpage.close()
    glyphs, quarters, objects = _glyphs(codes, geometry, flags), np.frombuffer(flags, np.uint8) >> 2, \
        np.frombuffer(objects, np.uint64)
    visible = _on_the_visible_page(glyphs, visible_rect(page, turn))
    if visible is not None:
        glyphs, quarters, objects = glyphs.take(visible), quarters[visible], objects[visible]
    if turn == 0:
        needed = _reading_turn(quarters, glyphs.generated | np.isin(glyphs.codes, _BLANK_CODES))
        if needed:
            return glyphs, (0, 0), float(width), float(height), unmapped, needed     # to be read again, turned
    images, segments, texts = _drawn(page, use_c)
    not_drawn = _spaces_not_drawn(glyphs, objects, texts)
    if not_drawn.any():
        glyphs = glyphs.take(~not_drawn)
    return _place_generated(glyphs), (images, segments), float(width), float(height), unmapped, 0


def visible_rect(page, turn: int = 0) -> tuple[float, float, float, float] | None:
    """The page's CropBox (x0, top, x1, bottom) in the reader's coordinates (from the
    MediaBox, the page turned `turn` degrees), None when it is the MediaBox. Only what
    lies in the CropBox is displayed and printed: a booklet's spread split into pages by
    CropBoxes keeps both pages' text on each."""
    media, crop = page.get_mediabox(), page.get_cropbox()
    if all(abs(a - b) < 0.01 for a, b in zip(media, crop)):
        return None
    left, low, right, high = media
    rotation = (page.get_rotation() + turn) % 360
    to_page = _unrotate(rotation, round(right - left, 3), round(high - low, 3))
    (ax, ay), (bx, by) = to_page(crop[0] - left, crop[1] - low), to_page(crop[2] - left, crop[3] - low)
    return min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)


def _on_the_visible_page(glyphs: Glyphs, rect) -> np.ndarray | None:
    """Mask of the glyphs whose box centre lies in `rect` (visible_rect); None when all do."""
    if rect is None or not len(glyphs):
        return None
    x0, top, x1, bottom = rect
    g = glyphs.geometry
    cx, cy = (g[:, X0] + g[:, X1]) / 2, (g[:, TOP] + g[:, BOTTOM]) / 2
    inside = (cx >= x0) & (cx <= x1) & (cy >= top) & (cy <= bottom)
    return None if inside.all() else inside


def _spaces_not_drawn(glyphs: Glyphs, objects: np.ndarray, drawn: np.ndarray) -> np.ndarray:
    """The generated spaces with no glyph drawn for them: no text object without
    characters of its own (Chromium's space glyph) is drawn between the objects of the
    glyphs around the space. `objects`: each glyph's text object (0: none); `drawn`: the
    page's text objects in drawing order."""
    generated = glyphs.generated.nonzero()[0]
    if not len(generated):
        return glyphs.generated
    # Each glyph's object as its place in drawing order (-1: none, or not found).
    order = np.full(len(objects), -1, np.int64)
    if len(drawn):
        sorter = np.argsort(drawn, kind="stable")
        at = sorter[np.minimum(np.searchsorted(drawn, objects, sorter=sorter), len(drawn) - 1)]
        found = drawn[at] == objects
        order[found] = at[found]
    blank = np.ones(len(drawn) + 1, bool)           # objects no glyph comes from
    blank[order[order >= 0]] = False
    blanks_before = np.concatenate(([0], np.cumsum(blank[:-1])))   # blank objects before each object
    # Each space's neighbours: the last real glyph before it and the first after it.
    n = len(glyphs)
    real = ~glyphs.generated & (order >= 0)
    last_real = np.maximum.accumulate(np.where(real, np.arange(n), -1))
    next_real = np.minimum.accumulate(np.where(real, np.arange(n), n)[::-1])[::-1]
    prev = np.where(generated > 0, last_real[np.maximum(generated - 1, 0)], -1)
    nxt = np.where(generated + 1 < n, next_real[np.minimum(generated + 1, n - 1)], n)
    inside = (prev >= 0) & (nxt < n)               # at a page's edge: _place_generated drops it anyway
    a = np.minimum(order[np.maximum(prev, 0)], order[np.minimum(nxt, n - 1)])
    b = np.maximum(order[np.maximum(prev, 0)], order[np.minimum(nxt, n - 1)])
    blanks_between = blanks_before[b] - blanks_before[np.minimum(a + 1, b)]
    not_drawn = np.zeros(n, bool)
    not_drawn[generated] = inside & (blanks_between <= 0)
    return not_drawn


def _glyphs(codes: bytes, geometry: bytes, flags: bytes) -> Glyphs:
    """Glyphs from the loop's packed arrays (int32 codes; x0 x1 top bottom size baseline
    per glyph; bit 0 upright, bit 1 generated)."""
    bits = np.frombuffer(flags, np.uint8)
    points = np.frombuffer(codes, np.int32).astype(np.int64)
    points[points == 0] = EMPTY          # a glyph pdfium has no code point for: no text
    return Glyphs(points, np.frombuffer(geometry, np.float64), (bits & 1) != 0, (bits & 2) != 0)


def _chars_python(tp, count: int, rotation: int, left: float, low: float, base_w: float,
                  base_h: float) -> tuple[bytes, bytes, bytes, int]:
    """The C loop's result, computed with ctypes calls (~18 us per glyph)."""
    turned = _unrotate(rotation, base_w, base_h)

    def to_page(x: float, y: float) -> tuple[float, float]:
        return turned(x - left, y - low)
    codes, geometry, flags, addresses = array("i"), array("d"), bytearray(), array("Q")
    rect, matrix = raw.FS_RECTF(), raw.FS_MATRIX()
    ox, oy, value = ctypes.c_double(), ctypes.c_double(), ctypes.c_float()
    # What is constant for one text object: its matrix, size and font (descent).
    objects: dict[int, tuple[float, float, bool, int]] = {}
    descents: dict[int, float] = {}
    get_unicode, is_generated = raw.FPDFText_GetUnicode, raw.FPDFText_IsGenerated
    unmapped = 0
    get_box, get_origin, get_object = raw.FPDFText_GetLooseCharBox, raw.FPDFText_GetCharOrigin, raw.FPDFText_GetTextObject
    for i in range(count):
        code = get_unicode(tp, i)
        generated = is_generated(tp, i) == 1
        if generated and code != 0x20:
            continue
        if 0xD800 <= code <= 0xDBFF:      # a surrogate pair: pdfium gives each half its index
            code = 0x10000 + ((code - 0xD800) << 10) + (get_unicode(tp, i + 1) - 0xDC00)
        elif 0xDC00 <= code <= 0xDFFF:
            continue
        chr(code)                         # a code point out of range: ValueError, the page is damaged
        if code in (0x0D, 0x0A, 0x02):    # "\r", "\n", "\x02"
            continue
        if raw.FPDFText_HasUnicodeMapError(tp, i) == 1:
            unmapped += 1
        obj = get_object(tp, i)
        key = ctypes.cast(obj, ctypes.c_void_p).value or -i
        if key not in objects:
            raw.FPDFText_GetMatrix(tp, i, matrix)
            a, b, c, d = _turn(rotation, matrix.a, matrix.b, matrix.c, matrix.d)
            size = raw.FPDFText_GetFontSize(tp, i) * math.hypot(c, d)
            objects[key] = (size, _descent(obj, descents, value) * size, is_upright(a, b, c, d), quarter(a, b))
        size, descent, upright, facing = objects[key]
        get_box(tp, i, rect)
        get_origin(tp, i, ox, oy)
        (x0, top), (x1, bottom) = to_page(rect.left, rect.top), to_page(rect.right, rect.bottom)
        x_origin, baseline = to_page(ox.value, oy.value)
        if upright:
            # As pdfminer: the advance from the origin, the em box from the font's descent.
            x0, x1 = x_origin, max(x_origin, x0, x1)
            bottom, top = baseline - descent, baseline - descent - size
        codes.append(code)
        geometry.extend((min(x0, x1), max(x0, x1), min(top, bottom), max(top, bottom), size, baseline))
        flags.append(upright | generated << 1 | facing << 2)
        addresses.append(max(key, 0))
    return codes.tobytes(), geometry.tobytes(), bytes(flags), unmapped, addresses.tobytes()


def _descent(textobj, cache: dict[int, float], value: ctypes.c_float) -> float:
    """The font's descent (negative: below the baseline) per point of font size."""
    font = raw.FPDFTextObj_GetFont(textobj) if textobj else None
    key = ctypes.cast(font, ctypes.c_void_p).value or 0 if font else 0
    if key not in cache:
        found = value.value if font and raw.FPDFFont_GetDescent(font, 1.0, value) else 0.0
        cache[key] = -abs(found)   # some fonts state it positive; pdfminer flips it too
    return cache[key]


def _place_generated(glyphs: Glyphs) -> Glyphs:
    """Put each generated space in the gap between its neighbours in content order
    (pdfium's own box for it is a point somewhere near); drop it at a line break.
    The neighbours: the last glyph before it that pdfium did not generate, and the next
    glyph, which must be a real one."""
    generated = glyphs.generated.nonzero()[0]
    if not len(generated):
        return glyphs
    n = len(glyphs)
    last_real = np.maximum.accumulate(np.where(glyphs.generated, -1, np.arange(n)))
    prev = np.where(generated > 0, last_real[generated - 1], -1)
    nxt = generated + 1
    placed = (prev >= 0) & (nxt < n)
    generated, prev, nxt = generated[placed], prev[placed], nxt[placed]
    old = glyphs.geometry
    placed = (~glyphs.generated[nxt] & ~(old[nxt, X0] < old[prev, X1])
              & ~(np.abs(old[nxt, BASELINE] - old[prev, BASELINE]) > 0.45 * np.maximum(old[nxt, SIZE], old[prev, SIZE])))
    generated, prev, nxt = generated[placed], prev[placed], nxt[placed]
    # The next glyph's box over the gap, as the space.
    geometry, upright = old.copy(), glyphs.upright.copy()
    geometry[generated] = old[nxt]
    geometry[generated, X0], geometry[generated, X1] = old[prev, X1], old[nxt, X0]
    upright[generated] = upright[nxt]
    keep = ~glyphs.generated
    keep[generated] = True
    return Glyphs(glyphs.codes, geometry, upright, glyphs.generated).take(keep)
