"""Every statement is classified before the runner connects (issue 13, item 1): a refusal
names the Redshift feature and the file:line, exits 2 and runs nothing; statements that
need no translation are passed on untouched; engine redshift never classifies at all.

The end-to-end cases run the real runner (run_job) against the real PostgreSQL with the
secret in moto's Secrets Manager, in process."""

import json
import sys

import boto3
import pg
import pytest

import local_redshift.classify as classify_module
from local_redshift.classify import Classifier, classify, needs_classifying
from sqlrunner import args as job_args
from sqlrunner import executor, plan
from sqlrunner.errors import NotEmulatedError
from sqlrunner.output import Output

from .conftest import PGADMIN, PGHOST, PGPORT, REGION


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT 1",
        "INSERT INTO sales SELECT * FROM staging WHERE d = '2024-01-01'",
        "DELETE FROM t WHERE id IN (SELECT id FROM u)",
        "UPDATE t SET a = lower(b) WHERE c = 'X'",
        "BEGIN",
        "COMMIT",
    ],
)
def test_plain_statements_are_not_even_lexed(sql):
    assert not needs_classifying(sql)
    plan = classify(sql)
    assert plan.kind == "as written" and plan.sql == sql and plan.features == ()


@pytest.mark.parametrize(
    "sql",
    [
        # r_STL_LOAD_ERRORS.html, SYS_LOAD_ERROR_DETAIL.html, PG_LAST_COPY_COUNT.html
        "SELECT * FROM stl_load_errors ORDER BY starttime DESC",
        "SELECT line_number, error_message FROM sys_load_error_detail",
        "SELECT pg_last_copy_count(), pg_last_copy_id()",
    ],
)
def test_the_load_history_copy_emulates_is_not_refused(sql):
    plan = classify(sql)
    assert plan.error is None and plan.kind != "refused"


@pytest.mark.parametrize(
    "sql, kind, feature",
    [
        ("SELECT getdate()", "emulated", "GETDATE"),
        ("SELECT DATEADD(day, 1, d) FROM t", "translated", "DATEADD"),
        ("SELECT TOP 3 a FROM t", "translated", "TOP n"),
        ("SELECT a FROM t QUALIFY row_number() OVER (ORDER BY a) = 1", "translated", "QUALIFY"),
        ("SELECT * FROM (SELECT 1)", "translated", "subquery in FROM without an alias"),
        ("CREATE TABLE #stage (a int)", "translated", "#name temporary tables"),
        ("SET query_group TO 'etl'", "emulated", "SET query_group"),
        ("UNLOAD ('SELECT 1') TO 's3://b/p/' IAM_ROLE default", "emulated", "UNLOAD"),
        ("CREATE MODEL m FROM t TARGET x", "refused", None),
        ("SELECT ST_Area(g) FROM t", "refused", None),
        ("SELECT a FROM t PIVOT (sum(b) FOR c IN ('x'))", "refused", None),
    ],
)
def test_each_statement_gets_a_plan_naming_its_redshift_features(sql, kind, feature):
    plan = classify(sql)
    assert plan.kind == kind
    if feature is not None:
        assert feature in [f.name for f in plan.features]
    if kind == "refused":
        assert isinstance(plan.error, NotEmulatedError)
        assert "not emulated locally: " in plan.error.message
        assert "https://docs.aws.amazon.com/redshift/latest/dg/" in plan.error.message


def test_a_routine_body_ending_in_analyze_without_a_semicolon_is_classified():
    """The body walk looks for a statement's end; a body whose last statement has no ';'
    ended the walk past the last token (IndexError) before it was fixed."""
    plan = classify(
        "CREATE FUNCTION f() RETURNS void AS 'ANALYZE t PREDICATE COLUMNS' LANGUAGE sql"
    )
    assert plan.error is None
    assert plan.sql == "CREATE FUNCTION f() RETURNS void AS 'ANALYZE t ' LANGUAGE sql"


def test_a_refused_unload_option_is_refused_before_anything_runs():
    plan = classify("UNLOAD ('SELECT 1') TO 's3://b/p/' IAM_ROLE default FORMAT AS ORC")
    assert plan.kind in ("refused", "invalid"), plan


def test_check_names_every_refused_statement_with_its_line():
    from sqlrunner.splitter import split

    text = "SELECT 1;\nCREATE MODEL m FROM t;\nSELECT 2;\nSELECT ST_Area(g) FROM t;\n"
    with pytest.raises(NotEmulatedError) as raised:
        Classifier().check(split(text, "f.sql"), "f.sql")
    err = raised.value
    assert (err.file, err.line, err.statement, err.exit_code) == ("f.sql", 2, 2, 2)
    assert "CREATE MODEL" in err.message and "line 4 (statement 4)" in err.message
    assert "ST_Area" in err.message and "Nothing was run" in err.message


# --------------------------------------------------------------------- through run_job


@pytest.fixture
def secret(moto_env, pg_database):
    from moto import mock_aws

    with mock_aws():
        client = boto3.client("secretsmanager", region_name=REGION)
        value = {"host": PGHOST, "port": PGPORT, "username": PGADMIN, "password": "unused"}
        client.create_secret(Name="local", SecretString=json.dumps({"engine": "postgres", **value}))
        client.create_secret(Name="prod", SecretString=json.dumps({"engine": "redshift", **value}))
        yield pg_database


def _run(database, path, secret_id="local"):  # noqa: S107 - a secret name
    parsed = job_args.resolve(
        ["sqlrunner run", "--db", database, "--db_creds", secret_id, "--file", str(path)],
        require_bucket=False,
    )
    return executor.run_job(parsed, out=Output())


def _table_exists(database, name):
    db = pg.DB(dbname=database, host=PGHOST, port=PGPORT, user=PGADMIN)
    try:
        return bool(db.query(f"SELECT to_regclass('{name}')").getresult()[0][0])
    finally:
        db.close()


def test_a_refused_statement_stops_the_run_before_the_first_statement(secret, tmp_path, capsys):
    path = tmp_path / "load.sql"
    path.write_text(
        "CREATE TABLE classified_first (a int);\n"
        "INSERT INTO classified_first VALUES (1);\n"
        "SELECT a, ST_Area(g) FROM classified_first;\n"
    )
    assert _run(secret, path) == 2
    err = capsys.readouterr().err
    assert f"{path}:3" in err and "statement 3" in err
    assert "not emulated locally: ST_Area" in err and "geospatial-functions.html" in err
    assert not _table_exists(secret, "classified_first")


def test_a_streamed_big_file_is_classified_before_connecting_too(
    secret, tmp_path, monkeypatch, capsys
):
    monkeypatch.setattr(plan, "KEEP_CHARS", 10)  # too big to keep: streamed again
    path = tmp_path / "big.sql"
    path.write_text("CREATE TABLE streamed_first (a int);\nCREATE MODEL m FROM t;\n")
    assert _run(secret, path) == 2
    assert "not emulated locally: CREATE MODEL" in capsys.readouterr().err
    assert not _table_exists(secret, "streamed_first")


def test_translated_statements_run_in_order(secret, tmp_path):
    path = tmp_path / "ok.sql"
    path.write_text(
        "DROP TABLE IF EXISTS translated_run;\n"
        "CREATE TABLE translated_run (d date, n int) DISTKEY(n) SORTKEY(d);\n"
        "INSERT INTO translated_run SELECT trunc(dateadd(day, 1, '2024-01-31'::date)), 7;\n"
        "DELETE translated_run WHERE nvl(n, 0) = 0;\n"
    )
    assert _run(secret, path) == 0
    db = pg.DB(dbname=secret, host=PGHOST, port=PGPORT, user=PGADMIN)
    try:
        assert db.query("SELECT d::text, n FROM translated_run").getresult() == [("2024-02-01", 7)]
    finally:
        db.close()


def test_engine_redshift_never_classifies_or_translates(secret, tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(classify_module, "classify", lambda sql: calls.append(sql))
    path = tmp_path / "prod.sql"
    path.write_text("SELECT DATEADD(day, 1, getdate());\n")
    _run(secret, path, "prod")  # cannot connect (no TLS on the local server): exit 1
    assert calls == []
    assert executor._local_emulation("redshift") is None


def test_engine_postgres_without_the_emulation_installed_is_a_usage_error(
    secret, tmp_path, monkeypatch, capsys
):
    monkeypatch.setitem(sys.modules, "local_redshift", None)  # import fails, as in the wheel
    path = tmp_path / "a.sql"
    path.write_text("SELECT 1;\n")
    assert _run(secret, path) == 2
    assert "local-redshift" in capsys.readouterr().err


# --------------------------------------------------------------------- sqlrunner check


def test_sqlrunner_check_prints_each_statement_and_exits_2_on_a_refusal(tmp_path, capsys):
    from sqlrunner.cli import main

    good = tmp_path / "good.sql"
    good.write_text("SELECT 1;\nSELECT NVL(a, 0) FROM t;\nCREATE TABLE t (a int) DISTKEY(a);\n")
    assert main(["check", str(good)]) == 0
    out = capsys.readouterr().out
    assert f"{good}:1: statement 1: runs as written" in out
    assert f"{good}:2: statement 2: translated: NVL" in out
    assert f"{good}:3: statement 3: translated: DISTKEY" in out
    bad = tmp_path / "bad.sql"
    bad.write_text("SELECT 1;\n\nSELECT HLL(a) FROM t;\n")
    assert main(["check", str(good), str(bad)]) == 2
    out = capsys.readouterr().out
    assert f"{bad}:3: statement 2: refused: not emulated locally: HLL (" in out


def test_sqlrunner_check_renders_parameters_when_given(tmp_path, capsys):
    from sqlrunner.cli import main

    path = tmp_path / "p.sql"
    path.write_text("-- @param d date\nSELECT DATEADD(day, 1, '${d}'::date);\n")
    assert main(["check", str(path), "--params", '{"d": "2024-01-01"}']) == 0
    assert "translated: DATEADD" in capsys.readouterr().out
