"""What running one statement produced, whoever ran it (the database or the local adapter)."""

from typing import NamedTuple, Optional, Tuple


class Result(NamedTuple):
    rows: Optional[
        int
    ]  # rows inserted/updated/deleted/returned/unloaded; None when no count applies
    detail: str = ""  # a short note for the log line, e.g. "3 files, 1.2 MB to s3://..."
    columns: Tuple[str, ...] = ()  # a query's columns and first row, when asked for (checks)
    first: Optional[Tuple[object, ...]] = None
