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
from simulation import MESSAGES, Figure, Message, ScenarioResult
from simulation.engine import SUGGESTED_CHURN_CHANGE, SUGGESTED_SHARE
from simulation.results import CHANGE_SPECS, POINTS_UNITS, change_value, value_spec

from .alert_rules import ReportAlert
from .charts import HEIGHT, Chart, build_charts
from .formatting import (
    alert_numbers,
    by_spec,
    count,
    date,
    date_range,
    decimal_number,
    money,
    multiple,
    percent,
    percentage_points,
    points,
    spec_message,
    timestamp,
    unit_money,
)
from .i18n import N_, STAGE_NAMES, translator
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


# Each alert's message (its rule) and badge (its kind), in English: the renderer translates
# them (N_ marks them for extraction).
ALERT_MESSAGES = {
    # Translators: {subject} is a project's code (P2); {gap} a signed difference in percentage
    # points (pp); amounts are followed by {currency}, the reporting currency's code (USD)
    "roi_below_target": N_(
        "{subject}: ROI {roi} is below its target {target_roi} ({gap} pp): gross profit "
        "{gross_profit} on investment {investment} {currency}."
    ),
    "cac_increase": N_(
        "{subject}: CAC rose {change} to {cac} {currency} from {previous_cac} {currency} in "
        "{previous_period} ({new_customers} new customers vs {previous_new_customers}; "
        "acquisition cost {acquisition_cost} {currency}). Threshold: +{threshold}."
    ),
    "cpl_increase": N_(
        "{subject}: cost per lead rose {change} to {cost_per_lead} {currency} from "
        "{previous_cost_per_lead} {currency} in {previous_period} ({leads} leads vs "
        "{previous_leads}; spend {spend} {currency}). Threshold: +{threshold}."
    ),
    # Translators: {month} is a month's label (2026-05); {difference} is signed (+13.3)
    "churn_spike": N_(
        "{subject}: churn in {month} was {churn_rate} ({churned_customers} of "
        "{active_customers_start} active customers), {difference} pp above the average "
        "{trailing_average} of the {trailing_months} months before. Threshold: "
        "{threshold_pp} pp."
    ),
    "conversion_drop": N_(
        "{subject}: lead → opportunity conversion fell {change} to {rate} from "
        "{previous_rate} in {previous_period} ({leads} leads vs {previous_leads}). "
        "Threshold: -{threshold}."
    ),
    "slow_lead_response": N_(
        "{subject}: the median lead waited {median_hours} h for a first follow-up (threshold "
        "{threshold_hours} h); {within_24h_rate} of its {leads} leads were followed up "
        "within 24 h ({leads_followed_up} followed up at all)."
    ),
    "dq_no_run": N_(
        "No run is recorded in audit.runs: the data's quality cannot be traced to a run."
    ),
    "dq_run_failed": N_(
        "Run {run_id} failed ({failed_checks} blocking check(s) failed; failed steps: "
        "{failed_steps}). The marts are still those of the last successful run."
    ),
    "dq_quarantine": N_(
        "{rows} row(s) of {table} quarantined ({reason}): they count nowhere until fixed."
    ),
    "dq_failed_check": N_("Check {check} on {table} failed [{severity}, {kind}]: {observed}."),
    "dq_more_failed_checks": N_("... and {more} more failed check(s): see `roi audit`."),
    "dq_stale_source": N_(
        "Source {table} is not fresh ({status}): last loaded {last_loaded}, {hours} h ago "
        "(warn after {warn_after})."
    ),
}
ALERT_KINDS = {
    "roi_below_target": N_("ROI below target"),
    "cac_increase": N_("CAC increase"),
    "cpl_increase": N_("Cost per lead increase"),
    "churn_spike": N_("Churn spike"),
    "conversion_drop": N_("Conversion drop"),
    "slow_lead_response": N_("Slow lead response"),
    "data_quality": N_("Data quality"),
}
CUSTOMER_GROUPS = {"churned": N_("Churned"), "retained": N_("Retained")}
# A run's status in the header (any other status is a failure).
RUN_STATUSES = {
    "success": N_("succeeded"),
    "running": N_("in progress: the run wrote this report after publishing its marts"),
    "failed": N_("FAILED"),
}

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
        self.tr = translator(lang)
        self._ = self.tr._
        self.currency = model.data.reporting_currency
        # hashes of the inline scripts this page writes: the only ones its policy lets run
        self.script_hashes = [plotly_js_hash(), source_hash(PRINT_SCRIPT)]

    def col(self, column: str, money_column: bool = False) -> str:
        return self.in_currency(self.tr.column(column)) if money_column else self.tr.column(column)

    def in_currency(self, label: str) -> str:
        """A money column's header: its label and the reporting currency's code."""
        # Translators: a money column's header: its label and the currency's code (USD)
        return self._("{label} ({currency})", label=label, currency=self.currency)

    # --- pieces ---------------------------------------------------------------------------

    def alert_message(self, alert: ReportAlert) -> str:
        values = alert_numbers(alert.numbers, self.lang)
        return self._(
            ALERT_MESSAGES[alert.rule], subject=alert.subject, currency=self.currency, **values
        )

    def alert_items(self, alerts: list[ReportAlert]) -> list[dict]:
        return [
            {
                "severity": alert.severity,
                "kind": alert.kind,
                "badge": self._(ALERT_KINDS[alert.kind]),
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
                    self._(CUSTOMER_GROUPS[row.customer_group]),
                    count(row.customers, lang),
                    decimal_number(row.tickets_per_customer, lang, 2),
                    percent(row.customers_with_ticket_rate, lang),
                    decimal_number(row.avg_satisfaction, lang, 2),
                    decimal_number(row.median_resolution_hours, lang),
                    decimal_number(row.orders_per_customer, lang, 2),
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
        caption = self._(
            "{subject}, {month}: customers who churned that month against those retained, each "
            "over the 12 months before the month.",
            subject=alert.subject,
            month=alert.numbers["month"],
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
            run_meta = (self._("no run recorded in audit.runs"), None)
        else:
            status = self._(RUN_STATUSES.get(run.status, RUN_STATUSES["failed"]))
            finished = timestamp(run.finished_at, self.lang)
            detail = self._(
                "{status}, {job}, finished {finished}, code {code}",
                status=status,
                job=run.job_name,
                finished=finished,
                code=run.code_version or "-",
            )
            run_meta = (detail, run.run_id)
        rows = [
            (self._("Period"), data.period.label, None),
            (self._("Data through"), date(data.data_end_date, self.lang), None),
            (self._("Reporting currency"), self.currency, None),
            (self._("Generated"), timestamp(model.generated_at, self.lang), None),
            (self._("Run"), *run_meta),
            (self._("Warehouse"), "", model.warehouse),
        ]
        # each value in its own direction (a period label stays 2026-Q2 in Arabic)
        return [(label, value and self.tr.isolate(value), code) for label, value, code in rows]

    def period_line(self) -> str:
        period = self.model.data.period
        # Translators: the period's kind (Quarter), its label (2026-Q2), its first and last day
        # (Apr 1 – Jun 30, 2026)
        return self._(
            "{grain} {label} ({dates})",
            grain=self.tr.grain(period.grain),
            label=period.label,
            dates=date_range(period.start, period.end, self.lang),
        )

    def headings(self) -> dict[str, str]:
        """Each section's anchor and heading, in the page's order (also its contents)."""
        _ = self._
        return {
            "summary": _("At a glance"),
            "alerts": _("Alerts"),
            "compare": _("Projects and regions side by side"),
            "channels": _("Acquisition channels"),
            # Translators: {grains} is the plural of the period's grain ("quarters")
            "trends": _(
                "Trends over the last {n} {grains}",
                n=count(len(self.model.data.trend), self.lang),
                grains=self.tr.grains(self.model.data.period.grain),
            ),
            "funnel": _("Sales funnel"),
            "ads": _("Ad performance"),
            "lead_response": _("Lead response"),
            "reps": _("Sales reps"),
            "what_if": _("What if"),
            "quality": _("Data quality of the run"),
            "definitions": _("How to read this"),
        }

    def cards(self) -> list[dict]:
        total, lang = self.model.total, self.lang
        errors, warnings = self.severity_counts()
        if total.paid_back_in is not None:
            paid = self._("paid back in {period}", period=total.paid_back_in.label)
        else:
            paid = self._("not paid back yet")
        _ = self._
        # (name, label, value, the line below it, the sign that makes the value red)
        cards = [
            ("investment", _("Investment"), money(total.investment, lang), self.currency, None),
            (
                "gross_profit",
                _("Gross profit"),
                money(total.gross_profit, lang),
                self.currency,
                None,
            ),
            (
                "roi",
                _("ROI"),
                percent(total.roi, lang),
                self._("target {target}", target=percent(total.target_roi, lang)),
                total.roi_gap,
            ),
            (
                "cumulative_roi",
                _("Cumulative ROI"),
                percent(total.cumulative_roi, lang),
                "",
                total.cumulative_roi,
            ),
            ("payback", _("Payback so far"), percent(total.payback, lang, 0), paid, None),
            (
                "cac",
                _("CAC"),
                money(total.cac, lang),
                self.currency
                + " · "
                + self._("previous {value}", value=money(total.previous_cac, lang)),
                None,
            ),
            ("ltv_to_cac", _("LTV/CAC"), multiple(total.ltv_to_cac, lang), "", None),
            (
                "alerts",
                _("Alerts"),
                count(len(self.model.alerts), lang),
                _(
                    "{errors} error(s), {warnings} warning(s)",
                    errors=count(errors, lang),
                    warnings=count(warnings, lang),
                ),
                -1 if errors else None,
            ),
        ]
        return [
            {"kpi": kpi, "label": label, "value": value, "sub": sub, "negative": _negative(sign)}
            for kpi, label, value, sub, sign in cards
        ]

    def severity_counts(self) -> tuple[int, int]:
        """(errors, warnings) among the report's alerts."""
        errors = sum(1 for a in self.model.alerts if a.severity == "error")
        return errors, len(self.model.alerts) - errors

    def alert_counts(self) -> str:
        errors, warnings = self.severity_counts()
        lang = self.lang
        return self._(
            "{count} alert(s): {errors} error(s), {warnings} warning(s).",
            count=count(len(self.model.alerts), lang),
            errors=count(errors, lang),
            warnings=count(warnings, lang),
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
        rows.append(Row("total", [Cell(self._("All projects")), Cell(""), *cells(model.total)]))
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
                Cell(h.paid_back_in.label if h.paid_back_in else self._("not yet")),
            ]

        headers = [
            self.col("project_code"),
            self.col("region"),
            self.col("total_investment", True),
            self.col("gross_profit", True),
            self.col("roi"),
            self.col("target_roi"),
            self._("vs target (pp)"),
            self.col("cumulative_investment", True),
            self.col("cumulative_gross_profit", True),
            self.col("cumulative_roi"),
            self._("Payback so far"),
            self._("Paid back in"),
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
            self.col("cac", True),
            self.in_currency(self._("CAC previous period")),
            self.col("customers"),
            self.in_currency(self._("All-time CAC")),
            self.in_currency(self._("Avg realized LTV")),
            self.col("ltv_to_cac"),
        ]
        return Table(headers, self._headline_rows(cells), text_columns=2)

    def projects_without_data(self) -> str:
        missing = self.model.projects_without_data
        return (
            self._("Projects without data in this period: {codes}.", codes=", ".join(missing))
            if missing
            else ""
        )

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
                    self._(STAGE_NAMES[stage.key]),
                    count(stage.count, lang),
                    percent(stage.passed, lang),
                    percent(None if stage.passed is None else 1 - stage.passed, lang),
                ),
            )
            for stage in summary.stages
        ]
        headers = [
            self._("Stage"),
            self._("Count"),
            self._("Reached from previous stage"),
            self._("Lost at this stage"),
        ]
        return Table(headers, rows)

    def weakest_stage(self) -> str:
        summary = self.model.funnel
        if not summary.leads:
            return ""
        weakest = next((s for s in summary.stages if s.key == summary.weakest_stage), None)
        if weakest is None:
            return ""
        return self._(
            "The stage that loses the most: {stage} ({lost} of the previous stage did not get "
            "there).",
            stage=self._(STAGE_NAMES[weakest.key]),
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
                self._(STAGE_NAMES[f.weakest_stage]) if f.weakest_stage else "-",
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
            self._("Weakest stage"),
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
                decimal_number(c.avg_sales_cycle_days, lang),
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
                    self._("All channels") if row.channel == "all" else row.channel,
                    count(row.leads, lang),
                    count(row.leads_followed_up, lang),
                    decimal_number(row.median_hours_to_first_followup, lang),
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
                            decimal_number(rep.avg_sales_cycle_days, lang),
                            money(rep.revenue, lang),
                        ),
                        Cell(money(rep.gross_profit, lang), _negative(rep.gross_profit)),
                        Cell(count(rep.activities, lang)),
                    ],
                )
                for rep in summary.reps
            ]
            caption = self._(
                "{project}: {reps} active rep(s), revenue {revenue} {currency}, revenue per active "
                "rep {per_rep} {currency}.",
                project=summary.project_code,
                reps=count(summary.active_reps, lang),
                revenue=money(summary.revenue, lang),
                per_rep=money(summary.revenue_per_rep, lang),
                currency=self.currency,
            )
            result.append({"caption": caption, "table": Table(headers, rows)})
        return result

    # --- what if ---------------------------------------------------------------------------

    def sim(self, message: Message) -> str:
        """A text of the simulation (simulation.messages) in the page's language."""
        return spec_message(MESSAGES[message.key], message.params, self.lang)

    def sim_word(self, key: str) -> str:
        return self.tr.gettext(MESSAGES[key])

    def figure_value(self, figure: Figure, value: float | None, projected: bool) -> str:
        return by_spec(value, value_spec(figure.unit, projected), self.lang)

    def figure_change(self, figure: Figure, change: float | None) -> str:
        if change is None:
            return ""
        shown = by_spec(change_value(figure.unit, change), CHANGE_SPECS[figure.unit], self.lang)
        # Translators: a change in percentage points (+1.2 pp)
        return self._("{change} pp", change=shown) if figure.unit in POINTS_UNITS else shown

    def projected_cell(self, figure: Figure, column: int) -> Cell:
        """The projected value, and below it its change from the baseline in brackets."""
        value = figure.projected[column]
        change = self.figure_change(figure, figure.changes[column])
        text = self.figure_value(figure, value, projected=True)
        # a money figure or a ratio below zero (a loss) is red; a count or a rate is not
        red = figure.unit in ("money", "ratio") and _negative(value)
        return Cell(text, red, name=f"({change})" if change else None)

    def scenario_table(self, result: ScenarioResult) -> Table:
        headers = [
            self._("Figure"),
            self._("Baseline"),
            self._("Baseline is"),
            *(
                # Translators: the header of a projected column: {column} is its condition
                # ("cost per customer +25%")
                self._("Projected: {column}", column=self.sim(column))
                for column in result.columns
            ),
        ]
        rows, scope = [], None
        width = len(headers)
        for figure in result.figures:
            if figure.scope != scope:
                scope = figure.scope
                rows.append(Row("scope", [Cell(scope), *(Cell("") for _ in range(width - 1))]))
            rows.append(
                Row(
                    "figure",
                    [
                        Cell(self.sim_word(f"metric.{figure.metric}")),
                        Cell(self.figure_value(figure, figure.baseline, projected=False)),
                        Cell(self.sim_word(f"baseline_kind.{figure.baseline_kind}")),
                        *(
                            self.projected_cell(figure, column)
                            for column in range(len(result.columns))
                        ),
                    ],
                )
            )
        return Table(headers, rows)

    def scenario_block(self, result: ScenarioResult) -> dict:
        description = self.sim(result.description)
        name = result.scenario.name or description
        return {
            "index": result.index,
            "kind": result.kind,
            # Translators: a what-if scenario's heading: its number and its name
            "title": self._("Scenario {index}: {name}", index=result.index, name=name),
            "badge": self.sim_word(f"kind.{result.kind}"),
            "description": description if result.scenario.name else None,
            "refusal": self.sim(result.refusal) if result.refusal else None,
            "basis": [self.sim(message) for message in result.basis],
            "table": None if result.refused else self.scenario_table(result),
            "assumptions": [self.sim(message) for message in result.assumptions],
        }

    def what_if(self) -> dict:
        """The What-if section: where its scenarios come from, and one block per scenario."""
        what_if, lang = self.model.what_if, self.lang
        if what_if is None:
            return {"intro": [], "scenarios": [], "empty": self._("No scenario was simulated.")}
        source = what_if.source
        if what_if.suggested:
            origin = self._(
                "No scenario file was given (roi report --scenarios FILE, or ROI_SCENARIOS), so "
                "these are the suggested scenarios: for each project, {share} of the spend of the "
                "paid channel whose spend earned the least realised LTV per unit moved to the one "
                "whose spend earned the most (both with at least {min_customers} new customers "
                "in the window), and monthly churn {points} pp.",
                share=percent(SUGGESTED_SHARE, lang, 0),
                min_customers=count(source.settings.min_customers, lang),
                points=points(SUGGESTED_CHURN_CHANGE, lang),
            )
        else:
            origin = self._("The scenarios of {path}.", path=str(source.path))
        intro = [
            origin,
            self._(
                "Projected from the published marts through {data_end}, whatever this report's "
                "period: what each change would do from now on. The assumptions stand beside "
                "every projection; a scenario the data cannot support is refused with its reason.",
                data_end=date(what_if.data_end, lang),
            ),
            self.sim(Message.of("legend")),
        ]
        empty = None
        if not what_if.results:
            empty = self._(
                "No scenario to show: no project has two paid channels with at least "
                "{min_customers} new customers in the window, nor a churn rate to change.",
                min_customers=count(source.settings.min_customers, lang),
            )
        return {
            "intro": intro,
            "scenarios": [self.scenario_block(result) for result in what_if.results],
            "empty": empty,
        }

    def quality_problems(self) -> list[ReportAlert]:
        return [a for a in self.model.alerts if a.kind == "data_quality"]

    def quality_summary(self, problems: list[ReportAlert]) -> str:
        """The line above the run's problems: none without a run, ok when it has none."""
        audit = self.model.data.audit
        if audit.run is None:
            return ""
        if not problems:
            return self._(
                "Run {run_id}: no rows quarantined, every check passed, every source fresh.",
                run_id=audit.run.run_id,
            )
        return self._(
            "Run {run_id}: {quarantined} row(s) quarantined, {failed} check(s) failed, {stale} "
            "source(s) not fresh.",
            run_id=audit.run.run_id,
            quarantined=count(sum(q.rows for q in audit.quarantine), self.lang),
            failed=count(audit.failed_check_total, self.lang),
            stale=count(len(audit.stale_sources), self.lang),
        )

    def definitions(self) -> list[str]:
        _ = self._
        return [
            _(
                "Investment: ad spend + ERP costs of the period (total_investment). Gross profit: "
                "revenue - cost of goods of confirmed orders."
            ),
            _(
                "ROI = (gross profit - investment) / investment of the period; the target is the "
                "project's target_roi. Regions and all projects: sums of their projects, with the "
                "target weighted by investment (the ROI the group would have if every project met "
                "its target)."
            ),
            _(
                "Cumulative ROI: the same over everything from the project's first period through "
                "this one."
            ),
            # Translators: {hundred_percent} is 100% as the language writes it
            _(
                "Payback so far = cumulative gross profit / cumulative investment: the share of "
                "the investment earned back ({hundred_percent} or more: paid back). Paid back in: "
                "the first period in which cumulative gross profit reached cumulative investment.",
                hundred_percent=percent(1, self.lang, 0),
            ),
            _(
                "CAC = acquisition cost (ad spend + ERP marketing and sales costs) / new customers "
                "(accounts with their first confirmed order) of the period. All-time CAC: the same "
                "over every period through this one."
            ),
            _(
                "LTV/CAC = average realized LTV (gross profit to date, mart_customer_ltv) of the "
                "customers acquired by the period's end / all-time CAC. Channels: media CAC = ad "
                "spend of the platform / its customers, over all time (mart_channel_ltv_cac)."
            ),
            _(
                "Funnel: leads created in the period, those that got an opportunity (lead → "
                "opportunity rate), deals won in the period; win rate = won / (won + lost)."
            ),
            _(
                "Churn: a customer is active while it ordered in the trailing 12 months; monthly "
                "churn rate = customers active at the previous month's end and not at this one / "
                "customers active at the previous month's end. Retention: share of a cohort (month "
                "of first order) ordering again k months later."
            ),
            _(
                "Ad performance: CTR = clicks / impressions; CPC = spend / clicks; cost per lead, "
                "opportunity and customer = spend / leads (with opportunity, that became "
                "customers) of the campaign's leads created in the period (mart_ad_performance)."
            ),
            _(
                "Lead response: hours from a lead's creation to its first follow-up; the median "
                "over followed-up leads and the share of all leads followed up within 24 h "
                "(mart_lead_response)."
            ),
            _(
                "Sales reps: each owner's opportunities created, deals won and lost, revenue and "
                "gross profit of orders of their opportunities and activities on them in the "
                "period (mart_sales_rep_performance). Revenue per rep = the project's revenue of "
                "the period / its active reps."
            ),
            _(
                "Churn drivers (beside a churn spike): churned vs retained customers of the month, "
                "over the 12 months before it: tickets per customer, share with a ticket, "
                "satisfaction, median resolution time, orders per customer and average order value "
                "(mart_churn_drivers)."
            ),
        ]

    def rules(self) -> list[str]:
        s, lang, _ = self.model.settings, self.lang, self._
        return [
            _("ROI below target: the period's ROI < the project's target_roi."),
            _(
                "CAC increase: CAC up more than {cac_increase} vs the previous period, when both "
                "periods won at least {cac_min_new_customers} new customers.",
                cac_increase=percent(s.cac_increase, lang),
                cac_min_new_customers=count(s.cac_min_new_customers, lang),
            ),
            _(
                "Cost per lead increase: a project's cost per lead on an ad platform up more than "
                "{cpl_increase} vs the previous period, when both periods had at least "
                "{cpl_min_leads} leads from it.",
                cpl_increase=percent(s.cpl_increase, lang),
                cpl_min_leads=count(s.cpl_min_leads, lang),
            ),
            _(
                "Churn spike: a complete month of the period with churn more than {churn_spike} pp "
                "above the mean of the {churn_trailing_months} months before it (at least "
                "{churn_min_history} known; at least {churn_min_customers} active customers).",
                churn_spike=percentage_points(s.churn_spike, lang),
                churn_trailing_months=count(s.churn_trailing_months, lang),
                churn_min_history=count(s.churn_min_history, lang),
                churn_min_customers=count(s.churn_min_customers, lang),
            ),
            _(
                "Conversion drop: lead → opportunity rate down more than {conversion_drop} "
                "(relative) vs the previous period, when both had at least {conversion_min_leads} "
                "leads.",
                conversion_drop=percent(s.conversion_drop, lang),
                conversion_min_leads=count(s.conversion_min_leads, lang),
            ),
            _(
                "Slow lead response: a project's median hours to first follow-up above "
                "{lead_response_hours} h, over at least {lead_response_min_leads} followed-up "
                "leads.",
                lead_response_hours=decimal_number(s.lead_response_hours, lang),
                lead_response_min_leads=count(s.lead_response_min_leads, lang),
            ),
            _(
                "Data quality: the run failed, rows were quarantined, a check failed or a source "
                "is not fresh (audit schema, this report's run)."
            ),
        ]

    def footer(self) -> str:
        return self._(
            "Generated by `roi report` from {warehouse}; run {run_id}. Figures are the published "
            "marts as of the data's end date {data_end}.",
            warehouse=self.model.warehouse,
            run_id=self.model.run_id or "-",
            data_end=date(self.model.data.data_end_date, self.lang),
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
            _=self._,
            pgettext=self.tr.pgettext,
            html_lang=self.tr.language.html_lang,
            direction=self.tr.direction,
            font_stack=self.tr.language.font_stack,
            title=f"{self._('ROI evaluation report')} {self.model.data.period.label}",
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
            what_if=self.what_if(),
            quality_summary=self.quality_summary(problems),
            quality_problems=self.alert_items(problems),
            definitions=self.definitions(),
            rules=self.rules(),
            footer=self.footer(),
            content_security_policy=policy(scripts=self.script_hashes),
        )


def render_html(model: ReportModel, lang: str) -> str:
    return Renderer(model, lang).page()
