"""A run that is stopped (SIGTERM: Glue's timeout or stop) or killed (SIGKILL) must not
leave its statement running on the server, holding locks the retry then waits for.

Each test runs the runner as a real subprocess on a real long statement inside a
transaction block that holds an exclusive lock, stops it, and has a second session take
that lock at once (lock_timeout), with the block's work gone.
"""

import json
import os
import signal
import subprocess
import sys
import time

import pg
import pytest

from .conftest import PGADMIN, PGHOST, PGPORT, SECRET_ID

HOLD_LOCK = """-- a long statement holding a lock, as a load's DELETE would
BEGIN;
DELETE FROM contested;
SELECT pg_sleep(60);
COMMIT;
"""


@pytest.fixture
def contested(db):
    db.query("DROP TABLE IF EXISTS contested")
    db.query("CREATE TABLE contested (n int)")
    db.query("INSERT INTO contested VALUES (1), (2)")
    return db


def start_runner(env, database, sql_path):
    return subprocess.Popen(
        [sys.executable, "-m", "sqlrunner", "run", "--db", database, "--db_creds", SECRET_ID,
         "--file", str(sql_path), "--statement_timeout", "120000"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def wait_until_sleeping(db, runner, step):
    for _ in range(300):
        found = db.query(
            "SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(60)' "
            f"AND application_name LIKE 'sqlrunner:%/{step}'"
        ).getresult()[0][0]
        if found:
            return
        assert runner.poll() is None, runner.communicate()
        time.sleep(0.05)
    raise AssertionError("the runner never reached its long statement")


def lock_at_once(database):
    """A second session takes the table's exclusive lock within a second, or raises."""
    other = pg.DB(dbname=database, host=PGHOST, port=PGPORT, user=PGADMIN)
    try:
        other.query("SET lock_timeout = '1s'")
        other.query("BEGIN")
        other.query("LOCK TABLE contested IN ACCESS EXCLUSIVE MODE")
        rows = other.query("SELECT count(*) FROM contested").getresult()[0][0]
        other.query("COMMIT")
        return rows
    finally:
        other.close()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_stopped_run_cancels_its_statement_rolls_back_and_frees_the_lock(
    glue_env, database, contested, tmp_path, signum
):
    env, _ = glue_env
    sql = tmp_path / "held.sql"
    sql.write_text(HOLD_LOCK)
    runner = start_runner(env, database, sql)
    wait_until_sleeping(contested, runner, "held")
    runner.send_signal(signum)
    out, err = runner.communicate(timeout=20)
    assert runner.returncode == 1, err
    name = signal.Signals(signum).name
    assert err.strip().splitlines()[-1] == (
        f"sqlrunner: error: {sql}:4: statement 3: stopped by {name}: the running statement "
        "was cancelled and rolled back (failure: permanent)"
    )
    assert "rolled back the transaction block opened by statement 1" in out
    summary = json.loads(out.strip().splitlines()[-1])
    assert (summary["failure"], summary["failed_statement"]) == ("permanent", 3)
    assert lock_at_once(database) == 2  # the DELETE is undone, the lock free


def test_a_killed_run_leaves_no_session_holding_locks(glue_env, database, contested, tmp_path):
    """SIGKILL leaves no handler to run: the session's own guards end it (engine postgres:
    client_connection_check_interval notices the client is gone within a second)."""
    env, _ = glue_env
    sql = tmp_path / "killed.sql"
    sql.write_text(HOLD_LOCK)
    runner = start_runner(env, database, sql)
    wait_until_sleeping(contested, runner, "killed")
    os.kill(runner.pid, signal.SIGKILL)
    runner.communicate(timeout=20)
    deadline = time.monotonic() + 5
    while True:
        try:
            assert lock_at_once(database) == 2
            break
        except pg.Error:
            if time.monotonic() > deadline:
                raise
    assert time.monotonic() < deadline
