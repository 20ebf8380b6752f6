"""`sqlrunner`: the Glue entry point and the developer CLI.

    sqlrunner run --db DB --db_creds SECRET_ID [--bucket B] --file KEY_OR_PATH [--params JSON]
    sqlrunner split FILE                 JSON array of the statements
    sqlrunner render FILE --params JSON  the SQL with parameters substituted
    sqlrunner check FILE... [--params JSON]  what each statement does on the local stack

`run` takes exactly the Glue job's arguments; without --bucket, --file is a local path.
`render` checks the file exactly as `run` does before connecting (parameters, statements,
directives) and prints it as `run` would execute it.
Exit codes: 0 success, 2 bad input, 1 a permanent failure, 3 a transient one (worth a
retry); the last stderr line ends with `(failure: bad_input|permanent|transient)`.
"""

import json
import sys
from typing import List, Optional, Sequence

from . import args as job_args
from .errors import RunnerError, UsageError
from .executor import run_job
from .output import Output
from .params import parse_values, render
from .plan import prepare
from .process import exit_with
from .source import open_sql
from .splitter import iter_statements

RUN_USAGE = (
    "sqlrunner run --db DB --db_creds SECRET_ID [--bucket B] --file FILE [--params JSON] "
    "[--statement_timeout MS] [--sslrootcert PATH_OR_S3_URI]"
)


def glue_main(argv: Sequence[str]) -> int:
    """What glue_job/run_sql.py calls with sys.argv."""
    out = Output()
    try:
        parsed = job_args.resolve(argv)
    except RunnerError as err:
        out.failure(err)
        return err.exit_code
    return run_job(parsed, out=out)


def console() -> None:
    """The `sqlrunner` console script."""
    exit_with(main())


def main(argv: Optional[List[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = job_args.RaisingParser(prog="sqlrunner", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="{run,split,render,check}"
    )
    commands.add_parser("run", help="run a SQL file (the Glue job's arguments)", add_help=False)
    split_cmd = commands.add_parser("split", help="print the statements of FILE as JSON")
    split_cmd.add_argument("file")
    render_cmd = commands.add_parser("render", help="print FILE with its parameters substituted")
    render_cmd.add_argument("file")
    render_cmd.add_argument("--params", default="{}", help="JSON object of parameter values")
    if argv[:1] == ["run"]:
        return _run(argv[1:])
    if argv[:1] == ["check"]:
        return _check(argv[1:])
    out = Output()
    try:
        options = parser.parse_args(argv)
        sql = open_sql(None, options.file, s3=_no_s3)
        if options.command == "split":
            statements = iter_statements(sql.chunks(), sql.location)
            print(json.dumps([s.text for s in statements], indent=2, ensure_ascii=False))
        else:
            prepare(sql, options.params)
            sys.stdout.write(render(sql.read(), parse_values(options.params), file=sql.location))
    except RunnerError as err:
        out.failure(err)
        return err.exit_code
    return 0


def _run(argv: List[str]) -> int:
    out = Output()
    if "-h" in argv or "--help" in argv:
        print(__doc__)
        return 0
    try:
        parsed = job_args.resolve(["sqlrunner run", *argv], require_bucket=False)
    except UsageError as err:
        err.message += f" (usage: {RUN_USAGE})"
        out.failure(err)
        return err.exit_code
    return run_job(parsed, out=out)


def _check(argv: List[str]) -> int:
    """The local stack's pre-deploy check lives in the local emulation (local_redshift),
    which the Glue wheel does not contain."""
    try:
        from local_redshift.check_command import main as check_main
    except ImportError:
        err = UsageError(
            "sqlrunner check needs the local Redshift emulation (distribution local-redshift), "
            "which is not installed in this environment"
        )
        Output().failure(err)
        return err.exit_code
    return check_main(argv)


def _no_s3() -> None:
    raise AssertionError("local files need no S3 client")
