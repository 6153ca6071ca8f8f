"""The `netsuite` source: ERP cost postings from NetSuite SuiteQL into raw_erp.costs.

Rows have exactly the shape of the file drop's erp_costs.csv (`ingestion/raw_tables.py`):
one per posting expense line, project from the line's class or department, category from
the expense account. A backfill `window` re-reads the lines last modified within it, leaving
the cursor alone.
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
    api_resource_hints,
    empty_table_when_nothing_found,
    hard_delete_extra,
    rows_to_table,
)
from ..window import ExtractWindow, WindowArgument
from .helpers import (
    CostMapper,
    NetSuiteAuthError,
    NetSuiteClient,
    NetSuiteError,
    authorization_header,
    extra_fields,
)
from .settings import (
    DEFAULT_CATEGORY,
    DEFAULT_CATEGORY_MAP,
    DEFAULT_PROJECT_FIELD,
    DEFAULT_QUERY,
    DEFAULT_TIMEZONE,
    MAX_ROWS_PER_QUERY,
    PAGE_SIZE,
    SOURCE_FILE_VALUE,
)

__all__ = [
    "DATASET",
    "NetSuiteAuthError",
    "NetSuiteClient",
    "NetSuiteError",
    "authorization_header",
    "netsuite_source",
]

DATASET = "raw_erp"
STATE_CURSOR = "posted_at"  # the cursor column; before dlt's incremental, a resource state key


def _start(start_date: str | dt.date | None) -> dt.datetime:
    if not start_date:
        return dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    day = start_date if isinstance(start_date, dt.date) else dt.date.fromisoformat(start_date)
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def _costs_resource(
    client: NetSuiteClient,
    spec: FileSpec,
    query: str,
    mapper: CostMapper,
    start: dt.datetime,
    page_size: int,
    max_rows: int,
    window: ExtractWindow | None,
):
    taken = {*spec.column_names, SOURCE_FILE_COLUMN, SOURCE_LINE_COLUMN}
    # dlt keeps the cursor (the newest posted_at) in the resource state and commits it only
    # with a successful extract. A window's end_value makes it stateless: the cursor is
    # neither read nor written, and dlt drops the rows from the end on. No primary key: the
    # rows at the cursor come again and merge onto themselves rather than being dropped as
    # seen, so a column the query starts returning reaches them too.
    cursor = dlt.sources.incremental(
        STATE_CURSOR,
        initial_value=start if window is None else window.start_utc(),
        end_value=None if window is None else window.end_utc_exclusive(),
        row_order="asc",
        primary_key=(),
    )

    @empty_table_when_nothing_found(spec, hard_delete_extra(spec))
    def costs(
        posted_at: dlt.sources.incremental[dt.datetime] = cursor,
    ) -> Iterator[pa.Table]:
        """raw_erp.costs from NetSuite SuiteQL. Write disposition: merge. Primary key:
        cost_id, posted_at. Cursor: posted_at (transaction lastmodifieddate), rows with
        lastmodifieddate >= the newest value of the last run (start_date on the first run).
        A backfill window reads lastmodifieddate >= its start, drops rows from its end on and
        leaves the cursor alone.
        """
        # a start_date moved past the cursor wins, as on the first run
        since = max(posted_at.initial_value, posted_at.start_value)
        if posted_at.end_value is None:
            # the cursor as versions before dlt's incremental kept it, a floor from then on
            legacy = dlt.current.resource_state(spec.table).get(STATE_CURSOR)
            if legacy is not None:
                since = max(since, dt.datetime.fromisoformat(legacy))
        # The query is the user's, with only a {since} placeholder: a window's end is applied
        # by dlt. Rows come ordered by posted_at, so the first row past the end means every
        # later one is too and the extract stops there.
        end = posted_at.end_value
        while True:
            text = query.replace(
                "{since}", since.astimezone(mapper.zone).strftime("%Y-%m-%d %H:%M:%S")
            )
            newest = since
            for page in client.query_pages(text, page_size, max_rows):
                rows, extras = [], set()
                for item in page:
                    row = mapper.map(item)
                    newest = max(newest, row["posted_at"])
                    if end is not None and row["posted_at"] >= end:
                        # dlt would drop it too, but its extra columns must not reach the
                        # page's table either
                        continue
                    row[SOURCE_FILE_COLUMN] = SOURCE_FILE_VALUE
                    row[SOURCE_LINE_COLUMN] = None
                    # columns beyond the contract are kept (and reported by the load)
                    extra = extra_fields(item, taken)
                    extras.update(extra)
                    rows.append({**extra, **row})
                yield rows_to_table(spec, rows, dict.fromkeys(sorted(extras), pa.string()))
                if end is not None and newest >= end:
                    return
            if not client.last_query_truncated:
                return
            if newest <= since:
                raise NetSuiteError(
                    "NetSuite SuiteQL: more rows share one lastmodifieddate than one query may "
                    f"return ({max_rows}); narrow sources.netsuite query"
                )
            since = newest  # restart the query past NetSuite's row limit

    return dlt.resource(costs, **api_resource_hints(spec))


@dlt.source(name="netsuite", max_table_nesting=0)
def netsuite_source(
    account_id: str = dlt.config.value,
    consumer_key: str = dlt.secrets.value,
    consumer_secret: str = dlt.secrets.value,
    token_id: str = dlt.secrets.value,
    token_secret: str = dlt.secrets.value,
    base_url: str | None = None,
    start_date: str | None = None,
    query: str = DEFAULT_QUERY,
    project_field: str = DEFAULT_PROJECT_FIELD,
    project_map: dict[str, str] | None = None,
    category_map: dict[str, str] | None = None,
    default_category: str = DEFAULT_CATEGORY,
    timezone: str = DEFAULT_TIMEZONE,
    page_size: int = PAGE_SIZE,
    max_rows_per_query: int = MAX_ROWS_PER_QUERY,
    window: WindowArgument = dlt.config.value,
) -> Sequence[Any]:
    """NetSuite cost postings -> raw_erp.costs (resource `costs`).

    Config under `[sources.netsuite]` (README.md): account_id, consumer_key, consumer_secret,
    token_id, token_secret, base_url (default the account's suitetalk host), start_date
    (first run), query (SuiteQL with a `{since}` placeholder), project_field (class or
    department), project_map, category_map, default_category, timezone, page_size,
    max_rows_per_query (NetSuite's row limit of one query; lower only for tests).

    window: a backfill: the rows with lastmodifieddate in [window.start_utc(),
    window.end_utc_exclusive()), whatever start_date and the cursor say; `{since}` becomes the
    window's start and rows from its end on are dropped. The cursor is neither read nor
    written. Not a config key: pass it in code.
    """
    client = NetSuiteClient(
        account_id, consumer_key, consumer_secret, token_id, token_secret, base_url=base_url
    )
    mapper = CostMapper(
        project_field,
        project_map or {},
        DEFAULT_CATEGORY_MAP | dict(category_map or {}),
        default_category,
        ZoneInfo(timezone),
    )
    spec = raw_table(DATASET, "costs")
    return [
        _costs_resource(
            client,
            spec,
            query,
            mapper,
            _start(start_date),
            int(page_size),
            int(max_rows_per_query),
            window,
        )
    ]
