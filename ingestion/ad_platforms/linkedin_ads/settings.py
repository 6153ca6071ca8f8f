"""LinkedIn Marketing API: adAnalytics, ad accounts and campaigns; Rest.li 2.0 query syntax."""

from __future__ import annotations

PLATFORM = "linkedin_ads"

DEFAULT_BASE_URL = "https://api.linkedin.com"
# Monthly versions (YYYYMM), each supported for at least a year; sent as Linkedin-Version.
DEFAULT_API_VERSION = "202607"
VERSION_HEADER = "Linkedin-Version"
RESTLI_HEADERS = {"X-Restli-Protocol-Version": "2.0.0"}

ACCOUNT_PATH = "/rest/adAccounts/{account_id}"
CAMPAIGNS_PATH = "/rest/adAccounts/{account_id}/adCampaigns"
ANALYTICS_PATH = "/rest/adAnalytics"

ACCOUNT_URN = "urn:li:sponsoredAccount:{account_id}"
CAMPAIGN_URN_PREFIX = "urn:li:sponsoredCampaign:"

# Analytics finder, one row per campaign and day. costInLocalCurrency is a decimal string in
# the ad account's currency; impressions and clicks are integers. A day without delivery has
# no element. The finder has no paging and returns at most ANALYTICS_MAX_ELEMENTS elements,
# so long ranges are asked for in slices of SLICE_DAYS days.
ANALYTICS_PARAMS = (("q", "analytics"), ("pivot", "CAMPAIGN"), ("timeGranularity", "DAILY"))
ANALYTICS_FIELDS = ("dateRange", "pivotValues", "costInLocalCurrency", "impressions", "clicks")
ANALYTICS_MAX_ELEMENTS = 15_000
SLICE_DAYS = 30

# Campaign search (names): cursor paging since version 202401, pageToken <- metadata.nextPageToken.
CAMPAIGN_SEARCH = "(status:(values:List(ACTIVE,PAUSED,ARCHIVED,COMPLETED,CANCELED)))"
CAMPAIGN_PAGE_SIZE = 100
CAMPAIGN_CURSOR_PATH = "metadata.nextPageToken"
CAMPAIGN_CURSOR_PARAM = "pageToken"

# LinkedIn finalises analytics within a few days.
DEFAULT_LOOKBACK_DAYS = 7

# Error codes that mean the Linkedin-Version header is at fault (HTTP 426 or 400).
VERSION_ERROR_CODES = frozenset({"VERSION_MISSING", "NONEXISTENT_VERSION", "UPGRADE_REQUIRED"})

REQUIRED_KEYS = ("access_token", "account_ids")
