"""The reporting currency reaches dbt's SQL as a string literal: only ISO-4217 codes get in,
at every entry point (`roi run` / `roi backfill`, ROI_REPORTING_CURRENCY for the runs the
daemon launches, dbt's own `--vars`)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import dagster as dg
import pytest

from foundation.errors import RoiError, root_cause
from foundation.settings import DBT_PROJECT_DIR, reporting_currency_code
from orchestration.dbt_project import DBT_EXECUTABLE
from roi.cli import main

HOSTILE = "US'D OR 1=1 --"
NOT_A_CODE = (
    " is not a currency code: expected an ISO-4217 code of three letters, e.g. USD, EUR or CNY"
)


@pytest.mark.parametrize(("value", "code"), [("USD", "USD"), ("eur", "EUR"), (" Cny ", "CNY")])
def test_an_iso_4217_code_is_taken_in_upper_case(value, code):
    assert reporting_currency_code(value) == code


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (HOSTILE, f'--reporting-currency "US\'D OR 1=1 --"{NOT_A_CODE}'),
        ("US", f"--reporting-currency 'US'{NOT_A_CODE}"),
        ("U5D", f"--reporting-currency 'U5D'{NOT_A_CODE}"),
        ("", f"--reporting-currency ''{NOT_A_CODE}"),
        (
            "ABC",
            "--reporting-currency 'ABC' is not an ISO-4217 currency code: expected a currency "
            "such as USD, EUR or CNY",
        ),
    ],
)
def test_anything_else_is_refused_with_the_setting_named(value, message):
    with pytest.raises(RoiError) as raised:
        reporting_currency_code(value)
    assert str(raised.value) == message


@pytest.mark.parametrize(
    "command",
    [
        ["run"],
        ["backfill", "--grain", "month", "--from", "2025-01", "--to", "2025-02"],
    ],
)
def test_roi_refuses_a_hostile_currency_before_anything_runs(command, tmp_path, capsys):
    warehouse = tmp_path / "warehouse" / "roi.duckdb"
    code = main(
        [*command, "--data-dir", str(tmp_path / "drop"), "--warehouse", str(warehouse)]
        + ["--reporting-currency", HOSTILE]
    )

    assert code == 2
    captured = capsys.readouterr()
    # no stage started (no "loading pipeline definitions" line), nothing written
    assert captured.err == f'error: --reporting-currency "US\'D OR 1=1 --"{NOT_A_CODE}\n'
    assert captured.out == ""
    assert not warehouse.parent.exists()


def test_the_code_location_refuses_a_hostile_ROI_REPORTING_CURRENCY(tmp_path):
    from foundation.config import Settings

    # GIVEN the environment the daemon's code location reads its settings from
    environ = {
        "ROI_WAREHOUSE": str(tmp_path / "warehouse" / "roi.duckdb"),
        "ROI_REPORTING_CURRENCY": HOSTILE,
    }
    # WHEN it builds its settings THEN it refuses, naming the variable: no definitions, no run
    with pytest.raises(RoiError) as raised:
        Settings.from_environment(environ)
    assert str(raised.value) == (
        f'reporting currency (ROI_REPORTING_CURRENCY) "US\'D OR 1=1 --"{NOT_A_CODE}'
    )
    assert not (tmp_path / "warehouse").exists()


def test_a_run_refuses_a_hostile_reporting_currency_before_its_first_step(tmp_path):
    from dagster_dlt import DagsterDltResource

    from orchestration.ingestion_assets import file_drop
    from orchestration.resources import FileDropResource, SourceSelection, WarehouseResource

    # GIVEN a warehouse resource given a hostile code past the settings' check
    warehouse = tmp_path / "warehouse" / "roi.duckdb"
    resources = {
        "warehouse": WarehouseResource(path=str(warehouse), reporting_currency=HOSTILE),
        "drop": FileDropResource(data_dir=str(tmp_path / "drop")),
        "sources": SourceSelection(choice="files"),
        "dlt": DagsterDltResource(),
    }
    # WHEN a step that uses it runs
    with dg.DagsterInstance.ephemeral() as instance:
        result = dg.materialize(
            [file_drop],
            instance=instance,
            resources=resources,
            raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}},
        )
        errors = [
            root_cause(event.event_specific_data.error).message.strip()
            for event in result.all_events
            if event.is_failure and getattr(event.event_specific_data, "error", None)
        ]
    # THEN it fails before its first step, saying why, and writes nothing
    assert not result.success
    assert (
        "foundation.errors.RoiError: reporting currency (ROI_REPORTING_CURRENCY) "
        f'"US\'D OR 1=1 --"{NOT_A_CODE}'
    ) in errors
    assert not warehouse.parent.exists()


def test_dbt_refuses_a_hostile_reporting_currency_var(tmp_path):
    # dbt run by hand, past roi's check: the macro that writes the code into SQL refuses it
    compiled = subprocess.run(
        [DBT_EXECUTABLE, "compile", "--vars", json.dumps({"reporting_currency": HOSTILE})]
        + ["--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")],
        cwd=DBT_PROJECT_DIR,
        env={**os.environ, "ROI_DBT_TARGET": "duckdb", "ROI_WAREHOUSE": str(tmp_path / "x.duckdb")},
        capture_output=True,
        text=True,
    )

    assert compiled.returncode != 0
    assert (
        "dbt var reporting_currency 'US'D OR 1=1 --' is not an ISO-4217 currency code: "
        "expected three letters, e.g. USD"
    ) in compiled.stdout
    written = [p for p in Path(tmp_path).rglob("*.sql")]
    assert not [p for p in written if "1=1" in p.read_text(encoding="utf-8")]
