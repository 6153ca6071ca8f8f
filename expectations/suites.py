"""The expectation suites, declared as data so they read like a checklist.

Each suite validates one frame: a table, or a query (reconciliations). Each rule is
blocking (a failure stops the marts from being published: keys, FX coverage,
reconciliation, data loss) or a warning (reported, the run goes on). Raw-table suites are
derived from the same declaration the file validator uses (ingestion/file_contract.py),
so API sources, which skip the file validator, are held to the same rules.

Every suite runs in the warehouse, as SQL (Great Expectations' SQL data sources,
expectations/validate.py): no table is read into Python. A raw-table suite checks its
row-level rules (required values, value sets, formats, ranges) on the rows this run's loads
brought (their `_dlt_load_id` is one of the run's load ids in audit.loads) and its
table-level rules (`whole_table`: key uniqueness, no rows lost, orphan keys) on the whole
table (key uniqueness on the run's rows where raw tables only append, on Spark:
`Rule.raw_key`). Every row of a raw table was new in the run that loaded it, and that run's suite
checked it before any model read it: a row that fails blocks that run, and is validated
again only when a later load brings it again (a merge replaces it). Mart suites and the
reconciliation check every row of what they validate.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from foundation.periods import GRAINS
from ingestion.raw_tables import RAW_TABLES


@dataclass(frozen=True)
class Rule:
    expectation: str  # a great_expectations.expectations class name
    kwargs: dict[str, Any]
    blocking: bool = True
    # A foreign key: ExpectColumnValuesToBeInSet whose value set is what this query returns
    # (every key of another table); expectations/validate.py checks it in the warehouse
    # without reading the key set into Python.
    references: str | None = None
    # A fact of the whole table (row count, key uniqueness, orphan keys): checked on the
    # whole table even where the suite's other rules see only the rows this run loaded.
    whole_table: bool = False
    # The raw table's key is unique. Where dlt merges on the key (DuckDB, PostgreSQL), in
    # the whole table; where raw tables only append (Spark), a later load brings a key's new
    # version beside the old one (staging keeps the newest), so there the key is unique
    # within the rows of this run's loads.
    raw_key: bool = False

    @property
    def label(self) -> str:
        target = self.kwargs.get("column") or self.kwargs.get("column_list") or ""
        if "column_A" in self.kwargs:
            relation = "=" if self.expectation.endswith("ToBeEqual") else ">="
            target = f"{self.kwargs['column_A']} {relation} {self.kwargs['column_B']}"
        return f"{self.expectation}({', '.join(target) if isinstance(target, list) else target})"


@dataclass(frozen=True)
class History:
    """What the suite may compare against: the row count of the last run."""

    previous_rows: int | None


@dataclass(frozen=True)
class Suite:
    name: str  # the asset check's name
    table: str  # schema.table the check is attached to
    rules: Callable[[History], list[Rule]]
    query: str | None = None  # None: the whole table
    description: str = ""
    # True (raw tables): rules that are not `whole_table` check only the rows that this
    # run's loads brought (`_dlt_load_id` among the run's load ids in audit.loads)
    new_rows_only: bool = False


def _never_shrinks(history: History) -> list[Rule]:
    # Raw tables are merged, never truncated: fewer rows than last run means data was lost.
    if history.previous_rows is None:
        return []
    return [
        Rule(
            "ExpectTableRowCountToBeBetween",
            {"min_value": history.previous_rows},
            whole_table=True,
        )
    ]


# Foreign keys that should resolve; a miss is a warning here (the blocking guard for the
# ones that change money is the quarantine: orders of unknown accounts, unmapped spend).
ORPHAN_CHECKS: dict[str, tuple[tuple[str, str], ...]] = {
    "raw_crm.opportunities": (("account_id", "select account_id from raw_crm.accounts"),),
    "raw_crm.tickets": (("account_id", "select account_id from raw_crm.accounts"),),
    "raw_crm.leads": (("converted_account_id", "select account_id from raw_crm.accounts"),),
    "raw_crm.activities": (("lead_id", "select lead_id from raw_crm.leads"),),
    "raw_crm.orders": (("account_id", "select account_id from raw_crm.accounts"),),
    "raw_erp.costs": (("project_code", "select project_code from raw_reference.projects"),),
    "raw_ads.ad_spend": (("project_code", "select project_code from raw_reference.projects"),),
}


def _unique(columns: tuple[str, ...]) -> Rule:
    if len(columns) == 1:
        return Rule(
            "ExpectColumnValuesToBeUnique", {"column": columns[0]}, whole_table=True, raw_key=True
        )
    return Rule(
        "ExpectCompoundColumnsToBeUnique",
        {"column_list": list(columns)},
        whole_table=True,
        raw_key=True,
    )


def _raw_suite(dataset: str, table: str) -> Suite:
    spec = RAW_TABLES[(dataset, table)]
    name = f"{dataset}.{table}"

    def rules(history: History) -> list[Rule]:
        found = [_unique(spec.primary_key), *_never_shrinks(history)]
        for column in spec.columns:
            if column.required:
                found.append(Rule("ExpectColumnValuesToNotBeNull", {"column": column.name}))
            if column.allowed:
                found.append(
                    Rule(
                        "ExpectColumnValuesToBeInSet",
                        {"column": column.name, "value_set": list(column.allowed)},
                    )
                )
            if column.kind == "currency":
                found.append(
                    Rule(
                        "ExpectColumnValuesToMatchRegex",
                        {"column": column.name, "regex": r"^[A-Z]{3}$"},
                    )
                )
            min_value, max_value = column.min_value, column.max_value
            if column.max_magnitude is not None:
                # the file drop's validator rejects larger amounts; live connectors land
                # theirs unchecked, and dbt would fail on them in every later run
                max_value = column.max_magnitude
                if min_value is None:
                    min_value = -column.max_magnitude
            if min_value is not None or max_value is not None:
                found.append(
                    Rule(
                        "ExpectColumnValuesToBeBetween",
                        {
                            "column": column.name,
                            "min_value": min_value,
                            "max_value": max_value,
                            "strict_min": column.min_exclusive,
                        },
                    )
                )
        for column, lookup_sql in ORPHAN_CHECKS.get(name, ()):
            found.append(
                Rule(
                    "ExpectColumnValuesToBeInSet",
                    {"column": column},
                    blocking=False,
                    references=lookup_sql,
                    whole_table=True,
                )
            )
        return found

    return Suite(
        name="great_expectations_suite",
        table=name,
        rules=rules,
        new_rows_only=True,
        description=f"Required values, value sets and ranges of the rows this run loaded "
        f"into {name}; on the whole table: unique keys, no rows lost since the last run, "
        "orphan keys (warning).",
    )


# ERP amounts may be negative (credit notes), so only these sums are never below zero.
NON_NEGATIVE_MONEY = ("ad_spend", "revenue", "cogs")
MONEY = (*NON_NEGATIVE_MONEY, "erp_cost", "acquisition_cost", "total_investment", "gross_profit")
COUNTS = ("new_customers", "leads", "opportunities", "won_deals", "lost_deals")


# A mart key's not-null has one home: the not_null constraint of the mart's enforced dbt
# contract. The engine checks it as the candidate mart is written, so a NULL key fails the
# build before any suite here reads the table.
def _mart_project_roi_rules(history: History) -> list[Rule]:
    rules = [
        Rule("ExpectTableRowCountToBeBetween", {"min_value": 1}),
        Rule(
            "ExpectCompoundColumnsToBeUnique",
            {"column_list": ["project_code", "period_grain", "period_start"]},
        ),
        Rule(
            "ExpectColumnValuesToBeInSet",
            {"column": "period_grain", "value_set": list(GRAINS)},
        ),
        Rule(
            "ExpectColumnValuesToMatchRegex",
            {"column": "reporting_currency", "regex": "^[A-Z]{3}$"},
        ),
        Rule(
            "ExpectColumnValuesToBeBetween", {"column": "win_rate", "min_value": 0, "max_value": 1}
        ),
        Rule("ExpectColumnValuesToBeBetween", {"column": "avg_sales_cycle_days", "min_value": 0}),
        *(
            Rule("ExpectColumnValuesToBeBetween", {"column": c, "min_value": 0})
            for c in NON_NEGATIVE_MONEY
        ),
        *(Rule("ExpectColumnValuesToNotBeNull", {"column": c}) for c in (*MONEY, *COUNTS)),
        *(Rule("ExpectColumnValuesToBeBetween", {"column": c, "min_value": 0}) for c in COUNTS),
    ]
    if history.previous_rows:
        # The calendar spine only grows; a mart half the size of last run's is suspicious.
        rules.append(
            Rule(
                "ExpectTableRowCountToBeBetween",
                {"min_value": history.previous_rows // 2},
                blocking=False,
            )
        )
    return rules


def _key(*columns: str) -> Rule:
    return _unique(tuple(columns))


def _rates(*columns: str) -> list[Rule]:
    return [
        Rule("ExpectColumnValuesToBeBetween", {"column": c, "min_value": 0, "max_value": 1})
        for c in columns
    ]


def _not_negative(*columns: str) -> list[Rule]:
    return [Rule("ExpectColumnValuesToBeBetween", {"column": c, "min_value": 0}) for c in columns]


def _at_most(part: str, whole: str) -> Rule:
    return Rule(
        "ExpectColumnPairValuesAToBeGreaterThanB",
        {"column_A": whole, "column_B": part, "or_equal": True},
    )


# Every other mart: its grain is unique, ratios are ratios, parts never exceed wholes.
MART_RULES: dict[str, Callable[[History], list[Rule]]] = {
    "mart_funnel": lambda history: [
        _key("project_code", "channel", "period_grain", "period_start"),
        *_rates("lead_to_opportunity_rate", "win_rate"),
        *_not_negative("leads", "leads_with_opportunity", "won_deals", "lost_deals"),
        _at_most("leads_with_opportunity", "leads"),
    ],
    "mart_channel_ltv_cac": lambda history: [
        _key("project_code", "channel"),
        *_not_negative("customers", "media_spend", "media_cac"),
        Rule(
            "ExpectColumnPairValuesToBeEqual",
            {"column_A": "customers", "column_B": "new_customers"},
        ),
    ],
    "mart_customer_ltv": lambda history: [
        _key("account_id"),
        Rule("ExpectColumnValuesToBeBetween", {"column": "orders", "min_value": 1}),
        *_not_negative("revenue"),
        Rule("ExpectColumnValuesToNotBeNull", {"column": "acquisition_channel"}),
    ],
    "mart_retention_cohorts": lambda history: [
        _key("project_code", "cohort_month", "month_offset"),
        *_rates("retention_rate"),
        *_not_negative("month_offset", "retained_customers"),
        _at_most("retained_customers", "cohort_customers"),
    ],
    "mart_churn_monthly": lambda history: [
        _key("project_code", "month_start"),
        *_rates("churn_rate"),
        _at_most("churned_customers", "active_customers_start"),
    ],
    "mart_followup_conversion": lambda history: [
        _key("project_code", "followup_bucket"),
        Rule(
            "ExpectColumnValuesToBeInSet",
            {"column": "followup_bucket", "value_set": ["0", "1", "2", "3+"]},
        ),
        *_rates("conversion_rate"),
        _at_most("converted_leads", "leads"),
    ],
    "mart_service": lambda history: [
        _key("project_code", "period_grain", "period_start"),
        Rule(
            "ExpectColumnValuesToBeBetween",
            {"column": "avg_satisfaction", "min_value": 1, "max_value": 5},
        ),
        *_not_negative("tickets_opened", "tickets_resolved", "median_resolution_hours"),
    ],
    "mart_ad_performance": lambda history: [
        _key("project_code", "platform", "campaign_id", "period_grain", "period_start"),
        Rule(
            "ExpectColumnValuesToBeInSet",
            {"column": "platform", "value_set": ["google_ads", "meta_ads", "linkedin_ads"]},
        ),
        # ctr is clicks per impression, not a share: an ad platform may report more clicks
        # than impressions, so it is only checked for >= 0
        *_not_negative(
            "spend",
            "impressions",
            "clicks",
            "leads",
            "leads_with_opportunity",
            "customers",
            "ctr",
            "cpc",
            "cpm",
            "cost_per_lead",
            "cost_per_opportunity",
            "cost_per_customer",
        ),
        _at_most("leads_with_opportunity", "leads"),
        _at_most("customers", "leads"),
    ],
    "mart_lead_response": lambda history: [
        _key("project_code", "channel", "period_grain", "period_start"),
        *_rates("followed_up_within_24h_rate"),
        Rule("ExpectColumnValuesToBeBetween", {"column": "leads", "min_value": 1}),
        *_not_negative(
            "leads_followed_up", "followed_up_within_24h", "median_hours_to_first_followup"
        ),
        _at_most("leads_followed_up", "leads"),
        _at_most("followed_up_within_24h", "leads_followed_up"),
    ],
    # won_deals + lost_deals may exceed opportunities (deals closed in a period were created
    # earlier), so there is no part-whole rule between them
    "mart_sales_rep_performance": lambda history: [
        _key("project_code", "owner_id", "period_grain", "period_start"),
        Rule(
            "ExpectColumnValuesToBeInSet",
            {"column": "period_grain", "value_set": list(GRAINS)},
        ),
        *_rates("win_rate"),
        *_not_negative(
            "opportunities",
            "won_deals",
            "lost_deals",
            "avg_sales_cycle_days",
            "revenue",
            "activities",
        ),
    ],
    "mart_churn_drivers": lambda history: [
        _key("project_code", "month", "customer_group"),
        Rule(
            "ExpectColumnValuesToBeInSet",
            {"column": "customer_group", "value_set": ["churned", "retained"]},
        ),
        *_rates("customers_with_ticket_rate"),
        Rule(
            "ExpectColumnValuesToBeBetween",
            {"column": "avg_satisfaction", "min_value": 1, "max_value": 5},
        ),
        Rule("ExpectColumnValuesToBeBetween", {"column": "customers", "min_value": 1}),
        # every customer of either group was active at the end of the previous month, so it
        # has at least one order in the window
        Rule("ExpectColumnValuesToBeBetween", {"column": "orders_per_customer", "min_value": 1}),
        *_not_negative(
            "tickets_per_customer", "median_resolution_hours", "avg_order_value", "order_revenue"
        ),
        _at_most("customers_with_ticket", "customers"),
        _at_most("customers_with_ticket", "tickets_opened"),
        _at_most("rated_tickets", "tickets_resolved"),
        _at_most("customers", "orders"),
    ],
}


RECONCILIATION_QUERY = """
with mart as (
    select project_code, period_grain,
           sum(revenue) as revenue, sum(cogs) as cogs, sum(ad_spend) as ad_spend
    from marts_candidate.mart_project_roi
    group by 1, 2
),
orders as (
    select project_code, sum(revenue) as revenue, sum(cogs) as cogs
    from intermediate.int_orders_converted
    where not is_quarantined and order_status = 'confirmed'
    group by 1
),
spend as (
    select project_code, sum(spend_reporting) as ad_spend
    from intermediate.int_ad_spend_converted
    where not is_quarantined
    group by 1
)
select
    mart.project_code,
    mart.period_grain,
    round(mart.revenue, 4) as mart_revenue,
    round(coalesce(orders.revenue, 0), 4) as staged_revenue,
    round(mart.cogs, 4) as mart_cogs,
    round(coalesce(orders.cogs, 0), 4) as staged_cogs,
    round(mart.ad_spend, 4) as mart_ad_spend,
    round(coalesce(spend.ad_spend, 0), 4) as converted_ad_spend
from mart
left join orders on orders.project_code = mart.project_code
left join spend on spend.project_code = mart.project_code
"""


def _reconciliation_rules(history: History) -> list[Rule]:
    return [
        Rule(
            "ExpectColumnPairValuesToBeEqual",
            {"column_A": f"mart_{measure}", "column_B": f"{source}_{measure}"},
        )
        for measure, source in (
            ("revenue", "staged"),
            ("cogs", "staged"),
            ("ad_spend", "converted"),
        )
    ]


SUITES: tuple[Suite, ...] = (
    *(_raw_suite(dataset, table) for dataset, table in RAW_TABLES),
    Suite(
        name="great_expectations_suite",
        table="marts_candidate.mart_project_roi",
        rules=_mart_project_roi_rules,
        description="Keys, value ranges and completeness of the candidate mart_project_roi.",
    ),
    *(
        Suite(
            name="great_expectations_suite",
            table=f"marts_candidate.{mart}",
            rules=rules,
            description=f"Grain uniqueness, ratio ranges and part-whole checks of {mart}.",
        )
        for mart, rules in MART_RULES.items()
    ),
    Suite(
        name="reconciliation",
        table="marts_candidate.mart_project_roi",
        rules=_reconciliation_rules,
        query=RECONCILIATION_QUERY,
        description="Per project and grain, mart revenue and cogs equal the staged confirmed "
        "orders converted, and mart ad_spend equals the converted raw spend.",
    ),
)
