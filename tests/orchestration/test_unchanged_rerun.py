"""A rerun that could change nothing stops after hashing the drop (orchestration/unchanged.py).

The session's published small drop is run again, unchanged, on a copy of its warehouse: the
run must stop before loading anything, leave every mart and audit row of the first run as it
was, and be recorded as `unchanged`, naming the first run. The key and the warehouse state
are checked directly: every input that can change a mart changes the key, and every load or
erasure since the last publish makes the next run a full one.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from orchestration.audit_store import ensure_tables
from orchestration.unchanged import (
    drop_digest,
    input_key,
    record_published,
    unchanged_since,
)

from ..conftest import copy_warehouse
from ..drops import FIXTURES

SMALL_DROP = FIXTURES / "small_drop"
DATASETS = ("raw_ads", "raw_crm", "raw_erp", "raw_fx", "raw_reference")


def _published_marts(con) -> dict[str, list[tuple]]:
    names = [
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' "
            "order by 1"
        ).fetchall()
    ]
    return {name: sorted(con.execute(f"select * from marts.{name}").fetchall()) for name in names}


@pytest.fixture(scope="module")
def rerun(small_drop_published, tmp_path_factory):
    """The published small drop run again, from another folder, on a copy of its warehouse."""
    from roi.runner import run_pipeline

    workdir = tmp_path_factory.mktemp("unchanged_rerun")
    warehouse = copy_warehouse(small_drop_published.warehouse, workdir / "roi.duckdb")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        before = _published_marts(con)
    drop = shutil.copytree(SMALL_DROP, workdir / "landed" / "small_drop")
    result = run_pipeline(data_dir=drop, warehouse=warehouse, reporting_currency="USD")
    return small_drop_published, result, warehouse, before


def test_the_rerun_succeeds_naming_the_run_whose_results_stand(rerun):
    first, result, warehouse, _ = rerun
    assert result.success
    assert result.same_as_run == first.run_id
    assert result.reports == []
    assert result.summary().startswith(
        f"run {result.run_id}: nothing to do: the drop, the code and the settings are those of "
        f"run {first.run_id} and nothing was loaded or erased since"
    )


def test_the_rerun_loads_checks_and_publishes_nothing(rerun):
    first, result, warehouse, before = rerun
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert _published_marts(con) == before
        for table in ("loads", "check_results", "quarantine", "table_rows", "lineage"):
            (rows,) = con.execute(
                f"select count(*) from audit.{table} where run_id = ?", [result.run_id]
            ).fetchone()
            assert rows == 0, f"audit.{table} has {rows} row(s) of the rerun"
        published = con.execute("select run_id from audit.published_inputs").fetchall()
        assert published == [(first.run_id,)]


def test_the_rerun_is_recorded_as_unchanged(rerun):
    first, result, warehouse, _ = rerun
    with duckdb.connect(str(warehouse), read_only=True) as con:
        row = con.execute(
            "select status, failed_checks, same_as_run from audit.runs where run_id = ?",
            [result.run_id],
        ).fetchone()
        (first_status,) = con.execute(
            "select status from audit.runs where run_id = ?", [first.run_id]
        ).fetchone()
    assert row == ("unchanged", 0, first.run_id)
    assert first_status == "success"


def test_roi_audit_shows_the_unchanged_run(rerun, capsys):
    from roi.cli import main

    first, result, warehouse, _ = rerun
    assert main(["audit", "--warehouse", str(warehouse)]) == 0
    shown = capsys.readouterr().out
    assert shown.startswith(f"run {result.run_id}: UNCHANGED\n")
    assert f"  nothing could change since run {first.run_id} (same drop" in shown
    # the checks that stand are the first run's: its dbt tests, all passed
    checks = shown.split("\nchecks:\n")[1].split("\n\n")[0]
    assert "dbt_test" in checks and "0 failed" in checks


# --- the key: every input that can change a mart changes it ---------------------------------


def _drop(tmp_path: Path) -> Path:
    return shutil.copytree(SMALL_DROP, tmp_path / "drop")


def test_one_changed_byte_changes_the_drop_digest(tmp_path):
    drop = _drop(tmp_path)
    same = shutil.copytree(SMALL_DROP, tmp_path / "elsewhere")
    digest = drop_digest(drop, DATASETS)
    assert drop_digest(same, DATASETS) == digest  # where the drop lies does not matter
    orders = drop / "crm_orders.csv"
    lines = orders.read_text(encoding="utf-8").splitlines(keepends=True)
    # the same rows in another order: the same meaning, other bytes, a run in full
    orders.write_text("".join([lines[0], *reversed(lines[1:])]), encoding="utf-8")
    assert drop_digest(drop, DATASETS) != digest


def test_a_file_outside_the_contract_does_not_change_the_digest(tmp_path):
    drop = _drop(tmp_path)
    digest = drop_digest(drop, DATASETS)
    (drop / "notes.txt").write_text("not part of the drop", encoding="utf-8")
    assert drop_digest(drop, DATASETS) == digest


def test_a_missing_file_or_folder(tmp_path):
    drop = _drop(tmp_path)
    digest = drop_digest(drop, DATASETS)
    (drop / "crm_orders.csv").unlink()
    assert drop_digest(drop, DATASETS) != digest
    assert drop_digest(tmp_path / "absent", DATASETS) is None


def test_the_key_follows_currency_run_settings_and_report_settings_not_paths(tmp_path):
    scenarios = tmp_path / "scenarios.yml"
    scenarios.write_text("scenarios: []\n", encoding="utf-8")
    moved = tmp_path / "moved.yml"
    moved.write_text("scenarios: []\n", encoding="utf-8")
    base = input_key("d", {"reporting_currency": "USD"}, {"source": "files"}, environ={})
    assert input_key("d", {"reporting_currency": "USD"}, {"source": "files"}, environ={}) == base
    changed = [
        input_key("e", {"reporting_currency": "USD"}, {"source": "files"}, environ={}),
        input_key("d", {"reporting_currency": "EUR"}, {"source": "files"}, environ={}),
        input_key(
            "d", {"reporting_currency": "USD"}, {"source": "files", "roi/period": "2026-Q1"}, {}
        ),
        input_key(
            "d",
            {"reporting_currency": "USD"},
            {"source": "files"},
            environ={"ROI_REPORT_CHURN_SPIKE": "3%"},
        ),
        input_key(
            "d", {"reporting_currency": "USD"}, {"source": "files"}, {"ROI_REPORT_GRAIN": "month"}
        ),
        # the What-if section's settings and scenario file
        input_key(
            "d",
            {"reporting_currency": "USD"},
            {"source": "files"},
            {"ROI_SIMULATE_MIN_CUSTOMERS": "3"},
        ),
        input_key(
            "d",
            {"reporting_currency": "USD"},
            {"source": "files"},
            {"ROI_SCENARIOS": str(scenarios)},
        ),
    ]
    assert base not in changed and len(set(changed)) == len(changed)
    # a scenario file is compared by its bytes: the same file elsewhere is the same key, the
    # same path with other scenarios is not
    with_file = changed[-1]
    assert with_file == input_key(
        "d", {"reporting_currency": "USD"}, {"source": "files"}, {"ROI_SCENARIOS": str(moved)}
    )
    scenarios.write_text("scenarios: [{type: churn_change}]\n", encoding="utf-8")
    assert with_file != input_key(
        "d", {"reporting_currency": "USD"}, {"source": "files"}, {"ROI_SCENARIOS": str(scenarios)}
    )
    unchanged = [
        # where things are, how to reach them, how alerts travel: no mart changes
        {"ROI_REPORT_DIR": "/elsewhere"},
        {"ROI_DATA_DIR": "/drops/today"},
        {"ROI_PG_HOST": "db.internal"},
        {"ROI_ALERT_WEBHOOK_URL": "https://hooks.example/x"},
        {"ROI_DUCKDB_MEMORY_LIMIT": "4GB"},
        {"ROI_LOAD_RETRIES": "9"},
    ]
    for environ in unchanged:
        key = input_key("d", {"reporting_currency": "USD"}, {"source": "files"}, environ)
        assert key == base, environ


# --- the warehouse state: a load or an erasure since the last publish means a full run -------


@pytest.fixture
def con(tmp_path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        ensure_tables(con, ("loads", "erasures"))
        yield con


def _load(con, load_id: str) -> None:
    con.execute(
        "insert into audit.loads (run_id, source, dataset, table_name, load_id, rows_loaded, "
        "loaded_at) values ('r', 'files', 'raw_crm', 'orders', ?, 1, now())",
        [load_id],
    )


def test_nothing_published_yet(con):
    assert unchanged_since(con, "k") is None


def test_the_last_publish_with_the_same_key_and_nothing_since(con):
    record_published(con, "run-1", "k1")
    _load(con, "1700000000.1")
    record_published(con, "run-2", "k2")
    assert unchanged_since(con, "k2") == "run-2"
    # only the last publish counts: run-1's inputs were followed by other loads
    assert unchanged_since(con, "k1") is None


def test_a_load_since_the_publish_means_a_full_run(con):
    record_published(con, "run-1", "k")
    # e.g. a run that loaded its drop and then failed a check: raw holds more than run-1 saw
    _load(con, "1700000000.2")
    assert unchanged_since(con, "k") is None


def test_an_erasure_since_the_publish_means_a_full_run(con):
    record_published(con, "run-1", "k")
    con.execute(
        "insert into audit.erasures (erasure_id, requested_at, requested_by, kind, key_hash, "
        "rows_removed, rows_anonymised, tables) values ('e', now(), 'dpo', 'account', 'h', 1, 0, "
        "'x')"
    )
    assert unchanged_since(con, "k") is None


def test_a_publish_from_a_live_connector_means_a_full_run(con):
    record_published(con, "run-1", "k")
    record_published(con, "run-2", None)  # a run with a live connector records no key
    assert unchanged_since(con, "k") is None


def test_the_reports_data_quality_section_reads_the_run_that_stands(rerun):
    from foundation.warehouse import DuckDBWarehouse
    from reporting.data import load_audit

    first, _, warehouse, _ = rerun
    with DuckDBWarehouse(warehouse).connect(read_only=True) as con:
        audit = load_audit(con)
    # the latest run is the unchanged rerun; the data on display is the first run's
    assert (audit.run.run_id, audit.run.status) == (first.run_id, "success")
