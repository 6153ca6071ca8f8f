"""Run a suite with Great Expectations in the warehouse, as SQL (GE's SQL data sources).

No table is read into Python: GE turns each expectation into SQL aggregates over a table
or query asset (what the suite checks) and brings back counts and a few unexpected values.
One GE context per process (the run's steps run in one), shared by every suite of the run.

PostgreSQL: GE's postgres data source, on connections of its own (read-only, UTC).
Spark: GE's generic SQL data source over SQLAlchemy with PyHive's `hive` dialect, on
sessions of its own to the Thrift Server (UTC, ANSI off, as every session of the warehouse);
every expectation is Spark SQL run by the cluster.
DuckDB: GE's generic SQL data source over SQLAlchemy with the duckdb-engine dialect, on the
check's own warehouse connection (each GE connection is a cursor of it: DuckDB refuses a
second connection to the same file with another configuration, and duckdb-engine sets one,
its user agent). Rolling back is left to the warehouse connection: GE 1.24 reads a result
after handing its connection back to the pool, whose rollback empties a DuckDB result.

What GE 1.24's SQL path cannot do, and what runs instead (the same rows fail):
- ExpectColumnValuesToMatchRegex on DuckDB and Spark ("Regex is not supported for dialect
  duckdb", "... hive"): the query gets a column holding the value where the engine's regex
  (DuckDB's regexp_matches, Spark's rlike) fails (else NULL), and GE expects it to be null;
  the failure lists the values that did not match.
- Table assets with a schema on DuckDB (GE drops the schema from its column-type query):
  a table is a query asset there (`select * from schema.table`), as are the suites of a
  query (the reconciliation). To learn a query asset's columns GE runs its SELECT as it is
  and reads the column names only: the shared DuckDB cursor fetches none of its rows.
  On PostgreSQL a table is a table asset, since psycopg2's client-side cursor would receive
  such a SELECT's result in full (GE reads results after closing their connection, so
  server-side cursors cannot help); a query there returns a few rows (reconciliation).

A raw suite's row rules see only the rows of this run's loads through GE's row condition
(`_dlt_load_id` in the run's load ids), shown on the rule in Data Docs.
"""

from __future__ import annotations

import copy
import html
import itertools
import numbers
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from foundation.safe_html import library_page_with_csp
from foundation.warehouse import SPARK_SESSION, spark_literal

from .suites import Rule

if TYPE_CHECKING:
    from foundation.warehouse import Warehouse


def _offline_great_expectations() -> None:
    """Before Great Expectations is first imported: offline machines, no usage statistics.
    (Done when a check runs, not at import: importing this module changes nothing.)"""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


# The inline event handlers of GE's page template (its "Show All" / "Failed Only" filter)
# and the logo in its navigation bar: allowed by the pages' Content-Security-Policy.
DATA_DOCS_OWN_HANDLERS = ("showAllValidations()", "hideSucceededValidations()")
DATA_DOCS_LOGO = "https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/logo-long.png"
# What GE writes into its page as markup, unescaped: the unexpected values (its table
# cells), the observed value and the query that finds the unexpected rows. The expectation's
# arguments (value sets, columns) go through GE's string templates, which escape them.
DATA_DOCS_RAW_RESULT_KEYS = (
    "partial_unexpected_list",
    "partial_unexpected_counts",
    "partial_unexpected_index_list",
    "unexpected_list",
    "unexpected_index_list",
    "unexpected_index_query",
    "observed_value",
)


@dataclass(frozen=True)
class ExpectationOutcome:
    expectation: str
    blocking: bool
    success: bool
    observed: str


@dataclass(frozen=True)
class SuiteOutcome:
    outcomes: list[ExpectationOutcome]
    result: Any = None  # GE's ExpectationSuiteValidationResult, for Data Docs
    rows: int = 0  # rows of what the whole-table rules saw
    new_rows: int | None = None  # rows the other rules saw, when only the run's new rows

    def data_docs_html(self) -> str:
        """This validation as a Great Expectations Data Docs page (GE's own renderer)."""
        _offline_great_expectations()
        from great_expectations.render.renderer import ValidationResultsPageRenderer
        from great_expectations.render.view import DefaultJinjaPageView

        view, renderer = DefaultJinjaPageView(), ValidationResultsPageRenderer()
        page = view.render(renderer.render(_escaped_for_data_docs(self.result)))
        blank = copy.deepcopy(self.result)
        blank.results = []
        return library_page_with_csp(
            page,
            blank_page=view.render(renderer.render(blank)),
            handlers=DATA_DOCS_OWN_HANDLERS,
            images=(DATA_DOCS_LOGO,),
        )

    @property
    def failures(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success]

    @property
    def blocking_failures(self) -> list[ExpectationOutcome]:
        return [o for o in self.failures if o.blocking]


@dataclass(frozen=True)
class Checked:
    """What a suite checks in the warehouse: a `table` (schema.table) or a `query` (a
    SELECT); with `load_ids`, the rules that are not whole_table check only the rows whose
    `_dlt_load_id` is one of them (GE's row condition), the others every row (but a raw
    key's uniqueness where raw tables only append: Rule.raw_key)."""

    table: str | None = None
    query: str | None = None
    load_ids: tuple[str, ...] | None = None

    @property
    def relation(self) -> str:
        """What SQL reads the checked rows from."""
        return self.table or f"({self.query}) as checked"

    @property
    def new_rows(self) -> str:
        """The SQL condition of the rows the row rules check."""
        if not self.load_ids:
            return "false"
        quoted = ("'" + load_id.replace("'", "''") + "'" for load_id in self.load_ids)
        return f"_dlt_load_id in ({', '.join(quoted)})"


def validate_in_warehouse(
    warehouse: Warehouse, con, name: str, checked: Checked, rules: Sequence[Rule]
) -> SuiteOutcome:
    """Validate `rules` with Great Expectations on `checked`, in the warehouse, as one
    batch: a table asset (PostgreSQL) or a query asset (DuckDB, and every query).

    `con`: an open connection of `warehouse` (foundation.warehouse); on DuckDB GE's queries
    run on it. Only counts, GE's few unexpected examples and the orphan keys of a foreign
    key come back to Python.
    """
    from great_expectations.expectations.row_conditions import Column

    expectations, extra_columns = [], {}
    for index, rule in enumerate(rules):
        expectation, kwargs, extra = _ge_arguments(rule, checked, con)
        extra_columns.update(extra)
        per_load = not rule.whole_table or (rule.raw_key and warehouse.raw_tables_append)
        if checked.load_ids is not None and per_load:
            kwargs["row_condition"] = Column("_dlt_load_id").is_in(list(checked.load_ids))
        expectations.append((index, expectation, kwargs))
    with _session(warehouse, con) as session:
        result = session.run(name, checked, extra_columns, expectations)
    outcomes = []
    for expectation_result in sorted(
        result.results, key=lambda r: r.expectation_config.meta["rule"]
    ):
        rule = rules[expectation_result.expectation_config.meta["rule"]]
        outcomes.append(
            ExpectationOutcome(
                expectation=rule.label,
                blocking=rule.blocking,
                success=bool(expectation_result.success),
                observed=_observed(expectation_result),
            )
        )
    return SuiteOutcome(
        outcomes=outcomes,
        result=result,
        rows=_count(con, checked.relation),
        new_rows=None
        if checked.load_ids is None
        else _count(con, checked.relation, checked.new_rows),
    )


def _count(con, relation: str, condition: str = "true") -> int:
    return int(con.execute(f"select count(*) from {relation} where {condition}").fetchone()[0])


class _GreatExpectations:
    """The process's Great Expectations context (imported and set up once) and its SQL data
    sources, one per warehouse."""

    _lock = threading.Lock()
    _shared: _GreatExpectations | None = None

    def __init__(self) -> None:
        _offline_great_expectations()
        import great_expectations as gx  # slow import (seconds): only when a check runs
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self.gx = gx
        self.context = gx.get_context(mode="ephemeral")
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False)
        self.sources: dict[str, Any] = {}
        self.duckdb_connection = None  # the connection the DuckDB source's cursors come from
        self.names = itertools.count()

    @classmethod
    def shared(cls) -> _GreatExpectations:
        if cls._shared is None:
            cls._shared = cls()
        return cls._shared

    def source(self, warehouse: Warehouse):
        key = f"{warehouse.target}:{warehouse.label}"
        if key not in self.sources:
            name = f"warehouse_{len(self.sources)}"
            if warehouse.target == "spark":
                s = warehouse.settings
                self.sources[key] = self.context.data_sources.add_sql(
                    name=name,
                    connection_string=f"hive://{s.user}@{s.host}:{s.port}/default",
                    kwargs={"connect_args": {"configuration": dict(SPARK_SESSION)}},
                )
            elif warehouse.target == "duckdb":
                from sqlalchemy.pool import NullPool

                self.sources[key] = self.context.data_sources.add_sql(
                    name=name,
                    connection_string="duckdb:///:memory:",  # never opened: see creator
                    kwargs={"creator": self._duckdb_cursor, "poolclass": NullPool},
                )
            else:
                from sqlalchemy.engine import URL

                s = warehouse.settings
                # URL.create escapes what a URL cannot hold as it is (an @ or / in a password)
                url = URL.create(
                    "postgresql+psycopg2",
                    username=s.user,
                    password=s.password or None,
                    host=s.host,
                    port=s.port,
                    database=s.database,
                )
                self.sources[key] = self.context.data_sources.add_postgres(
                    name=name,
                    connection_string=url.render_as_string(hide_password=False),
                    kwargs={
                        "connect_args": {
                            "options": "-c TimeZone=UTC -c default_transaction_read_only=on",
                            "application_name": "roi-great-expectations",
                        }
                    },
                )
        return self.sources[key]

    def _duckdb_cursor(self) -> _SharedDuckDB:
        if self.duckdb_connection is None:
            raise RuntimeError("Great Expectations queried DuckDB outside a suite's check")
        return _SharedDuckDB(self.duckdb_connection)


class _Session:
    def __init__(self, ge: _GreatExpectations, source, engine: str) -> None:
        self.ge, self.source, self.engine = ge, source, engine

    def _asset(self, name: str, checked: Checked, extra_columns: dict[str, str]):
        if checked.table and not extra_columns and self.engine == "postgres":
            schema, table = checked.table.split(".")
            return self.source.add_table_asset(name=name, table_name=table, schema_name=schema)
        # GE's query assets take only a statement that starts with SELECT (not WITH)
        query = f"select * from {checked.relation}"
        if extra_columns:
            quote = "`" if self.engine == "spark" else '"'
            extra = ", ".join(
                f"{sql} as {quote}{column}{quote}" for column, sql in extra_columns.items()
            )
            query = f"select checked.*, {extra} from ({query}) as checked"
        return self.source.add_query_asset(name=name, query=query)

    def run(self, name: str, checked: Checked, extra_columns, expectations):
        gx, context = self.ge.gx, self.ge.context
        unique = f"{name}#{next(self.ge.names)}"
        asset = self._asset(unique, checked, extra_columns)
        try:
            batch = asset.add_batch_definition_whole_table("all")
            suite = context.suites.add(
                gx.ExpectationSuite(
                    name=unique,
                    expectations=[
                        getattr(gx.expectations, expectation)(**kwargs, meta={"rule": index})
                        for index, expectation, kwargs in expectations
                    ],
                )
            )
            definition = context.validation_definitions.add(
                gx.ValidationDefinition(name=unique, data=batch, suite=suite)
            )
            result = definition.run()
            context.validation_definitions.delete(unique)
            context.suites.delete(unique)
        finally:
            self.source.delete_asset(unique)
        result.suite_name = name
        return result


@contextmanager
def _session(warehouse: Warehouse, con) -> Iterator[_Session]:
    # one suite at a time per process: the DuckDB source follows the current check's
    # connection
    with _GreatExpectations._lock:
        ge = _GreatExpectations.shared()
        ge.duckdb_connection = con.raw if warehouse.target == "duckdb" else None
        source = ge.source(warehouse)
        try:
            yield _Session(ge, source, warehouse.target)
        finally:
            ge.duckdb_connection = None
            if warehouse.target == "spark":
                # A Spark session caches the files of each table it read, and dbt replaces
                # the tables between one run's checks and the next's: the next suite opens
                # sessions of its own rather than reuse pooled ones of this process.
                source.get_execution_engine().engine.dispose()


class _SharedDuckDB:
    """A DB-API connection for SQLAlchemy's duckdb dialect whose cursors are cursors of a
    warehouse connection (the same database instance, each cursor a connection of its own).
    Committing, rolling back and closing are left to the warehouse connection's owner: GE
    reads a result after handing its connection back to the pool, whose rollback would
    empty a result of duckdb-engine's own connections."""

    autocommit = None

    def __init__(self, raw) -> None:
        self._raw = raw
        self.notices: list[str] = []  # what duckdb-engine's dialect may read

    def cursor(self) -> _SharedCursor:
        return _SharedCursor(self._raw.cursor(), self)

    def begin(self) -> None:
        pass

    def commit(self) -> None:
        pass

    def rollback(self) -> None:
        pass

    def close(self) -> None:
        pass


class _SharedCursor:
    """A cursor of the warehouse connection's database: rows come as they are fetched."""

    def __init__(self, raw, connection: _SharedDuckDB) -> None:
        self._raw, self.connection = raw, connection

    def execute(self, sql: str, parameters: Any = None, context: Any = None) -> None:
        self._raw.execute(sql, parameters if parameters else None)

    def executemany(self, sql: str, parameters: Any = None, context: Any = None) -> None:
        self._raw.executemany(sql, parameters or [])

    @property
    def description(self):
        return self._raw.description

    @property
    def rowcount(self) -> int:
        return -1

    def fetchall(self) -> list[tuple]:
        return self._raw.fetchall()

    def fetchone(self):
        return self._raw.fetchone()

    def fetchmany(self, size: int | None = None) -> list[tuple]:
        return self._raw.fetchmany(size or 1)

    def close(self) -> None:
        self._raw.close()


def _escaped_for_data_docs(result):
    """A copy of GE's validation result whose data values are HTML-escaped where GE's Data
    Docs write them as markup, so that a CRM text like `<img src=x onerror=...>` is shown
    as text. The outcomes (audit.check_results, the run's messages) keep the raw values."""
    shown = copy.deepcopy(result)
    for expectation_result in shown.results:
        details = expectation_result.result or {}
        for key in DATA_DOCS_RAW_RESULT_KEYS:
            if key in details:
                details[key] = _escaped(details[key])
    return shown


def _escaped(value: Any) -> Any:
    if isinstance(value, str):
        return html.escape(value, quote=True)
    if isinstance(value, dict):
        return {key: _escaped(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_escaped(item) for item in value]
    if value is None or isinstance(value, numbers.Number):
        return value
    # dates, decimals and the like: GE shows them with str(), which may hold any text
    return html.escape(str(value), quote=True)


def _ge_arguments(rule: Rule, checked: Checked, con) -> tuple[str, dict[str, Any], dict[str, str]]:
    """The Great Expectations expectation and arguments that check `rule` on `checked`, and
    the columns (name: SQL) the checked rows need beyond their own for it.

    A foreign-key rule (ExpectColumnValuesToBeInSet with every key the rule's `references`
    query returns) goes to GE as its mirror image, ExpectColumnValuesToNotBeInSet with the
    column's values that are not keys (the orphans, found in the warehouse by one EXCEPT;
    usually none): the same rows fail, with the same counts and examples, and the rule
    keeps its name. Handing GE the key set itself cost time per key: GE copies an
    expectation's arguments about a hundred times per validation (pydantic dict()).
    A regex rule on DuckDB, where GE's SQL path has no regex: see the module docstring.
    """
    kwargs = dict(rule.kwargs)
    if rule.references is not None:
        column = kwargs["column"]
        orphans = con.execute(
            f"select {column} from {checked.relation} where {column} is not null "
            f"except select * from ({rule.references}) as keys"
        ).fetchall()
        kwargs["value_set"] = sorted((value for (value,) in orphans), key=str)
        return "ExpectColumnValuesToNotBeInSet", kwargs, {}
    if rule.expectation == "ExpectColumnValuesToMatchRegex" and con.dialect in ("duckdb", "spark"):
        column, regex = kwargs["column"], kwargs["regex"]
        unmatched = f"{column}_not_matching_regex"
        if con.dialect == "spark":
            matches = f"{column} rlike {spark_literal(regex)}"
        else:
            matches = f"regexp_matches({column}, '{regex.replace(chr(39), chr(39) * 2)}')"
        sql = f"case when not {matches} then {column} end"
        return "ExpectColumnValuesToBeNull", {"column": unmatched}, {unmatched: sql}
    return rule.expectation, kwargs, {}


def _observed(result) -> str:
    details = result.result or {}
    if "observed_value" in details:
        return f"observed {details['observed_value']}"
    if "unexpected_count" in details:
        sample = details.get("partial_unexpected_list", [])[:5]
        return f"{details['unexpected_count']} unexpected, e.g. {sample}"
    info = result.exception_info or {}
    return str(info.get("exception_message") or "")
