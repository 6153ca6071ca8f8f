"""Reporting periods: ISO weeks (Monday to Sunday), calendar months, quarters, half-years
(January to June, July to December) and years.

A period is what a scheduled review covers and what a backfill re-runs. Its label is what
people write (`2026-W05`, `2026-01`, `2026-Q1`); its key is its first day, which is also the
Dagster partition key of the review jobs.

`GRAINS` is the one list of grains: the review jobs, their partitions and schedules, the CLI's
choices, the report's wording and the marts' quality rule all derive from it, so a new grain
(half-year, year) is one entry here (the dbt models bucket periods on their own).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from foundation.translation import N_


@dataclass(frozen=True)
class Grain:
    """One period grain: how its periods are cut, written, partitioned and named."""

    name: str
    # Names the review job (roi_<adjective>) and its schedule (<adjective>_review).
    adjective: str
    # Calendar months per period, periods starting in January; None: ISO weeks from Monday.
    months: int | None
    # A label is the year, then `-`, this mark and the period's number within the year, padded
    # to `label_digits` (2026-W05, 2026-01, 2026-Q1); 0 digits: the year alone.
    label_mark: str
    label_digits: int
    # The report's words for one period and several, in English: the message ids its
    # catalogs translate (reporting/locale; N_ marks them for pybabel extract).
    words: tuple[str, str]

    @property
    def period_starts(self) -> str:
        """Day-of-month, month and day-of-week fields of a cron that fires on each period's
        first day (`* * 1` Mondays, `1 1,4,7,10 *` quarters)."""
        if self.months is None:
            return "* * 1"
        if self.months == 1:
            return "1 * *"
        return f"1 {','.join(str(month) for month in range(1, 13, self.months))} *"

    @property
    def partitions_cron(self) -> str:
        """Cron of the review job's partitions: midnight of each period's first day."""
        return f"0 0 {self.period_starts}"

    @property
    def label_pattern(self) -> re.Pattern[str]:
        if not self.label_digits:
            return re.compile(r"^(\d{4})$")
        per_year = 12 // self.months if self.months else 53
        number = f"[1-{per_year}]" if per_year < 10 else rf"\d{{{self.label_digits}}}"
        return re.compile(rf"^(\d{{4}})-{self.label_mark}({number})$")

    def example(self, year: int = 2026) -> str:
        """A label to show people: the period holding the Monday of ISO week 5 (2026-W05,
        2026-01, 2026-Q1)."""
        return Period.containing(self.name, dt.date.fromisocalendar(year, 5, 1)).label


GRAINS: dict[str, Grain] = {
    grain.name: grain
    for grain in (
        Grain(
            "week",
            "weekly",
            months=None,
            label_mark="W",
            label_digits=2,
            words=(N_("Week"), N_("weeks")),
        ),
        Grain(
            "month",
            "monthly",
            months=1,
            label_mark="",
            label_digits=2,
            words=(N_("Month"), N_("months")),
        ),
        Grain(
            "quarter",
            "quarterly",
            months=3,
            label_mark="Q",
            label_digits=1,
            words=(N_("Quarter"), N_("quarters")),
        ),
        Grain(
            "half_year",
            "semiannual",
            months=6,
            label_mark="H",
            label_digits=1,
            words=(N_("Half-year"), N_("half-years")),
        ),
        Grain(
            "year",
            "annual",
            months=12,
            label_mark="",
            label_digits=0,
            words=(N_("Year"), N_("years")),
        ),
    )
}
# The grain of a report when neither its period nor its grain is given.
DEFAULT_REPORT_GRAIN = "quarter"


def grain_of(name: str) -> Grain:
    try:
        return GRAINS[name]
    except KeyError:
        raise ValueError(
            f"unknown period grain {name!r}: expected one of {', '.join(GRAINS)}"
        ) from None


@dataclass(frozen=True, order=True)
class Period:
    grain: str
    start: dt.date
    end: dt.date

    @classmethod
    def containing(cls, grain: str, day: dt.date) -> Period:
        """The period of `grain` (week, month, quarter) that `day` falls in."""
        months = grain_of(grain).months
        if months is None:
            start = day - dt.timedelta(days=day.weekday())
            return cls(grain, start, start + dt.timedelta(days=6))
        start = day.replace(month=(day.month - 1) // months * months + 1, day=1)
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
        spec = grain_of(grain)
        match = spec.label_pattern.match(text.upper())
        try:
            if match is None:
                return cls.containing(grain, dt.date.fromisoformat(text))
            year = int(match[1])
            number = int(match[2]) if spec.label_digits else 1
            if spec.months is None:
                return cls.containing(grain, dt.date.fromisocalendar(year, number, 1))
            return cls.containing(grain, dt.date(year, (number - 1) * spec.months + 1, 1))
        except ValueError:
            raise ValueError(
                f"{text!r} is not a {grain}: write it like {spec.example()} "
                "or as a day in it (YYYY-MM-DD)"
            ) from None

    @property
    def label(self) -> str:
        spec = grain_of(self.grain)
        if spec.months is None:
            year, number, _ = self.start.isocalendar()
        else:
            year, number = self.start.year, (self.start.month - 1) // spec.months + 1
        if not spec.label_digits:
            return str(year)
        return f"{year}-{spec.label_mark}{number:0{spec.label_digits}d}"

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
    for grain in GRAINS.values():
        if grain.label_pattern.match(text.strip().upper()):
            return grain.name
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
