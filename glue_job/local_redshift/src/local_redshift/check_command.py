"""`sqlrunner check FILE... [--params JSON]`: before deploying, what each statement of each
file will do on the local stack (engine postgres) and why, without a database or AWS.

One line per statement: `file:line: statement N: <what>`, where <what> is "runs as
written", "translated: ...", "emulated: ..." (the Redshift features involved), "refused:
..." or "invalid: ..." (with the AWS page that documents the feature). Exit 0 only when
every statement will run; 2 when any is refused or invalid (as `run` would exit).
Production (engine redshift) sends every statement as written whatever this says.
"""

import argparse
import sys
from collections import Counter
from typing import Iterator, List, Optional

from sqlrunner.errors import EXIT_BAD_INPUT, EXIT_OK, RunnerError
from sqlrunner.output import Output
from sqlrunner.params import bind, declarations_of, lines_of, parse_values, substitute
from sqlrunner.source import open_sql
from sqlrunner.splitter import Statement, iter_statements

from .classify import Classifier


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="sqlrunner check",
        description="what each statement will do on the local stack, without running it",
    )
    parser.add_argument("files", nargs="+", metavar="FILE")
    parser.add_argument(
        "--params",
        help="JSON object of parameter values (without it, ${...} placeholders stay as written)",
    )
    options = parser.parse_args(sys.argv[1:] if argv is None else argv)
    out = Output()
    failed = False
    for file in options.files:
        try:
            failed |= not _check_file(file, options.params)
        except RunnerError as err:
            out.error(str(err))
            failed = True
    return EXIT_BAD_INPUT if failed else EXIT_OK


def _check_file(file: str, params: Optional[str]) -> bool:
    sql = open_sql(None, file, s3=_no_s3)
    statements: Iterator[Statement] = iter_statements(sql.chunks(), sql.location)
    if params is not None:
        bound = bind(
            declarations_of(lines_of(sql.chunks()), sql.location),
            parse_values(params),
            sql.location,
        )
        statements = (
            s._replace(text=substitute(s.text, bound, sql.location, s.line)) for s in statements
        )
    counts: Counter = Counter()
    for statement, plan in Classifier(keep_chars=0).plans(statements):
        counts[plan.kind] += 1
        print(f"{sql.location}:{statement.line}: statement {statement.index}: {plan.describe()}")
    total = sum(counts.values())
    kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))
    print(f"{sql.location}: {total} statement(s): {kinds}")
    return not (counts["refused"] or counts["invalid"])


def _no_s3() -> None:
    raise AssertionError("local files need no S3 client")
