"""Sensors: every finished pipeline run leaves its audit trail, however it was launched."""

import dagster as dg

from roi.settings import warehouse_path

from .audit_trail import record_run
from .schedules import PIPELINE_JOB_NAME


def _record(context: dg.RunStatusSensorContext) -> None:
    run = context.dagster_run
    if run.job_name != PIPELINE_JOB_NAME:
        return
    row = record_run(context.instance, run.run_id, warehouse_path())
    context.log.info(f"audit.runs: run {run.run_id} {row['status']}")


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    name="audit_successful_runs",
    description="Writes audit.runs and audit.check_results for each successful pipeline run.",
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def audit_successful_runs(context: dg.RunStatusSensorContext):
    _record(context)


@dg.run_failure_sensor(
    name="audit_failed_runs",
    description="Writes audit.runs and audit.check_results for each failed pipeline run.",
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def audit_failed_runs(context: dg.RunFailureSensorContext):
    _record(context)


sensors = [audit_successful_runs, audit_failed_runs]
