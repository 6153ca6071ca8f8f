"""Fault: a live API fails in the middle of paging, on every connector family.

Injected: the provider answers the first page, then fails the next one on every attempt
(HTTP 500 after dlt's retries, 3 attempts with millisecond waits here) while the pages before
it were already extracted. Asserted: the load fails with an error naming the connector, the
endpoint and the page; nothing of the partial extraction reaches the raw table and the
incremental cursor stays where it was; once the provider recovers, the rerun loads every
row exactly once, the same rows an uninterrupted load lands.

The ad platforms already have this test beside their connectors (the fakes are theirs):
- meta_ads: page 2 of a cursor-paged insights report,
  tests/ingestion/ad_platforms/meta_ads/test_meta_ads.py
  ::test_500_in_the_middle_of_paging_loads_nothing_and_the_rerun_loads_every_row_once
- google_ads: the second customer's searchStream, tests/ingestion/ad_platforms/google_ads/
  test_google_ads.py::test_failed_run_loads_nothing_and_the_rerun_loads_every_row_once
- linkedin_ads: a later date slice of adAnalytics, tests/ingestion/ad_platforms/linkedin_ads/
  test_linkedin_ads.py::test_500_on_a_later_slice_loads_nothing_and_the_rerun_loads_every_row_once
This module covers the other families: CRM (fxiaoke), ERP (netsuite; erp_export reads a
folder and has no pages) and FX (ecb_fx: the fallback provider is asked day by day; the ECB
files themselves are single downloads, so for them a download cut off half-way).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import dlt
import pytest
from dlt.pipeline.exceptions import PipelineStepFailed
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

import ingestion.ecb_fx.helpers as fx_helpers
from ingestion.ecb_fx import ecb_fx_source
from ingestion.fxiaoke import fxiaoke_source
from ingestion.netsuite import netsuite_source

from ..ingestion.conftest import (  # noqa: F401  (fixtures: fast retries, no real credentials)
    isolated_dlt_config,
    query,
)
from ..ingestion.ecb_fx.fake_fx import FALLBACK_API_KEY, FakeEcb, FakeFallback, history_zip
from ..ingestion.fxiaoke.fake_fxiaoke import FakeFxiaoke, set_tenant_env
from ..ingestion.netsuite.fake_netsuite import ACCOUNT_ID, CREDENTIALS, FakeNetSuite
from ..ingestion.netsuite.test_source import CATEGORY_MAP
from ..ingestion.netsuite.test_source import EXPECTED as NETSUITE_COSTS


def server_error() -> Response:
    return Response("upstream timed out", status=500)


def pipeline_into(folder, name: str, dataset: str) -> dlt.Pipeline:
    return dlt.pipeline(
        pipeline_name=name,
        destination=dlt.destinations.duckdb(credentials=str(folder / "warehouse.duckdb")),
        dataset_name=dataset,
        pipelines_dir=str(folder / "dlt"),
    )


def raw_rows(pipeline: dlt.Pipeline, table: str) -> list[tuple]:
    """Every row of the raw table without dlt's load id (None: the table does not exist)."""
    warehouse = pipeline.destination.config_params["credentials"]
    exists = query(
        warehouse,
        "select count(*) from information_schema.tables "
        f"where table_schema = '{pipeline.dataset_name}' and table_name = '{table}'",
    )
    if not exists[0][0]:
        return None
    return query(
        warehouse,
        f"select * exclude (_dlt_load_id) from {pipeline.dataset_name}.{table} order by all",
    )


def resource_state(pipeline: dlt.Pipeline, source: str, resource: str) -> dict:
    return pipeline.state.get("sources", {}).get(source, {}).get("resources", {}).get(resource, {})


def fail_then_recover(
    tmp_path,
    make_source: Callable[[], object],
    pipeline_name: str,
    dataset: str,
    outage: dict,
    tables: tuple[str, ...],
) -> tuple[dlt.Pipeline, str]:
    """Run the source with `outage["down"]` true (must fail), then with it false; return the
    pipeline and the error text of the failed run. What the failed run left is kept in
    `outage`: the raw tables' rows, the pipeline state and whether a package is pending."""
    pipeline = pipeline_into(tmp_path / "faulted", pipeline_name, dataset)
    outage["down"] = True
    with pytest.raises(PipelineStepFailed) as raised:
        pipeline.run(make_source())
    outage["failed_rows"] = {table: raw_rows(pipeline, table) for table in tables}
    outage["failed_state"] = dict(pipeline.state.get("sources", {}))
    outage["failed_pending"] = pipeline.has_pending_data
    outage["down"] = False
    pipeline.run(make_source())
    return pipeline, str(raised.value)


def uninterrupted(tmp_path, make_source, pipeline_name: str, dataset: str) -> dlt.Pipeline:
    pipeline = pipeline_into(tmp_path / "reference", pipeline_name, dataset)
    pipeline.run(make_source())
    return pipeline


# --- ERP: NetSuite SuiteQL, limit/offset pages -----------------------------------------------


class NetSuiteDownAfterPageOne(FakeNetSuite):
    """Answers the first SuiteQL page; while `down`, the page at offset 2 gets HTTP 500 or
    (fault `cut_off_body`) HTTP 200 with only the first half of its JSON."""

    def __init__(self, fault: str) -> None:
        super().__init__()
        self.fault = fault
        self.outage = {"down": False}
        self.offsets: list[int] = []

    def _suiteql(self, request: Request) -> Response:
        offset = int(request.args["offset"])
        self.offsets.append(offset)
        if not (self.outage["down"] and offset == 2):
            return super()._suiteql(request)
        if self.fault == "http_500":
            return server_error()
        answer = super()._suiteql(request)
        answer.set_data(answer.get_data()[: len(answer.get_data()) // 2])
        return answer


@pytest.mark.parametrize(
    ("fault", "problem", "attempts"),
    [
        ("http_500", "HTTP 500: INTERNAL SERVER ERROR", 3),
        ("cut_off_body", "HTTP 200 but the body is not JSON", 3),
    ],
)
def test_netsuite_fails_on_page_two_then_the_rerun_loads_every_cost_once(
    tmp_path, httpserver, fault, problem, attempts
):
    # GIVEN NetSuite answers page 1 (offset 0, 2 rows) and fails page 2 (offset 2) every time
    fake = NetSuiteDownAfterPageOne(fault).install(httpserver)

    def source():
        return netsuite_source(
            account_id=ACCOUNT_ID,
            base_url=httpserver.url_for(""),
            start_date="2026-01-01",
            category_map=CATEGORY_MAP,
            timezone="America/Los_Angeles",
            page_size=2,
            **CREDENTIALS,
        )

    # WHEN the load fails half-way and is repeated once NetSuite is back
    pipeline, error = fail_then_recover(
        tmp_path, source, "netsuite_raw_erp", "raw_erp", fake.outage, ("costs",)
    )

    # THEN the error names the connector, the endpoint and the page
    endpoint = httpserver.url_for("/services/rest/query/v1/suiteql")
    assert (
        f"NetSuite SuiteQL for account {ACCOUNT_ID}: POST {endpoint} "
        f"page 2 (offset 2, limit 2): {problem}" in error
    )
    # AND the failed run fetched page 1, tried page 2, and committed nothing
    assert fake.offsets[: 1 + attempts] == [0] + [2] * attempts
    assert fake.outage["failed_rows"] == {"costs": None}  # the table was never created
    assert fake.outage["failed_state"].get("netsuite", {}).get("resources", {}) == {}
    assert not fake.outage["failed_pending"]
    # AND the rerun landed every cost line exactly once: the fixture's three lines
    assert raw_rows(pipeline, "costs") == NETSUITE_COSTS
    cursor = resource_state(pipeline, "netsuite", "costs")["incremental"]["posted_at"]
    assert cursor["last_value"] == dt.datetime(2026, 2, 26, 16, 15, tzinfo=dt.UTC)


# --- CRM: Fxiaoke data/query, offset pages then keyset -------------------------------------


class FxiaokeDownAfterPageOne(FakeFxiaoke):
    """Answers page 1 of LeadsObj (offset 0); page 2 (offset 2) gets HTTP 500 while `down`."""

    def __init__(self) -> None:
        super().__init__(offset_cap=4)
        self.outage = {"down": False}
        self.lead_offsets: list[int] = []

    def _query(self, request: Request) -> Response:
        data = request.get_json()["data"]
        if data["dataObjectApiName"] == "LeadsObj":
            offset = data["search_query_info"]["offset"]
            self.lead_offsets.append(offset)
            if self.outage["down"] and offset == 2:
                return server_error()
        return super()._query(request)


@pytest.fixture
def fxiaoke_tenant(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> None:
    set_tenant_env(monkeypatch, httpserver.url_for("/"))


FXIAOKE_TABLES = ("leads", "accounts", "opportunities", "orders", "activities", "tickets")


@pytest.mark.usefixtures("fxiaoke_tenant")
def test_fxiaoke_fails_on_page_two_then_the_rerun_loads_every_record_once(tmp_path, httpserver):
    # GIVEN Fxiaoke answers the first page of leads and fails the second on every try
    fake = FxiaokeDownAfterPageOne().install(httpserver)

    # WHEN the load of all six objects fails half-way and is repeated once Fxiaoke is back
    pipeline, error = fail_then_recover(
        tmp_path, fxiaoke_source, "fxiaoke_raw_crm", "raw_crm", fake.outage, FXIAOKE_TABLES
    )

    # THEN the error names the connector, the object and the page
    assert (
        f"Fxiaoke data/query LeadsObj page 2 (offset 2) at {httpserver.url_for('/').rstrip('/')}"
        ": HTTP 500" in error
    )
    assert fake.lead_offsets[:4] == [0, 2, 2, 2]
    # AND nothing of the failed run was committed: no table, no cursor, no pending package
    assert fake.outage["failed_rows"] == dict.fromkeys(FXIAOKE_TABLES)
    assert fake.outage["failed_state"].get("fxiaoke", {}).get("resources", {}) == {}
    assert not fake.outage["failed_pending"]
    # AND after the rerun every raw table holds what an uninterrupted load lands, once
    reference = uninterrupted(tmp_path, fxiaoke_source, "fxiaoke_raw_crm", "raw_crm")
    for table in FXIAOKE_TABLES:
        assert raw_rows(pipeline, table) == raw_rows(reference, table), table
    assert query(
        pipeline.destination.config_params["credentials"],
        "select count(*), count(distinct lead_id) from raw_crm.leads",
    ) == [(5, 5)]
    cursor = resource_state(pipeline, "fxiaoke", "leads")
    assert cursor == resource_state(reference, "fxiaoke", "leads") and cursor


# --- FX: the fallback provider day by day; the ECB history zip cut off -----------------------


class FallbackDownOnDayTwo(FakeFallback):
    """Answers 2026-02-20; 2026-02-21 gets HTTP 500 while `down`."""

    def __init__(self) -> None:
        super().__init__()
        self.outage = {"down": False}

    def _day(self, request: Request, day: str) -> Response:
        if self.outage["down"] and day == "2026-02-21":
            self.requests.append({"date": day, **request.args})
            return server_error()
        return super()._day(request, day)


class EcbZipCutOff(FakeEcb):
    """Serves the first half of eurofxref-hist.zip (HTTP 200) while `down`."""

    def __init__(self) -> None:
        super().__init__()
        self.outage = {"down": False}

    def _file(self, name: str) -> Response:
        if self.outage["down"] and name == "eurofxref-hist.zip":
            self.served.append(name)
            whole = history_zip()
            return Response(whole[: len(whole) // 2], content_type="application/zip")
        return super()._file(name)


def test_fx_fallback_fails_on_day_two_then_the_rerun_loads_every_rate_once(
    tmp_path, httpserver, monkeypatch
):
    # GIVEN "today" is 2026-02-23 and the fallback provider fails 2026-02-21 on every try
    ecb = FakeEcb().install(httpserver)
    fallback = FallbackDownOnDayTwo().install(httpserver)
    monkeypatch.setattr(fx_helpers, "today", lambda: dt.date(2026, 2, 23))
    monkeypatch.setenv("SOURCES__ECB_FX__FALLBACK_API_KEY", FALLBACK_API_KEY)

    def source():
        return ecb_fx_source(
            base_url=httpserver.url_for(ecb.base_url),
            start_date="2026-02-20",
            currencies=["USD"],
            fallback_url=httpserver.url_for("/fallback/day/{date}") + "?symbols={symbols}",
            fallback_currencies=["NGN", "VND"],
        )

    # WHEN the load fails after the first day and is repeated once the provider is back
    pipeline, error = fail_then_recover(
        tmp_path, source, "ecb_fx_raw_fx", "raw_fx", fallback.outage, ("rates",)
    )

    # THEN the error names the provider and the day's URL (the page), query values masked,
    # never the key
    assert (
        "FX fallback provider: GET "
        f"{httpserver.url_for('/fallback/day/2026-02-21')}?symbols=*** answered HTTP 500" in error
    )
    assert FALLBACK_API_KEY not in error
    assert [r["date"] for r in fallback.requests][:4] == ["2026-02-20", *["2026-02-21"] * 3]
    # AND nothing was committed: no table, no cursor, no pending package
    assert fallback.outage["failed_rows"] == {"rates": None}
    assert fallback.outage["failed_state"].get("ecb_fx", {}).get("resources", {}) == {}
    assert not fallback.outage["failed_pending"]
    # AND the rerun holds exactly the rates of an uninterrupted load: 4 fallback rates (two
    # published days, NGN and VND) and the ECB's USD rates, once each
    reference = uninterrupted(tmp_path, source, "ecb_fx_raw_fx", "raw_fx")
    rows = raw_rows(pipeline, "rates")
    assert rows == raw_rows(reference, "rates")
    assert len({row[:3] for row in rows}) == len(rows)
    assert sum(1 for row in rows if row[1] == "USD") == 4


def test_ecb_history_zip_cut_off_then_the_rerun_loads_every_rate_once(tmp_path, httpserver):
    # GIVEN the ECB's history zip arrives cut off half-way (HTTP 200, half the bytes)
    ecb = EcbZipCutOff().install(httpserver)

    def source():
        return ecb_fx_source(base_url=httpserver.url_for(ecb.base_url), start_date="2025-10-01")

    # WHEN the first load fails and is repeated once the download is whole again
    pipeline, error = fail_then_recover(
        tmp_path, source, "ecb_fx_raw_fx", "raw_fx", ecb.outage, ("rates",)
    )

    # THEN the error names the provider and the file
    assert "ECB eurofxref-hist.zip: no eurofxref-hist.csv in the archive" in error
    # AND nothing was committed, and the rerun lands every rate once: 21 days x 6 currencies
    assert ecb.outage["failed_rows"] == {"rates": None}
    assert ecb.outage["failed_state"].get("ecb_fx", {}).get("resources", {}) == {}
    assert not ecb.outage["failed_pending"]
    rows = raw_rows(pipeline, "rates")
    assert rows == raw_rows(uninterrupted(tmp_path, source, "ecb_fx_raw_fx", "raw_fx"), "rates")
    assert len(rows) == len({row[:3] for row in rows}) == 21 * 6
