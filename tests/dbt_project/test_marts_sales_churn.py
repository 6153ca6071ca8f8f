"""Acceptance test: mart_sales_rep_performance and mart_churn_drivers, worked out by hand.

Definitions: docs/metrics.md#sales-reps and #churn-drivers; columns: docs/warehouse.md.

GIVEN tests/fixtures/small_drop (its story and FX in test_mart_project_roi.py's docstring)
WHEN  it runs once through `roi run` into an empty warehouse, reporting currency USD (the
      session's shared run, `small_drop_published` in tests/conftest.py)
THEN  the published marts hold exactly the rows below.

FX on the dates used: 1 EUR = 1.25 USD; 1 JPY = 1.25 / 160 USD.

Opportunities (owner, account -> project, created_at / closed_at in UTC):
    OP-DE-1 U-1 A-DE-1 P-DE  created 02-25 12:00, won 03-03 00:00      cycle 5.5 days
    OP-DE-2 U-1 A-DE-2 P-DE  created 03-06 06:00 (07:00+01:00), won 03-18 12:00: 12.25 days
    OP-DE-3 U-2 A-DE-1 P-DE  created 03-10, lost 03-20
    OP-DE-4 U-2 A-DE-3       the account is DELETED: no rep (its order O-DE-5 counts nowhere)
    OP-DE-5 U-1 A-DE-1 P-DE  created 04-07, open (proposal)
    OP-JP-1 U-3 A-JP-1 P-JP  created 03-09 06:00 (15:00+09:00), won 03-15 18:00 (03-16 03:00+09:00,
                             a Sunday in UTC: the week of 03-09): 6.5 days
    OP-JP-2 U-3 A-JP-1 P-JP  created 03-20, lost 04-02
    OP-JP-3 U-3 A-JP-2 P-JP  created 04-01 01:00 (10:00+09:00), won 04-03 04:00: 2.125 days
    OP-JP-4 U-3              DELETED: no rep (created 03-25, "won" 04-06)

Orders (confirmed, converted) on a rep's opportunity:
    O-DE-1 OP-DE-1 03-06 1000 EUR = 1250, gross profit (1000 - 400) * 1.25 = 750   -> U-1
    O-DE-4 OP-DE-2 03-19  800 EUR = 1000, gross profit (800 - 300) * 1.25 = 625    -> U-1
    O-JP-1 OP-JP-1 03-23 160000 JPY = 1250, gross profit 96000 / 160 * 1.25 = 750 -> U-3
    O-JP-2 OP-JP-3 04-03  80000 JPY = 625, gross profit 40000 / 160 * 1.25 = 312.5 -> U-3
    No rep: O-DE-2 and O-JP-3 (no opportunity_id), O-DE-3 (cancelled), O-DE-5 (deleted account).

Activities on a rep's opportunity (by occurred_at, UTC date):
    ACT-2 OP-DE-2 2026-03-09 09:00 (10:00+01:00) -> U-1; ACT-3 OP-JP-1 03-10 02:00 -> U-3.
    ACT-1 and ACT-4 name only a lead: no rep.

Churn drivers: the data runs from 2026-02-17 to 2026-04-14, so nobody can churn (a customer
churns 12 months after its last order). The first customers order in March, so the first month
in which anyone was active at the previous month's end is April 2026 (window 2025-04-01 ..
2026-03-31): only retained rows.
    P-DE: A-DE-1 and A-DE-2 (both first ordered in March) are retained. Tickets opened in the
          window: T-DE-1 (A-DE-1, 03-09 08:00 UTC) -> 1 / 2 = 0.5; customers with a ticket
          1 / 2 = 0.5. Resolved in it: T-DE-1 after 24 h, rated 4. Orders in it: O-DE-1 (1250),
          O-DE-4 (1000) -> 2 / 2 = 1 per customer, avg_order_value 2250 / 2 = 1125. (O-DE-2 of
          04-06 is in April itself, outside; T-DE-2 is of the deleted account A-DE-3.)
    P-JP: A-JP-1 (first order 03-23) is retained; A-JP-2 is new in April (first order 04-03):
          in neither group. T-JP-1 opened 2026-04-05 16:00 UTC, after the window: 0 tickets,
          0 / 1 = 0, rate 0, nothing resolved (satisfaction and median NULL). Orders: O-JP-1
          (1250) -> 1 / 1 = 1, avg_order_value 1250.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import duckdb
import pytest

# One whole pipeline run: the session's shared run of small_drop (tests/conftest.py starts the
# files with the most runs first).
PIPELINE_RUNS = 1

D = dt.date.fromisoformat
GRAINS = ("week", "month", "quarter", "half_year", "year")

REP_KEY = ("project_code", "owner_id", "period_grain", "period_start")
REP_VALUES = (
    "opportunities",
    "won_deals",
    "lost_deals",
    "win_rate",
    "avg_sales_cycle_days",
    "revenue",
    "gross_profit",
    "activities",
)
CHURN_KEY = ("project_code", "month", "customer_group")
CHURN_VALUES = (
    "customers",
    "tickets_per_customer",
    "customers_with_ticket_rate",
    "avg_satisfaction",
    "median_resolution_hours",
    "orders_per_customer",
    "avg_order_value",
)
COUNTS = frozenset({"opportunities", "won_deals", "lost_deals", "activities", "customers"})


def rep(
    *,
    opportunities,
    won_deals,
    lost_deals,
    win_rate,
    avg_sales_cycle_days,
    revenue,
    gross_profit,
    activities,
):
    return dict(locals())


def churn(
    *,
    customers,
    tickets_per_customer,
    customers_with_ticket_rate,
    avg_satisfaction,
    median_resolution_hours,
    orders_per_customer,
    avg_order_value,
):
    return dict(locals())


# fmt: off
# ============================================================================================
# mart_sales_rep_performance: rows where any count or amount is non-zero.
# win_rate = won / (won + lost), NULL if 0; avg_sales_cycle_days = mean cycle of the won deals.
# ============================================================================================
# The whole of each rep's activity in one half-year / year (all of it is in 2026-H1).
DE_U1_ALL = rep(  # OP-DE-1, -2, -5 created; OP-DE-1, -2 won; O-DE-1, O-DE-4; ACT-2
    opportunities=3, won_deals=2, lost_deals=0, win_rate=2 / (2 + 0),
    avg_sales_cycle_days=(5.5 + 12.25) / 2,  # 8.875
    revenue=1250 + 1000, gross_profit=750 + 625, activities=1)
DE_U2_ALL = rep(  # OP-DE-3 created and lost
    opportunities=1, won_deals=0, lost_deals=1, win_rate=0 / (0 + 1),
    avg_sales_cycle_days=None, revenue=0, gross_profit=0, activities=0)
JP_U3_ALL = rep(  # OP-JP-1, -2, -3 created; OP-JP-1, -3 won, OP-JP-2 lost; O-JP-1, -2; ACT-3
    opportunities=3, won_deals=2, lost_deals=1, win_rate=2 / (2 + 1),  # 0.666666667
    avg_sales_cycle_days=(6.5 + 2.125) / 2,  # 4.3125
    revenue=1250 + 625, gross_profit=750 + 312.5, activities=1)

SALES_REPS = {
    # ---------------------------------------- ISO weeks ----------------------------------------
    ("P-DE", "U-1", "week", D("2026-02-23")): rep(  # OP-DE-1 created 02-25
        opportunities=1, won_deals=0, lost_deals=0, win_rate=None, avg_sales_cycle_days=None,
        revenue=0, gross_profit=0, activities=0),
    ("P-DE", "U-1", "week", D("2026-03-02")): rep(  # OP-DE-2 created 03-06; OP-DE-1 won 03-03
        opportunities=1, won_deals=1, lost_deals=0, win_rate=1.0, avg_sales_cycle_days=5.5,
        revenue=1250, gross_profit=750, activities=0),  # O-DE-1 03-06
    ("P-DE", "U-1", "week", D("2026-03-09")): rep(  # ACT-2 on OP-DE-2, 03-09
        opportunities=0, won_deals=0, lost_deals=0, win_rate=None, avg_sales_cycle_days=None,
        revenue=0, gross_profit=0, activities=1),
    ("P-DE", "U-1", "week", D("2026-03-16")): rep(  # OP-DE-2 won 03-18; O-DE-4 03-19
        opportunities=0, won_deals=1, lost_deals=0, win_rate=1.0, avg_sales_cycle_days=12.25,
        revenue=1000, gross_profit=625, activities=0),
    ("P-DE", "U-1", "week", D("2026-04-06")): rep(  # OP-DE-5 created 04-07
        opportunities=1, won_deals=0, lost_deals=0, win_rate=None, avg_sales_cycle_days=None,
        revenue=0, gross_profit=0, activities=0),
    ("P-DE", "U-2", "week", D("2026-03-09")): rep(  # OP-DE-3 created 03-10
        opportunities=1, won_deals=0, lost_deals=0, win_rate=None, avg_sales_cycle_days=None,
        revenue=0, gross_profit=0, activities=0),
    ("P-DE", "U-2", "week", D("2026-03-16")): rep(  # OP-DE-3 lost 03-20
        opportunities=0, won_deals=0, lost_deals=1, win_rate=0.0, avg_sales_cycle_days=None,
        revenue=0, gross_profit=0, activities=0),
    ("P-JP", "U-3", "week", D("2026-03-09")): rep(  # OP-JP-1 created 03-09, won 03-15; ACT-3
        opportunities=1, won_deals=1, lost_deals=0, win_rate=1.0, avg_sales_cycle_days=6.5,
        revenue=0, gross_profit=0, activities=1),
    ("P-JP", "U-3", "week", D("2026-03-16")): rep(  # OP-JP-2 created 03-20
        opportunities=1, won_deals=0, lost_deals=0, win_rate=None, avg_sales_cycle_days=None,
        revenue=0, gross_profit=0, activities=0),
    ("P-JP", "U-3", "week", D("2026-03-23")): rep(  # O-JP-1 03-23 only (OP-JP-4 is deleted)
        opportunities=0, won_deals=0, lost_deals=0, win_rate=None, avg_sales_cycle_days=None,
        revenue=1250, gross_profit=750, activities=0),
    ("P-JP", "U-3", "week", D("2026-03-30")): rep(  # OP-JP-3 created 04-01, won 04-03;
        opportunities=1, won_deals=1, lost_deals=1,  # OP-JP-2 lost 04-02
        win_rate=1 / (1 + 1), avg_sales_cycle_days=2.125,
        revenue=625, gross_profit=312.5, activities=0),  # O-JP-2 04-03
    # No P-JP row in the week of 04-06: OP-JP-4 (deleted) and O-JP-3 (no opportunity) only.
    # ----------------------------------------- months ------------------------------------------
    ("P-DE", "U-1", "month", D("2026-02-01")): rep(  # OP-DE-1 created
        opportunities=1, won_deals=0, lost_deals=0, win_rate=None, avg_sales_cycle_days=None,
        revenue=0, gross_profit=0, activities=0),
    ("P-DE", "U-1", "month", D("2026-03-01")): rep(  # OP-DE-2 created; OP-DE-1, -2 won
        opportunities=1, won_deals=2, lost_deals=0, win_rate=1.0,
        avg_sales_cycle_days=(5.5 + 12.25) / 2,  # 8.875
        revenue=1250 + 1000, gross_profit=750 + 625, activities=1),  # ACT-2
    ("P-DE", "U-1", "month", D("2026-04-01")): rep(  # OP-DE-5 created; O-DE-2 has no opportunity
        opportunities=1, won_deals=0, lost_deals=0, win_rate=None, avg_sales_cycle_days=None,
        revenue=0, gross_profit=0, activities=0),
    ("P-DE", "U-2", "month", D("2026-03-01")): DE_U2_ALL,
    ("P-JP", "U-3", "month", D("2026-03-01")): rep(  # OP-JP-1, -2 created; OP-JP-1 won; O-JP-1
        opportunities=2, won_deals=1, lost_deals=0, win_rate=1.0, avg_sales_cycle_days=6.5,
        revenue=1250, gross_profit=750, activities=1),  # ACT-3
    ("P-JP", "U-3", "month", D("2026-04-01")): rep(  # OP-JP-3 created and won, OP-JP-2 lost
        opportunities=1, won_deals=1, lost_deals=1, win_rate=1 / (1 + 1),
        avg_sales_cycle_days=2.125, revenue=625, gross_profit=312.5, activities=0),
    # ---------------------------------------- quarters -----------------------------------------
    ("P-DE", "U-1", "quarter", D("2026-01-01")): rep(  # February + March
        opportunities=1 + 1, won_deals=2, lost_deals=0, win_rate=1.0,
        avg_sales_cycle_days=8.875, revenue=2250, gross_profit=1375, activities=1),
    ("P-DE", "U-1", "quarter", D("2026-04-01")): rep(  # April
        opportunities=1, won_deals=0, lost_deals=0, win_rate=None, avg_sales_cycle_days=None,
        revenue=0, gross_profit=0, activities=0),
    ("P-DE", "U-2", "quarter", D("2026-01-01")): DE_U2_ALL,
    ("P-JP", "U-3", "quarter", D("2026-01-01")): rep(  # March
        opportunities=2, won_deals=1, lost_deals=0, win_rate=1.0, avg_sales_cycle_days=6.5,
        revenue=1250, gross_profit=750, activities=1),
    ("P-JP", "U-3", "quarter", D("2026-04-01")): rep(  # April
        opportunities=1, won_deals=1, lost_deals=1, win_rate=0.5, avg_sales_cycle_days=2.125,
        revenue=625, gross_profit=312.5, activities=0),
    # ------------------------------ half-years (2026-H1) and years ------------------------------
    ("P-DE", "U-1", "half_year", D("2026-01-01")): DE_U1_ALL,
    ("P-DE", "U-2", "half_year", D("2026-01-01")): DE_U2_ALL,
    ("P-JP", "U-3", "half_year", D("2026-01-01")): JP_U3_ALL,
    ("P-DE", "U-1", "year", D("2026-01-01")): DE_U1_ALL,
    ("P-DE", "U-2", "year", D("2026-01-01")): DE_U2_ALL,
    ("P-JP", "U-3", "year", D("2026-01-01")): JP_U3_ALL,
}

# ============================================================================================
# mart_churn_drivers: April 2026 only, retained only (see the docstring).
# ============================================================================================
CHURN_DRIVERS = {
    ("P-DE", D("2026-04-01"), "retained"): churn(  # A-DE-1, A-DE-2
        customers=2, tickets_per_customer=1 / 2, customers_with_ticket_rate=1 / 2,
        avg_satisfaction=4, median_resolution_hours=24,  # T-DE-1
        orders_per_customer=2 / 2, avg_order_value=(1250 + 1000) / 2),  # 1125
    ("P-JP", D("2026-04-01"), "retained"): churn(  # A-JP-1
        customers=1, tickets_per_customer=0 / 1, customers_with_ticket_rate=0 / 1,
        avg_satisfaction=None, median_resolution_hours=None,
        orders_per_customer=1 / 1, avg_order_value=1250 / 1),
}
# fmt: on


def _read(warehouse, mart: str) -> list[dict]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        cursor = con.execute(f"select * from marts.{mart}")
        columns = [description[0] for description in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def _matches(column: str, got, want) -> bool:
    if want is None:
        return got is None
    if got is None:
        return False
    if column in COUNTS:
        return isinstance(got, int) and not isinstance(got, bool) and got == want
    # DECIMAL(38,9): the hand value to 9 decimals (2 / 3 is 0.666666667)
    return isinstance(got, Decimal) and float(got) == pytest.approx(want, abs=1e-9)


@pytest.fixture(scope="module")
def marts(small_drop_published) -> dict[str, list[dict]]:
    return {
        mart: _read(small_drop_published.warehouse, mart)
        for mart in ("mart_sales_rep_performance", "mart_churn_drivers")
    }


def _by_key(rows: list[dict], key: tuple[str, ...]) -> dict[tuple, dict]:
    keyed = {tuple(row[c] for c in key): row for row in rows}
    assert len(keyed) == len(rows), "one row per key"
    return keyed


def test_sales_rep_rows_are_exactly_the_hand_computed_ones(marts):
    rows = _by_key(marts["mart_sales_rep_performance"], REP_KEY)
    assert sorted(rows) == sorted(SALES_REPS)
    for key, want in SALES_REPS.items():
        got = rows[key]
        wrong = {c: (got[c], want[c]) for c in REP_VALUES if not _matches(c, got[c], want[c])}
        assert not wrong, f"{key}: (got, want) {wrong}"
        assert got["reporting_currency"] == "USD"


def test_sales_reps_have_all_five_grains(marts):
    grains = {row["period_grain"] for row in marts["mart_sales_rep_performance"]}
    assert grains == set(GRAINS)
    # every rep with activity has a row in each grain
    owners = {(row["project_code"], row["owner_id"]) for row in marts["mart_sales_rep_performance"]}
    for grain in GRAINS:
        in_grain = {
            (row["project_code"], row["owner_id"])
            for row in marts["mart_sales_rep_performance"]
            if row["period_grain"] == grain
        }
        assert in_grain == owners == {("P-DE", "U-1"), ("P-DE", "U-2"), ("P-JP", "U-3")}


def test_deleted_opportunities_and_orders_without_one_belong_to_no_rep(marts):
    # The year rows hold everything: U-3's year has OP-JP-1, -2, -3 but not the deleted OP-JP-4,
    # U-2 has nothing of the deleted account's OP-DE-4 (won, with order O-DE-5), and the reps'
    # revenue misses O-DE-2 (750 USD) and O-JP-3 (375 USD), which have no opportunity_id.
    years = [r for r in marts["mart_sales_rep_performance"] if r["period_grain"] == "year"]
    assert sum(r["revenue"] for r in years) == Decimal(2250 + 1875)
    assert {r["owner_id"]: r["won_deals"] for r in years} == {"U-1": 2, "U-2": 0, "U-3": 2}


def test_churn_driver_rows_are_exactly_the_hand_computed_ones(marts):
    rows = _by_key(marts["mart_churn_drivers"], CHURN_KEY)
    assert sorted(rows) == sorted(CHURN_DRIVERS)
    for key, want in CHURN_DRIVERS.items():
        got = rows[key]
        wrong = {c: (got[c], want[c]) for c in CHURN_VALUES if not _matches(c, got[c], want[c])}
        assert not wrong, f"{key}: (got, want) {wrong}"
        assert isinstance(got["month"], dt.date)
