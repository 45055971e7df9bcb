"""Evidence: where each mention is printed on its page, and a picture of it.

`add_boxes` runs after extraction, at build time, because it needs the source PDF
(which a dataset user may not have) and reads each page's characters once for all the
edition's mentions; the boxes are then in the dataset for anyone to draw or check.
It reads the PDF with pypdfium2 itself, independent of the reader stage.

A mention is found on its page by its characters in reading order, whitespace and line
breaks ignored, both sides folded alike (full-width to half-width, NFKC): the mention
with the text just before it on that page, then with less context, then alone. Its boxes
are the union of its character boxes, one per printed line, so a mention that wraps has
two. Coordinates are PDF points from the page's top-left corner, as pdfplumber gives
them (x0, top, x1, bottom). Pages without a text layer (OCR) and sources that are not
PDFs get no boxes.
"""
from __future__ import annotations

import base64
import bisect
import html
import io
import logging
import unicodedata
from functools import lru_cache
from pathlib import Path

from .sources.glyphs import turn_box, turned_size
from .text import fold as text_fold

log = logging.getLogger(__name__)

MENTION_TABLES = ["amounts", "quantities", "percentages", "dates", "responsibilities"]
CONTEXTS = (16, 8, 3, 0)     # characters of left context tried, longest first


@lru_cache(maxsize=1 << 16)   # a page's characters are a few thousand distinct ones: add_boxes 0.17 -> 0.07 s CPU
def fold(ch: str) -> str:
    """One character as both sides compare it; '' for whitespace."""
    if ch.isspace():
        return ""
    folded = unicodedata.normalize("NFKC", text_fold(ch))
    return folded if len(folded) == 1 else ch


class PageChars:
    """A page's printed characters: folded text without whitespace, and each one's box.

    The boxes lie on the page as the reader read it: turned `turn` degrees clockwise
    when its text is set sideways (RawPage.turn; `size`: the turned page's width and
    height). `boxes_of` reports them on the page as displayed."""

    def __init__(self, text: str, boxes: list[tuple[float, float, float, float]], turn: int = 0,
                 size: tuple[float, float] = (0.0, 0.0)):
        self.text, self.boxes, self.turn, self.size = text, boxes, turn, size

    @classmethod
    def read(cls, page, turn: int = 0) -> "PageChars":
        """From a pypdfium2 page, its boxes turned `turn` degrees (the reader's frame)."""
        textpage = page.get_textpage()
        width, height = page.get_size()
        count = textpage.count_chars()
        raw = textpage.get_text_range(0, count) if count else ""
        if len(raw) != count:    # surrogate pairs: read one by one
            raw = "".join(textpage.get_text_range(i, 1) or " " for i in range(count))
        chars, boxes = [], []
        for i, ch in enumerate(raw):
            f = fold(ch)
            if not f:
                continue
            left, bottom, right, top = textpage.get_charbox(i, loose=True)
            chars.append(f)
            boxes.append(turn_box((left, height - top, right, height - bottom), turn, width, height))
        size = turned_size(width, height, turn)
        return cls("".join(chars), boxes, turn, size)

    @classmethod
    def from_lines(cls, lines, turn: int = 0, size: tuple[float, float] = (0.0, 0.0)) -> "PageChars":
        """From the reader's lines (sources.Line: text, and one box per character of it),
        the boxes kept packed (sources.Boxes). A line is folded in one map() and its boxes
        taken whole when it holds no whitespace, as most lines do (from_lines 0.14 -> 0.05 s
        CPU on 500 pages)."""
        from .sources import Boxes

        chars, packed = [], []
        for line in lines:
            line_boxes = line.boxes.packed if line.boxes is not None else b""
            n = min(len(line.text), len(line_boxes) // 32)
            folded = list(map(fold, line.text[:n]))
            if "" not in folded:
                chars += folded
                packed.append(line_boxes[:32 * n])
                continue
            for i, f in enumerate(folded):
                if f:
                    chars.append(f)
                    packed.append(line_boxes[32 * i:32 * i + 32])
        return cls("".join(chars), Boxes(b"".join(packed)), turn, size)

    def on_turned_page(self, box):
        """A box on the page as displayed (a table cell's bbox), on the page as read."""
        if not self.turn:
            return box
        width, height = turned_size(*self.size, self.turn)
        return turn_box(box, self.turn, width, height)

    def within(self, bbox) -> "PageChars":
        """The characters whose box centre lies inside bbox (x0, top, x1, bottom): a table
        cell's, in the page's reading order. On a page read turned, pdfium's order is its
        own guess at the sideways lines (a cell 市行政审批局/市司法局 set top to bottom came
        out 局市司法审批局市行政), so there the characters go by line, then left to right."""
        x0, top, x1, bottom = bbox
        keep = [i for i, (a, t, b, u) in enumerate(self.boxes) if x0 <= (a + b) / 2 <= x1 and top <= (t + u) / 2 <= bottom]
        if self.turn:
            keep = _by_line(keep, self.boxes)
        return PageChars("".join(self.text[i] for i in keep), [self.boxes[i] for i in keep], self.turn, self.size)

    def locate(self, needle: str, context: str = "") -> list[int] | None:
        """Indices of `needle`'s characters on the page, found after the longest usable
        part of `context` (the text printed just before it)."""
        needle = "".join(map(fold, needle))
        context = "".join(map(fold, context))
        if not needle:
            return None
        for size in CONTEXTS:
            left = context[-size:] if size else ""
            at = self.text.find(left + needle)
            if at >= 0:
                start = at + len(left)
                return list(range(start, start + len(needle)))
        return None

    def boxes_of(self, indices: list[int]) -> list[dict]:
        """One box per printed line the characters run over, on the page as displayed."""
        out: list[list[float]] = []
        for i in indices:
            x0, top, x1, bottom = self.boxes[i]
            last = out[-1] if out else None
            middle = (top + bottom) / 2
            if last and last[1] <= middle <= last[3] and x0 >= last[0] - 1:
                last[0], last[1], last[2], last[3] = min(last[0], x0), min(last[1], top), max(last[2], x1), max(last[3], bottom)
            else:
                out.append([x0, top, x1, bottom])
        if self.turn:       # merged on the turned page, where the lines run across
            out = [list(turn_box(b, 360 - self.turn, *self.size)) for b in out]
        return [{"x0": round(b[0], 2), "top": round(b[1], 2), "x1": round(b[2], 2), "bottom": round(b[3], 2)}
                for b in out]


def _by_line(indices: list[int], boxes) -> list[int]:
    """`indices` in reading order by their boxes: lines top to bottom (a character joins
    the line whose first character's middle it overlaps), each left to right."""
    lines: list[list[int]] = []
    for i in sorted(indices, key=lambda k: (boxes[k][1] + boxes[k][3]) / 2):
        top, bottom = boxes[i][1], boxes[i][3]
        first = boxes[lines[-1][0]] if lines else None
        if first and top <= (first[1] + first[3]) / 2 <= bottom:
            lines[-1].append(i)
        else:
            lines.append([i])
    return [i for line in lines for i in sorted(line, key=lambda k: boxes[k][0])]


class PageStore:
    """The reader's pages as `add_boxes` compares them (PageChars), made from the build's
    RawPages (a sources.PageSpill) one page at a time as add_boxes asks for them in page
    order: the RawPages and their boxes stay on disk, not in the parent. A page whose
    lines carry no boxes (OCR, a flipbook) is not in the store: add_boxes reads the PDF
    for it."""

    def __init__(self, raw_pages):
        from .sources import page_heads

        self._pages = raw_pages
        self._index = {head.page: i for i, head in enumerate(page_heads(raw_pages))}
        self._last: tuple[int | None, PageChars | None] = (None, None)

    def _chars(self, number: int) -> PageChars | None:
        if self._last[0] != number:
            page = self._pages[self._index[number]] if number in self._index else None
            chars = None
            if page is not None and page.lines and all(line.boxes is not None for line in page.lines):
                chars = PageChars.from_lines(page.lines, page.turn, (page.width or 0.0, page.height or 0.0))
            self._last = (number, chars)
        return self._last[1]

    def __contains__(self, number: int) -> bool:
        return self._chars(number) is not None

    def __getitem__(self, number: int) -> PageChars:
        chars = self._chars(number)
        if chars is None:
            raise KeyError(number)
        return chars


def cell_mention_boxes(row: dict, bbox, page: PageChars) -> list[dict]:
    """The boxes of a mention read from a table cell: char_start/char_end index the cell's
    text (the row's `sentence`), so it is looked for among the cell's characters only."""
    cell = page.within(page.on_turned_page(bbox))
    text = row.get("sentence") or ""
    indices = cell.locate(row["text"], text[max(0, row["char_start"] - 40):row["char_start"]])
    return cell.boxes_of(indices) if indices else []


def mention_boxes(row: dict, section: dict, page: PageChars) -> list[dict]:
    """The boxes of one mention row on its page (empty when it cannot be found there)."""
    text = section["text"]
    marks = sorted((m["offset"], m["page"]) for m in section.get("page_marks") or [])
    offsets = [o for o, _ in marks]
    k = bisect.bisect_right(offsets, row["char_start"]) - 1
    page_start = offsets[k] if k >= 0 else 0
    page_end = offsets[k + 1] if k + 1 < len(offsets) else len(text)
    needle = text[row["char_start"]:min(row["char_end"], page_end)]
    context = text[max(page_start, row["char_start"] - 40):row["char_start"]]
    indices = page.locate(needle, context)
    return page.boxes_of(indices) if indices else []


def add_boxes(tables: dict, source: Path | None, printed: PageStore | dict | None = None, document=None) -> dict:
    """Set `boxes` on every mention row of `tables` (in place); [] without a PDF source.

    The reader's own characters (`printed`: a PageStore, or page number -> PageChars)
    are used where it has the page, so the PDF is not read a second time; otherwise
    pypdfium2 reads them, from `document` (the source opened once by a caller that
    calls this for each group of documents: opening it each time cost 5 ms a call)."""
    rows_by_page: dict[int, list[dict]] = {}
    for name in MENTION_TABLES:
        for row in tables.get(name, []):
            row["boxes"] = []
            if source is not None and not row.get("ocr"):
                rows_by_page.setdefault(row["page"], []).append(row)
    if not rows_by_page:
        return tables
    import pypdfium2 as pdfium

    sections = {s["section_id"]: s for s in tables["sections"]}
    cells = {(c["table"], c["row"], c["column"]): c["bbox"] for c in tables.get("table_cells", []) if c.get("bbox")}
    read = printed if printed is not None else {}
    pdf = document if document is not None else pdfium.PdfDocument(str(source))
    missing = 0
    try:
        for number, rows in sorted(rows_by_page.items()):
            if not 1 <= number <= len(pdf):
                continue
            page = read[number] if number in read else PageChars.read(pdf[number - 1])
            whole = None      # the page with its tables' characters, which the reader's lines leave out
            for row in rows:
                if row.get("table_row") is not None:     # read from a table cell
                    bbox = cells.get((row["table"], row["table_row"], row["table_column"]))
                    whole = whole or (page if number not in read else PageChars.read(pdf[number - 1], page.turn))
                    row["boxes"] = cell_mention_boxes(row, bbox, whole) if bbox else []
                else:
                    row["boxes"] = mention_boxes(row, sections[row["section_id"]], page)
                missing += not row["boxes"]
    finally:
        if document is None:
            pdf.close()
    if missing:
        log.info("%s: %d mention(s) not located on their page (no boxes)", source, missing)
    return tables


# ---------------------------------------------------------------- showing a row

def render_page(pdf_path: Path, page: int, boxes: list[dict], scale: float = 2.0):
    """The page as a PIL image with the boxes highlighted (translucent yellow, red outline)."""
    import pypdfium2 as pdfium
    from PIL import Image, ImageDraw

    from .sources.pdfiumchars import visible_rect

    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        shown = pdf[page - 1]
        image = shown.render(scale=scale).to_pil().convert("RGB")
        # pdfium renders the CropBox; boxes are measured from the MediaBox's corner
        dx, dy = (visible_rect(shown) or (0.0, 0.0))[:2]
    finally:
        pdf.close()
    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    for b in boxes:
        rect = [(b["x0"] - dx) * scale - 2, (b["top"] - dy) * scale - 2, (b["x1"] - dx) * scale + 2,
                (b["bottom"] - dy) * scale + 2]
        draw.rectangle(rect, fill=(255, 230, 0, 90), outline=(220, 0, 0, 255), width=3)
    return Image.alpha_composite(image.convert("RGBA"), overlay).convert("RGB")


def evidence_html(row: dict, image, title: str) -> str:
    """One self-contained HTML page: the page image beside the mention's sentence and fields."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    png = base64.b64encode(buffer.getvalue()).decode()
    sentence = row.get("sentence") or ""
    text = row["text"]
    marked = html.escape(sentence).replace(html.escape(text), f"<mark>{html.escape(text)}</mark>", 1)
    fields = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>"
                     for k, v in row.items() if k not in ("sentence",) and v is not None)
    return f"""<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:sans-serif;display:flex;gap:2em;margin:1em}} img{{max-height:95vh;border:1px solid #999}}
aside{{max-width:40em}} mark{{background:#ffe600;outline:2px solid #d00}} th{{text-align:left;padding-right:1em;vertical-align:top}}
td{{word-break:break-all}}</style></head>
<body><img src="data:image/png;base64,{png}" alt="page {row['page']}">
<aside><h1>{html.escape(title)}</h1><p style="font-size:1.3em">{marked}</p><table>{fields}</table></aside></body></html>
"""
