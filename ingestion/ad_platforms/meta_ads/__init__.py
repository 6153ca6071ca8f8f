"""The `meta_ads` source: daily campaign spend of several Meta (Facebook/Instagram) ad accounts.

Reads the Graph API act_<id>/insights edge with level=campaign and time_increment=1, cursor
paged, authenticated with a (system-user) access token. Rows land in raw_ads.ad_spend
(see README.md).
"""

from __future__ import annotations

from typing import Any

import dlt
from dlt.common.configuration import with_config
from dlt.extract.resource import DltResource

from ...window import WindowArgument
from ..helpers import parse_date, parse_id_list, parse_lookback, require
from ..resource import ad_spend_resource, configured
from .helpers import MetaAdsPlatform, MetaCursorPaginator, ad_account_id
from .settings import (
    DEFAULT_BASE_URL,
    DEFAULT_LOOKBACK_DAYS,
    PAGE_LIMIT,
    PLATFORM,
    REQUIRED_KEYS,
    SLICE_DAYS,
)

__all__ = ["MetaAdsPlatform", "MetaCursorPaginator", "meta_ads_platform", "meta_ads_source"]


@with_config(sections=("sources", PLATFORM))
def meta_ads_platform(
    access_token: str = dlt.secrets.value,
    account_ids: Any = dlt.config.value,
    base_url: str = DEFAULT_BASE_URL,
    start_date: Any = None,
    end_date: Any = None,
    lookback_days: Any = DEFAULT_LOOKBACK_DAYS,
    slice_days: int = SLICE_DAYS,
    page_limit: int = PAGE_LIMIT,
) -> MetaAdsPlatform:
    """The Meta connector, configured from `[sources.meta_ads]` / SOURCES__META_ADS__*.

    account_ids: ad accounts (list, JSON list or comma-separated; `act_` prefix optional).
    base_url: Graph API host with version, e.g. https://graph.facebook.com/v26.0.
    """
    require({"access_token": access_token, "base_url": base_url}, PLATFORM)
    return MetaAdsPlatform(
        access_token=access_token.strip(),
        account_ids=parse_id_list(account_ids, PLATFORM, "account_ids", ad_account_id),
        base_url=base_url,
        start_date=parse_date(start_date, PLATFORM, "start_date"),
        end_date=parse_date(end_date, PLATFORM, "end_date"),
        lookback_days=parse_lookback(lookback_days, PLATFORM, DEFAULT_LOOKBACK_DAYS),
        slice_days=int(slice_days),
        page_limit=int(page_limit),
    )


meta_ads_platform.required_keys = REQUIRED_KEYS  # type: ignore[attr-defined]


@dlt.source(name=PLATFORM, max_table_nesting=0)
def meta_ads_source(
    end_date: str | None = None, window: WindowArgument = dlt.config.value
) -> DltResource:
    """Meta alone, as the `ad_spend` resource (raw_ads.ad_spend).

    end_date: last day to load (YYYY-MM-DD), default yesterday in UTC.
    window: a backfill of exactly these days (end_date ignored), state untouched.
    """
    return ad_spend_resource([configured(PLATFORM, meta_ads_platform, end_date)], window)
