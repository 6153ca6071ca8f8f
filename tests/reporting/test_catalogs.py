"""The report's message catalogs: the template holds every message of the code and the
templates, every language's catalog translates all of them (no empty or fuzzy entry, the same
`{placeholders}`), and the Chinese column labels are the dbt docs' `meta.label_zh`.

A catalog that is not complete fails here by name with the messages it lacks: its report
would show them in English (README "The ROI report", Languages)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.plurals import get_plural

from foundation.settings import REPO_ROOT
from reporting.catalogs import (
    catalog_problems,
    dbt_labels_zh,
    is_column_label,
    locales,
    problems_of,
    read_catalog,
)
from reporting.i18n import COLUMN_LABELS_EN, TEMPLATE, catalog_path, translator
from reporting.languages import LANGUAGES, REPORT_LANGUAGES

PYBABEL = Path(sys.executable).parent / "pybabel"


def test_the_template_holds_every_message_of_the_code(tmp_path):
    """What `make i18n-extract` would extract now is what messages.pot holds: a message added
    to the code or a template without re-extracting fails here."""
    fresh = tmp_path / "messages.pot"
    subprocess.run(
        [str(PYBABEL), "extract", "--mapping-file", "babel.cfg",
         "--keywords", "mart_column:1c,2", "--add-comments", "Translators:",
         "--output-file", str(fresh), "."],
        cwd=REPO_ROOT, check=True, capture_output=True,
    )  # fmt: skip

    def messages(path: Path) -> set[tuple[str | None, str]]:
        return {(m.context, str(m.id)) for m in read_catalog(path) if m.id}

    assert messages(fresh) == messages(TEMPLATE), "run `make i18n-extract`"
    # every column label, each under its own column's name
    columns = {m.context for m in read_catalog(TEMPLATE) if m.id and is_column_label(m)}
    assert columns == set(COLUMN_LABELS_EN)


def test_every_language_has_its_catalog():
    assert [language.locale for language in REPORT_LANGUAGES.values()] == locales() == [
        "en", "zh_CN", "zh_TW", "ja", "ko", "de", "fr", "es", "pt_BR", "ar", "vi", "id"
    ]  # fmt: skip
    for code in LANGUAGES:
        locale = REPORT_LANGUAGES[code].locale
        catalog = read_catalog(catalog_path(locale))
        assert catalog.locale == Locale.parse(locale), code
        # the plural rule of the language (Arabic has six forms), as pybabel init wrote it
        assert catalog.num_plurals == get_plural(locale).num_plurals, code


@pytest.mark.parametrize("locale", locales())
def test_every_catalog_is_complete(locale):
    problems = problems_of(locale)
    assert not problems, (
        f"{catalog_path(locale).relative_to(REPO_ROOT)}: {len(problems)} problem(s):\n"
        + "\n".join(problems[:20])
    )


def test_a_catalog_s_problems_are_named():
    template = Catalog(locale="en")
    for message, context in [
        ("Alerts", None),
        ("{count} alert(s)", None),
        ("No leads in this period.", "sales funnel"),
        ("Fine", None),
        ("Guessed", None),
        ("Forgotten", None),
    ]:
        template.add(message, context=context)
    catalog = Catalog(locale="de")
    catalog.add("Alerts", "")
    catalog.add("{count} alert(s)", "{anzahl} Warnung(en)")
    catalog.add("No leads in this period.", "Keine Leads.", context="lead response")
    catalog.add("Fine", "Gut")
    catalog.add("Guessed", "Geraten", flags=["fuzzy"])
    assert catalog_problems(template, catalog) == [
        "'Alerts': not translated",
        "'{count} alert(s)': placeholders ['anzahl'] instead of ['count']",
        "'No leads in this period.' (msgctxt 'sales funnel'): not translated",
        "'Guessed': fuzzy (a guess of pybabel update, not yet confirmed)",
        "'Forgotten': not translated",
    ]


def test_the_chinese_column_labels_are_the_dbt_docs():
    """A column is named in the Chinese report as in the data dictionary (`roi docs`):
    `make i18n-extract` writes the dbt docs' meta.label_zh into the zh_CN catalog."""
    labels = dbt_labels_zh()
    assert [column for column in COLUMN_LABELS_EN if column not in labels] == []
    chinese = translator("zh")
    assert {column: chinese.column(column) for column in COLUMN_LABELS_EN} == {
        column: labels[column] for column in COLUMN_LABELS_EN
    }
    # two columns both "Customers" in English, each with its own Chinese label
    assert translator("en").column("customers") == translator("en").column("customer_group")
    assert chinese.column("customers") != chinese.column("customer_group")
    assert chinese.column("cumulative_roi") == "累计投资回报率"
