"""Campaign-to-project mapping: the maintained table first, then the [PROJECT] tag in the name.

Ad platforms know campaigns, not overseas projects. The rule, applied downstream (dbt) so a
fix to the mapping never needs a reload:

1. the maintained mapping table (a dbt seed or config: campaign id or exact campaign name ->
   project code) wins;
2. otherwise the first `[TAG]` in the campaign name, e.g. "[P-DE] Search brand | DE" -> P-DE;
3. otherwise the campaign is unmapped: its spend is still loaded and reported, never dropped.

`project_for_campaign` is the reference implementation the dbt model mirrors and the tests pin.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from decimal import Decimal
from typing import Any

__all__ = ["TAG_PATTERN", "campaign_tag", "project_for_campaign", "unmapped_spend"]

# A tag is a project code in square brackets: letters, digits, "-", "_" or "."; the first one
# in the name counts. Case is kept (project codes are compared exactly, as in projects.csv).
TAG_PATTERN = re.compile(r"\[\s*([A-Za-z0-9][A-Za-z0-9_.-]*)\s*\]")


def campaign_tag(campaign_name: str | None) -> str | None:
    """The project code tagged in a campaign name ("[P-DE] Brand" -> "P-DE"), or None."""
    if not campaign_name:
        return None
    match = TAG_PATTERN.search(campaign_name)
    return match.group(1) if match else None


def project_for_campaign(
    campaign_name: str | None,
    mapping: Mapping[str, str] | None = None,
    *,
    campaign_id: str | None = None,
    known_projects: Collection[str] | None = None,
) -> str | None:
    """The project a campaign's spend belongs to, or None when it is unmapped.

    `mapping` is the maintained table: its keys are campaign ids or exact campaign names, its
    values project codes; an entry for the campaign id wins over one for the name, and either
    wins over the tag. With `known_projects`, a tag naming no known project counts as unmapped
    (a typo in a campaign name must not invent a project); mapping entries are trusted.
    """
    mapping = mapping or {}
    for key in (campaign_id, campaign_name):
        if key is not None and key in mapping and mapping[key]:
            return mapping[key].strip()
    tag = campaign_tag(campaign_name)
    if tag is None:
        return None
    if known_projects is not None and tag not in known_projects:
        return None
    return tag


def unmapped_spend(
    rows: Iterable[Mapping[str, Any]],
    mapping: Mapping[str, str] | None = None,
    known_projects: Collection[str] | None = None,
) -> list[dict[str, Any]]:
    """Spend no project claims, per (platform, account, campaign, currency): the report of
    what the mapping table still lacks. Rows are raw_ads.ad_spend rows."""
    totals: dict[tuple[str, str, str, str | None], dict[str, Any]] = {}
    for row in rows:
        project = project_for_campaign(
            row.get("campaign_name"),
            mapping,
            campaign_id=row.get("campaign_id"),
            known_projects=known_projects,
        )
        if project is not None:
            continue
        key = (row["platform"], row["account_id"], row["campaign_id"], row.get("currency"))
        entry = totals.setdefault(
            key,
            {
                "platform": key[0],
                "account_id": key[1],
                "campaign_id": key[2],
                "campaign_name": row.get("campaign_name"),
                "currency": key[3],
                "spend": Decimal(0),
                "days": 0,
            },
        )
        entry["spend"] += Decimal(str(row.get("spend") or 0))
        entry["days"] += 1
    return sorted(totals.values(), key=lambda entry: (-entry["spend"], entry["campaign_id"]))
