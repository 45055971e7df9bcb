"""The one text fold every stage calls: code points as the page means them.

PDF producers disagree on code points for the same printed character:

- Word writes full-width （，：）, the flipbook export ASCII (,:);
- browser print-to-PDF (Chromium + Noto Sans CJK / Source Han) writes the Kangxi
  Radicals and CJK Radicals Supplement for about 80 common ideographs: ⼀ for 一,
  ⽉ for 月, ⺠ for 民, ⻅ for 见 (the font draws both with one glyph and the radical
  is the lower code point, so it wins when the ToUnicode is read off the cmap);
- some fonts write CJK Compatibility Ideographs (U+F900-U+FAFF);
- 方正 (FZ…) fonts write the GB 2312 code of a punctuation mark as if it were Unicode,
  which lands in Yi Syllables: ꎬ (U+A3AC = GB A3AC ，), ꎻ (；), ꎮ (。), and their
  decimal point as the private-use U+1001B0.

`fold` maps each of these to the character printed, one code point to one code point,
so offsets into the folded text index the original too. `normalize` (one line of page
text) is the same fold plus NFC, removal of zero-width characters and single spaces.

Why a table (pipeline/data/codepoints.tsv, written by tools/make_codepoints.py) and not
NFKC: NFKC also rewrites characters printed on purpose (Ⅰ -> I, ① -> 1, ㈠ -> (一),
² -> 2, ﹐ -> ,), leaves the Radicals Supplement (⺠ ⻅ ⻓ ⻔) as it is, and takes ⼾
to the traditional 戶 where simplified text prints 户.

How a radical's target is decided (simplified text wins): it is the ideograph that
shares the radical's glyph in Noto Sans CJK SC, the font that produces these PDFs,
so ⼾ -> 户 and ⻓ -> 长; radicals that face shares with nothing take the other
Noto CJK faces, then NFKC (Kangxi) or Unicode's EquivalentUnifiedIdeograph
(Supplement). Traditional targets that are real characters stay traditional (⾨ -> 門):
a simplified font draws 门 with its own glyph, which comes out as ⻔ -> 门.

Two classes are not applied everywhere:
- ○ (U+25CB WHITE CIRCLE) becomes 〇 only touching a Chinese numeral (二○二一年); as a
  bullet or a form's blank (○是 ○否) it stays.
- Traditional variants (萬 -> 万, 億 -> 亿): `fold` only, for the finders that read
  numbers and words; `normalize` keeps them as printed, since a traditional-character
  text is no encoding accident.
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache
from importlib import resources

from . import patterns


def _load_table() -> dict[str, dict[int, str]]:
    """class -> {source code point: target character} from codepoints.tsv."""
    table: dict[str, dict[int, str]] = {}
    text = resources.files("pipeline.data").joinpath("codepoints.tsv").read_text("utf-8")
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        source, target, cls, _ = line.split("\t", 3)
        table.setdefault(cls, {})[int(source[2:], 16)] = chr(int(target[2:], 16))
    return table


CODEPOINTS = _load_table()
#: Every class that is an encoding accident (all but the contextual ○ and the variants).
_PAGE = {cp: t for cls, rows in CODEPOINTS.items() if cls not in ("zero", "variant") for cp, t in rows.items()}
_PAGE_TABLE = str.maketrans(_PAGE)
_FOLD_TABLE = str.maketrans({**_PAGE, **CODEPOINTS.get("variant", {})})
#: What `normalize` does that `fold` cannot (it changes lengths): drop zero-width
#: space, BOM and soft hyphen; spell out Latin ligatures (Chromium's "ﬁle://").
_DROP = str.maketrans({0x200B: None, 0xFEFF: None, 0x00AD: None,
                       0xFB00: "ff", 0xFB01: "fi", 0xFB02: "fl", 0xFB03: "ffi", 0xFB04: "ffl", 0xFB06: "st",
                       # control characters (NUL, C0, DEL, C1) are never text: a ToUnicode map into
                       # them is a broken text layer (pipeline.pages flags the page); tab is a space
                       **{c: None for c in [*range(0x00, 0x09), *range(0x0A, 0x20), *range(0x7F, 0xA0)]},
                       0x09: " "})
CONTROL = patterns.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")
PRIVATE_USE = patterns.compile(r"\p{Co}")

_NUMERAL = "〇零一二三四五六七八九十"
_ZERO = patterns.compile(rf"(?<=[{_NUMERAL}])○+|○+(?=[{_NUMERAL}])")

_SPACES = patterns.compile(r"[ \t]+")
CJK = r"\p{Han}\p{Ideographic}、。“”‘’《》〔〕【】「」『』…—·"
_IS_CJK = patterns.compile(rf"[{CJK}]")


def _zeros(text: str) -> str:
    return _ZERO.sub(lambda m: "〇" * len(m.group()), text) if "○" in text else text


# The five finders each fold the same section text: folding it once instead of five
# times saved 0.09 s CPU on a 500-page edition (str.translate with a dict table is slow).
@lru_cache(maxsize=16)
def fold(text: str) -> str:
    """The offset-keeping fold every finder scans: "３０％" -> "30%", "⼀百万元" -> "一百万元",
    "5ꎬ" -> "5,", "萬" -> "万", "二○二一" -> "二〇二一"; len(fold(t)) == len(t)."""
    return _zeros(text.translate(_FOLD_TABLE))


def normalize(text: str) -> str:
    """Canonical form of one line of page text: the fold (variants kept as printed),
    NFC, no zero-width characters, ligatures spelled out, single spaces, no edge spaces."""
    text = _zeros(unicodedata.normalize("NFC", text).translate(_PAGE_TABLE).translate(_DROP))
    return _SPACES.sub(" ", text).strip()


def is_cjk(ch: str) -> bool:
    return bool(ch) and bool(_IS_CJK.match(ch))


def needs_space(left: str, right: str) -> bool:
    """Whether a line break between `left` and `right` stands for a space.

    Chinese wraps anywhere, so a break between CJK characters (or a CJK character and
    a digit: "到 2025" / "年") is no space at all. Only a break between two Latin words
    is a space ("(GB/T" / "36073-2018" -> "GB/T 36073-2018"); two digits join as one number.
    """
    if not (left.isascii() and right.isascii()):
        return False
    if left.isdigit() and right.isdigit():
        return False
    return left.isalnum() and right.isalnum()
