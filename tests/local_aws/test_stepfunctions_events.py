"""Execution status changes on EventBridge and rules that start state machines, on the local
AWS (infra/local/stepfunctions_events.py): what the pipeline stacks' alert rule relies on."""

from __future__ import annotations

import json
from collections.abc import Callable

from infra.local.server import LocalAws
from tests.local_aws.conftest import wait_for

ROLE = "arn:aws:iam::123456789012:role/states"
FAILING = {"StartAt": "Boom", "States": {"Boom": {"Type": "Fail", "Error": "E", "Cause": "why"}}}
PASSING = {"StartAt": "Ok", "States": {"Ok": {"Type": "Pass", "End": True}}}


def _machine(aws: LocalAws, name: str, definition: dict) -> str:
    return aws.client("stepfunctions").create_state_machine(
        name=name, definition=json.dumps(definition), roleArn=ROLE
    )["stateMachineArn"]


def _rule(aws: LocalAws, name: str, watched: str, target: str, dlq: str) -> None:
    events = aws.client("events")
    pattern = {
        "source": ["aws.states"],
        "detail-type": ["Step Functions Execution Status Change"],
        "detail": {"status": ["FAILED", "TIMED_OUT", "ABORTED"], "stateMachineArn": [watched]},
    }
    events.put_rule(Name=name, EventPattern=json.dumps(pattern))
    events.put_targets(
        Rule=name,
        Targets=[{"Id": "t", "Arn": target, "RoleArn": ROLE, "DeadLetterConfig": {"Arn": dlq}}],
    )


def _queue(aws: LocalAws, name: str) -> tuple[str, str]:
    sqs = aws.client("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
    return url, arn["QueueArn"]


def _executions(aws: LocalAws, machine: str) -> list[dict]:
    return aws.client("stepfunctions").list_executions(stateMachineArn=machine)["executions"]


def test_a_failed_execution_starts_the_rules_state_machine_with_the_event(
    local_aws: LocalAws, unique: Callable[[str], str]
) -> None:
    sfn = local_aws.client("stepfunctions")
    watched = _machine(local_aws, unique("watched"), FAILING)
    quiet = _machine(local_aws, unique("quiet"), PASSING)
    notifier = _machine(local_aws, unique("notifier"), PASSING)
    _, dlq = _queue(local_aws, unique("dlq"))
    _rule(local_aws, unique("rule"), watched, notifier, dlq)
    _rule(local_aws, unique("rule"), quiet, notifier, dlq)

    sfn.start_execution(stateMachineArn=quiet, name="fine")
    failed = sfn.start_execution(stateMachineArn=watched, name="day", input='{"run_date": "x"}')
    (started,) = wait_for(lambda: _executions(local_aws, notifier), lambda e: len(e) >= 1)
    event = json.loads(sfn.describe_execution(executionArn=started["executionArn"])["input"])
    assert event["source"] == "aws.states"
    assert event["detail-type"] == "Step Functions Execution Status Change"
    assert event["resources"] == [failed["executionArn"]]
    detail = event["detail"]
    assert detail["executionArn"] == failed["executionArn"]
    assert (detail["stateMachineArn"], detail["name"]) == (watched, "day")
    assert (detail["status"], detail["error"], detail["cause"]) == ("FAILED", "E", "why")
    assert json.loads(detail["input"]) == {"run_date": "x"}
    assert detail["redriveCount"] == 0 and detail["stopDate"] >= detail["startDate"]
    # the succeeded execution of the other machine matched no rule
    assert len(_executions(local_aws, notifier)) == 1

    # a redriven execution that fails again is reported again, with its redrive count
    sfn.redrive_execution(executionArn=failed["executionArn"])
    again = wait_for(lambda: _executions(local_aws, notifier), lambda e: len(e) >= 2)
    inputs = [
        json.loads(sfn.describe_execution(executionArn=e["executionArn"])["input"]) for e in again
    ]
    assert sorted(i["detail"]["redriveCount"] for i in inputs) == [0, 1]


def test_a_target_that_cannot_be_started_sends_the_event_to_its_dead_letter_queue(
    local_aws: LocalAws, unique: Callable[[str], str]
) -> None:
    watched = _machine(local_aws, unique("watched"), FAILING)
    gone = watched.replace(watched.rsplit(":", 1)[1], unique("deleted"))
    url, dlq = _queue(local_aws, unique("dlq"))
    _rule(local_aws, unique("rule"), watched, gone, dlq)
    local_aws.client("stepfunctions").start_execution(stateMachineArn=watched, name="day")
    sqs = local_aws.client("sqs")
    messages = wait_for(
        lambda: sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"]).get(
            "Messages", []
        ),
        lambda m: len(m) == 1,
    )
    (message,) = messages
    assert json.loads(message["Body"])["detail"]["stateMachineArn"] == watched
    attributes = message["MessageAttributes"]
    assert attributes["TARGET_ARN"]["StringValue"] == gone
    assert "StateMachineDoesNotExist" in attributes["ERROR_CODE"]["StringValue"]
