"""The suggested scenarios (the report's What-if section without a scenario file) on the
hand-built warehouse of tests/simulation/warehouse.py, default window 2026-Q1–2026-Q2.

Realised LTV per unit of spend in the window: P-DE google_ads 20,000 / 20,000 = 1.0, meta_ads
18,000 / 15,000 = 1.2 (linkedin_ads won 3 customers, fewer than min_customers 5); P-FR
google_ads 12,000 / 12,000 = 1.0 and meta_ads spent nothing. Churn: P-DE 5%, P-FR 2% (both
can lose a point), P-NEW and P-OLD have no churn history, P-EMPTY no customers.
"""

from __future__ import annotations

import dataclasses

from simulation import BudgetShift, ChurnChange, SimulationSettings, suggested_scenarios


def test_the_suggestions_move_spend_to_the_channel_that_earned_more_and_lower_churn(data):
    # GIVEN P-DE's meta_ads earned 1.2 per unit of spend and its google_ads 1.0
    # WHEN the scenarios are suggested
    suggested = suggested_scenarios(data)

    # THEN P-DE moves 20% of google_ads' spend to meta_ads; P-FR has one paid channel with
    # spend; only the projects with a churn history get a churn change
    assert suggested == [
        BudgetShift("P-DE", "google_ads", "meta_ads", share=0.2),
        ChurnChange("P-DE", -0.01),
        ChurnChange("P-FR", -0.01),
    ]


def test_a_channel_needs_min_customers_to_be_suggested(data):
    # GIVEN min_customers 3: P-DE's linkedin_ads (9,000 spent, 3 customers with realised LTV
    # 6,000: 0.67 per unit) counts, and earned the least
    settings = dataclasses.replace(SimulationSettings(), min_customers=3)

    # THEN the shift leaves linkedin_ads for meta_ads
    assert suggested_scenarios(data, settings)[0] == BudgetShift(
        "P-DE", "linkedin_ads", "meta_ads", share=0.2
    )


def test_nothing_is_suggested_without_a_complete_quarter(data):
    # GIVEN data that end before their first quarter is complete
    short = dataclasses.replace(data, data_end=data.data_start.replace(month=5, day=15))

    # THEN no budget shift (it has no window); the churn changes do not need one
    assert suggested_scenarios(short) == [ChurnChange("P-DE", -0.01), ChurnChange("P-FR", -0.01)]
