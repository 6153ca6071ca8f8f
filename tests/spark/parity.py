"""Compare a relation of the DuckDB warehouse with its copy on Spark: the same columns in the
same order, types mapped (Spark's names for DuckDB's), and the same rows, value for value and
type for type, DOUBLEs to 1e-9 relative. The rows' order does not matter."""

from __future__ import annotations

import re

import pytest

# DuckDB's type names (information_schema.columns.data_type) as Spark's (DESCRIBE TABLE)
_SPARK_NAMES = {
    "VARCHAR": "string",
    "DOUBLE": "double",
    "BIGINT": "bigint",
    "INTEGER": "int",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "TIMESTAMP WITH TIME ZONE": "timestamp",
    "TIMESTAMP": "timestamp_ntz",
}
_DECIMAL = re.compile(r"DECIMAL\((\d+),\s*(\d+)\)")


def spark_type_of(duckdb_type: str) -> str:
    if match := _DECIMAL.fullmatch(duckdb_type):
        return f"decimal({match[1]},{match[2]})"
    return _SPARK_NAMES[duckdb_type]


def _sort_key(row: tuple) -> tuple:
    # DOUBLEs may differ in their last digits between engines: they sort by 9 significant
    # digits, and are compared to 1e-9 relative below
    return tuple(
        (value is None, f"{value:.9g}" if isinstance(value, float) else str(value)) for value in row
    )


def sorted_rows(con, relation: str, columns: list[str]) -> list[tuple]:
    quote = getattr(con, "quote", None) or (lambda name: f'"{name}"')  # a raw DuckDB connection
    quoted = ", ".join(quote(c) for c in columns)
    rows = con.execute(f"select {quoted} from {relation}").fetchall()
    return sorted(rows, key=_sort_key)


def same_value(got, expected) -> bool:
    if isinstance(expected, float) and isinstance(got, float):
        return got == pytest.approx(expected, rel=1e-9, abs=1e-12)
    return got == expected and type(got) is type(expected)


def duckdb_columns(duck, schema: str, table: str) -> list[tuple[str, str]]:
    return duck.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, table],
    ).fetchall()


def assert_same_relation(
    duck, spark, duck_relation: str, spark_relation: str, skip: tuple[str, ...] = ()
) -> int:
    """Assert that DuckDB's `duck_relation` and Spark's `spark_relation` hold the same columns
    (types mapped) and rows; return the number of rows."""
    schema, table = duck_relation.split(".")
    expected_columns = [(c, t) for c, t in duckdb_columns(duck, schema, table) if c not in skip]
    spark_schema, spark_table = spark_relation.split(".")
    described = spark.execute(f"describe table {spark_relation}").fetchall()
    got_columns = []
    for name, kind, *_ in described:
        if not name or name.startswith("#"):
            break
        if name not in skip:
            got_columns.append((name, kind.replace(" ", "")))
    assert got_columns == [(c, spark_type_of(t)) for c, t in expected_columns], spark_relation
    names = [c for c, _ in expected_columns]
    expected = sorted_rows(duck, duck_relation, names)
    got = sorted_rows(spark, spark_relation, names)
    assert len(got) == len(expected), spark_relation
    for row_got, row_expected in zip(got, expected, strict=True):
        assert all(same_value(g, e) for g, e in zip(row_got, row_expected, strict=True)), (
            spark_relation,
            names,
            row_got,
            row_expected,
        )
    return len(expected)
