"""Typed parameters: what each type accepts, and every way a value is refused."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sqlrunner.errors import ParamError
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


def _shape(sql, start, end):
    """Token structure of `sql` with the value's span [start, end) collapsed to VALUE:
    tokens inside the span become one marker, a token enclosing it keeps only its kind,
    and a token straddling a boundary is recorded as such (it means the value merged
    with the SQL around it)."""
    shape = []
    for token in tokenize(sql):
        stop = token.start + len(token.text)
        if token.kind == "space":
            continue
        if start <= token.start and stop <= end:
            if shape[-1:] != ["VALUE"]:
                shape.append("VALUE")
        elif token.start < start and stop > end:
            shape.append((token.kind, "enclosing"))
        elif token.start < end and stop > start:
            shape.append((token.kind, "straddling"))
        else:
            shape.append((token.kind, token.text if token.kind in ("word", "op") else ""))
    return shape


_TEMPLATES = [
    "SELECT * FROM t WHERE d = '${v}'",
    "SELECT * FROM t WHERE d = ${v} AND x = 1",
    "UNLOAD ('SELECT 1 WHERE d = ''${v}''') TO 's3://b/${v}/'",
    'SELECT "${v}" FROM t',
    "SELECT $$${v}$$",
    "-- ${v}\nSELECT 1",
]


@settings(max_examples=400, deadline=None)
@given(
    kind=st.sampled_from(sorted(TYPES)),
    template=st.sampled_from(_TEMPLATES),
    value=st.one_of(
        st.text(max_size=40),
        st.text(alphabet="'\";-/*$\\ \n\t{}()=.:0123456789abcxyzS3s", max_size=40),
        st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", fullmatch=True),
        st.from_regex(r"s3://[a-z0-9][a-z0-9.-]{2,8}/[A-Za-z0-9/*=().!_-]{0,12}", fullmatch=True),
    ),
)
def test_a_value_never_changes_the_shape_of_a_statement(kind, template, value):
    """Property: whatever value is offered, either it is refused, or the rendered
    statement has exactly the template's token structure, one token per placeholder."""
    sql = f"-- @param v {kind}\n" + template
    at = sql.index("${v}")
    good = str(VALID[kind][0])
    reference = render(sql, {"v": good}, "f.sql")
    try:
        rendered = render(sql, {"v": value}, "f.sql")
    except ParamError:
        return
    text = str(value)
    assert _shape(rendered, at, at + len(text)) == _shape(reference, at, at + len(good))
