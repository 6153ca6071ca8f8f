"""The daemon's sensors: a failed run is recorded in audit.runs and alerts the webhook once.

A rejected drop too, by the sensors and by `roi run`, also into a warehouse that has no
audit schema yet (tests/roi/test_run_failures.py: `roi run` of one into a published warehouse).
"""

from __future__ import annotations

import datetime as dt
import shutil

import dagster as dg
import duckdb

from roi.cli import main

from ..drops import FIXTURES

BAD_AMOUNT = "is not a decimal number such as 1234.56"


def drop_with_bad_orders(folder, count: int):
    """tests/fixtures/small_drop (orders on lines 2 to 9) with `count` orders appended whose
    amount has a semicolon, O-BAD-01 on line 10, O-BAD-02 on line 11, ..."""
    drop = shutil.copytree(FIXTURES / "small_drop", folder)
    with (drop / "crm_orders.csv").open("a", encoding="utf-8") as orders:
        for number in range(1, count + 1):
            orders.write(
                f"O-BAD-{number:02},A-DE-1,,2026-01-07,2026-01-07T10:00:00Z,confirmed,"
                "12;50,5.00,EUR,false\n"
            )
    return drop


def bad_order_problem(number: int) -> str:
    return (
        f"crm_orders.csv line {9 + number} (order_id=O-BAD-{number:02}), column amount: "
        f"'12;50': {BAD_AMOUNT}"
    )


def test_failure_sensor_records_and_alerts_a_rejected_drop_of_a_daemon_run(
    tmp_path, monkeypatch, alert_hook
):
    from foundation.config import Settings
    from orchestration.definitions import build_definitions

    warehouse = tmp_path / "roi.duckdb"
    drop = drop_with_bad_orders(tmp_path / "drop", 12)
    monkeypatch.setenv("ROI_DAGSTER_UI_URL", "http://dagster.example:3000/")
    monkeypatch.setenv("ROI_WAREHOUSE", str(warehouse))
    monkeypatch.setenv("ROI_DATA_DIR", str(drop))
    monkeypatch.setenv("ROI_SOURCE", "files")
    # the definitions the code location builds from that environment
    defs = build_definitions(Settings.from_environment())
    alert_failed_runs = defs.resolve_sensor_def("alert_failed_runs")
    alert_blocking_checks = defs.resolve_sensor_def("alert_blocking_checks")
    # GIVEN the January partition of the monthly review, launched as the daemon would (no
    # `roi run` in between), failing on a drop with 12 bad amounts, into a warehouse that
    # does not exist yet
    instance = dg.DagsterInstance.ephemeral()
    result = defs.resolve_job_def("roi_monthly").execute_in_process(
        partition_key="2026-01-01", instance=instance, raise_on_error=False
    )
    assert not result.success
    assert not warehouse.exists()
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

    # THEN exactly one alert went out (no blocking check failed): the drop, the count, the
    # first 10 problems and how many more
    assert [alert["text"].splitlines() for alert in alert_hook] == [
        [
            "[ERROR] File drop rejected in roi_monthly for 2026-01: nothing loaded, "
            "marts unchanged",
            f"run: {result.run_id}",
            "job: roi_monthly",
            "period: 2026-01",
            f"warehouse: {warehouse}",
            f"link: http://dagster.example:3000/runs/{result.run_id}",
            f"- 12 problem(s) in {drop}",
            *(f"- {bad_order_problem(number)}" for number in range(1, 11)),
            "- ... and 2 more (12 in total)",
        ]
    ]
    # AND audit.runs holds the run with its period, rejected, with all 12 problems (it keeps
    # the first 20)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute(
            "select job_name, trigger, period_grain, period, period_start, period_end, status, "
            "failed_checks, failed_steps, drop_problem_count, drop_problems from audit.runs"
        ).fetchall() == [
            (
                "roi_monthly",
                "manual",
                "month",
                "2026-01",
                dt.date(2026, 1, 1),
                dt.date(2026, 1, 31),
                "rejected",
                0,
                "file_drop",
                12,
                "\n".join(bad_order_problem(number) for number in range(1, 13)),
            )
        ]


def test_runs_of_roi_run_are_left_to_roi_run():
    """`roi run` alerts itself: the sensors skip its runs, so nothing is sent twice."""
    from orchestration.sensors import _daemon_run

    cli = dg.DagsterRun(job_name="roi_pipeline", tags={"roi/alerted_by": "cli"})
    daemon = dg.DagsterRun(job_name="roi_weekly", tags={"dagster/schedule_name": "weekly_review"})
    other = dg.DagsterRun(job_name="some_other_job")
    assert [_daemon_run(run) for run in (cli, daemon, other)] == [False, True, False]


def test_roi_run_records_a_rejected_drop_in_a_new_warehouse(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("ROI_ALERT_WEBHOOK_URL", raising=False)
    warehouse = tmp_path / "new" / "roi.duckdb"
    # GIVEN a drop with one bad amount and no warehouse yet
    drop = drop_with_bad_orders(tmp_path / "drop", 1)
    # WHEN it is run
    code = main(["run", "--data-dir", str(drop), "--warehouse", str(warehouse)])
    # THEN it is rejected as bad input, and recorded in the audit schema made for it
    assert code == 2
    assert "1 problem(s); nothing was loaded" in capsys.readouterr().err
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute(
            "select job_name, status, failed_steps, drop_problem_count, drop_problems "
            "from audit.runs"
        ).fetchall() == [("roi_pipeline", "rejected", "file_drop", 1, bad_order_problem(1))]
        # nothing else: no raw table, no mart
        assert con.execute(
            "select distinct table_schema from information_schema.tables"
        ).fetchall() == [("audit",)]
