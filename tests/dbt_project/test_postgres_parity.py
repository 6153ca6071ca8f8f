"""The same drop through the whole pipeline on DuckDB and on PostgreSQL gives the same marts.

The drop: tests/fixtures/small_drop and tests/fixtures/customers_drop in one (five projects,
amounts in USD, EUR and JPY, FX fallbacks over weekends and Easter, timestamps with offsets,
won and lost deals, tickets, repeat orders for retention, follow-ups, deleted records). It
goes through `run_pipeline` into a fresh DuckDB file and into a fresh PostgreSQL database
(dlt loads, dbt build and tests, Great Expectations, quarantine checks, publish, report).
Then the same drop is loaded into PostgreSQL once more, the way the load assets load it
(stage, then one dlt pipeline per family, incremental state kept in the database): merging on
the keys must change no raw row. (The rest of a rerun rebuilds the models from those rows;
a whole second run would double the cost of this file, and rerunning the same drop through
the whole pipeline is tested on DuckDB in test_mart_project_roi.py.)

Every published table is compared row by row, all columns, sorted: integers, decimals,
text, dates, booleans and timestamps exactly; DOUBLE columns (a float by definition, for
reading only: FX factors, sales cycle and resolution time in fractional units) to 1e-9
relative. Column names, order and types must agree too.

Dagster's run history is kept in memory here (an ephemeral instance), not in SQLite files:
the event log is not what this file tests, and its fsyncs are a large part of a run's time.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import os
from decimal import Decimal
from pathlib import Path

import pytest

from foundation.settings import DBT_PROJECT_DIR
from foundation.warehouse import DuckDBWarehouse, PostgresSettings, PostgresWarehouse, Warehouse

from ..conftest import fresh_pg_database
from ..drops import land_staged, merge_fixtures
from .test_dbt_unit_tests import manifest_ids, run_unit_tests

PIPELINE_RUNS = 2
# Every model of models/marts is published to `marts` (orchestration/publish.py).
PUBLISHED = tuple(sorted(p.stem for p in (DBT_PROJECT_DIR / "models" / "marts").rglob("*.sql")))
CONTRACT_MARTS = (
    "mart_project_roi",
    "mart_funnel",
    "mart_channel_ltv_cac",
    "mart_customer_ltv",
    "mart_retention_cohorts",
    "mart_followup_conversion",
    "mart_service",
    "mart_ad_performance",
    "mart_lead_response",
    "mart_sales_rep_performance",
    "mart_churn_drivers",
)
DOUBLE_TOLERANCE = 1e-9
# The environment run_pipeline sets for the Dagster resources and dbt: restored afterwards.
ENVIRONMENT = (
    "ROI_TARGET", "ROI_WAREHOUSE", "ROI_STATE_DIR", "ROI_DBT_TARGET", "ROI_DATA_DIR",
    "ROI_SOURCE", "ROI_REPORTING_CURRENCY", "ROI_PG_HOST", "ROI_PG_PORT", "ROI_PG_USER",
    "ROI_PG_PASSWORD", "ROI_PG_DATABASE",
)  # fmt: skip


def _kind(data_type: str) -> str:
    """A column type as one name on both engines (information_schema spells them apart)."""
    upper = data_type.upper()
    if upper.startswith(("DECIMAL", "NUMERIC")):
        return "decimal"
    return {
        "DOUBLE": "double",
        "DOUBLE PRECISION": "double",
        "CHARACTER VARYING": "varchar",
        "VARCHAR": "varchar",
        "TIMESTAMP WITH TIME ZONE": "timestamptz",
    }.get(upper, upper.lower())


def _sort_key(row: tuple) -> tuple:
    # doubles may differ in their last bits between engines: never let that change the order
    return tuple(
        (value is None, round(value, 6) if isinstance(value, float) else value) for value in row
    )


def read_tables(warehouse: Warehouse, schema: str = "marts") -> dict[str, dict]:
    """Every table of `schema`: its columns as (name, kind, precision, scale), its rows sorted."""
    with warehouse.connect(read_only=True) as con:
        names = [
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables where table_schema = ?",
                [schema],
            ).fetchall()
        ]
    return read_tables_of(warehouse, schema, names)


def read_tables_of(warehouse: Warehouse, schema: str, names: list[str]) -> dict[str, dict]:
    tables = {}
    with warehouse.connect(read_only=True) as con:
        for name in sorted(names):
            columns = [
                (column, _kind(data_type), precision if _kind(data_type) == "decimal" else None,
                 scale if _kind(data_type) == "decimal" else None)
                for column, data_type, precision, scale in con.execute(
                    "select column_name, data_type, numeric_precision, numeric_scale "
                    "from information_schema.columns where table_schema = ? and table_name = ? "
                    "order by ordinal_position",
                    [schema, name],
                ).fetchall()
            ]  # fmt: skip
            rows = con.execute(f"select * from {schema}.{name}").fetchall()
            tables[name] = {"columns": columns, "rows": sorted(rows, key=_sort_key)}
    return tables


def raw_row_counts(warehouse: Warehouse) -> dict[str, int]:
    """Rows per raw table (dlt's own tables and merge staging schemas left out)."""
    counts = {}
    with warehouse.connect(read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables"
        ).fetchall()
        for schema, table in tables:
            raw = schema.startswith("raw_") and not schema.endswith("_staging")
            if raw and not table.startswith("_dlt"):
                (counts[f"{schema}.{table}"],) = con.execute(
                    f"select count(*) from {schema}.{table}"
                ).fetchone()
    return counts


def read_raw_tables(warehouse: Warehouse) -> dict[str, list[tuple]]:
    """Every raw table's columns and rows (dlt's own columns and tables left out)."""
    tables = {}
    for name in raw_row_counts(warehouse):
        schema, table = name.split(".")
        content = read_tables_of(warehouse, schema, [table])[table]
        # a merge gives a re-sent row the new load's id: compare what was loaded, not when
        keep = [
            index
            for index, (column, *_) in enumerate(content["columns"])
            if not column.startswith("_dlt")
        ]
        rows = [tuple(row[index] for index in keep) for row in content["rows"]]
        tables[name] = sorted(rows, key=_sort_key)
    return tables


def dlt_load_count(warehouse: Warehouse) -> dict[str, int]:
    """Completed dlt loads per raw schema (dlt's _dlt_loads table, status 0 = loaded)."""
    counts = {}
    with warehouse.connect(read_only=True) as con:
        for (schema,) in con.execute(
            "select table_schema from information_schema.tables where table_name = '_dlt_loads'"
        ).fetchall():
            (counts[schema],) = con.execute(
                f"select count(*) from {schema}._dlt_loads where status = 0"
            ).fetchone()
    return counts


def reload_drop(drop: Path, warehouse: PostgresWarehouse, staged: Path) -> None:
    """What the load assets do: stage the drop, then land it (the dlt state itself is in
    the database)."""
    from ingestion.files import stage_drop

    stage_drop(drop, staged)
    land_staged(staged, warehouse)


def check_results(warehouse: Warehouse, run_id: str) -> list[tuple]:
    with warehouse.connect(read_only=True) as con:
        return sorted(
            con.execute(
                "select check_name, table_name, check_kind, severity, status "
                "from audit.check_results where run_id = ?",
                [run_id],
            ).fetchall()
        )


def _same(value_a, value_b, kind: str) -> bool:
    if kind == "double" and value_a is not None and value_b is not None:
        return math.isclose(value_a, value_b, rel_tol=DOUBLE_TOLERANCE)
    return type(value_a) is type(value_b) and value_a == value_b


def differences(table_a: dict, table_b: dict, limit: int = 10) -> list[str]:
    """Cells that differ, as `row i, column: a != b` (up to `limit`)."""
    found = []
    kinds = [kind for _, kind, _, _ in table_a["columns"]]
    names = [name for name, _, _, _ in table_a["columns"]]
    for index, (row_a, row_b) in enumerate(zip(table_a["rows"], table_b["rows"], strict=True)):
        for name, kind, value_a, value_b in zip(names, kinds, row_a, row_b, strict=True):
            if not _same(value_a, value_b, kind):
                found.append(f"row {index} {row_a[:3]}, {name}: {value_a!r} != {value_b!r}")
    return found[:limit]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The merged drop through the pipeline on DuckDB, on PostgreSQL, and on PostgreSQL again."""
    import dagster as dg

    import roi.runner as runner

    workdir = tmp_path_factory.mktemp("parity")
    drop = merge_fixtures(workdir / "drop", "small_drop", "customers_drop")
    saved = {name: os.environ.get(name) for name in ENVIRONMENT}
    original_instance_for = runner.instance_for
    runner.instance_for = lambda warehouse: dg.DagsterInstance.ephemeral()
    try:
        with fresh_pg_database("roi_parity") as database:
            duckdb_warehouse = DuckDBWarehouse(workdir / "duckdb" / "roi.duckdb")
            pg_warehouse = PostgresWarehouse(
                PostgresSettings(database=database), workdir / "pg_state"
            )
            found = {"duckdb warehouse": duckdb_warehouse, "postgres warehouse": pg_warehouse}
            # GIVEN the same drop, WHEN the whole pipeline runs on each engine
            for name, warehouse in (("duckdb", duckdb_warehouse), ("postgres", pg_warehouse)):
                result = runner.run_pipeline(drop, warehouse, reporting_currency="USD")
                assert result.success, result.summary()
                found[name] = {
                    "result": result,
                    "marts": read_tables(warehouse),
                    "raw": raw_row_counts(warehouse),
                    "checks": check_results(warehouse, result.run_id),
                }
            # AND the dbt unit tests on PostgreSQL (runs leave them to CI)
            found["postgres unit tests"] = run_unit_tests(pg_warehouse, workdir / "unit")
            # AND the same drop loaded once more into PostgreSQL
            found["raw before reload"] = read_raw_tables(pg_warehouse)
            found["loads before reload"] = dlt_load_count(pg_warehouse)
            reload_drop(drop, pg_warehouse, workdir / "staged-again")
            found["raw after reload"] = read_raw_tables(pg_warehouse)
            found["loads after reload"] = dlt_load_count(pg_warehouse)
            found["exports"] = {
                name: _export(warehouse, workdir / f"export-{name}")
                for name, warehouse in (("duckdb", duckdb_warehouse), ("postgres", pg_warehouse))
            }
            found["report data"] = {
                name: _report_data(warehouse)
                for name, warehouse in (("duckdb", duckdb_warehouse), ("postgres", pg_warehouse))
            }
            with pg_warehouse.connect(read_only=True) as con:
                found["dlt state tables"] = sorted(
                    schema
                    for (schema,) in con.execute(
                        "select table_schema from information_schema.tables "
                        "where table_name = '_dlt_pipeline_state'"
                    ).fetchall()
                )
                found["postgres runs"] = con.execute(
                    "select run_id, status from audit.runs order by started_at"
                ).fetchall()
            yield found
    finally:
        runner.instance_for = original_instance_for
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _export(warehouse: Warehouse, out: Path) -> dict[str, list[str]]:
    from roi.export import export_marts

    export_marts(warehouse, out, "csv")
    return {
        path.name: sorted(path.read_text(encoding="utf-8").splitlines())
        for path in sorted(out.glob("*.csv"))
    }


def _report_data(warehouse: Warehouse):
    from reporting.data import load_report_data

    with warehouse.connect(read_only=True) as con:
        data = load_report_data(con, None, "month")
    # the run (its id and times) is each warehouse's own; everything else must agree
    return dataclasses.replace(data, audit=None)


def test_every_dbt_unit_test_passes_on_postgres(runs):
    assert runs["postgres unit tests"] == dict.fromkeys(
        manifest_ids("unit_tests", "unit_test"), "pass"
    )


def test_both_engines_publish_every_mart(runs):
    for engine in ("duckdb", "postgres"):
        assert tuple(runs[engine]["marts"]) == PUBLISHED, engine
    assert set(CONTRACT_MARTS) <= set(PUBLISHED)


def _dicts(table: dict) -> list[dict]:
    names = [name for name, *_ in table["columns"]]
    return [dict(zip(names, row, strict=True)) for row in table["rows"]]


def test_the_drop_is_rich_enough_to_compare(runs):
    marts = runs["duckdb"]["marts"]
    assert {row["currency"] for row in _dicts(marts["fct_orders"])} == {"USD", "EUR", "JPY"}
    assert len(marts["dim_project"]["rows"]) == 5
    roi = _dicts(marts["mart_project_roi"])
    assert any(row["won_deals"] for row in roi) and any(row["lost_deals"] for row in roi)
    assert any(row["avg_sales_cycle_days"] is not None for row in roi)
    assert any(row["month_offset"] > 0 for row in _dicts(marts["mart_retention_cohorts"]))
    service = _dicts(marts["mart_service"])
    assert any(row["median_resolution_hours"] is not None for row in service)
    assert marts["mart_followup_conversion"]["rows"] and marts["mart_churn_monthly"]["rows"]


@pytest.mark.parametrize("table", PUBLISHED)
def test_same_columns_and_types_on_both_engines(runs, table):
    assert runs["postgres"]["marts"][table]["columns"] == runs["duckdb"]["marts"][table]["columns"]


@pytest.mark.parametrize("table", PUBLISHED)
def test_same_rows_on_both_engines(runs, table):
    duckdb_table = runs["duckdb"]["marts"][table]
    pg_table = runs["postgres"]["marts"][table]
    assert len(pg_table["rows"]) == len(duckdb_table["rows"])
    assert duckdb_table["rows"], f"{table} is empty: nothing would be compared"
    assert differences(duckdb_table, pg_table) == []


def test_only_doubles_are_compared_with_a_tolerance(runs):
    """The tolerance is for DOUBLE columns only, and those hold no money and no ratio."""
    doubles = sorted(
        f"{table}.{name}"
        for table, content in runs["duckdb"]["marts"].items()
        for name, kind, _, _ in content["columns"]
        if kind == "double"
    )
    assert doubles == [
        "fct_ad_spend_daily.fx_factor",
        "fct_costs.fx_factor",
        "fct_opportunities.sales_cycle_days",
        "fct_orders.fx_factor",
        "fct_project_daily.won_sales_cycle_days",
        "fct_tickets.resolution_hours",
    ]


def test_dlt_loaded_the_same_raw_rows_and_keeps_its_state_in_postgres(runs):
    assert runs["postgres"]["raw"] == runs["duckdb"]["raw"]
    assert runs["postgres"]["raw"]["raw_crm.orders"] == 29  # 8 + 21 rows of the two drops
    # dlt keeps each pipeline's state in the destination: one table per raw schema
    assert runs["dlt state tables"] == [
        "raw_ads", "raw_crm", "raw_erp", "raw_fx", "raw_reference",
    ]  # fmt: skip


def test_the_same_checks_ran_and_passed_on_postgres(runs):
    duckdb_checks, pg_checks = runs["duckdb"]["checks"], runs["postgres"]["checks"]
    assert pg_checks == duckdb_checks
    kinds = {kind for _, _, kind, _, _ in pg_checks}
    assert {"dbt_test", "great_expectations", "quarantine"} <= kinds
    assert all(status == "pass" for *_, status in pg_checks)


def test_loading_the_same_drop_again_into_postgres_changes_no_raw_row(runs):
    before, after = runs["raw before reload"], runs["raw after reload"]
    assert sorted(after) == sorted(before) and len(before) == 10
    for table, rows in before.items():
        assert rows, f"{table} is empty: nothing would be compared"
        assert after[table] == rows, table  # merged on their keys: no row twice or changed
    # each family was really loaded a second time, from the state dlt keeps in the database
    assert runs["loads before reload"] == {schema: 1 for schema in runs["dlt state tables"]}
    assert runs["loads after reload"] == {schema: 2 for schema in runs["dlt state tables"]}
    assert runs["postgres runs"] == [(runs["postgres"]["result"].run_id, "success")]


def test_the_postgres_run_keeps_its_local_state_in_its_state_folder(runs):
    state = runs["postgres warehouse"].state_dir
    reports = [Path(path) for path in runs["postgres"]["result"].reports]
    assert [path.name for path in reports] == [
        "roi-report-2026-Q1-en.html",
        "roi-report-2026-Q1-zh.html",
    ]
    assert all(path.parent == state / "reports" and path.is_file() for path in reports)
    assert (state / "dlt" / "files_raw_crm").is_dir()
    assert (state / "docs" / runs["postgres"]["result"].run_id / "index.html").is_file()
    assert not (state / "roi.duckdb").exists()


def test_the_report_reads_the_same_numbers_from_both_engines(runs):
    duckdb_data, pg_data = runs["report data"]["duckdb"], runs["report data"]["postgres"]
    assert pg_data.period == duckdb_data.period
    assert pg_data == duckdb_data


def test_the_export_writes_the_same_files_from_both_engines(runs):
    duckdb_files, pg_files = runs["exports"]["duckdb"], runs["exports"]["postgres"]
    assert sorted(pg_files) == [f"{table}.csv" for table in PUBLISHED]
    for name, lines in duckdb_files.items():
        assert len(lines) > 1, f"{name} holds no rows"
        assert pg_files[name] == lines, name


def test_postgres_gives_dates_utc_instants_and_decimals(runs):
    ticket = _dicts(runs["postgres"]["marts"]["fct_tickets"])[0]
    assert type(ticket["opened_date"]) is dt.date
    assert ticket["opened_at"].utcoffset() == dt.timedelta(0)
    roi = _dicts(runs["postgres"]["marts"]["mart_project_roi"])[0]
    assert type(roi["revenue"]) is Decimal and type(roi["leads"]) is int
