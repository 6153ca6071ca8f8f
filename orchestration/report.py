"""The ROI evaluation report: the last step of every pipeline run, once the marts are published.

A review run (a schedule, a backfill) reports on its own period; an ad-hoc run on the last
complete period of ROI_REPORT_GRAIN (default quarter). It is written in the languages of
ROI_REPORT_LANGUAGES (default `en,zh`; read when the report is written, like the report's
thresholds), into ROI_REPORT_DIR (default `reports/` beside the warehouse file), named by
period and language, so the report of a period is replaced by a later run of the same
period. The report's data quality section covers this run: its check results are written to
the audit trail first (the run's final row follows when it ends).
"""

import dagster as dg

from foundation.periods import Period
from foundation.progress import say
from reporting import build_reports, default_report_dir, run_languages

from .audit_trail import record_run
from .publish import PUBLISHED_SCHEMA
from .resources import WarehouseResource

REPORT_KEY = dg.AssetKey(["reports", "roi_report"])


def build_roi_report(mart_names: list[str], report_grain: str) -> dg.AssetsDefinition:
    """The report asset, after the published marts `mart_names`; an ad-hoc run reports on the
    last complete period of `report_grain` (Settings.report_grain, ROI_REPORT_GRAIN)."""

    @dg.asset(
        key=REPORT_KEY,
        deps=[
            *(dg.AssetKey([PUBLISHED_SCHEMA, name]) for name in mart_names),
            dg.AssetKey(["audit", "source_freshness"]),
            dg.AssetKey(["audit", "lineage"]),
        ],
        group_name="report",
        kinds={"html"},
        description="The ROI evaluation report of the run's period (a review run) or of the last "
        "complete period (an ad-hoc run), in the languages of ROI_REPORT_LANGUAGES (default "
        "English and Chinese): headlines per project and region, comparisons, trends, funnel, "
        "alerts, data quality. One self-contained HTML file per language.",
    )
    def roi_report(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
        # checked first: a misspelt language fails the step before anything is written
        languages = run_languages()
        period = Period.from_tags(context.run.tags)
        grain = period.grain if period else report_grain
        record_run(context.instance, context.run.run_id, warehouse.resolved)
        folder = default_report_dir(warehouse.resolved)
        paths = build_reports(
            warehouse.resolved,
            folder,
            period,
            grain=grain,
            langs=languages,
            run_id=context.run.run_id,
        )
        for path in paths:
            say(f"report: {path}")
        return dg.MaterializeResult(
            metadata={lang: str(p) for lang, p in zip(languages, paths, strict=True)}
        )

    return roi_report
