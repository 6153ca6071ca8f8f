"""The packages import only downward and no package's modules import each other in a cycle
(README "Architecture"; the contracts are `[tool.importlinter]` in pyproject.toml, which
`make lint` checks too)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(root: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )


def test_every_import_contract_is_kept():
    result = lint_imports(REPO_ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Each package imports only the packages below it KEPT" in result.stdout
    assert "No import cycle between the modules of a package KEPT" in result.stdout


def test_an_upward_import_and_a_cycle_break_the_contracts(tmp_path):
    """The same contracts on a copy of the code with foundation importing orchestration and
    two reporting modules importing each other."""
    packages = ["foundation", "ingestion", "expectations", "reporting", "orchestration"]
    for name in [*packages, "simulation", "synthetic", "roi", "bench"]:
        for source in (REPO_ROOT / name).rglob("*.py"):
            target = tmp_path / source.relative_to(REPO_ROOT)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(
        (REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    with (tmp_path / "foundation" / "errors.py").open("a", encoding="utf-8") as errors:
        errors.write("\nimport orchestration.jobs  # noqa\n")
    with (tmp_path / "reporting" / "formatting.py").open("a", encoding="utf-8") as formatting:
        formatting.write("\nimport reporting.render  # noqa\n")
    with (tmp_path / "reporting" / "render.py").open("a", encoding="utf-8") as render:
        render.write("\nimport reporting.formatting  # noqa\n")
    result = lint_imports(
        tmp_path, env={"PATH": str(LINT_IMPORTS.parent), "PYTHONPATH": str(tmp_path)}
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Each package imports only the packages below it BROKEN" in result.stdout
    assert "foundation.errors -> orchestration.jobs" in result.stdout
    assert "No import cycle between the modules of a package BROKEN" in result.stdout
    assert "No cycles are allowed in reporting." in result.stdout
