"""Run alerts delivered to a chat webhook (Slack, Feishu/Lark or DingTalk).

The Dagster sensors build an `Alert` when a run fails or a blocking data-quality check fails
and hand it to `send_alert`. Every alert is logged through the `roi.alerts` logger; when
`ROI_ALERT_WEBHOOK_URL` is set it is also posted to that webhook. Delivery is best effort: an
alert that cannot be delivered is reported in the log and never breaks the run or the sensor.

Webhook URLs carry credentials (the Slack path, the Feishu hook id, the DingTalk
access_token), and so does the signing secret: neither is ever logged, only the host. The
facts themselves may quote a connector's URL: its userinfo and query values are masked
(ingestion/redaction.py) before the alert is logged or posted.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import requests

from ingestion.redaction import redact_text

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
class Alert:
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
    alert: Alert, fmt: str, secret: str | None = None, now: datetime | None = None
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


@dataclass(frozen=True)
class _Attempt:
    """Outcome of one POST: `problem` is None when the alert was delivered."""

    problem: str | None
    retryable: bool = False
    retry_after: float | None = None


def send_alert(
    alert: Alert,
    settings: WebhookSettings | None = None,
    session: requests.Session | None = None,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> bool:
    """Log `alert` and post it to the configured webhook; True when the webhook accepted it.

    The alert is always logged (ERROR for severity "error", WARNING otherwise). Connection
    errors, timeouts, HTTP 5xx and 429 are retried, up to `MAX_ATTEMPTS` posts, after an
    exponential backoff or the response's `Retry-After` seconds (capped at
    `MAX_RETRY_AFTER_SECONDS`); `sleep` is injectable so tests need not wait. A read timeout
    is retried too: a duplicate message is better than a lost alert.

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
    if session is None:
        with requests.Session() as own_session:
            return _deliver(alert, settings, params, body, own_session, sleep)
    return _deliver(alert, settings, params, body, session, sleep)


def _deliver(
    alert: Alert,
    settings: WebhookSettings,
    params: dict[str, str],
    body: dict[str, Any],
    session: requests.Session,
    sleep: Callable[[float], None],
) -> bool:
    """Post with retries; logs only the host of the URL, which carries credentials."""
    host = urlsplit(settings.url).hostname or "(URL without a host)"
    for attempt in range(1, MAX_ATTEMPTS + 1):
        outcome = _post_once(settings, params, body, session)
        if outcome.problem is None:
            log.info("alert %r delivered to %s webhook at %s", alert.title, settings.format, host)
            return True
        if not outcome.retryable or attempt == MAX_ATTEMPTS:
            break
        delay = outcome.retry_after
        if delay is None:
            delay = BACKOFF_SECONDS * 2 ** (attempt - 1)
        log.warning(
            "alert %r: webhook at %s answered %s; retrying in %.1fs (attempt %d of %d)",
            alert.title,
            host,
            outcome.problem,
            delay,
            attempt,
            MAX_ATTEMPTS,
        )
        sleep(delay)
    log.error(
        "alert %r NOT delivered to %s webhook at %s after %d attempt(s): %s",
        alert.title,
        settings.format,
        host,
        attempt,
        outcome.problem,
    )
    return False


def _post_once(
    settings: WebhookSettings,
    params: dict[str, str],
    body: dict[str, Any],
    session: requests.Session,
) -> _Attempt:
    """One POST, classified. Exceptions are named by class only: their text holds the URL."""
    try:
        response = session.post(
            settings.url, params=params, json=body, timeout=settings.timeout_seconds
        )
    except (requests.ConnectionError, requests.Timeout) as exc:
        return _Attempt(f"{type(exc).__name__} (no HTTP response)", retryable=True)
    except requests.RequestException as exc:
        return _Attempt(f"{type(exc).__name__} (request not sent)")
    status = response.status_code
    if status == 429 or status >= 500:
        return _Attempt(f"HTTP {status}", retryable=True, retry_after=_retry_after(response))
    if not response.ok:
        return _Attempt(f"HTTP {status}: {_excerpt(response.text)}")
    return _Attempt(_provider_error(settings.format, response))


def _retry_after(response: requests.Response) -> float | None:
    """`Retry-After` in seconds, capped at `MAX_RETRY_AFTER_SECONDS` so a sensor is not held
    up for long; None when absent or given as an HTTP date."""
    try:
        seconds = float(response.headers.get("Retry-After", ""))
    except ValueError:
        return None
    if math.isnan(seconds):
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_SECONDS)


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
