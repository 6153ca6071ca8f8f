"""The file drop's shape: files, columns, types, keys and the raw table each one lands in.

One declaration serves the validator (what a value must look like), the dlt resources
(table names, primary keys, column types) and the docs, so the three never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ColumnKind = Literal["text", "date", "timestamp", "decimal", "integer", "boolean", "currency"]

PLATFORMS = ("google_ads", "meta_ads", "linkedin_ads")
CHANNELS = (*PLATFORMS, "organic", "referral", "event", "direct")
STAGES = ("prospecting", "qualification", "proposal", "negotiation", "won", "lost")
ORDER_STATUSES = ("confirmed", "cancelled")
COST_CATEGORIES = (
    "marketing",
    "sales",
    "salaries",
    "travel",
    "localization",
    "market_research",
    "office",
    "other",
)


@dataclass(frozen=True)
class Column:
    name: str
    kind: ColumnKind = "text"
    required: bool = True
    allowed: tuple[str, ...] | None = None
    min_value: int | None = None
    max_value: int | None = None
    min_exclusive: bool = False  # True: the value must be strictly greater than min_value
    # decimals only: the largest absolute value (compared exactly, not as a float); None:
    # what raw's DECIMAL(38, 9) holds
    max_magnitude: int | None = None


@dataclass(frozen=True)
class FileSpec:
    file_name: str
    dataset: str  # dlt dataset = warehouse schema of the source family
    table: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    version_column: str | None = None
    description: str = ""
    column_names: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "column_names", tuple(c.name for c in self.columns))

    @property
    def primary_key(self) -> tuple[str, ...]:
        """The raw merge key: versioned files keep one row per (key, version)."""
        return self.key + ((self.version_column,) if self.version_column else ())


# The largest amount (absolute value, in its own currency) and FX rate a drop may hold: what
# the dbt models can carry through FX conversion, sums and ratios on DuckDB and PostgreSQL.
# DuckDB binds; PostgreSQL computes the same expressions in unbounded NUMERIC and only casts
# to NUMERIC(38, 9) (values below 1e29, converted amounts below 1e20), which DuckDB also does.
# - Conversion, multiply_divide(amount, rate base->reporting, rate base->currency): the product
#   2 * amount * rate in 1e-9 units is a HUGEINT (below 2^127, about 1.7e38), so
#   amount * rate < 8.5e19; at MAX_AMOUNT and MAX_FX_RATE it is 2e37.
# - Every ratio, safe_divide(x, y), is multiply_divide(x, 1, y): |x| < 8.5e19. x is at worst
#   a sum over a project's whole history: cumulative ROI's gross profit minus investment, so
#   each of those sums < 4.25e19.
# - A DECIMAL(38, 9) product keeps 18 decimals, so its value stays below 1e20: a customer's
#   average monthly gross profit times the predicted lifetime (at most 36 months by default,
#   var predicted_ltv_max_lifetime_months) bounds a customer's lifetime gross profit to
#   2.7e18, the tightest sum; a channel's summed predicted LTV (up to 37 times its gross
#   profit) is divided by its customers, so that gross profit stays below 2.3e18.
# So every sum of up to 100,000 amounts at the bound, converted at a factor of up to 2 (EUR
# amounts reported in USD, say), stays within every limit (2e18); a reporting currency k times
# weaker than the amounts' currency divides that count by k. A 25-digit amount overflowed the
# first step; 30 digits and more do not fit raw's DECIMAL(38, 9) at all.
# tests/ingestion/test_file_validation.py::test_amounts_at_the_bound_go_through_dbt runs the
# models on 100,000 orders at the bound.
MAX_AMOUNT = 10**13
# Units of the quote currency per 1 base currency. The weakest currencies quoted (VND, IDR,
# LBP, IRR's official rate) are below 100,000 per EUR or USD: ten times that still leaves the
# conversion's product at MAX_AMOUNT 8.5 times below the HUGEINT limit (above).
MAX_FX_RATE = 10**6


def _c(name: str, kind: ColumnKind = "text", **kwargs) -> Column:
    return Column(name, kind, **kwargs)


def _optional(name: str, kind: ColumnKind = "text", **kwargs) -> Column:
    return Column(name, kind, required=False, **kwargs)


IS_DELETED = _optional("is_deleted", "boolean")

FILE_SPECS: tuple[FileSpec, ...] = (
    FileSpec(
        "projects.csv",
        "raw_reference",
        "projects",
        (
            _c("project_code"),
            _c("project_name"),
            _c("region"),
            _c("country_code"),
            _optional("launch_date", "date"),
            _optional("target_roi", "decimal"),
        ),
        key=("project_code",),
        description="Overseas projects and their ROI targets.",
    ),
    FileSpec(
        "ad_spend.csv",
        "raw_ads",
        "ad_spend",
        (
            _c("date", "date"),
            _c("platform", allowed=PLATFORMS),
            _c("account_id"),
            _c("campaign_id"),
            _optional("campaign_name"),
            _optional("project_code"),
            _c("currency", "currency"),
            _c("spend", "decimal", min_value=0, max_magnitude=MAX_AMOUNT),
            _c("impressions", "integer", min_value=0),
            _c("clicks", "integer", min_value=0),
        ),
        key=("date", "platform", "account_id", "campaign_id"),
        description="Daily campaign spend per ad platform account.",
    ),
    FileSpec(
        "crm_leads.csv",
        "raw_crm",
        "leads",
        (
            _c("lead_id"),
            _c("created_at", "timestamp"),
            _c("updated_at", "timestamp"),
            _c("project_code"),
            _c("channel", allowed=CHANNELS),
            _optional("campaign_id"),
            _optional("country_code"),
            _optional("status"),
            _optional("converted_account_id"),
            IS_DELETED,
        ),
        key=("lead_id",),
        version_column="updated_at",
        description="CRM leads.",
    ),
    FileSpec(
        "crm_accounts.csv",
        "raw_crm",
        "accounts",
        (
            _c("account_id"),
            _c("created_at", "timestamp"),
            _c("updated_at", "timestamp"),
            _c("project_code"),
            _optional("country_code"),
            _optional("industry"),
            IS_DELETED,
        ),
        key=("account_id",),
        version_column="updated_at",
        description="CRM accounts (customers once they order).",
    ),
    FileSpec(
        "crm_opportunities.csv",
        "raw_crm",
        "opportunities",
        (
            _c("opportunity_id"),
            _c("account_id"),
            _optional("lead_id"),
            _c("created_at", "timestamp"),
            _c("updated_at", "timestamp"),
            _c("stage", allowed=STAGES),
            _optional("amount", "decimal", min_value=0, max_magnitude=MAX_AMOUNT),
            _optional("currency", "currency"),
            _optional("closed_at", "timestamp"),
            _optional("owner_id"),
            IS_DELETED,
        ),
        key=("opportunity_id",),
        version_column="updated_at",
        description="CRM sales opportunities.",
    ),
    FileSpec(
        "crm_orders.csv",
        "raw_crm",
        "orders",
        (
            _c("order_id"),
            _c("account_id"),
            _optional("opportunity_id"),
            _c("order_date", "date"),
            _c("updated_at", "timestamp"),
            _c("status", allowed=ORDER_STATUSES),
            _c("amount", "decimal", min_value=0, max_magnitude=MAX_AMOUNT),
            _c("cost_of_goods", "decimal", min_value=0, max_magnitude=MAX_AMOUNT),
            _c("currency", "currency"),
            IS_DELETED,
        ),
        key=("order_id",),
        version_column="updated_at",
        description="CRM sales orders.",
    ),
    FileSpec(
        "crm_activities.csv",
        "raw_crm",
        "activities",
        (
            _c("activity_id"),
            _optional("lead_id"),
            _optional("opportunity_id"),
            _c("occurred_at", "timestamp"),
            _optional("activity_type"),
        ),
        key=("activity_id",),
        description="CRM follow-up activities (calls, meetings, e-mails).",
    ),
    FileSpec(
        "crm_tickets.csv",
        "raw_crm",
        "tickets",
        (
            _c("ticket_id"),
            _c("account_id"),
            _c("opened_at", "timestamp"),
            _optional("resolved_at", "timestamp"),
            _optional("satisfaction", "integer", min_value=1, max_value=5),
        ),
        key=("ticket_id",),
        description="Customer service tickets.",
    ),
    FileSpec(
        "erp_costs.csv",
        "raw_erp",
        "costs",
        (
            _c("cost_id"),
            _c("project_code"),
            _c("cost_date", "date"),
            _c("category", allowed=COST_CATEGORIES),
            _c("amount", "decimal", max_magnitude=MAX_AMOUNT),
            _c("currency", "currency"),
            _c("posted_at", "timestamp"),
        ),
        key=("cost_id",),
        version_column="posted_at",
        description="ERP cost postings per project.",
    ),
    FileSpec(
        "fx_rates.csv",
        "raw_fx",
        "rates",
        (
            _c("date", "date"),
            _c("base_currency", "currency"),
            _c("quote_currency", "currency"),
            _c("rate", "decimal", min_value=0, min_exclusive=True, max_magnitude=MAX_FX_RATE),
        ),
        key=("date", "base_currency", "quote_currency"),
        description="FX reference rates: units of quote_currency per 1 base_currency.",
    ),
)

SPECS_BY_FILE = {spec.file_name: spec for spec in FILE_SPECS}
DATASETS = tuple(dict.fromkeys(spec.dataset for spec in FILE_SPECS))

# Bookkeeping columns the loader adds to every raw row.
SOURCE_FILE_COLUMN = "_source_file"
SOURCE_LINE_COLUMN = "_source_line"
