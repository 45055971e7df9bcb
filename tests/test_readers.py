"""The two PDF character readers, and PDFs from other producers read right.

pdfium (default) and pdfplumber (the reference) must give the same pages.text on every
PDF fixture; pdfminer's device must give pdfplumber's own characters. Producer fixtures
(tools/chromium_fixture.py, tools/fangzheng_fixture.py), each two seed pages (382-383)
also in raw/2023.pdf:
  chromium-noto-radicals-web-chrome.pdf    Chromium + Noto Sans CJK SC: ToUnicode maps
                                           ideographs to Kangxi radicals; web chrome
  fangzheng-second-font-wrong-descent.pdf  digits/Latin from a second font whose descent
                                           puts their boxes 15-17 pt low
  fangzheng-yi-punctuation-wrong-descent.pdf  and punctuation as Yi syllables (GB codes)
Every table built from them must equal the table built from the same pages of the
clean PDF (raw/2023.pdf). And the LibreOffice fixture set on paper turned the other way
(tools/sideways_fixture.py: each page's content turned, as a print driver sets a
landscape page on portrait paper), which a viewer and pdftotext read turned:
  libreoffice-set-sideways-bottom-to-top.pdf  every glyph at 90 degrees (reading_turn 90)
  libreoffice-set-sideways-top-to-bottom.pdf  at 270 degrees (reading_turn 270)
  libreoffice-set-upside-down.pdf             at 180 degrees (reading_turn 180)
"""
from __future__ import annotations

import unicodedata
from pathlib import Path

import numpy as np
import pdfplumber
from pdfplumber.page import Page
import pyarrow.parquet as pq
import pypdfium2 as pdfium
import pytest

from conftest import FIXTURES, LIBREOFFICE_PDF, SAMPLE_PDF, run_cli
from pipeline.pages import pages_table
from pipeline.sources import InputError, read_pages
from pipeline.sources import pdfiumchars
from pipeline.sources.pdf import chars_to_lines, stamped_over
from pipeline.sources.glyphs import LEVEL, Glyphs, is_upright, quarter, reading_turn, turn_box
from pipeline.sources.pdfchars import page_chars, turned

CHROMIUM = FIXTURES / "chromium-noto-radicals-web-chrome.pdf"
FANGZHENG = FIXTURES / "fangzheng-second-font-wrong-descent.pdf"
YI = FIXTURES / "fangzheng-yi-punctuation-wrong-descent.pdf"
SIDEWAYS = {90: FIXTURES / "libreoffice-set-sideways-bottom-to-top.pdf",
            270: FIXTURES / "libreoffice-set-sideways-top-to-bottom.pdf",
            180: FIXTURES / "libreoffice-set-upside-down.pdf"}
ALL_PDFS = sorted(FIXTURES.glob("*.pdf")) + [SAMPLE_PDF]


def ingest(path: Path, reader: str) -> list[dict]:
    _, raw = read_pages(path, workers=1, reader=reader, ocr=False)
    return pages_table(raw, "t", str(path))


def is_radical_or_compat(ch: str) -> bool:
    cp = ord(ch)
    return 0x2E80 <= cp <= 0x2FDF or (0xF900 <= cp <= 0xFAFF and unicodedata.normalize("NFC", ch) != ch)


# ---------------------------------------------------------------- pdfium == pdfplumber

@pytest.mark.parametrize("path", ALL_PDFS, ids=lambda p: p.name)
def test_both_readers_give_the_same_page_text(path):
    try:
        plumber = ingest(path, "pdfplumber")
    except InputError as exc:          # encrypted, no pages: the same one-line error
        with pytest.raises(InputError) as again:
            ingest(path, "pdfium")
        assert str(again.value) == str(exc)
        return
    fast = ingest(path, "pdfium")
    assert [r["text"] for r in fast] == [r["text"] for r in plumber]
    assert [(r["printed_page"], r["kind"], r["error"] is None) for r in fast] == \
        [(r["printed_page"], r["kind"], r["error"] is None) for r in plumber]


# The PDFs of real texts (LibreOffice, Chromium) under the other fixture folders. pdfium
# generates a space for LibreOffice's Asian-Latin spacing ("2022 年"), where no glyph
# is drawn; the reader drops it, so both readers give "2022年12月30日".
REAL_TEXT_PDFS = sorted(p for folder in ("structure", "tables", "incentives")
                        for p in (FIXTURES.parent / folder).glob("*.pdf"))
KNOWN_DIFFERENCES = {
    # Chromium's Type 3 glyph for "——" (one glyph, two em wide): pdfminer reads its
    # ToUnicode as U+2E3A ⸺, pdfium as one U+2014 —.
    "state-council-opinion.pdf": "the two-em dash glyph: ⸺ (pdfminer) against — (pdfium)",
}


@pytest.mark.parametrize("path", [
    pytest.param(p, marks=pytest.mark.xfail(strict=True, reason=KNOWN_DIFFERENCES[p.name]))
    if p.name in KNOWN_DIFFERENCES else p for p in REAL_TEXT_PDFS], ids=lambda p: p.name)
def test_both_readers_give_the_same_text_of_real_documents(path):
    assert [r["text"] for r in ingest(path, "pdfium")] == [r["text"] for r in ingest(path, "pdfplumber")]


def test_no_space_where_libreoffice_spaces_asian_from_latin():
    """LibreOffice's autospacing (3.3 pt at 16 pt between 2022 and 年) is no space; a
    space Chromium draws as a glyph is one."""
    chengdu = "\n".join(r["text"] for r in ingest(FIXTURES.parent / "structure" / "chengdu-notice-attachment.pdf",
                                                   "pdfium"))
    assert "2022年12月30日" in chengdu and "2022 年" not in chengdu
    chromium = "\n".join(r["text"] for r in ingest(CHROMIUM, "pdfium"))
    assert "本意见自 2020 年 10 月 9 日起施行" in chromium     # the seed prints these spaces


@pytest.mark.parametrize("path", [p for p in ALL_PDFS if p.name not in
                                  ("encrypted-user-password.pdf", "zero-pages.pdf",
                                   "damaged-page-2-missing-font.pdf")], ids=lambda p: p.name)
def test_pdfminer_device_gives_pdfplumbers_characters(path):
    """The pdfplumber reader's own device (pdfchars) against pdfplumber's page.chars; on a
    page it reads turned, against pdfplumber's own page with /Rotate turned as far."""
    keys = ("text", "x0", "x1", "top", "bottom", "size", "upright")
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages[:6]:
            ours, _, turn = page_chars(pdf, page)
            with turned(page.page_obj, turn):
                view = Page(pdf, page.page_obj, page.page_number, page.initial_doctop) if turn else page
                theirs, height = view.chars, float(view.height)
            assert len(ours) == len(theirs)
            for a, b in zip(ours, theirs):
                # pdfminer's upright, and level (glyphs.is_upright): pdfminer also takes 45 degrees
                m = b["matrix"]
                level = m[0] > 0 and m[3] > 0 and abs(m[1]) <= LEVEL * m[0]
                assert {k: a[k] for k in keys} == pytest.approx({**{k: b[k] for k in keys},
                                                                 "upright": b["upright"] and level}, abs=1e-6)
                # the baseline is the glyph origin: pdfplumber's text matrix translation
                assert a["baseline"] == pytest.approx(height - b["matrix"][5], abs=1e-6)


# ---------------------------------------------------------------- the producers' quirks are real

def test_chromium_text_layer_writes_radicals():
    """The fixture is what the issue describes: pdfminer reads Kangxi radicals, pdfium
    reads unified ideographs, and pages.text has unified ideographs either way."""
    with pdfplumber.open(CHROMIUM) as pdf:
        raw = "".join(c["text"] for page in pdf.pages for c in page.chars)
    radicals = sorted({c for c in raw if is_radical_or_compat(c)})
    assert "".join(radicals) == "⺠⻅⻔⼀⼈⼤⼩⼲⽀⽂⽇⽉⽣⽤⽬⽴⾃⾏⾜⾼"
    assert sum(raw.count(c) for c in radicals) == 54
    doc = pdfium.PdfDocument(CHROMIUM)
    assert not any(is_radical_or_compat(c) for page in doc for c in page.get_textpage().get_text_range())
    for reader in ("pdfium", "pdfplumber"):
        text = "\n".join(r["text"] for r in ingest(CHROMIUM, reader))
        assert not any(is_radical_or_compat(c) for c in text)
        assert "一、明确目标领域对象" in text and "杭州市人民政府办公厅" in text


def test_fangzheng_digits_boxes_sit_low_but_lines_hold():
    with pdfplumber.open(FANGZHENG) as pdf:
        chars = pdf.pages[1].chars
    start = next(i for i, c in enumerate(chars) if c["text"] == "杭" and chars[i + 1]["text"] == "政")
    line = chars[start:start + 14]                      # 杭政办函〔2021〕39 号, one baseline
    assert "".join(c["text"] for c in line) == "杭政办函〔2021〕39 号"
    assert len({round(c["matrix"][5], 2) for c in line}) == 1
    drops = {c["text"]: c["top"] - line[0]["top"] for c in line}
    assert drops["2"] == drops["9"] == pytest.approx(15.0, abs=0.001)   # 1 em: stated descent 1.2 em, not 0.2
    assert drops["〔"] == drops["号"] == 0
    for reader in ("pdfium", "pdfplumber"):
        lines = ingest(FANGZHENG, reader)[1]["text"].splitlines()
        assert "杭政办函〔2021〕39 号" in lines
        assert "31.杭州市人民政府办公厅关于加快生物医" in lines


def test_fangzheng_yi_punctuation_folds():
    with pdfplumber.open(YI) as pdf:
        raw = "".join(c["text"] for page in pdf.pages for c in page.chars)
    assert {"\ua3ac", "\ua3ae", "\ua1a2", "\U001001b0"} <= set(raw)
    assert raw.count("\ua3ac") == 15
    for reader in ("pdfium", "pdfplumber"):
        rows = ingest(YI, reader)
        assert [r["text"] for r in rows] == [r["text"] for r in ingest(FANGZHENG, reader)]
        assert "各区、县(市)人民政府,市政府各部门、各直属单位:" in rows[1]["text"].splitlines()


# ---------------------------------------------------------------- every table the same

def _clean_pages(tmp: Path, indexes: list[int]) -> Path:
    """The given pages of raw/2023.pdf as their own PDF."""
    src, dst = pdfium.PdfDocument(SAMPLE_PDF), pdfium.PdfDocument.new()
    dst.import_pages(src, indexes)
    out = tmp / f"clean-{indexes[0]}.pdf"
    dst.save(out)
    return out


# Columns that describe the producer's layout, not the content.
LAYOUT = {"edition", "line_tops", "line_x0s", "line_sizes", "width", "height", "header", "footer", "image_count",
          "boxes",          # a mention's boxes on the page: geometry of that producer's layout
          "reading_turn"}   # how the page is set on its paper


def _tables(out: Path, edition: str) -> dict[str, list[dict]]:
    tables = {}
    for folder in sorted(out.iterdir()):
        part = folder / edition / "part-0.parquet"
        if folder.name != "editions" and part.exists():
            tables[folder.name] = [{k: v for k, v in row.items() if k not in LAYOUT}
                                   for row in pq.read_table(part).to_pylist()]
    return tables


def _watermarked(tmp: Path) -> Path:
    """The LibreOffice fixture stamped 北大法宝 仅供参考 (30 degrees) and 内部资料 注意保存 (45
    degrees) across every page, as download sites stamp what they serve (tools/watermark_fixture.py)."""
    import sys
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
    from watermark_fixture import watermark

    out = tmp / "libreoffice-watermarked.pdf"
    watermark(str(LIBREOFFICE_PDF), str(out))
    return out


@pytest.fixture(scope="module")
def producer_builds(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("producers")
    out = tmp / "out"
    sources = {
        "clean-382": _clean_pages(tmp, [31, 32]), "clean-383": _clean_pages(tmp, [32, 33, 34, 35]),
        "chromium": CHROMIUM, "fangzheng": FANGZHENG, "yi": YI, "libreoffice": LIBREOFFICE_PDF,
        **{f"sideways-{turn}": path for turn, path in SIDEWAYS.items()},
        "watermarked": _watermarked(tmp),
    }
    builds = [(name, path, "pdfium") for name, path in sources.items()] + [
        ("chromium-plumber", CHROMIUM, "pdfplumber"), ("sideways-90-plumber", SIDEWAYS[90], "pdfplumber"),
        ("libreoffice-plumber", LIBREOFFICE_PDF, "pdfplumber")]
    for name, path, reader in builds:
        run = run_cli("build", path, "--edition", name, "--out", out, "--reader", reader, "--no-ocr")
        assert run.returncode == 0, run.stderr
    return out


@pytest.mark.parametrize("edition, clean", [
    ("chromium", "clean-382"), ("chromium-plumber", "clean-382"), ("fangzheng", "clean-382"),
    ("yi", "clean-382"), ("libreoffice", "clean-383"), ("sideways-90", "clean-383"), ("sideways-270", "clean-383"),
    ("sideways-180", "clean-383"), ("sideways-90-plumber", "clean-383"), ("watermarked", "clean-383"),
])
def test_every_table_equals_the_clean_pdfs(producer_builds, edition, clean):
    ours, theirs = _tables(producer_builds, edition), _tables(producer_builds, clean)
    assert sorted(ours) == sorted(theirs)
    for table in theirs:
        assert ours[table] == theirs[table], table
    assert len(theirs["amounts"]) + len(theirs["dates"]) > 0


@pytest.mark.parametrize("edition", ["chromium", "chromium-plumber", "yi"])
def test_no_radical_compat_or_yi_code_point_in_the_dataset(producer_builds, edition):
    found = set()
    for folder in producer_builds.iterdir():
        part = folder / edition / "part-0.parquet"
        if not part.exists():
            continue
        for row in pq.read_table(part).to_pylist():
            for value in row.values():
                for text in (value if isinstance(value, list) else [value]):
                    if isinstance(text, str):
                        found |= {c for c in text if is_radical_or_compat(c) or 0xA000 <= ord(c) <= 0xA4CF
                                  or ord(c) >= 0xF0000}
    assert found == set()


def _box(b: dict) -> list[float]:
    return [b["x0"], b["top"], b["x1"], b["bottom"]]


@pytest.mark.parametrize("edition, turn, upright", [
    ("sideways-90", 90, "libreoffice"), ("sideways-270", 270, "libreoffice"), ("sideways-180", 180, "libreoffice"),
    ("sideways-90-plumber", 90, "libreoffice-plumber")])
def test_a_page_set_sideways_is_read_turned_and_its_boxes_lie_where_it_prints(producer_builds, edition, turn, upright):
    """The turned page's geometry is the upright page's, by the same reader (to 0.01 pt);
    each mention's boxes lie on the page as displayed: the upright page's, turned back."""
    from pipeline.sources.glyphs import turn_box

    def read(table, name):
        return pq.read_table(producer_builds / table / name / "part-0.parquet").to_pylist()

    up, side = read("pages", upright), read("pages", edition)
    assert [p["reading_turn"] for p in side] == [turn] * 4
    assert [p["reading_turn"] for p in up] == [0] * 4
    for key in ("width", "height"):
        assert [p[key] for p in side] == pytest.approx([p[key] for p in up], abs=0.01)
    for key in ("line_tops", "line_x0s", "line_sizes"):
        assert [v for p in side for v in p[key]] == pytest.approx([v for p in up for v in p[key]], abs=0.01)
    width, height = up[0]["width"], up[0]["height"]
    # boxes: one per printed line a mention runs over (15 amounts, 2 of them wrapping; 30 bodies, 2 wrapping)
    for table, count in (("amounts", 17), ("percentages", 5), ("dates", 1), ("responsibilities", 32)):
        ours = [v for r in read(table, edition) for b in r["boxes"] for v in _box(b)]
        theirs = [v for r in read(table, upright) for b in r["boxes"]
                  for v in turn_box(_box(b), 360 - turn, width, height)]
        assert (len(ours) // 4, ours) == (count, pytest.approx(theirs, abs=0.01)), table


def test_web_chrome_and_browser_margins_are_furniture(producer_builds):
    rows = pq.read_table(producer_builds / "pages" / "chromium" / "part-0.parquet").to_pylist()
    first, last = rows
    assert first["header"].split(" | ")[1] == "发布时间:2021-10-13 来源:杭州市人民政府办公厅 字号:[大] [中] [小]"
    assert last["footer"].split(" | ")[:2] == ["[打印] [关闭]", "分享到:微信 微博 QQ空间"]
    assert [r["printed_page"] for r in rows] == [377, 378]
    assert all(r["footer"].endswith(f"{i}/2") for i, r in enumerate(rows, 1))


# ---------------------------------------------------------------- text set sideways: read turned

# (glyph matrix a, b: its writing direction, y up) -> quarter turns counterclockwise
QUARTERS = [
    ((12.0, 0.0), 0),          # upright 12 pt
    ((0.75, 0.0), 0),          # Chromium's scaled upright text
    ((12.0, 2.5), 0),          # a slight slant is still upright
    ((0.0, 12.0), 1),          # runs bottom to top: a landscape page on portrait paper
    ((-12.0, 0.0), 2),         # upside down
    ((0.0, -12.0), 3),         # runs top to bottom
    ((-8.5, 8.5), 2),          # 135 degrees: a tie goes to the horizontal
]


@pytest.mark.parametrize("matrix, expected", QUARTERS, ids=[str(m) for m, _ in QUARTERS])
def test_quarter_of_a_glyphs_writing_direction(matrix, expected):
    assert quarter(*matrix) == expected


# printed glyphs by quarter -> degrees to turn the page clockwise (measured counts)
TURNS = [
    ([641, 0, 0, 0], 0, "an upright page (libreoffice page 3)"),
    ([21, 17, 0, 0], 0, "the margin note of test_reliability: 17 glyphs of 38 at 90 degrees"),
    ([0, 641, 0, 0], 90, "libreoffice-set-sideways-bottom-to-top page 3"),
    ([0, 0, 0, 641], 270, "libreoffice-set-sideways-top-to-bottom page 3"),
    ([0, 0, 641, 0], 180, "libreoffice-set-upside-down page 3"),
    ([40, 260, 0, 0], 90, "a sideways table under an upright heading"),
    ([100, 100, 0, 0], 0, "no majority: read as displayed"),
    ([0, 0, 0, 0], 0, "no printed glyph"),
]


@pytest.mark.parametrize("counts, expected, case", TURNS, ids=[c for *_, c in TURNS])
def test_reading_turn_needs_most_of_the_page(counts, expected, case):
    assert reading_turn(counts) == expected


# a box on an A4 page (595.3 x 841.9) -> the same box on that page turned clockwise
BOXES = [
    (0, (134.6, 653.6, 183.8, 668.14), (134.6, 653.6, 183.8, 668.14)),
    (90, (134.6, 653.6, 183.8, 668.14), (173.76, 134.6, 188.3, 183.8)),
    (180, (134.6, 653.6, 183.8, 668.14), (411.5, 173.76, 460.7, 188.3)),
    (270, (134.6, 653.6, 183.8, 668.14), (653.6, 411.5, 668.14, 460.7)),
]


@pytest.mark.parametrize("turn, box, expected", BOXES, ids=[str(t) for t, *_ in BOXES])
def test_turn_box_and_back(turn, box, expected):
    turned_box = turn_box(box, turn, 595.3, 841.9)
    assert turned_box == pytest.approx(expected, abs=1e-9)
    size = (841.9, 595.3) if turn in (90, 270) else (595.3, 841.9)
    assert turn_box(turned_box, 360 - turn, *size) == pytest.approx(box, abs=1e-9)


def test_most_glyphs_rotated_reads_the_page_turned_not_left_out(tmp_path):
    """reportlab, Helvetica: a page whose text all runs bottom to top, and one line upright:
    read turned 90 degrees; the upright line is the one left out (rotated_glyphs)."""
    from reportlab.pdfgen import canvas

    source = tmp_path / "sideways.pdf"
    c = canvas.Canvas(str(source), pagesize=(842, 595))
    c.setFont("Helvetica", 12)
    c.drawString(40, 560, "Upright stamp")
    c.saveState()
    c.translate(300, 40)
    c.rotate(90)
    for k, line in enumerate(["First line of the landscape table", "Second line, 600 yuan"]):
        c.drawString(0, -20 * k, line)
    c.restoreState()
    c.showPage()
    c.save()
    for reader in ("pdfium", "pdfplumber"):
        _, (page,) = read_pages(source, workers=1, ocr=False, reader=reader)
        assert (page.turn, [l.text for l in page.lines], page.rotated_glyphs) == (
            90, ["First line of the landscape table", "Second line, 600 yuan"], len("UprightStamp")), reader
        assert (page.width, page.height) == pytest.approx((595, 842))


# glyph matrix (a, b, c, d; y up) -> set upright?
UPRIGHT = [
    ((12.0, 0.0, 0.0, 12.0), True, "upright 12 pt"),
    ((0.75, 0.0, 0.0, 0.75), True, "Chromium's scaled text"),
    ((12.0, 0.0, 2.4, 12.0), True, "italic: the y axis leans, the baseline is level"),
    ((12.0, 0.21, -0.21, 12.0), True, "a scan's text layer skewed 1 degree"),
    ((10.39, 6.0, -6.0, 10.39), False, "a watermark at 30 degrees"),
    ((8.49, 8.49, -8.49, 8.49), False, "a watermark at 45 degrees (pdfminer: upright)"),
    ((-12.0, 0.0, 0.0, -12.0), False, "upside down (pdfminer: upright)"),
    ((-12.0, 0.0, 0.0, 12.0), False, "mirrored"),
    ((0.0, 12.0, -12.0, 0.0), False, "at 90 degrees"),
]


@pytest.mark.parametrize("matrix, expected, case", UPRIGHT, ids=[c for *_, c in UPRIGHT])
def test_is_upright(matrix, expected, case):
    assert is_upright(*matrix) is expected


def test_a_diagonal_watermark_stays_out_of_the_body_lines(producer_builds, tmp_path):
    """Both readers leave its 16 glyphs per page out (pages.text as without the stamp:
    test_every_table_equals_the_clean_pdfs) and the build names them in one warning.
    Read as pdfminer reads upright text, the stamps cut into the lines they cross; the
    level 60-pt 仅供参考 joined the 12-pt line it crossed."""
    for reader in ("pdfium", "pdfplumber"):
        _, raw = read_pages(_watermarked(tmp_path), workers=1, ocr=False, reader=reader)
        assert [(p.rotated_glyphs, p.stamped_glyphs) for p in raw] == [
            (len("北大法宝仅供参考内部资料注意保存"), len("仅供参考"))] * 4, reader
    run = run_cli("build", _watermarked(tmp_path), "--edition", "w", "--out", tmp_path / "out", "--no-ocr")
    assert run.returncode == 0, run.stderr
    source = tmp_path / "libreoffice-watermarked.pdf"
    assert [line for line in run.stderr_lines if line.startswith("WARNING")] == [
        f"WARNING: {source}: 4 pages (pages 1-4): large text printed over the body text (a watermark) is left "
        "out of pages.text",
        f"WARNING: {source}: 4 pages (pages 1-4): text set at an angle (a diagonal watermark, a margin note) is "
        "left out of pages.text"]


def case(*values, id):
    return pytest.param(*values, id=id)


def _glyph(text, x0, baseline, size):
    return {"text": text, "x0": x0, "x1": x0 + size, "top": baseline - 0.88 * size, "bottom": baseline + 0.12 * size,
            "size": size, "baseline": baseline}


def _line(text, x0, baseline, size):
    return [_glyph(ch, x0 + k * size, baseline, size) for k, ch in enumerate(text)]


# glyphs -> the ones left out as a stamp printed over the text
STAMPS = [
    case(_line("给予最高1100万元奖励", 72, 400, 12) + _line("仅供参考", 150, 410, 60), "仅供参考",
         id="60-pt-stamp-over-a-12-pt-line-and-past-its-end"),
    case(_line("给予最高1100万元奖励", 72, 400, 12) + _line("样本", 100, 404, 30), "样本", id="30-pt-over-12-pt"),
    case(_line("关于加快生物医药产业发展的若干意见", 72, 100, 22) + _line("给予最高1100万元奖励", 72, 140, 16), "",
         id="a-title-over-no-text"),
    case(_line("杭州市人民政府文件", 72, 80, 44) + _line("给予最高1100万元奖励", 72, 140, 16) * 3, "",
         id="a-red-header-above-the-body"),
    case(_line("给予最高", 72, 400, 12) + _line("给予最高", 72.3, 400, 12), "", id="fake-bold-same-size"),
    case(_line("注1", 72, 400, 12) + _line("1", 96, 395, 7), "", id="a-superscript-is-smaller"),
]



@pytest.mark.parametrize("chars, stamped", STAMPS)
def test_a_glyph_printed_over_smaller_ones_is_a_stamp(chars, stamped):
    glyphs = Glyphs.from_dicts(chars)
    mask = stamped_over(glyphs, np.zeros(len(glyphs), bool))
    assert "".join(c["text"] for c, m in zip(chars, mask) if m) == stamped


# ---------------------------------------------------------------- only the CropBox is the page

def test_a_spread_split_by_cropboxes_reads_one_page_each(tmp_path):
    """LibreOffice pages 2 and 3 printed side by side on one sheet, the sheet used twice
    with its left and its right half as CropBox (tools/spread_fixture.py): each page's
    text layer holds both pages (pdftotext prints both twice), a viewer shows one. Both
    readers read each page's own lines; every table equals that of pages 2-3 printed
    alone; boxes lie where the sheet prints them, and the evidence image (pdfium renders
    the CropBox) is drawn from the CropBox's corner."""
    import sys
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
    from spread_fixture import split_spread

    from pipeline.sources.pdfiumchars import visible_rect

    spread, alone = tmp_path / "spread.pdf", tmp_path / "alone.pdf"
    split_spread(str(LIBREOFFICE_PDF), 2, str(spread))
    src, dst = pdfium.PdfDocument(LIBREOFFICE_PDF), pdfium.PdfDocument.new()
    dst.import_pages(src, [1, 2])
    dst.save(alone)
    for reader in ("pdfium", "pdfplumber"):
        _, theirs = read_pages(alone, workers=1, ocr=False, reader=reader)
        _, ours = read_pages(spread, workers=1, ocr=False, reader=reader)
        assert [[l.text for l in p.lines] for p in ours] == [[l.text for l in p.lines] for p in theirs], reader
    width = pdfium.PdfDocument(alone)[0].get_width()
    assert [v for page in pdfium.PdfDocument(spread) for v in visible_rect(page)] == pytest.approx(
        [0, 0, width, 841.89, width, 0, 2 * width, 841.89], abs=0.01)
    out = tmp_path / "out"
    for name, path in (("alone", alone), ("spread", spread)):
        run = run_cli("build", path, "--edition", name, "--out", out, "--no-ocr")
        assert run.returncode == 0, run.stderr
    ours, theirs = _tables(out, "spread"), _tables(out, "alone")
    assert ours == theirs and len(theirs["amounts"]) == 12
    shifted = [[v + width * (r["page"] - 1) * (k % 2 == 0) for k, v in enumerate(_box(b))]
               for r in pq.read_table(out / "amounts" / "alone" / "part-0.parquet").to_pylist() for b in r["boxes"]]
    boxes = [_box(b) for r in pq.read_table(out / "amounts" / "spread" / "part-0.parquet").to_pylist() for b in r["boxes"]]
    assert [v for b in boxes for v in b] == pytest.approx([v for b in shifted for v in b], abs=0.01)
    # the outline of the right page's first amount, on the image of that page alone
    from pipeline.evidence import render_page
    row = next(r for r in pq.read_table(out / "amounts" / "spread" / "part-0.parquet").to_pylist() if r["page"] == 2)
    (box,) = row["boxes"]
    image = render_page(spread, 2, row["boxes"], scale=2.0)
    assert image.size == (round(2 * width), round(2 * 841.89))
    left_edge = (round((box["x0"] - width) * 2) - 1, round((box["top"] + box["bottom"])))
    assert image.getpixel(left_edge) == (220, 0, 0)


# ---------------------------------------------------------------- lines by baseline, boxes kept

def _chars(text: str, x: float, baseline: float, size: float, box_drop: float = 0.0) -> list[dict]:
    out = []
    for ch in text:
        w = size if not ch.isascii() else size * 0.55
        top = baseline - 0.88 * size + box_drop
        out.append({"text": ch, "x0": x, "x1": x + w, "top": top, "bottom": top + size,
                    "size": size, "upright": True, "baseline": baseline})
        x += w
    return out


@pytest.mark.parametrize("parts, expected", [
    # 方正: the second font's boxes 15 pt low, the baseline the same
    ([("赣府发〔", 0.0), ("2017", 15.0), ("〕", 0.0), ("7", 15.0), ("号文", 0.0)], "赣府发〔2017〕7号文"),
    ([("川办规〔", 0.0), ("2025", 16.0), ("〕", 0.0), ("6", 16.0), ("号", 0.0)], "川办规〔2025〕6号"),
    ([("由", 0.0), ("30", 17.0), ("万元提高至", 0.0), ("50", 17.0), ("万元", 0.0)], "由30万元提高至50万元"),
    ([("附件", 0.0), ("1", 14.0)], "附件1"),
])
def test_lines_follow_baselines_not_boxes(parts, expected):
    chars, x = [], 78.0
    for text, drop in parts:
        chars += _chars(text, x, 100.0, 15.0, drop)
        x = chars[-1]["x1"]
    assert [l.text for l in chars_to_lines(chars)] == [expected]


def test_line_boxes_index_the_text():
    chars = _chars("给予一次性", 78.0, 100.0, 15.0) + _chars("3", 158.0, 100.0, 15.0) + _chars("万元", 172.0, 100.0, 15.0)
    (line,) = chars_to_lines(chars)
    assert line.text == "给予一次性 3 万元"
    assert len(line.boxes) == len(line.text)
    assert line.boxes[5][0] == 153.0 and line.boxes[5][2] == 158.0     # the inferred space: the gap
    assert line.boxes[6] == (158.0, 86.8, 166.25, 101.8)                # the 3
    assert line.boxes[7] == (166.25, 86.8, 172.0, 101.8)


# ---------------------------------------------------------------- the C loop == the Python loop

def _columns(glyphs) -> tuple:
    """A page's glyph columns as bytes: equal bytes, identical values (-0.0 and NaN too)."""
    return tuple(getattr(glyphs, name).tobytes() for name in
                 ("codes", "x0", "x1", "top", "bottom", "size", "baseline", "upright", "generated"))


def _rotated_and_skewed(tmp: Path) -> list[Path]:
    """FANGZHENG turned 90, 180 and 270 degrees (the C loop's own unrotation), and a page of
    text set rotated, skewed and mirrored (glyph matrices whose size needs math.hypot)."""
    from reportlab.pdfgen import canvas
    out = []
    for angle in (90, 180, 270):
        doc = pdfium.PdfDocument(FANGZHENG)
        for page in doc:
            page.set_rotation(angle)
        path = tmp / f"fangzheng-{angle}.pdf"
        doc.save(path)
        out.append(path)
    path = tmp / "skewed.pdf"
    c = canvas.Canvas(str(path), pagesize=(595, 842))
    for k, (angle, skew, flip) in enumerate([(0, 0, 1), (30, 0, 1), (0, 20, 1), (0, 0, -1), (200, 10, 1)]):
        c.saveState()
        c.translate(100 + 60 * k, 200 + 100 * k)
        c.rotate(angle)
        c.skew(skew, 0)
        c.scale(flip, 1)
        c.setFont("Helvetica", 11 + k)
        c.drawString(0, 0, f"Skewed text {k}: 500 yuan, 30%")
        c.restoreState()
    c.save()
    return out + [path]


@pytest.mark.skipif(pdfiumchars._pdfium_loop is None, reason="the C loop is not built (no compiler at install)")
def test_c_loop_gives_the_python_loops_characters(tmp_path):
    """On every page of every PDF fixture the pdfium reader opens: the same glyphs to the
    bit, the same drawn objects, sizes and unmapped count, the same refusal of huge pages."""
    checked = 0
    every = sorted(FIXTURES.parent.rglob("*.pdf")) + [SAMPLE_PDF]     # pdfs/, structure/, tables/, ...
    for path in [p for p in every if p.name not in ("encrypted-user-password.pdf", "zero-pages.pdf")] \
            + _rotated_and_skewed(tmp_path):
        doc = pdfium.PdfDocument(path)
        for index in range(len(doc)):
            page = doc[index]
            fast, slow = pdfiumchars.page_chars(page), pdfiumchars.page_chars(page, use_c=False)
            assert _columns(fast[0]) == _columns(slow[0]), (path.name, index)
            assert fast[1:] == slow[1:], (path.name, index)
            for most in (0, 5, 100, 10**6):
                assert (pdfiumchars._objects_over(page, most) == pdfiumchars._objects_over(page, most, use_c=False)), \
                    (path.name, index, most)
            checked += len(fast[0])
            page.close()
        doc.close()
    assert checked >= 58_416       # the fixtures' glyphs when this was written; new fixtures add more


def test_rotated_and_skewed_glyphs_keep_their_font_size(tmp_path):
    """A glyph's size is its font size times the length of the matrix's vertical axis
    (math.hypot: the C loop calls Python's own for a rotated matrix), so each of the five
    runs of the skewed page keeps its 11 + k pt (to float32 matrix precision); only the
    first is upright (the others run at 30 degrees, slanted 20, mirrored, at 200)."""
    *_, skewed = _rotated_and_skewed(tmp_path)
    glyphs = pdfiumchars.page_chars(pdfium.PdfDocument(skewed)[0])[0]
    assert sorted({(round(float(s), 3), bool(u)) for s, u in zip(glyphs.size, glyphs.upright)}) == \
        [(11.0, True), (12.0, False), (13.0, False), (14.0, False), (15.0, False)]


def test_a_glyph_pdfium_cannot_map_is_no_text():
    """pdfium gives code point 0 for a glyph it has no Unicode for: no character in the
    line, as pdfplumber's empty text is none."""
    from array import array
    codes = array("i", [0x7ED9, 0, 0x4E88])                       # 给, unmapped, 予
    geometry = array("d", [78, 93, 85, 100, 15, 98, 93, 108, 85, 100, 15, 98, 108, 123, 85, 100, 15, 98])
    glyphs = pdfiumchars._glyphs(codes.tobytes(), geometry.tobytes(), bytes([1, 1, 1]))
    assert [line.text for line in chars_to_lines(glyphs)] == ["给予"]


def test_line_boxes_travel_packed():
    """A line's boxes cross from the reading workers as 32 bytes per character (plus the
    class name, 51 bytes), not a pickled tuple of four floats each, and come back equal."""
    import pickle
    chars = _chars("给予一次性", 78.0, 100.0, 15.0) + _chars("3", 158.0, 100.0, 15.0) + _chars("万元", 172.0, 100.0, 15.0)
    (line,) = chars_to_lines(chars)
    blob = pickle.dumps(line.boxes, protocol=pickle.HIGHEST_PROTOCOL)
    assert len(blob) == 32 * len(line.text) + 51
    again = pickle.loads(blob)
    assert again == line.boxes and list(again) == [line.boxes[i] for i in range(len(line.text))]
    assert again[6:8] == [(158.0, 86.8, 166.25, 101.8), (166.25, 86.8, 172.0, 101.8)]
