"""Scanned pages made from the seed, as office scanners produce them: the benchmark's and
the OCR tests' material.

A page is typeset from the seed's lines with the project's typesetter (tools/typeset.py:
its fonts, sizes, layout and grey-scale `scan_image` with noise and skew), at the
resolution real scanners use (200, 300, 400 dpi A4), in grey or in colour (paper tint,
a red seal stamped over the signature, as a colour scan of a signed decision has it),
saved as JPEG as scanners do, one image per PDF page. The seed's lines are the answer key.

    .venv/bin/python bench/ocr_scans.py OUT.pdf --pages 384,385 --dpi 300 --colour
"""
from __future__ import annotations

import argparse
import io
import math
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

import typeset as ts  # noqa: E402
from pipeline.sources.flipbook import read_flipbook  # noqa: E402

SEED = ROOT / "raw/2023-flipbook.txt"
RED = (200, 35, 40)


def seed_pages() -> dict:
    return {p.page: p for p in read_flipbook(SEED)}


def _placed(page, styles) -> list[tuple[str, float, float, float]]:
    """(text, x, top, size) of each line, laid out as tools/typeset.py lays out a page."""
    n = max(1, len(page.lines))
    leading = min(27.0, (ts.PAGE_H - ts.TOP - ts.BOTTOM) / n)
    y, out = ts.PAGE_H - ts.TOP, []
    for i, line in enumerate(page.lines):
        style = styles[(page.page, i)]
        size = {"title": ts.TITLE, "red": ts.RED, "code": ts.CODE, "box": ts.BOX, "box_title": ts.BOX}.get(style, ts.BODY)
        out.append((ts.to_fullwidth(line.text), ts.LEFT + (8 if style == "box" else 0), y - size, size))
        y -= leading
    return [(t, x, ts.PAGE_H - base - size, size) for t, x, base, size in out]


def seal(dpi: int, diameter_mm: float = 42, seed: int = 0):
    """A red official seal (ring, star, circular inscription) on a transparent tile."""
    from PIL import Image, ImageDraw, ImageFont

    rng = random.Random(seed)
    d = int(diameter_mm / 25.4 * dpi)
    tile = Image.new("RGBA", (d, d), (0, 0, 0, 0))
    draw = ImageDraw.Draw(tile)
    r, c = d // 2 - 2, d // 2
    draw.ellipse((c - r, c - r, c + r, c + r), outline=RED + (230,), width=max(3, d // 45))
    star = d * 0.16
    draw.polygon([(c + (star if i % 2 == 0 else star * 0.4) * math.cos(-math.pi / 2 + i * math.pi / 5),
                   c + (star if i % 2 == 0 else star * 0.4) * math.sin(-math.pi / 2 + i * math.pi / 5))
                  for i in range(10)], fill=RED + (230,))
    font = ImageFont.truetype(ts.FONT_FILE, int(d * 0.12))
    text = "杭州市人民政府办公厅"
    for i, ch in enumerate(text):
        a = math.radians(-160 + i * 140 / (len(text) - 1))
        glyph = Image.new("RGBA", (int(d * 0.15),) * 2, (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((2, 0), ch, font=font, fill=RED + (220,))
        glyph = glyph.rotate(-math.degrees(a) - 90, expand=True)
        tile.alpha_composite(glyph, (int(c + (r - d * 0.13) * math.cos(a) - glyph.size[0] / 2),
                                     int(c + (r - d * 0.13) * math.sin(a) - glyph.size[1] / 2)))
    return tile.rotate(rng.uniform(-20, 20))


def scan(page, styles, dpi: int, colour: bool, skew: float = 0.6, noise: float = 0.01,
         with_seal: bool = False, lines=True):
    """One page image: the seed page typeset and 'scanned'."""
    from PIL import Image

    placed = _placed(page, styles) if lines else []
    footer = f"— {page.printed_page} —" if page.printed_page is not None else ""
    grey = ts.scan_image(placed, footer, dpi, noise, skew, seed=page.page)
    if not colour:
        return grey
    paper = Image.new("RGB", grey.size, (247, 243, 234))
    ink = Image.new("RGB", grey.size, (20, 20, 28))
    img = Image.composite(paper, ink, grey.point(lambda v: min(255, int(v * 1.04))))
    if with_seal:
        tile = seal(dpi, seed=page.page)
        x = int(grey.size[0] * 0.55)
        y = int(grey.size[1] * 0.62) if lines else (grey.size[1] - tile.size[1]) // 2
        img.paste(tile, (x, y), tile)
    return img


def write_pdf(images, out: Path, quality: int = 85) -> None:
    """Each image as one A4 page, JPEG-compressed as an office scanner stores it."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(out), pagesize=(ts.PAGE_W, ts.PAGE_H), invariant=1)
    for img in images:
        buf = io.BytesIO()
        img.save(buf, format="JPEG", quality=quality)
        c.drawImage(ImageReader(io.BytesIO(buf.getvalue())), 0, 0, ts.PAGE_W, ts.PAGE_H)
        c.showPage()
    c.save()


def make_scans(out: Path, pages: list[int], dpi: int, colour: bool, number_only: list[int] = (),
               seal_only: bool = False) -> list[str]:
    """Write the scan PDF; returns what each PDF page holds: 'text:384', 'number:390', 'seal'."""
    seed = seed_pages()
    styles = ts.classify(list(seed.values()))
    images, kinds = [], []
    for n in pages:
        images.append(scan(seed[n], styles, dpi, colour, with_seal=colour and n == pages[-1]))
        kinds.append(f"text:{n}")
    for n in number_only:
        images.append(scan(seed[n], styles, dpi, colour, lines=False))
        kinds.append(f"number:{seed[n].printed_page}")
    if seal_only:
        blank = seed[pages[0]]
        img = scan(blank, styles, dpi, True, lines=False, with_seal=True)
        images.append(img if colour else img.convert("L"))
        kinds.append("seal")
    write_pdf(images, out)
    return kinds


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("--pages", default="384,385", help="seed pages (第N页) to scan")
    ap.add_argument("--dpi", type=int, default=300)
    ap.add_argument("--colour", action="store_true")
    args = ap.parse_args()
    ts.pdfmetrics.registerFont(ts.TTFont(ts.FONT, ts.FONT_FILE, subfontIndex=0))
    print(make_scans(args.out, [int(p) for p in args.pages.split(",")], args.dpi, args.colour))
