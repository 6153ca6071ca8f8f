"""Acceptance test: ``marts.mart_project_roi`` on a small file drop worked out by hand.

Every expected number below was derived by hand from docs/metrics.md and
cross-checked once by an independent throwaway computation. Nothing here re-implements the
pipeline: the tables are literals, and each non-trivial number carries its arithmetic.

The fixture: tests/fixtures/small_drop/ (drop 1) and tests/fixtures/small_drop_update/ (drop 2,
only new and changed rows, per docs/file-drop.md). Reporting currency USD.

FX (fx_rates.csv, base EUR, weekdays only; "rate" = units of quote per 1 EUR)

    date            USD   JPY  CNY
    2026-02-23 Mon  1.25
    2026-03-06 Fri  1.25  160
    2026-03-09 Mon  1.20  150       differs on purpose: a weekend row that takes Monday's
                                    rate instead of Friday's gets a different number
    2026-03-10 Tue  1.25   -        no JPY: a JPY amount dated 03-10 must use 03-09, the latest
                                    date that has BOTH rates (not JPY of 03-09 with USD of 03-10)
    2026-03-16 Mon  1.25  160   8
    2026-03-19 Thu  1.25
    2026-03-23 Mon  1.25  160
    2026-04-02 Thu  1.25  160       2026-04-03 is Good Friday and 2026-04-06 Easter Monday: no
                                    ECB rates, amounts of those days fall back to Thursday 04-02
    2026-04-20 Mon  1.25  160       after the data's end; FX dates are not business dates

    At 1.25 and 160: 1 EUR = 1.25 USD, 1 JPY = 1.25 / 160 = 0.0078125 USD, 1 CNY = 1.25 / 8 USD.

Story of drop 1, row by row

    projects   P-DE (EUR), launch 2026-02-01; P-JP (JPY), launch 2026-02-02. launch_date is not a
               business date: P-JP's first business date is 2026-03-06, so it has no February rows.
    ad_spend   2026-02-23 Mon google   P-DE   400 EUR            -> 500 USD
               2026-03-07 Sat google   P-DE   200 EUR  Fri rate  -> 250 USD  (Monday's: 240)
               2026-03-10 Tue meta     P-DE    80 EUR            -> 100 USD
               2026-03-19 Thu linkedin P-DE   150 USD            -> 150 USD  (150 / 1.25 * 1.25)
               2026-03-08 Sun google   P-JP 32000 JPY  Fri rate  -> 250 USD  (Monday's: 256)
               2026-03-16 Mon meta     P-JP 16000 JPY            -> 125 USD
               2026-04-06 Mon google   P-JP  8000 JPY  Thu rate  ->  62.5 USD (Easter Monday)
    erp_costs  E-DE-1 2026-02-23 marketing     1000 EUR         -> 1250 USD  acquisition
               E-DE-2 2026-03-09 salaries      4000 EUR * 1.20  -> 4800 USD  investment only
               E-DE-3 2026-03-19 sales          400 EUR         ->  500 USD  acquisition
               E-JP-1 2026-03-10 travel       30000 JPY, 03-09  ->  240 USD  (30000 / 150 * 1.20)
               E-JP-2 2026-03-16 localization  4000 CNY         ->  625 USD  (4000 / 8 * 1.25)
               E-JP-3 2026-03-23 marketing    64000 JPY         ->  500 USD  acquisition;
                      posted_at 2026-05-04 is not a business date (must not extend the spine)
    accounts   A-DE-1, A-DE-2 (is_deleted empty = false), A-JP-1, A-JP-2 are customers.
               A-DE-3 is deleted: its won opportunity OP-DE-4, its confirmed order O-DE-5
               (1200 EUR on 03-23) and its ticket T-DE-2 (2026-04-21) count nowhere; they are not
               quarantined either (the account is known), so the run still succeeds.
    leads      L-DE-1 2026-02-17            P-DE's earliest business date: week 02-16, Feb, Q1
               L-DE-2 2026-02-28T22:30-05:00 is 2026-03-01 in UTC: a MARCH lead (week 02-23)
               L-DE-3 2026-03-10T09:00:00 (no offset = UTC); updated_at 2026-04-30 is not a
                      business date (must not extend the spine)
               L-DE-4 deleted: counts nowhere
               L-JP-1 2026-03-06T10:00+09:00  P-JP's earliest business date: week 03-02, March
               L-JP-2 2026-04-01T02:00+09:00 is 2026-03-31 in UTC: a MARCH and Q1 lead
               L-JP-3 2026-04-03
    opportun.  (amount/currency left empty: optional, nothing to convert)
               OP-DE-1 won   2026-02-25T12:00Z -> 2026-03-03T00:00Z            = 5.5 days
               OP-DE-2 won   2026-03-06T07:00+01:00 (06:00Z) -> 03-18T12:00Z   = 12.25 days
                             (ignoring the offset would give 12.208)
               OP-DE-3 lost  closed 2026-03-20
               OP-DE-4 won   on the deleted account A-DE-3: nowhere
               OP-DE-5 open  (proposal), created 2026-04-07
               OP-JP-1 won   2026-03-09T15:00+09:00 (06:00Z) -> 2026-03-16T03:00+09:00, which is
                             Sunday 2026-03-15T18:00Z: closed in week 03-09, not 03-16 = 6.5 days
               OP-JP-2 lost  created 2026-03-20, closed 2026-04-02 (an April / Q2 loss)
               OP-JP-3 won   2026-04-01T10:00+09:00 -> 2026-04-03T13:00+09:00        = 2.125 days
               OP-JP-4 won   but deleted: nowhere
    orders     O-DE-1 2026-03-06 confirmed 1000/400 EUR    -> 1250/500 USD; A-DE-1's first order
               O-DE-2 2026-04-06 confirmed  600/240 EUR    ->  750/300 USD (Easter Monday, Thu
                      rate); April revenue for P-DE, which invests nothing in April: roi NULL
               O-DE-3 2026-03-10 CANCELLED  500 EUR        -> nowhere; A-DE-2 is therefore NOT a
                      new customer in week 03-09 but in week 03-16
               O-DE-4 2026-03-19 confirmed  800/300 EUR    -> 1000/375 USD; A-DE-2's first order
               O-DE-5 deleted account                     -> nowhere
               O-JP-1 2026-03-23 confirmed 160000/64000 JPY -> 1250/500 USD; A-JP-1's first order
               O-JP-2 2026-04-03 confirmed  80000/40000 JPY -> 625/312.5 USD (Good Friday, Thu
                      rate); A-JP-2's first order
               O-JP-3 2026-04-06 confirmed  48000/16000 JPY -> 375/125 USD
    activities ACT-4 (lead L-JP-3) 2026-04-14T10:00+09:00 = 2026-04-14 UTC is the latest business
               date of the warehouse: the data's end date. Every project's spine runs through the
               period holding it, so both projects get an all-zero week 2026-04-13.
    tickets    T-DE-1 (no offsets), T-JP-1 (open), T-DE-2 (deleted account, 2026-04-21: would add a
               week 2026-04-20 if it counted).

Story of drop 2 (loaded after drop 1)

    crm_orders  O-DE-4 updated_at 2026-03-26 (newer): 880 EUR -> 1100 USD. The newer version wins.
                O-JP-1 updated_at 2026-03-23T05:00Z, OLDER than drop 1's 2026-03-24T01:00Z, amount
                       140000 JPY: a stale re-send, must NOT win (revenue stays 1250, not 1093.75).
                O-JP-3 re-sent with is_deleted true and a newer updated_at: deleted.
    ad_spend    2026-04-06 google P-JP restated 8000 -> 12000 JPY: 12000 / 160 * 1.25 = 93.75 USD
                (unversioned file: the later drop wins).
    crm_leads   L-JP-4 2026-04-08T10:00+09:00 (new row): one more P-JP lead in week 04-06 / April.
    All other files hold only their header; their earlier rows stay as they were.

Reading choices where docs/metrics.md leaves room:
    * The base currency's own rate is 1, so an EUR amount needs only a USD rate on d'; a JPY
      amount needs JPY and USD on the same d' (E-JP-1).
    * avg_sales_cycle_days averages the won deals counted in won_deals (closed in the period).
    * cac = acquisition_cost / new_customers is 0, not NULL, when nothing was spent but a
      customer was won (P-JP week 2026-03-30): only a zero denominator gives NULL.
    * Records of a deleted account, cancelled orders and deleted records are not business dates,
      so they neither start nor extend a spine.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import shutil
import tempfile
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from ..conftest import copy_warehouse

# Whole pipeline runs in this file (the first is the session's shared run of small_drop, built
# by whichever file needs it first): tests/conftest.py starts the longest files first.
PIPELINE_RUNS = 3

FIXTURES = Path(__file__).parents[1] / "fixtures"
DROP_1 = FIXTURES / "small_drop"
DROP_2 = FIXTURES / "small_drop_update"

VALUE_COLUMNS = (
    "ad_spend",
    "erp_cost",
    "acquisition_cost",
    "total_investment",
    "revenue",
    "cogs",
    "gross_profit",
    "new_customers",
    "cac",
    "roi",
    "cumulative_investment",
    "cumulative_gross_profit",
    "cumulative_roi",
    "leads",
    "opportunities",
    "won_deals",
    "lost_deals",
    "win_rate",
    "avg_sales_cycle_days",
)
COUNT_COLUMNS = frozenset({"new_customers", "leads", "opportunities", "won_deals", "lost_deals"})
KEY_COLUMNS = ("project_code", "period_grain", "period_start")
CONTRACT_COLUMNS = (*KEY_COLUMNS, "reporting_currency", *VALUE_COLUMNS)

D = dt.date.fromisoformat


def values(
    *,
    ad_spend,
    erp_cost,
    acquisition_cost,
    total_investment,
    revenue,
    cogs,
    gross_profit,
    new_customers,
    cac,
    roi,
    cumulative_investment,
    cumulative_gross_profit,
    cumulative_roi,
    leads,
    opportunities,
    won_deals,
    lost_deals,
    win_rate,
    avg_sales_cycle_days,
) -> dict:
    """One expected mart row; keyword-only so every number is named where it is written."""
    return dict(locals())


# The hand tables keep one period's numbers together, as worked out on paper.
# fmt: off
def quiet(**funnel) -> dict:
    """Funnel columns of a period in which nothing happened in the funnel."""
    base = dict(
        leads=0, opportunities=0, won_deals=0, lost_deals=0,
        win_rate=None, avg_sales_cycle_days=None,
    )
    return base | funnel


# --------------------------------------------------------------------------------------------
# Expected spine. P-DE's earliest business date is L-DE-1 (2026-02-17), P-JP's is L-JP-1
# (2026-03-06); the data's end date is ACT-4 (2026-04-14) for both. Not the launch dates, not
# updated_at/posted_at, not FX dates, not the deleted account's ticket (2026-04-21).
# --------------------------------------------------------------------------------------------
SPINE = {
    "week": {
        *(("P-DE", D(day)) for day in (
            "2026-02-16", "2026-02-23", "2026-03-02", "2026-03-09", "2026-03-16",
            "2026-03-23", "2026-03-30", "2026-04-06", "2026-04-13",
        )),
        *(("P-JP", D(day)) for day in (
            "2026-03-02", "2026-03-09", "2026-03-16", "2026-03-23", "2026-03-30",
            "2026-04-06", "2026-04-13",
        )),
    },
    "month": {
        ("P-DE", D("2026-02-01")), ("P-DE", D("2026-03-01")), ("P-DE", D("2026-04-01")),
        ("P-JP", D("2026-03-01")), ("P-JP", D("2026-04-01")),
    },
    "quarter": {
        ("P-DE", D("2026-01-01")), ("P-DE", D("2026-04-01")),
        ("P-JP", D("2026-01-01")), ("P-JP", D("2026-04-01")),
    },
    # every business date lies in January to June 2026
    "half_year": {("P-DE", D("2026-01-01")), ("P-JP", D("2026-01-01"))},
    "year": {("P-DE", D("2026-01-01")), ("P-JP", D("2026-01-01"))},
}

# --------------------------------------------------------------------------------------------
# Expected rows after drop 1. All money in USD.
# --------------------------------------------------------------------------------------------
EXPECTED_DROP_1 = {
    # ======================================= P-DE, months ======================================
    # Feb: ad 02-23 400 EUR * 1.25 = 500; E-DE-1 marketing 1000 EUR * 1.25 = 1250.
    # Leads: L-DE-1 only (L-DE-2 is a March lead in UTC). Opportunities: OP-DE-1 (02-25).
    ("P-DE", "month", D("2026-02-01")): values(
        ad_spend=500, erp_cost=1250,
        acquisition_cost=500 + 1250,  # ad + marketing
        total_investment=500 + 1250,
        revenue=0, cogs=0, gross_profit=0, new_customers=0,
        cac=None,  # 0 new customers
        roi=(0 - 1750) / 1750,  # -1
        cumulative_investment=1750, cumulative_gross_profit=0,
        cumulative_roi=(0 - 1750) / 1750,
        **quiet(leads=1, opportunities=1),
    ),
    # Mar: ad 250 (Sat 03-07, Fri rate) + 100 (meta 03-10) + 150 (linkedin, USD) = 500.
    # ERP: E-DE-2 salaries 4000 EUR * 1.20 (03-09 rate) = 4800; E-DE-3 sales 400 * 1.25 = 500.
    # Orders: O-DE-1 1000/400 EUR -> 1250/500; O-DE-4 800/300 EUR -> 1000/375. O-DE-3 is
    # cancelled, O-DE-5 belongs to the deleted account.
    ("P-DE", "month", D("2026-03-01")): values(
        ad_spend=250 + 100 + 150,
        erp_cost=4800 + 500,
        acquisition_cost=500 + 500,  # ad + sales; salaries are not acquisition
        total_investment=500 + 5300,  # 5800
        revenue=1250 + 1000,  # 2250
        cogs=500 + 375,  # 875
        gross_profit=2250 - 875,  # 1375
        new_customers=2,  # A-DE-1 (first order 03-06), A-DE-2 (first confirmed 03-19)
        cac=1000 / 2,  # 500
        roi=(1375 - 5800) / 5800,  # -0.76293...
        cumulative_investment=1750 + 5800,  # 7550
        cumulative_gross_profit=0 + 1375,
        cumulative_roi=(1375 - 7550) / 7550,  # -0.81788...
        leads=2,  # L-DE-2 (03-01 UTC), L-DE-3; L-DE-4 is deleted
        opportunities=2,  # OP-DE-2 (03-06), OP-DE-3 (03-10); OP-DE-4 is the deleted account's
        won_deals=2,  # OP-DE-1 (closed 03-03), OP-DE-2 (03-18)
        lost_deals=1,  # OP-DE-3 (03-20)
        win_rate=2 / (2 + 1),
        avg_sales_cycle_days=(5.5 + 12.25) / 2,  # 8.875
    ),
    # Apr: no spend, no cost -> total_investment 0 -> roi NULL although there is revenue:
    # O-DE-2 600/240 EUR on Easter Monday 04-06 at Thu 04-02's 1.25 -> 750/300.
    ("P-DE", "month", D("2026-04-01")): values(
        ad_spend=0, erp_cost=0, acquisition_cost=0, total_investment=0,
        revenue=750, cogs=300, gross_profit=450,
        new_customers=0,  # A-DE-1 was already a customer in March
        cac=None,
        roi=None,  # investment 0
        cumulative_investment=7550,
        cumulative_gross_profit=1375 + 450,  # 1825
        cumulative_roi=(1825 - 7550) / 7550,  # -0.75827...
        **quiet(opportunities=1),  # OP-DE-5 (04-07, still open)
    ),
    # ======================================= P-JP, months ======================================
    # Mar: ad 32000 JPY on Sun 03-08 at Fri 03-06 (160, 1.25) = 250; 16000 JPY on 03-16 = 125.
    # ERP: E-JP-1 travel 30000 JPY on 03-10 at 03-09's 150/1.20 = 240; E-JP-2 localization
    # 4000 CNY / 8 * 1.25 = 625; E-JP-3 marketing 64000 JPY / 160 * 1.25 = 500.
    # Orders: O-JP-1 160000/64000 JPY -> 1250/500.
    ("P-JP", "month", D("2026-03-01")): values(
        ad_spend=250 + 125,  # 375
        erp_cost=240 + 625 + 500,  # 1365
        acquisition_cost=375 + 500,  # ad + marketing: 875
        total_investment=375 + 1365,  # 1740
        revenue=1250, cogs=500, gross_profit=750,
        new_customers=1,  # A-JP-1 (first order 03-23)
        cac=875 / 1,
        roi=(750 - 1740) / 1740,  # -0.56896...
        cumulative_investment=1740, cumulative_gross_profit=750,
        cumulative_roi=(750 - 1740) / 1740,
        leads=2,  # L-JP-1 (03-06), L-JP-2 (2026-04-01T02:00+09:00 = 03-31 UTC)
        opportunities=2,  # OP-JP-1 (03-09), OP-JP-2 (03-20); OP-JP-4 is deleted
        won_deals=1,  # OP-JP-1
        lost_deals=0,  # OP-JP-2 is lost on 04-02, in April
        win_rate=1 / (1 + 0),
        avg_sales_cycle_days=6.5,  # OP-JP-1: 03-09T06:00Z -> 03-15T18:00Z
    ),
    # Apr: ad 8000 JPY on Easter Monday at Thu 04-02 (160, 1.25) = 62.5.
    # Orders: O-JP-2 80000/40000 JPY -> 625/312.5 (Good Friday, Thu rate); O-JP-3 48000/16000
    # JPY -> 375/125 (Easter Monday, Thu rate).
    ("P-JP", "month", D("2026-04-01")): values(
        ad_spend=62.5, erp_cost=0, acquisition_cost=62.5, total_investment=62.5,
        revenue=625 + 375,  # 1000
        cogs=312.5 + 125,  # 437.5
        gross_profit=1000 - 437.5,  # 562.5
        new_customers=1,  # A-JP-2 (first order 04-03)
        cac=62.5 / 1,
        roi=(562.5 - 62.5) / 62.5,  # 8
        cumulative_investment=1740 + 62.5,  # 1802.5
        cumulative_gross_profit=750 + 562.5,  # 1312.5
        cumulative_roi=(1312.5 - 1802.5) / 1802.5,  # -0.27184...
        leads=1,  # L-JP-3
        opportunities=1,  # OP-JP-3 (04-01 UTC)
        won_deals=1,  # OP-JP-3 (04-03)
        lost_deals=1,  # OP-JP-2 (04-02)
        win_rate=1 / (1 + 1),
        avg_sales_cycle_days=2.125,  # OP-JP-3: 04-01T01:00Z -> 04-03T04:00Z
    ),
    # ====================================== P-DE, quarters =====================================
    # Q1 = Feb + Mar; period_start is the quarter's first day although data starts in February.
    ("P-DE", "quarter", D("2026-01-01")): values(
        ad_spend=500 + 500,
        erp_cost=1250 + 5300,  # 6550
        acquisition_cost=1750 + 1000,  # 2750
        total_investment=1750 + 5800,  # 7550
        revenue=2250, cogs=875, gross_profit=1375,
        new_customers=2,
        cac=2750 / 2,  # 1375
        roi=(1375 - 7550) / 7550,
        cumulative_investment=7550, cumulative_gross_profit=1375,
        cumulative_roi=(1375 - 7550) / 7550,
        leads=1 + 2, opportunities=1 + 2, won_deals=2, lost_deals=1,
        win_rate=2 / 3,
        avg_sales_cycle_days=(5.5 + 12.25) / 2,
    ),
    # Q2 = April.
    ("P-DE", "quarter", D("2026-04-01")): values(
        ad_spend=0, erp_cost=0, acquisition_cost=0, total_investment=0,
        revenue=750, cogs=300, gross_profit=450, new_customers=0, cac=None, roi=None,
        cumulative_investment=7550, cumulative_gross_profit=1825,
        cumulative_roi=(1825 - 7550) / 7550,
        **quiet(opportunities=1),
    ),
    # ====================================== P-JP, quarters =====================================
    # Q1 = March only. The UTC edge lives here: L-JP-2 is a Q1 lead (local date says Q2).
    ("P-JP", "quarter", D("2026-01-01")): values(
        ad_spend=375, erp_cost=1365, acquisition_cost=875, total_investment=1740,
        revenue=1250, cogs=500, gross_profit=750, new_customers=1, cac=875,
        roi=(750 - 1740) / 1740,
        cumulative_investment=1740, cumulative_gross_profit=750,
        cumulative_roi=(750 - 1740) / 1740,
        leads=2, opportunities=2, won_deals=1, lost_deals=0, win_rate=1.0,
        avg_sales_cycle_days=6.5,
    ),
    # Q2 = April.
    ("P-JP", "quarter", D("2026-04-01")): values(
        ad_spend=62.5, erp_cost=0, acquisition_cost=62.5, total_investment=62.5,
        revenue=1000, cogs=437.5, gross_profit=562.5, new_customers=1, cac=62.5,
        roi=(562.5 - 62.5) / 62.5,
        cumulative_investment=1802.5, cumulative_gross_profit=1312.5,
        cumulative_roi=(1312.5 - 1802.5) / 1802.5,
        leads=1, opportunities=1, won_deals=1, lost_deals=1, win_rate=0.5,
        avg_sales_cycle_days=2.125,
    ),
    # ================================ P-DE, half-year and year =================================
    # 2026-H1 and 2026 = Q1 + Q2 (every record lies in February to April).
    **{
        ("P-DE", grain, D("2026-01-01")): values(
            ad_spend=1000, erp_cost=6550, acquisition_cost=2750, total_investment=7550,
            revenue=2250 + 750, cogs=875 + 300, gross_profit=1375 + 450,  # 1825
            new_customers=2, cac=2750 / 2,
            roi=(1825 - 7550) / 7550,
            cumulative_investment=7550, cumulative_gross_profit=1825,
            cumulative_roi=(1825 - 7550) / 7550,
            leads=3, opportunities=3 + 1, won_deals=2, lost_deals=1, win_rate=2 / 3,
            avg_sales_cycle_days=(5.5 + 12.25) / 2,
        )
        for grain in ("half_year", "year")
    },
    # ================================ P-JP, half-year and year =================================
    # 2026-H1 and 2026 = Q1 + Q2 (every record lies in March and April).
    **{
        ("P-JP", grain, D("2026-01-01")): values(
            ad_spend=375 + 62.5, erp_cost=1365, acquisition_cost=875 + 62.5,
            total_investment=1740 + 62.5,  # 1802.5
            revenue=1250 + 1000, cogs=500 + 437.5, gross_profit=750 + 562.5,  # 1312.5
            new_customers=2, cac=937.5 / 2,
            roi=(1312.5 - 1802.5) / 1802.5,
            cumulative_investment=1802.5, cumulative_gross_profit=1312.5,
            cumulative_roi=(1312.5 - 1802.5) / 1802.5,
            leads=3, opportunities=3, won_deals=2, lost_deals=1, win_rate=2 / 3,
            avg_sales_cycle_days=(6.5 + 2.125) / 2,  # OP-JP-1 and OP-JP-3
        )
        for grain in ("half_year", "year")
    },
    # ======================================= P-DE, weeks =======================================
    # 02-16: only L-DE-1 (02-17) and its call ACT-1: the spine starts here with zero money, so
    # roi and cumulative_roi are NULL (investment 0, cumulative investment 0).
    ("P-DE", "week", D("2026-02-16")): values(
        ad_spend=0, erp_cost=0, acquisition_cost=0, total_investment=0,
        revenue=0, cogs=0, gross_profit=0, new_customers=0, cac=None, roi=None,
        cumulative_investment=0, cumulative_gross_profit=0, cumulative_roi=None,
        **quiet(leads=1),
    ),
    # 02-23..03-01: ad 500, E-DE-1 1250; OP-DE-1 created 02-25; L-DE-2 created Sun 03-01 UTC.
    ("P-DE", "week", D("2026-02-23")): values(
        ad_spend=500, erp_cost=1250, acquisition_cost=1750, total_investment=1750,
        revenue=0, cogs=0, gross_profit=0, new_customers=0, cac=None,
        roi=(0 - 1750) / 1750,
        cumulative_investment=1750, cumulative_gross_profit=0,
        cumulative_roi=(0 - 1750) / 1750,
        **quiet(leads=1, opportunities=1),
    ),
    # 03-02..03-08, weekend FX: 200 EUR on Sat 03-07 at Fri 03-06's 1.25 = 250 (Monday's 1.20
    # would give 240). O-DE-1 1000/400 EUR -> 1250/500. OP-DE-1 won 03-03 (5.5 days).
    # OP-DE-2 created 03-06T06:00Z.
    ("P-DE", "week", D("2026-03-02")): values(
        ad_spend=200 * 1.25, erp_cost=0, acquisition_cost=250, total_investment=250,
        revenue=1250, cogs=500, gross_profit=750,
        new_customers=1,  # A-DE-1
        cac=250 / 1,
        roi=(750 - 250) / 250,  # 2
        cumulative_investment=1750 + 250,  # 2000
        cumulative_gross_profit=750,
        cumulative_roi=(750 - 2000) / 2000,  # -0.625
        leads=0, opportunities=1, won_deals=1, lost_deals=0, win_rate=1.0,
        avg_sales_cycle_days=5.5,
    ),
    # 03-09..03-15: E-DE-2 salaries 4000 EUR * 1.20 = 4800 (not acquisition); meta 80 EUR = 100.
    # O-DE-3 (03-10) is cancelled: no revenue and A-DE-2 is not a new customer this week.
    # L-DE-3 created (L-DE-4 deleted); OP-DE-3 created 03-10.
    ("P-DE", "week", D("2026-03-09")): values(
        ad_spend=100, erp_cost=4800, acquisition_cost=100,
        total_investment=100 + 4800,  # 4900
        revenue=0, cogs=0, gross_profit=0, new_customers=0, cac=None,
        roi=(0 - 4900) / 4900,
        cumulative_investment=2000 + 4900,  # 6900
        cumulative_gross_profit=750,
        cumulative_roi=(750 - 6900) / 6900,  # -0.89130...
        **quiet(leads=1, opportunities=1),
    ),
    # 03-16..03-22: linkedin 150 USD = 150; E-DE-3 sales 400 EUR = 500; O-DE-4 800/300 EUR ->
    # 1000/375. OP-DE-2 won 03-18 (12.25 days), OP-DE-3 lost 03-20.
    ("P-DE", "week", D("2026-03-16")): values(
        ad_spend=150, erp_cost=500,
        acquisition_cost=150 + 500,  # 650
        total_investment=150 + 500,
        revenue=1000, cogs=375, gross_profit=625,
        new_customers=1,  # A-DE-2: first CONFIRMED order 03-19
        cac=650 / 1,
        roi=(625 - 650) / 650,  # -0.03846...
        cumulative_investment=6900 + 650,  # 7550
        cumulative_gross_profit=750 + 625,  # 1375
        cumulative_roi=(1375 - 7550) / 7550,
        leads=0, opportunities=0, won_deals=1, lost_deals=1, win_rate=1 / 2,
        avg_sales_cycle_days=12.25,
    ),
    # 03-23..03-29: only the deleted account's O-DE-5 (1200 EUR) and OP-DE-4: nothing counts.
    ("P-DE", "week", D("2026-03-23")): values(
        ad_spend=0, erp_cost=0, acquisition_cost=0, total_investment=0,
        revenue=0, cogs=0, gross_profit=0, new_customers=0, cac=None, roi=None,
        cumulative_investment=7550, cumulative_gross_profit=1375,
        cumulative_roi=(1375 - 7550) / 7550,
        **quiet(),
    ),
    # 03-30..04-05: nothing for P-DE; the spine has no holes.
    ("P-DE", "week", D("2026-03-30")): values(
        ad_spend=0, erp_cost=0, acquisition_cost=0, total_investment=0,
        revenue=0, cogs=0, gross_profit=0, new_customers=0, cac=None, roi=None,
        cumulative_investment=7550, cumulative_gross_profit=1375,
        cumulative_roi=(1375 - 7550) / 7550,
        **quiet(),
    ),
    # 04-06..04-12: O-DE-2 600/240 EUR on Easter Monday at Thu 04-02's 1.25 -> 750/300;
    # OP-DE-5 created 04-07.
    ("P-DE", "week", D("2026-04-06")): values(
        ad_spend=0, erp_cost=0, acquisition_cost=0, total_investment=0,
        revenue=600 * 1.25, cogs=240 * 1.25, gross_profit=750 - 300,
        new_customers=0, cac=None, roi=None,
        cumulative_investment=7550,
        cumulative_gross_profit=1375 + 450,  # 1825
        cumulative_roi=(1825 - 7550) / 7550,
        **quiet(opportunities=1),
    ),
    # 04-13..04-19: P-DE has nothing, but the data's end date (ACT-4 of P-JP, 04-14) is here.
    ("P-DE", "week", D("2026-04-13")): values(
        ad_spend=0, erp_cost=0, acquisition_cost=0, total_investment=0,
        revenue=0, cogs=0, gross_profit=0, new_customers=0, cac=None, roi=None,
        cumulative_investment=7550, cumulative_gross_profit=1825,
        cumulative_roi=(1825 - 7550) / 7550,
        **quiet(),
    ),
    # ======================================= P-JP, weeks =======================================
    # 03-02..03-08, first P-JP week (L-JP-1 on 03-06) and weekend FX: 32000 JPY on Sun 03-08
    # at Fri 03-06 = 32000 / 160 * 1.25 = 250 (Monday's 150/1.20 would give 256).
    ("P-JP", "week", D("2026-03-02")): values(
        ad_spend=32000 / 160 * 1.25, erp_cost=0, acquisition_cost=250, total_investment=250,
        revenue=0, cogs=0, gross_profit=0, new_customers=0, cac=None,
        roi=(0 - 250) / 250,
        cumulative_investment=250, cumulative_gross_profit=0,
        cumulative_roi=(0 - 250) / 250,
        **quiet(leads=1),
    ),
    # 03-09..03-15: E-JP-1 travel 30000 JPY on Tue 03-10, which has a USD rate but no JPY rate:
    # the latest date with both is Mon 03-09 -> 30000 / 150 * 1.20 = 240 (not acquisition).
    # OP-JP-1 created 03-09T06:00Z and won 2026-03-16T03:00+09:00 = Sun 03-15T18:00Z: its win
    # lands in THIS week (the local date would put it in week 03-16). Cycle 6.5 days.
    ("P-JP", "week", D("2026-03-09")): values(
        ad_spend=0, erp_cost=30000 / 150 * 1.20, acquisition_cost=0, total_investment=240,
        revenue=0, cogs=0, gross_profit=0, new_customers=0, cac=None,
        roi=(0 - 240) / 240,
        cumulative_investment=250 + 240,  # 490
        cumulative_gross_profit=0,
        cumulative_roi=(0 - 490) / 490,
        leads=0, opportunities=1, won_deals=1, lost_deals=0, win_rate=1.0,
        avg_sales_cycle_days=6.5,
    ),
    # 03-16..03-22: meta 16000 JPY = 125; E-JP-2 localization 4000 CNY / 8 * 1.25 = 625
    # (not acquisition). OP-JP-2 created 03-20.
    ("P-JP", "week", D("2026-03-16")): values(
        ad_spend=125, erp_cost=625, acquisition_cost=125,
        total_investment=125 + 625,  # 750
        revenue=0, cogs=0, gross_profit=0, new_customers=0, cac=None,
        roi=(0 - 750) / 750,
        cumulative_investment=490 + 750,  # 1240
        cumulative_gross_profit=0,
        cumulative_roi=(0 - 1240) / 1240,
        **quiet(opportunities=1),
    ),
    # 03-23..03-29: E-JP-3 marketing 64000 JPY = 500; O-JP-1 160000/64000 JPY -> 1250/500.
    ("P-JP", "week", D("2026-03-23")): values(
        ad_spend=0, erp_cost=500, acquisition_cost=500, total_investment=500,
        revenue=1250, cogs=500, gross_profit=750,
        new_customers=1,  # A-JP-1
        cac=500 / 1,
        roi=(750 - 500) / 500,  # 0.5
        cumulative_investment=1240 + 500,  # 1740
        cumulative_gross_profit=750,
        cumulative_roi=(750 - 1740) / 1740,
        **quiet(),
    ),
    # 03-30..04-05, UTC edge: L-JP-2 (03-31 UTC) and L-JP-3 (04-03) -> 2 leads. OP-JP-3 created
    # 04-01 and won 04-03 (2.125 days), OP-JP-2 lost 04-02. O-JP-2 80000/40000 JPY on Good
    # Friday at Thu 04-02 -> 625/312.5. No money spent: roi NULL, but cac = 0 / 1 = 0.
    ("P-JP", "week", D("2026-03-30")): values(
        ad_spend=0, erp_cost=0, acquisition_cost=0, total_investment=0,
        revenue=80000 / 160 * 1.25, cogs=40000 / 160 * 1.25, gross_profit=625 - 312.5,
        new_customers=1,  # A-JP-2
        cac=0 / 1,  # denominator 1: zero, not NULL
        roi=None,
        cumulative_investment=1740,
        cumulative_gross_profit=750 + 312.5,  # 1062.5
        cumulative_roi=(1062.5 - 1740) / 1740,  # -0.38936...
        leads=2, opportunities=1, won_deals=1, lost_deals=1, win_rate=1 / 2,
        avg_sales_cycle_days=2.125,
    ),
    # 04-06..04-12: ad 8000 JPY on Easter Monday at Thu 04-02 = 62.5; O-JP-3 48000/16000 JPY
    # -> 375/125. OP-JP-4 (won 04-06) is deleted.
    ("P-JP", "week", D("2026-04-06")): values(
        ad_spend=8000 / 160 * 1.25, erp_cost=0, acquisition_cost=62.5, total_investment=62.5,
        revenue=375, cogs=125, gross_profit=250,
        new_customers=0,  # A-JP-1's first order was 03-23
        cac=None,
        roi=(250 - 62.5) / 62.5,  # 3
        cumulative_investment=1740 + 62.5,  # 1802.5
        cumulative_gross_profit=1062.5 + 250,  # 1312.5
        cumulative_roi=(1312.5 - 1802.5) / 1802.5,
        **quiet(),
    ),
    # 04-13..04-19: ACT-4 on 04-14 is the data's end date; no money, no funnel.
    ("P-JP", "week", D("2026-04-13")): values(
        ad_spend=0, erp_cost=0, acquisition_cost=0, total_investment=0,
        revenue=0, cogs=0, gross_profit=0, new_customers=0, cac=None, roi=None,
        cumulative_investment=1802.5, cumulative_gross_profit=1312.5,
        cumulative_roi=(1312.5 - 1802.5) / 1802.5,
        **quiet(),
    ),
}

# --------------------------------------------------------------------------------------------
# Rows that drop 2 changes, written as "drop-1 row with these differences". Every row not
# listed here must stay exactly as it was.
# --------------------------------------------------------------------------------------------


def changed(key, **differences) -> dict:
    assert set(differences) <= set(VALUE_COLUMNS), differences
    return EXPECTED_DROP_1[key] | differences


# P-DE: O-DE-4's newer version is 880 EUR -> 1100 USD (was 1000): +100 revenue and gross profit
# in week 03-16, March and Q1, and +100 cumulative gross profit from week 03-16 onwards.
# P-JP: week 04-06 / April / Q2 get ad 12000 JPY / 160 * 1.25 = 93.75 (restated, was 62.5),
# lose O-JP-3 (deleted: -375 revenue, -125 cogs) and gain lead L-JP-4 (04-08 UTC).
# O-JP-1's stale re-send changes nothing: week 03-23, March and Q1 of P-JP are not listed.
EXPECTED_DROP_2_CHANGES = {
    ("P-DE", "week", D("2026-03-16")): changed(
        ("P-DE", "week", D("2026-03-16")),
        revenue=1100, gross_profit=1100 - 375,  # 725
        roi=(725 - 650) / 650,  # 0.11538...
        cumulative_gross_profit=750 + 725,  # 1475
        cumulative_roi=(1475 - 7550) / 7550,  # -0.80463...
    ),
    ("P-DE", "week", D("2026-03-23")): changed(
        ("P-DE", "week", D("2026-03-23")),
        cumulative_gross_profit=1475, cumulative_roi=(1475 - 7550) / 7550,
    ),
    ("P-DE", "week", D("2026-03-30")): changed(
        ("P-DE", "week", D("2026-03-30")),
        cumulative_gross_profit=1475, cumulative_roi=(1475 - 7550) / 7550,
    ),
    ("P-DE", "week", D("2026-04-06")): changed(
        ("P-DE", "week", D("2026-04-06")),
        cumulative_gross_profit=1475 + 450,  # 1925
        cumulative_roi=(1925 - 7550) / 7550,  # -0.74503...
    ),
    ("P-DE", "week", D("2026-04-13")): changed(
        ("P-DE", "week", D("2026-04-13")),
        cumulative_gross_profit=1925, cumulative_roi=(1925 - 7550) / 7550,
    ),
    ("P-DE", "month", D("2026-03-01")): changed(
        ("P-DE", "month", D("2026-03-01")),
        revenue=1250 + 1100,  # 2350
        gross_profit=2350 - 875,  # 1475
        roi=(1475 - 5800) / 5800,  # -0.74568...
        cumulative_gross_profit=1475,
        cumulative_roi=(1475 - 7550) / 7550,
    ),
    ("P-DE", "month", D("2026-04-01")): changed(
        ("P-DE", "month", D("2026-04-01")),
        cumulative_gross_profit=1475 + 450, cumulative_roi=(1925 - 7550) / 7550,
    ),
    ("P-DE", "quarter", D("2026-01-01")): changed(
        ("P-DE", "quarter", D("2026-01-01")),
        revenue=2350, gross_profit=1475,
        roi=(1475 - 7550) / 7550,
        cumulative_gross_profit=1475, cumulative_roi=(1475 - 7550) / 7550,
    ),
    ("P-DE", "quarter", D("2026-04-01")): changed(
        ("P-DE", "quarter", D("2026-04-01")),
        cumulative_gross_profit=1925, cumulative_roi=(1925 - 7550) / 7550,
    ),
    ("P-JP", "week", D("2026-04-06")): changed(
        ("P-JP", "week", D("2026-04-06")),
        ad_spend=12000 / 160 * 1.25,  # 93.75
        acquisition_cost=93.75, total_investment=93.75,
        revenue=0, cogs=0, gross_profit=0,  # O-JP-3 deleted
        roi=(0 - 93.75) / 93.75,  # -1
        cumulative_investment=1740 + 93.75,  # 1833.75
        cumulative_gross_profit=1062.5,
        cumulative_roi=(1062.5 - 1833.75) / 1833.75,  # -0.42058...
        leads=1,  # L-JP-4
    ),
    ("P-JP", "week", D("2026-04-13")): changed(
        ("P-JP", "week", D("2026-04-13")),
        cumulative_investment=1833.75, cumulative_gross_profit=1062.5,
        cumulative_roi=(1062.5 - 1833.75) / 1833.75,
    ),
    ("P-JP", "month", D("2026-04-01")): changed(
        ("P-JP", "month", D("2026-04-01")),
        ad_spend=93.75, acquisition_cost=93.75, total_investment=93.75,
        revenue=625, cogs=312.5, gross_profit=625 - 312.5,  # only O-JP-2 is left
        cac=93.75 / 1,  # A-JP-2 is still April's new customer
        roi=(312.5 - 93.75) / 93.75,  # 2.3333...
        cumulative_investment=1833.75,
        cumulative_gross_profit=750 + 312.5,  # 1062.5
        cumulative_roi=(1062.5 - 1833.75) / 1833.75,
        leads=1 + 1,  # L-JP-3, L-JP-4
    ),
    ("P-JP", "quarter", D("2026-04-01")): changed(
        ("P-JP", "quarter", D("2026-04-01")),
        ad_spend=93.75, acquisition_cost=93.75, total_investment=93.75,
        revenue=625, cogs=312.5, gross_profit=312.5, cac=93.75,
        roi=(312.5 - 93.75) / 93.75,
        cumulative_investment=1833.75, cumulative_gross_profit=1062.5,
        cumulative_roi=(1062.5 - 1833.75) / 1833.75,
        leads=2,
    ),
    # the half-year and the year hold Q1 + Q2 of each project
    **{
        ("P-DE", grain, D("2026-01-01")): changed(
            ("P-DE", grain, D("2026-01-01")),
            revenue=2350 + 750, gross_profit=1475 + 450,  # 1925
            roi=(1925 - 7550) / 7550,
            cumulative_gross_profit=1925, cumulative_roi=(1925 - 7550) / 7550,
        )
        for grain in ("half_year", "year")
    },
    **{
        ("P-JP", grain, D("2026-01-01")): changed(
            ("P-JP", grain, D("2026-01-01")),
            ad_spend=375 + 93.75, acquisition_cost=875 + 93.75,  # 968.75
            total_investment=1740 + 93.75,  # 1833.75
            revenue=1250 + 625, cogs=500 + 312.5, gross_profit=750 + 312.5,  # 1062.5
            cac=968.75 / 2,
            roi=(1062.5 - 1833.75) / 1833.75,
            cumulative_investment=1833.75, cumulative_gross_profit=1062.5,
            cumulative_roi=(1062.5 - 1833.75) / 1833.75,
            leads=2 + 2,
        )
        for grain in ("half_year", "year")
    },
}


# fmt: on


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def _row_id(key) -> str:
    project, grain, start = key
    return f"{project}-{grain}-{start.isoformat()}"


def _plain(value):
    """DECIMAL comes back as Decimal; compare as float (exactness is not at stake here)."""
    return float(value) if isinstance(value, Decimal) else value


def _run(drop: Path, workdir: Path, warehouse: Path, full_refresh: bool = False):
    # Imported here, not at module level, so that collecting the suite does not fail while the
    # runner does not exist yet.
    from roi.runner import run_pipeline

    # The pipeline reads a copy: a drop lands outside the repository in real use, and nothing
    # the run might write beside its input can touch the committed fixture.
    landed = Path(tempfile.mkdtemp(prefix="landed-", dir=workdir)) / drop.name
    shutil.copytree(drop, landed)
    result = run_pipeline(
        data_dir=landed, warehouse=warehouse, reporting_currency="USD", full_refresh=full_refresh
    )
    assert result.success, f"run over {drop.name} did not publish the marts: {result!r}"
    assert result.same_as_run is None, f"run over {drop.name} stopped early: {result!r}"
    return result


def _read_rows(warehouse: Path) -> list[dict]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(
            f"select {', '.join(CONTRACT_COLUMNS)} from marts.mart_project_roi"
        ).fetchall()
    finally:
        con.close()
    return [
        {column: _plain(value) for column, value in zip(CONTRACT_COLUMNS, row, strict=True)}
        for row in rows
    ]


def _by_key(rows: list[dict]) -> dict:
    return {(r["project_code"], r["period_grain"], r["period_start"]): r for r in rows}


def _full_snapshot(warehouse: Path) -> tuple[list[str], list[tuple]]:
    """Every column of the mart except load metadata (names starting with '_', e.g. a run id),
    ordered by the mart's key."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        columns = [
            name
            for (name,) in con.execute(
                "select column_name from information_schema.columns"
                " where table_schema = 'marts' and table_name = 'mart_project_roi'"
                " order by ordinal_position"
            ).fetchall()
            if not name.startswith("_")
        ]
        rows = con.execute(
            f"select {', '.join(columns)} from marts.mart_project_roi"
            f" order by {', '.join(KEY_COLUMNS)}"
        ).fetchall()
    finally:
        con.close()
    return columns, rows


def _rows_from_snapshot(snapshot) -> list[dict]:
    columns, rows = snapshot
    return [{c: _plain(v) for c, v in zip(columns, row, strict=True)} for row in rows]


def _same_value(before, after) -> bool:
    if isinstance(before, float) and isinstance(after, float):
        # Equal up to float summation noise; a real change in this fixture is >= 0.01.
        return math.isclose(before, after, rel_tol=1e-12, abs_tol=1e-9)
    return before == after


def _assert_row(actual: dict | None, expected: dict, key) -> None:
    assert actual is not None, f"no mart row for {_row_id(key)}"
    problems = []
    for column, want in expected.items():
        got = actual[column]
        if want is None:
            ok = got is None
        elif column in COUNT_COLUMNS:
            ok = got is not None and got == want
        else:
            ok = got is not None and got == pytest.approx(want, abs=1e-6)
        if not ok:
            problems.append(f"{column}: expected {want!r}, got {got!r}")
    assert not problems, f"{_row_id(key)}:\n  " + "\n  ".join(problems)


# --------------------------------------------------------------------------------------------
# Fixtures: each builds its own warehouse from nothing, so no test depends on another's order.
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def replay(tmp_path_factory, small_drop_published) -> dict:
    """drop 1, the same drop 1 again, then drop 2, all into one warehouse; snapshots between."""
    # GIVEN an empty warehouse and the hand-checkable drop 1, WHEN one `roi run` loads it
    # (the session's shared run, tests/conftest.py; THEN, in the tests, the published mart
    # holds exactly the hand-computed rows)
    first = small_drop_published
    snapshots = {"run of drop 1": first}
    snapshots["reports of drop 1"] = {
        Path(path).name: Path(path).read_text(encoding="utf-8") for path in first.reports
    }
    snapshots["rows after drop 1"] = _read_rows(first.warehouse)
    snapshots["after drop 1"] = _full_snapshot(first.warehouse)
    # AND THEN the same drop again, then drop 2, into (a copy of) that warehouse. The rerun
    # is asked to rebuild (--full-refresh): a plain rerun of an unchanged drop stops before
    # loading (test_unchanged_rerun.py), and this one must reload and rebuild everything.
    workdir = tmp_path_factory.mktemp("roi_replay")
    warehouse = copy_warehouse(first.warehouse, workdir / "roi.duckdb")
    _run(DROP_1, workdir, warehouse, full_refresh=True)
    snapshots["after drop 1 again"] = _full_snapshot(warehouse)
    _run(DROP_2, workdir, warehouse)
    snapshots["after drop 2"] = _full_snapshot(warehouse)
    snapshots["rows after drop 2"] = _read_rows(warehouse)
    return snapshots


@pytest.fixture(scope="module")
def drop_1_rows(replay) -> list[dict]:
    return replay["rows after drop 1"]


# --------------------------------------------------------------------------------------------
# Drop 1
# --------------------------------------------------------------------------------------------


def test_expected_table_covers_exactly_the_spine():
    # Guards the literals in this file against editing slips; needs no pipeline.
    spine_keys = {(p, grain, start) for grain, keys in SPINE.items() for p, start in keys}
    assert set(EXPECTED_DROP_1) == spine_keys
    assert set(EXPECTED_DROP_2_CHANGES) <= spine_keys


def test_one_row_per_project_grain_and_period(drop_1_rows):
    keys = [(r["project_code"], r["period_grain"], r["period_start"]) for r in drop_1_rows]
    duplicates = sorted({_row_id(k) for k in keys if keys.count(k) > 1})
    assert not duplicates, f"duplicate mart keys: {duplicates}"


def test_period_start_is_a_date(drop_1_rows):
    wrong = {type(r["period_start"]).__name__ for r in drop_1_rows} - {"date"}
    assert not wrong, f"period_start must be DATE, got {wrong}"


@pytest.mark.parametrize("grain", ["week", "month", "quarter", "half_year", "year"])
def test_spine_per_grain(drop_1_rows, grain):
    # GIVEN P-DE's first business date 2026-02-17, P-JP's 2026-03-06 (not the launch dates) and
    #       the data's end date 2026-04-14 (ACT-4), ignoring updated_at/posted_at, FX dates and
    #       the deleted account's ticket of 2026-04-21
    # WHEN drop 1 is loaded
    # THEN each project has every period from its own first one through the end, and no other
    actual = {
        (r["project_code"], r["period_start"]) for r in drop_1_rows if r["period_grain"] == grain
    }
    assert actual == SPINE[grain], (
        f"missing: {sorted(SPINE[grain] - actual)}; unexpected: {sorted(actual - SPINE[grain])}"
    )


def test_no_other_grains(drop_1_rows):
    assert {r["period_grain"] for r in drop_1_rows} == {
        "week",
        "month",
        "quarter",
        "half_year",
        "year",
    }


def test_reporting_currency_is_usd_on_every_row(drop_1_rows):
    assert {r["reporting_currency"] for r in drop_1_rows} == {"USD"}


@pytest.mark.parametrize("key", list(EXPECTED_DROP_1), ids=_row_id)
def test_row_equals_hand_computed_values(drop_1_rows, key):
    # GIVEN drop 1 (see the module docstring for what each source row exercises)
    # WHEN it is loaded into an empty warehouse
    # THEN the row of this project, grain and period equals the hand-computed one
    _assert_row(_by_key(drop_1_rows).get(key), EXPECTED_DROP_1[key], key)


# --------------------------------------------------------------------------------------------
# Re-running a drop, then loading a drop of changes
# --------------------------------------------------------------------------------------------


def test_rerunning_the_same_drop_changes_nothing(replay):
    # GIVEN a warehouse holding drop 1
    columns_before, before = replay["after drop 1"]
    # WHEN the very same drop is run again
    columns_after, after = replay["after drop 1 again"]
    # THEN the mart is unchanged: same columns, same rows, same values
    assert columns_after == columns_before
    assert len(after) == len(before), f"{len(before)} rows before, {len(after)} after"
    differences = [
        (b[:3], columns_before[i], b[i], a[i])
        for b, a in zip(before, after, strict=True)
        for i in range(len(columns_before))
        if not _same_value(b[i], a[i])
    ]
    assert not differences, f"(key, column, before, after): {differences[:20]}"


def test_the_replayed_drop_1_still_matches_the_hand_table(replay):
    rows = _by_key(_rows_from_snapshot(replay["after drop 1 again"]))
    for key, expected in EXPECTED_DROP_1.items():
        _assert_row(rows.get(key), expected, key)


def test_drop_2_keeps_the_spine(replay):
    # GIVEN drop 2 adds nothing outside 2026-03-06..2026-04-14 and deletes no end-date record
    rows = replay["rows after drop 2"]
    for grain, expected in SPINE.items():
        actual = {
            (r["project_code"], r["period_start"]) for r in rows if r["period_grain"] == grain
        }
        assert actual == expected, f"{grain}: {sorted(actual ^ expected)}"


@pytest.mark.parametrize("key", list(EXPECTED_DROP_2_CHANGES), ids=_row_id)
def test_drop_2_changes_exactly_these_rows(replay, key):
    # GIVEN drop 1 loaded (twice)
    # WHEN drop 2 arrives: a newer O-DE-4 (880 EUR), a stale O-JP-1 (older updated_at), O-JP-3
    #      deleted, the 2026-04-06 P-JP google spend restated to 12000 JPY, a new lead L-JP-4
    # THEN this row changed exactly as worked out by hand
    _assert_row(_by_key(replay["rows after drop 2"]).get(key), EXPECTED_DROP_2_CHANGES[key], key)


def test_drop_2_leaves_every_other_row_as_it_was(replay):
    # GIVEN the mart after drop 1 and after drop 2
    before = _by_key(_rows_from_snapshot(replay["after drop 1"]))
    after = _by_key(replay["rows after drop 2"])
    # THEN rows that drop 2 does not touch still hold the drop-1 values (stale O-JP-1 included)
    for key, expected in EXPECTED_DROP_1.items():
        if key not in EXPECTED_DROP_2_CHANGES:
            _assert_row(after.get(key), expected, key)
            _assert_row(after.get(key), {c: before[key][c] for c in VALUE_COLUMNS}, key)


def test_stale_resend_does_not_win(replay):
    # GIVEN O-JP-1 = 160000 JPY (updated 2026-03-24T01:00Z) in drop 1
    # WHEN drop 2 re-sends it as 140000 JPY with the OLDER updated_at 2026-03-23T05:00Z
    # THEN revenue stays 160000 / 160 * 1.25 = 1250, not 140000 / 160 * 1.25 = 1093.75
    rows = _by_key(replay["rows after drop 2"])
    for key in (
        ("P-JP", "week", D("2026-03-23")),
        ("P-JP", "month", D("2026-03-01")),
        ("P-JP", "quarter", D("2026-01-01")),
    ):
        assert rows[key]["revenue"] == pytest.approx(1250, abs=1e-6), _row_id(key)


def test_newer_version_wins(replay):
    # GIVEN O-DE-4 = 800 EUR in drop 1; WHEN drop 2 sends 880 EUR with a newer updated_at
    # THEN March revenue of P-DE is 1250 (O-DE-1) + 880 * 1.25 = 2350
    rows = _by_key(replay["rows after drop 2"])
    assert rows[("P-DE", "month", D("2026-03-01"))]["revenue"] == pytest.approx(2350, abs=1e-6)


def test_the_run_ends_with_the_report_of_the_last_complete_quarter(replay):
    """The data ends in April 2026, so an ad-hoc run reports 2026-Q1, in both languages,
    with the quarter rows of the hand table above (whole USD; ROI to one decimal):
    P-DE 7,550 invested, 1,375 gross profit, ROI (1375 - 7550) / 7550 = -81.8%;
    P-JP 1,740 and 750, ROI (750 - 1740) / 1740 = -56.9%;
    all projects 9,290 and 2,125, ROI (2125 - 9290) / 9290 = -77.1%."""
    result = replay["run of drop 1"]
    folder = result.warehouse.parent / "reports"
    # as `roi run` printed them
    assert result.reports == [
        str(folder / "roi-report-2026-Q1-en.html"),
        str(folder / "roi-report-2026-Q1-zh.html"),
    ]
    english = replay["reports of drop 1"]["roi-report-2026-Q1-en.html"]
    cells = [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", english)]
    for row in (
        ["7,550", "1,375", "-81.8%"],
        ["1,740", "750", "-56.9%"],
        ["9,290", "2,125", "-77.1%"],
    ):
        assert any(cells[i : i + 3] == row for i in range(len(cells))), row
    assert result.run_id in english
    chinese = replay["reports of drop 1"]["roi-report-2026-Q1-zh.html"]
    assert '<html lang="zh' in chinese
