"""The statement splitter on adversarial input: every place a `;` can hide."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sqlrunner.errors import SqlSyntaxError
from sqlrunner.lexer import quote_string, string_value, tokenize
from sqlrunner.splitter import iter_statements, split


def texts(sql):
    return [statement.text for statement in split(sql, "f.sql")]


@pytest.mark.parametrize(
    "sql, expected",
    [
        ("SELECT 1", ["SELECT 1"]),
        ("SELECT 1;", ["SELECT 1"]),
        ("SELECT 1;SELECT 2", ["SELECT 1", "SELECT 2"]),
        ("  SELECT 1 ;\n\n  SELECT 2 ;  \n", ["SELECT 1", "SELECT 2"]),
        (";;; ;\n;", []),
        ("", []),
        ("-- only a comment; with a semicolon", []),
        ("/* a; */ -- b;\n", []),
        ("SELECT 1; -- trailing; comment\n", ["SELECT 1"]),
        ("-- header\n-- more\nSELECT 1", ["SELECT 1"]),
        ("SELECT 'a;b'", ["SELECT 'a;b'"]),
        ("SELECT 'it''s; fine'", ["SELECT 'it''s; fine'"]),
        ("SELECT 'back\\'slash; quote'", ["SELECT 'back\\'slash; quote'"]),
        (
            "SELECT 'ends with backslash\\\\'; SELECT 2",
            ["SELECT 'ends with backslash\\\\'", "SELECT 2"],
        ),
        ("SELECT E'\\'; still string'", ["SELECT E'\\'; still string'"]),
        ('SELECT 1 AS "a;""b"', ['SELECT 1 AS "a;""b"']),
        (
            "SELECT 1 /* outer /* inner; */ still; */ ; SELECT 2",
            ["SELECT 1 /* outer /* inner; */ still; */", "SELECT 2"],
        ),
        ("SELECT 1 -- x; y\n; SELECT 2", ["SELECT 1 -- x; y", "SELECT 2"]),
        ("SELECT $$a;b$$", ["SELECT $$a;b$$"]),
        ("SELECT $fn$ a; $$ b; $x$ $fn$; SELECT 2", ["SELECT $fn$ a; $$ b; $x$ $fn$", "SELECT 2"]),
        ("SELECT col$1, $1; SELECT 2", ["SELECT col$1, $1", "SELECT 2"]),
        ("SELECT a$$b; SELECT 2", ["SELECT a$$b", "SELECT 2"]),
        ("SELECT 1\r\n;\r\nSELECT 2\r\n", ["SELECT 1", "SELECT 2"]),
        ("\ufeffSELECT 1", ["SELECT 1"]),
        (
            "SELECT '-- not a comment;'; SELECT '/* nor this; */'",
            ["SELECT '-- not a comment;'", "SELECT '/* nor this; */'"],
        ),
        ("SELECT 2-1; SELECT 4/2", ["SELECT 2-1", "SELECT 4/2"]),
        # PostgreSQL's scanner (and Redshift's): a CR ends a -- comment ...
        (
            "UPDATE t SET x = 1 WHERE id = 1 -- c\r OR true; SELECT 2",
            ["UPDATE t SET x = 1 WHERE id = 1 -- c\r OR true", "SELECT 2"],
        ),
        ("SELECT 1 -- c;\rSELECT 2", ["SELECT 1 -- c;\rSELECT 2"]),
        # ... non-ASCII characters are identifier characters, so `$` after one is too ...
        ("SELECT €$$; SELECT 1 $$ ; $$", ["SELECT €$$", "SELECT 1 $$ ; $$"]),
        ("SELECT x😀$$; SELECT 2", ["SELECT x😀$$", "SELECT 2"]),
        ("SELECT $😀$ ; $😀$; SELECT 2", ["SELECT $😀$ ; $😀$", "SELECT 2"]),
        # ... a dollar quote may follow another, a number or a parameter directly ...
        ("SELECT $a$x$a$$b$y;$b$; SELECT 2", ["SELECT $a$x$a$$b$y;$b$", "SELECT 2"]),
        ("SELECT 1$q$;$q$, $1$r$;$r$; SELECT 2", ["SELECT 1$q$;$q$, $1$r$;$r$", "SELECT 2"]),
        # ... and a no-break space is not a blank: it belongs to the identifier
        ("SELECT a\xa0; \xa0;", ["SELECT a\xa0", "\xa0"]),
    ],
)
def test_split(sql, expected):
    assert texts(sql) == expected


def test_procedure_body_in_dollar_quotes_is_one_statement():
    sql = """
CREATE OR REPLACE PROCEDURE p() AS $$
BEGIN
  INSERT INTO t VALUES (1);
  RAISE INFO 'done; really';
END;
$$ LANGUAGE plpgsql;
CALL p();
"""
    result = texts(sql)
    assert len(result) == 2
    assert result[0].startswith("CREATE OR REPLACE PROCEDURE") and result[0].endswith("plpgsql")
    assert result[1] == "CALL p()"


def test_positions_count_lines_and_columns_of_the_first_token():
    sql = "-- header\nSELECT 1;\r\n/* c */   SELECT\n  2;\n\n\n  -- x\n  INSERT INTO t VALUES (1)"
    statements = split(sql, "f.sql")
    assert [(s.index, s.line, s.column) for s in statements] == [(1, 2, 1), (2, 3, 11), (3, 8, 3)]
    assert statements[1].first_line == "SELECT"


def test_bom_does_not_shift_columns():
    assert split("\ufeffSELECT 1", "f.sql")[0].column == 1


@pytest.mark.parametrize(
    "sql, where, what",
    [
        ("SELECT 'abc", "1:8", "unterminated quoted string"),
        ("SELECT 1;\nSELECT 'it''s", "2:8", "unterminated quoted string"),
        ("SELECT 'x\\'", "1:8", "unterminated quoted string"),
        ('SELECT "abc', "1:8", 'unterminated quoted identifier (")'),
        ("SELECT 1;\n  /* a /* b */", "2:3", "unterminated block comment (/*)"),
        ("SELECT $$ abc", "1:8", "unterminated dollar-quoted string ($$)"),
        ("SELECT $tag$ abc $other$", "1:8", "unterminated dollar-quoted string ($tag$)"),
        ("SELECT 1;\r\nSELECT E'\\'", "2:9", "unterminated quoted string"),
    ],
)
def test_unterminated_tokens_name_file_line_and_column(sql, where, what):
    with pytest.raises(SqlSyntaxError) as caught:
        split(sql, "sql/x/bad.sql")
    assert str(caught.value) == f"sql/x/bad.sql:{where}: {what}"
    assert caught.value.exit_code == 2


def test_tokenize_gives_the_text_back_and_classifies():
    sql = "SELECT E'a\\'b', 'c''d', \"x\"\"y\", $q$;$q$, 1.5e3, a::int -- c\n/* d */;"
    tokens = list(tokenize(sql))
    assert "".join(token.text for token in tokens) == sql
    kinds = [(t.kind, t.text) for t in tokens if t.kind != "space"]
    assert ("string", "E'a\\'b'") in kinds
    assert ("string", "'c''d'") in kinds
    assert ("ident", '"x""y"') in kinds
    assert ("dollar", "$q$;$q$") in kinds
    assert ("number", "1.5e3") in kinds
    assert ("op", "::") in kinds
    assert ("comment", "-- c") in kinds
    assert ("comment", "/* d */") in kinds


@pytest.mark.parametrize(
    "literal, value",
    [
        ("'plain'", "plain"),
        ("'it''s'", "it's"),
        ("'it\\'s'", "it's"),
        ("'a\\\\b'", "a\\b"),
        ("'tab\\there'", "tab\there"),
        ("E'\\n'", "\n"),
        ("'\\101\\x42'", "AB"),
        ("'\\q'", "q"),
    ],
)
def test_string_value_reads_literals_as_redshift_does(literal, value):
    assert string_value(literal) == value


# Lexical units in which a `;` (or a quote character) must not end the statement.
_units = st.sampled_from(
    [
        "SELECT 1",
        "'a;b'",
        "'it''s;'",
        "'x\\';y'",
        "E'\\\\;'",
        '"col;""x"',
        "$$ ; $$",
        "$t$ ;$$; $t$",
        "/* ; /* ; */ ; */",
        "-- ;\n",
        "col$1",
        "$1",
        "2-1",
        "4/2",
        "\n",
        " ",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_units, min_size=1, max_size=8), min_size=1, max_size=6))
def test_split_recovers_generated_statements(statement_units):
    statements = ["SELECT " + " ".join(units) for units in statement_units]
    sql = ";\n".join(statements)
    assert texts(sql) == [s.rstrip() for s in statements]


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_quote_string_round_trips(value):
    literal = quote_string(value)
    tokens = list(tokenize(literal))
    assert [t.kind for t in tokens] == ["string"]
    assert string_value(literal) == value


def _chunked(text, cuts):
    points = sorted({cut % (len(text) + 1) for cut in cuts})
    return [text[a:b] for a, b in zip([0, *points], [*points, len(text)])]


_TRICKY = (
    "\ufeff-- header; with $$ and 'quotes'\nSELECT 'it''s; a\\'b' AS \"x;\"\"y\";\r\n"
    "/* a /* nested; */ ; */ SELECT $tag$ ; $$ ; $tag$, col$1, $1 -- end;\n;"
    "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\n\n  -- only comment;\n"
    "INSERT INTO t VALUES (E'\\\\', '--', '/*');\n-- cr ends me\rSELECT €$$, $a$;$a$$b$;$b$, "
    "$" + "long_tag" * 40 + "$ ; $" + "long_tag" * 40 + "$"
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=10_000), max_size=12))
def test_streamed_chunks_split_exactly_as_the_whole_text(cuts):
    """However the input is cut into chunks (even inside quotes, comments, `--`, `''`,
    `$tag$` or a CRLF), the statements and their positions are the same."""
    assert list(iter_statements(_chunked(_TRICKY, cuts), "f.sql")) == split(_TRICKY, "f.sql")


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=200), max_size=6))
def test_streamed_errors_keep_their_file_position(cuts):
    bad = "SELECT 1;\n-- x\nSELECT 'ok';\n  SELECT $q$ never closed"
    with pytest.raises(SqlSyntaxError) as caught:
        list(iter_statements(_chunked(bad, cuts), "f.sql"))
    assert str(caught.value) == "f.sql:4:10: unterminated dollar-quoted string ($q$)"


@pytest.mark.parametrize("cut", [1, 100, 256, 299, 300, 301, 600, 604])
def test_a_dollar_tag_of_any_length_may_be_cut_between_chunks(cut):
    """A valid file with a 300-character tag, cut anywhere in the opening or closing tag
    (the 1 MiB chunk boundary of a real file falls anywhere)."""
    tag = "$" + "t" * 298 + "$"
    sql = f"SELECT {tag} ; {tag}; SELECT 2"
    at = len("SELECT ") + cut
    assert [s.text for s in iter_statements([sql[:at], sql[at:]], "f.sql")] == [
        f"SELECT {tag} ; {tag}",
        "SELECT 2",
    ]


def test_one_character_chunks():
    chunks = list(_TRICKY)
    assert list(iter_statements(chunks, "f.sql")) == split(_TRICKY, "f.sql")


def test_a_long_dollar_tag_across_the_first_mebibyte_of_a_real_file(tmp_path):
    from sqlrunner.source import CHUNK_BYTES, open_sql

    tag = "$" + "x" * 400 + "$"
    filler = "SELECT 1;\n" * ((CHUNK_BYTES - 200) // 10)
    path = tmp_path / "big.sql"
    path.write_text(filler + f"SELECT {tag} ; {tag};\nSELECT 2\n", encoding="utf-8")
    sql = open_sql(None, str(path), s3=None)
    statements = list(iter_statements(sql.chunks(), sql.location))
    assert statements[-2].text == f"SELECT {tag} ; {tag}"
    assert statements[-1].text == "SELECT 2"
