"""One pipeline run: the `roi_pipeline` Dagster job, executed in this process.

The schedules run the same job; this module only chooses the inputs (drop, warehouse,
reporting currency), keeps the run history in a Dagster instance beside the warehouse, and
turns the job's outcome into a RunResult and an `audit.runs` row.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .errors import DropRejected, RoiError
from .progress import say
from .settings import DEFAULT_REPORTING_CURRENCY, REPO_ROOT, state_dir, warehouse_path


@dataclass
class RunResult:
    run_id: str
    success: bool
    warehouse: Path
    failed_checks: list[str] = field(default_factory=list)
    failed_steps: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    quarantined: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        warnings = [f"  warning (check failed, not blocking): {w}" for w in self.warnings]
        if self.success:
            return "\n".join(
                [f"run {self.run_id} succeeded: marts published in {self.warehouse}", *warnings]
            )
        lines = [f"run {self.run_id} FAILED: marts were not replaced (last good marts kept)"]
        lines += [f"  failed check: {c}" for c in self.failed_checks]
        lines += [f"  failed step: {s}" for s in self.failed_steps]
        lines += [f"  quarantined: {n} row(s) {reason}" for reason, n in self.quarantined.items()]
        lines += warnings
        return "\n".join(lines)


def dagster_instance(warehouse: Path):
    """$DAGSTER_HOME's instance if set, else one kept beside the warehouse (history survives)."""
    from dagster import DagsterInstance

    if os.environ.get("DAGSTER_HOME"):
        return DagsterInstance.get()
    home = state_dir(warehouse) / "dagster"
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").write_text((REPO_ROOT / "dagster.yaml").read_text())
    return DagsterInstance.from_config(str(home))


def run_pipeline(
    data_dir: Path,
    warehouse: Path | None = None,
    reporting_currency: str = DEFAULT_REPORTING_CURRENCY,
    trigger: str = "manual",
    source: str = "files",
) -> RunResult:
    """Run ingest → transform → checks → publish on a file drop. Raises DropRejected."""
    warehouse = warehouse_path(warehouse)
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    data_dir = Path(data_dir).resolve()
    os.environ["ROI_WAREHOUSE"] = str(warehouse)
    os.environ["ROI_DATA_DIR"] = str(data_dir)
    os.environ["ROI_REPORTING_CURRENCY"] = reporting_currency.upper()
    from orchestration.resources import parse_source_choice

    try:
        parse_source_choice(source)
    except ValueError as error:
        raise RoiError(str(error)) from None
    os.environ["ROI_SOURCE"] = source

    say("loading pipeline definitions (Dagster, dlt, dbt manifest)")
    from orchestration.audit_trail import record_run
    from orchestration.definitions import defs
    from orchestration.schedules import PIPELINE_JOB_NAME

    job = defs.resolve_job_def(PIPELINE_JOB_NAME)
    with dagster_instance(warehouse) as instance:
        say(
            f"run starting: sources {source}, drop {data_dir} -> {warehouse} "
            f"({reporting_currency.upper()})"
        )
        outcome = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            # Stage lines come from roi.progress and failures from the RunResult summary;
            # Dagster's full event log (with tracebacks) stays in the instance's storage.
            run_config={"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}},
            tags={
                "roi/trigger": trigger,
                "roi/source": source,
                "roi/data_dir": str(data_dir),
                "roi/reporting_currency": reporting_currency.upper(),
            },
        )
        result = _result(outcome, warehouse)
        record_run(instance, outcome.run_id, warehouse)
    return result


def _result(outcome, warehouse: Path) -> RunResult:
    from dagster import AssetCheckSeverity

    failed_steps: list[str] = []
    for event in outcome.all_events:
        if event.is_step_failure:
            error = _root_cause(event.step_failure_data.error)
            if error is not None and error.cls_name == "DropRejected":
                raise DropRejected(error.message.split("DropRejected: ", 1)[-1].strip())
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
    )
    if warehouse.exists():
        import duckdb

        with duckdb.connect(str(warehouse), read_only=True) as con:
            has_quarantine = con.execute(
                "select count(*) from information_schema.tables "
                "where table_schema = 'audit' and table_name = 'quarantine'"
            ).fetchone()[0]
            if has_quarantine:
                result.quarantined = dict(
                    con.execute(
                        "select reason, count(*) from audit.quarantine where run_id = ? "
                        "group by 1 order by 1",
                        [outcome.run_id],
                    ).fetchall()
                )
    return result


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


def _root_cause(error):
    """Dagster wraps the asset's exception; the user wants the innermost one."""
    while error is not None and error.cause is not None:
        error = error.cause
    return error
