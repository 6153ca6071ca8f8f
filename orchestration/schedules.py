"""Weekly, monthly, quarterly, semiannual and annual reviews, each for the period that just
closed.

Early morning in ROI_SCHEDULE_TIMEZONE (default UTC), so overnight CRM/ERP exports have
landed: Monday for the ISO week before, the 1st for the month before, the 1st of a quarter,
half-year (1 January, 1 July) or year for the one before. Each tick asks for that period's
partition of the review job.
"""

from zoneinfo import ZoneInfo

import dagster as dg

from foundation.config import Settings
from foundation.periods import GRAINS, Period

from .jobs import REVIEW_JOB_NAMES

# 06:00 on each period's first day.
CRON = {name: f"0 6 {grain.period_starts}" for name, grain in GRAINS.items()}


def _schedule(grain: str, settings: Settings) -> dg.ScheduleDefinition:
    adjective = GRAINS[grain].adjective
    timezone, partitions_start = settings.schedule_timezone, settings.partitions_start

    @dg.schedule(
        name=f"{adjective}_review",
        cron_schedule=CRON[grain],
        job_name=REVIEW_JOB_NAMES[grain],
        execution_timezone=timezone,
        description=f"The {adjective} review for the {grain} that just closed (its partition).",
        default_status=dg.DefaultScheduleStatus.STOPPED,
    )
    def _review(context: dg.ScheduleEvaluationContext) -> dg.RunRequest | dg.SkipReason:
        local = context.scheduled_execution_time.astimezone(ZoneInfo(timezone))
        period = Period.closed_before(grain, local.date())
        if period.key < partitions_start:
            return dg.SkipReason(
                f"{period.label} starts before ROI_PARTITIONS_START ({partitions_start})"
            )
        return dg.RunRequest(
            run_key=f"{grain}:{period.label}",
            partition_key=period.key,
            tags={**period.tags(), "roi/trigger": "schedule"},
        )

    return _review


def build_schedules(settings: Settings) -> list[dg.ScheduleDefinition]:
    """The review schedule of every grain, in settings.schedule_timezone."""
    return [_schedule(grain, settings) for grain in CRON]
