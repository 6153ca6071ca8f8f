"""The settings of a pipeline deployment, as one typed, frozen object.

`roi run` and `roi backfill` build it from their flags over the environment
(`Settings.from_environment(...)` then `dataclasses.replace`); the Dagster code location the
UI and the daemon load (orchestration.code_location) builds it from the environment once.
Either way it is passed to `orchestration.definitions.build_definitions`: nothing reads the
environment to find the warehouse, the drop or the currency of a run after that, and
nothing writes os.environ to pass them on (README "Configuration" lists the variables).

The source choice (`files`, `api`, `ads=api,...`) is kept as given here: its connectors are
ingestion's, above this package; build_definitions checks it.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import RoiError
from .periods import DEFAULT_REPORT_GRAIN
from .settings import DEFAULT_REPORTING_CURRENCY, reporting_currency_code, warehouse_path
from .warehouse import PostgresWarehouse, Warehouse, resolve_warehouse

DEFAULT_DATA_DIR = Path("data") / "drop"
DEFAULT_SOURCE = "files"
DEFAULT_SCHEDULE_TIMEZONE = "UTC"
# A Monday, so that the first week is a whole ISO week.
DEFAULT_PARTITIONS_START = "2024-01-01"
DEFAULT_LOAD_RETRIES = 2
DEFAULT_LOAD_RETRY_DELAY_SECONDS = 60.0


@dataclass(frozen=True)
class Settings:
    """What the pipeline definitions need to know (README "Configuration").

    warehouse: the warehouse runs write (DuckDB file or PostgreSQL; its password, if any,
        stays in the environment: see WarehouseResource).
    data_dir: the file drop runs read.
    reporting_currency: an ISO-4217 code (checked here: it reaches dbt's SQL).
    source: where each family comes from (`roi run --source`).
    schedule_timezone, partitions_start: the schedules' time zone and the first period the
        review jobs offer.
    load_retries, load_retry_delay_seconds: the step retries of a live load.
    report_grain: the grain of the period an ad-hoc run reports on (review runs: their own).
    """

    warehouse: Warehouse
    data_dir: Path = DEFAULT_DATA_DIR
    reporting_currency: str = DEFAULT_REPORTING_CURRENCY
    source: str = DEFAULT_SOURCE
    schedule_timezone: str = DEFAULT_SCHEDULE_TIMEZONE
    partitions_start: str = DEFAULT_PARTITIONS_START
    load_retries: int = DEFAULT_LOAD_RETRIES
    load_retry_delay_seconds: float = DEFAULT_LOAD_RETRY_DELAY_SECONDS
    report_grain: str = DEFAULT_REPORT_GRAIN

    def __post_init__(self) -> None:
        if not isinstance(self.warehouse, Warehouse):
            raise TypeError(f"Settings.warehouse must be a Warehouse, got {self.warehouse!r}")
        object.__setattr__(self, "data_dir", Path(self.data_dir))
        # the code is pasted into dbt's SQL: only an ISO-4217 code gets in
        object.__setattr__(
            self, "reporting_currency", reporting_currency_code(self.reporting_currency)
        )
        try:
            ZoneInfo(self.schedule_timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise RoiError(
                f"schedule time zone (ROI_SCHEDULE_TIMEZONE) {self.schedule_timezone!r} is not "
                "a time zone: expected an IANA name such as UTC or Asia/Shanghai"
            ) from None
        try:
            dt.date.fromisoformat(self.partitions_start)
        except (TypeError, ValueError):
            raise RoiError(
                f"partitions start (ROI_PARTITIONS_START) {self.partitions_start!r} is not a "
                "date: expected YYYY-MM-DD"
            ) from None

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        """The settings of the variables in `environ` (README "Configuration"), with the
        documented defaults; a RoiError naming the variable when one is malformed."""
        warehouse = resolve_warehouse(environ=environ)
        if isinstance(warehouse, PostgresWarehouse) and warehouse.local_state is None:
            # its default state folder is beside the DuckDB default of *this* environment
            s = warehouse.settings
            root = warehouse_path(None, environ).parent
            warehouse = PostgresWarehouse(s, root / f"postgres-{s.host}-{s.port}-{s.database}")
        currency = reporting_currency_code(
            environ.get("ROI_REPORTING_CURRENCY") or DEFAULT_REPORTING_CURRENCY,
            setting="reporting currency (ROI_REPORTING_CURRENCY)",
        )
        return cls(
            warehouse=warehouse,
            data_dir=Path(environ.get("ROI_DATA_DIR") or DEFAULT_DATA_DIR),
            reporting_currency=currency,
            source=environ.get("ROI_SOURCE") or DEFAULT_SOURCE,
            schedule_timezone=environ.get("ROI_SCHEDULE_TIMEZONE") or DEFAULT_SCHEDULE_TIMEZONE,
            partitions_start=environ.get("ROI_PARTITIONS_START") or DEFAULT_PARTITIONS_START,
            load_retries=_number(environ, "ROI_LOAD_RETRIES", DEFAULT_LOAD_RETRIES, int),
            load_retry_delay_seconds=_number(
                environ, "ROI_LOAD_RETRY_DELAY_SECONDS", DEFAULT_LOAD_RETRY_DELAY_SECONDS, float
            ),
            report_grain=environ.get("ROI_REPORT_GRAIN", DEFAULT_REPORT_GRAIN),
        )


def _number(environ: Mapping[str, str], variable: str, default, kind):
    raw = environ.get(variable, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        value = -1
    if value < 0:
        raise RoiError(f"{variable} must be a number of 0 or more, got {raw!r}")
    return value
