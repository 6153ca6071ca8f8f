"""The loader reads the same month figures from DuckDB and from PostgreSQL (the hand-built
warehouse of tests/simulation/warehouse.py written to each), and refuses a warehouse without
published marts."""

from __future__ import annotations

import datetime as dt

import pytest

from foundation.errors import RoiError
from simulation import load_simulation_data
from simulation.data import ChannelMonth, ProjectCustomers

from . import warehouse


def test_the_loader_reads_month_figures_on_each_engine(engine_warehouse):
    # GIVEN the hand-built marts on DuckDB, then on PostgreSQL
    with engine_warehouse.connect() as con:
        warehouse.write(con, warehouse.tables())
    # WHEN the loader reads them
    with engine_warehouse.connect(read_only=True) as con:
        data = load_simulation_data(con)

    # THEN the data's span, currency and projects
    assert (data.data_start, data.data_end) == (dt.date(2025, 4, 1), dt.date(2026, 6, 30))
    assert data.reporting_currency == "USD"
    assert list(data.projects) == ["P-DE", "P-EMPTY", "P-FR", "P-NEW", "P-OLD"]
    # spend summed over campaigns (G-1 6,000 + G-2 4,000) beside the month's new customers
    # (D-G02 .. D-G05: realised 4 x 1,000, predicted 4 x 4,000)
    by_key = {(row.project_code, row.channel, row.month_start): row for row in data.channel_months}
    assert by_key["P-DE", "google_ads", dt.date(2026, 2, 1)] == ChannelMonth(
        "P-DE", "google_ads", dt.date(2026, 2, 1), 10_000.0, 4, 4_000.0, 16_000.0
    )
    # a month with customers and no spend (D-G01 on 2026-01-01), and one with spend only
    assert by_key["P-DE", "google_ads", dt.date(2026, 1, 1)].spend == 0
    assert by_key["P-DE", "google_ads", dt.date(2026, 1, 1)].new_customers == 1
    assert by_key["P-DE", "google_ads", dt.date(2025, 12, 1)].spend == 8_000
    # the quarter rows are not read: P-DE's google_ads spend is 8,000 + 10,000 + 10,000
    assert sum(
        row.spend for row in data.channel_months if row.channel == "google_ads"
        and row.project_code == "P-DE"
    ) == 28_000  # fmt: skip
    assert [row.month_start.month for row in data.project_months if row.project_code == "P-DE"] == [
        10,
        12,
        2,
        5,
        6,
    ]
    # the projects' customers: count, active, LTV sums, the active customers' monthly gross
    # profit and the mart's lifetime
    customers = {row.project_code: row for row in data.customers}
    assert customers["P-DE"] == ProjectCustomers("P-DE", 25, 24, 63_000, 137_000, 3_700, 20.0)
    assert customers["P-OLD"].remaining_lifetime_months is None
    assert "P-EMPTY" not in customers
    assert len([row for row in data.churn_months if row.project_code == "P-DE"]) == 13


def test_a_warehouse_without_marts_is_refused(tmp_path):
    from foundation.warehouse import DuckDBWarehouse

    empty = DuckDBWarehouse(tmp_path / "empty.duckdb")
    with empty.connect() as con, pytest.raises(RoiError) as raised:
        load_simulation_data(con, "the warehouse empty.duckdb")
    assert str(raised.value).startswith(
        "the warehouse empty.duckdb has no published marts to simulate on (missing "
        "marts.dim_date, marts.dim_project,"
    )
