"""Typeset seed pages the way 方正 (FZ…) fonts come out of a 红头 document's PDF.

    python tools/fangzheng_fixture.py raw/2023-flipbook.txt 382-383 tests/fixtures/pdfs

Writes two fixtures, named after their case:

fangzheng-second-font-wrong-descent.pdf
    Ideographs and CJK punctuation in one font (WQY Zen Hei), digits, Latin, ASCII
    punctuation and curly quotes in a second one (DejaVu Sans) whose FontDescriptor
    states /Descent -1200: pdfminer (and anything that builds boxes from the stated
    descent) puts those glyphs' boxes 15-17 pt below the ideographs printed on the same
    baseline, so grouping by box centre split 杭政办函〔2021〕39 号 into 杭政办函〔〕号
    and 2021 39 - what two real 方正 files did (赣府发〔2017〕7号文, 川办规〔2025〕6号).
fangzheng-yi-punctuation-wrong-descent.pdf
    The same, and the ToUnicode CMaps say what a 方正 font's do: the GB 2312 code of
    each CJK punctuation mark as if it were Unicode (，-> U+A3AC ꎬ, 。-> U+A3AE ꎮ,
    ；-> U+A3BB ꎻ, 、-> U+A1A2 ꆢ, “ -> U+A1B0 ꆰ …), 。 as U+A3AE ꎮ (as a real file does)
    and the decimal point as U+1001B0.

Pages: one per seed page, as tools/typeset.py sets them (sizes by line style, footer
"— 377 —"), but left-aligned and without justification.
"""
from __future__ import annotations

import argparse
import io
import re
import sys
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from pdf_rewrite import read_objects, stream_of, with_stream, write_pdf  # noqa: E402
from typeset import (BODY, BOX, CODE, FONT, FONT_FILE, FOOT, LEFT, PAGE_H, PAGE_W, RED, TITLE, TOP,  # noqa: E402
                     classify, to_fullwidth)

from pipeline.sources.flipbook import read_flipbook  # noqa: E402

LATIN = "DejaVuSans"
LATIN_FILE = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
WRONG_DESCENT = -1200
LEADING = 26.0


def _second_font(ch: str) -> bool:
    return ch.isascii() or ch in "“”‘’"


def _runs(text: str):
    """(font, text) runs: the second font for digits, Latin and quotes."""
    runs: list[list] = []
    for ch in text:
        font = LATIN if _second_font(ch) else FONT
        if runs and runs[-1][0] == font:
            runs[-1][1] += ch
        else:
            runs.append([font, ch])
    return runs


def typeset(pages, styles) -> bytes:
    pdfmetrics.registerFont(TTFont(FONT, FONT_FILE, subfontIndex=0))
    pdfmetrics.registerFont(TTFont(LATIN, LATIN_FILE))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(PAGE_W, PAGE_H), invariant=1, pageCompression=0)
    c.setCreator("tools/fangzheng_fixture.py")
    for p in pages:
        y = PAGE_H - TOP
        for i, line in enumerate(p.lines):
            style = styles[(p.page, i)]
            size = {"title": TITLE, "red": RED, "code": CODE, "box": BOX, "box_title": BOX}.get(style, BODY)
            text = to_fullwidth(line.text)
            width = sum(pdfmetrics.stringWidth(t, f, size) for f, t in _runs(text))
            x = (PAGE_W - width) / 2 if style in ("title", "red", "number") else LEFT
            _draw(c, text, x, y - size, size)
            y -= max(LEADING, size * 1.5)
        _draw(c, f"— {p.printed_page} —", PAGE_W / 2 - 25, 52, FOOT)
        c.showPage()
    c.save()
    return buf.getvalue()


def _draw(c, text: str, x: float, y: float, size: float) -> None:
    t = c.beginText()
    t.setTextOrigin(x, y)
    for font, run in _runs(text):
        t.setFont(font, size)
        t.textOut(run)
    c.drawText(t)


def wrong_descent(objects: dict[int, bytes]) -> None:
    """The second font's FontDescriptor states a descent of 1.1 em."""
    for num, body in objects.items():
        if b"/FontDescriptor" in body and b"DejaVu" in body and b"/Descent" in body:
            objects[num] = re.sub(rb"/Descent -?\d+", b"/Descent %d" % WRONG_DESCENT, body)


def yi_tounicode(objects: dict[int, bytes]) -> None:
    """ToUnicode targets rewritten as a 方正 font's: GB 2312 codes of CJK punctuation
    read as Unicode, the decimal point as U+1001B0."""
    def gb_as_unicode(ch: str) -> int | None:
        try:
            code = ch.encode("gb2312")
        except UnicodeEncodeError:
            return None
        return int.from_bytes(code, "big") if len(code) == 2 and code[0] in (0xA1, 0xA3) else None

    def target(m: re.Match) -> bytes:
        ch = bytes.fromhex(m[1].decode()).decode("utf-16-be")
        if ch == ".":
            return b"<DBC0DDB0>"                         # U+1001B0 as UTF-16
        if ch == "。":
            return b"<A3AE>"                             # what the real file writes (not GB A1A3)
        code = gb_as_unicode(ch) if not ch.isascii() else None
        return b"<%04X>" % code if code else m[0]

    refs = {int(n) for body in objects.values() for n in re.findall(rb"/ToUnicode (\d+) 0 R", body)}
    for ref in refs:
        cmap = stream_of(objects[ref])
        # reportlab writes one "<code> <target>" per glyph (bfchar); keep the code, rewrite the target.
        cmap = re.sub(rb"(?<=> )<([0-9A-Fa-f]{4})>", target, cmap)
        objects[ref] = with_stream(objects[ref], cmap)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("seed", type=Path)
    ap.add_argument("pages", help="seed page range, e.g. 382-383")
    ap.add_argument("out_dir", type=Path)
    args = ap.parse_args()
    first, last = map(int, args.pages.split("-"))
    pages = [p for p in read_flipbook(args.seed) if first <= p.page <= last]
    data = typeset(pages, classify(pages))
    objects, trailer = read_objects(data)
    wrong_descent(objects)
    out = args.out_dir / "fangzheng-second-font-wrong-descent.pdf"
    out.write_bytes(write_pdf(objects, trailer))
    yi_tounicode(objects)
    out2 = args.out_dir / "fangzheng-yi-punctuation-wrong-descent.pdf"
    out2.write_bytes(write_pdf(objects, trailer))
    for path in (out, out2):
        print(f"{path}: {path.stat().st_size} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
