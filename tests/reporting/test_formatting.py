"""Numbers and dates in each language's conventions (CLDR through Babel), against strings
written out by hand: the decimal mark and digit grouping, the percent sign and its space,
the signs (Arabic's carry left-to-right marks, U+200E, so that they stay on their side of
the number in right-to-left text), the order and names of a date's parts."""

from __future__ import annotations

import datetime as dt

import pytest

from reporting.formatting import (
    count,
    date,
    date_range,
    decimal_number,
    money,
    multiple,
    percent,
    points,
    signed_percent,
    timestamp,
    unit_money,
)

NBSP, NARROW_NBSP, THIN, LRM, RLM = "\u00a0", "\u202f", "\u2009", "\u200e", "\u200f"
JUNE_30 = dt.date(2026, 6, 30)
QUARTER = (dt.date(2026, 4, 1), JUNE_30)
LOADED = dt.datetime(2026, 6, 22, 22, 0, tzinfo=dt.UTC)

CASES = {
    "en": {
        "money": "1,234,568", "unit_money": "0.40", "percent": "12.3%",
        "signed_percent": "+30.0%", "points": "-5.2", "count": "12,345", "multiple": "3.46×",
        "decimal": "24.5", "date": "Jun 30, 2026", "date_range": f"Apr 1{THIN}–{THIN}Jun 30, 2026",
        "timestamp": f"June 22, 2026, 10:00:00{NARROW_NBSP}PM UTC",
    },
    "de": {
        "money": "1.234.568", "unit_money": "0,40", "percent": f"12,3{NBSP}%",
        "signed_percent": f"+30,0{NBSP}%", "points": "-5,2", "count": "12.345",
        "multiple": "3,46×", "decimal": "24,5", "date": "30.06.2026",
        "date_range": f"1. Apr.{THIN}–{THIN}30. Juni 2026",
        "timestamp": "22. Juni 2026, 22:00:00 UTC",
    },
    "fr": {
        "money": f"1{NARROW_NBSP}234{NARROW_NBSP}568", "unit_money": "0,40",
        "percent": f"12,3{NBSP}%", "signed_percent": f"+30,0{NBSP}%", "points": "-5,2",
        "count": f"12{NARROW_NBSP}345", "multiple": "3,46×", "decimal": "24,5",
        "date": "30 juin 2026", "date_range": f"1 avr.{THIN}–{THIN}30 juin 2026",
        "timestamp": "22 juin 2026, 22:00:00 TU",
    },
    # CLDR's default numbering system for `ar` is Latin digits (Arabic-Indic ones are its
    # "native" system); the date's slashes carry right-to-left marks.
    "ar": {
        "money": "1,234,568", "unit_money": "0.40", "percent": f"12.3{LRM}%{LRM}",
        "signed_percent": f"{LRM}+30.0{LRM}%{LRM}", "points": f"{LRM}-5.2", "count": "12,345",
        "multiple": "3.46×", "decimal": "24.5", "date": f"30{RLM}/06{RLM}/2026",
        "date_range": "1 أبريل – 30 يونيو 2026",
        "timestamp": "22 يونيو 2026، 10:00:00 م التوقيت العالمي",
    },
    "ja": {
        "money": "1,234,568", "unit_money": "0.40", "percent": "12.3%",
        "signed_percent": "+30.0%", "points": "-5.2", "count": "12,345", "multiple": "3.46×",
        "decimal": "24.5", "date": "2026/06/30", "date_range": "2026年4月1日～6月30日",
        "timestamp": "2026年6月22日 22:00:00 UTC",
    },
}  # fmt: skip


@pytest.mark.parametrize("lang", CASES)
def test_numbers_and_dates_in_the_language_s_conventions(lang):
    shown = {
        "money": money(1_234_567.891, lang),
        "unit_money": unit_money(0.4, lang),
        "percent": percent(0.1234, lang),
        "signed_percent": signed_percent(0.3, lang),
        "points": points(-0.052, lang),
        "count": count(12_345, lang),
        "multiple": multiple(3.456, lang),
        "decimal": decimal_number(24.5, lang),
        "date": date(JUNE_30, lang),
        "date_range": date_range(*QUARTER, lang),
        "timestamp": timestamp(LOADED, lang),
    }
    assert shown == CASES[lang]


def test_null_zero_and_rounding():
    """NULL is n/a in the page's language; a negative that rounds to zero has no sign; halves
    round as Python rounds the float (2.675 is 2.67499... in binary); a naive moment is UTC;
    no moment is a dash."""
    assert [money(None, "en"), percent(None, "zh"), count(None, "de")] == ["n/a", "不适用", "n. v."]
    assert [money(-0.4, "en"), points(-0.0004, "en"), signed_percent(0.0, "de")] == [
        "0",
        "+0.0",
        f"+0,0{NBSP}%",
    ]
    assert [unit_money(2.675, "en"), percent(0.0005, "en", 0), money(2.5, "en")] == [
        "2.67",
        "0%",
        "2",
    ]
    assert timestamp(dt.datetime(2026, 6, 22, 22, 0), "en") == timestamp(LOADED, "en")
    assert timestamp(None, "ar") == "-"
    assert percent(1, "fr", 0) == f"100{NBSP}%"
