"""The report as one self-contained HTML file: inline CSS, plotly.js embedded once, each
chart's data inline, no request to any server (it opens offline and prints on A4).

The markup is reporting/templates/report.html (with report.css and print.js), rendered with
autoescaping: the Renderer hands it plain texts (formatted numbers, translated labels, the
warehouse's names), and only code, plotly.js, a chart's own markup and the print script, as
Markup, each one's script hashed into the page's Content-Security-Policy."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from markupsafe import Markup
from plotly.offline import get_plotlyjs

from foundation.safe_html import html_templates, policy, source_hash

from .alert_rules import ReportAlert
from .charts import HEIGHT, Chart, build_charts
from .formatting import (
    alert_numbers,
    count,
    decimal,
    money,
    multiple,
    percent,
    points,
    unit_money,
)
from .i18n import column_label, text
from .metrics import AdTotals, Headline, churn_drivers
from .model import ReportModel

PLOTLY_CONFIG = {"displayModeBar": False, "responsive": True}
# Charts are re-laid out to this width when printing: A4 less 2 x 12 mm margins, at 96 dpi.
PRINT_CHART_WIDTH_PX = 680

TEMPLATES = html_templates("reporting")

# Print: charts are fixed to the A4 width while printing, then given back to the page.
PRINT_SCRIPT = TEMPLATES.get_template("print.js").render(
    print_chart_width=PRINT_CHART_WIDTH_PX, chart_height=HEIGHT
)


@functools.cache
def plotly_js() -> str:
    # A literal "</script>" inside the library would end the inline script early.
    return get_plotlyjs().replace("</script>", "<\\/script>")


@functools.cache
def plotly_js_hash() -> str:
    return source_hash(plotly_js())


# the script plotly writes after each chart's <div>: its data is JSON with `<` escaped
CHART_SCRIPT = re.compile(r"<script(?:\s[^>]*)?>(.*?)</script>", re.DOTALL)


@dataclass(frozen=True)
class Cell:
    text: str
    negative: bool = False  # shown red
    name: str | None = None  # a second, smaller line: a project's name, a region's projects


@dataclass(frozen=True)
class Row:
    css: str
    cells: list[Cell]


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[Row]
    text_columns: int = 1  # the first columns are text (left-aligned, wrapping)


def _plain(*texts: str) -> list[Cell]:
    return [Cell(text) for text in texts]


def _plain_rows(rows: Iterable[tuple[str, ...]]) -> list[Row]:
    """Rows of plain cells, one per tuple of texts."""
    return [Row("", _plain(*texts)) for texts in rows]


def _negative(value: float | None) -> bool:
    return value is not None and value < 0


class Renderer:
    def __init__(self, model: ReportModel, lang: str):
        self.model = model
        self.lang = lang
        self.currency = model.data.reporting_currency
        # hashes of the inline scripts this page writes: the only ones its policy lets run
        self.script_hashes = [plotly_js_hash(), source_hash(PRINT_SCRIPT)]

    def t(self, key: str, **values: object) -> str:
        return text(self.lang, key, **values)

    def col(self, column: str, money_column: bool = False) -> str:
        label = column_label(self.lang, column)
        return self.t("in_currency", label=label, currency=self.currency) if money_column else label

    # --- pieces ---------------------------------------------------------------------------

    def alert_message(self, alert: ReportAlert) -> str:
        values = alert_numbers(alert.numbers, self.lang)
        return self.t(alert.rule, subject=alert.subject, currency=self.currency, **values)

    def alert_items(self, alerts: list[ReportAlert]) -> list[dict]:
        return [
            {
                "severity": alert.severity,
                "kind": alert.kind,
                "badge": self.t("kind." + alert.kind),
                "message": self.alert_message(alert),
                "detail": self.churn_driver_table(alert) if alert.kind == "churn_spike" else None,
            }
            for alert in alerts
        ]

    def churn_driver_table(self, alert: ReportAlert) -> dict | None:
        """Beside a churn spike: the month's churned against its retained customers."""
        month = dt.date.fromisoformat(f"{alert.numbers['month']}-01")
        rows = churn_drivers(self.model.data, alert.subject, month)
        if not rows:
            return None
        lang = self.lang
        body = [
            Row(
                row.customer_group,
                _plain(
                    self.t("group." + row.customer_group),
                    count(row.customers, lang),
                    decimal(row.tickets_per_customer, lang, 2),
                    percent(row.customers_with_ticket_rate, lang),
                    decimal(row.avg_satisfaction, lang, 2),
                    decimal(row.median_resolution_hours, lang),
                    decimal(row.orders_per_customer, lang, 2),
                    money(row.avg_order_value, lang),
                ),
            )
            for row in rows
        ]
        headers = [
            self.col("customer_group"),
            self.col("customers"),
            self.col("tickets_per_customer"),
            self.col("customers_with_ticket_rate"),
            self.col("avg_satisfaction"),
            self.col("median_resolution_hours"),
            self.col("orders_per_customer"),
            self.col("avg_order_value", True),
        ]
        caption = self.t(
            "churn_drivers.caption", subject=alert.subject, month=alert.numbers["month"]
        )
        return {"caption": caption, "table": Table(headers, body)}

    def chart(self, chart: Chart) -> dict:
        """The chart's id, title and markup: plotly's <div> and <script>, or None when there
        is nothing to draw."""
        if chart.figure is None:
            return {"chart_id": chart.chart_id, "title": chart.title, "markup": None}
        div = chart.figure.to_html(
            full_html=False,
            include_plotlyjs=False,
            div_id=chart.chart_id,
            config=PLOTLY_CONFIG,
            default_height=f"{HEIGHT}px",
            default_width="100%",
        )
        self.script_hashes += [source_hash(code) for code in CHART_SCRIPT.findall(div)]
        # plotly's own markup, its data JSON with `<` escaped: written as it is, and its
        # script allowed by the hash just taken
        return {"chart_id": chart.chart_id, "title": chart.title, "markup": Markup(div)}

    # --- sections -------------------------------------------------------------------------

    def meta(self) -> list[tuple[str, str, str | None]]:
        """(label, text, code shown before the text) of the header's list."""
        data, model = self.model.data, self.model
        run = data.audit.run
        if run is None:
            run_meta = (self.t("meta.run_none"), None)
        else:
            status = self.t(
                {"success": "status.success", "running": "status.running"}.get(
                    run.status, "status.failed"
                )
            )
            finished = f"{run.finished_at:%Y-%m-%d %H:%M} UTC" if run.finished_at else "-"
            detail = self.t(
                "meta.run_detail",
                status=status,
                job=run.job_name,
                finished=finished,
                code=run.code_version or "-",
            )
            run_meta = (detail, run.run_id)
        return [
            (self.t("meta.period"), data.period.label, None),
            (self.t("meta.data_end"), data.data_end_date.isoformat(), None),
            (self.t("meta.currency"), self.currency, None),
            (self.t("meta.generated"), f"{model.generated_at:%Y-%m-%d %H:%M:%S} UTC", None),
            (self.t("meta.run"), *run_meta),
            (self.t("meta.warehouse"), "", model.warehouse),
        ]

    def period_line(self) -> str:
        period = self.model.data.period
        return self.t(
            "period_line",
            grain=self.t("grain." + period.grain),
            label=period.label,
            start=period.start.isoformat(),
            end=period.end.isoformat(),
        )

    def headings(self) -> dict[str, str]:
        """Each section's anchor and heading, in the page's order (also its contents)."""
        trend = {
            "n": len(self.model.data.trend),
            "grains": self.t("grains." + self.model.data.period.grain),
        }
        anchors = (
            "summary",
            "alerts",
            "compare",
            "channels",
            "trends",
            "funnel",
            "ads",
            "lead_response",
            "reps",
            "quality",
            "definitions",
        )
        return {
            anchor: self.t("section." + anchor, **(trend if anchor == "trends" else {}))
            for anchor in anchors
        }

    def cards(self) -> list[dict]:
        total, lang = self.model.total, self.lang
        errors, warnings = self.severity_counts()
        if total.paid_back_in is not None:
            paid = self.t("kpi.paid_back", period=total.paid_back_in.label)
        else:
            paid = self.t("kpi.not_paid_back")
        cards = [
            ("kpi.investment", money(total.investment, lang), self.currency, None),
            ("kpi.gross_profit", money(total.gross_profit, lang), self.currency, None),
            (
                "kpi.roi",
                percent(total.roi, lang),
                self.t("kpi.vs_target", target=percent(total.target_roi, lang)),
                total.roi_gap,
            ),
            ("kpi.cumulative_roi", percent(total.cumulative_roi, lang), "", total.cumulative_roi),
            ("kpi.payback", percent(total.payback, lang, 0), paid, None),
            (
                "kpi.cac",
                money(total.cac, lang),
                self.currency
                + " · "
                + self.t("kpi.vs_previous", value=money(total.previous_cac, lang)),
                None,
            ),
            ("kpi.ltv_to_cac", multiple(total.ltv_to_cac, lang), "", None),
            (
                "kpi.alerts",
                count(len(self.model.alerts), lang),
                self.t("kpi.alert_counts", errors=errors, warnings=warnings),
                -1 if errors else None,
            ),
        ]
        return [
            {
                "kpi": key.split(".")[1],
                "label": self.t(key),
                "value": value,
                "sub": sub,
                "negative": _negative(sign),
            }
            for key, value, sub, sign in cards
        ]

    def severity_counts(self) -> tuple[int, int]:
        """(errors, warnings) among the report's alerts."""
        errors = sum(1 for a in self.model.alerts if a.severity == "error")
        return errors, len(self.model.alerts) - errors

    def alert_counts(self) -> str:
        errors, warnings = self.severity_counts()
        return self.t(
            "alerts.count", count=len(self.model.alerts), errors=errors, warnings=warnings
        )

    def _headline_rows(self, cells: Callable[[Headline], list[Cell]]) -> list[Row]:
        model = self.model
        rows = []
        for h in model.projects:
            rows.append(
                Row("project", [Cell(h.key, name=h.name), Cell(h.region or "-"), *cells(h)])
            )
        for h in model.regions:
            projects = ", ".join(h.projects)
            rows.append(Row("region", [Cell(h.key, name=projects), Cell(""), *cells(h)]))
        rows.append(Row("total", [Cell(self.t("total")), Cell(""), *cells(model.total)]))
        return rows

    def return_table(self) -> Table:
        lang = self.lang

        def cells(h: Headline) -> list[Cell]:
            return [
                Cell(money(h.investment, lang)),
                Cell(money(h.gross_profit, lang), _negative(h.gross_profit)),
                # red when below target, whether or not it is negative
                Cell(percent(h.roi, lang), _negative(h.roi) or _negative(h.roi_gap)),
                Cell(percent(h.target_roi, lang)),
                Cell(points(h.roi_gap, lang), _negative(h.roi_gap)),
                Cell(money(h.cumulative_investment, lang)),
                Cell(money(h.cumulative_gross_profit, lang), _negative(h.cumulative_gross_profit)),
                Cell(percent(h.cumulative_roi, lang), _negative(h.cumulative_roi)),
                Cell(percent(h.payback, lang)),
                Cell(h.paid_back_in.label if h.paid_back_in else self.t("not_paid_back")),
            ]

        headers = [
            self.col("project_code"),
            self.col("region"),
            self.col("total_investment", True),
            self.col("gross_profit", True),
            self.col("roi"),
            self.col("target_roi"),
            self.t("col.vs_target") + " (pp)",
            self.col("cumulative_investment", True),
            self.col("cumulative_gross_profit", True),
            self.col("cumulative_roi"),
            self.t("col.payback"),
            self.t("col.paid_back_in"),
        ]
        return Table(headers, self._headline_rows(cells), text_columns=2)

    def customer_table(self) -> Table:
        lang = self.lang

        def cells(h: Headline) -> list[Cell]:
            return _plain(
                money(h.acquisition_cost, lang),
                count(h.new_customers, lang),
                money(h.cac, lang),
                money(h.previous_cac, lang),
                count(h.customers_to_date, lang),
                money(h.all_time_cac, lang),
                money(h.avg_ltv, lang),
                multiple(h.ltv_to_cac, lang),
            )

        headers = [
            self.col("project_code"),
            self.col("region"),
            self.col("acquisition_cost", True),
            self.col("new_customers"),
            self.col("cac") + f" ({self.currency})",
            self.t("col.previous_cac") + f" ({self.currency})",
            self.col("customers"),
            self.t("col.all_time_cac") + f" ({self.currency})",
            self.t("col.avg_ltv") + f" ({self.currency})",
            self.col("ltv_to_cac"),
        ]
        return Table(headers, self._headline_rows(cells), text_columns=2)

    def projects_without_data(self) -> str:
        missing = self.model.projects_without_data
        return self.t("projects_without_data", codes=", ".join(missing)) if missing else ""

    def channel_table(self) -> Table:
        lang = self.lang
        rows = _plain_rows(
            (
                c.channel,
                count(c.customers, lang),
                money(c.avg_ltv, lang),
                money(c.media_spend, lang) if c.paid else "-",
                money(c.media_cac, lang),
                multiple(c.ltv_to_cac, lang),
                count(c.leads, lang),
                percent(c.lead_to_opportunity_rate, lang),
                count(c.won_deals, lang),
                percent(c.win_rate, lang),
            )
            for c in self.model.channels
        )
        headers = [
            self.col("channel"),
            self.col("customers"),
            self.col("avg_realized_ltv", True),
            self.col("media_spend", True),
            self.col("media_cac", True),
            self.col("ltv_to_cac"),
            self.col("leads"),
            self.col("lead_to_opportunity_rate"),
            self.col("won_deals"),
            self.col("win_rate"),
        ]
        return Table(headers, rows)

    def stage_table(self) -> Table | None:
        """The funnel's stages, None when the period has no lead."""
        lang, summary = self.lang, self.model.funnel
        if not summary.leads:
            return None
        rows = [
            Row(
                "weakest" if stage.key == summary.weakest_stage else "",
                _plain(
                    self.t("stage." + stage.key),
                    count(stage.count, lang),
                    percent(stage.passed, lang),
                    percent(None if stage.passed is None else 1 - stage.passed, lang),
                ),
            )
            for stage in summary.stages
        ]
        headers = [
            self.t("col.stage"),
            self.t("col.count"),
            self.t("col.passed"),
            self.t("col.lost"),
        ]
        return Table(headers, rows)

    def weakest_stage(self) -> str:
        summary = self.model.funnel
        if not summary.leads:
            return ""
        weakest = next((s for s in summary.stages if s.key == summary.weakest_stage), None)
        if weakest is None:
            return ""
        return self.t(
            "funnel.weakest",
            stage=self.t("stage." + weakest.key),
            lost=percent(1 - weakest.passed, self.lang),
        )

    def project_funnel_table(self) -> Table:
        lang = self.lang
        rows = _plain_rows(
            (
                code,
                count(f.leads, lang),
                count(f.leads_with_opportunity, lang),
                percent(f.lead_to_opportunity_rate, lang),
                count(f.won_deals, lang),
                count(f.lost_deals, lang),
                percent(f.win_rate, lang),
                self.t("stage." + f.weakest_stage) if f.weakest_stage else "-",
            )
            for code, f in self.model.project_funnels.items()
        )
        headers = [
            self.col("project_code"),
            self.col("leads"),
            self.col("leads_with_opportunity"),
            self.col("lead_to_opportunity_rate"),
            self.col("won_deals"),
            self.col("lost_deals"),
            self.col("win_rate"),
            self.t("col.weakest"),
        ]
        return Table(headers, rows)

    def followup_table(self) -> Table:
        lang = self.lang
        rows = _plain_rows(
            (
                b.bucket,
                count(b.leads, lang),
                count(b.converted_leads, lang),
                percent(b.conversion_rate, lang),
            )
            for b in self.model.followups
        )
        headers = [
            self.col("followup_bucket"),
            self.col("leads"),
            self.col("converted_leads"),
            self.col("conversion_rate"),
        ]
        return Table(headers, rows)

    def sales_cycle_table(self) -> Table:
        lang = self.lang
        rows = _plain_rows(
            (
                c.region,
                count(c.won_deals, lang),
                decimal(c.avg_sales_cycle_days, lang),
            )
            for c in self.model.sales_cycle
        )
        headers = [self.col("region"), self.col("won_deals"), self.col("avg_sales_cycle_days")]
        return Table(headers, rows)

    def _ad_cells(self, totals: AdTotals) -> list[Cell]:
        lang = self.lang
        return _plain(
            money(totals.spend, lang),
            count(totals.impressions, lang),
            count(totals.clicks, lang),
            percent(totals.ctr, lang, 2),
            unit_money(totals.cpc, lang),
            count(totals.leads, lang),
            unit_money(totals.cost_per_lead, lang),
            count(totals.leads_with_opportunity, lang),
            unit_money(totals.cost_per_opportunity, lang),
            count(totals.customers, lang),
            unit_money(totals.cost_per_customer, lang),
        )

    def _ad_headers(self) -> list[str]:
        return [
            self.col("spend", True),
            self.col("impressions"),
            self.col("clicks"),
            self.col("ctr"),
            self.col("cpc", True),
            self.col("leads"),
            self.col("cost_per_lead", True),
            self.col("leads_with_opportunity"),
            self.col("cost_per_opportunity", True),
            self.col("customers"),
            self.col("cost_per_customer", True),
        ]

    def ad_platform_table(self) -> Table | None:
        platforms = self.model.ad_platforms
        if not platforms:
            return None
        rows = [Row("", [Cell(p.platform), *self._ad_cells(p)]) for p in platforms]
        return Table([self.col("platform"), *self._ad_headers()], rows)

    def campaign_table(self, campaigns: tuple[AdTotals, ...]) -> Table | None:
        if not campaigns:
            return None
        rows = [
            Row(
                "",
                [
                    Cell(c.campaign_id or "-"),
                    Cell(c.project_code or "-"),
                    Cell(c.platform),
                    *self._ad_cells(c),
                ],
            )
            for c in campaigns
        ]
        headers = [self.col("campaign_id"), self.col("project_code"), self.col("platform")]
        return Table([*headers, *self._ad_headers()], rows, text_columns=3)

    def lead_response_table(self) -> Table | None:
        rows = self.model.lead_response
        if not rows:
            return None
        lang = self.lang
        body = [
            Row(
                "total" if row.channel == "all" else "",
                _plain(
                    row.project_code,
                    self.t("channel.all") if row.channel == "all" else row.channel,
                    count(row.leads, lang),
                    count(row.leads_followed_up, lang),
                    decimal(row.median_hours_to_first_followup, lang),
                    count(row.followed_up_within_24h, lang),
                    percent(row.followed_up_within_24h_rate, lang),
                ),
            )
            for row in rows
        ]
        headers = [
            self.col("project_code"),
            self.col("channel"),
            self.col("leads"),
            self.col("leads_followed_up"),
            self.col("median_hours_to_first_followup"),
            self.col("followed_up_within_24h"),
            self.col("followed_up_within_24h_rate"),
        ]
        return Table(headers, body, text_columns=2)

    def rep_tables(self) -> list[dict]:
        """Per project: a line with its revenue per active rep, and a table of its reps."""
        lang = self.lang
        headers = [
            self.col("owner_id"),
            self.col("opportunities"),
            self.col("won_deals"),
            self.col("lost_deals"),
            self.col("win_rate"),
            self.col("avg_sales_cycle_days"),
            self.col("revenue", True),
            self.col("gross_profit", True),
            self.col("activities"),
        ]
        result = []
        for summary in self.model.reps:
            rows = [
                Row(
                    "",
                    [
                        Cell(rep.owner_id),
                        *_plain(
                            count(rep.opportunities, lang),
                            count(rep.won_deals, lang),
                            count(rep.lost_deals, lang),
                            percent(rep.win_rate, lang),
                            decimal(rep.avg_sales_cycle_days, lang),
                            money(rep.revenue, lang),
                        ),
                        Cell(money(rep.gross_profit, lang), _negative(rep.gross_profit)),
                        Cell(count(rep.activities, lang)),
                    ],
                )
                for rep in summary.reps
            ]
            caption = self.t(
                "reps.project",
                project=summary.project_code,
                reps=count(summary.active_reps, lang),
                revenue=money(summary.revenue, lang),
                per_rep=money(summary.revenue_per_rep, lang),
                currency=self.currency,
            )
            result.append({"caption": caption, "table": Table(headers, rows)})
        return result

    def quality_problems(self) -> list[ReportAlert]:
        return [a for a in self.model.alerts if a.kind == "data_quality"]

    def quality_summary(self, problems: list[ReportAlert]) -> str:
        """The line above the run's problems: none without a run, ok when it has none."""
        audit = self.model.data.audit
        if audit.run is None:
            return ""
        if not problems:
            return self.t("quality.ok", run_id=audit.run.run_id)
        return self.t(
            "quality.summary",
            run_id=audit.run.run_id,
            quarantined=count(sum(q.rows for q in audit.quarantine), self.lang),
            failed=count(audit.failed_check_total, self.lang),
            stale=count(len(audit.stale_sources), self.lang),
        )

    def definitions(self) -> list[str]:
        return [
            self.t(key)
            for key in (
                "def.investment",
                "def.roi",
                "def.cumulative",
                "def.payback",
                "def.cac",
                "def.ltv_to_cac",
                "def.funnel",
                "def.churn",
                "def.ads",
                "def.lead_response",
                "def.reps",
                "def.churn_drivers",
            )
        ]

    def rules(self) -> list[str]:
        s, lang = self.model.settings, self.lang
        thresholds = {
            "cac_increase": percent(s.cac_increase, lang),
            "cac_min_new_customers": s.cac_min_new_customers,
            "churn_spike": f"{s.churn_spike * 100:,.1f}",
            "churn_trailing_months": s.churn_trailing_months,
            "churn_min_history": s.churn_min_history,
            "churn_min_customers": s.churn_min_customers,
            "conversion_drop": percent(s.conversion_drop, lang),
            "conversion_min_leads": s.conversion_min_leads,
            "cpl_increase": percent(s.cpl_increase, lang),
            "cpl_min_leads": s.cpl_min_leads,
            "lead_response_hours": decimal(s.lead_response_hours, lang),
            "lead_response_min_leads": s.lead_response_min_leads,
        }
        return [
            self.t("rule." + kind, **thresholds)
            for kind in (
                "roi_below_target",
                "cac_increase",
                "cpl_increase",
                "churn_spike",
                "conversion_drop",
                "slow_lead_response",
                "data_quality",
            )
        ]

    def footer(self) -> str:
        return self.t(
            "footer",
            warehouse=self.model.warehouse,
            run_id=self.model.run_id or "-",
            data_end=self.model.data.data_end_date.isoformat(),
        )

    def page(self) -> str:
        charts = build_charts(self.model, self.lang)
        # every chart is made before the policy is written: each adds its script's hash
        section_charts = {
            section: [self.chart(c) for c in section_list]
            for section, section_list in charts.items()
        }
        problems = self.quality_problems()
        return TEMPLATES.get_template("report.html").render(
            t=self.t,
            html_lang="zh-CN" if self.lang == "zh" else "en",
            title=f"{self.t('title')} {self.model.data.period.label}",
            print_chart_width=PRINT_CHART_WIDTH_PX,
            chart_height=HEIGHT,
            plotly_js=Markup(plotly_js()),
            print_script=Markup(PRINT_SCRIPT),
            period_line=self.period_line(),
            meta=self.meta(),
            headings=self.headings(),
            cards=self.cards(),
            alerts=self.alert_items(self.model.alerts),
            alert_counts=self.alert_counts(),
            return_table=self.return_table(),
            customer_table=self.customer_table(),
            projects_without_data=self.projects_without_data(),
            channel_table=self.channel_table(),
            section_charts=section_charts,
            funnel_charts={c["chart_id"]: c for c in section_charts["funnel"]},
            stage_table=self.stage_table(),
            weakest_stage=self.weakest_stage(),
            project_funnel_table=self.project_funnel_table(),
            followup_table=self.followup_table(),
            sales_cycle_table=self.sales_cycle_table(),
            ad_platform_table=self.ad_platform_table(),
            best_campaigns=self.campaign_table(self.model.campaigns.best),
            worst_campaigns=self.campaign_table(self.model.campaigns.worst),
            lead_response_table=self.lead_response_table(),
            rep_tables=self.rep_tables(),
            quality_summary=self.quality_summary(problems),
            quality_problems=self.alert_items(problems),
            definitions=self.definitions(),
            rules=self.rules(),
            footer=self.footer(),
            content_security_policy=policy(scripts=self.script_hashes),
        )


def render_html(model: ReportModel, lang: str) -> str:
    return Renderer(model, lang).page()
