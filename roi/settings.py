"""Where things live: the warehouse file, its run state, the dbt project."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
DEFAULT_WAREHOUSE = Path("warehouse") / "roi.duckdb"
DEFAULT_REPORTING_CURRENCY = "USD"


def warehouse_path(explicit: str | Path | None = None) -> Path:
    """`--warehouse`, else $ROI_WAREHOUSE, else warehouse/roi.duckdb (CONTRACT section 1)."""
    chosen = explicit or os.environ.get("ROI_WAREHOUSE") or DEFAULT_WAREHOUSE
    return Path(chosen).expanduser().resolve()


def state_dir(warehouse: Path) -> Path:
    """Run state kept beside the warehouse file: dlt pipeline state, staged drops, reports."""
    return warehouse.parent / f".{warehouse.name}.state"
