"""`make local-up` / `make local-down` as a user runs them: processes, .local/env, a shell
that sources it running the runner against the local stack, whose PostgreSQL checks the
runner's password as Redshift would, and Airflow's metadata database in that PostgreSQL."""

import json
import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import boto3
import pytest

from infra.local.stack import process_running, remove_private_cluster

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def stack(*args, env):
    return subprocess.run(
        [sys.executable, "-m", "infra.local.stack", *args],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def answers(url):
    host, port = url.removeprefix("http://").split(":")
    with socket.socket() as probe:
        return probe.connect_ex((host, int(port))) == 0


@pytest.fixture
def state_dir(tmp_path):
    database = f"etlkit_stack_{uuid.uuid4().hex[:8]}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PG")},
        "LOCAL_AWS_PORT": "0",
        "LOCAL_DB": database,
    }
    yield tmp_path, env, database
    stack("down", "--state-dir", str(tmp_path), env=env)
    remove_private_cluster(tmp_path)


def test_up_writes_env_that_a_shell_can_use_and_down_stops_everything(state_dir):
    directory, env, database = state_dir
    up = stack("up", "--rows", "0", "--state-dir", str(directory), env=env)
    assert up.returncode == 0, up.stderr + up.stdout
    state = json.loads((directory / "stack.json").read_text())
    assert process_running(state["server_pid"]) and answers(state["endpoint_url"])
    status = stack("status", "--state-dir", str(directory), env=env)
    assert status.returncode == 0 and f"pid {state['server_pid']}: up" in status.stdout
    env_file = (directory / "env").read_text()
    for name in (
        "AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION",
        "ETLKIT_SCRIPTS_BUCKET", "ETLKIT_DATA_BUCKET", "ETLKIT_SECRET_ID", "ETLKIT_DB",
        "ETLKIT_GLUE_JOB_NAME", "ETLKIT_ALERT_TOPIC_ARN", "ETLKIT_STATE_MACHINE_ARN_REVIEWS_ETL",
        "AIRFLOW_VAR_ETLKIT_GLUE_JOB_NAME", "AIRFLOW_VAR_ETLKIT_DATA_BUCKET",
        "AIRFLOW_VAR_ETLKIT_ALERT_TOPIC_ARN", "AIRFLOW_VAR_ETLKIT_STATE_MACHINE_ARNS",
        "AIRFLOW_CONN_AWS_DEFAULT",
    ):  # fmt: skip
        assert f"export {name}=" in env_file
    assert "password" not in env_file.lower()

    # a shell that sources it runs the runner on a file in the stack's scripts bucket
    script = f"""
        set -e
        . {directory}/env
        test "$ETLKIT_DB" = {database}
        {sys.executable} -m sqlrunner run --db "$ETLKIT_DB" --db_creds "$ETLKIT_SECRET_ID" \\
            --bucket "$ETLKIT_SCRIPTS_BUCKET" --file sql/reviews/create_schema.sql \\
            --params "{{\\"lake_uri\\": \\"s3://$ETLKIT_DATA_BUCKET/lake/reviews/parquet/\\"}}"
    """
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["status"] == "succeeded" and summary["engine"] == "postgres"

    # the runner logs in over TCP with a password that is checked (scram-sha-256), as on
    # Redshift: a wrong one is refused
    secrets = boto3.client(
        "secretsmanager",
        endpoint_url=state["endpoint_url"],
        region_name=state["region"],
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    secret_id = state["outputs"]["SecretArn"]
    value = json.loads(secrets.get_secret_value(SecretId=secret_id)["SecretString"])
    secrets.put_secret_value(
        SecretId=secret_id, SecretString=json.dumps({**value, "password": "not-the-password"})
    )
    refused = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=120)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "password authentication failed" in refused.stderr
    assert "not-the-password" not in refused.stdout + refused.stderr

    # Airflow's metadata lives in a database of that PostgreSQL, as on MWAA
    assert f"/{database}_airflow?host=" in env_file
    assert "postgresql+psycopg2://postgres@" in env_file

    down = stack("down", "--state-dir", str(directory), env=env)
    assert down.returncode == 0
    assert "local AWS server" in down.stdout
    assert not process_running(state["server_pid"])
    assert not answers(state["endpoint_url"])
    assert not (directory / "env").exists() and not (directory / "aws" / "server.pid").exists()
    status = stack("status", "--state-dir", str(directory), env=env)
    assert status.returncode == 1 and "run `make local-up`" in status.stderr


def test_down_when_nothing_runs_says_so(tmp_path):
    done = stack("down", "--state-dir", str(tmp_path), env=dict(os.environ))
    assert done.returncode == 0 and "nothing was running" in done.stdout
