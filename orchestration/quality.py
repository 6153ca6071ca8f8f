"""Great Expectations suites run as blocking Dagster asset checks on the candidate marts."""

import json

import dagster as dg

from expectations.suites import SUITES
from expectations.validate import validate_table
from roi.progress import say

from .resources import WarehouseResource


def _suite_check(table: str) -> dg.AssetChecksDefinition:
    schema, name = table.split(".")

    @dg.asset_check(
        asset=dg.AssetKey([schema, name]),
        name="great_expectations_suite",
        blocking=True,
        description=f"The Great Expectations suite for {table} (expectations/suites.py).",
    )
    def _check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.connect(read_only=True) as con:
            frame = con.execute(f"select * from {table}").df()
        outcome = validate_table(table, frame)
        failed = [f"{o.expectation}({o.column or ''}): {o.observed}" for o in outcome.failures]
        say(
            f"great expectations on {table}: {len(outcome.outcomes) - len(failed)}/"
            f"{len(outcome.outcomes)} expectations met"
        )
        for line in failed:
            say(f"    FAILED {line}")
        return dg.AssetCheckResult(
            passed=outcome.success,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={
                "expectations": len(outcome.outcomes),
                "failed": len(failed),
                "failures": "\n".join(failed),
                "expectation_results": json.dumps(
                    [
                        {
                            "name": f"{o.expectation}({o.column or ''})",
                            "success": o.success,
                            "observed": o.observed,
                        }
                        for o in outcome.outcomes
                    ]
                ),
            },
        )

    return _check


suite_checks = [_suite_check(table) for table in SUITES]
