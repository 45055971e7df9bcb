"""Schemas -> pyarrow, validation, and atomic partition writes.

`schemas/<table>.json` is the single source of truth for every table: the writer
builds the pyarrow schema from it and refuses rows that do not fit, and the data
dictionary is generated from it.
"""
from __future__ import annotations

import json
import os
import shutil
import uuid
from functools import cache
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import regex

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"


class SchemaError(Exception):
    """Rows that do not fit their table's schema."""


@cache
def load_schema(table: str) -> dict:
    path = SCHEMA_DIR / f"{table}.json"
    if not path.exists():
        raise SchemaError(f"no schema for table {table!r} ({path})")
    return json.loads(path.read_text("utf-8"))


def table_names() -> list[str]:
    return sorted(p.stem for p in SCHEMA_DIR.glob("*.json"))


_SIMPLE = {
    "string": pa.string(), "bool": pa.bool_(), "int16": pa.int16(), "int32": pa.int32(),
    "int64": pa.int64(), "float64": pa.float64(), "date": pa.date32(),
    "timestamp": pa.timestamp("s", tz="UTC"),
}


def arrow_type(spec: str) -> pa.DataType:
    """'string', 'decimal(24,4)', 'list<string>', 'struct<a:int32,b:string>' -> pyarrow type."""
    spec = spec.strip()
    if spec in _SIMPLE:
        return _SIMPLE[spec]
    if m := regex.fullmatch(r"decimal\((\d+),\s*(\d+)\)", spec):
        return pa.decimal128(int(m[1]), int(m[2]))
    if m := regex.fullmatch(r"list<(.+)>", spec):
        return pa.list_(arrow_type(m[1]))
    if m := regex.fullmatch(r"struct<(.+)>", spec):
        fields = [f.split(":", 1) for f in _split_top(m[1])]
        return pa.struct([(name.strip(), arrow_type(t)) for name, t in fields])
    raise SchemaError(f"unknown column type {spec!r}")


def _split_top(text: str) -> list[str]:
    """Split on commas that are not inside <...> or (...)."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += ch in "<(" and 1 or ch in ">)" and -1 or 0
        if ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    return parts + [text[start:]]


def arrow_schema(table: str, with_partition: bool = False) -> pa.Schema:
    """The file schema (partition columns live in the directory name, not the file)."""
    spec = load_schema(table)
    return pa.schema([
        pa.field(c["name"], arrow_type(c["type"]), nullable=c.get("nullable", True))
        for c in spec["columns"] if with_partition or not c.get("partition")
    ])


def to_arrow(table: str, rows: list[dict]) -> pa.Table:
    """Rows -> pyarrow Table of the table's schema; SchemaError names the bad column and row."""
    spec = load_schema(table)
    schema = arrow_schema(table)
    known = {c["name"] for c in spec["columns"]}
    for i, row in enumerate(rows):
        extra = set(row) - known
        if extra:
            raise SchemaError(f"{table}: row {i}: columns not in schemas/{table}.json: {sorted(extra)}")
    columns = {}
    for field in schema:
        values = [row.get(field.name) for row in rows]
        if not field.nullable and any(v is None for v in values):
            i = next(i for i, v in enumerate(values) if v is None)
            raise SchemaError(f"{table}: row {i}: required column {field.name!r} is null")
        if pa.types.is_integer(field.type):   # pyarrow would silently truncate 3.7 to 3
            for i, v in enumerate(values):
                if isinstance(v, float) and not v.is_integer():
                    raise SchemaError(f"{table}: row {i}: column {field.name!r}: {v!r} is not an integer")
        try:
            columns[field.name] = pa.array(values, type=field.type)
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError) as exc:
            raise SchemaError(f"{table}: column {field.name!r}: {exc}") from None
    return pa.table(columns, schema=schema)


def partition_dir(out: Path, table: str, edition: str) -> Path:
    return out / table / f"edition={edition}"


def write_edition(out: Path, edition: str, tables: dict[str, list[dict]]) -> None:
    """Write every table's partition for one edition, all or nothing.

    All files are written under a hidden staging directory first (readers skip names
    starting with '.'); only when every table is written do the partitions move into
    place, each replacing the edition's previous partition by rename.
    """
    arrow_tables = {name: to_arrow(name, rows) for name, rows in tables.items()}
    out.mkdir(parents=True, exist_ok=True)
    staging = out / f".staging-{edition}-{uuid.uuid4().hex[:8]}"
    try:
        for name, data in arrow_tables.items():
            target = staging / name
            target.mkdir(parents=True)
            pq.write_table(data, target / "part-0.parquet", compression="zstd")
        for name in arrow_tables:
            final = partition_dir(out, name, edition)
            final.parent.mkdir(parents=True, exist_ok=True)
            old = final.parent / f".old-{edition}-{uuid.uuid4().hex[:8]}"
            if final.exists():
                os.replace(final, old)
            os.replace(staging / name, final)
            shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def read_table(out: Path, table: str, edition: str | None = None) -> pa.Table:
    """One table (all editions, or one), with the `edition` column from the partition."""
    import pyarrow.dataset as ds

    path = out / table if edition is None else partition_dir(out, table, edition)
    dataset = ds.dataset(path, format="parquet", partitioning="hive" if edition is None else None)
    data = dataset.to_table()
    if edition is not None:
        data = data.append_column("edition", pa.array([edition] * len(data), pa.string()))
    return data
