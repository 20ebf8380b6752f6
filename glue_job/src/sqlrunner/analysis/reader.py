"""A cursor over one statement's significant tokens (the runner's lexer, comments and
whitespace dropped), for the statements sqlglot leaves opaque: UNLOAD, COPY, Spectrum
DDL, ALTER TABLE ... ADD PARTITION, CALL, SET search_path (platform-facts: sqlglot
parses UNLOAD and CREATE EXTERNAL SCHEMA as `Command`).

Names come back as Redshift stores them: unquoted and quoted identifiers alike folded
to lower case, which is Redshift's behaviour unless `enable_case_sensitive_identifier`
is on. https://docs.aws.amazon.com/redshift/latest/dg/r_names.html
"""

from typing import List, Optional, Tuple

from ..lexer import Token, string_value, tokenize

_NAME_KINDS = ("word", "ident")


def identifier_value(token: Token) -> str:
    """The name a word or quoted-identifier token denotes, lower-cased."""
    if token.kind == "ident":
        return token.text[1:-1].replace('""', '"').lower()
    return token.text.lower()


class Reader:
    def __init__(self, text: str, file: Optional[str] = None) -> None:
        self.text = text
        self.tokens = _significant(text, file)
        self.pos = 0

    @property
    def at_end(self) -> bool:
        return self.pos >= len(self.tokens)

    def peek(self, ahead: int = 0) -> Optional[Token]:
        at = self.pos + ahead
        return self.tokens[at] if at < len(self.tokens) else None

    def word(self, ahead: int = 0) -> str:
        """The upper-cased keyword `ahead` tokens on, or '' if that token is not a word."""
        token = self.peek(ahead)
        return token.text.upper() if token is not None and token.kind == "word" else ""

    def accept(self, *words: str) -> bool:
        """Consume `words` if the next tokens are exactly these keywords."""
        if all(self.word(i) == word for i, word in enumerate(words)):
            self.pos += len(words)
            return True
        return False

    def accept_op(self, op: str) -> bool:
        token = self.peek()
        if token is not None and token.kind == "op" and token.text == op:
            self.pos += 1
            return True
        return False

    def name(self) -> Optional[Tuple[str, ...]]:
        """A possibly qualified name (`t`, `s.t`, `db.s.t`, `"Q".t`, `#temp`), lower-cased."""
        token = self.peek()
        if token is None or token.kind not in _NAME_KINDS:
            return None
        parts = [identifier_value(token)]
        self.pos += 1
        while self.accept_op("."):
            token = self.peek()
            if token is None or token.kind not in _NAME_KINDS:
                return None
            parts.append(identifier_value(token))
            self.pos += 1
        return tuple(parts)

    def names(self) -> List[Tuple[str, ...]]:
        """A comma-separated list of names."""
        found = []
        while True:
            name = self.name()
            if name is None:
                break
            found.append(name)
            if not self.accept_op(","):
                break
        return found

    def string(self) -> Optional[str]:
        token = self.peek()
        if token is None or token.kind != "string":
            return None
        self.pos += 1
        return string_value(token.text)

    def skip_group(self) -> bool:
        """Skip a parenthesised group, nested ones included, if one starts here."""
        if not self.accept_op("("):
            return False
        depth = 1
        while depth and not self.at_end:
            token = self.tokens[self.pos]
            if token.kind == "op" and token.text in "()":
                depth += 1 if token.text == "(" else -1
            self.pos += 1
        return True

    def rest(self) -> str:
        """The statement's text from the next token on."""
        token = self.peek()
        return "" if token is None else self.text[token.start :]

    def top_level(self) -> List[Tuple[int, Token]]:
        """The remaining tokens outside parentheses, with their indexes."""
        found, depth = [], 0
        for at in range(self.pos, len(self.tokens)):
            token = self.tokens[at]
            if token.kind == "op" and token.text == "(":
                depth += 1
            elif token.kind == "op" and token.text == ")":
                depth -= 1
            elif depth == 0:
                found.append((at, token))
        return found

    def seek(self, at: int) -> None:
        self.pos = at

    def strings(self) -> List[str]:
        """Every string literal's value from here to the end, nested ones included."""
        return [string_value(t.text) for t in self.tokens[self.pos :] if t.kind == "string"]


def _significant(text: str, file: Optional[str]) -> List[Token]:
    """Tokens without spaces and comments; `#` glued to the word after it is one name
    (`#stage` is a temporary table)."""
    tokens: List[Token] = []
    for token in tokenize(text, file):
        if token.kind in ("space", "comment"):
            continue
        previous = tokens[-1] if tokens else None
        if (
            token.kind == "word"
            and previous is not None
            and previous.kind == "op"
            and previous.text == "#"
            and previous.start + 1 == token.start
        ):
            tokens[-1] = Token("word", "#" + token.text, previous.start)
            continue
        tokens.append(token)
    return tokens
