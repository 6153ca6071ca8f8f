"""The Dagster instance: where run history, event logs and schedule state are kept.

`dagster.yaml` at the repository root is the instance configuration: SQLite files under
$DAGSTER_HOME by default. The copy roi writes into a home (`prepare_home`: the repository's
settings read as data, roi's merged in, dumped with yaml.safe_dump) adds either
PostgreSQL storage (dagster-postgres, its event log through roi.dagster_storage:
connections kept instead of one per event), when `DAGSTER_PG_HOST` is set (with
`DAGSTER_PG_USER` and `DAGSTER_PG_DB`; `DAGSTER_PG_PASSWORD` and `DAGSTER_PG_PORT` if
needed), as a production deployment with a daemon and a webserver on different machines
needs; or else the SQLite event log written through roi.dagster_storage (Dagster's own files
and schema, one database engine per file instead of one per event). The file names the
PostgreSQL variables; Dagster reads their values when the instance starts, so the password
is never on disk.

`roi run` uses $DAGSTER_HOME when it is set, else a home kept beside the warehouse
(`<state>/dagster`), and writes the configuration there; `roi dagster-home DIR` prepares
a home for `dagster dev`, the webserver or the daemon.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from .errors import RoiError
from .private import make_private
from .settings import REPO_ROOT

PG_HOST_VARIABLE = "DAGSTER_PG_HOST"
# postgres_db field: (variable, required)
_PG_FIELDS = {
    "hostname": (PG_HOST_VARIABLE, True),
    "username": ("DAGSTER_PG_USER", True),
    "db_name": ("DAGSTER_PG_DB", True),
    "password": ("DAGSTER_PG_PASSWORD", False),
    "port": ("DAGSTER_PG_PORT", False),
}


def postgres_storage() -> bool:
    return bool(os.environ.get(PG_HOST_VARIABLE))


def _postgres_storages() -> dict:
    missing = [var for var, required in _PG_FIELDS.values() if required and not os.environ.get(var)]
    if missing:
        raise RoiError(
            f"{PG_HOST_VARIABLE} is set, so Dagster keeps its runs in PostgreSQL, but "
            + ", ".join(missing)
            + " is not set"
        )

    def config() -> dict:
        # Dagster reads `{env: VARIABLE}` when the instance starts: no value is written.
        # A fresh dict per storage: one shared would be dumped as a YAML anchor and aliases.
        postgres_db = {
            field: {"env": var} for field, (var, _) in _PG_FIELDS.items() if os.environ.get(var)
        }
        # dagster-postgres speaks psycopg2; SQLAlchemy 2.1's plain postgresql:// would not
        postgres_db["scheme"] = "postgresql+psycopg2"
        return {"postgres_db": postgres_db}

    # Dagster's `storage: postgres:` block, spelled out per storage so that the event log can
    # be dagster-postgres's own through kept connections (roi.dagster_storage)
    return {
        "run_storage": {
            "module": "dagster_postgres.run_storage",
            "class": "PostgresRunStorage",
            "config": config(),
        },
        "event_log_storage": {
            "module": "roi.dagster_storage",
            "class": "PooledPostgresEventLogStorage",
            "config": config(),
        },
        "schedule_storage": {
            "module": "dagster_postgres.schedule_storage",
            "class": "PostgresScheduleStorage",
            "config": config(),
        },
    }


def _sqlite_event_log(home: Path) -> dict:
    # SQLite event log (Dagster's files under history/runs) written through one engine per
    # file instead of one per event: roi.dagster_storage.
    return {
        "event_log_storage": {
            "module": "roi.dagster_storage",
            "class": "PooledSqliteEventLogStorage",
            "config": {"base_dir": str(home.resolve() / "history" / "runs")},
        }
    }


# Dagster copies each run's stdout and stderr into files for the UI through a `tail` process
# and a Python watcher per stream, started in the terminal's process group: a Ctrl-C printed a
# KeyboardInterrupt traceback from each watcher. `roi run` prints its output on the terminal
# already, so the home it keeps for itself does without the copy.
NO_STEP_OUTPUT_COPY = {
    "compute_logs": {
        "module": "dagster._core.storage.noop_compute_log_manager",
        "class": "NoOpComputeLogManager",
    }
}


def instance_config(home: Path, copy_step_output: bool = True) -> dict:
    """The instance configuration of the Dagster home `home` in this environment: the
    repository's dagster.yaml, plus PostgreSQL storage when DAGSTER_PG_HOST is set, else
    the pooled SQLite event log (roi.dagster_storage) in `home`; without `copy_step_output`,
    the steps' stdout and stderr are not copied for the UI. roi's settings replace a
    setting of the same name in the repository's file."""
    path = REPO_ROOT / "dagster.yaml"
    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}:" if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise RoiError(f"{path}:{where} not valid YAML ({problem})") from None
    if not isinstance(config, dict):
        raise RoiError(f"{path}: expected a mapping of Dagster settings, found {config!r}")
    config.update(_postgres_storages() if postgres_storage() else _sqlite_event_log(home))
    if not copy_step_output:
        config.update(NO_STEP_OUTPUT_COPY)
    return config


def instance_yaml(home: Path, copy_step_output: bool = True) -> str:
    """dagster.yaml for the home `home` in this environment (instance_config), as text."""
    config = instance_config(home, copy_step_output)
    storage = "PostgreSQL" if postgres_storage() else "SQLite"
    header = (
        "# Written by roi (roi/instance.py) for this Dagster home from the repository's\n"
        f"# dagster.yaml, with {storage} storage"
        + ("" if copy_step_output else "; the steps' output is not copied (roi run's own home)")
        + ".\n# roi rewrites it: edit the repository's file.\n"
    )
    return header + yaml.safe_dump(config, sort_keys=False, allow_unicode=True)


def prepare_home(home: Path, copy_step_output: bool = True) -> Path:
    """Write dagster.yaml for this environment into `home` (made private: Dagster keeps
    the run history and event logs there); return the file."""
    make_private(home)
    target = home / "dagster.yaml"
    text = instance_yaml(home, copy_step_output)
    if not target.exists() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")
    return target


def instance_for(warehouse):
    """$DAGSTER_HOME's instance if set, else one kept in the warehouse's local state folder
    (history survives). `warehouse`: a roi.warehouse.Warehouse or a DuckDB file's path."""
    from dagster import DagsterInstance

    from .warehouse import as_warehouse

    if os.environ.get("DAGSTER_HOME"):
        return DagsterInstance.get()
    home = as_warehouse(warehouse).state_dir / "dagster"
    prepare_home(home, copy_step_output=False)
    return DagsterInstance.from_config(str(home))
