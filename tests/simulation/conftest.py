"""The hand-built warehouse of tests/simulation/warehouse.py, as a DuckDB file and as the
SimulationData loaded from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from foundation.warehouse import DuckDBWarehouse
from simulation import SimulationData, load_simulation_data

from . import warehouse


@pytest.fixture(scope="session")
def warehouse_file(tmp_path_factory) -> Path:
    """The baseline warehouse (read-only for the tests: a test that changes rows writes its
    own)."""
    path = tmp_path_factory.mktemp("simulation") / "roi.duckdb"
    with DuckDBWarehouse(path).connect() as con:
        warehouse.write(con, warehouse.tables())
    return path


@pytest.fixture(scope="session")
def data(warehouse_file) -> SimulationData:
    with DuckDBWarehouse(warehouse_file).connect(read_only=True) as con:
        return load_simulation_data(con)
