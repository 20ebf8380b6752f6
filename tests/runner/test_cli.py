"""The CLI and the Glue entry script, as subprocesses: what a user or Glue sees."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import BUCKET, PASSWORD, SECRET_ID

REPO = Path(__file__).resolve().parents[2]
GLUE_SCRIPT = REPO / "glue_job" / "run_sql.py"


def sqlrunner(*args, env=None, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "sqlrunner", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=60,
    )


def test_split_prints_statements_as_json(tmp_path):
    path = tmp_path / "f.sql"
    path.write_text("-- c\nSELECT 'a;b';\n\nCREATE TABLE \"x;\" (n int)\n", encoding="utf-8")
    done = sqlrunner("split", str(path))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == ["SELECT 'a;b'", 'CREATE TABLE "x;" (n int)']


def test_split_reports_lexing_errors_with_position(tmp_path):
    path = tmp_path / "bad.sql"
    path.write_text("SELECT 1;\n  SELECT $x$ never closed", encoding="utf-8")
    done = sqlrunner("split", str(path))
    assert done.returncode == 2
    assert done.stderr.strip() == (
        f"sqlrunner: error: {path}:2:10: unterminated dollar-quoted string ($x$) "
        "(failure: bad_input)"
    )
    assert "Traceback" not in done.stderr


def test_render_prints_sql_or_names_the_bad_parameter(tmp_path):
    path = tmp_path / "r.sql"
    path.write_text("-- @param d date\nSELECT '${d}'\n", encoding="utf-8")
    done = sqlrunner("render", str(path), "--params", '{"d": "2026-11-25"}')
    assert done.returncode == 0 and done.stdout.endswith("SELECT '2026-11-25'\n")
    done = sqlrunner("render", str(path), "--params", '{"d": "yesterday"}')
    assert done.returncode == 2
    assert f"{path}:1: value of parameter 'd' is not a date YYYY-MM-DD" in done.stderr
    assert done.stdout == ""


def test_run_usage_errors_exit_2(tmp_path):
    done = sqlrunner("run", "--db", "x")
    assert done.returncode == 2
    assert "the following arguments are required: --db_creds, --file" in done.stderr


@pytest.mark.parametrize("load_pyarrow", [False, True], ids=["plain", "after pyarrow"])
def test_exit_keeps_the_code_and_the_output(load_pyarrow):
    """exit_with leaves through os._exit once pyarrow is loaded (its teardown can abort a
    finished process); the exit code and everything printed must come through either way."""
    program = (
        ("import pyarrow.parquet\n" if load_pyarrow else "")
        + "import sys\nfrom sqlrunner.process import exit_with\n"
        + "print('summary', end='')\nprint('error', end='', file=sys.stderr)\nexit_with(3)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60
    )
    assert (done.returncode, done.stdout, done.stderr) == (3, "summary", "error")


def test_console_script_is_installed():
    script = Path(sys.executable).parent / "sqlrunner"
    if not script.exists():
        pytest.skip(
            f"no console script next to {sys.executable} (editable install without scripts)"
        )
    assert subprocess.run([str(script), "--help"], capture_output=True).returncode == 0


def glue_run(env, *args):
    argv = [
        sys.executable,
        str(GLUE_SCRIPT),
        "--job-bookmark-option",
        "job-bookmark-disable",
        "--JOB_ID",
        "j_1",
        "--JOB_RUN_ID",
        "jr_cli",
        "--JOB_NAME",
        "sql-runner",
        *args,
    ]
    return subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)


def test_glue_entry_script_runs_a_file_from_s3(glue_env, database, db):
    env, s3 = glue_env
    db.query("DROP TABLE IF EXISTS glue_entry")
    s3.put_object(
        Bucket=BUCKET,
        Key="sql/demo/entry.sql",
        Body=b"-- @param n integer\nCREATE TABLE glue_entry AS SELECT ${n} AS n",
    )
    done = glue_run(
        env, "--db", database, "--db_creds", SECRET_ID, "--bucket", BUCKET,
        "--file", "sql/demo/entry.sql", "--params", '{"n": 7}',
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert db.query("SELECT n FROM glue_entry").getresult() == [(7,)]
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["status"] == "succeeded" and summary["job_run_id"] == "jr_cli"
    assert PASSWORD not in done.stdout + done.stderr
    # a successful run's error stream (Glue's /error log) stays empty: on Python 3.9 boto3's
    # deprecation notice used to land there and read like a failure
    assert done.stderr.strip() == ""


def test_glue_entry_script_fails_with_one_clear_line(glue_env, database):
    env, s3 = glue_env
    s3.put_object(Bucket=BUCKET, Key="sql/demo/fail.sql", Body=b"SELECT 1;\nSELECT * FROM nowhere")
    done = glue_run(
        env,
        "--db",
        database,
        "--db_creds",
        SECRET_ID,
        "--bucket",
        BUCKET,
        "--file",
        "sql/demo/fail.sql",
    )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == (
        f'sqlrunner: error: s3://{BUCKET}/sql/demo/fail.sql:2: statement 2: relation "nowhere" '
        "does not exist [SQLSTATE 42P01] (failure: permanent)"
    )
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert (summary["failure"], summary["exit_code"]) == ("permanent", 1)
    assert "Traceback" not in done.stderr
