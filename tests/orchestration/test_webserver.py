"""The Dagster webserver (`make dev`) serves the deployment: asset graph, schedules, checks, job.

One `dagster-webserver` is started for the module, on a free port with its own DAGSTER_HOME
and warehouse file; every assertion goes through its GraphQL API and is compared with the
Definitions object loaded in this process, so the UI shows exactly what the code defines.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT_S = 90
STOP_TIMEOUT_S = 20
GROUP_EXIT_GRACE_S = 5
STDERR_TAIL_CHARS = 4000

WORKSPACE_QUERY = """
query Workspace {
  workspaceOrError {
    __typename
    ... on Workspace {
      locationEntries {
        name
        loadStatus
        locationOrLoadError {
          __typename
          ... on PythonError { message stack }
        }
      }
    }
    ... on PythonError { message }
  }
}
"""

REPOSITORIES_QUERY = """
query Repositories {
  repositoriesOrError {
    __typename
    ... on RepositoryConnection {
      nodes {
        name
        location { name }
        jobs { name }
        sensors { name sensorType defaultStatus }
        schedules {
          name
          cronSchedule
          executionTimezone
          pipelineName
          defaultStatus
          scheduleState { status }
        }
      }
    }
    ... on PythonError { message }
  }
}
"""

ASSET_NODES_QUERY = """
query AssetNodes {
  assetNodes {
    assetKey { path }
    groupName
    jobNames
    dependencyKeys { path }
    assetChecksOrError {
      __typename
      ... on AssetChecks { checks { name blocking assetKey { path } } }
      ... on AssetCheckNeedsMigrationError { message }
    }
  }
}
"""


class WebserverExited(Exception):
    pass


@dataclass(frozen=True)
class Webserver:
    url: str
    process: subprocess.Popen
    stderr_path: Path

    def stderr_tail(self) -> str:
        text = self.stderr_path.read_text(errors="replace") if self.stderr_path.exists() else ""
        return text[-STDERR_TAIL_CHARS:]

    def graphql(self, query: str, variables: dict | None = None) -> dict:
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        request = urllib.request.Request(
            f"{self.url}/graphql", data=body, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            payload = json.load(response)
        assert not payload.get("errors"), payload["errors"]
        return payload["data"]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stop(process: subprocess.Popen) -> None:
    """Stop the webserver and its code server: they share the process group started here."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=STOP_TIMEOUT_S)
    # Give the code server a moment to shut down on its own, then kill what is left.
    deadline = time.monotonic() + GROUP_EXIT_GRACE_S
    with contextlib.suppress(ProcessLookupError):
        while time.monotonic() < deadline:
            os.killpg(process.pid, 0)  # raises once no process of the group is left
            time.sleep(0.1)
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=STOP_TIMEOUT_S)


def _locations_loaded(server: Webserver) -> bool:
    """True once every code location has loaded; fails the test on a load error."""
    workspace = server.graphql(WORKSPACE_QUERY)["workspaceOrError"]
    assert workspace["__typename"] == "Workspace", workspace
    entries = workspace["locationEntries"]
    if not entries or any(entry["loadStatus"] != "LOADED" for entry in entries):
        return False
    for entry in entries:
        location = entry["locationOrLoadError"]
        if location["__typename"] == "PythonError":
            pytest.fail(
                f"code location {entry['name']} failed to load: {location['message']}\n"
                + "".join(location["stack"])
                + f"\nstderr tail:\n{server.stderr_tail()}"
            )
    return True


def _wait_until_ready(server: Webserver) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise WebserverExited(f"exited with code {server.process.returncode}")
        try:
            with urllib.request.urlopen(f"{server.url}/server_info", timeout=2) as response:
                ready = response.status == 200 and _locations_loaded(server)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            ready = False
        if ready:
            return
        time.sleep(0.25)
    raise WebserverExited(f"not ready after {STARTUP_TIMEOUT_S}s")


@pytest.fixture(scope="module")
def defs():
    # Building the definitions parses the dbt manifest if needed, before the webserver
    # (which loads the code location, which builds the same) starts: the two never race to
    # write it.
    from foundation.config import Settings
    from orchestration.definitions import build_definitions

    return build_definitions(Settings.from_environment())


@pytest.fixture(scope="module")
def webserver(defs, tmp_path_factory) -> Iterator[Webserver]:
    home = tmp_path_factory.mktemp("dagster_home")
    shutil.copyfile(REPO_ROOT / "dagster.yaml", home / "dagster.yaml")
    warehouse = tmp_path_factory.mktemp("warehouse") / "warehouse.duckdb"
    pythonpath = os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")]))
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "ROI_WAREHOUSE": str(warehouse),
        # the code server imports this checkout, whichever copy is installed in the venv
        "PYTHONPATH": pythonpath,
    }
    port = _free_port()
    executable = Path(sys.executable).parent / "dagster-webserver"
    stderr_path = home / "webserver.stderr.log"
    with (home / "webserver.stdout.log").open("wb") as stdout, stderr_path.open("wb") as stderr:
        process = subprocess.Popen(
            [str(executable), "-m", "orchestration.code_location", "-h", "127.0.0.1",
             "-p", str(port)],
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,  # its own process group, so teardown reaches the children
        )  # fmt: skip
    server = Webserver(url=f"http://127.0.0.1:{port}", process=process, stderr_path=stderr_path)
    try:
        try:
            _wait_until_ready(server)
        except WebserverExited as error:
            pytest.fail(f"dagster-webserver {error}; stderr tail:\n{server.stderr_tail()}")
        yield server
    finally:
        _stop(process)


@pytest.fixture(scope="module")
def repository(webserver) -> dict:
    result = webserver.graphql(REPOSITORIES_QUERY)["repositoriesOrError"]
    assert result["__typename"] == "RepositoryConnection", result
    (repo,) = result["nodes"]  # one Definitions object: one repository
    assert repo["location"]["name"] == "orchestration.code_location"
    return repo


@pytest.fixture(scope="module")
def asset_nodes(webserver) -> dict[tuple[str, ...], dict]:
    nodes = webserver.graphql(ASSET_NODES_QUERY)["assetNodes"]
    return {tuple(node["assetKey"]["path"]): node for node in nodes}


def _path(key) -> tuple[str, ...]:
    return tuple(key.path)


def _ancestors(asset_nodes: dict[tuple[str, ...], dict], key: tuple[str, ...]) -> set:
    seen: set[tuple[str, ...]] = set()
    pending = [key]
    while pending:
        for dep in asset_nodes[pending.pop()]["dependencyKeys"]:
            parent = tuple(dep["path"])
            if parent not in seen:
                seen.add(parent)
                pending.append(parent)
    return seen


def test_asset_graph_matches_the_definitions(defs, asset_nodes):
    from ingestion.raw_tables import RAW_TABLES
    from orchestration.audit_assets import QUARANTINE_KEY, run_docs, source_freshness
    from orchestration.dbt_assets import manifest_path, mart_model_names
    from orchestration.ingestion_assets import FILE_DROP_KEY
    from orchestration.publish import CANDIDATE_SCHEMA, PUBLISHED_SCHEMA

    MART_NAMES = mart_model_names()

    graph = defs.resolve_asset_graph()
    served = set(asset_nodes)
    assert served == {_path(key) for key in graph.get_all_asset_keys()}

    # the keys the code itself names: every raw table, dbt model and seed, audit and publish
    manifest = json.loads(manifest_path().read_text())
    dbt_keys = {
        (node["schema"], node["name"])
        for node in manifest["nodes"].values()
        if node["resource_type"] in ("model", "seed")
    }
    assert dbt_keys and MART_NAMES
    expected = {
        _path(FILE_DROP_KEY),
        *RAW_TABLES,
        *dbt_keys,
        _path(QUARANTINE_KEY),
        ("audit", "lineage"),
        _path(source_freshness.key),
        _path(run_docs.key),
        *((CANDIDATE_SCHEMA, name) for name in MART_NAMES),
        *((PUBLISHED_SCHEMA, name) for name in MART_NAMES),
    }
    assert expected <= served, sorted(expected - served)
    # ...and a few literally, so the test cannot pass on empty constants
    literal = {
        ("file_drop",),
        ("raw_crm", "orders"),
        ("raw_ads", "ad_spend"),
        ("raw_fx", "rates"),
        ("raw_erp", "costs"),
        ("staging", "stg_crm__orders"),
        ("intermediate", "int_quarantine"),
        ("marts_candidate", "mart_project_roi"),
        ("audit", "quarantine"),
        ("audit", "lineage"),
        ("marts", "mart_project_roi"),
    }
    assert literal <= served, sorted(literal - served)

    # the same edges and groups as in this process
    for key in graph.get_all_asset_keys():
        node = asset_nodes[_path(key)]
        served_deps = {tuple(dep["path"]) for dep in node["dependencyKeys"]}
        assert served_deps == {_path(parent) for parent in graph.get(key).parent_keys}, key
        assert node["groupName"] == graph.get(key).group_name, key

    # ingestion -> staging -> intermediate -> marts_candidate -> checks -> publish
    for dataset, table in RAW_TABLES:
        assert asset_nodes[(dataset, table)]["dependencyKeys"] == [{"path": ["file_drop"]}]
    upstream_of_roi = _ancestors(asset_nodes, ("marts_candidate", "mart_project_roi"))
    assert {
        ("file_drop",),
        ("raw_crm", "orders"),
        ("staging", "stg_crm__orders"),
        ("staging", "stg_ads__ad_spend"),
        ("intermediate", "int_project_periods_spined"),
    } <= upstream_of_roi
    assert {key for key in upstream_of_roi if key[0] == "staging"}
    published_deps = {
        tuple(dep["path"]) for dep in asset_nodes[("marts", "mart_project_roi")]["dependencyKeys"]
    }
    assert published_deps == {("marts_candidate", "mart_project_roi"), ("audit", "quarantine")}
    assert ("intermediate", "int_quarantine") in _ancestors(asset_nodes, ("audit", "quarantine"))


def test_schedules_match_the_definitions_and_start_stopped(defs, repository):
    import dagster as dg

    served = {schedule["name"]: schedule for schedule in repository["schedules"]}
    served_jobs = {job["name"] for job in repository["jobs"]}
    assert {"weekly_review", "monthly_review", "quarterly_review"} <= set(served)

    in_process = [defs.resolve_schedule_def(schedule.name) for schedule in defs.schedules]
    assert set(served) == {schedule.name for schedule in in_process}
    for schedule in in_process:
        shown = served[schedule.name]
        assert shown["cronSchedule"] == str(schedule.cron_schedule), schedule.name
        # the webserver shows UTC for a schedule without a timezone
        assert shown["executionTimezone"] == (schedule.execution_timezone or "UTC")
        assert shown["pipelineName"] == schedule.job_name
        assert shown["pipelineName"] in served_jobs, schedule.name
        assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED
        assert shown["defaultStatus"] == "STOPPED", schedule.name
        assert shown["scheduleState"]["status"] == "STOPPED", schedule.name


def test_asset_checks_match_the_definitions(defs, asset_nodes):
    from expectations.suites import SUITES
    from orchestration.audit_assets import QUARANTINE_KEY, QUARANTINE_RULES

    served: dict[tuple[tuple[str, ...], str], bool] = {}
    for key, node in asset_nodes.items():
        checks = node["assetChecksOrError"]
        assert checks["__typename"] == "AssetChecks", checks
        for check in checks["checks"]:
            assert tuple(check["assetKey"]["path"]) == key
            served[(key, check["name"])] = check["blocking"]

    graph = defs.resolve_asset_graph()
    in_process = {
        (_path(check_key.asset_key), check_key.name): graph.get_check_spec(check_key).blocking
        for check_key in graph.asset_check_keys
    }
    assert in_process
    assert served == in_process

    quarantine = _path(QUARANTINE_KEY)
    for name in ("fx_coverage", "orders_have_known_accounts", "ad_spend_mapped_to_projects"):
        assert served[(quarantine, name)] is True, name  # blocking
    assert {(quarantine, rule.check_name) for rule in QUARANTINE_RULES} <= set(served)
    suites = {(tuple(suite.table.split(".")), suite.name) for suite in SUITES}
    assert suites and all(served.get(suite) is True for suite in suites), suites - set(served)
    assert served[(("marts_candidate", "mart_project_roi"), "great_expectations_suite")]
    assert served[(("raw_crm", "orders"), "great_expectations_suite")]


def test_pipeline_job_is_served(defs, repository, asset_nodes):
    served_jobs = {job["name"] for job in repository["jobs"]}
    assert {"roi_pipeline", "roi_weekly", "roi_monthly", "roi_quarterly"} <= served_jobs
    assert served_jobs == {job.name for job in defs.resolve_all_job_defs()}
    in_job = {key for key, node in asset_nodes.items() if "roi_pipeline" in node["jobNames"]}
    selected = defs.resolve_job_def("roi_pipeline").asset_layer.selected_asset_keys
    assert in_job == {_path(key) for key in selected}


PARTITION_KEYS_QUERY = """
query PartitionKeys($selector: PipelineSelector!) {
  pipelineOrError(params: $selector) {
    __typename
    ... on Pipeline { partitionKeysOrError(limit: 3) { partitionKeys } }
    ... on PythonError { message }
  }
}
"""


def test_review_jobs_are_partitioned_by_period_and_alert_sensors_run(webserver, repository):
    keys = {}
    for name in ("roi_weekly", "roi_monthly", "roi_quarterly"):
        selector = {
            "pipelineName": name,
            "repositoryName": repository["name"],
            "repositoryLocationName": repository["location"]["name"],
        }
        job = webserver.graphql(PARTITION_KEYS_QUERY, {"selector": selector})["pipelineOrError"]
        keys[name] = job["partitionKeysOrError"]["partitionKeys"]
    # ROI_PARTITIONS_START is 2024-01-01, a Monday: whole ISO weeks, months, quarters
    assert keys["roi_weekly"][:2] == ["2024-01-01", "2024-01-08"]
    assert keys["roi_monthly"][:3] == ["2024-01-01", "2024-02-01", "2024-03-01"]
    assert keys["roi_quarterly"][:3] == ["2024-01-01", "2024-04-01", "2024-07-01"]
    sensors = {
        sensor["name"]: (sensor["sensorType"], sensor["defaultStatus"])
        for sensor in repository["sensors"]
    }
    assert sensors == {
        "alert_failed_runs": ("RUN_STATUS", "RUNNING"),
        "alert_blocking_checks": ("RUN_STATUS", "RUNNING"),
        "audit_successful_runs": ("RUN_STATUS", "RUNNING"),
    }
