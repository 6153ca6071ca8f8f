"""Great Expectations suites for warehouse tables, run by Dagster as asset checks."""
