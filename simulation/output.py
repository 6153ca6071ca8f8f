"""`roi simulate`'s output: a table for the terminal, or JSON for other tools.

Both say for every figure whether its baseline is observed or a model value, and head every
projected value as projected; a refused scenario shows its reason instead of figures.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import textwrap
from collections.abc import Sequence
from typing import Any

from .data import SimulationData
from .messages import Message, text
from .results import (
    CHANGE_SPECS,
    POINTS_UNITS,
    Figure,
    ScenarioResult,
    change_value,
    value_spec,
)
from .scenarios import Window
from .settings import SimulationSettings

# Prose lines of the table wrap at this width (the figures' grid is as wide as it needs).
WIDTH = 100


def _title(result: ScenarioResult) -> str:
    return result.scenario.name or text(result.description)


# ---------------------------------------------------------------------------- the table


def _value(unit: str, value: float | None, projected: bool = False) -> str:
    if value is None:
        return text("table.not_available")
    return format(value, value_spec(unit, projected))


def _change(unit: str, change: float | None) -> str:
    if change is None:
        return ""
    spec = CHANGE_SPECS[unit]
    digits = int(spec.rpartition(".")[2][:-1])
    # rounded to the digits shown (+ 0.0 turns -0.0 into 0.0), so a float's -1e-17 shows +0
    shown = format(round(change_value(unit, change), digits) + 0.0, spec)
    return text("table.points", change=shown) if unit in POINTS_UNITS else shown


def _cell(figure: Figure, column: int) -> str:
    value = figure.projected[column]
    change = _change(figure.unit, figure.changes[column])
    return _value(figure.unit, value, projected=True) + (f" ({change})" if change else "")


def _grid(rows: Sequence[Sequence[str]], right_from: int) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(
            cell.rjust(width) if i >= right_from else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in rows
    ]


def _wrapped(line: str, indent: str, first: str | None = None) -> list[str]:
    return textwrap.wrap(
        line,
        WIDTH,
        initial_indent=first or indent,
        subsequent_indent=indent,
        break_on_hyphens=False,
    )


def _result_lines(result: ScenarioResult, count: int) -> list[str]:
    kind = text(f"kind.{result.kind}")
    lines = [text("table.title", index=result.index, count=count, name=_title(result), kind=kind)]
    if result.scenario.name:
        lines.append("  " + text(result.description))
    if result.refusal is not None:
        refused = text("table.refused", reason=text(result.refusal))
        return [*lines, *_wrapped(refused, "    ", "  ")]
    for message in result.basis:
        lines += _wrapped(text(message), "    ", "  ")
    projected = text("table.projected")
    header = [
        ["", text("table.baseline"), text("table.baseline"), *(projected for _ in result.columns)],
        [
            text("table.metric"),
            text("table.value"),
            text("table.baseline_kind"),
            *(text(column) for column in result.columns),
        ],
    ]
    rows: list[list[str]] = list(header)
    scope = None
    for figure in result.figures:
        if figure.scope != scope:
            scope = figure.scope
            rows.append([scope] + [""] * (len(header[0]) - 1))
        rows.append(
            [
                "  " + text(f"metric.{figure.metric}"),
                _value(figure.unit, figure.baseline),
                text(f"baseline_kind.{figure.baseline_kind}"),
                *(_cell(figure, column) for column in range(len(result.columns))),
            ]
        )
    lines += ["", *("  " + line for line in _grid(rows, right_from=1)), ""]
    lines.append("  " + text("table.assumptions"))
    for message in result.assumptions:
        lines += _wrapped(text(message), "      ", "    - ")
    return lines


def render_table(results: Sequence[ScenarioResult]) -> str:
    """Every scenario, one block each: the baseline and its projections, or why it was refused."""
    blocks = ["\n".join(_result_lines(result, len(results))) for result in results]
    return "\n\n".join([*blocks, "\n".join(_wrapped(text("legend"), ""))]) + "\n"


# ---------------------------------------------------------------------------- JSON


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        return None
    return value


def _message(message: Message) -> dict[str, Any]:
    return {
        "key": message.key,
        "values": {name: _plain(value) for name, value in message.values},
        "text": text(message),
    }


def _window(window: Window | None) -> dict[str, Any] | None:
    if window is None:
        return None
    return {"label": window.label, "start": window.start.isoformat(), "end": window.end.isoformat()}


def _scenario(result: ScenarioResult) -> dict[str, Any]:
    fields = {}
    for item in dataclasses.fields(result.scenario):
        value = getattr(result.scenario, item.name)
        fields[item.name] = _window(value) if isinstance(value, Window) else value
    return {"type": result.kind, **fields}


def _figure(figure: Figure) -> dict[str, Any]:
    return {
        "projects": list(figure.projects),
        "channel": figure.channel,
        "scope": figure.scope,
        "metric": figure.metric,
        "label": text(f"metric.{figure.metric}"),
        "unit": figure.unit,
        "baseline": {"kind": figure.baseline_kind, "value": figure.baseline},
        "projected": list(figure.projected),
        "change": list(figure.changes),
    }


def result_json(result: ScenarioResult) -> dict[str, Any]:
    return {
        "index": result.index,
        "name": _title(result),
        "type": result.kind,
        "status": "refused" if result.refused else "projected",
        "description": _message(result.description),
        "scenario": _scenario(result),
        "refusal": _message(result.refusal) if result.refusal else None,
        "window": _window(result.window),
        "basis": [_message(message) for message in result.basis],
        "columns": [_message(column) for column in result.columns],
        "figures": [_figure(figure) for figure in result.figures],
        "assumptions": [_message(message) for message in result.assumptions],
    }


def render_json(
    results: Sequence[ScenarioResult],
    data: SimulationData,
    settings: SimulationSettings,
    warehouse: str,
) -> str:
    """The results as one JSON document; every figure's baseline says whether it is observed
    or a model value, and `projected` values are never observed ones."""
    document = {
        "warehouse": warehouse,
        "data_start": data.data_start.isoformat(),
        "data_end": data.data_end.isoformat(),
        "reporting_currency": data.reporting_currency,
        "settings": dataclasses.asdict(settings),
        "legend": text("legend"),
        "scenarios": [result_json(result) for result in results],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
