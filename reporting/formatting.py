"""How numbers are written in the report: thousands separators, percentages, n/a for NULL."""

from __future__ import annotations

from .i18n import text


def money(value: float | None, lang: str) -> str:
    """Whole units of the reporting currency with thousands separators: 1,234,568."""
    if value is None:
        return text(lang, "na")
    rounded = round(value)
    return f"{rounded + 0:,}"  # + 0 turns -0 into 0


def unit_money(value: float | None, lang: str) -> str:
    """A cost per click, lead or customer: two decimals, 1,234.57 (whole units would round a
    cost per click of 0.40 to 0)."""
    if value is None:
        return text(lang, "na")
    return f"{value + 0:,.2f}"


def percent(value: float | None, lang: str, digits: int = 1) -> str:
    """A fraction as a percentage: 0.1234 -> 12.3%."""
    if value is None:
        return text(lang, "na")
    return f"{value * 100:,.{digits}f}%"


def points(value: float | None, lang: str) -> str:
    """A difference of two fractions in percentage points, signed: -0.052 -> -5.2."""
    if value is None:
        return text(lang, "na")
    return f"{value * 100:+,.1f}"


def count(value: int | None, lang: str) -> str:
    if value is None:
        return text(lang, "na")
    return f"{int(value):,}"


def multiple(value: float | None, lang: str) -> str:
    """A ratio of two amounts: 3.456 -> 3.46×."""
    if value is None:
        return text(lang, "na")
    return f"{value:,.2f}×"


def decimal(value: float | None, lang: str, digits: int = 1) -> str:
    if value is None:
        return text(lang, "na")
    return f"{value:,.{digits}f}"


# How each number of an alert is written (names not listed are shown as they are).
ALERT_NUMBER_FORMATS = {
    "roi": percent,
    "target_roi": percent,
    "gap": points,
    "investment": money,
    "gross_profit": money,
    "cac": money,
    "previous_cac": money,
    "change": lambda value, lang: f"{value * 100:+,.1f}%"
    if value is not None
    else text(lang, "na"),
    "threshold": percent,
    "threshold_pp": lambda value, lang: f"{value * 100:,.1f}",
    "acquisition_cost": money,
    "new_customers": count,
    "previous_new_customers": count,
    "churn_rate": percent,
    "trailing_average": percent,
    "difference": points,
    "churned_customers": count,
    "active_customers_start": count,
    "rate": percent,
    "previous_rate": percent,
    "leads": count,
    "previous_leads": count,
    "rows": count,
    "failed_checks": count,
    "more": count,
    "hours": lambda value, lang: decimal(value, lang, 1),
    "cost_per_lead": unit_money,
    "previous_cost_per_lead": unit_money,
    "spend": money,
    "median_hours": lambda value, lang: decimal(value, lang, 1),
    "threshold_hours": lambda value, lang: decimal(value, lang, 1),
    "within_24h_rate": percent,
    "leads_followed_up": count,
}


def alert_numbers(numbers: dict[str, object], lang: str) -> dict[str, str]:
    formatted = {}
    for name, value in numbers.items():
        formatter = ALERT_NUMBER_FORMATS.get(name)
        formatted[name] = formatter(value, lang) if formatter else str(value)
    return formatted
