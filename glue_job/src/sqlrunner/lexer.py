"""Lexical rules for Redshift/PostgreSQL text: where quotes, comments and dollar
quotes begin and end, shared by the statement splitter and the local adapter.

Written by hand because nothing on PyPI fits: `sqlparse.split` is 20x slower and
wrong on nested block comments, sqlglot's tokenizer is super-linear on large files
and its Redshift string rules differ, and pglast needs a C build of libpg_query that
Glue's Python shell does not have (numbers in shared/notes/platform-facts.md).

Redshift's rules, which this follows:
- '...' strings double a quote ('') or escape it with a backslash (\\'); a backslash
  escapes any character (Redshift keeps PostgreSQL 8's backslash semantics), and E'...'
  reads the same way. https://docs.aws.amazon.com/redshift/latest/dg/r_Literals.html
- "quoted identifiers" double a quote to contain one.
  https://docs.aws.amazon.com/redshift/latest/dg/r_names.html
- -- comments run to the end of the line; /* */ comments nest.
- $$...$$ and $tag$...$tag$ quote a body verbatim (procedure and function bodies); a
  `$` that continues an identifier (col$1) or a positional parameter ($1) is not one.
  https://docs.aws.amazon.com/redshift/latest/dg/stored-procedure-create.html

PostgreSQL's scanner (src/backend/parser/scan.l), which Redshift's follows, also decides:
- identifiers start with a letter, `_` or any non-ASCII character (`€`, an emoji, a
  no-break space) and continue with those, digits and `$`, so a `$` inside a word
  (`col$1`, `a$$b`) is part of it; after a number, a parameter (`$1`) or another quoted
  token, a `$` can open a dollar quote, and two dollar quotes can touch;
- whitespace is space, tab, LF, CR and FF only, and a `--` comment ends at LF *or* CR;
- an operator is a run of `~!@#^&|`?+-*/%<>=` cut before any `--` or `/*` in it, and
  losing trailing `+`/`-` unless it holds one of `~!@#^&|`?%` (so `>-5` is `>` `-` `5`
  but `@-5` is `@-` `5`).
tests/runner/test_splitter_pglast.py checks all of this against pglast (libpg_query,
PostgreSQL's own scanner) on generated input.
"""

import re
from typing import Iterator, NamedTuple, Optional

from .errors import SqlSyntaxError

_NON_ASCII = "\x80-\U0010ffff"
IDENT_START = "A-Za-z_" + _NON_ASCII  # character-class bodies, as in scan.l
IDENT_CONT = "A-Za-z0-9_$" + _NON_ASCII
SPACE = " \t\n\r\f"
_IDENT_CHAR = re.compile(f"[{IDENT_CONT}]")
_DOLLAR_TAG = re.compile(f"\\$(?:[{IDENT_START}][A-Za-z0-9_{_NON_ASCII}]*)?\\$")
# What a dollar tag could be while its closing `$` is not read yet (input in chunks).
DOLLAR_TAG_PREFIX = re.compile(f"\\$[A-Za-z0-9_{_NON_ASCII}]*")
_PARAM = re.compile(r"\$[0-9]+")
_DIGITS = re.compile(r"[0-9]+(?:[Ee][0-9]+)?")
_LINE_END = re.compile(r"[\r\n]")
_STRING_STOP = re.compile(r"['\\]")
_BLOCK_COMMENT_MARK = re.compile(r"/\*|\*/")
_PLAIN = re.compile(
    f"(?P<space>[{SPACE}]+)"
    f"|(?P<word>[{IDENT_START}][{IDENT_CONT}]*)"
    r"|(?P<number>(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)"
    r"|(?P<op>::|\$[0-9]+|.)",
    re.S,
)
_OPERATOR = re.compile(r"[~!@#^&|`?+\-*/%<>=]+")
_OPERATOR_KEEPS_SIGN = frozenset("~!@#^&|`?%")


class Token(NamedTuple):
    kind: str  # word, ident, string, dollar, comment, space, number, op
    text: str
    start: int


def line_and_column(text: str, offset: int) -> "tuple[int, int]":
    """1-based line and column of `offset` (columns count characters)."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _unterminated(what: str, text: str, start: int, file: Optional[str]) -> SqlSyntaxError:
    line, column = line_and_column(text, start)
    return SqlSyntaxError(f"unterminated {what}", file=file, line=line, column=column)


def end_of_string(text: str, start: int, file: Optional[str] = None) -> int:
    """`start` is at the opening quote; returns the index after the closing one."""
    pos = start + 1
    while True:
        stop = _STRING_STOP.search(text, pos)
        if stop is None:
            raise _unterminated("quoted string", text, start, file)
        at = stop.start()
        if text[at] == "\\":
            pos = at + 2  # the escaped character, whatever it is
        elif text.startswith("'", at + 1):
            pos = at + 2  # '' is a quote inside the string
        else:
            return at + 1


def end_of_quoted_identifier(text: str, start: int, file: Optional[str] = None) -> int:
    pos = start + 1
    while True:
        at = text.find('"', pos)
        if at < 0:
            raise _unterminated('quoted identifier (")', text, start, file)
        if not text.startswith('"', at + 1):
            return at + 1
        pos = at + 2


def end_of_line_comment(text: str, start: int) -> int:
    end = _LINE_END.search(text, start)
    return len(text) if end is None else end.start()


def end_of_block_comment(text: str, start: int, file: Optional[str] = None) -> int:
    depth = 0
    for mark in _BLOCK_COMMENT_MARK.finditer(text, start):
        depth += 1 if mark.group() == "/*" else -1
        if depth == 0:
            return mark.end()
    raise _unterminated("block comment (/*)", text, start, file)


def dollar_tag_at(text: str, start: int) -> Optional[str]:
    """The `$tag$` opening a dollar quote at `start`, a position where a token begins,
    or None if that `$` means something else (a parameter, a lone `$`)."""
    match = _DOLLAR_TAG.match(text, start)
    return match.group() if match else None


def continues_identifier(text: str, boundary: int, start: int) -> bool:
    """True if the `$` at `start` belongs to an identifier, so it cannot open a dollar
    quote: lexes the run of identifier characters before it the way scan.l does, from
    `boundary` at the earliest (a position known to begin a token)."""
    run = start
    while run > boundary and _IDENT_CHAR.match(text, run - 1):
        run -= 1
    pos = run
    while pos < start:
        char = text[pos]
        if char == "$":  # a parameter ($1), or a lone `$`
            param = _PARAM.match(text, pos, start)
            pos = param.end() if param else pos + 1
        elif "0" <= char <= "9":
            pos = _DIGITS.match(text, pos, start).end()  # type: ignore[union-attr]
        else:  # a letter, `_` or non-ASCII: an identifier that runs through the `$`
            return True
    return False


def end_of_dollar_quote(text: str, start: int, tag: str, file: Optional[str] = None) -> int:
    close = text.find(tag, start + len(tag))
    if close < 0:
        raise _unterminated(f"dollar-quoted string ({tag})", text, start, file)
    return close + len(tag)


def skip_quoted(text: str, pos: int, file: Optional[str] = None) -> Optional["tuple[str, int]"]:
    """If a string, identifier, comment or dollar quote starts at `pos` (where a token
    begins), its kind and end."""
    char = text[pos]
    if char == "'":
        return "string", end_of_string(text, pos, file)
    if char == '"':
        return "ident", end_of_quoted_identifier(text, pos, file)
    if char == "-" and text.startswith("--", pos):
        return "comment", end_of_line_comment(text, pos)
    if char == "/" and text.startswith("/*", pos):
        return "comment", end_of_block_comment(text, pos, file)
    if char == "$":
        tag = dollar_tag_at(text, pos)
        if tag is not None:
            return "dollar", end_of_dollar_quote(text, pos, tag, file)
    return None


def tokenize(sql: str, file: Optional[str] = None) -> Iterator[Token]:
    """Every token of `sql`, whitespace and comments included, so the texts joined give
    `sql` back exactly. E'...' is one string token."""
    pos = 0
    end = len(sql)
    while pos < end:
        char = sql[pos]
        if char in "'\"-/$":
            quoted = skip_quoted(sql, pos, file)
            if quoted is not None:
                kind, stop = quoted
                yield Token(kind, sql[pos:stop], pos)
                pos = stop
                continue
        elif (
            char in "Ee"
            and sql.startswith("'", pos + 1)
            and (pos == 0 or not _IDENT_CHAR.match(sql, pos - 1))
        ):
            stop = end_of_string(sql, pos + 1, file)
            yield Token("string", sql[pos:stop], pos)
            pos = stop
            continue
        operator = _OPERATOR.match(sql, pos)
        if operator is not None:
            stop = pos + _operator_length(operator.group())
            yield Token("op", sql[pos:stop], pos)
            pos = stop
            continue
        match = _PLAIN.match(sql, pos)
        assert match is not None  # the last alternative matches any character
        yield Token(match.lastgroup or "op", match.group(), pos)
        pos = match.end()


def _operator_length(run: str) -> int:
    """How much of a run of operator characters is one operator (scan.l's rules)."""
    length = len(run)
    for opener in ("/*", "--"):
        at = run.find(opener)
        if 0 < at < length:
            length = at
    if (
        length > 1
        and run[length - 1] in "+-"
        and not _OPERATOR_KEEPS_SIGN.intersection(run[:length])
    ):
        while length > 1 and run[length - 1] in "+-":
            length -= 1
    return length


_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_BACKSLASH = re.compile(r"\\(x[0-9A-Fa-f]{1,2}|[0-7]{1,3}|.)|''", re.S)


def string_value(token: str) -> str:
    """The value of a string literal token as Redshift reads it: '' is a quote, and a
    backslash escapes the next character (\\n \\t \\b \\f \\r, octal \\ooo and hex \\xhh
    too). https://docs.aws.amazon.com/redshift/latest/dg/r_Literals.html
    """
    body = token[2:-1] if token[:1] in "Ee" else token[1:-1]

    def unescape(match: "re.Match[str]") -> str:
        escaped = match.group(1)
        if escaped is None:
            return "'"
        if escaped[0] == "x" and len(escaped) > 1:
            return chr(int(escaped[1:], 16))
        if escaped[0] in "01234567":
            return chr(int(escaped, 8))
        return _ESCAPES.get(escaped, escaped)

    return _BACKSLASH.sub(unescape, body)


def quote_string(value: str) -> str:
    """A literal that reads back as `value` under the rules above."""
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"
