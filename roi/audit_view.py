"""`roi audit`: a run's checks, quarantine and loads, and a table's lineage, without Dagster."""

from __future__ import annotations

from pathlib import Path

from foundation.errors import RoiError
from foundation.warehouse import (
    Connection,
    Warehouse,
    as_warehouse,
    has_table,
    table_columns,
)

__all__ = ["audit_text", "has_table"]

SHOWN_FAILURES = 20


def audit_text(
    warehouse: Warehouse | Path, run_id: str | None = None, table: str | None = None
) -> str:
    warehouse = as_warehouse(warehouse)
    if not warehouse.exists():
        raise RoiError(f"no warehouse at {warehouse}: run `roi run` or `roi demo` first")
    with warehouse.connect(read_only=True) as con:
        if not has_table(con, "audit", "runs"):
            raise RoiError(f"{warehouse} has no audit.runs yet: no run has finished")
        lines = _run_section(con, run_id, warehouse)
        if table:
            lines += ["", *_lineage_section(con, table)]
    return "\n".join(lines)


def _run_section(con: Connection, run_id: str | None, warehouse: Warehouse) -> list[str]:
    query = (
        "select run_id, status, trigger, source, coalesce(period, '-'), started_at, "
        "finished_at, code_version, failed_steps from audit.runs "
    )
    if run_id:
        row = con.execute(query + "where run_id = ?", [run_id]).fetchone()
        if row is None:
            raise RoiError(f"no run {run_id} in audit.runs")
    else:
        row = con.execute(query + "order by started_at desc nulls last limit 1").fetchone()
    run_id, status, trigger, source, period, started, finished, version, failed_steps = row
    lines = [
        f"run {run_id}: {status.upper()}",
        f"  trigger {trigger}, source {source}, period {period}, code {version}",
        f"  started {started:%Y-%m-%d %H:%M:%S %Z}, finished {finished:%Y-%m-%d %H:%M:%S %Z}",
    ]
    if failed_steps:
        lines.append(f"  failed steps: {failed_steps}")
    if status == "rejected":
        lines += _rejection_lines(con, run_id)
    if status == "unchanged":
        # the rerun stopped after hashing its drop: what stands is the earlier run's
        (same,) = con.execute(
            "select same_as_run from audit.runs where run_id = ?", [run_id]
        ).fetchone()
        lines.append(
            f"  nothing could change since run {same} (same drop, code and settings, nothing "
            "loaded or erased since): nothing was loaded, built or published; the checks, "
            "quarantine, freshness and loads below are that run's"
        )
        run_id = same
    index = warehouse.state_dir / "docs" / run_id / "index.html"
    if index.exists():
        lines.append(f"  docs: {index} (dbt docs and Great Expectations Data Docs of this run)")

    lines += ["", "checks:"]
    for kind, total, failed in con.execute(
        "select check_kind, count(*), count(*) filter (where status = 'fail') "
        "from audit.check_results where run_id = ? group by 1 order by 1",
        [run_id],
    ).fetchall():
        lines.append(f"  {kind:32} {total:5} run, {failed:3} failed")
    failures = con.execute(
        "select severity, check_name, table_name, coalesce(observed_value, '') "
        "from audit.check_results where run_id = ? and status = 'fail' "
        "order by severity, table_name, check_name",
        [run_id],
    ).fetchall()
    lines += [
        f"  FAILED [{severity}] {name} on {table}: {observed}"
        for severity, name, table, observed in failures[:SHOWN_FAILURES]
    ]
    if len(failures) > SHOWN_FAILURES:
        lines.append(f"  ... and {len(failures) - SHOWN_FAILURES} more failures")

    lines += ["", "quarantine:"]
    if has_table(con, "audit", "quarantine"):
        counts = con.execute(
            "select reason, source_table, count(*) from audit.quarantine where run_id = ? "
            "group by 1, 2 order by 1, 2",
            [run_id],
        ).fetchall()
        lines += [f"  {n:6} {reason} in {table}" for reason, table, n in counts]
        if not counts:
            lines.append("  no rows")
    else:
        lines.append("  no rows")

    lines += ["", "source freshness:"]
    if has_table(con, "audit", "source_freshness"):
        fresh = con.execute(
            "select source_table, status, max_loaded_at, hours_since_load, warn_after "
            "from audit.source_freshness where run_id = ? order by 1",
            [run_id],
        ).fetchall()
        lines += [
            f"  {table:28} {status:6} last load {loaded:%Y-%m-%d %H:%M} UTC "
            f"({hours:.1f} h ago; warn after {warn or '-'})"
            for table, status, loaded, hours, warn in fresh
            if loaded is not None
        ]
        lines += [f"  {t:28} {s:6} never loaded" for t, s, loaded, _, _ in fresh if loaded is None]

    lines += ["", "loads:"]
    if has_table(con, "audit", "loads"):
        loads = con.execute(
            "select dataset || '.' || table_name, load_id, rows_loaded, source "
            "from audit.loads where run_id = ? order by 1",
            [run_id],
        ).fetchall()
        lines += [f"  {t:28} {rows:8} rows  load {load} ({src})" for t, load, rows, src in loads]
        if _has_column(con, "audit", "loads", "http_activity"):
            # what each live load's HTTP went through: the lines the run printed
            activity = con.execute(
                "select distinct dataset, http_activity from audit.loads "
                "where run_id = ? and http_activity is not null order by 1",
                [run_id],
            ).fetchall()
            lines += [f"  {line}" for _, text in activity for line in text.split("; ")]
    return lines


def _has_column(con: Connection, schema: str, table: str, column: str) -> bool:
    """Whether the column exists: a warehouse from before it has not got it until a run adds
    it, and `roi audit` only reads."""
    return has_table(con, schema, table) and column in table_columns(con, schema, table)


def _rejection_lines(con: Connection, run_id: str) -> list[str]:
    """The problems of a rejected drop, as audit.runs keeps them (the first 20 and the total)."""
    count, problems = con.execute(
        "select drop_problem_count, drop_problems from audit.runs where run_id = ?", [run_id]
    ).fetchone()
    listed = (problems or "").splitlines()
    lines = [f"  drop rejected: {count} problem(s); nothing was loaded"]
    lines += [f"    - {problem}" for problem in listed]
    if count > len(listed):
        lines.append(f"    ... and {count - len(listed)} more ({count} in total)")
    return lines


def _lineage_section(con: Connection, table: str) -> list[str]:
    if "." not in table:
        raise RoiError(f"--table takes schema.table, e.g. marts.mart_project_roi (got {table!r})")
    if not has_table(con, "audit", "lineage"):
        return [f"lineage of {table}: none recorded yet"]
    rows = con.execute(
        """
        select column_name, depends_on_models, source_columns, resolved_level
        from audit.lineage
        where run_id = (select run_id from audit.runs
                        where run_id in (select run_id from audit.lineage)
                        order by started_at desc nulls last limit 1)
          and (published_table = ? or mart = ?)
        order by column_name
        """,
        [table, table],
    ).fetchall()
    if not rows:
        return [f"lineage of {table}: no such mart in audit.lineage"]
    lines = [f"lineage of {table} (column <- models <- source columns):"]
    for column, models, sources, level in rows:
        lines.append(f"  {column}  [{level}]")
        lines.append(f"      models:  {models}")
        if sources:
            lines.append(f"      sources: {sources}")
    return lines
