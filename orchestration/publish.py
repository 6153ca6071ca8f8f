"""Write-audit-publish: candidate marts become the published marts in one transaction.

dbt builds the marts into `marts_candidate`; dbt tests and blocking asset checks audit
them there; only when all pass does this asset copy every candidate into `marts` at once.
A failed check therefore leaves BI tools reading the last good marts, never a mix of runs.
"""

import dagster as dg

from foundation.progress import say

from .audit_assets import QUARANTINE_KEY
from .resources import WarehouseResource
from .unchanged import record_published, run_input_key

PUBLISHED_SCHEMA = "marts"
CANDIDATE_SCHEMA = "marts_candidate"


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
        rows: dict[str, int] = {}
        with warehouse.connect() as con, con.transaction():
            # One transaction on both engines (PostgreSQL's DDL is transactional too): readers
            # see the old set of marts or the new one, never a mix.
            con.execute(f"create schema if not exists {PUBLISHED_SCHEMA}")
            # The published set is exactly the candidate set: a mart renamed or removed in dbt
            # disappears from marts too, instead of lingering with stale numbers.
            published = con.execute(
                "select table_name from information_schema.tables where table_schema = ?",
                [PUBLISHED_SCHEMA],
            ).fetchall()
            for (stale,) in published:
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
            record_published(con, context.run.run_id, input_key)
        say(f"published {len(mart_names)} mart(s) to schema {PUBLISHED_SCHEMA}")
        for name in mart_names:
            yield dg.MaterializeResult(
                asset_key=[PUBLISHED_SCHEMA, name], metadata={"rows": rows[name]}
            )

    return publish_marts
