"""Fault: PostgreSQL restarts while a pipeline runs.

A private cluster (the shared server is never restarted, see private_postgres.py)
stands in for Redshift: the platform's secret points at it for this module.
- Restart in the middle of the load step's transaction: the server terminates the
  session (57P01), the attempt fails cleanly as transient, and the runner itself runs the
  file again on a new connection after the spec's delay (`--retries`, one minute here):
  the step and the execution succeed with no failed Glue run, and the day holds exactly
  the lake's rows.
- Server down when a run starts: the runner's transient-error path retries the
  connection with backoff and the run succeeds once the server is back.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from infra.deploy import point_secret_at

from .platform import (
    CHAOS_DIR,
    DAYS,
    LAKE_PREFIX,
    PASSWORD,
    REGION,
    Platform,
    backend_in,
    failed_tasks,
    wait_for,
)
from .private_postgres import PrivateCluster, PrivatePostgresUnavailable

pytestmark = pytest.mark.slow

APPLICATION = f"sqlrunner:{CHAOS_DIR}/load_reviews%"


@pytest.fixture(scope="module")
def private(platform: Platform) -> Iterator[PrivateCluster]:
    try:
        cluster = PrivateCluster.create()
    except PrivatePostgresUnavailable as exc:
        pytest.skip(f"cannot start a private PostgreSQL cluster here: {exc}")
    try:
        admin = cluster.connect()
        # the Glue job's --db names the database; the cluster gets one of that name
        admin.query(f'CREATE DATABASE "{platform.database}"')
        admin.close()
        point_secret_at(
            endpoint_url=platform.aws.endpoint_url,
            region=REGION,
            secret_id=platform.deployed.secret_arn,
            host=cluster.host,
            port=cluster.port,
            username=cluster.user,
            password=PASSWORD,
            dbname=platform.database,
        )
        yield cluster
    finally:
        platform.client("secretsmanager").put_secret_value(
            SecretId=platform.deployed.secret_arn, SecretString=json.dumps(platform.secret_value)
        )
        cluster.destroy()


def _day_counts(platform: Platform, cluster: PrivateCluster, day) -> tuple[int, int]:
    db = cluster.connect(platform.database)
    try:
        return db.query(
            "SELECT count(*), count(DISTINCT review_id) FROM reviews WHERE review_date = $1",
            (day,),
        ).getresult()[0]
    finally:
        db.close()


def test_restart_during_the_load_is_retried_by_the_runner_and_the_day_is_loaded(
    platform: Platform, private: PrivateCluster
) -> None:
    day = DAYS[5]
    expected = platform.lake.rows_on(day)
    execution = platform.start("chaos_reviews_etl", {"run_date": day.isoformat()})
    holding = backend_in(platform.database, APPLICATION, "SELECT pg_sleep%", port=private.port)
    sfn = platform.client("stepfunctions")

    def holding_or_ended() -> bool:
        if sfn.describe_execution(executionArn=execution)["status"] != "RUNNING":
            raise AssertionError(f"execution ended early: {platform.wait_execution(execution)}")
        return bool(holding())

    wait_for(
        holding_or_ended,
        timeout=90,
        what="the load step to reach its open transaction",
        every=0.1,
    )
    private.restart()

    done = platform.wait_execution(execution, timeout=400)
    assert done["status"] == "SUCCEEDED", done
    assert failed_tasks(done["history"]) == []  # the runner retried inside its run
    (load,) = [
        json.loads(e["taskSucceededEventDetails"]["output"])
        for e in done["history"]
        if e["type"] == "TaskSucceeded"
        and "load_reviews.sql" in e["taskSucceededEventDetails"].get("output", "")
    ]
    output = "\n".join(platform.log_lines("/aws-glue/python-jobs/output", load["Id"]))
    # the attempt failed as a transient database error, not as a crash of the runner
    assert "attempt 1 of 3 failed transiently" in output
    assert "terminating connection due to administrator command" in output
    assert "internal error" not in output
    assert json.loads(output.splitlines()[-1])["attempts"] == 2
    assert _day_counts(platform, private, day) == (expected, expected)


def test_server_down_at_start_the_runner_reconnects_with_backoff(
    platform: Platform, private: PrivateCluster
) -> None:
    private.stop()
    try:
        run_id = platform.start_glue_run(
            "sql/reviews/create_schema.sql",
            {"lake_uri": f"s3://{platform.data_bucket}/{LAKE_PREFIX}"},
        )
        wait_for(
            lambda: any(
                "connect attempt 1 failed" in line
                for line in platform.log_lines("/aws-glue/python-jobs/output", run_id)
            ),
            timeout=60,
            what="the runner's first failed connection attempt",
            every=0.1,
        )
    finally:
        private.start()
    run = platform.wait_glue_run(run_id)
    assert run["JobRunState"] == "SUCCEEDED", run
    output = platform.log_lines("/aws-glue/python-jobs/output", run_id)
    assert any("retrying in" in line for line in output)
    assert json.loads(output[-1])["status"] == "succeeded"
