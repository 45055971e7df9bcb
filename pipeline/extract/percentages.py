"""Percentages and their relatives in policy text, as exact fractions.

"40%" and "百分之四十" are Decimal('0.4'); "千分之2.4" (per_n) is 0.0024; "5个百分点"
(percentage_point) is 0.05; "三成" (cheng, tenths) is 0.3; "八五折" (discount_zhe,
the share of the price paid) is 0.85; "按 1:0.5 比例配套" (ratio, the share matched)
is 0.5. Ranges ("30%—50%", "30-50%") are one row with low/high. A subsidy rate is
only half a fact without what it is a rate of, so `base` keeps the noun phrase right before it ("不超过研发投入 40%" -> 研发投入).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

import regex

from .. import patterns
from ..numbers import FORMAL_CHARS, NUMBER, NUMBER_FIRST, SP, parse_number, scale_value
from . import qualifiers as q
from .qualifiers import DIGIT_CHARS, MULTIPLIERS, RANGE_SEP, START

_BASE = q.DATA["percent_base"]
_D = rf"[0-9{DIGIT_CHARS}]"
_DEN = rf"[{MULTIPLIERS}](?:{SP}[{MULTIPLIERS}])*"
_NUM = rf"(?>{NUMBER})"  # atomic: a numeral that is not followed by % is not retried shorter
_AT = rf"{START}(?<![{DIGIT_CHARS}{MULTIPLIERS}])"  # the start of a numeral, not its middle
_SIGN = rf"(?:(?<![0-9A-Za-z.%)])(?P<sign>-|负){SP})?"  # -22.2%, 负3.9%; not the - of a range

# Each form: (name, pattern, comment). They are tried as one alternation, in this order.
# Group names repeat across forms (the regex module allows it); each form has one reader.
_FORMS = [
    ("per_n", rf"""
        (?:(?P<sign>负){SP})?
        (?<![0-9{DIGIT_CHARS}{MULTIPLIERS}]) (?P<den>(?>{_DEN})) {SP} 分 {SP} 之 {SP} (?P<num>{NUMBER}|百)
     """, "百分之五十, 千分之2.4, 百万分之五, 百分之百, 负千分之15; not 二十分之一 (a fraction)"),
    ("point", rf"""
        {_AT} (?P<num>{_NUM}) {SP} 个 {SP} 百 {SP} 分 {SP} 点
     """, "5个百分点, 零点五个百分点"),
    ("percent", rf"""
        {_AT} (?:(?P<lo>{_NUM}) {SP} [%‰]? {RANGE_SEP})? {_SIGN} (?P<num>{_NUM}) {SP} (?P<symbol>[%‰‱])
     """, "40%, -22.2%, 负3.9%, the ranges 30%—50%, 30-50%; 1‰ (per mille), 2.5‱ (per ten thousand)"),
    ("cheng", rf"""
        {_AT} (?P<num>{_NUM}|半) {SP} 成
        (?: (?P<half>半) | {SP} (?P<extra>{_D}) (?![0-9{DIGIT_CHARS}{MULTIPLIERS}]) )?
        (?!{q.alternation(q.DATA['cheng_not']['words'])})
     """, "三成, 9.5成, 三成半, 七成 六 (tenths); not 一成不变, 3 成员"),
    ("ratio", rf"""
        (?<![0-9.:∶]) (?P<ra>[0-9]+(?:\.[0-9]+)?) {SP} [:∶] {SP} (?P<rb>[0-9]+(?:\.[0-9]+)?) (?![0-9.:∶])
        (?= {SP} (?:的 {SP})? (?:比例|配套|匹配) )
     """, "1:1 比例配套, 1∶0.5的比例 (the matching share, b/a: 0.5); not 10:30, nor a ratio no 比例/配套 follows"),
    ("zhe", rf"""
        (?: {_AT} (?<![0-9]{SP}) (?P<spaced>(?>[0-9](?:{SP}[0-9])+)) | {_AT} (?P<num>{_NUM}) | (?P<word>对|半) )
        {SP} 折 (?!{q.alternation(q.DATA['zhe_not']['words'])})
     """, "八五折, 9.9折, 7 2 折, 对折 (the share paid); not 折旧, 折算"),
]
# Every form starts with a numeral character (NUMBER_FIRST), a sign, 半 or 对 (对折). Saying so in a
# lookahead changes no match but lets the engine skip every other position at once:
# on a 500-page edition the scan took 0.84 s CPU without it, 0.04 s with it.
_FIRST = rf"(?=[{NUMBER_FIRST}\-负半对])"
_PATTERN = patterns.compile(_FIRST + "(?:" + "|".join(f"(?P<{name}>{pattern})" for name, pattern, _ in _FORMS) + ")",
                         regex.VERBOSE)
_FORMAL = patterns.compile(f"[{FORMAL_CHARS}]")
_HAN_BEFORE = patterns.compile(r"\p{Han}$")
_TWO_DIGITS = patterns.compile(rf"[0-9{DIGIT_CHARS}]{{2}}")
_URL = patterns.compile(r"(?:https?://|www\.)[!-~]+")
_TRIGGER = patterns.compile(rf"(?:{q.alternation(_BASE['triggers'])})(?<!其)|其(?!中|他|它|余|次|实)")  # not 其中, 其他
_RECIPIENT = patterns.compile(q.alternation(_BASE["recipients"]))
_LEADING_BOUND = patterns.compile(
    rf"^(?:{q.alternation([*q.BOUND_WORDS, '其', '的'])}|{SP})+")
_JOIN = patterns.compile(rf"{SP}(?:、|和|及|或){SP}")
_RANGE_SEP = patterns.compile(RANGE_SEP)
_DIGIT_OR_PERCENT = patterns.compile(r"[0-9%]")


@dataclass
class _Pct:
    start: int
    end: int
    kind: str
    value: Decimal | None
    low: Decimal | None = None
    high: Decimal | None = None


def _number(text: str) -> tuple[Decimal, int] | None:
    """Value of the longest valid numeral at the start of `text`, and its length.

    NUMBER matches greedily ("百分之七十百分位" gives "七十百"); the reading stops
    where parse_number stops agreeing.
    """
    for k in range(min(len(text), 60), 0, -1):
        if text[k - 1].strip() and (v := parse_number(text[:k])) is not None:
            return v, k
    return None


def _signed(m: regex.Match, value: Decimal) -> Decimal:
    return -value if m["sign"] else value


def _start(m: regex.Match) -> int:
    """A mention starts at its sign, else at its number (the pattern may begin earlier)."""
    return m.start("sign") if m["sign"] else m.start("num")


def _read_per_n(m: regex.Match) -> _Pct | None:
    den = 1
    for ch in m["den"].replace(" ", ""):
        den *= scale_value(ch)  # 百万万分之七: 100 * 10^4 * 10^4
    got = (Decimal(100), 1) if m["num"] == "百" else _number(m["num"])
    if not got:
        return None
    end = m.start("num") + got[1]
    return _Pct(m.start(), end, "percent" if den == 100 else "per_n", _signed(m, got[0]) / den)


def _read_point(m: regex.Match) -> _Pct | None:
    return _Pct(m.start(), m.end(), "percentage_point", parse_number(m["num"]) / 100)


_PER = {"%": (100, "percent"), "‰": (1000, "per_n"), "‱": (10000, "per_n")}


def _read_percent(m: regex.Match) -> _Pct | None:
    value = parse_number(m["num"])
    if value is None:
        return None
    value = _signed(m, value)
    per, kind = _PER[m["symbol"]]
    if m["lo"] is not None and (low := parse_number(m["lo"])) is not None and low <= value:
        return _Pct(m.start(), m.end(), kind, None, low / per, value / per)
    return _Pct(_start(m), m.end(), kind, value / per)


def _inside_word(m: regex.Match) -> bool:
    """A formal numeral glued to the character before it is part of a word: 队伍成建制, 大陆成为."""
    return bool(_FORMAL.match(m["num"] or "")) and _HAN_BEFORE.search(m.string, 0, m.start("num")) is not None


def _read_cheng(m: regex.Match) -> _Pct | None:
    if _inside_word(m):
        return None
    value = Decimal(1) / 2 if m["num"] == "半" else parse_number(m["num"])
    if value is None or value > 10:
        return None
    value = value / 10 + (Decimal("0.05") if m["half"] else 0)
    if m["extra"]:
        value += parse_number(m["extra"]) / 100
    return _Pct(m.start(), m.end(), "cheng", value)


def _read_zhe(m: regex.Match) -> _Pct | None:
    if m["word"]:
        return _Pct(m.start(), m.end(), "discount_zhe", Decimal("0.5"))
    digits = (m["spaced"] or m["num"]).replace(" ", "")
    value = parse_number(digits)
    if value is None or _inside_word(m):
        return None
    # Two digits read digit by digit are hundredths: 75折, 七五折, 三八折; one digit tenths: 九折, 9.9折.
    if _TWO_DIGITS.fullmatch(digits):
        value /= 100
    elif value <= 10:
        value /= 10
    else:
        return None
    return _Pct(m.start(), m.end(), "discount_zhe", value)


def _read_ratio(m: regex.Match) -> _Pct | None:
    """A matching ratio a:b, as the share b/a that the second party puts in: 1:0.5 -> 0.5."""
    a, b = Decimal(m["ra"]), Decimal(m["rb"])
    return _Pct(m.start(), m.end(), "ratio", b / a) if a else None


_READERS = {"per_n": _read_per_n, "point": _read_point, "percent": _read_percent,
            "ratio": _read_ratio, "cheng": _read_cheng, "zhe": _read_zhe}


def _read(m: regex.Match) -> _Pct | None:
    return _READERS[next(name for name, _, _ in _FORMS if m[name] is not None)](m)


def base_before(text: str, start: int) -> str | None:
    """What a percentage at `start` is a percentage of, if named right before it.

        给予其采购金额 20%                    -> 采购金额
        按照最高不超过其实际固定资产投资总额的 20% -> 实际固定资产投资总额
        给予经营正常的进驻主体场租费 50%        -> 场租费 (modifier and recipient dropped)
        土地规模经营比例达到 70%                -> None (no trigger: 比例 is the subject)
    """
    lead = text[q.clause_start(text, start):start].rstrip()
    lead = lead[:-1] if lead.endswith("的") else lead
    last = None
    for last in _TRIGGER.finditer(lead):
        pass
    if last is None:
        return None
    base = _LEADING_BOUND.sub("", lead[last.end():]).strip()
    base = base.rsplit("的", 1)[-1]
    for r in _RECIPIENT.finditer(base):
        if r.end() < len(base) - 1:
            base = base[r.end():]
            break
    if len(base) < 2 or len(base) > 25 or _DIGIT_OR_PERCENT.search(base):
        return None
    return base


def find_percentages(text: str) -> list[dict]:
    """Percent-like mentions in `text`, in order, as rows (see schemas/percentages.json)."""
    return [dict(row) for row in percentage_rows(text)]


@lru_cache(maxsize=4)
def percentage_rows(text: str) -> tuple[dict, ...]:
    """find_percentages, kept for the last few texts: find_quantities needs the same spans."""
    folded = q.fold(text)
    urls = [m.span() for m in _URL.finditer(folded)]
    found: list[_Pct] = []
    for m in _PATTERN.finditer(folded):
        if any(s <= m.start() < e for s, e in urls):
            continue  # percent-encoding: %28, %20
        if q.CUT_SHORT.match(folded, m.end()):
            continue  # 百分之一百二十|点五: the decimals were not read
        if (p := _read(m)) is not None:
            prev = found[-1] if found else None
            if (prev and prev.kind == p.kind and prev.value is not None and p.value is not None
                    and prev.value <= p.value and _RANGE_SEP.fullmatch(folded[prev.end:p.start])):
                found[-1] = _Pct(prev.start, p.end, p.kind, None, prev.value, p.value)  # 百分之三十至百分之五十
            else:
                found.append(p)
    rows = []
    head_bound = head_base = None
    prev_end = None
    for p in found:
        after, end = q.bound_after(folded, p.end)
        if prev_end is None or not _JOIN.fullmatch(folded[prev_end:p.start]):
            head_bound, head_base = q.bound_before(folded, p.start), base_before(folded, p.start)
        prev_end = end
        ranged = p.value is None
        rows.append({
            "char_start": p.start, "char_end": p.end, "text": text[p.start:p.end],
            "value": None if ranged else q.tidy(p.value),
            "low": q.tidy(p.low) if ranged else None, "high": q.tidy(p.high) if ranged else None,
            "bound": "range" if ranged else (after or head_bound or "exact"),
            "base": head_base, "kind": p.kind,
        })
    return tuple(rows)
