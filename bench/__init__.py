"""The benchmark (bench/bench.py): see bench/RESULTS.md."""
