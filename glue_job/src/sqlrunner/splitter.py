"""Split SQL text into statements at the semicolons that end them.

A semicolon ends a statement only outside strings, quoted identifiers, comments and
dollar quotes (lexer.py has the rules). The last statement counts without a trailing
semicolon, empty and comment-only pieces are skipped, and a statement's text starts at
its first token that is not a comment, so log lines show the SQL rather than the
comment above it; the comments before it are kept apart (`lead`), where `-- @check`
directives live.

The scanner reads its input as a stream of chunks and holds only the statement it is
in, so a 50 MB file costs memory for its largest statement, not for the file. It jumps
from one character that could change the lexical state (`' " - / $ ;`) to the next with
one regex search, so plain SQL is skipped at C speed. Near the end of a chunk it asks
for the next one before deciding anything (a `--` or a `$tag$` may be cut in two, and
a tag may be of any length).
"""

import re
from typing import Iterable, Iterator, List, NamedTuple, Optional

from .errors import SqlSyntaxError
from .lexer import DOLLAR_TAG_PREFIX, IDENT_CONT, SPACE, continues_identifier, skip_quoted

BOM = "\ufeff"
_INTERESTING = re.compile(r"['\";$]|--|/\*")
_CODE = re.compile(f"[^{SPACE}]")
_IDENTIFIER_REST = re.compile(f"[{IDENT_CONT}]*")
# Characters past a token's end read before deciding on it (a `''` or `*/` cut between
# chunks); a dollar tag's opener is read to its end whatever its length.
_LOOKAHEAD = 256


class Statement(NamedTuple):
    index: int  # 1-based position among the file's statements
    text: str  # trimmed, without the terminating ';'
    line: int  # where the statement's first token is (1-based)
    column: int
    offset: int  # character offset of that token in the file's text
    lead: str = ""  # the comments and blanks between the previous statement and this one

    @property
    def first_line(self) -> str:
        return self.text.split("\n", 1)[0].rstrip(SPACE)


def split(text: str, file: Optional[str] = None) -> List[Statement]:
    """Every statement of `text`. Raises SqlSyntaxError (file:line:col) on an
    unterminated string, identifier, block comment or dollar quote."""
    return list(iter_statements([text], file))


def iter_statements(chunks: Iterable[str], file: Optional[str] = None) -> Iterator[Statement]:
    """The statements of the text made of `chunks`, one at a time."""
    return iter(StatementReader(chunks, file))


class _Window:
    """The input seen so far, minus what has been handed out. `start` is where the
    current statement's region begins in `text`; `line`/`column` are the position of
    text[start] in the whole input and `line0`/`column0` that of text[0], so statements
    and lexer errors carry file positions. Consumed text is cut off only when a chunk is
    appended, so handing out a statement never copies the rest of the window."""

    def __init__(self, chunks: Iterable[str]) -> None:
        self._chunks = iter(chunks)
        self.text = ""
        self.start = 0
        self.eof = False
        self.offset = 0  # position of text[0] in the whole input
        self.line = self.line0 = 1
        self.column = self.column0 = 1
        self._first = True

    def more(self) -> Optional[int]:
        """Append the next chunk, cutting off consumed text first; returns how far
        positions in `text` moved left, or None at the end of the input."""
        for chunk in self._chunks:
            if self._first and chunk:
                self._first = False
                chunk = chunk[len(BOM) :] if chunk.startswith(BOM) else chunk
            if not chunk:
                continue
            shift = self.start
            self.text = self.text[shift:] + chunk
            self.offset += shift
            self.start = 0
            self.line0, self.column0 = self.line, self.column
            return shift
        self.eof = True
        return None

    def position(self, at: int) -> "tuple[int, int]":
        """Line and column of text[at] (at >= start) in the whole input."""
        newlines = self.text.count("\n", self.start, at)
        if not newlines:
            return self.line, self.column + at - self.start
        return self.line + newlines, at - self.text.rfind("\n", self.start, at)

    def drop(self, upto: int) -> None:
        """The current statement's region now begins at text[upto]."""
        self.line, self.column = self.position(upto)
        self.start = upto

    def relocated(self, error: SqlSyntaxError) -> SqlSyntaxError:
        """An error the lexer located from text[0], located in the whole input."""
        if error.line is not None and error.column is not None:
            if error.line == 1:
                error.column += self.column0 - 1
            error.line += self.line0 - 1
        return error


class StatementReader:
    """The statements of the text made of `chunks`, one at a time; once they are all
    read, `trailing` is what followed the last one (comments and blanks only), starting
    on line `trailing_line`."""

    def __init__(self, chunks: Iterable[str], file: Optional[str] = None) -> None:
        self._chunks = chunks
        self.file = file
        self.trailing = ""
        self.trailing_line = 1

    def __iter__(self) -> Iterator[Statement]:
        file = self.file
        window = _Window(self._chunks)
        window.more()
        index = 0
        pos = 0  # where scanning resumes in window.text
        boundary = 0  # a position known to begin a token, for telling what a `$` is
        code_start = -1  # first non-comment, non-space character of the current statement
        while True:
            text = window.text
            match = _INTERESTING.search(text, pos)
            if match is None:
                stop, char = len(text), ""
            else:
                stop = match.start()
                char = text[stop]
            quoted = None
            reach = stop  # how far the token at `stop` may reach, as far as read
            absorbed = -1  # where an identifier running through the `$` at `stop` ends
            if char == "$" and continues_identifier(text, boundary, stop):
                absorbed = reach = _IDENTIFIER_REST.match(text, stop).end()  # type: ignore[union-attr]
            elif char and char != ";":
                try:
                    quoted = skip_quoted(text, stop, file)
                except SqlSyntaxError as error:
                    if window.eof:
                        raise window.relocated(error) from None
                    quoted = (None, len(text))  # may close in a later chunk
                if quoted is not None:
                    reach = quoted[1]
                elif char == "$":
                    reach = DOLLAR_TAG_PREFIX.match(text, stop).end()  # type: ignore[union-attr]
            # Decide nothing within reach of the window's end until the input is exhausted:
            # an opener, a closing quote or a comment's end may be cut between chunks.
            if not window.eof and (match is None or reach + _LOOKAHEAD > len(text)):
                shift = window.more()
                if shift is not None:
                    pos -= shift
                    boundary -= shift
                    code_start = code_start - shift if code_start >= 0 else -1
                continue
            if code_start < 0:
                code = _CODE.search(text, pos, stop)
                if code:
                    code_start = code.start()
            if match is None:
                break
            if char == ";":
                if code_start >= 0:
                    index += 1
                    yield _statement(window, index, code_start, stop)
                window.drop(stop + 1)
                pos = boundary = stop + 1
                code_start = -1
                continue
            if quoted is None:  # a `$` in a word, a parameter ($1) or a lone `$`
                if code_start < 0:
                    code_start = stop
                if absorbed >= 0:
                    pos = boundary = absorbed
                else:
                    pos, boundary = stop + 1, stop
                continue
            kind, after = quoted
            if kind != "comment" and code_start < 0:
                code_start = stop
            pos = boundary = after
        if code_start >= 0:
            index += 1
            yield _statement(window, index, code_start, len(window.text))
        else:
            self.trailing = window.text[window.start :]
            self.trailing_line = window.line


def _statement(window: _Window, index: int, start: int, stop: int) -> Statement:
    line, column = window.position(start)
    text = window.text
    return Statement(
        index,
        text[start:stop].rstrip(SPACE),
        line,
        column,
        window.offset + start,
        text[window.start : start],
    )
