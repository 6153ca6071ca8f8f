"""ecb_fx_source against local ECB and fallback servers: history zip, daily XML, gaps, files."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal

import pytest
from dlt.pipeline.exceptions import PipelineStepFailed
from pytest_httpserver import HTTPServer

import ingestion.ecb_fx.helpers as fx_helpers
from ingestion.ecb_fx import ecb_fx_source
from ingestion.window import ExtractWindow

from ..conftest import query
from .fake_fx import FALLBACK_API_KEY, FakeEcb, FakeFallback

ECB_CURRENCIES = {"USD", "JPY", "BGN", "GBP", "CNY", "TRY"}  # CYP and RUB are N/A in 2026


@pytest.fixture
def ecb(httpserver: HTTPServer) -> FakeEcb:
    return FakeEcb().install(httpserver)


def rates(warehouse, where: str = "true") -> list[tuple]:
    return query(
        warehouse,
        "select date, base_currency, quote_currency, rate, _source_file from raw_fx.rates "
        f"where {where} order by date, base_currency, quote_currency",
    )


def test_first_run_loads_the_history_zip_from_start_date_then_the_daily_xml(
    httpserver, ecb, make_pipeline, warehouse
):
    # WHEN the first run starts on 2025-10-01 (too far back for the 90-day file)
    make_pipeline("ecb_fx_raw_fx", "raw_fx").run(
        ecb_fx_source(base_url=httpserver.url_for(ecb.base_url), start_date="2025-10-01")
    )

    # THEN the history zip and the daily file were read
    assert sorted(ecb.served) == ["eurofxref-daily.xml", "eurofxref-hist.zip"]
    # AND every quoted (not N/A) rate since start_date landed, base EUR, none older
    summary = query(
        warehouse,
        "select count(*), count(distinct date), min(date), max(date), "
        "list(distinct quote_currency order by quote_currency), list(distinct base_currency) "
        "from raw_fx.rates",
    )
    assert summary == [
        (21 * 6, 21, dt.date(2026, 2, 2), dt.date(2026, 3, 2), sorted(ECB_CURRENCIES), ["EUR"])
    ]
    # AND values are exact, each tagged with the ECB file it came from
    assert rates(warehouse, "quote_currency = 'USD' and date in ('2026-02-10', '2026-03-02')") == [
        (dt.date(2026, 2, 10), "EUR", "USD", Decimal("1.048"), "ECB eurofxref-hist.zip"),
        (dt.date(2026, 3, 2), "EUR", "USD", Decimal("1.048"), "ECB eurofxref-daily.xml"),
    ]


def test_a_gap_of_more_than_a_day_is_filled_from_the_90_day_file(
    httpserver, ecb, make_pipeline, warehouse
):
    pipeline = make_pipeline("ecb_fx_raw_fx", "raw_fx")
    source = lambda: ecb_fx_source(  # noqa: E731
        base_url=httpserver.url_for(ecb.base_url),
        start_date="2025-10-01",
        currencies=["USD", "CNY"],
    )
    pipeline.run(source())
    assert len(rates(warehouse)) == 21 * 2  # only the configured currencies

    # GIVEN two ECB days published since (the daily file now shows 2026-03-04)
    ecb.daily = "eurofxref-daily-2026-03-04.xml"
    ecb.served.clear()
    pipeline.run(source())

    # THEN the 90-day file filled 2026-03-03, and nothing older was read again
    assert sorted(ecb.served) == ["eurofxref-daily.xml", "eurofxref-hist-90d.xml"]
    assert rates(warehouse, "date > '2026-03-02'") == [
        (dt.date(2026, 3, 3), "EUR", "CNY", Decimal("7.6301"), "ECB eurofxref-hist-90d.xml"),
        (dt.date(2026, 3, 3), "EUR", "USD", Decimal("1.0495"), "ECB eurofxref-hist-90d.xml"),
        (dt.date(2026, 3, 4), "EUR", "CNY", Decimal("7.6355"), "ECB eurofxref-daily.xml"),
        (dt.date(2026, 3, 4), "EUR", "USD", Decimal("1.0502"), "ECB eurofxref-daily.xml"),
    ]

    # WHEN it runs again on the same day: only the daily file, nothing new
    ecb.served.clear()
    pipeline.run(source())
    assert ecb.served == ["eurofxref-daily.xml"]
    assert len(rates(warehouse)) == 23 * 2


def test_currencies_the_ecb_lacks_come_from_the_fallback_provider_day_by_day(
    httpserver, ecb, make_pipeline, warehouse, monkeypatch
):
    # GIVEN a per-day fallback endpoint and "today" = 2026-02-23
    fallback = FakeFallback().install(httpserver)
    monkeypatch.setattr(fx_helpers, "today", lambda: dt.date(2026, 2, 23))
    monkeypatch.setenv("SOURCES__ECB_FX__FALLBACK_API_KEY", FALLBACK_API_KEY)
    pipeline = make_pipeline("ecb_fx_raw_fx", "raw_fx")
    source = lambda: ecb_fx_source(  # noqa: E731
        base_url=httpserver.url_for(ecb.base_url),
        start_date="2026-02-20",
        currencies=["USD"],
        fallback_url=httpserver.url_for("/fallback/day/{date}") + "?symbols={symbols}",
        fallback_currencies=["NGN", "VND"],
    )

    pipeline.run(source())

    # THEN each day was asked, weekends answered with Friday's rates (deduplicated)
    assert [r["date"] for r in fallback.requests] == [
        "2026-02-20",
        "2026-02-21",
        "2026-02-22",
        "2026-02-23",
    ]
    assert fallback.requests[0]["symbols"] == "NGN,VND"
    assert rates(warehouse, "base_currency = 'USD'") == [
        (dt.date(2026, 2, 20), "USD", "NGN", Decimal("1510.25"), "fx fallback provider"),
        (dt.date(2026, 2, 20), "USD", "VND", Decimal("25380"), "fx fallback provider"),
        (dt.date(2026, 2, 23), "USD", "NGN", Decimal("1512.5"), "fx fallback provider"),
        (dt.date(2026, 2, 23), "USD", "VND", Decimal("25391"), "fx fallback provider"),
    ]

    # WHEN the next run comes two days later, it asks again from the last day it asked
    fallback.requests.clear()
    monkeypatch.setattr(fx_helpers, "today", lambda: dt.date(2026, 2, 25))
    pipeline.run(source())
    assert [r["date"] for r in fallback.requests] == ["2026-02-23", "2026-02-24", "2026-02-25"]
    assert len(rates(warehouse, "base_currency = 'USD'")) == 6


def test_a_fallback_provider_error_fails_the_run_naming_the_provider_not_the_key(
    httpserver, ecb, make_pipeline, monkeypatch
):
    FakeFallback().install(httpserver)
    monkeypatch.setattr(fx_helpers, "today", lambda: dt.date(2026, 2, 20))
    with pytest.raises(PipelineStepFailed) as raised:
        make_pipeline("ecb_fx_raw_fx", "raw_fx").run(
            ecb_fx_source(
                base_url=httpserver.url_for(ecb.base_url),
                start_date="2026-02-20",
                fallback_url=httpserver.url_for("/fallback/day/{date}"),
                fallback_currencies=["NGN"],
                fallback_api_key="wrong-key-456",
            )
        )
    message = str(raised.value)
    assert "FX fallback provider" in message and "not supplied a valid API Access Key" in message
    assert "wrong-key-456" not in message


def test_the_finance_rates_file_wins_over_the_apis(
    httpserver, ecb, make_pipeline, warehouse, tmp_path
):
    # GIVEN the finance team's own EUR->USD for 2026-02-10 and a VND rate no API has
    rates_file = tmp_path / "finance_fx_rates.csv"
    rates_file.write_text(
        "date,base_currency,quote_currency,rate\n"
        "2026-02-10,EUR,USD,1.05\n"
        "2026-02-26,USD,VND,25400\n",
        encoding="utf-8",
    )
    make_pipeline("ecb_fx_raw_fx", "raw_fx").run(
        ecb_fx_source(
            base_url=httpserver.url_for(ecb.base_url),
            start_date="2025-10-01",
            currencies=["USD"],
            rates_file=str(rates_file),
        )
    )
    assert rates(warehouse, "date in ('2026-02-10', '2026-02-26')") == [
        (dt.date(2026, 2, 10), "EUR", "USD", Decimal("1.05"), "finance_fx_rates.csv"),
        (dt.date(2026, 2, 26), "EUR", "USD", Decimal("1.064"), "ECB eurofxref-hist.zip"),
        (dt.date(2026, 2, 26), "USD", "VND", Decimal("25400"), "finance_fx_rates.csv"),
    ]


def test_a_malformed_rates_file_is_rejected_naming_line_and_column(
    httpserver, ecb, make_pipeline, tmp_path
):
    rates_file = tmp_path / "finance_fx_rates.csv"
    rates_file.write_text("date,base_currency,quote_currency,rate\n2026-02-10,EUR,USD,-1\n")
    with pytest.raises(
        PipelineStepFailed,
        match="finance_fx_rates.csv line 2 .* column rate: '-1': must be greater than 0",
    ):
        make_pipeline("ecb_fx_raw_fx", "raw_fx").run(
            ecb_fx_source(base_url=httpserver.url_for(ecb.base_url), rates_file=str(rates_file))
        )


def test_a_backfill_window_keeps_only_its_dates_from_every_feed(
    httpserver, ecb, make_pipeline, warehouse, monkeypatch, tmp_path
):
    # GIVEN a per-day fallback endpoint, "today" = 2026-02-23 and a rates file with one row
    # before the window and one in it
    fallback = FakeFallback(require_key=False).install(httpserver)
    monkeypatch.setattr(fx_helpers, "today", lambda: dt.date(2026, 2, 23))
    rates_file = tmp_path / "finance_fx_rates.csv"
    rates_file.write_text(
        "date,base_currency,quote_currency,rate\n"
        "2026-02-10,EUR,USD,1.05\n"
        "2026-02-23,USD,VND,25400\n",
        encoding="utf-8",
    )
    pipeline = make_pipeline("ecb_fx_raw_fx", "raw_fx")

    # WHEN Saturday 2026-02-21 to Tuesday 2026-02-24 is backfilled
    pipeline.run(
        ecb_fx_source(
            base_url=httpserver.url_for(ecb.base_url),
            start_date="2025-10-01",
            currencies=["USD"],
            fallback_url=httpserver.url_for("/fallback/day/{date}") + "?symbols={symbols}",
            fallback_currencies=["NGN", "VND"],
            rates_file=str(rates_file),
            window=ExtractWindow(dt.date(2026, 2, 21), dt.date(2026, 2, 24)),
        )
    )

    # THEN the fallback provider was asked for the window's days up to today
    assert [r["date"] for r in fallback.requests] == ["2026-02-21", "2026-02-22", "2026-02-23"]
    # AND the ECB's history zip and daily file were read
    assert sorted(ecb.served) == ["eurofxref-daily.xml", "eurofxref-hist.zip"]
    # AND only rates dated in the window landed: the weekend's answers (Friday 02-20's rates)
    # and the file's 02-10 row are outside it; the file still wins over the fallback provider
    assert rates(warehouse) == [
        (dt.date(2026, 2, 23), "EUR", "USD", Decimal("1.061"), "ECB eurofxref-hist.zip"),
        (dt.date(2026, 2, 23), "USD", "NGN", Decimal("1512.5"), "fx fallback provider"),
        (dt.date(2026, 2, 23), "USD", "VND", Decimal("25400"), "finance_fx_rates.csv"),
        (dt.date(2026, 2, 24), "EUR", "USD", Decimal("1.062"), "ECB eurofxref-hist.zip"),
    ]
    # AND no cursor was written
    assert "ecb_fx" not in pipeline.state.get("sources", {})


def test_a_backfill_window_leaves_the_cursors_and_the_next_run_as_they_were(
    httpserver, ecb, make_pipeline, warehouse, monkeypatch
):
    fallback = FakeFallback(require_key=False).install(httpserver)
    pipeline = make_pipeline("ecb_fx_raw_fx", "raw_fx")

    def source(**window):
        return ecb_fx_source(
            base_url=httpserver.url_for(ecb.base_url),
            start_date="2025-10-01",
            currencies=["USD"],
            fallback_url=httpserver.url_for("/fallback/series")
            + "?start_date={start_date}&end_date={end_date}&symbols={symbols}",
            fallback_currencies=["NGN"],
            **window,
        )

    # GIVEN a scheduled run on 2026-02-23: ECB rates up to 2026-03-02, fallback up to today
    monkeypatch.setattr(fx_helpers, "today", lambda: dt.date(2026, 2, 23))
    pipeline.run(source())
    state = copy.deepcopy(pipeline.state["sources"])
    assert state["ecb_fx"]["resources"]["rates"] == {
        "fallback_last_date": "2026-02-23",
        "ecb_last_date": "2026-03-02",
    }

    # WHEN two days later, with 2026-03-04 published, 2026-02-24..2026-03-04 is backfilled
    monkeypatch.setattr(fx_helpers, "today", lambda: dt.date(2026, 2, 25))
    ecb.daily = "eurofxref-daily-2026-03-04.xml"
    pipeline.run(source(window=ExtractWindow(dt.date(2026, 2, 24), dt.date(2026, 3, 4))))
    assert fallback.requests[-1] == {
        "start_date": "2026-02-24",
        "end_date": "2026-02-25",
        "symbols": "NGN",
    }
    assert rates(warehouse, "date = '2026-03-04'") == [
        (dt.date(2026, 3, 4), "EUR", "USD", Decimal("1.0502"), "ECB eurofxref-daily.xml")
    ]

    # THEN the cursors are exactly what they were
    assert pipeline.state["sources"] == state
    # AND the next scheduled run fills 2026-03-03 from the 90-day file and asks the fallback
    # provider from its last day, as if the backfill never happened
    ecb.served.clear()
    pipeline.run(source())
    assert sorted(ecb.served) == ["eurofxref-daily.xml", "eurofxref-hist-90d.xml"]
    assert fallback.requests[-1] == {
        "start_date": "2026-02-23",
        "end_date": "2026-02-25",
        "symbols": "NGN",
    }


def test_a_fallback_range_without_a_published_day_gives_no_rates():
    # e.g. a backfill of a weekend, or of a month before the provider's first rate
    answer = {"success": True, "timeseries": True, "base": "USD", "rates": {}}
    answer.update(start_date="2026-01-03", end_date="2026-01-04")

    assert fx_helpers.parse_fallback(answer, "http://fx.example/series", ["NGN"]) == []
