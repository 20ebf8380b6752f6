"""The compat schema: Redshift's functions, aggregates and operators as SQL objects in the
local database, so PostgreSQL itself evaluates them with Redshift's semantics.

Why a schema of SQL objects rather than rewriting every call: a call keeps its place in
the statement (views, defaults and procedure bodies that use it keep working), and
PostgreSQL's own type resolution picks the overload, as Redshift's does. The schema sits
on the search_path after the user's schemas (`"$user", public, redshift_compat`, with
pg_catalog implicitly first as always): new tables are created where Redshift creates
them, and built-in types and functions keep their names. A function here that must replace
a built-in of the same signature (AVG(integer), REGEXP_REPLACE(text, text, text),
DATE_PART(text, timestamp)...) is called by its qualified name: the translator rewrites
those calls (translate.QUALIFIED).

Every object is a row below citing the AWS page it follows. Bodies name pg_catalog and
this schema explicitly, so they mean the same whatever the session's search_path; simple
SQL bodies are inlined by the planner (the text comparison operators become bpchar
comparisons, which keep hash and merge joins). Installed once per database and version
(`install`), under an advisory lock, with CREATE OR REPLACE so views and defaults that
use an object survive an upgrade.

Hand-written because nothing maintained provides it: sqlglot rewrites calls into
PostgreSQL expressions whose semantics differ (DATEDIFF through AGE, STRING_AGG with
WITHIN GROUP, GETDATE as CURRENT_TIMESTAMP), and no extension emulates Redshift.
"""

import hashlib
from typing import Any, List, NamedTuple, Sequence, Tuple

from . import load_history
from .functions import DOCS
from .words import literal

SCHEMA = "redshift_compat"
# Redshift's default search_path is "$user", public (r_search_path.html).
DEFAULT_PATH = ('"$user"', "public")
LOCK_KEY = 0x52534354  # pg_advisory_xact_lock key serialising installs ("RSCT")


class Definition(NamedTuple):
    name: str  # the Redshift function/operator it implements (upper case)
    sql: str
    doc: str


def search_path(schemas: Sequence[str]) -> str:
    """The search_path value for the user's `schemas`: theirs, then the emulation's (this
    compat schema, and load_history's STL_LOAD_ERRORS and pg_last_copy_count()). pg_catalog
    stays implicitly first, as in Redshift, so a user table named `date` never hides the
    type; compat objects with a built-in's exact signature are called by their qualified
    name (translate.py: QUALIFIED)."""
    ours = (SCHEMA, load_history.SCHEMA)
    kept = [s for s in schemas if s.strip('"').lower() not in ours]
    return ", ".join([*kept, *ours])


def _f(name: str, page: str, sql: str) -> Definition:
    return Definition(name, sql.strip(), DOCS + page + ".html")


_IMM = "LANGUAGE sql IMMUTABLE PARALLEL SAFE"
_STABLE = "LANGUAGE sql STABLE PARALLEL SAFE"
_S = SCHEMA

# Redshift's datepart names and abbreviations -> the canonical name
# (r_Dateparts_for_datetime_functions.html).
DATEPARTS = {
    "millennium": "millennium millennia mil mils",
    "century": "century centuries c cent cents",
    "decade": "decade decades dec decs",
    "epoch": "epoch",
    "year": "year years y yr yrs",
    "quarter": "quarter quarters qtr qtrs",
    "month": "month months mon mons",
    "week": "week weeks w",
    "dow": "dayofweek dow dw weekday",
    "doy": "dayofyear doy dy yearday",
    "day": "day days d",
    "hour": "hour hours h hr hrs",
    "minute": "minute minutes m min mins",
    "second": "second seconds s sec secs",
    "millisecond": (
        "millisecond milliseconds ms msec msecs msecond mseconds millisec millisecs millisecon"
    ),
    "microsecond": "microsecond microseconds microsec microsecs usecond useconds us usec usecs",
    "timezone": "timezone",
    "timezone_hour": "timezone_hour",
    "timezone_minute": "timezone_minute",
}
DATEPART_OF = {alias: part for part, aliases in DATEPARTS.items() for alias in aliases.split()}


def _datepart_case() -> str:
    whens = " ".join(
        f"WHEN {literal(alias)} THEN {literal(part)}" for alias, part in sorted(DATEPART_OF.items())
    )
    return f"CASE pg_catalog.lower(pg_catalog.btrim($1)) {whens} END"


def _cmp(name: str, page: str, left: str, right: str) -> Definition:
    return _f(
        name,
        page,
        f"""CREATE OR REPLACE FUNCTION {_S}.{name.lower()}({left}, {right}) RETURNS integer {_IMM}
        AS $f$ SELECT CASE WHEN $1 < $2 THEN -1 WHEN $1 > $2 THEN 1 ELSE 0 END $f$""",
    )


# Comparison operators and the type pairs that get Redshift's trailing-blank rule.
_COMPARISONS = (
    ("eq", "=", "=", "<>", "eqsel", "eqjoinsel"),
    ("ne", "<>", "<>", "=", "neqsel", "neqjoinsel"),
    ("lt", "<", ">", ">=", "scalarltsel", "scalarltjoinsel"),
    ("le", "<=", ">=", ">", "scalarlesel", "scalarlejoinsel"),
    ("gt", ">", "<", "<=", "scalargtsel", "scalargtjoinsel"),
    ("ge", ">=", "<=", "<", "scalargesel", "scalargejoinsel"),
)
_COMPARED = (
    ("character varying", "character varying"),
    ("character varying", "text"),
    ("text", "character varying"),
    ("character varying", "name"),
    ("name", "character varying"),
)


def _overloads(name: str, page: str, template: str, types: Sequence[str]) -> List[Definition]:
    return [_f(name, page, template.format(t=t)) for t in types]


DEFINITIONS: Tuple[Definition, ...] = (
    # ---------------------------------------------------------------- errors from SQL bodies
    _f(
        "DATEPART",
        "r_Dateparts_for_datetime_functions",
        f"""CREATE OR REPLACE FUNCTION {_S}.fail_bigint(text) RETURNS bigint LANGUAGE plpgsql
            IMMUTABLE
        AS $f$ BEGIN RAISE EXCEPTION '%', $1 USING ERRCODE = '22023'; END $f$""",
    ),
    _f(
        "DATEPART",
        "r_Dateparts_for_datetime_functions",
        f"""CREATE OR REPLACE FUNCTION {_S}.fail_interval(text) RETURNS interval LANGUAGE
            plpgsql IMMUTABLE
        AS $f$ BEGIN RAISE EXCEPTION '%', $1 USING ERRCODE = '22023'; END $f$""",
    ),
    # ---------------------------------------------------------------- dateparts
    _f(
        "DATEPART",
        "r_Dateparts_for_datetime_functions",
        f"""CREATE OR REPLACE FUNCTION {_S}.datepart(text) RETURNS text {_IMM}
        AS $f$ SELECT {_datepart_case()} $f$""",
    ),
    # ---------------------------------------------------------------- date and time
    _f(
        "GETDATE",
        "r_GETDATE",
        f"""CREATE OR REPLACE FUNCTION {_S}.getdate() RETURNS timestamp {_STABLE}
        AS $f$ SELECT pg_catalog.date_trunc('second',
            pg_catalog.statement_timestamp())::timestamp $f$""",
    ),
    _f(
        "DATEADD",
        "r_DATEADD_function",
        f"""CREATE OR REPLACE FUNCTION {_S}.interval_of(text, bigint) RETURNS interval {_IMM}
        AS $f$ SELECT CASE {_S}.datepart($1)
            WHEN 'millennium' THEN $2 * interval '1000 years'
            WHEN 'century' THEN $2 * interval '100 years'
            WHEN 'decade' THEN $2 * interval '10 years'
            WHEN 'year' THEN $2 * interval '1 year'
            WHEN 'quarter' THEN $2 * interval '3 months'
            WHEN 'month' THEN $2 * interval '1 month'
            WHEN 'week' THEN $2 * interval '7 days'
            WHEN 'day' THEN $2 * interval '1 day'
            WHEN 'hour' THEN $2 * interval '1 hour'
            WHEN 'minute' THEN $2 * interval '1 minute'
            WHEN 'second' THEN $2 * interval '1 second'
            WHEN 'millisecond' THEN $2 * interval '1 millisecond'
            WHEN 'microsecond' THEN $2 * interval '1 microsecond'
            ELSE {_S}.fail_interval('dateadd: the datepart is not valid: ' || $1) END $f$""",
    ),
    # Whole years from February 29 to a year without one land on March 1 (the page's usage
    # notes: dateadd(year, 1, '2016-02-29') is 2017-03-01; twelve months give 2017-02-28).
    *_overloads(
        "DATEADD",
        "r_DATEADD_function",
        f"""CREATE OR REPLACE FUNCTION {_S}.dateadd(text, bigint, {{t}}) RETURNS timestamp {_IMM}
        AS $f$ SELECT $3::timestamp + {_S}.interval_of($1, $2) + CASE
            WHEN {_S}.datepart($1) IN ('year', 'decade', 'century', 'millennium')
                AND pg_catalog.to_char($3::timestamp, 'MMDD') = '0229'
                AND pg_catalog.to_char($3::timestamp + {_S}.interval_of($1, $2), 'MMDD') = '0228'
            THEN interval '1 day' ELSE interval '0' END $f$""",
        ("timestamp", "date", "text"),
    ),
    *_overloads(
        "DATEADD",
        "r_DATEADD_function",
        f"""CREATE OR REPLACE FUNCTION {_S}.dateadd(text, bigint, {{t}}) RETURNS {{t}} {_STABLE}
        AS $f$ SELECT $3 + {_S}.interval_of($1, $2) $f$""",
        ("timestamptz", "time"),
    ),
    # A TIMETZ result is in UTC (the page: dateadd(hour, 2, timetz '13:24:55 PST') is
    # 23:24:55+00); PostgreSQL keeps the argument's offset.
    _f(
        "DATEADD",
        "r_DATEADD_function",
        f"""CREATE OR REPLACE FUNCTION {_S}.dateadd(text, bigint, timetz) RETURNS timetz {_STABLE}
        AS $f$ SELECT ($3 + {_S}.interval_of($1, $2)) AT TIME ZONE 'UTC' $f$""",
    ),
    _f(
        "DATEDIFF",
        "r_DATEDIFF_function",
        f"""CREATE OR REPLACE FUNCTION {_S}.datediff(text, timestamp, timestamp) RETURNS bigint
            {_IMM}
        AS $f$ SELECT CASE {_S}.datepart($1)
            WHEN 'millennium' THEN pg_catalog.date_part('millennium', $3) -
                pg_catalog.date_part('millennium', $2)
            WHEN 'century' THEN pg_catalog.date_part('century', $3) -
                pg_catalog.date_part('century', $2)
            WHEN 'decade' THEN pg_catalog.floor(pg_catalog.date_part('year', $3) / 10) -
                pg_catalog.floor(pg_catalog.date_part('year', $2) / 10)
            WHEN 'year' THEN pg_catalog.date_part('year', $3) - pg_catalog.date_part('year', $2)
            WHEN 'quarter' THEN (pg_catalog.date_part('year', $3) * 4 +
                pg_catalog.date_part('quarter', $3))
                - (pg_catalog.date_part('year', $2) * 4 + pg_catalog.date_part('quarter', $2))
            WHEN 'month' THEN (pg_catalog.date_part('year', $3) * 12 +
                pg_catalog.date_part('month', $3))
                - (pg_catalog.date_part('year', $2) * 12 + pg_catalog.date_part('month', $2))
            WHEN 'week' THEN (pg_catalog.date_trunc('week', $3)::date -
                pg_catalog.date_trunc('week', $2)::date) / 7
            WHEN 'day' THEN $3::date - $2::date
            WHEN 'hour' THEN pg_catalog.floor(pg_catalog.date_part('epoch',
                pg_catalog.date_trunc('hour', $3) - pg_catalog.date_trunc('hour', $2)) / 3600)
            WHEN 'minute' THEN pg_catalog.floor(pg_catalog.date_part('epoch',
                pg_catalog.date_trunc('minute', $3) - pg_catalog.date_trunc('minute', $2)) / 60)
            WHEN 'second' THEN pg_catalog.date_part('epoch', pg_catalog.date_trunc('second', $3)
                - pg_catalog.date_trunc('second', $2))
            WHEN 'millisecond' THEN pg_catalog.round(pg_catalog.date_part('epoch',
                pg_catalog.date_trunc('milliseconds', $3) -
                pg_catalog.date_trunc('milliseconds', $2)) * 1000)
            WHEN 'microsecond' THEN pg_catalog.round(pg_catalog.date_part('epoch', $3 - $2) *
                1000000)
            ELSE {_S}.fail_bigint('datediff: the datepart is not valid: ' || $1) END::bigint $f$""",
    ),
    *_overloads(
        "DATEDIFF",
        "r_DATEDIFF_function",
        f"""CREATE OR REPLACE FUNCTION {_S}.datediff(text, {{t}}, {{t}}) RETURNS bigint {_STABLE}
        AS $f$ SELECT {_S}.datediff($1, $2::timestamp, $3::timestamp) $f$""",
        ("date", "timestamptz", "text"),
    ),
    *_overloads(
        "DATEDIFF",
        "r_DATEDIFF_function",
        f"""CREATE OR REPLACE FUNCTION {_S}.datediff(text, {{t}}, {{t}}) RETURNS bigint {_IMM}
        AS $f$ SELECT {_S}.datediff($1, '2000-01-01'::date + $2::time, '2000-01-01'::date +
            $3::time) $f$""",
        ("time", "timetz"),
    ),
    *_overloads(
        "DATE_PART",
        "r_DATE_PART_function",
        f"""CREATE OR REPLACE FUNCTION {_S}.date_part(text, {{t}}) RETURNS double precision
            {_STABLE}
        AS $f$ SELECT CASE {_S}.datepart($1)
            WHEN 'decade' THEN pg_catalog.floor(pg_catalog.date_part('year', $2::timestamp) /
                10) + 1
            WHEN 'millisecond' THEN (pg_catalog.floor(pg_catalog.date_part('milliseconds',
                $2::timestamp))::bigint % 1000)::double precision
            WHEN 'microsecond' THEN (pg_catalog.floor(pg_catalog.date_part('microseconds',
                $2::timestamp))::bigint % 1000000)::double precision
            ELSE pg_catalog.date_part(COALESCE({_S}.datepart($1), $1), $2::timestamp) END $f$""",
        ("timestamp", "date", "text"),
    ),
    _f(
        "DATE_PART",
        "r_DATE_PART_function",
        f"""CREATE OR REPLACE FUNCTION {_S}.date_part(text, timestamptz) RETURNS double
            precision {_STABLE}
        AS $f$ SELECT pg_catalog.date_part(COALESCE({_S}.datepart($1), $1), $2) $f$""",
    ),
    *_overloads(
        "DATE_PART",
        "r_DATE_PART_function",
        f"""CREATE OR REPLACE FUNCTION {_S}.date_part(text, {{t}}) RETURNS double precision {_IMM}
        AS $f$ SELECT pg_catalog.date_part(COALESCE({_S}.datepart($1), $1), $2) $f$""",
        ("interval", "time", "timetz"),
    ),
    _f(
        "PGDATE_PART",
        "r_DATE_PART_function",
        f"""CREATE OR REPLACE FUNCTION {_S}.pgdate_part(text, timestamp) RETURNS double
            precision {_STABLE}
        AS $f$ SELECT {_S}.date_part($1, $2) $f$""",
    ),
    *_overloads(
        "EXTRACT",
        "r_EXTRACT_function",
        f"""CREATE OR REPLACE FUNCTION {_S}.extract_part(text, {{t}}) RETURNS integer {_STABLE}
        AS $f$ SELECT (CASE {_S}.datepart($1)
            WHEN 'decade' THEN pg_catalog.floor(pg_catalog.date_part('year', $2::timestamp) /
                10) + 1
            WHEN 'second' THEN pg_catalog.floor(pg_catalog.date_part('second', $2::timestamp))
            WHEN 'millisecond' THEN pg_catalog.floor(pg_catalog.date_part('milliseconds',
                $2::timestamp))::bigint % 1000
            WHEN 'microsecond' THEN pg_catalog.floor(pg_catalog.date_part('microseconds',
                $2::timestamp))::bigint % 1000000
            ELSE pg_catalog.floor(pg_catalog.date_part(COALESCE({_S}.datepart($1), $1),
                $2::timestamp)) END)::integer $f$""",
        ("timestamp", "date", "text"),
    ),
    *_overloads(
        "EXTRACT",
        "r_EXTRACT_function",
        f"""CREATE OR REPLACE FUNCTION {_S}.extract_part(text, {{t}}) RETURNS integer {_IMM}
        AS $f$ SELECT (CASE {_S}.datepart($1)
            WHEN 'second' THEN pg_catalog.floor(pg_catalog.date_part('second', $2))
            WHEN 'millisecond' THEN pg_catalog.floor(pg_catalog.date_part('milliseconds',
                $2))::bigint % 1000
            WHEN 'microsecond' THEN pg_catalog.floor(pg_catalog.date_part('microseconds',
                $2))::bigint % 1000000
            ELSE pg_catalog.floor(pg_catalog.date_part(COALESCE({_S}.datepart($1), $1), $2))
                END)::integer $f$""",
        ("time", "timetz"),
    ),
    _f(
        "EXTRACT",
        "r_EXTRACT_function",
        f"""CREATE OR REPLACE FUNCTION {_S}.extract_part(text, timestamptz) RETURNS double
            precision {_STABLE}
        AS $f$ SELECT pg_catalog.date_part(COALESCE({_S}.datepart($1), $1), $2) $f$""",
    ),
    _f(
        "EXTRACT",
        "r_EXTRACT_function",
        f"""CREATE OR REPLACE FUNCTION {_S}.extract_part(text, interval) RETURNS double
            precision {_IMM}
        AS $f$ SELECT pg_catalog.date_part(COALESCE({_S}.datepart($1), $1), $2) $f$""",
    ),
    *_overloads(
        "DATE_TRUNC",
        "r_DATE_TRUNC",
        f"""CREATE OR REPLACE FUNCTION {_S}.date_trunc(text, {{t}}) RETURNS timestamp {_STABLE}
        AS $f$ SELECT pg_catalog.date_trunc(COALESCE({_S}.datepart($1), $1), $2::timestamp) $f$""",
        ("timestamp", "date", "text"),
    ),
    _f(
        "DATE_TRUNC",
        "r_DATE_TRUNC",
        f"""CREATE OR REPLACE FUNCTION {_S}.date_trunc(text, timestamptz) RETURNS timestamptz
            {_STABLE}
        AS $f$ SELECT pg_catalog.date_trunc(COALESCE({_S}.datepart($1), $1), $2) $f$""",
    ),
    _f(
        "DATE_TRUNC",
        "r_DATE_TRUNC",
        f"""CREATE OR REPLACE FUNCTION {_S}.date_trunc(text, interval) RETURNS interval {_IMM}
        AS $f$ SELECT pg_catalog.date_trunc(COALESCE({_S}.datepart($1), $1), $2) $f$""",
    ),
    *_overloads(
        "TRUNC",
        "r_TRUNC_date",
        f"""CREATE OR REPLACE FUNCTION {_S}.trunc({{t}}) RETURNS date {_STABLE}
        AS $f$ SELECT $1::date $f$""",
        ("timestamp", "timestamptz", "date"),
    ),
    _f(
        "DATE_PART_YEAR",
        "r_DATE_PART_YEAR",
        f"""CREATE OR REPLACE FUNCTION {_S}.date_part_year(date) RETURNS integer {_IMM}
        AS $f$ SELECT pg_catalog.date_part('year', $1)::integer $f$""",
    ),
    _f(
        "LAST_DAY",
        "r_LAST_DAY",
        f"""CREATE OR REPLACE FUNCTION {_S}.last_day(timestamp) RETURNS date {_IMM}
        AS $f$ SELECT (pg_catalog.date_trunc('month', $1) + interval '1 month - 1 day')::date
            $f$""",
    ),
    *_overloads(
        "LAST_DAY",
        "r_LAST_DAY",
        f"""CREATE OR REPLACE FUNCTION {_S}.last_day({{t}}) RETURNS date {_STABLE}
        AS $f$ SELECT {_S}.last_day($1::timestamp) $f$""",
        ("date", "timestamptz", "text"),
    ),
    _f(
        "NEXT_DAY",
        "r_NEXT_DAY",
        f"""CREATE OR REPLACE FUNCTION {_S}.next_day(timestamp, text) RETURNS date {_IMM}
        AS $f$ SELECT $1::date + (((CASE
            WHEN pg_catalog.lower($2) IN ('su', 'sun', 'sunday') THEN 0
            WHEN pg_catalog.lower($2) IN ('m', 'mo', 'mon', 'monday') THEN 1
            WHEN pg_catalog.lower($2) IN ('tu', 'tue', 'tues', 'tuesday') THEN 2
            WHEN pg_catalog.lower($2) IN ('w', 'we', 'wed', 'wednesday') THEN 3
            WHEN pg_catalog.lower($2) IN ('th', 'thu', 'thurs', 'thursday') THEN 4
            WHEN pg_catalog.lower($2) IN ('f', 'fr', 'fri', 'friday') THEN 5
            WHEN pg_catalog.lower($2) IN ('sa', 'sat', 'saturday') THEN 6
            ELSE {_S}.fail_bigint('next_day: invalid day name: ' || $2) END
            - pg_catalog.date_part('dow', $1)::integer + 6) % 7) + 1)::integer $f$""",
    ),
    *_overloads(
        "NEXT_DAY",
        "r_NEXT_DAY",
        f"""CREATE OR REPLACE FUNCTION {_S}.next_day({{t}}, text) RETURNS date {_STABLE}
        AS $f$ SELECT {_S}.next_day($1::timestamp, $2) $f$""",
        ("date", "timestamptz", "text"),
    ),
    _f(
        "ADD_MONTHS",
        "r_ADD_MONTHS",
        f"""CREATE OR REPLACE FUNCTION {_S}.add_months(timestamp, bigint) RETURNS timestamp {_IMM}
        AS $f$ SELECT CASE WHEN $1::date = {_S}.last_day($1)
            THEN {_S}.last_day($1 + $2 * interval '1 month') + $1::time
            ELSE $1 + $2 * interval '1 month' END $f$""",
    ),
    *_overloads(
        "ADD_MONTHS",
        "r_ADD_MONTHS",
        f"""CREATE OR REPLACE FUNCTION {_S}.add_months({{t}}, bigint) RETURNS timestamp {_STABLE}
        AS $f$ SELECT {_S}.add_months($1::timestamp, $2) $f$""",
        ("date", "timestamptz", "text"),
    ),
    _f(
        "MONTHS_BETWEEN",
        "r_MONTHS_BETWEEN_function",
        f"""CREATE OR REPLACE FUNCTION {_S}.months_between(timestamp, timestamp) RETURNS double
            precision {_IMM}
        AS $f$ SELECT ((pg_catalog.date_part('year', $1) * 12 + pg_catalog.date_part('month', $1))
            - (pg_catalog.date_part('year', $2) * 12 + pg_catalog.date_part('month', $2))
            + CASE WHEN pg_catalog.date_part('day', $1) = pg_catalog.date_part('day', $2)
                OR ($1::date = {_S}.last_day($1) AND $2::date = {_S}.last_day($2)) THEN 0
              ELSE ((pg_catalog.date_part('day', $1) - pg_catalog.date_part('day', $2))
                + (pg_catalog.date_part('epoch', $1::time) - pg_catalog.date_part('epoch',
                    $2::time)) / 86400) / 31
              END)::double precision $f$""",
    ),
    *_overloads(
        "MONTHS_BETWEEN",
        "r_MONTHS_BETWEEN_function",
        f"""CREATE OR REPLACE FUNCTION {_S}.months_between({{t}}, {{t}}) RETURNS double
            precision {_STABLE}
        AS $f$ SELECT {_S}.months_between($1::timestamp, $2::timestamp) $f$""",
        ("date", "timestamptz", "text"),
    ),
    _f(
        "CONVERT_TIMEZONE",
        "CONVERT_TIMEZONE",
        f"""CREATE OR REPLACE FUNCTION {_S}.convert_timezone(text, text, timestamp) RETURNS
            timestamp {_IMM}
        AS $f$ SELECT ($3 AT TIME ZONE $1) AT TIME ZONE $2 $f$""",
    ),
    _f(
        "CONVERT_TIMEZONE",
        "CONVERT_TIMEZONE",
        f"""CREATE OR REPLACE FUNCTION {_S}.convert_timezone(text, text, text) RETURNS timestamp
            {_STABLE}
        AS $f$ SELECT {_S}.convert_timezone($1, $2, $3::timestamp) $f$""",
    ),
    *_overloads(
        "CONVERT_TIMEZONE",
        "CONVERT_TIMEZONE",
        f"""CREATE OR REPLACE FUNCTION {_S}.convert_timezone(text, {{t}}) RETURNS timestamp
            {_STABLE}
        AS $f$ SELECT {_S}.convert_timezone('UTC', $1, $2::timestamp) $f$""",
        ("timestamp", "text"),
    ),
    *[
        _cmp(name, page, left, right)
        for name, page, left, right in (
            ("DATE_CMP", "r_DATE_CMP", "date", "date"),
            ("DATE_CMP_TIMESTAMP", "r_DATE_CMP_TIMESTAMP", "date", "timestamp"),
            ("DATE_CMP_TIMESTAMPTZ", "r_DATE_CMP_TIMESTAMPTZ", "date", "timestamptz"),
            ("INTERVAL_CMP", "r_INTERVAL_CMP", "interval", "interval"),
            ("TIMESTAMP_CMP", "r_TIMESTAMP_CMP", "timestamp", "timestamp"),
            ("TIMESTAMP_CMP_DATE", "r_TIMESTAMP_CMP_DATE", "timestamp", "date"),
            (
                "TIMESTAMP_CMP_TIMESTAMPTZ",
                "r_TIMESTAMP_CMP_TIMESTAMPTZ",
                "timestamp",
                "timestamptz",
            ),
            ("TIMESTAMPTZ_CMP", "r_TIMESTAMPTZ_CMP", "timestamptz", "timestamptz"),
            ("TIMESTAMPTZ_CMP_DATE", "r_TIMESTAMPTZ_CMP_DATE", "timestamptz", "date"),
            (
                "TIMESTAMPTZ_CMP_TIMESTAMP",
                "r_TIMESTAMPTZ_CMP_TIMESTAMP",
                "timestamptz",
                "timestamp",
            ),
        )
    ],
    _f(
        "TO_TIMESTAMP",
        "r_TO_TIMESTAMP",
        f"""CREATE OR REPLACE FUNCTION {_S}.to_timestamp(timestamp, text) RETURNS timestamptz
        {_STABLE} AS $f$ SELECT pg_catalog.to_timestamp($1::text, $2) $f$""",
    ),
    _f(
        "TO_TIMESTAMP",
        "r_TO_TIMESTAMP",
        f"""CREATE OR REPLACE FUNCTION {_S}.to_timestamp(text, text, boolean) RETURNS timestamptz
        {_STABLE} AS $f$ SELECT pg_catalog.to_timestamp($1, $2) $f$""",
    ),
    _f(
        "TO_DATE",
        "r_TO_DATE_function",
        f"""CREATE OR REPLACE FUNCTION {_S}.to_date(text, text, boolean) RETURNS date {_STABLE}
        AS $f$ SELECT pg_catalog.to_date($1, $2) $f$""",
    ),
    # FM only pads output; PostgreSQL's to_number misreads input under it (12454 for
    # to_number('12,454.8-', 'FM99G999D9S'), which the page gives as -12454.8).
    _f(
        "TO_NUMBER",
        "r_TO_NUMBER",
        f"""CREATE OR REPLACE FUNCTION {_S}.to_number(text, text) RETURNS numeric {_IMM}
        AS $f$ SELECT pg_catalog.to_number($1, pg_catalog.replace(pg_catalog.upper($2), 'FM',
            '')) $f$""",
    ),
    _f(
        "TIMEOFDAY",
        "r_TIMEOFDAY_function",
        f"""CREATE OR REPLACE FUNCTION {_S}.timeofday() RETURNS varchar LANGUAGE sql VOLATILE
        AS $f$ SELECT pg_catalog.timeofday()::varchar $f$""",
    ),
    # ---------------------------------------------------------------- math
    # DOUBLE PRECISION whatever the argument (PostgreSQL keeps NUMERIC for a NUMERIC one).
    _f(
        "SQRT",
        "r_SQRT",
        f"""CREATE OR REPLACE FUNCTION {_S}.sqrt(double precision) RETURNS double precision
        {_IMM} AS $f$ SELECT pg_catalog.sqrt($1) $f$""",
    ),
    *[
        _f(
            name,
            "r_POWER",
            f"""CREATE OR REPLACE FUNCTION {_S}.{name.lower()}(double precision, double precision)
            RETURNS double precision {_IMM} AS $f$ SELECT pg_catalog.power($1, $2) $f$""",
        )
        for name in ("POWER", "POW")
    ],
    # ---------------------------------------------------------------- aggregates
    # Standard deviation and variance: DOUBLE PRECISION whatever the argument, computed in
    # floating point (the pages' syntax sections); PostgreSQL gives NUMERIC for integers.
    *[
        _f(
            name,
            page,
            f"""CREATE OR REPLACE AGGREGATE {_S}.{name.lower()}(double precision) (
            SFUNC = pg_catalog.float8_accum, STYPE = double precision[],
            FINALFUNC = pg_catalog.{final}, COMBINEFUNC = pg_catalog.float8_combine,
            INITCOND = '{{0,0,0}}', PARALLEL = SAFE)""",
        )
        for name, page, final in (
            ("STDDEV_SAMP", "r_STDDEV_functions", "float8_stddev_samp"),
            ("STDDEV", "r_STDDEV_functions", "float8_stddev_samp"),
            ("STDDEV_POP", "r_STDDEV_functions", "float8_stddev_pop"),
            ("VAR_SAMP", "r_VARIANCE_functions", "float8_var_samp"),
            ("VARIANCE", "r_VARIANCE_functions", "float8_var_samp"),
            ("VAR_POP", "r_VARIANCE_functions", "float8_var_pop"),
        )
    ],
    _f(
        "AVG",
        "r_AVG",
        f"""CREATE OR REPLACE FUNCTION {_S}.int_avg_final(bigint[]) RETURNS bigint {_IMM} STRICT
        AS $f$ SELECT CASE WHEN $1[1] = 0 THEN NULL ELSE $1[2] / $1[1] END $f$""",
    ),
    _f(
        "AVG",
        "r_AVG",
        f"""CREATE OR REPLACE AGGREGATE {_S}.avg(smallint) (SFUNC = pg_catalog.int2_avg_accum,
        STYPE = bigint[], FINALFUNC = {_S}.int_avg_final, COMBINEFUNC = pg_catalog.int4_avg_combine,
        INITCOND = '{{0,0}}', PARALLEL = SAFE)""",
    ),
    _f(
        "AVG",
        "r_AVG",
        f"""CREATE OR REPLACE AGGREGATE {_S}.avg(integer) (SFUNC = pg_catalog.int4_avg_accum,
        STYPE = bigint[], FINALFUNC = {_S}.int_avg_final, COMBINEFUNC = pg_catalog.int4_avg_combine,
        INITCOND = '{{0,0}}', PARALLEL = SAFE)""",
    ),
    _f(
        "AVG",
        "r_AVG",
        f"""CREATE OR REPLACE FUNCTION {_S}.int8_avg_accum(numeric[], bigint) RETURNS numeric[]
            {_IMM} STRICT
        AS $f$ SELECT ARRAY[$1[1] + 1, $1[2] + $2] $f$""",
    ),
    _f(
        "AVG",
        "r_AVG",
        f"""CREATE OR REPLACE FUNCTION {_S}.int8_avg_final(numeric[]) RETURNS bigint {_IMM} STRICT
        AS $f$ SELECT CASE WHEN $1[1] = 0 THEN NULL ELSE pg_catalog.trunc($1[2] / $1[1])::bigint
            END $f$""",
    ),
    _f(
        "AVG",
        "r_AVG",
        f"""CREATE OR REPLACE AGGREGATE {_S}.avg(bigint) (SFUNC = {_S}.int8_avg_accum,
        STYPE = numeric[], FINALFUNC = {_S}.int8_avg_final, INITCOND = '{{0,0}}', PARALLEL =
            SAFE)""",
    ),
    # the qualified avg() must take every type avg() does: DECIMAL keeps its scale
    # (r_AVG.html: "an AVG of a DEC(5,2) column returns a DEC(38,2)"), truncated like the
    # integer average; floats and intervals as PostgreSQL's own.
    _f(
        "AVG",
        "r_AVG",
        f"""CREATE OR REPLACE FUNCTION {_S}.numeric_avg_accum(numeric[], numeric) RETURNS numeric[]
        {_IMM} STRICT AS $f$ SELECT ARRAY[$1[1] + 1, $1[2] + $2,
            GREATEST($1[3], pg_catalog.scale($2))] $f$""",
    ),
    _f(
        "AVG",
        "r_AVG",
        f"""CREATE OR REPLACE FUNCTION {_S}.numeric_avg_final(numeric[]) RETURNS numeric
        {_IMM} STRICT AS $f$ SELECT CASE WHEN $1[1] = 0 THEN NULL
            ELSE pg_catalog.trunc($1[2] / $1[1], $1[3]::integer) END $f$""",
    ),
    _f(
        "AVG",
        "r_AVG",
        f"""CREATE OR REPLACE AGGREGATE {_S}.avg(numeric) (SFUNC = {_S}.numeric_avg_accum,
        STYPE = numeric[], FINALFUNC = {_S}.numeric_avg_final, INITCOND = '{{0,0,0}}',
        PARALLEL = SAFE)""",
    ),
    _f(
        "AVG",
        "r_AVG",
        f"""CREATE OR REPLACE AGGREGATE {_S}.avg(double precision) (SFUNC = pg_catalog.float8_accum,
        STYPE = double precision[], FINALFUNC = pg_catalog.float8_avg,
        COMBINEFUNC = pg_catalog.float8_combine, INITCOND = '{{0,0,0}}', PARALLEL = SAFE)""",
    ),
    _f(
        "AVG",
        "r_AVG",
        f"""CREATE OR REPLACE AGGREGATE {_S}.avg(interval) (SFUNC = pg_catalog.interval_accum,
        STYPE = interval[], FINALFUNC = pg_catalog.interval_avg,
        COMBINEFUNC = pg_catalog.interval_combine, INITCOND = '{{0 second,0 second}}',
        PARALLEL = SAFE)""",
    ),
    _f(
        "ANY_VALUE",
        "r_ANY_VALUE",
        f"""CREATE OR REPLACE FUNCTION {_S}.keep_first(anyelement, anyelement) RETURNS
            anyelement {_IMM} STRICT
        AS $f$ SELECT $1 $f$""",
    ),
    _f(
        "ANY_VALUE",
        "r_ANY_VALUE",
        f"""CREATE OR REPLACE AGGREGATE {_S}.any_value(anyelement) (SFUNC = {_S}.keep_first,
        STYPE = anyelement, COMBINEFUNC = {_S}.keep_first, PARALLEL = SAFE)""",
    ),
    # percentiles: the values are collected and sorted once, in the final function, so
    # the same aggregate serves GROUP BY and window frames (PostgreSQL runs no ordered-set
    # aggregate over a window). State: {percentile, 1 if descending, values...}.
    _f(
        "PERCENTILE_CONT",
        "r_PERCENTILE_CONT",
        f"""CREATE OR REPLACE FUNCTION {_S}.percentile_collect(numeric[], double precision,
            numeric, boolean)
        RETURNS numeric[] {_IMM} STRICT
        AS $f$ SELECT CASE WHEN pg_catalog.cardinality($1) = 0
            THEN ARRAY[$2::numeric, CASE WHEN $4 THEN 1 ELSE 0 END, $3] ELSE $1 || $3 END $f$""",
    ),
    _f(
        "PERCENTILE_CONT",
        "r_PERCENTILE_CONT",
        f"""CREATE OR REPLACE FUNCTION {_S}.percentile_final(numeric[]) RETURNS numeric {_IMM}
            STRICT
        AS $f$ SELECT CASE WHEN v.n = 0 THEN NULL ELSE
            pg_catalog.round(v.s[pg_catalog.floor(v.rn)::int]
              + (v.rn - pg_catalog.floor(v.rn)) * (v.s[pg_catalog.ceil(v.rn)::int] -
                  v.s[pg_catalog.floor(v.rn)::int]),
              GREATEST(v.scale, 1)) END
        FROM (SELECT s, pg_catalog.cardinality(s) AS n,
                1 + (CASE WHEN $1[2] = 1 THEN 1 - $1[1] ELSE $1[1] END) *
                    (pg_catalog.cardinality(s) - 1) AS rn,
                (SELECT pg_catalog.max(pg_catalog.scale(x)) FROM pg_catalog.unnest(s) AS x) AS scale
              FROM (SELECT pg_catalog.array_agg(x ORDER BY x) AS s
                    FROM pg_catalog.unnest($1[3:]) AS x) AS sorted) AS v $f$""",
    ),
    _f(
        "PERCENTILE_CONT",
        "r_PERCENTILE_CONT",
        f"""CREATE OR REPLACE AGGREGATE {_S}.percentile_cont(double precision, numeric, boolean)
        (SFUNC = {_S}.percentile_collect, STYPE = numeric[], FINALFUNC = {_S}.percentile_final,
        INITCOND = '{{}}', PARALLEL = SAFE)""",
    ),
    _f(
        "PERCENTILE_CONT",
        "r_PERCENTILE_CONT",
        f"""CREATE OR REPLACE FUNCTION {_S}.percentile_final_float(numeric[]) RETURNS double
            precision {_IMM} STRICT
        AS $f$ SELECT CASE WHEN v.n = 0 THEN NULL ELSE
            (v.s[pg_catalog.floor(v.rn)::int]
              + (v.rn - pg_catalog.floor(v.rn)) * (v.s[pg_catalog.ceil(v.rn)::int] -
                  v.s[pg_catalog.floor(v.rn)::int]))::double precision END
        FROM (SELECT s, pg_catalog.cardinality(s) AS n,
                1 + (CASE WHEN $1[2] = 1 THEN 1 - $1[1] ELSE $1[1] END) *
                    (pg_catalog.cardinality(s) - 1) AS rn
              FROM (SELECT pg_catalog.array_agg(x ORDER BY x) AS s
                    FROM pg_catalog.unnest($1[3:]) AS x) AS sorted) AS v $f$""",
    ),
    _f(
        "PERCENTILE_CONT",
        "r_PERCENTILE_CONT",
        f"""CREATE OR REPLACE FUNCTION {_S}.percentile_collect_float(numeric[], double
            precision, double precision, boolean)
        RETURNS numeric[] {_IMM} STRICT
        AS $f$ SELECT {_S}.percentile_collect($1, $2, $3::numeric, $4) $f$""",
    ),
    _f(
        "PERCENTILE_CONT",
        "r_PERCENTILE_CONT",
        f"""CREATE OR REPLACE AGGREGATE {_S}.percentile_cont(double precision, double precision,
            boolean)
        (SFUNC = {_S}.percentile_collect_float, STYPE = numeric[], FINALFUNC =
            {_S}.percentile_final_float,
        INITCOND = '{{}}', PARALLEL = SAFE)""",
    ),
    *_overloads(
        "PERCENTILE_CONT",
        "r_PERCENTILE_CONT",
        f"""CREATE OR REPLACE FUNCTION {_S}.percentile_collect(numeric[], double precision,
            {{t}}, boolean)
        RETURNS numeric[] {_IMM} STRICT
        AS $f$ SELECT {_S}.percentile_collect($1, $2, $3::numeric, $4) $f$""",
        ("smallint", "integer", "bigint"),
    ),
    *_overloads(
        "PERCENTILE_CONT",
        "r_PERCENTILE_CONT",
        f"""CREATE OR REPLACE AGGREGATE {_S}.percentile_cont(double precision, {{t}}, boolean)
        (SFUNC = {_S}.percentile_collect, STYPE = numeric[], FINALFUNC = {_S}.percentile_final,
        INITCOND = '{{{{}}}}', PARALLEL = SAFE)""",
        ("smallint", "integer", "bigint"),
    ),
    *_overloads(
        "MEDIAN",
        "r_MEDIAN",
        f"""CREATE OR REPLACE FUNCTION {_S}.median_collect(numeric[], {{t}}) RETURNS numeric[]
            {_IMM} STRICT
        AS $f$ SELECT {_S}.percentile_collect($1, 0.5, $2::numeric, false) $f$""",
        ("numeric", "double precision", "smallint", "integer", "bigint"),
    ),
    *_overloads(
        "MEDIAN",
        "r_MEDIAN",
        f"""CREATE OR REPLACE AGGREGATE {_S}.median({{t}}) (SFUNC = {_S}.median_collect,
        STYPE = numeric[], FINALFUNC = {_S}.percentile_final, INITCOND = '{{{{}}}}', PARALLEL =
            SAFE)""",
        ("numeric", "smallint", "integer", "bigint"),
    ),
    _f(
        "MEDIAN",
        "r_MEDIAN",
        f"""CREATE OR REPLACE AGGREGATE {_S}.median(double precision) (SFUNC = {_S}.median_collect,
        STYPE = numeric[], FINALFUNC = {_S}.percentile_final_float, INITCOND = '{{}}', PARALLEL
            = SAFE)""",
    ),
    # ---------------------------------------------------------------- strings
    _f(
        "CHARINDEX",
        "r_CHARINDEX",
        f"""CREATE OR REPLACE FUNCTION {_S}.charindex(text, text) RETURNS integer {_IMM}
        AS $f$ SELECT pg_catalog.strpos($2, $1) $f$""",
    ),
    _f(
        "OCTETINDEX",
        "OCTETINDEX",
        f"""CREATE OR REPLACE FUNCTION {_S}.octetindex(text, text) RETURNS integer {_IMM}
        AS $f$ SELECT CASE pg_catalog.strpos($2, $1) WHEN 0 THEN 0
            ELSE pg_catalog.octet_length(pg_catalog.left($2, pg_catalog.strpos($2, $1) - 1)) + 1
                END $f$""",
    ),
    *_overloads(
        "LEN",
        "r_LEN",
        f"""CREATE OR REPLACE FUNCTION {_S}.len({{t}}) RETURNS integer {_IMM}
        AS $f$ SELECT pg_catalog.length($1) $f$""",
        ("text", "character"),
    ),
    _f(
        "TEXTLEN",
        "r_TEXTLEN",
        f"""CREATE OR REPLACE FUNCTION {_S}.textlen(text) RETURNS integer {_IMM}
        AS $f$ SELECT pg_catalog.length($1) $f$""",
    ),
    _f(
        "REPLICATE",
        "r_REPLICATE",
        f"""CREATE OR REPLACE FUNCTION {_S}.replicate(text, integer) RETURNS text {_IMM}
        AS $f$ SELECT pg_catalog.repeat($1, $2) $f$""",
    ),
    _f(
        "BPCHARCMP",
        "r_BPCHARCMP",
        f"""CREATE OR REPLACE FUNCTION {_S}.bpcharcmp(text, text) RETURNS integer {_IMM}
        AS $f$ SELECT pg_catalog.bpcharcmp($1::bpchar, $2::bpchar) $f$""",
    ),
    _f(
        "BTTEXT_PATTERN_CMP",
        "r_BTTEXT_PATTERN_CMP",
        f"""CREATE OR REPLACE FUNCTION {_S}.bttext_pattern_cmp(text, text) RETURNS integer {_IMM}
        AS $f$ SELECT pg_catalog.bttext_pattern_cmp($1, $2) $f$""",
    ),
    _f(
        "STRTOL",
        "r_STRTOL",
        f"""CREATE OR REPLACE FUNCTION {_S}.strtol(text, integer) RETURNS bigint
        LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $f$
        DECLARE
            s text := pg_catalog.ltrim($1, E' \\t\\n\\r\\f\\v');
            sign integer := 1;
            result numeric := 0;
            digit integer;
            i integer;
        BEGIN
            IF $2 < 2 OR $2 > 36 THEN
                RAISE EXCEPTION 'strtol: base % is not between 2 and 36', $2 USING ERRCODE =
                    '22023';
            END IF;
            IF pg_catalog.left(s, 1) IN ('+', '-') THEN
                IF pg_catalog.left(s, 1) = '-' THEN sign := -1; END IF;
                s := pg_catalog.substr(s, 2);
            END IF;
            IF $2 = 16 AND pg_catalog.lower(pg_catalog.left(s, 2)) = '0x' THEN
                s := pg_catalog.substr(s, 3);
            END IF;
            FOR i IN 1 .. pg_catalog.length(s) LOOP
                digit := pg_catalog.strpos('0123456789abcdefghijklmnopqrstuvwxyz',
                                           pg_catalog.lower(pg_catalog.substr(s, i, 1))) - 1;
                EXIT WHEN digit < 0 OR digit >= $2;
                result := result * $2 + digit;
            END LOOP;
            RETURN (sign * result)::bigint;
        END $f$""",
    ),
    _f(
        "CRC32",
        "crc32-function",
        f"""CREATE OR REPLACE FUNCTION {_S}.crc32(text) RETURNS text
        LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $f$
        DECLARE
            bytes bytea := pg_catalog.convert_to($1, 'UTF8');
            crc bigint := 4294967295;
            i integer;
            j integer;
        BEGIN
            FOR i IN 0 .. pg_catalog.length(bytes) - 1 LOOP
                crc := crc # pg_catalog.get_byte(bytes, i);
                FOR j IN 1 .. 8 LOOP
                    IF crc & 1 = 1 THEN crc := (crc >> 1) # 2197175160;  -- CRC-32C, 0x82F63B78
                    ELSE crc := crc >> 1; END IF;
                END LOOP;
            END LOOP;
            RETURN pg_catalog.lpad(pg_catalog.to_hex(crc # 4294967295), 8, '0');
        END $f$""",
    ),
    _f(
        "SHA2",
        "SHA2",
        f"""CREATE OR REPLACE FUNCTION {_S}.sha2(text, integer) RETURNS text {_IMM} STRICT
        AS $f$ SELECT CASE $2
            WHEN 0 THEN pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to($1, 'UTF8')),
                'hex')
            WHEN 224 THEN pg_catalog.encode(pg_catalog.sha224(pg_catalog.convert_to($1,
                'UTF8')), 'hex')
            WHEN 256 THEN pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to($1,
                'UTF8')), 'hex')
            WHEN 384 THEN pg_catalog.encode(pg_catalog.sha384(pg_catalog.convert_to($1,
                'UTF8')), 'hex')
            WHEN 512 THEN pg_catalog.encode(pg_catalog.sha512(pg_catalog.convert_to($1,
                'UTF8')), 'hex')
            ELSE '' END $f$""",
    ),
    # Redshift converts a number or a datetime given to a string function to its text
    # implicitly (r_REPEAT.html: repeat(catid, 3) on a SMALLINT; r_SUBSTRING.html:
    # substring(listtime, 6, 2) on a TIMESTAMP); PostgreSQL has no implicit cast to text,
    # so the string functions get an overload for any other type. A text (or unknown)
    # argument still finds PostgreSQL's own function first.
    *[
        _f(
            name,
            page,
            f"""CREATE OR REPLACE FUNCTION {_S}.{name.lower()}(anynonarray{extra})
            RETURNS {returns} {_STABLE} AS $f$ SELECT {target}($1::text{rest}) $f$""",
        )
        for name, page, target, extra, rest, returns in (
            ("REPEAT", "r_REPEAT", "pg_catalog.repeat", ", integer", ", $2", "text"),
            ("REVERSE", "r_REVERSE", "pg_catalog.reverse", "", "", "text"),
            ("LEFT", "r_LEFT", "pg_catalog.left", ", integer", ", $2", "text"),
            ("RIGHT", "r_LEFT", "pg_catalog.right", ", integer", ", $2", "text"),
            ("LPAD", "r_LPAD", "pg_catalog.lpad", ", integer", ", $2", "text"),
            ("LPAD", "r_LPAD", "pg_catalog.lpad", ", integer, text", ", $2, $3", "text"),
            ("RPAD", "r_LPAD", "pg_catalog.rpad", ", integer", ", $2", "text"),
            ("RPAD", "r_LPAD", "pg_catalog.rpad", ", integer, text", ", $2, $3", "text"),
            ("LENGTH", "r_LENGTH", "pg_catalog.length", "", "", "integer"),
            ("LEN", "r_LEN", "pg_catalog.length", "", "", "integer"),
            ("SUBSTRING", "r_SUBSTRING", "pg_catalog.substr", ", integer", ", $2", "text"),
            (
                "SUBSTRING",
                "r_SUBSTRING",
                "pg_catalog.substr",
                ", integer, integer",
                ", $2, $3",
                "text",
            ),
            ("SUBSTR", "r_SUBSTR", "pg_catalog.substr", ", integer", ", $2", "text"),
            ("SUBSTR", "r_SUBSTR", "pg_catalog.substr", ", integer, integer", ", $2, $3", "text"),
            (
                "SPLIT_PART",
                "SPLIT_PART",
                "pg_catalog.split_part",
                ", text, integer",
                ", $2, $3",
                "text",
            ),
            ("STRPOS", "r_STRPOS", "pg_catalog.strpos", ", text", ", $2", "integer"),
            ("LTRIM", "r_LTRIM", "pg_catalog.ltrim", ", text", ", $2", "text"),
            ("RTRIM", "r_RTRIM", "pg_catalog.rtrim", ", text", ", $2", "text"),
            ("BTRIM", "r_BTRIM", "pg_catalog.btrim", ", text", ", $2", "text"),
            ("REPLACE", "r_REPLACE", "pg_catalog.replace", ", text, text", ", $2, $3", "text"),
            ("UPPER", "r_UPPER", "pg_catalog.upper", "", "", "text"),
            ("LOWER", "r_LOWER", "pg_catalog.lower", "", "", "text"),
            ("CHAR_LENGTH", "r_CHAR_LENGTH", "pg_catalog.char_length", "", "", "integer"),
            ("CHARINDEX", "r_CHARINDEX", "pg_catalog.strpos", ", text", ", $2", "integer"),
        )
    ],
    _f(
        "CHARINDEX",
        "r_CHARINDEX",
        f"""CREATE OR REPLACE FUNCTION {_S}.charindex(text, anynonarray) RETURNS integer {_STABLE}
        AS $f$ SELECT pg_catalog.strpos($2::text, $1) $f$""",
    ),
    # LIKE on a number or a datetime compares its text (r_DATE_TRUNC.html: saletime like
    # '2008-09%')
    *[
        _f(
            "LIKE",
            "r_patternmatching_condition_like",
            sql,
        )
        for type_ in ("timestamp", "date", "numeric", "integer", "bigint", "smallint")
        for sql in (
            f"""CREATE OR REPLACE FUNCTION {_S}.like_text({type_}, text) RETURNS boolean {_STABLE}
            AS $f$ SELECT $1::text OPERATOR(pg_catalog.~~) $2 $f$""",
            f"""CREATE OPERATOR {_S}.~~ (LEFTARG = {type_}, RIGHTARG = text,
            FUNCTION = {_S}.like_text)""",
        )
    ],
    # a BOOLEAN compared with 1 or 0 (r_logical_condition.html: likevegas = 1)
    _f(
        "BOOLEAN comparison",
        "r_Boolean_type",
        f"""CREATE OR REPLACE FUNCTION {_S}.bool_eq_int(boolean, integer) RETURNS boolean {_IMM}
        AS $f$ SELECT $1 OPERATOR(pg_catalog.=) ($2 OPERATOR(pg_catalog.<>) 0) $f$""",
    ),
    _f(
        "BOOLEAN comparison",
        "r_Boolean_type",
        f"""CREATE OPERATOR {_S}.= (LEFTARG = boolean, RIGHTARG = integer,
        FUNCTION = {_S}.bool_eq_int)""",
    ),
    # REGEXP_*: Redshift's parameters are c (case-sensitive, the default), i, e (return the
    # first subexpression) and p (PCRE; PostgreSQL's advanced regular expressions accept
    # the same lookaheads and escapes). PostgreSQL's p flag means something else, so it
    # and e are taken out of the flags passed on.
    _f(
        "REGEXP_REPLACE",
        "REGEXP_REPLACE",
        f"""CREATE OR REPLACE FUNCTION {_S}.regex_flags(text) RETURNS text {_IMM}
        AS $f$ SELECT pg_catalog.translate(COALESCE($1, ''), 'pe', '') $f$""",
    ),
    _f(
        "REGEXP_REPLACE",
        "REGEXP_REPLACE",
        f"""CREATE OR REPLACE FUNCTION {_S}.regexp_replace(text, text) RETURNS text {_IMM}
        AS $f$ SELECT pg_catalog.regexp_replace($1, $2, '', 'g') $f$""",
    ),
    _f(
        "REGEXP_REPLACE",
        "REGEXP_REPLACE",
        f"""CREATE OR REPLACE FUNCTION {_S}.regexp_replace(text, text, text) RETURNS text {_IMM}
        AS $f$ SELECT pg_catalog.regexp_replace($1, $2, $3, 'g') $f$""",
    ),
    _f(
        "REGEXP_REPLACE",
        "REGEXP_REPLACE",
        f"""CREATE OR REPLACE FUNCTION {_S}.regexp_replace(text, text, text, integer) RETURNS
            text {_IMM}
        AS $f$ SELECT pg_catalog.regexp_replace($1, $2, $3, GREATEST($4, 1), 0, '') $f$""",
    ),
    _f(
        "REGEXP_REPLACE",
        "REGEXP_REPLACE",
        f"""CREATE OR REPLACE FUNCTION {_S}.regexp_replace(text, text, text, integer, text)
            RETURNS text {_IMM}
        AS $f$ SELECT pg_catalog.regexp_replace($1, $2, $3, GREATEST($4, 1), 0,
            {_S}.regex_flags($5)) $f$""",
    ),
    *[
        _f(
            name,
            name,
            f"""CREATE OR REPLACE FUNCTION {_S}.{name.lower()}({arguments}) RETURNS {returns}
            {_IMM} AS $f$ SELECT pg_catalog.{name.lower()}({passed}) $f$""",
        )
        for name, arguments, passed, returns in (
            ("REGEXP_COUNT", "text, text", "$1, $2", "integer"),
            ("REGEXP_COUNT", "text, text, integer", "$1, $2, GREATEST($3, 1)", "integer"),
            ("REGEXP_INSTR", "text, text", "$1, $2", "integer"),
            ("REGEXP_INSTR", "text, text, integer", "$1, $2, GREATEST($3, 1)", "integer"),
            (
                "REGEXP_INSTR",
                "text, text, integer, integer",
                "$1, $2, GREATEST($3, 1), $4",
                "integer",
            ),
            (
                "REGEXP_INSTR",
                "text, text, integer, integer, integer",
                "$1, $2, GREATEST($3, 1), $4, $5",
                "integer",
            ),
            ("REGEXP_SUBSTR", "text, text", "$1, $2", "text"),
            ("REGEXP_SUBSTR", "text, text, integer", "$1, $2, GREATEST($3, 1)", "text"),
            (
                "REGEXP_SUBSTR",
                "text, text, integer, integer",
                "$1, $2, GREATEST($3, 1), $4",
                "text",
            ),
        )
    ],
    _f(
        "REGEXP_COUNT",
        "REGEXP_COUNT",
        f"""CREATE OR REPLACE FUNCTION {_S}.regexp_count(text, text, integer, text) RETURNS
            integer {_IMM}
        AS $f$ SELECT pg_catalog.regexp_count($1, $2, GREATEST($3, 1), {_S}.regex_flags($4)) $f$""",
    ),
    _f(
        "REGEXP_INSTR",
        "REGEXP_INSTR",
        f"""CREATE OR REPLACE FUNCTION {_S}.regexp_instr(text, text, integer, integer, integer,
            text) RETURNS integer {_IMM}
        AS $f$ SELECT pg_catalog.regexp_instr($1, $2, GREATEST($3, 1), $4, $5, {_S}.regex_flags($6),
            CASE WHEN pg_catalog.strpos($6, 'e') > 0 AND pg_catalog.strpos($2, '(') > 0 THEN 1
                ELSE 0 END) $f$""",
    ),
    _f(
        "REGEXP_SUBSTR",
        "REGEXP_SUBSTR",
        f"""CREATE OR REPLACE FUNCTION {_S}.regexp_substr(text, text, integer, integer, text)
            RETURNS text {_IMM}
        AS $f$ SELECT pg_catalog.regexp_substr($1, $2, GREATEST($3, 1), $4, {_S}.regex_flags($5),
            CASE WHEN pg_catalog.strpos($5, 'e') > 0 AND pg_catalog.strpos($2, '(') > 0 THEN 1
                ELSE 0 END) $f$""",
    ),
    # '+' on strings concatenates in Redshift (r_concat_op.html)
    _f(
        "+ (concatenation)",
        "r_concat_op",
        f"""CREATE OR REPLACE FUNCTION {_S}.text_concat(text, text) RETURNS text {_IMM}
        AS $f$ SELECT $1 OPERATOR(pg_catalog.||) $2 $f$""",
    ),
    _f(
        "+ (concatenation)",
        "r_concat_op",
        f"""CREATE OPERATOR {_S}.+ (LEFTARG = text, RIGHTARG = text, FUNCTION =
            {_S}.text_concat)""",
    ),
    # date +/- a BIGINT (ROW_NUMBER() and COUNT() give BIGINTs): Redshift adds the days;
    # PostgreSQL only has date +/- integer (r_DATE-CONCATENATE_function.html family)
    _f(
        "date arithmetic",
        "r_OPERATOR_SYMBOLS",
        f"""CREATE OR REPLACE FUNCTION {_S}.date_plus_days(date, bigint) RETURNS date {_IMM}
        AS $f$ SELECT $1 OPERATOR(pg_catalog.+) $2::integer $f$""",
    ),
    _f(
        "date arithmetic",
        "r_OPERATOR_SYMBOLS",
        f"""CREATE OR REPLACE FUNCTION {_S}.date_minus_days(date, bigint) RETURNS date {_IMM}
        AS $f$ SELECT $1 OPERATOR(pg_catalog.-) $2::integer $f$""",
    ),
    _f(
        "date arithmetic",
        "r_OPERATOR_SYMBOLS",
        f"""CREATE OPERATOR {_S}.+ (LEFTARG = date, RIGHTARG = bigint,
        FUNCTION = {_S}.date_plus_days)""",
    ),
    _f(
        "date arithmetic",
        "r_OPERATOR_SYMBOLS",
        f"""CREATE OPERATOR {_S}.- (LEFTARG = date, RIGHTARG = bigint,
        FUNCTION = {_S}.date_minus_days)""",
    ),
    # ---------------------------------------------------------------- hashes
    _f(
        "FNV_HASH",
        "r_FNV_HASH",
        f"""CREATE OR REPLACE FUNCTION {_S}.fnv_bytes(bytea, bigint) RETURNS bigint
        LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $f$
        DECLARE  -- 64-bit FNV-1a in two 32-bit halves, so nothing overflows a bigint
            hi bigint := ($2 >> 32) & 4294967295;
            lo bigint := $2 & 4294967295;
            low_product bigint;
            i integer;
        BEGIN
            FOR i IN 0 .. pg_catalog.length($1) - 1 LOOP
                lo := lo # pg_catalog.get_byte($1, i);
                low_product := lo * 435;  -- the prime 2^40 + 435
                hi := (hi * 435 + (lo << 8) + (low_product >> 32)) & 4294967295;
                lo := low_product & 4294967295;
            END LOOP;
            RETURN (hi << 32) | lo;
        END $f$""",
    ),
    _f(
        "FNV_HASH",
        "r_FNV_HASH",
        f"""CREATE OR REPLACE FUNCTION {_S}.little_endian(bytea) RETURNS bytea {_IMM} STRICT
        AS $f$ SELECT pg_catalog.string_agg(pg_catalog.substr($1, i, 1), ''::bytea ORDER BY i DESC)
            FROM pg_catalog.generate_series(1, pg_catalog.length($1)) AS i $f$""",
    ),
    *[
        _f(
            "FNV_HASH",
            "r_FNV_HASH",
            f"""CREATE OR REPLACE FUNCTION {_S}.fnv_hash({t}, bigint DEFAULT -3750763034362895579)
            RETURNS bigint {_IMM} STRICT AS $f$ SELECT {_S}.fnv_bytes({to_bytes}, $2) $f$""",
        )
        for t, to_bytes in (
            ("text", "pg_catalog.convert_to($1, 'UTF8')"),
            ("character", "pg_catalog.convert_to($1::text, 'UTF8')"),
            ("smallint", f"{_S}.little_endian(pg_catalog.int2send($1))"),
            ("integer", f"{_S}.little_endian(pg_catalog.int4send($1))"),
            ("bigint", f"{_S}.little_endian(pg_catalog.int8send($1))"),
            ("double precision", f"{_S}.little_endian(pg_catalog.float8send($1))"),
            ("real", f"{_S}.little_endian(pg_catalog.float4send($1))"),
            ("boolean", "pg_catalog.boolsend($1)"),
            ("date", f"{_S}.little_endian(pg_catalog.date_send($1))"),
            ("timestamp", f"{_S}.little_endian(pg_catalog.timestamp_send($1))"),
        )
    ],
    # ---------------------------------------------------------------- math
    _f(
        "DEXP",
        "r_DEXP",
        f"""CREATE OR REPLACE FUNCTION {_S}.dexp(double precision) RETURNS double precision {_IMM}
        AS $f$ SELECT pg_catalog.exp($1) $f$""",
    ),
    _f(
        "DLOG1",
        "r_DLOG1",
        f"""CREATE OR REPLACE FUNCTION {_S}.dlog1(double precision) RETURNS double precision {_IMM}
        AS $f$ SELECT pg_catalog.ln($1) $f$""",
    ),
    _f(
        "DLOG10",
        "r_DLOG10",
        f"""CREATE OR REPLACE FUNCTION {_S}.dlog10(double precision) RETURNS double precision {_IMM}
        AS $f$ SELECT pg_catalog.log($1) $f$""",
    ),
    # ---------------------------------------------------------------- JSON
    _f(
        "JSON_PARSE",
        "JSON_PARSE",
        f"""CREATE OR REPLACE FUNCTION {_S}.json_compact(json) RETURNS text
        LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $f$
        BEGIN
            CASE pg_catalog.json_typeof($1)
            WHEN 'object' THEN
                RETURN '{{' || COALESCE((SELECT pg_catalog.string_agg(
                    pg_catalog.to_json(key)::text || ':' || {_S}.json_compact(value), ',')
                    FROM pg_catalog.json_each($1)), '') || '}}';
            WHEN 'array' THEN
                RETURN '[' || COALESCE((SELECT pg_catalog.string_agg({_S}.json_compact(value), ',')
                    FROM pg_catalog.json_array_elements($1)), '') || ']';
            WHEN 'string' THEN
                RETURN pg_catalog.to_json($1 OPERATOR(pg_catalog.#>>) '{{}}')::text;
            ELSE
                RETURN pg_catalog.btrim($1::text);
            END CASE;
        END $f$""",
    ),
    _f(
        "JSON_PARSE",
        "JSON_PARSE",
        f"""CREATE OR REPLACE FUNCTION {_S}.json_parse(text) RETURNS json {_IMM}
        AS $f$ SELECT {_S}.json_compact($1::json)::json $f$""",
    ),
    _f(
        "JSON_SERIALIZE",
        "JSON_SERIALIZE",
        f"""CREATE OR REPLACE FUNCTION {_S}.json_serialize(json) RETURNS text {_IMM}
        AS $f$ SELECT {_S}.json_compact($1) $f$""",
    ),
    # CAN_JSON_PARSE, IS_VALID_JSON (an object), IS_VALID_JSON_ARRAY: false, not an error,
    # for text that is not JSON
    *[
        _f(
            name,
            name,
            f"""CREATE OR REPLACE FUNCTION {_S}.{name.lower()}(text) RETURNS boolean
            LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $f$
            BEGIN
                IF $1 IS NULL THEN RETURN NULL; END IF;
                RETURN {test};
            EXCEPTION WHEN invalid_text_representation THEN
                RETURN false;
            END $f$""",
        )
        for name, test in (
            ("CAN_JSON_PARSE", "$1::json IS NOT NULL"),
            ("IS_VALID_JSON", "pg_catalog.json_typeof($1::json) = 'object'"),
            ("IS_VALID_JSON_ARRAY", "pg_catalog.json_typeof($1::json) = 'array'"),
        )
    ],
    _f(
        "JSON_EXTRACT_PATH_TEXT",
        "JSON_EXTRACT_PATH_TEXT",
        f"""CREATE OR REPLACE FUNCTION {_S}.json_extract_path_text(text, VARIADIC text[])
            RETURNS text {_IMM} STRICT
        AS $f$ SELECT pg_catalog.json_extract_path_text($1::json, VARIADIC $2) $f$""",
    ),
    _f(
        "JSON_EXTRACT_PATH_TEXT",
        "JSON_EXTRACT_PATH_TEXT",
        f"""CREATE OR REPLACE FUNCTION {_S}.json_path_or_null(text, text[], boolean) RETURNS text
        LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $f$
        BEGIN
            RETURN pg_catalog.json_extract_path_text($1::json, VARIADIC $2);
        EXCEPTION WHEN invalid_text_representation THEN
            IF $3 THEN RETURN NULL; END IF;
            RAISE;
        END $f$""",
    ),
    *[
        _f(
            "JSON_EXTRACT_PATH_TEXT",
            "JSON_EXTRACT_PATH_TEXT",
            f"""CREATE OR REPLACE FUNCTION {_S}.json_extract_path_text(text, {paths}, boolean)
            RETURNS text {_IMM}
            AS $f$ SELECT {_S}.json_path_or_null($1, ARRAY[{params}], ${n + 2}) $f$""",
        )
        for n, paths, params in (
            (n, ", ".join(["text"] * n), ", ".join(f"${i}" for i in range(2, n + 2)))
            for n in range(1, 6)
        )
    ],
    _f(
        "JSON_EXTRACT_ARRAY_ELEMENT_TEXT",
        "JSON_EXTRACT_ARRAY_ELEMENT_TEXT",
        f"""CREATE OR REPLACE FUNCTION {_S}.json_extract_array_element_text(text, integer,
            boolean DEFAULT false)
        RETURNS text LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $f$
        BEGIN
            RETURN $1::json OPERATOR(pg_catalog.->>) $2;
        EXCEPTION WHEN invalid_text_representation THEN
            IF $3 THEN RETURN NULL; END IF;
            RAISE;
        END $f$""",
    ),
    _f(
        "JSON_ARRAY_LENGTH",
        "JSON_ARRAY_LENGTH",
        f"""CREATE OR REPLACE FUNCTION {_S}.json_array_length(text, boolean DEFAULT false)
        RETURNS integer LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $f$
        BEGIN
            RETURN pg_catalog.json_array_length($1::json);
        EXCEPTION WHEN invalid_text_representation OR invalid_parameter_value THEN
            IF $2 THEN RETURN NULL; END IF;
            RAISE;
        END $f$""",
    ),
    # ---------------------------------------------------------------- trailing blanks
    # "Trailing spaces in VARCHAR and CHAR values are treated as semantically
    # insignificant when values are compared" (r_Character_types.html): a comparison with
    # a VARCHAR on either side goes through bpchar, whose comparisons ignore trailing
    # blanks (CHAR already does). The bodies are inlined, so `a.x = b.y` plans as a bpchar
    # equality and still hash-joins. text = text keeps PostgreSQL's operator (the
    # emulation's own SQL relies on it); in Redshift every string is a VARCHAR.
    *[
        _f(
            "character comparison",
            "r_Character_types",
            f"""CREATE OR REPLACE FUNCTION {_S}.varchar_{name}({left}, {right}) RETURNS boolean
                {_IMM} STRICT
            AS $f$ SELECT $1::text::bpchar OPERATOR(pg_catalog.{op}) $2::text::bpchar $f$""",
        )
        for left, right in _COMPARED
        for name, op, _commutator, _negator, _restrict, _join in _COMPARISONS
    ],
    *[
        _f(
            "character comparison",
            "r_Character_types",
            f"""CREATE OPERATOR {_S}.{op} (LEFTARG = {left}, RIGHTARG = {right},
            FUNCTION = {_S}.varchar_{name}, COMMUTATOR = OPERATOR({_S}.{commutator}),
            NEGATOR = OPERATOR({_S}.{negator}), RESTRICT = {restrict}, JOIN = {join})""",
        )
        for left, right in _COMPARED
        for name, op, commutator, negator, restrict, join in _COMPARISONS
    ],
)


def version() -> str:
    """Changes whenever any definition does: an installed schema of another version is
    brought up to date."""
    digest = hashlib.sha256("\n".join(d.sql for d in DEFINITIONS).encode()).hexdigest()
    return f"local_redshift compat {digest[:16]}"


def installed_version(db: Any) -> str:
    rows = db.fetch(
        "SELECT pg_catalog.obj_description(oid, 'pg_namespace') FROM pg_catalog.pg_namespace "
        f"WHERE nspname = {literal(SCHEMA)}"
    )
    return (rows[0][0] or "") if rows else ""


def install(db: Any) -> bool:
    """Create or update the compat schema in the connected database; False when it was
    already current. One install at a time per database (advisory lock), in one
    transaction, so a concurrent run sees the old schema or the new one, never half."""
    wanted = version()
    if installed_version(db) == wanted:
        return False
    db.query("BEGIN")
    try:
        db.query(f"SELECT pg_catalog.pg_advisory_xact_lock({LOCK_KEY})")
        if installed_version(db) != wanted:
            db.query(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
            for definition in DEFINITIONS:
                if _operator_exists(db, definition.sql):
                    continue  # operators have no OR REPLACE; their functions were replaced
                db.query(definition.sql)  # fills in a shell an earlier operator named
            db.query(f"COMMENT ON SCHEMA {SCHEMA} IS {literal(wanted)}")
        db.query("COMMIT")
    except BaseException:
        db.query("ROLLBACK")
        raise
    return True


def _operator_exists(db: Any, sql: str) -> bool:
    """The operator `sql` creates is there with its function. An operator that another
    one names as its COMMUTATOR or NEGATOR before it is created exists only as a shell
    (no function: using it fails with "operator is only a shell"); CREATE OPERATOR fills
    a shell in, so a shell does not count as there."""
    if not sql.startswith("CREATE OPERATOR "):
        return False
    name = sql[len("CREATE OPERATOR ") :].split(" ", 1)[0]
    left = sql.split("LEFTARG = ", 1)[1].split(",", 1)[0].strip()
    right = sql.split("RIGHTARG = ", 1)[1].split(",", 1)[0].strip()
    signature = f"{name}({left}, {right})"
    rows = db.fetch(
        "SELECT oprcode::oid <> 0 FROM pg_catalog.pg_operator "
        f"WHERE oid = pg_catalog.to_regoperator({literal(signature)})"
    )
    return bool(rows and rows[0][0])
