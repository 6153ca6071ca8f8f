"""Every text `roi simulate` shows, in English, keyed by id: one place to translate later.

The engine returns `Message(key, values)`, never a sentence: the key names the text in
`MESSAGES`, the values fill its `{placeholders}` (numbers stay numbers, so a translation
formats them its own way). `text(message)` writes the English sentence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MESSAGES: dict[str, str] = {
    # what the scenario is
    "kind.budget_shift": "budget shift",
    "kind.churn_change": "churn change",
    "describe.budget_shift_amount": (
        "{project} {from_channel} -> {to_project} {to_channel}: move {amount:,.0f} of media spend"
    ),
    "describe.budget_shift_share": (
        "{project} {from_channel} -> {to_project} {to_channel}: move {share:.1%} of the "
        "{from_channel} spend"
    ),
    "describe.churn_change": (
        "{project}: monthly churn {points:+.2f} percentage points, {horizon}-month horizon"
    ),
    # what the baseline is
    "basis.window": (
        "Baseline observed over {start} to {end} ({label}); the data end on {data_end}. "
        "Money in {currency}."
    ),
    "basis.amount": (
        "Moves {amount:,.0f} {currency}: {share:.1%} of {project}'s {from_channel} spend in "
        "the window ({spend:,.0f} {currency})."
    ),
    "basis.churn_history": (
        "Observed monthly churn {churn:.2%}: {churned} churned of {active} customers active at "
        "the starts of the {months} months {first_month} to {last_month} "
        "(marts.mart_churn_monthly, the months predicted LTV uses)."
    ),
    "basis.customers": (
        "{active} of {project}'s {customers} customers are active at {data_end}; their average "
        "monthly gross profit adds up to {monthly_gross_profit:,.0f} {currency} a month."
    ),
    "basis.to_date": (
        "Observed to {data_end}: cumulative investment {investment:,.0f} {currency}, "
        "cumulative gross profit {gross_profit:,.0f} {currency}, cumulative ROI {roi:.1%}."
    ),
    "basis.to_date_no_investment": (
        "Observed to {data_end}: no investment yet (cumulative ROI n/a), cumulative gross "
        "profit {gross_profit:,.0f} {currency}."
    ),
    # the projected columns
    "column.band": "cost per customer +{increase:.0%}",
    "column.churn": "churn {churn:.2%} a month",
    "baseline_kind.observed": "observed",
    "baseline_kind.model": "model",
    "legend": (
        "baseline: observed in the published marts, or (model) a value of the marts' own "
        "model (predicted LTV, at the observed churn); projected: this scenario's model, never "
        "observed."
    ),
    # the figures
    "metric.media_spend": "media spend",
    "metric.new_customers": "new customers",
    "metric.cost_per_customer": "cost per customer",
    "metric.realized_ltv_total": "realised LTV of the new customers",
    "metric.predicted_ltv_total": "predicted LTV of the new customers",
    "metric.investment": "investment",
    "metric.acquisition_cost": "acquisition cost",
    "metric.cac": "CAC",
    "metric.gross_profit": "gross profit",
    "metric.roi": "ROI over the window",
    "metric.monthly_churn_rate": "monthly churn rate",
    "metric.expected_lifetime_months": "expected remaining lifetime (months)",
    "metric.customers_predicted_ltv": "predicted LTV of all customers",
    "metric.predicted_ltv_per_customer": "predicted LTV per customer",
    "metric.horizon_gross_profit": "gross profit over the horizon",
    "metric.cumulative_gross_profit_at_horizon": "cumulative gross profit at the horizon's end",
    "metric.cumulative_roi_at_horizon": "cumulative ROI at the horizon's end",
    # the assumptions beside every projection
    "assumption.constant_efficiency": (
        "Constant average efficiency, no saturation: every {currency} moved wins or loses "
        "customers at the channel's average cost per customer in the window ({from_scope} "
        "{cost_from:,.0f}, {to_scope} {cost_to:,.0f}), however much is moved."
    ),
    "assumption.cost_bands": (
        "The receiving channel's extra customers are projected at its observed cost per "
        "customer and at {bands} above it: the first customers a channel wins are usually its "
        "cheapest."
    ),
    "assumption.average_customer": (
        "A customer won or lost is worth the average new customer of its channel in the "
        "window: realised LTV {from_scope} {realized_from:,.0f}, {to_scope} "
        "{realized_to:,.0f}; predicted LTV {predicted_from:,.0f} and {predicted_to:,.0f}."
    ),
    "assumption.gross_profit_to_date": (
        "Projected gross profit = the window's observed gross profit + the realised LTV (gross "
        "profit from the first order to {data_end}) of the customers won or lost, which can "
        "include months after the window; ROI = (gross profit - investment) / investment."
    ),
    "assumption.investment_unchanged": (
        "The money moves within {project}: its investment and acquisition cost stay as "
        "observed; its new customers, CAC, gross profit and ROI change."
    ),
    "assumption.investment_moves": (
        "The money moves from {project} to {to_project}: their investment and acquisition cost "
        "change by {amount:,.0f} {currency} each way; together they invest the same."
    ),
    "assumption.rest_unchanged": (
        "Everything else stays as observed: the other channels, ERP costs, and the orders of "
        "the customers already won. Customer counts are expected values and can be fractional."
    ),
    "assumption.window_shortened": (
        "The default window is the last {wanted} complete quarters; the data (from "
        "{data_start}) hold only {got}."
    ),
    "assumption.churn_model": (
        "The model of marts.mart_customer_ltv.predicted_ltv: a customer active at {data_end} "
        "stays 1 / monthly churn more months, at most {cap}, earning its average monthly gross "
        "profit so far (realised LTV / months since its first order's month, so a customer of "
        "the last month counts its first order as a month's gross profit); an inactive "
        "customer's predicted LTV is its realised LTV."
    ),
    "assumption.constant_churn": (
        "The churn changes by {points:+.2f} percentage points from {data_end} on and stays the "
        "same every month; the customers' monthly gross profit does not change."
    ),
    "assumption.horizon": (
        "Gross profit over the next {horizon} months = the active customers' monthly gross "
        "profit x their expected active months, (1 - (1 - churn)^{horizon}) / churn, at most "
        "{cap}; undiscounted, no seasonality."
    ),
    "assumption.no_new_business": (
        "Cumulative ROI at the horizon's end counts the investment to {data_end} and no more, "
        "and no new customers: the same in baseline and projection, so the difference is the "
        "churn change alone."
    ),
    "assumption.lifetime_cap": (
        "The {cap}-month cap on the expected lifetime binds (1 / churn: baseline "
        "{uncapped_baseline:.1f}, projected {uncapped_projected:.1f} months): churn below "
        "{threshold:.2%} a month raises predicted LTV no further."
    ),
    # why a scenario is refused
    "refusal.unknown_project": "no project {project} in marts.dim_project; projects: {projects}",
    "refusal.unknown_channel": "{channel!r} is not a channel; channels: {channels}",
    "refusal.not_paid_channel": (
        "{channel} is not a paid channel: it has no media spend to move or to receive (paid "
        "channels: {paid})"
    ),
    "refusal.moves_nothing": "the money would move from {project} {channel} to itself",
    "refusal.window_after_data": (
        "the window {label} ends on {end}, after the data's end date {data_end}: only a "
        "complete period can be a baseline"
    ),
    "refusal.window_before_data": (
        "the window {label} starts on {start}, before the data's first day {data_start}"
    ),
    "refusal.no_complete_quarter": (
        "no complete quarter of data: the data run from {data_start} to {data_end}"
    ),
    "refusal.too_few_customers": (
        "{project} {channel} won {customers} new customer(s) in {label}, fewer than "
        "{minimum} (setting min_customers): too few to read a cost per customer from"
    ),
    "refusal.no_spend": (
        "{project} spent nothing on {channel} in {label}: no cost per customer to project from"
    ),
    "refusal.amount_above_spend": (
        "{amount:,.0f} {currency} is more than {project}'s {channel} spend in {label} "
        "({spend:,.0f} {currency})"
    ),
    "refusal.no_customers": "{project} has no customers in marts.mart_customer_ltv",
    "refusal.no_churn_history": (
        "{project} has no churn rate: no customer was active at the start of any of its last "
        "{months} months in marts.mart_churn_monthly"
    ),
    "refusal.no_active_customers": (
        "{project} has no customer active at {data_end}: a churn change changes nothing"
    ),
    "refusal.churn_out_of_range": (
        "churn {churn:.2%} {points:+.2f} percentage points = {new_churn:.2%}, outside [0%, 100%)"
    ),
    "refusal.model_mismatch": (
        "the marts give {project}'s active customers {mart:.4f} more months, the model "
        "{model:.4f} (cap {cap} months): set max_lifetime_months to the dbt var "
        "predicted_ltv_max_lifetime_months the marts were built with"
    ),
    # the terminal table
    "table.title": "Scenario {index} of {count}: {name} ({kind})",
    "table.refused": "REFUSED: {reason}",
    "table.assumptions": "Assumptions:",
    "table.metric": "figure",
    "table.baseline": "baseline",
    "table.value": "value",
    "table.baseline_kind": "is",
    "table.projected": "projected",
    "table.refused_count": "{refused} of {count} scenario(s) refused",
    "table.not_available": "n/a",
    "table.points": "{change:+.{digits}f} pp",
}


@dataclass(frozen=True)
class Message:
    """A text to show: `key` in MESSAGES and the values of its placeholders."""

    key: str
    values: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def of(cls, key: str, **values: Any) -> Message:
        if key not in MESSAGES:
            raise KeyError(f"no message {key!r}")
        return cls(key, tuple(values.items()))

    @property
    def params(self) -> dict[str, Any]:
        return dict(self.values)


def text(message: Message | str, **values: Any) -> str:
    """The English text of a Message (or of a key with `values`)."""
    if isinstance(message, str):
        return MESSAGES[message].format(**values)
    return MESSAGES[message.key].format(**message.params)
