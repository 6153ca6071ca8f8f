"""The report's texts in its languages: gettext message catalogs read through Babel.

Every heading, label, alert, definition and chart text is written in English in the code and
the templates, as the message id of a gettext call (`tr._("Ad performance")`,
`{{ _("Contents") }}` in the templates); `{name}` placeholders are filled after translation
(str.format). `pybabel extract` collects them into reporting/locale/messages.pot and each
language's translations are reporting/locale/<locale>/LC_MESSAGES/messages.po (README "The
ROI report", Languages). A .po is read at run time (Babel's read_po, compiled in memory with
write_mo, opened as gettext translations): no compiled .mo file is kept in the repository
or has to be built. A message a catalog does not translate yet is shown in English.

A mart column's label has the column's name as its context (msgctxt), so that two columns
both called "Customers" in English can differ in another language; the Chinese labels are
the dbt docs' `meta.label_zh` (a test holds the two equal).
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from foundation.errors import RoiError
from foundation.periods import GRAINS
from foundation.translation import N_

from .languages import LANGUAGES, REPORT_LANGUAGES, Language

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"
TEMPLATE = LOCALE_DIR / f"{DOMAIN}.pot"


def mart_column(name: str, english_label: str) -> tuple[str, str]:
    """Marks a mart column's English label for extraction with the column's name as its
    context (the Makefile's pybabel extract -k mart_column:1c,2)."""
    return name, english_label


# English labels of the mart columns the report shows (the dbt docs hold long descriptions).
COLUMN_LABELS_EN = dict(
    (
        mart_column("project_code", "Project"),
        mart_column("project_name", "Project name"),
        mart_column("region", "Region"),
        mart_column("channel", "Channel"),
        mart_column("total_investment", "Investment"),
        mart_column("gross_profit", "Gross profit"),
        mart_column("roi", "ROI"),
        mart_column("target_roi", "Target ROI"),
        mart_column("cumulative_investment", "Cumulative investment"),
        mart_column("cumulative_gross_profit", "Cumulative gross profit"),
        mart_column("cumulative_roi", "Cumulative ROI"),
        mart_column("acquisition_cost", "Acquisition cost"),
        mart_column("new_customers", "New customers"),
        mart_column("cac", "CAC"),
        mart_column("customers", "Customers"),
        mart_column("avg_realized_ltv", "Avg realized LTV"),
        mart_column("media_spend", "Media spend"),
        mart_column("media_cac", "Media CAC"),
        mart_column("ltv_to_cac", "LTV/CAC"),
        mart_column("leads", "Leads"),
        mart_column("leads_with_opportunity", "Leads with opportunity"),
        mart_column("lead_to_opportunity_rate", "Lead → opportunity"),
        mart_column("won_deals", "Won deals"),
        mart_column("lost_deals", "Lost deals"),
        mart_column("win_rate", "Win rate"),
        mart_column("avg_sales_cycle_days", "Avg sales cycle (days)"),
        mart_column("followup_bucket", "Follow-ups"),
        mart_column("converted_leads", "Converted leads"),
        mart_column("conversion_rate", "Conversion rate"),
        mart_column("churn_rate", "Monthly churn rate"),
        mart_column("retention_rate", "Retention rate"),
        mart_column("month_offset", "Months since first order"),
        mart_column("cohort_month", "Cohort month"),
        mart_column("platform", "Platform"),
        mart_column("campaign_id", "Campaign"),
        mart_column("spend", "Spend"),
        mart_column("impressions", "Impressions"),
        mart_column("clicks", "Clicks"),
        mart_column("ctr", "CTR"),
        mart_column("cpc", "CPC"),
        mart_column("cost_per_lead", "Cost per lead"),
        mart_column("cost_per_opportunity", "Cost per opportunity"),
        mart_column("cost_per_customer", "Cost per customer"),
        mart_column("leads_followed_up", "Leads followed up"),
        mart_column("median_hours_to_first_followup", "Median hours to first follow-up"),
        mart_column("followed_up_within_24h", "Followed up within 24 h"),
        mart_column("followed_up_within_24h_rate", "Followed up within 24 h (share of leads)"),
        mart_column("owner_id", "Sales rep"),
        mart_column("opportunities", "Opportunities"),
        mart_column("revenue", "Revenue"),
        mart_column("activities", "Activities"),
        mart_column("customer_group", "Customers"),
        mart_column("tickets_per_customer", "Tickets per customer"),
        mart_column("customers_with_ticket_rate", "Customers with a ticket"),
        mart_column("avg_satisfaction", "Avg satisfaction (1-5)"),
        mart_column("median_resolution_hours", "Median resolution (hours)"),
        mart_column("orders_per_customer", "Orders per customer"),
        mart_column("avg_order_value", "Avg order value"),
    )
)


# The funnel's stages, in its table and its chart.
STAGE_NAMES = {
    "leads": N_("Leads"),
    "leads_with_opportunity": N_("Leads with opportunity"),
    "won_deals": N_("Won deals"),
}


def catalog_path(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def translations(locale: str) -> Translations:
    """The catalog of `locale`, compiled in memory. Fuzzy entries (a translation pybabel
    update guessed for a changed message) are left out: their English is shown instead."""
    with catalog_path(locale).open("rb") as po:
        catalog = read_po(po, locale=locale, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


@dataclass(frozen=True)
class Translator:
    """One language's texts, and the CLDR locale its numbers and dates are written in."""

    language: Language

    @functools.cached_property
    def locale(self) -> Locale:
        return Locale.parse(self.language.locale)

    @property
    def direction(self) -> str:
        """`ltr` or `rtl`: the locale's writing direction (CLDR)."""
        return self.locale.text_direction

    def isolate(self, value: object) -> str:
        """`value` as text that keeps its own direction inside right-to-left text: a period
        label (2026-Q2), a path or a figure between Unicode first-strong isolates, which
        show nothing; left-to-right pages need none."""
        return f"\u2068{value}\u2069" if self.direction == "rtl" else str(value)

    def _format(self, translated: str, values: dict[str, object]) -> str:
        if not values:
            return translated
        return translated.format(**{name: self.isolate(value) for name, value in values.items()})

    def gettext(self, message: str) -> str:
        """The translation of `message`, its placeholders unfilled."""
        return translations(self.language.locale).gettext(message)

    def _(self, message: str, /, **values: object) -> str:
        return self._format(translations(self.language.locale).gettext(message), values)

    def pgettext(self, context: str, message: str, /, **values: object) -> str:
        return self._format(translations(self.language.locale).pgettext(context, message), values)

    def column(self, name: str) -> str:
        """The label of a mart column (its name when it has none)."""
        english = COLUMN_LABELS_EN.get(name)
        return self.pgettext(name, english) if english else name

    def grain(self, grain: str) -> str:
        """One period of the grain: Quarter."""
        return self._(GRAINS[grain].words[0])

    def grains(self, grain: str) -> str:
        """Several periods of the grain: quarters."""
        return self._(GRAINS[grain].words[1])


@functools.cache
def translator(code: str) -> Translator:
    try:
        return Translator(REPORT_LANGUAGES[code])
    except KeyError:
        raise RoiError(
            f"unknown language {code!r}: expected one of {', '.join(LANGUAGES)}"
        ) from None
