"""The scenario file: what it accepts, and errors that name the file, the scenario (position
and name) and the field, with the values allowed. And the settings' sources."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from foundation.errors import RoiError
from foundation.settings import REPO_ROOT
from simulation import BudgetShift, ChurnChange, SimulationSettings, Window
from simulation.schema import load_scenario_file

CHANNELS = "google_ads, meta_ads, linkedin_ads, organic, referral, event, direct"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scenarios.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_file_of_both_kinds_is_read(tmp_path):
    path = write(
        tmp_path,
        """
settings:
  min_customers: 3
  bands: [0, 50%]
window: 2025-Q4:2026-Q1
scenarios:
  - name: Google to Meta
    type: budget_shift
    project: P-DE
    from_channel: google_ads
    to_channel: Meta_Ads
    share: 20%
  - type: budget_shift
    project: P-DE
    to_project: P-FR
    from_channel: google_ads
    to_channel: google_ads
    amount: 10,000
    window: 2026-H1
  - type: churn_change
    project: P-DE
    churn_change: -1.5pp
    horizon_months: 24
""",
    )
    scenario_file = load_scenario_file(path)
    # the file's window is the default of the shifts that name none; channels in any case
    assert scenario_file.scenarios == (
        BudgetShift(
            "P-DE",
            "google_ads",
            "meta_ads",
            share=0.2,
            window=Window.parse("2025-Q4:2026-Q1"),
            name="Google to Meta",
        ),
        BudgetShift(
            "P-DE",
            "google_ads",
            "google_ads",
            amount=10_000,
            to_project="P-FR",
            window=Window.parse("2026-H1"),
        ),
        ChurnChange("P-DE", -0.015, horizon_months=24),
    )
    settings = scenario_file.apply_settings(SimulationSettings())
    assert (settings.min_customers, settings.bands) == (3, (0.0, 0.5))


def test_the_example_file_is_valid():
    scenario_file = load_scenario_file(REPO_ROOT / "scenarios.example.yml")
    assert [scenario.kind for scenario in scenario_file.scenarios] == [
        "budget_shift",
        "budget_shift",
        "budget_shift",
        "churn_change",
        "churn_change",
    ]
    assert scenario_file.apply_settings(SimulationSettings()) == SimulationSettings()


SHIFT = """
scenarios:
  - name: Move
    type: budget_shift
    project: P-DE
    from_channel: google_ads
    to_channel: meta_ads
"""


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        pytest.param("- a\n- b\n", "expected a mapping with a list of scenarios (scenarios: "
                     "[...]), got list", id="not-a-mapping"),
        pytest.param("", "expected a mapping with a list of scenarios (scenarios: [...]), got "
                     "None", id="empty"),
        pytest.param(SHIFT + "    amount: 100\nscenario: []\n", "'scenario' is not a "
                     "top-level field; allowed: settings, window, scenarios",
                     id="unknown-top-level-field"),
        pytest.param("scenarios: []\n", "scenarios: expected a list of one or more scenarios, "
                     "each with a type (budget_shift, churn_change)", id="no-scenarios"),
        pytest.param("scenarios:\n  - project: P-DE\n", "scenario 1: type: missing; allowed: "
                     "budget_shift, churn_change", id="no-type"),
        pytest.param("scenarios:\n  - {name: Cut, type: budget}\n", "scenario 1 ('Cut'): type: "
                     "'budget' is not a scenario type; allowed: budget_shift, churn_change",
                     id="unknown-type"),
        pytest.param("scenarios:\n  - 12\n", "scenario 1: expected a mapping of fields (type: "
                     "..., project: ...), got 12", id="not-a-scenario"),
        pytest.param(SHIFT + "    amount: 100\n    amont: 100\n", "scenario 1 ('Move'): "
                     "'amont' is not a field of a budget_shift; fields: name, type, project, "
                     "from_channel, to_channel, to_project, amount, share, window",
                     id="unknown-field"),
        pytest.param(SHIFT.replace("meta_ads", "googel_ads") + "    amount: 100\n",
                     "scenario 1 ('Move'): to_channel: 'googel_ads' is not a channel: allowed "
                     f"{CHANNELS}", id="unknown-channel"),
        pytest.param(SHIFT.replace("    project: P-DE\n", "") + "    amount: 100\n",
                     "scenario 1 ('Move'): project: missing (required for a budget_shift)",
                     id="missing-project"),
        pytest.param(SHIFT, "scenario 1 ('Move'): amount, share: give exactly one of them "
                     "(amount: 10000 or share: 20%)", id="neither-amount-nor-share"),
        pytest.param(SHIFT + "    amount: 100\n    share: 10%\n", "scenario 1 ('Move'): amount, "
                     "share: give exactly one of them (amount: 10000 or share: 20%)",
                     id="amount-and-share"),
        pytest.param(SHIFT + "    amount: -5\n", "scenario 1 ('Move'): amount: -5 is not an "
                     "amount: write a positive number in the reporting currency, like 10000",
                     id="negative-amount"),
        pytest.param(SHIFT + "    share: 20\n", "scenario 1 ('Move'): share: 20 is not a share "
                     "of the spend: write a percentage above 0% and at most 100%, like 20%, or a "
                     "fraction like 0.2", id="share-without-percent"),
        pytest.param(SHIFT + "    share: 150%\n", "scenario 1 ('Move'): share: '150%' is not a "
                     "share of the spend: write a percentage above 0% and at most 100%, like "
                     "20%, or a fraction like 0.2", id="share-above-all"),
        pytest.param(SHIFT + "    amount: 100\n    window: 2026-W05\n", "scenario 1 ('Move'): "
                     "window: '2026-W05' is not a window of whole months: write it like "
                     "2025-Q3:2026-Q1, 2026-Q1, 2025-07:2025-12, 2026-H1 or 2025 (quarters, "
                     "months, half-years or years; first:last, both included)", id="week-window"),
        pytest.param(SHIFT + "    amount: 100\n    window: 2026-Q2:2026-Q1\n", "scenario 1 "
                     "('Move'): window: '2026-Q2:2026-Q1' is not a window: 2026-Q2 is after "
                     "2026-Q1", id="window-backwards"),
        pytest.param(SHIFT.replace("meta_ads", "google_ads") + "    amount: 100\n",
                     "scenario 1 ('Move'): to_channel: the money would move from google_ads to "
                     "itself; name another channel, or another project with to_project",
                     id="to-itself"),
        pytest.param("scenarios:\n  - {type: churn_change, project: P-DE, churn_change: -1}\n",
                     "scenario 1: churn_change: -1 is not a change in percentage points: write "
                     "it with pp, like -1pp, +0.5pp or 2pp", id="churn-without-pp"),
        pytest.param("scenarios:\n  - {type: churn_change, project: P-DE, churn_change: -1pp, "
                     "horizon_months: 0}\n", "scenario 1: horizon_months: 0 is not a number of "
                     "months: write a whole number like 12", id="no-horizon"),
        pytest.param("scenarios:\n  - {type: churn_change, project: P-DE, churn_change: -1pp, "
                     "share: 10%}\n", "scenario 1: 'share' is not a field of a churn_change; "
                     "fields: name, type, project, churn_change, horizon_months",
                     id="shift-field-in-a-churn-change"),
        pytest.param("settings: {min_customer: 3}\nscenarios:\n  - {type: churn_change, "
                     "project: P-DE, churn_change: 1pp}\n", "settings: unknown setting "
                     "'min_customer'; names: min_customers, bands, window_quarters, "
                     "horizon_months, max_lifetime_months", id="unknown-setting"),
        pytest.param("settings: {min_customers: 0}\nscenarios:\n  - {type: churn_change, "
                     "project: P-DE, churn_change: 1pp}\n", "settings: min_customers: 0 is not "
                     "a whole number of at least 1", id="bad-setting"),
        pytest.param("scenarios:\n  - type: churn_change\n   project: P-DE\n", "not valid YAML "
                     "at line 3, column 4: expected <block end>, but found '<block mapping "
                     "start>'", id="yaml-syntax"),
    ],
)  # fmt: skip
def test_a_problem_names_the_file_the_scenario_and_the_field(tmp_path, text, problem):
    path = write(tmp_path, text)
    with pytest.raises(RoiError) as raised:
        load_scenario_file(path)
    assert str(raised.value) == f"{path}: {problem}"


def test_every_problem_of_a_file_is_listed(tmp_path):
    path = write(
        tmp_path,
        """
scenarios:
  - {name: First, type: budget_shift, project: P-DE, from_channel: tv, to_channel: meta_ads,
     amount: 100}
  - {name: Second, type: churn_change, project: P-DE, churn_change: 2%}
""",
    )
    with pytest.raises(RoiError) as raised:
        load_scenario_file(path)
    assert str(raised.value).splitlines() == [
        f"{path}: 2 problems; nothing was simulated:",
        f"  - {path}: scenario 1 ('First'): from_channel: 'tv' is not a channel: allowed "
        f"{CHANNELS}",
        f"  - {path}: scenario 2 ('Second'): churn_change: '2%' is not a change in percentage "
        "points: write it with pp, like -1pp, +0.5pp or 2pp",
    ]


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(RoiError, match=r"nothing\.yml: cannot read the scenario file"):
        load_scenario_file(tmp_path / "nothing.yml")


def test_settings_come_from_the_environment_then_the_overrides():
    settings = SimulationSettings.from_env(
        {"ROI_SIMULATE_MIN_CUSTOMERS": "8", "ROI_SIMULATE_BANDS": "0, 10%, 0.2"}
    ).with_overrides(["min_customers=4", "horizon-months=6"])
    assert settings == SimulationSettings(min_customers=4, bands=(0.0, 0.1, 0.2), horizon_months=6)
    assert SimulationSettings().with_values({"bands": 0.25}, "a file").bands == (0.25,)
    with pytest.raises(RoiError, match=r"--setting: bands: '-10%' is not an increase"):
        SimulationSettings().with_overrides(["bands=0,-10%"])
    with pytest.raises(RoiError, match=r"--setting: 'min_customers' is not name=value"):
        SimulationSettings().with_overrides(["min_customers"])


@pytest.mark.parametrize(
    "values",
    [{"min_customers": 0}, {"bands": ()}, {"bands": (0.0, -0.5)}, {"horizon_months": 0}],
    ids=["no-minimum", "no-band", "a-cheaper-band", "no-horizon"],
)
def test_settings_built_in_code_are_checked_too(values):
    with pytest.raises(ValueError):
        SimulationSettings(**values)


def test_the_lifetime_cap_is_the_dbt_projects():
    # the churn baseline is the marts' predicted LTV only with the cap dbt built it with
    project = yaml.safe_load((REPO_ROOT / "dbt_project" / "dbt_project.yml").read_text("utf-8"))
    dbt_cap = project["vars"]["predicted_ltv_max_lifetime_months"]
    assert SimulationSettings().max_lifetime_months == dbt_cap
