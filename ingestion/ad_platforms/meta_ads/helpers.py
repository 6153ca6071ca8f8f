"""Meta Marketing API calls: act_<id>/insights at campaign level, one row per day, cursor paged."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

from dlt.sources.helpers.requests import Response
from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.paginators import JSONResponseCursorPaginator

from ...http_retries import with_session_hooks
from ..helpers import (
    AuthProblem,
    BearerAuth,
    date_slices,
    http_session,
    raise_for_platform,
    response_json,
    spend_row,
    to_decimal,
    to_int,
)
from .settings import (
    CURSOR_PARAM,
    CURSOR_PATH,
    INSIGHTS_FIELDS,
    INSIGHTS_PARAMS,
    INSIGHTS_PATH,
    INVALID_TOKEN_CODE,
    NEXT_PAGE_PATH,
    PAGE_LIMIT,
    PERMISSION_CODES,
    PLATFORM,
    SLICE_DAYS,
    THROTTLING_CODES,
)


def ad_account_id(value: str) -> str:
    """Meta shows ad accounts as act_123; rows and our config use the bare id."""
    return str(value).strip().removeprefix("act_")


class MetaCursorPaginator(JSONResponseCursorPaginator):
    """Graph API cursor paging: `after=paging.cursors.after` until a page has no `paging.next`.

    The last page still carries cursors, so the cursor alone does not say when to stop. The
    `paging.next` URL itself is not followed: it repeats the access token in its query string.
    """

    def __init__(self) -> None:
        super().__init__(cursor_path=CURSOR_PATH, cursor_param=CURSOR_PARAM)
        self.next_page_listed = True

    def update_state(self, response: Response, data: list[Any] | None = None) -> None:
        super().update_state(response, data)
        paging = (response_json(response) or {}).get("paging") or {}
        self.next_page_listed = bool(paging.get(NEXT_PAGE_PATH))

    @property
    def has_next_page(self) -> bool:
        return super().has_next_page and self.next_page_listed


def _graph_error(response: Response | None) -> dict[str, Any]:
    body = response_json(response) if response is not None else None
    return (body or {}).get("error") or {} if isinstance(body, dict) else {}


def is_throttled(response: Response | None, exception: BaseException | None) -> bool:
    """Retry predicate: Graph API rate limits (HTTP 400/403 with a throttling code)."""
    if response is None or response.status_code not in (400, 403):
        return False
    error = _graph_error(response)
    return error.get("code") in THROTTLING_CODES or error.get("is_transient") is True


def error_detail(response: Response) -> str:
    error = _graph_error(response)
    if not error:
        return response.text[:200]
    code = error.get("code")
    subcode = error.get("error_subcode")
    where = f"code {code}" + (f"/{subcode}" if subcode else "")
    return f"{where}: {error.get('message', '')}"


def auth_problem(response: Response) -> AuthProblem | None:
    if is_throttled(response, None):
        return None
    code = _graph_error(response).get("code")
    if code == INVALID_TOKEN_CODE or response.status_code == 401:
        return AuthProblem(
            ("access_token",),
            "the token is invalid or expired: use a system-user token with the ads_read "
            "permission (it does not expire)",
        )
    if code in PERMISSION_CODES or response.status_code == 403:
        return AuthProblem(
            ("access_token", "account_ids"),
            "the token's user needs the ads_read permission on this ad account",
            verb="not authorised",
        )
    return None


class MetaAdsPlatform:
    """Daily campaign spend of several Meta ad accounts."""

    name = PLATFORM

    def __init__(
        self,
        *,
        access_token: str,
        account_ids: list[str],
        base_url: str,
        start_date: date | None,
        end_date: date | None,
        lookback_days: int,
        slice_days: int = SLICE_DAYS,
        page_limit: int = PAGE_LIMIT,
    ) -> None:
        self.account_ids = account_ids
        self.start_date = start_date
        self.end_date = end_date
        self.lookback_days = lookback_days
        self.slice_days = slice_days
        self.page_limit = page_limit
        self._access_token = access_token
        # The token travels in the Authorization header, never in a URL that could be logged.
        self._session = http_session(PLATFORM, retry_condition=is_throttled)
        self._client = RESTClient(
            base_url=base_url.rstrip("/") + "/",
            auth=BearerAuth(access_token),
            session=self._session,
            data_selector="data",
        )

    def _raise_for_status(self, response: Response, *args: Any, **kwargs: Any) -> None:
        raise_for_platform(response, PLATFORM, error_detail, auth_problem, [self._access_token])

    def insights_pages(
        self, account_id: str, start: date, end: date
    ) -> Iterator[list[dict[str, Any]]]:
        params = {
            **INSIGHTS_PARAMS,
            "fields": ",".join(INSIGHTS_FIELDS),
            "time_range": json.dumps(
                {"since": start.isoformat(), "until": end.isoformat()}, separators=(",", ":")
            ),
            "limit": str(self.page_limit),
        }
        yield from self._client.paginate(
            INSIGHTS_PATH.format(account_id=account_id),
            params=params,
            paginator=MetaCursorPaginator(),
            hooks=with_session_hooks(self._session, self._raise_for_status),
        )

    def fetch(self, account_id: str, start: date, end: date) -> Iterator[list[dict[str, Any]]]:
        for first, last in date_slices(start, end, self.slice_days):
            for page in self.insights_pages(account_id, first, last):
                yield [self._row(account_id, item) for item in page]

    @staticmethod
    def _row(account_id: str, item: dict[str, Any]) -> dict[str, Any]:
        return spend_row(
            PLATFORM,
            date.fromisoformat(item["date_start"]),
            account_id,
            item["campaign_id"],
            item.get("campaign_name"),
            item.get("account_currency"),
            to_decimal(item.get("spend"), PLATFORM, "spend"),
            to_int(item.get("impressions"), PLATFORM, "impressions"),
            to_int(item.get("clicks"), PLATFORM, "clicks"),
        )
