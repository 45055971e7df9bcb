"""Convert schemas/*.json from the old home-made format to Frictionless Table Schema.

    python tools/schemas_to_frictionless.py [FILE ...]     # default: every schemas/*.json

Re-runnable and idempotent: a file already in Frictionless vocabulary (`fields`, no
`columns`) is left byte for byte as it is; an old-format file (`table`, `key`, `columns`)
is rewritten; a converted file to which someone appended an old-style `columns` list gets
those columns converted and added to its `fields`.

Old column -> Frictionless field:
  {"name", "type": "decimal(24,4)", "nullable": false, "partition": true, "description", "example"}
  -> {"name", "type": "number", "arrowType": "decimal(24,4)", "partition": true,
      "constraints": {"required": true, "enum": [...]}, "description", "example"}
`arrowType` (the exact Parquet type), `partition`, `example` and the table's `stage` are
custom properties, which Table Schema allows. `enum` comes from an explicit "enum" list in
the old column, else from prose of the form "exact | max (最高, …) | min (…)" (a trailing
"| null" means nullable, not a value). `key` -> `primaryKey`. Foreign keys follow the
column names every edition table shares (doc_id -> documents, section_id and parent_id ->
sections, page -> pages), scoped by edition; an old "foreignKeys" list is kept.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schemas"

# Columns that point into another table of the same edition: column -> (table, column).
REFERENCES = {
    "doc_id": ("documents", "doc_id"),
    "section_id": ("sections", "section_id"),
    "parent_id": ("sections", "section_id"),
    "page": ("pages", "page"),
}

# Field order of a converted column (json keeps insertion order; readable diffs).
FIELD_ORDER = ["name", "type", "arrowType", "partition", "constraints", "description", "example"]


def frictionless_type(arrow: str) -> str:
    """Arrow type spec -> Table Schema type ('decimal(24,4)' -> number, 'list<…>' -> array)."""
    arrow = arrow.strip()
    if arrow.startswith("list<"):
        return "array"
    if arrow.startswith("struct<"):
        return "object"
    if arrow.startswith("decimal("):
        return "number"
    simple = {"string": "string", "bool": "boolean", "float64": "number", "float32": "number",
              "date": "date", "timestamp": "datetime"}
    if arrow in simple:
        return simple[arrow]
    if re.fullmatch(r"u?int(8|16|32|64)", arrow):
        return "integer"
    raise ValueError(f"unknown column type {arrow!r}")


# "How the value is qualified: exact | max (最高, …) | range (low/high set)." ->
# ['exact', 'max', 'range']: every alternative is a bare identifier, optionally followed by
# a parenthesised gloss; a lone "null" alternative is dropped (it means the column is nullable).
_ALTERNATIVE = re.compile(r"\s*([a-z][a-z0-9_]*)\s*(?:\([^|]*\))?\s*[.;]?\s*")


def enum_from_prose(description: str) -> list[str] | None:
    head, sep, _ = description.partition(". ")          # "… | other. Cue words: …" ends the list
    text = head if sep else description
    if " | " not in text:
        return None
    if ": " in text.split(" | ", 1)[0]:
        text = text.split(" | ", 1)[0].rsplit(": ", 1)[1] + " | " + text.split(" | ", 1)[1]
    values = []
    for part in text.split(" | "):
        m = _ALTERNATIVE.fullmatch(part)
        if not m:
            return None
        values.append(m[1])
    values = [v for v in values if v != "null"]
    return values if len(values) >= 2 else None


def convert_column(column: dict) -> dict:
    field = {"name": column["name"], "type": frictionless_type(column["type"]), "arrowType": column["type"]}
    if column.get("partition"):
        field["partition"] = True
    constraints = {"required": not column.get("nullable", True)}
    enum = column.get("enum") or (enum_from_prose(column.get("description", ""))
                                  if column["type"] == "string" else None)
    if enum:
        constraints["enum"] = list(enum)
    field["constraints"] = constraints
    for key in ("description", "example"):
        if key in column:
            field[key] = column[key]
    extra = {k: v for k, v in column.items()
             if k not in {"name", "type", "nullable", "partition", "enum", "description", "example"}}
    field.update(extra)                                   # any other custom property, kept as is
    return {k: field[k] for k in FIELD_ORDER if k in field} | {k: v for k, v in field.items() if k not in FIELD_ORDER}


def foreign_keys(table: str, names: list[str]) -> list[dict]:
    if "edition" not in names:
        return []                                         # not an edition table (changes)
    keys = []
    for column, (target, target_column) in REFERENCES.items():
        if column in names and not (table == target and column == target_column):
            keys.append({"fields": ["edition", column],
                         "reference": {"resource": target, "fields": ["edition", target_column]}})
    return keys


def convert(spec: dict) -> dict:
    """One schema document, old or new format -> Frictionless. New-format input is returned unchanged."""
    if "columns" not in spec:
        return spec
    if "fields" in spec:                                  # converted file + old-style columns appended
        have = {f["name"] for f in spec["fields"]}
        added = [convert_column(c) for c in spec["columns"] if c["name"] not in have]
        out = {k: v for k, v in spec.items() if k != "columns"}
        out["fields"] = spec["fields"] + added
        names = [f["name"] for f in out["fields"]]
        known = {json.dumps(k, sort_keys=True) for k in out.get("foreignKeys", [])}
        extra_keys = [k for k in foreign_keys(out["name"], names) if json.dumps(k, sort_keys=True) not in known]
        if extra_keys or out.get("foreignKeys"):
            out["foreignKeys"] = out.get("foreignKeys", []) + extra_keys
        return out
    fields = [convert_column(c) for c in spec["columns"]]
    names = [f["name"] for f in fields]
    out = {"name": spec["table"], "description": spec["description"]}
    if "stage" in spec:
        out["stage"] = spec["stage"]
    out["fields"] = fields
    if spec.get("key"):
        out["primaryKey"] = list(spec["key"])
    fks = spec.get("foreignKeys") or foreign_keys(spec["table"], names)
    if fks:
        out["foreignKeys"] = fks
    for k, v in spec.items():                             # other top-level custom properties
        if k not in {"table", "description", "stage", "columns", "key", "foreignKeys"}:
            out[k] = v
    return out


def dump(spec: dict) -> str:
    """The layout of schemas/ files (pipeline.datadict.schema_json, one field per line)."""
    sys.path.insert(0, str(ROOT))
    from pipeline.datadict import schema_json
    return schema_json(spec)


def convert_file(path: Path) -> bool:
    """Rewrite path in Frictionless vocabulary; False (file untouched) when it already is."""
    spec = json.loads(path.read_text("utf-8"))
    if "columns" not in spec:
        return False
    path.write_text(dump(convert(spec)), "utf-8")
    return True


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or sorted(SCHEMAS.glob("*.json"))
    for path in paths:
        changed = convert_file(path)
        print(f"{path}: {'converted' if changed else 'already Frictionless, untouched'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
