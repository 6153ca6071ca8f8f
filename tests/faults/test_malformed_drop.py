"""Fault: a file drop with 10% of its rows malformed, and a key twice in one file.

Injected: a generated drop (`roi generate`, scale 1: about 33,000 rows in ten files) in
which every tenth data row of every file has one bad value, a different column in each file
(a comma decimal, an impossible date, a timestamp in words, a value outside its set, a rate
of 0, a 31-digit amount, ...), one order appears twice, and the first ad spend row's campaign
name holds a quoted line break, so every later row of that file starts one line further down
than its row number. It is run against a copy of the shared published warehouse
(conftest.py).

Asserted: `roi run` rejects the drop before anything is loaded (exit code 2); the message
lists the first 20 bad rows with file, physical line, key, column and value, then how many
more and the exact total; every table of the warehouse holds what it held, and audit.runs one
more row: the run, rejected, with the exact total and the 20 rows listed.

The smaller cases live beside the validator: a key twice in one file naming the key and both
lines (tests/ingestion/test_file_validation.py::
test_key_twice_in_one_file_names_the_key_and_both_lines
and, through `roi run`, tests/roi/test_run_failures.py::
test_malformed_drop_is_rejected_and_changes_nothing), the limit on listed rows with 25 bad
rates (test_many_bad_rows_are_listed_up_to_a_limit_with_the_total), and a removed column
(test_missing_column_is_named).
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb

from foundation.errors import DropRejected
from ingestion.file_contract import SPECS_BY_FILE
from roi.cli import main
from synthetic.generator import generate_drop

from ..conftest import schema_tables

# file -> (column, bad value, the validator's message)
CORRUPTIONS = {
    "ad_spend.csv": ("spend", "12,50", "is not a decimal number such as 1234.56"),
    "crm_leads.csv": ("created_at", "yesterday", "is not an ISO-8601 timestamp"),
    "crm_accounts.csv": ("is_deleted", "maybe", "must be true or false (empty means false)"),
    "crm_opportunities.csv": ("stage", "closed_won", "must be one of prospecting"),
    "crm_orders.csv": ("currency", "euro", "is not a three-letter ISO-4217 currency code"),
    "crm_activities.csv": ("occurred_at", "2026-02-30T10:00:00Z", "is not an ISO-8601"),
    "crm_tickets.csv": ("satisfaction", "6", "must be at most 5"),
    # beyond what the models can compute (MAX_AMOUNT); it used to stop validation with a
    # decimal.InvalidOperation, hiding every other problem
    "erp_costs.csv": ("amount", "1" * 31, "must be at most 10,000,000,000,000 in absolute value"),
    "fx_rates.csv": ("rate", "0", "must be greater than 0"),
    "projects.csv": ("launch_date", "soon", "is not a date YYYY-MM-DD"),
}


# file -> the text column whose value in the first data row gets a (quoted) line break
LINE_BREAKS = {"ad_spend.csv": "campaign_name"}


def corrupt_every_tenth_row(drop: Path) -> dict[str, list[tuple[int, dict]]]:
    """Put each file's bad value into its data rows 10, 20, 30, ...; return per file the
    (line number, original row) of every row changed. Line 1 is the header; a line break in
    the first row (LINE_BREAKS) moves every later row one line down."""
    changed: dict[str, list[tuple[int, dict]]] = {}
    for file_name, (column, bad, _) in CORRUPTIONS.items():
        path = drop / file_name
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            header, rows = reader.fieldnames, list(reader)
        changed[file_name] = []
        extra_lines = 0
        if file_name in LINE_BREAKS:
            rows[0][LINE_BREAKS[file_name]] += "\n(second line)"
            extra_lines = 1
        for index, row in enumerate(rows):
            if (index + 1) % 10 == 0:
                changed[file_name].append((index + 2 + extra_lines, dict(row)))
                row[column] = bad
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, header)
            writer.writeheader()
            writer.writerows(rows)
    return changed


def key_text(file_name: str, row: dict) -> str:
    return ", ".join(f"{name}={row[name]}" for name in SPECS_BY_FILE[file_name].key)


def every_table(warehouse: Path) -> dict[str, dict[str, list[tuple]]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        schemas = con.execute(
            "select distinct table_schema from information_schema.tables order by 1"
        ).fetchall()
    return {schema: schema_tables(warehouse, schema) for (schema,) in schemas}


def test_a_drop_with_ten_percent_bad_rows_is_rejected_and_the_warehouse_is_untouched(
    copy_of_recovered, tmp_path, capsys
):
    warehouse = copy_of_recovered
    before = every_table(warehouse)
    # GIVEN a generated drop with every tenth row of every file broken in one column ...
    drop = tmp_path / "drop"
    rows_per_file = generate_drop(drop, scale=1, seed=42)
    changed = corrupt_every_tenth_row(drop)
    bad_rows = sum(len(rows) for rows in changed.values())
    assert bad_rows == sum(rows // 10 for rows in rows_per_file.values())
    assert 0.09 < bad_rows / sum(rows_per_file.values()) <= 0.1
    # ... and one order twice: the first order's row appended again at the end (one more
    # problem, "key appears twice in this file (first on line 2)", counted in the total)
    orders = (drop / "crm_orders.csv").read_text(encoding="utf-8").splitlines()
    (drop / "crm_orders.csv").write_text("\n".join([*orders, orders[1]]) + "\n")
    total = bad_rows + 1

    # WHEN it is run
    code = main(["run", "--data-dir", str(drop), "--warehouse", str(warehouse)])

    # THEN it is rejected before loading, with the exact number of problems
    assert code == 2
    error = capsys.readouterr().err
    assert f"{total} problem(s); nothing was loaded" in error
    # AND the first 20 bad rows are listed, each with file, line, key, column and value: the
    # files in the contract's order, projects.csv first (6 rows: none is a tenth), then
    # ad_spend.csv's rows 10, 20, ...
    listed = [line.removeprefix("  - ") for line in error.splitlines() if line.startswith("  - ")]
    column, bad, message = CORRUPTIONS["ad_spend.csv"]
    assert listed == [
        f"ad_spend.csv line {line} ({key_text('ad_spend.csv', row)}), column {column}: "
        f"{bad!r}: {message}"
        for line, row in changed["ad_spend.csv"][: DropRejected.SHOWN_LIMIT]
    ]
    assert f"  ... and {total - 20} more ({total} in total)" in error
    # AND every table holds what it held, but for the run's row in audit.runs: rejected, with
    # the total and the rows listed
    after = every_table(warehouse)
    runs_before = before["audit"].pop("runs")
    (rejected,) = [run for run in after["audit"].pop("runs") if run not in runs_before]
    assert after == before
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute(
            "select status, failed_steps, drop_problem_count, drop_problems from audit.runs "
            "where run_id = ?",
            [rejected[0]],
        ).fetchone() == ("rejected", "file_drop", total, "\n".join(listed))
