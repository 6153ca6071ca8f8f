"""Schema drift in the raw tables: columns a source sends that the contract does not name.

A file may carry extra columns (docs/file-drop.md: kept in raw, ignored by the models) and a
live connector may start returning a new field (NetSuite: a column added to the cost query).
dlt adds such a column to its raw table. After each load, `new_columns` reads dlt's record
of the columns that load added and keeps those outside the raw table's contract shape;
`report_new_columns` says so in the run's output and appends them to audit.schema_changes,
where `roi run`'s summary and auditors find them: a source changed, and nobody has decided
yet what the new column means.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dlt.common.pipeline import LoadInfo

from foundation.progress import say
from foundation.warehouse import Warehouse
from ingestion.raw_tables import RAW_TABLES, SOURCE_FILE_COLUMN, SOURCE_LINE_COLUMN
from ingestion.typed_rows import HARD_DELETE_COLUMN

from .audit_store import record_schema_changes

# Columns every loader may add beside the contract's: file and line, an API's deletion flag.
LOADER_COLUMNS = frozenset({SOURCE_FILE_COLUMN, SOURCE_LINE_COLUMN, HARD_DELETE_COLUMN})


@dataclass(frozen=True, order=True)
class NewColumn:
    dataset: str
    table: str
    column: str
    data_type: str | None

    def __str__(self) -> str:
        return f"{self.dataset}.{self.table}.{self.column}"


def new_columns(load_info: LoadInfo | None, dataset: str) -> list[NewColumn]:
    """The columns this load added to raw tables of `dataset` beyond their contract shape."""
    found: set[NewColumn] = set()
    for package in load_info.load_packages if load_info else []:
        for table, update in (package.schema_update or {}).items():
            spec = RAW_TABLES.get((dataset, table))
            if spec is None:
                continue
            known = set(spec.column_names) | LOADER_COLUMNS
            for name, column in update.get("columns", {}).items():
                if name not in known and not name.startswith("_dlt"):
                    found.add(NewColumn(dataset, table, name, column.get("data_type")))
    return sorted(found)


def report_new_columns(
    warehouse: Warehouse | Path, run_id: str, source: str, columns: list[NewColumn]
) -> None:
    """Say which columns are new and append them to audit.schema_changes."""
    if not columns:
        return
    for table in sorted({(c.dataset, c.table) for c in columns}):
        names = ", ".join(c.column for c in columns if (c.dataset, c.table) == table)
        say(
            f"schema change: {'.'.join(table)} has new column(s) {names} from {source}: "
            "kept in raw, not read by the models"
        )
    record_schema_changes(
        warehouse, run_id, source, [(c.dataset, c.table, c.column, c.data_type) for c in columns]
    )
