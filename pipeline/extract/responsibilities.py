"""Which government body answers for each measure of a policy.

Hangzhou policies close a measure with a bracket naming the bodies in charge,
"(牵头单位:市科技局、市市场监管局,配合单位:市发改委、市经信局)", and close the
document with "由市经信局负责牵头组织实施". Each named body becomes one row, resolved
to its canonical name through pipeline.gazetteer; bodies the gazetteer does not know
(市领导小组成员单位) are kept with known=False, never dropped.
"""
from __future__ import annotations

import regex

from ..gazetteer import resolve
from ..text import fold

# The normalizer's full-width -> ASCII map without its deletions: same length, same offsets.
SP = r"[^\S\n]*"

# The bracket labels are a closed vocabulary of the document template, mapped onto our roles.
LABELS = {
    "牵头单位": "lead", "牵头部门": "lead",
    "责任单位": "responsible", "责任部门": "responsible",
    "配合单位": "cooperating", "配合部门": "cooperating", "协同单位": "cooperating",
    "协办单位": "cooperating", "参与单位": "cooperating",
}
# A note after one name of a list: "(责任单位:市经信局(牵头)、市财政局)".
ROLE_NOTES = {"牵头": "lead", "牵头单位": "lead"}
# What a parenthesised second name ends with: "市商务局(杭州自贸片区管委会)" names two bodies.
ORG_ENDINGS = ("局", "委", "办", "会", "厅", "部", "中心", "海关", "支行", "银行", "院", "所", "小组", "室")


def _spaced(word: str) -> str:
    """A label that survives stray spaces and a line join: "(责 任单位:"."""
    return SP.join(regex.escape(ch) for ch in word)


_LABEL = "(?P<label>" + "|".join(_spaced(w) for w in sorted(LABELS, key=len, reverse=True)) + ")"
_OPEN = regex.compile(rf"[(\[【]{SP}{_LABEL}{SP}:")
_INNER_LABEL = regex.compile(rf"{SP}{_LABEL}{SP}:")
_OPENERS, _CLOSERS = "([【", ")]】"
# 由 as "by"; not the 由 of 自由(贸易试验区), 理由, 缘由, 经由, 来由, 事由 or 由于.
_BY = regex.compile(
    rf"(?<![自理缘经来事])由(?!于){SP}(?P<names>[^,。;:!?\n]{{2,60}}?){SP}"
    rf"(?:(?P<lead>(?:负责{SP})?牵头)|负责{SP}(?:组织{SP})?(?:实施|落实|推进))")
_WITH = regex.compile(rf"{SP}会同{SP}")  # 由市经信局会同市财政局负责组织实施


def find_responsibilities(text: str) -> list[dict]:
    """Every body named as lead, cooperating or responsible, in text order."""
    scan = fold(text)
    rows = []
    for m in _OPEN.finditer(scan):
        rows += _bracket(text, scan, m.end(), LABELS[_squash(m["label"])])
    for m in _BY.finditer(scan):
        role = "lead" if m["lead"] else "responsible"
        start, end = m.span("names")
        if with_ := _WITH.search(scan, start, end):
            rows += _list(text, scan, start, with_.start(), role)
            rows += _list(text, scan, with_.end(), end, "cooperating")
        else:
            rows += _list(text, scan, start, end, role)
    return sorted(rows, key=lambda r: r["char_start"])


def _squash(label: str) -> str:
    return regex.sub(r"\s", "", label)


def _bracket(text: str, scan: str, pos: int, role: str) -> list[dict]:
    """Rows for the list after a label, up to the bracket that closes it (or the line end).

    "," or ";" may start a new label: "(牵头单位:市科技局,配合单位:市发改委、市经信局)".
    """
    rows, start = [], pos
    for end, sep in _items(scan, pos, ",;"):
        rows += _list(text, scan, start, end, role)
        start = end + 1
        if sep and (label := _INNER_LABEL.match(scan, start)):
            role, start = LABELS[_squash(label["label"])], label.end()
    return rows


def _list(text: str, scan: str, start: int, end: int, role: str) -> list[dict]:
    """Rows for the names of "市教育局、市经信局、市财政局"."""
    rows = []
    for stop, _ in _items(scan[:end], start, "、"):
        rows += _names(text, scan, start, stop, role)
        start = stop + 1
    return rows


def _items(scan: str, pos: int, separators: str):
    """(end, separator) of each item from pos, splitting outside parentheses only, until a
    closing bracket, a line break or the end (separator None for the last)."""
    depth = 0
    for i in range(pos, len(scan)):
        ch = scan[i]
        if ch in _OPENERS:
            depth += 1
        elif ch in _CLOSERS and depth:
            depth -= 1
        elif ch == "\n" or ch in _CLOSERS:
            break
        elif depth == 0 and ch in separators and not (ch == "、" and _county(scan, i)):
            yield i, ch
    else:
        i = len(scan)
    yield i, None


def _county(scan: str, i: int) -> bool:
    """The fixed phrase 区、县(市) is one item: "(责任单位:各区、县(市)政府)"."""
    return scan[i - 1:i] == "区" and regex.match(rf"{SP}县{SP}\({SP}市{SP}\)", scan[i + 1:i + 12]) is not None


def _names(text: str, scan: str, start: int, end: int, role: str) -> list[dict]:
    """One item of a list, "市商务局(杭州自贸片区管委会)" giving two bodies."""
    while start < end and scan[start].isspace():
        start += 1
    while end > start and (scan[end - 1].isspace() or scan[end - 1] == "等"):
        end -= 1
    if end - start < 2:
        return []
    note = regex.fullmatch(r"(?P<main>[^()]+?)\s*\((?P<inner>[^()]+)\)", scan[start:end])
    if note:
        inner = _squash(note["inner"])
        main_end = start + note.end("main")
        if inner in ROLE_NOTES:
            return [_row(text, start, main_end, ROLE_NOTES[inner])]
        if resolve(inner)[1] or inner.endswith(ORG_ENDINGS):
            return [_row(text, start, main_end, role),
                    _row(text, start + note.start("inner"), start + note.end("inner"), role)]
    return [_row(text, start, end, role)]


def _row(text: str, start: int, end: int, role: str) -> dict:
    department, known = resolve(text[start:end])
    return {"char_start": start, "char_end": end, "text": text[start:end],
            "department": department, "role": role, "known": known}
