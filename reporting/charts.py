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
from babel.numbers import get_decimal_symbol, get_group_symbol

from simulation import MESSAGES

from .data import ALL_CHANNELS
from .formatting import count, decimal_number, money, multiple, percent, spec_message
from .i18n import N_, STAGE_NAMES, translator
from .metrics import complete_months, ratio, retention_curves
from .model import ReportModel

PALETTE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
)  # fmt: skip
INVESTMENT_COLOUR = "#8da0cb"
PROFIT_COLOUR = "#2ca02c"
HEIGHT = 300


@dataclass(frozen=True)
class Chart:
    chart_id: str  # the HTML id of its container
    title: str
    figure: go.Figure | None


def _layout(
    figure: go.Figure, lang: str, *, percent_y: bool = False, y_title: str | None = None
) -> None:
    tr = translator(lang)
    figure.update_layout(
        template="plotly_white",
        height=HEIGHT,
        margin={"l": 56, "r": 16, "t": 36, "b": 40},
        font={"family": tr.language.font_stack, "size": 12},
        # Legend above the plot: rotated tick labels below never run into it.
        legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom", "font": {"size": 11}},
        hovermode="x unified",
        # The locale's decimal mark and digit group separator (CLDR), in that order: Plotly
        # writes axis ticks and hover values with them.
        separators=get_decimal_symbol(tr.locale) + get_group_symbol(tr.locale),
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
        name=translator(lang).column("roi"),
        marker_color=[colours.get(h.key, PALETTE[0]) for h in rows],
        text=[percent(h.roi, lang, 0) if h.roi is not None else "" for h in rows],
        textposition="outside",
    )
    figure.add_scatter(
        x=[h.key for h in rows],
        y=[h.target_roi for h in rows],
        name=translator(lang)._("Target"),
        mode="markers",
        marker={
            "symbol": "line-ew-open",
            "size": 28,
            "color": "#222",
            "line": {"width": 3, "color": "#222"},
        },
    )
    _layout(figure, lang, percent_y=True)
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
        name=translator(lang)._("Payback so far"),
        marker_color=[colours.get(h.key, PALETTE[0]) for h in rows],
        text=[percent(h.payback, lang, 0) for h in rows],
        textposition="auto",
    )
    figure.add_vline(x=1, line_dash="dash", line_color="#222")
    _layout(figure, lang)
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
        name=translator(lang).column("total_investment"),
        marker_color=INVESTMENT_COLOUR,
    )
    figure.add_bar(
        x=names,
        y=[h.gross_profit for h in model.regions],
        name=translator(lang).column("gross_profit"),
        marker_color=PROFIT_COLOUR,
    )
    _layout(
        figure,
        lang,
        y_title=translator(lang)._("Amount ({currency})", currency=model.data.reporting_currency),
    )
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
    _layout(figure, lang, percent_y=True)
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
        name=translator(lang).column("total_investment"),
        marker_color=INVESTMENT_COLOUR,
    )
    figure.add_bar(
        x=x,
        y=[profit.get(p.start) for p in data.trend],
        name=translator(lang).column("gross_profit"),
        marker_color=PROFIT_COLOUR,
    )
    _layout(
        figure,
        lang,
        y_title=translator(lang)._("Amount ({currency})", currency=data.reporting_currency),
    )
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
        name=translator(lang)._("All projects"),
        mode="lines",
        line={"color": "#222", "dash": "dash", "width": 3},
    )
    _layout(figure, lang, percent_y=True)
    figure.update_xaxes(type="category")
    return figure


def retention(model: ReportModel, lang: str) -> go.Figure | None:
    curves = retention_curves(model.data, model.settings.retention_cohorts)
    if not curves:
        return None
    figure = go.Figure()
    for i, (cohort, points) in enumerate(sorted(curves.items())):
        cohort_label = f"{cohort:%Y-%m}"  # a month's label, as in --period
        figure.add_scatter(
            x=[offset for offset, _ in points],
            y=[rate for _, rate in points],
            # Translators: {cohort} is the month of the customers' first order (2026-04)
            name=translator(lang)._("Cohort {cohort}", cohort=cohort_label),
            mode="lines+markers",
            line={"color": PALETTE[i % len(PALETTE)]},
        )
    _layout(figure, lang, percent_y=True)
    figure.update_xaxes(title_text=translator(lang).column("month_offset"), dtick=1)
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
    _layout(figure, lang, percent_y=True)
    # months as their labels (2026-05) in every language: Plotly's own month names are English
    figure.update_xaxes(type="date", tickformat="%Y-%m", hoverformat="%Y-%m", dtick="M3")
    return figure


def funnel(model: ReportModel, lang: str) -> go.Figure | None:
    summary = model.funnel
    if not summary.leads:
        return None
    figure = go.Figure(
        go.Funnel(
            y=[translator(lang)._(STAGE_NAMES[stage.key]) for stage in summary.stages],
            x=[stage.count for stage in summary.stages],
            textinfo="value+percent previous",
            marker={"color": ["#4c78a8", "#72b7b2", "#54a24b"]},
        )
    )
    _layout(figure, lang)
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
        name=translator(lang).column("conversion_rate"),
        marker_color="#4c78a8",
        text=[
            f"{percent(b.conversion_rate, lang)} "
            f"({count(b.converted_leads, lang)}/{count(b.leads, lang)})"
            for b in rows
        ],
        textposition="outside",
    )
    _layout(figure, lang, percent_y=True)
    figure.update_xaxes(title_text=translator(lang).column("followup_bucket"), type="category")
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
        name=translator(lang).column("avg_sales_cycle_days"),
        marker_color="#f58518",
        text=[decimal_number(c.avg_sales_cycle_days, lang) for c in rows],
        textposition="outside",
    )
    _layout(figure, lang, y_title=translator(lang)._("Days"))
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
        name=translator(lang).column("ltv_to_cac"),
        marker_color="#54a24b",
        text=[multiple(c.ltv_to_cac, lang) for c in rows],
        textposition="outside",
    )
    _layout(figure, lang, y_title=translator(lang)._("LTV/CAC"))
    figure.update_layout(showlegend=False, hovermode="closest")
    return figure


def _column_pairs(
    lang: str, x: list[str], *series: tuple[str, list[float | None], str]
) -> go.Figure:
    """Grouped bars, one series per (mart column, values, colour), named by the column's
    label in `lang`."""
    figure = go.Figure()
    for column, values, colour in series:
        figure.add_bar(x=x, y=values, name=translator(lang).column(column), marker_color=colour)
    figure.update_layout(barmode="group")
    return figure


def channel_funnel(model: ReportModel, lang: str) -> go.Figure | None:
    rows = [c for c in model.channels if c.leads or c.win_rate is not None]
    if not rows:
        return None
    figure = _column_pairs(
        lang,
        [c.channel for c in rows],
        ("lead_to_opportunity_rate", [c.lead_to_opportunity_rate for c in rows], "#4c78a8"),
        ("win_rate", [c.win_rate for c in rows], "#54a24b"),
    )
    _layout(figure, lang, percent_y=True)
    return figure


def ad_platforms(model: ReportModel, lang: str) -> go.Figure | None:
    rows = [p for p in model.ad_platforms if p.cost_per_lead is not None or p.cost_per_customer]
    if not rows:
        return None
    figure = _column_pairs(
        lang,
        [p.platform for p in rows],
        ("cost_per_lead", [p.cost_per_lead for p in rows], "#4c78a8"),
        ("cost_per_customer", [p.cost_per_customer for p in rows], "#f58518"),
    )
    _layout(
        figure,
        lang,
        y_title=translator(lang)._("Amount ({currency})", currency=model.data.reporting_currency),
    )
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
        name=translator(lang)._("Threshold"),
        mode="lines",
        line={"color": "#d62728", "dash": "dot"},
    )
    _layout(figure, lang, y_title=translator(lang)._("Hours"))
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
        name=translator(lang)._("Revenue per active rep"),
        marker_color=[colours.get(r.project_code) for r in rows],
        text=[f"{money(r.revenue_per_rep, lang)} ({count(r.active_reps, lang)})" for r in rows],
        textposition="outside",
    )
    _layout(
        figure,
        lang,
        y_title=translator(lang)._("Amount ({currency})", currency=model.data.reporting_currency),
    )
    figure.update_layout(showlegend=False, hovermode="closest")
    figure.update_xaxes(type="category")
    figure.update_yaxes(tickformat=",.0f")
    return figure


def _what_if_bars(
    model: ReportModel, lang: str, kind: str, metric: str, baseline_name: str, per_column: bool
) -> go.Figure | None:
    """One group of bars per projected scenario of `kind`: the baseline of `metric` (solid)
    and its projection per column (hatched: a projection, never an observation), of the
    scenario's widest scope (the projects together when money moves across projects).
    `per_column`: the columns are the same in every scenario (the cost bands) and name the
    projected bars; else each scenario has its own (its churn), shown on hover."""
    results = [
        result
        for result in (model.what_if.results if model.what_if else ())
        if result.kind == kind and not result.refused
    ]
    if not results:
        return None
    tr = translator(lang)

    def written(message) -> str:
        return spec_message(MESSAGES[message.key], message.params, lang)

    labels = [tr._("Scenario {index}", index=result.index) for result in results]
    figures = [
        max(
            (figure for figure in result.figures if figure.metric == metric),
            key=lambda figure: len(figure.projects),
        )
        for result in results
    ]
    figure = go.Figure()
    figure.add_bar(
        x=labels,
        y=[f.baseline for f in figures],
        name=baseline_name,
        marker_color=INVESTMENT_COLOUR,
        hovertext=[f.scope for f in figures],
        # each bar's value written on it, as the table writes it: the bars of a scenario
        # often differ by less than the axis shows
        text=[percent(f.baseline, lang) for f in figures],
    )
    for column in range(len(results[0].columns)):
        figure.add_bar(
            x=labels,
            y=[f.projected[column] for f in figures],
            name=tr._("Projected: {column}", column=written(results[0].columns[column]))
            if per_column
            # Translators: a chart's legend entry: the projected values
            else tr._("Projected"),
            marker={
                "color": PALETTE[column % len(PALETTE)],
                "pattern": {"shape": "/", "fgcolor": "#ffffff", "solidity": 0.3},
            },
            hovertext=[
                f.scope if per_column else f"{f.scope}: {written(result.columns[column])}"
                for f, result in zip(figures, results, strict=True)
            ],
            text=[percent(f.projected[column], lang) for f in figures],
        )
    _layout(figure, lang, percent_y=True)
    figure.update_layout(barmode="group")
    figure.update_traces(textposition="outside", textangle=0, cliponaxis=False)
    figure.update_xaxes(type="category")
    return figure


def what_if_budget(model: ReportModel, lang: str) -> go.Figure | None:
    return _what_if_bars(
        model, lang, "budget_shift", "roi", translator(lang)._("Observed"), per_column=True
    )


def what_if_churn(model: ReportModel, lang: str) -> go.Figure | None:
    return _what_if_bars(
        model,
        lang,
        "churn_change",
        "cumulative_roi_at_horizon",
        # Translators: the churn chart's baseline: the model at the observed churn
        translator(lang)._("Baseline (model, observed churn)"),
        per_column=False,
    )


# (chart id, title in English, builder), grouped by the section they appear in.
SECTIONS = {
    "compare": (
        ("chart-roi-vs-target", N_("ROI vs target, this period"), roi_vs_target),
        # Translators: {hundred_percent} is 100% as the language writes it
        ("chart-payback", N_("Payback so far by project ({hundred_percent} = paid back)"), payback),
        (
            "chart-region-compare",
            N_("Investment and gross profit by region, this period"),
            region_compare,
        ),
    ),
    "channels": (
        ("chart-channel-ltv-cac", N_("LTV/CAC by paid channel (all time)"), channel_ltv_cac),
        (
            "chart-channel-funnel",
            N_("Conversion and win rate by channel, this period"),
            channel_funnel,
        ),
    ),
    "trends": (
        ("chart-roi-trend", N_("ROI per project"), roi_trend),
        ("chart-spend-vs-profit", N_("Investment vs gross profit, all projects"), spend_vs_profit),
        (
            "chart-conversion-trend",
            N_("Lead → opportunity conversion per project"),
            conversion_trend,
        ),
        ("chart-churn", N_("Monthly churn rate per project"), churn),
        ("chart-retention", N_("Retention by cohort (all projects)"), retention),
    ),
    "funnel": (
        ("chart-funnel", N_("Funnel this period, all projects"), funnel),
        (
            "chart-followups",
            N_("Conversion by number of follow-ups (all leads to date)"),
            followups,
        ),
        ("chart-sales-cycle", N_("Average sales cycle by region, this period (days)"), sales_cycle),
    ),
    "ads": (
        (
            "chart-ad-platforms",
            N_("Cost per lead and per customer by ad platform, this period"),
            ad_platforms,
        ),
    ),
    "lead_response": (
        ("chart-lead-response", N_("Median hours to first follow-up per project"), lead_response),
    ),
    "reps": (
        (
            "chart-revenue-per-rep",
            N_("Revenue per active rep by project, this period"),
            revenue_per_rep,
        ),
    ),
    "what_if": (
        (
            "chart-what-if-budget",
            N_("Budget shifts: ROI over the window, observed and projected"),
            what_if_budget,
        ),
        (
            "chart-what-if-churn",
            N_("Churn changes: cumulative ROI at the horizon's end, baseline and projected"),
            what_if_churn,
        ),
    ),
}


def build_charts(model: ReportModel, lang: str) -> dict[str, list[Chart]]:
    return {
        section: [
            Chart(
                chart_id,
                # the payback chart's title says where 100% is
                translator(lang)._(title, hundred_percent=percent(1, lang, 0)),
                build(model, lang),
            )
            for chart_id, title, build in charts
        ]
        for section, charts in SECTIONS.items()
    }
