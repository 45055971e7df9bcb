"""A page's glyphs as columns: what both character readers hand to pdf.chars_to_lines.

One dict per glyph cost ~1 us to build and more to read back (250,000 glyphs per 500
pages); columns of numpy arrays let chars_to_lines group a whole page with a few array
operations. The pdfium reader fills the columns directly; the pdfplumber reader (and the
tests) give dicts, converted by `Glyphs.from_dicts`, so one grouping serves both.
"""
from __future__ import annotations

import numpy as np

# `codes`: the glyph's text as one code point (>= 0); EMPTY for no text; a text of
# several characters (pdfminer's ligatures, "(cid:12)") is -2 - k for extras[k].
EMPTY = -1


# The columns of Glyphs.geometry.
X0, X1, TOP, BOTTOM, SIZE, BASELINE = range(6)


class Glyphs:
    """Glyphs in content order. `geometry`, one row per glyph, in points from the page's
    top left as the readers' dicts had it: x0, x1, top, bottom, size (0 where a reader
    gave none), baseline (the glyph origin's distance from the top; the box bottom where
    a reader gave none). One array, so that picking glyphs is one step, not six.
    `upright`: set upright; `generated`: a space pdfium made up."""

    __slots__ = ("codes", "geometry", "upright", "generated", "extras")

    def __init__(self, codes, geometry, upright, generated, extras=()):
        self.codes = np.asarray(codes, np.int64)
        self.geometry = np.asarray(geometry, np.float64).reshape(-1, 6)
        self.upright, self.generated = np.asarray(upright, bool), np.asarray(generated, bool)
        self.extras = list(extras)

    x0 = property(lambda self: self.geometry[:, X0])
    x1 = property(lambda self: self.geometry[:, X1])
    top = property(lambda self: self.geometry[:, TOP])
    bottom = property(lambda self: self.geometry[:, BOTTOM])
    size = property(lambda self: self.geometry[:, SIZE])
    baseline = property(lambda self: self.geometry[:, BASELINE])

    def __len__(self) -> int:
        return len(self.codes)

    @classmethod
    def from_dicts(cls, chars: list[dict]) -> "Glyphs":
        """From pdfplumber-style dicts (text, x0, x1, top, bottom, size, upright, baseline,
        generated; the last four optional)."""
        extras: dict[str, int] = {}

        def code(text) -> int:
            if not text:
                return EMPTY
            if len(text) == 1:
                return ord(text)
            return -2 - extras.setdefault(text, len(extras))

        def row(c: dict) -> tuple:
            base = c.get("baseline")
            return (c["x0"], c["x1"], c["top"], c["bottom"], c.get("size") or 0.0,
                    c["bottom"] if base is None else base)

        return cls([code(c.get("text")) for c in chars], [row(c) for c in chars],
                   [bool(c.get("upright", True)) for c in chars], [bool(c.get("generated")) for c in chars],
                   extras)

    def text(self, i: int) -> str:
        code = int(self.codes[i])
        return chr(code) if code >= 0 else "" if code == EMPTY else self.extras[-2 - code]

    def take(self, index) -> "Glyphs":
        """The glyphs at `index` (an index array or a mask), same extras."""
        return Glyphs(self.codes[index], self.geometry[index], self.upright[index], self.generated[index],
                      self.extras)


#: A glyph whose writing direction climbs more than this (tan 5 degrees) is not set
#: upright: a diagonal watermark (北大法宝 at 30 or 45 degrees) would otherwise be cut
#: into the body lines it crosses, one glyph each (最高13法00万元). Text of a slightly
#: skewed scan's text layer (0.4-2 degrees) stays upright.
LEVEL = 0.0875


def is_upright(a: float, b: float, c: float, d: float) -> bool:
    """Whether a glyph of matrix (a b c d: the page as displayed, y up) is set upright:
    its x axis points right, within LEVEL, and its y axis up. pdfminer's own test
    (a * d > 0 and b * c <= 0) also takes text at 45 degrees and upside down."""
    return a > 0 and d > 0 and abs(b) <= LEVEL * a and b * c <= 0


def quarter(a: float, b: float) -> int:
    """Where a glyph's x axis (a, b: its writing direction, y up) points on the displayed
    page, in quarter turns counterclockwise: 0 right (upright), 1 up (the text runs bottom
    to top), 2 left (upside down), 3 down."""
    if abs(a) >= abs(b):
        return 0 if a >= 0 else 2
    return 1 if b > 0 else 3


def reading_turn(counts) -> int:
    """Degrees to turn the displayed page clockwise so that its text reads upright, from
    its printed glyphs counted by `quarter` (counts[q]): 0 unless more than half of them
    face one other way. A page of upright text with a margin note at 90 degrees stays as
    it is (the note is counted in rotated_glyphs); a landscape page printed on portrait
    paper, whose every glyph runs bottom to top, is read turned 90 degrees, as pdftotext
    and a viewer read it."""
    total = sum(int(n) for n in counts)
    return next((90 * q for q in (1, 2, 3) if int(counts[q]) * 2 > total), 0)


def turned_size(width, height, turn: int):
    """(width, height) of a page of `width` x `height` once turned `turn` degrees."""
    return (height, width) if turn % 180 == 90 else (width, height)


#: Characters that print nothing: a space glyph faces no way and covers nothing.
BLANK = (" ", "\t", "\xa0", "\u3000")


def turn_box(box, turn: int, width: float, height: float) -> tuple[float, float, float, float]:
    """A box (x0, top, x1, bottom) on a page of `width` x `height` points, as it lies once
    the page is turned `turn` degrees clockwise (0, 90, 180, 270). The way back is
    turn_box(box, 360 - turn, turned width, turned height)."""
    x0, top, x1, bottom = box
    turn %= 360
    if turn == 90:
        return height - bottom, x0, height - top, x1
    if turn == 180:
        return width - x1, height - bottom, width - x0, height - top
    if turn == 270:
        return top, width - x1, bottom, width - x0
    return x0, top, x1, bottom
