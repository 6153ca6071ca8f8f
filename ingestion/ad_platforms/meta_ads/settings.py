"""Meta Marketing API (Graph API): the insights endpoint, its fields, paging and defaults."""

from __future__ import annotations

PLATFORM = "meta_ads"

# base_url carries the Graph API version; versions live about two years (v26.0: July 2026).
DEFAULT_BASE_URL = "https://graph.facebook.com/v26.0"
INSIGHTS_PATH = "act_{account_id}/insights"

# Daily rows per campaign. Numbers arrive as strings ("12.34", "1000"); spend is in the ad
# account's currency (account_currency). A day without delivery has no row.
INSIGHTS_FIELDS = (
    "account_id",
    "account_currency",
    "campaign_id",
    "campaign_name",
    "spend",
    "impressions",
    "clicks",
    "date_start",
    "date_stop",
)
INSIGHTS_PARAMS = {"level": "campaign", "time_increment": "1"}
PAGE_LIMIT = 500
# Long ranges are asked for in slices: a synchronous insights call over years of daily rows
# times out ("Please reduce the amount of data you're asking for").
SLICE_DAYS = 31

# Cursor paging: the next page is the same request with after=paging.cursors.after; the last
# page has no paging.next.
CURSOR_PATH = "paging.cursors.after"
CURSOR_PARAM = "after"
NEXT_PAGE_PATH = "next"

# Meta restates attribution-adjusted numbers for up to 28 days.
DEFAULT_LOOKBACK_DAYS = 28

# Graph API error codes. Throttling comes back as HTTP 400/403 with one of these codes, so the
# session retries on them as well as on 429/5xx.
THROTTLING_CODES = frozenset({4, 17, 32, 613, 80000, 80001, 80002, 80003, 80004, 80005, 80014})
INVALID_TOKEN_CODE = 190
PERMISSION_CODES = frozenset({10, *range(200, 300)})

REQUIRED_KEYS = ("access_token", "account_ids")
