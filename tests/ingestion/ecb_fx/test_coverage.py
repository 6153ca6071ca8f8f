"""fx_coverage_gaps: the (currency, date) pairs raw facts need but no rate in the window covers."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from ingestion.ecb_fx import fx_coverage_gaps

RAW = """
create schema raw_erp; create schema raw_crm; create schema raw_fx;
create table raw_erp.costs (cost_id varchar, cost_date date, currency varchar,
    posted_at timestamptz, _dlt_load_id varchar);
create table raw_crm.orders (order_id varchar, order_date date, updated_at timestamptz,
    status varchar, currency varchar, is_deleted boolean, _dlt_load_id varchar);
create table raw_fx.rates ("date" date, base_currency varchar, quote_currency varchar,
    rate decimal(38, 9));

insert into raw_fx.rates values
    -- ECB: base EUR, weekdays
    ('2026-02-10', 'EUR', 'USD', 1.048), ('2026-02-10', 'EUR', 'TRY', 37.4),
    ('2026-02-12', 'EUR', 'USD', 1.05), ('2026-02-12', 'EUR', 'TRY', 37.5),
    ('2026-02-16', 'EUR', 'USD', 1.054), ('2026-02-16', 'EUR', 'GBP', 0.8435),
    ('2026-03-04', 'EUR', 'USD', 1.0502), ('2026-03-04', 'EUR', 'JPY', 160.77),
    -- fallback provider: base USD, NGN only
    ('2026-02-20', 'USD', 'NGN', 1510.25);

insert into raw_erp.costs values
    ('C1', '2026-02-10', 'EUR', '2026-02-11 09:00+00', '1'),
    ('C2', '2026-02-22', 'NGN', '2026-02-23 09:00+00', '1'),  -- Sunday: Friday's rate counts
    ('C3', '2026-02-22', 'VND', '2026-02-23 09:00+00', '1'),  -- no VND rate at all
    ('C4', '2026-03-20', 'JPY', '2026-03-21 09:00+00', '1'),  -- newest JPY rate 16 days old
    ('C5', '2026-01-02', 'USD', '2026-01-03 09:00+00', '1'),  -- the reporting currency
    ('C6', '2026-01-01', 'NGN', '2026-01-02 09:00+00', '1'),  -- superseded by its next version
    ('C6', '2026-02-10', 'eur ', '2026-02-12 09:00+00', '2');

insert into raw_crm.orders values
    ('O1', '2026-02-12', '2026-02-12 10:00+00', 'confirmed', 'TRY', false, '1'),
    ('O2', '2026-02-13', '2026-02-13 10:00+00', 'cancelled', 'VND', false, '1'),  -- counts nowhere
    ('O3', '2026-02-14', '2026-02-14 10:00+00', 'confirmed', 'VND', true, '1'),  -- deleted
    ('O4', '2026-02-16', '2026-02-16 10:00+00', 'confirmed', 'GBP', null, '1'),
    ('O5', '2026-02-18', '2026-02-18 10:00+00', 'confirmed', 'VND', false, '1'),
    ('O5', '2026-02-18', '2026-02-19 10:00+00', 'cancelled', 'VND', false, '2');  -- now cancelled
"""


@pytest.fixture
def connection():
    with duckdb.connect() as con:
        con.execute(RAW)
        yield con


def test_gaps_in_the_reporting_currency(connection):
    assert fx_coverage_gaps(connection, "USD") == [
        ("JPY", dt.date(2026, 3, 20)),
        ("VND", dt.date(2026, 2, 22)),
    ]


def test_a_wider_window_closes_the_stale_rate_gap(connection):
    assert fx_coverage_gaps(connection, "usd", window_days=16) == [("VND", dt.date(2026, 2, 22))]


def test_a_rate_counts_only_when_one_base_quotes_both_currencies_that_day(connection):
    # In EUR, NGN (quoted only against USD) cannot convert; USD itself now needs a rate.
    assert fx_coverage_gaps(connection, "EUR") == [
        ("JPY", dt.date(2026, 3, 20)),
        ("NGN", dt.date(2026, 2, 22)),
        ("USD", dt.date(2026, 1, 2)),
        ("VND", dt.date(2026, 2, 22)),
    ]


def test_ad_spend_counts_once_its_table_exists(connection):
    connection.execute(
        'create schema raw_ads; create table raw_ads.ad_spend ("date" date, currency varchar);'
        "insert into raw_ads.ad_spend values ('2026-02-11', 'TRY'), ('2026-02-25', 'TRY')"
    )
    assert ("TRY", dt.date(2026, 2, 25)) in fx_coverage_gaps(connection, "USD")
    assert ("TRY", dt.date(2026, 2, 11)) not in fx_coverage_gaps(connection, "USD")


def test_without_any_rates_every_needed_pair_is_a_gap():
    with duckdb.connect() as con:
        con.execute(
            "create schema raw_erp; create table raw_erp.costs (cost_id varchar, cost_date date, "
            "currency varchar, posted_at timestamptz, _dlt_load_id varchar);"
            "insert into raw_erp.costs values ('C1', '2026-02-10', 'EUR', now(), '1')"
        )
        assert fx_coverage_gaps(con, "USD") == [("EUR", dt.date(2026, 2, 10))]
