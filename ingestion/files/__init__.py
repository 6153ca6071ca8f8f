"""The `files` source: a validated CSV file drop, loaded by dlt into one raw schema per family.

`stage_drop` validates the whole drop (rejecting it before anything is loaded) and writes
each file as a typed Parquet file into a run's staging folder: in DuckDB, streaming, when the
file is one it can vouch for (in_engine.py), else with the Python validator (validate.py).
`file_drop_source` then yields those Parquet files to dlt in Arrow record batches, so dlt
never normalises row by row and the load's memory does not grow with the file.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from pathlib import Path

import dlt
import pyarrow as pa
import pyarrow.parquet as pq
from dlt.extract.source import DltSource

from foundation.errors import DropRejected, Problem

from .. import raw_tables
from ..file_contract import DATASETS, FILE_SPECS, FileSpec
from .in_engine import InEngineStager
from .validate import drop_specs, read_file

__all__ = ["DATASETS", "file_drop_source", "stage_drop", "staged_file"]


STAGED_BATCH_ROWS = 1 << 17  # rows per item the dlt resources yield from a staged file


def staged_file(staged_dir: Path, spec: FileSpec) -> Path:
    return Path(staged_dir) / f"{spec.dataset}.{spec.table}.parquet"


def stage_drop(
    data_dir: Path,
    staged_dir: Path,
    progress: Callable[[str], None] | None = None,
    datasets: Collection[str] | None = None,
    clean: Callable[[str, pa.Table], pa.Table] | None = None,
) -> dict[str, int]:
    """Validate the whole drop, writing one typed Parquet file per CSV. Returns row counts.

    `datasets`: only the files of these source families (None: all ten). Each file's table
    is written as soon as it is valid and then let go, so a large drop never sits in memory
    whole; a file the DuckDB fast path accepts is never in Python's memory whole either.
    `clean(table name, rows)`, if given, returns the rows that may be staged (the
    suppression list of `roi forget` keeps erased keys out of the staged files too). A drop
    with any problem is rejected as a whole (DropRejected, every problem listed) and leaves
    no staged file behind: nothing of it can be loaded.
    """
    data_dir, staged_dir = Path(data_dir), Path(staged_dir)
    staged_dir.mkdir(parents=True, exist_ok=True)
    problems: list[Problem] = []
    written: dict[FileSpec, int] = {}
    try:
        with InEngineStager(staged_dir) as engine:
            for spec in drop_specs(data_dir, datasets):
                target = staged_file(staged_dir, spec)
                # DuckDB first (streaming, bounded memory); it declines any file it cannot
                # vouch for exactly, which the Python validator then judges and names
                staged = engine.stage(data_dir, spec, None if problems else target, clean)
                if staged is not None:
                    validated, kept = staged
                    if not problems:
                        written[spec] = kept
                    if progress:
                        progress(f"validated {spec.file_name}: {validated} rows")
                    continue
                table, file_problems = read_file(data_dir, spec)
                if table is not None and progress and not file_problems:
                    progress(f"validated {spec.file_name}: {table.num_rows} rows")
                problems.extend(file_problems)
                if table is not None and not problems:
                    if clean is not None:
                        table = clean(spec.table, table)
                    pq.write_table(table, target)
                    written[spec] = table.num_rows
                del table  # before the next file is read
        if problems:
            raise DropRejected.of(str(data_dir), problems)
    except BaseException:
        for spec in written:
            staged_file(staged_dir, spec).unlink(missing_ok=True)
        if not any(staged_dir.iterdir()):
            staged_dir.rmdir()
        raise
    return {spec.file_name: rows for spec in FILE_SPECS if (rows := written.get(spec)) is not None}


def _read_staged(staged_dir: str | None, spec: FileSpec) -> Iterator[pa.Table]:
    if staged_dir is None:
        raise ValueError("file_drop_source needs staged_dir: stage the drop first (stage_drop)")
    # record batch by record batch: the load's memory does not grow with the file
    parquet = pq.ParquetFile(staged_file(Path(staged_dir), spec))
    empty = True
    for batch in parquet.iter_batches(batch_size=STAGED_BATCH_ROWS):
        empty = False
        yield pa.Table.from_batches([batch], schema=parquet.schema_arrow)
    if empty:  # a header-only file still creates its table, with its columns
        yield parquet.schema_arrow.empty_table()


def _resource(spec: FileSpec, staged_dir: str | None):
    hints = raw_tables.resource_hints(spec)
    # A staged file holds each raw primary key once (validation rejects a key twice in one
    # file), so dlt's merge need not deduplicate it: that is a window over every loaded row,
    # 0.9 s of the 4.7 s that loading a scale-50 drop takes.
    hints["write_disposition"] = {
        "disposition": "merge",
        "strategy": "delete-insert",
        "deduplicated": True,
    }
    return dlt.resource(_read_staged(staged_dir, spec), **hints)


def file_drop_source(dataset: str, staged_dir: str | Path | None = None) -> DltSource:
    """The dlt source of one family (`raw_crm`, ...) of a staged drop.

    Every resource is `merge` on its raw primary key (see README.md): versioned files
    (updated_at / posted_at) keep one row per key and version, the rest one row per key.
    """
    if dataset not in DATASETS:
        raise ValueError(f"unknown dataset {dataset!r}; expected one of {', '.join(DATASETS)}")
    specs = [spec for spec in FILE_SPECS if spec.dataset == dataset]
    staged = None if staged_dir is None else str(staged_dir)

    @dlt.source(name=f"files_{dataset}", max_table_nesting=0)
    def source():
        return [_resource(spec, staged) for spec in specs]

    return source()
