"""The audit schema: the DDL of every `audit.*` table and the writes of a run's rows.

Every table is created here, the first time something is written to it, and gets here the
columns added since its first release (a warehouse made by an earlier release keeps its rows,
NULL in the new columns). The writers are plain functions over foundation.warehouse connections,
called by the pipeline's assets and sensors (orchestration/), `roi run` and `roi forget`.
Writing a run's rows again (a retried step, the sensor after the CLI) replaces the earlier
ones; schema changes are appended, once per column, by the run that first brought it.
On Spark the tables are Parquet, partitioned by run where they have a run_id, and a run's
rows are replaced by rewriting its partition (replace_run_rows).

What each table holds:
- runs, check_results: one row per run, one per check (orchestration/audit_trail.py reads
  them from Dagster's event log);
- loads: one row per raw table a dlt load wrote, with what its HTTP went through;
- schema_changes: columns a source sent beyond the contract (orchestration/schema_drift.py);
- quarantine: rows the models could not use, with the reason;
- table_rows: the row count a Great Expectations suite measured (the next run compares);
- source_freshness: dbt source freshness of every raw table;
- lineage: column-level lineage of the marts (orchestration/lineage.py);
- erasures, erasure_suppressions, erasure_salt: `roi forget` (roi/erasure.py);
- published_inputs: what each publish was built from (orchestration/unchanged.py: a rerun
  that could change nothing is not run again).

One audit table is dbt's, not this module's: incremental_loads, the newest raw load each
incremental model has taken in, per raw table (dbt_project/macros/incremental.sql creates it
on every dbt run and each incremental model writes its rows in its own build).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from foundation.warehouse import (
    SPARK_INSERT_BATCH_ROWS,
    Warehouse,
    as_warehouse,
    has_table,
    spark_literal,
    table_columns,
)

from .lineage import COLUMNS_SEPARATOR, MODELS_SEPARATOR, PUBLISHED_SCHEMA, LineageRow

if TYPE_CHECKING:
    from ingestion.http_retries import LoadHttpActivity

AUDIT_SCHEMA = "audit"

TABLES: dict[str, str] = {
    "runs": """
    create table if not exists audit.runs (
        run_id varchar primary key,
        job_name varchar not null,
        trigger varchar not null,
        source varchar,
        data_dir varchar,
        period_grain varchar,
        period varchar,
        period_start date,
        period_end date,
        reporting_currency varchar,
        started_at timestamp with time zone,
        finished_at timestamp with time zone,
        status varchar not null,
        failed_checks integer not null,
        failed_steps varchar,
        code_version varchar,
        drop_problem_count integer,
        drop_problems varchar,
        same_as_run varchar
    )
    """,
    "check_results": """
    create table if not exists audit.check_results (
        run_id varchar not null,
        check_name varchar not null,
        table_name varchar not null,
        check_kind varchar not null,
        severity varchar not null,
        status varchar not null,
        observed_value varchar,
        evaluated_at timestamp with time zone
    )
    """,
    "loads": """
    create table if not exists audit.loads (
        run_id varchar not null,
        source varchar not null,
        dataset varchar not null,
        table_name varchar not null,
        load_id varchar not null,
        rows_loaded bigint not null,
        loaded_at timestamp with time zone not null
    )
    """,
    "schema_changes": """
    create table if not exists audit.schema_changes (
        run_id varchar not null,
        source varchar not null,
        dataset varchar not null,
        table_name varchar not null,
        column_name varchar not null,
        data_type varchar,
        change varchar not null,
        detected_at timestamp with time zone not null
    )
    """,
    "quarantine": """
    create table if not exists audit.quarantine (
        run_id varchar not null,
        source_table varchar not null,
        record_key varchar not null,
        reason varchar not null,
        detail varchar,
        business_date date,
        source_file varchar,
        source_line bigint,
        quarantined_at timestamp with time zone default current_timestamp
    )
    """,
    "table_rows": """
    create table if not exists audit.table_rows (
        run_id varchar not null,
        table_name varchar not null,
        row_count bigint not null,
        measured_at timestamp with time zone default current_timestamp
    )
    """,
    "source_freshness": """
    create table if not exists audit.source_freshness (
        run_id varchar not null,
        source_table varchar not null,
        max_loaded_at timestamp with time zone,
        hours_since_load double precision,
        status varchar not null,
        warn_after varchar,
        checked_at timestamp with time zone not null
    )
    """,
    "lineage": """
    create table if not exists audit.lineage (
        run_id varchar not null,
        mart varchar not null,
        published_table varchar not null,
        column_name varchar not null,
        depends_on_models varchar not null,
        source_columns varchar not null,
        transformation varchar,
        resolved_level varchar not null
    )
    """,
    "erasures": """
    create table if not exists audit.erasures (
        erasure_id varchar not null,
        requested_at timestamp with time zone not null,
        requested_by varchar not null,
        kind varchar not null,
        key_hash varchar not null,
        rows_removed bigint not null,
        rows_anonymised bigint not null,
        tables varchar not null,
        files_cleaned bigint
    )
    """,
    "erasure_suppressions": """
    create table if not exists audit.erasure_suppressions (
        key_kind varchar not null,
        key_hash varchar not null,
        erasure_id varchar not null,
        suppressed_at timestamp with time zone not null
    )
    """,
    "erasure_salt": "create table if not exists audit.erasure_salt (salt varchar not null)",
    "published_inputs": """
    create table if not exists audit.published_inputs (
        run_id varchar not null,
        input_key varchar,
        warehouse_state varchar not null,
        published_at timestamp with time zone not null
    )
    """,
}

# Columns added to a table after its first release, in the order they are appended.
ADDED_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "runs": (
        ("drop_problem_count", "integer"),
        ("drop_problems", "varchar"),
        # status `unchanged`: the run whose marts, checks and report still stand
        ("same_as_run", "varchar"),
    ),
    # what a live load's HTTP went through (ingestion/http_retries.py)
    "loads": (
        ("http_requests", "integer"),
        ("http_retries", "integer"),
        ("http_retried", "varchar"),
        ("throttled_seconds", "double precision"),
        ("token_renewals", "integer"),
        ("http_activity", "varchar"),
    ),
}


def table_column_names(table: str) -> tuple[str, ...]:
    """The columns of `audit.<table>` in the table's order, as TABLES and ADDED_COLUMNS
    declare them: the writers name them from here rather than restating them."""
    body = TABLES[table][TABLES[table].index("(") + 1 : TABLES[table].rindex(")")]
    declared = [line.split()[0] for line in body.split(",\n") if line.strip()]
    added = [name for name, _ in ADDED_COLUMNS.get(table, ()) if name not in declared]
    return (*declared, *added)


# Made together by the first run's first write: `roi audit`, the report and the exports read
# them as a set.
RUN_TABLES = ("runs", "check_results", "loads", "schema_changes")
ERASURE_TABLES = ("erasures", "erasure_suppressions", "erasure_salt")


def ensure_tables(con, tables: Iterable[str]) -> None:
    """Create the audit schema and `tables` (names in TABLES) where missing, and add the
    columns a table made by an earlier release lacks."""
    spark = _is_spark(con)
    con.execute(f"create schema if not exists {AUDIT_SCHEMA}")
    for table in tables:
        con.execute(spark_ddl(TABLES[table]) if spark else TABLES[table])
        added = ADDED_COLUMNS.get(table)
        if not added:
            continue
        present = set(table_columns(con, AUDIT_SCHEMA, table))
        # checked first: PostgreSQL locks the table for an ALTER even when it changes nothing
        for name, data_type in added:
            if name in present:
                continue
            if spark:
                con.execute(
                    f"alter table {AUDIT_SCHEMA}.{table} "
                    f"add columns ({name} {_spark_types(data_type)})"
                )
            else:
                con.execute(f"alter table {AUDIT_SCHEMA}.{table} add column {name} {data_type}")


def _is_spark(con) -> bool:
    return getattr(con, "dialect", None) == "spark"


_SPARK_TYPE_NAMES = (
    (re.compile(r"\bvarchar\b"), "string"),
    (re.compile(r"\btimestamp with time zone\b"), "timestamp"),
    (re.compile(r"\bdouble precision\b"), "double"),
)


def _spark_types(sql: str) -> str:
    for pattern, name in _SPARK_TYPE_NAMES:
        sql = pattern.sub(name, sql)
    return sql


def spark_ddl(ddl: str) -> str:
    """An audit table's DDL as Spark SQL: Spark's type names; no primary key, NOT NULL or
    default (a Parquet table enforces none: every writer here sets every column); Parquet
    files partitioned by run, where the table has a run_id, so that writing a run's rows
    again replaces that run's partition and nothing else (replace_run_rows)."""
    sql = _spark_types(ddl)
    sql = re.sub(r"\s+(primary key|not null|default current_timestamp)\b", "", sql)
    partitioned = re.search(r"\(\s*run_id\s", sql) is not None
    return sql.rstrip() + (
        " using parquet partitioned by (run_id)" if partitioned else " using parquet"
    )


def replace_run_rows(
    con,
    table: str,
    run_id: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]] = (),
    *,
    also: Mapping[str, Any] | None = None,
    select_sql: str | None = None,
) -> None:
    """Replace the rows of run `run_id` in `audit.<table>` (only those whose columns also
    equal `also`, when given) with `rows`, tuples of `columns` (run_id first), or with the
    rows of `select_sql`, a query of `columns` after run_id (the run id is added).

    DuckDB and PostgreSQL delete and insert in one transaction (begin/commit by hand: a bare
    DuckDB connection has no `transaction()`, so the connection must not be in one). Spark
    has no row delete on Parquet: the run's partition is written anew with INSERT OVERWRITE,
    holding the rows of the run `also` does not match (read first; a run's audit rows are
    few) and the new ones; a reader sees the run's old rows or its new ones, per file."""
    if _is_spark(con):
        _replace_run_partition(con, table, run_id, columns, rows, also, select_sql)
        return
    match = {"run_id": run_id, **(also or {})}
    con.execute("begin")
    try:
        con.execute(
            f"delete from {AUDIT_SCHEMA}.{table} where "
            + " and ".join(f"{name} = ?" for name in match),
            list(match.values()),
        )
        if select_sql is not None:
            con.execute(
                f"insert into {AUDIT_SCHEMA}.{table} ({', '.join(columns)}) "
                f"select ?, * from ({select_sql}) as selected",
                [run_id],
            )
        elif rows:
            con.executemany(
                f"insert into {AUDIT_SCHEMA}.{table} ({', '.join(columns)}) "
                f"values ({', '.join('?' * len(columns))})",
                rows,
            )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def _replace_run_partition(con, table, run_id, columns, rows, also, select_sql) -> None:
    assert columns[0] == "run_id", columns
    relation = f"{AUDIT_SCHEMA}.{table}"
    partition = f"partition (run_id = {spark_literal(run_id)})"
    rest = list(columns[1:])
    target = f"{relation} {partition} ({', '.join(rest)})"
    if select_sql is not None:
        con.execute(f"insert overwrite table {target} select * from ({select_sql}) as selected")
        return
    kept: list[tuple] = []
    if also:
        kept = con.execute(
            f"select {', '.join(rest)} from {relation} where run_id = ? and not ("
            + " and ".join(f"{name} <=> ?" for name in also)
            + ")",
            [run_id, *also.values()],
        ).fetchall()
    values = [*kept, *(tuple(row[1:]) for row in rows)]
    if not values:
        con.execute(f"alter table {relation} drop if exists {partition}")
        return
    placeholders = f"({', '.join('?' * len(rest))})"
    for start in range(0, len(values), SPARK_INSERT_BATCH_ROWS):
        batch = values[start : start + SPARK_INSERT_BATCH_ROWS]
        verb = "insert overwrite table" if start == 0 else "insert into"
        con.execute(
            f"{verb} {target} values " + ", ".join([placeholders] * len(batch)),
            [value for row in batch for value in row],
        )


def ensure_audit_tables(con) -> None:
    """The tables of a run's record (RUN_TABLES)."""
    ensure_tables(con, RUN_TABLES)


def write_run(warehouse: Warehouse | Path, row: dict[str, Any], checks: Sequence[tuple]) -> None:
    """Replace the run's audit.runs row (`row`: column -> value) and its audit.check_results
    (`checks`: tuples in the table's column order)."""
    run_columns = ["run_id", *(name for name in row if name != "run_id")]
    with as_warehouse(warehouse).connect() as con:
        ensure_audit_tables(con)
        replace_run_rows(
            con, "runs", row["run_id"], run_columns, [tuple(row[name] for name in run_columns)]
        )
        replace_run_rows(
            con, "check_results", row["run_id"], table_column_names("check_results"), checks
        )


def record_loads(
    warehouse: Warehouse | Path,
    run_id: str,
    source: str,
    dataset: str,
    load_ids: list[str],
    row_counts: dict[str, int],
    http: LoadHttpActivity | None = None,
) -> None:
    """One audit.loads row per table a dlt load wrote (dlt's own tables left out).

    `http`: what the load's connectors went through over HTTP, summed over its connectors
    (the ad platforms are three) and repeated on each of the load's rows; `http_activity`
    holds the per-connector lines the run printed. Empty for loads without HTTP (file drop).
    """
    now = dt.datetime.now(dt.UTC)
    activities = list(http.connectors.values()) if http else []
    http_columns = (
        (
            sum(a.requests for a in activities),
            sum(a.retry_count for a in activities),
            ", ".join(f"{a.connector}: {a.retried()}" for a in activities if a.retries) or None,
            round(sum(a.throttled_seconds for a in activities), 3),
            sum(a.token_renewals for a in activities),
            "; ".join(a.line() for a in activities),
        )
        if activities
        else (None,) * 6
    )
    rows = [
        (run_id, source, dataset, table, load_id, count, now, *http_columns)
        for load_id in load_ids
        for table, count in sorted(row_counts.items())
        if not table.startswith("_dlt")
    ]
    with as_warehouse(warehouse).connect() as con:
        ensure_audit_tables(con)
        replace_run_rows(
            con,
            "loads",
            run_id,
            table_column_names("loads"),
            rows,
            also={"dataset": dataset},
        )


def newest_loads(con, run_id: str) -> dict[str, str]:
    """`dataset.table` -> load id of each raw table the run loaded rows into in one dlt load
    (the table's newest rows carry that id; a table a run loaded in several loads is left
    out, as the rows' count is not split per load here). Only reads."""
    if not has_table(con, AUDIT_SCHEMA, "loads"):
        return {}
    return dict(
        con.execute(
            "select dataset || '.' || table_name, max(load_id) from audit.loads "
            "where run_id = ? and rows_loaded > 0 group by 1 having count(distinct load_id) = 1",
            [run_id],
        ).fetchall()
    )


def record_schema_changes(
    warehouse: Warehouse | Path,
    run_id: str,
    source: str,
    added_columns: Sequence[tuple[str, str, str, str | None]],
) -> None:
    """Append the columns a load added beyond the contract: (dataset, table, column, type)."""
    now = dt.datetime.now(dt.UTC)
    with as_warehouse(warehouse).connect() as con:
        ensure_audit_tables(con)
        con.executemany(
            "insert into audit.schema_changes (run_id, source, dataset, table_name, "
            "column_name, data_type, change, detected_at) values (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (run_id, source, dataset, table, column, data_type, "column_added", now)
                for dataset, table, column, data_type in added_columns
            ],
        )


def write_quarantine(con, run_id: str) -> dict[str, int]:
    """Replace the run's audit.quarantine rows with intermediate.int_quarantine (the rows
    this build could not use); return the run's row count per reason."""
    ensure_tables(con, ["quarantine"])
    replace_run_rows(
        con,
        "quarantine",
        run_id,
        table_column_names("quarantine"),
        select_sql="select source_table, record_key, reason, detail, business_date, "
        "source_file, source_line, current_timestamp from intermediate.int_quarantine",
    )
    return dict(
        con.execute(
            "select reason, count(*) from audit.quarantine where run_id = ? group by 1",
            [run_id],
        ).fetchall()
    )


def previous_row_count(con, table: str, run_id: str) -> int | None:
    """The row count of `table` last measured before run `run_id`, if any; the table must
    exist (ensure_tables)."""
    row = con.execute(
        "select row_count from audit.table_rows where table_name = ? and run_id <> ? "
        "order by measured_at desc nulls last limit 1",
        [table, run_id],
    ).fetchone()
    return row[0] if row else None


def write_table_rows(con, run_id: str, table: str, row_count: int) -> None:
    """Replace the row count of `table` the run measured."""
    replace_run_rows(
        con,
        "table_rows",
        run_id,
        ("run_id", "table_name", "row_count", "measured_at"),
        [(run_id, table, row_count, dt.datetime.now(dt.UTC))],
        also={"table_name": table},
    )


def write_source_freshness(con, run_id: str, rows: Sequence[tuple]) -> None:
    """Replace the run's audit.source_freshness rows (tuples in the table's column order)."""
    ensure_tables(con, ["source_freshness"])
    replace_run_rows(
        con,
        "source_freshness",
        run_id,
        table_column_names("source_freshness"),
        rows,
    )


def write_lineage(con: Any, rows: list[LineageRow], run_id: str) -> int:
    """Replace the rows of `run_id` in `audit.lineage` (created if missing) with `rows`.
    `con`: a warehouse connection (foundation.warehouse) or a DuckDB connection.

    Replaces them as replace_run_rows does (one transaction on DuckDB and PostgreSQL, so the
    connection must not be in one already). Returns the number of rows written.
    """
    values = [
        (
            run_id,
            row.mart,
            f"{PUBLISHED_SCHEMA}.{row.mart.split('.', 1)[-1]}",
            row.column,
            MODELS_SEPARATOR.join(row.depends_on_models),
            COLUMNS_SEPARATOR.join(row.source_columns),
            row.transformation,
            row.resolved_level,
        )
        for row in rows
    ]
    ensure_tables(con, ["lineage"])
    replace_run_rows(
        con,
        "lineage",
        run_id,
        table_column_names("lineage"),
        values,
    )
    return len(values)
