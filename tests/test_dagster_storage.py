"""roi.dagster_storage: Dagster's SQLite event log with one engine per file, not per event."""

from __future__ import annotations

import inspect

import dagster as dg
import pytest
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

import roi.dagster_storage as dagster_storage
from roi.dagster_storage import KEPT_RUN_ENGINES, PooledSqliteEventLogStorage
from roi.instance import instance_for


@dg.asset(key=["raw", "numbers"])
def numbers() -> list[int]:
    return [1, 2, 3]


@dg.asset_check(asset=numbers, name="three_rows", blocking=True)
def three_rows() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=True, metadata={"rows": 3})


def _materialize(instance) -> str:
    result = dg.materialize([numbers, three_rows], instance=instance)
    assert result.success
    return result.run_id


@pytest.fixture
def instance(monkeypatch, tmp_path):
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    monkeypatch.delenv("DAGSTER_PG_HOST", raising=False)
    with instance_for(tmp_path / "warehouse.duckdb") as instance:
        yield instance


def test_the_overridden_private_method_is_still_dagsters():
    # PooledSqliteEventLogStorage replaces SqliteEventLogStorage._connect(shard): if Dagster
    # renames or changes it, the override would silently stop being used.
    assert list(inspect.signature(SqliteEventLogStorage._connect).parameters) == ["self", "shard"]
    assert SqliteEventLogStorage.run_connection.__code__.co_names.count("_connect") == 1


def test_roi_instances_write_one_engine_per_file_and_dagster_reads_the_files(
    instance, monkeypatch, tmp_path
):
    storage = instance.event_log_storage
    assert type(storage) is PooledSqliteEventLogStorage
    built = []
    original = dagster_storage.create_engine
    monkeypatch.setattr(
        dagster_storage, "create_engine", lambda *a, **k: built.append(a[0]) or original(*a, **k)
    )
    # WHEN a run with an asset and its check is written
    run_id = _materialize(instance)
    # THEN its events went through two engines: one built for the run's file, and the index's
    # (built when the instance started)
    events = storage.get_records_for_run(run_id).records
    assert len(events) > 10
    base = tmp_path / ".warehouse.duckdb.state" / "dagster" / "history" / "runs"
    assert built == [f"sqlite:///{base / run_id}.db"]
    assert set(storage._engines) == {"index", run_id}
    # AND Dagster's own storage (the webserver's with the stock dagster.yaml) reads the same
    # events, the asset's materialisation and the check's evaluation from the index
    stock = SqliteEventLogStorage(str(base))
    assert [e.event_log_entry for e in stock.get_records_for_run(run_id).records] == [
        e.event_log_entry for e in events
    ]
    latest = stock.get_latest_materialization_events([dg.AssetKey(["raw", "numbers"])])
    assert latest[dg.AssetKey(["raw", "numbers"])].run_id == run_id
    check = stock.get_asset_check_execution_history(
        dg.AssetCheckKey(dg.AssetKey(["raw", "numbers"]), "three_rows"), limit=5
    )
    assert [(c.run_id, c.status.value) for c in check] == [(run_id, "SUCCEEDED")]


def test_engines_of_older_runs_are_closed(instance):
    storage = instance.event_log_storage
    run_ids = [_materialize(instance) for _ in range(KEPT_RUN_ENGINES + 2)]
    # the index and the newest runs keep their engine; the two oldest were disposed
    assert set(storage._engines) == {"index", *run_ids[2:]}
    # and their events are still read (through a new engine)
    assert storage.get_records_for_run(run_ids[0]).records


def test_wipe_closes_the_files_it_deletes_and_the_storage_keeps_working(instance, tmp_path):
    storage = instance.event_log_storage
    first = _materialize(instance)
    base = tmp_path / ".warehouse.duckdb.state" / "dagster" / "history" / "runs"
    assert (base / f"{first}.db").exists()
    storage.wipe()
    assert not (base / f"{first}.db").exists()
    assert set(storage._engines) == {"index"}  # the index is emptied, not deleted
    second = _materialize(instance)
    assert storage.get_records_for_run(second).records
    assert not storage.get_records_for_run(first).records
