"""Reading one Redshift statement token by token, and writing SQL back safely.

The adapter never matches regular expressions against raw SQL (a quote or comment can
hide anything); it walks the lexer's tokens with a cursor that skips whitespace and
comments, so keywords are compared as words and literals are decoded the way Redshift
reads them. SQL the adapter writes itself quotes every name and value it did not
choose with `ident` and `literal`, which read the same whatever the session's
standard_conforming_strings is.
"""

from typing import List, Optional, Sequence, Tuple

from sqlrunner.errors import EmulationError
from sqlrunner.lexer import Token, string_value, tokenize

_INSIGNIFICANT = ("space", "comment")


def significant(sql: str) -> List[Token]:
    return [token for token in tokenize(sql) if token.kind not in _INSIGNIFICANT]


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def qualified(schema: Optional[str], name: str) -> str:
    return f"{ident(schema)}.{ident(name)}" if schema else ident(name)


def literal(value: str) -> str:
    """An escape-string literal: the same value with or without standard_conforming_strings."""
    return "E'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def name_of(token: Token) -> str:
    """An identifier as PostgreSQL resolves it: unquoted words fold to lower case."""
    if token.kind == "ident":
        return token.text[1:-1].replace('""', '"')
    return token.text.lower()


class Words:
    """A cursor over the significant tokens of one statement."""

    def __init__(self, sql: str, what: str = "statement") -> None:
        self.sql = sql
        self.what = what  # names the statement in syntax errors, e.g. "UNLOAD"
        self.tokens = significant(sql)
        self.pos = 0

    # --- looking

    def peek(self, offset: int = 0) -> Optional[Token]:
        at = self.pos + offset
        return self.tokens[at] if at < len(self.tokens) else None

    def word(self, offset: int = 0) -> str:
        """The upper-cased keyword at `offset`, or '' if the token there is not a word."""
        token = self.peek(offset)
        return token.text.upper() if token is not None and token.kind == "word" else ""

    def at(self, *words: str) -> bool:
        return all(self.word(i) == word for i, word in enumerate(words))

    def at_op(self, op: str) -> bool:
        token = self.peek()
        return token is not None and token.kind == "op" and token.text == op

    @property
    def done(self) -> bool:
        return self.pos >= len(self.tokens)

    # --- consuming

    def take(self) -> Token:
        token = self.peek()
        if token is None:
            raise self.error("unexpected end of statement")
        self.pos += 1
        return token

    def accept(self, *words: str) -> bool:
        if self.at(*words):
            self.pos += len(words)
            return True
        return False

    def accept_op(self, op: str) -> bool:
        if self.at_op(op):
            self.pos += 1
            return True
        return False

    def expect(self, *words: str) -> None:
        if not self.accept(*words):
            raise self.error(f"expected {' '.join(words)}")

    def expect_op(self, op: str) -> None:
        if not self.accept_op(op):
            raise self.error(f"expected '{op}'")

    def name(self) -> str:
        token = self.peek()
        if token is None or token.kind not in ("word", "ident"):
            raise self.error("expected a name")
        self.pos += 1
        return name_of(token)

    def qualified_name(self) -> Tuple[Optional[str], str]:
        """`name`, `schema.name` or `database.schema.name` (the database is dropped)."""
        parts = [self.name()]
        while self.accept_op("."):
            parts.append(self.name())
        if len(parts) > 3:
            raise self.error("too many dots in a name")
        return (parts[-2] if len(parts) > 1 else None), parts[-1]

    def string(self) -> str:
        token = self.peek()
        if token is None or token.kind != "string":
            raise self.error("expected a quoted string")
        self.pos += 1
        return string_value(token.text)

    def number(self) -> str:
        token = self.peek()
        if token is None or token.kind != "number":
            raise self.error("expected a number")
        self.pos += 1
        return token.text

    def group(self) -> List[Token]:
        """The tokens between a '(' at the cursor and its matching ')'."""
        self.expect_op("(")
        start, depth = self.pos, 1
        while True:
            token = self.take()
            if token.kind == "op" and token.text == "(":
                depth += 1
            elif token.kind == "op" and token.text == ")":
                depth -= 1
                if depth == 0:
                    return self.tokens[start : self.pos - 1]

    def names_in_parens(self) -> List[str]:
        names = []
        for item in split_top_level(self.group()):
            if len(item) != 1 or item[0].kind not in ("word", "ident"):
                raise self.error("expected a list of column names")
            names.append(name_of(item[0]))
        return names

    def rest(self) -> str:
        """The statement's text from the cursor on."""
        token = self.peek()
        return self.sql[token.start :] if token is not None else ""

    def error(self, message: str) -> EmulationError:
        token = self.peek()
        near = f" at or near {token.text[:40]!r}" if token is not None else " at end of statement"
        return EmulationError(f"{self.what}: {message}{near}")


def split_top_level(tokens: Sequence[Token], separator: str = ",") -> List[List[Token]]:
    """Tokens split at `separator` outside parentheses (column lists, option lists)."""
    items: List[List[Token]] = [[]]
    depth = 0
    for token in tokens:
        if token.kind == "op" and token.text == "(":
            depth += 1
        elif token.kind == "op" and token.text == ")":
            depth -= 1
        if depth == 0 and token.kind == "op" and token.text == separator:
            items.append([])
        else:
            items[-1].append(token)
    return [item for item in items if item]


def text_of(sql: str, tokens: Sequence[Token]) -> str:
    """The original text spanned by `tokens` (comments and spaces between them included)."""
    if not tokens:
        return ""
    last = tokens[-1]
    return sql[tokens[0].start : last.start + len(last.text)]
