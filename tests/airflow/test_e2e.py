"""End to end: the real Airflow 3.3.1 (CLI, scheduler, triggerer, LocalExecutor) runs the DAGs
against the local stack, where the real runner executes in local Glue against PostgreSQL and
the state machine really executes. Outcomes are read from PostgreSQL, S3, Step Functions
and an SQS queue subscribed to the alert topic."""

from __future__ import annotations

import json
import re
import subprocess
import textwrap
import time

import pytest
import sqlalchemy

from etlkit_core import pipeline_graph
from etlkit_core.spec import discover
from infra.mwaa.local_airflow import METADATA_DATABASE
from tests.airflow.conftest import (
    DATES,
    backfill_command,
    expected_report,
    report_by_partition,
)
from tests.dags.airflow_home import REPO

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]


def _check_day(local_stack, day):
    """The day's rows are loaded exactly once, and its report is the expected top 10s."""
    lake = local_stack.lake_rows(day)
    assert len(lake) == local_stack.counts[day] > 0
    assert local_stack.loaded_rows(day) == len(lake)
    files = local_stack.unloaded(day)
    assert files, f"no report files for {day}"
    assert report_by_partition(files) == expected_report(lake)
    return files


def _notes(airflow, dag_id):
    """The notes of the DAG's runs, from Airflow's metadata database."""
    engine = sqlalchemy.create_engine(airflow.env[METADATA_DATABASE])
    try:
        with engine.connect() as db:
            rows = db.execute(
                sqlalchemy.text(
                    "SELECT n.content FROM dag_run_note n JOIN dag_run r ON r.id = n.dag_run_id "
                    "WHERE r.dag_id = :dag"
                ),
                {"dag": dag_id},
            ).all()
    finally:
        engine.dispose()
    return {row[0] for row in rows}


def test_both_dags_run_a_date_and_agree(local_stack, airflow):
    day = DATES[0]
    conf = json.dumps({"run_date": day.isoformat()})

    glue = airflow.run("dags", "test", "reviews_etl_glue", "--conf", conf)
    assert glue.returncode == 0, (glue.stdout + glue.stderr)[-5000:]
    assert "running 1 statement(s)" in glue.stdout + glue.stderr  # Glue logs in the task log
    by_glue = _check_day(local_stack, day)

    sfn = airflow.run("dags", "test", "reviews_etl_stepfunctions", "--conf", conf)
    assert sfn.returncode == 0, (sfn.stdout + sfn.stderr)[-5000:]
    by_sfn = _check_day(local_stack, day)
    # runs made by `dags test` (no scheduler) carry the date they processed too
    assert _notes(airflow, "reviews_etl_glue") >= {f"run_date={day}"}
    assert _notes(airflow, "reviews_etl_stepfunctions") >= {f"run_date={day}"}
    assert by_sfn == by_glue  # same rows loaded, same files with the same rows

    client = local_stack.client("stepfunctions")
    arn = local_stack.state.state_machines["reviews_etl"]
    executions = [  # this date's (other tests of the session run other dates)
        e
        for e in client.list_executions(stateMachineArn=arn)["executions"]
        if e["name"].startswith(day.isoformat())
    ]
    assert [e["status"] for e in executions] == ["SUCCEEDED"]
    # named after the run date, as the schedule would have named it
    assert executions[0]["name"] == day.isoformat()
    described = client.describe_execution(executionArn=executions[0]["executionArn"])
    assert json.loads(described["input"]) == {"run_date": day.isoformat()}

    # the same date again: the date ran already, so this run is a rerun with its own name
    again = airflow.run("dags", "test", "reviews_etl_stepfunctions", "--conf", conf)
    assert again.returncode == 0, (again.stdout + again.stderr)[-5000:]
    names = sorted(
        e["name"]
        for e in client.list_executions(stateMachineArn=arn)["executions"]
        if e["name"].startswith(day.isoformat())
    )
    assert names[0] == day.isoformat() and len(names) == 2
    assert re.fullmatch(rf"{day.isoformat()}_rerun_[0-9a-f]{{8}}_t1", names[1]), names
    assert _check_day(local_stack, day) == by_glue


FAILING_SPEC = """
name: failing_etl
description: A pipeline whose second step fails. Written by a test only.
schedule: null
start_date: 2026-01-01
retries: 2
retry_delay_minutes: 1
params:
  run_date: {type: date, from: data_interval_start}
steps:
  - id: prepare
    file: prepare.sql
  - id: break_things
    file: break.sql
    params: [run_date]
"""


def test_a_permanent_failure_fails_the_run_without_retries_and_alerts_the_runners_error(
    local_stack, airflow, tmp_path
):
    """A SQL error is permanent: the task fails on its first try though the spec allows two
    retries, and the alert quotes the runner's error line from the run's error log."""
    root = tmp_path / "pipelines"
    (root / "failing").mkdir(parents=True)
    (root / "failing" / "pipeline.yaml").write_text(textwrap.dedent(FAILING_SPEC))
    sql = {
        "prepare.sql": "SELECT 1;\n",
        "break.sql": "-- @param run_date date\nSELECT count(*) FROM no_such_table_e2e\n"
        "WHERE day = '${run_date}';\n",
    }
    s3 = local_stack.client("s3")
    for name, text in sql.items():
        (root / "failing" / name).write_text(text)
        s3.put_object(
            Bucket=local_stack.state.outputs["ScriptsBucket"], Key=f"sql/failing/{name}", Body=text
        )
    pipeline_graph.write(discover(root))  # the DAG's task graph is read from it
    queue = _alert_queue(local_stack)

    run = airflow.with_env(ETLKIT_PIPELINES_DIR=str(root)).run(
        "dags", "test", "failing_etl_glue", "--conf", json.dumps({"run_date": "2015-06-02"})
    )
    output = run.stdout + run.stderr
    assert run.returncode != 0, output[-5000:]
    assert "DagRun failed" in output

    alerts = _receive(local_stack, queue, expected=1)
    assert (
        alerts[0]["Subject"]
        == "[etlkit] failing_etl failed at break_things for 2015-06-02 (failing_etl_glue)"
    )
    message = alerts[0]["Message"]
    assert "Task:      break_things (runs sql/failing/break.sql)" in message
    assert "Run date:  2015-06-02" in message
    assert "ended FAILED, permanent: sqlrunner: error: s3://" in message
    assert 'relation "no_such_table_e2e" does not exist' in message
    assert "(Command failed with exit code 1); cost: " in message  # issue 16's cost line
    assert "; not retried: retrying cannot fix it" in message
    assert "Try:       1 of 3" in message
    assert "AirflowFailException" in message
    assert "Log:       http://127.0.0.1:" in message


def _alert_queue(local_stack):
    sqs, sns = local_stack.client("sqs"), local_stack.client("sns")
    url = sqs.create_queue(QueueName=f"alerts-{int(time.time() * 1000)}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(TopicArn=local_stack.state.outputs["AlertTopicArn"], Protocol="sqs", Endpoint=arn)
    return url


def _receive(local_stack, url, expected, timeout=30.0):
    sqs = local_stack.client("sqs")
    found, deadline = [], time.monotonic() + timeout
    while len(found) < expected and time.monotonic() < deadline:
        for message in sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1
        ).get("Messages", []):
            found.append(json.loads(message["Body"]))
    assert len(found) == expected, found
    return found


@pytest.mark.chaos  # ~9 minutes of scheduler round trips: run by `make chaos` (CI runs both)
def test_backfill_three_days_and_again(local_stack, airflow, tmp_path):
    command = backfill_command(
        local_stack.env_file, tmp_path / "airflow", "reviews_etl_glue", DATES[0], DATES[-1]
    )
    env = {**airflow.env, "PYTHONPATH": str(REPO)}
    for own in ("AIRFLOW_HOME", "ETLKIT_POLL_SECONDS"):  # the wrapper sets its own
        env.pop(own)
    first = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=1500, check=False
    )
    assert first.returncode == 0, (first.stdout + first.stderr)[-5000:]
    assert "reviews_etl_glue: 3 of 3 run(s) succeeded" in first.stdout
    for day in DATES:
        assert f"  {day.isoformat()}  success" in first.stdout
    reports = {day: _check_day(local_stack, day) for day in DATES}

    again = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=1500, check=False
    )
    assert again.returncode == 0, (again.stdout + again.stderr)[-5000:]
    assert "reviews_etl_glue: 3 of 3 run(s) succeeded" in again.stdout
    assert {day: _check_day(local_stack, day) for day in DATES} == reports
