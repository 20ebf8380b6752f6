"""Users and roles: Redshift's CREATE/ALTER USER options and role-based GRANT/REVOKE, as
PostgreSQL writes them.

Redshift's user options and its `ROLE` keyword in GRANT/REVOKE read like PostgreSQL's but
PostgreSQL refuses them as syntax errors, which would stop a file half-way. Each rewrite
below is a row citing the page it follows; what PostgreSQL has no counterpart for (a
session timeout, a syslog access level, system privileges such as CREATE TABLE) is accepted
with no local effect: the local database has one user and enforces no such limits.

Hand-written because it is a handful of keyword rewrites on tokens the lexer already gives;
sqlglot parses neither statement's Redshift options.
"""

from typing import List, NamedTuple, Optional, Sequence, Tuple

from sqlrunner.lexer import Token

from . import ddl
from .functions import DOCS


class Rewrite(NamedTuple):
    words: Tuple[str, ...]  # the keywords, upper case; "*" stands for any one token
    replacement: str  # "" removes them
    page: str


# r_CREATE_USER.html, r_ALTER_USER.html
USER_OPTIONS: Tuple[Rewrite, ...] = (
    Rewrite(("PASSWORD", "DISABLE"), "PASSWORD NULL", "r_CREATE_USER"),
    Rewrite(("CONNECTION", "LIMIT", "UNLIMITED"), "CONNECTION LIMIT -1", "r_CREATE_USER"),
    Rewrite(("CREATEUSER",), "SUPERUSER", "r_CREATE_USER"),
    Rewrite(("NOCREATEUSER",), "NOSUPERUSER", "r_CREATE_USER"),
    Rewrite(("SYSLOG", "ACCESS", "*"), "", "r_CREATE_USER"),
    Rewrite(("SESSION", "TIMEOUT", "*"), "", "r_CREATE_USER"),
    Rewrite(("EXTERNALID", "*"), "", "r_CREATE_USER"),
)
# Redshift's system privileges (r_GRANT.html, "system permissions"): the first word of
# one, where PostgreSQL expects a role name.
SYSTEM_PRIVILEGE_WORDS = frozenset(
    {"CREATE", "DROP", "ALTER", "ACCESS", "TRUNCATE", "VACUUM", "ANALYZE", "CANCEL",
     "IGNORE", "EXPLAIN"}
)  # fmt: skip
GRANT_DOC = DOCS + "r_GRANT.html"


class Translation(NamedTuple):
    sql: str
    names: Tuple[str, ...]  # what was rewritten, for the log line
    accepted: bool = False  # a statement with no local counterpart, run as nothing


def user_statement(sql: str, tokens: Sequence[Token]) -> Optional[Translation]:
    """CREATE/ALTER USER with Redshift's options rewritten; None when it has none."""
    edits: List[ddl.Edit] = []
    names: List[str] = []
    k = 0
    while k < len(tokens):
        rule = _matching(tokens, k, USER_OPTIONS)
        if rule is None:
            k += 1
            continue
        last = tokens[k + len(rule.words) - 1]
        edits.append(ddl.Edit(tokens[k].start, ddl.end_of(last), rule.replacement))
        names.append(" ".join(w for w in rule.words if w != "*"))
        k += len(rule.words)
    if not edits:
        return None
    return Translation(ddl.apply(sql, edits), tuple(names))


def grant_statement(sql: str, tokens: Sequence[Token]) -> Optional[Translation]:
    """GRANT/REVOKE: `ROLE r` written as PostgreSQL's `r`; system privileges accepted."""
    words = [ddl.upper_word(t) for t in tokens]
    at = 1
    if words[at : at + 3] == ["ADMIN", "OPTION", "FOR"]:
        at += 3
    if "ON" not in words and at < len(words) and words[at] in SYSTEM_PRIVILEGE_WORDS:
        return Translation(sql, ("system privileges",), accepted=True)
    edits = [
        ddl.Edit(token.start, tokens[k + 1].start, "")
        for k, token in enumerate(tokens[:-1])
        if words[k] == "ROLE"
        and (k == at or words[k - 1] in ("TO", "FROM") or ddl.is_op(tokens, k - 1, ","))
    ]
    if not edits:
        return None
    return Translation(ddl.apply(sql, edits), ("ROLE in GRANT/REVOKE",))


def _matching(tokens: Sequence[Token], k: int, rules: Sequence[Rewrite]) -> Optional[Rewrite]:
    for rule in rules:
        if k + len(rule.words) > len(tokens):
            continue
        if all(w == "*" or ddl.upper_word(tokens[k + n]) == w for n, w in enumerate(rule.words)):
            return rule
    return None
