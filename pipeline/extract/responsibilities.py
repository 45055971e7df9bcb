"""Which government body answers for each measure of a policy.

Documents name the bodies in charge in a few shapes (each a form below): a labelled
bracket "(牵头单位:市科技局,配合单位:市发改委、市经信局)"; prose with 由 "由市经信局牵头,
市财政局等部门配合实施"; a clause whose subject is a body "国家发展改革委要加强统筹协调";
and an unlabelled bracket of bodies "[市体育局,各区、县(市)政府,列第一位的为牵头单位,下同]".
Each named body becomes one row, resolved through pipeline.gazetteer; a name is only
taken from prose when every item of its list is a listed body or has a body's shape.

Conventions a document states once ("列第一位的为牵头单位,下同") reach past one section,
which is all a finder sees: `apply_conventions` is the pure second pass over a
document's rows, in document order.
"""
from __future__ import annotations

import regex

from .. import patterns
from .. import gazetteer
from ..numbers import SP, alternation
from ..text import fold

# The bracket labels are a closed vocabulary of the document template, mapped onto our roles.
LABELS = {
    "牵头单位": "lead", "牵头部门": "lead",
    "责任单位": "responsible", "责任部门": "responsible", "主要责任单位": "responsible",
    "主责单位": "responsible", "主责部门": "responsible",
    "配合单位": "cooperating", "配合部门": "cooperating", "协同单位": "cooperating",
    "协办单位": "cooperating", "参与单位": "cooperating", "参与部门": "cooperating",
}
# A note after one name of a list: "(责任单位:市经信局(牵头)、市财政局)".
ROLE_NOTES = {"牵头": "lead", "牵头单位": "lead"}
# What a parenthesised second name ends with: "市商务局(杭州自贸片区管委会)" names two bodies.
ORG_ENDINGS = ("局", "委", "办", "会", "厅", "部", "中心", "海关", "支行", "银行", "院", "所", "小组", "室")
# The verb after a list of bodies gives their role: 牵头 lead; 配合 / 参与 cooperating; 负责 / 要 responsible.
VERBS = {
    "按职责分工牵头": "lead", "负责牵头": "lead", "牵头": "lead",
    "配合": "cooperating", "参与": "cooperating", "协助": "cooperating", "协同": "cooperating",
    "按职责分工负责": "responsible", "负责": "responsible", "要": "responsible", "应": "responsible",
    "会同": "responsible",
}
# Conventions stated in a bracket: the first listed body leads, the others cooperate.
FIRST_LEADS = patterns.compile(
    r"(?:列|排)在?第一位的?(?:部门|单位)?为牵头(?:部门|单位)|逗号前(?:的)?为牵头(?:部门|单位)")
SAME_BELOW = patterns.compile(r"下同")


def _spaced(word: str) -> str:
    """A label that survives stray spaces and a line join: "(责 任单位:"."""
    return SP.join(regex.escape(ch) for ch in word)


_LABEL = "(?P<label>" + "|".join(_spaced(w) for w in sorted(LABELS, key=len, reverse=True)) + ")"  # longest first
_OPENERS, _CLOSERS = "([【〔", ")]】〕"
_VERB = rf"(?P<verb>{alternation(VERBS)})"
_NAMES = r"(?P<names>[^,。;:!?\n]{2,60}?)"

# Each form: (name, pattern). Example in the comment.
_FORMS = {
    # (牵头单位:市科技局、市市场监管局,配合单位:市发改委) / 〔责任单位:…〕
    "label": patterns.compile(rf"[(\[【〔]{SP}{_LABEL}{SP}:"),
    # the same list without a bracket, on a line of its own or after a sentence:
    # "…扩大投资。" ⏎ "责任单位:市发改委、市经信局" / "牵头单位:市科技局;配合单位:市财政局"
    "line": patterns.compile(rf"(?:^|(?<=[\n。;]))[^\S\n]*{_LABEL}{SP}:"),
    # 由市经信局负责牵头组织实施 / 由市发改委牵头,市财政局等部门配合 / 由X会同Y负责; not 自由, 理由, 由于
    "by": patterns.compile(rf"""
        (?<![自理缘经来事])由(?!于) {SP} {_NAMES} {SP}
        (?: (?P<lead>(?:负责{SP})?牵头|按职责分工牵头) | 负责 | 按职责分工负责 )
        """, regex.VERBOSE),
    # at a clause start: 国家发展改革委要加强统筹协调 / 市财政局负责资金保障 / (X牵头,Y配合)
    "subject": patterns.compile(rf"""
        (?:^|(?<=[,;。:!?\n(\[【〔]))(?:第[一二三四五六七八九十百]+条{SP})? {SP} {_NAMES} {SP}
        (?:等(?:部门|单位)?{SP})? {_VERB}
        """, regex.VERBOSE),
    # [市体育局,各区、县(市)政府,列第一位的为牵头单位,下同] / (市经信局、市财政局): bodies only
    "list": patterns.compile(r"[(\[【〔](?P<inner>(?:[^()\[\]【】〔〕\n]|\([^()\n]*\)|〔[^〔〕\n]*〕){2,120})[)\]】〕]"),
}
_INNER_LABEL = patterns.compile(rf"{SP}{_LABEL}{SP}:")
_SPACED_LABEL = patterns.compile(rf"[^\S\n]+{_LABEL}{SP}:")
_SPACED_FIELD = patterns.compile(r"[^\S\n]+\p{Han}{2,8}:")
_COOPERATE = patterns.compile(rf"{SP}(?:,{SP})?会同{SP}(?P<with>[^,。;\n]{{2,60}})"
                           rf"|{SP},{SP}(?P<names>[^。;:!?\n]{{2,120}}?){SP}(?:等(?:部门|单位)?{SP})?(?:配合|参与|协助)")
_ETC = patterns.compile(rf"{SP}等(?:有关)?(?:部门|单位)?{SP}$")
_WITH = patterns.compile(rf"{SP}会同{SP}")  # 由市经信局会同市财政局负责组织实施
# A heading line: 一、… / (一)… / 第一部分… with no sentence end before its bracket.
_HEADING = patterns.compile(r"(?:[一二三四五六七八九十]{1,3}、|\([一二三四五六七八九十]{1,4}\)|第[一二三四五六七八九十]{1,3}部分)[^。;\n]*")
_CONVENTION_PART = patterns.compile(rf"{FIRST_LEADS.pattern}|下同")


def find_responsibilities(text: str) -> list[dict]:
    """Every body named as lead, cooperating or responsible, in text order.

    Rows carry `list_index` (place in the list they were printed in) and `convention`
    (first_leads when a stated convention set the role; first_leads_below when the
    bracket also says 下同, for `apply_conventions`).
    """
    scan = fold(text)
    rows: list[dict] = []
    for m in _FORMS["label"].finditer(scan):
        rows += _bracket(text, scan, m.end(), LABELS[_squash(m["label"])])
    for m in _FORMS["line"].finditer(scan):
        rows += _line_label(text, scan, m)
    for m in _FORMS["by"].finditer(scan):
        rows += _by(text, scan, m)
    for m in _FORMS["subject"].finditer(scan, overlapped=True):
        rows += _subject(text, scan, m)
    for m in _FORMS["list"].finditer(scan):
        rows += _bare_list(text, scan, m)
    out, taken = [], []
    for row in rows:  # forms earlier in _FORMS win an overlap
        span = (row["char_start"], row["char_end"])
        if not any(s < span[1] and span[0] < e for s, e in taken):
            out.append(row)
            taken.append(span)
    out.sort(key=lambda r: r["char_start"])
    _bracket_conventions(scan, out)
    if (heading := _HEADING.match(scan)) is not None:
        for row in out:  # 一、扩大有效投资政策(由市发改委牵头实施): the lead of the whole part
            if row["char_start"] < heading.end() and row["form"] in ("by", "subject") and not row["convention"]:
                row["convention"] = "heading"
    return out


def labelled_list(text: str, label: str, breaks: tuple[int, ...] = ()) -> list[dict]:
    """The bodies of a list printed under `label` (a table's column header 牵头单位 /
    配合单位 …, LABELS), as rows of `find_responsibilities` (form "label"); [] when the
    header is no label. `breaks`: offsets in `text` where a printed line of the cell
    ended (pipeline.tables.Cell). Items that are no body ("—", "无") are left out."""
    role = LABELS.get(_squash(label))
    if role is None:
        return []
    scan = fold(text)
    rows, start = [], 0
    for end in [*_separating_breaks(scan, breaks), len(scan)]:
        rows += [r for r in _bracket(text, scan[:end], start, role) if gazetteer.is_body(r["text"])]
        start = end
    for i, row in enumerate(rows):
        row["list_index"] = i
    return rows


_ITEM_SEPARATORS = patterns.compile(r"[、,;]")


def _separating_breaks(scan: str, breaks: tuple[int, ...]) -> list[int]:
    """The line ends of a cell that separate two bodies; the others are wraps inside a
    name. A narrow column breaks names anywhere: "市行政" / "审批局" / "市司法" / "局"
    is 市行政审批局、市司法局. A line end separates when the name before it is a whole
    body and the next line starts one of its own ("市经信局" / "市财政局") or does not
    go on with it ("市行政审批局" / "市司法")."""
    out, last = [], 0
    for k, at in enumerate(breaks):
        nxt = breaks[k + 1] if k + 1 < len(breaks) else len(scan)
        tail = _ITEM_SEPARATORS.split(scan[last:at])[-1].strip()
        head = _ITEM_SEPARATORS.split(scan[at:nxt])[0].strip()
        if tail and head and gazetteer.is_body(tail) and (gazetteer.is_body(head) or not gazetteer.is_body(tail + head)):
            out.append(at)
            last = at
    return out


def apply_conventions(rows: list[dict]) -> list[dict]:
    """Rows in document order (one document, or several one after another: a new doc_id
    ends a convention) -> the same rows with carried conventions applied.

    "[市体育局,各区、县(市)政府,列第一位的为牵头单位,下同]": from that bracket on, every
    unlabelled list of bodies ("list" rows with no convention of their own) reads the
    same way: its first body leads, the others cooperate. Pure: rows are copied.
    """
    carried, out, doc = False, [], None
    for row in rows:
        row = dict(row)
        if row.get("doc_id") != doc:  # a convention never crosses into the next document
            carried, doc = False, row.get("doc_id")
        if row.get("convention") == "first_leads_below":
            carried = True
        elif carried and row.get("form") == "list" and not row.get("convention"):
            row["role"] = "lead" if row["list_index"] == 0 else "cooperating"
            row["convention"] = "first_leads"
        out.append(row)
    return out


_SPACE = patterns.compile(r"\s")


def apply_issuer(rows: list[dict], issuer: str | None) -> list[dict]:
    """Rows of one document -> the same rows with short names re-read for the document's issuer.

    The gazetteer's 市X / 省X are Hangzhou's and Zhejiang's. In a document issued by
    "菏泽市人民政府办公室", "市发展改革委" is 菏泽's: it keeps its printed name, known=False
    (never a guessed canonical name). Pure: rows are copied.
    """
    city_home, province_home = gazetteer.home_for(issuer)
    out = []
    for row in rows:
        row = dict(row)
        printed = gazetteer.key(row["text"])
        if row["known"] and ((printed.startswith("市") and not city_home)
                             or (printed.startswith("省") and not province_home)):
            row["department"], row["known"] = printed, False
        out.append(row)
    return out


def _squash(label: str) -> str:
    return _SPACE.sub("", label)


def _line_label(text: str, scan: str, m) -> list[dict]:
    """A label outside brackets: its list runs to the sentence or line end, and is taken
    only when every item is a body (no bracket says this is a list of bodies)."""
    rows = _bracket(text, scan, m.end(), LABELS[_squash(m["label"])], ends="。")
    if not rows or not all(gazetteer.is_body(r["text"]) for r in rows):
        return []
    return rows


def _bracket(text: str, scan: str, pos: int, role: str, ends: str = "") -> list[dict]:
    """Rows for the list after a label, up to the bracket that closes it (or the line end,
    or a character of `ends`).

    "," or ";" may start a new label: "(牵头单位:市科技局,配合单位:市发改委、市经信局)"; a
    part with a field of its own ends the lists: "(责任单位:市经信局;完成时限:2023年底前)".
    """
    rows, start = [], pos
    for end, sep in _items(scan, pos, ",;", ends):
        # "责任单位:市发改委 完成时限:2023年12月": a field of another kind after a space ends the list
        if (field := _SPACED_FIELD.search(scan, start, end)) and not _SPACED_LABEL.match(scan, field.start()):
            rows += _list(text, scan, start, field.start(), role, "label")
            break
        if ":" in scan[start:end] and not _SPACED_LABEL.search(scan, start, end):
            break        # 完成时限:2023年底前 is no body
        # "(牵头单位:市农业农村局 配合单位:市财政局)": a label after a space starts a new list too
        while (inner := _SPACED_LABEL.search(scan, start, end)) is not None:
            rows += _list(text, scan, start, inner.start(), role, "label")
            role, start = LABELS[_squash(inner["label"])], inner.end()
        rows += _list(text, scan, start, end, role, "label")
        start = end + 1
        if sep and (label := _INNER_LABEL.match(scan, start)):
            role, start = LABELS[_squash(label["label"])], label.end()
    return rows


def _by(text: str, scan: str, m) -> list[dict]:
    """由X牵头 / 由X负责 / 由X会同Y负责, and the cooperating bodies after it (,Y、Z等部门配合)."""
    start, end = m.span("names")
    if not _all_bodies(scan, start, end, allow_with=True):
        return []
    role = "lead" if m["lead"] else "responsible"
    rows = []
    if with_ := _WITH.search(scan, start, end):
        rows += _list(text, scan, start, with_.start(), role, "by")
        rows += _list(text, scan, with_.end(), end, "cooperating", "by")
    else:
        rows += _list(text, scan, start, end, role, "by")
    return rows + (_cooperating(text, scan, m.end(), "by") if role == "lead" else [])


def _subject(text: str, scan: str, m) -> list[dict]:
    """A clause that starts with bodies and a role verb: 市财政局负责资金保障 / X牵头,会同Y、Z."""
    start, end = m.span("names")
    if m["verb"] == "会同" or not _all_bodies(scan, start, end):
        return []
    role = VERBS[m["verb"]]
    rows = _list(text, scan, start, end, role, "subject")
    return rows + (_cooperating(text, scan, m.end(), "subject") if role == "lead" else [])


def _cooperating(text: str, scan: str, pos: int, form: str) -> list[dict]:
    """After a lead: ",Y、Z等部门配合" or ",会同Y、Z制定…" (the bodies run up to the first non-body)."""
    co = _COOPERATE.match(scan, pos)
    if not co:
        return []
    if co["names"] is not None:  # 区财政局、区水务局等部门,区国投公司、各街道办事处配合: lists may be comma-joined
        parts, start = [], co.start("names")
        for end, _ in _items(scan[:co.end("names")], start, ","):
            etc = _ETC.search(scan, start, end)
            parts.append((start, etc.start() if etc else end))
            start = end + 1
        if not all(_all_bodies(scan, a, b) for a, b in parts):
            return []
        rows = [row for a, b in parts for row in _list(text, scan, a, b, "cooperating", form)]
        for i, row in enumerate(rows):
            row["list_index"] = i
        return rows
    start = co.start("with")
    end = _bodies_end(scan, start, co.end("with"))
    return _list(text, scan, start, end, "cooperating", form) if end else []


def _bodies_end(scan: str, start: int, limit: int) -> int | None:
    """End of the longest list of bodies starting at `start`: "市财政局、市经信局制定…" -> after 市经信局."""
    for end in range(limit, start + 1, -1):
        if scan[end - 1] not in "、和及" and _all_bodies(scan, start, end):
            return end
    return None


def _bare_list(text: str, scan: str, m) -> list[dict]:
    """An unlabelled bracket whose parts are all bodies or conventions, at a sentence's end."""
    before = scan[:m.start()].rstrip(" ")
    after = scan[m.end():].lstrip(" ")
    if not (before == "" or before[-1] in "。;.\n" or after == "" or after[0] in "。;\n"):
        return []
    rows, start = [], m.start("inner")
    for end, _ in _items(scan, start, ",;"):
        part = scan[start:end].strip()
        if part and not _CONVENTION_PART.fullmatch(part):
            if not _all_bodies(scan, start, end):
                return []
            rows += _list(text, scan, start, end, "responsible", "list")
        start = end + 1
    for i, row in enumerate(rows):
        row["list_index"] = i
    return rows


def _bracket_conventions(scan: str, rows: list[dict]) -> None:
    """First-leads conventions stated inside a bracket, on that bracket's rows."""
    for m in _FORMS["list"].finditer(scan):
        if not FIRST_LEADS.search(m["inner"]):
            continue
        inside = [r for r in rows if m.start() < r["char_start"] < m.end()]
        below = bool(SAME_BELOW.search(m["inner"]))
        for i, row in enumerate(inside):
            row["role"] = "lead" if i == 0 else "cooperating"
            row["convention"] = "first_leads_below" if below else "first_leads"


def _all_bodies(scan: str, start: int, end: int, allow_with: bool = False) -> bool:
    """Whether every item of the list scan[start:end] is a body (listed or by shape)."""
    spans = []
    if allow_with and (w := _WITH.search(scan, start, end)):
        spans = [(start, w.start()), (w.end(), end)]
    else:
        spans = [(start, end)]
    for s, e in spans:
        items = list(_split(scan, s, e))
        if not items or not all(gazetteer.is_body(scan[a:b]) for a, b in items):
            return False
    return True


def _list(text: str, scan: str, start: int, end: int, role: str, form: str) -> list[dict]:
    """Rows for the names of "市教育局、市经信局、市财政局" (和 / 及 join two bodies too)."""
    rows = []
    for a, b in _split(scan, start, end):
        rows += _names(text, scan, a, b, role, form)
    for i, row in enumerate(rows):
        row["list_index"] = i
    return rows


_AND = patterns.compile(r"以及|和|及|与")


def _split(scan: str, start: int, end: int):
    """(start, end) of each item of a list: split at 、, then at 和/及 where both sides are bodies.

    "省财政厅和各市、县〔区〕人民政府" -> 省财政厅 | 各市、县〔区〕人民政府 (but 经济和信息化局 stays whole).
    """
    for stop, _ in _items(scan[:end], start, "、"):
        a, b = start, stop
        parts = []
        for m in _AND.finditer(scan, a, b):
            left, right = scan[a:m.start()].strip(), scan[m.end():b].strip()
            if gazetteer.is_body(left) and gazetteer.is_body(right):
                parts = [(a, m.start()), (m.end(), b)]
                break
        yield from (parts or [(a, b)])
        start = stop + 1


def _items(scan: str, pos: int, separators: str, ends: str = ""):
    """(end, separator) of each item from pos, splitting outside parentheses only, until a
    closing bracket, a line break, a character of `ends` or the end (separator None for
    the last)."""
    depth = 0
    for i in range(pos, len(scan)):
        ch = scan[i]
        if ch in _OPENERS:
            depth += 1
        elif ch in _CLOSERS and depth:
            depth -= 1
        elif ch == "\n" or ch in _CLOSERS or (depth == 0 and ch in ends):
            break
        elif depth == 0 and ch in separators and not (ch == "、" and _glued(scan, i)):
            yield i, ch
    else:
        i = len(scan)
    yield i, None


_ADMIN = "省市区县乡镇"


def _glued(scan: str, i: int) -> bool:
    """区、县 in 各区、县(市)政府 and 市、县 in 各市、县〔区〕人民政府 are one collective item."""
    return (scan[i - 1:i] in tuple(_ADMIN) and scan[i + 1:i + 2] in tuple(_ADMIN)
            and (i < 2 or scan[i - 2] in "各、" or scan[i - 2].isspace()))


_NOTE = patterns.compile(r"(?P<main>[^()]+?)\s*\((?P<inner>[^()]+)\)")


def _names(text: str, scan: str, start: int, end: int, role: str, form: str) -> list[dict]:
    """One item of a list, "市商务局(杭州自贸片区管委会)" giving two bodies."""
    while start < end and scan[start].isspace():
        start += 1
    while end > start and (scan[end - 1].isspace() or scan[end - 1] == "等"):
        end -= 1
    if end - start < 2:
        return []
    note = _NOTE.fullmatch(scan[start:end])
    if note and not gazetteer.looks_like_body(scan[start:end]):
        inner = _squash(note["inner"])
        main_end = start + note.end("main")
        if inner in ROLE_NOTES:
            return [_row(text, start, main_end, ROLE_NOTES[inner], form)]
        if gazetteer.resolve(inner)[1] or inner.endswith(ORG_ENDINGS):
            return [_row(text, start, main_end, role, form),
                    _row(text, start + note.start("inner"), start + note.end("inner"), role, form)]
    return [_row(text, start, end, role, form)]


def _row(text: str, start: int, end: int, role: str, form: str) -> dict:
    department, known = gazetteer.resolve(text[start:end])
    return {"char_start": start, "char_end": end, "text": text[start:end],
            "department": department, "role": role, "known": known,
            "level": gazetteer.level(text[start:end]), "form": form, "list_index": 0, "convention": None}
