"""Waiting for a writer lock: the file lock of foundation.lock and PostgreSQL's advisory
lock (foundation.warehouse) both poll their lock this way and give up the same way."""

from __future__ import annotations

import time
from collections.abc import Callable

from .errors import RoiError

POLL_SECONDS = 0.5
# Say again that the run still waits this often.
REPEAT_SECONDS = 60.0


class WarehouseBusy(RoiError):
    """Another run held the warehouse for longer than this run would wait."""


def wait_for_lock(
    try_lock: Callable[[], bool],
    holder: Callable[[], str],
    warehouse,
    timeout: float,
    on_wait: Callable[[str], None] | None,
) -> None:
    """Call `try_lock` until it succeeds, saying whom the run waits for every minute; give
    up with WarehouseBusy after `timeout` seconds. Shared by the file lock and PostgreSQL's
    advisory lock (foundation.warehouse)."""
    started = time.monotonic()
    next_notice = started
    while not try_lock():
        now = time.monotonic()
        if now - started >= timeout:
            raise WarehouseBusy(
                f"warehouse {warehouse} is in use by {holder()}; gave up after "
                f"waiting {timeout:.0f} s (ROI_LOCK_TIMEOUT_SECONDS). Run again when it has "
                "finished; nothing was written by this run."
            )
        if on_wait is not None and now >= next_notice:
            on_wait(
                f"warehouse {warehouse} is in use by {holder()}: waiting for it "
                f"to finish (up to {timeout:.0f} s)"
            )
            next_notice = now + REPEAT_SECONDS
        time.sleep(POLL_SECONDS)
