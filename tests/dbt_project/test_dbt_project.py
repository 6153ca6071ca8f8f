"""The dbt project's structure: rules declared once (contracts in dbt_project.yml, the period
grains and the versioned-staging frame in macros), read from the parsed manifest and the
project's files; one dbt run on a copy of the shared published warehouse."""

from __future__ import annotations

import json
import os
import re
import subprocess

import duckdb
import yaml

from expectations.suites import SUITES, History
from foundation.settings import DBT_PROJECT_DIR
from foundation.warehouse import DuckDBWarehouse
from orchestration.dbt_project import DBT_EXECUTABLE, ensure_manifest

from ..conftest import copy_warehouse


def _manifest() -> dict:
    return json.loads(ensure_manifest().read_text(encoding="utf-8"))


def _models(manifest: dict | None = None) -> dict[str, dict]:
    manifest = manifest or _manifest()
    return {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
    }


def test_every_mart_and_only_the_marts_have_an_enforced_contract():
    models = _models()
    marts = {name for name, node in models.items() if node["fqn"][1] == "marts"}
    enforced = {name for name, node in models.items() if node["config"]["contract"]["enforced"]}
    assert len(marts) == 25
    assert enforced == marts


def test_contracts_are_switched_on_once_in_dbt_project_yml():
    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    assert project["models"]["roi_warehouse"]["marts"]["+contract"] == {"enforced": True}
    per_model = [
        f"{path.relative_to(DBT_PROJECT_DIR)}: {model['name']}"
        for path in sorted((DBT_PROJECT_DIR / "models").rglob("*.yml"))
        for model in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("models", [])
        if "contract" in (model.get("config") or {})
    ]
    assert per_model == []


def _macros_called(node: dict) -> set[str]:
    return {uid.rsplit(".", 1)[1] for uid in node["depends_on"]["macros"]}


def test_the_grain_list_is_declared_once_in_the_period_grains_macro():
    models = _models()
    bucketed = {name for name, node in models.items() if "in_every_grain" in _macros_called(node)}
    assert bucketed == {
        "int_project_periods_spined",
        "mart_ad_performance",
        "mart_funnel",
        "mart_lead_response",
        "mart_project_roi",
        "mart_sales_rep_performance",
        "mart_service",
    }
    # no model or singular test spells the list out again
    spelled_out = [
        str(path.relative_to(DBT_PROJECT_DIR))
        for folder in ("models", "tests")
        for path in sorted((DBT_PROJECT_DIR / folder).rglob("*.sql"))
        if "'week', 'month', 'quarter'" in path.read_text(encoding="utf-8")
    ]
    assert spelled_out == []


def test_the_dbt_grains_are_the_python_grains():
    """The models bucket periods by the `period_grains` macro, the jobs, schedules and report
    by foundation.periods.GRAINS: the same grains, in the same order, of the same length."""
    from foundation.periods import GRAINS

    macro = (DBT_PROJECT_DIR / "macros" / "periods.sql").read_text(encoding="utf-8")
    body = macro.split("{% macro period_grains() -%}", 1)[1].split("{%- endmacro %}", 1)[0]
    declared = re.findall(r"'(\w+)': \{'unit': '(day|month)', 'count': (\d+)\}", body)
    python = [
        (grain.name, "day" if grain.months is None else "month", str(grain.months or 7))
        for grain in GRAINS.values()
    ]
    assert declared == python


def test_the_versioned_crm_staging_models_share_one_frame():
    models = _models()
    framed = {
        name for name, node in models.items() if "crm_current_versions" in _macros_called(node)
    }
    assert framed == {
        "stg_crm__leads",
        "stg_crm__accounts",
        "stg_crm__opportunities",
        "stg_crm__orders",
    }


def _not_null_constrained(node: dict) -> set[str]:
    return {
        name
        for name, column in node["columns"].items()
        if any(constraint["type"] == "not_null" for constraint in column["constraints"])
    }


def test_a_mart_keys_not_null_is_only_its_contract_constraint():
    manifest = _manifest()
    marts = {name: node for name, node in _models(manifest).items() if node["fqn"][1] == "marts"}
    constrained = {
        (mart, column) for mart, node in marts.items() for column in _not_null_constrained(node)
    }
    assert ("mart_project_roi", "project_code") in constrained
    assert len(constrained) == 37
    # no dbt not_null test repeats a constraint
    tested = {
        (node["attached_node"].rsplit(".", 1)[1], node["column_name"])
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test"
        and (node.get("test_metadata") or {}).get("name") == "not_null"
        and node.get("attached_node")
    }
    assert tested & constrained == set()
    # nor does a Great Expectations rule of a candidate mart
    history = History(previous_rows=None)
    ge_not_null = {
        (suite.table.rsplit(".", 1)[1], rule.kwargs["column"])
        for suite in SUITES
        if suite.table.startswith("marts_candidate.")
        for rule in suite.rules(history)
        if rule.expectation == "ExpectColumnValuesToNotBeNull"
    }
    assert ge_not_null
    assert ge_not_null & constrained == set()


def test_a_null_mart_key_fails_the_build_naming_the_column(small_drop_published, tmp_path):
    # GIVEN a built warehouse where one lead lost its project_code (a copy: dbt writes it);
    # mart_funnel counts leads per project_code, so its key would be NULL
    path = copy_warehouse(small_drop_published.warehouse, tmp_path / "roi.duckdb")
    with duckdb.connect(str(path)) as connection:
        lead = connection.execute("select min(lead_id) from marts_candidate.fct_leads").fetchone()
        connection.execute(
            "update marts_candidate.fct_leads set project_code = null where lead_id = ?", lead
        )
    # WHEN dbt rebuilds mart_funnel from it
    warehouse = DuckDBWarehouse(path)
    run = subprocess.run(
        [DBT_EXECUTABLE, "run", "--select", "mart_funnel", "--target", warehouse.dbt_target]
        + ["--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")],
        cwd=DBT_PROJECT_DIR,
        env={**os.environ, **warehouse.dbt_env()},
        capture_output=True,
        text=True,
    )
    # THEN the contract's not_null constraint fails the build, naming the mart and the column
    assert run.returncode == 1, run.stdout[-3000:]
    assert "NOT NULL constraint failed: mart_funnel" in run.stdout, run.stdout[-3000:]
    assert ".project_code" in run.stdout
