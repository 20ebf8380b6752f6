"""The runner's one error hierarchy, and its one failure taxonomy.

Every failure the runner can report is a `RunnerError`: it knows its failure class and,
where it has one, the place in the SQL file it is about (file, line, column, statement
number), so the Glue run's error log, the CLI and the orchestrators' alerts all point at
the culprit. Driver exceptions are translated into these in one place
(`connection.translate_driver_error`); nothing else in the runner catches PyGreSQL's.

The failure class says what an orchestrator should do about a failed run, and is what
both orchestrators act on (the exit code of the Glue run, and the `(failure: <class>)`
marker ending the runner's last stderr line):

    bad_input  exit 2  fix the call, the parameters or the SQL file; nothing ran
    permanent  exit 1  retrying cannot help: alert at once
    transient  exit 3  retrying may help: the runner retried it (--retries, retrying.py)

The tables below (SQLSTATEs, driver messages, AWS error codes) are the only place a
failure is judged transient; everything not listed is permanent.

Messages never contain a secret or a parameter *value* that failed validation in a
way that could carry one (passwords are never parameters); they name fields instead.
"""

from typing import Any, Dict, FrozenSet, Optional, Tuple

BAD_INPUT = "bad_input"
PERMANENT = "permanent"
TRANSIENT = "transient"
EXIT_CODES: Dict[str, int] = {BAD_INPUT: 2, PERMANENT: 1, TRANSIENT: 3}
EXIT_OK = 0
EXIT_FAILED = EXIT_CODES[PERMANENT]
EXIT_BAD_INPUT = EXIT_CODES[BAD_INPUT]
EXIT_TRANSIENT = EXIT_CODES[TRANSIENT]

# SQLSTATEs worth retrying (PostgreSQL's and Redshift's codes alike), exact codes and
# whole classes. https://www.postgresql.org/docs/current/errcodes-appendix.html
TRANSIENT_SQLSTATES: Dict[str, str] = {
    "40001": "serialization_failure",
    "40P01": "deadlock_detected",
    "53300": "too_many_connections",
    "57P01": "admin_shutdown",
    "57P02": "crash_shutdown",
    "57P03": "cannot_connect_now",
}
TRANSIENT_SQLSTATE_CLASSES: Dict[str, str] = {"08": "connection_exception"}
# What the driver says when there is no SQLSTATE to go by: libpq reports a refused,
# dropped or timed-out connection as a message only, and Redshift reports a serializable
# isolation violation as "1023" with SQLSTATE XX000
# (https://docs.aws.amazon.com/redshift/latest/dg/c_serial_isolation-serializable-isolation-troubleshooting.html).
MESSAGE_SQLSTATES = frozenset({"", "XX000"})  # none (libpq), or Redshift's catch-all
TRANSIENT_MESSAGES: Tuple[str, ...] = (
    "could not connect to server",
    "connection refused",
    "server closed the connection unexpectedly",
    "could not receive data from server",
    "could not send data to server",
    "ssl syscall error",
    "timeout expired",
    "the database system is starting up",
    "the database system is shutting down",
    "the database system is in recovery mode",
    "no connection to the server",
    "terminating connection due to administrator command",
    "could not translate host name",
    "serializable isolation violation",
)
# AWS error codes (S3, Secrets Manager) that a later attempt may not meet: throttling and
# the service's own failures. https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html
# https://docs.aws.amazon.com/secretsmanager/latest/apireference/CommonErrors.html
TRANSIENT_AWS_CODES: FrozenSet[str] = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "SlowDown",
        "RequestTimeout",
        "RequestTimeoutException",
        "InternalError",
        "InternalFailure",
        "InternalServiceError",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "500",
        "502",
        "503",
        "504",
    }
)


def sqlstate_failure(sqlstate: Optional[str], message: str = "") -> str:
    """The failure class of a database error, from its SQLSTATE and, lacking a
    retryable one, its message."""
    code = sqlstate or ""
    if code in TRANSIENT_SQLSTATES or code[:2] in TRANSIENT_SQLSTATE_CLASSES:
        return TRANSIENT
    if code not in MESSAGE_SQLSTATES:  # a precise SQLSTATE: the message is data, not a class
        return PERMANENT
    text = message.lower()
    if any(fragment in text for fragment in TRANSIENT_MESSAGES):
        return TRANSIENT
    return PERMANENT


def aws_failure(exc: BaseException) -> str:
    """The failure class of an AWS SDK error: throttling, 5xx answers and network
    failures on the way to the service are transient, every other answer permanent."""
    if aws_error_code(exc) in TRANSIENT_AWS_CODES:
        return TRANSIENT
    try:
        from botocore.exceptions import ConnectionError as EndpointUnreachable
        from botocore.exceptions import HTTPClientError
    except ImportError:  # pragma: no cover - boto3 is always there on Glue
        return PERMANENT
    return TRANSIENT if isinstance(exc, (EndpointUnreachable, HTTPClientError)) else PERMANENT


class RunnerError(Exception):
    """Base class. `str()` gives `file:line:col: statement N: message [SQLSTATE x]` with
    what is known; `failure` is the class (a subclass's default, or given per error)."""

    failure = PERMANENT

    def __init__(
        self,
        message: str,
        *,
        file: Optional[str] = None,
        line: Optional[int] = None,
        column: Optional[int] = None,
        statement: Optional[int] = None,
        sqlstate: Optional[str] = None,
        failure: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.statement = statement
        self.sqlstate = sqlstate
        if failure is not None:
            self.failure = failure

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.failure]

    def located(
        self,
        *,
        file: Optional[str] = None,
        line: Optional[int] = None,
        column: Optional[int] = None,
        statement: Optional[int] = None,
    ) -> "RunnerError":
        """Fill in location fields this error does not know yet; returns self."""
        self.file = self.file or file
        self.line = self.line or line
        self.column = self.column or column
        self.statement = self.statement or statement
        return self

    @property
    def where(self) -> str:
        place = ""
        if self.file:
            place = self.file
            if self.line:
                place += f":{self.line}"
                if self.column:
                    place += f":{self.column}"
        if self.statement:
            place = (
                f"{place}: statement {self.statement}" if place else f"statement {self.statement}"
            )
        return place

    def __str__(self) -> str:
        where = self.where
        text = f"{where}: {self.message}" if where else self.message
        return f"{text} [SQLSTATE {self.sqlstate}]" if self.sqlstate else text


class UsageError(RunnerError):
    """Bad command-line or Glue job arguments."""

    failure = BAD_INPUT


class SqlSyntaxError(RunnerError):
    """The SQL file cannot be split: an unterminated quote, comment or dollar quote."""

    failure = BAD_INPUT


class ParamError(RunnerError):
    """A parameter declaration, placeholder or value is wrong. Raised before connecting."""

    failure = BAD_INPUT


class DirectiveError(RunnerError):
    """A `-- @check` or `-- @owns` directive is malformed or misplaced."""

    failure = BAD_INPUT


class SourceError(RunnerError):
    """The SQL file (or a file the run needs, like a CA bundle) cannot be fetched."""


class UnusableSqlFile(RunnerError):
    """The SQL file is not SQL text: empty or comments only, binary, not UTF-8."""

    failure = BAD_INPUT


class SecretError(RunnerError):
    """The database secret is missing, unreadable or lacks a field (named, never shown)."""


class ConnectError(RunnerError):
    """No database connection, after retrying the transient failures."""


class StatementError(RunnerError):
    """A statement failed in the database. Carries the SQLSTATE when the driver gave one."""


class StatementTimeout(StatementError):
    """The statement ran past statement_timeout and the server cancelled it."""


class TransientDatabaseError(StatementError):
    """A failure worth retrying: the connection dropped or the server is restarting."""

    failure = TRANSIENT


class CheckFailed(RunnerError):
    """A `-- @check` query returned rows."""


class TransactionNotCommitted(RunnerError):
    """A transaction block was left open at the end of the file (and rolled back)."""


class Stopped(RunnerError):
    """The run was asked to stop (SIGTERM from Glue's timeout or stop, or Ctrl-C)."""


class OwnedPrefixError(RunnerError):
    """Objects the run no longer writes could not be listed or removed under an owned prefix."""


class NotEmulatedError(RunnerError):
    """engine=postgres: a Redshift-only statement the local adapter does not emulate."""

    failure = BAD_INPUT


class EmulationError(RunnerError):
    """engine=postgres: a Redshift-only statement Redshift itself would refuse."""


def aws_error_code(exc: BaseException) -> str:
    """The AWS error code of a botocore ClientError (e.g. "NoSuchKey"), or "" for any
    other exception, so callers can tell expected answers from failures."""
    response: Any = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code", ""))
    return ""
