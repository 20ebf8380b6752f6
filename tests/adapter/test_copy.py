"""COPY FROM S3: formats, compression, manifests, prefixes and Redshift's NULL rules,
checked on the rows that land in PostgreSQL."""

import bz2
import gzip
import json

import pyarrow as pa
import pytest

from local_redshift import load_history
from sqlrunner.errors import EmulationError, NotEmulatedError, StatementError

from .conftest import BUCKET, ROLE, parquet_bytes, put

AUTH = f"IAM_ROLE '{ROLE}'"


@pytest.fixture
def target(redshift):
    redshift.run("CREATE TABLE t (id int, name varchar(20), score numeric(5,2), seen date)")
    return redshift


def copy(redshift, source, options="", table="t"):
    return redshift.run(f"COPY {table} FROM 's3://{BUCKET}/{source}' {AUTH} {options}")


def rows(redshift, table="t"):
    return [
        tuple(str(v) if v is not None else None for v in row)
        for row in redshift.rows(f"SELECT * FROM {table} ORDER BY id")
    ]


def test_pipe_text_by_default_with_redshifts_null_rules(target):
    put(target.s3, "in/a.txt", b"1|alpha|1.50|2015-06-01\n2||\\N|\n3|back\\slash||\n")
    assert copy(target, "in/a.txt").rows == 3
    # empty -> NULL in non-character columns, '' in character ones; \N is NULL; backslashes stay data
    assert rows(target) == [
        ("1", "alpha", "1.50", "2015-06-01"),
        ("2", "", None, None),
        ("3", "back\\slash", None, None),
    ]


def test_csv_with_header_quotes_and_delimiter(target):
    put(
        target.s3,
        "csv/a.csv",
        b'id;name;score;seen\n1;"semi;colon";2;\n2;"say ""hi""";;2016-01-02\n',
    )
    copy(target, "csv/a.csv", "CSV DELIMITER ';' IGNOREHEADER 1")
    assert rows(target) == [
        ("1", "semi;colon", "2.00", None),
        ("2", 'say "hi"', None, "2016-01-02"),
    ]


def test_prefix_matches_every_file_and_ignoreheader_applies_per_file(target):
    put(target.s3, "multi/part_0", b"id|name|score|seen\n1|a||")  # no final newline
    put(target.s3, "multi/part_1", b"id|name|score|seen\n2|b||\n")
    put(target.s3, "multiple/other", b"id|name|score|seen\nx|y||\n")  # shares the prefix: read too
    with pytest.raises(StatementError):
        copy(target, "multi", "IGNOREHEADER AS 1")
    assert rows(target) == []  # a failing COPY leaves nothing behind
    copy(target, "multi/", "IGNOREHEADER AS 1")
    assert rows(target) == [("1", "a", None, None), ("2", "b", None, None)]


@pytest.mark.parametrize(
    "option, compress", [("GZIP", gzip.compress), ("BZIP2", bz2.compress), ("ZSTD", None)]
)
def test_compressed_input(target, option, compress):
    data = b"1|one||\n2|two||\n"
    body = compress(data) if compress else pa.compress(data, "zstd", asbytes=True)
    put(target.s3, "z/data", body)
    copy(target, "z/data", option)
    assert [r[1] for r in rows(target)] == ["one", "two"]


def test_manifest_entries_and_mandatory_files(target):
    put(target.s3, "m/one", b"1|one||\n")
    manifest = {
        "entries": [
            {"url": f"s3://{BUCKET}/m/one", "mandatory": True},
            {"url": f"s3://{BUCKET}/m/missing", "mandatory": False},
        ]
    }
    put(target.s3, "m/manifest", json.dumps(manifest).encode())
    copy(target, "m/manifest", "MANIFEST")
    assert rows(target) == [("1", "one", None, None)]
    manifest["entries"][1]["mandatory"] = True
    put(target.s3, "m/manifest", json.dumps(manifest).encode())
    with pytest.raises(
        EmulationError, match=r"mandatory manifest entry .*m/missing does not exist"
    ):
        copy(target, "m/manifest", "MANIFEST")


def test_null_as_and_emptyasnull(target):
    put(target.s3, "n/a", b"1|NULL|NULL|\n2|||\n3|  ||\n")
    copy(target, "n/a", "NULL AS 'NULL' BLANKSASNULL")
    assert rows(target) == [
        ("1", None, None, None),
        ("2", None, None, None),
        ("3", None, None, None),
    ]
    target.run("TRUNCATE t")
    copy(target, "n/a", "NULL AS 'NULL' EMPTYASNULL")
    assert rows(target)[1:] == [("2", None, None, None), ("3", "  ", None, None)]


def test_parquet_columns_by_position(target):
    table = pa.table(
        {
            "x": pa.array([1, 2], pa.int64()),
            "y": ["a", None],
            "z": [1.5, 2.0],
            "w": pa.array([None, 16800], pa.date32()),
        }
    )
    put(target.s3, "pq/f.parquet", parquet_bytes(table))
    copy(target, "pq/", "FORMAT AS PARQUET")
    assert rows(target) == [("1", "a", "1.50", None), ("2", None, "2.00", "2015-12-31")]
    put(target.s3, "pq2/f.parquet", parquet_bytes(table.select(["x", "y"])))
    with pytest.raises(EmulationError, match="has 2 columns but the target has 4"):
        copy(target, "pq2/", "PARQUET")


def test_json_auto(target):
    put(
        target.s3,
        "j/a.json",
        b'{"id": 1, "name": "one", "extra": [1]}\n{"id": 2,\n "score": 2.5, "NAME": "x"}',
    )
    copy(target, "j/a.json", "FORMAT JSON 'auto'")
    assert rows(target) == [("1", "one", None, None), ("2", None, "2.50", None)]
    target.run("TRUNCATE t")
    copy(target, "j/a.json", "JSON 'auto ignorecase'")
    assert rows(target)[1] == ("2", "x", "2.50", None)


def test_unload_then_copy_round_trips(target):
    target.run("INSERT INTO t VALUES (1, 'a,b', 1.25, '2015-01-01'), (2, NULL, NULL, NULL)")
    target.run(f"UNLOAD ('select * from t') TO 's3://{BUCKET}/rt/t_' {AUTH} MANIFEST GZIP")
    target.run("CREATE TABLE t2 (LIKE t)")
    target.run(f"UNLOAD ('select * from t') TO 's3://{BUCKET}/rt/csv_' {AUTH} CSV")
    copy(target, "rt/csv_", "CSV", table="t2")
    # UNLOAD writes NULL as an empty field; COPY reads it back as '' in a VARCHAR column
    assert rows(target, "t2") == [("1", "a,b", "1.25", "2015-01-01"), ("2", "", None, None)]
    target.run("TRUNCATE t2")
    copy(target, "rt/t_manifest", "MANIFEST GZIP", table="t2")
    assert rows(target, "t2") == [("1", "a,b", "1.25", "2015-01-01"), ("2", "", None, None)]


def test_column_list(target):
    put(target.s3, "cols/a", b"x|7\n")
    copy(target, "cols/a", "", table="t (name, id)")
    assert rows(target) == [("7", "x", None, None)]


@pytest.mark.parametrize(
    "source, options, message",
    [
        ("nothing/here", "", "the specified S3 prefix"),
        ("x", "PARQUET DELIMITER ','", "PARQUET can't be used with DELIMITER"),
        ("x", "IAM_ROLE default", "IAM_ROLE is given twice"),
    ],
)
def test_copy_statements_redshift_refuses(target, source, options, message):
    put(target.s3, "x", b"1|a||\n")
    with pytest.raises(EmulationError, match=message):
        copy(target, source, options)
    assert rows(target) == []


def test_copy_needs_authorization(target):
    put(target.s3, "x", b"1|a||\n")
    with pytest.raises(EmulationError, match="needs authorization"):
        target.run(f"COPY t FROM 's3://{BUCKET}/x'")


@pytest.mark.parametrize(
    "sql, what",
    [
        (
            "COPY t FROM 'dynamodb://table' IAM_ROLE default READRATIO 50",
            "COPY FROM 'dynamodb://...'",
        ),
        (f"COPY t FROM 's3://{BUCKET}/x' IAM_ROLE default FORMAT AS AVRO 'auto'", "FORMAT AVRO"),
        (f"COPY t FROM 's3://{BUCKET}/x' IAM_ROLE default JSON 'noshred'", "JSON 'noshred'"),
        (f"COPY t FROM 's3://{BUCKET}/x' IAM_ROLE default LZOP", "COPY LZOP"),
        (f"COPY t FROM 's3://{BUCKET}/x' IAM_ROLE default ACCEPTANYDATE", "COPY ACCEPTANYDATE"),
        (f"COPY t FROM 's3://{BUCKET}/x' IAM_ROLE default EXPLICIT_IDS", "COPY EXPLICIT_IDS"),
        (f"COPY t FROM 's3://{BUCKET}/x' IAM_ROLE default ENCODING UTF16", "COPY ENCODING UTF16"),
    ],
)
def test_unemulated_copy_forms_fail_by_name(target, sql, what):
    with pytest.raises(
        NotEmulatedError,
        match="not emulated locally: " + what.replace("(", "\\(").replace(".", "\\."),
    ):
        target.run(sql)


# --- Redshift's load errors: MAXERROR, STL_LOAD_ERRORS, SYS_LOAD_ERROR_DETAIL, the message


def load_errors(redshift):
    return redshift.rows(
        "SELECT line_number, trim(colname), err_code, trim(err_reason), trim(raw_field_value),"
        " trim(raw_line), trim(filename), trim(type), trim(col_length)"
        " FROM stl_load_errors WHERE query = pg_last_copy_id() ORDER BY line_number"
    )


BAD_ROWS = (
    "1|alpha|1.50|2015-06-01\n"
    "2x|beta|2.00|2015-06-02\n"  # PostgreSQL refuses the integer
    "3|a name longer than twenty bytes|3.00|\n"  # too long for varchar(20): caught before
    "4|Zürich 2015 ümlauts|4.00|\n"  # 19 characters, 21 bytes: Redshift counts bytes
    "5|epsilon|5.00|2015-06-05\n"
).encode()


def test_maxerror_skips_rejected_rows_and_records_them(target):
    put(target.s3, "bad/rows.txt", BAD_ROWS)
    result = copy(target, "bad/rows.txt", "MAXERROR 10")
    assert result.rows == 2 and "3 record(s) could not be loaded" in result.detail
    assert [r[0] for r in rows(target)] == ["1", "5"]
    url = f"s3://{BUCKET}/bad/rows.txt"
    assert load_errors(target) == [
        (2, "id", 1207, "Invalid digit, Value 'x', Pos 1, Type: Integer", "2x",
         "2x|beta|2.00|2015-06-02", url, "int4", ""),
        (3, "name", 1204, "String length exceeds DDL length", "a name longer than twenty bytes",
         "3|a name longer than twenty bytes|3.00|", url, "varchar", "20"),
        (4, "name", 1204, "String length exceeds DDL length", "Z.rich 2015 .mlauts",
         "4|Z.rich 2015 .mlauts|4.00|", url, "varchar", "20"),  # multibyte characters as periods
    ]  # fmt: skip
    # the SYS view shows the same rows under its own names; pg_last_copy_count() the rows loaded
    detail = target.rows(
        "SELECT line_number, trim(column_name), error_code, trim(error_message), table_id"
        " FROM sys_load_error_detail WHERE query_id = pg_last_copy_id() ORDER BY line_number"
    )
    assert [d[:3] for d in detail] == [(2, "id", 1207), (3, "name", 1204), (4, "name", 1204)]
    assert {d[4] for d in detail} == {target.rows("SELECT 't'::regclass::oid::int")[0][0]}
    assert target.rows("SELECT pg_last_copy_count()") == [(2,)]


def test_a_failed_copy_loads_nothing_and_reports_redshifts_message(target):
    put(target.s3, "bad/rows.txt", BAD_ROWS)
    with pytest.raises(StatementError) as failed:
        copy(target, "bad/rows.txt", "MAXERROR 3")  # the third error reaches MAXERROR
    message = str(failed.value)
    assert message.startswith(
        "Load into table 't' failed.  Check 'stl_load_errors' system table for details. "
        f"(line 4 of s3://{BUCKET}/bad/rows.txt, column name: String length exceeds DDL length"
    )
    assert failed.value.sqlstate == "XX000"
    assert rows(target) == []
    assert [e[0] for e in load_errors(target)] == [2, 3, 4]
    assert target.rows("SELECT pg_last_copy_count()") == [(0,)]
    # without MAXERROR the first error fails the load
    with pytest.raises(
        StatementError, match=r"failed\.  Check .*\(line 2 of .*column id: Invalid digit"
    ):
        copy(target, "bad/rows.txt")


def test_pg_last_copy_count_and_id_follow_the_session(target):
    load_history.ensure(target.db)  # as on connect (the fixture emptied the database since)
    assert target.rows("SELECT pg_last_copy_count(), pg_last_copy_id()") == [(0, -1)]
    put(target.s3, "ok/a.txt", b"1|a||\n2|b||\n")
    copy(target, "ok/a.txt")
    first = target.rows("SELECT pg_last_copy_id()")[0][0]
    assert target.rows("SELECT pg_last_copy_count()") == [(2,)]
    copy(target, "ok/a.txt")
    assert target.rows("SELECT pg_last_copy_count(), pg_last_copy_id() > %d" % first) == [(2, True)]


# --- conversions


@pytest.mark.parametrize(
    "option, value, loaded",
    [
        ("DATEFORMAT 'MM-DD-YYYY'", "03-31-2003", "2003-03-31"),
        ("DATEFORMAT 'MON DD, YYYY'", "March 31, 2003", "2003-03-31"),
        ("DATEFORMAT 'MON DD, YYYY'", "mar 1, 2003", "2003-03-01"),
        ("DATEFORMAT AS 'DD/MM/YY'", "31/03/03", "2003-03-31"),
        ("DATEFORMAT 'YYYYMMDD'", "20030331", "2003-03-31"),
        ("DATEFORMAT 'auto'", "03/31/2003", "2003-03-31"),
        ("DATEFORMAT 'auto'", "2003-03-31", "2003-03-31"),
        ("DATEFORMAT 'auto'", "J2452730", "2003-03-31"),
    ],
)
def test_dateformat(target, option, value, loaded):
    put(target.s3, "d/a.txt", f"1|a||{value}\n".encode())
    copy(target, "d/a.txt", option)
    assert rows(target)[0][3] == loaded


@pytest.fixture
def times(redshift):
    redshift.run("CREATE TABLE ts (id int, at timestamp)")
    return redshift


@pytest.mark.parametrize(
    "option, value, loaded",
    [
        ("TIMEFORMAT 'MM/DD/YYYY HH:MI:SS'", "2/18/2008 02:36:48", "2008-02-18 02:36:48"),
        ("TIMEFORMAT 'MM.DD.YYYY HH12:MI:SS AM'", "03.31.2003 06:45:05 PM", "2003-03-31 18:45:05"),
        ("TIMEFORMAT 'YYYY-MM-DD HH24:MI:SS'", "2003-03-31 18:45:05.123", "2003-03-31 18:45:05.123"),
        ("TIMEFORMAT 'epochsecs'", "1049136305", "2003-03-31 18:45:05"),
        ("TIMEFORMAT 'epochmillisecs'", "1049136305123", "2003-03-31 18:45:05.123"),
        ("TIMEFORMAT 'auto'", "2003-03-31T18:45:05", "2003-03-31 18:45:05"),
        ("TIMEFORMAT AS 'auto'", "19960108 040809", "1996-01-08 04:08:09"),
    ],
)  # fmt: skip
def test_timeformat(times, option, value, loaded):
    put(times.s3, "ts/a.txt", f"1|{value}\n".encode())
    copy(times, "ts/a.txt", option, table="ts")
    assert times.rows("SELECT at::text FROM ts")[0][0] == loaded


def test_a_value_not_in_the_timeformat_is_a_load_error(times):
    put(times.s3, "ts/a.txt", b"1|2008-02-18 02:36:48\n")
    with pytest.raises(
        StatementError, match=r"Invalid timestamp format or value \[MM/DD/YYYY HH:MI:SS\]"
    ):
        copy(times, "ts/a.txt", "TIMEFORMAT 'MM/DD/YYYY HH:MI:SS'", table="ts")
    assert load_errors(times)[0][:3] == (1, "at", 1206)


def test_acceptinvchars_replaces_each_invalid_byte(target):
    put(target.s3, "u/a.txt", b"1|ok\xff\xfeok||\n")
    with pytest.raises(StatementError, match="String contains invalid or unsupported UTF8"):
        copy(target, "u/a.txt")
    copy(target, "u/a.txt", "ACCEPTINVCHARS AS '^'")
    copy(target, "u/a.txt", "ACCEPTINVCHARS")
    assert [r[1] for r in rows(target)] == ["ok^^ok", "ok??ok"]


def test_truncatecolumns_cuts_at_the_byte_width(target):
    target.run("CREATE TABLE city (name varchar(6))")
    put(target.s3, "c/a.txt", "Zürich\n".encode())
    with pytest.raises(StatementError, match="String length exceeds DDL length"):
        copy(target, "c/a.txt", table="city")  # 7 bytes: Redshift's VARCHAR counts bytes
    copy(target, "c/a.txt", "TRUNCATECOLUMNS", table="city")
    assert target.rows("SELECT name FROM city") == [("Züric",)]


def test_escape_and_removequotes(target):
    target.run("ALTER TABLE t ALTER COLUMN name TYPE varchar(100)")
    put(
        target.s3,
        "e/a.txt",
        b"1|The quick brown fox\\\njumped over the lazy dog.||\n"
        b"2|A\\|B\\|C||\n"
        b"3|'A Midsummer Night\\'s Dream'||\n"
        b"4|back\\\\slash||\n",
    )
    copy(target, "e/a.txt", "ESCAPE REMOVEQUOTES")
    assert [r[1] for r in rows(target)] == [
        "The quick brown fox\njumped over the lazy dog.",
        "A|B|C",
        "A Midsummer Night's Dream",
        "back\\slash",
    ]
    target.run("TRUNCATE t")
    put(target.s3, "q/a.txt", b'1|"a|b"||\n2|\'unterminated||\n')
    copy(target, "q/a.txt", "REMOVEQUOTES MAXERROR 2")
    assert [r[1] for r in rows(target)] == ["a|b"]
    assert load_errors(target)[0][:3] == (2, "", 1216)


def test_fillrecord_and_field_counts(target):
    put(target.s3, "f/a.txt", b"1|a\n2|b|2.5\n")
    with pytest.raises(StatementError, match=r"line 1 .*Delimiter not found"):
        copy(target, "f/a.txt")
    copy(target, "f/a.txt", "FILLRECORD")
    assert rows(target) == [("1", "a", None, None), ("2", "b", "2.50", None)]
    put(target.s3, "f/b.txt", b"1|a|1|2015-01-01|extra\n")
    with pytest.raises(StatementError, match="Extra column"):
        copy(target, "f/b.txt")


def test_trailing_delimiter_with_default_columns(redshift):
    # AWS's COPY examples, "Load data from a file with default values" (r_COPY_command_examples.html)
    redshift.run(
        "create table venue_new(venueid smallint not null, venuename varchar(100) not null,"
        " venuecity varchar(30), venuestate char(2), venueseats integer not null default '1000')"
    )
    put(redshift.s3, "data/venue_noseats.txt", b"1|Toyota Park|Bridgeview|IL|\n"
        b"2|Columbus Crew Stadium|Columbus|OH|\n9|Dick's Sporting Goods Park|Commerce City|CO|\n")  # fmt: skip
    redshift.run(
        "copy venue_new(venueid, venuename, venuecity, venuestate)"
        f" from 's3://{BUCKET}/data/venue_noseats.txt' {AUTH} delimiter '|'"
    )
    assert redshift.rows("select venueid, venuename, venueseats from venue_new order by 1") == [
        (1, "Toyota Park", 1000),
        (2, "Columbus Crew Stadium", 1000),
        (9, "Dick's Sporting Goods Park", 1000),
    ]


def test_fixedwidth(redshift):
    # AWS's COPY examples, "Load VENUE from a fixed-width data file" (r_COPY_command_examples.html)
    redshift.run(
        "create table venue (venueid smallint, venuename varchar(100), venuecity varchar(30),"
        " venuestate char(2), venueseats integer)"
    )
    put(redshift.s3, "data/venue_fw.txt",
        b"1  Toyota Park              Bridgeview  IL0\n"
        b"2  Columbus Crew Stadium    Columbus    OH0\n"
        b"7  BMO Field                Toronto     ON0\n")  # fmt: skip
    redshift.run(
        f"copy venue from 's3://{BUCKET}/data/venue_fw.txt' {AUTH}"
        " fixedwidth 'venueid:3,venuename:25,venuecity:12,venuestate:2,venueseats:6'"
    )
    assert redshift.rows("select venueid, rtrim(venuename), venuestate, venueseats from venue") == [
        (1, "Toyota Park", "IL", 0),
        (2, "Columbus Crew Stadium", "OH", 0),
        (7, "BMO Field", "ON", 0),
    ]


def test_json_jsonpaths_with_gzip(redshift):
    # AWS's COPY examples, "Load from JSON data using a JSONPaths file" (r_COPY_command_examples.html)
    redshift.run(
        "create table category (catid smallint, catgroup varchar(10), catname varchar(10),"
        " catdesc varchar(50))"
    )
    paths = {"jsonpaths": ["$['id']", "$['group']", "$['name']", "$['description']"]}
    put(redshift.s3, "jsonpaths/category_jsonpath.json", json.dumps(paths).encode())
    data = (
        '{"id": 1, "group": "Sports", "name": "MLB", "description": "Major League Baseball"}\n'
        '{"id": 2,\n "group": "Sports", "name": "NHL", "description": "National Hockey League"}\n'
        '{"id": 9, "group": "Concerts", "name": "Pop"}\n'
    )
    put(redshift.s3, "category_object_paths.json.gz", gzip.compress(data.encode()))
    redshift.run(
        f"copy category from 's3://{BUCKET}/category_object_paths.json.gz' {AUTH}"
        f" json 's3://{BUCKET}/jsonpaths/category_jsonpath.json' gzip"
    )
    assert redshift.rows("select * from category order by catid") == [
        (1, "Sports", "MLB", "Major League Baseball"),
        (2, "Sports", "NHL", "National Hockey League"),
        (9, "Concerts", "Pop", None),
    ]
    redshift.run("truncate category")
    put(redshift.s3, "auto.json.gz", gzip.compress(b'{"catid": 3, "catname": "NFL"}'))
    redshift.run(
        f"copy category from 's3://{BUCKET}/auto.json.gz' {AUTH} format as json 'auto' gzip"
    )
    assert redshift.rows("select catid, catname from category") == [(3, "NFL")]


def test_blank_lines_trimblanks_and_decimal_scale(target):
    put(target.s3, "b/a.txt", b"1|a  |20.259|\n\n2|b|1.5|\n")
    copy(target, "b/a.txt", "IGNOREBLANKLINES TRIMBLANKS")
    # COPY truncates digits past the scale (INSERT rounds); ROUNDEC rounds
    assert rows(target) == [("1", "a", "20.25", None), ("2", "b", "1.50", None)]
    target.run("TRUNCATE t")
    copy(target, "b/a.txt", "IGNOREBLANKLINES ROUNDEC")
    assert rows(target)[0][1:3] == ("a  ", "20.26")


def test_noload_checks_every_row_and_loads_nothing(target):
    put(target.s3, "n/a.txt", b"1|a||\n2|b||\n")
    result = copy(target, "n/a.txt", "NOLOAD")
    assert result.rows == 0 and "2 row(s) checked" in result.detail
    assert rows(target) == []


def test_parse_checks_a_copy_without_the_database_or_s3():
    from local_redshift.copy_from_s3 import parse

    command = parse(
        "COPY sales FROM 's3://b/tickit/sales_tab.txt' IAM_ROLE default DELIMITER '\\t'"
        " TIMEFORMAT 'MM/DD/YYYY HH:MI:SS' REGION 'us-east-1'"
    )
    assert (command.table, command.format, command.options["TIMEFORMAT"]) == (
        "sales", "TEXT", "MM/DD/YYYY HH:MI:SS")  # fmt: skip
    with pytest.raises(EmulationError, match="'Q' is not a datepart"):
        parse("COPY t FROM 's3://b/k' IAM_ROLE default DATEFORMAT 'YYYY-Q'")
    with pytest.raises(EmulationError, match="can't include a time zone specifier"):
        parse("COPY t FROM 's3://b/k' IAM_ROLE default TIMEFORMAT 'YYYY-MM-DD HH:MI:SSOF'")
    with pytest.raises(EmulationError, match="CSV can't be used with ESCAPE"):
        parse("COPY t FROM 's3://b/k' IAM_ROLE default CSV ESCAPE")
    with pytest.raises(NotEmulatedError, match="COPY ACCEPTANYDATE"):
        parse("COPY t FROM 's3://b/k' IAM_ROLE default ACCEPTANYDATE")


# --- AWS's TICKIT tutorial, as written


# The table DDL and COPY commands of the Amazon Redshift Getting Started Guide, "Load data
# from Amazon S3 to Amazon Redshift" (https://docs.aws.amazon.com/redshift/latest/gsg/
# rs-gsg-create-sample-db.html), with the bucket and region of this test. The data files
# are generated in the tutorial files' formats (pipe-delimited, TRUE/FALSE booleans, empty
# fields, sales_tab.txt tab-delimited with times like 2/18/2008 02:36:48).
TICKIT_DDL = """
create table users(
	userid integer not null distkey sortkey,
	username char(8),
	firstname varchar(30),
	lastname varchar(30),
	city varchar(30),
	state char(2),
	email varchar(100),
	phone char(14),
	likesports boolean,
	liketheatre boolean,
	likeconcerts boolean,
	likejazz boolean,
	likeclassical boolean,
	likeopera boolean,
	likerock boolean,
	likevegas boolean,
	likebroadway boolean,
	likemusicals boolean);
create table venue(
	venueid smallint not null distkey sortkey,
	venuename varchar(100),
	venuecity varchar(30),
	venuestate char(2),
	venueseats integer);
create table category(
	catid smallint not null distkey sortkey,
	catgroup varchar(10),
	catname varchar(10),
	catdesc varchar(50));
create table date(
	dateid smallint not null distkey sortkey,
	caldate date not null,
	day character(3) not null,
	week smallint not null,
	month character(5) not null,
	qtr character(5) not null,
	year smallint not null,
	holiday boolean default('N'));
create table event(
	eventid integer not null distkey,
	venueid smallint not null,
	catid smallint not null,
	dateid smallint not null sortkey,
	eventname varchar(200),
	starttime timestamp);
create table listing(
	listid integer not null distkey,
	sellerid integer not null,
	eventid integer not null,
	dateid smallint not null  sortkey,
	numtickets smallint not null,
	priceperticket decimal(8,2),
	totalprice decimal(8,2),
	listtime timestamp);
create table sales(
	salesid integer not null,
	listid integer not null distkey,
	sellerid integer not null,
	buyerid integer not null,
	eventid integer not null,
	dateid smallint not null sortkey,
	qtysold smallint not null,
	pricepaid decimal(8,2),
	commission decimal(8,2),
	saletime timestamp)
"""

TICKIT_COPY = """
copy users from 's3://{bucket}/tickit/allusers_pipe.txt' iam_role default delimiter '|' region 'us-east-1';
copy venue from 's3://{bucket}/tickit/venue_pipe.txt' iam_role default delimiter '|' region 'us-east-1';
copy category from 's3://{bucket}/tickit/category_pipe.txt' iam_role default delimiter '|' region 'us-east-1';
copy date from 's3://{bucket}/tickit/date2008_pipe.txt' iam_role default delimiter '|' region 'us-east-1';
copy event from 's3://{bucket}/tickit/allevents_pipe.txt' iam_role default delimiter '|' timeformat 'YYYY-MM-DD HH:MI:SS' region 'us-east-1';
copy listing from 's3://{bucket}/tickit/listings_pipe.txt' iam_role default delimiter '|' region 'us-east-1';
copy sales from 's3://{bucket}/tickit/sales_tab.txt' iam_role default delimiter '\\t' timeformat 'MM/DD/YYYY HH:MI:SS' region 'us-east-1'
"""


def tickit_files(rows):
    users = "".join(
        f"{i}|JSG{i:05d}|Rafael|Taylor|Kent|WA|user{i}@example.edu|(664) 602-4412"
        f"|{'TRUE' if i % 2 else 'FALSE'}|FALSE||TRUE|||FALSE|TRUE||\n"
        for i in range(1, rows + 1)
    )
    venue = "1|Toyota Park|Bridgeview|IL|0\n2|Columbus Crew Stadium|Columbus|OH|0\n"
    category = (
        "1|Sports|MLB|Major League Baseball\n9|Concerts|Pop|All rock and pop music concerts\n"
    )
    date = "1827|2008-01-01|TU|1|JAN|1|2008|TRUE\n1828|2008-01-02|W|1|JAN|1|2008|FALSE\n"
    event = "".join(
        f"{i}|{1 + i % 2}|{1 if i % 2 else 9}|1827|Event {i}|2008-01-25 14:30:00\n"
        for i in range(1, rows + 1)
    )
    listing = "".join(
        f"{i}|{i}|{i}|1828|10|728.00|7280.00|2008-01-24 06:43:29\n" for i in range(1, rows + 1)
    )
    sales = "".join(
        f"{i}\t{i}\t{i}\t{rows + 1 - i}\t{i}\t1828\t4\t728.00\t109.20\t2/{1 + i % 28}/2008 {i % 24:02d}:36:48\n"
        for i in range(1, rows + 1)
    )
    return {
        "allusers_pipe.txt": users,
        "venue_pipe.txt": venue,
        "category_pipe.txt": category,
        "date2008_pipe.txt": date,
        "allevents_pipe.txt": event,
        "listings_pipe.txt": listing,
        "sales_tab.txt": sales,
    }


def test_the_tickit_tutorial_loads_as_written(redshift):
    from sqlrunner.splitter import split

    for name, text in tickit_files(500).items():
        put(redshift.s3, f"tickit/{name}", text.encode())
    for statement in split(TICKIT_DDL):
        redshift.run(statement.text)
    for statement in split(TICKIT_COPY.format(bucket=BUCKET)):
        redshift.run(statement.text)
    counts = redshift.rows(
        "select (select count(*) from users), (select count(*) from venue),"
        " (select count(*) from category), (select count(*) from date),"
        " (select count(*) from event), (select count(*) from listing),"
        " (select count(*) from sales)"
    )
    assert counts == [(500, 2, 2, 2, 500, 500, 500)]
    assert redshift.rows("select pg_last_copy_count()") == [(500,)]
    assert redshift.rows(
        "select saletime::text, pricepaid::text from sales where salesid in (1, 27) order by 1"
    ) == [("2008-02-02 01:36:48", "728.00"), ("2008-02-28 03:36:48", "728.00")]
    assert redshift.rows(
        "select likesports, liketheatre, likeconcerts from users where userid = 1"
    ) == [(True, False, None)]
    assert redshift.rows("select holiday from date order by dateid") == [(True,), (False,)]


def test_not_null_and_csv_line_numbers(redshift):
    redshift.run("create table nn (id int not null, note varchar(30))")
    put(redshift.s3, "nn/a.csv", b'id,note\n1,"two\nlines"\n,empty id\n3,"x"\n')
    with pytest.raises(
        StatementError, match=r"line 4 of .*Missing data for not-null field \[code 1213\]"
    ):
        redshift.run(f"copy nn from 's3://{BUCKET}/nn/a.csv' {AUTH} csv ignoreheader 1")
    redshift.run(f"copy nn from 's3://{BUCKET}/nn/a.csv' {AUTH} csv ignoreheader 1 maxerror 5")
    assert redshift.rows("select id, note from nn order by id") == [(1, "two\nlines"), (3, "x")]
    assert redshift.rows(
        "select line_number, err_code, trim(raw_line) from stl_load_errors where query = pg_last_copy_id()"
    ) == [(4, 1213, ",empty id")]
