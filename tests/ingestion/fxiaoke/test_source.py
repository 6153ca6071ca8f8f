"""fxiaoke_source loaded by dlt into DuckDB: exact raw rows, deletions, field maps, reruns."""

from __future__ import annotations

import copy
import datetime as dt
import json
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from dlt.pipeline.exceptions import PipelineStepFailed
from pytest_httpserver import HTTPServer

from ingestion.fxiaoke import fxiaoke_source
from ingestion.fxiaoke.helpers import (
    RecordMapper,
    resolve_field_map,
    resolve_object_names,
    resolve_value_map,
)
from ingestion.raw_tables import raw_table
from ingestion.window import ExtractWindow

from ..conftest import query
from .fake_fxiaoke import FakeFxiaoke, records, set_tenant_env

UTC = dt.UTC
SOURCE = ("fxiaoke API", None)
TENANT_FIELD_MAP = {
    # this tenant keeps the project code in a custom field of its own naming
    "LeadsObj": {"project_code": "UDSText1__c"},
    "accounts": {"project_code": "UDSText1__c"},
}
TENANT_VALUE_MAP = {
    "leads": {"channel": {"1": "google_ads", "2": "meta_ads", "3": "organic"}},
    "opportunities": {"stage": {"win": "won", "lose": "lost"}},
}


def ts(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def ids(n: str, *numbers: int) -> list[str]:
    return [f"65a0000000000000000000{n}{i}" for i in numbers]


A1, A2, A3, A4, A5 = ids("a", 1, 2, 3, 4, 5)
B1, B2 = ids("b", 1, 2)
C1, C2 = ids("c", 1, 2)
D1, D2, D3 = ids("d", 1, 2, 3)
E1, E2 = ids("e", 1, 2)
F1, F2 = ids("f", 1, 2)

EXPECTED = {
    "leads": [
        (
            A1,
            ts("2026-01-04T08:30"),
            ts("2026-01-05T02:00"),
            "P-DE",
            "google_ads",
            "cmp-g-100",
            "DE",
            "transformed",
            C1,
            False,
            *SOURCE,
        ),
        (
            A2,
            ts("2026-01-06T09:00"),
            ts("2026-01-06T09:00"),
            "P-DE",
            "meta_ads",
            None,
            "AT",
            "un_processed",
            None,
            False,
            *SOURCE,
        ),
        (
            A3,
            ts("2026-01-08T10:00"),
            ts("2026-01-10T03:00"),
            "P-NG",
            "organic",
            None,
            "NG",
            "transformed",
            C2,
            False,
            *SOURCE,
        ),
        # life_status invalid (voided in the CRM) lands as a deleted version
        (
            A4,
            ts("2026-01-09T11:00"),
            ts("2026-01-12T00:00"),
            "P-NG",
            "organic",
            None,
            "NG",
            "closed",
            None,
            True,
            *SOURCE,
        ),
        (
            A5,
            ts("2026-01-20T12:00"),
            ts("2026-01-20T12:00"),
            "P-NG",
            "google_ads",
            "cmp-g-200",
            "GH",
            "processed",
            None,
            False,
            *SOURCE,
        ),
    ],
    "accounts": [
        (
            C1,
            ts("2026-01-05T02:00"),
            ts("2026-01-05T02:00"),
            "P-DE",
            "DE",
            "retail",
            False,
            *SOURCE,
        ),
        (
            C2,
            ts("2026-01-10T03:00"),
            ts("2026-02-01T00:00"),
            "P-NG",
            "NG",
            "energy",
            False,
            *SOURCE,
        ),
    ],
    # close_date is a date field (epoch ms of midnight in Shanghai): closed_at is midnight UTC
    # of that date, so the warehouse's UTC date is the date entered in the CRM
    "opportunities": [
        (
            B1,
            C1,
            A1,
            ts("2026-01-06T10:00"),
            ts("2026-02-10T06:00"),
            "won",
            Decimal("12000"),
            "EUR",
            ts("2026-02-10T00:00"),
            "FSUID_CBF443F942C4ABE8A46BE859066A5CD1",
            False,
            *SOURCE,
        ),
        (
            B2,
            C2,
            A3,
            ts("2026-01-11T10:00"),
            ts("2026-02-20T06:00"),
            "lost",
            Decimal("5000000"),
            "NGN",
            ts("2026-02-20T00:00"),
            "FSUID_CBF443F942C4ABE8A46BE859066A5CD1",
            False,
            *SOURCE,
        ),
    ],
    "orders": [
        # order_time is epoch ms of midnight in Asia/Shanghai: 2026-02-09T16:00Z is 2026-02-10 there
        (
            D1,
            C1,
            B1,
            dt.date(2026, 2, 10),
            ts("2026-02-10T02:00"),
            "confirmed",
            Decimal("12000"),
            Decimal("7000"),
            "EUR",
            False,
            *SOURCE,
        ),
        (
            D2,
            C2,
            None,
            dt.date(2026, 2, 21),
            ts("2026-02-21T05:00"),
            "confirmed",
            Decimal("2000000"),
            Decimal("1200000"),
            "NGN",
            False,
            *SOURCE,
        ),
        (
            D3,
            C1,
            None,
            dt.date(2026, 2, 11),
            ts("2026-02-12T01:00"),
            "cancelled",
            Decimal("500"),
            Decimal("300"),
            "EUR",
            True,
            *SOURCE,
        ),
    ],
    # the third activity is deleted in the CRM: never lands (is_deleted is a hard-delete column)
    "activities": [
        (E1, A1, None, ts("2026-01-07T09:00"), "call", *SOURCE, False),
        (E2, A1, B1, ts("2026-01-20T14:00"), "meeting", *SOURCE, False),
    ],
    "tickets": [
        (F1, C1, ts("2026-02-15T08:00"), ts("2026-02-16T10:30"), 5, *SOURCE, False),
        (F2, C2, ts("2026-03-01T12:00"), None, None, *SOURCE, False),
    ],
}


def raw_rows(warehouse, table: str) -> list[tuple]:
    return query(warehouse, f"select * exclude (_dlt_load_id) from raw_crm.{table} order by all")


@pytest.fixture
def fake(httpserver: HTTPServer) -> FakeFxiaoke:
    return FakeFxiaoke(offset_cap=4).install(httpserver)


@pytest.fixture
def tenant_config(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """The tenant's settings with its field and value maps (set_tenant_env)."""
    set_tenant_env(
        monkeypatch,
        httpserver.url_for("/"),
        FIELD_MAP=json.dumps(TENANT_FIELD_MAP),
        VALUE_MAP=json.dumps(TENANT_VALUE_MAP),
    )


@pytest.mark.usefixtures("tenant_config")
def test_every_object_lands_in_its_raw_table_with_contract_columns_and_types(
    fake, make_pipeline, warehouse
):
    # WHEN the source runs with the tenant's configuration
    make_pipeline("fxiaoke_raw_crm", "raw_crm").run(fxiaoke_source())

    # THEN every raw table holds exactly the expected rows
    for table, expected in EXPECTED.items():
        assert raw_rows(warehouse, table) == expected, table
    # AND the first run asked for everything modified since start_date
    first = fake.queries[0]["search_query_info"]["filters"][0]
    assert first["field_values"][0] == int(ts("2026-01-01T00:00").timestamp() * 1000)


def test_a_customised_field_name_is_read_through_the_field_map():
    # GIVEN a lead whose project code sits in the tenant's own field UDSText1__c
    lead = records("LeadsObj")[0]
    spec = raw_table("raw_crm", "leads")
    zone = ZoneInfo("Asia/Shanghai")

    def mapped(field_map):
        fields = resolve_field_map(field_map, {"leads": spec})["leads"]
        return RecordMapper(spec, fields, {}, zone).map(lead)

    # THEN the default map (project_code__c) finds nothing, the tenant's map finds it
    assert mapped(None)["project_code"] is None
    assert mapped({"LeadsObj": {"project_code": "UDSText1__c"}})["project_code"] == "P-DE"
    # AND a field can be mapped away (None: the tenant has no such field)
    assert mapped({"leads": {"campaign_id": None}})["campaign_id"] is None
    # (test_every_object_lands_... loads the same override from SOURCES__FXIAOKE__FIELD_MAP)


def test_value_map_default_currency_and_object_names_follow_the_settings():
    spec = raw_table("raw_crm", "orders")
    order = {k: v for k, v in records("SalesOrderObj")[0].items() if k != "mc_currency"}
    fields = resolve_field_map(None, {"orders": spec})["orders"]
    zone = ZoneInfo("Asia/Shanghai")

    # the default orders.status map: anything but normal / in_change is not confirmed
    default = RecordMapper(spec, fields, resolve_value_map(None)["orders"], zone, "eur")
    assert default.map({**order, "life_status": "under_review"})["status"] == "cancelled"
    assert default.map(order)["currency"] == "EUR"  # default_currency when none is given
    # a tenant's map replaces it; without "*" an unlisted value lands unchanged
    tenant = resolve_value_map({"SalesOrderObj": {"status": {"normal": "confirmed"}}})
    mapper = RecordMapper(spec, fields, tenant["orders"], zone)
    assert mapper.map({**order, "life_status": "under_review"})["status"] == "under_review"
    assert mapper.map(order)["currency"] is None

    # a tenant on the old opportunity object
    names = resolve_object_names({"opportunities": "OpportunityObj"})
    assert names["opportunities"] == "OpportunityObj" and names["leads"] == "LeadsObj"
    with pytest.raises(ValueError, match="unknown resource 'deals'"):
        resolve_object_names({"deals": "OpportunityObj"})


def test_a_field_map_naming_an_unknown_column_is_refused():
    with pytest.raises(Exception, match="'projectcode' is not a column of raw_crm.leads"):
        fxiaoke_source(
            app_id="a",
            app_secret="b",
            permanent_code="c",
            open_user_id="u",
            field_map={"leads": {"projectcode": "UDSText1__c"}},
        )


@pytest.mark.usefixtures("tenant_config")
def test_the_next_run_asks_only_for_records_changed_since_and_adds_their_new_version(
    fake, make_pipeline, warehouse
):
    pipeline = make_pipeline("fxiaoke_raw_crm", "raw_crm")
    pipeline.run(fxiaoke_source().with_resources("leads"))
    first_run_queries = len(fake.queries)

    # GIVEN a lead changed in the CRM after the first run
    changed = int(ts("2026-01-25T09:00").timestamp() * 1000)
    fake.update("LeadsObj", A2, last_modified_time=changed, biz_status="processed")

    # WHEN the source runs again
    pipeline.run(fxiaoke_source().with_resources("leads"))

    # THEN it asked from the newest last_modified_time it had seen (A5's), less the 5-minute lag
    window = fake.queries[first_run_queries]["search_query_info"]["filters"][0]
    assert window["field_values"][0] == int(ts("2026-01-20T11:55").timestamp() * 1000)
    # AND the raw table keeps both versions of A2 and still one row per other lead
    assert query(warehouse, "select lead_id, status from raw_crm.leads order by updated_at") == [
        (A1, "transformed"),
        (A2, "un_processed"),
        (A3, "transformed"),
        (A4, "closed"),
        (A5, "processed"),
        (A2, "processed"),
    ]


@pytest.mark.usefixtures("tenant_config")
def test_a_rerun_after_a_failure_mid_paging_neither_duplicates_nor_loses_rows(
    fake, make_pipeline, warehouse
):
    # GIVEN the second page of leads fails with an errorCode (after the first page came)
    fake.fail_page_once = {("LeadsObj", 2): "query_parameter_error"}
    pipeline = make_pipeline("fxiaoke_raw_crm", "raw_crm")
    with pytest.raises(PipelineStepFailed, match="errorCode 32000"):
        pipeline.run(fxiaoke_source().with_resources("leads", "orders"))

    # WHEN the same pipeline runs again
    pipeline.run(fxiaoke_source().with_resources("leads", "orders"))

    # THEN every record is there exactly once
    for table in ("leads", "orders"):
        assert raw_rows(warehouse, table) == EXPECTED[table], table
    assert query(warehouse, "select count(distinct lead_id), count(*) from raw_crm.leads") == [
        (5, 5)
    ]
    # AND the cursor moved only with the successful run: the rerun started at start_date
    windows = [
        q["search_query_info"]["filters"][0]["field_values"][0]
        for q in fake.queries
        if q["dataObjectApiName"] == "LeadsObj" and q["search_query_info"]["offset"] == 0
    ]
    assert windows[-2] == int(ts("2026-01-01T00:00").timestamp() * 1000)


JANUARY = ExtractWindow(dt.date(2026, 1, 1), dt.date(2026, 1, 31))
# last_modified_time BETWEEN 2026-01-01T00:00Z and the last millisecond of January:
# 2026-01-01 is day 20454 of the epoch (x 86,400,000 ms); January has 31 days.
JANUARY_FILTER = {
    "field_name": "last_modified_time",
    "field_values": [1_767_225_600_000, 1_767_225_600_000 + 31 * 86_400_000 - 1],
    "operator": "BETWEEN",
}


@pytest.mark.usefixtures("tenant_config")
def test_a_backfill_window_asks_for_exactly_its_range_and_lands_only_its_records(
    fake, make_pipeline, warehouse
):
    # WHEN January 2026 is backfilled into an empty warehouse
    pipeline = make_pipeline("fxiaoke_raw_crm", "raw_crm")
    pipeline.run(fxiaoke_source(window=JANUARY).with_resources("leads", "accounts"))

    # THEN every page (offset and keyset paging alike) asked for exactly January
    assert sorted(q["dataObjectApiName"] for q in fake.queries) == ["AccountObj"] + ["LeadsObj"] * 3
    assert all(q["search_query_info"]["filters"][0] == JANUARY_FILTER for q in fake.queries)
    # AND only January's records landed: account C2, modified at 2026-02-01T00:00Z exactly,
    # belongs to February
    assert raw_rows(warehouse, "leads") == EXPECTED["leads"]
    assert raw_rows(warehouse, "accounts") == EXPECTED["accounts"][:1]
    # AND no cursor was written
    assert "fxiaoke" not in pipeline.state.get("sources", {})


@pytest.mark.usefixtures("tenant_config")
def test_a_backfill_window_leaves_the_cursors_and_the_next_run_as_they_were(
    fake, make_pipeline, warehouse
):
    # GIVEN a scheduled run (newest last_modified_time seen: A5's, 2026-01-20T12:00Z)
    pipeline = make_pipeline("fxiaoke_raw_crm", "raw_crm")
    pipeline.run(fxiaoke_source().with_resources("leads"))
    state = copy.deepcopy(pipeline.state["sources"])
    # AND a lead changed afterwards, within January
    changed = int(ts("2026-01-25T09:00").timestamp() * 1000)
    fake.update("LeadsObj", A2, last_modified_time=changed, biz_status="processed")

    # WHEN January is backfilled, reading that change
    pipeline.run(fxiaoke_source(window=JANUARY).with_resources("leads"))
    assert query(warehouse, f"select status from raw_crm.leads where lead_id = '{A2}'") == [
        ("un_processed",),
        ("processed",),
    ]

    # THEN the cursors are exactly what they were
    assert pipeline.state["sources"] == state
    # AND the next scheduled run still asks from A5's time less the 5-minute lag
    fake.queries.clear()
    pipeline.run(fxiaoke_source().with_resources("leads"))
    since = fake.queries[0]["search_query_info"]["filters"][0]["field_values"][0]
    assert since == int(ts("2026-01-20T11:55").timestamp() * 1000)
