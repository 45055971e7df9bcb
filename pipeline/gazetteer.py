"""Government bodies of every level, read once from data/departments.csv.

Policy text names one body many ways (杭州市生态环境局, 市生态环境局; 国家发展改革委,
国家发展和改革委员会). Counting "who is responsible for what" needs one name per
body, so every printed form resolves to the canonical name in the CSV, with its
level (national, provincial, municipal, district). A body the CSV does not list is
still recognised by its shape (place + level word + organ ending: 宁波市科技局,
余杭区人民政府) with known=False, and keeps its printed name: never a guessed one.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

import regex

from . import patterns
from .numbers import alternation, data_file
from .text import normalize

LEVELS = ("national", "provincial", "municipal", "district")


@dataclass(frozen=True)
class Department:
    canonical: str
    aliases: tuple[str, ...]
    kind: str
    level: str
    note: str


_SPACES = patterns.compile(r"\s+")


def key(name: str) -> str:
    """Lookup form of a name: normalized, with no spaces ("市文化广电 旅游局" after a line join)."""
    return _SPACES.sub("", normalize(name))


@cache
def departments() -> tuple[Department, ...]:
    text = resources.files("pipeline.data").joinpath("departments.csv").read_text("utf-8")
    rows = []
    for line, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        aliases = tuple(a.strip() for a in (row["aliases"] or "").split("|") if a.strip())
        level = row["level"].strip()
        if level not in LEVELS:
            raise ValueError(f"departments.csv line {line}: level {level!r} is not one of {LEVELS}")
        rows.append(Department(row["canonical"].strip(), aliases, row["kind"].strip(), level,
                               (row["note"] or "").strip()))
    return tuple(rows)


@cache
def _index() -> dict[str, Department]:
    """Every canonical name and alias -> its body. An alias claimed twice is a data error."""
    index: dict[str, Department] = {}
    for dept in departments():
        for name in (dept.canonical, *dept.aliases):
            k = key(name)
            if index.get(k, dept).canonical != dept.canonical:
                raise ValueError(f"departments.csv: {name!r} names both {index[k].canonical!r} and {dept.canonical!r}")
            index[k] = dept
    return index


@cache
def _variants() -> tuple[tuple[str, str], ...]:
    return tuple((v["printed"], v["as"]) for v in data_file("name_variants.json")["prefixes"])


@lru_cache(maxsize=4096)
def lookup(name: str) -> Department | None:
    """The listed body a printed name stands for, or None."""
    k = key(name)
    index = _index()
    if k in index:
        return index[k]
    for old, new in _variants():
        if k.startswith(old) and (alt := new + k[len(old):]) in index:
            return index[alt]
    return None


def resolve(name: str) -> tuple[str, bool]:
    """(canonical name, True) for a known body; (the name without spaces, False) otherwise."""
    dept = lookup(name)
    return (dept.canonical, True) if dept else (key(name), False)


@cache
def _shape() -> tuple[regex.Pattern, regex.Pattern, dict[str, str], regex.Pattern, regex.Pattern]:
    spec = data_file("name_variants.json")
    levels = spec["levels"]
    ending = alternation(spec["organ_endings"])
    level = alternation(levels)
    # 宁波市科技局, 余杭区人民政府, 国家数据局, 市体育局, 省经信厅, 某某省某某厅; at most 20 characters
    place = rf"[^\P{{Han}}{regex.escape(spec['not_in_place'])}]"  # 宁波, 余杭; not 由于, 对
    body = patterns.compile(rf"(?:{place}{{0,8}}?(?:{level}))\p{{Han}}{{0,18}}?(?:{ending})")
    collective = spec["collective"]
    # 各区、县(市)政府, 各县(市、区)人民政府, 各市、县〔区〕人民政府, 市级各有关部门
    group = patterns.compile(
        rf"(?:{alternation(collective['starts'])})[\p{{Han}}、()〔〕]{{0,12}}?(?:{alternation(collective['ends'])})")
    roles = patterns.compile(alternation(collective["role_words"]))
    return body, group, levels, patterns.compile(level), roles


@lru_cache(maxsize=4096)
def looks_like_body(name: str) -> bool:
    """Whether an unlisted name has the shape of a government body or a collective of them."""
    k = key(name)
    body, group, _, _, roles = _shape()
    if group.fullmatch(k):
        return not roles.search(k)
    return 2 <= len(k) <= 24 and bool(body.fullmatch(k))


def is_body(name: str) -> bool:
    return lookup(name) is not None or looks_like_body(name)


def level(name: str) -> str | None:
    """national | provincial | municipal | district: from the CSV, else from the first level word."""
    if dept := lookup(name):
        return dept.level
    k = key(name)
    _, group, levels, level_word, _ = _shape()
    if group.fullmatch(k):
        return None  # 各区、县(市)政府: several bodies
    found = level_word.search(k)
    return levels[found.group()] if found else None


_ISSUER_PLACE = patterns.compile(r"^(?:中共)?(?P<province>\p{Han}{2,7}?(?:省|自治区))?(?P<city>\p{Han}{2,7}?市)?")


def home_for(issuer: str | None) -> tuple[bool, bool]:
    """Whether 市X and 省X name the gazetteer's own city and province in a document of `issuer`.

    "杭州市人民政府办公厅" -> (True, True); "宁波市人民政府" -> (False, True): its 市经信局 is
    Ningbo's; "菏泽市人民政府办公室" -> (False, False); "浙江省人民政府" -> (False, True).
    """
    home = data_file("name_variants.json")["home"]
    m = _ISSUER_PLACE.match(key(issuer or ""))
    city, province = (m["city"], m["province"]) if m else (None, None)
    if province is None and city is None:
        return True, True  # 国务院办公厅, or no issuer known
    city_home = city == home["city"] and province in (None, home["province"])
    province_home = province == home["province"] if province else city in home["province_cities"]
    return city_home, province_home


def names() -> list[str]:
    """All canonical names and aliases (for the segmenter's user dictionary)."""
    return [n for d in departments() for n in (d.canonical, *d.aliases)]
