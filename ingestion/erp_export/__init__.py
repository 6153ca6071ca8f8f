"""The `erp_export` source: a scheduled ERP export drop (SAP or any ERP) into raw_erp.costs.

For companies whose ERP is not NetSuite: the ERP (or a finance script) drops cost exports in
the shape of the file drop's erp_costs.csv into a folder; every new or changed file is
validated like the file drop and lands in the same raw table as NetSuite's costs.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import dlt
import pyarrow as pa

from ..file_contract import FileSpec
from ..raw_tables import raw_table, resource_hints
from ..typed_rows import empty_table_when_nothing_found
from .helpers import ErpExportError, file_digest, read_export
from .settings import DEFAULT_PATTERNS

__all__ = ["DATASET", "ErpExportError", "erp_export_source"]

DATASET = "raw_erp"
STATE_FILES = "loaded_files"  # resource state key: file name -> sha256 of the loaded content


def export_files(folder: Path, patterns: Sequence[str]) -> list[Path]:
    if not folder.is_dir():
        raise ErpExportError(
            f"ERP export folder {folder} does not exist (sources.erp_export folder)"
        )
    found = {path for pattern in patterns for path in folder.glob(pattern) if path.is_file()}
    return sorted(found, key=lambda path: path.name)


def _costs_resource(folder: Path, patterns: Sequence[str], spec: FileSpec):
    @empty_table_when_nothing_found(spec)
    def costs() -> Iterator[pa.Table]:
        """raw_erp.costs from the ERP export folder. Write disposition: merge. Primary key:
        cost_id, posted_at. Cursor: none; the files already loaded (name and content hash)
        are remembered and skipped, a changed file is loaded again."""
        state = dlt.current.resource_state(spec.table)
        loaded: dict[str, str] = state.setdefault(STATE_FILES, {})
        for path in export_files(folder, patterns):
            digest = file_digest(path)
            if loaded.get(path.name) == digest:
                continue
            yield read_export(path, spec)
            loaded[path.name] = digest

    return dlt.resource(costs, **resource_hints(spec))


@dlt.source(name="erp_export", max_table_nesting=0)
def erp_export_source(
    folder: str = dlt.config.value,
    patterns: list[str] | None = None,
) -> Sequence[Any]:
    """ERP export files (erp_costs.csv shape; CSV, or Excel with openpyxl) -> raw_erp.costs.

    Config under `[sources.erp_export]`: folder (where the ERP drops its exports), patterns
    (file globs, default *.csv and *.xlsx).
    """
    return [
        _costs_resource(
            Path(folder), tuple(patterns or DEFAULT_PATTERNS), raw_table(DATASET, "costs")
        )
    ]
