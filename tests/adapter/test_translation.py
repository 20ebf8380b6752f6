"""Redshift's functions, syntax and data-type rules on the real PostgreSQL, through the
adapter as the runner uses it (issue 13, items 2-4). Each expected value is the one the
AWS page cited above the test documents (the Redshift Database Developer Guide)."""

import datetime
from decimal import Decimal

import pytest

from sqlrunner.errors import StatementError

from .conftest import BUCKET, get, keys

# ----------------------------------------------------------------- item 2: functions


def test_getdate_is_the_statements_timestamp_in_whole_seconds_and_sysdate_the_transactions(
    redshift,
):
    # r_GETDATE.html: TIMESTAMP, start of the statement; r_SYSDATE.html: start of the transaction
    (now,) = redshift.query("SELECT getdate()")[0]
    assert redshift.types("SELECT getdate(), sysdate, trunc(getdate())") == [
        "timestamp without time zone",
        "timestamp without time zone",
        "date",
    ]
    assert isinstance(now, (str, datetime.datetime)) and str(now)[-3:].count(".") == 0
    redshift.run("BEGIN")
    first = redshift.query("SELECT sysdate")
    second = redshift.query("SELECT sysdate")
    redshift.run("COMMIT")
    assert first == second


@pytest.mark.parametrize(
    "sql, expected",
    [
        # r_DATEADD_function.html
        ("SELECT dateadd(month, 18, '2008-02-28')", "2009-08-28 00:00:00"),
        ("SELECT dateadd(m, 30, '2008-02-28')", "2008-02-28 00:30:00"),
        ("SELECT dateadd(day, 30, date '2008-11-01')", "2008-12-01 00:00:00"),
        # r_DATEDIFF_function.html: date part boundaries crossed
        ("SELECT datediff(week, '2009-01-01', '2009-12-31')", 52),
        ("SELECT datediff(hour, '2023-01-01', '2023-01-03 05:04:03')", 53),
        ("SELECT datediff(year, '2008-12-31', '2009-01-01')", 1),
        ("SELECT datediff(minute, time '20:00:00', time '21:00:00')", 60),
        # r_DATE_PART_function.html, r_Dateparts_for_datetime_functions.html
        ("SELECT date_part(sec, timestamp '2009-09-21 11:10:03.189717')", 3.189717),
        ("SELECT date_part(dow, date '2008-01-05')", 6.0),
        ("SELECT date_part(w, date '2009-12-31')", 53.0),
        # r_EXTRACT_function.html: integers, the part alone
        ("SELECT extract(sec from timestamp '2009-09-21 11:10:03.189717')", 3),
        ("SELECT extract(ms from timestamp '2009-09-09 12:08:43.101')", 101),
        ("SELECT extract(minute from timestamp '2009-09-09 12:08:43')", 8),
        ("SELECT extract(decade from timestamp '2000-02-16 20:38:40')", 201),
        # r_DATE_TRUNC.html with an abbreviation
        ("SELECT date_trunc('mon', date '2008-02-28')", "2008-02-01 00:00:00"),
        # r_ADD_MONTHS.html: last day of month stays last day
        ("SELECT add_months('2008-03-31', 1)", "2008-04-30 00:00:00"),
        ("SELECT add_months('2008-04-30', 1)", "2008-05-31 00:00:00"),
        # r_MONTHS_BETWEEN_function.html
        ("SELECT months_between('1969-01-18', '1969-03-18')", -2.0),
        # CONVERT_TIMEZONE.html
        ("SELECT convert_timezone('EST', 'PST', '20080305 12:25:29')", "2008-03-05 09:25:29"),
        (
            "SELECT convert_timezone('America/New_York', '2013-06-01 08:00:00')",
            "2013-06-01 04:00:00",
        ),
        ("SELECT convert_timezone('PST', timestamp '2008-08-24 09:36:12')", "2008-08-24 01:36:12"),
        # r_NVL_function.html, r_NVL2.html, r_DECODE_expression.html
        ("SELECT nvl(NULL, NULL, 'third')", "third"),
        ("SELECT nvl2(NULL, 'not null', 'null')", "null"),
        ("SELECT decode(NULL, NULL, 'both null', 'other')", "both null"),
        ("SELECT decode('MLB', 'NHL', 'Hockey', 'MLB', 'Baseball', 'Unknown')", "Baseball"),
        # r_LEN.html: trailing blanks count for VARCHAR, not CHAR
        ("SELECT len('abc  '::varchar)", 5),
        ("SELECT len('abc  '::char(5))", 3),
        # r_CHARINDEX.html
        ("SELECT charindex('fish', 'dogfish')", 4),
        ("SELECT charindex('dog', 'fish')", 0),
        # r_STRTOL.html
        ("SELECT strtol('0xf', 16)", 15),
        ("SELECT strtol('abcd1234', 16)", 2882343476),
        ("SELECT strtol('1234567', 8)", 342391),
        ("SELECT strtol('110101', 2)", 53),
        # r_FNV_HASH.html: 64-bit FNV-1a of the value's bytes
        ("SELECT fnv_hash(1)", -5968735742475085980),
        ("SELECT fnv_hash('Amazon Redshift')", 7783490368944507294),
        ("SELECT fnv_hash('Amazon Redshift', fnv_hash(1))", -2202602717770968555),
        ("SELECT fnv_hash(1::smallint)", 589727492704079044),
        ("SELECT fnv_hash('cd', fnv_hash('ab'))", -281581062704388899),
        # REGEXP_*.html
        ("SELECT regexp_replace('aXbXc', 'X', '-')", "a-b-c"),
        ("SELECT regexp_count('abcabc', 'b', 1, 'i')", 2),
        (
            "SELECT regexp_substr('This is a cat, this is a dog. This is a mouse.',"
            " 'this is a (\\\\w+)', 1, 2, 'ie')",
            "dog",
        ),
        ("SELECT regexp_instr('the fox', 'FOX', 1, 1, 0, 'i')", 5),
        # JSON_EXTRACT_PATH_TEXT.html, JSON_PARSE.html
        (
            "SELECT json_extract_path_text("
            '\'{"f2":{"f3":1},"f4":{"f5":99,"f6":"star"}}\', \'f4\', \'f6\')',
            "star",
        ),
        (
            "SELECT json_extract_path_text("
            '\'{"f2":{"f3":1},"f4":{"f5":99,"f6":"star"}\', \'f4\', \'f6\', true)',
            None,
        ),
        ("SELECT json_serialize(json_parse('[10001, 10002, \"abc\"]'))", '[10001,10002,"abc"]'),
        ("SELECT json_typeof(json_parse('[10001,10002,\"abc\"]'))", "array"),
        # crc32-function.html, SHA2.html
        ("SELECT crc32('Amazon Redshift')", "f2726906"),
    ],
)
def test_functions_return_redshifts_documented_values(redshift, sql, expected):
    (value,) = redshift.query(sql)[0]
    assert (str(value) if isinstance(value, datetime.datetime) else value) == expected


def test_date_functions_return_redshifts_types(redshift):
    # DATEADD TIMESTAMP, DATEDIFF BIGINT, DATE_PART DOUBLE, EXTRACT INTEGER (their pages)
    assert redshift.types(
        "SELECT dateadd(day, 1, current_date), datediff(day, current_date, current_date),"
        " date_part(year, current_date), extract(year from getdate()), add_months(current_date, 1),"
        " months_between(current_date, current_date)"
    ) == [
        "timestamp without time zone",
        "bigint",
        "double precision",
        "integer",
        "timestamp without time zone",
        "double precision",
    ]


def test_aggregates_listagg_median_percentile_and_approximate_count(redshift):
    # the WINSALES sample of c_Window_functions.html (sellerid, qty)
    redshift.run("CREATE TABLE winsales (sellerid int, qty int)")
    redshift.run(
        "INSERT INTO winsales VALUES (1,10),(1,10),(3,10),(4,10),(3,15),(2,20),(3,20),(2,20),"
        "(3,30),(1,30),(4,40)"
    )
    # r_WF_PERCENTILE_CONT.html: per seller 20.0 / 25.0 / 10.0 / 17.5 (DECIMAL)
    rows = redshift.query(
        "SELECT DISTINCT sellerid, percentile_cont(0.5) WITHIN GROUP (ORDER BY qty)"
        " OVER (PARTITION BY sellerid), median(qty) OVER (PARTITION BY sellerid)"
        " FROM winsales ORDER BY 1"
    )
    assert rows == [
        (1, Decimal("10.0"), Decimal("10.0")),
        (2, Decimal("20.0"), Decimal("20.0")),
        (3, Decimal("17.5"), Decimal("17.5")),
        (4, Decimal("25.0"), Decimal("25.0")),
    ]
    # r_WF_AVG.html: AVG of integers is a truncated BIGINT (10,10,30 -> 16)
    assert redshift.query("SELECT avg(qty) FROM winsales WHERE sellerid = 1") == [(16,)]
    assert redshift.types("SELECT avg(qty) FROM winsales") == ["bigint"]
    assert redshift.query(
        "SELECT listagg(sellerid, ', ') WITHIN GROUP (ORDER BY sellerid) FROM winsales"
        " WHERE qty = 10"
    ) == [("1, 1, 3, 4",)]
    assert redshift.query(
        "SELECT approximate count(DISTINCT sellerid), median(qty) FROM winsales"
    ) == [(4, Decimal("20.0"))]


def test_percentile_cont_keeps_decimal_scale_and_descending_order(redshift):
    # r_WF_PERCENTILE_CONT.html, sellers in WA: 2044.20 over DECIMAL(14,2) sums, descending
    redshift.run("CREATE TABLE wa (sales decimal(14,2))")
    redshift.run(
        "INSERT INTO wa VALUES (6076.00),(6035.00),(5881.00),(2814.00),(1531.00),(1476.00),(1177.00)"
    )
    assert redshift.query(
        "SELECT percentile_cont(0.6) WITHIN GROUP (ORDER BY sales DESC),"
        " percentile_disc(0.6) WITHIN GROUP (ORDER BY sales DESC) FROM wa"
    ) == [(Decimal("2044.20"), Decimal("1531.00"))]


# ----------------------------------------------------------------- item 3: syntax


def test_temp_tables_top_qualify_and_derived_tables(redshift):
    redshift.run("CREATE TABLE src (id int, grp varchar(5))")
    redshift.run("INSERT INTO src VALUES (1, 'a'), (2, 'a'), (3, 'b'), (4, 'b'), (5, 'b')")
    # r_CREATE_TABLE_NEW.html: a name starting with # is a temporary table
    redshift.run("CREATE TABLE #recent (id int)")
    redshift.run("INSERT INTO #recent SELECT id FROM src WHERE id > 3")
    assert redshift.query("SELECT count(*) FROM #recent") == [(2,)]
    redshift.run("SELECT * INTO #copy FROM src")
    assert redshift.rows("SELECT relpersistence FROM pg_class WHERE relname = '#copy'") == [("t",)]
    # r_TOP_clause.html
    assert redshift.query("SELECT TOP 2 id FROM src ORDER BY id DESC") == [(5,), (4,)]
    # r_QUALIFY_clause.html
    assert redshift.query(
        "SELECT grp, id FROM src QUALIFY row_number() OVER (PARTITION BY grp ORDER BY id DESC) = 1"
        " ORDER BY grp"
    ) == [("a", 2), ("b", 5)]
    # a subquery in FROM without an alias (PostgreSQL 15 requires one)
    assert redshift.query("SELECT count(*) FROM (SELECT id FROM src WHERE id > 1)") == [(4,)]
    assert redshift.query("SELECT id FROM src MINUS SELECT id FROM src WHERE id > 1") == [(1,)]


def test_delete_without_from_and_late_binding_views(redshift):
    redshift.run("CREATE SCHEMA app")
    redshift.run("CREATE TABLE app.t (id int)")
    redshift.run("INSERT INTO app.t VALUES (1), (2)")
    # r_DELETE.html: DELETE [ FROM ] table_name
    redshift.run("DELETE app.t WHERE id = 1")
    assert redshift.query("SELECT id FROM app.t") == [(2,)]
    # r_CREATE_VIEW.html: WITH NO SCHEMA BINDING
    redshift.run("CREATE VIEW app.v AS SELECT id FROM app.t WITH NO SCHEMA BINDING")
    assert redshift.query("SELECT id FROM app.v") == [(2,)]


def test_merge_remove_duplicates_replaces_matches_and_inserts_the_rest(redshift):
    # r_MERGE.html, simplified mode
    redshift.run("CREATE TABLE target (id int, name varchar(10))")
    redshift.run("CREATE TABLE source (id int, name varchar(10))")
    redshift.run("INSERT INTO target VALUES (1, 'Bob'), (1, 'Bob2'), (2, 'John')")
    redshift.run("INSERT INTO source VALUES (1, 'Tony'), (3, 'Bill')")
    redshift.run("MERGE INTO target USING source s ON target.id = s.id REMOVE DUPLICATES")
    assert sorted(redshift.query("SELECT id, name FROM target")) == [
        (1, "Tony"),
        (2, "John"),
        (3, "Bill"),
    ]


def test_unload_with_a_dollar_quoted_query_as_airflow_sends_it(redshift):
    # RedshiftToS3Operator builds UNLOAD ($$ SELECT ... $$) TO ...
    redshift.run("CREATE TABLE o (id int, d date)")
    redshift.run("INSERT INTO o VALUES (1, '2024-01-31'), (2, '2024-02-01')")
    result = redshift.run(
        f"UNLOAD ($$ SELECT id, dateadd(day, 1, d) FROM o WHERE d < '2024-02-01' $$)"
        f" TO 's3://{BUCKET}/dollar/o_' IAM_ROLE default PARALLEL OFF"
    )
    assert result.rows == 1
    (key,) = keys(redshift.s3, "dollar/")
    assert get(redshift.s3, key) == b"1|2024-02-01 00:00:00\n"


def test_drop_schema_drop_external_database_when_the_schema_is_absent_or_local(redshift):
    # r_DROP_SCHEMA.html: DROP EXTERNAL DATABASE applies to external schemas only
    assert redshift.run("DROP SCHEMA IF EXISTS never_made DROP EXTERNAL DATABASE").rows is None
    redshift.run("CREATE SCHEMA local_only")
    redshift.run("DROP SCHEMA local_only DROP EXTERNAL DATABASE CASCADE")
    assert redshift.rows("SELECT 1 FROM pg_namespace WHERE nspname = 'local_only'") == []


def test_table_attributes_and_varchar_max_inside_a_stored_procedure(redshift):
    # r_CREATE_PROCEDURE.html: the body's statements are Redshift SQL
    redshift.run(
        "CREATE OR REPLACE PROCEDURE make_stage() AS $$\n"
        "BEGIN\n"
        "  DROP TABLE IF EXISTS stage;\n"
        "  CREATE TABLE stage (id int ENCODE az64, body varchar(max)) DISTSTYLE KEY DISTKEY(id)"
        " SORTKEY(id);\n"
        "  INSERT INTO stage VALUES (1, nvl(NULL, 'x'));\n"
        "END;\n$$ LANGUAGE plpgsql"
    )
    redshift.run("CALL make_stage()")
    assert redshift.query("SELECT id, body FROM stage") == [(1, "x")]


# ----------------------------------------------------------------- item 4: no silent differences


def test_varchar_lengths_count_bytes_with_redshifts_error(redshift):
    # r_Character_types.html: VARCHAR(n) holds n bytes; 'Zürich' is 7
    redshift.run("CREATE TABLE cities (city varchar(6), code char(3))")
    redshift.run("INSERT INTO cities VALUES ('Zurich', 'ZRH')")
    with pytest.raises(StatementError) as raised:
        redshift.run("INSERT INTO cities VALUES ('Zürich', 'ZRH')")
    assert raised.value.message == "value too long for type character varying(6)"
    assert raised.value.sqlstate == "22001"
    with pytest.raises(StatementError, match=r"value too long for type character varying\(6\)"):
        redshift.run("UPDATE cities SET city = 'Zürich'")
    with pytest.raises(StatementError, match=r"value too long for type character\(3\)"):
        redshift.run("INSERT INTO cities VALUES ('Bern', 'ZÜR')")
    redshift.run("CREATE TABLE copied AS SELECT * FROM cities")
    with pytest.raises(StatementError, match=r"value too long for type character varying\(6\)"):
        redshift.run("INSERT INTO copied VALUES ('Zürich', 'ZRH')")
    assert redshift.query("SELECT city FROM cities") == [("Zurich",)]


def test_widening_a_varchar_moves_its_byte_limit(redshift):
    # r_ALTER_TABLE.html: ALTER COLUMN column_name TYPE varchar(n) increases a VARCHAR's size
    redshift.run("CREATE TABLE towns (town varchar(6))")
    redshift.run("ALTER TABLE towns ALTER COLUMN town TYPE varchar(8)")
    redshift.run("INSERT INTO towns VALUES ('Zürich')")
    with pytest.raises(StatementError, match=r"value too long for type character varying\(8\)"):
        redshift.run("INSERT INTO towns VALUES ('Zürich-Ost')")
    assert redshift.query("SELECT town FROM towns") == [("Zürich",)]


def test_varchar_bytes_hold_on_copy_too(redshift):
    from .conftest import put

    redshift.run("CREATE TABLE loaded (city varchar(6))")
    put(redshift.s3, "bytes/cities.txt", "Zürich\n".encode())
    # COPY reports it as Redshift's load error 1204 (r_Load_Error_Reference.html)
    with pytest.raises(StatementError, match=r"column city: String length exceeds DDL length"):
        redshift.run(f"COPY loaded FROM 's3://{BUCKET}/bytes/' IAM_ROLE default")
    assert redshift.query("SELECT count(*) FROM loaded") == [(0,)]


def test_default_lengths_of_character_types(redshift):
    # r_Character_types.html: VARCHAR is VARCHAR(256), CHAR is CHAR(1), BPCHAR is CHAR(256)
    redshift.run("CREATE TABLE lengths (v varchar, c char, b bpchar, t text, n nvarchar)")
    assert redshift.types("SELECT v, c, b, t, n FROM lengths") == [
        "character varying(256)",
        "character(1)",
        "character(256)",
        "character varying(256)",
        "character varying(256)",
    ]


def test_trailing_blanks_do_not_count_in_comparisons(redshift):
    # r_Examples_with_character_types.html
    redshift.run("CREATE TABLE address (address1 varchar(100), city_name char(20))")
    redshift.run("INSERT INTO address (address1) VALUES ('9516 Magnolia Boulevard')")
    redshift.run("INSERT INTO address (address1) VALUES ('9516 Magnolia Boulevard  ')")
    assert redshift.query(
        "SELECT count(*) FROM address WHERE address1 = '9516 Magnolia Boulevard'"
    ) == [(2,)]
    assert redshift.query("SELECT length(address1) FROM address ORDER BY 1") == [(23,), (25,)]
    redshift.run("CREATE TABLE other (a varchar(30))")
    redshift.run("INSERT INTO other VALUES ('9516 Magnolia Boulevard ')")
    assert redshift.query(
        "SELECT count(*) FROM address JOIN other ON address.address1 = other.a"
    ) == [(2,)]


def test_concat_with_null_is_null_and_quoted_identifiers_fold(redshift):
    # r_CONCAT.html: NULL if either argument is NULL
    assert redshift.query("SELECT concat('a', NULL), concat('a', 'b'), 'a' + 'b'") == [
        (None, "ab", "ab")
    ]
    # r_names.html: identifiers are case-insensitive and folded to lower case by default
    redshift.run('CREATE TABLE "MixedCase" ("MyColumn" int)')
    redshift.run('INSERT INTO "MIXEDCASE" VALUES (1)')
    assert redshift.query("SELECT mycolumn FROM mixedcase") == [(1,)]
    assert redshift.query('SELECT "MYCOLUMN" FROM "mixedCASE"') == [(1,)]


def test_a_table_named_like_a_type_and_set_search_path_keep_redshifts_meaning(redshift):
    # TICKIT has a table named DATE (c_sampledb.html): the type `date` must stay the type
    redshift.run("CREATE TABLE date (dateid smallint, caldate date)")
    assert redshift.query("SELECT cast('2008-02-18 02:36:48' as date)") == [("2008-02-18",)]
    # r_search_path.html: a SET search_path keeps Redshift's functions (the compat schema)
    redshift.run("SET search_path TO public")
    assert redshift.query("SELECT dateadd(day, 1, '2008-02-28'::date)::date") == [("2008-02-29",)]


@pytest.mark.parametrize(
    ("left", "right"),
    [("v", "w"), ("v", "'b'::text"), ("'b'::text", "v"), ("v", "'b'::name"), ("'b'::name", "v")],
)
def test_every_character_comparison_operator_works_in_a_new_database(redshift, left, right):
    """Each comparison with a VARCHAR side is a compat operator; one that another names as
    its negator or commutator before it is created starts as a shell, which the install
    must fill in (a shell fails: "operator is only a shell: character varying <> ...")."""
    redshift.run("CREATE TABLE pair (v varchar(10), w varchar(10))")
    redshift.run("INSERT INTO pair VALUES ('a', 'b '), ('b  ', 'b'), ('c', 'b')")
    found = {
        op: redshift.query(f"SELECT count(*) FROM pair WHERE {left} {op} {right}")[0][0]
        for op in ("=", "<>", "!=", "<", "<=", ">", ">=")
    }
    # one row each side of 'b' and one equal to it once trailing blanks are ignored
    assert found == {"=": 1, "<>": 2, "!=": 2, "<": 1, "<=": 2, ">": 1, ">=": 2}
    assert redshift.rows(
        "SELECT count(*) FROM pg_operator"
        " WHERE oprnamespace = 'redshift_compat'::regnamespace AND oprcode = 0"
    ) == [(0,)]


def test_datepart_is_date_part(redshift):
    """AWS's Redshift Immersion Day SQL writes DATE_PART as DATEPART."""
    assert redshift.query(
        "SELECT datepart(year, '2008-06-01'::date), DATEPART(mon, timestamp '2008-06-01 10:00')"
    ) == [(2008.0, 6.0)]
