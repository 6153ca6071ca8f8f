"""Fixtures shared by every test folder."""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import psycopg2
import pytest
from filelock import FileLock
from werkzeug import Response

from ingestion import configure_runtime

from .drops import FIXTURES

# What every program that loads data does first (`roi`'s main, build_definitions): dlt's
# defaults and the log redaction. Tests that call the loaders and connectors directly get
# the same process; importing the code does none of it (test_import_side_effects.py).
configure_runtime()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Order test files that run the whole pipeline first, the most runs first
    (`PIPELINE_RUNS` in the module), so that the longest files start first and the workers
    finish close together. `make test` passes --no-loadscope-reorder: without it,
    pytest-xdist's --dist loadfile reorders the files by test count instead."""
    items.sort(key=lambda item: -getattr(getattr(item, "module", None), "PIPELINE_RUNS", 0))


# The PostgreSQL server every developer machine and CI has (trust auth).
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"


@pytest.fixture
def pg_database(monkeypatch) -> Iterator[str]:
    """A database of its own on the local PostgreSQL server for Dagster's storage, chosen
    through the environment as a deployment would; dropped afterwards."""
    with fresh_pg_database("roi_dagster") as name:
        monkeypatch.setenv("DAGSTER_PG_HOST", "127.0.0.1")
        monkeypatch.setenv("DAGSTER_PG_USER", "postgres")
        monkeypatch.setenv("DAGSTER_PG_DB", name)
        monkeypatch.setenv("DAGSTER_PG_PORT", "5432")
        monkeypatch.delenv("DAGSTER_PG_PASSWORD", raising=False)
        yield name


@contextmanager
def fresh_pg_database(prefix: str) -> Iterator[str]:
    """A new, uniquely named database on the local PostgreSQL server, dropped at exit (with
    its open connections) whatever happened."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = psycopg2.connect(f"{PG_SERVER}/test")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f"create database {name}")
    try:
        yield name
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f"drop database if exists {name} with (force)")
        admin.close()


@pytest.fixture
def pg_warehouse(tmp_path):
    """A PostgreSQL warehouse (foundation.warehouse) in a database of its own, with its local state
    in tmp_path; the database is dropped afterwards."""
    from foundation.warehouse import PostgresSettings, PostgresWarehouse

    with fresh_pg_database("roi_warehouse") as name:
        yield PostgresWarehouse(PostgresSettings(database=name), tmp_path / "pg_state")


@pytest.fixture(params=["duckdb", "postgres"])
def engine_warehouse(request, tmp_path):
    """A fresh warehouse (foundation.warehouse) on each engine in turn: DuckDB, then PostgreSQL."""
    from foundation.warehouse import DuckDBWarehouse

    if request.param == "duckdb":
        return DuckDBWarehouse(tmp_path / "roi.duckdb")
    return request.getfixturevalue("pg_warehouse")


def schema_tables(warehouse: Path, schema: str) -> dict[str, list[tuple]]:
    """Every table of `schema`, all rows sorted (dlt's load ids left out)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        names = [
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables where table_schema = ? "
                "order by 1",
                [schema],
            ).fetchall()
        ]
        return {
            name: con.execute(
                f"select * exclude (_dlt_load_id) from {schema}.{name} order by all"
                if schema.startswith("raw_")
                else f"select * from {schema}.{name} order by all"
            ).fetchall()
            for name in names
            if not name.startswith("_dlt")
        }


def build_once(tmp_path_factory, name: str, build: Callable[[Path], None]) -> Path:
    """The folder `name` in the test session's shared temporary folder, filled by
    `build(folder)` once per session even under pytest-xdist: the first worker that needs it
    builds it under a file lock, the others wait and read it. Tests that change what is in
    it work on a copy (`copy_warehouse`)."""
    base = tmp_path_factory.getbasetemp()
    # under pytest-xdist every worker has its own basetemp inside the session's folder
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    folder = shared / name
    built = shared / f"{name}.built"
    with FileLock(str(shared / f"{name}.lock")):
        if not built.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            build(folder)
            built.touch()
    return folder


def copy_warehouse(source: Path, target: Path) -> Path:
    """A private copy of the DuckDB warehouse `source` at `target`, with its run state (dlt,
    dbt, Dagster); a later run on the copy continues from where `source` was."""
    from foundation.settings import state_dir

    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)
    wal = source.with_name(source.name + ".wal")
    if wal.exists():
        shutil.copy2(wal, target.with_name(target.name + ".wal"))
    shutil.copytree(state_dir(source), state_dir(target))
    return target


@dataclass(frozen=True)
class PublishedRun:
    warehouse: Path  # published marts of tests/fixtures/small_drop, one `roi run`, nothing else
    run_id: str
    reports: list[str]  # as `roi run` printed them


def _publish_small_drop(folder: Path) -> None:
    from roi.cli import main

    drop = shutil.copytree(FIXTURES / "small_drop", folder / "small_drop")
    warehouse = folder / "warehouse" / "roi.duckdb"
    warehouse.parent.mkdir()
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = main(
            ["run", "--source", "files", "--data-dir", str(drop), "--warehouse", str(warehouse)]
            + ["--reporting-currency", "USD"]
        )
    (folder / "stdout.txt").write_text(printed.getvalue(), encoding="utf-8")
    assert code == 0, printed.getvalue()


@pytest.fixture(scope="session")
def small_drop_published(tmp_path_factory) -> PublishedRun:
    """tests/fixtures/small_drop run once through `roi run` into an empty warehouse: the
    uninterrupted run that test_mart_project_roi.py and test_marts_fixture.py check against
    their hand-computed marts, and the starting point of the runs of test_run_failures.py.
    Read it in place (read-only), or run on a `copy_warehouse` of it."""
    folder = build_once(tmp_path_factory, "small-drop-published", _publish_small_drop)
    output = (folder / "stdout.txt").read_text(encoding="utf-8")
    warehouse = folder / "warehouse" / "roi.duckdb"
    succeeded = re.match(
        rf"run (\S+) succeeded: marts published in {re.escape(str(warehouse))}\n", output
    )
    assert succeeded, output
    return PublishedRun(
        warehouse=warehouse,
        run_id=succeeded.group(1),
        reports=re.findall(r"^  report: (.+)$", output, flags=re.MULTILINE),
    )


@pytest.fixture
def alert_hook(httpserver, monkeypatch) -> list[dict]:
    """The alerts posted to the webhook: ROI_ALERT_WEBHOOK_URL names a local server that
    appends each one's JSON to the returned list."""
    hook: list[dict] = []
    httpserver.expect_request("/hook", method="POST").respond_with_handler(
        lambda request: hook.append(request.get_json()) or Response("ok")
    )
    monkeypatch.setenv("ROI_ALERT_WEBHOOK_URL", httpserver.url_for("/hook"))
    return hook
