"""What the runner prints: one line per statement, a final JSON summary, and errors.

stdout and stderr are what Glue sends to the `/aws-glue/python-jobs/output` and
`/error` log groups, and what Airflow's GlueJobOperator(verbose=True) copies into the
task log, so lines are short, self-contained and free of secrets (everything passes
through `redact`).
"""

import json
import re
import sys
import time
from typing import IO, Any, Dict, Optional

from .redact import redact

_MAX_SQL_CHARS = 120
# Control characters in a statement's first line are shown escaped: a bare CR would
# otherwise hide, in a terminal or a log viewer, the text the database reads after it.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class Output:
    def __init__(self, out: Optional[IO[str]] = None, err: Optional[IO[str]] = None) -> None:
        self.out = out or sys.stdout
        self.err = err or sys.stderr

    def info(self, message: str) -> None:
        self._write(self.out, message)

    def error(self, message: str) -> None:
        self._write(self.err, f"sqlrunner: error: {message}")

    def failure(self, error: Any) -> None:
        """The run's last stderr line (a RunnerError): where, what, SQLSTATE, and the failure
        class the orchestrators act on."""
        self.error(f"{error} (failure: {error.failure})")

    def statement(
        self,
        index: int,
        total: int,
        line: int,
        first_line: str,
        seconds: float,
        rows: Any,
        detail: str,
    ) -> None:
        # Called between two database round trips for every statement: one f-string,
        # one write (see runner_overhead in bench/). Control characters (a CR that a
        # terminal would use to hide the rest of the line) are shown escaped.
        if _CONTROL.search(first_line):
            first_line = _CONTROL.sub(lambda match: repr(match.group())[1:-1], first_line)
        if len(first_line) > _MAX_SQL_CHARS:
            first_line = first_line[: _MAX_SQL_CHARS - 3] + "..."
        self._write(
            self.out,
            f"[{index}/{total}] line {line} | {seconds:.3f}s | rows "
            f"{'-' if rows is None else rows} | {first_line}{' | ' + detail if detail else ''}",
        )

    def summary(self, fields: Dict[str, Any]) -> None:
        self._write(self.out, json.dumps(fields, sort_keys=False, default=str))

    def _write(self, stream: IO[str], text: str) -> None:
        stream.write(redact(text) + "\n")
        stream.flush()


class Stopwatch:
    def __init__(self) -> None:
        self.started = time.monotonic()

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.started
