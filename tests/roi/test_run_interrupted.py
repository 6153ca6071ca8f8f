"""Ctrl-C during `roi run`: one line, exit code 130, the run recorded as failed, marts kept.

`roi run` is started in a process group of its own, and the group gets SIGINT when the run
prints its dbt stage line, as a terminal's Ctrl-C reaches every process of the command
(Dagster's helper processes and dbt included): before, each helper printed a
KeyboardInterrupt traceback.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys

import duckdb

from ..drops import FIXTURES

REPO_ROOT = FIXTURES.parents[1]
# Stops at the dbt build: the longest step, so the signal always lands inside it.
PIPELINE_RUNS = 1
DBT_STAGE = "transforming with dbt build"


def test_ctrl_c_stops_the_run_with_one_line(tmp_path):
    warehouse = tmp_path / "roi.duckdb"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DAGSTER_HOME", "DAGSTER_PG"))}
    # GIVEN `roi run` of the small drop into a new warehouse, in a process group of its own
    run = subprocess.Popen(
        [sys.executable, "-m", "roi.cli", "run", "--data-dir", str(FIXTURES / "small_drop")]
        + ["--warehouse", str(warehouse)],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    before = []
    for line in run.stderr:
        before.append(line)
        if DBT_STAGE in line:
            # WHEN Ctrl-C is pressed while dbt builds the models
            os.killpg(run.pid, signal.SIGINT)
            break
    after, out = run.stderr.read(), run.stdout.read()
    code = run.wait(timeout=120)
    assert any(DBT_STAGE in line for line in before), "".join(before)
    (run_id,) = re.findall(r"run (\S+) starting", "".join(before))
    # THEN one line says so, nothing else (no traceback), and the exit code is 130
    assert after == (
        f"interrupted: run {run_id} stopped at dbt_models; nothing was published "
        "(the last good marts stay)\n"
    )
    assert out == ""
    assert code == 130
    # AND the run is recorded as failed at the interrupted step, with no mart published
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select run_id, status, failed_steps from audit.runs").fetchall() == [
            (run_id, "failed", "dbt_models (interrupted)")
        ]
        assert con.execute(
            "select count(*) from information_schema.tables where table_schema = 'marts'"
        ).fetchone() == (0,)
