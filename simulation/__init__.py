"""What-if scenarios (`roi simulate`): the effect of a strategy change before deciding on it.

Two kinds of scenario, projected from what the published marts observed (README "What-if
scenarios"; the model, formula by formula, is `simulation.engine`'s docstring):

- a **budget shift** moves an amount or a share of a project's media spend from one ad
  platform to another, or to another project, over a baseline window (default: the last two
  complete quarters), and projects new customers, acquisition cost and CAC, realised and
  predicted LTV, gross profit and ROI from each channel's cost per customer and LTV in it;
- a **churn change** lowers or raises a project's monthly churn by some percentage points and
  projects predicted LTV (the marts' own model) and cumulative ROI over a horizon.

Modules: `scenarios` (what a scenario asks, and the values people write), `settings`,
`data` (read the marts, on any engine), `engine` (the pure model: `simulate`), `results`
(what it returns), `messages` (every text, keyed), `schema` (the YAML file and the flags),
`output` (table and JSON).

For the report or any caller:

    with warehouse.connect(read_only=True) as con:
        data = load_simulation_data(con)
    results = simulate(data, [BudgetShift("P-DE", "google_ads", "meta_ads", share=0.2)])
"""

from __future__ import annotations

from foundation.errors import RoiError
from foundation.warehouse import Warehouse, as_warehouse

from .data import SimulationData, load_simulation_data
from .engine import simulate, suggested_scenarios
from .messages import MESSAGES, Message, text
from .results import MODEL, OBSERVED, Figure, ScenarioResult
from .scenarios import BudgetShift, ChurnChange, Scenario, Window
from .settings import SimulationSettings

__all__ = [
    "MESSAGES",
    "MODEL",
    "OBSERVED",
    "BudgetShift",
    "ChurnChange",
    "Figure",
    "Message",
    "Scenario",
    "ScenarioResult",
    "SimulationData",
    "SimulationSettings",
    "Window",
    "load_simulation_data",
    "run_simulation",
    "simulate",
    "suggested_scenarios",
    "text",
]


def run_simulation(
    warehouse: Warehouse | str,
    scenarios: list[Scenario] | None,
    settings: SimulationSettings | None = None,
) -> tuple[SimulationData, list[ScenarioResult]]:
    """Read the published marts of `warehouse` (read-only) and simulate `scenarios` (None: the
    suggested ones, `suggested_scenarios`). No warehouse or no published marts raise
    RoiError."""
    warehouse = as_warehouse(warehouse)
    if not warehouse.exists():
        raise RoiError(f"no warehouse at {warehouse}: run `roi run` or `roi demo` first")
    with warehouse.connect(read_only=True) as con:
        data = load_simulation_data(con, str(warehouse))
    if scenarios is None:
        scenarios = suggested_scenarios(data, settings)
    return data, simulate(data, scenarios, settings)
