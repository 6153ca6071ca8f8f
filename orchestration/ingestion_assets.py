"""Ingestion assets: validate and stage the file drop, then one dlt load per source family."""

import shutil
from pathlib import Path

import dagster as dg
from dagster_dlt import DagsterDltResource, DagsterDltTranslator, dlt_assets
from dagster_dlt.translator import DltResourceTranslatorData

from ingestion.api_sources import api_source
from ingestion.files import DATASETS, file_drop_source, stage_drop
from roi.progress import say

from .audit_trail import record_loads
from .resources import (
    FileDropResource,
    SourceSelection,
    WarehouseResource,
    definition_time_pipeline,
)

FILE_DROP_KEY = dg.AssetKey("file_drop")
# Staged Parquet of the last runs is kept to debug a load; older ones are removed.
KEEP_STAGED_DROPS = 5


def _remove_old_staged_drops(folder: Path, keep: int) -> None:
    if not folder.is_dir():
        return
    runs = sorted(folder.iterdir(), key=lambda path: path.stat().st_mtime, reverse=True)
    for old in runs[keep:]:
        shutil.rmtree(old, ignore_errors=True)


@dg.asset(
    key=FILE_DROP_KEY,
    group_name="ingestion",
    kinds={"csv"},
    description="The CSV file drop, validated as a whole and staged as typed Parquet. "
    "A malformed drop fails here, before anything is loaded.",
)
def file_drop(
    context: dg.AssetExecutionContext,
    drop: FileDropResource,
    warehouse: WarehouseResource,
    sources: SourceSelection,
) -> dg.MaterializeResult:
    families = sources.file_datasets()
    say(f"validating file drop {drop.data_dir} ({', '.join(families)})")
    staged = warehouse.staged_dir(context.run_id)
    _remove_old_staged_drops(staged.parent, keep=KEEP_STAGED_DROPS)
    counts = stage_drop(drop.data_dir, staged, progress=say, datasets=families)
    say(f"file drop valid: {sum(counts.values())} rows in {len(counts)} files")
    return dg.MaterializeResult(
        metadata={"data_dir": drop.data_dir, **{name: rows for name, rows in counts.items()}}
    )


class RawTableTranslator(DagsterDltTranslator):
    """Key each dlt table as [dataset, table]: the same key the dbt source gets."""

    def get_asset_spec(self, data: DltResourceTranslatorData) -> dg.AssetSpec:
        spec = super().get_asset_spec(data)
        return spec.replace_attributes(
            key=dg.AssetKey([data.pipeline.dataset_name, data.resource.name]),
            deps=[FILE_DROP_KEY],
            group_name="ingestion",
        )


def _file_load_assets(dataset: str) -> dg.AssetsDefinition:
    @dlt_assets(
        dlt_source=file_drop_source(dataset),
        dlt_pipeline=definition_time_pipeline(dataset),
        name=f"load_{dataset}",
        dagster_dlt_translator=RawTableTranslator(),
    )
    def _load(
        context: dg.AssetExecutionContext,
        dlt: DagsterDltResource,
        warehouse: WarehouseResource,
        sources: SourceSelection,
    ):
        origin = sources.source_for(dataset)
        if origin == "files":
            say(f"loading {dataset} from the file drop")
            source = file_drop_source(dataset, warehouse.staged_dir(context.run_id))
        else:
            say(f"loading {dataset} from the live {origin} connector")
            source = api_source(dataset, origin)
        # One dlt pipeline (and so one incremental state) per family and connector.
        pipeline = warehouse.dlt_pipeline(dataset, pipeline_prefix=origin)
        yield from dlt.run(context=context, dlt_source=source, dlt_pipeline=pipeline)
        trace = pipeline.last_trace
        record_loads(
            warehouse.file,
            context.run.run_id,
            source=origin,
            dataset=dataset,
            load_ids=trace.last_load_info.loads_ids,
            row_counts=trace.last_normalize_info.row_counts,
        )

    return _load


file_load_assets = [_file_load_assets(dataset) for dataset in DATASETS]
