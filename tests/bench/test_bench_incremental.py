"""The benchmark's incremental drop: new keys only, whole stories, a valid drop."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from bench.incremental import NEW_KEY_SUFFIX, derive_incremental_drop
from ingestion.files.validate import read_drop

SMALL_DROP = Path(__file__).parents[1] / "fixtures" / "small_drop"


def rows(folder: Path, name: str, *columns: str) -> list[tuple[str, ...]]:
    frame = pd.read_csv(folder / name, dtype=str, keep_default_na=False)
    return [tuple(row) for row in frame[list(columns)].itertuples(index=False)]


def test_every_third_account_is_copied_with_its_story_under_new_keys(tmp_path):
    # GIVEN the small drop (5 accounts, 7 leads of which 3 unconverted, 7 ad spend rows,
    # 6 cost lines); WHEN one record in 3 is copied
    counts = derive_incremental_drop(SMALL_DROP, tmp_path, every=3)

    # THEN accounts 1 and 4 (A-DE-1, A-JP-1) come with their leads, opportunities, orders,
    # tickets and activities; of the unconverted leads the first (L-DE-3); references to a
    # copied record point at the copy, other references stay
    n = NEW_KEY_SUFFIX
    assert rows(tmp_path, "crm_accounts.csv", "account_id") == [(f"A-DE-1{n}",), (f"A-JP-1{n}",)]
    assert rows(tmp_path, "crm_leads.csv", "lead_id", "converted_account_id") == [
        (f"L-DE-1{n}", f"A-DE-1{n}"),
        (f"L-DE-3{n}", ""),
        (f"L-JP-1{n}", f"A-JP-1{n}"),
    ]
    assert rows(tmp_path, "crm_opportunities.csv", "opportunity_id", "account_id", "lead_id") == [
        (f"OP-DE-1{n}", f"A-DE-1{n}", f"L-DE-1{n}"),
        (f"OP-DE-3{n}", f"A-DE-1{n}", ""),
        (f"OP-DE-5{n}", f"A-DE-1{n}", ""),
        (f"OP-JP-1{n}", f"A-JP-1{n}", f"L-JP-1{n}"),
        (f"OP-JP-2{n}", f"A-JP-1{n}", ""),
        (f"OP-JP-4{n}", f"A-JP-1{n}", ""),
    ]
    assert rows(tmp_path, "crm_orders.csv", "order_id", "account_id", "opportunity_id") == [
        (f"O-DE-1{n}", f"A-DE-1{n}", f"OP-DE-1{n}"),
        (f"O-DE-2{n}", f"A-DE-1{n}", ""),
        (f"O-JP-1{n}", f"A-JP-1{n}", f"OP-JP-1{n}"),
        (f"O-JP-3{n}", f"A-JP-1{n}", ""),
    ]
    assert rows(tmp_path, "crm_tickets.csv", "ticket_id", "account_id") == [
        (f"T-DE-1{n}", f"A-DE-1{n}"),
        (f"T-JP-1{n}", f"A-JP-1{n}"),
    ]
    assert rows(tmp_path, "crm_activities.csv", "activity_id", "lead_id", "opportunity_id") == [
        (f"ACT-1{n}", f"L-DE-1{n}", ""),
        (f"ACT-3{n}", f"L-JP-1{n}", f"OP-JP-1{n}"),
    ]
    # ad spend rows 1, 4 and 7 as new campaigns; cost lines 1 and 4 as new cost ids
    original_spend = rows(SMALL_DROP, "ad_spend.csv", "date", "campaign_id")
    assert rows(tmp_path, "ad_spend.csv", "date", "campaign_id") == [
        (day, campaign + n) for day, campaign in original_spend[::3]
    ]
    original_costs = rows(SMALL_DROP, "erp_costs.csv", "cost_id")
    assert rows(tmp_path, "erp_costs.csv", "cost_id") == [
        (cost + n,) for (cost,) in original_costs[::3]
    ]
    assert counts == {
        "projects.csv": 0,
        "fx_rates.csv": 0,
        "crm_accounts.csv": 2,
        "crm_leads.csv": 3,
        "crm_opportunities.csv": 6,
        "crm_orders.csv": 4,
        "crm_tickets.csv": 2,
        "crm_activities.csv": 2,
        "ad_spend.csv": 3,
        "erp_costs.csv": 2,
    }
    # AND the result is a drop the loader accepts (every file, header-only ones included)
    assert {name: table.num_rows for name, table in read_drop(tmp_path).items()} == counts
