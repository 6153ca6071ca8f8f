"""Source freshness from what changed: dbt asked only about the tables this run did not load.

Every raw table's freshness is dbt's source freshness: the newest `loaded_at_field` value
against the source's `warn_after` / `error_after`. For this project's sources that field is
the dlt load time, `to_timestamp(cast(_dlt_load_id as float8))`, so for a table the run has
just loaded rows into, the answer is known without asking: its newest load is this run's
(load ids are the load's start time, and every load is recorded in `audit.loads`), minutes
old. Those tables are judged here, by dbt's rule on the source's own criteria from the
manifest; every other table (not loaded by this run, another `loaded_at_field`, a freshness
`filter`) is asked of `dbt source freshness --select`, and when there is none, no dbt process
starts. `tests/orchestration/test_source_freshness.py` checks both against dbt's own answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

# the loaded_at_field whose newest value a run knows from its own loads
DLT_LOADED_AT = "to_timestamp(cast(_dlt_load_id as float8))"

_PERIOD_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


@dataclass(frozen=True)
class Freshness:
    """One row of audit.source_freshness without the run id, fields in the column order."""

    source_table: str  # dataset.table
    max_loaded_at: dt.datetime | None
    hours_since_load: float | None
    status: str  # pass, warn, error (dbt's; runtime error when dbt could not query it)
    warn_after: str | None
    checked_at: dt.datetime | None


def _seconds(criterion: Mapping | None) -> float | None:
    if not criterion or not criterion.get("count") or not criterion.get("period"):
        return None
    return criterion["count"] * _PERIOD_SECONDS[criterion["period"]]


def _warn_after_text(criteria: Mapping) -> str | None:
    warn = criteria.get("warn_after") or {}
    return f"{warn['count']} {warn['period']}" if warn.get("count") else None


def status_for_age(age_seconds: float, criteria: Mapping) -> str:
    """dbt's verdict: `error` past error_after, else `warn` past warn_after, else `pass`."""
    error_after = _seconds(criteria.get("error_after"))
    warn_after = _seconds(criteria.get("warn_after"))
    if error_after is not None and age_seconds > error_after:
        return "error"
    if warn_after is not None and age_seconds > warn_after:
        return "warn"
    return "pass"


def _criteria(source: Mapping) -> Mapping:
    return source.get("freshness") or {}


def checked_sources(manifest: Mapping) -> dict[str, Mapping]:
    """The manifest's sources that have a freshness criterion, by `dataset.table` (dbt
    checks no other)."""
    checked = {}
    for source in manifest["sources"].values():
        criteria = _criteria(source)
        if _seconds(criteria.get("warn_after")) or _seconds(criteria.get("error_after")):
            checked[f"{source['source_name']}.{source['name']}"] = source
    return checked


def known_from_this_run(source: Mapping) -> bool:
    """Whether a load by this run tells the source's newest loaded_at_field value."""
    return source.get("loaded_at_field") == DLT_LOADED_AT and not _criteria(source).get("filter")


def source_freshness(
    manifest: Mapping,
    loaded_by_run: Mapping[str, str],
    ask_dbt: Callable[[list[str]], Iterable[Mapping]],
    now: dt.datetime | None = None,
) -> list[Freshness]:
    """The freshness of every source the manifest gives a criterion. `loaded_by_run`: the
    newest load id of each `dataset.table` this run loaded rows into; `ask_dbt(selectors)`:
    runs `dbt source freshness --select <selectors>` and returns its results (sources.json),
    called only when some source is not known from this run."""
    now = now or dt.datetime.now(dt.UTC)
    rows, asked = [], []
    for name, source in sorted(checked_sources(manifest).items()):
        if name in loaded_by_run and known_from_this_run(source):
            loaded_at = dt.datetime.fromtimestamp(float(loaded_by_run[name]), dt.UTC)
            age = (now - loaded_at).total_seconds()
            rows.append(
                Freshness(
                    name,
                    loaded_at,
                    age / 3600,
                    status_for_age(age, _criteria(source)),
                    _warn_after_text(_criteria(source)),
                    now,
                )
            )
        else:
            asked.append(f"source:{name}")
    if asked:
        rows += [_from_dbt(result) for result in ask_dbt(asked)]
    return sorted(rows, key=lambda row: row.source_table)


def _from_dbt(result: Mapping) -> Freshness:
    """A row from one result of dbt's sources.json."""
    criteria = result.get("criteria") or {}
    age = result.get("max_loaded_at_time_ago_in_s")
    return Freshness(
        result["unique_id"].split(".", 2)[2],
        sources_time(result.get("max_loaded_at")),
        None if age is None else age / 3600,
        result["status"],
        _warn_after_text(criteria),
        sources_time(result.get("snapshotted_at")),
    )


def sources_time(text: str | None) -> dt.datetime | None:
    """A time of sources.json (ISO 8601; dbt writes UTC without an offset) as an aware one."""
    if not text:
        return None
    instant = dt.datetime.fromisoformat(text)
    return instant if instant.tzinfo else instant.replace(tzinfo=dt.UTC)
