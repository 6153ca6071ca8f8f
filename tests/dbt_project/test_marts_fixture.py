"""Acceptance test: customer, funnel, retention, follow-up and service marts, worked out by hand.

Marts checked (docs/warehouse.md, definitions in docs/metrics.md): mart_funnel,
mart_channel_ltv_cac, mart_customer_ltv, mart_retention_cohorts, mart_followup_conversion,
mart_service. Every expected number below was derived by hand from docs/metrics.md and
cross-checked once by an independent throwaway computation. The tables are literals; each
non-trivial number carries its arithmetic.
`predicted_ltv` is a model of the project's own choosing: only "NULL or >= 0" is asserted.

Two drops, one pipeline run each, reporting currency USD (small_drop's is the session's shared
`roi run` of it, `small_drop_published` in tests/conftest.py):

* tests/fixtures/customers_drop/ (written for this file; all marts above).
* tests/fixtures/small_drop/ (the mart_project_roi fixture, see its story in
  test_mart_project_roi.py): its FX fallbacks (weekend, Easter, JPY) and UTC edges, seen through
  the customer, retention, follow-up and service marts. Its funnel is not asserted here: several
  of its opportunities are created in a week in which their channel has no lead, win or loss, and
  whether such a (project, channel, period) gets a row depends on whether a mart_funnel carries an
  extra `opportunities` column (docs/metrics.md has it, the required columns do not). customers_drop
  is built so that this question never arises.

customers_drop
==============

FX (fx_rates.csv): base EUR, EUR->USD 1.25 every Monday 2026-01-05 .. 2026-06-01 (the 7-day
fallback always finds the Monday before). So an EUR amount x is x * 1.25 USD and a USD amount
x is x / 1.25 * 1.25 = x USD. FX is not the subject here; small_drop covers its edges.

projects   P-US (amounts in USD), P-FR (amounts in EUR, one USD order), P-BR: no records at all,
           so it has no row in any of these marts.

accounts and their acquisition channel (channel of the earliest-created NON-DELETED lead whose
converted_account_id is the account; none: direct)
    A-U1  L-U1 google_ads 01-05                                    -> google_ads
    A-U2  L-U2 google_ads 01-20                                    -> google_ads
    A-U3  L-U3a meta_ads 01-08 is DELETED; next is L-U3b organic   -> organic (not meta_ads)
    A-U4  its only lead L-U4 (event) is DELETED                    -> direct
    A-U5  L-U5 meta_ads 03-02; a later lead L-U5b google_ads 04-01  -> meta_ads (the earliest)
    A-U6  L-U6 referral, but only a CANCELLED order: not a customer
    A-U8  DELETED account: its opportunity OP-U8, order O-U8 (5000 USD) and ticket T-U6 count
          nowhere
    A-F1  L-F1 event                                               -> event
    A-F2  L-F2 google_ads                                          -> google_ads

leads (created_at in UTC; "opp" = referenced by a non-deleted opportunity of a live account)
    L-U1  google_ads  2026-01-05   opp OP-U1
    L-U2  google_ads  2026-01-20   opp OP-U2, created 02-03: a later week AND month, still counts
                                   for the January lead ("whenever it was created")
    L-U3b organic     2026-02-02   only OP-U2x, which is deleted: no opp
    L-U5  meta_ads    2026-03-02   opp OP-U5
    L-U6  referral    2026-03-09   opp OP-U6 (open)
    L-U9  google_ads  2026-03-31T23:30-04:00 = 2026-04-01T03:30Z: an APRIL / Q2 lead; only OP-U8
                                   of the deleted account A-U8: no opp
    L-U5b google_ads  2026-04-01   opp OP-U5b
    L-U7  linkedin    2026-04-06   no opp
    L-F1  event       2026-02-03   opp OP-F1
    L-F2  google_ads  2026-03-16   opp OP-F2
    L-F3  event       2026-03-17   opp OP-F3 (on account A-F1; L-F3 itself is not converted)
    L-F4  google_ads  2026-05-11   no opp
    L-U3a (meta_ads 01-08) and L-U4 (event 02-09) are deleted: they count nowhere.

opportunities: won / lost by closed_at; channel = the (non-deleted) lead's channel, else the
account's acquisition channel
    OP-U1  won  01-09  google_ads (lead L-U1)
    OP-U2  won  02-06  google_ads (lead L-U2)
    OP-U3  won  02-12  organic: its lead L-U3a (meta_ads) is deleted -> A-U3's acquisition channel
    OP-U4  won  02-20  direct: no lead, A-U4 -> direct
    OP-U1b lost 03-05  google_ads: no lead, A-U1 -> google_ads
    OP-U5  won  03-06  meta_ads (lead L-U5)
    OP-U5b won  04-03  google_ads: its lead L-U5b's channel, although A-U5's channel is meta_ads
    OP-U6b lost 04-14  referral: no lead, A-U6 -> referral; created 03-11, lost in April
    OP-U6  open (proposal); OP-U2x deleted; OP-U8 of the deleted account: no win or loss anywhere
    OP-F1  won  02-13  event;  OP-F3 lost 03-19 event;  OP-F2 won 04-10 google_ads (created 03-18);
    OP-F4  lost 05-14  event: no lead, A-F1 -> event
    Every opportunity is created in a week in which its channel also has a lead, win or loss,
    so the row set does not depend on an extra `opportunities` column (see above).

orders (USD; EUR * 1.25). Only confirmed, non-deleted orders of live accounts count.
    A-U1  O-U1a 01-10 1000/600 ; O-U1b 02-12 500/300 ; O-U1c 04-08 300/100
    A-U2  O-U2a 01-25 2000/1500 ; O-U2b 02-18 CANCELLED ; O-U2c 03-03 400/250
    A-U3  O-U3a 02-15 800/500 ; O-U3b 03-20 200/150
    A-U4  O-U4a 02-27 600/450 ; O-U4b 03-27 DELETED
    A-U5  O-U5a 03-05 CANCELLED ; O-U5b 03-10 1200/700 (the first CONFIRMED order) ; O-U5c 05-12
          250/50
    A-U6  O-U6 03-25 CANCELLED only
    A-F1  O-F1a 02-20 400/240 EUR ; O-F1b 03-20 200/120 EUR ; O-F1c 04-17 160/80 EUR ;
          O-F1d 05-15 80/40 EUR
    A-F2  O-F2a 04-15 800/480 EUR ; O-F2b 05-06 300/100 USD (a USD order in the EUR project)

activities and follow-ups (UTC date strictly before the date of the lead's account's first
confirmed order; all of them when that account has none)
    L-U1  ACT-01..03 on 01-06, 01-07, 01-09 < 01-10                       -> 3 -> '3+'
    L-U2  ACT-04 01-21; ACT-05 2026-01-25T01:00+09:00 = 01-24 UTC (counts);
          ACT-06 01-25 ON the first order date (does not count); ACT-07 02-04 after it -> 2 -> '2'
    L-U3b ACT-08 02-03 < 02-15                                            -> 1 -> '1'
    L-U5  ACT-09..12 03-03..03-06 < 03-10 (the cancelled 03-05 order is not the first order;
          taking it would leave 2)                                         -> 4 -> '3+'
    L-U5b ACT-13 04-02, after A-U5's first order 03-10                    -> 0 -> '0'
    L-U6  ACT-14 03-10, ACT-15 03-27: A-U6 has no confirmed order, both count (taking the
          cancelled 03-25 order would leave 1)                             -> 2 -> '2'
    L-U7  ACT-16 (no account)                                             -> 1 -> '1'
    L-U9  none                                                            -> 0 -> '0'
    L-F1  ACT-17 02-10 < 02-20; ACT-18 has only opportunity_id OP-F1: not a follow-up of L-F1
                                                                          -> 1 -> '1'
    L-F3  ACT-19..21                                                      -> 3 -> '3+'
    L-F2, L-F4 none                                                       -> 0 -> '0'
    Converted (converted_account_id is a customer): L-U1, L-U2, L-U3b, L-U5, L-U5b, L-F1, L-F2.
    L-U6's account A-U6 is not a customer; L-U7, L-U9, L-F3, L-F4 have no account.

tickets (hours = resolved_at - opened_at)
    T-U1 A-U1 01-20T09Z -> 01-21T09Z   24 h, satisfaction 5
    T-U2 A-U2 01-30T12Z -> 02-02T12Z   72 h, 3: opened in January (week 01-26), resolved in
                                       February (week 02-02)
    T-U8 A-U6 2026-02-28T23:30-05:00 = 03-01T04:30Z -> 03-01T12:30Z  8 h, 2: a MARCH ticket
                                       (Sunday, ISO week 02-23), of a non-customer
    T-U3 A-U3 03-10 unresolved, satisfaction 1 (not resolved: its satisfaction counts nowhere)
    T-U5 A-U5 03-11T10Z -> 03-13T10Z   48 h, 4
    T-U4 A-U1 03-12T08Z -> 03-12T14Z    6 h, no satisfaction
    T-U6 on the deleted account A-U8: nowhere
    T-U7 A-U4 2026-06-03 unresolved: the data's end date (latest business date of the warehouse)
    T-F1 A-F1 04-06 08Z -> 20Z         12 h, 2
    T-F2 A-F2 04-07T09Z -> 04-08T15Z   30 h, no satisfaction
    T-F3 A-F1 2026-05-22T08Z -> 05-26T08Z  96 h, 5: opened in week 05-18, resolved in week 05-25.
          P-FR's last business date (05-26) is in May; P-US's last order is in May too.

ad spend (all time, converted): P-US google_ads 400 + 400 + 200 = 1000; meta_ads 240 EUR * 1.25
+ 300 USD = 600; linkedin_ads 300. P-FR google_ads 400 EUR * 1.25 = 500; meta_ads 80 EUR *
1.25 = 100.

Reading choices where docs/metrics.md leaves room:
    * mart_funnel and mart_service have the grains of mart_project_roi (week, month, quarter,
      half_year, year); the all-channel funnel rows carry channel = 'all'.
    * "Rows where at least one count is non-zero" means the contract counts (funnel: leads,
      leads_with_opportunity, won_deals, lost_deals; service: tickets_opened, tickets_resolved).
    * An opportunity of a deleted account counts nowhere, so a lead referenced only by it has no
      opportunity (L-U9); a deleted lead gives no channel to its opportunity (OP-U3).
    * Only activities carrying the lead's lead_id are its follow-ups (ACT-18 has none).
    * avg_realized_ltv of a channel without customers (spend only) is NULL (mean of nothing),
      media_cac of a non-paid channel is 0 / customers = 0, so its ltv_to_cac is NULL (x / 0).
    * median_resolution_hours of an even number of tickets is the mean of the middle two.
    * cohort_month is a DATE, the first day of the month (as period_start). month_offset rows
      run to the month of the data's end date over the whole warehouse: June (T-U7, 06-03) for
      both projects, although P-FR's own last business date and every project's last order are
      in May.
    * Money is compared as float with abs 1e-6; counts exactly; NULL as None.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

# Whole pipeline runs in this file (one of them the session's shared run of small_drop, built
# by whichever file needs it first): tests/conftest.py starts the longest files first.
PIPELINE_RUNS = 2

FIXTURES = Path(__file__).parents[1] / "fixtures"
DROPS = {
    "customers_drop": FIXTURES / "customers_drop",
    "small_drop": FIXTURES / "small_drop",
}

D = dt.date.fromisoformat

# docs/warehouse.md: (key columns, value columns) per mart. predicted_ltv is checked apart.
MART_COLUMNS = {
    "mart_funnel": (
        ("project_code", "channel", "period_grain", "period_start"),
        (
            "leads",
            "leads_with_opportunity",
            "lead_to_opportunity_rate",
            "won_deals",
            "lost_deals",
            "win_rate",
        ),
    ),
    "mart_channel_ltv_cac": (
        ("project_code", "channel"),
        (
            "customers",
            "avg_realized_ltv",
            "media_spend",
            "new_customers",
            "media_cac",
            "ltv_to_cac",
        ),
    ),
    "mart_customer_ltv": (
        ("account_id",),
        (
            "project_code",
            "acquisition_channel",
            "first_order_date",
            "orders",
            "revenue",
            "gross_profit",
            "realized_ltv",
        ),
    ),
    "mart_retention_cohorts": (
        ("project_code", "cohort_month", "month_offset"),
        ("cohort_customers", "retained_customers", "retention_rate"),
    ),
    "mart_followup_conversion": (
        ("project_code", "followup_bucket"),
        ("leads", "converted_leads", "conversion_rate"),
    ),
    "mart_service": (
        ("project_code", "period_grain", "period_start"),
        ("tickets_opened", "tickets_resolved", "median_resolution_hours", "avg_satisfaction"),
    ),
}
EXTRA_CONTRACT_COLUMNS = {"mart_customer_ltv": ("predicted_ltv",)}

# Compared exactly (no tolerance): counts, and the text and date columns.
EXACT_COLUMNS = frozenset(
    {
        "leads",
        "leads_with_opportunity",
        "won_deals",
        "lost_deals",
        "customers",
        "new_customers",
        "orders",
        "cohort_customers",
        "retained_customers",
        "converted_leads",
        "tickets_opened",
        "tickets_resolved",
        "project_code",
        "acquisition_channel",
        "first_order_date",
    }
)
COUNT_COLUMNS = EXACT_COLUMNS - {"project_code", "acquisition_channel", "first_order_date"}


# One expected row each; keyword-only so every number is named where it is written.
def funnel(
    *, leads, leads_with_opportunity, lead_to_opportunity_rate, won_deals, lost_deals, win_rate
):
    return dict(locals())


def channel(*, customers, avg_realized_ltv, media_spend, new_customers, media_cac, ltv_to_cac):
    return dict(locals())


def customer(
    *,
    project_code,
    acquisition_channel,
    first_order_date,
    orders,
    revenue,
    gross_profit,
    realized_ltv,
):
    return dict(locals())


def cohort(*, cohort_customers, retained_customers, retention_rate):
    return dict(locals())


def followups(*, leads, converted_leads, conversion_rate):
    return dict(locals())


def service(*, tickets_opened, tickets_resolved, median_resolution_hours, avg_satisfaction):
    return dict(locals())


def _ratio(numerator, denominator):
    return None if denominator == 0 else numerator / denominator


# The hand tables keep one row's numbers together, as worked out on paper.
# fmt: off
# ============================================================================================
# customers_drop: mart_funnel
# Rows: per (project, channel, grain, period) and per (project, 'all', grain, period) with at
# least one of leads / leads_with_opportunity / won_deals / lost_deals non-zero.
# l2o = leads_with_opportunity / leads (NULL if no leads); win = won / (won + lost) (NULL if 0).
# ============================================================================================
CUSTOMERS_FUNNEL = {
    # ---------------------------------------- P-US, weeks ---------------------------------------
    ("P-US", "google_ads", "week", D("2026-01-05")): funnel(  # L-U1 (opp); OP-U1 won 01-09
        leads=1, leads_with_opportunity=1, lead_to_opportunity_rate=1 / 1,
        won_deals=1, lost_deals=0, win_rate=1 / (1 + 0)),
    ("P-US", "google_ads", "week", D("2026-01-19")): funnel(  # L-U2 (opp OP-U2 from 02-03)
        leads=1, leads_with_opportunity=1, lead_to_opportunity_rate=1 / 1,
        won_deals=0, lost_deals=0, win_rate=None),
    ("P-US", "google_ads", "week", D("2026-02-02")): funnel(  # OP-U2 won 02-06
        leads=0, leads_with_opportunity=0, lead_to_opportunity_rate=None,
        won_deals=1, lost_deals=0, win_rate=1.0),
    ("P-US", "google_ads", "week", D("2026-03-02")): funnel(  # OP-U1b lost 03-05 (A-U1's channel)
        leads=0, leads_with_opportunity=0, lead_to_opportunity_rate=None,
        won_deals=0, lost_deals=1, win_rate=0 / (0 + 1)),
    ("P-US", "google_ads", "week", D("2026-03-30")): funnel(
        leads=2,  # L-U5b (04-01), L-U9 (04-01T03:30Z)
        leads_with_opportunity=1,  # L-U5b; L-U9's only opportunity is the deleted account's
        lead_to_opportunity_rate=1 / 2,
        won_deals=1,  # OP-U5b 04-03 (lead L-U5b's channel); OP-U8 counts nowhere
        lost_deals=0, win_rate=1.0),
    ("P-US", "organic", "week", D("2026-02-02")): funnel(  # L-U3b: only the DELETED OP-U2x
        leads=1, leads_with_opportunity=0, lead_to_opportunity_rate=0 / 1,
        won_deals=0, lost_deals=0, win_rate=None),
    ("P-US", "organic", "week", D("2026-02-09")): funnel(  # OP-U3 won 02-12, lead deleted
        leads=0, leads_with_opportunity=0, lead_to_opportunity_rate=None,
        won_deals=1, lost_deals=0, win_rate=1.0),
    ("P-US", "direct", "week", D("2026-02-16")): funnel(  # OP-U4 won 02-20, A-U4 -> direct
        leads=0, leads_with_opportunity=0, lead_to_opportunity_rate=None,
        won_deals=1, lost_deals=0, win_rate=1.0),
    ("P-US", "meta_ads", "week", D("2026-03-02")): funnel(  # L-U5 (opp); OP-U5 won 03-06
        leads=1, leads_with_opportunity=1, lead_to_opportunity_rate=1.0,
        won_deals=1, lost_deals=0, win_rate=1.0),
    ("P-US", "referral", "week", D("2026-03-09")): funnel(  # L-U6 (opp OP-U6 open, OP-U6b)
        leads=1, leads_with_opportunity=1, lead_to_opportunity_rate=1.0,
        won_deals=0, lost_deals=0, win_rate=None),
    ("P-US", "referral", "week", D("2026-04-13")): funnel(  # OP-U6b lost 04-14
        leads=0, leads_with_opportunity=0, lead_to_opportunity_rate=None,
        won_deals=0, lost_deals=1, win_rate=0.0),
    ("P-US", "linkedin_ads", "week", D("2026-04-06")): funnel(  # L-U7, no opportunity
        leads=1, leads_with_opportunity=0, lead_to_opportunity_rate=0.0,
        won_deals=0, lost_deals=0, win_rate=None),
    # P-US, all channels, weeks: the sums of the channel rows of the same week.
    ("P-US", "all", "week", D("2026-01-05")): funnel(
        leads=1, leads_with_opportunity=1, lead_to_opportunity_rate=1.0,
        won_deals=1, lost_deals=0, win_rate=1.0),
    ("P-US", "all", "week", D("2026-01-19")): funnel(
        leads=1, leads_with_opportunity=1, lead_to_opportunity_rate=1.0,
        won_deals=0, lost_deals=0, win_rate=None),
    ("P-US", "all", "week", D("2026-02-02")): funnel(  # L-U3b (no opp) + OP-U2 won
        leads=1, leads_with_opportunity=0, lead_to_opportunity_rate=0.0,
        won_deals=1, lost_deals=0, win_rate=1.0),
    ("P-US", "all", "week", D("2026-02-09")): funnel(  # OP-U3; deleted L-U4 (02-09) is no lead
        leads=0, leads_with_opportunity=0, lead_to_opportunity_rate=None,
        won_deals=1, lost_deals=0, win_rate=1.0),
    ("P-US", "all", "week", D("2026-02-16")): funnel(  # OP-U4
        leads=0, leads_with_opportunity=0, lead_to_opportunity_rate=None,
        won_deals=1, lost_deals=0, win_rate=1.0),
    ("P-US", "all", "week", D("2026-03-02")): funnel(  # L-U5; OP-U5 won, OP-U1b lost
        leads=1, leads_with_opportunity=1, lead_to_opportunity_rate=1.0,
        won_deals=1, lost_deals=1, win_rate=1 / (1 + 1)),
    ("P-US", "all", "week", D("2026-03-09")): funnel(  # L-U6
        leads=1, leads_with_opportunity=1, lead_to_opportunity_rate=1.0,
        won_deals=0, lost_deals=0, win_rate=None),
    ("P-US", "all", "week", D("2026-03-30")): funnel(  # L-U5b, L-U9; OP-U5b
        leads=2, leads_with_opportunity=1, lead_to_opportunity_rate=1 / 2,
        won_deals=1, lost_deals=0, win_rate=1.0),
    ("P-US", "all", "week", D("2026-04-06")): funnel(  # L-U7
        leads=1, leads_with_opportunity=0, lead_to_opportunity_rate=0.0,
        won_deals=0, lost_deals=0, win_rate=None),
    ("P-US", "all", "week", D("2026-04-13")): funnel(  # OP-U6b
        leads=0, leads_with_opportunity=0, lead_to_opportunity_rate=None,
        won_deals=0, lost_deals=1, win_rate=0.0),
    # ---------------------------------------- P-US, months --------------------------------------
    ("P-US", "google_ads", "month", D("2026-01-01")): funnel(  # L-U1, L-U2 (both opp); OP-U1
        leads=2, leads_with_opportunity=2, lead_to_opportunity_rate=2 / 2,
        won_deals=1, lost_deals=0, win_rate=1.0),
    ("P-US", "google_ads", "month", D("2026-02-01")): funnel(  # OP-U2
        leads=0, leads_with_opportunity=0, lead_to_opportunity_rate=None,
        won_deals=1, lost_deals=0, win_rate=1.0),
    ("P-US", "google_ads", "month", D("2026-03-01")): funnel(  # OP-U1b lost
        leads=0, leads_with_opportunity=0, lead_to_opportunity_rate=None,
        won_deals=0, lost_deals=1, win_rate=0.0),
    ("P-US", "google_ads", "month", D("2026-04-01")): funnel(  # L-U5b, L-U9 (UTC: April); OP-U5b
        leads=2, leads_with_opportunity=1, lead_to_opportunity_rate=1 / 2,
        won_deals=1, lost_deals=0, win_rate=1.0),
    ("P-US", "organic", "month", D("2026-02-01")): funnel(  # L-U3b; OP-U3
        leads=1, leads_with_opportunity=0, lead_to_opportunity_rate=0.0,
        won_deals=1, lost_deals=0, win_rate=1.0),
    ("P-US", "direct", "month", D("2026-02-01")): funnel(  # OP-U4
        leads=0, leads_with_opportunity=0, lead_to_opportunity_rate=None,
        won_deals=1, lost_deals=0, win_rate=1.0),
    ("P-US", "meta_ads", "month", D("2026-03-01")): funnel(  # L-U5; OP-U5
        leads=1, leads_with_opportunity=1, lead_to_opportunity_rate=1.0,
        won_deals=1, lost_deals=0, win_rate=1.0),
    ("P-US", "referral", "month", D("2026-03-01")): funnel(  # L-U6
        leads=1, leads_with_opportunity=1, lead_to_opportunity_rate=1.0,
        won_deals=0, lost_deals=0, win_rate=None),
    ("P-US", "referral", "month", D("2026-04-01")): funnel(  # OP-U6b (created in March)
        leads=0, leads_with_opportunity=0, lead_to_opportunity_rate=None,
        won_deals=0, lost_deals=1, win_rate=0.0),
    ("P-US", "linkedin_ads", "month", D("2026-04-01")): funnel(  # L-U7
        leads=1, leads_with_opportunity=0, lead_to_opportunity_rate=0.0,
        won_deals=0, lost_deals=0, win_rate=None),
    ("P-US", "all", "month", D("2026-01-01")): funnel(
        leads=2, leads_with_opportunity=2, lead_to_opportunity_rate=1.0,
        won_deals=1, lost_deals=0, win_rate=1.0),
    ("P-US", "all", "month", D("2026-02-01")): funnel(  # L-U3b; OP-U2, OP-U3, OP-U4
        leads=1, leads_with_opportunity=0, lead_to_opportunity_rate=0.0,
        won_deals=3, lost_deals=0, win_rate=3 / 3),
    ("P-US", "all", "month", D("2026-03-01")): funnel(  # L-U5, L-U6; OP-U5 won, OP-U1b lost
        leads=2, leads_with_opportunity=2, lead_to_opportunity_rate=1.0,
        won_deals=1, lost_deals=1, win_rate=1 / 2),
    ("P-US", "all", "month", D("2026-04-01")): funnel(  # L-U5b, L-U9, L-U7; OP-U5b, OP-U6b
        leads=3, leads_with_opportunity=1, lead_to_opportunity_rate=1 / 3,
        won_deals=1, lost_deals=1, win_rate=1 / 2),
    # --------------------------------------- P-US, quarters -------------------------------------
    ("P-US", "google_ads", "quarter", D("2026-01-01")): funnel(  # L-U1, L-U2; OP-U1, OP-U2, OP-U1b
        leads=2, leads_with_opportunity=2, lead_to_opportunity_rate=1.0,
        won_deals=2, lost_deals=1, win_rate=2 / (2 + 1)),
    ("P-US", "google_ads", "quarter", D("2026-04-01")): funnel(
        leads=2, leads_with_opportunity=1, lead_to_opportunity_rate=1 / 2,
        won_deals=1, lost_deals=0, win_rate=1.0),
    ("P-US", "organic", "quarter", D("2026-01-01")): funnel(
        leads=1, leads_with_opportunity=0, lead_to_opportunity_rate=0.0,
        won_deals=1, lost_deals=0, win_rate=1.0),
    ("P-US", "direct", "quarter", D("2026-01-01")): funnel(
        leads=0, leads_with_opportunity=0, lead_to_opportunity_rate=None,
        won_deals=1, lost_deals=0, win_rate=1.0),
    ("P-US", "meta_ads", "quarter", D("2026-01-01")): funnel(
        leads=1, leads_with_opportunity=1, lead_to_opportunity_rate=1.0,
        won_deals=1, lost_deals=0, win_rate=1.0),
    ("P-US", "referral", "quarter", D("2026-01-01")): funnel(
        leads=1, leads_with_opportunity=1, lead_to_opportunity_rate=1.0,
        won_deals=0, lost_deals=0, win_rate=None),
    ("P-US", "referral", "quarter", D("2026-04-01")): funnel(
        leads=0, leads_with_opportunity=0, lead_to_opportunity_rate=None,
        won_deals=0, lost_deals=1, win_rate=0.0),
    ("P-US", "linkedin_ads", "quarter", D("2026-04-01")): funnel(
        leads=1, leads_with_opportunity=0, lead_to_opportunity_rate=0.0,
        won_deals=0, lost_deals=0, win_rate=None),
    ("P-US", "all", "quarter", D("2026-01-01")): funnel(
        leads=5,  # L-U1, L-U2, L-U3b, L-U5, L-U6
        leads_with_opportunity=4,  # all but L-U3b
        lead_to_opportunity_rate=4 / 5,
        won_deals=5,  # OP-U1, OP-U2, OP-U3, OP-U4, OP-U5
        lost_deals=1,  # OP-U1b
        win_rate=5 / (5 + 1)),
    ("P-US", "all", "quarter", D("2026-04-01")): funnel(
        leads=3,  # L-U9 (UTC), L-U5b, L-U7
        leads_with_opportunity=1,  # L-U5b
        lead_to_opportunity_rate=1 / 3,
        won_deals=1, lost_deals=1, win_rate=1 / 2),  # OP-U5b; OP-U6b
    # ---------------------------------------- P-FR, weeks ---------------------------------------
    ("P-FR", "event", "week", D("2026-02-02")): funnel(  # L-F1 (opp OP-F1)
        leads=1, leads_with_opportunity=1, lead_to_opportunity_rate=1.0,
        won_deals=0, lost_deals=0, win_rate=None),
    ("P-FR", "event", "week", D("2026-02-09")): funnel(  # OP-F1 won 02-13
        leads=0, leads_with_opportunity=0, lead_to_opportunity_rate=None,
        won_deals=1, lost_deals=0, win_rate=1.0),
    ("P-FR", "event", "week", D("2026-03-16")): funnel(  # L-F3 (opp OP-F3); OP-F3 lost 03-19
        leads=1, leads_with_opportunity=1, lead_to_opportunity_rate=1.0,
        won_deals=0, lost_deals=1, win_rate=0.0),
    ("P-FR", "event", "week", D("2026-05-11")): funnel(  # OP-F4 lost 05-14 (A-F1 -> event)
        leads=0, leads_with_opportunity=0, lead_to_opportunity_rate=None,
        won_deals=0, lost_deals=1, win_rate=0.0),
    ("P-FR", "google_ads", "week", D("2026-03-16")): funnel(  # L-F2 (opp OP-F2)
        leads=1, leads_with_opportunity=1, lead_to_opportunity_rate=1.0,
        won_deals=0, lost_deals=0, win_rate=None),
    ("P-FR", "google_ads", "week", D("2026-04-06")): funnel(  # OP-F2 won 04-10
        leads=0, leads_with_opportunity=0, lead_to_opportunity_rate=None,
        won_deals=1, lost_deals=0, win_rate=1.0),
    ("P-FR", "google_ads", "week", D("2026-05-11")): funnel(  # L-F4, no opportunity
        leads=1, leads_with_opportunity=0, lead_to_opportunity_rate=0.0,
        won_deals=0, lost_deals=0, win_rate=None),
    ("P-FR", "all", "week", D("2026-02-02")): funnel(
        leads=1, leads_with_opportunity=1, lead_to_opportunity_rate=1.0,
        won_deals=0, lost_deals=0, win_rate=None),
    ("P-FR", "all", "week", D("2026-02-09")): funnel(
        leads=0, leads_with_opportunity=0, lead_to_opportunity_rate=None,
        won_deals=1, lost_deals=0, win_rate=1.0),
    ("P-FR", "all", "week", D("2026-03-16")): funnel(  # L-F2, L-F3; OP-F3 lost
        leads=2, leads_with_opportunity=2, lead_to_opportunity_rate=2 / 2,
        won_deals=0, lost_deals=1, win_rate=0.0),
    ("P-FR", "all", "week", D("2026-04-06")): funnel(
        leads=0, leads_with_opportunity=0, lead_to_opportunity_rate=None,
        won_deals=1, lost_deals=0, win_rate=1.0),
    ("P-FR", "all", "week", D("2026-05-11")): funnel(  # L-F4; OP-F4 lost
        leads=1, leads_with_opportunity=0, lead_to_opportunity_rate=0.0,
        won_deals=0, lost_deals=1, win_rate=0.0),
    # ---------------------------------------- P-FR, months --------------------------------------
    ("P-FR", "event", "month", D("2026-02-01")): funnel(  # L-F1; OP-F1
        leads=1, leads_with_opportunity=1, lead_to_opportunity_rate=1.0,
        won_deals=1, lost_deals=0, win_rate=1.0),
    ("P-FR", "event", "month", D("2026-03-01")): funnel(  # L-F3; OP-F3
        leads=1, leads_with_opportunity=1, lead_to_opportunity_rate=1.0,
        won_deals=0, lost_deals=1, win_rate=0.0),
    ("P-FR", "event", "month", D("2026-05-01")): funnel(  # OP-F4
        leads=0, leads_with_opportunity=0, lead_to_opportunity_rate=None,
        won_deals=0, lost_deals=1, win_rate=0.0),
    ("P-FR", "google_ads", "month", D("2026-03-01")): funnel(  # L-F2 (its win is in April)
        leads=1, leads_with_opportunity=1, lead_to_opportunity_rate=1.0,
        won_deals=0, lost_deals=0, win_rate=None),
    ("P-FR", "google_ads", "month", D("2026-04-01")): funnel(  # OP-F2
        leads=0, leads_with_opportunity=0, lead_to_opportunity_rate=None,
        won_deals=1, lost_deals=0, win_rate=1.0),
    ("P-FR", "google_ads", "month", D("2026-05-01")): funnel(  # L-F4
        leads=1, leads_with_opportunity=0, lead_to_opportunity_rate=0.0,
        won_deals=0, lost_deals=0, win_rate=None),
    ("P-FR", "all", "month", D("2026-02-01")): funnel(
        leads=1, leads_with_opportunity=1, lead_to_opportunity_rate=1.0,
        won_deals=1, lost_deals=0, win_rate=1.0),
    ("P-FR", "all", "month", D("2026-03-01")): funnel(
        leads=2, leads_with_opportunity=2, lead_to_opportunity_rate=1.0,
        won_deals=0, lost_deals=1, win_rate=0.0),
    ("P-FR", "all", "month", D("2026-04-01")): funnel(
        leads=0, leads_with_opportunity=0, lead_to_opportunity_rate=None,
        won_deals=1, lost_deals=0, win_rate=1.0),
    ("P-FR", "all", "month", D("2026-05-01")): funnel(
        leads=1, leads_with_opportunity=0, lead_to_opportunity_rate=0.0,
        won_deals=0, lost_deals=1, win_rate=0.0),
    # --------------------------------------- P-FR, quarters -------------------------------------
    ("P-FR", "event", "quarter", D("2026-01-01")): funnel(  # L-F1, L-F3; OP-F1 won, OP-F3 lost
        leads=2, leads_with_opportunity=2, lead_to_opportunity_rate=1.0,
        won_deals=1, lost_deals=1, win_rate=1 / 2),
    ("P-FR", "event", "quarter", D("2026-04-01")): funnel(  # OP-F4
        leads=0, leads_with_opportunity=0, lead_to_opportunity_rate=None,
        won_deals=0, lost_deals=1, win_rate=0.0),
    ("P-FR", "google_ads", "quarter", D("2026-01-01")): funnel(  # L-F2
        leads=1, leads_with_opportunity=1, lead_to_opportunity_rate=1.0,
        won_deals=0, lost_deals=0, win_rate=None),
    ("P-FR", "google_ads", "quarter", D("2026-04-01")): funnel(  # L-F4; OP-F2
        leads=1, leads_with_opportunity=0, lead_to_opportunity_rate=0.0,
        won_deals=1, lost_deals=0, win_rate=1.0),
    ("P-FR", "all", "quarter", D("2026-01-01")): funnel(  # L-F1, L-F2, L-F3; OP-F1, OP-F3
        leads=3, leads_with_opportunity=3, lead_to_opportunity_rate=1.0,
        won_deals=1, lost_deals=1, win_rate=1 / 2),
    ("P-FR", "all", "quarter", D("2026-04-01")): funnel(  # L-F4; OP-F2 won, OP-F4 lost
        leads=1, leads_with_opportunity=0, lead_to_opportunity_rate=0.0,
        won_deals=1, lost_deals=1, win_rate=1 / 2),
}


def _first_half_of_2026(table: dict) -> dict:
    """The half-year 2026-H1 and year 2026 rows of a funnel table: every record of the drop lies
    in January to June 2026, so each is the sum of the channel's two quarters, ratios of those
    sums (a half-year or year holds exactly its quarters)."""
    sums: dict[tuple, dict] = {}
    for (project, channel, grain, _start), row in table.items():
        if grain != "quarter":
            continue
        total = sums.setdefault((project, channel), dict.fromkeys(row, 0))
        for column in ("leads", "leads_with_opportunity", "won_deals", "lost_deals"):
            total[column] += row[column]
    rows = {}
    for (project, channel), total in sums.items():
        row = funnel(
            leads=total["leads"],
            leads_with_opportunity=total["leads_with_opportunity"],
            lead_to_opportunity_rate=_ratio(total["leads_with_opportunity"], total["leads"]),
            won_deals=total["won_deals"],
            lost_deals=total["lost_deals"],
            win_rate=_ratio(total["won_deals"], total["won_deals"] + total["lost_deals"]),
        )
        for grain in ("half_year", "year"):
            rows[(project, channel, grain, D("2026-01-01"))] = row
    return rows


CUSTOMERS_FUNNEL |= _first_half_of_2026(CUSTOMERS_FUNNEL)
# fmt: off

# ============================================================================================
# customers_drop: mart_customer_ltv (one row per customer; A-U6 is not one, A-U8 is deleted)
# ============================================================================================
CUSTOMERS_CUSTOMER_LTV = {
    ("A-U1",): customer(
        project_code="P-US", acquisition_channel="google_ads", first_order_date=D("2026-01-10"),
        orders=3,
        revenue=1000 + 500 + 300,  # 1800
        gross_profit=(1000 - 600) + (500 - 300) + (300 - 100),  # 400 + 200 + 200 = 800
        realized_ltv=800),
    ("A-U2",): customer(
        project_code="P-US", acquisition_channel="google_ads", first_order_date=D("2026-01-25"),
        orders=2,  # O-U2b is cancelled
        revenue=2000 + 400,  # 2400
        gross_profit=(2000 - 1500) + (400 - 250),  # 500 + 150 = 650
        realized_ltv=650),
    ("A-U3",): customer(
        project_code="P-US",
        acquisition_channel="organic",  # its earliest lead L-U3a (meta_ads) is deleted
        first_order_date=D("2026-02-15"),
        orders=2,
        revenue=800 + 200,  # 1000
        gross_profit=(800 - 500) + (200 - 150),  # 300 + 50 = 350
        realized_ltv=350),
    ("A-U4",): customer(
        project_code="P-US",
        acquisition_channel="direct",  # its only lead L-U4 is deleted
        first_order_date=D("2026-02-27"),
        orders=1,  # O-U4b is deleted
        revenue=600, gross_profit=600 - 450, realized_ltv=150),
    ("A-U5",): customer(
        project_code="P-US",
        acquisition_channel="meta_ads",  # L-U5 (03-02) is earlier than L-U5b (04-01)
        first_order_date=D("2026-03-10"),  # O-U5a of 03-05 is cancelled
        orders=2,
        revenue=1200 + 250,  # 1450
        gross_profit=(1200 - 700) + (250 - 50),  # 500 + 200 = 700
        realized_ltv=700),
    ("A-F1",): customer(
        project_code="P-FR", acquisition_channel="event", first_order_date=D("2026-02-20"),
        orders=4,
        revenue=(400 + 200 + 160 + 80) * 1.25,  # 840 EUR = 1050
        gross_profit=((400 - 240) + (200 - 120) + (160 - 80) + (80 - 40)) * 1.25,  # 360 EUR = 450
        realized_ltv=450),
    ("A-F2",): customer(
        project_code="P-FR", acquisition_channel="google_ads", first_order_date=D("2026-04-15"),
        orders=2,
        revenue=800 * 1.25 + 300,  # 1000 + 300 USD = 1300
        gross_profit=(800 - 480) * 1.25 + (300 - 100),  # 400 + 200 = 600
        realized_ltv=600),
}

# ============================================================================================
# customers_drop: mart_channel_ltv_cac (per project and acquisition channel over all time;
# rows for channels with customers or media spend). avg = mean realized_ltv above.
# ============================================================================================
CUSTOMERS_CHANNEL_LTV_CAC = {
    ("P-US", "google_ads"): channel(
        customers=2,  # A-U1, A-U2
        avg_realized_ltv=(800 + 650) / 2,  # 725
        media_spend=400 + 400 + 200,  # 1000
        new_customers=2,
        media_cac=1000 / 2,  # 500
        ltv_to_cac=725 / 500),  # 1.45
    ("P-US", "meta_ads"): channel(
        customers=1,  # A-U5
        avg_realized_ltv=700,
        media_spend=240 * 1.25 + 300,  # 300 + 300 = 600
        new_customers=1,
        media_cac=600 / 1,
        ltv_to_cac=700 / 600),  # 1.1666...
    ("P-US", "linkedin_ads"): channel(  # spend, no customer: a row, ratios NULL
        customers=0, avg_realized_ltv=None, media_spend=300, new_customers=0,
        media_cac=None,  # 300 / 0
        ltv_to_cac=None),
    ("P-US", "organic"): channel(  # A-U3; non-paid: spend 0
        customers=1, avg_realized_ltv=350, media_spend=0, new_customers=1,
        media_cac=0 / 1,  # 0, not NULL
        ltv_to_cac=None),  # 350 / 0
    ("P-US", "direct"): channel(  # A-U4
        customers=1, avg_realized_ltv=150, media_spend=0, new_customers=1,
        media_cac=0.0, ltv_to_cac=None),
    # P-US referral (A-U6 is no customer) and event (L-U4 deleted): no customers, no spend, no row.
    ("P-FR", "event"): channel(  # A-F1
        customers=1, avg_realized_ltv=450, media_spend=0, new_customers=1,
        media_cac=0.0, ltv_to_cac=None),
    ("P-FR", "google_ads"): channel(  # A-F2; P-US's google spend is not P-FR's
        customers=1, avg_realized_ltv=600,
        media_spend=400 * 1.25,  # 500
        new_customers=1, media_cac=500 / 1,
        ltv_to_cac=600 / 500),  # 1.2
    ("P-FR", "meta_ads"): channel(
        customers=0, avg_realized_ltv=None,
        media_spend=80 * 1.25,  # 100
        new_customers=0, media_cac=None, ltv_to_cac=None),
}

# ============================================================================================
# customers_drop: mart_retention_cohorts. Offsets run to June 2026, the month of the data's end
# date 2026-06-03 (T-U7), for every cohort of every project.
# ============================================================================================
CUSTOMERS_RETENTION = {
    # P-US January cohort: A-U1 (01-10), A-U2 (01-25).
    ("P-US", D("2026-01-01"), 0): cohort(
        cohort_customers=2, retained_customers=2, retention_rate=2 / 2),
    ("P-US", D("2026-01-01"), 1): cohort(  # Feb: A-U1 (O-U1b); A-U2's O-U2b is cancelled
        cohort_customers=2, retained_customers=1, retention_rate=1 / 2),
    ("P-US", D("2026-01-01"), 2): cohort(  # Mar: A-U2 (O-U2c)
        cohort_customers=2, retained_customers=1, retention_rate=1 / 2),
    ("P-US", D("2026-01-01"), 3): cohort(  # Apr: A-U1 (O-U1c)
        cohort_customers=2, retained_customers=1, retention_rate=1 / 2),
    ("P-US", D("2026-01-01"), 4): cohort(  # May: nobody
        cohort_customers=2, retained_customers=0, retention_rate=0 / 2),
    ("P-US", D("2026-01-01"), 5): cohort(  # Jun: nobody
        cohort_customers=2, retained_customers=0, retention_rate=0.0),
    # P-US February cohort: A-U3 (02-15), A-U4 (02-27).
    ("P-US", D("2026-02-01"), 0): cohort(
        cohort_customers=2, retained_customers=2, retention_rate=1.0),
    ("P-US", D("2026-02-01"), 1): cohort(  # Mar: A-U3 (O-U3b); A-U4's O-U4b is deleted
        cohort_customers=2, retained_customers=1, retention_rate=1 / 2),
    ("P-US", D("2026-02-01"), 2): cohort(
        cohort_customers=2, retained_customers=0, retention_rate=0.0),
    ("P-US", D("2026-02-01"), 3): cohort(
        cohort_customers=2, retained_customers=0, retention_rate=0.0),
    ("P-US", D("2026-02-01"), 4): cohort(
        cohort_customers=2, retained_customers=0, retention_rate=0.0),
    # P-US March cohort: A-U5 (first confirmed order 03-10).
    ("P-US", D("2026-03-01"), 0): cohort(
        cohort_customers=1, retained_customers=1, retention_rate=1.0),
    ("P-US", D("2026-03-01"), 1): cohort(
        cohort_customers=1, retained_customers=0, retention_rate=0.0),
    ("P-US", D("2026-03-01"), 2): cohort(  # May: O-U5c 05-12
        cohort_customers=1, retained_customers=1, retention_rate=1.0),
    ("P-US", D("2026-03-01"), 3): cohort(
        cohort_customers=1, retained_customers=0, retention_rate=0.0),
    # P-FR February cohort: A-F1, an order every month Feb..May.
    ("P-FR", D("2026-02-01"), 0): cohort(
        cohort_customers=1, retained_customers=1, retention_rate=1.0),
    ("P-FR", D("2026-02-01"), 1): cohort(
        cohort_customers=1, retained_customers=1, retention_rate=1.0),
    ("P-FR", D("2026-02-01"), 2): cohort(
        cohort_customers=1, retained_customers=1, retention_rate=1.0),
    ("P-FR", D("2026-02-01"), 3): cohort(
        cohort_customers=1, retained_customers=1, retention_rate=1.0),
    ("P-FR", D("2026-02-01"), 4): cohort(  # June: no order, but the row exists
        cohort_customers=1, retained_customers=0, retention_rate=0.0),
    # P-FR April cohort: A-F2 (04-15, then 05-06).
    ("P-FR", D("2026-04-01"), 0): cohort(
        cohort_customers=1, retained_customers=1, retention_rate=1.0),
    ("P-FR", D("2026-04-01"), 1): cohort(
        cohort_customers=1, retained_customers=1, retention_rate=1.0),
    ("P-FR", D("2026-04-01"), 2): cohort(
        cohort_customers=1, retained_customers=0, retention_rate=0.0),
}

# ============================================================================================
# customers_drop: mart_followup_conversion (buckets per lead: see the module docstring)
# ============================================================================================
CUSTOMERS_FOLLOWUP = {
    ("P-US", "0"): followups(  # L-U5b (converted), L-U9
        leads=2, converted_leads=1, conversion_rate=1 / 2),
    ("P-US", "1"): followups(  # L-U3b (converted), L-U7
        leads=2, converted_leads=1, conversion_rate=1 / 2),
    ("P-US", "2"): followups(  # L-U2 (converted), L-U6 (A-U6 is no customer)
        leads=2, converted_leads=1, conversion_rate=1 / 2),
    ("P-US", "3+"): followups(  # L-U1 (3), L-U5 (4), both converted
        leads=2, converted_leads=2, conversion_rate=2 / 2),
    ("P-FR", "0"): followups(  # L-F2 (converted), L-F4
        leads=2, converted_leads=1, conversion_rate=1 / 2),
    ("P-FR", "1"): followups(  # L-F1 (converted)
        leads=1, converted_leads=1, conversion_rate=1 / 1),
    # no P-FR lead has exactly 2 follow-ups: no ("P-FR", "2") row
    ("P-FR", "3+"): followups(  # L-F3, not converted
        leads=1, converted_leads=0, conversion_rate=0 / 1),
}

# ============================================================================================
# customers_drop: mart_service (rows with a ticket opened or resolved in the period)
# ============================================================================================
CUSTOMERS_SERVICE = {
    # ------------------------------------------- P-US -------------------------------------------
    ("P-US", "week", D("2026-01-19")): service(  # T-U1 opened and resolved
        tickets_opened=1, tickets_resolved=1, median_resolution_hours=24, avg_satisfaction=5),
    ("P-US", "week", D("2026-01-26")): service(  # T-U2 opened (Fri 01-30)
        tickets_opened=1, tickets_resolved=0, median_resolution_hours=None, avg_satisfaction=None),
    ("P-US", "week", D("2026-02-02")): service(  # T-U2 resolved (Mon 02-02), 72 h
        tickets_opened=0, tickets_resolved=1, median_resolution_hours=72, avg_satisfaction=3),
    ("P-US", "week", D("2026-02-23")): service(  # T-U8: Sun 03-01 in UTC, 8 h
        tickets_opened=1, tickets_resolved=1, median_resolution_hours=8, avg_satisfaction=2),
    ("P-US", "week", D("2026-03-09")): service(
        tickets_opened=3,  # T-U3, T-U5, T-U4
        tickets_resolved=2,  # T-U5 48 h, T-U4 6 h
        median_resolution_hours=(6 + 48) / 2,  # 27
        avg_satisfaction=4),  # T-U5 only: T-U4 has none, T-U3 is unresolved
    ("P-US", "week", D("2026-06-01")): service(  # T-U7 opened
        tickets_opened=1, tickets_resolved=0, median_resolution_hours=None, avg_satisfaction=None),
    ("P-US", "month", D("2026-01-01")): service(  # T-U1, T-U2 opened; T-U1 resolved
        tickets_opened=2, tickets_resolved=1, median_resolution_hours=24, avg_satisfaction=5),
    ("P-US", "month", D("2026-02-01")): service(  # T-U2 resolved; T-U8 is a March ticket in UTC
        tickets_opened=0, tickets_resolved=1, median_resolution_hours=72, avg_satisfaction=3),
    ("P-US", "month", D("2026-03-01")): service(
        tickets_opened=4,  # T-U8, T-U3, T-U5, T-U4
        tickets_resolved=3,  # T-U8 8 h, T-U5 48 h, T-U4 6 h
        median_resolution_hours=8,  # middle of 6, 8, 48
        avg_satisfaction=(2 + 4) / 2),  # 3
    ("P-US", "month", D("2026-06-01")): service(
        tickets_opened=1, tickets_resolved=0, median_resolution_hours=None, avg_satisfaction=None),
    ("P-US", "quarter", D("2026-01-01")): service(
        tickets_opened=6,  # T-U1, T-U2, T-U8, T-U3, T-U5, T-U4
        tickets_resolved=5,  # 24, 72, 8, 48, 6 h
        median_resolution_hours=24,  # middle of 6, 8, 24, 48, 72
        avg_satisfaction=(5 + 3 + 2 + 4) / 4),  # 3.5
    ("P-US", "quarter", D("2026-04-01")): service(  # T-U7; T-U6 (deleted account) nowhere
        tickets_opened=1, tickets_resolved=0, median_resolution_hours=None, avg_satisfaction=None),
    # 2026-H1 and 2026 hold the six tickets of Q1 and T-U7 of Q2; Q2 resolved nothing.
    ("P-US", "half_year", D("2026-01-01")): service(
        tickets_opened=6 + 1, tickets_resolved=5,
        median_resolution_hours=24,  # middle of 6, 8, 24, 48, 72
        avg_satisfaction=(5 + 3 + 2 + 4) / 4),  # 3.5
    ("P-US", "year", D("2026-01-01")): service(
        tickets_opened=6 + 1, tickets_resolved=5, median_resolution_hours=24,
        avg_satisfaction=3.5),
    # ------------------------------------------- P-FR -------------------------------------------
    ("P-FR", "week", D("2026-04-06")): service(  # T-F1 12 h (2), T-F2 30 h (none)
        tickets_opened=2, tickets_resolved=2,
        median_resolution_hours=(12 + 30) / 2,  # 21
        avg_satisfaction=2),
    ("P-FR", "week", D("2026-05-18")): service(  # T-F3 opened (Fri 05-22)
        tickets_opened=1, tickets_resolved=0, median_resolution_hours=None, avg_satisfaction=None),
    ("P-FR", "week", D("2026-05-25")): service(  # T-F3 resolved (Tue 05-26), 4 days
        tickets_opened=0, tickets_resolved=1, median_resolution_hours=4 * 24, avg_satisfaction=5),
    ("P-FR", "month", D("2026-04-01")): service(
        tickets_opened=2, tickets_resolved=2, median_resolution_hours=21, avg_satisfaction=2),
    ("P-FR", "month", D("2026-05-01")): service(  # T-F3 opened and resolved
        tickets_opened=1, tickets_resolved=1, median_resolution_hours=96, avg_satisfaction=5),
    ("P-FR", "quarter", D("2026-04-01")): service(
        tickets_opened=3, tickets_resolved=3,
        median_resolution_hours=30,  # middle of 12, 30, 96
        avg_satisfaction=(2 + 5) / 2),  # 3.5
    # every P-FR ticket is in Q2: 2026-H1 and 2026 are Q2
    ("P-FR", "half_year", D("2026-01-01")): service(
        tickets_opened=3, tickets_resolved=3, median_resolution_hours=30, avg_satisfaction=3.5),
    ("P-FR", "year", D("2026-01-01")): service(
        tickets_opened=3, tickets_resolved=3, median_resolution_hours=30, avg_satisfaction=3.5),
}

# ============================================================================================
# small_drop (drop 1 of test_mart_project_roi.py; FX and story in that module's docstring).
# 1 EUR = 1.25 USD; 1 JPY = 1.25 / 160 USD on the dates used below. Data's end date 2026-04-14.
# ============================================================================================
SMALL_CUSTOMER_LTV = {
    ("A-DE-1",): customer(
        project_code="P-DE", acquisition_channel="google_ads",  # L-DE-1
        first_order_date=D("2026-03-06"),
        orders=2,  # O-DE-1 (03-06), O-DE-2 (Easter Monday 04-06, Thursday's rate)
        revenue=(1000 + 600) * 1.25,  # 2000
        gross_profit=((1000 - 400) + (600 - 240)) * 1.25,  # 960 EUR = 1200
        realized_ltv=1200),
    ("A-DE-2",): customer(
        project_code="P-DE",
        acquisition_channel="event",  # L-DE-2 (created 2026-03-01 UTC)
        first_order_date=D("2026-03-19"),  # O-DE-3 of 03-10 is cancelled
        orders=1,
        revenue=800 * 1.25,  # 1000
        gross_profit=(800 - 300) * 1.25,  # 625
        realized_ltv=625),
    # A-DE-3 is deleted: its confirmed O-DE-5 makes no customer.
    ("A-JP-1",): customer(
        project_code="P-JP", acquisition_channel="google_ads",  # L-JP-1
        first_order_date=D("2026-03-23"),
        orders=2,  # O-JP-1, O-JP-3 (Easter Monday)
        revenue=(160000 + 48000) / 160 * 1.25,  # 1250 + 375 = 1625
        gross_profit=((160000 - 64000) + (48000 - 16000)) / 160 * 1.25,  # 750 + 250 = 1000
        realized_ltv=1000),
    ("A-JP-2",): customer(
        project_code="P-JP",
        acquisition_channel="referral",  # L-JP-2
        first_order_date=D("2026-04-03"),  # Good Friday, Thursday's rate
        orders=1,
        revenue=80000 / 160 * 1.25,  # 625
        gross_profit=(80000 - 40000) / 160 * 1.25,  # 312.5
        realized_ltv=312.5),
}

SMALL_CHANNEL_LTV_CAC = {
    ("P-DE", "google_ads"): channel(
        customers=1, avg_realized_ltv=1200,
        media_spend=400 * 1.25 + 200 * 1.25,  # 02-23 500 + Sat 03-07 at Friday's rate 250 = 750
        new_customers=1, media_cac=750 / 1,
        ltv_to_cac=1200 / 750),  # 1.6
    ("P-DE", "meta_ads"): channel(  # its only lead L-DE-4 is deleted
        customers=0, avg_realized_ltv=None, media_spend=80 * 1.25,  # 100
        new_customers=0, media_cac=None, ltv_to_cac=None),
    ("P-DE", "linkedin_ads"): channel(
        customers=0, avg_realized_ltv=None, media_spend=150,  # USD
        new_customers=0, media_cac=None, ltv_to_cac=None),
    ("P-DE", "event"): channel(
        customers=1, avg_realized_ltv=625, media_spend=0, new_customers=1,
        media_cac=0.0, ltv_to_cac=None),
    # P-DE organic: L-DE-3 converted nobody: no row.
    ("P-JP", "google_ads"): channel(
        customers=1, avg_realized_ltv=1000,
        media_spend=32000 / 160 * 1.25 + 8000 / 160 * 1.25,  # 250 + 62.5 = 312.5
        new_customers=1, media_cac=312.5 / 1,
        ltv_to_cac=1000 / 312.5),  # 3.2
    ("P-JP", "meta_ads"): channel(
        customers=0, avg_realized_ltv=None, media_spend=16000 / 160 * 1.25,  # 125
        new_customers=0, media_cac=None, ltv_to_cac=None),
    ("P-JP", "referral"): channel(
        customers=1, avg_realized_ltv=312.5, media_spend=0, new_customers=1,
        media_cac=0.0, ltv_to_cac=None),
}

SMALL_RETENTION = {
    # End date 2026-04-14: offsets run to April.
    ("P-DE", D("2026-03-01"), 0): cohort(  # A-DE-1, A-DE-2
        cohort_customers=2, retained_customers=2, retention_rate=1.0),
    ("P-DE", D("2026-03-01"), 1): cohort(  # April: A-DE-1 (O-DE-2)
        cohort_customers=2, retained_customers=1, retention_rate=1 / 2),
    ("P-JP", D("2026-03-01"), 0): cohort(  # A-JP-1
        cohort_customers=1, retained_customers=1, retention_rate=1.0),
    ("P-JP", D("2026-03-01"), 1): cohort(  # April: O-JP-3
        cohort_customers=1, retained_customers=1, retention_rate=1.0),
    ("P-JP", D("2026-04-01"), 0): cohort(  # A-JP-2
        cohort_customers=1, retained_customers=1, retention_rate=1.0),
}

SMALL_FOLLOWUP = {
    # L-DE-1: ACT-1 02-18 < 03-06 -> 1. L-DE-2: ACT-2 2026-03-09T10:00+01:00 < 03-19 -> 1.
    # L-DE-3: none, not converted -> 0 (L-DE-4 is deleted).
    ("P-DE", "0"): followups(leads=1, converted_leads=0, conversion_rate=0 / 1),
    ("P-DE", "1"): followups(leads=2, converted_leads=2, conversion_rate=2 / 2),
    # L-JP-1: ACT-3 03-10 < 03-23 -> 1, converted. L-JP-2: none -> 0, converted (A-JP-2).
    # L-JP-3: ACT-4 04-14, no account -> 1, not converted.
    ("P-JP", "0"): followups(leads=1, converted_leads=1, conversion_rate=1 / 1),
    ("P-JP", "1"): followups(leads=2, converted_leads=1, conversion_rate=1 / 2),
}

SMALL_SERVICE = {
    # T-DE-1 2026-03-09T08:00 -> 03-10T08:00 (no offset = UTC): 24 h, satisfaction 4.
    ("P-DE", "week", D("2026-03-09")): service(
        tickets_opened=1, tickets_resolved=1, median_resolution_hours=24, avg_satisfaction=4),
    ("P-DE", "month", D("2026-03-01")): service(
        tickets_opened=1, tickets_resolved=1, median_resolution_hours=24, avg_satisfaction=4),
    ("P-DE", "quarter", D("2026-01-01")): service(
        tickets_opened=1, tickets_resolved=1, median_resolution_hours=24, avg_satisfaction=4),
    ("P-DE", "half_year", D("2026-01-01")): service(
        tickets_opened=1, tickets_resolved=1, median_resolution_hours=24, avg_satisfaction=4),
    ("P-DE", "year", D("2026-01-01")): service(
        tickets_opened=1, tickets_resolved=1, median_resolution_hours=24, avg_satisfaction=4),
    # T-JP-1 2026-04-06T01:00+09:00 = Sunday 2026-04-05T16:00Z: week 03-30, April, Q2; open.
    ("P-JP", "week", D("2026-03-30")): service(
        tickets_opened=1, tickets_resolved=0, median_resolution_hours=None, avg_satisfaction=None),
    ("P-JP", "month", D("2026-04-01")): service(
        tickets_opened=1, tickets_resolved=0, median_resolution_hours=None, avg_satisfaction=None),
    ("P-JP", "quarter", D("2026-04-01")): service(
        tickets_opened=1, tickets_resolved=0, median_resolution_hours=None, avg_satisfaction=None),
    ("P-JP", "half_year", D("2026-01-01")): service(
        tickets_opened=1, tickets_resolved=0, median_resolution_hours=None, avg_satisfaction=None),
    ("P-JP", "year", D("2026-01-01")): service(
        tickets_opened=1, tickets_resolved=0, median_resolution_hours=None, avg_satisfaction=None),
    # T-DE-2 belongs to the deleted account A-DE-3: nowhere.
}
# fmt: on

EXPECTED = {
    "customers_drop": {
        "mart_funnel": CUSTOMERS_FUNNEL,
        "mart_channel_ltv_cac": CUSTOMERS_CHANNEL_LTV_CAC,
        "mart_customer_ltv": CUSTOMERS_CUSTOMER_LTV,
        "mart_retention_cohorts": CUSTOMERS_RETENTION,
        "mart_followup_conversion": CUSTOMERS_FOLLOWUP,
        "mart_service": CUSTOMERS_SERVICE,
    },
    "small_drop": {
        "mart_channel_ltv_cac": SMALL_CHANNEL_LTV_CAC,
        "mart_customer_ltv": SMALL_CUSTOMER_LTV,
        "mart_retention_cohorts": SMALL_RETENTION,
        "mart_followup_conversion": SMALL_FOLLOWUP,
        "mart_service": SMALL_SERVICE,
    },
}
CASES = [(drop, mart) for drop, marts in EXPECTED.items() for mart in marts]
ROW_CASES = [
    (drop, mart, key)
    for drop, marts in EXPECTED.items()
    for mart, rows in marts.items()
    for key in rows
]


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def _case_id(case) -> str:
    return "-".join(str(part) for part in case)


def _row_case_id(case) -> str:
    drop, mart, key = case
    return "-".join([drop.removesuffix("_drop"), mart.removeprefix("mart_"), *map(str, key)])


def _plain(value):
    """DECIMAL comes back as Decimal; compare as float (exactness is not at stake here)."""
    return float(value) if isinstance(value, Decimal) else value


def _run(drop: Path, workdir: Path, warehouse: Path) -> None:
    # Imported here, not at module level, so that collecting the suite does not fail while the
    # runner does not exist yet.
    from roi.runner import run_pipeline

    # The pipeline reads a copy, so nothing a run writes beside its input can touch the fixture.
    landed = Path(tempfile.mkdtemp(prefix="landed-", dir=workdir)) / drop.name
    shutil.copytree(drop, landed)
    result = run_pipeline(data_dir=landed, warehouse=warehouse, reporting_currency="USD")
    assert result.success, f"run over {drop.name} did not publish the marts: {result!r}"


def _read_marts(warehouse: Path) -> dict[str, list[dict] | None]:
    """Every column of every mart checked here; None for a mart that does not exist."""
    marts: dict[str, list[dict] | None] = {}
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        for mart in MART_COLUMNS:
            exists = con.execute(
                "select count(*) from information_schema.tables"
                " where table_schema = 'marts' and table_name = ?",
                [mart],
            ).fetchone()[0]
            if not exists:
                marts[mart] = None
                continue
            cursor = con.execute(f"select * from marts.{mart}")
            columns = [description[0] for description in cursor.description]
            marts[mart] = [
                {c: _plain(v) for c, v in zip(columns, row, strict=True)}
                for row in cursor.fetchall()
            ]
    finally:
        con.close()
    return marts


def _rows(marts: dict, mart: str) -> list[dict]:
    rows = marts[mart]
    assert rows is not None, f"marts.{mart} does not exist"
    missing = [c for c in _contract_columns(mart) if rows and c not in rows[0]]
    assert not missing, f"marts.{mart} lacks contract columns {missing}"
    return rows


def _contract_columns(mart: str) -> tuple[str, ...]:
    keys, values = MART_COLUMNS[mart]
    return (*keys, *values, *EXTRA_CONTRACT_COLUMNS.get(mart, ()))


def _key(mart: str, row: dict) -> tuple:
    return tuple(row[c] for c in MART_COLUMNS[mart][0])


def _matches(column: str, got, want) -> bool:
    if want is None:
        return got is None
    if got is None:
        return False
    if column in COUNT_COLUMNS:
        return isinstance(got, int) and not isinstance(got, bool) and got == want
    if column in EXACT_COLUMNS:
        return type(got) is type(want) and got == want
    return got == pytest.approx(want, abs=1e-6)


@pytest.fixture(scope="module")
def customers_drop_marts(tmp_path_factory) -> dict:
    # GIVEN an empty warehouse and the hand-checkable customers_drop
    workdir = tmp_path_factory.mktemp("roi_customers_drop")
    warehouse = workdir / "roi.duckdb"
    # WHEN one pipeline run loads it
    _run(DROPS["customers_drop"], workdir, warehouse)
    # THEN (in the tests) the published marts hold exactly the hand-computed rows
    return _read_marts(warehouse)


@pytest.fixture(scope="module")
def small_drop_marts(small_drop_published) -> dict:
    # one `roi run` of small_drop into an empty warehouse, shared with test_mart_project_roi.py
    return _read_marts(small_drop_published.warehouse)


@pytest.fixture
def marts_of(request):
    """marts_of("customers_drop") -> that drop's marts (each drop is run once per module)."""
    return lambda drop: request.getfixturevalue(f"{drop}_marts")


# --------------------------------------------------------------------------------------------
# The hand tables themselves (no pipeline): guard the literals against editing slips.
# --------------------------------------------------------------------------------------------


def _same(a, b) -> bool:
    return a is None if b is None else a is not None and a == pytest.approx(b, abs=1e-9)


@pytest.mark.parametrize("drop", list(EXPECTED))
def test_hand_tables_agree_with_their_own_counts(drop):
    tables = EXPECTED[drop]
    for row in tables.get("mart_funnel", {}).values():
        assert _same(
            row["lead_to_opportunity_rate"], _ratio(row["leads_with_opportunity"], row["leads"])
        ), row
        assert _same(
            row["win_rate"], _ratio(row["won_deals"], row["won_deals"] + row["lost_deals"])
        ), row
        assert row["leads_with_opportunity"] <= row["leads"], row
        assert any(row[c] for c in ("leads", "won_deals", "lost_deals")), row
    for row in tables["mart_retention_cohorts"].values():
        assert _same(
            row["retention_rate"], _ratio(row["retained_customers"], row["cohort_customers"])
        )
    for row in tables["mart_followup_conversion"].values():
        assert _same(row["conversion_rate"], _ratio(row["converted_leads"], row["leads"]))
    for row in tables["mart_service"].values():
        assert row["tickets_opened"] or row["tickets_resolved"], row
        assert (row["median_resolution_hours"] is None) == (row["tickets_resolved"] == 0), row
    for row in tables["mart_customer_ltv"].values():
        assert row["realized_ltv"] == pytest.approx(row["gross_profit"])


@pytest.mark.parametrize("drop", list(EXPECTED))
def test_hand_channel_table_agrees_with_hand_customer_table(drop):
    customers = EXPECTED[drop]["mart_customer_ltv"].values()
    for (project, acquisition_channel), row in EXPECTED[drop]["mart_channel_ltv_cac"].items():
        ltvs = [
            c["realized_ltv"]
            for c in customers
            if (c["project_code"], c["acquisition_channel"]) == (project, acquisition_channel)
        ]
        assert row["customers"] == row["new_customers"] == len(ltvs)
        assert _same(row["avg_realized_ltv"], _ratio(sum(ltvs), len(ltvs)))
        assert _same(row["media_cac"], _ratio(row["media_spend"], row["new_customers"]))
        cac = row["media_cac"]
        assert _same(row["ltv_to_cac"], None if not cac else row["avg_realized_ltv"] / cac)
    channels_with_customers = {(c["project_code"], c["acquisition_channel"]) for c in customers}
    assert channels_with_customers <= set(EXPECTED[drop]["mart_channel_ltv_cac"])


def test_hand_funnel_all_rows_are_the_sums_of_the_channel_rows():
    table = EXPECTED["customers_drop"]["mart_funnel"]
    sums: dict[tuple, dict] = {}
    for (project, chan, grain, start), row in table.items():
        if chan == "all":
            continue
        total = sums.setdefault((project, "all", grain, start), dict.fromkeys(row, 0))
        for column in ("leads", "leads_with_opportunity", "won_deals", "lost_deals"):
            total[column] += row[column]
    all_rows = {key: row for key, row in table.items() if key[1] == "all"}
    assert set(all_rows) == set(sums)
    for key, row in all_rows.items():
        for column in ("leads", "leads_with_opportunity", "won_deals", "lost_deals"):
            assert row[column] == sums[key][column], (key, column)


# --------------------------------------------------------------------------------------------
# The marts after a pipeline run
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_mart_has_the_contract_columns(marts_of, case):
    drop, mart = case
    rows = marts_of(drop)[mart]
    assert rows is not None, f"marts.{mart} does not exist after the run over {drop}"
    assert rows, f"marts.{mart} is empty after the run over {drop}"
    missing = [c for c in _contract_columns(mart) if c not in rows[0]]
    assert not missing, f"marts.{mart} lacks contract columns {missing}"


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_one_row_per_key(marts_of, case):
    drop, mart = case
    keys = [_key(mart, r) for r in _rows(marts_of(drop), mart)]
    duplicates = sorted({str(k) for k in keys if keys.count(k) > 1})
    assert not duplicates, f"duplicate keys in marts.{mart}: {duplicates}"


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_exactly_the_expected_rows_exist(marts_of, case):
    # GIVEN the drop (story in the module docstring)
    # WHEN it is loaded into an empty warehouse
    # THEN the mart has a row for each expected key and no other (docs/metrics.md#which-rows-exist)
    drop, mart = case
    actual = {_key(mart, r) for r in _rows(marts_of(drop), mart)}
    expected = set(EXPECTED[drop][mart])
    assert actual == expected, (
        f"marts.{mart}: missing {sorted(map(str, expected - actual))};"
        f" unexpected {sorted(map(str, actual - expected))}"
    )


@pytest.mark.parametrize("case", ROW_CASES, ids=_row_case_id)
def test_row_equals_hand_computed_values(marts_of, case):
    drop, mart, key = case
    rows = {_key(mart, r): r for r in _rows(marts_of(drop), mart)}
    actual = rows.get(key)
    assert actual is not None, f"no row {key} in marts.{mart}"
    problems = [
        f"{column}: expected {want!r}, got {actual[column]!r}"
        for column, want in EXPECTED[drop][mart][key].items()
        if not _matches(column, actual[column], want)
    ]
    assert not problems, f"marts.{mart} {key}:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize(
    ("mart", "column"),
    [
        ("mart_funnel", "period_start"),
        ("mart_service", "period_start"),
        ("mart_retention_cohorts", "cohort_month"),
        ("mart_customer_ltv", "first_order_date"),
    ],
)
def test_date_columns_are_dates(customers_drop_marts, mart, column):
    kinds = {type(r[column]).__name__ for r in _rows(customers_drop_marts, mart)}
    assert kinds == {"date"}, f"marts.{mart}.{column} must be DATE, got {kinds}"


@pytest.mark.parametrize("mart", ["mart_funnel", "mart_service"])
def test_every_mart_with_a_grain_has_all_five(customers_drop_marts, mart):
    grains = {r["period_grain"] for r in _rows(customers_drop_marts, mart)}
    assert grains == {"week", "month", "quarter", "half_year", "year"}


@pytest.mark.parametrize("drop", list(EXPECTED))
def test_predicted_ltv_is_null_or_not_negative(marts_of, drop):
    # The model is the project's own (docs/metrics.md: the definition left the model open);
    # whatever it is, future gross profit of a customer with positive margins is not negative.
    rows = _rows(marts_of(drop), "mart_customer_ltv")
    wrong = {
        r["account_id"]: r["predicted_ltv"]
        for r in rows
        if r["predicted_ltv"] is not None and not r["predicted_ltv"] >= 0
    }
    assert not wrong, f"negative or NaN predicted_ltv: {wrong}"


def test_project_without_records_has_no_rows(customers_drop_marts):
    # P-BR is in projects.csv and nowhere else.
    for mart in MART_COLUMNS:
        projects = {r["project_code"] for r in _rows(customers_drop_marts, mart)}
        assert "P-BR" not in projects, f"marts.{mart} has rows for P-BR"
