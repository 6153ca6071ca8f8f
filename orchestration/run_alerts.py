"""What a run's alert says: built from the run's Dagster events and its audit rows.

Three kinds, one per run:
- the drop was rejected: the drop, its number of problems and the first ones (nothing of it
  was loaded, the marts stay as they were);
- blocking checks failed: the rows or values behind each failed check (the marts were not
  published, the last good ones stay);
- the run failed for another reason: each failed step with its innermost error (a
  connector that kept failing after its retries, a dbt error).
The schedules' daemon sends them from the sensors in sensors.py; `roi run` sends them itself
(its runs carry `roi/alerted_by=cli`, which the sensors skip).
"""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg

from foundation.errors import RoiError, root_cause
from foundation.warehouse import Warehouse, as_warehouse, database_errors
from orchestration.webhook import WebhookMessage, send_alert

from .audit_trail import check_rows, drop_rejection, step_failures, unfinished_steps

ALERTED_BY_TAG = "roi/alerted_by"
UI_URL_VARIABLE = "ROI_DAGSTER_UI_URL"
# A rejected drop's alert lists its first problems; audit.runs keeps the first 20.
ALERT_SHOWN_PROBLEMS = 10


def _innermost_message(error) -> str:
    error = root_cause(error)
    return (error.message if error else "unknown error").strip().splitlines()[0]


def _quarantined(warehouse: Warehouse | Path, run_id: str) -> list[str]:
    """`N row(s) quarantined: reason` lines of the run (none if the warehouse is busy)."""
    try:
        with as_warehouse(warehouse).connect(read_only=True) as con:
            rows = con.execute(
                "select reason, count(*) from audit.quarantine where run_id = ? "
                "group by 1 order by 1",
                [run_id],
            ).fetchall()
    except (RoiError, *database_errors()):
        return []
    return [f"{count} row(s) quarantined: {reason}" for reason, count in rows]


def failed_blocking_checks(instance: dg.DagsterInstance, run_id: str) -> list[str]:
    return [
        f"check {name} on {table} failed" + (f" (observed: {observed})" if observed else "")
        for _, name, table, kind, severity, status, observed, _ in check_rows(instance, run_id)
        if status == "fail" and severity == "error" and kind != "great_expectations_expectation"
    ]


def run_alert(
    instance: dg.DagsterInstance, run_id: str, warehouse: Warehouse | Path
) -> WebhookMessage | None:
    """The alert a finished run deserves, or None when it succeeded cleanly."""
    run = instance.get_run_by_id(run_id)
    checks = failed_blocking_checks(instance, run_id)
    failed = run.status == dg.DagsterRunStatus.FAILURE
    if not checks and not failed:
        return None
    period = run.tags.get("roi/period")
    what = f"{run.job_name}" + (f" for {period}" if period else "")
    failures = step_failures(instance, run_id) if failed else []
    rejection = drop_rejection(failures)
    if rejection:
        title = f"File drop rejected in {what}: nothing loaded, marts unchanged"
        shown = rejection.problems[:ALERT_SHOWN_PROBLEMS]
        lines = [f"{rejection.problem_count} problem(s) in {rejection.drop}", *shown]
        if rejection.problem_count > len(shown):
            hidden = rejection.problem_count - len(shown)
            lines.append(f"... and {hidden} more ({rejection.problem_count} in total)")
    elif checks:
        title = f"Blocking data-quality checks failed in {what}: marts not published"
        lines = checks + _quarantined(warehouse, run_id)
    else:
        title = f"Pipeline run failed: {what}"
        lines = [
            f"step {record.dagster_event.step_key} failed: "
            + _innermost_message(record.dagster_event.step_failure_data.error)
            for record in failures
        ] + [
            f"step {step} did not finish: the process running it ended (killed?)"
            for step in unfinished_steps(instance, run_id)
        ] or ["the run failed before any step ran (see the run's event log)"]
    ui = os.environ.get(UI_URL_VARIABLE, "").rstrip("/")
    return WebhookMessage(
        title=title,
        severity="error",
        lines=lines,
        run_id=run_id,
        job=run.job_name,
        period=period,
        warehouse=as_warehouse(warehouse).label,
        link=f"{ui}/runs/{run_id}" if ui else None,
    )


def alert_run(
    instance: dg.DagsterInstance, run_id: str, warehouse: Warehouse | Path
) -> WebhookMessage | None:
    """Send the run's alert (log + webhook, see orchestration.webhook); return it, or None."""
    alert = run_alert(instance, run_id, warehouse)
    if alert is not None:
        send_alert(alert)
    return alert
