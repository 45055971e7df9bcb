"""Ruled tables (subsidy standards, 事项清单, 申报条件) found with pdfplumber's table finder.

Flattened row by row, a table runs its columns together and glues a row number to the
next cell: "5 | 项目负责人…" became the quantity "5 项". So tables are read as cells,
kept out of the running body text, and written as `tables` and `table_cells`; amounts
and percentages come from single cells, with the unit of a caption or header
("单位:万元": a cell "500" under it is 5,000,000 元) and the row and column headers as
the mention's category.

The pass is separate from the reader: `find_tables(path)` opens the PDF once more and
looks only at pages with ruling (two horizontal and two vertical edges), and
`without_tables(raw_pages, regions)` drops the body lines that lie inside a table.
Everything after that is pure: regions -> rows.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from . import patterns
from .numbers import ARABIC, SP, parse_number, scale_value
from .sources import page_heads
from .sources.glyphs import turn_box
from .text import normalize

log = logging.getLogger(__name__)

#: pdfplumber settings: ruled tables only (a text-aligned "table" is ordinary prose layout).
SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines", "snap_tolerance": 3,
            "intersection_tolerance": 3}
#: How far above a table its caption may stand ("单位:万元" on the line above), in points.
CAPTION_GAP = 40
MIN_EDGES = 2  # per direction: a lone rule under a red header is no table
MIN_SEGMENTS = 10  # path segments on a page before pdfplumber looks for tables (a 2 x 2 grid has 12)
SERIAL_HEADERS = {"序号", "编号", "序", "排序", "No.", "NO."}  # a column of row numbers, never quantities

# 单位:万元 / 单位: 元 / (单位:%) in a caption; 金额(万元), 补助标准(万元/个), 比例(%) in a header.
_UNITS = "万亿元|亿元|千万元|百万元|万元|千元|元|%"   # longest first
_UNIT_NOTE = patterns.compile(rf"单{SP}位{SP}[::]{SP}(?P<unit>{_UNITS})")
_HEADER_UNIT = patterns.compile(rf"[((]{SP}(?P<unit>{_UNITS})(?:{SP}/{SP}[^()()]+)?{SP}[))]")
_BARE_NUMBER = patterns.compile(rf"{SP}(?P<num>{ARABIC}){SP}")
# A header cell is text, not a figure: 序号, 项目, 补助标准(万元). A cell of digits only is data.
_DATA_CELL = patterns.compile(rf"{SP}[-+]?{ARABIC}{SP}%?{SP}")


@dataclass
class Cell:
    row: int
    column: int
    text: str
    bbox: tuple[float, float, float, float] | None  # x0, top, x1, bottom; None for a merged-away cell
    breaks: tuple[int, ...] = ()   # offsets in text where a printed line of the cell ended


@dataclass
class TableRegion:
    page: int                      # 1-based, as RawPage.page
    index: int                     # 0-based position of the table on its page
    bbox: tuple[float, float, float, float]
    caption: str | None = None     # the line right above: 单位:万元, 表1 补助标准
    cells: list[Cell] = field(default_factory=list)
    continues: "TableRegion | None" = None  # the table on the page before that this one goes on with
    # A page read turned (RawPage.turn): boxes lie on the turned page of `size` (width,
    # height) until `shown` puts them on the page as displayed, for the tables' rows.
    turn: int = 0
    size: tuple[float, float] = (0.0, 0.0)

    def shown(self, box) -> list[float]:
        return list(turn_box(box, 360 - self.turn, *self.size) if self.turn else box)

    @property
    def n_rows(self) -> int:
        return 1 + max((c.row for c in self.cells), default=-1)

    @property
    def n_columns(self) -> int:
        return 1 + max((c.column for c in self.cells), default=-1)


# ---------------------------------------------------------------- finding (I/O)

def has_ruling(page) -> bool:
    """Cheap test before the table finder: enough horizontal and vertical rules on the page."""
    edges = page.edges
    horizontal = sum(1 for e in edges if e["orientation"] == "h")
    vertical = sum(1 for e in edges if e["orientation"] == "v")
    return horizontal >= MIN_EDGES and vertical >= MIN_EDGES


def page_tables(page, page_number: int) -> list[TableRegion]:
    """The ruled tables of one pdfplumber page (the function a reader may call per page)."""
    if not has_ruling(page):
        return []
    regions = []
    for table in page.find_tables(SETTINGS):
        rows = table.extract()
        if max(len(r) for r in rows) < 2:
            continue  # a box around a paragraph is no table (one row is: a table's last row on a new page)
        region = TableRegion(page_number, len(regions), tuple(float(v) for v in table.bbox))
        for r, (row, texts) in enumerate(zip(table.rows, rows)):
            for c, (bbox, text) in enumerate(zip(row.cells, texts)):
                clean, breaks = _clean(text)
                region.cells.append(Cell(r, c, clean, tuple(float(v) for v in bbox) if bbox else None, breaks))
        region.caption = _caption(page, region.bbox)
        regions.append(region)
    return regions


def find_tables(path: Path, raw_pages: list | None = None,
                skip: frozenset[int] = frozenset()) -> dict[int, list[TableRegion]]:
    """Ruled tables of every page of a PDF: page -> regions (pages without tables left out).

    Only pages with enough path segments (rules are paths) go to pdfplumber: the pdfium
    reader counts them as it reads (RawPage.path_segments); otherwise they are counted
    here with pypdfium2 (0.4 s for 50 pages; parsing every page with pdfplumber takes 5 s).
    A file with no such page is not opened with pdfplumber at all: its page list parses
    every page dictionary (0.67 s CPU on a 500-page Chromium print, 0.17 s on LibreOffice's).
    """
    heads = page_heads(raw_pages) if raw_pages else []
    if heads and all(p.path_segments is not None for p in heads):
        candidates = [p.page - 1 for p in heads if p.path_segments >= MIN_SEGMENTS and p.page - 1 not in skip]
    else:
        candidates = ruled_candidates(path, len(heads) if heads else _page_count(path), skip)
    found: dict[int, list[TableRegion]] = {}
    if not candidates:
        return found
    import pdfplumber
    from pdfplumber.page import Page

    from .sources.pdfchars import turned

    # A page the reader read turned (text set sideways) is searched turned too, so that
    # cells and the reader's lines share one frame (without_tables compares them).
    turns = {p.page - 1: p.turn for p in heads if p.turn}
    with pdfplumber.open(path) as pdf:
        for i in candidates:
            page = pdf.pages[i]
            try:
                with turned(page.page_obj, turns.get(i, 0)):
                    view = Page(pdf, page.page_obj, i + 1, page.initial_doctop) if i in turns else page
                    if regions := page_tables(view, i + 1):
                        for region in regions:
                            region.turn, region.size = turns.get(i, 0), (float(view.width), float(view.height))
                        found[i + 1] = regions
            except Exception as exc:  # a damaged page has no tables, and the reader reports it
                log.debug("%s: page %d: table finder failed: %s", path, i + 1, exc)
            finally:
                page.close()
    link_continuations(found)
    return found


def _page_count(path: Path) -> int:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return len(pdf.pages)


def link_continuations(found: dict[int, list[TableRegion]]) -> None:
    """A table that opens a page with no header row of its own, as wide as the last table of
    the page before, goes on with it: it takes that table's headers and unit."""
    for page in sorted(found):
        first, before = found[page][0], found.get(page - 1)
        if before and header_rows(first) == 0 and before[-1].n_columns == first.n_columns:
            first.continues = before[-1]


def ruled_candidates(path: Path, n_pages: int, skip: frozenset[int] = frozenset()) -> list[int]:
    """0-based pages that may hold a ruled table: path segments enough for a 2 x 2 grid
    (MIN_SEGMENTS; a red header's rule has 2 to 5), whether drawn as one path or many.
    All pages but `skip` when pypdfium2 is missing or cannot read the file."""
    try:
        import pypdfium2 as pdfium
    except ImportError:
        return [i for i in range(n_pages) if i not in skip]
    from .sources.pdfiumchars import MAX_PAGE_GLYPHS, _objects_over
    pdf = pdfium.PdfDocument(str(path))
    try:
        out = []
        for i in range(len(pdf)):
            if i in skip:       # 0-based pages the reader refused to load (pages.error PageTooLarge)
                continue
            page = pdf[i]
            if _objects_over(page, MAX_PAGE_GLYPHS) is not None:   # a form drawn over and over: damaged
                page.close()
                continue
            segments = sum(pdfium.raw.FPDFPath_CountSegments(obj.raw) for obj in page.get_objects()
                           if obj.type == pdfium.raw.FPDF_PAGEOBJ_PATH)
            if segments >= MIN_SEGMENTS:
                out.append(i)
            page.close()
        return out
    except Exception:  # pypdfium2 cannot read it: let pdfplumber look at every page
        return [i for i in range(n_pages) if i not in skip]
    finally:
        pdf.close()


def _clean(text: str | None) -> tuple[str, tuple[int, ...]]:
    """Cell text as one line (pdfplumber joins a wrapped cell with \\n; CJK needs no
    space), and the offsets where its printed lines ended."""
    lines = [normalize(line) for line in (text or "").split("\n")]
    out, breaks = "", []
    for line in filter(None, lines):
        if out:
            breaks.append(len(out))
        out += (" " if out and out[-1].isascii() and line[0].isascii() and out[-1].isalnum() else "") + line
    return out, tuple(breaks)


def _caption(page, bbox) -> str | None:
    """The text line right above the table: its caption or unit note."""
    x0, top, x1, _ = bbox
    above = page.crop((0, max(0, top - CAPTION_GAP), float(page.width), top), strict=False)
    lines = [normalize(line) for line in (above.extract_text() or "").split("\n") if line.strip()]
    return lines[-1] if lines else None


# ---------------------------------------------------------------- body text

def without_tables(raw_pages: list, regions: dict[int, list[TableRegion]]) -> list:
    """RawPages with every line inside a table dropped, so the body text holds no cell.

    A line is inside when its vertical centre lies in a table's box and it overlaps the
    box horizontally. Pages are changed in place (lines only; a list or a PageSpill) and returned.
    """
    if not regions:
        return raw_pages
    for i, page in enumerate(raw_pages):
        boxes = [r.bbox for r in regions.get(page.page, [])]
        if boxes:
            page.lines = [line for line in page.lines if not any(_inside(line, box) for box in boxes)]
            raw_pages[i] = page     # a PageSpill keeps a copy: store the change
    return raw_pages


def _inside(line, box) -> bool:
    if line.top is None or line.x0 is None:
        return False
    x0, top, x1, bottom = box
    middle = (line.top + line.bottom) / 2
    return top <= middle <= bottom and line.x0 < x1 and line.x1 > x0


# ---------------------------------------------------------------- rows (pure)

def header_rows(region: TableRegion) -> int:
    """How many rows on top are column headers: the leading rows with no data cell."""
    n = 0
    for r in range(region.n_rows):
        cells = [c for c in region.cells if c.row == r and c.text]
        if not cells or any(_DATA_CELL.fullmatch(c.text) for c in cells):
            break
        n += 1
    return min(n, region.n_rows - 1) if region.continues is None else n


def _grid(region: TableRegion) -> dict[tuple[int, int], str]:
    """(row, column) -> text, a merged cell's text carried to the cells it covers."""
    grid = {(c.row, c.column): c.text for c in region.cells}
    for r in range(region.n_rows):
        for c in range(region.n_columns):
            if not grid.get((r, c)) and c > 0 and _covered(region, r, c, "left"):
                grid[(r, c)] = grid.get((r, c - 1), "")
            if not grid.get((r, c)) and r > 0 and _covered(region, r, c, "up"):
                grid[(r, c)] = grid.get((r - 1, c), "")
    return grid


def _covered(region: TableRegion, r: int, c: int, direction: str) -> bool:
    cell = next((x for x in region.cells if x.row == r and x.column == c), None)
    return cell is not None and cell.bbox is None


def header_path(region: TableRegion, row: int, column: int, grid=None, heads: int | None = None) -> list[str]:
    """Column headers above a cell (top to bottom) and the row header to its left (序号 columns skipped)."""
    grid = grid or _grid(region)
    heads = header_rows(region) if heads is None else heads
    path = []
    if region.continues is not None and heads == 0:  # headers printed on the page before
        path = header_path(region.continues, 0, column)
    for r in range(heads):
        text = grid.get((r, column), "")
        if text and text not in path:
            path.append(text)
    if row >= heads:
        for c in range(column):
            text = grid.get((row, c), "")
            if text and not _DATA_CELL.fullmatch(text):
                path.append(text)
                break
    return path


def table_unit(region: TableRegion, column: int, grid=None, heads: int | None = None) -> str | None:
    """The unit a bare number of `column` is in: its header's (金额(万元)), else the caption's (单位:万元)."""
    grid = grid or _grid(region)
    heads = header_rows(region) if heads is None else heads
    for r in range(heads):
        if m := _HEADER_UNIT.search(grid.get((r, column), "")):
            return m["unit"]
    if region.caption and (m := _UNIT_NOTE.search(region.caption)):
        return m["unit"]
    for cell in region.cells:  # a unit note inside the table's first row: |单位:万元|
        if cell.row == 0 and (m := _UNIT_NOTE.search(cell.text)):
            return m["unit"]
    if region.continues is not None and heads == 0:
        return table_unit(region.continues, column)
    return None


def serial_columns(region: TableRegion, grid=None, heads: int | None = None) -> set[int]:
    """Columns of row numbers: headed 序号/编号, or holding 1, 2, 3 … down the data rows."""
    grid = grid or _grid(region)
    heads = header_rows(region) if heads is None else heads
    out = set()
    for c in range(region.n_columns):
        header = "".join(grid.get((r, c), "") for r in range(heads)).replace(" ", "")
        values = [grid.get((r, c), "").strip() for r in range(heads, region.n_rows)]
        counting = (len(values) >= 2 and values[0].isdigit()
                    and values == [str(i) for i in range(int(values[0]), int(values[0]) + len(values))])
        if header in SERIAL_HEADERS or counting:
            out.add(c)
    if region.continues is not None and heads == 0:
        out |= serial_columns(region.continues)
    return out


def table_rows(regions: dict[int, list[TableRegion]], locate) -> tuple[list[dict], list[dict]]:
    """`tables` and `table_cells` rows. `locate(page)` -> (doc_id, section_id) of the section
    the table sits in (the integrator passes the structure stage's page -> section map)."""
    tables, cells = [], []
    for page in sorted(regions):
        for region in regions[page]:
            doc_id, section_id = locate(page)
            grid, heads = _grid(region), header_rows(region)
            serial = serial_columns(region, grid, heads)
            table_id = f"{page}/{region.index}"
            tables.append({"doc_id": doc_id, "section_id": section_id, "page": page, "table": table_id,
                           "table_index": region.index, "n_rows": region.n_rows, "n_columns": region.n_columns,
                           "header_rows": heads, "caption": region.caption, "bbox": region.shown(region.bbox)})
            for cell in region.cells:
                cells.append({"doc_id": doc_id, "section_id": section_id, "page": page, "table": table_id,
                              "row": cell.row, "column": cell.column, "text": cell.text,
                              "is_header": cell.row < heads, "is_serial": cell.column in serial,
                              "header_path": header_path(region, cell.row, cell.column, grid, heads),
                              "bbox": region.shown(cell.bbox) if cell.bbox else None})
    return tables, cells


def _data_cells(region: TableRegion):
    """(cell, header path, place) of each data cell that holds text: below the header
    rows, not merged away, not a 序号 column; place is the mention rows' table, table_row,
    table_column."""
    grid, heads = _grid(region), header_rows(region)
    serial = serial_columns(region, grid, heads)
    for cell in region.cells:
        if cell.row < heads or not cell.text or cell.bbox is None or cell.column in serial:
            continue
        place = {"table": f"{region.page}/{region.index}", "table_row": cell.row, "table_column": cell.column}
        yield cell, header_path(region, cell.row, cell.column, grid, heads), place


def cell_responsibilities(region: TableRegion) -> list[dict]:
    """The bodies named in a table's cells under a label header (牵头单位 / 配合单位 /
    责任单位, the 任务分工表 of an implementation plan), as responsibility rows plus their place."""
    from .extract.responsibilities import labelled_list

    out = []
    for cell, path, place in _data_cells(region):
        for label in path:
            if rows := labelled_list(cell.text, label, cell.breaks):
                out += [{**row, **place} for row in rows]
                break
    return out


def cell_dates(region: TableRegion) -> list[dict]:
    """The dates of a table's data cells; under a deadline header (完成时限, 时间节点 …,
    data/date_roles.json) a date with no role of its own is the row's deadline (target)."""
    from .extract.dates import DEADLINE_HEADERS, find_dates

    out = []
    for cell, path, place in _data_cells(region):
        deadline = any("".join(h.split()) in DEADLINE_HEADERS for h in path)
        for row in find_dates(cell.text):
            if deadline and row["role"] == "other":
                row["role"] = "target"
            out.append({**row, **place})
    return out


def cell_mentions(region: TableRegion) -> tuple[list[dict], list[dict]]:
    """Amounts and percentages of a table's data cells, as finder rows plus their place.

    A cell with its own unit ("10万元", "50%") is read by the finders; a bare number
    takes the unit of its column header or the table caption. A cell of the first
    column that is only a number is a row number (序号), never a quantity.
    """
    # The finders' patterns compile on import (~0.1 s): the parent of a build needs them
    # only for a file with ruled tables (the workers, which extract, import them anyway).
    from .extract.amounts import find_amounts
    from .extract.percentages import find_percentages

    grid, heads = _grid(region), header_rows(region)
    amounts, percentages = [], []
    for cell, path, place in _data_cells(region):
        place = {**place, "category": " / ".join(path) or None}
        found_money = find_amounts(cell.text)
        found_pct = find_percentages(cell.text)
        if not found_money and not found_pct and (bare := _BARE_NUMBER.fullmatch(cell.text)):
            unit = table_unit(region, cell.column, grid, heads)
            value = parse_number(bare["num"])
            start, end = bare.span("num")
            if unit == "%" and value is not None:
                found_pct = [{"char_start": start, "char_end": end, "text": bare["num"], "value": value / 100,
                              "low": None, "high": None, "bound": "exact", "base": None, "kind": "percent"}]
            elif unit and value is not None:
                yuan = value * scale_value(unit[:-1])
                found_money = [{"char_start": start, "char_end": end, "text": bare["num"],
                                "value_yuan": _tidy(yuan), "low_yuan": None, "high_yuan": None, "bound": "exact",
                                "per_unit": None, "frequency": None, "category": None}]
        for row in found_money:
            amounts.append({**row, **place, "category": row.get("category") or place["category"]})
        for row in found_pct:
            percentages.append({**row, **place})
    return amounts, percentages


def _tidy(value: Decimal) -> Decimal:
    return Decimal(int(value)) if value == value.to_integral_value() else value.normalize()


# ---------------------------------------------------------------- the edition's rows

def section_locator(sections: list[dict]):
    """page -> the `sections` row a table on that page follows: the last section, in
    document order, that starts on or before the page and has not ended before it."""
    spans = [(marks[0]["page"] if marks else 0, marks[-1]["page"] if marks else None, s)
             for s in sections for marks in [s["page_marks"]]]

    def locate(page: int):
        best = None
        for first, last, section in spans:
            if first <= page and (last is None or last >= page - 1):
                best = section
        return best

    return locate


#: The mention tables that also hold rows read from table cells (table_row not null).
CELL_MENTION_TABLES = ("amounts", "percentages", "dates", "responsibilities")


def edition_tables(regions: dict[int, list[TableRegion]], sections: list[dict], edition: str,
                   extracted: dict) -> dict[str, list[dict]]:
    """`tables` and `table_cells` rows, and the amounts and percentages read from cells as
    rows of those tables (provenance included). mention_index continues after the section's
    running-text mentions in `extracted` (the extract stage's tables), so keys stay unique."""
    from .extract import clause_labels

    located = section_locator(sections)
    clauses = clause_labels(sections)

    def locate(page):
        hit = located(page)
        return (hit["doc_id"], hit["section_id"]) if hit else (None, None)

    table_rows_, cell_rows = table_rows(regions, locate)
    out = {"tables": [{**r, "edition": edition} for r in table_rows_],
           "table_cells": [{**r, "edition": edition} for r in cell_rows],
           "amounts": [], "percentages": [], "dates": [], "responsibilities": []}
    next_index: dict[tuple[str, str], int] = {}
    for name in CELL_MENTION_TABLES:
        for row in extracted.get(name, []):
            k = (name, row["section_id"])
            next_index[k] = max(next_index.get(k, 0), row["mention_index"] + 1)
    for page in sorted(regions):
        for region in regions[page]:
            hit = located(page)
            if hit is None:
                continue  # a table outside every document: its cells are still in table_cells
            doc_id, section_id = hit["doc_id"], hit["section_id"]
            money, percent = cell_mentions(region)
            for name, rows in (("amounts", money), ("percentages", percent), ("dates", cell_dates(region)),
                               ("responsibilities", cell_responsibilities(region))):
                for row in rows:
                    k = (name, section_id)
                    index = next_index.get(k, 0)
                    next_index[k] = index + 1
                    cell = next(c for c in region.cells if c.row == row["table_row"] and c.column == row["table_column"])
                    out[name].append({"edition": edition, "doc_id": doc_id, "section_id": section_id,
                                      "clause": clauses[section_id], "section_order": hit["section_order"],
                                      "clause_path": hit["clause_path"],
                                      "page": page, "mention_index": index, **row,
                                      "sentence": cell.text, "ocr": False})
    return out
