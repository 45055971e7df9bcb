"""The `incentives` table: one row per subsidy, award or preferential rate, with its terms.

A pure function over an edition's tables (documents, sections, amounts, percentages,
responsibilities, pages). The unit of an incentive is one statement of a clause — the
text between 。 ; ! ? or paragraph breaks — holding at least one amount or percentage
whose `purpose` is a subsidy (cap, rate, per unit, fixed amount) or a tax rate. A 分别
list makes one row per category:

    …给予不超过研发投入 40%,单个品种最高分别为 600 万元、1200 万元、3000 万元资金支持
    -> Ⅰ期: 40% of 研发投入, cap 600 万元;  Ⅱ期: 40%, cap 1200 万元;  Ⅲ期: 40%, cap 3000 万元

A statement holding nothing but a cap on the total (每家企业每年累计支持额度不超过 500 万元)
is not an incentive of its own: it becomes `overall_cap_yuan` of the clause's incentives.
"""
from __future__ import annotations

import datetime as dt

import regex

from . import patterns
from .text import fold

SUBSIDY = {"subsidy_cap", "subsidy_rate", "subsidy_per_unit", "subsidy_amount"}
STATEMENT_END = "。;;!?!?\n"
# The words that start the award in a statement; the text before them is its condition:
# "对首次取得…实现销售的药品,每个产品 | 给予最高 100 万元资助"; "…1 类中药, | 按临床试验的不同阶段…".
AWARD_START = patterns.compile(r"[,,]?\s*(?:经评审|择优|分别|再)?\s*(?:给予|予以|按照|按|奖励|补助|资助|补贴)")
NEXT_BENEFICIARY = patterns.compile(r"[,,](?=对)")
# A total cap: 累计 / 合计 / 总额 in a statement that holds nothing else.
TOTAL_CAP = patterns.compile(r"累计|合计|总额|总计")
# Anything in the closing block that speaks of validity, so "not found" differs from "none stated".
VALIDITY_WORDS = patterns.compile(r"有效期|施行期限|执行期限|实施期限|试行期|截止|到期")


def incentives_table(tables: dict, printed_pages: dict[int, int | None] | None = None) -> list[dict]:
    """`incentives` rows of one edition from its other tables (lists of row dicts).
    `printed_pages` (page -> printed page) stands in for the `pages` rows when the
    build has written them already."""
    closed = {s["doc_id"] for s in tables["sections"] if s.get("kind") == "closing"}
    documents = {d["doc_id"]: {**d, "_closed": d["doc_id"] in closed} for d in tables["documents"]}
    sections = {s["section_id"]: s for s in tables["sections"]}
    printed = printed_pages if printed_pages is not None else \
        {p["page"]: p.get("printed_page") for p in tables.get("pages", [])}
    departments = _closing_brackets_lift(_departments(tables.get("responsibilities", [])),
                                         tables.get("responsibilities", []), tables["sections"])
    mentions: dict[str, list[tuple[str, dict]]] = {}
    for name in ("amounts", "percentages"):
        for row in tables.get(name, []):
            if row.get("purpose") in SUBSIDY or row.get("purpose") == "tax_rate":
                mentions.setdefault(row["section_id"], []).append((name, row))
    out: list[tuple] = []
    for section_id, rows in mentions.items():
        section = sections.get(section_id)
        if section is None:
            continue
        statements = _statements(section["text"], rows)
        overall = [r for kind, r in _totals(section["text"], statements)]
        for number, (start, end, group) in enumerate(statements):
            if _is_total(section["text"][start:end], group):
                continue
            doc = documents.get(section["doc_id"], {})
            for k, (category, members) in enumerate(_by_category(group)):
                order = (doc.get("page_start") or 0, section["doc_id"], section["section_order"], number, k)
                out.append((order, _row(doc, section, sections, number, section["text"], start, end, category,
                                        members, overall, departments, printed)))
    return [row for _, row in sorted(out, key=lambda o: o[0])]


def _statements(text: str, rows: list[tuple[str, dict]]) -> list[tuple[int, int, list[tuple[str, dict]]]]:
    """(start, end, mentions) of each statement of `text` that holds mentions, in text order."""
    groups: dict[tuple[int, int], list] = {}
    for kind, row in sorted(rows, key=lambda kr: kr[1]["char_start"]):
        at = row["char_start"]
        start = max(text.rfind(ch, 0, at) for ch in STATEMENT_END) + 1
        ends = [i for i in (text.find(ch, row["char_end"]) for ch in STATEMENT_END) if i >= 0]
        end = min(ends) + 1 if ends else len(text)
        # A statement listing two beneficiaries is two incentives: "对申报…的企业给予 20 万元的
        # 申报补助,对通过…认定的企业给予 40 万元的奖励。" splits before the second 对.
        cuts = [m.start() + 1 for m in NEXT_BENEFICIARY.finditer(text, start, end)]
        start = max([c for c in cuts if c <= at], default=start)
        end = min([c for c in cuts if c > at], default=end)
        groups.setdefault((start, end), []).append((kind, row))
    return [(s, e, g) for (s, e), g in sorted(groups.items())]


def _is_total(statement: str, group: list[tuple[str, dict]]) -> bool:
    return (len(group) == 1 and group[0][1].get("purpose") == "subsidy_cap"
            and bool(TOTAL_CAP.search(statement)) and not AWARD_START.search(statement))


def _totals(text: str, statements) -> list[tuple[str, dict]]:
    return [group[0] for start, end, group in statements if _is_total(text[start:end], group)]


def _by_category(group: list[tuple[str, dict]]) -> list[tuple[str | None, list[tuple[str, dict]]]]:
    """One (category, mentions) per 分别 category; mentions without a category go to every one."""
    categories = list(dict.fromkeys(r["category"] for k, r in group if k == "amounts" and r.get("category")))
    if not categories:
        return [(None, group)]
    shared = [(k, r) for k, r in group if not (k == "amounts" and r.get("category"))]
    return [(c, shared + [(k, r) for k, r in group if k == "amounts" and r.get("category") == c])
            for c in categories]


def _departments(rows: list[dict]) -> dict[str, dict[str, list[str]]]:
    out: dict[str, dict[str, list[str]]] = {}
    for r in sorted(rows, key=lambda r: (r["section_id"], r["mention_index"])):
        names = out.setdefault(r["section_id"], {}).setdefault(r["role"], [])
        if r["department"] not in names:
            names.append(r["department"])
    return out


_AFTER_BRACKET = patterns.compile(r"[\s。;;,,.)\]】〕]*")


def _closing_brackets_lift(departments: dict, rows: list[dict], sections: list[dict]) -> dict:
    """A bracket that ends a clause's last sub-item names the departments of the whole clause:
    "49.支持企业升规纳统。(1)…(2)…(3)…再给予 20 万元奖励。(牵头部门:区经信局、区发改局)".
    The clause takes them when it names none itself, and its other sub-items inherit them."""
    text_of = {s["section_id"]: s["text"] for s in sections}
    last_child: dict[str, str] = {}
    for s in sections:                       # sections come in document order
        if s.get("parent_id"):
            last_child[s["parent_id"]] = s["section_id"]
    out = dict(departments)
    for parent, child in last_child.items():
        if parent in out or child not in departments:
            continue
        text = text_of[child]
        closing = [r for r in rows if r["section_id"] == child and r.get("form") == "label"
                   and _AFTER_BRACKET.fullmatch(text, r["char_end"])]
        if closing:
            out[parent] = departments[child]
    return out


def _clause_departments(section: dict, sections: dict, departments: dict) -> dict[str, list[str]]:
    """The departments named in the clause, else in the nearest enclosing heading that names some."""
    node = section
    while node is not None:
        if node["section_id"] in departments:
            return departments[node["section_id"]]
        node = sections.get(node.get("parent_id")) if node.get("parent_id") else None
    return {}


def condition_of(statement: str, first_mention: int) -> str | None:
    """What is rewarded: the statement up to the words that start the award, when they come
    before its first figure ("对…首次取得…的药品,每个产品" in "…每个产品给予最高 100 万元资助")."""
    folded = fold(statement)
    # "按相关政策规定,对申报…的企业给予": the condition starts at its 对 when it has one.
    begin = folded.find("对", 0, first_mention)
    begin = max(begin, 0)
    match = AWARD_START.search(folded, begin + 1 if folded.startswith("对", begin) else begin, first_mention)
    text = statement[begin:match.start()] if match else ""
    text = text.strip().rstrip(",,")
    return text or None


def expiry_stated(doc: dict, ends_read: bool = True) -> str:
    """stated | derived (from 有效期为 N 年) | none_stated (the whole text, its closing block
    included, says nothing of it) | not_found (the text speaks of validity but no date was
    read, or the text is incomplete: partial, scanned, or cut before its closing block)."""
    if doc.get("expiry_date"):
        return "derived" if doc.get("expiry_derived") else "stated"
    if doc.get("partial") or doc.get("scanned_body") or not doc.get("text") or not ends_read:
        return "not_found"
    return "not_found" if VALIDITY_WORDS.search(doc["text"]) else "none_stated"


def _row(doc, section, sections, number, text, start, end, category, members, overall, departments, printed):
    statement = text[start:end]
    amounts = [r for k, r in members if k == "amounts"]
    rates = [r for k, r in members if k == "percentages"]

    def first(rows, purpose):
        return next((r for r in rows if r.get("purpose") == purpose), None)

    cap, fixed, unit = first(amounts, "subsidy_cap"), first(amounts, "subsidy_amount"), first(amounts, "subsidy_per_unit")
    rate = first(rates, "subsidy_rate") or first(rates, "tax_rate")
    page = min(r["page"] for _, r in members)
    parent = sections.get(section.get("parent_id")) if section.get("parent_id") else None
    roles = _clause_departments(section, sections, departments)
    frequency = next((r["frequency"] for r in amounts if r.get("frequency")), None)
    return {
        "edition": section["edition"],
        "incentive_id": f"{section['section_id']}#{number}" + (f"/{category}" if category else ""),
        "doc_id": section["doc_id"], "doc_seq": doc.get("seq"), "doc_title": doc.get("title"),
        "section_id": section["section_id"], "clause": section.get("label"), "clause_path": section["path"],
        "clause_title": section.get("title"), "heading_title": parent.get("title") if parent else None,
        "kind": "tax_rate" if rate is not None and rate.get("purpose") == "tax_rate" and not amounts else "subsidy",
        "statement": statement.strip(),
        "condition": condition_of(statement, min(r["char_start"] for _, r in members) - start),
        "category": category,
        "rate": rate.get("value") if rate else None, "rate_low": rate.get("low") if rate else None,
        "rate_high": rate.get("high") if rate else None, "rate_text": rate["text"] if rate else None,
        "rate_base": rate.get("base") if rate else None, "rate_bound": rate.get("bound") if rate else None,
        "cap_yuan": cap.get("value_yuan") if cap else None, "cap_text": cap["text"] if cap else None,
        "amount_yuan": fixed.get("value_yuan") if fixed else None, "amount_text": fixed["text"] if fixed else None,
        "per_unit_yuan": unit.get("value_yuan") if unit else None, "per_unit_text": unit["text"] if unit else None,
        "per_unit": (unit.get("per_unit") or _per_word(text, unit)) if unit else None,
        "overall_cap_yuan": overall[0].get("value_yuan") if overall else None,
        "overall_cap_text": overall[0]["text"] if overall else None,
        "frequency": frequency,
        "lead_departments": roles.get("lead", []), "cooperating_departments": roles.get("cooperating", []),
        "responsible_departments": roles.get("responsible", []),
        "effective_date": doc.get("effective_date"), "expiry_date": doc.get("expiry_date"),
        "expiry_stated": expiry_stated(doc, doc.get("_closed", True)),
        "page": page, "printed_page": printed.get(page),
        "amount_mentions": [r["mention_index"] for r in amounts] + [r["mention_index"] for r in overall],
        "percentage_mentions": [r["mention_index"] for r in rates],
    }


def _per_word(text: str, row: dict) -> str | None:
    """每亩补贴 10 元 -> 亩: the measure right after the nearest 每 before the amount."""
    m = regex.search(r"每\s*([^\s\d,,;;。的给予补贴奖励补助资助]{1,3}?)(?:给予|补贴|补助|奖励|资助|[\d\s])",
                     text[max(0, row["char_start"] - 12):row["char_start"]])
    return m[1] if m else None


def in_force(rows: list[dict], on: dt.date) -> list[dict]:
    """The incentives that applied on `on`: in effect by then (or no effective date read)
    and not expired before it (or no expiry: `expiry_stated` tells which kind of none)."""
    def applies(r):
        return ((r["effective_date"] is None or r["effective_date"] <= on)
                and (r["expiry_date"] is None or r["expiry_date"] >= on))
    return [r for r in rows if applies(r)]
