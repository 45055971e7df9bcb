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
    "timestamp": pa.timestamp("ms", tz="UTC"),  # Parquet stores no seconds unit
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


def to_arrow(table: str, rows: list[dict] | dict[str, list]) -> pa.Table:
    """Rows (a list of dicts, or a dict of equal-length column lists, which big tables
    such as `tokens` use to save memory) -> pyarrow Table of the table's schema.
    SchemaError names the bad column and row."""
    spec = load_schema(table)
    schema = arrow_schema(table)
    known = {c["name"] for c in spec["columns"]}
    if isinstance(rows, dict):
        extra = set(rows) - known
        if extra:
            raise SchemaError(f"{table}: columns not in schemas/{table}.json: {sorted(extra)}")
        length = len(next(iter(rows.values()), []))
        column_of = lambda name: rows.get(name, [None] * length)  # noqa: E731
    else:
        for i, row in enumerate(rows):
            extra = set(row) - known
            if extra:
                raise SchemaError(f"{table}: row {i}: columns not in schemas/{table}.json: {sorted(extra)}")
        column_of = lambda name: [row.get(name) for row in rows]  # noqa: E731
    columns = {}
    for field in schema:
        values = column_of(field.name)
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


def write_edition(out: Path, edition: str, tables: dict[str, list[dict] | pa.Table]) -> None:
    """Write every table's partition for one edition, all or nothing.

    All files are written under a hidden staging directory first (readers skip names
    starting with '.'); only when every table is written do the partitions move into
    place, each replacing the edition's previous partition by rename.
    """
    arrow_tables = {name: rows if isinstance(rows, pa.Table) else to_arrow(name, rows)
                    for name, rows in tables.items()}
    for name, data in arrow_tables.items():
        if not data.schema.equals(arrow_schema(name)):
            raise SchemaError(f"{name}: table does not match schemas/{name}.json")
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


def editions_in(out: Path) -> list[str]:
    """Editions that have an `editions` row (i.e. finished builds)."""
    root = out / "editions"
    return sorted(p.name.split("=", 1)[1] for p in root.glob("edition=*")) if root.exists() else []


def read_rows(out: Path, table: str, edition: str) -> list[dict]:
    """One edition's rows of one table; DatasetError if it is not there."""
    path = partition_dir(out, table, edition) / "part-0.parquet"
    if not path.exists():
        raise DatasetError(f"{out}: table {table!r} has no partition for edition {edition!r} ({path} missing)")
    rows = pq.read_table(path).to_pylist()
    for row in rows:
        row["edition"] = edition
    return rows


def check_edition(out: Path, edition: str) -> dict:
    """The edition's `editions` row, after checking it exists and was built by a compatible pipeline."""
    from . import DATASET_FORMAT

    have = editions_in(out)
    if edition not in have:
        raise DatasetError(f"{out}: unknown edition {edition!r} (built: {', '.join(have) or 'none'})")
    info = read_rows(out, "editions", edition)[0]
    if info["dataset_format"] != DATASET_FORMAT:
        raise DatasetError(
            f"{out}: edition {edition!r} was built by pipeline {info['pipeline_version']} "
            f"(dataset format {info['dataset_format']}, this pipeline reads {DATASET_FORMAT}); rebuild it")
    return info


class DatasetError(Exception):
    """A dataset directory that cannot be read as asked. The message is one line."""


# Foreign keys every table must satisfy: column -> (table, column) it points to.
FOREIGN_KEYS = {
    "doc_id": ("documents", "doc_id"),
    "section_id": ("sections", "section_id"),
    "parent_id": ("sections", "section_id"),
    "page": ("pages", "page"),
}


def validate(out: Path) -> list[str]:
    """Every problem found in the dataset at `out`, as readable lines (empty when valid)."""
    problems: list[str] = []
    editions = editions_in(out)
    if not editions:
        return [f"{out}: no built edition (no editions/edition=*/ partition)"]
    for edition in editions:
        loaded: dict[str, pa.Table] = {}
        for table in table_names():
            if table == "changes":
                continue     # written by `diff --out`, not by builds
            path = partition_dir(out, table, edition) / "part-0.parquet"
            where = f"{table}/edition={edition}"
            if not path.exists():
                problems.append(f"{where}: missing")
                continue
            try:
                data = pq.read_table(path)
            except Exception as exc:  # unreadable file: report, keep checking the rest
                problems.append(f"{where}: unreadable ({exc})")
                continue
            loaded[table] = data
            problems += _check_columns(where, table, data)
        for table, data in loaded.items():
            for column, (target, target_column) in FOREIGN_KEYS.items():
                if column not in data.column_names or table == target and column == target_column:
                    continue
                if target not in loaded:
                    continue
                known = set(loaded[target].column(target_column).to_pylist())
                bad = {v for v in data.column(column).to_pylist() if v is not None and v not in known}
                if bad:
                    problems.append(f"{table}/edition={edition}: {len(bad)} {column} value(s) not in "
                                    f"{target}.{target_column}, e.g. {sorted(map(str, bad))[0]!r}")
    return problems


def _check_columns(where: str, table: str, data: pa.Table) -> list[str]:
    problems = []
    schema = arrow_schema(table)
    for field in schema:
        if field.name not in data.column_names:
            problems.append(f"{where}: required column {field.name!r} missing")
            continue
        column = data.column(field.name)
        if not column.type.equals(field.type):
            problems.append(f"{where}: column {field.name!r} is {column.type}, schema says {field.type}")
        if not field.nullable and column.null_count:
            problems.append(f"{where}: column {field.name!r} has {column.null_count} null(s)")
    extra = set(data.column_names) - {f.name for f in schema}
    if extra:
        problems.append(f"{where}: columns not in schemas/{table}.json: {sorted(extra)}")
    key = [k for k in load_schema(table).get("key", []) if k != "edition" and k in data.column_names]
    if key:
        seen = data.select(key).to_pylist()
        dupes = len(seen) - len({tuple(r.values()) for r in seen})
        if dupes:
            problems.append(f"{where}: key ({', '.join(key)}) not unique: {dupes} duplicate(s)")
    return problems
