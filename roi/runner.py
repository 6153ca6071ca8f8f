"""Pipeline runs from the command line: the Dagster jobs, executed in this process.

`run_pipeline` runs `roi_pipeline`, or with a period that period's partition of the review
job the schedules run; `backfill` runs a range of periods one after another. This module
chooses the inputs (drop, warehouse, reporting currency, sources), holds the warehouse lock,
keeps the run history in the Dagster instance (orchestration.instance), and turns the job's outcome
into a RunResult, an `audit.runs` row and, if the run went wrong, an alert.
"""

from __future__ import annotations

import dataclasses
import os
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from foundation.config import Settings
from foundation.errors import (
    DropRejected,
    RoiError,
    RunInterrupted,
    root_cause,
    stopped_by_interrupt,
)
from foundation.lock import warehouse_lock
from foundation.periods import Period, periods_between
from foundation.private import make_private
from foundation.progress import say
from foundation.settings import reporting_currency_code
from foundation.warehouse import (
    DuckDBWarehouse,
    Warehouse,
    database_errors,
    resolve_warehouse,
)
from orchestration.instance import instance_for

# The warehouse a `roi run` wrote (its label): finds runs whose process died (see below).
WAREHOUSE_TAG = "roi/warehouse"


class WarehouseUnwritable(RoiError):
    """The warehouse file could not be written (a full disk, a file size limit)."""


@dataclass
class RunResult:
    run_id: str
    success: bool
    warehouse: Warehouse
    failed_checks: list[str] = field(default_factory=list)
    failed_steps: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    quarantined: dict[str, int] = field(default_factory=dict)
    reports: list[str] = field(default_factory=list)
    # columns a source sent for the first time beyond the contract (audit.schema_changes)
    new_columns: list[str] = field(default_factory=list)
    # a rerun that could change nothing: the run whose marts, checks and report stand
    same_as_run: str | None = None

    def summary(self) -> str:
        warnings = [f"  warning (check failed, not blocking): {w}" for w in self.warnings]
        warnings += [
            f"  new column (kept in raw, not read by the models): {c}" for c in self.new_columns
        ]
        if self.success and self.same_as_run:
            return (
                f"run {self.run_id}: nothing to do: the drop, the code and the settings are "
                f"those of run {self.same_as_run} and nothing was loaded or erased since; its "
                f"marts in {self.warehouse}, checks and report stand (`roi run --full-refresh` "
                "rebuilds anyway)"
            )
        if self.success:
            return "\n".join(
                [
                    f"run {self.run_id} succeeded: marts published in {self.warehouse}",
                    *(f"  report: {path}" for path in self.reports),
                    *warnings,
                ]
            )
        lines = [f"run {self.run_id} FAILED: marts were not replaced (last good marts kept)"]
        lines += [f"  failed check: {c}" for c in self.failed_checks]
        lines += [f"  failed step: {s}" for s in self.failed_steps]
        lines += [f"  quarantined: {n} row(s) {reason}" for reason, n in self.quarantined.items()]
        lines += warnings
        return "\n".join(lines)


def run_pipeline(
    data_dir: Path,
    warehouse: Warehouse | Path | str | None = None,
    reporting_currency: str | None = None,
    trigger: str = "manual",
    source: str | None = "files",
    period: Period | None = None,
    tags: dict[str, str] | None = None,
    target: str | None = None,
    settings: Settings | None = None,
    full_refresh: bool = False,
) -> RunResult:
    """Run ingest → transform → checks → publish. Raises DropRejected (after recording the
    run in audit.runs with status `rejected` and alerting it).

    The warehouse: a foundation.warehouse.Warehouse, or chosen by `target` (duckdb, postgres
    or spark; default $ROI_TARGET, else duckdb) and `warehouse` (the DuckDB file). With
    `period`, the run is that period's partition of the period's review job (what a schedule
    or a backfill runs); live connectors then re-extract exactly that period.

    The arguments given (not None) win over `settings` (default: Settings.from_environment(),
    so the reporting currency defaults to $ROI_REPORTING_CURRENCY, else USD), which give
    everything else; the definitions are built from the result (build_definitions). The
    source stays `files` unless given: ROI_SOURCE is the scheduled runs' choice.
    `full_refresh` rebuilds the incremental dbt models from every raw row (dbt --full-refresh).
    """
    settings = run_settings(
        settings,
        data_dir=data_dir,
        warehouse=warehouse,
        target=target,
        reporting_currency=reporting_currency,
        source=source,
    )
    warehouse, data_dir = settings.warehouse, settings.data_dir
    reporting_currency, source = settings.reporting_currency, settings.source
    make_private(warehouse.state_dir)
    if isinstance(warehouse, DuckDBWarehouse):
        warehouse.file.parent.mkdir(parents=True, exist_ok=True)

    say("loading pipeline definitions (Dagster, dlt, dbt manifest)")
    from orchestration.audit_trail import record_run
    from orchestration.definitions import build_definitions
    from orchestration.jobs import PIPELINE_JOB_NAME, REVIEW_JOB_NAMES
    from orchestration.run_alerts import alert_run
    from orchestration.unchanged import same_as_run

    defs = build_definitions(settings)
    job = defs.resolve_job_def(REVIEW_JOB_NAMES[period.grain] if period else PIPELINE_JOB_NAME)
    run_id = str(uuid.uuid4())
    with instance_for(warehouse) as instance, warehouse_lock(warehouse, run_id, on_wait=say):
        _record_abandoned_runs(instance, warehouse)
        say(
            f"run {run_id} starting: sources {source}, drop {data_dir} -> {warehouse} "
            f"({reporting_currency})"
            + (f", period {period.label} ({period.start} to {period.end})" if period else "")
        )
        outcome = job.execute_in_process(
            instance=instance,
            run_id=run_id,
            partition_key=period.key if period else None,
            raise_on_error=False,
            # Stage lines come from foundation.progress and failures from the RunResult summary;
            # Dagster's full event log (with tracebacks) stays in the instance's storage.
            run_config={
                "loggers": {"console": {"config": {"log_level": "CRITICAL"}}},
                "ops": {"dbt_models": {"config": {"full_refresh": full_refresh}}},
            },
            tags={
                "roi/trigger": trigger,
                "roi/source": source,
                "roi/data_dir": str(data_dir),
                "roi/reporting_currency": reporting_currency,
                # this process records the run and sends its alert, not the daemon's sensors
                "roi/alerted_by": "cli",
                WAREHOUSE_TAG: warehouse.label,
                **(period.tags() if period else {}),
                **(tags or {}),
            },
        )
        result = _result(outcome, warehouse)
        result.same_as_run = same_as_run(instance, outcome.run_id)
        rejection = _rejection(outcome)
        interrupted = _interrupted_steps(outcome)
        try:
            record_run(instance, outcome.run_id, warehouse)
        except database_errors() as error:
            # e.g. a full disk: the run's outcome is known, only its audit row is missing
            alert_run(instance, outcome.run_id, warehouse)
            raise WarehouseUnwritable(
                f"{rejection or result.summary()}\nthe run could not be recorded in "
                f"audit.runs: cannot write the warehouse {warehouse}: {error}"
            ) from None
        if interrupted:
            # whoever pressed Ctrl-C knows: no alert, one line (roi.cli)
            raise RunInterrupted(
                f"run {outcome.run_id} stopped at {', '.join(interrupted)}; "
                + (
                    "the marts were published before it stopped"
                    if _published(outcome)
                    else "nothing was published (the last good marts stay)"
                )
            )
        alert_run(instance, outcome.run_id, warehouse)
    if rejection:
        # recorded (status rejected) and alerted like any failed run, reported as bad input
        raise DropRejected(rejection)
    return result


def _record_abandoned_runs(instance, warehouse: Warehouse) -> None:
    """Record as failed the earlier `roi run`s on this warehouse whose process died.

    Such a run (SIGKILL, out of memory, a reboot) never reached its end: Dagster still shows
    it as started and it has no audit.runs row. Every `roi run` holds the warehouse lock
    while it executes, so with the lock held here, a started run of this warehouse is dead.
    Each is marked failed in Dagster, recorded in audit.runs with the steps it did not
    finish, and alerted. Runs the daemon launched carry no roi/warehouse tag and are left to
    Dagster.
    """
    from dagster import DagsterRunStatus, RunsFilter

    from orchestration.audit_trail import record_run
    from orchestration.run_alerts import alert_run

    abandoned = instance.get_runs(
        filters=RunsFilter(
            statuses=[DagsterRunStatus.STARTING, DagsterRunStatus.STARTED],
            tags={WAREHOUSE_TAG: warehouse.label},
        )
    )
    for run in reversed(abandoned):  # oldest first
        message = (
            "the process running it ended before the run did (killed?); recorded as failed "
            "by the next run on this warehouse"
        )
        instance.report_run_failed(run, message=message)
        say(f"earlier run {run.run_id} never finished (its process ended): recorded as failed")
        try:
            record_run(instance, run.run_id, warehouse)
        except database_errors() as error:
            say(f"  its audit.runs row could not be written: {error}")
        alert_run(instance, run.run_id, warehouse)


def run_settings(
    settings: Settings | None = None,
    *,
    data_dir: Path | str | None = None,
    warehouse: Warehouse | Path | str | None = None,
    target: str | None = None,
    reporting_currency: str | None = None,
    source: str | None = None,
) -> Settings:
    """The settings of a `roi` run: each argument given wins over `settings` (default: the
    environment's, Settings.from_environment()). Checked before anything is created: the
    reporting currency (pasted into dbt's SQL) and the source choice (RoiError)."""
    if reporting_currency is not None:
        # before the environment is read: a bad flag is named as the flag
        reporting_currency = reporting_currency_code(reporting_currency)
    if settings is None:
        environ = dict(os.environ)
        if reporting_currency is not None:
            # the flag wins: the variable is neither used nor checked
            environ["ROI_REPORTING_CURRENCY"] = reporting_currency
        settings = Settings.from_environment(environ)
    changes: dict[str, object] = {
        "data_dir": Path(settings.data_dir if data_dir is None else data_dir).resolve()
    }
    if warehouse is not None or target is not None:
        changes["warehouse"] = resolve_warehouse(target, warehouse)
    if reporting_currency is not None:
        changes["reporting_currency"] = reporting_currency
    if source is not None:
        changes["source"] = source
    chosen = dataclasses.replace(settings, **changes)
    from orchestration.resources import parse_source_choice

    try:
        parse_source_choice(chosen.source)
    except ValueError as error:
        raise RoiError(str(error)) from None
    return chosen


def backfill(
    grain: str,
    first: str,
    last: str,
    data_dir: Path,
    warehouse: Warehouse | Path | str | None = None,
    reporting_currency: str | None = None,
    source: str | None = "files",
    target: str | None = None,
    settings: Settings | None = None,
) -> list[tuple[Period, RunResult]]:
    """Re-run the review of every `grain` period from `first` to `last`, oldest first.

    One run per period, one after another (they write the same warehouse). Loads merge on
    their keys, so re-running a period never duplicates rows. Stops at the first period
    whose run fails: the later ones are listed as not run.
    """
    try:
        periods = periods_between(grain, first, last)
    except ValueError as error:
        raise RoiError(str(error)) from None
    settings = run_settings(
        settings,
        data_dir=data_dir,
        warehouse=warehouse,
        target=target,
        reporting_currency=reporting_currency,
        source=source,
    )
    backfill_id = f"{grain}:{periods[0].label}..{periods[-1].label}:{int(time.time())}"
    done: list[tuple[Period, RunResult]] = []
    for number, period in enumerate(periods, start=1):
        say(f"backfill {number}/{len(periods)}: {grain} {period.label}")
        result = run_pipeline(
            settings.data_dir,
            source=settings.source,
            trigger="backfill",
            period=period,
            tags={"roi/backfill": backfill_id},
            settings=settings,
        )
        done.append((period, result))
        if not result.success:
            break
    return done


def _result(outcome, warehouse: Warehouse) -> RunResult:
    from dagster import AssetCheckSeverity

    failed_steps: list[str] = []
    reports: list[str] = []
    for event in outcome.all_events:
        if event.is_step_materialization and event.asset_key.path == ["reports", "roi_report"]:
            metadata = event.step_materialization_data.materialization.metadata
            reports += [str(value.value) for value in metadata.values()]
        if event.is_step_failure:
            error = root_cause(event.step_failure_data.error)
            message = error.message.strip() if error else "unknown error"
            failed_steps.append(f"{event.step_key}: {message}")
    failed_checks, warnings = [], []
    for evaluation in outcome.get_asset_check_evaluations():
        if evaluation.passed:
            continue
        text = f"{evaluation.check_name} on {evaluation.asset_key.to_user_string()}"
        observed = _observed(evaluation.metadata)
        if observed:
            text += f" (observed: {observed})"
        blocking = evaluation.severity == AssetCheckSeverity.ERROR
        (failed_checks if blocking else warnings).append(text)
    result = RunResult(
        run_id=outcome.run_id,
        success=outcome.success and not failed_checks,
        warehouse=warehouse,
        failed_checks=failed_checks,
        failed_steps=failed_steps,
        warnings=warnings,
        reports=reports,
    )
    if warehouse.exists():
        try:
            with warehouse.connect(read_only=True) as con:
                if con.has_table("audit", "quarantine"):
                    result.quarantined = dict(
                        con.execute(
                            "select reason, count(*) from audit.quarantine where run_id = ? "
                            "group by 1 order by 1",
                            [outcome.run_id],
                        ).fetchall()
                    )
                if con.has_table("audit", "schema_changes"):
                    result.new_columns = [
                        f"{dataset}.{table}.{column} ({data_type}, from {source})"
                        for dataset, table, column, data_type, source in con.execute(
                            "select dataset, table_name, column_name, data_type, source "
                            "from audit.schema_changes where run_id = ? "
                            "order by dataset, table_name, column_name, data_type, source",
                            [outcome.run_id],
                        ).fetchall()
                    ]
        except database_errors() as error:
            # a warehouse that cannot be read now: the failed steps already say why
            result.failed_steps.append(f"reading the run's audit rows: {error}")
    return result


def _rejection(outcome) -> str | None:
    """The message of the DropRejected that failed a step of the run, or None."""
    for event in outcome.all_events:
        if event.is_step_failure:
            error = root_cause(event.step_failure_data.error)
            if error is not None and error.cls_name == "DropRejected":
                return error.message.split("DropRejected: ", 1)[-1].strip()
    return None


def _interrupted_steps(outcome) -> list[str]:
    """The steps an interruption (Ctrl-C, SIGTERM) stopped."""
    return [
        event.step_key
        for event in outcome.all_events
        if event.is_step_failure and stopped_by_interrupt(event.step_failure_data)
    ]


def _published(outcome) -> bool:
    from orchestration.publish import PUBLISHED_SCHEMA

    return any(
        event.is_step_materialization and event.asset_key.path[0] == PUBLISHED_SCHEMA
        for event in outcome.all_events
    )


def _observed(metadata) -> str:
    """The check's observed value, from whichever metadata its kind records."""
    for key, label in (
        ("quarantined_rows", "rows quarantined"),
        ("dagster_dbt/failed_row_count", "failing rows"),
        ("failures", ""),
    ):
        if key in metadata and metadata[key].value not in (None, "", 0):
            value = str(metadata[key].value).replace("\n", "; ")
            return f"{value} {label}".strip()
    return ""
