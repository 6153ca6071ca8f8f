"""The report's alert rules: pure functions from `ReportData` (and thresholds) to `ReportAlert`s.

Each alert carries the numbers behind it (`numbers`, raw values); the renderer formats them
into the message of the report's language. A rule never fires on a missing value: no
investment means no ROI, no new customers means no CAC, no leads means no conversion rate,
and a rule without both of its values stays silent.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from statistics import fmean

from .data import ALL_CHANNELS, ReportData
from .metrics import (
    ad_project_platforms,
    change,
    complete_months,
    funnel_rows,
    lead_response_totals,
    project_headlines,
)
from .settings import ReportSettings

KINDS = (
    "roi_below_target",
    "cac_increase",
    "cpl_increase",
    "churn_spike",
    "conversion_drop",
    "slow_lead_response",
    "data_quality",
)
SEVERITIES = ("error", "warning")


@dataclass(frozen=True)
class ReportAlert:
    kind: str  # one of KINDS
    rule: str  # the message: the kind, or the data-quality problem (dq_*)
    severity: str  # error | warning
    subject: str  # the project code, table or run concerned
    numbers: dict[str, object] = field(default_factory=dict)


def roi_below_target(data: ReportData, settings: ReportSettings) -> list[ReportAlert]:
    """The period's ROI of a project is below its target_roi."""
    alerts = []
    for headline in project_headlines(data):
        gap = headline.roi_gap
        if gap is not None and gap < 0:
            alerts.append(
                ReportAlert(
                    "roi_below_target",
                    "roi_below_target",
                    "warning",
                    headline.key,
                    {
                        "roi": headline.roi,
                        "target_roi": headline.target_roi,
                        "gap": gap,
                        "investment": headline.investment,
                        "gross_profit": headline.gross_profit,
                    },
                )
            )
    return alerts


def cac_increase(data: ReportData, settings: ReportSettings) -> list[ReportAlert]:
    """A project's CAC rose more than `cac_increase` vs the previous period."""
    previous = {
        row.project_code: row for row in data.roi if row.period_start == data.previous.start
    }
    alerts = []
    for row in data.roi:
        before = previous.get(row.project_code)
        if row.period_start != data.period.start or before is None:
            continue
        if min(row.new_customers, before.new_customers) < settings.cac_min_new_customers:
            continue
        rise = change(row.cac, before.cac)
        if rise is not None and rise > settings.cac_increase:
            alerts.append(
                ReportAlert(
                    "cac_increase",
                    "cac_increase",
                    "warning",
                    row.project_code,
                    {
                        "cac": row.cac,
                        "previous_cac": before.cac,
                        "change": rise,
                        "threshold": settings.cac_increase,
                        "new_customers": row.new_customers,
                        "previous_new_customers": before.new_customers,
                        "acquisition_cost": row.acquisition_cost,
                        "previous_period": data.previous.label,
                    },
                )
            )
    return alerts


def churn_spike(data: ReportData, settings: ReportSettings) -> list[ReportAlert]:
    """A complete month overlapping the period whose churn rate is more than `churn_spike`
    (percentage points) above the mean rate of the `churn_trailing_months` months before it."""
    by_project: dict[str, dict] = defaultdict(dict)
    for row in data.churn:
        by_project[row.project_code][row.month_start] = row
    months = complete_months(data, data.period.start, data.period.end)
    alerts = []
    for code, rows in sorted(by_project.items()):
        ordered = sorted(rows)
        for month in months:
            row = rows.get(month)
            if row is None or row.churn_rate is None:
                continue
            if row.active_customers_start < settings.churn_min_customers:
                continue
            before = [m for m in ordered if m < month][-settings.churn_trailing_months :]
            history = [rows[m].churn_rate for m in before if rows[m].churn_rate is not None]
            if len(history) < max(settings.churn_min_history, 1):
                continue
            average = fmean(history)
            if row.churn_rate - average > settings.churn_spike:
                alerts.append(
                    ReportAlert(
                        "churn_spike",
                        "churn_spike",
                        "warning",
                        code,
                        {
                            "month": f"{month:%Y-%m}",
                            "churn_rate": row.churn_rate,
                            "trailing_average": average,
                            "difference": row.churn_rate - average,
                            "threshold_pp": settings.churn_spike,
                            "trailing_months": len(history),
                            "churned_customers": row.churned_customers,
                            "active_customers_start": row.active_customers_start,
                        },
                    )
                )
    return alerts


def conversion_drop(data: ReportData, settings: ReportSettings) -> list[ReportAlert]:
    """A project's lead->opportunity rate fell more than `conversion_drop` (relative) vs the
    previous period."""
    now = {row.project_code: row for row in funnel_rows(data, data.period, ALL_CHANNELS)}
    before = {row.project_code: row for row in funnel_rows(data, data.previous, ALL_CHANNELS)}
    alerts = []
    for code in sorted(now.keys() & before.keys()):
        current, previous = now[code], before[code]
        if min(current.leads, previous.leads) < settings.conversion_min_leads:
            continue
        moved = change(current.lead_to_opportunity_rate, previous.lead_to_opportunity_rate)
        if moved is not None and -moved > settings.conversion_drop:
            alerts.append(
                ReportAlert(
                    "conversion_drop",
                    "conversion_drop",
                    "warning",
                    code,
                    {
                        "rate": current.lead_to_opportunity_rate,
                        "previous_rate": previous.lead_to_opportunity_rate,
                        "change": moved,
                        "threshold": settings.conversion_drop,
                        "leads": current.leads,
                        "previous_leads": previous.leads,
                        "previous_period": data.previous.label,
                    },
                )
            )
    return alerts


def cpl_increase(data: ReportData, settings: ReportSettings) -> list[ReportAlert]:
    """A project's cost per lead on an ad platform rose more than `cpl_increase` vs the
    previous period, both periods with at least `cpl_min_leads` leads from that platform's
    campaigns (mart_ad_performance)."""
    now, before = ad_project_platforms(data), ad_project_platforms(data, data.previous)
    alerts = []
    for key in sorted(now.keys() & before.keys()):
        current, previous = now[key], before[key]
        if min(current.leads, previous.leads) < settings.cpl_min_leads:
            continue
        rise = change(current.cost_per_lead, previous.cost_per_lead)
        if rise is not None and rise > settings.cpl_increase:
            project, platform = key
            alerts.append(
                ReportAlert(
                    "cpl_increase",
                    "cpl_increase",
                    "warning",
                    f"{project} {platform}",
                    {
                        "cost_per_lead": current.cost_per_lead,
                        "previous_cost_per_lead": previous.cost_per_lead,
                        "change": rise,
                        "threshold": settings.cpl_increase,
                        "leads": current.leads,
                        "previous_leads": previous.leads,
                        "spend": current.spend,
                        "previous_period": data.previous.label,
                    },
                )
            )
    return alerts


def slow_lead_response(data: ReportData, settings: ReportSettings) -> list[ReportAlert]:
    """A project's median hours from lead to first follow-up in the period (over all its
    channels) is above `lead_response_hours`, over at least `lead_response_min_leads`
    followed-up leads (mart_lead_response)."""
    alerts = []
    for code, row in lead_response_totals(data).items():
        median = row.median_hours_to_first_followup
        if median is None or row.leads_followed_up < settings.lead_response_min_leads:
            continue
        if median > settings.lead_response_hours:
            alerts.append(
                ReportAlert(
                    "slow_lead_response",
                    "slow_lead_response",
                    "warning",
                    code,
                    {
                        "median_hours": median,
                        "threshold_hours": settings.lead_response_hours,
                        "within_24h_rate": row.followed_up_within_24h_rate,
                        "leads": row.leads,
                        "leads_followed_up": row.leads_followed_up,
                    },
                )
            )
    return alerts


def data_quality(data: ReportData, settings: ReportSettings) -> list[ReportAlert]:
    """Problems of the run: no run recorded, the run failed, rows quarantined, checks
    failed, sources not fresh."""
    audit = data.audit
    if audit.run is None:
        return [ReportAlert("data_quality", "dq_no_run", "warning", "audit.runs")]
    run = audit.run
    alerts = []
    # `running`: the report written by a run about itself, after its marts were published
    if run.status not in ("success", "running"):
        alerts.append(
            ReportAlert(
                "data_quality",
                "dq_run_failed",
                "error",
                run.run_id,
                {
                    "run_id": run.run_id,
                    "failed_checks": run.failed_checks,
                    "failed_steps": run.failed_steps or "-",
                },
            )
        )
    for count in audit.quarantine:
        alerts.append(
            ReportAlert(
                "data_quality",
                "dq_quarantine",
                "error",
                count.source_table,
                {"rows": count.rows, "table": count.source_table, "reason": count.reason},
            )
        )
    for check in audit.failed_checks:
        alerts.append(
            ReportAlert(
                "data_quality",
                "dq_failed_check",
                "error" if check.severity == "error" else "warning",
                check.table_name,
                {
                    "check": check.check_name,
                    "table": check.table_name,
                    "kind": check.check_kind,
                    "severity": check.severity,
                    "observed": check.observed_value or "-",
                },
            )
        )
    hidden = audit.failed_check_total - len(audit.failed_checks)
    if hidden > 0:
        alerts.append(
            ReportAlert(
                "data_quality", "dq_more_failed_checks", "warning", run.run_id, {"more": hidden}
            )
        )
    for source in audit.stale_sources:
        alerts.append(
            ReportAlert(
                "data_quality",
                "dq_stale_source",
                "error" if source.status == "error" else "warning",
                source.source_table,
                {
                    "table": source.source_table,
                    "status": source.status,
                    "last_loaded": source.max_loaded_at,
                    "hours": source.hours_since_load,
                    "warn_after": source.warn_after or "-",
                },
            )
        )
    return alerts


RULES = (
    roi_below_target,
    cac_increase,
    cpl_increase,
    churn_spike,
    conversion_drop,
    slow_lead_response,
    data_quality,
)


def evaluate(data: ReportData, settings: ReportSettings) -> list[ReportAlert]:
    """Every alert, errors first, then in the order of KINDS."""
    alerts = [alert for rule in RULES for alert in rule(data, settings)]
    return sorted(
        alerts, key=lambda a: (SEVERITIES.index(a.severity), KINDS.index(a.kind), a.subject)
    )
