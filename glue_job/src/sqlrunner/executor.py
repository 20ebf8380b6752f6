"""Run one SQL file: fetch, check, connect, execute, report.

Order matters: everything that can be checked without the database (the file, the
parameters, every statement's syntax and placeholders, the secret) is checked before
connecting, so a bad input changes nothing. The checking pass keeps the statements it
has split while they total at most KEEP_CHARS, so a typical file is split once; a bigger
file is streamed a second time to execute, so memory holds one statement at a time, not
the file.

Transactions: the connection autocommits each statement (Redshift refuses external DDL
inside a transaction block). A file may group statements in `BEGIN; ... COMMIT;`: if
a statement in the block fails, the block is rolled back before the error is reported,
and a block still open at the end of the file is rolled back and reported as an error
rather than committed implicitly.
"""

import os
import re
import time
from typing import Any, Callable, Dict, Iterable, Iterator, List, NamedTuple, Optional

from .args import JobArgs
from .connection import ConnectOptions, Database, connect
from .errors import (
    EXIT_FAILED,
    EXIT_OK,
    RunnerError,
    StatementError,
    UnusableSqlFile,
    UsageError,
)
from .output import Output, Stopwatch
from .params import bind, declarations_of, lines_of, parse_values, substitute
from .secret import fetch_secret
from .source import open_sql
from .splitter import Statement, iter_statements

# Only statements starting with one of these words can open or close a block; the
# pattern fails at the first character for everything else (INSERT, SELECT, ...).
_BLOCK_WORDS = re.compile(
    r"(BEGIN|START|COMMIT|END|ROLLBACK|ABORT)\b(?:\s+([A-Za-z]+))?", re.IGNORECASE
)
_CLOSES = {"COMMIT", "END", "ROLLBACK", "ABORT"}
_BLOCK_INITIALS = frozenset("BSCERAbscera")  # first letters of _BLOCK_WORDS
# Statements kept from the checking pass (characters of SQL); beyond it, split again.
KEEP_CHARS = 8 << 20


class Clients:
    """boto3 clients made on first use, so a local file with bad parameters needs no AWS."""

    def __init__(self, factory: Optional[Callable[[str], Any]] = None) -> None:
        self._factory = factory
        self._made: Dict[str, Any] = {}

    def get(self, service: str) -> Any:
        if service not in self._made:
            if self._factory is None:
                import boto3

                self._made[service] = boto3.client(service)
            else:
                self._made[service] = self._factory(service)
        return self._made[service]

    def s3(self) -> Any:
        return self.get("s3")


class Identity(NamedTuple):
    """Who is running, for application_name / query_group: a DBA looking at the cluster
    sees `sqlrunner:<pipeline>/<step>[:<job run id>]`. Glue passes --JOB_RUN_ID to Spark
    jobs but not always to Python shell jobs, so the run id is used when present."""

    pipeline: str
    step: str
    run: Optional[str]

    @classmethod
    def of(cls, file: str, job_run_id: Optional[str]) -> "Identity":
        parts = file.replace("\\", "/").rstrip("/").split("/")
        step = os.path.splitext(parts[-1])[0]
        pipeline = parts[-2] if len(parts) > 1 else "adhoc"
        return cls(pipeline, step, job_run_id)

    @property
    def application_name(self) -> str:
        name = f"sqlrunner:{self.pipeline}/{self.step}"
        return f"{name}:{self.run}" if self.run else name

    @property
    def query_group(self) -> str:
        return f"{self.pipeline}/{self.step}"


def transaction_effect(statement: Statement) -> int:
    """+1 if the statement opens a transaction block, -1 if it ends one, else 0."""
    match = _BLOCK_WORDS.match(statement.text)
    if not match:
        return 0
    first = match.group(1).upper()
    second = (match.group(2) or "").upper() or None
    if first == "BEGIN" and second in (None, "TRANSACTION", "WORK"):
        return 1
    if first == "START" and second == "TRANSACTION":
        return 1
    if first in _CLOSES:
        return -1
    return 0


def execute_statements(
    statements: Iterable[Statement],
    db: Database,
    out: Output,
    *,
    location: str,
    total: int,
    adapter: Any = None,
) -> "tuple[int, int]":
    """Run the statements in order; returns (statements run, rows). Raises RunnerError
    located at the failing statement, after rolling back an open transaction block."""
    rows_total = 0
    block: Optional[Statement] = None  # the statement that opened the current block
    # The loop runs once per statement between database round trips, so it keeps to
    # local names and no per-statement objects: its cost adds to every statement.
    clock = time.monotonic
    emulate = adapter.execute if adapter is not None else None
    query = db.query
    report = out.statement
    for statement in statements:
        started = clock()
        text = statement.text
        try:
            result = emulate(text) if emulate is not None else None
            if result is None:
                result = query(text)
        except RunnerError as err:
            err.located(file=location, line=statement.line, statement=statement.index)
            if block is not None:
                _rollback(db, out, block)
            raise
        rows = result.rows
        report(
            statement.index,
            total,
            statement.line,
            statement.first_line,
            clock() - started,
            rows,
            result.detail,
        )
        if rows:
            rows_total += rows
        if text[:1] in _BLOCK_INITIALS:
            effect = transaction_effect(statement)
            if effect > 0:
                block = statement
            elif effect < 0:
                block = None
    if block is not None:
        _rollback(db, out, block)
        raise StatementError(
            f"transaction block opened by statement {block.index} (line {block.line}) is never "
            "committed; rolled back",
            file=location,
            line=block.line,
            statement=block.index,
        )
    return total, rows_total


def _rollback(db: Database, out: Output, block: Statement) -> None:
    try:
        db.query("ROLLBACK")
        out.info(f"rolled back the transaction block opened by statement {block.index}")
    except RunnerError as err:  # a dead connection rolls back on the server's side anyway
        out.info(f"rollback of the block opened by statement {block.index} failed: {err.message}")


def run_job(args: JobArgs, *, out: Output, clients: Optional[Clients] = None) -> int:
    """The whole run; prints the summary and returns the exit code."""
    clients = clients or Clients()
    watch = Stopwatch()
    identity = Identity.of(args.file, args.job_run_id)
    location = f"s3://{args.bucket}/{args.file}" if args.bucket else args.file
    summary: Dict[str, Any] = {
        "status": "failed",
        "file": location,
        "db": args.db,
        "job_run_id": args.job_run_id,
        "statements": None,
        "executed": 0,
        "rows": 0,
    }
    try:
        sql = open_sql(args.bucket, args.file, s3=clients.s3)
        declarations = declarations_of(lines_of(sql.chunks()), sql.location)
        bound = bind(declarations, parse_values(args.params), sql.location)

        def statements() -> Iterator[Statement]:
            for statement in iter_statements(sql.chunks(), sql.location):
                text = substitute(statement.text, bound, sql.location, statement.line)
                yield statement if text is statement.text else statement._replace(text=text)

        total, kept = _checked(statements())  # every statement, before connecting
        if not total:
            raise UnusableSqlFile(f"{sql.location} contains no SQL statements")
        summary["statements"] = total
        secret = fetch_secret(args.db_creds, client=clients.get("secretsmanager"))
        summary["engine"] = secret.engine
        # engine postgres: every statement classified by the local emulation (issue 13)
        emulation = _local_emulation(secret.engine)
        checked = None
        if emulation is not None:
            checked = emulation.check(statements() if kept is None else kept, sql.location)
        options = ConnectOptions(
            dbname=args.db,
            application_name=identity.application_name,
            query_group=identity.query_group,
            statement_timeout_ms=args.statement_timeout_ms,
        )
        out.info(
            f"running {total} statement(s) from {sql.location} on {secret.engine} "
            f"{secret.host}:{secret.port}/{args.db} as {identity.application_name}"
        )
        db = connect(secret, options, log=out.info)
        try:
            adapter = _adapter_for(emulation, checked, db, clients, out)
            executed, rows = execute_statements(
                statements() if kept is None else kept,
                db,
                out,
                location=sql.location,
                total=total,
                adapter=adapter,
            )
        finally:
            db.close()
        summary.update(status="succeeded", executed=executed, rows=rows)
        code = EXIT_OK
    except RunnerError as err:
        out.error(str(err))
        summary.update(error=err.message, exit_code=err.exit_code)
        if err.statement:
            summary.update(
                executed=err.statement - 1, failed_statement=err.statement, line=err.line
            )
        if isinstance(err, StatementError) and err.sqlstate:
            summary["sqlstate"] = err.sqlstate
        code = err.exit_code
    except Exception as exc:  # a bug, not bad input: keep the traceback, but redacted
        import traceback

        out.error(f"internal error: {type(exc).__name__}: {exc}")
        out.error("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
        summary.update(error=f"internal error: {type(exc).__name__}", exit_code=EXIT_FAILED)
        code = EXIT_FAILED
    summary["seconds"] = round(watch.seconds, 3)
    out.summary(summary)
    return code


def _checked(statements: Iterable[Statement]) -> "tuple[int, Optional[List[Statement]]]":
    """Runs the check (splitting and rendering raise on bad input) and counts; returns
    the statements too when they fit in KEEP_CHARS, else None (stream them again)."""
    total = kept_chars = 0
    kept: Optional[List[Statement]] = []
    for statement in statements:
        total += 1
        if kept is not None:
            kept_chars += len(statement.text)
            if kept_chars <= KEEP_CHARS:
                kept.append(statement)
            else:
                kept = None
    return total, kept


def _local_emulation(engine: str) -> Any:
    """engine=postgres is the local stack: Redshift-only statements go through the
    emulation in the local_redshift distribution, which local environments install and the
    Glue wheel never contains. Real Redshift gets every statement as written (None)."""
    if engine != "postgres":
        return None
    try:
        import local_redshift
    except ImportError:
        raise UsageError(
            "the secret says engine 'postgres' (the local stack), but the local Redshift "
            "emulation (distribution local-redshift) is not installed in this environment"
        ) from None
    return local_redshift


def _adapter_for(emulation: Any, checked: Any, db: Database, clients: Clients, out: Output) -> Any:
    if emulation is None:
        return None
    adapter = emulation.LocalRedshift(
        db, s3=clients.s3(), glue=clients.get("glue"), log=out.info, classifier=checked
    )
    adapter.on_connect()
    return adapter
