"""The suppression list of erased keys, applied by every load before rows land.

`roi forget` (roi/erasure.py) erases an account or a lead and keeps HMAC-SHA-256 hashes of
its keys under the warehouse's own random key (`audit.erasure_salt`,
`audit.erasure_suppressions`). Every load (the file drop and each live connector) passes its
dlt source through `suppress_erased`, so a later drop or API page that sends an erased key
again, or a row belonging to one, never lands in raw.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from foundation.warehouse import Warehouse

# Identifying columns and the kind of key each holds, in every table of the warehouse.
ERASED_COLUMNS = {
    "account_id": "account",
    "converted_account_id": "account",
    "lead_id": "lead",
    "acquisition_lead_id": "lead",
    "opportunity_id": "opportunity",
    "order_id": "order",
    "ticket_id": "ticket",
    "activity_id": "activity",
}
# Kinds kept in the suppression list: every row a source sends carries one of them when it
# belongs to an erased account or lead (orders and tickets name their account, activities
# their lead or opportunity).
SUPPRESSED_KINDS = ("account", "lead", "opportunity")
# The ad platforms' `account_id` is an advertiser account, not a CRM account.
AD_ACCOUNT_TABLES = frozenset({"ad_spend"})


def key_hash(salt: str, kind: str, key: str) -> str:
    """The suppression list's form of a key: HMAC-SHA-256 under the warehouse's own random
    key, so the list neither shows the key nor matches another warehouse's list."""
    return hmac.new(bytes.fromhex(salt), f"{kind}\x00{key}".encode(), hashlib.sha256).hexdigest()


def is_reference(table: str, column: str) -> bool:
    """A column that only points at a lead from a row that is not the lead's: erasing the
    lead sets it to NULL instead of removing the row (an opportunity stays the account's)."""
    return column == "acquisition_lead_id" or (column == "lead_id" and "opportunit" in table)


def identifying_columns(table: str, columns: Iterable[str]) -> dict[str, str]:
    """{column: kind} of the identifying columns of `table` (a bare table name)."""
    found = {name: ERASED_COLUMNS[name] for name in columns if name in ERASED_COLUMNS}
    if table in AD_ACCOUNT_TABLES:
        found.pop("account_id", None)
    return found


@dataclass(frozen=True)
class Suppression:
    """The suppression list of a warehouse: salt and hashes per kind."""

    salt: str
    hashes: dict[str, frozenset[str]]

    def __bool__(self) -> bool:
        return any(self.hashes.values())

    def is_suppressed(self, kind: str, value: Any) -> bool:
        hashes = self.hashes.get(kind)
        if not hashes or value is None or value == "":
            return False
        return key_hash(self.salt, kind, str(value)) in hashes

    def clean_row(self, table: str, row: dict[str, Any]) -> dict[str, Any] | None:
        """The row as it may land: None when it belongs to an erased key, else with its
        references to erased leads set to NULL."""
        cleared = []
        for column, kind in identifying_columns(table, row).items():
            if self.is_suppressed(kind, row[column]):
                if not is_reference(table, column):
                    return None
                cleared.append(column)
        if cleared:
            row = {**row, **dict.fromkeys(cleared)}
        return row

    def clean_arrow(self, table: str, data):
        """clean_row over an Arrow table (the file drop's staged Parquet), by column."""
        import pyarrow as pa
        import pyarrow.compute as pc

        keep = None
        for column, kind in identifying_columns(table, data.column_names).items():
            hashes = self.hashes.get(kind)
            if not hashes:
                continue
            values = data.column(column)
            distinct = [v for v in pc.unique(values).to_pylist() if v not in (None, "")]
            erased = [v for v in distinct if self.is_suppressed(kind, v)]
            if not erased:
                continue
            hit = pc.fill_null(pc.is_in(values, value_set=pa.array(erased, values.type)), False)
            if is_reference(table, column):
                index = data.column_names.index(column)
                data = data.set_column(
                    index, data.field(column), pc.if_else(hit, pa.scalar(None, values.type), values)
                )
            else:
                keep = pc.invert(hit) if keep is None else pc.and_(keep, pc.invert(hit))
        return data if keep is None else data.filter(keep)


def load_suppression(con) -> Suppression | None:
    """The warehouse's suppression list, or None when nothing was ever erased."""
    if not con.has_table("audit", "erasure_suppressions") or not con.has_table(
        "audit", "erasure_salt"
    ):
        return None
    salt = con.execute("select salt from audit.erasure_salt").fetchone()
    if salt is None:
        return None
    hashes: dict[str, set[str]] = {}
    for kind, digest in con.execute(
        "select key_kind, key_hash from audit.erasure_suppressions"
    ).fetchall():
        hashes.setdefault(kind, set()).add(digest)
    return Suppression(salt[0], {kind: frozenset(v) for kind, v in hashes.items()})


def erased_keys(warehouse: Warehouse) -> Suppression | None:
    """The suppression list of the warehouse, or None (no warehouse yet, nothing erased)."""
    if not warehouse.exists():
        return None
    # read-only: a load step must not write the warehouse before dlt does (a full disk would
    # then fail it elsewhere than in its load)
    with warehouse.connect(read_only=True) as con:
        return load_suppression(con)


def suppress_erased(source, warehouse: Warehouse):
    """Keep erased keys out of a dlt source (file drop or live connector) before it lands:
    every resource drops the rows that belong to an erased account, lead or opportunity and
    clears references to an erased lead. A warehouse without erasures is left untouched."""
    suppression = erased_keys(warehouse)
    if not suppression:
        return source
    for resource in source.resources.values():
        resource.add_yield_map(_suppressing(suppression, resource.name))
    return source


def _suppressing(suppression: Suppression, table: str):
    def clean(item):
        if isinstance(item, dict):
            row = suppression.clean_row(table, item)
            if row is not None:
                yield row
        elif hasattr(item, "column_names"):  # an Arrow table or record batch
            yield suppression.clean_arrow(table, item)
        else:
            yield item

    return clean
