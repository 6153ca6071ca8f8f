"""Scenarios from a YAML file (`scenarios.yml`) or from the flags of `roi simulate`.

The file (README "What-if scenarios"; scenarios.example.yml is a commented example):

    settings:                 # optional: any SimulationSettings field
      min_customers: 5
    window: 2025-Q3:2026-Q1   # optional: the budget shifts' window when they name none
    scenarios:                # one or more
      - name: ...             # optional
        type: budget_shift    # or churn_change
        ...                   # the fields of the type (FIELDS below)

Every problem of the file is reported at once, each naming the file, the scenario (its
position from 1 and its name) and the field, with the values allowed; nothing is simulated
from a file with a problem.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from foundation.errors import RoiError

from .scenarios import (
    SCENARIO_TYPES,
    BudgetShift,
    ChurnChange,
    Scenario,
    Window,
    parse_amount,
    parse_channel,
    parse_months,
    parse_points,
    parse_project,
    parse_share,
    parse_shift,
    parse_window,
)
from .settings import SimulationSettings

TOP_LEVEL = ("settings", "window", "scenarios")
# The fields of each type: name -> (required, parser). `amount` and `share`: exactly one.
FIELDS: dict[str, dict[str, tuple[bool, Callable[[Any], Any]]]] = {
    "budget_shift": {
        "project": (True, parse_project),
        "from_channel": (True, parse_channel),
        "to_channel": (True, parse_channel),
        "to_project": (False, parse_project),
        "amount": (False, parse_amount),
        "share": (False, parse_share),
        "window": (False, parse_window),
    },
    "churn_change": {
        "project": (True, parse_project),
        "churn_change": (True, parse_points),
        "horizon_months": (False, parse_months),
    },
}
COMMON_FIELDS = ("name", "type")


@dataclass(frozen=True)
class ScenarioFile:
    path: Path
    scenarios: tuple[Scenario, ...]
    # the file's `settings:` as written (SimulationSettings.with_values applies them)
    settings: Mapping[str, object] = field(default_factory=dict)

    def apply_settings(self, settings: SimulationSettings) -> SimulationSettings:
        return settings.with_values(self.settings, origin=f"{self.path}: settings")


def _shown(value: object) -> str:
    return repr(value) if not isinstance(value, dict | list) else type(value).__name__


def load_scenario_file(path: Path) -> ScenarioFile:
    """The scenarios (and settings) of a YAML file; RoiError listing every problem."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise RoiError(f"{path}: cannot read the scenario file ({error.strerror})") from None
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise RoiError(f"{path}: not valid YAML{where}: {problem}") from None
    return parse_scenario_document(document, path)


def parse_scenario_document(document: object, path: Path) -> ScenarioFile:
    problems: list[str] = []
    if not isinstance(document, dict):
        raise RoiError(
            f"{path}: expected a mapping with a list of scenarios (scenarios: [...]), "
            f"got {_shown(document)}"
        )
    for key in document:
        if key not in TOP_LEVEL:
            problems.append(f"{key!r} is not a top-level field; allowed: {', '.join(TOP_LEVEL)}")
    settings = document.get("settings") or {}
    if not isinstance(settings, dict):
        problems.append(
            f"settings: expected a mapping of setting: value; settings: "
            f"{', '.join(SimulationSettings.names())}"
        )
        settings = {}
    else:
        try:
            SimulationSettings().with_values(settings, origin="settings")
        except RoiError as error:
            problems.append(str(error))
    default_window = None
    if document.get("window") is not None:
        try:
            default_window = parse_window(document["window"])
        except ValueError as error:
            problems.append(f"window: {error}")
    entries = document.get("scenarios")
    scenarios: list[Scenario] = []
    if not isinstance(entries, list) or not entries:
        problems.append(
            "scenarios: expected a list of one or more scenarios, each with a type ("
            + ", ".join(SCENARIO_TYPES)
            + ")"
        )
        entries = []
    for position, entry in enumerate(entries, start=1):
        scenario, entry_problems = _scenario(entry, default_window)
        where = _where(position, entry)
        problems.extend(f"{where}: {problem}" for problem in entry_problems)
        if scenario is not None:
            scenarios.append(scenario)
    if problems:
        lines = [f"{path}: {problem}" for problem in problems]
        if len(lines) == 1:
            raise RoiError(lines[0])
        raise RoiError(
            f"{path}: {len(lines)} problems; nothing was simulated:\n"
            + "\n".join(f"  - {line}" for line in lines)
        )
    return ScenarioFile(Path(path), tuple(scenarios), settings)


def _where(position: int, entry: object) -> str:
    name = entry.get("name") if isinstance(entry, dict) else None
    return f"scenario {position} ({name!r})" if isinstance(name, str) else f"scenario {position}"


def _scenario(entry: object, default_window: Window | None) -> tuple[Scenario | None, list[str]]:
    """The scenario of one list entry, or None and its problems."""
    if not isinstance(entry, dict):
        return None, [
            f"expected a mapping of fields (type: ..., project: ...), got {_shown(entry)}"
        ]
    kind = entry.get("type")
    if kind not in FIELDS:
        allowed = ", ".join(FIELDS)
        if kind is None:
            return None, [f"type: missing; allowed: {allowed}"]
        return None, [f"type: {kind!r} is not a scenario type; allowed: {allowed}"]
    fields = FIELDS[kind]
    problems = []
    values: dict[str, Any] = {}
    for key, value in entry.items():
        if key in COMMON_FIELDS:
            continue
        if key not in fields:
            problems.append(
                f"{key!r} is not a field of a {kind}; fields: "
                + ", ".join((*COMMON_FIELDS, *fields))
            )
            continue
        try:
            values[key] = fields[key][1](value)
        except ValueError as error:
            problems.append(f"{key}: {error}")
    for key, (required, _) in fields.items():
        if required and key not in entry:
            problems.append(f"{key}: missing (required for a {kind})")
    name = entry.get("name")
    if name is not None and not isinstance(name, str):
        problems.append(f"name: {_shown(name)} is not a text")
    if kind == "budget_shift":
        if ("amount" in entry) == ("share" in entry):
            problems.append("amount, share: give exactly one of them (amount: 10000 or share: 20%)")
        if (
            not problems
            and values["from_channel"] == values["to_channel"]
            and (values.get("to_project", values["project"]) == values["project"])
        ):
            problems.append(
                f"to_channel: the money would move from {values['from_channel']} to itself; "
                "name another channel, or another project with to_project"
            )
    if problems:
        return None, problems
    if kind == "budget_shift":
        values.setdefault("window", default_window)
        return BudgetShift(name=name, **values), []
    return ChurnChange(
        project=values["project"],
        change=values["churn_change"],
        horizon_months=values.get("horizon_months"),
        name=name,
    ), []


def scenario_from_flags(
    *,
    project: str | None,
    shift: str | None = None,
    amount: str | None = None,
    share: str | None = None,
    to_project: str | None = None,
    churn_change: str | None = None,
    horizon: str | None = None,
    window: str | None = None,
    name: str | None = None,
) -> Scenario:
    """The one scenario of `roi simulate`'s flags; RoiError naming the flag at fault."""

    def parsed(flag: str, parser: Callable[[Any], Any], value: str | None):
        if value is None:
            return None
        try:
            return parser(value)
        except ValueError as error:
            raise RoiError(f"{flag}: {error}") from None

    if (shift is None) == (churn_change is None):
        raise RoiError(
            "give a scenario: --shift FROM:TO with --amount or --share (a budget shift), or "
            "--churn-change ±Npp (a churn change), each with --project; or --scenarios FILE"
        )
    if project is None:
        raise RoiError("--project is required: the project the scenario changes, like P-DE")
    project_code = parsed("--project", parse_project, project)
    if churn_change is not None:
        for flag, value in (
            ("--amount", amount),
            ("--share", share),
            ("--to-project", to_project),
            ("--window", window),
        ):
            if value is not None:
                raise RoiError(f"{flag} belongs to a budget shift (--shift), not --churn-change")
        return ChurnChange(
            project=project_code,
            change=parsed("--churn-change", parse_points, churn_change),
            horizon_months=parsed("--horizon", parse_months, horizon),
            name=name,
        )
    if horizon is not None:
        raise RoiError("--horizon belongs to a churn change (--churn-change), not --shift")
    if (amount is None) == (share is None):
        raise RoiError("--shift moves either --amount (e.g. 10000) or --share (e.g. 20%)")
    from_channel, to_channel = parsed("--shift", parse_shift, shift)
    receiving = parsed("--to-project", parse_project, to_project)
    if from_channel == to_channel and receiving in (None, project_code):
        raise RoiError(
            f"--shift: the money would move from {from_channel} to itself; name another "
            "channel (google_ads:meta_ads), or another project with --to-project"
        )
    return BudgetShift(
        project=project_code,
        from_channel=from_channel,
        to_channel=to_channel,
        amount=parsed("--amount", parse_amount, amount),
        share=parsed("--share", parse_share, share),
        to_project=receiving,
        window=parsed("--window", parse_window, window),
        name=name,
    )
