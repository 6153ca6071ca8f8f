"""The local Spark cluster the Spark tests share (roi/spark_cluster.py), on free ports.

Session-scoped: a pytest-xdist worker that runs a test of this folder starts one cluster and
stops it when its session ends. `make test` sends whole files to workers, so two files of
this folder on two workers start two clusters (each well under the machine's memory)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from roi import spark_cluster
from roi.spark_cluster import ClusterSettings, free_port_env


def cluster_env(settings: ClusterSettings) -> dict[str, str]:
    """The ROI_SPARK_* variables that name `settings`' cluster."""
    return {
        "ROI_SPARK_HOME": str(settings.home),
        "ROI_SPARK_MASTER_PORT": str(settings.master_port),
        "ROI_SPARK_MASTER_UI_PORT": str(settings.master_ui_port),
        "ROI_SPARK_WORKER_UI_PORT": str(settings.worker_ui_port),
        "ROI_SPARK_PORT": str(settings.thrift_port),
        "ROI_SPARK_WORKER_MEMORY": settings.worker_memory,
        "ROI_SPARK_EXECUTOR_MEMORY": settings.executor_memory,
        "ROI_SPARK_DRIVER_MEMORY": settings.driver_memory,
    }


@pytest.fixture(scope="session")
def spark(tmp_path_factory) -> Iterator[ClusterSettings]:
    """A running cluster: master, two workers, Thrift Server; its files in a temporary folder."""
    settings = ClusterSettings.from_env(
        {
            **free_port_env(tmp_path_factory.mktemp("spark")),
            "ROI_SPARK_WORKER_MEMORY": "1g",
            "ROI_SPARK_EXECUTOR_MEMORY": "768m",
            "ROI_SPARK_DRIVER_MEMORY": "1g",
        }
    )
    spark_cluster.start(settings)
    try:
        yield settings
    finally:
        spark_cluster.stop(settings)


def empty_metastore(warehouse) -> None:
    """Drop every database but `default` from the cluster's metastore: the test files of a
    worker share its cluster, and a raw table defined over another test's lake would keep
    reading that lake."""
    with warehouse.connect() as con:
        for (database,) in con.execute("show databases").fetchall():
            if database != "default":
                con.execute(f"drop database {database} cascade")
