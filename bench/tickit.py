"""The TICKIT pipeline (sql/tickit) on the local stack: how long a run takes against its
critical path, on both orchestrators.

A run's critical path is the longest chain of its step durations through the pipeline's
step graph (etlkit_core: a step runs after every step writing what it reads). A step's
duration is taken as its orchestrator records it: the Task state's (entered to exited, in
the execution's history) for the state machine, the task's (start to end, the deferral and
resumption included) for the `tickit_etl_glue` DAG. The run time is the execution's (start
to stop) and the DAG run's (its start to end in Airflow's metadata, not counting Airflow
starting up; a real scheduler runs it, tasks side by side). Target: run <= 1.25 x critical
path, which needs independent steps to run side by side: steps run one after the other
make the ratio the sum of the steps over the longest chain.

The same ratio over the Glue runs alone (StartedOn to CompletedOn) is reported beside it.
It shows what each orchestrator adds around a step: a fraction of a second per Task state,
and for Airflow about 18 s per task around a local Glue run of about 1 s (a worker process
to start, the deferral, the trigger's first poll no sooner than 15 s, see etlkit.triggers,
the resumption), which no scheduling can hide when the Glue runs are that short.
"""

import datetime as dt
import json
import os
import signal
import subprocess
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

from etlkit_core.pipeline_graph import load_graph
from etlkit_core.spec import load_spec
from infra import REPO_ROOT
from infra.local import stack, tickit_data

SPEC = load_spec(REPO_ROOT / "sql" / "tickit" / "pipeline.yaml")
TARGET = 1.25


def step_durations(state: "stack.StackState", since: dt.datetime) -> dict[str, float]:
    """Seconds of each TICKIT step's latest Glue run started after `since`."""
    glue = state.client("glue")
    runs = [
        run
        for page in glue.get_paginator("get_job_runs").paginate(
            JobName=state.outputs["GlueJobName"]
        )
        for run in page["JobRuns"]
        if run.get("Arguments", {}).get("--pipeline") == SPEC.name and run["StartedOn"] >= since
    ]
    durations = {}
    for run in sorted(runs, key=lambda r: r["StartedOn"]):
        assert run["JobRunState"] == "SUCCEEDED", run
        durations[run["Arguments"]["--step"]] = (
            run["CompletedOn"] - run["StartedOn"]
        ).total_seconds()
    assert set(durations) == {step.id for step in SPEC.steps}, sorted(durations)
    return durations


def busiest_day() -> dt.date:
    days = Counter(row[-1].date() for row in tickit_data.generate().rows["sales"])
    return max(sorted(days), key=lambda day: days[day])


def _state_machine(state: "stack.StackState", day: dt.date) -> tuple:
    sfn = state.client("stepfunctions")
    since = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    arn = sfn.start_execution(
        stateMachineArn=state.state_machines[SPEC.name],
        name=f"bench-{uuid.uuid4().hex[:8]}",
        input=json.dumps({"run_date": day.isoformat()}),
    )["executionArn"]
    while (described := sfn.describe_execution(executionArn=arn))["status"] == "RUNNING":
        time.sleep(0.2)
    assert described["status"] == "SUCCEEDED", described
    took = (described["stopDate"] - described["startDate"]).total_seconds()
    return took, step_durations(state, since), task_state_durations(sfn, arn)


def task_state_durations(sfn, execution_arn: str) -> dict[str, float]:
    """Seconds each step's Task state took, entered to exited (retries included)."""
    entered, durations = {}, {}
    for page in sfn.get_paginator("get_execution_history").paginate(executionArn=execution_arn):
        for event in page["events"]:
            if event["type"] == "TaskStateEntered":
                entered[event["stateEnteredEventDetails"]["name"]] = event["timestamp"]
            elif event["type"] == "TaskStateExited":
                name = event["stateExitedEventDetails"]["name"]
                durations[name] = (event["timestamp"] - entered[name]).total_seconds()
    assert set(durations) == {step.id for step in SPEC.steps}, sorted(durations)
    return durations


def _airflow(state: "stack.StackState", day: dt.date, root: Path) -> tuple:
    """One run of the `_glue` DAG by a real scheduler (`airflow standalone`, LocalExecutor):
    its tasks run side by side as the graph allows, as on MWAA. `airflow dags test` would
    run them one at a time."""
    from infra.mwaa import local_airflow

    env = local_airflow.airflow_environment(
        home=root / "airflow", stack_env=state.env, port=local_airflow.free_port(0)
    )
    env["ETLKIT_POLL_SECONDS"] = "1"
    env["AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE"] = "False"  # the triggered run only
    subprocess.run(["airflow", "db", "migrate"], env=env, check=True, capture_output=True)
    dag_id = f"{SPEC.name}_glue"
    with (root / "standalone.log").open("ab") as log:
        scheduler = subprocess.Popen(
            ["airflow", "standalone"], env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        _until(lambda: local_airflow._api_answers(int(env["AIRFLOW__API__PORT"])), 300)
        since = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        trigger = ["airflow", "dags", "trigger", dag_id,
                   "--conf", json.dumps({"run_date": day.isoformat()})]  # fmt: skip
        # the DAG can be triggered once the dag-processor has stored it
        _until(lambda: subprocess.run(trigger, env=env, capture_output=True).returncode == 0, 300)
        subprocess.run(
            ["airflow", "dags", "unpause", dag_id], env=env, check=True, capture_output=True
        )
        run = _until(lambda: _ended_run(env, dag_id), 1800)
    finally:
        os.killpg(scheduler.pid, signal.SIGTERM)
        try:
            scheduler.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(scheduler.pid, signal.SIGKILL)
            scheduler.wait()
    assert run["state"] == "success", run
    took = _seconds(run["start_date"], run["end_date"])
    listed = subprocess.run(
        ["airflow", "tasks", "states-for-dag-run", dag_id, run["run_id"], "-o", "json"],
        env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    document = next(line for line in listed.stdout.splitlines() if line.startswith("["))
    tasks = {t["task_id"]: _seconds(t["start_date"], t["end_date"]) for t in json.loads(document)}
    assert set(tasks) == {step.id for step in SPEC.steps}, sorted(tasks)
    return took, step_durations(state, since), tasks


def _seconds(start: str, end: str) -> float:
    return (dt.datetime.fromisoformat(end) - dt.datetime.fromisoformat(start)).total_seconds()


def _ended_run(env: dict, dag_id: str) -> dict | None:
    listed = subprocess.run(
        ["airflow", "dags", "list-runs", dag_id, "-o", "json"],
        env=env, capture_output=True, text=True,
    )  # fmt: skip
    document = next((line for line in listed.stdout.splitlines() if line.startswith("[")), "[]")
    ended = [
        run
        for run in json.loads(document)
        if run.get("state") in ("success", "failed") and run["run_id"].startswith("manual__")
    ]
    return ended[0] if ended else None


def _until(probe, timeout: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := probe():
            return found
        time.sleep(2)
    raise AssertionError(f"gave up after {timeout} s")


def run() -> dict:
    graph = load_graph(SPEC)
    day = busiest_day()
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        state = stack.up(
            state_dir=root / "stack",
            aws_port=0,
            database="bench_tickit_" + uuid.uuid4().hex[:8],
            sample_rows=0,
            say=lambda _: None,
        )
        try:
            stack.seed_tickit_data(state, lambda _: None)
            figures = {"run_date": day.isoformat(), "steps": len(SPEC.steps)}
            for name, measure in (
                ("stepfunctions", lambda: _state_machine(state, day)),
                ("airflow", lambda: _airflow(state, day, root)),
            ):
                took, glue_runs, steps = measure()
                path, chain = graph.critical_path(steps)
                glue_path, _ = graph.critical_path(glue_runs)
                figures[name] = {
                    "run_s": round(took, 1),
                    "critical_path_s": round(path, 1),
                    "critical_path": list(chain),
                    "sum_of_steps_s": round(sum(steps.values()), 1),
                    "ratio": round(took / path, 2),
                    "glue_critical_path_s": round(glue_path, 1),
                    "sum_of_glue_runs_s": round(sum(glue_runs.values()), 1),
                    "ratio_to_glue_path": round(took / glue_path, 2),
                }
        finally:
            stack.discard(root / "stack", state)
    figures["target_ratio"] = TARGET
    figures["met"] = all(figures[n]["ratio"] <= TARGET for n in ("stepfunctions", "airflow"))
    return figures
