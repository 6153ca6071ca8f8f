"""Scenarios the data cannot support are refused with their reason, never projected; and the
default window is the last complete quarters the data hold (tests/simulation/warehouse.py:
data from 2025-04-01 to 2026-06-30)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from simulation import BudgetShift, ChurnChange, SimulationSettings, Window, simulate, text
from simulation.engine import default_window


def shift(**changes) -> BudgetShift:
    values = dict(project="P-DE", from_channel="google_ads", to_channel="meta_ads", amount=1_000)
    return BudgetShift(**(values | changes))


REFUSED = [
    pytest.param(
        shift(project="P-XX"),
        "unknown_project",
        {"project": "P-XX", "projects": "P-DE, P-EMPTY, P-FR, P-NEW, P-OLD"},
        id="unknown-project",
    ),
    pytest.param(
        shift(to_project="P-XX"),
        "unknown_project",
        {"project": "P-XX", "projects": "P-DE, P-EMPTY, P-FR, P-NEW, P-OLD"},
        id="unknown-receiving-project",
    ),
    pytest.param(
        shift(to_channel="tiktok_ads"),
        "unknown_channel",
        {
            "channel": "tiktok_ads",
            "channels": "google_ads, meta_ads, linkedin_ads, organic, referral, event, direct",
        },
        id="unknown-channel",
    ),
    pytest.param(
        shift(to_channel="organic"),
        "not_paid_channel",
        {"channel": "organic", "paid": "google_ads, meta_ads, linkedin_ads"},
        id="to-a-non-paid-channel",
    ),
    pytest.param(
        shift(from_channel="referral"),
        "not_paid_channel",
        {"channel": "referral", "paid": "google_ads, meta_ads, linkedin_ads"},
        id="from-a-non-paid-channel",
    ),
    pytest.param(
        shift(to_channel="google_ads", to_project="P-DE"),
        "moves_nothing",
        {"project": "P-DE", "channel": "google_ads"},
        id="to-itself",
    ),
    pytest.param(
        shift(window=Window.parse("2026-Q2:2026-Q3")),
        "window_after_data",
        {
            "label": "2026-Q2–2026-Q3",
            "end": dt.date(2026, 9, 30),
            "data_end": dt.date(2026, 6, 30),
        },
        id="window-after-the-data",
    ),
    pytest.param(
        shift(window=Window.parse("2025-Q1")),
        "window_before_data",
        {"label": "2025-Q1", "start": dt.date(2025, 1, 1), "data_start": dt.date(2025, 4, 1)},
        id="window-before-the-data",
    ),
    pytest.param(
        shift(to_channel="linkedin_ads"),
        "too_few_customers",
        {
            "project": "P-DE",
            "channel": "linkedin_ads",
            "customers": 3,
            "label": "2026-Q1–2026-Q2",
            "minimum": 5,
        },
        id="too-few-customers-to-receive",
    ),
    pytest.param(
        shift(project="P-NEW", to_project="P-DE", to_channel="google_ads"),
        "too_few_customers",
        {
            "project": "P-NEW",
            "channel": "google_ads",
            "customers": 2,
            "label": "2026-Q1–2026-Q2",
            "minimum": 5,
        },
        id="too-few-customers-to-give",
    ),
    pytest.param(
        shift(to_project="P-FR"),
        "no_spend",
        {"project": "P-FR", "channel": "meta_ads", "label": "2026-Q1–2026-Q2"},
        id="receiving-channel-without-spend",
    ),
    pytest.param(
        shift(amount=25_000),
        "amount_above_spend",
        {
            "amount": 25_000,
            "currency": "USD",
            "project": "P-DE",
            "channel": "google_ads",
            "label": "2026-Q1–2026-Q2",
            "spend": 20_000,
        },
        id="amount-above-the-spend",
    ),
    pytest.param(
        ChurnChange("P-XX", -0.01),
        "unknown_project",
        {"project": "P-XX", "projects": "P-DE, P-EMPTY, P-FR, P-NEW, P-OLD"},
        id="churn-of-an-unknown-project",
    ),
    pytest.param(
        ChurnChange("P-EMPTY", -0.01), "no_customers", {"project": "P-EMPTY"}, id="no-customers"
    ),
    pytest.param(
        ChurnChange("P-NEW", -0.01),
        "no_churn_history",
        {"project": "P-NEW", "months": 12},
        id="no-churn-history",
    ),
    pytest.param(
        ChurnChange("P-OLD", -0.01),
        "no_active_customers",
        {"project": "P-OLD", "data_end": dt.date(2026, 6, 30)},
        id="no-active-customer",
    ),
    pytest.param(
        ChurnChange("P-DE", -0.06),
        "churn_out_of_range",
        {"churn": 0.05, "points": -6.0, "new_churn": -0.01},
        id="churn-below-zero",
    ),
    pytest.param(
        ChurnChange("P-DE", 0.95),
        "churn_out_of_range",
        {"churn": 0.05, "points": 95.0, "new_churn": 1.0},
        id="churn-of-one",
    ),
]


@pytest.mark.parametrize(("scenario", "key", "values"), REFUSED)
def test_a_scenario_the_data_cannot_support_is_refused(data, scenario, key, values):
    [result] = simulate(data, [scenario])
    assert result.refused
    assert result.refusal.key == f"refusal.{key}"
    assert result.refusal.params == pytest.approx(values)
    # nothing is projected for it, and its reason reads as a sentence
    assert (result.figures, result.columns, result.assumptions) == ((), (), ())
    assert text(result.refusal)


def test_a_refusal_reads_with_its_numbers(data):
    [few, above] = simulate(data, [shift(to_channel="linkedin_ads"), shift(amount=25_000)])
    assert text(few.refusal) == (
        "P-DE linkedin_ads won 3 new customer(s) in 2026-Q1–2026-Q2, fewer than 5 (setting "
        "min_customers): too few to read a cost per customer from"
    )
    assert text(above.refusal) == (
        "25,000 USD is more than P-DE's google_ads spend in 2026-Q1–2026-Q2 (20,000 USD)"
    )


def test_min_customers_is_a_setting(data):
    # P-DE's linkedin_ads won 3 customers: enough when the minimum is 3
    [result] = simulate(
        data, [shift(to_channel="linkedin_ads")], SimulationSettings(min_customers=3)
    )
    assert not result.refused


def test_a_cap_other_than_the_marts_is_refused(data):
    # P-FR's active customers have 36 months in the mart; with a cap of 30 the model says 30
    [result] = simulate(
        data, [ChurnChange("P-FR", -0.01)], SimulationSettings(max_lifetime_months=30)
    )
    assert result.refusal.key == "refusal.model_mismatch"
    assert result.refusal.params == {"project": "P-FR", "mart": 36.0, "model": 30.0, "cap": 30}


def test_data_without_a_complete_quarter_are_refused(data):
    # GIVEN data that begin on 2026-04-15: 2026-Q2 is not whole
    late = dataclasses.replace(data, data_start=dt.date(2026, 4, 15))
    [result] = simulate(late, [shift()])
    assert result.refusal.key == "refusal.no_complete_quarter"
    assert text(result.refusal) == (
        "no complete quarter of data: the data run from 2026-04-15 to 2026-06-30"
    )


def test_one_refusal_leaves_the_other_scenarios_projected(data):
    results = simulate(data, [shift(project="P-XX"), shift(), ChurnChange("P-EMPTY", 0.01)])
    assert [result.refused for result in results] == [True, False, True]
    assert [result.index for result in results] == [1, 2, 3]


@pytest.mark.parametrize(
    ("data_start", "data_end", "window", "shortened"),
    [
        (dt.date(2025, 4, 1), dt.date(2026, 6, 30), "2026-Q1–2026-Q2", False),
        # the data end mid-quarter: 2026-Q2 is not complete
        (dt.date(2025, 4, 1), dt.date(2026, 5, 15), "2025-Q4–2026-Q1", False),
        # the data begin with 2026-Q2: one complete quarter only
        (dt.date(2026, 4, 1), dt.date(2026, 6, 30), "2026-Q2", True),
    ],
    ids=["quarter-end", "mid-quarter", "one-quarter-of-data"],
)
def test_the_default_window_is_the_last_complete_quarters(data_start, data_end, window, shortened):
    chosen, notes = default_window(data_start, data_end, quarters=2)
    assert chosen.label == window
    assert bool(notes) == shortened
    if shortened:
        assert notes[0].params == {"wanted": 2, "got": 1, "data_start": data_start}
