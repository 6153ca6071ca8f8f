"""dbt models and tests as Dagster assets and asset checks, joined to the dlt raw tables."""

import contextlib
import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    dbt_assets,
)

from foundation.progress import say

from .dbt_project import (
    ensure_manifest,
    keep_partial_parse_private,
    project_fingerprint,
    roi_dbt_project,
)
from .resources import WarehouseResource


class RoiDbtTranslator(DagsterDbtTranslator):
    """Key every dbt node as [schema, name]: sources meet the dlt assets of the same table."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["identifier"]])
        return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return dbt_resource_props["schema"]


translator = RoiDbtTranslator(
    settings=DagsterDbtTranslatorSettings(
        enable_asset_checks=True, enable_source_tests_as_checks=True
    )
)


class DbtBuildConfig(dg.Config):
    """Run config of the transform step (`roi run --full-refresh`, or the launchpad)."""

    full_refresh: bool = False


# The fingerprint of the project and vars the warehouse's incremental models were last built
# with (orchestration.dbt_project.project_fingerprint), in the warehouse's state folder.
BUILT_FINGERPRINT_FILE = "dbt_built_fingerprint"


def manifest_path() -> Path:
    """The project's manifest (orchestration.dbt_project): no dbt parse, only its path."""
    return Path(roi_dbt_project.manifest_path)


def build_dbt_models(manifest: Path) -> dg.AssetsDefinition:
    """The dbt models and tests of `manifest` (ensure_manifest()) as assets and checks."""

    @dbt_assets(
        manifest=manifest,
        project=roi_dbt_project,
        dagster_dbt_translator=translator,
        name="dbt_models",
    )
    def dbt_models(
        context: dg.AssetExecutionContext,
        config: DbtBuildConfig,
        dbt: DbtCliResource,
        warehouse: WarehouseResource,
    ):
        yield from _build(context, dbt, warehouse, full_refresh=config.full_refresh)

    return dbt_models


def full_refresh_reason(
    warehouse: WarehouseResource, requested: bool, fingerprint: str | None = None
) -> str | None:
    """Why this build must rebuild its incremental models whole, or None to build them
    incrementally: on request, on a warehouse without a record of its last build, or when
    the project's code or value-changing vars (`fingerprint`, default: the project's now)
    differ from the last build's."""
    if requested:
        return "requested"
    recorded = warehouse.state_dir / BUILT_FINGERPRINT_FILE
    if not recorded.exists():
        return "no earlier build of this warehouse is on record"
    if fingerprint is None:
        fingerprint = project_fingerprint(warehouse.dbt_vars())
    if recorded.read_text().strip() != fingerprint:
        return "the dbt project or its vars changed since the last build"
    return None


def _build(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
    full_refresh: bool = False,
):
    log_file = warehouse.state_dir / "logs" / context.run.run_id / "dbt.log"
    log_file.parent.mkdir(parents=True, exist_ok=True)
    fingerprint = project_fingerprint(warehouse.dbt_vars())
    reason = full_refresh_reason(warehouse, full_refresh, fingerprint)
    mode = f"full refresh: {reason}" if reason else "incremental models take in new rows only"
    say(f"transforming with dbt build (models and tests, {mode}; full log in {log_file})")
    # Unit tests are left to CI (`make test`, tests/dbt_project/test_dbt_unit_tests.py), as dbt Labs
    # recommends: their inputs are fixed rows, so a run over new data cannot change their
    # outcome. The data tests run here, on every run's data.
    invocation = dbt.cli(
        [
            "build",
            "--exclude-resource-type",
            "unit_test",
            *(["--full-refresh"] if reason else []),
            *warehouse.dbt_args(),
        ],
        context=context,
        target_path=warehouse.dbt_target_dir,
    )
    keep_partial_parse_private(warehouse.dbt_target_dir)
    models = tests = failed = 0
    # dagster-dbt echoes every dbt log line to stdout: keep them in the run's log file and
    # show the person one line per model instead.
    with log_file.open("w") as log, contextlib.redirect_stdout(log):
        for event in invocation.stream():
            if isinstance(event, dg.Output):
                models += 1
                key = context.asset_key_for_output(event.output_name)
                say(f"  dbt built {key.to_user_string()}")
            elif isinstance(event, dg.AssetCheckResult | dg.AssetCheckEvaluation):
                tests += 1
                if not event.passed:
                    failed += 1
                    target = event.asset_key.to_user_string()
                    say(f"  dbt test FAILED: {event.check_name} on {target}")
            yield event
    # Only a build that ended without an error vouches for every incremental model's rows: after
    # a failure the next build is a full refresh if the code changed meanwhile.
    (warehouse.state_dir / BUILT_FINGERPRINT_FILE).write_text(fingerprint + "\n")
    say(f"dbt build finished: {models} models, {tests} tests, {failed} failed")


def mart_model_names(manifest: Path | None = None) -> list[str]:
    """The dbt models materialised in marts_candidate, which publishing copies to marts:
    from `manifest`, else from the project's (parsed first if it is out of date)."""
    return list(_mart_model_names(Path(manifest) if manifest else ensure_manifest()))


@cache
def _mart_model_names(manifest: Path) -> tuple[str, ...]:
    # Read once per process: publishing, lineage and the report all key on the same set.
    nodes = json.loads(manifest.read_text())["nodes"]
    return tuple(
        sorted(
            node["name"]
            for node in nodes.values()
            if node["resource_type"] == "model" and node["schema"] == "marts_candidate"
        )
    )
