"""`roi export`: the published marts as Parquet or CSV files with a schema file, for BI tools.

Every table of the published `marts` schema becomes `<table>.parquet` or `<table>.csv`, read
in one snapshot of a read-only connection. From PostgreSQL the marts are first copied, with
their types, in one repeatable-read transaction into an in-memory DuckDB, and the files are
written from there by the same code, so both engines give the same files. `schema.json`
describes the export (tables, row counts, files, column types with a portable type,
nullability, English description and Chinese label from the dbt manifest, the warehouse's
last run) and `schema.md` shows the same as one table per mart. Files are written into a
temporary folder beside the output folder and only moved in once all of them are complete,
so a failed export leaves the output folder as it was.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from foundation.errors import RoiError
from foundation.private import create_private, make_file_private, make_private
from foundation.warehouse import (
    Connection,
    DuckDBWarehouse,
    Warehouse,
    as_warehouse,
    has_table,
    table_names,
)

PUBLISHED_SCHEMA = "marts"
FORMATS = ("parquet", "csv")
SCHEMA_JSON = "schema.json"
SCHEMA_MD = "schema.md"
# CSV dialect, stated in schema.json so a BI tool can be set up from it.
CSV_TIMESTAMP_TZ_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
CSV_TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%f"
CSV_DIALECT = {
    "encoding": "utf-8",
    "delimiter": ",",
    "quote": '"',
    "header": True,
    "null": 'empty field (an empty string is written as "")',
    "decimal_separator": ".",
    "date_format": "YYYY-MM-DD",
    "timestamp_format": "YYYY-MM-DDTHH:MM:SS.ffffff, with Z (UTC) for timestamps with time zone",
    "boolean": "true / false",
    "quoting": "every text field is in double quotes (a quote inside is doubled), and so is "
    "the header name of a text column; numbers, dates, timestamps and booleans never are",
    "formula_guard": "a text value that starts with = + - @ TAB or CR, or with ' characters "
    "followed by one of these, is written with one more ' in front, so that a spreadsheet "
    "shows it as text instead of running it as a formula (OWASP: CSV injection); to read "
    "such a value back, drop its first '",
}
# OWASP's defence against CSV injection: a spreadsheet runs a cell starting with = + - @
# (or TAB / CR before one) as a formula, and shows one starting with ' as text. Values that
# already start with ' before such a character get one more ', so dropping one ' from
# every guarded value gives the value back.
FORMULA_GUARD = "'"
_FORMULA_START = r"^'*[=+\-@\t\r]"

_INTEGER_TYPES = {
    "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT",
    "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT",
}  # fmt: skip
_DOUBLE_TYPES = {"DOUBLE", "FLOAT", "REAL"}
_DECIMAL = re.compile(r"(?:DECIMAL|NUMERIC)\((\d+),\s*(\d+)\)")


def portable_type(duckdb_type: str) -> str:
    """The DuckDB type as one of string, integer, decimal(p,s), double, boolean, date,
    timestamp (types without a portable counterpart are exported as their text: string)."""
    upper = duckdb_type.upper().strip()
    if match := _DECIMAL.fullmatch(upper):
        return f"decimal({match[1]},{match[2]})"
    if upper in _INTEGER_TYPES:
        return "integer"
    if upper in _DOUBLE_TYPES:
        return "double"
    if upper == "BOOLEAN":
        return "boolean"
    if upper == "DATE":
        return "date"
    if upper.startswith("TIMESTAMP"):
        return "timestamp"
    return "string"


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _csv_select(table: str, columns: list[tuple[str, str]]) -> str:
    """The query a CSV file is written from: timestamps as ISO-8601 text (UTC for those with
    a time zone, whatever the session's time zone), text guarded against formulas
    (CSV_DIALECT's formula_guard), everything else in DuckDB's own text."""
    parts = []
    for name, duckdb_type in columns:
        upper = duckdb_type.upper()
        if portable_type(duckdb_type) == "string":
            text = f"cast({_quote(name)} as varchar)"
            expression = (
                f"case when regexp_matches({text}, {_sql_string(_FORMULA_START)}) "
                f"then {_sql_string(FORMULA_GUARD)} || {text} else {text} end"
            )
        elif upper in ("TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ"):
            expression = (
                f"strftime(timezone('UTC', {_quote(name)}), {_sql_string(CSV_TIMESTAMP_TZ_FORMAT)})"
            )
        elif upper.startswith("TIMESTAMP"):
            expression = f"strftime({_quote(name)}::timestamp, {_sql_string(CSV_TIMESTAMP_FORMAT)})"
        else:
            parts.append(_quote(name))
            continue
        parts.append(f"{expression} as {_quote(name)}")
    return f"select {', '.join(parts)} from {PUBLISHED_SCHEMA}.{_quote(table)}"


def default_manifest() -> Path:
    """The dbt manifest (dbt_project/target/manifest.json), parsed again when missing or
    older than the models."""
    from orchestration.dbt_project import ensure_manifest

    try:
        return ensure_manifest()
    except RuntimeError as error:
        raise RoiError(f"cannot read the column descriptions from dbt: {error}") from error


def _not_null_columns(manifest: dict, node_id: str) -> set[str]:
    """Columns that cannot hold NULL in a published mart: a not_null constraint, or a not_null
    test of severity error (publishing happens only when every such test passed)."""
    node = manifest["nodes"].get(node_id) or {}
    columns = {
        name
        for name, column in (node.get("columns") or {}).items()
        if any(c.get("type") == "not_null" for c in column.get("constraints") or [])
    }
    for constraint in node.get("constraints") or []:
        if constraint.get("type") == "not_null":
            columns.update(constraint.get("columns") or [])
    for test in manifest["nodes"].values():
        if (
            test.get("resource_type") == "test"
            and test.get("attached_node") == node_id
            and (test.get("test_metadata") or {}).get("name") == "not_null"
            and str((test.get("config") or {}).get("severity", "")).lower() == "error"
            and not (test.get("config") or {}).get("where")
            and test.get("column_name")
        ):
            columns.add(test["column_name"])
    return columns


def _label_zh(entry: dict) -> str | None:
    meta = entry.get("meta") or (entry.get("config") or {}).get("meta") or {}
    return meta.get("label_zh")


def _last_runs(con: Connection) -> dict[str, Any]:
    if not has_table(con, "audit", "runs"):
        return {"last_run_id": None, "last_run_status": None, "last_successful_run_id": None}
    last = con.execute(
        "select run_id, status from audit.runs order by started_at desc nulls last limit 1"
    ).fetchone()
    success = con.execute(
        "select run_id from audit.runs where status = 'success' "
        "order by started_at desc nulls last limit 1"
    ).fetchone()
    return {
        "last_run_id": last[0] if last else None,
        "last_run_status": last[1] if last else None,
        "last_successful_run_id": success[0] if success else None,
    }


def _open(warehouse: Path) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error as error:
        raise RoiError(
            f"cannot open {warehouse} read-only: {error}\n(DuckDB allows readers only while "
            "no process writes the file: if a run is writing, export when it has finished)"
        ) from error


# PostgreSQL column types (information_schema.columns.data_type) as the DuckDB types of
# the snapshot the files are written from; numeric gets its precision and scale.
_PG_TYPES = {
    "smallint": "SMALLINT",
    "integer": "INTEGER",
    "bigint": "BIGINT",
    "double precision": "DOUBLE",
    "real": "FLOAT",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "timestamp with time zone": "TIMESTAMP WITH TIME ZONE",
    "timestamp without time zone": "TIMESTAMP",
    "character varying": "VARCHAR",
    "text": "VARCHAR",
}


def _duckdb_type_of(data_type: str, precision: int | None, scale: int | None) -> str:
    if data_type == "numeric":
        # an unconstrained numeric has no fixed scale: DOUBLE is its nearest portable type
        return f"DECIMAL({precision},{scale})" if precision else "DOUBLE"
    return _PG_TYPES.get(data_type, "VARCHAR")


# Spark column types (DESCRIBE TABLE) as DuckDB types. Spark's TIMESTAMP is an instant (it
# shows in the session's zone, UTC here), DuckDB's TIMESTAMP WITH TIME ZONE; TIMESTAMP_NTZ
# is a wall-clock time, DuckDB's TIMESTAMP.
_SPARK_TYPES = {
    "tinyint": "SMALLINT",
    "smallint": "SMALLINT",
    "int": "INTEGER",
    "bigint": "BIGINT",
    "double": "DOUBLE",
    "float": "FLOAT",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "timestamp": "TIMESTAMP WITH TIME ZONE",
    "timestamp_ntz": "TIMESTAMP",
    "string": "VARCHAR",
}
_SPARK_DECIMAL = re.compile(r"decimal\((\d+),\s*(\d+)\)")


def _duckdb_type_of_spark(data_type: str) -> str:
    if match := _SPARK_DECIMAL.fullmatch(data_type.strip().lower()):
        return f"DECIMAL({match[1]},{match[2]})"
    return _SPARK_TYPES.get(data_type.strip().lower(), "VARCHAR")


def _server_columns(source: Connection, dialect: str, name: str) -> list[tuple[str, str]]:
    """(column, DuckDB type) of the published mart `name` on a server warehouse."""
    if dialect == "spark":
        described = source.execute(f"describe table {PUBLISHED_SCHEMA}.{name}").fetchall()
        return [
            (column, _duckdb_type_of_spark(kind))
            for column, kind, *_ in described
            if column and not column.startswith("#")
        ]
    columns = source.execute(
        "select column_name, data_type, numeric_precision, numeric_scale "
        "from information_schema.columns where table_catalog = current_database() "
        "and table_schema = ? and table_name = ? order by ordinal_position",
        [PUBLISHED_SCHEMA, name],
    ).fetchall()
    return [(column, _duckdb_type_of(t, p, sc)) for column, t, p, sc in columns]


@contextmanager
def _consistent_read(source: Connection, dialect: str) -> Iterator[Any]:
    """What to select each published mart from so that all come from one state: PostgreSQL,
    one repeatable-read transaction; Spark, which has none, the versions of the last publish
    (orchestration.publish keeps them unchanged while `marts` views switch to a newer one)."""
    if dialect == "spark":
        from orchestration.publish import version_table
        from orchestration.unchanged import last_published_run

        last = last_published_run(source)

        def spark_relation(name: str) -> str:
            if last is not None:
                version = version_table(name, last)
                if has_table(source, *version.split(".", 1)):
                    return version
            return f"{PUBLISHED_SCHEMA}.{_quote(name)}"

        yield spark_relation
        return
    source.execute("begin isolation level repeatable read read only")
    try:
        yield lambda name: f"{PUBLISHED_SCHEMA}.{_quote(name)}"
    finally:
        source.execute("rollback")


def _arrow_column(values: list, duckdb_type: str):
    import pyarrow as pa

    arrow_types = {
        "SMALLINT": pa.int16(),
        "INTEGER": pa.int32(),
        "BIGINT": pa.int64(),
        "DOUBLE": pa.float64(),
        "FLOAT": pa.float32(),
        "BOOLEAN": pa.bool_(),
        "DATE": pa.date32(),
        "TIMESTAMP WITH TIME ZONE": pa.timestamp("us", tz="UTC"),
        "TIMESTAMP": pa.timestamp("us"),
    }
    if match := _DECIMAL.fullmatch(duckdb_type):
        return pa.array(values, pa.decimal128(int(match[1]), int(match[2])))
    if duckdb_type == "DOUBLE":
        values = [None if v is None else float(v) for v in values]
    if duckdb_type in arrow_types:
        return pa.array(values, arrow_types[duckdb_type])
    return pa.array([None if v is None else str(v) for v in values], pa.string())


@contextmanager
def _snapshot(warehouse: Warehouse) -> Iterator[tuple[duckdb.DuckDBPyConnection, dict]]:
    """A DuckDB connection holding one consistent snapshot of the published marts, and the
    last runs of audit.runs. DuckDB: the file itself, read-only, in one transaction.
    PostgreSQL and Spark: the marts copied, with their types, into an in-memory DuckDB (from
    one consistent read: _consistent_read), so every engine writes the same files."""
    if isinstance(warehouse, DuckDBWarehouse):
        with _open(warehouse.file) as con:
            con.execute("begin transaction")
            _published_tables(con, warehouse)
            yield con, _last_runs(con)
        return
    import pyarrow as pa

    with warehouse.connect(read_only=True) as source, duckdb.connect() as con:
        with _consistent_read(source, warehouse.dialect) as relation:
            runs = _last_runs(source)
            con.execute(f"create schema {PUBLISHED_SCHEMA}")
            for name in _published_tables(source, warehouse):
                columns = _server_columns(source, warehouse.dialect, name)
                rows = source.execute(f"select * from {relation(name)}").fetchall()
                table = pa.table(
                    {
                        column: _arrow_column([row[i] for row in rows], duckdb_type)
                        for i, (column, duckdb_type) in enumerate(columns)
                    }
                )
                definitions = ", ".join(
                    f"{_quote(column)} {duckdb_type}" for column, duckdb_type in columns
                )
                con.execute(f"create table {PUBLISHED_SCHEMA}.{_quote(name)} ({definitions})")
                con.register("snapshot_rows", table)
                con.execute(
                    f"insert into {PUBLISHED_SCHEMA}.{_quote(name)} select * from snapshot_rows"
                )
                con.unregister("snapshot_rows")
        yield con, runs


def _published_tables(con: Connection, warehouse: Warehouse) -> list[str]:
    tables = table_names(con, PUBLISHED_SCHEMA)
    if not tables:
        raise RoiError(
            f"{warehouse} has no published marts (schema {PUBLISHED_SCHEMA} is missing or "
            "empty): a run publishes them once every blocking check has passed"
        )
    for name in tables:
        if name.startswith(".") or "/" in name or os.sep in name:
            raise RoiError(f"cannot export table {PUBLISHED_SCHEMA}.{name}: not a file name")
    return tables


def export_marts(
    warehouse: Warehouse | Path, out_dir: Path, fmt: str, *, manifest: Path | None = None
) -> list[Path]:
    """Write every table of the published `marts` schema to `out_dir` as `<table>.<fmt>`,
    plus schema.json and schema.md; return the paths written (tables first).

    `warehouse`: a foundation.warehouse.Warehouse or a DuckDB file's path. `manifest` is the dbt
    manifest the descriptions come from (default: the project's, parsed again if stale).
    Nothing in `out_dir` changes unless every file was written.
    """
    if fmt not in FORMATS:
        raise RoiError(f"unknown export format {fmt!r}: choose one of {', '.join(FORMATS)}")
    warehouse = as_warehouse(warehouse)
    out_dir = Path(out_dir).expanduser().resolve()
    if isinstance(warehouse, DuckDBWarehouse) and not warehouse.file.is_file():
        raise RoiError(f"no warehouse at {warehouse}: run `roi run` or `roi demo` first")
    if out_dir.exists() and not out_dir.is_dir():
        raise RoiError(f"--out {out_dir} is a file, not a folder")
    if isinstance(warehouse, DuckDBWarehouse):
        with _open(warehouse.file) as con:
            _published_tables(con, warehouse)  # fail fast, before the slower dbt manifest
    else:
        with warehouse.connect(read_only=True) as con:
            _published_tables(con, warehouse)
    # Read with no connection open: while a process reads the file, none can write it.
    manifest_data = json.loads(Path(manifest or default_manifest()).read_text(encoding="utf-8"))
    project = manifest_data["metadata"]["project_name"]
    # One snapshot: every file comes from the same state of the warehouse.
    with _snapshot(warehouse) as (con, runs):
        tables = _published_tables(con, warehouse)
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.export-", dir=out_dir.parent))
        try:
            described = []
            for name in tables:
                columns = con.execute(
                    "select column_name, data_type, is_nullable = 'YES' "
                    "from information_schema.columns where table_catalog = current_database() "
                    "and table_schema = ? and table_name = ? order by ordinal_position",
                    [PUBLISHED_SCHEMA, name],
                ).fetchall()
                file_name = f"{name}.{fmt}"
                target = _sql_string(str(staging / file_name))
                if fmt == "parquet":
                    query = f"select * from {PUBLISHED_SCHEMA}.{_quote(name)}"
                    options = "(format parquet)"
                else:
                    query = _csv_select(name, [(c, t) for c, t, _ in columns])
                    text_columns = [
                        _quote(c) for c, t, _ in columns if portable_type(t) == "string"
                    ]
                    force_quote = (
                        f", force_quote ({', '.join(text_columns)})" if text_columns else ""
                    )
                    options = (
                        f"(format csv, header true, delimiter ',', quote '\"', nullstr ''"
                        f"{force_quote})"
                    )
                con.execute(f"copy ({query}) to {target} {options}")
                rows = con.execute(
                    f"select count(*) from {PUBLISHED_SCHEMA}.{_quote(name)}"
                ).fetchone()[0]
                described.append(
                    _describe_table(manifest_data, project, name, file_name, rows, columns)
                )
            document = {
                "format": fmt,
                "exported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "warehouse": warehouse.label,
                "schema": PUBLISHED_SCHEMA,
                **runs,
                "dbt_project": project,
                **({"csv": CSV_DIALECT} if fmt == "csv" else {}),
                "tables": described,
            }
            (staging / SCHEMA_JSON).write_text(
                json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
            )
            (staging / SCHEMA_MD).write_text(schema_markdown(document), encoding="utf-8")
            return _move_in(staging, out_dir, [t["file"] for t in described])
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def _describe_table(
    manifest: dict,
    project: str,
    name: str,
    file_name: str,
    rows: int,
    columns: list[tuple[str, str, bool]],
) -> dict[str, Any]:
    node_id = f"model.{project}.{name}"
    node = manifest["nodes"].get(node_id) or {}
    documented = node.get("columns") or {}
    not_null = _not_null_columns(manifest, node_id)
    return {
        "name": name,
        "file": file_name,
        "rows": rows,
        "description": node.get("description") or None,
        "label_zh": _label_zh(node) if node else None,
        "columns": [
            {
                "name": column,
                "type": portable_type(duckdb_type),
                "duckdb_type": duckdb_type,
                "nullable": bool(nullable) and column not in not_null,
                "description": (documented.get(column) or {}).get("description") or None,
                "label_zh": _label_zh(documented.get(column) or {}),
            }
            for column, duckdb_type, nullable in columns
        ],
    }


def _previous_files(out_dir: Path) -> set[str]:
    """The data files the previous export into out_dir listed (only those are ever removed)."""
    try:
        previous = json.loads((out_dir / SCHEMA_JSON).read_text(encoding="utf-8"))
        names = {str(t["file"]) for t in previous.get("tables", [])}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return set()
    return {
        n
        for n in names
        if Path(n).name == n and not n.startswith(".") and Path(n).suffix[1:] in FORMATS
    }


def _move_in(staging: Path, out_dir: Path, data_files: list[str]) -> list[Path]:
    """Replace the files of out_dir by the complete ones in staging: data files first,
    schema.json last; then drop the data files of a previous export that are gone now.
    Every file is the user's only (0600); so is out_dir when roi creates it, or when it
    holds an earlier export (a folder shared on purpose keeps its mode)."""
    if (out_dir / SCHEMA_JSON).is_file():
        make_private(out_dir)
    else:
        create_private(out_dir)
    stale = _previous_files(out_dir) - set(data_files)
    written = []
    for name in [*data_files, SCHEMA_MD, SCHEMA_JSON]:
        make_file_private(staging / name)
        os.replace(staging / name, out_dir / name)
        written.append(out_dir / name)
    for name in stale:
        (out_dir / name).unlink(missing_ok=True)
    return written


def _cell(text: Any) -> str:
    if text is None:
        return ""
    return " ".join(str(text).split()).replace("|", "\\|")


def schema_markdown(document: dict[str, Any]) -> str:
    """schema.json for people: one section and column table per mart."""
    lines = [
        f"# Marts export ({document['format']})",
        "",
        f"Exported {document['exported_at']} from `{document['warehouse']}` "
        f"(schema `{document['schema']}`); last run `{document['last_run_id'] or '-'}` "
        f"({document['last_run_status'] or '-'}), last successful run "
        f"`{document['last_successful_run_id'] or '-'}`. The same content, machine-readable: "
        f"`{SCHEMA_JSON}`.",
    ]
    if "csv" in document:
        lines += [
            "",
            "CSV: UTF-8, comma-separated, header row; NULL is an empty field and an empty "
            'text is `""`. Text fields are always in double quotes, numbers never. **Formula '
            "guard** (OWASP, CSV injection): a text value that starts with `=`, `+`, `-`, "
            "`@`, TAB or CR (or with `'` characters followed by one of these) is written with "
            "one more `'` in front, so that Excel, LibreOffice or Google Sheets show it as "
            "text instead of running it as a formula. To read such a value back, drop its "
            "first `'`. The Parquet export has no guard: its values are exact.",
        ]
    for table in document["tables"]:
        title = table["name"] + (f" ({table['label_zh']})" if table["label_zh"] else "")
        lines += [
            "",
            f"## {title}",
            "",
            f"File `{table['file']}`, {table['rows']} rows.",
            "",
            _cell(table["description"]) or "(no description)",
            "",
            "| column | 中文 | type | DuckDB type | nullable | description |",
            "|---|---|---|---|---|---|",
        ]
        lines += [
            f"| `{c['name']}` | {_cell(c['label_zh'])} | {c['type']} | {c['duckdb_type']} "
            f"| {'yes' if c['nullable'] else 'no'} | {_cell(c['description'])} |"
            for c in table["columns"]
        ]
    return "\n".join(lines) + "\n"
