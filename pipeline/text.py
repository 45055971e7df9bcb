"""The one text normalizer every stage calls, and CJK-aware line joining.

PDF producers disagree on punctuation: Word writes full-width （，：）, the flipbook
export writes ASCII (,:). Everything downstream compares text, so every stage
normalizes through `normalize` and nothing else.
"""
from __future__ import annotations

import unicodedata

import regex

# Full-width ASCII forms U+FF01..U+FF5E map to ASCII U+0021..U+007E; the ideographic
# space to a plain space. CJK punctuation proper (、。“”《》〔〕【】—) is left alone:
# it has no ASCII twin and analysts search for it as printed.
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH.update({0x3000: 0x20, 0x00A0: 0x20, 0x2002: 0x20, 0x2003: 0x20, 0x2009: 0x20,
                   0x200B: None, 0xFEFF: None, 0x00AD: None})

#: The same mapping without the deletions, so one character stays one character:
#: finders scan `text.translate(HALFWIDTH)` and their offsets still index `text`.
HALFWIDTH = {k: v for k, v in _FULLWIDTH.items() if v is not None}
_HALFWIDTH_TABLE = str.maketrans(HALFWIDTH)

_SPACES = regex.compile(r"[ \t]+")
CJK = r"\p{Han}\p{Ideographic}、。“”‘’《》〔〕【】「」『』…—·"
_IS_CJK = regex.compile(rf"[{CJK}]")


def normalize(text: str) -> str:
    """Canonical form of one line of text: half-width ASCII, single spaces, no edge spaces."""
    text = unicodedata.normalize("NFC", text).translate(_FULLWIDTH)
    return _SPACES.sub(" ", text).strip()


def to_halfwidth(text: str) -> str:
    """Full-width ASCII forms to ASCII, keeping every offset ("３０％" -> "30%")."""
    return text.translate(_HALFWIDTH_TABLE)


def is_cjk(ch: str) -> bool:
    return bool(ch) and bool(_IS_CJK.match(ch))


def join_lines(lines: list[str]) -> str:
    """Join physical lines of one paragraph into running text.

    Chinese wraps anywhere, so a line break between CJK characters (or a CJK character
    and a digit: "到 2025" / "年") is no space at all. Only a break between two Latin
    words is a space ("(GB/T" / "36073-2018" -> "GB/T 36073-2018"); two digits join
    as one number.
    """
    out = ""
    for line in lines:
        line = line.strip()
        if not line:
            continue
        if out and needs_space(out[-1], line[0]):
            out += " "
        out += line
    return out


def needs_space(left: str, right: str) -> bool:
    """Whether a line break between `left` and `right` stands for a space."""
    if not (left.isascii() and right.isascii()):
        return False
    if left.isdigit() and right.isdigit():
        return False
    return left.isalnum() and right.isalnum()
