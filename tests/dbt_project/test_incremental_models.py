"""Incremental models build exactly what a full rebuild builds, drop after drop.

Four drops go into one warehouse the way the load assets load them (tests/dbt_project/
test_postgres_parity.py: reload_drop); after each, dbt builds the models incrementally there
(`dbt build` of the seeds and models: the run's build without its tests), and a copy of the
warehouse is rebuilt whole (the same with `--full-refresh`). Every table and view of the
intermediate and candidate-mart schemas must be equal, column for column and value for
value. The drops:

1. tests/fixtures/small_drop: the first build of an empty warehouse.
2. tests/fixtures/small_drop_update: a new ad day, a new lead, a new version of an order and
   an order deleted by a new version.
3. Late news: a restated ad day (2026-03-07 DE search 200 -> 250 EUR); late FX rates for days
   that already have spend (2026-03-08: JP search on 03-08 and DE retargeting on 03-10 move
   from the 03-06 rates to them); a changed rate (2026-03-16 EUR->USD 1.25 -> 1.30, used
   from 03-16 to 03-23); a new posting of cost E-DE-1; a stale version of order O-DE-4 sent
   again (updated_at before the one loaded, so it must not win); spend and a cost of a
   project not yet known (P-BR: quarantined as an unmapped campaign, left out as a cost of
   an unknown project) and spend and a cost in CNY on a day no CNY rate covers (quarantined
   as a missing FX rate).
4. The fixes: project P-BR arrives (its spend maps, its cost counts), a CNY rate for
   2026-04-14 arrives (the 04-15 CNY amounts convert), and a stale posting of E-DE-1 (posted
   before the one loaded in drop 3) must change nothing.

The incremental build must also be incremental: after drops 3 and 4, each incremental model
rebuilds exactly the rows the drop touches (listed in REBUILT_AFTER), no other.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from foundation.settings import DBT_PROJECT_DIR
from foundation.warehouse import DuckDBWarehouse

from ..conftest import copy_warehouse
from ..drops import copy_fixture, header, write_drop
from .test_postgres_parity import differences, read_tables, reload_drop

SCHEMAS = ("intermediate", "marts_candidate")

LATE_NEWS = {
    "ad_spend": "\n".join(
        [
            header("ad_spend.csv"),
            "2026-03-07,google_ads,G-DE-1,C-DE-G1,DE search,P-DE,EUR,250.00,5000,150",
            "2026-04-10,google_ads,G-BR-1,C-BR-G1,BR search,P-BR,USD,300.00,7000,210",
            "2026-04-15,meta_ads,M-CN-1,C-CN-M1,CN awareness [P-JP],,CNY,800.00,4000,40",
        ]
    ),
    "fx_rates": "\n".join(
        [
            header("fx_rates.csv"),
            "2026-03-08,EUR,USD,1.22",
            "2026-03-08,EUR,JPY,155",
            "2026-03-16,EUR,USD,1.30",
        ]
    ),
    "erp_costs": "\n".join(
        [
            header("erp_costs.csv"),
            "E-DE-1,P-DE,2026-02-23,marketing,1100.00,EUR,2026-03-01T08:00:00Z",
            "E-BR-1,P-BR,2026-04-10,marketing,500.00,USD,2026-04-11T08:00:00Z",
            "E-CN-1,P-JP,2026-04-15,travel,800.00,CNY,2026-04-16T08:00:00Z",
        ]
    ),
    "crm_orders": "\n".join(
        [
            header("crm_orders.csv"),
            "O-DE-4,A-DE-2,OP-DE-2,2026-03-19,2026-03-20T09:00:00Z,confirmed,999.00,300.00,EUR,false",
        ]
    ),
}
FIXES = {
    "projects": "\n".join(
        [
            header("projects.csv"),
            "P-BR,Brazil market entry,LATAM,BR,2026-04-01,0.4",
        ]
    ),
    "fx_rates": "\n".join([header("fx_rates.csv"), "2026-04-14,EUR,CNY,7.9"]),
    # a stale posting of E-DE-1 (posted before the 03-01 one): it must not win
    "erp_costs": "\n".join(
        [
            header("erp_costs.csv"),
            "E-DE-1,P-DE,2026-02-23,marketing,7777.00,EUR,2026-02-25T08:00:00Z",
        ]
    ),
}


def dbt_run(warehouse: DuckDBWarehouse, *extra: str) -> dict:
    """The run's `dbt build` without its tests (seeds and models) on `warehouse`, with the
    run's own target and vars; its run_results."""
    from orchestration.resources import WarehouseResource

    resource = WarehouseResource.for_warehouse(warehouse, "USD")
    target = warehouse.state_dir / "dbt_target"
    command = [
        str(Path(sys.executable).parent / "dbt"),
        "build",
        "--resource-type",
        "seed",
        "--resource-type",
        "model",
        *resource.dbt_args(),
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(target),
        *extra,
    ]
    done = subprocess.run(command, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads((target / "run_results.json").read_text())


def rebuilt_rows(warehouse: DuckDBWarehouse, drop: Path, tmp_path: Path) -> dict[str, set[str]]:
    """The record keys of the rows each incremental model rebuilds after `drop` was loaded
    into `warehouse`: on a copy whose every row is first marked (a text column set to 'not
    rebuilt'), the rows the models' build leaves unmarked."""
    copy = DuckDBWarehouse(
        copy_warehouse(warehouse.file, tmp_path / f"marked-{drop.name}" / "roi.duckdb")
    )
    with copy.connect() as con:
        for model, column in MARKED.items():
            con.execute(f"update intermediate.{model} set {column} = 'not rebuilt'")
    dbt_run(copy, "--select", *MARKED)
    rebuilt = {}
    with copy.connect(read_only=True) as con:
        for model, column in MARKED.items():
            keys = con.execute(
                f"select record_key from intermediate.{model} where {column} <> 'not rebuilt'"
            ).fetchall()
            rebuilt[model] = {key for (key,) in keys}
    shutil.rmtree(copy.file.parent)
    return rebuilt


# The incremental models, each with a text column every build writes.
MARKED = {"int_ad_spend_converted": "campaign_name", "int_erp_costs_converted": "category"}


def ad_key(day: str, platform: str, account: str, campaign: str) -> str:
    return f"date={day}|platform={platform}|account_id={account}|campaign_id={campaign}"


def cost_key(cost_id: str) -> str:
    return f"cost_id={cost_id}"


# What an incremental build takes in after drops 3 and 4 (above), model by model.
REBUILT_AFTER = {
    "3-late-news": {
        "int_ad_spend_converted": {
            ad_key("2026-03-07", "google_ads", "G-DE-1", "C-DE-G1"),  # restated
            ad_key("2026-03-08", "google_ads", "G-JP-1", "C-JP-G1"),  # rate of 03-08 (03-08..15)
            ad_key("2026-03-10", "meta_ads", "M-DE-1", "C-DE-M1"),  # rate of 03-08
            ad_key("2026-03-16", "meta_ads", "M-JP-1", "C-JP-M1"),  # rate of 03-16 (03-16..23)
            ad_key("2026-03-19", "linkedin_ads", "L-DE-1", "C-DE-L1"),  # rate of 03-16
            ad_key("2026-04-10", "google_ads", "G-BR-1", "C-BR-G1"),  # new
            ad_key("2026-04-15", "meta_ads", "M-CN-1", "C-CN-M1"),  # new
        },
        "int_erp_costs_converted": {
            cost_key("E-DE-1"),  # a new posting (02-23: in no window of a new rate)
            cost_key("E-DE-2"),  # 03-09: rate of 03-08
            cost_key("E-JP-1"),  # 03-10: rate of 03-08
            cost_key("E-JP-2"),  # 03-16: rate of 03-16
            cost_key("E-DE-3"),  # 03-19: rate of 03-16
            cost_key("E-JP-3"),  # 03-23: rate of 03-16 (its last day)
            cost_key("E-BR-1"),  # new
            cost_key("E-CN-1"),  # new
        },
    },
    "4-fixes": {
        "int_ad_spend_converted": {
            ad_key("2026-04-10", "google_ads", "G-BR-1", "C-BR-G1"),  # unmapped until now
            ad_key("2026-04-15", "meta_ads", "M-CN-1", "C-CN-M1"),  # rate of 04-14 (04-14..21)
        },
        "int_erp_costs_converted": {
            cost_key("E-BR-1"),  # of a project unknown until now
            cost_key("E-CN-1"),  # rate of 04-14
            # not E-DE-1: its stale posting loaded now does not win
        },
    },
}


@pytest.fixture(scope="module")
def drops(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("incremental-drops")
    return [
        copy_fixture("small_drop", folder / "1-small_drop"),
        copy_fixture("small_drop_update", folder / "2-small_drop_update"),
        write_drop(folder / "3-late-news", **LATE_NEWS),
        write_drop(folder / "4-fixes", **FIXES),
    ]


def test_incremental_build_equals_full_rebuild_and_takes_in_only_what_changed(drops, tmp_path):
    warehouse = DuckDBWarehouse(tmp_path / "incremental" / "roi.duckdb")
    for number, drop in enumerate(drops, start=1):
        # GIVEN the drop loaded into the warehouse that holds the drops before it
        reload_drop(drop, warehouse, tmp_path / "staged" / drop.name)
        # (the incremental model rebuilds exactly the rows the drop touches)
        if drop.name in REBUILT_AFTER:
            assert rebuilt_rows(warehouse, drop, tmp_path) == REBUILT_AFTER[drop.name]
        # WHEN the models build incrementally there, and whole on a copy
        dbt_run(warehouse)
        rebuilt = DuckDBWarehouse(
            copy_warehouse(warehouse.file, tmp_path / f"rebuilt-{number}" / "roi.duckdb")
        )
        dbt_run(rebuilt, "--full-refresh")
        # THEN every intermediate table and candidate mart is the same
        for schema in SCHEMAS:
            incremental, full = read_tables(warehouse, schema), read_tables(rebuilt, schema)
            assert sorted(incremental) == sorted(full), (number, schema)
            for name in full:
                assert incremental[name]["columns"] == full[name]["columns"], (number, name)
                assert len(incremental[name]["rows"]) == len(full[name]["rows"]), (number, name)
                assert differences(incremental[name], full[name]) == [], (number, name)
        shutil.rmtree(rebuilt.file.parent)
