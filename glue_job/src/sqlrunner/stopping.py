"""Stopping a run cleanly when asked to: SIGTERM (what Glue sends on a job timeout or a
stop) or SIGINT (Ctrl-C at the CLI).

The process must not just die: a statement the server is running would go on holding its
locks until it finished (PostgreSQL and Redshift only notice a vanished client when they
next talk to it), and the retry would wait behind it. So a stop request
1. cancels the statement in flight (libpq's PQcancel through PyGreSQL's `cancel()`), from a
   watcher thread: while a statement runs, the main thread is inside the driver's C call and
   Python runs no signal handler until it returns, but the interpreter's C-level handler
   writes to the wakeup fd (signal.set_wakeup_fd) at once, and the watcher reads it;
2. raises `Stopped` in the main thread (once), so the run unwinds the way any failure does:
   the open transaction block is rolled back, the connection closed, and the run reported
   as a permanent failure naming the signal.
Outside the main thread (a run started from a thread) nothing is installed: signals only
reach the main thread.
"""

import os
import signal
import threading
from typing import Any, Dict, Optional

from .errors import Stopped

SIGNALS = (signal.SIGTERM, signal.SIGINT)


class StopSignals:
    """Context manager: while inside, SIGTERM/SIGINT cancel the watched connection's
    statement and raise Stopped once (while armed). `requested` names the signal seen."""

    def __init__(self) -> None:
        self.requested: Optional[str] = None
        self._armed = False
        self._database: Any = None
        self._previous: Dict[int, Any] = {}
        self._wakeup_read = -1
        self._previous_wakeup = -1
        self._installed = False

    def __enter__(self) -> "StopSignals":
        if threading.current_thread() is not threading.main_thread():
            return self
        read, write = os.pipe()
        os.set_blocking(write, False)
        self._wakeup_read = read
        self._previous_wakeup = signal.set_wakeup_fd(write, warn_on_full_buffer=False)
        for signum in SIGNALS:
            self._previous[signum] = signal.signal(signum, self._on_signal)
        threading.Thread(target=self._watch, name="sqlrunner-stop", daemon=True).start()
        self._installed = self._armed = True
        return self

    def __exit__(self, *exc: object) -> None:
        if not self._installed:
            return
        self._armed = False
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        write = signal.set_wakeup_fd(self._previous_wakeup)
        os.close(write)  # the watcher's read returns empty and it ends
        self._installed = False

    def watch(self, database: Any) -> None:
        """The connection whose running statement a stop request cancels (None: none)."""
        self._database = database

    def disarm(self) -> None:
        """From here on (the run is reporting), a stop request is noted, not raised."""
        self._armed = False

    def check(self) -> None:
        """Raise Stopped if a stop was requested (between statements)."""
        if self.requested is not None:
            raise Stopped(f"stopped by {self.requested}")

    def _on_signal(self, signum: int, frame: Any) -> None:
        self.requested = self.requested or signal.Signals(signum).name
        if self._armed:
            self._armed = False
            raise Stopped(f"stopped by {self.requested}")

    def _watch(self) -> None:
        read = self._wakeup_read
        wanted = {int(signum) for signum in SIGNALS}
        try:
            while True:
                received = os.read(read, 64)  # one byte per signal: its number
                if not received:
                    return
                database = self._database
                if database is not None and wanted.intersection(received):
                    database.cancel()
        except OSError:
            pass
        finally:
            os.close(read)
