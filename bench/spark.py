"""Benchmark one scale on the local Spark cluster beside DuckDB; write the figures into
RESULTS.md (between their own markers) and RESULTS-spark.json.

    python bench/spark.py [--scale 50] [--out bench/RESULTS.md] [--work DIR] [--keep]

`roi generate --scale N` writes the drop; `roi run --source files` runs it into a fresh DuckDB
file, then `roi run --target spark` into a fresh Spark cluster (roi/spark_cluster.py: master,
two workers, Thrift Server, with the sizes `roi spark up` uses) that this script starts on free
ports under the work folder and stops at the end. Each run is measured as bench.py measures
one (wall, CPU and peak memory of the run's process tree, stage times from its Dagster event
log); the Spark run also by what the cluster's processes spent meanwhile (the Thrift Server's
driver, the executors on the workers, the master and worker daemons: CPU seconds and peak
resident memory, sampled from /proc). Finally every `mart_*` table is compared, DuckDB
against Spark: rows, and values (DOUBLEs to 1e-9 relative).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench import (  # noqa: E402
    REPO,
    _figures,
    _mib,
    child_env,
    csv_rows,
    machine,
    measure,
    parse_manifest,
    roi,
    run_pipeline,
    say,
    tree_usage,
    write_results,
)

BEGIN_MARK = "<!-- bench-spark:begin (written by bench/spark.py; edits inside are replaced) -->"
END_MARK = "<!-- bench-spark:end -->"
DEFAULT_SCALE = 50
CLUSTER_SAMPLE_SECONDS = 0.5
PARTS = ("start-up", "load", "transform", "checks", "publish", "audit", "report", "finish")


def cluster_settings(home: Path):
    """A cluster of `roi spark up`'s sizes (or this environment's ROI_SPARK_*_MEMORY), its
    files under `home`, on free ports."""
    from roi.spark_cluster import ClusterSettings, free_port_env

    return ClusterSettings.from_env({**os.environ, **free_port_env(home)})


def spark_env(settings, work: Path) -> dict[str, str]:
    """What `roi run --target spark` needs to reach this cluster, its lake and state."""
    return {
        "ROI_SPARK_HOST": "127.0.0.1",
        "ROI_SPARK_PORT": str(settings.thrift_port),
        "ROI_SPARK_HOME": str(settings.home),
        "ROI_SPARK_LAKE": str(work / "lake"),
        "ROI_STATE_DIR": str(work / "spark-state"),
    }


class ClusterSampler:
    """CPU seconds and peak resident memory of the cluster's processes (each daemon and
    everything it started: the executors are the workers' children) while a run goes on."""

    def __init__(self, settings) -> None:
        from roi.spark_cluster import running_pids

        self.pids = list(running_pids(settings).values())
        if not self.pids:
            raise SystemExit(f"no process of the Spark cluster in {settings.home} runs")
        self.peak = 0
        self.samples: list[tuple[float, float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def usage(self) -> tuple[int, float]:
        rss, cpu = 0, 0.0
        for pid in self.pids:
            tree_rss, tree_cpu, _ = tree_usage(pid, None)
            rss, cpu = rss + tree_rss, cpu + tree_cpu
        return rss, cpu

    def _sample(self) -> None:
        while not self._stop.is_set():
            rss, cpu = self.usage()
            self.samples.append((time.time(), cpu, rss))
            self.peak = max(self.peak, rss)
            self._stop.wait(CLUSTER_SAMPLE_SECONDS)

    def __enter__(self) -> ClusterSampler:
        _, self.started_cpu = self.usage()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        rss, cpu = self.usage()
        self.peak = max(self.peak, rss)
        self.cpu_seconds = cpu - self.started_cpu

    def cpu_between(self, start: float, end: float) -> float:
        """CPU seconds of the cluster between two moments (nearest samples)."""
        if not self.samples:
            return 0.0

        def at(moment: float) -> float:
            return min(self.samples, key=lambda sample: abs(sample[0] - moment))[1]

        return at(end) - at(start)


def _sort_key(row: tuple) -> tuple:
    # DOUBLEs may differ in their last digits between engines: sorted by 9 significant digits
    return tuple(
        (value is None, f"{value:.9g}" if isinstance(value, float) else str(value)) for value in row
    )


def _same(got, expected) -> bool:
    """Spark's connection gives DuckDB's Python types: equal values of the same type,
    DOUBLEs to 1e-9 relative."""
    if isinstance(got, float) and isinstance(expected, float):
        return math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-12)
    return got == expected and type(got) is type(expected)


def compare_marts(duck_file: Path, warehouse) -> dict[str, dict]:
    """Every `mart_*` table of the DuckDB file against Spark's: row counts, and whether
    the rows, sorted alike, are equal value for value."""
    import duckdb

    found: dict[str, dict] = {}
    duck = duckdb.connect(str(duck_file), read_only=True)
    try:
        names = [
            name
            for (name,) in duck.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' "
                "and table_name like 'mart%' order by 1"
            ).fetchall()
        ]
        with warehouse.connect() as con:
            for name in names:
                columns = [
                    column
                    for (column,) in duck.execute(
                        "select column_name from information_schema.columns "
                        "where table_schema = 'marts' and table_name = ? "
                        "order by ordinal_position",
                        [name],
                    ).fetchall()
                ]
                listed = ", ".join(f'"{column}"' for column in columns)
                mine = duck.execute(f"select {listed} from marts.{name}").fetchall()
                theirs = con.execute(
                    f"select {', '.join(con.quote(c) for c in columns)} from marts.{name}"
                ).fetchall()
                left, right = sorted(mine, key=_sort_key), sorted(theirs, key=_sort_key)
                equal = len(left) == len(right) and all(
                    all(_same(y, x) for x, y in zip(a, b, strict=True))
                    for a, b in zip(left, right, strict=True)
                )
                found[name] = {"duckdb_rows": len(left), "spark_rows": len(right), "equal": equal}
    finally:
        duck.close()
    return found


def part_seconds(figures: dict) -> dict[str, float]:
    return {part: figures["stages"].get(part, {}).get("wall", 0.0) for part in PARTS}


def render(results: dict) -> str:
    lines: list[str] = []
    add = lines.append
    m = results["machine"]
    duck, spark = results["duckdb"], results["spark"]
    rows = sum(results["csv_rows"].values())
    add(f"## Spark beside DuckDB, scale {results['scale']} ({rows:,} input rows)")
    add("")
    add(f"- CPU: {m['cpu']}, {m['cores']} cores; RAM {m['memory']}; {m['os']}")
    add(f"- measured {m['date']}, code {results['code_version']}")
    add(f"- command: `{results['command']}`")
    cluster = results["cluster"]
    add(
        f"- the cluster: a standalone master, 2 workers of 1 core and {cluster['worker_memory']}, "
        f"executors of {cluster['executor_memory']}, the Thrift Server's driver "
        f"{cluster['driver_memory']}; started in {cluster['start_seconds']:.1f} s (not counted "
        "in the run)"
    )
    add("")
    add("| engine | wall s | CPU s: the run's processes | CPU s: the cluster | "
        "peak RSS MiB: the run's processes | peak RSS MiB: the cluster |")  # fmt: skip
    add("|---|---|---|---|---|---|")
    for label, figures, extra in (("DuckDB", duck, None), ("Spark", spark, results["cluster"])):
        measured = figures["measured"]
        cpu = measured["user_seconds"] + measured["system_seconds"]
        add(
            f"| {label} | {measured['wall_seconds']:.1f} | {cpu:.1f} | "
            f"{'-' if extra is None else format(extra['cpu_seconds'], '.1f')} | "
            f"{_mib(measured['peak_tree_rss_bytes'])} | "
            f"{'-' if extra is None else _mib(extra['peak_rss_bytes'])} |"
        )
    add("")
    add(
        "Wall seconds per part of the run (start-up: process start to the first step; "
        "finish: the last step to exit). The cluster's CPU seconds per part are in "
        "RESULTS-spark.json."
    )
    add("")
    add("| part | DuckDB | Spark | Spark / DuckDB |")
    add("|---|---|---|---|")
    duck_parts, spark_parts = part_seconds(duck), part_seconds(spark)
    for part in PARTS:
        a, b = duck_parts[part], spark_parts[part]
        ratio = f"{b / a:.1f}×" if a >= 0.05 else "-"
        add(f"| {part} | {a:.1f} | {b:.1f} | {ratio} |")
    add("")
    types = ("model", "test", "seed")
    add("dbt's own execution seconds per node type (summed over nodes; dbt runs 1 thread on "
        "DuckDB, 4 on Spark):")  # fmt: skip
    add("")
    add("| node type | DuckDB | Spark |")
    add("|---|---|---|")
    for kind in types:
        add(
            f"| {kind} | {duck['dbt_node_types'].get(kind, 0.0):.1f} | "
            f"{spark['dbt_node_types'].get(kind, 0.0):.1f} |"
        )
    add("")
    compared = results["marts_compared"]
    differing = [name for name, figures in compared.items() if not figures["equal"]]
    add(
        f"Marts compared, DuckDB against Spark: {len(compared)} `mart_*` tables, "
        + ("every row equal." if not differing else f"DIFFERENT: {', '.join(differing)}.")
    )
    add("")
    add("| mart | rows |")
    add("|---|---|")
    for name, figures in compared.items():
        same = figures["duckdb_rows"] == figures["spark_rows"]
        shown = (
            figures["duckdb_rows"]
            if same
            else f"{figures['duckdb_rows']} / {figures['spark_rows']}"
        )
        add(f"| {name} | {shown:,} |" if same else f"| {name} | {shown} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from foundation.warehouse import resolve_warehouse
    from roi import spark_cluster

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=DEFAULT_SCALE)
    parser.add_argument("--out", default=str(REPO / "bench" / "RESULTS.md"))
    parser.add_argument("--work", help="folder for the drop, warehouses and cluster")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args(argv)
    os.environ.pop("DAGSTER_HOME", None)
    work = Path(args.work or tempfile.mkdtemp(prefix="roi-bench-spark-")).resolve()
    logs = work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    out = Path(args.out).resolve()
    say(f"work folder {work}; results to {out}")
    parse_manifest()
    drop = work / f"drop-{args.scale}"
    say(f"scale {args.scale}: generating")
    measure(roi("generate", "--out", str(drop), "--scale", str(args.scale)), child_env(),
            logs / "generate.log")  # fmt: skip
    rows = csv_rows(drop)
    total = sum(rows.values())
    say(f"scale {args.scale}: DuckDB run ({total:,} rows)")
    duck_file = work / "duckdb" / "roi.duckdb"
    duck = run_pipeline("run-duckdb", drop, duck_file, total, logs)
    say(f"DuckDB run took {duck.measured.wall_seconds:.1f} s")

    settings = cluster_settings(work / "spark")
    say(f"starting the Spark cluster in {settings.home}")
    started = time.time()
    spark_cluster.start(settings, say=lambda message: say(f"  {message}"))
    start_seconds = time.time() - started
    try:
        env = spark_env(settings, work)
        os.environ.update(env)
        warehouse = resolve_warehouse("spark")
        say(f"scale {args.scale}: Spark run")
        with ClusterSampler(settings) as sampler:
            spark = run_pipeline(
                "run-spark", drop, warehouse, total, logs,
                target=["--target", "spark"], env={**child_env(), **env},
            )  # fmt: skip
        say(f"Spark run took {spark.measured.wall_seconds:.1f} s")
        spark_figures = _figures(spark)
        for part, spans in spark.intervals().items():
            spark_figures["stages"][part]["cluster_cpu"] = sum(
                sampler.cpu_between(start, end) for start, end in spans
            )
        say("comparing the marts")
        compared = compare_marts(duck_file, warehouse)
    finally:
        spark_cluster.stop(settings, say=lambda message: say(f"  {message}"))
    results = {
        "machine": machine(),
        "code_version": subprocess.run(
            ["git", "-C", str(REPO), "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
        ).stdout.strip(),  # fmt: skip
        # what sets the figures (--work, --out and --keep do not)
        "command": f"python bench/spark.py --scale {args.scale}",
        "scale": args.scale,
        "csv_rows": rows,
        "duckdb": _figures(duck),
        "spark": spark_figures,
        "cluster": {
            "start_seconds": start_seconds,
            "cpu_seconds": sampler.cpu_seconds,
            "peak_rss_bytes": sampler.peak,
            "worker_memory": settings.worker_memory,
            "executor_memory": settings.executor_memory,
            "driver_memory": settings.driver_memory,
        },
        "marts_compared": compared,
    }
    write_results(out, render(results), BEGIN_MARK, END_MARK)
    out.with_name("RESULTS-spark.json").write_text(json.dumps(results, indent=1, default=str))
    say(f"wrote {out} and {out.with_name('RESULTS-spark.json')}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if all(figures["equal"] for figures in compared.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
