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


class Glyphs:
    """Glyphs in content order. Geometry in points from the page's top left, as the
    readers' dicts had it: x0, x1, top, bottom, size (0 where a reader gave none),
    baseline (the glyph origin's distance from the top; the box bottom where a reader
    gave none), upright, generated (a space pdfium made up)."""

    __slots__ = ("codes", "x0", "x1", "top", "bottom", "size", "baseline", "upright", "generated", "extras")

    def __init__(self, codes, x0, x1, top, bottom, size, baseline, upright, generated, extras=()):
        self.codes = np.asarray(codes, np.int64)
        self.x0, self.x1 = np.asarray(x0, np.float64), np.asarray(x1, np.float64)
        self.top, self.bottom = np.asarray(top, np.float64), np.asarray(bottom, np.float64)
        self.size, self.baseline = np.asarray(size, np.float64), np.asarray(baseline, np.float64)
        self.upright, self.generated = np.asarray(upright, bool), np.asarray(generated, bool)
        self.extras = list(extras)

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

        def column(key: str) -> list:
            return [c[key] for c in chars]

        bottoms = column("bottom")
        return cls([code(c.get("text")) for c in chars], column("x0"), column("x1"), column("top"), bottoms,
                   [c.get("size") or 0.0 for c in chars],
                   [b if (b := c.get("baseline")) is not None else bottom for c, bottom in zip(chars, bottoms)],
                   [bool(c.get("upright", True)) for c in chars], [bool(c.get("generated")) for c in chars],
                   extras)

    def text(self, i: int) -> str:
        code = int(self.codes[i])
        return chr(code) if code >= 0 else "" if code == EMPTY else self.extras[-2 - code]

    def take(self, index) -> "Glyphs":
        """The glyphs at `index` (an index array or a mask), same extras."""
        return Glyphs(self.codes[index], self.x0[index], self.x1[index], self.top[index], self.bottom[index],
                      self.size[index], self.baseline[index], self.upright[index], self.generated[index],
                      self.extras)

    def to_dicts(self) -> list[dict]:
        """The readers' old dicts, for tests and debugging."""
        return [{"text": self.text(i), "x0": float(self.x0[i]), "x1": float(self.x1[i]), "top": float(self.top[i]),
                 "bottom": float(self.bottom[i]), "size": float(self.size[i]), "upright": bool(self.upright[i]),
                 "baseline": float(self.baseline[i]), **({"generated": True} if self.generated[i] else {})}
                for i in range(len(self))]
