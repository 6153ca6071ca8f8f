"""`roi run` with live sources: every family from its API, or ERP costs from a file drop.

Every provider is a local server answering in its documented shape (the fakes of the
connector tests); the run goes through the same Dagster job as a file run, and the marts
are checked against hand-computed values (reporting currency USD; docs/metrics.md):

FX (ECB, base EUR): EUR->USD 1.0400 on Mon 2026-02-02 plus 0.0010 a calendar day, so
1.041 on 02-03, 1.048 on 02-10, 1.065 on Fri 02-27; 1.048 on Mon 03-02 (daily file).
Fallback provider (base USD): USD->NGN 1510.25 on Fri 02-20, 1498.75 on 02-25.

February 2026
- P-DE revenue: order D1 12000 EUR on 02-10 x 1.048 = 12576.00; cogs 7000 x 1.048 = 7336.00;
  erp_cost: 3000 + 450.50 EUR on 02-03 x 1.041 = 3591.9705 (NetSuite's two lines, or the same
  two lines in the drop's erp_costs.csv); no ad spend in February.
  roi = (12576 - 7336 - 3591.9705) / 3591.9705.
- P-NG revenue: order D2 2,000,000 NGN on Sat 02-21 at Friday's 1510.25; cogs 1,200,000 NGN;
  erp_cost: 1,500,000 NGN on 02-25 at 1498.75.
March 2026 ad spend (only tagged campaigns are configured, so all of it maps by tag):
- P-DE: Google 1234.56 + 0.50 and Meta 80.00 + 12.34 EUR on Sun 03-01 (Friday 02-27's 1.065),
  Google 99.99 + 0 and Meta 75.50 + 0 EUR on Tue 03-03 (Monday 03-02's 1.048).
- P-US: LinkedIn 300 USD on 03-03.

Google Ads answers its report request with 429 (Retry-After: 1 s), then 503, then 401 for the
access token it issued first: the run retries both, waits the second, renews the token, and
says so in one line, which audit.loads keeps.
"""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pytest

from ..drops import header, write_drop
from .ad_platforms.google_ads.fake_google_ads import throttled_then_expired
from .ad_platforms.linkedin_ads.fake_linkedin_ads import FakeLinkedInAds
from .ad_platforms.meta_ads.fake_meta_ads import FakeMetaAds
from .test_end_to_end import deployment  # noqa: F401  (the CRM / ERP / FX servers)

# Whole pipeline runs in this file: tests/conftest.py starts the longest files first.
PIPELINE_RUNS = 2

D = Decimal
PROJECTS = """project_code,project_name,region,country_code,launch_date,target_roi
P-DE,Germany,EMEA,DE,2026-01-15,0.5
P-NG,Nigeria,Africa,NG,2026-01-15,0.2
P-US,United States,Americas,US,2026-01-15,0.4"""
ERP_COSTS = (
    header("erp_costs.csv")
    + """
E-DE-1,P-DE,2026-02-03,marketing,3000.00,EUR,2026-02-04T09:00:00Z
E-DE-2,P-DE,2026-02-03,travel,450.50,EUR,2026-02-04T09:00:00Z
E-NG-1,P-NG,2026-02-25,salaries,1500000.00,NGN,2026-02-26T09:00:00Z"""
)


@pytest.mark.usefixtures("deployment")
@pytest.mark.parametrize(
    ("source", "erp_origin"),
    [("api", "netsuite"), ("ads=api,crm=api,erp=files,fx=api", "files")],
    ids=["all-live", "erp-from-drop"],
)
def test_live_sources_build_the_marts(
    httpserver, monkeypatch, tmp_path, capsys, source, erp_origin
):
    from roi.runner import run_pipeline

    # GIVEN the three ad platforms (only accounts whose campaigns carry a [PROJECT] tag),
    # Fxiaoke, the ECB and its fallback on local servers, and a drop with projects and ERP costs
    # (Google's first answers: a rate limit, then an outage, then the expired token's 401)
    throttled_then_expired(httpserver, monkeypatch)
    meta = FakeMetaAds(httpserver).install()
    meta.configure(monkeypatch, account_ids="act_101")
    linkedin = FakeLinkedInAds(httpserver).install()
    linkedin.configure(monkeypatch, account_ids="urn:li:sponsoredAccount:502")
    drop = write_drop(tmp_path / "drop", projects=PROJECTS, erp_costs=ERP_COSTS)
    warehouse = tmp_path / "roi.duckdb"

    # WHEN one run reads the live families (and the file drop for the rest)
    result = run_pipeline(data_dir=drop, warehouse=warehouse, source=source)

    # THEN the marts are published with the hand-computed numbers
    assert result.success, result.summary()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        month = {
            (project, str(start)): row
            for project, start, *row in con.execute(
                "select project_code, period_start, ad_spend, erp_cost, revenue, cogs, roi "
                "from marts.mart_project_roi where period_grain = 'month'"
            ).fetchall()
        }
        loads = dict(
            con.execute(
                "select dataset, string_agg(distinct source, ',') from audit.loads "
                "where run_id = ? group by 1",
                [result.run_id],
            ).fetchall()
        )
        ads_http = con.execute(
            "select http_requests, http_retries, http_retried, throttled_seconds, "
            "token_renewals, http_activity from audit.loads "
            "where run_id = ? and dataset = 'raw_ads'",
            [result.run_id],
        ).fetchall()
    de_feb = month[("P-DE", "2026-02-01")]
    de_cost = (D(3000) + D("450.50")) * D("1.041")
    assert de_feb[:4] == pytest.approx([0, de_cost, D("12576.00"), D("7336.00")], abs=D("1e-6"))
    assert de_feb[4] == pytest.approx((D(12576) - D(7336) - de_cost) / de_cost, abs=D("1e-9"))

    ng_revenue = D(2_000_000) / D("1510.25")
    ng_cogs = D(1_200_000) / D("1510.25")
    ng_cost = D(1_500_000) / D("1498.75")
    ng_feb = month[("P-NG", "2026-02-01")]
    assert ng_feb[:4] == pytest.approx([0, ng_cost, ng_revenue, ng_cogs], abs=D("1e-6"))
    assert ng_feb[4] == pytest.approx((ng_revenue - ng_cogs - ng_cost) / ng_cost, abs=D("1e-9"))

    de_march_ads = (D("1234.56") + D("0.50") + D("80.00") + D("12.34")) * D("1.065") + (
        D("99.99") + D("75.50")
    ) * D("1.048")
    assert month[("P-DE", "2026-03-01")][0] == pytest.approx(de_march_ads, abs=D("1e-6"))
    assert month[("P-US", "2026-03-01")][0] == pytest.approx(D(300), abs=D("1e-6"))
    # AND the ads load printed one line per platform with what its HTTP went through: Google's
    # token, 429, 503, 401, new token and report; Meta's and LinkedIn's requests, no retry
    assert len(ads_http) == 1
    requests, retries, retried, waited, renewals, activity = ads_http[0]
    # the Retry-After second, plus however late a busy machine sent the retry
    assert 1.0 <= waited < 1.5
    google_line = (
        "google_ads load: 6 HTTP requests, 2 retries (HTTP 429 x1, HTTP 503 x1), "
        f"waited {waited:.1f} s for rate limits, 1 token renewal"
    )
    meta_line = (
        f"meta_ads load: {len(meta.requests)} HTTP requests, 0 retries, "
        "waited 0.0 s for rate limits, 0 token renewals"
    )
    linkedin_line = (
        f"linkedin_ads load: {len(linkedin.requests)} HTTP requests, 0 retries, "
        "waited 0.0 s for rate limits, 0 token renewals"
    )
    output = capsys.readouterr().err
    for line in (google_line, meta_line, linkedin_line):
        assert output.count(line) == 1, (line, output[-3000:])
    # AND the same counts, summed over the platforms, are in audit.loads
    assert (requests, retries, retried, renewals) == (
        6 + len(meta.requests) + len(linkedin.requests),
        2,
        "google_ads: HTTP 429 x1, HTTP 503 x1",
        1,
    )
    assert activity == "; ".join([google_line, meta_line, linkedin_line])
    # AND the audit trail names where each family came from
    assert loads == {
        "raw_ads": "ad_platforms",
        "raw_crm": "fxiaoke",
        "raw_erp": erp_origin,
        "raw_fx": "ecb_fx",
        "raw_reference": "files",
    }
