"""The Airflow side:

- DAG file parse time: `dags/etlkit_pipelines.py` (both DAGs of every pipeline) vs an
  empty DAG file, each parsed by a DagBag in the same process after the `airflow.*`
  imports the DAG processor preloads and, as it does, with those objects frozen out of the
  garbage collector (gc.freeze); the median of 7 parses. Target: <= 0.2 s above the empty
  file.
- Parse time at scale: the same DAG file over 50 generated pipelines of 20 steps each
  (their specs, SQL and committed step graphs in a temporary directory), vs the empty
  file. Target: <= 0.5 s above the empty file, which only holds if no SQL is analysed
  while parsing (the DAG factory reads each pipeline.graph.json).
- Worker slot time: seconds a Glue step's task occupies a worker while a 10-second Glue
  run is in flight, deferrable (execute until it defers + execute_complete) vs not
  (execute blocks until the run ends). The operator, the Glue run and the AWS calls are
  real (local stack); the task-instance object the worker would pass is a minimal stand-in
  that records XComs. Target: near zero when deferrable.
- End to end: wall time of one `airflow dags test` of each reviews DAG on the local stack.
"""

import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from infra import REPO_ROOT
from infra.local import sample_data, stack

RUN_DATE = dt.date(2015, 6, 2)
SLEEP_SECONDS = 10

_PARSE = r"""
import gc, importlib, json, os, statistics, sys, time
from airflow.utils.file import iter_airflow_imports
real, empty = sys.argv[1], sys.argv[2]
for module in iter_airflow_imports(os.path.join(real, "etlkit_pipelines.py")):
    importlib.import_module(module)
from airflow.dag_processing.dagbag import DagBag
# what DagFileProcessorManager.before_run does before it forks a process per file
gc.freeze()
def median(folder):
    timings = []
    for _ in range(7):
        started = time.perf_counter(); bag = DagBag(folder)
        timings.append(time.perf_counter() - started)
        assert not bag.import_errors, bag.import_errors
    return statistics.median(timings), len(bag.dags)
print(json.dumps({"real": median(real), "empty": median(empty)}))
"""


def _parse_env(home: Path, **extra: str) -> dict:
    """The environment both parse measures run in: Airflow's home and etlkit's plugins."""
    return {**os.environ, "AIRFLOW_HOME": str(home), "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO_ROOT / "plugins"), **extra}  # fmt: skip


def _parse_times(home: Path) -> dict:
    empty = home / "empty_dags"
    empty.mkdir()
    (empty / "empty.py").write_text(
        "from airflow.sdk import DAG\n\nwith DAG('empty', schedule=None):\n    pass\n"
    )
    env = _parse_env(home)
    done = subprocess.run(
        [sys.executable, "-c", _PARSE, str(REPO_ROOT / "dags"), str(empty)],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    timings = json.loads(done.stdout.strip().splitlines()[-1])
    (real_s, dags), (empty_s, _) = timings["real"], timings["empty"]
    return {
        "dags_in_file": dags,
        "parse_dag_file_s": round(real_s, 3),
        "parse_empty_file_s": round(empty_s, 3),
        "parse_above_empty_s": round(real_s - empty_s, 3),
    }


MANY_PIPELINES, MANY_STEPS = 50, 20


def write_many_pipelines(root: Path) -> None:
    """MANY_PIPELINES pipelines of MANY_STEPS steps, and their step graphs: step k reads the
    table of step (k - 1) // 2, so each pipeline is a binary tree of steps (parallel
    branches, the shape the graph exists for)."""
    from etlkit_core import pipeline_graph
    from etlkit_core.spec import discover

    for p in range(MANY_PIPELINES):
        directory = root / f"p{p:02d}"
        directory.mkdir(parents=True)
        steps = []
        for k in range(MANY_STEPS):
            source = f" FROM p{p:02d}.t{(k - 1) // 2:02d} WHERE day = '${{run_date}}'" if k else ""
            (directory / f"s{k:02d}.sql").write_text(
                "-- @param run_date date\n"
                f"CREATE TABLE IF NOT EXISTS p{p:02d}.t{k:02d} (day date, n bigint);\n"
                f"DELETE FROM p{p:02d}.t{k:02d} WHERE day = '${{run_date}}';\n"
                f"INSERT INTO p{p:02d}.t{k:02d} SELECT '${{run_date}}', count(*){source};\n"
            )
            steps.append(
                f"  - {{id: s{k:02d}, file: s{k:02d}.sql, params: [run_date], "
                f"description: Step {k} of pipeline {p}.}}\n"
            )
        (directory / "pipeline.yaml").write_text(
            f"name: p{p:02d}\nschedule: '0 2 * * *'\nscheduler: airflow\n"
            "start_date: 2026-01-01\n"
            "params:\n  run_date: {type: date, from: data_interval_start}\n"
            "steps:\n" + "".join(steps)
        )
    pipeline_graph.write(discover(root))


def _many_pipelines_parse_times(home: Path) -> dict:
    root = home / "many_pipelines"
    write_many_pipelines(root)
    empty = home / "empty_dags"
    env = _parse_env(
        home,
        ETLKIT_PIPELINES_DIR=str(root),
        # a deployment, so every task gets its Assets (etlkit.config)
        ETLKIT_REDSHIFT_CLUSTER="bench", ETLKIT_REDSHIFT_REGION="eu-west-1",
        ETLKIT_REDSHIFT_DATABASE="dev", ETLKIT_DATA_BUCKET="bench-data",
    )  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", _PARSE, str(REPO_ROOT / "dags"), str(empty)],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    timings = json.loads(done.stdout.strip().splitlines()[-1])
    (real_s, dags), (empty_s, _) = timings["real"], timings["empty"]
    return {
        "many_pipelines_dags": dags,
        "many_pipelines_tasks": MANY_PIPELINES * (MANY_STEPS + 1),
        "parse_many_pipelines_s": round(real_s, 3),
        "parse_many_pipelines_above_empty_s": round(real_s - empty_s, 3),
    }


class _TaskInstance:
    """What GlueJobOperator needs of the worker's task instance: XComs and its task id."""

    task_id = "bench"

    def __init__(self) -> None:
        self.xcoms: dict = {}

    def xcom_push(self, key, value, **_):
        self.xcoms[key] = value

    def xcom_pull(self, key=None, **_):
        return self.xcoms.get(key)


def _slot_times(state: "stack.StackState") -> dict:
    from airflow.exceptions import TaskDeferred

    from etlkit.operators import SqlRunnerStepOperator

    bucket = state.outputs["ScriptsBucket"]
    state.client("s3").put_object(
        Bucket=bucket, Key="sql/bench/sleep.sql", Body=f"SELECT pg_sleep({SLEEP_SECONDS})".encode()
    )
    glue = state.client("glue")

    def operator(deferrable: bool) -> SqlRunnerStepOperator:
        return SqlRunnerStepOperator(
            task_id="bench", job_name=state.outputs["GlueJobName"],
            script_args={"--file": "sql/bench/sleep.sql"}, aws_conn_id="aws_default",
            deferrable=deferrable, wait_for_completion=True, job_poll_interval=1, verbose=False,
        )  # fmt: skip

    started = time.perf_counter()
    operator(False).execute({"ti": _TaskInstance()})
    blocking = time.perf_counter() - started

    step = operator(True)
    context = {"ti": _TaskInstance()}
    started = time.perf_counter()
    try:
        step.execute(context)
        raise AssertionError("a deferrable step did not defer")
    except TaskDeferred:
        deferring = time.perf_counter() - started
    run_id = context["ti"].xcoms["glue_job_run_id"]
    while glue.get_job_run(JobName=step.job_name, RunId=run_id)["JobRun"]["JobRunState"] in (
        "STARTING", "RUNNING"
    ):  # fmt: skip
        time.sleep(0.5)  # the triggerer's wait, not a worker's
    started = time.perf_counter()
    step.execute_complete(context, {"status": "success", "run_id": run_id})
    resuming = time.perf_counter() - started
    return {
        "glue_run_s": SLEEP_SECONDS,
        "worker_slot_blocking_s": round(blocking, 2),
        "worker_slot_deferrable_s": round(deferring + resuming, 2),
    }


def _dags_test_times(state: "stack.StackState", home: Path) -> dict:
    from infra.mwaa import local_airflow

    env = local_airflow.airflow_environment(
        home=home / "airflow", stack_env=state.env, port=local_airflow.free_port(0)
    )
    env["ETLKIT_POLL_SECONDS"] = "1"
    subprocess.run(["airflow", "db", "migrate"], env=env, check=True, capture_output=True)
    times = {}
    for dag_id in ("reviews_etl_glue", "reviews_etl_stepfunctions"):
        started = time.perf_counter()
        subprocess.run(
            ["airflow", "dags", "test", dag_id, "--conf", json.dumps({"run_date": str(RUN_DATE)})],
            env=env, check=True, capture_output=True,
        )  # fmt: skip
        times[f"dags_test_{dag_id}_s"] = round(time.perf_counter() - started, 1)
    return times


def run() -> dict:
    with tempfile.TemporaryDirectory() as scratch:
        home = Path(scratch)
        figures = _parse_times(home)
        figures.update(_many_pipelines_parse_times(home))
        database = "bench_airflow_" + uuid.uuid4().hex[:8]
        state = stack.up(state_dir=home / "stack", aws_port=0, database=database,
                         sample_rows=0, say=lambda _: None)  # fmt: skip
        try:
            sample_data.generate(state.client("s3"), state.outputs["DataBucket"],
                                 stack.LAKE_PREFIX, rows=5000, dates=[RUN_DATE])  # fmt: skip
            os.environ.update(state.env)
            os.environ["AIRFLOW_HOME"] = str(home / "airflow")
            figures.update(_dags_test_times(state, home))
            figures.update(_slot_times(state))
        finally:
            stack.discard(home / "stack", state)
    figures["target"] = (
        "parse_above_empty_s <= 0.2; parse_many_pipelines_above_empty_s <= 0.5; "
        "deferrable slot time near zero"
    )
    figures["met"] = (
        figures["parse_above_empty_s"] <= 0.2
        and figures["parse_many_pipelines_above_empty_s"] <= 0.5
        and figures["worker_slot_deferrable_s"] < 2
    )
    return figures


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
