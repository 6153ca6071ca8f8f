"""`roi export`: the published marts as Parquet / CSV with schema.json, on a small warehouse.

The warehouse is built here with three tables named like real marts (a few of their real
columns, with decimals, dates, timestamps, booleans, NULLs, an empty string, a comma, a quote
and Chinese text), so the descriptions and Chinese labels in schema.json can be checked
against the real dbt manifest.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from foundation.errors import RoiError
from foundation.settings import DBT_PROJECT_DIR
from roi import export as export_module
from roi.cli import main
from roi.export import export_marts, portable_type

from ..orchestration.test_audit_trail import OLD_RUNS_DDL

UTC = dt.UTC

TABLES = {
    "mart_project_roi": (
        [
            ("project_code", "varchar"),
            ("period_grain", "varchar"),
            ("period_start", "date"),
            ("project_name", "varchar"),
            ("reporting_currency", "varchar"),
            ("ad_spend", "decimal(38,9)"),
            ("revenue", "decimal(38,9)"),
            ("new_customers", "bigint"),
            ("roi", "decimal(38,9)"),
        ],
        [
            ("DE-01", "month", dt.date(2025, 1, 1), '德国, "Berlin"', "USD",
             Decimal("1234.500000000"), Decimal("12345678901234567890.123456789"), 3,
             Decimal("-0.000000001")),
            ("DE-01", "quarter", dt.date(2024, 12, 30), "德国, \"Berlin\"", "USD",
             Decimal("0"), None, 0, None),
        ],
    ),
    "mart_service": (
        [
            ("project_code", "varchar"),
            ("period_grain", "varchar"),
            ("period_start", "date"),
            ("tickets_opened", "bigint"),
            ("tickets_resolved", "bigint"),
            ("median_resolution_hours", "decimal(38,9)"),
            ("avg_satisfaction", "decimal(38,9)"),
        ],
        [
            ("BR-02", "week", dt.date(2025, 12, 29), 3, 2, Decimal("37"), Decimal("4.5")),
            ("BR-02", "month", dt.date(2025, 12, 1), 1, 0, None, None),
        ],
    ),
    "fct_tickets": (
        [
            ("ticket_id", "varchar"),
            ("account_id", "varchar"),
            ("opened_at", "timestamp with time zone"),
            ("resolved_at", "timestamp with time zone"),
            ("is_resolved", "boolean"),
            ("resolution_hours", "double precision"),
            ("satisfaction", "bigint"),
        ],
        [
            ("T1", "", dt.datetime(2026, 4, 1, 1, 0, tzinfo=UTC),
             dt.datetime(2026, 4, 1, 1, 30, 0, 250000, tzinfo=UTC), True, 0.5, 5),
            ("T2", None, dt.datetime(2026, 3, 31, 23, 59, 59, tzinfo=UTC), None, False, None,
             None),
        ],
    ),
}  # fmt: skip

ARROW_TYPES = {
    "varchar": pa.string(),
    "date": pa.date32(),
    "decimal(38,9)": pa.decimal128(38, 9),
    "bigint": pa.int64(),
    "boolean": pa.bool_(),
    "double precision": pa.float64(),
    "timestamp with time zone": pa.timestamp("us", tz="UTC"),
}


@pytest.fixture(scope="module")
def manifest() -> Path:
    path = DBT_PROJECT_DIR / "target" / "manifest.json"
    if not path.exists():
        from orchestration.dbt_project import ensure_manifest

        path = ensure_manifest()
    return path


@pytest.fixture(scope="module")
def manifest_nodes(manifest: Path) -> dict:
    data = json.loads(manifest.read_text(encoding="utf-8"))
    project = data["metadata"]["project_name"]
    return {name: data["nodes"][f"model.{project}.{name}"] for name in TABLES}


def _create_tables(con: duckdb.DuckDBPyConnection, names) -> None:
    for name in names:
        columns, rows = TABLES[name]
        con.execute(f"create table marts.{name} ({', '.join(f'{c} {t}' for c, t in columns)})")
        con.executemany(f"insert into marts.{name} values ({', '.join('?' * len(columns))})", rows)


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "wh" / "roi.duckdb"
    path.parent.mkdir()
    with duckdb.connect(str(path)) as con:
        con.execute("set TimeZone = 'Asia/Shanghai'")  # the export must not depend on it
        for schema in ("marts", "marts_candidate", "audit"):
            con.execute(f"create schema {schema}")
        _create_tables(con, TABLES)
        con.execute("create table marts_candidate.mart_funnel (leads bigint)")
        con.execute(OLD_RUNS_DDL)  # audit.runs as an earlier release made it
        con.execute(
            "insert into audit.runs (run_id, job_name, trigger, started_at, finished_at, status, "
            "failed_checks) values "
            "('run-ok', 'roi_pipeline', 'manual', '2026-05-01 06:00+00', '2026-05-01 06:05+00', "
            "'success', 0), "
            "('run-bad', 'roi_pipeline', 'schedule', '2026-05-02 06:00+00', "
            "'2026-05-02 06:04+00', 'failed', 1)"
        )
    return path


def _export(warehouse: Path, out: Path, fmt: str, manifest: Path) -> list[Path]:
    return export_marts(warehouse, out, fmt, manifest=manifest)


def test_parquet_round_trip_keeps_values_and_types(warehouse, tmp_path, manifest):
    out = tmp_path / "bi"
    written = _export(warehouse, out, "parquet", manifest)

    assert sorted(p.name for p in written) == sorted(
        [f"{name}.parquet" for name in TABLES] + ["schema.json", "schema.md"]
    )
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in written)
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")]  # no temp folder
    for name, (columns, rows) in TABLES.items():
        table = pq.read_table(out / f"{name}.parquet")
        assert table.schema.names == [c for c, _ in columns]
        assert [table.schema.field(c).type for c, _ in columns] == [
            ARROW_TYPES[t] for _, t in columns
        ]
        assert [tuple(r.values()) for r in table.to_pylist()] == rows


def _parse(text: str, sql_type: str):
    if sql_type == "varchar":
        return text
    if text == "":
        return None
    return {
        "date": dt.date.fromisoformat,
        "decimal(38,9)": Decimal,
        "bigint": int,
        "double precision": float,
        "boolean": {"true": True, "false": False}.__getitem__,
        "timestamp with time zone": dt.datetime.fromisoformat,
    }[sql_type](text)


def test_csv_round_trip_iso_dates_nulls_and_exact_decimals(warehouse, tmp_path, manifest):
    out = tmp_path / "bi"
    written = _export(warehouse, out, "csv", manifest)

    assert sorted(p.name for p in written) == sorted(
        [f"{name}.csv" for name in TABLES] + ["schema.json", "schema.md"]
    )
    for name, (columns, rows) in TABLES.items():
        with (out / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            assert next(reader) == [c for c, _ in columns]
            parsed = [
                tuple(_parse(text, t) for text, (_, t) in zip(line, columns, strict=True))
                for line in reader
            ]
        # csv.reader cannot tell "" from an empty field: NULL varchars are checked below.
        assert parsed == [
            tuple(
                "" if v is None and t == "varchar" else v
                for v, (_, t) in zip(row, columns, strict=True)
            )
            for row in rows
        ]

    roi_lines = (out / "mart_project_roi.csv").read_text(encoding="utf-8").splitlines()
    # ISO dates, '.' decimals at the column's scale, NULL as an empty field, text quoted.
    assert roi_lines[0] == (
        '"project_code","period_grain",period_start,"project_name","reporting_currency",'
        "ad_spend,revenue,new_customers,roi"
    )
    assert roi_lines[1] == (
        '"DE-01","month",2025-01-01,"德国, ""Berlin""","USD",1234.500000000,'
        "12345678901234567890.123456789,3,-0.000000001"
    )
    assert roi_lines[2] == '"DE-01","quarter",2024-12-30,"德国, ""Berlin""","USD",0.000000000,,0,'
    ticket_lines = (out / "fct_tickets.csv").read_text(encoding="utf-8").splitlines()
    # An empty string is "" and a NULL is nothing; timestamps are ISO-8601 in UTC.
    assert ticket_lines[1] == (
        '"T1","",2026-04-01T01:00:00.000000Z,2026-04-01T01:30:00.250000Z,true,0.5,5'
    )
    assert ticket_lines[2] == '"T2",,2026-03-31T23:59:59.000000Z,,false,,'


def test_schema_json_describes_every_table_from_the_dbt_manifest(
    warehouse, tmp_path, manifest, manifest_nodes
):
    out = tmp_path / "bi"
    _export(warehouse, out, "parquet", manifest)
    schema = json.loads((out / "schema.json").read_text(encoding="utf-8"))

    assert schema["format"] == "parquet"
    assert schema["schema"] == "marts"
    assert schema["last_run_id"] == "run-bad"
    assert schema["last_run_status"] == "failed"
    assert schema["last_successful_run_id"] == "run-ok"
    assert dt.datetime.fromisoformat(schema["exported_at"]).tzinfo is not None
    assert schema["warehouse"] == str(warehouse.resolve())
    # Only the published schema: marts_candidate.mart_funnel is not exported.
    assert [t["name"] for t in schema["tables"]] == sorted(TABLES)
    for table in schema["tables"]:
        columns, rows = TABLES[table["name"]]
        node = manifest_nodes[table["name"]]
        assert table["file"] == f"{table['name']}.parquet"
        assert table["rows"] == len(rows)
        assert table["description"] == node["description"] and table["description"]
        assert table["label_zh"] == node["meta"]["label_zh"]
        assert [c["name"] for c in table["columns"]] == [c for c, _ in columns]
        for column in table["columns"]:
            documented = node["columns"][column["name"]]
            assert column["description"] == documented["description"]
            assert column["description"]
            assert column["label_zh"] == documented["meta"]["label_zh"]
    by_name = {t["name"]: {c["name"]: c for c in t["columns"]} for t in schema["tables"]}
    service = by_name["mart_service"]
    assert service["period_start"]["label_zh"] == "周期开始日期"
    assert (service["period_start"]["type"], service["period_start"]["duckdb_type"]) == (
        "date",
        "DATE",
    )
    assert service["median_resolution_hours"]["type"] == "decimal(38,9)"
    assert service["tickets_opened"]["type"] == "integer"
    # not_null constraints and not_null tests (blocking before publishing) make a column
    # non-nullable; the others may hold NULL.
    assert not service["project_code"]["nullable"]
    assert not service["tickets_opened"]["nullable"]
    assert service["median_resolution_hours"]["nullable"]
    tickets = by_name["fct_tickets"]
    assert [tickets[c]["type"] for c in ("opened_at", "is_resolved", "resolution_hours")] == [
        "timestamp",
        "boolean",
        "double",
    ]
    assert tickets["resolved_at"]["nullable"]

    markdown = (out / "schema.md").read_text(encoding="utf-8")
    assert "## mart_service (客户服务)" in markdown
    assert "| `period_start` | 周期开始日期 | date | DATE | no |" in markdown


def test_a_new_export_replaces_the_files_of_the_previous_one(warehouse, tmp_path, manifest):
    out = tmp_path / "bi"
    _export(warehouse, out, "csv", manifest)
    (out / "notes.txt").write_text("mine")
    with duckdb.connect(str(warehouse)) as con:
        con.execute("drop table marts.fct_tickets")
    _export(warehouse, out, "parquet", manifest)

    assert sorted(p.name for p in out.iterdir()) == [
        "mart_project_roi.parquet",
        "mart_service.parquet",
        "notes.txt",
        "schema.json",
        "schema.md",
    ]


def test_a_failed_export_leaves_the_previous_files_untouched(
    warehouse, tmp_path, manifest, monkeypatch
):
    out = tmp_path / "bi"
    _export(warehouse, out, "parquet", manifest)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    with duckdb.connect(str(warehouse)) as con:
        con.execute("insert into marts.mart_service select * from marts.mart_service")
    describe = export_module._describe_table

    def fail_on_the_last_table(manifest_data, project, name, *args):
        if name == "mart_service":
            raise OSError("disk full")
        return describe(manifest_data, project, name, *args)

    monkeypatch.setattr(export_module, "_describe_table", fail_on_the_last_table)
    with pytest.raises(OSError, match="disk full"):
        _export(warehouse, out, "parquet", manifest)

    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")]


def test_cli_export_prints_what_it_wrote(warehouse, tmp_path, manifest, monkeypatch, capsys):
    monkeypatch.setattr(export_module, "default_manifest", lambda: manifest)
    out = tmp_path / "bi"
    code = main(["export", "--format", "csv", "--out", str(out), "--warehouse", str(warehouse)])

    assert code == 0
    printed = capsys.readouterr().out
    assert "exported 3 table(s) of schema marts as csv" in printed
    assert str(out.resolve() / "mart_project_roi.csv") in printed
    assert str(out.resolve() / "schema.json") in printed


def test_missing_warehouse_is_an_error_and_is_not_created(tmp_path, manifest, capsys):
    missing = tmp_path / "nowhere" / "roi.duckdb"
    with pytest.raises(RoiError, match="no warehouse at"):
        _export(missing, tmp_path / "bi", "parquet", manifest)

    code = main(["export", "--format", "parquet", "--out", str(tmp_path / "bi"),
                 "--warehouse", str(missing)])  # fmt: skip
    assert code == 2
    assert f"no warehouse at {missing}" in capsys.readouterr().err
    assert not missing.exists() and not missing.parent.exists()
    assert not (tmp_path / "bi").exists()


@pytest.mark.parametrize("schema_exists", [False, True])
def test_no_published_marts_is_an_error(tmp_path, manifest, capsys, schema_exists):
    path = tmp_path / "roi.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts_candidate")
        con.execute("create table marts_candidate.mart_service (project_code varchar)")
        if schema_exists:
            con.execute("create schema marts")
    with pytest.raises(RoiError, match="no published marts"):
        _export(path, tmp_path / "bi", "csv", manifest)
    assert not (tmp_path / "bi").exists()

    code = main(["export", "--format", "csv", "--out", str(tmp_path / "bi"),
                 "--warehouse", str(path)])  # fmt: skip
    assert code == 2
    assert "no published marts" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("duckdb_type", "portable"),
    [
        ("VARCHAR", "string"),
        ("BIGINT", "integer"),
        ("INTEGER", "integer"),
        ("DECIMAL(38,9)", "decimal(38,9)"),
        ("DOUBLE", "double"),
        ("BOOLEAN", "boolean"),
        ("DATE", "date"),
        ("TIMESTAMP", "timestamp"),
        ("TIMESTAMP WITH TIME ZONE", "timestamp"),
        ("UUID", "string"),
    ],
)
def test_portable_type(duckdb_type, portable):
    assert portable_type(duckdb_type) == portable


# Text a spreadsheet would run as a formula, next to numbers (negative ones too) that must
# stay numbers; the project code column is text, so '-7' there is guarded.
HOSTILE_ROWS = [
    ("P1", '=HYPERLINK("http://evil.example","open")', Decimal("-1.50"), -3, 0.5),
    ("P2", "+1+1", Decimal("0.25"), 2, -0.5),
    ("P3", "@SUM(A1:A9)", Decimal("0"), 0, None),
    ("P4", "\t=1+1", Decimal("1"), 1, 1.0),
    ("P5", "\r=1+1", None, None, 2.0),
    ("P6", "'=already quoted once", Decimal("2"), 5, 3.0),
    ("P7", "it's -fine, a=b", Decimal("3"), 6, 4.0),
    ("-7", "", Decimal("-4.00"), -8, -1.25),
    ("P9", None, Decimal("5"), 9, 0.0),
]


@pytest.fixture
def hostile_warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "hostile" / "roi.duckdb"
    path.parent.mkdir()
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.mart_project_roi (project_code varchar, project_name varchar, "
            "roi decimal(10,2), new_customers bigint, payback double)"
        )
        con.executemany("insert into marts.mart_project_roi values (?, ?, ?, ?, ?)", HOSTILE_ROWS)
    return path


def test_csv_text_that_a_spreadsheet_would_run_is_written_as_text(
    hostile_warehouse, tmp_path, manifest
):
    out = tmp_path / "bi"
    _export(hostile_warehouse, out, "csv", manifest)

    # OWASP: a ' before = + - @ TAB CR (one more ' after leading ones), text always quoted;
    # numbers, negative ones included, as they are.
    assert (out / "mart_project_roi.csv").read_bytes().decode("utf-8") == (
        '"project_code","project_name",roi,new_customers,payback\n'
        '"P1","\'=HYPERLINK(""http://evil.example"",""open"")",-1.50,-3,0.5\n'
        '"P2","\'+1+1",0.25,2,-0.5\n'
        '"P3","\'@SUM(A1:A9)",0.00,0,\n'
        '"P4","\'\t=1+1",1.00,1,1.0\n'
        '"P5","\'\r=1+1",,,2.0\n'
        '"P6","\'\'=already quoted once",2.00,5,3.0\n'
        '"P7","it\'s -fine, a=b",3.00,6,4.0\n'
        '"\'-7","",-4.00,-8,-1.25\n'
        '"P9",,5.00,9,0.0\n'
    )
    schema_md = (out / "schema.md").read_text(encoding="utf-8")
    assert "**Formula guard** (OWASP, CSV injection)" in schema_md
    schema = json.loads((out / "schema.json").read_text(encoding="utf-8"))
    assert schema["csv"]["formula_guard"] == export_module.CSV_DIALECT["formula_guard"]


def test_parquet_keeps_text_that_looks_like_a_formula_as_it_is(
    hostile_warehouse, tmp_path, manifest
):
    out = tmp_path / "bi"
    _export(hostile_warehouse, out, "parquet", manifest)

    table = pq.read_table(out / "mart_project_roi.parquet")
    assert [tuple(r.values()) for r in table.to_pylist()] == HOSTILE_ROWS
    assert "Formula guard" not in (out / "schema.md").read_text(encoding="utf-8")


def _modes(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): oct(path.stat().st_mode & 0o777)
        for path in [folder, *folder.rglob("*")]
    }


def test_export_files_are_private_whatever_the_umask(warehouse, tmp_path, manifest):
    # GIVEN a process whose umask lets everyone read (the library called without `roi`)
    previous = os.umask(0o022)
    try:
        out = tmp_path / "bi"
        _export(warehouse, out, "csv", manifest)
        # an export folder of an earlier version, readable by everyone, files too
        out.chmod(0o755)
        (out / "fct_tickets.csv").chmod(0o644)
        shared = tmp_path / "shared"
        shared.mkdir(mode=0o755)
        _export(warehouse, out, "csv", manifest)
        _export(warehouse, shared, "parquet", manifest)
    finally:
        os.umask(previous)

    assert _modes(out) == {
        ".": "0o700",
        **{f"{name}.csv": "0o600" for name in TABLES},
        "schema.json": "0o600",
        "schema.md": "0o600",
    }
    # a folder the user made (maybe shared on purpose) keeps its mode; the files are private
    assert _modes(shared) == {
        ".": "0o755",
        **{f"{name}.parquet": "0o600" for name in TABLES},
        "schema.json": "0o600",
        "schema.md": "0o600",
    }
