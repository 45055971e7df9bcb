"""Dates in policy text, with the part each one plays in the document.

A policy's dates decide when it applies: 自 2021 年 8 月 23 日起施行 (effective),
有效期至 2025 年 12 月 31 日 (expiry), the signature date under the issuer (issue),
到 2025 年 (a target). Finding is done with patterns, valuing with pipeline.numbers,
and the cue words for roles live in data/date_roles.json.

A year is four digits, 19xx or 20xx, Arabic or Chinese ("二〇二一"), and a bare year
counts only inside a range; a date never starts inside a code or a longer number.
That keeps document numbers (〔2021〕39 号), codes (ZJAC01-2021-0012), standards
(GB/T 36073-2018) and durations (有效期为 3 年) out without a list of exceptions.
"""
from __future__ import annotations

import calendar
from datetime import date

from .. import patterns
from ..numbers import CHINESE, DIGIT_CHARS, NUMERAL_CHARS, SP, data_file, parse_number
from ..text import fold

_ROLES = data_file("date_roles.json")
_PERIODS = data_file("date_periods.json")
_PARTS, _PLANS = _PERIODS["parts_of_year"], _PERIODS["five_year_plans"]
_QUARTER_DIGITS = str.maketrans("1234", "一二三四")
#: Column headers under which a table cell's date is the row's deadline (pipeline.tables).
DEADLINE_HEADERS = frozenset(_ROLES["deadline_headers"]["words"])

Point = tuple[int, int | None, int | None]  # (year, month, day); month/day None when not given
_START = r"(?<![0-9A-Za-z])(?<![0-9A-Za-z][-./:])"  # not inside a code: ZJAC01-2021-0012
_YEAR_AR = r"(?:19|20)[0-9]{2}(?![0-9])"
# A Chinese year is exactly four digit characters (二〇二一), not inside a longer numeral;
# bounding it here (not with the open-ended CHINESE run) keeps long numeral runs linear.
_CN_DIGIT = f"[{DIGIT_CHARS}]"
_CN_NUMERAL = f"[{NUMERAL_CHARS}]"
_YEAR_CN = rf"(?<!{_CN_NUMERAL}){_CN_DIGIT}(?:{SP}{_CN_DIGIT}){{3}}(?!{SP}{_CN_NUMERAL})"
_YEAR = rf"(?:{_YEAR_AR}|{_YEAR_CN})"
_MD = rf"(?:[0-9]{{1,2}}(?![0-9])|{CHINESE})"  # a month or day number
_DAY_UNIT = "[日号號]"
_SEP = "[-./]"
_TIME = rf"(?:{SP}[0-9]{{1,2}}:[0-9]{{2}}(?::[0-9]{{2}})?时?)?"  # 11:00时: times are ignored
_CONN = rf"{SP}(?:起{SP})?(?:至|到|~|〜|-|–|—{{1,2}}){SP}"
# A numeric date may be glued to a time of day: 2021-09-0910:09, 2021-09-12-11:23.
_NUM_END = r"(?:(?=-?[0-9]{1,2}:[0-9]{2})|(?![0-9])(?![-./][0-9]))"


def _cjk(p: str) -> str:
    """2021 年 8 月 23 日 / 二〇二一年十月十五日 / 2020 年度 / 2021 年 7 月 23 (no 日)."""
    return (rf"(?P<{p}ye>(?P<{p}y>{_YEAR}){SP}年(?:{SP}度)?)"
            rf"(?:{SP}(?P<{p}m>{_MD}){SP}(?P<{p}mu>月份?)"
            rf"(?:{SP}(?P<{p}d>{_MD})(?:{SP}(?P<{p}du>{_DAY_UNIT}))?)?)?")


def _num(p: str, day: str = "") -> str:
    """2010-01-29 / 2010.01.29 / 2020/1/2; with day='?' also the month 1999.08."""
    return rf"(?P<{p}y>{_YEAR_AR}){_SEP}(?P<{p}m>[0-9]{{1,2}})(?:{_SEP}(?P<{p}d>[0-9]{{1,2}})){day}"


_PARTIAL = (rf"(?:(?P<bm>{_MD}){SP}(?P<bmu>月份?)(?:{SP}(?P<bd>{_MD}){SP}(?P<bdu>{_DAY_UNIT}))?"
            rf"|(?P<bd2>{_MD}){SP}{_DAY_UNIT})")

# Each form: (name, pattern). Every match is a candidate; overlaps go to the leftmost, then longest.
_FORMS = [
    ("cjk", _START + _cjk("a")),
    ("num", _START + _num("a") + _NUM_END),
    ("spaced", _START + r"(?P<ay>(?:19|20)[0-9]{2}) (?P<am>[0-9]{2}) (?P<ad>[0-9]{2})(?![0-9])(?! [0-9])"),
    ("compact", _START + r"(?P<ay>(?:19|20)[0-9]{2})(?P<am>[0-9]{2})(?P<ad>[0-9]{2})(?![0-9])"),
    ("dmy", _START + r"(?P<x1>[0-9]{1,2})(?P<s>[-./])(?P<x2>[0-9]{1,2})(?P=s)(?P<ay>(?:19|20)[0-9]{2})(?![0-9])"),
    # ranges
    ("cjk-cjk", _START + _cjk("a") + _TIME + _CONN + _cjk("b")),
    ("cjk-partial", _START + _cjk("a") + _TIME + _CONN + _PARTIAL),
    ("num-num", _START + _num("a", "?") + r"(?![0-9])" + _TIME + _CONN
     + rf"(?:{_num('b', '?')}(?![0-9])|(?P<by2>{_YEAR_AR})(?![-./]?[0-9]))"),
    # 2021—2025 年, 1995-1997年: 年 written once, after the second year
    ("years", _START + rf"(?P<ay>{_YEAR}){_CONN}(?P<by>{_YEAR}){SP}年(?:{SP}度)?"),
    # 时间从2016到2018: bare years, only after 从/自
    ("bare-years", rf"(?<=[从自]{SP})(?P<ay>{_YEAR_AR}){_CONN}(?P<by>{_YEAR_AR})(?![-./]?[0-9])"),
    # 2019年1-五月, 2018年1－9月份
    ("months", _START + rf"(?P<ay>{_YEAR}){SP}年{SP}(?P<am>{_MD}){_CONN}(?P<bm>{_MD}){SP}月份?"),
    # 2019年4月12-19日
    ("days", _START + rf"(?P<ay>{_YEAR}){SP}年{SP}(?P<am>{_MD}){SP}月{SP}(?P<ad>{_MD}){_CONN}(?P<bd>{_MD}){SP}{_DAY_UNIT}"),
    # 2007年与2009年之间, 2010年之后2018年之前
    ("between", _START + _cjk("a") + rf"{SP}(?:与|和|及){SP}" + _cjk("b") + rf"(?={SP}之?间)"),
    ("after-before", _START + _cjk("a") + rf"{SP}之?后{SP}" + _cjk("b") + rf"(?={SP}之?前)"),
    # named periods (data/date_periods.json): 2021年上半年, 2021年第一季度, 2022年前三季度
    ("part-of-year", _START + rf"(?P<ay>{_YEAR}){SP}年{SP}(?:度{SP})?"
     + rf"(?P<part>上{SP}半{SP}年|下{SP}半{SP}年|(?:第{SP})?[一二三四1-4]{SP}季{SP}度|前{SP}[两二三]{SP}季{SP}度)"),
    # “十四五”期间: a Five-Year Plan, not inside a longer numeral (二十一五) or an ordinal (第十一五)
    ("plan", rf"(?<![{NUMERAL_CHARS}第])(?P<plan>十{SP}[一二三四五六]{SP}五)(?!{SP}[{NUMERAL_CHARS}])"),
]
_COMPILED = [(name, patterns.compile(pattern)) for name, pattern in _FORMS]

# What may follow a day printed without 日 ("2021 年 7 月 23" ⏎ "(此件公开发布)"); a
# following word means the number was not a day: "2021年7月23家企业" is a month.
_AFTER_BARE_DAY = patterns.compile(rf"{SP}(?:$|\n|[,.;:!?、。)(\[\]“”\"'《》【】]|至|到|起|前|后|之|[-~〜–—])")


def find_dates(text: str) -> list[dict]:
    """Every date mention in `text`, in text order, with its value, span and role."""
    scan = fold(text)
    candidates = []
    for name, pattern in _COMPILED:
        for m in pattern.finditer(scan, overlapped=True):
            found = _read(name, m, scan)
            if found:
                candidates.append(found)
    candidates.sort(key=lambda c: (c[0], -c[1]))
    rows, last_end = [], 0
    for start, end, a, b in candidates:
        if start < last_end:
            continue
        rows.append(_row(text, scan, start, end, a, b))
        last_end = end
    return rows


# ---------------------------------------------------------------- reading a match

def _read(name: str, m, text: str) -> tuple[int, int, Point, Point | None] | None:
    """(start, end, first point, last point or None) of a valid match, else None."""
    start = m.start()
    if name in ("cjk", "cjk-cjk", "cjk-partial", "between", "after-before"):
        a, end = _cjk_point(m, "a", text)
        if a is None:
            return None
        if name == "cjk":
            return start, end, a, None
        if end != _cjk_end(m, "a"):
            return None  # the start lost its day: "2021年7月23 10:00至…" is no range
        if name == "cjk-partial":
            b, end = _partial(m, a)
        else:
            b, end = _cjk_point(m, "b", text)
    elif name in ("num", "spaced", "compact"):
        a, end = _point(m["ay"], m["am"], m["ad"]), m.end()
        return (start, end, a, None) if a else None
    elif name == "dmy":
        a, end = _dmy(m), m.end()
        return (start, end, a, None) if a else None
    elif name == "num-num":
        a = _point(m["ay"], m["am"], m["ad"])
        b, end = (_point(m["by2"]) if m["by2"] else _point(m["by"], m["bm"], m["bd"])), m.end()
    elif name in ("years", "bare-years"):
        a, b, end = _point(m["ay"]), _point(m["by"]), m.end()
    elif name == "months":
        a, b, end = _point(m["ay"], m["am"]), _point(m["ay"], m["bm"]), m.end()
    elif name == "part-of-year":
        first, last = _PARTS[_part_key(m["part"])]
        a, b, end = _point(m["ay"], first), _point(m["ay"], last), m.end()
    elif name == "plan":
        first, last = _PLANS[_SPACE.sub("", m["plan"])]
        a, b, end = _point(first), _point(last), m.end()
    else:  # days
        a, b, end = _point(m["ay"], m["am"], m["ad"]), _point(m["ay"], m["am"], m["bd"]), m.end()
    return (start, end, a, b) if a and b and _ordered(a, b) else None


def _part_key(part: str) -> str:
    """The key of data/date_periods.json's parts_of_year: 第 1 季度 -> 一季度."""
    return _SPACE.sub("", part).removeprefix("第").translate(_QUARTER_DIGITS)


def _ordered(a: Point, b: Point) -> bool:
    """A range must run forward: 2021年8月23日-2021年8月22日 is two dates, not a range."""
    (a_first, a_last), (b_first, b_last) = _bounds(a), _bounds(b)
    return a_first < b_first and a_last <= b_last


def _cjk_point(m, p: str, text: str) -> tuple[Point | None, int]:
    """The point of one _cjk(p) group set and where it ends, dropping a day that is not one."""
    if m[f"{p}d"] is not None and m[f"{p}du"] is None and not _AFTER_BARE_DAY.match(text, m.end(f"{p}d")):
        return _point(m[f"{p}y"], m[f"{p}m"]), m.end(f"{p}mu")
    return _point(m[f"{p}y"], m[f"{p}m"], m[f"{p}d"]), _cjk_end(m, p)


def _cjk_end(m, p: str) -> int:
    return m.end(next(g for g in (f"{p}du", f"{p}d", f"{p}mu", f"{p}ye") if m[g] is not None))


def _partial(m, a: Point) -> tuple[Point | None, int]:
    """The end of 2017年8月11日至8月22日 / 至11月 / 到十二日: missing parts come from the start."""
    if m["bd2"] is not None:
        return (_point(a[0], a[1], m["bd2"]) if a[2] else None), m.end()
    if m["bd"] is not None and a[2] is None:
        return None, m.end()
    return _point(a[0], m["bm"], m["bd"]), m.end()


def _dmy(m) -> Point | None:
    """13.5.2015 or 10/31/1974: only when one reading is possible (or both agree: 3/3/2015)."""
    x1, x2 = _number(m["x1"]), _number(m["x2"])
    if x1 == x2:
        return _point(m["ay"], x1, x2)
    if x1 > 12 >= x2:
        return _point(m["ay"], x2, x1)
    if x2 > 12 >= x1:
        return _point(m["ay"], x1, x2)
    return None


def _number(text) -> int | None:
    """A whole number via pipeline.numbers; ints pass through."""
    if isinstance(text, int) or text is None:
        return text
    value = parse_number(text)
    return int(value) if value is not None and value == int(value) else None


_SPACE = patterns.compile(r"\s")


def _year(text) -> int | None:
    """A year of 1900-2099 (patterns already require four digits: 2021 or 二〇二一)."""
    year = _number(_SPACE.sub("", text)) if isinstance(text, str) else text
    return year if year is not None and 1900 <= year <= 2099 else None


def _point(year, month=None, day=None) -> Point | None:
    """A valid (year, month, day), or None: 2019-02-29 is no date."""
    y = _year(year)
    m = _number(month) if month is not None else None
    d = _number(day) if day is not None else None
    if y is None or (month is not None and not (m and 1 <= m <= 12)):
        return None
    if day is not None and (m is None or not d or d > calendar.monthrange(y, m)[1]):
        return None
    return y, m, d


def _bounds(p: Point) -> tuple[date, date]:
    """First and last day a point covers: 2021-05 -> 2021-05-01..2021-05-31."""
    y, m, d = p
    if d is not None:
        return date(y, m, d), date(y, m, d)
    if m is not None:
        return date(y, m, 1), date(y, m, calendar.monthrange(y, m)[1])
    return date(y, 1, 1), date(y, 12, 31)


def _iso(p: Point) -> str:
    y, m, d = p
    return f"{y:04d}" + (f"-{m:02d}" if m else "") + (f"-{d:02d}" if d else "")


def _precision(p: Point) -> str:
    return "day" if p[2] else "month" if p[1] else "year"


def _row(text: str, scan: str, start: int, end: int, a: Point, b: Point | None) -> dict:
    if b is None:
        value, precision = _iso(a), _precision(a)
        first, last = _bounds(a)
    else:
        value = f"{_iso(a)}/{_iso(b)}"
        precision = "year_range" if a[1] is None and b[1] is None else "range"
        first, last = _bounds(a)[0], _bounds(b)[1]
    return {"char_start": start, "char_end": end, "text": text[start:end], "value": value,
            "precision": precision, "role": _role(scan, start, end, precision),
            "date_start": first, "date_end": last}


# ---------------------------------------------------------------- roles

_RULES = [
    (r["role"], [patterns.compile(a) for a in r.get("after", [])], tuple(r.get("before", [])))
    for r in _ROLES["rules"]
]
_ISSUE = _ROLES["issue"]
_NOTE = patterns.compile(r"\([^()\n]*\)")  # (此件公开发布) under a signature date
_PUNCT = patterns.compile(r"[,.;:!?、。,;:!?“”《》]")


def _role(text: str, start: int, end: int, precision: str) -> str:
    """The role the cue words around the mention give it.

    Cues after the date are read on its own line; cues before it also across a line
    break, which inside a sentence is a paragraph-joining slip: "到" ⏎ "2025 年,力争…".
    """
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    # an opening quote is no cue: 到“十四五”末 is a target as 到 2025 年 is
    before = _SPACE.sub("", text[max(0, start - 30):start]).rstrip("“‘\"'")
    after = _SPACE.sub("", text[end:min(line_end, end + 80)])
    for role, afters, befores in _RULES:
        if any(a.match(after) for a in afters) or (befores and before.endswith(befores)):
            return role
    if precision in _ISSUE["precisions"] and _alone(text[line_start:start], text[end:line_end]):
        return "issue"
    return "other"


def _alone(before: str, after: str) -> bool:
    """Whether a date stands as its own line: a signature date, perhaps after its issuer."""
    before, after = before.strip(), after.strip()
    if after and not _NOTE.fullmatch(after):
        return False
    if not before:
        return True
    return (len(before) <= _ISSUE["max_issuer_chars"] and not _PUNCT.search(before)
            and before.endswith(tuple(_ISSUE["issuer_suffixes"])))
