"""Read what the report needs from the published marts and the audit schema, for one period.

Everything comes back as plain frozen dataclasses (floats, ints, dates; NULL is None), so the
metrics, alerts and charts are pure functions of a `ReportData` and can be tested on
hand-built values. The connection may be read-only; nothing is written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields

from foundation import marts
from foundation.errors import RoiError
from foundation.periods import Period
from foundation.warehouse import Connection, has_table

# The published tables the report reads (all must exist: they are published together).
MART_TABLES = (
    "dim_project",
    "dim_date",
    "mart_project_roi",
    "mart_funnel",
    "mart_channel_ltv_cac",
    "mart_customer_ltv",
    "mart_retention_cohorts",
    "mart_churn_monthly",
    "mart_followup_conversion",
    "mart_ad_performance",
    "mart_lead_response",
    "mart_sales_rep_performance",
    "mart_churn_drivers",
)
PAID_CHANNELS = ("google_ads", "meta_ads", "linkedin_ads")
ALL_CHANNELS = "all"  # mart_funnel's total over every channel
SHOWN_CHECK_FAILURES = 20


@dataclass(frozen=True)
class Project:
    code: str
    name: str
    region: str
    target_roi: float | None


@dataclass(frozen=True)
class RoiRow:
    """One row of marts.mart_project_roi (the report's grain)."""

    project_code: str
    period_start: dt.date
    total_investment: float
    acquisition_cost: float
    revenue: float
    gross_profit: float
    new_customers: int
    cac: float | None
    roi: float | None
    cumulative_investment: float
    cumulative_gross_profit: float
    cumulative_roi: float | None
    leads: int
    opportunities: int
    won_deals: int
    lost_deals: int
    win_rate: float | None
    avg_sales_cycle_days: float | None


@dataclass(frozen=True)
class FunnelRow:
    """One row of marts.mart_funnel (channel `all` is the project's total)."""

    project_code: str
    channel: str
    period_start: dt.date
    leads: int
    leads_with_opportunity: int
    lead_to_opportunity_rate: float | None
    won_deals: int
    lost_deals: int
    win_rate: float | None


@dataclass(frozen=True)
class ChannelRow:
    """One row of marts.mart_channel_ltv_cac (over all time)."""

    project_code: str
    channel: str
    customers: int
    avg_realized_ltv: float | None
    media_spend: float
    media_cac: float | None
    ltv_to_cac: float | None


@dataclass(frozen=True)
class CustomerValue:
    """Customers of a project acquired by the period's end and their realized LTV."""

    project_code: str
    customers: int
    total_realized_ltv: float


@dataclass(frozen=True)
class RetentionRow:
    project_code: str
    cohort_month: dt.date
    month_offset: int
    cohort_customers: int
    retained_customers: int


@dataclass(frozen=True)
class ChurnRow:
    project_code: str
    month_start: dt.date
    active_customers_start: int
    churned_customers: int
    churn_rate: float | None


@dataclass(frozen=True)
class FollowupRow:
    project_code: str
    followup_bucket: str
    leads: int
    converted_leads: int
    conversion_rate: float | None


@dataclass(frozen=True)
class AdRow:
    """One row of marts.mart_ad_performance: a campaign of a platform in a project and period."""

    project_code: str
    platform: str
    campaign_id: str
    period_start: dt.date
    spend: float
    impressions: int
    clicks: int
    leads: int
    leads_with_opportunity: int
    customers: int


@dataclass(frozen=True)
class LeadResponseRow:
    """One row of marts.mart_lead_response (channel `all` is the project's total)."""

    project_code: str
    channel: str
    period_start: dt.date
    leads: int
    leads_followed_up: int
    median_hours_to_first_followup: float | None
    followed_up_within_24h: int
    followed_up_within_24h_rate: float | None


@dataclass(frozen=True)
class RepRow:
    """One row of marts.mart_sales_rep_performance: an owner's period in a project."""

    project_code: str
    owner_id: str
    opportunities: int
    won_deals: int
    lost_deals: int
    win_rate: float | None
    avg_sales_cycle_days: float | None
    revenue: float
    gross_profit: float
    activities: int


@dataclass(frozen=True)
class ChurnDriverRow:
    """One row of marts.mart_churn_drivers: churned or retained customers of a month."""

    project_code: str
    month: dt.date
    customer_group: str  # churned | retained
    customers: int
    tickets_per_customer: float | None
    customers_with_ticket_rate: float | None
    avg_satisfaction: float | None
    median_resolution_hours: float | None
    orders_per_customer: float | None
    avg_order_value: float | None


@dataclass(frozen=True)
class RunInfo:
    run_id: str
    job_name: str
    status: str
    trigger: str | None
    period: str | None
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    failed_checks: int
    failed_steps: str | None
    code_version: str | None


@dataclass(frozen=True)
class QuarantineCount:
    reason: str
    source_table: str
    rows: int


@dataclass(frozen=True)
class FailedCheck:
    check_name: str
    table_name: str
    check_kind: str
    severity: str
    observed_value: str | None


@dataclass(frozen=True)
class StaleSource:
    source_table: str
    status: str
    max_loaded_at: dt.datetime | None
    hours_since_load: float | None
    warn_after: str | None


@dataclass(frozen=True)
class AuditData:
    """The data-quality facts of one run (None run: no run recorded)."""

    run: RunInfo | None
    quarantine: tuple[QuarantineCount, ...] = ()
    failed_checks: tuple[FailedCheck, ...] = ()
    failed_check_total: int = 0
    stale_sources: tuple[StaleSource, ...] = ()


@dataclass(frozen=True)
class ReportData:
    period: Period
    trend: tuple[Period, ...]  # the last N periods, oldest first, ending with `period`
    data_end_date: dt.date
    reporting_currency: str
    projects: dict[str, Project]
    roi: tuple[RoiRow, ...]  # every period of the grain through `period`
    funnel: tuple[FunnelRow, ...]  # the trend periods
    channels: tuple[ChannelRow, ...]
    customer_values: tuple[CustomerValue, ...]
    retention: tuple[RetentionRow, ...]
    churn: tuple[ChurnRow, ...]  # every month through the period's end
    followups: tuple[FollowupRow, ...]
    ads: tuple[AdRow, ...]  # the trend periods
    lead_response: tuple[LeadResponseRow, ...]  # the trend periods
    reps: tuple[RepRow, ...]  # the period
    churn_drivers: tuple[ChurnDriverRow, ...]  # the months overlapping the period
    audit: AuditData

    @property
    def previous(self) -> Period:
        return previous_period(self.period)


def previous_period(period: Period) -> Period:
    return Period.containing(period.grain, period.start - dt.timedelta(days=1))


def trend_periods(period: Period, count: int) -> tuple[Period, ...]:
    periods = [period]
    while len(periods) < count:
        periods.append(previous_period(periods[-1]))
    return tuple(reversed(periods))


def data_end_date(con: Connection) -> dt.date:
    """The last day with data in the marts."""
    return marts.data_span(con)[1]


def _has_period(con: Connection, period: Period) -> bool:
    return bool(
        con.execute(
            "select count(*) from marts.mart_project_roi "
            "where period_grain = ? and period_start = ?",
            [period.grain, period.start],
        ).fetchone()[0]
    )


def latest_period(con: Connection, grain: str) -> Period:
    """The last complete period of `grain` with data: the one holding the data's end date if
    that date is the period's last day, else the one before. When only the running period
    has data (the data start and end within it), that one."""
    end = data_end_date(con)
    running = Period.containing(grain, end)
    complete = running if end >= running.end else previous_period(running)
    for candidate in (complete, running):
        if _has_period(con, candidate):
            return candidate
    raise RoiError(f"marts.mart_project_roi has no {grain} rows up to {end}")


def _rows(con: Connection, cls: type, sql: str, params: list) -> tuple:
    """Rows of `sql` as `cls` instances; the query selects the dataclass's fields in order.
    Decimals become floats (amounts are shown rounded; ratios are compared, not summed)."""
    kinds = [field.type for field in fields(cls)]
    result = []
    for row in con.execute(sql, params).fetchall():
        values = [
            float(value) if value is not None and "float" in kind else value
            for value, kind in zip(row, kinds, strict=True)
        ]
        result.append(cls(*values))
    return tuple(result)


def _columns(cls: type) -> str:
    return ", ".join(field.name for field in fields(cls))


def load_report_data(
    con: Connection,
    period: Period | None,
    grain: str,
    run_id: str | None = None,
    trend_count: int = 8,
) -> ReportData:
    """Everything the report shows for `period` (None: the latest complete period of `grain`)."""
    marts.require_marts(
        con, MART_TABLES, "the warehouse", "report on",
        ", and `roi audit` to see why a run did not publish",
    )  # fmt: skip
    end = data_end_date(con)
    if period is None:
        period = latest_period(con, grain)
    elif not _has_period(con, period):
        first, last = con.execute(
            "select min(period_start), max(period_start) from marts.mart_project_roi "
            "where period_grain = ?",
            [period.grain],
        ).fetchone()
        span = (
            f"{Period.containing(period.grain, first).label} to "
            f"{Period.containing(period.grain, last).label}"
            if first
            else "none"
        )
        raise RoiError(
            f"no data for {period.grain} {period.label} in marts.mart_project_roi "
            f"(periods with data: {span})"
        )
    trend = trend_periods(period, trend_count)
    projects = {
        code: Project(code, name or code, region or "-", None if target is None else float(target))
        for code, name, region, target in con.execute(
            "select project_code, project_name, region, target_roi from marts.dim_project "
            "order by project_code"
        ).fetchall()
    }
    roi = _rows(
        con,
        RoiRow,
        f"select {_columns(RoiRow)} from marts.mart_project_roi "
        "where period_grain = ? and period_start <= ? order by project_code, period_start",
        [period.grain, period.start],
    )
    funnel = _rows(
        con,
        FunnelRow,
        f"select {_columns(FunnelRow)} from marts.mart_funnel "
        "where period_grain = ? and period_start between ? and ? "
        "order by project_code, channel, period_start",
        [period.grain, trend[0].start, period.start],
    )
    channels = _rows(
        con,
        ChannelRow,
        f"select {_columns(ChannelRow)} from marts.mart_channel_ltv_cac "
        "order by project_code, channel",
        [],
    )
    customer_values = _rows(
        con,
        CustomerValue,
        "select project_code, count(*), coalesce(sum(realized_ltv), 0) "
        "from marts.mart_customer_ltv where first_order_date <= ? group by 1 order by 1",
        [period.end],
    )
    retention = _rows(
        con,
        RetentionRow,
        f"select {_columns(RetentionRow)} from marts.mart_retention_cohorts "
        "where cohort_month <= ? order by project_code, cohort_month, month_offset",
        [period.end],
    )
    churn = _rows(
        con,
        ChurnRow,
        f"select {_columns(ChurnRow)} from marts.mart_churn_monthly "
        "where month_start <= ? order by project_code, month_start",
        [period.end],
    )
    followups = _rows(
        con,
        FollowupRow,
        f"select {_columns(FollowupRow)} from marts.mart_followup_conversion "
        "order by project_code, followup_bucket",
        [],
    )
    ads = _rows(
        con,
        AdRow,
        f"select {_columns(AdRow)} from marts.mart_ad_performance "
        "where period_grain = ? and period_start between ? and ? "
        "order by project_code, platform, campaign_id, period_start",
        [period.grain, trend[0].start, period.start],
    )
    lead_response = _rows(
        con,
        LeadResponseRow,
        f"select {_columns(LeadResponseRow)} from marts.mart_lead_response "
        "where period_grain = ? and period_start between ? and ? "
        "order by project_code, channel, period_start",
        [period.grain, trend[0].start, period.start],
    )
    reps = _rows(
        con,
        RepRow,
        f"select {_columns(RepRow)} from marts.mart_sales_rep_performance "
        "where period_grain = ? and period_start = ? order by project_code, owner_id",
        [period.grain, period.start],
    )
    churn_drivers = _rows(
        con,
        ChurnDriverRow,
        f"select {_columns(ChurnDriverRow)} from marts.mart_churn_drivers "
        "where month between ? and ? order by project_code, month, customer_group",
        [period.start.replace(day=1), period.end],
    )
    return ReportData(
        period=period,
        trend=trend,
        data_end_date=end,
        reporting_currency=marts.reporting_currency(con),
        projects=projects,
        roi=roi,
        funnel=funnel,
        channels=channels,
        customer_values=customer_values,
        retention=retention,
        churn=churn,
        followups=followups,
        ads=ads,
        lead_response=lead_response,
        reps=reps,
        churn_drivers=churn_drivers,
        audit=load_audit(con, run_id),
    )


def load_audit(con: Connection, run_id: str | None = None) -> AuditData:
    """The run `run_id` (default: the latest in audit.runs; for a run recorded `unchanged`,
    the run it was the same as) and its data-quality problems: quarantined rows, failed
    checks, sources that are not fresh."""
    if not has_table(con, "audit", "runs"):
        if run_id:
            raise RoiError(f"no run {run_id}: the warehouse has no audit.runs")
        return AuditData(run=None)
    query = f"select {_columns(RunInfo)} from audit.runs "
    if run_id:
        runs = _rows(con, RunInfo, query + "where run_id = ?", [run_id])
        if not runs:
            raise RoiError(f"no run {run_id} in audit.runs")
    else:
        runs = _rows(
            con,
            RunInfo,
            query + "order by started_at desc nulls last, finished_at desc limit 1",
            [],
        )
        if not runs:
            return AuditData(run=None)
    run = runs[0]
    if run.status == "unchanged":
        # a rerun that could change nothing: the data on display, and its checks, are those
        # of the run it was the same as
        (same,) = con.execute(
            "select same_as_run from audit.runs where run_id = ?", [run.run_id]
        ).fetchone()
        return load_audit(con, same)
    quarantine: tuple = ()
    if has_table(con, "audit", "quarantine"):
        quarantine = _rows(
            con,
            QuarantineCount,
            "select reason, source_table, count(*) from audit.quarantine where run_id = ? "
            "group by 1, 2 order by 3 desc, 1, 2",
            [run.run_id],
        )
    failed: tuple = ()
    failed_total = 0
    if has_table(con, "audit", "check_results"):
        # Blocking failures first; a Great Expectations suite's failed expectations are
        # listed after it, each with what it observed.
        failed = _rows(
            con,
            FailedCheck,
            f"select {_columns(FailedCheck)} from audit.check_results "
            "where run_id = ? and status = 'fail' "
            "order by severity = 'error' desc, table_name, check_kind, check_name",
            [run.run_id],
        )
        failed_total = len(failed)
        failed = failed[:SHOWN_CHECK_FAILURES]
    stale: tuple = ()
    if has_table(con, "audit", "source_freshness"):
        stale = _rows(
            con,
            StaleSource,
            f"select {_columns(StaleSource)} from audit.source_freshness "
            "where run_id = ? and status <> 'pass' order by source_table",
            [run.run_id],
        )
    return AuditData(run, quarantine, failed, failed_total, stale)
