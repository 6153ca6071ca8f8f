"""Validate and stage a drop's file inside DuckDB: streaming, in bounded memory (issue 17).

The fast path of `stage_drop`. DuckDB's CSV reader streams the file as text; one SQL query
types each row and says whether it holds ANY value the Python validator (validate.read_file)
might report or type differently, plus the hash of its key. Python writes the typed record
batches into the staged Parquet file as they come, stops at the first doubtful row, and
keeps the key hashes in a DuckDB table to find a key given twice. DuckDB runs with a memory
limit and spills to a folder under the staging folder, so memory stays bounded whatever the
file's size.

The rule that keeps it safe: the fast path only ever *declines*. Whenever DuckDB's reader
errors (a ragged row, invalid UTF-8, an unterminated quote), the file is unusual (a header
the Python path would reject, a quoted line break or a blank line, so that rows do not sit
one per line, a quote next to a blank, which DuckDB's reader skips and Arrow's does not) or
any value is one the SQL checks cannot vouch for exactly as Python would judge and type it,
the file goes to the Python path, whose verdict and messages count. The SQL checks are
deliberately narrower than Python's rules (every value they accept, Python accepts and
types to the same value): a '+5', a decimal with more than 9 places, a timestamp with more
than 6 fractional digits or an hour without minutes, a value ending in a non-space blank,
are left to Python.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..file_contract import SOURCE_FILE_COLUMN, SOURCE_LINE_COLUMN, Column, FileSpec
from ..typed_rows import ARROW_TYPES
from .validate import (
    DECIMAL_STORAGE_LIMIT,
    FIRST_DATA_LINE,
    Unreadable,
    check_header,
    read_header,
)

MEMORY_LIMIT = "1GB"
BATCH_ROWS = 1 << 18  # rows per record batch streamed from DuckDB into the Parquet writer


# Characters Python's strip (pandas/Arrow utf8_trim_whitespace) may remove and DuckDB's
# trim(v, ' ') does not: a value starting or ending with one goes to Python. A superset of
# Unicode's White_Space, plus every control character and the zero-width ones.
_WIDE_BLANKS = (0x1680, 0x180E, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF)


def _not_blank(code: str) -> str:
    """Whether the code point `code` is none of the characters Python's strip (pandas, Arrow's
    utf8_trim_whitespace) may remove and DuckDB's trim(v, ' ') keeps: a superset of Unicode's
    White_Space, with every control character and the zero-width spaces."""
    return (
        f"({code} BETWEEN 33 AND 126 OR ({code} > 160 AND {code} NOT IN "
        f"({', '.join(map(str, _WIDE_BLANKS))}) AND {code} NOT BETWEEN {0x2000} AND {0x200B}))"
    )


# What the fast path accepts of each kind: a strict subset of validate.py's patterns.
_DECIMAL = r"-?[0-9]{1,20}(?:\.[0-9]{1,9})?"  # exact in DECIMAL(38, 9): no rounding
_TIMESTAMP = (
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"(?:[T ](?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]{1,6})?)?"
    r"(?:Z|[+-](?:[01][0-9]|2[0-3]):?[0-5][0-9])?)?"
)
# pandas parses timestamps in nanoseconds: 1677-09-21 to 2262-04-11. Dates the fast path
# accepts stay well inside, whatever the offset.
_FIRST_DAY, _LAST_DAY = "1678-01-01", "2261-12-31"

_QUOTE = ord('"')
_NEXT_TO_QUOTE = np.zeros(256, dtype=bool)
_NEXT_TO_QUOTE[[ord(" "), ord("\t"), 0x0B, 0x0C, 0xA0]] = True


class InEngineStager:
    """One DuckDB connection for a drop's files; its spill folder lives under `staged_dir`
    and is removed on close."""

    def __init__(self, staged_dir: Path, memory_limit: str = MEMORY_LIMIT):
        self._spill = Path(tempfile.mkdtemp(prefix=".duckdb-spill-", dir=staged_dir))
        self._con = duckdb.connect(
            ":memory:",
            config={
                "memory_limit": memory_limit,
                "temp_directory": str(self._spill),
                "preserve_insertion_order": True,
            },
        )
        try:  # timestamps are cast to TIMESTAMPTZ in UTC (ICU's setting)
            self._con.execute("SET TimeZone = 'UTC'")
            self._usable = True
        except duckdb.Error:  # no ICU: leave every file to Python
            self._usable = False

    def __enter__(self) -> InEngineStager:
        return self

    def __exit__(self, *_) -> None:
        self.close()

    def close(self) -> None:
        self._con.close()
        shutil.rmtree(self._spill, ignore_errors=True)

    def stage(
        self,
        data_dir: Path,
        spec: FileSpec,
        target: Path | None,
        clean: Callable[[str, pa.Table], pa.Table] | None = None,
    ) -> tuple[int, int] | None:
        """Validate the file of `spec` in DuckDB; when it is clean, write its typed rows to
        `target` (if given, through `clean`) and return (rows validated, rows written: 0
        without a target). None: declined, the Python path must judge the file."""
        if not self._usable:
            return None
        path = Path(data_dir) / spec.file_name
        plan = _plan(path, spec)
        if plan is None:
            return None
        keys = self._con.cursor()
        try:
            staged = self._stream(path, plan, target, clean, keys)
        except duckdb.Error:  # DuckDB's reader or a cast refused the file
            staged = None
        except BaseException:
            if target is not None:
                target.unlink(missing_ok=True)
            raise
        finally:
            keys.close()
        if staged is None and target is not None:
            target.unlink(missing_ok=True)
        return staged

    def _stream(self, path, plan, target, clean, keys) -> tuple[int, int] | None:
        """One pass over the file: each batch's rows are checked (any doubtful value: None)
        and written to `target`; their key hashes go into a DuckDB table (spilled like the
        rest), checked for a key twice at the end."""
        spec = plan.spec
        schema = _schema(spec, plan)
        typed = len(schema) - 2  # the query's columns: the typed ones, then doubt and key
        keys.execute("CREATE TEMP TABLE key_hashes (h UBIGINT)")
        reader = self._con.sql(_output_sql(path, plan)).to_arrow_reader(BATCH_ROWS)
        writer = None if target is None else pq.ParquetWriter(target, schema)
        read = written = 0
        try:
            for batch in reader:
                if pc.any(batch.column(typed)).as_py():  # a value to leave to Python
                    return None
                keys.register("batch_keys", pa.table({"h": batch.column(typed + 1)}))
                keys.execute("INSERT INTO key_hashes SELECT h FROM batch_keys")
                keys.unregister("batch_keys")
                lines = np.arange(read, read + batch.num_rows, dtype=np.int64) + FIRST_DATA_LINE
                read += batch.num_rows
                if writer is None:
                    continue
                columns = [
                    *(batch.column(i).cast(schema.field(i).type) for i in range(typed)),
                    pa.repeat(pa.scalar(spec.file_name, pa.string()), batch.num_rows),
                    pa.array(lines, type=pa.int64()),
                ]
                table = pa.Table.from_arrays(columns, schema=schema)
                if clean is not None:
                    table = clean(spec.table, table)
                writer.write_table(table)
                written += table.num_rows
        finally:
            reader.close()
            if writer is not None:
                writer.close()
        if plan.lines != read + 1:  # not one row per line: Python recounts the lines
            return None
        # a key's hash twice: the key twice (or, rarely, two keys of one hash: Python decides)
        ((repeated,),) = keys.execute(
            "SELECT count(*) - count(DISTINCT h) FROM key_hashes"
        ).fetchall()
        return None if repeated else (read, written)


class _Plan:
    """What the fast path reads of one file of `spec`: its header (stripped names, in
    order: column c<i> is the i-th), the columns beyond the spec's and its line count."""

    def __init__(self, spec: FileSpec, names: list[str], lines: int):
        self.spec = spec
        self.names = names
        self.lines = lines
        self.extras = [name for name in names if name not in spec.column_names]

    def v(self, name: str) -> str:
        return f"v{self.names.index(name)}"


def _plan(path: Path, spec: FileSpec) -> _Plan | None:
    """The file's header and line count, or None when the file is one to leave to Python:
    missing, unreadable header, a header Python rejects, a required column missing, a quote
    next to a blank."""
    if not path.is_file():
        return None
    header = read_header(path)
    if not header:
        return None
    try:
        check_header(header, spec.file_name)
    except Unreadable:
        return None
    names = [name.strip() for name in header]
    if any(name not in names for name in spec.column_names):
        return None
    scanned = _scan(path)
    if scanned is None:
        return None
    return _Plan(spec, names, scanned)


def _scan(path: Path) -> int | None:
    """The file's line count (as validate._plain_lines counts them), or None when a double
    quote sits next to a blank (DuckDB's reader skips blanks around quotes; Arrow's and
    Python's do not)."""
    newlines, previous, pending_quote = 0, -1, False
    buffer = bytearray(1 << 22)
    with path.open("rb", buffering=0) as handle:
        while size := handle.readinto(buffer):
            chunk = np.frombuffer(buffer, dtype=np.uint8, count=size)
            newlines += int(np.count_nonzero(chunk == ord("\n")))
            if pending_quote and _NEXT_TO_QUOTE[chunk[0]]:
                return None
            quotes = np.flatnonzero(chunk == _QUOTE)  # most files have none
            if quotes.size:
                before, after = quotes[quotes > 0] - 1, quotes[quotes < size - 1] + 1
                if _NEXT_TO_QUOTE[chunk[before]].any() or _NEXT_TO_QUOTE[chunk[after]].any():
                    return None
                if quotes[0] == 0 and previous >= 0 and _NEXT_TO_QUOTE[previous]:
                    return None
            previous, pending_quote = int(chunk[-1]), chunk[-1] == _QUOTE
    if previous < 0:
        return 0
    return newlines + (previous != ord("\n"))


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _read_sql(path: Path, plan: _Plan) -> str:
    """The file as trimmed text: column c<i> for the header's i-th column ('' for empty)."""
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(plan.names)))
    values = ", ".join(f"trim(coalesce(c{i}, ''), ' ') AS v{i}" for i in range(len(plan.names)))
    return (
        f"SELECT {values} FROM read_csv({_literal(str(path))}, header = true, "
        f"columns = {{{columns}}}, auto_detect = false, delim = ',', quote = '\"', "
        "escape = '\"', strict_mode = true, null_padding = false, ignore_errors = false, "
        "encoding = 'utf-8')"
    )


def _in_list(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(_literal(value) for value in values) + ")"


def _ok_sql(v: str, column: Column | None) -> str:
    """Whether the non-empty value `v` of `column` (None: a column beyond the spec's) is one
    the fast path vouches for: Python accepts it and SQL types it as Python does."""
    if column is None or column.kind == "text":
        if column is not None and column.allowed is not None:
            return f"{v} IN ({', '.join(_literal(value) for value in column.allowed)})"
        # nothing at either end that Python's strip would remove and trim(v, ' ') kept
        return f"{_not_blank(f'unicode({v})')} AND {_not_blank(f'unicode(right({v}, 1))')}"
    kind = column.kind
    if kind == "boolean":  # ASCII only: no other character lowers to a letter of these
        return (
            f"strlen({v}) = length({v}) AND lower({v}) IN ('true', '1', 'yes', 'false', '0', 'no')"
        )
    if kind == "currency":
        return f"regexp_full_match({v}, '[A-Z]{{3}}')"
    days = f"BETWEEN DATE '{_FIRST_DAY}' AND DATE '{_LAST_DAY}'"
    if kind == "date":  # YYYY-MM-DD exactly: the date written back is the text
        return (
            f"coalesce(strftime(try_cast({v} AS DATE), '%Y-%m-%d') = {v} "
            f"AND try_cast({v} AS DATE) {days}, false)"
        )
    if kind == "timestamp":
        return (
            f"regexp_full_match({v}, {_literal(_TIMESTAMP)}) "
            f"AND coalesce(try_cast(left({v}, 10) AS DATE) {days}, false)"
        )
    if kind == "integer":  # canonical: no sign but '-', no leading zero, within 64 bits
        # and within 2^53: the Python path casts integers to float64 for its range check,
        # which Arrow refuses beyond that (read_file then fails): leave those to it
        number = f"try_cast({v} AS BIGINT)"
        checks = [f"CAST({number} AS VARCHAR) = {v}", f"abs({number}) <= {2**53}"]
    else:
        number = f"try_cast({v} AS DECIMAL(38, 9))"
        limit = column.max_magnitude
        if limit is None:
            limit = DECIMAL_STORAGE_LIMIT
        checks = [
            f"regexp_full_match({v}, {_literal(_DECIMAL)})",
            f"abs({number}) <= CAST('{limit}' AS DECIMAL(38, 9))",
        ]
    if column.min_value is not None:
        operator = ">" if column.min_exclusive else ">="
        checks.append(f"{number} {operator} {column.min_value}")
    if column.max_value is not None:
        checks.append(f"{number} <= {column.max_value}")
    return f"coalesce({' AND '.join(checks)}, false)"


def _bad_sql(plan: _Plan) -> str:
    """Whether a row holds a value the fast path cannot vouch for."""
    by_name = {column.name: column for column in plan.spec.columns}
    conditions, text = [], []
    for position, name in enumerate(plan.names):
        v, column = f"v{position}", by_name.get(name)
        if column is None or (column.kind == "text" and column.allowed is None):
            text.append(v)  # its ends: below
            if column is not None and column.required:
                conditions.append(f"{v} = ''")
        elif column.required:
            conditions.append(f"{v} = '' OR NOT ({_ok_sql(v, column)})")
        else:  # empty: NULL (false for a boolean), as Python types it
            conditions.append(f"({v} <> '' AND NOT ({_ok_sql(v, column)}))")
    if text:
        # free text is checked for blanks at its ends only in the rows that have a character
        # beyond printable ASCII (trim(v, ' ') has removed the spaces): one pass over a row
        # instead of two looks per value
        edges = " OR ".join(f"({v} <> '' AND NOT ({_ok_sql(v, None)}))" for v in text)
        row = f"concat_ws('', {', '.join(text)})"
        conditions.append(f"CASE WHEN regexp_matches({row}, '[^ -~]') THEN {edges} ELSE false END")
    return " OR ".join(conditions)


def _typed_sql(plan: _Plan, column: Column) -> str:
    """The typed value of `column`, as validate._typed_column gives it for a clean value."""
    v = plan.v(column.name)
    kind = column.kind
    if kind == "boolean":
        return f"lower({v}) IN ('true', '1', 'yes')"
    if kind in ("text", "currency"):
        return f"nullif({v}, '')"
    if kind == "date":
        return f"CAST(nullif({v}, '') AS DATE)"
    if kind == "integer":
        return f"CAST(nullif({v}, '') AS BIGINT)"
    if kind == "decimal":
        return f"CAST(nullif({v}, '') AS DECIMAL(38, 9))"
    # timestamp: DuckDB's TIMESTAMPTZ cast, in UTC, gives pandas' instant for every shape of
    # value _TIMESTAMP accepts (tests/ingestion/test_in_engine_validation.py tries them all)
    return f"CAST(nullif({v}, '') AS TIMESTAMPTZ)"


def _output_sql(path: Path, plan: _Plan) -> str:
    """The typed rows of the file, in the file's order (the caller adds the source file and
    line), then whether the row holds a value to leave to Python and the hash of its key."""
    typed = [
        f"{_typed_sql(plan, column)} AS {_identifier(column.name)}" for column in plan.spec.columns
    ]
    typed += [f"nullif({plan.v(name)}, '') AS {_identifier(name)}" for name in plan.extras]
    keys = ", ".join(plan.v(name) for name in plan.spec.key)
    typed += [f"coalesce({_bad_sql(plan)}, true) AS doubt", f"hash({keys}) AS key_hash"]
    return f"SELECT {', '.join(typed)} FROM ({_read_sql(path, plan)})"


def _schema(spec: FileSpec, plan: _Plan) -> pa.Schema:
    """The staged file's schema: validate.read_file's, field for field."""
    fields = [pa.field(column.name, ARROW_TYPES[column.kind]) for column in spec.columns]
    fields += [pa.field(name, pa.string()) for name in plan.extras]
    fields += [pa.field(SOURCE_FILE_COLUMN, pa.string()), pa.field(SOURCE_LINE_COLUMN, pa.int64())]
    return pa.schema(field.with_nullable(field.name not in spec.primary_key) for field in fields)
