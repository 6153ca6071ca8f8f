"""Fault: the disk is full while a run writes the warehouse.

Injected: `roi run` in a subprocess whose file-size limit (RLIMIT_FSIZE, SIGXFSZ ignored) is
the warehouse file's current size, so no write can take the warehouse file or its
write-ahead log past that size: each such write fails with EFBIG ("File too large"), as it
would with ENOSPC on a full disk (which needs a mount we cannot make unprivileged; and as
root, chmod would not stop the writes). The warehouse is a copy of the shared published
warehouse (conftest.py), the drop a generated one at scale 15 (about 420,000 rows): enough
for the write-ahead log to reach the limit during the loads.

Asserted: the run exits non-zero with roi's message, not a traceback, and the failed steps
name the warehouse file and the operating system's error; each load is tried once (a full
disk is not retried for minutes); and, opened again without the limit, the warehouse still
has the last good published marts, row for row, and every raw key it had. (Before this test,
writing the run's audit row met DuckDB's failed checkpoint and `roi run` ended in a
traceback, and the file loads were retried for three minutes.)
"""

from __future__ import annotations

import re
import resource
import signal
import subprocess
import sys
from pathlib import Path

import duckdb

from ingestion.file_contract import FILE_SPECS
from synthetic.generator import generate_drop

from .conftest import RAW_SCHEMAS, REPO_ROOT, subprocess_env


def published_marts(warehouse: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        names = con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()
        return {
            name: sorted(con.execute(f"select * from marts.{name}").fetchall(), key=repr)
            for (name,) in names
        }


def raw_keys(warehouse: Path) -> dict[str, set[tuple]]:
    """The merge keys in every raw table: a later drop may replace a row, never drop a key."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {
            f"{spec.dataset}.{spec.table}": set(
                con.execute(
                    f"select {', '.join(spec.primary_key)} from {spec.dataset}.{spec.table}"
                ).fetchall()
            )
            for spec in FILE_SPECS
        }


def test_a_full_disk_fails_the_run_clearly_and_keeps_the_last_good_marts(
    copy_of_recovered, tmp_path
):
    warehouse = copy_of_recovered
    marts_before = published_marts(warehouse)
    keys_before = raw_keys(warehouse)
    drop = tmp_path / "big_drop"
    generate_drop(drop, scale=15, seed=7)
    limit = warehouse.stat().st_size

    def full_disk() -> None:  # runs in the child before it executes roi
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    # WHEN a run loads the drop while no file may grow past the warehouse's current size
    run = subprocess.run(
        [sys.executable, "-m", "roi.cli", "run", "--data-dir", str(drop)]
        + ["--warehouse", str(warehouse)],
        cwd=REPO_ROOT,
        env=subprocess_env(),
        preexec_fn=full_disk,
        capture_output=True,
        text=True,
        timeout=900,
    )
    output = run.stdout + run.stderr

    # THEN it fails: each load that met the full disk names the file and the OS error
    assert run.returncode != 0, output[-3000:]
    assert "FAILED: marts were not replaced (last good marts kept)" in output, output[-3000:]
    assert re.search(
        r"failed step: load_raw_\w+: .*Could not write file "
        rf'"{re.escape(str(warehouse))}(\.wal)?": File too large',
        output,
    ), output[-3000:]
    # AND it ended with roi's message, not a traceback through roi's command line
    assert f'File "{REPO_ROOT / "roi" / "cli.py"}"' not in run.stderr, run.stderr[-3000:]
    # AND no load was retried: each family was tried once
    for dataset in RAW_SCHEMAS:
        assert run.stderr.count(f"loading {dataset} from the file drop") == 1, dataset

    # WHEN the warehouse is opened again with room to write
    # THEN the published marts are the last good ones, and no raw key was lost (loads that
    # committed before the disk filled may have added or replaced rows: the rerun's merge
    # makes them whole)
    assert published_marts(warehouse) == marts_before
    keys_after = raw_keys(warehouse)
    for table, keys in keys_before.items():
        assert keys <= keys_after[table], table
