"""Hangzhou's government bodies, read once from data/departments.csv.

Policy text names one body many ways (杭州市生态环境局, 市生态环境局; 市经信局,
杭州市经济和信息化局). Counting "who is responsible for what" needs one name per
body, so every printed form resolves to the canonical name in the CSV.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources

import regex

from .text import normalize


@dataclass(frozen=True)
class Department:
    canonical: str
    aliases: tuple[str, ...]
    kind: str
    note: str


def key(name: str) -> str:
    """Lookup form of a name: normalized, with no spaces ("市文化广电 旅游局" after a line join)."""
    return regex.sub(r"\s+", "", normalize(name))


@cache
def departments() -> tuple[Department, ...]:
    text = resources.files("pipeline.data").joinpath("departments.csv").read_text("utf-8")
    rows = []
    for row in csv.DictReader(io.StringIO(text)):
        aliases = tuple(a.strip() for a in (row["aliases"] or "").split("|") if a.strip())
        rows.append(Department(row["canonical"].strip(), aliases, row["kind"].strip(), (row["note"] or "").strip()))
    return tuple(rows)


@cache
def _index() -> dict[str, str]:
    """Every canonical name and alias -> canonical name. An alias claimed twice is a data error."""
    index: dict[str, str] = {}
    for dept in departments():
        for name in (dept.canonical, *dept.aliases):
            k = key(name)
            if index.get(k, dept.canonical) != dept.canonical:
                raise ValueError(f"departments.csv: {name!r} names both {index[k]!r} and {dept.canonical!r}")
            index[k] = dept.canonical
    return index


# Prefix variants that name the same body: 杭州市X = 市X, 中共杭州市委X = 市委X.
_VARIANTS = [("杭州市", "市"), ("市", "杭州市"), ("中共杭州市委", "市委"), ("市委", "中共杭州市委")]


def resolve(name: str) -> tuple[str, bool]:
    """(canonical name, True) for a known body; (the name without spaces, False) otherwise."""
    k = key(name)
    index = _index()
    if k in index:
        return index[k], True
    for old, new in _VARIANTS:
        if k.startswith(old) and (alt := new + k[len(old):]) in index:
            return index[alt], True
    return k, False


def names() -> list[str]:
    """All canonical names and aliases (for the segmenter's user dictionary)."""
    return [n for d in departments() for n in (d.canonical, *d.aliases)]
