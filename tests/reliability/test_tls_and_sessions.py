"""TLS everywhere data moves, and a database session that dies under the runner.

- engine redshift: the runner asks libpq for `sslmode=require`, and a server that does
  not speak TLS is refused, not used in clear (a real connection, not a string check);
- every S3 bucket in every template (platform and MWAA) denies requests without TLS for
  the bucket and its objects, and the Redshift cluster's parameter group sets
  `require_ssl`;
- a session the server terminates inside a transaction block is reported as the
  transient database error it is (so the orchestrator's retry is the right answer),
  not as a crash of the runner with a traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pg
import pytest
from cfnlint.decode import cfn_yaml

from infra import REPO_ROOT
from infra.local.server import LocalAws
from sqlrunner.connection import ConnectOptions, conninfo
from sqlrunner.secret import DatabaseSecret
from tests.chaos.platform import PGHOST, PGPORT, PGUSER, own_database

PASSWORD = "tlsCanaryPw-" + uuid.uuid4().hex[:12]
TEMPLATES = sorted((REPO_ROOT / "infra" / "templates").glob("*.yaml")) + sorted(
    (REPO_ROOT / "infra" / "mwaa").glob("*.yaml")
)


def _secret(engine: str) -> DatabaseSecret:
    return DatabaseSecret(engine, "cluster.example", 5439, "etl", PASSWORD, None)


def test_conninfo_requires_tls_for_redshift_only() -> None:
    redshift = conninfo(_secret("redshift"), ConnectOptions(dbname="etl"))
    assert "sslmode='require'" in redshift.split()
    local = conninfo(_secret("postgres"), ConnectOptions(dbname="etl"))
    assert "sslmode" not in local


# ---------------------------------------------------------------- a real connection


@pytest.fixture(scope="module")
def runner_env(local_aws: LocalAws) -> Iterator[dict[str, Any]]:
    with own_database("chaos_tls") as database:
        db = pg.DB(dbname=database, host=PGHOST, port=PGPORT, user=PGUSER)
        db.query("CREATE TABLE canary (note text)")
        db.close()
        secrets = local_aws.client("secretsmanager")
        names = {}
        for engine in ("redshift", "postgres"):
            names[engine] = f"tls/{engine}-{uuid.uuid4().hex[:6]}"
            value = {
                "engine": engine,
                "host": PGHOST,
                "port": PGPORT,
                "username": PGUSER,
                "password": PASSWORD,
            }
            secrets.create_secret(Name=names[engine], SecretString=json.dumps(value))
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(local_aws.environment())
        yield {"database": database, "secrets": names, "env": env}


def _run(runner_env: dict[str, Any], engine: str, sql_file: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable, "-m", "sqlrunner", "run", "--db", runner_env["database"],
            "--db_creds", runner_env["secrets"][engine], "--file", str(sql_file),
        ],
        env=runner_env["env"], capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def _server_ssl() -> bool:
    admin = pg.DB(dbname="postgres", host=PGHOST, port=PGPORT, user=PGUSER)
    try:
        return admin.query("SHOW ssl").getresult()[0][0] == "on"
    finally:
        admin.close()


def test_engine_redshift_never_talks_to_the_database_in_clear(
    runner_env: dict[str, Any], tmp_path: Path
) -> None:
    sql = tmp_path / "probe.sql"
    sql.write_text(
        "INSERT INTO canary SELECT 'ssl=' || ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid();\n"
    )
    done = _run(runner_env, "redshift", sql)
    db = pg.DB(dbname=runner_env["database"], host=PGHOST, port=PGPORT, user=PGUSER)
    try:
        notes = [row[0] for row in db.query("SELECT note FROM canary").getresult()]
    finally:
        db.close()
    assert PASSWORD not in done.stdout + done.stderr
    if _server_ssl():  # the session must be encrypted
        assert done.returncode == 0, done.stderr
        assert notes == ["ssl=true"]
    else:  # a server without TLS is refused at once, nothing runs
        assert done.returncode == 1
        assert "server does not support SSL, but SSL was required" in done.stderr
        assert "after 1 attempt(s) (not retried)" in done.stderr
        assert "Traceback" not in done.stderr
        assert notes == []


def test_a_session_terminated_inside_a_block_is_a_transient_failure_not_a_crash(
    runner_env: dict[str, Any], tmp_path: Path
) -> None:
    """The server ends the session (what a restart or failover does) in the middle of a
    transaction block: the runner must report the server's reason, exit 1, and leave
    nothing of the block behind. (It used to die on the ROLLBACK it sends to a dead
    connection: PyGreSQL raises LookupError there, not a pg.Error.)"""
    sql = tmp_path / "terminated.sql"
    sql.write_text(
        "BEGIN;\n"
        "INSERT INTO canary VALUES ('inside the block');\n"
        "SELECT pg_terminate_backend(pg_backend_pid());\n"
        "COMMIT;\n"
    )
    done = _run(runner_env, "postgres", sql)
    assert done.returncode == 1, done.stderr
    assert f"{sql}:3: statement 3:" in done.stderr
    assert "terminating connection due to administrator command" in done.stderr
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["status"] == "failed" and summary["failed_statement"] == 3
    db = pg.DB(dbname=runner_env["database"], host=PGHOST, port=PGPORT, user=PGUSER)
    try:
        assert db.query("SELECT count(*) FROM canary").getresult() == [(0,)]
    finally:
        db.close()


# ---------------------------------------------------------------- templates


def _resources(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {
        name: body.get("Properties", {})
        for name, body in template.get("Resources", {}).items()
        if body["Type"] == kind
    }


def _refers_to(value: Any, logical_id: str) -> bool:
    """True if a CloudFormation value (Ref, GetAtt, Sub) names the resource."""
    text = json.dumps(value)
    return any(
        token in text
        for token in (
            f'{{"Ref": "{logical_id}"}}',
            f'["{logical_id}", "Arn"]',
            f"${{{logical_id}.Arn}}",
            f"${{{logical_id}}}",
        )
    )


@pytest.mark.parametrize("path", TEMPLATES, ids=[p.name for p in TEMPLATES])
def test_every_bucket_denies_requests_without_tls(path: Path) -> None:
    template = cfn_yaml.loads(path.read_text())
    buckets = _resources(template, "AWS::S3::Bucket")
    policies = _resources(template, "AWS::S3::BucketPolicy")
    for bucket in buckets:
        denies = [
            statement
            for policy in policies.values()
            if _refers_to(policy["Bucket"], bucket)
            for statement in policy["PolicyDocument"]["Statement"]
            if statement["Effect"] == "Deny"
            and statement.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") == "false"
        ]
        assert denies, f"{path.name}: bucket {bucket} accepts requests without TLS"
        (deny,) = denies
        assert deny["Principal"] == "*" and deny["Action"] in ("s3:*", ["s3:*"])
        resources = deny["Resource"] if isinstance(deny["Resource"], list) else [deny["Resource"]]
        texts = [json.dumps(resource) for resource in resources]
        assert any(
            _refers_to(r, bucket) and "/*" not in t for r, t in zip(resources, texts, strict=True)
        )
        assert any("/*" in text for text in texts), f"{bucket}: objects are not covered"


def test_the_redshift_cluster_uses_a_parameter_group_that_requires_tls() -> None:
    template = cfn_yaml.loads((REPO_ROOT / "infra" / "templates" / "platform.yaml").read_text())
    (cluster,) = _resources(template, "AWS::Redshift::Cluster").values()
    groups = _resources(template, "AWS::Redshift::ClusterParameterGroup")
    (name,) = [g for g in groups if _refers_to(cluster["ClusterParameterGroupName"], g)]
    assert {"ParameterName": "require_ssl", "ParameterValue": "true"} in groups[name]["Parameters"]
