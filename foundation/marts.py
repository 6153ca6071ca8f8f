"""What every reader of the published marts checks or reads first (the report, `roi
simulate`): that they are there, the days their data span, their reporting currency."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from .errors import RoiError
from .warehouse import Connection, has_table


def require_marts(
    con: Connection, names: Iterable[str], warehouse: str, purpose: str, hint: str = ""
) -> None:
    """RoiError unless every `marts.<name>` exists: `{warehouse} has no published marts to
    {purpose} (missing ...): run ...{hint}`."""
    missing = [name for name in names if not has_table(con, "marts", name)]
    if missing:
        raise RoiError(
            f"{warehouse} has no published marts to {purpose} (missing "
            + ", ".join(f"marts.{name}" for name in missing)
            + f"): run `roi run` or `roi demo` first{hint}"
        )


def data_span(con: Connection) -> tuple[dt.date, dt.date]:
    """The first and the last day with data (marts.dim_date runs through the data's end
    date); RoiError when the marts hold no data yet."""
    start, end = con.execute("select min(date_day), max(date_day) from marts.dim_date").fetchone()
    if end is None:
        raise RoiError("the published marts hold no data yet (marts.dim_date is empty)")
    return start, end


def reporting_currency(con: Connection) -> str:
    """The marts' reporting currency (several, comma-separated, if a rebuild is under way in
    another currency; `-` before any row)."""
    currencies = [
        code
        for (code,) in con.execute(
            "select distinct reporting_currency from marts.mart_project_roi "
            "where reporting_currency is not null order by 1"
        ).fetchall()
    ]
    return ", ".join(currencies) or "-"
