"""A small hand-built warehouse for the report: only the tables and columns it reads.

Three projects in two regions, quarters 2025-Q4 to 2026-Q2 (the report's period is 2026-Q2,
the data ends 2026-06-30). Money in thousands of USD (K = 1,000) so that every amount shows a
thousands separator. The baseline fires no alert; each alert test changes a few values.

mart_project_roi, quarter grain (amounts in K):

| code | region | target | quarter | invest | acq | GP   | new | CAC  | ROI   | cum inv | cum GP |
|------|--------|--------|---------|--------|-----|------|-----|------|-------|---------|--------|
| P1   | EU     | 0.20   | 2025-Q4 | 1000   | 400 | 500  | 4   | 100  | -0.50 | 1000    | 500    |
| P1   |        |        | 2026-Q1 | 1000   | 500 | 1000 | 5   | 100  | 0     | 2000    | 1500   |
| P1   |        |        | 2026-Q2 | 2000   | 500 | 3000 | 5   | 100  | 0.50  | 4000    | 4500   |
| P2   | EU     | 0.10   | 2025-Q4 | 500    | 200 | 800  | 4   | 50   | 0.60  | 500     | 800    |
| P2   |        |        | 2026-Q1 | 500    | 200 | 400  | 4   | 50   | -0.20 | 1000    | 1200   |
| P2   |        |        | 2026-Q2 | 1000   | 240 | 1200 | 4   | 60   | 0.20  | 2000    | 2400   |
| P3   | APAC   | 0.50   | 2026-Q1 | 800    | 800 | 200  | 2   | 400  | -0.75 | 800     | 200    |
| P3   |        |        | 2026-Q2 | 0      | 0   | 100  | 0   | NULL | NULL  | 800     | 300    |

P2's CAC rose exactly 20% (not more than the default threshold); P3 invested nothing and won
no customer in 2026-Q2, so its ROI and CAC are NULL there.

Customers (mart_customer_ltv) acquired by 2026-06-30: P1 14 (7 with realized LTV 200K, 7
with 400K) plus one acquired 2026-07-05 (LTV 10,000K, after the period: left out); P2 12
with 160K each; P3 2 with 100K and 300K.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import duckdb

K = 1000.0
D = dt.date

SCHEMAS = {
    "marts.dim_project": {
        "project_code": "varchar",
        "project_name": "varchar",
        "region": "varchar",
        "target_roi": "decimal(38,9)",
    },
    "marts.dim_date": {"date_day": "date"},
    "marts.mart_project_roi": {
        "project_code": "varchar",
        "period_grain": "varchar",
        "period_start": "date",
        "reporting_currency": "varchar",
        "total_investment": "decimal(38,9)",
        "acquisition_cost": "decimal(38,9)",
        "revenue": "decimal(38,9)",
        "gross_profit": "decimal(38,9)",
        "new_customers": "bigint",
        "cac": "decimal(38,9)",
        "roi": "decimal(38,9)",
        "cumulative_investment": "decimal(38,9)",
        "cumulative_gross_profit": "decimal(38,9)",
        "cumulative_roi": "decimal(38,9)",
        "leads": "bigint",
        "opportunities": "bigint",
        "won_deals": "bigint",
        "lost_deals": "bigint",
        "win_rate": "decimal(38,9)",
        "avg_sales_cycle_days": "decimal(38,9)",
    },
    "marts.mart_funnel": {
        "project_code": "varchar",
        "channel": "varchar",
        "period_grain": "varchar",
        "period_start": "date",
        "leads": "bigint",
        "leads_with_opportunity": "bigint",
        "lead_to_opportunity_rate": "decimal(38,9)",
        "won_deals": "bigint",
        "lost_deals": "bigint",
        "win_rate": "decimal(38,9)",
    },
    "marts.mart_channel_ltv_cac": {
        "project_code": "varchar",
        "channel": "varchar",
        "customers": "bigint",
        "avg_realized_ltv": "decimal(38,9)",
        "media_spend": "decimal(38,9)",
        "media_cac": "decimal(38,9)",
        "ltv_to_cac": "decimal(38,9)",
    },
    "marts.mart_customer_ltv": {
        "account_id": "varchar",
        "project_code": "varchar",
        "acquisition_channel": "varchar",
        "first_order_date": "date",
        "realized_ltv": "decimal(38,9)",
        "is_active": "boolean",
        "avg_monthly_gross_profit": "decimal(38,9)",
        "expected_remaining_lifetime_months": "decimal(38,9)",
        "predicted_ltv": "decimal(38,9)",
    },
    "marts.mart_retention_cohorts": {
        "project_code": "varchar",
        "cohort_month": "date",
        "month_offset": "integer",
        "cohort_customers": "bigint",
        "retained_customers": "bigint",
    },
    "marts.mart_churn_monthly": {
        "project_code": "varchar",
        "month_start": "date",
        "active_customers_start": "bigint",
        "churned_customers": "bigint",
        "churn_rate": "decimal(38,9)",
    },
    "marts.mart_followup_conversion": {
        "project_code": "varchar",
        "followup_bucket": "varchar",
        "leads": "bigint",
        "converted_leads": "bigint",
        "conversion_rate": "decimal(38,9)",
    },
    "marts.mart_ad_performance": {
        "project_code": "varchar",
        "platform": "varchar",
        "campaign_id": "varchar",
        "period_grain": "varchar",
        "period_start": "date",
        "spend": "decimal(38,9)",
        "impressions": "bigint",
        "clicks": "bigint",
        "leads": "bigint",
        "leads_with_opportunity": "bigint",
        "customers": "bigint",
    },
    "marts.mart_lead_response": {
        "project_code": "varchar",
        "channel": "varchar",
        "period_grain": "varchar",
        "period_start": "date",
        "leads": "bigint",
        "leads_followed_up": "bigint",
        "median_hours_to_first_followup": "decimal(38,9)",
        "followed_up_within_24h": "bigint",
        "followed_up_within_24h_rate": "decimal(38,9)",
    },
    "marts.mart_sales_rep_performance": {
        "project_code": "varchar",
        "owner_id": "varchar",
        "period_grain": "varchar",
        "period_start": "date",
        "opportunities": "bigint",
        "won_deals": "bigint",
        "lost_deals": "bigint",
        "win_rate": "decimal(38,9)",
        "avg_sales_cycle_days": "decimal(38,9)",
        "revenue": "decimal(38,9)",
        "gross_profit": "decimal(38,9)",
        "activities": "bigint",
    },
    "marts.mart_churn_drivers": {
        "project_code": "varchar",
        "month": "date",
        "customer_group": "varchar",
        "customers": "bigint",
        "tickets_per_customer": "decimal(38,9)",
        "customers_with_ticket_rate": "decimal(38,9)",
        "avg_satisfaction": "decimal(38,9)",
        "median_resolution_hours": "decimal(38,9)",
        "orders_per_customer": "decimal(38,9)",
        "avg_order_value": "decimal(38,9)",
    },
    "audit.runs": {
        "run_id": "varchar",
        "job_name": "varchar",
        "trigger": "varchar",
        "period": "varchar",
        "started_at": "timestamp with time zone",
        "finished_at": "timestamp with time zone",
        "status": "varchar",
        "failed_checks": "integer",
        "failed_steps": "varchar",
        "code_version": "varchar",
    },
    "audit.check_results": {
        "run_id": "varchar",
        "check_name": "varchar",
        "table_name": "varchar",
        "check_kind": "varchar",
        "severity": "varchar",
        "status": "varchar",
        "observed_value": "varchar",
    },
    "audit.quarantine": {
        "run_id": "varchar",
        "source_table": "varchar",
        "record_key": "varchar",
        "reason": "varchar",
    },
    "audit.source_freshness": {
        "run_id": "varchar",
        "source_table": "varchar",
        "max_loaded_at": "timestamp with time zone",
        "hours_since_load": "double",
        "status": "varchar",
        "warn_after": "varchar",
    },
}

RUN_ID = "run-2026-07-01"
QUARTERS = {"2025-Q4": D(2025, 10, 1), "2026-Q1": D(2026, 1, 1), "2026-Q2": D(2026, 4, 1)}


def _ratio(a: float, b: float) -> float | None:
    return None if b == 0 else a / b


def in_months(rows: list[dict]) -> list[dict]:
    """Each quarter row again as a month row of the quarter's middle month (the What-if
    section reads months): the quarter's flows in one month, the same cumulative sums."""
    months = []
    for quarter_row in rows:
        month = dict(quarter_row, period_grain="month")
        month["period_start"] = quarter_row["period_start"].replace(
            month=quarter_row["period_start"].month + 1
        )
        months.append(month)
    return months


def roi_row(code, quarter, invest, acq, gp, new, cum_inv, cum_gp, leads=0, won=0, lost=0):
    """A mart_project_roi row, ratios computed as the mart does (amounts in K)."""
    return {
        "project_code": code,
        "period_grain": "quarter",
        "period_start": QUARTERS[quarter],
        "reporting_currency": "USD",
        "total_investment": invest * K,
        "acquisition_cost": acq * K,
        "revenue": 2 * gp * K,  # a gross margin of 50%
        "gross_profit": gp * K,
        "new_customers": new,
        "cac": _ratio(acq * K, new),
        "roi": _ratio((gp - invest) * K, invest * K),
        "cumulative_investment": cum_inv * K,
        "cumulative_gross_profit": cum_gp * K,
        "cumulative_roi": _ratio((cum_gp - cum_inv) * K, cum_inv * K),
        "leads": leads,
        "opportunities": leads // 5,
        "won_deals": won,
        "lost_deals": lost,
        "win_rate": _ratio(won, won + lost),
        "avg_sales_cycle_days": 30.0 if won else None,
    }


def funnel_row(code, channel, quarter, leads, with_opportunity, won=0, lost=0):
    return {
        "project_code": code,
        "channel": channel,
        "period_grain": "quarter",
        "period_start": QUARTERS[quarter],
        "leads": leads,
        "leads_with_opportunity": with_opportunity,
        "lead_to_opportunity_rate": _ratio(with_opportunity, leads),
        "won_deals": won,
        "lost_deals": lost,
        "win_rate": _ratio(won, won + lost),
    }


def ad_row(code, platform, campaign, quarter, spend, impressions, clicks, leads, lwo, customers):
    """A mart_ad_performance row (spend in K)."""
    return {
        "project_code": code,
        "platform": platform,
        "campaign_id": campaign,
        "period_grain": "quarter",
        "period_start": QUARTERS[quarter],
        "spend": spend * K,
        "impressions": impressions,
        "clicks": clicks,
        "leads": leads,
        "leads_with_opportunity": lwo,
        "customers": customers,
    }


def response_row(code, channel, quarter, leads, followed, median, within):
    """A mart_lead_response row."""
    return {
        "project_code": code,
        "channel": channel,
        "period_grain": "quarter",
        "period_start": QUARTERS[quarter],
        "leads": leads,
        "leads_followed_up": followed,
        "median_hours_to_first_followup": median,
        "followed_up_within_24h": within,
        "followed_up_within_24h_rate": _ratio(within, leads),
    }


def rep_row(code, owner, opportunities, won, lost, cycle, revenue, gp, activities):
    """A mart_sales_rep_performance row of 2026-Q2 (money in K)."""
    return {
        "project_code": code,
        "owner_id": owner,
        "period_grain": "quarter",
        "period_start": QUARTERS["2026-Q2"],
        "opportunities": opportunities,
        "won_deals": won,
        "lost_deals": lost,
        "win_rate": _ratio(won, won + lost),
        "avg_sales_cycle_days": cycle,
        "revenue": revenue * K,
        "gross_profit": gp * K,
        "activities": activities,
    }


def driver_row(code, month, group, customers, tickets, with_ticket, satisfaction, hours, orders,
               order_value):  # fmt: skip
    """A mart_churn_drivers row (order value in K)."""
    return {
        "project_code": code,
        "month": month,
        "customer_group": group,
        "customers": customers,
        "tickets_per_customer": tickets,
        "customers_with_ticket_rate": with_ticket,
        "avg_satisfaction": satisfaction,
        "median_resolution_hours": hours,
        "orders_per_customer": orders,
        "avg_order_value": order_value * K,
    }


def churn_row(code, month: dt.date, active: int, churned: int):
    return {
        "project_code": code,
        "month_start": month,
        "active_customers_start": active,
        "churned_customers": churned,
        "churn_rate": _ratio(churned, active),
    }


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    months = [first]
    while months[-1] < last:
        year, month = divmod(months[-1].month, 12)
        months.append(D(months[-1].year + year, month + 1, 1))
    return months


# A project's active customers stay 1 / monthly churn more months (mart_customer_ltv's model):
# P1 and P2 churn 1 of 30 a month (30 months), P3 has no churn history (the 36-month cap).
LIFETIME = {"P1": 30.0, "P2": 30.0, "P3": 36.0}


def customer_row(i, code, first, ltv, channel, monthly) -> dict:
    """A mart_customer_ltv row; `monthly` (avg_monthly_gross_profit) None: not active."""
    active = monthly is not None
    lifetime = LIFETIME[code] if active else 0.0
    return {
        "account_id": f"A{i}",
        "project_code": code,
        "acquisition_channel": channel,
        "first_order_date": first,
        "realized_ltv": ltv,
        "is_active": active,
        "avg_monthly_gross_profit": monthly,
        "expected_remaining_lifetime_months": lifetime,
        "predicted_ltv": ltv + (monthly or 0) * lifetime,
    }


def baseline() -> dict[str, list[dict]]:
    # (project, first order, realized LTV, acquisition channel, monthly gross profit if active)
    customers = (
        [("P1", D(2025, 11, 1), 200 * K, "google_ads", 25 * K)] * 7
        + [("P1", D(2026, 5, 1), 400 * K, "google_ads", 200 * K)] * 7
        + [("P1", D(2026, 7, 5), 10_000 * K, "organic", None)]
        + [("P2", D(2026, 2, 1), 160 * K, "meta_ads", 32 * K)] * 5
        + [("P2", D(2026, 2, 1), 160 * K, "linkedin_ads", 32 * K)] * 5
        + [("P2", D(2026, 2, 1), 160 * K, "organic", 32 * K)] * 2
        + [("P3", D(2026, 2, 1), 100 * K, "organic", 20 * K)]
        + [("P3", D(2026, 6, 30), 300 * K, "organic", 300 * K)]
    )
    project_roi = [
        roi_row("P1", "2025-Q4", 1000, 400, 500, 4, 1000, 500, 80, 4, 4),
        roi_row("P1", "2026-Q1", 1000, 500, 1000, 5, 2000, 1500, 100, 5, 5),
        roi_row("P1", "2026-Q2", 2000, 500, 3000, 5, 4000, 4500, 100, 6, 4),
        roi_row("P2", "2025-Q4", 500, 200, 800, 4, 500, 800, 40, 2, 2),
        roi_row("P2", "2026-Q1", 500, 200, 400, 4, 1000, 1200, 50, 3, 3),
        roi_row("P2", "2026-Q2", 1000, 240, 1200, 4, 2000, 2400, 50, 3, 3),
        roi_row("P3", "2026-Q1", 800, 800, 200, 2, 800, 200, 10, 1, 0),
        roi_row("P3", "2026-Q2", 0, 0, 100, 0, 800, 300, 10, 0, 0),
    ]
    ads = [
        ad_row("P1", "google_ads", "G1", "2026-Q1", 250, 900_000, 18_000, 40, 8, 2),
        ad_row("P1", "google_ads", "G2", "2026-Q1", 150, 300_000, 3_000, 20, 3, 1),
        ad_row("P2", "meta_ads", "M1", "2026-Q1", 110, 400_000, 4_000, 30, 5, 3),
        ad_row("P1", "google_ads", "G1", "2026-Q2", 300, 1_000_000, 20_000, 40, 10, 3),
        ad_row("P1", "google_ads", "G2", "2026-Q2", 100, 200_000, 2_000, 20, 2, 0),
        ad_row("P2", "meta_ads", "M1", "2026-Q2", 120, 500_000, 5_000, 30, 6, 4),
        ad_row("P2", "linkedin_ads", "L1", "2026-Q2", 80, 100_000, 500, 4, 2, 1),
        ad_row("P3", "google_ads", "G9", "2026-Q2", 0, 0, 0, 2, 1, 1),
    ]
    churn = [churn_row(code, month, 30, 1) for code in ("P1", "P2") for month in _months(
        D(2025, 10, 1), D(2026, 6, 1))]  # fmt: skip
    return {
        "marts.dim_project": [
            {"project_code": "P1", "project_name": "Alpha", "region": "EU", "target_roi": 0.2},
            {"project_code": "P2", "project_name": "Beta", "region": "EU", "target_roi": 0.1},
            {"project_code": "P3", "project_name": "Gamma", "region": "APAC", "target_roi": 0.5},
        ],
        "marts.dim_date": [{"date_day": D(2025, 10, 1)}, {"date_day": D(2026, 6, 30)}],
        "marts.mart_project_roi": project_roi + in_months(project_roi),
        "marts.mart_funnel": [
            funnel_row("P1", "all", "2026-Q1", 100, 20, 5, 5),
            funnel_row("P1", "all", "2026-Q2", 100, 18, 6, 4),
            funnel_row("P1", "google_ads", "2026-Q2", 60, 12, 4, 2),
            funnel_row("P1", "organic", "2026-Q2", 40, 6, 2, 2),
            funnel_row("P2", "all", "2026-Q1", 50, 10, 3, 3),
            funnel_row("P2", "all", "2026-Q2", 50, 9, 3, 3),
            funnel_row("P2", "google_ads", "2026-Q2", 50, 9, 3, 3),
            funnel_row("P3", "all", "2026-Q1", 10, 5, 1, 0),
            funnel_row("P3", "all", "2026-Q2", 10, 2),
            funnel_row("P3", "organic", "2026-Q2", 10, 2),
        ],
        "marts.mart_channel_ltv_cac": [
            # google_ads over P1 and P2: 20 customers, LTV (8 x 350 + 12 x 160) / 20 = 236K,
            # spend 600K, media CAC 30K, LTV/CAC 7.87
            {
                "project_code": "P1",
                "channel": "google_ads",
                "customers": 8,
                "avg_realized_ltv": 350 * K,
                "media_spend": 400 * K,
                "media_cac": 50 * K,
                "ltv_to_cac": 7.0,
            },
            {
                "project_code": "P2",
                "channel": "google_ads",
                "customers": 12,
                "avg_realized_ltv": 160 * K,
                "media_spend": 200 * K,
                "media_cac": 200 * K / 12,
                "ltv_to_cac": 9.6,
            },
            {
                "project_code": "P1",
                "channel": "organic",
                "customers": 6,
                "avg_realized_ltv": 250 * K,
                "media_spend": 0.0,
                "media_cac": 0.0,
                "ltv_to_cac": None,
            },
        ],  # fmt: skip
        "marts.mart_customer_ltv": [
            customer_row(i, *customer) for i, customer in enumerate(customers)
        ],
        "marts.mart_retention_cohorts": [
            {
                "project_code": "P1",
                "cohort_month": D(2026, 4, 1),
                "month_offset": offset,
                "cohort_customers": 10,
                "retained_customers": retained,
            }
            for offset, retained in enumerate([10, 4, 3, 2])  # offset 3 is July: left out
        ],  # fmt: skip
        "marts.mart_churn_monthly": churn,
        "marts.mart_followup_conversion": [
            {
                "project_code": "P1",
                "followup_bucket": bucket,
                "leads": leads,
                "converted_leads": converted,
                "conversion_rate": converted / leads,
            }
            for bucket, leads, converted in [
                ("0", 100, 2),
                ("1", 50, 3),
                ("2", 30, 3),
                ("3+", 20, 6),
            ]
        ],  # fmt: skip
        # 2026-Q2 campaigns: M1 30K per customer, L1 80K, G1 100K, G2 spend without customers;
        # G9 leads without spend (not ranked). P1's google_ads cost per lead is 400K / 60 leads
        # in both quarters; P2's meta_ads 110K / 30 -> 120K / 30 (+9.1%): no alert.
        "marts.mart_ad_performance": ads + in_months(ads),
        # P2's median of 48 h is over 9 followed-up leads (< 10: no alert); P3's is exactly 24 h
        # (not above the threshold).
        "marts.mart_lead_response": [
            response_row("P1", "all", "2026-Q1", 100, 70, 20.0, 50),
            response_row("P1", "google_ads", "2026-Q2", 60, 50, 6.0, 45),
            response_row("P1", "organic", "2026-Q2", 40, 30, 30.0, 10),
            response_row("P1", "all", "2026-Q2", 100, 80, 12.0, 55),
            response_row("P2", "google_ads", "2026-Q2", 50, 9, 48.0, 3),
            response_row("P2", "all", "2026-Q2", 50, 9, 48.0, 3),
            response_row("P3", "organic", "2026-Q2", 10, 10, 24.0, 6),
            response_row("P3", "all", "2026-Q2", 10, 10, 24.0, 6),
        ],
        # P1's revenue in 2026-Q2 is 6,000K over 3 active reps (unassigned included); P2's
        # 2,400K over 1; P3 has no rep row.
        "marts.mart_sales_rep_performance": [
            rep_row("P1", "U-1", 10, 4, 2, 30.0, 4000, 2000, 25),
            rep_row("P1", "U-2", 8, 2, 2, 40.0, 1500, 700, 12),
            rep_row("P1", "unassigned", 2, 0, 0, None, 0, 0, 0),
            rep_row("P2", "U-3", 10, 3, 3, 20.0, 2400, 1200, 30),
        ],
        "marts.mart_churn_drivers": [
            driver_row("P1", D(2026, 5, 1), "churned", 4, 2.5, 0.75, 2.4, 50.0, 1.25, 10),
            driver_row("P1", D(2026, 5, 1), "retained", 26, 0.5, 0.3, 4.5, 8.0, 3.0, 12),
        ],
        "audit.runs": [
            {
                "run_id": "run-2026-04-01",
                "job_name": "roi_quarterly",
                "trigger": "schedule",
                "period": "2026-Q1",
                "started_at": dt.datetime(2026, 4, 1, 6, tzinfo=dt.UTC),
                "finished_at": dt.datetime(2026, 4, 1, 6, 5, tzinfo=dt.UTC),
                "status": "failed",
                "failed_checks": 1,
                "failed_steps": None,
                "code_version": "abc1234",
            },
            {
                "run_id": RUN_ID,
                "job_name": "roi_quarterly",
                "trigger": "schedule",
                "period": "2026-Q2",
                "started_at": dt.datetime(2026, 7, 1, 6, tzinfo=dt.UTC),
                "finished_at": dt.datetime(2026, 7, 1, 6, 4, tzinfo=dt.UTC),
                "status": "success",
                "failed_checks": 0,
                "failed_steps": None,
                "code_version": "def5678",
            },
        ],  # fmt: skip
        "audit.check_results": [
            {
                "run_id": RUN_ID,
                "check_name": "fx_coverage",
                "table_name": "audit.quarantine",
                "check_kind": "quarantine",
                "severity": "error",
                "status": "pass",
                "observed_value": "quarantined_rows=0",
            },
            {
                "run_id": "run-2026-04-01",
                "check_name": "fx_coverage",
                "table_name": "audit.quarantine",
                "check_kind": "quarantine",
                "severity": "error",
                "status": "fail",
                "observed_value": "quarantined_rows=3",
            },
        ],  # fmt: skip
        "audit.quarantine": [
            {
                "run_id": "run-2026-04-01",
                "source_table": "raw_crm.orders",
                "record_key": "O9",
                "reason": "missing_fx_rate",
            },
        ],  # fmt: skip
        "audit.source_freshness": [
            {
                "run_id": RUN_ID,
                "source_table": "raw_ads.ad_spend",
                "max_loaded_at": dt.datetime(2026, 7, 1, 6, 1, tzinfo=dt.UTC),
                "hours_since_load": 0.1,
                "status": "pass",
                "warn_after": "8 day",
            },
        ],  # fmt: skip
    }


def tables(**changes) -> dict[str, list[dict]]:
    """The baseline, deep-copied (tests edit it before `write`)."""
    result = copy.deepcopy(baseline())
    result.update(changes)
    return result


def row(tables: dict, table: str, **match) -> dict:
    """The one row of `table` whose columns equal `match` (to edit in place)."""
    found = [r for r in tables[table] if all(r[k] == v for k, v in match.items())]
    assert len(found) == 1, (table, match, len(found))
    return found[0]


def write(path: Path, tables: dict[str, list[dict]]) -> Path:
    with duckdb.connect(str(path)) as con:
        for schema in {name.split(".")[0] for name in SCHEMAS}:
            con.execute(f"create schema if not exists {schema}")
        for name, columns in SCHEMAS.items():
            if name not in tables:
                continue
            con.execute(
                f"create table {name} ("
                + ", ".join(f"{column} {kind}" for column, kind in columns.items())
                + ")"
            )
            rows = [[r.get(column) for column in columns] for r in tables[name]]
            if rows:
                con.executemany(
                    f"insert into {name} values ({', '.join('?' * len(columns))})", rows
                )
    return path
