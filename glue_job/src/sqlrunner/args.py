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
from .cost import GLUE_PYTHON_SHELL_DPU
from .errors import UsageError

REQUIRED = ("db", "db_creds", "bucket", "file")
# lineage: where OpenLineage events go (sqlrunner.lineage), `off` by default; pipeline
# and step: the spec's names for this run, which the orchestrators pass (else the
# file's folder and name stand in).
OPTIONAL = (
    "params",
    "statement_timeout",
    "sslrootcert",
    "lineage",
    "pipeline",
    "step",
    "dpu",
    "retries",
    "retry_delay_seconds",
)
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
    lineage: Optional[str] = None  # OpenLineage target (sqlrunner.lineage); None/off: none
    pipeline: Optional[str] = None
    step: Optional[str] = None
    dpu: Optional[float] = None  # the job's MaxCapacity, for the summary's DPU-seconds
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
        lineage=values.get("lineage") or None,
        pipeline=values.get("pipeline") or None,
        step=values.get("step") or None,
        dpu=_dpu(values.get("dpu")),
        retries=retrying.parse_retries(values.get("retries")),
        retry_delay_seconds=retrying.parse_delay(values.get("retry_delay_seconds")),
    )


def _dpu(raw: Optional[str]) -> Optional[float]:
    if raw is None:
        return None
    allowed = ", ".join(str(dpu) for dpu in GLUE_PYTHON_SHELL_DPU)
    try:
        value = float(raw)
    except ValueError:
        value = None
    if value not in GLUE_PYTHON_SHELL_DPU:
        raise UsageError(f"--dpu must be a Python shell job's capacity ({allowed}), not {raw!r}")
    return value


def _timeout(raw: Optional[str]) -> int:
    if raw is None:
        return DEFAULT_STATEMENT_TIMEOUT_MS
    if not raw.isdigit() or len(raw) > 10:
        raise UsageError("--statement_timeout must be a whole number of milliseconds (0 = none)")
    return int(raw)
