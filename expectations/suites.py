"""The expectation suites, one per table, declared as data so they read like a checklist."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # importing great_expectations takes seconds: only when a suite runs
    from great_expectations.expectations import Expectation

# ERP amounts may be negative (credit notes), so only these sums are never below zero.
NON_NEGATIVE_MONEY = ("ad_spend", "revenue", "cogs")
MONEY = (*NON_NEGATIVE_MONEY, "erp_cost", "acquisition_cost", "total_investment", "gross_profit")
COUNTS = ("new_customers", "leads", "opportunities", "won_deals", "lost_deals")


def mart_project_roi() -> list[Expectation]:
    """What must hold of every candidate mart_project_roi before it is published."""
    import great_expectations as gx

    e = gx.expectations
    return [
        e.ExpectTableRowCountToBeBetween(min_value=1),
        e.ExpectCompoundColumnsToBeUnique(
            column_list=["project_code", "period_grain", "period_start"]
        ),
        e.ExpectColumnValuesToBeInSet(
            column="period_grain", value_set=["week", "month", "quarter"]
        ),
        e.ExpectColumnValuesToNotBeNull(column="project_code"),
        e.ExpectColumnValuesToNotBeNull(column="period_start"),
        e.ExpectColumnValuesToMatchRegex(column="reporting_currency", regex=r"^[A-Z]{3}$"),
        e.ExpectColumnValuesToBeBetween(column="win_rate", min_value=0, max_value=1),
        e.ExpectColumnValuesToBeBetween(column="avg_sales_cycle_days", min_value=0),
        *(e.ExpectColumnValuesToBeBetween(column=c, min_value=0) for c in NON_NEGATIVE_MONEY),
        *(e.ExpectColumnValuesToNotBeNull(column=c) for c in (*MONEY, *COUNTS)),
        *(e.ExpectColumnValuesToBeBetween(column=c, min_value=0) for c in COUNTS),
    ]


SUITES: dict[str, Callable[[], list[Expectation]]] = {
    "marts_candidate.mart_project_roi": mart_project_roi,
}
