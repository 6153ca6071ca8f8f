"""The pipeline jobs: `roi_pipeline` for ad-hoc runs, and one review job per period grain.

All run the same asset graph (ingest → transform → checks → publish). The review jobs are
partitioned by period (ISO week, month, quarter), so each run is for one named period: the
schedules pick the period that just closed, and a backfill (`roi backfill` or the Dagster UI)
re-runs past ones. The period is on the run as its partition and `roi/period*` tags.
"""

import datetime as dt
import os

import dagster as dg

from foundation.periods import GRAINS, Period

PIPELINE_JOB_NAME = "roi_pipeline"
REVIEW_JOB_NAMES = {name: f"roi_{grain.adjective}" for name, grain in GRAINS.items()}
PIPELINE_JOB_NAMES = frozenset({PIPELINE_JOB_NAME, *REVIEW_JOB_NAMES.values()})

# Every pipeline run writes the one warehouse: the queued run coordinator (dagster.yaml)
# allows one run with this tag at a time, and the warehouse resource holds a file lock.
WRITER_TAG = {"roi/writes_warehouse": "true"}

SCHEDULE_TIMEZONE = os.environ.get("ROI_SCHEDULE_TIMEZONE", "UTC")
# First period the review jobs offer (backfills cannot go before it). A Monday, so that the
# first week is a whole ISO week.
PARTITIONS_START = os.environ.get("ROI_PARTITIONS_START", "2024-01-01")


def period_partitions(grain: str) -> dg.TimeWindowPartitionsDefinition:
    """One partition per period of `grain` (an ISO week from Monday, a month, a quarter),
    keyed by its first day."""
    return dg.TimeWindowPartitionsDefinition(
        cron_schedule=GRAINS[grain].partitions_cron,
        start=PARTITIONS_START,
        fmt="%Y-%m-%d",
        timezone=SCHEDULE_TIMEZONE,
    )


def period_of_partition(grain: str, partition_key: str) -> Period:
    return Period.containing(grain, dt.date.fromisoformat(partition_key))


def _review_job(grain: str):
    config = dg.PartitionedConfig(
        partitions_def=period_partitions(grain),
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


roi_pipeline = dg.define_asset_job(
    PIPELINE_JOB_NAME,
    selection=dg.AssetSelection.all(),
    tags=WRITER_TAG,
    description="Validate and load the drop, build and test the models, check, publish.",
    executor_def=dg.in_process_executor,
)
review_jobs = {grain: _review_job(grain) for grain in GRAINS}
jobs = [roi_pipeline, *review_jobs.values()]
