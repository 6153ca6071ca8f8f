"""The audit tables of a warehouse made by an earlier release get the columns added since,
keeping every row: on DuckDB and on PostgreSQL."""

from __future__ import annotations

import datetime as dt

from orchestration.audit_store import ensure_audit_tables

# audit.runs as releases before the rejected-drop columns created it
OLD_RUNS_DDL = """
    create table audit.runs (
        run_id varchar primary key, job_name varchar not null, trigger varchar not null,
        source varchar, data_dir varchar, period_grain varchar, period varchar,
        period_start date, period_end date, reporting_currency varchar,
        started_at timestamp with time zone, finished_at timestamp with time zone,
        status varchar not null, failed_checks integer not null, failed_steps varchar,
        code_version varchar
    )
"""
STARTED = dt.datetime(2026, 3, 2, 6, 0, tzinfo=dt.UTC)


def test_an_old_audit_runs_table_gets_the_new_columns_and_keeps_its_rows(engine_warehouse):
    # GIVEN audit.runs as an earlier release made it, with one run
    with engine_warehouse.connect() as con:
        con.execute("create schema audit")
        con.execute(OLD_RUNS_DDL)
        con.execute(
            "insert into audit.runs values "
            "('r1', 'roi_pipeline', 'manual', 'files', '/drop', null, null, null, null, "
            "'USD', ?, ?, 'success', 0, null, 'abc1234')",
            [STARTED, STARTED + dt.timedelta(minutes=3)],
        )
    # WHEN the audit tables are ensured, twice (every run does it)
    for _ in range(2):
        with engine_warehouse.connect() as con:
            ensure_audit_tables(con)
    # THEN the run is still there, with no rejected-drop problems
    with engine_warehouse.connect(read_only=True) as con:
        assert con.execute(
            "select run_id, status, failed_checks, code_version, drop_problem_count, "
            "drop_problems, same_as_run from audit.runs"
        ).fetchall() == [("r1", "success", 0, "abc1234", None, None, None)]
        columns = con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = 'audit' and table_name = 'runs' order by ordinal_position"
        ).fetchall()
    assert [name for (name,) in columns][-4:] == [
        "code_version",
        "drop_problem_count",
        "drop_problems",
        "same_as_run",
    ]
