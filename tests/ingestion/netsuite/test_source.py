"""netsuite_source against a local SuiteQL server: paging, signatures, retries, cursor, errors."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from dlt.pipeline.exceptions import PipelineStepFailed
from pytest_httpserver import HTTPServer

from ingestion.netsuite import netsuite_source

from ..conftest import query
from .fake_netsuite import ACCOUNT_ID, CREDENTIALS, FakeNetSuite

CATEGORY_MAP = {"61": "marketing", "66": "travel", "Salaries : Local staff": "salaries"}
SOURCE = ("netsuite SuiteQL", None)


def ts(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


EXPECTED = [
    # posted_at is NetSuite's lastmodifieddate in the role's zone (Los Angeles here), in UTC
    (
        "2001-1",
        "P-DE",
        dt.date(2026, 2, 3),
        "marketing",
        Decimal("3000"),
        "EUR",
        ts("2026-02-04T18:00"),
        *SOURCE,
    ),
    (
        "2001-2",
        "P-DE",
        dt.date(2026, 2, 3),
        "travel",
        Decimal("450.5"),
        "EUR",
        ts("2026-02-04T18:00"),
        *SOURCE,
    ),
    (
        "2002-1",
        "P-NG",
        dt.date(2026, 2, 25),
        "salaries",
        Decimal("1500000"),
        "NGN",
        ts("2026-02-26T16:15"),
        *SOURCE,
    ),
]


@pytest.fixture
def fake(httpserver: HTTPServer) -> FakeNetSuite:
    return FakeNetSuite().install(httpserver)


def source(httpserver: HTTPServer, **overrides):
    settings = {
        "account_id": ACCOUNT_ID,
        "base_url": httpserver.url_for(""),
        "start_date": "2026-01-01",
        "category_map": CATEGORY_MAP,
        "timezone": "America/Los_Angeles",
        "page_size": 2,
        **CREDENTIALS,
        **overrides,
    }
    return netsuite_source(**settings)


def costs(warehouse) -> list[tuple]:
    return query(warehouse, "select * exclude (_dlt_load_id) from raw_erp.costs order by all")


def test_costs_page_through_has_more_with_signed_requests(
    httpserver, fake, make_pipeline, warehouse
):
    make_pipeline("netsuite_raw_erp", "raw_erp").run(source(httpserver))

    assert costs(warehouse) == EXPECTED
    # two pages of two: limit/offset until hasMore is false; since = start_date in LA time
    assert fake.requests == [
        {"limit": 2, "offset": 0, "since": "2025-12-31 16:00:00"},
        {"limit": 2, "offset": 2, "since": "2025-12-31 16:00:00"},
    ]


def test_throttling_is_retried_with_a_fresh_signature(httpserver, fake, make_pipeline, warehouse):
    # GIVEN NetSuite's concurrency limit answers the first two attempts with HTTP 429
    fake.throttle = 2

    make_pipeline("netsuite_raw_erp", "raw_erp").run(source(httpserver))

    assert costs(warehouse) == EXPECTED
    # every attempt was signed anew (NetSuite refuses a nonce it has seen)
    assert len(fake.nonces) == 4 and len(set(fake.nonces)) == 4


def test_refused_credentials_fail_naming_the_settings_but_not_their_values(
    httpserver, fake, make_pipeline
):
    with pytest.raises(PipelineStepFailed) as raised:
        make_pipeline("netsuite_raw_erp", "raw_erp").run(
            source(httpserver, token_secret="wrong-token-secret")
        )
    message = str(raised.value)
    assert "token-based authentication refused" in message and "token_secret" in message
    assert "INVALID_LOGIN" in message and ACCOUNT_ID in message
    assert "wrong-token-secret" not in message and CREDENTIALS["consumer_secret"] not in message


def test_the_next_run_starts_at_the_newest_lastmodifieddate(
    httpserver, fake, make_pipeline, warehouse
):
    pipeline = make_pipeline("netsuite_raw_erp", "raw_erp")
    pipeline.run(source(httpserver))

    # GIVEN a cost line edited in NetSuite after the first run
    fake.items.append({**fake.items[2], "amount": "1450000", "posted_at": "2026-03-02 09:00:00"})
    pipeline.run(source(httpserver))

    assert fake.requests[-1]["since"] == "2026-02-26 08:15:00"  # inclusive, in the role's zone
    assert query(
        warehouse,
        "select cost_id, amount, posted_at from raw_erp.costs where cost_id = '2002-1' "
        "order by posted_at",
    ) == [
        ("2002-1", Decimal("1500000"), ts("2026-02-26T16:15")),
        ("2002-1", Decimal("1450000"), ts("2026-03-02T17:00")),
    ]
    assert len(costs(warehouse)) == 4  # the re-read boundary row did not duplicate


def test_a_category_outside_the_contract_is_refused():
    with pytest.raises(Exception, match="category must be one of marketing"):
        netsuite_source(account_id=ACCOUNT_ID, category_map={"61": "advertising"}, **CREDENTIALS)


def test_past_the_row_limit_of_one_query_it_restarts_from_the_newest_date(
    httpserver, fake, make_pipeline, warehouse
):
    # GIVEN five cost lines, a row limit of 3 a query and pages of 1
    for cost_id, posted_at in (
        ("2003-1", "2026-03-01 09:00:00"),
        ("2004-1", "2026-03-02 09:00:00"),
    ):
        fake.items.append({**fake.items[2], "cost_id": cost_id, "posted_at": posted_at})
    make_pipeline("netsuite_raw_erp", "raw_erp").run(
        source(httpserver, page_size=1, max_rows_per_query=3)
    )

    # THEN the query restarted from the newest lastmodifieddate seen, until done
    assert [(r["since"], r["offset"]) for r in fake.requests] == [
        ("2025-12-31 16:00:00", 0),
        ("2025-12-31 16:00:00", 1),
        ("2025-12-31 16:00:00", 2),
        ("2026-02-26 08:15:00", 0),
        ("2026-02-26 08:15:00", 1),
        ("2026-02-26 08:15:00", 2),
    ]
    # AND the row read twice (2002-1) landed once
    assert query(warehouse, "select cost_id from raw_erp.costs order by cost_id") == [
        ("2001-1",),
        ("2001-2",),
        ("2002-1",),
        ("2003-1",),
        ("2004-1",),
    ]


def test_more_rows_on_one_date_than_a_query_may_return_fail_clearly(
    httpserver, fake, make_pipeline
):
    with pytest.raises(PipelineStepFailed, match="more rows share one lastmodifieddate"):
        make_pipeline("netsuite_raw_erp", "raw_erp").run(
            source(httpserver, page_size=1, max_rows_per_query=1)
        )
