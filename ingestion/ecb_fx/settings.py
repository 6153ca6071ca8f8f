"""ECB euro foreign exchange reference rates, a fallback provider and a finance rates file."""

from __future__ import annotations

# The ECB publishes its reference rates (about 16:00 CET on TARGET business days) here:
DEFAULT_BASE_URL = "https://www.ecb.europa.eu/stats/eurofxref/"
DAILY_FILE = "eurofxref-daily.xml"  # the latest day
NINETY_DAY_FILE = "eurofxref-hist-90d.xml"  # the last 90 calendar days, same XML shape
HISTORY_ZIP = "eurofxref-hist.zip"  # every day since 1999, as eurofxref-hist.csv inside
HISTORY_CSV = "eurofxref-hist.csv"
# The 90-day file is used while the days to catch up fit in it with a safety margin.
NINETY_DAY_FILE_COVERS_DAYS = 85

ECB_BASE_CURRENCY = "EUR"
ECB_NAMESPACE = "http://www.ecb.int/vocabulary/2002-08-01/eurofxref"
MISSING_VALUES = ("", "N/A")  # the history CSV's marks for a currency not quoted that day

SOURCE_FILE_ECB = "ECB {file}"
SOURCE_FILE_FALLBACK = "fx fallback provider"

# The fallback provider (for currencies the ECB does not publish, e.g. NGN, VND): any JSON
# endpoint answering
#   {"base": "USD", "date": "2026-02-20", "rates": {"NGN": 1523.4, "VND": 25410}}
# for one day (URL template with {date}), or, for a range (template with {start_date} and
# {end_date}), {"base": "USD", "rates": {"2026-02-20": {"NGN": 1523.4}, ...}}.
# {symbols} in the template becomes the comma-separated fallback_currencies.
# The API key (if any) goes in a header, never in the URL, so it is never logged.
DEFAULT_FALLBACK_API_KEY_HEADER = "Authorization"  # sent as "Bearer <key>"; others get the key

# The quality check: a money fact in currency C on date d needs a rate no older than this.
FALLBACK_WINDOW_DAYS = 7
