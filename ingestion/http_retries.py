"""Retry predicates shared by the connectors that speak JSON over HTTP.

dlt's requests client retries connection errors, 429 and 5xx with backoff (dlt's `[runtime]`
settings). It takes further predicates, `(response, exception) -> bool`, for answers that
are worth retrying although their status says success.
"""

from __future__ import annotations

from dlt.sources.helpers.requests import Response


def is_cut_off(response: Response | None, exception: BaseException | None = None) -> bool:
    """A successful response whose body is not JSON, as when the connection dropped
    mid-transfer. Only for endpoints that always answer JSON."""
    if response is None or not response.ok:
        return False
    try:
        response.json()
    except ValueError:
        return True
    return False
