"""The tables a query or DML statement reads and the ones it writes, from sqlglot's
Redshift parse. sqlglot is imported on first use: it is the `sqlrunner[lineage]` extra,
not something the Glue runtime has.

A table reference counts unless it names a CTE visible where it stands: the CTEs of
every enclosing WITH, and inside a CTE's own body only the CTEs defined before it
(itself too under WITH RECURSIVE), which is how PostgreSQL and Redshift scope them.
sqlglot.optimizer.scope would do the same for queries, but it builds no scope for the
FROM of UPDATE, the USING of DELETE or MERGE's target (sqlglot 30.15), so the walk over
exp.Table nodes below covers every statement kind alike.
A reference through a FROM alias (`FROM s.t AS x, x.items AS i`, PartiQL navigation of
a SUPER column) is not a table either.
"""

import logging
import threading
from typing import Any, List, NamedTuple, Optional, Tuple

from .model import AnalysisError

_sqlglot: Any = None
_import_lock = threading.Lock()


def sqlglot() -> Any:
    global _sqlglot
    if _sqlglot is None:
        with _import_lock:
            try:
                import sqlglot as module
                from sqlglot import exp  # noqa: F401  (loads sqlglot.exp as an attribute)
            except ImportError:
                raise AnalysisError(
                    "SQL analysis needs sqlglot: install the runner with its lineage extra "
                    "(pip install 'sqlrunner[lineage]')"
                ) from None
            _sqlglot = module
    return _sqlglot


class _NoCommandFallback(logging.Filter):
    """sqlglot warns when it falls back to an opaque Command; the analysis reports such
    a statement itself, with its file and line, so the warning would only repeat it."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "Falling back to parsing as a 'Command'" not in record.getMessage()


_FILTER = _NoCommandFallback()


class Tables(NamedTuple):
    reads: List[Tuple[str, ...]]  # lower-cased name parts: (table,), (schema, table), ...
    writes: List[Tuple[str, ...]]
    temporary_write: bool  # SELECT INTO TEMP / #name
    root: str  # sqlglot's class name of the statement, e.g. "Select", "Insert"


class ParseFailure(Exception):
    """sqlglot could not parse the text, or parsed it as an opaque Command."""


def tables_of(sql: str) -> Tables:
    glot = sqlglot()
    exp = glot.exp
    logger = logging.getLogger("sqlglot")
    logger.addFilter(_FILTER)
    try:
        tree = glot.parse_one(sql, read="redshift")
    except glot.errors.ParseError as error:
        raise ParseFailure(str(error).split("\n", 1)[0]) from None
    finally:
        logger.removeFilter(_FILTER)
    if isinstance(tree, exp.Command) or tree is None:
        raise ParseFailure("sqlglot parses it only as an opaque command")
    targets: List[Any] = []
    temporary = False
    if isinstance(tree, (exp.Insert, exp.Update, exp.Delete, exp.Merge)):
        targets.append(_table_node(tree.this, exp))
    elif isinstance(tree, exp.Query):
        into = tree.args.get("into")
        if into is not None:
            targets.append(_table_node(into.this, exp))
            temporary = bool(into.args.get("temporary"))
    else:
        raise ParseFailure(f"expected a query or INSERT/UPDATE/DELETE/MERGE, got {tree.key}")
    target_ids = {id(node) for node in targets if node is not None}
    reads = [
        parts
        for node in tree.find_all(exp.Table)
        if id(node) not in target_ids and not _is_cte(node, exp) and not _via_alias(node, exp)
        for parts in [_parts(node, exp)]
        if parts
    ]
    writes = [parts for node in targets if node is not None for parts in [_parts(node, exp)]]
    return Tables(reads, [w for w in writes if w], temporary, type(tree).__name__)


def _table_node(node: Any, exp: Any) -> Optional[Any]:
    if isinstance(node, exp.Schema):  # INSERT INTO t (a, b): the table inside
        node = node.this
    return node if isinstance(node, exp.Table) else None


def _parts(node: Any, exp: Any) -> Tuple[str, ...]:
    if not isinstance(node.this, exp.Identifier):
        return ()  # a table function (generate_series(...)), not a table
    return tuple(
        part.name.lower()
        for part in (node.args.get("catalog"), node.args.get("db"), node.this)
        if part is not None and part.name
    )


def _is_cte(node: Any, exp: Any) -> bool:
    if node.args.get("db") or node.args.get("catalog"):
        return False
    name = node.name.lower()
    child, parent = node, node.parent
    while parent is not None:
        with_ = parent.args.get("with_")
        if isinstance(parent, exp.With):
            # inside a CTE body: only the CTEs before it (and itself if RECURSIVE)
            ctes = list(parent.expressions)
            index = ctes.index(child) if child in ctes else len(ctes)
            visible = ctes[: index + 1] if parent.args.get("recursive") else ctes[:index]
            if any(cte.alias_or_name.lower() == name for cte in visible):
                return True
            child, parent = parent, parent.parent
            continue
        if (
            isinstance(with_, exp.With)
            and with_ is not child
            and any(cte.alias_or_name.lower() == name for cte in with_.expressions)
        ):
            return True
        child, parent = parent, parent.parent
    return False


def _via_alias(node: Any, exp: Any) -> bool:
    """`x.items` where x is an alias of another FROM item of the same SELECT."""
    schema = node.args.get("db")
    if schema is None or node.args.get("catalog") is not None:
        return False
    select = node.find_ancestor(exp.Select)
    if select is None:
        return False
    aliases = {
        table.alias.lower()
        for table in select.find_all(exp.Table)
        if table is not node and table.alias and table.find_ancestor(exp.Select) is select
    }
    return schema.name.lower() in aliases
