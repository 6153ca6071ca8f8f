"""The Great Expectations suites catch what they guard, with the right severity, run as SQL
in the warehouse on both engines (expectations/validate.py), a raw suite's row rules on
the rows this run's loads brought only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pytest
import sqlalchemy

from expectations.suites import SUITES, History, Rule
from expectations.validate import Checked, ExpectationOutcome, validate_in_warehouse
from orchestration.audit_store import record_loads
from orchestration.quality import checked

PAIR_AT_LEAST = "ExpectColumnPairValuesAToBeGreaterThanB"
TYPES = {"text": "varchar", "number": "double precision", "time": "timestamp", "flag": "boolean"}
RUN = "run-new"


@pytest.fixture
def warehouse(engine_warehouse):
    return engine_warehouse


def suite(table: str, name: str = "great_expectations_suite"):
    return next(s for s in SUITES if s.table == table and s.name == name)


def load(warehouse, table: str, columns: dict[str, str], rows: Sequence[Sequence]) -> None:
    """Create `table` (columns: name -> a TYPES key) in the warehouse holding `rows`."""
    schema = table.split(".")[0]
    with warehouse.connect() as con:
        con.execute(f"create schema if not exists {schema}")
        con.execute(f"drop table if exists {table}")
        con.execute(
            f"create table {table} ("
            + ", ".join(f"{name} {TYPES[kind]}" for name, kind in columns.items())
            + ")"
        )
        marks = ", ".join("?" for _ in columns)
        con.executemany(f"insert into {table} values ({marks})", [list(row) for row in rows])


def failures(
    warehouse, table: str, what: Checked, history: History, name="great_expectations_suite"
):
    with warehouse.connect() as con:
        outcome = validate_in_warehouse(
            warehouse, con, table, what, suite(table, name).rules(history)
        )
    return sorted((o.expectation, o.blocking) for o in outcome.failures)


def raw_failures(warehouse, table: str, run_id: str = RUN, previous_rows: int | None = None):
    """The failures of `table`'s raw suite in run `run_id` (rows of the run: audit.loads)."""
    chosen = suite(table)
    with warehouse.connect() as con:
        what = checked(con, chosen, run_id)
        outcome = validate_in_warehouse(
            warehouse, con, table, what, chosen.rules(History(previous_rows))
        )
    return sorted((o.expectation, o.blocking) for o in outcome.failures), outcome


def loaded(warehouse, run_id: str, table: str, load_id: str) -> None:
    dataset, name = table.split(".")
    record_loads(warehouse, run_id, "files", dataset, [load_id], {name: 1})


ORDERS = {
    "order_id": "text",
    "account_id": "text",
    "opportunity_id": "text",
    "order_date": "time",
    "updated_at": "time",
    "status": "text",
    "amount": "number",
    "cost_of_goods": "number",
    "currency": "text",
    "is_deleted": "flag",
    "_dlt_load_id": "text",
}
JAN_1, JAN_2 = dt.datetime(2026, 1, 1), dt.datetime(2026, 1, 2)


def order(order_id, account, status="confirmed", amount=10.0, currency="EUR", load="L-new"):
    return (order_id, account, None, JAN_1, JAN_2, status, amount, 5.0, currency, False, load)


def accounts(warehouse, *keys: str) -> None:
    load(warehouse, "raw_crm.accounts", {"account_id": "text"}, [(k,) for k in keys])


def test_reconciliation_break_is_a_blocking_failure(warehouse):
    # GIVEN mart revenue that differs from the staged confirmed orders by 0.01 for one grain
    columns = ("mart_revenue", "staged_revenue", "mart_cogs", "staged_cogs")
    load(
        warehouse,
        "fixture.reconciled",
        {"project_code": "text", "period_grain": "text"}
        | dict.fromkeys((*columns, "mart_ad_spend", "converted_ad_spend"), "number"),
        [
            ("P-DE", "month", 1000.00, 1000.00, 400.0, 400.0, 50.0, 50.0),
            ("P-DE", "week", 1000.01, 1000.00, 400.0, 400.0, 50.0, 50.0),
        ],
    )
    # THEN exactly the revenue reconciliation fails, and it blocks publishing
    table = "marts_candidate.mart_project_roi"
    what = Checked(query="with r as (select * from fixture.reconciled) select * from r")
    assert failures(warehouse, table, what, History(None), name="reconciliation") == [
        ("ExpectColumnPairValuesToBeEqual(mart_revenue = staged_revenue)", True)
    ]


def test_raw_orders_suite_blocks_bad_keys_and_values_and_warns_on_orphans(warehouse):
    rows = [
        order("O-1", "A-1"),
        order("O-1", "A-1"),
        order("O-3", "A-GHOST", "shipped", -1.0, "eur"),
    ]
    load(warehouse, "raw_crm.orders", ORDERS, rows)
    accounts(warehouse, "A-1")
    loaded(warehouse, RUN, "raw_crm.orders", "L-new")
    found, outcome = raw_failures(warehouse, "raw_crm.orders", previous_rows=4)
    assert found == [
        ("ExpectColumnValuesToBeBetween(amount)", True),
        ("ExpectColumnValuesToBeInSet(account_id)", False),  # orphan key: a warning
        ("ExpectColumnValuesToBeInSet(status)", True),
        ("ExpectColumnValuesToMatchRegex(currency)", True),
        ("ExpectCompoundColumnsToBeUnique(order_id, updated_at)", True),
        ("ExpectTableRowCountToBeBetween()", True),  # 3 rows after 4: rows were lost
    ]
    # AND GE's SQL results still show the unexpected values
    observed = {o.expectation: o.observed for o in outcome.failures}
    assert observed["ExpectColumnValuesToMatchRegex(currency)"] == "1 unexpected, e.g. ['eur']"
    assert observed["ExpectColumnValuesToBeInSet(status)"] == "1 unexpected, e.g. ['shipped']"
    assert (outcome.rows, outcome.new_rows) == (3, 3)


def test_a_bad_old_row_does_not_fail_a_new_run_but_a_bad_new_row_does(warehouse):
    # GIVEN an order with an unknown status loaded by an earlier run, and a good one now
    rows = [order("O-1", "A-1", status="bogus", load="L-old"), order("O-2", "A-1")]
    load(warehouse, "raw_crm.orders", ORDERS, rows)
    accounts(warehouse, "A-1")
    loaded(warehouse, "run-old", "raw_crm.orders", "L-old")
    loaded(warehouse, RUN, "raw_crm.orders", "L-new")
    # THEN this run's suite passes: its row rules see only the row it loaded
    found, outcome = raw_failures(warehouse, "raw_crm.orders")
    assert found == []
    assert (outcome.rows, outcome.new_rows) == (2, 1)
    # while the earlier run's suite fails on it
    assert raw_failures(warehouse, "raw_crm.orders", run_id="run-old")[0] == [
        ("ExpectColumnValuesToBeInSet(status)", True)
    ]
    # AND when this run's load brings a bad row, this run fails
    with warehouse.connect() as con:
        con.execute("update raw_crm.orders set currency = 'eur' where order_id = 'O-2'")
    found, _ = raw_failures(warehouse, "raw_crm.orders")
    assert found == [("ExpectColumnValuesToMatchRegex(currency)", True)]


def test_whole_table_rules_still_see_old_rows(warehouse):
    # GIVEN a new row whose key repeats an old row's, and an old row whose account is gone
    rows = [order("O-1", "A-GONE", load="L-old"), order("O-2", "A-1", load="L-old")]
    rows.append(order("O-2", "A-1"))
    load(warehouse, "raw_crm.orders", ORDERS, rows)
    accounts(warehouse, "A-1")
    loaded(warehouse, RUN, "raw_crm.orders", "L-new")
    # THEN the key's uniqueness and the orphan warning are checked on the whole table
    assert raw_failures(warehouse, "raw_crm.orders", previous_rows=3)[0] == [
        ("ExpectColumnValuesToBeInSet(account_id)", False),
        ("ExpectCompoundColumnsToBeUnique(order_id, updated_at)", True),
    ]


class Counting:
    """Counts the rows a DB-API cursor, or a warehouse connection's results, bring into
    Python; a warehouse connection's cursors (what GE queries DuckDB through) count too."""

    def __init__(self, target, fetched: list[int]):
        self._target, self._fetched = target, fetched

    def __getattr__(self, name):
        return getattr(self._target, name)

    def cursor(self):
        return Counting(self._target.cursor(), self._fetched)

    def execute(self, *args):
        result = self._target.execute(*args)
        return result if result is None or result is self._target else Counting(result, [])

    def fetchall(self):
        rows = self._target.fetchall()
        self._fetched.append(len(rows))
        return rows

    def fetchmany(self, size=1):
        rows = self._target.fetchmany(size)
        self._fetched.append(len(rows))
        return rows

    def fetchone(self):
        row = self._target.fetchone()
        self._fetched.append(int(row is not None))
        return row

    def df(self):
        raise AssertionError("a whole result read into pandas")


class CountingConnection:
    """A warehouse connection whose results and cursors count the rows they bring."""

    def __init__(self, con, fetched: list[int]):
        self._con, self._fetched = con, fetched
        self.raw, self.dialect = Counting(con.raw, fetched), con.dialect

    def execute(self, sql, params=None):
        return Counting(self._con.execute(sql, params), self._fetched)


def test_no_table_is_read_into_python(warehouse):
    # GIVEN 3,000 orders of this run, every one with a bad currency and an unknown account
    rows = [order(f"O-{i}", f"A-{i}", currency="eur") for i in range(3000)]
    load(warehouse, "raw_crm.orders", ORDERS, rows)
    accounts(warehouse, "A-1")
    loaded(warehouse, RUN, "raw_crm.orders", "L-new")
    fetched: list[int] = []

    probes: list[int] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        # psycopg2 (GE's own PostgreSQL connections): the rows sent to the client
        (probes if cursor.rowcount > 20 else fetched).append(cursor.rowcount)

    chosen = suite("raw_crm.orders")
    sqlalchemy.event.listen(sqlalchemy.engine.Engine, "after_cursor_execute", count)
    try:
        with warehouse.connect() as con:
            what = checked(con, chosen, RUN)
            outcome = validate_in_warehouse(
                warehouse,
                CountingConnection(con, fetched),
                "raw_crm.orders",
                what,
                chosen.rules(History(None)),
            )
    finally:
        sqlalchemy.event.remove(sqlalchemy.engine.Engine, "after_cursor_execute", count)
    # THEN the suite failed on every row, but what came to Python were counts and GE's 20
    # examples, and the orphans (the only per-row answer: the keys that are not keys)
    observed = {o.expectation: o.observed for o in outcome.failures}
    assert observed["ExpectColumnValuesToMatchRegex(currency)"].startswith("3000 unexpected")
    assert observed["ExpectColumnValuesToBeInSet(account_id)"].startswith("2999 unexpected")
    assert len(fetched) > 10
    assert sorted(fetched)[-2:] == [20, 2999]
    assert probes == []


@pytest.mark.parametrize(
    ("mart", "columns", "rows", "expected"),
    [
        (
            "mart_retention_cohorts",
            {"project_code": "text", "cohort_month": "time"}
            | dict.fromkeys(
                ("month_offset", "cohort_customers", "retained_customers", "retention_rate"),
                "number",
            ),
            [("P", JAN_1, 0, 2, 2, 1.0), ("P", JAN_1, 1, 2, 3, 1.5)],
            [
                (f"{PAIR_AT_LEAST}(cohort_customers >= retained_customers)", True),
                ("ExpectColumnValuesToBeBetween(retention_rate)", True),
            ],
        ),
        (
            "mart_followup_conversion",
            {"project_code": "text", "followup_bucket": "text"}
            | dict.fromkeys(("leads", "converted_leads", "conversion_rate"), "number"),
            [("P", "0", 3, 1, 1 / 3), ("P", "4", 1, 0, 0.0)],
            [("ExpectColumnValuesToBeInSet(followup_bucket)", True)],
        ),
    ],
    ids=["retention-over-100-percent", "unknown-followup-bucket"],
)
def test_mart_suites_catch_impossible_values(warehouse, mart, columns, rows, expected):
    table = f"marts_candidate.{mart}"
    load(warehouse, table, columns, rows)
    assert failures(warehouse, table, Checked(table=table), History(None)) == expected


def test_foreign_key_rule_fails_the_same_rows_as_the_plain_in_set_check(warehouse):
    # GIVEN account references with a null, a known key twice and two orphans (one twice)
    refs = ["A-1", None, "A-GHOST", "A-1", "A-X", "A-GHOST"]
    load(warehouse, "fixture.refs", {"n": "number", "account_id": "text"}, list(enumerate(refs)))
    accounts(warehouse, "A-1", "A-2", "A-3")
    what = Checked(table="fixture.refs")

    def checked_as(rule: Rule):
        with warehouse.connect() as con:
            outcome = validate_in_warehouse(warehouse, con, "fixture.refs", what, [rule])
        details = outcome.result.results[0].result
        counts = ("element_count", "missing_count", "unexpected_count", "unexpected_percent")
        return (
            outcome.outcomes,
            {name: details[name] for name in counts},
            sorted(details["partial_unexpected_list"]),
        )

    # WHEN the rule is checked as a foreign key (GE sees only the orphans, not the key set)
    foreign_key = Rule(
        "ExpectColumnValuesToBeInSet",
        {"column": "account_id"},
        blocking=False,
        references="select account_id from raw_crm.accounts",
    )
    outcomes, counts, unexpected = checked_as(foreign_key)
    # THEN it fails as a warning with the same name, counts and examples as GE's own check
    assert outcomes == [
        ExpectationOutcome(
            expectation="ExpectColumnValuesToBeInSet(account_id)",
            blocking=False,
            success=False,
            observed=outcomes[0].observed,
        )
    ]
    assert outcomes[0].observed.startswith("3 unexpected, e.g. ")
    assert counts == {
        "element_count": 6,
        "missing_count": 1,
        "unexpected_count": 3,
        "unexpected_percent": 60.0,
    }
    assert unexpected == ["A-GHOST", "A-GHOST", "A-X"]
    plain = Rule(
        "ExpectColumnValuesToBeInSet",
        {"column": "account_id", "value_set": ["A-1", "A-2", "A-3"]},
        blocking=False,
    )
    assert checked_as(plain)[1:] == (counts, unexpected)


COSTS = {
    "cost_id": "text",
    "project_code": "text",
    "cost_date": "time",
    "category": "text",
    "amount": "number",
    "currency": "text",
    "posted_at": "time",
    "_dlt_load_id": "text",
}


def test_raw_amounts_beyond_what_the_models_compute_block_the_run(warehouse):
    # GIVEN ERP costs as a live connector could land them (the file drop's validator rejects
    # these before loading): a credit at -MAX_AMOUNT, and one unit beyond it either way
    amounts = [-10_000_000_000_000.0, 10_000_000_000_001.0, -10_000_000_000_001.0]
    rows = [
        (f"E-{i}", "P-DE", JAN_1, "other", amount, "EUR", JAN_2, "L-new" if i else "L-edge")
        for i, amount in enumerate(amounts)
    ]
    load(warehouse, "raw_erp.costs", COSTS, rows)
    load(warehouse, "raw_reference.projects", {"project_code": "text"}, [("P-DE",)])
    loaded(warehouse, RUN, "raw_erp.costs", "L-new")
    loaded(warehouse, "run-edge", "raw_erp.costs", "L-edge")
    # THEN the raw suite fails on the amount, blocking the models
    assert raw_failures(warehouse, "raw_erp.costs")[0] == [
        ("ExpectColumnValuesToBeBetween(amount)", True)
    ]
    # AND the bound leaves the amounts at it alone
    assert raw_failures(warehouse, "raw_erp.costs", run_id="run-edge")[0] == []
