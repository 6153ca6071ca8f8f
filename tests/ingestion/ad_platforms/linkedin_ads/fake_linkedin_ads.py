"""A fake LinkedIn Marketing API on pytest-httpserver: adAnalytics, adAccounts, adCampaigns."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from ...conftest import set_config
from ...fakes import cut_off, json_response, recorded, seen

ACCESS_TOKEN = "AQV-linkedin-member-token-secret"
ACCOUNT = re.compile(r"^/rest/adAccounts/(\d+)$")
CAMPAIGNS = re.compile(r"^/rest/adAccounts/(\d+)/adCampaigns$")
DATE_RANGE = re.compile(
    r"^\(start:\(year:(\d+),month:(\d+),day:(\d+)\),end:\(year:(\d+),month:(\d+),day:(\d+)\)\)$"
)
ACCOUNTS = re.compile(r"^List\(urn:li:sponsoredAccount:(\d+)\)$")
# (account, first day, last day) -> recorded analytics response
SLICES = {
    ("501", "2026-03-01", "2026-03-02"): "analytics_501_0301_0302",
    ("501", "2026-03-03", "2026-03-03"): "analytics_501_0303_0303",
    ("502", "2026-03-01", "2026-03-02"): "analytics_empty",
    ("502", "2026-03-03", "2026-03-03"): "analytics_502_0303_0303",
}
CAMPAIGN_PAGES = {
    ("501", None): "campaigns_501_page_1",
    ("501", "DgGerr1iVQreCJVjZDOW_grcp63nueBDipsS4DJpvJo"): "campaigns_501_page_2",
    ("502", None): "campaigns_502",
}


@dataclass
class FakeLinkedInAds:
    server: HTTPServer
    slices: dict[tuple[str, str, str], str] = field(default_factory=lambda: dict(SLICES))
    failing: dict[tuple[str, str, str], tuple[int, str]] = field(default_factory=dict)
    # slices answered 200 with half of the body, as by a connection dropped mid-transfer
    cut_off: set[tuple[str, str, str]] = field(default_factory=set)
    requests: list[dict[str, Any]] = field(default_factory=list)

    def install(self) -> FakeLinkedInAds:
        server = self.server
        server.expect_request("/rest/adAnalytics").respond_with_handler(self._analytics)
        server.expect_request(CAMPAIGNS).respond_with_handler(self._campaigns)
        server.expect_request(ACCOUNT).respond_with_handler(self._account)
        return self

    def configure(self, monkeypatch: pytest.MonkeyPatch, **overrides: object) -> None:
        values: dict[str, object] = {
            "access_token": ACCESS_TOKEN,
            "base_url": self.server.url_for("/").rstrip("/"),
            "account_ids": "urn:li:sponsoredAccount:501,502",
            "api_version": "202607",
            "start_date": "2026-03-01",
            "end_date": "2026-03-03",
            "slice_days": 2,
        }
        values.update(overrides)
        set_config(monkeypatch, "linkedin_ads", **values)

    def analytics_requests(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["path"] == "/rest/adAnalytics"]

    def _record(self, request: Request) -> dict[str, Any]:
        request_seen = seen(request)
        self.requests.append(request_seen)
        return request_seen

    def _analytics(self, request: Request) -> Response:
        request_seen = self._record(request)
        parts = [int(part) for part in DATE_RANGE.match(request.args["dateRange"]).groups()]
        first, last = date(*parts[:3]).isoformat(), date(*parts[3:]).isoformat()
        account = ACCOUNTS.match(request.args["accounts"]).group(1)
        key = request_seen["slice"] = (account, first, last)
        if key in self.failing:
            status, name = self.failing[key]
            return json_response(recorded("linkedin_ads", name), status)
        # a slice the recordings do not cover had no activity: LinkedIn answers no elements
        response = json_response(recorded("linkedin_ads", self.slices.get(key, "analytics_empty")))
        return cut_off(response) if key in self.cut_off else response

    def _campaigns(self, request: Request) -> Response:
        self._record(request)
        account = CAMPAIGNS.match(request.path).group(1)
        page = CAMPAIGN_PAGES[(account, request.args.get("pageToken"))]
        return json_response(recorded("linkedin_ads", page))

    def _account(self, request: Request) -> Response:
        self._record(request)
        account = ACCOUNT.match(request.path).group(1)
        return json_response(recorded("linkedin_ads", f"ad_account_{account}"))
