"""The runner's one error hierarchy.

Every failure the runner can report is a `RunnerError`: it knows its exit code and,
where it has one, the place in the SQL file it is about (file, line, column, statement
number), so the Glue run's ErrorMessage, the CLI and the orchestrators' alerts all
point at the culprit. Driver exceptions are translated into these in one place
(`connection.translate_driver_error`); nothing else in the runner catches PyGreSQL's.

Messages never contain a secret or a parameter *value* that failed validation in a
way that could carry one (passwords are never parameters); they name fields instead.
"""

from typing import Any, Optional

# Exit codes, as documented in the README: usage and input problems (fix the call or
# the file) are told apart from failures while running (look at the database).
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2


class RunnerError(Exception):
    """Base class. `str()` gives `file:line:col: statement N: message` with what is known."""

    exit_code = EXIT_FAILED

    def __init__(
        self,
        message: str,
        *,
        file: Optional[str] = None,
        line: Optional[int] = None,
        column: Optional[int] = None,
        statement: Optional[int] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.statement = statement

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
        return f"{where}: {self.message}" if where else self.message


class UsageError(RunnerError):
    """Bad command-line or Glue job arguments."""

    exit_code = EXIT_BAD_INPUT


class SqlSyntaxError(RunnerError):
    """The SQL file cannot be split: an unterminated quote, comment or dollar quote."""

    exit_code = EXIT_BAD_INPUT


class ParamError(RunnerError):
    """A parameter declaration, placeholder or value is wrong. Raised before connecting."""

    exit_code = EXIT_BAD_INPUT


class SourceError(RunnerError):
    """The SQL file cannot be fetched."""


class UnusableSqlFile(RunnerError):
    """The SQL file is not SQL text: empty or comments only, binary, not UTF-8."""

    exit_code = EXIT_BAD_INPUT


class SecretError(RunnerError):
    """The database secret is missing, unreadable or lacks a field (named, never shown)."""


class ConnectError(RunnerError):
    """No database connection, after retrying the transient failures."""


class StatementError(RunnerError):
    """A statement failed in the database. Carries the SQLSTATE when the driver gave one."""

    def __init__(
        self,
        message: str,
        *,
        sqlstate: Optional[str] = None,
        file: Optional[str] = None,
        line: Optional[int] = None,
        column: Optional[int] = None,
        statement: Optional[int] = None,
    ) -> None:
        super().__init__(message, file=file, line=line, column=column, statement=statement)
        self.sqlstate = sqlstate

    def __str__(self) -> str:
        text = super().__str__()
        return f"{text} [SQLSTATE {self.sqlstate}]" if self.sqlstate else text


class StatementTimeout(StatementError):
    """The statement ran past statement_timeout and the server cancelled it."""


class TransientDatabaseError(StatementError):
    """A failure worth retrying: the connection dropped or the server is restarting."""


class NotEmulatedError(RunnerError):
    """engine=postgres: a Redshift-only statement the local adapter does not emulate."""

    exit_code = EXIT_BAD_INPUT


class EmulationError(RunnerError):
    """engine=postgres: a Redshift-only statement Redshift itself would refuse."""


def aws_error_code(exc: BaseException) -> str:
    """The AWS error code of a botocore ClientError (e.g. "NoSuchKey"), or "" for any
    other exception, so callers can tell expected answers from failures."""
    response: Any = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code", ""))
    return ""
