"""A run that could change nothing does not run again: the file drop's rerun short-circuit.

A run whose every source family comes from the file drop is a function of its inputs: the
drop's files, the code that validates, transforms and checks them, the settings that change
values, and the warehouse it starts from. When all of those equal what the last published
run had, rebuilding would write the same rows and the same marts and run every gate on the
same data to the same verdict. So the run stops after hashing the drop (`file_drop` yields
no materialization and Dagster skips every step after it), and `audit.runs` records it with
status `unchanged` and the run whose marts, checks and report still stand.

What is compared (`input_key`):
- the contract's files of the families the run reads, by name and SHA-256 of their bytes;
- the dbt project's fingerprint (every project file and the value-changing vars);
- the Python of the packages that validate, load, check, publish and report (their source
  files, the What-if section's simulation among them), with the report's templates and
  message catalogs;
- the settings that change what a run writes: the reporting currency, the source choice, the
  run's period, the report's grain and thresholds (ROI_REPORT_*), the What-if section's
  settings (ROI_SIMULATE_*) and the bytes of its scenario file (ROI_SCENARIOS). Paths,
  credentials, retries and alert delivery do not change a mart and are not compared.

The warehouse the run starts from (`warehouse_state`): the raw loads and the erasures on
record. A later load (even by a run that failed after it) or a `roi forget` makes it
differ, and the next run is a full one. Every publish records its key and that state in
`audit.published_inputs` inside the publish transaction (`record_published`); a run with a
live connector records no key, so the run after it is never short-circuited.

A run asked to rebuild (`roi run --full-refresh`) always runs, and so does a scheduled run:
its source freshness checks and its report are the point of the schedule.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

import dagster as dg

from foundation.errors import DropRejected
from foundation.warehouse import has_table
from ingestion.files.validate import drop_specs

from .audit_store import ensure_tables
from .dbt_project import project_fingerprint

# metadata of the file_drop asset: the run's input key (its materialization, or the
# observation of a short-circuited run) and the run a short-circuited run is the same as
FILE_DROP_KEY = dg.AssetKey("file_drop")
INPUT_KEY = "roi/input_key"
UNCHANGED_SINCE = "roi/unchanged_since"

# the packages whose Python decides what lands, what passes and what is published
_CODE_PACKAGES = (
    "foundation",
    "ingestion",
    "expectations",
    "orchestration",
    "reporting",
    "simulation",
)
# their files that change what a run writes: the code, and the pages' templates and the
# report's message catalogs (a corrected translation is a different report)
_CODE_SUFFIXES = (".py", ".html", ".css", ".js", ".po")
# the variables that change what a run writes beyond the dbt vars and the run's own
# choices: the report's grain and thresholds (reporting/settings.py), not its folder, and the
# What-if section's settings (simulation/settings.py)
_COMPARED_PREFIXES = ("ROI_REPORT_", "ROI_SIMULATE_")
_NOT_COMPARED = frozenset({"ROI_REPORT_DIR"})
# the What-if section's scenario file: its bytes are compared, not its path
_SCENARIOS = "ROI_SCENARIOS"


def drop_digest(data_dir: Path, datasets: Iterable[str]) -> str | None:
    """SHA-256 over the contract's files of `datasets` in the drop (name and bytes), or None
    when the drop folder is missing (the run then rejects it as usual)."""
    try:
        specs = drop_specs(Path(data_dir), list(datasets))
    except DropRejected:
        return None
    digest = hashlib.sha256()
    for spec in sorted(specs, key=lambda spec: spec.file_name):
        path = Path(data_dir) / spec.file_name
        digest.update(spec.file_name.encode() + b"\0")
        if path.is_file():
            with path.open("rb") as file:
                digest.update(hashlib.file_digest(file, "sha256").digest())
        else:
            digest.update(b"missing")
    return digest.hexdigest()


def code_digest(packages: Iterable[str] = _CODE_PACKAGES) -> str:
    """SHA-256 over the source files of the pipeline's packages (_CODE_SUFFIXES)."""
    digest = hashlib.sha256()
    for package in packages:
        folder = Path(importlib.import_module(package).__file__).parent
        files = (path for path in folder.rglob("*") if path.suffix in _CODE_SUFFIXES)
        for path in sorted(files):
            digest.update(f"{package}/{path.relative_to(folder).as_posix()}".encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def file_digest(path: str | None) -> str | None:
    """SHA-256 of the bytes of the file at `path`; None without a path, `missing` without a
    file (the report then fails, naming it)."""
    if not path:
        return None
    try:
        with Path(path).open("rb") as file:
            return hashlib.file_digest(file, "sha256").hexdigest()
    except OSError:
        return "missing"


def input_key(
    drop: str,
    dbt_vars: Mapping,
    run_settings: Mapping[str, str],
    environ: Mapping[str, str] | None = None,
) -> str:
    """What a files-only run is a function of, besides the warehouse (module docstring).
    `drop`: drop_digest(); `dbt_vars`: the build's (the reporting currency among them);
    `run_settings`: the run's source choice and period tags; `environ`: default os.environ,
    of which the report's settings and its scenario file are compared."""
    environ = os.environ if environ is None else environ
    parts = {
        "drop": drop,
        "dbt_project": project_fingerprint(dict(dbt_vars)),
        "code": code_digest(),
        "run": dict(run_settings),
        "environment": {
            name: value
            for name, value in environ.items()
            if name.startswith(_COMPARED_PREFIXES) and name not in _NOT_COMPARED
        },
        "scenarios": file_digest(environ.get(_SCENARIOS)),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def warehouse_state(con) -> str:
    """The raw loads and erasures on record: changes with every load and every `roi forget`.
    Only reads (a table not made yet counts as empty)."""
    loads = [0, None]
    if has_table(con, "audit", "loads"):
        loads = list(con.execute("select count(*), max(load_id) from audit.loads").fetchone())
    erasures = 0
    if has_table(con, "audit", "erasures"):
        (erasures,) = con.execute("select count(*) from audit.erasures").fetchone()
    return json.dumps([*loads, erasures])


def record_published(con, run_id: str, key: str | None) -> None:
    """Inside the publish transaction: the run's input key (None: not a files-only run) and
    the warehouse state it published from."""
    ensure_tables(con, ("published_inputs",))
    con.execute(
        "insert into audit.published_inputs (run_id, input_key, warehouse_state, published_at) "
        "values (?, ?, ?, current_timestamp)",
        [run_id, key, warehouse_state(con)],
    )


def last_published_run(con) -> str | None:
    """The run of the last publish on record in audit.published_inputs (None: none yet)."""
    if not has_table(con, "audit", "published_inputs"):
        return None
    row = con.execute(
        "select run_id from audit.published_inputs order by published_at desc limit 1"
    ).fetchone()
    return row[0] if row else None


def unchanged_since(con, key: str) -> str | None:
    """The run whose published marts a run with `key` would rebuild identically: the last
    publish, when it had this key and nothing was loaded or erased since. Else None.
    Only reads."""
    if not has_table(con, "audit", "published_inputs"):
        return None
    last = con.execute(
        "select run_id, input_key, warehouse_state from audit.published_inputs "
        "order by published_at desc limit 1"
    ).fetchone()
    if last is None or last[1] != key or last[2] != warehouse_state(con):
        return None
    return last[0]


def _file_drop_metadata(instance: dg.DagsterInstance, run_id: str, of_type) -> list[dict]:
    """Metadata of the run's file_drop materializations or observations (`of_type`)."""
    entries = [
        record.asset_materialization or record.asset_observation
        for record in instance.all_logs(run_id, of_type=of_type)
    ]
    return [entry.metadata for entry in entries if entry and entry.asset_key == FILE_DROP_KEY]


def run_input_key(instance: dg.DagsterInstance, run_id: str) -> str | None:
    """The input key the run's file_drop materialized with (None: not a files-only run)."""
    for metadata in _file_drop_metadata(
        instance, run_id, dg.DagsterEventType.ASSET_MATERIALIZATION
    ):
        if INPUT_KEY in metadata:
            return metadata[INPUT_KEY].value
    return None


def same_as_run(instance: dg.DagsterInstance, run_id: str) -> str | None:
    """The earlier run a short-circuited run is the same as (None: the run ran)."""
    for metadata in _file_drop_metadata(instance, run_id, dg.DagsterEventType.ASSET_OBSERVATION):
        if UNCHANGED_SINCE in metadata:
            return metadata[UNCHANGED_SINCE].value
    return None
