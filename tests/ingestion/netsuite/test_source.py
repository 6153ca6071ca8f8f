"""netsuite_source against a local SuiteQL server: paging, signatures, retries, cursor, errors."""

from __future__ import annotations

import copy
import datetime as dt
import time
from decimal import Decimal

import pytest
from dlt.pipeline.exceptions import PipelineStepFailed
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from ingestion.netsuite import netsuite_source
from ingestion.window import ExtractWindow

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


def test_a_page_cut_off_mid_transfer_is_read_again_with_a_fresh_signature(
    httpserver, fake, make_pipeline, warehouse
):
    # GIVEN the answer for page 1 arrives as HTTP 200 with half of its JSON (a dropped
    # connection); page 2 whole
    fake.cut_off = 1

    make_pipeline("netsuite_raw_erp", "raw_erp").run(source(httpserver))

    # THEN it was asked again, signed anew, and every cost line landed once
    assert costs(warehouse) == EXPECTED
    assert [r["offset"] for r in fake.requests] == [0, 0, 2]
    assert len(fake.nonces) == 3 and len(set(fake.nonces)) == 3


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


FEBRUARY = ExtractWindow(dt.date(2026, 2, 1), dt.date(2026, 2, 28))


def add_lines(fake: FakeNetSuite, **posted_at: str) -> None:
    """More cost lines like 2002-1, by cost id and lastmodifieddate (Los Angeles time), in
    the order the cost query returns them (by lastmodifieddate)."""
    for cost_id, moment in posted_at.items():
        fake.items.append({**fake.items[2], "cost_id": cost_id, "posted_at": moment})
    fake.items.sort(key=lambda item: item["posted_at"])


def like_2002_1(cost_id: str, posted_at: str) -> tuple:
    return (cost_id, *EXPECTED[2][1:6], ts(posted_at), *SOURCE)


def test_a_backfill_window_reads_from_its_start_and_drops_rows_from_its_end(
    httpserver, fake, make_pipeline, warehouse
):
    # GIVEN lines modified on both sides of each edge of February (UTC; LA is UTC-8)
    add_lines(
        fake,
        **{
            "3000-1": "2026-01-31 15:59:59",  # 2026-01-31T23:59:59Z: January
            "3001-1": "2026-01-31 16:00:00",  # 2026-02-01T00:00:00Z: February's first second
            "3002-1": "2026-02-28 15:59:59",  # 2026-02-28T23:59:59Z: February's last second
            "3003-1": "2026-02-28 16:00:00",  # 2026-03-01T00:00:00Z: March
            "3004-1": "2026-03-02 09:00:00",
            "3005-1": "2026-03-03 09:00:00",
        },
    )

    # WHEN February is backfilled (start_date 2026-01-01 does not apply)
    pipeline = make_pipeline("netsuite_raw_erp", "raw_erp")
    pipeline.run(source(httpserver, window=FEBRUARY))

    # THEN {since} was February's start in the role's zone, and paging stopped at the page
    # holding the first March row (ordered by lastmodifieddate, every later row is March too)
    assert fake.requests == [
        {"limit": 2, "offset": 0, "since": "2026-01-31 16:00:00"},
        {"limit": 2, "offset": 2, "since": "2026-01-31 16:00:00"},
        {"limit": 2, "offset": 4, "since": "2026-01-31 16:00:00"},
    ]
    # AND exactly February's lines landed
    assert costs(warehouse) == [
        *EXPECTED,
        like_2002_1("3001-1", "2026-02-01T00:00:00"),
        like_2002_1("3002-1", "2026-02-28T23:59:59"),
    ]
    # AND no cursor was written
    assert "netsuite" not in pipeline.state.get("sources", {})


def test_a_backfill_window_restarts_past_the_row_limit_within_the_window(
    httpserver, fake, make_pipeline, warehouse
):
    # GIVEN a line at February's first second and two in March; a row limit of 3 a query
    add_lines(
        fake,
        **{
            "3001-1": "2026-01-31 16:00:00",
            "3003-1": "2026-02-28 16:00:00",
            "3004-1": "2026-03-02 09:00:00",
        },
    )

    # WHEN February is backfilled a row a page
    pipeline = make_pipeline("netsuite_raw_erp", "raw_erp")
    pipeline.run(source(httpserver, window=FEBRUARY, page_size=1, max_rows_per_query=3))

    # THEN each restart began at the newest lastmodifieddate seen, until a March row came
    assert [(r["since"], r["offset"]) for r in fake.requests] == [
        ("2026-01-31 16:00:00", 0),  # 3001-1
        ("2026-01-31 16:00:00", 1),  # 2001-1
        ("2026-01-31 16:00:00", 2),  # 2001-2: the row limit
        ("2026-02-04 10:00:00", 0),  # 2001-1 again
        ("2026-02-04 10:00:00", 1),  # 2001-2 again
        ("2026-02-04 10:00:00", 2),  # 2002-1: the row limit
        ("2026-02-26 08:15:00", 0),  # 2002-1 again
        ("2026-02-26 08:15:00", 1),  # 3003-1, March: done
    ]
    # AND February's lines landed once each, and no cursor was written
    assert costs(warehouse) == [*EXPECTED, like_2002_1("3001-1", "2026-02-01T00:00:00")]
    assert "netsuite" not in pipeline.state.get("sources", {})


def test_a_backfill_window_leaves_the_cursor_and_the_next_run_as_they_were(
    httpserver, fake, make_pipeline, warehouse
):
    # GIVEN a scheduled run (newest lastmodifieddate: 2002-1's, 2026-02-26 08:15 in LA)
    pipeline = make_pipeline("netsuite_raw_erp", "raw_erp")
    pipeline.run(source(httpserver))
    state = copy.deepcopy(pipeline.state["sources"])
    # AND a line modified afterwards, in March
    add_lines(fake, **{"3004-1": "2026-03-02 09:00:00"})

    # WHEN March is backfilled, reading that line
    pipeline.run(
        source(httpserver, window=ExtractWindow(dt.date(2026, 3, 1), dt.date(2026, 3, 31)))
    )
    assert fake.requests[-1]["since"] == "2026-02-28 16:00:00"
    assert len(costs(warehouse)) == 4

    # THEN the cursor is exactly what it was
    assert pipeline.state["sources"] == state
    # AND the next scheduled run still starts at 2002-1's lastmodifieddate
    pipeline.run(source(httpserver))
    assert fake.requests[-1]["since"] == "2026-02-26 08:15:00"


def test_a_cursor_kept_by_an_earlier_version_is_where_the_next_run_starts(
    httpserver, fake, make_pipeline, warehouse
):
    # GIVEN a pipeline whose cursor an earlier version kept as a plain resource state key
    # (2002-1's lastmodifieddate), before the cursor became dlt's incremental
    pipeline = make_pipeline("netsuite_raw_erp", "raw_erp")
    with pipeline.managed_state() as state:
        state.setdefault("sources", {})["netsuite"] = {
            "resources": {"costs": {"posted_at": "2026-02-26T16:15:00+00:00"}}
        }

    # WHEN the next scheduled run starts
    pipeline.run(source(httpserver))

    # THEN it asks for the lines from that cursor on, not from start_date
    assert fake.requests == [{"limit": 2, "offset": 0, "since": "2026-02-26 08:15:00"}]
    assert costs(warehouse) == [EXPECTED[2]]
    # AND dlt's incremental carries the cursor on
    cursor = pipeline.state["sources"]["netsuite"]["resources"]["costs"]["incremental"]
    assert cursor["posted_at"]["last_value"] == ts("2026-02-26T16:15")


class SlowPageTwo(FakeNetSuite):
    """Answers page 2 (offset 2) only after the client has stopped waiting."""

    def _suiteql(self, request: Request) -> Response:
        if request.args.get("offset") == "2":
            time.sleep(0.5)
        return super()._suiteql(request)


def test_a_page_that_gets_no_answer_is_named_with_the_credentials_masked(
    slow_httpserver, monkeypatch, make_pipeline
):
    httpserver = slow_httpserver
    # GIVEN page 2 never answers in time, and the base URL carries a proxy password
    SlowPageTwo().install(httpserver)
    monkeypatch.setenv("RUNTIME__REQUEST_TIMEOUT", "0.2")
    base_url = f"http://roi:proxy-secret@{httpserver.host}:{httpserver.port}"

    # WHEN the load gives up on it
    with pytest.raises(PipelineStepFailed) as raised:
        make_pipeline("netsuite_raw_erp", "raw_erp").run(source(httpserver, base_url=base_url))

    # THEN the error names the account, the endpoint and page 2, with the password masked
    message = str(raised.value)
    assert (
        f"NetSuite SuiteQL for account {ACCOUNT_ID}: POST http://***@{httpserver.host}:"
        f"{httpserver.port}/services/rest/query/v1/suiteql page 2: ReadTimeout: " in message
    )
    assert "proxy-secret" not in message
