"""House rules every etlkit DAG keeps: tags, owner, retries with backoff, a schedule with the
same data-interval meaning on 2.11 and 3.x, an SNS failure alert on every task, a doc_md
that lists the IAM permissions, and no I/O at parse time but reading the specs."""

from __future__ import annotations

import datetime as dt
import os
import sys

import pytest
from airflow.providers.amazon.aws.notifications.sns import SnsNotifier

from etlkit import config, iam
from etlkit.compat import CronDataIntervalTimetable
from etlkit.timetables import UnscheduledCronTimetable
from tests.dags import parse_watch
from tests.dags.airflow_home import REPO


def _dags(dagbag):
    return sorted(dagbag.dags.values(), key=lambda dag: dag.dag_id)


def _spec_of(dag, specs):
    name, _, kind = dag.dag_id.rpartition("_")
    return specs[name], kind


def test_tags_owner_and_description(dagbag, specs):
    for dag in _dags(dagbag):
        spec, kind = _spec_of(dag, specs)
        assert dag.tags and "etlkit" in dag.tags, dag.dag_id
        assert ("glue" if kind == "glue" else "step-functions") in dag.tags
        assert set(spec.tags) <= set(dag.tags)
        assert dag.description
        for task in dag.tasks:
            assert task.owner == spec.owner, (dag.dag_id, task.task_id)


def test_retries_with_exponential_backoff(dagbag, specs):
    for dag in _dags(dagbag):
        spec, _ = _spec_of(dag, specs)
        for task in dag.tasks:
            assert task.retries == spec.retries
            assert task.retry_delay == dt.timedelta(minutes=spec.retry_delay_minutes)
            # Airflow 3 reads the value as a multiplier: True would mean a constant delay.
            assert task.retry_exponential_backoff == 2.0
            assert task.execution_timeout is not None


def test_only_the_specs_scheduler_runs_on_the_schedule(dagbag, specs):
    """Both DAGs keep the spec's cron as UTC data intervals (backfills, manual runs); only
    the `_glue` DAG of a `scheduler: airflow` spec schedules runs itself."""
    for dag in _dags(dagbag):
        spec, kind = _spec_of(dag, specs)
        timetable = dag.timetable
        scheduled = spec.scheduler == "airflow" and kind == "glue"
        if scheduled:
            assert isinstance(timetable, CronDataIntervalTimetable), timetable
            assert timetable.expression == spec.schedule
            assert timetable.timezone == "UTC"
        else:
            assert isinstance(timetable, UnscheduledCronTimetable), timetable
            assert timetable.summary == f"{spec.schedule} (not scheduled here)"
            assert str(timetable._timezone) == "UTC"
        assert dag.catchup is spec.catchup
        assert dag.max_active_runs == spec.max_active_runs
        assert dag.start_date == dt.datetime.combine(spec.start_date, dt.time(), dt.UTC)


def test_every_task_alerts_through_sns_on_failure(dagbag):
    notifiers = []
    for dag in _dags(dagbag):
        for task in dag.tasks:
            callbacks = task.on_failure_callback
            callbacks = callbacks if isinstance(callbacks, list) else [callbacks]
            sns = [c for c in callbacks if isinstance(c, SnsNotifier)]
            assert len(sns) == 1, (dag.dag_id, task.task_id, callbacks)
            assert sns[0].aws_conn_id == config.AWS_CONN_ID
            assert "etlkit_alert_topic_arn()" in sns[0].target_arn
            notifiers.append(sns[0])
    # Rendering fills a notifier in place: no two tasks may share one.
    assert len({id(n) for n in notifiers}) == len(notifiers)


def test_doc_md_explains_the_pipeline_and_its_permissions(dagbag, specs):
    for dag in _dags(dagbag):
        spec, kind = _spec_of(dag, specs)
        doc = dag.doc_md
        assert spec.description[:40] in doc
        for step in spec.steps:
            assert f"`{step.id}`" in doc and step.s3_key in doc
        for name in spec.params:
            assert f"`{name}`" in doc
        assert "## IAM permissions" in doc
        for action in iam.actions(kind):
            assert f"`{action}`" in doc, (dag.dag_id, action)
        for variable in {
            "glue": [config.GLUE_JOB_NAME],
            "stepfunctions": [config.STATE_MACHINE_ARNS],
        }[kind]:
            assert variable in doc
        assert config.ALERT_TOPIC_ARN in doc and config.AWS_CONN_ID in doc
        assert "airflow backfill create" in doc and "airflow dags backfill" in doc


def test_parsing_does_no_io_but_reading_the_specs(tmp_path):
    """A fresh interpreter parses dags/ under an audit hook, with Variable.get and boto3
    client creation made to raise: no Variable, network, process or write, and no file read
    but the DAG folder's, the code's, the specs' and their step graphs' (no SQL file: the
    SQL is analysed when the graph file is generated, never at parse time)."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "plugins")]),
        "AIRFLOW_HOME": str(tmp_path),
    }
    report = parse_watch.watch(str(REPO / "dags"), env)
    assert report["import_errors"] == {}
    assert report["dags"] == [
        "reviews_etl_glue",
        "reviews_etl_stepfunctions",
        "tickit_etl_glue",
        "tickit_etl_stepfunctions",
    ]
    specs = {str(path) for path in (REPO / "sql").glob("*/pipeline.yaml")}
    specs |= {str(path) for path in (REPO / "sql").glob("*/pipeline.graph.json")}
    specs.add(str(REPO / "plugins" / "etlkit_core" / "pipeline.schema.json"))
    unexpected = []
    for event, what, mode in report["events"]:
        if event != "open":
            unexpected.append((event, what))
        elif any(flag in mode for flag in "wax+"):
            unexpected.append(("write", what))
        elif not (
            what.endswith((".py", ".pyc"))
            or what in specs
            or os.path.dirname(os.path.abspath(what)) == str(REPO / "dags")
        ):
            unexpected.append(("read", what))
    assert unexpected == []
    assert specs & {what for _, what, _ in report["events"]}, "the specs were not read"


def test_plugin_loader_skips_the_etlkit_package():
    """Airflow imports every .py under plugins/ as a top-level module named after the file
    (params, config, errors ...); plugins/.airflowignore keeps it out of etlkit, and the one
    plugin it finds registers etlkit's timetable."""
    from airflow._shared.plugins_manager.plugins_manager import _load_plugins_from_plugin_directory

    before = set(sys.modules)
    plugins, errors = _load_plugins_from_plugin_directory(str(REPO / "plugins"))
    assert errors == {}
    assert [plugin.name for plugin in plugins] == ["etlkit"]
    assert plugins[0].timetables == [UnscheduledCronTimetable]
    leaked = {"params", "config", "errors", "compat", "spec", "dag_factory"} & (
        set(sys.modules) - before
    )
    assert leaked == set()


@pytest.mark.parametrize("kind", ["glue", "stepfunctions"])
def test_dags_start_paused_only_by_airflow_default(dagbag, kind):
    """The DAGs leave pausing to the deployment ([core] dags_are_paused_at_creation, set
    True by infra/mwaa/mwaa-environment.yaml): one orchestrator per pipeline is a choice."""
    dag = dagbag.dags[f"reviews_etl_{kind}"]
    assert dag.is_paused_upon_creation is None
