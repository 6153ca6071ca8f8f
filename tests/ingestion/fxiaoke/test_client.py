"""The Fxiaoke client against a local server in the OpenAPI's shapes: token, errors, paging."""

from __future__ import annotations

import time

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from ingestion.fxiaoke import FxiaokeAuthError, FxiaokeClient, FxiaokeError
from ingestion.redaction import ConnectorRequestError

from .fake_fxiaoke import APP, OPEN_USER_ID, FakeFxiaoke


class Clock:
    def __init__(self, now: float = 1_767_225_600.0) -> None:  # 2026-01-01T00:00:00Z
        self.now = now

    def __call__(self) -> float:
        return self.now


def client(server: HTTPServer, clock: Clock | None = None, **overrides: str) -> FxiaokeClient:
    credentials = {
        "app_id": APP["appId"],
        "app_secret": APP["appSecret"],
        "permanent_code": APP["permanentCode"],
        **overrides,
    }
    return FxiaokeClient(
        server.url_for(""), open_user_id=OPEN_USER_ID, clock=clock or Clock(), **credentials
    )


def all_ids(api: FxiaokeClient, api_name: str, page_size: int = 2, offset_cap: int = 4) -> list:
    return [
        record["_id"]
        for page in api.query_pages(api_name, 0, 2**62, page_size=page_size, offset_cap=offset_cap)
        for record in page
    ]


LEAD_IDS = [f"65a0000000000000000000a{n}" for n in range(1, 6)]


def test_token_is_cached_and_renewed_shortly_before_it_expires(httpserver: HTTPServer):
    # GIVEN a token valid for 7200 s
    fake = FakeFxiaoke().install(httpserver)
    clock = Clock()
    api = client(httpserver, clock)

    # WHEN two calls run within the first 6600 s
    all_ids(api, "AccountObj")
    clock.now += 6_000
    all_ids(api, "AccountObj")
    # THEN one token served both
    assert fake.tokens_issued == 1

    # WHEN less than 600 s of its life is left
    clock.now += 700
    all_ids(api, "AccountObj")
    # THEN a new one was requested before calling
    assert fake.tokens_issued == 2


def test_an_expired_token_error_renews_the_token_once_and_retries(httpserver: HTTPServer):
    # GIVEN the server drops the token just before the second page (errorCode 20016)
    fake = FakeFxiaoke().install(httpserver)
    fake.expire_token_before_query = {2}
    api = client(httpserver)

    # THEN paging continues with a new token, nothing lost or repeated
    assert all_ids(api, "LeadsObj") == LEAD_IDS
    assert fake.tokens_issued == 2


def test_bad_credentials_fail_naming_the_settings_but_not_their_values(httpserver: HTTPServer):
    FakeFxiaoke().install(httpserver)
    api = client(httpserver, app_secret="wrong-secret-value")

    with pytest.raises(FxiaokeAuthError) as raised:
        all_ids(api, "LeadsObj")

    message = str(raised.value)
    assert "20006" in message and "app_id" in message and "app_secret" in message
    assert "wrong-secret-value" not in message and APP["permanentCode"] not in message


def test_an_error_code_in_an_http_200_answer_fails_with_code_and_trace_id(httpserver: HTTPServer):
    fake = FakeFxiaoke().install(httpserver)
    fake.fail_query_at = {1: "query_parameter_error"}

    with pytest.raises(FxiaokeError) as raised:
        all_ids(client(httpserver), "LeadsObj")

    assert "LeadsObj" in str(raised.value)
    assert "errorCode 32000" in str(raised.value)
    assert "E-O.fktest.1453-9e8d7c6b5a4f" in str(raised.value)


def test_throttling_by_error_code_and_by_http_429_is_retried(httpserver: HTTPServer):
    # GIVEN two throttled answers (errorCode 14001 with HTTP 200), then an HTTP 429
    fake = FakeFxiaoke().install(httpserver)
    fake.throttle_codes = 2
    fake.http_429 = 1

    # THEN the query still returns everything once
    assert all_ids(client(httpserver), "LeadsObj") == LEAD_IDS
    assert fake.query_calls == 3 + 3  # 3 retried calls + 3 pages


def test_throttling_that_never_ends_fails_clearly(httpserver: HTTPServer):
    fake = FakeFxiaoke().install(httpserver)
    fake.throttle_codes = 100  # more than RUNTIME__REQUEST_MAX_ATTEMPTS

    with pytest.raises(FxiaokeError, match="still throttled after retries: errorCode 14001"):
        all_ids(client(httpserver), "LeadsObj")
    assert fake.query_calls == 4


def test_a_page_cut_off_mid_transfer_is_asked_again(httpserver: HTTPServer):
    # GIVEN the first page arrives as HTTP 200 with half of its JSON (a dropped connection)
    fake = FakeFxiaoke().install(httpserver)
    fake.cut_off = 1

    # THEN it is asked again and the query returns everything once
    assert all_ids(client(httpserver), "LeadsObj") == LEAD_IDS
    assert fake.query_calls == 1 + 3


def test_a_page_cut_off_on_every_attempt_fails_clearly(httpserver: HTTPServer):
    fake = FakeFxiaoke().install(httpserver)
    fake.cut_off = 100  # more than RUNTIME__REQUEST_MAX_ATTEMPTS

    with pytest.raises(FxiaokeError, match=r"HTTP 200 but the body is not JSON \(\d+ bytes, cut"):
        all_ids(client(httpserver), "LeadsObj")
    assert fake.query_calls == 4


def test_paging_past_the_offset_cap_switches_to_id_keyset(httpserver: HTTPServer):
    # GIVEN 5 leads, 2 a page, and an offset cap of 4
    fake = FakeFxiaoke(offset_cap=4).install(httpserver)

    # THEN every lead comes exactly once, in _id order
    assert all_ids(client(httpserver), "LeadsObj", page_size=2, offset_cap=4) == LEAD_IDS
    # AND the requests were: offset 0, offset 2, then offset 0 with _id GT the last _id seen
    paging = [
        (
            q["search_query_info"]["offset"],
            [
                f["field_values"]
                for f in q["search_query_info"]["filters"]
                if f["field_name"] == "_id"
            ],
        )
        for q in fake.queries
    ]
    assert paging == [(0, []), (2, []), (0, [[LEAD_IDS[3]]])]
    assert all(
        q["search_query_info"]["orders"] == [{"fieldName": "_id", "isAsc": True}]
        for q in fake.queries
    )
    window = fake.queries[0]["search_query_info"]["filters"][0]
    assert window == {
        "field_name": "last_modified_time",
        "field_values": [0, 2**62],
        "operator": "BETWEEN",
    }


def test_a_server_offset_cap_lower_than_configured_is_handled(httpserver: HTTPServer):
    # GIVEN the server refuses offsets past 4 (errorCode 10013) but the client thinks 10,000
    FakeFxiaoke(offset_cap=4).install(httpserver)

    # THEN the client falls back to keyset paging on the refusal
    assert all_ids(client(httpserver), "LeadsObj", page_size=2, offset_cap=10_000) == LEAD_IDS


class SlowSecondQuery(FakeFxiaoke):
    """Answers page 2 (offset 2) only after the client has stopped waiting."""

    def _query(self, request: Request) -> Response:
        if request.get_json()["data"]["search_query_info"]["offset"] == 2:
            time.sleep(0.5)
        return super()._query(request)


def test_a_page_that_gets_no_answer_is_named_with_the_credentials_masked(
    slow_httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
):
    httpserver = slow_httpserver
    # GIVEN page 2 of leads never answers in time, and the base URL carries a proxy password
    SlowSecondQuery().install(httpserver)
    monkeypatch.setenv("RUNTIME__REQUEST_TIMEOUT", "0.2")
    host = f"{httpserver.host}:{httpserver.port}"
    api = FxiaokeClient(
        f"http://roi:proxy-secret@{host}",
        open_user_id=OPEN_USER_ID,
        clock=Clock(),
        app_id=APP["appId"],
        app_secret=APP["appSecret"],
        permanent_code=APP["permanentCode"],
    )

    # WHEN the query gives up on it
    with pytest.raises(ConnectorRequestError) as raised:
        all_ids(api, "LeadsObj")

    # THEN the error names the object and page 2, with the password masked
    message = str(raised.value)
    assert message.startswith(
        f"Fxiaoke data/query LeadsObj page 2 (offset 2) at http://***@{host}: ReadTimeout: "
    )
    assert "proxy-secret" not in message
