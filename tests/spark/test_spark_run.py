"""The parity test: one drop, then an update drop, through whole runs (`roi run --target
spark`: the load into the lake, Great Expectations, dbt build with every data test, the
quarantine, publish, the audit trail, docs and report) on the local Spark cluster and on
DuckDB. Every published mart equals DuckDB's after each run: columns, types mapped, every
value (DOUBLEs to 1e-9 relative). Then the readers and writers that follow a run on Spark:
`roi export` writes DuckDB's files, `roi forget` removes DuckDB's rows.

In tests/fixtures/small_drop account A-DE-2 has the converted lead L-DE-2, the opportunity
OP-DE-2, the orders O-DE-3 (cancelled) and O-DE-4, and the activity ACT-2."""

from __future__ import annotations

import contextlib
import io
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from foundation.warehouse import SparkWarehouse, resolve_warehouse
from roi.cli import main

from ..conftest import copy_warehouse
from ..drops import FIXTURES
from .conftest import cluster_env, empty_metastore
from .parity import assert_same_relation

# The Spark runs are slow (about a second for each of the ~400 test queries): start first.
PIPELINE_RUNS = 6


def _main(arguments: list[str]) -> str:
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = main(arguments)
    assert code == 0, printed.getvalue()
    return printed.getvalue()


def _run(arguments: list[str]) -> str:
    return _main(["run", "--source", "files", "--reporting-currency", "USD", *arguments])


def _published(duck) -> list[str]:
    return [
        name
        for (name,) in duck.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' "
            "order by 1"
        ).fetchall()
    ]


def _assert_marts_equal(duck_file: Path, warehouse: SparkWarehouse, staging: bool = False):
    """Every published mart (and, with `staging`, every staging view) of the DuckDB file
    equals Spark's; returns each mart's row count."""
    duck = duckdb.connect(str(duck_file), read_only=True)
    try:
        rows = {}
        with warehouse.connect() as con:
            names = _published(duck)
            assert len(names) >= 20
            assert con.table_names("marts") == names
            for name in names:
                rows[name] = assert_same_relation(duck, con, f"marts.{name}", f"marts.{name}")
            if staging:
                for (name,) in duck.execute(
                    "select table_name from information_schema.tables "
                    "where table_schema = 'staging' order by 1"
                ).fetchall():
                    # the load ids are each load's own
                    assert_same_relation(
                        duck, con, f"staging.{name}", f"staging.{name}", skip=("_dlt_load_id",)
                    )
        return rows
    finally:
        duck.close()


@dataclass
class SparkRuns:
    warehouse: SparkWarehouse
    duck_file: Path  # DuckDB after the same two drops
    run_ids: list[str]
    first_rows: dict[str, int]  # each mart's rows after the first run (equal on both engines)
    first_mismatch: str | None  # what differed after the first run, if anything


@pytest.fixture(scope="module")
def spark_runs(spark, small_drop_published, tmp_path_factory) -> SparkRuns:
    """The small drop, then its update, through `roi run --target spark` on an empty metastore
    and a lake of its own; the DuckDB file of the same two runs (the session's shared first
    run, copied, plus the update)."""
    folder = tmp_path_factory.mktemp("spark-runs")
    with pytest.MonkeyPatch.context() as patch:
        for name, value in cluster_env(spark).items():
            patch.setenv(name, value)
        patch.setenv("ROI_SPARK_LAKE", str(folder / "lake"))
        patch.setenv("ROI_STATE_DIR", str(folder / "state"))
        warehouse = resolve_warehouse("spark")
        empty_metastore(warehouse)
        drop = shutil.copytree(FIXTURES / "small_drop", folder / "small_drop")
        update = shutil.copytree(FIXTURES / "small_drop_update", folder / "small_drop_update")
        run_ids = []
        printed = _run(["--target", "spark", "--data-dir", str(drop)])
        run_ids.append(re.match(r"run (\S+) succeeded: marts published in spark://", printed)[1])
        first_rows, mismatch = {}, None
        try:
            first_rows = _assert_marts_equal(
                small_drop_published.warehouse, warehouse, staging=True
            )
        except AssertionError as error:
            mismatch = str(error)
        duck_file = copy_warehouse(small_drop_published.warehouse, folder / "duck" / "roi.duckdb")
        _run(["--warehouse", str(duck_file), "--data-dir", str(update)])
        printed = _run(["--target", "spark", "--data-dir", str(update)])
        run_ids.append(re.match(r"run (\S+) succeeded: marts published in spark://", printed)[1])
        yield SparkRuns(warehouse, duck_file, run_ids, first_rows, mismatch)
        empty_metastore(warehouse)


def test_a_run_on_spark_publishes_duckdbs_marts_and_so_does_the_next(spark_runs):
    # GIVEN the small drop run on Spark and on DuckDB
    # THEN every published mart and staging view was equal after the first run
    assert spark_runs.first_mismatch is None
    assert spark_runs.first_rows["mart_project_roi"] > 0
    # AND after the update drop (a new ad day, a new lead, new versions of an order and a
    # cost) every published mart is equal again, with the update's rows
    after = _assert_marts_equal(spark_runs.duck_file, spark_runs.warehouse)
    assert after != spark_runs.first_rows
    # AND both runs are in Spark's audit trail as successes
    with spark_runs.warehouse.connect() as con:
        assert con.execute(
            "select run_id, status, failed_checks from audit.runs where run_id in (?, ?) "
            "order by started_at",
            spark_runs.run_ids,
        ).fetchall() == [(run_id, "success", 0) for run_id in spark_runs.run_ids]


def test_roi_export_on_spark_writes_duckdbs_files(spark_runs, tmp_path, monkeypatch):
    # GIVEN the two runs on both engines
    for name, value in spark_runs.warehouse.settings.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("ROI_STATE_DIR", str(spark_runs.warehouse.state_dir))
    # WHEN each exports its published marts as Parquet
    _main(["export", "--target", "spark", "--format", "parquet", "--out", str(tmp_path / "spark")])
    _main(
        ["export", "--warehouse", str(spark_runs.duck_file), "--format", "parquet"]
        + ["--out", str(tmp_path / "duck")]
    )
    # THEN the same files hold the same columns, types and rows
    written = sorted(path.name for path in (tmp_path / "duck").glob("*.parquet"))
    assert sorted(path.name for path in (tmp_path / "spark").glob("*.parquet")) == written
    assert len(written) >= 20
    for name in written:
        expected = pq.read_table(tmp_path / "duck" / name)
        got = pq.read_table(tmp_path / "spark" / name)
        assert got.schema == expected.schema, name
        key = [(column, "ascending") for column in expected.column_names]
        assert got.sort_by(key).equals(expected.sort_by(key)), name


def test_running_the_same_drop_again_on_spark_changes_nothing(spark_runs, monkeypatch):
    # GIVEN the update drop, published on Spark by the second run
    for name, value in spark_runs.warehouse.settings.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("ROI_STATE_DIR", str(spark_runs.warehouse.state_dir))
    update = spark_runs.warehouse.state_dir.parent / "small_drop_update"
    with spark_runs.warehouse.connect() as con:
        loads = con.execute("select count(*) from audit.loads").fetchone()
    # WHEN it runs again
    printed = _run(["--target", "spark", "--data-dir", str(update)])
    # THEN the run stops early, as the second run's, and loads nothing
    assert f"are those of run {spark_runs.run_ids[1]} and nothing was loaded" in printed, printed
    with spark_runs.warehouse.connect() as con:
        assert con.execute("select count(*) from audit.loads").fetchone() == loads
    # AND every published mart still equals DuckDB's
    _assert_marts_equal(spark_runs.duck_file, spark_runs.warehouse)
    # AND `roi audit` reads the rerun and the marts' lineage from Spark's audit schema
    rerun = re.match(r"run (\S+): nothing to do", printed)[1]
    audit = _main(["audit", "--target", "spark", "--table", "marts.mart_project_roi"])
    assert audit.startswith(f"run {rerun}: UNCHANGED\n"), audit
    assert "lineage of marts.mart_project_roi (column <- models <- source columns):" in audit
    assert "  cumulative_roi  [" in audit


def test_roi_forget_on_spark_removes_duckdbs_rows(spark_runs, tmp_path, monkeypatch):
    from roi.erasure import forget

    # GIVEN the two runs on both engines (Spark's copy of the DuckDB file, to keep it shared)
    duck_file = copy_warehouse(spark_runs.duck_file, tmp_path / "duck" / "roi.duckdb")
    monkeypatch.setenv("ROI_REPORT_DIR", str(tmp_path / "reports"))
    # WHEN account A-DE-2 is erased from each
    on_duckdb = forget(resolve_warehouse(warehouse=duck_file), "account", "A-DE-2", "dpo")
    on_spark = forget(spark_runs.warehouse, "account", "A-DE-2", "dpo")
    # THEN Spark lost the rows DuckDB lost, table by table, in the tables both engines have
    # (DuckDB's published marts are tables, Spark's are views over marts_versions; dlt keeps
    # staging tables on DuckDB only)
    common = set(on_duckdb.rows_removed) & set(on_spark.rows_removed)
    assert {"raw_crm.accounts", "raw_crm.orders", "marts_candidate.fct_orders"} <= common
    assert {t: on_spark.rows_removed[t] for t in common} == {
        t: on_duckdb.rows_removed[t] for t in common
    }
    # O-DE-3, and O-DE-4 in both its versions (the update drop restated its amount)
    assert on_spark.rows_removed["raw_crm.orders"] == 3
    # (the audit trails differ: Spark's holds the rerun too)
    assert {k: n for k, n in on_spark.rows_anonymised.items() if not k.startswith("audit.")} == {
        k: n for k, n in on_duckdb.rows_anonymised.items() if not k.startswith("audit.")
    }
    # AND no raw, model, published or version table of Spark holds one of its keys
    with spark_runs.warehouse.connect() as con:
        for schema, table in [("raw_crm", "accounts"), ("raw_crm", "orders")]:
            assert con.execute(
                f"select count(*) from {schema}.{table} where account_id = 'A-DE-2'"
            ).fetchone() == (0,)
        for relation in ["marts.fct_orders", "marts_candidate.fct_orders", "marts.dim_account"]:
            assert con.execute(
                f"select count(*) from {relation} where account_id = 'A-DE-2'"
            ).fetchone() == (0,)
        # AND the erasure is on record, and a second request changes nothing
        assert con.execute("select count(*) from audit.erasures").fetchone() == (1,)
    again = forget(spark_runs.warehouse, "account", "A-DE-2", "dpo")
    assert again.erasure_id is None and not again.changed
