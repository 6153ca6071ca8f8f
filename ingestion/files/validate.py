"""Validate a whole file drop and turn each file into a typed Arrow table.

Every check is vectorised (a drop at scale 50 has millions of values), and every problem
is kept with its file, line, key and column, so the user sees exactly what to fix. The
drop is rejected as a whole when anything is malformed: nothing is loaded half-way.
"""

from __future__ import annotations

import codecs
import csv
import decimal
import io
import re
from collections.abc import Callable, Collection, Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
from dlt.common.normalizers.naming.snake_case import NamingConvention

from foundation.errors import DropRejected, Problem

from ..file_contract import (
    FILE_SPECS,
    SOURCE_FILE_COLUMN,
    SOURCE_LINE_COLUMN,
    Column,
    FileSpec,
)

DECIMAL_TYPE = pa.decimal128(38, 9)
TIMESTAMP_TYPE = pa.timestamp("us", tz="UTC")
FIRST_DATA_LINE = 2  # line 1 is the header

_DECIMAL_PATTERN = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)"
_INTEGER_PATTERN = r"[+-]?\d+"
_DATE_PATTERN = r"\d{4}-\d{2}-\d{2}"
_TIMESTAMP_PATTERN = (
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?(?:Z|[+-]\d{2}:?\d{2})?"
)
_CURRENCY_PATTERN = r"[A-Z]{3}"
_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no", ""}

_EXPECTED = {
    "decimal": "a decimal number such as 1234.56",
    "integer": "a whole number",
    "date": "a date YYYY-MM-DD",
    "timestamp": "an ISO-8601 timestamp such as 2026-03-31T18:00:00+08:00",
    "currency": "a three-letter ISO-4217 currency code such as USD",
    "boolean": "true or false",
}


class _FileProblems:
    """Collects the problems of one file, with the key of each bad row for context.

    `lines` holds the physical line on which each row starts in the file (what an editor
    shows): a quoted value spanning lines or a blank line makes it differ from the row's
    position."""

    def __init__(self, spec: FileSpec, frame: pd.DataFrame, lines: np.ndarray):
        self.spec = spec
        self.frame = frame
        self.lines = lines
        self.problems: list[Problem] = []

    def key_text(self, row: int) -> str | None:
        parts = [
            f"{name}={self.frame.at[row, name]}"
            for name in self.spec.key
            if name in self.frame.columns and self.frame.at[row, name] != ""
        ]
        return ", ".join(parts) or None

    def add_rows(self, mask: np.ndarray, column: str, message: str) -> None:
        for row in np.flatnonzero(mask):
            self.problems.append(
                Problem(
                    file=self.spec.file_name,
                    line=int(self.lines[row]),
                    key=self.key_text(int(row)),
                    column=column,
                    value=str(self.frame.at[int(row), column]),
                    message=message,
                )
            )


def read_drop(
    data_dir: Path,
    progress: Callable[[str], None] | None = None,
    datasets: Collection[str] | None = None,
) -> dict[str, pa.Table]:
    """Read and validate every file of the drop; raise DropRejected listing all problems.

    `datasets` limits the drop to the files of those source families (the others come
    from live APIs in this run); None means all ten files.
    """
    problems: list[Problem] = []
    tables: dict[str, pa.Table] = {}
    for spec, table, file_problems in iter_drop(data_dir, progress, datasets):
        problems.extend(file_problems)
        if table is not None:
            tables[spec.file_name] = table
    if problems:
        raise DropRejected.of(str(data_dir), problems)
    return tables


def iter_drop(
    data_dir: Path,
    progress: Callable[[str], None] | None = None,
    datasets: Collection[str] | None = None,
) -> Iterator[tuple[FileSpec, pa.Table | None, list[Problem]]]:
    """Validate the drop one file at a time: (spec, typed table or None, its problems).

    The caller decides what a problem means; only one file's table is in memory at a time
    if the caller does not keep them (read_drop keeps them; stage_drop writes and drops them).
    """
    for spec in drop_specs(data_dir, datasets):
        table, file_problems = read_file(data_dir, spec)
        if table is not None and progress and not file_problems:
            progress(f"validated {spec.file_name}: {table.num_rows} rows")
        yield spec, table, file_problems


def drop_specs(data_dir: Path, datasets: Collection[str] | None = None) -> list[FileSpec]:
    """The files of the drop to validate (all ten, or those of `datasets`); DropRejected if
    the drop folder does not exist."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise DropRejected.of(
            str(data_dir), [Problem(file=str(data_dir), message="the drop folder does not exist")]
        )
    return [spec for spec in FILE_SPECS if datasets is None or spec.dataset in datasets]


def read_file(data_dir: Path, spec: FileSpec) -> tuple[pa.Table | None, list[Problem]]:
    """Validate one file of `spec`'s shape: the typed table, or None and its problems."""
    path = data_dir / spec.file_name
    if not path.is_file():
        return None, [Problem(file=spec.file_name, message="required file is missing")]
    try:
        read = _read_plain_csv(path, spec.file_name) or _read_irregular_csv(path, spec.file_name)
    except Unreadable as unreadable:
        return None, unreadable.problems
    frame, lines = read

    frame.columns = [str(name).strip() for name in frame.columns]
    missing = [name for name in spec.column_names if name not in frame.columns]
    if missing:
        return None, [
            Problem(file=spec.file_name, column=name, message="required column is missing")
            for name in missing
        ]
    frame = frame.apply(lambda column: column.str.strip()).reset_index(drop=True)

    found = _FileProblems(spec, frame, lines)
    arrays: dict[str, pa.Array] = {}
    for column in spec.columns:
        arrays[column.name] = _typed_column(frame[column.name], column, found)
    _check_keys(found)

    for extra in (name for name in frame.columns if name not in spec.column_names):
        values = frame[extra]
        arrays[extra] = pa.array(values.where(values != "", None), type=pa.string())
    arrays[SOURCE_FILE_COLUMN] = pa.array([spec.file_name] * len(frame), type=pa.string())
    arrays[SOURCE_LINE_COLUMN] = pa.array(lines, type=pa.int64())
    if found.problems:
        return None, found.problems
    table = pa.table(arrays)
    # Keys can never be null; saying so keeps Arrow's schema equal to dlt's column hints.
    schema = pa.schema(
        field.with_nullable(field.name not in spec.primary_key) for field in table.schema
    )
    return table.cast(schema), []


class Unreadable(Exception):
    """A file that cannot be read as a table of the header's columns, and why."""

    def __init__(self, problems: list[Problem]):
        super().__init__(problems)
        self.problems = problems


_TEXT = pd.StringDtype("pyarrow", na_value=np.nan)  # what pd.read_csv(dtype=str) gives
# What Arrow raises when it declines a file or a cast (invalid input, an unsupported case):
# a slower path (Python's CSV reader, pandas' to_numeric) then takes over and names the
# problem, if there is one.
_ARROW_DECLINED = pa.ArrowException


def read_header(path: Path) -> list[str] | None:
    """The first record of the CSV file `path` (a BOM left out); None when it is not UTF-8
    or not CSV, or the file is empty."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return next(csv.reader(handle), None)
    except (UnicodeDecodeError, csv.Error):
        return None


def _read_plain_csv(path: Path, file_name: str) -> tuple[pd.DataFrame, np.ndarray] | None:
    """The file as text columns and the line of each row, read by Arrow's multi-threaded CSV
    reader (about three times faster than pandas on a large drop); None when the file is
    anything but plain (no header, a row whose field count differs from the header's,
    invalid UTF-8): _read_irregular_csv then reads it and names the problem."""
    header = read_header(path)
    if not header:
        return None
    check_header(header, file_name)
    try:
        table = pa_csv.read_csv(
            path,
            parse_options=pa_csv.ParseOptions(newlines_in_values=True),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(header, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except _ARROW_DECLINED:
        return None
    if table.column_names != header:
        return None
    lines = _plain_lines(path, table.num_rows)
    if lines is None:
        return None
    return table.to_pandas(types_mapper={pa.string(): _TEXT}.get), lines


def _plain_lines(path: Path, rows: int) -> np.ndarray | None:
    """The line on which each of the `rows` data rows starts. In the common file (one line
    per row, no blank line) row i is on line i + 2, which counting newlines confirms at
    memory speed; only files with quoted line breaks or blank lines are parsed again."""
    newlines, last_byte = 0, ord("\n")
    buffer = bytearray(1 << 22)
    with path.open("rb", buffering=0) as handle:
        while size := handle.readinto(buffer):
            chunk = np.frombuffer(buffer, dtype=np.uint8, count=size)
            newlines += int(np.count_nonzero(chunk == ord("\n")))
            last_byte = int(chunk[-1])
    if newlines + (last_byte != ord("\n")) == rows + 1:
        return np.arange(FIRST_DATA_LINE, rows + FIRST_DATA_LINE, dtype=np.int64)
    starts = [line for line, _ in _records(path.read_text(encoding="utf-8-sig"), path.name)]
    if len(starts) != rows + 1:  # the two parsers disagree: let the careful one decide
        return None
    return np.array(starts[1:], dtype=np.int64)


def _records(text: str, file_name: str) -> Iterator[tuple[int, list[str]]]:
    """(the line it starts on, fields) of each record of a CSV text, header first, blank
    lines skipped as Arrow's reader does. A line ends at LF, CR LF or CR, as in editors."""
    reader = csv.reader(io.StringIO(text, newline=""))
    line = 1
    try:
        for fields in reader:
            if fields:
                yield line, fields
            line = reader.line_num + 1
    except csv.Error as error:
        raise Unreadable(
            [Problem(file=file_name, line=line, message=f"is not a valid CSV file: {error}")]
        ) from None


def _read_irregular_csv(path: Path, file_name: str) -> tuple[pd.DataFrame, np.ndarray]:
    """What Arrow declined, read by Python's CSV reader: the problem that made Arrow decline
    (raised as Unreadable, located by line), else the file as text columns and lines."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise Unreadable([_encoding_problem(file_name, data, error)]) from None
    header: list[str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    ragged: list[Problem] = []
    for line, fields in _records(text, file_name):
        if header is None:
            header = fields
            check_header(header, file_name)
        elif len(fields) != len(header):
            ragged.append(_ragged_row(file_name, line, fields, header))
        elif not ragged:  # once a row is ragged, the file is rejected: keep no more rows
            rows.append(fields)
            lines.append(line)
    if header is None:
        raise Unreadable([Problem(file=file_name, message="is empty: the header row is missing")])
    if ragged:
        # the fields of a ragged row sit under the wrong columns: checking them would only
        # report misleading column errors
        raise Unreadable(ragged)
    columns = [pa.array(values, type=pa.string()) for values in zip(*rows, strict=True)]
    if not rows:
        columns = [pa.array([], type=pa.string()) for _ in header]
    frame = pa.Table.from_arrays(columns, names=header).to_pandas(
        types_mapper={pa.string(): _TEXT}.get
    )
    return frame, np.array(lines, dtype=np.int64)


def check_header(header: list[str], file_name: str) -> None:
    """Every column must land in raw under a name of its own. dlt turns names into snake_case
    (`Campaign Name` -> campaign_name): a column named twice would land as `spend_1`, which no
    model reads; two names that become one fail the load after validation; a nameless
    column or one named like the loader's own columns cannot land at all."""
    problems: list[Problem] = []
    by_raw_name: dict[str, list[tuple[int, str]]] = {}
    for position, name in enumerate(header, start=1):
        name = name.strip()
        if not name:
            problems.append(
                Problem(
                    file=file_name,
                    line=1,
                    message=f"column {position} of the header has no name "
                    "(a comma at the end of the header?): name it or remove it",
                )
            )
            continue
        raw_name = _RAW_NAMING.normalize_identifier(name)
        if raw_name in _LOADER_COLUMNS or raw_name.startswith("_dlt"):
            problems.append(
                Problem(
                    file=file_name,
                    line=1,
                    column=name,
                    message="is a column the loader adds to every raw row: rename it",
                )
            )
            continue
        by_raw_name.setdefault(raw_name, []).append((position, name))
    for raw_name, columns in by_raw_name.items():
        if len(columns) == 1:
            continue
        positions = ", ".join(str(position) for position, _ in columns)
        (_, first), (_, last) = columns[0], columns[-1]
        if first == last:
            message = f"column appears more than once in the header (columns {positions})"
            message += ": keep one"
        else:
            message = f"lands in raw as {raw_name}, as column {first} does (columns {positions})"
            message += ": rename one"
        problems.append(Problem(file=file_name, line=1, column=last, message=message))
    if problems:
        raise Unreadable(problems)


def _ragged_row(file_name: str, line: int, fields: list[str], header: list[str]) -> Problem:
    message = f"row has {len(fields)} fields, the header {len(header)}"
    if len(fields) == len(header) + 1 and fields[-1] == "":
        message += " (a comma at the end of the row?)"
    return Problem(file=file_name, line=line, message=message)


# dlt's default naming convention, which the loader uses for every raw column name
_RAW_NAMING = NamingConvention()
_LOADER_COLUMNS = {SOURCE_FILE_COLUMN, SOURCE_LINE_COLUMN}

_LINE_BREAK = re.compile(rb"\r\n|\r|\n")


def _encoding_problem(file_name: str, data: bytes, error: UnicodeDecodeError) -> Problem:
    """Where the first byte that is not UTF-8 is: line, byte of the line, byte of the file."""
    offset = error.start + (len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0)
    breaks = list(_LINE_BREAK.finditer(data, 0, offset))
    line_start = breaks[-1].end() if breaks else 0
    return Problem(
        file=file_name,
        line=len(breaks) + 1,
        message=f"byte {offset - line_start + 1} of the line (byte {offset + 1} of the file, "
        f"0x{data[offset]:02X}) is not valid UTF-8: save the file as UTF-8 "
        "(in Excel: CSV UTF-8), not in a local encoding such as Windows-1252 or GBK",
    )


def _typed_column(values: pd.Series, column: Column, found: _FileProblems) -> pa.Array | None:
    empty = (values == "").to_numpy()
    if column.required:
        found.add_rows(empty, column.name, "a value is required")
    kind = column.kind
    if kind == "text":
        if column.allowed is not None:
            bad = ~empty & ~values.isin(column.allowed).to_numpy()
            found.add_rows(bad, column.name, "must be one of " + ", ".join(column.allowed))
        return pa.array(values.where(~empty, None), type=pa.string())
    if kind == "boolean":
        lowered = values.str.lower()
        bad = ~lowered.isin(_TRUE | _FALSE).to_numpy()
        found.add_rows(bad, column.name, f"must be {_EXPECTED['boolean']} (empty means false)")
        return pa.array(lowered.isin(_TRUE).to_numpy(), type=pa.bool_())

    pattern = {
        "decimal": _DECIMAL_PATTERN,
        "integer": _INTEGER_PATTERN,
        "date": _DATE_PATTERN,
        "timestamp": _TIMESTAMP_PATTERN,
        "currency": _CURRENCY_PATTERN,
    }[kind]
    malformed = ~empty & ~values.str.fullmatch(pattern).to_numpy()
    present = values.where(~empty & ~malformed, None)

    if kind in ("date", "timestamp"):
        if kind == "date":
            parsed = pd.to_datetime(present, format="%Y-%m-%d", errors="coerce")
        else:
            parsed = pd.to_datetime(present, format="ISO8601", utc=True, errors="coerce")
        malformed |= ~empty & parsed.isna().to_numpy()
        found.add_rows(malformed, column.name, f"is not {_EXPECTED[kind]}")
        if kind == "date":
            return pa.array(parsed.dt.date.where(parsed.notna(), None), type=pa.date32())
        return pa.array(parsed.dt.as_unit("us"), type=TIMESTAMP_TYPE)

    found.add_rows(malformed, column.name, f"is not {_EXPECTED[kind]}")
    if kind == "currency":
        return pa.array(present, type=pa.string())
    texts = pa.array(present, type=pa.string())
    if kind == "integer":
        integers = _cast_or_none(texts, pa.int64())
        if integers is None:  # '+5', or beyond 64 bits: Python's integers, value by value
            numbers = [None if text is None else _int64_or_none(text) for text in present]
            too_large = np.array([n is None for n in numbers]) & present.notna().to_numpy()
            found.add_rows(too_large, column.name, f"must be at most {_INT64_MAX:,}")
            _check_range(pd.Series(numbers, dtype="Float64"), column, found)
            return pa.array(numbers, type=pa.int64())
        _check_range(_floats(integers), column, found)
        return integers
    floats = _cast_or_none(texts, pa.float64())
    numbers = pd.to_numeric(present, errors="coerce") if floats is None else _floats(floats)
    _check_range(numbers, column, found)
    too_large = _beyond_magnitude(numbers, present, column)
    if too_large.any():
        found.add_rows(too_large, column.name, _beyond_message(column))
        texts = pa.array(present.where(~too_large, None), type=pa.string())
    return _decimals(texts)


_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
# The largest value raw's DECIMAL(38, 9) holds: 29 digits before the point, 9 after.
DECIMAL_STORAGE_LIMIT = decimal.Decimal("9" * 29 + "." + "9" * 9)


def _int64_or_none(text: str) -> int | None:
    """The whole number `text`, None beyond 64 bits (checked on the digits first: Python
    refuses to parse more than 4,300 of them)."""
    if len(text.lstrip("+-").lstrip("0")) > len(str(_INT64_MAX)):
        return None
    number = int(text)
    return number if _INT64_MIN <= number <= _INT64_MAX else None


def _beyond_magnitude(numbers: pd.Series, texts: pd.Series, column: Column) -> np.ndarray:
    """Which values are larger in absolute value than the column's max_magnitude (or than
    raw can store), compared exactly: a float cannot tell 1e13 from 1e13 + 1e-9, so only
    values whose float is near the limit are compared again as decimals."""
    limit = _magnitude_limit(column)
    floats = numbers.to_numpy(dtype=float, na_value=np.nan)
    near = ~np.isnan(floats) & (np.abs(floats) >= float(limit) * (1 - 1e-6))
    beyond = np.zeros(len(floats), dtype=bool)
    for row in np.flatnonzero(near):
        beyond[row] = decimal.Decimal(texts.iat[row]).copy_abs() > limit
    return beyond


def _magnitude_limit(column: Column) -> decimal.Decimal:
    if column.max_magnitude is None:
        return DECIMAL_STORAGE_LIMIT
    return decimal.Decimal(column.max_magnitude)


def _beyond_message(column: Column) -> str:
    if column.max_magnitude is None:
        return "does not fit the warehouse's DECIMAL(38, 9): at most 29 digits before the point"
    return (
        f"must be at most {column.max_magnitude:,} in absolute value, the largest the "
        "warehouse's FX conversion and sums can carry"
    )


def _cast_or_none(texts: pa.Array, data_type: pa.DataType) -> pa.Array | None:
    """`texts` (each matching its kind's pattern, or null) cast by Arrow, vectorised; None if
    Arrow refuses one of them (pandas then parses the column, value by value)."""
    try:
        return texts.cast(data_type)
    except _ARROW_DECLINED:
        return None


def _floats(numbers: pa.Array) -> pd.Series:
    # For the range checks only: a whole number beyond 2^53 becomes its nearest double
    # (Arrow's safe cast refuses it), which is on the same side of every bound (bounds are
    # small), while the typed column keeps the exact value.
    return pd.Series(numbers.cast(pa.float64(), safe=False).to_numpy(zero_copy_only=False))


def _decimals(texts: pa.Array) -> pa.Array:
    # Arrow's cast wraps a value beyond DECIMAL(38, 9) around without an error (31 ones became
    # 90264010348295720720987288815.695365632): _beyond_magnitude has removed those.
    try:
        return texts.cast(DECIMAL_TYPE)
    except pa.ArrowInvalid:
        # Some value has more than 9 decimal places: round those half-even, one by one (with
        # the 38 digits of the type: the default context keeps 28).
        nine_places = decimal.Decimal("1e-9")
        context = decimal.Context(prec=38, rounding=decimal.ROUND_HALF_EVEN)
        return pa.array(
            [
                None
                if text is None
                else decimal.Decimal(text).quantize(nine_places, context=context)
                for text in texts.to_pylist()
            ],
            type=DECIMAL_TYPE,
        )


def _check_range(numbers: pd.Series, column: Column, found: _FileProblems) -> None:
    values = numbers.to_numpy(dtype=float, na_value=np.nan)
    known = ~np.isnan(values)
    if column.min_value is not None:
        if column.min_exclusive:
            bad = known & (values <= column.min_value)
            found.add_rows(bad, column.name, f"must be greater than {column.min_value}")
        else:
            bad = known & (values < column.min_value)
            found.add_rows(bad, column.name, f"must be at least {column.min_value}")
    if column.max_value is not None:
        bad = known & (values > column.max_value)
        found.add_rows(bad, column.name, f"must be at most {column.max_value}")


def _check_keys(found: _FileProblems) -> None:
    frame, spec = found.frame, found.spec
    duplicated = frame.duplicated(subset=list(spec.key), keep=False).to_numpy()
    if not duplicated.any():
        return
    first_row = (
        frame.reset_index().groupby(list(spec.key), sort=False)["index"].transform("min").to_numpy()
    )
    first_line = found.lines[first_row]
    for row in np.flatnonzero(duplicated):
        line = int(found.lines[row])
        if row == first_row[row]:
            continue
        found.problems.append(
            Problem(
                file=spec.file_name,
                line=line,
                key=found.key_text(int(row)),
                message=f"key appears twice in this file (first on line {first_line[row]})",
            )
        )
