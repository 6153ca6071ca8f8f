"""A fake Google Ads API on pytest-httpserver: OAuth token endpoint and googleAds:searchStream."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from ...conftest import set_config
from ...fakes import cut_off, json_response, recorded, seen

SECRETS = {
    "developer_token": "dev-token-XYZ123",
    "client_id": "1234-abc.apps.googleusercontent.com",
    "client_secret": "GOCSPX-client-secret-value",
    "refresh_token": "1//0refresh-token-value",
}
STREAM = re.compile(r"^/v26/customers/(\d+)/googleAds:searchStream$")
RANGE = re.compile(r"segments\.date BETWEEN '(\d{4}-\d\d-\d\d)' AND '(\d{4}-\d\d-\d\d)'")


@dataclass
class FakeGoogleAds:
    server: HTTPServer
    # customer id -> recorded searchStream response name
    streams: dict[str, str] = field(
        default_factory=lambda: {
            "1234567890": "search_stream_1234567890",
            "2222222222": "search_stream_2222222222",
        }
    )
    tokens: list[str] = field(default_factory=lambda: ["token"])  # recorded, in issue order
    rejected_tokens: set[str] = field(default_factory=set)  # access tokens answered with 401
    failing: dict[str, tuple[int, str]] = field(default_factory=dict)  # customer -> error
    # customers answered 200 with half of the body, as by a connection dropped mid-transfer
    cut_off: set[str] = field(default_factory=set)
    token_requests: list[dict[str, Any]] = field(default_factory=list)
    stream_requests: list[dict[str, Any]] = field(default_factory=list)

    def install(self) -> FakeGoogleAds:
        self.server.expect_request("/token", method="POST").respond_with_handler(self._token)
        self.server.expect_request(STREAM, method="POST").respond_with_handler(self._stream)
        return self

    def configure(self, monkeypatch: pytest.MonkeyPatch, **overrides: object) -> None:
        values: dict[str, object] = {
            **SECRETS,
            "base_url": self.server.url_for("/").rstrip("/"),
            "token_url": self.server.url_for("/token"),
            "login_customer_id": "999-000-1111",
            "customer_ids": "123-456-7890,2222222222",
            "start_date": "2026-03-01",
            "end_date": "2026-03-03",
        }
        values.update(overrides)
        set_config(monkeypatch, "google_ads", **{k: v for k, v in values.items() if v is not None})

    def _token(self, request: Request) -> Response:
        self.token_requests.append(seen(request))
        name = self.tokens[min(len(self.token_requests), len(self.tokens)) - 1]
        body = recorded("google_ads", name)
        return json_response(body, 400 if "error" in body else 200)

    def _stream(self, request: Request) -> Response:
        customer = STREAM.match(request.path).group(1)
        request_seen = seen(request)
        request_seen["customer"] = customer
        request_seen["range"] = RANGE.search(request_seen["json"]["query"]).groups()
        self.stream_requests.append(request_seen)
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if token in self.rejected_tokens:
            return json_response(recorded("google_ads", "error_401_unauthenticated"), 401)
        if customer in self.failing:
            status, name = self.failing[customer]
            return json_response(recorded("google_ads", name), status)
        # like the API, answer only the days the query asks for
        first, last = request_seen["range"]
        batches = [
            {**batch, "results": [r for r in batch.get("results", [])
                                  if first <= r["segments"]["date"] <= last]}
            for batch in recorded("google_ads", self.streams[customer])
        ]  # fmt: skip
        response = json_response(batches)
        return cut_off(response) if customer in self.cut_off else response


def throttled_then_expired(
    httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch, **config: object
) -> FakeGoogleAds:
    """Google Ads whose report answers 429 (Retry-After: 1 s), then 503, then 401 for the
    access token it issued first (expired early), then the report; installed and configured
    for customer 123-456-7890."""
    google = FakeGoogleAds(
        httpserver, tokens=["token", "token_refreshed"], rejected_tokens={"ya29.a0AfB_first"}
    )
    faults = [
        json_response(
            recorded("google_ads", "error_429_resource_exhausted"), 429, {"Retry-After": "1"}
        ),
        Response("backend unavailable", status=503),
    ]
    httpserver.expect_request(STREAM, method="POST").respond_with_handler(
        lambda request: faults.pop(0) if faults else google._stream(request)
    )
    google.install().configure(monkeypatch, customer_ids="123-456-7890", **config)
    monkeypatch.setenv("RUNTIME__REQUEST_MAX_RETRY_DELAY", "5")  # Retry-After is honoured
    return google
