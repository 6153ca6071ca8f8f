"""The daemon's sensors: a failed run is recorded in audit.runs and alerts the webhook once."""

from __future__ import annotations

import datetime as dt

import dagster as dg
import duckdb
from werkzeug import Response


def test_failure_sensor_records_and_alerts_a_daemon_run(tmp_path, monkeypatch, httpserver):
    from orchestration.definitions import defs
    from orchestration.sensors import alert_blocking_checks, alert_failed_runs

    hook = []
    httpserver.expect_request("/hook", method="POST").respond_with_handler(
        lambda request: hook.append(request.get_json()) or Response("ok")
    )
    warehouse = tmp_path / "roi.duckdb"
    monkeypatch.setenv("ROI_ALERT_WEBHOOK_URL", httpserver.url_for("/hook"))
    monkeypatch.setenv("ROI_DAGSTER_UI_URL", "http://dagster.example:3000/")
    monkeypatch.setenv("ROI_WAREHOUSE", str(warehouse))
    monkeypatch.setenv("ROI_DATA_DIR", str(tmp_path / "no-such-drop"))
    monkeypatch.setenv("ROI_SOURCE", "files")
    # GIVEN the January partition of the monthly review, launched as the daemon would (no
    # `roi run` in between), failing on a drop folder that does not exist
    instance = dg.DagsterInstance.ephemeral()
    result = defs.resolve_job_def("roi_monthly").execute_in_process(
        partition_key="2026-01-01", instance=instance, raise_on_error=False
    )
    assert not result.success
    run = instance.get_run_by_id(result.run_id)

    # WHEN the sensors see the failed run
    def context(name: str) -> dg.RunStatusSensorContext:
        return dg.build_run_status_sensor_context(
            sensor_name=name,
            dagster_instance=instance,
            dagster_run=run,
            dagster_event=result.get_run_failure_event(),
        )

    alert_failed_runs(context("alert_failed_runs").for_run_failure())
    alert_blocking_checks(context("alert_blocking_checks"))

    # THEN exactly one alert went out (no blocking check failed), naming step and cause
    assert len(hook) == 1
    lines = hook[0]["text"].splitlines()
    assert lines[:5] == [
        "[ERROR] Pipeline run failed: roi_monthly for 2026-01",
        f"run: {result.run_id}",
        "job: roi_monthly",
        "period: 2026-01",
        f"warehouse: {warehouse}",
    ]
    assert lines[5] == f"link: http://dagster.example:3000/runs/{result.run_id}"
    assert lines[6].startswith("- step file_drop failed: ")
    assert "no-such-drop" in lines[6]
    # AND audit.runs holds the run with its period
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute(
            "select job_name, trigger, period_grain, period, period_start, period_end, status, "
            "failed_steps from audit.runs"
        ).fetchall() == [
            (
                "roi_monthly",
                "manual",
                "month",
                "2026-01",
                dt.date(2026, 1, 1),
                dt.date(2026, 1, 31),
                "failed",
                "file_drop",
            )
        ]


def test_runs_of_roi_run_are_left_to_roi_run():
    """`roi run` alerts itself: the sensors skip its runs, so nothing is sent twice."""
    from orchestration.sensors import _daemon_run

    cli = dg.DagsterRun(job_name="roi_pipeline", tags={"roi/alerted_by": "cli"})
    daemon = dg.DagsterRun(job_name="roi_weekly", tags={"dagster/schedule_name": "weekly_review"})
    other = dg.DagsterRun(job_name="some_other_job")
    assert [_daemon_run(run) for run in (cli, daemon, other)] == [False, True, False]
