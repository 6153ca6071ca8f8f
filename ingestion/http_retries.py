"""Retry predicates shared by the connectors that speak JSON over HTTP, and the one parse of
a response's JSON body they and the connectors share.

dlt's requests client retries connection errors, 429 and 5xx with backoff (dlt's `[runtime]`
settings). It takes further predicates, `(response, exception) -> bool`, for answers that
are worth retrying although their status says success. A predicate that reads the body, the
connector's error check and the connector itself all look at the same response: `json_body`
parses it once for all of them.
"""

from __future__ import annotations

from typing import Any

from dlt.sources.helpers.requests import Response

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
