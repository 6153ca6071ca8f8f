"""The Great Expectations suites catch what they guard, with the right severity."""

from __future__ import annotations

import pandas as pd
import pytest

from expectations.suites import SUITES, History, Rule
from expectations.validate import ExpectationOutcome, validate_frame

PAIR_AT_LEAST = "ExpectColumnPairValuesAToBeGreaterThanB"


def suite(table: str, name: str = "great_expectations_suite"):
    return next(s for s in SUITES if s.table == table and s.name == name)


def no_history(previous_rows: int | None = None, lookups: dict | None = None) -> History:
    return History(previous_rows=previous_rows, lookup=lambda sql: (lookups or {}).get(sql, []))


def failures(
    table: str, frame: pd.DataFrame, history: History, name: str = "great_expectations_suite"
):
    chosen = suite(table, name)
    outcome = validate_frame(table, frame, chosen.rules(history))
    return sorted((o.expectation, o.blocking) for o in outcome.failures)


def test_reconciliation_break_is_a_blocking_failure():
    # GIVEN mart revenue that differs from the staged confirmed orders by 0.01 for one grain
    frame = pd.DataFrame(
        {
            "project_code": ["P-DE", "P-DE"],
            "period_grain": ["month", "week"],
            "mart_revenue": [1000.00, 1000.01],
            "staged_revenue": [1000.00, 1000.00],
            "mart_cogs": [400.0, 400.0],
            "staged_cogs": [400.0, 400.0],
            "mart_ad_spend": [50.0, 50.0],
            "converted_ad_spend": [50.0, 50.0],
        }
    )
    # THEN exactly the revenue reconciliation fails, and it blocks publishing
    table = "marts_candidate.mart_project_roi"
    assert failures(table, frame, no_history(), name="reconciliation") == [
        ("ExpectColumnPairValuesToBeEqual(mart_revenue = staged_revenue)", True)
    ]


def test_raw_orders_suite_blocks_bad_keys_and_values_and_warns_on_orphans():
    frame = pd.DataFrame(
        {
            "order_id": ["O-1", "O-1", "O-3"],
            "account_id": ["A-1", "A-1", "A-GHOST"],
            "opportunity_id": [None, None, None],
            "order_date": pd.to_datetime(["2026-01-01"] * 3),
            "updated_at": pd.to_datetime(["2026-01-02", "2026-01-02", "2026-01-03"]),
            "status": ["confirmed", "confirmed", "shipped"],
            "amount": [10.0, 10.0, -1.0],
            "cost_of_goods": [5.0, 5.0, 1.0],
            "currency": ["EUR", "EUR", "eur"],
            "is_deleted": [False, False, False],
        }
    )
    history = no_history(
        previous_rows=4, lookups={"select account_id from raw_crm.accounts": ["A-1"]}
    )
    assert failures("raw_crm.orders", frame, history) == [
        ("ExpectColumnValuesToBeBetween(amount)", True),
        ("ExpectColumnValuesToBeInSet(account_id)", False),  # orphan key: a warning
        ("ExpectColumnValuesToBeInSet(status)", True),
        ("ExpectColumnValuesToMatchRegex(currency)", True),
        ("ExpectCompoundColumnsToBeUnique(order_id, updated_at)", True),
        ("ExpectTableRowCountToBeBetween()", True),  # 3 rows after 4: rows were lost
    ]


@pytest.mark.parametrize(
    ("mart", "frame", "expected"),
    [
        (
            "mart_retention_cohorts",
            pd.DataFrame(
                {
                    "project_code": ["P", "P"],
                    "cohort_month": pd.to_datetime(["2026-01-01", "2026-01-01"]),
                    "month_offset": [0, 1],
                    "cohort_customers": [2, 2],
                    "retained_customers": [2, 3],
                    "retention_rate": [1.0, 1.5],
                }
            ),
            [
                (f"{PAIR_AT_LEAST}(cohort_customers >= retained_customers)", True),
                ("ExpectColumnValuesToBeBetween(retention_rate)", True),
            ],
        ),
        (
            "mart_followup_conversion",
            pd.DataFrame(
                {
                    "project_code": ["P", "P"],
                    "followup_bucket": ["0", "4"],
                    "leads": [3, 1],
                    "converted_leads": [1, 0],
                    "conversion_rate": [1 / 3, 0.0],
                }
            ),
            [("ExpectColumnValuesToBeInSet(followup_bucket)", True)],
        ),
    ],
    ids=["retention-over-100-percent", "unknown-followup-bucket"],
)
def test_mart_suites_catch_impossible_values(mart, frame, expected):
    assert failures(f"marts_candidate.{mart}", frame, no_history()) == expected


def test_foreign_key_rule_fails_the_same_rows_as_the_plain_in_set_check():
    # GIVEN account references with a null, a known key twice and two orphans (one twice)
    frame = pd.DataFrame({"account_id": ["A-1", None, "A-GHOST", "A-1", "A-X", "A-GHOST"]})
    keys = ["A-1", "A-2", "A-3"]

    def checked(foreign_key: bool):
        rule = Rule(
            "ExpectColumnValuesToBeInSet",
            {"column": "account_id", "value_set": keys},
            blocking=False,
            foreign_key=foreign_key,
        )
        outcome = validate_frame("raw_crm.orders", frame, [rule])
        details = outcome.result.results[0].result
        counts = ("element_count", "missing_count", "unexpected_count", "unexpected_percent")
        return (
            outcome.outcomes,
            {name: details[name] for name in counts},
            details["partial_unexpected_list"],
        )

    # WHEN the rule is checked as a foreign key (GE sees only the orphans, not the key set)
    outcomes, counts, unexpected = checked(foreign_key=True)
    # THEN it fails as a warning with the same name, counts and examples as GE's own check
    assert outcomes == [
        ExpectationOutcome(
            expectation="ExpectColumnValuesToBeInSet(account_id)",
            blocking=False,
            success=False,
            observed="3 unexpected, e.g. ['A-GHOST', 'A-X', 'A-GHOST']",
        )
    ]
    assert counts == {
        "element_count": 6,
        "missing_count": 1,
        "unexpected_count": 3,
        "unexpected_percent": 60.0,
    }
    assert unexpected == ["A-GHOST", "A-X", "A-GHOST"]
    assert checked(foreign_key=False) == (outcomes, counts, unexpected)


def test_raw_amounts_beyond_what_the_models_compute_block_the_run():
    # GIVEN ERP costs as a live connector could land them (the file drop's validator rejects
    # these before loading): a credit at -MAX_AMOUNT, and one unit beyond it either way
    frame = pd.DataFrame(
        {
            "cost_id": ["E-1", "E-2", "E-3"],
            "project_code": ["P-DE"] * 3,
            "cost_date": pd.to_datetime(["2026-01-01"] * 3),
            "category": ["other"] * 3,
            "amount": [-10_000_000_000_000.0, 10_000_000_000_001.0, -10_000_000_000_001.0],
            "currency": ["EUR"] * 3,
            "posted_at": pd.to_datetime(["2026-01-02"] * 3),
        }
    )
    history = no_history(lookups={"select project_code from raw_reference.projects": ["P-DE"]})
    # THEN the raw suite fails on the amount, blocking the models
    assert failures("raw_erp.costs", frame, history) == [
        ("ExpectColumnValuesToBeBetween(amount)", True)
    ]
    # AND the bound leaves the amounts at it alone
    assert failures("raw_erp.costs", frame.iloc[:1], history) == []
