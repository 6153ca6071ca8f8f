"""A malformed drop is rejected as a whole, with file, line, key, column and value named."""

from __future__ import annotations

import datetime as dt
import decimal

import pyarrow.parquet as pq
import pytest

from ingestion.files import stage_drop, staged_file
from ingestion.files.settings import FILE_SPECS, SPECS_BY_FILE
from ingestion.files.validate import read_drop
from roi.errors import DropRejected

from .drops import header, write_drop

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
