"""The report's What-if section on the hand-built warehouse of tests/reporting/warehouse.py:
the suggested scenarios, a scenario file, refusals and bad files, worked out by hand.

The default window is the last two complete quarters, 2026-Q1 to 2026-Q2 (the data end on
2026-06-30). In it (month rows; amounts in K):

- P1 spends only on google_ads (800K, 7 new customers): one paid channel, no budget shift.
- P2's meta_ads spent 230K (110K + 120K) on 5 customers (cost per customer 46K), its
  linkedin_ads 80K on 5 (16K); each customer's realised LTV is 160K, so meta_ads earned
  800K / 230K = 3.5 per unit of spend, linkedin_ads 800K / 80K = 10: the suggestion moves 20%
  of meta_ads' spend, 46K, to linkedin_ads. meta_ads loses 46K / 46K = 1 customer;
  linkedin_ads gains 46K / 16K = 2.875 at its cost per customer, 46K / 20K = 2.3 at +25% and
  46K / 24K = 1.9167 at +50%. P2 over the window: investment 1,500K (500K + 1,000K),
  acquisition cost 440K, gross profit 1,600K, 8 new customers, ROI 100K / 1,500K = 6.67%.
  Projected gross profit 1,600K + 160K x (2.875 - 1) = 1,900K (ROI 26.67%), 1,808K (20.53%),
  1,746.67K (16.44%); new customers 9.875, 9.3, 8.9167.
- P1 and P2 lose 1 of 30 customers every month: churn 1/30 = 3.33%, an expected lifetime of
  30 months; churn -1 pp is 2.33%, 1 / 2.33% = 42.9 months, capped at 36. P1's 14 active
  customers earn 7 x 25K + 7 x 200K = 1,575K a month; its 15 customers' realised LTV is
  7 x 200K + 7 x 400K + 10,000K = 14,200K, so predicted LTV is 14,200K + 1,575K x 30 =
  61,450K, projected 14,200K + 1,575K x 36 = 70,900K.
- P3 has no churn history: its churn change is refused, so it is not suggested.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path

import pytest

from foundation.warehouse import DuckDBWarehouse
from reporting import ReportSettings, build_report
from reporting.charts import what_if_budget, what_if_churn
from reporting.data import load_report_data
from reporting.model import build_model
from reporting.render import Renderer
from reporting.what_if import ScenarioSource, scenario_source, what_if
from roi.cli import main
from simulation import BudgetShift, ChurnChange, SimulationSettings

from . import warehouse as wh

K = wh.K
NOW = dt.datetime(2026, 7, 2, tzinfo=dt.UTC)
CHURN = 1 / 30
NEW_CHURN = 1 / 30 - 0.01


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    return wh.write(tmp_path_factory.mktemp("what-if") / "roi.duckdb", wh.tables())


def model_of(warehouse: Path, source: ScenarioSource):
    with DuckDBWarehouse(warehouse).connect(read_only=True) as con:
        data = load_report_data(con, None, "quarter", None)
        scenarios = what_if(con, source, str(warehouse))
    return build_model(data, ReportSettings(), str(warehouse), NOW, scenarios)


@pytest.fixture(scope="module")
def suggested(warehouse):
    return model_of(warehouse, scenario_source(environ={}))


def section_text(page: str) -> str:
    """The What-if section's visible text, a line per paragraph, heading, row and item (a
    cell's second line after a space)."""
    start = page.index('<section id="what_if"')
    part = page[start : page.index("</section>", start)]
    part = re.sub(r"<script.*?</script>", "", part, flags=re.S)
    part = part.replace('<span class="name">', " ")  # a projection's change, below it
    part = re.sub(r"</(p|h3|h4|li|tr)>", "\n", part)
    part = re.sub(r"</t[dh]>", " | ", part)
    return html.unescape(re.sub(r"<[^>]+>", "", part))


def scenario_block(page: str, index: int) -> str:
    start = page.index(f'id="scenario-{index}"')
    end = page.find('<div class="scenario"', start)
    return page[start : end if end > 0 else page.index("</section>", start)]


# --- which scenarios ------------------------------------------------------------------------


def test_the_suggested_scenarios(suggested):
    results = suggested.what_if.results
    assert [result.scenario for result in results] == [
        ChurnChange("P1", -0.01),
        BudgetShift("P2", "meta_ads", "linkedin_ads", share=0.2),
        ChurnChange("P2", -0.01),
    ]
    assert not any(result.refused for result in results)
    assert suggested.what_if.suggested and suggested.what_if.data_end == dt.date(2026, 6, 30)


# --- the budget shift, by hand ----------------------------------------------------------------


def test_the_budget_shift_s_projection(suggested):
    shift = suggested.what_if.results[1]
    roi = shift.figure("roi", ("P2",))
    assert roi.baseline == pytest.approx(100 / 1500)
    assert roi.projected == pytest.approx(
        (400 / 1500, 308 / 1500, (1600 + 160 * (46 / 24 - 1) - 1500) / 1500)
    )
    assert shift.figure("new_customers", ("P2",)).projected == pytest.approx(
        (9.875, 9.3, 8 - 1 + 46 / 24)
    )
    assert shift.figure("gross_profit", ("P2",)).projected == pytest.approx(
        (1900 * K, 1808 * K, (1600 + 160 * (46 / 24 - 1)) * K)
    )


def test_the_budget_shift_s_table_with_its_assumptions_beside_it(suggested):
    page = Renderer(suggested, "en").page()
    block = scenario_block(page, 2)
    text = section_text('<section id="what_if">' + block + "</section>")
    assert "Scenario 2: P2 meta_ads -> P2 linkedin_ads: move 20.0% of the meta_ads spend" in text
    assert (
        "Figure | Baseline | Baseline is | Projected: cost per customer +0% | "
        "Projected: cost per customer +25% | Projected: cost per customer +50% |" in text
    )
    lines = text.splitlines()
    # P2's own rows come after its two channels' rows
    p2 = lines.index("P2 |  |  |  |  |  | ")
    assert lines[p2 + 3] == (
        "new customers | 8 | observed | 9.9 (+1.9) | 9.3 (+1.3) | 8.9 (+0.9) | "
    )
    assert lines[p2 + 5] == (
        "gross profit | 1,600,000 | observed | 1,900,000 (+300,000) | 1,808,000 (+208,000) | "
        "1,746,667 (+146,667) | "
    )
    assert lines[p2 + 6] == (
        "ROI over the window | 6.7% | observed | 26.7% (+20.0 pp) | 20.5% (+13.9 pp) | "
        "16.4% (+9.8 pp) | "
    )
    linkedin = lines.index("P2 linkedin_ads |  |  |  |  |  | ")
    assert lines[linkedin + 5] == (
        "predicted LTV of the new customers | 5,600,000 | model | 8,820,000 (+3,220,000) | "
        "8,176,000 (+2,576,000) | 7,746,667 (+2,146,667) | "
    )
    # the assumptions sit in the same block, beside the table
    assert re.search(r"</table></div>\s*<aside class=\"assumptions\">", block)
    assumptions = text[text.index("Assumptions") :]
    assert (
        "Constant average efficiency, no saturation: every USD moved wins or loses customers at "
        "the channel's average cost per customer in the window (P2 meta_ads 46,000, P2 "
        "linkedin_ads 16,000), however much is moved." in assumptions
    )
    assert "The money moves within P2: its investment and acquisition cost stay as observed" in (
        assumptions
    )
    assert "Baseline observed over Jan 1, 2026 to Jun 30, 2026 (2026-Q1–2026-Q2)" in text


# --- the churn change, by hand ----------------------------------------------------------------


def expected_months(churn: float, horizon: int = 12) -> float:
    return (1 - (1 - churn) ** horizon) / churn


def test_the_churn_change_s_projection_and_table(suggested):
    churn = suggested.what_if.results[0]
    predicted = churn.figure("customers_predicted_ltv", ("P1",))
    assert (predicted.baseline, *predicted.projected) == pytest.approx((61450 * K, 70900 * K))
    roi = churn.figure("cumulative_roi_at_horizon", ("P1",))
    assert roi.baseline == pytest.approx((4500 + 1575 * expected_months(CHURN) - 4000) / 4000)
    assert roi.projected == pytest.approx(
        ((4500 + 1575 * expected_months(NEW_CHURN) - 4000) / 4000,)
    )
    text = section_text(Renderer(suggested, "en").page())
    assert "Scenario 1: P1: monthly churn -1.00 percentage points, 12-month horizon" in text
    assert "Figure | Baseline | Baseline is | Projected: churn 2.33% a month |" in text
    assert "monthly churn rate | 3.33% | observed | 2.33% (-1.00 pp) | " in text.splitlines()
    assert (
        "predicted LTV of all customers | 61,450,000 | model | 70,900,000 (+9,450,000) | "
        in text.splitlines()
    )
    assert (
        "The 36-month cap on the expected lifetime binds (1 / churn: baseline 30.0, projected "
        "42.9 months): churn below 2.78% a month raises predicted LTV no further." in text
    )


# --- the section around them ----------------------------------------------------------------


def test_the_section_says_where_its_scenarios_come_from_and_what_is_projected(suggested):
    text = section_text(Renderer(suggested, "en").page())
    assert (
        "No scenario file was given (roi report --scenarios FILE, or ROI_SCENARIOS), so these "
        "are the suggested scenarios: for each project, 20% of the spend of the paid channel "
        "whose spend earned the least realised LTV per unit moved to the one whose spend earned "
        "the most (both with at least 5 new customers in the window), and monthly churn -1.0 pp."
        in text
    )
    assert "Projected from the published marts through Jun 30, 2026" in text
    assert "projected: this scenario's model, never observed." in text


def test_the_charts_draw_baselines_and_hatched_projections(suggested):
    budget = what_if_budget(suggested, "en")
    assert [trace.name for trace in budget.data] == [
        "Observed",
        "Projected: cost per customer +0%",
        "Projected: cost per customer +25%",
        "Projected: cost per customer +50%",
    ]
    assert [tuple(trace.x) for trace in budget.data] == [("Scenario 2",)] * 4
    assert [trace.y[0] for trace in budget.data] == pytest.approx(
        [100 / 1500, 400 / 1500, 308 / 1500, (1600 + 160 * (46 / 24 - 1) - 1500) / 1500]
    )
    assert budget.data[0].marker.pattern.shape is None
    assert {trace.marker.pattern.shape for trace in budget.data[1:]} == {"/"}
    churn = what_if_churn(suggested, "en")
    assert [trace.name for trace in churn.data] == ["Baseline (model, observed churn)", "Projected"]
    assert [tuple(trace.x) for trace in churn.data] == [("Scenario 1", "Scenario 3")] * 2
    # each scenario's own projected churn, on hover (P1 and P2 both churn 3.33% - 1 pp)
    assert tuple(churn.data[1].hovertext) == (
        "P1: churn 2.33% a month",
        "P2: churn 2.33% a month",
    )


def test_numbers_in_the_page_s_language(suggested):
    page = Renderer(suggested, "de").page()
    block = html.unescape(scenario_block(page, 2))
    assert "1.900.000" in block and "26,7\u00a0%" in block and "9,9" in block


# --- a scenario file ------------------------------------------------------------------------

SCENARIOS = """
settings:
  min_customers: 3
scenarios:
  - name: P2 tries LinkedIn harder
    type: budget_shift
    project: P2
    from_channel: meta_ads
    to_channel: linkedin_ads
    amount: 23000
  - type: churn_change
    project: P3
    churn_change: -1pp
"""


def test_a_scenario_file_from_the_command_line(warehouse, tmp_path, monkeypatch):
    scenarios = tmp_path / "scenarios.yml"
    scenarios.write_text(SCENARIOS, encoding="utf-8")
    monkeypatch.delenv("ROI_SCENARIOS", raising=False)
    out = tmp_path / "out"
    argv = ["report", "--warehouse", str(warehouse), "--out", str(out)]
    assert main([*argv, "--scenarios", str(scenarios)]) == 0
    page = (out / "roi-report-2026-Q2-en.html").read_text(encoding="utf-8")
    text = section_text(page)
    assert f"The scenarios of {scenarios}." in text
    assert "Scenario 1: P2 tries LinkedIn harder" in text
    assert "P2 meta_ads -> P2 linkedin_ads: move 23,000 of media spend" in text
    # 23K: half a customer lost on meta_ads, 23K / 16K = 1.4375 won on linkedin_ads
    assert "new customers | 8 | observed | 8.9 (+0.9) |" in text
    # P3 has no churn history: refused with the reason, and nothing projected
    refused = section_text('<section id="what_if">' + scenario_block(page, 2) + "</section>")
    assert (
        "Refused: P3 has no churn rate: no customer was active at the start of any of its last "
        "12 months in marts.mart_churn_monthly" in refused
    )
    assert "<table" not in scenario_block(page, 2) and "Assumptions" not in refused


def test_the_scenario_file_from_the_environment(warehouse, tmp_path, monkeypatch):
    scenarios = tmp_path / "scenarios.yml"
    scenarios.write_text(SCENARIOS, encoding="utf-8")
    monkeypatch.setenv("ROI_SCENARIOS", str(scenarios))
    source = scenario_source()
    assert source.path == scenarios
    assert source.settings == SimulationSettings(min_customers=3)
    page = build_report(warehouse, tmp_path / "out").read_text(encoding="utf-8")
    assert "Scenario 1: P2 tries LinkedIn harder" in section_text(page)


def test_a_bad_scenario_file_stops_the_report_before_anything_is_written(
    warehouse, tmp_path, capsys, monkeypatch
):
    monkeypatch.delenv("ROI_SCENARIOS", raising=False)
    scenarios = tmp_path / "scenarios.yml"
    scenarios.write_text("scenarios:\n  - type: budget_shift\n    project: P2\n", encoding="utf-8")
    out = tmp_path / "out"
    argv = ["report", "--warehouse", str(warehouse), "--out", str(out)]
    assert main([*argv, "--scenarios", str(scenarios)]) == 2
    error = capsys.readouterr().err
    assert str(scenarios) in error and "from_channel" in error
    assert not out.exists()
