"""The words around a number that change how it reads, shared by amounts and percentages.

"最高不超过 50 万元" is a cap, "每年…10 万元" recurs, "分别给予 10 万元、30 万元" pairs
each amount with an item of an earlier list. The words live in data/qualifiers.json;
this module only knows where to look for them: in the clause before the number
(back to the last , ; 。 : or line break) or right after it.
"""
from __future__ import annotations

from decimal import Decimal

import regex

from .. import patterns
from ..numbers import DIGIT_CHARS, MULTIPLIERS, SP, alternation, data_file  # noqa: F401 (alternation: re-exported)
from ..text import fold  # noqa: F401  (q.fold is the one fold, pipeline.text.fold)

DATA = data_file("qualifiers.json")
#: A number may not continue a code, a word or another number: ZJAC01, IPv6, 3541.07万元2,
#: nor be the part of one that pipeline.numbers cannot read: the 五 of 一百二十点五 (点
#: after 十), the 5千 of 3万5千 (two Arabic numbers). Better no value than a wrong one.
START = (rf"(?<![0-9A-Za-z.])(?<![0-9{DIGIT_CHARS}{MULTIPLIERS}]{SP}点{SP})"
         rf"(?<![0-9]{SP}[{MULTIPLIERS}]{SP})")
#: After a number: it goes on with decimals that were not read (一百二十|点五), so skip it.
CUT_SHORT = patterns.compile(rf"{SP}点{SP}[0-9{DIGIT_CHARS}]")
#: Separators of a range: 100-200 万元, 1万元--5万元, 30%—50%, 一百二十到一百五十万元.
RANGE_SEP = rf"{SP}(?:\(含\){SP})?(?:-{{1,2}}|—{{1,2}}|–|~|〜|至|到){SP}"

_CLAUSE_BREAK = patterns.compile(r"[,;。:!?\n]", flags=regex.REVERSE)  # search finds the last one
_WINDOW = 200
_SENTENCE_BREAK = patterns.compile(r"[。;!?\n]|\([^()\n]*:[^()\n]*\)")  # (责任单位:…) ends one too


def tidy(value: Decimal) -> Decimal:
    """Decimal without exponent or trailing zeros: 16.4 * 10^8 -> Decimal('1640000000')."""
    if value == value.to_integral_value():
        return Decimal(int(value))
    return value.normalize()


def words(mapping: dict) -> dict:
    """A word table of qualifiers.json without its $comment entries."""
    return {k: v for k, v in mapping.items() if not k.startswith("$")}


_BEFORE = words(DATA["bounds_before"])
_ADJACENT = words(DATA["bounds_adjacent"])
BOUND_WORDS = [*_BEFORE, *_ADJACENT]
_AT_END = patterns.compile(rf"(?:{alternation([*_BEFORE, *_ADJACENT])}){SP}$")
_PHRASE = patterns.compile(alternation(_BEFORE))
_AFTER = words(DATA["bounds_after"])
_AFTER_RE = patterns.compile(rf"{SP}(?:\(含\){SP})?(?P<w>{alternation(_AFTER)})")
_FREQ = words(DATA["frequency"])
_FREQ_RE = patterns.compile(rf"(?:{alternation(_FREQ)})")
_YEAR_BEFORE = patterns.compile(rf"[0-9{DIGIT_CHARS}]{SP}$")  # 2020 年度 is a year, not "annual"
_FREQ_AFTER = words(DATA["frequency_after"])
_FREQ_AFTER_RE = patterns.compile(rf"{SP}(?:{alternation(_FREQ_AFTER)})")
_PER = words(DATA["per_unit_before"])
_PER_RE = patterns.compile(alternation(_PER))


_DIGIT = patterns.compile(r"[0-9]")


def clause_start(text: str, pos: int) -> int:
    """Start of the clause holding `pos`: just after the last , ; 。 : ! ? or line break.

    Looks back at most _WINDOW characters, so long runs without punctuation stay linear.
    """
    m = _CLAUSE_BREAK.search(text, max(0, pos - _WINDOW), pos)
    return m.end() if m else max(0, pos - _WINDOW)


def sentence_start(text: str, pos: int) -> int:
    """Start of the sentence holding `pos` (after 。 ; ! ? a line break or a (责任单位:…) note)."""
    lo = max(0, pos - 2 * _WINDOW)
    start = lo
    for m in _SENTENCE_BREAK.finditer(text, lo, pos):
        start = m.end()
    return start


def bound_before(text: str, start: int) -> str | None:
    """Bound word before the number at `start`, in the same clause.

    Right before it: "不少于 10 亿元", "近700万元". Further back only the
    bounds_before words, over a gap with no digit and no 的 inside:
    "最高分别为 600 万元", "不超过研发投入 40%", "不超过其…投资总额的 20%".
    """
    lead = text[clause_start(text, start):start]
    if m := _AT_END.search(lead):
        word = m.group().strip()
        return _BEFORE.get(word, _ADJACENT.get(word))
    last = None
    for last in _PHRASE.finditer(lead):
        pass
    if last is None:
        return None
    gap = lead[last.end():].rstrip()
    if _DIGIT.search(gap) or "的" in gap[:-1] or len(gap) > 30:
        return None  # "对获最高奖的企业给予 10 万元": 最高 is not about the amount
    return _BEFORE[last.group()]


def bound_adjacent(text: str, start: int) -> str | None:
    """Bound word right before `start` only ("最高 10 万元、最高 20 万元": the second one)."""
    m = _AT_END.search(text, clause_start(text, start), start)  # clause_start bounds the look-back
    if not m:
        return None
    word = m.group().strip()
    return _BEFORE.get(word, _ADJACENT.get(word))


def bound_after(text: str, end: int) -> tuple[str | None, int]:
    """Bound word right after a mention ("以上", "(含)以上", "左右") and where it ends."""
    m = _AFTER_RE.match(text, end)
    return (_AFTER[m["w"]], m.end()) if m else (None, end)


def frequency(text: str, start: int, end: int) -> str | None:
    """'annual' / 'one_time' from the nearest word earlier in the clause, or "/年" after."""
    found = None
    for m in _FREQ_RE.finditer(text, clause_start(text, start), start):
        if not (m.group() == "年度" and _YEAR_BEFORE.search(text, max(0, m.start() - 6), m.start())):
            found = m
    return _FREQ[found.group()] if found else frequency_after(text, end)


def frequency_after(text: str, end: int) -> str | None:
    """'annual' for "10 万元/年"."""
    m = _FREQ_AFTER_RE.match(text, end)
    return _FREQ_AFTER[m.group().strip()] if m else None


def per_unit_before(text: str, start: int) -> str | None:
    """The 亩 of "亩均产出达到 12000 元": a rate word earlier in the clause."""
    found = None
    for found in _PER_RE.finditer(text, clause_start(text, start), start):
        pass
    return _PER[found.group()] if found else None


# --- 分别: pairing values with the items of an enumeration ------------------------

_ITEM = r"[^,;。、:()\[\]“”《》\n]+"
_ENUM = patterns.compile(rf"{_ITEM}(?:、{_ITEM})+")
_LAST_JOIN = patterns.compile(r"和|及|以及")
_ORDINAL = rf"[0-9A-Za-zⅠ-Ⅻ{DIGIT_CHARS}十甲乙丙丁]"
_ORDINALS = patterns.compile(rf"{_ORDINAL}+")
_ORDINALS_AT_END = patterns.compile(rf"{_ORDINAL}+$")
_LEFT_EDGES = patterns.compile(alternation(DATA["category_left_edges"]["words"]))


def _common_suffix(items: list[str]) -> str:
    n = 0
    while all(len(s) > n for s in items) and len({s[len(s) - n - 1] for s in items}) == 1:
        n += 1
    return items[0][len(items[0]) - n:] if n else ""


def pair_categories(text: str, pos: int, n: int) -> list[str] | None:
    """The n categories that 分别 at `pos` refers to, or None when no list fits.

    The list is the first enumeration "A、B、C" in the sentence before 分别 with
    exactly n items. Its first item runs back to the clause start and its last
    item into the noun they share, so both are cut to the shape of the others:

        对经评审认定为省级、国家级工业设计中心的,…分别给予       -> 省级, 国家级
        对成功创建市级、省级、国家级智慧旅游示范企业(单位)的,…分别 -> 市级, 省级, 国家级
        对已在国内开展Ⅰ期、Ⅱ期、Ⅲ期临床试验,…的 1 类化学药、1 类生物制品、1 类中药,…分别
                                                             -> Ⅰ期, Ⅱ期, Ⅲ期 (the first fitting list)
        …生产的创新型二类医疗器械、三类医疗器械,…分别            -> 二类医疗器械, 三类医疗器械
    """
    scope = text[sentence_start(text, pos):pos]
    for m in _ENUM.finditer(scope):
        raw = [s.strip() for s in m.group().split("、")]
        head, tail = raw[:-1], raw[-1]
        options = [raw]
        if len(parts := _LAST_JOIN.split(tail, maxsplit=1)) == 2:  # 3 类生物制品和古代经典名方…
            options.append([*head, *(p.strip() for p in parts)])
        for items in options:
            if len(items) == n and all(items):
                return _cut_edges(items)
    return None


def _cut_edges(items: list[str]) -> list[str]:
    first, rest = items[0], list(items[1:])
    # Last item: end it where the others end ("国家级工业设计中心" -> "国家级").
    suffix = _common_suffix(items[:-1])
    for k in range(len(suffix), 0, -1):
        if (i := rest[-1].find(suffix[-k:])) >= 0:
            rest[-1] = rest[-1][:i + k]
            break
    # First item: keep as much head as the others have ("创新型二类医疗器械" -> "二类医疗器械").
    suffix = _common_suffix([first, *rest])
    heads = [r[:len(r) - len(suffix)] for r in rest]
    if suffix and all(_ORDINALS.fullmatch(h) for h in heads):
        run = _ORDINALS_AT_END.search(first[:len(first) - len(suffix)])
        if run:
            return [run.group() + suffix, *rest]
    cut = 0
    for m in _LEFT_EDGES.finditer(first):
        if m.end() < len(first):
            cut = m.end()
    first = first[cut:].strip()
    return [first[1:] if first.startswith("对") and len(first) > 1 else first, *rest]
