"""The dbt project, and its manifest kept in step with the SQL."""

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

from foundation.private import make_file_private
from foundation.settings import DBT_PROJECT_DIR, warehouse_path

roi_dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
# The dbt installed beside this Python, so it works whether or not the venv is on PATH.
DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")


def keep_partial_parse_private(target_path: Path) -> None:
    """dagster-dbt starts a dbt command in a new target folder by copying the project's
    partial_parse.msgpack there (shutil.copy), which keeps the checkout's mode, readable by
    everyone whatever the umask: the one file of a run's state the umask does not cover."""
    copied = Path(target_path) / "partial_parse.msgpack"
    if copied.exists():
        make_file_private(copied)


def dbt_cli() -> DbtCliResource:
    return DbtCliResource(project_dir=roi_dbt_project, dbt_executable=DBT_EXECUTABLE)


def _project_files(project_dir: Path) -> list[Path]:
    watched = [project_dir / "dbt_project.yml", project_dir / "profiles.yml"]
    for folder in ("models", "macros", "seeds", "tests", "snapshots", "analyses"):
        watched.extend(p for p in (project_dir / folder).rglob("*") if p.is_file())
    return [p for p in watched if p.exists()]


def _newest_source_change(project_dir: Path) -> float:
    return max((p.stat().st_mtime for p in _project_files(project_dir)), default=0.0)


def project_fingerprint(dbt_vars: dict, project_dir: Path = DBT_PROJECT_DIR) -> str:
    """What the incremental models' rows were built from, besides the data: every file of
    the dbt project (models, macros, seeds, tests, configuration) and the vars that change
    values (the reporting currency; not where the warehouse is). When it differs from the
    fingerprint of the warehouse's last build, the build must be a full refresh: rows built
    by other code or in another currency cannot be kept."""
    digest = hashlib.sha256()
    for path in sorted(_project_files(project_dir)):
        digest.update(path.relative_to(project_dir).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    values = {k: v for k, v in dbt_vars.items() if not str(k).startswith("roi_")}
    digest.update(json.dumps(values, sort_keys=True).encode())
    return digest.hexdigest()


def ensure_manifest() -> Path:
    """Parse the dbt project when its manifest is missing or older than any model or macro.

    Dagster builds the dbt assets from the manifest; `prepare_if_dev()` only acts under
    `dagster dev`, so the CLI, the tests and `dagster dev` all come through here.
    """
    manifest = Path(roi_dbt_project.manifest_path)
    if manifest.exists() and manifest.stat().st_mtime >= _newest_source_change(DBT_PROJECT_DIR):
        return manifest
    # Parsed for the duckdb target whichever warehouse runs: the asset graph is the same on
    # every target, and parsing opens no connection.
    env = {
        **os.environ,
        "ROI_WAREHOUSE": os.environ.get("ROI_WAREHOUSE", str(warehouse_path())),
        "ROI_DBT_TARGET": "duckdb",
    }
    result = subprocess.run(
        [
            DBT_EXECUTABLE,
            "parse",
            "--quiet",
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise RuntimeError(f"dbt parse failed:\n{result.stdout}\n{result.stderr}")
    return manifest
