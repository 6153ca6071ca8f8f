"""Wall time and peak RSS of `stage_drop` on a generated drop (issue 17).

    .venv/bin/python bench/stage_drop_memory.py /tmp/v50 [--scale 50]

Generates the drop into the folder first when it has no CSV files yet, stages it into a
temporary folder and prints the seconds `stage_drop` took and the process's peak resident
memory (ru_maxrss) before and after it: run it in a fresh process per measurement.

Measured on 2026-12-06 (2 shared cores, load average 4-7 from other jobs, so times vary by
about 1.5x between runs; main and this branch alternated), stage_drop's own seconds and the
process's peak RSS:

    scale 50  (1,421,269 rows)  main (Python path)  3.5-6.2 s    570-610 MiB
                                DuckDB fast path    5.2-9.6 s    412-451 MiB
    scale 200 (5,671,004 rows)  main (Python path)  12.6-23.1 s  1,603-1,620 MiB
                                DuckDB fast path    16.2-33.1 s  472-504 MiB

About 190 MiB of each peak is the process before staging (imports: DuckDB's adds 16 MiB).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("drop", type=Path)
    parser.add_argument("--scale", type=int, default=50)
    args = parser.parse_args()
    if not any(args.drop.glob("*.csv")):
        from synthetic.generator import generate_drop

        generate_drop(args.drop, scale=args.scale)
    from ingestion.files import stage_drop

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        counts = stage_drop(args.drop, Path(tmp) / "staged", progress=None)
        seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rows = sum(counts.values())
    print(
        f"stage_drop {args.drop}: {rows} rows in {len(counts)} files, {seconds:.1f} s, "
        f"peak RSS {peak / 1024:.0f} MiB (before staging {before / 1024:.0f} MiB)",
        file=sys.stdout,
    )


if __name__ == "__main__":
    main()
