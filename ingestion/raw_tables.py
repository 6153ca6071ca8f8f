"""The raw tables every loader lands in, whatever the source (file drop or live API).

A raw table's columns, types and merge key are declared once, in the file drop's
settings (docs/file-drop.md defines the files); API sources land rows of the same shape
into the same tables, so every dbt model downstream works unchanged.
"""

from __future__ import annotations

from typing import Any

from .file_contract import FILE_SPECS, SOURCE_FILE_COLUMN, SOURCE_LINE_COLUMN, FileSpec

__all__ = ["RAW_TABLES", "SOURCE_FILE_COLUMN", "SOURCE_LINE_COLUMN", "raw_table", "resource_hints"]

RAW_TABLES: dict[tuple[str, str], FileSpec] = {(s.dataset, s.table): s for s in FILE_SPECS}

_DLT_TYPES: dict[str, dict[str, Any]] = {
    "text": {"data_type": "text"},
    "currency": {"data_type": "text"},
    "date": {"data_type": "date"},
    "timestamp": {"data_type": "timestamp", "timezone": True, "precision": 6},
    "decimal": {"data_type": "decimal", "precision": 38, "scale": 9},
    "integer": {"data_type": "bigint"},
    "boolean": {"data_type": "bool"},
}


def raw_table(dataset: str, table: str) -> FileSpec:
    try:
        return RAW_TABLES[(dataset, table)]
    except KeyError:
        known = ", ".join(f"{d}.{t}" for d, t in RAW_TABLES)
        raise ValueError(f"unknown raw table {dataset}.{table}; known: {known}") from None


def resource_hints(spec: FileSpec) -> dict[str, Any]:
    """Keyword arguments for `dlt.resource` that land rows in `spec`'s raw table.

    Explicit column types make dlt create the table even when a load has no rows (a
    header-only file, an API with nothing new), so the dbt sources always exist; `merge`
    on the raw primary key makes every reload idempotent.
    """
    columns = {
        column.name: {**_DLT_TYPES[column.kind], "nullable": column.name not in spec.primary_key}
        for column in spec.columns
    }
    columns[SOURCE_FILE_COLUMN] = {"data_type": "text", "nullable": True}
    columns[SOURCE_LINE_COLUMN] = {"data_type": "bigint", "nullable": True}
    return {
        "name": spec.table,
        "table_name": spec.table,
        "write_disposition": "merge",
        "primary_key": list(spec.primary_key),
        "columns": columns,
    }
