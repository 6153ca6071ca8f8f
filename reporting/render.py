"""The report as one self-contained HTML file: inline CSS, plotly.js embedded once, each
chart's data inline, no request to any server (it opens offline and prints on A4)."""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable, Iterable

from plotly.offline import get_plotlyjs

from roi.safe_html import csp_meta, policy, source_hash

from .alert_rules import ReportAlert
from .charts import HEIGHT, Chart, build_charts
from .formatting import alert_numbers, count, decimal, money, multiple, percent, points
from .i18n import column_label, text
from .metrics import Headline
from .model import ReportModel

PLOTLY_CONFIG = {"displayModeBar": False, "responsive": True}
# Charts are re-laid out to this width when printing: A4 less 2 x 12 mm margins, at 96 dpi.
PRINT_CHART_WIDTH_PX = 680

CSS = """
:root { --ink:#1f2933; --muted:#616e7c; --line:#d9e2ec; --bg:#f5f7fa; --accent:#1f5f99;
        --good:#1d7a46; --bad:#b42318; --warn:#b54708; }
* { box-sizing: border-box; }
body { margin:0; color:var(--ink); background:#fff; font-size:14px; line-height:1.45;
  font-family: -apple-system, "Segoe UI", "Noto Sans", "Noto Sans CJK SC", "PingFang SC",
    "Microsoft YaHei", "Helvetica Neue", Arial, sans-serif; }
main { max-width:1180px; margin:0 auto; padding:24px 28px 40px; }
header.report { border-bottom:3px solid var(--accent); padding-bottom:12px; margin-bottom:8px; }
h1 { font-size:26px; margin:0 0 4px; color:var(--accent); }
h2 { font-size:19px; margin:28px 0 10px; padding-bottom:4px; border-bottom:1px solid var(--line); }
h3 { font-size:15px; margin:18px 0 6px; }
.period { font-size:17px; margin:0 0 10px; }
dl.meta { display:grid; grid-template-columns:max-content 1fr; gap:2px 14px; margin:0;
  font-size:13px; color:var(--muted); }
dl.meta dt { font-weight:600; } dl.meta dd { margin:0; word-break:break-all; }
nav.toc { font-size:13px; margin:8px 0 0; color:var(--muted); }
nav.toc a { color:var(--accent); text-decoration:none; margin-right:12px; }
.cards { display:grid; grid-template-columns:repeat(4, 1fr); gap:10px; }
.card { background:var(--bg); border:1px solid var(--line); border-radius:6px; padding:10px 12px; }
.card .label { font-size:12px; color:var(--muted); text-transform:uppercase; letter-spacing:.03em; }
.card .value { font-size:24px; font-weight:650; margin:2px 0; white-space:nowrap; }
.card .sub { font-size:12px; color:var(--muted); }
.neg { color:var(--bad); } .pos { color:var(--good); }
table { border-collapse:collapse; width:100%; font-size:13px; margin:6px 0 4px; }
th, td { padding:4px 7px; border-bottom:1px solid var(--line); text-align:right;
  vertical-align:top; }
th { background:var(--bg); font-weight:600; font-size:12px; }
th:first-child, td:first-child, td.text, th.text { text-align:left; }
td { white-space:nowrap; } td.text { white-space:normal; }
tr.region td { background:#eef4fb; font-weight:600; }
tr.weakest td { background:#fdecea; font-weight:600; }
tr.total td { background:#dde8f5; font-weight:700; border-top:2px solid var(--accent); }
td .name { display:block; font-size:11px; color:var(--muted); font-weight:400; }
td.below { background:#fdecea; }
.note { font-size:12px; color:var(--muted); margin:4px 0; }
ul.alerts { list-style:none; padding:0; margin:0; }
ul.alerts li { border-left:5px solid var(--warn); background:#fff8ed; padding:6px 10px;
  margin:0 0 6px; }
ul.alerts li.error { border-left-color:var(--bad); background:#fdecea; }
.badge { display:inline-block; font-size:11px; font-weight:700; text-transform:uppercase;
  padding:1px 6px; border-radius:3px; margin-right:6px; color:#fff; background:var(--warn); }
li.error .badge { background:var(--bad); }
.ok { border-left:5px solid var(--good); background:#edf7f0; padding:6px 10px; }
.grid { display:grid; grid-template-columns:repeat(2, minmax(0, 1fr)); gap:14px 18px; }
figure.chart-box { margin:0; border:1px solid var(--line); border-radius:6px; padding:8px 8px 2px; }
figure.chart-box figcaption { font-weight:600; font-size:13px; margin:0 0 4px 4px; }
.chart { width:100%; min-height:HEIGHTpx; }
.no-data { color:var(--muted); font-size:13px; padding:20px 8px; }
.two { display:grid; grid-template-columns:repeat(2, minmax(0, 1fr)); gap:18px; }
ol.defs, ul.rules { padding-left:20px; margin:4px 0; } ol.defs li, ul.rules li { margin:0 0 4px; }
footer { margin-top:28px; font-size:12px; color:var(--muted); border-top:1px solid var(--line);
  padding-top:8px; }
code { font-size:12px; background:var(--bg); padding:0 3px; border-radius:3px; }
@media (max-width: 900px) { .grid, .two { grid-template-columns:1fr; }
  .cards { grid-template-columns:repeat(2, 1fr); } }
@page { size: A4; margin: 12mm; }
@media print {
  body { font-size:10.5pt; -webkit-print-color-adjust:exact; print-color-adjust:exact; }
  main { max-width:none; padding:0; }
  nav.toc, .screen-only { display:none; }
  h2 { break-after:avoid; page-break-after:avoid; margin-top:14px; }
  h3 { break-after:avoid; page-break-after:avoid; }
  section.page { break-before:page; page-break-before:always; }
  .grid, .two { display:block; }
  figure.chart-box { break-inside:avoid; page-break-inside:avoid; width:PRINTWIDTHpx;
    margin:0 0 8px; border:none; padding:0; }
  .chart { width:PRINTWIDTHpx; }
  table { font-size:8pt; } th, td { padding:2px 4px; }
  td.text:first-child { min-width:30mm; }
  thead { display:table-header-group; } tr { break-inside:avoid; page-break-inside:avoid; }
  ul.alerts li { break-inside:avoid; page-break-inside:avoid; }
  .cards { grid-template-columns:repeat(4, 1fr); gap:6px; }
  .card .value { font-size:16pt; }
}
""".replace("PRINTWIDTH", str(PRINT_CHART_WIDTH_PX)).replace("HEIGHT", str(HEIGHT))

# Print: charts are fixed to the A4 width while printing, then given back to the page.
PRINT_SCRIPT = """
(function () {
  function charts() { return document.querySelectorAll('.plotly-graph-div'); }
  function forPrint() { charts().forEach(function (el) {
    Plotly.relayout(el, {width: PRINTWIDTH, height: HEIGHT}); }); }
  function forScreen() { charts().forEach(function (el) {
    Plotly.relayout(el, {width: el.parentElement.clientWidth, height: HEIGHT}); }); }
  window.addEventListener('beforeprint', forPrint);
  window.addEventListener('afterprint', forScreen);
  if (window.matchMedia) {
    var query = window.matchMedia('print');
    var onChange = function (event) { if (event.matches) { forPrint(); } else { forScreen(); } };
    if (query.addEventListener) { query.addEventListener('change', onChange); }
    else if (query.addListener) { query.addListener(onChange); }
  }
})();
""".replace("PRINTWIDTH", str(PRINT_CHART_WIDTH_PX)).replace("HEIGHT", str(HEIGHT))


@functools.cache
def plotly_js() -> str:
    # A literal "</script>" inside the library would end the inline script early.
    return get_plotlyjs().replace("</script>", "<\\/script>")


@functools.cache
def plotly_js_hash() -> str:
    return source_hash(plotly_js())


# the script plotly writes after each chart's <div>: its data is JSON with `<` escaped
CHART_SCRIPT = re.compile(r"<script(?:\s[^>]*)?>(.*?)</script>", re.DOTALL)


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _red_if(bad: bool, shown: str) -> str:
    return f'<span class="neg">{esc(shown)}</span>' if bad else esc(shown)


def _negative(value: float | None) -> bool:
    return value is not None and value < 0


def _table(headers: list[str], rows: Iterable[tuple[str, list[str]]], text_columns=1) -> str:
    """rows: (css class of the row, cells as HTML)."""
    head = "".join(
        f'<th class="text">{esc(h)}</th>' if i < text_columns else f"<th>{esc(h)}</th>"
        for i, h in enumerate(headers)
    )
    body = "".join(
        f'<tr class="{css}">'
        + "".join(
            f'<td class="text">{cell}</td>' if i < text_columns else f"<td>{cell}</td>"
            for i, cell in enumerate(cells)
        )
        + "</tr>"
        for css, cells in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


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

    def alert_list(self, alerts: list[ReportAlert]) -> str:
        items = "".join(
            f'<li class="{alert.severity}" data-kind="{esc(alert.kind)}">'
            f'<span class="badge">{esc(self.t("kind." + alert.kind))}</span>'
            f"{esc(self.alert_message(alert))}</li>"
            for alert in alerts
        )
        return f'<ul class="alerts">{items}</ul>'

    def chart(self, chart: Chart) -> str:
        if chart.figure is None:
            return (
                f'<figure class="chart-box" id="{chart.chart_id}-box"><figcaption>'
                f'{esc(chart.title)}</figcaption><p class="no-data">{esc(self.t("na"))}</p>'
                "</figure>"
            )
        div = chart.figure.to_html(
            full_html=False,
            include_plotlyjs=False,
            div_id=chart.chart_id,
            config=PLOTLY_CONFIG,
            default_height=f"{HEIGHT}px",
            default_width="100%",
        )
        self.script_hashes += [source_hash(code) for code in CHART_SCRIPT.findall(div)]
        return (
            f'<figure class="chart-box" id="{chart.chart_id}-box"><figcaption>'
            f'{esc(chart.title)}</figcaption><div class="chart">{div}</div></figure>'
        )

    def charts(self, charts: list[Chart]) -> str:
        return '<div class="grid">' + "".join(self.chart(c) for c in charts) + "</div>"

    # --- sections -------------------------------------------------------------------------

    def header(self) -> str:
        data, model = self.model.data, self.model
        period = data.period
        run = data.audit.run
        if run is None:
            run_text = esc(self.t("meta.run_none"))
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
            run_text = f"<code>{esc(run.run_id)}</code> ({esc(detail)})"
        meta = [
            ("meta.period", esc(period.label)),
            ("meta.data_end", esc(data.data_end_date.isoformat())),
            ("meta.currency", esc(self.currency)),
            ("meta.generated", esc(f"{model.generated_at:%Y-%m-%d %H:%M:%S} UTC")),
            ("meta.run", run_text),
            ("meta.warehouse", f"<code>{esc(model.warehouse)}</code>"),
        ]
        items = "".join(f"<dt>{esc(self.t(key))}</dt><dd>{value}</dd>" for key, value in meta)
        line = self.t(
            "period_line",
            grain=self.t("grain." + period.grain),
            label=period.label,
            start=period.start.isoformat(),
            end=period.end.isoformat(),
        )
        toc = "".join(
            f'<a href="#{anchor}">{esc(self.t(key, **values))}</a>'
            for anchor, key, values in self.sections()
        )
        return (
            f'<header class="report"><h1>{esc(self.t("title"))}</h1>'
            f'<p class="period">{esc(line)}</p><dl class="meta">{items}</dl>'
            f'<nav class="toc">{esc(self.t("toc"))}: {toc}</nav></header>'
        )

    def sections(self) -> list[tuple[str, str, dict]]:
        trend = {
            "n": len(self.model.data.trend),
            "grains": self.t("grains." + self.model.data.period.grain),
        }
        return [
            ("summary", "section.summary", {}),
            ("alerts", "section.alerts", {}),
            ("compare", "section.compare", {}),
            ("channels", "section.channels", {}),
            ("trends", "section.trends", trend),
            ("funnel", "section.funnel", {}),
            ("quality", "section.quality", {}),
            ("definitions", "section.definitions", {}),
        ]

    def heading(self, anchor: str) -> str:
        for section, key, values in self.sections():
            if section == anchor:
                return f"<h2>{esc(self.t(key, **values))}</h2>"
        raise KeyError(anchor)

    def summary(self) -> str:
        total, lang = self.model.total, self.lang
        errors = sum(1 for a in self.model.alerts if a.severity == "error")
        warnings = len(self.model.alerts) - errors
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
        html_cards = "".join(
            f'<div class="card" data-kpi="{key.split(".")[1]}">'
            f'<div class="label">{esc(self.t(key))}</div>'
            f'<div class="value{" neg" if sign is not None and sign < 0 else ""}">'
            f"{esc(value)}</div>"
            f'<div class="sub">{esc(sub)}</div></div>'
            for key, value, sub, sign in cards
        )
        return (
            f'<section id="summary">{self.heading("summary")}'
            f'<div class="cards">{html_cards}</div></section>'
        )

    def alerts(self) -> str:
        alerts = self.model.alerts
        if not alerts:
            body = f'<p class="ok">{esc(self.t("alerts.none"))}</p>'
        else:
            errors = sum(1 for a in alerts if a.severity == "error")
            counts = self.t(
                "alerts.count", count=len(alerts), errors=errors, warnings=len(alerts) - errors
            )
            body = f'<p class="note">{esc(counts)}</p>' + self.alert_list(alerts)
        return f'<section id="alerts">{self.heading("alerts")}{body}</section>'

    def _headline_rows(self, cells: Callable[[Headline], list[str]]) -> list[tuple[str, list[str]]]:
        model = self.model
        rows = []
        for h in model.projects:
            name = f'{esc(h.key)}<span class="name">{esc(h.name)}</span>'
            rows.append(("project", [name, esc(h.region or "-"), *cells(h)]))
        for h in model.regions:
            projects = ", ".join(h.projects)
            rows.append(
                (
                    "region",
                    [f'{esc(h.key)}<span class="name">{esc(projects)}</span>', "", *cells(h)],
                )
            )
        rows.append(("total", [esc(self.t("total")), "", *cells(model.total)]))
        return rows

    def return_table(self) -> str:
        lang = self.lang

        def cells(h: Headline) -> list[str]:
            return [
                esc(money(h.investment, lang)),
                _red_if(_negative(h.gross_profit), money(h.gross_profit, lang)),
                # red when below target, whether or not it is negative
                _red_if(_negative(h.roi) or _negative(h.roi_gap), percent(h.roi, lang)),
                esc(percent(h.target_roi, lang)),
                _red_if(_negative(h.roi_gap), points(h.roi_gap, lang)),
                esc(money(h.cumulative_investment, lang)),
                _red_if(
                    _negative(h.cumulative_gross_profit), money(h.cumulative_gross_profit, lang)
                ),
                _red_if(_negative(h.cumulative_roi), percent(h.cumulative_roi, lang)),
                esc(percent(h.payback, lang)),
                esc(h.paid_back_in.label if h.paid_back_in else self.t("not_paid_back")),
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
        return _table(headers, self._headline_rows(cells), text_columns=2)

    def customer_table(self) -> str:
        lang = self.lang

        def cells(h: Headline) -> list[str]:
            return [
                esc(money(h.acquisition_cost, lang)),
                esc(count(h.new_customers, lang)),
                esc(money(h.cac, lang)),
                esc(money(h.previous_cac, lang)),
                esc(count(h.customers_to_date, lang)),
                esc(money(h.all_time_cac, lang)),
                esc(money(h.avg_ltv, lang)),
                esc(multiple(h.ltv_to_cac, lang)),
            ]

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
        return _table(headers, self._headline_rows(cells), text_columns=2)

    def compare(self, charts: list[Chart]) -> str:
        missing = self.model.projects_without_data
        note = (
            f'<p class="note">{esc(self.t("projects_without_data", codes=", ".join(missing)))}</p>'
            if missing
            else ""
        )
        return (
            f'<section id="compare" class="page">{self.heading("compare")}'
            f"{self.return_table()}{self.customer_table()}{note}"
            f"{self.charts(charts)}</section>"
        )

    def channels(self, charts: list[Chart]) -> str:
        lang = self.lang
        rows = [
            (
                "",
                [
                    esc(c.channel),
                    esc(count(c.customers, lang)),
                    esc(money(c.avg_ltv, lang)),
                    esc(money(c.media_spend, lang)) if c.paid else "-",
                    esc(money(c.media_cac, lang)),
                    esc(multiple(c.ltv_to_cac, lang)),
                    esc(count(c.leads, lang)),
                    esc(percent(c.lead_to_opportunity_rate, lang)),
                    esc(count(c.won_deals, lang)),
                    esc(percent(c.win_rate, lang)),
                ],
            )
            for c in self.model.channels
        ]
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
        return (
            f'<section id="channels">{self.heading("channels")}{_table(headers, rows)}'
            f'<p class="note">{esc(self.t("channels.note"))}</p>{self.charts(charts)}</section>'
        )

    def trends(self, charts: list[Chart]) -> str:
        return (
            f'<section id="trends" class="page">{self.heading("trends")}'
            f"{self.charts(charts)}</section>"
        )

    def funnel(self, charts: list[Chart]) -> str:
        lang, summary = self.lang, self.model.funnel
        by_id = {c.chart_id: c for c in charts}
        if summary.leads:
            stage_rows = [
                (
                    "weakest" if stage.key == summary.weakest_stage else "",
                    [
                        esc(self.t("stage." + stage.key)),
                        esc(count(stage.count, lang)),
                        esc(percent(stage.passed, lang)),
                        esc(percent(None if stage.passed is None else 1 - stage.passed, lang)),
                    ],
                )
                for stage in summary.stages
            ]
            stages = _table(
                [
                    self.t("col.stage"),
                    self.t("col.count"),
                    self.t("col.passed"),
                    self.t("col.lost"),
                ],
                stage_rows,
            )
            weakest = next((s for s in summary.stages if s.key == summary.weakest_stage), None)
            if weakest is not None:
                stages += (
                    '<p class="weakest-stage"><strong>'
                    + esc(
                        self.t(
                            "funnel.weakest",
                            stage=self.t("stage." + weakest.key),
                            lost=percent(1 - weakest.passed, lang),
                        )
                    )
                    + "</strong></p>"
                )
            stages += f'<p class="note">{esc(self.t("funnel.note"))}</p>'
        else:
            stages = f'<p class="note">{esc(self.t("funnel.none"))}</p>'
        project_rows = [
            (
                "",
                [
                    esc(code),
                    esc(count(f.leads, lang)),
                    esc(count(f.leads_with_opportunity, lang)),
                    esc(percent(f.lead_to_opportunity_rate, lang)),
                    esc(count(f.won_deals, lang)),
                    esc(count(f.lost_deals, lang)),
                    esc(percent(f.win_rate, lang)),
                    esc(self.t("stage." + f.weakest_stage) if f.weakest_stage else "-"),
                ],
            )
            for code, f in self.model.project_funnels.items()
        ]
        project_table = _table(
            [
                self.col("project_code"),
                self.col("leads"),
                self.col("leads_with_opportunity"),
                self.col("lead_to_opportunity_rate"),
                self.col("won_deals"),
                self.col("lost_deals"),
                self.col("win_rate"),
                self.t("col.weakest"),
            ],
            project_rows,
        )
        followup_rows = [
            (
                "",
                [
                    esc(b.bucket),
                    esc(count(b.leads, lang)),
                    esc(count(b.converted_leads, lang)),
                    esc(percent(b.conversion_rate, lang)),
                ],
            )
            for b in self.model.followups
        ]
        followups = _table(
            [
                self.col("followup_bucket"),
                self.col("leads"),
                self.col("converted_leads"),
                self.col("conversion_rate"),
            ],
            followup_rows,
        )
        cycle_rows = [
            (
                "",
                [
                    esc(c.region),
                    esc(count(c.won_deals, lang)),
                    esc(decimal(c.avg_sales_cycle_days, lang)),
                ],
            )
            for c in self.model.sales_cycle
        ]
        cycles = _table(
            [self.col("region"), self.col("won_deals"), self.col("avg_sales_cycle_days")],
            cycle_rows,
        )
        return (
            f'<section id="funnel" class="page">{self.heading("funnel")}'
            f'<div class="two"><div>{stages}</div>{self.chart(by_id["chart-funnel"])}</div>'
            f"<h3>{esc(self.t('subsection.project_funnel'))}</h3>{project_table}"
            f'<div class="two"><div><h3>{esc(self.t("subsection.followups"))}</h3>{followups}'
            f"{self.chart(by_id['chart-followups'])}</div>"
            f"<div><h3>{esc(self.t('subsection.sales_cycle'))}</h3>{cycles}"
            f"{self.chart(by_id['chart-sales-cycle'])}</div></div></section>"
        )

    def quality(self) -> str:
        audit = self.model.data.audit
        problems = [a for a in self.model.alerts if a.kind == "data_quality"]
        if audit.run is None:
            summary = ""
        elif not problems:
            summary = f'<p class="ok">{esc(self.t("quality.ok", run_id=audit.run.run_id))}</p>'
        else:
            summary = (
                '<p class="note">'
                + esc(
                    self.t(
                        "quality.summary",
                        run_id=audit.run.run_id,
                        quarantined=count(sum(q.rows for q in audit.quarantine), self.lang),
                        failed=count(audit.failed_check_total, self.lang),
                        stale=count(len(audit.stale_sources), self.lang),
                    )
                )
                + "</p>"
            )
        listed = self.alert_list(problems) if problems else ""
        return f'<section id="quality">{self.heading("quality")}{summary}{listed}</section>'

    def definitions(self) -> str:
        s, lang = self.model.settings, self.lang
        defs = "".join(
            f"<li>{esc(self.t(key))}</li>"
            for key in (
                "def.investment",
                "def.roi",
                "def.cumulative",
                "def.payback",
                "def.cac",
                "def.ltv_to_cac",
                "def.funnel",
                "def.churn",
            )
        )
        thresholds = {
            "cac_increase": percent(s.cac_increase, lang),
            "cac_min_new_customers": s.cac_min_new_customers,
            "churn_spike": f"{s.churn_spike * 100:,.1f}",
            "churn_trailing_months": s.churn_trailing_months,
            "churn_min_history": s.churn_min_history,
            "churn_min_customers": s.churn_min_customers,
            "conversion_drop": percent(s.conversion_drop, lang),
            "conversion_min_leads": s.conversion_min_leads,
        }
        rules = "".join(
            f"<li>{esc(self.t('rule.' + kind, **thresholds))}</li>"
            for kind in (
                "roi_below_target",
                "cac_increase",
                "churn_spike",
                "conversion_drop",
                "data_quality",
            )
        )
        return (
            f'<section id="definitions" class="page">{self.heading("definitions")}'
            f'<p>{esc(self.t("definitions.intro"))}</p><ol class="defs">{defs}</ol>'
            f'<p>{esc(self.t("def.alerts"))}</p><ul class="rules">{rules}</ul>'
            f'<p class="note screen-only">{esc(self.t("print_hint"))}</p></section>'
        )

    def footer(self) -> str:
        return (
            "<footer>"
            + esc(
                self.t(
                    "footer",
                    warehouse=self.model.warehouse,
                    run_id=self.model.run_id or "-",
                    data_end=self.model.data.data_end_date.isoformat(),
                )
            )
            + "</footer>"
        )

    def page(self) -> str:
        charts = build_charts(self.model, self.lang)
        period = self.model.data.period
        body = "".join(
            [
                self.header(),
                self.summary(),
                self.alerts(),
                self.compare(charts["compare"]),
                self.channels(charts["channels"]),
                self.trends(charts["trends"]),
                self.funnel(charts["funnel"]),
                self.quality(),
                self.definitions(),
                self.footer(),
            ]
        )
        html_lang = "zh-CN" if self.lang == "zh" else "en"
        title = f"{self.t('title')} {period.label}"
        return (
            f'<!doctype html>\n<html lang="{html_lang}">\n<head>\n<meta charset="utf-8">\n'
            f"{csp_meta(policy(scripts=self.script_hashes))}\n"
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<meta name="generator" content="roi report">\n<title>{esc(title)}</title>\n'
            f"<style>{CSS}</style>\n"
            f'<script type="text/javascript">{plotly_js()}</script>\n</head>\n<body>\n'
            f"<main>{body}</main>\n<script>{PRINT_SCRIPT}</script>\n</body>\n</html>\n"
        )


def render_html(model: ReportModel, lang: str) -> str:
    return Renderer(model, lang).page()
