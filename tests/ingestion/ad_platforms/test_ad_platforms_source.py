"""The `ad_platforms` source: all three platforms into raw_ads.ad_spend beside the file drop."""

from __future__ import annotations

import logging
import tomllib
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from ingestion.ad_platforms import AdPlatformConfigurationError, ad_platforms_source
from ingestion.ad_platforms.google_ads import google_ads_source
from ingestion.ad_platforms.meta_ads import meta_ads_source
from ingestion.api_sources import api_source
from ingestion.files import file_drop_source, stage_drop
from ingestion.window import ExtractWindow

from ...drops import write_drop
from ..conftest import ad_spend_rows, resource_state
from .google_ads.fake_google_ads import FakeGoogleAds
from .google_ads.test_google_ads import FIRST_RUN as GOOGLE_ROWS
from .linkedin_ads.fake_linkedin_ads import FakeLinkedInAds
from .linkedin_ads.test_linkedin_ads import FIRST_RUN as LINKEDIN_ROWS
from .meta_ads.fake_meta_ads import FakeMetaAds
from .meta_ads.test_meta_ads import FIRST_RUN as META_ROWS

REPO = Path(__file__).parents[3]

# README "Live connectors": the keys every connector must accept.
CONTRACT_KEYS = {
    "google_ads": {"base_url", "token_url", "developer_token", "client_id", "client_secret",
                   "refresh_token", "login_customer_id", "customer_ids", "start_date",
                   "lookback_days"},
    "meta_ads": {"base_url", "access_token", "account_ids", "start_date", "lookback_days"},
    "linkedin_ads": {"base_url", "access_token", "account_ids", "api_version", "start_date",
                     "lookback_days"},
}  # fmt: skip


def by_key(rows):
    return sorted(rows, key=lambda row: (row[1], row[2], row[3], row[0]))


def test_three_platforms_land_in_the_file_drops_table(
    httpserver, monkeypatch, make_pipeline, tmp_path
):
    # GIVEN a file drop already loaded raw_ads.ad_spend, one of its keys also in Google's data
    drop = write_drop(
        tmp_path / "drop",
        ad_spend=(
            "date,platform,account_id,campaign_id,campaign_name,project_code,currency,spend,"
            "impressions,clicks\n"
            "2026-03-01,google_ads,1234567890,111,[P-DE] Search brand | DE,P-DE,EUR,1000.00,1,1\n"
            "2026-02-23,google_ads,G-DE-1,C-DE-G1,DE search,P-DE,EUR,400.00,10000,300\n"
        ),
    )
    stage_drop(drop, tmp_path / "staged")
    files_pipeline = make_pipeline("files_raw_ads")
    files_pipeline.run(file_drop_source("raw_ads", tmp_path / "staged"))
    # AND all three platforms configured against their fake APIs
    FakeGoogleAds(httpserver).install().configure(monkeypatch)
    FakeMetaAds(httpserver).install().configure(monkeypatch)
    FakeLinkedInAds(httpserver).install().configure(monkeypatch)

    # WHEN the API source runs
    api_pipeline = make_pipeline("api_raw_ads")
    api_pipeline.run(ad_platforms_source())

    # THEN the table holds the file row the API did not restate, plus every API row once; the
    # API's value replaced the file's for the shared key
    file_row = (date(2026, 2, 23), "google_ads", "G-DE-1", "C-DE-G1", "DE search", "P-DE",
                "EUR", Decimal("400.00"), 10000, 300, "ad_spend.csv", 3)  # fmt: skip
    assert ad_spend_rows(api_pipeline) == by_key(
        [file_row, *GOOGLE_ROWS, *META_ROWS, *LINKEDIN_ROWS]
    )
    state = resource_state(api_pipeline, "ad_platforms")["last_loaded_date"]
    assert state == {
        "google_ads": {"1234567890": "2026-03-03", "2222222222": "2026-03-03"},
        "meta_ads": {"101": "2026-03-03", "202": "2026-03-03"},
        "linkedin_ads": {"501": "2026-03-03", "502": "2026-03-03"},
    }
    # AND the column types are the file drop's
    with api_pipeline.sql_client() as client:
        types = dict(
            client.execute_sql(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = 'raw_ads' and table_name = 'ad_spend'"
            )
        )
    assert {name: types[name] for name in ("date", "spend", "impressions", "clicks")} == {
        "date": "DATE",
        "spend": "DECIMAL(38,9)",
        "impressions": "BIGINT",
        "clicks": "BIGINT",
    }


def test_api_source_backfills_every_configured_platform_for_exactly_the_window(
    httpserver, monkeypatch, make_pipeline
):
    # GIVEN Google and Meta configured (start_date 2026-03-01, end_date 2026-03-03), no
    # spend in the period asked
    google = FakeGoogleAds(
        httpserver,
        streams={"1234567890": "search_stream_empty", "2222222222": "search_stream_empty"},
    ).install()
    google.configure(monkeypatch)
    meta = FakeMetaAds(
        httpserver, pages={("101", None): "insights_empty", ("202", None): "insights_empty"}
    ).install()
    meta.configure(monkeypatch)
    pipeline = make_pipeline()

    # WHEN December 2025 is backfilled through the connector registry
    window = ExtractWindow(date(2025, 12, 1), date(2025, 12, 31))
    pipeline.run(api_source("raw_ads", "ad_platforms", window))

    # THEN every account of both platforms was asked for exactly December
    assert [(r["customer"], r["range"]) for r in google.stream_requests] == [
        ("1234567890", ("2025-12-01", "2025-12-31")),
        ("2222222222", ("2025-12-01", "2025-12-31")),
    ]
    december = {"since": "2025-12-01", "until": "2025-12-31"}
    assert [(r["account"], r["time_range"]) for r in meta.requests] == [
        ("101", december),
        ("202", december),
    ]
    # AND no incremental state was written
    assert resource_state(pipeline, "ad_platforms") == {}


def test_unconfigured_platforms_are_skipped_with_a_warning(
    httpserver, monkeypatch, make_pipeline, caplog
):
    FakeMetaAds(httpserver).install().configure(monkeypatch)
    monkeypatch.setenv("SOURCES__LINKEDIN_ADS__LOOKBACK_DAYS", "5")  # a default is not a start
    pipeline = make_pipeline()

    with caplog.at_level(logging.WARNING, logger="ingestion.ad_platforms"):
        pipeline.run(ad_platforms_source())

    assert ad_spend_rows(pipeline) == by_key(META_ROWS)
    assert (
        "google_ads: skipped, not configured (missing developer_token, client_id, "
        "client_secret, refresh_token, customer_ids); set SOURCES__GOOGLE_ADS__DEVELOPER_TOKEN"
    ) in caplog.text
    assert "linkedin_ads: skipped, not configured (missing access_token, account_ids)" in (
        caplog.text
    )


def test_a_named_platform_must_be_configured():
    with pytest.raises(AdPlatformConfigurationError) as raised:
        ad_platforms_source(platforms=["google_ads", "meta_ads"])

    assert str(raised.value) == (
        "google_ads: missing configuration key(s) developer_token, client_id, client_secret, "
        "refresh_token, customer_ids: set them under [sources.google_ads] in .dlt/secrets.toml "
        "/ .dlt/config.toml or as environment variable(s) SOURCES__GOOGLE_ADS__DEVELOPER_TOKEN, "
        "SOURCES__GOOGLE_ADS__CLIENT_ID, SOURCES__GOOGLE_ADS__CLIENT_SECRET, "
        "SOURCES__GOOGLE_ADS__REFRESH_TOKEN, SOURCES__GOOGLE_ADS__CUSTOMER_IDS"
    )


def test_a_single_platform_source_is_explicit_too():
    with pytest.raises(AdPlatformConfigurationError, match=r"^meta_ads: missing .*access_token"):
        meta_ads_source()


def test_a_half_configured_platform_fails_even_when_not_named(monkeypatch):
    monkeypatch.setenv("SOURCES__GOOGLE_ADS__CUSTOMER_IDS", "1234567890")
    monkeypatch.setenv("SOURCES__GOOGLE_ADS__DEVELOPER_TOKEN", "dev-token")

    with pytest.raises(AdPlatformConfigurationError) as raised:
        ad_platforms_source()

    assert str(raised.value).startswith(
        "google_ads: missing configuration key(s) client_id, client_secret, refresh_token:"
    )


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        pytest.param("lookback_days", "-1", "invalid (days >= 0) configuration key(s) "
                     "lookback_days", id="negative-lookback"),
        pytest.param("start_date", "01/03/2026", "invalid (expected YYYY-MM-DD) configuration "
                     "key(s) start_date", id="start-date-format"),
        pytest.param("customer_ids", "123-abc", "invalid id '123-abc' in configuration key(s) "
                     "customer_ids", id="customer-id"),
        pytest.param("refresh_token", " ", "missing configuration key(s) refresh_token",
                     id="blank-secret"),
    ],
)  # fmt: skip
def test_invalid_values_name_platform_and_key(httpserver, monkeypatch, key, value, expected):
    fake = FakeGoogleAds(httpserver)
    fake.configure(monkeypatch, **{key: value})

    with pytest.raises(AdPlatformConfigurationError) as raised:
        google_ads_source()

    assert str(raised.value).startswith(f"google_ads: {expected}")


def test_an_empty_platform_list_reads_no_configuration(monkeypatch):
    monkeypatch.setenv("SOURCES__GOOGLE_ADS__CUSTOMER_IDS", "1234567890")  # half configured

    source = ad_platforms_source(platforms=[])

    assert list(source.resources) == ["ad_spend"]


def test_unknown_platform_is_rejected():
    with pytest.raises(ValueError, match="unknown ad platform"):
        ad_platforms_source(platforms=["tiktok_ads"])


def test_example_secrets_cover_every_contract_key():
    example = tomllib.loads((REPO / ".dlt" / "example.secrets.toml").read_text("utf-8"))
    tomllib.loads((REPO / ".dlt" / "config.toml").read_text("utf-8"))  # parses

    for platform, keys in CONTRACT_KEYS.items():
        assert keys <= set(example["sources"][platform]), platform


def test_a_first_live_load_warns_nothing_about_column_hints(
    httpserver, monkeypatch, make_pipeline, caplog
):
    # GIVEN the three platforms on their fake APIs, and a warehouse that has no ad_spend yet
    FakeGoogleAds(httpserver).install().configure(monkeypatch)
    FakeMetaAds(httpserver).install().configure(monkeypatch)
    FakeLinkedInAds(httpserver).install().configure(monkeypatch)
    monkeypatch.setenv("RUNTIME__LOG_LEVEL", "INFO")  # dlt names each overridden hint at INFO
    pipeline = make_pipeline()

    # WHEN the first load runs
    with caplog.at_level(logging.INFO, logger="dlt"):
        pipeline.run(ad_platforms_source())

    # THEN every row landed, and dlt found the pages' Arrow schema to agree with the resource's
    # column hints (key columns not nullable): no warning, no note about a hint it overrode
    assert ad_spend_rows(pipeline) == by_key([*GOOGLE_ROWS, *META_ROWS, *LINKEDIN_ROWS])
    hints = [r.getMessage() for r in caplog.records if "hint" in r.getMessage()]
    assert hints == []
