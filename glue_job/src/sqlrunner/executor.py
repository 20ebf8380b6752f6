"""Run one SQL file: fetch, check, connect, execute, report.

Order matters: everything that can be checked without the database (the file, the
parameters, every statement's syntax, placeholders and directives: plan.py) is checked
before the secret is read or a connection opened, so a bad input changes nothing.

Transactions: the connection autocommits each statement (Redshift refuses external DDL
inside a transaction block). A file may group statements in a block, opened by any form
of BEGIN / START TRANSACTION and ended by COMMIT / END / ROLLBACK / ABORT. Whether a block
is open is libpq's own account of the session after each statement
(PQtransactionStatus), not a reading of the SQL, so every form counts, and so do the
statements that end a block by themselves (Redshift's TRUNCATE commits it). A failure
inside a block rolls it back before the error is reported; a block still open at the
end of the file is rolled back and the run fails, since its work never committed; a
block the file ends with ROLLBACK runs as written and the summary says so.

Failures are reported with their class (errors.py): the last stderr line ends with
`(failure: <class>)` and the JSON summary carries `failure` and `exit_code`.
"""

import os
import re
import time
from typing import Any, Callable, Dict, Iterable, List, NamedTuple, Optional

from . import retrying
from .args import JobArgs
from .connection import ENGINES, ConnectOptions, Database, connect
from .cost import glue_dpu_seconds
from .errors import (
    EXIT_FAILED,
    EXIT_OK,
    PERMANENT,
    CheckFailed,
    RunnerError,
    Stopped,
    TransactionNotCommitted,
    UsageError,
)
from .output import Output, Stopwatch
from .owned import list_prefix, remove_stale
from .plan import Step, prepare
from .result import Result
from .secret import DatabaseSecret, fetch_secret
from .source import open_sql
from .splitter import Statement
from .stopping import StopSignals
from .tls import ca_bundle

# A statement that ends its block by undoing it (not ROLLBACK TO SAVEPOINT / PREPARED).
_ROLLS_BACK = re.compile(r"(?:ROLLBACK|ABORT)\b(?![ \t\r\n]+(?:TO|PREPARED)\b)", re.IGNORECASE)
_SHOWN_VALUE_CHARS = 60


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


class Outcome(NamedTuple):
    executed: int
    rows: int
    rolled_back: List[Dict[str, int]]  # blocks the file itself rolled back


def execute_statements(
    steps: Iterable[Step],
    db: Database,
    out: Output,
    *,
    location: str,
    total: int,
    adapter: Any = None,
    stop: Optional[StopSignals] = None,
) -> Outcome:
    """Run the statements in order. Raises RunnerError located at the failing statement,
    after rolling back the transaction block it leaves open."""
    executed = rows_total = 0
    block: Optional[Statement] = None  # the statement that opened the current block
    rolled_back: List[Dict[str, int]] = []
    # The loop runs once per statement between database round trips, so it keeps to
    # local names and no per-statement objects: its cost adds to every statement.
    clock = time.monotonic
    emulate = adapter.execute if adapter is not None else None
    query = db.query
    in_transaction = db.in_transaction
    report = out.statement
    for step in steps:
        statement = step.statement
        started = clock()
        text = statement.text
        try:
            if stop is not None:
                stop.check()
            if step.check is not None:
                # a check's rows are its verdict: the query runs here (translated locally)
                result = query(
                    adapter.translate(text) if adapter is not None else text, first_row=True
                )
                _verify(step, result)
            else:
                result = emulate(text) if emulate is not None else None
                if result is None:
                    result = query(text)
        except RunnerError as err:
            err.located(file=location, line=statement.line, statement=statement.index)
            if in_transaction():
                _rollback(db, out, block or statement)
            raise
        executed += 1
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
        if in_transaction():
            block = block or statement
        elif block is not None:
            if _ROLLS_BACK.match(text):
                rolled_back.append({"opened_by": block.index, "rolled_back_by": statement.index})
                out.info(
                    f"statement {statement.index} rolled back the transaction block opened by "
                    f"statement {block.index}: its work is undone, as the file says"
                )
            block = None
    if block is not None:
        _rollback(db, out, block)
        raise TransactionNotCommitted(
            f"transaction block opened by statement {block.index} (line {block.line}) is never "
            "committed; rolled back",
            file=location,
            line=block.line,
            statement=block.index,
        )
    return Outcome(executed, rows_total, rolled_back)


def _verify(step: Step, result: Result) -> None:
    """A check passes when its query returns no rows."""
    check = step.check
    assert check is not None
    if not result.rows:
        return
    why = f" ({check.description})" if check.description else ""
    first = ""
    if result.first is not None:
        shown = ", ".join(
            f"{column}={_shown(result.first[i])}" for i, column in enumerate(result.columns)
        )
        first = f"; first: {shown}"
    raise CheckFailed(f"check {check.name} failed: {result.rows} row(s) returned{why}{first}")


def _shown(value: object) -> str:
    text = "NULL" if value is None else str(value)
    return text if len(text) <= _SHOWN_VALUE_CHARS else text[: _SHOWN_VALUE_CHARS - 3] + "..."


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
    emitter = _lineage_emitter(args, out, clients)
    with StopSignals() as stop:
        try:

            def attempt(number: int) -> None:
                summary["attempts"] = number
                _run(args, out, clients, stop, summary, emitter)

            retrying.run_with_retries(
                attempt,
                retries=args.retries,
                delay_seconds=args.retry_delay_seconds,
                out=out,
                stop=stop,
            )
            stop.disarm()
            summary.update(status="succeeded", failure=None, exit_code=EXIT_OK)
        except RunnerError as err:
            stop.disarm()
            _report_failure(out, summary, _as_stop(err, stop))
        except Exception as exc:  # a bug, not bad input: keep the traceback, but redacted
            stop.disarm()
            _report_internal_error(out, summary, exc)
        if emitter is not None:
            if summary["status"] == "succeeded":
                emitter.complete()
            else:
                emitter.fail(str(summary.get("error")))
            summary["lineage"] = emitter.sent
        summary["seconds"] = round(watch.seconds, 3)
        if args.dpu is not None:  # what Glue bills at least (its ExecutionTime adds start-up)
            summary["glue_dpu_seconds"] = round(glue_dpu_seconds(watch.seconds, args.dpu), 3)
        out.summary(summary)
    return int(summary["exit_code"])


def _run(
    args: JobArgs,
    out: Output,
    clients: Clients,
    stop: StopSignals,
    summary: Dict[str, Any],
    emitter: Any = None,
) -> None:
    identity = Identity.of(args.file, args.job_run_id)
    sql = open_sql(args.bucket, args.file, s3=clients.s3)
    plan = prepare(sql, args.params)  # every statement, before connecting
    summary["statements"] = plan.total
    secret = fetch_secret(args.db_creds, client=clients.get("secretsmanager"))
    summary["engine"] = secret.engine
    # engine postgres: every statement classified by the local emulation, still before
    # connecting (a refusal runs nothing); engine redshift: nothing, statements go as written
    emulation = _local_emulation(secret.engine)
    checked = None
    if emulation is not None:
        checked = emulation.check((step.statement for step in plan.steps()), sql.location)
    options = ConnectOptions(
        dbname=args.db,
        application_name=identity.application_name,
        query_group=identity.query_group,
        statement_timeout_ms=args.statement_timeout_ms,
    )
    before = [list_prefix(clients.s3(), uri) for uri in plan.owned]
    if emitter is not None:
        from .lineage import redshift_deployment

        deployment = redshift_deployment(secret.host, secret.port, args.db)
        emitter.describe(sql.read(), sql.location, plan.bound, deployment)
        emitter.start()
    out.info(
        f"running {plan.total} statement(s) from {sql.location} on {secret.engine} "
        f"{secret.host}:{secret.port}/{args.db} as {identity.application_name}"
    )
    db = _connect(secret, options, args.sslrootcert, clients, out)
    stop.watch(db)
    try:
        adapter = _adapter_for(emulation, checked, db, clients, out)
        outcome = execute_statements(
            plan.steps(),
            db,
            out,
            location=sql.location,
            total=plan.total,
            adapter=adapter,
            stop=stop,
        )
    finally:
        stop.watch(None)
        db.close()
    summary.update(executed=outcome.executed, rows=outcome.rows)
    if outcome.rolled_back:
        summary["rolled_back"] = outcome.rolled_back
    if before:
        summary["owned"] = {
            listing.uri: {"removed": len(remove_stale(clients.s3(), listing, out.info))}
            for listing in before
        }


def _lineage_emitter(args: JobArgs, out: Output, clients: Clients) -> Any:
    """The run's OpenLineage emitter (sqlrunner.lineage), or None when --lineage is
    absent or off. Imported only then: most runs emit nothing and pay nothing. A bad
    --lineage value is reported and the run goes on without lineage."""
    if args.lineage is None or args.lineage.strip().lower() == "off":
        return None
    from . import lineage

    try:
        target = lineage.parse_target(args.lineage)
    except RunnerError as err:
        out.info(f"lineage: {err.message}; the run goes on without lineage")
        return None
    if target is None:
        return None
    identity = Identity.of(args.file, args.job_run_id)
    job = f"{args.pipeline or identity.pipeline}.{args.step or identity.step}"
    return lineage.Emitter(
        target, job, lineage.run_id_of(args.job_run_id), log=out.info, s3=clients.s3
    )


def _connect(
    secret: DatabaseSecret,
    options: ConnectOptions,
    sslrootcert: Optional[str],
    clients: Clients,
    out: Output,
) -> Database:
    if not ENGINES[secret.engine].tls:
        if sslrootcert is not None:
            raise UsageError(
                f"--sslrootcert applies to engine redshift; this secret's engine is "
                f"{secret.engine} (the local stack, no TLS)"
            )
        return connect(secret, options, log=out.info)
    with ca_bundle(sslrootcert, clients.s3) as bundle:
        return connect(secret, options._replace(sslrootcert=bundle), log=out.info)


def _as_stop(err: RunnerError, stop: StopSignals) -> RunnerError:
    """A failure while a stop was requested (the stop itself, or the statement it
    cancelled) is reported as the stop."""
    if stop.requested is None:
        return err
    message = f"stopped by {stop.requested}"
    if err.statement:
        message += ": the running statement was cancelled and rolled back"
    return Stopped(message, file=err.file, line=err.line, statement=err.statement)


def _report_failure(out: Output, summary: Dict[str, Any], err: RunnerError) -> None:
    out.failure(err)
    summary.update(error=err.message, failure=err.failure, exit_code=err.exit_code)
    if err.statement:
        summary.update(failed_statement=err.statement, line=err.line)
        ran_all = isinstance(err, TransactionNotCommitted)
        summary["executed"] = summary["statements"] if ran_all else err.statement - 1
    if err.sqlstate:
        summary["sqlstate"] = err.sqlstate


def _report_internal_error(out: Output, summary: Dict[str, Any], exc: Exception) -> None:
    import traceback

    out.error("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)).rstrip())
    error = RunnerError(f"internal error: {type(exc).__name__}: {exc}", failure=PERMANENT)
    out.failure(error)
    summary.update(
        error=f"internal error: {type(exc).__name__}", failure=PERMANENT, exit_code=EXIT_FAILED
    )


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
