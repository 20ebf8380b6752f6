"""Transient failures retried inside the run (sqlrunner.retrying), against the real
PostgreSQL: a file whose second statement fails with a serialization failure (SQLSTATE
40001, transient) until a counter it keeps in a table reaches a threshold."""

import json
import time

from sqlrunner.args import JobArgs, resolve
from sqlrunner.errors import UsageError
from sqlrunner.executor import run_job
from sqlrunner.output import Output

from .conftest import BUCKET, SECRET_ID, put

FLAKY = """-- Fails transiently until it has been tried {fail_until} time(s).
CREATE TABLE IF NOT EXISTS retry_attempts (n int);
INSERT INTO retry_attempts VALUES (1);
DO $$ BEGIN
  IF (SELECT count(*) FROM retry_attempts) < {fail_until} THEN
    RAISE EXCEPTION 'could not serialize access' USING ERRCODE = '40001';
  END IF;
END $$;
BEGIN;
DELETE FROM retry_loaded;
INSERT INTO retry_loaded SELECT g FROM generate_series(1, 3) g;
COMMIT
"""


def _run(capsys, database, key, *, retries, delay):
    args = JobArgs(database, SECRET_ID, BUCKET, key, "{}", 60000, "jr_test")
    args = args._replace(retries=retries, retry_delay_seconds=delay)
    started = time.monotonic()
    code = run_job(args, out=Output())
    took = time.monotonic() - started
    out, err = capsys.readouterr()
    lines = out.strip().splitlines()
    return code, json.loads(lines[-1]), "\n".join(lines[:-1]), err, took


def _flaky(aws, db, fail_until):
    s3, _ = aws
    db.query("DROP TABLE IF EXISTS retry_attempts")
    db.query("DROP TABLE IF EXISTS retry_loaded")
    db.query("CREATE TABLE retry_loaded (n int)")
    return put(s3, "sql/demo/flaky.sql", FLAKY.format(fail_until=fail_until))


def test_a_transient_failure_is_retried_after_its_delay_and_the_file_runs_again(
    aws, db, database, capsys
):
    key = _flaky(aws, db, fail_until=2)
    code, summary, log, err, took = _run(capsys, database, key, retries=2, delay=1)
    assert code == 0, err
    assert summary["status"] == "succeeded" and summary["attempts"] == 2
    assert "attempt 1 of 3 failed transiently" in log and "retrying the file in 1 s" in log
    assert took >= 1.0
    assert db.query("SELECT count(*) FROM retry_attempts").getresult()[0][0] == 2
    assert db.query("SELECT count(*) FROM retry_loaded").getresult()[0][0] == 3


def test_retries_are_bounded_and_the_last_failure_is_reported_transient(aws, db, database, capsys):
    key = _flaky(aws, db, fail_until=99)
    code, summary, log, err, took = _run(capsys, database, key, retries=2, delay=1)
    assert code == 3 and summary["failure"] == "transient" and summary["attempts"] == 3
    assert "attempt 3 of 3 failed transiently; no retry left" in log
    assert took >= 3.0  # 1 s, then 2 s
    assert db.query("SELECT count(*) FROM retry_attempts").getresult()[0][0] == 3
    assert "(failure: transient)" in err.strip().splitlines()[-1]


def test_a_permanent_failure_is_not_retried(aws, db, database, capsys):
    s3, _ = aws
    key = put(s3, "sql/demo/missing.sql", "SELECT * FROM no_such_table_for_retry\n")
    code, summary, log, _err, took = _run(capsys, database, key, retries=3, delay=5)
    assert code == 1 and summary["failure"] == "permanent" and summary["attempts"] == 1
    assert "retrying" not in log and took < 5


def test_retry_arguments_are_checked():
    base = ["run_sql.py", "--db", "d", "--db_creds", "s", "--bucket", "b", "--file", "f"]
    parsed = resolve([*base, "--retries", "2", "--retry_delay_seconds", "30"])
    assert (parsed.retries, parsed.retry_delay_seconds) == (2, 30)
    assert resolve(base).retries == 0
    for bad in (["--retries", "-1"], ["--retries", "11"], ["--retry_delay_seconds", "1.5"]):
        try:
            resolve([*base, *bad])
        except UsageError as err:
            assert bad[0] in str(err)
        else:
            raise AssertionError(f"{bad} was accepted")
