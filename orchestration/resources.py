"""Resources: the warehouse a run writes and the file drop it reads."""

import atexit
import json
import shutil
import tempfile
from contextlib import ExitStack
from pathlib import Path

import dagster as dg
import dlt
from pydantic import PrivateAttr

from foundation.lock import warehouse_lock
from foundation.private import exposed_secrets_warnings, make_private
from foundation.progress import say
from foundation.settings import DEFAULT_REPORTING_CURRENCY, reporting_currency_code, warehouse_path
from foundation.warehouse import (
    DuckDBWarehouse,
    PostgresWarehouse,
    Warehouse,
    choose_target,
)


class WarehouseResource(dg.ConfigurableResource):
    """The warehouse a run writes (foundation.warehouse: the DuckDB file, or PostgreSQL when
    `target` is postgres) and the reporting currency of its marts.

    A run holds the warehouse's write lock (foundation.lock) from its first step to its last, so
    two runs never write the same warehouse at once; the second waits and says for whom.
    """

    path: str
    target: str = "duckdb"
    reporting_currency: str = DEFAULT_REPORTING_CURRENCY
    _held: ExitStack = PrivateAttr(default_factory=ExitStack)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        def warn(message: str) -> None:
            say(message)
            context.log.warning(message)

        # a run the daemon launched was given ROI_REPORTING_CURRENCY unchecked: refuse a bad
        # code before the first step (`roi run` has refused it before starting the run)
        self.reporting_currency_code()
        # whoever started the run (roi, the daemon, the webserver): its state stays private
        make_private(self.state_dir)
        run_id = context.run_id or "unknown"
        self._held.enter_context(warehouse_lock(self.resolved, run_id, on_wait=warn))
        for warning in exposed_secrets_warnings():
            warn(warning)

    def reporting_currency_code(self) -> str:
        """The reporting currency as an ISO-4217 code; a RoiError if it is not one."""
        return reporting_currency_code(
            self.reporting_currency, setting="reporting currency (ROI_REPORTING_CURRENCY)"
        )

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        self._held.close()

    @property
    def resolved(self) -> Warehouse:
        """The warehouse itself: DuckDB file (`path`) or PostgreSQL (ROI_PG_* variables)."""
        if choose_target(self.target) == "postgres":
            return PostgresWarehouse.from_env()
        return DuckDBWarehouse(warehouse_path(self.path))

    @property
    def file(self) -> Path:
        """The DuckDB file (DuckDB warehouses only)."""
        warehouse = self.resolved
        if not isinstance(warehouse, DuckDBWarehouse):
            raise TypeError(f"the warehouse {warehouse.label} is not a DuckDB file")
        return warehouse.file

    @property
    def dialect(self) -> str:
        return self.resolved.dialect

    @property
    def dbt_target(self) -> str:
        return self.resolved.dbt_target

    @property
    def state_dir(self) -> Path:
        return self.resolved.state_dir

    @property
    def dbt_target_dir(self) -> Path:
        """dbt's target folder for this warehouse: its partial parse stays valid between
        runs, and runs on two warehouses never overwrite each other's manifest."""
        return self.state_dir / "dbt_target"

    def dbt_args(self) -> list[str]:
        """The `--target` and `--vars` of every dbt command of a run. Identical on build, docs
        and freshness, since dbt re-parses the whole project (seconds) whenever they change."""
        vars_ = json.dumps({"reporting_currency": self.reporting_currency_code()})
        return ["--target", self.dbt_target, "--vars", vars_]

    def run_docs_dir(self, run_id: str) -> Path:
        """Static HTML kept per run for auditors: dbt docs and Great Expectations Data Docs."""
        return self.state_dir / "docs" / run_id

    def staged_dir(self, run_id: str) -> Path:
        return self.state_dir / "staged" / run_id

    def dlt_pipeline(self, dataset: str, pipeline_prefix: str = "files") -> dlt.Pipeline:
        warehouse = self.resolved
        return dlt.pipeline(
            pipeline_name=f"{pipeline_prefix}_{dataset}",
            destination=warehouse.dlt_destination(),
            dataset_name=dataset,
            pipelines_dir=str(warehouse.state_dir / "dlt"),
        )

    def connect(self, read_only: bool = False):
        """A warehouse connection (foundation.warehouse): `?` placeholders on both engines."""
        return self.resolved.connect(read_only=read_only)


class FileDropResource(dg.ConfigurableResource):
    """The folder of a CSV file drop (docs/file-drop.md)."""

    data_dir: str


# Per process, so parallel test workers or code servers never share pipeline working dirs.
_DEFINITION_PIPELINES_DIR = tempfile.mkdtemp(prefix="roi-dlt-definitions-")
atexit.register(shutil.rmtree, _DEFINITION_PIPELINES_DIR, ignore_errors=True)


def definition_time_pipeline(dataset: str, pipeline_prefix: str = "files") -> dlt.Pipeline:
    """A pipeline for building asset definitions only; runs use WarehouseResource.dlt_pipeline."""
    return dlt.pipeline(
        pipeline_name=f"{pipeline_prefix}_{dataset}",
        destination="duckdb",
        dataset_name=dataset,
        pipelines_dir=_DEFINITION_PIPELINES_DIR,
    )


FAMILIES = {"ads": "raw_ads", "crm": "raw_crm", "erp": "raw_erp", "fx": "raw_fx"}


def parse_source_choice(spec: str) -> dict[str, str]:
    """Where each family comes from: {dataset: 'files' or a live connector's name}.

    `spec` is `files`, `api` (every family's default live connector: ad_platforms, fxiaoke,
    netsuite, ecb_fx), or per family: `ads=api,crm=fxiaoke,erp=erp_export,fx=files`.
    Families not named come from files. Project master data (raw_reference) always comes
    from the drop's projects.csv.
    """
    from ingestion.api_sources import CONNECTORS, default_connector

    spec = spec.strip().lower()
    choice = {dataset: "files" for dataset in (*FAMILIES.values(), "raw_reference")}
    if spec in ("", "files"):
        return choice
    if spec == "api":
        return {d: default_connector(d) if d in CONNECTORS else "files" for d in choice}
    for part in spec.split(","):
        family, _, source = part.partition("=")
        family, source = family.strip(), source.strip()
        dataset = FAMILIES.get(family)
        connectors = CONNECTORS.get(dataset, {})
        if dataset is None or source not in ("files", "api", *connectors):
            raise ValueError(
                f"bad source choice {part!r}: expected files, api, or family=source with "
                f"family one of {', '.join(FAMILIES)} and source files, api or a connector ("
                + ", ".join(f"{f}: {', '.join(CONNECTORS[d])}" for f, d in FAMILIES.items())
                + ")"
            )
        choice[dataset] = default_connector(dataset) if source == "api" else source
    return choice


class SourceSelection(dg.ConfigurableResource):
    """Where each source family comes from in this run (see parse_source_choice)."""

    choice: str = "files"

    def source_for(self, dataset: str) -> str:
        return parse_source_choice(self.choice)[dataset]

    def file_datasets(self) -> list[str]:
        return [d for d, source in parse_source_choice(self.choice).items() if source == "files"]
