"""The Glue DAG follows the step graph: a pipeline written as SQL files and a spec without
`after:` gets tasks whose upstreams are exactly the graph's edges (two independent branches
run in parallel), Assets named as OpenLineage names the datasets each step reads and
writes (so another DAG can be scheduled on them), and each step's SQL rendered with the
run's params in Rendered Templates."""

from __future__ import annotations

import datetime as dt
import shutil
import textwrap

import pytest

from etlkit_core import pipeline_graph
from etlkit_core.spec import discover
from tests.core.branching import EDGES, STEPS, write_pipeline
from tests.dags.airflow_home import REPO
from tests.dags.conftest import interval_start, load_dagbag

DEPLOYMENT = {
    "ETLKIT_REDSHIFT_CLUSTER": "etlkit-demo",
    "ETLKIT_REDSHIFT_REGION": "eu-west-1",
    "ETLKIT_REDSHIFT_DATABASE": "dev",
    "ETLKIT_DATA_BUCKET": "acme-data",
}
ORDER_TOTALS = "redshift://etlkit-demo.eu-west-1:5439/dev.mart.order_totals"

# Another team's DAG, scheduled on a table the branching pipeline writes.
CONSUMER = f'''
from airflow.sdk import DAG
from etlkit.assets import asset

with DAG("orders_dashboard", schedule=[asset("{ORDER_TOTALS}")], start_date=None):
    pass
'''


@pytest.fixture
def bag(tmp_path, monkeypatch):
    root = tmp_path / "pipelines"
    write_pipeline(root / "branching")
    pipeline_graph.write(discover(root))
    dags = tmp_path / "dags"
    dags.mkdir()
    shutil.copy(REPO / "dags" / "etlkit_pipelines.py", dags)
    (dags / "orders_dashboard.py").write_text(textwrap.dedent(CONSUMER))
    monkeypatch.setenv("ETLKIT_PIPELINES_DIR", str(root))
    for name, value in DEPLOYMENT.items():
        monkeypatch.setenv(name, value)
    bag = load_dagbag(dags)
    assert bag.import_errors == {}
    return bag


def test_task_dependencies_are_the_graphs_edges(bag):
    dag = bag.dags["branching_glue"]
    assert {task.task_id for task in dag.tasks} == set(STEPS)
    found = {(up, task.task_id) for task in dag.tasks for up in task.upstream_task_ids}
    assert found == EDGES
    # the two loads start together: nothing is upstream of either
    assert dag.get_task("load_orders").upstream_task_ids == set()
    assert dag.get_task("load_users").upstream_task_ids == set()


def test_outlets_and_inlets_are_the_datasets_steps_write_and_read(bag):
    dag = bag.dags["branching_glue"]
    names = {
        task.task_id: ({a.name for a in task.inlets}, {a.name for a in task.outlets})
        for task in dag.tasks
    }
    assert names["order_totals"] == (
        {"redshift://etlkit-demo.eu-west-1:5439/dev.stage.orders"},
        {ORDER_TOTALS},
    )
    # the report's prefix holds a run-date folder per run: the Asset is the folder above
    assert names["report"][1] == {"s3://acme-reports/daily/"}
    assert ORDER_TOTALS in names["report"][0]
    # temporary tables and schemas are no Assets
    assert all("incoming" not in name for _, outs in names.values() for name in outs)
    order_totals = dag.get_task("order_totals").outlets[0]
    assert order_totals.uri == "redshift://etlkit-demo.eu-west-1:5439/dev/mart/order_totals"
    # one Asset per dataset and pipeline: the writer's outlet is the reader's inlet
    (read,) = (a for a in dag.get_task("report").inlets if a.name == ORDER_TOTALS)
    assert read is order_totals


def test_another_dag_can_be_scheduled_on_a_steps_outlet(bag):
    consumer = bag.dags["orders_dashboard"]
    (scheduled_on,) = consumer.timetable.asset_condition.objects
    producer = bag.dags["branching_glue"].get_task("order_totals").outlets[0]
    assert (scheduled_on.name, scheduled_on.uri) == (producer.name, producer.uri)


def test_without_a_deployment_there_are_no_assets(tmp_path, monkeypatch):
    root = tmp_path / "pipelines"
    write_pipeline(root / "branching")
    pipeline_graph.write(discover(root))
    dags = tmp_path / "dags"
    dags.mkdir()
    shutil.copy(REPO / "dags" / "etlkit_pipelines.py", dags)
    monkeypatch.setenv("ETLKIT_PIPELINES_DIR", str(root))
    for name in DEPLOYMENT:
        monkeypatch.delenv(name, raising=False)
    dag = load_dagbag(dags).dags["branching_glue"]
    assert all(not task.outlets and not task.inlets for task in dag.tasks)


def test_a_missing_graph_file_is_an_import_error_naming_the_command(tmp_path, monkeypatch):
    root = tmp_path / "pipelines"
    write_pipeline(root / "branching")
    dags = tmp_path / "dags"
    dags.mkdir()
    shutil.copy(REPO / "dags" / "etlkit_pipelines.py", dags)
    monkeypatch.setenv("ETLKIT_PIPELINES_DIR", str(root))
    (error,) = load_dagbag(dags).import_errors.values()
    assert (
        "pipeline.graph.json: file: is missing: run `python -m etlkit_core graph --write" in error
    )


def test_each_step_shows_its_sql_rendered_and_its_doc(bag, variables, render):
    task = bag.dags["branching_glue"].get_task("report")
    assert task.doc_md == "The report step.\n\nRuns `sql/branching/report.sql`."
    rendered = render(task, data_interval_start=interval_start(dt.date(2026, 11, 25)))
    assert "TO 's3://acme-reports/daily/run_date=2026-11-25/'" in rendered.sql
    assert "${run_date}" not in rendered.sql
    # what Glue runs is untouched: the file in S3 and the params as JSON
    assert rendered.script_args["--file"] == "sql/branching/report.sql"
    assert rendered.script_args["--params"] == '{"run_date": "2026-11-25"}'
    assert task.template_fields_renderers["sql"] == "sql"


def test_sql_that_cannot_be_rendered_says_why_instead_of_failing_the_task(
    bag, variables, render, tmp_path
):
    (tmp_path / "pipelines" / "branching" / "report.sql").unlink()
    task = bag.dags["branching_glue"].get_task("report")
    rendered = render(task, data_interval_start=interval_start(dt.date(2026, 11, 25)))
    assert rendered.sql.startswith("-- sql/branching/report.sql cannot be shown rendered here")


def test_edges_assets_and_sql_survive_serialization(bag):
    """What the scheduler and the UI see is the serialized DAG."""
    from airflow.serialization.serialized_objects import DagSerialization

    dag = bag.dags["branching_glue"]
    stored = DagSerialization.from_dict(DagSerialization.to_dict(dag))
    report = stored.get_task("report")
    assert report.upstream_task_ids == {"order_totals", "user_totals"}
    assert {a.name for a in report.outlets} == {"s3://acme-reports/daily/"}
    assert ORDER_TOTALS in {a.name for a in report.inlets}
    assert "sql" in report.template_fields
