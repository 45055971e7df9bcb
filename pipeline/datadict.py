"""Generate the data dictionary (docs/data-dictionary.md) from schemas/.

schemas/ is the single source of truth; this page is derived from it and a test
checks that the committed copy is current (`python -m pipeline docs` rewrites it).
"""
from __future__ import annotations

import json

from .dataset import load_schema, table_names

STAGE_ORDER = ["ingest", "structure", "segment", "extract", "dataset", "diff"]


def _cell(value) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
    return text.replace("|", "\\|").replace("\n", "\\n")


def data_dictionary() -> str:
    specs = [load_schema(t) for t in table_names()]
    specs.sort(key=lambda s: (STAGE_ORDER.index(s.get("stage", "dataset")) if s.get("stage") in STAGE_ORDER else 99,
                              s["table"]))
    out = ["# Data dictionary", "",
           "Generated from `schemas/*.json` by `python -m pipeline docs`; do not edit by hand.", "",
           "Every table is Parquet, partitioned by edition: `extracted/<table>/edition=<ID>/part-0.parquet`.",
           "", "| table | stage | rows are | key |", "| --- | --- | --- | --- |"]
    out += [f"| [`{s['table']}`](#{s['table']}) | {s.get('stage', '')} | {s['description']} | "
            f"{', '.join(s.get('key', []))} |" for s in specs]
    for s in specs:
        out += ["", f"## {s['table']}", "", s["description"], "",
                f"Key: `{', '.join(s.get('key', []))}`.", "",
                "| column | type | null | meaning | example |", "| --- | --- | --- | --- | --- |"]
        for c in s["columns"]:
            out.append(f"| `{c['name']}` | {c['type']} | {'yes' if c.get('nullable', True) else 'no'} | "
                       f"{_cell(c['description'])} | {_cell(c.get('example'))} |")
        example = {c["name"]: c.get("example") for c in s["columns"]}
        out += ["", "Example row:", "", "```json", json.dumps(example, ensure_ascii=False), "```"]
    return "\n".join(out) + "\n"
