"""LinkedIn Marketing API calls: adAnalytics (sliced by date), ad account and campaign names."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any
from urllib.parse import quote

from dlt.sources.helpers.requests import Response
from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.paginators import JSONResponseCursorPaginator

from ...http_retries import json_body, with_session_hooks
from ..helpers import (
    AdPlatformError,
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
    ACCOUNT_PATH,
    ACCOUNT_URN,
    ANALYTICS_FIELDS,
    ANALYTICS_MAX_ELEMENTS,
    ANALYTICS_PARAMS,
    ANALYTICS_PATH,
    CAMPAIGN_CURSOR_PARAM,
    CAMPAIGN_CURSOR_PATH,
    CAMPAIGN_PAGE_SIZE,
    CAMPAIGN_SEARCH,
    CAMPAIGN_URN_PREFIX,
    CAMPAIGNS_PATH,
    PLATFORM,
    RESTLI_HEADERS,
    SLICE_DAYS,
    VERSION_ERROR_CODES,
    VERSION_HEADER,
)


def ad_account_id(value: str) -> str:
    """Accept 123 or urn:li:sponsoredAccount:123."""
    return str(value).strip().removeprefix(ACCOUNT_URN.format(account_id=""))


# --- Rest.li 2.0 query syntax ---------------------------------------------------------------
# Structure characters ( ) , : stay literal; values inside (URNs) are percent-encoded. So the
# query string is written out here, not left to requests' form encoding.


def restli_date(day: date) -> str:
    return f"(year:{day.year},month:{day.month},day:{day.day})"


def analytics_query(account_id: str, start: date, end: date) -> str:
    account = quote(ACCOUNT_URN.format(account_id=account_id), safe="")
    parts = [f"{key}={value}" for key, value in ANALYTICS_PARAMS]
    parts += [
        f"dateRange=(start:{restli_date(start)},end:{restli_date(end)})",
        f"accounts=List({account})",
        "fields=" + ",".join(ANALYTICS_FIELDS),
    ]
    return "&".join(parts)


def campaign_search_query() -> str:
    return f"q=search&search={CAMPAIGN_SEARCH}&pageSize={CAMPAIGN_PAGE_SIZE}"


# --- errors ---------------------------------------------------------------------------------


def _error(response: Response) -> dict[str, Any]:
    body = response_json(response)
    return body if isinstance(body, dict) else {}


def error_detail(response: Response) -> str:
    error = _error(response)
    if not error:
        return response.text[:200]
    code = error.get("code") or error.get("serviceErrorCode") or ""
    return f"{code}: {error.get('message', '')}" if code else str(error.get("message", ""))


def auth_problem(response: Response) -> AuthProblem | None:
    code = _error(response).get("code")
    if response.status_code == 426 or code in VERSION_ERROR_CODES:
        return AuthProblem(
            ("api_version",),
            f"send a supported {VERSION_HEADER} (YYYYMM; versions are sunset after a year)",
            verb="not accepted",
        )
    if response.status_code == 401:
        return AuthProblem(
            ("access_token",),
            "the token is invalid or expired (member tokens last 60 days): re-authorise with "
            "the r_ads_reporting and r_ads scopes",
        )
    if response.status_code == 403:
        return AuthProblem(
            ("access_token", "account_ids"),
            "the token needs the r_ads_reporting (analytics) and r_ads (campaign names) scopes "
            "and its member a role on the ad account",
            verb="not authorised",
        )
    return None


# --- reports --------------------------------------------------------------------------------


class LinkedInAdsPlatform:
    """Daily campaign spend of several LinkedIn ad accounts."""

    name = PLATFORM

    def __init__(
        self,
        *,
        access_token: str,
        account_ids: list[str],
        base_url: str,
        api_version: str,
        start_date: date | None,
        end_date: date | None,
        lookback_days: int,
        slice_days: int = SLICE_DAYS,
    ) -> None:
        self.account_ids = account_ids
        self.start_date = start_date
        self.end_date = end_date
        self.lookback_days = lookback_days
        self.slice_days = slice_days
        self._base_url = base_url.rstrip("/")
        self._access_token = access_token
        self._headers = {VERSION_HEADER: api_version, **RESTLI_HEADERS}
        self._auth = BearerAuth(access_token)
        self._session = http_session(PLATFORM)
        self._client = RESTClient(
            base_url=self._base_url, headers=self._headers, auth=self._auth, session=self._session
        )

    def _check(self, response: Response, *args: Any, **kwargs: Any) -> None:
        raise_for_platform(response, PLATFORM, error_detail, auth_problem, [self._access_token])

    def _get(self, path: str, query: str = "") -> Any:
        url = self._base_url + path + (f"?{query}" if query else "")
        response = self._session.get(url, headers=self._headers, auth=self._auth)
        self._check(response)
        return json_body(response)

    def account_currency(self, account_id: str) -> str | None:
        return self._get(ACCOUNT_PATH.format(account_id=account_id)).get("currency")

    def campaign_names(self, account_id: str) -> dict[str, str | None]:
        """Campaign id -> name for the account, through every page of the campaign search."""
        url = (
            self._base_url
            + CAMPAIGNS_PATH.format(account_id=account_id)
            + "?"
            + campaign_search_query()
        )
        names: dict[str, str | None] = {}
        for page in self._client.paginate(
            url,
            paginator=JSONResponseCursorPaginator(
                cursor_path=CAMPAIGN_CURSOR_PATH, cursor_param=CAMPAIGN_CURSOR_PARAM
            ),
            data_selector="elements",
            hooks=with_session_hooks(self._session, self._check),
        ):
            for campaign in page:
                names[str(campaign["id"])] = campaign.get("name")
        return names

    def analytics(self, account_id: str, start: date, end: date) -> list[dict[str, Any]]:
        elements = self._get(ANALYTICS_PATH, analytics_query(account_id, start, end)).get(
            "elements", []
        )
        if len(elements) >= ANALYTICS_MAX_ELEMENTS:
            # The finder silently truncates: refuse rather than load partial spend.
            raise AdPlatformError(
                PLATFORM,
                f"adAnalytics returned {len(elements)} elements for account {account_id} "
                f"{start}..{end}, its limit: set a smaller [sources.{PLATFORM}] slice_days",
            )
        return elements

    def fetch(self, account_id: str, start: date, end: date) -> Iterator[list[dict[str, Any]]]:
        currency = self.account_currency(account_id)
        names = self.campaign_names(account_id)
        for first, last in date_slices(start, end, self.slice_days):
            yield [
                self._row(account_id, currency, names, element)
                for element in self.analytics(account_id, first, last)
            ]

    @staticmethod
    def _row(
        account_id: str, currency: str | None, names: dict[str, str | None], element: dict
    ) -> dict[str, Any]:
        pivots = element.get("pivotValues") or [element.get("pivotValue")]
        campaign_id = str(pivots[0]).removeprefix(CAMPAIGN_URN_PREFIX)
        start = element["dateRange"]["start"]
        return spend_row(
            PLATFORM,
            date(start["year"], start["month"], start["day"]),
            account_id,
            campaign_id,
            names.get(campaign_id),
            currency,
            to_decimal(element.get("costInLocalCurrency"), PLATFORM, "costInLocalCurrency"),
            to_int(element.get("impressions"), PLATFORM, "impressions"),
            to_int(element.get("clicks"), PLATFORM, "clicks"),
        )
