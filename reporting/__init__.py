"""The ROI evaluation report: one self-contained HTML file per period and language.

`build_report` reads the published marts and the audit schema of a warehouse (read-only)
and writes `out_dir / f"roi-report-{period.label}-{lang}.html"`: plotly.js is embedded once,
every chart's data inline, so the file opens offline and prints on A4. In any of
`LANGUAGES` (README "The ROI report", Languages). Modules: `data` (read the warehouse),
`metrics` (headlines, funnel, comparisons), `model` (the page's content), `alert_rules` (the
report's alerts), `charts` (Plotly figures), `render` (HTML through the Jinja2 templates),
`formatting` (numbers and dates, CLDR through Babel), `i18n` (texts: gettext catalogs in
`locale/`), `languages` (the codes, their locales, the run's choice), `settings`
(thresholds), `what_if` (the What-if section's scenarios, simulated by `simulation`).

Definitions (also printed in the report's "How to read this" section):

- Investment = total_investment (ad spend + ERP costs); ROI = (gross profit - investment) /
  investment of the period; cumulative ROI the same over every period through this one
  (docs/metrics.md). Regions and "all projects" add up their projects' amounts and recompute the
  ratios; their target is the projects' target_roi weighted by the period's investment (the
  ROI the group would have if every project met its target exactly).
- Payback so far = cumulative gross profit / cumulative investment: the share of the
  investment earned back (>= 100%: paid back). Paid back in: the first period in which
  cumulative gross profit reached cumulative investment (shown only when paid back now).
- CAC = acquisition cost / new customers of the period. All-time CAC = the sum of
  acquisition cost / the sum of new customers over every period through this one.
- LTV/CAC (per project, region, total) = average realized LTV (mart_customer_ltv: gross profit
  to the data's end date) of the customers whose first order is on or before the period's
  end, divided by the all-time CAC. Per channel: mart_channel_ltv_cac's media CAC and
  LTV/CAC, summed over projects (customers-weighted LTV, media spend / customers).
- Funnel: leads created in the period -> those with an opportunity -> deals won in the
  period (mart_funnel, channel `all`). The stage that loses the most is the step reached by
  the smallest share of the step before it.
- Churn spike: a complete month overlapping the period whose churn rate (mart_churn_monthly)
  is more than `churn_spike` (default 5 percentage points) above the plain mean of the
  rates of the `churn_trailing_months` (6) months before it, with at least
  `churn_min_history` (3) of those known and at least `churn_min_customers` (20) customers
  active at the month's start.
- Alerts: ROI below target (period ROI < target_roi); CAC increase (CAC up more than
  `cac_increase`, default 20%, vs the previous period, both periods with at least
  `cac_min_new_customers` = 3 new customers); conversion drop (lead->opportunity rate down
  more than `conversion_drop`, default 20% relative, both periods with at least
  `conversion_min_leads` = 20 leads); data quality of the run (the run failed, rows
  quarantined, checks failed, sources not fresh, from `audit.*` of the latest run or the
  given run id). A NULL never fires a rule. Thresholds: `ReportSettings`, from
  `ROI_REPORT_<NAME>` environment variables and `roi report --threshold name=value`.
- The period: when none is given, the last complete period of the grain with data (the one
  holding the data's end date if that is its last day, else the one before).
- What if: the scenarios of `scenarios_file`, else of the file ROI_SCENARIOS names, else the
  suggested ones (simulation.suggested_scenarios), projected from the data's end date
  whatever the period (README "What-if scenarios", In the report).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from pathlib import Path

from foundation.errors import RoiError
from foundation.periods import DEFAULT_REPORT_GRAIN, GRAINS, Period
from foundation.private import create_private, make_file_private, make_private
from foundation.warehouse import Warehouse, as_warehouse

from .languages import LANGUAGES, run_languages
from .settings import ReportSettings

__all__ = [
    "LANGUAGES",
    "ReportSettings",
    "build_report",
    "build_reports",
    "default_report_dir",
    "report_path",
    "run_languages",
]


def default_report_dir(warehouse: Warehouse | Path) -> Path:
    """Where reports go unless told: ROI_REPORT_DIR, else `reports/` beside the DuckDB file
    (a PostgreSQL warehouse: in its local state folder)."""
    return Path(os.environ.get("ROI_REPORT_DIR") or as_warehouse(warehouse).report_dir)


def report_path(out_dir: Path, period: Period, lang: str) -> Path:
    return Path(out_dir) / f"roi-report-{period.label}-{lang}.html"


def build_report(
    warehouse: Warehouse | Path,
    out_dir: Path,
    period: Period | None = None,
    grain: str = DEFAULT_REPORT_GRAIN,
    lang: str = "en",
    run_id: str | None = None,
    settings: ReportSettings | None = None,
    *,
    generated_at: dt.datetime | None = None,
    scenarios_file: Path | None = None,
) -> Path:
    """Write the report of `period` (None: the last complete period of `grain`) in `lang`
    and return its path. `warehouse`: a foundation.warehouse.Warehouse or a DuckDB file's path,
    opened read-only. A missing warehouse, no published marts, a period without data or an
    unknown run id raise RoiError."""
    [path] = build_reports(
        warehouse,
        out_dir,
        period,
        grain,
        (lang,),
        run_id,
        settings,
        generated_at=generated_at,
        scenarios_file=scenarios_file,
    )
    return path


def build_reports(
    warehouse: Warehouse | Path,
    out_dir: Path,
    period: Period | None = None,
    grain: str = DEFAULT_REPORT_GRAIN,
    langs: Sequence[str] = ("en",),
    run_id: str | None = None,
    settings: ReportSettings | None = None,
    *,
    generated_at: dt.datetime | None = None,
    scenarios_file: Path | None = None,
) -> list[Path]:
    """`build_report` in each of `langs`: the warehouse is read and the report's content
    computed once, then written in every language (a run writes several). The What-if
    section's scenarios: `scenarios_file`, else the file ROI_SCENARIOS names, else the
    suggested ones (reporting.what_if); a bad file raises RoiError before anything is read."""
    # Imported here so that `roi` commands other than `report` do not load Plotly.
    from .data import load_report_data
    from .model import build_model
    from .render import render_html
    from .what_if import scenario_source, what_if

    for lang in langs:
        if lang not in LANGUAGES:
            raise RoiError(f"unknown language {lang!r}: expected one of {', '.join(LANGUAGES)}")
    if grain not in GRAINS:
        raise RoiError(f"unknown period grain {grain!r}: expected one of {', '.join(GRAINS)}")
    warehouse = as_warehouse(warehouse)
    if not warehouse.exists():
        raise RoiError(f"no warehouse at {warehouse}: run `roi run` or `roi demo` first")
    settings = settings or ReportSettings.from_env()
    source = scenario_source(scenarios_file)
    with warehouse.connect(read_only=True) as con:
        data = load_report_data(
            con, period, period.grain if period else grain, run_id, settings.trend_periods
        )
        scenarios = what_if(con, source, str(warehouse.label))
    model = build_model(
        data,
        settings,
        warehouse=warehouse.label,
        generated_at=(generated_at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC),
        what_if=scenarios,
    )
    # The report holds the company's figures: its folder private when roi owns it (reports/
    # beside the warehouse); a folder of the user's own choosing keeps its mode.
    if Path(out_dir).resolve() == warehouse.report_dir.resolve():
        make_private(Path(out_dir))
    else:
        create_private(Path(out_dir))
    paths = []
    for lang in langs:
        path = report_path(out_dir, data.period, lang)
        path.write_text(render_html(model, lang), encoding="utf-8")
        make_file_private(path)
        paths.append(path)
    return paths
