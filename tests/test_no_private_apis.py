"""The product, its tests and its benchmark use only public APIs of Dagster, dbt, dlt, Great
Expectations and Babel (the report's catalogs and formats): no import from an `_`-prefixed
module, no `_`-prefixed attribute of theirs, no override of (or reliance on) a name of theirs
that starts with `_`, and no such module path in the YAML Dagster loads classes from
(dagster.yaml, and the YAML orchestration.instance writes). A private name can change in any
release: three of them pinned the upgrade path."""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
import re
import subprocess
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SCANNED = (
    "orchestration/",
    "roi/",
    "ingestion/",
    "expectations/",
    "reporting/",
    "simulation/",
    "dagster.yaml",
)
# the tests and the benchmark too: they would break on an upgrade as the product would
ALSO_SCANNED = ("tests/", "bench/")
SUFFIXES = (".py", ".yaml", ".yml")
# namedtuple's public methods start with `_` so as not to clash with field names
PUBLIC_UNDERSCORE_NAMES = {"_replace", "_asdict", "_fields"}
# Dagster marks NoOpComputeLogManager public but exports it only under this path, and no
# configuration key stops Dagster copying a run's output through helper processes (which
# print tracebacks on Ctrl-C): `roi run`'s own home names it (see orchestration/instance.py).
ALLOWED = {("orchestration/instance.py", "dagster._core.storage.noop_compute_log_manager")}
LIBRARY_PREFIX = r"(dagster|dbt|dlt|great_expectations|babel)"


def _library_modules() -> set[str]:
    """Top-level modules installed by the distributions of Dagster (and its integrations),
    dbt, dlt, Great Expectations and Babel."""
    return {
        module
        for module, distributions in importlib.metadata.packages_distributions().items()
        if re.match(LIBRARY_PREFIX, module)
        and any(re.match(LIBRARY_PREFIX, d.replace("-", "_"), re.I) for d in distributions)
    }


LIBRARIES = _library_modules()
# a dotted path from a library's module through an `_` name and on: dagster._core.run_coordinator
PRIVATE_PATH = re.compile(
    r"\b(?:"
    + "|".join(sorted(LIBRARIES, key=len, reverse=True))
    + r")(?:\.\w+)*?\._(?!_)\w+(?:\.\w+)*"
)


def _private(name: str) -> bool:
    return (
        name.startswith("_")
        and not (name.startswith("__") and name.endswith("__"))
        and name not in PUBLIC_UNDERSCORE_NAMES
    )


def _library_bindings(tree: ast.Module) -> tuple[dict[str, str], list[tuple[int, str]]]:
    """Names bound to a library object (name -> dotted path), and imports of private names."""
    bindings: dict[str, str] = {}
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in LIBRARIES:
                    if alias.asname:
                        bindings[alias.asname] = alias.name
                    else:
                        root = alias.name.split(".")[0]
                        bindings[root] = root
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] not in LIBRARIES:
                continue
            for alias in node.names:
                if _private(alias.name):
                    found.append((node.lineno, f"imports {node.module}.{alias.name}"))
                bindings[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return bindings, found


def _dotted(node: ast.expr) -> list[str] | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return [node.id, *reversed(parts)]
    return None


def _resolve(path: str):
    """The library object at a dotted path, or None if it cannot be imported."""
    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            value = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for part in parts[cut:]:
            value = getattr(value, part, None)
        return value
    return None


def _own_names(cls: ast.ClassDef) -> dict[str, int]:
    """Names a class defines itself (methods, class attributes, attributes it assigns on
    self), with their line."""
    own: dict[str, int] = {}
    for item in cls.body:
        if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            own[item.name] = item.lineno
        elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
            own[item.target.id] = item.lineno
        elif isinstance(item, ast.Assign):
            own.update({t.id: item.lineno for t in item.targets if isinstance(t, ast.Name)})
    for node in ast.walk(cls):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.ctx, ast.Store)
            and isinstance(node.value, ast.Name)
            and node.value.id == "self"
        ):
            own.setdefault(node.attr, node.lineno)
    return own


def _subclass_violations(cls: ast.ClassDef, bindings: dict[str, str]) -> list[tuple[int, str]]:
    """A subclass of a library class that overrides one of its `_` names, or uses one it
    inherits (self._name it does not define itself)."""
    bases = []
    for base in cls.bases:
        dotted = _dotted(base)
        if dotted and dotted[0] in bindings:
            bases.append(_resolve(".".join([bindings[dotted[0]], *dotted[1:]])))
    if not bases:
        return []
    own = _own_names(cls)
    found = [
        (line, f"overrides {base.__name__}.{name}")
        for name, line in own.items()
        for base in bases
        if _private(name) and hasattr(base, name)
    ]
    for node in ast.walk(cls):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.ctx, ast.Load)
            and isinstance(node.value, ast.Name)
            and node.value.id == "self"
            and _private(node.attr)
            and node.attr not in own
        ):
            found.append((node.lineno, f"uses inherited self.{node.attr}"))
    return found


def python_violations(source: str) -> list[tuple[int, str]]:
    """(line, what) for each private name of the libraries a Python module uses."""
    tree = ast.parse(source)
    bindings, found = _library_bindings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr):
            dotted = _dotted(node)
            if dotted and dotted[0] in bindings:
                path = ".".join([bindings[dotted[0]], *dotted[1:]])
                found.append((node.lineno, f"uses {path}"))
        elif isinstance(node, ast.ClassDef):
            found += _subclass_violations(node, bindings)
    return found


def text_violations(text: str) -> list[tuple[int, str]]:
    """(line, path) for each dotted path into a private module or attribute of the libraries
    written out in the text (an import, a module path in YAML or in a string)."""
    return [
        (text.count("\n", 0, match.start()) + 1, match.group())
        for match in PRIVATE_PATH.finditer(text)
    ]


def violations(relative: str, text: str) -> list[str]:
    found = text_violations(text)
    if relative.endswith(".py"):
        found += python_violations(text)
    return [
        f"{relative}:{line}: {what}"
        for line, what in sorted(set(found))
        if (relative, what) not in ALLOWED
    ]


def _scanned_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "--", *SCANNED, *ALSO_SCANNED],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    this_file = str(Path(__file__).relative_to(REPO_ROOT))  # its examples name private APIs
    return [name for name in listed if name.endswith(SUFFIXES) and name != this_file]


def test_the_product_names_no_private_api_of_dagster_dbt_dlt_great_expectations_or_babel():
    files = _scanned_files()
    assert {
        "dagster.yaml",
        "orchestration/instance.py",
        "tests/orchestration/test_instance.py",
    } <= set(files)
    found = [
        problem
        for name in files
        for problem in violations(name, (REPO_ROOT / name).read_text(encoding="utf-8"))
    ]
    assert found == []


@pytest.mark.parametrize(
    ("relative", "text", "expected"),
    [
        (
            "roi/storage.py",
            "from dagster._core.storage.event_log.sqlite.sqlite_event_log import (\n"
            "    SqliteEventLogStorage,\n)\n",
            ["roi/storage.py:1: dagster._core.storage.event_log.sqlite.sqlite_event_log"],
        ),
        (
            "dagster.yaml",
            "telemetry:\n  enabled: false\nrun_coordinator:\n"
            "  module: dagster._core.run_coordinator\n  class: QueuedRunCoordinator\n",
            ["dagster.yaml:4: dagster._core.run_coordinator"],
        ),
        (
            "orchestration/dbt.py",
            "from dagster_dbt import DbtCliResource\n\n\nclass Cli(DbtCliResource):\n"
            "    def _initialize_dbt_core_adapter(self, args):\n        return None\n\n"
            "    def _my_own_helper(self):\n        return 1\n",
            ["orchestration/dbt.py:5: overrides DbtCliResource._initialize_dbt_core_adapter"],
        ),
        (
            "roi/checks.py",
            "import dagster as dg\nfrom dagster import _check\n\n"
            "version = dg._utils.get_version()\nreal = dg.__version__\n",
            ["roi/checks.py:2: imports dagster._check", "roi/checks.py:4: uses dagster._utils"],
        ),
        (
            # namedtuple's _replace, the project's own names, dlt's tables in SQL: all fine
            "ingestion/fine.py",
            "from dlt.common.configuration.utils import ResolvedValueTrace\n\n"
            "def redact(trace: ResolvedValueTrace):\n    return trace._replace(value=None)\n\n"
            "SQL = 'select count(*) from raw_crm._dlt_loads'\n"
            "def own(builder):\n    return builder._to_currency(1)\n",
            [],
        ),
        (
            "reporting/formatting.py",
            "from babel import numbers\n"
            "from babel.messages.frontend import _make_directory_filter\n\n"
            "text = numbers._apply_pattern(1, 'x')\nok = numbers.format_decimal(1)\n",
            [
                "reporting/formatting.py:2: imports babel.messages.frontend._make_directory_filter",
                "reporting/formatting.py:4: uses babel.numbers._apply_pattern",
            ],
        ),
        (
            "orchestration/instance.py",
            'YAML = "compute_logs:\\n"\n'
            'MODULE = "  module: dagster._core.storage.noop_compute_log_manager\\n"\n',
            [],
        ),
    ],
)
def test_each_way_of_naming_a_private_api_is_found(relative, text, expected):
    assert violations(relative, text) == expected
