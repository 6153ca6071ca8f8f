"""Great Expectations suites run as Dagster asset checks on raw tables and candidate marts.

A check fails with severity ERROR when a blocking expectation fails (downstream assets,
and so the publishing of the marts, are skipped) and with WARN when only warnings fail.
Row counts are kept in audit.table_rows so the next run can tell whether rows were lost.
"""

import json

import dagster as dg

from expectations.suites import SUITES, History, Suite
from expectations.validate import validate_frame
from foundation.progress import say

from .audit_store import ensure_tables, previous_row_count, write_table_rows
from .resources import WarehouseResource


def _suite_check(suite: Suite) -> dg.AssetChecksDefinition:
    schema, name = suite.table.split(".")

    @dg.asset_check(
        asset=dg.AssetKey([schema, name]),
        name=suite.name,
        blocking=True,
        description=suite.description + " (Great Expectations; expectations/suites.py)",
    )
    def _check(
        context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> dg.AssetCheckResult:
        run_id = context.run.run_id
        with warehouse.connect() as con:
            ensure_tables(con, ["table_rows"])
            frame = con.execute(suite.frame_query).df()
            history = History(
                previous_rows=previous_row_count(con, suite.table, run_id),
                lookup=lambda sql: [r[0] for r in con.execute(sql).fetchall() if r[0] is not None],
            )
            rules = suite.rules(history)
            if suite.query is None:
                write_table_rows(con, run_id, suite.table, len(frame))
        outcome = validate_frame(f"{suite.table}:{suite.name}", frame, rules)
        page = (
            warehouse.run_docs_dir(run_id)
            / "great_expectations"
            / f"{suite.table}.{suite.name}.html"
        )
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(outcome.data_docs_html(), encoding="utf-8")
        failed = [f"{o.expectation}: {o.observed}" for o in outcome.failures]
        blocking = bool(outcome.blocking_failures)
        met = len(outcome.outcomes) - len(failed)
        say(f"great expectations {suite.name} on {suite.table}: {met}/{len(outcome.outcomes)} met")
        for failure in outcome.failures:
            level = "FAILED" if failure.blocking else "warning"
            say(f"    {level} {failure.expectation}: {failure.observed}")
        return dg.AssetCheckResult(
            passed=not failed,
            # a pass keeps the check's own severity (ERROR); a failure of warnings only is WARN
            severity=dg.AssetCheckSeverity.WARN
            if failed and not blocking
            else dg.AssetCheckSeverity.ERROR,
            metadata={
                "rows": len(frame),
                "expectations": len(outcome.outcomes),
                "failed": len(failed),
                "failures": "\n".join(failed),
                "expectation_results": json.dumps(
                    [
                        {
                            "name": o.expectation,
                            "success": o.success,
                            "observed": o.observed,
                            "blocking": o.blocking,
                        }
                        for o in outcome.outcomes
                    ]
                ),
            },
        )

    return _check


def build_suite_checks() -> list[dg.AssetChecksDefinition]:
    """One Great Expectations check per suite."""
    return [_suite_check(suite) for suite in SUITES]
