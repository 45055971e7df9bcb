"""The dataset writer: schema checks, hive-partitioned layout that pandas and DuckDB
read, per-edition replacement, and all-or-nothing writes."""
from __future__ import annotations

import os
import shutil

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

from conftest import LIBREOFFICE_EDITION, LIBREOFFICE_PDF, PDF_EDITION, SEED_EDITION, FIXTURES, run_cli, tree_digest
from pipeline import dataset
from pipeline.build import build_edition
from pipeline.dataset import SchemaError, arrow_schema, read_table, to_arrow, write_edition

ROW = {
    "edition": "t", "page": 1, "printed_page": 346, "page_label": "351", "text": "正文\n第二行", "kind": "body",
    "has_text_layer": True, "char_count": 5, "line_count": 2, "image_count": 0, "header": None,
    "footer": "— 346 —", "line_tops": [100.0, 127.0], "line_x0s": [78.0, 78.0],
    "line_sizes": [15.0, 15.0], "width": 595.28, "height": 841.89, "reading_turn": 0, "error": None,
    "ocr": False, "ocr_engine": None, "ocr_confidence": None,
}
EDITIONS = {PDF_EDITION: 50, SEED_EDITION: 50, LIBREOFFICE_EDITION: 4}


def case(*values, id):
    return pytest.param(*values, id=id)


# ---------------------------------------------------------------- schema checks

def test_valid_row_fits():
    table = to_arrow("pages", [ROW, {**ROW, "page": 2, "line_tops": None, "printed_page": None}])
    assert table.schema == arrow_schema("pages")
    assert table.num_rows == 2


BAD_ROWS = [
    case({"bogus": 1}, "bogus", id="unknown-column"),
    case({"text": None}, "text", id="null-text"),
    case({"page": None}, "page", id="null-page"),
    case({"has_text_layer": None}, "has_text_layer", id="null-bool"),
    case({"page": "3"}, "page", id="string-in-int"),
    case({"page": 3.7}, "page", id="fraction-in-int"),
    case({"printed_page": 378.5}, "printed_page", id="fraction-in-nullable-int"),
    case({"char_count": True}, "char_count", id="bool-in-int"),
    case({"page": 2 ** 40}, "page", id="int-overflow"),
    case({"has_text_layer": "yes"}, "has_text_layer", id="string-in-bool"),
    case({"text": 123}, "text", id="int-in-string"),
    case({"width": "wide"}, "width", id="string-in-float"),
    case({"line_tops": ["top"]}, "line_tops", id="string-in-float-list"),
    case({"line_tops": 100.0}, "line_tops", id="scalar-in-list"),
]


@pytest.mark.parametrize("change, column", BAD_ROWS)
def test_writer_refuses_rows_that_do_not_fit(change, column, tmp_path):
    rows = [ROW, {**ROW, "page": 2, **change}]
    with pytest.raises(SchemaError) as err:
        write_edition(tmp_path, "t", {"pages": rows})
    message = str(err.value)
    assert "pages" in message and column in message
    assert not (tmp_path / "pages").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".staging")]


def test_unknown_table_is_refused(tmp_path):
    with pytest.raises(SchemaError, match="no_such_table"):
        write_edition(tmp_path, "t", {"no_such_table": [{"a": 1}]})


# ---------------------------------------------------------------- layout and readers

def test_layout(built):
    for edition in EDITIONS:
        part = built.out / "pages" / edition
        assert sorted(p.name for p in part.iterdir()) == ["part-0.parquet"]
        assert pq.read_schema(part / "part-0.parquet").remove_metadata() == arrow_schema("pages", with_partition=True)
    hidden = [p for p in built.out.rglob(".*")]
    assert hidden == []


def test_pandas_reads_all_editions(built):
    df = pd.read_parquet(built.out / "pages")
    assert "edition" in df.columns
    assert df["edition"].astype(str).value_counts().to_dict() == EDITIONS
    assert set(df.columns) == {f.name for f in arrow_schema("pages", with_partition=True)}
    flip = df[df["edition"].astype(str) == SEED_EDITION].sort_values("page")
    assert flip["page"].tolist() == list(range(351, 401))


def test_pandas_filters_one_edition(built):
    df = pd.read_parquet(built.out / "pages", filters=[("edition", "=", PDF_EDITION)])
    assert len(df) == 50 and set(df["edition"].astype(str)) == {PDF_EDITION}


def test_duckdb_reads_hive_partitions(built):
    glob = str(built.out / "pages" / "*" / "*.parquet")
    con = duckdb.connect()
    counts = dict(con.execute(
        "select edition, count(*) from read_parquet(?, hive_partitioning=true) group by edition", [glob]).fetchall())
    assert counts == EDITIONS
    (same,) = con.execute(
        """select count(*) from read_parquet(?, hive_partitioning=true) a
           join read_parquet(?, hive_partitioning=true) b on a.page_label = b.page_label
           where a.edition = ? and b.edition = ? and a.text = b.text""",
        [glob, glob, PDF_EDITION, SEED_EDITION]).fetchone()
    assert same == 50


def test_read_table_helper(built):
    everything = read_table(built.out, "pages")
    assert everything.num_rows == sum(EDITIONS.values())
    one = read_table(built.out, "pages", LIBREOFFICE_EDITION)
    assert one.num_rows == 4 and set(one.column("edition").to_pylist()) == {LIBREOFFICE_EDITION}


# ---------------------------------------------------------------- replacing an edition

def _files(root):
    """relative path -> (inode, mtime_ns, size) of every file under root."""
    return {str(p.relative_to(root)): (p.stat().st_ino, p.stat().st_mtime_ns, p.stat().st_size)
            for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def dataset_copy(built, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(built.out, out)
    return out


def test_rebuild_replaces_only_that_edition(dataset_copy):
    out = dataset_copy
    before, digest = _files(out), tree_digest(out)
    # Rebuild the LibreOffice edition from a different, one-page source: its rows are replaced, not added to.
    run = run_cli("build", FIXTURES / "word-gaps-no-space-glyphs.pdf", "--edition", LIBREOFFICE_EDITION,
                  "--out", out, "-q")
    assert run.returncode == 0, run.stderr
    after = _files(out)
    mine = f"/{LIBREOFFICE_EDITION}/"
    others = {k: v for k, v in before.items() if mine not in k}
    assert others == {k: v for k, v in after.items() if mine not in k}
    assert {k: v for k, v in tree_digest(out).items() if mine not in k} == \
        {k: v for k, v in digest.items() if mine not in k}
    assert sorted(k for k in after if mine in k) == sorted(k for k in before if mine in k)
    df = pd.read_parquet(out / "pages")
    assert df["edition"].astype(str).value_counts().to_dict() == {**EDITIONS, LIBREOFFICE_EDITION: 1}
    assert not list(out.rglob(".*"))


def test_rebuild_with_same_input_gives_same_bytes(dataset_copy):
    """Builds are deterministic: only the `editions` table (which records the build time) differs."""
    out = dataset_copy
    digest = tree_digest(out)
    run = run_cli("build", LIBREOFFICE_PDF, "--edition", LIBREOFFICE_EDITION, "--out", out, "-q")
    assert run.returncode == 0, run.stderr
    def data(d):
        return {k: v for k, v in d.items() if not k.startswith("editions/")}
    assert data(tree_digest(out)) == data(digest)


# ---------------------------------------------------------------- all or nothing

def _rows(out):
    return pd.read_parquet(out / "pages").sort_values(["edition", "page"]).reset_index(drop=True)


def _duck_counts(out):
    glob = str(out / "pages" / "*" / "*.parquet")
    return dict(duckdb.connect().execute(
        "select edition, count(*) from read_parquet(?, hive_partitioning=true) group by edition", [glob]).fetchall())


@pytest.mark.parametrize("fail_on", [1, 2], ids=["first-table", "after-first-table"])
def test_failed_write_leaves_previous_partition_intact(dataset_copy, monkeypatch, fail_on):
    out = dataset_copy
    digest, previous = tree_digest(out), _rows(out)
    visible = sorted(p.name for p in out.iterdir())
    real = dataset.TableFile.__init__     # every table file is opened there
    calls = []

    def flaky(self, where, *args, **kwargs):
        calls.append(where)
        if len(calls) == fail_on:
            # Mid-write, readers still see exactly the previous dataset.
            pd.testing.assert_frame_equal(_rows(out), previous)
            assert _duck_counts(out) == EDITIONS
            assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == visible
            raise OSError(28, "No space left on device")
        return real(self, where, *args, **kwargs)

    monkeypatch.setattr(dataset.TableFile, "__init__", flaky)
    with pytest.raises(OSError, match="No space left"):
        build_edition(LIBREOFFICE_PDF, LIBREOFFICE_EDITION, out, workers=1)
    if len(calls) < fail_on:
        pytest.skip("the build writes only one table")
    # The staging files were hidden while they existed, and are gone now.
    assert all(any(part.startswith(".staging-") for part in os.path.relpath(c, out).split(os.sep)) for c in calls)
    assert tree_digest(out) == digest
    assert not list(out.rglob(".*"))
    pd.testing.assert_frame_equal(_rows(out), previous)


def test_failed_write_of_a_new_edition_leaves_nothing(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(dataset.TableFile, "__init__", broken)
    with pytest.raises(OSError):
        build_edition(LIBREOFFICE_PDF, "new", tmp_path, workers=1)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_failed_write_via_cli_is_one_error_line(dataset_copy, tmp_path):
    """An unwritable --out: the CLI says so in one line, and the dataset is unchanged."""
    out = dataset_copy
    digest = tree_digest(out)
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("x")
    run = run_cli("build", LIBREOFFICE_PDF, "--edition", LIBREOFFICE_EDITION, "--out", blocker / "out")
    assert run.returncode != 0
    assert "Traceback" not in run.stderr
    assert len(run.stderr_lines) == 1 and run.stderr_lines[0].startswith("error:"), run.stderr
    assert tree_digest(out) == digest


# ---------------------------------------------------------------- packed tables (the workers' tokens)

TOKENS = {"section_id": ["s1"] * 5 + ["s2"] * 2, "sentence_index": [0, 0, 0, 1, 1, 0, 0],
          "token_index": [0, 1, 2, 0, 1, 0, 1], "token": ["市经信局", "牵头", "。", "给予", "补助", "专精特新", "企业"],
          "pos": ["nt", "v", "x", "v", "vn", "nz", "n"], "char_start": [0, 4, 6, 0, 2, 0, 4]}


def _packed(cuts: list[int]) -> dataset.Packed:
    """TOKENS packed as chunks cut at `cuts`, as the workers hand them back."""
    bounds = [0, *cuts, len(TOKENS["token"])]
    parts = [{k: v[a:b] for k, v in TOKENS.items()} for a, b in zip(bounds, bounds[1:])]
    return dataset.Packed.of("tokens", [(dataset.Packed.pack(to_arrow("tokens", p)), len(p["token"])) for p in parts])


@pytest.mark.parametrize("cuts", [[], [3], [1, 2, 6]], ids=["one-chunk", "two-chunks", "four-chunks"])
def test_a_packed_table_is_written_as_the_whole_table_in_whole_row_groups(cuts, tmp_path, monkeypatch):
    monkeypatch.setattr(dataset, "PACKED_ROW_GROUP", 3)
    packed = _packed(cuts)
    assert packed.num_rows == 7
    write_edition(tmp_path, "t", {"tokens": packed})
    path = tmp_path / "tokens" / "t" / "part-0.parquet"
    # The same rows as the table written whole, in groups of 3 whatever the chunks.
    assert pq.read_table(path).to_pylist() == [{"edition": "t", **row} for row in to_arrow("tokens", TOKENS).to_pylist()]
    groups = pq.ParquetFile(path).metadata
    assert [groups.row_group(i).num_rows for i in range(groups.num_row_groups)] == [3, 3, 1]
    assert packed.to_table().equals(to_arrow("tokens", TOKENS))


def test_an_empty_packed_table_writes_an_empty_file(tmp_path):
    write_edition(tmp_path, "t", {"tokens": dataset.Packed.of("tokens", [])})
    data = pq.read_table(tmp_path / "tokens" / "t" / "part-0.parquet")
    assert data.num_rows == 0 and data.schema.remove_metadata() == arrow_schema("tokens", with_partition=True)


def test_write_edition_release_empties_the_tables_it_wrote(tmp_path):
    tables = {"pages": [ROW], "tokens": _packed([3])}
    write_edition(tmp_path, "t", tables, release=True)
    assert tables == {}
    assert pq.read_table(tmp_path / "pages" / "t" / "part-0.parquet").num_rows == 1
