"""Budget shifts projected on the hand-built warehouse (tests/simulation/warehouse.py): every
expected number is worked by hand from the rows documented there.

In the default window, 2026-Q1–2026-Q2 (the last two complete quarters of data ending
2026-06-30):

| scope           | spend  | new customers | each  | realised LTV (mean) | predicted LTV (mean) |
|-----------------|--------|---------------|-------|---------------------|----------------------|
| P-DE google_ads | 20,000 | 10            | 2,000 | 20,000 (2,000)      | 50,000 (5,000)       |
| P-DE meta_ads   | 15,000 | 6             | 2,500 | 18,000 (3,000)      | 48,000 (8,000)       |
| P-FR google_ads | 12,000 | 8             | 1,500 | 12,000 (1,500)      | 26,400 (3,300)       |

(each: the cost per customer, spend / new customers)

| project | investment | acquisition cost | gross profit | new customers | CAC      | ROI    |
|---------|------------|------------------|--------------|---------------|----------|--------|
| P-DE    | 100,000    | 60,000           | 80,000       | 23            | 2,608.70 | -20%   |
| P-FR    | 40,000     | 20,000           | 50,000       | 15            | 1,333.33 | +25%   |
"""

from __future__ import annotations

import datetime as dt

import pytest

from simulation import MODEL, OBSERVED, BudgetShift, SimulationSettings, Window, simulate, text
from simulation.results import ScenarioResult


def figure(result: ScenarioResult, metric: str, *projects: str, channel: str | None = None):
    return result.figure(metric, tuple(projects), channel)


def test_moving_an_amount_between_channels_of_a_project(data):
    # GIVEN P-DE's google_ads wins customers at 2,000 and its meta_ads at 2,500
    # WHEN 5,000 moves from google_ads to meta_ads
    [result] = simulate(data, [BudgetShift("P-DE", "google_ads", "meta_ads", amount=5_000)])

    # THEN the window is the default one, and the columns are the three cost bands
    assert not result.refused
    assert (result.window.start, result.window.end) == (dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    assert [column.params["increase"] for column in result.columns] == [0.0, 0.25, 0.5]

    # google_ads loses 5,000 / 2,000 = 2.5 customers in every band
    google = {f.metric: f for f in result.figures if f.channel == "google_ads"}
    assert google["media_spend"].baseline == 20_000
    assert google["media_spend"].projected == pytest.approx([15_000] * 3)
    assert google["new_customers"].baseline == 10
    assert google["new_customers"].projected == pytest.approx([7.5] * 3)
    assert google["cost_per_customer"].projected == pytest.approx([2_000] * 3)
    # 7.5 x 2,000 and 7.5 x 5,000
    assert google["realized_ltv_total"].projected == pytest.approx([15_000] * 3)
    assert google["predicted_ltv_total"].projected == pytest.approx([37_500] * 3)

    # meta_ads wins 5,000 / (2,500 x 1.00) = 2, 5,000 / (2,500 x 1.25) = 1.6 and
    # 5,000 / (2,500 x 1.50) = 1.333... more customers
    meta = {f.metric: f for f in result.figures if f.channel == "meta_ads"}
    assert meta["media_spend"].projected == pytest.approx([20_000] * 3)
    assert meta["new_customers"].projected == pytest.approx([8, 7.6, 7 + 1 / 3])
    # 20,000 / 8 = 2,500; 20,000 / 7.6 = 2,631.58; 20,000 / 7.333 = 2,727.27
    assert meta["cost_per_customer"].projected == pytest.approx([2_500, 2_631.578947, 2_727.272727])
    # 8 x 3,000, 7.6 x 3,000, 7.333 x 3,000; and x 8,000 for predicted LTV
    assert meta["realized_ltv_total"].projected == pytest.approx([24_000, 22_800, 22_000])
    assert meta["predicted_ltv_total"].projected == pytest.approx([64_000, 60_800, 58_666.666667])

    # P-DE invests the same; its new customers are 23 - 2.5 + (2, 1.6, 1.333), its gross
    # profit 80,000 - 2.5 x 2,000 + (2, 1.6, 1.333) x 3,000
    assert figure(result, "investment", "P-DE").projected == pytest.approx([100_000] * 3)
    assert figure(result, "acquisition_cost", "P-DE").projected == pytest.approx([60_000] * 3)
    new = figure(result, "new_customers", "P-DE")
    assert (new.baseline, new.projected) == (23, pytest.approx([22.5, 22.1, 21 + 5 / 6]))
    cac = figure(result, "cac", "P-DE")
    # 60,000 / 23; 60,000 / 22.5, / 22.1, / 21.833
    assert cac.baseline == pytest.approx(2_608.695652)
    assert cac.projected == pytest.approx([2_666.666667, 2_714.932127, 2_748.091603])
    gross_profit = figure(result, "gross_profit", "P-DE")
    assert gross_profit.baseline == 80_000
    assert gross_profit.projected == pytest.approx([81_000, 79_800, 79_000])
    assert gross_profit.changes == pytest.approx([1_000, -200, -1_000])
    roi = figure(result, "roi", "P-DE")
    # (80,000 - 100,000) / 100,000; then (81,000 - 100,000) / 100,000, ...
    assert roi.baseline == pytest.approx(-0.2)
    assert roi.projected == pytest.approx([-0.19, -0.202, -0.21])
    # every baseline of a budget shift is observed, but the mart's predicted LTV: a model's
    kinds = {f.metric: f.baseline_kind for f in result.figures}
    assert kinds.pop("predicted_ltv_total") == MODEL
    assert set(kinds.values()) == {OBSERVED}


def test_moving_a_share_moves_that_share_of_the_window_spend(data):
    # GIVEN P-DE's meta_ads spent 15,000 in the window
    # WHEN half of it moves to google_ads: 7,500
    [result] = simulate(data, [BudgetShift("P-DE", "meta_ads", "google_ads", share=0.5)])
    # THEN the basis names the amount, and meta_ads loses 7,500 / 2,500 = 3 customers while
    # google_ads wins 7,500 / 2,000 = 3.75, / 2,500 = 3, / 3,000 = 2.5
    amount = result.basis[1]
    assert (amount.key, amount.params["amount"], amount.params["share"]) == (
        "basis.amount",
        7_500,
        0.5,
    )
    assert figure(result, "new_customers", "P-DE", channel="meta_ads").projected == pytest.approx(
        [3] * 3
    )
    assert figure(result, "new_customers", "P-DE", channel="google_ads").projected == pytest.approx(
        [13.75, 13, 12.5]
    )
    # gross profit 80,000 - 3 x 3,000 + (3.75, 3, 2.5) x 2,000; ROI (GP - 100,000) / 100,000
    assert figure(result, "gross_profit", "P-DE").projected == pytest.approx(
        [78_500, 77_000, 76_000]
    )
    assert figure(result, "roi", "P-DE").projected == pytest.approx([-0.215, -0.23, -0.24])


def test_moving_all_of_a_channel_leaves_it_without_customers_or_cost(data):
    [result] = simulate(data, [BudgetShift("P-DE", "meta_ads", "google_ads", share=1.0)])
    meta = {f.metric: f for f in result.figures if f.channel == "meta_ads"}
    # 15,000 / 2,500 = all 6 customers lost; no spend for no customer: no cost per customer
    assert meta["new_customers"].projected == pytest.approx([0] * 3)
    assert meta["cost_per_customer"].projected == (None, None, None)


def test_moving_money_to_another_project_moves_its_investment(data):
    # GIVEN P-DE's google_ads at 2,000 a customer (realised LTV 2,000) and P-FR's at 1,500
    # (realised LTV 1,500)
    # WHEN 4,000 moves from P-DE's google_ads to P-FR's
    [result] = simulate(
        data, [BudgetShift("P-DE", "google_ads", "google_ads", amount=4_000, to_project="P-FR")]
    )
    # THEN P-DE loses 4,000 / 2,000 = 2 customers and P-FR wins 4,000 / 1,500 = 2.667,
    # 4,000 / 1,875 = 2.133, 4,000 / 2,250 = 1.778
    assert figure(result, "new_customers", "P-DE", channel="google_ads").projected == (
        pytest.approx([8] * 3)
    )
    assert figure(result, "new_customers", "P-FR", channel="google_ads").projected == (
        pytest.approx([8 + 8 / 3, 8 + 32 / 15, 8 + 16 / 9])
    )
    # P-DE: investment and acquisition cost 4,000 lower, 21 new customers, gross profit
    # 80,000 - 2 x 2,000 = 76,000, ROI (76,000 - 96,000) / 96,000
    for metric, expected in [
        ("investment", 96_000),
        ("acquisition_cost", 56_000),
        ("new_customers", 21),
        ("cac", 56_000 / 21),
        ("gross_profit", 76_000),
        ("roi", -20_000 / 96_000),
    ]:
        assert figure(result, metric, "P-DE").projected == pytest.approx([expected] * 3), metric
    # P-FR: 4,000 more invested, 15 + (2.667, 2.133, 1.778) customers, gross profit
    # 50,000 + (2.667, 2.133, 1.778) x 1,500 = 54,000, 53,200, 52,666.67
    assert figure(result, "investment", "P-FR").projected == pytest.approx([44_000] * 3)
    assert figure(result, "acquisition_cost", "P-FR").projected == pytest.approx([24_000] * 3)
    # 24,000 / 17.667, / 17.133, / 16.778
    assert figure(result, "cac", "P-FR").projected == pytest.approx(
        [1_358.490566, 1_400.778210, 1_430.463576]
    )
    assert figure(result, "gross_profit", "P-FR").projected == pytest.approx(
        [54_000, 53_200, 52_666.666667]
    )
    # (54,000 - 44,000) / 44,000, (53,200 - 44,000) / 44,000, (52,666.67 - 44,000) / 44,000
    assert figure(result, "roi", "P-FR").projected == pytest.approx(
        [0.227273, 0.209091, 0.196970], abs=1e-6
    )
    # together: 140,000 invested either way; gross profit 130,000 - 4,000 + (4,000, 3,200,
    # 2,666.67); ROI (130,000 - 140,000) / 140,000 = -7.14% observed
    both = figure(result, "roi", "P-DE", "P-FR")
    assert both.baseline == pytest.approx(-10_000 / 140_000)
    assert both.projected == pytest.approx(
        [-10_000 / 140_000, -10_800 / 140_000, -11_333.333333 / 140_000]
    )
    assert figure(result, "investment", "P-DE", "P-FR").projected == pytest.approx([140_000] * 3)
    assert figure(result, "new_customers", "P-DE", "P-FR").projected == pytest.approx(
        [38.666667, 38.133333, 37.777778]
    )
    assert "assumption.investment_moves" in [message.key for message in result.assumptions]


def test_an_explicit_window_reads_its_own_months(data):
    # GIVEN the window 2025-Q4–2026-Q1 (2025-10-01 to 2026-03-31): P-DE's google_ads spent
    # 8,000 (2025-12) + 6,000 + 4,000 (2026-02) = 18,000 and won D-G11 (2025-10-15), D-G00
    # (2025-12-31), D-G01 (2026-01-01) and D-G02 .. D-G05 (2026-02-15): 7 customers, realised
    # 5,000 + 10,000 + 5 x 1,000 = 20,000; meta_ads 15,000 for D-M1 .. D-M6
    window = Window.parse("2025-Q4:2026-Q1")
    # WHEN 1,800 moves from google_ads to meta_ads in it
    [result] = simulate(
        data, [BudgetShift("P-DE", "google_ads", "meta_ads", amount=1_800, window=window)]
    )
    # THEN google_ads costs 18,000 / 7 a customer, so 1,800 of it wins 0.7 customers
    google = figure(result, "new_customers", "P-DE", channel="google_ads")
    assert (google.baseline, google.projected) == (7, pytest.approx([6.3] * 3))
    assert figure(result, "media_spend", "P-DE", channel="google_ads").baseline == 18_000
    assert figure(result, "realized_ltv_total", "P-DE", channel="google_ads").baseline == 20_000
    # and P-DE's months 2025-10, 2025-12 and 2026-02: investment 20,000 + 30,000 + 40,000,
    # gross profit 5,000 + 20,000 + 30,000, 1 + 1 + 10 new customers; meta_ads wins
    # 1,800 / 2,500 = 0.72 customers: gross profit 55,000 - 0.7 x 20,000 / 7 + 0.72 x 3,000
    assert figure(result, "investment", "P-DE").baseline == 90_000
    assert figure(result, "new_customers", "P-DE").baseline == 12
    assert figure(result, "gross_profit", "P-DE").baseline == 55_000
    assert figure(result, "gross_profit", "P-DE").projected[0] == pytest.approx(55_160)


def test_the_bands_are_a_setting(data):
    settings = SimulationSettings(bands=(0.0, 1.0))
    [result] = simulate(
        data, [BudgetShift("P-DE", "google_ads", "meta_ads", amount=5_000)], settings
    )
    # meta_ads at 2,500 and at 5,000 a customer: 2 and 1 more customers
    assert figure(result, "new_customers", "P-DE", channel="meta_ads").projected == (
        pytest.approx([8, 7])
    )
    bands = next(m for m in result.assumptions if m.key == "assumption.cost_bands")
    assert bands.params["bands"] == (1.0,)
    assert "at its observed cost per customer and at +100% above it" in text(bands)


def test_every_projection_states_its_assumptions_with_its_numbers(data):
    [result] = simulate(data, [BudgetShift("P-DE", "google_ads", "meta_ads", amount=5_000)])
    assumptions = {message.key: message.params for message in result.assumptions}
    assert list(assumptions) == [
        "assumption.constant_efficiency",
        "assumption.cost_bands",
        "assumption.average_customer",
        "assumption.gross_profit_to_date",
        "assumption.investment_unchanged",
        "assumption.rest_unchanged",
    ]
    assert assumptions["assumption.constant_efficiency"]["cost_from"] == 2_000
    assert assumptions["assumption.constant_efficiency"]["cost_to"] == 2_500
    assert assumptions["assumption.average_customer"]["realized_to"] == 3_000
    assert assumptions["assumption.average_customer"]["predicted_from"] == 5_000
    assert assumptions["assumption.gross_profit_to_date"]["data_end"] == dt.date(2026, 6, 30)
