"""RedriveExecution on the local AWS: a failed execution continues from the state that
failed, with that state's input, and the states that succeeded do not run again
(https://docs.aws.amazon.com/step-functions/latest/dg/redrive-executions.html).

Asserted on real executions of the local server: Glue runs counted per job, history
events, DescribeExecution and ListExecutions.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from infra.local.server import LocalAws
from tests.local_aws import glue_scripts
from tests.local_aws.conftest import wait_for

ROLE = "arn:aws:iam::123456789012:role/states"


@pytest.fixture(scope="module")
def jobs(local_aws: LocalAws) -> dict[str, str]:
    s3, glue = local_aws.client("s3"), local_aws.client("glue")
    bucket = "redrive-tests"
    s3.create_bucket(Bucket=bucket)
    names = {"bucket": bucket}
    for role, script in (
        ("ok", glue_scripts.SUCCEED),
        ("flaky", glue_scripts.FLAKY),
        ("broken", glue_scripts.FAIL),
    ):
        s3.put_object(Bucket=bucket, Key=f"scripts/{role}.py", Body=script.encode())
        names[role] = f"redrive-{role}"
        glue.create_job(
            Name=names[role],
            Role="arn:aws:iam::123456789012:role/glue",
            Command={"Name": "pythonshell", "ScriptLocation": f"s3://{bucket}/scripts/{role}.py"},
            ExecutionProperty={"MaxConcurrentRuns": 5},
        )
    return names


def glue_step(job: str, next_state: str | None, **arguments: str) -> dict:
    step: dict[str, Any] = {
        "Type": "Task",
        "Resource": "arn:aws:states:::glue:startJobRun.sync",
        "Parameters": {"JobName": job, "Arguments": arguments},
        "ResultPath": None,
    }
    return {**step, "Next": next_state} if next_state else {**step, "End": True}


def start(aws: LocalAws, unique: Callable[[str], str], definition: dict, data: Any = None) -> str:
    sfn = aws.client("stepfunctions")
    machine = sfn.create_state_machine(
        name=unique("redrive"), definition=json.dumps(definition), roleArn=ROLE
    )["stateMachineArn"]
    return sfn.start_execution(
        stateMachineArn=machine, name=unique("run"), input=json.dumps(data or {})
    )["executionArn"]


def finished(aws: LocalAws, execution_arn: str) -> dict:
    sfn = aws.client("stepfunctions")
    return wait_for(
        lambda: sfn.describe_execution(executionArn=execution_arn),
        lambda d: d["status"] not in ("RUNNING", "PENDING_REDRIVE"),
        timeout=90,
    )


def history(aws: LocalAws, execution_arn: str) -> list[dict]:
    return aws.client("stepfunctions").get_execution_history(executionArn=execution_arn)["events"]


def entered(events: list[dict], state: str) -> list[dict]:
    return [
        e
        for e in events
        if e["type"].endswith("StateEntered") and e["stateEnteredEventDetails"]["name"] == state
    ]


def runs(aws: LocalAws, job: str, marker: str) -> int:
    """Glue runs of `job` started with this test's --marker (jobs are shared)."""
    found = aws.client("glue").get_job_runs(JobName=job)["JobRuns"]
    return sum(1 for run in found if run.get("Arguments", {}).get("--marker") == marker)


def test_a_failed_step_is_redriven_and_finished_steps_do_not_run_again(
    local_aws: LocalAws, jobs: dict, unique: Callable[[str], str]
) -> None:
    marker = f"s3://{jobs['bucket']}/markers/{unique('flaky')}"
    definition = {
        "StartAt": "extract",
        "States": {
            "extract": glue_step(jobs["ok"], "transform", **{"--marker": marker}),
            "transform": glue_step(jobs["flaky"], "publish", **{"--marker": marker}),
            "publish": glue_step(jobs["ok"], None, **{"--marker": marker}),
        },
    }
    sfn = local_aws.client("stepfunctions")
    execution = start(local_aws, unique, definition, {"run_date": "2008-06-15"})

    failed = finished(local_aws, execution)
    assert failed["status"] == "FAILED"
    assert (failed["redriveCount"], failed["redriveStatus"]) == (0, "REDRIVABLE")
    assert "redriveDate" not in failed
    first_history = history(local_aws, execution)
    assert first_history[-1]["type"] == "ExecutionFailed"
    assert runs(local_aws, jobs["ok"], marker) == 1  # extract; publish never started
    assert runs(local_aws, jobs["flaky"], marker) == 1

    redrive_date = sfn.redrive_execution(executionArn=execution)["redriveDate"]
    done = finished(local_aws, execution)

    assert done["status"] == "SUCCEEDED"
    assert done["redriveCount"] == 1 and done["redriveDate"] == redrive_date
    assert done["redriveStatus"] == "NOT_REDRIVABLE"
    assert done["redriveStatusReason"] == "Execution is SUCCEEDED and cannot be redriven"
    assert json.loads(done["output"]) == {"run_date": "2008-06-15"}
    # extract ran once in all; transform twice (failed, then redriven); publish once
    assert runs(local_aws, jobs["ok"], marker) == 2
    assert runs(local_aws, jobs["flaky"], marker) == 2
    events = history(local_aws, execution)
    assert events[: len(first_history)] == first_history  # the history goes on
    assert [e["id"] for e in events] == list(range(1, len(events) + 1))
    redriven = events[len(first_history)]
    assert redriven["type"] == "ExecutionRedriven"
    assert redriven["executionRedrivenEventDetails"] == {"redriveCount": 1}
    resumed = events[len(first_history) + 1]
    assert (resumed["type"], resumed["stateEnteredEventDetails"]["name"]) == (
        "TaskStateEntered",
        "transform",
    )
    assert len(entered(events, "extract")) == 1
    transform = entered(events, "transform")
    assert len(transform) == 2
    assert (
        transform[1]["stateEnteredEventDetails"]["input"]
        == (transform[0]["stateEnteredEventDetails"]["input"])
    )
    assert len(entered(events, "publish")) == 1
    assert events[-1]["type"] == "ExecutionSucceeded"

    with pytest.raises(ClientError) as again:
        sfn.redrive_execution(executionArn=execution)
    assert again.value.response["Error"]["Code"] == "ExecutionNotRedrivable"
    assert "SUCCEEDED" in again.value.response["Error"]["Message"]


def test_only_the_failed_branches_of_a_parallel_state_run_again(
    local_aws: LocalAws, unique: Callable[[str], str]
) -> None:
    """Branch `orders` fails until the execution is redriven ($$.Execution.RedriveCount),
    a second after branch `users` has succeeded: `users` keeps its output."""
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "prepare",
        "States": {
            "prepare": {"Type": "Pass", "Output": {"day": "2008-06-15"}, "Next": "load"},
            "load": {
                "Type": "Parallel",
                "Branches": [
                    {
                        "StartAt": "users",
                        "States": {
                            "users": {
                                "Type": "Pass",
                                "Output": "{% 'users ' & $states.input.day %}",
                                "End": True,
                            }
                        },
                    },
                    {
                        "StartAt": "orders_staged",
                        "States": {
                            "orders_staged": {"Type": "Wait", "Seconds": 1, "Next": "orders"},
                            "orders": {
                                "Type": "Pass",
                                "Output": "{% $states.context.Execution.RedriveCount > 0 "
                                "? 'orders ' & $states.input.day : $error('orders not there yet') %}",
                                "End": True,
                            },
                        },
                    },
                ],
                "Next": "report",
            },
            "report": {"Type": "Pass", "End": True},
        },
    }
    sfn = local_aws.client("stepfunctions")
    execution = start(local_aws, unique, definition)
    assert finished(local_aws, execution)["status"] == "FAILED"

    sfn.redrive_execution(executionArn=execution)
    done = finished(local_aws, execution)

    assert done["status"] == "SUCCEEDED"
    assert json.loads(done["output"]) == ["users 2008-06-15", "orders 2008-06-15"]
    events = history(local_aws, execution)
    counts = {
        name: len(entered(events, name))
        for name in ("prepare", "load", "users", "orders_staged", "orders", "report")
    }
    assert counts == {
        "prepare": 1,
        "load": 2,
        "users": 1,
        "orders_staged": 1,
        "orders": 2,
        "report": 1,
    }


def test_a_caught_failure_resumes_at_the_fail_state_it_reached(
    local_aws: LocalAws, jobs: dict, unique: Callable[[str], str]
) -> None:
    """A Catch moves the execution on; it stopped at the Fail state, so that is what a
    redrive runs again (and the failing step is not)."""
    marker = f"s3://{jobs['bucket']}/markers/{unique('broken')}"
    load = glue_step(jobs["broken"], None, **{"--marker": marker})
    del load["End"]
    load["Catch"] = [{"ErrorEquals": ["States.ALL"], "Next": "failed"}]
    load["Next"] = "done"
    definition = {
        "StartAt": "load",
        "States": {
            "load": load,
            "done": {"Type": "Succeed"},
            "failed": {"Type": "Fail", "Error": "PipelineFailed", "Cause": "load failed"},
        },
    }
    execution = start(local_aws, unique, definition)
    assert finished(local_aws, execution)["status"] == "FAILED"

    local_aws.client("stepfunctions").redrive_execution(executionArn=execution)
    done = finished(local_aws, execution)

    assert (done["status"], done["error"], done["redriveCount"]) == ("FAILED", "PipelineFailed", 1)
    events = history(local_aws, execution)
    assert len(entered(events, "load")) == 1
    assert len(entered(events, "failed")) == 2
    assert runs(local_aws, jobs["broken"], marker) == 1


def test_an_aborted_execution_resumes_at_the_state_it_was_in(
    local_aws: LocalAws, unique: Callable[[str], str]
) -> None:
    definition = {
        "StartAt": "first",
        "States": {
            "first": {"Type": "Pass", "Next": "wait"},
            "wait": {"Type": "Wait", "Seconds": 2, "Next": "last"},
            "last": {"Type": "Pass", "End": True},
        },
    }
    sfn = local_aws.client("stepfunctions")
    execution = start(local_aws, unique, definition)
    wait_for(lambda: history(local_aws, execution), lambda ev: bool(entered(ev, "wait")))
    sfn.stop_execution(executionArn=execution)
    assert finished(local_aws, execution)["status"] == "ABORTED"

    sfn.redrive_execution(executionArn=execution)
    assert finished(local_aws, execution)["status"] == "SUCCEEDED"
    events = history(local_aws, execution)
    assert [len(entered(events, s)) for s in ("first", "wait", "last")] == [1, 2, 1]


def test_what_cannot_be_redriven_is_refused(
    local_aws: LocalAws, unique: Callable[[str], str]
) -> None:
    sfn = local_aws.client("stepfunctions")
    waiting = start(
        local_aws,
        unique,
        {"StartAt": "wait", "States": {"wait": {"Type": "Wait", "Seconds": 30, "End": True}}},
    )
    with pytest.raises(ClientError) as running:
        sfn.redrive_execution(executionArn=waiting)
    assert running.value.response["Error"]["Code"] == "ExecutionNotRedrivable"
    assert running.value.response["Error"]["Message"] == (
        "Execution is RUNNING and cannot be redriven"
    )
    described = sfn.describe_execution(executionArn=waiting)
    assert described["redriveStatus"] == "NOT_REDRIVABLE"
    sfn.stop_execution(executionArn=waiting)

    missing = waiting.rsplit(":", 1)[0] + ":" + unique("nope")
    with pytest.raises(ClientError) as unknown:
        sfn.redrive_execution(executionArn=missing)
    assert unknown.value.response["Error"]["Code"] == "ExecutionDoesNotExist"


def test_list_executions_shows_and_filters_redrives(
    local_aws: LocalAws, unique: Callable[[str], str]
) -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "once",
        "States": {
            "once": {
                "Type": "Pass",
                "Output": "{% $states.context.Execution.RedriveCount > 0 ? 1 : $error('x') %}",
                "End": True,
            }
        },
    }
    sfn = local_aws.client("stepfunctions")
    redriven = start(local_aws, unique, definition)
    machine = sfn.describe_execution(executionArn=redriven)["stateMachineArn"]
    plain = sfn.start_execution(stateMachineArn=machine, name=unique("plain"))["executionArn"]
    for execution in (redriven, plain):
        finished(local_aws, execution)
    token = unique("token")
    first = sfn.redrive_execution(executionArn=redriven, clientToken=token)["redriveDate"]
    assert finished(local_aws, redriven)["status"] == "SUCCEEDED"
    # the same client token within 15 minutes answers the same redrive
    assert sfn.redrive_execution(executionArn=redriven, clientToken=token)["redriveDate"] == first

    def listed(**kwargs: str) -> dict[str, int]:
        items = sfn.list_executions(stateMachineArn=machine, **kwargs)["executions"]
        return {item["executionArn"]: item["redriveCount"] for item in items}

    assert listed() == {redriven: 1, plain: 0}
    assert listed(redriveFilter="REDRIVEN") == {redriven: 1}
    assert listed(redriveFilter="NOT_REDRIVEN") == {plain: 0}
