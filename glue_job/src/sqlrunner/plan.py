"""The checking pass: everything about a SQL file that can be known without the
database, found before connecting, so a bad input changes nothing.

It reads the header (`-- @param`, `-- @owns`), binds the parameter values, and splits
and renders every statement (placeholders substituted and shape-checked, `-- @check`
directives read). It keeps the rendered statements while they total at most
KEEP_CHARS, so a typical file is split once; a bigger one is streamed again to run, so
memory holds one statement at a time, not the file.
"""

from typing import Dict, Iterable, Iterator, List, NamedTuple, Optional, Set, Tuple

from . import directives
from .directives import CHECK_MARK, Check
from .errors import DirectiveError, UnusableSqlFile
from .params import Bound, bind, expand, lines_of, parse_values, read_header, substitute
from .source import SqlFile
from .splitter import Statement, StatementReader

# Statements kept from the checking pass (characters of SQL); beyond it, split again.
KEEP_CHARS = 8 << 20


class Step(NamedTuple):
    statement: Statement  # its text rendered
    check: Optional[Check] = None


class Plan(NamedTuple):
    sql: SqlFile
    bound: Dict[str, Bound]
    owned: List[str]  # -- @owns prefixes, rendered
    total: int
    kept: Optional[List[Step]]  # None: stream them again

    def steps(self) -> Iterator[Step]:
        return iter(self.kept) if self.kept is not None else rendered(self.sql, self.bound)


def prepare(sql: SqlFile, params: str) -> Plan:
    """Check the whole file against the parameter values (JSON); raises on bad input."""
    header = read_header(lines_of(sql.chunks()), sql.location)
    bound = bind(header.params, parse_values(params), sql.location)
    owned = directives.owned_prefixes(header.owns, bound, sql.location)
    total, kept = _counted(rendered(sql, bound))
    if not total:
        raise UnusableSqlFile(f"{sql.location} contains no SQL statements")
    return Plan(sql, bound, owned, total, kept)


def rendered(sql: SqlFile, bound: Dict[str, Bound]) -> Iterator[Step]:
    """The file's statements with their placeholders substituted, and their checks."""
    location = sql.location
    reader = StatementReader(sql.chunks(), location)
    checks: Set[str] = set()
    for statement in reader:
        check = None
        if CHECK_MARK in statement.lead:  # (tested here: most statements have no check)
            check = directives.check_of(statement, location)
        if check is not None:
            if check.name in checks:
                raise DirectiveError(
                    f"check {check.name} is declared twice", file=location, line=check.line
                )
            checks.add(check.name)
            # the description is a message, not SQL: its placeholders are filled for it
            check = check._replace(
                description=expand(check.description, bound, location, check.line)
            )
        if CHECK_MARK in statement.text:
            directives.refuse_stray_checks(
                statement.text, location, statement.line, f"inside statement {statement.index}"
            )
        text = substitute(statement.text, bound, location, statement.line)
        if text is not statement.text:
            statement = statement._replace(text=text)
        yield Step(statement, check)
    directives.refuse_stray_checks(
        reader.trailing, location, reader.trailing_line, "after the last statement"
    )


def _counted(steps: Iterable[Step]) -> Tuple[int, Optional[List[Step]]]:
    """Runs the check (splitting and rendering raise on bad input) and counts; returns
    the steps too when they fit in KEEP_CHARS, else None (stream them again)."""
    total = kept_chars = 0
    kept: Optional[List[Step]] = []
    for step in steps:
        total += 1
        if kept is not None:
            kept_chars += len(step.statement.text)
            if kept_chars <= KEEP_CHARS:
                kept.append(step)
            else:
                kept = None
    return total, kept
