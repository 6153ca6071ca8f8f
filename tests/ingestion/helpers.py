"""Test helpers shared by the connector tests."""

from __future__ import annotations

from typing import Any

from ingestion.ad_platforms.helpers import AdPlatform, incremental_spend

COLUMNS = (
    "date",
    "platform",
    "account_id",
    "campaign_id",
    "campaign_name",
    "project_code",
    "currency",
    "spend",
    "impressions",
    "clicks",
    "_source_file",
    "_source_line",
)


def collect(
    platform: AdPlatform, state: dict[str, Any] | None = None
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Run one platform's incremental extract outside dlt: its rows and the state it leaves."""
    state = {} if state is None else state
    rows = [row for page in incremental_spend(platform, state) for row in page]
    return rows, state


def as_tuples(rows: list[dict[str, Any]]) -> list[tuple]:
    """Rows as tuples in raw_ads.ad_spend column order; a row with other columns fails."""
    for row in rows:
        assert set(row) == set(COLUMNS), sorted(set(row) ^ set(COLUMNS))
    return [tuple(row[column] for column in COLUMNS) for row in rows]
