"""One failure taxonomy (errors.py): bad_input exit 2, permanent exit 1, transient exit 3,
the `(failure: <class>)` marker ending the last stderr line, `failure` in the summary."""

import threading
import time

import boto3
import pg
import pytest
from botocore.stub import Stubber

from sqlrunner import errors
from sqlrunner.errors import sqlstate_failure
from sqlrunner.secret import fetch_secret
from sqlrunner.source import open_sql

from .conftest import BUCKET, PGADMIN, PGHOST, PGPORT, REGION, put


@pytest.mark.parametrize(
    "sqlstate, message, failure",
    [
        ("40001", "could not serialize access", "transient"),
        ("40P01", "deadlock detected", "transient"),
        ("53300", "too many connections", "transient"),
        ("57P01", "terminating connection due to administrator command", "transient"),
        ("57P03", "the database system is starting up", "transient"),
        ("08006", "connection failure", "transient"),
        ("XX000", "1023\nDETAIL:  Serializable isolation violation on table - 1234", "transient"),
        (None, "server closed the connection unexpectedly", "transient"),
        (None, "could not receive data from server: Connection reset by peer", "transient"),
        ("57014", "canceling statement due to statement timeout", "permanent"),
        ("42601", "syntax error at or near", "permanent"),
        ("42P01", "relation does not exist", "permanent"),
        ("42501", "permission denied", "permanent"),
        ("22012", "division by zero", "permanent"),
        ("23505", "duplicate key value", "permanent"),
        ("28P01", "password authentication failed", "permanent"),
        (None, "server does not support SSL, but SSL was required", "permanent"),
        # a message quoting data is not a class: only a missing or catch-all SQLSTATE
        ("22P02", 'invalid input syntax for type integer: "connection refused"', "permanent"),
    ],
)
def test_sqlstates_and_driver_messages_map_to_one_class(sqlstate, message, failure):
    assert sqlstate_failure(sqlstate, message) == failure


def test_exit_codes_follow_the_class():
    assert errors.EXIT_CODES == {"bad_input": 2, "permanent": 1, "transient": 3}
    assert errors.ParamError("x").exit_code == 2
    assert errors.StatementError("x").exit_code == 1
    assert errors.TransientDatabaseError("x").exit_code == 3


def test_a_serialization_failure_is_transient(aws, database, runner, db):
    """A real one (SQLSTATE 40001): two serializable transactions each read the table and
    insert; the runner's commits second and PostgreSQL cancels it."""
    s3, _ = aws
    db.query("DROP TABLE IF EXISTS contended")
    db.query("CREATE TABLE contended (n int)")
    other = pg.DB(dbname=database, host=PGHOST, port=PGPORT, user=PGADMIN)
    other.query("BEGIN ISOLATION LEVEL SERIALIZABLE")
    other.query("SELECT sum(n) FROM contended")
    other.query("INSERT INTO contended VALUES (1)")

    def commit_when_the_runner_waits():
        watcher = pg.DB(dbname=database, host=PGHOST, port=PGPORT, user=PGADMIN)
        for _ in range(200):
            waiting = watcher.query(
                "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(3)%'"
            ).getresult()[0][0]
            if waiting:
                break
            time.sleep(0.05)
        other.query("COMMIT")
        watcher.close()

    committer = threading.Thread(target=commit_when_the_runner_waits)
    committer.start()
    sql = (
        "BEGIN ISOLATION LEVEL SERIALIZABLE;\nSELECT sum(n) FROM contended;\n"
        "INSERT INTO contended VALUES (2);\nSELECT pg_sleep(3);\nCOMMIT;\n"
    )
    try:
        code, summary, _, err = runner.run(database, put(s3, "sql/demo/ser.sql", sql))
    finally:
        committer.join()
        other.close()
    assert code == 3, err
    assert (summary["failure"], summary["sqlstate"]) == ("transient", "40001")
    assert err.strip().endswith("[SQLSTATE 40001] (failure: transient)")
    assert db.query("SELECT n FROM contended").getresult() == [(1,)]


def test_a_session_the_server_ends_is_transient(aws, database, runner):
    s3, _ = aws
    sql = "SELECT 1;\nSELECT pg_terminate_backend(pg_backend_pid());\n"
    code, summary, _, err = runner.run(database, put(s3, "sql/demo/t.sql", sql))
    assert code == 3 and summary["failure"] == "transient", err
    assert "terminating connection due to administrator command" in err


def test_an_unreachable_aws_endpoint_is_transient():
    """botocore cannot reach the service (a closed port): EndpointConnectionError."""
    s3 = boto3.client(
        "s3",
        region_name=REGION,
        endpoint_url="http://127.0.0.1:1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
        config=boto3.session.Config(retries={"max_attempts": 1}, connect_timeout=1),
    )
    with pytest.raises(errors.SourceError) as caught:
        open_sql(BUCKET, "sql/x.sql", s3=lambda: s3)
    assert caught.value.failure == "transient"


@pytest.mark.parametrize(
    "code, failure",
    [("SlowDown", "transient"), ("ServiceUnavailable", "transient"), ("AccessDenied", "permanent")],
)
def test_s3_answers_stubbed_by_botocore_map_to_classes(code, failure):
    """botocore's Stubber stands in for S3 (moto cannot be made to throttle on demand)."""
    s3 = boto3.client("s3", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(s3) as stub:
        stub.add_client_error("get_object", service_error_code=code, http_status_code=503)
        with pytest.raises(errors.SourceError) as caught:
            open_sql(BUCKET, "sql/x.sql", s3=lambda: s3)
    assert caught.value.failure == failure


@pytest.mark.parametrize(
    "code, failure",
    [("ThrottlingException", "transient"), ("InternalServiceError", "transient")],
)
def test_secrets_manager_answers_stubbed_by_botocore_map_to_classes(code, failure):
    client = boto3.client(
        "secretsmanager", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x"
    )
    with Stubber(client) as stub:
        stub.add_client_error("get_secret_value", service_error_code=code, http_status_code=400)
        with pytest.raises(errors.SecretError) as caught:
            fetch_secret("reviews/redshift", client=client)
    assert caught.value.failure == failure


def test_an_internal_error_ends_with_the_marked_line_after_its_traceback(
    aws, database, runner, monkeypatch
):
    """A bug in the runner: the traceback is kept (redacted) but the last stderr line is
    still the one the orchestrators read, marked permanent."""
    from sqlrunner import executor

    def broken(sql, params):
        raise RuntimeError("boom")

    monkeypatch.setattr(executor, "prepare", broken)
    s3, _ = aws
    code, summary, _, err = runner.run(database, put(s3, "sql/demo/ok.sql", "SELECT 1"))
    lines = err.strip().splitlines()
    assert code == 1 and "Traceback" in err
    assert lines[-1] == "sqlrunner: error: internal error: RuntimeError: boom (failure: permanent)"
    assert (summary["failure"], summary["exit_code"]) == ("permanent", 1)
