"""With the real Airflow on the local stack: runs made the ways a person makes them (`dags
trigger`, with and without a date, `backfill create`, with a date in its conf) are noted
with the date each processes when they start, by etlkit's listener loaded through the
plugin manager, as the scheduler loads it."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow

DAG_ID = "reviews_etl_stepfunctions"
# What the scheduler does when it starts a queued run (SchedulerJobRunner.
# _start_queued_dagruns): attach the serialized DAG and notify the listeners, in its session.
START_RUNS = """
import json, sys
from airflow.listeners.listener import get_listener_manager
from airflow.models.dagrun import DagRun
from airflow.models.serialized_dag import SerializedDagModel
from airflow.utils.session import create_session
from sqlalchemy import select

with create_session() as session:
    hook = get_listener_manager().hook
    notes = {}
    for run in session.scalars(select(DagRun).where(DagRun.dag_id == sys.argv[1])):
        run.dag = SerializedDagModel.get_dag(sys.argv[1], session=session)
        hook.on_dag_run_running(dag_run=run, msg="started")
        notes[run.run_id] = run.note
print(json.dumps(notes))
"""


def _interval_start(moment: dt.datetime) -> dt.date:
    """The start day of the reviews cron's (02:00 daily) last complete interval at `moment`."""
    end = moment.replace(hour=2, minute=0, second=0, microsecond=0)
    if end > moment:
        end -= dt.timedelta(days=1)
    return (end - dt.timedelta(days=1)).date()


def _ok(done):
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    return done


def test_each_run_is_noted_with_the_date_it_processes(airflow):
    # only this test's runs: the other tests of the session run this DAG too
    airflow.run("dags", "delete", DAG_ID, "--yes")
    _ok(airflow.run("dags", "reserialize"))
    try:
        _ok(airflow.run("dags", "trigger", DAG_ID, "--conf", '{"run_date": "2015-06-03"}'))
        before = dt.datetime.now(dt.UTC)
        # a logical date of its own: Airflow 3 still infers the interval from the trigger time
        _ok(airflow.run("dags", "trigger", DAG_ID, "--logical-date", "2015-06-20T02:00:00+00:00"))
        after = dt.datetime.now(dt.UTC)
        _ok(airflow.run("dags", "trigger", DAG_ID))  # no date at all: no interval, no note
        _ok(
            airflow.run(
                "backfill", "create", "--dag-id", DAG_ID, "--from-date", "2015-06-01",
                "--to-date", "2015-06-02T23:59:59", "--dag-run-conf", '{"run_date": "2015-06-30"}',
            )
        )  # fmt: skip
        done = _ok(
            subprocess.run(
                [sys.executable, "-c", START_RUNS, DAG_ID],
                env=airflow.env, capture_output=True, text=True, timeout=300, check=False,
            )
        )  # fmt: skip
    finally:  # no open backfill left for the other tests' backfills of this DAG
        airflow.run("dags", "delete", DAG_ID, "--yes")
        airflow.run("dags", "reserialize")
    notes = json.loads(done.stdout.strip().splitlines()[-1])
    by_kind = sorted((run_id.split("__")[0], note or "") for run_id, note in notes.items())
    manual = [note for kind, note in by_kind if kind == "manual"]
    # the date given; the interval Airflow inferred (it ends at the last 02:00 passed); none
    inferred = {f"run_date={_interval_start(moment)}" for moment in (before, after)}
    assert manual[0] == "" and manual[1] == "run_date=2015-06-03", manual
    assert manual[2] in inferred, (manual, inferred)
    # each backfill run its own date, not the one its conf tried to pin
    assert [note for kind, note in by_kind if kind == "backfill"] == [
        "run_date=2015-06-01",
        "run_date=2015-06-02",
    ]
