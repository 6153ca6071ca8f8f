"""Ingestion assets: validate and stage the file drop, then one dlt load per source family.

A load from a live connector is a network step: besides the HTTP retries inside each
connector, Dagster retries the whole step with exponential backoff (`load_retry_policy`),
unless the failure is one no retry can fix (bad credentials or configuration, a rejected
file). A run for a named period that its schedule did not launch (a backfill, or one
partition launched by hand) re-extracts exactly that period from the live connectors and
leaves their incremental cursors alone; scheduled runs load incrementally.
"""

import shutil
from pathlib import Path

import dagster as dg
from dagster_dlt import DagsterDltResource, DagsterDltTranslator, build_dlt_asset_specs
from dagster_dlt.translator import DltResourceTranslatorData
from dlt.common.configuration.exceptions import ConfigurationException
from dlt.common.exceptions import TerminalException

from foundation.errors import DropRejected, RoiError, stopped_by_interrupt
from foundation.periods import Period
from foundation.progress import say
from ingestion.api_sources import api_source
from ingestion.files import DATASETS, file_drop_source, stage_drop
from ingestion.http_retries import watch_http
from ingestion.suppression import erased_keys, suppress_erased
from ingestion.window import ExtractWindow

from .audit_store import record_loads
from .audit_trail import rejected_failure, run_trigger
from .resources import (
    FileDropResource,
    SourceSelection,
    WarehouseResource,
    definition_time_pipeline,
)
from .schema_drift import new_columns, report_new_columns
from .unchanged import (
    FILE_DROP_KEY,
    INPUT_KEY,
    UNCHANGED_SINCE,
    drop_digest,
    input_key,
    unchanged_since,
)

# Staged Parquet of the last runs is kept to debug a load; older ones are removed.
KEEP_STAGED_DROPS = 5


def _remove_old_staged_drops(folder: Path, keep: int) -> None:
    if not folder.is_dir():
        return
    runs = sorted(folder.iterdir(), key=lambda path: path.stat().st_mtime, reverse=True)
    for old in runs[keep:]:
        shutil.rmtree(old, ignore_errors=True)


@dg.asset(
    key=FILE_DROP_KEY,
    group_name="ingestion",
    kinds={"csv"},
    description="The CSV file drop, validated as a whole and staged as typed Parquet. "
    "A malformed drop fails here, before anything is loaded. A rerun that could change "
    "nothing (the same files, code and settings on an unchanged warehouse) stops here: no "
    "materialization, every later step skipped, the last published run standing.",
    # a run that could change nothing yields no materialization: Dagster skips what follows
    output_required=False,
)
def file_drop(
    context: dg.AssetExecutionContext,
    drop: FileDropResource,
    warehouse: WarehouseResource,
    sources: SourceSelection,
):
    families = sources.file_datasets()
    key = _rerun_key(context, drop, warehouse, sources)
    # a warehouse not made yet has published nothing (and a rejected drop must not make it)
    if key is not None and warehouse.resolved.exists():
        with warehouse.connect() as con:
            same = unchanged_since(con, key)
        if same is not None:
            say(
                f"file drop {drop.data_dir} unchanged since run {same}, and nothing loaded or "
                "erased since: nothing to rebuild; that run's marts, checks and report stand"
            )
            context.log_event(
                dg.AssetObservation(
                    asset_key=FILE_DROP_KEY,
                    metadata={UNCHANGED_SINCE: same, INPUT_KEY: key, "data_dir": drop.data_dir},
                )
            )
            return
    say(f"validating file drop {drop.data_dir} ({', '.join(families)})")
    staged = warehouse.staged_dir(context.run_id)
    _remove_old_staged_drops(staged.parent, keep=KEEP_STAGED_DROPS)
    suppression = erased_keys(warehouse.resolved)
    try:
        counts = stage_drop(
            drop.data_dir,
            staged,
            progress=say,
            datasets=families,
            clean=suppression.clean_arrow if suppression else None,
        )
    except DropRejected as rejected:
        raise rejected_failure(rejected) from rejected
    say(f"file drop valid: {sum(counts.values())} rows in {len(counts)} files")
    yield dg.MaterializeResult(
        metadata={
            "data_dir": drop.data_dir,
            **({INPUT_KEY: key} if key else {}),
            **{name: rows for name, rows in counts.items()},
        }
    )


def _rerun_key(
    context: dg.AssetExecutionContext,
    drop: FileDropResource,
    warehouse: WarehouseResource,
    sources: SourceSelection,
) -> str | None:
    """The run's input key (orchestration.unchanged) when it may be short-circuited: every
    family from the file drop, not a scheduled run (its freshness checks and report are the
    schedule's point), not asked to rebuild. Else None."""
    if set(sources.file_datasets()) != set(DATASETS):
        return None
    if run_trigger(context.run.tags) == "schedule":
        return None
    build_config = context.run.run_config.get("ops", {}).get("dbt_models", {}).get("config", {})
    if build_config.get("full_refresh"):
        return None
    digest = drop_digest(Path(drop.data_dir), DATASETS)
    if digest is None:
        return None
    tags = context.run.tags
    period = {name: value for name, value in tags.items() if name.startswith("roi/period")}
    return input_key(digest, warehouse.dbt_vars(), {"source": sources.choice, **period})


class RawTableTranslator(DagsterDltTranslator):
    """Key each dlt table as [dataset, table]: the same key the dbt source gets."""

    def get_asset_spec(self, data: DltResourceTranslatorData) -> dg.AssetSpec:
        spec = super().get_asset_spec(data)
        return spec.replace_attributes(
            key=dg.AssetKey([data.pipeline.dataset_name, data.resource.name]),
            deps=[FILE_DROP_KEY],
            group_name="ingestion",
        )


def load_retry_policy(max_retries: int, delay_seconds: float) -> dg.RetryPolicy:
    """The step retries of a live load (Settings.load_retries, load_retry_delay_seconds)."""
    return dg.RetryPolicy(
        max_retries=max_retries,
        delay=delay_seconds,
        backoff=dg.Backoff.EXPONENTIAL,
        jitter=dg.Jitter.PLUS_MINUS,
    )


# Failures that the same request would meet again: do not wait for retries.
TERMINAL_ERRORS = (TerminalException, ConfigurationException, RoiError)


# An interruption (Ctrl-C, SIGTERM) as dlt may wrap it in its own errors.
INTERRUPTIONS = (dg.DagsterExecutionInterruptedError, KeyboardInterrupt)


def _in_chain(error: BaseException, kinds: tuple[type[BaseException], ...]):
    """The first error of one of `kinds` in `error`'s chain of causes, or None."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, kinds):
            return error
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return None


def _terminal(error: BaseException) -> BaseException | None:
    return _in_chain(error, TERMINAL_ERRORS)


def _stopped(dataset: str) -> dg.Failure:
    return dg.Failure(description=f"{dataset}: interrupted", allow_retries=False)


def _previous_attempt_interrupted(context: dg.AssetExecutionContext) -> bool:
    """Whether Ctrl-C or SIGTERM stopped this step's previous attempt. Dagster retries such an
    attempt under the retry policy (made for a machine taken away), even when the signal
    landed in its own code rather than ours; a stopped run must stay stopped."""
    retries = [
        record.dagster_event
        for record in context.instance.all_logs(
            context.run_id, of_type=dg.DagsterEventType.STEP_UP_FOR_RETRY
        )
        if record.dagster_event.step_key == context.op_def.name
    ]
    return bool(retries) and stopped_by_interrupt(retries[-1].event_specific_data)


def extract_window(run_tags: dict[str, str]) -> ExtractWindow | None:
    """The period a live connector must re-extract, or None to load incrementally."""
    period = Period.from_tags(run_tags)
    if period is None or run_tags.get("roi/trigger") == "schedule":
        return None
    return ExtractWindow(period.start, period.end)


def _file_load_assets(
    dataset: str, retry_policy: dg.RetryPolicy, pipelines_dir: Path
) -> dg.AssetsDefinition:
    @dg.multi_asset(
        specs=build_dlt_asset_specs(
            dlt_source=file_drop_source(dataset),
            dlt_pipeline=definition_time_pipeline(dataset, pipelines_dir),
            dagster_dlt_translator=RawTableTranslator(),
        ),
        name=f"load_{dataset}",
        can_subset=True,
        retry_policy=retry_policy,
    )
    def _load(
        context: dg.AssetExecutionContext,
        dlt: DagsterDltResource,
        warehouse: WarehouseResource,
        sources: SourceSelection,
    ):
        if context.retry_number and _previous_attempt_interrupted(context):
            raise _stopped(dataset) from dg.DagsterExecutionInterruptedError()
        origin = sources.source_for(dataset)
        if origin == "files":
            say(f"loading {dataset} from the file drop")
            source = file_drop_source(dataset, warehouse.staged_dir(context.run_id))
        else:
            window = extract_window(context.run.tags)
            attempt = f" (retry {context.retry_number})" if context.retry_number else ""
            say(
                f"loading {dataset} from the live {origin} connector{attempt}"
                + (f", re-extracting {window}" if window else ", incrementally")
            )
            source = api_source(dataset, origin, window=window)
        # Erased accounts and leads (roi forget) never land again, whichever source sends them.
        source = suppress_erased(source, warehouse.resolved)
        # One dlt pipeline (and so one incremental state) per family and connector.
        pipeline = warehouse.dlt_pipeline(dataset, pipeline_prefix=origin)
        landing = warehouse.resolved
        source = landing.prepare_source(source)
        try:
            with watch_http() as http:
                yield from dlt.run(
                    context=context,
                    dlt_source=source,
                    dlt_pipeline=pipeline,
                    **landing.dlt_run_options(),
                )
            landing.after_load(pipeline)
            # what the HTTP went through (retries, rate limits, tokens): one line per connector
            for line in http.lines():
                say(line)
            # inside the try: a warehouse that cannot take the audit rows fails the step the
            # same way (for files without retries)
            trace = pipeline.last_trace
            record_loads(
                warehouse.resolved,
                context.run.run_id,
                source=origin,
                dataset=dataset,
                load_ids=trace.last_load_info.loads_ids,
                row_counts=trace.last_normalize_info.row_counts,
                http=http,
            )
            report_new_columns(
                warehouse.resolved,
                context.run.run_id,
                origin,
                new_columns(trace.last_load_info, dataset),
            )
        except (dg.DagsterExecutionInterruptedError, KeyboardInterrupt) as interruption:
            # Dagster retries an interrupted step that has a retry policy (a pre-empted
            # machine); after a Ctrl-C or SIGTERM the load must stop, not start again
            raise _stopped(dataset) from interruption
        except Exception as error:
            if _in_chain(error, INTERRUPTIONS):  # as dlt may wrap it
                raise _stopped(dataset) from error
            terminal = _terminal(error)
            if terminal is None and origin != "files":
                raise  # a network step: the step's retry policy retries it
            description = f"{dataset} from {origin}: {terminal or error}"
            if isinstance(terminal, DropRejected):  # an ERP export or FX rates file
                raise rejected_failure(terminal, description) from error
            raise dg.Failure(description=description, allow_retries=False) from error

    return _load


def build_file_load_assets(
    retry_policy: dg.RetryPolicy, pipelines_dir: Path
) -> list[dg.AssetsDefinition]:
    """One dlt load per source family. `pipelines_dir`: where the definition-time dlt
    pipelines (which only describe the tables) keep their working folders while the
    definitions are built; runs use the warehouse's own pipelines."""
    return [_file_load_assets(dataset, retry_policy, pipelines_dir) for dataset in DATASETS]
