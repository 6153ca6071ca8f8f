"""A later file drop with about 1% new rows, derived deterministically from a full drop.

docs/file-drop.md: a later drop may hold only new and changed rows; rows it does not
mention stay as they were. The benchmark's incremental drop holds only new rows, and they
are consistent with each other and with the warehouse they are loaded into:

- every 100th account (by file position) is copied with a new key, together with its whole
  story: the leads that converted into it or that its opportunities came from, its
  opportunities, orders and tickets, and the activities of those leads and opportunities;
- every 100th lead that converted into no account is copied with its activities;
- every 100th ad spend row is copied as a new campaign (new campaign_id, same project), and
  every 100th ERP cost line as a new cost_id.

A copied key is the original key plus NEW_KEY_SUFFIX; a reference to a copied record is
rewritten to the copy, a reference to anything else keeps pointing at the original, which
the warehouse already holds. projects.csv and fx_rates.csv hold only their header (nothing
new). Same input, same output: nothing is random.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ingestion.file_contract import SPECS_BY_FILE

EVERY = 100  # one record in EVERY is copied: about 1% new rows
NEW_KEY_SUFFIX = "-N1"


def _read(drop: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(drop / name, dtype=str, keep_default_na=False, na_filter=False)


def _renamed(values: pd.Series, copied: set[str]) -> pd.Series:
    """References to copied records point at the copies; the rest stay as they are."""
    return values.where(~values.isin(copied), values + NEW_KEY_SUFFIX)


def derive_incremental_drop(full_drop: Path, out_dir: Path, every: int = EVERY) -> dict[str, int]:
    """Write the incremental drop of `full_drop` into `out_dir`; return rows per file.

    `every`: one account, unconverted lead, ad spend row and cost line in `every` is copied.
    """

    def _every(frame: pd.DataFrame) -> pd.Series:
        return pd.Series(range(len(frame)), index=frame.index) % every == 0

    full_drop, out_dir = Path(full_drop), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    frames = {name: _read(full_drop, name) for name in SPECS_BY_FILE}
    accounts = frames["crm_accounts.csv"]
    leads = frames["crm_leads.csv"]
    opportunities = frames["crm_opportunities.csv"]
    orders = frames["crm_orders.csv"]
    tickets = frames["crm_tickets.csv"]
    activities = frames["crm_activities.csv"]

    account_ids = set(accounts.loc[_every(accounts), "account_id"])
    chosen_opportunities = opportunities["account_id"].isin(account_ids)
    opportunity_ids = set(opportunities.loc[chosen_opportunities, "opportunity_id"])
    unconverted = leads["converted_account_id"] == ""
    chosen_leads = (
        leads["converted_account_id"].isin(account_ids)
        | leads["lead_id"].isin(set(opportunities.loc[chosen_opportunities, "lead_id"]))
        | (unconverted & (leads.groupby(unconverted).cumcount() % every == 0))
    )
    lead_ids = set(leads.loc[chosen_leads, "lead_id"])
    chosen_activities = activities["lead_id"].isin(lead_ids) | activities["opportunity_id"].isin(
        opportunity_ids
    )
    order_rows = orders["account_id"].isin(account_ids)

    new: dict[str, pd.DataFrame] = {
        "projects.csv": frames["projects.csv"].iloc[0:0],
        "fx_rates.csv": frames["fx_rates.csv"].iloc[0:0],
    }
    new["crm_accounts.csv"] = accounts[accounts["account_id"].isin(account_ids)].assign(
        account_id=lambda f: f["account_id"] + NEW_KEY_SUFFIX
    )
    new["crm_leads.csv"] = leads[chosen_leads].assign(
        lead_id=lambda f: f["lead_id"] + NEW_KEY_SUFFIX,
        converted_account_id=lambda f: _renamed(f["converted_account_id"], account_ids),
    )
    new["crm_opportunities.csv"] = opportunities[chosen_opportunities].assign(
        opportunity_id=lambda f: f["opportunity_id"] + NEW_KEY_SUFFIX,
        account_id=lambda f: f["account_id"] + NEW_KEY_SUFFIX,
        lead_id=lambda f: _renamed(f["lead_id"], lead_ids),
    )
    new["crm_orders.csv"] = orders[order_rows].assign(
        order_id=lambda f: f["order_id"] + NEW_KEY_SUFFIX,
        account_id=lambda f: f["account_id"] + NEW_KEY_SUFFIX,
        opportunity_id=lambda f: _renamed(f["opportunity_id"], opportunity_ids),
    )
    new["crm_tickets.csv"] = tickets[tickets["account_id"].isin(account_ids)].assign(
        ticket_id=lambda f: f["ticket_id"] + NEW_KEY_SUFFIX,
        account_id=lambda f: f["account_id"] + NEW_KEY_SUFFIX,
    )
    new["crm_activities.csv"] = activities[chosen_activities].assign(
        activity_id=lambda f: f["activity_id"] + NEW_KEY_SUFFIX,
        lead_id=lambda f: _renamed(f["lead_id"], lead_ids),
        opportunity_id=lambda f: _renamed(f["opportunity_id"], opportunity_ids),
    )
    ad_spend = frames["ad_spend.csv"]
    new["ad_spend.csv"] = ad_spend[_every(ad_spend)].assign(
        campaign_id=lambda f: f["campaign_id"] + NEW_KEY_SUFFIX
    )
    costs = frames["erp_costs.csv"]
    new["erp_costs.csv"] = costs[_every(costs)].assign(
        cost_id=lambda f: f["cost_id"] + NEW_KEY_SUFFIX
    )

    counts: dict[str, int] = {}
    for name, frame in new.items():
        frame.to_csv(out_dir / name, index=False, lineterminator="\n")
        counts[name] = len(frame)
    return counts
