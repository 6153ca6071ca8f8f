"""The one Definitions object: `dagster dev -m orchestration.definitions` loads it."""

import os

import dagster as dg
from dagster_dlt import DagsterDltResource

from foundation.settings import DEFAULT_REPORTING_CURRENCY, warehouse_path

from .audit_assets import lineage, quarantine, quarantine_checks, run_docs, source_freshness
from .dbt_assets import dbt_models
from .dbt_project import dbt_cli
from .ingestion_assets import file_drop, file_load_assets
from .jobs import jobs
from .publish import publish_marts
from .quality import suite_checks
from .report import roi_report
from .resources import FileDropResource, SourceSelection, WarehouseResource
from .schedules import schedules
from .sensors import sensors

# Resources read these at run time; the defaults make `dagster dev` work out of the box.
os.environ.setdefault("ROI_WAREHOUSE", str(warehouse_path()))
os.environ.setdefault("ROI_TARGET", "duckdb")
os.environ.setdefault("ROI_REPORTING_CURRENCY", DEFAULT_REPORTING_CURRENCY)
os.environ.setdefault("ROI_DATA_DIR", "data/drop")
os.environ.setdefault("ROI_SOURCE", "files")

defs = dg.Definitions(
    assets=[
        file_drop,
        *file_load_assets,
        dbt_models,
        quarantine,
        lineage,
        source_freshness,
        run_docs,
        publish_marts,
        roi_report,
    ],
    asset_checks=[*quarantine_checks, *suite_checks],
    jobs=jobs,
    schedules=schedules,
    sensors=sensors,
    resources={
        "warehouse": WarehouseResource(
            path=dg.EnvVar("ROI_WAREHOUSE"),
            target=dg.EnvVar("ROI_TARGET"),
            reporting_currency=dg.EnvVar("ROI_REPORTING_CURRENCY"),
        ),
        "drop": FileDropResource(data_dir=dg.EnvVar("ROI_DATA_DIR")),
        "sources": SourceSelection(choice=dg.EnvVar("ROI_SOURCE")),
        "dbt": dbt_cli(),
        "dlt": DagsterDltResource(),
    },
    executor=dg.in_process_executor,
)
