"""The FX coverage quality check: every (currency, date) a money fact needs has a usable rate.

Mirrors the warehouse's conversion rule (docs/metrics.md#currency-conversion, dbt model
int_fx_factors_resolved): an amount in currency C on date d converts into the reporting
currency R when, on some day d' with d - window_days <= d' <= d, one base currency quotes
both C and R (a base's own rate is 1 on every day it publishes). Run it on the raw tables
right after loading, before dbt, to name what is missing while it can still be fetched.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .settings import FALLBACK_WINDOW_DAYS

# The money facts and the date each is converted on (as in int_fx_pairs_unioned): ad spend by
# date, ERP costs by cost_date (latest version), orders that count (latest version, not
# deleted, confirmed) by order_date.
_NEEDS = {
    ("raw_ads", "ad_spend"): """
        select currency, cast("date" as date) as business_date
        from raw_ads.ad_spend
    """,
    ("raw_erp", "costs"): """
        select currency, cast(cost_date as date) as business_date
        from raw_erp.costs
        qualify row_number() over (
            partition by cost_id order by posted_at desc nulls last, _dlt_load_id desc nulls last
        ) = 1
    """,
    ("raw_crm", "orders"): """
        select currency, order_date as business_date
        from (
            select currency, cast(order_date as date) as order_date, is_deleted, status
            from raw_crm.orders
            qualify row_number() over (
                partition by order_id
                order by updated_at desc nulls last, _dlt_load_id desc nulls last
            ) = 1
        )
        where not coalesce(is_deleted, false) and lower(trim(status)) = 'confirmed'
    """,
}


def _existing_tables(connection: Any) -> set[tuple[str, str]]:
    rows = connection.execute(
        "select table_schema, table_name from information_schema.tables"
    ).fetchall()
    return {(schema, table) for schema, table in rows}


def fx_coverage_gaps(
    connection: Any, reporting_currency: str, window_days: int = FALLBACK_WINDOW_DAYS
) -> list[tuple[str, dt.date]]:
    """(currency, date) pairs that raw facts need converted into `reporting_currency` but
    that have no usable rate within `window_days`, sorted. Empty list: coverage is complete.

    `connection` is a DuckDB connection to the warehouse (raw_* schemas). Raw tables not
    loaded yet are skipped; if raw_fx.rates is missing, every needed pair is a gap.
    """
    reporting = reporting_currency.strip().upper()
    if len(reporting) != 3 or not reporting.isalpha():
        raise ValueError(f"reporting currency {reporting_currency!r} is not an ISO-4217 code")
    tables = _existing_tables(connection)
    needs = [sql for table, sql in _NEEDS.items() if table in tables]
    if not needs:
        return []
    needed = " union all ".join(f"({sql})" for sql in needs)
    if ("raw_fx", "rates") in tables:
        published = """
            select cast("date" as date) as rate_date, upper(trim(base_currency)) as base_currency,
                upper(trim(quote_currency)) as quote_currency
            from raw_fx.rates
            where rate > 0 and upper(trim(base_currency)) <> upper(trim(quote_currency))
        """
    else:
        published = (
            "select cast(null as date) as rate_date, cast(null as varchar) as base_currency, "
            "cast(null as varchar) as quote_currency where false"
        )
    sql = f"""
        with needed as ({needed}),
        pairs as (
            select distinct upper(trim(currency)) as currency, business_date
            from needed
            where nullif(trim(currency), '') is not null and business_date is not null
                and upper(trim(currency)) <> $reporting
        ),
        published as ({published}),
        rates as (
            select rate_date, base_currency, quote_currency from published
            union
            select distinct rate_date, base_currency, base_currency from published
        ),
        covered as (
            select distinct pairs.currency, pairs.business_date
            from pairs
            inner join rates as source_rates
                on source_rates.quote_currency = pairs.currency
                and source_rates.rate_date between pairs.business_date - cast($window as integer)
                    and pairs.business_date
            inner join rates as reporting_rates
                on reporting_rates.base_currency = source_rates.base_currency
                and reporting_rates.rate_date = source_rates.rate_date
                and reporting_rates.quote_currency = $reporting
        )
        select currency, business_date from pairs
        except
        select currency, business_date from covered
        order by currency, business_date
    """
    rows = connection.execute(sql, {"reporting": reporting, "window": int(window_days)}).fetchall()
    return [(currency, business_date) for currency, business_date in rows]
