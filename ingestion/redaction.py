"""Credentials inside URLs, masked wherever a URL can leave the process.

A proxy may want `user:password@` in a connector's base_url, and some providers take their key
in the query string (`?access_key=...`). Such URLs turn up in error messages (requests and
urllib3 quote the URL, or its path and query), in log lines, in the alert text and in dlt's
trace of a load. `redact_text` masks them in any text: the userinfo becomes `***@` and every
query value `***` but paging positions (`after`, `offset`, ...), keys kept, so a message still
says which host, path, parameters and page failed.

Applied at the boundaries: the connectors raise errors with redacted text and nothing chained
(`request_failure`), every log record is redacted when it is made (`install_log_redaction`),
alerts redact their text (orchestration/webhook.py), and dlt's record of the
configuration values a load resolved holds redacted URLs (`keep_url_secrets_out_of_dlt_traces`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

import requests

from foundation.redaction import redact_text

T = TypeVar("T")


class RedactedError(Exception):
    """A connector's error whose message is already redacted: passed on as it is."""


class ConnectorRequestError(RedactedError, requests.RequestException):
    """A request that failed without an answer (connection refused, timeout, too many
    redirects) after the retries; the message names the request, credentials masked."""


def request_failure(what: str, error: requests.RequestException) -> ConnectorRequestError:
    """The error to raise in place of `error`, outside its `except` block so that nothing is
    chained: requests' own message, and the urllib3 errors behind it, quote the URL."""
    return ConnectorRequestError(f"{what}: {type(error).__name__}: {redact_text(str(error))}")


def send(what: str, request: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`request(*args, **kwargs)`, a requests call; one that got no answer raises
    `request_failure`."""
    try:
        return request(*args, **kwargs)
    except RedactedError:
        raise
    except requests.RequestException as error:
        failure = request_failure(what, error)
    raise failure


def requests_redacted(what: str | Callable[[], str], items: Iterable[T]) -> Iterator[T]:
    """`items`, a generator that makes requests; one that got no answer raises
    `request_failure`. `what` may be a function, asked when a request fails (say, for the
    page the generator was fetching)."""
    iterator = iter(items)
    while True:
        try:
            item = next(iterator)
        except StopIteration:
            return
        except RedactedError:
            raise
        except requests.RequestException as error:
            failure = request_failure(what() if callable(what) else what, error)
        else:
            yield item
            continue
        raise failure


# --- dlt's traces ---------------------------------------------------------------------------


def _redacted_value(value: Any) -> Any:
    # exact types only: dlt marks unset values with sentinels that subclass them
    if type(value) is str:
        return redact_text(value)
    if type(value) in (list, tuple):
        return type(value)(_redacted_value(item) for item in value)
    if type(value) is dict:
        return {key: _redacted_value(item) for key, item in value.items()}
    return value


@functools.cache
def _redacting_trace_log() -> type:
    """`RedactingTraceLog`, made on first use: dlt is imported only by a process that loads
    (`import ingestion`, and the CLI's start through foundation.progress, do not pay for it)."""
    from dlt.common.configuration.utils import ResolvedValueTrace, TraceLogContext

    class RedactingTraceLog(TraceLogContext):
        """dlt's log of resolved configuration values, which dlt writes into the pipeline's
        trace file (trace.pickle): values typed as secrets are left out by dlt itself, but a
        base_url or a provider URL is plain configuration, so its URL credentials are masked
        here."""

        def log(self, trace: ResolvedValueTrace) -> None:
            super().log(
                trace._replace(
                    value=_redacted_value(trace.value),
                    default_value=_redacted_value(trace.default_value),
                )
            )

    return RedactingTraceLog


def keep_url_secrets_out_of_dlt_traces() -> None:
    """Make this thread's dlt configuration log a `RedactingTraceLog` (dlt keeps one per
    thread); call it before the source of a load is built, where its configuration resolves."""
    from dlt.common.configuration.container import Container
    from dlt.common.configuration.utils import TraceLogContext

    redacting_trace_log = _redacting_trace_log()
    container = Container()
    if isinstance(container[TraceLogContext], redacting_trace_log):
        return
    kept = container[TraceLogContext]
    redacting = redacting_trace_log()
    for trace in kept.all_traces:
        redacting.log(trace)
    container[TraceLogContext] = redacting
