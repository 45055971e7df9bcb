"""Page furniture: page numbers, running headers and footers, told from body text.

Pure functions on hand-built RawPages, with geometry (as from a PDF: an A4 page,
lines placed in the top or bottom margin) and without (as from the flipbook text).
"""
from __future__ import annotations

import logging

import pytest

from pipeline.pages import page_number_of, pages_table, recurring_shapes, split_furniture
from pipeline.sources import Line, RawPage


def case(*values, id):
    return pytest.param(*values, id=id)


A4_W, A4_H = 595.28, 841.89
HEADER_TOP = 40.0       # a line in the top margin
FOOTER_TOP = 790.0      # a line in the bottom margin
BODY_TOP = 120.0        # first body line
LEADING = 27.0

BODY = [
    "为充分发挥生物医药产业引领作用,加快构建生物医药创",
    "新高地,完善产业生态体系,夯实高质量产业支撑,打造先进",
    "制造业产业集群,经市政府同意,现就加快我市生物医药产业",
    "高质量发展提出如下意见。",
]
# Body text differs from page to page, as it does in a real compilation.
MORE = [
    "立足我市生物医药产业基础,围绕产业全领域生态构建,健全研发、",
    "临床、制造、要素、生态和机制的全产业链政策支撑体系,进一步",
    "完善“一核四园多点”的生物医药产业空间布局,落实生物医药与健",
    "康产业“156 行动”计划,通过 3 年努力,全市生物医药产业规模",
    "力争达到 3000 亿元,打造具有全球影响力的生物医药创新高地。",
    "支持创新药物研发。对在本地开展临床试验的创新药,按不同阶段",
    "给予最高 600 万元的资金支持(含本地临床试验费用减免)。",
]


def body_of(i: int) -> list[str]:
    """Four body lines of page i (0-based), different on every page."""
    return [MORE[(i + k) % len(MORE)] + f"第{i}页" for k in range(4)]


def _line(text: str, top: float, size: float = 15.0) -> Line:
    return Line(text=text, top=top, bottom=top + size, x0=78.0, x1=78.0 + 15 * len(text), size=size)


def geo_page(body: list[str], header: list[str] = (), footer: list[str] = (), page: int = 1) -> RawPage:
    """A PDF-like page: header lines in the top margin, body, footer lines in the bottom margin."""
    lines = [_line(t, HEADER_TOP + 14 * i, 11.0) for i, t in enumerate(header)]
    lines += [_line(t, BODY_TOP + LEADING * i) for i, t in enumerate(body)]
    lines += [_line(t, FOOTER_TOP + 14 * i, 11.0) for i, t in enumerate(footer)]
    return _finish(RawPage(page=page, lines=lines, width=A4_W, height=A4_H))


def text_page(texts: list[str], page: int = 1) -> RawPage:
    """A page without geometry (the flipbook export): physical lines only."""
    return _finish(RawPage(page=page, lines=[Line(text=t) for t in texts]))


def _finish(page: RawPage) -> RawPage:
    page.char_count = sum(len(l.text) for l in page.lines)
    page.has_text_layer = page.char_count > 0
    return page


def body_texts(page: RawPage, recurring=frozenset()) -> list[str]:
    return [l.text for l in split_furniture(page, set(recurring)).body]


# ---------------------------------------------------------------- page-number shapes

PAGE_NUMBER_OF = [
    case("346", 346, id="bare"),
    case("7", 7, id="bare-one-digit"),
    case("— 346 —", 346, id="em-dashes"),
    case("—346—", 346, id="em-dashes-tight"),
    case("- 346 -", 346, id="hyphens"),
    case("-346-", 346, id="hyphens-tight"),
    case("– 346 –", 346, id="en-dashes"),
    case("~ 346 ~", 346, id="tildes"),
    case("第 346 页", 346, id="di-ye"),
    case("第346页", 346, id="di-ye-tight"),
    case("第 3 页 共 50 页", 3, id="di-ye-gong-ye"),
    case("第3页/共50页", 3, id="di-ye-slash-gong-ye"),
    case("第 3 页,共 50 页", 3, id="di-ye-comma-gong-ye"),
    case("12 / 50", 12, id="n-slash-total"),
    case("12/50", 12, id="n-slash-total-tight"),
    case("Page 12", 12, id="page-n"),
    case("12 of 50", 12, id="n-of-total"),
    case("Page 12 of 50", 12, id="page-n-of-total"),
    case("• 12 •", 12, id="bullets"),
    case("・12・", 12, id="katakana-middle-dots"),
    case("◆ 12 ◆", 12, id="diamonds"),
    case("[12]", 12, id="square-brackets"),
    case("【12】", 12, id="lenticular-brackets"),
    # not page numbers
    case("(12)", None, id="round-brackets-an-item-number"),
    case("• 12 ◆", None, id="two-different-ornaments"),
    case("•12", None, id="a-bullet-before-a-number"),
    case("ZJAC01-2021-0012", None, id="normative-code"),
    case("杭政办函〔2021〕39 号", None, id="document-number"),
    case("2021年10月8日", None, id="date"),
    case("3000 万元", None, id="amount"),
    case("12345", None, id="five-digits"),
    case("1.5", None, id="decimal"),
    case("一、明确目标领域对象", None, id="clause-heading"),
    case("共 50 页", None, id="total-only"),
    case("杭州市级产业政策汇编 378", None, id="header-with-number"),
    case("", None, id="empty"),
]


@pytest.mark.parametrize("text, expected", PAGE_NUMBER_OF)
def test_page_number_of(text, expected):
    assert page_number_of(text) == expected


# Each printed shape, at the top or the bottom of a page, with and without geometry.
PAGE_NUMBER_SHAPES = [
    case("346", 346, id="bare"),
    case("— 346 —", 346, id="em-dashes"),
    case("- 346 -", 346, id="hyphens"),
    case("第 346 页", 346, id="di-ye"),
    case("第 3 页 共 50 页", 3, id="di-ye-gong-ye"),
    case("12 / 50", 12, id="n-slash-total"),
]


@pytest.mark.parametrize("geometry", [True, False], ids=["pdf", "text"])
@pytest.mark.parametrize("end", ["top", "bottom"])
@pytest.mark.parametrize("shape, number", PAGE_NUMBER_SHAPES)
def test_page_number_shape_at_page_edge(shape, number, end, geometry):
    header, footer = ([shape], []) if end == "top" else ([], [shape])
    page = geo_page(BODY, header, footer) if geometry else text_page(header + BODY + footer)
    parts = split_furniture(page, set())
    assert parts.printed_page == number
    assert [l.text for l in parts.body] == BODY
    assert (parts.header, parts.footer) == ((header, []) if end == "top" else ([], footer))


def test_printed_page_stated_by_source_wins():
    """The flipbook states the printed page outright; a number-shaped edge line does not override it."""
    page = text_page(BODY + ["— 12 —"])
    page.printed_page = 346
    assert split_furniture(page, set()).printed_page == 346


# ---------------------------------------------------------------- running headers

def running(header_for, n: int = 6, geometry: bool = True) -> list[RawPage]:
    """n pages whose first line is header_for(i) (None: no header on that page)."""
    pages = []
    for i in range(n):
        head = header_for(i)
        head = [head] if head else []
        body = body_of(i)
        pages.append(geo_page(body, head, page=i + 1) if geometry else text_page(head + body, page=i + 1))
    return pages


RUNNING_HEADERS = [
    case(lambda i: f"杭州市级产业政策汇编 {378 + i}", [378, 379, 380, 381, 382, 383], id="number-right"),
    case(lambda i: f"{378 + i} 杭州市级产业政策汇编", [378, 379, 380, 381, 382, 383], id="number-left"),
    case(lambda i: f"{378 + i} 杭州市级产业政策汇编" if i % 2 else f"杭州市级产业政策汇编 {378 + i}",
         [378, 379, 380, 381, 382, 383], id="mirrored-even-odd"),
    case(lambda i: "杭州市级产业政策汇编", [None] * 6, id="no-number"),
]


@pytest.mark.parametrize("geometry", [True, False], ids=["pdf", "text"])
@pytest.mark.parametrize("header_for, printed", RUNNING_HEADERS)
def test_running_header_with_number_at_edge(header_for, printed, geometry):
    pages = running(header_for, geometry=geometry)
    rows = pages_table(pages, "t", "test.pdf")
    assert [r["printed_page"] for r in rows] == printed
    assert [r["header"] for r in rows] == [header_for(i) for i in range(6)]
    assert [r["text"] for r in rows] == ["\n".join(body_of(i)) for i in range(6)]


# A header line is furniture only when it recurs on at least 3 pages (every page of a
# 2- or 3-page source) and 40% of the pages that have text.
RECURRING = [
    case(10, 4, True, id="4-of-10-is-40pct"),
    case(10, 3, False, id="3-of-10-is-30pct"),
    case(20, 8, True, id="8-of-20-is-40pct"),
    case(20, 7, False, id="7-of-20-is-35pct"),
    case(5, 3, True, id="3-of-5"),
    case(5, 2, False, id="2-of-5-below-minimum"),
    case(3, 3, True, id="3-of-3"),
    case(2, 2, True, id="2-of-2-every-page"),
    case(2, 1, False, id="1-of-2"),
    case(3, 2, False, id="2-of-3-not-every-page"),
    case(1, 1, False, id="single-page"),
]


@pytest.mark.parametrize("end", ["top", "bottom"])
@pytest.mark.parametrize("pages, with_line, removed", RECURRING)
def test_recurring_line_removed_only_when_it_recurs(pages, with_line, removed, end):
    line = "杭州市级产业政策汇编"
    raw = []
    for i in range(pages):
        extra = [line] if i < with_line else []
        header, footer = (extra, []) if end == "top" else ([], extra)
        raw.append(geo_page(body_of(i), header, footer, page=i + 1))
    rows = pages_table(raw, "t", "test.pdf")
    column = "header" if end == "top" else "footer"
    for row in rows[:with_line]:
        assert row[column] == (line if removed else None)
        assert (line in row["text"].splitlines()) is not removed
    assert (((end, line) in recurring_shapes(raw)) is removed)


def test_image_only_pages_do_not_count_towards_recurrence():
    """4 text pages with the header and 6 scans: 4 of 4 text pages, so it recurs."""
    raw = running(lambda i: "杭州市级产业政策汇编", n=4)
    raw += [RawPage(page=5 + i, width=A4_W, height=A4_H, image_count=1) for i in range(6)]
    assert ("top", "杭州市级产业政策汇编") in recurring_shapes(raw)


def test_recurring_line_outside_the_margin_is_body():
    """A line repeated at the top of every page but below the top margin is body text."""
    raw = [geo_page(["一、明确目标领域对象"] + body_of(i), page=i + 1) for i in range(6)]
    rows = pages_table(raw, "t", "test.pdf")
    assert all(r["header"] is None and r["text"].startswith("一、明确目标领域对象") for r in rows)


# ---------------------------------------------------------------- body lines that look like furniture

MID = BODY[:2] + ["2025"] + BODY[2:]
BODY_LOOKALIKES = [
    # (top-margin lines, body lines, bottom-margin lines) -> expected body, printed page
    case([], BODY, ["ZJAC01-2021-0012", "— 379 —"], BODY + ["ZJAC01-2021-0012"], 379,
         id="normative-code-above-footer"),
    case([], BODY, ["ZJAC01-2021-0012"], BODY + ["ZJAC01-2021-0012"], None,
         id="normative-code-last-line"),
    case([], BODY, ["杭政办函〔2021〕39 号"], BODY + ["杭政办函〔2021〕39 号"], None,
         id="document-number-last-line"),
    case([], BODY, ["2021年10月8日"], BODY + ["2021年10月8日"], None,
         id="date-last-line"),
    case([], MID, ["— 380 —"], MID, 380, id="number-only-line-mid-page"),
    case([], MID, [], MID, None, id="number-only-line-mid-page-no-footer"),
    case(["— 380 —"], MID, [], MID, 380, id="number-only-line-mid-page-number-on-top"),
]


@pytest.mark.parametrize("geometry", [True, False], ids=["pdf", "text"])
@pytest.mark.parametrize("header, lines, footer, body, printed", BODY_LOOKALIKES)
def test_body_line_that_looks_like_furniture_stays_body(header, lines, footer, body, printed, geometry):
    page = geo_page(lines, header, footer) if geometry else text_page(header + lines + footer)
    parts = split_furniture(page, set())
    assert [l.text for l in parts.body] == body
    assert parts.printed_page == printed


def test_normative_code_on_some_pages_is_not_a_running_footer():
    """Each document's last page carries its code: 3 of 10 pages, not a footer."""
    raw = []
    for i in range(10):
        footer = [f"ZJAC01-2021-00{10 + i}"] if i in (2, 5, 8) else []
        raw.append(geo_page(body_of(i), [], footer + [f"— {346 + i} —"], page=i + 1))
    rows = pages_table(raw, "t", "test.pdf")
    assert [r["printed_page"] for r in rows] == list(range(346, 356))
    for i in (2, 5, 8):
        assert rows[i]["text"].splitlines()[-1] == f"ZJAC01-2021-00{10 + i}"
        assert rows[i]["footer"] == f"— {346 + i} —"


# ---------------------------------------------------------------- the pages table

def test_pages_table_row():
    page = geo_page(BODY, ["杭政办函〔2021〕39 号"], ["— 379 —"], page=3)
    page.label = "383"
    page.image_count = 2
    (row,) = pages_table([page], "2023", "x.pdf")
    lines = ["杭政办函〔2021〕39 号"] + BODY       # one page: nothing recurs, so the top line is body
    assert row == {
        "edition": "2023", "page": 3, "printed_page": 379, "page_label": "383",
        "text": "\n".join(lines), "kind": "body", "has_text_layer": True,
        "char_count": sum(len(t) for t in lines), "line_count": len(lines), "image_count": 2,
        "header": None, "footer": "— 379 —",
        "line_tops": [HEADER_TOP] + [BODY_TOP + LEADING * i for i in range(len(BODY))],
        "line_x0s": [78.0] * len(lines),
        "line_sizes": [11.0] + [15.0] * len(BODY),
        "width": A4_W, "height": A4_H, "reading_turn": 0, "error": None,
        "ocr": False, "ocr_engine": None, "ocr_confidence": None,
    }


def test_pages_table_normalizes_body_text():
    page = text_page(["（一）主要目标。立足我市　生物医药产业基础，", "到２０２５年"])
    (row,) = pages_table([page], "t", "x.txt")
    assert row["text"] == "(一)主要目标。立足我市 生物医药产业基础,\n到2025年"
    assert row["line_tops"] is None and row["width"] is None


def test_pages_table_warns_about_unreadable_pages(caplog):
    scan = RawPage(page=45, label="395", width=A4_W, height=A4_H, image_count=1)
    broken = RawPage(page=46, label="396", error="PdfminerException: broken font")
    good = geo_page(BODY, page=47)
    with caplog.at_level(logging.WARNING, logger="pipeline.pages"):
        rows = pages_table([scan, broken, good], "t", "book.pdf")
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 2
    assert "book.pdf" in messages[0] and "45" in messages[0] and "395" in messages[0]
    assert "book.pdf" in messages[1] and "46" in messages[1] and "396" in messages[1]
    assert [r["text"] for r in rows[:2]] == ["", ""]
    assert [r["error"] for r in rows] == [None, "PdfminerException: broken font", None]


def test_a_scan_holding_only_its_page_number_is_routine_not_a_warning(caplog):
    """Pages 395-399 of the sample: a photo or a seal, and "— 390 —" at the foot, read by OCR."""
    scan = RawPage(page=45, label="395", width=A4_W, height=A4_H, image_count=1, ocr=True,
                   ocr_engine="rapidocr 3.10.0", ocr_confidence=0.98,
                   lines=[Line("— 390 —", top=790.0, bottom=802.0, x0=270.0, x1=325.0, size=12.0)])
    with caplog.at_level(logging.INFO, logger="pipeline.pages"):
        (row,) = pages_table([scan], "t", "book.pdf")
    assert (row["text"], row["footer"], row["printed_page"]) == ("", "— 390 —", 390)
    assert [(r.levelno, r.getMessage()) for r in caplog.records] == [
        (logging.INFO, "book.pdf: page 45 (label 395): image-only page; OCR read only its page furniture (— 390 —)")]


@pytest.mark.parametrize("n", [1, 2, 3])
def test_short_pages(n):
    """Pages with fewer lines than the edge window keep their body."""
    lines = BODY[:n]
    for page in (text_page(lines), geo_page(lines)):
        assert body_texts(page) == lines


# ---------------------------------------------------------------- other producers' furniture

@pytest.mark.parametrize("text, expected", [
    case("-404-.", 404, id="ocr-trailing-period"),
    case("一 404 一", 404, id="ocr-dashes-read-as-yi"),
    case("'404", 404, id="ocr-leading-quote"),
    case("— 404 —,", 404, id="ocr-trailing-comma"),
    case("1.5", None, id="decimal-still-not"),
    case("一、404", None, id="heading-not"),
])
def test_page_number_with_ocr_noise(text, expected):
    assert page_number_of(text) == expected


def test_ocr_noise_page_number_alone_on_a_scan_is_furniture():
    page = geo_page([], [], ["-404-."])
    rows = pages_table([page], "t", "scan.pdf")
    assert (rows[0]["text"], rows[0]["printed_page"], rows[0]["kind"]) == ("", 404, "blank")


WEB_CHROME = [
    case("发布时间:2025-08-27 来源:中国政府网 字号:[大] [中] [小]", True, id="gov-cn-metadata-row"),
    case("字号:大 中 小", True, id="font-size-switcher-bare"),
    case("发布时间:2021-10-13 来源:杭州市人民政府办公厅", True, id="two-metadata-labels"),
    case("[打印] [关闭]", True, id="buttons"),
    case("【打印本页】【关闭窗口】", True, id="lenticular-buttons"),
    case("分享到:微信 微博 QQ空间", True, id="share-row"),
    case("来源:中国政府网", False, id="one-label-alone"),
    case("(来源:市科技局)", False, id="source-in-body"),
    case("各区、县(市)人民政府,市政府各部门:", False, id="addressees"),
    case("打印机购置补贴", False, id="word-print-in-body"),
]


@pytest.mark.parametrize("text, expected", WEB_CHROME)
def test_web_chrome_shapes(text, expected):
    from pipeline.pages import is_web_chrome
    assert is_web_chrome(text) is expected


def test_web_chrome_is_furniture_anywhere_on_the_page():
    page = geo_page(["发布时间:2021-10-13 来源:杭州市人民政府办公厅 字号:[大] [中] [小]"] + BODY + ["[打印] [关闭]"])
    (row,) = pages_table([page], "t", "print.pdf")
    assert row["text"] == "\n".join(BODY)
    assert row["header"] == "发布时间:2021-10-13 来源:杭州市人民政府办公厅 字号:[大] [中] [小]"
    assert row["footer"] == "[打印] [关闭]"


def test_browser_margin_lines_do_not_give_the_printed_page():
    pages = [geo_page(body_of(i), [f"12/2/26, 12:50 AM 关于加快生物医药产业高质量发展的若干意见"],
                      [f"— {378 + i} —", f"https://www.hangzhou.gov.cn/art/2021/10/13/art_1.html {i + 1}/2"],
                      page=i + 1) for i in range(2)]
    rows = pages_table(pages, "t", "print.pdf")
    assert [r["printed_page"] for r in rows] == [378, 379]
    assert all(r["header"].startswith("12/2/26") for r in rows)


PAGE_KINDS = [
    case(["目 录", "一、总体要求……………………3", "二、主要任务……………………5", "三、保障措施……………………9"], "toc",
         id="leaders-under-title"),
    case(["1.杭州市人民政府关于印发…的通知........1", "2.关于加快生物医药产业高质量发展的若干意见......12",
          "3.关于推进历史经典产业传承发展的实施意见.....25"], "toc", id="dot-leaders-no-title"),
    case(["目录", "31.杭州市人民政府办公厅关于加快生物医药产业高质量发展的若干意见 378",
          "32.杭州市人民政府办公厅关于推进历史经典产业传承发展的实施意见 385"], "toc", id="title-numbers-no-leaders"),
    case(["营正常的进驻主体场租费 50%的补助,每年最高不超过 10", "万元。(责任单位:市商务局、市财政局)",
          "市财政每年在“新制造业计划”专项资金中安排 2000", "万元用于推进历史经典产业的保护、传承与发展。"], "body",
         id="body-lines-ending-in-numbers"),
    case([], "blank", id="blank"),
]


@pytest.mark.parametrize("body, kind", PAGE_KINDS)
def test_page_kind(body, kind):
    from pipeline.pages import page_kind
    assert page_kind(body) == kind
