"""A fake Graph API on pytest-httpserver: act_<id>/insights with cursor paging."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from ...conftest import set_config
from ...fakes import cut_off, json_response, recorded, seen

ACCESS_TOKEN = "EAABsbCS1iHgBAsecret-system-user-token"
INSIGHTS = re.compile(r"^/v26\.0/act_(\d+)/insights$")
# (account, `after` cursor) -> recorded page
PAGES = {
    ("101", None): "insights_101_page_1",
    ("101", "MQZDZD"): "insights_101_page_2",
    ("101", "MgZDZD"): "insights_101_page_3",
    ("202", None): "insights_202",
}


@dataclass
class FakeMetaAds:
    server: HTTPServer
    pages: dict[tuple[str, str | None], str] = field(default_factory=lambda: dict(PAGES))
    # (account, until) -> recorded response for a whole time range (a later run)
    ranges: dict[tuple[str, str], str] = field(default_factory=dict)
    failing: dict[tuple[str, str | None], tuple[int, str]] = field(default_factory=dict)
    # pages answered 200 with half of their body, as by a connection dropped mid-transfer
    cut_off: set[tuple[str, str | None]] = field(default_factory=set)
    requests: list[dict[str, Any]] = field(default_factory=list)

    def install(self) -> FakeMetaAds:
        self.server.expect_request(INSIGHTS, method="GET").respond_with_handler(self._insights)
        return self

    def configure(self, monkeypatch: pytest.MonkeyPatch, **overrides: object) -> None:
        values: dict[str, object] = {
            "access_token": ACCESS_TOKEN,
            "base_url": self.server.url_for("/v26.0"),
            "account_ids": "act_101,202",
            "start_date": "2026-03-01",
            "end_date": "2026-03-03",
        }
        values.update(overrides)
        set_config(monkeypatch, "meta_ads", **values)

    def _insights(self, request: Request) -> Response:
        account = INSIGHTS.match(request.path).group(1)
        request_seen = seen(request)
        request_seen["account"] = account
        request_seen["time_range"] = json.loads(request.args["time_range"])
        self.requests.append(request_seen)
        key = (account, request.args.get("after"))
        if key in self.failing:
            status, name = self.failing[key]
            return json_response(recorded("meta_ads", name), status)
        by_range = self.ranges.get((account, request_seen["time_range"]["until"]))
        # like the API, answer only the days of time_range
        since, until = request_seen["time_range"]["since"], request_seen["time_range"]["until"]
        body = recorded("meta_ads", by_range or self.pages[key])
        if "data" in body:
            body = {
                **body,
                "data": [row for row in body["data"] if since <= row["date_start"] <= until],
            }
        return cut_off(json_response(body)) if key in self.cut_off else json_response(body)
