"""Write pipeline/data/codepoints.tsv, the table behind pipeline.text.fold.

    python tools/make_codepoints.py [--font /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc]

Each row maps one code point to one code point (offsets stay valid), with its class:

- radical: Kangxi Radicals U+2F00-U+2FD5 and CJK Radicals Supplement U+2E80-U+2EF3.
  Browser print-to-PDF writes a glyph's ToUnicode from the font's cmap read backwards,
  and a CJK font maps a radical and its ideograph to the same glyph, so the radical (the
  lower code point) wins: 一 comes out as ⼀, 民 as ⺠. The right target is therefore the
  ideograph that shares the radical's glyph in a simplified-Chinese font: we read it from
  Noto Sans CJK SC's cmap (then the other Noto CJK faces for radicals the SC face does
  not share). That is why ⼾ folds to 户 (the SC glyph) and not to NFKC's traditional 戶.
  Radicals no font shares fall back to NFKC (Kangxi) or to EQUIVALENT below (the
  Supplement; values of Unicode's EquivalentUnifiedIdeograph.txt, checked against the
  chart names).
- compat: CJK Compatibility Ideographs U+F900-U+FAFF, by their canonical decomposition
  (the twelve unified ideographs in that block, e.g. U+FA0E 﨎, have none and stay).
- yi-gb: 方正 fonts whose ToUnicode gives the GB 2312 code as if it were Unicode land in Yi
  Syllables: U+A3AC ꎬ is GB A3AC ，. Rows 1 (CJK punctuation) and 3 (full-width ASCII)
  of GB 2312 are decoded that way. One exception, from a real file: ꎮ (GB A3AE ．) stands
  for 。 there.
- private: U+1001B0, the decimal point of the same 方正 files.
- fullwidth: full-width ASCII U+FF01-U+FF5E and odd spaces to ASCII.
- zero: ○ U+25CB WHITE CIRCLE to 〇 between Chinese numerals (二○二一年); the rule is in
  pipeline/text.py, the row only names the pair.
- variant: traditional forms read as their simplified twins (萬 -> 万) by the finders only;
  pages.text keeps them as printed.
"""
from __future__ import annotations

import argparse
import struct
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "pipeline" / "data" / "codepoints.tsv"
FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"

# CJK Radicals Supplement entries of EquivalentUnifiedIdeograph.txt for the radicals
# no Noto face shares with an ideograph; the name fragment checks the code point.
EQUIVALENT = {
    0x2E81: ("CLIFF", "厂"), 0x2E84: ("SECOND THREE", "乙"), 0x2E86: ("BOX", "冂"),
    0x2E8A: ("DIVINATION", "卜"), 0x2E8C: ("SMALL ONE", "小"), 0x2E8E: ("LAME ONE", "兀"),
    0x2E9C: ("SUN", "日"), 0x2E9D: ("MOON", "月"), 0x2EA2: ("WATER TWO", "氺"),
    0x2EA5: ("PAW TWO", "爫"), 0x2EA7: ("COW", "牛"), 0x2EAA: ("BOLT OF CLOTH", "疋"),
    0x2EAB: ("EYE", "罒"), 0x2EAC: ("SPIRIT ONE", "示"), 0x2EB2: ("NET TWO", "罒"),
    0x2EB6: ("SHEEP", "羊"), 0x2EBB: ("BRUSH TWO", "聿"), 0x2EBC: ("MEAT", "肉"),
    0x2EBF: ("GRASS TWO", "艹"), 0x2EC0: ("GRASS THREE", "艹"), 0x2EC1: ("TIGER", "虎"),
    0x2EC3: ("WEST ONE", "覀"), 0x2EC4: ("WEST TWO", "西"), 0x2ECD: ("WALK ONE", "辶"),
    0x2ECE: ("WALK TWO", "辶"), 0x2ECF: ("CITY", "阝"), 0x2ED7: ("RAIN", "雨"),
    0x2EED: ("J-SIMPLIFIED TOOTH", "歯"),
}
# Observed in 方正 files, not derivable: ꎮ is their 。, U+1001B0 their decimal point.
OBSERVED = {0xA3AE: ("。", "yi-gb", "方正 font: GB A3AE, printed as the ideographic full stop"),
            0x1001B0: (".", "private", "方正 font: private-use decimal point")}
VARIANTS = "萬万 億亿 點点 個个 兩两 陸陆 對对 圓圆 幣币 貳贰 參叁 塊块 錢钱 餘余 約约 達达 歲岁"


def _faces(path: str):
    """(family name, cmap) of every face in a TrueType/OpenType collection."""
    data = Path(path).read_bytes()
    offsets = [0]
    if data[:4] == b"ttcf":
        n = struct.unpack(">I", data[8:12])[0]
        offsets = struct.unpack(f">{n}I", data[12:12 + 4 * n])
    for off in offsets:
        count = struct.unpack(">H", data[off + 4:off + 6])[0]
        tables = {}
        for i in range(count):
            tag, _, start, _ = struct.unpack(">4sIII", data[off + 12 + 16 * i:off + 28 + 16 * i])
            tables[tag.decode()] = start
        yield _name(data, tables["name"]), _cmap(data, tables["cmap"])


def _name(data: bytes, o: int) -> str:
    _, count, strings = struct.unpack(">HHH", data[o:o + 6])
    for i in range(count):
        platform, _, _, name_id, length, at = struct.unpack(">6H", data[o + 6 + 12 * i:o + 18 + 12 * i])
        if platform == 3 and name_id == 1:
            return data[o + strings + at:o + strings + at + length].decode("utf-16-be")
    return ""


def _cmap(data: bytes, o: int) -> dict[int, int]:
    """The format-12 (full Unicode) subtable: code point -> glyph id."""
    for i in range(struct.unpack(">H", data[o + 2:o + 4])[0]):
        _, _, sub = struct.unpack(">HHI", data[o + 4 + 8 * i:o + 12 + 8 * i])
        s = o + sub
        if struct.unpack(">H", data[s:s + 2])[0] == 12:
            groups = struct.unpack(">I", data[s + 12:s + 16])[0]
            out = {}
            for g in range(groups):
                first, last, glyph = struct.unpack(">III", data[s + 16 + 12 * g:s + 28 + 12 * g])
                out.update({cp: glyph + cp - first for cp in range(first, last + 1)})
            return out
    return {}


def _unified(cp: int) -> bool:
    return 0x3400 <= cp <= 0x4DBF or 0x4E00 <= cp <= 0x9FFF or 0x20000 <= cp <= 0x3FFFF


def radicals(font: str) -> list[tuple[int, str, str]]:
    faces = sorted(_faces(font), key=lambda f: (f[0] != "Noto Sans CJK SC", "Mono" in f[0], f[0]))
    sharing = []
    for family, cmap in faces:
        by_glyph: dict[int, list[int]] = {}
        for cp, glyph in cmap.items():
            if _unified(cp):
                by_glyph.setdefault(glyph, []).append(cp)
        sharing.append((family, cmap, by_glyph))
    rows = []
    for cp in [*range(0x2E80, 0x2EF4), *range(0x2F00, 0x2FD6)]:
        ch = chr(cp)
        if not unicodedata.name(ch, ""):
            continue
        target, why = None, None
        for family, cmap, by_glyph in sharing:
            same = by_glyph.get(cmap.get(cp, -1), [])
            if len(same) == 1:
                target, why = chr(same[0]), f"same glyph in {family}"
                break
        if target is None and cp >= 0x2F00:
            target, why = unicodedata.normalize("NFKC", ch), "NFKC"
        if target is None and cp in EQUIVALENT:
            fragment, target = EQUIVALENT[cp]
            assert fragment in unicodedata.name(ch), (hex(cp), unicodedata.name(ch))
            why = "EquivalentUnifiedIdeograph"
        if target is None:
            print(f"no target for U+{cp:04X} {ch} {unicodedata.name(ch)}", file=sys.stderr)
            continue
        nfkc = unicodedata.normalize("NFKC", ch)
        if nfkc != ch and nfkc != target:
            why += f" (NFKC gives {nfkc})"
        rows.append((cp, target, "radical", f"{unicodedata.name(ch)}; {why}"))
    return rows


def compat() -> list[tuple[int, str, str, str]]:
    rows = []
    for cp in range(0xF900, 0xFB00):
        ch = chr(cp)
        target = unicodedata.normalize("NFC", ch)
        if unicodedata.name(ch, "") and target != ch and len(target) == 1:
            rows.append((cp, target, "compat", unicodedata.name(ch)))
    return rows


def yi_gb() -> list[tuple[int, str, str, str]]:
    rows = []
    for lead in (0xA1, 0xA3):
        for trail in range(0xA1, 0xFF):
            cp = lead << 8 | trail
            try:
                target = bytes([lead, trail]).decode("gb2312")
            except UnicodeDecodeError:
                continue
            if cp in OBSERVED:
                continue
            if unicodedata.name(chr(cp), "").startswith("YI SYLLABLE"):
                rows.append((cp, target, "yi-gb", f"{unicodedata.name(chr(cp))} = GB {lead:02X}{trail:02X} {bytes([lead, trail]).decode('gb2312')}"))
    return rows


FULLWIDTH = {cp: chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F)}
SPACES = {0x3000: "IDEOGRAPHIC SPACE", 0x00A0: "NO-BREAK SPACE", 0x2002: "EN SPACE",
          0x2003: "EM SPACE", 0x2009: "THIN SPACE"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--font", default=FONT)
    args = parser.parse_args()
    rows = [*radicals(args.font), *compat()]
    rows += yi_gb()
    rows += [(cp, t, cls, why) for cp, (t, cls, why) in OBSERVED.items()]
    rows += [(cp, t, "fullwidth", unicodedata.name(chr(cp))) for cp, t in FULLWIDTH.items()]
    rows += [(cp, " ", "fullwidth", name) for cp, name in SPACES.items()]
    rows.append((0x25CB, "〇", "zero", "WHITE CIRCLE, between Chinese numerals only: 二○二一年"))
    rows += [(ord(pair[0]), pair[1], "variant", "traditional form; finders only") for pair in VARIANTS.split()]
    # One pass of str.translate must reach the end form: ꎬ -> ， -> ',' becomes ꎬ -> ','.
    final = {cp: t for cp, t, cls, _ in rows if cls in ("fullwidth", "yi-gb")}
    rows = [(cp, final.get(ord(t), t), cls, why) for cp, t, cls, why in rows]
    seen = set()
    lines = ["# source\ttarget\tclass\tcomment  (written by tools/make_codepoints.py; one code point each)"]
    for cp, target, cls, why in rows:
        assert cp not in seen and len(target) == 1, hex(cp)
        seen.add(cp)
        lines.append(f"U+{cp:04X}\tU+{ord(target):04X}\t{cls}\t{chr(cp)} -> {target} {why}")
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{OUT.relative_to(ROOT)}: {len(rows)} rows", file=sys.stderr)


if __name__ == "__main__":
    main()
