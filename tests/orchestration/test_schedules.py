"""Each schedule asks for the period that just closed, across year ends and leap days."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from foundation.periods import Period, periods_between

D = dt.date
REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("grain", "run_date", "start", "end", "label"),
    [
        ("week", D(2026, 11, 23), D(2026, 11, 16), D(2026, 11, 22), "2026-W47"),
        ("week", D(2026, 1, 5), D(2025, 12, 29), D(2026, 1, 4), "2026-W01"),  # ISO year
        ("week", D(2021, 1, 4), D(2020, 12, 28), D(2021, 1, 3), "2020-W53"),
        ("week", D(2024, 3, 4), D(2024, 2, 26), D(2024, 3, 3), "2024-W09"),  # holds 02-29
        ("month", D(2026, 1, 1), D(2025, 12, 1), D(2025, 12, 31), "2025-12"),
        ("month", D(2024, 3, 1), D(2024, 2, 1), D(2024, 2, 29), "2024-02"),  # leap day
        ("month", D(2023, 3, 1), D(2023, 2, 1), D(2023, 2, 28), "2023-02"),
        ("quarter", D(2026, 1, 1), D(2025, 10, 1), D(2025, 12, 31), "2025-Q4"),
        ("quarter", D(2026, 7, 1), D(2026, 4, 1), D(2026, 6, 30), "2026-Q2"),
        ("quarter", D(2024, 4, 1), D(2024, 1, 1), D(2024, 3, 31), "2024-Q1"),  # leap year
        ("half_year", D(2026, 7, 1), D(2026, 1, 1), D(2026, 6, 30), "2026-H1"),
        ("half_year", D(2027, 1, 1), D(2026, 7, 1), D(2026, 12, 31), "2026-H2"),
        ("half_year", D(2024, 7, 1), D(2024, 1, 1), D(2024, 6, 30), "2024-H1"),  # leap year
        ("year", D(2027, 1, 1), D(2026, 1, 1), D(2026, 12, 31), "2026"),
        ("year", D(2025, 1, 1), D(2024, 1, 1), D(2024, 12, 31), "2024"),  # leap year
    ],
    ids=[
        "week",
        "week-iso-year-end",
        "week-53",
        "week-over-leap-day",
        "month-year-end",
        "month-leap",
        "month-not-leap",
        "quarter-year-end",
        "quarter-mid-year",
        "quarter-leap-year",
        "half-year-first",
        "half-year-second",
        "half-year-leap-year",
        "year",
        "year-leap",
    ],
)
def test_period_closed_before_a_run_date(grain, run_date, start, end, label):
    period = Period.closed_before(grain, run_date)
    assert (period.start, period.end, period.label) == (start, end, label)
    assert Period.parse(grain, label) == period
    assert Period.parse(grain, end.isoformat()) == period


def test_periods_between_labels_and_bad_labels():
    assert [p.label for p in periods_between("month", "2025-11", "2026-02")] == [
        "2025-11",
        "2025-12",
        "2026-01",
        "2026-02",
    ]
    assert [p.label for p in periods_between("quarter", "2025-Q4", "2026-02-15")] == [
        "2025-Q4",
        "2026-Q1",
    ]
    assert [p.key for p in periods_between("week", "2020-W53", "2021-W01")] == [
        "2020-12-28",
        "2021-01-04",
    ]
    with pytest.raises(ValueError, match=r"'2025-13' is not a month: write it like 2026-01"):
        Period.parse("month", "2025-13")
    with pytest.raises(ValueError, match="is after"):
        periods_between("month", "2025-06", "2025-01")


TICKS = [
    # (schedule, tick time UTC, partition key, period label, period end)
    ("weekly_review", dt.datetime(2026, 1, 5, 6), "2025-12-29", "2026-W01", "2026-01-04"),
    ("weekly_review", dt.datetime(2024, 3, 4, 6), "2024-02-26", "2024-W09", "2024-03-03"),
    ("monthly_review", dt.datetime(2026, 1, 1, 6), "2025-12-01", "2025-12", "2025-12-31"),
    ("monthly_review", dt.datetime(2024, 3, 1, 6), "2024-02-01", "2024-02", "2024-02-29"),
    ("quarterly_review", dt.datetime(2026, 1, 1, 6), "2025-10-01", "2025-Q4", "2025-12-31"),
    ("quarterly_review", dt.datetime(2026, 4, 1, 6), "2026-01-01", "2026-Q1", "2026-03-31"),
    ("quarterly_review", dt.datetime(2024, 4, 1, 6), "2024-01-01", "2024-Q1", "2024-03-31"),
    ("semiannual_review", dt.datetime(2026, 7, 1, 6), "2026-01-01", "2026-H1", "2026-06-30"),
    ("semiannual_review", dt.datetime(2026, 1, 1, 6), "2025-07-01", "2025-H2", "2025-12-31"),
    ("annual_review", dt.datetime(2026, 1, 1, 6), "2025-01-01", "2025", "2025-12-31"),
]


@pytest.mark.parametrize(("schedule_name", "tick", "key", "label", "end"), TICKS)
def test_schedule_tick_asks_for_the_closed_period_partition(schedule_name, tick, key, label, end):
    from dagster import build_schedule_context

    from foundation.config import Settings
    from orchestration.definitions import build_definitions

    defs = build_definitions(Settings.from_environment())

    schedule = defs.resolve_schedule_def(schedule_name)
    context = build_schedule_context(
        scheduled_execution_time=tick.replace(tzinfo=dt.UTC),
        repository_def=defs.get_repository_def(),
    )
    [request] = schedule.evaluate_tick(context).run_requests
    assert request.partition_key == key
    assert request.tags["roi/period"] == label
    assert request.tags["roi/period_end"] == end
    assert request.tags["roi/trigger"] == "schedule"
    # the partition is a real one of the job, and the job tags its runs with the period
    job = defs.resolve_job_def(schedule.job_name)
    assert key in job.partitions_def.get_partition_keys(current_time=tick.replace(tzinfo=dt.UTC))
    assert job.get_tags_for_partition_key(key, selected_asset_keys=None)["roi/period"] == label


def test_schedule_before_the_first_partition_skips():
    from dagster import build_schedule_context

    from foundation.config import Settings
    from orchestration.definitions import build_definitions

    defs = build_definitions(Settings.from_environment())

    schedule = defs.resolve_schedule_def("monthly_review")
    context = build_schedule_context(
        scheduled_execution_time=dt.datetime(2023, 6, 1, 6, tzinfo=dt.UTC),
        repository_def=defs.get_repository_def(),
    )
    result = schedule.evaluate_tick(context)
    assert not result.run_requests
    assert "2023-05 starts before ROI_PARTITIONS_START (2024-01-01)" in result.skip_message


def test_schedule_timezone_moves_the_period_boundary():
    """At 06:00 on New Year's Day in Shanghai it is still 22:00 on Dec 31 in UTC: the
    monthly review then covers December, and the partitions follow the same zone."""
    script = """
import datetime as dt, json
from dagster import build_schedule_context
from orchestration.code_location import defs
schedule = defs.resolve_schedule_def("monthly_review")
tick = dt.datetime(2025, 12, 31, 22, 0, tzinfo=dt.UTC)
context = build_schedule_context(
    scheduled_execution_time=tick, repository_def=defs.get_repository_def()
)
[request] = schedule.evaluate_tick(context).run_requests
partitions = defs.resolve_job_def(schedule.job_name).partitions_def
print(json.dumps([schedule.execution_timezone, request.partition_key,
                  request.tags["roi/period"], partitions.timezone]))
"""
    env = {**os.environ, "ROI_SCHEDULE_TIMEZONE": "Asia/Shanghai"}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    last_line = result.stdout.strip().splitlines()[-1]
    assert json.loads(last_line) == ["Asia/Shanghai", "2025-12-01", "2025-12", "Asia/Shanghai"]


def test_roi_backfill_rejects_a_bad_period_before_running_anything(tmp_path, capsys):
    from roi.cli import main

    code = main(
        ["backfill", "--grain", "quarter", "--from", "2025-Q5", "--to", "2025-Q4"]
        + ["--data-dir", str(tmp_path), "--warehouse", str(tmp_path / "roi.duckdb")]
    )
    assert code == 2
    assert capsys.readouterr().err == (
        "error: '2025-Q5' is not a quarter: write it like 2026-Q1 or as a day in it (YYYY-MM-DD)\n"
    )
    assert not (tmp_path / "roi.duckdb").exists()


def test_half_year_and_year_reviews_have_their_jobs_schedules_cli_words_and_rule():
    """Half-years and years, declared once in foundation.periods.GRAINS, get their periods,
    labels, review job, partitions, schedule (06:00 on 1 January and 1 July; on 1 January),
    CLI choice, report words and quality rule: nothing else spells the grains."""

    from expectations.suites import SUITES, History
    from foundation.config import Settings
    from foundation.periods import label_grain
    from orchestration.definitions import build_definitions
    from reporting.i18n import translator
    from roi.cli import build_parser

    defs = build_definitions(Settings.from_environment())
    reviews = {}
    for name, tick in (
        ("semiannual_review", dt.datetime(2026, 7, 1, 6, tzinfo=dt.UTC)),
        ("annual_review", dt.datetime(2026, 1, 1, 6, tzinfo=dt.UTC)),
    ):
        schedule = defs.resolve_schedule_def(name)
        partitions = defs.resolve_job_def(schedule.job_name).partitions_def
        reviews[name] = (
            schedule.cron_schedule,
            schedule.job_name,
            partitions.get_partition_keys(current_time=tick),
        )
    assert reviews == {
        "semiannual_review": (
            "0 6 1 1,7 *",
            "roi_semiannual",
            ["2024-01-01", "2024-07-01", "2025-01-01", "2025-07-01", "2026-01-01"],
        ),
        "annual_review": ("0 6 1 1 *", "roi_annual", ["2024-01-01", "2025-01-01"]),
    }
    assert [label_grain("2026-h2"), label_grain("2026"), label_grain("2026-Q2")] == [
        "half_year",
        "year",
        "quarter",
    ]
    assert Period.parse("half_year", "2026-H2").end == D(2026, 12, 31)
    assert Period.parse("year", "2025-03-04").label == "2025"
    assert Period.containing("half_year", D(2025, 3, 31)).label == "2025-H1"
    with pytest.raises(ValueError, match=r"'2026-H3' is not a half_year: write it like 2026-H1"):
        Period.parse("half_year", "2026-H3")
    assert [translator("en").grain("half_year"), translator("zh").grains("half_year")] == [
        "Half-year",
        "个半年",
    ]
    assert [translator("en").grain("year"), translator("zh").grain("year")] == ["Year", "年"]
    args = build_parser().parse_args(
        ["backfill", "--grain", "year", "--from", "2024", "--to", "2025"]
    )
    assert [args.grain, args.start] == ["year", "2024"]
    [suite] = [
        suite
        for suite in SUITES
        if suite.name == "great_expectations_suite"
        and suite.table == "marts_candidate.mart_project_roi"
    ]
    [in_set] = [
        rule
        for rule in suite.rules(History(None))
        if rule.expectation == "ExpectColumnValuesToBeInSet"
    ]
    assert in_set.kwargs["value_set"] == ["week", "month", "quarter", "half_year", "year"]
