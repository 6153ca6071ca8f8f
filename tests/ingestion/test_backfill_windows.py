"""Backfill windows: the window itself, how sources take it, and month-by-month backfills.

Each connector's own tests check what its windowed extract asks for and that its cursors stay
where they were; here: a window over a quarter lands exactly the raw rows of its three
months loaded one by one, through the connector registry, configured as deployed.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime

import pytest

from ingestion.ad_platforms import ad_platforms_source
from ingestion.ad_platforms.google_ads import google_ads_source
from ingestion.ad_platforms.linkedin_ads import linkedin_ads_source
from ingestion.ad_platforms.meta_ads import meta_ads_source
from ingestion.api_sources import api_source
from ingestion.ecb_fx import ecb_fx_source
from ingestion.fxiaoke import fxiaoke_source
from ingestion.netsuite import netsuite_source
from ingestion.window import ExtractWindow

from .ad_platforms.google_ads.fake_google_ads import FakeGoogleAds
from .ad_platforms.linkedin_ads.fake_linkedin_ads import FakeLinkedInAds
from .ad_platforms.meta_ads.fake_meta_ads import FakeMetaAds
from .conftest import query
from .erp_export.test_source import FEBRUARY, write
from .netsuite.fake_netsuite import ACCOUNT_ID, CREDENTIALS, FakeNetSuite
from .netsuite.test_source import add_lines
from .test_end_to_end import deployment  # noqa: F401  (the CRM / ERP / FX servers)

MONTHS = (
    ExtractWindow(date(2026, 1, 1), date(2026, 1, 31)),
    ExtractWindow(date(2026, 2, 1), date(2026, 2, 28)),
    ExtractWindow(date(2026, 3, 1), date(2026, 3, 31)),
)
QUARTER = ExtractWindow(date(2026, 1, 1), date(2026, 3, 31))


# --- the window -----------------------------------------------------------------------------


def test_a_window_runs_from_utc_midnight_of_its_start_to_utc_midnight_after_its_end():
    window = ExtractWindow(date(2025, 12, 1), date(2025, 12, 31))

    assert window.start_utc() == datetime(2025, 12, 1, tzinfo=UTC)
    assert window.end_utc_exclusive() == datetime(2026, 1, 1, tzinfo=UTC)
    assert str(window) == "2025-12-01..2025-12-31"
    one_day = ExtractWindow(date(2024, 2, 29), date(2024, 2, 29))
    assert one_day.end_utc_exclusive() == datetime(2024, 3, 1, tzinfo=UTC)


def test_a_window_ending_before_it_starts_is_refused_naming_both_days():
    with pytest.raises(ValueError) as raised:
        ExtractWindow(date(2025, 2, 1), date(2025, 1, 31))

    assert str(raised.value) == (
        "extract window start 2025-02-01 is after its end 2025-01-31: a window runs from "
        "start to end, both inclusive"
    )


@pytest.mark.parametrize(
    ("start", "end"),
    [("2025-01-01", date(2025, 1, 31)), (date(2025, 1, 1), datetime(2025, 1, 31, tzinfo=UTC))],
    ids=["text", "datetime"],
)
def test_a_window_takes_days_only(start, end):
    with pytest.raises(TypeError, match="extract window (start|end) must be a date"):
        ExtractWindow(start, end)


# --- sources take the window from code only -------------------------------------------------

FXIAOKE_KEYS = {"app_id": "a", "app_secret": "b", "permanent_code": "c", "open_user_id": "u"}
SOURCES = {
    "ad_platforms": lambda **window: ad_platforms_source(platforms=[], **window),
    "google_ads": google_ads_source,
    "meta_ads": meta_ads_source,
    "linkedin_ads": linkedin_ads_source,
    "fxiaoke": lambda **window: fxiaoke_source(**FXIAOKE_KEYS, **window),
    "netsuite": lambda **window: netsuite_source(account_id=ACCOUNT_ID, **CREDENTIALS, **window),
    "ecb_fx": ecb_fx_source,
}


@pytest.mark.parametrize("name", SOURCES)
def test_a_window_is_never_read_from_config(name, httpserver, monkeypatch):
    # GIVEN every ad platform configured, and a stray window setting for the source
    for fake in (FakeGoogleAds, FakeMetaAds, FakeLinkedInAds):
        fake(httpserver).configure(monkeypatch)
    monkeypatch.setenv(f"SOURCES__{name.upper()}__WINDOW", "2025-01-01..2025-01-31")

    # THEN the source builds without a window (dlt does not try to read one: it could not
    # make a window of that text) and with one
    SOURCES[name]()
    SOURCES[name](window=MONTHS[0])


def test_a_stray_window_setting_does_not_turn_a_scheduled_run_into_a_backfill(
    httpserver, monkeypatch, make_pipeline
):
    fake = FakeNetSuite().install(httpserver)
    monkeypatch.setenv("SOURCES__NETSUITE__WINDOW", '{"start": "2026-02-01", "end": "2026-02-28"}')
    pipeline = make_pipeline("netsuite_raw_erp", "raw_erp")

    pipeline.run(
        netsuite_source(
            account_id=ACCOUNT_ID, base_url=httpserver.url_for(""), start_date="2026-01-01",
            **CREDENTIALS,
        )
    )  # fmt: skip

    assert fake.requests[0]["since"] == "2026-01-01 00:00:00"  # start_date (zone UTC)
    cursor = pipeline.state["sources"]["netsuite"]["resources"]["costs"]["incremental"]
    assert cursor["posted_at"]["last_value"] == datetime(2026, 2, 26, 8, 15, tzinfo=UTC)


def test_the_erp_export_folder_is_loaded_as_usual_whatever_the_window(
    monkeypatch, tmp_path, make_pipeline, warehouse, caplog
):
    write(tmp_path / "exports", "costs_2026_02.csv", FEBRUARY)
    monkeypatch.setenv("SOURCES__ERP_EXPORT__FOLDER", str(tmp_path / "exports"))

    with caplog.at_level(logging.WARNING, logger="ingestion.api_sources"):
        source = api_source("raw_erp", "erp_export", MONTHS[0])
    make_pipeline("erp_export_raw_erp", "raw_erp").run(source)

    # February's export lands although the window is January: a folder has no period
    assert query(warehouse, "select cost_id from raw_erp.costs order by all") == [
        ("SAP-9001",),
        ("SAP-9002",),
    ]
    assert "erp_export: backfill window 2026-01-01..2026-01-31 does not apply" in caplog.text


# --- month by month is the same as the whole quarter ----------------------------------------


@pytest.fixture
def netsuite_across_the_quarter(httpserver, monkeypatch, deployment):  # noqa: F811
    """The deployment's NetSuite, with lines in every month of 2026-Q1, on both sides of each
    month's edges (UTC; the role's zone is Los Angeles, UTC-8, UTC-7 from 2026-03-08) and one
    after the quarter."""
    fake = FakeNetSuite(prefix="/ns-quarter").install(httpserver)
    add_lines(
        fake,
        **{
            "3000-1": "2026-01-15 09:00:00",
            "3001-1": "2026-01-31 15:59:59",  # January's last second
            "3002-1": "2026-01-31 16:00:00",  # February's first second
            "3003-1": "2026-02-28 16:00:00",  # March's first second
            "3004-1": "2026-03-31 16:59:59",  # March's last second
            "3005-1": "2026-03-31 17:00:00",  # April
        },
    )
    monkeypatch.setenv("SOURCES__NETSUITE__BASE_URL", httpserver.url_for("/ns-quarter"))


def raw_rows(warehouse, dataset: str, table: str) -> list[tuple]:
    return query(warehouse, f"select * exclude (_dlt_load_id) from {dataset}.{table} order by all")


@pytest.mark.usefixtures("netsuite_across_the_quarter")
@pytest.mark.parametrize(
    ("dataset", "connector"),
    [("raw_crm", "fxiaoke"), ("raw_erp", "netsuite"), ("raw_fx", "ecb_fx")],
)
def test_three_monthly_windows_land_exactly_the_rows_of_one_window_over_the_quarter(
    dataset, connector, make_pipeline, warehouse
):
    # WHEN 2026-Q1 is backfilled month by month into one dataset
    by_month = make_pipeline(f"{connector}_by_month", f"{dataset}_by_month")
    for month in MONTHS:
        by_month.run(api_source(dataset, connector, month))
    # AND as one window into another
    quarter = make_pipeline(f"{connector}_quarter", f"{dataset}_quarter")
    quarter.run(api_source(dataset, connector, QUARTER))

    # THEN both hold the same tables with exactly the same rows
    tables = sorted(table["name"] for table in quarter.default_schema.data_tables())
    assert tables == sorted(table["name"] for table in by_month.default_schema.data_tables())
    for table in tables:
        rows = raw_rows(warehouse, f"{dataset}_by_month", table)
        assert rows, table
        assert rows == raw_rows(warehouse, f"{dataset}_quarter", table), table
