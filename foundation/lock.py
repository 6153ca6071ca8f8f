"""One writer per warehouse: a run holds the warehouse's lock file from start to end.

DuckDB lets one process write a database file, and a run writes in several steps (loads,
dbt, checks, publish): two runs interleaving would mix their tables. Every run takes an
exclusive lock (`flock`) on `<state>/warehouse.lock` before its first step, whoever launched
it (`roi run`, a backfill, the schedules' daemon, the Dagster UI). A second run waits and
says which run it waits for; after `ROI_LOCK_TIMEOUT_SECONDS` (default one hour) it gives up
with an error naming the holder. The operating system drops the lock when a process dies, so
a killed run never leaves the warehouse locked. The lock is re-entrant within a process:
`roi run` holds it around the job and the audit rows it writes after, and the job's own
acquisition inside that is a no-op.

A PostgreSQL warehouse (foundation.warehouse) has its lock file in its local state folder, and a run
also takes PostgreSQL's advisory lock on the database after the file lock, so that runs on
two machines writing the same database wait for each other too.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .waiting import wait_for_lock
from .warehouse import as_warehouse

DEFAULT_TIMEOUT_SECONDS = 3600.0
# Lock files this process holds, with how many holders: flock would block on a second
# handle of the same file even in the same process.
_HELD: dict[Path, int] = {}


def lock_path(warehouse) -> Path:
    """The lock file of a warehouse (a Warehouse, or a DuckDB file's path)."""
    return as_warehouse(warehouse).state_dir / "warehouse.lock"


def lock_timeout() -> float:
    return float(os.environ.get("ROI_LOCK_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS))


def describe_holder(path: Path) -> str:
    """Who holds the lock, as written by the holder (best effort: it may be mid-write)."""
    try:
        holder = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        holder = {}
    if not holder:
        return "another run"
    return (
        f"run {holder.get('run_id', '?')} (pid {holder.get('pid', '?')} on "
        f"{holder.get('host', '?')}, since {holder.get('since', '?')})"
    )


@contextmanager
def warehouse_lock(
    warehouse,
    run_id: str,
    timeout: float | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Hold the warehouse's write lock; wait up to `timeout` seconds for another run.

    `warehouse` is a Warehouse or a DuckDB file's path. `on_wait` receives the message saying
    what this run waits for (at once, then every minute). Raises WarehouseBusy when the wait
    times out.
    """
    warehouse = as_warehouse(warehouse)
    timeout = lock_timeout() if timeout is None else timeout
    path = lock_path(warehouse).resolve()
    if _HELD.get(path):
        _HELD[path] += 1
        try:
            yield
        finally:
            _HELD[path] -= 1
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a+", encoding="utf-8")
    try:
        started = time.monotonic()
        _acquire(handle, path, warehouse, timeout, on_wait)
        handle.seek(0)
        handle.truncate()
        handle.write(
            json.dumps(
                {
                    "run_id": run_id,
                    "pid": os.getpid(),
                    "host": socket.gethostname(),
                    "since": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                }
            )
        )
        handle.flush()
        _HELD[path] = 1
        try:
            remaining = max(0.0, timeout - (time.monotonic() - started))
            with warehouse.writer_lock(run_id, remaining, on_wait):
                yield
        finally:
            del _HELD[path]
            handle.seek(0)
            handle.truncate()
            handle.flush()
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        handle.close()


def _acquire(handle, path: Path, warehouse, timeout: float, on_wait) -> None:
    def try_lock() -> bool:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False

    wait_for_lock(try_lock, lambda: describe_holder(path), warehouse, timeout, on_wait)
