"""The TICKIT generator: the files it writes to S3 (moto in-process) parse with the
documented columns, by hand and in a real PostgreSQL (COPY, with the sample schema's
keys as FOREIGN KEY constraints); the business rules between tables hold; the same
seed writes the same bytes. Python 3.9-valid: this suite also runs on Glue's runtime."""

import csv
import io
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal

import boto3
import pg
import pyarrow.parquet as pq
import pytest
from moto import mock_aws

from infra.local import tickit_data
from infra.local.tickit_data import COLUMNS, FILES, FULL_ROWS, SPECTRUM_SALES, row_counts, write

BUCKET = "tickit-lake"
PREFIX = "tickit/"
SCALE = 0.01

# The sample schema (c_sampledb; the Getting Started Guide's CREATE TABLEs), with its
# keys declared so PostgreSQL enforces them while the files load.
DDL = """
create table users(
    userid integer not null primary key, username char(8), firstname varchar(30),
    lastname varchar(30), city varchar(30), state char(2), email varchar(100), phone char(14),
    likesports boolean, liketheatre boolean, likeconcerts boolean, likejazz boolean,
    likeclassical boolean, likeopera boolean, likerock boolean, likevegas boolean,
    likebroadway boolean, likemusicals boolean);
create table venue(
    venueid smallint not null primary key, venuename varchar(100), venuecity varchar(30),
    venuestate char(2), venueseats integer);
create table category(
    catid smallint not null primary key, catgroup varchar(10), catname varchar(10),
    catdesc varchar(50));
create table date(
    dateid smallint not null primary key, caldate date not null, day character(3) not null,
    week smallint not null, month character(5) not null, qtr character(5) not null,
    year smallint not null, holiday boolean default('N'));
create table event(
    eventid integer not null primary key, venueid smallint not null references venue,
    catid smallint not null references category, dateid smallint not null references date,
    eventname varchar(200), starttime timestamp);
create table listing(
    listid integer not null primary key, sellerid integer not null references users,
    eventid integer not null references event, dateid smallint not null references date,
    numtickets smallint not null, priceperticket decimal(8,2), totalprice decimal(8,2),
    listtime timestamp);
create table sales(
    salesid integer not null primary key, listid integer not null references listing,
    sellerid integer not null references users, buyerid integer not null references users,
    eventid integer not null references event, dateid smallint not null references date,
    qtysold smallint not null, pricepaid decimal(8,2), commission decimal(8,2),
    saletime timestamp);
"""
INTEGERS = {
    "userid",
    "venueid",
    "catid",
    "dateid",
    "eventid",
    "listid",
    "sellerid",
    "buyerid",
    "salesid",
    "venueseats",
    "week",
    "year",
    "numtickets",
    "qtysold",
}
# How PostgreSQL's COPY reads each format, as Redshift's COPY does with the tutorial's
# options (an empty field is NULL for the boolean and numeric columns).
PG_COPY = {
    tickit_data.PIPE: "(format text, delimiter '|', null '')",
    tickit_data.TAB: "(format text, delimiter E'\\t', null '')",
    tickit_data.CSV: "(format csv)",
}


@pytest.fixture(scope="module")
def lake():
    """The files of one generation, read back from S3: {key: bytes}."""
    with pytest.MonkeyPatch.context() as patch:
        for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
            patch.delenv(name, raising=False)
        patch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        patch.setenv("AWS_ACCESS_KEY_ID", "testing")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        with mock_aws():
            s3 = boto3.client("s3")
            s3.create_bucket(Bucket=BUCKET)
            summary = write(s3, BUCKET, PREFIX, scale=SCALE, seed=7)
            listed = s3.list_objects_v2(Bucket=BUCKET, Prefix=PREFIX, MaxKeys=1000)["Contents"]
            files = {
                item["Key"]: s3.get_object(Bucket=BUCKET, Key=item["Key"])["Body"].read()
                for item in listed
            }
            again = write(s3, BUCKET, PREFIX, scale=SCALE, seed=7)
            same = all(
                s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == body
                for key, body in files.items()
            )
            other = write(s3, BUCKET, PREFIX, scale=SCALE, seed=8)
            after_other = {
                item["Key"]
                for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET)
                for item in page.get("Contents", [])
            }
            yield {
                "summary": summary,
                "files": files,
                "same": same and again.keys == summary.keys,
                "other": other,
                "after_other": after_other,
            }


def parsed(body, data_file):
    """The rows of a text file, split as the tutorial's COPY splits them."""
    text = body.decode()
    if data_file.format == tickit_data.CSV:
        return [tuple(row) for row in csv.reader(io.StringIO(text))]
    separator = "\t" if data_file.format == tickit_data.TAB else "|"
    return [tuple(line.split(separator)) for line in text.splitlines()]


def by_table(lake, table):
    data_file = next(f for f in FILES if f.table == table and f.format != tickit_data.CSV)
    return parsed(lake["files"][PREFIX + data_file.name], data_file)


def test_every_file_is_written_with_the_tutorial_s_names(lake):
    keys = set(lake["files"])
    assert {PREFIX + f.name for f in FILES} <= keys
    partitions = sorted(k for k in keys if k.startswith(PREFIX + SPECTRUM_SALES))
    assert partitions and all(
        k.endswith("/part-00000.parquet") and "/saledate=2008-" in k for k in partitions
    )
    assert keys == {PREFIX + f.name for f in FILES} | set(partitions)
    assert lake["summary"].rows == row_counts(SCALE)


def test_text_files_parse_with_the_documented_columns(lake):
    for data_file in FILES:
        rows = parsed(lake["files"][PREFIX + data_file.name], data_file)
        columns = COLUMNS[data_file.table]
        assert rows, data_file.name
        assert {len(row) for row in rows} == {len(columns)}, data_file.name
        for row in rows:
            values = dict(zip(columns, row))
            for name, text in values.items():
                if name in INTEGERS:
                    assert text.isdigit(), (data_file.name, name, text)
                elif name.startswith("like") or name == "holiday":
                    assert text in ("TRUE", "FALSE", ""), (data_file.name, name, text)
                elif name in ("priceperticket", "totalprice", "pricepaid", "commission"):
                    assert Decimal(text).as_tuple().exponent == -2, (name, text)
                elif name == "caldate":
                    date.fromisoformat(text)
                elif name in ("starttime", "listtime", "saletime"):
                    datetime.strptime(text, data_file.time_format)
    users = by_table(lake, "users")
    assert all(len(row[1]) == 8 and len(row[7]) == 14 for row in users)  # char(8), char(14)
    assert any(row[8] == "" for row in users)  # NULL likes exist
    sales_times = [row[-1] for row in by_table(lake, "sales")]
    assert any(text.split("/")[0] in "123456789" for text in sales_times)  # 2/18/2008 ...


def test_the_csv_category_is_the_pipe_category(lake):
    pipe, csv_file = [f for f in FILES if f.table == "category"]
    assert parsed(lake["files"][PREFIX + csv_file.name], csv_file) == parsed(
        lake["files"][PREFIX + pipe.name], pipe
    )
    assert b'"All opera, light, and ""rock"" opera"' in lake["files"][PREFIX + csv_file.name]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # PyGreSQL 5.0.6's putline on 3.9
def test_postgresql_loads_every_file_with_its_keys_enforced(lake):
    schema = "tickit_" + uuid.uuid4().hex[:10]
    try:
        db = pg.DB(dbname="postgres", host="127.0.0.1", port=5432, user="postgres")
    except pg.Error as exc:
        pytest.fail(f"PostgreSQL at 127.0.0.1:5432 is required (run `make pg`): {exc}")
    try:
        db.query(f"create schema {schema}")
        db.query(f"set search_path to {schema}; set datestyle = 'ISO, MDY'")
        db.query(DDL)
        for data_file in FILES:  # dimension files come first: the foreign keys hold on load
            target = data_file.table
            if data_file.format == tickit_data.CSV:
                db.query(f"create temp table category_csv (like {schema}.category)")
                target = "category_csv"
            db.query(f"copy {target} from stdin with {PG_COPY[data_file.format]}")
            db.putline(lake["files"][PREFIX + data_file.name].decode())
            db.endcopy()
        counts = {
            table: db.query(f"select count(*) from {table}").getresult()[0][0] for table in COLUMNS
        }
        assert counts == row_counts(SCALE)
        same_csv = "select * from category except select * from category_csv"
        assert db.query(same_csv).getresult() == []
        broken = {
            "listing price": "select listid from listing where totalprice <> numtickets * priceperticket",
            "listing day": "select listid from listing l join date d using (dateid) "
            "where d.caldate <> l.listtime::date",
            "listed after the event": "select listid from listing l join event e using (eventid) "
            "where l.listtime >= e.starttime",
            "event day": "select eventid from event e join date d using (dateid) "
            "where d.caldate <> e.starttime::date",
            "sale of another listing": "select salesid from sales s join listing l using (listid) "
            "where s.sellerid <> l.sellerid or s.eventid <> l.eventid or s.qtysold > l.numtickets "
            "or s.qtysold not between 1 and 8 or s.pricepaid <> s.qtysold * l.priceperticket "
            "or s.saletime < l.listtime",
            "sale after the event": "select salesid from sales s join event e using (eventid) "
            "where s.saletime >= e.starttime",
            "sale day": "select salesid from sales s join date d using (dateid) "
            "where d.caldate <> s.saletime::date",
            "commission": "select salesid from sales where commission <> round(pricepaid * 0.15, 2)",
            "self purchase": "select salesid from sales where buyerid = sellerid",
        }
        found = {rule: db.query(sql).getresult() for rule, sql in broken.items()}
        assert found == {rule: [] for rule in broken}
    finally:
        db.query(f"drop schema if exists {schema} cascade")
        db.close()


def test_the_spectrum_parquet_is_the_sales_table_by_day(lake):
    text_sales = {int(row[0]): row for row in by_table(lake, "sales")}
    seen = {}
    for key, body in lake["files"].items():
        if not key.startswith(PREFIX + SPECTRUM_SALES):
            continue
        day = date.fromisoformat(key.split("saledate=")[1].split("/")[0])
        table = pq.read_table(io.BytesIO(body))
        assert table.column_names == list(COLUMNS["sales"])  # no saledate column inside
        for row in table.to_pylist():
            assert row["saletime"].date() == day
            seen[row["salesid"]] = row
    assert sorted(seen) == sorted(text_sales)
    sample = seen[1]
    text = text_sales[1]
    assert (str(sample["pricepaid"]), str(sample["commission"])) == (text[7], text[8])
    assert sample["saletime"] == datetime.strptime(text[9], "%m/%d/%Y %H:%M:%S")


def test_same_seed_same_bytes_and_another_seed_replaces_the_partitions(lake):
    assert lake["same"]
    assert lake["other"].keys != lake["summary"].keys  # other sale days
    old_only = set(lake["summary"].keys) - set(lake["other"].keys)
    assert old_only and not old_only & lake["after_other"]


def test_dates_follow_the_tutorial_s_numbering():
    rows = {row[1]: row for row in tickit_data.generate(scale=SCALE, seed=1).rows["date"]}
    assert rows[date(2008, 1, 1)] == (1827, date(2008, 1, 1), "TU", 1, "JAN", "1", 2008, True)
    assert rows[date(2008, 12, 31)][0] == 1827 + 365
    assert len(rows) == 366
    assert rows[date(2008, 1, 6)][3] == 2  # weeks start on Sunday
    assert all(day + timedelta(days=1) in rows or day.month == 12 for day in rows)


def test_scale_one_is_the_tutorial_s_size():
    counts = row_counts(1)
    assert {t: counts[t] for t in FULL_ROWS} == FULL_ROWS
    assert (counts["category"], counts["date"]) == (11, 366)
    with pytest.raises(ValueError, match="scale must be > 0"):
        row_counts(0)
