"""The edition diff: exactly the planted changes between the two sample editions
(tests/answers/diff_2023_2024.json, written with tools/samples/make_2024.py), nothing
between an edition and itself or the same text from another producer, and one clear
line for bad input."""
from __future__ import annotations

import datetime as dt
import json
import shutil
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import PDF_EDITION, ROOT, SEED_EDITION, run_cli
from pipeline.diff import align_values, canonical_text, match_sections

PLANTED = json.loads((ROOT / "tests/answers/diff_2023_2024.json").read_text("utf-8"))
NEW_PDF = ROOT / "raw/2024.pdf"
NEW_TEXT = ROOT / "tools/samples/2024-flipbook.txt"


@pytest.fixture(scope="module")
def editions(built, tmp_path_factory):
    """The session dataset (2023 PDF and seed) plus the 2024 edition from PDF and text."""
    out = tmp_path_factory.mktemp("editions")
    shutil.copytree(built.out, out, dirs_exist_ok=True)
    for source, edition in ((NEW_PDF, "2024"), (NEW_TEXT, "2024-text")):
        run = run_cli("build", source, "--edition", edition, "--out", out, "-q")
        assert run.returncode == 0, run.stderr
    return out


def diff_json(out: Path, old: str, new: str) -> list[dict]:
    run = run_cli("diff", old, new, "--data", out, "--format", "json")
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def summary(rows) -> list[tuple]:
    return sorted((r["change"], r["entity"], r["doc_title"], r["clause"], r["old_value"], r["new_value"])
                  for r in rows)


@pytest.mark.parametrize("old, new", [(PDF_EDITION, "2024"), (SEED_EDITION, "2024-text"),
                                      (SEED_EDITION, "2024"), (PDF_EDITION, "2024-text")],
                         ids=["pdf-pdf", "text-text", "text-pdf", "pdf-text"])
def test_exactly_the_planted_changes(editions, old, new):
    assert summary(diff_json(editions, old, new)) == summary(PLANTED["changes"])


@pytest.mark.parametrize("old, new", [(PDF_EDITION, PDF_EDITION), ("2024", "2024"),
                                      (PDF_EDITION, SEED_EDITION), ("2024", "2024-text")],
                         ids=["itself", "2024-itself", "pdf-vs-flipbook-text", "2024-pdf-vs-text"])
def test_no_changes(editions, old, new):
    assert diff_json(editions, old, new) == []


def test_changes_carry_context(editions):
    rows = {(r["entity"], r["old_value"]): r for r in diff_json(editions, PDF_EDITION, "2024")}
    amount = rows[("amount", "6000000")]
    assert "600 万元" in amount["old_text"] and "800 万元" in amount["new_text"]
    assert (amount["old_seq"], amount["new_seq"]) == (31, 29)
    assert amount["old_page"] != amount["new_page"]          # re-paginated, still matched
    assert amount["section_id"].endswith("/二/(五)")


def test_outputs(editions, tmp_path):
    out_file = tmp_path / "changes.parquet"
    run = run_cli("diff", PDF_EDITION, "2024", "--data", editions, "--out", out_file, "--format", "markdown")
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("# Changes from 2023 to 2024\n\n2 added, 1 removed, 6 changed\n")
    # As printed, with its category and purpose, the clause path and title, file and printed pages.
    assert ("| changed | amount (Ⅰ期, subsidy_cap) | 二/(五) 支持创新药品研发 | 600 万元 → 800 万元 "
            "| 34 (p. 379) → 28 (p. 385) |") in run.stdout
    assert ("| changed | responsibility (cooperating) | 三/(九) 建立伦理协作审查工作机制 "
            "| 市经信局 (杭州市经济和信息化局) → 市科技局 (杭州市科学技术局) |") in run.stdout
    assert "| changed | date (expiry) | closing | 2025 年 12月 31 日 → 2026 年 12月 31 日 |" in run.stdout
    table = pq.read_table(out_file)
    assert table.num_rows == len(PLANTED["changes"])
    assert {"change", "entity", "doc_title", "old_seq", "new_seq", "clause", "old_value", "new_value",
            "old_text", "new_text", "old_page", "new_page"} <= set(table.column_names)
    rows = {(r["entity"], r["old_value"]): r for r in table.to_pylist()}
    amount = rows[("amount", "6000000")]
    assert (amount["old_edition"], amount["new_edition"], amount["clause_path"], amount["category"]) == (
        "2023", "2024", "二/(五)", "Ⅰ期")
    assert (amount["old_printed"], amount["new_printed"], amount["old_yuan"], amount["new_yuan"]) == (
        "600 万元", "800 万元", Decimal(6000000), Decimal(8000000))
    assert (amount["old_printed_page"], amount["new_printed_page"]) == (379, 385)
    assert rows[("percentage", "0.4")]["new_fraction"] == Decimal("0.45")
    date = rows[("date", "2025-12-31")]
    assert (date["role"], date["old_date"], date["new_date"]) == ("expiry", dt.date(2025, 12, 31), dt.date(2026, 12, 31))
    person = rows[("responsibility", "市经信局")]
    assert (person["role"], person["old_department"], person["new_department"]) == (
        "cooperating", "杭州市经济和信息化局", "杭州市科学技术局")
    run = run_cli("diff", PDF_EDITION, "2024", "--data", editions)
    assert run.returncode == 0 and "智能网联汽车" in run.stdout
    assert run.stdout.rstrip().endswith("2023 → 2024: 2 added, 1 removed, 6 changed")


@pytest.mark.parametrize("old, new, code, line", [
    (PDF_EDITION, "2024", 1, "2023 → 2024: 2 added, 1 removed, 6 changed"),
    (PDF_EDITION, SEED_EDITION, 0, "2023 → 2023-flipbook: no changes"),
], ids=["changes", "none"])
def test_exit_code_and_summary_in_json(editions, old, new, code, line):
    run = run_cli("diff", old, new, "--data", editions, "--format", "json", "--exit-code")
    assert run.returncode == code and run.stderr_lines == [line]
    assert isinstance(json.loads(run.stdout), list)


def _broken_copy(editions, tmp_path, how: str) -> Path:
    out = tmp_path / "data"
    shutil.copytree(editions, out)
    if how == "missing-table":
        shutil.rmtree(out / "amounts" / "2024")
    elif how == "old-format":
        path = out / "editions" / "2024" / "part-0.parquet"
        table = pq.read_table(path)
        i = table.column_names.index("dataset_format")
        pq.write_table(table.set_column(i, "dataset_format", pa.array([999], pa.int32())), path)
    return out


@pytest.mark.parametrize("how, args, message", [
    ("none", ["2023", "2031"], "unknown edition '2031'"),
    ("missing-table", ["2023", "2024"], "table 'amounts' has no partition for edition '2024'"),
    ("old-format", ["2023", "2024"], "dataset format 999"),
], ids=["unknown-edition", "missing-table", "incompatible-pipeline"])
def test_bad_input_is_one_clear_line(editions, tmp_path, how, args, message):
    out = _broken_copy(editions, tmp_path, how)
    run = run_cli("diff", *args, "--data", out)
    assert run.returncode != 0
    assert len(run.stderr_lines) == 1 and run.stderr_lines[0].startswith("error:")
    assert message in run.stderr and "Traceback" not in run.stderr


def test_validate(editions, tmp_path):
    run = run_cli("validate", "--data", editions)
    assert run.returncode == 0, run.stdout + run.stderr
    out = _broken_copy(editions, tmp_path, "none")
    path = out / "amounts" / "2024" / "part-0.parquet"
    table = pq.read_table(path)
    doubled = pa.concat_tables([table, table])
    i = doubled.column_names.index("doc_id")
    ids = doubled.column("doc_id").to_pylist()
    ids[0] = "no-such-document"
    pq.write_table(doubled.set_column(i, "doc_id", pa.array(ids, pa.string())), path)
    run = run_cli("validate", "--data", out)
    assert run.returncode == 1
    assert "amounts/2024: key (section_id, mention_index) not unique" in run.stdout
    assert "doc_id value(s) not in documents.doc_id, e.g. 'no-such-document'" in run.stdout


def _row(value, start, slot=None, **extra):
    return {"value_yuan": value, "char_start": start, "category": slot, "department": value, "role": slot, **extra}


ALIGN_CASES = [
    pytest.param([_row(1, 0), _row(2, 5)], [_row(1, 0), _row(2, 9)], [], id="moved-not-changed"),
    pytest.param([_row(1, 0, "a"), _row(2, 5, "b")], [_row(3, 0, "a"), _row(2, 5, "b")],
                 [("changed", 1, 3)], id="slot-changed"),
    pytest.param([_row(1, 0)], [_row(1, 0), _row(5, 4)], [("added", None, 5)], id="added"),
    pytest.param([_row(1, 0), _row(5, 4)], [_row(5, 4)], [("removed", 1, None)], id="removed"),
    pytest.param([_row(1, 0, "Ⅰ期"), _row(2, 3, "Ⅱ期")], [_row(2, 3, "Ⅱ期"), _row(1, 0, "Ⅰ期")], [],
                 id="same-slots-other-order"),
]


@pytest.mark.parametrize("old, new, expected", ALIGN_CASES)
def test_align_values(old, new, expected):
    got = [(c, a and a["value_yuan"], b and b["value_yuan"]) for c, a, b in align_values("amount", old, new)]
    assert got == expected


def _section(path, text, title=None):
    return {"path": path, "text": text, "title": title}


MATCH_CASES = [
    pytest.param([_section("一/(一)", "甲乙丙丁戊己庚辛")], [_section("一/(一)", "甲乙丙丁戊己庚辛")], [("一/(一)", "一/(一)")],
                 id="same-path"),
    pytest.param([_section("一/(二)", "对首次上规的企业给予一次性奖励。"), _section("一/(三)", "支持展会交流推广活动的开展。")],
                 [_section("一/(二)", "新增加的一个条款内容完全不同。"), _section("一/(三)", "对首次上规的企业给予一次性奖励。"),
                  _section("一/(四)", "支持展会交流推广活动的开展。")],
                 [("一/(二)", "一/(三)"), ("一/(三)", "一/(四)")], id="renumbered-after-insertion"),
]


@pytest.mark.parametrize("old, new, expected", MATCH_CASES)
def test_match_sections(old, new, expected):
    pairs, _, _ = match_sections(old, new)
    assert sorted((a["path"], b["path"]) for a, b in pairs) == sorted(expected)


@pytest.mark.parametrize("a, b", [
    ("(牵头单位:杭州市科学技术局、市市场监管局)", "(牵头单位:市科技局、市市场监管局)"),
    ("到 2025 年,力争", "到2025年,\n力争"),
], ids=["full-name-vs-abbreviation", "spacing-and-rewrap"])
def test_canonical_text_ignores_noise(a, b):
    assert canonical_text(a) == canonical_text(b)


def test_reworded_section_report_shows_the_sentence(editions):
    run = run_cli("diff", PDF_EDITION, "2024", "--data", editions, "--format", "markdown")
    line = next(l for l in run.stdout.splitlines() if l.startswith("| changed | section |"))
    assert "大力开展农户小额信用贷款" in line and "→" in line
    assert "加强农业现代化用地保障" not in line        # the unchanged sentence before it is not shown


def _change(**kw):
    base = {"change": "changed", "entity": "amount", "old_value": None, "new_value": None, "old_text": None,
            "new_text": None, "old_page": None, "new_page": None, "clause": None}
    return {**base, **kw}


@pytest.mark.parametrize("change, what_, where_, value, pages", [
    (_change(old_value="6000000", new_value="8000000", old_printed="600 万元", new_printed="800 万元",
             category="Ⅰ期", purpose="subsidy_cap", clause_path="二/(五)", clause_title="支持创新药品研发",
             old_page=34, new_page=28, old_printed_page=379, new_printed_page=373),
     "amount (Ⅰ期, subsidy_cap)", "二/(五) 支持创新药品研发", "600 万元 → 800 万元", "34 (p. 379) → 28 (p. 373)"),
    (_change(change="added", entity="responsibility", new_value="市科技局", new_printed="市科技局",
             new_department="杭州市科学技术局", role="cooperating", clause_path="三/(九)", new_page=30),
     "responsibility (cooperating)", "三/(九)", "市科技局 (杭州市科学技术局)", "– → 30"),
    (_change(entity="document", field="doc_number", old_text="doc_number", new_text="doc_number",
             old_value="杭政办函〔2021〕39 号", new_value="杭政办函〔2021〕40 号", old_page=33, new_page=27),
     "document", "", "doc_number: 杭政办函〔2021〕39 号 → 杭政办函〔2021〕40 号", "33 → 27"),
    (_change(change="removed", entity="date", old_value="2025-12-31", old_printed="2025 年 12 月 31 日",
             role="expiry", clause_path="closing", clause_title=None, old_page=42),
     "date (expiry)", "closing", "2025 年 12 月 31 日", "42 → –"),
], ids=["amount-as-printed", "department-canonical", "document-field", "removed-date"])
def test_report_cells(change, what_, where_, value, pages):
    from pipeline.diff import _pages, describe, what, where
    assert (what(change), where(change), describe(change), _pages(change)) == (what_, where_, value, pages)


def test_summary_line():
    from pipeline.diff import summary_line
    rows = [_change(change=c) for c in ("added", "added", "removed", "changed")]
    assert summary_line(rows) == "2 added, 1 removed, 1 changed"
    assert summary_line([]) == "no changes"
