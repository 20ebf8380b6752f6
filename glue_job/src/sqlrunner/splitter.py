"""Split a SQL file into statements at the semicolons that end them.

A semicolon ends a statement only outside strings, quoted identifiers, comments and
dollar quotes (lexer.py has the rules). The last statement counts without a trailing
semicolon, empty and comment-only pieces are skipped, and a statement's text starts at
its first token that is not a comment, so log lines show the SQL rather than the
comment above it.

Speed matters for 50 MB files: the scan jumps from one character that could change
the lexical state (`' " - / $ ;`) to the next with one regex search, so plain SQL is
skipped at C speed.
"""

import re
from typing import List, NamedTuple, Optional

from .lexer import skip_quoted

BOM = "\ufeff"
_INTERESTING = re.compile(r"['\";$]|--|/\*")
_CODE = re.compile(r"\S")


class Statement(NamedTuple):
    index: int  # 1-based position among the file's statements
    text: str  # trimmed, without the terminating ';'
    line: int  # where the statement's first token is (1-based)
    column: int
    offset: int  # character offset of that token in the file's text

    @property
    def first_line(self) -> str:
        return self.text.split("\n", 1)[0].rstrip()


def split(text: str, file: Optional[str] = None) -> List[Statement]:
    """The statements of `text`. Raises SqlSyntaxError (file:line:col) on an
    unterminated string, identifier, block comment or dollar quote."""
    if text.startswith(BOM):
        text = text[len(BOM) :]
    pieces = []  # (offset of the first code character, end offset)
    code_start = -1  # first non-comment, non-space character of the current statement
    pos = 0
    end = len(text)
    while pos < end:
        match = _INTERESTING.search(text, pos)
        stop = match.start() if match else end
        if code_start < 0:
            code = _CODE.search(text, pos, stop)
            if code:
                code_start = code.start()
        if match is None:
            break
        if text[stop] == ";":
            if code_start >= 0:
                pieces.append((code_start, stop))
            code_start = -1
            pos = stop + 1
            continue
        quoted = skip_quoted(text, stop, file)
        if quoted is None:  # a `$` that is not a dollar quote
            if code_start < 0:
                code_start = stop
            pos = stop + 1
            continue
        kind, after = quoted
        if kind != "comment" and code_start < 0:
            code_start = stop
        pos = after
    if code_start >= 0:
        pieces.append((code_start, end))
    statements = []
    line, line_start, counted_to = 1, 0, 0  # line numbers counted incrementally: O(n)
    for index, (start, stop) in enumerate(pieces, 1):
        line += text.count("\n", counted_to, start)
        newline = text.rfind("\n", counted_to, start)
        if newline >= 0:
            line_start = newline + 1
        counted_to = start
        column = start - line_start + 1
        statements.append(Statement(index, text[start:stop].rstrip(), line, column, start))
    return statements
