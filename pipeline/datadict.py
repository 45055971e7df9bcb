"""Generate the data dictionary (docs/data-dictionary.md) from schemas/.

schemas/ is the single source of truth; this page is derived from it, and
tests/test_datadict.py checks that the committed copy is current
(`python -m pipeline docs` rewrites it, `--check` only compares).
"""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

from . import dataset
from .dataset import load_schema, required, table_names

STAGE_ORDER = ["ingest", "structure", "segment", "extract", "dataset", "diff"]


def _cell(value) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
    return text.replace("|", "\\|").replace("\n", "\\n")


def _references(spec: dict) -> str:
    refs = []
    for fk in spec.get("foreignKeys", []):
        own = [c for c in fk["fields"] if c != "edition"]
        theirs = [c for c in fk["reference"]["fields"] if c != "edition"]
        refs.append(f"`{', '.join(own)}` → `{fk['reference']['resource']}.{', '.join(theirs)}`")
    return "; ".join(refs)


def data_dictionary() -> str:
    specs = [load_schema(t) for t in table_names()]
    specs.sort(key=lambda s: (STAGE_ORDER.index(s.get("stage", "dataset")) if s.get("stage") in STAGE_ORDER else 99,
                              s["name"]))
    out = ["# Data dictionary", "",
           "Generated from `schemas/*.json` (Frictionless Table Schema) by `python -m pipeline docs`; "
           "do not edit by hand.", "",
           "Every table is Parquet, one file per edition: `extracted/<table>/<ID>/part-0.parquet`, "
           "each holding the `edition` column as a string. `extracted/datapackage.json` describes them "
           "for Frictionless tools. Examples are taken from a real build of `raw/2023.pdf`.",
           "", "| table | stage | rows are | key |", "| --- | --- | --- | --- |"]
    out += [f"| [`{s['name']}`](#{s['name']}) | {s.get('stage', '')} | {s['description']} | "
            f"{', '.join(s.get('primaryKey', []))} |" for s in specs]
    for s in specs:
        out += ["", f"## {s['name']}", "", s["description"], "",
                f"Key: `{', '.join(s.get('primaryKey', []))}`."]
        if s.get("foreignKeys"):
            out += ["", f"References (within the edition): {_references(s)}."]
        out += ["", "| column | type | null | values | meaning | example |",
                "| --- | --- | --- | --- | --- | --- |"]
        for f in s["fields"]:
            enum = f.get("constraints", {}).get("enum")
            values = _cell(" | ".join(map(str, enum))) if enum else ""
            out.append(f"| `{f['name']}` | {f['arrowType']} | {'no' if required(f) else 'yes'} | "
                       f"{values} | "
                       f"{_cell(f['description'])} | {_cell(f.get('example'))} |")
        example = {f["name"]: f.get("example") for f in s["fields"]}
        out += ["", "Example row:", "", "```json", json.dumps(example, ensure_ascii=False), "```"]
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- schema files

def schema_json(spec: dict) -> str:
    """A schema as written in schemas/: one field (and one foreign key) per line, so that a
    diff of a schema change is one line per column."""
    lines = ["{"]
    items = list(spec.items())
    for i, (k, v) in enumerate(items):
        comma = "," if i < len(items) - 1 else ""
        if k in ("fields", "foreignKeys"):
            lines.append(f'  "{k}": [')
            for j, f in enumerate(v):
                lines.append("    " + json.dumps(f, ensure_ascii=False) + ("," if j < len(v) - 1 else ""))
            lines.append("  ]" + comma)
        else:
            lines.append(f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}{comma}")
    return "\n".join(lines) + "\n}\n"


# ---------------------------------------------------------------- examples from a real build

MAX_TEXT = 100      # longer example strings are cut, ending in "…"
MAX_ITEMS = 3       # longer example lists keep their first items


def example_value(value):
    """A cell of a real row as a short JSON example: Decimal 6000000.0000 -> 6000000,
    dates as ISO strings, long text cut with '…', long lists cut to their first items."""
    if isinstance(value, Decimal):
        value = value.normalize()
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and len(value) > MAX_TEXT:
        return value[:MAX_TEXT] + "…"
    if isinstance(value, list):
        return [example_value(v) for v in value[:MAX_ITEMS]]
    if isinstance(value, dict):
        return {k: example_value(v) for k, v in value.items()}
    return value


def example_row(rows: list[dict]) -> dict | None:
    """The most informative real row: the one with the fewest null or empty cells (first of ties)."""
    def filled(row):
        return sum(v is not None and v != [] and v != "" and v is not False for v in row.values())
    return max(rows, key=filled) if rows else None


def refresh_examples(data: Path, edition: str) -> list[str]:
    """Set every field's `example` in schemas/ from the edition's most informative row;
    returns the tables updated (a table without rows in that edition keeps its examples)."""
    updated = []
    for table in table_names():
        path = dataset.partition_dir(data, table, edition) / "part-0.parquet"
        if not path.exists():
            continue
        row = example_row(dataset.read_rows(data, table, edition))
        if row is None:
            continue
        spec = load_schema(table)
        for f in spec["fields"]:
            if f["name"] in row:
                f["example"] = example_value(row[f["name"]])
        (dataset.SCHEMA_DIR / f"{table}.json").write_text(schema_json(spec), "utf-8")
        updated.append(table)
    load_schema.cache_clear()
    return updated
