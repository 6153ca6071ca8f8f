"""Resources: the warehouse a run writes and the file drop it reads."""

import json
import os
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
    PG_VARIABLES,
    DuckDBWarehouse,
    PostgresSettings,
    PostgresWarehouse,
    SparkSettings,
    SparkWarehouse,
    Warehouse,
    choose_target,
)


class WarehouseResource(dg.ConfigurableResource):
    """The warehouse a run writes (foundation.warehouse: the DuckDB file, PostgreSQL when
    `target` is postgres, Spark's Thrift Server when it is spark) and the reporting currency
    of its marts.

    A run holds the warehouse's write lock (foundation.lock) from its first step to its last, so
    two runs never write the same warehouse at once; the second waits and says for whom.

    Every field is a plain value (`for_warehouse` fills them from a foundation.warehouse
    Warehouse): the Dagster UI shows them. A PostgreSQL password is not one of them: it is
    read from ROI_PG_PASSWORD in the environment of the process that runs the step.
    """

    path: str = ""
    target: str = "duckdb"
    reporting_currency: str = DEFAULT_REPORTING_CURRENCY
    # PostgreSQL (target postgres): the database, and the local state folder
    pg_host: str = PostgresSettings.host
    pg_port: int = PostgresSettings.port
    pg_user: str = PostgresSettings.user
    pg_database: str = PostgresSettings.database
    pg_state_dir: str = ""
    # Spark (target spark): the Thrift Server, the lake dlt writes the raw files to, and the
    # local state folder
    spark_host: str = SparkSettings.host
    spark_port: int = SparkSettings.port
    spark_user: str = SparkSettings.user
    spark_lake: str = ""
    spark_state_dir: str = ""
    _held: ExitStack = PrivateAttr(default_factory=ExitStack)

    @classmethod
    def for_warehouse(cls, warehouse: Warehouse, reporting_currency: str) -> "WarehouseResource":
        """The resource of `warehouse`, with concrete values (no environment variables)."""
        if isinstance(warehouse, PostgresWarehouse):
            s = warehouse.settings
            return cls(
                target="postgres",
                reporting_currency=reporting_currency,
                pg_host=s.host,
                pg_port=s.port,
                pg_user=s.user,
                pg_database=s.database,
                pg_state_dir=str(warehouse.state_dir),
            )
        if isinstance(warehouse, SparkWarehouse):
            s = warehouse.settings
            return cls(
                target="spark",
                reporting_currency=reporting_currency,
                spark_host=s.host,
                spark_port=s.port,
                spark_user=s.user,
                spark_lake=s.lake,
                spark_state_dir=str(warehouse.state_dir),
            )
        if isinstance(warehouse, DuckDBWarehouse):
            return cls(
                path=str(warehouse.file), target="duckdb", reporting_currency=reporting_currency
            )
        raise TypeError(f"no warehouse resource for {warehouse!r}")

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
        """The warehouse itself: DuckDB file (`path`), PostgreSQL (the pg_* fields, the
        password from ROI_PG_PASSWORD) or Spark (the spark_* fields)."""
        if self.target == "spark":
            settings = SparkSettings(
                host=self.spark_host,
                port=self.spark_port,
                user=self.spark_user,
                lake=self.spark_lake or SparkSettings.from_env().lake,
            )
            return SparkWarehouse(
                settings, Path(self.spark_state_dir) if self.spark_state_dir else None
            )
        if choose_target(self.target) == "postgres":
            password_variable, no_password = PG_VARIABLES["password"]
            settings = PostgresSettings(
                host=self.pg_host,
                port=self.pg_port,
                user=self.pg_user,
                password=os.environ.get(password_variable) or no_password,
                database=self.pg_database,
            )
            return PostgresWarehouse(
                settings, Path(self.pg_state_dir) if self.pg_state_dir else None
            )
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
        and freshness, since dbt re-parses the whole project (seconds) whenever they change.

        The vars also say where the warehouse is (dbt_project/profiles.yml reads them before
        the ROI_WAREHOUSE / ROI_PG_* variables): dbt reaches this warehouse without anyone
        writing os.environ. Never a password: dbt records its vars in run_results.json. They
        are the same on every run of one warehouse, and each warehouse has its own dbt
        target folder, so dbt's partial parse stays valid from run to run."""
        return ["--target", self.dbt_target, "--vars", json.dumps(self.dbt_vars())]

    def dbt_vars(self) -> dict[str, str | int]:
        return {"reporting_currency": self.reporting_currency_code(), **self.resolved.dbt_vars()}

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


def definition_time_pipeline(
    dataset: str, pipelines_dir: Path, pipeline_prefix: str = "files"
) -> dlt.Pipeline:
    """A pipeline for building asset definitions only; runs use WarehouseResource.dlt_pipeline.
    `pipelines_dir`: a folder of the caller's (build_definitions: a temporary folder of its
    own, removed once the definitions are built)."""
    return dlt.pipeline(
        pipeline_name=f"{pipeline_prefix}_{dataset}",
        destination="duckdb",
        dataset_name=dataset,
        pipelines_dir=str(pipelines_dir),
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
