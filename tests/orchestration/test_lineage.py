"""Column-level lineage of the marts (orchestration/lineage.py).

The first tests run on small hand-written manifests (fast). The last one compiles the real dbt
project with dbt's Python API against an empty DuckDB file (dbt compile needs no data, only a
profile), into a temporary target path, and checks that a number of mart_project_roi traces
back to the raw column it is computed from. That compile is most of this file's run time
(~15 s on an idle machine: dbt's parse of the project dominates).
"""

import json
import logging

import duckdb
import pytest

from foundation.settings import DBT_PROJECT_DIR
from orchestration.audit_store import write_lineage
from orchestration.lineage import LineageRow, column_lineage


def _source(schema: str, name: str, columns: list[str]) -> dict:
    return {
        "resource_type": "source",
        "database": "shop",
        "schema": schema,
        "name": name,
        "identifier": name,
        "relation_name": f'"shop"."{schema}"."{name}"',
        "columns": {c: {"name": c} for c in columns},
    }


def _model(schema: str, name: str, sql: str, depends_on: list[str], columns=()) -> dict:
    return {
        "resource_type": "model",
        "database": "shop",
        "schema": schema,
        "name": name,
        "alias": name,
        "relation_name": f'"shop"."{schema}"."{name}"',
        "config": {"materialized": "table"},
        "depends_on": {"nodes": depends_on},
        "columns": {c: {"name": c} for c in columns},
        "compiled_code": sql,
    }


ORDERS = "source.shop.raw_shop.orders"
CUSTOMERS = "source.shop.raw_shop.customers"
STG_ORDERS = "model.shop.stg_orders"

STG_ORDERS_SQL = """
with source as (
    select * from "shop"."raw_shop"."orders"
),
renamed as (
    select
        order_id,
        customer_id,
        lower(status) as order_status,
        cast(amount as decimal(18, 2)) as amount
    from source
)
select * from renamed
"""

MART_SQL = """
with orders as (
    select * from "shop"."staging"."stg_orders"
),
customers as (
    select * from "shop"."raw_shop"."customers"
),
final as (
    select
        customers.region,
        sum(case when orders.order_status = 'paid' then orders.amount else 0 end)
            as paid_amount,
        count(*) as order_count,
        'EUR' as currency
    from orders
    inner join customers
        on customers.customer_id = orders.customer_id
    where not customers.is_test
    group by customers.region
)
select * from final
"""


def _manifest(mart_sql: str = MART_SQL, mart_columns=()) -> dict:
    return {
        "metadata": {"adapter_type": "duckdb"},
        "sources": {
            ORDERS: _source(
                "raw_shop", "orders", ["order_id", "customer_id", "status", "amount", "note"]
            ),
            CUSTOMERS: _source("raw_shop", "customers", ["customer_id", "region", "is_test"]),
        },
        "nodes": {
            STG_ORDERS: _model("staging", "stg_orders", STG_ORDERS_SQL, [ORDERS]),
            "model.shop.mart_sales": _model(
                "marts_candidate",
                "mart_sales",
                mart_sql,
                [STG_ORDERS, CUSTOMERS],
                mart_columns,
            ),
            # not in marts_candidate: no rows of its own
            "model.shop.int_unused": _model(
                "intermediate", "int_unused", "select 1 as one", [], ["one"]
            ),
        },
    }


def test_small_project_resolves_every_mart_column():
    rows = column_lineage(_manifest())

    assert rows == [
        LineageRow(
            mart="marts_candidate.mart_sales",
            column="region",
            depends_on_models=(),
            source_columns=("raw_shop.customers.region",),
            transformation="customers.region",
        ),
        LineageRow(
            mart="marts_candidate.mart_sales",
            column="paid_amount",
            depends_on_models=("staging.stg_orders",),
            # the join key (customer_id) and the filter (is_test) are not reported
            source_columns=("raw_shop.orders.amount", "raw_shop.orders.status"),
            transformation="SUM(CASE WHEN orders.order_status = 'paid' "
            "THEN orders.amount ELSE 0 END)",
        ),
        LineageRow(
            mart="marts_candidate.mart_sales",
            column="order_count",
            # count(*) reads no column: the relations it counts are dependencies
            depends_on_models=("staging.stg_orders",),
            source_columns=(),
            transformation="COUNT(*)",
        ),
        LineageRow(
            mart="marts_candidate.mart_sales",
            column="currency",
            depends_on_models=(),
            source_columns=(),
            transformation="'EUR'",
        ),
    ]
    assert {row.resolved_level for row in rows} == {"column"}


def test_a_column_sqlglot_cannot_resolve_falls_back_to_table_level(caplog):
    # `note` is documented, `mystery` is in no upstream relation: only that column falls back.
    sql = """
    select
        stg_orders.order_id,
        mystery + 1 as puzzle
    from "shop"."staging"."stg_orders" as stg_orders
    inner join "shop"."raw_shop"."customers" as customers
        on customers.customer_id = stg_orders.customer_id
    """
    with caplog.at_level(logging.WARNING, logger="orchestration.lineage"):
        rows = column_lineage(_manifest(sql))

    assert rows[0] == LineageRow(
        mart="marts_candidate.mart_sales",
        column="order_id",
        depends_on_models=("staging.stg_orders",),
        source_columns=("raw_shop.orders.order_id",),
        transformation="stg_orders.order_id",
    )
    fallback = rows[1]
    assert (fallback.mart, fallback.column) == ("marts_candidate.mart_sales", "puzzle")
    assert fallback.depends_on_models == ("staging.stg_orders",)  # every upstream model
    assert fallback.source_columns == ()
    assert fallback.transformation.startswith("table-level only")
    assert "mystery" in fallback.transformation
    assert fallback.resolved_level == "table"
    assert "mart_sales.puzzle falls back to table level" in caplog.text


def test_sql_that_cannot_be_analysed_gives_table_level_rows_for_documented_columns():
    rows = column_lineage(_manifest("select from where (", mart_columns=["region", "total"]))

    assert [row.column for row in rows] == ["region", "total"]
    for row in rows:
        assert row.depends_on_models == ("staging.stg_orders",)
        assert row.source_columns == ()
        assert row.transformation.startswith("table-level only")


def test_an_undocumented_column_of_an_upstream_relation_falls_back():
    # `missing` is not a column of stg_orders (whose columns come from its SQL)
    sql = 'select order_id, missing from "shop"."staging"."stg_orders"'
    rows = column_lineage(_manifest(sql))

    assert [(row.column, row.resolved_level) for row in rows] == [
        ("order_id", "column"),
        ("missing", "table"),
    ]
    assert "has no column missing" in rows[1].transformation


def test_a_broken_upstream_model_only_affects_the_columns_that_pass_through_it():
    manifest = _manifest()
    manifest["nodes"][STG_ORDERS]["compiled_code"] = "select broken sql from ("
    rows = {row.column: row for row in column_lineage(manifest)}

    assert rows["region"].source_columns == ("raw_shop.customers.region",)
    assert rows["currency"].resolved_level == "column"
    # count(*) reads no column of stg_orders: its (row-level) lineage does not need them
    assert rows["order_count"].resolved_level == "column"
    paid = rows["paid_amount"]
    assert paid.resolved_level == "table"
    assert paid.depends_on_models == ("staging.stg_orders",)
    assert paid.source_columns == ()
    assert paid.transformation.startswith(
        "table-level only (select * over staging.stg_orders cannot be expanded"
    )


def test_ephemeral_models_are_followed_through_their_inlined_cte():
    manifest = _manifest(
        """
        with __dbt__cte__eph_orders as (
            select order_id, amount * 2 as double_amount from "shop"."staging"."stg_orders"
        )
        select double_amount from __dbt__cte__eph_orders
        """
    )
    ephemeral = _model("intermediate", "eph_orders", "", [STG_ORDERS])
    ephemeral["config"]["materialized"] = "ephemeral"
    manifest["nodes"]["model.shop.eph_orders"] = ephemeral
    manifest["nodes"]["model.shop.mart_sales"]["depends_on"]["nodes"] = ["model.shop.eph_orders"]

    assert column_lineage(manifest) == [
        LineageRow(
            mart="marts_candidate.mart_sales",
            column="double_amount",
            depends_on_models=("staging.stg_orders",),
            source_columns=("raw_shop.orders.amount",),
            transformation="stg_orders.amount * 2",
        )
    ]


def test_window_functions_and_unions_resolve_at_column_level():
    sql = """
    with unioned as (
        select customer_id, amount from "shop"."staging"."stg_orders"
        union all
        select customer_id, 0 as amount from "shop"."raw_shop"."customers"
    )
    select
        customer_id,
        sum(amount) over (partition by customer_id order by amount) as running
    from unioned
    """
    rows = column_lineage(_manifest(sql))

    assert rows[0].source_columns == (
        "raw_shop.customers.customer_id",
        "raw_shop.orders.customer_id",
    )
    assert rows[0].transformation == (
        "UNION ALL of: stg_orders.customer_id | customers.customer_id"
    )
    # sqlglot reports the window's partition and order columns with the summed one
    assert rows[1].source_columns == (
        "raw_shop.customers.customer_id",
        "raw_shop.orders.amount",
        "raw_shop.orders.customer_id",
    )
    assert rows[1].depends_on_models == ("staging.stg_orders",)


def test_write_lineage_replaces_the_rows_of_the_run():
    rows = column_lineage(_manifest())
    con = duckdb.connect()
    try:
        assert write_lineage(con, rows, "run-1") == 4
        assert write_lineage(con, rows[:1], "run-2") == 1
        assert write_lineage(con, rows[1:3], "run-1") == 2  # replaces run-1, keeps run-2

        stored = con.execute(
            """
            select run_id, mart, published_table, column_name, depends_on_models,
                   source_columns, transformation, resolved_level
            from audit.lineage order by run_id, column_name
            """
        ).fetchall()
    finally:
        con.close()

    assert stored == [
        (
            "run-1",
            "marts_candidate.mart_sales",
            "marts.mart_sales",
            "order_count",
            "staging.stg_orders",
            "",
            "COUNT(*)",
            "column",
        ),
        (
            "run-1",
            "marts_candidate.mart_sales",
            "marts.mart_sales",
            "paid_amount",
            "staging.stg_orders",
            "raw_shop.orders.amount, raw_shop.orders.status",
            "SUM(CASE WHEN orders.order_status = 'paid' THEN orders.amount ELSE 0 END)",
            "column",
        ),
        (
            "run-2",
            "marts_candidate.mart_sales",
            "marts.mart_sales",
            "region",
            "",
            "raw_shop.customers.region",
            "customers.region",
            "column",
        ),
    ]


def test_write_lineage_joins_models_in_upstream_order():
    row = LineageRow(
        "marts_candidate.mart_x", "y", ("marts_candidate.fct_x", "staging.stg_x"), (), "z"
    )
    con = duckdb.connect()
    try:
        write_lineage(con, [row], "run")
        stored = con.execute("select depends_on_models from audit.lineage").fetchone()
    finally:
        con.close()
    assert stored == ("marts_candidate.fct_x <- staging.stg_x",)


@pytest.fixture(scope="module")
def real_manifest(tmp_path_factory) -> dict:
    """The real project compiled by dbt against an empty DuckDB file (no data needed)."""
    from dbt.cli.main import dbtRunner

    tmp = tmp_path_factory.mktemp("lineage_compile")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ROI_WAREHOUSE", str(tmp / "empty.duckdb"))
        patch.setenv("ROI_DBT_TARGET", "duckdb")
        result = dbtRunner().invoke(
            [
                "compile",
                "--quiet",
                # the models' SQL is all lineage reads: tests are not compiled
                "--select",
                "resource_type:model",
                "--threads",
                "4",
                "--project-dir",
                str(DBT_PROJECT_DIR),
                "--profiles-dir",
                str(DBT_PROJECT_DIR),
                "--target-path",
                str(tmp / "target"),
                "--log-path",
                str(tmp / "logs"),
            ]
        )
    assert result.success, result.exception
    return json.loads((tmp / "target" / "manifest.json").read_text())


def test_real_project_revenue_traces_to_the_raw_order_amount(real_manifest):
    rows = column_lineage(real_manifest)
    by_key = {(row.mart, row.column): row for row in rows}

    revenue = by_key["marts_candidate.mart_project_roi", "revenue"]
    assert revenue.resolved_level == "column"
    assert "raw_crm.orders.amount" in revenue.source_columns
    assert "intermediate.int_orders_converted" in revenue.depends_on_models
    # nearest first: the daily fact is read by the mart, the converted orders by the fact
    models = revenue.depends_on_models
    assert models.index("marts_candidate.fct_project_daily") < models.index(
        "marts_candidate.fct_orders"
    )
    assert models.index("marts_candidate.fct_orders") < models.index(
        "intermediate.int_orders_converted"
    )

    # every column of every mart has a row
    for node in real_manifest["nodes"].values():
        if node["resource_type"] == "model" and node["schema"] == "marts_candidate":
            for column in node["columns"]:
                assert (f"marts_candidate.{node['alias']}", column) in by_key
