"""COPY FROM S3: formats, compression, manifests, prefixes and Redshift's NULL rules,
checked on the rows that land in PostgreSQL."""

import bz2
import gzip
import json

import pyarrow as pa
import pytest

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
        (f"COPY t FROM 's3://{BUCKET}/x' IAM_ROLE default ESCAPE", "COPY ESCAPE"),
        (f"COPY t FROM 's3://{BUCKET}/x' IAM_ROLE default MAXERROR 10", "COPY MAXERROR"),
        (f"COPY t FROM 's3://{BUCKET}/x' IAM_ROLE default FORMAT AS AVRO 'auto'", "FORMAT AVRO"),
        (
            f"COPY t FROM 's3://{BUCKET}/x' IAM_ROLE default JSON 's3://b/paths.json'",
            "JSON 's3://b/paths.json'",
        ),
        (f"COPY t FROM 's3://{BUCKET}/x' IAM_ROLE default LZOP", "COPY LZOP"),
        (
            f"COPY t FROM 's3://{BUCKET}/x' IAM_ROLE default DATEFORMAT 'MM/DD/YYYY'",
            "COPY DATEFORMAT",
        ),
    ],
)
def test_unemulated_copy_forms_fail_by_name(target, sql, what):
    with pytest.raises(
        NotEmulatedError,
        match="not emulated locally: " + what.replace("(", "\\(").replace(".", "\\."),
    ):
        target.run(sql)
