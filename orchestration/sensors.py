"""Sensors: every finished pipeline run leaves its audit trail and, if it went wrong, an alert.

For runs the daemon launches (schedules, backfills, the UI). `roi run` records and alerts
itself and tags its runs so these skip them. A sensor that cannot reach the warehouse (a
run holds it) fails its tick without moving its cursor, so the next tick tries again. The
warehouse is the deployment's (Settings.warehouse, given to build_sensors).
"""

import dagster as dg

from foundation.warehouse import Warehouse

from .audit_trail import record_run
from .jobs import PIPELINE_JOB_NAMES
from .run_alerts import ALERTED_BY_TAG, alert_run, failed_blocking_checks

PIPELINE_JOBS = sorted(PIPELINE_JOB_NAMES)


def _daemon_run(run: dg.DagsterRun) -> bool:
    return run.job_name in PIPELINE_JOB_NAMES and ALERTED_BY_TAG not in run.tags


def build_sensors(warehouse: Warehouse) -> list[dg.RunStatusSensorDefinition]:
    """The sensors that record and alert the daemon's runs on `warehouse`."""

    @dg.run_status_sensor(
        run_status=dg.DagsterRunStatus.SUCCESS,
        name="audit_successful_runs",
        description="Writes audit.runs and audit.check_results for each successful pipeline run.",
        default_status=dg.DefaultSensorStatus.RUNNING,
    )
    def audit_successful_runs(context: dg.RunStatusSensorContext):
        run = context.dagster_run
        if _daemon_run(run):
            row = record_run(context.instance, run.run_id, warehouse)
            context.log.info(f"audit.runs: run {run.run_id} {row['status']}")

    @dg.run_failure_sensor(
        name="alert_failed_runs",
        description="Writes the audit trail of each failed pipeline run and alerts the webhook "
        "(ROI_ALERT_WEBHOOK_URL) with each failed step and its error.",
        default_status=dg.DefaultSensorStatus.RUNNING,
    )
    def alert_failed_runs(context: dg.RunFailureSensorContext):
        run = context.dagster_run
        if not _daemon_run(run):
            return
        record_run(context.instance, run.run_id, warehouse)
        if failed_blocking_checks(context.instance, run.run_id):
            return  # alert_blocking_checks reports this run
        alert = alert_run(context.instance, run.run_id, warehouse)
        context.log.info(f"alert sent for failed run {run.run_id}: {alert and alert.title}")

    @dg.run_status_sensor(
        run_status=dg.DagsterRunStatus.FAILURE,
        name="alert_blocking_checks",
        description="Alerts the webhook when a pipeline run's blocking data-quality checks "
        "failed (the marts were not published), with each check's observed value and the rows "
        "quarantined.",
        default_status=dg.DefaultSensorStatus.RUNNING,
    )
    def alert_blocking_checks(context: dg.RunStatusSensorContext):
        run = context.dagster_run
        if _daemon_run(run) and failed_blocking_checks(context.instance, run.run_id):
            alert = alert_run(context.instance, run.run_id, warehouse)
            context.log.info(f"alert sent for run {run.run_id}: {alert and alert.title}")

    return [audit_successful_runs, alert_failed_runs, alert_blocking_checks]
