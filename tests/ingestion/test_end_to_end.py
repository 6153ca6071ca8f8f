"""CRM + ERP + FX from local provider servers into one DuckDB warehouse, configured as deployed.

One warehouse receives, through four dlt pipelines configured only by SOURCES__* variables:
- raw_crm from Fxiaoke (six objects; a voided lead and order, a deleted activity),
- raw_erp from NetSuite SuiteQL and from an ERP export file (SAP),
- raw_fx from the ECB (history zip + daily XML) and a fallback provider for NGN / VND.
The raw rows are asserted exactly, and the FX coverage check finds nothing missing.

Hand-computed values for a mart check (reporting currency USD, month 2026-02; docs/metrics.md):
- P-DE revenue: order D1 12000 EUR on 2026-02-10, EUR->USD 1.0480 -> 12576.00; cogs 7000 EUR
  -> 7336.00; erp_cost: 3000 + 450.50 EUR on 2026-02-03 at 1.0410 -> 3123.00 + 468.9705, and
  SAP-9002 1200.50 EUR on 2026-02-27 at 1.0650 -> 1278.5325; total 4870.503.
  ROI = (12576 - 7336 - 4870.503) / 4870.503 = 0.075864... (no ad spend in this data).
- P-NG revenue: order D2 2,000,000 NGN on Saturday 2026-02-21, Friday's USD->NGN 1510.25 ->
  1324.284058...; cogs 1,200,000 NGN -> 794.570435...; erp_cost: 1,500,000 NGN on 2026-02-25
  at 1498.75 -> 1000.834028..., and SAP-9001 800.00 USD on 2026-02-26 -> 800; total
  1800.834028...; ROI = (1324.284059 - 794.570435 - 1800.834028) / 1800.834028 = -0.705851...
- Voided order D3 (P-DE) and the deleted lead A4 count nowhere.
(The projects themselves, raw_reference.projects, come from the file drop, not from here.)
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import duckdb
import pytest

import ingestion.ecb_fx.helpers as fx_helpers
from ingestion.ecb_fx import ecb_fx_source, fx_coverage_gaps
from ingestion.erp_export import erp_export_source
from ingestion.fxiaoke import fxiaoke_source
from ingestion.netsuite import netsuite_source

from .conftest import query
from .ecb_fx.fake_fx import FALLBACK_API_KEY, FakeEcb, FakeFallback
from .erp_export.test_source import FEBRUARY
from .fxiaoke import test_source as fxiaoke_expectations
from .fxiaoke.fake_fxiaoke import APP, OPEN_USER_ID, FakeFxiaoke
from .netsuite import test_source as netsuite_expectations
from .netsuite.fake_netsuite import ACCOUNT_ID, CREDENTIALS, FakeNetSuite


def usd_rate(day: dt.date) -> Decimal:
    """EUR->USD in the ECB fixture: 1.0400 on 2026-02-02 plus 0.0010 a day; 1.0480 on 03-02."""
    if day == dt.date(2026, 3, 2):
        return Decimal("1.048")
    return Decimal("1.04") + Decimal("0.001") * (day - dt.date(2026, 2, 2)).days


@pytest.fixture
def deployment(httpserver, monkeypatch, tmp_path):
    """Every provider on one local server, every setting as a deployment gives it."""
    FakeFxiaoke(offset_cap=4, prefix="/fx").install(httpserver)
    FakeNetSuite(prefix="/ns").install(httpserver)
    ecb = FakeEcb(prefix="/ecb").install(httpserver)
    FakeFallback(prefix="/fallback").install(httpserver)
    exports = tmp_path / "sap_exports"
    exports.mkdir()
    (exports / "costs_2026_02.csv").write_text(FEBRUARY, encoding="utf-8")
    monkeypatch.setattr(fx_helpers, "today", lambda: dt.date(2026, 3, 2))
    settings = {
        "FXIAOKE": {
            "BASE_URL": httpserver.url_for("/fx"),
            "APP_ID": APP["appId"],
            "APP_SECRET": APP["appSecret"],
            "PERMANENT_CODE": APP["permanentCode"],
            "OPEN_USER_ID": OPEN_USER_ID,
            "START_DATE": "2026-01-01",
            "FIELD_MAP": json.dumps(fxiaoke_expectations.TENANT_FIELD_MAP),
            "VALUE_MAP": json.dumps(fxiaoke_expectations.TENANT_VALUE_MAP),
            "PAGE_SIZE": "2",
            "OFFSET_CAP": "4",
        },
        "NETSUITE": {
            "BASE_URL": httpserver.url_for("/ns"),
            "ACCOUNT_ID": ACCOUNT_ID,
            **{key.upper(): value for key, value in CREDENTIALS.items()},
            "START_DATE": "2026-01-01",
            "CATEGORY_MAP": json.dumps(netsuite_expectations.CATEGORY_MAP),
            "TIMEZONE": "America/Los_Angeles",
            "PAGE_SIZE": "2",
        },
        "ERP_EXPORT": {"FOLDER": str(exports)},
        "ECB_FX": {
            "BASE_URL": httpserver.url_for(ecb.base_url),
            "CURRENCIES": '["USD"]',
            "START_DATE": "2025-10-01",
            "FALLBACK_URL": httpserver.url_for("/fallback/series")
            + "?start_date={start_date}&end_date={end_date}&symbols={symbols}",
            "FALLBACK_CURRENCIES": '["NGN", "VND"]',
            "FALLBACK_API_KEY": FALLBACK_API_KEY,
        },
    }
    for source, keys in settings.items():
        for key, value in keys.items():
            monkeypatch.setenv(f"SOURCES__{source}__{key}", value)


@pytest.mark.usefixtures("deployment")
def test_crm_erp_and_fx_load_into_one_warehouse(make_pipeline, warehouse):
    # WHEN each family is loaded by its pipeline, configuration from the environment only
    make_pipeline("fxiaoke_raw_crm", "raw_crm").run(fxiaoke_source())
    make_pipeline("netsuite_raw_erp", "raw_erp").run(netsuite_source())
    make_pipeline("erp_export_raw_erp", "raw_erp").run(erp_export_source())
    make_pipeline("ecb_fx_raw_fx", "raw_fx").run(ecb_fx_source())

    # THEN raw_crm holds exactly the CRM's records
    for table, expected in fxiaoke_expectations.EXPECTED.items():
        assert (
            query(warehouse, f"select * exclude (_dlt_load_id) from raw_crm.{table} order by all")
            == expected
        ), table

    # AND raw_erp the NetSuite lines and the SAP export, side by side in one table
    assert (
        query(
            warehouse,
            "select * exclude (_dlt_load_id) from raw_erp.costs "
            "where _source_file like 'netsuite%' order by all",
        )
        == netsuite_expectations.EXPECTED
    )
    assert query(
        warehouse,
        "select cost_id, project_code, amount, currency, _source_file, _source_line "
        "from raw_erp.costs where _source_file not like 'netsuite%' order by all",
    ) == [
        ("SAP-9001", "P-NG", Decimal("800"), "USD", "costs_2026_02.csv", 2),
        ("SAP-9002", "P-DE", Decimal("1200.5"), "EUR", "costs_2026_02.csv", 3),
    ]

    # AND raw_fx the ECB's EUR->USD since start_date and the fallback's USD->NGN / VND
    ecb_days = [
        day
        for day in (dt.date(2026, 2, 2) + dt.timedelta(n) for n in range(26))
        if day.weekday() < 5
    ] + [dt.date(2026, 3, 2)]
    expected_ecb = [
        (
            day,
            "EUR",
            "USD",
            usd_rate(day),
            "ECB eurofxref-daily.xml" if day.month == 3 else "ECB eurofxref-hist.zip",
        )
        for day in ecb_days
    ]
    fallback = [
        (dt.date(2026, 2, 20), "USD", "NGN", Decimal("1510.25")),
        (dt.date(2026, 2, 20), "USD", "VND", Decimal("25380")),
        (dt.date(2026, 2, 23), "USD", "NGN", Decimal("1512.5")),
        (dt.date(2026, 2, 23), "USD", "VND", Decimal("25391")),
        (dt.date(2026, 2, 25), "USD", "NGN", Decimal("1498.75")),
        (dt.date(2026, 2, 25), "USD", "VND", Decimal("25405")),
    ]
    assert query(
        warehouse,
        "select date, base_currency, quote_currency, rate, _source_file from raw_fx.rates "
        "order by date, base_currency, quote_currency",
    ) == sorted(expected_ecb + [(*row, "fx fallback provider") for row in fallback])

    # AND every (currency, date) the facts need has a rate within the 7-day window
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        assert fx_coverage_gaps(connection, "USD") == []
