"""What changed between two editions: a pure function from two editions' rows to
`changes` rows.

Editions are re-paginated, renumbered and re-wrapped; none of that is a change.
Documents are matched by identity (document number, else normalized title; a partial
document by its text), sections by label path within a matched document (falling
back to text similarity when clauses were renumbered), and extracted values by their
section, kind, slot (category / role) and order. Department names are compared by
their canonical gazetteer name, so 杭州市科学技术局 and 市科技局 are the same.

Changes are reported at the highest level that explains them: a removed document is
one row (not one per clause), an added clause is one row, and a clause whose wording
changed while its extracted values did not is one `section changed` row.
"""
from __future__ import annotations

from dataclasses import dataclass, field
import datetime as dt
from decimal import Decimal
from difflib import SequenceMatcher

import regex

from . import gazetteer

ENTITIES = {  # entity name -> (table, slot column)
    "amount": ("amounts", "category"),
    "percentage": ("percentages", "base"),
    "date": ("dates", "role"),
    "responsibility": ("responsibilities", "role"),
}
TABLES = ["documents", "sections", "pages"] + [t for t, _ in ENTITIES.values()]
DOCUMENT_FIELDS = ["title", "issuer", "doc_number", "norm_code"]
SECTION_MATCH = 0.6     # text similarity for pairing sections whose labels moved
DOCUMENT_MATCH = 0.8    # text similarity for pairing documents without a shared identity


@dataclass
class Edition:
    """The rows of one edition that the diff reads, table -> list of dicts."""
    name: str
    tables: dict[str, list[dict]] = field(default_factory=dict)

    def rows(self, table: str) -> list[dict]:
        return self.tables.get(table, [])


# ---------------------------------------------------------------- comparable forms

_ALIASES: regex.Pattern | None = None


def canonical_text(text: str) -> str:
    """Text with layout and naming noise removed: whitespace, and department aliases."""
    global _ALIASES
    if _ALIASES is None:
        names = sorted(gazetteer.names(), key=len, reverse=True)
        _ALIASES = regex.compile("|".join(regex.escape(n) for n in names))
    text = regex.sub(r"\s+", "", text)
    return _ALIASES.sub(lambda m: gazetteer.resolve(m[0])[0], text)


def similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    return matcher.ratio() if matcher.quick_ratio() > 0.3 else 0.0


def value_of(entity: str, row: dict) -> str:
    """The value compared and reported: yuan, fraction, ISO date, canonical department."""
    if entity == "amount":
        if row.get("value_yuan") is not None:
            return _plain(row["value_yuan"])
        return f"{_plain(row.get('low_yuan'))}-{_plain(row.get('high_yuan'))}"
    if entity == "percentage":
        return _plain(row["value"])
    if entity == "date":
        return row["value"]
    return gazetteer.resolve(row["department"])[0]


def _plain(value) -> str:
    if value is None:
        return ""
    text = format(Decimal(str(value)).normalize(), "f")
    return text


# ---------------------------------------------------------------- matching

def match_documents(old: list[dict], new: list[dict]) -> tuple[list[tuple[dict, dict]], list[dict], list[dict]]:
    pairs, new_left = [], {d["doc_id"]: d for d in new}
    old_left = []
    for d in old:
        if d["doc_id"] in new_left:
            pairs.append((d, new_left.pop(d["doc_id"])))
        else:
            old_left.append(d)
    # No shared identity (a partial document, a retitled one): compare their text.
    for d in list(old_left):
        best = max(new_left.values(), key=lambda n: _doc_similarity(d, n), default=None)
        if best is not None and _doc_similarity(d, best) >= DOCUMENT_MATCH:
            pairs.append((d, best))
            old_left.remove(d)
            del new_left[best["doc_id"]]
    return pairs, old_left, list(new_left.values())


def _doc_similarity(a: dict, b: dict) -> float:
    if a.get("title") and b.get("title") and not (a.get("partial") or b.get("partial")):
        return similarity(canonical_text(a["title"]), canonical_text(b["title"]))
    return similarity(canonical_text(a["text"])[:3000], canonical_text(b["text"])[:3000])


def match_sections(old: list[dict], new: list[dict]) -> tuple[list[tuple[dict, dict]], list[dict], list[dict]]:
    """Pairs by label path (when the text still looks alike), then by text similarity."""
    text = {id(s): canonical_text(s["text"]) for s in old + new}
    by_path = {s["path"]: s for s in new}
    pairs, old_left, taken = [], [], set()
    for s in old:
        twin = by_path.get(s["path"])
        if twin is not None and ((s.get("title") and s.get("title") == twin.get("title"))
                                 or similarity(text[id(s)], text[id(twin)]) >= 0.5):
            pairs.append((s, twin))
            taken.add(id(twin))
        else:
            old_left.append(s)
    new_left = [s for s in new if id(s) not in taken]
    scored = sorted(((similarity(text[id(a)], text[id(b)]), i, j) for i, a in enumerate(old_left)
                     for j, b in enumerate(new_left)), reverse=True)
    used_old, used_new = set(), set()
    for score, i, j in scored:
        if score < SECTION_MATCH:
            break
        if i not in used_old and j not in used_new:
            pairs.append((old_left[i], new_left[j]))
            used_old.add(i)
            used_new.add(j)
    return (pairs, [s for i, s in enumerate(old_left) if i not in used_old],
            [s for j, s in enumerate(new_left) if j not in used_new])


def align_values(entity: str, old: list[dict], new: list[dict]) -> list[tuple[str, dict | None, dict | None]]:
    """(change, old row, new row) for values that differ, slot by slot, in text order."""
    slot = ENTITIES[entity][1]
    out = []
    for key in dict.fromkeys([r.get(slot) for r in old + new]):
        a = sorted((r for r in old if r.get(slot) == key), key=lambda r: (r["char_start"]))
        b = sorted((r for r in new if r.get(slot) == key), key=lambda r: (r["char_start"]))
        va, vb = [value_of(entity, r) for r in a], [value_of(entity, r) for r in b]
        for op, i1, i2, j1, j2 in SequenceMatcher(None, va, vb, autojunk=False).get_opcodes():
            if op == "equal":
                continue
            for k in range(max(i2 - i1, j2 - j1)):
                ra = a[i1 + k] if i1 + k < i2 else None
                rb = b[j1 + k] if j1 + k < j2 else None
                out.append(("changed" if ra and rb else "removed" if ra else "added", ra, rb))
    return out


# ---------------------------------------------------------------- the diff

def diff_editions(old: Edition, new: Edition) -> list[dict]:
    """`changes` rows, grouped by document in the new edition's order."""
    changes: list[dict] = []
    printed = {e.name: {p["page"]: p.get("printed_page") for p in e.rows("pages")} for e in (old, new)}
    doc_pairs, removed, added = match_documents(old.rows("documents"), new.rows("documents"))
    sections_of = {e.name: _group(e.rows("sections"), "doc_id") for e in (old, new)}
    values_of = {e.name: {name: _group(e.rows(table), "section_id") for name, (table, _) in ENTITIES.items()}
                 for e in (old, new)}
    for d in removed:
        changes.append(_row("removed", "document", d, None, old_text=d.get("title"), old_page=d["page_start"]))
    for od, nd in sorted(doc_pairs, key=lambda p: p[1]["page_start"]):
        for name in DOCUMENT_FIELDS:
            if (od.get(name) or None) != (nd.get(name) or None) and not (
                    name == "title" and canonical_text(od[name] or "") == canonical_text(nd[name] or "")):
                changes.append(_row("changed", "document", od, nd, old_value=od.get(name), new_value=nd.get(name),
                                    old_text=name, new_text=name, old_page=od["page_start"], new_page=nd["page_start"]))
        pairs, gone, new_secs = match_sections(sections_of[old.name].get(od["doc_id"], []),
                                               sections_of[new.name].get(nd["doc_id"], []))
        for s in gone:
            changes.append(_row("removed", "section", od, nd, section=s, old_text=s["text"], old_page=s["page_start"]))
        for s in new_secs:
            changes.append(_row("added", "section", od, nd, section=s, new_text=s["text"], new_page=s["page_start"]))
        for os_, ns in sorted(pairs, key=lambda p: p[1]["section_order"]):
            value_changes = []
            for entity in ENTITIES:
                rows_old = values_of[old.name][entity].get(os_["section_id"], [])
                rows_new = values_of[new.name][entity].get(ns["section_id"], [])
                for change, ra, rb in align_values(entity, rows_old, rows_new):
                    value_changes.append(_row(
                        change, entity, od, nd, section=ns if rb else os_, clause=(rb or ra).get("clause"),
                        old_value=ra and _surface_value(entity, ra), new_value=rb and _surface_value(entity, rb),
                        old_text=ra and ra.get("sentence"), new_text=rb and rb.get("sentence"),
                        old_page=ra and ra["page"], new_page=rb and rb["page"], old_mention=ra, new_mention=rb))
            changes += value_changes
            if not value_changes and canonical_text(os_["text"]) != canonical_text(ns["text"]):
                changes.append(_row("changed", "section", od, nd, section=ns, old_text=os_["text"],
                                    new_text=ns["text"], old_page=os_["page_start"], new_page=ns["page_start"]))
    for d in added:
        changes.append(_row("added", "document", None, d, new_text=d.get("title"), new_page=d["page_start"]))
    for c in changes:
        c["old_edition"], c["new_edition"] = old.name, new.name
        c["old_printed_page"] = printed[old.name].get(c["old_page"]) if c["old_page"] is not None else None
        c["new_printed_page"] = printed[new.name].get(c["new_page"]) if c["new_page"] is not None else None
    return changes


def _surface_value(entity: str, row: dict) -> str:
    """What an analyst reads in the report: departments as printed, others as values."""
    return row["text"] if entity == "responsibility" else value_of(entity, row)


def _group(rows: list[dict], key: str) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for r in rows:
        out.setdefault(r[key], []).append(r)
    return out


def _row(change: str, entity: str, old_doc: dict | None, new_doc: dict | None, section: dict | None = None,
         old_value=None, new_value=None, old_text=None, new_text=None, old_page=None, new_page=None,
         clause: str | None = None, old_mention: dict | None = None, new_mention: dict | None = None) -> dict:
    doc = new_doc or old_doc
    mention = new_mention or old_mention or {}
    metadata = entity == "document" and change == "changed"
    return {
        "clause_path": _clause_path(section), "clause_title": section.get("title") if section else None,
        "field": old_text if metadata else None,
        "category": mention.get("category"), "role": mention.get("role"), "base": mention.get("base"),
        "purpose": mention.get("purpose"),
        **_typed("old", entity, old_mention), **_typed("new", entity, new_mention),
        "change": change, "entity": entity,
        "doc_id": doc["doc_id"], "doc_title": doc.get("title"),
        "old_seq": old_doc.get("seq") if old_doc else None,
        "new_seq": new_doc.get("seq") if new_doc else None,
        "section_id": section["section_id"] if section else None,
        "clause": clause if clause is not None else _clause(section),
        "old_value": old_value, "new_value": new_value,
        "old_text": old_text, "new_text": new_text,
        "old_page": old_page, "new_page": new_page,
    }


def _clause_path(section: dict | None) -> str | None:
    """The label path (二/(五)), which tells (二) of 一 from (二) of 三; null outside clauses."""
    if not section or section["kind"] in ("preamble", "closing") or section["path"] == "_lead":
        return section["kind"] if section and section["kind"] in ("preamble", "closing") else None
    return section["path"]


def _typed(side: str, entity: str, row: dict | None) -> dict:
    """The value as printed and as its type: yuan, fraction, date, canonical department."""
    out = {f"{side}_printed": None, f"{side}_yuan": None, f"{side}_fraction": None, f"{side}_date": None,
           f"{side}_department": None}
    if row is None:
        return out
    out[f"{side}_printed"] = row.get("text")
    if entity == "amount":
        out[f"{side}_yuan"] = row.get("value_yuan")
    elif entity == "percentage":
        out[f"{side}_fraction"] = row.get("value")
    elif entity == "date":
        try:
            out[f"{side}_date"] = dt.date.fromisoformat(row["value"])
        except (TypeError, ValueError):   # a year or month (2025, 2025-06) is no day
            pass
    elif entity == "responsibility":
        out[f"{side}_department"] = gazetteer.resolve(row["department"])[0]
    return out


def _clause(section: dict | None) -> str | None:
    if not section or section["kind"] in ("preamble", "closing") or section["path"] == "_lead":
        return None
    return section["label"]


# ---------------------------------------------------------------- reports

CHANGE_MARK = {"added": "+", "removed": "-", "changed": "~"}


def changed_sentence(old: str, new: str) -> tuple[str, str]:
    """The first sentence that differs between two versions of a section's text."""
    split = lambda text: [s for s in regex.split(r"(?<=[。;!?])|\n", text) if s and s.strip()]  # noqa: E731
    a, b = split(old), split(new)
    for op, i1, i2, j1, j2 in SequenceMatcher(None, [canonical_text(x) for x in a],
                                              [canonical_text(x) for x in b], autojunk=False).get_opcodes():
        if op != "equal":
            return "".join(a[i1:i2]), "".join(b[j1:j2])
    return old, new


def summary_line(changes: list[dict]) -> str:
    """"2 added, 1 removed, 6 changed" — every report format has it."""
    if not changes:
        return "no changes"
    return ", ".join(f"{sum(c['change'] == k for c in changes)} {k}" for k in CHANGE_MARK)


def describe(c: dict) -> str:
    """The change in the words of the page: values as printed (600 万元 → 800 万元)."""
    if c["entity"] == "section" and c["change"] == "changed":
        old, new = changed_sentence(c["old_text"] or "", c["new_text"] or "")
        return f"{_short(old, 80)} → {_short(new, 80)}"
    if c["entity"] in ("document", "section") and c["old_value"] is None and c["new_value"] is None:
        text = c["new_text"] if c["change"] != "removed" else c["old_text"]
        return _short(text)
    old, new = _shown(c, "old"), _shown(c, "new")
    if c.get("field"):
        old, new = f"{c['field']}: {old}", new
    if c["change"] == "changed":
        return f"{old} → {new}"
    return new if c["change"] == "added" else old


def _shown(c: dict, side: str) -> str:
    printed, value = c.get(f"{side}_printed"), c[f"{side}_value"]
    if c["entity"] == "responsibility" and printed and c.get(f"{side}_department") not in (None, printed):
        return f"{printed} ({c[f'{side}_department']})"
    return str(printed or value)


def what(c: dict) -> str:
    """The entity with its slot: amount (Ⅰ期, subsidy_cap), date (expiry), responsibility (lead)."""
    details = [d for d in (c.get("category"), c.get("role"), c.get("base") and f"of {c['base']}",
                           c.get("purpose") if c.get("purpose") not in (None, "other") else None) if d]
    return f"{c['entity']} ({', '.join(details)})" if details else c["entity"]


def where(c: dict) -> str:
    """The clause path with its title: 二/(五) 支持创新药品研发."""
    path = c.get("clause_path") or c.get("clause") or ""
    return f"{path} {c['clause_title']}".strip() if c.get("clause_title") and path not in ("preamble", "closing") else path


def _short(text: str | None, width: int = 60) -> str:
    text = (text or "").replace("\n", " ")
    return text if len(text) <= width else text[:width - 1] + "…"


def _page(c: dict, side: str) -> str:
    page, printed = c[f"{side}_page"], c.get(f"{side}_printed_page")
    if page is None:
        return "–"
    return f"{page} (p. {printed})" if printed is not None else str(page)


def _pages(c: dict) -> str:
    return f"{_page(c, 'old')} → {_page(c, 'new')}"


def by_document(changes: list[dict]) -> list[tuple[str, list[dict]]]:
    groups: dict[str, list[dict]] = {}
    for c in changes:
        seq = f"{c['old_seq'] or '–'}→{c['new_seq'] or '–'}"
        groups.setdefault(f"{c['doc_title'] or '(untitled document)'} [{seq}]", []).append(c)
    return list(groups.items())


def to_markdown(changes: list[dict], old: str, new: str) -> str:
    lines = [f"# Changes from {old} to {new}", "", summary_line(changes), ""]
    if not changes:
        return "\n".join(lines)
    for title, rows in by_document(changes):
        lines += [f"## {title}", "", "| change | what | clause | value | pages (file page (printed page)) |",
                  "| --- | --- | --- | --- | --- |"]
        for c in rows:
            cells = [c["change"], what(c), where(c), describe(c), _pages(c)]
            lines.append("| " + " | ".join(x.replace("|", "\\|") for x in cells) + " |")
        lines.append("")
    return "\n".join(lines)


def to_rich(changes: list[dict], old: str, new: str, console) -> None:
    """The human report on a terminal: one table per document, then the summary line."""
    from rich.table import Table

    for title, rows in by_document(changes):
        table = Table(title=title, title_justify="left", show_lines=False, expand=False)
        for column in ("", "what", "clause", "value", "pages"):
            table.add_column(column, overflow="fold")
        for c in rows:
            style = {"added": "green", "removed": "red", "changed": "yellow"}[c["change"]]
            table.add_row(f"[{style}]{CHANGE_MARK[c['change']]}[/]", what(c), where(c), describe(c), _pages(c))
        console.print(table)
    console.print(f"{old} → {new}: {summary_line(changes)}")
