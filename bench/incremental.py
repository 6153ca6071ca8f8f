"""Later file drops derived deterministically from a full drop: about 1% new rows
(derive_incremental_drop), or exactly N new rows whatever the history (derive_update_drop,
the benchmark's same-size update of issue 17).

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


# ------------------------------------------------------------------------------ fixed size

UPDATE_ROWS = 10_000  # the rows of the same-size update at every scale (issue 17, goal 2)
# The update's mix, the same whatever the history: this share of its rows is ad spend, this
# share ERP cost lines; the rest is CRM (whole account stories, then unconverted leads).
AD_SPEND_SHARE = 0.3
COST_SHARE = 0.1


def _stories(frames: dict[str, pd.DataFrame], account_ids: set[str]) -> dict[str, pd.Series]:
    """Which rows of each CRM file belong to the stories of `account_ids`: the accounts,
    the leads that converted into them or that their opportunities came from, their
    opportunities, orders and tickets, and the activities of those leads and opportunities."""
    accounts = frames["crm_accounts.csv"]
    leads = frames["crm_leads.csv"]
    opportunities = frames["crm_opportunities.csv"]
    activities = frames["crm_activities.csv"]
    chosen_opportunities = opportunities["account_id"].isin(account_ids)
    opportunity_ids = set(opportunities.loc[chosen_opportunities, "opportunity_id"])
    chosen_leads = leads["converted_account_id"].isin(account_ids) | leads["lead_id"].isin(
        set(opportunities.loc[chosen_opportunities, "lead_id"])
    )
    lead_ids = set(leads.loc[chosen_leads, "lead_id"])
    return {
        "crm_accounts.csv": accounts["account_id"].isin(account_ids),
        "crm_leads.csv": chosen_leads,
        "crm_opportunities.csv": chosen_opportunities,
        "crm_orders.csv": frames["crm_orders.csv"]["account_id"].isin(account_ids),
        "crm_tickets.csv": frames["crm_tickets.csv"]["account_id"].isin(account_ids),
        "crm_activities.csv": activities["lead_id"].isin(lead_ids)
        | activities["opportunity_id"].isin(opportunity_ids),
    }


def _story_rows(frames: dict[str, pd.DataFrame], account_ids: set[str]) -> int:
    return sum(int(chosen.sum()) for chosen in _stories(frames, account_ids).values())


def derive_update_drop(full_drop: Path, out_dir: Path, rows: int = UPDATE_ROWS) -> dict[str, int]:
    """Write a drop of exactly `rows` new rows derived from `full_drop` into `out_dir`;
    return rows per file. Derived the same way at every scale, from the start of each file:

    - the first round(rows * AD_SPEND_SHARE) ad spend rows as new campaigns, the first
      round(rows * COST_SHARE) ERP cost lines as new cost ids;
    - the rest is CRM: the longest run of accounts from the start of crm_accounts.csv whose
      whole stories fit, then unconverted leads (alone, without their activities) from the
      start of crm_leads.csv until the count is exact; if those run out, further ad spend
      rows, then further cost lines.

    New keys and references as in derive_incremental_drop. A ValueError if the drop has too
    few rows to copy.
    """
    full_drop, out_dir = Path(full_drop), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    frames = {name: _read(full_drop, name) for name in SPECS_BY_FILE}
    accounts = frames["crm_accounts.csv"]
    leads = frames["crm_leads.csv"]
    ad_spend, costs = frames["ad_spend.csv"], frames["erp_costs.csv"]

    spend_count = min(round(rows * AD_SPEND_SHARE), len(ad_spend))
    cost_count = min(round(rows * COST_SHARE), len(costs))
    crm_budget = rows - spend_count - cost_count
    # the longest prefix of accounts whose stories fit (story rows grow with the prefix)
    order = list(accounts["account_id"])
    low, high = 0, len(order)
    while low < high:
        middle = (low + high + 1) // 2
        if _story_rows(frames, set(order[:middle])) <= crm_budget:
            low = middle
        else:
            high = middle - 1
    account_ids = set(order[:low])
    chosen = _stories(frames, account_ids)
    remaining = crm_budget - sum(int(mask.sum()) for mask in chosen.values())
    # unconverted leads not yet in a story, from the start of the file, fill up exactly
    spare = (leads["converted_account_id"] == "") & ~chosen["crm_leads.csv"]
    filler = spare & (spare.cumsum() <= remaining)
    remaining -= int(filler.sum())
    extra_spend = min(remaining, len(ad_spend) - spend_count)
    spend_count += extra_spend
    remaining -= extra_spend
    extra_costs = min(remaining, len(costs) - cost_count)
    cost_count += extra_costs
    remaining -= extra_costs
    if remaining:
        raise ValueError(f"{full_drop} has too few rows for an update of {rows:,} rows")

    opportunities = frames["crm_opportunities.csv"]
    activities = frames["crm_activities.csv"]
    story_leads = set(leads.loc[chosen["crm_leads.csv"], "lead_id"])
    lead_ids = story_leads | set(leads.loc[filler, "lead_id"])
    opportunity_ids = set(opportunities.loc[chosen["crm_opportunities.csv"], "opportunity_id"])
    new: dict[str, pd.DataFrame] = {
        "projects.csv": frames["projects.csv"].iloc[0:0],
        "fx_rates.csv": frames["fx_rates.csv"].iloc[0:0],
        "crm_accounts.csv": accounts[chosen["crm_accounts.csv"]].assign(
            account_id=lambda f: f["account_id"] + NEW_KEY_SUFFIX
        ),
        "crm_leads.csv": leads[chosen["crm_leads.csv"] | filler].assign(
            lead_id=lambda f: f["lead_id"] + NEW_KEY_SUFFIX,
            converted_account_id=lambda f: _renamed(f["converted_account_id"], account_ids),
        ),
        "crm_opportunities.csv": opportunities[chosen["crm_opportunities.csv"]].assign(
            opportunity_id=lambda f: f["opportunity_id"] + NEW_KEY_SUFFIX,
            account_id=lambda f: f["account_id"] + NEW_KEY_SUFFIX,
            lead_id=lambda f: _renamed(f["lead_id"], lead_ids),
        ),
        "crm_orders.csv": frames["crm_orders.csv"][chosen["crm_orders.csv"]].assign(
            order_id=lambda f: f["order_id"] + NEW_KEY_SUFFIX,
            account_id=lambda f: f["account_id"] + NEW_KEY_SUFFIX,
            opportunity_id=lambda f: _renamed(f["opportunity_id"], opportunity_ids),
        ),
        "crm_tickets.csv": frames["crm_tickets.csv"][chosen["crm_tickets.csv"]].assign(
            ticket_id=lambda f: f["ticket_id"] + NEW_KEY_SUFFIX,
            account_id=lambda f: f["account_id"] + NEW_KEY_SUFFIX,
        ),
        "crm_activities.csv": activities[chosen["crm_activities.csv"]].assign(
            activity_id=lambda f: f["activity_id"] + NEW_KEY_SUFFIX,
            lead_id=lambda f: _renamed(f["lead_id"], lead_ids),
            opportunity_id=lambda f: _renamed(f["opportunity_id"], opportunity_ids),
        ),
        "ad_spend.csv": ad_spend.iloc[:spend_count].assign(
            campaign_id=lambda f: f["campaign_id"] + NEW_KEY_SUFFIX
        ),
        "erp_costs.csv": costs.iloc[:cost_count].assign(
            cost_id=lambda f: f["cost_id"] + NEW_KEY_SUFFIX
        ),
    }
    counts: dict[str, int] = {}
    for name, frame in new.items():
        frame.to_csv(out_dir / name, index=False, lineterminator="\n")
        counts[name] = len(frame)
    return counts
