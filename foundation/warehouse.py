"""The warehouse a run writes and every command reads: an embedded DuckDB file, PostgreSQL,
or Apache Spark through its Thrift Server.

One object answers, for each engine, what the rest of the code needs from "the warehouse":

- a DB-API-like connection (`connect()`) whose `execute(sql, params)` takes `?` placeholders
  on every engine and returns something with `fetchone()`, `fetchall()` and `df()`, plus
  `executemany`, `transaction()`, `replace_table` (PostgreSQL has no `create or replace
  table`: drop and create inside the caller's transaction; DDL is transactional there, so
  publishing stays atomic), the catalog's answers (`has_table`, `table_columns`,
  `table_names`, `column_catalog`, `base_tables`: information_schema, or Spark's SHOW and
  DESCRIBE), `quote` for names, and row edits (`delete_rows`, `set_column`: plain SQL, or
  a rewrite of the table's files on Spark);
- the dlt destination the loaders write to, and the dbt target (dbt_project/profiles.yml)
  the models build in;
- a local state folder for what is not kept in the database: dlt's pipeline working
  folders, dbt's target folder, logs, the per-run docs, reports and Dagster's run history
  (without DAGSTER_HOME);
- for PostgreSQL, an advisory lock that goes with the local file lock of foundation.lock, so that
  two machines never write the same PostgreSQL warehouse at once.

Which warehouse: `--target duckdb|postgres|spark` (default $ROI_TARGET, else duckdb). DuckDB:
the file of `--warehouse` / $ROI_WAREHOUSE / warehouse/roi.duckdb. PostgreSQL: the database of
ROI_PG_HOST, ROI_PG_PORT, ROI_PG_USER, ROI_PG_PASSWORD and ROI_PG_DATABASE (the variables
dbt's `postgres` target reads), with its local state in $ROI_STATE_DIR, else
`<warehouse folder>/postgres-<host>-<port>-<database>/`. Spark: the Thrift Server of
ROI_SPARK_HOST and ROI_SPARK_PORT and the lake of ROI_SPARK_LAKE (SparkSettings), its local
state as PostgreSQL's. The password is never part of a
label, a log line or a file written by the project.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import socket
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar, Protocol

from .errors import RoiError
from .settings import state_dir as duckdb_state_dir
from .settings import warehouse_path

# The engines `--target` offers.
TARGETS = ("duckdb", "postgres", "spark")
TARGET_VARIABLE = "ROI_TARGET"
STATE_DIR_VARIABLE = "ROI_STATE_DIR"
# PostgreSQL connection settings: (variable, default). dbt_project/profiles.yml has the same.
PG_VARIABLES = {
    "host": ("ROI_PG_HOST", "127.0.0.1"),
    "port": ("ROI_PG_PORT", "5432"),
    "user": ("ROI_PG_USER", "postgres"),
    "password": ("ROI_PG_PASSWORD", ""),
    "database": ("ROI_PG_DATABASE", "test"),
}
# Apache Spark through its Thrift Server: (variable, default). dbt_project/profiles.yml has
# the same. The lake is where dlt writes the raw tables' Parquet files (a local folder, or
# s3://, gs://, abfss://), and must be readable by the cluster at the same address.
SPARK_VARIABLES = {
    "host": ("ROI_SPARK_HOST", "127.0.0.1"),
    "port": ("ROI_SPARK_PORT", "10000"),
    "user": ("ROI_SPARK_USER", "roi"),
    "lake": ("ROI_SPARK_LAKE", ""),
}
SPARK_HOME_VARIABLE = "ROI_SPARK_HOME"
# Every session roi opens: UTC (a timestamp's date is its UTC date) and ANSI mode off, as
# dbt-spark sets its own (a bad cast or a division by zero gives NULL, as in DuckDB).
SPARK_SESSION = {"spark.sql.session.timeZone": "UTC", "spark.sql.ansi.enabled": "false"}
# The advisory lock's first key; the second is the database name's hash, so the lock is
# "the warehouse in this database" (advisory locks are per database on the server anyway).
ADVISORY_LOCK_CLASS = 0x524F49  # "ROI"

# How much memory DuckDB may use in each process that opens the warehouse (the run, dbt):
# beyond it, DuckDB spills to a temporary folder beside the file instead of growing with the
# history (its own default is 80% of the machine's memory). dbt_project/profiles.yml reads
# the same variable with the same default.
DUCKDB_MEMORY_LIMIT_VARIABLE = "ROI_DUCKDB_MEMORY_LIMIT"
DEFAULT_DUCKDB_MEMORY_LIMIT = "1GB"
_MEMORY_LIMIT = re.compile(r"\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)", re.IGNORECASE)


def duckdb_memory_limit(environ: Mapping[str, str] | None = None) -> str:
    """ROI_DUCKDB_MEMORY_LIMIT (default 1GB): a size such as 1GB or 512MiB, else a RoiError."""
    environ = os.environ if environ is None else environ
    value = environ.get(DUCKDB_MEMORY_LIMIT_VARIABLE, "").strip() or DEFAULT_DUCKDB_MEMORY_LIMIT
    if not _MEMORY_LIMIT.fullmatch(value):
        raise RoiError(
            f"{DUCKDB_MEMORY_LIMIT_VARIABLE}={value!r} is not a memory size such as 1GB or 512MiB"
        )
    return value


def choose_target(explicit: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """`--target`, else $ROI_TARGET (of `environ`, default os.environ), else duckdb."""
    environ = os.environ if environ is None else environ
    target = (explicit or environ.get(TARGET_VARIABLE) or "duckdb").strip().lower()
    if target not in TARGETS:
        raise RoiError(
            f"unknown warehouse target {target!r} (--target / {TARGET_VARIABLE}): "
            f"expected one of {', '.join(TARGETS)}"
        )
    return target


class Connection(Protocol):
    """What readers of the warehouse call: a warehouse connection of this module, or a raw
    DuckDB connection (both take `?` placeholders)."""

    def execute(self, sql: str, params: Sequence[Any] | None = ...) -> Any: ...


def _catalog(con: Connection):
    """`con` as a warehouse connection (a raw DuckDB connection gets DuckDB's wrapper): each
    connection class answers the catalog questions in its engine's own way."""
    return con if hasattr(con, "table_names") else DuckDBConnection(con)


def has_table(con: Connection, schema: str, table: str) -> bool:
    """Whether `schema.table` exists in the warehouse (a first run may not have made it yet).
    Works on a raw DuckDB connection and on a warehouse Connection alike."""
    return _catalog(con).has_table(schema, table)


def table_columns(con: Connection, schema: str, table: str) -> list[str]:
    """The column names of `schema.table`, in the table's order (Spark lists a partitioned
    table's partition columns last). Works on a raw DuckDB connection too."""
    return _catalog(con).table_columns(schema, table)


def table_names(con: Connection, schema: str) -> list[str]:
    """The tables and views of `schema` (none when it does not exist), sorted."""
    return _catalog(con).table_names(schema)


class InformationSchemaCatalog:
    """The catalog questions answered from the SQL standard's information_schema, and row
    edits in plain SQL (DuckDB, PostgreSQL); the class using it supplies `execute`."""

    execute: Callable[..., Any]

    @staticmethod
    def quote(identifier: str) -> str:
        """`identifier` quoted as a column or table name."""
        return '"' + identifier.replace('"', '""') + '"'

    def base_tables(self) -> dict[tuple[str, str], dict[str, str]]:
        """{(schema, table): {column: upper-case type}} of every base table (not a view),
        outside the system schemas."""
        rows = self.execute(
            """
            select c.table_schema, c.table_name, c.column_name, upper(c.data_type)
            from information_schema.columns as c
            join information_schema.tables as t
              on t.table_schema = c.table_schema and t.table_name = c.table_name
            where t.table_type = 'BASE TABLE'
            order by c.table_schema, c.table_name, c.ordinal_position
            """
        ).fetchall()
        tables: dict[tuple[str, str], dict[str, str]] = {}
        for schema, table, column, data_type in rows:
            if schema in ("information_schema", "pg_catalog") or schema.startswith("pg_"):
                continue
            tables.setdefault((schema, table), {})[column] = data_type
        return tables

    def delete_rows(self, schema: str, table: str, where: str, params: Sequence[Any]) -> None:
        """Delete the rows of `schema.table` that `where` matches."""
        relation = f"{self.quote(schema)}.{self.quote(table)}"
        self.execute(f"delete from {relation} where {where}", list(params))

    def set_column(
        self, schema: str, table: str, column: str, value: Any, where: str, params: Sequence[Any]
    ) -> None:
        """Set `column` to `value` in the rows of `schema.table` that `where` matches."""
        relation = f"{self.quote(schema)}.{self.quote(table)}"
        self.execute(
            f"update {relation} set {self.quote(column)} = ? where {where}", [value, *params]
        )

    def has_table(self, schema: str, table: str) -> bool:
        return bool(
            self.execute(
                "select count(*) from information_schema.tables "
                "where table_schema = ? and table_name = ?",
                [schema, table],
            ).fetchone()[0]
        )

    def table_columns(self, schema: str, table: str) -> list[str]:
        return [
            name
            for (name,) in self.execute(
                "select column_name from information_schema.columns "
                "where table_schema = ? and table_name = ? order by ordinal_position",
                [schema, table],
            ).fetchall()
        ]

    def table_names(self, schema: str) -> list[str]:
        return sorted(
            name
            for (name,) in self.execute(
                "select table_name from information_schema.tables where table_schema = ?",
                [schema],
            ).fetchall()
        )

    def column_catalog(self, schemas: Sequence[str]) -> list[tuple[str, str, str, str]]:
        """(schema, table, column, type) of every column of the tables and views of
        `schemas`, sorted."""
        if not schemas:
            return []
        rows = self.execute(
            "select table_schema, table_name, column_name, data_type "
            "from information_schema.columns "
            f"where table_schema in ({', '.join('?' * len(schemas))}) order by 1, 2, 3, 4",
            list(schemas),
        ).fetchall()
        return [tuple(str(value) for value in row) for row in rows]


class Warehouse(ABC):
    """What every module needs from the warehouse; see the module docstring. One subclass
    per engine (DuckDBWarehouse, PostgresWarehouse)."""

    target: str
    dialect: str  # sqlglot's name of the SQL dialect
    dbt_target: str  # the output of dbt_project/profiles.yml
    # Whether the raw tables only append (each load's rows beside the earlier versions of
    # their keys) rather than dlt merging each load on the table's key.
    raw_tables_append: ClassVar[bool] = False

    @property
    @abstractmethod
    def label(self) -> str:
        """How messages name the warehouse (never with a password)."""

    @property
    @abstractmethod
    def state_dir(self) -> Path:
        """The local folder of what is not in the warehouse: dlt and dbt working folders,
        logs, per-run docs."""

    @property
    @abstractmethod
    def report_dir(self) -> Path:
        """Where reports go unless ROI_REPORT_DIR or --out says otherwise."""

    @abstractmethod
    def exists(self) -> bool:
        """Whether a run has created the warehouse yet."""

    @abstractmethod
    def dlt_destination(self):
        """The dlt destination the loads write to."""

    @abstractmethod
    def dbt_env(self) -> dict[str, str]:
        """Environment variables dbt_project/profiles.yml reads for this warehouse."""

    @abstractmethod
    def dbt_vars(self) -> dict[str, str | int]:
        """The dbt vars dbt_project/profiles.yml reads before those variables (a pipeline
        run's way to name the warehouse); never a password: dbt records its vars."""

    @abstractmethod
    def connect(self, read_only: bool = False):
        """A context manager yielding a Connection (closed at exit)."""

    @contextmanager
    def writer_lock(
        self, run_id: str, timeout: float, on_wait: Callable[[str], None] | None
    ) -> Iterator[None]:
        """A lock beyond the local file lock (foundation.lock), held while a run writes."""
        yield

    def prepare_source(self, source):
        """A dlt source as this engine lands it (unchanged here: dlt merges each raw table on
        its key)."""
        return source

    def dlt_run_options(self) -> dict[str, Any]:
        """Options of dlt's `pipeline.run` for this destination."""
        return {}

    def after_load(self, pipeline) -> None:
        """What the engine needs once a dlt `pipeline` has loaded (nothing, where dlt writes
        the tables themselves)."""
        return None

    def __str__(self) -> str:
        return self.label


# --------------------------------------------------------------------------- DuckDB


class DuckDBConnection(InformationSchemaCatalog):
    """A DuckDB connection with the warehouse Connection interface."""

    dialect = "duckdb"

    def __init__(self, raw):
        self.raw = raw

    def execute(self, sql: str, params: Sequence[Any] | None = None):
        return self.raw.execute(sql, list(params) if params is not None else None)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self.raw.executemany(sql, [list(row) for row in rows])

    @contextmanager
    def transaction(self) -> Iterator[DuckDBConnection]:
        self.raw.execute("begin transaction")
        try:
            yield self
        except BaseException:
            self.raw.execute("rollback")
            raise
        self.raw.execute("commit")

    def replace_table(self, table: str, select_sql: str) -> None:
        self.raw.execute(f"create or replace table {table} as {select_sql}")

    def close(self) -> None:
        self.raw.close()


@dataclass(frozen=True)
class DuckDBWarehouse(Warehouse):
    """The embedded DuckDB file (one writing process at a time)."""

    file: Path
    target = "duckdb"
    dialect = "duckdb"
    dbt_target = "duckdb"

    @property
    def label(self) -> str:
        return str(self.file)

    @property
    def state_dir(self) -> Path:
        return duckdb_state_dir(self.file)

    @property
    def report_dir(self) -> Path:
        return self.file.parent / "reports"

    def exists(self) -> bool:
        return self.file.exists()

    def dlt_destination(self):
        import dlt

        self.file.parent.mkdir(parents=True, exist_ok=True)
        return dlt.destinations.duckdb(credentials=str(self.file))

    def dbt_env(self) -> dict[str, str]:
        return {"ROI_DBT_TARGET": self.dbt_target, "ROI_WAREHOUSE": str(self.file)}

    def dbt_vars(self) -> dict[str, str | int]:
        return {"roi_warehouse": str(self.file)}

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[DuckDBConnection]:
        import duckdb

        # DuckDB allows one writing process per file: open late, close early.
        try:
            raw = duckdb.connect(str(self.file), read_only=read_only)
        except duckdb.Error as error:
            raise WarehouseUnavailable(
                f"cannot open the warehouse {self.file}"
                + (" read-only" if read_only else "")
                + f": {error}\n(DuckDB allows readers only while no process writes the file: "
                "if a run is writing, try again when it has finished)"
            ) from error
        try:
            # A setting, not a connect-time config: connections of one process (dlt's, this
            # one) share DuckDB's instance only while their configs are equal.
            raw.execute(f"set memory_limit = '{duckdb_memory_limit()}'")
            yield DuckDBConnection(raw)
        finally:
            raw.close()


class WarehouseUnavailable(RoiError):
    """The warehouse cannot be opened (missing, busy, unreachable)."""


def database_errors() -> tuple[type[Exception], ...]:
    """What either engine raises when the warehouse cannot be opened, read or written (a full
    disk, a lost connection): for callers that must turn it into a message, not a traceback."""
    import duckdb
    import psycopg2

    return (duckdb.Error, psycopg2.Error, WarehouseUnavailable, SparkQueryError)


# --------------------------------------------------------------------------- PostgreSQL


@dataclass(frozen=True)
class PostgresSettings:
    host: str = "127.0.0.1"
    port: int = 5432
    user: str = "postgres"
    password: str = ""
    database: str = "test"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> PostgresSettings:
        """The ROI_PG_* variables of `environ` (default os.environ)."""
        environ = os.environ if environ is None else environ
        values = {
            name: environ.get(variable) or default
            for name, (variable, default) in PG_VARIABLES.items()
        }
        try:
            port = int(values.pop("port"))
        except ValueError:
            raise RoiError(
                f"{PG_VARIABLES['port'][0]} must be a port number, got "
                f"{environ.get(PG_VARIABLES['port'][0])!r}"
            ) from None
        return cls(port=port, **values)

    @property
    def label(self) -> str:
        return f"postgresql://{self.user}@{self.host}:{self.port}/{self.database}"

    @property
    def state_folder(self) -> str:
        return f"postgres-{self.host}-{self.port}-{self.database}"

    def connect_kwargs(self) -> dict[str, Any]:
        return {
            "host": self.host,
            "port": self.port,
            "user": self.user,
            "dbname": self.database,
            **({"password": self.password} if self.password else {}),
        }

    def env(self) -> dict[str, str]:
        values = {"host": self.host, "port": str(self.port), "user": self.user}
        values |= {"password": self.password, "database": self.database}
        return {PG_VARIABLES[name][0]: value for name, value in values.items()}


_PLACEHOLDER = re.compile(r"""('(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*)|(\?)|(%)""")


def to_pyformat(sql: str) -> str:
    """`?` placeholders (outside quotes and comments) as psycopg2's `%s`, and `%` as `%%`."""

    def replace(match: re.Match) -> str:
        if match.group(1):
            return match.group(1).replace("%", "%%")
        return "%s" if match.group(2) else "%%"

    return _PLACEHOLDER.sub(replace, sql)


# psycopg2 type codes (pg_type oids) of the columns df() turns into numbers or timestamps
_NUMERIC_OID = 1700
_FLOAT_OIDS = {700, 701}


class PostgresResult:
    """The rows of one statement: fetchone/fetchall, and df() like DuckDB's (NUMERIC columns
    as floats, as DuckDB gives DECIMAL columns to pandas)."""

    def __init__(self, cursor):
        self.description = cursor.description
        self._rows = cursor.fetchall() if cursor.description is not None else []
        self._next = 0

    def fetchone(self):
        if self._next >= len(self._rows):
            return None
        row = self._rows[self._next]
        self._next += 1
        return row

    def fetchall(self) -> list[tuple]:
        rows = self._rows[self._next :]
        self._next = len(self._rows)
        return rows

    def df(self):
        import pandas as pd

        names = [column.name for column in self.description or []]
        frame = pd.DataFrame.from_records(self.fetchall(), columns=names)
        for column in self.description or []:
            if column.type_code == _NUMERIC_OID or column.type_code in _FLOAT_OIDS:
                frame[column.name] = pd.to_numeric(
                    frame[column.name].map(
                        lambda v: float(v) if isinstance(v, Decimal) else v,
                        na_action="ignore",
                    ),
                    errors="coerce",
                ).astype("float64")
        return frame


class PostgresConnection(InformationSchemaCatalog):
    """A psycopg2 connection with the warehouse Connection interface. It runs in autocommit
    mode, as DuckDB does: `transaction()` (or `begin` ... `commit`) groups statements."""

    dialect = "postgres"

    def __init__(self, raw):
        self.raw = raw

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> PostgresResult:
        with self.raw.cursor() as cursor:
            if params:
                cursor.execute(to_pyformat(sql), list(params))
            else:
                cursor.execute(sql)
            return PostgresResult(cursor)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        with self.raw.cursor() as cursor:
            cursor.executemany(to_pyformat(sql), [list(row) for row in rows])

    @contextmanager
    def transaction(self) -> Iterator[PostgresConnection]:
        self.execute("begin")
        try:
            yield self
        except BaseException:
            self.execute("rollback")
            raise
        self.execute("commit")

    def replace_table(self, table: str, select_sql: str) -> None:
        self.execute(f"drop table if exists {table}")
        self.execute(f"create table {table} as {select_sql}")

    def close(self) -> None:
        self.raw.close()


def _state_root() -> Path:
    return warehouse_path().parent


class ServerWarehouse(Warehouse):
    """A warehouse on a server (PostgreSQL, Spark): its connection `settings` (a class with
    `from_env`, a `label` and a `state_folder`) and a local state folder, `local_state` if
    given, else $ROI_STATE_DIR's at from_env, else `<state_folder>/` beside the DuckDB
    default."""

    settings: Any
    local_state: Path | None
    settings_type: ClassVar[type]

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None):
        """The server of `environ`'s variables (default os.environ), its local state in
        $ROI_STATE_DIR (else see state_dir)."""
        environ = os.environ if environ is None else environ
        state = environ.get(STATE_DIR_VARIABLE)
        local_state = Path(state).expanduser().resolve() if state else None
        return cls(cls.settings_type.from_env(environ), local_state)

    @property
    def label(self) -> str:
        return self.settings.label

    @property
    def state_dir(self) -> Path:
        if self.local_state is not None:
            return self.local_state
        return _state_root() / self.settings.state_folder

    @property
    def report_dir(self) -> Path:
        return self.state_dir / "reports"

    def exists(self) -> bool:
        """True when the server answers; an unreachable one raises WarehouseUnavailable with
        the reason (a server that is down is not "no warehouse yet")."""
        with self.connect(read_only=True):
            return True


@dataclass(frozen=True)
class PostgresWarehouse(ServerWarehouse):
    """A PostgreSQL database: many readers and writers, one run writing at a time."""

    settings: PostgresSettings
    local_state: Path | None = None  # None: $ROI_STATE_DIR, else beside the DuckDB default
    target = "postgres"
    dialect = "postgres"
    dbt_target = "postgres"
    settings_type = PostgresSettings

    def dlt_destination(self):
        import dlt
        from dlt.destinations.impl.postgres.configuration import PostgresCredentials

        s = self.settings
        credentials = PostgresCredentials()
        credentials.host, credentials.port, credentials.username = s.host, s.port, s.user
        credentials.password, credentials.database = s.password, s.database
        credentials.session_timezone = "UTC"
        # Resolved as given: dlt would otherwise ask its config providers for a password,
        # and a server with trust or peer authentication needs none.
        return dlt.destinations.postgres(credentials=credentials.resolve())

    def dbt_env(self) -> dict[str, str]:
        return {"ROI_DBT_TARGET": self.dbt_target, **self.settings.env()}

    def dbt_vars(self) -> dict[str, str | int]:
        s = self.settings
        return {
            "roi_pg_host": s.host,
            "roi_pg_port": s.port,
            "roi_pg_user": s.user,
            "roi_pg_database": s.database,
        }

    def _raw_connect(self, read_only: bool, application: str):
        import psycopg2

        # UTC sessions: timestamps come back as on DuckDB, whatever the server's zone.
        options = "-c TimeZone=UTC" + (" -c default_transaction_read_only=on" if read_only else "")
        try:
            raw = psycopg2.connect(
                **self.settings.connect_kwargs(),
                options=options,
                application_name=application,
                connect_timeout=15,
            )
        except psycopg2.Error as error:
            raise WarehouseUnavailable(
                f"cannot connect to the warehouse {self.label}: {str(error).strip()}\n"
                "(set ROI_PG_HOST, ROI_PG_PORT, ROI_PG_USER, ROI_PG_PASSWORD, ROI_PG_DATABASE)"
            ) from None
        raw.autocommit = True
        return raw

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[PostgresConnection]:
        raw = self._raw_connect(read_only, "roi")
        try:
            yield PostgresConnection(raw)
        finally:
            raw.close()

    @contextmanager
    def writer_lock(
        self, run_id: str, timeout: float, on_wait: Callable[[str], None] | None
    ) -> Iterator[None]:
        """PostgreSQL's advisory lock on this database, held on a connection of its own for
        the whole run: a run on another machine waits for it (the file lock of foundation.lock only
        covers this machine). The server drops it when the holder's connection dies."""
        raw = self._raw_connect(False, _application_name(run_id))
        try:
            cursor = raw.cursor()
            from .waiting import wait_for_lock

            def try_lock() -> bool:
                cursor.execute(
                    "select pg_try_advisory_lock(%s, hashtext(current_database()))",
                    [ADVISORY_LOCK_CLASS],
                )
                return bool(cursor.fetchone()[0])

            wait_for_lock(
                try_lock, lambda: self._describe_holder(cursor), self.label, timeout, on_wait
            )
            try:
                yield
            finally:
                cursor.execute(
                    "select pg_advisory_unlock(%s, hashtext(current_database()))",
                    [ADVISORY_LOCK_CLASS],
                )
        finally:
            raw.close()

    @staticmethod
    def _describe_holder(cursor) -> str:
        cursor.execute(
            """
            select activity.application_name, activity.client_addr, activity.backend_start
            from pg_locks as locks
            join pg_stat_activity as activity on activity.pid = locks.pid
            where locks.locktype = 'advisory' and locks.granted
              and locks.classid = %s and locks.objid = hashtext(current_database())::oid
              and locks.database = (select oid from pg_database where datname = current_database())
            """,
            [ADVISORY_LOCK_CLASS],
        )
        row = cursor.fetchone()
        if row is None:
            return "another run"
        application, address, since = row
        since_text = since.astimezone(dt.UTC).isoformat(timespec="seconds") if since else "?"
        where = address or "local socket"
        return f"{application or 'another client'} (from {where}, since {since_text})"


def _application_name(run_id: str) -> str:
    # PostgreSQL keeps 63 bytes of it: the run id and the host, for _describe_holder.
    return f"roi run {run_id} on {socket.gethostname()}"[:63]


# --------------------------------------------------------------------------- Apache Spark


def spark_home_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The local Spark cluster's folder (roi spark up): $ROI_SPARK_HOME, else `spark/` beside
    the DuckDB warehouse file's default place."""
    environ = os.environ if environ is None else environ
    home = (environ.get(SPARK_HOME_VARIABLE) or "").strip()
    if home:
        return Path(home).expanduser().resolve()
    return warehouse_path(environ=environ).parent / "spark"


@dataclass(frozen=True)
class SparkSettings:
    host: str = "127.0.0.1"
    port: int = 10000
    user: str = "roi"
    lake: str = ""  # a folder or an object-store URL; "" for the local cluster's lake/

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SparkSettings:
        """The ROI_SPARK_* variables of `environ` (default os.environ)."""
        environ = os.environ if environ is None else environ
        values = {
            name: (environ.get(variable) or default).strip()
            for name, (variable, default) in SPARK_VARIABLES.items()
        }
        port = values.pop("port")
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise RoiError(f"{SPARK_VARIABLES['port'][0]} must be a port number, got {port!r}")
        if not values["lake"]:
            values["lake"] = str(spark_home_dir(environ) / "lake")
        elif "://" not in values["lake"]:
            values["lake"] = str(Path(values["lake"]).expanduser().resolve())
        return cls(port=int(port), **values)

    @property
    def label(self) -> str:
        return f"spark://{self.user}@{self.host}:{self.port}"

    @property
    def state_folder(self) -> str:
        return f"spark-{self.host}-{self.port}"

    def env(self) -> dict[str, str]:
        values = {"host": self.host, "port": str(self.port), "user": self.user, "lake": self.lake}
        return {SPARK_VARIABLES[name][0]: value for name, value in values.items()}


# Spark's names of the column types the Thrift Server describes results with, turned into the
# Python values DuckDB and psycopg2 give (PyHive itself makes DECIMAL a Decimal and TIMESTAMP
# a naive datetime; the warehouse keeps UTC, so it becomes an aware one).
def _spark_date(value):
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def _spark_timestamp(value):
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


_SPARK_CONVERTERS = {"DATE_TYPE": _spark_date, "TIMESTAMP_TYPE": _spark_timestamp}
_SPARK_NUMBER_TYPES = {"DECIMAL_TYPE", "DOUBLE_TYPE", "FLOAT_TYPE"}
# One INSERT carries this many rows at most: each statement is a round trip and a Spark job.
SPARK_INSERT_BATCH_ROWS = 500
_VALUES_CLAUSE = re.compile(r"^(?P<head>.*\bvalues\s*)(?P<row>\([^()]*\))\s*$", re.I | re.S)


class SparkResult(PostgresResult):
    """The rows of one statement, with dates and timestamps as DuckDB gives them."""

    def __init__(self, cursor):
        self.description = cursor.description
        rows = cursor.fetchall() if cursor.description is not None else []
        converters = [_SPARK_CONVERTERS.get(column[1]) for column in (cursor.description or [])]
        if any(converters):
            rows = [
                tuple(
                    convert(value) if convert and value is not None else value
                    for convert, value in zip(converters, row, strict=True)
                )
                for row in rows
            ]
        self._rows = [tuple(row) for row in rows]
        self._next = 0

    def df(self):
        import pandas as pd

        names = [column[0].rsplit(".", 1)[-1] for column in self.description or []]
        frame = pd.DataFrame.from_records(self.fetchall(), columns=names)
        for name, column in zip(names, self.description or [], strict=True):
            if column[1] in _SPARK_NUMBER_TYPES:
                frame[name] = pd.to_numeric(
                    frame[name].map(
                        lambda v: float(v) if isinstance(v, Decimal) else v, na_action="ignore"
                    ),
                    errors="coerce",
                ).astype("float64")
        return frame


class SparkQueryError(RoiError):
    """A statement Spark refused, with Spark's own message (not the Java stack trace PyHive
    puts in its error) and the statement's first line."""

    @classmethod
    def of(cls, error: Exception, sql: str) -> SparkQueryError:
        response = error.args[0] if error.args else None
        status = getattr(response, "status", None)
        message = (getattr(status, "errorMessage", None) or str(error)).strip()
        message = message.removeprefix("Error running query: ").splitlines()[0]
        # "[CODE] org.apache.spark.sql.AnalysisException: [CODE] text": the code once
        message = re.sub(r"^(\[\w+\]) [\w.$]+(Exception|Error): \1 ", r"\1 ", message)
        statement = " ".join(sql.split())
        if len(statement) > 200:
            statement = statement[:200] + " ..."
        return cls(f"Spark refused the statement: {message}\n  in: {statement}")


class SparkConnection:
    """A PyHive connection to the Spark Thrift Server with the warehouse Connection interface.

    Spark has no transactions: each statement takes effect on its own, and `transaction()`
    only groups statements for the reader of the code. A caller that must never show a
    half-done change cannot rely on it on Spark."""

    dialect = "spark"

    def __init__(self, raw):
        self.raw = raw

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> SparkResult:
        from pyhive.exc import DatabaseError

        cursor = self.raw.cursor()
        try:
            cursor.execute(with_spark_literals(sql, params) if params else sql)
            return SparkResult(cursor)
        except DatabaseError as error:
            raise SparkQueryError.of(error, sql) from None
        finally:
            cursor.close()

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """An `insert ... values (?, ...)` as multi-row inserts of SPARK_INSERT_BATCH_ROWS;
        any other statement once per row."""
        if not rows:
            return
        match = _VALUES_CLAUSE.match(sql.strip())
        if match is None:
            for row in rows:
                self.execute(sql, row)
            return
        for start in range(0, len(rows), SPARK_INSERT_BATCH_ROWS):
            batch = rows[start : start + SPARK_INSERT_BATCH_ROWS]
            statement = match["head"] + ", ".join([match["row"]] * len(batch))
            self.execute(statement, [value for row in batch for value in row])

    @contextmanager
    def transaction(self) -> Iterator[SparkConnection]:
        yield self

    def _has_schema(self, schema: str) -> bool:
        return bool(self.execute("show databases like ?", [schema]).fetchall())

    def has_table(self, schema: str, table: str) -> bool:
        return self._has_schema(schema) and bool(
            self.execute(f"show tables in {schema} like ?", [table]).fetchall()
        )

    def table_columns(self, schema: str, table: str) -> list[str]:
        """Spark's catalog has no information_schema: SHOW COLUMNS (a partitioned table's
        partition columns last)."""
        return [name for (name,) in self.execute(f"show columns in {schema}.{table}").fetchall()]

    def table_names(self, schema: str) -> list[str]:
        """SHOW TABLES of the schema, without the session's temporary views."""
        if not self._has_schema(schema):
            return []
        return sorted(
            row[1] for row in self.execute(f"show tables in {schema}").fetchall() if not row[2]
        )

    def _described(self, schema: str, table: str) -> dict[str, str]:
        """{column: type} of DESCRIBE TABLE (the partition columns once, as listed first)."""
        columns: dict[str, str] = {}
        for name, kind, *_ in self.execute(f"describe table {schema}.{table}").fetchall():
            if not name or name.startswith("#"):
                break  # "# Partition Information" repeats the partition columns
            columns[name] = kind
        return columns

    def column_catalog(self, schemas: Sequence[str]) -> list[tuple[str, str, str, str]]:
        """(schema, table, column, type) of every column of the tables and views of
        `schemas`, sorted: DESCRIBE of each."""
        return sorted(
            (schema, table, name, kind)
            for schema in schemas
            for table in self.table_names(schema)
            for name, kind in self._described(schema, table).items()
        )

    @staticmethod
    def quote(identifier: str) -> str:
        """`identifier` quoted as a column or table name (Spark's backticks)."""
        return "`" + identifier.replace("`", "``") + "`"

    def base_tables(self) -> dict[tuple[str, str], dict[str, str]]:
        """{(schema, table): {column: upper-case type}} of every table that is not a view."""
        tables: dict[tuple[str, str], dict[str, str]] = {}
        for (schema,) in self.execute("show databases").fetchall():
            views = {row[1] for row in self.execute(f"show views in {schema}").fetchall()}
            for table in self.table_names(schema):
                if table not in views:
                    described = self._described(schema, table)
                    tables[(schema, table)] = {n: k.upper() for n, k in described.items()}
        return tables

    def delete_rows(self, schema: str, table: str, where: str, params: Sequence[Any]) -> None:
        """Parquet files have no row delete: the table is written anew without the rows
        `where` matches (_rewrite)."""
        self._rewrite(schema, table, {}, f"not coalesce(({where}), false)", list(params))

    def set_column(
        self, schema: str, table: str, column: str, value: Any, where: str, params: Sequence[Any]
    ) -> None:
        """The table written anew with `column` set to `value` where `where` matches."""
        expression = f"case when coalesce(({where}), false) then ? else {self.quote(column)} end"
        self._rewrite(schema, table, {column: expression}, "true", [*params, value])

    def _rewrite(
        self, schema: str, table: str, replaced: Mapping[str, str], keep: str, params: list
    ) -> None:
        """Write `schema.table` anew: the rows `keep` matches, with the `replaced` columns'
        expressions. Spark cannot overwrite a table from a query that reads it, so the rows go
        to a copy first (`<table>__roi_rewrite`), and INSERT OVERWRITE then replaces every
        file of the table (every partition, statically) with the copy's. Not atomic: if it is
        interrupted, the copy is left and the table holds its old rows or its new ones; doing
        the same edit again finishes it."""
        relation = f"{self.quote(schema)}.{self.quote(table)}"
        copy = f"{self.quote(schema)}.{self.quote(table + '__roi_rewrite')}"
        columns = self.table_columns(schema, table)  # partition columns last, as INSERT wants
        selected = ", ".join(
            f"{replaced[c]} as {self.quote(c)}" if c in replaced else self.quote(c) for c in columns
        )
        self.execute(f"drop table if exists {copy}")
        self.execute(
            f"create table {copy} using parquet as select {selected} from {relation} where {keep}",
            params,
        )
        self.execute("set spark.sql.sources.partitionOverwriteMode=static")
        self.execute(f"insert overwrite table {relation} select * from {copy}")
        self.execute(f"drop table {copy}")

    def replace_table(self, table: str, select_sql: str) -> None:
        self.execute(f"drop table if exists {table}")
        self.execute(f"create table {table} using parquet as {select_sql}")

    def close(self) -> None:
        self.raw.close()


# dlt's column types (its schema of a loaded table) as Spark SQL types of the Parquet columns
# dlt writes.
_SPARK_TYPES = {
    "text": "string",
    "bigint": "bigint",
    "bool": "boolean",
    "double": "double",
    "date": "date",
    "timestamp": "timestamp",
    "json": "string",
    "binary": "binary",
}


def spark_column_type(column: Mapping[str, Any]) -> str:
    """The Spark type of a dlt column schema (`data_type`, and precision/scale of decimals)."""
    kind = column.get("data_type")
    if kind == "decimal":
        return f"decimal({column.get('precision') or 38}, {column.get('scale') or 9})"
    if kind not in _SPARK_TYPES:
        raise RoiError(f"column {column.get('name')!r}: no Spark type for dlt's {kind!r}")
    return _SPARK_TYPES[kind]


def spark_literal(value: Any) -> str:
    """`value` as a Spark SQL literal of the type DuckDB would bind it as: exact decimals
    (`BD`), doubles (`D`), UTC timestamps, dates, escaped strings."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return f"{value:f}BD"
    if isinstance(value, float):
        return (
            f"{value!r}D"
            if value == value and abs(value) != float("inf")
            else (f"double('{value}')")
        )
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return f"timestamp'{value.isoformat(sep=' ', timespec='microseconds')}'"
    if isinstance(value, dt.date):
        return f"date'{value.isoformat()}'"
    if isinstance(value, str):
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    raise TypeError(f"no Spark SQL literal for {type(value).__name__} {value!r}")


def with_spark_literals(sql: str, params: Sequence[Any]) -> str:
    """`sql` with each `?` (outside quotes and comments) replaced by the next parameter's
    literal: Spark's Thrift Server takes no bound parameters."""
    values = iter(params)

    def replace(match: re.Match) -> str:
        if match.group(2):
            try:
                return spark_literal(next(values))
            except StopIteration:
                raise ValueError(f"more ? than parameters in: {sql}") from None
        return match.group(0)

    rendered = _PLACEHOLDER.sub(replace, sql)
    if next(values, _NO_VALUE) is not _NO_VALUE:
        raise ValueError(f"more parameters than ? in: {sql}")
    return rendered


_NO_VALUE = object()


@dataclass(frozen=True)
class SparkWarehouse(ServerWarehouse):
    """Spark SQL through the Thrift Server: the raw tables are Parquet files dlt writes to
    the lake, the rest Spark tables in its metastore. One run writes at a time (the local
    file lock of foundation.lock; Spark offers no lock of its own)."""

    settings: SparkSettings
    local_state: Path | None = None  # None: $ROI_STATE_DIR, else beside the DuckDB default
    target = "spark"
    dialect = "spark"
    dbt_target = "spark"
    settings_type = SparkSettings
    raw_tables_append = True  # see prepare_source

    def dlt_destination(self):
        import dlt

        if "://" not in self.settings.lake:
            Path(self.settings.lake).mkdir(parents=True, exist_ok=True)
        return dlt.destinations.filesystem(bucket_url=self.settings.lake)

    def prepare_source(self, source):
        """The source's resources append: dlt's filesystem destination merges only into
        Delta or Iceberg tables, which need jars this cluster does not have. The raw tables
        keep every version sent, a rerun's too (each with its load id); staging keeps each
        key's newest version, as on the other engines, so the marts do not change."""
        for resource in source.resources.values():
            resource.apply_hints(write_disposition="append")
        return source

    def dlt_run_options(self) -> dict[str, Any]:
        # Parquet whatever the source yields (the file drop's Arrow tables, an API's dicts):
        # Spark reads the lake's files as the raw tables.
        return {"loader_file_format": "parquet"}

    def lake_location(self, dataset: str, table: str) -> str:
        """A raw table's folder in the lake (dlt's layout: `<lake>/<dataset>/<table>/`)."""
        lake = self.settings.lake
        base = lake if "://" in lake else Path(lake).as_uri()
        return f"{base.rstrip('/')}/{dataset}/{table}"

    def after_load(self, pipeline) -> None:
        """Spark tables over the Parquet files dlt wrote for the pipeline's dataset: created
        with the columns of dlt's schema, new columns added, the file listing refreshed.

        The schema is the one the last load package was written with (dlt's LoadInfo): the
        pipeline's own `default_schema` may be an earlier, column-less copy once dagster-dlt
        has dropped and re-created the pipeline's local state for a run."""
        packages = pipeline.last_trace.last_load_info.load_packages
        if not packages:  # nothing was written: no table to create or widen
            return
        schema = packages[-1].schema
        dataset = pipeline.dataset_name
        with self.connect() as con:
            con.execute(f"create database if not exists {dataset}")
            for table in schema.data_table_names():
                columns = {
                    name: spark_column_type(column)
                    for name, column in schema.get_table_columns(table).items()
                }
                if not con.has_table(dataset, table):
                    listed = ", ".join(f"`{name}` {kind}" for name, kind in columns.items())
                    location = self.lake_location(dataset, table)
                    con.execute(
                        f"create table {dataset}.{table} ({listed}) using parquet "
                        f"location '{location}'"
                    )
                else:
                    described = con.execute(f"describe table {dataset}.{table}").fetchall()
                    known = {row[0] for row in described}
                    new = [f"`{n}` {k}" for n, k in columns.items() if n not in known]
                    if new:
                        con.execute(f"alter table {dataset}.{table} add columns ({', '.join(new)})")
                con.execute(f"refresh table {dataset}.{table}")

    def dbt_env(self) -> dict[str, str]:
        return {"ROI_DBT_TARGET": self.dbt_target, **self.settings.env()}

    def dbt_vars(self) -> dict[str, str | int]:
        s = self.settings
        return {"roi_spark_host": s.host, "roi_spark_port": s.port, "roi_spark_user": s.user}

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[SparkConnection]:
        from pyhive import hive
        from thrift.transport.TTransport import TTransportException

        s = self.settings
        try:
            raw = hive.connect(
                host=s.host, port=s.port, username=s.user, configuration=SPARK_SESSION
            )
        except (TTransportException, OSError) as error:
            raise WarehouseUnavailable(
                f"cannot connect to the Spark Thrift Server {self.label}: {error}\n"
                "(start the local cluster with `make spark-up`, or set ROI_SPARK_HOST and "
                "ROI_SPARK_PORT)"
            ) from None
        try:
            yield SparkConnection(raw)
        finally:
            raw.close()


# --------------------------------------------------------------------------- choosing


def resolve_warehouse(
    target: str | None = None,
    warehouse: str | Path | Warehouse | None = None,
    environ: Mapping[str, str] | None = None,
) -> Warehouse:
    """The warehouse of `--target` and `--warehouse` (see the module docstring), the rest
    from `environ` (default os.environ). Flags win over the environment: a DuckDB file given
    without `--target` is that file, whatever $ROI_TARGET says."""
    if isinstance(warehouse, Warehouse):
        return warehouse
    if target is None and warehouse is not None:
        return DuckDBWarehouse(warehouse_path(warehouse, environ))
    target = choose_target(target, environ)
    if target == "postgres":
        if warehouse is not None:
            raise RoiError(
                "--warehouse names a DuckDB file; with --target postgres the warehouse is the "
                "database of ROI_PG_HOST, ROI_PG_PORT, ROI_PG_USER, ROI_PG_DATABASE "
                f"({PostgresSettings.from_env(environ).label})"
            )
        return PostgresWarehouse.from_env(environ)
    if target == "spark":
        if warehouse is not None:
            raise RoiError(
                "--warehouse names a DuckDB file; with --target spark the warehouse is the "
                "Spark Thrift Server of ROI_SPARK_HOST and ROI_SPARK_PORT "
                f"({SparkSettings.from_env(environ).label})"
            )
        return SparkWarehouse.from_env(environ)
    return DuckDBWarehouse(warehouse_path(warehouse, environ))


def as_warehouse(value: str | Path | Warehouse | None) -> Warehouse:
    """A Warehouse from what callers hold: a Warehouse, a DuckDB file path, or None (the
    warehouse of $ROI_TARGET and the environment)."""
    if isinstance(value, Warehouse):
        return value
    if value is None:
        return resolve_warehouse()
    return DuckDBWarehouse(Path(value).expanduser().resolve())
