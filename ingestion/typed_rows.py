"""Python rows -> an Arrow table typed exactly like the file drop's raw table.

Shared by every API connector (fxiaoke, netsuite, ecb_fx). API rows must reach dlt in the
same shape as the file loader's rows (`ingestion/files/validate.py`): Arrow tables with the
same column types, so dlt takes its Arrow path for both and the raw table keeps one column
set whichever loader created it. (Python dicts would make dlt add a NOT NULL `_dlt_id`
column, which DuckDB cannot add to a table the file loader already filled.)
"""

from __future__ import annotations

import decimal
import functools
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import dlt
import pyarrow as pa
from dlt.common.schema.utils import has_table_seen_data

from .file_contract import SOURCE_FILE_COLUMN, SOURCE_LINE_COLUMN, FileSpec
from .raw_tables import resource_hints

DECIMAL_TYPE = pa.decimal128(38, 9)
TIMESTAMP_TYPE = pa.timestamp("us", tz="UTC")
_NINE_PLACES = decimal.Decimal("1e-9")

ARROW_TYPES: dict[str, pa.DataType] = {
    "text": pa.string(),
    "currency": pa.string(),
    "date": pa.date32(),
    "timestamp": TIMESTAMP_TYPE,
    "decimal": DECIMAL_TYPE,
    "integer": pa.int64(),
    "boolean": pa.bool_(),
}

# Unversioned raw tables (activities, tickets) have no is_deleted column in the file drop. An
# API can still report such a record as deleted: the API loaders add this column with dlt's
# `hard_delete` hint, so a deleted record's row is removed from raw instead of counting.
HARD_DELETE_COLUMN = "is_deleted"


def arrow_schema(spec: FileSpec, extra: Mapping[str, pa.DataType] | None = None) -> pa.Schema:
    """The raw table's columns as an Arrow schema: key columns not nullable, as in the files."""
    fields = [
        pa.field(
            column.name, ARROW_TYPES[column.kind], nullable=column.name not in spec.primary_key
        )
        for column in spec.columns
    ]
    fields.append(pa.field(SOURCE_FILE_COLUMN, pa.string()))
    fields.append(pa.field(SOURCE_LINE_COLUMN, pa.int64()))
    for name, data_type in (extra or {}).items():
        fields.append(pa.field(name, data_type))
    return pa.schema(fields)


def _decimal(value: Any) -> decimal.Decimal | None:
    if value is None:
        return None
    if not isinstance(value, decimal.Decimal):
        value = decimal.Decimal(str(value))
    return value.quantize(_NINE_PLACES, rounding=decimal.ROUND_HALF_EVEN)


def rows_to_table(
    spec: FileSpec,
    rows: Iterable[Mapping[str, Any]],
    extra: Mapping[str, pa.DataType] | None = None,
) -> pa.Table:
    """Typed Arrow table of `rows` (dicts keyed by raw column name; missing keys are NULL)."""
    schema = arrow_schema(spec, extra)
    decimals = {f.name for f in schema if pa.types.is_decimal(f.type)}
    columns: dict[str, list[Any]] = {f.name: [] for f in schema}
    for row in rows:
        for name, values in columns.items():
            value = row.get(name)
            values.append(_decimal(value) if name in decimals else value)
    return pa.table({f.name: pa.array(columns[f.name], type=f.type) for f in schema}, schema=schema)


def api_resource_hints(spec: FileSpec) -> dict[str, Any]:
    """`resource_hints(spec)` plus, for tables without a version column, the hard-delete column."""
    hints = resource_hints(spec)
    if spec.version_column is None and HARD_DELETE_COLUMN not in spec.column_names:
        hints["columns"][HARD_DELETE_COLUMN] = {
            "data_type": "bool",
            "nullable": True,
            "hard_delete": True,
        }
    return hints


def hard_delete_extra(spec: FileSpec) -> dict[str, pa.DataType]:
    """The extra Arrow column `api_resource_hints` declares for `spec`, if any."""
    if spec.version_column is None and HARD_DELETE_COLUMN not in spec.column_names:
        return {HARD_DELETE_COLUMN: pa.bool_()}
    return {}


def empty_table_when_nothing_found(
    spec: FileSpec, extra: Mapping[str, pa.DataType] | None = None
) -> Callable[[Callable[..., Iterator[pa.Table]]], Callable[..., Iterator[pa.Table]]]:
    """Make a resource function that found no rows yield one empty table of its schema, as
    long as its raw table has never received data.

    dlt creates a table only for data it sees, so a first load (or a backfill of a quiet
    period) that finds nothing would leave the raw table missing and the staging models and
    checks reading it would fail. An empty Arrow table creates it with every column, as an
    empty file of a drop does. Once the table exists, an empty run loads nothing.
    """

    def decorate(function: Callable[..., Iterator[pa.Table]]) -> Callable[..., Iterator[pa.Table]]:
        @functools.wraps(function)
        def resource_rows(*args: Any, **kwargs: Any) -> Iterator[pa.Table]:
            found = False
            for table in function(*args, **kwargs):
                found = True
                yield table
            if not found and not _table_has_data(spec.table):
                yield rows_to_table(spec, [], extra)

        return resource_rows

    return decorate


def _table_has_data(table: str) -> bool:
    """Whether the running pipeline's schema says `table` has received data."""
    try:
        schema = dlt.current.source_schema()
    except Exception:  # no pipeline context (a resource iterated on its own)
        return False
    return table in schema.tables and has_table_seen_data(schema.tables[table])
