"""An erased account or lead (roi forget) stays out when a later Fxiaoke page sends it again.

The suppression list is applied to every source the same way (ingestion.suppression.suppress_erased,
called by each load step): the file drop is covered by tests/roi/test_forget.py, a live connector
here. In the fake tenant account C1 has the converted lead A1, the opportunity B1 (lead A1),
the orders D1 and D3, the ticket F1 and the activities E1 (A1) and E2 (A1, B1); lead A3
converted into C2 and is named by C2's opportunity B2.
"""

from __future__ import annotations

import copy
import datetime as dt

import pytest
from pytest_httpserver import HTTPServer

from foundation.warehouse import DuckDBWarehouse
from ingestion.fxiaoke import fxiaoke_source
from ingestion.suppression import suppress_erased
from roi.erasure import forget

from ..conftest import query
from .fake_fxiaoke import FakeFxiaoke, set_tenant_env
from .test_source import A2, A3, A4, A5, B1, B2, C1, C2, D1, D2, F2

LATER = int(dt.datetime(2026, 3, 5, tzinfo=dt.UTC).timestamp() * 1000)
D4 = "65a0000000000000000000d4"


@pytest.fixture
def fake(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> FakeFxiaoke:
    set_tenant_env(monkeypatch, httpserver.url_for("/"))
    return FakeFxiaoke(offset_cap=4).install(httpserver)


def test_a_later_page_sending_an_erased_account_or_lead_lands_none_of_it(
    fake, make_pipeline, warehouse
):
    # GIVEN the CRM loaded, then account C1 and lead A3 erased
    pipeline = make_pipeline("fxiaoke_raw_crm", "raw_crm")
    pipeline.run(fxiaoke_source())
    for kind, key in (("account", C1), ("lead", A3)):
        forget(DuckDBWarehouse(warehouse), kind, key, requested_by="dpo")
    # AND later the CRM changes them, C1 gets a new order, and C2 (not erased) changes too
    fake.update("AccountObj", C1, last_modified_time=LATER, industry_level1="energy")
    fake.update("LeadsObj", A3, last_modified_time=LATER, biz_status="closed")
    fake.update("NewOpportunityObj", B1, last_modified_time=LATER)
    fake.update("NewOpportunityObj", B2, last_modified_time=LATER)
    new_order = copy.deepcopy(next(o for o in fake.objects["SalesOrderObj"] if o["_id"] == D1))
    fake.objects["SalesOrderObj"].append({**new_order, "_id": D4, "last_modified_time": LATER})
    fake.update("AccountObj", C2, last_modified_time=LATER, industry_level1="mining")

    # WHEN the next incremental load brings those pages
    pipeline.run(suppress_erased(fxiaoke_source(), DuckDBWarehouse(warehouse)))

    # THEN nothing of C1 or A3 landed, C2's change did, and B2 lost its reference to A3 only
    assert query(warehouse, "select account_id, industry from raw_crm.accounts order by 2") == [
        (C2, "energy"),
        (C2, "mining"),
    ]
    assert query(warehouse, "select lead_id from raw_crm.leads order by 1") == [(A2,), (A4,), (A5,)]
    assert query(
        warehouse,
        "select opportunity_id, account_id, lead_id from raw_crm.opportunities order by updated_at",
    ) == [(B2, C2, None), (B2, C2, None)]
    assert query(warehouse, "select order_id from raw_crm.orders") == [(D2,)]
    assert query(warehouse, "select ticket_id from raw_crm.tickets") == [(F2,)]
    assert query(warehouse, "select count(*) from raw_crm.activities") == [(0,)]
