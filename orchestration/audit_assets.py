"""The audit group's assets: quarantined rows, lineage, source freshness and the run's dbt docs
per run, and the blocking checks that guard the marts (the tables: audit_store.py)."""

import contextlib
import hashlib
import io
import json
import shutil
from dataclasses import astuple, dataclass
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource

from foundation.progress import say
from foundation.safe_html import write_dbt_docs_page
from ingestion.raw_tables import RAW_TABLES

from .audit_store import newest_loads, write_lineage, write_quarantine, write_source_freshness
from .dbt_assets import manifest_path
from .dbt_project import keep_partial_parse_private, project_fingerprint
from .freshness import source_freshness as freshness_of_sources
from .lineage import column_lineage
from .resources import WarehouseResource

QUARANTINE_KEY = dg.AssetKey(["audit", "quarantine"])
CANDIDATE_QUARANTINE_KEY = dg.AssetKey(["intermediate", "int_quarantine"])


@dg.asset(
    key=QUARANTINE_KEY,
    deps=[CANDIDATE_QUARANTINE_KEY],
    group_name="audit",
    kinds={"sql"},
    description="Rows that could not be used (no FX rate in the window, an order of an unknown "
    "account, spend on an unmapped campaign), kept per run with the reason. History is "
    "appended, never overwritten.",
)
def quarantine(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    with warehouse.connect() as con:
        counts = write_quarantine(con, context.run_id)
    say(
        "quarantine: "
        + (", ".join(f"{n} {reason}" for reason, n in sorted(counts.items())) or "no rows")
    )
    return dg.MaterializeResult(metadata={"rows": sum(counts.values()), **counts})


@dataclass(frozen=True)
class QuarantineRule:
    check_name: str
    reason: str
    description: str


QUARANTINE_RULES = (
    QuarantineRule(
        "fx_coverage",
        "missing_fx_rate",
        "Every amount has an FX rate to the reporting currency within 7 days before its date.",
    ),
    QuarantineRule(
        "orders_have_known_accounts",
        "unknown_account",
        "Every confirmed order belongs to an account the CRM knows.",
    ),
    QuarantineRule(
        "ad_spend_mapped_to_projects",
        "unmapped_campaign",
        "Every ad spend row is mapped to a known project.",
    ),
)
SHOWN_ROWS = 10


def _quarantine_check(rule: QuarantineRule) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=QUARANTINE_KEY,
        name=rule.check_name,
        blocking=True,
        description=rule.description + " Blocking: a failure keeps the last good marts.",
    )
    def _check(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource):
        with warehouse.connect(read_only=True) as con:
            rows = con.execute(
                """
                select source_table, record_key, detail
                from audit.quarantine
                where run_id = ? and reason = ?
                order by source_table, record_key
                """,
                [context.run.run_id, rule.reason],
            ).fetchall()
        shown = [f"{table} {key}: {detail}" for table, key, detail in rows[:SHOWN_ROWS]]
        if rows:
            say(f"BLOCKING CHECK FAILED {rule.check_name}: {len(rows)} row(s) quarantined")
            for line in shown:
                say(f"    {line}")
        return dg.AssetCheckResult(
            passed=not rows,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={"quarantined_rows": len(rows), "examples": "\n".join(shown)},
        )

    return _check


def build_quarantine_checks() -> list[dg.AssetChecksDefinition]:
    """The blocking checks of the quarantine, one per rule."""
    return [_quarantine_check(rule) for rule in QUARANTINE_RULES]


def build_lineage(mart_names: list[str]) -> dg.AssetsDefinition:
    """The lineage asset, after every candidate mart of `mart_names` (mart_model_names())."""

    @dg.asset(
        key=dg.AssetKey(["audit", "lineage"]),
        deps=[dg.AssetKey(["marts_candidate", name]) for name in mart_names],
        group_name="audit",
        kinds={"sql"},
        description="Column-level lineage of every mart column: the dbt models it passes "
        "through and the raw source columns it is computed from, per run "
        "(orchestration/lineage.py).",
    )
    def lineage(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
        manifest = json.loads((warehouse.dbt_target_dir / "manifest.json").read_text())
        rows = column_lineage(manifest, dialect=warehouse.dialect)
        with warehouse.connect() as con:
            written = write_lineage(con, rows, context.run.run_id)
        column_level = sum(1 for row in rows if row.resolved_level == "column")
        say(f"lineage: {written} mart columns traced ({column_level} to source columns)")
        return dg.MaterializeResult(metadata={"columns": written, "column_level": column_level})

    return lineage


def _run_dbt_quietly(
    dbt: DbtCliResource, args: list[str], target: Path, raise_on_error: bool = True
) -> None:
    """A dbt command outside the build (no asset events): its log stays out of the output."""
    invocation = dbt.cli(
        args, manifest=manifest_path(), raise_on_error=raise_on_error, target_path=target
    )
    keep_partial_parse_private(target)
    with contextlib.redirect_stdout(io.StringIO()):
        invocation.wait()


def dbt_source_freshness(
    dbt: DbtCliResource, warehouse: WarehouseResource, selectors: list[str]
) -> list[dict]:
    """`dbt source freshness --select <selectors>` on the warehouse: its sources.json results."""
    say(f"source freshness: asking dbt about {len(selectors)} source(s) this run did not load")
    target = warehouse.dbt_target_dir
    results = target / "sources.json"
    results.unlink(missing_ok=True)  # never an earlier command's answer
    _run_dbt_quietly(
        dbt,
        # one --select: dbt's freshness takes the union of the space-separated selectors
        ["source", "freshness", "--select", " ".join(selectors), *warehouse.dbt_args()],
        target,
        raise_on_error=False,
    )
    if not results.is_file():
        raise dg.Failure(
            description=f"dbt source freshness wrote no results for {', '.join(selectors)}: "
            f"see {target / 'dbt.log'}",
            allow_retries=False,
        )
    return json.loads(results.read_text())["results"]


@dg.asset(
    key=dg.AssetKey(["audit", "source_freshness"]),
    # after lineage, which reads the build's manifest: freshness rewrites it (partial parse
    # of the build's target folder keeps this to a few seconds)
    deps=[
        *(dg.AssetKey([dataset, table]) for dataset, table in RAW_TABLES),
        dg.AssetKey(["audit", "lineage"]),
    ],
    group_name="audit",
    kinds={"dbt", "sql"},
    description="dbt source freshness of every raw table (loaded_at_field: the dlt load "
    "time): a feed that stops arriving warns here, and in audit.source_freshness. A table "
    "this run loaded rows into is known fresh from its load; dbt is asked about the others.",
)
def source_freshness(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
):
    run_id = context.run.run_id
    with warehouse.connect() as con:
        loaded = newest_loads(con, run_id)
    # the build's manifest: freshness reads each source's criteria and loaded_at_field there
    manifest = json.loads((warehouse.dbt_target_dir / "manifest.json").read_text())
    results = freshness_of_sources(
        manifest, loaded, lambda selectors: dbt_source_freshness(dbt, warehouse, selectors)
    )
    for row in results:
        if row.status != "pass":
            say(f"source freshness {row.status.upper()}: {row.source_table} last loaded "
                f"{row.max_loaded_at} (warn after {row.warn_after})")  # fmt: skip
    with warehouse.connect() as con:
        write_source_freshness(
            con,
            run_id,
            [(run_id, *astuple(row)) for row in results],
        )
    stale = [row.source_table for row in results if row.status != "pass"]
    say(f"source freshness: {len(results) - len(stale)}/{len(results)} sources fresh")
    return dg.MaterializeResult(metadata={"sources": len(results), "stale": ", ".join(stale)})


@dg.asset(
    key=dg.AssetKey(["audit", "run_docs"]),
    deps=[dg.AssetKey(["audit", "lineage"])],
    group_name="audit",
    kinds={"dbt", "html"},
    description="The dbt docs (dictionary, lineage, exposures) of this run as one static HTML "
    "file beside the run's Great Expectations Data Docs, kept per run.",
)
def run_docs(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    folder = warehouse.run_docs_dir(context.run.run_id)
    folder.mkdir(parents=True, exist_ok=True)
    page = folder / "dbt_docs.html"
    # The page shows the project (models, docs, tests) and the warehouse's relations and
    # columns, nothing of the data: when neither changed since the page of an earlier run,
    # that page is this run's too (its "generated at" says when it was made), and no dbt
    # process starts.
    key = docs_key(warehouse)
    cached = warehouse.state_dir / "docs_cache"
    if (cached / "key").is_file() and (cached / "key").read_text() == key:
        shutil.copyfile(cached / "dbt_docs.html", page)
        say(f"run docs: {folder} (project and columns unchanged: the page of the last change)")
        return dg.MaterializeResult(metadata={"folder": str(folder), "regenerated": False})
    # After lineage (which reads the build's manifest): docs generation rewrites it, without
    # compiled SQL, and reusing the build's target keeps dbt's partial parse.
    _run_dbt_quietly(
        dbt,
        ["docs", "generate", "--no-compile", *warehouse.dbt_args()],
        warehouse.dbt_target_dir,
    )  # fmt: skip
    # dbt's page, manifest and catalog made one file here (what --static does, with the
    # documents embedded script-safe and a Content-Security-Policy)
    write_dbt_docs_page(warehouse.dbt_target_dir, page)
    cached.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(page, cached / "dbt_docs.html")
    (cached / "key").write_text(key)
    say(f"run docs: {folder}")
    return dg.MaterializeResult(metadata={"folder": str(folder), "regenerated": True})


def docs_key(warehouse: WarehouseResource) -> str:
    """What the dbt docs page is made from: the project's fingerprint (code and vars) and
    every column of the schemas dbt's catalog reads (those of its models, seeds and sources,
    from the build's manifest; not the published marts or the audit tables)."""
    manifest = json.loads((warehouse.dbt_target_dir / "manifest.json").read_text())
    schemas = sorted(
        {node["schema"] for node in manifest["nodes"].values() if node.get("schema")}
        | {source["schema"] for source in manifest["sources"].values()}
    )
    with warehouse.connect() as con:
        columns = con.column_catalog(schemas)
    digest = hashlib.sha256(project_fingerprint(warehouse.dbt_vars()).encode())
    digest.update(json.dumps([list(row) for row in columns]).encode())
    return digest.hexdigest()
