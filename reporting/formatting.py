"""How numbers and dates are written in the report: the conventions of each language's CLDR
locale through Babel (decimal mark, grouping, percent sign and its spacing, plus and minus
signs, date order and month names), n/a for NULL.

Numbers take the locale's own decimal and percent patterns with the report's number of
decimals (whole units of the reporting currency, one decimal for a rate), so that German
writes 1.234.568 and 12,3 %, French 1 234 568 (narrow no-break spaces) and 12,3 %, and
Arabic (CLDR's default numbering system for `ar`: Latin digits) 12.3% with the
left-to-right marks of its signs. Money is a number: the currency's code stands in the
table headers and after amounts in sentences, as it did before.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
import string
from collections.abc import Callable, Mapping

from babel.dates import format_date, format_datetime, format_interval
from babel.lists import format_list
from babel.numbers import format_decimal, get_minus_sign_symbol, get_plus_sign_symbol

from .i18n import Translator, translator

# The integer part of a pattern, with any fraction after it: `#,##0.###` in `#,##0.### %`.
_DIGITS = re.compile(r"[#,0]*0(?:\.[0#]+)?")
# Dates as CLDR's medium format (en: Jun 30, 2026; de: 30.06.2026; zh: 2026年6月30日), and an
# interval of dates with the same fields (Apr 1 – Jun 30, 2026).
DATE_FORMAT = "medium"
INTERVAL_SKELETON = "yMMMd"
# A moment in UTC: CLDR's long format, the only standard one that names the time zone.
TIMESTAMP_FORMAT = "long"


def _pattern(pattern: str, digits: int) -> str:
    """`pattern` (a CLDR number pattern) with exactly `digits` decimals."""
    fraction = "." + "0" * digits if digits else ""
    return ";".join(
        _DIGITS.sub(lambda match: match.group(0).split(".")[0] + fraction, part, count=1)
        for part in pattern.split(";")
    )


def _rounded(value: float, digits: int) -> decimal.Decimal:
    """`value` rounded half-even to `digits` decimals from its exact binary value, as Python's
    own formatting rounds (2.675 -> 2.67), without the sign of a negative that rounds to zero
    (-0.4 is 0, not -0)."""
    rounded = decimal.Decimal(value).quantize(decimal.Decimal(1).scaleb(-digits))
    return rounded if rounded else abs(rounded)


def _number(value: float, tr: Translator, digits: int, percent: bool = False) -> str:
    locale = tr.locale
    pattern = (locale.percent_formats if percent else locale.decimal_formats)[None].pattern
    scale = 2 if percent else 0
    rounded = _rounded(value * 10**scale if percent else value, digits).scaleb(-scale)
    text = format_decimal(rounded, _pattern(pattern, digits), locale=locale)
    # Babel writes the pattern's ASCII hyphen and percent sign; the locale's own (CLDR) may
    # carry left-to-right marks (ar: U+200E before the minus, around the percent sign) that
    # keep them on the number's side in right-to-left text, where a bare one would move.
    if text.startswith("-"):
        text = get_minus_sign_symbol(locale) + text[1:]
    if percent:
        text = text.replace("%", locale.number_symbols["latn"]["percentSign"])
    return text


def _signed(value: float, tr: Translator, digits: int, percent: bool = False) -> str:
    text = _number(value, tr, digits, percent)
    shown_as_zero_or_more = _rounded(value * (100 if percent else 1), digits) >= 0
    return get_plus_sign_symbol(tr.locale) + text if shown_as_zero_or_more else text


def _or_na(format_value: Callable[[float, Translator], str]):
    """A formatter of `(value, lang)` that writes n/a, translated, for NULL."""

    def formatter(value: float | None, lang: str) -> str:
        tr = translator(lang)
        return tr._("n/a") if value is None else format_value(value, tr)

    formatter.__doc__ = format_value.__doc__
    return formatter


@_or_na
def money(value: float, tr: Translator) -> str:
    """Whole units of the reporting currency: 1,234,568 (de 1.234.568)."""
    return _number(value, tr, 0)


@_or_na
def unit_money(value: float, tr: Translator) -> str:
    """A cost per click, lead or customer: two decimals, 1,234.57 (whole units would round a
    cost per click of 0.40 to 0)."""
    return _number(value, tr, 2)


def percent(value: float | None, lang: str, digits: int = 1) -> str:
    """A fraction as a percentage: 0.1234 -> 12.3% (de 12,3 %)."""
    tr = translator(lang)
    return tr._("n/a") if value is None else _number(value, tr, digits, percent=True)


@_or_na
def signed_percent(value: float, tr: Translator) -> str:
    """A relative change, signed: 0.3 -> +30.0%."""
    return _signed(value, tr, 1, percent=True)


@_or_na
def points(value: float, tr: Translator) -> str:
    """A difference of two fractions in percentage points, signed: -0.052 -> -5.2."""
    return _signed(value * 100, tr, 1)


@_or_na
def percentage_points(value: float, tr: Translator) -> str:
    """A fraction as percentage points, unsigned: 0.05 -> 5.0."""
    return _number(value * 100, tr, 1)


@_or_na
def count(value: int, tr: Translator) -> str:
    return _number(int(value), tr, 0)


@_or_na
def multiple(value: float, tr: Translator) -> str:
    """A ratio of two amounts: 3.456 -> 3.46×."""
    return _number(value, tr, 2) + "×"


def decimal_number(value: float | None, lang: str, digits: int = 1) -> str:
    """A plain number with `digits` decimals: 24.5 (de 24,5)."""
    tr = translator(lang)
    return tr._("n/a") if value is None else _number(value, tr, digits)


def date(value: dt.date, lang: str) -> str:
    return format_date(value, DATE_FORMAT, locale=translator(lang).locale)


def date_range(start: dt.date, end: dt.date, lang: str) -> str:
    """First and last day, the fields they share written once: Apr 1 – Jun 30, 2026."""
    return format_interval(start, end, INTERVAL_SKELETON, locale=translator(lang).locale)


def timestamp(value: dt.datetime | None, lang: str) -> str:
    """A moment in UTC with its zone (a naive one is UTC): Jul 2, 2026, 8:30:00 AM UTC;
    `-` for none."""
    if value is None:
        return "-"
    return format_datetime(value, TIMESTAMP_FORMAT, tzinfo=dt.UTC, locale=translator(lang).locale)


# How each number of an alert is written (names not listed are shown as they are).
ALERT_NUMBER_FORMATS: dict[str, Callable[[object, str], str]] = {
    "roi": percent,
    "target_roi": percent,
    "gap": points,
    "investment": money,
    "gross_profit": money,
    "cac": money,
    "previous_cac": money,
    "change": signed_percent,
    "threshold": percent,
    "threshold_pp": percentage_points,
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
    "hours": decimal_number,
    "cost_per_lead": unit_money,
    "previous_cost_per_lead": unit_money,
    "spend": money,
    "median_hours": decimal_number,
    "threshold_hours": decimal_number,
    "within_24h_rate": percent,
    "leads_followed_up": count,
    "last_loaded": timestamp,
}


def alert_numbers(numbers: dict[str, object], lang: str) -> dict[str, str]:
    formatted = {}
    for name, value in numbers.items():
        formatter = ALERT_NUMBER_FORMATS.get(name)
        formatted[name] = formatter(value, lang) if formatter else str(value)
    return formatted


# ---------------------------------------------------------------------------- by format spec

# The format specs the simulation's messages and figures use (simulation.messages,
# simulation.results): an optional sign, an optional grouping comma, decimals, f or %.
_SPEC = re.compile(r"^(?P<sign>\+?),?\.(?P<digits>\d+)(?P<type>[f%])$")


def by_spec(value: object, spec: str, lang: str, conversion: str | None = None) -> str:
    """`value` as `format(value, spec)` writes it in English, in the conventions of `lang`:
    `,.0f` 1,234,568 (de 1.234.568), `.1%` 12.3% (de 12,3 %), `+.2f` signed; a date in the
    locale's medium format, a whole number grouped, a text as it is (`!r`: quoted). NULL is
    n/a. A spec outside those is a programming error (ValueError)."""
    tr = translator(lang)
    if value is None:
        return tr._("n/a")
    if conversion == "r":
        return repr(value)
    if isinstance(value, dt.date):
        return date(value, lang)
    if isinstance(value, tuple):  # several numbers, simulation.messages.Numbers
        return format_list([by_spec(item, spec, lang) for item in value], locale=tr.locale)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if not spec:
        return _number(value, tr, 0) if isinstance(value, int) else str(value)
    match = _SPEC.match(spec)
    if match is None:
        raise ValueError(f"format spec {spec!r} is not one the report writes")
    write = _signed if match["sign"] else _number
    return write(value, tr, int(match["digits"]), percent=match["type"] == "%")


class _Written(string.Formatter):
    """Fills a translated message with its values already written out (by_spec, by the
    English message's specs): a spec or conversion the translation repeats is not applied
    again."""

    def convert_field(self, value: object, conversion: str | None) -> object:
        return value

    def format_field(self, value: object, format_spec: str) -> str:
        return str(value)


def spec_message(english: str, values: Mapping[str, object], lang: str) -> str:
    """The translation of `english`, a message whose placeholders carry Python format specs
    (`{amount:,.0f}`), filled with `values` written in the conventions of `lang`."""
    tr = translator(lang)
    written: dict[str, str] = {}
    for _, name, spec, conversion in string.Formatter().parse(english):
        if name is not None and name not in written:
            written[name] = tr.isolate(by_spec(values[name], spec or "", lang, conversion))
    return _Written().vformat(tr.gettext(english), (), written)
