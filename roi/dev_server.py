"""`make dev`: run `dagster dev` so that Ctrl-C and SIGTERM stop all of it within seconds.

Run as `python -m roi.dev_server [--grace SECONDS] COMMAND...` (the Makefile's `dev`).

Why it is needed: make runs a recipe through a shell. A SIGTERM to make reached that shell,
never `dagster dev`, which went on serving (port 3000 held) after make had exited; and
`dagster dev` given SIGTERM alone stops its webserver and daemon but leaves its code servers
until their heartbeat times out (45 s). A terminal's Ctrl-C stops everything because it
reaches every process of the foreground group at once. So here the command runs in a session
of its own, and a Ctrl-C or SIGTERM received here is passed on as SIGINT to all of its
processes; what still runs `--grace` seconds later (or after a second Ctrl-C) is killed.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time

STOP_GRACE_SECONDS = 10.0
POLL_SECONDS = 0.2
KILLED_WAIT_SECONDS = 2.0


def _signal_group(group: int, signum: int) -> bool:
    """Send `signum` to every process of `group`; False when none is left."""
    try:
        os.killpg(group, signum)
    except ProcessLookupError:
        return False
    return True


def supervise(command: list[str], grace_seconds: float = STOP_GRACE_SECONDS) -> int:
    """Run `command` in its own session until it and every process it started have ended.

    Returns the command's exit code, or 128 + the signal number when a signal stopped it.
    """
    process = subprocess.Popen(command, start_new_session=True)
    group = process.pid  # the session leader's pid is its process group id
    stopped_by: list[int] = []  # the signals that asked to stop
    kill_at: list[float] = []  # when whatever is left gets SIGKILL

    def begin_stop() -> None:
        if not kill_at:
            kill_at.append(time.monotonic() + grace_seconds)
            _signal_group(group, signal.SIGINT)

    def on_signal(signum: int, _frame) -> None:
        if stopped_by and signum == signal.SIGINT:  # Ctrl-C twice: no more waiting
            _signal_group(group, signal.SIGKILL)
        stopped_by.append(signum)
        begin_stop()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        returncode = None
        while True:
            if returncode is None:
                returncode = process.poll()
            if returncode is not None:
                if not _signal_group(group, 0):
                    break
                # the command ended but left processes behind (code servers): stop them too
                begin_stop()
            if kill_at and time.monotonic() > kill_at[0]:
                _signal_group(group, signal.SIGKILL)
                if time.monotonic() > kill_at[0] + KILLED_WAIT_SECONDS:
                    break  # only zombies are left, which no signal removes
            time.sleep(POLL_SECONDS)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 128 + stopped_by[0] if stopped_by else returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m roi.dev_server", description=__doc__)
    parser.add_argument("--grace", type=float, default=STOP_GRACE_SECONDS, metavar="SECONDS")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if not args.command:
        parser.error("give the command to run")
    return supervise(args.command, args.grace)


if __name__ == "__main__":
    sys.exit(main())
