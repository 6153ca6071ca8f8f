"""Great Expectations suites run as Dagster asset checks on raw tables and candidate marts.

A check fails with severity ERROR when a blocking expectation fails (downstream assets,
and so the publishing of the marts, are skipped) and with WARN when only warnings fail.
Row counts are kept in audit.table_rows so the next run can tell whether rows were lost.
"""

import json

import dagster as dg

from expectations.suites import SUITES, History, Suite
from expectations.validate import Checked, validate_in_warehouse
from foundation.progress import say

from .audit_store import ensure_tables, previous_row_count, write_table_rows
from .resources import WarehouseResource


def checked(con, suite: Suite, run_id: str) -> Checked:
    """What `suite` validates in run `run_id`: its table (or query); for a raw table, the
    rules that are not whole_table see only the rows whose _dlt_load_id is one of the
    load ids the run recorded for the table's dataset (audit.loads)."""
    if suite.query:
        return Checked(query=suite.query)
    if not suite.new_rows_only:
        return Checked(table=suite.table)
    rows = con.execute(
        "select distinct load_id from audit.loads where run_id = ? and dataset = ? "
        "order by load_id",
        [run_id, suite.table.split(".")[0]],
    ).fetchall()
    return Checked(table=suite.table, load_ids=tuple(load_id for (load_id,) in rows))


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
            ensure_tables(con, ["table_rows", "loads"])
            history = History(previous_rows=previous_row_count(con, suite.table, run_id))
            outcome = validate_in_warehouse(
                warehouse.resolved,
                con,
                f"{suite.table}:{suite.name}",
                checked(con, suite, run_id),
                suite.rules(history),
            )
            if suite.query is None:
                write_table_rows(con, run_id, suite.table, outcome.rows)
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
        seen = "" if outcome.new_rows is None else f" ({outcome.new_rows} new rows)"
        say(
            f"great expectations {suite.name} on {suite.table}{seen}: "
            f"{met}/{len(outcome.outcomes)} met"
        )
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
                "rows": outcome.rows,
                **({} if outcome.new_rows is None else {"new_rows": outcome.new_rows}),
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
