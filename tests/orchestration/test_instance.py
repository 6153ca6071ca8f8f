"""Dagster's instance: SQLite under DAGSTER_HOME by default, PostgreSQL when DAGSTER_PG_HOST
is set (tested against the PostgreSQL server at 127.0.0.1:5432)."""

from __future__ import annotations

import dagster as dg
import psycopg2
import pytest
import yaml

from foundation.errors import RoiError
from orchestration.instance import NO_STEP_OUTPUT_COPY, instance_for, instance_yaml, prepare_home

from ..conftest import PG_SERVER

STORAGES = ("run_storage", "event_log_storage", "schedule_storage")


def test_sqlite_by_default_postgres_with_dagster_pg_host(monkeypatch, tmp_path):
    for variable in ("DAGSTER_PG_HOST", "DAGSTER_PG_PORT"):
        monkeypatch.delenv(variable, raising=False)
    default = yaml.safe_load(instance_yaml())
    # Dagster's stock SQLite storage under the home: no storage named
    assert not {"storage", *STORAGES} & set(default)
    assert default["telemetry"] == {"enabled": False}
    assert default["concurrency"]["runs"]["tag_concurrency_limits"] == [
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
    # dagster-postgres's run, event-log and schedule storages, its `storage: postgres:` block
    assert production["storage"] == {"postgres": postgres_db}
    assert not set(STORAGES) & set(production)
    assert "s3cret" not in written.read_text()
    assert {k: v for k, v in production.items() if k != "storage"} == default


def test_the_repository_settings_are_merged_as_data(monkeypatch, tmp_path):
    """The repository's dagster.yaml is read as data and roi's storage replaces a setting of
    the same name: each setting once in the written file, which is YAML dumped from data."""
    monkeypatch.delenv("DAGSTER_PG_HOST", raising=False)
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "dagster.yaml").write_text(
        "# the step output copied to files, which roi run's own home does without\n"
        "telemetry:\n  enabled: false\n"
        "compute_logs:\n  module: dagster.core.storage.local_compute_log_manager\n"
        "  class: LocalComputeLogManager\n  config:\n    base_dir: elsewhere\n"
    )
    monkeypatch.setattr("orchestration.instance.REPO_ROOT", repo)
    text = instance_yaml(copy_step_output=False)
    top_level = [line for line in text.splitlines() if line[:1] not in ("", " ", "#", "-")]
    assert top_level == ["telemetry:", "compute_logs:"]
    assert yaml.safe_load(text) == {
        "telemetry": {"enabled": False},
        **NO_STEP_OUTPUT_COPY,
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
    from dagster_postgres import PostgresEventLogStorage, PostgresRunStorage

    from foundation.config import Settings
    from orchestration.definitions import build_definitions

    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    monkeypatch.setenv("ROI_WAREHOUSE", str(tmp_path / "roi.duckdb"))
    monkeypatch.setenv("ROI_DATA_DIR", str(tmp_path / "no-such-drop"))
    monkeypatch.setenv("ROI_SOURCE", "files")
    defs = build_definitions(Settings.from_environment())
    # GIVEN the instance `roi run` uses, with DAGSTER_PG_* set
    with instance_for(tmp_path / "roi.duckdb") as instance:
        assert isinstance(instance.run_storage, PostgresRunStorage)
        assert isinstance(instance.event_log_storage, PostgresEventLogStorage)
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
    assert (tmp_path / "home" / "dagster.yaml").read_text() == instance_yaml()
    assert capsys.readouterr().out == (
        f"wrote {tmp_path / 'home' / 'dagster.yaml'} (SQLite storage); "
        f"use it with DAGSTER_HOME={tmp_path / 'home'}\n"
    )


def test_daemon_runs_queue_one_warehouse_writer_at_a_time(monkeypatch, tmp_path):
    monkeypatch.delenv("DAGSTER_PG_HOST", raising=False)
    prepare_home(tmp_path / "home")
    # the queue Dagster's daemon reads, as the webserver and the daemon load the home
    with dg.DagsterInstance.from_config(str(tmp_path / "home")) as instance:
        assert isinstance(instance.run_coordinator, dg.QueuedRunCoordinator)
        queue = instance.get_concurrency_config().run_queue_config
        assert queue.max_concurrent_runs == 4
        assert queue.tag_concurrency_limits == [{"key": "roi/writes_warehouse", "limit": 1}]


@dg.asset(key=["raw", "numbers"])
def numbers() -> list[int]:
    return [1, 2, 3]


@dg.asset_check(asset=numbers, name="three_rows", blocking=True)
def three_rows() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=True, metadata={"rows": 3})


def test_roi_run_keeps_dagsters_sqlite_files_and_dagster_reads_them(monkeypatch, tmp_path):
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    monkeypatch.delenv("DAGSTER_PG_HOST", raising=False)
    home = tmp_path / ".warehouse.duckdb.state" / "dagster"
    # WHEN a run with an asset and its check is written through the instance `roi run` uses
    with instance_for(tmp_path / "warehouse.duckdb") as instance:
        result = dg.materialize([numbers, three_rows], instance=instance)
        assert result.success
        events = [r.event_log_entry for r in instance.get_records_for_run(result.run_id).records]
    # THEN its events are in Dagster's SQLite files under the home (one file per run)
    assert (home / "history" / "runs" / f"{result.run_id}.db").is_file()
    # AND an instance of that home (the webserver's, the daemon's) reads them back: the run's
    # events, the asset's materialisation and the check's evaluation
    with dg.DagsterInstance.from_config(str(home)) as reader:
        assert len(events) > 10
        assert [r.event_log_entry for r in reader.get_records_for_run(result.run_id).records] == (
            events
        )
        key = dg.AssetKey(["raw", "numbers"])
        assert reader.get_latest_materialization_event(key).run_id == result.run_id
        check = reader.event_log_storage.get_asset_check_execution_history(
            dg.AssetCheckKey(key, "three_rows"), limit=5
        )
        assert [(c.run_id, c.status.value) for c in check] == [(result.run_id, "SUCCEEDED")]


def test_a_home_written_before_issue_16_is_refused_with_its_fix(monkeypatch, tmp_path, capsys):
    from roi.cli import main

    # GIVEN DAGSTER_HOME written by an earlier roi, naming its removed event-log storage
    home = tmp_path / "home"
    home.mkdir()
    old = (
        "event_log_storage:\n  module: roi.dagster_storage\n"
        "  class: PooledSqliteEventLogStorage\n"
        f"  config:\n    base_dir: {home / 'history' / 'runs'}\n"
    )
    (home / "dagster.yaml").write_text(old)
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.delenv("DAGSTER_PG_HOST", raising=False)
    # WHEN a run asks for its instance THEN the error names the file and the fix
    with pytest.raises(RoiError) as refused:
        instance_for(tmp_path / "warehouse.duckdb")
    assert str(refused.value) == (
        f"{home / 'dagster.yaml'} names roi.dagster_storage, which roi no longer has (Dagster's "
        f"own storage is used now): run `roi dagster-home {home}` to write it again"
    )
    # AND the fix works: the home is written again and its instance loads
    assert main(["dagster-home", str(home)]) == 0
    assert (home / "dagster.yaml").read_text() == instance_yaml()
    with instance_for(tmp_path / "warehouse.duckdb") as instance:
        assert (home / "history").is_dir() and instance.get_runs() == []
