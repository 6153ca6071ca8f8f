"""The report's What-if section: scenarios simulated on the marts the report reads
(simulation: the model, its assumptions and its refusals).

The scenarios are those of a YAML file (`roi report --scenarios FILE`, else the file named by
ROI_SCENARIOS; the format of `roi simulate --scenarios`, README "What-if scenarios"), its
`settings:` over ROI_SIMULATE_<NAME>. Without a file, the suggested scenarios
(simulation.suggested_scenarios): per project, a fifth of the spend of its dearest paid
channel moved to its cheapest, and a point less monthly churn. Projections start from the
data's end date whatever the report's period: they are about the next decision.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from foundation.warehouse import Connection
from simulation import (
    Scenario,
    ScenarioResult,
    SimulationSettings,
    load_simulation_data,
    simulate,
    suggested_scenarios,
)
from simulation.schema import load_scenario_file

SCENARIOS_ENV = "ROI_SCENARIOS"


@dataclass(frozen=True)
class ScenarioSource:
    """Where the section's scenarios come from: a file's (path and scenarios), or the
    suggested ones (both None); with the settings they are simulated with."""

    path: Path | None
    scenarios: tuple[Scenario, ...] | None
    settings: SimulationSettings


def scenario_source(
    scenarios_file: Path | str | None = None, environ: Mapping[str, str] | None = None
) -> ScenarioSource:
    """`scenarios_file`, else ROI_SCENARIOS, else the suggested scenarios. A file that cannot
    be read or holds a bad scenario raises RoiError naming it (load_scenario_file)."""
    environ = os.environ if environ is None else environ
    settings = SimulationSettings.from_env(environ)
    path = scenarios_file or environ.get(SCENARIOS_ENV) or None
    if path is None:
        return ScenarioSource(None, None, settings)
    scenario_file = load_scenario_file(Path(path))
    return ScenarioSource(
        Path(path), scenario_file.scenarios, scenario_file.apply_settings(settings)
    )


@dataclass(frozen=True)
class WhatIf:
    source: ScenarioSource
    data_end: dt.date
    results: tuple[ScenarioResult, ...]

    @property
    def suggested(self) -> bool:
        return self.source.path is None


def what_if(con: Connection, source: ScenarioSource, warehouse: str) -> WhatIf:
    """Simulate the scenarios of `source` on the published marts of `con`."""
    data = load_simulation_data(con, warehouse)
    scenarios = (
        source.scenarios
        if source.scenarios is not None
        else suggested_scenarios(data, source.settings)
    )
    return WhatIf(source, data.data_end, tuple(simulate(data, scenarios, source.settings)))
