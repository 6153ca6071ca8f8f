"""The report in a real browser: headless Chromium (Debian's package, installed by `make test`)
opens the file offline, logs no error, draws every chart, and sizes charts for A4 in print.

Every language renders: its page is laid out in its direction (Arabic right to left), shows
no English message its catalog should translate and no unfilled `{placeholder}`, and draws
its letters with the fonts of its font stack (the Noto fonts `make test` installs), not with a
fallback that might lack them. A language whose catalog is not translated yet fails here, as
it does in test_catalogs."""

from __future__ import annotations

import datetime as dt
import re
import struct
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from reporting import LANGUAGES, build_report
from reporting.catalogs import read_catalog
from reporting.i18n import TEMPLATE, catalog_path, translator
from reporting.languages import REPORT_LANGUAGES

from . import warehouse as wh

CHROMIUM = Path("/usr/bin/chromium")
MAY = dt.date(2026, 5, 1)
# The sections of the article's remaining metrics: heading, and the tables each shows.
NEW_SECTIONS = {
    "en": {"ads": ("Ad performance", 3), "lead_response": ("Lead response", 1),
           "reps": ("Sales reps", 2), "what_if": ("What if", 3)},
    "zh": {"ads": ("广告效果", 3), "lead_response": ("线索响应速度", 1), "reps": ("销售人员", 2),
           "what_if": ("假设情景分析", 3)},
}  # fmt: skip
CHURN_DRIVERS = {
    "en": ("Churned", "Retained", "Tickets per customer"),
    "zh": ("流失客户", "留存客户"),
}
# The font that draws the report's title in each language whose letters are not Latin.
SCRIPT_FONTS = {
    "zh": "Noto Sans CJK SC", "zh-Hant": "Noto Sans CJK TC", "ja": "Noto Sans CJK JP",
    "ko": "Noto Sans CJK KR", "ar": "Noto Sans Arabic",
}  # fmt: skip
# Text the page shows: its own, and the charts' (SVG text).
PAGE_TEXT = """() => [document.body.innerText,
  ...[...document.querySelectorAll('svg text')].map(t => t.textContent)].join('\\n')"""
# The text of every element without child elements: headers, cells, labels, legend entries.
LEAF_TEXTS = """() => [...document.body.querySelectorAll('*')]
  .filter(el => el.children.length === 0 && !['SCRIPT', 'STYLE'].includes(el.tagName))
  .map(el => el.textContent.trim()).filter(text => text)"""
# Elements whose fonts are looked at (Chrome DevTools Protocol, CSS.getPlatformFontsForNode).
FONT_SAMPLES = ("h1", "h2", "h3", "th", "figcaption", ".card .label", ".badge", "footer")
PLACEHOLDER = re.compile(r"\{[A-Za-z_]\w*\}")
EVERY_CHART_DRAWN = """() => {
  const charts = [...document.querySelectorAll('.chart')];
  return charts.length > 0 && charts.every(c => c.querySelector('svg.main-svg'));
}"""


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", header[16:24])


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    tables = wh.tables()
    # a churn spike of P1 in 2026-05 (5 of 30 customers), so that its churn drivers show
    may = wh.row(tables, "marts.mart_churn_monthly", project_code="P1", month_start=MAY)
    may.update(churned_customers=5, churn_rate=5 / 30)
    # ... which mart_customer_ltv's model follows: churn 13 / 270 over P1's 9 months, so its
    # active customers stay 270 / 13 more months (the What-if section checks the two agree)
    for customer in tables["marts.mart_customer_ltv"]:
        if customer["project_code"] == "P1" and customer["is_active"]:
            lifetime = 270 / 13
            customer.update(
                expected_remaining_lifetime_months=lifetime,
                predicted_ltv=customer["realized_ltv"]
                + customer["avg_monthly_gross_profit"] * lifetime,
            )
    warehouse = wh.write(folder / "roi.duckdb", tables)
    return {lang: build_report(warehouse, folder, lang=lang) for lang in LANGUAGES}


@pytest.fixture(scope="module")
def browser():
    # No skip: the browser test must fail loudly where Chromium is missing.
    assert CHROMIUM.exists(), (
        f"{CHROMIUM} is missing: `make test` installs Debian's chromium "
        "(apt-get install -y --no-install-recommends chromium)"
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield browser
        browser.close()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_chart_renders_without_errors(browser, reports, tmp_path, lang):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: requests.append(request.url))

    page.goto(reports[lang].as_uri(), wait_until="load")
    page.wait_for_function(EVERY_CHART_DRAWN, timeout=20_000)

    charts = page.locator(".chart")
    assert charts.count() == 18  # every chart of the report has data in the fixture
    # the ad performance, lead response and sales rep sections, with their tables, shown
    for anchor, (heading, tables) in NEW_SECTIONS[lang].items():
        section = page.locator(f"section#{anchor}")
        assert section.locator("h2").inner_text() == heading
        assert section.locator("table").count() == tables, anchor
        assert section.locator("table").first.is_visible()
    # beside the churn spike alert, its churn drivers: churned against retained customers
    drivers = page.locator('li[data-kind="churn_spike"] .churn-drivers table')
    assert drivers.is_visible()
    assert all(word in drivers.inner_text() for word in CHURN_DRIVERS[lang])
    assert drivers.locator("tbody tr").count() == 2
    assert page.locator(".chart svg.main-svg").count() >= charts.count()
    assert page.locator(".no-data").count() == 0
    assert errors == []
    assert [url for url in requests if not url.startswith(("file:", "data:"))] == []

    screenshot = tmp_path / f"report-{lang}.png"
    page.screenshot(path=str(screenshot), full_page=True)
    width, height = png_size(screenshot)
    assert width >= 1280 and height > 3000
    assert screenshot.stat().st_size > 100_000

    # Printing: charts are laid out for the A4 width, and the PDF has several pages.
    page.emulate_media(media="print")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.plotly-graph-div')]"
        ".every(el => el._fullLayout && el._fullLayout.width === 680)",
        timeout=10_000,
    )
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page\n") + pdf.count(b"/Type/Page") > 2
    page.close()


def untranslated(lang: str, page_text: str, leaf_texts: set[str]) -> list[str]:
    """The template's English messages the page shows where its catalog has (or should have)
    a translation: every stretch of two words or more of a message between its placeholders
    that is on the page but not in the translation, and every short message that is the
    whole text of an element while the translation differs from it. Warehouse values (codes,
    channel and campaign names) are neither."""
    catalog = read_catalog(catalog_path(REPORT_LANGUAGES[lang].locale))
    translations = {
        (message.context, message.id): "" if message.fuzzy else message.string
        for message in catalog
        if message.id
    }
    found = []
    for message in read_catalog(TEMPLATE):
        if not message.id:
            continue
        translation = translations.get((message.context, message.id)) or ""
        stretches = [
            stretch.strip(" ,.:;()[]")
            for stretch in PLACEHOLDER.split(message.id)
            if len(re.findall(r"[A-Za-z]{2,}", stretch)) >= 2
        ]
        found += [
            repr(stretch) + (f" (of {message.id!r})" if stretch != message.id else "")
            for stretch in stretches
            if stretch in page_text and stretch not in translation
        ]
        if not stretches and message.id in leaf_texts and translation != message.id:
            found.append(repr(message.id))
    return found


def fonts_of(page, selectors: tuple[str, ...]) -> dict[str, set[str]]:
    """selector -> the families Chromium drew the text of its elements with."""
    devtools = page.context.new_cdp_session(page)
    devtools.send("DOM.enable")
    devtools.send("CSS.enable")
    root = devtools.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    families = {}
    for selector in selectors:
        nodes = devtools.send("DOM.querySelectorAll", {"nodeId": root, "selector": selector})
        families[selector] = {
            font["familyName"]
            for node in nodes["nodeIds"]
            for font in devtools.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        }
    devtools.detach()
    return families


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_language_renders(browser, reports, lang):
    language = REPORT_LANGUAGES[lang]
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(reports[lang].as_uri(), wait_until="load")
    page.wait_for_function(EVERY_CHART_DRAWN, timeout=20_000)

    assert errors == []
    assert page.locator(".chart svg.main-svg").count() >= page.locator(".chart").count() == 18
    # its language and direction: right to left for Arabic only, as CLDR says
    html = page.locator("html")
    assert (html.get_attribute("lang"), html.get_attribute("dir")) == (
        language.html_lang,
        translator(lang).direction,
    )
    direction = page.evaluate("() => getComputedStyle(document.body).direction")
    assert direction == ("rtl" if lang == "ar" else "ltr")
    # every heading has text, and no placeholder is left unfilled
    assert all(text.strip() for text in page.locator("h1, h2, h3").all_inner_texts())
    text = page.evaluate(PAGE_TEXT)
    assert PLACEHOLDER.findall(text) == []
    if lang != "en":
        shown_in_english = untranslated(lang, text, set(page.evaluate(LEAF_TEXTS)))
        assert shown_in_english == [], (
            f"{len(shown_in_english)} English text(s) in the {lang} page: "
            + "; ".join(shown_in_english[:15])
        )
    # the What-if section: each projection's assumptions beside its figures, on the end side
    # (right, or left in Arabic), from the same top
    projections = page.locator("#what_if .projection").all()
    assert len(projections) == 3
    for projection in projections:
        figures = projection.locator(".figures").bounding_box()
        assumptions = projection.locator("aside.assumptions").bounding_box()
        assert assumptions["y"] == pytest.approx(figures["y"], abs=1)
        if direction == "ltr":
            assert assumptions["x"] >= figures["x"] + figures["width"]
        else:
            assert assumptions["x"] + assumptions["width"] <= figures["x"]
    # drawn with the families of its font stack only (a glyph no font of the stack has would
    # come from another installed font, or be an empty box), its title with its script's font
    fonts = fonts_of(page, FONT_SAMPLES)
    assert set().union(*fonts.values()) <= set(language.font_families), fonts
    assert SCRIPT_FONTS.get(lang, "Noto Sans") in fonts["h1"], fonts["h1"]
    page.close()
