"""What roi writes is its user's alone: run state, Dagster's storage, dlt's traces, reports
and exports hold the company's figures (and dlt's traces the sources' settings).

The `roi` command runs with umask 077 (`private_umask`, set in roi.cli.main, and in
`make dev` for Dagster's webserver and daemon), so every file that it and its children (dbt,
dlt, Dagster) create is 0600 and every folder 0700. Folders roi owns (the run state folder,
the default reports folder, a Dagster home, an export folder) are also tightened when used,
because earlier versions created them readable by everyone. The umask is set by entry
points only: a module that changed it on import would change it for whoever imports it.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PRIVATE_UMASK = 0o077
_OTHERS = 0o077  # the group's and everyone else's permission bits


@contextmanager
def private_umask() -> Iterator[None]:
    """Files and folders created inside are the user's only (0600 / 0700); the previous
    umask comes back afterwards, for callers that go on (tests calling roi.cli.main)."""
    previous = os.umask(PRIVATE_UMASK)
    try:
        yield
    finally:
        os.umask(previous)


def make_private(folder: Path) -> Path:
    """Create `folder` as 0700, or take the group's and others' access away from it: what
    is inside can then be reached by its owner only, whatever the modes of its files."""
    folder = Path(folder)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    mode = stat.S_IMODE(folder.stat().st_mode)
    if mode & _OTHERS:
        folder.chmod(mode & ~_OTHERS)
    return folder


def create_private(folder: Path) -> Path:
    """Create `folder` as 0700 if it is missing; a folder the user already has is left as
    it is (it may be shared on purpose): what roi writes into it is made private instead."""
    folder = Path(folder)
    if not folder.is_dir():
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def make_file_private(path: Path) -> Path:
    path = Path(path)
    path.chmod(stat.S_IMODE(path.stat().st_mode) & ~_OTHERS)
    return path


def dlt_secrets_files() -> list[Path]:
    """The secrets.toml files dlt reads: the project's `.dlt/` and the global dlt folder."""
    import dlt

    context = dlt.current.run_context()
    folders = dict.fromkeys([Path(context.settings_dir), Path(context.global_dir)])
    return [folder / "secrets.toml" for folder in folders]


def exposed_secrets_warnings() -> list[str]:
    """One line per dlt secrets file that other users can read, with the command that
    fixes it."""
    warnings = []
    for path in dlt_secrets_files():
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except OSError:
            continue  # no such file: the settings come from the environment
        if mode & _OTHERS:
            warnings.append(
                f"warning: {path} holds credentials and other users can open it (mode "
                f"{mode:04o}): chmod 600 {path}"
            )
    return warnings
