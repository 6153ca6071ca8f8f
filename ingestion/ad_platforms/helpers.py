"""Shared by the ad platform connectors: errors, HTTP sessions, date windows, incremental state.

Each platform package (google_ads, meta_ads, linkedin_ads) implements `AdPlatform`: the
accounts it reads and `fetch(account_id, start, end)`, which yields pages of rows of
raw_ads.ad_spend. `incremental_spend` drives every platform the same way: per account, from
`max(start_date, last loaded date - lookback_days)` to `end_date` (default yesterday, UTC),
and records the new last loaded date in dlt resource state only once the account is done.
`window_spend` is the backfill: every account for exactly a window's days, no state.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any, Protocol

import pyarrow as pa
from dlt.common.configuration.exceptions import ConfigurationException
from dlt.common.exceptions import TerminalException
from dlt.sources.helpers.requests import HTTPError, Response, Session
from requests import PreparedRequest
from requests.auth import AuthBase

from foundation.redaction import redact_text, redact_url

from ..file_contract import SOURCE_FILE_COLUMN, SOURCE_LINE_COLUMN, FileSpec
from ..http_retries import RetryPredicate, is_cut_off, json_body, watched_client
from ..redaction import RedactedError
from ..window import ExtractWindow
from .mapping import campaign_tag
from .settings import (
    CONFIG_SECTION,
    DEFAULT_HISTORY_DAYS,
    SOURCE_FILE_LABEL,
    SPEND_DECIMALS,
    STATE_KEY,
)

logger = logging.getLogger("ingestion.ad_platforms")

# Provider error text quoted in our messages is cut here: enough to act on, never a dump.
ERROR_DETAIL_LIMIT = 300


# --- errors ---------------------------------------------------------------------------------


def env_var(platform: str, key: str) -> str:
    """The environment variable dlt reads for `[sources.<platform>] <key>`."""
    return f"{CONFIG_SECTION}__{platform}__{key}".upper()


def _rebuild_error(cls: type[AdPlatformError], message: str, state: dict) -> AdPlatformError:
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    error.__dict__.update(state)
    return error


class AdPlatformError(Exception):
    """Base class of the errors the ad platform connectors raise; names the platform."""

    def __init__(self, platform: str, message: str) -> None:
        super().__init__(f"{platform}: {message}")
        self.platform = platform

    def __reduce__(self) -> tuple:
        # Picklable whatever the subclass's __init__ (errors may cross process boundaries).
        return (_rebuild_error, (type(self), str(self), dict(self.__dict__)))


class AdPlatformConfigurationError(AdPlatformError, ConfigurationException):
    """A platform that must run has a missing or invalid configuration key."""

    def __init__(self, platform: str, keys: Sequence[str], problem: str = "missing") -> None:
        names = ", ".join(keys)
        where = ", ".join(env_var(platform, key) for key in keys)
        super().__init__(
            platform,
            f"{problem} configuration key(s) {names}: set them under [sources.{platform}] in "
            f".dlt/secrets.toml / .dlt/config.toml or as environment variable(s) {where}",
        )
        self.keys = tuple(keys)
        # True when none of the platform's required keys is set: not half-configured.
        self.untouched = False


class AdPlatformAuthError(AdPlatformError, TerminalException):
    """HTTP 401/403 or the provider's equivalent: no retry helps, a credential must change."""

    def __init__(
        self,
        platform: str,
        credentials: Sequence[str],
        status: int,
        detail: str,
        hint: str = "",
        verb: str = "rejected",
    ) -> None:
        names = " / ".join(credentials)
        check = ", ".join(env_var(platform, key) for key in credentials)
        shown = f"HTTP {status}" + (f": {detail}" if detail else "")
        super().__init__(
            platform,
            f"{names} {verb} ({shown}): check {check}" + (f"; {hint}" if hint else ""),
        )
        self.credentials = tuple(credentials)
        self.status = status


class AdPlatformHTTPError(AdPlatformError, RedactedError, HTTPError):
    """Any other HTTP error, raised once dlt's retries (429, 5xx) are exhausted."""

    def __init__(self, platform: str, response: Response, detail: str) -> None:
        url = redact_url(response.request.url if response.request else response.url)
        method = response.request.method if response.request else "GET"
        shown = f": {detail}" if detail else ""
        AdPlatformError.__init__(
            self, platform, f"{method} {url} failed with HTTP {response.status_code}{shown}"
        )
        self.response = response
        self.request = response.request


class AdPlatformResponseError(AdPlatformError, RedactedError, HTTPError):
    """A 2xx response whose body is not JSON (cut off), once dlt's retries are exhausted."""

    def __init__(self, platform: str, response: Response, detail: str) -> None:
        url = redact_url(response.request.url if response.request else response.url)
        method = response.request.method if response.request else "GET"
        AdPlatformError.__init__(
            self,
            platform,
            f"{method} {url} answered HTTP {response.status_code} with a body that is not "
            f"valid JSON ({len(response.content)} bytes, cut off?): {detail}",
        )
        self.response = response
        self.request = response.request


@dataclass(frozen=True)
class AuthProblem:
    """How a platform explains an authorisation failure: which credential, what to do."""

    credentials: tuple[str, ...]
    hint: str = ""
    verb: str = "rejected"


def redact(text: str, secrets: Iterable[str | None]) -> str:
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text


def short(text: str, limit: int = ERROR_DETAIL_LIMIT) -> str:
    text = redact_text(" ".join(str(text).split()))
    return text if len(text) <= limit else text[:limit] + "…"


def response_json(response: Response) -> Any:
    try:
        return json_body(response)
    except ValueError:
        return None


def raise_for_platform(
    response: Response,
    platform: str,
    detail: Callable[[Response], str],
    auth_problem: Callable[[Response], AuthProblem | None],
    secrets: Iterable[str | None] = (),
) -> None:
    """Raise the platform's error for a failed response: auth errors name the credential; a
    2xx whose body is not JSON (cut off) names the request and how much arrived."""
    if response.ok:
        if is_cut_off(response):
            raise AdPlatformResponseError(platform, response, short(redact(response.text, secrets)))
        return
    text = short(redact(detail(response) or "", secrets))
    problem = auth_problem(response)
    if problem is not None:
        raise AdPlatformAuthError(
            platform, problem.credentials, response.status_code, text, problem.hint, problem.verb
        )
    raise AdPlatformHTTPError(platform, response, text)


# --- HTTP -----------------------------------------------------------------------------------


def http_session(platform: str, retry_condition: RetryPredicate | None = None) -> Session:
    """A requests session with dlt's retries: 429 and 5xx (honouring Retry-After), connection
    errors and timeouts, with exponential backoff.

    Attempts, backoff factor, longest wait and timeout come from dlt's runtime configuration
    (`[runtime] request_max_attempts`, `request_backoff_factor`, `request_max_retry_delay`,
    `request_timeout`, or RUNTIME__REQUEST_... environment variables), read when the session is
    made. A 2xx whose body is not JSON (cut off mid-transfer) is retried the same way. Status
    codes and bodies are checked by the caller (`raise_for_platform`) once retries are over.
    Its answers count into the platform's HttpActivity of the load.
    """
    conditions = [is_cut_off] + ([retry_condition] if retry_condition else [])
    return watched_client(platform, conditions, raise_for_status=False).session


class BearerAuth(AuthBase):
    """`Authorization: Bearer <token>`, added when a request is prepared.

    Not a default header: dlt's REST client logs a request's headers at DEBUG level, and a
    token must never reach a log.
    """

    def __init__(self, token: str) -> None:
        self._token = token

    def __call__(self, request: PreparedRequest) -> PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._token}"
        return request

    def __repr__(self) -> str:
        return "BearerAuth(***)"


# --- configuration values -------------------------------------------------------------------


def parse_id_list(
    value: Any, platform: str, key: str, normalise: Callable[[str], str] = str.strip
) -> list[str]:
    """Account ids from TOML (a list) or the environment (a JSON list or comma-separated)."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except ValueError:
                raise AdPlatformConfigurationError(platform, [key], "invalid") from None
        else:
            value = text.split(",")
    if isinstance(value, int):
        value = [value]
    if not isinstance(value, list | tuple):
        raise AdPlatformConfigurationError(platform, [key], "invalid")
    ids = [normalise(str(item).strip()) for item in value if str(item).strip()]
    if not ids:
        raise AdPlatformConfigurationError(platform, [key], "empty")
    if any(not re.fullmatch(r"[0-9A-Za-z_]+", account) for account in ids):
        raise AdPlatformConfigurationError(platform, [key], "invalid (not an account id)")
    return list(dict.fromkeys(ids))


def parse_date(value: Any, platform: str, key: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return date(value.year, value.month, value.day)
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise AdPlatformConfigurationError(
            platform, [key], "invalid (expected YYYY-MM-DD)"
        ) from None


def parse_lookback(value: Any, platform: str, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        days = int(value)
    except (TypeError, ValueError):
        days = -1
    if days < 0:
        raise AdPlatformConfigurationError(platform, ["lookback_days"], "invalid (days >= 0)")
    return days


def require(values: dict[str, Any], platform: str) -> None:
    """Raise one error naming every required key left empty (dlt itself rejects absent keys)."""
    missing = [key for key, value in values.items() if value is None or str(value).strip() == ""]
    if missing:
        raise AdPlatformConfigurationError(platform, missing)


# --- dates ----------------------------------------------------------------------------------


def yesterday_utc(now: datetime | None = None) -> date:
    """The last complete day, in UTC: today's numbers are still moving."""
    return (now or datetime.now(UTC)).astimezone(UTC).date() - timedelta(days=1)


def date_slices(start: date, end: date, days: int) -> list[tuple[date, date]]:
    """[start, end] cut into consecutive inclusive slices of at most `days` days."""
    if days < 1:
        raise ValueError("slice length must be at least one day")
    slices = []
    while start <= end:
        stop = min(end, start + timedelta(days=days - 1))
        slices.append((start, stop))
        start = stop + timedelta(days=1)
    return slices


def window_start(start_date: date, last_loaded: date | None, lookback_days: int) -> date:
    """First day to (re)load: the platforms restate their last days, so go back `lookback_days`."""
    if last_loaded is None:
        return start_date
    return max(start_date, last_loaded - timedelta(days=lookback_days))


# --- rows -----------------------------------------------------------------------------------


def to_decimal(value: Any, platform: str, what: str) -> Decimal:
    if value is None or value == "":
        return Decimal(0)
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise AdPlatformError(platform, f"{what} {value!r} is not a number") from None
    return number.quantize(Decimal(1).scaleb(-SPEND_DECIMALS), rounding=ROUND_HALF_EVEN)


def to_int(value: Any, platform: str, what: str) -> int:
    if value is None or value == "":
        return 0
    try:
        return int(Decimal(str(value)))
    except InvalidOperation:
        raise AdPlatformError(platform, f"{what} {value!r} is not a whole number") from None


def spend_row(
    platform: str,
    day: date,
    account_id: str,
    campaign_id: str,
    campaign_name: str | None,
    currency: str | None,
    spend: Decimal,
    impressions: int,
    clicks: int,
) -> dict[str, Any]:
    """One raw_ads.ad_spend row, exactly the columns the file drop lands.

    `project_code` stays empty: the campaign-to-project mapping (maintained table first, then
    the [PROJECT] tag in the campaign name, see mapping.py) is applied downstream, so a mapping
    fix never needs a reload and unmapped spend is reported, never dropped.
    """
    return {
        "date": day,
        "platform": platform,
        "account_id": str(account_id),
        "campaign_id": str(campaign_id),
        "campaign_name": campaign_name or None,
        "project_code": None,
        "currency": currency.upper() if currency else None,
        "spend": spend,
        "impressions": impressions,
        "clicks": clicks,
        "_source_file": SOURCE_FILE_LABEL.format(platform=platform),
        "_source_line": None,
    }


_ARROW_TYPES: dict[str, pa.DataType] = {
    "text": pa.string(),
    "currency": pa.string(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us", tz="UTC"),
    "decimal": pa.decimal128(38, SPEND_DECIMALS),
    "integer": pa.int64(),
    "boolean": pa.bool_(),
}


def arrow_schema(spec: FileSpec) -> pa.Schema:
    """The Arrow schema of a raw table, as the file drop stages it (ingestion/files/validate.py).

    Key columns are not nullable, as the resource's column hints say: dlt compares the two on
    every page and warns about each page whose schema disagrees.
    """
    fields = [
        pa.field(
            column.name, _ARROW_TYPES[column.kind], nullable=column.name not in spec.primary_key
        )
        for column in spec.columns
    ]
    fields += [pa.field(SOURCE_FILE_COLUMN, pa.string()), pa.field(SOURCE_LINE_COLUMN, pa.int64())]
    return pa.schema(fields)


def rows_to_arrow(rows: list[dict[str, Any]], schema: pa.Schema) -> pa.Table:
    """A page of rows as an Arrow table.

    The file drop hands dlt Arrow tables, which dlt loads without its row-by-row normaliser and
    without a `_dlt_id` column; rows handed over as dicts would add that NOT NULL column to the
    shared table and fail once the file drop has filled it. So API rows go the same way.
    """
    return pa.Table.from_pylist(rows, schema=schema)


# --- incremental driver ---------------------------------------------------------------------


class AdPlatform(Protocol):
    """What `incremental_spend` needs from a platform connector."""

    name: str
    account_ids: list[str]
    start_date: date | None
    end_date: date | None
    lookback_days: int

    def fetch(self, account_id: str, start: date, end: date) -> Iterator[list[dict[str, Any]]]:
        """Pages of raw_ads.ad_spend rows of one account for the days start..end (inclusive)."""
        ...


@dataclass
class RunSummary:
    """What one platform's extract did, for the log."""

    rows: int = 0
    accounts: int = 0
    untagged: dict[str, str | None] = field(default_factory=dict)


def incremental_spend(
    platform: AdPlatform, state: dict[str, Any], now: datetime | None = None
) -> Iterator[list[dict[str, Any]]]:
    """Yield pages of rows of every account of `platform`, advancing its state account by account.

    `state` is the `ad_spend` resource state (dlt.current.resource_state()); dlt persists it only
    when the whole extract succeeds, so a run that fails half-way leaves it as it was and the
    rerun fetches the same windows again (the merge on the raw key removes any overlap).
    """
    end = platform.end_date or yesterday_utc(now)
    start_date = platform.start_date or end - timedelta(days=DEFAULT_HISTORY_DAYS - 1)
    loaded: dict[str, str] = state.setdefault(STATE_KEY, {}).setdefault(platform.name, {})
    summary = RunSummary()
    for account_id in platform.account_ids:
        last = date.fromisoformat(loaded[account_id]) if account_id in loaded else None
        start = window_start(start_date, last, platform.lookback_days)
        if start > end:
            logger.info("%s: account %s is up to date (%s)", platform.name, account_id, last)
            continue
        yield from _account_spend(platform, account_id, start, end, summary)
        loaded[account_id] = max(end, last or end).isoformat()
    _log_summary(platform, summary)


def window_spend(platform: AdPlatform, window: ExtractWindow) -> Iterator[list[dict[str, Any]]]:
    """Yield pages of rows of every account of `platform` for exactly the days of `window`.

    A backfill: the platform's start_date, end_date and lookback_days do not apply, and no
    state is read or written, so the scheduled runs continue from where they were.
    """
    summary = RunSummary()
    for account_id in platform.account_ids:
        yield from _account_spend(platform, account_id, window.start, window.end, summary)
    _log_summary(platform, summary)


def _account_spend(
    platform: AdPlatform, account_id: str, start: date, end: date, summary: RunSummary
) -> Iterator[list[dict[str, Any]]]:
    """The non-empty pages of one account for start..end, counted into `summary`."""
    logger.info("%s: account %s, %s to %s", platform.name, account_id, start, end)
    for page in platform.fetch(account_id, start, end):
        summary.rows += len(page)
        for row in page:
            if campaign_tag(row["campaign_name"]) is None:
                summary.untagged.setdefault(row["campaign_id"], row["campaign_name"])
        if page:
            yield page
    summary.accounts += 1


def _log_summary(platform: AdPlatform, summary: RunSummary) -> None:
    logger.info("%s: %d row(s) from %d account(s)", platform.name, summary.rows, summary.accounts)
    if summary.untagged:
        shown = ", ".join(
            f"{campaign_id} {name!r}" for campaign_id, name in list(summary.untagged.items())[:10]
        )
        logger.warning(
            "%s: %d campaign(s) without a [PROJECT] tag in their name (%s%s): their spend is "
            "loaded and reported as unmapped unless the campaign mapping table maps them",
            platform.name,
            len(summary.untagged),
            shown,
            ", ..." if len(summary.untagged) > 10 else "",
        )
