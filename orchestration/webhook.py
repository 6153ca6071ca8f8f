"""Run alerts delivered to a chat webhook (Slack, Feishu/Lark or DingTalk).

The sensors and `roi run` build a `WebhookMessage` when a run fails or a blocking
data-quality check fails (orchestration/run_alerts.py) and hand it to `send_alert`. Every
alert is logged through the `orchestration.webhook` logger; when
`ROI_ALERT_WEBHOOK_URL` is set it is also posted to that webhook. Delivery is best effort: an
alert that cannot be delivered is reported in the log and never breaks the run or the sensor.

Webhook URLs carry credentials (the Slack path, the Feishu hook id, the DingTalk
access_token), and so does the signing secret: neither is ever logged, only the host. The
facts themselves may quote a connector's URL: its userinfo and query values are masked
(foundation/redaction.py) before the alert is logged or posted.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import requests
from dlt.sources.helpers.requests import Client
from dlt.sources.helpers.requests.retry import DEFAULT_RETRY_EXCEPTIONS, DEFAULT_RETRY_STATUS

from foundation.redaction import redact_text

log = logging.getLogger(__name__)

SEVERITIES = ("error", "warning")
FORMATS = ("slack", "feishu", "dingtalk")
MAX_SHOWN_LINES = 20
MAX_LINE_CHARS = 500
DEFAULT_TIMEOUT_SECONDS = 10.0
MAX_ATTEMPTS = 3
BACKOFF_SECONDS = 0.5
MAX_RETRY_AFTER_SECONDS = 10.0
MAX_RESPONSE_EXCERPT_CHARS = 200

FORMAT_BY_HOST = {
    "hooks.slack.com": "slack",
    "open.feishu.cn": "feishu",
    "open.larksuite.com": "feishu",
    "oapi.dingtalk.com": "dingtalk",
}


@dataclass(frozen=True)
class WebhookMessage:
    """What went wrong in one run, as a chat message will show it.

    `lines` are the facts (failed step and its error, failed check with its observed value,
    quarantined row counts...); `link` is the run in the Dagster UI when known.
    """

    title: str
    severity: str
    lines: list[str]
    run_id: str
    job: str
    period: str | None = None
    warehouse: str | None = None
    link: str | None = None

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"alert severity {self.severity!r} is not one of {SEVERITIES}")

    def text(self) -> str:
        """Plain multi-line message: title, where it happened, then the facts.

        At most `MAX_SHOWN_LINES` facts are shown, each clipped to `MAX_LINE_CHARS`, so a run
        with thousands of failures or a long stack trace still fits a chat message (Feishu
        rejects bodies over 20 KB).
        """
        context = [
            ("run", self.run_id),
            ("job", self.job),
            ("period", self.period),
            ("warehouse", self.warehouse),
            ("link", self.link),
        ]
        shown = [f"- {_clip(line)}" for line in self.lines[:MAX_SHOWN_LINES]]
        hidden = len(self.lines) - len(shown)
        if hidden:
            shown.append(f"... and {hidden} more")
        return redact_text(
            "\n".join(
                [
                    f"[{self.severity.upper()}] {self.title}",
                    *(f"{name}: {value}" for name, value in context if value),
                    *shown,
                ]
            )
        )


def _clip(line: str) -> str:
    return line if len(line) <= MAX_LINE_CHARS else line[: MAX_LINE_CHARS - 1] + "…"


@dataclass(frozen=True)
class WebhookSettings:
    """Where alerts go. No `url` means alerts are only logged.

    `url` and `secret` are kept out of the repr so that logging the settings leaks neither.
    """

    url: str | None = field(default=None, repr=False)
    format: str = "slack"
    secret: str | None = field(default=None, repr=False)
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS

    def __post_init__(self) -> None:
        if self.format not in FORMATS:
            raise ValueError(f"webhook format {self.format!r} is not one of: {', '.join(FORMATS)}")

    @classmethod
    def from_env(cls) -> WebhookSettings:
        """Read `ROI_ALERT_WEBHOOK_URL`, `_FORMAT`, `_SECRET` and `ROI_ALERT_TIMEOUT_SECONDS`.

        Empty values count as unset. Without a format, it is inferred from the URL's host.
        Raises ValueError, naming the variable, for an unknown format or a bad timeout.
        """
        url = os.environ.get("ROI_ALERT_WEBHOOK_URL", "").strip() or None
        chosen = os.environ.get("ROI_ALERT_WEBHOOK_FORMAT", "").strip().lower()
        if chosen and chosen not in FORMATS:
            raise ValueError(
                f"ROI_ALERT_WEBHOOK_FORMAT={chosen!r} is not one of: {', '.join(FORMATS)}"
            )
        return cls(
            url=url,
            format=chosen or infer_format(url),
            secret=os.environ.get("ROI_ALERT_WEBHOOK_SECRET", "").strip() or None,
            timeout_seconds=_timeout_from_env(),
        )


def _timeout_from_env() -> float:
    raw = os.environ.get("ROI_ALERT_TIMEOUT_SECONDS", "").strip()
    if not raw:
        return DEFAULT_TIMEOUT_SECONDS
    bad = ValueError(f"ROI_ALERT_TIMEOUT_SECONDS={raw!r} is not a positive number of seconds")
    try:
        seconds = float(raw)
    except ValueError:
        raise bad from None
    if not (seconds > 0 and math.isfinite(seconds)):
        raise bad
    return seconds


def infer_format(url: str | None) -> str:
    """The format a webhook URL's host speaks; Slack's `{"text": ...}` for unknown hosts.

    Slack's shape is also what Mattermost and Teams-compatible "text" webhooks accept.
    """
    host = urlsplit(url).hostname if url else None
    return FORMAT_BY_HOST.get(host or "", "slack")


def payload(
    alert: WebhookMessage, fmt: str, secret: str | None = None, now: datetime | None = None
) -> tuple[dict[str, str], dict[str, Any]]:
    """The (query parameters, JSON body) that post `alert` to a webhook of format `fmt`.

    With a `secret`, Feishu and DingTalk requests are signed with the time `now` (a
    timezone-aware datetime, default the current time). Query parameter values are raw:
    the HTTP client percent-encodes them once when it appends them to the URL. Raises
    ValueError for an unknown `fmt`.
    """
    text = alert.text()
    moment = now or datetime.now(UTC)
    if fmt == "slack":
        # Slack incoming webhook: https://api.slack.com/messaging/webhooks
        return {}, {"text": text}
    if fmt == "feishu":
        body: dict[str, Any] = {"msg_type": "text", "content": {"text": text}}
        if secret:
            timestamp = str(int(moment.timestamp()))
            body |= {"timestamp": timestamp, "sign": feishu_sign(timestamp, secret)}
        return {}, body
    if fmt == "dingtalk":
        params = {}
        if secret:
            timestamp = str(int(moment.timestamp() * 1000))
            params = {"timestamp": timestamp, "sign": dingtalk_sign(timestamp, secret)}
        return params, {"msgtype": "text", "text": {"content": text}}
    raise ValueError(f"webhook format {fmt!r} is not one of: {', '.join(FORMATS)}")


def feishu_sign(timestamp: str, secret: str) -> str:
    """Feishu/Lark custom bot signature for `timestamp` (unix seconds).

    Feishu's "自定义机器人使用指南", section 签名校验
    (https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot): the string
    `timestamp + "\\n" + secret` is the HMAC-SHA256 *key*, the message is empty, and the digest
    is Base64-encoded. The timestamp must be within an hour of the server's time, else the
    bot answers code 19021 "sign match fail or timestamp is not within one hour".
    """
    key = f"{timestamp}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def dingtalk_sign(timestamp: str, secret: str) -> str:
    """DingTalk custom robot signature for `timestamp` (unix milliseconds), not yet URL-encoded.

    DingTalk's custom robot security settings, 加签
    (https://open.dingtalk.com/document/robots/customize-robot-security-settings): HMAC-SHA256
    with the secret as key over `timestamp + "\\n" + secret`, Base64-encoded, then URL-encoded
    as the `sign` query parameter next to `timestamp` (the encoding is done by the HTTP client).
    Unlike Feishu, the secret is the key and the timestamp is in milliseconds.
    """
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256)
    return base64.b64encode(digest.digest()).decode()


def send_alert(alert: WebhookMessage, settings: WebhookSettings | None = None) -> bool:
    """Log `alert` and post it to the configured webhook; True when the webhook accepted it.

    The alert is always logged (ERROR for severity "error", WARNING otherwise). The post
    goes through dlt's requests client, the retry policy of the connectors
    (ingestion/http_retries.py): connection errors, timeouts, HTTP 5xx and 429 are retried, up
    to `MAX_ATTEMPTS` posts, after an exponential backoff from `BACKOFF_SECONDS` or the
    response's `Retry-After` (seconds or an HTTP date), both capped at
    `MAX_RETRY_AFTER_SECONDS` so a sensor is not held up for long. A read timeout is retried
    too: a duplicate message is better than a lost alert.

    Never raises for a delivery failure or a bad configuration: it logs an ERROR naming the
    webhook host (never the URL) and the problem, and returns False. `settings` defaults to
    `WebhookSettings.from_env()`.
    """
    log.log(logging.ERROR if alert.severity == "error" else logging.WARNING, "%s", alert.text())
    try:
        settings = settings or WebhookSettings.from_env()
    except ValueError as exc:
        log.error("alert %r not sent, bad webhook settings: %s", alert.title, exc)
        return False
    if not settings.url:
        return False
    params, body = payload(alert, settings.format, settings.secret)
    # only the host is ever logged: the URL carries credentials
    host = urlsplit(settings.url).hostname or "(URL without a host)"
    answers: list[int] = []
    client = Client(
        request_timeout=settings.timeout_seconds,
        raise_for_status=False,
        request_max_attempts=MAX_ATTEMPTS,
        request_backoff_factor=BACKOFF_SECONDS,
        request_max_retry_delay=MAX_RETRY_AFTER_SECONDS,
        session_attrs={"hooks": {"response": [_answer_logger(alert, host, answers)]}},
    )
    try:
        response = client.post(settings.url, params=params, json=body)
    except DEFAULT_RETRY_EXCEPTIONS as exc:
        # named by class only: the exception's text holds the URL
        problem = f"{type(exc).__name__} (no HTTP response)"
        attempts = MAX_ATTEMPTS
    except requests.RequestException as exc:
        problem = f"{type(exc).__name__} (request not sent)"
        attempts = len(answers) + 1
    else:
        problem = _problem(settings.format, response)
        attempts = len(answers)
    finally:
        client.session.close()
    if problem is None:
        log.info("alert %r delivered to %s webhook at %s", alert.title, settings.format, host)
        return True
    log.error(
        "alert %r NOT delivered to %s webhook at %s after %d attempt(s): %s",
        alert.title,
        settings.format,
        host,
        attempts,
        problem,
    )
    return False


def _answer_logger(alert: WebhookMessage, host: str, answers: list[int]) -> Callable[..., None]:
    """A requests response hook: counts the webhook's answers and warns of each one dlt's
    client is about to retry."""

    def note(response: requests.Response, *args: Any, **kwargs: Any) -> None:
        answers.append(response.status_code)
        if response.status_code in DEFAULT_RETRY_STATUS and len(answers) < MAX_ATTEMPTS:
            log.warning(
                "alert %r: webhook at %s answered HTTP %s; retrying (attempt %d of %d)",
                alert.title,
                host,
                response.status_code,
                len(answers),
                MAX_ATTEMPTS,
            )

    return note


def _problem(fmt: str, response: requests.Response) -> str | None:
    """Why the webhook's last answer is not a delivery, or None when it accepted the alert."""
    status = response.status_code
    if status in DEFAULT_RETRY_STATUS:
        return f"HTTP {status}"
    if not response.ok:
        return f"HTTP {status}: {_excerpt(response.text)}"
    return _provider_error(fmt, response)


def _provider_error(fmt: str, response: requests.Response) -> str | None:
    """The error a provider reports inside a 2xx response, or None when it accepted the alert.

    Slack (and the Mattermost/Teams-style webhooks using its format) report errors as HTTP
    4xx/5xx, so any 2xx is success. Feishu answers `{"code": 0, ...}` (legacy bots
    `{"StatusCode": 0, ...}`) on success and a non-zero `code` with `msg` on error; DingTalk
    answers `{"errcode": 0, "errmsg": "ok"}` on success.
    """
    if fmt == "slack":
        return None
    try:
        answer = response.json()
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        return f"unreadable answer: {_excerpt(response.text)}"
    if fmt == "feishu":
        if answer.get("code") == 0 or answer.get("StatusCode") == 0:
            return None
        code = answer.get("code", answer.get("StatusCode"))
        message = answer.get("msg", answer.get("StatusMessage"))
        return f"Feishu error code {code}: {message}"
    if answer.get("errcode") == 0:
        return None
    return f"DingTalk error code {answer.get('errcode')}: {answer.get('errmsg')}"


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    if len(text) > MAX_RESPONSE_EXCERPT_CHARS:
        return text[:MAX_RESPONSE_EXCERPT_CHARS] + "…"
    return text or "(empty body)"
