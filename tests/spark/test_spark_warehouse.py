"""The Spark warehouse (foundation.warehouse.SparkWarehouse): its connection over the Thrift
Server, and raw tables landed by dlt as Parquet files in the lake (the load step's path:
prepare_source, dlt_run_options, after_load)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import dlt
import pytest

from foundation.errors import RoiError
from foundation.warehouse import (
    SparkSettings,
    SparkWarehouse,
    WarehouseUnavailable,
)
from ingestion.files import DATASETS, stage_drop
from roi.spark_cluster import free_ports

from ..drops import FIXTURES, land_staged
from .conftest import empty_metastore

SMALL_DROP_ROWS = {
    ("raw_reference", "projects"): 2,
    ("raw_ads", "ad_spend"): 7,
    ("raw_crm", "accounts"): 5,
    ("raw_crm", "activities"): 4,
    ("raw_crm", "leads"): 7,
    ("raw_crm", "opportunities"): 9,
    ("raw_crm", "orders"): 8,
    ("raw_crm", "tickets"): 3,
    ("raw_erp", "costs"): 6,
    ("raw_fx", "rates"): 16,
}


@pytest.fixture(scope="module")
def warehouse(spark, tmp_path_factory) -> SparkWarehouse:
    folder = tmp_path_factory.mktemp("spark-warehouse")
    warehouse = SparkWarehouse(
        SparkSettings(port=spark.thrift_port, lake=str(folder / "lake")), folder / "state"
    )
    empty_metastore(warehouse)
    return warehouse


def test_a_drop_lands_as_parquet_tables_and_a_second_load_appends(warehouse, tmp_path):
    # GIVEN the small drop, validated and staged
    staged = tmp_path / "staged"
    stage_drop(FIXTURES / "small_drop", staged)
    # WHEN it is loaded into the lake
    land_staged(staged, warehouse)
    # THEN every raw table is a Spark table over its files, one row per CSV row
    with warehouse.connect() as con:
        counts = {
            (d, t): con.execute(f"select count(*) from {d}.{t}").fetchone()[0]
            for d, t in SMALL_DROP_ROWS
        }
        assert counts == SMALL_DROP_ROWS
        # with the types of the raw contract
        described = con.execute("describe table raw_ads.ad_spend").fetchall()
        assert [(name, kind) for name, kind, _ in described] == [
            ("date", "date"),
            ("platform", "string"),
            ("account_id", "string"),
            ("campaign_id", "string"),
            ("campaign_name", "string"),
            ("project_code", "string"),
            ("currency", "string"),
            ("spend", "decimal(38,9)"),
            ("impressions", "bigint"),
            ("clicks", "bigint"),
            ("_source_file", "string"),
            ("_source_line", "bigint"),
            ("_dlt_load_id", "string"),
        ]
        first = con.execute(
            "select date, campaign_id, currency, spend, impressions, clicks, _source_line "
            "from raw_ads.ad_spend where _source_line = 2"
        ).fetchall()
        assert first == [(dt.date(2026, 2, 23), "C-DE-G1", "EUR", Decimal("400"), 10000, 300, 2)]
        assert list(Path(warehouse.settings.lake, "raw_ads", "ad_spend").glob("*.parquet"))

    # WHEN the same drop is loaded again
    land_staged(staged, warehouse)
    # THEN the raw tables keep both loads (staging keeps each key's newest version)
    with warehouse.connect() as con:
        again = con.execute(
            "select count(*), count(distinct _dlt_load_id) from raw_crm.leads"
        ).fetchone()
        assert again == (14, 2)


def test_values_round_trip_through_literals_and_batched_inserts(warehouse):
    rows = [
        (
            n,
            f"it's {n} \\ back",
            Decimal("12345678901234567890.123456789") if n == 0 else Decimal(n) / 4,
            dt.datetime(2026, 3, 1, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=8))),
            dt.date(2026, 2, 28),
            n % 2 == 0,
            None if n == 1 else n / 8,
        )
        for n in range(1201)
    ]
    with warehouse.connect() as con:
        con.execute("create database if not exists roi_probe")
        con.execute("drop table if exists roi_probe.values_back")
        con.execute(
            "create table roi_probe.values_back (n int, s string, d decimal(38, 9), "
            "t timestamp, day date, b boolean, f double) using parquet"
        )
        # 1,201 rows: three multi-row inserts of at most 500
        con.executemany("insert into roi_probe.values_back values (?, ?, ?, ?, ?, ?, ?)", rows)
        back = con.execute("select * from roi_probe.values_back order by n").fetchall()
        assert len(back) == 1201
        assert back[0] == (
            0,
            "it's 0 \\ back",
            Decimal("12345678901234567890.123456789"),
            dt.datetime(2026, 3, 1, 0, 30, tzinfo=dt.UTC),
            dt.date(2026, 2, 28),
            True,
            0.0,
        )
        assert back[1][6] is None
        assert back[1200][2] == Decimal("300.000000000")
        assert con.execute(
            "select count(*) from roi_probe.values_back where s = ? and b = ?",
            ["it's 7 \\ back", False],
        ).fetchone() == (1,)
        # df() as DuckDB's: decimals and doubles as float64 columns, NULL as NaN
        frame = con.execute("select n, d, f from roi_probe.values_back where n < 3 order by n").df()
        assert list(frame.columns) == ["n", "d", "f"]
        assert [str(t) for t in frame.dtypes] == ["int64", "float64", "float64"]
        assert frame["d"].tolist() == [12345678901234567890.123456789, 0.25, 0.5]
        assert frame["f"].tolist()[0::2] == [0.0, 0.25]
        assert frame["f"].isna().tolist() == [False, True, False]
        assert con.has_table("roi_probe", "values_back")
        assert not con.has_table("roi_probe", "missing")
        assert not con.has_table("roi_missing_schema", "values_back")
        con.execute("drop database roi_probe cascade")


def test_an_unreachable_thrift_server_is_named(tmp_path):
    [port] = free_ports(1)
    warehouse = SparkWarehouse(SparkSettings(port=port, lake=str(tmp_path)), tmp_path)
    with pytest.raises(WarehouseUnavailable) as raised, warehouse.connect():
        pass
    assert f"cannot connect to the Spark Thrift Server spark://roi@127.0.0.1:{port}" in str(
        raised.value
    )
    assert "make spark-up" in str(raised.value)


def test_the_target_and_its_settings(tmp_path):
    environ = {
        "ROI_SPARK_HOST": "spark.example.com",
        "ROI_SPARK_PORT": "10001",
        "ROI_SPARK_LAKE": "s3://lake-bucket/roi",
        "ROI_STATE_DIR": str(tmp_path / "state"),
    }
    warehouse = SparkWarehouse.from_env(environ)
    assert warehouse == SparkWarehouse(
        SparkSettings(host="spark.example.com", port=10001, lake="s3://lake-bucket/roi"),
        tmp_path / "state",
    )
    assert warehouse.lake_location("raw_ads", "ad_spend") == "s3://lake-bucket/roi/raw_ads/ad_spend"
    assert warehouse.dbt_vars() == {
        "roi_spark_host": "spark.example.com",
        "roi_spark_port": 10001,
        "roi_spark_user": "roi",
    }
    # the local cluster's lake by default, beside the warehouse file
    local = SparkWarehouse.from_env({"ROI_WAREHOUSE": str(tmp_path / "w" / "roi.duckdb")})
    assert local.settings.lake == str(tmp_path / "w" / "spark" / "lake")
    assert local.lake_location("raw_fx", "rates") == (tmp_path / "w/spark/lake").as_uri() + (
        "/raw_fx/rates"
    )
    with pytest.raises(RoiError, match="ROI_SPARK_PORT must be a port number, got 'x'"):
        SparkSettings.from_env({"ROI_SPARK_PORT": "x"})


def test_a_column_a_later_load_brings_is_added_to_the_table(warehouse):
    # GIVEN a raw table landed with two columns
    pipeline = dlt.pipeline(
        pipeline_name="drift_probe",
        destination=warehouse.dlt_destination(),
        dataset_name="roi_drift_probe",
        pipelines_dir=str(warehouse.state_dir / "dlt"),
    )

    def rows(extra: bool):
        @dlt.resource(name="events", write_disposition="append")
        def events():
            yield [{"event_id": "E1", "amount": 5, **({"channel": "meta_ads"} if extra else {})}]

        return events

    pipeline.run(
        warehouse.prepare_source(dlt.source(lambda: rows(False), name="probe")()),
        **warehouse.dlt_run_options(),
    )
    warehouse.after_load(pipeline)
    # WHEN a later load brings a new column
    pipeline.run(
        warehouse.prepare_source(dlt.source(lambda: rows(True), name="probe")()),
        **warehouse.dlt_run_options(),
    )
    warehouse.after_load(pipeline)
    # THEN the Spark table has it, NULL for the rows loaded before
    with warehouse.connect() as con:
        got = con.execute(
            "select event_id, amount, channel from roi_drift_probe.events order by channel"
        ).fetchall()
        assert got == [("E1", 5, None), ("E1", 5, "meta_ads")]
        con.execute("drop database roi_drift_probe cascade")


def test_the_run_resource_carries_the_spark_warehouse(tmp_path):
    from orchestration.resources import WarehouseResource

    warehouse = SparkWarehouse(
        SparkSettings(host="10.0.0.5", port=10001, user="etl", lake="s3://lake/roi"),
        tmp_path / "state",
    )
    resource = WarehouseResource.for_warehouse(warehouse, "EUR")
    assert resource.resolved == warehouse
    assert resource.dbt_args() == [
        "--target",
        "spark",
        "--vars",
        '{"reporting_currency": "EUR", "roi_spark_host": "10.0.0.5", "roi_spark_port": 10001, '
        '"roi_spark_user": "etl"}',
    ]


def test_every_dbt_unit_test_passes_on_spark(spark, warehouse, tmp_path):
    """The dbt unit tests (fixed rows in, hand-computed rows out) on Spark: runs exclude
    them, and the parity test (test_spark_run.py) covers the data tests. dbt reads each
    tested model's parents' columns from the warehouse, so the models are built empty first."""
    import subprocess
    import sys

    from foundation.settings import DBT_PROJECT_DIR
    from orchestration.resources import WarehouseResource

    # GIVEN the small drop's raw tables, and every model built empty (`dbt run --empty`)
    with warehouse.connect() as con:
        for dataset in DATASETS:
            con.execute(f"drop database if exists {dataset} cascade")
    lake = SparkWarehouse(
        SparkSettings(port=spark.thrift_port, lake=str(tmp_path / "lake")), tmp_path / "state"
    )
    staged = tmp_path / "staged"
    stage_drop(FIXTURES / "small_drop", staged)
    land_staged(staged, lake)
    resource = WarehouseResource.for_warehouse(lake, "USD")

    def dbt(*arguments: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [
                str(Path(sys.executable).parent / "dbt"),
                *arguments,
                *resource.dbt_args(),
                "--project-dir",
                str(DBT_PROJECT_DIR),
                "--profiles-dir",
                str(DBT_PROJECT_DIR),
                "--target-path",
                str(tmp_path / "dbt_target"),
            ],
            capture_output=True,
            text=True,
            check=False,
        )

    built = dbt("build", "--empty", "--resource-type", "seed", "--resource-type", "model")
    assert built.returncode == 0, built.stdout[-3000:]
    # WHEN dbt runs the unit tests there
    done = dbt("test", "--select", "test_type:unit")
    # THEN every one passes
    assert done.returncode == 0, done.stdout[-3000:]
    assert re.search(r"Done\. PASS=(\d+) WARN=0 ERROR=0 SKIP=0", done.stdout), done.stdout[-500:]
    assert int(re.search(r"PASS=(\d+)", done.stdout)[1]) >= 26
