"""UNLOAD against local S3: each option checked on the real files it writes (names,
contents, manifests, partitions, compression, headers), and each refused form by name."""

import bz2
import gzip
import json

import pyarrow as pa
import pytest

from sqlrunner.errors import EmulationError, NotEmulatedError

from .conftest import BUCKET, ROLE, get, keys, put, read_parquet

AUTH = f"IAM_ROLE '{ROLE}'"


@pytest.fixture
def venue(redshift):
    redshift.run(
        "CREATE TABLE venue (id int, name varchar(40), city varchar(20), seats int, open boolean,"
        " price numeric(8,2), opened date, updated timestamp)"
    )
    redshift.run(
        "INSERT INTO venue VALUES"
        " (1, 'Pinewood Race|track', 'Akron', 0, true, 12.50, '2008-01-04', '2008-01-04 10:11:12'),"
        " (2, 'Columbus \"Crew\" Stadium', 'Columbus', NULL, false, NULL, NULL, NULL),"
        " (3, 'Community, Ballpark', NULL, 7, true, 3.00, '2009-02-01', '2009-02-01 00:00:00'),"
        " (4, E'Back\\\\slash\\nnew line', 'Kansas City', 8, NULL, 1.25, '2010-03-05', NULL)"
    )
    return redshift


def unload(redshift, query, to, options=""):
    sql = f"UNLOAD ('{query}') TO 's3://{BUCKET}/{to}' {AUTH} {options}"
    return redshift.run(sql)


def test_default_is_pipe_delimited_text_with_redshift_file_names(venue):
    result = unload(venue, "select * from venue order by id", "unload/venue_")
    assert result.rows == 4
    assert keys(venue.s3, "unload/") == ["unload/venue_0000_part_00"]
    assert get(venue.s3, "unload/venue_0000_part_00") == (
        b"1|Pinewood Race|track|Akron|0|t|12.50|2008-01-04|2008-01-04 10:11:12\n"
        b'2|Columbus "Crew" Stadium|Columbus||f|||\n'
        b"3|Community, Ballpark||7|t|3.00|2009-02-01|2009-02-01 00:00:00\n"
        b"4|Back\\slash\nnew line|Kansas City|8||1.25|2010-03-05|\n"
    )


def test_escape_null_as_delimiter_and_header(venue):
    unload(
        venue,
        "select id, name, city from venue where id in (1, 4) order by id",
        "esc/v_",
        "ESCAPE NULL AS 'fred' DELIMITER AS '\\t' HEADER",
    )
    assert get(venue.s3, "esc/v_0000_part_00") == (
        b"id\tname\tcity\n1\tPinewood Race|track\tAkron\n4\tBack\\\\slash\\\nnew line\tKansas City\n"
    )


def test_csv_quotes_like_redshift_and_repeats_the_header(venue):
    unload(
        venue, "select id, name, city from venue order by id", "csv/v_", "CSV HEADER PARALLEL OFF"
    )
    assert keys(venue.s3, "csv/") == ["csv/v_000"]
    assert get(venue.s3, "csv/v_000") == (
        b"id,name,city\n"
        b"1,Pinewood Race|track,Akron\n"
        b'2,"Columbus ""Crew"" Stadium",Columbus\n'
        b'3,"Community, Ballpark",\n'
        b'4,"Back\\slash\nnew line",Kansas City\n'
    )


def test_parquet_keeps_types(venue):
    unload(venue, "select * from venue order by id", "pq/v_", "FORMAT AS PARQUET")
    assert keys(venue.s3, "pq/") == ["pq/v_0000_part_00.parquet"]
    table = read_parquet(get(venue.s3, "pq/v_0000_part_00.parquet"))
    assert table.schema.field("id").type == pa.int32()
    assert table.schema.field("price").type == pa.decimal128(8, 2)
    assert table.schema.field("opened").type == pa.date32()
    assert table.schema.field("updated").type == pa.timestamp("us")
    assert table.schema.field("open").type == pa.bool_()
    rows = table.to_pylist()
    assert rows[1]["name"] == 'Columbus "Crew" Stadium' and rows[1]["seats"] is None
    assert rows[3]["name"] == "Back\\slash\nnew line"
    assert str(rows[0]["price"]) == "12.50" and str(rows[0]["updated"]) == "2008-01-04 10:11:12"


def test_partition_by_writes_hive_folders(venue):
    venue.run("UPDATE venue SET city = 'A/B' WHERE id = 1")
    unload(
        venue,
        "select id, name, city, open from venue",
        "part/",
        "PARQUET PARTITION BY (city, open)",
    )
    assert keys(venue.s3, "part/") == [
        "part/city=A%2FB/open=true/0000_part_00.parquet",
        "part/city=Columbus/open=false/0000_part_00.parquet",
        "part/city=Kansas City/open=__HIVE_DEFAULT_PARTITION__/0000_part_00.parquet",
        "part/city=__HIVE_DEFAULT_PARTITION__/open=true/0000_part_00.parquet",
    ]
    table = read_parquet(get(venue.s3, "part/city=Columbus/open=false/0000_part_00.parquet"))
    assert table.column_names == ["id", "name"]  # partition columns are not in the files
    assert table.to_pylist() == [{"id": 2, "name": 'Columbus "Crew" Stadium'}]
    unload(venue, "select id, city from venue", "incl", "PARTITION BY (city) INCLUDE HEADER")
    assert get(venue.s3, "incl/city=Columbus/0000_part_00") == b"id|city\n2|Columbus\n"


def test_manifest_and_manifest_verbose(venue):
    unload(venue, "select id, name from venue", "m/v_", "MANIFEST")
    manifest = json.loads(get(venue.s3, "m/v_manifest"))
    assert manifest == {"entries": [{"url": f"s3://{BUCKET}/m/v_0000_part_00"}]}
    unload(venue, "select id, name, price from venue", "mv/", "MANIFEST VERBOSE HEADER")
    verbose = json.loads(get(venue.s3, "mv/manifest"))
    data = get(venue.s3, "mv/0000_part_00")
    assert verbose["entries"] == [
        {
            "url": f"s3://{BUCKET}/mv/0000_part_00",
            "meta": {"content_length": len(data), "record_count": 5},
        }
    ]
    assert verbose["schema"]["elements"] == [
        {"name": "id", "type": {"base": "integer"}},
        {"name": "name", "type": {"base": "character varying", "max_length": 40}},
        {"name": "price", "type": {"base": "numeric", "precision": 8, "scale": 2}},
    ]
    assert verbose["meta"] == {"content_length": len(data), "record_count": 5}
    assert verbose["author"] == {"name": "Amazon Redshift", "version": "1.0.0"}


@pytest.mark.parametrize(
    "option, suffix, decompress",
    [
        ("GZIP", ".gz", gzip.decompress),
        ("BZIP2", ".bz2", bz2.decompress),
        ("ZSTD", ".zst", None),
    ],
)
def test_compression_suffixes_and_streams(venue, option, suffix, decompress):
    unload(venue, "select id, city from venue order by id", "z/v_", option)
    (key,) = keys(venue.s3, "z/")
    assert key == f"z/v_0000_part_00{suffix}"
    data = get(venue.s3, key)
    if decompress is None:  # Zstandard: several frames, read as one stream
        data = pa.CompressedInputStream(pa.BufferReader(data), "zstd").read()
    else:
        data = decompress(data)
    assert data == b"1|Akron\n2|Columbus\n3|\n4|Kansas City\n"


def test_extension_replaces_the_suffix(venue):
    unload(venue, "select id from venue", "ext/v_", "EXTENSION 'txt.gz' GZIP")
    assert keys(venue.s3, "ext/") == ["ext/v_0000_part_00.txt.gz"]
    assert gzip.decompress(get(venue.s3, "ext/v_0000_part_00.txt.gz")).count(b"\n") == 4


def test_maxfilesize_splits_at_row_boundaries(redshift):
    redshift.run(
        "CREATE TABLE big AS SELECT g AS id, repeat('x', 100) AS pad FROM generate_series(1, 60000) g"
    )
    unload(redshift, "select * from big order by id", "big/b_", "MAXFILESIZE 5 MB")
    names = keys(redshift.s3, "big/")
    assert names == ["big/b_0000_part_00", "big/b_0000_part_01"]
    parts = [get(redshift.s3, name) for name in names]
    assert all(len(p) <= 5 * 1024 * 1024 for p in parts)
    assert all(p.endswith(b"\n") for p in parts)
    lines = b"".join(parts).splitlines()
    assert len(lines) == 60000 and lines[0].startswith(b"1|") and lines[-1].startswith(b"60000|")
    unload(
        redshift, "select * from big order by id", "big/serial_", "PARALLEL OFF MAXFILESIZE AS 5"
    )
    assert keys(redshift.s3, "big/serial_") == ["big/serial_000", "big/serial_001"]


def test_existing_files_need_allowoverwrite_and_rerun_is_identical(venue):
    unload(venue, "select * from venue order by id", "ow/v_", "MANIFEST")
    before = {k: get(venue.s3, k) for k in keys(venue.s3, "ow/")}
    with pytest.raises(EmulationError, match="already exists; add ALLOWOVERWRITE"):
        unload(venue, "select * from venue order by id", "ow/v_", "MANIFEST")
    unload(venue, "select * from venue order by id", "ow/v_", "MANIFEST ALLOWOVERWRITE")
    assert {k: get(venue.s3, k) for k in keys(venue.s3, "ow/")} == before


def test_cleanpath_removes_what_the_prefix_held(venue):
    put(venue.s3, "cp/v_0000_part_07", b"stale")
    put(venue.s3, "cp/v_other", b"stale too")
    put(venue.s3, "cpx/keep", b"not under the prefix")
    unload(venue, "select id from venue", "cp/v_", "CLEANPATH")
    assert keys(venue.s3, "cp") == ["cp/v_0000_part_00", "cpx/keep"]
    # with PARTITION BY only the folders written to are cleaned
    put(venue.s3, "cpp/city=Akron/old.parquet", b"stale")
    put(venue.s3, "cpp/city=Elsewhere/old.parquet", b"kept")
    unload(
        venue,
        "select id, city from venue where id = 1",
        "cpp/",
        "PARQUET PARTITION BY (city) CLEANPATH",
    )
    assert keys(venue.s3, "cpp/") == [
        "cpp/city=Akron/0000_part_00.parquet",
        "cpp/city=Elsewhere/old.parquet",
    ]


def test_empty_result_writes_one_empty_text_file_and_no_parquet(venue):
    unload(venue, "select * from venue where false", "empty/t_", "HEADER")
    assert (
        get(venue.s3, "empty/t_0000_part_00") == b"id|name|city|seats|open|price|opened|updated\n"
    )
    unload(venue, "select * from venue where false", "empty/p_", "PARQUET MANIFEST")
    assert json.loads(get(venue.s3, "empty/p_manifest")) == {"entries": []}
    assert keys(venue.s3, "empty/p_") == ["empty/p_manifest"]


def test_quoted_literals_in_the_query(venue):
    venue.run(
        f"UNLOAD ('select id from venue where city = ''Akron''') TO 's3://{BUCKET}/q/' {AUTH}"
    )
    venue.run(
        f"UNLOAD ('select id from venue where city = \\'Columbus\\'') TO 's3://{BUCKET}/q2/' {AUTH}"
    )
    assert get(venue.s3, "q/0000_part_00") == b"1\n"
    assert get(venue.s3, "q2/0000_part_00") == b"2\n"


@pytest.mark.parametrize(
    "query, options, message",
    [
        ("select * from venue limit 10", "", "can't use LIMIT in its outer SELECT"),
        ("select * from venue", "PARQUET DELIMITER '|'", "PARQUET can't be used with DELIMITER"),
        ("select * from venue", "PARQUET HEADER", "PARQUET can't be used with HEADER"),
        ("select * from venue", "PARQUET GZIP", "PARQUET can't be used with COMPRESSION"),
        (
            "select * from venue",
            "CLEANPATH ALLOWOVERWRITE",
            "CLEANPATH can't be used with ALLOWOVERWRITE",
        ),
        ("select * from venue", "MAXFILESIZE 4 MB", "MAXFILESIZE must be between 5 MB"),
        ("select * from venue", "MAXFILESIZE 7 GB", "MAXFILESIZE must be between 5 MB"),
        ("select * from venue", "ROWGROUPSIZE 64 MB", "ROWGROUPSIZE needs FORMAT PARQUET"),
        (
            "select * from venue",
            "PARTITION BY (nope)",
            "PARTITION BY column 'nope' is not in the query",
        ),
        (
            "select id from venue",
            "PARTITION BY (id)",
            "at least one column that is not a partition column",
        ),
        ("select * from venue", "GZIP GZIP", "COMPRESSION is given twice"),
        ("select * from venue", "SOMETHING", "unknown UNLOAD option"),
    ],
)
def test_statements_redshift_refuses(venue, query, options, message):
    with pytest.raises(EmulationError, match=message):
        unload(venue, query, "refused/", options)
    assert keys(venue.s3, "refused/") == []


def test_authorization_is_required(venue):
    with pytest.raises(EmulationError, match="needs authorization"):
        venue.run(f"UNLOAD ('select 1') TO 's3://{BUCKET}/noauth/'")
    with pytest.raises(EmulationError, match="is not a role ARN"):
        venue.run(f"UNLOAD ('select 1') TO 's3://{BUCKET}/noauth/' IAM_ROLE 'nonsense'")
    venue.run(f"UNLOAD ('select 1') TO 's3://{BUCKET}/auth/' IAM_ROLE default")
    venue.run(
        f"UNLOAD ('select 1') TO 's3://{BUCKET}/auth2/' ACCESS_KEY_ID 'a' SECRET_ACCESS_KEY 'b'"
    )
    assert keys(venue.s3, "auth") == ["auth/0000_part_00", "auth2/0000_part_00"]


@pytest.mark.parametrize(
    "options, what",
    [
        ("MASTER_SYMMETRIC_KEY 'k' ENCRYPTED", "UNLOAD MASTER_SYMMETRIC_KEY"),
        ("JSON PARTITION BY (city)", "UNLOAD JSON PARTITION BY"),
    ],
)
def test_unemulated_options_fail_by_name(venue, options, what):
    with pytest.raises(NotEmulatedError, match=f"not emulated locally: {what}"):
        unload(venue, "select * from venue", "ne/", options)


def test_json_one_object_per_line(venue):
    # AWS's UNLOAD examples, "Unload the VENUE table to a JSON file" (r_UNLOAD_command_examples.html)
    result = unload(
        venue,
        "select id, name, seats, open, price, opened, updated from venue order by id",
        "json/",
        "JSON",
    )
    assert result.rows == 4
    lines = get(venue.s3, "json/0000_part_00").decode().splitlines()
    assert [json.loads(line) for line in lines] == [
        {"id": 1, "name": "Pinewood Race|track", "seats": 0, "open": "t", "price": 12.50,
         "opened": "2008-01-04", "updated": "2008-01-04 10:11:12"},
        {"id": 2, "name": 'Columbus "Crew" Stadium', "seats": None, "open": "f", "price": None,
         "opened": None, "updated": None},
        {"id": 3, "name": "Community, Ballpark", "seats": 7, "open": "t", "price": 3.00,
         "opened": "2009-02-01", "updated": "2009-02-01 00:00:00"},
        {"id": 4, "name": "Back\\slash\nnew line", "seats": 8, "open": None, "price": 1.25,
         "opened": "2010-03-05", "updated": None},
    ]  # fmt: skip
    unload(venue, "select id from venue where false", "json_empty/", "FORMAT JSON")
    assert keys(venue.s3, "json_empty/") == []  # zero rows: no file
    with pytest.raises(EmulationError, match="JSON can't be used with HEADER"):
        unload(venue, "select 1", "json_bad/", "JSON HEADER")
    with pytest.raises(EmulationError, match="unique name"):
        unload(venue, "select id, id from venue", "json_dup/", "JSON")


def test_fixedwidth(venue):
    # AWS's UNLOAD examples, "Unload VENUE to a fixed-width data file"
    unload(venue, "select id, city, seats from venue order by id", "fw/venue_fw_",
           "FIXEDWIDTH AS 'id:3,city:12,seats:6'")  # fmt: skip
    assert get(venue.s3, "fw/venue_fw_0000_part_00") == (
        b"1  Akron       0     \n"
        b"2  Columbus          \n"
        b"3              7     \n"
        b"4  Kansas City 8     \n"
    )
    with pytest.raises(EmulationError, match="longer than its FIXEDWIDTH width"):
        unload(venue, "select id, city from venue", "fw2/", "FIXEDWIDTH 'id:3,city:4'")
    with pytest.raises(EmulationError, match="FIXEDWIDTH gives 1 fields for 2 columns"):
        unload(venue, "select id, city from venue", "fw3/", "FIXEDWIDTH 'id:3'")


def test_addquotes(venue):
    # AWS's UNLOAD examples, "Unload data that contains a delimiter"
    unload(venue, "select id, name, city from venue where id < 4 order by id", "aq/location_",
           "DELIMITER ',' ADDQUOTES")  # fmt: skip
    assert get(venue.s3, "aq/location_0000_part_00") == (
        b'"1","Pinewood Race|track","Akron"\n'
        b'"2","Columbus "Crew" Stadium","Columbus"\n'
        b'"3","Community, Ballpark",\n'
    )
    unload(venue, "select id, name from venue where id = 2", "aq2/", "ADDQUOTES ESCAPE")
    assert get(venue.s3, "aq2/0000_part_00") == b'"2"|"Columbus \\"Crew\\" Stadium"\n'
    with pytest.raises(EmulationError, match="CSV can't be used with ADDQUOTES"):
        unload(venue, "select 1", "aq3/", "CSV ADDQUOTES")


def test_parse_checks_an_unload_without_the_database_or_s3():
    from local_redshift.unload import parse

    command = parse("UNLOAD ('select * from venue') TO 's3://b/v_' IAM_ROLE default JSON GZIP")
    assert (command.query, command.format, command.options["COMPRESSION"]) == (
        "select * from venue", "JSON", "GZIP")  # fmt: skip
    with pytest.raises(EmulationError, match="LIMIT in its outer SELECT"):
        parse("UNLOAD ('select 1 limit 1') TO 's3://b/x' IAM_ROLE default")
    with pytest.raises(EmulationError, match="PARQUET can't be used with HEADER"):
        parse("UNLOAD ('select 1') TO 's3://b/x' IAM_ROLE default PARQUET HEADER")
