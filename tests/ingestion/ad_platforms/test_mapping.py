"""Campaign-to-project mapping: maintained table first, then the [PROJECT] tag, else unmapped."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ingestion.ad_platforms.mapping import campaign_tag, project_for_campaign, unmapped_spend

MAPPING = {"23851234567890001": "P-JP", "Brand JP": "P-JP", "Legacy search": "P-DE"}


@pytest.mark.parametrize(
    ("name", "campaign_id", "known", "expected"),
    [
        pytest.param("[P-DE] Search brand | DE", None, None, "P-DE", id="tag-at-start"),
        pytest.param("Search brand [P-DE] | DE", None, None, "P-DE", id="tag-anywhere"),
        pytest.param("[ P-DE ] Search", None, None, "P-DE", id="tag-with-spaces"),
        pytest.param("[P-DE][P-JP] Search", None, None, "P-DE", id="first-tag-wins"),
        pytest.param("Brand JP", None, None, "P-JP", id="mapping-by-name"),
        pytest.param("[P-DE] Retargeting", "23851234567890001", None, "P-JP", id="id-beats-tag"),
        pytest.param("Brand JP", "23851234567890001", None, "P-JP", id="id-and-name"),
        pytest.param("Legacy search", "999", None, "P-DE", id="name-when-id-unmapped"),
        pytest.param("Search brand DE", None, None, None, id="no-tag-unmapped"),
        pytest.param("[] Search", None, None, None, id="empty-brackets"),
        pytest.param(None, None, None, None, id="no-name"),
        pytest.param("[P-XX] Typo", None, {"P-DE", "P-JP"}, None, id="unknown-tag-unmapped"),
        pytest.param("[P-DE] Search", None, {"P-DE", "P-JP"}, "P-DE", id="known-tag"),
    ],
)
def test_project_for_campaign(name, campaign_id, known, expected):
    assert (
        project_for_campaign(name, MAPPING, campaign_id=campaign_id, known_projects=known)
        == expected
    )


def test_mapping_is_optional():
    assert project_for_campaign("[P-US] ABM | US", None) == "P-US"
    assert campaign_tag("[P-US] ABM | US") == "P-US"
    assert campaign_tag("ABM | US") is None


def test_unmapped_spend_is_reported_per_campaign_never_dropped():
    def row(day, campaign_id, name, spend, platform="google_ads"):
        return {
            "date": date(2026, 3, day),
            "platform": platform,
            "account_id": "1234567890",
            "campaign_id": campaign_id,
            "campaign_name": name,
            "currency": "EUR",
            "spend": Decimal(spend),
        }

    rows = [
        row(1, "111", "[P-DE] Search", "10"),
        row(1, "221", "Brand JP", "7"),  # mapped by the table
        row(1, "300", "Generic search", "5.50"),
        row(2, "300", "Generic search", "4.50"),
        row(2, "400", "[P-XX] Typo", "20", platform="meta_ads"),
    ]

    report = unmapped_spend(rows, MAPPING, known_projects={"P-DE", "P-JP"})

    assert report == [
        {"platform": "meta_ads", "account_id": "1234567890", "campaign_id": "400",
         "campaign_name": "[P-XX] Typo", "currency": "EUR", "spend": Decimal("20"), "days": 1},
        {"platform": "google_ads", "account_id": "1234567890", "campaign_id": "300",
         "campaign_name": "Generic search", "currency": "EUR", "spend": Decimal("10.00"),
         "days": 2},
    ]  # fmt: skip
