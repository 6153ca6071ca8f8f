"""What a live load's HTTP went through: the answers dlt retried and why, the time spent
waiting on rate limits, and the access tokens renewed, per connector and load."""

from __future__ import annotations

from ingestion.ad_platforms.google_ads import google_ads_source
from ingestion.fxiaoke import fxiaoke_source
from ingestion.http_retries import HttpActivity, watch_http

from .ad_platforms.google_ads.fake_google_ads import throttled_then_expired
from .fxiaoke.fake_fxiaoke import FakeFxiaoke, set_tenant_env


def test_the_line_names_every_count():
    activity = HttpActivity("netsuite", requests=1)
    assert activity.line() == (
        "netsuite load: 1 HTTP request, 0 retries, waited 0.0 s for rate limits, 0 token renewals"
    )
    activity = HttpActivity("meta_ads", requests=7, throttled_seconds=12.34, token_renewals=2)
    activity.retries.update({"HTTP 503": 2, "HTTP 400 rate limit": 1, "cut-off answer": 1})
    assert activity.line() == (
        "meta_ads load: 7 HTTP requests, 4 retries (HTTP 400 rate limit x1, HTTP 503 x2, "
        "cut-off answer x1), waited 12.3 s for rate limits, 2 token renewals"
    )


def test_google_ads_load_counts_a_rate_limit_a_server_error_and_an_expired_token(
    httpserver, monkeypatch, make_pipeline
):
    # GIVEN Google Ads answering the one report request with 429 (Retry-After: 1 s), then
    # 503, then 401 for the access token it issued first (expired early), then the report
    google = throttled_then_expired(httpserver, monkeypatch)

    # WHEN the load runs, watched
    with watch_http() as http:
        make_pipeline().run(google_ads_source())

    # THEN: token, 429, 503, 401, token again, report: six requests; two answers retried; about
    # one second waited for the rate limit; one token renewed
    activity = http.connectors["google_ads"]
    assert list(http.connectors) == ["google_ads"]
    assert len(google.token_requests) == 2 and len(google.stream_requests) == 2
    assert (activity.requests, dict(activity.retries), activity.token_renewals) == (
        6,
        {"HTTP 429": 1, "HTTP 503": 1},
        1,
    )
    # the Retry-After second, plus however late a busy machine sent the retry
    assert 1.0 <= activity.throttled_seconds < 1.5
    assert activity.line() == (
        "google_ads load: 6 HTTP requests, 2 retries (HTTP 429 x1, HTTP 503 x1), "
        f"waited {activity.throttled_seconds:.1f} s for rate limits, 1 token renewal"
    )


def test_fxiaoke_load_counts_a_rate_limit_a_throttling_code_and_an_expired_token(
    httpserver, monkeypatch, make_pipeline
):
    # GIVEN Fxiaoke answering its first query with HTTP 429 (Retry-After: 1 s), the next one
    # with its throttling errorCode, and expiring the corpAccessToken before the fourth
    fake = FakeFxiaoke().install(httpserver)
    fake.http_429, fake.throttle_codes = 1, 1
    fake.expire_token_before_query = {4}
    set_tenant_env(monkeypatch, httpserver.url_for(""))
    monkeypatch.setenv("RUNTIME__REQUEST_MAX_RETRY_DELAY", "5")

    # WHEN the load runs, watched
    with watch_http() as http:
        make_pipeline("fxiaoke_raw_crm", "raw_crm").run(fxiaoke_source())

    # THEN both throttled answers were retried, the wait was the 429's second (the throttling
    # code has no Retry-After: a backoff of a few milliseconds), and the token renewed once
    activity = http.connectors["fxiaoke"]
    assert fake.tokens_issued == 2
    assert activity.requests == fake.tokens_issued + fake.query_calls
    assert (dict(activity.retries), activity.token_renewals) == (
        {"HTTP 429": 1, "rate limit": 1},
        1,
    )
    assert 1.0 <= activity.throttled_seconds < 1.5
