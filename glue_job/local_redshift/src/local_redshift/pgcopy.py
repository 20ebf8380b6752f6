"""Bulk data in and out of PostgreSQL through the COPY protocol, on PyGreSQL 5.0.6 and 6.x.

Why the connection's `source()` object rather than `putline`/`getline`: it is the one
COPY interface that behaves the same on both versions. `getline` ends with None on 6.x
but '\\.' on 5.0.6 and raises "Buffer overflow" on 5.0.6 for rows over 8 kB;
`putline` is broken on 5.0.6 under Python >= 3.10. `source().putdata` sends any chunk
(one message per call, not per row) and returns the row count at the end;
`source().getdata` returns one row's bytes per call and the row count at the end.

Errors from the server arrive as OSError with libpq's message; they are turned into
the runner's StatementError here, so callers see one error hierarchy.
"""

import contextlib
from typing import Any, Iterable, Iterator, List, Optional, Tuple

from sqlrunner.errors import StatementError

SEND_BYTES = 1 << 20  # one COPY message per MB, so the server starts parsing early
CHECK_EVERY = 256  # rows between block-size checks when reading


class CopyFailed(StatementError):
    """The server refused COPY data; `server_text` is its whole message (ERROR, DETAIL,
    CONTEXT lines), from which COPY's emulation reads the row it refused."""

    def __init__(self, message: str, server_text: str) -> None:
        super().__init__(message)
        self.server_text = server_text


def _statement_error(exc: BaseException) -> StatementError:
    text = str(exc)
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    message = lines[0] if lines else type(exc).__name__
    if message.startswith("ERROR:"):
        message = message[len("ERROR:") :].strip()
    context = next((line for line in lines[1:] if line.startswith("CONTEXT:")), "")
    if context:
        message += f" ({context[len('CONTEXT:') :].strip()})"
    return CopyFailed(message, text)


def copy_in(raw: Any, sql: str, chunks: Iterable[bytes]) -> int:
    """Run `COPY ... FROM STDIN` and stream `chunks` into it; returns the rows copied.
    If producing a chunk fails, the COPY is aborted (nothing is written) and the
    error propagates. Chunks are produced on this thread: producing them in a second
    thread while PyGreSQL 6 sends (Python 3.12, pyarrow 25) crashed the process."""
    source = raw.source()
    try:
        source.execute(sql)
    except Exception as exc:
        raise _driver_error(exc) from None
    try:
        for chunk in chunks:
            for start in range(0, len(chunk), SEND_BYTES):
                source.putdata(chunk[start : start + SEND_BYTES])
    except BaseException as exc:
        with contextlib.suppress(OSError):  # the abort reports our own error back
            source.putdata(Exception(f"aborted by the local adapter: {type(exc).__name__}"))
        if isinstance(exc, OSError):
            raise _statement_error(exc) from None
        raise
    try:
        rows = source.putdata(None)
    except OSError as exc:
        raise _statement_error(exc) from None
    return int(rows) if rows is not None and rows >= 0 else 0


def copy_out(raw: Any, sql: str, block_bytes: int = 1 << 20) -> Iterator[List[bytes]]:
    """Run `COPY (...) TO STDOUT` and yield the rows' bytes (each with its newline) in
    lists of about `block_bytes`, so callers work per block rather than per row."""
    source = raw.source()
    try:
        source.execute(sql)
    except Exception as exc:
        raise _driver_error(exc) from None
    getdata = source.getdata
    rows: List[bytes] = []
    append = rows.append
    size = 0
    steps = range(CHECK_EVERY)
    # The innermost loop runs once per row: one call, one type check, one append (the
    # block size is summed per CHECK_EVERY rows, not per row).
    try:
        while True:
            for _ in steps:
                row = getdata(False)
                if row.__class__ is int:  # the end: getdata returns the row count
                    if rows:
                        yield rows
                    return
                append(row)
            size += sum(map(len, rows[-CHECK_EVERY:]))
            if size >= block_bytes:
                yield rows
                rows, size = [], 0
                append = rows.append
    except OSError as exc:
        raise _statement_error(exc) from None


def columns_of(raw: Any, query: str) -> List[Tuple[str, int, int]]:
    """(name, type oid, type modifier) of each column `query` returns, without running it."""
    source = raw.source()
    try:
        source.execute(f"SELECT * FROM ({query}\n) AS sqlrunner_q LIMIT 0")
        info = source.listinfo()
    except Exception as exc:
        raise _driver_error(exc) from None
    finally:
        source.close()
    return [(name, int(oid), int(mod)) for _, name, oid, _, mod in info]


def _driver_error(exc: BaseException) -> StatementError:
    from sqlrunner.connection import translate_driver_error

    return _statement_error(exc) if isinstance(exc, OSError) else translate_driver_error(exc)


@contextlib.contextmanager
def transaction(db: Any, lock: Optional[str] = None) -> Iterator[bool]:
    """A transaction block unless the caller's statement runs in one already (yields
    whether the block is this one's), holding a transaction-scoped advisory lock on
    `lock` if given: the emulation's multi-statement work commits or rolls back whole."""
    from .words import literal

    own = not in_transaction(db.raw)
    if own:
        db.query("BEGIN")
    try:
        if lock is not None:
            db.query(f"SELECT pg_advisory_xact_lock(hashtext({literal(lock)}))")
        yield own
    except BaseException:
        if own:
            db.query("ROLLBACK")
        raise
    if own:
        db.query("COMMIT")


def in_transaction(raw: Any) -> bool:
    """True inside a BEGIN block (libpq's PQTRANS_INTRANS or PQTRANS_INERROR)."""
    status: Optional[int] = raw.transaction()
    return status in (2, 3)
