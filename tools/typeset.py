"""Typeset a flipbook text export into a realistic compilation PDF.

We do not have the 2023 PDF, only its text (raw/2023-flipbook.txt), so the sample
data and test fixtures are typeset from it: one PDF page per 第N页, every physical
line kept as one line, an embedded TrueType CJK font, full-width punctuation as a
Word original has it, justified body lines, the printed page number in the footer
("— 346 —"), document titles larger, the red header line in red, 专栏 boxes framed
in a smaller font, and pages without text as image-only scans.

    python tools/typeset.py raw/2023-flipbook.txt raw/2023.pdf
    python tools/typeset.py SRC OUT --scan-pages 384-388 --scan-dpi 200 --noise 0.02 --skew 0.4

Nothing in the ingest code may rely on what only this tool does.
"""
from __future__ import annotations

import argparse
import io
import random
import sys
from pathlib import Path

import regex
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from reportlab.lib.colors import Color, black
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from pipeline.sources.flipbook import read_flipbook  # noqa: E402
from pipeline.text import is_cjk  # noqa: E402

FONT_FILE = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
FONT = "WenQuanYiZenHei"
PAGE_W, PAGE_H = 595.28, 841.89
LEFT, RIGHT, TOP, BOTTOM = 78.0, 78.0, 76.0, 92.0
COLUMN = PAGE_W - LEFT - RIGHT
BODY, BOX, TITLE, RED, CODE, FOOT = 15.0, 13.0, 18.0, 24.0, 11.0, 11.0
RED_COLOR = Color(0.85, 0.05, 0.05)

TITLE_START = regex.compile(r"^\d{1,3}\.(?!\d)(?=.*(?:关于|印发))[^。]*$")
TITLE_END = regex.compile(r"(?:意见|通知|办法|措施|规定|细则|方案|计划|决定|规划|条例)$")
DOC_NUMBER = regex.compile(r"^\S{1,8}〔\d{4}〕\s*\d+\s*号$")
CODE_LINE = regex.compile(r"^[A-Z]{4}\d{2}-\d{4}-\d{4}$")
BOX_START = regex.compile(r"^专栏\s*\d+")
# A box ends before a line that starts a numbered clause, or after a line in which one begins.
CLAUSE_START = regex.compile(r"^(?:\d{1,2}\.(?!\d)|\([一二三四五六七八九十]+\)|[一二三四五六七八九十]+、)")
CLAUSE_INSIDE = regex.compile(r"。\s*(?:\([一二三四五六七八九十]+\)|[一二三四五六七八九十]+、)")
FULLWIDTH = {"(": "（", ")": "）", ",": "，", ":": "：", ";": "；"}


def to_fullwidth(line: str) -> str:
    """ASCII ( ) , : ; next to CJK become full-width, as in a Word original."""
    out = []
    for i, ch in enumerate(line):
        if ch in FULLWIDTH:
            near = line[i - 1:i] + line[i + 1:i + 2]
            if any(is_cjk(c) or c in "（）Ⅰ Ⅱ Ⅲ" for c in near if c != " "):
                ch = FULLWIDTH[ch]
        out.append(ch)
    return "".join(out)


def classify(pages) -> dict[tuple[int, int], str]:
    """Style of every (page, line index): body, title, red, number, code, box, box_title."""
    styles: dict[tuple[int, int], str] = {}
    in_box = in_title = False
    for p in pages:
        for i, line in enumerate(p.lines):
            text = line.text
            key = (p.page, i)
            if in_title:
                styles[key] = "title"
                in_title = not TITLE_END.search(text)
                continue
            if TITLE_START.match(text):
                styles[key] = "title"
                in_title = not TITLE_END.search(text)
                in_box = False
                continue
            if text.endswith("文件") and len(text) <= 20:
                styles[key] = "red"
                continue
            if DOC_NUMBER.match(text):
                styles[key] = "number"
                continue
            if CODE_LINE.match(text):
                styles[key] = "code"
                continue
            if BOX_START.match(text):
                styles[key] = "box_title"
                in_box = True
                continue
            if in_box and CLAUSE_START.match(text):
                in_box = False
            styles[key] = "box" if in_box else "body"
            if in_box and CLAUSE_INSIDE.search(text):
                in_box = False
        in_title = False
    return styles


def line_width(text: str, size: float) -> float:
    return pdfmetrics.stringWidth(text, FONT, size)


def draw_line(c: canvas.Canvas, text: str, x: float, y: float, size: float, width: float,
              justify: bool, color=black, center: bool = False) -> None:
    natural = line_width(text, size)
    t = c.beginText()
    t.setFont(FONT, size)
    t.setFillColor(color)
    scale = 100.0
    if natural > width:            # a long line: condense rather than overflow the margin
        scale = 100.0 * width / natural
        natural = width
    t.setHorizScale(scale)
    if center:
        x = (PAGE_W - natural) / 2
    elif justify and len(text) > 1 and natural > 0.86 * width:
        t.setCharSpace((width - natural) / (len(text) - 1))
    t.setTextOrigin(x, y)
    t.textOut(text)
    c.drawText(t)


def scan_image(lines: list[tuple[str, float, float, float]], footer: str, dpi: int,
               noise: float, skew: float, seed: int) -> Image.Image:
    """A grey-scale page 'scan': the given lines (text, x, y_from_top, size) plus footer."""
    rng = random.Random(seed)
    scale = dpi / 72.0
    img = Image.new("L", (int(PAGE_W * scale), int(PAGE_H * scale)), 250)
    draw = ImageDraw.Draw(img)
    fonts: dict[float, ImageFont.FreeTypeFont] = {}
    for text, x, top, size in lines + [(footer, None, PAGE_H - 52, FOOT)]:
        font = fonts.setdefault(size, ImageFont.truetype(FONT_FILE, int(size * scale), index=0))
        if x is None:
            x = (PAGE_W - draw.textlength(text, font=font) / scale) / 2
        draw.text((x * scale, top * scale), text, fill=rng.randint(15, 45), font=font)
    if skew:
        img = img.rotate(rng.uniform(-skew, skew), resample=Image.BICUBIC, fillcolor=250)
    if noise:
        px = img.load()
        w, h = img.size
        for _ in range(int(w * h * noise)):
            x, y = rng.randrange(w), rng.randrange(h)
            px[x, y] = rng.choice((40, 90, 160, 200))
        img = img.filter(ImageFilter.GaussianBlur(0.4))
    return img


def typeset(src: Path, out: Path, scan_pages: set[int] = frozenset(), dpi: int = 150,
            noise: float = 0.0, skew: float = 0.0) -> None:
    pdfmetrics.registerFont(TTFont(FONT, FONT_FILE, subfontIndex=0))
    pages = read_flipbook(src)
    styles = classify(pages)
    c = canvas.Canvas(str(out), pagesize=(PAGE_W, PAGE_H), invariant=1, pageCompression=1)
    c.setTitle("杭州市级产业政策汇编")
    c.setAuthor("policy-pipeline typesetter")
    c.setCreator("tools/typeset.py")
    # An excerpt keeps the page numbers of the whole compilation as PDF page labels.
    c.addPageLabel(0, style="ARABIC", start=pages[0].page)
    for p in pages:
        footer = f"— {p.printed_page} —" if p.printed_page is not None else ""
        n = max(1, len(p.lines))
        leading = min(27.0, (PAGE_H - TOP - BOTTOM) / n)
        y = PAGE_H - TOP
        placed: list[tuple[str, float, float, float, str]] = []   # text, x, baseline y, size, style
        for i, line in enumerate(p.lines):
            style = styles[(p.page, i)]
            size = {"title": TITLE, "red": RED, "code": CODE, "box": BOX, "box_title": BOX}.get(style, BODY)
            placed.append((to_fullwidth(line.text), LEFT, y - size, size, style))
            y -= leading
        if p.page in scan_pages or not p.lines:
            lines = [(t, x + (0 if s != "box" else 8), PAGE_H - base - size, size)
                     for t, x, base, size, s in placed]
            img = scan_image(lines, footer, dpi, noise, skew, seed=p.page)
            buf = io.BytesIO()
            img.save(buf, format="PNG", optimize=True)
            c.drawImage(ImageReader(io.BytesIO(buf.getvalue())), 0, 0, PAGE_W, PAGE_H)
            c.showPage()
            continue
        box_rows = [b for b in placed if b[4] in ("box", "box_title")]
        if box_rows:
            top_y = box_rows[0][2] + box_rows[0][3] + 6
            bottom_y = box_rows[-1][2] - 7
            c.setLineWidth(0.8)
            c.rect(LEFT - 6, bottom_y, COLUMN + 12, top_y - bottom_y)
        for text, x, base, size, style in placed:
            if style == "red":
                draw_line(c, text, x, base, size, COLUMN, False, RED_COLOR, center=True)
                c.setStrokeColor(RED_COLOR)
                c.setLineWidth(1.5)
                c.line(LEFT, base - 8, PAGE_W - RIGHT, base - 8)
                c.setStrokeColor(black)
            elif style == "number":
                draw_line(c, text, x, base, size, COLUMN, False, center=True)
            elif style == "box_title":
                draw_line(c, text, x, base, size, COLUMN - 16, False, center=True)
            elif style == "box":
                draw_line(c, text, x + 2, base, size, COLUMN - 4, True)
            else:
                draw_line(c, text, x, base, size, COLUMN, style == "body")
        if footer:
            draw_line(c, footer, 0, 46, FOOT, COLUMN, False, center=True)
        c.showPage()
    c.save()


def _page_set(spec: str | None) -> set[int]:
    pages: set[int] = set()
    for part in filter(None, (spec or "").split(",")):
        a, _, b = part.partition("-")
        pages.update(range(int(a), int(b or a) + 1))
    return pages


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("src", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--scan-pages", help="source pages (第N页) to render as image-only scans, e.g. 384-388")
    ap.add_argument("--scan-dpi", type=int, default=150)
    ap.add_argument("--noise", type=float, default=0.0, help="share of scan pixels to speckle")
    ap.add_argument("--skew", type=float, default=0.0, help="maximum scan rotation in degrees")
    args = ap.parse_args()
    typeset(args.src, args.out, _page_set(args.scan_pages), args.scan_dpi, args.noise, args.skew)
