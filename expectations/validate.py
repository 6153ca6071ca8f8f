"""Run a suite on a pandas DataFrame (GE's pandas route: no SQL driver or patches needed)."""

from __future__ import annotations

import copy
import html
import numbers
import os
from dataclasses import dataclass
from typing import Any

import pandas as pd

from foundation.safe_html import library_page_with_csp

from .suites import Rule


def _offline_great_expectations() -> None:
    """Before Great Expectations is first imported: offline machines, no usage statistics.
    (Done when a check runs, not at import: importing this module changes nothing.)"""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


# The inline event handlers of GE's page template (its "Show All" / "Failed Only" filter)
# and the logo in its navigation bar: allowed by the pages' Content-Security-Policy.
DATA_DOCS_OWN_HANDLERS = ("showAllValidations()", "hideSucceededValidations()")
DATA_DOCS_LOGO = "https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/logo-long.png"
# What GE writes into its page as markup, unescaped: the unexpected values (its table
# cells), the observed value and the query that finds the unexpected rows. The expectation's
# arguments (value sets, columns) go through GE's string templates, which escape them.
DATA_DOCS_RAW_RESULT_KEYS = (
    "partial_unexpected_list",
    "partial_unexpected_counts",
    "partial_unexpected_index_list",
    "unexpected_list",
    "unexpected_index_list",
    "unexpected_index_query",
    "observed_value",
)


@dataclass(frozen=True)
class ExpectationOutcome:
    expectation: str
    blocking: bool
    success: bool
    observed: str


@dataclass(frozen=True)
class SuiteOutcome:
    outcomes: list[ExpectationOutcome]
    result: Any = None  # GE's ExpectationSuiteValidationResult, for Data Docs

    def data_docs_html(self) -> str:
        """This validation as a Great Expectations Data Docs page (GE's own renderer)."""
        _offline_great_expectations()
        from great_expectations.render.renderer import ValidationResultsPageRenderer
        from great_expectations.render.view import DefaultJinjaPageView

        view, renderer = DefaultJinjaPageView(), ValidationResultsPageRenderer()
        page = view.render(renderer.render(_escaped_for_data_docs(self.result)))
        blank = copy.deepcopy(self.result)
        blank.results = []
        return library_page_with_csp(
            page,
            blank_page=view.render(renderer.render(blank)),
            handlers=DATA_DOCS_OWN_HANDLERS,
            images=(DATA_DOCS_LOGO,),
        )

    @property
    def failures(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success]

    @property
    def blocking_failures(self) -> list[ExpectationOutcome]:
        return [o for o in self.failures if o.blocking]


def validate_frame(name: str, frame: pd.DataFrame, rules: list[Rule]) -> SuiteOutcome:
    """Validate `frame` against `rules` with Great Expectations."""
    _offline_great_expectations()
    import great_expectations as gx  # slow import (seconds): only when a check runs
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = context.data_sources.add_pandas(name="warehouse")
    batch = source.add_dataframe_asset(name=name).add_batch_definition_whole_dataframe("all")
    expectations = []
    for index, rule in enumerate(rules):
        expectation, kwargs = _ge_arguments(rule, frame)
        expectations.append(getattr(gx.expectations, expectation)(**kwargs, meta={"rule": index}))
    suite = context.suites.add(gx.ExpectationSuite(name=name, expectations=expectations))
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=name, data=batch, suite=suite)
    )
    result = definition.run(batch_parameters={"dataframe": frame})
    outcomes = []
    for expectation_result in result.results:
        rule = rules[expectation_result.expectation_config.meta["rule"]]
        outcomes.append(
            ExpectationOutcome(
                expectation=rule.label,
                blocking=rule.blocking,
                success=bool(expectation_result.success),
                observed=_observed(expectation_result),
            )
        )
    return SuiteOutcome(outcomes=outcomes, result=result)


def _escaped_for_data_docs(result):
    """A copy of GE's validation result whose data values are HTML-escaped where GE's Data
    Docs write them as markup, so that a CRM text like `<img src=x onerror=...>` is shown
    as text. The outcomes (audit.check_results, the run's messages) keep the raw values."""
    shown = copy.deepcopy(result)
    for expectation_result in shown.results:
        details = expectation_result.result or {}
        for key in DATA_DOCS_RAW_RESULT_KEYS:
            if key in details:
                details[key] = _escaped(details[key])
    return shown


def _escaped(value: Any) -> Any:
    if isinstance(value, str):
        return html.escape(value, quote=True)
    if isinstance(value, dict):
        return {key: _escaped(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_escaped(item) for item in value]
    if value is None or isinstance(value, numbers.Number):
        return value
    # dates, decimals and the like: GE shows them with str(), which may hold any text
    return html.escape(str(value), quote=True)


def _ge_arguments(rule: Rule, frame: pd.DataFrame) -> tuple[str, dict[str, Any]]:
    """The Great Expectations expectation and arguments that check `rule` on `frame`.

    A foreign-key rule (ExpectColumnValuesToBeInSet with every key of the referenced table)
    goes to GE as its mirror image, ExpectColumnValuesToNotBeInSet with the column's values
    that are not keys (the orphans, found here in one vectorised lookup; usually none): the
    same rows fail, with the same counts and examples, and the rule keeps its name. Handing
    GE the key set itself cost time per key: GE copies an expectation's arguments about a
    hundred times per validation (pydantic dict()), 5 s for the 35,000 accounts of a
    scale-50 drop and about 30 s for its 200,000 leads, on every run.
    """
    kwargs = dict(rule.kwargs)
    if not rule.foreign_key or kwargs.get("column") not in frame.columns:
        return rule.expectation, kwargs
    # as Python objects: pandas' Arrow-backed strings look each key up one by one in isin
    values = frame[kwargs["column"]].dropna().astype(object)
    orphans = pd.unique(values[~values.isin(kwargs["value_set"])])
    kwargs["value_set"] = sorted(orphans.tolist(), key=str)
    return "ExpectColumnValuesToNotBeInSet", kwargs


def _observed(result) -> str:
    details = result.result or {}
    if "observed_value" in details:
        return f"observed {details['observed_value']}"
    if "unexpected_count" in details:
        sample = details.get("partial_unexpected_list", [])[:5]
        return f"{details['unexpected_count']} unexpected, e.g. {sample}"
    info = result.exception_info or {}
    return str(info.get("exception_message") or "")
