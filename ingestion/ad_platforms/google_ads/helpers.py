"""Google Ads API calls: OAuth2 refresh-token flow and googleAds:searchStream."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from dlt.sources.helpers.requests import Response, Session

from ...http_retries import json_body, token_renewed
from ..helpers import (
    AdPlatformConfigurationError,
    AuthProblem,
    date_slices,
    http_session,
    raise_for_platform,
    response_json,
    spend_row,
    to_decimal,
    to_int,
)
from .settings import (
    CUSTOMER_ACCESS_ERRORS,
    DEVELOPER_TOKEN_ERRORS,
    DEVELOPER_TOKEN_HEADER,
    LOGIN_CUSTOMER_ID_HEADER,
    MICROS_PER_UNIT,
    OAUTH_SCOPE,
    PLATFORM,
    SEARCH_STREAM_PATH,
    SLICE_DAYS,
    SPEND_QUERY,
    TOKEN_EXPIRY_MARGIN_SECONDS,
)

logger = logging.getLogger("ingestion.ad_platforms.google_ads")


def customer_id(value: str, key: str = "customer_ids") -> str:
    """Google shows customer ids as 123-456-7890; the API wants the ten digits."""
    digits = re.sub(r"[\s-]", "", str(value))
    if not digits.isdigit():
        raise AdPlatformConfigurationError(PLATFORM, [key], f"invalid id {value!r} in")
    return digits


# --- errors ---------------------------------------------------------------------------------


def _google_error(response: Response) -> dict[str, Any]:
    body = response_json(response)
    if isinstance(body, list):  # searchStream wraps errors in the stream array
        body = body[0] if body else {}
    return (body or {}).get("error") or {} if isinstance(body, dict) else {}


def _error_codes(response: Response) -> list[str]:
    """GoogleAdsFailure codes, e.g. ['DEVELOPER_TOKEN_NOT_APPROVED']."""
    codes = []
    for detail in _google_error(response).get("details") or []:
        for error in detail.get("errors") or []:
            codes.extend(str(code) for code in (error.get("errorCode") or {}).values())
    return codes


def error_detail(response: Response) -> str:
    error = _google_error(response)
    if not error:
        return response.text[:200]
    codes = _error_codes(response)
    text = error.get("message") or error.get("status") or ""
    return f"{text} [{', '.join(codes)}]" if codes else text


def auth_problem(response: Response) -> AuthProblem | None:
    if response.status_code not in (401, 403):
        return None
    codes = set(_error_codes(response))
    if codes & DEVELOPER_TOKEN_ERRORS:
        return AuthProblem(
            ("developer_token",),
            "the token must be approved (Basic or Standard access) for production accounts",
        )
    if codes & CUSTOMER_ACCESS_ERRORS:
        return AuthProblem(
            ("login_customer_id", "customer_ids"),
            "the OAuth user needs access to the customer; for a manager account's clients set "
            "login_customer_id to the manager's id",
            verb="not authorised",
        )
    if response.status_code == 401:
        return AuthProblem(
            ("refresh_token", "client_id", "client_secret"),
            f"a fresh access token was rejected too; the refresh token must carry the "
            f"{OAUTH_SCOPE} scope",
        )
    return AuthProblem(
        ("developer_token", "refresh_token"),
        "the developer token or the OAuth user is not allowed to read this customer",
        verb="not authorised",
    )


def token_error_detail(response: Response) -> str:
    body = response_json(response)
    if isinstance(body, dict) and "error" in body:
        description = body.get("error_description") or ""
        return f"{body['error']}" + (f": {description}" if description else "")
    return response.text[:200]


def token_auth_problem(response: Response) -> AuthProblem | None:
    body = response_json(response)
    error = body.get("error") if isinstance(body, dict) else None
    if error == "invalid_grant":
        return AuthProblem(
            ("refresh_token",),
            f"the refresh token is expired or revoked: create a new one with the {OAUTH_SCOPE} "
            "scope for this OAuth client",
        )
    if error in ("invalid_client", "unauthorized_client") or response.status_code in (401, 403):
        return AuthProblem(("client_id", "client_secret"), "the OAuth client is unknown or wrong")
    return None


# --- OAuth2 ---------------------------------------------------------------------------------


class GoogleOAuth:
    """Access tokens from the OAuth2 refresh-token grant, refreshed before they expire."""

    def __init__(
        self,
        session: Session,
        token_url: str,
        client_id: str,
        client_secret: str,
        refresh_token: str,
    ) -> None:
        self._session = session
        self._token_url = token_url
        self._form = {
            "grant_type": "refresh_token",
            "client_id": client_id,
            "client_secret": client_secret,
            "refresh_token": refresh_token,
        }
        self._access_token: str | None = None
        self._issued = False  # a token was issued: the next refresh is a renewal
        self._expires_at = 0.0

    @property
    def secrets(self) -> tuple[str | None, ...]:
        return (self._form["client_secret"], self._form["refresh_token"], self._access_token)

    def access_token(self) -> str:
        if self._access_token is None or time.monotonic() >= self._expires_at:
            self.refresh()
        assert self._access_token is not None
        return self._access_token

    def invalidate(self) -> None:
        self._access_token = None

    def refresh(self) -> None:
        if self._issued:
            token_renewed(PLATFORM)
        response = self._session.post(self._token_url, data=self._form)
        raise_for_platform(response, PLATFORM, token_error_detail, token_auth_problem, self.secrets)
        body = json_body(response)
        self._access_token = body["access_token"]
        self._issued = True
        lifetime = float(body.get("expires_in") or 3600)
        self._expires_at = time.monotonic() + max(0.0, lifetime - TOKEN_EXPIRY_MARGIN_SECONDS)


# --- reports --------------------------------------------------------------------------------


class GoogleAdsPlatform:
    """Daily campaign spend of several Google Ads customers (a manager account's clients)."""

    name = PLATFORM

    def __init__(
        self,
        *,
        developer_token: str,
        client_id: str,
        client_secret: str,
        refresh_token: str,
        customer_ids: list[str],
        login_customer_id: str | None,
        base_url: str,
        token_url: str,
        api_version: str,
        start_date: date | None,
        end_date: date | None,
        lookback_days: int,
        slice_days: int = SLICE_DAYS,
    ) -> None:
        self.account_ids = customer_ids
        self.start_date = start_date
        self.end_date = end_date
        self.lookback_days = lookback_days
        self.slice_days = slice_days
        self._base_url = base_url.rstrip("/")
        self._api_version = api_version.strip("/")
        self._developer_token = developer_token
        self._login_customer_id = login_customer_id
        self._session = http_session(PLATFORM)
        self.oauth = GoogleOAuth(self._session, token_url, client_id, client_secret, refresh_token)

    def _headers(self) -> dict[str, str]:
        headers = {
            "Authorization": f"Bearer {self.oauth.access_token()}",
            DEVELOPER_TOKEN_HEADER: self._developer_token,
            "Content-Type": "application/json",
        }
        if self._login_customer_id:
            headers[LOGIN_CUSTOMER_ID_HEADER] = self._login_customer_id
        return headers

    def search_stream(self, customer: str, query: str) -> list[dict[str, Any]]:
        """POST googleAds:searchStream; the answer is a JSON array of batches of `results`.

        A 401 means the access token expired or was revoked early: get a new one and try once
        more. 429 and 5xx are retried by the session (dlt's retry helper)."""
        url = self._base_url + SEARCH_STREAM_PATH.format(
            api_version=self._api_version, customer_id=customer
        )
        response = self._session.post(url, json={"query": query}, headers=self._headers())
        if response.status_code == 401 and not set(_error_codes(response)) & (
            DEVELOPER_TOKEN_ERRORS | CUSTOMER_ACCESS_ERRORS
        ):
            logger.info("google_ads: access token rejected (HTTP 401), refreshing it once")
            self.oauth.invalidate()
            response = self._session.post(url, json={"query": query}, headers=self._headers())
        raise_for_platform(
            response,
            PLATFORM,
            error_detail,
            auth_problem,
            (*self.oauth.secrets, self._developer_token),
        )
        batches = json_body(response)
        return batches if isinstance(batches, list) else [batches]

    def fetch(self, account_id: str, start: date, end: date) -> Iterator[list[dict[str, Any]]]:
        for first, last in date_slices(start, end, self.slice_days):
            query = SPEND_QUERY.format(start=first.isoformat(), end=last.isoformat())
            for batch in self.search_stream(account_id, query):
                yield [self._row(account_id, result) for result in batch.get("results") or []]

    @staticmethod
    def _row(account_id: str, result: dict[str, Any]) -> dict[str, Any]:
        # proto3 JSON: int64 values arrive as strings, zero values may be left out entirely.
        campaign = result.get("campaign") or {}
        metrics = result.get("metrics") or {}
        customer = result.get("customer") or {}
        micros = to_int(metrics.get("costMicros"), PLATFORM, "metrics.costMicros")
        return spend_row(
            PLATFORM,
            date.fromisoformat(result["segments"]["date"]),
            account_id,
            campaign["id"],
            campaign.get("name"),
            customer.get("currencyCode"),
            to_decimal(Decimal(micros) / MICROS_PER_UNIT, PLATFORM, "cost"),
            to_int(metrics.get("impressions"), PLATFORM, "metrics.impressions"),
            to_int(metrics.get("clicks"), PLATFORM, "metrics.clicks"),
        )
