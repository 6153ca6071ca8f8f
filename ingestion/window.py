"""Backfill windows: re-extract a past period of a live connector without moving its cursor.

Scheduled runs read from the incremental cursor each connector keeps in dlt resource state.
A backfill instead names the period to read again, `ExtractWindow(start, end)`, and passes it
to `ingestion.api_sources.api_source(dataset, connector, window)`: the connector then reads
exactly that period and neither reads nor writes its cursor, so the next scheduled run
behaves as if the backfill never happened. What "the period" means per connector (the day
of the spend, the record's last-modified time, the rate's date) is in each README.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated

from dlt.common.configuration import NotResolved

__all__ = ["ExtractWindow", "WindowArgument"]


@dataclass(frozen=True)
class ExtractWindow:
    """The days start..end, both inclusive (UTC days where a connector filters on instants)."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        for name in ("start", "end"):
            value = getattr(self, name)
            # a datetime is a date too, but would make the window's bounds ambiguous
            if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
                raise TypeError(f"extract window {name} must be a date, not {value!r}")
        if self.start > self.end:
            raise ValueError(
                f"extract window start {self.start.isoformat()} is after its end "
                f"{self.end.isoformat()}: a window runs from start to end, both inclusive"
            )

    def start_utc(self) -> dt.datetime:
        """The first instant of the window: UTC midnight of `start`."""
        return dt.datetime(self.start.year, self.start.month, self.start.day, tzinfo=dt.UTC)

    def end_utc_exclusive(self) -> dt.datetime:
        """The first instant after the window: UTC midnight of the day after `end`."""
        after = self.end + dt.timedelta(days=1)
        return dt.datetime(after.year, after.month, after.day, tzinfo=dt.UTC)

    def __str__(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


# The `window` argument of a @dlt.source. dlt turns every source argument into a config field
# looked up as [sources.<name>] <argument>; a window is chosen per run, in code, so the
# NotResolved mark keeps dlt from ever reading one from config or the environment (a stray
# SOURCES__<NAME>__WINDOW neither turns scheduled runs into backfills nor fails them).
# Declare it `window: WindowArgument = dlt.config.value`, not `= None`: dlt wraps the hint of
# a None default in Optional[...], which hides the mark. With the mark, the sentinel only
# tells dlt "no default of its own": an omitted window is None and never required.
WindowArgument = Annotated[ExtractWindow | None, NotResolved()]
