"""The report's charts as Plotly figures (rendered inline by plotly.js, embedded once).

Each builder returns a figure, or None when there is nothing to draw (the renderer then
says so instead of leaving an empty frame). Colours are fixed per project so that a
project looks the same in every chart.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import plotly.graph_objects as go

from .data import ALL_CHANNELS
from .i18n import column_label, text
from .metrics import complete_months, ratio, retention_curves
from .model import ReportModel

PALETTE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
)  # fmt: skip
INVESTMENT_COLOUR = "#8da0cb"
PROFIT_COLOUR = "#2ca02c"
FONT_FAMILY = (
    '-apple-system, "Segoe UI", "Noto Sans", "Noto Sans CJK SC", "PingFang SC", '
    '"Microsoft YaHei", "Helvetica Neue", Arial, sans-serif'
)
HEIGHT = 300


@dataclass(frozen=True)
class Chart:
    chart_id: str  # the HTML id of its container
    title: str
    figure: go.Figure | None


def _layout(figure: go.Figure, *, percent_y: bool = False, y_title: str | None = None) -> None:
    figure.update_layout(
        template="plotly_white",
        height=HEIGHT,
        margin={"l": 56, "r": 16, "t": 36, "b": 40},
        font={"family": FONT_FAMILY, "size": 12},
        # Legend above the plot: rotated tick labels below never run into it.
        legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom", "font": {"size": 11}},
        hovermode="x unified",
        separators=".,",
    )
    if percent_y:
        figure.update_yaxes(tickformat=".0%")
    if y_title:
        figure.update_yaxes(title_text=y_title)


def _colours(model: ReportModel) -> dict[str, str]:
    codes = sorted(model.data.projects) or sorted({row.project_code for row in model.data.roi})
    return {code: PALETTE[i % len(PALETTE)] for i, code in enumerate(codes)}


def roi_vs_target(model: ReportModel, lang: str) -> go.Figure | None:
    rows = [h for h in model.projects if h.roi is not None or h.target_roi is not None]
    if not rows:
        return None
    colours = _colours(model)
    figure = go.Figure()
    figure.add_bar(
        x=[h.key for h in rows],
        y=[h.roi for h in rows],
        name=column_label(lang, "roi"),
        marker_color=[colours.get(h.key, PALETTE[0]) for h in rows],
        text=[f"{h.roi:.0%}" if h.roi is not None else "" for h in rows],
        textposition="outside",
    )
    figure.add_scatter(
        x=[h.key for h in rows],
        y=[h.target_roi for h in rows],
        name=text(lang, "series.target"),
        mode="markers",
        marker={
            "symbol": "line-ew-open",
            "size": 28,
            "color": "#222",
            "line": {"width": 3, "color": "#222"},
        },
    )
    _layout(figure, percent_y=True)
    figure.update_layout(hovermode="closest")
    return figure


def payback(model: ReportModel, lang: str) -> go.Figure | None:
    rows = [h for h in model.projects if h.payback is not None]
    if not rows:
        return None
    colours = _colours(model)
    figure = go.Figure()
    figure.add_bar(
        y=[h.key for h in rows],
        x=[h.payback for h in rows],
        orientation="h",
        name=text(lang, "series.payback"),
        marker_color=[colours.get(h.key, PALETTE[0]) for h in rows],
        text=[f"{h.payback:.0%}" for h in rows],
        textposition="auto",
    )
    figure.add_vline(x=1, line_dash="dash", line_color="#222")
    _layout(figure)
    figure.update_xaxes(tickformat=".0%")
    figure.update_layout(showlegend=False, hovermode="closest")
    figure.update_yaxes(autorange="reversed")
    return figure


def region_compare(model: ReportModel, lang: str) -> go.Figure | None:
    if not model.regions:
        return None
    figure = go.Figure()
    names = [h.key for h in model.regions]
    figure.add_bar(
        x=names,
        y=[h.investment for h in model.regions],
        name=column_label(lang, "total_investment"),
        marker_color=INVESTMENT_COLOUR,
    )
    figure.add_bar(
        x=names,
        y=[h.gross_profit for h in model.regions],
        name=column_label(lang, "gross_profit"),
        marker_color=PROFIT_COLOUR,
    )
    _layout(figure, y_title=text(lang, "axis.amount", currency=model.data.reporting_currency))
    figure.update_layout(barmode="group")
    figure.update_yaxes(tickformat=",.0f")
    return figure


def roi_trend(model: ReportModel, lang: str) -> go.Figure | None:
    data = model.data
    labels = {p.start: p.label for p in data.trend}
    by_project: dict[str, dict[dt.date, float | None]] = defaultdict(dict)
    for row in data.roi:
        if row.period_start in labels:
            by_project[row.project_code][row.period_start] = row.roi
    if not by_project:
        return None
    colours = _colours(model)
    figure = go.Figure()
    for code, values in sorted(by_project.items()):
        figure.add_scatter(
            x=[labels[p.start] for p in data.trend],
            y=[values.get(p.start) for p in data.trend],
            name=code,
            mode="lines+markers",
            line={"color": colours.get(code)},
        )
    _layout(figure, percent_y=True)
    figure.update_xaxes(type="category")
    return figure


def spend_vs_profit(model: ReportModel, lang: str) -> go.Figure | None:
    data = model.data
    labels = {p.start: p.label for p in data.trend}
    investment: dict[dt.date, float] = defaultdict(float)
    profit: dict[dt.date, float] = defaultdict(float)
    for row in data.roi:
        if row.period_start in labels:
            investment[row.period_start] += row.total_investment
            profit[row.period_start] += row.gross_profit
    if not investment:
        return None
    x = [p.label for p in data.trend]
    figure = go.Figure()
    figure.add_bar(
        x=x,
        y=[investment.get(p.start) for p in data.trend],
        name=column_label(lang, "total_investment"),
        marker_color=INVESTMENT_COLOUR,
    )
    figure.add_bar(
        x=x,
        y=[profit.get(p.start) for p in data.trend],
        name=column_label(lang, "gross_profit"),
        marker_color=PROFIT_COLOUR,
    )
    _layout(figure, y_title=text(lang, "axis.amount", currency=data.reporting_currency))
    figure.update_layout(barmode="group")
    figure.update_xaxes(type="category")
    figure.update_yaxes(tickformat=",.0f")
    return figure


def conversion_trend(model: ReportModel, lang: str) -> go.Figure | None:
    data = model.data
    rows = [row for row in data.funnel if row.channel == ALL_CHANNELS]
    if not rows:
        return None
    by_project: dict[str, dict[dt.date, float | None]] = defaultdict(dict)
    totals: dict[dt.date, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        by_project[row.project_code][row.period_start] = row.lead_to_opportunity_rate
        totals[row.period_start][0] += row.leads_with_opportunity
        totals[row.period_start][1] += row.leads
    x = [p.label for p in data.trend]
    colours = _colours(model)
    figure = go.Figure()
    for code, values in sorted(by_project.items()):
        figure.add_scatter(
            x=x,
            y=[values.get(p.start) for p in data.trend],
            name=code,
            mode="lines+markers",
            line={"color": colours.get(code)},
        )
    figure.add_scatter(
        x=x,
        y=[ratio(*totals[p.start]) if p.start in totals else None for p in data.trend],
        name=text(lang, "series.overall"),
        mode="lines",
        line={"color": "#222", "dash": "dash", "width": 3},
    )
    _layout(figure, percent_y=True)
    figure.update_xaxes(type="category")
    return figure


def retention(model: ReportModel, lang: str) -> go.Figure | None:
    curves = retention_curves(model.data, model.settings.retention_cohorts)
    if not curves:
        return None
    figure = go.Figure()
    for i, (cohort, points) in enumerate(sorted(curves.items())):
        figure.add_scatter(
            x=[offset for offset, _ in points],
            y=[rate for _, rate in points],
            name=text(lang, "series.cohort", cohort=f"{cohort:%Y-%m}"),
            mode="lines+markers",
            line={"color": PALETTE[i % len(PALETTE)]},
        )
    _layout(figure, percent_y=True)
    figure.update_xaxes(title_text=column_label(lang, "month_offset"), dtick=1)
    return figure


def churn(model: ReportModel, lang: str) -> go.Figure | None:
    data = model.data
    months = complete_months(data, data.trend[0].start, data.period.end)
    if not months or not data.churn:
        return None
    by_project: dict[str, dict[dt.date, float | None]] = defaultdict(dict)
    for row in data.churn:
        by_project[row.project_code][row.month_start] = row.churn_rate
    colours = _colours(model)
    figure = go.Figure()
    for code, values in sorted(by_project.items()):
        if not any(values.get(month) is not None for month in months):
            continue
        figure.add_scatter(
            x=[month.isoformat() for month in months],
            y=[values.get(month) for month in months],
            name=code,
            mode="lines+markers",
            line={"color": colours.get(code)},
        )
    if not figure.data:
        return None
    _layout(figure, percent_y=True)
    figure.update_xaxes(type="date", tickformat="%Y-%m", dtick="M3")
    return figure


def funnel(model: ReportModel, lang: str) -> go.Figure | None:
    summary = model.funnel
    if not summary.leads:
        return None
    figure = go.Figure(
        go.Funnel(
            y=[text(lang, f"stage.{stage.key}") for stage in summary.stages],
            x=[stage.count for stage in summary.stages],
            textinfo="value+percent previous",
            marker={"color": ["#4c78a8", "#72b7b2", "#54a24b"]},
        )
    )
    _layout(figure)
    figure.update_layout(hovermode="closest", margin={"l": 150})
    return figure


def followups(model: ReportModel, lang: str) -> go.Figure | None:
    rows = [b for b in model.followups if b.conversion_rate is not None]
    if not rows:
        return None
    figure = go.Figure()
    figure.add_bar(
        x=[b.bucket for b in rows],
        y=[b.conversion_rate for b in rows],
        name=column_label(lang, "conversion_rate"),
        marker_color="#4c78a8",
        text=[f"{b.conversion_rate:.1%} ({b.converted_leads:,}/{b.leads:,})" for b in rows],
        textposition="outside",
    )
    _layout(figure, percent_y=True)
    figure.update_xaxes(title_text=column_label(lang, "followup_bucket"), type="category")
    figure.update_layout(showlegend=False, hovermode="closest")
    return figure


def sales_cycle(model: ReportModel, lang: str) -> go.Figure | None:
    rows = [c for c in model.sales_cycle if c.avg_sales_cycle_days is not None]
    if not rows:
        return None
    figure = go.Figure()
    figure.add_bar(
        x=[c.region for c in rows],
        y=[c.avg_sales_cycle_days for c in rows],
        name=column_label(lang, "avg_sales_cycle_days"),
        marker_color="#f58518",
        text=[f"{c.avg_sales_cycle_days:.1f}" for c in rows],
        textposition="outside",
    )
    _layout(figure, y_title=text(lang, "axis.days"))
    figure.update_layout(showlegend=False, hovermode="closest")
    return figure


def channel_ltv_cac(model: ReportModel, lang: str) -> go.Figure | None:
    rows = [c for c in model.channels if c.paid and c.ltv_to_cac is not None]
    if not rows:
        return None
    figure = go.Figure()
    figure.add_bar(
        x=[c.channel for c in rows],
        y=[c.ltv_to_cac for c in rows],
        name=column_label(lang, "ltv_to_cac"),
        marker_color="#54a24b",
        text=[f"{c.ltv_to_cac:.2f}×" for c in rows],
        textposition="outside",
    )
    _layout(figure, y_title=text(lang, "axis.ratio"))
    figure.update_layout(showlegend=False, hovermode="closest")
    return figure


def channel_funnel(model: ReportModel, lang: str) -> go.Figure | None:
    rows = [c for c in model.channels if c.leads or c.win_rate is not None]
    if not rows:
        return None
    figure = go.Figure()
    figure.add_bar(
        x=[c.channel for c in rows],
        y=[c.lead_to_opportunity_rate for c in rows],
        name=column_label(lang, "lead_to_opportunity_rate"),
        marker_color="#4c78a8",
    )
    figure.add_bar(
        x=[c.channel for c in rows],
        y=[c.win_rate for c in rows],
        name=column_label(lang, "win_rate"),
        marker_color="#54a24b",
    )
    _layout(figure, percent_y=True)
    figure.update_layout(barmode="group")
    return figure


def ad_platforms(model: ReportModel, lang: str) -> go.Figure | None:
    rows = [p for p in model.ad_platforms if p.cost_per_lead is not None or p.cost_per_customer]
    if not rows:
        return None
    figure = go.Figure()
    figure.add_bar(
        x=[p.platform for p in rows],
        y=[p.cost_per_lead for p in rows],
        name=column_label(lang, "cost_per_lead"),
        marker_color="#4c78a8",
    )
    figure.add_bar(
        x=[p.platform for p in rows],
        y=[p.cost_per_customer for p in rows],
        name=column_label(lang, "cost_per_customer"),
        marker_color="#f58518",
    )
    _layout(figure, y_title=text(lang, "axis.amount", currency=model.data.reporting_currency))
    figure.update_layout(barmode="group")
    figure.update_yaxes(tickformat=",.2f")
    return figure


def lead_response(model: ReportModel, lang: str) -> go.Figure | None:
    data = model.data
    rows = [row for row in data.lead_response if row.channel == ALL_CHANNELS]
    if not any(row.median_hours_to_first_followup is not None for row in rows):
        return None
    by_project: dict[str, dict[dt.date, float | None]] = defaultdict(dict)
    for row in rows:
        by_project[row.project_code][row.period_start] = row.median_hours_to_first_followup
    x = [p.label for p in data.trend]
    colours = _colours(model)
    figure = go.Figure()
    for code, values in sorted(by_project.items()):
        figure.add_scatter(
            x=x,
            y=[values.get(p.start) for p in data.trend],
            name=code,
            mode="lines+markers",
            line={"color": colours.get(code)},
        )
    figure.add_scatter(
        x=x,
        y=[model.settings.lead_response_hours] * len(x),
        name=text(lang, "series.threshold"),
        mode="lines",
        line={"color": "#d62728", "dash": "dot"},
    )
    _layout(figure, y_title=text(lang, "axis.hours"))
    figure.update_xaxes(type="category")
    return figure


def revenue_per_rep(model: ReportModel, lang: str) -> go.Figure | None:
    rows = [r for r in model.reps if r.revenue_per_rep is not None]
    if not rows:
        return None
    colours = _colours(model)
    figure = go.Figure()
    figure.add_bar(
        x=[r.project_code for r in rows],
        y=[r.revenue_per_rep for r in rows],
        name=text(lang, "col.revenue_per_rep"),
        marker_color=[colours.get(r.project_code) for r in rows],
        text=[f"{r.revenue_per_rep:,.0f} ({r.active_reps})" for r in rows],
        textposition="outside",
    )
    _layout(figure, y_title=text(lang, "axis.amount", currency=model.data.reporting_currency))
    figure.update_layout(showlegend=False, hovermode="closest")
    figure.update_xaxes(type="category")
    figure.update_yaxes(tickformat=",.0f")
    return figure


# (chart id, title key, builder), grouped by the section they appear in.
SECTIONS = {
    "compare": (
        ("chart-roi-vs-target", "chart.roi_vs_target", roi_vs_target),
        ("chart-payback", "chart.payback", payback),
        ("chart-region-compare", "chart.region_compare", region_compare),
    ),
    "channels": (
        ("chart-channel-ltv-cac", "chart.channel_ltv_cac", channel_ltv_cac),
        ("chart-channel-funnel", "chart.channel_funnel", channel_funnel),
    ),
    "trends": (
        ("chart-roi-trend", "chart.roi_trend", roi_trend),
        ("chart-spend-vs-profit", "chart.spend_vs_profit", spend_vs_profit),
        ("chart-conversion-trend", "chart.conversion_trend", conversion_trend),
        ("chart-churn", "chart.churn", churn),
        ("chart-retention", "chart.retention", retention),
    ),
    "funnel": (
        ("chart-funnel", "chart.funnel", funnel),
        ("chart-followups", "chart.followups", followups),
        ("chart-sales-cycle", "chart.sales_cycle", sales_cycle),
    ),
    "ads": (("chart-ad-platforms", "chart.ad_platforms", ad_platforms),),
    "lead_response": (("chart-lead-response", "chart.lead_response", lead_response),),
    "reps": (("chart-revenue-per-rep", "chart.revenue_per_rep", revenue_per_rep),),
}


def build_charts(model: ReportModel, lang: str) -> dict[str, list[Chart]]:
    return {
        section: [
            Chart(chart_id, text(lang, title), build(model, lang))
            for chart_id, title, build in charts
        ]
        for section, charts in SECTIONS.items()
    }
