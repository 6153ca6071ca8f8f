"""The Definitions of one deployment, built from its Settings: `build_definitions(settings)`.

`roi run` and `roi backfill` build them from their flags (roi.runner); the Dagster UI, the
daemon and the runs they launch load orchestration.code_location, which builds them from the
environment once. Importing this module builds nothing: the dbt manifest is parsed (if out of
date), the dlt pipelines that describe the raw tables are made, and dlt's runtime defaults
and the log redaction are installed (ingestion.configure_runtime) when build_definitions is
called.
"""

import tempfile
from pathlib import Path

import dagster as dg
from dagster_dlt import DagsterDltResource

from foundation.config import Settings
from foundation.errors import RoiError
from ingestion import configure_runtime

from .audit_assets import (
    build_lineage,
    build_quarantine_checks,
    quarantine,
    run_docs,
    source_freshness,
)
from .dbt_assets import build_dbt_models, mart_model_names
from .dbt_project import dbt_cli, ensure_manifest
from .ingestion_assets import build_file_load_assets, file_drop, load_retry_policy
from .jobs import build_jobs
from .publish import build_publish_marts
from .quality import build_suite_checks
from .report import build_roi_report
from .resources import FileDropResource, SourceSelection, WarehouseResource, parse_source_choice
from .schedules import build_schedules
from .sensors import build_sensors


def build_definitions(settings: Settings) -> dg.Definitions:
    """Every asset, check, job, schedule and sensor of the pipeline, with resources of the
    concrete values of `settings` (no environment variables: what a run reads is what the
    settings say). A RoiError if the source choice names no known connector."""
    try:
        parse_source_choice(settings.source)
    except ValueError as error:
        raise RoiError(str(error)) from None
    configure_runtime()
    manifest = ensure_manifest()
    mart_names = mart_model_names(manifest)
    # The dlt pipelines that describe the raw tables write working folders when made; they
    # are needed only while the asset specs are built (runs use the warehouse's pipelines),
    # so they live in a folder of this build, removed when it is done: no folder outlives
    # the process, and two builds (test workers, code servers) never share one.
    with tempfile.TemporaryDirectory(prefix="roi-dlt-definitions-") as pipelines_dir:
        file_load_assets = build_file_load_assets(
            load_retry_policy(settings.load_retries, settings.load_retry_delay_seconds),
            Path(pipelines_dir),
        )
    return dg.Definitions(
        assets=[
            file_drop,
            *file_load_assets,
            build_dbt_models(manifest),
            quarantine,
            build_lineage(mart_names),
            source_freshness,
            run_docs,
            build_publish_marts(mart_names),
            build_roi_report(mart_names, settings.report_grain),
        ],
        asset_checks=[*build_quarantine_checks(), *build_suite_checks()],
        jobs=build_jobs(settings),
        schedules=build_schedules(settings),
        sensors=build_sensors(settings.warehouse),
        resources={
            "warehouse": WarehouseResource.for_warehouse(
                settings.warehouse, settings.reporting_currency
            ),
            "drop": FileDropResource(data_dir=str(settings.data_dir)),
            "sources": SourceSelection(choice=settings.source),
            "dbt": dbt_cli(),
            "dlt": DagsterDltResource(),
        },
        executor=dg.in_process_executor,
    )
