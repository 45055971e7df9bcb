"""The `incentives` table: document 31 of the sample against its answer key (written by
reading the seed), the validity rules, `incentives --on`, and a real text from another
compilation built into incentives by the pure function."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pyarrow.parquet as pq
import pytest

from conftest import PDF_EDITION, ROOT, SEED_EDITION, run_cli
from pipeline import gazetteer
from pipeline.extract.amounts import find_amounts
from pipeline.extract.percentages import find_percentages
from pipeline.incentives import expiry_stated, in_force, incentives_table
from pipeline.purpose import add_purpose

KEY = json.loads((ROOT / "tests/answers/incentives_31.json").read_text("utf-8"))


def read(built, table, edition):
    return pq.read_table(built.out / table / edition / "part-0.parquet").to_pylist()


def canonical(names):
    return [gazetteer.resolve(n)[0] for n in names]


def key_rows():
    out = []
    for k in KEY["incentives"]:
        out.append((k["clause_path"], k["category"], k["rate"] and Decimal(k["rate"]), k["rate_base"],
                    k["cap"] and k["cap"].replace(" ", ""), (k.get("overall_cap") or "").replace(" ", "") or None,
                    k.get("frequency"), canonical(k["lead"]), canonical(k["cooperating"]),
                    canonical(k.get("responsible", []))))
    return out


@pytest.mark.parametrize("edition", [PDF_EDITION, SEED_EDITION], ids=["sample-pdf", "seed-text"])
def test_document_31_matches_its_answer_key(built, edition):
    rows = [r for r in read(built, "incentives", edition) if r["doc_seq"] == 31]
    got = [(r["clause_path"], r["category"], r["rate"] and Decimal(r["rate"]).normalize(), r["rate_base"],
            r["cap_text"] and r["cap_text"].replace(" ", ""),
            r["overall_cap_text"] and r["overall_cap_text"].replace(" ", ""), r["frequency"],
            r["lead_departments"], r["cooperating_departments"], r["responsible_departments"]) for r in rows]
    assert got == [(p, c, rate and rate.normalize(), *rest) for p, c, rate, *rest in key_rows()]
    assert {(r["effective_date"].isoformat(), r["expiry_date"].isoformat(), r["expiry_stated"]) for r in rows} == {
        (KEY["effective_date"], KEY["expiry_date"], KEY["expiry_stated"])}


def test_incentives_link_back_to_their_mentions(built):
    amounts = {(r["section_id"], r["mention_index"]): r for r in read(built, "amounts", PDF_EDITION)}
    percentages = {(r["section_id"], r["mention_index"]): r for r in read(built, "percentages", PDF_EDITION)}
    rows = read(built, "incentives", PDF_EDITION)
    for r in rows:
        linked = [amounts[(r["section_id"], i)] for i in r["amount_mentions"]]
        if r["cap_text"]:
            assert r["cap_text"] in [a["text"] for a in linked]
        for i in r["percentage_mentions"]:
            assert percentages[(r["section_id"], i)]["text"] == r["rate_text"]
    first = next(r for r in rows if r["incentive_id"].endswith("/二/(五)#0/Ⅰ期"))
    assert (first["clause"], first["clause_title"], first["heading_title"], first["page"], first["printed_page"]) == (
        "(五)", "支持创新药品研发", "提升创新研发能力", 34, 379)
    assert first["condition"].startswith("对已在国内开展Ⅰ期、Ⅱ期、Ⅲ期临床试验") and first["condition"].endswith("1 类中药")


@pytest.mark.parametrize("doc, expected", [
    ({"expiry_date": dt.date(2025, 12, 31), "expiry_derived": False, "text": "有效期至 2025 年 12 月 31 日"}, "stated"),
    ({"expiry_date": dt.date(2023, 10, 8), "expiry_derived": True, "text": "有效期 3 年"}, "derived"),
    ({"expiry_date": None, "text": "本意见自印发之日起施行。"}, "none_stated"),
    ({"expiry_date": None, "text": "本办法有效期另行通知。"}, "not_found"),
    ({"expiry_date": None, "text": "…", "partial": True}, "not_found"),
    ({"expiry_date": None, "text": "", "scanned_body": True}, "not_found"),
], ids=["printed", "derived", "none-stated", "spoken-of-not-read", "partial", "scanned"])
def test_expiry_stated(doc, expected):
    assert expiry_stated(doc) == expected


def test_no_expiry_in_a_text_cut_before_its_closing_block_is_not_found():
    assert expiry_stated({"expiry_date": None, "text": "本意见自印发之日起施行。"}, ends_read=False) == "not_found"


@pytest.mark.parametrize("effective, expiry, on, applies", [
    ("2021-08-23", "2025-12-31", "2024-06-01", True),
    ("2021-08-23", "2025-12-31", "2025-12-31", True),
    ("2021-08-23", "2025-12-31", "2026-01-01", False),
    ("2024-03-01", None, "2024-02-29", False),
    (None, None, "2024-06-01", True),
], ids=["inside", "last-day", "expired", "not-yet", "no-dates"])
def test_in_force(effective, expiry, on, applies):
    day = lambda s: s and dt.date.fromisoformat(s)  # noqa: E731
    row = {"effective_date": day(effective), "expiry_date": day(expiry)}
    assert (in_force([row], day(on)) == [row]) is applies


def test_incentives_on_a_day_cli(built):
    run = run_cli("incentives", "--on", "2024-06-01", "--edition", SEED_EDITION, "--data", built.out, "--json")
    assert run.returncode == 0, run.stderr
    rows = json.loads(run.stdout)
    # 31 (in force to 2025-12-31) stays; 30 (expired 2023-10-08) is gone.
    assert sorted({r["doc_seq"] for r in rows}) == [31] and len(rows) == len(KEY["incentives"])
    run = run_cli("incentives", "--on", "2022-06-01", "--edition", SEED_EDITION, "--data", built.out, "--json")
    assert sorted({r["doc_seq"] for r in json.loads(run.stdout)}) == [30, 31]
    run = run_cli("incentives", "--on", "soon", "--data", built.out)
    assert run.returncode == 2 and run.stderr_lines == ["error: --on 'soon': not a date (YYYY-MM-DD)"]


# 通辽市 现代农业奖补政策 (https://0477ly.com/newsdetail/news578790.html, transcribed to
# simplified characters): a 分别 list of fixed awards, and a rate with its base.
OTHER_TEXT = ("对新列入国家级、省级、市级休闲农业示范点的农业经营主体,分别给予一次性奖励50万元、20万元、10万元。"
              "对参加市级统一组织展会的农业经营主体给予展位费80%的奖励。")


def test_incentives_of_a_text_from_another_compilation():
    section = {"edition": "x", "section_id": "d/(五)", "doc_id": "d", "path": "(五)", "label": "(五)",
               "title": None, "section_order": 0, "text": OTHER_TEXT}
    mentions = {"amounts": [], "percentages": []}
    for name, finder in (("amounts", find_amounts), ("percentages", find_percentages)):
        for i, m in enumerate(finder(OTHER_TEXT)):
            mentions[name].append({**m, "section_id": "d/(五)", "mention_index": i, "page": 1,
                                   **({"value_yuan": m.get("value_yuan")} if name == "amounts" else {})})
    add_purpose(mentions["amounts"] + mentions["percentages"], [section])
    closing = {**section, "section_id": "d/closing", "path": "closing", "kind": "closing", "section_order": 1,
               "text": "本措施自印发之日起施行。"}
    section["kind"] = "clause"
    rows = incentives_table({"documents": [{"doc_id": "d", "expiry_date": None, "text": OTHER_TEXT}],
                             "sections": [section, closing], **mentions, "responsibilities": []})
    got = [(r["category"], r["amount_text"], r["frequency"], r["rate_text"], r["rate_base"], r["condition"])
           for r in rows]
    assert got == [
        ("国家级", "50万元", "one_time", None, None, "对新列入国家级、省级、市级休闲农业示范点的农业经营主体"),
        ("省级", "20万元", "one_time", None, None, "对新列入国家级、省级、市级休闲农业示范点的农业经营主体"),
        ("市级", "10万元", "one_time", None, None, "对新列入国家级、省级、市级休闲农业示范点的农业经营主体"),
        (None, None, None, "80%", "展位费", "对参加市级统一组织展会的农业经营主体"),
    ]
    assert {r["expiry_stated"] for r in rows} == {"none_stated"}


YUHANG = ROOT / "tests/fixtures/incentives/libreoffice-yuhang-68-excerpt.pdf"
YUHANG_KEY = json.loads((ROOT / "tests/answers/incentives_yuhang.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def yuhang(tmp_path_factory):
    """A district's policy text (not our compilation), typeset by LibreOffice, built by the CLI."""
    out = tmp_path_factory.mktemp("yuhang")
    run = run_cli("build", YUHANG, "--edition", "yuhang", "--out", out, "-q")
    assert run.returncode == 0, run.stderr
    return out


def test_another_policy_text_end_to_end(yuhang):
    def rows(table):
        return pq.read_table(yuhang / table / "yuhang" / "part-0.parquet").to_pylist()

    assert [[r["text"], r["purpose"]] for r in rows("amounts")] == YUHANG_KEY["amount_purposes"]
    assert [[r["text"], r["purpose"]] for r in rows("percentages")] == YUHANG_KEY["percentage_purposes"]
    got = [{"clause": r["clause"], "rate": r["rate_text"], "cap": r["cap_text"], "amount": r["amount_text"],
            "frequency": r["frequency"], "lead": r["lead_departments"]} for r in rows("incentives")]
    assert got == YUHANG_KEY["incentives"]
    # A partial excerpt (no title, no closing block): its validity is not known, not "none stated".
    assert {r["expiry_stated"] for r in rows("incentives")} == {YUHANG_KEY["expiry_stated"]}
    assert all(len(r["boxes"]) == 1 for r in rows("amounts") + rows("percentages"))


@pytest.mark.parametrize("args, message, code", [   # 1: the data is not there; 2: fix the command
    (["incentives", "--on", "2024-06-01", "--edition", "2031"], "unknown edition '2031'", 1),
    (["evidence", "2031", "x/一", "0", "--out", "e.html"], "unknown edition '2031'", 1),
    (["evidence", PDF_EDITION, "杭政办函〔2021〕39号/二/(五)", "0", "--pdf", "no/such.pdf", "--out", "e.html"],
     "no/such.pdf: no such file", 2),
    (["evidence", SEED_EDITION, "杭政办函〔2021〕39号/二/(五)", "0", "--pdf", str(ROOT / "raw/2023.pdf"), "--out", "e.html"],
     "built from a flipbook source", 2),
], ids=["incentives-unknown-edition", "evidence-unknown-edition", "evidence-no-pdf", "evidence-text-source"])
def test_bad_input_is_one_clear_line(built, tmp_path, args, message, code):
    args = [str(tmp_path / a) if a == "e.html" else a for a in args]
    run = run_cli(*args, "--data", built.out)
    assert run.returncode == code and len(run.stderr_lines) == 1 and run.stderr_lines[0].startswith("error:")
    assert message in run.stderr and not (tmp_path / "e.html").exists()
