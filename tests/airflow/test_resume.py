"""Resume a failed Airflow run from its failed step (issue 15 item 9, the Airflow half), with
the real Airflow 3.3.1 (`airflow standalone`: api-server, scheduler, dag-processor,
triggerer, LocalExecutor; metadata in the stack's PostgreSQL) against the local stack.

A three-step `_glue` DAG whose middle step reads a table that does not exist yet fails at
that step; its alert names the command that resumes the run. The table is created, the
alert's own command is run as printed, and the scheduler runs the cleared tasks: the first
step did not run again (its try number is unchanged and local Glue ran its SQL file once),
the failed step and the one after it ran, and the run ends successful with its data whole.
This test found the alert's first command (`-t '^middle$'`) clearing nothing: Airflow 3.3's
`tasks clear` matches `-t` as a substring of task ids (etlkit.alerts.resume_lines).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shlex
import signal
import subprocess
import time
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy

from etlkit_core import pipeline_graph
from etlkit_core.spec import discover
from infra.mwaa.local_airflow import METADATA_DATABASE, _api_answers
from tests.airflow.conftest import Airflow, LocalStack
from tests.chaos.stack_pipelines import Alerts, airflow_for, deploy, glue_runs, write_pipeline

# ~5 minutes of scheduler round trips: run by `make chaos` (CI runs both)
pytestmark = [pytest.mark.slow, pytest.mark.chaos, pytest.mark.timeout(1800)]

NAME = "resume_af"
DAG_ID = f"{NAME}_glue"
DAY = "2026-03-05"
LOGICAL_DATE = f"{DAY}T00:00:00+00:00"
STEPS = ("make", "middle", "last")
SPEC = f"""\
    name: {NAME}
    schedule: null
    start_date: 2026-01-01
    retries: 1
    retry_delay_minutes: 1
    step_timeout_minutes: 5
    params:
      run_date: {{type: date}}
    steps:
      - {{id: make, file: make.sql, params: [run_date]}}
      - {{id: middle, file: middle.sql, params: [run_date], after: [make]}}
      - {{id: last, file: last.sql, params: [run_date], after: [middle]}}
    """
_HEADER = "-- @param run_date date\n"


def _own(step: str) -> str:
    return f"DELETE FROM resume_af_out WHERE run_date = '${{run_date}}' AND step = '{step}';\n"


SQL = {
    "make.sql": _HEADER
    + "CREATE TABLE IF NOT EXISTS resume_af_out (run_date date, step text);\n"
    + _own("make")
    + "INSERT INTO resume_af_out VALUES ('${run_date}', 'make');\n",
    # fails until the test creates resume_af_lookup
    "middle.sql": _HEADER
    + _own("middle")
    + "INSERT INTO resume_af_out SELECT '${run_date}', 'middle' FROM resume_af_lookup LIMIT 1;\n",
    "last.sql": _HEADER
    + _own("last")
    + "INSERT INTO resume_af_out VALUES ('${run_date}', 'last');\n",
}


def _execute(local_stack: LocalStack, *statements: str) -> None:
    db = local_stack.state.postgres.connect(local_stack.state.database)
    try:
        for statement in statements:
            db.query(statement)
    finally:
        db.close()


class Metadata:
    """The run's rows in Airflow's metadata database, read directly (what the CLI prints
    around its JSON varies with log settings)."""

    def __init__(self, airflow: Airflow) -> None:
        self.engine = sqlalchemy.create_engine(airflow.env[METADATA_DATABASE])

    def run_state(self) -> str | None:
        with self.engine.connect() as db:
            row = db.execute(
                sqlalchemy.text(
                    "SELECT state FROM dag_run WHERE dag_id = :dag AND logical_date = :day"
                ),
                {"dag": DAG_ID, "day": dt.datetime.fromisoformat(LOGICAL_DATE)},
            ).first()
        return row[0] if row else None

    def tasks(self) -> dict[str, tuple[str | None, int]]:
        """task id -> (state, try number) of the run's task instances."""
        with self.engine.connect() as db:
            rows = db.execute(
                sqlalchemy.text(
                    "SELECT ti.task_id, ti.state, ti.try_number FROM task_instance ti "
                    "JOIN dag_run dr ON dr.dag_id = ti.dag_id AND dr.run_id = ti.run_id "
                    "WHERE dr.dag_id = :dag AND dr.logical_date = :day"
                ),
                {"dag": DAG_ID, "day": dt.datetime.fromisoformat(LOGICAL_DATE)},
            ).all()
        return {task: (state, tries) for task, state, tries in rows}


def _airflow_errors(log: Any) -> str:
    """The errors and warnings Airflow's components logged: what explains an unexpected
    task state (the log's tail is mostly the dag-processor's routine lines)."""
    lines = log.read_text(errors="replace").splitlines()
    return "\n".join(line for line in lines if "[error" in line or "[warning" in line)[-6000:]


def _wait(what: str, probe: Callable[[], Any], timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(2)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def test_a_failed_glue_dag_run_resumes_from_its_failed_step(
    local_stack: LocalStack, airflow: Airflow, tmp_path
) -> None:
    sql_root = write_pipeline(tmp_path, NAME, SPEC, SQL)
    pipeline_graph.write(discover(sql_root))  # the committed graph file the DAG factory reads
    deploy(local_stack, sql_root)  # the SQL files to the scripts bucket
    _execute(local_stack, "DROP TABLE IF EXISTS resume_af_lookup")
    af = airflow_for(airflow, sql_root)
    metadata = Metadata(af)
    job = local_stack.state.outputs["GlueJobName"]
    alerts = Alerts(local_stack)
    started = dt.datetime.now(dt.UTC)

    def runs_per_step() -> dict[str, int]:
        return {
            step: len(glue_runs(local_stack, job, f"sql/{NAME}/{step}.sql", started))
            for step in STEPS
        }

    log = (tmp_path / "standalone.log").open("ab")
    scheduler = subprocess.Popen(
        ["airflow", "standalone"], env=af.env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    try:
        # tasks report to the api-server: on a busy machine a task started before it answers
        # is failed by the scheduler, so the run starts once it does
        port = int(af.env["AIRFLOW__API__PORT"])
        _wait("the api-server", lambda: _api_answers(port), 300)
        # the trigger finds the DAG once the dag-processor has stored it
        trigger = (
            "dags", "trigger", DAG_ID, "--logical-date", LOGICAL_DATE,
            "--conf", json.dumps({"run_date": DAY}),
        )  # fmt: skip
        _wait("the DAG to be parsed", lambda: af.run(*trigger).returncode == 0, 300)
        unpaused = af.run("dags", "unpause", DAG_ID)
        assert unpaused.returncode == 0, unpaused.stderr[-3000:]
        _wait("the run to fail", lambda: metadata.run_state() == "failed", 600)
        # The SQL error is permanent (not retried). The one retry the spec allows is for
        # Airflow's own hiccups on a busy machine (a task started before the api-server
        # answers; etlkit.triggers keeps resumed tasks out of the scheduler's deferral
        # race); a try ran Glue at most once.
        before = metadata.tasks()
        assert {task: state for task, (state, _) in before.items()} == {
            "make": "success",
            "middle": "failed",
            "last": "upstream_failed",
        }, _airflow_errors(tmp_path / "standalone.log")
        assert before["last"][1] == 0
        ran = runs_per_step()
        assert 1 <= ran["make"] <= before["make"][1] and ran["last"] == 0
        assert 1 <= ran["middle"] <= before["middle"][1]
        # the scheduler may alert for `last` (upstream_failed) too
        received = alerts.read(expected=2, timeout=30)
        about_middle = [a for a in received if "Task:      middle" in a.message]
        assert len(about_middle) == 1, [a.message for a in received]
        (command,) = [
            line.strip()
            for line in about_middle[0].message.splitlines()
            if line.strip().startswith("airflow tasks clear")
        ]
        assert command == (
            f"airflow tasks clear {DAG_ID} -t middle --downstream --only-failed "
            f"-s {LOGICAL_DATE} -e {LOGICAL_DATE} --yes"
        )

        # the fix, then the alert's command as printed, as a shell would split it
        _execute(
            local_stack,
            "CREATE TABLE resume_af_lookup AS SELECT 1 AS x",
            "GRANT SELECT ON resume_af_lookup TO PUBLIC",
        )
        cleared = subprocess.run(
            shlex.split(command), env=af.env, capture_output=True, text=True, timeout=300
        )
        assert cleared.returncode == 0, cleared.stdout[-2000:] + cleared.stderr[-3000:]
        # the clear puts the run back in the queue for the scheduler
        assert metadata.run_state() != "failed", cleared.stdout[-2000:] + cleared.stderr[-3000:]
        _wait("the resumed run to end", lambda: metadata.run_state() in ("success", "failed"), 600)
        assert metadata.run_state() == "success", _airflow_errors(tmp_path / "standalone.log")
        after = metadata.tasks()
    finally:
        if scheduler.poll() is None:
            os.killpg(scheduler.pid, signal.SIGTERM)
            try:
                scheduler.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(scheduler.pid, signal.SIGKILL)
                scheduler.wait()
        log.close()
    # the finished step kept its try; the failed one and the one after it ran again
    # (a cleared task's try may be followed by a retry for the same hiccup as above)
    assert after["make"] == before["make"]
    assert after["middle"][0] == after["last"][0] == "success"
    assert after["middle"][1] > before["middle"][1] and after["last"][1] >= 1
    again = runs_per_step()
    assert again["make"] == ran["make"]  # the finished step did not run again
    assert (
        ran["middle"] < again["middle"] <= ran["middle"] + after["middle"][1] - before["middle"][1]
    )
    assert 1 <= again["last"] <= after["last"][1]
    rows = local_stack.query(
        "SELECT step FROM resume_af_out WHERE run_date = $1 ORDER BY step", dt.date(2026, 3, 5)
    )
    assert [row[0] for row in rows] == ["last", "make", "middle"]
