"""Acceptance test: ``marts.mart_ad_performance`` and ``marts.mart_lead_response``, by hand.

GIVEN tests/fixtures/small_drop (the mart_project_roi fixture; its FX and its story row by row
are in test_mart_project_roi.py's docstring), reporting currency USD,
WHEN one `roi run` loads it into an empty warehouse (the session's shared run,
`small_drop_published` in tests/conftest.py),
THEN the published marts hold exactly the rows below, in all five grains. Definitions:
docs/metrics.md#ad-performance and docs/metrics.md#lead-response. Every expected number was
derived by hand; each non-trivial one carries its arithmetic.

What of small_drop matters here (FX: 1 EUR = 1.25 USD; 1 JPY = 1.25 / 160 USD on every date
used, weekends and Easter falling back to the last published rate):

ad spend (converted, impressions, clicks)
    P-DE google_ads   C-DE-G1 Mon 2026-02-23   400 EUR ->  500 USD  10000 impr  300 clicks
    P-DE google_ads   C-DE-G1 Sat 2026-03-07   200 EUR ->  250 USD   5000 impr  150 clicks
    P-DE meta_ads     C-DE-M1 Tue 2026-03-10    80 EUR ->  100 USD   8000 impr   90 clicks
    P-DE linkedin_ads C-DE-L1 Thu 2026-03-19   150 USD ->  150 USD   2000 impr   20 clicks
    P-JP google_ads   C-JP-G1 Sun 2026-03-08 32000 JPY ->  250 USD   9000 impr  250 clicks
    P-JP meta_ads     C-JP-M1 Mon 2026-03-16 16000 JPY ->  125 USD  20000 impr  120 clicks
    P-JP google_ads   C-JP-G1 Mon 2026-04-06  8000 JPY -> 62.5 USD   3000 impr   60 clicks

leads (created_at in UTC; "opp" = named by an opportunity that counts; "cust" = its
converted_account_id is a customer)
    L-DE-1 google_ads C-DE-G1  Tue 2026-02-17 09:00        opp OP-DE-1, cust A-DE-1
    L-DE-2 event (no campaign) 2026-02-28T22:30-05:00 = Sun 2026-03-01 03:30 (week 02-23, March)
    L-DE-3 organic             Tue 2026-03-10 09:00 (no offset = UTC)
    L-DE-4 meta_ads C-DE-M1    DELETED: in no row of either mart
    L-JP-1 google_ads C-JP-G1  2026-03-06T10:00+09:00 = Fri 03-06 01:00   opp OP-JP-1, cust A-JP-1
    L-JP-2 referral            2026-04-01T02:00+09:00 = Tue 03-31 17:00 (a March, Q1 lead)
    L-JP-3 meta_ads C-JP-M1    2026-04-03T15:00+09:00 = Fri 04-03 06:00   no opp, no account

activities (first = only activity of the lead; hours between the UTC instants)
    L-DE-1 ACT-1 2026-02-18 10:00Z                        - 02-17 09:00 = 25 h
    L-DE-2 ACT-2 2026-03-09T10:00+01:00 = 03-09 09:00Z    - 03-01 03:30 = 8 d 5.5 h = 197.5 h
           (ACT-2 names opportunity OP-DE-2 too: it still counts for L-DE-2)
    L-JP-1 ACT-3 2026-03-10T11:00+09:00 = 03-10 02:00Z    - 03-06 01:00 = 4 d 1 h = 97 h
           (names OP-JP-1 too)
    L-JP-3 ACT-4 2026-04-14T10:00+09:00 = 04-14 01:00Z    - 04-03 06:00 = 10 d 19 h = 259 h
    L-DE-3 and L-JP-2 have no activity: leads, not followed up.
    No lead of small_drop is followed up within 24 h (L-DE-1 misses by one hour), so every
    followed_up_within_24h is 0 and every rate 0 / leads = 0; the dbt unit tests of
    _acquisition__models.yml cover 0 h, exactly 24 h and 24 h + 1 s.

Reading choices (docs/metrics.md marks them **Choice:**):
    * A row with leads but no spend has cost_per_lead 0 / leads = 0, not NULL (L-DE-1's week
      02-16, L-JP-3's April); ctr, cpc and cpm are NULL there (0 impressions and clicks).
    * Money and ratios are DECIMAL(38,9), compared here as float with abs 1e-9; counts exactly.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

# Whole pipeline runs in this file: the session's shared run of small_drop (built by whichever
# file needs it first; tests/conftest.py starts the longest files first).
PIPELINE_RUNS = 1

D = dt.date.fromisoformat
GRAINS = ("week", "month", "quarter", "half_year", "year")

AD_KEY = ("project_code", "platform", "campaign_id", "period_grain", "period_start")
AD_VALUES = (
    "spend",
    "impressions",
    "clicks",
    "ctr",
    "cpc",
    "cpm",
    "leads",
    "leads_with_opportunity",
    "customers",
    "cost_per_lead",
    "cost_per_opportunity",
    "cost_per_customer",
)
RESPONSE_KEY = ("project_code", "channel", "period_grain", "period_start")
RESPONSE_VALUES = (
    "leads",
    "leads_followed_up",
    "median_hours_to_first_followup",
    "followed_up_within_24h",
    "followed_up_within_24h_rate",
)
COUNTS = frozenset(
    {
        "impressions",
        "clicks",
        "leads",
        "leads_with_opportunity",
        "customers",
        "leads_followed_up",
        "followed_up_within_24h",
    }
)


# One expected row each; keyword-only so every number is named where it is written.
def ad(
    *,
    spend,
    impressions,
    clicks,
    ctr,
    cpc,
    cpm,
    leads,
    leads_with_opportunity,
    customers,
    cost_per_lead,
    cost_per_opportunity,
    cost_per_customer,
):
    return dict(locals())


def spend_only(*, spend, impressions, clicks):
    """A row with spend and no leads: the cost per lead, opportunity and customer are NULL."""
    return ad(
        spend=spend, impressions=impressions, clicks=clicks,
        ctr=clicks / impressions, cpc=spend / clicks, cpm=spend * 1000 / impressions,
        leads=0, leads_with_opportunity=0, customers=0,
        cost_per_lead=None, cost_per_opportunity=None, cost_per_customer=None,
    )  # fmt: skip


def response(
    *,
    leads,
    leads_followed_up,
    median_hours_to_first_followup,
    followed_up_within_24h,
    followed_up_within_24h_rate,
):
    return dict(locals())


# fmt: off
# ============================================================================================
# mart_ad_performance: every (project, platform, campaign, grain, period) with spend,
# impressions, clicks or leads non-zero.
# ============================================================================================
# P-DE C-DE-M1 (100 USD, 8000, 90) and C-DE-L1 (150 USD, 2000, 20) are March-only and spend-only
# (L-DE-4 is deleted): the same row in March, Q1, H1 and 2026.
# DE_META: ctr 0.01125, cpc 1.111111111, cpm 12.5
DE_META = spend_only(spend=100, impressions=8000, clicks=90)
DE_LINKEDIN = spend_only(spend=150, impressions=2000, clicks=20)  # ctr 0.01, cpc 7.5, cpm 75
JP_META_SPEND = spend_only(spend=125, impressions=20000, clicks=120)  # ctr 0.006, cpm 6.25
JP_META_LEAD = ad(  # L-JP-3 (04-03) without spend in its period
    spend=0, impressions=0, clicks=0, ctr=None, cpc=None, cpm=None,
    leads=1, leads_with_opportunity=0, customers=0,
    cost_per_lead=0 / 1, cost_per_opportunity=None, cost_per_customer=None)
DE_GOOGLE_Q1 = ad(  # 500 + 250 USD, 10000 + 5000 impr, 300 + 150 clicks; L-DE-1
    spend=750, impressions=15000, clicks=450,
    ctr=450 / 15000, cpc=750 / 450, cpm=750 * 1000 / 15000,  # 0.03, 1.666666667, 50
    leads=1, leads_with_opportunity=1, customers=1,
    cost_per_lead=750 / 1, cost_per_opportunity=750 / 1, cost_per_customer=750 / 1)
JP_GOOGLE_MARCH = ad(  # 250 USD, 9000 impr, 250 clicks; L-JP-1 (03-06)
    spend=250, impressions=9000, clicks=250,
    ctr=250 / 9000, cpc=250 / 250, cpm=250 * 1000 / 9000,  # 0.027777778, 1, 27.777777778
    leads=1, leads_with_opportunity=1, customers=1,
    cost_per_lead=250 / 1, cost_per_opportunity=250 / 1, cost_per_customer=250 / 1)
# JP_GOOGLE_APRIL: ctr 0.02, cpc 1.041666667, cpm 20.833333333
JP_GOOGLE_APRIL = spend_only(spend=62.5, impressions=3000, clicks=60)
JP_GOOGLE_H1 = ad(  # 250 + 62.5 USD, 9000 + 3000 impr, 250 + 60 clicks; L-JP-1
    spend=312.5, impressions=12000, clicks=310,
    # ctr 0.025833333, cpc 1.008064516, cpm 26.041666667
    ctr=310 / 12000, cpc=312.5 / 310, cpm=312.5 * 1000 / 12000,
    leads=1, leads_with_opportunity=1, customers=1,
    cost_per_lead=312.5 / 1, cost_per_opportunity=312.5 / 1, cost_per_customer=312.5 / 1)
JP_META_H1 = ad(  # 125 USD, 20000 impr, 120 clicks in March; L-JP-3 in April
    spend=125, impressions=20000, clicks=120,
    ctr=120 / 20000, cpc=125 / 120, cpm=125 * 1000 / 20000,  # 0.006, 1.041666667, 6.25
    leads=1, leads_with_opportunity=0, customers=0,
    cost_per_lead=125 / 1, cost_per_opportunity=None, cost_per_customer=None)

AD_PERFORMANCE = {
    # ------------------------------------------ weeks -------------------------------------------
    ("P-DE", "google_ads", "C-DE-G1", "week", D("2026-02-16")): ad(  # L-DE-1 (Tue 02-17), no spend
        spend=0, impressions=0, clicks=0, ctr=None, cpc=None, cpm=None,
        leads=1, leads_with_opportunity=1, customers=1,
        cost_per_lead=0 / 1, cost_per_opportunity=0 / 1, cost_per_customer=0 / 1),
    ("P-DE", "google_ads", "C-DE-G1", "week", D("2026-02-23")):  # Mon 02-23
        spend_only(spend=500, impressions=10000, clicks=300),  # cpc 1.666666667, cpm 50
    ("P-DE", "google_ads", "C-DE-G1", "week", D("2026-03-02")):  # Sat 03-07
        spend_only(spend=250, impressions=5000, clicks=150),  # cpc 1.666666667, cpm 50
    ("P-DE", "meta_ads", "C-DE-M1", "week", D("2026-03-09")): DE_META,  # Tue 03-10
    ("P-DE", "linkedin_ads", "C-DE-L1", "week", D("2026-03-16")): DE_LINKEDIN,  # Thu 03-19
    # L-JP-1 Fri 03-06, spend Sun 03-08
    ("P-JP", "google_ads", "C-JP-G1", "week", D("2026-03-02")): JP_GOOGLE_MARCH,
    ("P-JP", "google_ads", "C-JP-G1", "week", D("2026-04-06")): JP_GOOGLE_APRIL,  # Easter Monday
    ("P-JP", "meta_ads", "C-JP-M1", "week", D("2026-03-16")): JP_META_SPEND,  # Mon 03-16
    ("P-JP", "meta_ads", "C-JP-M1", "week", D("2026-03-30")): JP_META_LEAD,  # L-JP-3 Fri 04-03
    # ------------------------------------------ months ------------------------------------------
    ("P-DE", "google_ads", "C-DE-G1", "month", D("2026-02-01")): ad(  # 02-23 spend; L-DE-1
        spend=500, impressions=10000, clicks=300,
        ctr=300 / 10000, cpc=500 / 300, cpm=500 * 1000 / 10000,  # 0.03, 1.666666667, 50
        leads=1, leads_with_opportunity=1, customers=1,
        cost_per_lead=500 / 1, cost_per_opportunity=500 / 1, cost_per_customer=500 / 1),
    ("P-DE", "google_ads", "C-DE-G1", "month", D("2026-03-01")):  # 03-07
        spend_only(spend=250, impressions=5000, clicks=150),
    ("P-DE", "meta_ads", "C-DE-M1", "month", D("2026-03-01")): DE_META,
    ("P-DE", "linkedin_ads", "C-DE-L1", "month", D("2026-03-01")): DE_LINKEDIN,
    ("P-JP", "google_ads", "C-JP-G1", "month", D("2026-03-01")): JP_GOOGLE_MARCH,
    ("P-JP", "google_ads", "C-JP-G1", "month", D("2026-04-01")): JP_GOOGLE_APRIL,
    ("P-JP", "meta_ads", "C-JP-M1", "month", D("2026-03-01")): JP_META_SPEND,
    ("P-JP", "meta_ads", "C-JP-M1", "month", D("2026-04-01")): JP_META_LEAD,
    # ----------------------------------------- quarters -----------------------------------------
    ("P-DE", "google_ads", "C-DE-G1", "quarter", D("2026-01-01")): DE_GOOGLE_Q1,
    ("P-DE", "meta_ads", "C-DE-M1", "quarter", D("2026-01-01")): DE_META,
    ("P-DE", "linkedin_ads", "C-DE-L1", "quarter", D("2026-01-01")): DE_LINKEDIN,
    ("P-JP", "google_ads", "C-JP-G1", "quarter", D("2026-01-01")): JP_GOOGLE_MARCH,
    ("P-JP", "google_ads", "C-JP-G1", "quarter", D("2026-04-01")): JP_GOOGLE_APRIL,
    ("P-JP", "meta_ads", "C-JP-M1", "quarter", D("2026-01-01")): JP_META_SPEND,
    ("P-JP", "meta_ads", "C-JP-M1", "quarter", D("2026-04-01")): JP_META_LEAD,
    # ------------------------------- half-year H1 and year 2026 ---------------------------------
    **{
        (project, platform, campaign, grain, D("2026-01-01")): row
        for grain in ("half_year", "year")
        for (project, platform, campaign), row in {
            ("P-DE", "google_ads", "C-DE-G1"): DE_GOOGLE_Q1,
            ("P-DE", "meta_ads", "C-DE-M1"): DE_META,
            ("P-DE", "linkedin_ads", "C-DE-L1"): DE_LINKEDIN,
            ("P-JP", "google_ads", "C-JP-G1"): JP_GOOGLE_H1,
            ("P-JP", "meta_ads", "C-JP-M1"): JP_META_H1,
        }.items()
    },
}

# Labels: the name on the campaign's latest ad-spend row; every amount in USD.
CAMPAIGN_NAMES = {
    ("google_ads", "C-DE-G1"): "DE search",
    ("meta_ads", "C-DE-M1"): "DE retargeting",
    ("linkedin_ads", "C-DE-L1"): "DE decision makers",
    ("google_ads", "C-JP-G1"): "JP search",
    ("meta_ads", "C-JP-M1"): "JP awareness",
}

# ============================================================================================
# mart_lead_response: every (project, channel, grain, period) with leads, and 'all' per project.
# Nobody is followed up within 24 h: followed_up_within_24h 0 and rate 0 / leads = 0 everywhere.
# ============================================================================================
DE_GOOGLE = response(  # L-DE-1: 25 h
    leads=1, leads_followed_up=1, median_hours_to_first_followup=25,
    followed_up_within_24h=0, followed_up_within_24h_rate=0 / 1)
DE_EVENT = response(  # L-DE-2: 197.5 h
    leads=1, leads_followed_up=1, median_hours_to_first_followup=197.5,
    followed_up_within_24h=0, followed_up_within_24h_rate=0 / 1)
NOT_FOLLOWED_UP = response(  # L-DE-3 (organic), L-JP-2 (referral): no activity
    leads=1, leads_followed_up=0, median_hours_to_first_followup=None,
    followed_up_within_24h=0, followed_up_within_24h_rate=0 / 1)
JP_GOOGLE = response(  # L-JP-1: 97 h
    leads=1, leads_followed_up=1, median_hours_to_first_followup=97,
    followed_up_within_24h=0, followed_up_within_24h_rate=0 / 1)
JP_META = response(  # L-JP-3: 259 h
    leads=1, leads_followed_up=1, median_hours_to_first_followup=259,
    followed_up_within_24h=0, followed_up_within_24h_rate=0 / 1)
DE_ALL_Q1 = response(  # L-DE-1, L-DE-2, L-DE-3
    leads=3, leads_followed_up=2,
    median_hours_to_first_followup=(25 + 197.5) / 2,  # even count: 111.25
    followed_up_within_24h=0, followed_up_within_24h_rate=0 / 3)
JP_ALL_MARCH = response(  # L-JP-1 (97 h), L-JP-2 (none)
    leads=2, leads_followed_up=1, median_hours_to_first_followup=97,
    followed_up_within_24h=0, followed_up_within_24h_rate=0 / 2)

LEAD_RESPONSE = {
    # ------------------------------------------ weeks -------------------------------------------
    ("P-DE", "google_ads", "week", D("2026-02-16")): DE_GOOGLE,
    ("P-DE", "all", "week", D("2026-02-16")): DE_GOOGLE,
    ("P-DE", "event", "week", D("2026-02-23")): DE_EVENT,  # Sunday 03-01 UTC
    ("P-DE", "all", "week", D("2026-02-23")): DE_EVENT,
    ("P-DE", "organic", "week", D("2026-03-09")): NOT_FOLLOWED_UP,
    ("P-DE", "all", "week", D("2026-03-09")): NOT_FOLLOWED_UP,
    ("P-JP", "google_ads", "week", D("2026-03-02")): JP_GOOGLE,
    ("P-JP", "all", "week", D("2026-03-02")): JP_GOOGLE,
    ("P-JP", "referral", "week", D("2026-03-30")): NOT_FOLLOWED_UP,  # Tue 03-31 UTC
    ("P-JP", "meta_ads", "week", D("2026-03-30")): JP_META,  # Fri 04-03
    ("P-JP", "all", "week", D("2026-03-30")): response(  # L-JP-2 (none), L-JP-3 (259 h)
        leads=2, leads_followed_up=1, median_hours_to_first_followup=259,
        followed_up_within_24h=0, followed_up_within_24h_rate=0 / 2),
    # ------------------------------------------ months ------------------------------------------
    ("P-DE", "google_ads", "month", D("2026-02-01")): DE_GOOGLE,
    ("P-DE", "all", "month", D("2026-02-01")): DE_GOOGLE,
    ("P-DE", "event", "month", D("2026-03-01")): DE_EVENT,
    ("P-DE", "organic", "month", D("2026-03-01")): NOT_FOLLOWED_UP,
    ("P-DE", "all", "month", D("2026-03-01")): response(  # L-DE-2 (197.5 h), L-DE-3 (none)
        leads=2, leads_followed_up=1, median_hours_to_first_followup=197.5,
        followed_up_within_24h=0, followed_up_within_24h_rate=0 / 2),
    ("P-JP", "google_ads", "month", D("2026-03-01")): JP_GOOGLE,
    ("P-JP", "referral", "month", D("2026-03-01")): NOT_FOLLOWED_UP,
    ("P-JP", "all", "month", D("2026-03-01")): JP_ALL_MARCH,
    ("P-JP", "meta_ads", "month", D("2026-04-01")): JP_META,
    ("P-JP", "all", "month", D("2026-04-01")): JP_META,
    # ----------------------------------------- quarters -----------------------------------------
    ("P-DE", "google_ads", "quarter", D("2026-01-01")): DE_GOOGLE,
    ("P-DE", "event", "quarter", D("2026-01-01")): DE_EVENT,
    ("P-DE", "organic", "quarter", D("2026-01-01")): NOT_FOLLOWED_UP,
    ("P-DE", "all", "quarter", D("2026-01-01")): DE_ALL_Q1,
    ("P-JP", "google_ads", "quarter", D("2026-01-01")): JP_GOOGLE,
    ("P-JP", "referral", "quarter", D("2026-01-01")): NOT_FOLLOWED_UP,
    ("P-JP", "all", "quarter", D("2026-01-01")): JP_ALL_MARCH,
    ("P-JP", "meta_ads", "quarter", D("2026-04-01")): JP_META,
    ("P-JP", "all", "quarter", D("2026-04-01")): JP_META,
    # ------------------------------- half-year H1 and year 2026 ---------------------------------
    **{
        (project, channel, grain, D("2026-01-01")): row
        for grain in ("half_year", "year")
        for (project, channel), row in {
            ("P-DE", "google_ads"): DE_GOOGLE,
            ("P-DE", "event"): DE_EVENT,
            ("P-DE", "organic"): NOT_FOLLOWED_UP,
            ("P-DE", "all"): DE_ALL_Q1,
            ("P-JP", "google_ads"): JP_GOOGLE,
            ("P-JP", "referral"): NOT_FOLLOWED_UP,
            ("P-JP", "meta_ads"): JP_META,
            ("P-JP", "all"): response(  # L-JP-1 (97 h), L-JP-2 (none), L-JP-3 (259 h)
                leads=3, leads_followed_up=2,
                median_hours_to_first_followup=(97 + 259) / 2,  # even count: 178
                followed_up_within_24h=0, followed_up_within_24h_rate=0 / 3),
        }.items()
    },
}
# fmt: on

# Last day of each period that occurs above (period_end of mart_ad_performance).
PERIOD_ENDS = {
    ("week", D("2026-02-16")): D("2026-02-22"),
    ("week", D("2026-02-23")): D("2026-03-01"),
    ("week", D("2026-03-02")): D("2026-03-08"),
    ("week", D("2026-03-09")): D("2026-03-15"),
    ("week", D("2026-03-16")): D("2026-03-22"),
    ("week", D("2026-03-30")): D("2026-04-05"),
    ("week", D("2026-04-06")): D("2026-04-12"),
    ("month", D("2026-02-01")): D("2026-02-28"),
    ("month", D("2026-03-01")): D("2026-03-31"),
    ("month", D("2026-04-01")): D("2026-04-30"),
    ("quarter", D("2026-01-01")): D("2026-03-31"),
    ("quarter", D("2026-04-01")): D("2026-06-30"),
    ("half_year", D("2026-01-01")): D("2026-06-30"),
    ("year", D("2026-01-01")): D("2026-12-31"),
}

MARTS = {
    "mart_ad_performance": (AD_KEY, AD_VALUES, AD_PERFORMANCE),
    "mart_lead_response": (RESPONSE_KEY, RESPONSE_VALUES, LEAD_RESPONSE),
}


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def _plain(value):
    """DECIMAL comes back as Decimal; compared as float within 1e-9 (9 decimals are stored)."""
    return float(value) if isinstance(value, Decimal) else value


def _read(warehouse: Path, mart: str) -> list[dict] | None:
    """Every column of published `marts.<mart>`; None when the table does not exist."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        exists = con.execute(
            "select count(*) from information_schema.tables"
            " where table_schema = 'marts' and table_name = ?",
            [mart],
        ).fetchone()[0]
        if not exists:
            return None
        cursor = con.execute(f"select * from marts.{mart}")
        columns = [description[0] for description in cursor.description]
        return [
            {c: _plain(v) for c, v in zip(columns, row, strict=True)} for row in cursor.fetchall()
        ]
    finally:
        con.close()


def _matches(column: str, got, want) -> bool:
    if want is None:
        return got is None
    if got is None:
        return False
    if column in COUNTS:
        return isinstance(got, int) and not isinstance(got, bool) and got == want
    return got == pytest.approx(want, abs=1e-9)


def _ratio(numerator, denominator):
    return None if denominator == 0 else numerator / denominator


def _same(a, b) -> bool:
    return a is None if b is None else a is not None and a == pytest.approx(b, abs=1e-9)


@pytest.fixture(scope="module")
def published(small_drop_published) -> dict[str, list[dict] | None]:
    # GIVEN small_drop, WHEN the session's one `roi run` of it has published the marts
    return {mart: _read(small_drop_published.warehouse, mart) for mart in MARTS}


def _rows(published, mart) -> list[dict]:
    rows = published[mart]
    assert rows is not None, f"marts.{mart} does not exist after the run over small_drop"
    return rows


# --------------------------------------------------------------------------------------------
# The hand tables themselves (no pipeline): guard the literals against editing slips.
# --------------------------------------------------------------------------------------------


def test_hand_ad_table_ratios_are_its_own_sums():
    for key, row in AD_PERFORMANCE.items():
        assert row["spend"] or row["impressions"] or row["clicks"] or row["leads"], key
        assert row["leads_with_opportunity"] <= row["leads"], key
        assert row["customers"] <= row["leads"], key
        assert _same(row["ctr"], _ratio(row["clicks"], row["impressions"])), key
        assert _same(row["cpc"], _ratio(row["spend"], row["clicks"])), key
        assert _same(row["cpm"], _ratio(row["spend"] * 1000, row["impressions"])), key
        assert _same(row["cost_per_lead"], _ratio(row["spend"], row["leads"])), key
        assert _same(
            row["cost_per_opportunity"], _ratio(row["spend"], row["leads_with_opportunity"])
        ), key
        assert _same(row["cost_per_customer"], _ratio(row["spend"], row["customers"])), key


def test_hand_ad_table_adds_up_to_the_drop_in_every_grain():
    # 500 + 250 + 100 + 150 + 250 + 125 + 62.5 USD; 10000 + 5000 + 8000 + 2000 + 9000 + 20000
    # + 3000 impressions; 300 + 150 + 90 + 20 + 250 + 120 + 60 clicks; leads L-DE-1, L-JP-1,
    # L-JP-3 (two with an opportunity and a customer)
    for grain in GRAINS:
        rows = [row for key, row in AD_PERFORMANCE.items() if key[3] == grain]
        assert sum(row["spend"] for row in rows) == pytest.approx(1437.5), grain
        assert sum(row["impressions"] for row in rows) == 57000, grain
        assert sum(row["clicks"] for row in rows) == 990, grain
        assert sum(row["leads"] for row in rows) == 3, grain
        assert sum(row["leads_with_opportunity"] for row in rows) == 2, grain
        assert sum(row["customers"] for row in rows) == 2, grain


def test_hand_response_table_all_rows_are_the_sums_of_the_channel_rows():
    for key, row in LEAD_RESPONSE.items():
        assert row["leads"] > 0, key
        assert row["followed_up_within_24h"] <= row["leads_followed_up"] <= row["leads"], key
        assert _same(
            row["followed_up_within_24h_rate"], row["followed_up_within_24h"] / row["leads"]
        )
        assert (row["median_hours_to_first_followup"] is None) == (row["leads_followed_up"] == 0)
    sums: dict[tuple, dict] = {}
    for (project, channel, grain, start), row in LEAD_RESPONSE.items():
        if channel != "all":
            total = sums.setdefault((project, "all", grain, start), dict.fromkeys(COUNTS, 0))
            for column in ("leads", "leads_followed_up", "followed_up_within_24h"):
                total[column] += row[column]
    all_rows = {key: row for key, row in LEAD_RESPONSE.items() if key[1] == "all"}
    assert set(all_rows) == set(sums)
    for key, row in all_rows.items():
        for column in ("leads", "leads_followed_up", "followed_up_within_24h"):
            assert row[column] == sums[key][column], (key, column)
    # the six leads that count, once in each grain's 'all' rows
    for grain in GRAINS:
        assert sum(row["leads"] for key, row in all_rows.items() if key[2] == grain) == 6


# --------------------------------------------------------------------------------------------
# The published marts after the run
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("mart", list(MARTS))
def test_mart_has_every_grain_and_exactly_the_hand_computed_keys(published, mart):
    keys, _, expected = MARTS[mart]
    rows = _rows(published, mart)
    # THEN every grain is there
    assert {row["period_grain"] for row in rows} == set(GRAINS)
    # AND the row set is the hand-computed one, one row per key
    got = [tuple(row[c] for c in keys) for row in rows]
    assert len(got) == len(set(got)), f"duplicate keys in marts.{mart}"
    assert sorted(got, key=str) == sorted(expected, key=str)


@pytest.mark.parametrize(
    "case",
    [(mart, key) for mart, (_, _, expected) in MARTS.items() for key in expected],
    ids=lambda case: "-".join([case[0].removeprefix("mart_"), *map(str, case[1])]),
)
def test_row_holds_the_hand_computed_values(published, case):
    mart, key = case
    keys, values, expected = MARTS[mart]
    by_key = {tuple(row[c] for c in keys): row for row in _rows(published, mart)}
    assert key in by_key, f"marts.{mart} has no row {key}"
    row, want = by_key[key], expected[key]
    wrong = {
        column: (row[column], want[column])
        for column in values
        if not _matches(column, row[column], want[column])
    }
    assert not wrong, f"marts.{mart} {key}: (got, expected) {wrong}"


def test_ad_rows_carry_campaign_name_currency_and_period_end(published):
    for row in _rows(published, "mart_ad_performance"):
        key = (row["platform"], row["campaign_id"], row["period_grain"], row["period_start"])
        assert row["campaign_name"] == CAMPAIGN_NAMES[(row["platform"], row["campaign_id"])], key
        assert row["reporting_currency"] == "USD", key
        assert row["period_end"] == PERIOD_ENDS[(row["period_grain"], row["period_start"])], key
