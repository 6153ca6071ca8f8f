"""Importing the project's code changes nothing in the process (issue 16): no dbt parse, no
temporary folders, no atexit hooks, no os.environ writes, no log record factory. Only the
code location (orchestration.code_location) builds something when imported: that is its job.
The settings reach the definitions as one object (foundation.config.Settings), and what a
program that loads data must set up it sets up by calling ingestion.configure_runtime()."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
PACKAGES = (
    "foundation",
    "ingestion",
    "expectations",
    "reporting",
    "simulation",
    "orchestration",
    "roi",
)
BUILDS_ON_IMPORT = {"orchestration.code_location"}

SCRIPT = r"""
import atexit, importlib, inspect, json, logging, os, pkgutil, subprocess, sys
from pathlib import Path

repo, packages, skipped = Path(sys.argv[1]), sys.argv[2].split(","), set(sys.argv[3].split(","))
venv = Path(sys.prefix).resolve()

def ours(filename):
    path = Path(filename).resolve()
    return path.is_relative_to(repo) and not path.is_relative_to(venv)

# atexit hooks registered from the project's own code (whichever function they name)
hooks = []
real_register = atexit.register
def register(func, *args, **kwargs):
    caller = inspect.currentframe().f_back
    if ours(caller.f_code.co_filename):
        hooks.append(f"{caller.f_code.co_filename}:{caller.f_lineno} {func!r}")
    return real_register(func, *args, **kwargs)
atexit.register = register

# every process started (a library may ask `file` about the interpreter: only dbt counts)
started = []
real_init = subprocess.Popen.__init__
def popen_init(self, args, *rest, **kwargs):
    started.append(str(args))
    return real_init(self, args, *rest, **kwargs)
subprocess.Popen.__init__ = popen_init

environ = dict(os.environ)
factory = logging.getLogRecordFactory()
manifest = repo / "dbt_project" / "target" / "manifest.json"
manifest_mtime = manifest.stat().st_mtime_ns if manifest.exists() else None

imported = []
for name in packages:
    package = importlib.import_module(name)
    imported.append(name)
    for module in pkgutil.walk_packages(package.__path__, name + "."):
        if module.name not in skipped:
            importlib.import_module(module.name)
            imported.append(module.name)

print(json.dumps({
    "imported": imported,
    "environ_added": sorted(set(os.environ) - set(environ)),
    "environ_changed": sorted(k for k in environ if os.environ.get(k) != environ[k]),
    "atexit_hooks": hooks,
    "processes": started,
    "log_record_factory_replaced": logging.getLogRecordFactory() is not factory,
    "manifest_rewritten": (manifest.stat().st_mtime_ns if manifest.exists() else None)
    != manifest_mtime,
}))
"""


def test_importing_every_module_changes_nothing_in_the_process(tmp_path):
    # GIVEN a fresh process whose temporary folder is an empty folder of the test's
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ROI_", "RUNTIME__", "DLT_"))}
    env |= {"TMPDIR": str(scratch), "PYTHONPATH": str(REPO_ROOT)}
    # WHEN it imports every module of every package (but the code location)
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(REPO_ROOT), ",".join(PACKAGES)]
        + [",".join(BUILDS_ON_IMPORT)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-5000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])

    # THEN every module was imported ...
    assert {
        "orchestration.definitions",
        "orchestration.dbt_assets",
        "roi.runner",
        "simulation.engine",
    } <= set(seen["imported"])
    assert "orchestration.ingestion_assets" in seen["imported"]
    # ... and none of them changed the process or left anything behind
    assert seen["environ_added"] == []
    assert seen["environ_changed"] == []
    assert seen["atexit_hooks"] == []
    assert [command for command in seen["processes"] if "dbt" in command] == []
    assert not seen["manifest_rewritten"]
    assert not seen["log_record_factory_replaced"]
    assert list(scratch.iterdir()) == []


def test_configure_runtime_is_what_sets_up_a_loading_process(tmp_path):
    script = """
import json, logging, os
import ingestion
factory = logging.getLogRecordFactory()
before = "RUNTIME__INTERCEPT_SIGNALS" in os.environ
ingestion.configure_runtime()
ingestion.configure_runtime()  # idempotent
print(json.dumps([before, os.environ.get("RUNTIME__INTERCEPT_SIGNALS"),
                  os.environ.get("RUNTIME__LOG_LEVEL"),
                  logging.getLogRecordFactory() is not factory]))
"""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RUNTIME__", "DLT_"))}
    env |= {"RUNTIME__LOG_LEVEL": "INFO", "PYTHONPATH": str(REPO_ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-3000:]
    # dlt's defaults where the environment sets nothing, the environment's value otherwise,
    # and the log redaction installed
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [False, "false", "INFO", True]
