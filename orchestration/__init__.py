"""Dagster definitions: one asset graph from file drop / APIs through dlt and dbt to marts."""
