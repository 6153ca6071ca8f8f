"""The spec in docs/ stands on its own and cannot drift from the code.

A clone holds only what git tracks, so no tracked file may point outside the repository (a
relative path that climbs above its root, an absolute path of one machine, a spec document
that lives elsewhere). docs/warehouse.md lists every published table with its columns and
types: it must match what the dbt project declares for `marts_candidate` (what publish copies
into `marts`), table for table and column for column. Links and `docs/<page>.md#anchor`
pointers must land on a file and a heading that exist.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from foundation.settings import REPO_ROOT

DOCS = REPO_ROOT / "docs"
WAREHOUSE_DOC = DOCS / "warehouse.md"

# The benchmark's recorded runs keep the command line of the machine that measured them
# (its interpreter's absolute path): a record of that machine, not a pointer to follow.
RECORDS = {"bench/RESULTS.json", "bench/RESULTS-spark.json"}
# This file names the pointers it looks for.
CHECKER = "tests/test_docs.py"

# Spec documents that used to live beside the repository (cited as "CONTRACT section 2",
# "METRICS.md"); their content is now in docs/. CONTRACT_COLUMNS and the like are names.
OUTSIDE_DOCUMENT = re.compile(r"\b(?:CONTRACT|METRICS)\b|\b(?:STACK-NOTES|STYLE)\.md\b")

CLIMBING_PATH = re.compile(r"(?<![\w.])(?:\.\./)+[\w./-]*")
ABSOLUTE_WORK_PATH = re.compile(r"(?<![\w.])/work/")
MART_HEADING = re.compile(r"^#### `marts\.(\w+)`\s*$")
COLUMN_ROW = re.compile(r"^\| `(\w+)` \| ([^|]+?) \|")
MARKDOWN_LINK = re.compile(r"\]\(([^)\s]+)\)")
DOC_POINTER = re.compile(r"(?<![\w/.])docs/([\w-]+\.md)(?:#([\w-]+))?")


def _tracked_text_files() -> dict[str, str]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO_ROOT, capture_output=True, check=True
    ).stdout.decode()
    texts = {}
    for name in filter(None, listed.split("\0")):
        path = REPO_ROOT / name
        if not path.is_file():  # deleted in the work tree, not yet committed
            continue
        try:
            texts[name] = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary
    return texts


@pytest.fixture(scope="module")
def tracked() -> dict[str, str]:
    return _tracked_text_files()


def pointers_outside(name: str, text: str) -> list[str]:
    """`file:line: what` for every place in one file that points outside the repository."""
    found = []
    folder = (REPO_ROOT / name).parent
    for number, line in enumerate(text.splitlines(), start=1):
        for match in CLIMBING_PATH.finditer(line):
            target = (folder / match.group(0)).resolve()
            if not target.is_relative_to(REPO_ROOT):
                found.append(f"{name}:{number}: {match.group(0)}")
        if name not in RECORDS and ABSOLUTE_WORK_PATH.search(line):
            found.append(f"{name}:{number}: absolute path {line.strip()[:80]}")
        found.extend(
            f"{name}:{number}: {match.group(0)}" for match in OUTSIDE_DOCUMENT.finditer(line)
        )
    return found


def test_no_tracked_file_points_outside_the_repository(tracked):
    found = [
        place
        for name, text in tracked.items()
        if name != CHECKER
        for place in pointers_outside(name, text)
    ]
    assert not found, "files point outside the repository:\n" + "\n".join(found)


def test_pointers_outside_are_recognised():
    # The checker itself: each kind of pointer it must catch, and what it must let through.
    spec = "../" + "shared/" + "CONTRACT" + ".md"
    assert pointers_outside("README.md", f"see [the spec]({spec})") == [
        f"README.md:1: {spec}",
        "README.md:1: CONTRACT",
    ]
    assert pointers_outside("roi/cli.py", '"""The `roi` command (METRICS section 1)."""') == [
        "roi/cli.py:1: METRICS"
    ]
    assert pointers_outside("tests/synthetic/test_generator.py", "CONTRACT_COLUMNS = {") == []
    assert pointers_outside("pyproject.toml", "# see /" + "work/shared/x") == [
        "pyproject.toml:1: absolute path # see /" + "work/shared/x"
    ]
    assert pointers_outside("ingestion/fxiaoke/README.md", "[x](../../docs/file-drop.md)") == []
    assert pointers_outside("dbt_project/README.md", "../.venv/bin/dbt build") == []
    assert pointers_outside("README.md", 'file ".../roi.duckdb.wal"') == []


def documented_marts(text: str) -> dict[str, dict[str, str]]:
    """{table: {column: type}} of the mart sections of docs/warehouse.md."""
    marts: dict[str, dict[str, str]] = {}
    current = None
    for line in text.splitlines():
        heading = MART_HEADING.match(line)
        if heading:
            current = marts.setdefault(heading.group(1), {})
        elif line.startswith("#"):
            current = None
        elif current is not None and (row := COLUMN_ROW.match(line)):
            current[row.group(1)] = row.group(2).strip()
    return marts


@pytest.fixture(scope="module")
def declared_marts() -> dict[str, dict[str, str]]:
    # Parsed again when a model or its yml is newer than the manifest, so the check never
    # compares the docs with a stale declaration.
    from orchestration.dbt_project import ensure_manifest

    manifest = json.loads(ensure_manifest().read_text(encoding="utf-8"))
    return {
        node["name"]: {name: column["data_type"] for name, column in node["columns"].items()}
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["schema"] == "marts_candidate"
    }


def test_warehouse_doc_lists_every_mart_and_column(declared_marts):
    documented = documented_marts(WAREHOUSE_DOC.read_text(encoding="utf-8"))
    assert sorted(documented) == sorted(declared_marts), "tables of docs/warehouse.md"
    for table, columns in declared_marts.items():
        assert documented[table] == columns, f"columns and types of marts.{table}"


def test_documented_marts_reads_the_tables():
    text = """### The mart contract
#### `marts.mart_a`

| column | type | meaning |
|---|---|---|
| `project_code` | varchar | the project |
| `roi` | decimal(38,9) | a ratio |

#### `marts.dim_b`
| `day` | date | the day |
## Something else
| `not_a_column` | varchar | outside any mart |
"""
    assert documented_marts(text) == {
        "mart_a": {"project_code": "varchar", "roi": "decimal(38,9)"},
        "dim_b": {"day": "date"},
    }


def heading_anchors(text: str) -> set[str]:
    """The anchors GitHub gives a Markdown file's headings (repeats get -1, -2, ...)."""
    anchors: set[str] = set()
    seen: dict[str, int] = {}
    in_code = False
    for line in text.splitlines():
        if line.startswith("```"):
            in_code = not in_code
        if in_code or not (heading := re.match(r"#{1,6} (.+)", line)):
            continue
        slug = re.sub(r"[^\w\- ]", "", heading.group(1).strip().lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        anchors.add(slug if count == 0 else f"{slug}-{count}")
    return anchors


def test_heading_anchors_follow_github():
    text = "# Bad input\n## Live connectors (`roi run --source api`)\n## Bad input\n```\n# x\n```"
    assert heading_anchors(text) == {
        "bad-input",
        "live-connectors-roi-run---source-api",
        "bad-input-1",
    }


def _broken_target(source: Path, target: str) -> str | None:
    path_part, _, anchor = target.partition("#")
    path = (source.parent / path_part).resolve() if path_part else source
    if not path.exists():
        return f"{target}: no such file"
    if anchor and path.suffix == ".md" and anchor not in heading_anchors(path.read_text("utf-8")):
        return f"{target}: no such heading"
    return None


def test_links_of_the_docs_and_readmes_land(tracked):
    broken = []
    for name, text in tracked.items():
        if not name.endswith(".md"):
            continue
        for target in MARKDOWN_LINK.findall(text):
            if re.match(r"[a-z]+:", target):  # https:, mailto:
                continue
            problem = _broken_target(REPO_ROOT / name, target)
            if problem:
                broken.append(f"{name}: {problem}")
    assert not broken, "\n".join(broken)


def test_pointers_into_docs_name_a_page_and_heading(tracked):
    # Code comments, dbt docs and tests say `docs/metrics.md#funnel`: the page and its
    # heading must exist, or the pointer leads nowhere after a heading is renamed.
    broken = []
    for name, text in tracked.items():
        for page, anchor in DOC_POINTER.findall(text):
            path = DOCS / page
            if not path.exists():
                broken.append(f"{name}: docs/{page}: no such page")
            elif anchor and anchor not in heading_anchors(path.read_text(encoding="utf-8")):
                broken.append(f"{name}: docs/{page}#{anchor}: no such heading")
    assert not broken, "\n".join(broken)
