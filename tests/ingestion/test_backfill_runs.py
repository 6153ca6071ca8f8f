"""`roi backfill` of three months gives the same marts as one full run, and duplicates nothing.

Every family comes from its live connector (the local provider servers of the connector
tests; the data lies in February and March 2026). One warehouse gets a single incremental
run; another gets the monthly reviews of January, February and March 2026 one after another,
each re-extracting its month. The runs are recorded in a Dagster instance kept in
PostgreSQL (127.0.0.1:5432), as a production deployment would keep them.
"""

from __future__ import annotations

import duckdb
import psycopg2
import pytest

from ..conftest import PG_SERVER, schema_tables
from ..drops import write_drop
from .ad_platforms.google_ads.fake_google_ads import FakeGoogleAds
from .ad_platforms.linkedin_ads.fake_linkedin_ads import FakeLinkedInAds
from .ad_platforms.meta_ads.fake_meta_ads import FakeMetaAds
from .test_end_to_end import deployment  # noqa: F401  (the CRM / ERP / FX servers)
from .test_roi_run_live_sources import PROJECTS

# Whole pipeline runs in this file: tests/conftest.py starts the longest files first.
PIPELINE_RUNS = 4

RAW_TABLES = (
    "raw_ads.ad_spend",
    "raw_crm.accounts",
    "raw_crm.leads",
    "raw_crm.opportunities",
    "raw_crm.orders",
    "raw_crm.activities",
    "raw_crm.tickets",
    "raw_erp.costs",
)


@pytest.mark.usefixtures("deployment")
def test_backfill_of_three_months_equals_one_full_run(
    httpserver, monkeypatch, tmp_path, pg_database
):
    from roi.runner import backfill, run_pipeline

    FakeGoogleAds(httpserver).install().configure(monkeypatch, customer_ids="123-456-7890")
    FakeMetaAds(httpserver).install().configure(monkeypatch, account_ids="act_101")
    # one-day report slices, so that both runs ask LinkedIn for the same recorded slices
    FakeLinkedInAds(httpserver).install().configure(
        monkeypatch, account_ids="urn:li:sponsoredAccount:502", slice_days=1
    )
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    drop = write_drop(tmp_path / "drop", projects=PROJECTS)

    # GIVEN one full run from the live connectors
    full = run_pipeline(data_dir=drop, warehouse=tmp_path / "full.duckdb", source="api")
    assert full.success, full.summary()

    # WHEN another warehouse is filled by the monthly reviews of 2026-01 to 2026-03
    runs = backfill(
        "month", "2026-01", "2026-03", drop, warehouse=tmp_path / "backfill.duckdb", source="api"
    )

    # THEN every month ran and succeeded, in order
    assert [(period.label, result.success) for period, result in runs] == [
        ("2026-01", True),
        ("2026-02", True),
        ("2026-03", True),
    ]
    # AND the raw tables and every published mart hold exactly what the full run produced
    backfilled = tmp_path / "backfill.duckdb"
    full_marts = schema_tables(tmp_path / "full.duckdb", "marts")
    assert len(full_marts) >= 8 and all(full_marts.values())
    assert schema_tables(backfilled, "marts") == full_marts
    for table in RAW_TABLES:
        schema, name = table.split(".")
        full = schema_tables(tmp_path / "full.duckdb", schema)
        assert schema_tables(backfilled, schema)[name] == full[name]
    # AND audit.runs names each month, as a backfill
    with duckdb.connect(str(backfilled), read_only=True) as con:
        audit = con.execute(
            "select job_name, trigger, period, period_start, period_end, status "
            "from audit.runs order by period_start"
        ).fetchall()
    assert [(job, trigger, period, str(start), str(end), status) for job, trigger, period,
            start, end, status in audit] == [
        ("roi_monthly", "backfill", "2026-01", "2026-01-01", "2026-01-31", "success"),
        ("roi_monthly", "backfill", "2026-02", "2026-02-01", "2026-02-28", "success"),
        ("roi_monthly", "backfill", "2026-03", "2026-03-01", "2026-03-31", "success"),
    ]  # fmt: skip
    # AND the Dagster instance in PostgreSQL holds all four runs, the backfill's as the
    # monthly job's partitions
    with psycopg2.connect(f"{PG_SERVER}/{pg_database}") as con, con.cursor() as cursor:
        cursor.execute(
            "select pipeline_name, partition, status from runs order by partition nulls first"
        )
        assert cursor.fetchall() == [
            ("roi_pipeline", None, "SUCCESS"),
            ("roi_monthly", "2026-01-01", "SUCCESS"),
            ("roi_monthly", "2026-02-01", "SUCCESS"),
            ("roi_monthly", "2026-03-01", "SUCCESS"),
        ]
