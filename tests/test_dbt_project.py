"""The dbt project's structure: rules declared once (contracts in dbt_project.yml, the period
grains and the versioned-staging frame in macros), read from the parsed manifest and the
project's files; no pipeline run."""

from __future__ import annotations

import json

import yaml

from orchestration.dbt_project import ensure_manifest
from roi.settings import DBT_PROJECT_DIR


def _models() -> dict[str, dict]:
    manifest = json.loads(ensure_manifest().read_text(encoding="utf-8"))
    return {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
    }


def test_every_mart_and_only_the_marts_have_an_enforced_contract():
    models = _models()
    marts = {name for name, node in models.items() if node["fqn"][1] == "marts"}
    enforced = {name for name, node in models.items() if node["config"]["contract"]["enforced"]}
    assert len(marts) == 21
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
