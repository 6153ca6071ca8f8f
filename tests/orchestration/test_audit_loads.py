"""audit.loads keeps what a live load's HTTP went through, also in a warehouse made before
those columns existed."""

from __future__ import annotations

import datetime as dt

from foundation.warehouse import as_warehouse
from ingestion.http_retries import LoadHttpActivity
from orchestration.audit_store import record_loads

OLD_LOADS = (
    "create schema audit",
    """
    create table audit.loads (
        run_id varchar not null, source varchar not null, dataset varchar not null,
        table_name varchar not null, load_id varchar not null, rows_loaded bigint not null,
        loaded_at timestamp with time zone not null
    )
    """,
)


def test_an_old_warehouse_gets_the_http_columns_and_keeps_its_rows(engine_warehouse):
    # GIVEN a warehouse whose audit.loads predates the HTTP columns, with one file load
    with engine_warehouse.connect() as con:
        for statement in OLD_LOADS:
            con.execute(statement)
        con.execute(
            "insert into audit.loads values ('r0', 'files', 'raw_fx', 'rates', 'l0', 3, ?)",
            [dt.datetime(2026, 1, 1, tzinfo=dt.UTC)],
        )
    # AND a live ads load: Google retried a 429 and a 503, waited 1.26 s, renewed a token;
    # Meta made two requests
    http = LoadHttpActivity()
    google = http.of("google_ads")
    google.requests, google.throttled_seconds, google.token_renewals = 6, 1.26, 1
    google.retries.update({"HTTP 503": 1, "HTTP 429": 1})
    http.of("meta_ads").requests = 2

    # WHEN the loads of a run are recorded
    record_loads(
        engine_warehouse, "r1", "ad_platforms", "raw_ads", ["l1"], {"ad_spend": 5}, http=http
    )
    record_loads(engine_warehouse, "r1", "files", "raw_reference", ["l2"], {"projects": 2})

    # THEN the old row is intact, the live load has its counts, the file load none
    with engine_warehouse.connect() as con:
        rows = con.execute(
            "select run_id, dataset, rows_loaded, http_requests, http_retries, http_retried, "
            "throttled_seconds, token_renewals, http_activity from audit.loads order by run_id, "
            "dataset"
        ).fetchall()
    assert rows == [
        ("r0", "raw_fx", 3, None, None, None, None, None, None),
        (
            "r1",
            "raw_ads",
            5,
            8,
            2,
            "google_ads: HTTP 429 x1, HTTP 503 x1",
            1.26,
            1,
            "google_ads load: 6 HTTP requests, 2 retries (HTTP 429 x1, HTTP 503 x1), waited "
            "1.3 s for rate limits, 1 token renewal; meta_ads load: 2 HTTP requests, 0 retries, "
            "waited 0.0 s for rate limits, 0 token renewals",
        ),
        ("r1", "raw_reference", 2, None, None, None, None, None, None),
    ]


def test_roi_audit_shows_what_each_live_load_went_through(tmp_path):
    from orchestration.audit_store import ensure_audit_tables
    from roi.audit_view import audit_text

    # GIVEN a finished run with a live ads load (Google retried a 503) and a file load
    warehouse = as_warehouse(tmp_path / "roi.duckdb")
    started = dt.datetime(2026, 3, 2, 6, 0, tzinfo=dt.UTC)
    with warehouse.connect() as con:
        ensure_audit_tables(con)
        con.execute(
            "insert into audit.runs (run_id, job_name, trigger, source, started_at, "
            "finished_at, status, failed_checks, code_version) "
            "values ('r1', 'roi_pipeline', 'manual', 'api', ?, ?, 'success', 0, 'abc')",
            [started, started + dt.timedelta(minutes=3)],
        )
    http = LoadHttpActivity()
    http.of("google_ads").requests = 3
    http.of("google_ads").retries.update({"HTTP 503": 1})
    record_loads(warehouse, "r1", "ad_platforms", "raw_ads", ["l1"], {"ad_spend": 5}, http=http)
    record_loads(warehouse, "r1", "files", "raw_reference", ["l2"], {"projects": 2})

    # WHEN `roi audit` shows the run
    text = audit_text(warehouse, "r1")

    # THEN its loads end with the ads load's line, and nothing for the file load
    assert text.split("loads:\n")[1].splitlines() == [
        "  raw_ads.ad_spend                    5 rows  load l1 (ad_platforms)",
        "  raw_reference.projects              2 rows  load l2 (files)",
        "  google_ads load: 3 HTTP requests, 1 retry (HTTP 503 x1), waited 0.0 s for rate "
        "limits, 0 token renewals",
    ]
