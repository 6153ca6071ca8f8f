"""LinkedIn connector against a fake Marketing API serving recorded responses."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from dlt.pipeline.exceptions import PipelineStepFailed

from ingestion.ad_platforms import AdPlatformAuthError
from ingestion.ad_platforms.linkedin_ads import linkedin_ads_platform, linkedin_ads_source

from ...conftest import ad_spend_rows, resource_state
from ...fakes import json_response, recorded
from ...helpers import as_tuples, collect
from .fake_linkedin_ads import ACCESS_TOKEN, FakeLinkedInAds

LABEL = "linkedin_ads API"
DM, LEADGEN = "[P-DE] Decision makers | DE", "[P-DE] Lead gen | DE"

FIRST_RUN = [
    (date(2026, 3, 1), "linkedin_ads", "501", "9001", DM, None, "EUR",
     Decimal("150"), 2000, 20, LABEL, None),
    (date(2026, 3, 2), "linkedin_ads", "501", "9002", LEADGEN, None, "EUR",
     Decimal("28.553894140"), 700, 4, LABEL, None),
    (date(2026, 3, 3), "linkedin_ads", "501", "9001", DM, None, "EUR",
     Decimal("45.5"), 900, 9, LABEL, None),
    (date(2026, 3, 3), "linkedin_ads", "501", "9003", None, None, "EUR",
     Decimal("5"), 50, 1, LABEL, None),
    (date(2026, 3, 3), "linkedin_ads", "502", "9101", "[P-US] ABM | US", None, "USD",
     Decimal("300"), 4000, 35, LABEL, None),
]  # fmt: skip


@pytest.fixture
def linkedin(httpserver, monkeypatch) -> FakeLinkedInAds:
    fake = FakeLinkedInAds(httpserver).install()
    fake.configure(monkeypatch)
    return fake


def test_slices_the_range_and_names_campaigns_through_every_search_page(linkedin):
    rows, state = collect(linkedin_ads_platform())

    assert as_tuples(rows) == FIRST_RUN
    assert state == {
        "last_loaded_date": {"linkedin_ads": {"501": "2026-03-03", "502": "2026-03-03"}}
    }
    # account, both campaign pages, then one analytics call per 2-day slice
    assert [(r["path"], r["args"].get("pageToken")) for r in linkedin.requests[:3]] == [
        ("/rest/adAccounts/501", None),
        ("/rest/adAccounts/501/adCampaigns", None),
        ("/rest/adAccounts/501/adCampaigns", "DgGerr1iVQreCJVjZDOW_grcp63nueBDipsS4DJpvJo"),
    ]
    assert [r["slice"] for r in linkedin.analytics_requests()] == [
        ("501", "2026-03-01", "2026-03-02"),
        ("501", "2026-03-03", "2026-03-03"),
        ("502", "2026-03-01", "2026-03-02"),
        ("502", "2026-03-03", "2026-03-03"),
    ]
    first = linkedin.analytics_requests()[0]
    # Rest.li 2.0: structure characters literal, the URN inside List() percent-encoded
    assert first["query"] == (
        "q=analytics&pivot=CAMPAIGN&timeGranularity=DAILY"
        "&dateRange=(start:(year:2026,month:3,day:1),end:(year:2026,month:3,day:2))"
        "&accounts=List(urn%3Ali%3AsponsoredAccount%3A501)"
        "&fields=dateRange,pivotValues,costInLocalCurrency,impressions,clicks"
    )
    assert linkedin.requests[1]["query"].startswith(
        "q=search&search=(status:(values:List(ACTIVE,PAUSED,ARCHIVED,COMPLETED,CANCELED)))"
    )
    for request in linkedin.requests:
        assert request["headers"]["Linkedin-Version"] == "202607"
        assert request["headers"]["X-Restli-Protocol-Version"] == "2.0.0"
        assert request["headers"]["Authorization"] == f"Bearer {ACCESS_TOKEN}"


def test_429_is_retried_then_succeeds(linkedin, httpserver):
    httpserver.expect_oneshot_request("/rest/adAnalytics").respond_with_response(
        json_response(recorded("linkedin_ads", "error_429"), 429, {"Retry-After": "1"})
    )

    rows, _ = collect(linkedin_ads_platform())

    assert not httpserver.oneshot_handlers  # the error was served

    assert as_tuples(rows) == FIRST_RUN


@pytest.mark.parametrize(
    ("status", "recorded_error", "expected_start"),
    [
        pytest.param(
            401,
            "error_401",
            "linkedin_ads: access_token rejected (HTTP 401: INVALID_ACCESS_TOKEN: Invalid access "
            "token): check SOURCES__LINKEDIN_ADS__ACCESS_TOKEN",
            id="invalid-token",
        ),
        pytest.param(
            403,
            "error_403",
            "linkedin_ads: access_token / account_ids not authorised (HTTP 403: ACCESS_DENIED: "
            "Not enough permissions to access: adAnalytics.FINDER-analytics.20260701): check "
            "SOURCES__LINKEDIN_ADS__ACCESS_TOKEN, SOURCES__LINKEDIN_ADS__ACCOUNT_IDS; the token "
            "needs the r_ads_reporting",
            id="missing-scope",
        ),
        pytest.param(
            426,
            "error_426",
            "linkedin_ads: api_version not accepted (HTTP 426: NONEXISTENT_VERSION: Requested "
            "version 202401 is not active): check SOURCES__LINKEDIN_ADS__API_VERSION",
            id="sunset-version",
        ),
    ],
)
def test_authorisation_errors_name_the_credential(linkedin, status, recorded_error, expected_start):
    linkedin.failing = {("501", "2026-03-01", "2026-03-02"): (status, recorded_error)}

    with pytest.raises(AdPlatformAuthError) as raised:
        collect(linkedin_ads_platform())

    assert str(raised.value).startswith(expected_start)
    assert ACCESS_TOKEN not in str(raised.value)
    assert len(linkedin.analytics_requests()) == 1  # not retried


def test_empty_days_give_no_rows_and_advance_the_state(linkedin):
    linkedin.slices = {key: "analytics_empty" for key in linkedin.slices}

    rows, state = collect(linkedin_ads_platform())

    assert rows == []
    assert state["last_loaded_date"]["linkedin_ads"] == {"501": "2026-03-03", "502": "2026-03-03"}


def test_500_on_a_later_slice_loads_nothing_and_the_rerun_loads_every_row_once(
    linkedin, make_pipeline
):
    pipeline = make_pipeline()
    linkedin.failing = {("501", "2026-03-03", "2026-03-03"): (500, "error_500")}

    with pytest.raises(PipelineStepFailed) as raised:
        pipeline.run(linkedin_ads_source())

    assert "linkedin_ads: GET" in str(raised.value)
    assert "failed with HTTP 500: Internal Server Error" in str(raised.value)
    assert ad_spend_rows(pipeline) == []
    assert resource_state(pipeline, "linkedin_ads") == {}

    linkedin.failing = {}
    pipeline.run(linkedin_ads_source())

    assert ad_spend_rows(pipeline) == sorted(FIRST_RUN, key=lambda row: (row[2], row[3], row[0]))


def test_a_slice_cut_off_mid_transfer_fails_clearly_and_the_rerun_loads_every_row_once(
    linkedin, make_pipeline
):
    pipeline = make_pipeline()
    linkedin.cut_off = {("501", "2026-03-03", "2026-03-03")}

    with pytest.raises(PipelineStepFailed) as raised:
        pipeline.run(linkedin_ads_source())

    message = str(raised.value)
    assert "linkedin_ads: GET http://localhost:" in message
    assert "/rest/adAnalytics?" in message
    assert "answered HTTP 200 with a body that is not valid JSON" in message
    assert ad_spend_rows(pipeline) == []
    assert resource_state(pipeline, "linkedin_ads") == {}

    linkedin.cut_off = set()
    pipeline.run(linkedin_ads_source())

    assert ad_spend_rows(pipeline) == sorted(FIRST_RUN, key=lambda row: (row[2], row[3], row[0]))


def test_second_run_goes_back_7_days_and_restated_spend_replaces(
    linkedin, make_pipeline, monkeypatch
):
    pipeline = make_pipeline()
    linkedin.configure(monkeypatch, account_ids="501", start_date="2026-02-20", slice_days=30)
    linkedin.slices = {
        ("501", "2026-02-20", "2026-03-03"): "analytics_501_run_1",
        ("501", "2026-02-24", "2026-03-04"): "analytics_501_restated",
    }
    pipeline.run(linkedin_ads_source())

    pipeline.run(linkedin_ads_source(end_date="2026-03-04"))

    assert [r["slice"] for r in linkedin.analytics_requests()] == [
        ("501", "2026-02-20", "2026-03-03"),
        ("501", "2026-02-24", "2026-03-04"),  # 2026-03-03 minus lookback_days (7)
    ]
    spend = {(row[0], row[3]): (row[7], row[9]) for row in ad_spend_rows(pipeline)}
    assert spend == {
        (date(2026, 3, 1), "9001"): (Decimal("150"), 20),
        (date(2026, 3, 3), "9001"): (Decimal("47.25"), 10),
        (date(2026, 3, 4), "9001"): (Decimal("60"), 12),
    }
    assert resource_state(pipeline, "linkedin_ads")["last_loaded_date"] == {
        "linkedin_ads": {"501": "2026-03-04"}
    }
