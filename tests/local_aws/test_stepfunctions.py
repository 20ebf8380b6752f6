"""Step Functions on the local AWS execute ASL: Glue .sync tasks, Retry, Catch, JSONata.

Asserted on execution status and history events, the way moto's own parser tests do, and
on the alert message read back from an SQS queue subscribed to the alert topic.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from infra.local.server import LocalAws
from tests.local_aws import glue_scripts
from tests.local_aws.conftest import wait_for

ROLE = "arn:aws:iam::123456789012:role/states"
REAL_ASL = Path(__file__).resolve().parents[2] / "infra" / "statemachine" / "reviews_etl.asl.json"


@pytest.fixture(scope="module")
def jobs(local_aws: LocalAws) -> dict[str, str]:
    """Glue jobs that succeed, fail once then succeed, and always fail."""
    s3, glue = local_aws.client("s3"), local_aws.client("glue")
    bucket = "sfn-tests"
    s3.create_bucket(Bucket=bucket)
    names = {}
    for role, script in (
        ("ok", glue_scripts.SUCCEED),
        ("flaky", glue_scripts.FLAKY),
        ("broken", glue_scripts.FAIL),
    ):
        s3.put_object(Bucket=bucket, Key=f"scripts/{role}.py", Body=script.encode())
        names[role] = f"sfn-{role}"
        glue.create_job(
            Name=names[role],
            Role="arn:aws:iam::123456789012:role/glue",
            Command={"Name": "pythonshell", "ScriptLocation": f"s3://{bucket}/scripts/{role}.py"},
            ExecutionProperty={"MaxConcurrentRuns": 5},
        )
    names["bucket"] = bucket
    return names


@pytest.fixture(scope="module")
def alerts(local_aws: LocalAws) -> dict[str, str]:
    """An alert topic with an SQS queue subscribed, to read published alerts back."""
    sns, sqs = local_aws.client("sns"), local_aws.client("sqs")
    topic_arn = sns.create_topic(Name="sfn-alerts")["TopicArn"]
    queue_url = sqs.create_queue(QueueName="sfn-alerts-inbox")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    sns.subscribe(
        TopicArn=topic_arn,
        Protocol="sqs",
        Endpoint=queue_arn,
        Attributes={"RawMessageDelivery": "true"},
    )
    return {"topic_arn": topic_arn, "queue_url": queue_url}


def run(
    aws: LocalAws, unique: Callable[[str], str], definition: dict, execution_input: Any = None
) -> tuple[dict, list[dict]]:
    sfn = aws.client("stepfunctions")
    machine_arn = sfn.create_state_machine(
        name=unique("sm"), definition=json.dumps(definition), roleArn=ROLE
    )["stateMachineArn"]
    execution_arn = sfn.start_execution(
        stateMachineArn=machine_arn,
        name=unique("run"),
        input=json.dumps(execution_input or {}),
    )["executionArn"]
    described = wait_for(
        lambda: sfn.describe_execution(executionArn=execution_arn),
        lambda d: d["status"] != "RUNNING",
        timeout=60,
    )
    events = sfn.get_execution_history(executionArn=execution_arn)["events"]
    return described, events


def types(events: list[dict]) -> list[str]:
    return [event["type"] for event in events]


def glue_task(job: str, **extra: Any) -> dict:
    return {
        "Type": "Task",
        "Resource": "arn:aws:states:::glue:startJobRun.sync",
        "Parameters": {"JobName": job, **extra.pop("parameters", {})},
        **extra,
    }


def test_glue_sync_task_waits_for_the_real_run(
    local_aws: LocalAws, jobs: dict, unique: Callable[[str], str]
) -> None:
    described, events = run(
        local_aws,
        unique,
        {"StartAt": "Load", "States": {"Load": glue_task(jobs["ok"], End=True)}},
    )

    assert described["status"] == "SUCCEEDED"
    output = json.loads(described["output"])  # datetimes arrive as ISO strings
    assert output["JobRunState"] == "SUCCEEDED"
    assert output["JobName"] == jobs["ok"]
    assert isinstance(output["StartedOn"], str)
    assert types(events) == [
        "ExecutionStarted",
        "TaskStateEntered",
        "TaskScheduled",
        "TaskStarted",
        "TaskSubmitted",
        "TaskSucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]


def test_failed_glue_run_is_retried(
    local_aws: LocalAws, jobs: dict, unique: Callable[[str], str]
) -> None:
    marker = f"s3://{jobs['bucket']}/markers/{unique('flaky')}"
    task = glue_task(
        jobs["flaky"],
        parameters={"Arguments": {"--marker": marker}},
        Retry=[
            {
                "ErrorEquals": ["States.TaskFailed"],
                "IntervalSeconds": 1,
                "MaxAttempts": 2,
                "BackoffRate": 1.0,
            }
        ],
        End=True,
    )

    described, events = run(local_aws, unique, {"StartAt": "Load", "States": {"Load": task}})

    assert described["status"] == "SUCCEEDED"
    assert types(events).count("TaskScheduled") == 2
    failed = [event for event in events if event["type"] == "TaskFailed"]
    assert len(failed) == 1
    details = failed[0]["taskFailedEventDetails"]
    assert details["error"] == "States.TaskFailed"
    cause = json.loads(details["cause"])  # the failed GetJobRun result
    assert cause["JobRunState"] == "FAILED"
    # what AWS reports for a script that exits non-zero (SystemExit with a message: 1)
    assert cause["ErrorMessage"] == "Command failed with exit code 1"


def test_failed_glue_run_is_caught_alerted_and_fails_the_execution(
    local_aws: LocalAws, jobs: dict, alerts: dict, unique: Callable[[str], str]
) -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "Load",
        "States": {
            "Load": {
                "Type": "Task",
                "Resource": "arn:aws:states:::glue:startJobRun.sync",
                "Arguments": {"JobName": jobs["broken"]},
                "Catch": [
                    {
                        "ErrorEquals": ["States.ALL"],
                        "Output": "{% {'step': 'Load', 'error': $states.errorOutput.Error, "
                        "'cause': $parse($states.errorOutput.Cause).ErrorMessage} %}",
                        "Next": "Alert",
                    }
                ],
                "End": True,
            },
            "Alert": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sns:publish",
                "Arguments": {
                    "TopicArn": alerts["topic_arn"],
                    "Message": "{% 'Pipeline failed at ' & $states.input.step & ': ' "
                    "& $states.input.error & ' (' & $states.input.cause & ')' %}",
                },
                "Next": "Failed",
            },
            "Failed": {
                "Type": "Fail",
                "Error": "PipelineFailed",
                "Cause": "{% $states.input.MessageId %}",
            },
        },
    }

    described, events = run(local_aws, unique, definition)

    assert described["status"] == "FAILED"
    assert described["error"] == "PipelineFailed"
    assert types(events)[-1] == "ExecutionFailed"
    assert types(events).count("TaskSucceeded") == 1  # the SNS publish
    sqs = local_aws.client("sqs")
    messages = sqs.receive_message(QueueUrl=alerts["queue_url"], WaitTimeSeconds=1)["Messages"]
    assert [m["Body"] for m in messages] == [
        "Pipeline failed at Load: States.TaskFailed (Command failed with exit code 1)"
    ]
    sqs.delete_message(QueueUrl=alerts["queue_url"], ReceiptHandle=messages[0]["ReceiptHandle"])


def test_jsonata_functions_and_variables(local_aws: LocalAws, unique: Callable[[str], str]) -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "Compute",
        "States": {
            "Compute": {
                "Type": "Pass",
                "Assign": {"note": 'say "hi"\nthere', "day": "{% $states.input.run_date %}"},
                "Output": "{% {"
                "'previous_day': $fromMillis($toMillis($states.input.run_date & 'T00:00:00Z')"
                " - 86400000, '[Y0001]-[M01]-[D01]'),"
                "'has_run_date': $exists($states.input.run_date),"
                "'has_other': $exists($states.input.other),"
                "'joined': 'run-' & $states.input.run_date,"
                "'as_text': $string({'a': [1, 2]}),"
                "'count': $count([1, 2, 3]) * 2} %}",
                "Next": "UseVariables",
            },
            "UseVariables": {
                "Type": "Pass",
                "Output": "{% $merge([$states.input, {'note': $note, 'day': $day}]) %}",
                "End": True,
            },
        },
    }

    described, _ = run(local_aws, unique, definition, {"run_date": "2024-03-01"})

    assert described["status"] == "SUCCEEDED", described.get("cause")
    assert json.loads(described["output"]) == {
        "previous_day": "2024-02-29",
        "has_run_date": True,
        "has_other": False,
        "joined": "run-2024-03-01",
        "as_text": '{"a":[1,2]}',
        "count": 6,
        "note": 'say "hi"\nthere',
        "day": "2024-03-01",
    }


def test_unnamed_executions_get_distinct_names(
    local_aws: LocalAws, unique: Callable[[str], str]
) -> None:
    sfn = local_aws.client("stepfunctions")
    machine_arn = sfn.create_state_machine(
        name=unique("sm"),
        definition=json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}),
        roleArn=ROLE,
    )["stateMachineArn"]
    first = sfn.start_execution(stateMachineArn=machine_arn)["executionArn"]
    second = sfn.start_execution(stateMachineArn=machine_arn)["executionArn"]
    assert first != second
    assert not first.endswith(":None")


@pytest.mark.skipif(not REAL_ASL.exists(), reason=f"{REAL_ASL} not generated yet")
@pytest.mark.parametrize(
    ("execution_input", "expected_run_date", "fails"),
    [
        ({"scheduled_time": "2024-03-02T02:00:00Z"}, "2024-03-01", False),
        ({"run_date": "2024-05-05"}, "2024-05-05", False),
        ({"run_dat": "2024-05-05"}, None, True),
    ],
)
def test_generated_asl_resolves_params_with_local_jsonata(
    local_aws: LocalAws,
    unique: Callable[[str], str],
    execution_input: dict,
    expected_run_date: str | None,
    fails: bool,
) -> None:
    """The committed ASL's first state evaluates on jsonata-python as its author intended."""
    asl = json.loads(REAL_ASL.read_text().replace("${DataBucket}", "data-bucket"))
    first = asl["StartAt"]
    state = {**asl["States"][first], "End": True}
    state.pop("Next", None)
    definition = {"QueryLanguage": asl.get("QueryLanguage", "JSONPath"), "StartAt": first}
    definition["States"] = {first: state}

    described, _ = run(local_aws, unique, definition, execution_input)

    assert described["status"] == "SUCCEEDED", described.get("cause")
    output = json.loads(described["output"])
    assert ("failure" in output) is fails
    if expected_run_date is not None:
        assert output["params"]["run_date"] == expected_run_date


def test_sdk_integrations_take_pascal_case_and_answer_in_it_as_step_functions_does(
    local_aws: LocalAws, jobs: dict, unique: Callable[[str], str]
) -> None:
    """aws-sdk:cloudwatchlogs:getLogEvents reads a failed run's error stream: the service is
    boto3's `logs`, parameters and result fields are PascalCase, errors are
    `CloudWatchLogs.<Error>Exception` (developer guide, AWS SDK integrations)."""
    glue = local_aws.client("glue")
    run_id = glue.start_job_run(JobName=jobs["broken"])["JobRunId"]
    wait_for(
        lambda: glue.get_job_run(JobName=jobs["broken"], RunId=run_id)["JobRun"]["JobRunState"],
        lambda state: state == "FAILED",
    )

    def read(stream: str) -> dict:
        return {
            "Type": "Task",
            "Resource": "arn:aws:states:::aws-sdk:cloudwatchlogs:getLogEvents",
            "Arguments": {
                "LogGroupName": "/aws-glue/python-jobs/error",
                "LogStreamName": stream,
                "StartFromHead": False,
                "Limit": 50,
            },
            "Output": "{% {'last': $states.result.Events[-1].Message} %}",
            "Catch": [
                {
                    "ErrorEquals": ["States.ALL"],
                    "Next": "Missing",
                    "Output": "{% $states.errorOutput %}",
                }
            ],
            "End": True,
        }

    missing = {"Type": "Pass", "End": True}
    found, _ = run(
        local_aws,
        unique,
        {
            "QueryLanguage": "JSONata",
            "StartAt": "Read",
            "States": {"Read": read(run_id), "Missing": missing},
        },
    )
    assert found["status"] == "SUCCEEDED", found
    assert json.loads(found["output"]) == {"last": "RuntimeError: table missing: reviews"}

    absent, _ = run(
        local_aws,
        unique,
        {
            "QueryLanguage": "JSONata",
            "StartAt": "Read",
            "States": {"Read": read("jr_none"), "Missing": missing},
        },
    )
    assert json.loads(absent["output"])["Error"] == "CloudWatchLogs.ResourceNotFoundException"


def test_start_execution_is_idempotent_per_name_and_input_while_running(
    local_aws: LocalAws, unique: Callable[[str], str]
) -> None:
    """What StartExecution promises (API reference): the same name and input while the
    execution runs return it; other input, or a closed execution, is ExecutionAlreadyExists
    (also through the aws-sdk:sfn integration, as Sfn.ExecutionAlreadyExistsException)."""
    sfn = local_aws.client("stepfunctions")
    waits = {"StartAt": "Hold", "States": {"Hold": {"Type": "Wait", "Seconds": 3, "End": True}}}
    machine = sfn.create_state_machine(
        name=unique("sm"), definition=json.dumps(waits), roleArn=ROLE
    )["stateMachineArn"]
    first = sfn.start_execution(stateMachineArn=machine, name="2015-06-01", input='{"d":1}')
    again = sfn.start_execution(stateMachineArn=machine, name="2015-06-01", input='{"d":1}')
    assert again["executionArn"] == first["executionArn"]
    with pytest.raises(sfn.exceptions.ExecutionAlreadyExists):
        sfn.start_execution(stateMachineArn=machine, name="2015-06-01", input='{"d":2}')
    wait_for(
        lambda: sfn.describe_execution(executionArn=first["executionArn"])["status"],
        lambda status: status != "RUNNING",
    )
    with pytest.raises(sfn.exceptions.ExecutionAlreadyExists):
        sfn.start_execution(stateMachineArn=machine, name="2015-06-01", input='{"d":1}')

    starter = {
        "QueryLanguage": "JSONata",
        "StartAt": "Start",
        "States": {
            "Start": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:sfn:startExecution",
                "Arguments": {"StateMachineArn": machine, "Name": "2015-06-01", "Input": '{"d":1}'},
                "Catch": [
                    {
                        "ErrorEquals": ["Sfn.ExecutionAlreadyExistsException"],
                        "Next": "Taken",
                        "Output": "{% {'taken': $states.errorOutput.Error} %}",
                    }
                ],
                "End": True,
            },
            "Taken": {"Type": "Pass", "End": True},
        },
    }
    described, _ = run(local_aws, unique, starter)
    assert json.loads(described["output"]) == {"taken": "Sfn.ExecutionAlreadyExistsException"}
