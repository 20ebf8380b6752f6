"""How an orchestrator reads a finished Glue run of the SQL runner: did it fail, is retrying
worth it, and what does the runner say went wrong.

One table serves both orchestrators. The Airflow operator (etlkit.operators) classifies a run
in Python with `classify_run`; the state machine generator (infra/asl.py) writes the very same
rules into the definition as a JSONata expression with `jsonata_class`. tests/infra and
tests/dags hold both to one list of cases, so the two cannot drift apart.

What AWS gives an orchestrator (contract C1 of issue 14):
- a Python shell run whose script exits non-zero ends FAILED with ErrorMessage
  "Command failed with exit code N" and nothing else (awslabs/aws-glue-libs#221; an
  uncaught exception is exit code 1 the same way);
- the script's stderr goes to the `/aws-glue/python-jobs/error` log stream named by the run
  id, where the runner's last line on failure is
  `sqlrunner: error: <where and what> [SQLSTATE xxxxx] (failure: <class>)`.
So a run is classified by its exit code (or by the `(failure: <class>)` marker if a message
carries the runner's line), and a person reads the runner's line from the log stream.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

BAD_INPUT, PERMANENT, TRANSIENT = "bad_input", "permanent", "transient"
CLASSES = (BAD_INPUT, PERMANENT, TRANSIENT)
# Only these are worth another attempt; the others fail at once and alert.
RETRIED = frozenset({TRANSIENT})

# The runner's exit codes (glue_job/src/sqlrunner/errors.py, README "Output and exit codes").
EXIT_CODE_CLASSES: Mapping[int, str] = {1: PERMANENT, 2: BAD_INPUT, 3: TRANSIENT}
# An exit code the runner never chooses means the process did not get to report: killed by
# a signal (out of memory, the host went away), the interpreter crashed. Retrying may help,
# and the spec's retry count bounds it.
UNREPORTED_CLASS = TRANSIENT

# Ended states other than SUCCEEDED and FAILED (Glue API reference, JobRun.JobRunState). A
# run that hit its Timeout would hit it again; a stopped run was stopped on purpose; ERROR is
# Glue's own trouble, not the script's.
STATE_CLASSES: Mapping[str, str] = {
    "TIMEOUT": PERMANENT,
    "STOPPED": PERMANENT,
    "EXPIRED": PERMANENT,
    "ERROR": TRANSIENT,
}
FAILED_STATE = "FAILED"

# What Glue puts in ErrorMessage, and the runner's marker; the same text is a Python and a
# JSONata regular expression.
EXIT_CODE_PATTERN = r"Command failed with exit code (-?[0-9]+)"
MARKER_PATTERN = r"\(failure: (bad_input|permanent|transient)\)"
_EXIT_CODE = re.compile(EXIT_CODE_PATTERN)
_MARKER = re.compile(MARKER_PATTERN)

# Where a run's stderr goes, one stream per run id (Glue developer guide, "Logging for
# Python shell jobs"), and the prefix of the runner's own error line.
ERROR_LOG_GROUP = "/aws-glue/python-jobs/error"
ERROR_LINE_PREFIX = "sqlrunner: error:"
# The runner's error line is its last stderr line: reading the stream's tail is enough.
ERROR_LOG_TAIL = 50


def classify_message(message: str | None) -> str:
    """The class of a FAILED run from its ErrorMessage."""
    text = message or ""
    marker = _MARKER.search(text)
    if marker:
        return marker.group(1)
    exit_code = _EXIT_CODE.search(text)
    if exit_code:
        return EXIT_CODE_CLASSES.get(int(exit_code.group(1)), UNREPORTED_CLASS)
    return UNREPORTED_CLASS


def classify_run(run: Mapping[str, Any]) -> str | None:
    """The failure class of a Glue JobRun (GetJobRun's `JobRun`); None if it did not fail
    (SUCCEEDED, or still going)."""
    state = run.get("JobRunState")
    if state == FAILED_STATE:
        return classify_message(run.get("ErrorMessage"))
    return STATE_CLASSES.get(str(state))


def is_retried(failure_class: str | None) -> bool:
    return failure_class in RETRIED


def error_line(messages: Iterable[str]) -> str | None:
    """The runner's error line among a run's stderr lines (the last one, if several)."""
    found = None
    for message in messages:
        line = message.strip()
        if line.startswith(ERROR_LINE_PREFIX):
            found = line
    return found


def jsonata_class(state: str, message: str) -> str:
    """A JSONata expression giving `classify_run`'s answer, for the run whose JobRunState and
    ErrorMessage the expressions `state` and `message` evaluate to (either may be undefined).
    Step Functions' JSONata has the same regular expressions and `$match` (JSONata 2.0)."""
    exit_classes = ", ".join(f"'{code}': '{cls}'" for code, cls in EXIT_CODE_CLASSES.items())
    state_classes = ", ".join(f"'{name}': '{cls}'" for name, cls in STATE_CLASSES.items())
    return (
        f"($state := {state}; $message := $exists({message}) ? {message} : ''; "
        f"$marker := $match($message, /{MARKER_PATTERN}/); "
        f"$exit := $match($message, /{EXIT_CODE_PATTERN}/); "
        f"$state = '{FAILED_STATE}' ? ("
        "$exists($marker) ? $marker[0].groups[0] : "
        f"$exists($exit) ? ($c := $lookup({{{exit_classes}}}, $exit[0].groups[0]); "
        f"$exists($c) ? $c : '{UNREPORTED_CLASS}') : '{UNREPORTED_CLASS}'"
        f") : $lookup({{{state_classes}}}, $state))"
    )
