"""A malformed drop is rejected as a whole, with file, line, key, column and value named."""

from __future__ import annotations

import datetime as dt
import decimal
import os
import subprocess

import pyarrow.parquet as pq
import pytest

from foundation.errors import DropRejected
from foundation.settings import DBT_PROJECT_DIR
from foundation.warehouse import DuckDBWarehouse
from ingestion.file_contract import FILE_SPECS, MAX_AMOUNT, MAX_FX_RATE, SPECS_BY_FILE
from ingestion.files import stage_drop, staged_file
from ingestion.files.validate import read_drop
from orchestration.dbt_project import DBT_EXECUTABLE

from ..conftest import copy_warehouse
from ..drops import header, write_drop

ORDERS = header("crm_orders.csv")


def rejected(tmp_path, **files) -> DropRejected:
    with pytest.raises(DropRejected) as caught:
        read_drop(write_drop(tmp_path / "drop", **files))
    return caught.value


def test_header_only_drop_is_valid_and_empty(tmp_path):
    tables = read_drop(write_drop(tmp_path / "drop"))
    assert len(tables) == 10
    assert all(table.num_rows == 0 for table in tables.values())


def test_missing_file_is_named(tmp_path):
    drop = write_drop(tmp_path / "drop")
    (drop / "crm_tickets.csv").unlink()
    with pytest.raises(DropRejected) as caught:
        read_drop(drop)
    assert "crm_tickets.csv: required file is missing" in str(caught.value)


def test_missing_column_is_named(tmp_path):
    error = rejected(tmp_path, fx_rates="date,base_currency,rate\n2026-01-02,EUR,1.1")
    assert "fx_rates.csv, column quote_currency: required column is missing" in str(error)


@pytest.mark.parametrize(
    ("row", "column", "value", "message"),
    [
        (
            "O-1,A-1,,2026-13-01,2026-01-02T00:00:00Z,confirmed,10,5,EUR,",
            "order_date",
            "2026-13-01",
            "is not a date YYYY-MM-DD",
        ),
        (
            "O-1,A-1,,2026-01-01,yesterday,confirmed,10,5,EUR,",
            "updated_at",
            "yesterday",
            "is not an ISO-8601 timestamp",
        ),
        (
            'O-1,A-1,,2026-01-01,2026-01-02T00:00:00Z,confirmed,"12,50",5,EUR,',
            "amount",
            "12,50",
            "is not a decimal number",
        ),
        (
            "O-1,A-1,,2026-01-01,2026-01-02T00:00:00Z,shipped,10,5,EUR,",
            "status",
            "shipped",
            "must be one of confirmed, cancelled",
        ),
        (
            "O-1,A-1,,2026-01-01,2026-01-02T00:00:00Z,confirmed,10,5,euro,",
            "currency",
            "euro",
            "is not a three-letter ISO-4217 currency code",
        ),
        (
            "O-1,A-1,,2026-01-01,2026-01-02T00:00:00Z,confirmed,-3,5,EUR,",
            "amount",
            "-3",
            "must be at least 0",
        ),
        (
            "O-1,A-1,,2026-01-01,2026-01-02T00:00:00Z,confirmed,10,5,EUR,maybe",
            "is_deleted",
            "maybe",
            "must be true or false",
        ),
        (
            ",A-1,,2026-01-01,2026-01-02T00:00:00Z,confirmed,10,5,EUR,",
            "order_id",
            "",
            "a value is required",
        ),
    ],
    ids=[
        "bad-date",
        "bad-timestamp",
        "comma-decimal",
        "unknown-status",
        "bad-currency",
        "negative-amount",
        "bad-boolean",
        "missing-key",
    ],
)
def test_bad_value_names_file_line_column_and_value(tmp_path, row, column, value, message):
    error = rejected(tmp_path, crm_orders=f"{ORDERS}\n{row}")
    text = str(error)
    assert "crm_orders.csv line 2" in text
    assert f"column {column}: {value!r}: {message}" in text
    assert len(error.problems) == 1


def test_key_twice_in_one_file_names_the_key_and_both_lines(tmp_path):
    error = rejected(
        tmp_path,
        fx_rates="date,base_currency,quote_currency,rate\n"
        "2026-01-02,EUR,USD,1.1\n2026-01-02,EUR,JPY,160\n2026-01-02,EUR,USD,1.2",
    )
    assert (
        "fx_rates.csv line 4 (date=2026-01-02, base_currency=EUR, quote_currency=USD): "
        "key appears twice in this file (first on line 2)" in str(error)
    )


def test_many_bad_rows_are_listed_up_to_a_limit_with_the_total(tmp_path):
    good = "2026-01-02,EUR,USD,1.1"
    bad = [f"2026-01-{day:02d},EUR,USD,oops" for day in range(3, 28)]  # 25 bad rows
    error = rejected(tmp_path, fx_rates="\n".join([header("fx_rates.csv"), good, *bad]))
    text = str(error)
    assert "25 problem(s); nothing was loaded" in text
    assert text.count("is not a decimal number") == 20
    assert "... and 5 more (25 in total)" in text


def test_problems_in_several_files_are_all_reported(tmp_path):
    error = rejected(
        tmp_path,
        fx_rates="date,base_currency,quote_currency,rate\n2026-01-02,EUR,USD,0",
        crm_tickets="ticket_id,account_id,opened_at,resolved_at,satisfaction\n"
        "T-1,A-1,2026-01-02T10:00:00Z,,6",
    )
    files = sorted(problem.file for problem in error.problems)
    assert files == ["crm_tickets.csv", "fx_rates.csv"]
    assert "column rate: '0': must be greater than 0" in str(error)
    assert "column satisfaction: '6': must be at most 5" in str(error)


def test_values_are_typed_and_timestamps_normalised_to_utc(tmp_path):
    drop = write_drop(
        tmp_path / "drop",
        crm_leads=header("crm_leads.csv") + ",note\n"
        "L-1,2026-04-01T02:00:00+08:00,2026-04-02 09:30:00,P-JP,google_ads,,JP,new,,,hello\n"
        "L-2,2026-04-01T00:00:00Z,2026-04-01T00:00:00Z,P-JP,organic,,JP,,,TRUE,",
        fx_rates="date,base_currency,quote_currency,rate\n2026-01-02,EUR,USD,1.0856000001",
    )
    tables = read_drop(drop)
    leads = tables["crm_leads.csv"].to_pylist()
    utc = dt.UTC
    assert leads[0]["created_at"] == dt.datetime(2026, 3, 31, 18, 0, tzinfo=utc)
    assert leads[0]["updated_at"] == dt.datetime(2026, 4, 2, 9, 30, tzinfo=utc)  # no offset: UTC
    assert leads[0]["is_deleted"] is False and leads[1]["is_deleted"] is True
    assert leads[0]["campaign_id"] is None and leads[0]["note"] == "hello"
    assert (leads[0]["_source_file"], leads[0]["_source_line"]) == ("crm_leads.csv", 2)
    rate = tables["fx_rates.csv"].to_pylist()[0]["rate"]
    assert rate == decimal.Decimal("1.085600000")  # rounded half-even to 9 places


def test_staging_writes_every_valid_file_and_nothing_of_a_rejected_drop(tmp_path):
    orders = ORDERS + "\nO-1,A-1,,2026-01-01,2026-01-02T00:00:00Z,confirmed,10,5,EUR,"
    # GIVEN a valid drop: every file is staged as Parquet (header-only files too)
    staged = tmp_path / "staged-good"
    counts = stage_drop(write_drop(tmp_path / "good", crm_orders=orders), staged)
    assert counts == {
        spec.file_name: int(spec.file_name == "crm_orders.csv") for spec in FILE_SPECS
    }
    assert sorted(p.name for p in staged.iterdir()) == sorted(
        staged_file(staged, spec).name for spec in FILE_SPECS
    )
    assert pq.read_table(staged_file(staged, SPECS_BY_FILE["crm_orders.csv"])).num_rows == 1
    # WHEN the last file of an otherwise valid drop is malformed (files before it were
    # already validated and written one by one)
    staged = tmp_path / "staged-bad"
    bad = write_drop(tmp_path / "bad", crm_orders=orders, fx_rates="date,base_currency,rate")
    with pytest.raises(DropRejected) as caught:
        stage_drop(bad, staged)
    # THEN the drop is rejected naming the problem, and no staged file is left to load
    assert "fx_rates.csv, column quote_currency: required column is missing" in str(caught.value)
    assert not staged.exists()


# --- amounts beyond what the warehouse computes (see MAX_AMOUNT in ingestion/file_contract.py)

TOO_LARGE = "must be at most 10,000,000,000,000 in absolute value, the largest the warehouse's"


def test_amounts_beyond_the_bound_are_rejected_and_the_other_problems_still_reported(tmp_path):
    error = rejected(
        tmp_path,
        crm_orders=f"{ORDERS}\n"
        f"O-1,A-1,,2026-01-01,2026-01-02T00:00:00Z,confirmed,{'1' * 31},5,EUR,\n"
        f"O-2,A-1,,2026-01-01,2026-01-02T00:00:00Z,shipped,{'2' * 25},5,EUR,\n"
        "O-3,A-1,,2026-01-01,2026-01-02T00:00:00Z,confirmed,10,10000000000000.000000001,EUR,",
        erp_costs=header("erp_costs.csv")
        + "\nE-1,P-DE,2026-01-01,other,-10000000000001,EUR,2026-01-02T00:00:00Z",
        fx_rates="date,base_currency,quote_currency,rate\n2026-01-02,EUR,USD,1000000.5",
    )
    assert [str(problem) for problem in error.problems] == [
        "crm_orders.csv line 3 (order_id=O-2), column status: 'shipped': "
        "must be one of confirmed, cancelled",
        f"crm_orders.csv line 2 (order_id=O-1), column amount: '{'1' * 31}': {TOO_LARGE} "
        "FX conversion and sums can carry",
        f"crm_orders.csv line 3 (order_id=O-2), column amount: '{'2' * 25}': {TOO_LARGE} "
        "FX conversion and sums can carry",
        # a float cannot tell this from the bound: the comparison is exact
        "crm_orders.csv line 4 (order_id=O-3), column cost_of_goods: "
        f"'10000000000000.000000001': {TOO_LARGE} FX conversion and sums can carry",
        "erp_costs.csv line 2 (cost_id=E-1), column amount: '-10000000000001': "
        f"{TOO_LARGE} FX conversion and sums can carry",
        "fx_rates.csv line 2 (date=2026-01-02, base_currency=EUR, quote_currency=USD), "
        "column rate: '1000000.5': must be at most 1,000,000 in absolute value, the largest "
        "the warehouse's FX conversion and sums can carry",
    ]


def test_amounts_and_rates_at_the_bound_pass(tmp_path):
    tables = read_drop(
        write_drop(
            tmp_path / "drop",
            crm_orders=f"{ORDERS}\nO-1,A-1,,2026-01-01,2026-01-02T00:00:00Z,confirmed,"
            "10000000000000,10000000000000.000000000,EUR,",
            erp_costs=header("erp_costs.csv")
            + "\nE-1,P-DE,2026-01-01,other,-10000000000000,EUR,2026-01-02T00:00:00Z",
            fx_rates="date,base_currency,quote_currency,rate\n2026-01-02,EUR,USD,1000000",
        )
    )
    order = tables["crm_orders.csv"].to_pylist()[0]
    assert order["amount"] == order["cost_of_goods"] == decimal.Decimal(MAX_AMOUNT)
    assert tables["erp_costs.csv"].column("amount").to_pylist() == [-decimal.Decimal(MAX_AMOUNT)]
    assert tables["fx_rates.csv"].column("rate").to_pylist() == [decimal.Decimal(MAX_FX_RATE)]


def test_numbers_raw_cannot_store_are_problems_not_crashes(tmp_path):
    # target_roi has no amount bound, only raw's DECIMAL(38, 9); impressions is a BIGINT
    error = rejected(
        tmp_path,
        projects="project_code,project_name,region,country_code,launch_date,target_roi\n"
        f"P-DE,Germany,EU,DE,,{'9' * 29}.9999999999\nP-JP,Japan,APAC,JP,,{'9' * 29}.999999999",
        ad_spend=header("ad_spend.csv")
        + "\n2026-01-02,google_ads,G-1,C-1,,P-DE,EUR,1,9223372036854775808,+5",
    )
    assert [str(problem) for problem in error.problems] == [
        f"projects.csv line 2 (project_code=P-DE), column target_roi: '{'9' * 29}.9999999999': "
        "does not fit the warehouse's DECIMAL(38, 9): at most 29 digits before the point",
        "ad_spend.csv line 2 (date=2026-01-02, platform=google_ads, account_id=G-1, "
        "campaign_id=C-1), column impressions: '9223372036854775808': "
        "must be at most 9,223,372,036,854,775,807",
    ]


def test_whole_numbers_beyond_a_doubles_precision_are_kept_exactly(tmp_path):
    # 2^53 + 1 is a valid BIGINT that no double holds: its range check must not crash
    tables = read_drop(
        write_drop(
            tmp_path / "drop",
            ad_spend=header("ad_spend.csv")
            + "\n2026-01-02,google_ads,G-1,C-1,,P-DE,EUR,1,9007199254740993,9223372036854775807",
        )
    )
    row = tables["ad_spend.csv"].to_pylist()[0]
    assert (row["impressions"], row["clicks"]) == (9007199254740993, 9223372036854775807)


# --- the header and the shape of rows


@pytest.mark.parametrize(
    ("extra_header", "extra_values", "problems"),
    [
        (
            ",spend,note",
            ",2,x",
            [
                "ad_spend.csv line 1, column spend: column appears more than once in the "
                "header (columns 8, 11): keep one"
            ],
        ),
        (
            # dlt lands both under one snake_case name: the load used to fail after validation
            ",Spend,Campaign Name",
            ",2,x",
            [
                "ad_spend.csv line 1, column Campaign Name: lands in raw as campaign_name, as "
                "column campaign_name does (columns 5, 12): rename one",
                "ad_spend.csv line 1, column Spend: lands in raw as spend, as column spend does "
                "(columns 8, 11): rename one",
            ],
        ),
        (
            ",",
            ",",
            [
                "ad_spend.csv line 1: column 11 of the header has no name (a comma at the end "
                "of the header?): name it or remove it"
            ],
        ),
        (
            ",_source_line",
            ",7",
            [
                "ad_spend.csv line 1, column _source_line: is a column the loader adds to every "
                "raw row: rename it"
            ],
        ),
    ],
    ids=["twice", "same-in-raw", "no-name", "loader-column"],
)
def test_a_header_whose_columns_cannot_each_land_in_raw_is_rejected(
    tmp_path, extra_header, extra_values, problems
):
    error = rejected(
        tmp_path,
        ad_spend=header("ad_spend.csv")
        + f"{extra_header}\n2026-01-02,google_ads,G-1,C-1,,P-DE,EUR,1,10,1{extra_values}",
    )
    assert [str(problem) for problem in error.problems] == problems


def test_a_trailing_comma_on_every_row_is_one_problem_per_row(tmp_path):
    rows = [f"O-{n},A-1,,2026-01-01,2026-01-02T00:00:00Z,confirmed,10,5,EUR,," for n in range(25)]
    error = rejected(tmp_path, crm_orders="\n".join([ORDERS, *rows]))
    text = str(error)
    assert "25 problem(s); nothing was loaded" in text
    listed = [line for line in text.splitlines() if line.startswith("  - ")]
    assert listed == [
        f"  - crm_orders.csv line {line}: row has 11 fields, the header 10 "
        "(a comma at the end of the row?)"
        for line in range(2, 22)
    ]
    assert "... and 5 more (25 in total)" in text


def test_a_short_row_is_named_by_its_line(tmp_path):
    error = rejected(
        tmp_path,
        fx_rates="date,base_currency,quote_currency,rate\n"
        "2026-01-02,EUR,USD,1.1\n2026-01-02,EUR,1.2\n2026-01-03,EUR,USD,1.3",
    )
    assert [str(problem) for problem in error.problems] == [
        "fx_rates.csv line 3: row has 3 fields, the header 4"
    ]


# --- locations: physical lines, encodings

QUOTED_AND_BLANK = (
    "date,base_currency,quote_currency,rate,note\n"
    '2026-01-02,EUR,USD,1.1,"rate of the day,\nconfirmed by finance"\n'
    "\n"
    "2026-01-03,EUR,USD,oops,\r\n"
    "2026-01-04,EUR,USD,1.3,\r\n"
    "2026-01-02,EUR,USD,1.2,"
)


def test_problems_name_the_physical_line_after_quoted_line_breaks_and_blank_lines(tmp_path):
    error = rejected(tmp_path, fx_rates=QUOTED_AND_BLANK)
    # the four rows start on lines 2, 5, 6 and 7 (line 3 continues the quoted note, line 4
    # is blank)
    assert [str(problem) for problem in error.problems] == [
        "fx_rates.csv line 5 (date=2026-01-03, base_currency=EUR, quote_currency=USD), "
        "column rate: 'oops': is not a decimal number such as 1234.56",
        "fx_rates.csv line 7 (date=2026-01-02, base_currency=EUR, quote_currency=USD): "
        "key appears twice in this file (first on line 2)",
    ]


def test_raw_source_line_is_the_physical_line(tmp_path):
    text = QUOTED_AND_BLANK.replace("oops", "1.25").replace("2026-01-02,EUR,USD,1.2,", "")
    tables = read_drop(write_drop(tmp_path / "drop", fx_rates=text))
    rates = tables["fx_rates.csv"].to_pylist()
    assert [(row["date"].isoformat(), row["_source_line"]) for row in rates] == [
        ("2026-01-02", 2),
        ("2026-01-03", 5),
        ("2026-01-04", 6),
    ]
    assert rates[0]["note"] == "rate of the day,\nconfirmed by finance"


@pytest.mark.parametrize(
    ("encoding", "industry", "line_byte", "file_byte", "first_byte"),
    # line 1 (78 characters) is bytes 1-79, line 2 bytes 80-135: line 3 starts at byte 136;
    # the industry starts at byte 55 of line 3
    [("cp1252", "Café", 58, 193, "0xE9"), ("gbk", "上海", 55, 190, "0xC9")],
)
def test_a_file_not_in_utf8_names_the_line_and_byte(
    tmp_path, encoding, industry, line_byte, file_byte, first_byte
):
    drop = write_drop(tmp_path / "drop")
    (drop / "crm_accounts.csv").write_bytes(
        f"{header('crm_accounts.csv')}\n"
        "A-1,2026-01-02T00:00:00Z,2026-01-02T00:00:00Z,P-DE,DE,,\n"
        f"A-2,2026-01-02T00:00:00Z,2026-01-02T00:00:00Z,P-DE,DE,{industry},\n".encode(encoding)
    )
    with pytest.raises(DropRejected) as caught:
        read_drop(drop)
    assert [str(problem) for problem in caught.value.problems] == [
        f"crm_accounts.csv line 3: byte {line_byte} of the line (byte {file_byte} of the file, "
        f"{first_byte}) is not valid UTF-8: save the file as UTF-8 (in Excel: CSV UTF-8), "
        "not in a local encoding such as Windows-1252 or GBK"
    ]


def test_amounts_at_the_bound_go_through_dbt(small_drop_published, tmp_path):
    """The bound's promise (ingestion/file_contract.py): 100,000 amounts at MAX_AMOUNT,
    converted at a factor of 2 through a rate at MAX_FX_RATE, through every model."""
    warehouse = DuckDBWarehouse(
        copy_warehouse(small_drop_published.warehouse, tmp_path / "w.duckdb")
    )
    # GIVEN raw rows as a validated drop could hold them: on 2026-04-06 a base AAA quotes
    # the reporting currency at MAX_FX_RATE and XTS at half of it (1 XTS = 2 USD); 100,000
    # confirmed orders of customer A-DE-1 of MAX_AMOUNT XTS each, one ad spend of MAX_AMOUNT
    # XTS, and one ERP credit of -MAX_AMOUNT XTS
    with warehouse.connect() as connection:
        for sql in (
            f"""insert into raw_fx.rates
                select rate.* replace ('2026-04-06'::date as date, 'AAA' as base_currency,
                                       quote.code as quote_currency, quote.rate as rate)
                from (select * from raw_fx.rates limit 1) rate,
                     (values ('USD', {MAX_FX_RATE}), ('XTS', {MAX_FX_RATE // 2}))
                         quote(code, rate)""",
            f"""insert into raw_crm.orders
                select orders.* replace ('O-BOUND-' || n as order_id, 'A-DE-1' as account_id,
                                  null as opportunity_id, '2026-04-06'::date as order_date,
                                  'confirmed' as status, {MAX_AMOUNT} as amount,
                                  0 as cost_of_goods, 'XTS' as currency, false as is_deleted)
                from (select * from raw_crm.orders limit 1) orders, range(100000) r(n)""",
            f"""insert into raw_ads.ad_spend
                select * replace ('2026-04-06'::date as date, 'C-BOUND' as campaign_id,
                                  'P-DE' as project_code, 'XTS' as currency,
                                  {MAX_AMOUNT} as spend)
                from (select * from raw_ads.ad_spend where project_code = 'P-DE' limit 1)""",
            f"""insert into raw_erp.costs
                select * replace ('E-BOUND' as cost_id, 'P-DE' as project_code,
                                  '2026-04-06'::date as cost_date, -{MAX_AMOUNT} as amount,
                                  'XTS' as currency)
                from (select * from raw_erp.costs limit 1)""",
        ):
            connection.execute(sql)
    # the published marts hold the same models' output without these rows
    customer = "select revenue, gross_profit from {}.mart_customer_ltv where account_id = 'A-DE-1'"
    day = (
        "select ad_spend, erp_cost, revenue from {}.fct_project_daily "
        "where project_code = 'P-DE' and metric_date = '2026-04-06'"
    )
    quarter = (
        "select revenue, total_investment, cumulative_gross_profit from {}.mart_project_roi "
        "where project_code = 'P-DE' and period_grain = 'quarter' and period_start = '2026-04-01'"
    )
    before = {sql: _one_row(warehouse, sql.format("marts")) for sql in (customer, day, quarter)}
    # WHEN dbt builds every model on them
    # (whole: rows inserted by hand carry an earlier load's _dlt_load_id, which an
    # incremental model has already taken in; a real load brings a new one)
    run = subprocess.run(
        [DBT_EXECUTABLE, "run", "--full-refresh", "--target", warehouse.dbt_target]
        + ["--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")],
        cwd=DBT_PROJECT_DIR,
        env={**os.environ, **warehouse.dbt_env()},
        capture_output=True,
        text=True,
    )
    # THEN every model builds, each order is 2 * 10^13 USD, and the sums are exact:
    # 100,000 orders are 2 * 10^18 USD of revenue and gross profit (no cost of goods)
    assert run.returncode == 0, run.stdout[-5000:]
    assert _one_row(
        warehouse,
        "select count(*), min(revenue), max(revenue) from marts_candidate.fct_orders "
        "where order_id like 'O-BOUND-%'",
    ) == (100_000, 2 * MAX_AMOUNT, 2 * MAX_AMOUNT)
    orders = 100_000 * 2 * MAX_AMOUNT
    spend, credit = 2 * MAX_AMOUNT, -2 * MAX_AMOUNT
    changes = {
        customer: (orders, orders),
        day: (spend, credit, orders),
        quarter: (orders, 0, orders),
    }
    for sql, change in changes.items():
        after = _one_row(warehouse, sql.format("marts_candidate"))
        assert tuple(a - b for a, b in zip(after, before[sql], strict=True)) == change, sql


def _one_row(warehouse: DuckDBWarehouse, sql: str) -> tuple:
    with warehouse.connect(read_only=True) as connection:
        return connection.execute(sql).fetchone()
