"""Running a file again after a transient failure, inside the same Glue run.

Only the runner knows why a run failed (errors.py classifies every failure), so it is the
one place that retries, and only what retrying can fix: a transient failure (serialization
failure, lost connection, server shutting down, throttling...) is followed by
`--retry_delay_seconds` of waiting, doubling after each attempt, then the whole file again on
a new connection, at most `--retries` times. Bad input and permanent failures fail at once.
The orchestrators start one Glue run per step and never retry a failed one: a failed run has
already had its retries, and a failed state machine step stays where a redrive resumes it.

Running the file again is safe because a failed attempt leaves nothing behind that the file
does not redo: the transaction block open at the failure was rolled back before the failure
was reported (executor.execute_statements), the connection was closed, and the kit's steps
are idempotent (README "Writing SQL files"). Each attempt is logged with its failure.
A stop request (SIGTERM from Glue's timeout or a stop) ends the waiting at once.
"""

import time
from typing import Callable, Optional

from .errors import TRANSIENT, RunnerError, UsageError
from .output import Output
from .stopping import StopSignals

MAX_RETRIES = 10  # the spec's own limit
BACKOFF = 2.0


def parse_retries(raw: Optional[str]) -> int:
    if raw is None:
        return 0
    if not raw.isdigit() or int(raw) > MAX_RETRIES:
        raise UsageError(f"--retries must be a whole number from 0 to {MAX_RETRIES}, got {raw!r}")
    return int(raw)


def parse_delay(raw: Optional[str]) -> int:
    if raw is None:
        return 0
    if not raw.isdigit() or len(raw) > 6:
        raise UsageError(f"--retry_delay_seconds must be a whole number of seconds, got {raw!r}")
    return int(raw)


def run_with_retries(
    attempt: Callable[[int], None],
    *,
    retries: int,
    delay_seconds: float,
    out: Output,
    stop: StopSignals,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Call `attempt(number)` until it succeeds, fails for good, or `retries` retries are
    spent; returns the number of attempts made (the last failure is raised)."""
    made = 0
    while True:
        made += 1
        try:
            attempt(made)
            return made
        except RunnerError as err:
            if err.failure != TRANSIENT or made > retries or stop.requested is not None:
                if err.failure == TRANSIENT and made > 1:
                    out.info(f"attempt {made} of {retries + 1} failed transiently; no retry left")
                raise
            wait = delay_seconds * BACKOFF ** (made - 1)
            out.info(
                f"attempt {made} of {retries + 1} failed transiently ({err}); retrying the "
                f"file in {wait:g} s on a new connection"
            )
        _wait(wait, stop, sleep)


def _wait(seconds: float, stop: StopSignals, sleep: Callable[[float], None]) -> None:
    """Sleep in short slices so that a stop request ends the wait (and the run) at once."""
    end = time.monotonic() + seconds
    while True:
        stop.check()
        left = end - time.monotonic()
        if left <= 0:
            return
        sleep(min(left, 0.5))
