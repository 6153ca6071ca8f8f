"""foundation.warehouse: one interface to the DuckDB file and to PostgreSQL, at the smallest level.

The same statements (with `?` placeholders) run on both engines and come back alike; a
transaction that fails leaves nothing behind, also for the drop-and-create that publishing
uses on PostgreSQL; and the advisory lock keeps a second machine off a PostgreSQL warehouse
that a run is writing. The whole pipeline on both engines:
tests/dbt_project/test_postgres_parity.py.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from decimal import Decimal

import psycopg2
import pytest

from foundation.errors import RoiError
from foundation.lock import lock_path, warehouse_lock
from foundation.waiting import WarehouseBusy
from foundation.warehouse import (
    ADVISORY_LOCK_CLASS,
    DuckDBWarehouse,
    PostgresSettings,
    PostgresWarehouse,
    resolve_warehouse,
    to_pyformat,
)


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("select ? , ?", "select %s , %s"),
        ("select '?' , ?", "select '?' , %s"),  # a question mark inside a string stays
        ("select 'it''s ?', ?", "select 'it''s ?', %s"),
        ("select 5 % 2, ?", "select 5 %% 2, %s"),  # psycopg2 would read % as a placeholder
        ('select 1 as "odd?name", ?', 'select 1 as "odd?name", %s'),
        ("select ? -- why?\n", "select %s -- why?\n"),
    ],
    ids=["plain", "in-string", "escaped-quote", "percent", "quoted-identifier", "comment"],
)
def test_question_mark_placeholders_become_pyformat(sql, expected):
    assert to_pyformat(sql) == expected


@pytest.fixture(params=["duckdb", "postgres"])
def warehouse(request, tmp_path):
    if request.param == "duckdb":
        return DuckDBWarehouse(tmp_path / "roi.duckdb")
    return request.getfixturevalue("pg_warehouse")


def test_the_same_statements_give_the_same_rows_on_both_engines(warehouse):
    # GIVEN a table with money, a timestamp, a date and a NULL
    with warehouse.connect() as con:
        con.execute("create schema if not exists marts")
        con.execute(
            "create table marts.sample (code varchar, amount decimal(38,9), share double "
            "precision, seen_at timestamp with time zone, day date, note varchar)"
        )
        con.executemany(
            "insert into marts.sample values (?, ?, ?, ?, ?, ?)",
            [
                ("A", Decimal("1.250000000"), 0.5, dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC),
                 dt.date(2026, 1, 5), None),
                ("B", Decimal("-3.000000001"), 0.25, dt.datetime(2026, 1, 6, 23, 30,
                 tzinfo=dt.UTC), dt.date(2026, 1, 6), "50% off"),
            ],
        )  # fmt: skip
        # WHEN they are read back with a placeholder and a literal % in the SQL
        rows = con.execute(
            "select code, amount, share, seen_at, day, note, '100%' from marts.sample "
            "where code <> ? order by code",
            ["Z"],
        ).fetchall()
        frame = con.execute("select code, amount, share from marts.sample order by code").df()
        has = (con.has_table("marts", "sample"), con.has_table("marts", "missing"))
    # THEN both engines return the same Python values
    assert rows == [
        ("A", Decimal("1.25"), 0.5, dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC),
         dt.date(2026, 1, 5), None, "100%"),
        ("B", Decimal("-3.000000001"), 0.25, dt.datetime(2026, 1, 6, 23, 30, tzinfo=dt.UTC),
         dt.date(2026, 1, 6), "50% off", "100%"),
    ]  # fmt: skip
    # and the same frame for Great Expectations: decimals as floats
    assert list(frame.columns) == ["code", "amount", "share"]
    assert frame["amount"].dtype == "float64" and frame["share"].dtype == "float64"
    assert frame["amount"].tolist() == [1.25, -3.000000001]
    assert has == (True, False)


def test_a_failed_transaction_leaves_the_published_table_as_it_was(warehouse):
    # GIVEN a published table and a candidate
    with warehouse.connect() as con:
        con.execute("create schema if not exists marts")
        con.execute("create table marts.t as select 1 as v")
        con.execute("create table marts.candidate as select 2 as v")
        # WHEN the table is replaced (drop and create on PostgreSQL) and something fails
        # before the commit
        with pytest.raises(RuntimeError, match="check failed"), con.transaction():
            con.replace_table("marts.t", "select * from marts.candidate")
            assert con.execute("select v from marts.t").fetchall() == [(2,)]
            raise RuntimeError("check failed")
        # THEN readers still see the old table, and a successful replace takes effect
        assert con.execute("select v from marts.t").fetchall() == [(1,)]
        with con.transaction():
            con.replace_table("marts.t", "select * from marts.candidate")
        assert con.execute("select v from marts.t").fetchall() == [(2,)]


def test_a_read_only_postgres_connection_cannot_write(pg_warehouse):
    with pg_warehouse.connect(read_only=True) as con, pytest.raises(psycopg2.Error):
        con.execute("create schema nope")


def test_an_unreachable_postgres_warehouse_is_named_without_its_password(tmp_path):
    warehouse = PostgresWarehouse(
        PostgresSettings(port=1, password="s3cret", database="roi"), tmp_path
    )
    with pytest.raises(RoiError) as raised:
        warehouse.exists()
    assert "postgresql://postgres@127.0.0.1:1/roi" in str(raised.value)
    assert "s3cret" not in str(raised.value) and "s3cret" not in warehouse.label


def _hold_advisory_lock(database: str, application: str) -> subprocess.Popen:
    """Another machine's run: a process holding the warehouse's advisory lock until killed."""
    code = (
        "import sys, time, psycopg2\n"
        f"con = psycopg2.connect(host='127.0.0.1', user='postgres', dbname={database!r}, "
        f"application_name={application!r})\n"
        "con.autocommit = True\n"
        f"con.cursor().execute('select pg_advisory_lock({ADVISORY_LOCK_CLASS}, "
        "hashtext(current_database()))')\n"
        "print('held', flush=True)\n"
        "time.sleep(600)\n"
    )
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_a_run_waits_for_another_machine_writing_the_same_postgres_warehouse(pg_warehouse):
    # GIVEN a run on another machine writing the database (its own lock file, elsewhere)
    holder = _hold_advisory_lock(pg_warehouse.settings.database, "roi run run-A on host-a")
    try:
        # WHEN a run here wants it, with a short patience
        messages: list[str] = []
        lock = warehouse_lock(pg_warehouse, "run-B", timeout=1, on_wait=messages.append)
        with pytest.raises(WarehouseBusy) as raised, lock:
            pytest.fail("the lock must not be granted while another machine holds it")
        # THEN it gives up naming the holder, and its own file lock is free again
        assert "roi run run-A on host-a" in str(raised.value)
        assert "postgresql://postgres@127.0.0.1:5432/" in str(raised.value)
        assert messages and "waiting for it to finish" in messages[0]
        assert lock_path(pg_warehouse).read_text() == ""
    finally:
        holder.kill()
        holder.wait()
    # WHEN the other run has ended, THEN the lock is granted, and held against others
    with warehouse_lock(pg_warehouse, "run-B", timeout=5):
        other = psycopg2.connect(
            host="127.0.0.1", user="postgres", dbname=pg_warehouse.settings.database
        )
        try:
            with other.cursor() as cursor:
                cursor.execute(
                    "select pg_try_advisory_lock(%s, hashtext(current_database()))",
                    [ADVISORY_LOCK_CLASS],
                )
                assert cursor.fetchone() == (False,)
        finally:
            other.close()


def test_choosing_the_warehouse(monkeypatch, tmp_path):
    monkeypatch.setenv("ROI_WAREHOUSE", str(tmp_path / "w" / "roi.duckdb"))
    monkeypatch.setenv("ROI_PG_DATABASE", "roi_prod")
    monkeypatch.setenv("ROI_PG_PASSWORD", "s3cret")
    monkeypatch.delenv("ROI_STATE_DIR", raising=False)
    monkeypatch.delenv("ROI_TARGET", raising=False)
    # the default is the DuckDB file
    assert resolve_warehouse() == DuckDBWarehouse(tmp_path / "w" / "roi.duckdb")
    # --target postgres (or ROI_TARGET) is the ROI_PG_* database, state beside the DuckDB default
    chosen = resolve_warehouse("postgres")
    assert isinstance(chosen, PostgresWarehouse)
    assert chosen.label == "postgresql://postgres@127.0.0.1:5432/roi_prod"
    assert chosen.state_dir == tmp_path / "w" / "postgres-127.0.0.1-5432-roi_prod"
    assert chosen.dbt_target == "postgres" and chosen.dbt_env()["ROI_PG_PASSWORD"] == "s3cret"
    monkeypatch.setenv("ROI_TARGET", "postgres")
    assert resolve_warehouse() == chosen
    # an explicit DuckDB file wins over the environment; with --target postgres it is an error
    assert resolve_warehouse(None, tmp_path / "x.duckdb") == DuckDBWarehouse(tmp_path / "x.duckdb")
    with pytest.raises(RoiError, match="--warehouse names a DuckDB file"):
        resolve_warehouse("postgres", tmp_path / "x.duckdb")
    monkeypatch.setenv("ROI_TARGET", "snowflake")
    with pytest.raises(RoiError, match="expected one of duckdb, postgres"):
        resolve_warehouse()
