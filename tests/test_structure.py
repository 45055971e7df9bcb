"""The structure stage against an answer key read from the seed by hand
(tests/answers/structure_2023.json), on the seed text, the sample PDF and a
LibreOffice PDF of the same lines."""
from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from pipeline.pages import pages_table
from pipeline.sources import read_pages
from pipeline.extract.dates import find_dates
from pipeline.structure import Heading, HeadingSequence, _match_heading, document_dates, structure_tables

ROOT = Path(__file__).resolve().parent.parent
KEY = json.loads((ROOT / "tests/answers/structure_2023.json").read_text("utf-8"))
SEED = ROOT / "raw/2023-flipbook.txt"
SAMPLE = ROOT / "raw/2023.pdf"
LIBREOFFICE = ROOT / "tests/fixtures/pdfs/libreoffice-running-header-pagenum-top-right.pdf"


@cache
def structure(source: Path):
    """documents and sections of a source, with pages expressed as page labels (351…)."""
    _, raw = read_pages(source, workers=1)
    pages = pages_table(raw, "t", str(source))
    # The LibreOffice fixture has no page labels: it holds the seed's pages 383-386.
    label = {p["page"]: int(p["page_label"]) if p["page_label"] else p["page"] + 382 for p in pages}
    docs, sections = build(pages, str(source))
    for row in docs:
        row["page_start"], row["page_end"] = label[row["page_start"]], label[row["page_end"]]
    for row in sections:
        row["page_start"] = label[row["page_start"]]
    return docs, sections


def date_rows(sections):
    """The `dates` rows the extract stage finds, reduced to what document_dates reads."""
    return [{"doc_id": s["doc_id"], "section_id": s["section_id"], **m}
            for s in sections for m in find_dates(s["text"])]


def build(pages, source):
    docs, sections, _ = structure_tables(pages, "t", source)
    return document_dates(docs, date_rows(sections)), sections


SOURCES = [pytest.param(SEED, id="seed-text"), pytest.param(SAMPLE, id="sample-pdf")]
DOC_FIELDS = ["seq", "title", "issuer", "doc_number", "norm_code", "addressees", "issue_date",
              "effective_date", "expiry_date", "expiry_derived", "repeals", "page_start", "page_end",
              "partial", "scanned_body"]


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("field", DOC_FIELDS)
def test_documents_match_answer_key(source, field):
    docs, _ = structure(source)
    got = [str(d[field]) if d[field] is not None and "date" in field and field != "expiry_derived"
           else d[field] for d in docs]
    assert got == [k[field] for k in KEY["documents"]]


def _numbered(sections, seq_of):
    return [s for s in sections if seq_of.get(s["doc_id"]) in (29, 30, 31) and s["label"]]


@pytest.mark.parametrize("source", SOURCES)
def test_every_numbered_heading_of_29_to_31(source):
    docs, sections = structure(source)
    seq_of = {d["doc_id"]: d["seq"] for d in docs}
    got = [(seq_of[s["doc_id"]], s["label"], s["path"], s["parent_id"].split("/", 1)[1] if s["parent_id"] else None,
            s["level"], s["title"], s["page_start"]) for s in _numbered(sections, seq_of)]
    want = [(k["doc_seq"], k["label"], k["path"], k["parent_path"], k["level"], k["title"], k["page"])
            for k in KEY["sections"]]
    assert got == want


@pytest.mark.parametrize("source", SOURCES)
def test_boxes_are_sections_inside_their_clause(source):
    _, sections = structure(source)
    boxes = [s for s in sections if s["kind"] == "box"]
    assert [(b["label"], b["title"], b["page_start"]) for b in boxes] == [
        (k["label"], k["title"], k["page"]) for k in KEY["boxes"]]
    # The parent is the innermost clause; the key writes "(三)/3." for "3" under an (三) before the excerpt.
    assert [b["parent_id"].rsplit("/", 1)[-1] for b in boxes] == [
        k["parent_path"].rsplit("/", 1)[-1].rstrip(".") for k in KEY["boxes"]]


@pytest.mark.parametrize("source", SOURCES)
def test_no_false_headings(source):
    _, sections = structure(source)
    for case in KEY["not_headings"]:
        assert not any(s["text"].startswith(case["text"]) and s["label"] for s in sections), case


def test_closing_block_belongs_to_no_clause():
    docs, sections = structure(SEED)
    closing = [s for s in sections if s["kind"] == "closing" and s["doc_id"] == "杭政办函〔2021〕39号"]
    assert len(closing) == 1 and closing[0]["parent_id"] is None
    text = closing[0]["text"]
    assert "(此件公开发布)" in text and text.rstrip().endswith("2021年7月23日印发")
    assert "(二十八)" not in text


def test_paragraphs_join_across_line_and_page_breaks():
    """The code line at the foot of page 383 sits mid-sentence ("生" / ZJAC… / "物医药")."""
    docs, sections = structure(SEED)
    first = next(s for s in sections if s["section_id"] == "杭政办函〔2021〕39号/一/(一)")
    assert "“一核四园多点”的生物医药产业空间布局" in first["text"]
    assert "ZJAC01" not in first["text"]
    assert [m["page"] for m in first["page_marks"]] == [383, 384]


@pytest.mark.parametrize("source", SOURCES + [pytest.param(LIBREOFFICE, id="libreoffice-pdf")])
def test_same_ids_from_every_producer(source):
    _, seed_sections = structure(SEED)
    docs, sections = structure(source)
    seed = {s["section_id"]: s for s in seed_sections}
    assert sections, "no sections found"
    for s in sections[:-1]:       # the last section of a 4-page excerpt is cut short
        assert s["section_id"] in seed
        assert (s["title"], s["text"], s["page_start"]) == (
            seed[s["section_id"]]["title"], seed[s["section_id"]]["text"], seed[s["section_id"]]["page_start"])


SEQUENCE_CASES = [
    pytest.param([(2, 1), (2, 2), (2, 3)], [True, True, True], id="in-order"),
    pytest.param([(2, 1), (2, 2), (2, 9)], [True, True, False], id="far-jump-rejected"),
    pytest.param([(2, 1), (2, 2), (2, 4)], [True, True, True], id="small-gap-accepted-with-warning"),
    pytest.param([(1, 1), (2, 1), (2, 2), (1, 2), (2, 1)], [True] * 5, id="restart-under-new-parent"),
    pytest.param([(2, 1), (2, 2), (2, 1)], [True, True, False], id="restart-without-new-parent"),
    pytest.param([(3, 1), (3, 2), (2, 1), (3, 1)], [True] * 4, id="level-3-restarts-under-level-2"),
]


@pytest.mark.parametrize("steps, expected", SEQUENCE_CASES)
def test_heading_sequence(steps, expected):
    seq = HeadingSequence(partial=False, where="t")
    assert [seq.accept(Heading("clause", "t", rank, n, "x"), True, 1) for rank, n in steps] == expected


HEADING_CASES = [
    pytest.param("一、总体要求", ("clause", "cn_comma", 1, "一、"), id="level-1"),
    pytest.param("(二十三)支持重点公共服务平台建设。", ("clause", "cn_paren", 23, "(二十三)"), id="level-2"),
    pytest.param("3.推动数字乡村建设提速。", ("clause", "arabic", 3, "3."), id="level-3"),
    pytest.param("专栏 9 数字乡村发展重点", ("box", "box", 9, "专栏 9"), id="box"),
    pytest.param("2.0 建设", None, id="version-number"),
    pytest.param("3.5,国家地理标志农产品", None, id="decimal"),
    pytest.param("1:1 比例配套", None, id="ratio"),
    pytest.param("5G、大数据中心", None, id="5G"),
    pytest.param("Ⅰ期、Ⅱ期", None, id="roman-phase"),
    pytest.param("2021 年 10 月 15 日", None, id="date"),
    pytest.param("(码)、入园码", None, id="bracket-word"),
]


@pytest.mark.parametrize("text, expected", HEADING_CASES)
def test_heading_labels(text, expected):
    found = _match_heading(text)
    assert (found and (found.kind, found.scheme, found.number, found.label)) == expected


def _pages(*texts):
    return [{"page": i + 1, "page_label": None, "text": t, "has_text_layer": True} for i, t in enumerate(texts)]


def test_heading_gap_warns_with_page(caplog):
    pages = _pages("1.杭州市人民政府办公厅关于测试的意见\n各区、县(市)人民政府:\n一、总体要求\n(一)第一条。内容。",
                   "(三)第三条。内容缺了第二条。")
    docs, sections, _ = structure_tables(pages, "t", "gap.pdf")
    assert [s["label"] for s in sections if s["label"]] == ["一、", "(一)", "(三)"]
    assert any("gap.pdf: page 2: heading sequence gap before (三)" in r.getMessage() for r in caplog.records)


def test_no_documents_warns_not_crashes(caplog):
    docs, sections, _ = structure_tables(_pages(""), "t", "empty.pdf")
    assert docs == [] and sections == []
    assert any("empty.pdf: no documents found" in r.getMessage() for r in caplog.records)


TITLE_CASES = [
    pytest.param(["29.杭州市人民政府办公厅关于高质量推进", "杭州现代农业发展的实施意见", "各区、县(市)人民政府:"],
                 (29, "杭州市人民政府办公厅关于高质量推进杭州现代农业发展的实施意见", 2), id="two-lines"),
    pytest.param(["5、杭州市人民政府关于印发杭州市促进消费若干措施的通知"],
                 (5, "杭州市人民政府关于印发杭州市促进消费若干措施的通知", 1), id="enumeration-comma"),
    pytest.param(["32.杭州市人民政府办公厅印发关于金融支", "持服务实体经济高质量发展若干措施的通"],
                 (32, "杭州市人民政府办公厅印发关于金融支持服务实体经济高质量发展若干措施的通", 2), id="cut-by-scan"),
    pytest.param(["5.杭州市人民政府关于印发", "杭州市", "促进消费", "若干措施", "的通知"],
                 (5, "杭州市人民政府关于印发杭州市促进消费若干措施的通知", 5), id="five-lines"),
    pytest.param(["5.杭州市人民政府关于印发杭州市促进消费若干措施实施方案", "的通知", "各区、县(市)人民政府:"],
                 (5, "杭州市人民政府关于印发杭州市促进消费若干措施实施方案的通知", 2), id="kind-word-at-a-line-end"),
    pytest.param(["3.推动数字乡村建设提速。深化“千万工程”和数字乡村"], (None, None, 0), id="clause-not-title"),
    pytest.param(["1.做强做优城市大脑"], (None, None, 0), id="heading-without-cue-word"),
]


@pytest.mark.parametrize("lines, expected", TITLE_CASES)
def test_title_lines(lines, expected):
    from pipeline.structure import title_lines
    assert title_lines([(1, l) for l in lines], 0) == expected


HEADING_SCHEMES = [  # real lines from the fixture texts (tests/fixtures/structure/*.txt) and the seed
    pytest.param("第一章 总则", ("clause", "chapter", 1, "第一章"), id="chapter"),
    pytest.param("第一章  总  则", ("clause", "chapter", 1, "第一章"), id="chapter-letter-spaced"),
    pytest.param("第 十 二 章  附  则", ("clause", "chapter", 12, "第 十 二 章"), id="chapter-spaced-numeral"),
    pytest.param("第二节 申报条件", ("clause", "part", 2, "第二节"), id="part"),
    pytest.param("第一条 为加强对我市重大危险源的安全监督管理,有效防范", ("clause", "article", 1, "第一条"), id="article"),
    pytest.param("第1条 支持关键核心技术攻关", ("clause", "article", 1, "第1条"), id="article-arabic"),
    pytest.param("第二条 项目定义", ("clause", "article", 2, "第二条"), id="article-title-starting-with-项"),
    pytest.param("第二条第九点规定,设立创新型产业集群发展培育计划专项资金", None, id="article-reference"),
    pytest.param("第十条规定的申报条件", None, id="article-cited"),
    pytest.param("1、特钢及金属新材料产业:高品质特殊钢", ("clause", "arabic", 1, "1、"), id="arabic-comma"),
    pytest.param("(1)获批牵头承担国家重大科技专项的企事业单位。", ("clause", "arabic_paren", 1, "(1)"), id="arabic-paren"),
    pytest.param("①企业注册地在本市", ("clause", "circled", 1, "①"), id="circled"),
    pytest.param("3.2.P.2.1 处方组成", ("clause", "outline", 1, "3.2.P.2.1"), id="outline"),
    pytest.param("3.2.P 制剂", ("clause", "outline", 0, "3.2.P"), id="outline-letter"),
    pytest.param("3.5亿元,支持建设", None, id="decimal-amount"),
    pytest.param("一是文化旅游产业蓬勃发展。", None, id="yishi-is-an-item"),
    pytest.param("附表1 2023年度市级财政专项资金安排表", ("table", "table", 1, "附表1"), id="schedule"),
    pytest.param("表2 重点项目清单", ("table", "table", 2, "表2"), id="table-title"),
    pytest.param("表2所列项目,按照有关规定予以支持。", None, id="table-cited-in-a-sentence"),
]


@pytest.mark.parametrize("text, expected", HEADING_SCHEMES)
def test_numbering_schemes(text, expected):
    found = _match_heading(text)
    assert (found and (found.kind, found.scheme, found.number, found.label)) == expected


OUTLINE_STEPS = [
    pytest.param(["3.2.P.1", "3.2.P.2", "3.2.P.2.1", "3.2.P.2.1.1", "3.2.P.2.2", "3.2.P.3"], [True] * 6, id="ctd"),
    pytest.param(["1.1", "1.2", "2.1"], [True, True, False], id="new-top-needs-its-parent"),
    pytest.param(["1.1", "1.3"], [True, True], id="small-gap"),
    pytest.param(["1.1", "1.9"], [True, False], id="far-jump"),
    pytest.param(["3.5"], [False], id="first-must-be-1"),
]


@pytest.mark.parametrize("labels, expected", OUTLINE_STEPS)
def test_outline_sequence(labels, expected):
    seq = HeadingSequence(partial=False, where="t")
    assert [seq.accept(_match_heading(f"{label} 标题"), True, 1) for label in labels] == expected


DOC_NUMBERS = [
    pytest.param("杭政办函〔2021〕39 号", "杭政办函〔2021〕39号", id="space-before-hao"),
    pytest.param("鲁政发(2014)20号", "鲁政发〔2014〕20号", id="parentheses-ocr"),
    pytest.param("中青办发[2005]13号", "中青办发〔2005〕13号", id="square-brackets"),
    pytest.param("财科教【2017】6号", "财科教〔2017〕6号", id="lenticular"),
    pytest.param("成科字( 2022 ) 64 号", "成科字〔2022〕64号", id="spaces-everywhere"),
    pytest.param("东莞市人民政府令第123号", "东莞市人民政府令第123号", id="government-order"),
]


@pytest.mark.parametrize("printed, normalized", DOC_NUMBERS)
def test_doc_number_forms(printed, normalized):
    from pipeline.structure import DOC_NUMBER, normalize_doc_number
    assert DOC_NUMBER.fullmatch(printed) and normalize_doc_number(printed) == normalized


IDENTITIES = [
    pytest.param(("杭政办函〔2021〕39 号", "ZJAC01-2021-0012", "杭州市…意见"), "杭政办函〔2021〕39号", id="number-first"),
    pytest.param((None, "ZJAC01-2021-0007", "杭州市人民政府办公厅印发关于金融支持服务实体经济高质量发展若干措施的通"),
                 "ZJAC01-2021-0007", id="code-before-a-title-cut-by-a-scan"),
    pytest.param((None, None, "成都市重点研发项目资助管理办法"), "成都市重点研发项目资助管理办法", id="title"),
]


@pytest.mark.parametrize("fields, doc_id", IDENTITIES)
def test_doc_id_prefers_number_then_code_then_title(fields, doc_id):
    from pipeline.structure import doc_identity
    assert doc_identity(*fields, "") == doc_id


def test_two_headings_on_one_line():
    """Scraped text puts (二) right after (一)'s full stop; (二) must not merge into (一),
    and (三) on the next line is no gap. Sentences from 岳阳办发〔2017〕2号."""
    pages = _pages("1.中共岳阳市委办公室岳阳市人民政府办公室印发关于全面推进政务公开工作的实施意见的通知\n"
                   "一、把握总体要求,明确工作目标\n"
                   "(一)总体要求。坚持以公开为常态、不公开为例外。 (二)工作目标。以社会需求为导向,以群众满意为目标。\n"
                   "(三)着力推行“互联网+政务”。信息公开、政策解读、回应关切、公众参与等统筹推进。")
    docs, sections, _ = structure_tables(pages, "t", "oneline.pdf")
    assert [(s["label"], s["title"]) for s in sections if s["label"]] == [
        ("一、", "把握总体要求,明确工作目标"), ("(一)", "总体要求"), ("(二)", "工作目标"), ("(三)", "着力推行“互联网+政务”")]


def test_gap_warning_names_the_heading_after_the_gap(caplog):
    pages = _pages("1.杭州市人民政府办公厅关于测试的意见\n一、总体要求\n(一)第一条。内容。 (二)第二条。内容。\n(四)第四条。")
    structure_tables(pages, "t", "gap.pdf")
    assert [r.getMessage() for r in caplog.records if "gap" in r.getMessage()] == [
        "gap.pdf: page 1: heading sequence gap before (四)"]


def test_table_of_contents_pages_give_no_sections():
    pages = _pages("目录\n一、总体要求……1\n二、重点任务……3", "1.杭州市人民政府关于测试的意见\n一、总体要求\n内容。")
    pages[0]["kind"] = "toc"
    _, sections, _ = structure_tables(pages, "t", "toc.pdf")
    assert [(s["label"], s["page_start"]) for s in sections if s["label"]] == [("一、", 2)]


def test_inline_items_are_kept_not_headings():
    """一是 / 二是 inside a paragraph (大邑县人民政府工作报告, 2021) stay in their clause."""
    pages = _pages("1.大邑县人民政府关于印发测试方案的通知\n一、过去五年工作回顾\n"
                   "五年来,我们坚持发展是第一要务。一是文化旅游产业蓬勃发展。建成华侨城创意文化园。\n"
                   "二是现代农业提质增效。")
    _, sections, _ = structure_tables(pages, "t", "items.pdf")
    assert [(s["label"], s["items"]) for s in sections if s["label"]] == [("一、", ["一是", "二是"])]


def test_five_line_title_and_wrapped_addressee():
    pages = _pages("闽科高〔2019〕11号\n关于下达2018年度\n省级高新技术企业\n第二批入库和第一批及\n第二批出库奖补\n清算资金的通知\n"
                   "各设区市科技局、经信委(局)、财政局,平潭综合实验区社会事业\n局、经济发展局、财政金融局:\n"
                   "请各设区市做好2018年度清算工作。\n福建省科学技术厅\n福建省工业和信息化厅\n福建省财政厅\n2019年5月24日")
    docs, sections = build(pages, "five.pdf")
    assert [(d["title"], d["issuers"], d["addressees"], str(d["issue_date"])) for d in docs] == [(
        "关于下达2018年度省级高新技术企业第二批入库和第一批及第二批出库奖补清算资金的通知",
        ["福建省科学技术厅", "福建省工业和信息化厅", "福建省财政厅"],
        "各设区市科技局、经信委(局)、财政局,平潭综合实验区社会事业局、经济发展局、财政金融局", "2019-05-24")]


DATE_ROWS = [  # (documents, dates rows) -> (issue, effective, effective derived, expiry, expiry derived) per document
    pytest.param([{"doc_id": "a", "text": "本意见自2020年10月9日起施行,有效期3年。"}],
                 [("a", "a/closing", "effective", "2020-10-09"), ("a", "a/closing", "issue", "2020-09-08")],
                 [("2020-09-08", "2020-10-09", False, "2023-10-08", True)], id="validity-years"),
    pytest.param([{"doc_id": "n", "text": ""}, {"doc_id": "m", "text": "", "parent_doc_id": "n"}],
                 [("n", "n/closing", "issue", "2021-03-15")],
                 [("2021-03-15", None, False, None, False), ("2021-03-15", None, False, None, False)],
                 id="attached-takes-notice-dates"),
    pytest.param([{"doc_id": "a", "text": ""}],
                 [("a", "a/一", "issue", "2019-01-01"), ("a", "a/closing", "issue", "2021-07-23")],
                 [("2021-07-23", None, False, None, False)], id="closing-first"),
    # in force from the day it was issued: the 印发 date, else the signature's; a validity counts from it
    pytest.param([{"doc_id": "a", "text": "本措施自印发之日起施行。"}], [("a", "a/closing", "issue", "2022-07-27")],
                 [("2022-07-27", "2022-07-27", True, None, False)], id="effective-on-issue"),
    pytest.param([{"doc_id": "a", "text": "本办法自发布之日起实施,有效期两年。"}],
                 [("a", "a/closing", "issue", "2021-07-20"), ("a", "a/closing", "printed", "2021-07-23")],
                 [("2021-07-20", "2021-07-23", True, "2023-07-22", True)], id="effective-on-printing-with-validity"),
    pytest.param([{"doc_id": "a", "text": "本意见自印发之日起施行。"}], [],
                 [(None, None, False, None, False)], id="effective-on-issue-without-a-date"),
    pytest.param([{"doc_id": "n", "text": "本意见自印发之日起施行。"}, {"doc_id": "m", "text": "", "parent_doc_id": "n"}],
                 [("n", "n/closing", "issue", "2022-07-27")],
                 [("2022-07-27", "2022-07-27", True, None, False), ("2022-07-27", "2022-07-27", True, None, False)],
                 id="attached-takes-derived-effective"),
]


@pytest.mark.parametrize("documents, rows, expected", DATE_ROWS)
def test_document_dates_from_date_rows(documents, rows, expected):
    from datetime import date
    dates = [{"doc_id": d, "section_id": s, "role": r, "precision": "day", "date_start": date.fromisoformat(v)}
             for d, s, r, v in rows]
    got = document_dates(documents, dates)
    text = lambda v: str(v) if v else None  # noqa: E731
    assert [(text(d["issue_date"]), text(d["effective_date"]), d["effective_derived"], text(d["expiry_date"]),
             d["expiry_derived"]) for d in got] == expected


def test_section_ids_do_not_move_when_a_clause_is_inserted_elsewhere():
    before = _pages("1.杭州市人民政府关于测试的意见\n一、总体要求\n(一)目标。内容。\n二、重点任务\n(一)任务。内容。")
    after = _pages("1.杭州市人民政府关于测试的意见\n一、总体要求\n(一)目标。内容。\n(二)原则。新增。\n二、重点任务\n(一)任务。内容。")
    ids = lambda pages: {s["section_id"]: s["text"] for s in structure_tables(pages, "t", "x.pdf")[1]}  # noqa: E731
    old, new = ids(before), ids(after)
    assert all(new[k] == v for k, v in old.items())
    assert set(new) - set(old) == {"杭州市人民政府关于测试的意见/一/(二)"}


def test_a_cited_document_is_not_an_attachment():
    """A notice that cites 《…细则》 and the 细则 printed after it on a new page: two documents,
    not linked; the same notice publishing it ("现予印发") links them. Sentences from the
    福建 notice (tests/fixtures/structure/compilation-unnumbered.txt)."""
    def docs(verb):
        pages = _pages("闽科高〔2019〕11号\n关于下达2018年度省级高新技术企业奖补清算资金的通知\n各设区市科技局:\n"
                       f"根据《福建省级高新技术企业备案实施细则》{verb}。\n福建省科学技术厅\n2019年5月24日",
                       "福建省级高新技术企业备案实施细则\n第一条 为规范省级高新技术企业备案工作,制定本细则。")
        return [(d["title"], d["parent_doc_id"]) for d in build(pages, "cite.pdf")[0]]
    assert docs("和各地上报的奖补资金汇总表,现下达清算资金") == [
        ("关于下达2018年度省级高新技术企业奖补清算资金的通知", None), ("福建省级高新技术企业备案实施细则", None)]
    assert docs(",现予印发")[1] == ("福建省级高新技术企业备案实施细则", "闽科高〔2019〕11号")


SIGNATURES = [  # closing lines -> issuers
    pytest.param(["福建省科学技术厅 福建省工业和信息化厅", "福建省财政厅", "2019年5月24日"],
                 ["福建省科学技术厅", "福建省工业和信息化厅", "福建省财政厅"], id="two-side-by-side"),
    pytest.param(["国 务 院", "2023年10月5日"], ["国务院"], id="letter-spaced"),
    pytest.param(["中共岳阳市委办公室", "岳阳市人民政府办公室", "2017年1月10日"], ["中共岳阳市委办公室", "岳阳市人民政府办公室"],
                 id="party-and-government"),
]


@pytest.mark.parametrize("closing, issuers", SIGNATURES)
def test_signature_bodies(closing, issuers):
    pages = _pages("\n".join(["关于全面推进政务公开工作的实施意见", "各县市区委、人民政府:", "现印发给你们,请结合实际认真贯彻执行。"]
                             + closing))
    docs, _ = build(pages, "sig.pdf")
    assert [d["issuers"] for d in docs] == [issuers]
