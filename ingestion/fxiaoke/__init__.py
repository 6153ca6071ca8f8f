"""The `fxiaoke` source: Fxiaoke (纷享销客 / ShareCRM) CRM objects into the raw_crm tables.

One resource per raw table (leads, accounts, opportunities, orders, activities, tickets),
each landing rows of exactly the file drop's shape (`ingestion/raw_tables.py`), so the same
dbt models read CRM data whether it came as files or from the API. A backfill `window`
re-reads the records last modified within it, leaving the cursors alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any
from zoneinfo import ZoneInfo

import dlt
import pyarrow as pa

from ..file_contract import SOURCE_FILE_COLUMN, SOURCE_LINE_COLUMN, FileSpec
from ..raw_tables import raw_table
from ..typed_rows import (
    HARD_DELETE_COLUMN,
    api_resource_hints,
    empty_table_when_nothing_found,
    hard_delete_extra,
    rows_to_table,
)
from ..window import ExtractWindow, WindowArgument
from .helpers import (
    FxiaokeAuthError,
    FxiaokeClient,
    FxiaokeError,
    RecordMapper,
    is_deleted,
    resolve_field_map,
    resolve_object_names,
    resolve_value_map,
)
from .settings import (
    CURSOR_FIELD,
    CURSOR_LAG_SECONDS,
    DATE_FIELDS,
    DEFAULT_BASE_URL,
    DEFAULT_TENANT_TIMEZONE,
    OBJECTS,
    OFFSET_CAP,
    PAGE_SIZE,
    SOURCE_FILE_VALUE,
)

__all__ = [
    "DATASET",
    "RESOURCES",
    "FxiaokeAuthError",
    "FxiaokeClient",
    "FxiaokeError",
    "fxiaoke_source",
]

DATASET = "raw_crm"
RESOURCES = tuple(o.resource for o in OBJECTS)
STATE_CURSOR = "last_modified_time"  # resource state key: epoch ms of the newest record seen


def epoch_ms(moment: dt.datetime) -> int:
    """Fxiaoke's time format: milliseconds since the epoch of a tz-aware instant."""
    return int(moment.timestamp() * 1000)


def start_epoch_ms(start_date: str | dt.date | None) -> int:
    """Epoch ms of UTC midnight of `start_date` (None: the beginning of time)."""
    if start_date is None or start_date == "":
        return 0
    if isinstance(start_date, dt.datetime):
        moment = start_date if start_date.tzinfo else start_date.replace(tzinfo=dt.UTC)
    else:
        day = start_date if isinstance(start_date, dt.date) else dt.date.fromisoformat(start_date)
        moment = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    return epoch_ms(moment)


def _object_resource(
    client: FxiaokeClient,
    spec: FileSpec,
    api_name: str,
    mapper: RecordMapper,
    start_ms: int,
    page_size: int,
    offset_cap: int,
    lag_ms: int,
    window: ExtractWindow | None,
):
    extra = hard_delete_extra(spec)

    @empty_table_when_nothing_found(spec, extra)
    def rows() -> Iterator[pa.Table]:
        if window is None:
            state = dlt.current.resource_state(spec.table)
            cursor = state.get(STATE_CURSOR)
            since = start_ms if cursor is None else max(int(cursor) - lag_ms, start_ms)
            # The range is closed at the start, so paging sees a stable set; records changed
            # meanwhile come next run. `since` is inclusive and reaches back CURSOR_LAG_SECONDS:
            # records read again merge onto themselves (same key and version).
            until = client.now_ms()
        else:
            # A backfill: modified in [start_utc, end_utc_exclusive). BETWEEN is inclusive on
            # whole milliseconds, so the last one before the end closes the range.
            state = None
            since = epoch_ms(window.start_utc())
            until = epoch_ms(window.end_utc_exclusive()) - 1
        for records in client.query_pages(
            api_name, since, until, page_size=page_size, offset_cap=offset_cap
        ):
            mapped = []
            for record in records:
                row = mapper.map(record)
                if extra:
                    row[HARD_DELETE_COLUMN] = is_deleted(record)
                row[SOURCE_FILE_COLUMN] = SOURCE_FILE_VALUE
                row[SOURCE_LINE_COLUMN] = None
                mapped.append(row)
            yield rows_to_table(spec, mapped, extra)
            if state is not None:
                newest = max(int(r.get(CURSOR_FIELD) or 0) for r in records)
                # dlt commits resource state only with a successful extract: a run that fails
                # mid-paging leaves the cursor where it was, and the rerun fetches those pages.
                state[STATE_CURSOR] = max(newest, int(state.get(STATE_CURSOR) or 0))

    rows.__doc__ = (
        f"raw_crm.{spec.table} from Fxiaoke {api_name}. Write disposition: merge. "
        f"Primary key: {', '.join(spec.primary_key)}. Cursor: {CURSOR_FIELD} (epoch ms; "
        "BETWEEN the newest value of the last run and now; start_date on the first run; "
        "a backfill window reads its own range and leaves the cursor alone). "
        + (
            "A deleted or voided record removes its row (is_deleted is a hard-delete column)."
            if extra
            else "A deleted or voided record lands as a new version with is_deleted true."
        )
    )
    return dlt.resource(rows, **api_resource_hints(spec))


@dlt.source(name="fxiaoke", max_table_nesting=0)
def fxiaoke_source(
    app_id: str = dlt.secrets.value,
    app_secret: str = dlt.secrets.value,
    permanent_code: str = dlt.secrets.value,
    open_user_id: str = dlt.config.value,
    base_url: str = DEFAULT_BASE_URL,
    start_date: str | None = None,
    field_map: dict[str, Any] | None = None,
    value_map: dict[str, Any] | None = None,
    object_api_names: dict[str, str] | None = None,
    tenant_timezone: str = DEFAULT_TENANT_TIMEZONE,
    default_currency: str | None = None,
    page_size: int = PAGE_SIZE,
    offset_cap: int = OFFSET_CAP,
    date_fields: list[str] | None = None,
    cursor_lag_seconds: int = CURSOR_LAG_SECONDS,
    window: WindowArgument = dlt.config.value,
) -> Sequence[Any]:
    """Fxiaoke CRM objects -> raw_crm.leads, accounts, opportunities, orders, activities, tickets.

    Config under `[sources.fxiaoke]` (README.md): base_url (the tenant's cloud host), app_id,
    app_secret, permanent_code, open_user_id, start_date (YYYY-MM-DD, first run only),
    field_map / value_map (per-tenant field names and option values), object_api_names,
    tenant_timezone (zone of date fields), default_currency (when an amount has no
    currency field), page_size, offset_cap, date_fields (date-typed fields landing in
    timestamp columns), cursor_lag_seconds.

    window: a backfill: the records whose last_modified_time lies in
    [window.start_utc(), window.end_utc_exclusive()), whatever start_date and the cursors say;
    the cursors are neither read nor written. Not a config key: pass it in code.
    """
    specs = {name: raw_table(DATASET, name) for name in RESOURCES}
    fields = resolve_field_map(field_map, specs)
    values = resolve_value_map(value_map)
    api_names = resolve_object_names(object_api_names)
    zone = ZoneInfo(tenant_timezone)
    api = FxiaokeClient(base_url, app_id, app_secret, permanent_code, open_user_id)
    since = start_epoch_ms(start_date)
    return [
        _object_resource(
            api,
            specs[name],
            api_names[name],
            RecordMapper(
                specs[name],
                fields[name],
                values.get(name, {}),
                zone,
                default_currency,
                tuple(DATE_FIELDS) + tuple(date_fields or ()),
            ),
            since,
            int(page_size),
            int(offset_cap),
            int(cursor_lag_seconds) * 1000,
            window,
        )
        for name in RESOURCES
    ]
