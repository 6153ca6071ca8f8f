"""The pipeline jobs: `roi_pipeline` for ad-hoc runs, and one review job per period grain.

All run the same asset graph (ingest → transform → checks → publish). The review jobs are
partitioned by period (ISO week, month, quarter, half-year, year), so each run is for one
named period: the schedules pick the period that just closed, and a backfill (`roi backfill`
or the Dagster UI) re-runs past ones. The period is on the run as its partition and
`roi/period*` tags.
"""

import datetime as dt

import dagster as dg

from foundation.config import Settings
from foundation.periods import GRAINS, Period

PIPELINE_JOB_NAME = "roi_pipeline"
REVIEW_JOB_NAMES = {name: f"roi_{grain.adjective}" for name, grain in GRAINS.items()}
PIPELINE_JOB_NAMES = frozenset({PIPELINE_JOB_NAME, *REVIEW_JOB_NAMES.values()})

# Every pipeline run writes the one warehouse: the queued run coordinator (dagster.yaml)
# allows one run with this tag at a time, and the warehouse resource holds a file lock.
WRITER_TAG = {"roi/writes_warehouse": "true"}


def period_partitions(grain: str, settings: Settings) -> dg.TimeWindowPartitionsDefinition:
    """One partition per period of `grain` (an ISO week from Monday, a month, a quarter),
    keyed by its first day, from settings.partitions_start (backfills cannot go before it)
    in settings.schedule_timezone."""
    return dg.TimeWindowPartitionsDefinition(
        cron_schedule=GRAINS[grain].partitions_cron,
        start=settings.partitions_start,
        fmt="%Y-%m-%d",
        timezone=settings.schedule_timezone,
    )


def period_of_partition(grain: str, partition_key: str) -> Period:
    return Period.containing(grain, dt.date.fromisoformat(partition_key))


def _review_job(grain: str, settings: Settings):
    config = dg.PartitionedConfig(
        partitions_def=period_partitions(grain, settings),
        run_config_for_partition_key_fn=lambda key: {},
        tags_for_partition_key_fn=lambda key: period_of_partition(grain, key).tags(),
    )
    return dg.define_asset_job(
        REVIEW_JOB_NAMES[grain],
        selection=dg.AssetSelection.all(),
        config=config,
        tags=WRITER_TAG,
        description=f"The {GRAINS[grain].adjective} review: ingest, transform, check and "
        f"publish, for one {grain} (a partition). Scheduled runs load incrementally; a "
        f"backfill of past {grain}s re-extracts each {grain} from the live connectors.",
        # DuckDB allows one writing process per file: run every step in this one process.
        executor_def=dg.in_process_executor,
    )


def build_jobs(settings: Settings) -> list:
    """`roi_pipeline` and the review job of every grain."""
    roi_pipeline = dg.define_asset_job(
        PIPELINE_JOB_NAME,
        selection=dg.AssetSelection.all(),
        tags=WRITER_TAG,
        description="Validate and load the drop, build and test the models, check, publish.",
        executor_def=dg.in_process_executor,
    )
    return [roi_pipeline, *(_review_job(grain, settings) for grain in GRAINS)]
