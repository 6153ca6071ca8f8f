"""What roi writes is its user's alone: 0700 folders and 0600 files for the run state
(dlt, dbt, Dagster's event logs), reports and Dagster homes; a warning when dlt's
secrets.toml is open to other users."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import dagster as dg
import pytest

from foundation.private import exposed_secrets_warnings
from foundation.settings import REPO_ROOT, state_dir
from orchestration.resources import WarehouseResource
from roi.cli import main


def not_private(*roots: Path) -> dict[str, str]:
    """Every folder and file under `roots` (themselves included) that anyone but its owner
    can use, with its mode."""
    found = {}
    for root in roots:
        for path in [root, *root.rglob("*")]:
            mode = stat.S_IMODE(path.lstat().st_mode)
            if path.is_symlink():
                continue
            expected = 0o700 if path.is_dir() else 0o600
            if mode != expected:
                found[str(path)] = oct(mode)
    return found


def test_a_roi_run_leaves_its_state_reports_and_warehouse_private(small_drop_published):
    # The shared run went through `roi run` (roi.cli.main), as a user's run does.
    warehouse = small_drop_published.warehouse
    reports = warehouse.parent / "reports"
    assert small_drop_published.reports
    assert all(Path(report).parent == reports for report in small_drop_published.reports)
    written = [state_dir(warehouse), reports, warehouse]
    assert (state_dir(warehouse) / "dagster" / "history").is_dir()  # Dagster's event logs
    assert (state_dir(warehouse) / "dlt").is_dir()  # dlt's pipelines, traces and packages

    assert not_private(*written) == {}


@pytest.fixture
def dlt_project(tmp_path, monkeypatch) -> Path:
    """dlt reading its settings from a project folder of the test's own."""
    project = tmp_path / "project"
    (project / ".dlt").mkdir(parents=True)
    monkeypatch.setenv("DLT_PROJECT_DIR", str(project))
    return project


def test_a_secrets_file_others_can_read_is_named_with_its_fix(dlt_project):
    secrets = dlt_project / ".dlt" / "secrets.toml"
    secrets.write_text('[sources.meta_ads]\naccess_token = "t"\n', encoding="utf-8")
    secrets.chmod(0o640)
    assert [w for w in exposed_secrets_warnings() if str(dlt_project) in w] == [
        f"warning: {secrets} holds credentials and other users can open it (mode 0640): "
        f"chmod 600 {secrets}"
    ]
    secrets.chmod(0o600)
    assert [w for w in exposed_secrets_warnings() if str(dlt_project) in w] == []


def test_every_run_tightens_its_state_folder_and_warns_of_open_secrets(
    dlt_project, tmp_path, capsys
):
    # GIVEN a state folder an earlier version left readable by everyone, and open secrets
    warehouse = tmp_path / "warehouse" / "roi.duckdb"
    old_state = state_dir(warehouse)
    (old_state / "dlt").mkdir(parents=True, mode=0o755)
    old_state.chmod(0o755)
    secrets = dlt_project / ".dlt" / "secrets.toml"
    secrets.write_text("", encoding="utf-8")
    secrets.chmod(0o644)
    # WHEN a run (launched by roi, the daemon or the webserver) sets up its warehouse
    resource = WarehouseResource(path=str(warehouse), reporting_currency="usd")
    resource.setup_for_execution(dg.build_init_resource_context())
    resource.teardown_after_execution(dg.build_init_resource_context())

    # THEN the state folder is the user's only, and the run says which file to fix, how
    assert oct(stat.S_IMODE(old_state.stat().st_mode)) == oct(0o700)
    warning = (
        f"warning: {secrets} holds credentials and other users can open it (mode 0644): "
        f"chmod 600 {secrets}"
    )
    # roi's one line (Dagster's log of the run has it too)
    said = [line for line in capsys.readouterr().err.splitlines() if line.startswith("[roi ")]
    assert [line.split("] ", 1)[1] for line in said] == [warning]


def test_roi_dagster_home_is_private(tmp_path, capsys):
    # GIVEN a Dagster home an earlier version wrote readable by everyone
    home = tmp_path / "dagster_home"
    home.mkdir()
    home.chmod(0o755)
    previous = os.umask(0o022)
    try:
        assert main(["dagster-home", str(home)]) == 0
        assert os.umask(0o022) == 0o022  # roi gave the umask back
    finally:
        os.umask(previous)

    assert not_private(home) == {}
    assert (home / "dagster.yaml").is_file()


def test_make_dev_starts_dagster_with_a_private_umask():
    # `dagster dev` is started by make, not by roi: its recipe sets the umask in the same
    # shell, so the webserver, the daemon and the runs they launch inherit it
    recipe = subprocess.run(
        ["make", "-n", "dev"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    ).stdout
    one_shell_per_line = recipe.replace("\\\n", "")
    starts_dagster = [line for line in one_shell_per_line.splitlines() if "dagster dev" in line]
    assert len(starts_dagster) == 1
    assert starts_dagster[0].startswith("umask 077; ")
