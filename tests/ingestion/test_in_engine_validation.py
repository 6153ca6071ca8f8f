"""The DuckDB fast path of `stage_drop` (ingestion/files/in_engine.py) against the Python
validator (validate.read_file): on every file it accepts, the staged Parquet equals what the
Python path stages (schema, nullability and every value); it never accepts a file Python
rejects; and the drop's verdict and messages are the Python path's, file for file."""

from __future__ import annotations

import codecs
import itertools
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from foundation.errors import DropRejected
from ingestion.file_contract import FILE_SPECS, SPECS_BY_FILE
from ingestion.files import file_drop_source, stage_drop, staged_file
from ingestion.files.in_engine import InEngineStager, _scan
from ingestion.files.validate import read_drop, read_file
from ingestion.suppression import Suppression, key_hash
from synthetic.generator import generate_drop

from ..drops import FIXTURES, header

FAST, PYTHON = "fast", "python"


def write_files(folder: Path, **files: str | bytes) -> Path:
    """A drop of header-only files but for `files` (name without .csv: text or raw bytes,
    written as given: no newline added or translated)."""
    folder.mkdir(parents=True, exist_ok=True)
    for spec in FILE_SPECS:
        content = files.pop(spec.file_name.removesuffix(".csv"), None)
        if content is None:
            content = ",".join(spec.column_names) + "\n"
        if isinstance(content, str):
            content = content.encode("utf-8")
        (folder / spec.file_name).write_bytes(content)
    assert not files, f"unknown files {sorted(files)}"
    return folder


def both_paths(tmp_path: Path, drop: Path, clean=None) -> dict[str, str]:
    """Run the fast path and the Python path on every file of `drop`; assert that whatever
    the fast path accepts, Python accepts and stages identically. Returns which path each
    file took in stage_drop (FAST or PYTHON)."""
    out = tmp_path / "fast-out"
    out.mkdir(exist_ok=True)
    taken = {}
    with InEngineStager(out) as engine:
        for spec in FILE_SPECS:
            target = out / f"{spec.file_name}.parquet"
            staged = engine.stage(drop, spec, target, clean)
            table, problems = read_file(drop, spec)
            if staged is None:
                taken[spec.file_name] = PYTHON
                assert not target.exists()
                continue
            taken[spec.file_name] = FAST
            assert problems == [], spec.file_name  # never accepts what Python rejects
            assert staged[0] == table.num_rows
            if clean is not None:
                table = clean(spec.table, table)
            written = pq.read_table(target)
            assert written.schema.equals(table.schema), (spec.file_name, written.schema)
            assert written.equals(table), spec.file_name
            assert staged[1] == table.num_rows
    assert [p.name for p in out.iterdir() if p.name.startswith(".duckdb")] == []
    return taken


def assert_stage_drop_as_python(tmp_path: Path, drop: Path) -> None:
    """stage_drop (fast path first) stages what the Python path alone stages, or rejects
    the drop with exactly the Python path's problems."""
    staged = tmp_path / "staged"
    try:
        expected = read_drop(drop)
    except DropRejected as python_rejected:
        with pytest.raises(DropRejected) as caught:
            stage_drop(drop, staged)
        assert str(caught.value) == str(python_rejected)
        assert caught.value.problems == python_rejected.problems
        assert not staged.exists()  # a rejected drop leaves no staged file
        return
    counts = stage_drop(drop, staged)
    assert counts == {name: table.num_rows for name, table in expected.items()}
    for spec in FILE_SPECS:
        table = pq.read_table(staged_file(staged, spec))
        assert table.schema.equals(expected[spec.file_name].schema), spec.file_name
        assert table.equals(expected[spec.file_name]), spec.file_name
    assert sorted(p.name for p in staged.iterdir()) == sorted(
        staged_file(staged, spec).name for spec in FILE_SPECS
    )


# --- whole drops: the fixtures and a generated drop go the fast path, file for file


@pytest.mark.parametrize("fixture", ["small_drop", "small_drop_update", "customers_drop"])
def test_fixture_drops_take_the_fast_path_and_stage_as_python_does(tmp_path, fixture):
    assert both_paths(tmp_path, FIXTURES / fixture) == {s.file_name: FAST for s in FILE_SPECS}
    assert_stage_drop_as_python(tmp_path, FIXTURES / fixture)


def test_generated_drop_takes_the_fast_path_and_stages_as_python_does(tmp_path, monkeypatch):
    # small record batches: rows, their order and their lines carry across batches
    monkeypatch.setattr("ingestion.files.in_engine.BATCH_ROWS", 1000)
    drop = tmp_path / "generated"
    generate_drop(drop, scale=1, seed=7)
    assert both_paths(tmp_path, drop) == {spec.file_name: FAST for spec in FILE_SPECS}
    assert_stage_drop_as_python(tmp_path, drop)


# --- hostile files: each either takes the fast path with Python's exact result, or is
# left to Python (which then judges and names it)

ORDERS = header("crm_orders.csv")
ORDER = "O-1,A-1,,2026-01-01,2026-01-02T00:00:00Z,confirmed,10,5,EUR,"
SPEND = header("ad_spend.csv")
SPEND_ROW = "2026-01-01,google_ads,1,C-1,Brand,P-DE,EUR,{spend},{impressions},3"
COSTS = header("erp_costs.csv")
COST_ROW = "E-{n},P-DE,2026-01-01,other,{amount},EUR,2026-01-02T00:00:00Z"
TICKETS = header("crm_tickets.csv")
LEADS = header("crm_leads.csv")


def orders(*rows: str, end: str = "\n") -> str:
    return end.join([ORDERS, *rows]) + end


def costs(*amounts: str) -> str:
    rows = [COST_ROW.format(n=n, amount=amount) for n, amount in enumerate(amounts)]
    return "\n".join([COSTS, *rows]) + "\n"


HOSTILE = {
    "whitespace around values, upper-case boolean": (
        "crm_orders",
        orders(
            "  O-1 , A-1 ,, 2026-01-01 , 2026-01-02T00:00:00Z ,confirmed , 10.50 , 5 ,EUR , TRUE "
        ),
        FAST,
    ),
    "quoted comma and doubled quotes": (
        "crm_orders",
        orders(
            'O-1,"A,1",,2026-01-01,2026-01-02T00:00:00Z,confirmed,10,5,"EUR",',
            'O-2,"A""2""",,2026-01-01,2026-01-02T00:00:00Z,"confirmed",10,5,EUR,""',
        ),
        FAST,
    ),
    "quoted line break (rows no longer one per line)": (
        "crm_orders",
        orders(
            'O-1,"A\n1",,2026-01-01,2026-01-02T00:00:00Z,confirmed,10,5,EUR,',
            ORDER.replace("O-1", "O-2"),
        ),
        PYTHON,
    ),
    "byte order mark and CRLF": (
        "crm_orders",
        codecs.BOM_UTF8 + orders(ORDER, ORDER.replace("O-1", "O-2"), end="\r\n").encode(),
        FAST,
    ),
    "CR line ends": ("crm_orders", orders(ORDER, end="\r"), PYTHON),
    "no newline after the last row": ("crm_orders", orders(ORDER).rstrip("\n"), FAST),
    "bare CR inside an unquoted value (a line end to Arrow)": (
        "crm_orders",
        orders(ORDER.replace("A-1", "A\r1")),
        PYTHON,
    ),
    "CR inside a quoted value": ("crm_orders", orders(ORDER.replace(",A-1,", ',"A\r1",')), FAST),
    "LF and CRLF line ends mixed": (
        "crm_orders",
        ORDERS + "\n" + ORDER + "\r\n" + ORDER.replace("O-1", "O-2") + "\n",
        FAST,
    ),
    "blank line between rows": (
        "crm_orders",
        orders(ORDER, "", ORDER.replace("O-1", "O-2")),
        PYTHON,
    ),
    "blank line at the end": ("crm_orders", orders(ORDER, ""), PYTHON),
    "tab after a value (Python strips it)": (
        "crm_orders",
        orders(ORDER.replace("A-1", "A-1\t")),
        PYTHON,
    ),
    "no-break space before a value": (
        "crm_orders",
        orders(ORDER.replace("A-1", "\u00a0A-1")),
        PYTHON,
    ),
    "ideographic space after a value": (
        "crm_orders",
        orders(ORDER.replace("A-1", "A-1\u3000")),
        PYTHON,
    ),
    "non-ASCII text inside values": (
        "crm_orders",
        orders(ORDER.replace("A-1", "Zürich 東京 é"), ORDER.replace("O-1", "Ö-2")),
        FAST,
    ),
    "space before an opening quote (Arrow keeps the quotes)": (
        "crm_orders",
        orders(ORDER.replace(",A-1,", ', "A-1",')),
        PYTHON,
    ),
    "space after a closing quote": (
        "crm_orders",
        orders(ORDER.replace(",A-1,", ',"A-1" ,')),
        PYTHON,
    ),
    "a quote inside an unquoted value": (
        "crm_orders",
        orders(ORDER.replace("A-1", 'A"1')),
        FAST,
    ),
    "text after a closing quote": (
        "crm_orders",
        orders(ORDER.replace(",A-1,", ',"A"1,')),
        PYTHON,
    ),
    "invalid UTF-8": ("crm_orders", orders(ORDER).encode().replace(b"A-1", b"A-\xff"), PYTHON),
    "ragged row": ("crm_orders", orders(ORDER + ",extra"), PYTHON),
    "comma at the end of the header": ("crm_orders", orders(ORDER).replace("\n", ",\n", 1), PYTHON),
    "empty file": ("crm_orders", b"", PYTHON),
    "header only": ("crm_orders", ORDERS + "\n", FAST),
    "header only, no newline": ("crm_orders", ORDERS, FAST),
    "header names with blanks, columns reordered, an extra column": (
        "crm_orders",
        " note ,currency, order_id ,account_id,opportunity_id,order_date,updated_at,status,"
        "amount,cost_of_goods,is_deleted\n"
        " hello ,EUR,O-1,A-1,,2026-01-01,2026-01-02T00:00:00Z,confirmed,10,5,no\n"
        ",EUR,O-2,A-1,,2026-01-01,2026-01-02T00:00:00Z,cancelled,10,5,Yes\n",
        FAST,
    ),
    "required column missing": (
        "crm_orders",
        orders(ORDER).replace("status,", "state,", 1),
        PYTHON,
    ),
    "required value empty": ("crm_orders", orders(ORDER.replace("A-1", "  ")), PYTHON),
    "optional values blank": ("crm_orders", orders(ORDER.replace("EUR,", "EUR,   ")), FAST),
    "value not allowed": ("crm_orders", orders(ORDER.replace("confirmed", "shipped")), PYTHON),
    "boolean not understood": ("crm_orders", orders(ORDER + "y"), PYTHON),
    "booleans in every spelling": (
        "crm_orders",
        orders(
            *(
                ORDER.replace("O-1", f"O-{n}") + value
                for n, value in enumerate(["true", "FALSE", "Yes", "nO", "1", "0", ""])
            )
        ),
        FAST,
    ),
    "duplicate key": ("crm_orders", orders(ORDER, ORDER), PYTHON),
    "duplicate key once stripped": (
        "crm_orders",
        orders(ORDER, ORDER.replace("O-1", " O-1")),
        PYTHON,
    ),
    "same key, other version (a key is once per file, versions too)": (
        "crm_orders",
        orders(ORDER, ORDER.replace("2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z")),
        PYTHON,
    ),
    "decimal with a plus sign": ("crm_orders", orders(ORDER.replace(",10,5,", ",+10,5,")), PYTHON),
    "decimals written .5 and 5.": (
        "crm_orders",
        orders(ORDER.replace(",10,5,", ",.5,5.,")),
        PYTHON,
    ),
    "decimal with 10 places (Python rounds half-even)": (
        "crm_orders",
        orders(ORDER.replace(",10,5,", ",0.0000000005,0.0000000015,")),
        PYTHON,
    ),
    "decimal in exponent notation": (
        "crm_orders",
        orders(ORDER.replace(",10,5,", ",1e-10,5,")),
        PYTHON,
    ),
    "decimals with 9 places, leading zeros, negative zero": (
        "erp_costs",
        costs("123456789.123456789", "-0.000000001", "007.50", "-0", "0.0", "12"),
        FAST,
    ),
    "negative amount": ("crm_orders", orders(ORDER.replace(",10,5,", ",-0.01,5,")), PYTHON),
    "amounts at the magnitude limit": (
        "erp_costs",
        costs("10000000000000", "-10000000000000.000000000", "9999999999999.999999999"),
        FAST,
    ),
    "amount just beyond the magnitude limit": (
        "erp_costs",
        costs("10000000000000.000000001"),
        PYTHON,
    ),
    "amount far beyond what DECIMAL(38, 9) holds": ("erp_costs", costs("1" * 31), PYTHON),
    "rate at and beyond its limit, and zero": (
        "fx_rates",
        "date,base_currency,quote_currency,rate\n2026-01-02,EUR,VND,1000000\n"
        "2026-01-02,EUR,USD,0\n",
        PYTHON,
    ),
    "rate at its limit": (
        "fx_rates",
        "date,base_currency,quote_currency,rate\n2026-01-02,EUR,VND,1000000\n"
        "2026-01-02,EUR,USD,0.000000001\n",
        FAST,
    ),
    "currency in lower case": ("crm_orders", orders(ORDER.replace("EUR", "eur")), PYTHON),
    "integer with a plus sign": (
        "ad_spend",
        f"{SPEND}\n{SPEND_ROW.format(spend='1.5', impressions='+5')}\n",
        PYTHON,
    ),
    "integers with leading zeros or negative zero": (
        "ad_spend",
        f"{SPEND}\n{SPEND_ROW.format(spend='1.5', impressions='007')}\n"
        f"{SPEND_ROW.format(spend='1.5', impressions='-0').replace('C-1', 'C-2')}\n",
        PYTHON,
    ),
    "integers at the limits of 64 bits": (
        "ad_spend",
        f"{SPEND}\n{SPEND_ROW.format(spend='0', impressions=2**63 - 1)}\n"
        f"{SPEND_ROW.format(spend='0', impressions=2**63).replace('C-1', 'C-2')}\n",
        PYTHON,
    ),
    "integers at 2^53, as far as Python's float range check goes": (
        "ad_spend",
        f"{SPEND}\n{SPEND_ROW.format(spend='0', impressions=2**53)}\n",
        FAST,
    ),
    "integer with digit separators": (
        "ad_spend",
        f"{SPEND}\n{SPEND_ROW.format(spend='1', impressions='1_000')}\n",
        PYTHON,
    ),
    "satisfaction out of range": (
        "crm_tickets",
        f"{TICKETS}\nT-1,A-1,2026-01-01T00:00:00Z,,6\nT-2,A-1,2026-01-01T00:00:00Z,,0\n",
        PYTHON,
    ),
    "satisfaction in range": (
        "crm_tickets",
        f"{TICKETS}\nT-1,A-1,2026-01-01T00:00:00Z,,5\nT-2,A-1,2026-01-01T00:00:00Z,,1\n"
        "T-3,A-1,2026-01-01T00:00:00Z,2026-01-02,\n",
        FAST,
    ),
    "impossible date": ("crm_orders", orders(ORDER.replace("2026-01-01", "2026-02-30")), PYTHON),
    "date outside pandas' range": (
        "crm_orders",
        orders(ORDER.replace("2026-01-01", "1500-01-01")),
        PYTHON,
    ),
    "date near the end of pandas' range": (
        "crm_orders",
        orders(ORDER.replace("2026-01-01", "2262-04-10")),
        PYTHON,
    ),
    "date without zero padding": (
        "crm_orders",
        orders(ORDER.replace("2026-01-01", "2026-1-01")),
        PYTHON,
    ),
    "timestamp with 7 fractional digits": (
        "crm_orders",
        orders(ORDER.replace("00:00:00Z", "00:00:00.1234567Z")),
        PYTHON,
    ),
    "timestamp with an hour and no minutes": (
        "crm_orders",
        orders(ORDER.replace("00:00:00Z", "10Z")),
        PYTHON,
    ),
    "date-only timestamp with an offset (pandas refuses it)": (
        "crm_orders",
        orders(ORDER.replace("2026-01-02T00:00:00Z", "2026-01-02+08:00")),
        PYTHON,
    ),
    "timestamp at hour 24": (
        "crm_orders",
        orders(ORDER.replace("T00:00:00Z", "T24:00:00Z")),
        PYTHON,
    ),
    "timestamps with offsets, fractions, date only": (
        "crm_leads",
        "\n".join(
            [LEADS]
            + [
                f"L-{n},{created},2026-04-01T09:30,P-DE,organic,,,,,"
                for n, created in enumerate(
                    [
                        "2026-03-31T18:00:00+08:00",
                        "2026-03-31 18:00:00-0330",
                        "2026-03-31T18:00:00.5Z",
                        "2026-03-31T18:00:00.123456+05:45",
                        "2026-03-31",
                        "2026-03-31T18:00",
                    ]
                )
            ]
        )
        + "\n",
        FAST,
    ),
    "control character inside a value": (
        "crm_orders",
        orders(ORDER.replace("A-1", "A\x01B")),
        FAST,
    ),
    "NUL inside a value": ("crm_orders", orders(ORDER.replace("A-1", "A\x00B")), FAST),
    "a row starting with #": ("crm_orders", orders(ORDER.replace("O-1", "#O-1")), FAST),
    "a backslash before a quote": (
        "crm_orders",
        orders(ORDER.replace(",A-1,", ',"A\\""1",')),
        FAST,
    ),
    "control character at the end of a value": (
        "crm_orders",
        orders(ORDER.replace("A-1", "A-1\x1f")),
        PYTHON,
    ),
}


@pytest.mark.parametrize("case", list(HOSTILE), ids=list(HOSTILE))
def test_hostile_file(tmp_path, case):
    file, content, expected_path = HOSTILE[case]
    drop = write_files(tmp_path / "drop", **{file: content})
    taken = both_paths(tmp_path, drop)
    assert taken[f"{file}.csv"] == expected_path
    assert_stage_drop_as_python(tmp_path, drop)


def test_every_shape_of_timestamp_the_fast_path_accepts_is_typed_as_python_types_it(tmp_path):
    values = []
    for day, separator, clock, seconds, offset in itertools.product(
        ["2024-02-29", "1678-01-01", "2261-12-31"],
        "T ",
        ["00:00", "23:59", "10:07"],
        ["", ":00", ":59", ":05.1", ":05.12", ":05.123", ":05.1234", ":05.12345", ":59.999999"],
        ["", "Z", "+08:00", "-03:30", "+0545", "-1200", "+23:59", "-23:59", "-0000"],
    ):
        values.append(f"{day}{separator}{clock}{seconds}{offset}")
    values += ["2024-02-29", "1678-01-01", "2261-12-31"]
    rows = [f"AT-{n},,,{value}," for n, value in enumerate(values)]
    text = "\n".join([header("crm_activities.csv"), *rows]) + "\n"
    drop = write_files(tmp_path / "drop", crm_activities=text)
    assert both_paths(tmp_path, drop)["crm_activities.csv"] == FAST


def test_suppression_applies_batch_by_batch_as_on_the_whole_table(tmp_path, monkeypatch):
    # GIVEN an erased account and lead, and batches of two rows
    monkeypatch.setattr("ingestion.files.in_engine.BATCH_ROWS", 2)
    salt = "00" * 16
    suppression = Suppression(
        salt,
        {
            "account": frozenset({key_hash(salt, "account", "A-2")}),
            "lead": frozenset({key_hash(salt, "lead", "L-1")}),
        },
    )
    rows = [
        f"OP-{n},A-{n % 3},L-{n % 2},2026-01-01T00:00:00Z,2026-01-02T00:00:00Z,won,1,EUR,,,"
        for n in range(7)
    ]
    text = "\n".join([header("crm_opportunities.csv"), *rows]) + "\n"
    drop = write_files(tmp_path / "drop", crm_opportunities=text)
    # THEN the fast path stages what cleaning Python's whole table gives
    taken = both_paths(tmp_path, drop, clean=suppression.clean_arrow)
    assert taken["crm_opportunities.csv"] == FAST
    staged = pq.read_table(tmp_path / "fast-out" / "crm_opportunities.csv.parquet")
    # by hand: A-2 (n = 2, 5) dropped; L-1 (odd n) cleared
    assert staged.column("opportunity_id").to_pylist() == ["OP-0", "OP-1", "OP-3", "OP-4", "OP-6"]
    assert staged.column("lead_id").to_pylist() == ["L-0", None, None, "L-0", "L-0"]
    assert staged.column("_source_line").to_pylist() == [2, 3, 5, 6, 8]


def test_staged_files_are_yielded_to_dlt_in_record_batches(tmp_path, monkeypatch):
    monkeypatch.setattr("ingestion.files.STAGED_BATCH_ROWS", 3)
    rows = [f"T-{n},A-1,2026-01-01T00:00:00Z,,{n % 5 + 1}" for n in range(7)]
    drop = write_files(tmp_path / "drop", crm_tickets="\n".join([TICKETS, *rows]) + "\n")
    stage_drop(drop, tmp_path / "staged")
    resource = file_drop_source("raw_crm", tmp_path / "staged").resources["tickets"]
    items = list(resource)
    tables = [item for item in items if isinstance(item, pa.Table)]
    assert [table.num_rows for table in tables] == [3, 3, 1]
    whole = pa.concat_tables(tables)
    expected, _ = read_file(drop, SPECS_BY_FILE["crm_tickets.csv"])
    assert whole.schema.equals(expected.schema) and whole.equals(expected)
    # a header-only file still yields its (empty) table with every column
    accounts = list(file_drop_source("raw_crm", tmp_path / "staged").resources["accounts"])
    assert [table.num_rows for table in accounts] == [0]
    assert accounts[0].schema.equals(read_file(drop, SPECS_BY_FILE["crm_accounts.csv"])[0].schema)


def test_integers_beyond_2_to_the_53_are_left_to_python(tmp_path):
    # the Python path casts them to float64 for its range check, which Arrow refuses (today
    # read_file fails on them): the fast path must not accept what Python does not
    row = SPEND_ROW.format(spend="0", impressions=2**53 + 1)
    drop = write_files(tmp_path / "drop", ad_spend=f"{SPEND}\n{row}\n")
    with InEngineStager(tmp_path) as engine:
        assert engine.stage(drop, SPECS_BY_FILE["ad_spend.csv"], tmp_path / "out") is None
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("tail", "lines"),
    [(b'" b\n', None), (b' "b"\n', None), (b'x"b"\n', 1), (b"\r\n\r\n", 2), (b"x", 1)],
)
def test_the_byte_scan_sees_across_its_4_mib_reads(tmp_path, tail, lines):
    # the byte before `tail` is the last of the first 4 MiB read
    path = tmp_path / "file.csv"
    path.write_bytes(b"a" * ((1 << 22) - 1) + tail)
    assert _scan(path) == lines


def test_a_rejected_drop_named_by_a_string_is_rejected_not_crashed(tmp_path):
    # (the Dagster resource names the drop folder as text: the Python validator, which
    # names the problems, must be reached with it too)
    drop = tmp_path / "drop"
    for spec in FILE_SPECS:
        text = ",".join(spec.column_names) + "\n"
        if spec.file_name == "projects.csv":
            text += "P-DE,Germany,EMEA,DE,2026-02-01,not a number\n"
        drop.mkdir(exist_ok=True)
        (drop / spec.file_name).write_text(text, encoding="utf-8")
    with pytest.raises(DropRejected) as rejected:
        stage_drop(str(drop), str(tmp_path / "staged"))
    (problem,) = rejected.value.problems
    assert (problem.file, problem.line, problem.column) == ("projects.csv", 2, "target_roi")
    assert not (tmp_path / "staged").exists()
