"""Spectrum emulation: the Glue catalog holds what Redshift would put there, and queries
return exactly the rows of the Parquet files in S3 (read independently with pyarrow)."""

import re
from datetime import date

import pyarrow as pa
import pytest

from infra.local.sample_data import CATEGORIES, generate
from sqlrunner.errors import EmulationError, NotEmulatedError

from .conftest import BUCKET, ROLE, get, keys, parquet_bytes, put, read_parquet

pytestmark = pytest.mark.usefixtures("glue_backend")

PREFIX = "lake/reviews/parquet/"
DAYS = [date(2015, 6, 1), date(2015, 6, 2)]
COLUMNS = """(marketplace varchar(10), customer_id varchar(15), review_id varchar(15),
  product_id varchar(25), product_parent varchar(15), product_title varchar(50),
  star_rating int, helpful_votes int, total_votes int, vine varchar(5),
  verified_purchase varchar(5), review_headline varchar(25), review_body varchar(1024),
  review_date date, year int)"""
SCHEMA_SQL = (
    "CREATE EXTERNAL SCHEMA IF NOT EXISTS spectrum FROM DATA CATALOG DATABASE 'amzreviews' "
    f"IAM_ROLE '{ROLE}' CREATE EXTERNAL DATABASE IF NOT EXISTS"
)
TABLE_SQL = (
    f"CREATE EXTERNAL TABLE IF NOT EXISTS spectrum.reviews {COLUMNS} "
    "PARTITIONED BY (product_category varchar(25)) STORED AS PARQUET "
    f"LOCATION 's3://{BUCKET}/{PREFIX}'"
)


def add_partitions(categories):
    clauses = " ".join(
        f"PARTITION (product_category='{c}') LOCATION 's3://{BUCKET}/{PREFIX}product_category={c}'"
        for c in categories
    )
    return f"ALTER TABLE spectrum.reviews ADD IF NOT EXISTS {clauses}"


def rows_in_files(s3, prefix):
    """(review_id, category) of every row of the Parquet files, read with pyarrow."""
    found = []
    for key in keys(s3, prefix):
        category = key.split("product_category=")[1].split("/")[0]
        table = read_parquet(get(s3, key))
        found.extend((rid, category) for rid in table.column("review_id").to_pylist())
    return sorted(found)


@pytest.fixture
def reviews(redshift):
    summary = generate(
        redshift.s3, BUCKET, PREFIX, rows=3000, seed=7, dates=DAYS, rows_per_file=200
    )
    redshift.run(SCHEMA_SQL)
    redshift.run(TABLE_SQL)
    return summary


def test_catalog_holds_database_table_and_partitions(redshift, reviews):
    redshift.run(add_partitions([c for c, _ in CATEGORIES]))
    glue = redshift.glue
    assert glue.get_database(Name="amzreviews")["Database"]["Name"] == "amzreviews"
    table = glue.get_table(DatabaseName="amzreviews", Name="reviews")["Table"]
    assert table["TableType"] == "EXTERNAL_TABLE"
    assert [k["Name"] for k in table["PartitionKeys"]] == ["product_category"]
    assert table["StorageDescriptor"]["Location"] == f"s3://{BUCKET}/{PREFIX}"
    assert table["StorageDescriptor"]["Columns"][5] == {
        "Name": "product_title",
        "Type": "varchar(50)",
    }
    partitions = glue.get_partitions(DatabaseName="amzreviews", TableName="reviews")["Partitions"]
    assert sorted(p["Values"][0] for p in partitions) == sorted(c for c, _ in CATEGORIES)
    books = next(p for p in partitions if p["Values"] == ["Books"])
    assert books["StorageDescriptor"]["Location"] == f"s3://{BUCKET}/{PREFIX}product_category=Books"


def test_queries_return_exactly_the_files_rows(redshift, reviews):
    result = redshift.run(add_partitions([c for c, _ in CATEGORIES]))
    assert result.rows == 3000
    local = sorted(redshift.rows("SELECT review_id, product_category FROM spectrum.reviews"))
    assert local == rows_in_files(redshift.s3, PREFIX)
    per_day = dict(
        redshift.rows("SELECT review_date::text, count(*) FROM spectrum.reviews GROUP BY 1")
    )
    assert per_day == {day.isoformat(): reviews.rows_on(day) for day in DAYS}
    books = redshift.rows(
        "SELECT count(*) FROM spectrum.reviews WHERE product_category = 'Books' AND review_date = '2015-06-02'"
    )[0][0]
    assert books == reviews.counts[(date(2015, 6, 2), "Books")]


def test_adding_partitions_again_gives_the_same_rows(redshift, reviews):
    redshift.run(add_partitions(["Books", "Baby"]))
    first = sorted(redshift.rows("SELECT * FROM spectrum.reviews"))
    again = redshift.run(add_partitions(["Books", "Baby"]))
    assert again.rows == 0 and "2 already there" in again.detail
    assert sorted(redshift.rows("SELECT * FROM spectrum.reviews")) == first
    with pytest.raises(EmulationError, match="already exists"):
        redshift.run(add_partitions(["Books"]).replace(" IF NOT EXISTS", ""))


def test_changed_files_are_read_again_before_the_next_query(redshift, reviews):
    redshift.run(add_partitions([c for c, _ in CATEGORIES]))
    generate(redshift.s3, BUCKET, PREFIX, rows=500, seed=8, dates=DAYS)
    assert redshift.select("SELECT count(*) FROM spectrum.reviews")[0][0] == 500
    local = sorted(redshift.select("SELECT review_id, product_category FROM spectrum.reviews"))
    assert local == rows_in_files(redshift.s3, PREFIX)
    assert "rows (re)loaded from S3" in redshift.logged[0]


def test_hidden_files_and_sibling_folders_are_not_read(redshift):
    redshift.run(SCHEMA_SQL)
    redshift.run(
        "CREATE EXTERNAL TABLE spectrum.t (a int, s varchar(3)) PARTITIONED BY (p varchar(10)) "
        f"STORED AS PARQUET LOCATION 's3://{BUCKET}/t/'"
    )
    table = pa.table({"a": pa.array([1, 2], pa.int32()), "s": ["abc", "abcd"]})
    put(redshift.s3, "t/p=x/part-0.parquet", parquet_bytes(table))
    put(redshift.s3, "t/p=x/sub/part-1.parquet", parquet_bytes(table))  # subfolders count
    put(redshift.s3, "t/p=x/_SUCCESS", b"")
    put(redshift.s3, "t/p=x/.hidden.parquet", b"not parquet")
    put(redshift.s3, "t/p=xy/part-0.parquet", parquet_bytes(table))  # another partition's folder
    redshift.run(f"ALTER TABLE spectrum.t ADD PARTITION (p='x') LOCATION 's3://{BUCKET}/t/p=x'")
    rows = sorted(redshift.rows("SELECT a, s, p FROM spectrum.t"), key=str)
    # 'abcd' is wider than varchar(3): Spectrum's default surplus_char_handling is SET_TO_NULL
    assert rows == sorted([(1, "abc", "x"), (2, None, "x")] * 2, key=str)


def test_unpartitioned_table_reads_its_location(redshift):
    redshift.run(SCHEMA_SQL)
    put(
        redshift.s3,
        "flat/f.parquet",
        parquet_bytes(pa.table({"B": [1, 2, 3], "a": ["x", "y", None]})),
    )
    result = redshift.run(
        "CREATE EXTERNAL TABLE spectrum.flat (a varchar(5), b bigint, c date) "
        f"STORED AS PARQUET LOCATION 's3://{BUCKET}/flat/'"
    )
    assert result.rows == 3
    # columns are matched by name (case-insensitively); a column missing from the file reads NULL
    assert sorted(redshift.rows("SELECT a, b, c FROM spectrum.flat"), key=str) == sorted(
        [("x", 1, None), ("y", 2, None), (None, 3, None)], key=str
    )


def test_drop_partition_table_and_schema(redshift, reviews):
    redshift.run(add_partitions(["Books", "Baby"]))
    redshift.run("ALTER TABLE spectrum.reviews DROP PARTITION (product_category='Baby')")
    assert redshift.rows("SELECT DISTINCT product_category FROM spectrum.reviews") == [("Books",)]
    redshift.run("DROP TABLE spectrum.reviews")
    assert redshift.glue.get_tables(DatabaseName="amzreviews")["TableList"] == []
    assert redshift.rows("SELECT to_regclass('spectrum.reviews')") == [(None,)]
    redshift.run(TABLE_SQL)
    with pytest.raises(EmulationError, match="add CASCADE"):
        redshift.run("DROP SCHEMA spectrum DROP EXTERNAL DATABASE")
    redshift.run("DROP SCHEMA spectrum DROP EXTERNAL DATABASE CASCADE")
    assert "amzreviews" not in [d["Name"] for d in redshift.glue.get_databases()["DatabaseList"]]
    assert redshift.rows("SELECT count(*) FROM pg_namespace WHERE nspname = 'spectrum'") == [(0,)]


def test_external_ddl_is_refused_inside_a_transaction_block(redshift, reviews):
    redshift.db.query("BEGIN")
    try:
        with pytest.raises(EmulationError, match="cannot run inside a transaction block"):
            redshift.run(add_partitions(["Books"]))
    finally:
        redshift.db.query("ROLLBACK")
    assert (
        redshift.glue.get_partitions(DatabaseName="amzreviews", TableName="reviews")["Partitions"]
        == []
    )


@pytest.mark.parametrize(
    "sql, what",
    [
        (
            f"CREATE EXTERNAL TABLE spectrum.x (a int) ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' "
            f"STORED AS TEXTFILE LOCATION 's3://{BUCKET}/x/'",
            "ROW FORMAT DELIMITED",
        ),
        (
            f"CREATE EXTERNAL TABLE spectrum.x (a int) STORED AS ORC LOCATION 's3://{BUCKET}/x/'",
            "CREATE EXTERNAL TABLE STORED AS ORC",
        ),
        (
            f"CREATE EXTERNAL TABLE spectrum.x STORED AS PARQUET LOCATION 's3://{BUCKET}/x/' AS SELECT 1",
            "CREATE EXTERNAL TABLE AS",
        ),
        (
            "CREATE EXTERNAL SCHEMA pgx FROM POSTGRES DATABASE 'x' IAM_ROLE default",
            "CREATE EXTERNAL SCHEMA FROM POSTGRES",
        ),
        (
            "INSERT INTO spectrum.reviews SELECT * FROM spectrum.reviews",
            "INSERT into an external table",
        ),
    ],
)
def test_unemulated_spectrum_statements_fail_by_name(redshift, reviews, sql, what):
    with pytest.raises(NotEmulatedError, match="not emulated locally: " + re.escape(what)):
        redshift.run(sql)


def test_external_schema_needs_an_existing_database_or_the_create_clause(redshift):
    with pytest.raises(EmulationError, match="does not exist in the Glue Data Catalog"):
        redshift.run(
            f"CREATE EXTERNAL SCHEMA s2 FROM DATA CATALOG DATABASE 'nodb' IAM_ROLE '{ROLE}'"
        )
    with pytest.raises(EmulationError, match="needs IAM_ROLE"):
        redshift.run(
            "CREATE EXTERNAL SCHEMA s2 FROM DATA CATALOG DATABASE 'nodb' CREATE EXTERNAL DATABASE IF NOT EXISTS"
        )
    assert redshift.rows("SELECT count(*) FROM pg_namespace WHERE nspname = 's2'") == [(0,)]


def test_a_new_connection_knows_the_external_schemas(redshift, reviews, pg_database):
    from .conftest import Redshift

    redshift.run(add_partitions(["Books"]))
    other = Redshift(pg_database, redshift.s3, redshift.glue)
    try:
        assert "spectrum" in other.adapter.spectrum.schemas
        generate(redshift.s3, BUCKET, PREFIX, rows=100, seed=9, dates=DAYS)
        expected = len([r for r in rows_in_files(redshift.s3, PREFIX) if r[1] == "Books"])
        assert other.select("SELECT count(*) FROM spectrum.reviews") == [(expected,)]
    finally:
        other.close()


def test_partitions_under_the_table_location_are_listed_once(aws):
    """One listing of the table's LOCATION gives each partition exactly the files its own
    listing would: subfolders included, hidden files and sibling folders excluded, nested
    partition folders in both; a partition outside the LOCATION gets its own listing."""
    from local_redshift import spectrum_load

    s3, _ = aws
    for key in (
        "t/p=x/part-0.parquet",
        "t/p=x/sub/part-1.parquet",
        "t/p=x/_SUCCESS",
        "t/p=x/.hidden.parquet",
        "t/p=xy/part-0.parquet",
        "t/p=xy/part-0.parquet~",
        "t/_common_metadata",
        "elsewhere/p=z/part-0.parquet",
    ):
        put(s3, key, b"x")
    calls = []
    s3.meta.events.register("before-call.s3.ListObjectsV2", lambda **kw: calls.append(kw))

    def listed(locations):
        found = spectrum_load.listings(s3, f"s3://{BUCKET}/t", locations, "spectrum.t")
        return {loc: [obj.key for obj in objs] for loc, objs in found.items()}

    x, xy, sub = (f"s3://{BUCKET}/t/p=x", f"s3://{BUCKET}/t/p=xy/", f"s3://{BUCKET}/t/p=x/sub")
    expected = {
        x: ["t/p=x/part-0.parquet", "t/p=x/sub/part-1.parquet"],
        xy: ["t/p=xy/part-0.parquet"],
        sub: ["t/p=x/sub/part-1.parquet"],
    }
    assert listed([x, xy, sub]) == expected
    assert len(calls) == 1
    assert {loc: listed([loc])[loc] for loc in expected} == expected  # one by one: the same
    calls.clear()
    z = f"s3://{BUCKET}/elsewhere/p=z/"
    assert listed([x, z]) == {x: expected[x], z: ["elsewhere/p=z/part-0.parquet"]}
    assert len(calls) == 2


def test_spectrum_ddl_is_checked_without_the_database_s3_or_glue():
    from local_redshift.spectrum_grammar import (
        parse_alter_table,
        parse_create_schema,
        parse_create_table,
    )

    schema = parse_create_schema(
        "CREATE EXTERNAL SCHEMA IF NOT EXISTS spectrum FROM DATA CATALOG DATABASE 'lake' "
        "IAM_ROLE default CREATE EXTERNAL DATABASE IF NOT EXISTS"
    )
    assert schema == ("spectrum", "lake", True, True)
    table = parse_create_table(TABLE_SQL)
    assert (table.schema, table.table, [p.name for p in table.partitions]) == (
        "spectrum", "reviews", ["product_category"])  # fmt: skip
    alter = parse_alter_table(add_partitions(["Books", "Toys"]))
    assert alter.action == "ADD" and [p.values for p in alter.partitions] == [
        {"product_category": "Books"}, {"product_category": "Toys"}]  # fmt: skip
    with pytest.raises(NotEmulatedError, match="STORED AS ORC"):
        parse_create_table(
            f"CREATE EXTERNAL TABLE s.x (a int) STORED AS ORC LOCATION 's3://{BUCKET}/x/'"
        )
    with pytest.raises(NotEmulatedError, match="FROM HIVE METASTORE"):
        parse_create_schema("CREATE EXTERNAL SCHEMA s FROM HIVE METASTORE DATABASE 'd' URI 'h'")
    with pytest.raises(EmulationError, match="needs IAM_ROLE"):
        parse_create_schema("CREATE EXTERNAL SCHEMA s FROM DATA CATALOG DATABASE 'd'")
