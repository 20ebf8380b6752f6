"""Fixtures of the DAG tests: the DagBag of dags/, the specs behind it, and a renderer that
fills a task's templated fields the way a worker does when the task starts."""

from __future__ import annotations

import copy
import datetime as dt
import types
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from etlkit_core.spec import PipelineSpec, discover
from tests.dags.airflow_home import REPO  # sets AIRFLOW_HOME before Airflow loads

VARIABLES = {
    "AIRFLOW_VAR_ETLKIT_GLUE_JOB_NAME": "etlkit-platform-sql-runner",
    "AIRFLOW_VAR_ETLKIT_DATA_BUCKET": "acme-data",
    "AIRFLOW_VAR_ETLKIT_ALERT_TOPIC_ARN": "arn:aws:sns:eu-west-1:123456789012:etlkit-alerts",
    "AIRFLOW_VAR_ETLKIT_STATE_MACHINE_ARNS": (
        '{"reviews_etl": "arn:aws:states:eu-west-1:123456789012:stateMachine:etlkit-reviews_etl"}'
    ),
}


def load_dagbag(folder: Any) -> Any:
    try:  # Airflow 3
        from airflow.dag_processing.dagbag import DagBag

        return DagBag(str(folder))
    except ImportError:  # pragma: no cover - the 2.11 leg runs in its own venv
        from airflow.models.dagbag import DagBag

        return DagBag(str(folder), include_examples=False)


@pytest.fixture(scope="session")
def dagbag() -> Any:
    return load_dagbag(REPO / "dags")


@pytest.fixture(scope="session")
def specs() -> dict[str, PipelineSpec]:
    return {spec.name: spec for spec in discover(REPO / "sql")}


@pytest.fixture
def variables(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The etlkit Variables, as AIRFLOW_VAR_* the way .local/env gives them."""
    for name, value in VARIABLES.items():
        monkeypatch.setenv(name, value)
    return VARIABLES


def interval_start(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 2, tzinfo=dt.UTC)


@pytest.fixture
def render() -> Iterator[Callable[..., Any]]:
    """render(task, params=..., data_interval_start=..., run_id=..., try_number=...) -> a copy
    of the task with its templated fields rendered from that context."""

    def _render(
        task: Any,
        *,
        params: dict[str, Any] | None = None,
        data_interval_start: dt.datetime | None = None,
        run_id: str = "scheduled__2026-11-25T02:00:00+00:00",
        try_number: int = 1,
    ) -> Any:
        dag = task.dag
        rendered = copy.copy(task)
        given = {name: None for name in dag.params}
        given.update(params or {})
        context = {
            "dag": dag,
            "task": rendered,
            "params": given,
            "data_interval_start": data_interval_start,
            "run_id": run_id,
            "ti": types.SimpleNamespace(
                task_id=task.task_id, dag_id=dag.dag_id, try_number=try_number, max_tries=2
            ),
        }
        rendered.render_template_fields(context, dag.get_template_env())
        return rendered

    yield _render
