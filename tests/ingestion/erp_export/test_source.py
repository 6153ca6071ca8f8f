"""erp_export_source: export files in the erp_costs.csv shape into raw_erp.costs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from dlt.pipeline.exceptions import PipelineStepFailed

from ingestion.erp_export import erp_export_source

from ..conftest import query

HEADER = "cost_id,project_code,cost_date,category,amount,currency,posted_at"
FEBRUARY = f"""{HEADER}
SAP-9001,P-NG,2026-02-26,localization,800.00,USD,2026-02-27T09:00:00Z
SAP-9002,P-DE,2026-02-27,office,1200.50,EUR,2026-02-27T10:00:00+01:00
"""
MARCH = f"""{HEADER}
SAP-9101,P-DE,2026-03-02,salaries,5000,EUR,2026-03-03T08:00:00Z
"""


def ts(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def costs(warehouse) -> list[tuple]:
    return query(warehouse, "select * exclude (_dlt_load_id) from raw_erp.costs order by all")


def test_export_files_land_typed_with_their_file_and_line(tmp_path, make_pipeline, warehouse):
    exports = tmp_path / "exports"
    write(exports, "costs_2026_02.csv", FEBRUARY)
    write(exports, "costs_2026_03.csv", MARCH)
    write(exports, "readme.txt", "not an export")

    make_pipeline("erp_export_raw_erp", "raw_erp").run(erp_export_source(folder=str(exports)))

    assert costs(warehouse) == [
        (
            "SAP-9001",
            "P-NG",
            dt.date(2026, 2, 26),
            "localization",
            Decimal("800"),
            "USD",
            ts("2026-02-27T09:00"),
            "costs_2026_02.csv",
            2,
        ),
        (
            "SAP-9002",
            "P-DE",
            dt.date(2026, 2, 27),
            "office",
            Decimal("1200.5"),
            "EUR",
            ts("2026-02-27T09:00"),
            "costs_2026_02.csv",
            3,
        ),
        (
            "SAP-9101",
            "P-DE",
            dt.date(2026, 3, 2),
            "salaries",
            Decimal("5000"),
            "EUR",
            ts("2026-03-03T08:00"),
            "costs_2026_03.csv",
            2,
        ),
    ]


def test_a_loaded_file_is_skipped_and_a_changed_one_loaded_again(
    tmp_path, make_pipeline, warehouse, monkeypatch
):
    exports = tmp_path / "exports"
    write(exports, "costs_2026_02.csv", FEBRUARY)
    monkeypatch.setenv("SOURCES__ERP_EXPORT__FOLDER", str(exports))
    pipeline = make_pipeline("erp_export_raw_erp", "raw_erp")
    pipeline.run(erp_export_source())

    # WHEN nothing changed, the rerun reads nothing
    info = pipeline.run(erp_export_source())
    assert pipeline.last_trace.last_normalize_info.row_counts.get("costs") is None, info

    # WHEN the ERP re-exports the file with a correction (a newer posted_at)
    write(
        exports,
        "costs_2026_02.csv",
        FEBRUARY.replace("800.00,USD,2026-02-27T09:00:00Z", "850.00,USD,2026-02-28T09:00:00Z"),
    )
    pipeline.run(erp_export_source())

    # THEN both versions of SAP-9001 are in raw (staging keeps the newer), SAP-9002 once
    assert query(
        warehouse, "select cost_id, amount from raw_erp.costs order by cost_id, posted_at"
    ) == [
        ("SAP-9001", Decimal("800")),
        ("SAP-9001", Decimal("850")),
        ("SAP-9002", Decimal("1200.5")),
    ]


def test_a_malformed_export_is_rejected_naming_file_line_and_column(
    tmp_path, make_pipeline, warehouse
):
    exports = tmp_path / "exports"
    write(exports, "costs_2026_02.csv", FEBRUARY.replace("1200.50", "12OO.50"))
    pipeline = make_pipeline("erp_export_raw_erp", "raw_erp")

    with pytest.raises(PipelineStepFailed) as raised:
        pipeline.run(erp_export_source(folder=str(exports)))
    assert "costs_2026_02.csv line 3 (cost_id=SAP-9002), column amount: '12OO.50'" in str(
        raised.value
    )

    # AND once fixed, the file loads (it was not remembered as loaded)
    write(exports, "costs_2026_02.csv", FEBRUARY)
    pipeline.run(erp_export_source(folder=str(exports)))
    assert len(costs(warehouse)) == 2


def test_excel_exports_load_like_csv(tmp_path, make_pipeline, warehouse):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "erp_costs"
    sheet.append(HEADER.split(","))
    sheet.append(
        [
            "SAP-9001",
            "P-NG",
            dt.date(2026, 2, 26),
            "localization",
            800.0,
            "USD",
            dt.datetime(2026, 2, 27, 9),
        ]
    )
    exports = tmp_path / "exports"
    exports.mkdir()
    workbook.save(exports / "costs_2026_02.xlsx")

    make_pipeline("erp_export_raw_erp", "raw_erp").run(erp_export_source(folder=str(exports)))

    assert costs(warehouse) == [
        (
            "SAP-9001",
            "P-NG",
            dt.date(2026, 2, 26),
            "localization",
            Decimal("800"),
            "USD",
            ts("2026-02-27T09:00"),
            "costs_2026_02.xlsx",
            2,
        ),
    ]


def test_an_empty_first_load_creates_the_raw_table(tmp_path, make_pipeline, warehouse):
    """Staging models and checks read raw_erp.costs even before any cost has arrived."""
    exports = tmp_path / "exports"
    exports.mkdir()
    pipeline = make_pipeline("erp_export_raw_erp", "raw_erp")

    pipeline.run(erp_export_source(folder=str(exports)))

    assert pipeline.last_trace.last_normalize_info.row_counts["costs"] == 0
    assert costs(warehouse) == []
    columns = query(
        warehouse,
        "select column_name from information_schema.columns "
        "where table_schema = 'raw_erp' and table_name = 'costs' order by ordinal_position",
    )
    assert [name for (name,) in columns][:7] == HEADER.split(",")
    # once the table exists, a run that finds nothing loads nothing
    pipeline.run(erp_export_source(folder=str(exports)))
    assert pipeline.last_trace.last_normalize_info.row_counts.get("costs") is None
