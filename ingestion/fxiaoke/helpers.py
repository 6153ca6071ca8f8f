"""Fxiaoke OpenAPI calls: the corpAccessToken, errorCode handling, paging, field mapping."""

from __future__ import annotations

import copy
import datetime as dt
import decimal
import json
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from typing import Any
from zoneinfo import ZoneInfo

from dlt.common import logger
from dlt.sources.helpers.requests import Client, Request, Response
from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.paginators import BasePaginator
from requests import HTTPError, PreparedRequest
from requests.auth import AuthBase

from foundation.redaction import redact_url

from ..file_contract import FileSpec
from ..http_retries import is_cut_off, json_body, token_renewed, watched_client, with_session_hooks
from ..redaction import RedactedError, requests_redacted, send
from .settings import (
    CREDENTIAL_ERROR_CODES,
    CURSOR_FIELD,
    DATE_FIELDS,
    DEFAULT_FIELD_MAP,
    DEFAULT_VALUE_MAP,
    DELETED_LIFE_STATUSES,
    ERROR_HINTS,
    ID_FIELD,
    OBJECTS_BY_API_NAME,
    OBJECTS_BY_RESOURCE,
    OFFSET_OUT_OF_RANGE_CODE,
    QUERY_PATH,
    QUOTA_ERROR_CODES,
    RETRYABLE_CODES,
    SUCCESS,
    TOKEN_EXPIRED_CODES,
    TOKEN_PATH,
    TOKEN_REFRESH_MARGIN_SECONDS,
)


class FxiaokeError(RuntimeError):
    """A Fxiaoke call failed; the message names the call, errorCode and traceId, never secrets."""


class FxiaokeAuthError(FxiaokeError):
    """Fxiaoke refused the app credentials or the open user id."""


class OffsetOutOfRange(FxiaokeError):
    """data/query refused an offset past the cap (errorCode 10013)."""


def _error_code(response: Response | None) -> Any:
    if response is None or response.status_code != 200:
        return None
    try:
        payload = json_body(response)
    except ValueError:
        return None
    return payload.get("errorCode") if isinstance(payload, dict) else None


def _is_throttled(response: Response | None, exception: BaseException | None) -> bool:
    """Retry predicate: HTTP 200 carrying a throttling / system-busy errorCode."""
    return _error_code(response) in RETRYABLE_CODES


def _describe(payload: Mapping[str, Any]) -> str:
    code = payload.get("errorCode")
    text = ERROR_HINTS.get(code) or payload.get("errorMessage") or "no message"
    trace = payload.get("traceId")
    return f"errorCode {code}: {text}" + (f" (traceId {trace})" if trace else "")


class FxiaokeClient:
    """One tenant's OpenAPI: caches the corpAccessToken and renews it before it expires.

    HTTP goes through dlt's requests client: 429 / 5xx and the throttling errorCodes
    (RETRYABLE_CODES, sent with HTTP 200) are retried with exponential backoff honouring
    Retry-After, as configured by dlt's `[runtime] request_*` settings.
    """

    def __init__(
        self,
        base_url: str,
        app_id: str,
        app_secret: str,
        permanent_code: str,
        open_user_id: str,
        *,
        http: Client | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._app_id = app_id
        self._app_secret = app_secret
        self._permanent_code = permanent_code
        self.open_user_id = open_user_id
        self._http = http or watched_client(
            "fxiaoke", [_is_throttled, is_cut_off], raise_for_status=False
        )
        self._clock = clock
        self._token: str | None = None
        self._corp_id: str | None = None
        self._renew_at = 0.0
        self.token_requests = 0

    def now_ms(self) -> int:
        return int(self._clock() * 1000)

    def _post(self, path: str, body: Mapping[str, Any], what: str) -> dict[str, Any]:
        # thirdTraceId: the manual asks for a unique caller trace id on every request.
        where = redact_url(self.base_url)
        response = send(
            f"Fxiaoke {what} at {where}",
            self._http.post,
            f"{self.base_url}{path}",
            params={"thirdTraceId": str(uuid.uuid4())},
            json=body,
        )
        problem = _http_problem(response, f"Fxiaoke {what} at {where}")
        if problem is not None:
            raise FxiaokeError(problem)
        payload = json_body(response)
        if not isinstance(payload, dict) or "errorCode" not in payload:
            raise FxiaokeError(f"Fxiaoke {what}: response has no errorCode")
        return payload

    def invalidate_token(self) -> None:
        self._token = None

    def token(self) -> tuple[str, str]:
        """The cached (corpAccessToken, corpId), renewed when it is about to expire."""
        if self._token is None or self._clock() >= self._renew_at:
            self._renew_token()
        assert self._token is not None and self._corp_id is not None
        return self._token, self._corp_id

    def _renew_token(self) -> None:
        self.token_requests += 1
        if self.token_requests > 1:
            token_renewed("fxiaoke")
        payload = self._post(
            TOKEN_PATH,
            {
                "appId": self._app_id,
                "appSecret": self._app_secret,
                "permanentCode": self._permanent_code,
            },
            "corpAccessToken/get/V2",
        )
        code = payload.get("errorCode")
        if code != SUCCESS:
            if code in RETRYABLE_CODES:
                raise FxiaokeError(
                    f"Fxiaoke corpAccessToken/get/V2 still throttled after retries: "
                    f"{_describe(payload)}"
                )
            raise FxiaokeAuthError(
                "Fxiaoke refused a corpAccessToken for the configured app "
                "(sources.fxiaoke app_id / app_secret / permanent_code): " + _describe(payload)
            )
        token, corp_id = payload.get("corpAccessToken"), payload.get("corpId")
        if not token or not corp_id:
            raise FxiaokeAuthError("Fxiaoke token response lacks corpAccessToken or corpId")
        expires_in = float(payload.get("expiresIn") or 7200)
        self._token, self._corp_id = str(token), str(corp_id)
        lifetime = max(expires_in - TOKEN_REFRESH_MARGIN_SECONDS, expires_in / 2)
        self._renew_at = self._clock() + lifetime

    def error(
        self, code: Any, payload: Mapping[str, Any], what: str, data: Mapping[str, Any]
    ) -> FxiaokeError:
        """The error for an answer whose errorCode is not success, naming the call."""
        offset = (data.get("search_query_info") or {}).get("offset") or 0
        if code == OFFSET_OUT_OF_RANGE_CODE and offset:
            return OffsetOutOfRange(f"Fxiaoke {what}: {_describe(payload)}")
        if code in TOKEN_EXPIRED_CODES:
            return FxiaokeAuthError(
                f"Fxiaoke {what}: the corpAccessToken was refused even after renewing it: "
                + _describe(payload)
            )
        if code in (11008, 20012, 20014):
            return FxiaokeAuthError(
                f"Fxiaoke {what}: sources.fxiaoke open_user_id refused: {_describe(payload)}"
            )
        if code in CREDENTIAL_ERROR_CODES:
            return FxiaokeAuthError(f"Fxiaoke {what}: {_describe(payload)}")
        if code in RETRYABLE_CODES:
            return FxiaokeError(
                f"Fxiaoke {what}: still throttled after retries: {_describe(payload)}"
            )
        if code in QUOTA_ERROR_CODES:
            return FxiaokeError(f"Fxiaoke {what}: {_describe(payload)}")
        return FxiaokeError(f"Fxiaoke {what} failed: {_describe(payload)}")

    def query_pages(
        self,
        api_name: str,
        start_ms: int,
        end_ms: int,
        *,
        page_size: int,
        offset_cap: int,
    ) -> Iterator[list[dict[str, Any]]]:
        """Pages of records with start_ms <= last_modified_time <= end_ms, in _id order,
        through dlt's RESTClient and `DataQueryPaginator`.

        Offset paging while offset + limit stays within `offset_cap`; past it (or when the
        server answers errorCode 10013) keyset paging: offset 0 and `_id GT <last _id>`. Both
        order on _id, so switching from one to the other neither skips nor repeats a record.
        """
        paginator = DataQueryPaginator(self, api_name, start_ms, end_ms, page_size, offset_cap)
        where = redact_url(self.base_url)

        def check(response: Response, *args: Any, **kwargs: Any) -> None:
            _raise_for_http(response, f"Fxiaoke {paginator.what()} at {where}")

        pages = RESTClient(base_url=self.base_url, session=self._http.session).paginate(
            QUERY_PATH,
            method="POST",
            auth=TokenEnvelope(self),
            paginator=paginator,
            data_selector="data.dataList",
            hooks=with_session_hooks(self._http.session, check),
        )
        # a page that got no answer is the one the paginator was about to ask for
        for records in requests_redacted(lambda: f"Fxiaoke {paginator.what()} at {where}", pages):
            if records:
                yield list(records)


class FxiaokeResponseError(FxiaokeError, RedactedError, HTTPError):
    """A failed HTTP answer (an HTTP error, or a 200 whose JSON is cut off). It carries the
    response: raised as each answer arrives, it is what dlt's retries look at, so an answer
    worth retrying is asked again and only the last one's error is raised."""

    def __init__(self, message: str, response: Response | None = None) -> None:
        super().__init__(message)
        self.response = response


def _http_problem(response: Response, request: str) -> str | None:
    """What is wrong with an answer to `request` (an HTTP error, or a 200 whose body is not
    JSON), if anything."""
    if response.status_code != 200:
        return f"{request}: HTTP {response.status_code}" + (
            " (still throttled after retries)" if response.status_code == 429 else ""
        )
    try:
        json_body(response)
    except ValueError:
        return (
            f"{request}: HTTP 200 but the body is not JSON "
            f"({len(response.content)} bytes, cut off?) after retries"
        )
    return None


def _raise_for_http(response: Response, request: str) -> None:
    problem = _http_problem(response, request)
    if problem is not None:
        raise FxiaokeResponseError(problem, response)


class DataQueryPaginator(BasePaginator):
    """data/query paging: offset pages, then `_id` keyset pages, each request in the token
    envelope with a fresh thirdTraceId.

    Offset paging while offset + limit stays within `offset_cap`; past it, or when the server
    refuses an offset (errorCode 10013), the same page again by keyset: offset 0 and `_id GT
    <last _id>`. An expired corpAccessToken is renewed once and the same page asked again.
    Every other errorCode fails, naming the object and the page. Paging ends with a page
    shorter than `page_size`.
    """

    def __init__(
        self,
        client: FxiaokeClient,
        api_name: str,
        start_ms: int,
        end_ms: int,
        page_size: int,
        offset_cap: int,
    ) -> None:
        super().__init__()
        self.client = client
        self.api_name = api_name
        self.window = {
            "field_name": CURSOR_FIELD,
            "field_values": [start_ms, end_ms],
            "operator": "BETWEEN",
        }
        self.page_size = page_size
        self.offset_cap = offset_cap
        self.offset, self.last_id, self.keyset, self.number = 0, None, False, 1
        self.token_renewed = False  # for the page being asked

    def query(self) -> dict[str, Any]:
        filters = [self.window]
        if self.keyset and self.last_id is not None:
            filters.append(
                {"field_name": ID_FIELD, "field_values": [self.last_id], "operator": "GT"}
            )
        return {
            "dataObjectApiName": self.api_name,
            "find_explicit_total_num": False,
            "search_query_info": {
                "limit": self.page_size,
                "offset": 0 if self.keyset else self.offset,
                "filters": filters,
                "orders": [{"fieldName": ID_FIELD, "isAsc": True}],
            },
        }

    def what(self) -> str:
        """`data/query LeadsObj page 2 (offset 2)`: the object, the page and where it starts."""
        if self.keyset and self.last_id is not None:
            start = f"after _id {self.last_id}"
        else:
            start = f"offset {0 if self.keyset else self.offset}"
        return f"data/query {self.api_name} page {self.number} ({start})"

    def init_request(self, request: Request) -> None:
        self.update_request(request)

    def update_request(self, request: Request) -> None:
        request.json = self.query()  # TokenEnvelope wraps it as the request is sent
        # thirdTraceId: the manual asks for a unique caller trace id on every request
        request.params = {"thirdTraceId": str(uuid.uuid4())}

    def update_state(self, response: Response, data: list[Any] | None = None) -> None:
        # BasePaginator's documented contract: update_state sets _has_next_page
        payload = json_body(response)
        what = self.what()
        if not isinstance(payload, dict) or "errorCode" not in payload:
            raise FxiaokeError(f"Fxiaoke {what}: response has no errorCode")
        code = payload.get("errorCode")
        if code != SUCCESS:
            if code in TOKEN_EXPIRED_CODES and not self.token_renewed:
                logger.info(f"Fxiaoke {what}: corpAccessToken expired, renewing it")
                self.client.invalidate_token()
                self.token_renewed = True
                return  # the same page again
            error = self.client.error(code, payload, what, self.query())
            if isinstance(error, OffsetOutOfRange) and not self.keyset:
                self.keyset = True  # the same page again, by keyset
                self.token_renewed = False
                return
            raise error
        self.token_renewed = False
        records = data or []
        if records:
            self.last_id = records[-1].get(ID_FIELD)
        if len(records) < self.page_size:
            self._has_next_page = False
            return
        self.number += 1
        if not self.keyset:
            self.offset += len(records)
            self.keyset = self.offset + self.page_size > self.offset_cap


class TokenEnvelope(AuthBase):
    """Wraps a request's JSON body, as `data`, in the envelope of the corpAccessToken as the
    request is prepared, right before it is sent. dlt extracts the objects' resources in turns,
    so a token one of them renewed must reach the next request of every other."""

    def __init__(self, client: FxiaokeClient) -> None:
        self.client = client

    def __call__(self, request: PreparedRequest) -> PreparedRequest:
        token, corp_id = self.client.token()  # renewed when it is about to expire
        data = json.loads(request.body or b"null")
        envelope = {
            "corpAccessToken": token,
            "corpId": corp_id,
            "currentOpenUserId": self.client.open_user_id,
            "data": data,
        }
        request.prepare_body(data=None, files=None, json=envelope)
        return request


# --- mapping Fxiaoke records to file-drop rows ------------------------------------------


def resolve_object_names(overrides: Mapping[str, str] | None) -> dict[str, str]:
    """resource -> dataObjectApiName, defaults overridden by config `object_api_names`."""
    names = {resource: obj.api_name for resource, obj in OBJECTS_BY_RESOURCE.items()}
    for resource, api_name in (overrides or {}).items():
        if resource not in names:
            raise ValueError(
                f"sources.fxiaoke object_api_names: unknown resource {resource!r}; "
                f"expected one of {', '.join(names)}"
            )
        names[resource] = str(api_name)
    return names


def _resource_of(key: str, setting: str) -> str:
    if key in OBJECTS_BY_RESOURCE:
        return key
    if key in OBJECTS_BY_API_NAME:
        return OBJECTS_BY_API_NAME[key].resource
    raise ValueError(
        f"sources.fxiaoke {setting}: unknown object {key!r}; use a raw table name "
        f"({', '.join(OBJECTS_BY_RESOURCE)}) or its Fxiaoke API name "
        f"({', '.join(OBJECTS_BY_API_NAME)})"
    )


def resolve_field_map(
    overrides: Mapping[str, Mapping[str, str | None]] | None, specs: Mapping[str, FileSpec]
) -> dict[str, dict[str, str | None]]:
    """The default field map with the tenant's overrides (config `field_map`) applied."""
    result = copy.deepcopy(DEFAULT_FIELD_MAP)
    for key, mapping in (overrides or {}).items():
        resource = _resource_of(key, "field_map")
        allowed = set(specs[resource].column_names) | {"is_deleted"}
        for column, field_name in dict(mapping).items():
            if column not in allowed:
                raise ValueError(
                    f"sources.fxiaoke field_map.{key}: {column!r} is not a column of "
                    f"raw_crm.{resource} (columns: {', '.join(sorted(allowed))})"
                )
            result[resource][column] = field_name or None
    return result


def resolve_value_map(
    overrides: Mapping[str, Mapping[str, Mapping[str, str]]] | None,
) -> dict[str, dict[str, dict[str, str]]]:
    """The default value map with config `value_map` applied (a column's map is replaced)."""
    result = copy.deepcopy(DEFAULT_VALUE_MAP)
    for key, columns in (overrides or {}).items():
        resource = _resource_of(key, "value_map")
        for column, mapping in dict(columns).items():
            result.setdefault(resource, {})[column] = {str(k): str(v) for k, v in mapping.items()}
    return result


def pick(record: Mapping[str, Any], path: str | None) -> Any:
    """The value at a dotted path; a list gives its first element (lookups are lists)."""
    if not path:
        return None
    value: Any = record
    for part in path.split("."):
        if isinstance(value, list):
            value = value[0] if value else None
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    if isinstance(value, list):
        value = value[0] if value else None
    return value


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, Mapping):
        value = value.get("id") or value.get("_id") or value.get("value")
        if value is None:
            return None
    text = str(value).strip()
    return text or None


def _epoch_ms(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def to_timestamp(value: Any) -> dt.datetime | None:
    """Epoch ms (Fxiaoke's timestamps) or ISO-8601 text -> tz-aware UTC datetime."""
    if value is None or value == "":
        return None
    millis = _epoch_ms(value)
    if millis is not None:
        return dt.datetime.fromtimestamp(millis / 1000, tz=dt.UTC)
    parsed = dt.datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


def to_date(value: Any, tenant_zone: ZoneInfo) -> dt.date | None:
    """Epoch ms of local midnight (Fxiaoke date fields) -> the date in the tenant's zone."""
    if value is None or value == "":
        return None
    millis = _epoch_ms(value)
    if millis is not None:
        return dt.datetime.fromtimestamp(millis / 1000, tz=tenant_zone).date()
    return dt.date.fromisoformat(str(value).strip()[:10])


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("true", "1", "yes")


def is_deleted(record: Mapping[str, Any], deleted_path: str | None = "is_deleted") -> bool:
    """Deleted in the CRM (is_deleted) or voided (life_status invalid)."""
    flag = pick(record, deleted_path) if deleted_path else None
    return (flag is not None and _to_bool(flag)) or record.get(
        "life_status"
    ) in DELETED_LIFE_STATUSES


class RecordMapper:
    """Turns one Fxiaoke record into one row of a raw table, shaped as in the file drop."""

    def __init__(
        self,
        spec: FileSpec,
        field_map: Mapping[str, str | None],
        value_map: Mapping[str, Mapping[str, str]],
        tenant_zone: ZoneInfo,
        default_currency: str | None = None,
        date_fields: tuple[str, ...] = DATE_FIELDS,
    ) -> None:
        self.spec = spec
        self.date_fields = set(date_fields)
        self.field_map = field_map
        self.value_map = value_map
        self.tenant_zone = tenant_zone
        self.default_currency = default_currency.upper() if default_currency else None
        self._warned: set[tuple[str, str]] = set()

    def _value(self, column: str, raw: Any) -> Any:
        mapping = self.value_map.get(column)
        if mapping is None:
            return raw
        key = _text(raw)
        if key is not None and key in mapping:
            return mapping[key]
        return mapping.get("*", raw)

    def map(self, record: Mapping[str, Any]) -> dict[str, Any]:
        row: dict[str, Any] = {}
        for column in self.spec.columns:
            if column.name == "is_deleted":
                row[column.name] = is_deleted(record, self.field_map.get("is_deleted"))
                continue
            path = self.field_map.get(column.name)
            raw = self._value(column.name, pick(record, path))
            if column.kind == "timestamp" and path in self.date_fields:
                day = to_date(raw, self.tenant_zone)
                row[column.name] = (
                    None if day is None else dt.datetime(*day.timetuple()[:3], tzinfo=dt.UTC)
                )
            else:
                row[column.name] = self._convert(column.kind, raw)
            if column.allowed and row[column.name] not in (None, *column.allowed):
                self._warn_unmapped(column.name, row[column.name], column.allowed)
        if "currency" in row and row["currency"] is None:
            row["currency"] = self.default_currency
        return row

    def _convert(self, kind: str, raw: Any) -> Any:
        if kind == "timestamp":
            return to_timestamp(raw)
        if kind == "date":
            return to_date(raw, self.tenant_zone)
        if kind == "boolean":
            return None if raw is None or raw == "" else _to_bool(raw)
        text = _text(raw)
        if text is None:
            return None
        if kind == "decimal":
            return decimal.Decimal(text.replace(",", ""))
        if kind == "integer":
            return int(decimal.Decimal(text))
        if kind == "currency":
            return text.upper()
        return text

    def _warn_unmapped(self, column: str, value: str, allowed: tuple[str, ...]) -> None:
        if (column, value) in self._warned:
            return
        self._warned.add((column, value))
        logger.warning(
            f"Fxiaoke {self.spec.table}.{column}: value {value!r} is not one of "
            f"{', '.join(allowed)}; map it with sources.fxiaoke "
            f"value_map.{self.spec.table}.{column}"
        )
