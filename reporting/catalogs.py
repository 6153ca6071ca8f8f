"""The report's message catalogs as files: the step `make i18n-extract` runs after pybabel,
and the checks that hold every catalog complete.

`python -m reporting.catalogs` writes what no translator has to: the English catalog (the
source language: each message is its own translation) and the Chinese labels of the mart
columns, which are the dbt docs' `meta.label_zh` (the data dictionary of `roi docs`), so that
a column is named the same in the report and in the docs. Files are written as pybabel
update writes them.

`catalog_problems` lists what keeps a catalog from being complete: a message of the
template it lacks or leaves empty, a fuzzy entry (a guess pybabel update made for a changed
message, shown in English until a translator confirms it), a translation whose `{name}`
placeholders differ from the message's, and what Babel's own checkers find (plural forms).
"""

from __future__ import annotations

import functools
import string
from pathlib import Path

import yaml
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po, write_po

from foundation.settings import DBT_PROJECT_DIR, REPO_ROOT

from .i18n import COLUMN_LABELS_EN, DOMAIN, TEMPLATE, catalog_path
from .languages import REPORT_LANGUAGES

SOURCE_LOCALE = "en"
# The catalog whose column labels come from the dbt docs' meta.label_zh.
DBT_LABELS_LOCALE = REPORT_LANGUAGES["zh"].locale


def read_catalog(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as po:
        return read_po(po, locale=locale, domain=DOMAIN)


def write_catalog(path: Path, catalog: Catalog) -> None:
    with path.open("wb") as po:
        write_po(po, catalog, ignore_obsolete=True)


def locales() -> list[str]:
    """The locales of the report's languages, in their order."""
    return [language.locale for language in REPORT_LANGUAGES.values()]


@functools.cache
def dbt_labels_zh(models_dir: Path = DBT_PROJECT_DIR / "models" / "marts") -> dict[str, str]:
    """column name -> meta.label_zh from the marts' dbt model files (first one wins)."""
    labels: dict[str, str] = {}
    for path in sorted(models_dir.rglob("_*__models.yml")):
        for model in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("models", []):
            for column in model.get("columns", []):
                meta = (column.get("config") or {}).get("meta") or column.get("meta") or {}
                if "label_zh" in meta:
                    labels.setdefault(column["name"], meta["label_zh"])
    return labels


def is_column_label(message: Message) -> bool:
    """A mart column's label: its context is the column's name (reporting.i18n.mart_column)."""
    return message.context in COLUMN_LABELS_EN and COLUMN_LABELS_EN[message.context] == message.id


def _translated(message: Message, strings: str | tuple[str, ...]) -> None:
    message.string = strings
    message.flags.discard("fuzzy")


def write_source_language(catalog: Catalog) -> None:
    """English translates each message to itself (both forms of a plural message)."""
    for message in catalog:
        if message.id:
            _translated(message, message.id)


def write_dbt_column_labels(catalog: Catalog, labels: dict[str, str]) -> list[str]:
    """Each column label's translation from `labels` (column -> label); the columns that
    have none there."""
    missing = []
    for message in catalog:
        if message.id and is_column_label(message):
            if message.context in labels:
                _translated(message, labels[message.context])
            else:
                missing.append(message.context)
    return missing


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _key(message: Message) -> tuple[str | None, str]:
    msgid = message.id[0] if isinstance(message.id, tuple) else message.id
    return message.context, msgid


def catalog_problems(template: Catalog, catalog: Catalog) -> list[str]:
    """What keeps `catalog` from translating every message of `template` (empty: nothing)."""
    problems = []
    translated = {_key(message): message for message in catalog if message.id}
    for wanted in template:
        if not wanted.id:
            continue
        context, msgid = _key(wanted)
        where = f"{msgid!r}" + (f" (msgctxt {context!r})" if context else "")
        message = translated.get((context, msgid))
        strings = () if message is None else message.string
        strings = strings if isinstance(strings, tuple) else (strings,)
        if message is None or not all(strings):
            problems.append(f"{where}: not translated")
            continue
        if message.fuzzy:
            problems.append(f"{where}: fuzzy (a guess of pybabel update, not yet confirmed)")
        ids = wanted.id if isinstance(wanted.id, tuple) else (wanted.id,)
        expected = set().union(*map(placeholders, ids))
        for text in strings:
            try:
                found = placeholders(text)
            except ValueError as error:
                problems.append(f"{where}: {text!r} is not a format string ({error})")
                continue
            if found != expected:
                problems.append(
                    f"{where}: placeholders {sorted(found)} instead of {sorted(expected)}"
                )
    for message, errors in catalog.check():
        problems += [f"{_key(message)[1]!r}: {error}" for error in errors]
    return problems


def problems_of(locale: str) -> list[str]:
    """catalog_problems of the catalog of `locale` against the template."""
    return catalog_problems(read_catalog(TEMPLATE), read_catalog(catalog_path(locale), locale))


def main() -> int:
    source = catalog_path(SOURCE_LOCALE)
    catalog = read_catalog(source, SOURCE_LOCALE)
    write_source_language(catalog)
    write_catalog(source, catalog)
    chinese = catalog_path(DBT_LABELS_LOCALE)
    catalog = read_catalog(chinese, DBT_LABELS_LOCALE)
    missing = write_dbt_column_labels(catalog, dbt_labels_zh())
    write_catalog(chinese, catalog)
    if missing:
        print(f"no meta.label_zh in the dbt docs for: {', '.join(missing)}")
    for locale in locales():
        path = catalog_path(locale)
        shown = path.relative_to(REPO_ROOT)
        if not path.exists():
            print(f"{shown}: missing (pybabel init, README 'The ROI report')")
            continue
        count = len(problems_of(locale))
        print(f"{shown}: " + (f"{count} message(s) to translate or check" if count else "complete"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
