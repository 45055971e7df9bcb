"""One page (or the scanned regions of one page) of a PDF in, its OCR lines out.

Render (render.py) -> cache (cache.py) or engine (engine.py) -> clean-up (cleanup.py).
Lines come back with geometry in PDF points from the page's top-left, top to bottom, so
furniture removal treats OCR lines like text-layer lines ("— 390 —" in the footer is
the printed page number). A scan set sideways or upside down is read turned the way
its lines read (`sideways`, `upside_down`). The PDF is opened with pypdfium2 once per process.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ..sources import Line
from . import engine
from .cache import cache_key, cache_read, cache_write
from .cleanup import ocr_lines
from .render import PREVIEW, SPECK, page_scale, patches, render

# Part of the cache key: bump when rendering or pre-processing changes.
PIPELINE_KEY = f"side={engine.MAX_SIDE};det={engine.DET_SIDE};speck={SPECK};preview={PREVIEW};v5"

_DOCUMENTS: dict[tuple[int, str], object] = {}     # (pid, path) -> open pypdfium2 document


def _document(path: Path):
    import pypdfium2

    key = (os.getpid(), str(path))
    doc = _DOCUMENTS.get(key)
    if doc is None:
        for old in [k for k in _DOCUMENTS if k[0] == key[0]]:
            _DOCUMENTS.pop(old).close()            # one open document per process
        doc = _DOCUMENTS[key] = pypdfium2.PdfDocument(str(path))
    return doc


def close_documents() -> None:
    """Close this process's open document (the reader's parent, when the build ends)."""
    for key in [k for k in _DOCUMENTS if k[0] == os.getpid()]:
        _DOCUMENTS.pop(key).close()


def read_pixels(pixels, timings: dict | None = None, one_line: bool = False) -> list[dict]:
    """The engine's raw lines for a grey-scale image, from the cache when it has them."""
    settings = f"{engine.engine_version()};{PIPELINE_KEY};{'line' if one_line else 'area'}"
    key = cache_key(pixels.tobytes() + repr(pixels.shape).encode(), settings)
    raw = cache_read(key)
    if raw is None:
        raw = engine.read_image(pixels, timings=timings, single_line=one_line)
        cache_write(key, settings, raw)
    return raw


def ocr_page(path: Path, page_index: int, timings: dict | None = None) -> tuple[list[Line], float | None, int]:
    """OCR one whole page (0-based index): its lines, top to bottom, in points, the mean
    confidence of the kept lines (None when none is kept), and the degrees the page was
    turned clockwise to read it (a scan set sideways; the lines are the turned page's).

    A page holding only a few small patches of ink (a page number, a seal) is read
    patch by patch (the detector sees a few small crops, or none), a blank one not at
    all. Raises OcrUnavailable when the engine cannot run (it is loaded only for a page
    the cache does not hold)."""
    page = _document(Path(path))[page_index]
    try:
        scale = page_scale(*page.get_size())
        found = _timed(timings, "render", patches, page, scale)
        if found is None:
            pixels = _timed(timings, "render", render, page, scale)
            raw, turn = read_pixels(pixels, timings), 0
            if sideways(raw):       # read again with the page turned a quarter clockwise
                turned = np.rot90(pixels, -1)
                again = read_pixels(turned, timings)
                if _shapes(again)[1] > _shapes(raw)[1]:      # more lines read level: it was sideways
                    pixels, raw, turn = turned, again, 90
            if upside_down(raw):    # and again turned half: each line was read, upside down
                pixels, turn = np.rot90(pixels, 2), (turn + 180) % 360
                raw = read_pixels(pixels, timings)
            return (*ocr_lines(raw, 1 / scale), turn)
        return (*_read_regions(page, scale, found, timings), 0)
    finally:
        page.close()


# A text box is a line's when it is at least this many times longer than high.
LINE_SHAPE = 2.0


def sideways(raw: list[dict]) -> bool:
    """Whether the engine's boxes are mostly those of lines set sideways: taller than
    wide (a landscape table scanned onto portrait paper, a page fed in turned). The
    recogniser reads such a box turned, but the lines then run across each other."""
    tall, wide = _shapes(raw)
    return tall > wide


def _shapes(raw: list[dict]) -> tuple[int, int]:
    """(boxes taller than wide, boxes wider than tall), of those that read two characters
    or more: the box of one digit (a table's 序号 column) is tall either way."""
    tall = wide = 0
    for item in raw:
        if len(item["text"].strip()) < 2:
            continue
        xs, ys = [p[0] for p in item["box"]], [p[1] for p in item["box"]]
        w, h = max(xs) - min(xs), max(ys) - min(ys)
        tall += h >= LINE_SHAPE * w
        wide += w >= LINE_SHAPE * h
    return tall, wide


def upside_down(raw: list[dict]) -> bool:
    """Whether most of the text read (by characters) was read from lines the direction
    classifier found upside down: a page scanned the other way round. Its lines then
    stand in reverse order, and a line turned by the classifier reads a little worse than
    the same line read upright (Ⅰ期 lost its Ⅰ on the sideways fixture)."""
    flipped = sum(len(item["text"]) for item in raw if item.get("flipped"))
    return 2 * flipped > sum(len(item["text"]) for item in raw)


def _read_regions(page, scale, regions, timings) -> tuple[list[Line], float | None]:
    """Lines of each region ((left, top, right, bottom), one_line) of the page."""
    lines, weights = [], []
    for (left, top, right, bottom), one_line in regions:
        pixels = _timed(timings, "render", render, page, scale, (left, top, right, bottom))
        found, confidence = ocr_lines(read_pixels(pixels, timings, one_line), 1 / scale, left, top)
        lines += found
        if confidence is not None:
            weights.append((confidence, sum(len(l.text) for l in found)))
    lines.sort(key=lambda l: (l.top + l.bottom) / 2)
    total = sum(n for _, n in weights)
    return lines, (round(sum(c * n for c, n in weights) / total, 4) if total else None)


def page_images(path: Path, page_index: int) -> tuple[list[tuple[float, float, float, float]], float, float]:
    """The boxes of the page's images (left, top, right, bottom in points from the
    top-left), and the page's width and height."""
    import pypdfium2.raw as pdfium_c

    page = _document(Path(path))[page_index]
    try:
        width, height = page.get_size()
        boxes = []
        for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]):
            left, bottom, right, top = obj.get_bounds()
            boxes.append((left, height - top, right, height - bottom))
    finally:
        page.close()
    return boxes, width, height


def ocr_regions(path: Path, page_index: int, regions, timings: dict | None = None) -> tuple[list[Line], float | None]:
    """OCR the given regions (left, top, right, bottom in points) of one page; the engine
    is loaded only for a region the cache does not hold."""
    page = _document(Path(path))[page_index]
    try:
        return _read_regions(page, page_scale(*page.get_size()), [(r, False) for r in regions], timings)
    finally:
        page.close()


def _timed(timings, name, fn, *args):
    import time

    start = time.perf_counter()
    try:
        return fn(*args)
    finally:
        if timings is not None:
            timings[name] = timings.get(name, 0.0) + time.perf_counter() - start
