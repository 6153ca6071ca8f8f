"""A live connector that keeps failing is retried by Dagster, then the run fails and alerts.

Google Ads answers every searchStream with 503. Each load attempt makes dlt's HTTP retries
(RUNTIME__REQUEST_MAX_ATTEMPTS = 2 here); the step's RetryPolicy (ROI_LOAD_RETRIES = 1) runs
the load once more; then the run fails, the published marts are untouched, and the webhook
gets one alert naming the step and the error.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
from werkzeug import Response

from ..drops import write_drop
from .ad_platforms.google_ads.fake_google_ads import STREAM, FakeGoogleAds

# Whole pipeline runs in this file: tests/conftest.py starts the longest files first.
PIPELINE_RUNS = 1

REPO_ROOT = Path(__file__).resolve().parents[2]
PROJECTS = """project_code,project_name,region,country_code,launch_date,target_roi
P-DE,Germany,EMEA,DE,2026-01-15,0.5"""


def test_failing_connector_is_retried_then_the_run_alerts(httpserver, monkeypatch, tmp_path):
    # GIVEN Google Ads that is down (a valid token, but 503 on every report request) ...
    stream_calls: list[str] = []

    def unavailable(request):
        stream_calls.append(request.path)
        return Response("backend unavailable", status=503)

    httpserver.expect_request(STREAM, method="POST").respond_with_handler(unavailable)
    FakeGoogleAds(httpserver).install().configure(monkeypatch, customer_ids="123-456-7890")
    # ... and a chat webhook
    hook = []
    httpserver.expect_request("/hook", method="POST").respond_with_handler(
        lambda request: hook.append(request.get_json()) or Response("ok")
    )
    drop = write_drop(tmp_path / "drop", projects=PROJECTS)
    warehouse = tmp_path / "roi.duckdb"
    env = {
        **os.environ,
        "RUNTIME__REQUEST_MAX_ATTEMPTS": "2",
        "ROI_LOAD_RETRIES": "1",
        "ROI_LOAD_RETRY_DELAY_SECONDS": "0.1",
        "ROI_ALERT_WEBHOOK_URL": httpserver.url_for("/hook"),
    }
    # WHEN a run reads ad spend from the live platforms
    run = subprocess.run(
        [sys.executable, "-m", "roi.cli", "run", "--source", "ads=api"]
        + ["--data-dir", str(drop), "--warehouse", str(warehouse)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    # THEN the load was attempted twice, each with dlt's two HTTP attempts
    assert run.returncode == 1, run.stdout + run.stderr[-3000:]
    assert len(stream_calls) == 4
    assert "loading raw_ads from the live ad_platforms connector (retry 1)" in run.stderr
    assert "failed step: load_raw_ads" in run.stdout
    # AND the webhook got one alert with the step and Google's error
    assert len(hook) == 1, hook
    text = hook[0]["text"]
    assert text.startswith("[ERROR] Pipeline run failed: roi_pipeline\n")
    stream = httpserver.url_for("/v26/customers/1234567890/googleAds:searchStream")
    assert text.splitlines()[-1] == (
        "- step load_raw_ads failed: ingestion.ad_platforms.helpers.AdPlatformHTTPError: "
        f"google_ads: POST {stream} failed with HTTP 503: backend unavailable"
    )
    # AND the audit trail records the failed run, and no marts were published
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select status, failed_steps from audit.runs").fetchall() == [
            ("failed", "load_raw_ads")
        ]
        assert con.execute(
            "select count(*) from information_schema.tables where table_schema = 'marts'"
        ).fetchone() == (0,)
