"""Column-level lineage of the marts, for the audit trail: where every number in a mart comes from.

`column_lineage(manifest)` reads the compiled SQL of every dbt model in the manifest and, for
each column of each model in `marts_candidate`, follows the column through the upstream models
down to the raw source columns it is computed from. `audit_store.write_lineage` stores the
result per run in `audit.lineage`.

How it works
    Each model's `compiled_code` is parsed and qualified once with sqlglot against a schema of
    its upstream relations, so `select *` expands. `sqlglot.lineage.lineage` then gives, per
    output column, the columns of the upstream relations (dbt models or sources) it reads.
    Those are followed recursively, model by model, until source tables; every
    (model, column) is resolved once (memoised), so the whole project takes a few seconds.

    The columns of a relation given to sqlglot are, for a model, the output columns of its own
    compiled SQL (in the order the SQL produces them, which matters when a `union` of `select *`
    reads the relation); when that SQL cannot be analysed, the columns documented in the
    manifest. For sources (no SQL) the documented columns are used, so an undocumented source
    column read by a staging model makes the columns using it fall back to table level.

What `source_columns` includes
    Exactly what sqlglot's lineage reports: the columns that appear in the column's own
    expressions all the way down, including window `partition by` / `order by` columns and
    `case` conditions inside the expression. It does NOT include columns that only appear in
    `where`, `join ... on`, `group by` or `having` clauses: a filter or a join key changes which
    rows a number is made of, not the value it is computed from, and sqlglot does not report
    them. `count(*)` reads no column: the relation it counts (and, at table level, every model
    upstream of it) is added to `depends_on_models`, and nothing to `source_columns`.

Fallback to table level
    When a column cannot be resolved anywhere along its way (SQL that does not parse, a star
    that cannot be expanded, a column sqlglot attributes to no relation, an undocumented
    relation, ...), its row lists every model upstream of the mart (via `depends_on.nodes`,
    recursively), no source columns, and a transformation starting with "table-level only".
    One bad column never fails the others: the reason is logged as a warning.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.lineage import Node, lineage
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.scope import Scope, build_scope
from sqlglot.schema import MappingSchema

log = logging.getLogger(__name__)

MART_SCHEMA = "marts_candidate"
PUBLISHED_SCHEMA = "marts"
TABLE_LEVEL = "table-level only"
MAX_TRANSFORMATION_CHARS = 300
MODELS_SEPARATOR = " <- "
COLUMNS_SEPARATOR = ", "


@dataclass(frozen=True)
class LineageRow:
    """The lineage of one column of one mart.

    mart: 'marts_candidate.<name>'. depends_on_models: every dbt model the column passes
    through as 'schema.name', nearest first (a model is listed before every model it reads
    from; the mart itself is not listed). source_columns: the raw source columns it is
    computed from, as 'schema.table.column', sorted. transformation: the SQL expression of the
    column in the mart (at most ~300 characters), or a text starting with 'table-level only'.
    """

    mart: str
    column: str
    depends_on_models: tuple[str, ...]
    source_columns: tuple[str, ...]
    transformation: str

    @property
    def resolved_level(self) -> str:
        return "table" if self.transformation.startswith(TABLE_LEVEL) else "column"


class _Unresolved(Exception):
    """A column whose lineage sqlglot cannot give: the row falls back to table level."""


@dataclass(frozen=True)
class _Relation:
    unique_id: str
    label: str  # 'schema.name', as written in LineageRow
    is_model: bool  # has compiled SQL to follow


@dataclass
class _ColumnDeps:
    """What one output column of a model reads directly, within that model's SQL."""

    columns: set[tuple[str, str]]  # (unique_id of an upstream relation, column)
    counted: set[str]  # unique_ids of relations whose rows a count(*) counts
    expression: str


@dataclass
class _ModelAnalysis:
    columns: list[str]
    deps: dict[str, _ColumnDeps | str]  # column -> its dependencies, or why it is unresolved
    error: str | None = None


@dataclass(frozen=True)
class _Resolved:
    models: frozenset[str]
    sources: frozenset[str]


def _norm(name: str | None) -> str:
    return (name or "").strip('"`').lower()


def _reason(error: Exception) -> str:
    text = str(error) if isinstance(error, _Unresolved) else f"{type(error).__name__}: {error}"
    return _trim(text.strip().splitlines()[0] if text.strip() else type(error).__name__, 200)


def _trim(text: str, limit: int = MAX_TRANSFORMATION_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class _Project:
    def __init__(self, manifest: dict[str, Any], dialect: str):
        self.dialect = dialect
        self.nodes: dict[str, dict[str, Any]] = {}
        self.relations: dict[str, _Relation] = {}
        self._ephemeral: dict[str, dict[str, Any]] = {}
        self._by_name: dict[tuple[str, ...], str] = {}
        for uid, node in {**manifest.get("nodes", {}), **manifest.get("sources", {})}.items():
            kind = node.get("resource_type")
            if kind not in ("model", "source", "seed", "snapshot"):
                continue
            if kind == "model" and (node.get("config") or {}).get("materialized") == "ephemeral":
                self._ephemeral[uid] = node  # compiled into its readers as a CTE, no relation
                continue
            identifier = node.get("identifier") if kind == "source" else node.get("alias")
            identifier = identifier or node.get("name")
            schema = node.get("schema") or ""
            self.nodes[uid] = node
            self.relations[uid] = _Relation(uid, f"{schema}.{identifier}", kind == "model")
            database, schema, identifier = (
                _norm(node.get("database")),
                _norm(schema),
                _norm(identifier),
            )
            self._by_name[(database, schema, identifier)] = uid
            self._by_name.setdefault((schema, identifier), uid)
        self._columns: dict[str, list[str]] = {}
        self._analyses: dict[str, _ModelAnalysis] = {}
        self._resolved: dict[tuple[str, str], _Resolved | str] = {}
        self._resolving: set[tuple[str, str]] = set()
        self._upstream: dict[str, frozenset[str]] = {}
        self._height: dict[str, int] = {}

    # -- the dbt DAG ------------------------------------------------------------------------

    def parents(self, uid: str, _seen: frozenset[str] = frozenset()) -> list[str]:
        """The relations `uid` reads, through the ephemeral models inlined into its SQL."""
        node = self.nodes.get(uid) or self._ephemeral.get(uid) or {}
        found: list[str] = []
        for parent in (node.get("depends_on") or {}).get("nodes", []):
            if parent in self.relations:
                found.append(parent)
            elif parent in self._ephemeral and parent not in _seen:
                found.extend(self.parents(parent, _seen | {uid}))
        return list(dict.fromkeys(found))

    def upstream_models(self, uid: str) -> frozenset[str]:
        """Every model `uid` reads from, directly or not (table level)."""
        if uid not in self._upstream:
            self._upstream[uid] = frozenset()  # a cycle stops here
            found: set[str] = set()
            for parent in self.parents(uid):
                if self.relations[parent].is_model:
                    found.add(parent)
                found |= self.upstream_models(parent)
            self._upstream[uid] = frozenset(found)
        return self._upstream[uid]

    def height(self, uid: str) -> int:
        """Longest path down to a source: a model is higher than every model it reads from."""
        if uid not in self._height:
            self._height[uid] = 0  # a cycle stops here
            self._height[uid] = 1 + max((self.height(p) for p in self.parents(uid)), default=-1)
        return self._height[uid]

    def upstream_order(self, uids: set[str] | frozenset[str]) -> tuple[str, ...]:
        ordered = sorted(uids, key=lambda u: (-self.height(u), self.relations[u].label))
        return tuple(self.relations[u].label for u in ordered)

    def lookup(self, table: exp.Table) -> str | None:
        parts = (_norm(table.catalog), _norm(table.db), _norm(table.name))
        return self._by_name.get(parts) or self._by_name.get(parts[1:])

    def _label(self, table: exp.Table) -> str:
        uid = self.lookup(table)
        return self.relations[uid].label if uid else table.sql(dialect=self.dialect)

    # -- columns and per-model analysis ------------------------------------------------------

    def columns(self, uid: str) -> list[str]:
        if uid not in self._columns:
            if self.relations[uid].is_model:
                self._columns[uid] = self.analyse(uid).columns
            else:
                self._columns[uid] = [_norm(c) for c in self.nodes[uid].get("columns") or {}]
        return self._columns[uid]

    def _schema(self, uid: str) -> MappingSchema:
        with_database: dict[str, Any] = {}
        without_database: dict[str, Any] = {}
        for parent in self.parents(uid):
            columns = self.columns(parent)
            if not columns:
                continue  # unknown columns: a star over it stays unexpanded and falls back
            node = self.nodes[parent]
            database = _norm(node.get("database"))
            schema, table = self.relations[parent].label.split(".", 1)
            mapping = dict.fromkeys(columns, "UNKNOWN")
            with_database.setdefault(database, {}).setdefault(_norm(schema), {})
            with_database[database][_norm(schema)][_norm(table)] = mapping
            without_database.setdefault(_norm(schema), {})[_norm(table)] = mapping
        nested = without_database if "" in with_database else with_database
        return MappingSchema(nested, dialect=self.dialect)

    def analyse(self, uid: str) -> _ModelAnalysis:
        if uid in self._analyses:
            return self._analyses[uid]
        documented = [_norm(c) for c in self.nodes[uid].get("columns") or {}]
        # A cycle (never in a valid dbt project) sees the documented columns and an error.
        self._analyses[uid] = _ModelAnalysis(documented, {}, "cyclic dependency")
        try:
            analysis = self._analyse(uid)
        except Exception as error:  # one bad model must not stop the others
            reason = _reason(error)
            log.warning("lineage: cannot analyse %s: %s", self.relations[uid].label, reason)
            analysis = _ModelAnalysis(documented, {}, reason)
        self._analyses[uid] = analysis
        return analysis

    def _analyse(self, uid: str) -> _ModelAnalysis:
        node = self.nodes[uid]
        sql = node.get("compiled_code") or node.get("compiled_sql")
        if not sql:
            raise _Unresolved("no compiled SQL in the manifest")
        schema = self._schema(uid)
        statements = [s for s in sqlglot.parse(sql, dialect=self.dialect) if s is not None]
        if len(statements) != 1 or not isinstance(statements[0], exp.Query):
            raise _Unresolved("the compiled SQL is not a single query")
        qualified = qualify(
            statements[0],
            dialect=self.dialect,
            schema=schema,
            validate_qualify_columns=False,
            identify=False,
        )
        root = build_scope(qualified)
        if root is None:
            raise _Unresolved("no query scope")
        scopes = {id(s.expression): s for s in root.traverse()}
        columns = list(qualified.named_selects)
        if not columns or "*" in columns:
            documented = [_norm(c) for c in node.get("columns") or {}]
            return _ModelAnalysis(documented, {}, "the model's select * cannot be expanded")
        deps: dict[str, _ColumnDeps | str] = {}
        for column in columns:
            try:
                top = lineage(
                    exp.column(column, quoted=True),
                    qualified,
                    schema,
                    dialect=self.dialect,
                    scope=root,
                    trim_selects=False,
                    copy=False,
                )
                deps[column] = self._column_deps(top, scopes)
            except Exception as error:  # fall back for this column only
                deps[column] = _reason(error)
        return _ModelAnalysis(columns, deps)

    def _column_deps(self, top: Node, scopes: dict[int, Scope]) -> _ColumnDeps:
        found: set[tuple[str, str]] = set()
        counted: set[str] = set()
        for node in top.walk():
            expression = node.expression
            if isinstance(expression, exp.Table):
                column = exp.to_column(node.name).name
                if column == "*":
                    raise _Unresolved(
                        f"select * over {self._label(expression)} cannot be expanded "
                        "(columns unknown)"
                    )
                uid = self.lookup(expression)
                if uid is None:
                    raise _Unresolved(f"{expression.sql()} is not a model or source of dbt")
                if column not in self.columns(uid):
                    raise _Unresolved(f"{self.relations[uid].label} has no column {column}")
                found.add((uid, column))
            elif isinstance(expression, exp.Placeholder):
                raise _Unresolved(f"column {node.name} is attributed to no relation")
            elif isinstance(expression, exp.Star):
                over = [
                    self._label(d.expression)
                    for d in node.downstream
                    if isinstance(d.expression, exp.Table)
                ]
                raise _Unresolved(
                    f"select * over {', '.join(over) or 'a subquery'} cannot be expanded "
                    f"(columns unknown), needed for {node.name}"
                )
            elif isinstance(expression, exp.Query):
                raise _Unresolved(f"{node.name} is not a column of the query it is read from")
            else:
                for star in expression.find_all(exp.Star):
                    if not isinstance(star.parent, exp.Count):
                        raise _Unresolved(f"{expression.sql(dialect=self.dialect)} has a star")
                    scope = scopes.get(id(node.source))
                    if scope is None:
                        raise _Unresolved(f"count(*) in {node.name} outside a known scope")
                    counted |= self._tables_in(scope)
        try:
            text = self._expression(top)
        except Exception as error:  # the text is a courtesy: it never fails the lineage
            log.debug("lineage: no expression text for %s: %s", top.name, _reason(error))
            text = top.expression.sql(dialect=self.dialect)
        return _ColumnDeps(found, counted, text)

    def _tables_in(self, scope: Scope) -> set[str]:
        """The relations a scope reads its rows from, through its CTEs, subqueries and unions."""
        found: set[str] = set()
        pending, seen = [scope], set()
        while pending:
            current = pending.pop()
            if id(current) in seen:
                continue
            seen.add(id(current))
            pending.extend(current.set_operation_scopes)
            # selected_sources: what the FROM and JOINs name (sources also lists every CTE
            # defined before this one, whether read or not)
            for _, source in current.selected_sources.values():
                if isinstance(source, Scope):
                    pending.append(source)
                elif isinstance(source, exp.Table):
                    uid = self.lookup(source)
                    if uid is None:
                        raise _Unresolved(f"{source.sql()} is not a model or source of dbt")
                    found.add(uid)
        return found

    def _expression(self, node: Node) -> str:
        """The column's expression, looking through pure pass-throughs of one column.

        `select * from final` gives `final.x`: the text is that of `x` in `final` (or further
        down, as long as the column is only passed on). A column read from a union is shown
        as the expressions of its branches.
        """
        if isinstance(node.source, exp.SetOperation) and len(node.downstream) > 1:
            return self._union(node.source, node.downstream)  # the model's query is a union
        while True:
            expression = node.expression
            inner = expression.this if isinstance(expression, exp.Alias) else expression
            following = [d for d in node.downstream if not isinstance(d.expression, exp.Table)]
            if not isinstance(inner, exp.Column) or not following:
                return inner.sql(dialect=self.dialect)
            if len(node.downstream) == 1:
                node = following[0]
                continue
            setop = following[0].source.parent
            if len(following) == len(node.downstream) and isinstance(setop, exp.SetOperation):
                return self._union(setop, following)
            return inner.sql(dialect=self.dialect)

    def _union(self, setop: exp.Expr, branches: list[Node]) -> str:
        kind = type(setop).__name__.upper()
        if kind == "UNION" and not setop.args.get("distinct"):
            kind = "UNION ALL"
        texts = dict.fromkeys(self._expression(branch) for branch in branches)
        return f"{kind} of: " + " | ".join(texts)

    # -- recursive resolution ----------------------------------------------------------------

    def resolve(self, uid: str, column: str) -> _Resolved | str:
        """The models and source columns behind (uid, column), or why they are unknown."""
        key = (uid, column)
        if key in self._resolved:
            return self._resolved[key]
        relation = self.relations[uid]
        if not relation.is_model:
            return _Resolved(frozenset(), frozenset({f"{relation.label}.{column}"}))
        if key in self._resolving:
            return f"cyclic lineage at {relation.label}.{column}"
        self._resolving.add(key)
        try:
            result = self._resolve(uid, column)
        finally:
            self._resolving.discard(key)
        self._resolved[key] = result
        return result

    def _resolve(self, uid: str, column: str) -> _Resolved | str:
        label = self.relations[uid].label
        analysis = self.analyse(uid)
        if analysis.error:
            return f"{label}: {analysis.error}"
        deps = analysis.deps.get(column)
        if deps is None:
            return f"{label} has no column {column}"
        if isinstance(deps, str):
            return f"{label}.{column}: {deps}"
        models, sources = {uid}, set()
        for upstream, upstream_column in sorted(deps.columns):
            found = self.resolve(upstream, upstream_column)
            if isinstance(found, str):
                return found
            models |= found.models
            sources |= found.sources
        for counted in deps.counted:
            if self.relations[counted].is_model:
                models |= {counted} | self.upstream_models(counted)
        return _Resolved(frozenset(models), frozenset(sources))

    def mart_rows(self, uid: str) -> list[LineageRow]:
        mart = self.relations[uid].label
        analysis = self.analyse(uid)
        columns = analysis.columns or ["*"]
        rows = []
        for column in columns:
            try:
                found = self.resolve(uid, column) if column != "*" else "no known columns"
            except Exception as error:  # never raise for one column
                found = _reason(error)
            deps = analysis.deps.get(column)
            expression = deps.expression if isinstance(deps, _ColumnDeps) else None
            if isinstance(found, str):
                found = found.removeprefix(f"{mart}.{column}: ")
                log.warning("lineage: %s.%s falls back to table level: %s", mart, column, found)
                text = f"{TABLE_LEVEL} ({found})"
                if expression:
                    text += f"; expression: {expression}"
                rows.append(
                    LineageRow(
                        mart,
                        column,
                        self.upstream_order(self.upstream_models(uid)),
                        (),
                        _trim(text),
                    )
                )
            else:
                rows.append(
                    LineageRow(
                        mart,
                        column,
                        self.upstream_order(found.models - {uid}),
                        tuple(sorted(found.sources)),
                        _trim(expression or ""),
                    )
                )
        return rows


def column_lineage(manifest: dict[str, Any], dialect: str = "duckdb") -> list[LineageRow]:
    """The lineage of every column of every model in `marts_candidate`, marts sorted by name.

    `manifest` is a dbt manifest (target/manifest.json) written by a command that compiles SQL
    (`dbt compile`, `run` or `build`, not `parse`): models without `compiled_code` fall back
    to table level. Never raises for a column or a model it cannot resolve.
    """
    project = _Project(manifest, dialect)
    marts = sorted(
        (relation for relation in project.relations.values() if relation.is_model),
        key=lambda relation: relation.label,
    )
    rows: list[LineageRow] = []
    for relation in marts:
        if _norm(project.nodes[relation.unique_id].get("schema")) == MART_SCHEMA:
            rows.extend(project.mart_rows(relation.unique_id))
    return rows
