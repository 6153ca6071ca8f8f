"""The languages the report is written in, and the run's choice of them.

A language's code is what people type (`roi report --lang`, ROI_REPORT_LANGUAGES) and what
ends the report's file name; its locale is the CLDR locale (Babel's identifier) whose
conventions write its numbers and dates, and the folder of its message catalog
(reporting/locale/<locale>/LC_MESSAGES/messages.po). The page's `lang` attribute is the locale
as a BCP 47 tag (zh_CN -> zh-CN). Nothing here imports Babel: every `roi` command reads this
list (the CLI's choices), only `roi report` and the run's report load catalogs and formats.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from foundation.errors import RoiError

# The run's languages: a comma-separated list of codes (README "The ROI report").
RUN_LANGUAGES_VARIABLE = "ROI_REPORT_LANGUAGES"
DEFAULT_RUN_LANGUAGES = ("en", "zh")

# Before and after a language's own families: the systems' UI fonts, Noto Sans (Latin, Greek,
# Cyrillic, Vietnamese; Debian's fonts-noto-core), and the generic family last.
_LEADING_FONTS = ("-apple-system", "Segoe UI", "Noto Sans")
_TRAILING_FONTS = ("Helvetica Neue", "Arial", "sans-serif")
# Names in the warehouse (projects, campaigns) may be Chinese whatever the page's language.
_CHINESE_FALLBACK = ("Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei")


@dataclass(frozen=True)
class Language:
    code: str
    locale: str
    # The families that draw this language's script, tried after Noto Sans: the Noto font
    # Debian installs (`make test`), then macOS's and Windows's own.
    script_fonts: tuple[str, ...] = _CHINESE_FALLBACK

    @property
    def html_lang(self) -> str:
        return self.locale.replace("_", "-")

    @property
    def font_families(self) -> tuple[str, ...]:
        return (*_LEADING_FONTS, *self.script_fonts, *_TRAILING_FONTS)

    @property
    def font_stack(self) -> str:
        """The families as a CSS font-family value (Plotly takes the same string)."""
        return ", ".join(
            family if family in ("-apple-system", "sans-serif") or " " not in family
            else f'"{family}"'
            for family in self.font_families
        )  # fmt: skip


# Simplified Chinese as in mainland China, Traditional as in Taiwan (CLDR's default region of
# zh_Hant), Portuguese as in Brazil (CLDR's own `pt` is Brazilian; pt_BR says so).
REPORT_LANGUAGES: dict[str, Language] = {
    language.code: language
    for language in (
        Language("en", "en"),
        Language("zh", "zh_CN"),
        Language("zh-Hant", "zh_TW", ("Noto Sans CJK TC", "PingFang TC", "Microsoft JhengHei")),
        Language("ja", "ja", ("Noto Sans CJK JP", "Hiragino Sans", "Yu Gothic", "Meiryo")),
        Language("ko", "ko", ("Noto Sans CJK KR", "Apple SD Gothic Neo", "Malgun Gothic")),
        Language("de", "de"),
        Language("fr", "fr"),
        Language("es", "es"),
        Language("pt", "pt_BR"),
        Language("ar", "ar", ("Noto Sans Arabic", "Geeza Pro", *_CHINESE_FALLBACK)),
        Language("vi", "vi"),
        Language("id", "id"),
    )
}
LANGUAGES = tuple(REPORT_LANGUAGES)


def language_code(text: str, codes: Iterable[str] = LANGUAGES) -> str:
    """The code as listed, whatever its case and separator (`zh_hant` -> `zh-Hant`); an
    unknown one is returned as given, for the caller to refuse."""
    wanted = text.strip().replace("_", "-").lower()
    return next((code for code in codes if code.lower() == wanted), text.strip())


def run_languages(environ: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """The languages a run writes its report in: ROI_REPORT_LANGUAGES (`en,zh,ja`), default
    en and zh; an unknown code is a RoiError that names it and the known ones."""
    environ = os.environ if environ is None else environ
    value = environ.get(RUN_LANGUAGES_VARIABLE, "")
    if not value.strip():
        return DEFAULT_RUN_LANGUAGES
    codes = [language_code(part) for part in value.split(",") if part.strip()]
    unknown = [code for code in codes if code not in REPORT_LANGUAGES]
    if unknown or not codes:
        problem = (
            f"not a report language: {', '.join(map(repr, unknown))}"
            if unknown
            else "names no language"
        )
        raise RoiError(
            f"{RUN_LANGUAGES_VARIABLE}={value!r}: {problem}; expected a comma-separated list "
            f"of {', '.join(LANGUAGES)}"
        )
    return tuple(dict.fromkeys(codes))
