"""The shared incremental driver: windows, look-back, state, dates and values."""

from __future__ import annotations

import logging
import pickle
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from ingestion.ad_platforms.helpers import (
    AdPlatformAuthError,
    AdPlatformConfigurationError,
    date_slices,
    incremental_spend,
    parse_id_list,
    spend_row,
    to_decimal,
    window_spend,
    window_start,
    yesterday_utc,
)
from ingestion.window import ExtractWindow

from ..helpers import collect


@dataclass
class StubPlatform:
    """A platform that records the windows it is asked for and returns one row per day."""

    account_ids: list[str]
    start_date: date | None = date(2026, 3, 1)
    end_date: date | None = date(2026, 3, 10)
    lookback_days: int = 3
    name: str = "google_ads"
    windows: list[tuple[str, date, date]] = field(default_factory=list)

    def fetch(self, account_id: str, start: date, end: date) -> Iterator[list[dict[str, Any]]]:
        self.windows.append((account_id, start, end))
        days = (end - start).days + 1
        yield [
            spend_row(self.name, start + timedelta(days=offset), account_id, "1",
                      "Untagged campaign", "eur", Decimal("1"), 1, 0)
            for offset in range(days)
        ]  # fmt: skip


def test_first_run_starts_at_start_date_and_later_runs_go_back_lookback_days():
    platform = StubPlatform(["A", "B"])
    state: dict[str, Any] = {}
    collect(platform, state)
    assert platform.windows == [("A", date(2026, 3, 1), date(2026, 3, 10)),
                                ("B", date(2026, 3, 1), date(2026, 3, 10))]  # fmt: skip

    platform.end_date = date(2026, 3, 12)
    collect(platform, state)

    assert platform.windows[2:] == [("A", date(2026, 3, 7), date(2026, 3, 12)),
                                    ("B", date(2026, 3, 7), date(2026, 3, 12))]  # fmt: skip
    assert state == {"last_loaded_date": {"google_ads": {"A": "2026-03-12", "B": "2026-03-12"}}}


def test_a_new_account_starts_at_start_date_while_the_others_continue():
    platform = StubPlatform(["A", "B"])
    state = {"last_loaded_date": {"google_ads": {"A": "2026-03-08"}}}

    collect(platform, state)

    assert platform.windows == [("A", date(2026, 3, 5), date(2026, 3, 10)),
                                ("B", date(2026, 3, 1), date(2026, 3, 10))]  # fmt: skip


def test_an_end_date_before_the_last_loaded_day_reloads_but_never_moves_the_state_back():
    platform = StubPlatform(["A"], end_date=date(2026, 3, 9))
    state = {"last_loaded_date": {"google_ads": {"A": "2026-03-09"}}}

    platform.end_date = date(2026, 3, 7)
    collect(platform, state)

    assert platform.windows == [("A", date(2026, 3, 6), date(2026, 3, 7))]
    assert state["last_loaded_date"]["google_ads"] == {"A": "2026-03-09"}


def test_without_start_date_the_first_run_reads_the_last_90_days():
    platform = StubPlatform(["A"], start_date=None)

    collect(platform, {})

    assert platform.windows == [("A", date(2025, 12, 11), date(2026, 3, 10))]


def test_end_date_defaults_to_yesterday_in_utc():
    platform = StubPlatform(["A"], end_date=None)
    # 00:30 in Shanghai is still the previous day in UTC
    now = datetime(2026, 3, 11, 0, 30, tzinfo=timezone(timedelta(hours=8)))

    list(incremental_spend(platform, {}, now=now))

    assert platform.windows == [("A", date(2026, 3, 1), date(2026, 3, 9))]
    assert yesterday_utc(datetime(2026, 3, 11, 23, 59, tzinfo=UTC)) == date(2026, 3, 10)


def test_a_backfill_window_reads_exactly_its_days_for_every_account_and_no_state():
    # GIVEN account A loaded up to 2026-03-08, B never loaded
    platform = StubPlatform(["A", "B"])
    state = {"last_loaded_date": {"google_ads": {"A": "2026-03-08"}}}

    # WHEN February is backfilled (before start_date, no look-back, not up to end_date)
    window = ExtractWindow(date(2026, 2, 1), date(2026, 2, 3))
    rows = [row for page in window_spend(platform, window) for row in page]

    # THEN both accounts were asked for exactly 2026-02-01..2026-02-03, one row a day each
    assert platform.windows == [("A", date(2026, 2, 1), date(2026, 2, 3)),
                                ("B", date(2026, 2, 1), date(2026, 2, 3))]  # fmt: skip
    assert [(row["account_id"], row["date"]) for row in rows] == [
        (account, date(2026, 2, day)) for account in ("A", "B") for day in (1, 2, 3)
    ]
    # AND the next scheduled run carries on from the state as if the backfill never happened
    collect(platform, state)
    assert platform.windows[2:] == [("A", date(2026, 3, 5), date(2026, 3, 10)),
                                    ("B", date(2026, 3, 1), date(2026, 3, 10))]  # fmt: skip


def test_campaigns_without_a_project_tag_are_reported(caplog):
    with caplog.at_level(logging.WARNING, logger="ingestion.ad_platforms"):
        rows, _ = collect(StubPlatform(["A"]))

    assert len(rows) == 10  # loaded, not dropped
    assert "google_ads: 1 campaign(s) without a [PROJECT] tag in their name (1 'Untagged" in (
        caplog.text
    )


@pytest.mark.parametrize(
    ("start", "end", "days", "expected"),
    [
        pytest.param(date(2026, 3, 1), date(2026, 3, 5), 2,
                     [(date(2026, 3, 1), date(2026, 3, 2)), (date(2026, 3, 3), date(2026, 3, 4)),
                      (date(2026, 3, 5), date(2026, 3, 5))], id="uneven"),
        pytest.param(date(2026, 3, 1), date(2026, 3, 1), 30,
                     [(date(2026, 3, 1), date(2026, 3, 1))], id="one-day"),
        pytest.param(date(2026, 3, 2), date(2026, 3, 1), 30, [], id="empty"),
        pytest.param(date(2026, 2, 1), date(2026, 3, 3), 31,
                     [(date(2026, 2, 1), date(2026, 3, 3))], id="exactly-one-slice"),
    ],
)  # fmt: skip
def test_date_slices(start, end, days, expected):
    assert date_slices(start, end, days) == expected


def test_window_start():
    assert window_start(date(2026, 3, 1), None, 28) == date(2026, 3, 1)
    assert window_start(date(2026, 3, 1), date(2026, 3, 10), 28) == date(2026, 3, 1)
    assert window_start(date(2026, 1, 1), date(2026, 3, 10), 28) == date(2026, 2, 10)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(["123", 456], ["123", "456"], id="toml-list"),
        pytest.param('["123", "456"]', ["123", "456"], id="json-in-env"),
        pytest.param("123, 456,123", ["123", "456"], id="comma-separated-deduplicated"),
        pytest.param(1234567890, ["1234567890"], id="toml-integer"),
    ],
)
def test_account_ids_from_toml_or_environment(value, expected):
    assert parse_id_list(value, "meta_ads", "account_ids") == expected


@pytest.mark.parametrize("value", ["", " , ", "[not json", "12;34"])
def test_bad_account_ids_name_platform_and_key(value):
    with pytest.raises(AdPlatformConfigurationError, match=r"^meta_ads: .*account_ids.*"):
        parse_id_list(value, "meta_ads", "account_ids")


def test_spend_keeps_nine_decimals():
    assert to_decimal("28.553894139794957", "linkedin_ads", "cost") == Decimal("28.553894140")
    assert to_decimal(None, "meta_ads", "spend") == Decimal("0")
    row = spend_row("meta_ads", date(2026, 3, 1), "1", "2", "", "usd", Decimal("1"), 1, 0)
    assert row["currency"] == "USD" and row["campaign_name"] is None
    assert row["_source_file"] == "meta_ads API" and row["_source_line"] is None


def test_errors_survive_pickling():
    error = AdPlatformAuthError("meta_ads", ["access_token"], 401, "code 190: expired")

    copy = pickle.loads(pickle.dumps(error))

    assert type(copy) is AdPlatformAuthError and str(copy) == str(error)
    assert copy.platform == "meta_ads" and copy.credentials == ("access_token",)
