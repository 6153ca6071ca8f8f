"""The `google_ads` source: daily campaign spend of several Google Ads customers.

Reads GAQL over `campaign` with segments.date through the REST googleAds:searchStream method,
authenticated with the OAuth2 refresh-token flow plus the developer-token (and, for a manager
account's clients, login-customer-id) headers. Rows land in raw_ads.ad_spend (see README.md).
"""

from __future__ import annotations

from typing import Any

import dlt
from dlt.common.configuration import with_config
from dlt.extract.resource import DltResource

from ...window import WindowArgument
from ..helpers import parse_date, parse_id_list, parse_lookback, require
from ..resource import ad_spend_resource, configured
from .helpers import GoogleAdsPlatform, customer_id
from .settings import (
    DEFAULT_API_VERSION,
    DEFAULT_BASE_URL,
    DEFAULT_LOOKBACK_DAYS,
    DEFAULT_TOKEN_URL,
    PLATFORM,
    REQUIRED_KEYS,
    SLICE_DAYS,
)

__all__ = ["GoogleAdsPlatform", "google_ads_platform", "google_ads_source"]


@with_config(sections=("sources", PLATFORM))
def google_ads_platform(
    developer_token: str = dlt.secrets.value,
    client_id: str = dlt.secrets.value,
    client_secret: str = dlt.secrets.value,
    refresh_token: str = dlt.secrets.value,
    customer_ids: Any = dlt.config.value,
    login_customer_id: Any = None,
    base_url: str = DEFAULT_BASE_URL,
    token_url: str = DEFAULT_TOKEN_URL,
    api_version: str = DEFAULT_API_VERSION,
    start_date: Any = None,
    end_date: Any = None,
    lookback_days: Any = DEFAULT_LOOKBACK_DAYS,
    slice_days: int = SLICE_DAYS,
) -> GoogleAdsPlatform:
    """The Google Ads connector, configured from `[sources.google_ads]` / SOURCES__GOOGLE_ADS__*.

    customer_ids: the client customers to read (list, JSON list or comma-separated; dashes ok).
    login_customer_id: the manager account the OAuth user reaches them through, if any.
    """
    require(
        {
            "developer_token": developer_token,
            "client_id": client_id,
            "client_secret": client_secret,
            "refresh_token": refresh_token,
            "base_url": base_url,
            "token_url": token_url,
            "api_version": api_version,
        },
        PLATFORM,
    )
    login = None
    if login_customer_id not in (None, ""):
        login = customer_id(str(login_customer_id), "login_customer_id")
    return GoogleAdsPlatform(
        developer_token=developer_token.strip(),
        client_id=client_id.strip(),
        client_secret=client_secret.strip(),
        refresh_token=refresh_token.strip(),
        customer_ids=parse_id_list(customer_ids, PLATFORM, "customer_ids", customer_id),
        login_customer_id=login,
        base_url=base_url,
        token_url=token_url,
        api_version=api_version,
        start_date=parse_date(start_date, PLATFORM, "start_date"),
        end_date=parse_date(end_date, PLATFORM, "end_date"),
        lookback_days=parse_lookback(lookback_days, PLATFORM, DEFAULT_LOOKBACK_DAYS),
        slice_days=int(slice_days),
    )


google_ads_platform.required_keys = REQUIRED_KEYS  # type: ignore[attr-defined]


@dlt.source(name=PLATFORM, max_table_nesting=0)
def google_ads_source(
    end_date: str | None = None, window: WindowArgument = dlt.config.value
) -> DltResource:
    """Google Ads alone, as the `ad_spend` resource (raw_ads.ad_spend).

    end_date: last day to load (YYYY-MM-DD), default yesterday in UTC.
    window: a backfill of exactly these days (end_date ignored), state untouched.
    """
    return ad_spend_resource([configured(PLATFORM, google_ads_platform, end_date)], window)
