"""Typed parameters: what each type accepts, and every way a value is refused."""

import contextlib
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sqlrunner.errors import ParamError, SqlSyntaxError
from sqlrunner.lexer import tokenize
from sqlrunner.params import TYPES, parse_declarations, parse_values, render, validate

VALID = {
    "date": ["2026-11-25", "2024-02-29", "0001-01-01", "9999-12-31"],
    "timestamp": [
        "2026-11-25 02:00:00",
        "2026-11-25T02:00:00",
        "2026-11-25T02:00:00.123456",
        "2026-11-25T02:00:00Z",
        "2026-11-25T02:00:00+00:00",
        "2026-11-25 23:59:59-05:30",
    ],
    "integer": ["0", "-1", "42", "9223372036854775807", "-9223372036854775808", 7, -3],
    "identifier": [
        "reviews",
        "_tmp",
        "Staging$1",
        "analytics.reviews",
        "db.schema.table",
        "a" * 127,
        "etl.stl_x",  # a system prefix names a catalog table only unqualified
        "etl.table",  # after a dot, any word is a name
        "public_data",
        "trueish",
        "users",
    ],
    "s3_uri": [
        "s3://my-bucket",
        "s3://my-bucket/",
        "s3://my.bucket-2/reports/run_date=2026-11-25/",
        "s3://abc/a/b(c)/d!e*f_g.h=i",
    ],
}

INVALID = {
    "date": [
        "2026-02-30",
        "2026-13-01",
        "2026-1-01",
        "26-11-25",
        "2026-11-25 ",
        " 2026-11-25",
        "2026-11-25'",
        "2026-11-25;",
        "2026-11-25' OR '1'='1",
        "２０２６-11-25",  # full-width digits
        "2026-11-2\u0665",  # Arabic-Indic digit five
        "0000-01-01",
        "",
        20261125,
        None,
        True,
    ],
    "timestamp": [
        "2026-11-25",
        "2026-11-25 24:00:00",
        "2026-11-25 12:60:00",
        "2026-11-25 12:00:00.1234567",
        "2026-11-25 12:00:00+15:00",
        "2026-11-25 12:00:00 UTC",
        "2026-11-25 12:00:00'--",
    ],
    "integer": [
        "01",
        "1.0",
        "1e3",
        "+1",
        " 1",
        "9223372036854775808",
        "-9223372036854775809",
        "1; DROP TABLE x",
        "\u0661",  # Arabic-Indic one
        "-0",  # one spelling per value: 0
        "-01",
        True,
        1.5,
        "",
    ],
    "identifier": [
        "1abc",
        "a-b",
        "a b",
        'a"b',
        "a;b",
        "a--b",
        "a.b.c.d",
        ".a",
        "a.",
        "a" * 128,
        "ｒeviews",  # full-width r
        "rеviews",  # Cyrillic e
        "",
        "reviews/*",
        # names the database reads as something else (sqlrunner/names.py)
        "TRUE",
        "null",
        "current_user",
        "PUBLIC",
        "user",
        "select.x",
        "stl_query",
        "SVV_TABLE_INFO",
        "pg_user",
        "pg_catalog.pg_user",
        "dev.pg_catalog.pg_user",
        "information_schema.tables",
        "pg_temp_1.t",
    ],
    "s3_uri": [
        "s3://Bucket/x",
        "s3://b/x",
        "s3://-bucket/x",
        "http://bucket/x",
        "s3://bucket/it's",
        "s3://bucket/a b",
        "s3://bucket/a;b",
        "s3://bucket/a--b",
        "s3://bucket/a/*b",
        "s3://bucket/a*/b",
        "s3://bucket/../x",
        "s3://bucket/${x}",
        "s3://bucket/a\\b",
        "s3://bucket/" + "k" * 1020,
        "s3://bucket/é",
    ],
}


@pytest.mark.parametrize("kind, value", [(k, v) for k, values in VALID.items() for v in values])
def test_valid_values_are_accepted(kind, value):
    assert validate(kind, value) == str(value)


@pytest.mark.parametrize("kind, value", [(k, v) for k, values in INVALID.items() for v in values])
def test_invalid_values_are_refused(kind, value):
    assert validate(kind, value) is None


HEADER = """-- Load one day.
--
-- @param run_date date
-- @param target identifier default reviews
-- @param top_n integer default 10

"""


def test_render_substitutes_values_and_defaults():
    sql = HEADER + "DELETE FROM ${target} WHERE d = '${run_date}' LIMIT ${top_n};"
    rendered = render(sql, {"run_date": "2026-11-25", "top_n": 3}, "f.sql")
    assert rendered.endswith("DELETE FROM reviews WHERE d = '2026-11-25' LIMIT 3;")
    assert rendered.count("\n") == sql.count("\n")  # line numbers survive rendering


def test_placeholders_inside_string_literals_are_substituted():
    sql = (
        "-- @param d date\nUNLOAD ('SELECT * FROM t WHERE d = ''${d}''') TO 's3://b/run_date=${d}/'"
    )
    assert "''2026-01-02''" in render(sql, {"d": "2026-01-02"}, "f.sql")
    assert "s3://b/run_date=2026-01-02/" in render(sql, {"d": "2026-01-02"}, "f.sql")


@pytest.mark.parametrize(
    "values, message",
    [
        ({}, "f.sql:3: parameter 'run_date' (date) has no value and no default"),
        (
            {"run_date": "2026-11-31"},
            "f.sql:3: value of parameter 'run_date' is not a date YYYY-MM-DD",
        ),
        (
            {"run_date": "2026-11-25", "extra": 1},
            "f.sql: parameter(s) 'extra' given but not declared",
        ),
        (
            {"run_date": "2026-11-25", "top_n": "ten"},
            "f.sql:5: value of parameter 'top_n' is not a 64-bit integer",
        ),
        (
            {"run_date": "2026-11-25", "target": "x; DROP TABLE y"},
            "f.sql:4: value of parameter 'target' is not an unquoted identifier",
        ),
    ],
)
def test_bad_values_name_the_parameter_and_line(values, message):
    sql = HEADER + "SELECT '${run_date}', ${top_n} FROM ${target}"
    with pytest.raises(ParamError) as caught:
        render(sql, values, "f.sql")
    assert str(caught.value).startswith(message)
    assert caught.value.exit_code == 2


@pytest.mark.parametrize(
    "sql, message",
    [
        ("SELECT ${nope}", "f.sql:1: placeholder ${nope} is not declared with -- @param"),
        ("SELECT 1;\n\nSELECT ${Bad Name}", "f.sql:3: malformed placeholder ${Bad Name}"),
        ("SELECT '${oops'", "f.sql:1: unclosed placeholder"),
        (
            "-- @param d date\nSELECT 1;\n-- @param e date\n",
            "f.sql:3: @param declarations belong in the header",
        ),
        ("-- @param d date\n-- @param d date\n", "f.sql:2: parameter 'd' is declared twice"),
        ("-- @param d datetime\n", "f.sql:1: parameter 'd' has unknown type 'datetime'"),
        ("-- @param D date\n", "f.sql:1: parameter name 'D' must be lower-case"),
        (
            "-- @param d date default 2026-02-30\n",
            "f.sql:1: default of parameter 'd' is not a date",
        ),
        (
            "-- @param d date 2026-01-01\n",
            "f.sql:1: expected '-- @param <name> <type> [default <value>]'",
        ),
    ],
)
def test_bad_declarations_and_placeholders_are_refused(sql, message):
    with pytest.raises(ParamError) as caught:
        render(sql, {}, "f.sql")
    assert str(caught.value).startswith(message)


def test_declarations_come_from_the_header_only():
    declarations = parse_declarations(HEADER + "SELECT 1", "f.sql")
    assert list(declarations) == ["run_date", "target", "top_n"]
    assert declarations["top_n"].default == "10"
    assert declarations["run_date"].line == 3


@pytest.mark.parametrize(
    "raw, message",
    [
        ("{not json", "--params is not valid JSON"),
        ("[1, 2]", "--params must be a JSON object"),
        ('"2026-11-25"', "--params must be a JSON object"),
    ],
)
def test_params_json_must_be_an_object(raw, message):
    with pytest.raises(ParamError, match=message.replace("[", r"\[")):
        parse_values(raw)


def test_empty_params_mean_none():
    assert parse_values("") == {} and parse_values("{}") == {}


def test_render_leaves_text_between_statements_as_run_does():
    """`run` substitutes placeholders in statements only; `render` shows the same."""
    sql = "-- @param d date\nSELECT '${d}';\n-- between: ${not_a_param}\nSELECT 2 -- in: ${d}\n"
    assert render(sql, {"d": "2026-01-02"}, "f.sql") == (
        "-- @param d date\nSELECT '2026-01-02';\n-- between: ${not_a_param}\n"
        "SELECT 2 -- in: 2026-01-02\n"
    )


@pytest.mark.parametrize(
    "raw, message",
    [
        ('{"d": "2026-01-01", "d": "2026-01-02"}', "--params gives parameter 'd' twice"),
        ('{"d": ' + "[" * 100_000 + "]" * 100_000 + "}", "--params is nested too deeply"),
        ("[" * 100_000, "--params is nested too deeply"),
    ],
)
def test_duplicate_keys_and_deep_nesting_are_refused_not_crashed_on(raw, message):
    with pytest.raises(ParamError, match=message):
        parse_values(raw)


# The defects the shape check exists for, each as reported (issue 14, item 6).
@pytest.mark.parametrize(
    "sql, values, message",
    [
        (
            "-- @param keep integer\nDELETE FROM t WHERE id > 0 -${keep} AND tenant = 'acme'",
            {"keep": -5},
            "f.sql:2: value of parameter 'keep' would change the statement's structure: "
            "`FROM t WHERE id > 0 -${keep} AND tenant = 'acme'` would read "
            "`FROM t WHERE id > 0 --5 AND tenant = 'acme'`, a comment where the "
            "template has none; nothing was run",
        ),
        (
            "-- @param t identifier\n"
            "CREATE FUNCTION f() RETURNS int AS $$\n  SELECT count(*) FROM ${t}\n$$ LANGUAGE sql",
            {"t": "a$$b"},
            "f.sql:3: value of parameter 't' would change the statement's structure",
        ),
        (
            "-- @param u s3_uri\nSELECT 1 /*${u}*/",
            {"u": "s3://bucket/reports/"},
            "f.sql:2: value of parameter 'u' would change the statement's structure",
        ),
        (
            "-- @param n integer\nSELECT @${n}",
            {"n": -5},
            "f.sql:2: value of parameter 'n' would change the statement's structure",
        ),
        (
            "-- @param a s3_uri\n-- @param b integer\nSELECT ${a}${b} AND x",
            {"a": "s3://bucket/x-", "b": -1},
            "f.sql:3: value of parameters 'a', 'b' would change the statement's structure",
        ),
    ],
)
def test_values_that_would_merge_with_the_sql_around_them_are_refused(sql, values, message):
    with pytest.raises(ParamError) as caught:
        render(sql, values, "f.sql")
    assert str(caught.value).startswith(message)
    assert caught.value.exit_code == 2


@pytest.mark.parametrize(
    "sql, values, rendered",
    [
        ("-- @param n integer\nSELECT 0 - ${n}", {"n": -5}, "SELECT 0 - -5"),
        ("-- @param n integer\nSELECT 0 -${n}", {"n": 5}, "SELECT 0 -5"),
        ("-- @param n integer\nSELECT t_${n}", {"n": 12}, "SELECT t_12"),
        (
            "-- @param u s3_uri\nSELECT 1 /* ${u} */",
            {"u": "s3://b-1/x/"},
            "SELECT 1 /* s3://b-1/x/ */",
        ),
        ("-- @param t identifier\nSELECT $$ ${t} $$", {"t": "a$b"}, "SELECT $$ a$b $$"),
    ],
)
def test_values_that_keep_the_shape_are_substituted(sql, values, rendered):
    assert render(sql, values, "f.sql").endswith(rendered)


# ---------------------------------------------------------------- the property
#
# Templates put a placeholder in every lexical context (code after or before any
# operator or word character, strings, E-strings, quoted identifiers, dollar bodies, line
# and block comments), values come from each type's own grammar plus the edge values
# that merge with their neighbours. Whenever the runner accepts a value, PostgreSQL's
# scanner (pglast, when installed; else this package's lexer) must see the statement
# with the same token structure as with a plain value of the type (the reference).

try:
    from pglast.parser import scan as _pg_scan
except ImportError:  # Python 3.9 (make test-py39): pglast needs 3.10+
    _pg_scan = None

_CONTEXTS = [
    ("", ""),
    ("-", ""),
    ("- ", ""),
    ("+", ""),
    ("*", ""),
    ("/", ""),
    ("@", ""),
    ("<", ""),
    ("|", ""),
    ("=", ""),
    ("t_", ""),
    ("", "_t"),
    ("x.", ""),
    ("", ".y"),
    ("", "-"),
    ("", "*"),
    ("", "*/ "),
    ("", "$"),
    ("$", ""),
    ("'", "'"),
    ("'a", "b'"),
    ("E'", "'"),
    ('"', '"'),
    ("$$", "$$"),
    ("$$ ", " $$"),
    ("$q$", "$q$"),
    ("-- ", "\n"),
    ("--", "\r"),
    ("/*", "*/"),
    ("/* ", " */"),
    ("/*", " /* */ */"),
    ("(", ")"),
]
_EDGES = {
    "date": ["2015-06-01", "2024-02-29"],
    "timestamp": ["2015-06-01 00:00:00", "2015-06-01T00:00:00Z", "2015-06-01T00:00:00-05:00"],
    "integer": [-5, -1, 0, 7, -9223372036854775808],
    "identifier": ["a$", "a$$b", "x$1", "a.b", "a.b.c", "_", "z$$"],
    "s3_uri": [
        "s3://bucket/",
        "s3://bucket/x/",
        "s3://bucket/x*",
        "s3://bucket/x-",
        "s3://b-1/(a)",
    ],
}


def _shapes(actual, spans, reference, reference_spans):
    """The token structures of the rendered statement and of the reference, with each
    value's text masked: by PostgreSQL's scanner when pglast is here and reads both (it
    refuses `1abc`, which Redshift reads as two tokens), else by this package's lexer."""
    if _pg_scan is not None:
        with contextlib.suppress(Exception):  # pglast refused one: judge both by our lexer
            return _mask(actual, _pg_tokens(actual), spans), _mask(
                reference, _pg_tokens(reference), reference_spans
            )
    return _own(actual, spans), _own(reference, reference_spans)


# PostgreSQL's scanner reads an integer too big for int4 as FCONST: the same token (a
# number), whose kind only says how the server will store it. A value that straddles a
# token with its neighbour (`${v}${w}`) makes such a number out of a plain one.
_SAME_TOKEN = {"FCONST": "ICONST"}


def _pg_tokens(sql):
    return [(t.start, t.end + 1, _SAME_TOKEN.get(t.name, t.name)) for t in _pg_scan(sql)]


def _own(sql, spans):
    try:
        tokens = [(t.start, t.start + len(t.text), t.kind) for t in tokenize(sql)]
    except SqlSyntaxError:  # an unterminated token: the shape is broken
        return None
    return _mask(sql, [t for t in tokens if t[2] != "space"], spans)


def _mask(sql, tokens, spans):
    shape = []
    for start, end, kind in tokens:
        inside = [i for i, (a, b) in enumerate(spans) if a <= start and end <= b]
        if inside:
            marker = ("VALUE", inside[0])
            if shape[-1:] != [marker]:
                shape.append(marker)
            continue
        text, done = "", start
        for i, (a, b) in enumerate(spans):
            if start < b and end > a:
                text += (
                    sql[done : max(a, start)]
                    + f"<{i}{'(' if a < start else ''}{')' if b > end else ''}>"
                )
                done = min(b, end)
        shape.append((kind, text + sql[done:end]))
    return shape


def _fill(template, values):
    out, spans = "", []
    pieces = template.split("${")
    out = pieces[0]
    for piece in pieces[1:]:
        name, rest = piece.split("}", 1)
        value = str(values[name])
        spans.append((len(out), len(out) + len(value)))
        out += value + rest
    return out, spans


@st.composite
def _cases(draw):
    kinds = [draw(st.sampled_from(sorted(TYPES))) for _ in range(2)]
    values = {}
    for name, kind in zip("vw", kinds):
        values[name] = draw(
            st.one_of(
                st.sampled_from(_EDGES[kind]),
                st.from_regex(TYPES[kind].pattern).filter(lambda v, k=kind: validate(k, v)),
                st.text(alphabet="'\";-/*$\\ {}().:0123456789abcxyzS3s", max_size=12),
            )
        )
    opener, closer = draw(st.sampled_from(_CONTEXTS))
    middle = draw(st.sampled_from(["", " ", "-", "$", "/", "*"]))
    placeholder = "${v}" + (middle + "${w}" if draw(st.booleans()) else "")
    template = f"SELECT 1 {opener}{placeholder}{closer} AND z = 'k'"
    header = "".join(f"-- @param {name} {kind}\n" for name, kind in zip("vw", kinds))
    return header, template, values, {n: TYPES[k].reference for n, k in zip("vw", kinds)}


def _holds(header, template, values, references):
    """Either the value is refused, or the statement PostgreSQL reads has the token
    structure it has with a plain value of the type."""
    try:
        rendered = render(header + template, values, "f.sql")
    except ParamError:
        return True
    except SqlSyntaxError:  # the template itself does not split (e.g. `$` `$$` openers)
        return True
    body = rendered[len(header) :]
    _, spans = _fill(template, values)
    reference, reference_spans = _fill(template, references)
    actual_shape, reference_shape = _shapes(body, spans, reference, reference_spans)
    return actual_shape == reference_shape


@settings(max_examples=600, deadline=None)
@given(_cases())
def test_a_value_never_changes_the_shape_of_a_statement(case):
    assert _holds(*case), case


def test_adjacent_values_making_one_big_number_keep_the_shape():
    """Hypothesis found it: `${v}${w}` with a date and an integer ends in one number token
    holding the end of one value and all of the other, an int8 with these values and an
    int4 with the reference ones; both are one numeric constant."""
    assert _holds(
        "-- @param v date\n-- @param w integer\n",
        "SELECT 1 ${v}${w} AND z = 'k'",
        {"v": "2024-02-29", "w": "10000000"},
        {"v": "2000-01-01", "w": "1"},
    )


def test_every_edge_value_in_every_context():
    """The same property, exhaustively over the edge values and contexts: this finds
    `-${n}` with n = -5, an identifier with `$` in `$$...$$` and an S3 URI ending in `/`
    in `/*...*/` whatever the random draw."""
    broken = []
    for (opener, closer), kind in itertools.product(_CONTEXTS, sorted(TYPES)):
        header = f"-- @param v {kind}\n"
        template = f"SELECT 1 {opener}${{v}}{closer} AND z = 'k'"
        for value in _EDGES[kind]:
            if not _holds(header, template, {"v": value}, {"v": TYPES[kind].reference}):
                broken.append((template, value))
    assert broken == []
