"""The `ad_platforms` source: daily campaign spend from Google Ads, Meta and LinkedIn.

One dlt source with one resource, `ad_spend`, that lands every enabled platform's rows in
raw_ads.ad_spend: the table the file drop fills, with the same columns, types and merge key
(date, platform, account_id, campaign_id), so every dbt model downstream works unchanged.

Each platform also has its own source (`ingestion.google_ads.google_ads_source`, ...) with the
same `ad_spend` resource, for loading one platform alone. Every one of them takes an optional
backfill `window` (ingestion/window.py).
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterator, Sequence
from typing import Any

import dlt
import pyarrow as pa
from dlt.common.configuration.exceptions import ConfigFieldMissingException
from dlt.extract.resource import DltResource

# ingestion.files first: importing ingestion.raw_tables before it is an import cycle.
from ..file_contract import PLATFORMS
from ..raw_tables import raw_table, resource_hints
from ..redaction import requests_redacted
from ..typed_rows import empty_table_when_nothing_found
from ..window import ExtractWindow, WindowArgument
from .helpers import (
    AdPlatform,
    AdPlatformAuthError,
    AdPlatformConfigurationError,
    AdPlatformError,
    AdPlatformHTTPError,
    arrow_schema,
    env_var,
    incremental_spend,
    rows_to_arrow,
    window_spend,
)
from .mapping import campaign_tag, project_for_campaign, unmapped_spend
from .settings import PLATFORM_MODULES, RAW_DATASET, RAW_TABLE

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


def ad_spend_resource(
    platforms: Sequence[AdPlatform], window: ExtractWindow | None = None
) -> DltResource:
    """The `ad_spend` resource over `platforms` (already configured connectors).

    With a `window`, a backfill: every account for exactly the window's days, the resource
    state neither read nor written.
    """
    platforms = list(platforms)
    spec = raw_table(RAW_DATASET, RAW_TABLE)
    schema = arrow_schema(spec)

    @empty_table_when_nothing_found(spec)
    def ad_spend() -> Iterator[pa.Table]:
        """Daily spend, impressions and clicks per campaign, into raw_ads.ad_spend.

        Write disposition: merge. Primary key: (date, platform, account_id, campaign_id).
        Cursor: the last loaded date per platform and account, in this resource's state
        (`last_loaded_date`); each run reloads from that date minus the platform's
        `lookback_days` (the platforms restate recent days) to `end_date` (default yesterday,
        UTC), so restated numbers replace the old ones and nothing is duplicated.
        A backfill window instead reads exactly its days and leaves the state alone.
        """
        for platform in platforms:
            if window is None:
                pages = incremental_spend(platform, dlt.current.resource_state())
            else:
                pages = window_spend(platform, window)
            for page in requests_redacted(platform.name, pages):
                yield rows_to_arrow(page, schema)

    return dlt.resource(ad_spend, **resource_hints(spec))


def configured_platform(name: str, end_date: Any = None) -> AdPlatform:
    """Build one platform's connector from its dlt config ([sources.<name>]).

    Raises AdPlatformConfigurationError naming the platform and the missing keys; its
    `untouched` is True when none of the platform's required keys is set at all.
    """
    if name not in PLATFORM_MODULES:
        raise ValueError(f"unknown ad platform {name!r}; expected one of {', '.join(PLATFORMS)}")
    module_name, builder = PLATFORM_MODULES[name]
    build = getattr(importlib.import_module(module_name), builder)
    try:
        return build(end_date=end_date) if end_date is not None else build()
    except ConfigFieldMissingException as missing:
        error = AdPlatformConfigurationError(name, missing.fields)
        required = set(getattr(build, "required_keys", missing.fields))
        error.untouched = not (set(missing.resolved_fields_set) & required)
        raise error from None


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
