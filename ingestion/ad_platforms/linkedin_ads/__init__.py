"""The `linkedin_ads` source: daily campaign spend of several LinkedIn ad accounts.

Reads /rest/adAnalytics (q=analytics, pivot=CAMPAIGN, timeGranularity=DAILY) in date slices
(the finder has no paging), campaign names from the ad account's campaign search (cursor
paged) and the currency from the ad account. Rows land in raw_ads.ad_spend (see README.md).
"""

from __future__ import annotations

from typing import Any

import dlt
from dlt.common.configuration import with_config
from dlt.extract.resource import DltResource

from ...window import WindowArgument
from ..helpers import parse_date, parse_id_list, parse_lookback, require
from ..resource import ad_spend_resource, configured
from .helpers import LinkedInAdsPlatform, ad_account_id
from .settings import (
    DEFAULT_API_VERSION,
    DEFAULT_BASE_URL,
    DEFAULT_LOOKBACK_DAYS,
    PLATFORM,
    REQUIRED_KEYS,
    SLICE_DAYS,
)

__all__ = ["LinkedInAdsPlatform", "linkedin_ads_platform", "linkedin_ads_source"]


@with_config(sections=("sources", PLATFORM))
def linkedin_ads_platform(
    access_token: str = dlt.secrets.value,
    account_ids: Any = dlt.config.value,
    base_url: str = DEFAULT_BASE_URL,
    api_version: Any = DEFAULT_API_VERSION,
    start_date: Any = None,
    end_date: Any = None,
    lookback_days: Any = DEFAULT_LOOKBACK_DAYS,
    slice_days: int = SLICE_DAYS,
) -> LinkedInAdsPlatform:
    """The LinkedIn connector, configured from `[sources.linkedin_ads]` / SOURCES__LINKEDIN_ADS__*.

    account_ids: ad accounts (list, JSON list or comma-separated; urn:li:sponsoredAccount: ok).
    api_version: the Linkedin-Version header, YYYYMM.
    """
    require(
        {"access_token": access_token, "base_url": base_url, "api_version": api_version}, PLATFORM
    )
    return LinkedInAdsPlatform(
        access_token=access_token.strip(),
        account_ids=parse_id_list(account_ids, PLATFORM, "account_ids", ad_account_id),
        base_url=base_url,
        api_version=str(api_version).strip(),
        start_date=parse_date(start_date, PLATFORM, "start_date"),
        end_date=parse_date(end_date, PLATFORM, "end_date"),
        lookback_days=parse_lookback(lookback_days, PLATFORM, DEFAULT_LOOKBACK_DAYS),
        slice_days=int(slice_days),
    )


linkedin_ads_platform.required_keys = REQUIRED_KEYS  # type: ignore[attr-defined]


@dlt.source(name=PLATFORM, max_table_nesting=0)
def linkedin_ads_source(
    end_date: str | None = None, window: WindowArgument = dlt.config.value
) -> DltResource:
    """LinkedIn alone, as the `ad_spend` resource (raw_ads.ad_spend).

    end_date: last day to load (YYYY-MM-DD), default yesterday in UTC.
    window: a backfill of exactly these days (end_date ignored), state untouched.
    """
    return ad_spend_resource([configured(PLATFORM, linkedin_ads_platform, end_date)], window)
