"""Characters of one PDF page, straight from pdfminer's interpreter.

pdfplumber's `page.chars` builds a pdfminer LTChar object and then a dict of some
twenty properties (colours, matrix, stroking state …) for every glyph; we need six.
Collecting them in the device that pdfminer calls for each glyph reads a page in
about half the time of `page.extract_text()`, with the same geometry: the box is
computed exactly as pdfminer's LTChar computes it (`upright` is glyphs.is_upright, stricter
than pdfminer's). This is the reference reader (`--reader pdfplumber`); tests pin it to
pdfplumber's `page.chars`.
"""
from __future__ import annotations

from contextlib import contextmanager

from pdfminer.converter import PDFLayoutAnalyzer
from pdfminer.pdffont import PDFUnicodeNotDefined
from pdfminer.pdfinterp import PDFPageInterpreter
from pdfminer.utils import apply_matrix_pt, apply_matrix_rect

from .glyphs import BLANK, is_upright, quarter, reading_turn, turned_size


class CharCollector(PDFLayoutAnalyzer):
    """A pdfminer device that keeps each glyph as a small dict and counts images."""

    def __init__(self, rsrcmgr):
        super().__init__(rsrcmgr, pageno=1, laparams=None)
        self.chars: list[dict] = []
        self.quarters = [0, 0, 0, 0]      # printed glyphs by writing direction (glyphs.quarter)
        self.visible = None
        self.images = 0
        self.height = 0.0

    def render_char(self, matrix, font, fontsize, scaling, rise, cid, ncs, graphicstate) -> float:
        try:
            text = font.to_unichr(cid)
        except PDFUnicodeNotDefined:
            text = f"(cid:{cid})"
        adv = font.char_width(cid) * fontsize * scaling
        if font.is_vertical():
            vx, vy = font.char_disp(cid)
            vx = fontsize * 0.5 if vx is None else vx * fontsize * 0.001
            vy = (1000 - vy) * fontsize * 0.001
            bbox = (-vx, vy + rise + adv, -vx + fontsize, vy + rise)
        else:
            descent = font.get_descent() * fontsize
            bbox = (0, descent + rise, adv, descent + rise + fontsize)
        x0, y0, x1, y1 = apply_matrix_rect(matrix, bbox)
        x0, x1 = min(x0, x1), max(x0, x1)
        y0, y1 = min(y0, y1), max(y0, y1)
        if self.visible is not None:        # pdfiumchars.visible_rect: only the CropBox is displayed
            left, low, right, high = self.visible
            if not (left <= (x0 + x1) / 2 <= right and low <= (y0 + y1) / 2 <= high):
                return adv
        a, b, c, d, _, _ = matrix
        self.quarters[quarter(a * scaling, b * scaling)] += text not in BLANK
        _, origin_y = apply_matrix_pt(matrix, (0, rise))
        self.chars.append({
            "text": text, "x0": x0, "x1": x1, "top": self.height - y1, "bottom": self.height - y0,
            "size": (x1 - x0) if font.is_vertical() else (y1 - y0),
            "upright": is_upright(a * scaling, b * scaling, c, d),
            "baseline": self.height - origin_y,   # the glyph origin: where the page prints it
        })
        return adv

    def begin_page(self, page, ctm) -> None:
        super().begin_page(page, ctm)
        self.visible = None       # the CropBox in device space (y up), when it is not the MediaBox
        if any(abs(a - b) >= 0.01 for a, b in zip(page.cropbox, page.mediabox)):
            (ax, ay), (bx, by) = apply_matrix_pt(ctm, page.cropbox[:2]), apply_matrix_pt(ctm, page.cropbox[2:])
            self.visible = (min(ax, bx), min(ay, by), max(ax, bx), max(ay, by))

    def render_image(self, name, stream) -> None:
        self.images += 1

    def receive_layout(self, ltpage) -> None:
        pass


def page_chars(pdf, page) -> tuple[list[dict], int, int]:
    """(characters, image count, turn) of a pdfplumber page, parsing its content once,
    or twice when its text is set sideways: then the page is read turned `turn` degrees
    clockwise (glyphs.reading_turn), as if its /Rotate said so."""
    device = _read(pdf, page, 0)
    turn = reading_turn(device.quarters)
    if turn:
        device = _read(pdf, page, turn)
    return device.chars, device.images, turn


def _read(pdf, page, turn: int) -> CharCollector:
    device = CharCollector(pdf.rsrcmgr)
    device.height = float(turned_size(page.width, page.height, turn)[1])
    with turned(page.page_obj, turn):
        PDFPageInterpreter(pdf.rsrcmgr, device).process_page(page.page_obj)
    return device


@contextmanager
def turned(page_obj, turn: int):
    """The pdfminer page object as if its /Rotate were `turn` degrees further clockwise,
    for as long as the block runs: pdfminer's interpreter and a pdfplumber Page made
    inside it then give every position on the turned page."""
    if not turn:
        yield page_obj
        return
    rotate, attr = page_obj.rotate, page_obj.attrs.get("Rotate")
    page_obj.rotate = (rotate + turn) % 360
    page_obj.attrs["Rotate"] = page_obj.rotate
    try:
        yield page_obj
    finally:
        page_obj.rotate = rotate
        if attr is None:
            del page_obj.attrs["Rotate"]
        else:
            page_obj.attrs["Rotate"] = attr
