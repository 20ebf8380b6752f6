"""Fault: two runs of one pipeline for the same date overlap (issue 14, item 1).

It happens in production: EventBridge Scheduler delivers at least once, an on-call rerun
meets the scheduled run, both orchestrators start the date. Each race here runs the reviews
pipeline as committed, except that its load holds the transaction a few seconds before
COMMIT (platform.write_chaos_tree), so the two loads surely overlap; the Glue runs' times
prove they did. Whatever the pair, the day must end with exactly the lake's rows, once:
the load's `LOCK reviews` makes the second DELETE+INSERT wait for the first to commit
(without it, READ COMMITTED lets both inserts stand: every row twice).

- two executions of the state machine (the date's own name and a rerun's);
- two DAG runs of `_glue` (two `airflow dags test` at once);
- one of each;
- and the dedup: a `_stepfunctions` DAG run of a date the schedule started joins that
  execution instead of starting a second one.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import yaml

from etlkit_core import executions
from infra.local import stack
from tests.airflow.conftest import DATES, Airflow, LocalStack

from .platform import wait_for
from .stack_pipelines import airflow_for, deploy, glue_runs, held_reviews_tree, wait_execution

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]

PIPELINE = "race_reviews_etl"
# How long each load holds its transaction open before COMMIT: long enough that a second
# run, started once the first one's load runs, reaches its own load before the first commits.
HOLD = 12
LOAD = "sql/chaos_reviews/load_reviews.sql"


@dataclass
class Race:
    stack: LocalStack
    airflow: Airflow
    machine: str

    def start(self, day: dt.date, name: str) -> str:
        return self.stack.client("stepfunctions").start_execution(
            stateMachineArn=self.machine, name=name, input=json.dumps({"run_date": str(day)})
        )["executionArn"]

    def dag_test(self, dag: str, day: dt.date) -> subprocess.Popen[str]:
        return subprocess.Popen(
            ["airflow", "dags", "test", f"{PIPELINE}_{dag}", "--conf", json.dumps({"run_date": str(day)})],
            env=self.airflow.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )  # fmt: skip

    def day_counts(self, day: dt.date) -> list[tuple]:
        return self.stack.query(
            "SELECT count(*), count(DISTINCT review_id) FROM reviews WHERE review_date = $1", day
        )

    def expect_once(self, day: dt.date) -> None:
        expected = self.stack.counts[day]
        assert expected > 0
        assert self.day_counts(day) == [(expected, expected)], "the day is not loaded once"

    def loads_overlapped(self, since: dt.datetime, count: int = 2) -> None:
        runs = glue_runs(self.stack, self.stack.state.outputs["GlueJobName"], LOAD, since)
        assert len(runs) == count, runs
        first, second = runs[0], runs[1]
        assert first["JobRunState"] == second["JobRunState"] == "SUCCEEDED"
        assert second["StartedOn"] < first["CompletedOn"], "the two loads did not overlap"


@pytest.fixture(scope="module")
def race(
    local_stack: LocalStack, airflow: Airflow, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Race]:
    sql_root = held_reviews_tree(tmp_path_factory.mktemp("race"), PIPELINE, hold_seconds=HOLD)
    # The schema is made once here and the races run load and unload only: locally, a
    # create_schema step waits for a running load's locks on the Spectrum table, which
    # would serialise a second run behind the first before its load could race.
    spec_path = sql_root / "chaos_reviews" / "pipeline.yaml"
    spec = yaml.safe_load(spec_path.read_text())
    spec["steps"] = [step for step in spec["steps"] if step["id"] != "create_schema"]
    spec_path.write_text(yaml.safe_dump(spec, sort_keys=False))
    (machine,) = deploy(local_stack, sql_root).values()
    glue = local_stack.client("glue")
    job = local_stack.state.outputs["GlueJobName"]
    lake = f"s3://{local_stack.data_bucket}/{stack.LAKE_PREFIX}"
    schema = glue.start_job_run(
        JobName=job,
        Arguments={
            "--file": "sql/reviews/create_schema.sql",
            "--params": json.dumps({"lake_uri": lake}),
        },
    )["JobRunId"]
    wait_for(
        lambda: (
            glue.get_job_run(JobName=job, RunId=schema)["JobRun"]["JobRunState"]
            in ("SUCCEEDED", "FAILED", "TIMEOUT", "STOPPED")
        ),
        timeout=120,
        what="the schema step",
    )
    assert glue.get_job_run(JobName=job, RunId=schema)["JobRun"]["JobRunState"] == "SUCCEEDED"
    race_airflow = airflow_for(
        airflow, sql_root, etlkit_state_machine_arns=json.dumps({PIPELINE: machine})
    )
    # the DAGs in the metadata database before two `dags test` race to write them there
    synced = race_airflow.run("dags", "reserialize")
    assert synced.returncode == 0, synced.stderr[-3000:]
    yield Race(local_stack, race_airflow, machine)


def _ok(process: subprocess.Popen[str]) -> str:
    output, _ = process.communicate(timeout=900)
    assert process.returncode == 0, output[-5000:]
    return output


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)


def test_two_executions_of_the_same_date_load_it_once(race: Race) -> None:
    day, since = DATES[0], _now()
    first = race.start(day, str(day))
    second = race.start(day, f"{day}_rerun_on-call")
    for arn in (first, second):
        done = wait_execution(race.stack, arn)
        assert done["status"] == "SUCCEEDED", done
    race.loads_overlapped(since)
    race.expect_once(day)


def test_two_dag_runs_of_the_same_date_load_it_once(race: Race) -> None:
    day, since = DATES[1], _now()
    runs = [race.dag_test("glue", day), race.dag_test("glue", day)]
    for run in runs:
        _ok(run)
    race.loads_overlapped(since)
    race.expect_once(day)


def test_an_execution_and_a_dag_run_of_the_same_date_load_it_once(race: Race) -> None:
    day, since = DATES[2], _now()
    dag_run = race.dag_test("glue", day)
    job = race.stack.state.outputs["GlueJobName"]

    def loading() -> bool:
        return any(
            run["JobRunState"] == "RUNNING" for run in glue_runs(race.stack, job, LOAD, since)
        )

    # the DAG run needs Airflow's start-up first: the execution starts once its load runs
    wait_for(loading, timeout=180, what="the DAG run's load step", every=0.2)
    execution = race.start(day, f"{day}_rerun_by-hand")
    done = wait_execution(race.stack, execution)
    assert done["status"] == "SUCCEEDED", done
    _ok(dag_run)
    race.loads_overlapped(since)
    race.expect_once(day)


def test_the_schedule_and_a_dag_run_start_one_execution_of_a_date(race: Race) -> None:
    """The `_stepfunctions` DAG and the schedule's StartDatedRun name the date's execution
    alike and send the same input: the schedule, delivered twice while the DAG's execution
    runs, starts nothing more (StartExecution returns the running one)."""
    day, since = DATES[1], _now()
    sfn = race.stack.client("stepfunctions")
    dag_run = race.dag_test("stepfunctions", day)

    def running() -> bool:
        assert dag_run.poll() is None, _ok(dag_run)  # it must not end first
        listed = sfn.list_executions(stateMachineArn=race.machine, statusFilter="RUNNING")
        return str(day) in [e["name"] for e in listed["executions"]]

    wait_for(running, timeout=120, what="the DAG run's execution of the date", every=0.2)
    dated = executions.execution_arn(race.machine, str(day))
    delivery = {"scheduled_time": f"{day + dt.timedelta(days=1)}T02:00:00Z"}
    for attempt in range(2):  # at least once: here twice
        delivered = race.stack.client("stepfunctions").start_execution(
            stateMachineArn=race.machine,
            name=f"delivery-{attempt}-{since.timestamp():.0f}",
            input=json.dumps(delivery),
        )["executionArn"]
        dispatched = wait_execution(race.stack, delivered)
        assert dispatched["status"] == "SUCCEEDED", dispatched
        assert json.loads(dispatched["output"]) in (
            {"started": dated},
            {"already_started": str(day)},
        )
    _ok(dag_run)
    assert wait_execution(race.stack, dated)["status"] == "SUCCEEDED"
    names = [e["name"] for e in sfn.list_executions(stateMachineArn=race.machine)["executions"]]
    assert names.count(str(day)) == 1
    assert not [name for name in names if name.startswith(f"{day}_rerun")]
    assert len(glue_runs(race.stack, race.stack.state.outputs["GlueJobName"], LOAD, since)) == 1
    race.expect_once(day)
