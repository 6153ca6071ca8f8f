"""The Dagster definitions load (as `dagster dev` loads them) and hold one lineage graph."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_definitions_hold_the_graph_and_five_schedules():
    from dagster import AssetKey

    from foundation.config import Settings
    from orchestration.definitions import build_definitions

    defs = build_definitions(Settings.from_environment())

    assert {s.name: s.cron_schedule for s in defs.schedules} == {
        "weekly_review": "0 6 * * 1",
        "monthly_review": "0 6 1 * *",
        "quarterly_review": "0 6 1 1,4,7,10 *",
        "semiannual_review": "0 6 1 1,7 *",
        "annual_review": "0 6 1 1 *",
    }
    graph = defs.resolve_asset_graph()
    keys = set(graph.get_all_asset_keys())
    raw_orders = AssetKey(["raw_crm", "orders"])
    assert {AssetKey("file_drop"), raw_orders, AssetKey(["marts", "mart_project_roi"])} <= keys
    # lineage is one graph: the dbt staging model reads the table the dlt asset writes
    assert raw_orders in graph.get(AssetKey(["staging", "stg_crm__orders"])).parent_keys
    check_names = {key.name for key in graph.asset_check_keys}
    assert {"fx_coverage", "great_expectations_suite"} <= check_names


def test_dagster_cli_loads_the_definitions(tmp_path):
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path)}
    (tmp_path / "dagster.yaml").write_text((REPO_ROOT / "dagster.yaml").read_text())
    dagster = Path(sys.executable).parent / "dagster"
    result = subprocess.run(
        [str(dagster), "definitions", "validate", "-m", "orchestration.code_location"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Validation successful" in result.stdout + result.stderr
