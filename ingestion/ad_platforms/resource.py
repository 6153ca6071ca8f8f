"""The `ad_spend` resource every ad platform source shares, and a platform's connector built
from its dlt config with missing keys named."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import dlt
import pyarrow as pa
from dlt.common.configuration.exceptions import ConfigFieldMissingException
from dlt.extract.resource import DltResource

from ..raw_tables import raw_table, resource_hints
from ..redaction import requests_redacted
from ..typed_rows import empty_table_when_nothing_found
from ..window import ExtractWindow
from .helpers import (
    AdPlatform,
    AdPlatformConfigurationError,
    arrow_schema,
    incremental_spend,
    rows_to_arrow,
    window_spend,
)
from .settings import RAW_DATASET, RAW_TABLE


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


def configured(name: str, build: Callable[..., AdPlatform], end_date: Any = None) -> AdPlatform:
    """Build platform `name`'s connector with `build` (its `<platform>_platform` function,
    which reads `[sources.<name>]`).

    Raises AdPlatformConfigurationError naming the platform and the missing keys; its
    `untouched` is True when none of the platform's required keys is set at all.
    """
    try:
        return build(end_date=end_date) if end_date is not None else build()
    except ConfigFieldMissingException as missing:
        error = AdPlatformConfigurationError(name, missing.fields)
        required = set(getattr(build, "required_keys", missing.fields))
        error.untouched = not (set(missing.resolved_fields_set) & required)
        raise error from None
