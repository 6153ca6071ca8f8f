"""The `ecb_fx` source: FX reference rates into raw_fx.rates, plus the FX coverage check.

Three feeds, one raw table (the shape of the file drop's fx_rates.csv):
1. the ECB's euro reference rates (base EUR), loaded incrementally;
2. a configurable fallback JSON provider for currencies the ECB does not publish (NGN, VND...);
3. a rates file the finance team maintains (fx_rates.csv shape), for anything else.
For the same (date, base_currency, quote_currency) the rates file wins over the fallback
provider, which wins over the ECB. A backfill `window` re-reads the rates of its dates,
leaving the cursors alone.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import dlt
import pyarrow as pa
import pyarrow.compute as pc
from dlt.common.typing import TSecretStrValue

from ..file_contract import FileSpec
from ..raw_tables import raw_table
from ..typed_rows import (
    api_resource_hints,
    empty_table_when_nothing_found,
    hard_delete_extra,
    rows_to_table,
)
from ..window import ExtractWindow, WindowArgument
from . import helpers
from .coverage import fx_coverage_gaps
from .helpers import (
    FxProviderError,
    ecb_rates_between,
    ecb_rates_since,
    fetch_fallback,
    rate_rows,
    read_rates_file,
)
from .settings import (
    DEFAULT_BASE_URL,
    DEFAULT_FALLBACK_API_KEY_HEADER,
    SOURCE_FILE_ECB,
    SOURCE_FILE_FALLBACK,
)

__all__ = ["DATASET", "FxProviderError", "ecb_fx_source", "fx_coverage_gaps"]

DATASET = "raw_fx"
STATE_ECB = "ecb_last_date"  # newest ECB date loaded
STATE_FALLBACK = "fallback_last_date"  # last day asked of the fallback provider (asked again)


def _date(value: str | dt.date | None) -> dt.date | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _codes(values: Sequence[str] | str | None) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        values = values.split(",")
    return [v.strip().upper() for v in values if v and v.strip()]


def _keys(table: pa.Table | None) -> set[tuple[dt.date, str, str]]:
    if table is None or table.num_rows == 0:
        return set()
    columns = [table.column(c).to_pylist() for c in ("date", "base_currency", "quote_currency")]
    return set(zip(*columns, strict=True))


def _dated_within(table: pa.Table, window: ExtractWindow) -> pa.Table:
    """The rows of a rates table dated window.start..window.end."""
    dates = table.column("date")
    return table.filter(
        pc.and_(
            pc.greater_equal(dates, pa.scalar(window.start, dates.type)),
            pc.less_equal(dates, pa.scalar(window.end, dates.type)),
        )
    )


def _rates_resource(
    spec: FileSpec,
    base_url: str,
    currencies: list[str],
    start: dt.date | None,
    fallback_url: str | None,
    fallback_currencies: list[str],
    fallback_api_key: str | None,
    fallback_api_key_header: str,
    rates_file: Path | None,
    window: ExtractWindow | None,
):
    @empty_table_when_nothing_found(spec, hard_delete_extra(spec))
    def rates() -> Iterator[pa.Table]:
        """raw_fx.rates from the ECB, the fallback provider and the finance rates file. Write
        disposition: merge. Primary key: date, base_currency, quote_currency. Cursors: the
        newest ECB date loaded (history zip or 90-day file to catch up, then the daily file)
        and the last day asked of the fallback provider; the rates file is read whole.
        A backfill window keeps only the rates dated within it and leaves the cursors alone."""
        state = dlt.current.resource_state(spec.table) if window is None else None
        from_file = read_rates_file(rates_file, spec) if rates_file else None
        if from_file is not None and window is not None:
            from_file = _dated_within(from_file, window)
        taken = _keys(from_file)

        fallback_rows: list[dict[str, Any]] = []
        if fallback_url and fallback_currencies:
            ask = functools.partial(
                fetch_fallback,
                fallback_url,
                fallback_currencies,
                api_key=fallback_api_key,
                api_key_header=fallback_api_key_header,
            )
            if window is None:
                first_day = _date(state.get(STATE_FALLBACK)) or start or helpers.today()
                last_day = helpers.today()
                fallback = ask(first_day, last_day)
                state[STATE_FALLBACK] = last_day.isoformat()
            else:
                last_day = min(window.end, helpers.today())  # no rates of days to come
                fallback = ask(window.start, last_day) if window.start <= last_day else []
                # a day without rates is answered with an earlier day's, maybe before the window
                fallback = [rate for rate in fallback if window.start <= rate[0] <= window.end]
            for row in rate_rows(fallback, SOURCE_FILE_FALLBACK):
                key = (row["date"], row["base_currency"], row["quote_currency"])
                if key not in taken:
                    taken.add(key)
                    fallback_rows.append(row)

        if window is None:
            ecb, newest = ecb_rates_since(base_url, _date(state.get(STATE_ECB)), start)
        else:
            ecb, newest = ecb_rates_between(base_url, window.start, window.end), None
        ecb_rows = [
            row
            for file_name, rate in ecb
            if (not currencies or rate[2] in currencies) and rate[:3] not in taken
            for row in rate_rows([rate], SOURCE_FILE_ECB.format(file=file_name))
        ]
        if ecb_rows:
            yield rows_to_table(spec, ecb_rows)
        if fallback_rows:
            yield rows_to_table(spec, fallback_rows)
        if from_file is not None and from_file.num_rows:
            yield from_file
        if not ecb_rows and not fallback_rows and (from_file is None or not from_file.num_rows):
            yield rows_to_table(spec, [])  # nothing new: the table still exists for dbt
        if window is None and newest is not None:
            state[STATE_ECB] = newest.isoformat()

    return dlt.resource(rates, **api_resource_hints(spec))


@dlt.source(name="ecb_fx", max_table_nesting=0)
def ecb_fx_source(
    base_url: str = DEFAULT_BASE_URL,
    currencies: list[str] | None = None,
    start_date: str | None = None,
    fallback_url: str | None = None,
    fallback_currencies: list[str] | None = None,
    fallback_api_key: TSecretStrValue | None = None,
    fallback_api_key_header: str = DEFAULT_FALLBACK_API_KEY_HEADER,
    rates_file: str | None = None,
    window: WindowArgument = dlt.config.value,
) -> Sequence[Any]:
    """FX reference rates -> raw_fx.rates (resource `rates`).

    Config under `[sources.ecb_fx]` (README.md): base_url (the ECB eurofxref folder),
    currencies (ECB currencies to keep; empty = all), start_date (first run), fallback_url,
    fallback_currencies, fallback_api_key, fallback_api_key_header, rates_file.

    window: a backfill: the rates dated window.start..window.end (ECB history zip and daily
    file, the fallback provider for those days up to today, the rates file's rows of those
    days), whatever start_date and the cursors say; the cursors are neither read nor written.
    Not a config key: pass it in code.
    """
    return [
        _rates_resource(
            raw_table(DATASET, "rates"),
            base_url,
            _codes(currencies),
            _date(start_date),
            fallback_url or None,
            _codes(fallback_currencies),
            fallback_api_key or None,
            fallback_api_key_header,
            Path(rates_file) if rates_file else None,
            window,
        )
    ]
