"""Other projects' money and percent test cases (tests/peer_cases/, see its README) run
against find_amounts and find_percentages: one test per case, plus the overall pass rate.

A case passes when the extractor finds what the peer expects: one value -> exactly one
mention with that value; a list -> the values of all mentions in text order; a range ->
one mention with those low/high; [] -> no mention. Cases we deliberately do not support
are listed in OUT_OF_SCOPE with the reason and must fail (strict xfail), so a fix shows up.
"""
import json
from decimal import Decimal
from pathlib import Path

import pytest

from pipeline.extract.amounts import find_amounts
from pipeline.extract.percentages import find_percentages

CASES_DIR = Path(__file__).parent / "peer_cases"

OUT_OF_SCOPE = {
    "10~15k元": "k (thousand) is web shorthand; policy text never uses it and data/numerals.json has no k",
}

TABLES = {  # file -> (finder, expected field, value / low / high fields of a row)
    "money": (find_amounts, "expected_yuan", ("value_yuan", "low_yuan", "high_yuan")),
    "percent": (find_percentages, "expected", ("value", "low", "high")),
}


def _load():
    for name, spec in TABLES.items():
        for line in (CASES_DIR / f"{name}.jsonl").read_text(encoding="utf-8").splitlines():
            if line.strip():
                yield name, json.loads(line)


def _id(name: str, text: str) -> str:
    text = " ".join(text.split())
    return f"{name}:{text[:40]}{'…' if len(text) > 40 else ''}"


def _d(x) -> Decimal:
    return Decimal(str(x))


def passes(name: str, case: dict) -> bool:
    finder, field, (value, low, high) = TABLES[name]
    rows, expected = finder(case["input"]), case[field]
    if expected == []:
        return rows == []
    if case["kind"] == "range":
        return [(r[low], r[high]) for r in rows] == [(_d(expected[0]), _d(expected[1]))]
    if isinstance(expected, list):
        return [r[value] for r in rows] == [_d(e) for e in expected]
    return [r[value] for r in rows] == [_d(expected)]


CASES = [
    pytest.param(name, case, id=_id(name, case["input"]),
                 marks=[pytest.mark.xfail(strict=True, reason=OUT_OF_SCOPE[case["input"]])]
                 if case["input"] in OUT_OF_SCOPE else [])
    for name, case in _load()
]


@pytest.mark.parametrize("name, case", CASES)
def test_peer_case(name, case):
    finder, field, _ = TABLES[name]
    assert passes(name, case), f"{case['input']!r}: expected {case[field]!r} ({case['kind']}), got " + repr(
        [(r["text"], *(str(r[k]) for k in TABLES[name][2])) for r in finder(case["input"])])


def test_out_of_scope_names_real_cases():
    inputs = {case["input"] for _, case in _load()}
    assert set(OUT_OF_SCOPE) <= inputs


def test_pass_rate():
    """Every in-scope case passes; the rates are printed for the report (pytest -s)."""
    lines, failed = [], []
    for name in TABLES:
        cases = [c for n, c in _load() if n == name]
        in_scope = [c for c in cases if c["input"] not in OUT_OF_SCOPE]
        ok = [c for c in in_scope if passes(name, c)]
        failed += [c["input"] for c in in_scope if not passes(name, c)]
        lines.append(f"{name}: {len(ok)}/{len(in_scope)} in scope pass, "
                     f"{len(cases) - len(in_scope)} out of scope, {len(ok)}/{len(cases)} overall")
    print("\npeer cases: " + "; ".join(lines))
    assert not failed, failed
