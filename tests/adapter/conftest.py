"""Fixtures for the local Redshift adapter: a real PostgreSQL database of our own, S3 and
the Glue Data Catalog from moto in-process, and the adapter wired as the executor wires it.

Runs on the dev venv (Python 3.12, PyGreSQL 6.x) and on .venv-py39 (Python 3.9,
PyGreSQL 5.0.6, Glue's runtime): keep it 3.9-valid.
"""

import io
import os
import uuid

import boto3
import pg
import pytest

from local_redshift import LocalRedshift, compat
from sqlrunner.connection import Database

PGHOST = os.environ.get("PGHOST", "127.0.0.1")
PGPORT = int(os.environ.get("PGPORT", "5432"))
PGADMIN = os.environ.get("PGUSER", "postgres")
REGION = "us-east-1"
BUCKET = "adapter-lake"
ROLE = "arn:aws:iam::123456789012:role/RedshiftSpectrum"


@pytest.fixture
def glue_backend():
    """moto's Glue backend needs pyparsing (moto's `glue` extra): skip, saying so, where
    it is missing (UNLOAD/COPY/DDL tests don't touch Glue and still run)."""
    try:
        import moto.glue.models  # noqa: F401
    except ImportError as exc:
        pytest.skip(f"moto's Glue backend is not importable here ({exc}); install moto[glue]")


@pytest.fixture(scope="session")
def pg_database():
    name = "adapter_" + uuid.uuid4().hex[:10]
    try:
        admin = pg.DB(dbname="postgres", host=PGHOST, port=PGPORT, user=PGADMIN)
    except pg.InternalError as exc:
        pytest.fail(f"PostgreSQL at {PGHOST}:{PGPORT} is required (run `make pg`): {exc}")
    admin.query(f"CREATE DATABASE {name}")
    yield name
    admin.query(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
    admin.query(f"DROP DATABASE IF EXISTS {name}")
    admin.close()


@pytest.fixture
def aws(moto_env):
    from moto import mock_aws

    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket=BUCKET)
        glue = boto3.client("glue", region_name=REGION)
        yield s3, glue


class Redshift:
    """One connection with the adapter in front, the way the executor runs statements."""

    def __init__(self, database, s3, glue):
        self.raw = pg.connect(dbname=database, host=PGHOST, port=PGPORT, user=PGADMIN)
        self.db = Database(self.raw, "postgres")
        self.s3, self.glue = s3, glue
        self.logged = []
        self.adapter = LocalRedshift(self.db, s3=s3, glue=glue, log=self.logged.append)
        self.adapter.on_connect()

    def run(self, sql):
        result = self.adapter.execute(sql)
        return result if result is not None else self.db.query(sql)

    def rows(self, sql):
        """Straight from PostgreSQL, bypassing the adapter (no Spectrum sync)."""
        return self.db.fetch(sql)

    def select(self, sql):
        """A query the way the runner sends it: the adapter sees it first (and syncs the
        external tables it names), then PostgreSQL runs it as written."""
        assert self.adapter.execute(sql) is None
        return self.db.fetch(sql)

    def query(self, sql):
        """Rows of a Redshift query, in the form PostgreSQL runs it (translated if needed)."""
        return self.db.fetch(self.adapter.translate(sql))

    def types(self, sql):
        """PostgreSQL's names of the result column types of a Redshift query."""
        translated = self.adapter.translate(sql)
        return [
            self.db.fetch(f"SELECT format_type({oid}, {mod})")[0][0]
            for _name, oid, mod in _columns_of(self.raw, translated)
        ]

    def close(self):
        self.db.close()


def _columns_of(raw, sql):
    from local_redshift import pgcopy

    return pgcopy.columns_of(raw, sql)


@pytest.fixture
def redshift(pg_database, aws):
    s3, glue = aws
    conn = Redshift(pg_database, s3, glue)
    conn.db.query("SET client_min_messages TO warning")  # quiet CASCADE notices while cleaning
    schemas = [
        r[0]
        for r in conn.rows(
            "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' "
            f"AND nspname NOT IN ('information_schema', 'public', '{compat.SCHEMA}')"
        )
    ]
    for schema in schemas:  # each test starts from an empty database
        conn.db.query(f'DROP SCHEMA "{schema}" CASCADE')
    for (table,) in conn.rows("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"):
        conn.db.query(f'DROP TABLE public."{table}" CASCADE')
    conn.db.query("RESET client_min_messages")
    conn.adapter.spectrum.schemas.clear()
    yield conn
    conn.close()


def put(s3, key, data):
    s3.put_object(Bucket=BUCKET, Key=key, Body=data)


def get(s3, key):
    return s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()


def keys(s3, prefix=""):
    found = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix):
        found.extend(item["Key"] for item in page.get("Contents", []))
    return sorted(found)


def parquet_bytes(table):
    import pyarrow.parquet as pq

    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def read_parquet(data):
    import pyarrow.parquet as pq

    return pq.read_table(io.BytesIO(data))
