"""NetSuite REST: OAuth 1.0a token-based authentication, SuiteQL paging, cost mapping."""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit
from zoneinfo import ZoneInfo

from dlt.common import logger
from dlt.sources.helpers.requests import Response
from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.paginators import OffsetPaginator
from requests import HTTPError
from requests.adapters import HTTPAdapter

from foundation.redaction import redact_url

from ..file_contract import COST_CATEGORIES
from ..http_retries import is_cut_off, json_body, watched_client, with_session_hooks
from ..redaction import RedactedError, requests_redacted
from .settings import (
    HOST_TEMPLATE,
    MAPPED_COLUMNS,
    MAX_ROWS_PER_QUERY,
    PROJECT_FIELDS,
    REQUIRED_COLUMNS,
    SIGNATURE_METHOD,
    SUITEQL_PATH,
)


class NetSuiteError(RuntimeError):
    """A NetSuite call failed; the message names the call and NetSuite's detail, never secrets."""


class NetSuiteAuthError(NetSuiteError):
    """NetSuite refused the token-based authentication or the role's permissions."""


class NetSuiteResponseError(NetSuiteError, RedactedError, HTTPError):
    """A failed answer (an HTTP error, or a 200 whose JSON is cut off). It carries the
    response: raised as each answer arrives, it is what dlt's retries look at, so an answer
    worth retrying is asked again and only the last one's error is raised."""

    def __init__(self, message: str, response: Response | None = None) -> None:
        super().__init__(message)
        self.response = response


# --- OAuth 1.0a (RFC 5849) -------------------------------------------------------------


def percent_encode(value: Any) -> str:
    """RFC 5849 3.6: UTF-8, then every byte except unreserved characters as %XX."""
    return quote(str(value), safe="-._~")


def base_string_uri(url: str) -> str:
    """RFC 5849 3.4.1.2: scheme and host in lower case, default port dropped, no query."""
    parts = urlsplit(url)
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    port = parts.port
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    return f"{scheme}://{host}{parts.path or '/'}"


def signature_base_string(
    method: str,
    url: str,
    oauth_params: Mapping[str, str],
    body_params: Sequence[tuple[str, str]] = (),
) -> str:
    """RFC 5849 3.4.1: METHOD & encoded URI & encoded normalised parameters.

    Parameters are the URL's query, form-encoded body parameters (a JSON body has none) and
    the oauth_* protocol parameters except realm and oauth_signature, each name and value
    percent-encoded, sorted by name then value, joined as name=value with '&'.
    """
    params = [*parse_qsl(urlsplit(url).query, keep_blank_values=True), *body_params]
    params += [(k, v) for k, v in oauth_params.items() if k not in ("realm", "oauth_signature")]
    normalized = "&".join(
        f"{name}={value}"
        for name, value in sorted((percent_encode(k), percent_encode(v)) for k, v in params)
    )
    return "&".join(
        (method.upper(), percent_encode(base_string_uri(url)), percent_encode(normalized))
    )


def sign(base_string: str, consumer_secret: str, token_secret: str, method: str) -> str:
    """HMAC-SHA256 (NetSuite) or HMAC-SHA1 over the base string, base64-encoded."""
    digest = {"HMAC-SHA256": hashlib.sha256, "HMAC-SHA1": hashlib.sha1}[method]
    key = f"{percent_encode(consumer_secret)}&{percent_encode(token_secret)}"
    mac = hmac.new(key.encode(), base_string.encode(), digest)
    return base64.b64encode(mac.digest()).decode()


def authorization_header(
    method: str,
    url: str,
    *,
    realm: str,
    consumer_key: str,
    consumer_secret: str,
    token_id: str,
    token_secret: str,
    signature_method: str = SIGNATURE_METHOD,
    nonce: str | None = None,
    timestamp: int | None = None,
    body_params: Sequence[tuple[str, str]] = (),
) -> str:
    """The `Authorization: OAuth realm="...", oauth_...` header of one request."""
    oauth = {
        "oauth_consumer_key": consumer_key,
        "oauth_token": token_id,
        "oauth_signature_method": signature_method,
        "oauth_timestamp": str(int(time.time()) if timestamp is None else timestamp),
        "oauth_nonce": nonce or secrets.token_hex(16),
        "oauth_version": "1.0",
    }
    base = signature_base_string(method, url, oauth, body_params)
    oauth["oauth_signature"] = sign(base, consumer_secret, token_secret, signature_method)
    fields = [f'realm="{percent_encode(realm)}"'] + [
        f'{name}="{percent_encode(value)}"' for name, value in oauth.items()
    ]
    return "OAuth " + ", ".join(fields)


def realm_of(account_id: str) -> str:
    """The OAuth realm: the account id in upper case with '_' (e.g. 1234567_SB1)."""
    return account_id.strip().upper().replace("-", "_")


def default_base_url(account_id: str) -> str:
    return HOST_TEMPLATE.format(account=account_id.strip().lower().replace("_", "-"))


class _SigningAdapter(HTTPAdapter):
    """Signs every attempt anew: a retried request must not reuse its nonce and timestamp."""

    def __init__(self, signer: Callable[[str, str], str]) -> None:
        super().__init__()
        self._signer = signer

    def send(self, request, *args, **kwargs):  # type: ignore[override]
        request.headers["Authorization"] = self._signer(request.method, request.url)
        return super().send(request, *args, **kwargs)


# --- SuiteQL ---------------------------------------------------------------------------


class NetSuiteClient:
    """SuiteQL over REST with token-based authentication (TBA), through dlt's requests client
    (429 / 5xx, and an HTTP 200 whose JSON is cut off, retried with backoff honouring
    Retry-After, per dlt's `[runtime]` settings)."""

    def __init__(
        self,
        account_id: str,
        consumer_key: str,
        consumer_secret: str,
        token_id: str,
        token_secret: str,
        base_url: str | None = None,
    ) -> None:
        self.account_id = account_id
        self.base_url = (base_url or default_base_url(account_id)).rstrip("/")
        self._credentials = {
            "realm": realm_of(account_id),
            "consumer_key": consumer_key,
            "consumer_secret": consumer_secret,
            "token_id": token_id,
            "token_secret": token_secret,
        }
        self._session = None
        self.last_query_truncated = False

    def _signer(self, method: str, url: str) -> str:
        return authorization_header(method, url, **self._credentials)

    @property
    def session(self):
        if self._session is None:
            session = watched_client("netsuite", is_cut_off, raise_for_status=False).session
            adapter = _SigningAdapter(self._signer)
            session.mount("https://", adapter)
            session.mount("http://", adapter)
            self._session = session
        return self._session

    def _request(self, page: str = "") -> str:
        """`POST <base_url, credentials masked>/services/rest/query/v1/suiteql page ...`"""
        return f"POST {redact_url(self.base_url)}{SUITEQL_PATH}" + (f" {page}" if page else "")

    def _check(self, response: Response, page: str = "") -> dict[str, Any]:
        """The JSON body of a 200 answer; otherwise an error naming the account and, for
        errors not about credentials, the endpoint and the page (`page`)."""
        where = f"NetSuite SuiteQL for account {self.account_id}"
        request = self._request(page)
        if response.status_code == 200:
            try:
                return json_body(response)
            except ValueError:
                raise NetSuiteResponseError(
                    f"{where}: {request}: HTTP 200 but the body is not JSON "
                    f"({len(response.content)} bytes, cut off?) after retries",
                    response,
                ) from None
        detail = _error_detail(response)
        if response.status_code == 401:
            raise NetSuiteAuthError(
                f"{where}: token-based authentication refused (check sources.netsuite "
                f"account_id, consumer_key, consumer_secret, token_id, token_secret): {detail}"
            )
        if response.status_code == 403:
            raise NetSuiteAuthError(
                f"{where}: the token's role lacks a permission (REST Web Services, Log in using "
                f"Access Tokens, and view access to transactions, accounts, departments, "
                f"classes and currencies): {detail}"
            )
        if response.status_code == 429:
            raise NetSuiteResponseError(
                f"{where}: {request}: still throttled after retries: {detail}", response
            )
        raise NetSuiteResponseError(
            f"{where}: {request}: HTTP {response.status_code}: {detail}", response
        )

    def query_pages(
        self, query: str, page_size: int, max_rows: int = MAX_ROWS_PER_QUERY
    ) -> Iterator[list[dict[str, Any]]]:
        """Pages of one SuiteQL query: limit/offset until hasMore is false (SuiteQLPaginator,
        through dlt's RESTClient).

        Stops early (setting `last_query_truncated`) when the next page would pass
        `max_rows`, NetSuite's limit of rows per query.
        """
        self.last_query_truncated = False
        paginator = SuiteQLPaginator(page_size, max_rows)

        def check(response: Response, *args: Any, **kwargs: Any) -> None:
            self._check(response, paginator.describe_page())

        client = RESTClient(base_url=self.base_url, session=self.session)
        pages = client.paginate(
            SUITEQL_PATH,
            method="POST",
            json={"q": query},
            headers={"Prefer": "transient"},
            paginator=paginator,
            data_selector="items",
            hooks=with_session_hooks(self.session, check),
        )

        def unanswered() -> str:
            # a page that got no answer is the one the paginator was about to ask for
            request = self._request(f"page {paginator.number}")
            return f"NetSuite SuiteQL for account {self.account_id}: {request}"

        for page in requests_redacted(unanswered, pages):
            items = [{k: v for k, v in item.items() if k != "links"} for item in page]
            if items:
                yield items
        self.last_query_truncated = paginator.truncated


class SuiteQLPaginator(OffsetPaginator):
    """SuiteQL's limit/offset paging: the next offset is past the rows received, until
    `hasMore` is false or a page is empty. NetSuite refuses a query past `max_rows` rows, so
    paging stops before the page that would pass it and says so (`truncated`): the caller
    restarts the query from the newest row seen."""

    def __init__(self, limit: int, max_rows: int) -> None:
        super().__init__(limit=limit, total_path=None, has_more_path="hasMore")
        self.max_rows = max_rows
        self.number = 1  # the page asked for next (1-based), for errors
        self.truncated = False

    def describe_page(self) -> str:
        return f"page {self.number} (offset {self.current_value}, limit {self.limit})"

    def update_state(self, response: Response, data: list[Any] | None = None) -> None:
        # BasePaginator's documented contract: update_state sets _has_next_page
        if not json_body(response).get("hasMore") or not data:
            self._has_next_page = False
            return
        self.current_value += len(data)
        self.number += 1
        if self.current_value + self.limit > self.max_rows:
            self.truncated = True
            self._has_next_page = False


def _error_detail(response: Response) -> str:
    try:
        body = json_body(response)
    except ValueError:
        return response.reason or "no detail"
    details = body.get("o:errorDetails") or []
    texts = [
        f"{d.get('o:errorCode', '')} {d.get('detail', '')}".strip()
        for d in details
        if isinstance(d, Mapping)
    ]
    return "; ".join(texts) or body.get("title") or "no detail"


# --- rows ------------------------------------------------------------------------------


def validate_category_map(category_map: Mapping[str, str]) -> dict[str, str]:
    result = {}
    for key, category in category_map.items():
        if category not in COST_CATEGORIES:
            raise ValueError(
                f"sources.netsuite category_map[{key!r}] = {category!r}: the category must be "
                f"one of {', '.join(COST_CATEGORIES)}"
            )
        result[str(key).strip()] = category
    return result


def extra_fields(item: Mapping[str, Any], taken: Collection[str]) -> dict[str, str | None]:
    """The columns of a SuiteQL row the mapping does not use (MAPPED_COLUMNS) and that are not
    a raw column name (`taken`), as text: kept in raw_erp.costs as they came."""
    return {
        name: None if value is None else str(value)
        for name, value in item.items()
        if name not in MAPPED_COLUMNS and name not in taken
    }


class CostMapper:
    """One SuiteQL row -> one raw_erp.costs row."""

    def __init__(
        self,
        project_field: str,
        project_map: Mapping[str, str],
        category_map: Mapping[str, str],
        default_category: str,
        zone: ZoneInfo,
    ) -> None:
        if project_field not in PROJECT_FIELDS:
            raise ValueError(
                f"sources.netsuite project_field must be one of {', '.join(PROJECT_FIELDS)}, "
                f"not {project_field!r}"
            )
        if default_category not in COST_CATEGORIES:
            raise ValueError(
                f"sources.netsuite default_category must be one of {', '.join(COST_CATEGORIES)}"
            )
        self.project_field = project_field
        self.project_map = {str(k): str(v) for k, v in project_map.items()}
        categories = validate_category_map(category_map)
        self.by_number = {k: v for k, v in categories.items()}
        self.by_name = {k.lower(): v for k, v in categories.items()}
        self.default_category = default_category
        self.zone = zone
        self._unmapped: set[str] = set()

    def category(self, number: Any, name: Any) -> str:
        number_text = str(number or "").strip()
        for end in range(len(number_text), 0, -1):
            found = self.by_number.get(number_text[:end])
            if found:
                return found
        found = self.by_name.get(str(name or "").strip().lower())
        if found:
            return found
        account = f"{number_text} {name or ''}".strip()
        if account not in self._unmapped:
            self._unmapped.add(account)
            logger.warning(
                f"NetSuite account {account!r} is in no sources.netsuite category_map entry: "
                f"its costs land as {self.default_category!r}"
            )
        return self.default_category

    def posted_at(self, text: Any) -> dt.datetime:
        moment = dt.datetime.fromisoformat(str(text).strip().replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=self.zone)
        return moment.astimezone(dt.UTC)

    def map(self, item: Mapping[str, Any]) -> dict[str, Any]:
        missing = [c for c in REQUIRED_COLUMNS if c not in item]
        if missing:
            raise NetSuiteError(
                f"NetSuite SuiteQL rows for raw_erp.costs lack column(s) {', '.join(missing)} "
                f"(cost_id {item.get('cost_id', '?')}): the cost query (sources.netsuite "
                "query) must return " + ", ".join(REQUIRED_COLUMNS)
            )
        project = item.get(self.project_field)
        project = None if project in (None, "") else str(project).strip()
        amount = item.get("amount")
        return {
            "cost_id": str(item["cost_id"]),
            "project_code": self.project_map.get(project, project) if project else None,
            "cost_date": dt.date.fromisoformat(str(item["cost_date"])[:10]),
            "category": self.category(item.get("account_number"), item.get("account_name")),
            "amount": None if amount in (None, "") else decimal.Decimal(str(amount)),
            "currency": str(item["currency"]).strip().upper() if item.get("currency") else None,
            "posted_at": self.posted_at(item["posted_at"]),
        }
