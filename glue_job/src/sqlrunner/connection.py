"""Database connections through PyGreSQL's classic `pg` interface.

Classic `pg` because it is what Glue's Python 3.9 shell preinstalls (PyGreSQL 5.0.6)
and it behaves the same on 6.x: autocommit by default (Redshift refuses external DDL
inside a transaction block, so per-statement commit is the right default) and a
connection that stays usable after an error.

This module is the one place that touches driver exceptions: `translate_driver_error`
turns them into the runner's hierarchy, and `connect` retries only the failures listed
as transient below.
"""

import contextlib
import random
import re
import time
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Tuple

from .errors import (
    PERMANENT,
    TRANSIENT,
    ConnectError,
    StatementError,
    StatementTimeout,
    TransientDatabaseError,
    sqlstate_failure,
)
from .result import Result
from .secret import DatabaseSecret

QUERY_CANCELED = "57014"  # statement_timeout, or a cancel request


class Engine(NamedTuple):
    """What the runner does per engine (the secret's `engine`), as data."""

    tls: bool  # sslmode=verify-full against a CA bundle (tls.py)
    query_group: bool  # SET query_group: Redshift labels STL_QUERY.label with it
    # Session settings that keep a session from outliving its runner: sent after
    # connecting, `{timeout}` being --statement_timeout (ms; skipped when 0).
    guards: Tuple[str, ...]


# Redshift: query_group labels a step's queries for a DBA
# (https://docs.aws.amazon.com/redshift/latest/dg/r_query_group.html). Its SET accepts
# none of PostgreSQL's session guards (statement_timeout bounds a running statement; an
# idle orphaned session is ended by the database user's SESSION TIMEOUT,
# https://docs.aws.amazon.com/redshift/latest/dg/r_CREATE_USER.html).
# PostgreSQL (the local stack): a running statement stops within a second of its client
# going away (client_connection_check_interval, PostgreSQL 14+), a transaction left idle
# ends with the statement timeout, and the server's TCP keepalives find a vanished host.
# https://www.postgresql.org/docs/current/runtime-config-connection.html
ENGINES: Dict[str, Engine] = {
    "redshift": Engine(tls=True, query_group=True, guards=()),
    "postgres": Engine(
        tls=False,
        query_group=False,
        guards=(
            "client_connection_check_interval TO 1000",
            "idle_in_transaction_session_timeout TO {timeout}",
            "tcp_keepalives_idle TO 30",
            "tcp_keepalives_interval TO 10",
            "tcp_keepalives_count TO 3",
        ),
    ),
}
# libpq's own TCP keepalives (client side, every engine): a runner whose server vanished
# without closing the connection fails within about a minute instead of waiting for Glue.
CLIENT_KEEPALIVES = (
    ("keepalives", "1"),
    ("keepalives_idle", "30"),
    ("keepalives_interval", "10"),
    ("keepalives_count", "3"),
)

_SAFE_LABEL = re.compile(r"[^A-Za-z0-9_.:/=-]+")


class ConnectOptions(NamedTuple):
    dbname: str
    application_name: str = "sqlrunner"
    query_group: str = ""
    statement_timeout_ms: int = 0  # 0 = the server's default
    connect_timeout_s: int = 10
    attempts: int = 5
    backoff_s: float = 1.0
    backoff_max_s: float = 30.0
    sslrootcert: Optional[str] = None  # the CA bundle's path, for engines with TLS


def conninfo(secret: DatabaseSecret, options: ConnectOptions) -> str:
    """libpq keyword/value string with every value quoted, so passwords with spaces,
    quotes or backslashes survive. https://www.postgresql.org/docs/current/libpq-connect.html
    """
    pairs = [
        ("host", secret.host),
        ("port", str(secret.port)),
        ("dbname", options.dbname),
        ("user", secret.username),
        ("password", secret.password),
        ("connect_timeout", str(options.connect_timeout_s)),
        ("application_name", label(options.application_name)[:63]),
        *CLIENT_KEEPALIVES,
    ]
    if ENGINES[secret.engine].tls:
        if options.sslrootcert is None:
            raise ValueError("engine redshift connects only with a CA bundle (sslrootcert)")
        pairs += [("sslmode", "verify-full"), ("sslrootcert", options.sslrootcert)]
    return " ".join(f"{key}={_quote_conninfo(value)}" for key, value in pairs)


def _quote_conninfo(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def label(text: str) -> str:
    """A pipeline/step/run label reduced to characters that are safe in any SQL literal."""
    return _SAFE_LABEL.sub("_", text)


def is_transient(exc: BaseException) -> bool:
    """True if the failure class of a driver exception is transient (errors.py's tables)."""
    return sqlstate_failure(getattr(exc, "sqlstate", None), str(exc)) == TRANSIENT


def translate_driver_error(exc: BaseException) -> StatementError:
    """The runner's error for a PyGreSQL exception raised by a statement."""
    sqlstate = getattr(exc, "sqlstate", None) or None
    message = driver_message(exc)
    if sqlstate == QUERY_CANCELED:
        return StatementTimeout(f"cancelled: {message}", sqlstate=sqlstate)
    if is_transient(exc):
        return TransientDatabaseError(message, sqlstate=sqlstate)
    return StatementError(message, sqlstate=sqlstate)


def driver_message(exc: BaseException) -> str:
    """The server's message, with its DETAIL when it has one: Redshift puts the substance
    there (`1023` / `DETAIL: Serializable isolation violation on table ...`)."""
    text = str(exc)
    message = _first_line(text) or type(exc).__name__
    for line in text.splitlines():
        if line.startswith("DETAIL:"):
            return f"{message} ({line.strip()})"
    return message


def _first_line(text: str) -> str:
    for line in text.strip().splitlines():
        line = line.strip()
        if line:
            return line[len("ERROR:") :].strip() if line.startswith("ERROR:") else line
    return ""


class Database:
    """One open connection. `query` runs one statement and speaks the runner's errors."""

    def __init__(self, raw: Any, engine: str) -> None:
        import pg

        self.raw = raw  # the PyGreSQL classic connection, for COPY streaming
        self.engine = engine
        self._in_block = (pg.TRANS_INTRANS, pg.TRANS_INERROR)

    def query(self, sql: str, *, first_row: bool = False) -> Result:
        """Run one statement; with first_row, a query's columns and first row come back too."""
        try:
            outcome = self.raw.query(sql)
        except Exception as exc:  # PyGreSQL raises pg.Error subclasses and, rarely, others
            raise self._translated(exc) from None
        rows = _row_count(outcome)
        if first_row and rows and not isinstance(outcome, str):
            one = getattr(outcome, "one", None)  # 6.x; 5.0 converts every row
            row = one() if callable(one) else outcome.getresult()[0]
            return Result(rows=rows, columns=tuple(outcome.listfields()), first=tuple(row))
        return Result(rows=rows)

    def in_transaction(self) -> bool:
        """True inside a transaction block, failed or not, by libpq's own account
        (PQtransactionStatus): whatever the statement that opened or closed it."""
        return self.raw.transaction() in self._in_block

    def cancel(self) -> None:
        """Ask the server to cancel the statement running on this connection (PQcancel);
        safe from another thread, a no-op between statements."""
        with contextlib.suppress(Exception):
            self.raw.cancel()

    def fetch(self, sql: str) -> list:
        """Rows of a query, as tuples (for small metadata lookups, not bulk data)."""
        try:
            return self.raw.query(sql).getresult()
        except Exception as exc:
            raise self._translated(exc) from None

    def _translated(self, exc: Exception) -> Exception:
        if _is_driver_error(exc):
            return translate_driver_error(exc)
        # On a connection the server has closed, PyGreSQL (5.0.6 and 6.x) raises
        # LookupError("unknown encoding: ") rather than a driver error.
        if getattr(self.raw, "status", 1) == 0:
            return TransientDatabaseError("the connection to the server was lost")
        return exc

    def close(self) -> None:
        # closing a dead connection must not hide the error that killed it
        with contextlib.suppress(Exception):
            self.raw.close()


def _is_driver_error(exc: BaseException) -> bool:
    import pg

    return isinstance(exc, (pg.Error, pg.InternalError)) if hasattr(pg, "Error") else True


def _row_count(outcome: Any) -> Optional[int]:
    # PyGreSQL: None for DDL/SET, the count as a *string* for INSERT/UPDATE/DELETE,
    # a Query object for SELECT: 5.0 has ntuples(), 6.x has len() instead.
    if outcome is None:
        return None
    if isinstance(outcome, str):
        return int(outcome) if outcome.isdigit() else None
    ntuples = getattr(outcome, "ntuples", None)
    return ntuples() if callable(ntuples) else len(outcome)


def connect(
    secret: DatabaseSecret,
    options: ConnectOptions,
    *,
    log: Callable[[str], None] = print,
    sleep: Callable[[float], None] = time.sleep,
) -> Database:
    """Open a connection, retrying transient failures with capped exponential backoff
    and full jitter; then apply the session settings."""
    import pg

    info = conninfo(secret, options)
    delay = options.backoff_s
    for attempt in range(1, options.attempts + 1):
        try:
            raw = pg.connect(dbname=info)
            break
        except Exception as exc:
            transient = is_transient(exc)
            reason = _first_line(str(exc)) or type(exc).__name__
            if not transient or attempt == options.attempts:
                kind = "transient failure, attempts exhausted" if transient else "not retried"
                raise ConnectError(
                    f"cannot connect to {secret.engine} at {secret.host}:{secret.port}/"
                    f"{options.dbname} as {secret.username} after {attempt} attempt(s) "
                    f"({kind}): {reason}",
                    sqlstate=getattr(exc, "sqlstate", None) or None,
                    failure=TRANSIENT if transient else PERMANENT,
                ) from None
            wait = random.uniform(0, delay)  # noqa: S311 - jitter, not cryptography
            log(f"connect attempt {attempt} failed ({reason}); retrying in {wait:.1f}s")
            sleep(wait)
            delay = min(delay * 2, options.backoff_max_s)
    db = Database(raw, secret.engine)
    try:
        settings = session_settings(secret.engine, options)
        if settings:
            db.query("; ".join(f"SET {setting}" for setting in settings))
    except Exception:
        db.close()
        raise
    return db


def session_settings(engine: str, options: ConnectOptions) -> List[str]:
    """The SETs a new session gets (sent as one round trip)."""
    timeout = int(options.statement_timeout_ms)
    settings = [f"statement_timeout TO {timeout}"] if timeout else []
    settings += [
        guard.format(timeout=timeout)
        for guard in ENGINES[engine].guards
        if timeout or "{timeout}" not in guard
    ]
    if options.query_group and ENGINES[engine].query_group:
        settings.append(f"query_group TO '{label(options.query_group)}'")
    return settings
