"""Where things live: the warehouse file, its run state, the dbt project."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from .errors import RoiError

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
DEFAULT_WAREHOUSE = Path("warehouse") / "roi.duckdb"
DEFAULT_REPORTING_CURRENCY = "USD"


def warehouse_path(
    explicit: str | Path | None = None, environ: Mapping[str, str] | None = None
) -> Path:
    """`--warehouse`, else $ROI_WAREHOUSE (of `environ`, default os.environ), else
    warehouse/roi.duckdb (README "Commands")."""
    environ = os.environ if environ is None else environ
    chosen = explicit or environ.get("ROI_WAREHOUSE") or DEFAULT_WAREHOUSE
    return Path(chosen).expanduser().resolve()


def state_dir(warehouse: Path) -> Path:
    """Run state kept beside the warehouse file: dlt pipeline state, staged drops, reports."""
    return warehouse.parent / f".{warehouse.name}.state"


_CURRENCY_CODE = re.compile(r"[A-Z]{3}")


@cache
def _iso_4217_codes() -> frozenset[str]:
    # CLDR's list (Babel): every current ISO-4217 code and the withdrawn ones, a superset of
    # any currency an FX feed (ECB, a drop's fx_rates.csv) can give rates for.
    from babel.numbers import list_currencies

    return frozenset(list_currencies())


def reporting_currency_code(value: object, *, setting: str = "--reporting-currency") -> str:
    """`value` as the ISO-4217 code the marts are reported in (`usd` -> `USD`); a RoiError
    naming `setting` otherwise. The code reaches dbt's SQL as a string literal, so nothing
    but three letters of a known currency gets through."""
    code = str(value).strip().upper()
    if not _CURRENCY_CODE.fullmatch(code):
        raise RoiError(
            f"{setting} {value!r} is not a currency code: expected an ISO-4217 code of three "
            "letters, e.g. USD, EUR or CNY"
        )
    if code not in _iso_4217_codes():
        raise RoiError(
            f"{setting} {value!r} is not an ISO-4217 currency code: expected a currency such "
            "as USD, EUR or CNY"
        )
    return code
