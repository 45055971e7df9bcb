"""Regenerate the small fixture PDFs under tests/fixtures/pdfs/.

Each fixture reproduces one way real producers write (or break) a PDF, and is named
after that case. The tests hold the expected text; this script only draws the pages.

    python tools/make_fixtures.py            # all fixtures
    python tools/make_fixtures.py --list     # names only

Producer quirks (drawn with reportlab and the WQY Zen Hei TrueType font):
  word-gaps-no-space-glyphs.pdf     every word placed at its own x, no space glyphs
  fake-bold-double-printed.pdf      bold simulated by printing each line twice, offset
  letter-spaced-justified-cjk.pdf   justified / distributed lines with character spacing
Bad input (drawn with reportlab's built-in STSong-Light, or by hand):
  encrypted-user-password.pdf       needs the user password "secret" to open
  zero-pages.pdf                    a valid PDF whose page tree is empty
  damaged-page-2-missing-font.pdf   3 pages; page 2's font points at a missing object
                                    (a broken xref entry), so only that page fails
  cid-font-without-descriptor.pdf   readable, but pdfminer warns about the font

The libreoffice-*.pdf fixture is made by tools/libreoffice_fixture.py instead.
"""
from __future__ import annotations

import argparse
import io
import re
import sys
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pdf_rewrite import write_pdf  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "fixtures" / "pdfs"
FONT_FILE = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
FONT = "WenQuanYiZenHei"
CID_FONT = "STSong-Light"
PAGE_W, PAGE_H = 595.28, 841.89
LEFT, COLUMN = 78.0, 595.28 - 2 * 78.0


def _canvas(path: Path, **kw) -> canvas.Canvas:
    c = canvas.Canvas(str(path), pagesize=(PAGE_W, PAGE_H), invariant=1, **kw)
    c.setCreator("tools/make_fixtures.py")
    return c


def _baseline(row: int, size: float = 15.0) -> float:
    """Baseline y of body row `row`, well inside the page (clear of header/footer bands)."""
    return PAGE_H - 160 - row * 30 - size


# ---------------------------------------------------------------- producer quirks

# Lines as lists of words; the producer places each word at its own x and leaves a
# gap as wide as the font's space glyph where the text has a space, but writes no
# space character. Words in one list item are set as one run.
WORD_GAP_LINES = [
    ["荐列入杭州市传统工艺振兴项目的，给予一次性", "3", "万元的资"],
    ["最高分别为", "600", "万元、1200", "万元、3000", "万元资金支持（含本"],
    ["加快推广《数据管理能力成熟度评估模型》（GB/T", "36073-2018）"],
    ["到2025年，全市生物医药产业规模力争达到3000亿元。"],
]
WORD_GAP_FOOTER = ["—", "346", "—"]


def word_gaps_no_space_glyphs(path: Path) -> None:
    c = _canvas(path)
    size = 15.0
    space = pdfmetrics.stringWidth(" ", FONT, size)
    for row, words in enumerate(WORD_GAP_LINES):
        x = LEFT
        for word in words:
            c.setFont(FONT, size)
            c.drawString(x, _baseline(row), word)
            x += pdfmetrics.stringWidth(word, FONT, size) + space
    # The footer page number, also set word by word: "— 346 —".
    foot = 11.0
    fspace = pdfmetrics.stringWidth(" ", FONT, foot)
    total = sum(pdfmetrics.stringWidth(w, FONT, foot) for w in WORD_GAP_FOOTER) + 2 * fspace
    x = (PAGE_W - total) / 2
    for word in WORD_GAP_FOOTER:
        c.setFont(FONT, foot)
        c.drawString(x, 46, word)
        x += pdfmetrics.stringWidth(word, FONT, foot) + fspace
    c.showPage()
    c.save()


# (text, font size, (dx, dy) offset of the second printing). Producers that lack a
# bold face print the glyphs twice, shifted by a few hundredths of an em; the red
# letterhead and the title are the usual victims. Offsets scale with the font size.
FAKE_BOLD_LINES = [
    ("杭州市人民政府办公厅文件", 24.0, (0.03, 0.0)),
    ("31.杭州市人民政府办公厅关于加快生物医", 18.0, (0.03, 0.015)),
    ("药产业高质量发展的若干意见", 18.0, (0.03, 0.015)),
    ("各区、县（市）人民政府，市政府各部门、各直属单位：", 15.0, (0.0, 0.0)),
    ("一、明确目标领域对象", 15.0, (0.02, 0.0)),
    ("给予一次性 3 万元的资助，最高 600 万元。", 15.0, (0.02, 0.01)),
]


def fake_bold_double_printed(path: Path) -> None:
    c = _canvas(path)
    for row, (text, size, (dx, dy)) in enumerate(FAKE_BOLD_LINES):
        c.setFont(FONT, size)
        y = _baseline(row, size)
        c.drawString(LEFT, y, text)
        if dx or dy:
            c.drawString(LEFT + dx * size, y + dy * size, text)
    c.showPage()
    c.save()


# (text, character spacing in em, or None to distribute the line over the column).
# Justified Chinese is set by spreading every character apart, digits and Latin
# included; short lines such as the issuer and the date are often distributed.
LETTER_SPACED_LINES = [
    ("杭州市人民政府办公厅", None),
    ("2021年10月8日", None),
    ("到2025年，全市生物医药产业规模力争达到3000亿元", 0.12),
    ("给予一次性 3 万元的资助（GB/T 36073-2018）", 0.35),
    ("对在本地开展临床试验的给予最高 600 万元补助", 0.5),
]


def letter_spaced_justified_cjk(path: Path) -> None:
    c = _canvas(path)
    size = 15.0
    for row, (text, em) in enumerate(LETTER_SPACED_LINES):
        natural = pdfmetrics.stringWidth(text, FONT, size)
        spacing = (COLUMN - natural) / (len(text) - 1) if em is None else em * size
        t = c.beginText()
        t.setFont(FONT, size)
        t.setCharSpace(spacing)
        t.setTextOrigin(LEFT, _baseline(row))
        t.textOut(text)
        c.drawText(t)
    c.showPage()
    c.save()


# ---------------------------------------------------------------- bad input

DAMAGED_PAGES = [
    ["第一页正文：给予一次性 3 万元的资助。", "杭州市人民政府办公厅"],
    ["第二页正文：这一页的字体对象已丢失。", "杭州市人民政府办公厅"],
    ["第三页正文：最高 600 万元资金支持。", "杭州市人民政府办公厅"],
]


def encrypted_user_password(path: Path) -> None:
    pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    c = _canvas(path, encrypt="secret")
    c.setFont(CID_FONT, 15)
    c.drawString(LEFT, _baseline(0), "需要密码才能打开的文件")
    c.showPage()
    c.save()


def _pdf_bytes(objects: dict[int, bytes], root: int) -> bytes:
    """A PDF file of the given objects with a correct xref table."""
    return write_pdf(objects, b"/Root %d 0 R" % root)


def zero_pages(path: Path) -> None:
    path.write_bytes(_pdf_bytes({
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [] /Count 0 >>",
    }, root=1))


def _cid_pdf_objects(pages: list[list[str]]) -> tuple[dict[int, bytes], int]:
    """Pages of STSong-Light text, uncompressed, as {object number: body} and the root."""
    pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(PAGE_W, PAGE_H), invariant=1, pageCompression=0)
    c.setCreator("tools/make_fixtures.py")
    for lines in pages:
        c.setFont(CID_FONT, 15)
        for row, text in enumerate(lines):
            c.drawString(LEFT, _baseline(row), text)
        c.showPage()
    c.save()
    data = buf.getvalue()
    objects = {int(m[1]): m[2] for m in re.finditer(rb"(?ms)^(\d+) 0 obj\n(.*?)\nendobj", data)}
    return objects, int(re.search(rb"/Root (\d+) 0 R", data)[1])


def damaged_page_2_missing_font(path: Path) -> None:
    """Three good pages, then page 2 gets its own Type0 font whose /DescendantFonts
    is a reference to an object the file does not contain."""
    objects, root = _cid_pdf_objects(DAMAGED_PAGES)
    pages = [n for n, body in sorted(objects.items()) if re.search(rb"/Type /Page\b(?!s)", body)]
    fonts = re.search(rb"/Font (\d+) 0 R", objects[pages[1]])
    shared = objects[int(fonts[1])]                   # << /F1 2 0 R /F2 3 0 R >>
    name, ref = re.search(rb"/(F\d+) (\d+ 0 R)\s*>>", shared).groups()   # the CID font
    broken = max(objects) + 1
    missing = broken + 1                              # never written
    objects[broken] = (b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light "
                       b"/Encoding /UniGB-UCS2-H /DescendantFonts %d 0 R >>" % missing)
    own = shared.replace(b"/%s %s" % (name, ref), b"/%s %d 0 R" % (name, broken))
    objects[pages[1]] = objects[pages[1]].replace(fonts[0], b"/Font " + own.strip())
    path.write_bytes(_pdf_bytes(objects, root))


NO_DESCRIPTOR_LINES = ["字体没有描述符:给予一次性 3 万元的资助。", "最高 600 万元资金支持。"]


def cid_font_without_descriptor(path: Path) -> None:
    """A CID font with no /FontDescriptor (required, but some producers leave it out for
    the standard CJK fonts): the text reads fine, and pdfminer logs a warning."""
    objects, root = _cid_pdf_objects([NO_DESCRIPTOR_LINES])
    for num, body in objects.items():
        objects[num] = re.sub(rb"/FontDescriptor <<.*?>>\s*", b"", body, flags=re.S)
    path.write_bytes(_pdf_bytes(objects, root))


FIXTURES = {
    "word-gaps-no-space-glyphs.pdf": word_gaps_no_space_glyphs,
    "fake-bold-double-printed.pdf": fake_bold_double_printed,
    "letter-spaced-justified-cjk.pdf": letter_spaced_justified_cjk,
    "encrypted-user-password.pdf": encrypted_user_password,
    "zero-pages.pdf": zero_pages,
    "damaged-page-2-missing-font.pdf": damaged_page_2_missing_font,
    "cid-font-without-descriptor.pdf": cid_font_without_descriptor,
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--list", action="store_true", help="print the fixture names and exit")
    args = ap.parse_args(argv)
    if args.list:
        print("\n".join(FIXTURES))
        return 0
    pdfmetrics.registerFont(TTFont(FONT, FONT_FILE, subfontIndex=0))
    args.out.mkdir(parents=True, exist_ok=True)
    for name, make in FIXTURES.items():
        make(args.out / name)
        print(args.out / name, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
