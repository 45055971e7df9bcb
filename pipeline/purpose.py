"""What each amount and percentage is for: subsidy cap, subsidy rate, per-unit subsidy,
eligibility threshold, target, tax rate, fund or investment scale — or `other`.

A pure function of the mention and the clause and sentence around it, driven by the
ordered rules in pipeline/data/purpose.json (each with a real example). The first rule
whose every test holds wins; when none does the answer is `other`, never a guess.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from . import patterns
from .text import fold

RULES_FILE = Path(__file__).parent / "data" / "purpose.json"
PURPOSES = ["subsidy_cap", "subsidy_rate", "subsidy_per_unit", "subsidy_amount", "eligibility_threshold",
            "target", "tax_rate", "investment_or_fund_scale", "other"]
# A clause ends at , ; 。 : or a paragraph break; 、 does not end it, so the amounts of
# 分别为 600 万元、1200 万元、3000 万元资金支持 share the clause that names the support.
CLAUSE_END = ",,;;。::!?!?\n"
PERIOD_END = "。!?!?\n"
CONTEXTS = ("before", "after", "clause", "period_before", "paragraph_before", "sentence")


@lru_cache(maxsize=1)
def rules() -> list[dict]:
    """The rules with their patterns compiled; `award` and `measure_units` are named sub-patterns."""
    data = json.loads(RULES_FILE.read_text("utf-8"))
    names = {"award_noun": data["award_noun"], "award": data["award"], "measure_units": data["measure_units"]}
    out = []
    for rule in data["rules"]:
        compiled = dict(rule)
        for key in CONTEXTS + tuple(f"not_{c}" for c in CONTEXTS):
            if key in rule:
                pattern = rule[key]
                for name, sub in names.items():
                    pattern = pattern.replace(name, f"(?:{sub})")
                compiled[key] = patterns.compile(pattern)
        out.append(compiled)
    return out


def contexts(text: str, start: int, end: int) -> dict[str, str]:
    """The texts the rules look at around text[start:end] (half-width folded)."""
    return _contexts(fold(text), start, end)


def _contexts(text: str, start: int, end: int) -> dict[str, str]:
    """`contexts` of a text already folded (fold keeps offsets)."""
    clause_start, clause_end = _start(text, start, CLAUSE_END), _end(text, end, CLAUSE_END)
    period_start, period_end = _start(text, start, PERIOD_END), _end(text, end, PERIOD_END)
    before, after = text[clause_start:start], text[end:clause_end]
    return {"before": before, "after": after, "clause": before + "\u2026" + after,
            "period_before": text[period_start:start],
            "paragraph_before": text[_start(text, start, "\n"):start],
            "sentence": text[period_start:start] + text[end:period_end]}


def _start(text: str, at: int, stops: str) -> int:
    """Just after the last of `stops` before `at` (0 when none)."""
    return max(text.rfind(ch, 0, at) for ch in stops) + 1


def _end(text: str, at: int, stops: str) -> int:
    """The first of `stops` from `at` on (the end of text when none)."""
    found = [i for i in (text.find(ch, at) for ch in stops) if i >= 0]
    return min(found) if found else len(text)


def classify(kind: str, context: dict[str, str], bound: str | None = None, per_unit: str | None = None) -> str:
    """The purpose of one mention of `kind` ('amount' | 'percentage') in `context`."""
    for rule in rules():
        if kind not in rule["kinds"]:
            continue
        if "bound" in rule and bound not in rule["bound"]:
            continue
        if rule.get("per_unit") and not per_unit:
            continue
        if all(rule[c].search(context[c]) for c in CONTEXTS if c in rule) and not any(
                rule[f"not_{c}"].search(context[c]) for c in CONTEXTS if f"not_{c}" in rule):
            return rule["purpose"]
    return "other"


def purpose_of(row: dict, text: str) -> str:
    """Purpose of an amounts or percentages row whose section text is `text`."""
    return _purpose(row, fold(text))


def _purpose(row: dict, folded: str) -> str:
    kind = "amount" if "value_yuan" in row else "percentage"
    return classify(kind, _contexts(folded, row["char_start"], row["char_end"]), row.get("bound"), row.get("per_unit"))


def add_purpose(rows: list[dict], sections: list[dict]) -> list[dict]:
    """Set `purpose` on amounts / percentages rows in place (and return them).

    `sections` are the sections rows (section_id, text): the rules read the mention's
    clause, which the row's `sentence` alone may cut short.
    """
    text_of = {s["section_id"]: s["text"] for s in sections}
    # Each section folded once, not once per mention: a long section holds dozens of
    # mentions (500-page bench print: 0.62 s CPU -> 0.02 s).
    folded: dict[str, str] = {}
    for row in rows:
        text = text_of.get(row["section_id"])
        if text is None:   # no section text: fall back to the sentence
            text = row.get("sentence") or row["text"]
            at = text.find(row["text"])
            start, end = (at, at + len(row["text"])) if at >= 0 else (0, 0)
            row["purpose"] = classify("amount" if "value_yuan" in row else "percentage",
                                      contexts(text, start, end), row.get("bound"), row.get("per_unit"))
        else:
            if row["section_id"] not in folded:
                folded[row["section_id"]] = fold(text)
            row["purpose"] = _purpose(row, folded[row["section_id"]])
    return rows
