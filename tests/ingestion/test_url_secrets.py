"""Credentials inside URLs never leave the process: not on the console, not in Dagster's event
log, not in the alert, not in dlt's trace.

Google Ads' base_url carries user:password and the FX fallback provider's URL an access key in
its query string, as some proxies and providers want them. Both providers answer HTTP 500 on
every attempt, so the run fails and every error on the way names those URLs. Then every output
and every file the run wrote is searched, as bytes, for the secrets.
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

from werkzeug import Response

from ..drops import write_drop
from .ad_platforms.google_ads.fake_google_ads import STREAM, FakeGoogleAds

# Whole pipeline runs in this file: tests/conftest.py starts the longest files first.
PIPELINE_RUNS = 1

REPO_ROOT = Path(__file__).resolve().parents[2]
PROJECTS = """project_code,project_name,region,country_code,launch_date,target_roi
P-DE,Germany,EMEA,DE,2026-01-15,0.5"""
PROXY_PASSWORD = "proxy-pass-4Kq9Zt"
QUERY_KEY = "fx-query-key-8Rw3Lm"
ECB_PASSWORD = "ecb-pass-2Hs6Vn"


def _files_holding(folder: Path, markers: list[bytes]) -> list[str]:
    found = []
    for path in folder.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            found += [f"{path}: {marker!r}" for marker in markers if marker in content]
    return found


def test_secrets_in_urls_reach_no_output_and_no_file(httpserver, monkeypatch, tmp_path):
    # GIVEN Google Ads behind a proxy that wants user:password in the URL, down ...
    stream_calls: list[str] = []

    def unavailable(request):
        stream_calls.append(request.authorization.password if request.authorization else "")
        return Response("backend unavailable", status=500)

    httpserver.expect_request(STREAM, method="POST").respond_with_handler(unavailable)
    google = FakeGoogleAds(httpserver).install()
    host = f"{httpserver.host}:{httpserver.port}"
    google.configure(monkeypatch, base_url=f"http://roi:{PROXY_PASSWORD}@{host}")
    # ... an FX fallback provider with its key in the query string, down too ...
    fallback_calls: list[str] = []
    httpserver.expect_request("/fallback/series", method="GET").respond_with_handler(
        lambda request: fallback_calls.append(request.args["access_key"])
        or Response("internal error", status=500)
    )
    fx = {
        "BASE_URL": f"http://ecb:{ECB_PASSWORD}@{host}/ecb/",
        "CURRENCIES": '["USD"]',
        "START_DATE": "2026-02-01",
        "FALLBACK_URL": f"http://{host}/fallback/series?start_date={{start_date}}"
        f"&end_date={{end_date}}&symbols={{symbols}}&access_key={QUERY_KEY}",
        "FALLBACK_CURRENCIES": '["NGN"]',
    }
    for key, value in fx.items():
        monkeypatch.setenv(f"SOURCES__ECB_FX__{key}", value)
    # ... and a chat webhook
    hook: list[bytes] = []
    httpserver.expect_request("/hook", method="POST").respond_with_handler(
        lambda request: hook.append(request.get_data()) or Response("ok")
    )
    drop = write_drop(tmp_path / "drop", projects=PROJECTS)
    warehouse = tmp_path / "roi.duckdb"
    env = {
        **os.environ,
        "RUNTIME__REQUEST_MAX_ATTEMPTS": "2",
        "ROI_LOAD_RETRIES": "0",
        "ROI_ALERT_WEBHOOK_URL": httpserver.url_for("/hook"),
    }
    env.pop("DAGSTER_HOME", None)  # Dagster's home is then kept beside the warehouse

    # WHEN a run reads ad spend and FX rates from them
    run = subprocess.run(
        [sys.executable, "-m", "roi.cli", "run", "--source", "ads=api,fx=api"]
        + ["--data-dir", str(drop), "--warehouse", str(warehouse)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        timeout=600,
    )

    # THEN the run failed on both providers, which got the credentials on every attempt
    assert run.returncode == 1, (run.stdout + run.stderr[-3000:]).decode()
    assert stream_calls == [PROXY_PASSWORD, PROXY_PASSWORD]
    assert fallback_calls == [QUERY_KEY, QUERY_KEY]
    assert b"failed step: load_raw_ads" in run.stdout
    assert b"failed step: load_raw_fx" in run.stdout
    assert len(hook) == 1
    # AND the errors still say which host and path failed, with the secrets masked
    assert f"POST http://***@{host}/v26/customers/1234567890/".encode() in hook[0]
    assert b"/fallback/series?start_date=***" in hook[0]
    assert b"access_key=***" in hook[0]
    # AND no secret is in the output, the alert, or any file of the run (the warehouse, its
    # state folder with dlt's pipelines and traces, Dagster's home with its event logs)
    basic_auth = base64.b64encode(f"roi:{PROXY_PASSWORD}".encode())
    markers = [PROXY_PASSWORD.encode(), QUERY_KEY.encode(), ECB_PASSWORD.encode(), basic_auth]
    outputs = {"stdout": run.stdout, "stderr": run.stderr, "webhook": b"".join(hook)}
    assert [f"{name}: {m!r}" for name, text in outputs.items() for m in markers if m in text] == []
    assert _files_holding(tmp_path, markers) == []
