"""What the ad platform connectors share: the raw table they fill, platform names, defaults."""

from __future__ import annotations

from ..file_contract import PLATFORMS

__all__ = [
    "CONFIG_SECTION",
    "DEFAULT_HISTORY_DAYS",
    "PLATFORMS",
    "RAW_DATASET",
    "RAW_TABLE",
    "SOURCE_FILE_LABEL",
    "SPEND_DECIMALS",
    "STATE_KEY",
]

# Every connector lands in the table the file drop fills (ingestion/file_contract.py).
RAW_DATASET = "raw_ads"
RAW_TABLE = "ad_spend"

# dlt config section of every connector: [sources.<platform>] / SOURCES__<PLATFORM>__<KEY>.
CONFIG_SECTION = "sources"

# `_source_file` of an API row (the file drop puts the CSV name there): "meta_ads API".
SOURCE_FILE_LABEL = "{platform} API"

# First run without `start_date`: this many days up to the end date.
DEFAULT_HISTORY_DAYS = 90

# raw_ads.ad_spend.spend is DECIMAL(38, 9); LinkedIn sends costs with up to 15 decimals.
SPEND_DECIMALS = 9

# Key in the `ad_spend` resource state: {platform: {account_id: last loaded date (ISO)}}.
STATE_KEY = "last_loaded_date"
