"""What a scenario asks: a budget shift or a churn change, and the values people write for them.

The scenarios are frozen dataclasses that anyone can build (the YAML file, the command's flags,
the report). What they check on construction needs no data: exactly one of an amount and a
share, positive amounts, shares in (0, 1], a horizon of at least a month. Whether the warehouse
can support them (a known project, a paid channel with enough customers, a complete window, a
churn that stays in [0, 1)) is `simulation.engine.simulate`'s to judge: it refuses with a reason.

The parsers (`parse_*`) turn what people write (`20%`, `-1pp`, `2025-Q3:2026-Q1`) into values
and raise ValueError with a sentence that says what was expected; the caller adds where the
value came from (a flag, a field of a scenario in a file).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import ClassVar

from foundation.periods import Period, label_grain
from ingestion.file_contract import CHANNELS, PLATFORMS

# The channels that can have media spend: the ad platforms (docs/metrics.md#customers).
PAID_CHANNELS: tuple[str, ...] = PLATFORMS
KNOWN_CHANNELS: tuple[str, ...] = CHANNELS
# A window is whole calendar months, written in any of these grains' labels.
WINDOW_GRAINS = ("quarter", "month", "half_year", "year")
WINDOW_EXAMPLES = "2025-Q3:2026-Q1, 2026-Q1, 2025-07:2025-12, 2026-H1 or 2025"


@dataclass(frozen=True)
class Window:
    """The baseline window: from the first day of `first` to the last day of `last`."""

    first: Period
    last: Period

    def __post_init__(self) -> None:
        if self.last.end < self.first.start:
            raise ValueError(f"{self.first.label} is after {self.last.label}")

    @property
    def start(self) -> dt.date:
        return self.first.start

    @property
    def end(self) -> dt.date:
        return self.last.end

    @property
    def label(self) -> str:
        if self.first == self.last:
            return self.first.label
        # an en dash, as in a range of dates: the label reads the same in every language
        return f"{self.first.label}–{self.last.label}"

    def holds(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    @classmethod
    def parse(cls, text: str) -> Window:
        return parse_window(text)


def parse_window(value: object) -> Window:
    """`2025-Q3:2026-Q1` (first and last period, both included) or one period (`2026-Q1`);
    quarters, months, half-years or years."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{value!r} is not a window: write it like {WINDOW_EXAMPLES}")
    first_text, _, last_text = value.strip().partition(":")
    periods = []
    for text in (first_text, last_text or first_text):
        grain = label_grain(text)
        if grain not in WINDOW_GRAINS:
            raise ValueError(
                f"{value!r} is not a window of whole months: write it like {WINDOW_EXAMPLES} "
                "(quarters, months, half-years or years; first:last, both included)"
            )
        periods.append(Period.parse(grain, text))
    try:
        return Window(*periods)
    except ValueError as error:
        raise ValueError(f"{value!r} is not a window: {error}") from None


def _number(value: object) -> float | None:
    """A finite number from a YAML number or a text like `10,000` (None: not a number)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip().replace(",", "").replace("_", ""))
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def parse_amount(value: object) -> float:
    """An amount of money in the reporting currency, more than 0 (`10000`, `10,000`)."""
    number = _number(value)
    if number is None or number <= 0:
        raise ValueError(
            f"{value!r} is not an amount: write a positive number in the reporting currency, "
            "like 10000"
        )
    return number


def fraction(value: object) -> float | None:
    """A finite fraction from a percentage (`20%`) or a number (`0.2`, a YAML number or a
    text); None: not a number."""
    text = value.strip() if isinstance(value, str) else value
    if isinstance(text, str) and text.endswith("%"):
        number = _number(text[:-1])
        return None if number is None else number / 100
    return _number(text)


def whole_number(value: object) -> int | None:
    """A whole number of at least 1 from a YAML integer or a text of digits; None: not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    else:
        return None
    return number if number >= 1 else None


def parse_share(value: object) -> float:
    """A share of the channel's spend in (0, 1]: `20%` or `0.2`."""
    share = fraction(value)
    if share is None or not 0 < share <= 1:
        raise ValueError(
            f"{value!r} is not a share of the spend: write a percentage above 0% and at most "
            "100%, like 20%, or a fraction like 0.2"
        )
    return share


_POINTS = re.compile(r"^([+-]?\d+(?:\.\d+)?|[+-]?\.\d+)\s*pp$", re.IGNORECASE)


def parse_points(value: object) -> float:
    """A change of a rate in percentage points, as a fraction: `-1pp` is -0.01. The unit is
    required: a bare -1 could mean -1 point or -100 points."""
    match = _POINTS.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise ValueError(
            f"{value!r} is not a change in percentage points: write it with pp, like -1pp, "
            "+0.5pp or 2pp"
        )
    return float(match[1]) / 100


def parse_months(value: object) -> int:
    """A whole number of months, at least 1."""
    number = whole_number(value)
    if number is None:
        raise ValueError(f"{value!r} is not a number of months: write a whole number like 12")
    return number


def parse_channel(value: object) -> str:
    """One of the acquisition channels (any case)."""
    text = value.strip().lower() if isinstance(value, str) else None
    if text not in KNOWN_CHANNELS:
        raise ValueError(f"{value!r} is not a channel: allowed {', '.join(KNOWN_CHANNELS)}")
    return text


def parse_project(value: object) -> str:
    """A project code as written (which ones exist is the warehouse's to say)."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{value!r} is not a project code: write one like P-DE")
    return value.strip()


def parse_shift(value: object) -> tuple[str, str]:
    """`google_ads:meta_ads` (from, to), or `google_ads` alone (the same channel, for a move
    to another project)."""
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not FROM:TO channels, like google_ads:meta_ads")
    source, _, target = value.partition(":")
    return parse_channel(source), parse_channel(target or source)


@dataclass(frozen=True)
class BudgetShift:
    """Move `amount` (reporting currency) or `share` of `project`'s spend on `from_channel`
    in the window to `to_channel` of `to_project` (None: the same project). `window` None:
    the default window (the last `window_quarters` complete quarters)."""

    kind: ClassVar[str] = "budget_shift"

    project: str
    from_channel: str
    to_channel: str
    amount: float | None = None
    share: float | None = None
    to_project: str | None = None
    window: Window | None = None
    name: str | None = None

    def __post_init__(self) -> None:
        if (self.amount is None) == (self.share is None):
            raise ValueError("a budget shift moves either an amount or a share, not both")
        if self.amount is not None and not (math.isfinite(self.amount) and self.amount > 0):
            raise ValueError(f"the amount moved must be more than 0, not {self.amount}")
        if self.share is not None and not 0 < self.share <= 1:
            raise ValueError(f"the share moved must be in (0, 1], not {self.share}")

    @property
    def receiving_project(self) -> str:
        return self.to_project or self.project

    @property
    def across_projects(self) -> bool:
        return self.receiving_project != self.project


@dataclass(frozen=True)
class ChurnChange:
    """Change `project`'s monthly churn rate by `change` (a fraction: -0.01 is -1 percentage
    point) and look `horizon_months` ahead (None: the setting `horizon_months`)."""

    kind: ClassVar[str] = "churn_change"

    project: str
    change: float
    horizon_months: int | None = None
    name: str | None = None

    def __post_init__(self) -> None:
        if not math.isfinite(self.change):
            raise ValueError(f"the churn change must be a number, not {self.change}")
        if self.horizon_months is not None and self.horizon_months < 1:
            raise ValueError(f"the horizon must be at least 1 month, not {self.horizon_months}")


Scenario = BudgetShift | ChurnChange
SCENARIO_TYPES: dict[str, type] = {BudgetShift.kind: BudgetShift, ChurnChange.kind: ChurnChange}
