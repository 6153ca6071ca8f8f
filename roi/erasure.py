"""`roi forget`: honour an erasure request for one CRM account (a company) or one lead (a person).

What an erasure removes, everywhere the warehouse keeps it (every base table of every schema:
raw, dlt's `<dataset>_staging`, the dbt models, the candidate and published marts, the
quarantine), in one transaction (on Spark, which has none, table by table: each table
that loses rows is written anew without them, and an interrupted erasure finishes when run
again):

- an account: the account, the leads converted into it, its opportunities, its orders, its
  tickets, and the follow-up activities of those leads and opportunities (a lead its
  opportunities name that converted elsewhere, or never, is another person: it stays);
- a lead: the lead and its activities. Opportunities that name the lead stay (they belong to
  the account, and finance keeps counting them) with their `lead_id` set to NULL, and so does
  `acquisition_lead_id` of the account it converted into.

A table takes part through its identifying columns (ERASED_COLUMNS), whatever its schema, so
a model added later is covered as soon as it carries one of them. Aggregates that counted the
erased rows (mart_project_roi and the other per-project marts) are not personal data: the next
run recomputes them without those rows.

The erased keys go into a suppression list of HMAC-SHA-256 hashes (a random key per warehouse,
`audit.erasure_salt`), which every load applies (`suppress_erased`): a later drop or API page
that sends an erased account, lead or opportunity again, or a row belonging to one, never
lands in raw. `audit.erasures` records that an erasure happened, when, by whom and how many
rows each table lost, with the key's hash only.

Files a run leaves beside the warehouse are cleaned too: the staged Parquet of past drops is
rewritten without the rows, dlt's kept load packages (copies of loaded rows) are removed, and
per-run docs pages and reports that name an erased key are removed; any other file still
naming one is listed in the result.
"""

from __future__ import annotations

import datetime as dt
import getpass
import gzip
import json
import os
import re
import secrets
import shutil
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from foundation.errors import RoiError
from foundation.warehouse import Warehouse
from ingestion.suppression import (
    ERASED_COLUMNS,
    SUPPRESSED_KINDS,
    Suppression,
    identifying_columns,
    is_reference,
    key_hash,
    load_suppression,
)

KINDS = ("account", "lead")
# Tables whose free text may quote a record key (quarantine detail, check observations).
KEY_TEXT_COLUMNS = ("record_key", "detail")
ERASED_TEXT = "[erased]"
SYSTEM_SCHEMAS = frozenset({"information_schema", "pg_catalog", "pg_toast"})
GZIP_MAGIC = b"\x1f\x8b"
TEXT_TYPES = frozenset({"VARCHAR", "TEXT", "CHARACTER VARYING", "STRING"})


# --------------------------------------------------------------------------- the erasure


@dataclass
class ErasureResult:
    erasure_id: str | None
    kind: str
    key_hash: str
    requested_by: str
    requested_at: dt.datetime
    already_erased_by: str | None = None
    rows_removed: dict[str, int] = field(default_factory=dict)
    rows_anonymised: dict[str, int] = field(default_factory=dict)
    files_cleaned: list[Path] = field(default_factory=list)
    files_left: list[Path] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.rows_removed or self.rows_anonymised or self.files_cleaned)

    def summary(self) -> str:
        if self.erasure_id is None:
            earlier = (
                f" (erased by erasure {self.already_erased_by})" if self.already_erased_by else ""
            )
            text = f"{self.kind} already absent{earlier}: nothing in the warehouse held it; "
            if self.files_cleaned:
                text += f"cleaned {len(self.files_cleaned)} file(s) that still named it"
            else:
                text += "nothing changed"
        elif not self.changed:
            text = (
                f"erasure {self.erasure_id}: no row of the warehouse held this {self.kind}; "
                "its hashed key is on the suppression list, so no later load brings it; "
                "recorded in audit.erasures"
            )
        else:
            removed = sum(self.rows_removed.values())
            anonymised = sum(self.rows_anonymised.values())
            text = (
                f"erasure {self.erasure_id}: removed {removed} row(s) from "
                f"{len(self.rows_removed)} table(s)"
                + (f", cleared {anonymised} reference(s)" if anonymised else "")
                + (f", cleaned {len(self.files_cleaned)} file(s)" if self.files_cleaned else "")
                + f"; recorded in audit.erasures (key hash {self.key_hash[:16]}...)"
            )
            lines = [text]
            lines += [f"  {table}: {n} row(s) removed" for table, n in self.rows_removed.items()]
            lines += [
                f"  {column}: {n} reference(s) set to NULL"
                for column, n in self.rows_anonymised.items()
            ]
            lines.append(
                "  aggregates (mart_project_roi and the per-project marts) still count the "
                "erased rows until the next run recomputes them"
            )
            text = "\n".join(lines)
        for path in self.files_left:
            text += f"\n  warning: {path} still names the erased key: delete it by hand"
        return text


def requester(explicit: str | None = None) -> str:
    if explicit and explicit.strip():
        return explicit.strip()
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER") or "unknown"


def forget(
    warehouse: Warehouse,
    kind: str,
    key: str,
    requested_by: str | None = None,
    report_dir: Path | None = None,
) -> ErasureResult:
    """Erase an account or a lead from the warehouse and its files, and keep it out of later
    loads (see the module docstring). Holds the warehouse's lock like a run; a second call
    for the same key changes nothing and says so."""
    # imported here: loads import this module for `suppress_erased`, and only `roi forget`
    # creates the erasure tables
    from foundation.lock import warehouse_lock
    from foundation.progress import say
    from orchestration.audit_store import ERASURE_TABLES, ensure_tables

    if kind not in KINDS:
        raise RoiError(f"unknown erasure kind {kind!r}: expected one of {', '.join(KINDS)}")
    key = key.strip()
    if not key:
        raise RoiError(f"--{kind} needs the {kind}'s id")
    if not warehouse.exists():
        raise RoiError(f"no warehouse at {warehouse}: nothing to erase from")
    erasure_id = str(uuid.uuid4())
    now = dt.datetime.now(dt.UTC)
    with warehouse_lock(warehouse, f"erasure {erasure_id}", on_wait=say):
        with warehouse.connect() as con:
            ensure_tables(con, ERASURE_TABLES)
            with con.transaction():
                salt = _salt(con)
                result = ErasureResult(
                    erasure_id, kind, key_hash(salt, kind, key), requester(requested_by), now
                )
                tables = _tables(con)
                keys = _erased_keys(con, tables, kind, key)
                _erase_rows(con, tables, keys, result)
                _erase_key_text(con, tables, keys, result)
                new_hashes = _suppress(con, salt, kind, keys, erasure_id, now)
                if result.changed or new_hashes:
                    _rebase_row_counts(con, result, erasure_id, now)
                    _record(con, result)
                else:
                    result.erasure_id = None
                    result.already_erased_by = _earlier_erasure(con, kind, result.key_hash)
            suppression = load_suppression(con)
        files = _clean_files(warehouse, suppression, keys, report_dir)
        result.files_cleaned, result.files_left = files
        if result.files_cleaned and result.erasure_id is not None:
            with warehouse.connect() as con:
                con.set_column(
                    "audit",
                    "erasures",
                    "files_cleaned",
                    len(result.files_cleaned),
                    "erasure_id = ?",
                    [result.erasure_id],
                )
    return result


def _salt(con) -> str:
    row = con.execute("select salt from audit.erasure_salt").fetchone()
    if row is not None:
        return row[0]
    salt = secrets.token_hex(32)
    con.execute("insert into audit.erasure_salt (salt) values (?)", [salt])
    return salt


@dataclass(frozen=True)
class Table:
    schema: str
    name: str
    columns: dict[str, str]  # column -> upper-case data type
    qualified: str  # schema.name, quoted as the warehouse's engine quotes names

    @property
    def label(self) -> str:
        return f"{self.schema}.{self.name}"

    def text_columns(self, names: Iterable[str]) -> list[str]:
        return [n for n in names if n in self.columns and self.columns[n] in TEXT_TYPES]


def _tables(con) -> list[Table]:
    """Every base table (views read them) outside the system schemas and dlt's bookkeeping."""
    return [
        Table(schema, table, columns, f"{con.quote(schema)}.{con.quote(table)}")
        for (schema, table), columns in con.base_tables().items()
        if schema not in SYSTEM_SCHEMAS and not table.startswith("_dlt")
    ]


def _values_in(con, table: Table, column: str, where: str, params: list) -> set[str]:
    rows = con.execute(
        f"select distinct {con.quote(column)} from {table.qualified} "
        f"where {where} and {con.quote(column)} is not null",
        params,
    ).fetchall()
    return {str(value) for (value,) in rows}


def _erased_keys(con, tables: list[Table], kind: str, key: str) -> dict[str, set[str]]:
    """Every key the erasure takes away, by kind, found in whichever tables hold them."""
    keys: dict[str, set[str]] = {k: set() for k in set(ERASED_COLUMNS.values())}
    keys[kind].add(key)

    def collect(target: str, through: dict[str, str]) -> None:
        """Add the `target` kind's keys of rows whose `through` columns name erased keys."""
        for table in tables:
            columns = identifying_columns(table.name, table.columns)
            targets = [
                c for c, k in columns.items() if k == target and c in table.text_columns([c])
            ]
            if not targets:
                continue
            for column, via_kind in through.items():
                if column not in columns or not keys[via_kind]:
                    continue
                if is_reference(table.name, column) or column not in table.text_columns([column]):
                    continue
                found = list(keys[via_kind])
                marks = ", ".join("?" * len(found))
                for target_column in targets:
                    if is_reference(table.name, target_column):
                        continue
                    keys[target] |= _values_in(
                        con, table, target_column, f"{con.quote(column)} in ({marks})", found
                    )

    if kind == "account":
        collect("opportunity", {"account_id": "account"})
        collect("lead", {"converted_account_id": "account"})
        collect("order", {"account_id": "account", "opportunity_id": "opportunity"})
        collect("ticket", {"account_id": "account"})
    collect("activity", {"lead_id": "lead", "opportunity_id": "opportunity"})
    return keys


def _erase_rows(con, tables: list[Table], keys: dict[str, set[str]], result) -> None:
    for table in tables:
        columns = identifying_columns(table.name, table.columns)
        owners, references = [], []
        for column, column_kind in columns.items():
            if not keys[column_kind] or column not in table.text_columns([column]):
                continue
            (references if is_reference(table.name, column) else owners).append(column)
        if owners:
            params: list[str] = []
            tests = []
            for column in owners:
                found = sorted(keys[columns[column]])
                tests.append(f"{con.quote(column)} in ({', '.join('?' * len(found))})")
                params += found
            where = " or ".join(tests)
            count = con.execute(f"select count(*) from {table.qualified} where {where}", params)
            count = count.fetchone()[0]
            if count:
                con.delete_rows(table.schema, table.name, where, params)
                result.rows_removed[table.label] = count
        for column in references:
            found = sorted(keys[columns[column]])
            where = f"{con.quote(column)} in ({', '.join('?' * len(found))})"
            count = con.execute(f"select count(*) from {table.qualified} where {where}", found)
            count = count.fetchone()[0]
            if count:
                con.set_column(table.schema, table.name, column, None, where, found)
                result.rows_anonymised[f"{table.label}.{column}"] = count


def key_pattern(keys: Iterable[str]) -> re.Pattern | None:
    """A pattern matching any of the keys as a whole token of free text (`order_id=O-7`,
    `account_id A-1, which ...`), not inside a longer key (A-1 in A-10)."""
    alternatives = sorted({k for k in keys if k}, key=len, reverse=True)
    if not alternatives:
        return None
    return re.compile(
        r"(?<![\w.\-])(?:" + "|".join(re.escape(k) for k in alternatives) + r")(?![\w\-]|\.\w)"
    )


def _erase_key_text(con, tables: list[Table], keys: dict[str, set[str]], result) -> None:
    """Rows whose record key or detail names an erased key (the quarantine, in the audit
    schema and in the intermediate model) go; check observations naming one are masked."""
    pattern = key_pattern(k for values in keys.values() for k in values)
    if pattern is None:
        return
    for table in tables:
        text_columns = table.text_columns(KEY_TEXT_COLUMNS)
        if "record_key" not in text_columns:
            continue
        selected = ", ".join(con.quote(c) for c in text_columns)
        rows = con.execute(f"select distinct {selected} from {table.qualified}").fetchall()
        doomed = [row for row in rows if any(v and pattern.search(str(v)) for v in row)]
        if not doomed:
            continue
        # one statement for all of them: on Spark each delete writes the table anew
        tests, params = [], []
        for row in doomed:
            tests.append(
                "("
                + " and ".join(
                    f"{con.quote(c)} is null" if v is None else f"{con.quote(c)} = ?"
                    for c, v in zip(text_columns, row, strict=True)
                )
                + ")"
            )
            params += [v for v in row if v is not None]
        where = " or ".join(tests)
        removed = con.execute(
            f"select count(*) from {table.qualified} where {where}", params
        ).fetchone()[0]
        if removed:
            con.delete_rows(table.schema, table.name, where, params)
            result.rows_removed[table.label] = result.rows_removed.get(table.label, 0) + removed
    if con.has_table("audit", "check_results"):
        rows = con.execute(
            "select distinct observed_value from audit.check_results "
            "where observed_value is not null"
        ).fetchall()
        masked = 0
        for (observed,) in rows:
            if pattern.search(observed):
                masked += con.execute(
                    "select count(*) from audit.check_results where observed_value = ?",
                    [observed],
                ).fetchone()[0]
                con.set_column(
                    "audit",
                    "check_results",
                    "observed_value",
                    pattern.sub(ERASED_TEXT, observed),
                    "observed_value = ?",
                    [observed],
                )
        if masked:
            result.rows_anonymised["audit.check_results.observed_value"] = masked


def _suppress(con, salt, kind, keys, erasure_id, now) -> list[tuple[str, str]]:
    """Add the erased keys of the suppressed kinds to the list; return the new entries."""
    existing = {
        (k, h)
        for k, h in con.execute(
            "select key_kind, key_hash from audit.erasure_suppressions"
        ).fetchall()
    }
    wanted = {(k, key_hash(salt, k, value)) for k in SUPPRESSED_KINDS for value in keys[k]}
    new = sorted(wanted - existing)
    con.executemany(
        "insert into audit.erasure_suppressions values (?, ?, ?, ?)",
        [(k, h, erasure_id, now) for k, h in new],
    )
    return new


def _earlier_erasure(con, kind: str, digest: str) -> str | None:
    row = con.execute(
        "select erasure_id from audit.erasure_suppressions where key_kind = ? and key_hash = ? "
        "order by suppressed_at limit 1",
        [kind, digest],
    ).fetchone()
    return row[0] if row else None


def _rebase_row_counts(con, result: ErasureResult, erasure_id: str, now) -> None:
    """The checks that a table never shrinks compare with the last count in audit.table_rows:
    record the counts after the erasure, so that the next run is not failed by it."""
    if not con.has_table("audit", "table_rows"):
        return
    measured = {
        name
        for (name,) in con.execute("select distinct table_name from audit.table_rows").fetchall()
    }
    for table in sorted(set(result.rows_removed) & measured):
        schema, name = table.split(".", 1)
        count = con.execute(
            f"select count(*) from {con.quote(schema)}.{con.quote(name)}"
        ).fetchone()[0]
        con.execute(
            "insert into audit.table_rows (run_id, table_name, row_count, measured_at) "
            "values (?, ?, ?, ?)",
            [f"erasure {erasure_id}", table, count, now],
        )


def _record(con, result: ErasureResult) -> None:
    tables = {"removed": result.rows_removed, "anonymised": result.rows_anonymised}
    con.execute(
        "insert into audit.erasures values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            result.erasure_id,
            result.requested_at,
            result.requested_by,
            result.kind,
            result.key_hash,
            sum(result.rows_removed.values()),
            sum(result.rows_anonymised.values()),
            json.dumps(tables, sort_keys=True),
            0,
        ],
    )


# --------------------------------------------------------------------------- files


def _clean_files(
    warehouse: Warehouse,
    suppression: Suppression | None,
    keys: dict[str, set[str]],
    report_dir: Path | None,
) -> tuple[list[Path], list[Path]]:
    """Clean what runs left beside the warehouse; return (files cleaned, files still naming
    an erased key)."""
    from reporting import default_report_dir

    pattern = key_pattern(k for values in keys.values() for k in values)
    if pattern is None:
        return [], []
    cleaned: list[Path] = []
    state = warehouse.state_dir
    cleaned += _clean_staged_drops(state / "staged", suppression)
    cleaned += _remove_load_packages(state / "dlt", pattern)
    # expanded: ROI_REPORT_DIR may be given as ~/...
    folders = [state / "docs", report_dir or default_report_dir(warehouse).expanduser()]
    for folder in folders:
        for path in _files(folder):
            if path.suffix.lower() in (".html", ".json", ".md", ".csv", ".txt") and _mentions(
                path, pattern
            ):
                path.unlink()
                cleaned.append(path)
    # each file read once: the docs folder is inside the state folder, and so may be reports
    remaining = {path for folder in (state, *folders) for path in _files(folder)}
    return cleaned, sorted(path for path in remaining if _mentions(path, pattern))


def _files(folder: Path) -> Iterator[Path]:
    if folder.is_dir():
        yield from (path for path in folder.rglob("*") if path.is_file())


def _clean_staged_drops(folder: Path, suppression: Suppression | None) -> list[Path]:
    """Staged Parquet of past drops (kept to debug a load): rewritten without erased rows."""
    import pyarrow.parquet as pq

    if suppression is None:
        return []
    cleaned = []
    for path in sorted(folder.glob("*/*.parquet")) if folder.is_dir() else []:
        table_name = path.stem.split(".", 1)[-1]
        data = pq.read_table(path)
        kept = suppression.clean_arrow(table_name, data)
        if not kept.equals(data):
            written = path.with_name(path.name + ".erasing")
            pq.write_table(kept, written)
            written.replace(path)
            cleaned.append(path)
    return cleaned


def _remove_load_packages(folder: Path, pattern: re.Pattern) -> list[Path]:
    """dlt keeps a copy of the rows of every loaded package, and a failed run may leave
    packages pending (the next load would send those to the warehouse past the suppression
    list): the packages that name an erased key go. dlt needs neither to carry on: its state
    is in the warehouse and in the pipeline's folder."""
    removed = []
    if not folder.is_dir():
        return removed
    for pipeline in sorted(p for p in folder.iterdir() if p.is_dir()):
        for stage in ("load/loaded", "load/normalized", "load/new", "normalize/extracted"):
            packages = pipeline / stage
            if not packages.is_dir():
                continue
            for package in sorted(p for p in packages.iterdir() if p.is_dir()):
                files = list(_files(package))
                if any(_mentions(path, pattern) for path in files):
                    removed += files
                    shutil.rmtree(package)
    return removed


def _mentions(path: Path, pattern: re.Pattern) -> bool:
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        try:
            data = pq.read_table(path)
        except Exception:  # not readable as Parquet: look at its bytes
            pass
        else:
            return any(
                pattern.search(str(value))
                for column in data.columns
                for value in column.unique().to_pylist()
                if isinstance(value, str)
            )
    try:
        content = path.read_bytes()
        if content[:2] == GZIP_MAGIC:  # dlt compresses its jsonl and insert_values files
            content = gzip.decompress(content)
    except (OSError, EOFError, gzip.BadGzipFile):
        return False
    return bool(pattern.search(content.decode("utf-8", errors="replace")))
