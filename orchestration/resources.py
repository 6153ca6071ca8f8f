"""Resources: the warehouse a run writes and the file drop it reads."""

import tempfile
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import dlt
import duckdb

from roi.settings import DEFAULT_REPORTING_CURRENCY, state_dir, warehouse_path


class WarehouseResource(dg.ConfigurableResource):
    """The embedded DuckDB warehouse file and the reporting currency of its marts."""

    path: str
    reporting_currency: str = DEFAULT_REPORTING_CURRENCY

    @property
    def file(self) -> Path:
        return warehouse_path(self.path)

    @property
    def state_dir(self) -> Path:
        return state_dir(self.file)

    def staged_dir(self, run_id: str) -> Path:
        return self.state_dir / "staged" / run_id

    def dlt_pipeline(self, dataset: str, pipeline_prefix: str = "files") -> dlt.Pipeline:
        self.file.parent.mkdir(parents=True, exist_ok=True)
        return dlt.pipeline(
            pipeline_name=f"{pipeline_prefix}_{dataset}",
            destination=dlt.destinations.duckdb(credentials=str(self.file)),
            dataset_name=dataset,
            pipelines_dir=str(self.state_dir / "dlt"),
        )

    @contextmanager
    def connect(self, read_only: bool = False):
        # DuckDB allows one writing process per file: open late, close early.
        connection = duckdb.connect(str(self.file), read_only=read_only)
        try:
            yield connection
        finally:
            connection.close()


class FileDropResource(dg.ConfigurableResource):
    """The folder of a CSV file drop (CONTRACT section 2)."""

    data_dir: str


def definition_time_pipeline(dataset: str, pipeline_prefix: str = "files") -> dlt.Pipeline:
    """A pipeline for building asset definitions only; runs use WarehouseResource.dlt_pipeline."""
    return dlt.pipeline(
        pipeline_name=f"{pipeline_prefix}_{dataset}",
        destination="duckdb",
        dataset_name=dataset,
        pipelines_dir=str(Path(tempfile.gettempdir()) / "roi-dlt-definitions"),
    )
