"""dbt models and tests as Dagster assets and asset checks, joined to the dlt raw tables."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    dbt_assets,
)

from roi.progress import say

from .dbt_project import ensure_manifest, roi_dbt_project
from .resources import WarehouseResource

MANIFEST_PATH = ensure_manifest()


class RoiDbtTranslator(DagsterDbtTranslator):
    """Key every dbt node as [schema, name]: sources meet the dlt assets of the same table."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey(
                [dbt_resource_props["schema"], dbt_resource_props["identifier"]]
            )
        return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return dbt_resource_props["schema"]


translator = RoiDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


@dbt_assets(
    manifest=MANIFEST_PATH,
    project=roi_dbt_project,
    dagster_dbt_translator=translator,
    name="dbt_models",
)
def dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
):
    say("transforming with dbt build (staging, intermediate, candidate marts, dbt tests)")
    dbt_vars = {"reporting_currency": warehouse.reporting_currency}
    invocation = dbt.cli(["build", "--vars", json.dumps(dbt_vars)], context=context)
    for event in invocation.stream():
        if isinstance(event, dg.AssetCheckResult) and not event.passed:
            say(f"dbt test failed: {event.check_name} on {event.asset_key.to_user_string()}")
        yield event
    say("dbt build finished")


def mart_model_names() -> list[str]:
    """The dbt models materialised in marts_candidate, which publishing copies to marts."""
    manifest = json.loads(MANIFEST_PATH.read_text())
    return sorted(
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["schema"] == "marts_candidate"
    )
