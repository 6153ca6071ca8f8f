"""The settings of `roi simulate`: defaults, `ROI_SIMULATE_<NAME>` environment variables, a
scenario file's `settings:` and `--setting name=value`, later ones winning in that order
(foundation.named_settings)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from foundation.named_settings import NamedSettings

from .scenarios import fraction, whole_number


@dataclass(frozen=True)
class SimulationSettings(NamedSettings):
    ENV_PREFIX: ClassVar[str] = "ROI_SIMULATE_"
    FLAG: ClassVar[str] = "--setting"

    # A channel needs at least this many new customers in the window before its cost per
    # customer and average LTV are read as its efficiency (either side of a budget shift).
    min_customers: int = 5
    # The receiving channel's cost per customer of the extra customers, this much above the
    # observed one: one projected column per band (0 = the observed cost).
    bands: tuple[float, ...] = (0.0, 0.25, 0.5)
    # A budget shift without a window looks at the last this-many complete quarters.
    window_quarters: int = 2
    # A churn change without a horizon looks this many months ahead.
    horizon_months: int = 12
    # The cap on a customer's expected remaining lifetime: must be the dbt var
    # predicted_ltv_max_lifetime_months the marts were built with (a test keeps the default
    # equal to dbt_project.yml's), or the churn baseline would not be the marts' predicted LTV.
    max_lifetime_months: int = 36

    def __post_init__(self) -> None:
        # the same bounds as the parsers below, for settings built in code (the report)
        for name in ("min_customers", "window_quarters", "horizon_months", "max_lifetime_months"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, not {getattr(self, name)}")
        if not self.bands or min(self.bands) < 0:
            raise ValueError(f"bands must be one or more increases of at least 0: {self.bands}")

    @classmethod
    def parse_value(cls, name: str, value: object) -> object:
        return parse_bands(value) if name == "bands" else _whole(value)


def _whole(value: object) -> int:
    number = whole_number(value)
    if number is None:
        raise ValueError(f"{value!r} is not a whole number of at least 1")
    return number


def parse_bands(value: object) -> tuple[float, ...]:
    """`0,25%,50%` or a list (`[0, 0.25, 50%]`): increases of the cost per customer, each at
    least 0."""
    if isinstance(value, str):
        items = value.split(",")
    elif isinstance(value, int | float) and not isinstance(value, bool):
        items = [value]  # one band, as YAML writes `bands: 0.25`
    else:
        items = value
    if not isinstance(items, list | tuple) or not items:
        raise ValueError(f"{value!r} is not a list of increases like 0,25%,50%")
    bands = []
    for item in items:
        rate = fraction(item)
        if rate is None or rate < 0:
            raise ValueError(
                f"{item!r} is not an increase of the cost per customer: write 25% or 0.25 "
                "(at least 0)"
            )
        bands.append(rate)
    return tuple(bands)
