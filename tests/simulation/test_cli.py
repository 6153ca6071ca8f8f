"""`roi simulate` on the hand-built warehouse (tests/simulation/warehouse.py): the table, the
JSON, and the exit codes (0 all projected, 1 a scenario refused, 2 bad input with the reason
on stderr)."""

from __future__ import annotations

import json

import pytest

from roi.cli import main


def simulate(capsys, warehouse_file, *args: str) -> tuple[int, str, str]:
    code = main(["simulate", *args, "--warehouse", str(warehouse_file)])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_budget_shift_by_flags_prints_a_table(capsys, warehouse_file):
    # WHEN 5,000 of P-DE's google_ads spend moves to meta_ads (test_budget_shift.py works it)
    code, out, err = simulate(
        capsys, warehouse_file, "--project", "P-DE", "--shift", "google_ads:meta_ads",
        "--amount", "5000",
    )  # fmt: skip
    # THEN it is projected, with the baseline's window and amount, each figure's baseline
    # marked observed, each projected column headed projected, and the assumptions
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == (
        "Scenario 1 of 1: P-DE google_ads -> P-DE meta_ads: move 5,000 of media spend "
        "(budget shift)"
    )
    assert lines[1] == (
        "  Baseline observed over 2026-01-01 to 2026-06-30 (2026-Q1–2026-Q2); the data end "
        "on 2026-06-30."
    )
    moves = "  Moves 5,000 USD: 25.0% of P-DE's google_ads spend in the window (20,000 USD)."
    assert moves in lines
    header = [line.split() for line in lines if "baseline" in line and "projected" in line]
    assert header == [["baseline", "baseline", "projected", "projected", "projected"]]
    assert any(line.split() == ["P-DE", "meta_ads"] for line in lines)
    tokens = [line.split() for line in lines]
    assert ["new", "customers", "6", "observed", "8.0", "(+2.0)", "7.6", "(+1.6)", "7.3",
            "(+1.3)"] in tokens  # fmt: skip
    assert ["ROI", "over", "the", "window", "-20.0%", "observed", "-19.0%", "(+1.0", "pp)",
            "-20.2%", "(-0.2", "pp)", "-21.0%", "(-1.0", "pp)"] in tokens  # fmt: skip
    assert "  Assumptions:" in lines
    constant = "    - Constant average efficiency, no saturation"
    assert any(line.startswith(constant) for line in lines)
    assert out.rstrip().endswith("projected: this scenario's model, never observed.")


@pytest.mark.parametrize(
    "change", [["--churn-change", "-1pp"], ["--churn-change=-1pp"]], ids=["spaced", "attached"]
)
def test_a_churn_change_by_flags_prints_model_baselines(capsys, warehouse_file, change):
    # a decrease starts with "-", as a flag does: both spellings are the value
    code, out, err = simulate(
        capsys, warehouse_file, "--project", "P-DE", *change, "--horizon", "12"
    )
    assert (code, err) == (0, "")
    assert "Scenario 1 of 1: P-DE: monthly churn -1.00 percentage points, 12-month horizon" in out
    lines = [line.split() for line in out.splitlines()]
    assert ["monthly", "churn", "rate", "5.00%", "observed", "4.00%", "(-1.00", "pp)"] in lines
    assert ["predicted", "LTV", "of", "all", "customers", "137,000", "model", "155,500",
            "(+18,500)"] in lines  # fmt: skip


def test_json_carries_keys_values_and_texts(capsys, warehouse_file):
    code, out, err = simulate(
        capsys, warehouse_file, "--project", "P-DE", "--shift", "google_ads:google_ads",
        "--to-project", "P-FR", "--share", "20%", "--name", "Germany to France",
        "--format", "json",
    )  # fmt: skip
    assert (code, err) == (0, "")
    document = json.loads(out)
    assert (document["data_start"], document["data_end"]) == ("2025-04-01", "2026-06-30")
    assert document["reporting_currency"] == "USD"
    assert document["settings"]["min_customers"] == 5
    [scenario] = document["scenarios"]
    assert (scenario["index"], scenario["name"], scenario["type"], scenario["status"]) == (
        1,
        "Germany to France",
        "budget_shift",
        "projected",
    )
    assert scenario["scenario"] == {
        "type": "budget_shift",
        "project": "P-DE",
        "from_channel": "google_ads",
        "to_channel": "google_ads",
        "amount": None,
        "share": 0.2,
        "to_project": "P-FR",
        "window": None,
        "name": "Germany to France",
    }
    assert scenario["window"] == {
        "label": "2026-Q1–2026-Q2",
        "start": "2026-01-01",
        "end": "2026-06-30",
    }
    assert [column["values"]["increase"] for column in scenario["columns"]] == [0, 0.25, 0.5]
    # 20% of 20,000 = 4,000 moves: P-FR wins 4,000 / 1,500 = 2.667 customers at +0%
    roi = next(
        figure
        for figure in scenario["figures"]
        if figure["metric"] == "roi" and figure["projects"] == ["P-FR"]
    )
    assert roi["baseline"] == {"kind": "observed", "value": pytest.approx(0.25)}
    assert roi["projected"] == pytest.approx([0.227273, 0.209091, 0.196970], abs=1e-6)
    assert roi["change"][0] == pytest.approx(0.227273 - 0.25, abs=1e-6)
    assert roi["label"] == "ROI over the window"
    assert [message["key"] for message in scenario["assumptions"]][:2] == [
        "assumption.constant_efficiency",
        "assumption.cost_bands",
    ]
    assert scenario["assumptions"][0]["values"]["cost_to"] == 1_500
    assert scenario["refusal"] is None


def test_a_refused_scenario_exits_1_and_shows_why(capsys, warehouse_file, tmp_path):
    # GIVEN a file with a projected scenario and one whose receiving channel won 3 customers
    path = tmp_path / "scenarios.yml"
    path.write_text(
        """
scenarios:
  - {type: churn_change, project: P-DE, churn_change: +1pp}
  - name: To LinkedIn
    type: budget_shift
    project: P-DE
    from_channel: google_ads
    to_channel: linkedin_ads
    amount: 1000
""",
        encoding="utf-8",
    )
    # WHEN it is simulated, as a table and as JSON
    code, out, err = simulate(capsys, warehouse_file, "--scenarios", str(path))
    json_code, json_out, json_err = simulate(
        capsys, warehouse_file, "--scenarios", str(path), "--format", "json"
    )
    # THEN the first is projected, the second refused with its reason, and the exit code is 1
    assert (code, err) == (1, "1 of 2 scenario(s) refused\n")
    assert "Scenario 2 of 2: To LinkedIn (budget shift)" in out
    assert (
        "  REFUSED: P-DE linkedin_ads won 3 new customer(s) in 2026-Q1–2026-Q2, fewer than 5" in out
    )
    assert (json_code, json_err) == (1, "1 of 2 scenario(s) refused\n")
    refused = json.loads(json_out)["scenarios"][1]
    assert refused["status"] == "refused"
    assert refused["refusal"]["key"] == "refusal.too_few_customers"
    assert refused["refusal"]["values"]["customers"] == 3
    assert refused["figures"] == []


def test_the_suggested_scenarios(capsys, warehouse_file):
    # WHEN the report's suggestions are asked for (tests/simulation/test_suggestions.py)
    code, out, err = simulate(capsys, warehouse_file, "--suggested")
    # THEN they are projected: P-DE's google_ads to meta_ads, and both churn changes
    assert (code, err) == (0, "")
    titles = [line for line in out.splitlines() if line.startswith("Scenario ")]
    assert titles == [
        "Scenario 1 of 3: P-DE google_ads -> P-DE meta_ads: move 20.0% of the google_ads spend "
        "(budget shift)",
        "Scenario 2 of 3: P-DE: monthly churn -1.00 percentage points, 12-month horizon "
        "(churn change)",
        "Scenario 3 of 3: P-FR: monthly churn -1.00 percentage points, 12-month horizon "
        "(churn change)",
    ]
    # nothing to suggest with min_customers 11: no channel has that many, and churn changes
    # alone remain
    code, out, _ = simulate(capsys, warehouse_file, "--suggested", "--setting", "min_customers=11")
    assert code == 0 and "Scenario 1 of 2: P-DE: monthly churn" in out
    # and none at all when the lifetime cap disagrees with the marts' too (every churn change
    # would be refused)
    code, out, _ = simulate(
        capsys, warehouse_file, "--suggested", "--setting", "min_customers=11",
        "--setting", "max_lifetime_months=12",
    )  # fmt: skip
    assert (code, out) == (
        0,
        "no scenario to suggest: no project has two paid channels with at least 11 new "
        "customers in the window, nor a churn rate to lower\n",
    )


def test_suggested_goes_alone(capsys, warehouse_file, tmp_path):
    code, _, err = simulate(capsys, warehouse_file, "--suggested", "--project", "P-DE")
    assert code == 2 and "--suggested chooses the scenarios: leave out --project" in err
    code, _, err = simulate(capsys, warehouse_file, "--suggested", "--scenarios", "x.yml")
    assert code == 2 and "--scenarios and --suggested both choose the scenarios" in err


def test_a_setting_on_the_command_line_wins(capsys, warehouse_file):
    code, _, err = simulate(
        capsys, warehouse_file, "--project", "P-DE", "--shift", "google_ads:linkedin_ads",
        "--amount", "1000", "--setting", "min_customers=3",
    )  # fmt: skip
    assert (code, err) == (0, "")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["--project", "P-DE"], "give a scenario: --shift FROM:TO with --amount or "
                     "--share (a budget shift), or --churn-change ±Npp (a churn change), each "
                     "with --project; or --scenarios FILE", id="no-scenario"),
        pytest.param(["--shift", "google_ads:meta_ads", "--amount", "5"], "--project is "
                     "required: the project the scenario changes, like P-DE", id="no-project"),
        pytest.param(["--project", "P-DE", "--shift", "google_ads:meta_ads"], "--shift moves "
                     "either --amount (e.g. 10000) or --share (e.g. 20%)", id="no-amount"),
        pytest.param(["--project", "P-DE", "--shift", "google_ads:meta_ads", "--share",
                      "150%"], "--share: '150%' is not a share of the spend: write a percentage "
                     "above 0% and at most 100%, like 20%, or a fraction like 0.2",
                     id="share-above-all"),
        pytest.param(["--project", "P-DE", "--shift", "google:meta_ads", "--amount", "5"],
                     "--shift: 'google' is not a channel: allowed google_ads, meta_ads, "
                     "linkedin_ads, organic, referral, event, direct", id="unknown-channel"),
        pytest.param(["--project", "P-DE", "--shift", "google_ads", "--amount", "5"],
                     "--shift: the money would move from google_ads to itself; name another "
                     "channel (google_ads:meta_ads), or another project with --to-project",
                     id="to-itself"),
        pytest.param(["--project", "P-DE", "--churn-change", "2"], "--churn-change: '2' is not "
                     "a change in percentage points: write it with pp, like -1pp, +0.5pp or "
                     "2pp", id="churn-without-pp"),
        pytest.param(["--project", "P-DE", "--churn-change", "2pp", "--amount", "5"],
                     "--amount belongs to a budget shift (--shift), not --churn-change",
                     id="churn-with-an-amount"),
        pytest.param(["--project", "P-DE", "--shift", "google_ads:meta_ads", "--amount", "5",
                      "--window", "2026-Q5"], "--window: '2026-Q5' is not a window of whole "
                     "months: write it like 2025-Q3:2026-Q1, 2026-Q1, 2025-07:2025-12, 2026-H1 "
                     "or 2025 (quarters, months, half-years or years; first:last, both "
                     "included)", id="bad-window"),
        pytest.param(["--scenarios", "s.yml", "--project", "P-DE"], "--scenarios s.yml holds "
                     "the scenarios: leave out --project, or give one scenario by its flags "
                     "without --scenarios", id="file-and-flags"),
        pytest.param(["--project", "P-DE", "--churn-change", "1pp", "--setting", "bands=x"],
                     "--setting: bands: 'x' is not an increase of the cost per customer: write "
                     "25% or 0.25 (at least 0)", id="bad-setting"),
    ],
)  # fmt: skip
def test_bad_input_exits_2_with_the_reason(capsys, warehouse_file, args, message):
    code, out, err = simulate(capsys, warehouse_file, *args)
    assert (code, out, err) == (2, "", f"error: {message}\n")


def test_no_warehouse_exits_2(capsys, tmp_path):
    missing = tmp_path / "none.duckdb"
    code = main(["simulate", "--project", "P-DE", "--churn-change", "1pp", "--warehouse",
                 str(missing)])  # fmt: skip
    assert code == 2
    assert capsys.readouterr().err == (
        f"error: no warehouse at {missing}: run `roi run` or `roi demo` first\n"
    )


def test_a_bad_environment_setting_exits_2(capsys, warehouse_file, monkeypatch):
    monkeypatch.setenv("ROI_SIMULATE_MIN_CUSTOMERS", "none")
    code, _, err = simulate(capsys, warehouse_file, "--project", "P-DE", "--churn-change", "1pp")
    assert (code, err) == (
        2,
        "error: environment variable ROI_SIMULATE_<NAME>: min_customers: 'none' is not a whole "
        "number of at least 1\n",
    )
