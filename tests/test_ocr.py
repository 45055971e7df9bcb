"""OCR of image-only pages (pipeline/ocr.py): the clean-up rules, which pages need OCR,
the scanned fixture read against the seed it was typeset from, the cache, and a build
without the engine.

The fixture tests/fixtures/pdfs/scanned-doc31-pages-384-388-200dpi-noise-skew.pdf is
made by `python tools/typeset.py raw/2023-flipbook.txt <it> --scan-pages 384-388
--scan-dpi 200 --noise 0.02 --skew 0.4`: PDF pages 34-38 are speckled, slightly rotated
200 dpi scans of source pages 384-388; pages 45-49 (395-399) are scans with only their
page number in the footer.
"""
from __future__ import annotations

import io
import logging
import math
import sys
import time
from pathlib import Path

import pytest

from conftest import FIXTURES, SEED
from rapidfuzz.distance import Levenshtein

from pipeline import ocr
from pipeline.ocr import engine, read
from pipeline.pages import pages_table
from pipeline.sources import Line, RawPage, read_pages
from pipeline.sources.flipbook import read_flipbook
from pipeline.text import normalize

SCANNED = FIXTURES / "scanned-doc31-pages-384-388-200dpi-noise-skew.pdf"
SCANNED_PAGES = {34: 384, 35: 385, 36: 386, 37: 387, 38: 388}     # PDF page -> seed page
NUMBER_ONLY = {45: 390, 46: 391, 47: 392, 48: 393, 49: 394}      # PDF page -> printed number


def case(*values, id):
    return pytest.param(*values, id=id)


# ---------------------------------------------------------------- clean_ocr_text

@pytest.mark.parametrize("raw, clean", [
    case("物 医 药 产 业 空 间", "物医药产业空间", id="spaces-between-han-removed"),
    case("到 2030 年，力争", "到 2030 年,力争", id="digit-han-space-kept-fullwidth-comma"),
    case("600 万元", "600 万元", id="amount-space-kept"),
    case("600万元", "600万元", id="no-space-invented"),
    case("2O21年", "2021年", id="letter-O-in-number"),
    case("2o23 年", "2023 年", id="letter-o-in-number"),
    case("第l0条", "第10条", id="letter-l-in-number"),
    case("共l2O 万元", "共120 万元", id="l-and-O-in-number"),
    case("1I0%", "110%", id="letter-I-inside-number"),
    case("| 2019 年 |", "| 2019 年|", id="table-rules-not-read-as-1"),
    case("I2 号", "I2 号", id="leading-I-without-cjk-left-alone"),
    case("CO2排放", "CO2排放", id="chemical-formula-left-alone"),
    case("MAH 企业", "MAH 企业", id="latin-han-space-kept"),
    case("（二）重点领域", "(二)重点领域", id="fullwidth-brackets"),
    case("药品 （医疗器械） 上市许可人 （MAH） 等", "药品(医疗器械)上市许可人(MAH)等", id="spaces-at-brackets"),
    case("投入 40% ， 单个品种", "投入 40%,单个品种", id="space-before-comma"),
    case("医美等领域.", "医美等领域。", id="full-stop-after-han"),
    case("版本 1.5 生效", "版本 1.5 生效", id="decimal-point-kept"),
    case('健康产业"156 行动"', "健康产业“156 行动”", id="straight-quotes-in-cjk"),
    case("对已在国内开展|期、Ⅱ期、Ⅲ期临床试验", "对已在国内开展Ⅰ期、Ⅱ期、Ⅲ期临床试验", id="pipe-for-roman-one"),
    case("-379一", "— 379 —", id="page-number-dash-read-as-yi"),
    case("379—", "— 379 —", id="page-number-lost-dash"),
    case("3.79—", "— 379 —", id="page-number-speckle-dot"),
    case("— 390 —", "— 390 —", id="page-number-intact"),
    case("380", "380", id="bare-page-number"),
    case("ＧＢ／Ｔ 36073-2018", "GB/T 36073-2018", id="fullwidth-latin"),
    case("   ", "", id="blank"),
    case("杭州市　人民政府", "杭州市人民政府", id="ideographic-space"),
    # page numbers with a speck read as a dot or comma at an end
    case("-404-.", "— 404 —", id="page-number-trailing-speck"),
    case(".-12-", "— 12 —", id="page-number-leading-speck"),
    case("一 7 一", "— 7 —", id="page-number-yi-both-sides"),
    case("404.", "404.", id="bare-number-dot-not-a-page-frame"),
    # 文号 year brackets read as other brackets, only before a number and 号
    case("杭政办函(2025)12号", "杭政办函〔2025〕12号", id="doc-number-round-brackets"),
    case("浙发改产业[2024] 3 号", "浙发改产业〔2024〕3 号", id="doc-number-square-brackets"),
    case("国发【2023】16号", "国发〔2023〕16号", id="doc-number-lenticular-brackets"),
    case("国办发 （2018） 128号", "国办发〔2018〕128号", id="doc-number-fullwidth-spaced"),
    case("杭政办函〔2025)12号", "杭政办函〔2025〕12号", id="doc-number-mixed-brackets"),
    case("国发〔2023〕16号", "国发〔2023〕16号", id="doc-number-intact"),
    case("到2025年(2025)目标", "到2025年(2025)目标", id="year-in-brackets-without-hao-kept"),
    case("(2025)第3号公告", "(2025)第3号公告", id="bracketed-year-not-after-issuer-kept"),
])
def test_clean_ocr_text(raw, clean):
    assert ocr.clean_ocr_text(raw) == clean


# ---------------------------------------------------------------- needs_ocr

def _page(texts, images=1, error=None):
    return RawPage(page=1, lines=[Line(t) for t in texts], image_count=images, error=error)


@pytest.mark.parametrize("page, expected", [
    case(_page([]), True, id="image-no-chars"),
    case(_page(["   ", "\u3000"]), True, id="only-whitespace"),
    case(_page(["\ue000\ue001\uf8ff"]), True, id="only-private-use"),
    case(_page(["\ufffd\ufffd"]), True, id="only-replacement-chars"),
    case(_page(["(cid:12)(cid:345)"]), True, id="only-unmapped-cids"),
    case(_page(["\ue000 \ufffd"]), True, id="private-use-and-replacement"),
    case(_page(["关于印发"]), False, id="real-text"),
    case(_page(["\ue000 政"]), False, id="some-real-text"),
    case(_page(["— 390 —"]), False, id="page-number-text-layer"),
    case(_page([], images=0), False, id="blank-page-without-images"),
    case(_page([], error="PDFSyntaxError: bad"), False, id="damaged-page"),
])
def test_needs_ocr(page, expected):
    assert ocr.needs_ocr(page) is expected


# ---------------------------------------------------------------- engine boxes -> lines

def _box(text, score, x0, top, x1, bottom):
    return {"box": [[x0, top], [x1, top], [x1, bottom], [x0, bottom]], "text": text, "score": score}


def test_ocr_lines_geometry_filtering_and_confidence():
    raw = [
        _box("— 379 —", 0.9, 1190, 3290, 1300, 3350),               # footer
        _box("计划，通过 3 年努力", 0.99, 320, 420, 2000, 490),
        _box("物医药产业空间布局", 0.98, 320, 310, 1200, 380),
        _box("二〇二三年", 0.95, 1500, 312, 1900, 378),                # same line, right part
        _box("杭州市人民政府", 0.31, 800, 1500, 1600, 1600),           # seal inscription: too unsure
        _box("●O", 0.79, 100, 2000, 160, 2060),                        # photo blob: no CJK, no digit
    ]
    lines, confidence = ocr.ocr_lines(raw, 72 / 300)
    assert [l.text for l in lines] == ["物医药产业空间布局二〇二三年", "计划,通过 3 年努力", "— 379 —"]
    first = lines[0]
    assert (first.top, first.bottom, first.x0, first.x1) == pytest.approx((74.4, 91.2, 76.8, 456.0))
    assert first.size == pytest.approx(68 * 72 / 300 / 1.15, abs=0.1)
    weights = {"物医药产业空间布局": 0.98, "二〇二三年": 0.95, "计划，通过 3 年努力": 0.99, "— 379 —": 0.9}
    expected = sum(s * len(t) for t, s in weights.items()) / sum(len(t) for t in weights)
    assert confidence == pytest.approx(expected, abs=1e-4)
    assert ocr.ocr_lines([_box("杭州市", 0.2, 0, 0, 10, 10)], 1.0) == ([], None)


# ---------------------------------------------------------------- scans set sideways or upside down

def _flipped(text, score, x0, y0, x1, y1, flipped=True):
    return {**_box(text, score, x0, y0, x1, y1), "flipped": flipped}


@pytest.mark.parametrize("raw, sideways, upside_down", [
    case([_box("计划，通过 3 年努力", 0.99, 320, 420, 2000, 490), _box("— 379 —", 0.9, 1190, 3290, 1300, 3350)],
         False, False, id="upright-lines-are-wide"),
    # the same page set sideways: each line's box 70 px wide, 1680 px high
    case([_box("计划，通过 3 年努力", 0.99, 420, 320, 490, 2000), _box("物医药产业空间布局", 0.98, 310, 320, 380, 1200),
          _box("— 379 —", 0.9, 3290, 1190, 3350, 1300)], True, False, id="sideways-lines-are-tall"),
    case([_box("二〇", 0.9, 100, 100, 130, 160), _box("计划，通过 3 年努力", 0.99, 320, 420, 2000, 490)],
         False, False, id="one-tall-box-among-wide-ones"),
    case([_flipped("计划，通过 3 年努力", 0.99, 320, 420, 2000, 490), _flipped("物医药产业空间布局", 0.98, 320, 310, 1200, 380),
          _flipped("— 379 —", 0.9, 1190, 3290, 1300, 3350, flipped=False)], False, True, id="most-text-read-flipped"),
    case([_flipped("— 379 —", 0.9, 1190, 3290, 1300, 3350), _box("计划，通过 3 年努力", 0.99, 320, 420, 2000, 490)],
         False, False, id="a-flipped-footer-alone"),
    case([], False, False, id="nothing-found"),
    # a table's 序号 column: one digit each, tall boxes, beside its wide cells
    case([_box(str(k), 0.99, 100, 300 + 60 * k, 120, 340 + 60 * k) for k in range(1, 9)]
         + [_box("市行政审批局", 0.98, 300, 300, 500, 340), _box("2022年9月底", 0.98, 600, 300, 800, 340)],
         False, False, id="digits-of-a-serial-column-do-not-count"),
])
def test_sideways_and_upside_down_scans_are_told_by_their_boxes(raw, sideways, upside_down):
    assert (read.sideways(raw), read.upside_down(raw)) == (sideways, upside_down)


# ---------------------------------------------------------------- the scanned fixture

def _squash(text: str) -> str:
    return "".join(normalize(text).split())


def _accuracy(text: str, reference: str) -> float:
    """How OCR is scored (here and in bench/): 1 - edit distance / reference length, with
    whitespace removed and full-width forms normalized."""
    a, b = _squash(text), _squash(reference)
    return 1 - Levenshtein.distance(a, b) / max(1, len(b))


@pytest.fixture(scope="module")
def ocr_cache(tmp_path_factory):
    """A fresh OCR cache for this module (the environment reaches the worker processes)."""
    path = tmp_path_factory.mktemp("ocr-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("POLICY_PIPELINE_CACHE", str(path))
        yield path


@pytest.fixture(scope="module")
def scanned(ocr_cache):
    """The fixture read once with OCR on two processes: (raw pages, rows by page, seconds)."""
    if ocr.engine_problem():
        pytest.fail(ocr.engine_problem())
    start = time.perf_counter()
    _, raw = read_pages(SCANNED, workers=2)
    seconds = time.perf_counter() - start
    rows = {r["page"]: r for r in pages_table(raw, "scan", str(SCANNED))}
    return raw, rows, seconds


@pytest.fixture(scope="module")
def seed_pages():
    return {p.page: p for p in read_flipbook(SEED)}


@pytest.mark.parametrize("page", sorted(SCANNED_PAGES))
def test_scanned_page_text_matches_seed(scanned, seed_pages, page):
    _, rows, _ = scanned
    row, source = rows[page], seed_pages[SCANNED_PAGES[page]]
    reference = "\n".join(l.text for l in source.lines)
    assert _accuracy(row["text"], reference) >= 0.98, row["text"]
    assert row["line_count"] == len(source.lines)


def test_scanned_pages_accuracy_overall(scanned, seed_pages):
    _, rows, _ = scanned
    ocr_text = "".join(_squash(rows[p]["text"]) for p in SCANNED_PAGES)
    reference = "".join(_squash("\n".join(l.text for l in seed_pages[s].lines)) for s in SCANNED_PAGES.values())
    assert _accuracy(ocr_text, reference) >= 0.99


@pytest.mark.parametrize("page", sorted(SCANNED_PAGES))
def test_scanned_page_is_flagged_and_numbered(scanned, seed_pages, page):
    _, rows, _ = scanned
    row, source = rows[page], seed_pages[SCANNED_PAGES[page]]
    assert row["has_text_layer"] is False and row["ocr"] is True
    assert row["ocr_engine"].startswith("rapidocr ")
    assert 0.9 <= row["ocr_confidence"] <= 1
    assert row["printed_page"] == source.printed_page
    assert row["footer"] == f"— {source.printed_page} —"
    assert str(source.printed_page) not in row["text"].splitlines()[-1]
    assert row["line_tops"] == sorted(row["line_tops"])
    assert all(12 <= size <= 22 for size in row["line_sizes"])       # 15 pt body, 18 pt titles


@pytest.mark.parametrize("page", sorted(NUMBER_ONLY))
def test_page_number_only_scans_yield_no_text(scanned, page):
    _, rows, _ = scanned
    row = rows[page]
    assert row["text"] == "" and row["line_count"] == 0
    assert row["ocr"] is True and row["has_text_layer"] is False
    assert row["printed_page"] == NUMBER_ONLY[page]
    assert row["footer"] == f"— {NUMBER_ONLY[page]} —"


def test_text_layer_pages_are_not_ocred(scanned):
    _, rows, _ = scanned
    text_pages = [r for p, r in rows.items() if p not in SCANNED_PAGES and p not in NUMBER_ONLY]
    assert len(text_pages) == 40
    assert all(r["has_text_layer"] and not r["ocr"] and r["ocr_engine"] is None
               and r["ocr_confidence"] is None for r in text_pages)


def test_cache_makes_second_read_identical_without_the_engine(scanned, ocr_cache, monkeypatch):
    raw, _, _ = scanned
    assert len(list(ocr_cache.rglob("*.json"))) == len(SCANNED_PAGES) + len(NUMBER_ONLY)

    def engine_must_not_run(*args, **kwargs):
        raise AssertionError("OCR engine called although the page is cached")

    monkeypatch.setattr(engine, "read_image", engine_must_not_run)
    _, again = read_pages(SCANNED, workers=1)      # in this process: the patch holds
    assert again == raw          # how much faster the cached read is: bench/stages.py


def test_seal_page_yields_no_text(tmp_path, monkeypatch):
    """A page with only a red seal (circular inscription, star) and speckle: no garbage."""
    from PIL import Image, ImageDraw, ImageFilter, ImageFont
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    monkeypatch.setenv("POLICY_PIPELINE_CACHE", str(tmp_path / "cache"))
    w, h, red = 1240, 1754, (210, 30, 30)            # A4 at 150 dpi
    img = Image.new("RGB", (w, h), (250, 250, 250))
    d = ImageDraw.Draw(img)
    cx, cy, r = w // 2, h // 2, 240
    d.ellipse((cx - r, cy - r, cx + r, cy + r), outline=red, width=11)
    d.polygon([(cx + (75 if i % 2 == 0 else 30) * math.cos(-math.pi / 2 + i * math.pi / 5),
                cy + (75 if i % 2 == 0 else 30) * math.sin(-math.pi / 2 + i * math.pi / 5)) for i in range(10)],
              fill=red)
    font = ImageFont.truetype("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 55)
    inscription = "杭州市人民政府办公厅"
    for i, ch in enumerate(inscription):
        a = math.radians(-160 + i * 140 / (len(inscription) - 1))
        tile = Image.new("RGBA", (65, 65), (0, 0, 0, 0))
        ImageDraw.Draw(tile).text((5, 2), ch, font=font, fill=red)
        tile = tile.rotate(-math.degrees(a) - 90, expand=True)
        img.paste(tile, (int(cx + (r - 60) * math.cos(a) - tile.size[0] / 2),
                         int(cy + (r - 60) * math.sin(a) - tile.size[1] / 2)), tile)
    img = img.convert("L")
    px = img.load()
    for k in range(int(w * h * 0.02)):
        px[(k * 7919) % w, (k * 104729) % h] = (40, 90, 160, 200)[k % 4]
    img = img.filter(ImageFilter.GaussianBlur(0.4))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    pdf = tmp_path / "seal.pdf"
    c = canvas.Canvas(str(pdf), pagesize=(595.28, 841.89))
    c.drawImage(ImageReader(io.BytesIO(buf.getvalue())), 0, 0, 595.28, 841.89)
    c.showPage()
    c.save()
    lines, confidence, _ = ocr.ocr_page(pdf, 0)
    assert lines == [] and confidence is None


# ---------------------------------------------------------------- without the engine / --no-ocr

def test_without_engine_build_continues_with_one_warning(monkeypatch, caplog, tmp_path):
    monkeypatch.setenv("POLICY_PIPELINE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setitem(sys.modules, "rapidocr", None)       # `import rapidocr` fails
    monkeypatch.setattr(engine, "_ENGINES", {})
    caplog.set_level(logging.WARNING)
    _, raw = read_pages(SCANNED, workers=1)
    warnings = [r.getMessage() for r in caplog.records
                if r.levelno == logging.WARNING and r.name == "pipeline.sources.pdf"]
    assert len(warnings) == 1, warnings
    assert "pages 34-38, 45-49" in warnings[0] and "labels 384-388, 395-399" in warnings[0]
    assert "pip install rapidocr" in warnings[0]
    rows = {r["page"]: r for r in pages_table(raw, "scan", str(SCANNED))}
    for page in [*SCANNED_PAGES, *NUMBER_ONLY]:
        row = rows[page]
        assert row["has_text_layer"] is False and row["ocr"] is False
        assert row["text"] == "" and row["ocr_engine"] is None and row["ocr_confidence"] is None
    assert sum(r["has_text_layer"] for r in rows.values()) == 40
    assert not list((tmp_path / "cache").rglob("*.json"))


def test_no_ocr_reads_no_image(monkeypatch, caplog):
    def engine_must_not_run(*args):
        raise AssertionError("OCR ran although it is off")

    monkeypatch.setattr(read, "ocr_page", engine_must_not_run)
    monkeypatch.setattr(read, "ocr_regions", engine_must_not_run)
    caplog.set_level(logging.WARNING)
    _, raw = read_pages(SCANNED, workers=1, ocr=False)
    assert not any(p.ocr for p in raw)
    assert not [r for r in caplog.records if r.name == "pipeline.sources.pdf"]


def test_cli_no_ocr_flag_reaches_the_build(monkeypatch, tmp_path):
    from click.testing import CliRunner

    import pipeline.build
    from pipeline.cli import main

    seen = {}

    def fake_build(source, edition, out, workers, progress=None, ocr=True, reader="pdfium", built_at=None):
        seen["ocr"] = ocr
        return {"pages": 0}

    monkeypatch.setattr(pipeline.build, "build_edition", fake_build)
    monkeypatch.setattr("pipeline.cli._setup_logging", lambda verbose, quiet: None)   # leave pytest's logging be
    for args, expected in ((["--no-ocr"], False), ([], True)):
        result = CliRunner().invoke(main, ["build", str(SCANNED), "--out", str(tmp_path), "-q", *args])
        assert result.exit_code == 0, result.output
        assert seen.pop("ocr") is expected


def test_cache_dir_is_configurable(monkeypatch, tmp_path):
    monkeypatch.setenv("POLICY_PIPELINE_CACHE", str(tmp_path))
    assert ocr.cache_dir() == tmp_path / "ocr"
    monkeypatch.delenv("POLICY_PIPELINE_CACHE")
    assert ocr.cache_dir() == Path(ocr.__file__).resolve().parents[2] / ".cache" / "ocr"


def test_lone_footer_line_is_the_page_number():
    """A scan with only its page number: its one line is footer by where it stands."""
    footer = Line("— 390 —", top=789.0, bottom=803.0, x0=272.0, x1=323.0, size=12.0)
    header = Line("杭州市级产业政策汇编", top=40.0, bottom=52.0, x0=78.0, x1=200.0, size=11.0)
    for lines in ([footer], [header, footer]):
        page = RawPage(page=45, lines=lines, width=595.28, height=841.89, image_count=1, ocr=True)
        (row,) = pages_table([page], "t", "scan.pdf")
        assert row["printed_page"] == 390 and row["footer"] == "— 390 —"
        assert "390" not in row["text"]


def test_values_on_scanned_pages_are_extracted(scanned):
    """Issue 6 acceptance: ≥ 95 % of the amounts, percentages and dates on the five
    scanned pages come out of the OCR text with the right value, flagged as OCR."""
    from collections import Counter

    from pipeline.extract import extraction_tables
    from pipeline.structure import structure_tables
    from test_extraction_key import key_value, load_key

    _, rows, _ = scanned
    pages = [rows[p] for p in sorted(rows)]
    _, sections, _ = structure_tables(pages, "scan", str(SCANNED))
    tables = extraction_tables(sections, pages, "scan")
    for table in ("amounts", "percentages", "dates"):
        want = Counter((int(r["page"]), key_value(table, r)) for r in load_key(table)
                       if int(r["page"]) in SCANNED_PAGES.values())
        got_rows = [r for r in tables[table] if r["page"] in SCANNED_PAGES]
        got = Counter((SCANNED_PAGES[r["page"]], key_value(table, r)) for r in got_rows)
        recall = sum((got & want).values()) / sum(want.values())
        print(f"\n{table} on scanned pages: {sum((got & want).values())}/{sum(want.values())} right")
        assert recall >= 0.95, sorted((want - got).items(), key=str)
        assert all(r["ocr"] for r in got_rows)


# ---------------------------------------------------------------- mixed pages

# Lines of 国务院关于推动内蒙古高质量发展奋力书写中国式现代化新篇章的意见 (国发〔2023〕16号), as
# published e.g. at http://imasd-velecdom.com/prestashop/show.aspx?ES=41ht5.html
TYPED_ABOVE = ["国务院关于推动内蒙古高质量发展", "奋力书写中国式现代化新篇章的意见", "国发〔2023〕16号"]
PASTED_SCAN = ["各省、自治区、直辖市人民政府,国务院各部委、", "各直属机构:紧紧围绕高质量发展这个首要任务,",
               "把内蒙古建设成为我国北方重要生态安全屏障。"]
TYPED_BELOW = ["一、总体要求", "(一)指导思想"]
FONT_FILE = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"


def _mixed_pdf(path: Path, scan_lines, logo: bool = False, invisible_layer: bool = False) -> Path:
    """A typed page (reportlab, embedded TrueType) with a pasted 200-dpi grey scan of a
    paragraph between its lines; `logo`: a small picture beside the title as well;
    `invisible_layer`: the scan carries its own invisible text (a searchable scan)."""
    from PIL import Image, ImageDraw, ImageFont
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("ZenHei", FONT_FILE, subfontIndex=0))
    c = canvas.Canvas(str(path), pagesize=(595.28, 841.89), invariant=1)
    c.setFont("ZenHei", 16)
    y = 760
    for text in TYPED_ABOVE:
        c.drawString(80, y, text)
        y -= 30
    dpi, size = 200, 14
    img = Image.new("L", (int(440 * dpi / 72), int((len(scan_lines) * 26 + 16) * dpi / 72)), 248)
    d = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT_FILE, int(size * dpi / 72))
    for i, text in enumerate(scan_lines):
        d.text((10 * dpi / 72, (8 + i * 26) * dpi / 72), text, fill=30, font=font)
    img = img.rotate(0.3, fillcolor=248)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    height = len(scan_lines) * 26 + 16
    c.drawImage(ImageReader(io.BytesIO(buf.getvalue())), 78, y - height + 16, 440, height)
    if invisible_layer:
        t = c.beginText()
        t.setTextRenderMode(3)
        t.setFont("ZenHei", size)
        for i, text in enumerate(scan_lines):
            t.setTextOrigin(88, y - 8 - i * 26)
            t.textLine(text)
        c.drawText(t)
    if logo:
        c.drawImage(ImageReader(img.resize((40, 40))), 30, 750, 36, 36)
    y -= height + 14
    for text in TYPED_BELOW:
        c.drawString(80, y, text)
        y -= 30
    c.setFont("ZenHei", 11)
    c.drawCentredString(297.6, 50, "— 12 —")
    c.showPage()
    c.save()
    return path


def test_mixed_page_scanned_paragraph_is_read_in_place(tmp_path, monkeypatch):
    monkeypatch.setenv("POLICY_PIPELINE_CACHE", str(tmp_path / "cache"))
    pdf = _mixed_pdf(tmp_path / "mixed.pdf", PASTED_SCAN, logo=True)
    _, (page,) = read_pages(pdf, workers=1)
    assert page.has_text_layer and page.ocr and page.ocr_engine.startswith("rapidocr ")
    assert [l.text for l in page.lines] == TYPED_ABOVE + PASTED_SCAN + TYPED_BELOW + ["— 12 —"]
    assert page.ocr_confidence >= 0.95


def test_searchable_scan_and_logo_are_not_ocred(tmp_path, monkeypatch):
    """A scan with its own (invisible) text layer is read already; a logo is no text."""
    monkeypatch.setenv("POLICY_PIPELINE_CACHE", str(tmp_path / "cache"))

    def engine_must_not_run(*args, **kwargs):
        raise AssertionError("OCR ran on a page whose text layer covers its images")

    monkeypatch.setattr(engine, "read_image", engine_must_not_run)
    pdf = _mixed_pdf(tmp_path / "searchable.pdf", PASTED_SCAN, logo=True, invisible_layer=True)
    _, (page,) = read_pages(pdf, workers=1)
    assert page.has_text_layer and not page.ocr
    assert [l.text for l in page.lines] == TYPED_ABOVE + PASTED_SCAN + TYPED_BELOW + ["— 12 —"]


@pytest.mark.parametrize("regions, expected", [
    case([(78, 140, 518, 240)], [(78, 140, 518, 240)], id="paragraph-sized-scan"),
    case([(30, 55, 66, 91)], [], id="logo-too-small"),
    case([(78, 100, 518, 104)], [], id="rule-too-thin"),
    case([(0, 0, 595.28, 841.89)], [], id="full-page-image-behind-the-text"),
    case([(-20, 700, 300, 760)], [(0, 700, 300, 760)], id="clipped-to-the-page"),
])
def test_image_regions(regions, expected):
    from pipeline.ocr.triage import image_regions

    lines = [Line("国务院关于推动内蒙古高质量发展", top=80, bottom=96, x0=80, x1=320),
             Line("一、总体要求", top=300, bottom=316, x0=80, x1=176)]
    assert image_regions(regions, lines, 595.28, 841.89) == [tuple(map(float, r)) for r in expected]


# ---------------------------------------------------------------- cheap pages, scheduling

def _furniture_page(path: Path, picture: str) -> Path:
    """A 300-dpi colour scan (JPEG) holding only `picture` and its page number "— 404 —"."""
    import random

    from PIL import Image, ImageDraw, ImageFilter, ImageFont
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    w, h = 2480, 3508
    img = Image.new("RGB", (w, h), (247, 243, 234))
    d = ImageDraw.Draw(img)
    if picture == "seal":
        cx, cy, r, red = 1500, 2300, 240, (200, 35, 40)
        d.ellipse((cx - r, cy - r, cx + r, cy + r), outline=red, width=12)
        d.regular_polygon((cx, cy, 80), 5, fill=red)
        font = ImageFont.truetype(FONT_FILE, 60)
        for i, ch in enumerate("杭州市人民政府办公厅"):
            a = math.radians(-160 + i * 140 / 9)
            d.text((cx + 170 * math.cos(a) - 30, cy + 170 * math.sin(a) - 30), ch, font=font, fill=red)
    else:   # a photo: smooth random tones
        rng = random.Random(7)
        tile = Image.new("L", (40, 30))
        tile.putdata([rng.randrange(30, 230) for _ in range(1200)])
        photo = tile.resize((1600, 1200), Image.BICUBIC).filter(ImageFilter.GaussianBlur(6)).convert("RGB")
        img.paste(photo, (440, 900))
    font = ImageFont.truetype(FONT_FILE, 46)
    d.text((w / 2 - 120, h - 230), "— 404 —", font=font, fill=(25, 25, 30))
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=85)
    c = canvas.Canvas(str(path), pagesize=(595.28, 841.89))
    c.drawImage(ImageReader(io.BytesIO(buf.getvalue())), 0, 0, 595.28, 841.89)
    c.showPage()
    c.save()
    return path


@pytest.mark.parametrize("picture", ["seal", "photo"])
def test_page_number_with_seal_or_photo_is_read_without_the_detector(tmp_path, monkeypatch, picture):
    """The page number is read as one line (no detection), the seal or photo not at all."""
    monkeypatch.setenv("POLICY_PIPELINE_CACHE", str(tmp_path / "cache"))
    calls = []
    real = engine.read_image

    def recording(pixels, *args, **kwargs):
        calls.append(kwargs.get("single_line", False))
        return real(pixels, *args, **kwargs)

    monkeypatch.setattr(engine, "read_image", recording)
    lines, confidence, _ = ocr.ocr_page(_furniture_page(tmp_path / f"{picture}.pdf", picture), 0)
    assert [l.text for l in lines] == ["— 404 —"]
    assert calls == [True]
    assert 0.6 <= confidence <= 1


def test_ocr_pages_are_counted_on_their_own(scanned):
    """Text pages are counted as their batches are read, each OCR page when its OCR ends."""
    calls = []
    read_pages(SCANNED, workers=2, progress=calls.append)
    assert sum(calls) == 50
    assert calls[-10:] == [1] * 10 and sum(calls[:-10]) == 40


# Last in the module: it adds to the module's OCR cache, whose entries an earlier test counts.
@pytest.mark.parametrize("turn", [270, 180])
def test_a_scan_set_sideways_or_upside_down_reads_as_the_upright_scan(scanned, tmp_path, turn):
    """Page 34 of the scanned fixture (seed page 384), its scan turned on the paper by
    tools/sideways_fixture.py: 270 degrees (the lines run top to bottom) is found by its
    tall boxes, read turned a quarter, found upside down and read turned again; 180 only
    the last. Either reads exactly what the upright scan reads (the OCR cache shares the
    upright page's pixels, so this costs one engine run more)."""
    import pypdfium2

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
    from sideways_fixture import turn_pages

    one = tmp_path / "page-34.pdf"
    source, single = pypdfium2.PdfDocument(SCANNED), pypdfium2.PdfDocument.new()
    single.import_pages(source, [33])
    single.save(one)
    turn_pages(str(one), turn, str(tmp_path / "turned.pdf"))
    _, raw = read_pages(tmp_path / "turned.pdf", workers=1)
    (row,) = pages_table(raw, "t", "turned.pdf")
    _, upright, _ = scanned
    assert (row["reading_turn"], row["width"], row["height"], row["printed_page"]) == (turn, 595.28, 841.89, 379)
    assert row["text"] == upright[34]["text"]
    assert row["ocr_confidence"] == upright[34]["ocr_confidence"] == 0.988
