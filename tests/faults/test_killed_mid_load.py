"""Fault: the process is killed in the middle of a load, then the run is repeated.

Injected: `roi run` over tests/fixtures/small_drop in a subprocess that sends itself SIGKILL
inside dlt's transaction merging the staged rows into raw_crm.opportunities
(tests/faults/kill_switch.py; the shared `recovered` fixture in conftest.py): raw_ads was
loaded, some raw_crm tables were merged, the other families never started. Then the same
`roi run` is repeated to the end.

Asserted: the kill left a half-loaded warehouse (that is the fault), and the uncommitted
merge was rolled back; the rerun's raw tables hold exactly the drop's rows (no duplicates,
no loss); its marts equal the hand-computed marts of an uninterrupted run
(tests/dbt_project/test_mart_project_roi.py, tests/dbt_project/test_marts_fixture.py); the
rerun recorded the killed run as failed (audit.runs and Dagster), naming the step it did not finish.
"""

from __future__ import annotations

import signal
from collections import Counter

import duckdb

from ingestion.file_contract import FILE_SPECS, SOURCE_FILE_COLUMN, SOURCE_LINE_COLUMN
from ingestion.files.validate import read_drop

from ..dbt_project import test_mart_project_roi as project_roi
from ..dbt_project import test_marts_fixture as other_marts
from .conftest import KILLED_IN
from .kill_switch import KILLED_AT

# Whole pipeline runs behind this file: the shared `recovered` warehouse (conftest.py), which
# the other fault modules copy. tests/conftest.py starts the longest files first.
PIPELINE_RUNS = 1


def test_the_kill_left_a_half_loaded_warehouse(recovered):
    killed = recovered.killed
    # THEN the process died by SIGKILL inside the merge of raw_crm.opportunities
    assert killed["returncode"] == -signal.SIGKILL
    assert KILLED_AT + KILLED_IN in killed["stderr"]
    counts = killed["raw_counts"]
    # raw_ads was loaded whole before the kill (7 rows in ad_spend.csv)
    assert counts["raw_ads.ad_spend"] == 7
    # the merge that was running when the process died was rolled back by DuckDB
    assert counts["raw_crm.opportunities"] == 0
    # no raw_crm load was recorded as complete, and the later families never started
    assert counts["raw_crm._dlt_loads"] == 0
    assert not [table for table in counts if table.split(".")[0] in ("raw_erp", "raw_fx")]
    assert not [table for table in counts if table.startswith("raw_reference.")]
    # dlt kept the unfinished package on disk, and no run was recorded in the audit trail
    assert len(killed["pending_packages"]["files_raw_crm"]) == 1
    assert killed["audit_runs"] in (None, 0)


def test_the_rerun_holds_exactly_the_drops_rows_in_every_raw_table(recovered):
    assert recovered.rerun["success"], recovered.rerun["summary"]
    tables = read_drop(recovered.drop)
    with duckdb.connect(str(recovered.warehouse), read_only=True) as con:
        for spec in FILE_SPECS:
            columns = [*spec.column_names, SOURCE_FILE_COLUMN, SOURCE_LINE_COLUMN]
            expected = tables[spec.file_name].select(columns).to_pylist()
            landed = con.execute(
                f"select {', '.join(columns)} from {spec.dataset}.{spec.table}"
            ).fetchall()
            # as multisets: a duplicate or a missing row shows as a difference
            assert Counter(landed) == Counter(tuple(row[c] for c in columns) for row in expected), (
                spec.file_name
            )


def test_the_rerun_marts_equal_an_uninterrupted_runs_hand_computed_marts(recovered):
    # mart_project_roi: every row of the hand table of tests/dbt_project/test_mart_project_roi.py
    rows = project_roi._by_key(project_roi._read_rows(recovered.warehouse))
    assert set(rows) == set(project_roi.EXPECTED_DROP_1)
    for key, expected in project_roi.EXPECTED_DROP_1.items():
        project_roi._assert_row(rows.get(key), expected, key)
    # the customer, retention, follow-up and service marts of
    # tests/dbt_project/test_marts_fixture.py
    marts = other_marts._read_marts(recovered.warehouse)
    for mart, expected_rows in other_marts.EXPECTED["small_drop"].items():
        actual = {other_marts._key(mart, row): row for row in marts[mart]}
        assert set(actual) == set(expected_rows), mart
        for key, expected in expected_rows.items():
            wrong = {
                column: (actual[key][column], want)
                for column, want in expected.items()
                if not other_marts._matches(column, actual[key][column], want)
            }
            assert not wrong, (mart, key, wrong)


def test_the_rerun_records_the_killed_run_as_failed_naming_the_unfinished_step(recovered):
    killed_id, rerun_id = recovered.killed["run_id"], recovered.rerun["run_id"]
    assert killed_id is not None and killed_id != rerun_id
    # the killed run has a row now (it had none before the rerun), after which the rerun's
    assert [tuple(row) for row in recovered.rerun["audit_runs"]] == [
        (killed_id, "failed", "load_raw_crm (did not finish)", "manual", True),
        (rerun_id, "success", None, "manual", True),
    ]
    # and Dagster no longer shows it as started; its alert says what it did not finish
    assert recovered.rerun["dagster_status"] == {killed_id: "FAILURE", rerun_id: "SUCCESS"}
    assert recovered.rerun["killed_run_alert"] == [
        "Pipeline run failed: roi_pipeline",
        "step load_raw_crm did not finish: the process running it ended (killed?)",
    ]
