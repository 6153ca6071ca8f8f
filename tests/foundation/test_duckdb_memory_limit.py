"""DuckDB's memory is bounded in every process that opens the warehouse."""

import pytest

from foundation.errors import RoiError
from foundation.warehouse import DuckDBWarehouse, duckdb_memory_limit


def test_the_limit_defaults_to_1gb_and_takes_a_size():
    assert duckdb_memory_limit({}) == "1GB"
    assert duckdb_memory_limit({"ROI_DUCKDB_MEMORY_LIMIT": " 512MiB "}) == "512MiB"


def test_a_malformed_limit_is_refused_naming_the_variable():
    with pytest.raises(RoiError, match=r"ROI_DUCKDB_MEMORY_LIMIT='lots' is not a memory size"):
        duckdb_memory_limit({"ROI_DUCKDB_MEMORY_LIMIT": "lots"})


def test_a_warehouse_connection_runs_under_the_limit(tmp_path, monkeypatch):
    monkeypatch.setenv("ROI_DUCKDB_MEMORY_LIMIT", "300MB")
    with DuckDBWarehouse(tmp_path / "roi.duckdb").connect() as con:
        (limit,) = con.execute("select current_setting('memory_limit')").fetchone()
    # DuckDB reports the limit in its own units: 300 MB is 286.1 MiB
    assert limit == "286.1 MiB"
