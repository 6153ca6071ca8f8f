"""`roi docs`: the dbt docs (data dictionary and lineage) as one static HTML file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from foundation.errors import RoiError
from foundation.safe_html import write_dbt_docs_page
from foundation.settings import DBT_PROJECT_DIR, DEFAULT_REPORTING_CURRENCY, reporting_currency_code
from foundation.warehouse import Warehouse, as_warehouse


def build_docs(
    out_dir: Path,
    warehouse: Warehouse | Path,
    reporting_currency: str = DEFAULT_REPORTING_CURRENCY,
) -> Path:
    """Generate dbt docs against `warehouse` (a Warehouse or a DuckDB file's path) and write
    `out_dir/index.html` (opens offline)."""
    reporting_currency = reporting_currency_code(reporting_currency, setting="reporting currency")
    warehouse = as_warehouse(warehouse)
    if not warehouse.exists():
        raise RoiError(f"no warehouse at {warehouse}: run `roi run` or `roi demo` first")
    dbt = Path(sys.executable).parent / "dbt"
    with tempfile.TemporaryDirectory(prefix="roi-docs-") as target:
        result = subprocess.run(
            [
                str(dbt), "docs", "generate",
                "--project-dir", str(DBT_PROJECT_DIR),
                "--profiles-dir", str(DBT_PROJECT_DIR),
                "--target-path", target,
                "--target", warehouse.dbt_target,
                "--vars", json.dumps({"reporting_currency": reporting_currency}),
            ],
            env={**os.environ, **warehouse.dbt_env()},
            capture_output=True,
            text=True,
        )  # fmt: skip
        if result.returncode != 0:
            raise RoiError(f"dbt docs generate failed:\n{result.stdout[-3000:]}")
        # one file that opens offline, as --static writes it, but with the manifest and
        # catalog embedded script-safe and a Content-Security-Policy
        return write_dbt_docs_page(Path(target), out_dir / "index.html")
