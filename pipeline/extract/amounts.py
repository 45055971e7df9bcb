"""Money amounts (元) and counted quantities (亩, 个, 年 …) in policy text.

Both are a number, maybe a scale, and a unit: "600 万元", "194.56 万亩". Numbers
are found and valued by pipeline.numbers only; this module adds the units, the
ways several numbers share one unit, and the qualifiers around them:

- ranges: "100-200 万元", "100 万元至 200 万元", "一百二十到一百五十万元";
- lists with the unit written once: "600、1200、3000 万元" (three amounts);
- 分别 lists: "分别给予一次性 10 万元、30 万元、50 万元" after "市级、省级、国家级…";
- bounds, frequency and rates from data/qualifiers.json (via .qualifiers).

余/多 ("二百余万元") say "a little more than": value_yuan and low_yuan are the printed
number, high_yuan stays None and bound is "approx" (the peers agree on no upper end).

Rows are plain dicts with offsets into the text as given; values are Decimal.
"""
from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from itertools import accumulate

import regex

from .. import patterns
from ..numbers import NUMBER, NUMBER_FIRST, parse_number, scale_value
from . import qualifiers as q
from .qualifiers import DIGIT_CHARS, MULTIPLIERS, RANGE_SEP, SP, START

_MONEY = q.DATA["money_units"]
_QTY = q.DATA["quantity_units"]
_D = rf"[0-9{DIGIT_CHARS}]"  # one digit of 角 / 分
_CD = rf"[{DIGIT_CHARS}]"
_SCALE = rf"(?:{q.alternation(q.DATA['scale_words']['words'])})"
FUZZY = q.words(q.DATA["fuzzy"])


def _fuzzy(units: str) -> str:
    """余/多 between number and unit: 二百余万元, 3000多万元 (never at the end: 多元化)."""
    return rf"(?:{SP}(?P<fuzzy>{q.alternation(FUZZY)})(?:{SP}(?P<scale>{_SCALE}))?(?={SP}(?:{units})))?"


_MONEY_UNITS = q.alternation(_MONEY["units"])
_NOT_FEN = q.alternation(_MONEY["not_fen_after"])
# 角/毛 and 分 after 元/块: one concept (the sub-unit), so one pair of group names,
# jiao (tenths) and fen (hundredths), shared by the forms (the regex module allows it).
_SUB_UNIT_FORMS = [
    (rf"{SP}(?P<jiao>{_D}){SP}[角毛](?:{SP}零?{SP}(?P<fen>{_D})(?:{SP}分)?)?", "五元三毛, 50元6角三分"),
    (rf"{SP}零{SP}(?P<fen>{_D})(?:{SP}分)?", "三块零四 (4 分)"),
    (rf"{SP}(?P<fen>{_D}){SP}分(?!{_NOT_FEN})", "三块四分; not 5元分别, 3元分钟"),
    (rf"(?<=块)(?P<jiao>{_CD})(?![0-9{DIGIT_CHARS}{MULTIPLIERS}角毛分])", "一块二 (2 角)"),
]
_SUB_UNIT = "|".join(f"(?:{pattern})" for pattern, _ in _SUB_UNIT_FORMS)
# The lookaheads (?=[…]) name the first characters of the match (pipeline.numbers.NUMBER_FIRST):
# both scans together took 0.20 s CPU on a 500-page edition without them, 0.02 s with them.
_PRE_FIRST = regex.escape("".join(sorted({w[0] for w in _MONEY["prefixes"]})))
_MONEY_ATOM = patterns.compile(rf"""
    (?=[{NUMBER_FIRST}{_PRE_FIRST}])
    (?:(?P<pre>{q.alternation(_MONEY['prefixes'])}){SP})?      # ￥300, 人民币 50元
    {START} (?P<num>{NUMBER}) {_fuzzy(_MONEY_UNITS)}          # 600 万 / 二百余万
    (?: {SP} (?P<unit>{_MONEY_UNITS}) (?!{q.alternation(_MONEY['not_money_after'])})   # 元; not 一元化
        (?P<sub>{_SUB_UNIT})?                                 # 五元三毛
        (?:{SP}(?P<tail>钱|整))? (?:{SP}人民币)?               # 三块钱, 100元整
        (?:{SP}/{SP}(?P<per>平方米|人次|(?!年)\p{{Han}}))?      # 3元/平方米 (but 10万元/年 is a frequency)
    )?
    """, regex.VERBOSE)
# "工业产值亿元以上的…企业": a scale word with no digit means one of it.
_BARE_SCALE = patterns.compile(
    rf"(?<![0-9.{DIGIT_CHARS}{MULTIPLIERS}]{SP})(?P<scale>{q.alternation(_MONEY['bare_scales'])})元"
    rf"(?={SP}(?:\(含\){SP})?(?:以上|及以上))"
)
_KUAI_OK = patterns.compile(rf"{SP}(?:[^\p{{Han}}]|{q.alternation(_MONEY['kuai_followers'])}|$)")
# 三五百块 = 300 to 500, 四五千块 = 4000 to 5000: two rising digits before a multiplier.
_NEIGHBOURS = patterns.compile(rf"(?P<a>{_CD})(?P<b>{_CD})(?P<mul>[{MULTIPLIERS}]+)")
_TRAILING_SCALE = patterns.compile(rf"(?:{SP}[万亿])+$")

_QTY_UNITS = q.alternation(_QTY["units"])
_QTY_ATOM = patterns.compile(
    rf"(?=[{NUMBER_FIRST}]){START}(?P<num>{NUMBER}){_fuzzy(_QTY_UNITS)}"
    rf"(?:{SP}(?P<unit>{_QTY_UNITS}))?"
)
_YEAR = patterns.compile(r"(?:19|20)[0-9]{2}")
_POINTS = patterns.compile(rf"{SP}百{SP}分{SP}点")
_ORDINAL = patterns.compile(rf"第{SP}$")
_DATE_AFTER = patterns.compile(rf"{SP}[0-9{DIGIT_CHARS}十]+{SP}月")
_RATIO = patterns.compile(
    rf"(?:{q.alternation(_QTY['unitless_subjects'])})(?:{SP}(?:{q.alternation(_QTY['ratio_verbs'])}))?{SP}"
    rf"(?P<num>[0-9]+(?:\.[0-9]+)?)(?![0-9.%])(?!{SP}\p{{Han}})"
)
_TIMES = set(_QTY["durations"])
_RECENT = patterns.compile(rf"近{SP}$")
_JOIN = patterns.compile(rf"{SP}(?:、|和|及|或){SP}")
_LIST_SEP = patterns.compile(rf"{SP}、{SP}")
_RANGE_SEP = patterns.compile(RANGE_SEP)
_SCALE_CHAR = patterns.compile("[万亿]")


@dataclass
class _Atom:
    start: int
    end: int
    num: str  # the numeral as printed
    value: Decimal | None  # with scale and sub-units; None when low/high hold a range
    unit: str | None  # None: a bare number, which may borrow the unit of its neighbour
    fuzzy: str | None = None  # 余 / 多
    per: str | None = None
    low: Decimal | None = None  # 三五百块 reads as a range by itself
    high: Decimal | None = None


@dataclass
class _Mention:
    start: int
    end: int
    value: Decimal | None
    unit: str | None
    low: Decimal | None = None
    high: Decimal | None = None
    fuzzy: str | None = None
    per: str | None = None
    bound: str | None = None  # set by the finder for forms with a built-in bound


def _split_scale(num: str) -> tuple[str, int]:
    """'一百五十万' -> ('一百五十', 10000): the trailing 万/亿 that a bare neighbour may share."""
    m = _TRAILING_SCALE.search(num)
    if not m or m.start() == 0:
        return num, 1
    return num[:m.start()], scale_value(m.group())


def _borrow(bare: _Atom, partner: _Atom) -> Decimal | None:
    """Value of a bare number that shares its partner's 万/亿: "100-200 万元", "600、1200、3000 万元"."""
    if bare.value is None:
        return None
    mantissa, scale = _split_scale(partner.num)
    if _SCALE_CHAR.search(bare.num) or scale == 1:
        return bare.value
    mantissa_value = parse_number(mantissa)
    if mantissa_value is not None and bare.value > mantissa_value:
        return bare.value  # "5千-1万元": 5千 is already in 元
    return bare.value * scale


def _money_atoms(text: str) -> list[_Atom]:
    atoms = []
    for m in _MONEY_ATOM.finditer(text):
        num, unit, pre = m["num"], m["unit"], m["pre"]
        if q.CUT_SHORT.match(text, m.end("num")):
            continue
        low = high = None
        value = parse_number(num)
        if value is None and (nb := _NEIGHBOURS.fullmatch(num.replace(" ", ""))):
            low, high = parse_number(nb["a"] + nb["mul"]), parse_number(nb["b"] + nb["mul"])
            if low is None or high is None or low >= high:
                continue
        elif value is None:
            continue
        if unit == "块" and not (m["sub"] or m["tail"]) and not _KUAI_OK.match(text, m.end()):
            unit = None  # 两块牌子: a measure word
        if not unit and not pre:
            atoms.append(_Atom(m.start("num"), m.end("num"), num, value, None))
            continue
        if not unit:  # ￥300, 人民幣3.14
            atoms.append(_Atom(m.start(), m.end("num"), num, value, "元"))
            continue
        mult = scale_value(m["scale"] or "")
        sub = Decimal(0)
        for name, unit_value in (("jiao", "0.1"), ("fen", "0.01")):
            if m[name]:
                sub += parse_number(m[name]) * Decimal(unit_value)
        value = None if value is None else value * mult + sub
        if low is not None:
            low, high = low * mult, high * mult
        atoms.append(_Atom(m.start(), m.end(), num, value, "元", m["fuzzy"], m["per"], low, high))
    return atoms


def _combine(text: str, atoms: list[_Atom]) -> list[_Mention]:
    """Ranges and unit-once lists out of neighbouring atoms; bare numbers left alone are dropped."""
    out: list[_Mention] = []
    i = 0
    while i < len(atoms):
        a = atoms[i]
        b = atoms[i + 1] if i + 1 < len(atoms) else None
        if b and b.unit and not a.fuzzy and a.low is None and _RANGE_SEP.fullmatch(text[a.end:b.start]):
            low = a.value if a.unit else _borrow(a, b)
            high = b.value
            if low is not None and high is not None and low <= high and b.low is None:
                out.append(_Mention(a.start, b.end, None, b.unit, low, high, per=b.per, bound="range"))
                i += 2
                continue
        j = i
        while j + 1 < len(atoms) and not atoms[j].unit and _LIST_SEP.fullmatch(text[atoms[j].end:atoms[j + 1].start]):
            j += 1
        if j > i and not atoms[j].unit:
            i = j  # a run of bare numbers with no unit to share: 1、2、3
            continue
        if j > i:
            for bare in atoms[i:j]:
                out.append(_Mention(bare.start, bare.end, _borrow(bare, atoms[j]), atoms[j].unit, per=atoms[j].per))
            a, i = atoms[j], j
        if a.unit:
            if a.low is not None:
                out.append(_Mention(a.start, a.end, None, a.unit, a.low, a.high, per=a.per, bound="range"))
            else:
                out.append(_Mention(a.start, a.end, a.value, a.unit, fuzzy=a.fuzzy, per=a.per))
        i += 1
    return out


def _groups(text: str, mentions: list[_Mention]) -> list[list[tuple[_Mention, str | None, int]]]:
    """Runs of mentions joined by 、/和/及, each mention with its own trailing bound."""
    groups: list[list] = []
    prev_end = None
    for m in mentions:
        after, end = q.bound_after(text, m.end)
        if prev_end is not None and _JOIN.fullmatch(text[prev_end:m.start]):
            groups[-1].append((m, after, end))
        else:
            groups.append([(m, after, end)])
        prev_end = end
    return groups


def _bound(m: _Mention, after: str | None, before: str | None) -> str:
    return m.bound or after or FUZZY.get(m.fuzzy) or before or "exact"


def _value_fields(m: _Mention) -> tuple:
    if m.bound == "range":
        return None, q.tidy(m.low), q.tidy(m.high)
    value = q.tidy(m.value)
    return value, (value if m.fuzzy else None), None


def find_amounts(text: str) -> list[dict]:
    """Money mentions in `text`, in order, as rows (see schemas/amounts.json)."""
    return [dict(row) for row in _amount_rows(text)]


@lru_cache(maxsize=4)
def _amount_rows(text: str) -> tuple[dict, ...]:
    """find_amounts, kept for the last few texts: find_quantities needs the same spans."""
    folded = q.fold(text)
    mentions = _combine(folded, _money_atoms(folded))
    for m in _BARE_SCALE.finditer(folded):
        mentions.append(_Mention(m.start(), m.end(), Decimal(scale_value(m["scale"])), "元"))
    mentions.sort(key=lambda m: m.start)
    rows = []
    for group in _groups(folded, mentions):
        head = group[0][0]
        before = q.bound_before(folded, head.start)
        freq = q.frequency(folded, head.start, head.end)
        per = q.per_unit_before(folded, head.start)
        lead = folded[q.clause_start(folded, head.start):head.start]
        # "分别给予 10 万元、20 万元一次性奖励": a frequency after the list is every member's
        tail_freq = q.frequency_after(folded, group[-1][2]) or q.frequency_after(folded, group[-1][0].end)
        cats = None
        if (k := lead.rfind("分别")) >= 0:
            cats = q.pair_categories(folded, head.start - len(lead) + k, len(group))
        for index, (m, after, _end) in enumerate(group):
            value, low, high = _value_fields(m)
            own = q.bound_adjacent(folded, m.start) if index else None
            rows.append({
                "char_start": m.start, "char_end": m.end, "text": text[m.start:m.end],
                "value_yuan": value, "low_yuan": low, "high_yuan": high,
                "bound": _bound(m, after, own or before),
                "per_unit": m.per or per,
                "frequency": freq or q.frequency_after(folded, m.end) or tail_freq,
                "category": cats[index] if cats else None,
            })
    return tuple(rows)


def _quantity_atoms(text: str) -> list[_Atom]:
    atoms = []
    for m in _QTY_ATOM.finditer(text):
        num, unit = m["num"], m["unit"]
        value = parse_number(num)
        if value is None or not num[0].isdigit():
            continue  # Chinese numerals here are names: 一核四园, 三品一标, 两进两回
        if _ORDINAL.search(text, max(0, m.start() - 3), m.start()):
            continue  # 第 6 版: an ordinal
        if unit == "年" and (_YEAR.fullmatch(num) or _DATE_AFTER.match(text, m.end())):
            unit = None  # 2025 年 is a date, 3 年 a duration
        if unit == "个" and _POINTS.match(text, m.end()):
            continue  # 5 个百分点 is a percentage
        if unit:
            value *= scale_value(m["scale"] or "")
            atoms.append(_Atom(m.start(), m.end(), num, value, unit, m["fuzzy"]))
        else:
            atoms.append(_Atom(m.start(), m.end("num"), num, value, None))
    return atoms


def find_quantities(text: str) -> list[dict]:
    """Counted quantities with a unit (亩, 个, 年 as a duration …), money and percentages excluded."""
    from .percentages import percentage_rows

    folded = q.fold(text)
    taken = sorted((r["char_start"], r["char_end"]) for r in [*_amount_rows(text), *percentage_rows(text)])
    ends = list(accumulate((e for _, e in taken), max))

    def free(start: int, end: int) -> bool:
        """No money or percentage mention overlaps [start, end)."""
        i = bisect_left(taken, (end,))  # mentions starting before `end`
        return i == 0 or ends[i - 1] <= start

    atoms = [a for a in _quantity_atoms(folded) if free(a.start, a.end)]
    mentions = _combine(folded, atoms)
    for m in _RATIO.finditer(folded):  # 农产品加工业与农业总产值比值达到 3.5
        if free(m.start("num"), m.end("num")):
            mentions.append(_Mention(m.start("num"), m.end("num"), Decimal(m["num"]), None))
    mentions.sort(key=lambda m: m.start)
    rows = []
    for group in _groups(folded, mentions):
        before = q.bound_before(folded, group[0][0].start)
        for index, (m, after, _end) in enumerate(group):
            value, low, high = _value_fields(m)
            own = (q.bound_adjacent(folded, m.start) if index else None) or before
            if own == "approx" and m.unit in _TIMES and _RECENT.search(folded[max(0, m.start - 5):m.start]):
                own = None  # 近 3 年 is "the last 3 years", not "about 3 years"
            rows.append({
                "char_start": m.start, "char_end": m.end, "text": text[m.start:m.end],
                "value": value, "low": low, "high": high, "unit": m.unit,
                "bound": _bound(m, after, own),
            })
    return rows
