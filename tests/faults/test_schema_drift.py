"""Fault: a source's schema drifts: a new column appears, a required one disappears.

1. Injected: the next drop's crm_leads.csv has an extra column `note`, and NetSuite starts
   returning an extra field `memo` with every cost line. The load steps of the real Dagster
   assets run (file drop, raw_crm from files, raw_erp from NetSuite) on a copy of the shared
   published warehouse (conftest.py). Asserted: both columns are kept in raw with their
   values, and reported: a `schema change` line in the run's output, a line in the summary
   `roi run` prints (RunResult.new_columns), and a row each in audit.schema_changes. The same
   load again reports nothing: a change is reported once, when it appears.
2. Injected: NetSuite's answer lacks the `amount` field. Asserted: the load fails naming the
   source, the raw table and the field, and loads nothing (no table, no cursor).
   A file that lacks a required column is rejected before anything is loaded, naming the
   file and the column: tests/ingestion/test_file_validation.py::test_missing_column_is_named.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import dagster as dg
import dlt
import duckdb
import pytest
from dagster_dlt import DagsterDltResource
from dlt.pipeline.exceptions import PipelineStepFailed

from foundation.config import DEFAULT_LOAD_RETRIES, DEFAULT_LOAD_RETRY_DELAY_SECONDS
from foundation.warehouse import as_warehouse
from ingestion.netsuite import netsuite_source
from orchestration.ingestion_assets import build_file_load_assets, file_drop, load_retry_policy
from orchestration.resources import FileDropResource, SourceSelection, WarehouseResource
from orchestration.schema_drift import NewColumn, new_columns
from roi.runner import _result

from ..ingestion.conftest import (  # noqa: F401  (fixture: no real credentials, fast retries)
    isolated_dlt_config,
    query,
)
from ..ingestion.netsuite.fake_netsuite import ACCOUNT_ID, CREDENTIALS, FakeNetSuite
from ..ingestion.netsuite.test_source import CATEGORY_MAP

MEMOS = {"2001-1": "Q1 campaign", "2001-2": "trip to Berlin", "2002-1": None}


def with_memo(fake: FakeNetSuite) -> FakeNetSuite:
    fake.items = [{**item, "memo": MEMOS[item["cost_id"]]} for item in fake.items]
    return fake


def netsuite_settings(server) -> dict[str, object]:
    return {
        "account_id": ACCOUNT_ID,
        "base_url": server.url_for(""),
        "start_date": "2026-01-01",
        "category_map": CATEGORY_MAP,
        "timezone": "America/Los_Angeles",
        "page_size": 2,
        **CREDENTIALS,
    }


def add_note_column(drop: Path) -> None:
    """crm_leads.csv gets a last column `note`: a value on the first lead, empty elsewhere."""
    path = drop / "crm_leads.csv"
    header, *rows = path.read_text(encoding="utf-8").splitlines()
    rows = [rows[0] + ",called twice", *(row + "," for row in rows[1:])]
    path.write_text("\n".join([header + ",note", *rows]) + "\n", encoding="utf-8")


def load_steps(warehouse: Path, drop: Path):
    """file_drop, then raw_crm from the drop and raw_erp from NetSuite, in this process."""
    policy = load_retry_policy(DEFAULT_LOAD_RETRIES, DEFAULT_LOAD_RETRY_DELAY_SECONDS)
    with tempfile.TemporaryDirectory() as pipelines_dir:
        loads = {a.op.name: a for a in build_file_load_assets(policy, Path(pipelines_dir))}
    with dg.DagsterInstance.ephemeral() as instance:
        return dg.materialize(
            [file_drop, loads["load_raw_crm"], loads["load_raw_erp"]],
            instance=instance,
            resources={
                "warehouse": WarehouseResource(path=str(warehouse), reporting_currency="USD"),
                "drop": FileDropResource(data_dir=str(drop)),
                "sources": SourceSelection(choice="erp=netsuite"),
                "dlt": DagsterDltResource(),
            },
            raise_on_error=False,
        )


def test_new_columns_from_a_file_and_from_netsuite_are_kept_and_reported(
    copy_of_recovered, recovered, tmp_path, httpserver, monkeypatch, capsys
):
    warehouse = copy_of_recovered
    # GIVEN a drop whose crm_leads.csv has a new column, and NetSuite sending a new field
    drop = shutil.copytree(recovered.drop, tmp_path / "drop")
    add_note_column(drop)
    with_memo(FakeNetSuite()).install(httpserver)
    for key, value in netsuite_settings(httpserver).items():
        text = json.dumps(value) if isinstance(value, dict) else str(value)
        monkeypatch.setenv(f"SOURCES__NETSUITE__{key.upper()}", text)

    # WHEN the loads run
    outcome = load_steps(warehouse, drop)

    # THEN they succeed and the new columns are reported in the run's output ...
    result = _result(outcome, as_warehouse(warehouse))
    assert result.success, result.summary()
    err = capsys.readouterr().err
    assert (
        "schema change: raw_crm.leads has new column(s) note from files: "
        "kept in raw, not read by the models" in err
    )
    assert "schema change: raw_erp.costs has new column(s) memo from netsuite" in err
    # ... in the summary roi run prints ...
    assert result.new_columns == [
        "raw_crm.leads.note (text, from files)",
        "raw_erp.costs.memo (text, from netsuite)",
    ]
    assert (
        "  new column (kept in raw, not read by the models): raw_crm.leads.note (text, from "
        "files)" in result.summary()
    )
    # ... and in the audit trail, with the run id
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute(
            "select run_id, source, dataset, table_name, column_name, data_type, change "
            "from audit.schema_changes order by all"
        ).fetchall() == [
            (outcome.run_id, "files", "raw_crm", "leads", "note", "text", "column_added"),
            (outcome.run_id, "netsuite", "raw_erp", "costs", "memo", "text", "column_added"),
        ]
        # AND the values are kept in raw
        first_lead = (drop / "crm_leads.csv").read_text().splitlines()[1].split(",")[0]
        assert con.execute(
            "select lead_id, note from raw_crm.leads where note is not null"
        ).fetchall() == [(first_lead, "called twice")]
        assert con.execute(
            "select cost_id, memo from raw_erp.costs where _source_file = 'netsuite SuiteQL' "
            "order by cost_id"
        ).fetchall() == sorted(MEMOS.items())

    # WHEN the same loads run again THEN the columns are not new any more: nothing reported
    again = _result(load_steps(warehouse, drop), as_warehouse(warehouse))
    assert again.success and again.new_columns == []
    assert "schema change" not in capsys.readouterr().err


def netsuite_pipeline(tmp_path) -> dlt.Pipeline:
    return dlt.pipeline(
        pipeline_name="netsuite_raw_erp",
        destination=dlt.destinations.duckdb(credentials=str(tmp_path / "warehouse.duckdb")),
        dataset_name="raw_erp",
        pipelines_dir=str(tmp_path / "dlt"),
    )


def test_a_field_netsuite_starts_sending_is_new_in_that_load_only(tmp_path, httpserver):
    # GIVEN a first load without the field
    fake = FakeNetSuite().install(httpserver)
    pipeline = netsuite_pipeline(tmp_path)
    first = pipeline.run(netsuite_source(**netsuite_settings(httpserver)))
    assert new_columns(first, "raw_erp") == []
    # WHEN NetSuite starts sending `memo` (the cursor is inclusive: its newest line comes again)
    with_memo(fake)
    second = pipeline.run(netsuite_source(**netsuite_settings(httpserver)))
    third = pipeline.run(netsuite_source(**netsuite_settings(httpserver)))
    # THEN the load that first brought it reports it, the next one does not
    assert new_columns(second, "raw_erp") == [NewColumn("raw_erp", "costs", "memo", "text")]
    assert new_columns(third, "raw_erp") == []


def test_a_required_field_netsuite_stops_sending_fails_the_load_and_loads_nothing(
    tmp_path, httpserver
):
    # GIVEN NetSuite answers without the amount of each cost line
    fake = FakeNetSuite().install(httpserver)
    fake.items = [{k: v for k, v in item.items() if k != "amount"} for item in fake.items]
    pipeline = netsuite_pipeline(tmp_path)
    # WHEN it is loaded
    with pytest.raises(PipelineStepFailed) as raised:
        pipeline.run(netsuite_source(**netsuite_settings(httpserver)))
    # THEN the error names the source, the raw table and the field
    assert (
        "NetSuite SuiteQL rows for raw_erp.costs lack column(s) amount (cost_id 2001-1): "
        "the cost query (sources.netsuite query) must return cost_id, cost_date, "
        "account_number, account_name, amount, currency, posted_at" in str(raised.value)
    )
    # AND nothing was loaded: no table, no cursor
    assert query(
        tmp_path / "warehouse.duckdb",
        "select count(*) from information_schema.tables where table_schema = 'raw_erp' "
        "and table_name = 'costs'",
    ) == [(0,)]
    assert pipeline.state.get("sources", {}).get("netsuite", {}).get("resources", {}) == {}
