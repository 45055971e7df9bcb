"""pipeline.tables on a ruled-table PDF printed by LibreOffice (tests/fixtures/tables/README.md
gives the real texts it holds and its answer key), and on PDFs without tables."""
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import run_cli
from pipeline import tables
from pipeline.dataset import to_arrow
from pipeline.extract.amounts import find_quantities
from pipeline.pages import pages_table
from pipeline.sources import read_pages
from pipeline.structure import structure_tables

FIXTURE = Path(__file__).parent / "fixtures" / "tables" / "ruled-tables-libreoffice.pdf"
NO_TABLES = Path(__file__).parent / "fixtures" / "pdfs" / "libreoffice-running-header-pagenum-top-right.pdf"


@pytest.fixture(scope="module")
def regions():
    return tables.find_tables(FIXTURE)


def test_finds_the_three_ruled_tables(regions):
    found = [(r.page, r.index, r.n_rows, r.n_columns, r.caption) for page in regions.values() for r in page]
    assert found == [(1, 0, 6, 4, "表1 政策措施分工"), (1, 1, 4, 4, "单位:万元"), (1, 2, 4, 3, "三、发展目标")]


def test_no_tables_on_pages_without_ruling():
    assert tables.find_tables(NO_TABLES) == {}


def test_cells_and_headers(regions):
    table_rows, cells = tables.table_rows(regions, lambda page: ("doc", "doc/一"))
    assert to_arrow("tables", [{**r, "edition": "t"} for r in table_rows]).num_rows == 3
    assert to_arrow("table_cells", [{**c, "edition": "t"} for c in cells]).num_rows == 6 * 4 + 4 * 4 + 4 * 3
    by_place = {(c["table"], c["row"], c["column"]): c for c in cells}
    assert by_place[("1/0", 1, 3)]["text"] == "区发改局、区审改办、区住建局"
    assert by_place[("1/0", 1, 3)]["header_path"] == ["配合单位", "精简项目审批手续"]
    assert by_place[("1/0", 0, 0)]["is_header"] and by_place[("1/0", 4, 0)]["is_serial"]
    assert not by_place[("1/1", 2, 2)]["is_serial"]


# (table id, [(cell text, value, low, high, category)]) read off the fixture by hand
MONEY = [("1/1", [("3000", Decimal(30000000), None, None, "金额 / 发放消费券资金"),
                  ("4000", Decimal(40000000), None, None, "金额 / 重大项目前期费"),
                  ("3万元-5万元", None, Decimal(30000), Decimal(50000), "金额 / 承办市级消费促进活动")])]
PERCENT = [("1/2", [("35", Decimal("0.35"), "目标值(%) / 制造业增加值占地区生产总值比重"),
                    ("1", Decimal("0.01"), "目标值(%) / 研究开发与试验发展经费支出占营业收入比重"),
                    ("5", Decimal("0.05"), "目标值(%) / 单位工业增加值能耗年均下降")])]


def test_amounts_and_percentages_from_cells_with_header_units(regions):
    amounts, percentages = [], []
    for region in (r for page in regions.values() for r in page):
        a, p = tables.cell_mentions(region)
        amounts += a
        percentages += p
    got = [(r["table"], r["text"], r["value_yuan"], r["low_yuan"], r["high_yuan"], r["category"]) for r in amounts]
    assert got == [(t, *row) for t, rows in MONEY for row in rows]
    got = [(r["table"], r["text"], r["value"], r["category"]) for r in percentages]
    assert got == [(t, *row) for t, rows in PERCENT for row in rows]


def _quantities(raw):
    pages = pages_table(raw, "t", str(FIXTURE))
    _, _, docs = structure_tables(pages, "t", str(FIXTURE))
    return [(s.path, r["text"]) for d in docs for s in d.sections for r in find_quantities(s.text)]


def test_table_text_stays_out_of_the_body(regions):
    """Flattened, row 5 ("5 | 项目会办推进") is the false quantity "5 项"; with the tables cut out, none."""
    _, raw = read_pages(FIXTURE, workers=1, ocr=False)
    assert ("5 项") in [text for _, text in _quantities(raw)]  # the defect the cut removes
    _, raw = read_pages(FIXTURE, workers=1, ocr=False)
    kept = tables.without_tables(raw, regions)
    assert _quantities(kept) == []
    body = "\n".join(line.text for page in kept for line in page.lines)
    assert "区政务服务局牵头" in body and "本措施自印发之日起施行" in body  # prose around the tables stays
    assert "发放消费券资金" not in body and "4000" not in body


def test_build_writes_tables_and_cell_mentions(tmp_path):
    """End to end on the fixture: tables, cells and cell amounts in the dataset; no quantity
    and no amount from the table in the running text."""
    import pyarrow.parquet as pq

    from pipeline.build import build_edition

    counts = build_edition(FIXTURE, "t", tmp_path, workers=1, ocr=False)
    assert counts["tables"] == 3 and counts["table_cells"] == 52

    def read(name):
        return pq.read_table(tmp_path / name / "t" / "part-0.parquet").to_pylist()

    amounts = read("amounts")
    assert [(r["table"], r["value_yuan"], r["low_yuan"], r["high_yuan"]) for r in amounts] == [
        ("1/1", Decimal(30000000), None, None), ("1/1", Decimal(40000000), None, None),
        ("1/1", None, Decimal(30000), Decimal(50000))]
    assert [r["value"] for r in read("percentages")] == [Decimal("0.35"), Decimal("0.01"), Decimal("0.05")]
    assert read("quantities") == []
    keys = [(r["section_id"], r["mention_index"]) for r in amounts]
    assert len(set(keys)) == len(keys)
    running = [r for r in read("responsibilities") if r["table"] is None]
    assert [(r["text"], r["role"]) for r in running] == [
        ("区政务服务局", "lead"), ("区发改局", "cooperating"), ("区审改办", "cooperating"),
        ("区住建局", "cooperating"), ("区级相关部门", "cooperating")]


# 表1 政策措施分工 of the fixture (answer key: its HTML): (row, column, body, role) of each name
# under 牵头单位 (column 2) and 配合单位 (column 3).
TABLE_1_BODIES = [
    (1, 2, "区政务服务局", "lead"), (1, 3, "区发改局", "cooperating"), (1, 3, "区审改办", "cooperating"),
    (1, 3, "区住建局", "cooperating"), (2, 2, "区国土分局", "lead"), (2, 3, "区规划分局", "cooperating"),
    (3, 2, "区环保局", "lead"), (3, 3, "区水务局", "cooperating"), (4, 2, "区发改局", "lead"),
    (4, 3, "区财政局", "cooperating"), (4, 3, "区交运局", "cooperating"), (5, 2, "区发改局", "lead"),
    (5, 3, "区级相关部门", "cooperating"),
]


@pytest.fixture(scope="module")
def table_build(tmp_path_factory):
    out = tmp_path_factory.mktemp("tables")
    run = run_cli("build", FIXTURE, "--edition", "t", "--out", out, "--no-ocr")
    assert run.returncode == 0, run.stderr
    return out


def _read(out, name, edition="t"):
    import pyarrow.parquet as pq
    return pq.read_table(out / name / edition / "part-0.parquet").to_pylist()


def test_bodies_under_a_label_header_are_responsibilities(table_build):
    cells = [r for r in _read(table_build, "responsibilities") if r["table"] is not None]
    assert [(r["table_row"], r["table_column"], r["text"], r["role"]) for r in cells] == TABLE_1_BODIES
    assert {(r["table"], r["form"], r["sentence"] is not None) for r in cells} == {("1/0", "label", True)}
    keys = [(r["section_id"], r["mention_index"]) for r in _read(table_build, "responsibilities")]
    assert len(set(keys)) == len(keys)


@pytest.mark.parametrize("name", ["amounts", "percentages", "responsibilities"])
def test_a_cell_mention_is_boxed_inside_its_cell(table_build, name):
    """A cell mention's char_start indexes its cell's text: its boxes are looked for in the
    cell (they once came from wherever the section text's first characters were printed)."""
    bbox = {(c["table"], c["row"], c["column"]): c["bbox"] for c in _read(table_build, "table_cells")}
    rows = [r for r in _read(table_build, name) if r["table"] is not None]
    assert rows
    for row in rows:
        x0, top, x1, bottom = bbox[(row["table"], row["table_row"], row["table_column"])]
        assert row["boxes"], row["text"]
        for box in row["boxes"]:
            assert x0 <= box["x0"] < box["x1"] <= x1 and top <= box["top"] < box["bottom"] <= bottom, row["text"]


@pytest.mark.parametrize("fixture", ["ruled-tables-libreoffice.pdf", "task-table-xian-libreoffice.pdf"])
def test_extract_rerun_keeps_the_cell_mentions(fixture, tmp_path):
    from conftest import tree_digest
    out = tmp_path / "out"
    run = run_cli("build", FIXTURE.with_name(fixture), "--edition", "t", "--out", out, "--no-ocr")
    assert run.returncode == 0, run.stderr
    assert any(r["table"] for name in ("amounts", "dates", "responsibilities") for r in _read(out, name))
    before = tree_digest(out)
    run = run_cli("extract", "--data", out, "--edition", "t")
    assert run.returncode == 0, run.stderr
    assert tree_digest(out) == before


def test_a_table_going_on_over_a_page_keeps_its_headers_and_unit():
    """Its last row alone on page 2, with no header row: the unit (单位:万元) and the column
    header (金额) come from the table on page 1; the 4 of its 序号 column is a row number."""
    split = FIXTURE.with_name("ruled-table-across-pages-libreoffice.pdf")
    regions = tables.find_tables(split)
    assert [(p, r.n_rows, r.continues is not None) for p, rs in regions.items() for r in rs] == [
        (1, 4, False), (2, 1, True)]
    money = tables.cell_mentions(regions[2][0])[0]
    assert [(r["text"], r["value_yuan"], r["category"]) for r in money] == [
        ("4000", Decimal(40000000), "金额 / 区级重大项目前期费")]


# 西安市贯彻落实陕西省《2022年深化“放管服”改革优化营商环境工作要点》分工方案 (西安市人民政府办公厅,
# 2022-07-27; http://echinagov.com/policy/327617.htm), its first two rows as LibreOffice sets them in narrow
# columns: the names wrap inside (市行政 / 审批局 / 市司法 / 局), the header too (牵头单 / 位).
XIAN = FIXTURE.with_name("task-table-xian-libreoffice.pdf")
XIAN_BODIES = [(row, column, name, role) for row in (1, 2) for column, name, role in (
    (2, "市行政审批局", "lead"), (2, "市司法局", "lead"), (3, "市级相关单位", "responsible"),
    (3, "各区县政府", "responsible"), (3, "西咸新区管委会", "responsible"))]


# The same page set sideways on landscape paper (tools/sideways_fixture.py), as a print driver
# puts a landscape attachment on the other paper: every glyph and rule at 90 degrees.
XIAN_SIDEWAYS = {90: XIAN.with_name("task-table-xian-libreoffice-set-sideways-bottom-to-top.pdf"),
                 270: XIAN.with_name("task-table-xian-libreoffice-set-sideways-top-to-bottom.pdf")}


@pytest.mark.parametrize("source", [XIAN, *XIAN_SIDEWAYS.values()], ids=lambda p: p.stem)
def test_a_task_table_gives_each_rows_bodies_and_deadline(source, tmp_path):
    run = run_cli("build", source, "--edition", "t", "--out", tmp_path, "--no-ocr")
    assert run.returncode == 0, run.stderr
    bodies = [r for r in _read(tmp_path, "responsibilities") if r["table"] is not None]
    assert [(r["table_row"], r["table_column"], r["text"], r["role"]) for r in bodies] == XIAN_BODIES
    dates = [r for r in _read(tmp_path, "dates") if r["table"] is not None]
    assert [(r["table_row"], r["text"], r["value"], r["role"]) for r in dates] == [
        (1, "2022年9月", "2022-09", "target"), (2, "2022年11月", "2022-11", "target")]
    assert all(r["boxes"] for r in bodies + dates)
    # no issuer line: the title's 西安市 says whose 市司法局 it is (not Hangzhou's, the gazetteer's home)
    assert {(r["department"] == r["text"], r["known"]) for r in bodies} == {(True, False)}


def _box(b: dict | list) -> list[float]:
    return list(b) if isinstance(b, list) else [b["x0"], b["top"], b["x1"], b["bottom"]]


@pytest.mark.parametrize("turn", sorted(XIAN_SIDEWAYS))
def test_a_table_set_sideways_is_the_upright_tables_turned(turn, tmp_path):
    """Found and read on the turned page; its boxes and its mentions' boxes reported on
    the page as displayed: the upright page's, turned back (to 0.01 pt)."""
    from pipeline.sources.glyphs import turn_box

    built = {}
    for name, source in (("upright", XIAN), ("sideways", XIAN_SIDEWAYS[turn])):
        run = run_cli("build", source, "--edition", name, "--out", tmp_path, "--no-ocr")
        assert run.returncode == 0, run.stderr
        built[name] = {t: _read(tmp_path, t, name) for t in ("pages", "tables", "table_cells", "responsibilities", "dates")}
    up, side = built["upright"], built["sideways"]
    assert [(p["reading_turn"], p["width"], p["height"]) for p in up["pages"]] == [(0, 595.304, 841.89)]
    assert [(p["reading_turn"], p["width"], p["height"]) for p in side["pages"]] == [(turn, 595.304, 841.89)]

    def displayed(box):      # an upright box on the sideways page, as displayed
        return list(turn_box(_box(box), 360 - turn, 595.304, 841.89))

    for table, count in (("tables", 1), ("table_cells", 15)):
        ours = [v for r in side[table] for v in _box(r["bbox"])]
        assert len(ours) == 4 * count
        assert ours == pytest.approx([v for r in up[table] for v in displayed(r["bbox"])], abs=0.01)
    for table, count in (("responsibilities", 18), ("dates", 4)):
        ours = [v for r in side[table] for b in r["boxes"] for v in _box(b)]
        assert len(ours) == 4 * count
        assert ours == pytest.approx([v for r in up[table] for b in r["boxes"] for v in displayed(b)], abs=0.01)
