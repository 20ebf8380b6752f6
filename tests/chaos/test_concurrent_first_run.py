"""Fault: the first runs of a pipeline start at the same time (a backfill on a fresh
stack). Every one of them runs the idempotent schema step; `IF NOT EXISTS` must hold
when they race each other to create the same external database, table and partitions,
not only when they come one after another.

Found by bench/backfill_30d.py: two of the three first executions failed their schema
step with "Glue Data Catalog create_database failed: AlreadyExistsException" and only
succeeded on the state machine's retry five minutes later. Each round here uses a fresh
database too, so the local adapter's own first-run set-up (its bookkeeping schema)
races as well: it fails with 'schema "sqlrunner_local" already exists'.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path

import pytest

from infra import REPO_ROOT
from infra.local.server import default_glue_python

from .platform import LAKE_PREFIX, Platform, own_database

pytestmark = pytest.mark.slow

RUNNERS = 4
ROUNDS = 2


def _schema_sql(suffix: str, lake_uri: str) -> str:
    """The reviews schema step's external objects, under names no other run has used."""
    return f"""
CREATE EXTERNAL SCHEMA IF NOT EXISTS race_{suffix}
FROM DATA CATALOG DATABASE 'race_{suffix}' IAM_ROLE default
CREATE EXTERNAL DATABASE IF NOT EXISTS;

CREATE EXTERNAL TABLE IF NOT EXISTS race_{suffix}.reviews (
    review_id varchar(20), helpful_votes int, review_date date
)
PARTITIONED BY (product_category varchar(25))
STORED AS PARQUET
LOCATION '{lake_uri}';

ALTER TABLE race_{suffix}.reviews ADD IF NOT EXISTS
    PARTITION (product_category = 'Books') LOCATION '{lake_uri}product_category=Books/'
    PARTITION (product_category = 'Baby') LOCATION '{lake_uri}product_category=Baby/';
"""


def test_racing_first_runs_of_the_schema_step_all_succeed(
    platform: Platform, tmp_path: Path
) -> None:
    # The runners race as Glue would run them: Glue's interpreter (.venv-py39 when there
    # is one), several runs of the same step at once.
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(platform.aws.environment(), PYTHONPATH=str(REPO_ROOT / "glue_job" / "src"))
    lake_uri = f"s3://{platform.data_bucket}/{LAKE_PREFIX}"
    failures = []
    for _round in range(ROUNDS):
        sql = tmp_path / f"schema_{uuid.uuid4().hex[:8]}.sql"
        sql.write_text(_schema_sql(uuid.uuid4().hex[:8], lake_uri))
        with own_database("chaos_race") as database:  # a fresh cluster, as on a first run
            argv = [default_glue_python(), "-m", "sqlrunner", "run", "--db", database]
            argv += ["--db_creds", platform.deployed.secret_arn, "--file", str(sql)]
            runners = [
                subprocess.Popen(
                    argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
                )
                for _ in range(RUNNERS)
            ]
            for runner in runners:
                stdout, stderr = runner.communicate(timeout=120)
                if runner.returncode != 0:
                    last = ((stderr or stdout).strip().splitlines() or ["(no output)"])[-1]
                    failures.append(f"exit {runner.returncode}: {last}")
    assert failures == [], f"{len(failures)} of {RUNNERS * ROUNDS} racing runs failed: {failures}"
