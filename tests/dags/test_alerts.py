"""The failure alert's text: what a person paged at 3 a.m. needs, within SNS's limits."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import types

from etlkit import alerts
from tests.dags.conftest import interval_start

EXECUTION = "arn:aws:states:us-east-1:123456789012:execution:etlkit-reviews_etl:2015-06-01"


def _context(dag, task_id, *, params=None, error=None, try_number=3, xcom=None):
    return {
        "dag": dag,
        "params": {name: None for name in dag.params} | (params or {}),
        "data_interval_start": interval_start(dt.date(2026, 11, 25)),
        "logical_date": interval_start(dt.date(2026, 11, 25)),
        "run_id": "scheduled__2026-11-25T02:00:00+00:00",
        "exception": error,
        "ti": types.SimpleNamespace(
            task_id=task_id,
            dag_id=dag.dag_id,
            try_number=try_number,
            max_tries=2,
            log_url="http://airflow.example/dags/x/runs/y/tasks/z?try_number=3",
            xcom_pull=lambda task_ids, key: (xcom or {}).get((task_ids, key)),
        ),
    }


def test_rendered_notifier_of_a_failed_step(dagbag, variables):
    dag = dagbag.dags["reviews_etl_glue"]
    task = dag.get_task("load_reviews")
    notifier = copy.copy(task.on_failure_callback[0])
    error = RuntimeError("Glue run jr_1 of etlkit-platform-sql-runner ended FAILED: boom at line 3")
    notifier.render_template_fields(_context(dag, "load_reviews", error=error))
    assert notifier.target_arn == variables["AIRFLOW_VAR_ETLKIT_ALERT_TOPIC_ARN"]
    assert notifier.subject == (
        "[etlkit] reviews_etl failed at load_reviews for 2026-11-25 (reviews_etl_glue)"
    )
    message = notifier.message
    for expected in (
        "Pipeline reviews_etl failed in Airflow.",
        "DAG:       reviews_etl_glue",
        "Task:      load_reviews (runs sql/reviews/load_reviews.sql)",
        "Run date:  2026-11-25",
        "Run:       scheduled__2026-11-25T02:00:00+00:00",
        "Try:       3 of 3",
        "Error:     RuntimeError: Glue run jr_1 of etlkit-platform-sql-runner ended FAILED: boom",
        "Log:       http://airflow.example/dags/x/runs/y/tasks/z?try_number=3",
        "  airflow tasks clear reviews_etl_glue -t load_reviews --downstream --only-failed "
        "-s 2026-11-25T02:00:00+00:00 -e 2026-11-25T02:00:00+00:00 --yes",
    ):
        assert expected in message, (expected, message)


def test_the_step_functions_dags_alert_names_the_redrive_of_its_execution(dagbag, specs):
    dag = dagbag.dags["reviews_etl_stepfunctions"]
    context = _context(
        dag, "run_state_machine", xcom={("run_state_machine", "execution_arn"): EXECUTION}
    )
    message = alerts.message(specs["reviews_etl"], context)
    assert f"  aws stepfunctions redrive-execution --execution-arn {EXECUTION}\n" in message
    assert "airflow tasks clear" not in message


def test_manual_date_and_missing_exception(dagbag, specs):
    dag = dagbag.dags["reviews_etl_stepfunctions"]
    context = _context(dag, "run_state_machine", params={"run_date": "2015-06-01"})
    reviews = specs["reviews_etl"]
    assert "for 2015-06-01" in alerts.subject(reviews, context)
    message = alerts.message(reviews, context)
    assert "Task:      run_state_machine\n" in message
    assert "Error:     see the log" in message


def test_subject_stays_within_sns_limits(specs):
    spec = specs["reviews_etl"]
    long_name = dataclasses.replace(spec, name="p" * 63)
    context = {
        "ti": types.SimpleNamespace(task_id="t" * 60, dag_id="d" * 90),
        "params": {"run_date": "2026-11-25\u00e9"},
    }
    subject = alerts.subject(long_name, context)
    assert len(subject) <= alerts.SUBJECT_LIMIT
    assert subject.isascii() and "\n" not in subject


def test_long_errors_are_cut(specs):
    context = {
        "ti": types.SimpleNamespace(task_id="load_reviews", dag_id="reviews_etl_glue"),
        "params": {},
        "exception": ValueError("x" * 10_000),
    }
    message = alerts.message(specs["reviews_etl"], context)
    assert len(message) < alerts.ERROR_LIMIT + 1000
    assert "[...]" in message
