"""Fixtures for the connector tests: isolated dlt config, fast retries, DuckDB pipelines."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import dlt
import duckdb
import pytest
from dlt.common.configuration.container import Container
from dlt.common.configuration.specs.pluggable_run_context import PluggableRunContext
from pytest_httpserver import HTTPServer

# Fast retries: 3 attempts, waits of a few milliseconds (a Retry-After header is capped by
# the longest wait, so tests that check it raise RUNTIME__REQUEST_MAX_RETRY_DELAY).
FAST_RETRIES = {
    "RUNTIME__REQUEST_MAX_ATTEMPTS": "3",
    "RUNTIME__REQUEST_BACKOFF_FACTOR": "0.01",
    "RUNTIME__REQUEST_MAX_RETRY_DELAY": "0.05",
    "RUNTIME__REQUEST_TIMEOUT": "10",
    "RUNTIME__DLTHUB_TELEMETRY": "false",
}


def _reload_providers() -> None:
    Container()[PluggableRunContext].reload_providers()


@pytest.fixture(autouse=True)
def isolated_dlt_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No real credentials reach a test: no SOURCES__* variables, an empty .dlt folder."""
    for name in list(os.environ):
        if name.startswith(("SOURCES__", "AD_PLATFORMS__")):
            monkeypatch.delenv(name)
    project = tmp_path / "project"
    (project / ".dlt").mkdir(parents=True)
    monkeypatch.setenv("DLT_PROJECT_DIR", str(project))
    for key, value in FAST_RETRIES.items():
        monkeypatch.setenv(key, value)
    _reload_providers()
    yield
    monkeypatch.undo()
    _reload_providers()


def set_config(monkeypatch: pytest.MonkeyPatch, platform: str, **values: object) -> None:
    """Configure a platform through the environment, as a deployment would."""
    for key, value in values.items():
        monkeypatch.setenv(f"SOURCES__{platform.upper()}__{key.upper()}", str(value))


@pytest.fixture
def slow_httpserver() -> Iterator[HTTPServer]:
    """A server of the test's own, for a test whose client gives up on an answer (a timeout):
    the requests it left queued are dropped with the server instead of being answered later
    by the next test's handlers on the shared `httpserver`."""
    server = HTTPServer()
    server.start()
    yield server
    server.clear()
    server.stop()


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return tmp_path / "warehouse.duckdb"


def query(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(sql).fetchall()


@pytest.fixture
def make_pipeline(tmp_path: Path, warehouse: Path) -> Callable[..., dlt.Pipeline]:
    """`make_pipeline(name, dataset)`: a dlt pipeline into the test's DuckDB file."""

    def make(name: str = "api_raw_ads", dataset: str = "raw_ads") -> dlt.Pipeline:
        return dlt.pipeline(
            pipeline_name=name,
            destination=dlt.destinations.duckdb(credentials=str(warehouse)),
            dataset_name=dataset,
            pipelines_dir=str(tmp_path / "dlt"),
        )

    return make


def ad_spend_rows(pipeline: dlt.Pipeline) -> list[tuple]:
    """raw_ads.ad_spend: the file-drop columns plus _source_file/_source_line, sorted by key."""
    with pipeline.sql_client() as client:
        exists = client.execute_sql(
            "select count(*) from information_schema.tables "
            "where table_schema = 'raw_ads' and table_name = 'ad_spend'"
        )
        if not exists[0][0]:
            return []
        return [
            tuple(row)
            for row in client.execute_sql(
                "select date, platform, account_id, campaign_id, campaign_name, project_code, "
                "currency, spend, impressions, clicks, _source_file, _source_line "
                "from raw_ads.ad_spend order by platform, account_id, campaign_id, date"
            )
        ]


def resource_state(pipeline: dlt.Pipeline, source: str) -> dict:
    """The `ad_spend` resource state of `source` as the pipeline last committed it."""
    sources = pipeline.state.get("sources", {})
    return sources.get(source, {}).get("resources", {}).get("ad_spend", {})
