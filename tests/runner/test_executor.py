"""Whole runs against the real PostgreSQL, with the SQL in moto's S3 and the secret in
moto's Secrets Manager: rows in tables, exit codes, log lines, the JSON summary."""

import json

import pytest

from sqlrunner import plan
from sqlrunner.connection import ConnectOptions, connect
from sqlrunner.executor import execute_statements
from sqlrunner.output import Output
from sqlrunner.plan import Step
from sqlrunner.splitter import split

from .conftest import BUCKET, PASSWORD, put, secret_fields


def count(db, sql):
    return db.query(sql).getresult()[0][0]


LOAD = """-- Load one day, idempotently.
-- @param run_date date
CREATE TABLE IF NOT EXISTS daily (d date, n int);
BEGIN;
DELETE FROM daily WHERE d = '${run_date}';
INSERT INTO daily SELECT '${run_date}'::date, g FROM generate_series(1, 5) g;
COMMIT;
SELECT count(*) FROM daily WHERE d = '${run_date}'
"""


def test_happy_path_loads_rows_and_reports(aws, db, database, runner):
    s3, _ = aws
    db.query("DROP TABLE IF EXISTS daily")
    key = put(s3, "sql/demo/load_daily.sql", LOAD)
    code, summary, lines, err = runner.run(database, key, '{"run_date": "2026-11-25"}')
    assert code == 0, err
    assert count(db, "SELECT count(*) FROM daily WHERE d = '2026-11-25'") == 5
    assert summary["status"] == "succeeded"
    assert (summary["statements"], summary["executed"], summary["engine"]) == (6, 6, "postgres")
    assert summary["file"] == f"s3://{BUCKET}/sql/demo/load_daily.sql"
    statement_lines = [line for line in lines if line.startswith("[")]
    assert len(statement_lines) == 6
    assert statement_lines[0].startswith("[1/6] line 3 | ")
    assert statement_lines[0].endswith("| CREATE TABLE IF NOT EXISTS daily (d date, n int)")
    assert "| rows 5 |" in statement_lines[3]
    assert "sqlrunner:demo/load_daily:jr_test" in lines[0]


def test_summary_carries_the_dpu_seconds_glue_bills_at_least(aws, db, database, runner):
    s3, _ = aws
    db.query("DROP TABLE IF EXISTS daily")
    key = put(s3, "sql/demo/load_daily.sql", LOAD)
    code, summary, _, err = runner.run(database, key, '{"run_date": "2026-11-25"}', dpu=0.0625)
    assert code == 0, err
    assert summary["seconds"] < 60 and summary["glue_dpu_seconds"] == 3.75  # the minute's
    _, summary, _, _ = runner.run(database, key, '{"run_date": "2026-11-25"}')
    assert "glue_dpu_seconds" not in summary  # no --dpu (the CLI): no figure to guess


@pytest.mark.parametrize("keep_chars", [plan.KEEP_CHARS, 100], ids=["kept", "streamed twice"])
def test_kept_and_restreamed_statements_run_alike(
    aws, db, database, runner, monkeypatch, keep_chars
):
    """A file within KEEP_CHARS runs the statements its check split; a bigger one is split
    again to run. Both paths run every statement, rendered, in order."""
    s3, _ = aws
    monkeypatch.setattr(plan, "KEEP_CHARS", keep_chars)
    db.query("DROP TABLE IF EXISTS daily")
    key = put(s3, "sql/demo/load_daily.sql", LOAD)
    code, summary, lines, err = runner.run(database, key, '{"run_date": "2026-11-24"}')
    assert code == 0, err
    assert (summary["statements"], summary["executed"]) == (6, 6)
    assert count(db, "SELECT count(*) FROM daily WHERE d = '2026-11-24'") == 5
    assert [line.split(" | ")[0] for line in lines if line.startswith("[")] == [
        f"[{i}/6] line {n}" for i, n in enumerate([3, 4, 5, 6, 7, 8], start=1)
    ]


def test_checking_pass_keeps_statements_only_within_the_budget(monkeypatch):
    steps = [Step(s) for s in split("SELECT 1; SELECT 22; SELECT 333")]
    assert plan._counted(iter(steps)) == (3, steps)
    monkeypatch.setattr(plan, "KEEP_CHARS", 15)
    assert plan._counted(iter(steps)) == (3, None)


def test_rerun_is_idempotent(aws, db, database, runner):
    s3, _ = aws
    db.query("DROP TABLE IF EXISTS daily")
    key = put(s3, "sql/demo/load_daily.sql", LOAD)
    for _ in range(2):
        assert runner.run(database, key, '{"run_date": "2026-11-26"}')[0] == 0
    assert count(db, "SELECT count(*) FROM daily") == 5


def test_failure_names_file_statement_and_line_and_stops(aws, db, database, runner):
    s3, _ = aws
    db.query("DROP TABLE IF EXISTS steps")
    key = put(
        s3,
        "sql/demo/broken.sql",
        "CREATE TABLE steps (n int);\nINSERT INTO steps VALUES (1);\n\nINSERT INTO no_such_table VALUES (2);\nINSERT INTO steps VALUES (3);\n",
    )
    code, summary, _, err = runner.run(database, key)
    assert code == 1
    where = f"s3://{BUCKET}/sql/demo/broken.sql:4: statement 3"
    assert f'sqlrunner: error: {where}: relation "no_such_table" does not exist' in err
    assert "[SQLSTATE 42P01]" in err
    assert summary["status"] == "failed"
    assert (summary["failed_statement"], summary["line"], summary["executed"]) == (3, 4, 2)
    assert summary["sqlstate"] == "42P01"
    # autocommit: what ran before the failure stays, nothing after it ran
    assert db.query("SELECT n FROM steps").getresult() == [(1,)]


def test_failure_inside_a_transaction_block_leaves_nothing(aws, db, database, runner):
    s3, _ = aws
    db.query("DROP TABLE IF EXISTS ledger")
    db.query("CREATE TABLE ledger (n int)")
    db.query("INSERT INTO ledger VALUES (0)")
    key = put(
        s3,
        "sql/demo/block.sql",
        "BEGIN;\nDELETE FROM ledger;\nINSERT INTO ledger VALUES (1);\nINSERT INTO ledger VALUES ('x');\nCOMMIT;\n",
    )
    code, _, lines, err = runner.run(database, key)
    assert code == 1
    assert "statement 4" in err and "invalid input syntax" in err
    assert "rolled back the transaction block opened by statement 1" in lines
    assert db.query("SELECT n FROM ledger").getresult() == [(0,)]


def test_unterminated_transaction_block_is_rolled_back_not_committed(aws, db, database, runner):
    s3, _ = aws
    db.query("DROP TABLE IF EXISTS ledger")
    db.query("CREATE TABLE ledger (n int)")
    key = put(s3, "sql/demo/open_block.sql", "START TRANSACTION;\nINSERT INTO ledger VALUES (1)")
    code, _, _, err = runner.run(database, key)
    assert code == 1
    assert "transaction block opened by statement 1 (line 1) is never committed; rolled back" in err
    assert count(db, "SELECT count(*) FROM ledger") == 0


def test_statement_timeout_cancels_the_step(aws, database, runner):
    s3, _ = aws
    key = put(s3, "sql/demo/slow.sql", "SELECT 1;\nSELECT pg_sleep(5);\n")
    code, summary, _, err = runner.run(database, key, timeout=200)
    assert code == 1
    assert "statement 2: cancelled: canceling statement due to statement timeout" in err
    assert summary["sqlstate"] == "57014" and summary["seconds"] < 4


@pytest.mark.parametrize(
    "params, problem",
    [
        ("{}", "parameter 'run_date' (date) has no value and no default"),
        (
            '{"run_date": "2026-11-25\'; DROP TABLE daily; --"}',
            "value of parameter 'run_date' is not a date",
        ),
        (
            '{"run_date": "2026-11-25", "region": "eu"}',
            "parameter(s) 'region' given but not declared",
        ),
        ("run_date=2026-11-25", "--params is not valid JSON"),
    ],
)
def test_bad_params_fail_before_connecting_and_change_nothing(
    aws, db, database, runner, params, problem
):
    s3, _ = aws
    db.query("DROP TABLE IF EXISTS daily")
    key = put(s3, "sql/demo/load_daily.sql", LOAD)
    # a secret that does not exist: reaching it would be a different error
    code, summary, _, err = runner.run(database, key, params, secret="never-read")
    assert code == 2
    assert problem in err
    assert "engine" not in summary  # no secret read, no connection
    assert count(db, "SELECT count(*) FROM pg_tables WHERE tablename = 'daily'") == 0


def test_missing_file_and_bucket_are_named(aws, database, runner):
    code, _, _, err = runner.run(database, "sql/demo/nope.sql")
    assert code == 1 and f"s3://{BUCKET}/sql/demo/nope.sql does not exist (--file)" in err
    code, _, _, err = runner.run(database, "sql/demo/nope.sql", bucket="no-such-bucket")
    assert code == 1 and "bucket 'no-such-bucket' does not exist (--bucket)" in err


def test_missing_secret_is_named(aws, database, runner):
    s3, _ = aws
    key = put(s3, "sql/demo/one.sql", "SELECT 1")
    code, _, _, err = runner.run(database, key, secret="reviews/redshfit")
    assert code == 1 and "secret 'reviews/redshfit' does not exist (--db_creds)" in err


@pytest.mark.parametrize(
    "body, problem",
    [
        (b"", "contains no SQL statements"),
        (b"-- nothing but a comment;\n/* and; another */\n", "contains no SQL statements"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "contains NUL bytes"),
        (b"SELECT '\xff\xfe'", "is not UTF-8 text (invalid byte at offset 8)"),
        (b"SELECT 1;\nSELECT 'unterminated", ":2:8: unterminated quoted string"),
    ],
)
def test_unusable_files_are_refused(aws, database, runner, body, problem):
    s3, _ = aws
    s3.put_object(Bucket=BUCKET, Key="sql/demo/bad.sql", Body=body)
    code, summary, _, err = runner.run(database, "sql/demo/bad.sql", secret="never-read")
    assert code in (1, 2) and problem in err
    assert "engine" not in summary


def test_connection_failure_never_shows_the_password(aws, database, runner):
    s3, secrets = aws
    secrets.create_secret(Name="wrong-port", SecretString=json.dumps(secret_fields(port=1)))
    key = put(s3, "sql/demo/one.sql", "SELECT 1")
    code, _, _, err = runner.run(database, key, secret="wrong-port", timeout=1000)
    # refused connections are retried, then reported as transient (Captured.run checks for
    # the password)
    assert code == 3 and "cannot connect to postgres at" in err
    assert err.strip().endswith("(failure: transient)")


def test_execute_statements_without_the_adapter(database, capsys):
    """The path real Redshift takes: every statement goes to the database as written."""
    from sqlrunner.secret import DatabaseSecret

    from .conftest import PGHOST, PGPORT, ROLE

    secret = DatabaseSecret("postgres", PGHOST, PGPORT, ROLE, PASSWORD, None)
    db = connect(secret, ConnectOptions(dbname=database))
    try:
        statements = split(
            "CREATE TEMP TABLE t (n int); INSERT INTO t VALUES (1), (2); SELECT * FROM t"
        )
        steps = [Step(statement) for statement in statements]
        outcome = execute_statements(steps, db, Output(), location="f.sql", total=3)
        assert (outcome.executed, outcome.rows, outcome.rolled_back) == (3, 4, [])
    finally:
        db.close()
    assert capsys.readouterr().out.count("\n") == 3


# ---------------------------------------------------------------- transactions (C5)

OPENERS = [
    "BEGIN",
    "BEGIN WORK",
    "begin transaction",
    "BEGIN ISOLATION LEVEL SERIALIZABLE",
    "BEGIN TRANSACTION ISOLATION LEVEL READ COMMITTED, READ WRITE",
    "BEGIN READ WRITE",
    "START TRANSACTION",
    "START TRANSACTION ISOLATION LEVEL REPEATABLE READ",
    "start transaction read write",
    "BEGIN /* a comment */ ISOLATION LEVEL SERIALIZABLE",
]


@pytest.fixture
def ledger(db):
    db.query("DROP TABLE IF EXISTS ledger")
    db.query("CREATE TABLE ledger (n int)")
    return lambda: [row[0] for row in db.query("SELECT n FROM ledger ORDER BY n").getresult()]


@pytest.mark.parametrize("opener", OPENERS)
def test_a_block_left_open_is_rolled_back_and_never_reported_as_success(
    aws, database, runner, ledger, opener
):
    """`BEGIN ISOLATION LEVEL SERIALIZABLE; INSERT ...` without COMMIT exited 0
    "succeeded" while the insert was gone: every opening form is a block."""
    s3, _ = aws
    key = put(s3, "sql/demo/open.sql", f"{opener};\nINSERT INTO ledger VALUES (1);\n")
    code, summary, _, err = runner.run(database, key)
    assert code == 1, err
    assert "transaction block opened by statement 1 (line 1) is never committed" in err
    assert err.strip().endswith("rolled back (failure: permanent)")
    assert (summary["status"], summary["failure"], summary["executed"]) == (
        "failed",
        "permanent",
        2,
    )
    assert ledger() == []


@pytest.mark.parametrize("closer", ["COMMIT", "COMMIT WORK", "END", "end transaction"])
@pytest.mark.parametrize("opener", OPENERS[::3])
def test_a_committed_block_keeps_its_work(aws, database, runner, ledger, opener, closer):
    s3, _ = aws
    key = put(s3, "sql/demo/c.sql", f"{opener};\nINSERT INTO ledger VALUES (1);\n{closer};\n")
    code, summary, _, err = runner.run(database, key)
    assert code == 0, err
    assert ledger() == [1] and "rolled_back" not in summary


@pytest.mark.parametrize("closer", ["ROLLBACK", "ROLLBACK WORK", "ABORT", "abort transaction"])
def test_a_block_the_file_rolls_back_runs_as_written_and_the_summary_says_so(
    aws, database, runner, ledger, closer
):
    s3, _ = aws
    key = put(
        s3,
        "sql/demo/r.sql",
        f"INSERT INTO ledger VALUES (0);\nBEGIN;\nINSERT INTO ledger VALUES (1);\n{closer};\n",
    )
    code, summary, lines, err = runner.run(database, key)
    assert code == 0, err
    assert ledger() == [0]
    assert summary["rolled_back"] == [{"opened_by": 2, "rolled_back_by": 4}]
    assert "statement 4 rolled back the transaction block opened by statement 2" in "\n".join(lines)


@pytest.mark.parametrize("opener", OPENERS[::2])
def test_a_failure_inside_any_block_rolls_it_back_first(aws, database, runner, ledger, opener):
    s3, _ = aws
    key = put(
        s3,
        "sql/demo/f.sql",
        f"{opener};\nINSERT INTO ledger VALUES (1);\nINSERT INTO ledger VALUES ('x');\nCOMMIT;\n",
    )
    code, _, lines, err = runner.run(database, key)
    assert code == 1 and "statement 3" in err and "[SQLSTATE 22P02]" in err
    assert "rolled back the transaction block opened by statement 1" in lines
    assert ledger() == []


# ---------------------------------------------------------------- data checks (C2)

CHECKED = """-- @param d date
-- @param min_rows integer default 1
INSERT INTO ledger SELECT g FROM generate_series(1, 3) g;
-- @check enough_rows: at least ${min_rows} rows for ${d}
SELECT count(*) AS found FROM ledger HAVING count(*) < ${min_rows};
-- @check no_duplicates
SELECT n, count(*) AS copies FROM ledger GROUP BY n HAVING count(*) > 1 ORDER BY n
"""


def test_checks_that_return_no_rows_pass(aws, database, runner, ledger):
    s3, _ = aws
    key = put(s3, "sql/demo/checked.sql", CHECKED)
    code, summary, _, err = runner.run(database, key, '{"d": "2026-11-25"}')
    assert code == 0, err
    assert summary["executed"] == 3 and ledger() == [1, 2, 3]


def test_a_check_that_returns_rows_fails_the_run_naming_the_check(
    aws, database, runner, ledger, db
):
    s3, _ = aws
    db.query("INSERT INTO ledger VALUES (2), (3)")
    key = put(s3, "sql/demo/checked.sql", CHECKED)
    code, summary, _, err = runner.run(database, key, '{"d": "2026-11-25", "min_rows": 2}')
    assert code == 1
    assert err.strip().splitlines()[-1] == (
        f"sqlrunner: error: s3://{BUCKET}/sql/demo/checked.sql:7: statement 3: check "
        "no_duplicates failed: 2 row(s) returned; first: n=2, copies=2 (failure: permanent)"
    )
    assert (summary["failed_statement"], summary["failure"]) == (3, "permanent")


def test_a_check_with_a_description_and_params(aws, database, runner, ledger):
    s3, _ = aws
    key = put(s3, "sql/demo/checked.sql", CHECKED)
    code, _, _, err = runner.run(database, key, '{"d": "2026-11-25", "min_rows": 5}')
    assert code == 1
    assert (
        "statement 2: check enough_rows failed: 1 row(s) returned (at least 5 rows "
        "for 2026-11-25); first: found=3" in err
    )


def test_a_failing_check_inside_a_block_rolls_the_block_back(aws, database, runner, ledger):
    s3, _ = aws
    sql = (
        "BEGIN;\nINSERT INTO ledger VALUES (1), (1);\n"
        "-- @check unique_n\nSELECT n FROM ledger GROUP BY n HAVING count(*) > 1;\nCOMMIT;\n"
    )
    code, _, lines, err = runner.run(database, put(s3, "sql/demo/b.sql", sql))
    assert code == 1 and "check unique_n failed: 1 row(s) returned; first: n=1" in err
    assert "rolled back the transaction block opened by statement 1" in lines
    assert ledger() == []


def test_a_check_whose_sql_fails_is_reported_like_any_statement(aws, database, runner):
    s3, _ = aws
    sql = "-- @check broken\nSELECT * FROM no_such_table_for_a_check\n"
    code, summary, _, err = runner.run(database, put(s3, "sql/demo/x.sql", sql))
    assert code == 1 and summary["sqlstate"] == "42P01"
    assert 'relation "no_such_table_for_a_check" does not exist' in err


@pytest.mark.parametrize(
    "sql, problem",
    [
        (
            "SELECT 1\n-- @check inside\n;\n",
            ":2: -- @check inside is inside statement 1: a check goes on the line(s) directly "
            "before the query it runs",
        ),
        ("SELECT 1;\n\n-- @check dangling\n", ":3: -- @check dangling is after the last statement"),
        (
            "-- @check not_a_query\nDELETE FROM ledger;\n",
            ":2: statement 1: check not_a_query must be a query",
        ),
        ("-- @check Bad-Name\nSELECT 1;\n", ":1: expected '-- @check <name>[: <description>]'"),
        (
            "-- @check twice\nSELECT 1;\n-- @check twice\nSELECT 2;\n",
            ":3: check twice is declared twice",
        ),
        ("-- @check a\n-- @check b\nSELECT 1;\n", ":2: two -- @check lines before one statement"),
    ],
)
def test_misplaced_or_malformed_checks_are_bad_input(aws, database, runner, sql, problem):
    s3, _ = aws
    code, summary, _, err = runner.run(
        database, put(s3, "sql/demo/m.sql", sql), secret="never-read"
    )
    assert code == 2 and f"s3://{BUCKET}/sql/demo/m.sql{problem}" in err, err
    assert summary["failure"] == "bad_input" and "engine" not in summary


def test_check_mentioned_in_prose_is_not_a_directive(aws, database, runner):
    s3, _ = aws
    sql = "SELECT 1 -- see the @check lines below\n;\n/* @check is how checks are written */\n"
    code, _, _, err = runner.run(database, put(s3, "sql/demo/p.sql", sql))
    assert code == 0, err
