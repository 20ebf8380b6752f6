"""The one parameter-type table (sqlrunner.params.TYPES) as the Airflow trigger form and
the spec loader read it: each type's JSON Schema accepts exactly what the runner accepts.

jsonschema validates patterns with Python's re.search, the browser with ECMA-262; the
patterns are written in the subset both read alike, which node checks when it is here.
One documented difference: JSON Schema counts 1.0 as an integer, the runner takes only
numbers written without a fraction or exponent (a form sends integers as such).
"""

import datetime as dt
import json
import shutil
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sqlrunner.params import TYPES, json_schema, validate

jsonschema = pytest.importorskip("jsonschema")
CHECKER = jsonschema.FormatChecker()


def accepted_by_schema(kind, value):
    try:
        jsonschema.validate(value, json_schema(kind), format_checker=CHECKER)
    except jsonschema.ValidationError:
        return False
    return True


def _values(kind):
    spec = TYPES[kind]
    near = st.from_regex(spec.pattern)
    mutated = near.flatmap(
        lambda v: st.sampled_from([v + "\n", " " + v, v.upper(), v[:-1], v + "0", v + "."])
    )
    noise = st.text(alphabet="09-:.TZ+ s3:/_$aAbB\n", max_size=30)
    if spec.json_type == "integer":
        return st.one_of(st.integers(min_value=-(2**64), max_value=2**64), st.booleans())
    return st.one_of(near, mutated, noise, st.text(max_size=20))


@pytest.mark.parametrize("kind", sorted(TYPES))
def test_schema_and_runner_agree(kind):
    @settings(max_examples=400, deadline=None)
    @given(_values(kind))
    def agree(value):
        assert accepted_by_schema(kind, value) == (validate(kind, value) is not None), value

    agree()


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=dt.date(1, 1, 1)), st.booleans())
def test_the_date_grammar_is_the_calendar(day, shift):
    """Leap years included: every real date is accepted, every day after a month's end is not."""
    text = day.isoformat()
    assert validate("date", text) == text
    if shift:
        following = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        last = (following - dt.timedelta(days=1)).day
        bad = f"{day.year:04d}-{day.month:02d}-{last + 1:02d}"
        assert validate("date", bad) is None
        assert not accepted_by_schema("date", bad)


def test_numbers_with_a_fraction_are_not_integers_to_the_runner():
    assert validate("integer", 1.0) is None and validate("integer", 1.5) is None


def test_integers_are_bounded_to_64_bits_as_json_numbers_and_as_text():
    for value in (2**63, -(2**63) - 1):
        assert validate("integer", value) is None and not accepted_by_schema("integer", value)
        assert validate("integer", str(value)) is None
    assert validate("integer", 2**63 - 1) == str(2**63 - 1)


def test_the_old_form_pattern_hole_is_closed():
    """The trigger form took `s3://bad bucket/x`: its pattern was not anchored."""
    assert not accepted_by_schema("s3_uri", "s3://bad bucket/x")
    assert not accepted_by_schema("s3_uri", "s3://bucket/x\n")


NODE_CHECK = """
const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const out = cases.map(([pattern, value]) => ['u', 'v'].map(
  (flag) => new RegExp(pattern, flag).test(value)));
process.stdout.write(JSON.stringify(out));
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed: ECMA-262 check")
def test_patterns_mean_the_same_to_javascript():
    """What a browser's form does with each pattern (u and v flags) is what Python does."""
    samples = {
        "date": ["2024-02-29", "2023-02-29", "0000-01-01", "2026-13-01", "2026-01-01\n"],
        "timestamp": ["2026-11-25 02:00:00", "2026-11-25T02:00:00.123456+14:00", "2026-11-25"],
        "identifier": ["reviews", "TRUE", "etl.table", "stl_query", "pg_catalog.t", "a$b"],
        "s3_uri": ["s3://bucket/x/", "s3://bad bucket/x", "s3://b/x", "s3://bucket/a--b"],
    }
    cases = [(TYPES[k].pattern, v) for k, values in samples.items() for v in values]
    done = subprocess.run(
        ["node", "-e", NODE_CHECK],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    expected = [[validate(k, v) is not None] * 2 for k, values in samples.items() for v in values]
    assert json.loads(done.stdout) == expected
