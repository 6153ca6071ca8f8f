"""Source freshness from what changed (orchestration/freshness.py) against dbt's own answer.

A table the run loaded rows into is judged from the run's load; dbt is asked about the
rest. On the session's published small drop, both must give exactly what `dbt source
freshness` says about every source.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from foundation.warehouse import DuckDBWarehouse
from orchestration.audit_store import newest_loads
from orchestration.freshness import (
    DLT_LOADED_AT,
    checked_sources,
    source_freshness,
    sources_time,
    status_for_age,
)

from ..conftest import copy_warehouse

DAY = 86400
# every raw table dbt source freshness checks (the projects table has no criterion)
SOURCES = (
    "raw_ads.ad_spend",
    "raw_crm.accounts",
    "raw_crm.activities",
    "raw_crm.leads",
    "raw_crm.opportunities",
    "raw_crm.orders",
    "raw_crm.tickets",
    "raw_erp.costs",
    "raw_fx.rates",
)
EIGHT_DAYS = {"warn_after": {"count": 8, "period": "day"}, "error_after": {}, "filter": None}


def test_dbt_s_verdict_on_the_age():
    both = {
        "warn_after": {"count": 12, "period": "hour"},
        "error_after": {"count": 2, "period": "day"},
    }
    assert status_for_age(12 * 3600, both) == "pass"  # dbt warns only past the limit
    assert status_for_age(12 * 3600 + 1, both) == "warn"
    assert status_for_age(2 * DAY + 1, both) == "error"
    assert status_for_age(10**9, {"warn_after": {"count": 30, "period": "minute"}}) == "warn"
    assert status_for_age(10**9, {"warn_after": {"count": None, "period": None}}) == "pass"


def _source(dataset: str, table: str, freshness: dict, loaded_at: str = DLT_LOADED_AT) -> dict:
    return {
        "source_name": dataset,
        "name": table,
        "loaded_at_field": loaded_at,
        "freshness": freshness,
    }


MANIFEST = {
    "sources": {
        "source.p.raw_crm.orders": _source("raw_crm", "orders", EIGHT_DAYS),
        "source.p.raw_crm.leads": _source("raw_crm", "leads", EIGHT_DAYS),
        "source.p.raw_erp.costs": _source("raw_erp", "costs", EIGHT_DAYS, "posted_at"),
        "source.p.raw_fx.rates": _source("raw_fx", "rates", {**EIGHT_DAYS, "filter": "x > 1"}),
        "source.p.raw_reference.projects": _source(
            "raw_reference", "projects", {"warn_after": {"count": None, "period": None}}
        ),
    }
}


def test_only_sources_with_a_criterion_are_checked():
    assert sorted(checked_sources(MANIFEST)) == [
        "raw_crm.leads",
        "raw_crm.orders",
        "raw_erp.costs",
        "raw_fx.rates",
    ]


def test_tables_the_run_loaded_are_judged_from_the_load_and_dbt_is_asked_the_rest():
    now = dt.datetime(2026, 12, 6, 12, 0, tzinfo=dt.UTC)
    loaded = str((now - dt.timedelta(minutes=30)).timestamp())
    asked: list[list[str]] = []

    def ask_dbt(selectors):
        asked.append(selectors)
        return [
            {
                "unique_id": f"source.p.{selector.removeprefix('source:')}",
                "max_loaded_at": "2026-11-01T00:00:00+00:00",
                "max_loaded_at_time_ago_in_s": 35 * DAY,
                "status": "warn",
                "criteria": EIGHT_DAYS,
                "snapshotted_at": "2026-12-06T12:00:00+00:00",
            }
            for selector in selectors
        ]

    # orders: loaded by the run; costs: loaded, but its loaded_at_field is not the load
    # time; rates: loaded, but with a filter; leads: not loaded by this run
    rows = source_freshness(
        MANIFEST,
        {"raw_crm.orders": loaded, "raw_erp.costs": loaded, "raw_fx.rates": loaded},
        ask_dbt,
        now=now,
    )
    assert asked == [["source:raw_crm.leads", "source:raw_erp.costs", "source:raw_fx.rates"]]
    by_table = {row.source_table: row for row in rows}
    assert sorted(by_table) == ["raw_crm.leads", "raw_crm.orders", "raw_erp.costs", "raw_fx.rates"]
    orders = by_table["raw_crm.orders"]
    assert orders.max_loaded_at == now - dt.timedelta(minutes=30)
    assert orders.hours_since_load == pytest.approx(0.5)
    assert (orders.status, orders.warn_after, orders.checked_at) == ("pass", "8 day", now)
    assert (by_table["raw_crm.leads"].status, by_table["raw_crm.leads"].hours_since_load) == (
        "warn",
        35 * 24,
    )


def test_no_dbt_process_when_the_run_loaded_every_checked_table():
    def ask_dbt(selectors):
        raise AssertionError(f"dbt asked about {selectors}")

    loaded = str(dt.datetime.now(dt.UTC).timestamp())
    manifest = {"sources": {"source.p.raw_crm.orders": _source("raw_crm", "orders", EIGHT_DAYS)}}
    (row,) = source_freshness(manifest, {"raw_crm.orders": loaded}, ask_dbt)
    assert row.status == "pass"


# --- against dbt ------------------------------------------------------------------------------


def _dbt_source_freshness(warehouse: DuckDBWarehouse, *select: str) -> list[dict]:
    """What the run's source_freshness asset gets from dbt (all sources: no selector)."""
    from orchestration.audit_assets import dbt_source_freshness
    from orchestration.dbt_project import dbt_cli
    from orchestration.resources import WarehouseResource

    resource = WarehouseResource.for_warehouse(warehouse, "USD")
    selectors = list(select) or [f"source:{name}" for name in SOURCES]
    return dbt_source_freshness(dbt_cli(), resource, selectors)


@pytest.fixture(scope="module")
def published(small_drop_published, tmp_path_factory):
    folder = tmp_path_factory.mktemp("freshness")
    warehouse = DuckDBWarehouse(
        copy_warehouse(small_drop_published.warehouse, folder / "roi.duckdb")
    )
    manifest = json.loads((warehouse.state_dir / "dbt_target" / "manifest.json").read_text())
    dbt_says = {
        result["unique_id"].split(".", 2)[2]: result for result in _dbt_source_freshness(warehouse)
    }
    with warehouse.connect(read_only=True) as con:
        loaded = newest_loads(con, small_drop_published.run_id)
    return warehouse, folder, manifest, dbt_says, loaded


def _same_as_dbt(row, result) -> None:
    assert row.status == result["status"], row
    dbt_loaded_at = sources_time(result["max_loaded_at"])
    # the same instant; DuckDB and Python may round the load id's last microsecond apart
    assert abs((row.max_loaded_at - dbt_loaded_at).total_seconds()) < 1e-5, row
    assert row.warn_after == "8 day"


def test_the_first_run_loaded_every_checked_table_and_says_what_dbt_says(published):
    _, _, manifest, dbt_says, loaded = published
    assert sorted(checked_sources(manifest)) == sorted(dbt_says) == list(SOURCES)
    assert set(SOURCES) <= set(loaded)

    def ask_dbt(selectors):
        raise AssertionError(f"dbt asked about {selectors}")

    now = sources_time(next(iter(dbt_says.values()))["snapshotted_at"])
    rows = source_freshness(manifest, loaded, ask_dbt, now=now)
    assert sorted(row.source_table for row in rows) == sorted(dbt_says)
    for row in rows:
        result = dbt_says[row.source_table]
        _same_as_dbt(row, result)
        age = result["max_loaded_at_time_ago_in_s"] / 3600
        # dbt measures the age a moment after its snapshot time
        assert row.hours_since_load == pytest.approx(age, abs=1 / 3600)


def test_tables_the_run_did_not_load_are_asked_of_dbt_by_name(published):
    warehouse, folder, manifest, dbt_says, loaded = published
    asked_of_dbt = ("raw_crm.orders", "raw_fx.rates")
    not_loaded = {name: load for name, load in loaded.items() if name not in asked_of_dbt}
    asked = []

    def ask_dbt(selectors):
        asked.append(selectors)
        return _dbt_source_freshness(warehouse, *selectors)

    rows = source_freshness(manifest, not_loaded, ask_dbt)
    assert asked == [["source:raw_crm.orders", "source:raw_fx.rates"]]
    assert sorted(row.source_table for row in rows) == sorted(dbt_says)
    for row in rows:
        _same_as_dbt(row, dbt_says[row.source_table])
