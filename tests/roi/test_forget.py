"""`roi forget`: an account or a lead erased from every table, file and later load.

Starts from the shared run of tests/fixtures/small_drop (`small_drop_published`), copied.
In that drop account A-DE-2 has the converted lead L-DE-2, the opportunity OP-DE-2 (lead
L-DE-2), the orders O-DE-3 (cancelled) and O-DE-4 (confirmed, from OP-DE-2), the activity
ACT-2 (L-DE-2, OP-DE-2) and no ticket. Lead L-JP-1 converted into A-JP-1, is named by the
opportunity OP-JP-1 and has the activity ACT-3 (with OP-JP-1).
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import hmac
import io
import re
import shutil
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from foundation.settings import state_dir
from foundation.warehouse import DuckDBWarehouse
from roi.cli import main
from roi.erasure import forget

from ..conftest import copy_warehouse
from ..drops import FIXTURES

PIPELINE_RUNS = 1

ACCOUNT_KEYS = ("A-DE-2", "L-DE-2", "OP-DE-2", "O-DE-3", "O-DE-4", "ACT-2")
# Each CRM table of the account, in raw and in dlt's staging dataset (which holds the whole
# first load): the account, its converted lead, its opportunity, its two orders, ACT-2.
RAW_ROWS_OF_A_DE_2 = {"accounts": 1, "activities": 1, "leads": 1, "opportunities": 1, "orders": 2}
# The models hold what counts: the cancelled O-DE-3 is in no model; A-DE-2 is a customer
# (first order O-DE-4 on 2026-03-19) for two months (March and April, the data's end).
MART_ROWS_OF_A_DE_2 = {
    "dim_account": 1,
    "dim_customer": 1,
    "fct_customer_monthly": 2,
    "fct_leads": 1,
    "fct_opportunities": 1,
    "fct_orders": 1,
    "mart_customer_ltv": 1,
}


@pytest.fixture
def warehouse(tmp_path, small_drop_published) -> Path:
    return copy_warehouse(small_drop_published.warehouse, tmp_path / "wh" / "roi.duckdb")


def tables_holding(warehouse: Path, key: str) -> dict[str, int]:
    """Every text column of every table and view holding `key` (anywhere in its value)."""
    found = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        columns = con.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where data_type = 'VARCHAR'"
        ).fetchall()
        for schema, table, column in columns:
            count = con.execute(
                f'select count(*) from "{schema}"."{table}" where "{column}" like ?', [f"%{key}%"]
            ).fetchone()[0]
            if count:
                found[f"{schema}.{table}.{column}"] = count
    return found


def files_naming(folder: Path, key: str) -> list[str]:
    """Files under `folder` whose content names `key`: Parquet read as tables, gzip unpacked."""
    named = []
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        if path.suffix == ".parquet":
            text = str(pq.read_table(path).to_pylist())
        else:
            content = path.read_bytes()
            if content[:2] == b"\x1f\x8b":
                content = gzip.decompress(content)
            text = content.decode("utf-8", errors="replace")
        if re.search(rf"(?<![\w-]){re.escape(key)}(?![\w-])", text):
            named.append(str(path.relative_to(folder)))
    return named


def rows(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def every_table(warehouse: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        names = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_type = 'BASE TABLE'"
        ).fetchall()
        return {
            f"{s}.{t}": sorted(map(repr, con.execute(f'select * from "{s}"."{t}"').fetchall()))
            for s, t in names
        }


def test_forgetting_an_account_removes_its_rows_everywhere_and_records_only_a_hash(warehouse):
    # GIVEN the published run, whose raw tables, models, staged drop and dlt packages all hold
    # account A-DE-2 and what belongs to it
    assert tables_holding(warehouse, "A-DE-2")
    assert files_naming(state_dir(warehouse), "OP-DE-2")

    # WHEN a privacy officer asks for its erasure
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = main(
            ["forget", "--account", "A-DE-2", "--requested-by", "dpo@example.com"]
            + ["--warehouse", str(warehouse)]
        )

    # THEN exactly its rows left each table: raw, dlt's staging, the models, both mart schemas
    assert code == 0, printed.getvalue()
    expected = {f"raw_crm.{t}": n for t, n in RAW_ROWS_OF_A_DE_2.items()}
    expected |= {f"raw_crm_staging.{t}": n for t, n in RAW_ROWS_OF_A_DE_2.items()}
    expected |= {
        "intermediate.int_accounts_channel_attributed": 1,
        "intermediate.int_activities_attributed": 1,
        "intermediate.int_opportunities_attributed": 1,
        "intermediate.int_orders_converted": 1,
    }
    for schema in ("marts", "marts_candidate"):
        expected |= {f"{schema}.{t}": n for t, n in MART_ROWS_OF_A_DE_2.items()}
    (erasure,) = rows(warehouse, "select * from audit.erasures")
    assert rows(warehouse, "select tables from audit.erasures") == [
        ('{"anonymised": {}, "removed": {' + ", ".join(
            f'"{table}": {n}' for table, n in sorted(expected.items())
        ) + "}}",)
    ]  # fmt: skip
    assert f"removed 32 row(s) from {len(expected)} table(s)" in printed.getvalue()
    # AND no table or column of the warehouse names any of its keys any more
    for key in ACCOUNT_KEYS:
        assert tables_holding(warehouse, key) == {}, key
    # AND nothing else went: the other customers' rows are all there
    assert rows(warehouse, "select order_id from raw_crm.orders order by 1") == [
        ("O-DE-1",), ("O-DE-2",), ("O-DE-5",), ("O-JP-1",), ("O-JP-2",), ("O-JP-3",)
    ]  # fmt: skip
    assert rows(warehouse, "select account_id from marts.mart_customer_ltv order by 1") == [
        ("A-DE-1",), ("A-JP-1",), ("A-JP-2",)
    ]  # fmt: skip
    # AND no file the run left beside the warehouse (staged drop, dlt's packages, run docs,
    # reports) names them
    for key in ACCOUNT_KEYS:
        assert files_naming(state_dir(warehouse), key) == [], key
        assert files_naming(warehouse.parent / "reports", key) == [], key

    # AND audit.erasures says when, by whom and what, with the key's salted hash only
    erasure_id, requested_at, requested_by, kind, digest, removed, anonymised = erasure[:7]
    (salt,) = rows(warehouse, "select salt from audit.erasure_salt")[0]
    assert (requested_by, kind, removed, anonymised) == ("dpo@example.com", "account", 32, 0)
    assert digest == hmac.new(bytes.fromhex(salt), b"account\x00A-DE-2", hashlib.sha256).hexdigest()
    assert digest != hashlib.sha256(b"A-DE-2").hexdigest()
    assert erasure[8] > 0  # files cleaned
    # AND the suppression list keeps the account, its lead and its opportunity, hashed
    assert rows(
        warehouse, "select key_kind, erasure_id from audit.erasure_suppressions order by 1"
    ) == [("account", erasure_id), ("lead", erasure_id), ("opportunity", erasure_id)]
    # AND the never-shrinks checks of the next run compare with the counts after the erasure
    assert rows(
        warehouse,
        "select table_name, row_count from audit.table_rows where run_id = "
        f"'erasure {erasure_id}' and table_name like 'raw_crm.%' order by 1",
    ) == [
        ("raw_crm.accounts", 4),
        ("raw_crm.activities", 3),
        ("raw_crm.leads", 6),
        ("raw_crm.opportunities", 8),
        ("raw_crm.orders", 6),
    ]

    # WHEN the same request comes again
    before = every_table(warehouse)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = main(["forget", "--account", "A-DE-2", "--warehouse", str(warehouse)])

    # THEN nothing changes, and it says so
    assert code == 0
    assert printed.getvalue() == (
        f"account already absent (erased by erasure {erasure_id}): nothing in the warehouse "
        "held it; nothing changed\n"
    )
    assert every_table(warehouse) == before


def test_forgetting_a_lead_keeps_its_opportunity_without_the_lead(warehouse):
    # WHEN lead L-JP-1 is erased
    result = forget(DuckDBWarehouse(warehouse), "lead", "L-JP-1", requested_by="dpo")

    # THEN the lead and its activity ACT-3 go, in raw, dlt's staging and the models
    assert result.rows_removed == {
        "intermediate.int_activities_attributed": 1,
        "marts.fct_leads": 1,
        "marts_candidate.fct_leads": 1,
        "raw_crm.activities": 1,
        "raw_crm.leads": 1,
        "raw_crm_staging.activities": 1,
        "raw_crm_staging.leads": 1,
    }
    # AND the opportunity OP-JP-1 and the account A-JP-1 it converted into stay, without it
    assert result.rows_anonymised == {
        "intermediate.int_accounts_channel_attributed.acquisition_lead_id": 1,
        "intermediate.int_opportunities_attributed.lead_id": 1,
        "marts.dim_account.acquisition_lead_id": 1,
        "marts.dim_customer.acquisition_lead_id": 1,
        "marts.fct_opportunities.lead_id": 1,
        "marts_candidate.dim_account.acquisition_lead_id": 1,
        "marts_candidate.dim_customer.acquisition_lead_id": 1,
        "marts_candidate.fct_opportunities.lead_id": 1,
        "raw_crm.opportunities.lead_id": 1,
        "raw_crm_staging.opportunities.lead_id": 1,
    }
    assert rows(
        warehouse,
        "select opportunity_id, account_id, lead_id, stage from raw_crm.opportunities "
        "where opportunity_id = 'OP-JP-1'",
    ) == [("OP-JP-1", "A-JP-1", None, "won")]
    # (its channel stays the lead's; its revenue: O-JP-1 160,000 JPY and O-JP-3 48,000 JPY at
    # 160 JPY and 1.25 USD per EUR = 1250 + 375 USD)
    assert rows(
        warehouse,
        "select account_id, c.acquisition_channel, acquisition_lead_id, revenue "
        "from marts.dim_customer as c join marts.mart_customer_ltv using (account_id) "
        "where account_id = 'A-JP-1'",
    ) == [("A-JP-1", "google_ads", None, 1625)]
    assert tables_holding(warehouse, "L-JP-1") == {}
    assert tables_holding(warehouse, "ACT-3") == {}
    assert files_naming(state_dir(warehouse), "L-JP-1") == []


def test_run_docs_naming_an_erased_key_go_and_other_files_naming_it_are_listed(warehouse):
    # GIVEN a Data Docs page of a past run that quoted lead L-JP-1 and activity ACT-3, one
    # quoting L-JP-10 (another lead), and a file of Dagster's history quoting L-JP-1
    state = state_dir(warehouse)
    docs = next((state / "docs").iterdir()) / "great_expectations"
    naming = docs / "raw_crm.leads.failed.html"
    naming.write_text("<td>unexpected, e.g. ['L-JP-1', 'ACT-3']</td>", encoding="utf-8")
    other = docs / "raw_crm.leads.other.html"
    other.write_text("<td>unexpected, e.g. ['L-JP-10']</td>", encoding="utf-8")
    history = state / "dagster" / "notes.txt"
    history.write_text("examples: raw_crm.leads L-JP-1: ...", encoding="utf-8")

    # WHEN the lead is erased
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert main(["forget", "--lead", "L-JP-1", "--warehouse", str(warehouse)]) == 0

    # THEN the page naming it is gone, the other page stays, and Dagster's file is listed
    assert not naming.exists()
    assert other.exists()
    assert history.exists()
    assert printed.getvalue().endswith(
        f"\n  warning: {history} still names the erased key: delete it by hand\n"
    )


def test_a_later_drop_sending_the_account_again_keeps_it_out_and_the_run_succeeds(
    warehouse, tmp_path
):
    # GIVEN account A-DE-2 erased
    forget(DuckDBWarehouse(warehouse), "account", "A-DE-2", requested_by="dpo")

    # WHEN the same drop, which still holds it, is loaded again
    drop = shutil.copytree(FIXTURES / "small_drop", tmp_path / "drop")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = main(["run", "--data-dir", str(drop), "--warehouse", str(warehouse)])

    # THEN the run publishes (no never-shrinks check fails on the erased rows) ...
    assert code == 0, printed.getvalue()
    # ... and nothing of the account came back, in any table or in the run's files
    for key in ACCOUNT_KEYS:
        assert tables_holding(warehouse, key) == {}, key
        assert files_naming(state_dir(warehouse), key) == [], key
        assert files_naming(warehouse.parent / "reports", key) == [], key
    # AND the aggregates are recomputed without it: P-DE in March 2026 keeps O-DE-1 alone
    # (1000 EUR at 1.25 = 1250 USD, gross profit (1000 - 400) * 1.25 = 750), one new customer
    # (A-DE-1), one lead (L-DE-3; L-DE-4 is deleted), one opportunity (OP-DE-3), one won deal
    # (OP-DE-1, closed 2026-03-03)
    assert rows(
        warehouse,
        "select revenue, gross_profit, new_customers, leads, opportunities, won_deals "
        "from marts.mart_project_roi where project_code = 'P-DE' and period_grain = 'month' "
        "and period_start = '2026-03-01'",
    ) == [(1250, 750, 1, 1, 1, 1)]


def test_an_unknown_kind_or_an_empty_key_is_refused(warehouse, capsys):
    assert main(["forget", "--account", " ", "--warehouse", str(warehouse)]) == 2
    assert "error: --account needs the account's id" in capsys.readouterr().err
    missing = warehouse.parent / "none.duckdb"
    assert main(["forget", "--lead", "L-1", "--warehouse", str(missing)]) == 2
    assert f"error: no warehouse at {missing}: nothing to erase from" in capsys.readouterr().err


def test_on_postgresql_the_same_erasure_spares_ad_accounts_and_longer_keys(pg_warehouse):
    # GIVEN a PostgreSQL warehouse holding account A-1 (two versions), its lead, opportunity,
    # order and a quarantined order; account A-10, whose keys contain "A-1" and "O-1"; and an
    # ad platform account that happens to be called A-1 too
    with pg_warehouse.connect() as con:
        for statement in (
            "create schema raw_crm",
            "create schema raw_ads",
            "create schema marts",
            "create schema audit",
            "create table raw_crm.accounts (account_id varchar, updated_at timestamptz)",
            "create table raw_crm.leads (lead_id text, converted_account_id text)",
            "create table raw_crm.opportunities "
            "(opportunity_id varchar, account_id varchar, lead_id varchar)",
            "create table raw_crm.orders (order_id varchar, account_id varchar, amount numeric)",
            "create table raw_ads.ad_spend (account_id varchar, spend numeric)",
            "create table marts.fct_orders (order_id varchar, account_id varchar)",
            "create table audit.quarantine (run_id varchar, source_table varchar, "
            "record_key varchar, reason varchar, detail varchar)",
            "create table audit.check_results (check_name varchar, observed_value varchar)",
            "insert into audit.check_results values "
            "('accounts_known', 'unexpected, e.g. [''A-1'', ''A-10'']'), ('rows', 'observed 4')",
            "insert into raw_crm.accounts values ('A-1', '2026-01-01'), ('A-1', '2026-02-01'), "
            "('A-10', '2026-01-01'), ('A-2', '2026-01-01')",
            "insert into raw_crm.leads values ('L-1', 'A-1'), ('L-10', 'A-10'), ('L-2', 'A-2')",
            "insert into raw_crm.opportunities values ('OP-1', 'A-1', 'L-1'), "
            "('OP-10', 'A-10', 'L-10'), ('OP-2', 'A-2', 'L-2')",
            "insert into raw_crm.orders values ('O-1', 'A-1', 10), ('O-10', 'A-10', 20)",
            "insert into raw_ads.ad_spend values ('A-1', 5)",
            "insert into marts.fct_orders values ('O-1', 'A-1'), ('O-10', 'A-10')",
            "insert into audit.quarantine values "
            "('r1', 'raw_crm.orders', 'order_id=O-1', 'missing_fx_rate', 'no rate'), "
            "('r1', 'raw_crm.orders', 'order_id=O-10', 'unknown_account', "
            "'account_id A-10, which is not in raw_crm.accounts')",
        ):
            con.execute(statement)

    # WHEN account A-1 and then lead L-2 are erased
    account = forget(pg_warehouse, "account", "A-1", requested_by="dpo")
    lead = forget(pg_warehouse, "lead", "L-2", requested_by="dpo")

    # THEN exactly A-1's rows went, and L-2's opportunity stays without it
    assert account.rows_removed == {
        "audit.quarantine": 1,
        "marts.fct_orders": 1,
        "raw_crm.accounts": 2,
        "raw_crm.leads": 1,
        "raw_crm.opportunities": 1,
        "raw_crm.orders": 1,
    }
    assert (lead.rows_removed, lead.rows_anonymised) == (
        {"raw_crm.leads": 1},
        {"raw_crm.opportunities.lead_id": 1},
    )
    with pg_warehouse.connect(read_only=True) as con:
        remaining = {
            table: con.execute(f"select * from {table} order by 1").fetchall()
            for table in (
                "raw_crm.accounts", "raw_crm.leads", "raw_crm.opportunities", "raw_crm.orders",
                "raw_ads.ad_spend", "marts.fct_orders",
            )
        }  # fmt: skip
        quarantined = con.execute("select record_key from audit.quarantine").fetchall()
        observed = con.execute(
            "select observed_value from audit.check_results order by check_name"
        ).fetchall()
        erasures = con.execute(
            "select kind, requested_by, rows_removed, rows_anonymised from audit.erasures "
            "order by requested_at"
        ).fetchall()
    assert [row[0] for row in remaining["raw_crm.accounts"]] == ["A-10", "A-2"]
    assert remaining["raw_crm.leads"] == [("L-10", "A-10")]
    assert remaining["raw_crm.opportunities"] == [("OP-10", "A-10", "L-10"), ("OP-2", "A-2", None)]
    assert remaining["raw_crm.orders"] == [("O-10", "A-10", 20)]
    assert remaining["raw_ads.ad_spend"] == [("A-1", 5)]
    assert remaining["marts.fct_orders"] == [("O-10", "A-10")]
    assert quarantined == [("order_id=O-10",)]
    assert observed == [("unexpected, e.g. ['[erased]', 'A-10']",), ("observed 4",)]
    assert account.rows_anonymised == {"audit.check_results.observed_value": 1}
    assert erasures == [("account", "dpo", 7, 1), ("lead", "dpo", 1, 1)]
    # AND a repeated request changes nothing
    again = forget(pg_warehouse, "account", "A-1")
    assert (again.changed, again.erasure_id) == (False, None)

    # WHEN a lead the warehouse never held is erased
    unseen = forget(pg_warehouse, "lead", "L-99", requested_by="dpo")

    # THEN no row changes, but the erasure is recorded and its key suppressed for later loads
    assert unseen.summary() == (
        f"erasure {unseen.erasure_id}: no row of the warehouse held this lead; its hashed key "
        "is on the suppression list, so no later load brings it; recorded in audit.erasures"
    )
    with pg_warehouse.connect(read_only=True) as con:
        assert con.execute(
            "select key_kind from audit.erasure_suppressions where erasure_id = ?",
            [unseen.erasure_id],
        ).fetchall() == [("lead",)]
