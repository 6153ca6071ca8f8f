"""The dbt project's unit tests (`unit_tests:` beside the models) run here, in CI, and not in
every `roi run`: their inputs are fixed rows, so new data cannot change their outcome (dbt
Labs' recommendation; orchestration/dbt_assets.py excludes them from the run's build). The
run's build still runs every data test on the run's data. test_postgres_parity.py runs them
on PostgreSQL with `run_unit_tests`."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from foundation.settings import DBT_PROJECT_DIR, state_dir
from foundation.warehouse import DuckDBWarehouse, Warehouse
from orchestration.dbt_project import DBT_EXECUTABLE, ensure_manifest

from ..conftest import copy_warehouse


def manifest_ids(section: str, resource_type: str) -> set[str]:
    manifest = json.loads(ensure_manifest().read_text(encoding="utf-8"))
    nodes = manifest[section].items()
    return {uid for uid, node in nodes if node["resource_type"] == resource_type}


def run_unit_tests(warehouse: Warehouse, workdir: Path) -> dict[str, str]:
    """`dbt test --select test_type:unit` on `warehouse` (built: unit tests read their
    inputs' column types from it); the status of each unit test that ran."""
    run = subprocess.run(
        [DBT_EXECUTABLE, "test", "--select", "test_type:unit", "--target", warehouse.dbt_target]
        + ["--target-path", str(workdir / "target"), "--log-path", str(workdir / "logs")],
        cwd=DBT_PROJECT_DIR,
        env={**os.environ, **warehouse.dbt_env()},
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout[-5000:]
    results = json.loads((workdir / "target" / "run_results.json").read_text(encoding="utf-8"))
    # (the project's on-run-start hooks are in run_results too: only the unit tests count)
    return {
        result["unique_id"]: result["status"]
        for result in results["results"]
        if result["unique_id"].startswith("unit_test.")
    }


def test_every_dbt_unit_test_passes(small_drop_published, tmp_path):
    unit_tests = manifest_ids("unit_tests", "unit_test")
    assert len(unit_tests) >= 20
    # GIVEN a built warehouse, a copy, since dbt opens the file for writing
    warehouse = copy_warehouse(small_drop_published.warehouse, tmp_path / "roi.duckdb")
    # WHEN dbt runs the unit tests alone THEN every one of them ran and passed
    assert run_unit_tests(DuckDBWarehouse(warehouse), tmp_path) == dict.fromkeys(unit_tests, "pass")


def test_a_runs_build_runs_every_data_test_and_no_unit_test(small_drop_published):
    # the artifacts of the last dbt build in the shared run's dbt target folder
    target = state_dir(small_drop_published.warehouse) / "dbt_target"
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))
    assert results["args"]["which"] == "build"
    ran = {r["unique_id"] for r in results["results"]}
    assert not {uid for uid in ran if uid.startswith("unit_test.")}
    assert {uid for uid in ran if uid.startswith("test.")} == manifest_ids("nodes", "test")
    assert {uid for uid in ran if uid.startswith("model.")} == manifest_ids("nodes", "model")
