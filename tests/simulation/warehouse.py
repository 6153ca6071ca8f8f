"""A small hand-built warehouse for `roi simulate`: only the tables and columns it reads.

The data run from 2025-04-01 to 2026-06-30 (marts.dim_date), so the complete quarters are
2025-Q2 to 2026-Q2 and the default window (the last two) is 2026-Q1–2026-Q2, 2026-01-01
to 2026-06-30. Money in USD. Five projects: P-DE and P-FR carry the projections; P-NEW,
P-OLD and P-EMPTY exist to be refused.

marts.mart_ad_performance, media spend (month rows unless said otherwise):

| project | platform     | campaign | month   | spend  | note                                 |
|---------|--------------|----------|---------|--------|--------------------------------------|
| P-DE    | google_ads   | G-1      | 2025-12 | 8,000  | before the default window            |
| P-DE    | google_ads   | G-1      | 2026-02 | 6,000  | two campaigns in one month: summed   |
| P-DE    | google_ads   | G-2      | 2026-02 | 4,000  |                                      |
| P-DE    | google_ads   | G-1      | 2026-05 | 10,000 |                                      |
| P-DE    | google_ads   | G-1      | 2026-Q1 | 10,000 | a quarter row: never read            |
| P-DE    | meta_ads     | M-1      | 2026-03 | 15,000 |                                      |
| P-DE    | linkedin_ads | L-1      | 2026-04 | 9,000  |                                      |
| P-FR    | google_ads   | G-3      | 2026-03 | 12,000 |                                      |
| P-FR    | meta_ads     | M-2      | 2026-03 | 0      | leads without spend                  |
| P-NEW   | google_ads   | G-4      | 2026-06 | 3,000  |                                      |

marts.mart_customer_ltv, one row per customer (active: a confirmed order in the trailing 12
months at 2026-06-30; predicted = realised + monthly GP x remaining lifetime, the mart's
model: 20 months for P-DE's active customers (churn 5%), 36 (the cap) for P-FR's (churn 2%,
1 / 2% = 50) and P-NEW's (no churn rate); 0 for an inactive customer):

| accounts       | project | channel      | first order | realised | active | GP/month | predicted |
|----------------|---------|--------------|-------------|----------|--------|----------|-----------|
| D-G00          | P-DE    | google_ads   | 2025-12-31  | 10,000   | no     | 500      | 10,000    |
| D-G11          | P-DE    | google_ads   | 2025-10-15  | 5,000    | yes    | 200      | 9,000     |
| D-G01          | P-DE    | google_ads   | 2026-01-01  | 1,000    | yes    | 150      | 4,000     |
| D-G02 .. D-G05 | P-DE    | google_ads   | 2026-02-15  | 1,000    | yes    | 150      | 4,000     |
| D-G06 .. D-G09 | P-DE    | google_ads   | 2026-05-20  | 3,000    | yes    | 150      | 6,000     |
| D-G10          | P-DE    | google_ads   | 2026-06-30  | 3,000    | yes    | 150      | 6,000     |
| D-M1 .. D-M6   | P-DE    | meta_ads     | 2026-03-10  | 3,000    | yes    | 250      | 8,000     |
| D-L1 .. D-L3   | P-DE    | linkedin_ads | 2026-04-10  | 2,000    | yes    | 100      | 4,000     |
| D-O1 .. D-O4   | P-DE    | organic      | 2026-05-05  | 1,000    | yes    | 50       | 2,000     |
| F-G1 .. F-G8   | P-FR    | google_ads   | 2026-03-20  | 1,500    | yes    | 50       | 3,300     |
| F-R1 .. F-R2   | P-FR    | referral     | 2026-03-25  | 2,000    | yes    | 50       | 3,800     |
| F-M1 .. F-M5   | P-FR    | meta_ads     | 2026-03-30  | 1,000    | yes    | 50       | 2,800     |
| N-G1 .. N-G2   | P-NEW   | google_ads   | 2026-06-10  | 300      | yes    | 300      | 11,100    |
| O-D1           | P-OLD   | direct       | 2025-05-10  | 500      | no     | 35.71    | 500       |

(GP/month: avg_monthly_gross_profit.)

So in the default window P-DE's google_ads won 10 customers (D-G01 .. D-G10; D-G00 and D-G11
are before it) with realised LTV 5 x 1,000 + 5 x 3,000 = 20,000 and predicted 5 x 4,000 +
5 x 6,000 = 50,000; its meta_ads 6 (18,000; 48,000); its linkedin_ads 3; P-FR's google_ads 8
(12,000; 26,400) and meta_ads 5 without spend. P-DE over all its 25 customers: realised
63,000, predicted 137,000, 24 active earning 200 + 10 x 150 + 6 x 250 + 3 x 100 + 4 x 50 =
3,700 a month (and 63,000 + 3,700 x 20 = 137,000).

marts.mart_project_roi, month rows (and one quarter row that must not be read); cumulative
sums include months before those listed:

| project | month   | investment | acq. cost | gross profit | new | cum. investment | cum. GP |
|---------|---------|------------|-----------|--------------|-----|-----------------|---------|
| P-DE    | 2025-10 | 20,000     | 10,000    | 5,000        | 1   | 120,000         | 100,000 |
| P-DE    | 2025-12 | 30,000     | 15,000    | 20,000       | 1   | 150,000         | 120,000 |
| P-DE    | 2026-02 | 40,000     | 25,000    | 30,000       | 10  | 190,000         | 150,000 |
| P-DE    | 2026-05 | 60,000     | 35,000    | 50,000       | 13  | 250,000         | 200,000 |
| P-DE    | 2026-06 | 0          | 0         | 0            | 0   | 250,000         | 200,000 |
| P-DE    | 2026-Q1 (quarter) | 999,999 | 999,999 | 999,999   | 99  | 999,999         | 999,999 |
| P-FR    | 2026-03 | 40,000     | 20,000    | 50,000       | 15  | 90,000          | 110,000 |
| P-FR    | 2026-06 | 0          | 0         | 0            | 0   | 90,000          | 110,000 |
| P-NEW   | 2026-06 | 5,000      | 3,000     | 600          | 2   | 5,000           | 600     |

In the default window P-DE invested 40,000 + 60,000 = 100,000 (acquisition cost 60,000),
earned 80,000 gross profit and won 23 new customers (ROI -20%); P-FR 40,000 (20,000), 50,000
and 15 (ROI +25%). At the data's end P-DE has invested 250,000 and earned 200,000.

marts.mart_churn_monthly:

| project | months              | active at start | churned | note                                |
|---------|---------------------|-----------------|---------|-------------------------------------|
| P-DE    | 2025-06             | 20              | 10      | 13 months back: not in the rate     |
| P-DE    | 2025-07 .. 2026-06  | 20 each         | 1 each  | 12 / 240 = 5%                       |
| P-FR    | 2025-07 .. 2026-06  | 25 each         | 1 or 0  | 6 / 300 = 2%: 1 in the odd months   |
| P-NEW   | 2026-06             | 0               | 0       | no rate                             |
| P-OLD   | 2026-04, 05, 06     | 1, 1, 0         | 0, 1, 0 | 1 / 2 = 50%, nobody active now      |

marts.dim_project: P-DE, P-FR, P-NEW, P-OLD, P-EMPTY (no rows anywhere else).
"""

from __future__ import annotations

import copy
import datetime as dt

D = dt.date

SCHEMAS = {
    "marts.dim_date": {"date_day": "date"},
    "marts.dim_project": {"project_code": "varchar", "project_name": "varchar"},
    "marts.mart_project_roi": {
        "project_code": "varchar",
        "period_grain": "varchar",
        "period_start": "date",
        "reporting_currency": "varchar",
        "total_investment": "decimal(38,9)",
        "acquisition_cost": "decimal(38,9)",
        "gross_profit": "decimal(38,9)",
        "new_customers": "bigint",
        "cumulative_investment": "decimal(38,9)",
        "cumulative_gross_profit": "decimal(38,9)",
    },
    "marts.mart_ad_performance": {
        "project_code": "varchar",
        "platform": "varchar",
        "campaign_id": "varchar",
        "period_grain": "varchar",
        "period_start": "date",
        "spend": "decimal(38,9)",
    },
    "marts.mart_customer_ltv": {
        "account_id": "varchar",
        "project_code": "varchar",
        "acquisition_channel": "varchar",
        "first_order_date": "date",
        "realized_ltv": "decimal(38,9)",
        "predicted_ltv": "decimal(38,9)",
        "is_active": "boolean",
        "avg_monthly_gross_profit": "decimal(38,9)",
        "expected_remaining_lifetime_months": "decimal(38,9)",
    },
    "marts.mart_churn_monthly": {
        "project_code": "varchar",
        "month_start": "date",
        "active_customers_start": "bigint",
        "churned_customers": "bigint",
    },
}


def _roi(project, grain, start, investment, acquisition, gross_profit, new, cum_inv, cum_gp):
    return {
        "project_code": project,
        "period_grain": grain,
        "period_start": start,
        "reporting_currency": "USD",
        "total_investment": investment,
        "acquisition_cost": acquisition,
        "gross_profit": gross_profit,
        "new_customers": new,
        "cumulative_investment": cum_inv,
        "cumulative_gross_profit": cum_gp,
    }


def _spend(project, platform, campaign, start, spend, grain="month"):
    return {
        "project_code": project,
        "platform": platform,
        "campaign_id": campaign,
        "period_grain": grain,
        "period_start": start,
        "spend": spend,
    }


def _customers(accounts, project, channel, first_order, realized, active, monthly, lifetime):
    """Customers alike; predicted LTV by the mart's model (lifetime 0 when inactive)."""
    return [
        {
            "account_id": account,
            "project_code": project,
            "acquisition_channel": channel,
            "first_order_date": first_order,
            "realized_ltv": realized,
            "predicted_ltv": realized + monthly * (lifetime if active else 0),
            "is_active": active,
            "avg_monthly_gross_profit": monthly,
            "expected_remaining_lifetime_months": lifetime if active else 0,
        }
        for account in accounts
    ]


def _names(prefix: str, first: int, last: int) -> list[str]:
    return [f"{prefix}{number}" for number in range(first, last + 1)]


def _month(year: int, month: int) -> dt.date:
    return D(year, month, 1)


# 2025-07 .. 2026-06
TWELVE_MONTHS = [_month(2025, m) for m in range(7, 13)] + [_month(2026, m) for m in range(1, 7)]


def _churn(project, month, active, churned):
    return {
        "project_code": project,
        "month_start": month,
        "active_customers_start": active,
        "churned_customers": churned,
    }


def baseline() -> dict[str, list[dict]]:
    return {
        "marts.dim_date": [{"date_day": D(2025, 4, 1)}, {"date_day": D(2026, 6, 30)}],
        "marts.dim_project": [
            {"project_code": code, "project_name": name}
            for code, name in [
                ("P-DE", "Germany"),
                ("P-FR", "France"),
                ("P-NEW", "New market"),
                ("P-OLD", "Old market"),
                ("P-EMPTY", "Empty"),
            ]
        ],
        "marts.mart_project_roi": [
            _roi("P-DE", "month", D(2025, 10, 1), 20_000, 10_000, 5_000, 1, 120_000, 100_000),
            _roi("P-DE", "month", D(2025, 12, 1), 30_000, 15_000, 20_000, 1, 150_000, 120_000),
            _roi("P-DE", "month", D(2026, 2, 1), 40_000, 25_000, 30_000, 10, 190_000, 150_000),
            _roi("P-DE", "month", D(2026, 5, 1), 60_000, 35_000, 50_000, 13, 250_000, 200_000),
            _roi("P-DE", "month", D(2026, 6, 1), 0, 0, 0, 0, 250_000, 200_000),
            _roi(
                "P-DE", "quarter", D(2026, 1, 1), 999_999, 999_999, 999_999, 99, 999_999, 999_999
            ),  # fmt: skip
            _roi("P-FR", "month", D(2026, 3, 1), 40_000, 20_000, 50_000, 15, 90_000, 110_000),
            _roi("P-FR", "month", D(2026, 6, 1), 0, 0, 0, 0, 90_000, 110_000),
            _roi("P-NEW", "month", D(2026, 6, 1), 5_000, 3_000, 600, 2, 5_000, 600),
        ],
        "marts.mart_ad_performance": [
            _spend("P-DE", "google_ads", "G-1", D(2025, 12, 1), 8_000),
            _spend("P-DE", "google_ads", "G-1", D(2026, 2, 1), 6_000),
            _spend("P-DE", "google_ads", "G-2", D(2026, 2, 1), 4_000),
            _spend("P-DE", "google_ads", "G-1", D(2026, 5, 1), 10_000),
            _spend("P-DE", "google_ads", "G-1", D(2026, 1, 1), 10_000, grain="quarter"),
            _spend("P-DE", "meta_ads", "M-1", D(2026, 3, 1), 15_000),
            _spend("P-DE", "linkedin_ads", "L-1", D(2026, 4, 1), 9_000),
            _spend("P-FR", "google_ads", "G-3", D(2026, 3, 1), 12_000),
            _spend("P-FR", "meta_ads", "M-2", D(2026, 3, 1), 0),
            _spend("P-NEW", "google_ads", "G-4", D(2026, 6, 1), 3_000),
        ],
        "marts.mart_customer_ltv": [
            *_customers(["D-G00"], "P-DE", "google_ads", D(2025, 12, 31), 10_000, False, 500, 20),
            *_customers(["D-G11"], "P-DE", "google_ads", D(2025, 10, 15), 5_000, True, 200, 20),
            *_customers(["D-G01"], "P-DE", "google_ads", D(2026, 1, 1), 1_000, True, 150, 20),
            *_customers(
                _names("D-G0", 2, 5), "P-DE", "google_ads", D(2026, 2, 15), 1_000, True, 150, 20
            ),
            *_customers(
                _names("D-G0", 6, 9), "P-DE", "google_ads", D(2026, 5, 20), 3_000, True, 150, 20
            ),
            *_customers(["D-G10"], "P-DE", "google_ads", D(2026, 6, 30), 3_000, True, 150, 20),
            *_customers(
                _names("D-M", 1, 6), "P-DE", "meta_ads", D(2026, 3, 10), 3_000, True, 250, 20
            ),
            *_customers(
                _names("D-L", 1, 3), "P-DE", "linkedin_ads", D(2026, 4, 10), 2_000, True, 100, 20
            ),
            *_customers(_names("D-O", 1, 4), "P-DE", "organic", D(2026, 5, 5), 1_000, True, 50, 20),
            *_customers(
                _names("F-G", 1, 8), "P-FR", "google_ads", D(2026, 3, 20), 1_500, True, 50, 36
            ),
            *_customers(
                _names("F-R", 1, 2), "P-FR", "referral", D(2026, 3, 25), 2_000, True, 50, 36
            ),
            *_customers(
                _names("F-M", 1, 5), "P-FR", "meta_ads", D(2026, 3, 30), 1_000, True, 50, 36
            ),
            *_customers(
                _names("N-G", 1, 2), "P-NEW", "google_ads", D(2026, 6, 10), 300, True, 300, 36
            ),
            *_customers(["O-D1"], "P-OLD", "direct", D(2025, 5, 10), 500, False, 35.714285714, 0),
        ],  # fmt: skip
        "marts.mart_churn_monthly": [
            _churn("P-DE", D(2025, 6, 1), 20, 10),
            *(_churn("P-DE", month, 20, 1) for month in TWELVE_MONTHS),
            *(_churn("P-FR", month, 25, month.month % 2) for month in TWELVE_MONTHS),
            _churn("P-NEW", D(2026, 6, 1), 0, 0),
            _churn("P-OLD", D(2026, 4, 1), 1, 0),
            _churn("P-OLD", D(2026, 5, 1), 1, 1),
            _churn("P-OLD", D(2026, 6, 1), 0, 0),
        ],
    }


def tables(**changes) -> dict[str, list[dict]]:
    """The baseline, deep-copied (tests edit it before `write`)."""
    result = copy.deepcopy(baseline())
    result.update(changes)
    return result


def write(con, tables: dict[str, list[dict]]) -> None:
    """Create the tables on a warehouse Connection (DuckDB or PostgreSQL) and fill them."""
    con.execute("create schema if not exists marts")
    for name, columns in SCHEMAS.items():
        con.execute(
            f"create table {name} ("
            + ", ".join(f"{column} {kind}" for column, kind in columns.items())
            + ")"
        )
        rows = [[row.get(column) for column in columns] for row in tables.get(name, [])]
        con.executemany(f"insert into {name} values ({', '.join('?' * len(columns))})", rows)
