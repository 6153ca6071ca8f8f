"""Small helpers to write file drops in tests."""

from __future__ import annotations

import shutil
from pathlib import Path

from ingestion.file_contract import FILE_SPECS, SPECS_BY_FILE

FIXTURES = Path(__file__).parent / "fixtures"


def write_drop(folder: Path, **files: str) -> Path:
    """Write a drop: `crm_orders="order_id,...\\nO-1,..."`; unnamed files get only a header."""
    folder.mkdir(parents=True, exist_ok=True)
    for spec in FILE_SPECS:
        text = files.pop(spec.file_name.removesuffix(".csv"), None)
        if text is None:
            text = ",".join(spec.column_names) + "\n"
        (folder / spec.file_name).write_text(text.strip() + "\n", encoding="utf-8")
    assert not files, f"unknown files {sorted(files)}"
    return folder


def copy_fixture(name: str, destination: Path) -> Path:
    shutil.copytree(FIXTURES / name, destination)
    return destination


def header(file_name: str) -> str:
    return ",".join(SPECS_BY_FILE[file_name].column_names)


def merge_fixtures(destination: Path, *names: str) -> Path:
    """One drop holding the rows of several fixture drops. Their keys are disjoint except for
    FX rates that several of them quote: the first drop's row of such a key is kept."""
    import csv

    destination.mkdir(parents=True, exist_ok=True)
    for spec in FILE_SPECS:
        seen: set[tuple[str, ...]] = set()
        rows: list[dict[str, str]] = []
        for name in names:
            with (FIXTURES / name / spec.file_name).open(encoding="utf-8", newline="") as f:
                for row in csv.DictReader(f):
                    key = tuple(row[column] for column in spec.primary_key)
                    if key not in seen:
                        seen.add(key)
                        rows.append(row)
        with (destination / spec.file_name).open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(spec.column_names), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    return destination


def land_staged(staged: Path, warehouse) -> None:
    """What the load step does with a staged drop (orchestration's _load): one dlt pipeline
    per family, with the pipeline name and local folder a run uses, through the warehouse's
    own hooks (Spark appends Parquet to its lake and defines its tables afterwards)."""
    import dlt

    from ingestion.files import DATASETS, file_drop_source

    for dataset in DATASETS:
        pipeline = dlt.pipeline(
            pipeline_name=f"files_{dataset}",
            destination=warehouse.dlt_destination(),
            dataset_name=dataset,
            pipelines_dir=str(warehouse.state_dir / "dlt"),
        )
        source = warehouse.prepare_source(file_drop_source(dataset, staged))
        pipeline.run(source, **warehouse.dlt_run_options()).raise_on_failed_jobs()
        warehouse.after_load(pipeline)
