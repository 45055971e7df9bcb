"""Schemas -> pyarrow, validation, and atomic partition writes.

`schemas/<table>.json` is the single source of truth for every table, in Frictionless
Table Schema vocabulary (`fields`, `constraints.required`/`enum`, `primaryKey`,
`foreignKeys`) plus our custom per-field `arrowType` (the exact Parquet type, e.g.
decimal(24,4)), `partition`, `example`, and the table's `stage`. The writer builds the
pyarrow schema from it and refuses rows that do not fit, `validate` checks every
constraint, each build writes `datapackage.json` from it, and the data dictionary is
generated from it.
"""
from __future__ import annotations

import json
import os
import shutil
import uuid
from functools import cache
from pathlib import Path
from typing import Iterable, Iterator

import pyarrow as pa
import pyarrow.parquet as pq
import regex


class _PandasHidden:
    """An import finder that reports pandas as not installed (see `_arrow_without_pandas`)."""

    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] == "pandas":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


def _arrow_without_pandas() -> None:
    """Settle, once per process, that pyarrow converts our lists without pandas.

    A process's first `pa.array` imports pandas only to ask whether its argument is a
    pandas object (0.25-0.35 s, and workers forked later inherit the question settled).
    Our rows are lists and dicts, so that first call runs with pandas hidden: pyarrow
    notes "no pandas" for that question, and still imports it when a conversion needs
    it (`Table.to_pandas`, `Table.from_pandas`). A process that already has pandas keeps it.
    """
    import sys

    if "pandas" in sys.modules:
        return
    hidden = _PandasHidden()
    sys.meta_path.insert(0, hidden)
    try:
        pa.array([], pa.int8())
    finally:
        sys.meta_path.remove(hidden)


_arrow_without_pandas()

def _schema_dir() -> Path:
    """schemas/ of a checkout, or the copy a wheel ships as package data (pipeline/schemas)."""
    here = Path(__file__).resolve().parent
    shipped = here / "schemas"
    return shipped if shipped.is_dir() else here.parent / "schemas"


SCHEMA_DIR = _schema_dir()


class SchemaError(Exception):
    """Rows that do not fit their table's schema."""


@cache
def load_schema(table: str) -> dict:
    path = SCHEMA_DIR / f"{table}.json"
    if not path.exists():
        raise SchemaError(f"no schema for table {table!r} ({path})")
    spec = json.loads(path.read_text("utf-8"))
    if "fields" not in spec or "columns" in spec:
        raise SchemaError(f"{path}: not in Frictionless vocabulary; run tools/schemas_to_frictionless.py")
    return spec


def fields(table: str) -> list[dict]:
    return load_schema(table)["fields"]


def required(field: dict) -> bool:
    return bool(field.get("constraints", {}).get("required"))


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
    """The schema of the rows a stage hands over (`with_partition`: of the file, which
    also holds the edition column)."""
    spec = load_schema(table)
    return pa.schema([
        pa.field(f["name"], arrow_type(f["arrowType"]), nullable=not required(f))
        for f in spec["fields"] if with_partition or not f.get("partition")
    ])


def to_arrow(table: str, rows: list[dict] | dict[str, list], first_row: int = 0) -> pa.Table:
    """Rows (a list of dicts, or a dict of equal-length column lists, which big tables
    such as `tokens` use to save memory) -> pyarrow Table of the table's schema.
    SchemaError names the bad column and row (counted from `first_row`)."""
    schema = arrow_schema(table)
    known = {f["name"] for f in fields(table)}
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
                raise SchemaError(f"{table}: row {first_row + i}: columns not in schemas/{table}.json: "
                                  f"{sorted(extra)}")
        column_of = lambda name: [row.get(name) for row in rows]  # noqa: E731
    columns = {}
    for field in schema:
        values = column_of(field.name)
        # pyarrow would silently truncate 3.7 to 3 (the row is looked for only when the
        # column holds a float at all: one pass in C, not one isinstance per value)
        if pa.types.is_integer(field.type) and float in set(map(type, values)):
            for i, v in enumerate(values):
                if isinstance(v, float) and not v.is_integer():
                    raise SchemaError(f"{table}: row {first_row + i}: column {field.name!r}: {v!r} is not an integer")
        try:
            column = pa.array(values, type=field.type)
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError) as exc:
            raise SchemaError(f"{table}: column {field.name!r}: {exc}") from None
        if not field.nullable and column.null_count:
            i = next(i for i, v in enumerate(values) if v is None)
            raise SchemaError(f"{table}: row {first_row + i}: required column {field.name!r} is null")
        columns[field.name] = column
    return pa.table(columns, schema=schema)


class Packed:
    """A big table (tokens, sentences) as the workers built it: one Arrow IPC stream per
    chunk, compressed with zstd. The parent holds these bytes, not the table, and
    `write_edition` writes them one row group at a time: on 5,000 pages the tokens
    (1.3 M rows, ~90 MB as Arrow) and the sentences (57,000 dicts) held whole were ~300 MB
    of the parent's peak."""

    def __init__(self, table: str, parts: list[bytes], num_rows: int):
        self.table, self.parts, self.num_rows = table, parts, num_rows

    @staticmethod
    def pack(data: pa.Table) -> bytes:
        """One chunk's table as bytes (in a worker): ~10x smaller than the table."""
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, data.schema, options=pa.ipc.IpcWriteOptions(compression="zstd")) as writer:
            writer.write_table(data)
        return sink.getvalue().to_pybytes()

    @classmethod
    def of(cls, table: str, chunks: Iterable[tuple[bytes, int]]) -> "Packed":
        """From (bytes, rows) of each chunk, in order."""
        parts, rows = [], 0
        for part, n in chunks:
            parts.append(part)
            rows += n
        return cls(table, parts, rows)

    def tables(self) -> Iterator[pa.Table]:
        """The chunks as Arrow tables, one at a time."""
        for part in self.parts:
            yield pa.ipc.open_stream(part).read_all()

    def to_table(self) -> pa.Table:
        """The whole table (small editions and tests)."""
        return pa.concat_tables(self.tables(), promote_options="none") if self.parts else to_arrow(self.table, [])


def fit_to_schema(table: str, rows: list[dict]) -> list[tuple[int, str, object]]:
    """Set to null, in place, the values of nullable decimal and integer columns that their
    type cannot hold (a 21-digit 万元 amount in decimal(24,4), a page number past int32),
    and round decimals to the column's scale; returns (row, column, value) of each dropped
    value, so the build warns and writes the rest instead of failing on one value."""
    import decimal

    if not isinstance(rows, list):
        return []
    checks = []
    for field in arrow_schema(table):
        if not field.nullable:
            continue
        if pa.types.is_decimal(field.type):
            whole = decimal.Decimal(10) ** (field.type.precision - field.type.scale)
            checks.append((field.name, "decimal", whole, decimal.Decimal(1).scaleb(-field.type.scale)))
        elif pa.types.is_integer(field.type):
            bits = field.type.bit_width
            checks.append((field.name, "int", 2 ** (bits - 1), None))
    dropped = []
    for i, row in enumerate(rows):
        for name, kind, limit, quantum in checks:
            value = row.get(name)
            if value is None or isinstance(value, bool):
                continue
            if kind == "decimal":
                try:
                    value = decimal.Decimal(value) if not isinstance(value, decimal.Decimal) else value
                    if not value.is_finite() or abs(value) >= limit:
                        raise decimal.InvalidOperation
                    row[name] = value.quantize(quantum, rounding=decimal.ROUND_HALF_EVEN)
                except (decimal.InvalidOperation, TypeError, ValueError):
                    dropped.append((i, name, row[name]))
                    row[name] = None
            elif isinstance(value, int) and not -limit <= value < limit:
                dropped.append((i, name, value))
                row[name] = None
    return dropped


class DatasetError(Exception):
    """A dataset directory that cannot be read as asked. The message is one line."""


class EditionIdError(ValueError):
    """An edition id outside the safe alphabet. The message is one line."""


# Edition ids name directories and hive-style filters in every engine, so they are kept to
# a small alphabet that means the same thing everywhere: ASCII letters, digits, '.', '_'
# and '-', starting with a letter or digit, at most 64 characters. That refuses path
# separators and '..' (../../x, a/b), '=' and '%' (read as hive keys and URL escapes:
# %41 is 'A' to pyarrow), spaces (edge spaces vanish in shells and make) and anything a
# file name that is not UTF-8 decodes to.
EDITION_ID = regex.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def check_edition_id(edition: str) -> str:
    """The edition id, or EditionIdError saying in one line why it cannot be one."""
    if not EDITION_ID.fullmatch(edition) or ".." in edition:
        shown = edition.encode("utf-8", "backslashreplace").decode("ascii", "backslashreplace")
        raise EditionIdError(
            f"edition id {shown!r} is not allowed: use 1-64 ASCII letters, digits, '.', '_' or '-', "
            "starting with a letter or digit, without '..'")
    return edition


def edition_from_name(stem: str) -> str:
    """Default edition id of a source file: its stem, with runs of spaces as '-'
    ('2023 汇编 v2' is refused, 'policy 2023' becomes 'policy-2023')."""
    return check_edition_id(regex.sub(r"\s+", "-", stem.strip()))


def partition_dir(out: Path, table: str, edition: str) -> Path:
    """OUT/<table>/<edition>/: a plain folder, not `edition=<ID>`, because engines type a
    hive partition by its values (edition=2023 becomes an integer in pandas, polars,
    DuckDB and Spark). The `edition` column is stored in the file instead, as a string."""
    return out / table / check_edition_id(edition)


def _with_edition(table: str, data: pa.Table, edition: str) -> pa.Table:
    """The stage's rows plus the edition column, in the schema's column order."""
    full = arrow_schema(table, with_partition=True)
    columns = {name: data.column(name) for name in data.column_names}
    columns["edition"] = pa.array([edition] * data.num_rows, pa.string())
    return pa.table([columns[f.name] for f in full], schema=full)


class WriteInterrupted(KeyboardInterrupt):
    """Ctrl-C during write_edition; `replaced` says whether the edition is the new one
    (the switch had begun and was finished) or still the old one."""

    def __init__(self, edition: str, replaced: bool):
        super().__init__(edition)
        self.edition, self.replaced = edition, replaced


def give_back_memory() -> None:
    """Return the heap memory Python has freed to the system (glibc's malloc_trim; nothing
    elsewhere). Arrow's buffers are big enough that malloc maps fresh pages for them
    rather than reuse that freed heap, so without this each table written added to the
    parent's peak: write_edition 408 -> 465 MB at 5,000 pages, and ~1 ms a call (it
    runs after every table written, and in the build between its stages)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def write_edition(out: Path, edition: str, tables: dict[str, list[dict] | pa.Table | Packed],
                  release: bool = False) -> None:
    """Write every table's partition for one edition, all or nothing, then datapackage.json
    (EditionWriter). `release`: empty `tables` as each table is staged, so that its rows'
    memory serves the next table's conversion (the caller no longer needs them)."""
    with EditionWriter(out, edition, list(tables)) as writer:
        for name in list(tables):
            writer.add(name, tables.pop(name) if release else tables[name], release=release)
        writer.commit()


class EditionWriter:
    """One edition's tables, each written as soon as it is final, then put in place all
    or nothing. The build writes `pages` while its workers segment, and the big Packed
    tables as they arrive, so their rows do not wait in memory for the others'.

        with EditionWriter(out, edition, names) as writer:
            writer.add("pages", rows)          # staged now
            ...
            writer.commit()                    # the edition switches to the new tables

    1. every table is written under a hidden staging folder (readers skip names starting
       with '.'); a failure or kill here leaves the old edition (leaving the `with`
       without commit removes the folder; after a kill the next start removes it);
    2. a journal OUT/.replace-<ID>.json is written (atomically): from now on the new
       edition is complete on disk and wins;
    3. each old partition is moved aside and the new one moved in; a kill here is rolled
       forward on the next start (`recover`): every edition ends either old or new;
    4. the journal and the old partitions are removed.
    """

    def __init__(self, out: Path, edition: str, names: list[str] | None = None):
        check_edition_id(edition)
        check_writable(out, names)
        recover(out, edition)
        self.out, self.edition, self.names, self.done = out, edition, [], False
        self.staging = out / f".staging-{edition}-{uuid.uuid4().hex[:8]}"
        self._open: dict[str, TableFile] = {}      # tables written a part at a time (append)

    def __enter__(self) -> "EditionWriter":
        return self

    def __exit__(self, kind, exc, tb) -> None:
        if not self.done:
            for table in self._open.values():
                try:
                    table.close(finish=False)
                except Exception:
                    pass
            shutil.rmtree(self.staging, ignore_errors=True)

    def append(self, name: str, rows: list[dict] | Packed) -> None:
        """Add rows to a table whose file stays open until `commit` (the build writes its
        tables a group of documents at a time); a list of rows is emptied as it is
        converted. Row groups are cut at fixed row counts, whatever the parts."""
        try:
            table = self._open.get(name)
            if table is None:
                (self.staging / name).mkdir(parents=True)
                group_rows = PACKED_ROW_GROUP if isinstance(rows, Packed) else GROUP_ROWS.get(name, CONVERT_ROWS)
                table = self._open[name] = TableFile(self.staging / name / "part-0.parquet", name, self.edition,
                                                     group_rows)
                self.names.append(name)
            for chunk in rows.tables() if isinstance(rows, Packed) else _row_chunks(name, rows, release=True):
                table.add(chunk)
        except KeyboardInterrupt:
            self.__exit__(KeyboardInterrupt, None, None)
            raise WriteInterrupted(self.edition, replaced=False) from None

    def add(self, name: str, rows: list[dict] | pa.Table | Packed, release: bool = False) -> None:
        """Stage one table. `release`: the rows list is emptied as it is converted."""
        try:
            (self.staging / name).mkdir(parents=True)
            path = self.staging / name / "part-0.parquet"
            if isinstance(rows, Packed):
                _write_chunks(path, name, rows.tables(), self.edition)
            elif isinstance(rows, list):
                _write_chunks(path, name, _row_chunks(name, rows, release), self.edition,
                              group_rows=GROUP_ROWS.get(name, CONVERT_ROWS))
            else:                         # an Arrow table, or a dict of columns
                _write_chunks(path, name, [rows if isinstance(rows, pa.Table) else to_arrow(name, rows)],
                              self.edition)
        except KeyboardInterrupt:
            shutil.rmtree(self.staging, ignore_errors=True)
            raise WriteInterrupted(self.edition, replaced=False) from None
        del rows
        self.names.append(name)
        if release:
            give_back_memory()

    def commit(self) -> None:
        """Put every staged table in place (steps 2-4), then datapackage.json."""
        out, edition = self.out, self.edition
        try:
            while self._open:
                self._open.popitem()[1].close()
            _write_journal(out, edition, self.staging, self.names)
        except BaseException as exc:
            if _journal(out, edition).exists():     # the journal is in place: the new edition wins
                self.done = True
                _roll_forward(out, _journal(out, edition))
                raise WriteInterrupted(edition, replaced=True) from None
            if isinstance(exc, KeyboardInterrupt):
                raise WriteInterrupted(edition, replaced=False) from None
            raise
        self.done = True
        try:
            _roll_forward(out, _journal(out, edition))
        except KeyboardInterrupt:
            _roll_forward(out, _journal(out, edition))   # a second Ctrl-C: the next start finishes it
            raise WriteInterrupted(edition, replaced=True) from None
        write_datapackage(out)


#: Rows per row group of a table written from Packed chunks: whole groups of this size,
#: cut across chunks, so the file does not depend on the number of workers. Writing one
#: group of tokens held ~1.3 KB a row (Arrow, dictionary pages, zstd): 2^16 rows added 37
#: MB to the 5,000-page parent's peak, 2^14 adds 21 (pq.write_table's default, 2^20,
#: would hold ~70 MB of Arrow alone); 80 groups of 16,384 rows still read fast.
PACKED_ROW_GROUP = 1 << 14
#: Rows converted to Arrow at a time: the 5,000-page pages table (18 MB of dicts)
#: converted whole added its Arrow copy and pyarrow's scratch on top of every other
#: table's rows, the build's peak.
CONVERT_ROWS = 1 << 10
#: Tables whose rows are large get smaller row groups: a `documents` row holds the
#: document's whole text (13.6 KB on average in a compilation), so 1,024 of them held
#: 14 MB of Arrow in the parent while their group filled.
GROUP_ROWS = {"documents": 64}


def _row_chunks(name: str, rows: list[dict], release: bool) -> Iterator[pa.Table]:
    """`rows` as Arrow tables of CONVERT_ROWS rows; with `release`, the rows of each
    chunk leave the list once converted, so their memory serves the next chunk."""
    done = 0
    while rows if release else done < len(rows):
        start = 0 if release else done
        data = to_arrow(name, rows[start:start + CONVERT_ROWS], first_row=done)
        if release:
            del rows[:CONVERT_ROWS]
        done += data.num_rows
        yield data


def _write_chunks(path: Path, name: str, chunks: Iterable[pa.Table], edition: str,
                  group_rows: int | None = None) -> None:
    """A table's file from its Arrow chunks, one row group of `group_rows` (default
    PACKED_ROW_GROUP) at a time, never the whole table in memory. Every table file
    written whole is written here."""
    table = TableFile(path, name, edition, group_rows or PACKED_ROW_GROUP)
    try:
        for chunk in chunks:
            table.add(chunk)
    except BaseException:
        table.close(finish=False)
        raise
    table.close()


class TableFile:
    """One table's Parquet file, written a chunk at a time: chunks are held until they
    make a whole row group of `group_rows` rows, so the file does not depend on how the
    rows were handed in (by worker chunk, or by group of documents)."""

    def __init__(self, path: Path, name: str, edition: str, group_rows: int):
        self.name, self.edition, self.group_rows = name, edition, group_rows
        self.writer = pq.ParquetWriter(path, arrow_schema(name, with_partition=True), compression="zstd")
        self.held: list[pa.Table] = []
        self.rows = 0

    def add(self, chunk: pa.Table) -> None:
        self.held.append(chunk)
        self.rows += chunk.num_rows
        while self.rows >= self.group_rows:
            whole = pa.concat_tables(self.held)
            self._write(whole.slice(0, self.group_rows))
            self.held, self.rows = [whole.slice(self.group_rows)], whole.num_rows - self.group_rows

    def close(self, finish: bool = True) -> None:
        """Write the rows held (with `finish`) and close the file."""
        try:
            if finish and self.rows:
                self._write(pa.concat_tables(self.held))
        finally:
            self.held, self.rows = [], 0
            self.writer.close()

    def _write(self, data: pa.Table) -> None:
        self.writer.write_table(_file_table(self.name, data, self.edition), row_group_size=self.group_rows)


def _file_table(name: str, rows, edition: str):
    """A table's rows (or Arrow table) as its file holds them: the table's schema, checked,
    with the edition column. SchemaError when they do not fit."""
    data = rows if isinstance(rows, pa.Table) else to_arrow(name, rows)
    if "edition" in data.column_names:
        data = data.drop_columns(["edition"])
    if not data.schema.equals(arrow_schema(name)):
        raise SchemaError(f"{name}: table does not match schemas/{name}.json")
    return _with_edition(name, data, edition)


class OutputError(Exception):
    """A dataset folder that cannot be written. The message is one line naming the path."""


def check_writable(out: Path, tables: list[str] | None = None) -> None:
    """Before a build spends minutes: OUT (and OUT/<table> of each table) is a folder we
    can create and write a file in. OutputError names the first path that is not."""
    def refuse(path: Path, why: str):
        raise OutputError(f"{path}: cannot write the dataset there ({why})")

    probe = out
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        refuse(probe, "a file, not a folder")
    for table in tables or []:
        if (out / table).exists() and not (out / table).is_dir():
            refuse(out / table, "a file, not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
        with open(out / f".write-test-{uuid.uuid4().hex[:8]}", "wb") as fh:
            os.unlink(fh.name)
    except OSError as exc:
        refuse(Path(exc.filename or out), exc.strerror or str(exc))


def _journal(out: Path, edition: str) -> Path:
    return out / f".replace-{edition}.json"


def _write_journal(out: Path, edition: str, staging: Path, tables: list[str]) -> None:
    tmp = out / f".replace-{edition}.json.tmp"
    with tmp.open("w", encoding="utf-8") as fh:
        json.dump({"edition": edition, "staging": staging.name, "tables": tables,
                   "aside": f".old-{edition}-{uuid.uuid4().hex[:8]}"}, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, _journal(out, edition))


def _roll_forward(out: Path, journal: Path) -> None:
    """Finish the switch a journal describes; safe to repeat after a kill at any point."""
    plan = json.loads(journal.read_text("utf-8"))
    edition, staging = check_edition_id(plan["edition"]), out / plan["staging"]
    for name in plan["tables"]:
        final, new = partition_dir(out, name, edition), staging / name
        aside = final.parent / plan["aside"]
        if not new.exists():
            continue                            # already moved in
        final.parent.mkdir(parents=True, exist_ok=True)
        if final.exists() and not aside.exists():
            os.replace(final, aside)
        elif final.exists():
            shutil.rmtree(final)                # a half-done earlier switch: the old one is aside
        try:
            os.replace(new, final)
        except FileNotFoundError:               # a reader finishing the same switch moved it first
            if not final.exists():
                raise
    journal.unlink(missing_ok=True)
    for name in plan["tables"]:
        shutil.rmtree(partition_dir(out, name, edition).parent / plan["aside"], ignore_errors=True)
    shutil.rmtree(staging, ignore_errors=True)


def recover(out: Path, edition: str | None = None) -> list[str]:
    """After a kill: finish every journaled switch (the new edition was complete) and,
    for `edition` (the one about to be written), drop its staging folders without a
    journal (the old edition never changed). Other editions' staging folders are left
    alone: a corpus build may be writing them. Returns the editions rolled forward."""
    if not out.is_dir():
        return []
    done = []
    journals = [_journal(out, edition)] if edition else sorted(out.glob(".replace-*.json"))
    for journal in journals:
        if journal.exists():
            _roll_forward(out, journal)
            done.append(journal.name[len(".replace-"):-len(".json")])
    if edition:
        for left in [*out.glob(f".staging-{edition}-*"), *out.glob(f"*/.old-{edition}-*")]:
            shutil.rmtree(left, ignore_errors=True)
        (out / f".replace-{edition}.json.tmp").unlink(missing_ok=True)
    if done:
        write_datapackage(out)
    return done


def settle(out: Path) -> list[str]:
    """Before reading: finish interrupted switches if the dataset can be written; the
    editions still pending (a read-only dataset) are returned."""
    try:
        recover(out)
    except OSError:
        pass
    return pending_replacements(out)


def pending_replacements(out: Path) -> list[str]:
    """Editions whose switch was interrupted and not yet finished (see `recover`)."""
    return sorted(p.name[len(".replace-"):-len(".json")] for p in out.glob(".replace-*.json")) \
        if out.is_dir() else []


def remove_edition(out: Path, edition: str) -> None:
    """Delete one edition from every table (the `editions` row last), then datapackage.json."""
    recover(out, edition)
    for table in [t for t in table_names() if t != "editions"] + ["editions"]:
        shutil.rmtree(partition_dir(out, table, edition), ignore_errors=True)
    write_datapackage(out)


def read_table(out: Path, table: str, edition: str | None = None) -> pa.Table:
    """One table (all editions, or one); the files hold the `edition` column."""
    import pyarrow.dataset as ds

    path = out / table if edition is None else partition_dir(out, table, edition)
    return ds.dataset(path, format="parquet", schema=arrow_schema(table, with_partition=True)).to_table()


def editions_in(out: Path) -> list[str]:
    """Editions that have an `editions` row (i.e. finished builds)."""
    root = out / "editions"
    if not root.exists():
        return []
    return sorted(p.name for p in root.iterdir()
                  if p.is_dir() and EDITION_ID.fullmatch(p.name) and (p / "part-0.parquet").exists())


def read_rows(out: Path, table: str, edition: str) -> list[dict]:
    """One edition's rows of one table; DatasetError if it is not there."""
    path = partition_dir(out, table, edition) / "part-0.parquet"
    if not path.exists():
        raise DatasetError(f"{out}: table {table!r} has no partition for edition {edition!r} ({path} missing)")
    try:
        return pq.read_table(path).to_pylist()
    except Exception as exc:   # truncated, bit-flipped, not Parquet at all
        raise DatasetError(f"{path}: unreadable ({_one_line(exc)})") from None


def check_edition(out: Path, edition: str) -> dict:
    """The edition's `editions` row, after checking it exists and was built by a compatible pipeline."""
    from . import DATASET_FORMAT

    settle(out)
    have = editions_in(out)
    if edition not in have:
        raise DatasetError(f"{out}: unknown edition {edition!r} (built: {', '.join(have) or 'none'})")
    rows = read_rows(out, "editions", edition)
    if len(rows) != 1 or not rows[0].get("dataset_format"):
        raise DatasetError(f"{partition_dir(out, 'editions', edition) / 'part-0.parquet'}: "
                           f"{len(rows)} editions row(s) or an empty one, not one; rebuild edition {edition!r}")
    info = rows[0]
    if info["dataset_format"] != DATASET_FORMAT:
        raise DatasetError(
            f"{out}: edition {edition!r} was built by pipeline {info['pipeline_version']} "
            f"(dataset format {info['dataset_format']}, this pipeline reads {DATASET_FORMAT}); rebuild it")
    return info


# ---------------------------------------------------------------- datapackage.json

def resource_name(table: str, edition: str) -> str:
    """Frictionless resource names are lower case: pages-2023-flipbook."""
    return f"{table}-{edition.lower()}"


def _field_for_package(field: dict) -> dict:
    out = {k: v for k, v in field.items() if k != "example"}
    if out["type"] in ("array", "object"):
        # frictionless reads Parquet with fastparquet, which hands list cells over as numpy
        # arrays that its array/object readers refuse; the exact type stays in arrowType.
        out["type"] = "any"
    if out["type"] in ("integer", "number") and not required(field):
        # ... and turns a null integer into a float NaN (pyarrow -> pandas), which this
        # field-level missing value maps back to null.
        out["missingValues"] = ["nan"]
    return out


def datapackage(out: Path) -> dict:
    """A Frictionless Data Package describing every built edition: one resource per
    (table, edition) file, with the table's schema; keys and foreign keys within the
    edition (the file's rows all share its edition)."""
    from . import __version__

    resources = []
    for edition in editions_in(out):
        for table in table_names():
            path = partition_dir(out, table, edition) / "part-0.parquet"
            if not path.exists():
                continue
            spec = load_schema(table)
            # Parquet has real nulls: an empty string is a value, not a missing one.
            schema = {"fields": [_field_for_package(f) for f in spec["fields"]], "missingValues": []}
            if spec.get("primaryKey"):
                schema["primaryKey"] = spec["primaryKey"]
            fks = []
            for fk in spec.get("foreignKeys", []):
                target = fk["reference"]["resource"]
                if (out / target / edition / "part-0.parquet").exists():
                    # Within one edition's file the edition part of the key is constant; without
                    # it a null parent_id is "no reference" to frictionless, not a dangling one.
                    fks.append({"fields": [c for c in fk["fields"] if c != "edition"], "reference": {
                        "resource": resource_name(target, edition),
                        "fields": [c for c in fk["reference"]["fields"] if c != "edition"]}})
            if fks:
                schema["foreignKeys"] = fks
            resources.append({
                "name": resource_name(table, edition), "type": "table",
                "path": path.relative_to(out).as_posix(), "format": "parquet",
                "table": table, "edition": edition, "description": spec["description"], "schema": schema,
            })
    return {"name": "policy-pipeline-dataset", "pipeline_version": __version__,
            "description": "Tables extracted from Chinese policy PDFs by policy-pipeline; "
                           "see docs/data-dictionary.md.", "resources": resources}


def write_datapackage(out: Path) -> Path:
    """datapackage.json beside the tables, replaced atomically."""
    target = out / "datapackage.json"
    text = json.dumps(datapackage(out), ensure_ascii=False, indent=1) + "\n"
    if target.exists() and target.read_text("utf-8") == text:
        return target        # unchanged: rebuilding one edition leaves the others' files alone
    tmp = out / f".datapackage-{uuid.uuid4().hex[:8]}.json"
    tmp.write_text(text, "utf-8")
    os.replace(tmp, target)
    return target


# ---------------------------------------------------------------- validation

def validate(out: Path) -> list[str]:
    """Every problem found in the dataset at `out`, as readable lines (empty when valid):
    types, required columns, enums, primary keys and foreign keys, all from schemas/."""
    problems: list[str] = [f"{_journal(out, e)}: replacement of edition {e!r} interrupted and not finished "
                           "(the dataset cannot be written here; run a build with write access)"
                           for e in settle(out)]
    editions = editions_in(out)
    if not editions:
        return [f"{out}: no built edition (no editions/<ID>/ partition)"]
    for edition in editions:
        problems += validate_edition(out, edition)
    return problems


def validate_edition(out: Path, edition: str, tables: list[str] | None = None) -> list[str]:
    """The problems of one edition's partitions (of `tables`, default all but `changes`),
    foreign keys among them included."""
    problems: list[str] = []
    loaded: dict[str, pa.Table] = {}
    for table in tables or [t for t in table_names() if t != "changes"]:   # changes: written by diff --out
        folder = partition_dir(out, table, edition)
        path = folder / "part-0.parquet"
        where = f"{table}/{edition}"
        if not path.exists():
            problems.append(f"{where}: missing")
            continue
        stray = sorted(p.name for p in folder.iterdir() if p.name != "part-0.parquet"
                       and not p.name.startswith((".", "_")))
        if stray:   # every engine reads the whole folder: a stray file breaks them all
            problems.append(f"{where}: file(s) that are not the partition's part-0.parquet: {', '.join(stray)}")
        try:
            data = pq.read_table(path)
        except Exception as exc:  # unreadable file: report, keep checking the rest
            problems.append(f"{where}: unreadable ({_one_line(exc)})")
            continue
        loaded[table] = data
        problems += _check_columns(where, table, data, edition)
        if table == "editions" and data.num_rows != 1:
            problems.append(f"{where}: {data.num_rows} rows, an edition has exactly one editions row")
    for table, data in loaded.items():
        for fk in load_schema(table).get("foreignKeys", []):
            problems += _check_foreign_key(f"{table}/{edition}", data, fk, loaded)
    return problems


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _values(data: pa.Table, columns: list[str]) -> list[tuple]:
    return list(zip(*(data.column(c).to_pylist() for c in columns)))


def _check_foreign_key(where: str, data: pa.Table, fk: dict, loaded: dict[str, pa.Table]) -> list[str]:
    columns, target = fk["fields"], fk["reference"]["resource"]
    target_columns = fk["reference"]["fields"]
    columns = [columns] if isinstance(columns, str) else columns
    target_columns = [target_columns] if isinstance(target_columns, str) else target_columns
    if target not in loaded or not set(columns) <= set(data.column_names):
        return []
    known = set(_values(loaded[target], target_columns))
    bad = {v for v in _values(data, columns) if None not in v and v not in known}
    if not bad:
        return []
    shown = [c for c in columns if c != "edition"]
    example = sorted(str(v[columns.index(shown[0])]) for v in bad)[0] if shown else str(sorted(bad)[0])
    return [f"{where}: {len(bad)} {', '.join(shown)} value(s) not in "
            f"{target}.{', '.join(c for c in target_columns if c != 'edition')}, e.g. {example!r}"]


def _check_columns(where: str, table: str, data: pa.Table, edition: str) -> list[str]:
    problems = []
    schema = arrow_schema(table, with_partition=True)
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
    if "edition" in data.column_names:
        wrong = set(data.column("edition").to_pylist()) - {edition}
        if wrong:
            problems.append(f"{where}: column 'edition' holds {sorted(map(str, wrong))}, not {edition!r}")
    for spec in fields(table):
        enum = spec.get("constraints", {}).get("enum")
        if enum and spec["name"] in data.column_names:
            bad = {v for v in data.column(spec["name"]).to_pylist() if v is not None and v not in enum}
            if bad:
                problems.append(f"{where}: column {spec['name']!r} has value(s) outside its enum "
                                f"({' | '.join(enum)}): {sorted(map(str, bad))[:3]}")
    key = [k for k in load_schema(table).get("primaryKey", []) if k != "edition" and k in data.column_names]
    if key:
        seen = data.select(key).to_pylist()
        dupes = len(seen) - len({tuple(r.values()) for r in seen})
        if dupes:
            problems.append(f"{where}: key ({', '.join(key)}) not unique: {dupes} duplicate(s)")
    return problems
