"""Every alert fires on a warehouse built to trigger it, with the numbers behind it, and stays
silent otherwise (the baseline of tests/reporting/warehouse.py fires nothing)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import re

import duckdb
import pytest

from reporting import ReportSettings, build_report
from reporting.alert_rules import evaluate
from reporting.data import load_report_data
from reporting.formatting import alert_numbers
from reporting.model import build_model
from reporting.render import Renderer

from . import warehouse as wh

K = wh.K
NOW = dt.datetime(2026, 7, 2, tzinfo=dt.UTC)


def evaluate_on(tmp_path, tables, run_id=None, settings=None):
    path = wh.write(tmp_path / "roi.duckdb", tables)
    with duckdb.connect(str(path), read_only=True) as con:
        data = load_report_data(con, None, "quarter", run_id)
    settings = settings or ReportSettings()
    model = build_model(data, settings, str(path), NOW)
    return evaluate(data, settings), model


def message(model, alert, lang="en"):
    return Renderer(model, lang).alert_message(alert)


# --- what triggers each alert ---------------------------------------------------------------


def roi_below_target(t):
    """P2 earns 1,050K on 1,000K in 2026-Q2: ROI 5% < target 10%."""
    wh.row(t, "marts.mart_project_roi", project_code="P2", period_start=wh.QUARTERS["2026-Q2"])[
        "gross_profit"
    ] = 1050 * K


def cac_increase(t):
    """P1's acquisition cost 650K for 5 new customers: CAC 130K, +30% on 2026-Q1's 100K."""
    r = wh.row(t, "marts.mart_project_roi", project_code="P1", period_start=wh.QUARTERS["2026-Q2"])
    r["acquisition_cost"], r["cac"] = 650 * K, 130 * K


def churn_spike(t):
    """P1 loses 5 of 30 customers in 2026-05 (16.7%) after six months at 1 of 30 (3.3%)."""
    wh.row(t, "marts.mart_churn_monthly", project_code="P1", month_start=dt.date(2026, 5, 1))[
        "churn_rate"
    ] = 5 / 30
    wh.row(t, "marts.mart_churn_monthly", project_code="P1", month_start=dt.date(2026, 5, 1))[
        "churned_customers"
    ] = 5


def conversion_drop(t):
    """P1's leads with an opportunity: 10 of 100 in 2026-Q2 after 20 of 100 in 2026-Q1."""
    q2 = wh.QUARTERS["2026-Q2"]
    r = wh.row(t, "marts.mart_funnel", project_code="P1", channel="all", period_start=q2)
    r["leads_with_opportunity"], r["lead_to_opportunity_rate"] = 10, 0.10


def cpl_increase(t):
    """P2's meta_ads campaign M1 spends 165K in 2026-Q2 on its 30 leads: 5.5K per lead,
    +50% on 2026-Q1's 110K / 30 = 3.667K."""
    wh.row(t, "marts.mart_ad_performance", campaign_id="M1",
           period_start=wh.QUARTERS["2026-Q2"])["spend"] = 165 * K  # fmt: skip


def slow_lead_response(t):
    """P3's median lead waits 24.5 h for a first follow-up, over its 10 followed-up leads."""
    row = wh.row(t, "marts.mart_lead_response", project_code="P3", channel="all",
                 period_start=wh.QUARTERS["2026-Q2"])  # fmt: skip
    row["median_hours_to_first_followup"] = 24.5


def quarantined_rows(t):
    """The run quarantined two orders of an unknown account."""
    t["audit.quarantine"] += [
        {"run_id": wh.RUN_ID, "source_table": "raw_crm.orders", "record_key": key,
         "reason": "unknown_account"}
        for key in ("O1", "O2")
    ]  # fmt: skip


def failed_check(t):
    """A blocking check of the run failed."""
    t["audit.check_results"].append(
        {"run_id": wh.RUN_ID, "check_name": "orders_have_known_accounts",
         "table_name": "audit.quarantine", "check_kind": "quarantine", "severity": "error",
         "status": "fail", "observed_value": "quarantined_rows=2"}
    )  # fmt: skip


def stale_source(t):
    """The CRM leads were last loaded 200.5 hours before the run (warn after 8 days)."""
    t["audit.source_freshness"].append(
        {"run_id": wh.RUN_ID, "source_table": "raw_crm.leads",
         "max_loaded_at": dt.datetime(2026, 6, 22, 22, 0, tzinfo=dt.UTC),
         "hours_since_load": 200.5, "status": "warn", "warn_after": "8 day"}
    )  # fmt: skip


def failed_run(t):
    """The latest run failed a blocking check (its marts were not published)."""
    run = wh.row(t, "audit.runs", run_id=wh.RUN_ID)
    run["status"], run["failed_checks"] = "failed", 1


FIRING = [
    pytest.param(
        roi_below_target, "roi_below_target", "P2",
        {"roi": 0.05, "target_roi": 0.1, "gap": -0.05, "investment": 1000 * K,
         "gross_profit": 1050 * K},
        "P2: ROI 5.0% is below its target 10.0% (-5.0 pp): gross profit 1,050,000 on "
        "investment 1,000,000 USD.",
        id="roi_below_target",
    ),
    pytest.param(
        cac_increase, "cac_increase", "P1",
        {"cac": 130 * K, "previous_cac": 100 * K, "change": 0.3, "new_customers": 5,
         "previous_new_customers": 5, "acquisition_cost": 650 * K, "threshold": 0.2},
        "P1: CAC rose +30.0% to 130,000 USD from 100,000 USD in 2026-Q1 (5 new customers vs "
        "5; acquisition cost 650,000 USD). Threshold: +20.0%.",
        id="cac_increase",
    ),
    pytest.param(
        churn_spike, "churn_spike", "P1",
        {"month": "2026-05", "churn_rate": 5 / 30, "trailing_average": 1 / 30,
         "difference": 4 / 30, "trailing_months": 6, "churned_customers": 5,
         "active_customers_start": 30},
        "P1: churn in 2026-05 was 16.7% (5 of 30 active customers), +13.3 pp above the "
        "average 3.3% of the 6 months before. Threshold: 5.0 pp.",
        id="churn_spike",
    ),
    pytest.param(
        conversion_drop, "conversion_drop", "P1",
        {"rate": 0.1, "previous_rate": 0.2, "change": -0.5, "leads": 100,
         "previous_leads": 100, "previous_period": "2026-Q1"},
        "P1: lead → opportunity conversion fell -50.0% to 10.0% from 20.0% in 2026-Q1 (100 "
        "leads vs 100). Threshold: -20.0%.",
        id="conversion_drop",
    ),
    pytest.param(
        cpl_increase, "cpl_increase", "P2 meta_ads",
        {"cost_per_lead": 5.5 * K, "previous_cost_per_lead": 110 * K / 30, "change": 0.5,
         "leads": 30, "previous_leads": 30, "spend": 165 * K, "threshold": 0.2},
        "P2 meta_ads: cost per lead rose +50.0% to 5,500.00 USD from 3,666.67 USD in 2026-Q1 "
        "(30 leads vs 30; spend 165,000 USD). Threshold: +20.0%.",
        id="cpl_increase",
    ),
    pytest.param(
        slow_lead_response, "slow_lead_response", "P3",
        {"median_hours": 24.5, "threshold_hours": 24.0, "within_24h_rate": 0.6, "leads": 10,
         "leads_followed_up": 10},
        "P3: the median lead waited 24.5 h for a first follow-up (threshold 24.0 h); 60.0% of "
        "its 10 leads were followed up within 24 h (10 followed up at all).",
        id="slow_lead_response",
    ),
    pytest.param(
        quarantined_rows, "dq_quarantine", "raw_crm.orders",
        {"rows": 2, "table": "raw_crm.orders", "reason": "unknown_account"},
        "2 row(s) of raw_crm.orders quarantined (unknown_account): they count nowhere until "
        "fixed.",
        id="data_quality-quarantined_rows",
    ),
    pytest.param(
        failed_check, "dq_failed_check", "audit.quarantine",
        {"check": "orders_have_known_accounts", "severity": "error",
         "observed": "quarantined_rows=2"},
        "Check orders_have_known_accounts on audit.quarantine failed [error, quarantine]: "
        "quarantined_rows=2.",
        id="data_quality-failed_check",
    ),
    pytest.param(
        stale_source, "dq_stale_source", "raw_crm.leads",
        {"table": "raw_crm.leads", "status": "warn", "hours": 200.5, "warn_after": "8 day"},
        "Source raw_crm.leads is not fresh (warn): last loaded June 22, 2026, 10:00:00\u202fPM "
        "UTC, 200.5 h ago (warn after 8 day).",
        id="data_quality-stale_source",
    ),
    pytest.param(
        failed_run, "dq_run_failed", wh.RUN_ID,
        {"run_id": wh.RUN_ID, "failed_checks": 1},
        f"Run {wh.RUN_ID} failed (1 blocking check(s) failed; failed steps: -). The marts are "
        "still those of the last successful run.",
        id="data_quality-failed_run",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("trigger", "rule", "subject", "numbers", "shown"), FIRING)
def test_alert_fires_with_its_numbers(tmp_path, trigger, rule, subject, numbers, shown):
    tables = wh.tables()
    trigger(tables)
    alerts, model = evaluate_on(tmp_path, tables)

    assert [(a.rule, a.subject) for a in alerts] == [(rule, subject)]
    alert = alerts[0]
    for name, value in numbers.items():
        expected = pytest.approx(value) if isinstance(value, float) else value
        assert alert.numbers[name] == expected, name
    assert message(model, alert) == shown
    chinese = message(model, alert, "zh")
    assert re.search(r"[\u4e00-\u9fff]", chinese), chinese
    for name, shown_zh in alert_numbers(alert.numbers, "zh").items():
        if name in numbers:
            assert shown_zh in chinese, (name, shown_zh, chinese)
    page = build_report(tmp_path / "roi.duckdb", tmp_path / "out", generated_at=NOW).read_text()
    assert html.escape(shown) in page


def test_the_baseline_fires_nothing(tmp_path):
    """NULLs and near misses stay silent: P3 invested nothing (ROI NULL) and won no customer
    (CAC NULL); P2's CAC rose exactly 20% (not more); P3's conversion fell from 50% to 20%
    but on 10 leads (fewer than 20); churn is flat; the failed run and quarantined rows in
    audit belong to an earlier run, not the latest."""
    alerts, _ = evaluate_on(tmp_path, wh.tables())
    assert alerts == []


QUIET = [
    pytest.param(
        lambda t: [
            cpl_increase(t),
            *(r.update(leads=9) for r in t["marts.mart_ad_performance"]
              if r["campaign_id"] == "M1" and r["period_start"] == wh.QUARTERS["2026-Q1"]),
        ],
        id="cpl_increase-too_few_previous_leads",
    ),
    pytest.param(
        lambda t: wh.row(t, "marts.mart_lead_response", project_code="P2", channel="all",
                         period_start=wh.QUARTERS["2026-Q2"]).update(median_hours_to_first_followup=480.0),
        id="slow_lead_response-too_few_followed_up",
    ),
    pytest.param(
        lambda t: [
            slow_lead_response(t),
            wh.row(t, "marts.mart_lead_response", project_code="P3", channel="all",
                   period_start=wh.QUARTERS["2026-Q2"]).update(median_hours_to_first_followup=None),
        ],
        id="slow_lead_response-no_median",
    ),
    pytest.param(
        lambda t: (
            cac_increase(t),
            wh.row(t, "marts.mart_project_roi", project_code="P1",
                   period_start=wh.QUARTERS["2026-Q1"]).update(new_customers=2),
        ),
        id="cac_increase-too_few_new_customers",
    ),
    pytest.param(
        lambda t: [
            churn_spike(t),
            *(r.update(active_customers_start=15) for r in t["marts.mart_churn_monthly"]),
        ],
        id="churn_spike-too_few_active_customers",
    ),
    pytest.param(
        lambda t: t.update(
            {"marts.mart_churn_monthly": [
                r for r in t["marts.mart_churn_monthly"]
                if r["month_start"] >= dt.date(2026, 3, 1)
            ]}
        ) or churn_spike(t),
        id="churn_spike-too_little_history",
    ),
    pytest.param(
        lambda t: [
            conversion_drop(t),
            *(r.update(leads=19) for r in t["marts.mart_funnel"] if r["project_code"] == "P1"),
        ],
        id="conversion_drop-too_few_leads",
    ),
    pytest.param(
        lambda t: wh.row(t, "marts.mart_funnel", project_code="P1", channel="all",
                         period_start=wh.QUARTERS["2026-Q1"]).update(
            leads_with_opportunity=0, lead_to_opportunity_rate=0.0),
        id="conversion_drop-no_previous_rate",
    ),
    pytest.param(
        lambda t: wh.row(t, "marts.mart_project_roi", project_code="P1",
                         period_start=wh.QUARTERS["2026-Q1"]).update(
            new_customers=0, cac=None, acquisition_cost=0.0),
        id="cac_increase-no_previous_cac",
    ),
]  # fmt: skip


@pytest.mark.parametrize("change", QUIET)
def test_alert_stays_silent(tmp_path, change):
    tables = wh.tables()
    change(tables)
    alerts, _ = evaluate_on(tmp_path, tables)
    assert alerts == []


def test_thresholds_are_configurable(tmp_path):
    """P2's CAC rose exactly 20%: silent at the default, an alert at 10%."""
    settings = dataclasses.replace(ReportSettings(), cac_increase=0.1)
    alerts, model = evaluate_on(tmp_path, wh.tables(), settings=settings)
    assert [(a.rule, a.subject) for a in alerts] == [("cac_increase", "P2")]
    assert alerts[0].numbers["change"] == pytest.approx(0.2)
    assert "Threshold: +10.0%." in message(model, alerts[0])


def test_data_quality_of_a_given_run(tmp_path):
    """run-2026-04-01 failed, quarantined one order and failed fx_coverage."""
    alerts, model = evaluate_on(tmp_path, wh.tables(), run_id="run-2026-04-01")
    assert [(a.rule, a.severity) for a in alerts] == [
        ("dq_failed_check", "error"),
        ("dq_quarantine", "error"),
        ("dq_run_failed", "error"),
    ]
    assert model.data.audit.run.run_id == "run-2026-04-01"
    assert "1 row(s) of raw_crm.orders quarantined (missing_fx_rate)" in message(model, alerts[1])


def test_a_warehouse_without_runs_says_so(tmp_path):
    tables = wh.tables()
    del tables["audit.runs"]
    alerts, model = evaluate_on(tmp_path, tables)
    assert [a.rule for a in alerts] == ["dq_no_run"]
    assert model.run_id is None


def test_churn_drivers_stand_beside_the_churn_spike(tmp_path):
    """P1's churn spike in 2026-05: its churned customers (4) against its retained ones (26),
    each group's 12 months before May, in a table inside the alert."""
    tables = wh.tables()
    churn_spike(tables)
    evaluate_on(tmp_path, tables)
    page = build_report(tmp_path / "roi.duckdb", tmp_path / "out", generated_at=NOW).read_text()
    [alert] = re.findall(r'<li class="warning" data-kind="churn_spike">.*?</li>', page, re.DOTALL)
    assert "P1, 2026-05: customers who churned that month against those retained" in alert
    rows = re.findall(r'<tr class="(churned|retained)">(.*?)</tr>', alert)
    cells = {group: re.findall(r"<td[^>]*>(.*?)</td>", row) for group, row in rows}
    assert cells == {
        # customers, tickets per customer, with a ticket, satisfaction, median hours,
        # orders per customer, avg order value (USD)
        "churned": ["Churned", "4", "2.50", "75.0%", "2.40", "50.0", "1.25", "10,000"],
        "retained": ["Retained", "26", "0.50", "30.0%", "4.50", "8.0", "3.00", "12,000"],
    }


def test_no_churn_spike_no_churn_drivers(tmp_path):
    page = build_report(
        wh.write(tmp_path / "roi.duckdb", wh.tables()), tmp_path / "out", generated_at=NOW
    ).read_text()
    assert "churn-drivers" not in page
