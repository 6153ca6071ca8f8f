"""`make dev`'s supervisor (roi.dev_server): Ctrl-C or SIGTERM reaches every process the
command started, and what does not stop in time is killed.

A stand-in for `dagster dev` (a parent that starts a child, as it starts its webserver,
daemon and code servers) keeps the test fast; the real `make dev` was timed by hand
(README, "Operating Dagster").
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

# A parent that starts a child; each writes "<name> started" to its own file, then
# "<name> got SIGINT" when Ctrl-C reaches it, and ends. Both ignore SIGTERM, as `dagster dev`'s
# code servers do not stop on it (IGNORE_SIGINT=1: they ignore Ctrl-C as well).
STAND_IN = textwrap.dedent(
    """
    import os, signal, subprocess, sys, time
    name, folder = sys.argv[1], sys.argv[2]
    def write(text):
        with open(os.path.join(folder, name), "a") as out:
            out.write(text + "\\n")
    def on_sigint(signum, frame):
        write(name + " got SIGINT")
        sys.exit(0)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    ignore = os.environ.get("IGNORE_SIGINT") == "1"
    signal.signal(signal.SIGINT, signal.SIG_IGN if ignore else on_sigint)
    if name == "parent":
        subprocess.Popen([sys.executable, __file__, "child", folder])
    write(name + " started")
    while True:
        time.sleep(0.1)
    """
)


def start(tmp_path: Path, *options: str, ignore_sigint: bool = False) -> subprocess.Popen:
    script = tmp_path / "stand_in.py"
    script.write_text(STAND_IN, encoding="utf-8")
    env = {**os.environ, "IGNORE_SIGINT": "1" if ignore_sigint else "0"}
    supervisor = subprocess.Popen(
        [sys.executable, "-m", "roi.dev_server", *options, sys.executable, str(script)]
        + ["parent", str(tmp_path)],
        env=env,
    )
    deadline = time.monotonic() + 30
    while not all((tmp_path / name).exists() for name in ("parent", "child")):
        assert time.monotonic() < deadline, "the stand-in did not start"
        time.sleep(0.1)
    return supervisor


def alive(pattern: str) -> list[str]:
    return subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True).stdout.split()


def test_sigterm_stops_the_command_and_what_it_started(tmp_path):
    supervisor = start(tmp_path)
    # WHEN make passes on a SIGTERM
    began = time.monotonic()
    supervisor.send_signal(signal.SIGTERM)
    # THEN both the command and its child got a Ctrl-C and ended, and so did the supervisor
    assert supervisor.wait(timeout=20) == 128 + signal.SIGTERM
    assert time.monotonic() - began < 5
    for name in ("parent", "child"):
        assert (tmp_path / name).read_text() == f"{name} started\n{name} got SIGINT\n"
    assert alive(str(tmp_path / "stand_in.py")) == []


def test_what_ignores_ctrl_c_is_killed_after_the_grace_period(tmp_path):
    supervisor = start(tmp_path, "--grace", "1", ignore_sigint=True)
    # WHEN Ctrl-C reaches the supervisor but neither process heeds it
    began = time.monotonic()
    supervisor.send_signal(signal.SIGINT)
    # THEN both are killed once the grace second is over, and the supervisor ends
    assert supervisor.wait(timeout=20) == 128 + signal.SIGINT
    assert 1 <= time.monotonic() - began < 5
    for name in ("parent", "child"):
        assert (tmp_path / name).read_text() == f"{name} started\n"
    assert alive(str(tmp_path / "stand_in.py")) == []
