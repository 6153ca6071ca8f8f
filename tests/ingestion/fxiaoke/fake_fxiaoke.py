"""A local stand-in for the Fxiaoke OpenAPI, answering with the documented envelopes.

It implements what the connector relies on: the corpAccessToken call, data/query with the
BETWEEN / GT filters, _id ordering, limit/offset and the offset cap (errorCode 10013), and it
can be told to misbehave: expire the token, throttle (errorCode 14001 or HTTP 429), cut a
page's JSON off half-way, or fail with an errorCode on a given query call. Envelopes and
records come from responses/.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from ..fakes import cut_off

RESPONSES = Path(__file__).parent / "responses"
APP = {"appId": "FSAID_test_app", "appSecret": "s3cr3t-app-secret", "permanentCode": "perm-code-42"}
OPEN_USER_ID = "FSUID_CBF443F942C4ABE8A46BE859066A5CD1"
API_NAMES = (
    "LeadsObj",
    "AccountObj",
    "NewOpportunityObj",
    "SalesOrderObj",
    "ActiveRecordObj",
    "CasesObj",
)


def set_tenant_env(monkeypatch, base_url: str, **settings: str) -> None:
    """The test tenant's settings, the way a deployment gives them: SOURCES__FXIAOKE__*
    variables. Pages of two records and an offset cap of four, so paging is exercised."""
    defaults = {
        "BASE_URL": base_url,
        "APP_ID": APP["appId"],
        "APP_SECRET": APP["appSecret"],
        "PERMANENT_CODE": APP["permanentCode"],
        "OPEN_USER_ID": OPEN_USER_ID,
        "START_DATE": "2026-01-01",
        "PAGE_SIZE": "2",
        "OFFSET_CAP": "4",
    }
    for key, value in {**defaults, **settings}.items():
        monkeypatch.setenv(f"SOURCES__FXIAOKE__{key}", value)


def envelope(name: str) -> dict[str, Any]:
    return json.loads((RESPONSES / f"{name}.json").read_text(encoding="utf-8"))


def records(api_name: str) -> list[dict[str, Any]]:
    return envelope(api_name)


class FakeFxiaoke:
    def __init__(self, offset_cap: int = 4, prefix: str = "") -> None:
        self.prefix = prefix
        self.offset_cap = offset_cap
        self.objects: dict[str, list[dict[str, Any]]] = {name: records(name) for name in API_NAMES}
        self.valid_tokens: set[str] = set()
        self.tokens_issued = 0
        self.queries: list[dict[str, Any]] = []  # the `data` of every data/query request
        self.query_calls = 0
        # misbehaviour, consumed as it happens
        self.expire_token_before_query: set[int] = set()  # query call numbers (1-based)
        self.throttle_codes = 0  # next N query calls answer errorCode 14001
        self.http_429 = 0  # next N query calls answer HTTP 429 with Retry-After
        self.cut_off = 0  # next N pages arrive as HTTP 200 with half of their JSON
        self.fail_query_at: dict[int, str] = {}  # query call number -> error envelope name
        # (dataObjectApiName, offset) -> error envelope name, answered once
        self.fail_page_once: dict[tuple[str, int], str] = {}
        self.bad_credentials = False

    def install(self, server: HTTPServer) -> FakeFxiaoke:
        server.expect_request(
            f"{self.prefix}/cgi/corpAccessToken/get/V2", method="POST"
        ).respond_with_handler(self._token)
        server.expect_request(
            f"{self.prefix}/cgi/crm/v2/data/query", method="POST"
        ).respond_with_handler(self._query)
        return self

    # --- handlers ---------------------------------------------------------------------

    def _token(self, request: Request) -> Response:
        assert request.args.get("thirdTraceId"), "every call carries a thirdTraceId"
        body = request.get_json()
        if self.bad_credentials or {k: body.get(k) for k in APP} != APP:
            return _json(envelope("token_bad_credentials"))
        self.tokens_issued += 1
        token = f"corp-token-{self.tokens_issued}"
        self.valid_tokens.add(token)
        answer = envelope("token_ok")
        answer["corpAccessToken"] = token
        return _json(answer)

    def _query(self, request: Request) -> Response:
        assert request.args.get("thirdTraceId"), "every call carries a thirdTraceId"
        self.query_calls += 1
        call = self.query_calls
        body = request.get_json()
        if self.http_429:
            self.http_429 -= 1
            return Response("Too Many Requests", status=429, headers={"Retry-After": "1"})
        if self.throttle_codes:
            self.throttle_codes -= 1
            return _json(envelope("query_throttled"))
        if call in self.fail_query_at:
            return _json(envelope(self.fail_query_at[call]))
        if call in self.expire_token_before_query:
            self.valid_tokens.clear()
        if body.get("corpAccessToken") not in self.valid_tokens:
            return _json(envelope("query_token_expired"))
        assert body.get("corpId") == envelope("token_ok")["corpId"]
        assert body.get("currentOpenUserId") == OPEN_USER_ID
        data = body["data"]
        self.queries.append(copy.deepcopy(data))
        info = data["search_query_info"]
        limit, offset = int(info["limit"]), int(info["offset"])
        failure = self.fail_page_once.pop((data["dataObjectApiName"], offset), None)
        if failure:
            return _json(envelope(failure))
        if offset + limit > self.offset_cap:
            return _json(envelope("query_offset_out_of_range"))
        rows = [r for r in self.objects[data["dataObjectApiName"]] if _matches(r, info["filters"])]
        for order in reversed(info.get("orders") or []):
            rows.sort(key=lambda r, f=order["fieldName"]: r[f], reverse=not order["isAsc"])
        answer = envelope("query_ok")
        answer["data"].update(dataList=rows[offset : offset + limit], offset=offset, limit=limit)
        if self.cut_off:
            self.cut_off -= 1
            return cut_off(_json(answer))
        return _json(answer)

    # --- changing the CRM between runs ------------------------------------------------

    def update(self, api_name: str, record_id: str, **fields: Any) -> None:
        for record in self.objects[api_name]:
            if record["_id"] == record_id:
                record.update(fields)
                return
        raise KeyError(record_id)


def _matches(record: dict[str, Any], filters: list[dict[str, Any]]) -> bool:
    for condition in filters:
        value = record.get(condition["field_name"])
        operands = condition["field_values"]
        operator = condition["operator"]
        if operator == "BETWEEN":
            if not operands[0] <= value <= operands[1]:
                return False
        elif operator == "GT":
            if not value > operands[0]:
                return False
        else:
            raise AssertionError(f"operator {operator} not expected")
    return True


def _json(payload: dict[str, Any]) -> Response:
    # Fxiaoke answers HTTP 200 whatever the errorCode.
    return Response(
        json.dumps(payload, ensure_ascii=False), status=200, content_type="application/json"
    )
