"""A lost alert is not silent (issue 14 item 10, with issue 15's notifier).

The pipeline's alert topic is deleted, then a step fails: the execution fails at its step,
EventBridge starts the notifier, which cannot publish and fails itself (AlertNotDelivered,
naming the failed execution); the pipeline stack's alarms watch the pipeline's machine and
the notifier (CloudWatch, AWS/States), and the alert rule's dead-letter queue has its own.
The local AWS records alarms but computes no metrics: their state is AWS's to change.
"""

from __future__ import annotations

import json
import uuid

import pytest

from tests.airflow.conftest import LocalStack

from .platform import wait_for
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

    sfn = local_stack.client("stepfunctions")
    arn = sfn.start_execution(
        stateMachineArn=machine, name="2026-04-01", input=json.dumps({"run_date": "2026-04-01"})
    )["executionArn"]
    done = wait_execution(local_stack, arn)
    assert done["status"] == "FAILED" and done["error"] == "States.TaskFailed"

    notifier = machine + "-alert"
    listed = wait_for(
        lambda: sfn.list_executions(stateMachineArn=notifier, statusFilter="FAILED")["executions"],
        timeout=60,
        what="the notifier's execution to fail",
    )
    (alerting,) = listed
    failed = wait_execution(local_stack, alerting["executionArn"])
    assert failed["status"] == "FAILED" and failed["error"] == "AlertNotDelivered"
    assert failed["cause"].startswith("the alert was not delivered (")
    assert failed["cause"].endswith(f") for {arn}")
    publishes = [
        e for e in failed["history"]
        if e["type"] == "TaskFailed" and e["taskFailedEventDetails"].get("resourceType") == "sns"
    ]  # fmt: skip
    assert len(publishes) == 4  # the publish and its 3 retries

    alarms = local_stack.client("cloudwatch").describe_alarms()["MetricAlarms"]
    watching = {
        (alarm["Dimensions"][0]["Value"], alarm["MetricName"]): alarm
        for alarm in alarms
        if alarm["Dimensions"]
        and alarm["Dimensions"][0]["Value"]
        in (machine, notifier, f"{machine.rsplit(':', 1)[1]}-alert-dlq")
    }
    assert set(watching) == {
        (machine, "ExecutionsFailed"),
        (machine, "ExecutionsTimedOut"),
        (notifier, "ExecutionsFailed"),
        (f"{machine.rsplit(':', 1)[1]}-alert-dlq", "ApproximateNumberOfMessagesVisible"),
    }
    for alarm in watching.values():
        assert alarm["Threshold"] == 0 and alarm["ComparisonOperator"] == "GreaterThanThreshold"
