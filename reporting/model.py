"""Everything one report shows, computed once: headlines, comparisons, alerts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .alert_rules import ReportAlert, evaluate
from .data import LeadResponseRow, ReportData
from .metrics import (
    AdTotals,
    CampaignRanking,
    ChannelComparison,
    FollowupBucket,
    FunnelSummary,
    Headline,
    RepSummary,
    SalesCycle,
    ad_platforms,
    campaign_ranking,
    channel_comparison,
    followup_effect,
    funnel_summary,
    lead_response_rows,
    project_funnels,
    project_headlines,
    projects_without_data,
    region_headlines,
    rep_summaries,
    sales_cycle_by_region,
    total_headline,
)
from .settings import ReportSettings
from .what_if import WhatIf


@dataclass(frozen=True)
class ReportModel:
    data: ReportData
    settings: ReportSettings
    warehouse: str
    generated_at: dt.datetime
    projects: list[Headline]
    regions: list[Headline]
    total: Headline
    projects_without_data: list[str]
    alerts: list[ReportAlert]
    funnel: FunnelSummary
    project_funnels: dict[str, FunnelSummary]
    channels: list[ChannelComparison]
    followups: list[FollowupBucket]
    sales_cycle: list[SalesCycle]
    ad_platforms: list[AdTotals]
    campaigns: CampaignRanking
    lead_response: list[LeadResponseRow]
    reps: list[RepSummary]
    what_if: WhatIf | None

    @property
    def run_id(self) -> str | None:
        return self.data.audit.run.run_id if self.data.audit.run else None


def build_model(
    data: ReportData,
    settings: ReportSettings,
    warehouse: str,
    generated_at: dt.datetime,
    what_if: WhatIf | None = None,
) -> ReportModel:
    return ReportModel(
        data=data,
        settings=settings,
        warehouse=warehouse,
        generated_at=generated_at,
        projects=project_headlines(data),
        regions=region_headlines(data),
        total=total_headline(data),
        projects_without_data=projects_without_data(data),
        alerts=evaluate(data, settings),
        funnel=funnel_summary(data),
        project_funnels=project_funnels(data),
        channels=channel_comparison(data),
        followups=followup_effect(data),
        sales_cycle=sales_cycle_by_region(data),
        ad_platforms=ad_platforms(data),
        campaigns=campaign_ranking(data, settings.ranked_campaigns),
        lead_response=lead_response_rows(data),
        reps=rep_summaries(data),
        what_if=what_if,
    )
