"""Retry predicates shared by the connectors that speak JSON over HTTP, and the one parse of
a response's JSON body they and the connectors share.

dlt's requests client retries connection errors, 429 and 5xx with backoff (dlt's `[runtime]`
settings). It takes further predicates, `(response, exception) -> bool`, for answers that
are worth retrying although their status says success. A predicate that reads the body, the
connector's error check and the connector itself all look at the same response: `json_body`
parses it once for all of them.

`watched_client` is dlt's client with a requests response hook that counts, per connector and
load (`watch_http`), the answers dlt retries and why, the time spent waiting on rate limits,
and (`token_renewed`) the access tokens renewed: the load's line in the run's output and its
row in audit.loads.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from dlt.sources.helpers.requests import Client, Response, Session
from dlt.sources.helpers.requests.retry import DEFAULT_RETRY_STATUS

RetryPredicate = Callable[[Response | None, BaseException | None], bool]

_PARSED = "_roi_json_body"  # attribute of the response holding its parsed body
_NOT_JSON = object()


def json_body(response: Response) -> Any:
    """`response.json()`, parsed at most once per response. Raises ValueError when the
    body is not JSON."""
    parsed = response.__dict__.get(_PARSED)
    if parsed is None:
        try:
            parsed = (response.json(),)
        except ValueError:
            parsed = _NOT_JSON
        response.__dict__[_PARSED] = parsed
    if parsed is _NOT_JSON:
        raise ValueError(f"the body of the HTTP {response.status_code} answer is not JSON")
    return parsed[0]


def is_cut_off(response: Response | None, exception: BaseException | None = None) -> bool:
    """A successful response whose body is not JSON, as when the connection dropped
    mid-transfer. Only for endpoints that always answer JSON."""
    if response is None or not response.ok:
        return False
    try:
        json_body(response)
    except ValueError:
        return True
    return False


# --- what a load's HTTP went through ----------------------------------------------------


@dataclass
class HttpActivity:
    """What one connector's HTTP went through during one load: requests answered, answers
    that dlt retried (by reason), time spent waiting on rate limits, tokens renewed."""

    connector: str
    requests: int = 0
    retries: Counter[str] = field(default_factory=Counter)
    throttled_seconds: float = 0.0
    token_renewals: int = 0
    throttled_since: float | None = None  # when the last rate-limited answer arrived

    @property
    def retry_count(self) -> int:
        return sum(self.retries.values())

    def retried(self) -> str:
        """`HTTP 429 x1, HTTP 503 x2`, reasons in order."""
        return ", ".join(f"{reason} x{count}" for reason, count in sorted(self.retries.items()))

    def line(self) -> str:
        """`google_ads load: 5 HTTP requests, 2 retries (HTTP 429 x1, HTTP 503 x1), waited
        1.0 s for rate limits, 1 token renewal`."""
        retries = f"{self.retry_count} {'retry' if self.retry_count == 1 else 'retries'}"
        if self.retries:
            retries += f" ({self.retried()})"
        renewals = "renewal" if self.token_renewals == 1 else "renewals"
        return (
            f"{self.connector} load: {self.requests} HTTP "
            f"{'request' if self.requests == 1 else 'requests'}, {retries}, "
            f"waited {self.throttled_seconds:.1f} s for rate limits, "
            f"{self.token_renewals} token {renewals}"
        )


@dataclass
class LoadHttpActivity:
    """The HttpActivity of every connector that made requests during one load."""

    connectors: dict[str, HttpActivity] = field(default_factory=dict)

    def of(self, connector: str) -> HttpActivity:
        return self.connectors.setdefault(connector, HttpActivity(connector))

    def lines(self) -> list[str]:
        return [activity.line() for activity in self.connectors.values()]


_watching: LoadHttpActivity | None = None
_lock = threading.Lock()


@contextmanager
def watch_http() -> Iterator[LoadHttpActivity]:
    """Count the HTTP of the connectors (`watched_client`) while a load runs. Loads run one
    at a time in a process, so one load is watched at a time."""
    global _watching
    watched, previous = LoadHttpActivity(), _watching
    _watching = watched
    try:
        yield watched
    finally:
        _watching = previous


def _activity(connector: str) -> HttpActivity | None:
    return _watching.of(connector) if _watching is not None else None


def token_renewed(connector: str) -> None:
    """Count a renewal of an access token that had been issued during this load (its first
    issue is no renewal)."""
    with _lock:
        activity = _activity(connector)
        if activity is not None:
            activity.token_renewals += 1


def _retry_reason(response: Response, conditions: Sequence[RetryPredicate]) -> str | None:
    """Why dlt's client retries this answer (its status, or a connector's predicate), if it
    does."""
    if response.status_code in DEFAULT_RETRY_STATUS:
        return f"HTTP {response.status_code}"
    if any(condition(response, None) for condition in conditions):
        if is_cut_off(response):
            return "cut-off answer"
        return f"HTTP {response.status_code} rate limit" if not response.ok else "rate limit"
    return None


def _response_hook(connector: str, conditions: Sequence[RetryPredicate]) -> Callable[..., None]:
    def count(response: Response, *args: Any, **kwargs: Any) -> None:
        with _lock:
            activity = _activity(connector)
            if activity is None:
                return
            now = time.monotonic()
            activity.requests += 1
            if activity.throttled_since is not None:
                # from the rate-limited answer to this request being sent: dlt's wait
                sent = now - response.elapsed.total_seconds()
                activity.throttled_seconds += max(0.0, sent - activity.throttled_since)
                activity.throttled_since = None
            reason = _retry_reason(response, conditions)
            if reason is not None:
                activity.retries[reason] += 1
                if response.status_code == 429 or reason.endswith("rate limit"):
                    activity.throttled_since = now

    return count


def watched_client(
    connector: str,
    retry_condition: RetryPredicate | Sequence[RetryPredicate] | None = None,
    **client_options: Any,
) -> Client:
    """dlt's requests `Client` whose answers count into the watched load's HttpActivity of
    `connector` (a requests response hook on every session the client makes)."""
    conditions = (
        [] if retry_condition is None
        else [retry_condition] if callable(retry_condition)
        else list(retry_condition)
    )  # fmt: skip
    return Client(
        retry_condition=conditions or None,
        session_attrs={"hooks": {"response": [_response_hook(connector, conditions)]}},
        **client_options,
    )


def with_session_hooks(session: Session, *hooks: Callable[..., Any]) -> dict[str, list]:
    """`hooks=` for a request through `session` (a RESTClient's paginate): `hooks` after the
    session's own, which count the load's HTTP activity. A request's hooks replace the
    session's (requests.sessions.merge_hooks), so the session's are listed again."""
    return {"response": [*session.hooks["response"], *hooks]}
