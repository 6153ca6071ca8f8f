"""Read what the scenarios need from the published marts, by month, on any engine.

Everything is read at month grain, whatever the scenarios ask, so the data do not depend on
the scenarios and one load serves them all (and the report's What-if section):

- media spend per project, ad platform and month: `marts.mart_ad_performance`, month rows,
  summed over campaigns. Spend sits in the campaign's mapped project, the project
  `mart_project_roi.ad_spend` and `mart_channel_ltv_cac.media_spend` give it to, so a
  project's spend here adds up to its `ad_spend` there. (`fct_ad_spend_daily` holds the
  same spend by day; the mart is already summed by month and project.)
- new customers per project, acquisition channel and month of the first order, with the sums
  of their realised and predicted LTV: `marts.mart_customer_ltv`.
- investment, acquisition cost, gross profit, new customers and the cumulative sums per project
  and month: `marts.mart_project_roi`, month rows.
- churn history: `marts.mart_churn_monthly`; each project's customers now (how many, how many
  active, the sums of realised and predicted LTV and of the active customers' average monthly
  gross profit, and the expected remaining lifetime the mart gave them):
  `marts.mart_customer_ltv`.
- the data's first and last day (`marts.dim_date`), the projects (`marts.dim_project`), the
  reporting currency.

Plain portable SQL with `?` parameters (foundation.warehouse turns them into each engine's
form): DuckDB, PostgreSQL and Spark. Decimals become floats (projections are estimates). The
connection may be read-only; nothing is written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from foundation.marts import data_span, reporting_currency, require_marts
from foundation.warehouse import Connection

TABLES = (
    "dim_date",
    "dim_project",
    "mart_project_roi",
    "mart_ad_performance",
    "mart_customer_ltv",
    "mart_churn_monthly",
)


@dataclass(frozen=True)
class ChannelMonth:
    """A project's channel in a month: its media spend, and the customers whose first order
    fell in the month with that acquisition channel (with their LTV sums)."""

    project_code: str
    channel: str
    month_start: dt.date
    spend: float
    new_customers: int
    realized_ltv: float  # sum over the new customers
    predicted_ltv: float  # sum over the new customers


@dataclass(frozen=True)
class ProjectMonth:
    """One month row of marts.mart_project_roi."""

    project_code: str
    month_start: dt.date
    total_investment: float
    acquisition_cost: float
    gross_profit: float
    new_customers: int
    cumulative_investment: float
    cumulative_gross_profit: float


@dataclass(frozen=True)
class ChurnMonth:
    """One row of marts.mart_churn_monthly."""

    project_code: str
    month_start: dt.date
    active_customers_start: int
    churned_customers: int


@dataclass(frozen=True)
class ProjectCustomers:
    """A project's customers at the data's end (marts.mart_customer_ltv)."""

    project_code: str
    customers: int
    active_customers: int
    realized_ltv: float  # sum over all customers
    predicted_ltv: float  # sum over all customers: the mart's model
    # sum of avg_monthly_gross_profit over the active customers: what they earn a month
    active_monthly_gross_profit: float
    # the mart's expected_remaining_lifetime_months of its active customers (one value per
    # project; None without active customers)
    remaining_lifetime_months: float | None


@dataclass(frozen=True)
class SimulationData:
    data_start: dt.date
    data_end: dt.date
    reporting_currency: str
    projects: dict[str, str]  # code -> name
    channel_months: tuple[ChannelMonth, ...]
    project_months: tuple[ProjectMonth, ...]
    churn_months: tuple[ChurnMonth, ...]
    customers: tuple[ProjectCustomers, ...]


def _float(value) -> float:
    return float(value) if isinstance(value, Decimal | int | float) else 0.0


def _month(year, month) -> dt.date:
    return dt.date(int(year), int(month), 1)


def load_simulation_data(con: Connection, warehouse: str = "the warehouse") -> SimulationData:
    """Everything `simulate` reads, from the published marts of `con`."""
    require_marts(con, TABLES, warehouse, "simulate on")
    start, end = data_span(con)
    projects = {
        code: name or code
        for code, name in con.execute(
            "select project_code, project_name from marts.dim_project order by project_code"
        ).fetchall()
    }
    return SimulationData(
        data_start=start,
        data_end=end,
        reporting_currency=reporting_currency(con),
        projects=projects,
        channel_months=_channel_months(con),
        project_months=tuple(
            ProjectMonth(
                code,
                month,
                _float(investment),
                _float(acquisition),
                _float(gross_profit),
                int(new or 0),
                _float(cumulative_investment),
                _float(cumulative_gross_profit),
            )
            for (
                code,
                month,
                investment,
                acquisition,
                gross_profit,
                new,
                cumulative_investment,
                cumulative_gross_profit,
            ) in con.execute(
                "select project_code, period_start, total_investment, acquisition_cost, "
                "gross_profit, new_customers, cumulative_investment, cumulative_gross_profit "
                "from marts.mart_project_roi where period_grain = ? "
                "order by project_code, period_start",
                ["month"],
            ).fetchall()
        ),  # fmt: skip
        churn_months=tuple(
            ChurnMonth(code, month, int(active or 0), int(churned or 0))
            for code, month, active, churned in con.execute(
                "select project_code, month_start, active_customers_start, churned_customers "
                "from marts.mart_churn_monthly order by project_code, month_start"
            ).fetchall()
        ),
        customers=tuple(
            ProjectCustomers(
                code,
                int(customers),
                int(active or 0),
                _float(realized),
                _float(predicted),
                _float(monthly),
                None if lifetime is None else float(lifetime),
            )
            for code, customers, active, realized, predicted, monthly, lifetime in con.execute(
                "select project_code, count(*), "
                "sum(case when is_active then 1 else 0 end), "
                "sum(realized_ltv), sum(predicted_ltv), "
                "sum(case when is_active then avg_monthly_gross_profit else 0 end), "
                "max(case when is_active then expected_remaining_lifetime_months end) "
                "from marts.mart_customer_ltv group by project_code order by project_code"
            ).fetchall()
        ),
    )


def _channel_months(con: Connection) -> tuple[ChannelMonth, ...]:
    """Spend and new customers per project, channel and month, side by side (a channel
    month with spend and no customer, or customers and no spend, is a row too)."""
    spend = {
        (code, platform, month): _float(amount)
        for code, platform, month, amount in con.execute(
            "select project_code, platform, period_start, sum(spend) "
            "from marts.mart_ad_performance where period_grain = ? "
            "group by project_code, platform, period_start",
            ["month"],
        ).fetchall()
    }
    customers = {
        (code, channel, _month(year, month)): (int(count), _float(realized), _float(predicted))
        for code, channel, year, month, count, realized, predicted in con.execute(
            "select project_code, acquisition_channel, "
            "extract(year from first_order_date), extract(month from first_order_date), "
            "count(*), sum(realized_ltv), sum(predicted_ltv) "
            "from marts.mart_customer_ltv "
            "group by project_code, acquisition_channel, "
            "extract(year from first_order_date), extract(month from first_order_date)"
        ).fetchall()
    }
    return tuple(
        ChannelMonth(code, channel, month, spend.get(key, 0.0), *customers.get(key, (0, 0.0, 0.0)))
        for key in sorted(set(spend) | set(customers))
        for code, channel, month in [key]
    )
