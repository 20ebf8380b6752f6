"""The splitter against PostgreSQL's own scanner (pglast = libpg_query, a dev dependency):
on generated SQL, both find the same statements with the same texts.

pglast scans as PostgreSQL does with standard_conforming_strings on, where a backslash in
'...' is an ordinary character; Redshift (and this splitter) read it as an escape, so
generated plain strings hold no backslash (E'...' strings, escaped in both, do). Number
and identifier units are kept apart by blanks, since PostgreSQL 15+ refuses `1abc` as
"trailing junk" where Redshift reads two tokens.
"""

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sqlrunner.splitter import split

pglast_parser = pytest.importorskip(
    "pglast.parser", reason="pglast (dev dependency, Python 3.10+) is not installed here"
)

SPACE = " \t\n\r\f"

# Lexical units, each valid on its own in PostgreSQL and Redshift, several hiding a `;`.
_CODE_UNITS = [
    "SELECT",
    "a",
    "col$1",
    "a$$b",
    "€uro",
    "x😀",
    "café",
    "a\xa0b",  # a no-break space continues an identifier
    "$1",
    "1",
    "1.5",
    "'a;b'",
    "'it''s; ok'",
    "''",
    "E'\\\\;'",
    "E'\\';'",
    '"col;""x"',
    '"€;"',
    "$$ ; $$",
    "$t$ ;$$; $t$",
    "$€$ ; $€$",
    "$😀$;$😀$",
    "$a$x;$a$$b$y;$b$",  # two dollar quotes touching
    "1$q$;$q$",  # a dollar quote right after a number
    "$1$q$;$q$",  # ... and after a parameter
    "+",
    "-",
    "::",
    ",",
    "(",
    ")",
]
_GAPS = [" ", "\n", "\t", "\r\n", "\r", "\f", "  "]
_COMMENTS = [
    "-- c;\n",
    "-- c;\r",  # a CR ends a -- comment in PostgreSQL and Redshift
    "/* a ; /* b; */ ; */",
    "/**/",
    "--\n",
]


@st.composite
def sql_texts(draw):
    statements = []
    for _ in range(draw(st.integers(1, 5))):
        parts = []
        for _ in range(draw(st.integers(1, 8))):
            if draw(st.integers(0, 4)) == 0:
                parts.append(draw(st.sampled_from(_COMMENTS)))
            else:
                parts.append(draw(st.sampled_from(_CODE_UNITS)))
            parts.append(draw(st.sampled_from(_GAPS)))
        statements.append("".join(parts))
    separators = st.sampled_from([";", ";\n", " ;\r\n", ";;", "; -- x;\n", ";/* ; */"])
    text = statements[0]
    for statement in statements[1:]:
        text += draw(separators) + statement
    return text + draw(st.sampled_from(["", ";", ";\n", "; -- end\r"]))


def statements_by_postgresql(text):
    """Statement texts as PostgreSQL's scanner delimits them: from the first token that is
    not a comment to the `;` that ends it, trailing blanks trimmed."""
    found, first = [], None
    for token in pglast_parser.scan(text):
        if token.name == "ASCII_59":
            if first is not None:
                found.append(text[first : token.start].rstrip(SPACE))
            first = None
        elif first is None and token.name not in ("SQL_COMMENT", "C_COMMENT"):
            first = token.start
    if first is not None:
        found.append(text[first:].rstrip(SPACE))
    return found


@settings(max_examples=500, deadline=None)
@given(sql_texts())
@example("UPDATE t SET x = 1 WHERE id = 1 -- c\r OR true; SELECT 2")
@example("SELECT €$$; SELECT 1 $$ ; $$")
@example("SELECT $a$x$a$$b$y;$b$; SELECT 2")
@example("SELECT a\xa0; \xa0; SELECT 1")
@example("SELECT 1$q$;$q$; SELECT $1$r$;$r$")
def test_statements_agree_with_postgresql(text):
    assert [s.text for s in split(text, "f.sql")] == statements_by_postgresql(text)
