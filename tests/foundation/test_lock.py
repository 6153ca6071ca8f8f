"""Two runs never write one warehouse at once: the second waits, says for whom, or gives up."""

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import dagster as dg
import pytest

from foundation.lock import lock_path, warehouse_lock
from foundation.waiting import WarehouseBusy
from orchestration.resources import WarehouseResource

REPO_ROOT = Path(__file__).resolve().parents[2]


def hold_lock_in_another_process(warehouse: Path, run_id: str) -> subprocess.Popen:
    """A process that takes the warehouse lock as run `run_id`, says so, then sleeps."""
    script = textwrap.dedent(
        f"""
        import sys, time
        from pathlib import Path
        from foundation.lock import warehouse_lock
        with warehouse_lock(Path({str(warehouse)!r}), {run_id!r}, timeout=0):
            print("held", flush=True)
            time.sleep(60)
        """
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", script], cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_second_run_waits_names_the_holder_and_gives_up(tmp_path):
    warehouse = tmp_path / "roi.duckdb"
    holder = hold_lock_in_another_process(warehouse, "run-A")
    try:
        notices: list[str] = []
        started = time.monotonic()
        with (
            pytest.raises(WarehouseBusy) as busy,
            warehouse_lock(warehouse, "run-B", timeout=1.0, on_wait=notices.append),
        ):
            pytest.fail("took a lock that another process holds")
        assert time.monotonic() - started >= 1.0
        message = str(busy.value)
        assert f"warehouse {warehouse} is in use by run run-A (pid {holder.pid}" in message
        assert "gave up after waiting 1 s" in message
        assert len(notices) == 1
        assert "in use by run run-A" in notices[0] and "waiting for it to finish" in notices[0]
    finally:
        holder.kill()
        holder.wait()
    # a killed holder leaves no stale lock: the OS released it with the process
    with warehouse_lock(warehouse, "run-C", timeout=0):
        assert '"run_id": "run-C"' in lock_path(warehouse).read_text()
    assert lock_path(warehouse).read_text() == ""


def test_waiting_run_proceeds_when_the_holder_finishes(tmp_path):
    warehouse = tmp_path / "roi.duckdb"
    holder = hold_lock_in_another_process(warehouse, "run-A")
    notices: list[str] = []
    try:
        with warehouse_lock(warehouse, "run-B", timeout=0.3, on_wait=notices.append):
            pytest.fail("took a lock that another process holds")
    except WarehouseBusy:
        pass
    holder.terminate()
    holder.wait()
    with warehouse_lock(warehouse, "run-B", timeout=5, on_wait=notices.append):
        assert '"run_id": "run-B"' in lock_path(warehouse).read_text()


def test_lock_is_reentrant_within_a_process(tmp_path):
    warehouse = tmp_path / "roi.duckdb"
    with warehouse_lock(warehouse, "outer", timeout=0):
        with warehouse_lock(warehouse, "inner", timeout=0):
            pass
        # the inner exit does not release the outer hold
        assert '"run_id": "outer"' in lock_path(warehouse).read_text()


def test_a_dagster_run_holds_the_lock_from_first_step_to_last(tmp_path, monkeypatch, capsys):
    """The warehouse resource takes the lock for the whole run, whoever launched it."""
    warehouse = tmp_path / "roi.duckdb"
    seen: list[str] = []

    @dg.asset
    def first(warehouse: WarehouseResource) -> None:
        seen.append(lock_path(warehouse.file).read_text())

    @dg.asset(deps=[first])
    def second(warehouse: WarehouseResource) -> None:
        seen.append(lock_path(warehouse.file).read_text())

    defs = dg.Definitions(
        assets=[first, second],
        resources={"warehouse": WarehouseResource(path=str(warehouse))},
        jobs=[dg.define_asset_job("j", executor_def=dg.in_process_executor)],
    )
    result = defs.resolve_job_def("j").execute_in_process()
    assert result.success
    assert all(f'"run_id": "{result.run_id}"' in text for text in seen) and len(seen) == 2
    assert lock_path(warehouse).read_text() == ""  # released at the end of the run

    # while another process holds it, a run's first step never starts
    holder = hold_lock_in_another_process(warehouse, "run-A")
    monkeypatch.setenv("ROI_LOCK_TIMEOUT_SECONDS", "1")
    try:
        blocked = defs.resolve_job_def("j").execute_in_process(raise_on_error=False)
    finally:
        holder.kill()
        holder.wait()
    assert not blocked.success
    assert len(seen) == 2
    assert "is in use by run run-A" in capsys.readouterr().err
