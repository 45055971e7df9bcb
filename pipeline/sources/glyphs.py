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
