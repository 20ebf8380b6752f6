"""`make cost` against the local stack after a real execution of the reviews state machine
(its Glue runs executed for real): the date's runs, DPU-seconds with Glue's minimum, and
the transitions the execution's history holds."""

from __future__ import annotations

import json
import os
import subprocess
import time

import pytest

from infra.mwaa import local_airflow
from tests.dags.airflow_home import REPO

pytestmark = pytest.mark.slow
DAY = "2015-07-04"  # no sample data and no other test's runs: min_rows 0 lets it succeed


def test_cost_of_a_real_run(local_stack):
    sfn = local_stack.client("stepfunctions")
    arn = local_stack.state.state_machines["reviews_etl"]
    execution = sfn.start_execution(
        stateMachineArn=arn, name=DAY, input=json.dumps({"run_date": DAY, "min_rows": 0})
    )["executionArn"]
    deadline = time.monotonic() + 300
    while sfn.describe_execution(executionArn=execution)["status"] == "RUNNING":
        assert time.monotonic() < deadline, "the execution did not end in 5 minutes"
        time.sleep(2)
    assert sfn.describe_execution(executionArn=execution)["status"] == "SUCCEEDED"
    events = sfn.get_execution_history(executionArn=execution, maxResults=1000)["events"]
    entered = sum(1 for event in events if event["type"].endswith("StateEntered"))

    env = {**os.environ, **local_airflow.load_env_file(local_stack.env_file)}
    done = subprocess.run(
        ["make", "--no-print-directory", "cost", "PIPELINE=reviews_etl", f"FROM={DAY}",
         f"TO={DAY}"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    row = next(line.split() for line in done.stdout.splitlines() if line.startswith(DAY))
    # three steps, each under a minute locally: billed the minimum at 0.0625 DPU
    assert row[1:5] == ["3", f"{3 * 60 * 0.0625:.1f}", "1", str(entered)], done.stdout
    usd = 3 * 60 * 0.0625 / 3600 * 0.44 + entered * 0.025 / 1000
    assert row[5] == f"{usd:.4f}"
