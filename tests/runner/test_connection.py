"""Connections to the real PostgreSQL: quoting, session settings, retries, errors."""

import pg
import pytest

from sqlrunner.connection import (
    ConnectOptions,
    connect,
    conninfo,
    is_transient,
    session_settings,
    translate_driver_error,
)
from sqlrunner.errors import ConnectError, StatementError, StatementTimeout, TransientDatabaseError
from sqlrunner.secret import DatabaseSecret

from .conftest import PASSWORD, PGHOST, PGPORT, ROLE


def secret(**overrides):
    fields = dict(
        engine="postgres", host=PGHOST, port=PGPORT, username=ROLE, password=PASSWORD, dbname=None
    )
    fields.update(overrides)
    return DatabaseSecret(**fields)


def test_conninfo_quotes_every_value_per_libpq():
    info = conninfo(secret(password="a b'c\\d"), ConnectOptions(dbname="reviews"))
    assert "password='a b\\'c\\\\d'" in info
    assert "sslmode" not in info and "keepalives='1'" in info.split()


def test_conninfo_verifies_redshift_against_a_bundle():
    options = ConnectOptions(dbname="x", sslrootcert="/tmp/ca b.pem")
    info = conninfo(secret(engine="redshift"), options).split(" ")
    assert "sslmode='verify-full'" in info
    assert "sslrootcert='/tmp/ca" in info and "b.pem'" in info


def test_password_with_spaces_quotes_and_backslash_connects(database):
    db = connect(secret(), ConnectOptions(dbname=database))
    assert db.fetch("SELECT current_user")[0][0] == ROLE
    db.close()


def test_session_settings_are_applied(database):
    options = ConnectOptions(
        dbname=database,
        application_name="sqlrunner:reviews/load_reviews:jr_1",
        query_group="reviews/load_reviews",
        statement_timeout_ms=1234,
    )
    db = connect(secret(), options)
    assert db.fetch("SHOW statement_timeout")[0][0] == "1234ms"
    assert db.fetch("SHOW application_name")[0][0] == "sqlrunner:reviews/load_reviews:jr_1"
    # the guards that end a session its runner left behind (engine postgres)
    assert db.fetch("SHOW idle_in_transaction_session_timeout")[0][0] == "1234ms"
    assert db.fetch("SHOW client_connection_check_interval")[0][0] == "1s"
    assert db.fetch("SHOW tcp_keepalives_idle")[0][0] == "30"
    db.close()


def test_redshift_sessions_get_only_what_redshift_accepts():
    options = ConnectOptions(dbname="x", query_group="reviews/load", statement_timeout_ms=5)
    assert session_settings("redshift", options) == [
        "statement_timeout TO 5",
        "query_group TO 'reviews/load'",
    ]
    assert session_settings("postgres", options._replace(statement_timeout_ms=0)) == [
        "client_connection_check_interval TO 1000",
        "tcp_keepalives_idle TO 30",
        "tcp_keepalives_interval TO 10",
        "tcp_keepalives_count TO 3",
    ]


def test_statement_timeout_cancels_and_is_reported_as_such(database):
    db = connect(secret(), ConnectOptions(dbname=database, statement_timeout_ms=100))
    with pytest.raises(StatementTimeout) as caught:
        db.query("SELECT pg_sleep(2)")
    assert caught.value.sqlstate == "57014"
    assert db.fetch("SELECT 1")[0][0] == 1  # the connection survives the cancellation
    db.close()


def test_refused_connections_are_retried_with_growing_backoff():
    waits = []
    options = ConnectOptions(dbname="x", attempts=4, backoff_s=1.0, connect_timeout_s=2)
    with pytest.raises(ConnectError) as caught:
        connect(secret(port=1), options, log=lambda _: None, sleep=waits.append)
    assert len(waits) == 3
    assert all(0 <= wait <= cap for wait, cap in zip(waits, (1.0, 2.0, 4.0)))
    assert "after 4 attempt(s) (transient failure, attempts exhausted)" in str(caught.value)


def test_permanent_failures_are_not_retried(database):
    waits = []
    with pytest.raises(ConnectError) as caught:
        connect(secret(), ConnectOptions(dbname="no_such_database"), sleep=waits.append)
    assert waits == []
    assert "after 1 attempt(s) (not retried)" in str(caught.value)
    assert 'database "no_such_database" does not exist' in str(caught.value)
    assert PASSWORD not in str(caught.value)


class FakeDriverError(Exception):
    """Stands in for a PyGreSQL exception carrying a SQLSTATE (the driver cannot be made
    to raise, say, admin_shutdown on demand)."""

    def __init__(self, message, sqlstate=None):
        super().__init__(message)
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    "error, transient",
    [
        (FakeDriverError("x", "08006"), True),
        (FakeDriverError("x", "57P01"), True),
        (FakeDriverError("x", "53300"), True),
        (FakeDriverError("could not connect to server: Connection refused"), True),
        (FakeDriverError("server closed the connection unexpectedly"), True),
        (FakeDriverError("x", "28P01"), False),
        (FakeDriverError("x", "42P01"), False),
        (FakeDriverError("server does not support SSL, but SSL was required"), False),
    ],
)
def test_transient_classification_mock_driver_errors(error, transient):
    assert is_transient(error) is transient


def test_driver_errors_translate_with_sqlstate(database):
    db = pg.DB(dbname=database, host=PGHOST, port=PGPORT, user="postgres")
    try:
        db.query("SELECT * FROM no_such_table")
    except pg.Error as exc:
        error = translate_driver_error(exc)
    db.close()
    assert type(error) is StatementError
    assert error.sqlstate == "42P01"
    assert error.message.startswith('relation "no_such_table" does not exist')
    assert isinstance(
        translate_driver_error(FakeDriverError("gone", "57P01")), TransientDatabaseError
    )
