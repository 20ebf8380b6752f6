"""Each statement's effects, in file order, so that what a statement does to the session
(SET search_path, a temporary table) applies to the statements after it.

Queries and DML go to sqlglot (`queries.py`); the statements sqlglot leaves opaque or
gets wrong are read with the runner's own lexer (`reader.py`) against the grammar of
the AWS page each handler cites. Anything else is reported as not understood, with
its line: the analysis never guesses.

Name resolution follows Redshift:
- an unqualified name is in the first schema of search_path, `'$user', public` unless
  the file sets it ('$user' is skipped: the analysis cannot know the user, and such a
  schema rarely exists). https://docs.aws.amazon.com/redshift/latest/dg/r_search_path.html
- a temporary table (CREATE TEMP TABLE t, CREATE TABLE #t, SELECT INTO TEMP t) lives in
  a session schema searched first, so after it is created an unqualified `t` means it;
  `public.t` still means the permanent table. Temporary tables are neither read nor
  written outside the file. https://docs.aws.amazon.com/redshift/latest/dg/r_CREATE_TABLE_NEW.html
- Spectrum external tables are always schema-qualified (external schemas do not take
  part in search_path). https://docs.aws.amazon.com/redshift/latest/dg/r_CREATE_EXTERNAL_TABLE.html
"""

import re
from typing import Callable, Dict, FrozenSet, Iterable, List, Optional, Sequence, Set, Tuple

from ..lexer import string_value
from ..splitter import Statement
from .model import (
    S3,
    SCHEMA,
    TABLE,
    URI,
    Dataset,
    ExternalSchema,
    ExternalTable,
    StatementEffects,
    Unanalysable,
    merge_external,
)
from .queries import ParseFailure, tables_of
from .reader import Reader
from .sentinels import Sentinels

DEFAULT_SEARCH_PATH = ("public",)
_TEMP_SCHEMA = re.compile(r"pg_temp(_\d+)?\Z")
# Redshift's system tables and views live in pg_catalog, which is searched before
# search_path: an unqualified STL_/STV_/SVV_/SVL_/SVCS_/SYS_/PG_ name is one of them.
# They are the cluster's own bookkeeping, not a pipeline's data: neither read nor written.
# https://docs.aws.amazon.com/redshift/latest/dg/cm_chap_system-tables.html
_SYSTEM_TABLE = re.compile(r"(stl|stv|svv|svl|svcs|sys|pg)_")
_SYSTEM_SCHEMAS = frozenset({"pg_catalog", "information_schema"})
_QUERY_START = ("SELECT", "WITH")

# Statements that change no table, view, schema or S3 object: transaction control,
# statistics and sort order (ANALYZE, VACUUM), privileges, comments, locks, cursors.
NO_EFFECT = frozenset(
    {
        "ABORT",
        "ANALYZE",
        "BEGIN",
        "CANCEL",
        "CLOSE",
        "COMMENT",
        "COMMIT",
        "DEALLOCATE",
        "END",
        "EXPLAIN",
        "FETCH",
        "GRANT",
        "LOCK",
        "REVOKE",
        "ROLLBACK",
        "SHOW",
        "START",
        "VACUUM",
    }
)
# Objects whose CREATE / ALTER / DROP touches no dataset.
NO_DATA_OBJECTS = frozenset(
    {
        "DATABASE",
        "DATASHARE",
        "DEFAULT",  # ALTER DEFAULT PRIVILEGES
        "FUNCTION",
        "GROUP",
        "IDENTITY",
        "LIBRARY",
        "MASKING",
        "MODEL",  # DROP MODEL; CREATE MODEL reads its training data
        "PROCEDURE",
        "RLS",
        "ROLE",
        "USER",
    }
)


class NotUnderstood(Exception):
    """This statement's effects cannot be told; the message says why."""


class Session:
    """The analysis of one file: the session state its statements change, and what it
    has learnt about Spectrum objects."""

    def __init__(self, file: str, sentinels: Sentinels) -> None:
        self.file = file
        self.sentinels = sentinels
        self.search_path: Tuple[str, ...] = DEFAULT_SEARCH_PATH
        self.temps: Set[str] = set()
        self.external_tables: Dict[str, ExternalTable] = {}
        self.external_schemas: Dict[str, ExternalSchema] = {}
        self.effects: List[StatementEffects] = []
        self.unknown: List[Unanalysable] = []

    def run(self, statement: Statement) -> None:
        reader = Reader(statement.text, self.file)
        word = reader.word()
        try:
            if word in _HANDLERS:
                effects = _HANDLERS[word](reader, self)
            elif word in NO_EFFECT:
                effects = Effects(word)
            elif reader.accept_op("("):  # (SELECT ...) UNION (SELECT ...)
                effects = _query(reader, self)
            else:
                raise NotUnderstood(f"{word or 'a statement starting this way'} is not understood")
        except NotUnderstood as reason:
            self._report(statement, str(reason))
            return
        except ParseFailure as failure:
            self._report(statement, f"sqlglot cannot parse it ({failure})")
            return
        if effects.unknown:
            self._report(statement, effects.unknown)
        self.effects.append(
            StatementEffects(
                statement.index,
                statement.line,
                effects.kind,
                frozenset(effects.reads),
                frozenset(effects.writes),
                frozenset(effects.requires),
            )
        )

    def _report(self, statement: Statement, reason: str) -> None:
        self.unknown.append(
            Unanalysable(self.file, statement.line, statement.index, reason, statement.first_line)
        )

    # -- names -------------------------------------------------------------------------

    def restore(self, text: str) -> str:
        return self.sentinels.restore(text)

    def head(self) -> str:
        if not self.search_path:
            raise NotUnderstood("an unqualified name, and search_path names no usable schema")
        return self.search_path[0]

    def table(self, parts: Sequence[str], creating: bool = False) -> Optional[Dataset]:
        """The dataset a table name denotes here, or None for a temporary table. A table
        being created permanent is one even if a temporary table has its name."""
        if len(parts) == 1:
            name = parts[0]
            if name.startswith("#") or _SYSTEM_TABLE.match(name):
                return None
            if name in self.temps and not creating:
                return None
            if self.sentinels.is_identifier(name):
                return Dataset(TABLE, self.restore(name), self.head())
            return Dataset(TABLE, f"{self.head()}.{self.restore(name)}")
        if len(parts) >= 2 and (_TEMP_SCHEMA.match(parts[-2]) or parts[-2] in _SYSTEM_SCHEMAS):
            return None
        if len(parts) > 3:
            raise NotUnderstood(f"{'.'.join(parts)} has more than three name parts")
        return Dataset(TABLE, ".".join(map(self.restore, parts)))

    def tables(self, names: Iterable[Sequence[str]]) -> List[Dataset]:
        return [d for d in map(self.table, names) if d is not None]

    def created(self, parts: Sequence[str], temporary: bool, effects: "Effects") -> None:
        """A table (or view) created by the statement: a temporary one joins the session,
        a permanent one is written and requires its schema."""
        if temporary or parts[0].startswith("#"):
            if len(parts) > 1:
                raise NotUnderstood("a temporary table cannot be schema-qualified")
            self.temps.add(parts[0])
            return
        dataset = self.table(parts, creating=True)
        if dataset is None:
            return
        effects.writes.append(dataset)
        schema = _schema_of(dataset)
        if schema is not None:
            effects.requires.append(schema)

    def s3(self, raw: str) -> Dataset:
        """The dataset of a URI string as the statement has it (sentinels in place)."""
        return Dataset(S3 if raw.lower().startswith("s3://") else URI, self.restore(raw))

    def reads_of(self, sql: str) -> List[Dataset]:
        return self.tables(tables_of(sql).reads)


class Effects:
    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.reads: List[Dataset] = []
        self.writes: List[Dataset] = []
        self.requires: List[Dataset] = []
        self.unknown = ""


def _schema_of(table: Dataset) -> Optional[Dataset]:
    if table.default_schema:
        return None  # which schema depends on the parameter's value
    return Dataset(SCHEMA, table.name.rsplit(".", 1)[0])


def _need(value, what: str):  # type: ignore[no-untyped-def]
    if value is None:
        raise NotUnderstood(f"expected {what}")
    return value


# -- queries and DML (sqlglot) ------------------------------------------------------------


def _query(reader: Reader, session: Session) -> Effects:
    """SELECT (INTO), INSERT, UPDATE, DELETE, MERGE."""
    tables = tables_of(reader.text)
    kind = {"Select": "SELECT", "Union": "SELECT", "Intersect": "SELECT", "Except": "SELECT"}
    effects = Effects(kind.get(tables.root, tables.root.upper()))
    effects.reads += session.tables(tables.reads)
    for target in tables.writes:
        if effects.kind == "SELECT":
            effects.kind = "SELECT INTO"
            session.created(target, tables.temporary_write, effects)
        else:
            dataset = session.table(target)
            if dataset is not None:
                effects.writes.append(dataset)
    return effects


def _as_query(reader: Reader, view: bool = False) -> Optional[str]:
    """The query after a top-level `AS` (CTAS, CREATE VIEW, CETAS), or None; for a view,
    without a trailing WITH NO SCHEMA BINDING."""
    top = reader.top_level()
    for position, (at, token) in enumerate(top):
        if token.kind != "word" or token.text.upper() != "AS":
            continue
        follower = reader.peek(at + 1 - reader.pos)
        if follower is None:
            continue
        if (
            follower.kind == "op" and follower.text == "("
        ) or follower.text.upper() in _QUERY_START:
            end = len(reader.text)
            if view:
                words = [t.text.upper() for _, t in top[position + 1 :]]
                if words[-4:] == ["WITH", "NO", "SCHEMA", "BINDING"]:
                    end = top[position + 1 + len(words) - 4][1].start
            return reader.text[follower.start : end]
    return None


# -- CREATE -------------------------------------------------------------------------------


def _create(reader: Reader, session: Session) -> Effects:
    reader.accept("CREATE")
    reader.accept("OR", "REPLACE")
    temporary = any(
        reader.accept(*words)
        for words in (("LOCAL", "TEMPORARY"), ("LOCAL", "TEMP"), ("TEMPORARY",), ("TEMP",))
    )
    if reader.accept("TABLE"):
        return _create_table(reader, session, temporary)
    if temporary:
        raise NotUnderstood("only tables can be temporary")
    if reader.accept("MATERIALIZED", "VIEW"):
        return _create_view(reader, session, "CREATE MATERIALIZED VIEW")
    if reader.accept("VIEW"):
        return _create_view(reader, session, "CREATE VIEW")
    if reader.accept("EXTERNAL", "SCHEMA"):
        return _create_external_schema(reader, session)
    if reader.accept("EXTERNAL", "TABLE"):
        return _create_external_table(reader, session)
    if reader.accept("SCHEMA"):
        return _create_schema(reader, session)
    if reader.accept("MODEL"):
        return _create_model(reader, session)
    if reader.accept("EXTERNAL", "FUNCTION"):
        return Effects("CREATE EXTERNAL FUNCTION")
    if reader.word() in NO_DATA_OBJECTS:
        return Effects(f"CREATE {reader.word()}")
    raise NotUnderstood(f"CREATE {reader.word() or '...'} is not understood")


def _create_table(reader: Reader, session: Session, temporary: bool) -> Effects:
    """https://docs.aws.amazon.com/redshift/latest/dg/r_CREATE_TABLE_NEW.html and
    https://docs.aws.amazon.com/redshift/latest/dg/r_CREATE_TABLE_AS.html"""
    reader.accept("IF", "NOT", "EXISTS")
    name = _need(reader.name(), "a table name")
    query = _as_query(reader)
    effects = Effects("CREATE TABLE AS" if query else "CREATE TABLE")
    if query:
        effects.reads += session.reads_of(query)
    else:
        effects.requires += session.tables(_referenced(reader))
    session.created(name, temporary, effects)
    return effects


def _referenced(reader: Reader) -> List[Tuple[str, ...]]:
    """Tables a CREATE TABLE's element list needs: `LIKE t` and `REFERENCES t`."""
    found = []
    for at in range(reader.pos, len(reader.tokens)):
        if reader.tokens[at].kind != "word":
            continue
        word = reader.tokens[at].text.upper()
        previous = reader.tokens[at - 1].text if at else ""
        if word == "REFERENCES" or (word == "LIKE" and previous in ("(", ",")):
            reader.seek(at + 1)
            name = reader.name()
            if name is not None:
                found.append(name)
    return found


def _create_view(reader: Reader, session: Session, kind: str) -> Effects:
    """https://docs.aws.amazon.com/redshift/latest/dg/r_CREATE_VIEW.html and
    https://docs.aws.amazon.com/redshift/latest/dg/materialized-view-create-sql-command.html"""
    name = _need(reader.name(), "a view name")
    query = _need(_as_query(reader, view=True), "AS followed by the view's query")
    effects = Effects(kind)
    effects.reads += session.reads_of(query)
    session.created(name, False, effects)
    return effects


def _create_external_schema(reader: Reader, session: Session) -> Effects:
    """https://docs.aws.amazon.com/redshift/latest/dg/r_CREATE_EXTERNAL_SCHEMA.html"""
    reader.accept("IF", "NOT", "EXISTS")
    name = _need(reader.name(), "a schema name")
    source = "DATA CATALOG"
    if reader.accept("FROM"):
        words = []
        while reader.word() and reader.word() != "DATABASE":
            words.append(reader.word())
            reader.pos += 1
        source = " ".join(words) or source
    database = ""
    if reader.accept("DATABASE"):
        database = session.restore(_need(reader.string(), "the DATABASE name"))
    schema = ".".join(map(session.restore, name))
    session.external_schemas[schema] = ExternalSchema(schema, source, database)
    effects = Effects("CREATE EXTERNAL SCHEMA")
    effects.writes.append(Dataset(SCHEMA, schema))
    return effects


def _create_external_table(reader: Reader, session: Session) -> Effects:
    """https://docs.aws.amazon.com/redshift/latest/dg/r_CREATE_EXTERNAL_TABLE.html:
    registers the table in the catalog; reading it later reads its LOCATION. With AS
    query (CETAS) it also writes the query's rows to that LOCATION."""
    reader.accept("IF", "NOT", "EXISTS")
    name = _need(reader.name(), "an external table name")
    if len(name) != 2:
        raise NotUnderstood("an external table is named external_schema.table")
    location = None
    top = reader.top_level()
    for position, (_, token) in enumerate(top[:-1]):
        following = top[position + 1][1]
        if token.text.upper() == "LOCATION" and following.kind == "string":
            location = string_value(following.text)
    location = _need(location, "LOCATION 's3://...'")
    query = _as_query(reader)
    effects = Effects("CREATE EXTERNAL TABLE AS" if query else "CREATE EXTERNAL TABLE")
    table = _need(session.table(name), "a permanent table name")
    effects.writes.append(table)
    effects.requires.append(Dataset(SCHEMA, table.name.rsplit(".", 1)[0]))
    if query:
        effects.reads += session.reads_of(query)
        effects.writes.append(session.s3(location))
    session.external_tables = merge_external(
        session.external_tables, table.name, [session.restore(location)]
    )
    return effects


def _create_schema(reader: Reader, session: Session) -> Effects:
    """https://docs.aws.amazon.com/redshift/latest/dg/r_CREATE_SCHEMA.html"""
    reader.accept("IF", "NOT", "EXISTS")
    if reader.accept("AUTHORIZATION"):  # a schema named after the user
        name = _need(reader.name(), "a user name")
    else:
        name = _need(reader.name(), "a schema name")
    effects = Effects("CREATE SCHEMA")
    effects.writes.append(Dataset(SCHEMA, ".".join(map(session.restore, name))))
    return effects


def _create_model(reader: Reader, session: Session) -> Effects:
    """https://docs.aws.amazon.com/redshift/latest/dg/r_CREATE_MODEL.html: trains on
    FROM table or (query); the model is a function, not a dataset."""
    _need(reader.name(), "a model name")
    if not reader.accept("FROM"):
        raise NotUnderstood("expected CREATE MODEL name FROM ...")
    effects = Effects("CREATE MODEL")
    token = reader.peek()
    if token is not None and token.kind == "op" and token.text == "(":
        start = reader.pos
        reader.skip_group()
        body = reader.text[reader.tokens[start].start + 1 : reader.tokens[reader.pos - 1].start]
        effects.reads += session.reads_of(body)
    elif token is not None and token.kind != "string":  # a string names a SageMaker job
        effects.reads += session.tables([_need(reader.name(), "a table")])
    return effects


# -- DROP, ALTER, TRUNCATE, REFRESH ------------------------------------------------------------


def _drop(reader: Reader, session: Session) -> Effects:
    """https://docs.aws.amazon.com/redshift/latest/dg/r_DROP_TABLE.html (also external
    tables), r_DROP_VIEW.html, r_DROP_MATERIALIZED_VIEW.html, r_DROP_SCHEMA.html"""
    reader.accept("DROP")
    if reader.accept("SCHEMA"):
        reader.accept("IF", "EXISTS")
        effects = Effects("DROP SCHEMA")
        for name in _need(reader.names() or None, "a schema name"):
            effects.writes.append(Dataset(SCHEMA, ".".join(map(session.restore, name))))
        return effects
    for words in (("TABLE",), ("VIEW",), ("MATERIALIZED", "VIEW")):
        if reader.accept(*words):
            reader.accept("IF", "EXISTS")
            effects = Effects("DROP " + " ".join(words))
            for name in _need(reader.names() or None, "a name"):
                if len(name) == 1 and name[0] in session.temps:
                    session.temps.discard(name[0])
                    continue
                effects.writes += session.tables([name])
            return effects
    if reader.word() in NO_DATA_OBJECTS:
        return Effects(f"DROP {reader.word()}")
    raise NotUnderstood(f"DROP {reader.word() or '...'} is not understood")


def _alter(reader: Reader, session: Session) -> Effects:
    """https://docs.aws.amazon.com/redshift/latest/dg/r_ALTER_TABLE.html (RENAME TO,
    ADD/DROP PARTITION ... LOCATION, SET LOCATION), r_ALTER_TABLE_APPEND.html (moves the
    source's rows: both tables change), r_ALTER_SCHEMA.html"""
    reader.accept("ALTER")
    if reader.accept("SCHEMA"):
        effects = Effects("ALTER SCHEMA")
        name = _need(reader.name(), "a schema name")
        effects.writes.append(Dataset(SCHEMA, ".".join(map(session.restore, name))))
        if reader.accept("RENAME", "TO"):
            renamed = _need(reader.name(), "the new schema name")
            effects.writes.append(Dataset(SCHEMA, ".".join(map(session.restore, renamed))))
        return effects
    if reader.accept("MATERIALIZED", "VIEW"):
        effects = Effects("ALTER MATERIALIZED VIEW")
        effects.writes += session.tables([_need(reader.name(), "a view name")])
        return effects
    if not reader.accept("TABLE"):
        if reader.word() in NO_DATA_OBJECTS:
            return Effects(f"ALTER {reader.word()}")
        raise NotUnderstood(f"ALTER {reader.word() or '...'} is not understood")
    name = _need(reader.name(), "a table name")
    effects = Effects("ALTER TABLE")
    if reader.accept("RENAME", "TO"):
        new = _need(reader.name(), "the new table name")
        if len(name) == 1 and name[0] in session.temps:
            session.temps.discard(name[0])
            session.temps.add(new[-1])
            return effects
        new = name[:-1] + new[-1:]  # the table stays in its schema
        effects.writes += session.tables([name, new])
        return effects
    effects.writes += session.tables([name])
    if reader.accept("APPEND", "FROM"):
        effects.kind = "ALTER TABLE APPEND"
        source = session.tables([_need(reader.name(), "the source table")])
        effects.reads += source  # its rows move to the target...
        effects.writes += source  # ...and leave it empty
        return effects
    locations = _locations(reader, session)
    if locations and effects.writes:
        effects.kind = "ALTER TABLE PARTITION" if "PARTITION" in _words(reader) else effects.kind
        table = effects.writes[0].name
        session.external_tables = merge_external(session.external_tables, table, locations)
    return effects


def _words(reader: Reader) -> FrozenSet[str]:
    return frozenset(t.text.upper() for t in reader.tokens if t.kind == "word")


def _locations(reader: Reader, session: Session) -> List[str]:
    found = []
    tokens = reader.tokens
    for at in range(reader.pos, len(tokens) - 1):
        if tokens[at].kind == "word" and tokens[at].text.upper() == "LOCATION":
            reader.seek(at + 1)
            value = reader.string()
            if value is not None:
                found.append(session.restore(value))
    return found


def _truncate(reader: Reader, session: Session) -> Effects:
    """https://docs.aws.amazon.com/redshift/latest/dg/r_TRUNCATE.html"""
    reader.accept("TRUNCATE")
    reader.accept("TABLE")
    effects = Effects("TRUNCATE")
    effects.writes += session.tables([_need(reader.name(), "a table name")])
    return effects


def _refresh(reader: Reader, session: Session) -> Effects:
    """https://docs.aws.amazon.com/redshift/latest/dg/materialized-view-refresh-sql-command.html"""
    if not reader.accept("REFRESH", "MATERIALIZED", "VIEW"):
        raise NotUnderstood("REFRESH is followed by MATERIALIZED VIEW")
    effects = Effects("REFRESH MATERIALIZED VIEW")
    effects.writes += session.tables([_need(reader.name(), "a view name")])
    return effects


# -- COPY, UNLOAD ------------------------------------------------------------------------------


def _copy(reader: Reader, session: Session) -> Effects:
    """https://docs.aws.amazon.com/redshift/latest/dg/r_COPY.html: the FROM source (a key
    prefix, or a manifest with MANIFEST) and any other s3:// argument (a JSONPaths file)
    are read; the table is written."""
    reader.accept("COPY")
    name = _need(reader.name(), "a table name")
    reader.skip_group()  # the column list
    if not reader.accept("FROM"):
        raise NotUnderstood("expected FROM after COPY's table")
    source = _need(reader.string(), "COPY's source as a string literal")
    effects = Effects("COPY")
    effects.reads.append(session.s3(source))
    effects.reads += [session.s3(s) for s in reader.strings() if s.lower().startswith("s3://")]
    effects.writes += session.tables([name])
    return effects


def _unload(reader: Reader, session: Session) -> Effects:
    """https://docs.aws.amazon.com/redshift/latest/dg/r_UNLOAD.html: the query's tables
    are read, the TO prefix (data files and the manifest under it) is written."""
    reader.accept("UNLOAD")
    if not reader.accept_op("("):
        raise NotUnderstood("expected UNLOAD ('query')")
    query = _need(reader.string(), "UNLOAD's query as a string literal")
    if not (reader.accept_op(")") and reader.accept("TO")):
        raise NotUnderstood("expected UNLOAD ('query') TO 's3://...'")
    target = _need(reader.string(), "UNLOAD's TO as a string literal")
    effects = Effects("UNLOAD")
    effects.reads += session.reads_of(query)
    effects.writes.append(session.s3(target))
    return effects


# -- session statements, procedures, cursors -----------------------------------------------------


def _set(reader: Reader, session: Session) -> Effects:
    """https://docs.aws.amazon.com/redshift/latest/dg/r_SET.html"""
    reader.accept("SET")
    reader.accept("SESSION") or reader.accept("LOCAL")
    if not reader.accept("SEARCH_PATH"):
        return Effects("SET")
    if not (reader.accept("TO") or reader.accept_op("=")):
        raise NotUnderstood("expected SET search_path TO ...")
    if reader.accept("DEFAULT"):
        session.search_path = DEFAULT_SEARCH_PATH
        return Effects("SET search_path")
    schemas = []
    while not reader.at_end:
        token = reader.peek()
        if token is None or token.kind not in ("word", "ident", "string"):
            raise NotUnderstood("search_path lists schema names")
        value = reader.string() if token.kind == "string" else _need(reader.name(), "a schema")
        schemas.append(value if isinstance(value, str) else ".".join(value))
        if not reader.accept_op(","):
            break
    session.search_path = tuple(session.restore(s) for s in schemas if s != "$user")
    return Effects("SET search_path")


def _reset(reader: Reader, session: Session) -> Effects:
    reader.accept("RESET")
    if reader.word() in ("SEARCH_PATH", "ALL"):
        session.search_path = DEFAULT_SEARCH_PATH
    return Effects("RESET")


def _call(reader: Reader, session: Session) -> Effects:
    """A stored procedure's body is out of sight: reported, never guessed."""
    reader.accept("CALL")
    name = ".".join(reader.name() or ("?",))
    effects = Effects("CALL")
    effects.unknown = f"CALL {session.restore(name)}: a stored procedure's effects are unknown"
    return effects


def _declare(reader: Reader, session: Session) -> Effects:
    """https://docs.aws.amazon.com/redshift/latest/dg/declare.html"""
    for at, token in reader.top_level():
        if token.kind == "word" and token.text.upper() == "FOR":
            following = reader.peek(at + 1 - reader.pos)
            if following is not None:
                effects = Effects("DECLARE")
                effects.reads += session.reads_of(reader.text[following.start :])
                return effects
    raise NotUnderstood("expected DECLARE cursor CURSOR FOR query")


def _dynamic(reader: Reader, session: Session) -> Effects:
    raise NotUnderstood(f"{reader.word()} runs SQL the analysis cannot see")


_HANDLERS: Dict[str, Callable[[Reader, Session], Effects]] = {
    "SELECT": _query,
    "WITH": _query,
    "INSERT": _query,
    "UPDATE": _query,
    "DELETE": _query,
    "MERGE": _query,
    "CREATE": _create,
    "DROP": _drop,
    "ALTER": _alter,
    "TRUNCATE": _truncate,
    "REFRESH": _refresh,
    "COPY": _copy,
    "UNLOAD": _unload,
    "SET": _set,
    "RESET": _reset,
    "CALL": _call,
    "DECLARE": _declare,
    "PREPARE": _dynamic,
    "EXECUTE": _dynamic,
}
