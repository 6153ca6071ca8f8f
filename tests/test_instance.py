"""Dagster's instance: SQLite under DAGSTER_HOME by default, PostgreSQL when DAGSTER_PG_HOST
is set (tested against the PostgreSQL server at 127.0.0.1:5432)."""

from __future__ import annotations

import psycopg2
import pytest
import yaml

from roi.errors import RoiError
from roi.instance import instance_for, instance_yaml, prepare_home

from .conftest import PG_SERVER

STORAGES = ("run_storage", "event_log_storage", "schedule_storage")


def test_sqlite_by_default_postgres_with_dagster_pg_host(monkeypatch, tmp_path):
    for variable in ("DAGSTER_PG_HOST", "DAGSTER_PG_PORT"):
        monkeypatch.delenv(variable, raising=False)
    default = yaml.safe_load(instance_yaml(tmp_path / "home"))
    # Dagster's SQLite files under the home, the event log through roi.dagster_storage
    assert "storage" not in default
    assert default["event_log_storage"] == {
        "module": "roi.dagster_storage",
        "class": "PooledSqliteEventLogStorage",
        "config": {"base_dir": str(tmp_path / "home" / "history" / "runs")},
    }
    assert default["telemetry"] == {"enabled": False}
    assert default["run_coordinator"]["config"]["tag_concurrency_limits"] == [
        {"key": "roi/writes_warehouse", "limit": 1}
    ]
    assert default["run_retries"]["enabled"] is True

    monkeypatch.setenv("DAGSTER_PG_HOST", "db.internal")
    with pytest.raises(RoiError, match="DAGSTER_PG_USER, DAGSTER_PG_DB is not set"):
        prepare_home(tmp_path / "home")
    monkeypatch.setenv("DAGSTER_PG_USER", "dagster")
    monkeypatch.setenv("DAGSTER_PG_DB", "dagster")
    monkeypatch.setenv("DAGSTER_PG_PASSWORD", "s3cret")
    written = prepare_home(tmp_path / "home")
    production = yaml.safe_load(written.read_text())
    # the values (a password among them) stay in the environment; the file names variables
    postgres_db = {
        "postgres_db": {
            "hostname": {"env": "DAGSTER_PG_HOST"},
            "username": {"env": "DAGSTER_PG_USER"},
            "db_name": {"env": "DAGSTER_PG_DB"},
            "password": {"env": "DAGSTER_PG_PASSWORD"},
            "scheme": "postgresql+psycopg2",
        }
    }
    # dagster-postgres's three storages, the event log through roi.dagster_storage
    assert {key: production[key] for key in STORAGES} == {
        "run_storage": {
            "module": "dagster_postgres.run_storage",
            "class": "PostgresRunStorage",
            "config": postgres_db,
        },
        "event_log_storage": {
            "module": "roi.dagster_storage",
            "class": "PooledPostgresEventLogStorage",
            "config": postgres_db,
        },
        "schedule_storage": {
            "module": "dagster_postgres.schedule_storage",
            "class": "PostgresScheduleStorage",
            "config": postgres_db,
        },
    }
    assert "s3cret" not in written.read_text()
    assert {k: v for k, v in production.items() if k not in STORAGES} == {
        k: v for k, v in default.items() if k not in STORAGES
    }


def test_the_repository_settings_are_merged_as_data(monkeypatch, tmp_path):
    """The repository's dagster.yaml is read as data and roi's storage replaces a setting of
    the same name: each setting once in the written file, which is YAML dumped from data."""
    monkeypatch.delenv("DAGSTER_PG_HOST", raising=False)
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "dagster.yaml").write_text(
        "# the stock event log, which roi replaces with its pooled one\n"
        "telemetry:\n  enabled: false\n"
        "event_log_storage:\n  module: dagster.core.storage.event_log\n"
        "  class: SqliteEventLogStorage\n  config:\n    base_dir: elsewhere\n"
    )
    monkeypatch.setattr("roi.instance.REPO_ROOT", repo)
    text = instance_yaml(tmp_path / "home")
    top_level = [line for line in text.splitlines() if line[:1] not in ("", " ", "#", "-")]
    assert top_level == ["telemetry:", "event_log_storage:"]
    assert yaml.safe_load(text) == {
        "telemetry": {"enabled": False},
        "event_log_storage": {
            "module": "roi.dagster_storage",
            "class": "PooledSqliteEventLogStorage",
            "config": {"base_dir": str(tmp_path / "home" / "history" / "runs")},
        },
    }

    # a broken file is named, with the place YAML stopped, and nothing is written
    (repo / "dagster.yaml").write_text("telemetry:\n  enabled: [false\n")
    with pytest.raises(
        RoiError,
        match=r"repo/dagster.yaml: line 3, column 1: not valid YAML \(expected ',' or '\]', but",
    ):
        prepare_home(tmp_path / "home")
    assert not (tmp_path / "home" / "dagster.yaml").exists()


def test_postgres_backed_instance_records_runs(monkeypatch, tmp_path, pg_database):
    from dagster_postgres import PostgresRunStorage

    from orchestration.definitions import defs
    from roi.dagster_storage import PooledPostgresEventLogStorage

    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    monkeypatch.setenv("ROI_WAREHOUSE", str(tmp_path / "roi.duckdb"))
    monkeypatch.setenv("ROI_DATA_DIR", str(tmp_path / "no-such-drop"))
    monkeypatch.setenv("ROI_SOURCE", "files")
    # GIVEN the instance `roi run` uses, with DAGSTER_PG_* set
    with instance_for(tmp_path / "roi.duckdb") as instance:
        assert isinstance(instance.run_storage, PostgresRunStorage)
        assert isinstance(instance.event_log_storage, PooledPostgresEventLogStorage)
        # WHEN a quarterly review partition runs on it (and fails on a missing drop)
        result = defs.resolve_job_def("roi_quarterly").execute_in_process(
            partition_key="2026-01-01", instance=instance, raise_on_error=False
        )
        assert not result.success
    # THEN PostgreSQL holds the run, its partition and period tags, and its event log
    with psycopg2.connect(f"{PG_SERVER}/{pg_database}") as con, con.cursor() as cursor:
        cursor.execute("select run_id, pipeline_name, status, partition from runs")
        assert cursor.fetchall() == [(result.run_id, "roi_quarterly", "FAILURE", "2026-01-01")]
        cursor.execute(
            "select key, value from run_tags where run_id = %s and key like 'roi/period%%' "
            "order by key",
            [result.run_id],
        )
        assert cursor.fetchall() == [
            ("roi/period", "2026-Q1"),
            ("roi/period_end", "2026-03-31"),
            ("roi/period_grain", "quarter"),
            ("roi/period_start", "2026-01-01"),
        ]
        cursor.execute(
            "select count(*) from event_logs where run_id = %s and dagster_event_type = %s",
            [result.run_id, "STEP_FAILURE"],
        )
        assert cursor.fetchone() == (1,)


def test_roi_dagster_home_prepares_a_home_for_the_webserver_and_daemon(
    monkeypatch, tmp_path, capsys
):
    from roi.cli import main

    monkeypatch.delenv("DAGSTER_PG_HOST", raising=False)
    assert main(["dagster-home", str(tmp_path / "home")]) == 0
    assert (tmp_path / "home" / "dagster.yaml").read_text() == instance_yaml(tmp_path / "home")
    assert capsys.readouterr().out == (
        f"wrote {tmp_path / 'home' / 'dagster.yaml'} (SQLite storage); "
        f"use it with DAGSTER_HOME={tmp_path / 'home'}\n"
    )
