"""The DAG file imports and works on Airflow 2.11.2 with the provider its MWAA constraints pin.

Runs in `.venv-af211` (Python 3.12, infra/mwaa/airflow-2.11.2-test.lock.txt, built by
`make setup`), in a subprocess; skipped with the reason when that venv is absent.
"""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from tests.dags.airflow_home import REPO

PYTHON = REPO / ".venv-af211" / "bin" / "python"

pytestmark = pytest.mark.skipif(
    not PYTHON.exists(),
    reason=(
        ".venv-af211 is missing (Airflow 2.11.2 test environment): build it with "
        "`make setup`, from infra/mwaa/airflow-2.11.2-test.lock.txt"
    ),
)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    home = tmp_path_factory.mktemp("airflow211")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AIRFLOW", "ETLKIT_PIPELINES_DIR", "PYTHONPATH"))
    }
    env |= {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
        # plugins.zip carries sqlrunner (the parameter types) beside etlkit
        "PYTHONPATH": os.pathsep.join([str(REPO / "plugins"), str(REPO / "glue_job" / "src")]),
    }
    done = subprocess.run(
        [str(PYTHON), str(REPO / "tests/dags/af211_check.py"), str(REPO)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("AF211 ")]
    assert done.returncode == 0 and lines, done.stderr[-4000:]
    return json.loads(lines[-1].removeprefix("AF211 "))


def test_imports_on_2_11(report):
    assert report["airflow"] == "2.11.2"
    assert report["import_errors"] == {}
    assert report["dags"]["reviews_etl_glue"]["tasks"] == [
        "create_schema",
        "load_reviews",
        "unload_helpful_reviews",
    ]
    assert report["dags"]["reviews_etl_stepfunctions"]["tasks"] == ["run_state_machine"]


def test_same_data_interval_and_args_on_2_11(report):
    reviews = {k: v for k, v in report["dags"].items() if k.startswith("reviews_etl_")}
    assert len(reviews) == 2
    for dag in reviews.values():
        # A backfill's first run covers 2015-01-01 02:00 to the next day's: run date 2015-01-01.
        first = ["2015-01-01T02:00:00+00:00", "2015-01-02T02:00:00+00:00"]
        assert dag["backfill_first_interval"] == first
        # reviews_etl's scheduler is stepfunctions: no DAG schedules a run of its own
        assert dag["timetable"] == "UnscheduledCronTimetable"
        assert dag["scheduled_first_interval"] is None
    for dag in report["dags"].values():
        assert set(dag["backoff"]) == {True}  # 2.x reads a bool: doubling
    assert report["deferred_with"] == "etlkit.triggers.GlueRunTrigger"
    assert report["load_reviews_args"] == {
        "--file": "sql/reviews/load_reviews.sql",
        "--params": '{"run_date": "2026-11-25", "min_rows": 1}',
        "--statement_timeout": "3540000",
        "--pipeline": "reviews_etl",
        "--step": "load_reviews",
        "--retries": "2",
        "--retry_delay_seconds": "300",
    }


def test_plugins_folder_loads_cleanly_on_2_11(report):
    assert report["plugin_errors"] == {}
    assert report["plugins"] == ["etlkit"]  # registers the timetable, nothing else loads
    assert report["leaked_modules"] == []
