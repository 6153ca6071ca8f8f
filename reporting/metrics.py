"""What the report shows, computed from `ReportData`: headlines per project, region and in
total, the funnel and its weakest stage, channel, follow-up and sales-cycle comparisons, ad
performance by platform and campaign, lead response, sales reps and churn drivers.

Pure functions. Ratios follow docs/metrics.md: a zero denominator gives None, never 0 or an error.
Regions and the total are sums of their projects' additive measures with the ratios
recomputed from the sums (never an average of ratios).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from foundation.periods import Period

from .data import (
    ALL_CHANNELS,
    PAID_CHANNELS,
    AdRow,
    ChurnDriverRow,
    LeadResponseRow,
    ReportData,
    RepRow,
    RoiRow,
)


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


def change(current: float | None, previous: float | None) -> float | None:
    """Relative change current vs previous (0.25 = +25%); None without a positive base."""
    if current is None or previous is None or previous <= 0:
        return None
    return (current - previous) / previous


@dataclass(frozen=True)
class Headline:
    scope: str  # project | region | total
    key: str  # project code, region name, or "total"
    name: str
    region: str | None
    projects: tuple[str, ...]
    investment: float
    gross_profit: float
    roi: float | None
    target_roi: float | None
    cumulative_investment: float
    cumulative_gross_profit: float
    cumulative_roi: float | None
    payback: float | None  # cumulative gross profit / cumulative investment
    paid_back_in: Period | None  # first period with cumulative GP >= cumulative investment
    acquisition_cost: float
    new_customers: int
    cac: float | None
    previous_cac: float | None
    customers_to_date: int
    avg_ltv: float | None
    all_time_cac: float | None
    ltv_to_cac: float | None

    @property
    def roi_gap(self) -> float | None:
        """ROI minus target (negative: below target)."""
        if self.roi is None or self.target_roi is None:
            return None
        return self.roi - self.target_roi


def _weighted_target(rows: list[RoiRow], data: ReportData) -> float | None:
    """The ROI the group would have if every project met its target exactly: the targets
    weighted by the period's investment (a plain mean when nothing was invested)."""
    targets = [(row, data.projects[row.project_code].target_roi) for row in rows]
    targets = [(row, target) for row, target in targets if target is not None]
    if not targets:
        return None
    weight = sum(row.total_investment for row, _ in targets)
    if weight > 0:
        return sum(row.total_investment * target for row, target in targets) / weight
    return sum(target for _, target in targets) / len(targets)


def _headline(
    data: ReportData, scope: str, key: str, name: str, region: str | None, codes: list[str]
) -> Headline:
    period = data.period
    history = [row for row in data.roi if row.project_code in codes]
    by_start: dict[dt.date, list[RoiRow]] = defaultdict(list)
    for row in history:
        by_start[row.period_start].append(row)
    current = by_start[period.start]
    previous = by_start.get(data.previous.start, [])

    def total(rows: Iterable[RoiRow], column: str) -> float:
        return sum(getattr(row, column) for row in rows)

    cumulative_investment = total(current, "cumulative_investment")
    cumulative_gross_profit = total(current, "cumulative_gross_profit")
    payback = ratio(cumulative_gross_profit, cumulative_investment)
    paid_back_in = None
    if payback is not None and payback >= 1:
        for start in sorted(by_start):
            rows = by_start[start]
            invested = total(rows, "cumulative_investment")
            if invested > 0 and total(rows, "cumulative_gross_profit") >= invested:
                paid_back_in = Period.containing(period.grain, start)
                break
    values = {v.project_code: v for v in data.customer_values if v.project_code in codes}
    customers = sum(v.customers for v in values.values())
    avg_ltv = ratio(sum(v.total_realized_ltv for v in values.values()), customers)
    all_time_cac = ratio(total(history, "acquisition_cost"), total(history, "new_customers"))
    return Headline(
        scope=scope,
        key=key,
        name=name,
        region=region,
        projects=tuple(sorted({row.project_code for row in current})),
        investment=total(current, "total_investment"),
        gross_profit=total(current, "gross_profit"),
        roi=ratio(
            total(current, "gross_profit") - total(current, "total_investment"),
            total(current, "total_investment"),
        ),
        target_roi=_weighted_target(current, data),
        cumulative_investment=cumulative_investment,
        cumulative_gross_profit=cumulative_gross_profit,
        cumulative_roi=ratio(
            cumulative_gross_profit - cumulative_investment, cumulative_investment
        ),
        payback=payback,
        paid_back_in=paid_back_in,
        acquisition_cost=total(current, "acquisition_cost"),
        new_customers=int(total(current, "new_customers")),
        cac=ratio(total(current, "acquisition_cost"), total(current, "new_customers")),
        previous_cac=ratio(total(previous, "acquisition_cost"), total(previous, "new_customers")),
        customers_to_date=customers,
        avg_ltv=avg_ltv,
        all_time_cac=all_time_cac,
        ltv_to_cac=ratio(avg_ltv, all_time_cac),
    )


def reported_projects(data: ReportData) -> list[str]:
    """Projects with a row in the report's period, by code."""
    return sorted({row.project_code for row in data.roi if row.period_start == data.period.start})


def projects_without_data(data: ReportData) -> list[str]:
    shown = set(reported_projects(data))
    return [code for code in sorted(data.projects) if code not in shown]


def project_headlines(data: ReportData) -> list[Headline]:
    result = []
    for code in reported_projects(data):
        project = data.projects.get(code)
        name = project.name if project else code
        region = project.region if project else "-"
        result.append(_headline(data, "project", code, name, region, [code]))
    return result


def region_of(data: ReportData, code: str) -> str:
    project = data.projects.get(code)
    return project.region if project else "-"


def region_headlines(data: ReportData) -> list[Headline]:
    regions: dict[str, list[str]] = defaultdict(list)
    for code in reported_projects(data):
        regions[region_of(data, code)].append(code)
    return [
        _headline(data, "region", region, region, region, codes)
        for region, codes in sorted(regions.items())
    ]


def total_headline(data: ReportData) -> Headline:
    return _headline(data, "total", "total", "total", None, reported_projects(data))


# --- the funnel -----------------------------------------------------------------------------


@dataclass(frozen=True)
class FunnelStage:
    key: str  # leads | leads_with_opportunity | won_deals
    count: int
    passed: float | None  # share of the previous stage that reached this one


@dataclass(frozen=True)
class FunnelSummary:
    key: str  # project code or "total"
    leads: int
    leads_with_opportunity: int
    won_deals: int
    lost_deals: int
    lead_to_opportunity_rate: float | None
    win_rate: float | None
    stages: tuple[FunnelStage, ...]
    weakest_stage: str | None  # key of the stage reached by the smallest share of the one before


def _funnel(key: str, rows: list) -> FunnelSummary:
    leads = sum(row.leads for row in rows)
    with_opportunity = sum(row.leads_with_opportunity for row in rows)
    won = sum(row.won_deals for row in rows)
    lost = sum(row.lost_deals for row in rows)
    stages = (
        FunnelStage("leads", leads, None),
        FunnelStage("leads_with_opportunity", with_opportunity, ratio(with_opportunity, leads)),
        FunnelStage("won_deals", won, ratio(won, with_opportunity)),
    )
    known = [stage for stage in stages[1:] if stage.passed is not None]
    weakest = min(known, key=lambda stage: stage.passed).key if known else None
    return FunnelSummary(
        key=key,
        leads=leads,
        leads_with_opportunity=with_opportunity,
        won_deals=won,
        lost_deals=lost,
        lead_to_opportunity_rate=ratio(with_opportunity, leads),
        win_rate=ratio(won, won + lost),
        stages=stages,
        weakest_stage=weakest,
    )


def funnel_rows(data: ReportData, period: Period, channel: str = ALL_CHANNELS) -> list:
    return [
        row for row in data.funnel if row.period_start == period.start and row.channel == channel
    ]


def funnel_summary(data: ReportData, period: Period | None = None) -> FunnelSummary:
    """The period's funnel over every project (mart_funnel's `all` channel rows)."""
    return _funnel("total", funnel_rows(data, period or data.period))


def project_funnels(data: ReportData, period: Period | None = None) -> dict[str, FunnelSummary]:
    rows = funnel_rows(data, period or data.period)
    codes = sorted({row.project_code for row in rows})
    return {code: _funnel(code, [r for r in rows if r.project_code == code]) for code in codes}


# --- channels -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChannelComparison:
    channel: str
    paid: bool
    customers: int
    avg_ltv: float | None
    media_spend: float
    media_cac: float | None
    ltv_to_cac: float | None
    leads: int
    lead_to_opportunity_rate: float | None
    won_deals: int
    win_rate: float | None


def channel_comparison(data: ReportData) -> list[ChannelComparison]:
    """Per acquisition channel over all projects: all-time customers, LTV and media CAC
    (mart_channel_ltv_cac) beside the period's funnel (mart_funnel by channel)."""
    ltv: dict[str, list] = defaultdict(list)
    for row in data.channels:
        ltv[row.channel].append(row)
    funnel: dict[str, list] = defaultdict(list)
    for row in data.funnel:
        if row.period_start == data.period.start and row.channel != ALL_CHANNELS:
            funnel[row.channel].append(row)
    result = []
    for channel in sorted(set(ltv) | set(funnel)):
        rows, period_rows = ltv.get(channel, []), funnel.get(channel, [])
        customers = sum(row.customers for row in rows)
        total_ltv = sum(
            row.avg_realized_ltv * row.customers for row in rows if row.avg_realized_ltv is not None
        )
        avg_ltv = ratio(total_ltv, customers)
        spend = sum(row.media_spend for row in rows)
        paid = channel in PAID_CHANNELS
        media_cac = ratio(spend, customers) if paid else None
        leads = sum(row.leads for row in period_rows)
        won = sum(row.won_deals for row in period_rows)
        lost = sum(row.lost_deals for row in period_rows)
        result.append(
            ChannelComparison(
                channel=channel,
                paid=paid,
                customers=customers,
                avg_ltv=avg_ltv,
                media_spend=spend,
                media_cac=media_cac,
                ltv_to_cac=ratio(avg_ltv, media_cac),
                leads=leads,
                lead_to_opportunity_rate=ratio(
                    sum(row.leads_with_opportunity for row in period_rows), leads
                ),
                won_deals=won,
                win_rate=ratio(won, won + lost),
            )
        )
    return result


# --- follow-ups, sales cycle, retention, churn ---------------------------------------------


@dataclass(frozen=True)
class FollowupBucket:
    bucket: str
    leads: int
    converted_leads: int
    conversion_rate: float | None


def followup_effect(data: ReportData) -> list[FollowupBucket]:
    """Conversion by follow-up bucket over all projects (all leads to date)."""
    buckets: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in data.followups:
        buckets[row.followup_bucket][0] += row.leads
        buckets[row.followup_bucket][1] += row.converted_leads
    order = {"0": 0, "1": 1, "2": 2, "3+": 3}
    return [
        FollowupBucket(bucket, leads, converted, ratio(converted, leads))
        for bucket, (leads, converted) in sorted(buckets.items(), key=lambda i: order.get(i[0], 9))
    ]


@dataclass(frozen=True)
class SalesCycle:
    region: str
    won_deals: int
    avg_sales_cycle_days: float | None


def sales_cycle_by_region(data: ReportData) -> list[SalesCycle]:
    """Mean days from opportunity to won deal, over the period's won deals of each region
    (the projects' averages weighted by their won deals)."""
    days: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])
    for row in data.roi:
        if row.period_start != data.period.start:
            continue
        entry = days[region_of(data, row.project_code)]
        if row.won_deals and row.avg_sales_cycle_days is not None:
            entry[0] += row.avg_sales_cycle_days * row.won_deals
            entry[1] += row.won_deals
    return [
        SalesCycle(region, int(won), ratio(total, won))
        for region, (total, won) in sorted(days.items())
    ]


def month_end(month_start: dt.date) -> dt.date:
    return Period.containing("month", month_start).end


def retention_curves(data: ReportData, cohorts: int) -> dict[dt.date, list[tuple[int, float]]]:
    """Retention by month offset for the last `cohorts` cohorts (all projects together),
    offsets only while the month is over by the period's end and within the data."""
    cutoff = min(data.period.end, data.data_end_date)
    sums: dict[tuple[dt.date, int], list[int]] = defaultdict(lambda: [0, 0])
    for row in data.retention:
        activity = _add_months(row.cohort_month, row.month_offset)
        if activity > cutoff:
            continue
        sums[(row.cohort_month, row.month_offset)][0] += row.retained_customers
        sums[(row.cohort_month, row.month_offset)][1] += row.cohort_customers
    chosen = sorted({cohort for cohort, _ in sums})[-cohorts:] if cohorts else []
    curves: dict[dt.date, list[tuple[int, float]]] = {}
    for cohort in chosen:
        points = []
        for (month, offset), (retained, size) in sorted(sums.items()):
            rate = ratio(retained, size)
            if month == cohort and rate is not None:
                points.append((offset, rate))
        curves[cohort] = points
    return curves


def _add_months(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.month - 1 + months, 12)
    return dt.date(day.year + year, month + 1, 1)


def complete_months(data: ReportData, first: dt.date, last: dt.date) -> list[dt.date]:
    """Starts of the months overlapping [first, last] that are over by the data's end date."""
    months = []
    month = first.replace(day=1)
    while month <= last:
        if month_end(month) <= data.data_end_date:
            months.append(month)
        month = _add_months(month, 1)
    return months


# --- ad performance -------------------------------------------------------------------------


@dataclass(frozen=True)
class AdTotals:
    """Ad rows summed (a platform over all projects, a project's platform, or one campaign);
    the ratios are those of the sums (mart_ad_performance's definitions)."""

    project_code: str | None  # None: over all projects
    platform: str
    campaign_id: str | None  # None: over all campaigns
    spend: float
    impressions: int
    clicks: int
    leads: int
    leads_with_opportunity: int
    customers: int

    @property
    def ctr(self) -> float | None:
        return ratio(self.clicks, self.impressions)

    @property
    def cpc(self) -> float | None:
        return ratio(self.spend, self.clicks)

    @property
    def cost_per_lead(self) -> float | None:
        return ratio(self.spend, self.leads)

    @property
    def cost_per_opportunity(self) -> float | None:
        return ratio(self.spend, self.leads_with_opportunity)

    @property
    def cost_per_customer(self) -> float | None:
        return ratio(self.spend, self.customers)


def _ad_totals(project_code, platform, campaign_id, rows: list[AdRow]) -> AdTotals:
    return AdTotals(
        project_code=project_code,
        platform=platform,
        campaign_id=campaign_id,
        spend=sum(row.spend for row in rows),
        impressions=sum(row.impressions for row in rows),
        clicks=sum(row.clicks for row in rows),
        leads=sum(row.leads for row in rows),
        leads_with_opportunity=sum(row.leads_with_opportunity for row in rows),
        customers=sum(row.customers for row in rows),
    )


def ad_platforms(data: ReportData, period: Period | None = None) -> list[AdTotals]:
    """Each ad platform over every project and campaign in the period."""
    start = (period or data.period).start
    rows: dict[str, list[AdRow]] = defaultdict(list)
    for row in data.ads:
        if row.period_start == start:
            rows[row.platform].append(row)
    return [_ad_totals(None, platform, None, rows[platform]) for platform in sorted(rows)]


def ad_project_platforms(
    data: ReportData, period: Period | None = None
) -> dict[tuple[str, str], AdTotals]:
    """(project, platform) -> the platform's campaigns of that project in the period."""
    start = (period or data.period).start
    rows: dict[tuple[str, str], list[AdRow]] = defaultdict(list)
    for row in data.ads:
        if row.period_start == start:
            rows[(row.project_code, row.platform)].append(row)
    return {key: _ad_totals(*key, None, rows[key]) for key in sorted(rows)}


@dataclass(frozen=True)
class CampaignRanking:
    best: tuple[AdTotals, ...]  # lowest cost per customer first
    worst: tuple[AdTotals, ...]  # spend without customers first (most spend first), then
    # highest cost per customer first


def _name(campaign: AdTotals) -> tuple:
    return (campaign.project_code, campaign.platform, campaign.campaign_id)


def campaign_ranking(data: ReportData, count: int) -> CampaignRanking:
    """The period's campaigns with spend, ranked by cost per customer. The best are those
    with customers, cheapest first; the worst are the rest of the campaigns with spend: those
    that won no customer at all (most spend first), then the dearest per customer. A campaign
    without spend in the period (leads only) is not ranked: its cost per customer of 0 says
    nothing about the campaign."""
    campaigns = [
        _ad_totals(row.project_code, row.platform, row.campaign_id, [row])
        for row in data.ads
        if row.period_start == data.period.start and row.spend > 0
    ]
    with_customers = sorted(
        (c for c in campaigns if c.customers), key=lambda c: (c.cost_per_customer, _name(c))
    )
    best = tuple(with_customers[:count])
    worst = sorted(
        (c for c in campaigns if c not in best),
        key=lambda c: (
            bool(c.customers),
            -(c.cost_per_customer if c.customers else c.spend),
            _name(c),
        ),
    )
    return CampaignRanking(best, tuple(worst[:count]))


# --- lead response --------------------------------------------------------------------------


def lead_response_rows(data: ReportData, period: Period | None = None) -> list[LeadResponseRow]:
    """The period's rows by project, each project's channels first and its total (`all`)
    last."""
    start = (period or data.period).start
    rows = [row for row in data.lead_response if row.period_start == start]
    return sorted(rows, key=lambda r: (r.project_code, r.channel == ALL_CHANNELS, r.channel))


def lead_response_totals(
    data: ReportData, period: Period | None = None
) -> dict[str, LeadResponseRow]:
    """project -> its row over all channels in the period."""
    return {
        row.project_code: row
        for row in lead_response_rows(data, period)
        if row.channel == ALL_CHANNELS
    }


# --- sales reps -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RepSummary:
    project_code: str
    reps: tuple[RepRow, ...]  # most revenue first
    active_reps: int  # owners with a row in the period
    revenue: float  # the project's revenue in the period (mart_project_roi)
    revenue_per_rep: float | None


def rep_summaries(data: ReportData) -> list[RepSummary]:
    """Per project: its owners' rows of the period, and the project's revenue of the period
    over its active reps (owners with a row in the period, `unassigned` included: the
    definition counts owners, and unassigned work is work the team did)."""
    revenue = {
        row.project_code: row.revenue for row in data.roi if row.period_start == data.period.start
    }
    reps: dict[str, list[RepRow]] = defaultdict(list)
    for row in data.reps:
        reps[row.project_code].append(row)
    return [
        RepSummary(
            project_code=code,
            reps=tuple(sorted(rows, key=lambda r: (-r.revenue, r.owner_id))),
            active_reps=len(rows),
            revenue=revenue.get(code, 0.0),
            revenue_per_rep=ratio(revenue.get(code, 0.0), len(rows)),
        )
        for code, rows in sorted(reps.items())
    ]


# --- churn drivers --------------------------------------------------------------------------


def churn_drivers(data: ReportData, project_code: str, month: dt.date) -> list[ChurnDriverRow]:
    """mart_churn_drivers' rows of a project's month: churned first, then retained."""
    rows = [r for r in data.churn_drivers if r.project_code == project_code and r.month == month]
    return sorted(rows, key=lambda r: r.customer_group != "churned")
