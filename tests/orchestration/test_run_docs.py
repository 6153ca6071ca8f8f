"""A run's dbt docs page is made again only when the project or the warehouse's columns changed."""

from __future__ import annotations

import dagster as dg

from foundation.warehouse import DuckDBWarehouse
from orchestration.audit_assets import run_docs
from orchestration.dbt_project import dbt_cli
from orchestration.resources import WarehouseResource

from ..conftest import copy_warehouse


def docs_of_a_run(warehouse: DuckDBWarehouse) -> tuple[bool, str, bytes]:
    """Materialise run_docs alone on `warehouse`: (regenerated?, run id, the page)."""
    resource = WarehouseResource.for_warehouse(warehouse, "USD")
    result = dg.materialize([run_docs], resources={"warehouse": resource, "dbt": dbt_cli()})
    assert result.success
    (materialization,) = result.asset_materializations_for_node("audit__run_docs")
    page = resource.run_docs_dir(result.run_id) / "dbt_docs.html"
    return materialization.metadata["regenerated"].value, result.run_id, page.read_bytes()


def test_the_page_is_reused_until_a_column_changes(small_drop_published, tmp_path):
    # GIVEN the warehouse of a published run, whose docs page was made by that run
    warehouse = DuckDBWarehouse(
        copy_warehouse(small_drop_published.warehouse, tmp_path / "w" / "roi.duckdb")
    )
    cached = (warehouse.state_dir / "docs_cache" / "dbt_docs.html").read_bytes()
    # WHEN another run makes its docs with nothing changed: the same page, no dbt
    regenerated, _, page = docs_of_a_run(warehouse)
    assert (regenerated, page) == (False, cached)
    # WHEN a source sends a new column (schema drift lands it in raw): made again
    with warehouse.connect() as con:
        con.execute("alter table raw_ads.ad_spend add column utm_source varchar")
    regenerated, _, page = docs_of_a_run(warehouse)
    assert regenerated is True
    assert b"utm_source" in page and b"utm_source" not in cached
    # AND the next run with nothing changed reuses that new page
    assert docs_of_a_run(warehouse)[0:3:2] == (False, page)
