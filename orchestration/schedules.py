"""Weekly, monthly and quarterly runs, each for the period that just closed."""

import datetime as dt
import os

import dagster as dg

PIPELINE_JOB_NAME = "roi_pipeline"
SCHEDULE_TIMEZONE = os.environ.get("ROI_SCHEDULE_TIMEZONE", "UTC")

# (grain, cron): weekly on Monday, monthly on the 1st, quarterly on the 1st of a quarter;
# early morning so overnight CRM/ERP exports have landed.
CADENCES = (
    ("week", "0 6 * * 1"),
    ("month", "0 6 1 * *"),
    ("quarter", "0 6 1 1,4,7,10 *"),
)


def closed_period(grain: str, run_date: dt.date) -> tuple[dt.date, dt.date]:
    """First and last day of the week / month / quarter that ended before `run_date`."""
    if grain == "week":
        this_start = run_date - dt.timedelta(days=run_date.weekday())
        return this_start - dt.timedelta(days=7), this_start - dt.timedelta(days=1)
    if grain == "month":
        this_start = run_date.replace(day=1)
    elif grain == "quarter":
        this_start = run_date.replace(month=(run_date.month - 1) // 3 * 3 + 1, day=1)
    else:
        raise ValueError(f"unknown grain {grain!r}: expected week, month or quarter")
    last_day = this_start - dt.timedelta(days=1)
    start = closed_period_start(grain, last_day)
    return start, last_day


def closed_period_start(grain: str, day: dt.date) -> dt.date:
    if grain == "week":
        return day - dt.timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)


def period_label(grain: str, start: dt.date) -> str:
    if grain == "week":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    if grain == "month":
        return f"{start:%Y-%m}"
    return f"{start.year}-Q{(start.month - 1) // 3 + 1}"


def period_tags(grain: str, run_date: dt.date) -> dict[str, str]:
    start, end = closed_period(grain, run_date)
    return {
        "roi/period_grain": grain,
        "roi/period": period_label(grain, start),
        "roi/period_start": start.isoformat(),
        "roi/period_end": end.isoformat(),
        "roi/trigger": "schedule",
    }


def _schedule(grain: str, cron: str) -> dg.ScheduleDefinition:
    @dg.schedule(
        name=f"{grain}ly_review" if grain != "week" else "weekly_review",
        cron_schedule=cron,
        job_name=PIPELINE_JOB_NAME,
        execution_timezone=SCHEDULE_TIMEZONE,
        description=f"Ingest, transform, check and publish for the {grain} that just closed.",
        default_status=dg.DefaultScheduleStatus.STOPPED,
    )
    def _review(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        run_date = context.scheduled_execution_time.date()
        tags = period_tags(grain, run_date)
        return dg.RunRequest(run_key=f"{grain}:{tags['roi/period']}", tags=tags)

    return _review


schedules = [_schedule(grain, cron) for grain, cron in CADENCES]
