"""Every HTML page a run, `roi report` and `roi docs` write is inert against the data.

One run over tests/fixtures/small_drop plus a project whose every free-text and key value
is markup (`<img src=x onerror=...>`, `<script>...</script>`, `"><svg onload=...>`), with
orphan keys that only warn, so that the run publishes and writes every page. Each page is
opened in headless Chromium: no script of the data runs (no dialog), no element of the data
exists, the Content-Security-Policy is in the page, and the page still shows its content.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from roi.cli import main

from ..drops import FIXTURES

PIPELINE_RUNS = 1
CHROMIUM = Path("/usr/bin/chromium")


def img(n: int) -> str:
    return f"<img src=x onerror=alert({n})>"


def script(n: int) -> str:
    return f"<script>alert({n})</script>"


def svg(n: int) -> str:
    return f'"><svg onload=alert({n})>'


PROJECT = svg(1)
ACCOUNT = img(11)
LEAD = img(8)
OPPORTUNITY = svg(13)
CAMPAIGN = script(6)
ORPHAN_ACCOUNT = img(20)  # a ticket's account that is in no file: only a warning
ORPHAN_LEAD = script(21)  # an activity's lead that is in no file: only a warning

# file -> rows added to the fixture's rows, every text column and key hostile
HOSTILE_ROWS: dict[str, list[dict[str, str]]] = {
    "projects.csv": [
        {"project_code": PROJECT, "project_name": script(2), "region": img(3),
         "country_code": svg(4), "launch_date": "2026-02-01", "target_roi": "0.4"},
    ],
    "ad_spend.csv": [
        {"date": "2026-03-10", "platform": "google_ads", "account_id": img(5),
         "campaign_id": CAMPAIGN, "campaign_name": svg(7), "project_code": PROJECT,
         "currency": "USD", "spend": "100.00", "impressions": "1000", "clicks": "10"},
    ],
    "crm_leads.csv": [
        {"lead_id": LEAD, "created_at": "2026-03-10T09:00:00Z",
         "updated_at": "2026-03-11T09:00:00Z", "project_code": PROJECT,
         "channel": "google_ads", "campaign_id": CAMPAIGN, "country_code": svg(9),
         "status": script(10), "converted_account_id": ACCOUNT, "is_deleted": "false"},
    ],
    "crm_accounts.csv": [
        {"account_id": ACCOUNT, "created_at": "2026-03-11T09:00:00Z",
         "updated_at": "2026-03-11T09:00:00Z", "project_code": PROJECT,
         "country_code": svg(22), "industry": script(12), "is_deleted": "false"},
    ],
    "crm_opportunities.csv": [
        {"opportunity_id": OPPORTUNITY, "account_id": ACCOUNT, "lead_id": LEAD,
         "created_at": "2026-03-11T10:00:00Z", "updated_at": "2026-03-12T10:00:00Z",
         "stage": "won", "amount": "", "currency": "", "closed_at": "2026-03-12T10:00:00Z",
         "owner_id": script(14), "is_deleted": "false"},
    ],
    "crm_orders.csv": [
        {"order_id": img(15), "account_id": ACCOUNT, "opportunity_id": OPPORTUNITY,
         "order_date": "2026-03-12", "updated_at": "2026-03-12T10:00:00Z",
         "status": "confirmed", "amount": "500.00", "cost_of_goods": "100.00",
         "currency": "USD", "is_deleted": "false"},
    ],
    "crm_activities.csv": [
        {"activity_id": script(16), "lead_id": LEAD, "opportunity_id": OPPORTUNITY,
         "occurred_at": "2026-03-11T09:30:00Z", "activity_type": svg(17)},
        {"activity_id": img(23), "lead_id": ORPHAN_LEAD, "opportunity_id": "",
         "occurred_at": "2026-03-11T09:30:00Z", "activity_type": "call"},
    ],
    "crm_tickets.csv": [
        {"ticket_id": img(18), "account_id": ACCOUNT, "opened_at": "2026-03-13T09:00:00Z",
         "resolved_at": "", "satisfaction": ""},
        {"ticket_id": script(19), "account_id": ORPHAN_ACCOUNT,
         "opened_at": "2026-03-13T09:00:00Z", "resolved_at": "", "satisfaction": ""},
    ],
    "erp_costs.csv": [
        {"cost_id": svg(24), "project_code": PROJECT, "cost_date": "2026-03-12",
         "category": "marketing", "amount": "50.00", "currency": "USD",
         "posted_at": "2026-03-13T08:00:00Z"},
    ],
}  # fmt: skip


def write_hostile_drop(folder: Path) -> Path:
    shutil.copytree(FIXTURES / "small_drop", folder)
    for file_name, rows in HOSTILE_ROWS.items():
        path = folder / file_name
        with path.open(encoding="utf-8", newline="") as f:
            columns = next(csv.reader(f))
        with path.open("a", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
            writer.writerows(rows)
    return folder


def roi(*args: str) -> tuple[int, str]:
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = main(list(args))
    return code, printed.getvalue()


@dataclass(frozen=True)
class HostileRun:
    code: int
    output: str
    warehouse: Path
    run_docs: Path  # the run's docs folder: index.html, dbt_docs.html, great_expectations/
    run_reports: list[Path]  # the reports the run wrote
    report: Path  # `roi report --period 2026-Q1`
    docs: Path  # `roi docs`


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory) -> HostileRun:
    from foundation.settings import state_dir

    folder = tmp_path_factory.mktemp("hostile")
    drop = write_hostile_drop(folder / "drop")
    warehouse = folder / "warehouse" / "roi.duckdb"
    warehouse.parent.mkdir()
    code, output = roi("run", "--source", "files", "--data-dir", str(drop),
                       "--warehouse", str(warehouse))  # fmt: skip
    succeeded = re.match(r"run (\S+) succeeded", output)
    assert code == 0 and succeeded, output
    report_code, report_output = roi("report", "--period", "2026-Q1", "--warehouse",
                                     str(warehouse), "--out", str(folder / "report"))  # fmt: skip
    assert report_code == 0, report_output
    docs_code, docs_output = roi("docs", "--warehouse", str(warehouse), "--out",
                                 str(folder / "docs"))  # fmt: skip
    assert docs_code == 0, docs_output
    return HostileRun(
        code=code,
        output=output,
        warehouse=warehouse,
        run_docs=state_dir(warehouse) / "docs" / succeeded.group(1),
        run_reports=[Path(p) for p in re.findall(r"^  report: (.+)$", output, re.MULTILINE)],
        report=folder / "report" / "roi-report-2026-Q1-en.html",
        docs=folder / "docs" / "index.html",
    )


@pytest.fixture(scope="module")
def browser():
    assert CHROMIUM.exists(), f"{CHROMIUM} is missing: `make test` installs Debian's chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield browser
        browser.close()


INJECTED_ELEMENTS = """() => [
  ...[...document.querySelectorAll('img[src="x"], svg[onload], [onerror], [onload]')]
    .map(el => el.outerHTML.slice(0, 80)),
  ...[...document.scripts]
    .filter(s => /alert\\(\\d+\\)/.test(s.textContent) && s.textContent.length < 100)
    .map(s => s.outerHTML.slice(0, 80)),
]"""
POLICY = """() => [...document.querySelectorAll('meta[http-equiv="Content-Security-Policy"]')]
  .map(m => m.content)"""


@dataclass
class Opened:
    page: object  # playwright Page
    dialogs: list[str]
    blocked_scripts: list[str]  # the policy's reports of a script it refused


@contextlib.contextmanager
def opened(browser, path: Path, ready: str | None = None):
    """`path` in a fresh page, offline (remote assets of a library page fail at once); on
    exit, no dialog opened, no element of the data exists, and the policy is there."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    seen = Opened(page, [], [])
    page.on("dialog", lambda dialog: (seen.dialogs.append(dialog.message), dialog.dismiss()))
    page.on(
        "console",
        lambda message: seen.blocked_scripts.append(message.text)
        if "Content Security Policy" in message.text and "script-src" in message.text
        else None,
    )
    page.route(re.compile(r"^https?://"), lambda route: route.abort())
    try:
        page.goto(path.as_uri(), wait_until="load")
        if ready:
            page.wait_for_function(ready, timeout=20_000)
        yield seen
        assert seen.dialogs == [], path
        assert page.evaluate(INJECTED_ELEMENTS) == [], path
        assert seen.blocked_scripts == [], path  # nothing injected, and its own code runs
        [content] = page.evaluate(POLICY)
        script_src = next(d for d in content.split(";") if d.strip().startswith("script-src"))
        assert "'unsafe-inline'" not in script_src and "*" not in script_src, content
        assert "https:" not in script_src.split(), content
    finally:
        page.close()


def text_shown(page, value: str) -> int:
    """How many elements show `value` as their own text."""
    return page.evaluate(
        """value => [...document.querySelectorAll('body *')].filter(el =>
             [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim() === value)
           ).length""",
        value,
    )


def test_the_hostile_drop_publishes_and_only_warns_of_its_orphans(hostile_run):
    warnings = re.findall(r"^  warning \(check failed, not blocking\): (.+)$",
                          hostile_run.output, re.MULTILINE)  # fmt: skip
    assert warnings == [
        "great_expectations_suite on raw_crm/activities (observed: "
        "ExpectColumnValuesToBeInSet(lead_id): 1 unexpected, e.g. ['<script>alert(21)</script>'])",
        "great_expectations_suite on raw_crm/tickets (observed: "
        "ExpectColumnValuesToBeInSet(account_id): 1 unexpected, e.g. "
        "['<img src=x onerror=alert(20)>'])",
        "relationships_stg_crm__tickets_account_id__account_id__ref_stg_crm__accounts_ on "
        "staging/stg_crm__tickets (observed: 1 failing rows)",
    ]


def test_great_expectations_data_docs_show_the_values_as_text(hostile_run, browser):
    from expectations.suites import SUITES

    folder = hostile_run.run_docs / "great_expectations"
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        f"{suite.table}.{suite.name}.html" for suite in SUITES
    )
    for path in sorted(folder.iterdir()):
        with opened(browser, path) as seen:
            assert seen.page.title() == "Data documentation compiled by Great Expectations"
            assert seen.page.locator("h4", has_text="Expectation Validation Result").count() == 1
            # GE's own inline scripts ran: the policy allows them by hash
            assert seen.page.evaluate("typeof showAllValidations") == "function", path
    with opened(browser, folder / "raw_crm.tickets.great_expectations_suite.html") as seen:
        # the value set of the check and the table of unexpected values
        assert text_shown(seen.page, ORPHAN_ACCOUNT) == 2
        assert "&lt;" not in seen.page.inner_text("body")  # escaped once, not twice
    with opened(browser, folder / "raw_crm.activities.great_expectations_suite.html") as seen:
        assert text_shown(seen.page, ORPHAN_LEAD) == 2


def test_the_run_index_shows_the_values_as_text(hostile_run, browser):
    from expectations.suites import SUITES

    with opened(browser, hostile_run.run_docs / "index.html") as seen:
        page = seen.page
        run_id = hostile_run.run_docs.name
        assert page.title() == f"Run {run_id}"
        assert page.locator("h1").inner_text() == f"Run {run_id}: success"
        assert page.locator("a").all_inner_texts() == sorted(
            ["dbt_docs.html"]
            + [f"great_expectations/{suite.table}.{suite.name}.html" for suite in SUITES]
        )
        failed = [row.locator("td").all_inner_texts() for row in page.locator("tr.fail").all()]
        assert failed == [
            ["raw_crm.activities", "great_expectations_suite", "great_expectations", "warn",
             "fail", "failed=1"],
            ["raw_crm.tickets", "great_expectations_suite", "great_expectations", "warn",
             "fail", "failed=1"],
            ["staging.stg_crm__tickets",
             "relationships_stg_crm__tickets_account_id__account_id__ref_stg_crm__accounts_",
             "dbt_test", "warn", "fail", "failed_row_count=1"],
        ]  # fmt: skip


def test_the_reports_show_the_values_as_text(hostile_run, browser):
    every_chart_drawn = """() => {
      const charts = [...document.querySelectorAll('.chart')];
      return charts.length > 0 && charts.every(c => c.querySelector('svg.main-svg'));
    }"""
    reports = [*hostile_run.run_reports, hostile_run.report]
    assert [p.name for p in reports] == [
        "roi-report-2026-Q1-en.html",
        "roi-report-2026-Q1-zh.html",
        "roi-report-2026-Q1-en.html",
    ]
    for path in reports:
        with opened(browser, path, ready=every_chart_drawn) as seen:
            assert "2026-Q1" in seen.page.title()
            # the project's code and name in the ROI table, as text
            assert text_shown(seen.page, PROJECT) >= 1
            assert text_shown(seen.page, script(2)) >= 1
            assert "&lt;" not in seen.page.inner_text("body")


def test_the_dbt_docs_render_under_their_policy(hostile_run, browser):
    # The dbt docs app (its one inline script, with the manifest and catalog) runs: it
    # draws the project's overview.
    overview_drawn = "() => document.body.innerText.includes('ROI warehouse (dbt project')"
    for path in (hostile_run.run_docs / "dbt_docs.html", hostile_run.docs):
        with opened(browser, path, ready=overview_drawn) as seen:
            assert seen.page.title() == "dbt Docs"


def test_a_closing_script_tag_in_the_catalog_stays_inside_the_dbt_docs_script(
    hostile_run, browser, tmp_path
):
    """dbt pastes manifest.json and catalog.json into its page as they are: a name holding
    `</script>` would end the page's script there and start markup of the data."""
    from foundation.safe_html import write_dbt_docs_page
    from foundation.settings import state_dir

    target = tmp_path / "target"
    shutil.copytree(state_dir(hostile_run.warehouse) / "dbt_target", target,
                    ignore=shutil.ignore_patterns("run", "compiled", "*.log*"))  # fmt: skip
    catalog = json.loads((target / "catalog.json").read_text(encoding="utf-8"))
    columns = catalog["nodes"]["model.roi_warehouse.dim_project"]["columns"]
    hostile_column = "</script><img src=x onerror=alert(99)>"
    columns[hostile_column] = {"type": "VARCHAR", "index": 99, "name": hostile_column,
                               "comment": "<!-- </script><svg onload=alert(98)>"}  # fmt: skip
    (target / "catalog.json").write_text(json.dumps(catalog), encoding="utf-8")
    page = write_dbt_docs_page(target, tmp_path / "dbt_docs.html")
    assert "</script><img" not in page.read_text(encoding="utf-8")
    drawn = "() => document.body.innerText.includes('ROI warehouse (dbt project')"
    with opened(browser, page, ready=drawn) as seen:
        seen.page.goto(page.as_uri() + "#!/model/model.roi_warehouse.dim_project")
        seen.page.wait_for_function(
            "() => document.body.innerText.includes('</script><img src=x onerror=alert(99)>')",
            timeout=20_000,
        )


def test_the_policy_refuses_markup_that_escaping_would_have_missed(browser, tmp_path):
    """The second line: were a value written unescaped into a library's page, the page's
    policy lets only the library's own code run (read from the page rendered without data):
    its inline script and its own event handler, not the data's."""
    from foundation.safe_html import library_page_with_csp

    blank = (
        "<!doctype html><html><head><title>library page</title>"
        "<script>window.ownScriptRan = true; function own() { window.ownHandlerRan = true; }"
        "</script></head><body><button id='own' onclick='own()'>own</button>"
        "<table></table></body></html>"
    )
    injected = (
        f"<tr><td>{img(31)}</td><td>{script(32)}</td><td>{svg(33)}</td>"
        "<td><button id='injected' onclick='alert(34)'>injected</button></td></tr>"
    )
    path = tmp_path / "page.html"
    path.write_text(
        library_page_with_csp(
            blank.replace("<table>", "<table>" + injected), blank_page=blank, handlers=["own()"]
        ),
        encoding="utf-8",
    )
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        page.goto(path.as_uri(), wait_until="load")
        page.click("#own")
        page.click("#injected")
        assert page.evaluate("[window.ownScriptRan, window.ownHandlerRan]") == [True, True]
        assert dialogs == []
    finally:
        page.close()


# --- the project's own pages are templates that escape every value -----------------------

CLOSING_TAG = re.compile(r"</(?:html|body|section|div|table|tr|th|td|ul|li|p|span|code|h[1-6])>")
# html.escape only where data is prepared for a library's page (Great Expectations) or a
# policy goes into one (dbt docs, Data Docs)
ESCAPING_BY_HAND = {"foundation/safe_html.py", "expectations/validate.py"}


def test_no_page_is_written_as_markup_in_python():
    """The pages' markup is in reporting/templates and orchestration/templates, where Jinja2
    escapes every value; Python passes plain values (a markup string in Python would need
    every value escaped by hand)."""
    root = Path(__file__).resolve().parents[2]
    markup, escaping = [], []
    for package in ("roi", "ingestion", "orchestration", "expectations", "reporting"):
        for path in sorted((root / package).rglob("*.py")):
            name = path.relative_to(root).as_posix()
            source = path.read_text(encoding="utf-8")
            markup += [f"{name}: {tag}" for tag in CLOSING_TAG.findall(source)]
            if "html.escape" in source and name not in ESCAPING_BY_HAND:
                escaping.append(name)
    assert markup == []
    assert escaping == []


def test_the_templates_escape_every_value_and_refuse_a_missing_one():
    import jinja2

    from foundation.safe_html import html_templates

    templates = html_templates("orchestration")
    shown = templates.from_string('<p title="{{ value }}">{{ value }}</p>')
    assert shown.render(value=svg(40)) == (
        '<p title="&#34;&gt;&lt;svg onload=alert(40)&gt;">&#34;&gt;&lt;svg onload=alert(40)&gt;</p>'
    )
    # the pages escape; the report's print script and CSS are code that takes numbers only
    assert [templates.autoescape(name) for name in ("run_index.html", "print.js")] == [True, False]
    with pytest.raises(jinja2.UndefinedError, match="'value' is undefined"):
        shown.render()


def test_the_run_index_page_from_its_template(tmp_path):
    """write_run_index on hand-made values, without a run: every value is text, every
    document a link, the policy allows no script."""
    import datetime as dt
    from html.parser import HTMLParser

    from foundation.warehouse import as_warehouse
    from orchestration.audit_trail import write_run_index

    warehouse = as_warehouse(tmp_path / "roi.duckdb")
    run = {"run_id": "run-1", "status": "failed", "trigger": "manual", "source": img(41),
           "period": None, "code_version": "abc1234", "finished_at": None,
           "started_at": dt.datetime(2026, 7, 1, 6, tzinfo=dt.UTC)}  # fmt: skip
    folder = warehouse.state_dir / "docs" / "run-1"
    (folder / "gx docs").mkdir(parents=True)
    (folder / "gx docs" / "suite.html").write_text("", encoding="utf-8")
    (folder / "dbt_docs.html").write_text("", encoding="utf-8")
    checks = [
        ("run-1", script(42), "marts.dim_project", "dbt_test", "error", "fail", None, 1),
        ("run-1", "ge", "raw.t", "great_expectations_expectation", "warn", "fail", "x", 1),
        ("run-1", "fresh", "raw.t", "freshness", "warn", "pass", "hours=2 <b>", 1),
    ]

    class Page(HTMLParser):
        def __init__(self):
            super().__init__()
            self.cells: list[str] = []
            self.links: list[str] = []
            self.policy = ""
            self.text = ""
            self.in_cell = False

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "td":
                self.cells.append("")
                self.in_cell = True
            elif tag == "a":
                self.links.append(attrs["href"])
            elif tag == "meta" and attrs.get("http-equiv") == "Content-Security-Policy":
                self.policy = attrs["content"]

        def handle_endtag(self, tag):
            self.in_cell = self.in_cell and tag != "td"

        def handle_data(self, data):
            self.text += data
            if self.in_cell:
                self.cells[-1] += data

    page = Page()
    page.feed(write_run_index(warehouse, run, checks).read_text(encoding="utf-8"))
    assert page.links == ["dbt_docs.html", "gx%20docs/suite.html"]
    assert page.cells == [
        "marts.dim_project", script(42), "dbt_test", "error", "fail", "",
        "raw.t", "fresh", "freshness", "warn", "pass", "hours=2 <b>",
    ]  # fmt: skip
    assert "Run run-1: failed" in page.text
    assert f"trigger manual, source {img(41)}, period -," in page.text
    assert "script-src 'none'" in page.policy
