"""Run alerts reach Slack, Feishu and DingTalk webhooks in each one's documented shape.

Every test posts to a local HTTP server (pytest-httpserver); retries never really sleep.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import socket
import time
from datetime import UTC, datetime
from types import SimpleNamespace
from urllib.parse import quote_plus

import pytest
from werkzeug import Response

from orchestration.webhook import (
    MAX_RETRY_AFTER_SECONDS,
    WebhookMessage,
    WebhookSettings,
    dingtalk_sign,
    feishu_sign,
    payload,
    send_alert,
)

NOW = datetime(2026, 4, 1, 8, 30, tzinfo=UTC)
NOW_SECONDS = "1775032200"
NOW_MILLISECONDS = "1775032200000"
FEISHU_SECRET = "SECfeishu-test"
DINGTALK_SECRET = "SECdingtalk-test"
# Known answers computed outside Python, with
#   printf '' | openssl dgst -sha256 -hmac "$(printf '1775032200\nSECfeishu-test')" -binary | base64
#   printf '1775032200000\nSECdingtalk-test' | openssl dgst -sha256 -hmac SECdingtalk-test \
#     -binary | base64
FEISHU_SIGN_AT_NOW = "Y+4/TixYmvzYef1E+QKTkwHI0qKFgEBsi5FXynotvjg="
DINGTALK_SIGN_AT_NOW = "AwfGDjQZ+00uEjhLjYOAq1SzrIC/BiMfjSm7LCh6cws="
TOKEN = "tok-3f9a1c-do-not-log"

ALERT = WebhookMessage(
    title="Blocking check failed: quarterly ROI not published",
    severity="error",
    lines=[
        "check fx_rate_present failed: 3 orders without an FX rate",
        "quarantined: 3 rows in raw_crm.orders",
    ],
    run_id="a1b2c3",
    job="quarterly_refresh",
    period="2026-Q1",
    warehouse="warehouse/roi.duckdb",
    link="http://dagster.local/runs/a1b2c3",
)
ALERT_TEXT = (
    "[ERROR] Blocking check failed: quarterly ROI not published\n"
    "run: a1b2c3\n"
    "job: quarterly_refresh\n"
    "period: 2026-Q1\n"
    "warehouse: warehouse/roi.duckdb\n"
    "link: http://dagster.local/runs/a1b2c3\n"
    "- check fx_rate_present failed: 3 orders without an FX rate\n"
    "- quarantined: 3 rows in raw_crm.orders"
)


class RecordedSleep:
    """Stands in for time.sleep: remembers the delays instead of waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def sleep(monkeypatch: pytest.MonkeyPatch) -> RecordedSleep:
    """The waits of dlt's retrying client (tenacity's sleep strategy calls `time.sleep` of its
    `nap` module), recorded instead of slept; time.sleep stays real everywhere else."""
    recorded = RecordedSleep()
    monkeypatch.setattr("tenacity.nap.time", SimpleNamespace(sleep=recorded))
    return recorded


@pytest.fixture
def alert_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG, logger="orchestration.webhook")
    return caplog


def hook_settings(httpserver, fmt: str, secret: str | None = None) -> WebhookSettings:
    url = httpserver.url_for("/hook") + f"?access_token={TOKEN}"
    return WebhookSettings(url=url, format=fmt, secret=secret, timeout_seconds=2)


def errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    """ERROR messages of orchestration.webhook."""
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "orchestration.webhook" and r.levelno == logging.ERROR
    ]


# --- the message ---------------------------------------------------------------------------


def test_text_lists_context_then_facts():
    assert ALERT.text() == ALERT_TEXT


def test_text_bounds_the_number_of_lines_and_omits_unknown_context():
    alert = WebhookMessage(
        title="Run failed",
        severity="warning",
        lines=[f"row {n} quarantined" for n in range(1, 26)],
        run_id="r1",
        job="weekly_refresh",
    )
    lines = alert.text().splitlines()
    assert lines[:3] == ["[WARNING] Run failed", "run: r1", "job: weekly_refresh"]
    assert lines[3] == "- row 1 quarantined"
    assert lines[-2] == "- row 20 quarantined"
    assert lines[-1] == "... and 5 more"
    assert len(lines) == 3 + 20 + 1


def test_unknown_severity_is_refused():
    with pytest.raises(ValueError, match="severity"):
        WebhookMessage(title="t", severity="critical", lines=[], run_id="r", job="j")


# --- settings --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "fmt"),
    [
        ("https://hooks.slack.com/services/T0/B0/xyz", "slack"),
        ("https://open.feishu.cn/open-apis/bot/v2/hook/abc", "feishu"),
        ("https://open.larksuite.com/open-apis/bot/v2/hook/abc", "feishu"),
        ("https://oapi.dingtalk.com/robot/send?access_token=abc", "dingtalk"),
        ("https://chat.example.com/hooks/abc", "slack"),  # Mattermost-style "text" webhook
    ],
)
def test_format_is_inferred_from_the_host(monkeypatch, url, fmt):
    monkeypatch.setenv("ROI_ALERT_WEBHOOK_URL", url)
    monkeypatch.delenv("ROI_ALERT_WEBHOOK_FORMAT", raising=False)
    assert WebhookSettings.from_env().format == fmt


def test_settings_from_env(monkeypatch):
    monkeypatch.setenv("ROI_ALERT_WEBHOOK_URL", "https://chat.example.com/hooks/abc")
    monkeypatch.setenv("ROI_ALERT_WEBHOOK_FORMAT", "DingTalk")
    monkeypatch.setenv("ROI_ALERT_WEBHOOK_SECRET", "SECabc")
    monkeypatch.setenv("ROI_ALERT_TIMEOUT_SECONDS", "2.5")
    settings = WebhookSettings.from_env()
    assert (settings.url, settings.format, settings.secret, settings.timeout_seconds) == (
        "https://chat.example.com/hooks/abc",
        "dingtalk",
        "SECabc",
        2.5,
    )
    assert "abc" not in repr(settings)  # neither the URL nor the secret


def test_settings_defaults_when_unset_or_empty(monkeypatch):
    monkeypatch.setenv("ROI_ALERT_WEBHOOK_URL", "")
    for name in ("FORMAT", "SECRET"):
        monkeypatch.delenv(f"ROI_ALERT_WEBHOOK_{name}", raising=False)
    monkeypatch.delenv("ROI_ALERT_TIMEOUT_SECONDS", raising=False)
    assert WebhookSettings.from_env() == WebhookSettings(
        url=None, format="slack", secret=None, timeout_seconds=10
    )


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("ROI_ALERT_WEBHOOK_FORMAT", "teams", "ROI_ALERT_WEBHOOK_FORMAT='teams' .*slack, feishu"),
        ("ROI_ALERT_TIMEOUT_SECONDS", "soon", "ROI_ALERT_TIMEOUT_SECONDS='soon'"),
        ("ROI_ALERT_TIMEOUT_SECONDS", "0", "ROI_ALERT_TIMEOUT_SECONDS='0'"),
    ],
)
def test_bad_settings_name_the_variable(monkeypatch, variable, value, message):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValueError, match=message):
        WebhookSettings.from_env()


# --- payloads and signatures -----------------------------------------------------------------


def test_slack_payload():
    assert payload(ALERT, "slack", now=NOW) == ({}, {"text": ALERT_TEXT})


def test_feishu_payload_unsigned_and_signed():
    assert payload(ALERT, "feishu", now=NOW) == (
        {},
        {"msg_type": "text", "content": {"text": ALERT_TEXT}},
    )
    assert payload(ALERT, "feishu", secret=FEISHU_SECRET, now=NOW) == (
        {},
        {
            "msg_type": "text",
            "content": {"text": ALERT_TEXT},
            "timestamp": NOW_SECONDS,
            "sign": FEISHU_SIGN_AT_NOW,
        },
    )


def test_dingtalk_payload_unsigned_and_signed():
    body = {"msgtype": "text", "text": {"content": ALERT_TEXT}}
    assert payload(ALERT, "dingtalk", now=NOW) == ({}, body)
    assert payload(ALERT, "dingtalk", secret=DINGTALK_SECRET, now=NOW) == (
        {"timestamp": NOW_MILLISECONDS, "sign": DINGTALK_SIGN_AT_NOW},
        body,
    )


def test_signatures_follow_each_providers_recipe():
    # Feishu: key = "timestamp\nsecret", empty message. DingTalk: key = secret,
    # message = "timestamp\nsecret". Recomputed here with hmac directly.
    feishu_key = f"{NOW_SECONDS}\n{FEISHU_SECRET}".encode()
    feishu = base64.b64encode(hmac.new(feishu_key, b"", hashlib.sha256).digest()).decode()
    dingtalk_message = f"{NOW_MILLISECONDS}\n{DINGTALK_SECRET}".encode()
    dingtalk = base64.b64encode(
        hmac.new(DINGTALK_SECRET.encode(), dingtalk_message, hashlib.sha256).digest()
    ).decode()
    assert feishu_sign(NOW_SECONDS, FEISHU_SECRET) == feishu == FEISHU_SIGN_AT_NOW
    assert dingtalk_sign(NOW_MILLISECONDS, DINGTALK_SECRET) == dingtalk == DINGTALK_SIGN_AT_NOW


# --- delivery --------------------------------------------------------------------------------


def test_slack_delivery(httpserver, sleep):
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    assert send_alert(ALERT, hook_settings(httpserver, "slack"))
    (request, _), *_ = httpserver.log
    assert request.get_json() == {"text": ALERT_TEXT}
    assert request.args.get("access_token") == TOKEN


def test_feishu_delivery_signed(httpserver, sleep):
    httpserver.expect_request("/hook", method="POST").respond_with_json(
        {"code": 0, "data": {}, "msg": "success"}
    )
    before = int(time.time())
    assert send_alert(ALERT, hook_settings(httpserver, "feishu", FEISHU_SECRET))
    (request, _), *_ = httpserver.log
    body = request.get_json()
    assert before <= int(body["timestamp"]) <= int(time.time())
    assert body == {
        "msg_type": "text",
        "content": {"text": ALERT_TEXT},
        "timestamp": body["timestamp"],
        "sign": feishu_sign(body["timestamp"], FEISHU_SECRET),
    }


def test_feishu_legacy_success_answer(httpserver, sleep):
    httpserver.expect_request("/hook").respond_with_json(
        {"Extra": None, "StatusCode": 0, "StatusMessage": "success"}
    )
    assert send_alert(ALERT, hook_settings(httpserver, "feishu"))


def test_dingtalk_delivery_signed_in_the_query_string(httpserver, sleep):
    httpserver.expect_request("/hook", method="POST").respond_with_json(
        {"errcode": 0, "errmsg": "ok"}
    )
    assert send_alert(ALERT, hook_settings(httpserver, "dingtalk", DINGTALK_SECRET))
    (request, _), *_ = httpserver.log
    assert request.get_json() == {"msgtype": "text", "text": {"content": ALERT_TEXT}}
    timestamp = request.args["timestamp"]
    assert abs(int(timestamp) - time.time() * 1000) < 5000
    sign = dingtalk_sign(timestamp, DINGTALK_SECRET)
    assert request.args["sign"] == sign
    assert request.args["access_token"] == TOKEN
    # on the wire the base64 signature is URL-encoded exactly once ("+" -> %2B, "/" -> %2F)
    assert f"sign={quote_plus(sign)}" in request.query_string.decode()


def test_dingtalk_error_answer_is_a_failure(httpserver, sleep, alert_log):
    httpserver.expect_request("/hook").respond_with_json(
        {"errcode": 310000, "errmsg": "sign not match"}
    )
    assert not send_alert(ALERT, hook_settings(httpserver, "dingtalk", "SECwrong"))
    assert any("310000" in m and "sign not match" in m for m in errors(alert_log))


def test_retry_on_500_then_delivered(httpserver, sleep):
    httpserver.expect_ordered_request("/hook").respond_with_data("oops", status=500)
    httpserver.expect_ordered_request("/hook").respond_with_data("ok")
    assert send_alert(ALERT, hook_settings(httpserver, "slack"))
    assert len(httpserver.log) == 2
    assert sleep.delays == [0.5]


@pytest.mark.parametrize(("retry_after", "slept"), [("3", 3.0), ("3600", MAX_RETRY_AFTER_SECONDS)])
def test_429_honours_retry_after_within_a_cap(httpserver, sleep, retry_after, slept):
    httpserver.expect_ordered_request("/hook").respond_with_response(
        Response("slow down", status=429, headers={"Retry-After": retry_after})
    )
    httpserver.expect_ordered_request("/hook").respond_with_data("ok")
    assert send_alert(ALERT, hook_settings(httpserver, "slack"))
    assert len(httpserver.log) == 2
    assert sleep.delays == [slept]


def test_429_honours_retry_after_given_as_a_date(httpserver, sleep):
    # an HTTP date far ahead waits the cap, as dlt's client reads it for the connectors
    httpserver.expect_ordered_request("/hook").respond_with_response(
        Response("slow down", status=429, headers={"Retry-After": "Fri, 31 Dec 2099 23:59:59 GMT"})
    )
    httpserver.expect_ordered_request("/hook").respond_with_data("ok")
    assert send_alert(ALERT, hook_settings(httpserver, "slack"))
    assert len(httpserver.log) == 2
    assert sleep.delays == [MAX_RETRY_AFTER_SECONDS]


def test_gives_up_after_three_attempts(httpserver, sleep, alert_log):
    httpserver.expect_request("/hook").respond_with_data("down", status=503)
    assert not send_alert(ALERT, hook_settings(httpserver, "slack"))
    assert len(httpserver.log) == 3
    assert sleep.delays == [0.5, 1.0]
    assert any("localhost" in m and "HTTP 503" in m for m in errors(alert_log))


def test_feishu_sign_failure_is_logged_not_retried(httpserver, sleep, alert_log):
    httpserver.expect_request("/hook").respond_with_json(
        {"code": 19021, "data": {}, "msg": "sign match fail"}
    )
    settings = hook_settings(httpserver, "feishu", FEISHU_SECRET)
    assert send_alert(ALERT, settings) is False
    assert len(httpserver.log) == 1
    assert any(
        "19021" in m and "sign match fail" in m and "localhost" in m for m in errors(alert_log)
    )


def test_client_error_is_not_retried(httpserver, sleep, alert_log):
    httpserver.expect_request("/hook").respond_with_data("no_service", status=404)
    assert not send_alert(ALERT, hook_settings(httpserver, "slack"))
    assert len(httpserver.log) == 1
    assert any("HTTP 404: no_service" in m for m in errors(alert_log))


def test_without_url_the_alert_is_only_logged(httpserver, sleep, alert_log):
    warning = WebhookMessage(
        title="Late drop", severity="warning", lines=["x"], run_id="r", job="j"
    )
    assert send_alert(ALERT, WebhookSettings(url=None)) is False
    assert send_alert(warning, WebhookSettings(url=None)) is False
    assert httpserver.log == []
    logged = [
        (r.levelno, r.getMessage()) for r in alert_log.records if r.name == "orchestration.webhook"
    ]
    assert logged == [(logging.ERROR, ALERT_TEXT), (logging.WARNING, warning.text())]


def test_bad_env_settings_do_not_raise(monkeypatch, sleep, alert_log):
    monkeypatch.setenv("ROI_ALERT_WEBHOOK_URL", "https://hooks.slack.com/services/x")
    monkeypatch.setenv("ROI_ALERT_WEBHOOK_FORMAT", "teams")
    assert send_alert(ALERT) is False
    assert any("ROI_ALERT_WEBHOOK_FORMAT" in m for m in errors(alert_log))


def test_url_and_secret_never_logged(httpserver, sleep, alert_log):
    # GIVEN a webhook that fails twice, then accepts; and one that refuses connections
    httpserver.expect_ordered_request("/hook").respond_with_data("oops", status=500)
    httpserver.expect_ordered_request("/hook").respond_with_json({"code": 9499, "msg": "bad"})
    httpserver.expect_ordered_request("/hook").respond_with_json({"code": 0, "msg": "success"})
    settings = hook_settings(httpserver, "feishu", FEISHU_SECRET)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    unreachable = WebhookSettings(
        url=f"http://127.0.0.1:{closed_port}/hook?access_token={TOKEN}",
        format="dingtalk",
        secret=DINGTALK_SECRET,
        timeout_seconds=1,
    )
    # WHEN alerts are sent to both
    assert not send_alert(ALERT, settings)  # 500, then Feishu error 9499
    assert send_alert(ALERT, settings)
    assert not send_alert(ALERT, unreachable)
    # THEN our log names hosts and problems, never the URL, its token or the secrets (the
    # test server's own access log, also captured, does show the URL)
    assert any("127.0.0.1" in m and "ConnectionError" in m for m in errors(alert_log))
    ours = "\n".join(r.getMessage() for r in alert_log.records if r.name == "orchestration.webhook")
    assert "HTTP 500" in ours and "9499" in ours and "delivered" in ours
    for secret in (TOKEN, FEISHU_SECRET, DINGTALK_SECRET, "/hook", "access_token"):
        assert secret not in ours
