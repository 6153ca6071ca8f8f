"""Validate a whole file drop and turn each file into a typed Arrow table.

Every check is vectorised (a drop at scale 50 has millions of values), and every problem
is kept with its file, line, key and column, so the user sees exactly what to fix. The
drop is rejected as a whole when anything is malformed: nothing is loaded half-way.
"""

from __future__ import annotations

import csv
import decimal
from collections.abc import Callable, Collection, Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from roi.errors import DropRejected, Problem

from .settings import (
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
    """Collects the problems of one file, with the key of each bad row for context."""

    def __init__(self, spec: FileSpec, frame: pd.DataFrame):
        self.spec = spec
        self.frame = frame
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
                    line=int(row) + FIRST_DATA_LINE,
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
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise DropRejected.of(
            str(data_dir), [Problem(file=str(data_dir), message="the drop folder does not exist")]
        )
    for spec in FILE_SPECS:
        if datasets is not None and spec.dataset not in datasets:
            continue
        table, file_problems = read_file(data_dir, spec)
        if table is not None and progress and not file_problems:
            progress(f"validated {spec.file_name}: {table.num_rows} rows")
        yield spec, table, file_problems


def read_file(data_dir: Path, spec: FileSpec) -> tuple[pa.Table | None, list[Problem]]:
    """Validate one file of `spec`'s shape: the typed table, or None and its problems."""
    path = data_dir / spec.file_name
    if not path.is_file():
        return None, [Problem(file=spec.file_name, message="required file is missing")]
    try:
        frame = _read_plain_csv(path)
        if frame is None:
            frame = pd.read_csv(
                path,
                dtype=str,
                keep_default_na=False,
                na_filter=False,
                encoding="utf-8",
                skipinitialspace=False,
                quoting=csv.QUOTE_MINIMAL,
            )
    except UnicodeDecodeError as error:
        return None, [
            Problem(file=spec.file_name, message=f"is not valid UTF-8 (byte {error.start})")
        ]
    except pd.errors.EmptyDataError:
        return None, [Problem(file=spec.file_name, message="is empty: the header row is missing")]
    except pd.errors.ParserError as error:
        return None, [Problem(file=spec.file_name, message=f"is not a valid CSV file: {error}")]

    frame.columns = [str(name).strip() for name in frame.columns]
    missing = [name for name in spec.column_names if name not in frame.columns]
    if missing:
        return None, [
            Problem(file=spec.file_name, column=name, message="required column is missing")
            for name in missing
        ]
    frame = frame.apply(lambda column: column.str.strip()).reset_index(drop=True)

    found = _FileProblems(spec, frame)
    arrays: dict[str, pa.Array] = {}
    for column in spec.columns:
        arrays[column.name] = _typed_column(frame[column.name], column, found)
    _check_keys(found)

    for extra in (name for name in frame.columns if name not in spec.column_names):
        values = frame[extra]
        arrays[extra] = pa.array(values.where(values != "", None), type=pa.string())
    arrays[SOURCE_FILE_COLUMN] = pa.array([spec.file_name] * len(frame), type=pa.string())
    arrays[SOURCE_LINE_COLUMN] = pa.array(
        np.arange(FIRST_DATA_LINE, len(frame) + FIRST_DATA_LINE), type=pa.int64()
    )
    if found.problems:
        return None, found.problems
    table = pa.table(arrays)
    # Keys can never be null; saying so keeps Arrow's schema equal to dlt's column hints.
    schema = pa.schema(
        field.with_nullable(field.name not in spec.primary_key) for field in table.schema
    )
    return table.cast(schema), []


_TEXT = pd.StringDtype("pyarrow", na_value=np.nan)  # what pd.read_csv(dtype=str) gives
# What Arrow raises when it declines a file or a cast (invalid input, an unsupported case):
# the pandas path then takes over and names the problem, if there is one.
_ARROW_DECLINED = pa.ArrowException


def _read_plain_csv(path: Path) -> pd.DataFrame | None:
    """The file as text columns, exactly as the pandas reader in read_file gives them, read
    by Arrow's multi-threaded CSV reader (about three times faster on a large drop); None
    when the file is anything but plain (no header, header names twice, a row whose field
    count differs from the header's, invalid UTF-8): pandas then reads it and names the
    problem, or pads short rows as before."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), None)
    except (UnicodeDecodeError, csv.Error):
        return None
    if not header or len(set(header)) != len(header):
        return None
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
    return table.to_pandas(types_mapper={pa.string(): _TEXT}.get)


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
        if integers is None:  # '+5', or beyond 64 bits: pandas' parser as before
            numbers = pd.to_numeric(present, errors="coerce").astype("Int64")
            _check_range(numbers.astype("Float64"), column, found)
            return pa.array(numbers, type=pa.int64())
        _check_range(_floats(integers), column, found)
        return integers
    floats = _cast_or_none(texts, pa.float64())
    _check_range(
        pd.to_numeric(present, errors="coerce") if floats is None else _floats(floats),
        column,
        found,
    )
    return _decimals(texts)


def _cast_or_none(texts: pa.Array, data_type: pa.DataType) -> pa.Array | None:
    """`texts` (each matching its kind's pattern, or null) cast by Arrow, vectorised; None if
    Arrow refuses one of them (pandas then parses the column, value by value)."""
    try:
        return texts.cast(data_type)
    except _ARROW_DECLINED:
        return None


def _floats(numbers: pa.Array) -> pd.Series:
    return pd.Series(numbers.cast(pa.float64()).to_numpy(zero_copy_only=False))


def _decimals(texts: pa.Array) -> pa.Array:
    try:
        return texts.cast(DECIMAL_TYPE)
    except pa.ArrowInvalid:
        # Some value has more than 9 decimal places: round those half-even, one by one.
        nine_places = decimal.Decimal("1e-9")
        return pa.array(
            [
                None if text is None else decimal.Decimal(text).quantize(nine_places)
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
    first_line = (
        frame.reset_index().groupby(list(spec.key), sort=False)["index"].transform("min").to_numpy()
        + FIRST_DATA_LINE
    )
    for row in np.flatnonzero(duplicated):
        line = int(row) + FIRST_DATA_LINE
        if line == first_line[row]:
            continue
        found.problems.append(
            Problem(
                file=spec.file_name,
                line=line,
                key=found.key_text(int(row)),
                message=f"key appears twice in this file (first on line {first_line[row]})",
            )
        )
