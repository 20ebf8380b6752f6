"""Task logs for people, against the local stack: the Step Functions DAG's task log shows
each state's outcome and the SQL runner's statement lines of every step of a real execution
of the reviews state machine, and what it cost; a Glue step's log and failure carry its
cost line."""

from __future__ import annotations

import json
import time
import warnings

import pytest

from etlkit.operators import PipelineExecutionOperator
from infra.mwaa import local_airflow

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]
DAY = "2015-07-05"  # no sample data, no other test's runs: min_rows 0 lets it succeed


@pytest.fixture
def aws_env(local_stack, monkeypatch):
    for key, value in local_airflow.load_env_file(local_stack.env_file).items():
        monkeypatch.setenv(key, value)
    return local_stack


class TaskLog:
    def __init__(self):
        self.lines = []

    def _write(self, message, *args):
        self.lines.append(message % args if args else message)

    info = warning = error = _write


def test_the_state_machine_task_log_shows_states_statements_and_cost(aws_env, monkeypatch):
    sfn = aws_env.client("stepfunctions")
    machine = aws_env.state.state_machines["reviews_etl"]
    arn = sfn.start_execution(
        stateMachineArn=machine, name=DAY, input=json.dumps({"run_date": DAY, "min_rows": 0})
    )["executionArn"]
    deadline = time.monotonic() + 300
    while sfn.describe_execution(executionArn=arn)["status"] == "RUNNING":
        assert time.monotonic() < deadline
        time.sleep(1)
    operator = PipelineExecutionOperator(
        task_id="run_state_machine",
        state_machine_arn=machine,
        name=DAY,
        rerun_name=f"{DAY}_rerun_ab_t1",
        aws_conn_id="aws_default",
        deferrable=True,
    )
    log = TaskLog()  # what the operator writes to the task log, as text
    monkeypatch.setattr(PipelineExecutionOperator, "log", property(lambda _self: log))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")  # as if nothing had filtered before the task ran
        assert operator.execute_complete({}, {"status": "success", "execution_arn": arn}) == arn
    # the provider's deprecation notice, once per AWS client, no longer reaches the task log
    assert not [w for w in caught if "ProvidersManager" in str(w.message)], caught
    text = "\n".join(log.lines)
    for step in ("create_schema", "load_reviews", "unload_helpful_reviews"):
        assert f"  {step}: done (" in text, text
    # the runner's own lines, from each Glue run's output stream
    assert "CREATE TABLE IF NOT EXISTS reviews" in text
    assert f"DELETE FROM reviews WHERE review_date = '{DAY}'" in text
    assert '"status": "succeeded"' in text
    # each runner summary: what Glue bills at least, at the job's --dpu (MaxCapacity)
    assert text.count('"glue_dpu_seconds": 3.75') == 3, text
    events = sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
    entered = sum(1 for event in events if event["type"].endswith("StateEntered"))
    assert f"cost: 11.2 Glue DPU-s ($0.0014), {entered} state transitions" in text
