"""Google Ads connector against a fake API serving recorded searchStream / OAuth responses."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from dlt.pipeline.exceptions import PipelineStepFailed

from ingestion.ad_platforms import AdPlatformAuthError, AdPlatformHTTPError
from ingestion.ad_platforms.google_ads import google_ads_platform, google_ads_source

from ...conftest import ad_spend_rows, resource_state
from ...fakes import json_response, recorded
from ...helpers import as_tuples, collect
from .fake_google_ads import SECRETS, FakeGoogleAds

C1, C2 = "1234567890", "2222222222"
LABEL = "google_ads API"

FIRST_RUN = [
    (date(2026, 3, 1), "google_ads", C1, "111", "[P-DE] Search brand | DE", None, "EUR",
     Decimal("1234.56"), 10000, 300, LABEL, None),
    (date(2026, 3, 1), "google_ads", C1, "112", "[P-DE] Display | DE", None, "EUR",
     Decimal("0.5"), 2000, 5, LABEL, None),
    (date(2026, 3, 3), "google_ads", C1, "111", "[P-DE] Search brand | DE", None, "EUR",
     Decimal("99.99"), 2500, 80, LABEL, None),
    (date(2026, 3, 3), "google_ads", C1, "112", "[P-DE] Display | DE", None, "EUR",
     Decimal("0"), 15, 0, LABEL, None),
    (date(2026, 3, 2), "google_ads", C2, "221", "Brand JP", None, "JPY",
     Decimal("15000"), 40000, 1200, LABEL, None),
]  # fmt: skip


@pytest.fixture
def google(httpserver, monkeypatch) -> FakeGoogleAds:
    fake = FakeGoogleAds(httpserver).install()
    fake.configure(monkeypatch)
    return fake


def test_reads_every_customer_and_batch_with_oauth_and_headers(google):
    rows, state = collect(google_ads_platform())

    assert as_tuples(rows) == FIRST_RUN
    assert state == {"last_loaded_date": {"google_ads": {C1: "2026-03-03", C2: "2026-03-03"}}}
    # one refresh-token grant serves both customers
    assert len(google.token_requests) == 1
    assert google.token_requests[0]["form"] == {
        "grant_type": "refresh_token",
        "client_id": SECRETS["client_id"],
        "client_secret": SECRETS["client_secret"],
        "refresh_token": SECRETS["refresh_token"],
    }
    assert [request["customer"] for request in google.stream_requests] == [C1, C2]
    headers = google.stream_requests[0]["headers"]
    assert headers["Authorization"] == "Bearer ya29.a0AfB_first"
    assert headers["Developer-Token"] == SECRETS["developer_token"]
    assert headers["Login-Customer-Id"] == "9990001111"
    query = google.stream_requests[0]["json"]["query"]
    assert query.startswith(
        "SELECT customer.id, customer.currency_code, campaign.id, campaign.name"
    )
    assert "metrics.cost_micros" in query and "FROM campaign" in query
    assert google.stream_requests[0]["range"] == ("2026-03-01", "2026-03-03")


def test_expired_access_token_is_refreshed_and_the_call_repeated(google):
    # GIVEN the first access token is already expired on Google's side
    google.tokens = ["token", "token_refreshed"]
    google.rejected_tokens = {"ya29.a0AfB_first"}

    rows, _ = collect(google_ads_platform())

    # THEN one more grant, the call repeated with the new token, every row once
    assert len(google.token_requests) == 2
    assert [r["headers"]["Authorization"] for r in google.stream_requests] == [
        "Bearer ya29.a0AfB_first",
        "Bearer ya29.a0AfB_second",
        "Bearer ya29.a0AfB_second",
    ]
    assert as_tuples(rows) == FIRST_RUN


def test_token_rejected_even_after_refresh_names_the_oauth_credentials(google):
    google.tokens = ["token", "token_refreshed"]
    google.rejected_tokens = {"ya29.a0AfB_first", "ya29.a0AfB_second"}

    with pytest.raises(AdPlatformAuthError) as raised:
        collect(google_ads_platform())

    message = str(raised.value)
    assert message.startswith("google_ads: refresh_token / client_id / client_secret rejected")
    assert "HTTP 401" in message and "SOURCES__GOOGLE_ADS__REFRESH_TOKEN" in message
    assert "https://www.googleapis.com/auth/adwords" in message
    assert not any(secret in message for secret in SECRETS.values())


def test_revoked_refresh_token_names_refresh_token(google):
    google.tokens = ["token_invalid_grant"]

    with pytest.raises(AdPlatformAuthError) as raised:
        collect(google_ads_platform())

    message = str(raised.value)
    assert message.startswith(
        "google_ads: refresh_token rejected (HTTP 400: invalid_grant: Token has been expired "
        "or revoked.): check SOURCES__GOOGLE_ADS__REFRESH_TOKEN"
    )
    assert google.stream_requests == []
    assert not any(secret in message for secret in SECRETS.values())


@pytest.mark.parametrize(
    ("recorded_error", "expected_start"),
    [
        pytest.param(
            "error_403_developer_token",
            "google_ads: developer_token rejected (HTTP 403: The caller does not have permission "
            "[DEVELOPER_TOKEN_NOT_APPROVED]): check SOURCES__GOOGLE_ADS__DEVELOPER_TOKEN",
            id="developer-token-not-approved",
        ),
        pytest.param(
            "error_403_user_permission",
            "google_ads: login_customer_id / customer_ids not authorised (HTTP 403: The caller "
            "does not have permission [USER_PERMISSION_DENIED]): check "
            "SOURCES__GOOGLE_ADS__LOGIN_CUSTOMER_ID, SOURCES__GOOGLE_ADS__CUSTOMER_IDS",
            id="no-access-to-customer",
        ),
    ],
)
def test_403_names_the_credential_at_fault(google, recorded_error, expected_start):
    google.failing = {C1: (403, recorded_error)}

    with pytest.raises(AdPlatformAuthError) as raised:
        collect(google_ads_platform())

    assert str(raised.value).startswith(expected_start)
    assert len(google.stream_requests) == 1  # an authorisation error is not retried


def test_429_is_retried_then_succeeds(google, httpserver):
    # GIVEN the first searchStream call is throttled with a Retry-After header
    throttled = recorded("google_ads", "error_429_resource_exhausted")
    httpserver.expect_oneshot_request(
        f"/v26/customers/{C1}/googleAds:searchStream"
    ).respond_with_response(json_response(throttled, 429, {"Retry-After": "1"}))

    rows, _ = collect(google_ads_platform())

    assert not httpserver.oneshot_handlers  # the error was served

    assert as_tuples(rows) == FIRST_RUN
    assert len(httpserver.log) == 4  # token, 429, C1, C2


def test_5xx_exhausting_retries_raises_a_clear_error(google):
    google.failing = {C2: (500, "error_500_internal")}

    with pytest.raises(AdPlatformHTTPError) as raised:
        collect(google_ads_platform())

    assert "google_ads: POST" in str(raised.value)
    assert "failed with HTTP 500: Internal error encountered." in str(raised.value)
    assert [r["customer"] for r in google.stream_requests] == [C1, C2, C2, C2]  # 3 attempts


def test_days_without_delivery_give_no_rows_and_still_advance_the_state(google):
    google.streams = {C1: "search_stream_empty", C2: "search_stream_empty"}

    rows, state = collect(google_ads_platform())

    assert rows == []
    assert state["last_loaded_date"]["google_ads"] == {C1: "2026-03-03", C2: "2026-03-03"}


def test_failed_run_loads_nothing_and_the_rerun_loads_every_row_once(
    google, make_pipeline, monkeypatch
):
    # GIVEN the second customer answers 500 until retries are exhausted
    pipeline = make_pipeline()
    google.failing = {C2: (500, "error_500_internal")}

    # WHEN the first run fails half-way
    with pytest.raises(PipelineStepFailed) as raised:
        pipeline.run(google_ads_source())

    # THEN nothing of it is loaded and the state is not advanced
    assert "google_ads: POST" in str(raised.value) and "HTTP 500" in str(raised.value)
    assert ad_spend_rows(pipeline) == []
    assert resource_state(pipeline, "google_ads") == {}

    # WHEN the API recovers and the run is repeated
    google.failing = {}
    pipeline.run(google_ads_source())

    # THEN every row is there exactly once
    assert ad_spend_rows(pipeline) == sorted(FIRST_RUN, key=lambda row: (row[2], row[3], row[0]))
    assert resource_state(pipeline, "google_ads") == {
        "last_loaded_date": {"google_ads": {C1: "2026-03-03", C2: "2026-03-03"}}
    }


def test_a_stream_cut_off_mid_transfer_fails_clearly_and_the_rerun_loads_every_row_once(
    google, make_pipeline
):
    # GIVEN the second customer's stream arrives as HTTP 200 with half of its JSON, every time
    pipeline = make_pipeline()
    google.cut_off = {C2}

    with pytest.raises(PipelineStepFailed) as raised:
        pipeline.run(google_ads_source())

    message = str(raised.value)
    assert "google_ads: POST http://localhost:" in message
    assert f"/customers/{C2}/googleAds:searchStream answered HTTP 200 with a body" in message
    assert "that is not valid JSON" in message
    assert [r["customer"] for r in google.stream_requests] == [C1, C2, C2, C2]  # 3 attempts
    assert ad_spend_rows(pipeline) == []
    assert resource_state(pipeline, "google_ads") == {}

    google.cut_off = set()
    pipeline.run(google_ads_source())

    assert ad_spend_rows(pipeline) == sorted(FIRST_RUN, key=lambda row: (row[2], row[3], row[0]))


def test_second_run_reloads_the_lookback_window_and_restated_spend_replaces(
    google, make_pipeline, monkeypatch
):
    pipeline = make_pipeline()
    google.configure(monkeypatch, customer_ids="1234567890", start_date="2026-02-01")
    pipeline.run(google_ads_source())
    assert google.stream_requests[-1]["range"] == ("2026-02-01", "2026-03-03")

    # WHEN a day later Google has restated 2026-03-03
    google.streams[C1] = "search_stream_1234567890_restated"
    pipeline.run(google_ads_source(end_date="2026-03-04"))

    # THEN the run went back lookback_days (3) from the last loaded day, and the table holds
    # the restated numbers, once per key
    assert google.stream_requests[-1]["range"] == ("2026-02-28", "2026-03-04")
    spend = {(row[0], row[3]): (row[7], row[9]) for row in ad_spend_rows(pipeline)}
    assert spend == {
        (date(2026, 3, 1), "111"): (Decimal("1234.56"), 300),
        (date(2026, 3, 1), "112"): (Decimal("0.5"), 5),
        (date(2026, 3, 3), "111"): (Decimal("95"), 78),
        (date(2026, 3, 3), "112"): (Decimal("0"), 0),
        (date(2026, 3, 4), "111"): (Decimal("101.01"), 90),
    }
    assert resource_state(pipeline, "google_ads")["last_loaded_date"] == {
        "google_ads": {C1: "2026-03-04"}
    }
