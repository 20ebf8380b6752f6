"""Fail fast, retry only what retrying fixes (issue 14, item 9), through both orchestrators.

A stand-in runner (tests/local_aws/glue_scripts.py STAND_IN_RUNNER) ends each Glue run the
way the runner ends a failure of each class: its error line last on stderr, then exit code
1 (permanent), 2 (bad input) or 3 (transient). The pipelines allow two retries:
- a permanent failure is tried once, and the alert, quoting the runner's line, goes out;
- a transient one is retried, at the spec's interval (Step Functions: the interval scaled
  by LOCALAWS_RETRY_SCALE; Airflow: its real minute), and succeeds when the fault clears.
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


def test_state_machine_alerts_a_permanent_failure_after_one_attempt(
    local_stack: LocalStack, tmp_path
) -> None:
    _name, machine, _ = _pipeline(local_stack, tmp_path, "exit1")
    alerts = Alerts(local_stack)
    done = _run(local_stack, machine, "2026-03-01")
    assert done["status"] == "FAILED" and done["error"] == "StepFailed"
    assert glue_attempts(done["history"], "the_step") == 1
    (alert,) = alerts.read()
    assert "stand-in exit1 (failure: permanent)" in alert.message
    assert "Failure:   permanent, 1 attempt(s) (not retried" in alert.message
    run_id = re.search(r"Glue run (jr_\w+)", alert.message).group(1)
    run = local_stack.client("glue").get_job_run(JobName=stand_in(local_stack), RunId=run_id)
    # what the pipeline's user waits for: from the run's end to the alert, no retry delay
    print(
        f"time to alert (Step Functions): {(alert.sent - run['JobRun']['CompletedOn']).total_seconds():.1f} s"
    )
    assert alert.sent >= run["JobRun"]["CompletedOn"]


def test_state_machine_retries_a_transient_failure_at_its_interval(
    local_stack: LocalStack, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The spec's 1-minute delay, doubling (Airflow's exponential backoff): scaled 1/20."""
    scale = 0.05
    monkeypatch.setenv("LOCALAWS_RETRY_SCALE", str(scale))
    _, machine, _ = _pipeline(local_stack, tmp_path, "exit3")
    alerts = Alerts(local_stack)
    done = _run(local_stack, machine, "2026-03-02")
    assert done["status"] == "FAILED"
    assert glue_attempts(done["history"], "the_step") == 3
    starts = [
        e["timestamp"]
        for e in done["history"]
        if e["type"] == "TaskStarted" and e["taskStartedEventDetails"].get("resourceType") == "glue"
    ]
    ends = [
        e["timestamp"]
        for e in done["history"]
        if e["type"] == "TaskFailed" and e["taskFailedEventDetails"].get("resourceType") == "glue"
    ]
    waits = [(start - end).total_seconds() for start, end in zip(starts[1:], ends, strict=False)]
    assert waits[0] >= 60 * scale and waits[1] >= 120 * scale, waits
    (alert,) = alerts.read()
    assert "Failure:   transient, 3 attempt(s)\n" in alert.message
    assert "stand-in exit3 (failure: transient)" in alert.message


def test_airflow_fails_a_permanent_failure_without_retries_and_alerts(
    local_stack: LocalStack, airflow: Airflow, tmp_path
) -> None:
    name, _machine, sql_root = _pipeline(local_stack, tmp_path, "exit1")
    alerts = Alerts(local_stack)
    run = airflow_for(airflow, sql_root, etlkit_glue_job_name=stand_in(local_stack)).run(
        "dags", "test", f"{name}_glue", "--conf", json.dumps({"run_date": "2026-03-03"})
    )
    output = run.stdout + run.stderr
    assert run.returncode != 0, output[-5000:]
    (alert,) = alerts.read()
    assert "Try:       1 of 3" in alert.message
    assert "ended FAILED, permanent: sqlrunner: error: " in alert.message
    assert "stand-in exit1 (failure: permanent)" in alert.message
    assert "not retried: retrying cannot fix it" in alert.message
    assert "AirflowFailException" in alert.message


def test_airflow_retries_a_transient_failure_after_its_real_delay(
    local_stack: LocalStack, airflow: Airflow, tmp_path
) -> None:
    """exit3_once fails its first run only: the task fails, waits the spec's minute (no
    scaling in Airflow), and its second try succeeds."""
    name, _machine, sql_root = _pipeline(local_stack, tmp_path, "exit3_once")
    started = dt.datetime.now(dt.UTC)
    run = airflow_for(airflow, sql_root, etlkit_glue_job_name=stand_in(local_stack)).run(
        "dags", "test", f"{name}_glue", "--conf", json.dumps({"run_date": "2026-03-04"})
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-5000:]
    assert "retried as the pipeline's retries allow" in output
    runs = [
        r
        for r in local_stack.client("glue").get_job_runs(JobName=stand_in(local_stack))["JobRuns"]
        if r["StartedOn"] >= started and r["Arguments"].get("--file", "").endswith("exit3_once.sql")
    ]
    failed, succeeded = sorted(runs, key=lambda r: r["StartedOn"])
    assert (failed["JobRunState"], succeeded["JobRunState"]) == ("FAILED", "SUCCEEDED")
    assert (succeeded["StartedOn"] - failed["CompletedOn"]).total_seconds() >= 60
