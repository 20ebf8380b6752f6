"""LocalRedshift: the one object the executor talks to when the secret says engine=postgres.

Before anything runs, the executor has every statement classified (classify.py): as
written, translated, emulated or refused. `execute(sql)` then acts on the statement's
plan: an emulated statement goes to its handler (Spectrum DDL, UNLOAD, COPY, settings), a
translated one runs on PostgreSQL in its translated form, and a statement that runs as
written comes back as None so the executor sends it to PostgreSQL itself. On connect the
session is set up to read and print like Redshift and the compat schema (compat.py) is
installed or brought up to date.
"""

from typing import Any, Callable, List, Optional, Sequence

from sqlrunner.errors import EmulationError, NotEmulatedError, StatementError
from sqlrunner.result import Result

from . import compat, copy_from_s3, ddl, load_history, unload
from .classify import Classifier, Plan
from .spectrum import Spectrum
from .statements import SESSION_DEFAULTS
from .words import Words, literal, name_of, qualified, significant, split_top_level, text_of

# PostgreSQL's message for an error Redshift also raises, and Redshift's words for it.
REDSHIFT_MESSAGES = (
    # https://docs.aws.amazon.com/redshift/latest/dg/r_MERGE.html: a target row that
    # several source rows match
    (
        "MERGE command cannot affect row a second time",
        "Found multiple matches to update the same tuple.",
    ),
)


class LocalRedshift:
    """Redshift-only statements emulated on PostgreSQL + local S3 + local Glue."""

    def __init__(
        self,
        db: Any,
        *,
        s3: Any,
        glue: Any,
        log: Callable[[str], None] = print,
        classifier: Optional[Classifier] = None,
    ) -> None:
        self.db, self.s3, self.log = db, s3, log
        self.spectrum = Spectrum(db, s3, glue)
        self.classifier = classifier or Classifier()

    def on_connect(self) -> None:
        self._session_defaults()
        if compat.install(self.db):
            self.log(
                f"local Redshift: compat schema {compat.SCHEMA} installed ({compat.version()})"
            )
        load_history.ensure(self.db)  # STL_LOAD_ERRORS, pg_last_copy_count()
        self._default_search_path()
        self.spectrum.load_schemas()

    def _session_defaults(self) -> None:
        """Redshift's defaults for what PostgreSQL reads and prints differently (a RESET
        returns to PostgreSQL's, so RESET ALL sets these again: classify._setting)."""
        for name, value, _doc in SESSION_DEFAULTS:
            self.db.query(f"SET {name} TO {literal(value)}")

    def _default_search_path(self) -> None:
        """Redshift's default search_path with the emulation's schemas after it."""
        self.db.query(f"SET search_path TO {compat.search_path(compat.DEFAULT_PATH)}")

    def translate(self, sql: str) -> str:
        """The SQL PostgreSQL runs for `sql` (raises if it is refused). For queries run
        outside execute(), such as data checks, so they read Redshift's functions too."""
        plan = self.classifier.plan(sql)
        if plan.error is not None:
            raise plan.error
        self._prepare_query(plan.sql)
        return plan.sql

    def execute(self, sql: str) -> Optional[Result]:
        plan = self.classifier.plan(sql)
        if plan.error is not None:
            raise plan.error
        try:
            return self._dispatch(plan)
        except StatementError as err:
            message = ddl.too_long_message(err.message)
            if message is not None:
                raise StatementError(message, sqlstate="22001") from None
            for postgres, redshift in REDSHIFT_MESSAGES:
                if postgres in err.message:
                    raise StatementError(redshift, sqlstate=err.sqlstate) from None
            raise

    # --- dispatch

    def _dispatch(self, plan: Plan) -> Optional[Result]:
        action = plan.action
        if action == "accept":
            return Result(None, plan.detail)
        if action == "reset_all":
            self.db.query("RESET ALL")
            self._session_defaults()
            self._default_search_path()
            return Result(None, "Redshift's session defaults set again")
        if action == "unload":
            return unload.unload(self.db, self.s3, plan.sql, self._prepare_query)
        if action == "copy":
            return copy_from_s3.copy(self.db, self.s3, plan.sql)
        if action == "external_schema":
            return self.spectrum.create_schema(plan.sql)
        if action == "external_table":
            return self.spectrum.create_table(plan.sql)
        if action == "alter_table":
            return self._alter_table(plan)
        if action == "drop_table":
            dropped = self._drop_tables(plan.sql)
            if dropped is not None:
                return dropped
        if action == "drop_schema":
            return self._drop_schemas(plan)
        return self._run(plan)

    def _run(self, plan: Plan) -> Optional[Result]:
        if self.spectrum.schemas and self._names_external(plan.sql):
            tokens = significant(plan.sql)
            self._refuse_writes_to_external(tokens)
            self._sync(tokens)
        if plan.sql[:4].upper() == "CALL":
            call = self._call_with_out_arguments(plan.sql)
            if call is not None:
                result = self.db.query(call)
                return Result(result.rows, "OUT arguments passed as NULL")
        creates = _created_table(plan.sql)
        if plan.runs_as_written and creates is None and not _writes_rows(plan.sql):
            return None  # the executor runs it (a query's rows stay with the caller)
        result = self.db.query(plan.sql)
        if creates is not None:
            ddl.byte_length_checks(self.db, creates)
        if plan.runs_as_written:
            return Result(result.rows, result.detail)
        names = ", ".join(f.name for f in plan.features)
        return Result(result.rows, f"rewritten for PostgreSQL: {names}")

    def _call_with_out_arguments(self, sql: str) -> Optional[str]:
        """CALL p(in, inout) of a procedure with OUT parameters: Redshift leaves the OUT
        ones out of the call (stored-procedure-create.html), PostgreSQL wants a value (NULL)
        in their places. None when the call needs no change."""
        tokens = significant(sql)
        if len(tokens) < 3 or tokens[0].text.upper() != "CALL":
            return None
        words = Words(sql, "CALL")
        words.expect("CALL")
        schema, name = words.qualified_name()
        if not words.at_op("("):
            return None
        group = words.group()
        given = len([item for item in split_top_level(group)])
        where = f"p.proname = {literal(name)} AND p.prokind = 'p'"
        if schema is not None:
            where += f" AND n.nspname = {literal(schema)}"
        else:
            where += " AND n.oid = ANY (pg_catalog.current_schemas(false)::regnamespace[])"
        rows = self.db.fetch(
            "SELECT pg_catalog.array_to_string(p.proargmodes, '') FROM pg_catalog.pg_proc p "
            f"JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace WHERE {where}"
        )
        if len(rows) != 1 or not rows[0][0] or "o" not in rows[0][0]:
            return None
        modes = rows[0][0]
        if given != len(modes.replace("o", "")):
            return None
        arguments = iter(split_top_level(group))
        texts = ["NULL" if mode == "o" else text_of(sql, next(arguments)) for mode in modes]
        close = words.tokens[words.pos - 1]
        return (
            sql[: group[0].start if group else close.start] + ", ".join(texts) + sql[close.start :]
        )

    def _names_external(self, sql: str) -> bool:
        lowered = sql.lower()
        return any(schema in lowered for schema in self.spectrum.schemas)

    def _prepare_query(self, query: str) -> None:
        if self.spectrum.schemas and self._names_external(query):
            self._sync(significant(query))

    def _sync(self, tokens: Sequence[Any]) -> None:
        for schema, table in self.spectrum.referenced(tokens):
            rows = self.spectrum.sync(schema, table)
            if rows:
                self.log(f"local Spectrum: {schema}.{table}: {rows:,} rows (re)loaded from S3")

    # --- statements that depend on what is external at run time

    def _alter_table(self, plan: Plan) -> Optional[Result]:
        sql = plan.sql
        words = Words(sql, "ALTER TABLE")
        words.expect("ALTER", "TABLE")
        words.accept("IF", "EXISTS")
        schema, table = words.qualified_name()
        if schema in self.spectrum.schemas:
            return self.spectrum.alter_table(sql, schema, table)
        rewrite = ddl.rewrite_alter_table(sql)
        if rewrite is None:  # run here, not by the executor: the CHECKs below follow it
            done = self.db.query(sql)
            result = Result(done.rows, done.detail)
        elif not rewrite.sql:
            return Result(
                None, f"accepted: {', '.join(rewrite.notes)} changes physical layout only"
            )
        else:
            result = self.db.query(rewrite.sql)
            notes = ", ".join(sorted(set(rewrite.notes)))
            result = Result(result.rows, f"rewritten for PostgreSQL: {notes}")
        if words.accept("ADD") or words.accept("ALTER"):  # ADD [COLUMN], ALTER COLUMN TYPE
            ddl.byte_length_checks(self.db, _regclass(schema, table))
        return result

    def _drop_tables(self, sql: str) -> Optional[Result]:
        words = Words(sql, "DROP TABLE")
        words.expect("DROP", "TABLE")
        if_exists = words.accept("IF", "EXISTS")
        names = [words.qualified_name()]
        while words.accept_op(","):
            names.append(words.qualified_name())
        external = [(s, t) for s, t in names if s in self.spectrum.schemas]
        if not external:
            return None
        if len(external) != len(names):
            raise NotEmulatedError(
                "not emulated locally: DROP TABLE of external and local tables in one statement"
            )
        return self.spectrum.drop_tables(external, if_exists)  # type: ignore[arg-type]

    def _drop_schemas(self, plan: Plan) -> Optional[Result]:
        words = Words(plan.sql, "DROP SCHEMA")
        words.expect("DROP", "SCHEMA")
        if_exists = words.accept("IF", "EXISTS")
        names = [words.name()]
        while words.accept_op(","):
            names.append(words.name())
        clause_at = words.peek()
        drop_database = words.accept("DROP", "EXTERNAL", "DATABASE")
        cascade = words.accept("CASCADE")
        if not cascade:
            words.accept("RESTRICT")
        if not words.done:
            raise words.error("unexpected text")
        external = [name for name in names if name in self.spectrum.schemas]
        if external and len(external) != len(names):
            raise NotEmulatedError(
                "not emulated locally: DROP SCHEMA of external and local schemas in one statement"
            )
        if external:
            return self.spectrum.drop_schemas(external, if_exists, drop_database, cascade)
        if not drop_database:
            return self._run(plan)
        # DROP EXTERNAL DATABASE names a Glue database only an external schema has: on a
        # local or absent schema Redshift drops the schema (or, with IF EXISTS, nothing).
        assert clause_at is not None
        clause_end = _clause_end(plan.sql, clause_at.start)
        local = plan.sql[: clause_at.start].rstrip() + " " + plan.sql[clause_end:].lstrip()
        result = self.db.query(local.strip())
        return Result(result.rows, "DROP EXTERNAL DATABASE: no external schema, nothing in Glue")

    def _refuse_writes_to_external(self, tokens: Sequence[Any]) -> None:
        if not tokens or tokens[0].kind != "word":
            return
        first = tokens[0].text.upper()
        if first not in ("INSERT", "UPDATE", "DELETE", "TRUNCATE"):
            return
        at = 1
        while (
            at < len(tokens)
            and tokens[at].kind == "word"
            and tokens[at].text.upper() in ("INTO", "FROM", "TABLE", "ONLY")
        ):
            at += 1
        if (
            at < len(tokens)
            and name_of(tokens[at]) in self.spectrum.schemas
            and at + 1 < len(tokens)
            and tokens[at + 1].text == "."
        ):
            if first == "INSERT":
                raise NotEmulatedError("not emulated locally: INSERT into an external table")
            raise EmulationError(
                f"{first} is not allowed on an external table (Spectrum tables are read-only)"
            )


_WRITES = ("INSERT", "UPDATE", "MERGE")


def _writes_rows(sql: str) -> bool:
    """INSERT/UPDATE/MERGE run here so that a byte-length violation reads as Redshift's."""
    return sql[:6].upper().startswith(_WRITES)


def _clause_end(sql: str, start: int) -> int:
    """Where `DROP EXTERNAL DATABASE` starting at `start` ends."""
    last = significant(sql[start:])[2]
    return start + last.start + len(last.text)


def _regclass(schema: Optional[str], table: str) -> str:
    return qualified(schema, table)


def _created_table(sql: str) -> Optional[str]:
    """The table a CREATE TABLE [AS] or SELECT ... INTO statement creates (as regclass
    text), None for any other statement: such tables get their byte-length CHECKs."""
    head = sql[:12].upper()
    if not (head.startswith("CREATE") or head.startswith("SELECT") or head.startswith("WITH")):
        return None
    tokens = significant(sql)
    words = [t.text.upper() if t.kind == "word" else t.text for t in tokens]
    if words[:1] == ["CREATE"]:
        if "TABLE" not in words[:5] or "EXTERNAL" in words[:3]:
            return None
        at = words.index("TABLE") + 1
        if words[at : at + 3] == ["IF", "NOT", "EXISTS"]:
            at += 3
    else:
        depth, at = 0, -1
        for k, word in enumerate(words):
            depth += word == "("
            depth -= word == ")"
            if depth == 0 and word == "INTO":
                at = k + 1
                break
        if at < 0:
            return None
        while at < len(words) and words[at] in ("TEMP", "TEMPORARY", "TABLE", "UNLOGGED"):
            at += 1
    parts: List[str] = []
    while at < len(tokens) and tokens[at].kind in ("word", "ident"):
        parts.append(name_of(tokens[at]))
        if at + 1 < len(tokens) and tokens[at + 1].text == ".":
            at += 2
        else:
            break
    if not parts:
        return None
    return _regclass(parts[-2] if len(parts) > 1 else None, parts[-1])
