"""The `roi` command (README "Commands")."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Iterable
from pathlib import Path

from foundation.errors import RoiError, RunInterrupted
from foundation.periods import DEFAULT_REPORT_GRAIN, GRAINS, Period, label_grain, periods_between
from foundation.private import private_umask
from foundation.progress import say
from foundation.settings import DEFAULT_REPORTING_CURRENCY
from foundation.warehouse import TARGETS, Warehouse, resolve_warehouse, table_names

DEMO_DIR = Path("demo")
WAREHOUSE_HELP = "DuckDB file (default $ROI_WAREHOUSE or warehouse/roi.duckdb)"
TARGET_HELP = (
    "warehouse engine: duckdb (the file of --warehouse), postgres (the database of "
    "ROI_PG_HOST, ROI_PG_PORT, ROI_PG_USER, ROI_PG_PASSWORD, ROI_PG_DATABASE) or spark (the "
    "Thrift Server of ROI_SPARK_HOST, ROI_SPARK_PORT and the lake of ROI_SPARK_LAKE); "
    "default $ROI_TARGET, else duckdb"
)


def _either(words: Iterable[str]) -> str:
    """Choices in prose: `a, b or c`."""
    *others, last = words
    return f"{', '.join(others)} or {last}" if others else last


def _warehouse(args: argparse.Namespace) -> Warehouse:
    return resolve_warehouse(args.target, args.warehouse)


def _generate(args: argparse.Namespace) -> int:
    from synthetic.generator import generate_drop

    counts = generate_drop(Path(args.out), scale=args.scale, seed=args.seed, progress=say)
    print(f"wrote {sum(counts.values())} rows in {len(counts)} files to {Path(args.out).resolve()}")
    return 0


def _run(args: argparse.Namespace) -> int:
    if not args.data_dir:
        raise RoiError(
            "--data-dir is required: the file drop (with --source api, at least projects.csv "
            "and the files of the families not read from APIs)"
        )
    from .runner import run_pipeline, run_settings

    # the flags over the environment (Settings.from_environment)
    settings = run_settings(
        data_dir=Path(args.data_dir),
        warehouse=_warehouse(args),
        reporting_currency=args.reporting_currency,
        source=args.source,
    )
    result = run_pipeline(
        settings.data_dir,
        source=settings.source,
        settings=settings,
        full_refresh=args.full_refresh,
    )
    print(result.summary())
    return 0 if result.success else 1


def _backfill(args: argparse.Namespace) -> int:
    if not args.data_dir:
        raise RoiError("--data-dir is required: the file drop (at least projects.csv)")
    from .runner import backfill, run_settings

    settings = run_settings(
        data_dir=Path(args.data_dir),
        warehouse=_warehouse(args),
        reporting_currency=args.reporting_currency,
        source=args.source,
    )
    runs = backfill(
        args.grain,
        args.start,
        args.stop,
        data_dir=settings.data_dir,
        source=settings.source,
        settings=settings,
    )
    for period, result in runs:
        print(f"{period.label}: " + result.summary())
    planned = len(periods_between(args.grain, args.start, args.stop))
    if len(runs) < planned:
        print(f"stopped after the failed run: {planned - len(runs)} period(s) not run")
    return 0 if all(result.success for _, result in runs) and len(runs) == planned else 1


def _dagster_home(args: argparse.Namespace) -> int:
    from orchestration.instance import postgres_storage, prepare_home

    target = prepare_home(Path(args.home))
    storage = "PostgreSQL ($DAGSTER_PG_HOST)" if postgres_storage() else "SQLite"
    print(f"wrote {target} ({storage} storage); use it with DAGSTER_HOME={target.parent}")
    return 0


def _demo(args: argparse.Namespace) -> int:
    from synthetic.generator import generate_drop

    from .runner import run_pipeline

    warehouse = _warehouse(args)
    out = Path(args.out)
    drop = out / "drop"
    say(f"generating the demo file drop in {drop}")
    generate_drop(drop, scale=1, seed=42, progress=say)
    result = run_pipeline(data_dir=drop, warehouse=warehouse)
    print(result.summary())
    print(f"demo drop:  {drop.resolve()}")
    engine = {"duckdb": "DuckDB", "postgres": "PostgreSQL", "spark": "Apache Spark"}[
        warehouse.target
    ]
    print(f"warehouse:  {warehouse}  ({engine}; marts in schema marts, audit in schema audit)")
    if result.success:
        _print_marts(warehouse)
    return 0 if result.success else 1


def _print_marts(warehouse: Warehouse) -> None:
    with warehouse.connect(read_only=True) as con:
        tables = table_names(con, "marts")
        print("marts:      " + ", ".join(f"marts.{name}" for name in tables))
        print("\ncumulative ROI per project at the latest quarter (reporting currency):")
        rows = con.execute(
            """
            select latest_roi.project_code, latest_roi.period_start,
                   round(latest_roi.cumulative_investment, 0),
                   round(latest_roi.cumulative_gross_profit, 0),
                   round(latest_roi.cumulative_roi, 3)
            from marts.mart_project_roi as latest_roi
            where latest_roi.period_grain = 'quarter'
              and latest_roi.period_start = (
                  select max(latest.period_start) from marts.mart_project_roi as latest
                  where latest.period_grain = 'quarter'
                    and latest.project_code = latest_roi.project_code)
            order by latest_roi.project_code
            """
        ).fetchall()
    header = ("project_code", "quarter_start", "invested", "gross_profit", "cumulative_roi")
    cells = [header, *(tuple("" if v is None else str(v) for v in row) for row in rows)]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    for row in cells:
        print("  " + "  ".join(v.rjust(width) for v, width in zip(row, widths, strict=True)))
    query = "select * from marts.mart_project_roi limit 10"
    if warehouse.target == "duckdb":
        print(
            'query it:   .venv/bin/python -c "import duckdb; '
            f"duckdb.connect('{warehouse}', read_only=True).sql('{query}').show()\""
        )
    elif warehouse.target == "postgres":
        print(f'query it:   psql "{warehouse}" -c "{query}"')
    else:
        settings = warehouse.settings
        print(
            'query it:   .venv/bin/python -c "from pyhive import hive; c = hive.connect('
            f"host='{settings.host}', port={settings.port}, username='{settings.user}').cursor(); "
            f"c.execute('{query}'); print(*c.fetchall(), sep=chr(10))\""
        )


def _audit(args: argparse.Namespace) -> int:
    from .audit_view import audit_text

    print(audit_text(_warehouse(args), run_id=args.run, table=args.table))
    return 0


def _docs(args: argparse.Namespace) -> int:
    from .docs import build_docs

    page = build_docs(Path(args.out), _warehouse(args))
    print(f"data dictionary and lineage: {page.resolve()} (one file; opens without a server)")
    return 0


def _export(args: argparse.Namespace) -> int:
    from .export import export_marts

    written = export_marts(_warehouse(args), Path(args.out), args.format)
    tables = sum(path.suffix == f".{args.format}" for path in written)
    print(f"exported {tables} table(s) of schema marts as {args.format}:")
    for path in written:
        print(f"  {path}")
    return 0


def _forget(args: argparse.Namespace) -> int:
    from .erasure import forget

    kind, key = ("account", args.account) if args.account is not None else ("lead", args.lead)
    result = forget(_warehouse(args), kind, key, requested_by=args.requested_by)
    print(result.summary())
    return 0


def _report_setting_names() -> list[str]:
    from reporting import ReportSettings

    return ReportSettings.names()


def _simulation_setting_names() -> list[str]:
    from simulation import SimulationSettings

    return SimulationSettings.names()


def _report(args: argparse.Namespace) -> int:
    from reporting import ReportSettings, build_report, default_report_dir

    written_in = label_grain(args.period) if args.period else None
    if args.grain and written_in and written_in != args.grain:
        raise RoiError(f"--period {args.period} is a {written_in}, not a {args.grain}")
    grain = args.grain or written_in or DEFAULT_REPORT_GRAIN
    period = None
    if args.period:
        try:
            period = Period.parse(grain, args.period)
        except ValueError as error:
            if args.grain:
                raise RoiError(f"--period: {error}") from None
            # neither a label of any grain nor a day: say every form a period may take
            raise RoiError(
                f"--period: {args.period!r} is not a period: write a label ("
                + ", ".join(f"{GRAINS[name].example()} ({name})" for name in GRAINS)
                + ") or a day in the period (YYYY-MM-DD)"
            ) from None
    settings = ReportSettings.from_env().with_overrides(args.threshold)
    warehouse = _warehouse(args)
    path = build_report(
        warehouse,
        Path(args.out) if args.out else default_report_dir(warehouse),
        period=period,
        grain=grain,
        lang=args.lang,
        run_id=args.run,
        settings=settings,
        scenarios_file=Path(args.scenarios) if args.scenarios else None,
    )
    print(f"ROI report: {path.resolve()} (one HTML file; opens offline, prints on A4)")
    return 0


# The flags of one scenario (`roi simulate` without --scenarios), by their argparse names.
SCENARIO_FLAGS = {
    "project": "--project",
    "shift": "--shift",
    "amount": "--amount",
    "share": "--share",
    "to_project": "--to-project",
    "window": "--window",
    "churn_change": "--churn-change",
    "horizon": "--horizon",
    "name": "--name",
}


def _simulate(args: argparse.Namespace) -> int:
    from simulation import SimulationSettings, run_simulation, text
    from simulation.output import render_json, render_table
    from simulation.schema import load_scenario_file, scenario_from_flags

    settings = SimulationSettings.from_env()
    flags = {name: getattr(args, name) for name in SCENARIO_FLAGS}
    given = [SCENARIO_FLAGS[name] for name, value in flags.items() if value is not None]
    if args.scenarios and args.suggested:
        raise RoiError("--scenarios and --suggested both choose the scenarios: give one")
    if args.scenarios or args.suggested:
        chosen = f"--scenarios {args.scenarios} holds" if args.scenarios else "--suggested chooses"
        if given:
            raise RoiError(
                f"{chosen} the scenarios: leave out {', '.join(given)}, or give one scenario "
                f"by its flags without {chosen.split()[0]}"
            )
    scenarios: list | None
    if args.suggested:
        scenarios = None
    elif args.scenarios:
        scenario_file = load_scenario_file(Path(args.scenarios))
        settings = scenario_file.apply_settings(settings)
        scenarios = list(scenario_file.scenarios)
    else:
        scenarios = [scenario_from_flags(**flags)]
    settings = settings.with_overrides(args.setting)
    warehouse = _warehouse(args)
    data, results = run_simulation(warehouse, scenarios, settings)
    if args.format == "json":
        print(render_json(results, data, settings, warehouse.label), end="")
    elif results:
        print(render_table(results), end="")
    else:
        print(
            "no scenario to suggest: no project has two paid channels with at least "
            f"{settings.min_customers} new customers in the window, nor a churn rate to lower"
        )
    refused = sum(result.refused for result in results)
    if refused:
        print(text("table.refused_count", refused=refused, count=len(results)), file=sys.stderr)
        return 1
    return 0


def _spark(args: argparse.Namespace) -> int:
    from . import spark_cluster

    settings = spark_cluster.ClusterSettings.from_env()
    if args.action == "up":
        spark_cluster.start(settings, say=say)
    elif args.action == "down":
        spark_cluster.stop(settings, say=say)
    else:
        state = spark_cluster.status(settings)
        print(
            f"Spark cluster in {settings.home}: master "
            f"{'up' if state['master'] else 'down'} ({settings.master_url}), "
            f"{state['alive_workers']} worker(s) alive, Thrift Server "
            f"{'answers' if state['thrift_server'] else 'down'} "
            f"({spark_cluster.HOST}:{settings.thrift_port})"
        )
        return 0 if state["thrift_server"] else 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    from reporting import LANGUAGES
    from reporting.languages import language_code

    parser = argparse.ArgumentParser(
        prog="roi", description="Overseas ROI warehouse: is each overseas project paying off?"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    # Options several commands share, declared once (argparse parent parsers).
    warehouse_options = argparse.ArgumentParser(add_help=False)
    warehouse_options.add_argument("--warehouse", help=WAREHOUSE_HELP)
    warehouse_options.add_argument("--target", choices=TARGETS, help=TARGET_HELP)
    load_options = argparse.ArgumentParser(add_help=False, parents=[warehouse_options])
    load_options.add_argument("--data-dir", help="the file drop folder (with --source files)")
    load_options.add_argument(
        "--reporting-currency",
        help=f"ISO-4217 code of the marts' amounts (default $ROI_REPORTING_CURRENCY, else "
        f"{DEFAULT_REPORTING_CURRENCY})",
    )

    demo = commands.add_parser(
        "demo",
        help="build demo data and run the whole pipeline on it",
        parents=[warehouse_options],
    )
    demo.add_argument("--out", default=str(DEMO_DIR), help="folder for the demo drop")
    demo.set_defaults(handler=_demo)

    run = commands.add_parser("run", help="one full pipeline run", parents=[load_options])
    run.add_argument(
        "--source",
        default="files",
        help="files (default), api (every family with a live connector), or per family, "
        "e.g. ads=api,crm=api,erp=files,fx=api",
    )
    run.add_argument(
        "--full-refresh",
        action="store_true",
        help="rebuild the incremental models from every raw row instead of the new ones only "
        "(done by itself when the dbt project or the reporting currency changed)",
    )
    run.set_defaults(handler=_run)

    backfill = commands.add_parser(
        "backfill",
        help="re-run the review of past periods, one run per period",
        parents=[load_options],
        description=f"Re-run the {_either(grain.adjective for grain in GRAINS.values())} "
        "review for every period from --from to --to (labels like "
        f"{', '.join(GRAINS[grain].example(2025) for grain in GRAINS)}, or a day in the period). "
        "Live connectors re-extract each period; loads merge on their keys, so nothing is "
        "duplicated. Stops at the first failed period.",
    )
    backfill.add_argument("--grain", required=True, choices=tuple(GRAINS))
    backfill.add_argument("--from", dest="start", required=True, metavar="PERIOD")
    backfill.add_argument("--to", dest="stop", required=True, metavar="PERIOD")
    backfill.add_argument("--source", default="files", help="as for roi run")
    backfill.set_defaults(handler=_backfill)

    home = commands.add_parser(
        "dagster-home",
        help="write dagster.yaml for this environment (SQLite, or PostgreSQL with "
        "DAGSTER_PG_HOST) into a DAGSTER_HOME folder",
    )
    home.add_argument("home", help="the DAGSTER_HOME folder")
    home.set_defaults(handler=_dagster_home)

    audit = commands.add_parser(
        "audit",
        help="a run's checks, quarantine and loads, and a table's lineage",
        parents=[warehouse_options],
    )
    audit.add_argument("--run", help="run id (default: the latest run)")
    audit.add_argument(
        "--table", help="schema.table whose lineage to show, e.g. marts.mart_project_roi"
    )
    audit.set_defaults(handler=_audit)

    docs = commands.add_parser(
        "docs",
        help="the data dictionary (English/中文) and lineage as a static HTML site",
        parents=[warehouse_options],
    )
    docs.add_argument("--out", default="docs", help="folder for index.html (default docs/)")
    docs.set_defaults(handler=_docs)

    export = commands.add_parser(
        "export",
        help="write every published mart as Parquet or CSV, with schema.json, for BI tools",
        parents=[warehouse_options],
        description="Write every table of the published marts schema to --out as "
        "<table>.parquet or <table>.csv, with schema.json (columns, types, nullability, "
        "descriptions, Chinese labels, row counts, last run) and schema.md. Reads the "
        "warehouse read-only; files are replaced only once all of them are written.",
    )
    export.add_argument("--format", required=True, choices=["parquet", "csv"])
    export.add_argument("--out", required=True, help="folder for the files")
    export.set_defaults(handler=_export)

    forget = commands.add_parser(
        "forget",
        help="erase a CRM account or lead (an erasure request) and keep it out of later loads",
        parents=[warehouse_options],
        description="Remove an account (with its leads, opportunities, orders, tickets and "
        "activities) or a lead (with its activities; opportunities naming it keep their row, "
        "with lead_id NULL) from every table of the warehouse and from the files runs keep "
        "beside it, add its hashed key to the suppression list every later load applies, and "
        "record the erasure in audit.erasures. Running it again changes nothing.",
    )
    forget_key = forget.add_mutually_exclusive_group(required=True)
    forget_key.add_argument("--account", metavar="ID", help="CRM account id (account_id)")
    forget_key.add_argument("--lead", metavar="ID", help="CRM lead id (lead_id)")
    forget.add_argument(
        "--requested-by",
        help="who asked for the erasure, for audit.erasures (default: the OS user)",
    )
    forget.set_defaults(handler=_forget)

    report = commands.add_parser(
        "report",
        help="write the ROI evaluation report (HTML, charts, alerts) from the marts",
        parents=[warehouse_options],
        description="Write the ROI evaluation report of a period as one self-contained HTML "
        "file (out/roi-report-<period>-<lang>.html). Without --period: the last complete "
        f"period of --grain (default {DEFAULT_REPORT_GRAIN}) with data. The grain follows "
        "--period's label ("
        + ", ".join(f"{GRAINS[grain].example()} {grain}" for grain in reversed(GRAINS))
        + "); a day (2026-02-15) takes --grain.",
    )
    report.add_argument(
        "--period",
        help=", ".join(GRAINS[grain].example() for grain in reversed(GRAINS))
        + ", or a day in the period",
    )
    report.add_argument(
        "--grain",
        choices=tuple(GRAINS),
        help=f"{_either(GRAINS)} (default: --period's, else {DEFAULT_REPORT_GRAIN})",
    )
    report.add_argument(
        "--lang",
        choices=LANGUAGES,
        default="en",
        # zh-hant or zh_Hant finds zh-Hant; an unknown code is refused with the list
        type=lambda text: language_code(text, LANGUAGES),
        help=f"{_either(LANGUAGES)} (default en)",
    )
    report.add_argument(
        "--out", help="folder (default $ROI_REPORT_DIR, else reports/ beside the warehouse)"
    )
    report.add_argument("--run", help="run id whose data quality to report (default: the latest)")
    report.add_argument(
        "--threshold",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="alert threshold, e.g. cac_increase=0.3 or churn_spike=3%% (repeatable; also "
        "ROI_REPORT_<NAME>); names: " + ", ".join(_report_setting_names()),
    )
    report.add_argument(
        "--scenarios",
        metavar="FILE",
        help="YAML file of the What-if section's scenarios, as for `roi simulate --scenarios` "
        "(default $ROI_SCENARIOS, else the suggested scenarios)",
    )
    report.set_defaults(handler=_report)

    simulate = commands.add_parser(
        "simulate",
        help="what-if scenarios: a budget shift between channels or projects, or a churn "
        "change, projected from the marts",
        parents=[warehouse_options],
        description="Project the effect of a strategy change from what the published marts "
        'observed (README "What-if scenarios"). A budget shift moves --amount or --share of '
        "a project's media spend from one ad platform to another (--shift FROM:TO), or to "
        "another project (--to-project), over --window (default: the last two complete "
        "quarters). A churn change lowers or raises the project's monthly churn "
        "(--churn-change -1pp) over --horizon months (default 12). "
        "Or --scenarios FILE (YAML; see scenarios.example.yml). Every projection is shown "
        "beside its observed baseline and its assumptions; a scenario the data cannot "
        "support is refused with the reason. Exit 0: all projected; 1: a scenario was "
        "refused; 2: bad input.",
    )
    simulate.add_argument("--scenarios", metavar="FILE", help="YAML file of scenarios")
    simulate.add_argument(
        "--suggested",
        action="store_true",
        help="the scenarios the report's What-if section suggests without a scenario file: "
        "per project, 20%% of the spend of the channel that earned the least realised LTV per "
        "unit moved to the one that earned the most, and churn 1 point lower",
    )
    simulate.add_argument("--project", metavar="CODE", help="the project, e.g. P-DE")
    simulate.add_argument(
        "--shift",
        metavar="FROM:TO",
        help="move spend between ad platforms, e.g. google_ads:meta_ads (one name with "
        "--to-project: the same platform in another project)",
    )
    shift_size = simulate.add_mutually_exclusive_group()
    shift_size.add_argument(
        "--amount", metavar="MONEY", help="amount moved, in the reporting currency (10000)"
    )
    shift_size.add_argument(
        "--share", metavar="SHARE", help="share of FROM's spend in the window moved (20%%, 0.2)"
    )
    simulate.add_argument(
        "--to-project", metavar="CODE", help="the project receiving the money (default: --project)"
    )
    simulate.add_argument(
        "--window",
        metavar="FIRST:LAST",
        help="baseline window of whole months, e.g. 2025-Q3:2026-Q1, 2026-Q1, 2025-07:2025-12 "
        "(default: the last window_quarters complete quarters)",
    )
    simulate.add_argument(
        "--churn-change",
        metavar="NPP",
        help="change of the monthly churn in percentage points: -1pp, +0.5pp, 2pp",
    )
    simulate.add_argument(
        "--horizon", metavar="MONTHS", help="months ahead for a churn change (default 12)"
    )
    simulate.add_argument("--name", help="a name for the scenario in the output")
    simulate.add_argument(
        "--setting",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a setting (repeatable; also ROI_SIMULATE_<NAME>), e.g. min_customers=3 "
        "or bands=0,25%%,50%%; names: " + ", ".join(_simulation_setting_names()),
    )
    simulate.add_argument(
        "--format", choices=["table", "json"], default="table", help="table (default) or json"
    )
    simulate.set_defaults(handler=_simulate)

    spark = commands.add_parser(
        "spark",
        help="start, stop or show the local Spark cluster (master, two workers, Thrift Server)",
        description="The Spark cluster of --target spark on this machine, started from "
        "pyspark's jars (roi/spark_cluster.py). Settings: ROI_SPARK_HOME, ROI_SPARK_PORT, "
        "ROI_SPARK_MASTER_PORT, ROI_SPARK_MASTER_UI_PORT, ROI_SPARK_WORKER_UI_PORT, "
        "ROI_SPARK_WORKER_MEMORY, ROI_SPARK_EXECUTOR_MEMORY, ROI_SPARK_DRIVER_MEMORY.",
    )
    spark.add_argument("action", choices=("up", "down", "status"))
    spark.set_defaults(handler=_spark)

    generate = commands.add_parser("generate", help="write a synthetic file drop")
    generate.add_argument("--out", required=True)
    generate.add_argument("--scale", type=int, default=1)
    generate.add_argument("--seed", type=int, default=42)
    generate.set_defaults(handler=_generate)
    return parser


# The shell's convention for a command stopped by SIGINT (128 + 2).
EXIT_INTERRUPTED = 130


class _SkippedCheckNotices(logging.Filter):
    """Drops Dagster's warning, one per blocking check, that a skipped step's check emitted
    no result. A rerun that could change nothing skips every step after the file drop on
    purpose (orchestration/unchanged.py) and says so in one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (
            record.name.startswith("dagster")
            and record.getMessage().startswith("Blocking asset check ")
            and "emitted no result" in record.getMessage()
        )


def _hide_skipped_check_notices() -> None:
    """Python shows the libraries' warnings through logging's handler of last resort (the
    message alone on stderr); keep it from showing _SkippedCheckNotices. Idempotent."""
    last_resort = logging.lastResort
    if last_resort and not any(isinstance(f, _SkippedCheckNotices) for f in last_resort.filters):
        last_resort.addFilter(_SkippedCheckNotices())


# Flags whose value may start with `-` (`--churn-change -1pp`): argparse takes such a value for
# a flag unless it is a plain negative number, so it is attached to its flag (`=`) first.
SIGNED_VALUE_FLAGS = ("--churn-change",)


def _attach_signed_values(argv: list[str]) -> list[str]:
    attached: list[str] = []
    for arg in argv:
        if attached and attached[-1] in SIGNED_VALUE_FLAGS and arg.startswith("-"):
            attached[-1] = f"{attached[-1]}={arg}"
        else:
            attached.append(arg)
    return attached


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser().parse_args(_attach_signed_values(argv))
    from ingestion import configure_runtime

    # dlt's defaults and the log redaction, before any command loads or logs anything
    configure_runtime()
    _hide_skipped_check_notices()
    try:
        # Run state, reports and exports hold the company's figures: private to the user,
        # for this process and the dbt and dlt processes it starts.
        with private_umask():
            return args.handler(args)
    except RunInterrupted as interrupted:
        print(f"interrupted: {interrupted}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except KeyboardInterrupt:
        print(f"interrupted: roi {args.command} stopped", file=sys.stderr)
        return EXIT_INTERRUPTED
    except RoiError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
