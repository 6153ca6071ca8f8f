"""The `ad_platforms` source: daily campaign spend from Google Ads, Meta and LinkedIn.

One dlt source with one resource, `ad_spend`, that lands every enabled platform's rows in
raw_ads.ad_spend: the table the file drop fills, with the same columns, types and merge key
(date, platform, account_id, campaign_id), so every dbt model downstream works unchanged.

Each platform also has its own source (`ingestion.ad_platforms.google_ads.google_ads_source`,
...) with the
same `ad_spend` resource, for loading one platform alone. Every one of them takes an optional
backfill `window` (ingestion/window.py).
"""

from __future__ import annotations

import logging
from typing import Any

import dlt
from dlt.extract.resource import DltResource

from ..file_contract import PLATFORMS
from ..window import WindowArgument
from .google_ads import google_ads_platform
from .helpers import (
    AdPlatform,
    AdPlatformAuthError,
    AdPlatformConfigurationError,
    AdPlatformError,
    AdPlatformHTTPError,
    env_var,
)
from .linkedin_ads import linkedin_ads_platform
from .mapping import campaign_tag, project_for_campaign, unmapped_spend
from .meta_ads import meta_ads_platform
from .resource import ad_spend_resource, configured
from .settings import RAW_DATASET

__all__ = [
    "PLATFORMS",
    "RAW_DATASET",
    "AdPlatformAuthError",
    "AdPlatformConfigurationError",
    "AdPlatformError",
    "AdPlatformHTTPError",
    "ad_platforms_source",
    "ad_spend_resource",
    "campaign_tag",
    "configured_platform",
    "project_for_campaign",
    "unmapped_spend",
]

logger = logging.getLogger("ingestion.ad_platforms")

# Each platform's connector, built from its dlt config section [sources.<platform>].
BUILDERS = {
    "google_ads": google_ads_platform,
    "meta_ads": meta_ads_platform,
    "linkedin_ads": linkedin_ads_platform,
}
assert tuple(BUILDERS) == PLATFORMS


def configured_platform(name: str, end_date: Any = None) -> AdPlatform:
    """Build one platform's connector from its dlt config ([sources.<name>]).

    Raises AdPlatformConfigurationError naming the platform and the missing keys; its
    `untouched` is True when none of the platform's required keys is set at all.
    """
    if name not in BUILDERS:
        raise ValueError(f"unknown ad platform {name!r}; expected one of {', '.join(PLATFORMS)}")
    return configured(name, BUILDERS[name], end_date)


@dlt.source(name="ad_platforms", max_table_nesting=0)
def ad_platforms_source(
    platforms: list[str] | None = None,
    end_date: str | None = None,
    window: WindowArgument = dlt.config.value,
) -> DltResource:
    """Daily campaign spend of the ad platforms, as the single resource `ad_spend`.

    platforms: the platforms to load (google_ads, meta_ads, linkedin_ads). Named platforms
        must be configured: a missing key raises AdPlatformConfigurationError naming the
        platform and key. Left out (None, the default, or `[sources.ad_platforms] platforms`
        unset), every platform is tried and one with no configuration at all is skipped with a
        warning; one half configured still raises.
    end_date: last day to load (YYYY-MM-DD); when given it overrides every platform's own
        `[sources.<platform>] end_date`; default yesterday in UTC.
    window: a backfill: every account for exactly window.start..window.end, whatever
        `end_date` and the configured start_date / end_date / lookback_days say, and the
        incremental state neither read nor written.

    `ad_platforms_source(platforms=[])` reads no configuration and loads nothing: the shape
    of the source for building asset definitions.
    """
    if isinstance(platforms, str):
        platforms = [name.strip() for name in platforms.split(",") if name.strip()]
    explicit = platforms is not None
    names = list(dict.fromkeys(platforms)) if explicit else list(PLATFORMS)
    unknown = [name for name in names if name not in PLATFORMS]
    if unknown:
        raise ValueError(
            f"unknown ad platform(s) {', '.join(unknown)}; expected {', '.join(PLATFORMS)}"
        )
    connectors = []
    for name in names:
        try:
            connectors.append(configured_platform(name, end_date))
        except AdPlatformConfigurationError as error:
            if explicit or not error.untouched:
                raise
            logger.warning(
                "%s: skipped, not configured (missing %s); set %s to load it",
                name,
                ", ".join(error.keys),
                ", ".join(env_var(name, key) for key in error.keys),
            )
    if not connectors and not explicit:
        logger.warning("ad platforms: none configured, nothing to load")
    return ad_spend_resource(connectors, window)
