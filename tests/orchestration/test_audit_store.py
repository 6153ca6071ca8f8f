"""One module owns the audit schema: every audit table's DDL, its added columns and a run's
writes (orchestration/audit_store.py)."""

from __future__ import annotations

import re
from pathlib import Path

from foundation.warehouse import DuckDBWarehouse
from orchestration.audit_store import TABLES, ensure_tables

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("roi", "ingestion", "expectations", "reporting", "orchestration")
AUDIT_DDL = re.compile(r"\b(create|alter)\s+table\s+(if\s+not\s+exists\s+)?audit\.", re.I)


def test_only_the_audit_store_creates_or_alters_audit_tables():
    writers = sorted(
        path.relative_to(REPO).as_posix()
        for package in PACKAGES
        for path in (REPO / package).rglob("*.py")
        if AUDIT_DDL.search(path.read_text(encoding="utf-8"))
    )
    assert writers == ["orchestration/audit_store.py"]


def test_a_new_warehouse_gets_every_audit_table_the_readme_lists(tmp_path):
    warehouse = DuckDBWarehouse(tmp_path / "roi.duckdb")
    for _ in range(2):  # a second time changes nothing
        with warehouse.connect() as con:
            ensure_tables(con, TABLES)
    with warehouse.connect(read_only=True) as con:
        columns = con.execute(
            "select table_name, column_name from information_schema.columns "
            "where table_schema = 'audit' order by table_name, ordinal_position"
        ).fetchall()
    tables = sorted({table for table, _ in columns})
    assert tables == [
        "check_results",
        "erasure_salt",
        "erasure_suppressions",
        "erasures",
        "lineage",
        "loads",
        "published_inputs",
        "quarantine",
        "runs",
        "schema_changes",
        "source_freshness",
        "table_rows",
    ]
    # audit.loads: its first release's columns, then the HTTP ones added later
    assert [column for table, column in columns if table == "loads"] == [
        "run_id",
        "source",
        "dataset",
        "table_name",
        "load_id",
        "rows_loaded",
        "loaded_at",
        "http_requests",
        "http_retries",
        "http_retried",
        "throttled_seconds",
        "token_renewals",
        "http_activity",
    ]
    assert [column for table, column in columns if table == "erasure_salt"] == ["salt"]
