"""A local stand-in for NetSuite's SuiteQL REST endpoint, in its documented shapes.

It checks every request the way NetSuite would: an OAuth 1.0a HMAC-SHA256 signature under the
account's realm, verified with `expected_signature` below (written independently of the
connector's signer), a fresh nonce, `Prefer: transient`, and limit/offset paging with
hasMore. The cost rows are the ones in responses/suiteql_costs.json, filtered by the
`{since}` the query carries.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import re
import urllib.parse
from pathlib import Path
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from ..fakes import cut_off

RESPONSES = Path(__file__).parent / "responses"
ACCOUNT_ID = "1234567_SB1"
CREDENTIALS = {
    "consumer_key": "ck-0f1e2d3c4b5a",
    "consumer_secret": "cs-very-secret-1",
    "token_id": "tk-9a8b7c6d5e4f",
    "token_secret": "ts-very-secret-2",
}
SINCE = re.compile(r"TO_TIMESTAMP\('([^']+)'")


def load(name: str) -> Any:
    return json.loads((RESPONSES / name).read_text(encoding="utf-8"))


def expected_signature(method: str, url: str, oauth: dict[str, str]) -> str:
    """A second, deliberately plain HMAC-SHA256 signer (RFC 5849 section 3.4)."""

    def enc(text: str) -> str:
        return urllib.parse.quote(text, safe="~-._")

    split = urllib.parse.urlsplit(url)
    pairs = urllib.parse.parse_qsl(split.query, keep_blank_values=True)
    pairs += [(k, v) for k, v in oauth.items() if k not in ("realm", "oauth_signature")]
    encoded = sorted((enc(k), enc(v)) for k, v in pairs)
    parameter_text = "&".join(k + "=" + v for k, v in encoded)
    uri = f"{split.scheme}://{split.netloc.lower()}{split.path}"
    base = method + "&" + enc(uri) + "&" + enc(parameter_text)
    key = enc(CREDENTIALS["consumer_secret"]) + "&" + enc(CREDENTIALS["token_secret"])
    return base64.b64encode(hmac.new(key.encode(), base.encode(), hashlib.sha256).digest()).decode()


def parse_authorization(header: str) -> dict[str, str]:
    assert header.startswith("OAuth "), header
    fields = re.findall(r'(\w+)="([^"]*)"', header[len("OAuth ") :])
    return {k: urllib.parse.unquote(v) for k, v in fields}


class FakeNetSuite:
    def __init__(self, prefix: str = "") -> None:
        self.prefix = prefix
        self.items: list[dict[str, Any]] = load("suiteql_costs.json")
        self.requests: list[dict[str, Any]] = []  # limit, offset, since, nonce of each request
        self.nonces: list[str] = []
        self.throttle = 0  # next N requests answer HTTP 429
        self.cut_off = 0  # next N pages arrive as HTTP 200 with half of their JSON

    def install(self, server: HTTPServer) -> FakeNetSuite:
        server.expect_request(
            f"{self.prefix}/services/rest/query/v1/suiteql", method="POST"
        ).respond_with_handler(self._suiteql)
        return self

    def _suiteql(self, request: Request) -> Response:
        oauth = parse_authorization(request.headers.get("Authorization", ""))
        self.nonces.append(oauth.get("oauth_nonce", ""))
        if self.throttle:
            self.throttle -= 1
            return _json(load("error_429_concurrency.json"), 429, {"Retry-After": "1"})
        # the URL NetSuite signs is the one the client addressed (host as sent)
        url = f"http://{request.host}{request.full_path}"
        valid = (
            oauth.get("realm") == ACCOUNT_ID
            and oauth.get("oauth_consumer_key") == CREDENTIALS["consumer_key"]
            and oauth.get("oauth_token") == CREDENTIALS["token_id"]
            and oauth.get("oauth_signature_method") == "HMAC-SHA256"
            and oauth.get("oauth_version") == "1.0"
            and self.nonces.count(oauth.get("oauth_nonce")) == 1
            and oauth.get("oauth_signature") == expected_signature("POST", url, oauth)
        )
        if not valid:
            return _json(load("error_401_invalid_login.json"), 401)
        assert request.headers.get("Prefer") == "transient"
        limit, offset = int(request.args["limit"]), int(request.args["offset"])
        since = SINCE.search(request.get_json()["q"]).group(1)
        self.requests.append({"limit": limit, "offset": offset, "since": since})
        rows = [copy.deepcopy(i) for i in self.items if i["posted_at"] >= since]
        page = load("suiteql_page.json")
        page["links"][0]["href"] = url
        page.update(
            items=rows[offset : offset + limit],
            count=len(rows[offset : offset + limit]),
            hasMore=offset + limit < len(rows),
            offset=offset,
            totalResults=len(rows),
        )
        if self.cut_off:
            self.cut_off -= 1
            return cut_off(_json(page))
        return _json(page)


def _json(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(payload), status=status, headers=headers, content_type="application/json"
    )
