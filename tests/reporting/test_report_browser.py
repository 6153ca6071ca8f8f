"""The report in a real browser: headless Chromium (Debian's package, installed by `make test`)
opens the file offline, logs no error, draws every chart, and sizes charts for A4 in print."""

from __future__ import annotations

import datetime as dt
import struct
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from reporting import build_report

from . import warehouse as wh

CHROMIUM = Path("/usr/bin/chromium")
MAY = dt.date(2026, 5, 1)
# The sections of the article's remaining metrics: heading, and the tables each shows.
NEW_SECTIONS = {
    "en": {"ads": ("Ad performance", 3), "lead_response": ("Lead response", 1),
           "reps": ("Sales reps", 2)},
    "zh": {"ads": ("广告效果", 3), "lead_response": ("线索响应速度", 1), "reps": ("销售人员", 2)},
}  # fmt: skip
CHURN_DRIVERS = {
    "en": ("Churned", "Retained", "Tickets per customer"),
    "zh": ("流失客户", "留存客户"),
}
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
    warehouse = wh.write(folder / "roi.duckdb", tables)
    return {lang: build_report(warehouse, folder, lang=lang) for lang in ("en", "zh")}


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
    assert charts.count() == 16  # every chart of the report has data in the fixture
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
