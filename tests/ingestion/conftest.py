"""Shared fixtures of the connector tests: fast retries, throwaway pipelines and warehouses."""

from __future__ import annotations

from pathlib import Path

import dlt
import duckdb
import pytest

import ingestion  # noqa: F401  (sets dlt's offline defaults before any pipeline exists)


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """dlt's HTTP client retries as in production, but without waiting."""
    monkeypatch.setenv("RUNTIME__REQUEST_MAX_ATTEMPTS", "4")
    monkeypatch.setenv("RUNTIME__REQUEST_BACKOFF_FACTOR", "0")
    monkeypatch.setenv("RUNTIME__REQUEST_MAX_RETRY_DELAY", "0")


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return tmp_path / "warehouse.duckdb"


@pytest.fixture
def make_pipeline(tmp_path: Path, warehouse: Path):
    """`make_pipeline(name, dataset)`: a dlt pipeline into the test's DuckDB file."""

    def make(name: str, dataset: str) -> dlt.Pipeline:
        return dlt.pipeline(
            pipeline_name=name,
            destination=dlt.destinations.duckdb(credentials=str(warehouse)),
            dataset_name=dataset,
            pipelines_dir=str(tmp_path / "pipelines"),
        )

    return make


def query(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(sql).fetchall()
