"""When a run's dbt build rebuilds its incremental models whole (orchestration/dbt_assets.py)."""

from __future__ import annotations

import shutil

import pytest

from foundation.settings import DBT_PROJECT_DIR
from foundation.warehouse import DuckDBWarehouse
from orchestration.dbt_assets import BUILT_FINGERPRINT_FILE, full_refresh_reason
from orchestration.dbt_project import project_fingerprint
from orchestration.resources import WarehouseResource


@pytest.fixture
def project(tmp_path):
    """A copy of the dbt project (its code only), to change."""
    copy = tmp_path / "dbt_project"
    shutil.copytree(
        DBT_PROJECT_DIR, copy, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages")
    )
    return copy


def test_the_fingerprint_follows_code_and_value_vars_not_the_warehouse(project):
    usd = {"reporting_currency": "USD", "roi_warehouse": "/a/roi.duckdb"}
    before = project_fingerprint(usd, project)
    # the same project and currency in another warehouse: the same fingerprint
    assert project_fingerprint({**usd, "roi_warehouse": "/b/roi.duckdb"}, project) == before
    # another reporting currency changes every converted amount
    assert project_fingerprint({**usd, "reporting_currency": "EUR"}, project) != before
    # so does any change of a model or a macro
    model = project / "models" / "marts" / "core" / "fct_ad_spend_daily.sql"
    model.write_text(model.read_text() + "\n-- changed\n")
    assert project_fingerprint(usd, project) != before


def test_a_build_is_a_full_refresh_when_asked_first_or_after_a_change(tmp_path):
    resource = WarehouseResource.for_warehouse(DuckDBWarehouse(tmp_path / "roi.duckdb"), "USD")
    resource.state_dir.mkdir(parents=True)
    recorded = resource.state_dir / BUILT_FINGERPRINT_FILE
    assert full_refresh_reason(resource, requested=False) == (
        "no earlier build of this warehouse is on record"
    )
    recorded.write_text(project_fingerprint(resource.dbt_vars()) + "\n")
    assert full_refresh_reason(resource, requested=False) is None
    assert full_refresh_reason(resource, requested=True) == "requested"
    eur = WarehouseResource.for_warehouse(DuckDBWarehouse(tmp_path / "roi.duckdb"), "EUR")
    assert full_refresh_reason(eur, requested=False) == (
        "the dbt project or its vars changed since the last build"
    )
