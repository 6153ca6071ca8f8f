"""The benchmark's same-size update (issue 17, goal 2): exactly N new rows, derived the same
way whatever the history, and a drop the loader accepts."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from bench.incremental import NEW_KEY_SUFFIX, derive_update_drop
from ingestion.files.validate import read_drop

SMALL_DROP = Path(__file__).parents[1] / "fixtures" / "small_drop"
N = NEW_KEY_SUFFIX


def keys(folder: Path, name: str, *columns: str) -> list[tuple[str, ...]]:
    frame = pd.read_csv(folder / name, dtype=str, keep_default_na=False)
    return [tuple(row) for row in frame[list(columns)].itertuples(index=False)]


def test_twenty_rows_are_one_account_story_three_leads_and_the_first_spend_and_costs(tmp_path):
    # GIVEN the small drop (7 ad spend rows, 6 cost lines, 5 accounts, 3 unconverted leads)
    # WHEN an update of exactly 20 rows is derived
    counts = derive_update_drop(SMALL_DROP, tmp_path, rows=20)

    # THEN by hand: 30% ad spend = 6 rows, 10% cost lines = 2; the CRM's 12 rows hold the
    # story of A-DE-1 (1 account, lead L-DE-1, opportunities OP-DE-1/3/5, orders O-DE-1/2,
    # ticket T-DE-1, activity ACT-1: 9 rows; with A-DE-2's 6 more it would not fit), then the
    # three unconverted leads alone (their activity ACT-4 stays out)
    assert counts == {
        "projects.csv": 0,
        "fx_rates.csv": 0,
        "crm_accounts.csv": 1,
        "crm_leads.csv": 4,
        "crm_opportunities.csv": 3,
        "crm_orders.csv": 2,
        "crm_tickets.csv": 1,
        "crm_activities.csv": 1,
        "ad_spend.csv": 6,
        "erp_costs.csv": 2,
    }
    assert sum(counts.values()) == 20
    assert keys(tmp_path, "crm_leads.csv", "lead_id", "converted_account_id") == [
        (f"L-DE-1{N}", f"A-DE-1{N}"),
        (f"L-DE-3{N}", ""),
        (f"L-DE-4{N}", ""),
        (f"L-JP-3{N}", ""),
    ]
    assert keys(tmp_path, "crm_activities.csv", "activity_id", "lead_id") == [
        (f"ACT-1{N}", f"L-DE-1{N}")
    ]
    spend = keys(SMALL_DROP, "ad_spend.csv", "date", "campaign_id")
    assert keys(tmp_path, "ad_spend.csv", "date", "campaign_id") == [
        (day, campaign + N) for day, campaign in spend[:6]
    ]
    # AND the loader accepts it
    assert {name: table.num_rows for name, table in read_drop(tmp_path).items()} == counts


def test_thirty_rows_take_three_stories_and_one_lead_when_ad_spend_runs_short(tmp_path):
    # 30% of 30 = 9 ad spend rows, but the drop has 7; 3 cost lines; the CRM's 20 rows:
    # stories of A-DE-1 (9), A-DE-2 (6), A-DE-3 (4) = 19 (A-JP-1's 9 would not fit), and
    # the first unconverted lead L-DE-3
    counts = derive_update_drop(SMALL_DROP, tmp_path, rows=30)
    assert counts == {
        "projects.csv": 0,
        "fx_rates.csv": 0,
        "crm_accounts.csv": 3,
        "crm_leads.csv": 3,
        "crm_opportunities.csv": 5,
        "crm_orders.csv": 5,
        "crm_tickets.csv": 2,
        "crm_activities.csv": 2,
        "ad_spend.csv": 7,
        "erp_costs.csv": 3,
    }
    assert keys(tmp_path, "crm_accounts.csv", "account_id") == [
        (f"A-DE-1{N}",),
        (f"A-DE-2{N}",),
        (f"A-DE-3{N}",),
    ]


def test_when_the_leads_run_out_further_cost_lines_make_the_count_exact(tmp_path):
    # 48 rows: 7 ad spend (all), round(4.8) = 5 cost lines; CRM 36 = all five stories (32)
    # and the three unconverted leads (35); the last row is the sixth cost line
    counts = derive_update_drop(SMALL_DROP, tmp_path, rows=48)
    assert counts["ad_spend.csv"] == 7
    assert counts["erp_costs.csv"] == 6
    assert counts["crm_accounts.csv"] == 5
    assert counts["crm_leads.csv"] == 7
    assert sum(counts.values()) == 48


def test_a_drop_too_small_for_the_update_is_refused(tmp_path):
    with pytest.raises(ValueError, match="too few rows"):
        derive_update_drop(SMALL_DROP, tmp_path, rows=49)
