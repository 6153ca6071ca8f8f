"""Credentials kept out of text: the userinfo and query values of every URL are masked in
error messages, alerts, progress lines and (once `install_log_redaction` has run) every log
record of the process. The connectors' use of it is ingestion/redaction.py."""

from __future__ import annotations

import logging
import re
from typing import Any

MASK = "***"
# Paging positions name the page that failed and are never credentials: kept.
PAGING_PARAMETERS = frozenset({"after", "before", "cursor", "offset", "limit", "page"})
# scheme://user[:password]@ : the userinfo of an absolute URL, up to the authority's last @
# (a password with a raw @ is invalid but common; requests splits at the last one too)
_USERINFO = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)[^/?#\s'\"<>]*@")
# ?query or #fragment right after a path or host (urllib3 quotes just "/path?query")
_QUERY = re.compile(r"(?<=[^\s'\"<>=?&#])(?P<mark>[?#])(?P<pairs>[^\s'\"<>#]*)")


def _mask_pairs(pairs: str) -> str:
    masked = []
    for pair in pairs.split("&"):
        key, equals, value = pair.partition("=")
        secret = equals and value and key.lower() not in PAGING_PARAMETERS
        masked.append(f"{key}={MASK}" if secret else pair)
    return "&".join(masked)


def redact_text(text: str) -> str:
    """`text` with the userinfo and the query values of every URL in it masked."""
    if "@" not in text and "?" not in text and "#" not in text:
        return text
    text = _USERINFO.sub(lambda match: f"{match['scheme']}{MASK}@", text)
    return _QUERY.sub(
        lambda match: match["mark"] + _mask_pairs(match["pairs"])
        if "=" in match["pairs"]
        else match[0],
        text,
    )


def redact_url(url: str) -> str:
    """One URL with its userinfo and query values masked: `http://***@host/path?key=***`."""
    return redact_text(url)


# --- log lines ------------------------------------------------------------------------------

_previous_factory = None


def install_log_redaction() -> None:
    """Redact every log record of this process as it is made, whichever library logs it
    (urllib3 logs each request's path and query, dlt and Dagster log errors)."""
    global _previous_factory
    if _previous_factory is not None:
        return
    _previous_factory = logging.getLogRecordFactory()
    make_record = _previous_factory

    def redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001  (a bad format string is the handler's to report)
            return record
        redacted = redact_text(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return record

    logging.setLogRecordFactory(redacting_factory)


# --- dlt's trace ----------------------------------------------------------------------------
