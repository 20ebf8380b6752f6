"""`-- @owns`: after a run, the owned prefix holds exactly that run's output.

UNLOAD ... PARTITION BY ... CLEANPATH (here through the local Redshift emulation, into
moto's S3) only cleans the partitions it writes, as Redshift's does: a day that lost a
partition kept the old partition's file. With the directive, the rerun removes it, and
leaves everything outside the prefix alone.
"""

import time

import pytest

from .conftest import put

DATA_BUCKET = "etl-data"
REPORT = "s3://etl-data/reports/helpful/"
UNLOAD = """-- @param run_date date
-- @param report_uri s3_uri
-- @owns ${report_uri}run_date=${run_date}/
UNLOAD ('SELECT category, n FROM owned_reviews ORDER BY n')
TO '${report_uri}run_date=${run_date}/'
IAM_ROLE default
FORMAT AS PARQUET
PARTITION BY (category)
CLEANPATH;
"""
PARAMS = '{"run_date": "2026-11-25", "report_uri": "s3://etl-data/reports/helpful/"}'


def keys(s3, prefix=""):
    listed = s3.list_objects_v2(Bucket=DATA_BUCKET, Prefix=prefix).get("Contents", [])
    return sorted(item["Key"] for item in listed)


@pytest.fixture
def report(aws, db):
    s3, _ = aws
    s3.create_bucket(Bucket=DATA_BUCKET)
    # neighbours the run must never touch: another date, a look-alike prefix
    for key in (
        "reports/helpful/run_date=2026-11-24/category=B/0000_part_00.parquet",
        "reports/helpful/run_date=2026-11-250/keep.txt",
        "reports/helpful/run_date=2026-11-25.txt",
    ):
        s3.put_object(Bucket=DATA_BUCKET, Key=key, Body=b"neighbour")
    db.query("DROP TABLE IF EXISTS owned_reviews")
    db.query("CREATE TABLE owned_reviews (category text, n int)")
    db.query("INSERT INTO owned_reviews VALUES ('A', 1), ('B', 2)")
    return s3


def test_a_rerun_removes_the_partition_its_day_lost(report, db, database, runner):
    s3 = report
    key = put(s3, "sql/demo/unload_owned.sql", UNLOAD)
    code, _, _, err = runner.run(database, key, PARAMS)
    assert code == 0, err
    day = "reports/helpful/run_date=2026-11-25/"
    first = keys(s3, day)
    assert [k.split("/")[3] for k in first] == ["category=A", "category=B"]
    neighbours = [k for k in keys(s3) if not k.startswith(day)]

    db.query("DELETE FROM owned_reviews WHERE category = 'B'")
    time.sleep(1.1)  # S3 dates are to the second: the rerun starts a second later
    code, summary, lines, err = runner.run(database, key, PARAMS)
    assert code == 0, err
    assert [k.split("/")[3] for k in keys(s3, day)] == ["category=A"]
    assert summary["owned"] == {f"{REPORT}run_date=2026-11-25/": {"removed": 1}}
    assert any("removed 1 object(s) this run did not write: category=B/" in line for line in lines)
    assert [k for k in keys(s3) if not k.startswith(day)] == neighbours


def test_a_failed_run_removes_nothing(report, db, database, runner):
    s3 = report
    key = put(s3, "sql/demo/unload_owned.sql", UNLOAD)
    assert runner.run(database, key, PARAMS)[0] == 0
    before = keys(s3)
    db.query("DELETE FROM owned_reviews WHERE category = 'B'")
    time.sleep(1.1)
    failing = put(s3, "sql/demo/unload_then_fail.sql", UNLOAD + "SELECT * FROM no_such_table;\n")
    code, summary, _, _ = runner.run(database, failing, PARAMS)
    assert code == 1 and "owned" not in summary
    day = "reports/helpful/run_date=2026-11-25/"
    assert [k.split("/")[3] for k in keys(s3, day)] == ["category=A", "category=B"]
    assert len(keys(s3)) == len(before)


@pytest.mark.parametrize(
    "directive, problem",
    [
        ("-- @owns ${report_uri}a--b/", ":3: @owns 's3://etl-data/reports/helpful/a--b/' must"),
        ("-- @owns ${report_uri} x/", ":3: expected '-- @owns s3://bucket/prefix/'"),
        ("-- @owns s3://etl-data/", ":3: @owns 's3://etl-data/' must be an s3://bucket/prefix/"),
        ("-- @owns ${report_uri}x", ":3: @owns 's3://etl-data/reports/helpful/x' must be"),
        ("-- @owns ${nope}/", ":3: placeholder ${nope} is not declared with -- @param"),
        ("-- @owns", ":3: expected '-- @owns s3://bucket/prefix/'"),
    ],
)
def test_bad_owned_prefixes_are_bad_input_before_anything_runs(
    aws, database, runner, directive, problem
):
    s3, _ = aws
    sql = "-- @param run_date date\n-- @param report_uri s3_uri\n" + directive + "\nSELECT 1;\n"
    key = put(s3, "sql/demo/bad_owns.sql", sql)
    code, summary, _, err = runner.run(database, key, PARAMS, secret="never-read")
    assert code == 2 and problem in err, err
    assert "engine" not in summary
