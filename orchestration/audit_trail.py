"""A run's record in the audit trail, read from Dagster's event log.

`record_run` reads a finished run's check evaluations and step failures from Dagster's event
log and writes `audit.runs` and `audit.check_results` (through orchestration/audit_store.py,
which owns the audit tables). The CLI calls `record_run` after its in-process run; for runs
launched by the schedules (the daemon), the run-status sensors (sensors.py) call it.
"""

import datetime as dt
import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import dagster as dg

from foundation.errors import DropRejected, stopped_by_interrupt
from foundation.safe_html import html_templates, policy
from foundation.settings import REPO_ROOT
from foundation.warehouse import Warehouse, as_warehouse

from .audit_store import write_run
from .unchanged import same_as_run

_TEMPLATES = html_templates("orchestration")

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


def step_failures(instance: dg.DagsterInstance, run_id: str) -> list:
    """The run's STEP_FAILURE records: read once by whoever needs them several ways."""
    return instance.all_logs(run_id, of_type=dg.DagsterEventType.STEP_FAILURE)


def drop_rejection(failures) -> Rejection | None:
    """The rejection of the run's drop carried by one of its STEP_FAILURE records
    (`step_failures`), or None when no step rejected one."""
    for record in failures:
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
    failures = step_failures(instance, run_id)
    failed_steps = [
        f"{r.dagster_event.step_key}"
        + (" (interrupted)" if stopped_by_interrupt(r.dagster_event.step_failure_data) else "")
        for r in failures
    ]
    failed_blocking = [c for c in checks if c[5] == "fail" and c[4] == "error"]
    succeeded = run.status == dg.DagsterRunStatus.SUCCESS and not failed_blocking
    same = same_as_run(instance, run_id)
    # called from inside a run too (the report writes its data-quality section from it)
    running = not run.is_finished
    rejection = None
    if not running:
        failed_steps += [f"{step} (did not finish)" for step in unfinished_steps(instance, run_id)]
        rejection = drop_rejection(failures)
    if running:
        status = "running"
    elif succeeded:
        # `unchanged`: nothing could change since run `same_as_run`, whose results stand
        status = "unchanged" if same else "success"
    else:
        # `rejected`: the drop was malformed and nothing of it was loaded (the problems are
        # in drop_problems); `failed`: anything else went wrong
        status = "rejected" if rejection else "failed"
    row = {
        "run_id": run_id,
        "job_name": run.job_name,
        "trigger": run_trigger(tags),
        "source": tags.get("roi/source"),
        "data_dir": tags.get("roi/data_dir"),
        "period_grain": tags.get("roi/period_grain"),
        "period": tags.get("roi/period"),
        "period_start": _day(tags.get("roi/period_start")),
        "period_end": _day(tags.get("roi/period_end")),
        "reporting_currency": tags.get("roi/reporting_currency"),
        "started_at": _when(stats.start_time),
        "finished_at": None if running else _when(stats.end_time) or dt.datetime.now(dt.UTC),
        "status": status,
        "failed_checks": len(failed_blocking),
        "failed_steps": ", ".join(failed_steps) or None,
        "code_version": code_version(),
        "drop_problem_count": rejection.problem_count if rejection else None,
        "drop_problems": "\n".join(rejection.problems) if rejection else None,
        "same_as_run": same,
    }
    warehouse = as_warehouse(warehouse)
    write_run(warehouse, row, checks)
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


def run_trigger(tags: dict[str, str]) -> str:
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


def _day(tag: str | None) -> dt.date | None:
    """A period bound tag (ISO date) as the date audit.runs holds: Spark refuses to store
    a string in a DATE column where DuckDB and PostgreSQL would cast it."""
    return dt.date.fromisoformat(tag) if tag else None
