"""Other projects' date cases (tests/peer_cases/date.jsonl, see its README) through find_dates.

One case per line. `expected` is one ISO value, a list of values ([] = no mention), or
for kind "range" the [start, end] of one mention, which find_dates writes "start/end".
"""
import json
from pathlib import Path

import pytest

from pipeline.extract.dates import find_dates

PEER_FILE = Path(__file__).parent / "peer_cases" / "date.jsonl"

# Cases we do not support on purpose, with the reason. Each runs as xfail(strict=True),
# so supporting one later shows up as a failure to clean this table.
OUT_OF_SCOPE = {
    "1789-01-29": "a year must be 19xx or 20xx: policy text has no earlier dates, and the bound keeps "
                  "numbers such as 1000-2000 or 36073-2018 from reading as dates",
    "1357年6月10日": "a year must be 19xx or 20xx (see 1789-01-29)",
}

# Mentions we find that the peer leaves out of `expected` on purpose (its note says so).
EXTRA_MENTIONS = {
    "显示 2010 年至 2018 年或 2000 年之前的销售额": ["2000"],  # '2000 年之前': a second mention
}

PRECISIONS = {"date": {"day"}, "month": {"month"}, "year": {"year"}, "range": {"range", "year_range"}}


def _cases():
    lines = [json.loads(line) for line in PEER_FILE.read_text("utf-8").splitlines() if line.strip()]
    for number, peer in enumerate(lines, 1):
        marks = ()
        if peer["input"] in OUT_OF_SCOPE:
            marks = pytest.mark.xfail(strict=True, reason=OUT_OF_SCOPE[peer["input"]])
        yield pytest.param(peer, id=f"{number:03d}-{peer['kind']}-{peer['input'][:16]}", marks=marks)


def expected_values(peer: dict) -> list[str]:
    expected = peer["expected"]
    if peer["kind"] == "range":
        values = ["/".join(expected)]
    else:
        values = [expected] if isinstance(expected, str) else list(expected)
    return values + EXTRA_MENTIONS.get(peer["input"], [])


@pytest.mark.parametrize("peer", list(_cases()))
def test_peer_date_case(peer):
    found = find_dates(peer["input"])
    assert [r["value"] for r in found] == expected_values(peer)
    if peer["kind"] in PRECISIONS:
        assert found[0]["precision"] in PRECISIONS[peer["kind"]]


def test_out_of_scope_table_names_real_cases():
    inputs = {json.loads(line)["input"] for line in PEER_FILE.read_text("utf-8").splitlines() if line.strip()}
    assert set(OUT_OF_SCOPE) <= inputs and set(EXTRA_MENTIONS) <= inputs
