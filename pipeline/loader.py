"""pandas DataFrames with real types: `pipeline.load("amounts", editions=["2023"])`.

`pd.read_parquet` with default settings gives dates as `object` (comparing them with a
Timestamp raises), money as `object` Decimals (`.mean()` quietly returns a float) and a
nullable integer such as `documents.seq` as float. Here every column gets the dtype its
schema means:

  decimal(p,s)  -> decimal128(p,s)[pyarrow]: exact; sum() and mean() return Decimal
  date          -> datetime64[s]: compares with pd.Timestamp("2025-01-01")
  timestamp     -> datetime64[ms, UTC]
  int16/32/64   -> Int16/Int32/Int64 (nullable: seq stays an integer)
  bool          -> boolean;  string -> string;  float64 -> Float64
  list/struct   -> list<…>[pyarrow]: each cell a Python list (of dicts for structs)
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from . import dataset


def _dtype(kind: pa.DataType):
    if pa.types.is_decimal(kind):
        return pd.ArrowDtype(kind)
    if pa.types.is_integer(kind):
        return {8: pd.Int8Dtype(), 16: pd.Int16Dtype(), 32: pd.Int32Dtype(), 64: pd.Int64Dtype()}[kind.bit_width]
    if pa.types.is_boolean(kind):
        return pd.BooleanDtype()
    if pa.types.is_string(kind):
        return pd.StringDtype()
    if pa.types.is_floating(kind):
        return pd.Float64Dtype()
    if pa.types.is_list(kind) or pa.types.is_struct(kind):
        return pd.ArrowDtype(kind)      # a cell is a Python list / dict, not a numpy array
    return None      # dates and timestamps: cast before (dates) or pandas' own (timestamps)


def load(table: str, data: str | Path = "extracted",
         editions: str | int | Iterable[str | int] | None = None) -> pd.DataFrame:
    """One table of the dataset at `data` as a typed DataFrame, all editions or only `editions`
    (one id or several); rows in file order, editions in name order."""
    data = Path(data)
    dataset.load_schema(table)                      # SchemaError for an unknown table
    have = dataset.editions_in(data)
    if not have:
        raise dataset.DatasetError(f"{data}: no built edition")
    if isinstance(editions, (str, int)):
        editions = [editions]
    wanted = have if editions is None else [str(e) for e in editions]     # 2023 means "2023"
    missing = [e for e in wanted if e not in have]
    if missing:
        raise dataset.DatasetError(f"{data}: unknown edition(s) {', '.join(missing)} (built: {', '.join(have)})")
    schema = dataset.arrow_schema(table, with_partition=True)
    paths = [str(dataset.partition_dir(data, table, e) / "part-0.parquet") for e in sorted(wanted)]
    arrow = ds.dataset(paths, format="parquet", schema=schema).to_table()
    for i, field in enumerate(arrow.schema):
        if pa.types.is_date(field.type):
            arrow = arrow.set_column(i, field.name, pc.cast(arrow.column(i), pa.timestamp("s")))
    frame = arrow.to_pandas(types_mapper=_dtype)
    return frame
