"""The Dagster instance: where run history, event logs and schedule state are kept.

`dagster.yaml` at the repository root is the instance configuration: SQLite files under
$DAGSTER_HOME by default, Dagster's stock storage. The copy roi writes into a home
(`prepare_home`: the repository's settings read as data, roi's merged in, dumped with
yaml.safe_dump) adds PostgreSQL storage (dagster-postgres's `storage: postgres:` block) when
`DAGSTER_PG_HOST` is set (with `DAGSTER_PG_USER` and `DAGSTER_PG_DB`; `DAGSTER_PG_PASSWORD`
and `DAGSTER_PG_PORT` if needed), as a production deployment with a daemon and a webserver
on different machines needs. The file names the PostgreSQL variables; Dagster reads their
values when the instance starts, so the password is never on disk.

`roi run` uses $DAGSTER_HOME when it is set, else a home kept beside the warehouse
(`<state>/dagster`), and writes the configuration there; `roi dagster-home DIR` prepares
a home for `dagster dev`, the webserver or the daemon.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from foundation.errors import RoiError
from foundation.private import make_private
from foundation.settings import REPO_ROOT

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
    # Dagster reads `{env: VARIABLE}` when the instance starts: no value is written.
    postgres_db = {
        field: {"env": var} for field, (var, _) in _PG_FIELDS.items() if os.environ.get(var)
    }
    # dagster-postgres speaks psycopg2; SQLAlchemy 2.1's plain postgresql:// would not
    postgres_db["scheme"] = "postgresql+psycopg2"
    return {"storage": {"postgres": {"postgres_db": postgres_db}}}


# Dagster copies each run's stdout and stderr into files for the UI through a `tail` process
# and a Python watcher per stream, started in the terminal's process group: a Ctrl-C printed a
# KeyboardInterrupt traceback from each watcher. `roi run` prints its output on the terminal
# already, so the home it keeps for itself does without the copy. The one module path of
# Dagster's internals roi names: Dagster marks NoOpComputeLogManager public and documents it
# only under this path (no top-level export, no configuration key turns the copy off);
# tests/test_no_private_apis.py allows exactly this string.
NO_STEP_OUTPUT_COPY = {
    "compute_logs": {
        "module": "dagster._core.storage.noop_compute_log_manager",
        "class": "NoOpComputeLogManager",
    }
}


def instance_config(copy_step_output: bool = True) -> dict:
    """The instance configuration of a Dagster home in this environment: the repository's
    dagster.yaml (SQLite files in the home), plus PostgreSQL storage when DAGSTER_PG_HOST is
    set; without `copy_step_output`, the steps' stdout and stderr are not copied for the UI.
    roi's settings replace a setting of the same name in the repository's file."""
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
    if postgres_storage():
        config.update(_postgres_storages())
    if not copy_step_output:
        config.update(NO_STEP_OUTPUT_COPY)
    return config


def instance_yaml(copy_step_output: bool = True) -> str:
    """dagster.yaml for a home in this environment (instance_config), as text."""
    config = instance_config(copy_step_output)
    storage = "PostgreSQL" if postgres_storage() else "SQLite"
    header = (
        "# Written by roi (orchestration/instance.py) for this Dagster home from the repository's\n"
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
    text = instance_yaml(copy_step_output)
    if not target.exists() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")
    return target


# The event-log storages of roi's own that homes written before issue 16 name (removed with
# the private Dagster methods they overrode): Dagster would fail on the import.
REMOVED_STORAGE_MODULE = "roi.dagster_storage"


def refuse_an_outdated_home(home: Path) -> None:
    """A RoiError naming the fix if `home`'s dagster.yaml still names a storage roi removed."""
    config = home / "dagster.yaml"
    if config.is_file() and REMOVED_STORAGE_MODULE in config.read_text(encoding="utf-8"):
        raise RoiError(
            f"{config} names {REMOVED_STORAGE_MODULE}, which roi no longer has (Dagster's own "
            f"storage is used now): run `roi dagster-home {home}` to write it again"
        )


def instance_for(warehouse):
    """$DAGSTER_HOME's instance if set, else one kept in the warehouse's local state folder
    (history survives). `warehouse`: a foundation.warehouse.Warehouse or a DuckDB file's path."""
    from dagster import DagsterInstance

    from foundation.warehouse import as_warehouse

    if os.environ.get("DAGSTER_HOME"):
        refuse_an_outdated_home(Path(os.environ["DAGSTER_HOME"]))
        return DagsterInstance.get()
    home = as_warehouse(warehouse).state_dir / "dagster"
    prepare_home(home, copy_step_output=False)
    return DagsterInstance.from_config(str(home))
