"""Bad input never damages the warehouse: rejected drops load nothing, quarantines keep marts.

One warehouse goes through a story (module-scoped, runs in order):
1. a good drop is published (the session's shared `roi run` of small_drop, copied);
2. a malformed drop is rejected with file/line/column, exit code 2, raw tables and marts
   untouched; the run is recorded in audit.runs as rejected, with its problems, and alerted;
3. a well-formed drop with unusable rows (no FX rate, unknown account, unmapped campaign)
   is processed, the rows are quarantined with the run id, the blocking checks fail,
   exit code 1, and the published marts are still those of step 1.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import pytest

from roi.cli import main

from ..conftest import copy_warehouse
from ..drops import FIXTURES

# Whole pipeline runs in this file (the first is the session's shared run of small_drop, built
# by whichever file needs it first): tests/conftest.py starts the longest files first.
PIPELINE_RUNS = 3

RAW_TABLES = ("raw_crm.orders", "raw_ads.ad_spend", "raw_fx.rates", "raw_crm.leads")


def snapshot(warehouse: Path, tables: tuple[str, ...]) -> dict[str, list[tuple]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {table: sorted(con.execute(f"select * from {table}").fetchall()) for table in tables}


def mart_tables(warehouse: Path) -> tuple[str, ...]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()
    return tuple(f"marts.{name}" for (name,) in sorted(rows))


def append(drop: Path, file_name: str, *lines: str) -> None:
    with (drop / file_name).open("a", encoding="utf-8") as handle:
        handle.writelines(line + "\n" for line in lines)


@pytest.fixture(scope="module")
def published(tmp_path_factory, small_drop_published) -> Path:
    # GIVEN a warehouse holding the published marts of a good drop (a copy of the session's
    # shared `roi run` of small_drop, tests/conftest.py)
    return copy_warehouse(
        small_drop_published.warehouse, tmp_path_factory.mktemp("failures") / "roi.duckdb"
    )


def test_malformed_drop_is_rejected_and_changes_nothing(published, tmp_path, capsys, alert_hook):
    before = snapshot(published, RAW_TABLES + mart_tables(published))
    # GIVEN the same drop with a bad amount and a key twice in one file
    drop = shutil.copytree(FIXTURES / "small_drop", tmp_path / "bad")
    append(
        drop,
        "crm_orders.csv",
        "O-NEW-1,A-DE-1,,2026-04-07,2026-04-07T10:00:00Z,confirmed,12;50,5.00,EUR,false",
        "O-DE-1,A-DE-1,,2026-04-08,2026-04-08T10:00:00Z,confirmed,10.00,5.00,EUR,false",
    )
    # WHEN it is run
    code = main(["run", "--data-dir", str(drop), "--warehouse", str(published)])
    # THEN it exits 2 naming file, line, key, column and value, and nothing changed
    assert code == 2
    error = capsys.readouterr().err
    assert "2 problem(s); nothing was loaded" in error
    # the fixture's 8 orders are lines 2 to 9: the appended ones are lines 10 and 11
    problems = [
        "crm_orders.csv line 10 (order_id=O-NEW-1), column amount: '12;50': "
        "is not a decimal number such as 1234.56",
        "crm_orders.csv line 11 (order_id=O-DE-1): key appears twice in this file "
        "(first on line 2)",
    ]
    assert all(f"  - {problem}\n" in error for problem in problems)
    assert snapshot(published, RAW_TABLES + mart_tables(published)) == before
    # AND the run is in audit.runs beside the good one: rejected, with its problems
    with duckdb.connect(str(published), read_only=True) as con:
        runs = con.execute(
            "select run_id, job_name, trigger, status, failed_checks, failed_steps, "
            "drop_problem_count, drop_problems from audit.runs order by started_at"
        ).fetchall()
    assert [run[3] for run in runs] == ["success", "rejected"]
    run_id = runs[1][0]
    assert runs[1][1:] == (
        "roi_pipeline", "manual", "rejected", 0, "file_drop", 2, "\n".join(problems)
    )  # fmt: skip
    # AND one alert went to the webhook naming the drop, the count and the problems
    assert [alert["text"].splitlines() for alert in alert_hook] == [
        [
            "[ERROR] File drop rejected in roi_pipeline: nothing loaded, marts unchanged",
            f"run: {run_id}",
            "job: roi_pipeline",
            f"warehouse: {published}",
            f"- 2 problem(s) in {drop}",
            *(f"- {problem}" for problem in problems),
        ]
    ]
    # AND `roi audit` shows it
    assert main(["audit", "--warehouse", str(published), "--run", run_id]) == 0
    text = capsys.readouterr().out
    assert text.startswith(f"run {run_id}: REJECTED\n")
    assert (
        "  failed steps: file_drop\n"
        "  drop rejected: 2 problem(s); nothing was loaded\n"
        f"    - {problems[0]}\n"
        f"    - {problems[1]}\n\n"
    ) in text


def test_unusable_rows_are_quarantined_and_marts_keep_last_good_state(
    published, tmp_path, capsys, monkeypatch, alert_hook
):
    marts = mart_tables(published)
    assert "marts.mart_project_roi" in marts
    before = snapshot(published, marts)
    # GIVEN a well-formed drop with three unusable rows beside good new ones
    drop = shutil.copytree(FIXTURES / "small_drop", tmp_path / "quarantine")
    append(
        drop,
        "crm_orders.csv",
        # TRY has no rate at all: quarantined, never converted at 1
        "O-TRY-1,A-DE-1,,2026-04-07,2026-04-07T10:00:00Z,confirmed,1000.00,100.00,TRY,false",
        # an account the CRM does not know
        "O-GHOST-1,A-GHOST,,2026-04-07,2026-04-07T10:00:00Z,confirmed,10.00,5.00,EUR,false",
        # a good new order: processed into raw and candidates, but not published
        "O-NEW-2,A-DE-1,,2026-04-07,2026-04-07T10:00:00Z,confirmed,10.00,5.00,EUR,false",
    )
    append(drop, "ad_spend.csv", "2026-04-07,meta_ads,M-DE-1,C-NOPROJECT,Brand,,EUR,50.00,100,3")
    # WHEN it is run
    code = main(["run", "--data-dir", str(drop), "--warehouse", str(published)])
    # THEN the blocking checks fail the run and name the rows
    assert code == 1
    captured = capsys.readouterr()
    assert (
        "failed check: fx_coverage on audit/quarantine (observed: 1 rows quarantined)"
        in captured.out
    )
    assert "failed check: orders_have_known_accounts on audit/quarantine" in captured.out
    assert "failed check: ad_spend_mapped_to_projects on audit/quarantine" in captured.out
    assert "order_id=O-TRY-1" in captured.err
    # AND one alert went to the webhook with the checks and the quarantined rows
    assert len(alert_hook) == 1
    lines = alert_hook[0]["text"].splitlines()
    assert lines[0] == (
        "[ERROR] Blocking data-quality checks failed in roi_pipeline: marts not published"
    )
    assert [line for line in lines if line.startswith("- ")] == [
        "- check ad_spend_mapped_to_projects on audit.quarantine failed "
        "(observed: quarantined_rows=1)",
        "- check fx_coverage on audit.quarantine failed (observed: quarantined_rows=1)",
        "- check orders_have_known_accounts on audit.quarantine failed "
        "(observed: quarantined_rows=1)",
        "- 1 row(s) quarantined: missing_fx_rate",
        "- 1 row(s) quarantined: unknown_account",
        "- 1 row(s) quarantined: unmapped_campaign",
    ]
    # AND the published marts are exactly those of the last good run
    assert snapshot(published, marts) == before
    with duckdb.connect(str(published), read_only=True) as con:
        # AND the good rows were processed (raw and candidate marts hold them) ...
        assert con.execute("select count(*) from raw_crm.orders where order_id = 'O-NEW-2'")
        assert con.execute(
            "select count(*) from marts_candidate.fct_orders where order_id = 'O-NEW-2'"
        ).fetchone() == (1,)
        # ... and the audit trail holds the quarantined rows and the failed run
        (run_id, status) = con.execute(
            "select run_id, status from audit.runs order by started_at desc limit 1"
        ).fetchone()
        assert status == "failed"
        quarantined = con.execute(
            "select source_table, record_key, reason from audit.quarantine "
            "where run_id = ? order by reason",
            [run_id],
        ).fetchall()
    assert [(reason, key) for _, key, reason in quarantined] == [
        ("missing_fx_rate", "order_id=O-TRY-1"),
        ("unknown_account", "order_id=O-GHOST-1"),
        ("unmapped_campaign", next(k for _, k, r in quarantined if r == "unmapped_campaign")),
    ]
    assert "C-NOPROJECT" in quarantined[2][1]
    # AND every check of the run is in audit.check_results with what it observed
    with duckdb.connect(str(published), read_only=True) as con:
        results = con.execute(
            "select table_name, check_name, status, severity, observed_value "
            "from audit.check_results where run_id = ? "
            "and check_kind in ('quarantine', 'great_expectations') order by 1, 2",
            [run_id],
        ).fetchall()
        dbt_errors = con.execute(
            "select count(*) from audit.check_results where run_id = ? "
            "and check_kind = 'dbt_test' and status = 'fail' and severity = 'error'",
            [run_id],
        ).fetchone()
        loads = con.execute(
            "select dataset, table_name, rows_loaded from audit.loads where run_id = ? "
            "and table_name = 'orders'",
            [run_id],
        ).fetchall()
    suite = "great_expectations_suite"
    assert [row for row in results if row[2] == "fail"] == [
        ("audit.quarantine", "ad_spend_mapped_to_projects", "fail", "error", "quarantined_rows=1"),
        ("audit.quarantine", "fx_coverage", "fail", "error", "quarantined_rows=1"),
        ("audit.quarantine", "orders_have_known_accounts", "fail", "error", "quarantined_rows=1"),
        # the unknown account is an orphan key: a warning on the raw table
        ("raw_crm.orders", suite, "fail", "warn", "failed=1"),
    ]
    marts = ("mart_ad_performance", "mart_channel_ltv_cac", "mart_churn_drivers",
             "mart_churn_monthly", "mart_customer_ltv", "mart_followup_conversion", "mart_funnel",
             "mart_lead_response", "mart_project_roi", "mart_retention_cohorts",
             "mart_sales_rep_performance", "mart_service")  # fmt: skip
    raw = ("raw_ads.ad_spend", "raw_crm.accounts", "raw_crm.activities", "raw_crm.leads",
           "raw_crm.opportunities", "raw_crm.tickets", "raw_erp.costs", "raw_fx.rates",
           "raw_reference.projects")  # fmt: skip
    assert [(table, name) for table, name, status, *_ in results if status == "pass"] == [
        *((f"marts_candidate.{mart}", suite) for mart in marts[:8]),
        ("marts_candidate.mart_project_roi", suite),
        ("marts_candidate.mart_project_roi", "reconciliation"),
        *((f"marts_candidate.{mart}", suite) for mart in marts[9:]),
        *((table, suite) for table in raw),
    ]
    assert dbt_errors == (0,)
    assert loads == [("raw_crm", "orders", 11)]  # the 8 fixture orders and 3 new ones

    # AND when the daemon runs the quarantine checks again (no `roi run` around it), its
    # blocking-check sensor sends the same alert and the run-failure sensor stays silent
    daemon_run_id = rerun_quarantine_as_the_daemon(published, monkeypatch)
    assert len(alert_hook) == 2
    assert alert_hook[1]["text"] == alert_hook[0]["text"].replace(run_id, daemon_run_id)


def rerun_quarantine_as_the_daemon(warehouse: Path, monkeypatch) -> str:
    """Run the quarantine asset and its checks on `warehouse` and evaluate both alert
    sensors on the failed run, as the daemon would; return the run id."""
    import dagster as dg

    from foundation.config import Settings
    from orchestration.definitions import build_definitions
    from orchestration.instance import instance_for

    monkeypatch.setenv("ROI_WAREHOUSE", str(warehouse))
    # the definitions the code location builds from that environment
    defs = build_definitions(Settings.from_environment())
    alert_failed_runs = defs.resolve_sensor_def("alert_failed_runs")
    alert_blocking_checks = defs.resolve_sensor_def("alert_blocking_checks")
    with instance_for(warehouse) as instance:
        result = defs.resolve_job_def("roi_pipeline").execute_in_process(
            instance=instance,
            asset_selection=[dg.AssetKey(["audit", "quarantine"])],
            raise_on_error=False,
        )
        assert not result.success
        context = dg.build_run_status_sensor_context(
            sensor_name="alert_failed_runs",
            dagster_instance=instance,
            dagster_run=instance.get_run_by_id(result.run_id),
            dagster_event=result.get_run_failure_event(),
        )
        alert_failed_runs(context.for_run_failure())
        alert_blocking_checks(context)
    return result.run_id


def test_roi_audit_shows_checks_and_column_lineage(published, capsys):
    # WHEN an auditor asks about the good run and the lineage of a published mart
    with duckdb.connect(str(published), read_only=True) as con:
        (run_id,) = con.execute(
            "select run_id from audit.runs where status = 'success' order by started_at limit 1"
        ).fetchone()
    code = main(
        [
            "audit",
            "--warehouse",
            str(published),
            "--run",
            run_id,
            "--table",
            "marts.mart_project_roi",
        ]
    )
    # THEN they see the run, its checks, its loads and where each column comes from
    assert code == 0
    text = capsys.readouterr().out
    assert f"run {run_id}: SUCCESS" in text
    assert re.search(r"\n  quarantine +3 run, +0 failed\n", text)
    assert re.search(r"\n  raw_crm.orders +8 rows +load ", text)
    assert re.search(r"\n  raw_ads.ad_spend +pass +last load .*warn after 8 day\)", text)
    # AND the run's static docs: dbt docs and a Data Docs page per Great Expectations suite
    (docs_line,) = [line for line in text.splitlines() if line.startswith("  docs: ")]
    index = Path(docs_line.split()[1])
    listing = index.read_text(encoding="utf-8")
    assert "dbt_docs.html" in listing
    assert "great_expectations/marts_candidate.mart_project_roi.reconciliation.html" in listing
    ge_page = index.parent / "great_expectations" / "raw_crm.orders.great_expectations_suite.html"
    assert "Great Expectations" in ge_page.read_text(encoding="utf-8")
    assert "model.roi_warehouse.mart_funnel" in (index.parent / "dbt_docs.html").read_text()
    revenue = text[text.index("  revenue  [column]") :].split("\n")[:3]
    assert "int_orders_converted" in revenue[1]
    assert "raw_crm.orders.amount" in revenue[2]


def test_roi_docs_writes_a_static_bilingual_dictionary(published, tmp_path, capsys):
    # WHEN the data dictionary is built for the published warehouse
    code = main(["docs", "--out", str(tmp_path / "docs"), "--warehouse", str(published)])
    # THEN one HTML file holds every mart with its English and Chinese texts
    assert code == 0
    page = (tmp_path / "docs" / "index.html").read_text(encoding="utf-8")
    assert "model.roi_warehouse.mart_project_roi" in page
    assert "Customer acquisition cost" in page
    assert '"label_zh": "' + "获客成本".encode("unicode_escape").decode() + '"' in page
    assert "exposure.roi_warehouse." in page  # who reads each mart
    assert str(tmp_path / "docs" / "index.html") in capsys.readouterr().out
