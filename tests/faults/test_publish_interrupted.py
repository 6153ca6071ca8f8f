"""Fault: a run fails between building the candidate marts and publishing them, or while
publishing: the published marts never mix two runs.

Both tests start from a copy of the shared published warehouse (conftest.py) and first make
every candidate mart differ from its published copy (all candidate rows deleted), so any mart
replaced by a failed run would show. They run the real Dagster job, limited to the steps that
matter, in this process.

1. Injected: one candidate mart in the middle of the publishing order cannot be read (it is
   replaced by a view that raises), so `publish_marts` fails after it has already replaced
   the marts before it inside its transaction. Asserted: the step fails naming that mart, and
   every published mart is still exactly the previous run's.
2. Injected: after dbt built the candidates, the lineage step fails (dbt's manifest is
   unreadable). Asserted: publishing refuses to run and every published mart is unchanged.
   (A failed blocking check between dbt and publishing is covered in tests/
   test_run_failures.py::test_unusable_rows_are_quarantined_and_marts_keep_last_good_state.)
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import pytest

from foundation.errors import root_cause
from foundation.settings import state_dir
from orchestration.dbt_assets import mart_model_names
from orchestration.publish import CANDIDATE_SCHEMA, PUBLISHED_SCHEMA

from ..conftest import schema_tables

MART_NAMES = mart_model_names()
PUBLISH_KEYS = [dg.AssetKey([PUBLISHED_SCHEMA, name]) for name in MART_NAMES]
LINEAGE_KEY = dg.AssetKey(["audit", "lineage"])


def empty_every_candidate(warehouse: Path) -> None:
    """Every candidate mart emptied (a candidate built as a view becomes an empty table)."""
    with duckdb.connect(str(warehouse)) as con:
        views = {
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = ? and table_type = 'VIEW'",
                [CANDIDATE_SCHEMA],
            ).fetchall()
        }
        for name in MART_NAMES:
            if name in views:
                con.execute(
                    f"create table {CANDIDATE_SCHEMA}.{name}__empty as "
                    f"select * from {CANDIDATE_SCHEMA}.{name} where false"
                )
                con.execute(f"drop view {CANDIDATE_SCHEMA}.{name}")
                con.execute(f"alter table {CANDIDATE_SCHEMA}.{name}__empty rename to {name}")
            else:
                con.execute(f"delete from {CANDIDATE_SCHEMA}.{name}")


def run_steps(warehouse: Path, monkeypatch, selection: list[dg.AssetKey]):
    """The pipeline job limited to `selection`, in this process, on `warehouse`."""
    from foundation.config import Settings
    from orchestration.definitions import build_definitions

    monkeypatch.setenv("ROI_WAREHOUSE", str(warehouse))
    monkeypatch.setenv("ROI_DATA_DIR", str(warehouse.parent / "no-drop"))
    monkeypatch.setenv("ROI_SOURCE", "files")
    monkeypatch.setenv("ROI_REPORTING_CURRENCY", "USD")
    defs = build_definitions(Settings.from_environment())
    with dg.DagsterInstance.ephemeral() as instance:
        result = defs.resolve_job_def("roi_pipeline").execute_in_process(
            instance=instance,
            asset_selection=selection,
            raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}},
        )
        failures = {
            event.step_key: root_cause(event.step_failure_data.error).message
            for event in result.all_events
            if event.is_step_failure
        }
        return result, failures


@pytest.fixture
def warehouse(copy_of_recovered) -> Path:
    # GIVEN published marts, and candidate marts that all differ from them
    marts = schema_tables(copy_of_recovered, PUBLISHED_SCHEMA)
    assert set(marts) == set(MART_NAMES) and all(marts.values())
    empty_every_candidate(copy_of_recovered)
    return copy_of_recovered


def test_a_failure_half_way_through_publishing_leaves_every_published_mart_as_it_was(
    warehouse, monkeypatch
):
    before = schema_tables(warehouse, PUBLISHED_SCHEMA)
    # GIVEN the candidate in the middle of the publishing order cannot be read
    broken = MART_NAMES[len(MART_NAMES) // 2]
    with duckdb.connect(str(warehouse)) as con:
        con.execute(f"drop table {CANDIDATE_SCHEMA}.{broken}")
        con.execute(
            f"create view {CANDIDATE_SCHEMA}.{broken} as "
            f"select error('injected: {CANDIDATE_SCHEMA}.{broken} cannot be read') as failure"
        )
    # WHEN the marts are published
    result, failures = run_steps(warehouse, monkeypatch, PUBLISH_KEYS)
    # THEN publishing failed on that mart, after the ones before it had been replaced
    assert not result.success
    assert list(failures) == ["publish_marts"]
    assert f"injected: {CANDIDATE_SCHEMA}.{broken} cannot be read" in failures["publish_marts"]
    assert MART_NAMES[: MART_NAMES.index(broken)], "marts are replaced before it"
    # AND every published mart still holds exactly the previous run's rows
    assert schema_tables(warehouse, PUBLISHED_SCHEMA) == before


def test_a_failed_step_after_dbt_stops_publishing(warehouse, monkeypatch):
    before = schema_tables(warehouse, PUBLISHED_SCHEMA)
    # GIVEN the lineage step, which runs after dbt and before publishing, cannot read the
    # manifest dbt wrote
    manifest = state_dir(warehouse) / "dbt_target" / "manifest.json"
    manifest.write_text("{ cut off", encoding="utf-8")
    # WHEN lineage and publishing run
    result, failures = run_steps(warehouse, monkeypatch, [LINEAGE_KEY, *PUBLISH_KEYS])
    # THEN lineage failed and publishing refused to replace anything
    assert not result.success
    assert set(failures) == {"audit__lineage", "publish_marts"}
    assert (
        failures["publish_marts"]
        .strip()
        .endswith("Failure: not publishing: step audit__lineage failed")
    )
    assert schema_tables(warehouse, PUBLISHED_SCHEMA) == before
