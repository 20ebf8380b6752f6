"""The sample reviews generator: layout, schema, determinism and realism, checked on the
Parquet files it writes to S3 (moto in-process), read back with pyarrow."""

import io
from collections import Counter
from datetime import date

import boto3
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from moto import mock_aws

from infra.local import sample_data
from infra.local.sample_data import CATEGORIES, SCHEMA, generate

BUCKET = "sample-lake"
PREFIX = "lake/reviews/parquet/"


@pytest.fixture
def s3(moto_env):
    with mock_aws():
        client = boto3.client("s3")
        client.create_bucket(Bucket=BUCKET)
        yield client


def read_all(s3):
    tables = {}
    for item in s3.list_objects_v2(Bucket=BUCKET, Prefix=PREFIX).get("Contents", []):
        body = s3.get_object(Bucket=BUCKET, Key=item["Key"])["Body"].read()
        tables[item["Key"]] = pq.read_table(io.BytesIO(body))
    return tables


def test_layout_schema_and_counts(s3):
    summary = generate(s3, BUCKET, PREFIX, rows=5000, seed=3, rows_per_file=400)
    tables = read_all(s3)
    assert sorted(tables) == sorted(f.key for f in summary.files)
    assert {k.split("/")[3] for k in tables} == {f"product_category={c}" for c, _ in CATEGORIES}
    assert all(k.rsplit("/", 1)[1].startswith("part-") and k.endswith(".parquet") for k in tables)
    assert "lake/reviews/parquet/product_category=Books/part-00002.parquet" in tables
    assert all(t.schema == SCHEMA for t in tables.values())
    assert sum(t.num_rows for t in tables.values()) == summary.rows == 5000
    counted = Counter()
    for key, table in tables.items():
        category = key.split("product_category=")[1].split("/")[0]
        for day in table.column("review_date").to_pylist():
            counted[(day, category)] += 1
    assert counted == summary.counts
    books = sum(n for (_, c), n in summary.counts.items() if c == "Books")
    assert books == 1100  # 22% of the rows, as CATEGORIES says


def test_same_seed_same_data_other_seed_other_data(s3):
    generate(s3, BUCKET, PREFIX, rows=2000, seed=11)
    first = {k: t.to_pylist() for k, t in read_all(s3).items()}
    generate(s3, BUCKET, PREFIX, rows=2000, seed=11, rows_per_file=100)  # chunking doesn't matter
    again = read_all(s3)
    merged = {}
    for key, table in again.items():
        merged.setdefault(key.rsplit("/", 1)[0], []).extend(table.to_pylist())
    assert {k.rsplit("/", 1)[0]: v for k, v in first.items()} == merged
    generate(s3, BUCKET, PREFIX, rows=2000, seed=12)
    assert {k: t.to_pylist() for k, t in read_all(s3).items()} != first


def test_values_look_like_the_real_dataset(s3):
    generate(s3, BUCKET, PREFIX, rows=20000, seed=5)
    table = pa_concat(read_all(s3).values())
    total, helpful = table.column("total_votes"), table.column("helpful_votes")
    assert pc.all(pc.less_equal(helpful, total)).as_py()
    zero_share = pc.sum(pc.equal(total, 0)).as_py() / table.num_rows
    assert 0.5 < zero_share < 0.7  # most reviews have no votes...
    assert pc.max(total).as_py() > 100  # ...and a long tail has many
    stars = Counter(table.column("star_rating").to_pylist())
    assert set(stars) == {1, 2, 3, 4, 5} and stars.most_common(1)[0][0] == 5
    assert set(table.column("marketplace").to_pylist()) == {"US", "UK", "DE", "FR", "JP"}
    years = pc.year(table.column("review_date")).to_pylist()
    assert set(years) == {2014, 2015, 2016} and years == table.column("year").to_pylist()
    ids = table.column("review_id")
    assert pc.count_distinct(ids).as_py() == table.num_rows
    assert pc.max(pc.binary_length(ids)).as_py() <= 15
    assert pc.max(pc.binary_length(table.column("product_title"))).as_py() <= 50
    assert pc.max(pc.binary_length(table.column("review_headline"))).as_py() <= 25
    assert set(table.column("vine").to_pylist()) == {"Y", "N"}


def pa_concat(tables):
    import pyarrow as pa

    return pa.concat_tables(list(tables))


def test_chosen_days_and_stale_files_removed(s3):
    generate(s3, BUCKET, PREFIX, rows=3000, seed=1, rows_per_file=100)
    days = [date(2015, 6, 1), date(2015, 6, 3)]
    summary = generate(s3, BUCKET, PREFIX, rows=300, seed=1, dates=days)
    tables = read_all(s3)
    assert sorted(tables) == sorted(
        f.key for f in summary.files
    )  # no part left from the bigger run
    seen = {d for t in tables.values() for d in t.column("review_date").to_pylist()}
    assert seen == set(days)
    assert summary.rows_on(date(2015, 6, 1)) + summary.rows_on(date(2015, 6, 3)) == 300


def test_command_line(s3, capsys):
    code = sample_data.main(
        [
            "--bucket",
            BUCKET,
            "--rows",
            "400",
            "--start-date",
            "2016-02-28",
            "--end-date",
            "2016-03-01",
        ]
    )
    assert code == 0
    out, err = capsys.readouterr()
    assert '"rows": 400' in out and '"days": 3' in out
    assert "sample data: 100% (400 rows)" in err  # not a terminal: a line per quarter
    with pytest.raises(SystemExit) as exit_info:
        sample_data.main(["--bucket", "no-such-bucket", "--rows", "1"])
    assert exit_info.value.code == 1
    assert "no-such-bucket" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        sample_data.main(
            ["--bucket", BUCKET, "--start-date", "2016-03-02", "--end-date", "2016-03-01"]
        )
