"""A lost alert is not silent (issue 14, item 10).

The pipeline's alert topic is deleted, then a step fails: the state machine cannot publish
its alert, and says so in the execution's own error (AlertNotDelivered, the failure in the
cause); the pipeline stack's alarms on failed and timed-out executions watch that machine
(CloudWatch, AWS/States), so the failure still reaches the console and any other action.
The local AWS records alarms but computes no metrics: their state is AWS's to change.
"""

from __future__ import annotations

import json
import uuid

import pytest

from tests.airflow.conftest import LocalStack

from .stack_pipelines import deploy, stand_in, wait_execution, write_pipeline

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

SPEC = """\
    name: lost_alert
    schedule: null
    start_date: 2026-01-01
    retries: 0
    params:
      run_date: {type: date}
    steps:
      - {id: the_step, file: exit1.sql, params: [run_date]}
    """


def test_an_undeliverable_alert_shows_in_the_execution_and_its_alarms(
    local_stack: LocalStack, tmp_path
) -> None:
    sns = local_stack.client("sns")
    topic = sns.create_topic(Name=f"lost-alerts-{uuid.uuid4().hex[:8]}")["TopicArn"]
    sql_root = write_pipeline(
        tmp_path, "lost_alert", SPEC, {"exit1.sql": "-- @param run_date date\nSELECT 1;\n"}
    )
    (machine,) = deploy(
        local_stack, sql_root, glue_job=stand_in(local_stack), AlertTopicArn=topic
    ).values()
    sns.delete_topic(TopicArn=topic)

    arn = local_stack.client("stepfunctions").start_execution(
        stateMachineArn=machine, name="2026-04-01", input=json.dumps({"run_date": "2026-04-01"})
    )["executionArn"]
    done = wait_execution(local_stack, arn)
    assert done["status"] == "FAILED"
    assert done["error"] == "AlertNotDelivered"
    assert done["cause"].startswith("the alert was not delivered (")
    assert "the failure: the_step: States.TaskFailed: sqlrunner: error: " in done["cause"]
    assert "stand-in exit1 (failure: permanent)" in done["cause"]
    publishes = [
        e for e in done["history"]
        if e["type"] == "TaskFailed" and e["taskFailedEventDetails"].get("resourceType") == "sns"
    ]  # fmt: skip
    assert len(publishes) == 4  # the publish and its 3 retries

    alarms = local_stack.client("cloudwatch").describe_alarms()["MetricAlarms"]
    watching = {
        alarm["MetricName"]: alarm
        for alarm in alarms
        if alarm["Dimensions"] == [{"Name": "StateMachineArn", "Value": machine}]
    }
    assert set(watching) == {"ExecutionsFailed", "ExecutionsTimedOut"}
    for alarm in watching.values():
        assert alarm["Namespace"] == "AWS/States"
        assert alarm["Statistic"] == "Sum" and alarm["Threshold"] == 0
        assert alarm["ComparisonOperator"] == "GreaterThanThreshold"
