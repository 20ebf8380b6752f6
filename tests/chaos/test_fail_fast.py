"""Fail fast, retry only what retrying fixes (issue 14 item 9, as issue 15 item 5 reshaped
it), through both orchestrators.

A stand-in runner (tests/local_aws/glue_scripts.py STAND_IN_RUNNER) ends each Glue run the
way the runner ends a failure of each class: its error line last on stderr, then exit code
1 (permanent), 2 (bad input) or 3 (transient). The runner retries a transient failure
itself, inside its run (`--retries`, tests/runner/test_retrying.py at real intervals); so
whatever the class, a failed run is final for both orchestrators:
- the state machine fails at the step after one Glue run, and the notifier's alert, quoting
  the runner's line and its class and naming the redrive, goes out within a minute of the
  run's end (the figure is printed: README Reliability);
- Airflow fails the task after one Glue run, without its retries, and alerts with the
  `airflow tasks clear` command that resumes the run.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from tests.airflow.conftest import Airflow, LocalStack

from .platform import glue_attempts
from .stack_pipelines import Alerts, airflow_for, deploy, stand_in, wait_execution, write_pipeline

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]

SPEC = """\
    name: {name}
    schedule: null
    start_date: 2026-01-01
    retries: 2
    retry_delay_minutes: 1
    step_timeout_minutes: 5
    params:
      run_date: {{type: date}}
    steps:
      - {{id: the_step, file: {behaviour}.sql, params: [run_date]}}
    """
# What the alert must arrive within, after the failing Glue run ended (issue 14 item 9).
ALERT_WITHIN_SECONDS = 60


def _pipeline(local_stack: LocalStack, root, behaviour: str) -> tuple[str, str, object]:
    name = f"fail_fast_{behaviour}"
    sql_root = write_pipeline(
        root,
        name,
        SPEC.format(name=name, behaviour=behaviour),
        {f"{behaviour}.sql": "-- @param run_date date\nSELECT '${run_date}';\n"},
    )
    (machine,) = deploy(local_stack, sql_root, glue_job=stand_in(local_stack)).values()
    return name, machine, sql_root


def _run(local_stack: LocalStack, machine: str, day: str) -> dict:
    arn = local_stack.client("stepfunctions").start_execution(
        stateMachineArn=machine, name=f"{day}_rerun_{dt.datetime.now():%H%M%S%f}",
        input=json.dumps({"run_date": day}),
    )["executionArn"]  # fmt: skip
    return wait_execution(local_stack, arn)


@pytest.mark.parametrize(("behaviour", "failure"), [("exit1", "permanent"), ("exit3", "transient")])
def test_state_machine_fails_at_the_step_after_one_run_and_alerts_within_a_minute(
    local_stack: LocalStack, tmp_path, behaviour: str, failure: str
) -> None:
    _name, machine, _ = _pipeline(local_stack, tmp_path, behaviour)
    alerts = Alerts(local_stack)
    done = _run(local_stack, machine, "2026-03-01")
    assert done["status"] == "FAILED" and done["error"] == "States.TaskFailed"
    assert glue_attempts(done["history"], "the_step") == 1
    (alert,) = alerts.read()
    assert f"stand-in {behaviour} (failure: {failure})" in alert.message
    assert f"Command failed with exit code {behaviour[-1]} [{failure}]" in alert.message
    assert f"redrive-execution --execution-arn {done['executionArn']}" in alert.message
    run_id = re.search(r"Glue run (jr_\w+)", alert.message).group(1)
    run = local_stack.client("glue").get_job_run(JobName=stand_in(local_stack), RunId=run_id)
    assert run["JobRun"]["Arguments"]["--retries"] == "2"  # the runner's to spend
    # what the pipeline's user waits for: from the run's end to the alert
    waited = (alert.sent - run["JobRun"]["CompletedOn"]).total_seconds()
    print(f"time to alert (Step Functions, {failure}): {waited:.1f} s")
    assert 0 <= waited <= ALERT_WITHIN_SECONDS


@pytest.mark.parametrize(
    ("behaviour", "failure", "verdict"),
    [
        ("exit1", "permanent", "not retried: retrying cannot fix it"),
        ("exit3", "transient", "the runner retried it as the pipeline's retries allow"),
    ],
)
def test_airflow_fails_a_failed_run_without_retries_and_alerts_how_to_resume(
    local_stack: LocalStack, airflow: Airflow, tmp_path, behaviour: str, failure: str, verdict: str
) -> None:
    name, _machine, sql_root = _pipeline(local_stack, tmp_path, behaviour)
    alerts = Alerts(local_stack)
    started = dt.datetime.now(dt.UTC)
    run = airflow_for(airflow, sql_root, etlkit_glue_job_name=stand_in(local_stack)).run(
        "dags", "test", f"{name}_glue", "--conf", json.dumps({"run_date": "2026-03-03"})
    )
    output = run.stdout + run.stderr
    assert run.returncode != 0, output[-5000:]
    (alert,) = alerts.read()
    assert "Try:       1 of 3" in alert.message
    assert f"ended FAILED, {failure}: sqlrunner: error: " in alert.message
    assert f"stand-in {behaviour} (failure: {failure})" in alert.message
    assert verdict in alert.message and "AirflowFailException" in alert.message
    assert f"airflow tasks clear {name}_glue -t the_step --downstream --only-failed" in (
        alert.message
    )
    runs = [
        r
        for r in local_stack.client("glue").get_job_runs(JobName=stand_in(local_stack))["JobRuns"]
        if r["StartedOn"] >= started
        and r["Arguments"].get("--file", "").endswith(f"{behaviour}.sql")
    ]
    assert len(runs) == 1 and runs[0]["Arguments"]["--retry_delay_seconds"] == "60"
