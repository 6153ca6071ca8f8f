"""bench.goals(): issue 17's four goals on hand-made figures (pass, FAIL, not measured), and
the attribution of memory samples to the part of the run going on (peak memory per stage)."""

from __future__ import annotations

from bench.bench import GIB, goals, peak_rss_by_stage, stages_at


def run(wall: float, peak: int = 0) -> dict:
    return {"measured": {"wall_seconds": wall, "peak_tree_rss_bytes": peak}}


def scale(number, full, bare=10.0, rerun=5.0, update=20.0, duckdb=1.0, peak=GIB) -> dict:
    return {
        "scale": number,
        "full": run(full, peak),
        "bare_dbt": run(bare),
        "rerun": run(rerun),
        "update": run(update),
        "baseline": {"seconds": duckdb},
    }


def passing() -> list[dict]:
    # scale 1: full 14 s against bare dbt 10 s (1.4×); update 20 s
    # scale 50: full 30 s, DuckDB 1 s; scale 200: full 60 s, DuckDB 3 s: (60-30)/(3-1) = 15×
    # scale 200: update 29 s (1.45× scale 1's), rerun 11.4 s of 60 s (19%)
    # scale 500: peak 1.9 GiB
    return [
        scale(1, 14.0, bare=10.0, update=20.0),
        scale(50, 30.0, duckdb=1.0),
        scale(200, 60.0, rerun=11.4, update=29.0, duckdb=3.0),
        scale(500, 150.0, update=29.5, peak=int(1.9 * GIB)),
    ]


def test_each_goal_passes_on_figures_within_its_target():
    found = goals(passing())
    assert {key: goal["result"] for key, goal in found.items()} == {
        "overhead": "pass",
        "update_growth": "pass",
        "update_growth_500": "pass",
        "rerun": "pass",
        "per_row": "pass",
        "memory": "pass",
    }
    assert found["overhead"]["measured"] == "14.0 s / 10.0 s = 1.40×"
    assert found["update_growth"]["measured"] == "29.0 s / 20.0 s = 1.45×"
    assert found["rerun"]["measured"] == "11.4 s / 60.0 s = 19%"
    assert found["per_row"]["measured"] == "30.0 s / 2.00 s = 15.0×"
    assert found["memory"]["measured"] == "1.90 GiB"


def test_each_goal_fails_on_figures_beyond_its_target():
    scales = passing()
    scales[0]["full"]["measured"]["wall_seconds"] = 16.0  # 1.6× bare dbt
    scales[2]["update"]["measured"]["wall_seconds"] = 31.0  # 1.55× scale 1's update
    scales[3]["update"]["measured"]["wall_seconds"] = 40.0  # 2× scale 1's update
    scales[2]["rerun"]["measured"]["wall_seconds"] = 12.6  # 21% of the full run
    scales[2]["baseline"]["seconds"] = 2.0  # (60-30)/(2-1) = 30×
    scales[3]["full"]["measured"]["peak_tree_rss_bytes"] = 2 * GIB  # not under 2 GiB
    found = goals(scales)
    assert {key: goal["result"] for key, goal in found.items()} == {
        "overhead": "FAIL",
        "update_growth": "FAIL",
        "update_growth_500": "FAIL",
        "rerun": "FAIL",
        "per_row": "FAIL",
        "memory": "FAIL",
    }
    assert found["per_row"]["measured"] == "30.0 s / 1.00 s = 30.0×"


def test_a_goal_whose_scale_is_not_in_the_run_is_not_measured():
    # GIVEN a run at scales 1 and 2 only
    found = goals([scale(1, 14.0), scale(2, 15.0)])
    # THEN the overhead (scale 1) is measured, every other goal says which scale is missing
    assert found["overhead"]["result"] == "pass"
    for key, missing in (
        ("update_growth", "200"),
        ("rerun", "200"),
        ("per_row", "50 and 200"),
        ("memory", "500"),
    ):
        assert found[key]["result"] == "not measured"
        assert found[key]["measured"] == f"not measured (scale {missing} not in this run)"
    assert "update_growth_2" not in found
    # AND without scale 1 the overhead is not measured either
    assert goals([scale(200, 60.0)])["overhead"]["result"] == "not measured"


INTERVALS = {
    "start-up": [(0.0, 1.0)],
    "load": [(1.0, 3.0), (7.0, 8.0)],
    "transform": [(3.5, 6.0)],
    "checks": [(5.0, 7.0)],  # overlaps the transform from 5 to 6
    "publish": [],
    "between steps": [(3.0, 3.5)],
    "finish": [(8.0, 9.0)],
}


def test_each_sample_counts_for_the_parts_going_on_when_it_was_taken():
    assert stages_at(0.5, INTERVALS) == ["start-up"]
    assert stages_at(3.2, INTERVALS) == ["between steps"]
    assert stages_at(5.5, INTERVALS) == ["transform", "checks"]
    assert stages_at(9.5, INTERVALS) == []


def test_peak_memory_per_stage_from_a_sample_list():
    # (time, CPU seconds, resident bytes)
    samples = [
        (0.5, 0.1, 100),
        (1.5, 0.5, 300),
        (2.5, 0.9, 250),
        (3.2, 1.0, 120),
        (4.0, 1.5, 700),
        (5.5, 2.0, 900),  # transform and checks at once
        (6.5, 2.5, 400),
        (7.5, 3.0, 350),  # the load's second span
        (8.5, 3.1, 80),
        (9.5, 3.2, 5000),  # after the run's parts: no part
    ]
    assert peak_rss_by_stage(samples, INTERVALS) == {
        "start-up": 100,
        "load": 350,
        "transform": 900,
        "checks": 900,
        "publish": 0,
        "between steps": 120,
        "finish": 80,
    }


def test_the_run_summaries_the_bench_reads():
    from bench.bench import RUN_ID

    run_id = "85fb7934-8ea4-44ca-bbea-9689a3320b56"
    succeeded = RUN_ID.search(f"run {run_id} succeeded: marts published in /w/roi.duckdb")
    failed = RUN_ID.search(f"run {run_id} FAILED: marts were not replaced")
    unchanged = RUN_ID.search(f"run {run_id}: nothing to do: the drop, the code and the ...")
    assert (succeeded.group(1), succeeded.group(2)) == (run_id, "succeeded")
    assert failed.group(2) == "FAILED"
    # a rerun that stopped early succeeded; it is not FAILED
    assert (unchanged.group(1), unchanged.group(2), unchanged.group(3)) == (
        run_id,
        None,
        "nothing to do",
    )
