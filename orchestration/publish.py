"""Write-audit-publish: candidate marts become the published marts in one transaction
(on Spark, which has none, through versioned copies and a switch of views: _publish_on_spark).

dbt builds the marts into `marts_candidate`; dbt tests and blocking asset checks audit
them there; only when all pass does this asset copy every candidate into `marts` at once.
A failed check therefore leaves BI tools reading the last good marts, never a mix of runs.
"""

import re

import dagster as dg

from foundation.progress import say
from foundation.warehouse import table_names

from .audit_assets import QUARANTINE_KEY
from .resources import WarehouseResource
from .unchanged import last_published_run, record_published, run_input_key

PUBLISHED_SCHEMA = "marts"
CANDIDATE_SCHEMA = "marts_candidate"
# Spark only: the published versions the views of `marts` point at (_publish_on_spark)
VERSIONS_SCHEMA = "marts_versions"


def _refuse_unless_every_check_passed(context: dg.AssetExecutionContext) -> None:
    """Dagster skips publishing when a blocking check fails; a check that crashed (or any
    other failed step) must stop it too, so read this run's events before touching marts."""
    instance, run_id = context.instance, context.run.run_id
    failed_steps = [
        record.dagster_event.step_key
        for record in instance.all_logs(run_id, of_type=dg.DagsterEventType.STEP_FAILURE)
    ]
    failed_checks = [
        record.dagster_event.event_specific_data.check_name
        for record in instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
        if not record.dagster_event.event_specific_data.passed
        and record.dagster_event.event_specific_data.severity == dg.AssetCheckSeverity.ERROR
    ]
    if failed_steps or failed_checks:
        raise dg.Failure(
            description="not publishing: "
            + ", ".join(
                [f"step {s} failed" for s in failed_steps]
                + [f"blocking check {c} failed" for c in failed_checks]
            ),
            allow_retries=False,
        )


def publish(con, mart_names: list[str], run_id: str, input_key: str | None) -> dict[str, int]:
    """Make the candidate marts `mart_names` the published set, and record the publish in
    audit.published_inputs; returns each mart's row count."""
    if getattr(con, "dialect", None) == "spark":
        return _publish_on_spark(con, mart_names, run_id, input_key)
    rows: dict[str, int] = {}
    with con.transaction():
        # One transaction on both engines (PostgreSQL's DDL is transactional too): readers
        # see the old set of marts or the new one, never a mix.
        con.execute(f"create schema if not exists {PUBLISHED_SCHEMA}")
        # The published set is exactly the candidate set: a mart renamed or removed in dbt
        # disappears from marts too, instead of lingering with stale numbers.
        for stale in table_names(con, PUBLISHED_SCHEMA):
            if stale not in mart_names:
                con.execute(f"drop table {PUBLISHED_SCHEMA}.{stale}")
        for name in mart_names:
            con.replace_table(
                f"{PUBLISHED_SCHEMA}.{name}", f"select * from {CANDIDATE_SCHEMA}.{name}"
            )
            (rows[name],) = con.execute(
                f"select count(*) from {PUBLISHED_SCHEMA}.{name}"
            ).fetchone()
        # what these marts were built from: a rerun that could change nothing stops early
        record_published(con, run_id, input_key)
    return rows


def version_table(name: str, run_id: str) -> str:
    """The Spark table holding mart `name` as run `run_id` published it."""
    return f"{VERSIONS_SCHEMA}.{name}__{re.sub(r'[^0-9A-Za-z]', '_', run_id)}"


def _publish_on_spark(
    con, mart_names: list[str], run_id: str, input_key: str | None
) -> dict[str, int]:
    """Spark has no transaction over several tables. So each publish first writes a copy of
    every candidate mart, a version of its own (`marts_versions.<mart>__<run>`), and only
    when all are written does it point each published mart, a view in `marts`, at its new
    version. A reader therefore never sees a half-written table nor a mart that failed its
    checks; while the views switch one after the other (well under a second each), a query
    that reads two marts may see one from this run and one from the last. A publish that
    fails before the switch changes nothing a reader sees. The version of the previous
    publish is kept, so a query still reading it finishes; older ones are dropped."""
    con.execute(f"create schema if not exists {VERSIONS_SCHEMA}")
    con.execute(f"create schema if not exists {PUBLISHED_SCHEMA}")
    rows: dict[str, int] = {}
    for name in mart_names:
        version = version_table(name, run_id)
        con.replace_table(version, f"select * from {CANDIDATE_SCHEMA}.{name}")
        (rows[name],) = con.execute(f"select count(*) from {version}").fetchone()
    for name in mart_names:
        con.execute(
            f"create or replace view {PUBLISHED_SCHEMA}.{name} "
            f"as select * from {version_table(name, run_id)}"
        )
    for stale in table_names(con, PUBLISHED_SCHEMA):
        if stale not in mart_names:
            con.execute(f"drop view if exists {PUBLISHED_SCHEMA}.{stale}")
    previous = last_published_run(con)
    record_published(con, run_id, input_key)
    keep = {
        version_table(name, run).split(".", 1)[1]
        for name in mart_names
        for run in [run_id] + ([previous] if previous else [])
    }
    for table in table_names(con, VERSIONS_SCHEMA):
        if table not in keep:
            con.execute(f"drop table if exists {VERSIONS_SCHEMA}.{table}")
    return rows


def build_publish_marts(mart_names: list[str]) -> dg.AssetsDefinition:
    """The publishing step of the marts `mart_names` (dbt_assets.mart_model_names())."""
    mart_names = list(mart_names)

    @dg.multi_asset(
        specs=[
            dg.AssetSpec(
                [PUBLISHED_SCHEMA, name],
                deps=[dg.AssetKey([CANDIDATE_SCHEMA, name]), QUARANTINE_KEY],
                group_name=PUBLISHED_SCHEMA,
                kinds={"sql"},
                description=f"Published copy of {CANDIDATE_SCHEMA}.{name}, replaced only when "
                "every blocking check of the run passed.",
            )
            for name in mart_names
        ],
        can_subset=False,
        name="publish_marts",
    )
    def publish_marts(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
        _refuse_unless_every_check_passed(context)
        input_key = run_input_key(context.instance, context.run.run_id)
        with warehouse.connect() as con:
            rows = publish(con, mart_names, context.run.run_id, input_key)
        say(f"published {len(mart_names)} mart(s) to schema {PUBLISHED_SCHEMA}")
        for name in mart_names:
            yield dg.MaterializeResult(
                asset_key=[PUBLISHED_SCHEMA, name], metadata={"rows": rows[name]}
            )

    return publish_marts
