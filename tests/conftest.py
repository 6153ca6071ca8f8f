"""Fixtures shared by every test folder."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import psycopg2
import pytest


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
    """A PostgreSQL warehouse (roi.warehouse) in a database of its own, with its local state
    in tmp_path; the database is dropped afterwards."""
    from roi.warehouse import PostgresSettings, PostgresWarehouse

    with fresh_pg_database("roi_warehouse") as name:
        yield PostgresWarehouse(PostgresSettings(database=name), tmp_path / "pg_state")


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
