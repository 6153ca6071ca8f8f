"""Credentials inside URLs are masked in any text, in log lines and in connector errors."""

from __future__ import annotations

import logging
import socket

import pytest

from foundation.redaction import redact_text, redact_url
from ingestion.ecb_fx.helpers import fetch
from ingestion.redaction import ConnectorRequestError, requests_redacted


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # userinfo, with and without a password
        ("https://user:p4ss@proxy.example:8080/v1", "https://***@proxy.example:8080/v1"),
        ("http://token@host/x", "http://***@host/x"),
        ("http://user:p@ss@host:1/x", "http://***@host:1/x"),  # a raw @ in the password
        # every query value, keys and empty values kept
        (
            "https://api.example/rates?symbols=NGN,VND&access_key=abc123&flag",
            "https://api.example/rates?symbols=***&access_key=***&flag",
        ),
        ("http://h/x?empty=&k=v", "http://h/x?empty=&k=***"),
        # paging positions name the failed page: kept
        (
            "GET https://graph.example/act_1/insights?after=MQZDZD&limit=500&token=t0k",
            "GET https://graph.example/act_1/insights?after=MQZDZD&limit=500&token=***",
        ),
        # both, inside a sentence, quoted
        (
            "GET 'http://a:b@h:1/p?key=s3cret' answered HTTP 500",
            "GET 'http://***@h:1/p?key=***' answered HTTP 500",
        ),
        # a fragment carrying a token (OAuth implicit grant)
        ("https://app/cb#access_token=xyz&state=1", "https://app/cb#access_token=***&state=***"),
        # urllib3 quotes only the path and query of a request that got no answer
        (
            "Max retries exceeded with url: /day/2026-02-21?access_key=k1 (Caused by "
            "NewConnectionError('Failed to establish a new connection'))",
            "Max retries exceeded with url: /day/2026-02-21?access_key=*** (Caused by "
            "NewConnectionError('Failed to establish a new connection'))",
        ),
        # a database URL
        (
            "postgresql://postgres:pw@127.0.0.1:5432/roi?sslmode=require",
            "postgresql://***@127.0.0.1:5432/roi?sslmode=***",
        ),
        # text that only looks like it: left alone
        (
            "the body is not JSON (12 bytes, cut off?): {",
            "the body is not JSON (12 bytes, cut off?): {",
        ),
        ("write to ops@example.com? a=b", "write to ops@example.com? a=b"),
        ("https://example.com/docs#section-2", "https://example.com/docs#section-2"),
        ("", ""),
    ],
)
def test_redact_text(text, expected):
    assert redact_text(text) == expected


def test_redact_url_keeps_a_url_without_credentials():
    assert redact_url("https://www.ecb.europa.eu/stats/eurofxref/") == (
        "https://www.ecb.europa.eu/stats/eurofxref/"
    )


def test_log_lines_are_redacted_whoever_logs_them(caplog):
    from ingestion import configure_runtime

    configure_runtime()  # as `roi` and build_definitions do before anything loads
    # GIVEN a library logging a request URL with %-style arguments
    logger = logging.getLogger("urllib3.connectionpool")
    with caplog.at_level(logging.DEBUG, logger="urllib3.connectionpool"):
        # WHEN it logs
        logger.debug('%s://%s "%s %s" %s', "http", "u:pw@h:80", "GET", "/r?api_key=K9", 500)
    # THEN the line holds neither the password nor the key
    assert caplog.messages == ['http://***@h:80 "GET /r?api_key=***" 500']


def test_a_request_without_answer_fails_with_a_redacted_error_and_nothing_chained():
    # GIVEN a provider URL with a key in its query string, on a port nobody listens on
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://fx:pw-Q7@127.0.0.1:{port}/day/2026-02-21?access_key=key-Z3&symbols=NGN"

    # WHEN the connector asks it (dlt retries the connection, then gives up)
    with pytest.raises(ConnectorRequestError) as raised:
        fetch(url, "FX fallback provider")

    # THEN the error names the request without its credentials, and chains nothing that would
    # (dlt's trace and Dagster's event log keep every exception of the chain)
    message = str(raised.value)
    assert message.startswith(
        f"FX fallback provider: GET http://***@127.0.0.1:{port}/day/2026-02-21"
        "?access_key=***&symbols=***: ConnectionError: "
    ), message
    assert "access_key=***" in message.split(": ConnectionError: ")[1]
    assert "key-Z3" not in message and "pw-Q7" not in message
    assert raised.value.__cause__ is None and raised.value.__context__ is None


def test_an_error_already_redacted_passes_unchanged():
    # GIVEN pages of a connector that fails with its own (already redacted) HTTP error
    failure = ConnectorRequestError("google_ads: POST http://***@proxy/v26 failed with HTTP 503")

    def pages():
        yield ["page 1"]
        raise failure

    # WHEN they are read through the redaction guard
    seen = []
    with pytest.raises(ConnectorRequestError) as raised:
        for page in requests_redacted("google_ads", pages()):
            seen.append(page)

    # THEN the error is the connector's own, not wrapped again
    assert seen == [["page 1"]]
    assert raised.value is failure
