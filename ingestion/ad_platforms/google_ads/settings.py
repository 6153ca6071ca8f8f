"""Google Ads API: endpoints, the GAQL report query, headers and defaults."""

from __future__ import annotations

PLATFORM = "google_ads"

# base_url stands in for the public host (a proxy, a test server); token_url likewise.
DEFAULT_BASE_URL = "https://googleads.googleapis.com"
DEFAULT_TOKEN_URL = "https://oauth2.googleapis.com/token"
# Major versions live about a year (v26: Oct 2026 to Nov 2027); override with api_version.
DEFAULT_API_VERSION = "v26"
SEARCH_STREAM_PATH = "/{api_version}/customers/{customer_id}/googleAds:searchStream"

# OAuth2 scope the refresh token must carry.
OAUTH_SCOPE = "https://www.googleapis.com/auth/adwords"
# Refresh the access token this many seconds before Google says it expires.
TOKEN_EXPIRY_MARGIN_SECONDS = 60

# Google restates conversions and invalid-click credits for a few days.
DEFAULT_LOOKBACK_DAYS = 3
# One searchStream call per customer and slice keeps each response a bounded size.
SLICE_DAYS = 92

# Daily spend per campaign. cost_micros is the cost in the account currency times 1e6.
# FROM campaign with segments.date returns a row only for days with metrics: a day without
# rows is a day without spend.
SPEND_QUERY = (
    "SELECT customer.id, customer.currency_code, campaign.id, campaign.name, segments.date, "
    "metrics.cost_micros, metrics.impressions, metrics.clicks "
    "FROM campaign "
    "WHERE segments.date BETWEEN '{start}' AND '{end}'"
)
MICROS_PER_UNIT = 1_000_000

# Request headers besides Authorization.
DEVELOPER_TOKEN_HEADER = "developer-token"
LOGIN_CUSTOMER_ID_HEADER = "login-customer-id"

# GoogleAdsFailure error codes (errorCode.authorizationError / authenticationError) that name
# the credential at fault.
DEVELOPER_TOKEN_ERRORS = frozenset(
    {
        "DEVELOPER_TOKEN_NOT_APPROVED",
        "DEVELOPER_TOKEN_PROHIBITED",
        "DEVELOPER_TOKEN_NOT_ON_ALLOWLIST",
        "DEVELOPER_TOKEN_INVALID",
        "DEVELOPER_TOKEN_HEADER_INVALID",
        "DEVELOPER_TOKEN_NOT_WHITELISTED",
    }
)
CUSTOMER_ACCESS_ERRORS = frozenset(
    {
        "USER_PERMISSION_DENIED",
        "CUSTOMER_NOT_ENABLED",
        "CUSTOMER_NOT_FOUND",
        "LOGIN_CUSTOMER_ID_PARAMETER_MISSING",
        "INVALID_LOGIN_CUSTOMER_ID_SERVING_CUSTOMER_ID_COMBINATION",
        "NOT_ADS_USER",
    }
)

# dlt config keys that must be set (the others have defaults).
REQUIRED_KEYS = ("developer_token", "client_id", "client_secret", "refresh_token", "customer_ids")
