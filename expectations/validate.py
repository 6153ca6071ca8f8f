"""Run a suite on a pandas DataFrame (GE's pandas route: no SQL driver or patches needed)."""

from __future__ import annotations

import os
from dataclasses import dataclass

import pandas as pd

from .suites import SUITES

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")  # offline machines: no usage stats


@dataclass(frozen=True)
class ExpectationOutcome:
    expectation: str
    column: str | None
    success: bool
    observed: str


@dataclass(frozen=True)
class SuiteOutcome:
    table: str
    success: bool
    outcomes: list[ExpectationOutcome]

    @property
    def failures(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success]


def validate_table(table: str, frame: pd.DataFrame) -> SuiteOutcome:
    """Validate `frame` (the contents of `table`) against that table's suite."""
    import great_expectations as gx  # slow import (seconds): only when a check runs
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = context.data_sources.add_pandas(name="warehouse")
    batch = source.add_dataframe_asset(name=table).add_batch_definition_whole_dataframe("all")
    suite = context.suites.add(gx.ExpectationSuite(name=table, expectations=SUITES[table]()))
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=table, data=batch, suite=suite)
    )
    result = definition.run(batch_parameters={"dataframe": frame})
    outcomes = [_outcome(r) for r in result.results]
    return SuiteOutcome(table=table, success=bool(result.success), outcomes=outcomes)


def _outcome(result) -> ExpectationOutcome:
    config = result.expectation_config
    details = result.result or {}
    if "observed_value" in details:
        observed = f"observed {details['observed_value']}"
    elif "unexpected_count" in details:
        sample = details.get("partial_unexpected_list", [])[:5]
        observed = f"{details['unexpected_count']} unexpected, e.g. {sample}"
    else:
        observed = str(result.exception_info.get("exception_message") or "")
    return ExpectationOutcome(
        expectation=config.type,
        column=config.kwargs.get("column"),
        success=bool(result.success),
        observed=observed,
    )
