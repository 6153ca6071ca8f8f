"""The marker of texts the report's message catalogs translate (reporting/locale).

`N_("Quarter")` returns its argument unchanged: it only marks an English text for `pybabel
extract` (which collects N_ calls by default) where the text is translated later, by value,
by whoever shows it (reporting.i18n). Packages below `reporting` (foundation's period grains,
simulation's messages) mark their texts with it without importing the report.
"""

from __future__ import annotations


def N_(message: str) -> str:
    return message
