"""The local Spark cluster of `roi spark up|down|status` (roi/spark_cluster.py): a standalone
master, two workers and the Thrift Server, started from pyspark's jars and reached over
Thrift as a remote cluster would be."""

from __future__ import annotations

import subprocess
import sys

import pytest

from foundation.errors import RoiError
from roi import spark_cluster
from roi.spark_cluster import ClusterSettings, SparkClusterError, free_ports

from .conftest import cluster_env


def query(settings: ClusterSettings, sql: str) -> list[tuple]:
    from pyhive import hive

    connection = hive.connect(host="127.0.0.1", port=settings.thrift_port, username="roi")
    try:
        cursor = connection.cursor()
        cursor.execute(sql)
        return cursor.fetchall() if cursor.description else []
    finally:
        connection.close()


def roi(settings: ClusterSettings, *args: str) -> subprocess.CompletedProcess:
    import os

    return subprocess.run(
        [sys.executable, "-m", "roi.cli", "spark", *args],
        env={**os.environ, **cluster_env(settings)},
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_cluster_runs_queries_on_its_two_workers(spark):
    # GIVEN the started cluster
    # WHEN a query runs through the Thrift Server, as dbt's queries will
    rows = query(spark, "select count(*), sum(id) from range(0, 100000, 1, 4)")
    # THEN the answer is exact (0 + 1 + ... + 99,999)
    assert rows == [(100000, 4999950000)]
    # AND the master ran it as one application with an executor on each worker
    state = spark_cluster.master_state(spark)
    assert [w["state"] for w in state["workers"]] == ["ALIVE", "ALIVE"]
    assert [w["cores"] for w in state["workers"]] == [1, 1]
    [app] = state["activeapps"]
    assert app["name"] == "roi-thrift-server"
    assert app["cores"] == 2
    assert sorted(w["coresused"] for w in state["workers"]) == [1, 1]


def test_tables_and_the_metastore_live_under_the_cluster_home(spark):
    query(spark, "create database if not exists roi_probe")
    query(spark, "create table roi_probe.t (k int, v string) using parquet")
    query(spark, "insert into roi_probe.t values (1, 'a'), (2, 'b')")
    assert query(spark, "select k, v from roi_probe.t order by k") == [(1, "a"), (2, "b")]
    assert list((spark.warehouse_dir / "roi_probe.db" / "t").glob("*.parquet"))
    assert (spark.metastore_dir / "service.properties").exists()
    query(spark, "drop database roi_probe cascade")


def test_a_column_comment_longer_than_the_metastore_holds_is_kept_whole(spark):
    # GIVEN a column description of 300 characters (the Hive metastore's column holds 256,
    # and dbt persists every model's column descriptions)
    comment = "x" * 299 + "."
    # WHEN a view is created with it, as dbt-spark creates a staging view
    query(
        spark,
        f"create or replace view default.long_comment (a comment '{comment}') as select 1 as a",
    )
    # THEN Spark keeps the view in its own format, the comment whole and the view readable
    assert query(spark, "describe default.long_comment") == [("a", "int", comment)]
    assert query(spark, "select a from default.long_comment") == [(1,)]
    query(spark, "drop view default.long_comment")


def test_status_and_a_second_start_through_the_command(spark):
    shown = roi(spark, "status")
    assert shown.returncode == 0, shown.stderr
    assert "master up" in shown.stdout
    assert "2 worker(s) alive" in shown.stdout
    assert f"Thrift Server answers (127.0.0.1:{spark.thrift_port})" in shown.stdout
    # starting again starts nothing: every part already answers
    again = roi(spark, "up")
    assert again.returncode == 0, again.stderr
    assert "starting" not in again.stderr
    assert "Spark is up" in again.stderr


def test_the_written_configuration(spark):
    defaults = (spark.conf_dir / "spark-defaults.conf").read_text().splitlines()
    assert f"spark.master spark://127.0.0.1:{spark.master_port}" in defaults
    assert "spark.cores.max 2" in defaults
    assert "spark.executor.memory 768m" in defaults
    assert "spark.sql.session.timeZone UTC" in defaults
    hive_site = (spark.conf_dir / "hive-site.xml").read_text()
    assert f"databaseName={spark.home}/metastore_db;create=true" in hive_site
    assert f"<value>{spark.thrift_port}</value>" in hive_site
    # the Hive-compatible write that fails on a long comment is retried 10 ms apart, not 2 s
    assert "<name>hive.hmshandler.retry.interval</name><value>10ms</value>" in hive_site
    # the Hive jar Spark 4.0 lacks is on the Thrift Server's classpath
    jar = spark_cluster.extra_jars_dir() / spark_cluster.LLAP_JAR
    assert f"spark.driver.extraClassPath {jar}" in defaults
    assert jar.stat().st_size == 326585


def test_sessions_opened_and_closed_at_once_all_close(spark):
    """Four clients opening and closing sessions at once, as dbt's threads do: without Hive's
    hive-llap-common jar, one close failed on a missing class and every later close waited
    forever."""
    import threading

    from pyhive import hive

    failures: list[BaseException] = []

    def sessions(sql: str) -> None:
        try:
            for _ in range(15):
                connection = hive.connect(host="127.0.0.1", port=spark.thrift_port, username="roi")
                cursor = connection.cursor()
                cursor.execute(sql)
                cursor.fetchall()
                connection.close()
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(error)

    clients = [
        threading.Thread(target=sessions, args=(sql,), daemon=True)
        for sql in ("select 1", "show databases", "select current_date()", "select 2")
    ]
    for client in clients:
        client.start()
    for client in clients:
        client.join(timeout=180)
    assert not [client for client in clients if client.is_alive()], "a session close hangs"
    assert failures == []
    [log] = spark.log_dir.glob("*HiveThriftServer2*.out")
    assert "NoClassDefFoundError" not in log.read_text(errors="replace")


def _thrift_server_threads(settings: ClusterSettings) -> dict[str, int]:
    """Live threads of the Thrift Server's JVM by name, digits dropped
    ("shuffle-exchange-12" counts as "shuffle-exchange-")."""
    import re
    from pathlib import Path

    tasks = Path(f"/proc/{spark_cluster.running_pids(settings)['Thrift Server']}/task")
    counts: dict[str, int] = {}
    for task in tasks.iterdir():
        try:
            name = re.sub(r"\d+", "", (task / "comm").read_text().strip())
        except OSError:  # the thread ended meanwhile
            continue
        counts[name] = counts.get(name, 0) + 1
    return counts


def test_the_thrift_servers_heap_is_the_driver_memory(spark):
    """Spark's launcher gives the daemons' heap (512m here) to the Thrift Server's driver
    unless told otherwise: at scale 50 that driver spent nine minutes in garbage collection."""
    from pathlib import Path

    def heaps(pid: int) -> list[bytes]:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        return [part for part in command if part.startswith(b"-Xmx")]

    pids = spark_cluster.running_pids(spark)
    assert spark.driver_memory == "1g"
    assert heaps(pids.pop("Thrift Server")) == [b"-Xmx1g"]
    # the master and the workers keep the daemons' heap
    assert sorted(pids) == ["master", "worker 1", "worker 2"]
    for pid in pids.values():
        assert heaps(pid) == [b"-Xmx512m"]


def test_short_statements_of_many_sessions_reuse_the_servers_threads(spark):
    """dbt opens a session for each node. Spark's pools for shuffles and query stages used to
    start a new thread for each statement, up to 1,024, and each such thread kept its session
    alive for a minute; the cluster keeps 16 per pool."""
    # GIVEN 60 sessions, one after another, each running a statement with a shuffle
    for number in range(60):
        query(
            spark,
            f"select n % 3 as k, count(*) from range({number + 10}) as t(n) group by n % 3",
        )
    # THEN the Thrift Server holds at most 16 threads in each pool (comm names are cut at 15)
    threads = _thrift_server_threads(spark)
    assert threads.get("shuffle-exchang", 0) <= 16, threads
    assert threads.get("ResultQueryStag", 0) <= 16, threads
    # AND its log has no line per job: warnings and errors only, and that it started
    [log] = spark.log_dir.glob("*HiveThriftServer2*.out")
    text = log.read_text(errors="replace")
    assert " INFO DAGScheduler" not in text
    assert " INFO HiveThriftServer2" in text


def _archive(member: str, content: bytes) -> bytes:
    import io
    import tarfile

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        info = tarfile.TarInfo(member)
        info.size = len(content)
        archive.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


def test_the_hive_jar_is_fetched_once_and_checked(httpserver, monkeypatch, tmp_path):
    import hashlib

    content = b"PK jar bytes"
    httpserver.expect_request("/pyspark.tar.gz").respond_with_data(
        _archive(spark_cluster.LLAP_JAR_MEMBER, content)
    )
    monkeypatch.setattr(spark_cluster, "LLAP_JAR_SOURCE", httpserver.url_for("/pyspark.tar.gz"))
    monkeypatch.setattr(spark_cluster, "extra_jars_dir", lambda: tmp_path / "jars")
    # a jar whose bytes are not the pinned ones is refused, naming both digests
    with pytest.raises(SparkClusterError) as refused:
        spark_cluster.ensure_llap_jar(say=lambda _: None)
    assert hashlib.sha256(content).hexdigest() in str(refused.value)
    assert spark_cluster.LLAP_JAR_SHA256 in str(refused.value)
    assert not (tmp_path / "jars" / spark_cluster.LLAP_JAR).exists()
    # the pinned bytes are kept, and a second call fetches nothing
    monkeypatch.setattr(spark_cluster, "LLAP_JAR_SHA256", hashlib.sha256(content).hexdigest())
    said: list[str] = []
    jar = spark_cluster.ensure_llap_jar(say=said.append)
    assert jar.read_bytes() == content
    assert said == [
        f"fetching {spark_cluster.LLAP_JAR} (from pyspark 3.5.7 on PyPI) for the Thrift Server"
    ]
    assert spark_cluster.ensure_llap_jar(say=said.append) == jar
    assert len(said) == 1
    assert len(httpserver.log) == 2


def test_an_archive_without_the_hive_jar_is_named(httpserver, monkeypatch, tmp_path):
    httpserver.expect_request("/pyspark.tar.gz").respond_with_data(_archive("other.jar", b"x"))
    source = httpserver.url_for("/pyspark.tar.gz")
    monkeypatch.setattr(spark_cluster, "LLAP_JAR_SOURCE", source)
    monkeypatch.setattr(spark_cluster, "extra_jars_dir", lambda: tmp_path / "jars")
    with pytest.raises(SparkClusterError) as refused:
        spark_cluster.ensure_llap_jar(say=lambda _: None)
    assert str(refused.value) == f"{source} holds no {spark_cluster.LLAP_JAR_MEMBER}"


def test_status_of_a_cluster_that_is_not_running(tmp_path):
    master, master_ui, worker_ui, thrift = free_ports(4)
    settings = ClusterSettings(
        home=tmp_path,
        master_port=master,
        master_ui_port=master_ui,
        worker_ui_port=worker_ui,
        thrift_port=thrift,
    )
    shown = roi(settings, "status")
    assert shown.returncode == 1
    assert "master down" in shown.stdout
    assert "0 worker(s) alive" in shown.stdout
    assert "Thrift Server down" in shown.stdout


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("ROI_SPARK_PORT", "ten", "ROI_SPARK_PORT='ten' is not a TCP port"),
        ("ROI_SPARK_MASTER_PORT", "70000", "ROI_SPARK_MASTER_PORT='70000' is not a TCP port"),
        (
            "ROI_SPARK_WORKER_MEMORY",
            "4 GB",
            "ROI_SPARK_WORKER_MEMORY='4 GB' is not a size such as 512m or 4g",
        ),
    ],
    ids=["port-not-a-number", "port-out-of-range", "memory-not-a-size"],
)
def test_settings_are_checked(variable, value, message):
    with pytest.raises(RoiError) as raised:
        ClusterSettings.from_env({variable: value})
    assert str(raised.value) == message


def test_default_home_is_beside_the_warehouse(tmp_path):
    settings = ClusterSettings.from_env({"ROI_WAREHOUSE": str(tmp_path / "w" / "roi.duckdb")})
    assert settings.home == tmp_path / "w" / "spark"
    assert settings.thrift_port == 10000
    assert settings.master_url == "spark://127.0.0.1:7077"


def test_missing_java_is_named(monkeypatch, tmp_path):
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "no-java"))
    with pytest.raises(spark_cluster.SparkClusterError) as raised:
        spark_cluster.check_java()
    assert "install openjdk-17-jre-headless" in str(raised.value)


def test_a_part_that_does_not_answer_names_its_log(tmp_path):
    settings = ClusterSettings(home=tmp_path, master_ui_port=free_ports(1)[0])
    settings.log_dir.mkdir(parents=True)
    log = settings.log_dir / "spark-roi-org.apache.spark.deploy.master.Master-1-host.out"
    log.write_text("starting\nException: Address already in use\n")
    with pytest.raises(spark_cluster.SparkClusterError) as raised:
        spark_cluster.wait_until("master", lambda: False, settings, "Master", 0.0, print)
    assert str(log) in str(raised.value)
    assert "Address already in use" in str(raised.value)


def test_daemons_start_with_sigterm_at_its_default_whatever_their_starter_ignores():
    # GIVEN a starter that ignores SIGTERM and SIGINT (as the processes a test run or a
    # background job starts may)
    import os
    import signal

    previous = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        # WHEN it starts a process the way the cluster's daemons are started
        code, said = spark_cluster.spawn(
            ["bash", "-c", "grep SigIgn /proc/$$/status; echo to-stderr >&2; exit 3"],
            os.environ,
        )
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    # THEN the process may be stopped by SIGTERM (its bit is not in the ignored mask), and
    # its exit code and both output streams come back
    ignored = int(said.splitlines()[0].split()[1], 16)
    assert ignored & (1 << (signal.SIGTERM - 1)) == 0
    assert ignored & (1 << (signal.SIGINT - 1)) == 0
    assert code == 3
    assert said.splitlines()[1] == "to-stderr"
