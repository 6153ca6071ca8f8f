"""Benchmark the pipeline: generate, full run, bare dbt build, rerun, same-size update, DuckDB
alone; evaluate issue 17's goals; write RESULTS.md.

    python bench/bench.py [--scales 1,50,200,500] [--update-rows 10000] [--out bench/RESULTS.md]
                          [--work DIR] [--keep] [--no-startup]

For each scale N: `roi generate --scale N` (timed on its own), then `roi run --source files`
into a fresh warehouse in a child process, measuring wall and CPU time, the peak memory of
the child's whole process tree (sampled from /proc: the run is one Python process plus the
dbt processes it starts) and of its largest process (both sampled from /proc), and the load
average before and after. Stage times come from the run's Dagster event log (step start and
success of every step); dbt's own timings from its JSON log; every memory sample is
attributed to the part of the run going on when it was taken (peak memory per stage).

Then, at the same scale:
- bare dbt: `dbt build` of the same project (same target, vars and exclusion of unit tests as
  orchestration/dbt_assets.py) on a copy of the loaded warehouse, in a child process measured
  like the run;
- rerun: the same drop run again into the loaded warehouse (nothing new);
- same-size update: a drop of exactly --update-rows new rows (bench/incremental.py,
  derive_update_drop: the same mix at every scale) run into the warehouse;
- DuckDB alone computes mart_project_roi from the same CSV files (bench/baseline.sql, in this
  process, a fresh connection each time, best of five).

The measured part of the output file sits between two markers and is replaced on every run;
text outside them (the analysis) is kept.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# first, so that `bench` is this package and not this script's own folder's bench.py
sys.path.insert(0, str(REPO))

from bench.incremental import UPDATE_ROWS, derive_update_drop  # noqa: E402

BEGIN_MARK = "<!-- bench:begin (written by bench/bench.py; edits inside are replaced) -->"
END_MARK = "<!-- bench:end -->"
REPORTING_CURRENCY = "USD"
SAMPLE_SECONDS = 0.1
BASELINE_REPEATS = 5
GIB = 1024**3

# Goals of issue 17 on this 2-core machine, each from one bench run.
# 1. a full run at scale OVERHEAD_SCALE at most this many times a bare `dbt build`
GOAL_OVERHEAD_RATIO = 1.5
OVERHEAD_SCALE = 1
# 2. the same-size update at UPDATE_SCALES[1] at most this many times its cost at [0]; a rerun
#    at RERUN_SCALE at most this share of the full run
GOAL_UPDATE_GROWTH = 1.5
UPDATE_SCALES = (1, 200)
GOAL_RERUN_SHARE = 0.20
RERUN_SCALE = 200
# 3. extra wall time of a full run from PER_ROW_SCALES[0] to [1] at most this many times
#    DuckDB alone's extra on the same files
GOAL_PER_ROW_RATIO = 20.0
PER_ROW_SCALES = (50, 200)
# 4. peak RSS of the run's whole process tree at MEMORY_SCALE under this
GOAL_PEAK_BYTES = 2 * GIB
MEMORY_SCALE = 500
DEFAULT_SCALES = "1,50,200,500"

STAGES = ("load", "transform", "checks", "publish", "audit", "report")


def stage_of(step_key: str) -> str:
    """The benchmark stage of a Dagster step of the pipeline job."""
    if step_key == "file_drop" or step_key.startswith("load_"):
        return "load"
    if step_key == "dbt_models":
        return "transform"
    if (
        step_key.endswith("_great_expectations_suite")
        or step_key.endswith("_reconciliation")
        or step_key.startswith("audit__quarantine")
    ):
        return "checks"
    if step_key == "publish_marts":
        return "publish"
    if step_key.startswith("audit__"):
        return "audit"
    if step_key.startswith("reports__"):
        return "report"
    return "other"


# ------------------------------------------------------------------------------ processes


def _process_table() -> dict[int, tuple[int, int]]:
    """{pid: (parent pid, CPU clock ticks: own user+system and that of its reaped children)}."""
    table: dict[int, tuple[int, int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        # the command name (field 2) may hold spaces: the fields from 3 on follow its ')'
        fields = stat[stat.rindex(b")") + 2 :].split()
        table[int(entry.name)] = (int(fields[1]), sum(int(value) for value in fields[11:15]))
    return table


def _command_line(pid: int) -> bytes | None:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return handle.read()
    except OSError:
        return None


def tree_usage(root: int, parent_command: bytes | None) -> tuple[int, float, dict[int, int]]:
    """(resident bytes, CPU seconds so far, resident bytes per process) of `root` and all
    its descendants.

    A descendant that ended is counted through its parent's reaped-children time, so the
    CPU figure grows steadily over the run; dividing it between steps gives CPU per stage.
    A process that has been forked but has not yet started its own program still shows its
    parent's memory (and would count it twice): it is left out of the memory figures until
    its command line differs from its parent's. `parent_command` is the command line of
    `root`'s parent (this benchmark).
    """
    table = _process_table()
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in table.items():
        children.setdefault(parent, []).append(pid)
    page = os.sysconf("SC_PAGE_SIZE")
    ticks, resident = 0, {}
    pending = [(root, parent_command)]
    while pending:
        pid, parent_line = pending.pop()
        line = _command_line(pid)
        pending.extend((child, line) for child in children.get(pid, ()))
        ticks += table.get(pid, (0, 0))[1]
        if line is None or line == parent_line:
            continue
        try:
            with open(f"/proc/{pid}/statm") as handle:
                resident[pid] = int(handle.read().split()[1]) * page
        except OSError:
            continue
    return sum(resident.values()), ticks / os.sysconf("SC_CLK_TCK"), resident


@dataclass
class Measured:
    command: list[str]
    returncode: int
    wall_seconds: float
    user_seconds: float
    system_seconds: float
    peak_tree_rss_bytes: int
    max_process_rss_bytes: int
    started_at: float
    ended_at: float
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]
    stdout: str
    stderr_lines: list[tuple[float, str]] = field(default_factory=list)
    # (time, CPU seconds so far, resident bytes) of the process tree, every SAMPLE_SECONDS
    samples: list[tuple[float, float, int]] = field(default_factory=list)

    def cpu_at(self, moment: float) -> float:
        """CPU seconds the tree had used at `moment` (interpolated between samples)."""
        before = (self.started_at, 0.0)
        for stamp, cpu, _ in self.samples:
            if stamp >= moment:
                if stamp == before[0]:
                    return cpu
                share = (moment - before[0]) / (stamp - before[0])
                return before[1] + share * (cpu - before[1])
            before = (stamp, cpu)
        return self.user_seconds + self.system_seconds


def measure(command: list[str], env: dict[str, str], log: Path) -> Measured:
    """Run `command`, sampling its process tree's memory; return what it cost."""
    load_before = os.getloadavg()
    started = time.time()
    process = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    stderr_lines: list[tuple[float, str]] = []
    stdout_parts: list[str] = []

    def read_stderr() -> None:
        for line in process.stderr:
            stderr_lines.append((time.time(), line.rstrip("\n")))

    def read_stdout() -> None:
        stdout_parts.append(process.stdout.read())

    readers = [threading.Thread(target=read_stderr), threading.Thread(target=read_stdout)]
    for reader in readers:
        reader.start()
    samples: list[tuple[float, float, int]] = []
    largest = 0
    own_command = _command_line(os.getpid())
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        rss, cpu, per_process = tree_usage(process.pid, own_command)
        samples.append((time.time(), cpu, rss))
        largest = max(largest, *per_process.values(), 0)
        time.sleep(SAMPLE_SECONDS)
    ended = time.time()
    process.returncode = os.waitstatus_to_exitcode(status)
    for reader in readers:
        reader.join()
    measured = Measured(
        command=command,
        returncode=process.returncode,
        wall_seconds=ended - started,
        user_seconds=usage.ru_utime,
        system_seconds=usage.ru_stime,
        peak_tree_rss_bytes=max((rss for *_, rss in samples), default=0),
        # not wait4's ru_maxrss: Linux carries the forking parent's (this benchmark's)
        # high-water mark into the child across exec
        max_process_rss_bytes=largest,
        started_at=started,
        ended_at=ended,
        load_before=load_before,
        load_after=os.getloadavg(),
        stdout="".join(stdout_parts),
        stderr_lines=stderr_lines,
        samples=samples,
    )
    log.write_text(
        f"$ {' '.join(command)}\n"
        + "".join(f"{stamp - started:8.2f} {line}\n" for stamp, line in stderr_lines)
        + measured.stdout,
        encoding="utf-8",
    )
    if measured.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({measured.returncode}); see {log}")
    return measured


def child_env() -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    # the run's Dagster instance must be the one beside the benchmark's warehouse
    env.pop("DAGSTER_HOME", None)
    env.pop("ROI_WAREHOUSE", None)
    return env


def parse_manifest() -> None:
    """Parse the dbt manifest here, once, not inside the first measured run."""
    subprocess.run(
        [sys.executable, "-c", "from orchestration.dbt_project import ensure_manifest; "
         "ensure_manifest()"],
        cwd=REPO, env=child_env(), check=True,
    )  # fmt: skip


def roi(*args: str) -> list[str]:
    return [sys.executable, "-m", "roi.cli", *args]


# ------------------------------------------------------------------------------ run detail


@dataclass
class Step:
    key: str
    stage: str
    start: float
    end: float
    status: str

    @property
    def seconds(self) -> float:
        return self.end - self.start


def run_steps(warehouse: Path, run_id: str) -> tuple[float, list[Step]]:
    """(time of the run's first event, its steps) from the Dagster instance beside `warehouse`."""
    import dagster as dg

    from orchestration.instance import instance_for

    ends = {
        dg.DagsterEventType.STEP_SUCCESS: "success",
        dg.DagsterEventType.STEP_FAILURE: "failure",
        dg.DagsterEventType.STEP_SKIPPED: "skipped",
    }
    with instance_for(warehouse) as instance:
        records = instance.all_logs(run_id)
    starts: dict[str, float] = {}
    steps: list[Step] = []
    for record in records:
        event = record.dagster_event
        if event is None or event.step_key is None:
            continue
        if event.event_type == dg.DagsterEventType.STEP_START:
            starts[event.step_key] = record.timestamp
        elif event.event_type in ends:
            start = starts.get(event.step_key, record.timestamp)
            steps.append(
                Step(
                    event.step_key,
                    stage_of(event.step_key),
                    start,
                    record.timestamp,
                    ends[event.event_type],
                )
            )
    return records[0].timestamp, sorted(steps, key=lambda step: step.start)


def dbt_target(warehouse) -> Path:
    """dbt's target folder of a warehouse (a DuckDB file's path or a Warehouse)."""
    from foundation.warehouse import as_warehouse

    return as_warehouse(warehouse).state_dir / "dbt_target"


def dbt_invocations(warehouse, since: float) -> list[dict]:
    """dbt commands started after `since`, from dbt's JSON log in the warehouse's target dir:
    start, parse done, execution seconds, elapsed, whether it parsed from scratch, peak RSS."""
    target = dbt_target(warehouse)
    found: dict[str, dict] = {}
    for log in sorted(target.glob("dbt.log*")):
        for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
            if '"name": "' not in line:
                continue
            try:
                event = json.loads(line)
            except ValueError:
                continue
            info, data = event["info"], event["data"]
            name = info["name"]
            if name not in (
                "MainReportVersion",
                "UnableToPartialParse",
                "ConcurrencyLine",
                "FinishedRunningStats",
                "ResourceReport",
                "CommandCompleted",
            ):
                continue
            stamp = dt.datetime.fromisoformat(info["ts"].replace("Z", "+00:00")).timestamp()
            entry = found.setdefault(info["invocation_id"], {"full_parse": False})
            if name == "MainReportVersion":
                entry["start"] = stamp
            elif name == "UnableToPartialParse":
                entry["full_parse"] = True
            elif name == "ConcurrencyLine":
                entry["parsed"] = stamp
            elif name == "FinishedRunningStats":
                entry["execution_seconds"] = data.get("execution_time")
            elif name == "ResourceReport":
                entry["max_rss_bytes"] = int(data.get("process_mem_max_rss", 0)) * 1024
                entry["command"] = data.get("command_name")
            elif name == "CommandCompleted":
                entry["end"] = stamp
                entry["elapsed"] = data.get("elapsed")
                entry["command"] = data.get("command", entry.get("command"))
    chosen = [entry for entry in found.values() if entry.get("start", 0) >= since]
    return sorted(chosen, key=lambda entry: entry["start"])


def build_node_seconds(warehouse, since: float) -> dict[str, float]:
    """Execution seconds of every node of the `dbt build` written after `since` (its
    run_results.json); none when the run built nothing (a rerun that stopped early)."""
    path = dbt_target(warehouse) / "run_results.json"
    if not path.exists() or path.stat().st_mtime < since:
        return {}
    results = json.loads(path.read_text())
    if results.get("args", {}).get("which") != "build":
        return {}
    return {result["unique_id"]: result["execution_time"] for result in results["results"]}


def seconds_by_node_type(nodes: dict[str, float]) -> dict[str, float]:
    seconds: dict[str, float] = {}
    for unique_id, value in nodes.items():
        kind = unique_id.split(".", 1)[0]
        seconds[kind] = seconds.get(kind, 0.0) + value
    return seconds


def stages_at(moment: float, intervals: dict[str, list[tuple[float, float]]]) -> list[str]:
    """The parts of a run going on at `moment` (spans include both ends; steps that overlap
    in time share the moment; no part if the moment is outside them all)."""
    return [
        name
        for name, spans in intervals.items()
        if any(start <= moment <= end for start, end in spans)
    ]


def peak_rss_by_stage(
    samples: list[tuple[float, float, int]], intervals: dict[str, list[tuple[float, float]]]
) -> dict[str, int]:
    """The peak resident bytes of the process tree per part of the run: each (time, CPU
    seconds, resident bytes) sample counts for every part going on when it was taken; a part
    no sample fell in gets 0."""
    peaks = dict.fromkeys(intervals, 0)
    for stamp, _, rss in samples:
        for name in stages_at(stamp, intervals):
            peaks[name] = max(peaks[name], rss)
    return peaks


# `roi run`'s summary: succeeded, FAILED, or a rerun that could change nothing (it stops
# after hashing the drop, orchestration/unchanged.py), which succeeds too
RUN_ID = re.compile(r"run ([0-9a-f-]{36})(?: (succeeded|FAILED)|: (nothing to do))")


@dataclass
class RunFigures:
    label: str
    input_rows: int
    measured: Measured
    run_id: str
    first_event: float
    steps: list[Step]
    dbt: list[dict]
    dbt_nodes: dict[str, float]

    def intervals(self) -> dict[str, list[tuple[float, float]]]:
        """The run's wall time cut into parts: start-up (process start to the first step),
        the steps of each stage, the gaps between steps, and finish (to process exit)."""
        steps = sorted(self.steps, key=lambda step: step.start)
        parts: dict[str, list[tuple[float, float]]] = {
            "start-up": [(self.measured.started_at, steps[0].start)],
            **{stage: [] for stage in (*STAGES, "other")},
            "between steps": [],
            "finish": [(max(step.end for step in steps), self.measured.ended_at)],
        }
        reached = steps[0].start
        for step in steps:
            if step.start > reached:
                parts["between steps"].append((reached, step.start))
            parts[step.stage].append((step.start, step.end))
            reached = max(reached, step.end)
        return parts

    def stages(self) -> dict[str, dict[str, float]]:
        """Per part of the run: wall seconds, CPU seconds of the process tree, peak RSS."""
        intervals = self.intervals()
        peaks = peak_rss_by_stage(self.measured.samples, intervals)
        return {
            name: {
                "wall": sum(end - start for start, end in spans),
                "cpu": sum(
                    self.measured.cpu_at(end) - self.measured.cpu_at(start) for start, end in spans
                ),
                "peak_rss_bytes": peaks[name],
            }
            for name, spans in intervals.items()
        }

    def phases(self) -> dict[str, float]:
        """When the Dagster run itself began: process start to its first event, then to the
        first step (Dagster's run planning)."""
        first = min(step.start for step in self.steps)
        return {
            "process start to first Dagster event": self.first_event - self.measured.started_at,
            "first Dagster event to first step": first - self.first_event,
        }


def run_pipeline(
    label: str,
    drop: Path,
    warehouse,
    rows: int,
    logs: Path,
    target: list[str] | None = None,
    env: dict[str, str] | None = None,
) -> RunFigures:
    """`roi run` of `drop` into `warehouse` (a DuckDB file's path, or a Warehouse with the
    `target` arguments that name it, such as ["--target", "spark"], and the `env` it needs)."""
    where = target if target is not None else ["--warehouse", str(warehouse)]
    command = roi("run", "--source", "files", "--data-dir", str(drop), *where)
    command += ["--reporting-currency", REPORTING_CURRENCY]
    measured = measure(command, env or child_env(), logs / f"{label}.log")
    match = RUN_ID.search(measured.stdout)
    if match is None or match.group(2) == "FAILED":
        raise SystemExit(f"{label}: the run did not succeed; see {logs / f'{label}.log'}")
    run_id = match.group(1)
    first_event, steps = run_steps(warehouse, run_id)
    return RunFigures(
        label=label,
        input_rows=rows,
        measured=measured,
        run_id=run_id,
        first_event=first_event,
        steps=steps,
        dbt=dbt_invocations(warehouse, measured.started_at),
        dbt_nodes=build_node_seconds(warehouse, measured.started_at),
    )


def bare_dbt_command(warehouse: Path, target_path: Path) -> list[str]:
    """`dbt build` as the run's transform step calls it (orchestration/dbt_assets.py): unit
    tests excluded, the run's own --target and --vars (WarehouseResource.dbt_args) for the
    DuckDB file `warehouse`, every node."""
    from foundation.settings import DBT_PROJECT_DIR
    from foundation.warehouse import DuckDBWarehouse
    from orchestration.resources import WarehouseResource

    resource = WarehouseResource.for_warehouse(DuckDBWarehouse(warehouse), REPORTING_CURRENCY)
    return [
        str(Path(sys.executable).parent / "dbt"),
        "build",
        "--exclude-resource-type",
        "unit_test",
        *resource.dbt_args(),
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(target_path),
    ]


def bare_dbt_build(label: str, warehouse: Path, copy: Path, logs: Path) -> dict:
    """Time a bare `dbt build` on a copy of the loaded `warehouse` (its file and dbt target
    folder, so dbt parses partially as in the run), in a child process measured like the run."""
    if copy.parent.exists():
        shutil.rmtree(copy.parent)
    copy.parent.mkdir(parents=True)
    for path in warehouse.parent.glob(warehouse.name + "*"):
        if path.is_file():
            shutil.copy2(path, copy.parent / path.name.replace(warehouse.name, copy.name, 1))
    from foundation.settings import state_dir

    target = state_dir(copy) / "dbt_target"
    source_target = state_dir(warehouse) / "dbt_target"
    if source_target.exists():
        shutil.copytree(source_target, target)
    env = {
        **child_env(),
        # as dagster-dbt starts dbt: JSON logs into the target folder, no usage statistics
        "DBT_LOG_FORMAT": "json",
        "DBT_LOG_PATH": str(target),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    measured = measure(bare_dbt_command(copy, target), env, logs / f"{label}.log")
    intervals = {"dbt build": [(measured.started_at, measured.ended_at)]}
    nodes = build_node_seconds(copy, measured.started_at)
    figures = {
        "label": label,
        "measured": {
            key: value
            for key, value in asdict(measured).items()
            if key not in ("stderr_lines", "samples", "stdout")
        },
        "stages": {
            "dbt build": {
                "wall": measured.wall_seconds,
                "cpu": measured.user_seconds + measured.system_seconds,
                "peak_rss_bytes": peak_rss_by_stage(measured.samples, intervals)["dbt build"],
            }
        },
        "dbt": dbt_invocations(copy, measured.started_at),
        "dbt_nodes": dict(sorted(nodes.items(), key=lambda item: -item[1])[:40]),
        "dbt_node_types": seconds_by_node_type(nodes),
    }
    shutil.rmtree(copy.parent)
    return figures


# ------------------------------------------------------------------------------ baseline


def _baseline_sql(drop: Path) -> str:
    return (
        (REPO / "bench" / "baseline.sql")
        .read_text(encoding="utf-8")
        .replace("{drop}", str(drop))
        .replace("{currency}", REPORTING_CURRENCY)
    )


def baseline_seconds(drop: Path) -> dict:
    """DuckDB alone: the best of BASELINE_REPEATS fresh in-process connections computing
    mart_project_roi from the drop's CSV files."""
    import duckdb

    sql = _baseline_sql(drop)
    timings, rows = [], 0
    load_before = os.getloadavg()
    for _ in range(BASELINE_REPEATS):
        started = time.perf_counter()
        with duckdb.connect() as connection:
            connection.execute("set TimeZone = 'UTC'")
            connection.execute(sql)
            rows = connection.execute("select count(*) from baseline_mart_project_roi").fetchone()
        timings.append(time.perf_counter() - started)
    return {
        "seconds": min(timings),
        "all_seconds": timings,
        "rows": rows[0],
        "load_before": load_before,
        "load_after": os.getloadavg(),
    }


def compare_with_pipeline(drop: Path, warehouse: Path) -> dict:
    """How far the baseline's mart_project_roi on `drop` is from the warehouse's."""
    import duckdb

    with duckdb.connect() as connection:
        connection.execute("set TimeZone = 'UTC'")
        connection.execute(_baseline_sql(drop))
        connection.execute(f"attach '{warehouse}' as warehouse (read_only)")
        row = connection.execute(
            """
            select
                count(*) filter (where b.project_code is not null and m.project_code is not null),
                count(*) filter (where m.project_code is null),
                count(*) filter (where b.project_code is null),
                greatest(max(abs(b.ad_spend - m.ad_spend)), max(abs(b.erp_cost - m.erp_cost)),
                         max(abs(b.revenue - m.revenue)), max(abs(b.cogs - m.cogs)),
                         max(abs(b.cumulative_investment - m.cumulative_investment))),
                count(*) filter (where b.leads <> m.leads or b.new_customers <> m.new_customers
                                   or b.opportunities <> m.opportunities
                                   or b.won_deals <> m.won_deals or b.lost_deals <> m.lost_deals)
            from baseline_mart_project_roi as b
            full join warehouse.marts.mart_project_roi as m
                using (project_code, period_grain, period_start)
            """
        ).fetchone()
    names = ("rows_both", "rows_only_baseline", "rows_only_pipeline")
    names += ("max_abs_diff_money", "count_mismatches")
    return dict(zip(names, row, strict=True))


# ------------------------------------------------------------------------------ start-up


def _timed_python(code: str) -> dict:
    """Run `code` in a fresh interpreter; it prints a JSON object of its own timings."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env=child_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    figures["process_wall"] = time.perf_counter() - started
    return figures


IMPORTS_CODE = """
import json, time
marks = [("start", time.perf_counter())]
import dagster
marks.append(("dagster", time.perf_counter()))
import dlt
marks.append(("dlt", time.perf_counter()))
import dagster_dbt, dagster_dlt
marks.append(("dagster_dbt and dagster_dlt", time.perf_counter()))
import orchestration.code_location
marks.append(("orchestration.code_location (the rest: dbt manifest, assets, checks, jobs)",
              time.perf_counter()))
print(json.dumps({name: marks[i + 1][1] - marks[i][1] for i, (name, _) in
                  enumerate(marks[1:])}))
"""

GE_CODE = """
import json, os, time
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
started = time.perf_counter()
import great_expectations
print(json.dumps({"import great_expectations": time.perf_counter() - started}))
"""


def startup_costs(work: Path) -> dict:
    """Fixed costs measured on their own, each in a fresh process."""
    figures: dict[str, float] = {}
    figures["python interpreter (python -c pass)"] = _timed_python("print('{}')")["process_wall"]
    for key, value in _timed_python(IMPORTS_CODE).items():
        if key != "process_wall":
            figures[f"import {key}"] = value
    figures.update({k: v for k, v in _timed_python(GE_CODE).items() if k != "process_wall"})
    # dbt: a parse from scratch (a new target folder), then again with partial parsing
    from foundation.settings import DBT_PROJECT_DIR

    dbt = str(Path(sys.executable).parent / "dbt")
    target = work / "dbt_parse_target"
    env = {**child_env(), "ROI_WAREHOUSE": str(work / "parse.duckdb")}
    for label in ("dbt parse, from scratch", "dbt parse, partial (dbt start-up alone)"):
        started = time.perf_counter()
        subprocess.run(
            [dbt, "parse", "--quiet", "--project-dir", str(DBT_PROJECT_DIR),
             "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(target)],
            env=env, check=True, capture_output=True,
        )  # fmt: skip
        figures[label] = time.perf_counter() - started
    return figures


# ------------------------------------------------------------------------------ drops


def csv_rows(drop: Path) -> dict[str, int]:
    """Data rows per CSV file (the header not counted; the generator writes no newlines
    inside values, so lines are rows)."""
    counts = {}
    for path in sorted(drop.glob("*.csv")):
        with path.open("rb") as handle:
            counts[path.name] = sum(1 for _ in handle) - 1
    return counts


# ------------------------------------------------------------------------------ report


def machine() -> dict[str, str]:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            memory = int(line.split()[1]) * 1024
    os_name = platform.platform()
    release = Path("/etc/os-release")
    if release.exists():
        for line in release.read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                os_name = f"{line.split('=', 1)[1].strip(chr(34))} ({platform.release()})"
    from importlib.metadata import version

    packages = ("duckdb", "dlt", "dbt-core", "dbt-duckdb", "dagster", "dagster-dbt")
    packages += ("great-expectations", "pandas", "pyarrow")
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "memory": f"{memory / GIB:.1f} GiB",
        "os": os_name,
        "python": platform.python_version(),
        **{name: version(name) for name in packages},
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def _mib(value: float) -> str:
    return f"{value / 1024**2:,.0f}"


def _load(values) -> str:
    return "/".join(f"{v:.1f}" for v in values)


def _rate(rows: int, seconds: float) -> str:
    return f"{rows / seconds:,.0f}" if seconds > 0 else "-"


def render(results: dict) -> str:
    lines: list[str] = []
    add = lines.append
    info = results["machine"]
    add("## Machine and command\n")
    add(f"- CPU: {info['cpu']}, {info['cores']} cores; RAM {info['memory']}; {info['os']}")
    add(
        f"- Python {info['python']}; DuckDB {info['duckdb']}; dlt {info['dlt']}; "
        f"dbt-core {info['dbt-core']} (dbt-duckdb {info['dbt-duckdb']}); Dagster "
        f"{info['dagster']} (dagster-dbt {info['dagster-dbt']}); Great Expectations "
        f"{info['great-expectations']}; pandas {info['pandas']}; pyarrow {info['pyarrow']}"
    )
    add(f"- measured {info['date']}, code {results['code_version']}")
    add(f"- command: `{results['command']}`")
    add(
        "- load average (1/5/15 min) is recorded before and after every measurement; this "
        "machine is shared with other work, so compare CPU seconds where wall times look off\n"
    )

    scales = results["scales"]
    goals = results.get("goals", {})
    if goals:
        add("## Goals\n")
        add("| goal | measured | target | result |")
        add("|---|---|---|---|")
        for goal in goals.values():
            add(f"| {goal['name']} | {goal['measured']} | {goal['target']} | {goal['result']} |")
        add("")

    add("## Full runs (`roi run --source files`, fresh warehouse)\n")
    add(
        "| scale | input rows | generate s | wall s | CPU s (user+sys) | peak RSS MiB "
        "(process tree) | largest process MiB | load avg before → after |"
    )
    add("|---|---|---|---|---|---|---|---|")
    for scale in scales:
        full = scale["full"]
        m = full["measured"]
        add(
            f"| {scale['scale']} | {full['input_rows']:,} | {scale['generate_seconds']:.1f} | "
            f"{m['wall_seconds']:.1f} | {m['user_seconds'] + m['system_seconds']:.1f} | "
            f"{_mib(m['peak_tree_rss_bytes'])} | {_mib(m['max_process_rss_bytes'])} | "
            f"{_load(m['load_before'])} → {_load(m['load_after'])} |"
        )
    add("")
    add(
        "Per stage: wall seconds, input rows per wall second (all CSV rows of the drop / "
        "stage seconds), CPU seconds of the run's process tree, and its peak RSS during the "
        "stage. start-up is process start to the first step; finish is the last step to exit.\n"
    )
    add("| scale | stage | wall s | rows/s | CPU s | peak RSS MiB |")
    add("|---|---|---|---|---|---|")
    for scale in scales:
        full = scale["full"]
        for name, figures in full["stages"].items():
            if not figures["wall"]:
                continue
            add(
                f"| {scale['scale']} | {name} | {figures['wall']:.1f} | "
                f"{_rate(full['input_rows'], figures['wall'])} | {figures['cpu']:.1f} | "
                f"{_mib(figures['peak_rss_bytes']) if figures['peak_rss_bytes'] else '-'} |"
            )
    add("")
    add("dbt inside the run (from dbt's JSON log; `build` is the transform stage's dbt process):\n")
    add(
        "| scale | command | full parse | start-up + parse s | execution s | dbt elapsed s | "
        "dbt peak RSS MiB |"
    )
    add("|---|---|---|---|---|---|---|")
    for scale in scales:
        for entry in scale["full"]["dbt"]:
            parse = entry.get("parsed", entry.get("start", 0)) - entry.get("start", 0)
            add(
                f"| {scale['scale']} | {entry.get('command', '?')} | "
                f"{'yes' if entry['full_parse'] else 'no'} | {parse:.1f} | "
                f"{entry.get('execution_seconds') or 0:.1f} | {entry.get('elapsed') or 0:.1f} | "
                f"{_mib(entry.get('max_rss_bytes', 0))} |"
            )
    add("")
    add("Slowest steps per scale:\n")
    for scale in scales:
        steps = sorted(scale["full"]["steps"], key=lambda step: -step["seconds"])[:8]
        add(
            f"- scale {scale['scale']}: "
            + ", ".join(f"{step['key']} {step['seconds']:.1f} s" for step in steps)
        )
    add("")

    add("Slowest dbt nodes of the build per scale (execution seconds):\n")
    for scale in scales:
        nodes = sorted(scale["full"]["dbt_nodes"].items(), key=lambda item: -item[1])[:8]
        add(
            f"- scale {scale['scale']}: "
            + ", ".join(f"{node.split('.')[2]} {seconds:.2f} s" for node, seconds in nodes)
        )
    add("")

    add("## Bare `dbt build` (same project, target and vars, on a copy of the loaded warehouse)\n")
    add(
        "| scale | wall s | CPU s | full run / bare dbt (wall) | execution s | peak RSS MiB | "
        "load avg before → after |"
    )
    add("|---|---|---|---|---|---|---|")
    for scale in scales:
        bare = scale.get("bare_dbt")
        if not bare:
            continue
        m = bare["measured"]
        execution = sum(entry.get("execution_seconds") or 0 for entry in bare["dbt"])
        add(
            f"| {scale['scale']} | {m['wall_seconds']:.1f} | "
            f"{m['user_seconds'] + m['system_seconds']:.1f} | "
            f"{scale['full']['measured']['wall_seconds'] / m['wall_seconds']:.2f}× | "
            f"{execution:.1f} | {_mib(m['peak_tree_rss_bytes'])} | "
            f"{_load(m['load_before'])} → {_load(m['load_after'])} |"
        )
    add("")

    rows = results.get("update_rows")
    for run, title in (
        ("rerun", "Reruns (the same drop again into the loaded warehouse: nothing new)"),
        (
            "update",
            f"Same-size updates ({rows:,} new rows, bench/incremental.py derive_update_drop, "
            "into the scale's warehouse after the rerun)"
            if rows
            else "Same-size updates (into the scale's warehouse after the rerun)",
        ),
    ):
        chosen = [scale for scale in scales if run in scale]
        if not chosen:
            continue
        add(f"## {title}\n")
        add(
            "| scale | input rows | wall s | CPU s | share of the full run (wall) | share (CPU) | "
            "start-up s | load s | transform s | checks s | audit s | peak RSS MiB | "
            "load avg before → after |"
        )
        add("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for scale in chosen:
            inc, full = scale[run], scale["full"]
            m, fm = inc["measured"], full["measured"]
            cpu = m["user_seconds"] + m["system_seconds"]
            full_cpu = fm["user_seconds"] + fm["system_seconds"]
            s = {name: figures["wall"] for name, figures in inc["stages"].items()}
            add(
                f"| {scale['scale']} | {inc['input_rows']:,} | {m['wall_seconds']:.1f} | "
                f"{cpu:.1f} | {m['wall_seconds'] / fm['wall_seconds']:.0%} | "
                f"{cpu / full_cpu:.0%} | {s['start-up']:.1f} | {s['load']:.1f} | "
                f"{s['transform']:.1f} | {s['checks']:.1f} | {s['audit']:.1f} | "
                f"{_mib(m['peak_tree_rss_bytes'])} | "
                f"{_load(m['load_before'])} → {_load(m['load_after'])} |"
            )
        add("")

    add("## Peak memory per stage (RSS of the whole process tree, MiB)\n")
    add(
        "Every memory sample (each 0.1 s, from /proc) counts for the part of the run going on "
        "when it was taken (the Dagster steps' start and end; start-up, between steps and "
        "finish are the gaps); - is a part without a sample.\n"
    )
    parts = ("start-up", *STAGES, "other", "between steps", "finish")
    add("| scale | run | whole run | " + " | ".join(parts) + " |")
    add("|---|---|---|" + "---|" * len(parts))
    for scale in scales:
        for run in ("full", "rerun", "update", "bare_dbt"):
            figures = scale.get(run)
            if not figures:
                continue
            stages = figures["stages"]
            cells = [
                _mib(stages[part]["peak_rss_bytes"])
                if stages.get(part, {}).get("peak_rss_bytes")
                else "-"
                for part in parts
            ]
            if run == "bare_dbt":
                cells = ["-"] * len(parts)
            add(
                f"| {scale['scale']} | {run.replace('_', ' ')} | "
                f"{_mib(figures['measured']['peak_tree_rss_bytes'])} | " + " | ".join(cells) + " |"
            )
    add("")

    add("## DuckDB alone (bench/baseline.sql: CSV → mart_project_roi, in-process)\n")
    again = [scale for scale in scales if "baseline_in_run" in scale]
    if again:
        add(
            f"Measured again at {again[0]['baseline']['measured_at']} (`--rebaseline`, after a "
            "change to baseline.sql) on the run's own drops and warehouses; during the run it "
            "took "
            + ", ".join(
                f"{scale['baseline_in_run']['seconds']:.2f} s at scale {scale['scale']}"
                for scale in again
            )
            + ".\n"
        )
    add(
        "| scale | best of 5 s | all runs s | rows | rows also in the pipeline's mart | "
        "only baseline / only pipeline | max money difference | rows with count differences |"
    )
    add("|---|---|---|---|---|---|---|---|")
    for scale in scales:
        base = scale["baseline"]
        c = base["comparison"] or {}
        add(
            f"| {scale['scale']} | {base['seconds']:.2f} | "
            + ", ".join(f"{s:.2f}" for s in base["all_seconds"])
            + f" | {base['rows']:,} | {c.get('rows_both', 0):,} | "
            f"{c.get('rows_only_baseline', 0)} / {c.get('rows_only_pipeline', 0)} | "
            f"{c.get('max_abs_diff_money') or 0:.2g} | {c.get('count_mismatches', 0)} |"
        )
    add("")

    startup = results.get("startup")
    if startup:
        add("## Fixed start-up costs, each measured alone in a fresh process\n")
        add("| what | seconds |")
        add("|---|---|")
        for name, seconds in startup.items():
            add(f"| {name} | {seconds:.2f} |")
        add("")
    first = scales[0]["full"]
    add(f"Where the wall time of the scale-{scales[0]['scale']} run went:\n")
    add("| part | seconds |")
    add("|---|---|")
    for name, figures in first["stages"].items():
        if figures["wall"]:
            add(f"| {name} | {figures['wall']:.1f} |")
        if name == "start-up":
            for phase, seconds in first["phases"].items():
                add(f"| of start-up: {phase} | {seconds:.1f} |")
    build = next((e for e in first["dbt"] if "build" in str(e.get("command"))), None)
    dbt_step = next((s for s in first["steps"] if s["key"] == "dbt_models"), None)
    if build and dbt_step:
        parse = build.get("parsed", build["start"]) - build["start"]
        add(f"| of the transform step: dbt start-up and parse | {parse:.1f} |")
        add(
            f"| of the transform step: dbt executing nodes | "
            f"{build.get('execution_seconds') or 0:.1f} |"
        )
        for kind, seconds in sorted(first["dbt_node_types"].items()):
            add(f"| of which dbt {kind} nodes | {seconds:.1f} |")
        add(
            "| of the transform step: Dagster handling dbt's events after dbt ended | "
            f"{dbt_step['end'] - build.get('end', dbt_step['end']):.1f} |"
        )
    add("")
    return "\n".join(lines)


def _not_measured(name: str, target: str, missing: list[int]) -> dict:
    scales = " and ".join(str(scale) for scale in missing)
    return {
        "name": name,
        "measured": f"not measured (scale {scales} not in this run)",
        "target": target,
        "result": "not measured",
    }


def _wall(scale: dict, run: str) -> float:
    return scale[run]["measured"]["wall_seconds"]


def goals(scales: list[dict]) -> dict:
    """Issue 17's four goals from one run's figures: each measured ratio against its target,
    pass or FAIL; "not measured" when a scale it needs is not in the run."""
    by_scale = {scale["scale"]: scale for scale in scales}
    found: dict[str, dict] = {}

    def missing(*needed: int) -> list[int]:
        return [number for number in needed if number not in by_scale]

    def ratio_goal(key, name, spent, denominator, unit, limit, target) -> None:
        ratio = spent / denominator if denominator > 0 else float("inf")
        shown = f"{ratio:.0%}" if unit == "%" else f"{ratio:.2f}×"
        found[key] = {
            "name": name,
            "measured": f"{spent:.1f} s / {denominator:.1f} s = {shown}",
            "target": target,
            "result": "pass" if ratio <= limit else "FAIL",
        }

    # 1. overhead over plain dbt
    name = f"1. full run / bare `dbt build` on the loaded warehouse, scale {OVERHEAD_SCALE} (wall)"
    target = f"≤ {GOAL_OVERHEAD_RATIO:g}×"
    if missing(OVERHEAD_SCALE):
        found["overhead"] = _not_measured(name, target, missing(OVERHEAD_SCALE))
    else:
        scale = by_scale[OVERHEAD_SCALE]
        ratio_goal(
            "overhead", name, _wall(scale, "full"), _wall(scale, "bare_dbt"), "×",
            GOAL_OVERHEAD_RATIO, target,
        )  # fmt: skip

    # 2. cost follows the new data: the same-size update at two history sizes; a rerun
    low, high = UPDATE_SCALES
    target = f"≤ {GOAL_UPDATE_GROWTH:g}×"
    compared = [high] + [top for top in (max(by_scale, default=0),) if top > high]
    for top in compared:
        name = f"2. same-size update: cost at scale {top} / at scale {low} (wall)"
        key = "update_growth" if top == high else f"update_growth_{top}"
        if missing(low, top):
            found[key] = _not_measured(name, target, missing(low, top))
        else:
            ratio_goal(
                key, name, _wall(by_scale[top], "update"), _wall(by_scale[low], "update"), "×",
                GOAL_UPDATE_GROWTH, target,
            )  # fmt: skip
    name = f"2. rerun of the loaded drop / full run, scale {RERUN_SCALE} (wall)"
    target = f"≤ {GOAL_RERUN_SHARE:.0%}"
    if missing(RERUN_SCALE):
        found["rerun"] = _not_measured(name, target, missing(RERUN_SCALE))
    else:
        scale = by_scale[RERUN_SCALE]
        ratio_goal(
            "rerun", name, _wall(scale, "rerun"), _wall(scale, "full"), "%", GOAL_RERUN_SHARE,
            target,
        )  # fmt: skip

    # 3. per-row cost of a full run against DuckDB alone on the same files
    low, high = PER_ROW_SCALES
    name = f"3. extra wall time scale {low} → {high}: full run / DuckDB alone"
    target = f"≤ {GOAL_PER_ROW_RATIO:g}×"
    if missing(low, high):
        found["per_row"] = _not_measured(name, target, missing(low, high))
    else:
        small, large = by_scale[low], by_scale[high]
        pipeline = _wall(large, "full") - _wall(small, "full")
        # the goal compares figures of one run: DuckDB alone as measured during the run
        in_run = "baseline_in_run" if "baseline_in_run" in large else "baseline"
        engine = large[in_run]["seconds"] - small[in_run]["seconds"]
        ratio = pipeline / engine if engine > 0 else float("inf")
        found["per_row"] = {
            "name": name,
            "measured": f"{pipeline:.1f} s / {engine:.2f} s = {ratio:.1f}×",
            "target": target,
            "result": "pass" if ratio <= GOAL_PER_ROW_RATIO else "FAIL",
        }

    # 4. bounded memory
    name = f"4. peak RSS of the full run's process tree, scale {MEMORY_SCALE}"
    target = f"< {GOAL_PEAK_BYTES / GIB:g} GiB"
    if missing(MEMORY_SCALE):
        found["memory"] = _not_measured(name, target, missing(MEMORY_SCALE))
    else:
        peak = by_scale[MEMORY_SCALE]["full"]["measured"]["peak_tree_rss_bytes"]
        found["memory"] = {
            "name": name,
            "measured": f"{peak / GIB:.2f} GiB",
            "target": target,
            "result": "pass" if peak < GOAL_PEAK_BYTES else "FAIL",
        }
    return found


def write_results(out: Path, body: str, begin: str = BEGIN_MARK, end: str = END_MARK) -> None:
    """Put `body` between the `begin` and `end` markers of `out` (appended with them when
    they are not there yet); the rest of the file is kept."""
    block = f"{begin}\n{body}\n{end}"
    if out.exists():
        text = out.read_text(encoding="utf-8")
        if begin in text and end in text:
            head, rest = text.split(begin, 1)
            tail = rest.split(end, 1)[1]
            out.write_text(head + block + tail, encoding="utf-8")
            return
        out.write_text(text.rstrip("\n") + f"\n\n{block}\n", encoding="utf-8")
        return
    out.write_text(f"# Benchmark results\n\n{block}\n", encoding="utf-8")


# ------------------------------------------------------------------------------ main


def _figures(run: RunFigures) -> dict:
    return {
        "label": run.label,
        "input_rows": run.input_rows,
        "run_id": run.run_id,
        "measured": {
            key: value
            for key, value in asdict(run.measured).items()
            if key not in ("stderr_lines", "samples")
        },
        "stages": run.stages(),
        "phases": run.phases(),
        "steps": [{**asdict(step), "seconds": step.seconds} for step in run.steps],
        "dbt": run.dbt,
        # the slowest nodes, and the total per node type (all nodes would bloat the JSON)
        "dbt_nodes": dict(sorted(run.dbt_nodes.items(), key=lambda item: -item[1])[:40]),
        "dbt_node_types": seconds_by_node_type(run.dbt_nodes),
    }


def rebaseline(results: dict, work: Path) -> None:
    """Measure DuckDB alone again on the drops and warehouses that a --keep run left in
    `work` (after a change to baseline.sql); the run's own figures are kept beside them."""
    for scale in results["scales"]:
        number = scale["scale"]
        drop = work / f"drop-{number}"
        say(f"scale {number}: DuckDB alone, again")
        baseline = baseline_seconds(drop)
        combined = work / f"drop-{number}-combined"
        _combine(drop, work / f"drop-{number}-update", combined)
        baseline["comparison"] = compare_with_pipeline(
            combined, work / f"warehouse-{number}" / "roi.duckdb"
        )
        shutil.rmtree(combined)
        baseline["measured_at"] = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        scale.setdefault("baseline_in_run", scale["baseline"])
        scale["baseline"] = baseline
    results["goals"] = goals(results["scales"])


def bench_scale(scale: int, work: Path, logs: Path, update_rows: int = UPDATE_ROWS) -> dict:
    say(f"scale {scale}: generating")
    drop = work / f"drop-{scale}"
    generated = measure(
        roi("generate", "--out", str(drop), "--scale", str(scale)),
        child_env(),
        logs / f"generate-{scale}.log",
    )
    rows = csv_rows(drop)
    warehouse = work / f"warehouse-{scale}" / "roi.duckdb"
    say(f"scale {scale}: full run ({sum(rows.values()):,} rows)")
    full = run_pipeline(f"run-{scale}", drop, warehouse, sum(rows.values()), logs)
    say(f"scale {scale}: full run took {full.measured.wall_seconds:.1f} s")
    say(f"scale {scale}: bare dbt build on a copy of the loaded warehouse")
    bare = bare_dbt_build(
        f"dbt-build-{scale}", warehouse, work / f"bare-dbt-{scale}" / "roi.duckdb", logs
    )
    say(f"scale {scale}: bare dbt build took {bare['measured']['wall_seconds']:.1f} s")
    say(f"scale {scale}: rerun of the same drop (nothing new)")
    rerun = run_pipeline(f"run-{scale}-rerun", drop, warehouse, sum(rows.values()), logs)
    say(f"scale {scale}: rerun took {rerun.measured.wall_seconds:.1f} s")
    update = work / f"drop-{scale}-update"
    new_rows = derive_update_drop(drop, update, rows=update_rows)
    say(f"scale {scale}: same-size update ({sum(new_rows.values()):,} new rows)")
    updated = run_pipeline(f"run-{scale}-update", update, warehouse, sum(new_rows.values()), logs)
    say(f"scale {scale}: update took {updated.measured.wall_seconds:.1f} s")
    say(f"scale {scale}: DuckDB alone")
    baseline = baseline_seconds(drop)
    # The warehouse now holds both drops: compare the baseline on both with its mart.
    combined = work / f"drop-{scale}-combined"
    _combine(drop, update, combined)
    baseline["comparison"] = compare_with_pipeline(combined, warehouse)
    shutil.rmtree(combined)
    return {
        "scale": scale,
        "generate_seconds": generated.wall_seconds,
        "csv_rows": rows,
        "full": _figures(full),
        "bare_dbt": bare,
        "rerun": _figures(rerun),
        "update": _figures(updated),
        "update_rows": new_rows,
        "baseline": baseline,
    }


def _combine(drop: Path, increment: Path, out: Path) -> None:
    """The full drop with the update drop's rows appended: what the warehouse holds."""
    out.mkdir(parents=True, exist_ok=True)
    for path in sorted(drop.glob("*.csv")):
        with (out / path.name).open("wb") as target:
            target.write(path.read_bytes())
            # the incremental file's rows, without its header line
            target.write((increment / path.name).read_bytes().partition(b"\n")[2])


def say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--scales", default=DEFAULT_SCALES, help=f"comma-separated (default {DEFAULT_SCALES})"
    )
    parser.add_argument(
        "--update-rows",
        type=int,
        default=UPDATE_ROWS,
        help=f"rows of the same-size update at every scale (default {UPDATE_ROWS:,})",
    )
    parser.add_argument("--out", default=str(REPO / "bench" / "RESULTS.md"))
    parser.add_argument("--work", help="folder for drops and warehouses (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--no-startup", action="store_true", help="skip the start-up table")
    parser.add_argument(
        "--rebaseline",
        action="store_true",
        help="only measure DuckDB alone again, on the drops and warehouses an earlier run "
        "left in --work (with --keep), and rewrite --out and its JSON",
    )
    args = parser.parse_args(argv)
    if args.rebaseline:
        if not args.work:
            parser.error("--rebaseline needs --work: the folder an earlier --keep run left")
        out = Path(args.out).resolve()
        results = json.loads(out.with_suffix(".json").read_text())
        rebaseline(results, Path(args.work).resolve())
        write_results(out, render(results))
        out.with_suffix(".json").write_text(json.dumps(results, indent=1, default=str))
        say(f"wrote {out} and {out.with_suffix('.json')}")
        return 0
    scales = sorted({int(part) for part in args.scales.split(",") if part.strip()})
    os.environ.pop("DAGSTER_HOME", None)
    work = Path(args.work or tempfile.mkdtemp(prefix="roi-bench-")).resolve()
    work.mkdir(parents=True, exist_ok=True)
    logs = work / "logs"
    logs.mkdir(exist_ok=True)
    out = Path(args.out).resolve()
    say(f"work folder {work}; results to {out}")
    parse_manifest()
    try:
        results: dict = {
            "machine": machine(),
            "code_version": subprocess.run(
                ["git", "-C", str(REPO), "describe", "--always", "--dirty"],
                capture_output=True,
                text=True,
            ).stdout.strip(),
            "command": "python bench/bench.py " + " ".join(argv or sys.argv[1:]),
        }
        if not args.no_startup:
            say("start-up costs")
            results["startup"] = startup_costs(work)
        results["update_rows"] = args.update_rows
        results["scales"] = [
            bench_scale(scale, work, logs, update_rows=args.update_rows) for scale in scales
        ]
        results["goals"] = goals(results["scales"])
        write_results(out, render(results))
        out.with_suffix(".json").write_text(json.dumps(results, indent=1, default=str))
        say(f"wrote {out} and {out.with_suffix('.json')}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
