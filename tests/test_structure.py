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
    pytest.param(["3.推动数字乡村建设提速。深化“千万工程”和数字乡村"], (None, None, 0), id="clause-not-title"),
    pytest.param(["1.做强做优城市大脑"], (None, None, 0), id="heading-without-cue-word"),
]


@pytest.mark.parametrize("lines, expected", TITLE_CASES)
def test_title_lines(lines, expected):
    from pipeline.structure import title_lines
    assert title_lines([(1, l) for l in lines], 0) == expected
