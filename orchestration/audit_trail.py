"""The audit trail in the warehouse: runs, loads and check results, appended, never overwritten.

`record_loads` is called by each load asset right after dlt finishes; `record_run` reads a
finished run's check evaluations from Dagster's event log and writes `audit.runs` and
`audit.check_results`. The CLI calls `record_run` after its in-process run; for runs
launched by the schedules (the daemon), the run-status sensors below call it.
"""

import datetime as dt
import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import dagster as dg

from ingestion.http_retries import LoadHttpActivity
from roi.errors import DropRejected, stopped_by_interrupt
from roi.safe_html import html_templates, policy
from roi.settings import REPO_ROOT
from roi.warehouse import Warehouse, as_warehouse

_TEMPLATES = html_templates("orchestration")

DDL = (
    "create schema if not exists audit",
    """
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
        drop_problems varchar
    )
    """,
    """
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
    """
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
    # what a live load's HTTP went through (ingestion/http_retries.py), added to warehouses
    # made before these columns existed
    *(
        f"alter table audit.loads add column if not exists {column}"
        for column in (
            "http_requests integer",
            "http_retries integer",
            "http_retried varchar",
            "throttled_seconds double precision",
            "token_renewals integer",
            "http_activity varchar",
        )
    ),
    # columns a source sent beyond the contract (orchestration/schema_drift.py)
    """
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
)


# Columns added to a table after its first release: a warehouse made before them gets them
# (NULL in its existing rows) the next time the audit tables are written.
ADDED_COLUMNS = {
    ("audit", "runs"): (("drop_problem_count", "integer"), ("drop_problems", "varchar")),
}


def ensure_audit_tables(con) -> None:
    for statement in DDL:
        con.execute(statement)
    for (schema, table), columns in ADDED_COLUMNS.items():
        present = {
            name
            for (name,) in con.execute(
                "select column_name from information_schema.columns "
                "where table_schema = ? and table_name = ?",
                [schema, table],
            ).fetchall()
        }
        # checked first: PostgreSQL locks the table for an ALTER even when it changes nothing
        for name, data_type in columns:
            if name not in present:
                con.execute(f"alter table {schema}.{table} add column {name} {data_type}")


# The step failure of a rejected drop carries its problems as metadata (`rejected_failure`),
# so that audit.runs and the alert can tell them, also in the daemon's sensors.
REJECTED_DROP = "rejected_drop"
REJECTED_PROBLEM_COUNT = "rejected_problem_count"
REJECTED_PROBLEMS = "rejected_problems"


def rejected_failure(rejected: DropRejected, description: str | None = None) -> dg.Failure:
    """The Failure a step raises (`from rejected`) for a rejected drop: no retry can fix it."""
    return dg.Failure(
        description=description or str(rejected),
        metadata={
            REJECTED_DROP: dg.MetadataValue.text(rejected.drop or ""),
            REJECTED_PROBLEM_COUNT: dg.MetadataValue.int(len(rejected.problems)),
            REJECTED_PROBLEMS: dg.MetadataValue.json(rejected.shown),
        },
        allow_retries=False,
    )


@dataclass(frozen=True)
class Rejection:
    """Why a run's drop was rejected: the drop, the number of problems, the first ones."""

    drop: str
    problem_count: int
    problems: list[str]  # as DropRejected lists them: the first SHOWN_LIMIT


def drop_rejection(instance: dg.DagsterInstance, run_id: str) -> Rejection | None:
    """The rejection of the run's drop, or None when no step rejected one."""
    for record in instance.all_logs(run_id, of_type=dg.DagsterEventType.STEP_FAILURE):
        failure = record.dagster_event.step_failure_data.user_failure_data
        if failure is not None and REJECTED_PROBLEM_COUNT in failure.metadata:
            metadata = failure.metadata
            return Rejection(
                drop=metadata[REJECTED_DROP].value,
                problem_count=metadata[REJECTED_PROBLEM_COUNT].value,
                problems=list(metadata[REJECTED_PROBLEMS].value),
            )
    return None


def code_version() -> str:
    try:
        return subprocess.run(
            ["git", "-C", str(REPO_ROOT), "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


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
        with con.transaction():
            con.execute(
                "delete from audit.loads where run_id = ? and dataset = ?", [run_id, dataset]
            )
            con.executemany(
                "insert into audit.loads (run_id, source, dataset, table_name, load_id, "
                "rows_loaded, loaded_at, http_requests, http_retries, http_retried, "
                "throttled_seconds, token_renewals, http_activity) "
                "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )


def _check_kind(check_name: str, metadata: dict) -> str:
    if "dagster_dbt/failed_row_count" in metadata or "unique_id" in metadata:
        return "dbt_test"
    if "expectation_results" in metadata:
        return "great_expectations"
    return "quarantine"


def _observed(metadata: dict) -> str | None:
    for key in ("dagster_dbt/failed_row_count", "quarantined_rows", "failed"):
        if key in metadata:
            return f"{key.split('/')[-1]}={metadata[key].value}"
    return None


def check_rows(instance: dg.DagsterInstance, run_id: str) -> list[tuple]:
    """One row per asset check evaluation, and one per Great Expectations expectation."""
    rows = []
    for record in instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION):
        evaluation = record.dagster_event.event_specific_data
        metadata = dict(evaluation.metadata)
        table = ".".join(evaluation.asset_key.path)
        when = dt.datetime.fromtimestamp(record.timestamp, dt.UTC)
        kind = _check_kind(evaluation.check_name, metadata)
        status = "pass" if evaluation.passed else "fail"
        severity = evaluation.severity.value.lower()
        rows.append(
            (
                run_id,
                evaluation.check_name,
                table,
                kind,
                severity,
                status,
                _observed(metadata),
                when,
            )
        )
        if "expectation_results" in metadata:
            for result in json.loads(metadata["expectation_results"].value):
                rows.append(
                    (
                        run_id,
                        result["name"],
                        table,
                        "great_expectations_expectation",
                        "error" if result.get("blocking", True) else "warn",
                        "pass" if result["success"] else "fail",
                        result["observed"],
                        when,
                    )
                )
    return rows


def unfinished_steps(instance: dg.DagsterInstance, run_id: str) -> list[str]:
    """Steps of the run that started and never ended: in a finished run, the steps its
    process was running when it died (killed, out of memory, the machine went down)."""
    started: dict[str, None] = {}
    ended: set[str] = set()
    step_events = {
        dg.DagsterEventType.STEP_START,
        dg.DagsterEventType.STEP_SUCCESS,
        dg.DagsterEventType.STEP_FAILURE,
    }
    for record in instance.all_logs(run_id, of_type=step_events):
        event = record.dagster_event
        if event.event_type == dg.DagsterEventType.STEP_START:
            started[event.step_key] = None
        else:
            ended.add(event.step_key)
    return [step for step in started if step not in ended]


def record_run(instance: dg.DagsterInstance, run_id: str, warehouse: Warehouse | Path) -> dict:
    """Write audit.runs and audit.check_results of a run; return the runs row. A run still
    going gets status `running` and its checks so far; the call at its end replaces both."""
    run = instance.get_run_by_id(run_id)
    stats = instance.get_run_stats(run_id)
    tags = run.tags
    checks = check_rows(instance, run_id)
    failed_steps = [
        f"{r.dagster_event.step_key}"
        + (" (interrupted)" if stopped_by_interrupt(r.dagster_event.step_failure_data) else "")
        for r in instance.all_logs(run_id, of_type=dg.DagsterEventType.STEP_FAILURE)
    ]
    failed_blocking = [c for c in checks if c[5] == "fail" and c[4] == "error"]
    succeeded = run.status == dg.DagsterRunStatus.SUCCESS and not failed_blocking
    # called from inside a run too (the report writes its data-quality section from it)
    running = not run.is_finished
    rejection = None
    if not running:
        failed_steps += [f"{step} (did not finish)" for step in unfinished_steps(instance, run_id)]
        rejection = drop_rejection(instance, run_id)
    if running:
        status = "running"
    elif succeeded:
        status = "success"
    else:
        # `rejected`: the drop was malformed and nothing of it was loaded (the problems are
        # in drop_problems); `failed`: anything else went wrong
        status = "rejected" if rejection else "failed"
    row = {
        "run_id": run_id,
        "job_name": run.job_name,
        "trigger": _trigger(tags),
        "source": tags.get("roi/source"),
        "data_dir": tags.get("roi/data_dir"),
        "period_grain": tags.get("roi/period_grain"),
        "period": tags.get("roi/period"),
        "period_start": tags.get("roi/period_start"),
        "period_end": tags.get("roi/period_end"),
        "reporting_currency": tags.get("roi/reporting_currency"),
        "started_at": _when(stats.start_time),
        "finished_at": None if running else _when(stats.end_time) or dt.datetime.now(dt.UTC),
        "status": status,
        "failed_checks": len(failed_blocking),
        "failed_steps": ", ".join(failed_steps) or None,
        "code_version": code_version(),
        "drop_problem_count": rejection.problem_count if rejection else None,
        "drop_problems": "\n".join(rejection.problems) if rejection else None,
    }
    warehouse = as_warehouse(warehouse)
    with warehouse.connect() as con:
        ensure_audit_tables(con)
        with con.transaction():
            con.execute("delete from audit.runs where run_id = ?", [run_id])
            con.execute("delete from audit.check_results where run_id = ?", [run_id])
            con.execute(
                f"insert into audit.runs ({', '.join(row)}) values ({', '.join('?' * len(row))})",
                list(row.values()),
            )
            con.executemany(
                "insert into audit.check_results values (?, ?, ?, ?, ?, ?, ?, ?)", checks
            )
    write_run_index(warehouse, row, checks)
    return row


def write_run_index(warehouse: Warehouse | Path, run: dict, checks: list[tuple]) -> Path | None:
    """index.html of the run's docs folder: its status, every check, links to the pages."""
    folder = as_warehouse(warehouse).state_dir / "docs" / run["run_id"]
    if not folder.is_dir():
        return None
    pages = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.html"))
    shown_checks = [
        {
            "name": name,
            "table": table,
            "kind": kind,
            "severity": severity,
            "status": status,
            # a check without an observation shows an empty cell, not "None"
            "observed": "" if observed is None else observed,
        }
        for _, name, table, kind, severity, status, observed, _ in checks
        if kind != "great_expectations_expectation"
    ]
    index = folder / "index.html"
    page = _TEMPLATES.get_template("run_index.html").render(
        content_security_policy=policy(scripts=(), images=()),
        run=run,
        links=[(quote(page), page) for page in pages if page != "index.html"],
        checks=shown_checks,
    )
    index.write_text(page, encoding="utf-8")
    return index


def _trigger(tags: dict[str, str]) -> str:
    """schedule, backfill (roi backfill or the UI's), sensor, or manual."""
    if "roi/trigger" in tags:
        return tags["roi/trigger"]
    if "dagster/backfill" in tags:
        return "backfill"
    if "dagster/schedule_name" in tags:
        return "schedule"
    if "dagster/sensor_name" in tags:
        return "sensor"
    return "manual"


def _when(timestamp: float | None) -> dt.datetime | None:
    return dt.datetime.fromtimestamp(timestamp, dt.UTC) if timestamp else None
