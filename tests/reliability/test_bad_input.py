"""The bad-input catalogue (catalogue.py), each case through the real entry point as a
subprocess, against real PostgreSQL and the local AWS: non-zero exit, an error naming
the culprit, no traceback, no secret value, and nothing changed anywhere (every table
of the database, every object of every bucket, the spec generator's output folder)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pg
import pytest

from infra import REPO_ROOT
from infra.local.server import LocalAws
from tests.chaos.platform import PGHOST, PGPORT, PGUSER, own_database

from .catalogue import (
    CANARY,
    CANARY_PASSWORD,
    CASES,
    FAILURE_CLASSES,
    GOOD_SECRET,
    Case,
    Generated,
)

GLUE_SCRIPT = REPO_ROOT / "glue_job" / "run_sql.py"
SPEC_FILES = {
    "make_table.sql": "CREATE TABLE IF NOT EXISTS probe (run_date date);\n",
    "load_day.sql": "-- @param run_date date\nINSERT INTO probe VALUES ('${run_date}');\n",
}


@dataclass
class Harness:
    aws: LocalAws
    database: str
    bucket: str
    good_secret: str
    redshift_secret: str
    env: dict[str, str]

    def snapshot(self) -> dict[str, Any]:
        """Every table's rows (digest) and every object of every bucket."""
        db = pg.DB(dbname=self.database, host=PGHOST, port=PGPORT, user=PGUSER)
        try:
            tables = db.query(
                "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables "
                "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1"
            ).getresult()
            rows = {
                table: sorted(r[0] for r in db.query(f"SELECT t::text FROM {table} t").getresult())
                for (table,) in tables
            }
        finally:
            db.close()
        s3 = self.aws.client("s3")
        objects = {}
        for bucket in s3.list_buckets()["Buckets"]:
            pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket["Name"])
            for page in pages:
                for item in page.get("Contents", []):
                    objects[(bucket["Name"], item["Key"])] = (item["ETag"], item["LastModified"])
        return {"tables": rows, "objects": objects}


@pytest.fixture(scope="module")
def harness(local_aws: LocalAws, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    scratch = tmp_path_factory.mktemp("control")
    with own_database("chaos_reliab") as database:
        db = pg.DB(dbname=database, host=PGHOST, port=PGPORT, user=PGUSER)
        db.query("CREATE TABLE canary (note text)")
        db.query("INSERT INTO canary VALUES ('there before the catalogue')")
        db.close()
        bucket = f"reliability-{uuid.uuid4().hex[:8]}"
        local_aws.client("s3").create_bucket(Bucket=bucket)
        good_secret = f"reliability/good-{uuid.uuid4().hex[:6]}"
        redshift_secret = f"reliability/redshift-{uuid.uuid4().hex[:6]}"
        for name, fields in (
            (good_secret, GOOD_SECRET),
            (redshift_secret, {**GOOD_SECRET, "engine": "redshift"}),
        ):
            local_aws.client("secretsmanager").create_secret(
                Name=name, SecretString=json.dumps(fields)
            )
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith("AWS_") and key != "PYTHONPATH"
        }
        env.update(local_aws.environment())
        harness = Harness(local_aws, database, bucket, good_secret, redshift_secret, env)
        # The harness itself: a good file through the same path succeeds and is seen.
        # It also lets the local adapter create its bookkeeping schema once, up front.
        argv, _ = prepare(
            harness, Case("control", "control", "run", "", 0, "", sql=CANARY), scratch
        )
        before = harness.snapshot()
        done = execute(harness, argv)
        assert done.returncode == 0, done.stderr
        assert harness.snapshot() != before
        yield harness


def _sql_bytes(sql: str | bytes | Generated) -> bytes:
    if isinstance(sql, Generated):
        return sql.render()
    return sql if isinstance(sql, bytes) else sql.encode()


def prepare(harness: Harness, case: Case, scratch: Path) -> tuple[list[str], str]:
    """Put the case's file, secret or spec in place; returns (argv, expected message)."""
    scratch.mkdir(parents=True, exist_ok=True)
    values = {
        "db": harness.database,
        "bucket": harness.bucket,
        "key": f"sql/bad/{case.id}.sql",
        "secret": harness.good_secret,
        "redshift_secret": harness.redshift_secret,
        "path": str(scratch / f"{case.id}.sql"),
        "junk": str(scratch / "junk.pem"),
        "spec": str(scratch / "sql" / "bad_probe" / "pipeline.yaml"),
    }
    values["location"] = f"s3://{values['bucket']}/{values['key']}"
    Path(values["junk"]).write_text("not a certificate\n")
    if case.secret is not None:
        values["secret"] = f"reliability/{case.id}-{uuid.uuid4().hex[:6]}"
        kind = "SecretBinary" if isinstance(case.secret, bytes) else "SecretString"
        harness.aws.client("secretsmanager").create_secret(
            Name=values["secret"], **{kind: case.secret}
        )
    if case.sql is not None and case.tool in ("run", "glue"):
        harness.aws.client("s3").put_object(
            Bucket=harness.bucket, Key=values["key"], Body=_sql_bytes(case.sql)
        )
    if case.sql is not None and case.tool in ("split", "render"):
        Path(values["path"]).write_bytes(_sql_bytes(case.sql))
    runner_args = [
        arg.format(**values)
        for arg in case.argv
        or ("--db", "{db}", "--db_creds", "{secret}", "--bucket", "{bucket}", "--file", "{key}")
    ]
    params = ["--params", case.params] if case.params is not None else []
    if case.tool == "run":
        argv = ["-m", "sqlrunner", "run", *runner_args, *([] if case.argv else params)]
    elif case.tool == "glue":
        argv = [str(GLUE_SCRIPT), *runner_args, *([] if case.argv else params)]
    elif case.tool == "split":
        argv = ["-m", "sqlrunner", "split", values["path"]]
    elif case.tool == "render":
        argv = ["-m", "sqlrunner", "render", values["path"], *params]
    elif case.tool == "cli":
        argv = ["-m", "sqlrunner", *(case.argv or ())]
    else:
        spec_dir = Path(values["spec"]).parent
        spec_dir.mkdir(parents=True, exist_ok=True)
        for name, text in SPEC_FILES.items():
            (spec_dir / name).write_text(text)
        Path(values["spec"]).write_text(case.spec or "")
        out = scratch / "out"  # holds a definition the generator must leave alone
        out.mkdir(exist_ok=True)
        (out / "existing.asl.json").write_text('{"kept": true}\n')
        argv = ["-m", "infra.asl", "--sql-root", str(scratch / "sql"), "--out-dir", str(out)]
    return argv, case.names.format(**values)


def execute(harness: Harness, argv: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *argv],
        cwd=REPO_ROOT,
        env=harness.env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _outputs(folder: Path) -> dict[str, bytes]:
    if not folder.exists():
        return {}
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_input_fails_clearly_and_changes_nothing(
    harness: Harness, case: Case, tmp_path: Path
) -> None:
    assert case.exit != 0
    argv, expected = prepare(harness, case, tmp_path)
    before = harness.snapshot()
    outputs_before = _outputs(tmp_path / "out")

    done = execute(harness, argv)

    output = done.stdout + done.stderr
    assert done.returncode == case.exit, output
    assert expected in done.stderr, f"expected {expected!r} in:\n{done.stderr}"
    assert "Traceback" not in output
    assert CANARY_PASSWORD not in output
    error_lines = [line for line in done.stderr.splitlines() if "error:" in line]
    assert error_lines, f"no error line in:\n{done.stderr}"
    if case.tool != "spec":  # the runner names the failure class on its last line
        assert error_lines[-1] == done.stderr.strip().splitlines()[-1]
        assert error_lines[-1].endswith(f"(failure: {FAILURE_CLASSES[case.exit]})")
    if case.tool in ("run", "glue") and done.stdout.strip():
        summary = json.loads(done.stdout.strip().splitlines()[-1])
        assert summary["status"] == "failed" and summary["exit_code"] == case.exit
        assert summary["failure"] == FAILURE_CLASSES[case.exit]
    assert harness.snapshot() == before
    assert _outputs(tmp_path / "out") == outputs_before
