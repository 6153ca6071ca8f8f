"""The audit schema on Spark (orchestration/audit_store.py): Parquet tables partitioned by run,
where writing a run's rows again replaces that run's rows and nothing else, as the same writes
do in one transaction on DuckDB."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from foundation.warehouse import (
    DuckDBWarehouse,
    SparkSettings,
    SparkWarehouse,
    Warehouse,
    table_names,
)
from orchestration import audit_store
from orchestration.lineage import LineageRow

T0 = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def spark_warehouse(spark, tmp_path) -> SparkWarehouse:
    warehouse = SparkWarehouse(
        SparkSettings(port=spark.thrift_port, lake=str(tmp_path / "lake")), tmp_path / "state"
    )
    with warehouse.connect() as con:
        con.execute("drop database if exists audit cascade")
        con.execute("drop database if exists intermediate cascade")
    return warehouse


def test_an_audit_tables_ddl_on_spark():
    ddl = audit_store.spark_ddl(audit_store.TABLES["table_rows"])
    assert " ".join(ddl.split()) == (
        "create table if not exists audit.table_rows ( run_id string, table_name string, "
        "row_count bigint, measured_at timestamp ) using parquet partitioned by (run_id)"
    )
    # a table without a run has no partitions
    assert audit_store.spark_ddl(audit_store.TABLES["erasure_salt"]) == (
        "create table if not exists audit.erasure_salt (salt string) using parquet"
    )


def _check(run: str, name: str, status: str) -> tuple:
    return (run, name, "mart_funnel", "dbt_test", "error", status, None, T0)


def _write_two_runs_then_again(warehouse: Warehouse) -> None:
    """Every writer twice for run r2 beside run r1: the second writes replace the first."""
    for run in ("r1", "r2"):
        audit_store.write_run(
            warehouse,
            {
                "run_id": run,
                "job_name": "roi_run",
                "trigger": "cli",
                "status": "failed",
                "failed_checks": 1,
                "started_at": T0,
            },
            [_check(run, "not_null_a", "failed"), _check(run, "unique_b", "passed")],
        )
        for dataset in ("raw_crm", "raw_fx"):
            audit_store.record_loads(
                warehouse, run, "files", dataset, [f"17000000{run[-1]}.1"], {"t": 2, "_dlt_x": 1}
            )
    # run r2 again: one check now, the raw_fx load again with other counts
    audit_store.write_run(
        warehouse,
        {
            "run_id": "r2",
            "job_name": "roi_run",
            "trigger": "cli",
            "status": "succeeded",
            "failed_checks": 0,
            "started_at": T0,
        },
        [_check("r2", "not_null_a", "passed")],
    )
    audit_store.record_loads(warehouse, "r2", "files", "raw_fx", ["170000002.2"], {"t": 5})
    with warehouse.connect() as con:
        audit_store.ensure_tables(con, ["table_rows"])
        for table, count in (("mart_a", 3), ("mart_b", 4)):
            audit_store.write_table_rows(con, "r2", table, count)
        audit_store.write_table_rows(con, "r2", "mart_a", 7)
        lineage = [LineageRow("marts_candidate.mart_a", "x", ("m",), ("raw.t.x",), "x + 1")]
        audit_store.write_lineage(con, lineage, "r1")
        audit_store.write_lineage(con, lineage, "r2")
        audit_store.write_lineage(con, [], "r2")
        con.execute("create schema if not exists intermediate")
        con.execute(
            "create table intermediate.int_quarantine as select 'raw_crm.leads' as source_table, "
            "'L1' as record_key, 'fx_missing' as reason, 'no rate' as detail, "
            "cast('2026-03-01' as date) as business_date, 'crm_leads.csv' as source_file, "
            "cast(3 as bigint) as source_line"
        )
        assert audit_store.write_quarantine(con, "r2") == {"fx_missing": 1}
        assert audit_store.write_quarantine(con, "r2") == {"fx_missing": 1}


def _audit_rows(warehouse: Warehouse) -> dict[str, list[tuple]]:
    queries = {
        "runs": "select run_id, status, failed_checks, started_at from audit.runs",
        "check_results": "select run_id, check_name, status, evaluated_at from audit.check_results",
        "loads": "select run_id, dataset, table_name, load_id, rows_loaded from audit.loads",
        "table_rows": "select run_id, table_name, row_count from audit.table_rows",
        "lineage": "select run_id, mart, published_table, column_name from audit.lineage",
        "quarantine": "select run_id, source_table, record_key, reason, business_date, "
        "source_line from audit.quarantine",
    }
    with warehouse.connect() as con:
        return {table: sorted(con.execute(sql).fetchall()) for table, sql in queries.items()}


def test_writing_a_runs_rows_again_replaces_only_them(spark_warehouse, tmp_path):
    # GIVEN two runs' audit rows, then run r2's written again
    _write_two_runs_then_again(spark_warehouse)
    # THEN Spark holds each run's latest rows
    rows = _audit_rows(spark_warehouse)
    assert rows == {
        "runs": [("r1", "failed", 1, T0), ("r2", "succeeded", 0, T0)],
        "check_results": [
            ("r1", "not_null_a", "failed", T0),
            ("r1", "unique_b", "passed", T0),
            ("r2", "not_null_a", "passed", T0),
        ],
        "loads": [
            ("r1", "raw_crm", "t", "170000001.1", 2),
            ("r1", "raw_fx", "t", "170000001.1", 2),
            ("r2", "raw_crm", "t", "170000002.1", 2),
            ("r2", "raw_fx", "t", "170000002.2", 5),
        ],
        "table_rows": [("r2", "mart_a", 7), ("r2", "mart_b", 4)],
        "lineage": [("r1", "marts_candidate.mart_a", "marts.mart_a", "x")],
        "quarantine": [
            ("r2", "raw_crm.leads", "L1", "fx_missing", dt.date(2026, 3, 1), 3),
        ],
    }
    # AND the same writes on DuckDB leave the same rows
    duckdb_warehouse = DuckDBWarehouse(tmp_path / "roi.duckdb")
    _write_two_runs_then_again(duckdb_warehouse)
    assert _audit_rows(duckdb_warehouse) == rows
    # AND on Spark each run's rows are one partition of Parquet files
    with spark_warehouse.connect() as con:
        partitions = con.execute("show partitions audit.loads").fetchall()
    assert sorted(partitions) == [("run_id=r1",), ("run_id=r2",)]


def test_a_period_runs_record_keeps_its_dates_on_spark(spark_warehouse):
    """A scheduled or backfilled run names its period in Dagster tags, as ISO dates. Spark
    refuses a string in audit.runs' DATE columns where DuckDB and PostgreSQL cast it: the
    first backfill on Spark failed to record its run."""
    import dagster as dg

    from orchestration.audit_trail import record_run

    @dg.op
    def nothing() -> None:
        pass

    @dg.job
    def review() -> None:
        nothing()

    # GIVEN a finished run of the month 2026-02, as a backfill or a schedule tags it
    tags = {
        "roi/period_grain": "month",
        "roi/period": "2026-02",
        "roi/period_start": "2026-02-01",
        "roi/period_end": "2026-02-28",
    }
    with dg.DagsterInstance.ephemeral() as instance:
        result = review.execute_in_process(instance=instance, tags=tags)
        # WHEN it is recorded in Spark's audit trail
        row = record_run(instance, result.run_id, spark_warehouse)
    # THEN audit.runs holds its period as dates
    assert (row["period_start"], row["period_end"]) == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    with spark_warehouse.connect() as con:
        assert con.execute(
            "select status, period_grain, period, period_start, period_end from audit.runs "
            "where run_id = ?",
            [result.run_id],
        ).fetchall() == [("success", "month", "2026-02", dt.date(2026, 2, 1), dt.date(2026, 2, 28))]


def test_columns_a_later_release_added_are_added_on_spark(spark_warehouse):
    # GIVEN audit.loads as its first release made it (no HTTP columns)
    with spark_warehouse.connect() as con:
        con.execute("create schema audit")
        first_release = audit_store.TABLES["loads"]
        con.execute(audit_store.spark_ddl(first_release))
        con.execute(
            "insert into audit.loads partition (run_id = 'r0') (source, dataset, table_name, "
            "load_id, rows_loaded, loaded_at) values ('files', 'raw_crm', 't', '1', 2, ?)",
            [T0],
        )
        # WHEN the audit tables are ensured by this release
        audit_store.ensure_audit_tables(con)
        # THEN the HTTP columns are there, NULL in the earlier row
        columns = audit_store.table_columns(con, "audit", "loads")
        assert [name for name, _ in audit_store.ADDED_COLUMNS["loads"]] == [
            name for name in columns if name.startswith(("http", "throttled", "token"))
        ]
        assert con.execute(
            "select run_id, rows_loaded, http_requests, throttled_seconds from audit.loads"
        ).fetchall() == [("r0", 2, None, None)]
        assert (
            dict((name, kind) for name, kind, _ in con.execute("describe audit.loads").fetchall())[
                "throttled_seconds"
            ]
            == "double"
        )


def test_duckdb_path_is_unchanged_by_a_warehouse_path(tmp_path: Path):
    # the DuckDB tables keep their DDL (no partitions, primary key on runs)
    warehouse = DuckDBWarehouse(tmp_path / "roi.duckdb")
    with warehouse.connect() as con:
        audit_store.ensure_audit_tables(con)
        assert con.execute(
            "select count(*) from duckdb_constraints() "
            "where table_name = 'runs' and constraint_type = 'PRIMARY KEY'"
        ).fetchone() == (1,)


def _candidates(con, **marts: list[int]) -> None:
    con.execute("create schema if not exists marts_candidate")
    for name, values in marts.items():
        con.replace_table(
            f"marts_candidate.{name}",
            " union all ".join(f"select {value} as amount" for value in values),
        )


def _published(con, name: str) -> list[int]:
    return sorted(
        amount for (amount,) in con.execute(f"select amount from marts.{name}").fetchall()
    )


def test_publishing_on_spark_switches_views_to_whole_checked_versions(spark_warehouse):
    from orchestration.publish import publish

    with spark_warehouse.connect() as con:
        for schema in ("marts", "marts_versions", "marts_candidate"):
            con.execute(f"drop database if exists {schema} cascade")
        # GIVEN two candidate marts, published by run-1
        _candidates(con, mart_a=[1, 2], mart_b=[5])
        assert publish(con, ["mart_a", "mart_b"], "run-1", "key-1") == {"mart_a": 2, "mart_b": 1}
        # WHEN run-2 publishes new candidates
        _candidates(con, mart_a=[1, 2, 3], mart_b=[6])
        assert publish(con, ["mart_a", "mart_b"], "run-2", None) == {"mart_a": 3, "mart_b": 1}
        # THEN the published marts are views of run-2's versions; run-1's are kept
        assert _published(con, "mart_a") == [1, 2, 3]
        assert _published(con, "mart_b") == [6]
        views = con.execute("show views in marts").fetchall()
        assert sorted(row[1] for row in views) == ["mart_a", "mart_b"]
        assert table_names(con, "marts_versions") == [
            "mart_a__run_1",
            "mart_a__run_2",
            "mart_b__run_1",
            "mart_b__run_2",
        ]
        # WHEN a publish fails before its switch (a candidate is missing)
        _candidates(con, mart_a=[9])
        with pytest.raises(Exception, match="mart_c"):
            publish(con, ["mart_a", "mart_c"], "run-3", None)
        # THEN readers still see run-2's marts, and no publish is recorded for run-3
        assert _published(con, "mart_a") == [1, 2, 3]
        # WHEN run-4 publishes mart_a alone (mart_b removed from the project)
        assert publish(con, ["mart_a"], "run-4", None) == {"mart_a": 1}
        # THEN mart_b is no longer published; only run-4's and run-2's versions of the
        # published marts remain (the failed run-3's copy is gone too)
        assert _published(con, "mart_a") == [9]
        assert table_names(con, "marts") == ["mart_a"]
        assert table_names(con, "marts_versions") == ["mart_a__run_2", "mart_a__run_4"]
        assert sorted(
            con.execute("select run_id, input_key from audit.published_inputs").fetchall()
        ) == [("run-1", "key-1"), ("run-2", None), ("run-4", None)]


GE_ROWS = [("AB1", 5.0, "a"), ("AB2", -1.0, "b"), ("x9", 3.0, "c"), (None, 1.0, "a")]


def _ge_outcomes(warehouse: Warehouse) -> list[tuple]:
    from expectations.suites import Rule
    from expectations.validate import Checked, validate_in_warehouse

    rules = [
        Rule("ExpectColumnValuesToNotBeNull", {"column": "code"}),
        Rule("ExpectColumnValuesToMatchRegex", {"column": "code", "regex": r"^[A-Z]{2}\d$"}),
        Rule("ExpectColumnValuesToBeBetween", {"column": "amount", "min_value": 0}),
        Rule("ExpectColumnValuesToBeInSet", {"column": "kind", "value_set": ["a", "b"]}),
        Rule(
            "ExpectColumnValuesToBeInSet",
            {"column": "code"},
            references="select code from staging.ge_keys",
        ),
        Rule("ExpectTableRowCountToBeBetween", {"min_value": 1}, whole_table=True),
    ]
    with warehouse.connect() as con:
        con.execute("create schema if not exists staging")
        con.replace_table(
            "staging.ge_probe",
            " union all ".join(
                "select "
                + (
                    "cast(null as string)"
                    if code is None and con.dialect == "spark"
                    else "cast(null as varchar)"
                    if code is None
                    else f"'{code}'"
                )
                + f" as code, cast({amount} as double) as amount, '{kind}' as kind"
                for code, amount, kind in GE_ROWS
            ),
        )
        con.replace_table("staging.ge_keys", "select 'AB1' as code union all select 'AB2'")
        outcome = validate_in_warehouse(
            warehouse, con, "ge_probe", Checked(table="staging.ge_probe"), rules
        )
    return [(o.expectation, o.success, o.observed.split(", e.g.")[0]) for o in outcome.outcomes] + [
        ("rows", outcome.rows)
    ]


def test_great_expectations_runs_in_spark_as_in_duckdb(spark_warehouse, tmp_path):
    # GIVEN a table with one row failing each rule, on Spark and on DuckDB
    # WHEN the same rules are validated with Great Expectations in each warehouse
    on_spark = _ge_outcomes(spark_warehouse)
    on_duckdb = _ge_outcomes(DuckDBWarehouse(tmp_path / "roi.duckdb"))
    # THEN each rule fails on the same rows (a regex too: Spark's rlike, as GE has no regex
    # for the hive dialect), and Spark gives DuckDB's outcomes
    assert on_spark == [
        ("ExpectColumnValuesToNotBeNull(code)", False, "1 unexpected"),
        ("ExpectColumnValuesToMatchRegex(code)", False, "1 unexpected"),
        ("ExpectColumnValuesToBeBetween(amount)", False, "1 unexpected"),
        ("ExpectColumnValuesToBeInSet(kind)", False, "1 unexpected"),
        ("ExpectColumnValuesToBeInSet(code)", False, "1 unexpected"),
        ("ExpectTableRowCountToBeBetween()", True, "observed 4"),
        ("rows", 4),
    ]
    assert on_spark == on_duckdb


def test_great_expectations_reads_a_table_replaced_since_its_last_suite(spark_warehouse):
    from expectations.suites import Rule
    from expectations.validate import Checked, validate_in_warehouse

    rules = [Rule("ExpectColumnValuesToNotBeNull", {"column": "code"})]
    outcomes = []
    with spark_warehouse.connect() as con:
        con.execute("create schema if not exists staging")
        for rows in (2, 3):
            # GIVEN a table written anew (new files) since the last suite of this process,
            # as dbt does between one run's checks and the next's
            con.replace_table(
                "staging.ge_replaced",
                " union all ".join(f"select 'A{n}' as code" for n in range(rows)),
            )
            # WHEN Great Expectations validates it again
            outcome = validate_in_warehouse(
                spark_warehouse,
                con,
                f"replaced_{rows}",
                Checked(table="staging.ge_replaced"),
                rules,
            )
            outcomes.append(
                (outcome.outcomes[0].success, outcome.outcomes[0].observed, outcome.rows)
            )
    # THEN it reads the new files, not the ones its pooled session had listed
    assert outcomes == [(True, "0 unexpected, e.g. []", 2), (True, "0 unexpected, e.g. []", 3)]
