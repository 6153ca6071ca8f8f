"""What `simulate` returns: one `ScenarioResult` per scenario, plain frozen dataclasses that
the terminal table, the JSON output and the report all render without knowing the model."""

from __future__ import annotations

from dataclasses import dataclass

from .messages import Message
from .scenarios import Scenario, Window

# How a figure's baseline was obtained: read from the marts (observed), or computed by the
# marts' own model at the observed churn (model), as the predicted LTV is.
OBSERVED = "observed"
MODEL = "model"
# What a figure's numbers are: money (reporting currency), count (customers; projected counts
# are expected values and may be fractional), ratio (ROI, a fraction), rate (monthly churn,
# a fraction), months.
UNITS = ("money", "count", "ratio", "rate", "months")
# How a figure's numbers are written, as Python format specs: the terminal applies them with
# format(), the report in each language's conventions (reporting.formatting.by_spec). A
# projected count is an expected value (one decimal); a change of a ratio or a rate is in
# percentage points (the value x 100, with the rate's decimals).
VALUE_SPECS = {"money": ",.0f", "count": ",.0f", "ratio": ".1%", "rate": ".2%", "months": ",.1f"}
PROJECTED_COUNT_SPEC = ",.1f"
CHANGE_SPECS = {
    "money": "+,.0f",
    "count": "+,.1f",
    "ratio": "+.1f",
    "rate": "+.2f",
    "months": "+,.1f",
}
POINTS_UNITS = ("ratio", "rate")


def value_spec(unit: str, projected: bool = False) -> str:
    return PROJECTED_COUNT_SPEC if projected and unit == "count" else VALUE_SPECS[unit]


def change_value(unit: str, change: float) -> float:
    """The change as it is written: percentage points for a ratio or a rate."""
    return change * 100 if unit in POINTS_UNITS else change


@dataclass(frozen=True)
class Figure:
    """One line of a projection: a metric of a scope, its baseline and its projections.

    `projects` and `channel` name the scope: a project's channel (`("P-DE",)`,
    `"google_ads"`), a project (`channel` None), or projects together (`("P-DE", "P-FR")`).
    `projected` holds one value per column of the result (None: not defined, such as a ratio
    whose denominator is 0)."""

    projects: tuple[str, ...]
    channel: str | None
    metric: str  # its label is MESSAGES["metric.<metric>"]
    unit: str
    baseline_kind: str  # OBSERVED or MODEL
    baseline: float | None
    projected: tuple[float | None, ...]

    @property
    def changes(self) -> tuple[float | None, ...]:
        return tuple(
            None if value is None or self.baseline is None else value - self.baseline
            for value in self.projected
        )

    @property
    def scope(self) -> str:
        projects = " + ".join(self.projects)
        return f"{projects} {self.channel}" if self.channel else projects


@dataclass(frozen=True)
class ScenarioResult:
    """The outcome of one scenario (`index` counts from 1 in the list given to simulate).

    Refused: `refusal` says why (and nothing is projected). Else `columns` label the projected
    values of every figure (a budget shift: one per cost band; a churn change: one),
    `basis` says what the baseline was observed over, and `assumptions` list what the
    projection assumes, each a Message with its numbers."""

    index: int
    scenario: Scenario
    description: Message
    window: Window | None = None
    refusal: Message | None = None
    basis: tuple[Message, ...] = ()
    columns: tuple[Message, ...] = ()
    figures: tuple[Figure, ...] = ()
    assumptions: tuple[Message, ...] = ()

    @property
    def refused(self) -> bool:
        return self.refusal is not None

    @property
    def kind(self) -> str:
        return self.scenario.kind

    def figure(self, metric: str, projects: tuple[str, ...], channel: str | None = None) -> Figure:
        """The figure of `metric` for a scope (KeyError when there is none)."""
        for figure in self.figures:
            if (figure.metric, figure.projects, figure.channel) == (metric, projects, channel):
                return figure
        raise KeyError((metric, projects, channel))
