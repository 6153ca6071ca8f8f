"""Headline numbers of the report against values computed by hand from the fixture
(tests/reporting/warehouse.py documents every input row)."""

from __future__ import annotations

import datetime as dt
import re

import duckdb
import pytest

from foundation.periods import Period
from reporting import build_report
from reporting.data import load_report_data
from reporting.metrics import (
    ad_platforms,
    campaign_ranking,
    channel_comparison,
    funnel_summary,
    lead_response_rows,
    project_headlines,
    region_headlines,
    rep_summaries,
    retention_curves,
    sales_cycle_by_region,
    total_headline,
)

from . import warehouse as wh

K = wh.K
Q2 = Period.parse("quarter", "2026-Q2")
GENERATED = dt.datetime(2026, 7, 2, 8, 30, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    return wh.write(tmp_path_factory.mktemp("wh") / "roi.duckdb", wh.tables())


@pytest.fixture(scope="module")
def data(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return load_report_data(con, None, "quarter")


@pytest.fixture(scope="module")
def page(warehouse, tmp_path_factory):
    path = build_report(warehouse, tmp_path_factory.mktemp("out"), generated_at=GENERATED)
    return path.read_text(encoding="utf-8")


def test_the_latest_complete_quarter_is_chosen_and_traced(data):
    """The data ends 2026-06-30, the last day of 2026-Q2; the latest run is run-2026-07-01."""
    assert data.period == Q2
    assert data.data_end_date == dt.date(2026, 6, 30)
    assert data.reporting_currency == "USD"
    assert data.audit.run.run_id == wh.RUN_ID
    assert [p.label for p in data.trend][-3:] == ["2025-Q4", "2026-Q1", "2026-Q2"]


def test_project_headlines(data):
    """
    P1: ROI (3000 - 2000) / 2000 = 0.5 vs target 0.2; cumulative ROI (4500 - 4000) / 4000 =
        0.125; payback 4500 / 4000 = 1.125, first reached in 2026-Q2 (2025-Q4 500/1000,
        2026-Q1 1500/2000); CAC 500K / 5 = 100K, previous 500K / 5 = 100K; all-time CAC
        (400 + 500 + 500)K / 14 = 100K; LTV (7 x 200K + 7 x 400K) / 14 = 300K (the customer of
        2026-07-05 is after the period); LTV/CAC 3.
    P2: ROI (1200 - 1000) / 1000 = 0.2; cumulative 2400 / 2000 - 1 = 0.2; payback 1.2, first
        reached in 2025-Q4 (800 >= 500); CAC 60K vs 50K; all-time CAC 640K / 12; LTV 160K;
        LTV/CAC 160 x 12 / 640 = 3.
    P3: no investment and no new customer in 2026-Q2: ROI and CAC NULL; cumulative ROI
        (300 - 800) / 800 = -0.625; payback 0.375, not paid back; all-time CAC 800K / 2 =
        400K; LTV (100K + 300K) / 2 = 200K; LTV/CAC 0.5.
    """
    p1, p2, p3 = project_headlines(data)
    assert (p1.key, p1.name, p1.region) == ("P1", "Alpha", "EU")
    assert p1.investment == 2000 * K and p1.gross_profit == 3000 * K
    assert p1.roi == pytest.approx(0.5) and p1.target_roi == pytest.approx(0.2)
    assert p1.roi_gap == pytest.approx(0.3)
    assert p1.cumulative_roi == pytest.approx(0.125)
    assert p1.payback == pytest.approx(1.125) and p1.paid_back_in.label == "2026-Q2"
    assert p1.cac == pytest.approx(100 * K) and p1.previous_cac == pytest.approx(100 * K)
    assert p1.customers_to_date == 14
    assert p1.all_time_cac == pytest.approx(100 * K)
    assert p1.avg_ltv == pytest.approx(300 * K)
    assert p1.ltv_to_cac == pytest.approx(3.0)

    assert p2.roi == pytest.approx(0.2) and p2.cumulative_roi == pytest.approx(0.2)
    assert p2.payback == pytest.approx(1.2) and p2.paid_back_in.label == "2025-Q4"
    assert p2.cac == pytest.approx(60 * K) and p2.previous_cac == pytest.approx(50 * K)
    assert p2.all_time_cac == pytest.approx(640 * K / 12)
    assert p2.ltv_to_cac == pytest.approx(3.0)

    assert p3.investment == 0 and p3.roi is None and p3.roi_gap is None
    assert p3.new_customers == 0 and p3.cac is None
    assert p3.cumulative_roi == pytest.approx(-0.625)
    assert p3.payback == pytest.approx(0.375) and p3.paid_back_in is None
    assert p3.all_time_cac == pytest.approx(400 * K)
    assert p3.avg_ltv == pytest.approx(200 * K)
    assert p3.ltv_to_cac == pytest.approx(0.5)


def test_region_and_total_headlines(data):
    """
    EU = P1 + P2: investment 3000K, GP 4200K, ROI 1200 / 3000 = 0.4; target weighted by
        investment (2000 x 0.2 + 1000 x 0.1) / 3000 = 1/6; cumulative 6900 / 6000: ROI 0.15,
        payback 1.15, first reached in 2026-Q2 (2025-Q4 1300/1500, 2026-Q1 2700/3000);
        CAC (500 + 240)K / 9; LTV/CAC (6120K / 26) / (2040K / 26) = 3.
    APAC = P3: no investment: ROI NULL, target the plain mean 0.5.
    Total: investment 3000K, GP 4300K, ROI 1300 / 3000; cumulative 7200 / 6800 - 1 = 1/17;
        paid back in 2026-Q2; LTV/CAC (6520K / 28) / (2840K / 28) = 6520 / 2840.
    """
    apac, eu = region_headlines(data)
    assert (apac.key, apac.projects, eu.key, eu.projects) == ("APAC", ("P3",), "EU", ("P1", "P2"))
    assert eu.investment == 3000 * K and eu.gross_profit == 4200 * K
    assert eu.roi == pytest.approx(0.4) and eu.target_roi == pytest.approx(1 / 6)
    assert eu.cumulative_roi == pytest.approx(0.15)
    assert eu.payback == pytest.approx(1.15) and eu.paid_back_in.label == "2026-Q2"
    assert eu.cac == pytest.approx(740 * K / 9)
    assert eu.ltv_to_cac == pytest.approx(3.0)
    assert apac.roi is None and apac.target_roi == pytest.approx(0.5) and apac.cac is None

    total = total_headline(data)
    assert total.investment == 3000 * K and total.gross_profit == 4300 * K
    assert total.roi == pytest.approx(1300 / 3000)
    assert total.cumulative_roi == pytest.approx(1 / 17)
    assert total.paid_back_in.label == "2026-Q2"
    assert total.ltv_to_cac == pytest.approx(6520 / 2840)


def test_funnel_channels_sales_cycle_and_retention(data):
    """
    Funnel 2026-Q2 over projects (channel all): leads 100 + 50 + 10 = 160, with an
    opportunity 18 + 9 + 2 = 29 (29/160 = 18.1% reached), won 6 + 3 + 0 = 9 (9/29 = 31.0%):
    the first step loses the most. Win rate 9 / (9 + 7).
    google_ads: 20 customers, LTV (8 x 350 + 12 x 160) / 20 = 236K, media CAC 600K / 20 =
    30K, LTV/CAC 236 / 30; this period 110 leads, 21 with an opportunity.
    Sales cycle EU: (6 + 3) won deals of 30 days each. Retention of cohort 2026-04: offsets
    0..2 (offset 3 is July, after the period).
    """
    funnel = funnel_summary(data)
    assert (funnel.leads, funnel.leads_with_opportunity, funnel.won_deals) == (160, 29, 9)
    assert funnel.weakest_stage == "leads_with_opportunity"
    assert funnel.win_rate == pytest.approx(9 / 16)

    google, organic = channel_comparison(data)
    assert (google.channel, google.customers, google.leads) == ("google_ads", 20, 110)
    assert google.avg_ltv == pytest.approx(236 * K)
    assert google.media_cac == pytest.approx(30 * K)
    assert google.ltv_to_cac == pytest.approx(236 / 30)
    assert google.lead_to_opportunity_rate == pytest.approx(21 / 110)
    assert organic.media_cac is None and organic.ltv_to_cac is None

    cycles = {c.region: c for c in sales_cycle_by_region(data)}
    assert cycles["EU"].won_deals == 9 and cycles["EU"].avg_sales_cycle_days == pytest.approx(30)
    assert cycles["APAC"].avg_sales_cycle_days is None

    curves = retention_curves(data, 6)
    assert curves == {dt.date(2026, 4, 1): [(0, 1.0), (1, 0.4), (2, 0.3)]}


def test_the_html_shows_the_headlines_formatted(page):
    assert "ROI evaluation report" in page
    # dates in CLDR's English (its thin space around the dash, narrow no-break space before AM)
    assert "Quarter 2026-Q2 (Apr 1\u2009–\u2009Jun 30, 2026)" in page
    assert "Jun 30, 2026" in page and "USD" in page and wh.RUN_ID in page
    assert "July 2, 2026, 8:30:00\u202fAM UTC" in page
    # P1: investment, gross profit, ROI, target, cumulative ROI, payback, CAC, LTV/CAC
    for shown in ("2,000,000", "3,000,000", "50.0%", "20.0%", "12.5%", "112.5%", "100,000",
                  "300,000", "3.00×", "2026-Q2"):  # fmt: skip
        assert shown in page, shown
    # P3's NULL ROI and CAC, its payback, and P2's payback period
    assert "n/a" in page and "37.5%" in page and "2025-Q4" in page
    # the total: ROI 43.3%, cumulative ROI 5.9%, LTV/CAC 2.30×
    for shown in ("43.3%", "5.9%", "2.30×", "4,300,000"):
        assert shown in page, shown
    assert "No alerts for this period." in page
    assert "no rows quarantined, every check passed, every source fresh" in page


def test_the_definitions_are_in_the_report(page):
    assert "How to read this" in page
    assert "Payback so far = cumulative gross profit / cumulative investment" in page
    assert "LTV/CAC = average realized LTV" in page
    assert "Churn spike:" in page and "CAC increase: CAC up more than 20.0%" in page


def test_a_period_before_the_latest_reports_its_own_numbers(warehouse, tmp_path):
    """2026-Q1: P1 ROI 0; the previous quarter's CAC 100K; no later period leaks in."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        data = load_report_data(con, Period.parse("quarter", "2026-Q1"), "quarter")
    p1 = project_headlines(data)[0]
    assert p1.roi == pytest.approx(0) and p1.cumulative_roi == pytest.approx(-0.25)
    assert p1.paid_back_in is None and p1.customers_to_date == 7
    path = build_report(warehouse, tmp_path, Period.parse("quarter", "2026-Q1"))
    assert path.name == "roi-report-2026-Q1-en.html"


def test_ad_platforms_and_campaign_ranking(data):
    """
    2026-Q2 by platform over all projects:
    google_ads: G1 + G2 + G9: spend 300 + 100 + 0 = 400K, impressions 1,200,000, clicks
        22,000 (CTR 22,000 / 1,200,000, CPC 400K / 22,000), leads 40 + 20 + 2 = 62 (cost
        per lead 400K / 62), with an opportunity 10 + 2 + 1 = 13, customers 3 + 0 + 1 = 4
        (cost per customer 100K).
    meta_ads: M1 120K / 30 leads = 4K per lead, 4 customers: 30K each.
    linkedin_ads: L1 80K, 4 leads, 1 customer: 80K.
    Campaigns ranked by cost per customer (G9 has no spend: not ranked): M1 30K, L1 80K,
    G1 100K with customers; G2 spent 100K on none, so it is the worst.
    """
    by_platform = {p.platform: p for p in ad_platforms(data)}
    assert list(by_platform) == ["google_ads", "linkedin_ads", "meta_ads"]
    google = by_platform["google_ads"]
    assert (google.spend, google.impressions, google.clicks) == (400 * K, 1_200_000, 22_000)
    assert (google.leads, google.leads_with_opportunity, google.customers) == (62, 13, 4)
    assert google.ctr == pytest.approx(22_000 / 1_200_000)
    assert google.cpc == pytest.approx(400 * K / 22_000)
    assert google.cost_per_lead == pytest.approx(400 * K / 62)
    assert google.cost_per_opportunity == pytest.approx(400 * K / 13)
    assert google.cost_per_customer == pytest.approx(100 * K)
    assert by_platform["meta_ads"].cost_per_lead == pytest.approx(4 * K)
    assert by_platform["linkedin_ads"].cost_per_customer == pytest.approx(80 * K)

    ranking = campaign_ranking(data, 3)
    assert [c.campaign_id for c in ranking.best] == ["M1", "L1", "G1"]
    assert [c.campaign_id for c in ranking.worst] == ["G2"]
    # with two places each, G1 moves to the worst, after the campaign without customers
    ranking = campaign_ranking(data, 2)
    assert [c.campaign_id for c in ranking.best] == ["M1", "L1"]
    assert [c.campaign_id for c in ranking.worst] == ["G2", "G1"]


def test_lead_response_and_sales_reps(data):
    """
    Lead response 2026-Q2: P1's channels (google_ads, organic) then its total; P2's; P3's.
    Sales reps 2026-Q2: P1's revenue 2 x 3,000K = 6,000K over its 3 active reps (U-1, U-2
    and unassigned) = 2,000K per rep, reps by revenue (U-1 4,000K, U-2 1,500K, unassigned
    0); P2's 2 x 1,200K = 2,400K over U-3 alone. P3 has no rep row.
    """
    rows = [(r.project_code, r.channel) for r in lead_response_rows(data)]
    assert rows == [
        ("P1", "google_ads"), ("P1", "organic"), ("P1", "all"),
        ("P2", "google_ads"), ("P2", "all"),
        ("P3", "organic"), ("P3", "all"),
    ]  # fmt: skip
    p1 = lead_response_rows(data)[2]
    assert p1.median_hours_to_first_followup == pytest.approx(12.0)
    assert p1.followed_up_within_24h_rate == pytest.approx(0.55)

    reps = rep_summaries(data)
    assert [(r.project_code, r.active_reps) for r in reps] == [("P1", 3), ("P2", 1)]
    assert reps[0].revenue == pytest.approx(6000 * K)
    assert reps[0].revenue_per_rep == pytest.approx(2000 * K)
    assert [rep.owner_id for rep in reps[0].reps] == ["U-1", "U-2", "unassigned"]
    assert reps[1].revenue_per_rep == pytest.approx(2400 * K)


def test_the_html_shows_ads_lead_response_and_reps(page):
    for heading in ("Ad performance", "Lead response", "Sales reps"):
        assert f">{heading}</h2>" in page, heading
    assert "Campaigns with the lowest cost per customer" in page
    # google_ads: cost per lead 400,000 / 62, CTR 1.83%, cost per customer 100,000.00
    for shown in ("6,451.61", "1.83%", "100,000.00", "30,000.00"):
        assert shown in page, shown
    assert (
        "P1: 3 active rep(s), revenue 6,000,000 USD, revenue per active rep 2,000,000 USD." in page
    )
    assert (
        "P2: 1 active rep(s), revenue 2,400,000 USD, revenue per active rep 2,400,000 USD." in page
    )
    # P1's total: 100 leads, 80 followed up, median 12.0 h, 55 within 24 h = 55.0%
    assert re.search(
        r"<td class=\"text\">P1</td><td class=\"text\">All channels</td><td>100</td><td>80</td>"
        r"<td>12.0</td><td>55</td><td>55.0%</td>",
        page,
    )
