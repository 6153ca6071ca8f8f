"""Read one ERP export file (CSV, or Excel when openpyxl is installed) as a validated table."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import decimal
import hashlib
import tempfile
from pathlib import Path
from typing import Any

import pyarrow as pa

from foundation.errors import DropRejected, RoiError

from ..file_contract import FileSpec
from ..files.validate import read_file
from .settings import EXCEL_SUFFIXES, PREFERRED_SHEET


class ErpExportError(RoiError):
    """An ERP export file that cannot be read at all."""


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_export(path: Path, spec: FileSpec) -> pa.Table:
    """The file's rows typed like erp_costs.csv, `_source_file` = its name, `_source_line` = its
    line (CSV) or row (Excel). Malformed content raises DropRejected naming row and column."""
    if path.suffix.lower() in EXCEL_SUFFIXES:
        with tempfile.TemporaryDirectory() as folder:
            csv_path = Path(folder) / path.name
            _excel_to_csv(path, csv_path)
            return _validated(csv_path, spec, shown_as=path)
    return _validated(path, spec, shown_as=path)


def _validated(path: Path, spec: FileSpec, shown_as: Path) -> pa.Table:
    # The file drop's own validator, so an export obeys exactly the rules of erp_costs.csv.
    table, problems = read_file(path.parent, dataclasses.replace(spec, file_name=path.name))
    if problems or table is None:
        raise DropRejected.of(str(shown_as), problems)
    return table


def _excel_to_csv(source: Path, target: Path) -> None:
    try:
        import openpyxl
    except ImportError:
        raise ErpExportError(
            f"ERP export {source} is an Excel file but openpyxl is not installed: "
            "install openpyxl or export the file as CSV"
        ) from None
    workbook = openpyxl.load_workbook(source, read_only=True, data_only=True)
    try:
        sheet = (
            workbook[PREFERRED_SHEET]
            if PREFERRED_SHEET in workbook.sheetnames
            else workbook.worksheets[0]
        )
        with target.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            for row in sheet.iter_rows(values_only=True):
                if row is None or all(cell is None for cell in row):
                    continue
                writer.writerow([_cell_text(cell) for cell in row])
    finally:
        workbook.close()


def _cell_text(value: Any) -> str:
    """A cell as the CSV text the validator expects (dates ISO, numbers exact)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return format(decimal.Decimal(repr(value)).normalize(), "f")
    return str(value).strip()
