"""Each schedule covers the period that just closed, across year ends and leap days."""

from __future__ import annotations

import datetime as dt

import pytest

from orchestration.schedules import closed_period, period_label, period_tags

D = dt.date


@pytest.mark.parametrize(
    ("grain", "run_date", "start", "end", "label"),
    [
        ("week", D(2026, 11, 23), D(2026, 11, 16), D(2026, 11, 22), "2026-W47"),
        ("week", D(2026, 1, 5), D(2025, 12, 29), D(2026, 1, 4), "2026-W01"),  # ISO year
        ("week", D(2021, 1, 4), D(2020, 12, 28), D(2021, 1, 3), "2020-W53"),
        ("month", D(2026, 1, 1), D(2025, 12, 1), D(2025, 12, 31), "2025-12"),
        ("month", D(2024, 3, 1), D(2024, 2, 1), D(2024, 2, 29), "2024-02"),  # leap day
        ("quarter", D(2026, 1, 1), D(2025, 10, 1), D(2025, 12, 31), "2025-Q4"),
        ("quarter", D(2026, 7, 1), D(2026, 4, 1), D(2026, 6, 30), "2026-Q2"),
    ],
    ids=[
        "week",
        "week-iso-year-end",
        "week-53",
        "month-year-end",
        "month-leap",
        "quarter-year-end",
        "quarter-mid-year",
    ],
)
def test_closed_period(grain, run_date, start, end, label):
    assert closed_period(grain, run_date) == (start, end)
    assert period_label(grain, start) == label


def test_schedule_tick_tags_the_run_with_its_period():
    from dagster import build_schedule_context

    from orchestration.definitions import defs

    schedule = defs.resolve_schedule_def("quarterly_review")
    context = build_schedule_context(
        scheduled_execution_time=dt.datetime(2026, 4, 1, 6, 0, tzinfo=dt.UTC)
    )
    request = schedule.evaluate_tick(context).run_requests[0]
    assert request.tags["roi/period"] == "2026-Q1"
    assert request.tags["roi/period_start"] == "2026-01-01"
    assert request.tags["roi/period_end"] == "2026-03-31"
    assert period_tags("quarter", D(2026, 4, 1)).items() <= request.tags.items()
