"""Fault: the runner is SIGKILLed in the middle of the load step.

The load step replaces the run date's rows in one transaction (DELETE + INSERT). The
kill lands after both statements ran and before COMMIT (the test-only copy of the step
holds its transaction open for a few seconds there, see platform.py). Whatever the
timing, the day's rows must be exactly the previous good run's, never a mix, and the
retry must leave exactly the lake's rows for the day.
"""

from __future__ import annotations

import json
import os
import signal

import pg
import pytest

from .platform import (
    CHAOS_DIR,
    DAYS,
    HOLD_SECONDS,
    Platform,
    backend_gone,
    backend_in,
    failed_tasks,
    wait_for,
)

pytestmark = pytest.mark.slow

REAL_LOAD = "sql/reviews/load_reviews.sql"
HELD_LOAD = f"sql/{CHAOS_DIR}/load_reviews.sql"
APPLICATION = f"sqlrunner:{CHAOS_DIR}/load_reviews%"
PREVIOUS = "previous good run"


def _kill_runner_when_holding(platform: Platform, run_id: str) -> None:
    """Wait until the load's transaction is open with its writes done, then SIGKILL the
    runner process of that Glue run."""
    wait_for(
        backend_in(platform.database, APPLICATION, "SELECT pg_sleep%"),
        timeout=60,
        what="the load step to reach its open transaction",
    )
    pids = platform.runner_pids(run_id)
    assert pids, f"no process found for Glue run {run_id}"
    for pid in pids:
        os.kill(pid, signal.SIGKILL)


def _load_day(platform: Platform, file: str, day) -> dict:
    run = platform.wait_glue_run(platform.start_glue_run(file, {"run_date": day.isoformat()}))
    return run


def test_killed_load_leaves_the_previous_good_rows_and_the_rerun_completes_the_day(
    schema_ready: Platform,
) -> None:
    platform = schema_ready
    day = DAYS[0]
    expected = platform.lake.rows_on(day)
    assert expected > 0

    good = _load_day(platform, REAL_LOAD, day)
    assert good["JobRunState"] == "SUCCEEDED", good
    platform.query("UPDATE reviews SET review_headline = $1 WHERE review_date = $2", PREVIOUS, day)
    previous = platform.day_rows(day)
    assert len(previous) == expected
    before = platform.tables_snapshot()

    run_id = platform.start_glue_run(HELD_LOAD, {"run_date": day.isoformat()})
    _kill_runner_when_holding(platform, run_id)
    # while the dead runner's transaction is still open, its LOCK keeps everyone out
    # (readers included: the load is serialised) and nothing of it is visible
    db = platform.db()
    try:
        db.query("SET lock_timeout = '200ms'")
        with pytest.raises(pg.OperationalError, match="lock timeout") as waited:
            db.query("SELECT count(*) FROM reviews WHERE review_date = $1", (day,))
        assert waited.value.sqlstate == "55P03"
    finally:
        db.close()
    killed = platform.wait_glue_run(run_id)
    assert killed["JobRunState"] == "FAILED", killed
    wait_for(
        backend_gone(platform.database, APPLICATION),
        timeout=HOLD_SECONDS + 30,
        what="the server to end the killed runner's session",
        every=0.2,
    )
    assert platform.day_rows(day) == previous, "the killed load changed the day's rows"
    assert platform.tables_snapshot() == before, "the killed load changed some table"

    retry = _load_day(platform, HELD_LOAD, day)
    assert retry["JobRunState"] == "SUCCEEDED", retry
    loaded = platform.query(
        "SELECT count(*), count(DISTINCT review_id), count(*) FILTER (WHERE review_headline = $1) "
        "FROM reviews WHERE review_date = $2",
        PREVIOUS,
        day,
    )
    assert loaded == [(expected, expected, 0)]


def test_a_killed_load_fails_the_execution_there_and_its_redrive_ends_the_day_correct(
    schema_ready: Platform,
) -> None:
    """A killed runner cannot report or retry: the execution fails at the load (exit code
    137, transient), and a redrive runs the load and the unload again, not the schema step."""
    platform = schema_ready
    day = DAYS[1]
    expected = platform.lake.rows_on(day)
    execution = platform.start("chaos_reviews_etl", {"run_date": day.isoformat()})

    def running_load() -> str | None:
        runs = platform.client("glue").get_job_runs(JobName=platform.job)["JobRuns"]
        found = [
            run["Id"]
            for run in runs
            if run["JobRunState"] == "RUNNING"
            and run.get("Arguments", {}).get("--file") == HELD_LOAD
        ]
        return found[0] if found else None

    run_id = wait_for(running_load, timeout=90, what="the load step's Glue run", every=0.2)
    _kill_runner_when_holding(platform, run_id)

    failed = platform.wait_execution(execution, timeout=240)
    assert failed["status"] == "FAILED", failed
    assert failed_tasks(failed["history"]) == [("load_reviews", "States.TaskFailed")]
    assert json.loads(failed["cause"])["ErrorMessage"] == "Command failed with exit code 137"
    platform.client("stepfunctions").redrive_execution(executionArn=execution)
    done = platform.wait_execution(execution, timeout=240)
    assert done["status"] == "SUCCEEDED", done
    entered = [
        e["stateEnteredEventDetails"]["name"]
        for e in done["history"]
        if e["type"] == "TaskStateEntered"
    ]
    assert entered.count("create_schema") == 1  # not run again by the redrive
    assert entered.count("load_reviews") == 2
    assert platform.query(
        "SELECT count(*), count(DISTINCT review_id) FROM reviews WHERE review_date = $1", day
    ) == [(expected, expected)]
    report = f"reports/helpful_reviews/run_date={day.isoformat()}/"
    assert platform.keys(platform.data_bucket, report), "the unload step wrote nothing"
