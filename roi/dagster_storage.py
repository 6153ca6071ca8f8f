"""Dagster's SQLite event log, with one database engine per file instead of one per event.

Dagster's `SqliteEventLogStorage` keeps a run's events in a SQLite file of its own plus an
index file, and for every event it writes (a pipeline run writes about 1,560: ~490 planned
before the first step, ~1,160 for the 386 dbt tests as asset checks) it creates a SQLAlchemy
engine, opens the file, commits and disposes the engine again, for the run's file and again
for the index. Measured on a scale-1 `roi run` on this 2-core machine: 3,940 connections, 4,900
engines built, 93.4 s wall / 95.8 s CPU, against 81.9 s / 82.1 s with this storage.

`PooledSqliteEventLogStorage` is that storage with its engines kept: one per index file and
one for each of the few run files written last (SQLAlchemy's pool keeps the connection open
between events). The files, their layout, the schema and the WAL journal are Dagster's, so
the webserver, the daemon and `dagster` commands read them as before, with or without this
class. Used by the instance `roi run` creates and by `roi dagster-home` (roi.instance); the
repository's dagster.yaml keeps Dagster's stock storage.

It overrides `SqliteEventLogStorage._connect`, a private method: checked against Dagster
1.13 (tests/test_dagster_storage.py fails if the method goes away or changes its signature).

`PooledPostgresEventLogStorage` does the same for dagster-postgres, whose event log opens a
new PostgreSQL connection (NullPool) for every event and again for its asset and check
indexes: about 4.4 ms a connection on this machine's local server, 8-9 s of a run with
~1,560 events. It keeps two connections open (SQLAlchemy's QueuePool, checked with a ping
before use, so a restarted server costs one reconnect); the tables are dagster-postgres's.
Dagster's webserver already swaps in such a pool for itself (`optimize_for_webserver`). It
overrides `PostgresEventLogStorage._connect`, through which all its reads and writes go
(checked in the same test file).
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    INDEX_SHARD_NAME,
    SQLITE_BUSY_TIMEOUT_SECONDS,
    SqliteEventLogStorage,
)
from dagster_postgres.event_log import PostgresEventLogStorage
from dagster_postgres.utils import (
    create_pg_connection,
    create_pg_engine,
    get_token_provider_from_config,
    pg_url_from_config,
)
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection, Engine

# Run files whose engine is kept: a run writes its own file and the index; the webserver's
# watchers read a few recent runs. Older engines are disposed (their files closed).
KEPT_RUN_ENGINES = 4


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """SqliteEventLogStorage that reuses one engine (and its open connection) per file."""

    def __init__(self, base_dir: str, inst_data=None):
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._engines_pid = os.getpid()
        super().__init__(base_dir, inst_data=inst_data)

    @classmethod
    def from_config_value(cls, inst_data, config_value) -> PooledSqliteEventLogStorage:
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> Engine:
        if self._engines_pid != os.getpid():
            # a forked child must not share the parent's open SQLite connections
            self._engines = OrderedDict()
            self._engines_pid = os.getpid()
        engine = self._engines.get(shard)
        if engine is None:
            engine = create_engine(
                self.conn_string_for_shard(shard),
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
            )
            self._engines[shard] = engine
            run_shards = [name for name in self._engines if name != INDEX_SHARD_NAME]
            for old in run_shards[:-KEPT_RUN_ENGINES]:
                self._engines.pop(old).dispose()
        else:
            self._engines.move_to_end(shard)
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        # as Dagster's: one thread at a time, the file created on first use, one transaction
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def _dispose_engines(self) -> None:
        with self._db_lock:
            while self._engines:
                self._engines.popitem()[1].dispose()

    def wipe(self) -> None:
        # run files are deleted: close them first
        self._dispose_engines()
        super().wipe()

    def dispose(self) -> None:
        self._dispose_engines()
        super().dispose()


class PooledPostgresEventLogStorage(PostgresEventLogStorage):
    """PostgresEventLogStorage that keeps its connections open instead of one per event."""

    def __init__(
        self,
        postgres_url: str,
        should_autocreate_tables: bool = True,
        inst_data=None,
        token_provider=None,
    ):
        self._engine_pid = os.getpid()  # before: dagster-postgres connects while it starts
        super().__init__(
            postgres_url,
            should_autocreate_tables=should_autocreate_tables,
            inst_data=inst_data,
            token_provider=token_provider,
        )
        # dagster-postgres built a NullPool engine (holds nothing): replace it
        self._engine.dispose()
        self._engine = create_pg_engine(
            self.postgres_url,
            self._token_provider,
            isolation_level="AUTOCOMMIT",
            # two: storing an asset event reads the index on a second connection meanwhile
            pool_size=2,
            max_overflow=4,
            pool_pre_ping=True,
            pool_recycle=3600,
        )

    @classmethod
    def from_config_value(cls, inst_data, config_value) -> PooledPostgresEventLogStorage:
        return cls(
            inst_data=inst_data,
            postgres_url=pg_url_from_config(config_value),
            should_autocreate_tables=config_value.get("should_autocreate_tables", True),
            token_provider=get_token_provider_from_config(config_value),
        )

    def _connect(self):
        if self._engine_pid != os.getpid():
            # a forked child must not use the parent's socket: its own pool from here on
            self._engine.dispose(close=False)
            self._engine_pid = os.getpid()
        return create_pg_connection(self._engine)

    def dispose(self) -> None:
        super().dispose()
        self._engine.dispose()
