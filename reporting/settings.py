"""Alert thresholds and report options: defaults, environment variables, `--threshold` overrides.

Every field of `ReportSettings` can be set from the environment as `ROI_REPORT_<NAME>`
(`ROI_REPORT_CAC_INCREASE=0.3`) and on the command line as `--threshold name=value`
(`--threshold cac_increase=0.3`); the command line wins (foundation.named_settings). Rates
are fractions (`0.3`) or percentages (`30%`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import ClassVar

from foundation.named_settings import NamedSettings


@dataclass(frozen=True)
class ReportSettings(NamedSettings):
    ENV_PREFIX: ClassVar[str] = "ROI_REPORT_"
    FLAG: ClassVar[str] = "--threshold"

    # Trend charts cover this many periods of the report's grain, ending with the period.
    trend_periods: int = 8
    # cac_increase: CAC up more than this share vs the previous period (0.2 = +20%), when
    # both periods won at least cac_min_new_customers new customers.
    cac_increase: float = 0.20
    cac_min_new_customers: int = 3
    # conversion_drop: lead->opportunity rate down more than this share of the previous
    # period's rate (0.2 = 20% relative), when both periods had at least conversion_min_leads.
    conversion_drop: float = 0.20
    conversion_min_leads: int = 20
    # churn_spike: a complete month's churn rate above the mean rate of the
    # churn_trailing_months months before it by more than churn_spike (0.05 = 5 percentage
    # points), with at least churn_min_history of those months known and at least
    # churn_min_customers active customers at the start of the month.
    churn_spike: float = 0.05
    churn_trailing_months: int = 6
    churn_min_history: int = 3
    churn_min_customers: int = 20
    # Retention chart: this many most recent cohorts (months) up to the period's end.
    retention_cohorts: int = 6
    # slow_lead_response: a project's median hours from lead to first follow-up in the period
    # (all channels) above lead_response_hours, over at least lead_response_min_leads
    # followed-up leads.
    lead_response_hours: float = 24.0
    lead_response_min_leads: int = 10
    # cpl_increase: a project's cost per lead on an ad platform up more than cpl_increase vs
    # the previous period (0.2 = +20%), when both periods brought at least cpl_min_leads leads.
    cpl_increase: float = 0.20
    cpl_min_leads: int = 10
    # Ad performance: this many campaigns at the top and at the bottom by cost per customer.
    ranked_campaigns: int = 3

    @classmethod
    def parse_value(cls, name: str, value: object) -> float | int:
        """A whole number for a count, else a fraction (0.2) or a percentage (20%), at least 0
        (trend_periods at least 1)."""
        text = str(value).strip()
        whole = {field.name: field.type for field in dataclasses.fields(cls)}[name] == "int"
        try:
            if whole:
                number: float | int = int(text)
            elif text.endswith("%"):
                number = float(text[:-1]) / 100
            else:
                number = float(text)
        except ValueError:
            expected = "a whole number" if whole else "a number like 0.2 or 20%"
            raise ValueError(f"{text!r} is not {expected}") from None
        if number < 0 or (name == "trend_periods" and number < 1):
            raise ValueError(f"{text!r} must be positive")
        return number
