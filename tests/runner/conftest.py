"""Fixtures for the runner's tests: a real PostgreSQL database per test session and
AWS (S3 + Secrets Manager) from moto, in-process or as a server for subprocesses.

Runs on Python 3.9 + PyGreSQL 5.0.6 (make test-py39) as well as on the dev venv.
"""

import contextlib
import json
import os
import uuid

import boto3
import pg
import pytest
from moto import mock_aws
from moto.server import ThreadedMotoServer

from sqlrunner import redact
from sqlrunner.args import JobArgs
from sqlrunner.executor import run_job
from sqlrunner.output import Output

PGHOST = os.environ.get("PGHOST", "127.0.0.1")
PGPORT = int(os.environ.get("PGPORT", "5432"))
PGADMIN = os.environ.get("PGUSER", "postgres")
REGION = "us-east-1"
BUCKET = "etl-scripts"
SECRET_ID = "reviews/redshift"
# Recognisable, and hard to quote: spaces, both quotes, a backslash, a semicolon.
PASSWORD = 'Pw d0n\'t "leak" me\\;42'
ROLE = "sqlrunner_tester"


def admin_connection(dbname="postgres"):
    return pg.DB(dbname=dbname, host=PGHOST, port=PGPORT, user=PGADMIN)


@pytest.fixture(scope="session")
def database():
    """A database of our own, with a login role whose password needs quoting."""
    name = "sqlrunner_test_" + uuid.uuid4().hex[:8]
    try:
        admin = admin_connection()
    except pg.InternalError as exc:  # no server: make test starts one; say so plainly
        pytest.fail(f"PostgreSQL at {PGHOST}:{PGPORT} is required (run `make pg`): {exc}")
    admin.query(f"CREATE DATABASE {name}")
    exists = admin.query(f"SELECT 1 FROM pg_roles WHERE rolname = '{ROLE}'").getresult()
    quoted = PASSWORD.replace("'", "''")
    verb = "ALTER" if exists else "CREATE"
    admin.query(f"{verb} ROLE {ROLE} LOGIN PASSWORD '{quoted}'")
    admin.query(f"GRANT ALL ON DATABASE {name} TO {ROLE}")
    owner = admin_connection(name)
    owner.query(f"GRANT ALL ON SCHEMA public TO {ROLE}")
    # tables the tests arrange as the admin are the runner's to use, as on a real cluster
    owner.query(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON TABLES TO {ROLE}")
    owner.close()
    yield name
    admin.query(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
    admin.query(f"DROP DATABASE IF EXISTS {name}")
    admin.close()


@pytest.fixture
def db(database):
    """An admin connection to the test database, for arranging and asserting."""
    connection = admin_connection(database)
    yield connection
    connection.close()


def secret_fields(**overrides):
    fields = {
        "engine": "postgres",
        "host": PGHOST,
        "port": PGPORT,
        "username": ROLE,
        "password": PASSWORD,
    }
    fields.update(overrides)
    return fields


@pytest.fixture
def aws(moto_env):
    """moto in-process with the scripts bucket and the database secret."""
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket=BUCKET)
        secrets = boto3.client("secretsmanager", region_name=REGION)
        secrets.create_secret(Name=SECRET_ID, SecretString=json.dumps(secret_fields()))
        yield s3, secrets
    redact.forget_all()


@pytest.fixture(scope="session")
def moto_server():
    """moto as a server, for tests that run the runner in a subprocess."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


class Captured:
    def __init__(self, capsys):
        self.capsys = capsys

    def run(
        self, database, file, params="{}", *, bucket=BUCKET, secret=SECRET_ID, timeout=60000,
        dpu=None,
    ):  # fmt: skip
        args = JobArgs(database, secret, bucket, file, params, timeout, "jr_test", dpu=dpu)
        code = run_job(args, out=Output())
        out, err = self.capsys.readouterr()
        assert PASSWORD not in out + err
        lines = out.strip().splitlines()
        return code, json.loads(lines[-1]), lines[:-1], err


@pytest.fixture
def runner(capsys):
    return Captured(capsys)


def put(s3, key, text):
    s3.put_object(Bucket=BUCKET, Key=key, Body=text.encode())
    return key


@pytest.fixture
def glue_env(moto_server, database):
    """The environment Glue gives the script, with AWS pointing at the moto server."""
    env = dict(os.environ)
    env.update(
        AWS_ENDPOINT_URL=moto_server,
        AWS_DEFAULT_REGION=REGION,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
    )
    session = boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
    )
    s3 = session.client("s3", endpoint_url=moto_server)
    secrets = session.client("secretsmanager", endpoint_url=moto_server)
    s3.create_bucket(Bucket=BUCKET)
    with contextlib.suppress(secrets.exceptions.ResourceExistsException):
        secrets.create_secret(Name=SECRET_ID, SecretString=json.dumps(secret_fields()))
    return env, s3
