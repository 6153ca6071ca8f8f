"""Every text `roi simulate` shows, in English, keyed by id.

The engine returns `Message(key, values)`, never a sentence: the key names the text in
`MESSAGES`, the values fill its `{placeholders}` (numbers and dates stay numbers and dates).
`text(message)` writes the English sentence with each placeholder's format spec
(`{amount:,.0f}`, `{share:.1%}`).

The texts the report's What-if section shows are marked `N_` for the report's message
catalogs (reporting/locale, `make i18n-extract`): there the English text is the message id,
and the report writes each value in its language's conventions by the same spec
(reporting.formatting.by_spec), so a translation names the placeholders and need not repeat
their specs. The terminal table's own words (`table.*`) stay English.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from foundation.translation import N_

MESSAGES: dict[str, str] = {
    # what the scenario is
    "kind.budget_shift": N_("budget shift"),
    "kind.churn_change": N_("churn change"),
    # Translators: {project} and {to_project} are project codes (P-DE), {from_channel} and
    # {to_channel} ad platforms (google_ads): codes, kept as they are
    "describe.budget_shift_amount": N_(
        "{project} {from_channel} -> {to_project} {to_channel}: move {amount:,.0f} of media spend"
    ),
    "describe.budget_shift_share": N_(
        "{project} {from_channel} -> {to_project} {to_channel}: move {share:.1%} of the "
        "{from_channel} spend"
    ),
    # Translators: pp = percentage points
    "describe.churn_change": N_(
        "{project}: monthly churn {points:+.2f} percentage points, {horizon}-month horizon"
    ),
    # what the baseline is
    "basis.window": N_(
        "Baseline observed over {start} to {end} ({label}); the data end on {data_end}. "
        "Money in {currency}."
    ),
    "basis.amount": N_(
        "Moves {amount:,.0f} {currency}: {share:.1%} of {project}'s {from_channel} spend in "
        "the window ({spend:,.0f} {currency})."
    ),
    # Translators: marts.mart_churn_monthly is a table's name, kept as it is
    "basis.churn_history": N_(
        "Observed monthly churn {churn:.2%}: {churned} churned of {active} customers active at "
        "the starts of the {months} months {first_month} to {last_month} "
        "(marts.mart_churn_monthly, the months predicted LTV uses)."
    ),
    "basis.customers": N_(
        "{active} of {project}'s {customers} customers are active at {data_end}; their average "
        "monthly gross profit adds up to {monthly_gross_profit:,.0f} {currency} a month."
    ),
    "basis.to_date": N_(
        "Observed to {data_end}: cumulative investment {investment:,.0f} {currency}, "
        "cumulative gross profit {gross_profit:,.0f} {currency}, cumulative ROI {roi:.1%}."
    ),
    "basis.to_date_no_investment": N_(
        "Observed to {data_end}: no investment yet (cumulative ROI n/a), cumulative gross "
        "profit {gross_profit:,.0f} {currency}."
    ),
    # the projected columns
    "column.band": N_("cost per customer +{increase:.0%}"),
    "column.churn": N_("churn {churn:.2%} a month"),
    "baseline_kind.observed": N_("observed"),
    "baseline_kind.model": N_("model"),
    "legend": N_(
        "baseline: observed in the published marts, or (model) a value of the marts' own "
        "model (predicted LTV, at the observed churn); projected: this scenario's model, never "
        "observed."
    ),
    # the figures
    "metric.media_spend": N_("media spend"),
    "metric.new_customers": N_("new customers"),
    "metric.cost_per_customer": N_("cost per customer"),
    "metric.realized_ltv_total": N_("realised LTV of the new customers"),
    "metric.predicted_ltv_total": N_("predicted LTV of the new customers"),
    "metric.investment": N_("investment"),
    "metric.acquisition_cost": N_("acquisition cost"),
    "metric.cac": N_("CAC"),
    "metric.gross_profit": N_("gross profit"),
    "metric.roi": N_("ROI over the window"),
    "metric.monthly_churn_rate": N_("monthly churn rate"),
    "metric.expected_lifetime_months": N_("expected remaining lifetime (months)"),
    "metric.customers_predicted_ltv": N_("predicted LTV of all customers"),
    "metric.predicted_ltv_per_customer": N_("predicted LTV per customer"),
    "metric.horizon_gross_profit": N_("gross profit over the horizon"),
    "metric.cumulative_gross_profit_at_horizon": N_("cumulative gross profit at the horizon's end"),
    "metric.cumulative_roi_at_horizon": N_("cumulative ROI at the horizon's end"),
    # the assumptions beside every projection
    "assumption.constant_efficiency": N_(
        "Constant average efficiency, no saturation: every {currency} moved wins or loses "
        "customers at the channel's average cost per customer in the window ({from_scope} "
        "{cost_from:,.0f}, {to_scope} {cost_to:,.0f}), however much is moved."
    ),
    "assumption.cost_bands": N_(
        "The receiving channel's extra customers are projected at its observed cost per "
        "customer and at {bands:+.0%} above it: the first customers a channel wins are usually its "
        "cheapest."
    ),
    "assumption.average_customer": N_(
        "A customer won or lost is worth the average new customer of its channel in the "
        "window: realised LTV {from_scope} {realized_from:,.0f}, {to_scope} "
        "{realized_to:,.0f}; predicted LTV {predicted_from:,.0f} and {predicted_to:,.0f}."
    ),
    "assumption.gross_profit_to_date": N_(
        "Projected gross profit = the window's observed gross profit + the realised LTV (gross "
        "profit from the first order to {data_end}) of the customers won or lost, which can "
        "include months after the window; ROI = (gross profit - investment) / investment."
    ),
    "assumption.investment_unchanged": N_(
        "The money moves within {project}: its investment and acquisition cost stay as "
        "observed; its new customers, CAC, gross profit and ROI change."
    ),
    "assumption.investment_moves": N_(
        "The money moves from {project} to {to_project}: their investment and acquisition cost "
        "change by {amount:,.0f} {currency} each way; together they invest the same."
    ),
    "assumption.rest_unchanged": N_(
        "Everything else stays as observed: the other channels, ERP costs, and the orders of "
        "the customers already won. Customer counts are expected values and can be fractional."
    ),
    "assumption.window_shortened": N_(
        "The default window is the last {wanted} complete quarters; the data (from "
        "{data_start}) hold only {got}."
    ),
    "assumption.churn_model": N_(
        "The model of marts.mart_customer_ltv.predicted_ltv: a customer active at {data_end} "
        "stays 1 / monthly churn more months, at most {cap}, earning its average monthly gross "
        "profit so far (realised LTV / months since its first order's month, so a customer of "
        "the last month counts its first order as a month's gross profit); an inactive "
        "customer's predicted LTV is its realised LTV."
    ),
    "assumption.constant_churn": N_(
        "The churn changes by {points:+.2f} percentage points from {data_end} on and stays the "
        "same every month; the customers' monthly gross profit does not change."
    ),
    "assumption.horizon": N_(
        "Gross profit over the next {horizon} months = the active customers' monthly gross "
        "profit x their expected active months, (1 - (1 - churn)^{horizon}) / churn, at most "
        "{cap}; undiscounted, no seasonality."
    ),
    "assumption.no_new_business": N_(
        "Cumulative ROI at the horizon's end counts the investment to {data_end} and no more, "
        "and no new customers: the same in baseline and projection, so the difference is the "
        "churn change alone."
    ),
    "assumption.lifetime_cap": N_(
        "The {cap}-month cap on the expected lifetime binds (1 / churn: baseline "
        "{uncapped_baseline:.1f}, projected {uncapped_projected:.1f} months): churn below "
        "{threshold:.2%} a month raises predicted LTV no further."
    ),
    # why a scenario is refused
    "refusal.unknown_project": N_(
        "no project {project} in marts.dim_project; projects: {projects}"
    ),
    "refusal.unknown_channel": N_("{channel!r} is not a channel; channels: {channels}"),
    "refusal.not_paid_channel": N_(
        "{channel} is not a paid channel: it has no media spend to move or to receive (paid "
        "channels: {paid})"
    ),
    "refusal.moves_nothing": N_("the money would move from {project} {channel} to itself"),
    "refusal.window_after_data": N_(
        "the window {label} ends on {end}, after the data's end date {data_end}: only a "
        "complete period can be a baseline"
    ),
    "refusal.window_before_data": N_(
        "the window {label} starts on {start}, before the data's first day {data_start}"
    ),
    "refusal.no_complete_quarter": N_(
        "no complete quarter of data: the data run from {data_start} to {data_end}"
    ),
    "refusal.too_few_customers": N_(
        "{project} {channel} won {customers} new customer(s) in {label}, fewer than "
        "{minimum} (setting min_customers): too few to read a cost per customer from"
    ),
    "refusal.no_spend": N_(
        "{project} spent nothing on {channel} in {label}: no cost per customer to project from"
    ),
    "refusal.amount_above_spend": N_(
        "{amount:,.0f} {currency} is more than {project}'s {channel} spend in {label} "
        "({spend:,.0f} {currency})"
    ),
    "refusal.no_customers": N_("{project} has no customers in marts.mart_customer_ltv"),
    "refusal.no_churn_history": N_(
        "{project} has no churn rate: no customer was active at the start of any of its last "
        "{months} months in marts.mart_churn_monthly"
    ),
    "refusal.no_active_customers": N_(
        "{project} has no customer active at {data_end}: a churn change changes nothing"
    ),
    "refusal.churn_out_of_range": N_(
        "churn {churn:.2%} {points:+.2f} percentage points = {new_churn:.2%}, outside [0%, 100%)"
    ),
    "refusal.model_mismatch": N_(
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
    "table.points": "{change} pp",
}


class Numbers(tuple):
    """Several numbers in one placeholder (`{bands:+.0%}`): each written by the spec, joined by
    commas (the report joins them as its language joins a list)."""

    def __format__(self, spec: str) -> str:
        return ", ".join(format(number, spec) for number in self)


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
