"""The Airflow side of the faults, with the real Airflow 3.3.1 against the local stack
(the fixtures of tests/airflow: `make local-up`'s stack and a private AIRFLOW_HOME).

- No secret value in anything Airflow wrote: both DAGs run a date, a third run fails on
  a malformed secret and alerts; then the commands' output (`dags test` prints the task
  logs), every file under AIRFLOW_HOME, every row of the metadata database (PostgreSQL,
  XComs included), the local CloudWatch logs, the SNS alerts and the executions'
  histories are searched for the database password. The backfill below runs tasks through the scheduler, which writes
  task log files: those are searched too.
- The Glue concurrency limit during an Airflow backfill: the shared job is cut to one
  concurrent run and three dates are backfilled at once; Airflow's task retries absorb
  the refusals and every date ends with exactly the lake's rows, once.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from etlkit_core import pipeline_graph
from etlkit_core.spec import discover
from infra.local import stack
from tests.airflow.conftest import DATES, Airflow, LocalStack, backfill_command
from tests.dags.airflow_home import REPO

from .platform import log_messages

pytestmark = [pytest.mark.slow, pytest.mark.timeout(2400)]


def _password(local_stack: LocalStack) -> str:
    secret = local_stack.client("secretsmanager").get_secret_value(
        SecretId=local_stack.state.outputs["SecretArn"]
    )
    password = json.loads(secret["SecretString"])["password"]
    assert len(password) >= 16  # random: no output can contain it by chance
    return password


@contextlib.contextmanager
def _secret_value(local_stack: LocalStack, value: str) -> Iterator[None]:
    secrets = local_stack.client("secretsmanager")
    arn = local_stack.state.outputs["SecretArn"]
    original = secrets.get_secret_value(SecretId=arn)["SecretString"]
    secrets.put_secret_value(SecretId=arn, SecretString=value)
    try:
        yield
    finally:
        secrets.put_secret_value(SecretId=arn, SecretString=original)


def _alert_queue(local_stack: LocalStack) -> str:
    sqs, sns = local_stack.client("sqs"), local_stack.client("sns")
    url = sqs.create_queue(QueueName=f"chaos-af-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
    sns.subscribe(
        TopicArn=local_stack.state.outputs["AlertTopicArn"],
        Protocol="sqs",
        Endpoint=arn["QueueArn"],
    )
    return url


def _drain(local_stack: LocalStack, url: str) -> list[str]:
    sqs = local_stack.client("sqs")
    bodies = []
    while True:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        if not messages.get("Messages"):
            return bodies
        for message in messages["Messages"]:
            bodies.append(message["Body"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def _files_under(root: Path) -> list[tuple[str, bytes]]:
    return [(str(path), path.read_bytes()) for path in root.rglob("*") if path.is_file()]


def _metadata_rows(local_stack: LocalStack) -> list[tuple[str, str]]:
    """Every row of every table of Airflow's metadata database, as text, by table."""
    db = local_stack.state.postgres.connect(stack.airflow_database(local_stack.state.database))
    try:
        tables = db.query(
            "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables "
            "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        ).getresult()
        return [
            (
                f"metadata {table}",
                "\n".join(row[0] for row in db.query(f"SELECT t::text FROM {table} t").getresult()),
            )
            for (table,) in tables
        ]
    finally:
        db.close()


def _stack_outputs(local_stack: LocalStack) -> list[str]:
    texts = log_messages(local_stack.client("logs"))
    sfn = local_stack.client("stepfunctions")
    for machine in sfn.list_state_machines()["stateMachines"]:
        for execution in sfn.list_executions(stateMachineArn=machine["stateMachineArn"])[
            "executions"
        ]:
            arn = execution["executionArn"]
            texts.append(json.dumps(sfn.describe_execution(executionArn=arn), default=str))
            history = sfn.get_execution_history(executionArn=arn, maxResults=1000)
            texts.append(json.dumps(history, default=str))
    return texts


FAILING_SPEC = """\
name: chaos_secret_etl
schedule: null
start_date: 2026-01-01
retries: 0
params:
  run_date: {type: date}
steps:
  - {id: touch_nothing, file: touch_nothing.sql, params: [run_date]}
"""
FAILING_SQL = "-- @param run_date date\nSELECT '${run_date}'::date;\n"


def test_nothing_airflow_writes_contains_the_password(
    local_stack: LocalStack, airflow: Airflow, tmp_path: Path
) -> None:
    password = _password(local_stack)
    queue = _alert_queue(local_stack)
    outputs: list[tuple[str, str | bytes]] = []

    for dag_id, day in (("reviews_etl_glue", DATES[0]), ("reviews_etl_stepfunctions", DATES[1])):
        done = airflow.run("dags", "test", dag_id, "--conf", json.dumps({"run_date": str(day)}))
        assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
        outputs.append((f"airflow dags test {dag_id}", done.stdout + done.stderr))
    # `dags test` prints the task logs, with the Glue runs' output the operator copies in
    assert "running 1 statement(s)" in outputs[0][1]

    root = tmp_path / "pipelines"
    (root / "chaos_secret").mkdir(parents=True)
    (root / "chaos_secret" / "pipeline.yaml").write_text(FAILING_SPEC)
    (root / "chaos_secret" / "touch_nothing.sql").write_text(FAILING_SQL)
    pipeline_graph.write(discover(root))  # the DAG's task graph is read from it
    local_stack.client("s3").put_object(
        Bucket=local_stack.state.outputs["ScriptsBucket"],
        Key="sql/chaos_secret/touch_nothing.sql",
        Body=FAILING_SQL,
    )
    fields = json.loads(
        local_stack.client("secretsmanager").get_secret_value(
            SecretId=local_stack.state.outputs["SecretArn"]
        )["SecretString"]
    )
    with _secret_value(local_stack, json.dumps({**fields, "port": "not a port"})):
        failed = airflow.with_env(ETLKIT_PIPELINES_DIR=str(root)).run(
            "dags",
            "test",
            "chaos_secret_etl_glue",
            "--conf",
            json.dumps({"run_date": str(DATES[2])}),
        )
    output = failed.stdout + failed.stderr
    assert failed.returncode != 0, output[-3000:]
    assert "field 'port' must be an integer" in output
    outputs.append(("airflow dags test chaos_secret_etl_glue", output))

    alerts = _drain(local_stack, queue)
    assert any("chaos_secret_etl" in alert for alert in alerts), alerts
    outputs += [("SNS", alert) for alert in alerts]
    outputs += [("AWS", text) for text in _stack_outputs(local_stack)]
    outputs += _files_under(airflow.home)
    metadata = _metadata_rows(local_stack)
    assert any("xcom" in name and text for name, text in metadata), "no XComs scanned"
    outputs += metadata

    needle = password.encode()
    leaks = [
        name
        for name, content in outputs
        if needle in (content if isinstance(content, bytes) else content.encode())
    ]
    assert leaks == [], f"the password is in: {leaks}"


# scheduler: stepfunctions keeps the DAG from starting a run of its own when the backfill
# unpauses it (only the backfill's runs are wanted here).
CONCURRENCY_SPEC = """\
name: chaos_af_reviews
schedule: "0 2 * * *"
scheduler: stepfunctions
start_date: 2015-01-01
max_active_runs: 3
retries: 6
retry_delay_minutes: 1
step_timeout_minutes: 120
params:
  run_date: {type: date, from: data_interval_start}
  lake_uri: {type: s3_uri, default: "s3://{data_bucket}/lake/reviews/parquet/"}
  report_uri: {type: s3_uri, default: "s3://{data_bucket}/reports/chaos_af/"}
  min_rows: {type: integer, default: 1}
steps:
  - {id: create_schema, file: create_schema.sql, params: [lake_uri]}
  - {id: load_reviews, file: load_reviews.sql, params: [run_date, min_rows]}
  - {id: unload_helpful_reviews, file: unload_helpful_reviews.sql, params: [run_date, report_uri]}
"""


@contextlib.contextmanager
def _max_concurrent_runs(local_stack: LocalStack, limit: int) -> Iterator[None]:
    glue = local_stack.client("glue")
    name = local_stack.state.outputs["GlueJobName"]
    job = glue.get_job(JobName=name)["Job"]
    keys = (
        "Role", "Command", "DefaultArguments", "Connections", "MaxCapacity", "Timeout",
        "ExecutionProperty", "GlueVersion", "MaxRetries", "Description",
    )  # fmt: skip
    update = {key: job[key] for key in keys if key in job}
    glue.update_job(
        JobName=name, JobUpdate={**update, "ExecutionProperty": {"MaxConcurrentRuns": limit}}
    )
    try:
        yield
    finally:
        glue.update_job(JobName=name, JobUpdate=update)


def test_an_airflow_backfill_on_a_one_run_glue_job_retries_and_ends_correct(
    local_stack: LocalStack, airflow: Airflow, tmp_path: Path
) -> None:
    root = tmp_path / "pipelines"
    pipeline = root / "chaos_af"
    pipeline.mkdir(parents=True)
    (pipeline / "pipeline.yaml").write_text(textwrap.dedent(CONCURRENCY_SPEC))
    s3 = local_stack.client("s3")
    for name in ("create_schema.sql", "load_reviews.sql", "unload_helpful_reviews.sql"):
        shutil.copy(REPO / "sql" / "reviews" / name, pipeline / name)
        s3.put_object(
            Bucket=local_stack.state.outputs["ScriptsBucket"],
            Key=f"sql/chaos_af/{name}",
            Body=(pipeline / name).read_bytes(),
        )
    pipeline_graph.write(discover(root))  # the DAG's task graph is read from it
    home = tmp_path / "airflow"
    command = backfill_command(
        local_stack.env_file, home, "chaos_af_reviews_glue", DATES[0], DATES[-1]
    )
    env = {**airflow.env, "PYTHONPATH": str(REPO), "ETLKIT_PIPELINES_DIR": str(root)}
    for own in ("AIRFLOW_HOME", "ETLKIT_POLL_SECONDS"):  # the wrapper sets its own
        env.pop(own)
    db = local_stack.state.postgres.connect(local_stack.state.database)
    try:  # earlier tests may have loaded these dates: the backfill must load them itself
        if db.query("SELECT to_regclass('reviews') IS NOT NULL").getresult()[0][0]:
            db.query("DELETE FROM reviews WHERE review_date = ANY($1::date[])", (_dates(),))
    finally:
        db.close()

    with _max_concurrent_runs(local_stack, 1):
        done = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=2100, check=False
        )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-5000:]
    assert "chaos_af_reviews_glue: 3 of 3 run(s) succeeded" in done.stdout, output[-5000:]
    written = _files_under(home)
    task_logs = b"".join(content for name, content in written if "/logs/" in name)
    assert b"ConcurrentRunsExceededException" in task_logs, "the limit was never hit"
    password = _password(local_stack).encode()
    assert [name for name, content in written if password in content] == []
    for day in DATES:
        assert local_stack.query(
            "SELECT count(*), count(DISTINCT review_id) FROM reviews WHERE review_date = $1", day
        ) == [(local_stack.counts[day], local_stack.counts[day])], day


def _dates() -> str:
    return "{" + ",".join(str(day) for day in DATES) + "}"
