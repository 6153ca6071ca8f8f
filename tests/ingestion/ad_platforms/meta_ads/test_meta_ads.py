"""Meta connector against a fake Graph API serving recorded insights responses."""

from __future__ import annotations

import copy
import time
from datetime import date
from decimal import Decimal

import pytest
from dlt.pipeline.exceptions import PipelineStepFailed

from ingestion.ad_platforms import AdPlatformAuthError
from ingestion.ad_platforms.meta_ads import meta_ads_platform, meta_ads_source
from ingestion.window import ExtractWindow

from ...conftest import ad_spend_rows, resource_state
from ...fakes import json_response, recorded
from ...helpers import as_tuples, collect
from .fake_meta_ads import ACCESS_TOKEN, FakeMetaAds

LABEL = "meta_ads API"
RETARGETING, LOOKALIKE, US = "23851234567890001", "23851234567890002", "23859876543210001"

FIRST_RUN = [
    (date(2026, 3, 1), "meta_ads", "101", RETARGETING, "[P-DE] Retargeting | DE", None, "EUR",
     Decimal("80.00"), 8000, 90, LABEL, None),
    (date(2026, 3, 1), "meta_ads", "101", LOOKALIKE, "[P-DE] Lookalike | DE", None, "EUR",
     Decimal("12.34"), 1500, 12, LABEL, None),
    (date(2026, 3, 3), "meta_ads", "101", RETARGETING, "[P-DE] Retargeting | DE", None, "EUR",
     Decimal("75.5"), 7100, 81, LABEL, None),
    (date(2026, 3, 3), "meta_ads", "101", LOOKALIKE, "[P-DE] Lookalike | DE", None, "EUR",
     Decimal("0"), 300, 0, LABEL, None),
    (date(2026, 3, 2), "meta_ads", "202", US, "US prospecting", None, "USD",
     Decimal("1000.01"), 50000, 700, LABEL, None),
]  # fmt: skip


@pytest.fixture
def meta(httpserver, monkeypatch) -> FakeMetaAds:
    fake = FakeMetaAds(httpserver).install()
    fake.configure(monkeypatch)
    return fake


def test_follows_cursor_pages_of_every_account(meta):
    rows, state = collect(meta_ads_platform())

    assert as_tuples(rows) == FIRST_RUN
    assert state == {"last_loaded_date": {"meta_ads": {"101": "2026-03-03", "202": "2026-03-03"}}}
    # three pages of act_101 through `after`, then act_202; never the `next` URL
    assert [(r["account"], r["args"].get("after")) for r in meta.requests] == [
        ("101", None),
        ("101", "MQZDZD"),
        ("101", "MgZDZD"),
        ("202", None),
    ]
    first = meta.requests[0]
    assert first["args"]["level"] == "campaign"
    assert first["args"]["time_increment"] == "1"
    assert first["time_range"] == {"since": "2026-03-01", "until": "2026-03-03"}
    assert set(first["args"]["fields"].split(",")) >= {
        "campaign_id", "campaign_name", "spend", "impressions", "clicks", "account_currency",
    }  # fmt: skip
    assert first["headers"]["Authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert not any(ACCESS_TOKEN in r["query"] for r in meta.requests)


def test_429_waits_as_long_as_retry_after_says(meta, httpserver, monkeypatch):
    # GIVEN a throttled first page that asks to wait one second (longest wait allowed: 5 s)
    monkeypatch.setenv("RUNTIME__REQUEST_MAX_RETRY_DELAY", "5")
    httpserver.expect_oneshot_request("/v26.0/act_101/insights").respond_with_response(
        json_response(recorded("meta_ads", "error_429"), 429, {"Retry-After": "1"})
    )
    platform = meta_ads_platform()

    started = time.monotonic()
    rows, _ = collect(platform)

    assert not httpserver.oneshot_handlers  # the error was served

    assert time.monotonic() - started >= 1.0
    assert as_tuples(rows) == FIRST_RUN


def test_graph_api_throttling_code_on_http_400_is_retried(meta, httpserver):
    httpserver.expect_oneshot_request("/v26.0/act_101/insights").respond_with_response(
        json_response(recorded("meta_ads", "error_17_user_request_limit"), 400)
    )

    rows, _ = collect(meta_ads_platform())

    assert not httpserver.oneshot_handlers  # the error was served

    assert as_tuples(rows) == FIRST_RUN


@pytest.mark.parametrize("status", [401, 400], ids=["http-401", "http-400-code-190"])
def test_expired_token_is_a_clear_error_naming_the_credential(meta, status):
    meta.failing = {("101", None): (status, "error_190_expired_token")}

    with pytest.raises(AdPlatformAuthError) as raised:
        collect(meta_ads_platform())

    message = str(raised.value)
    assert message.startswith(
        f"meta_ads: access_token rejected (HTTP {status}: code 190/463: Error validating access "
        "token: Session has expired"
    )
    assert "check SOURCES__META_ADS__ACCESS_TOKEN" in message and "ads_read" in message
    assert ACCESS_TOKEN not in message
    assert len(meta.requests) == 1  # not retried


def test_missing_permission_names_token_and_account(meta):
    meta.failing = {("202", None): (403, "error_200_permission")}

    with pytest.raises(AdPlatformAuthError) as raised:
        collect(meta_ads_platform())

    assert str(raised.value).startswith(
        "meta_ads: access_token / account_ids not authorised (HTTP 403: code 200: (#200) Ad "
        "account owner has NOT grant ads_management or ads_read permission): check "
        "SOURCES__META_ADS__ACCESS_TOKEN, SOURCES__META_ADS__ACCOUNT_IDS"
    )


def test_an_empty_range_gives_no_rows_and_advances_the_state(meta):
    meta.pages = {("101", None): "insights_empty", ("202", None): "insights_empty"}

    rows, state = collect(meta_ads_platform())

    assert rows == []
    assert state["last_loaded_date"]["meta_ads"] == {"101": "2026-03-03", "202": "2026-03-03"}


def test_500_in_the_middle_of_paging_loads_nothing_and_the_rerun_loads_every_row_once(
    meta, make_pipeline
):
    # GIVEN page 2 of act_101 fails with 500 on every attempt
    pipeline = make_pipeline()
    meta.failing = {("101", "MQZDZD"): (500, "error_500_unknown")}

    # WHEN the run fails after page 1 was already extracted
    with pytest.raises(PipelineStepFailed) as raised:
        pipeline.run(meta_ads_source())

    # THEN page 1 is not loaded on its own and the state did not move
    assert "meta_ads: GET" in str(raised.value)
    assert "failed with HTTP 500: code 1/99: An unknown error occurred" in str(raised.value)
    assert ad_spend_rows(pipeline) == []
    assert resource_state(pipeline, "meta_ads") == {}
    assert not pipeline.has_pending_data  # the partial extract is not kept for a later load
    assert [r["args"].get("after") for r in meta.requests] == [None, "MQZDZD", "MQZDZD", "MQZDZD"]

    # WHEN the API recovers and the run is repeated
    meta.failing = {}
    pipeline.run(meta_ads_source())

    # THEN every row is loaded exactly once
    assert ad_spend_rows(pipeline) == sorted(FIRST_RUN, key=lambda row: (row[2], row[3], row[0]))


def test_a_page_cut_off_mid_transfer_fails_clearly_and_the_rerun_loads_every_row_once(
    meta, make_pipeline
):
    # GIVEN page 2 of act_101 arrives as HTTP 200 with half of its JSON, on every attempt
    pipeline = make_pipeline()
    meta.cut_off = {("101", "MQZDZD")}

    # WHEN the run reads it: retried like a 5xx, then the run fails naming the request
    with pytest.raises(PipelineStepFailed) as raised:
        pipeline.run(meta_ads_source())

    message = str(raised.value)
    assert "meta_ads: GET http://localhost:" in message
    assert "/act_101/insights?" in message and "after=MQZDZD" in message
    assert "answered HTTP 200 with a body that is not valid JSON" in message
    assert ACCESS_TOKEN not in message
    assert [r["args"].get("after") for r in meta.requests] == [None, "MQZDZD", "MQZDZD", "MQZDZD"]
    # THEN nothing is loaded and the state did not move
    assert ad_spend_rows(pipeline) == []
    assert resource_state(pipeline, "meta_ads") == {}

    # WHEN the connection is whole again (the second attempt of a page cut off once succeeds)
    meta.cut_off = set()
    pipeline.run(meta_ads_source())

    # THEN every row is loaded exactly once
    assert ad_spend_rows(pipeline) == sorted(FIRST_RUN, key=lambda row: (row[2], row[3], row[0]))


def test_a_page_cut_off_once_is_read_again(meta, httpserver):
    # GIVEN the first answer for page 2 of act_101 is cut off, the next one whole
    meta.cut_off = {("101", "MQZDZD")}
    attempts = []
    original = meta._insights

    def once(request):
        attempts.append(request.args.get("after"))
        if attempts.count("MQZDZD") > 1:
            meta.cut_off = set()
        return original(request)

    meta._insights = once
    httpserver.clear_all_handlers()
    meta.install()

    rows, _ = collect(meta_ads_platform())

    assert as_tuples(rows) == FIRST_RUN
    assert attempts == [None, "MQZDZD", "MQZDZD", "MgZDZD", None]


def test_second_run_goes_back_28_days_and_restated_spend_replaces(meta, make_pipeline, monkeypatch):
    pipeline = make_pipeline()
    meta.configure(monkeypatch, account_ids="101", start_date="2026-02-01")
    pipeline.run(meta_ads_source())
    assert meta.requests[0]["time_range"] == {"since": "2026-02-01", "until": "2026-03-03"}

    # WHEN a day later Meta has restated 2026-03-03
    meta.ranges = {("101", "2026-03-04"): "insights_101_restated"}
    pipeline.run(meta_ads_source(end_date="2026-03-04"))

    # THEN the second run asked from 2026-03-03 - 28 days, and each key holds its latest value
    assert meta.requests[-1]["time_range"] == {"since": "2026-02-03", "until": "2026-03-04"}
    spend = {(row[0], row[3]): (row[7], row[9]) for row in ad_spend_rows(pipeline)}
    assert spend == {
        (date(2026, 3, 1), RETARGETING): (Decimal("80"), 90),
        (date(2026, 3, 1), LOOKALIKE): (Decimal("12.34"), 12),
        (date(2026, 3, 3), RETARGETING): (Decimal("77.25"), 83),
        (date(2026, 3, 3), LOOKALIKE): (Decimal("0"), 0),
        (date(2026, 3, 4), RETARGETING): (Decimal("60"), 70),
    }
    assert resource_state(pipeline, "meta_ads")["last_loaded_date"] == {
        "meta_ads": {"101": "2026-03-04"}
    }


def test_a_backfill_window_loads_exactly_its_days_and_leaves_the_state_alone(meta, make_pipeline):
    # GIVEN a scheduled run loaded 2026-03-01..2026-03-03 (start_date to end_date)
    pipeline = make_pipeline()
    pipeline.run(meta_ads_source())
    state = copy.deepcopy(pipeline.state["sources"])
    assert state["meta_ads"]["resources"]["ad_spend"]["last_loaded_date"]["meta_ads"] == {
        "101": "2026-03-03",
        "202": "2026-03-03",
    }

    # WHEN January is backfilled; Meta answers that range with two rows for 101, none for 202
    meta.requests.clear()
    meta.ranges = {
        ("101", "2026-01-31"): "insights_101_january",
        ("202", "2026-01-31"): "insights_empty",
    }
    pipeline.run(meta_ads_source(window=ExtractWindow(date(2026, 1, 1), date(2026, 1, 31))))

    # THEN each account was asked for exactly January (not from start_date, no look-back)
    january = {"since": "2026-01-01", "until": "2026-01-31"}
    assert [(r["account"], r["time_range"]) for r in meta.requests] == [
        ("101", january),
        ("202", january),
    ]
    # AND the table holds the scheduled run's rows plus exactly January's
    january_rows = [
        (date(2026, 1, 1), "meta_ads", "101", RETARGETING, "[P-DE] Retargeting | DE", None,
         "EUR", Decimal("50.00"), 5000, 40, LABEL, None),
        (date(2026, 1, 31), "meta_ads", "101", LOOKALIKE, "[P-DE] Lookalike | DE", None,
         "EUR", Decimal("9.99"), 900, 7, LABEL, None),
    ]  # fmt: skip
    assert ad_spend_rows(pipeline) == sorted(
        FIRST_RUN + january_rows, key=lambda row: (row[2], row[3], row[0])
    )
    # AND the incremental state is exactly what it was
    assert pipeline.state["sources"] == state

    # WHEN the next scheduled run comes, it asks what it would have asked without the backfill
    meta.requests.clear()
    meta.ranges = {}
    pipeline.run(meta_ads_source())
    # since: max(start_date, last loaded day 2026-03-03 - 28 days); until: end_date
    scheduled = {"since": "2026-03-01", "until": "2026-03-03"}
    first_pages = [r for r in meta.requests if "after" not in r["args"]]
    assert [(r["account"], r["time_range"]) for r in first_pages] == [
        ("101", scheduled),
        ("202", scheduled),
    ]
