"""Reporting periods: ISO weeks (Monday to Sunday), calendar months and calendar quarters.

A period is what a scheduled review covers and what a backfill re-runs. Its label is what
people write (`2026-W05`, `2026-01`, `2026-Q1`); its key is its first day, which is also the
Dagster partition key of the review jobs.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

GRAINS = ("week", "month", "quarter")

_LABEL_PATTERNS = {
    "week": re.compile(r"^(\d{4})-W(\d{2})$"),
    "month": re.compile(r"^(\d{4})-(\d{2})$"),
    "quarter": re.compile(r"^(\d{4})-Q([1-4])$"),
}
_LABEL_EXAMPLES = {"week": "2026-W05", "month": "2026-01", "quarter": "2026-Q1"}


@dataclass(frozen=True, order=True)
class Period:
    grain: str
    start: dt.date
    end: dt.date

    @classmethod
    def containing(cls, grain: str, day: dt.date) -> Period:
        """The week / month / quarter that `day` falls in."""
        if grain == "week":
            start = day - dt.timedelta(days=day.weekday())
            return cls(grain, start, start + dt.timedelta(days=6))
        if grain == "month":
            start = day.replace(day=1)
        elif grain == "quarter":
            start = day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
        else:
            raise ValueError(f"unknown period grain {grain!r}: expected one of {', '.join(GRAINS)}")
        months = 1 if grain == "month" else 3
        year, month = divmod(start.month - 1 + months, 12)
        return cls(grain, start, dt.date(start.year + year, month + 1, 1) - dt.timedelta(days=1))

    @classmethod
    def closed_before(cls, grain: str, day: dt.date) -> Period:
        """The last period that ended before `day`: what a review run on `day` covers."""
        return cls.containing(grain, cls.containing(grain, day).start - dt.timedelta(days=1))

    @classmethod
    def parse(cls, grain: str, text: str) -> Period:
        """A period from its label (`2026-W05`, `2026-01`, `2026-Q1`) or any day in it."""
        text = text.strip()
        if grain not in GRAINS:
            raise ValueError(f"unknown period grain {grain!r}: expected one of {', '.join(GRAINS)}")
        match = _LABEL_PATTERNS[grain].match(text.upper())
        try:
            if match is None:
                return cls.containing(grain, dt.date.fromisoformat(text))
            year, number = int(match[1]), int(match[2])
            if grain == "week":
                return cls.containing(grain, dt.date.fromisocalendar(year, number, 1))
            if grain == "month":
                return cls.containing(grain, dt.date(year, number, 1))
            return cls.containing(grain, dt.date(year, number * 3 - 2, 1))
        except ValueError:
            raise ValueError(
                f"{text!r} is not a {grain}: write it like {_LABEL_EXAMPLES[grain]} "
                "or as a day in it (YYYY-MM-DD)"
            ) from None

    @property
    def label(self) -> str:
        if self.grain == "week":
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        if self.grain == "month":
            return f"{self.start:%Y-%m}"
        return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"

    @property
    def key(self) -> str:
        """The Dagster partition key of this period in its review job: its first day."""
        return self.start.isoformat()

    def next(self) -> Period:
        return Period.containing(self.grain, self.end + dt.timedelta(days=1))

    def tags(self) -> dict[str, str]:
        """Run tags naming the period; `audit.runs` copies them."""
        return {
            "roi/period_grain": self.grain,
            "roi/period": self.label,
            "roi/period_start": self.start.isoformat(),
            "roi/period_end": self.end.isoformat(),
        }

    @classmethod
    def from_tags(cls, tags: dict[str, str]) -> Period | None:
        if "roi/period_grain" not in tags:
            return None
        return cls(
            tags["roi/period_grain"],
            dt.date.fromisoformat(tags["roi/period_start"]),
            dt.date.fromisoformat(tags["roi/period_end"]),
        )


def label_grain(text: str) -> str | None:
    """The grain a period label is written in (`2026-W05` week, `2026-01` month, `2026-Q1`
    quarter); None for anything else, such as a day."""
    for grain, pattern in _LABEL_PATTERNS.items():
        if pattern.match(text.strip().upper()):
            return grain
    return None


def periods_between(grain: str, first: str, last: str) -> list[Period]:
    """Every period from `first` to `last` (labels or days), both included."""
    start, stop = Period.parse(grain, first), Period.parse(grain, last)
    if stop < start:
        raise ValueError(f"--from {first} is after --to {last}")
    periods = [start]
    while periods[-1] < stop:
        periods.append(periods[-1].next())
    return periods
