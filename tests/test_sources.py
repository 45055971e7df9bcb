"""Source adapters on real inputs: the sample PDF against the seed it was typeset from,
a second producer (LibreOffice), producer quirks (word gaps, fake bold, letter
spacing), and the character-to-line grouping on synthetic characters."""
from __future__ import annotations

import random

import pytest
import regex

from conftest import (FIXTURES, LIBREOFFICE_EDITION, LIBREOFFICE_PDF, PDF_EDITION, SAMPLE_PDF, SEED,
                      SEED_EDITION)
from pipeline.pages import pages_table
from pipeline.sources import read_pages
from pipeline.sources.pdf import chars_to_lines


def case(*values, id):
    return pytest.param(*values, id=id)


IMAGE_ONLY = {"395", "396", "397", "398", "399"}
HAN_SPACE_HAN = regex.compile(r"\p{Han} \p{Han}")


# ---------------------------------------------------------------- (a) sample PDF == seed

@pytest.fixture(scope="module")
def pdf_and_seed(pages_by_edition):
    pdf = {r["page_label"]: r for r in pages_by_edition[PDF_EDITION]}
    seed = {r["page_label"]: r for r in pages_by_edition[SEED_EDITION]}
    return pdf, seed


def test_sample_pdf_and_seed_have_the_same_pages(pdf_and_seed):
    pdf, seed = pdf_and_seed
    assert sorted(pdf) == sorted(seed) == [str(n) for n in range(351, 401)]
    assert [pdf[str(n)]["page"] for n in range(351, 401)] == list(range(1, 51))
    assert [seed[str(n)]["page"] for n in range(351, 401)] == list(range(351, 401))


@pytest.mark.parametrize("label", [str(n) for n in range(351, 401)])
def test_sample_pdf_text_equals_seed_text(pdf_and_seed, label):
    pdf, seed = pdf_and_seed
    assert pdf[label]["text"] == seed[label]["text"]
    assert pdf[label]["line_count"] == seed[label]["line_count"]
    assert pdf[label]["char_count"] == seed[label]["char_count"]


def test_sample_pdf_printed_pages_equal_seed(pdf_and_seed):
    pdf, seed = pdf_and_seed
    text_pages = [label for label in seed if label not in IMAGE_ONLY]
    assert len(text_pages) == 45
    assert {l: pdf[l]["printed_page"] for l in text_pages} == {l: seed[l]["printed_page"] for l in text_pages}
    assert all(pdf[l]["footer"] == f"— {seed[l]['printed_page']} —" for l in text_pages)
    assert all(pdf[l]["header"] is None for l in text_pages)


def test_sample_pdf_geometry(pages_by_edition):
    for row in pages_by_edition[PDF_EDITION]:
        assert (row["width"], row["height"]) == pytest.approx((595.28, 841.89), abs=0.01)
        assert len(row["line_tops"]) == len(row["line_x0s"]) == len(row["line_sizes"]) == row["line_count"]
        assert row["line_tops"] == sorted(row["line_tops"])
        assert row["error"] is None


def test_parallel_read_equals_serial_read():
    _, serial = read_pages(SAMPLE_PDF, workers=1)
    _, parallel = read_pages(SAMPLE_PDF, workers=3)
    assert serial == parallel
    assert [p.label for p in serial] == [str(n) for n in range(351, 401)]


# ---------------------------------------------------------------- (b) LibreOffice, header top right

def test_libreoffice_text_equals_seed(pages_by_edition):
    seed = {r["page"]: r for r in pages_by_edition[SEED_EDITION]}
    lo = pages_by_edition[LIBREOFFICE_EDITION]
    assert [r["page"] for r in lo] == [1, 2, 3, 4]
    assert [r["text"] for r in lo] == [seed[n]["text"] for n in range(383, 387)]


def test_libreoffice_running_header_and_page_number(pages_by_edition):
    seed = {r["page"]: r for r in pages_by_edition[SEED_EDITION]}
    lo = pages_by_edition[LIBREOFFICE_EDITION]
    printed = [seed[n]["printed_page"] for n in range(383, 387)]
    assert printed == [378, 379, 380, 381]
    assert [r["printed_page"] for r in lo] == printed
    assert [r["header"] for r in lo] == [f"杭州市级产业政策汇编 {n}" for n in printed]
    assert [r["footer"] for r in lo] == [None] * 4
    assert [r["page_label"] for r in lo] == [None] * 4       # LibreOffice wrote no /PageLabels


# ---------------------------------------------------------------- (c) image-only pages

@pytest.mark.parametrize("edition", [PDF_EDITION, SEED_EDITION])
def test_image_only_pages(pages_by_edition, edition):
    rows = {r["page_label"]: r for r in pages_by_edition[edition]}
    for label, row in rows.items():
        scanned = label in IMAGE_ONLY
        assert row["has_text_layer"] is not scanned, label
        assert (row["text"] == "") is scanned, label
        assert (row["char_count"] == 0) is scanned, label
    if edition == PDF_EDITION:
        assert all(rows[l]["image_count"] == 1 for l in IMAGE_ONLY)


@pytest.mark.parametrize("edition, source, warned", [(PDF_EDITION, SAMPLE_PDF, set()), (SEED_EDITION, SEED, IMAGE_ONLY)])
def test_build_warns_about_image_only_pages(built, edition, source, warned):
    """The seed has no text for pages 395-399: one warning naming them. In the PDF they are scans that
    OCR reads as a page number alone (a photo or a seal above it): routine, at INFO (-v)."""
    warnings = [line for line in built.runs[edition].stderr_lines
                if line.startswith("WARNING") and str(source) in line and "text layer" in line]
    # One summary line for all of them, naming their pages or labels as runs (395-399).
    runs = [(int(a), int(b or a)) for line in warnings for a, b in regex.findall(r"\b(\d+)(?:-(\d+))?\b", line)]
    named = {label for label in IMAGE_ONLY if any(a <= int(label) <= b for a, b in runs)}
    assert named == warned
    assert len(warnings) == (1 if warned else 0)


# ---------------------------------------------------------------- (d) spaces inside CJK runs

@pytest.mark.parametrize("edition", [PDF_EDITION, LIBREOFFICE_EDITION])
def test_no_spurious_spaces_between_han_characters(pages_by_edition, edition):
    for row in pages_by_edition[edition]:
        assert not HAN_SPACE_HAN.search(row["text"]), (row["page"], HAN_SPACE_HAN.search(row["text"]))


def test_spaces_the_text_has_are_kept(pages_by_edition):
    def count(edition, pattern):
        return sum(len(regex.findall(pattern, r["text"])) for r in pages_by_edition[edition])

    for pattern in (r"600 万元", r"一次性 3 万元", r"\(GB/T$", r"\d \p{Han}", r"\p{Han} \d"):
        seed = count(SEED_EDITION, regex.compile(pattern, regex.M))
        assert seed > 0, pattern
        assert count(PDF_EDITION, regex.compile(pattern, regex.M)) == seed, pattern


# ---------------------------------------------------------------- (e) (f) producer quirks

def ingest(path):
    """The ingest stage on one source, in process: rows of the pages table."""
    _, raw = read_pages(path, workers=1)
    return pages_table(raw, "t", str(path))


PRODUCER_QUIRKS = [
    case("word-gaps-no-space-glyphs.pdf", [
        "荐列入杭州市传统工艺振兴项目的,给予一次性 3 万元的资",
        "最高分别为 600 万元、1200 万元、3000 万元资金支持(含本",
        "加快推广《数据管理能力成熟度评估模型》(GB/T 36073-2018)",
        "到2025年,全市生物医药产业规模力争达到3000亿元。",
    ], id="word-gaps-no-space-glyphs"),
    case("fake-bold-double-printed.pdf", [
        "杭州市人民政府办公厅文件",
        "31.杭州市人民政府办公厅关于加快生物医",
        "药产业高质量发展的若干意见",
        "各区、县(市)人民政府,市政府各部门、各直属单位:",
        "一、明确目标领域对象",
        "给予一次性 3 万元的资助,最高 600 万元。",
    ], id="fake-bold-double-printed"),
    case("letter-spaced-justified-cjk.pdf", [
        "杭州市人民政府办公厅",
        "2021年10月8日",
        "到2025年,全市生物医药产业规模力争达到3000亿元",
        "给予一次性 3 万元的资助(GB/T 36073-2018)",
        "对在本地开展临床试验的给予最高 600 万元补助",
    ], id="letter-spaced-justified-cjk"),
]


@pytest.mark.parametrize("name, lines", PRODUCER_QUIRKS)
def test_producer_quirk_yields_clean_text(name, lines):
    (row,) = ingest(FIXTURES / name)
    assert row["text"].splitlines() == lines
    assert row["has_text_layer"] and row["error"] is None


def test_word_gap_footer_is_a_page_number():
    (row,) = ingest(FIXTURES / "word-gaps-no-space-glyphs.pdf")
    assert (row["footer"], row["printed_page"]) == ("— 346 —", 346)


def test_fake_bold_keeps_title_size():
    (row,) = ingest(FIXTURES / "fake-bold-double-printed.pdf")
    assert row["line_sizes"][:3] == [24.0, 18.0, 18.0]


# ---------------------------------------------------------------- (g) chars_to_lines

def _width(ch: str, size: float) -> float:
    return size if not ch.isascii() else size * 0.55


def run(text: str, x: float = 78.0, top: float = 100.0, size: float = 15.0, tracking: float = 0.0,
        upright: bool = True) -> list[dict]:
    """pdfplumber-like char dicts for `text` set from x, `tracking` em between characters."""
    chars = []
    for ch in text:
        w = _width(ch, size)
        chars.append({"text": ch, "x0": x, "x1": x + w, "top": top, "bottom": top + size,
                      "size": size, "upright": upright})
        x += w + tracking * size
    return chars


def words(*parts: str, gap: float = 0.3, tracking: float = 0.0, size: float = 15.0, top: float = 100.0):
    """Words set one after another with `gap` em between them and no space glyph."""
    chars, x = [], 78.0
    for part in parts:
        chars += run(part, x, top, size, tracking)
        x = chars[-1]["x1"] + (gap + tracking) * size
    return chars


def doubled(chars: list[dict], dx: float, dy: float = 0.0) -> list[dict]:
    """Every glyph printed a second time, shifted by (dx, dy) em."""
    return chars + [{**c, "x0": c["x0"] + dx * c["size"], "x1": c["x1"] + dx * c["size"],
                     "top": c["top"] + dy * c["size"], "bottom": c["bottom"] + dy * c["size"]}
                    for c in chars]


def shuffled(chars: list[dict]) -> list[dict]:
    chars = list(chars)
    random.Random(7).shuffle(chars)
    return chars


CHARS_TO_LINES = [
    case(run("杭州市人民政府"), ["杭州市人民政府"], id="cjk-contiguous"),
    case(words("杭州市", "人民政府"), ["杭州市人民政府"], id="cjk-word-gap-no-space"),
    case(words("给予一次性", "3", "万元"), ["给予一次性 3 万元"], id="cjk-digit-word-gaps"),
    case(run("到2025年"), ["到2025年"], id="cjk-digit-touching"),
    case(words("到", "2025", "年", gap=0.1), ["到2025年"], id="gap-below-threshold"),
    case(run("600 万元"), ["600 万元"], id="space-glyph"),
    case(run("600   万元"), ["600 万元"], id="repeated-space-glyphs"),
    case(words("600 ", "万元"), ["600 万元"], id="space-glyph-and-gap"),
    case(run("  首尾  "), ["首尾"], id="edge-spaces-stripped"),
    case(words("(GB/T", "36073-2018)"), ["(GB/T 36073-2018)"], id="latin-word-gap"),
    case(run("GB/T"), ["GB/T"], id="latin-contiguous"),
    case(doubled(run("一、明确目标领域对象"), 0.02), ["一、明确目标领域对象"], id="fake-bold-small-shift"),
    case(doubled(run("杭州市人民政府办公厅文件", size=24), 0.04, 0.02), ["杭州市人民政府办公厅文件"],
         id="fake-bold-large-font"),
    case(doubled(words("最高", "600", "万元"), 0.03), ["最高 600 万元"], id="fake-bold-with-word-gaps"),
    case(run("1000 人人"), ["1000 人人"], id="repeated-letters-kept"),
    case(run("杭州市人民政府办公厅", tracking=1.2), ["杭州市人民政府办公厅"], id="distributed-cjk"),
    case(run("2021年10月8日", tracking=1.0), ["2021年10月8日"], id="distributed-date"),
    case(run("到2025年,规模达到3000亿元", tracking=0.4), ["到2025年,规模达到3000亿元"],
         id="letter-spaced-digits"),
    case(words("给予一次性", "3", "万元的资助", tracking=0.4), ["给予一次性 3 万元的资助"],
         id="letter-spaced-with-word-gaps"),
    case(words("第", "3", "页"), ["第 3 页"], id="few-glyphs-not-letter-spacing"),
    case(words("—", "346", "—"), ["— 346 —"], id="page-number-word-gaps"),
    case(run("第二行", top=130) + run("第一行", top=100), ["第一行", "第二行"], id="lines-top-to-bottom"),
    # A footnote mark: 9 pt, its baseline raised 5 pt above the 15 pt line's.
    case(run("正文") + run("1", x=108, top=101, size=9) + run("继续", x=113), ["正文1继续"],
         id="superscript-same-line"),
    case(run("主要目标", top=100) + run("次要", x=138, top=104), ["主要目标次要"], id="baseline-wobble-same-line"),
    case(shuffled(run("为充分发挥生物医药产业引领作用")), ["为充分发挥生物医药产业引领作用"],
         id="content-stream-order"),
    case(run("正文") + run("样本", x=300, upright=False), ["正文"], id="rotated-glyphs-dropped"),
    case(run("正文") + [{"text": "", "x0": 200, "x1": 201, "top": 100, "bottom": 115, "size": 15}],
         ["正文"], id="empty-glyphs-dropped"),
    case(run("   ", top=300) + run("正文"), ["正文"], id="blank-row-dropped"),
    case([], [], id="no-chars"),
]


@pytest.mark.parametrize("chars, expected", CHARS_TO_LINES)
def test_chars_to_lines(chars, expected):
    assert [line.text for line in chars_to_lines(chars)] == expected


def test_chars_to_lines_geometry():
    chars = run("标题", top=80, size=18) + run("正文正文", x=90, top=120, size=15)
    title, body = chars_to_lines(chars)
    assert (title.top, title.bottom, title.x0, title.size) == (80, 98, 78.0, 18.0)
    assert (body.top, body.x0, body.x1, body.size) == (120, 90.0, 150.0, 15.0)
