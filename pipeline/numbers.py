"""One shared reader for the numerals of Chinese policy text.

Every extractor (money, percent, date) finds and values numbers through this
module, so "3千万", "一亿二千万", "12,000" and "二〇二一" are read the same way
everywhere. Values are decimal.Decimal, never float: amounts must stay exact.
The digit and multiplier characters live in data/numerals.json.

Text is expected to be normalised to half-width already (0-9 . , %).
Signs ("-5") and idioms ("一次性", "万一") are the callers' business: the
patterns here only say where a numeral is, not whether it means a quantity.
"""
from __future__ import annotations

import json
from decimal import Decimal
from functools import cache, lru_cache
from importlib import resources

import regex
from . import patterns


@cache
def data_file(name: str):
    """A JSON file of pipeline/data, read once per process (numerals.json, qualifiers.json …)."""
    return json.loads(resources.files("pipeline.data").joinpath(name).read_text("utf-8"))


def alternation(words) -> str:
    """A regex alternation of literal words, longest first (不超过 before 超过), for every word list."""
    return "|".join(regex.escape(w) for w in sorted(words, key=len, reverse=True))


_DATA = data_file("numerals.json")
_DIGITS: dict[str, int] = _DATA["digits"]
_UNITS: dict[str, int] = _DATA["units"]  # 十百千: multiply within a 4-digit group
_SCALES: dict[str, int] = _DATA["scales"]  # 万亿: multiply everything before them
_POINT: str = _DATA["point"]
_ZEROS = "".join(c for c, v in _DIGITS.items() if v == 0)

#: The character sets every finder builds its patterns from (one place, not four).
DIGIT_CHARS = "".join(_DIGITS)  # 零〇一壹幺二…九玖
MULTIPLIERS = "".join([*_UNITS, *_SCALES])  # 十拾百佰千仟万亿
NUMERAL_CHARS = DIGIT_CHARS + MULTIPLIERS
FORMAL_CHARS: str = _DATA["formal"]  # 壹贰…: money only
#: Every character a numeral (NUMBER below) may start with, for a character class. A
#: finder whose pattern starts with a numeral says so in a lookahead, (?=[...]): that
#: changes no match but lets the regex engine skip every other position at once (a
#: pattern with lookbehinds and alternatives is otherwise tried in full at each one).
NUMBER_FIRST = "0-9" + NUMERAL_CHARS
#: Stray spaces from PDF text ("600 万"); a mention never crosses a line break.
SP = r"[^\S\r\n]*"


def _chars(chars) -> str:
    """A character class; kept free of literal spaces so it survives VERBOSE."""
    return "[" + "".join(regex.escape(c) for c in chars) + "]"


_D = _chars(_DIGITS)
_U = _chars(_UNITS)
_S = _chars(_SCALES)
_TEN = _chars(c for c, v in _UNITS.items() if v == 10)
_SP = SP

#: Arabic numeral: 12,000 / 194.56 / 1,234.5. Separators must come in groups of three.
ARABIC = r"(?:[0-9]{1,3}(?:,[0-9]{3})+(?![0-9])(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?)"

#: Run of Chinese numeral characters. Starts with a digit or 十 (so never a lone
#: 万, 亿, 百 or 千: "千万不要" is not a number); 点 only between digits.
CHINESE = (
    rf"(?:(?:{_D}|{_TEN})(?:{_SP}(?:{_D}|{_U}|{_S}))*"
    rf"(?:(?<={_D}){_SP}{regex.escape(_POINT)}{_SP}{_D}(?:{_SP}{_D})*(?:{_SP}{_S})*"
    # …and after a closing 十: "一百二十点五" = 120.5 (not after 百/千: "一百点" is rare and
    # "十点" followed by digits is the only reading that needs it)
    rf"|(?<={_TEN}){_SP}{regex.escape(_POINT)}{_SP}{_D}(?:{_SP}{_D})*(?!{_SP}{_S}))?)"
)

_ARABIC_GROUP = rf"{ARABIC}(?:{_SP}{_U})?"
#: One numeral expression: Arabic with an optional 十/百/千 and 万/亿 suffix
#: ("1.2 万亿", "3千万"), Arabic groups after a scale ("1亿2000万", "3万4000",
#: "3万5千"), or a Chinese run. Greedy, no capturing groups, so it embeds as
#: (?P<num>{NUMBER}).
NUMBER = (rf"(?:{_ARABIC_GROUP}(?:{_SP}{_S})*(?:(?<={_S}){_SP}(?:[0-9]+)(?:{_SP}{_U})?(?:{_SP}{_S})*)*"
          rf"|{CHINESE})")

_NUMBER = patterns.compile(NUMBER)
_TOKEN = patterns.compile(
    rf"(?P<arabic>[0-9]+(?:\.[0-9]+)?)"
    rf"|(?P<cn>{_D}+)(?:{regex.escape(_POINT)}(?P<frac>{_D}+))?"
    rf"|(?P<mul>{_U}|{_S})"
    rf"|{regex.escape(_POINT)}(?P<tail>{_D}+)"   # decimals after 十: 一百二十点五
)


def _digit_string(chars: str) -> str:
    return "".join(str(_DIGITS[c]) for c in chars)


_SPACE_OR_COMMA = patterns.compile(r"[\s,]")
_SPACE = patterns.compile(r"\s")


def parse_number(text: str) -> Decimal | None:
    """The value of one numeral expression, or None if `text` is not exactly one.

    Only what NUMBER matches is valued, so finding and valuing never disagree;
    malformed runs ("十百", "一万二万", "五五十") give None rather than a guess.
    """
    return _parse_number(text) if isinstance(text, str) else None


# The same few numerals ("10", "2025", "一") come back all through an edition, and the
# money and quantity finders read every numeral twice: remembering the values (Decimal
# is immutable) took parse_number from 0.26 s to 0.03 s CPU on a 500-page edition.
@lru_cache(maxsize=4096)
def _parse_number(text: str) -> Decimal | None:
    if not _NUMBER.fullmatch(text.strip()):
        return None
    tokens = list(_TOKEN.finditer(_SPACE_OR_COMMA.sub("", text)))
    groups: list[tuple[Decimal, int]] = []  # finished 万/亿 groups: (value, scale)
    section = Decimal(0)  # the 十百千 part of the current group
    num: Decimal | None = None  # last number, not yet multiplied
    small = None  # last 十百千 in this group: they must decrease
    mul = 1  # the last multiplier, for the shortened "三千五" = 3500
    prev = None  # kind of the previous token
    bare_digit = False  # last token is one digit right after a multiplier
    tail = Decimal(0)
    arabic_tail = None  # the last token, when it is an Arabic number
    for tok in tokens:
        if tok["tail"]:
            tail = Decimal("0." + _digit_string(tok["tail"]))
            continue       # the pattern lets it stand only last, right after 十
        arabic_tail = tok["arabic"]
        if tok["arabic"]:
            num, kind, bare_digit = Decimal(tok["arabic"]), "num", False
        elif tok["cn"]:
            digits = tok["cn"] if prev is None else tok["cn"].lstrip(_ZEROS)  # 一百零五
            if not digits or (len(digits) > 1 and len(tokens) > 1):
                return None  # digit-by-digit runs ("二〇二一") stand alone
            frac = "." + _digit_string(tok["frac"]) if tok["frac"] else ""
            num, kind = Decimal(_digit_string(digits) + frac), "num"
            bare_digit = prev is not None and digits == tok["cn"] and not frac
        elif tok["mul"] in _UNITS:
            unit, kind = _UNITS[tok["mul"]], "unit"
            if small is not None and unit >= small:
                return None
            if num is None:
                if unit != 10 or section:
                    return None  # only 十 may stand for 一十
                num = Decimal(1)
            section, num, small, mul = section + num * unit, None, unit, unit
        else:
            scale, kind = _SCALES[tok["mul"]], "scale"
            value = section + (num or 0)
            if num is None and not section:  # 万亿: a scale on a scale
                if prev != "scale" or groups[-1][1] >= scale:
                    return None
                mul *= scale
            else:
                mul = scale
            while groups and groups[-1][1] < scale:
                value += groups.pop()[0]
            if groups and groups[-1][1] == scale:
                return None  # "一万二万"
            if groups and value * scale >= groups[-1][1]:
                return None  # "1亿20000万": a later group must be smaller than the one before
            groups.append((value * scale, scale))
            section, num, small = Decimal(0), None, None
        prev = kind
    if prev is None:
        return None
    if num is not None and prev == "num" and bare_digit and mul >= 100:
        num *= mul // 10  # 三千五 = 3500, 一万二 = 12000 (but 十五 = 15)
    if groups and section + (num or 0) >= groups[-1][1]:
        return None  # "3万40000": the rest after a scale is smaller than that scale
    if groups and prev == "num" and arabic_tail and len(arabic_tail) != len(str(groups[-1][1])) - 1:
        return None  # "3万4000" is 34000, but "2万5" (25000 or 20005?) is no reading
    return sum((v for v, _ in groups), section + (num or 0)) + tail


@lru_cache(maxsize=64)
def scale_value(char: str) -> int:
    """Multiplier of a unit word such as the 万 of 万元 (十, 百, 千, 万, 亿, 千万, 万亿).

    An empty string gives 1 (plain 元), so callers need no special case.
    Raises ValueError for anything that is not a valid multiplier sequence.
    """
    chars = _SPACE.sub("", char)
    if not chars:
        return 1
    value = parse_number("一" + chars) if all(c in _UNITS or c in _SCALES for c in chars) else None
    if value is None:
        raise ValueError(f"not a scale: {char!r}")
    return int(value)
