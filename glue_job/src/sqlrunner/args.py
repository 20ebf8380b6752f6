"""The Glue job's arguments, read the way Glue's own `getResolvedOptions` reads them.

On Glue, `awsglue.utils.getResolvedOptions` is importable and used. Elsewhere (local
Glue, tests, the CLI) `resolve_like_glue` gives the same semantics: every requested
option is required, `--name value` and `--name=value` both work, arguments nobody asked
for (Glue adds its own, like --JOB_RUN_ID) are ignored. getResolvedOptions has no notion
of optional arguments, so optional ones are requested only when present in argv, the
usual Glue idiom.
"""

import argparse
from typing import Dict, List, NamedTuple, Optional, Sequence

from . import retrying
from .errors import UsageError

REQUIRED = ("db", "db_creds", "bucket", "file")
OPTIONAL = ("params", "statement_timeout", "sslrootcert", "retries", "retry_delay_seconds")
# Arguments Glue itself passes to every run; accepted, never required.
GLUE_RESERVED = ("JOB_NAME", "JOB_ID", "JOB_RUN_ID", "TempDir", "job-bookmark-option")
DEFAULT_STATEMENT_TIMEOUT_MS = 3_600_000


class JobArgs(NamedTuple):
    db: str
    db_creds: str
    bucket: Optional[str]  # None: --file is a local path (CLI only)
    file: str
    params: str  # JSON object text
    statement_timeout_ms: int
    job_run_id: Optional[str]
    sslrootcert: Optional[str] = None  # CA bundle (path or s3://) instead of the runner's
    retries: int = 0  # transient failures retried in the run (retrying.py)
    retry_delay_seconds: int = 0


class RaisingParser(argparse.ArgumentParser):
    """An argparse parser whose errors are the runner's UsageError (exit 2, marked)."""

    def error(self, message: str) -> "argparse.NoReturn":  # type: ignore[override]
        raise UsageError(message)


def resolve_like_glue(argv: Sequence[str], options: List[str]) -> Dict[str, Optional[str]]:
    parser = RaisingParser(prog=argv[0] if argv else "run_sql.py", add_help=False)
    for reserved in GLUE_RESERVED:
        parser.add_argument("--" + reserved, required=False)
    for option in options:
        if option not in GLUE_RESERVED:
            parser.add_argument("--" + option, required=True)
    parsed, _ = parser.parse_known_args(list(argv[1:]))
    return vars(parsed)


def _present(argv: Sequence[str], option: str) -> bool:
    flag = "--" + option
    return any(arg == flag or arg.startswith(flag + "=") for arg in argv)


def resolve(argv: Sequence[str], *, require_bucket: bool = True) -> JobArgs:
    """JobArgs from a Glue-style argv (argv[0] is the script)."""
    try:
        from awsglue.utils import getResolvedOptions  # type: ignore[import-not-found]
    except ImportError:
        getResolvedOptions = resolve_like_glue  # Glue's spelling
    wanted = [name for name in REQUIRED if require_bucket or name != "bucket"]
    wanted += [name for name in OPTIONAL if _present(argv, name)]
    if not require_bucket and _present(argv, "bucket"):
        wanted.append("bucket")
    try:
        values = getResolvedOptions(list(argv), wanted)
    except UsageError:
        raise
    except (Exception, SystemExit) as exc:  # awsglue's parser exits or raises on bad argv
        raise UsageError(f"bad job arguments: {exc}") from None
    for name in wanted:
        if not values.get(name) and name != "params":
            raise UsageError(f"argument --{name} must not be empty")
    return JobArgs(
        db=values["db"],
        db_creds=values["db_creds"],
        bucket=values.get("bucket") or None,
        file=values["file"],
        params=values.get("params") or "{}",
        statement_timeout_ms=_timeout(values.get("statement_timeout")),
        job_run_id=values.get("JOB_RUN_ID"),
        sslrootcert=values.get("sslrootcert") or None,
        retries=retrying.parse_retries(values.get("retries")),
        retry_delay_seconds=retrying.parse_delay(values.get("retry_delay_seconds")),
    )


def _timeout(raw: Optional[str]) -> int:
    if raw is None:
        return DEFAULT_STATEMENT_TIMEOUT_MS
    if not raw.isdigit() or len(raw) > 10:
        raise UsageError("--statement_timeout must be a whole number of milliseconds (0 = none)")
    return int(raw)
