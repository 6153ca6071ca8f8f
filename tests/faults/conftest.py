"""The one warehouse the fault tests share: small_drop, killed mid-load, then run again.

Building it is the only full pipeline run of tests/faults. `roi run` over
tests/fixtures/small_drop is started in a subprocess that SIGKILLs itself inside the merge
of raw_crm.opportunities (tests/faults/kill_switch.py); what the kill left behind is
recorded; then the same `roi run` is repeated to the end. test_killed_mid_load.py checks
that the result is exactly what an uninterrupted run gives (hand-computed marts), so the
other fault modules can start from a copy of it as "a warehouse with published marts".

It is built once per test session even under pytest-xdist (`build_once`, tests/conftest.py).
Tests copy it (`copy_of_recovered`) before changing anything.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from foundation.settings import state_dir
from orchestration.instance import instance_for
from orchestration.run_alerts import run_alert

from ..conftest import build_once, copy_warehouse
from ..drops import FIXTURES

REPO_ROOT = Path(__file__).resolve().parents[2]
KILLED_IN = "raw_crm.opportunities"
RAW_SCHEMAS = ("raw_ads", "raw_crm", "raw_erp", "raw_fx", "raw_reference")


@dataclass(frozen=True)
class Recovered:
    warehouse: Path  # published marts of small_drop, after the kill and the rerun
    drop: Path  # the drop both runs read
    killed: dict  # what the killed run left: run_id, returncode, stderr, raw counts, packages
    rerun: dict  # the second run: run_id, success, summary, audit.runs and Dagster afterwards


def table_counts(warehouse: Path, schemas: tuple[str, ...]) -> dict[str, int]:
    """Row count of every table in `schemas`, as `schema.table`."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            f"where table_schema in ({', '.join('?' * len(schemas))}) order by 1, 2",
            list(schemas),
        ).fetchall()
        return {
            f"{schema}.{table}": con.execute(f'select count(*) from {schema}."{table}"').fetchone()[
                0
            ]
            for schema, table in tables
        }


def subprocess_env() -> dict[str, str]:
    """This environment for a `roi` subprocess: this checkout's code, and Dagster's run
    history beside the warehouse whatever DAGSTER_HOME / DAGSTER_PG_* this shell has."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DAGSTER_HOME", "DAGSTER_PG"))}
    return {**env, "PYTHONPATH": str(REPO_ROOT)}


def _kill_mid_load(drop: Path, warehouse: Path) -> dict:
    run = subprocess.run(
        [sys.executable, "-m", "tests.faults.kill_switch", KILLED_IN, "--", "run"]
        + ["--data-dir", str(drop), "--warehouse", str(warehouse)],
        cwd=REPO_ROOT,
        env=subprocess_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    dlt_dir = state_dir(warehouse) / "dlt"
    started = re.search(r"run ([0-9a-f-]{36}) starting", run.stderr)
    return {
        "run_id": started.group(1) if started else None,
        "returncode": run.returncode,
        "stderr": run.stderr[-5000:],
        "raw_counts": table_counts(warehouse, RAW_SCHEMAS),
        # load packages dlt had normalised but not finished, per pipeline: the folders, as
        # dlt lists them. A file beside them is one of dlt's atomic-write temporaries, left
        # when the kill lands while another loader thread is saving a job's state.
        "pending_packages": {
            pipeline.name: sorted(
                p.name for p in (pipeline / "load" / "normalized").iterdir() if p.is_dir()
            )
            for pipeline in sorted(dlt_dir.iterdir())
            if (pipeline / "load" / "normalized").is_dir()
        },
        "audit_runs": table_counts(warehouse, ("audit",)).get("audit.runs"),
    }


def _build(folder: Path) -> None:
    from roi.runner import run_pipeline

    drop = shutil.copytree(FIXTURES / "small_drop", folder / "small_drop")
    warehouse = folder / "warehouse" / "roi.duckdb"
    warehouse.parent.mkdir()
    killed = _kill_mid_load(drop, warehouse)
    assert killed["returncode"] == -signal.SIGKILL, killed["stderr"]
    result = run_pipeline(data_dir=drop, warehouse=warehouse, reporting_currency="USD")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        audit_runs = con.execute(
            "select run_id, status, failed_steps, trigger, finished_at is not null "
            "from audit.runs order by started_at"
        ).fetchall()
    with instance_for(warehouse) as instance:
        statuses = {
            run_id: instance.get_run_by_id(run_id).status.value
            for run_id in (killed["run_id"], result.run_id)
        }
        alert = run_alert(instance, killed["run_id"], warehouse)
    evidence = {
        "killed": killed,
        "rerun": {
            "run_id": result.run_id,
            "success": result.success,
            "summary": result.summary(),
            "audit_runs": audit_runs,
            "dagster_status": statuses,
            "killed_run_alert": [alert.title, *alert.lines] if alert else None,
        },
    }
    (folder / "evidence.json").write_text(json.dumps(evidence), encoding="utf-8")


@pytest.fixture(scope="session")
def recovered(tmp_path_factory) -> Recovered:
    folder = build_once(tmp_path_factory, "faults-recovered", _build)
    evidence = json.loads((folder / "evidence.json").read_text(encoding="utf-8"))
    return Recovered(
        warehouse=folder / "warehouse" / "roi.duckdb",
        drop=folder / "small_drop",
        killed=evidence["killed"],
        rerun=evidence["rerun"],
    )


@pytest.fixture
def copy_of_recovered(recovered, tmp_path) -> Path:
    """A private copy of the shared warehouse with its run state (dlt, dbt, Dagster)."""
    return copy_warehouse(recovered.warehouse, tmp_path / "warehouse" / "roi.duckdb")
