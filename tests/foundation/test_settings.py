"""The deployment's settings: one typed, frozen object (foundation.config.Settings), read from
the environment by the code location and from the flags over the environment by `roi run`,
and passed to build_definitions, which gives the resources concrete values."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from foundation.config import Settings
from foundation.errors import RoiError
from foundation.warehouse import DuckDBWarehouse, PostgresSettings, PostgresWarehouse


def test_the_environment_s_settings_default_as_documented(tmp_path):
    settings = Settings.from_environment({})

    assert settings == Settings(
        warehouse=DuckDBWarehouse(Path("warehouse/roi.duckdb").resolve()),
        data_dir=Path("data/drop"),
        reporting_currency="USD",
        source="files",
        schedule_timezone="UTC",
        partitions_start="2024-01-01",
        load_retries=2,
        load_retry_delay_seconds=60.0,
        report_grain="quarter",
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.source = "api"  # type: ignore[misc]


def test_every_documented_variable_is_read(tmp_path):
    environ = {
        "ROI_WAREHOUSE": str(tmp_path / "w" / "roi.duckdb"),
        "ROI_DATA_DIR": str(tmp_path / "drop"),
        "ROI_REPORTING_CURRENCY": "eur",
        "ROI_SOURCE": "crm=fxiaoke",
        "ROI_SCHEDULE_TIMEZONE": "Asia/Shanghai",
        "ROI_PARTITIONS_START": "2025-01-06",
        "ROI_LOAD_RETRIES": "0",
        "ROI_LOAD_RETRY_DELAY_SECONDS": "0.5",
        "ROI_REPORT_GRAIN": "month",
    }
    assert Settings.from_environment(environ) == Settings(
        warehouse=DuckDBWarehouse(tmp_path / "w" / "roi.duckdb"),
        data_dir=tmp_path / "drop",
        reporting_currency="EUR",
        source="crm=fxiaoke",
        schedule_timezone="Asia/Shanghai",
        partitions_start="2025-01-06",
        load_retries=0,
        load_retry_delay_seconds=0.5,
        report_grain="month",
    )


def test_a_postgres_warehouse_from_the_environment_keeps_its_state_beside_the_duckdb_default(
    tmp_path,
):
    environ = {
        "ROI_TARGET": "postgres",
        "ROI_PG_HOST": "db.example",
        "ROI_PG_PORT": "5433",
        "ROI_PG_PASSWORD": "s3cret",
        "ROI_PG_DATABASE": "roi",
        "ROI_WAREHOUSE": str(tmp_path / "w" / "roi.duckdb"),
    }
    warehouse = Settings.from_environment(environ).warehouse

    assert warehouse == PostgresWarehouse(
        PostgresSettings("db.example", 5433, "postgres", "s3cret", "roi"),
        tmp_path / "w" / "postgres-db.example-5433-roi",
    )


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("ROI_REPORTING_CURRENCY", "US", "reporting currency (ROI_REPORTING_CURRENCY) 'US' is"),
        ("ROI_SCHEDULE_TIMEZONE", "Mars/Olympus", "schedule time zone (ROI_SCHEDULE_TIMEZONE)"),
        ("ROI_PARTITIONS_START", "2024-13-01", "partitions start (ROI_PARTITIONS_START)"),
        ("ROI_LOAD_RETRIES", "two", "ROI_LOAD_RETRIES must be a number"),
        ("ROI_TARGET", "oracle", "unknown warehouse target 'oracle'"),
    ],
)
def test_a_malformed_variable_is_refused_by_name(variable, value, message):
    with pytest.raises(RoiError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Settings.from_environment({variable: value})


def test_the_definitions_get_concrete_values_and_no_password(tmp_path, monkeypatch):
    import dagster as dg

    from orchestration.definitions import build_definitions

    # GIVEN settings naming a PostgreSQL warehouse, whose password is in the environment
    monkeypatch.setenv("ROI_PG_PASSWORD", "s3cret")
    warehouse = PostgresWarehouse(
        PostgresSettings("db.example", 5433, "roi_user", "s3cret", "roi"), tmp_path / "state"
    )
    settings = Settings(
        warehouse=warehouse, data_dir=tmp_path / "drop", reporting_currency="cny", source="api"
    )
    # WHEN the definitions are built from them
    defs = build_definitions(settings)

    # THEN the resources hold the settings' values, none an environment variable ...
    resource = defs.resources["warehouse"]
    assert resource.resolved == warehouse
    assert resource.reporting_currency == "CNY"
    assert defs.resources["drop"].data_dir == str(tmp_path / "drop")
    assert defs.resources["sources"].choice == "api"
    for value in defs.resources.values():
        fields = value.model_dump() if isinstance(value, dg.ConfigurableResource) else {}
        assert not any(isinstance(v, dg.EnvVar) for v in fields.values()), fields
    # ... the password is neither a field (the UI shows them) nor a dbt var (in run_results)
    assert "s3cret" not in json.dumps(resource.model_dump())
    args = resource.dbt_args()
    assert args[:2] == ["--target", "postgres"]
    assert json.loads(args[3]) == {
        "reporting_currency": "CNY",
        "roi_pg_host": "db.example",
        "roi_pg_port": 5433,
        "roi_pg_user": "roi_user",
        "roi_pg_database": "roi",
    }


def test_build_definitions_refuses_an_unknown_source():
    from orchestration.definitions import build_definitions

    settings = Settings.from_environment({"ROI_SOURCE": "crm=salesforce"})
    with pytest.raises(RoiError, match="bad source choice 'crm=salesforce'"):
        build_definitions(settings)


def test_roi_run_flags_win_over_the_environment(tmp_path, monkeypatch):
    from roi.runner import run_settings

    monkeypatch.setenv("ROI_REPORTING_CURRENCY", "not a code")  # the flag wins: not even read
    monkeypatch.setenv("ROI_SCHEDULE_TIMEZONE", "Asia/Shanghai")
    settings = run_settings(
        data_dir=tmp_path / "drop",
        warehouse=tmp_path / "roi.duckdb",
        reporting_currency="eur",
        source="files",
    )
    assert settings.reporting_currency == "EUR"
    assert settings.warehouse == DuckDBWarehouse(tmp_path / "roi.duckdb")
    assert settings.data_dir == tmp_path / "drop"
    assert settings.schedule_timezone == "Asia/Shanghai"  # from the environment


def test_roi_run_reports_in_ROI_REPORTING_CURRENCY_without_the_flag(tmp_path, monkeypatch, capsys):
    """README "Configuration": `--reporting-currency` / ROI_REPORTING_CURRENCY. `roi run`
    used to take USD whatever the variable said."""
    from roi.cli import main

    # GIVEN ROI_REPORTING_CURRENCY and no --reporting-currency
    monkeypatch.setenv("ROI_REPORTING_CURRENCY", "eur")
    warehouse = tmp_path / "warehouse" / "roi.duckdb"
    # WHEN `roi run` runs (on a drop that is not there: rejected at its first step)
    code = main(["run", "--data-dir", str(tmp_path / "no-drop"), "--warehouse", str(warehouse)])
    # THEN the run was in EUR
    err = capsys.readouterr().err
    assert code == 2, err
    assert f"-> {warehouse} (EUR)" in err, err
