"""Generate the data dictionary (docs/data-dictionary.md) from schemas/.

schemas/ is the single source of truth; this page is derived from it, and
tests/test_datadict.py checks that the committed copy is current
(`python -m pipeline docs` rewrites it, `--check` only compares).
"""
from __future__ import annotations

import json

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
            values = _cell(" | ".join(enum)) if enum else ""
            out.append(f"| `{f['name']}` | {f['arrowType']} | {'no' if required(f) else 'yes'} | "
                       f"{values} | "
                       f"{_cell(f['description'])} | {_cell(f.get('example'))} |")
        example = {f["name"]: f.get("example") for f in s["fields"]}
        out += ["", "Example row:", "", "```json", json.dumps(example, ensure_ascii=False), "```"]
    return "\n".join(out) + "\n"
