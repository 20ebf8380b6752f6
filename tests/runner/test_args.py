"""Glue job arguments, read with getResolvedOptions' semantics."""

import pytest

from sqlrunner.args import DEFAULT_STATEMENT_TIMEOUT_MS, resolve, resolve_like_glue
from sqlrunner.errors import UsageError

GLUE_ARGV = [
    "run_sql.py",
    "--job-bookmark-option",
    "job-bookmark-disable",
    "--JOB_ID",
    "j_123",
    "--JOB_RUN_ID",
    "jr_abc",
    "--JOB_NAME",
    "sql-runner",
    "--db",
    "reviews",
    "--db_creds",
    "reviews/redshift",
    "--bucket",
    "scripts",
    "--file",
    "sql/reviews/load_reviews.sql",
    "--params",
    '{"run_date": "2026-11-25"}',
    "--enable-metrics",
    "true",
]


def test_glue_argv():
    args = resolve(GLUE_ARGV)
    assert args.db == "reviews" and args.db_creds == "reviews/redshift" and args.bucket == "scripts"
    assert args.file == "sql/reviews/load_reviews.sql"
    assert args.params == '{"run_date": "2026-11-25"}'
    assert args.job_run_id == "jr_abc"
    assert args.statement_timeout_ms == DEFAULT_STATEMENT_TIMEOUT_MS


def test_equals_form_and_optional_arguments():
    argv = [
        "x",
        "--db=reviews",
        "--db_creds=s",
        "--bucket=b",
        "--file=f.sql",
        "--statement_timeout=250",
    ]
    args = resolve(argv)
    assert (args.db, args.file, args.params, args.statement_timeout_ms) == (
        "reviews",
        "f.sql",
        "{}",
        250,
    )


def test_missing_required_arguments_are_listed():
    with pytest.raises(
        UsageError, match="the following arguments are required: --db_creds, --bucket"
    ):
        resolve(["x", "--db", "d", "--file", "f"])


def test_bucket_is_optional_for_local_files():
    args = resolve(
        ["x", "--db", "d", "--db_creds", "s", "--file", "local.sql"], require_bucket=False
    )
    assert args.bucket is None


@pytest.mark.parametrize("value", ["ten", "-1", "1.5", "99999999999"])
def test_statement_timeout_must_be_milliseconds(value):
    argv = [
        "x",
        "--db",
        "d",
        "--db_creds",
        "s",
        "--bucket",
        "b",
        "--file",
        "f",
        "--statement_timeout",
        value,
    ]
    with pytest.raises(
        UsageError, match="--statement_timeout must be a whole number of milliseconds"
    ):
        resolve(argv)


def test_empty_values_are_refused():
    with pytest.raises(UsageError, match="argument --db must not be empty"):
        resolve(["x", "--db", "", "--db_creds", "s", "--bucket", "b", "--file", "f"])


def test_resolve_like_glue_ignores_unrequested_and_returns_glue_reserved():
    values = resolve_like_glue(GLUE_ARGV, ["db"])
    assert values["db"] == "reviews"
    assert values["JOB_NAME"] == "sql-runner"
    assert "file" not in values


def test_dpu_is_a_python_shell_capacity():
    base = ["x", "--db", "d", "--db_creds", "s", "--bucket", "b", "--file", "f"]
    assert resolve(base).dpu is None
    assert resolve([*base, "--dpu", "0.0625"]).dpu == 0.0625
    assert resolve([*base, "--dpu=1"]).dpu == 1.0
    for bad in ("2", "0.5", "lots"):
        with pytest.raises(UsageError, match=r"--dpu must be a Python shell job's capacity"):
            resolve([*base, "--dpu", bad])
