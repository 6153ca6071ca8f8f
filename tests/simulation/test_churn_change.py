"""Churn changes projected on the hand-built warehouse (tests/simulation/warehouse.py).

P-DE: churn 12 / 240 = 5% a month over 2025-07 .. 2026-06 (the 13th month back, 2025-06, with
10 of 20 churned, is not in it), so an active customer's expected remaining lifetime is
1 / 5% = 20 months, as the mart says. 25 customers, 24 active, realised LTV 63,000, predicted
137,000 = 63,000 + 3,700 a month x 20. Invested 250,000 and earned 200,000 to 2026-06-30.

Expected active months in the next 12, E = (1 - (1 - c)^12) / c:
  c = 5%:  0.95^12 = 0.540360,  E = 0.459640 / 0.05 = 9.192798
  c = 4%:  0.96^12 = 0.612710,  E = 0.387290 / 0.04 = 9.682256
  c = 8%:  0.92^12 = 0.367666,  E = 0.632334 / 0.08 = 7.904170
"""

from __future__ import annotations

import pytest

from simulation import MODEL, OBSERVED, ChurnChange, SimulationSettings, simulate
from simulation.engine import expected_active_months, expected_lifetime


def figures(result) -> dict:
    return {f.metric: f for f in result.figures}


def test_lowering_churn_by_a_point_lengthens_the_lifetime(data):
    # WHEN P-DE's churn goes from 5% to 4% a month
    [result] = simulate(data, [ChurnChange("P-DE", -0.01)])
    assert not result.refused
    shown = figures(result)
    # THEN the observed rate and the model's lifetime 1 / 4% = 25 months
    churn = shown["monthly_churn_rate"]
    assert (churn.baseline_kind, churn.baseline, churn.projected) == (
        OBSERVED,
        pytest.approx(0.05),
        (pytest.approx(0.04),),
    )
    lifetime = shown["expected_lifetime_months"]
    assert (lifetime.baseline_kind, lifetime.baseline, lifetime.projected) == (
        MODEL,
        pytest.approx(20),
        (pytest.approx(25),),
    )
    # predicted LTV: the mart's 137,000, then 63,000 + 3,700 x 25 = 155,500; per customer
    # 137,000 / 25 = 5,480 and 155,500 / 25 = 6,220
    predicted = shown["customers_predicted_ltv"]
    assert (predicted.baseline_kind, predicted.baseline) == (MODEL, 137_000)
    assert predicted.projected == pytest.approx([155_500])
    assert shown["predicted_ltv_per_customer"].baseline == pytest.approx(5_480)
    assert shown["predicted_ltv_per_customer"].projected == pytest.approx([6_220])
    # gross profit over 12 months: 3,700 x 9.192798 = 34,013.35 and 3,700 x 9.682256 = 35,824.35
    horizon = shown["horizon_gross_profit"]
    assert horizon.baseline == pytest.approx(34_013.35, abs=0.01)
    assert horizon.projected == pytest.approx([35_824.35], abs=0.01)
    # cumulative at the horizon's end: 200,000 + those, over the 250,000 invested to date
    assert shown["cumulative_gross_profit_at_horizon"].projected == pytest.approx(
        [235_824.35], abs=0.01
    )
    roi = shown["cumulative_roi_at_horizon"]
    # (234,013.35 - 250,000) / 250,000 and (235,824.35 - 250,000) / 250,000
    assert roi.baseline == pytest.approx(-0.063947, abs=1e-6)
    assert roi.projected == pytest.approx([-0.056703], abs=1e-6)
    # the basis says what was observed
    history, customers, to_date = result.basis
    assert history.params == {
        "churn": pytest.approx(0.05),
        "churned": 12,
        "active": 240,
        "months": 12,
        "first_month": "2025-07",
        "last_month": "2026-06",
    }
    assert (customers.params["active"], customers.params["customers"]) == (24, 25)
    assert customers.params["monthly_gross_profit"] == 3_700
    assert to_date.params["roi"] == pytest.approx(-0.2)


def test_raising_churn_shortens_the_lifetime(data):
    [result] = simulate(data, [ChurnChange("P-DE", 0.03)])
    shown = figures(result)
    # 1 / 8% = 12.5 months: 63,000 + 3,700 x 12.5 = 109,250; over 12 months 3,700 x 7.904170
    assert shown["expected_lifetime_months"].projected == pytest.approx([12.5])
    assert shown["customers_predicted_ltv"].projected == pytest.approx([109_250])
    assert shown["horizon_gross_profit"].projected == pytest.approx([29_245.43], abs=0.01)
    assert "assumption.lifetime_cap" not in [message.key for message in result.assumptions]


def test_a_churn_below_the_cap_raises_nothing_beyond_it(data):
    # 5% - 3 points = 2%: 1 / 2% = 50 months, capped at 36
    [result] = simulate(data, [ChurnChange("P-DE", -0.03)])
    shown = figures(result)
    assert shown["expected_lifetime_months"].projected == pytest.approx([36])
    # 63,000 + 3,700 x 36
    assert shown["customers_predicted_ltv"].projected == pytest.approx([196_200])
    cap = next(m for m in result.assumptions if m.key == "assumption.lifetime_cap")
    assert cap.params == {
        "cap": 36,
        "uncapped_baseline": pytest.approx(20),
        "uncapped_projected": pytest.approx(50),
        "threshold": pytest.approx(1 / 36),
    }


def test_no_change_projects_the_marts_own_predicted_ltv(data):
    # the model at the observed churn is the mart's model: 63,000 + 3,700 x 20 = 137,000
    [result] = simulate(data, [ChurnChange("P-DE", 0.0)])
    for figure in result.figures:
        assert figure.projected == pytest.approx([figure.baseline]), figure.metric


def test_a_longer_horizon_and_its_setting(data):
    # 24 months at 5%: (1 - 0.95^24) / 0.05 = (1 - 0.291989) / 0.05 = 14.160220 months, and
    # 3,700 x 14.160220 = 52,392.81
    [explicit, from_setting] = simulate(
        data,
        [ChurnChange("P-DE", 0.0, horizon_months=24), ChurnChange("P-DE", 0.0)],
        SimulationSettings(horizon_months=24),
    )
    for result in (explicit, from_setting):
        assert figures(result)["horizon_gross_profit"].baseline == pytest.approx(
            52_392.81, abs=0.01
        )


def test_a_project_at_the_cap_on_either_side(data):
    # P-FR: churn 6 / 300 = 2%, lifetime 1 / 2% = 50, capped at 36 by the mart and the model;
    # 15 active customers earning 50 each: 750 a month; predicted 21,000 + 750 x 36 = 48,000
    [result] = simulate(data, [ChurnChange("P-FR", 0.01)])
    shown = figures(result)
    assert shown["monthly_churn_rate"].baseline == pytest.approx(0.02)
    assert shown["customers_predicted_ltv"].baseline == 48_000
    # 3%: 1 / 3% = 33.33 months; 21,000 + 750 x 33.333 = 46,000
    assert shown["customers_predicted_ltv"].projected == pytest.approx([46_000])
    # investment to date 90,000, gross profit 110,000; 12 months at 2%: E = 10.764164
    assert shown["cumulative_gross_profit_at_horizon"].baseline == pytest.approx(
        110_000 + 750 * 10.764164, abs=0.01
    )


@pytest.mark.parametrize(
    ("churn", "lifetime"),
    [(0.05, 20.0), (0.02, 36.0), (0.0, 36.0), (0.5, 2.0)],
    ids=["below-the-cap", "capped", "no-churn", "half-a-month"],
)
def test_expected_lifetime_is_the_marts_formula(churn, lifetime):
    assert expected_lifetime(churn, 36) == pytest.approx(lifetime)


def test_expected_active_months_tend_to_the_lifetime():
    # a long horizon gives the lifetime itself; no churn gives the horizon; the cap holds
    assert expected_active_months(0.05, 1_000, 36) == pytest.approx(20)
    assert expected_active_months(0.0, 12, 36) == 12
    assert expected_active_months(0.0, 48, 36) == 36
    assert expected_active_months(0.05, 1, 36) == pytest.approx(1)
