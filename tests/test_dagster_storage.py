"""roi.dagster_storage: Dagster's SQLite event log with one engine per file, not per event, and
dagster-postgres's event log with its connections kept, not one per event (tested against the
PostgreSQL server at 127.0.0.1:5432)."""

from __future__ import annotations

import inspect

import dagster as dg
import pytest
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster_postgres import PostgresEventLogStorage
from sqlalchemy import event

import roi.dagster_storage as dagster_storage
from roi.dagster_storage import (
    KEPT_RUN_ENGINES,
    PooledPostgresEventLogStorage,
    PooledSqliteEventLogStorage,
)
from roi.instance import instance_for

from .conftest import PG_SERVER


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
    # and PooledPostgresEventLogStorage replaces PostgresEventLogStorage._connect()
    assert list(inspect.signature(PostgresEventLogStorage._connect).parameters) == ["self"]
    for method in ("run_connection", "index_connection"):
        assert getattr(PostgresEventLogStorage, method).__code__.co_names == ("_connect",)


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


def _count_connections(storage) -> list[int]:
    opened = []
    event.listen(storage._engine, "connect", lambda *_: opened.append(1))
    return opened


def test_postgres_event_log_keeps_its_connections_and_dagster_reads_its_rows(
    monkeypatch, tmp_path, pg_database
):
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    with instance_for(tmp_path / "warehouse.duckdb") as instance:
        storage = instance.event_log_storage
        assert type(storage) is PooledPostgresEventLogStorage
        opened = _count_connections(storage)
        # WHEN two runs with an asset and its check are written
        run_ids = [_materialize(instance) for _ in range(2)]
        events = storage.get_records_for_run(run_ids[1]).records
        # THEN all their events (dagster-postgres would open a connection for each, and again
        # for the asset and check indexes) went through two connections: storing an asset
        # event reads the index on a second one meanwhile
        assert len(events) > 10
        assert len(opened) == 2
    # AND dagster-postgres's own storage (the webserver's) reads the same rows
    # (through psycopg2, as the instance's configuration asks)
    server = PG_SERVER.replace("postgresql://", "postgresql+psycopg2://")
    stock = PostgresEventLogStorage(f"{server}/{pg_database}")
    try:
        assert [e.event_log_entry for e in stock.get_records_for_run(run_ids[1]).records] == [
            e.event_log_entry for e in events
        ]
        key = dg.AssetKey(["raw", "numbers"])
        assert stock.get_latest_materialization_events([key])[key].run_id == run_ids[1]
        check = stock.get_asset_check_execution_history(
            dg.AssetCheckKey(key, "three_rows"), limit=5
        )
        assert [(c.run_id, c.status.value) for c in check] == [
            (run_ids[1], "SUCCEEDED"),
            (run_ids[0], "SUCCEEDED"),
        ]
    finally:
        stock.dispose()


def test_postgres_event_log_in_a_forked_process_opens_its_own_connection(
    monkeypatch, tmp_path, pg_database
):
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    with instance_for(tmp_path / "warehouse.duckdb") as instance:
        storage = instance.event_log_storage
        first = _materialize(instance)
        opened = _count_connections(storage)
        # GIVEN the storage finds itself in another process than the one that built its pool
        monkeypatch.setattr(dagster_storage.os, "getpid", lambda: -1)
        # WHEN it is used there
        second = _materialize(instance)
        # THEN it connected afresh (the parent's sockets are left to the parent) and wrote
        assert len(opened) == 2
        assert storage.get_records_for_run(second).records
        assert storage.get_records_for_run(first).records
