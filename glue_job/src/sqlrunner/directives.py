"""The directives a SQL file gives the runner in its comments, besides `-- @param`:

    -- @owns s3://bucket/reports/run_date=${run_date}/
        (header) after every statement succeeded and committed, the objects under this
        prefix that the run did not write are removed (owned.py): a rerun leaves exactly
        its own output, even where UNLOAD's CLEANPATH cannot (PARTITION BY only cleans the
        partitions it writes).
    -- @check lake_has_rows: the day's reviews are in the lake
        (a line directly before a statement, in the comments leading to it) that statement
        is a check: a query that must return no rows, dbt-test style; rows fail the run.

Both are validated before connecting. A `-- @check` that precedes no statement (inside
a statement, after the last one) is an error rather than a check silently not run.
"""

import re
from typing import Dict, List, NamedTuple, Optional, Tuple

from .errors import DirectiveError, SqlSyntaxError
from .lexer import tokenize
from .params import Bound, expand, validate
from .splitter import Statement

_CHECK = re.compile(r"--[ \t]*@check\b(?P<rest>[^\r\n]*)")
CHECK_MARK = "@check"
_CHECK_NAME = re.compile(r"[a-z][a-z0-9_]{0,62}\Z")
_QUERY_START = re.compile(r"(?:SELECT|WITH|VALUES|TABLE)\b|\(", re.IGNORECASE)
CHECK_USAGE = "expected '-- @check <name>[: <description>]', <name> in [a-z][a-z0-9_]*"


class Check(NamedTuple):
    name: str
    description: str
    line: int


def owned_prefixes(
    owns: List[Tuple[int, str]], bound: Dict[str, Bound], file: Optional[str] = None
) -> List[str]:
    """Each `-- @owns` prefix with its placeholders filled: an s3_uri that ends in `/`
    and names a folder, not a whole bucket."""
    prefixes = []
    for line, template in owns:
        if not template or len(template.split()) != 1:
            raise DirectiveError("expected '-- @owns s3://bucket/prefix/'", file=file, line=line)
        uri = expand(template, bound, file, line)
        if validate("s3_uri", uri) is None or not uri.endswith("/") or uri.count("/") < 4:
            raise DirectiveError(
                f"@owns {uri!r} must be an s3://bucket/prefix/ URI ending in '/', below the "
                "bucket's top",
                file=file,
                line=line,
            )
        prefixes.append(uri)
    return prefixes


def check_of(statement: Statement, file: Optional[str] = None) -> Optional[Check]:
    """The check declared in the comments leading to `statement`, if any."""
    if CHECK_MARK not in statement.lead:
        return None
    lead = statement.lead
    found = _check_lines(lead, file, statement.line - lead.count("\n"))
    if not found:
        return None
    if len(found) > 1:
        raise DirectiveError(
            f"two -- @check lines before one statement (statement {statement.index})",
            file=file,
            line=found[1].line,
        )
    check = found[0]
    if not _QUERY_START.match(statement.text):
        raise DirectiveError(
            f"check {check.name} must be a query (SELECT, WITH, VALUES) that returns the "
            "rows in error",
            file=file,
            line=statement.line,
            statement=statement.index,
        )
    return check


def refuse_stray_checks(text: str, file: Optional[str], first_line: int, where: str) -> None:
    """A `-- @check` in `text` (a statement's own comments, or what follows the last
    statement; `first_line` is the line where `text` starts) checks nothing: an error."""
    if CHECK_MARK not in text:
        return
    found = _check_lines(text, file, first_line)
    if found:
        raise DirectiveError(
            f"-- @check {found[0].name} is {where}: a check goes on the line(s) directly "
            "before the query it runs",
            file=file,
            line=found[0].line,
        )


def _check_lines(text: str, file: Optional[str], first_line: int) -> List[Check]:
    """The `-- @check` line comments of `text`, a piece of SQL starting on `first_line`
    (`@check` in other comments is prose, not a directive)."""
    try:
        tokens = list(tokenize(text))
    except SqlSyntaxError:  # the splitter has read this text already; never expected
        return []
    found = []
    for token in tokens:
        match = _CHECK.match(token.text) if token.kind == "comment" else None
        if match is None:
            continue
        line = first_line + text.count("\n", 0, token.start)
        name, _, description = match.group("rest").strip().partition(":")
        if not _CHECK_NAME.match(name.strip()):
            raise DirectiveError(CHECK_USAGE, file=file, line=line)
        found.append(Check(name.strip(), description.strip(), line))
    return found
