"""The two operators judge a run by the run itself, against the local AWS (real boto3, Glue runs
that really execute, state machines that really run): a missing job is never created, a
STOPPED or FAILED Glue run fails the task with its message, a failed execution fails it with
its error and cause, and what is still running when the wait runs out is stopped."""

from __future__ import annotations

import json
import time

import pytest

from etlkit import executions
from etlkit.compat import AirflowFailException
from etlkit.errors import ExecutionConflict, RunFailedError
from etlkit.operators import PipelineExecutionOperator, SqlRunnerStepOperator
from etlkit_core.executions import execution_arn
from infra.mwaa import local_airflow
from tests.local_aws.glue_scripts import exiting

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

ROLE = "arn:aws:iam::123456789012:role/etlkit-test"


@pytest.fixture
def aws_env(local_stack, monkeypatch):
    """The stack's .local/env in this process: aws_default points at the local AWS."""
    for key, value in local_airflow.load_env_file(local_stack.env_file).items():
        monkeypatch.setenv(key, value)
    return local_stack


def _wait(read, done, timeout=60.0):
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if done(value):
            return value
        assert time.monotonic() < deadline, f"still {value!r} after {timeout} s"
        time.sleep(0.3)


def _script_job(stack, name, script):
    bucket = stack.state.outputs["ScriptsBucket"]
    key = f"glue/tests/{name}.py"
    stack.client("s3").put_object(Bucket=bucket, Key=key, Body=script)
    stack.client("glue").create_job(
        Name=name,
        Role=ROLE,
        Command={
            "Name": "pythonshell",
            "ScriptLocation": f"s3://{bucket}/{key}",
            "PythonVersion": "3.9",
        },
        MaxCapacity=0.0625,
        ExecutionProperty={"MaxConcurrentRuns": 5},
    )
    return name


def _run_state(stack, job, run_id):
    return stack.client("glue").get_job_run(JobName=job, RunId=run_id)["JobRun"]["JobRunState"]


def _glue_operator(job):
    return SqlRunnerStepOperator(
        task_id="step",
        job_name=job,
        script_args={"--file": "sql/tests/x.sql"},
        aws_conn_id="aws_default",
        deferrable=True,
    )


def test_a_missing_job_is_refused_not_created(aws_env):
    operator = _glue_operator("etlkit-no-such-job")
    with pytest.raises(AirflowFailException, match=r"does not exist.*never creates"):
        operator.execute({})
    names = aws_env.client("glue").get_jobs()["Jobs"]
    assert "etlkit-no-such-job" not in [job["Name"] for job in names]


def test_a_stopped_run_fails_the_task(aws_env):
    job = _script_job(aws_env, "etlkit-test-sleeper", "import time\ntime.sleep(120)\n")
    glue = aws_env.client("glue")
    run_id = glue.start_job_run(JobName=job)["JobRunId"]
    _wait(lambda: _run_state(aws_env, job, run_id), lambda s: s == "RUNNING")
    glue.batch_stop_job_run(JobName=job, JobRunIds=[run_id])
    _wait(lambda: _run_state(aws_env, job, run_id), lambda s: s == "STOPPED")
    # The provider's trigger reports STOPPED as success (9.34.0); the run says otherwise,
    # and a retry would start what someone stopped.
    with pytest.raises(
        AirflowFailException, match=f"{run_id} of {job}.*ended STOPPED.*not retried"
    ):
        _glue_operator(job).execute_complete({}, {"status": "success", "run_id": run_id})


def test_a_run_still_going_when_the_wait_runs_out_is_stopped(aws_env):
    job = "etlkit-test-sleeper-2"
    _script_job(aws_env, job, "import time\ntime.sleep(120)\n")
    run_id = aws_env.client("glue").start_job_run(JobName=job)["JobRunId"]
    _wait(lambda: _run_state(aws_env, job, run_id), lambda s: s == "RUNNING")
    event = {"status": "error", "message": "waiter exceeded max attempts", "run_id": run_id}
    with pytest.raises(RunFailedError, match=r"still RUNNING when the wait ran out.*stopped"):
        _glue_operator(job).execute_complete({}, event)
    _wait(lambda: _run_state(aws_env, job, run_id), lambda s: s == "STOPPED")


@pytest.mark.parametrize(
    ("exit_code", "failure_class", "verdict"),
    [
        (1, "permanent", "not retried: retrying cannot fix it"),
        (2, "bad_input", "not retried: retrying cannot fix it"),
        (3, "transient", "the runner retried it as the pipeline's retries allow"),
    ],
)
def test_a_failed_run_fails_the_task_for_good_and_names_the_runners_error(
    aws_env, exit_code, failure_class, verdict
):
    """The runner retried a transient failure itself (--retries): Airflow never starts a
    failed step's run again, whatever its class."""
    line = f'sqlrunner: error: step x: relation "nope" does not exist (failure: {failure_class})'
    job = _script_job(aws_env, f"etlkit-test-failer-{exit_code}", exiting(exit_code, line))
    run_id = aws_env.client("glue").start_job_run(JobName=job)["JobRunId"]
    _wait(lambda: _run_state(aws_env, job, run_id), lambda s: s == "FAILED")
    event = {"status": "error", "message": "exited with state: FAILED", "run_id": run_id}
    with pytest.raises(AirflowFailException) as failed:
        _glue_operator(job).execute_complete({}, event)
    assert str(failed.value) == (
        f"Glue run {run_id} of {job} (sql/tests/x.sql) ended FAILED, {failure_class}: {line} "
        f"(Command failed with exit code {exit_code}); "
        # under Glue's minimum: billed 60 s at 0.0625 DPU
        f"cost: 3.8 Glue DPU-s ($0.0005); {verdict}"
    )


def test_a_succeeded_run_returns_its_id(aws_env):
    job = _script_job(aws_env, "etlkit-test-ok", "print('fine')\n")
    run_id = aws_env.client("glue").start_job_run(JobName=job)["JobRunId"]
    _wait(lambda: _run_state(aws_env, job, run_id), lambda s: s == "SUCCEEDED")
    event = {"status": "success", "run_id": run_id}
    assert _glue_operator(job).execute_complete({}, event) == run_id


def _machine(stack, name, states):
    definition = {"StartAt": next(iter(states)), "States": states}
    return stack.client("stepfunctions").create_state_machine(
        name=name, definition=json.dumps(definition), roleArn=ROLE
    )["stateMachineArn"]


def _execution(stack, machine):
    sfn = stack.client("stepfunctions")
    arn = sfn.start_execution(stateMachineArn=machine, name=f"t{time.time_ns()}", input="{}")[
        "executionArn"
    ]
    return sfn, arn


def _sfn_operator(machine):
    return PipelineExecutionOperator(
        task_id="run_state_machine",
        state_machine_arn=machine,
        name="2015-06-01",
        rerun_name="2015-06-01_rerun_ab_t1",
        aws_conn_id="aws_default",
        deferrable=True,
    )


def test_a_failed_execution_fails_without_retry_and_names_its_error(aws_env):
    machine = _machine(
        aws_env,
        "etlkit-test-fails",
        {
            "Boom": {
                "Type": "Fail",
                "Error": "InvalidExecutionInput",
                "Cause": "run_date is missing",
            }
        },
    )
    sfn, arn = _execution(aws_env, machine)
    _wait(lambda: sfn.describe_execution(executionArn=arn)["status"], lambda s: s != "RUNNING")
    event = {"status": "error", "message": "Step function failed", "execution_arn": arn}
    with pytest.raises(
        AirflowFailException, match="ended FAILED: InvalidExecutionInput: run_date is missing"
    ):
        _sfn_operator(machine).execute_complete({}, event)


def test_an_execution_still_running_when_the_wait_runs_out_is_stopped(aws_env):
    machine = _machine(
        aws_env, "etlkit-test-waits", {"Hold": {"Type": "Wait", "Seconds": 120, "End": True}}
    )
    sfn, arn = _execution(aws_env, machine)
    event = {
        "status": "error",
        "message": "Waiter error: max attempts reached",
        "execution_arn": arn,
    }
    with pytest.raises(RunFailedError, match="still RUNNING when the wait ran out; it was stopped"):
        _sfn_operator(machine).execute_complete({}, event)
    assert sfn.describe_execution(executionArn=arn)["status"] == "ABORTED"


def test_a_succeeded_execution_returns_its_arn(aws_env):
    machine = _machine(aws_env, "etlkit-test-passes", {"Done": {"Type": "Pass", "End": True}})
    sfn, arn = _execution(aws_env, machine)
    _wait(lambda: sfn.describe_execution(executionArn=arn)["status"], lambda s: s != "RUNNING")
    assert (
        _sfn_operator(machine).execute_complete({}, {"status": "success", "execution_arn": arn})
        == arn
    )


# ------------------------------------------------------------------ one execution per date


def _waiting_machine(stack, name, seconds=60):
    return _machine(stack, name, {"Hold": {"Type": "Wait", "Seconds": seconds, "End": True}})


def _names(stack, machine):
    executions_ = stack.client("stepfunctions").list_executions(stateMachineArn=machine)
    return sorted(e["name"] for e in executions_["executions"])


def test_a_dag_run_of_a_running_date_joins_its_execution(aws_env):
    """The schedule started 2015-06-01; a DAG run of the same date and params follows that
    execution instead of starting a second one (etlkit_core.executions)."""
    sfn = aws_env.client("stepfunctions")
    machine = _waiting_machine(aws_env, "etlkit-test-join")
    scheduled = sfn.start_execution(
        stateMachineArn=machine, name="2015-06-01", input='{"run_date":"2015-06-01"}'
    )["executionArn"]
    arn, how = executions.start_or_join(
        sfn, machine, '{"run_date":"2015-06-01"}', "2015-06-01", [], "2015-06-01_rerun_ab_t1"
    )
    assert (arn, how) == (scheduled, "joined")
    # other params for a date that runs: wait for it (the task is retried)
    with pytest.raises(ExecutionConflict, match="RUNNING with other input"):
        executions.start_or_join(
            sfn,
            machine,
            '{"run_date":"2015-06-01","min_rows":0}',
            "2015-06-01",
            [],
            "2015-06-01_rerun_ab_t1",
        )
    assert _names(aws_env, machine) == ["2015-06-01"]


def test_a_run_of_a_date_that_ran_is_a_rerun_with_its_own_name(aws_env):
    sfn = aws_env.client("stepfunctions")
    machine = _machine(aws_env, "etlkit-test-rerun", {"Done": {"Type": "Pass", "End": True}})
    first, how = executions.start_or_join(
        sfn, machine, '{"run_date":"2015-06-02"}', "2015-06-02", [], "2015-06-02_rerun_ab_t1"
    )
    assert how == "started" and first.endswith(":2015-06-02")
    _wait(lambda: sfn.describe_execution(executionArn=first)["status"], lambda s: s != "RUNNING")
    rerun, how = executions.start_or_join(
        sfn, machine, '{"run_date":"2015-06-02"}', "2015-06-02", [], "2015-06-02_rerun_ab_t1"
    )
    assert how == "rerun" and rerun.endswith(":2015-06-02_rerun_ab_t1")
    assert _names(aws_env, machine) == ["2015-06-02", "2015-06-02_rerun_ab_t1"]


def test_a_retried_task_follows_the_execution_its_earlier_try_started(aws_env):
    """Try 1 started a rerun and its worker died; try 2 finds that execution running and
    waits for it rather than starting a third."""
    sfn = aws_env.client("stepfunctions")
    machine = _waiting_machine(aws_env, "etlkit-test-retry")
    sfn.start_execution(stateMachineArn=machine, name="2015-06-03", input="{}")
    sfn.stop_execution(executionArn=execution_arn(machine, "2015-06-03"))
    try1 = sfn.start_execution(
        stateMachineArn=machine, name="2015-06-03_rerun_ab_t1", input='{"run_date":"2015-06-03"}'
    )["executionArn"]
    arn, how = executions.start_or_join(
        sfn,
        machine,
        '{"run_date":"2015-06-03"}',
        "2015-06-03",
        ["2015-06-03_rerun_ab_t1"],
        "2015-06-03_rerun_ab_t2",
    )
    assert (arn, how) == (try1, "joined")
    assert _names(aws_env, machine) == ["2015-06-03", "2015-06-03_rerun_ab_t1"]
