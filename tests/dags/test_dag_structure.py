"""The DAGs follow their spec: one Glue task per step in spec order on the shared job, the
arguments each step gets for a scheduled run and for a manual run with Params, and the
state machine's input and execution name. A pipeline added as files only gets both DAGs."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import textwrap

import pytest
from airflow.providers.amazon.aws.operators.glue import GlueJobOperator
from airflow.providers.amazon.aws.operators.step_function import (
    StepFunctionStartExecutionOperator,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from etlkit.errors import RunParamError, SettingError
from etlkit_core import executions, pipeline_graph
from etlkit_core.spec import discover
from tests.dags.airflow_home import REPO
from tests.dags.conftest import VARIABLES, interval_start, load_dagbag

NOV_25 = interval_start(dt.date(2026, 11, 25))


def test_glue_dag_runs_the_steps_as_their_sql_orders_them(dagbag, specs):
    """The reviews steps: the load reads the Spectrum table create_schema defines, the unload
    reads the table both write (pipeline.graph.json, from the SQL)."""
    spec = specs["reviews_etl"]
    dag = dagbag.dags["reviews_etl_glue"]
    assert sorted(task.task_id for task in dag.tasks) == sorted(step.id for step in spec.steps)
    upstream = {task.task_id: task.upstream_task_ids for task in dag.tasks}
    assert upstream == {
        "create_schema": set(),
        "load_reviews": {"create_schema"},
        "unload_helpful_reviews": {"create_schema", "load_reviews"},
    }


def test_glue_tasks_run_the_shared_job_deferred_and_never_create_one(dagbag, specs):
    spec = specs["reviews_etl"]
    for step in spec.steps:
        task = dagbag.dags["reviews_etl_glue"].get_task(step.id)
        assert isinstance(task, GlueJobOperator)
        assert task.job_name == "{{ etlkit_glue_job_name() }}"
        assert task.script_args["--file"] == step.s3_key
        # No script to upload, no job definition to create or update.
        assert task.script_location is None
        assert task.create_job_kwargs is None
        assert task.update_config is False
        assert task.run_job_kwargs == {"Timeout": spec.step_timeout_minutes}
        assert (task.deferrable, task.verbose, task.stop_job_run_on_kill) == (True, True, True)
        assert task.wait_for_completion is True
        assert task.aws_conn_id == "aws_default"
        assert task.waiter_delay * task.waiter_max_attempts >= spec.step_timeout_minutes * 60


def test_scheduled_run_renders_the_data_interval_date(dagbag, variables, render):
    dag = dagbag.dags["reviews_etl_glue"]
    got = {task.task_id: render(task, data_interval_start=NOV_25).script_args for task in dag.tasks}
    timeout = "3540000"  # the step's 60 minutes less a minute, in ms
    assert got == {
        "create_schema": {
            "--file": "sql/reviews/create_schema.sql",
            "--params": json.dumps({"lake_uri": "s3://acme-data/lake/reviews/parquet/"}),
            "--statement_timeout": timeout,
            "--pipeline": "reviews_etl",
            "--step": "create_schema",
            "--retries": "2",
            "--retry_delay_seconds": "300",
        },
        "load_reviews": {
            "--file": "sql/reviews/load_reviews.sql",
            "--params": json.dumps({"run_date": "2026-11-25", "min_rows": 1}),
            "--statement_timeout": timeout,
            "--pipeline": "reviews_etl",
            "--step": "load_reviews",
            "--retries": "2",
            "--retry_delay_seconds": "300",
        },
        "unload_helpful_reviews": {
            "--file": "sql/reviews/unload_helpful_reviews.sql",
            "--params": json.dumps(
                {"run_date": "2026-11-25", "report_uri": "s3://acme-data/reports/helpful_reviews/"}
            ),
            "--statement_timeout": timeout,
            "--pipeline": "reviews_etl",
            "--step": "unload_helpful_reviews",
            "--retries": "2",
            "--retry_delay_seconds": "300",
        },
    }
    job = render(dag.get_task("load_reviews"), data_interval_start=NOV_25).job_name
    assert job == VARIABLES["AIRFLOW_VAR_ETLKIT_GLUE_JOB_NAME"]


def test_data_interval_start_is_read_in_utc(dagbag, variables, render):
    task = dagbag.dags["reviews_etl_glue"].get_task("load_reviews")
    # 01:30 on the 26th in UTC+5 is 20:30 on the 25th in UTC.
    start = dt.datetime(2026, 11, 26, 1, 30, tzinfo=dt.timezone(dt.timedelta(hours=5)))
    assert render(task, data_interval_start=start).script_args["--params"] == json.dumps(
        {"run_date": "2026-11-25", "min_rows": 1}
    )


def test_manual_run_params_win(dagbag, variables, render):
    task = dagbag.dags["reviews_etl_glue"].get_task("unload_helpful_reviews")
    rendered = render(
        task,
        params={"run_date": "2015-06-01", "report_uri": "s3://other-bucket/adhoc/"},
        data_interval_start=NOV_25,
        run_id="manual__2026-11-26T10:00:00+00:00",
    )
    assert json.loads(rendered.script_args["--params"]) == {
        "run_date": "2015-06-01",
        "report_uri": "s3://other-bucket/adhoc/",
    }
    assert rendered.job_name == VARIABLES["AIRFLOW_VAR_ETLKIT_GLUE_JOB_NAME"]


def test_empty_form_fields_fall_back(dagbag, variables, render):
    task = dagbag.dags["reviews_etl_glue"].get_task("load_reviews")
    rendered = render(task, params={"run_date": ""}, data_interval_start=NOV_25)
    assert json.loads(rendered.script_args["--params"]) == {"run_date": "2026-11-25", "min_rows": 1}


def test_params_form_offers_every_spec_param(dagbag, specs):
    dag = dagbag.dags["reviews_etl_glue"]
    params = dag.params
    assert set(params) == set(specs["reviews_etl"].params)
    assert params.get_param("run_date").schema["format"] == "date"
    assert all(params[name] is None for name in params)
    params.get_param("run_date").resolve("2026-11-25")
    with pytest.raises(Exception, match=r"does not match|is not a 'date'"):
        params.get_param("run_date").resolve("25/11/2026")


def test_params_form_survives_serialization_and_copies_share_its_schema(dagbag):
    """Airflow deep-copies the DAG's Params per task (and per __init__ level); the copies
    share the schema, which keeps DAG parse time down. The serialized DAG (what the UI's
    trigger form reads) holds the same schema as a plain dict, refusing the same values."""
    import copy

    from airflow.serialization.definitions.param import SerializedParam
    from airflow.serialization.serialized_objects import DagSerialization

    dag = dagbag.dags["reviews_etl_glue"]
    param = dag.params.get_param("run_date")
    copied = copy.deepcopy(dag.params).get_param("run_date")
    assert copied is not param
    assert copied.schema is param.schema
    task = dag.get_task("load_reviews")
    assert task.params.get_param("run_date").schema is param.schema
    stored = DagSerialization.from_dict(DagSerialization.to_dict(dag)).params
    schema = stored.get_param("run_date").schema
    assert type(schema) is dict
    assert schema == dict(param.schema)
    assert schema["title"] == "run_date"
    assert SerializedParam("2026-11-25", **schema).resolve(raises=True) == "2026-11-25"
    with pytest.raises(Exception, match=r"does not match|is not a 'date'"):
        SerializedParam("25/11/2026", **schema).resolve(raises=True)


def test_state_machine_task_names_the_execution_after_the_run_date(dagbag, variables, render):
    """The name the schedule's StartDatedRun gives the date's execution, and the input it
    sends: a DAG run of a date the schedule started joins that execution (etlkit_core.executions)."""
    dag = dagbag.dags["reviews_etl_stepfunctions"]
    assert [task.task_id for task in dag.tasks] == ["run_state_machine"]
    task = dag.get_task("run_state_machine")
    assert isinstance(task, StepFunctionStartExecutionOperator)
    assert task.deferrable is True
    rendered = render(task, data_interval_start=NOV_25, try_number=2)
    # only what the run was given and its date: the machine fills in its own defaults
    assert rendered.state_machine_input == '{"run_date":"2026-11-25"}'
    assert rendered.state_machine_arn.endswith(":stateMachine:etlkit-reviews_etl")
    assert rendered.name == "2026-11-25"
    prefix = executions.rerun_prefix("2026-11-25", "scheduled__2026-11-25T02:00:00+00:00")
    assert rendered.rerun_name == f"{prefix}_t2"
    assert re.fullmatch(r"2026-11-25_rerun_[0-9a-f]{8}_t2", rendered.rerun_name)

    manual = render(
        task,
        params={"run_date": "2015-06-01", "min_rows": 0},
        data_interval_start=NOV_25,
        run_id="manual__2026-11-26T10:00:00+00:00",
    )
    assert manual.name == "2015-06-01"
    assert json.loads(manual.state_machine_input) == {"run_date": "2015-06-01", "min_rows": 0}


def test_missing_variable_names_it(dagbag, variables, monkeypatch, render):
    monkeypatch.delenv("AIRFLOW_VAR_ETLKIT_DATA_BUCKET")
    task = dagbag.dags["reviews_etl_glue"].get_task("create_schema")
    with pytest.raises(
        SettingError, match=r"'etlkit_data_bucket' is not set.*AIRFLOW_VAR_ETLKIT_DATA_BUCKET"
    ):
        render(task, data_interval_start=NOV_25)
    monkeypatch.delenv("AIRFLOW_VAR_ETLKIT_GLUE_JOB_NAME")
    with pytest.raises(SettingError, match="'etlkit_glue_job_name' is not set"):
        render(task, params={"lake_uri": "s3://given/x/"}, data_interval_start=NOV_25)


@pytest.mark.parametrize(
    "arns, problem",
    [
        ("not json", "is not JSON"),
        ('["arn:aws:states:x"]', "must be a JSON object"),
        (
            '{"other_etl": "arn:aws:states:x"}',
            "no state machine ARN for pipeline 'reviews_etl' "
            r"\(it has: other_etl\)",
        ),
    ],
)
def test_state_machine_arns_variable_errors(dagbag, variables, monkeypatch, render, arns, problem):
    monkeypatch.setenv("AIRFLOW_VAR_ETLKIT_STATE_MACHINE_ARNS", arns)
    task = dagbag.dags["reviews_etl_stepfunctions"].get_task("run_state_machine")
    with pytest.raises(SettingError, match=problem):
        render(task, data_interval_start=NOV_25)


def test_unknown_param_is_refused(dagbag, variables, render):
    task = dagbag.dags["reviews_etl_glue"].get_task("load_reviews")
    with pytest.raises(RunParamError, match=r"unknown param.*rundate.*takes: run_date, lake_uri"):
        render(task, params={"rundate": "2026-11-25"}, data_interval_start=NOV_25)


_NAME_OK = re.compile(r"^[0-9A-Za-z_-]{1,80}$")


@given(run_id=st.text(min_size=1, max_size=250), try_number=st.integers(1, 10_000))
@settings(max_examples=300, deadline=None)
def test_execution_names_are_valid(run_id, try_number):
    for name in (
        executions.unkeyed_name(run_id, try_number),
        executions.rerun_name(executions.rerun_prefix("2026-11-25", run_id), try_number),
        executions.rerun_name(executions.rerun_prefix("2026-11-25T0215", run_id), try_number),
    ):
        assert _NAME_OK.match(name), name
        assert len(name) <= executions.NAME_MAX
    assert executions.unkeyed_name(run_id, try_number).endswith(f"_try{try_number}")


@given(
    st.lists(st.text(min_size=1, max_size=120), min_size=2, max_size=20, unique=True),
    st.integers(1, 50),
)
@settings(max_examples=200, deadline=None)
def test_execution_names_are_unique_per_run_and_try(run_ids, try_number):
    for name_of in (
        executions.unkeyed_name,
        lambda run_id, n: executions.rerun_name(executions.rerun_prefix("2026-11-25", run_id), n),
    ):
        names = {name_of(run_id, n) for run_id in run_ids for n in (try_number, try_number + 1)}
        assert len(names) == 2 * len(run_ids)


def test_readable_run_ids_stay_readable():
    assert executions.unkeyed_name("manual_rerun-1", 1) == "manual_rerun-1_try1"
    scheduled = executions.unkeyed_name("scheduled__2026-11-25T02:00:00+00:00", 3)
    assert scheduled.startswith("scheduled__2026-11-25T02_00_00_00_00_")
    assert scheduled.endswith("_try3")


SECOND_SPEC = """
name: orders_etl
description: Loads the orders of one customer segment. Written by a test only.
owner: orders-team
tags: [orders]
schedule: null
start_date: 2026-01-01
retries: 1
retry_delay_minutes: 1
params:
  batch_size: {type: integer, description: Rows per batch.}
  target_table: {type: identifier, default: staging.orders}
steps:
  - id: stage_orders
    file: stage.sql
    params: [batch_size, target_table]
  - id: publish_orders
    file: publish.sql
    params: [target_table]
    after: [stage_orders]
"""


@pytest.fixture
def second_pipeline(tmp_path, monkeypatch):
    root = tmp_path / "pipelines"
    (root / "orders").mkdir(parents=True)
    (root / "orders" / "pipeline.yaml").write_text(textwrap.dedent(SECOND_SPEC))
    (root / "orders" / "stage.sql").write_text(
        "-- @param batch_size integer\n-- @param target_table identifier\nSELECT ${batch_size}"
    )
    (root / "orders" / "publish.sql").write_text("-- @param target_table identifier\nSELECT 1")
    pipeline_graph.write(discover(root))
    dags = tmp_path / "dags"
    dags.mkdir()
    shutil.copy(REPO / "dags" / "etlkit_pipelines.py", dags)
    monkeypatch.setenv("ETLKIT_PIPELINES_DIR", str(root))
    return load_dagbag(dags)


def test_a_new_spec_gets_both_dags_without_code(second_pipeline, variables, render, monkeypatch):
    bag = second_pipeline
    monkeypatch.setenv(
        "AIRFLOW_VAR_ETLKIT_STATE_MACHINE_ARNS",
        '{"orders_etl": "arn:aws:states:eu-west-1:123456789012:stateMachine:etlkit-orders_etl"}',
    )
    assert bag.import_errors == {}
    assert set(bag.dags) == {"orders_etl_glue", "orders_etl_stepfunctions"}
    glue = bag.dags["orders_etl_glue"]
    assert glue.get_task("publish_orders").upstream_task_ids == {"stage_orders"}
    assert type(glue.timetable).__name__ == "NullTimetable"  # manual runs only
    assert "orders" in glue.tags and glue.default_args["owner"] == "orders-team"
    stage = glue.get_task("stage_orders")
    assert stage.retries == 1
    with pytest.raises(
        RunParamError, match="'batch_size' \\(integer\\) of pipeline orders_etl has no value"
    ):
        render(stage, run_id="manual__2026-11-26T00:00:00+00:00")
    rendered = render(stage, params={"batch_size": 500}, run_id="manual__2026-11-26T00:00:00+00:00")
    assert rendered.script_args == {
        "--file": "sql/orders/stage.sql",
        "--params": json.dumps({"batch_size": 500, "target_table": "staging.orders"}),
        "--statement_timeout": str((60 * 60 - 60) * 1000),
        "--pipeline": "orders_etl",
        "--step": "stage_orders",
        "--retries": "1",
        "--retry_delay_seconds": "60",
    }
    machine = bag.dags["orders_etl_stepfunctions"].get_task("run_state_machine")
    assert "orders_etl" in machine.doc_md or "state machine" in machine.doc_md
    # no date param and no schedule: every run and try is its own execution
    started = render(
        machine,
        params={"batch_size": 5},
        run_id="manual__2026-11-26T00:00:00+00:00",
        try_number=2,
    )
    assert started.name == started.rerun_name == "manual__2026-11-26T00_00_00_00_00_4eb7d67f7a_try2"
    assert started.state_machine_input == '{"batch_size":5}'


@pytest.mark.parametrize(
    "task_id, trigger_name",
    [
        ("reviews_etl_glue.load_reviews", "GlueRunTrigger"),
        ("reviews_etl_stepfunctions.run_state_machine", "ExecutionTrigger"),
    ],
)
def test_tasks_defer_with_the_delayed_first_look_triggers(dagbag, task_id, trigger_name):
    from airflow.providers.amazon.aws.triggers.glue import GlueJobCompleteTrigger
    from airflow.providers.amazon.aws.triggers.step_function import (
        StepFunctionsExecutionCompleteTrigger,
    )
    from airflow.sdk.exceptions import TaskDeferred

    dag_id, _, name = task_id.partition(".")
    task = dagbag.dags[dag_id].get_task(name)
    provider = (
        GlueJobCompleteTrigger(job_name="j", run_id="jr_1", verbose=True, waiter_delay=30)
        if trigger_name == "GlueRunTrigger"
        else StepFunctionsExecutionCompleteTrigger(execution_arn="arn:x", waiter_delay=30)
    )
    with pytest.raises(TaskDeferred) as deferred:
        task.defer(trigger=provider, method_name="execute_complete", timeout=None)
    path, arguments = deferred.value.trigger.serialize()
    assert path == f"etlkit.triggers.{trigger_name}"
    assert arguments == provider.serialize()[1]
    assert deferred.value.method_name == "execute_complete"


@pytest.mark.parametrize(
    "waiter_delay, trigger_id, first_look",
    [
        (1, None, 1),  # `airflow dags test`: the trigger runs in the task's process
        (1, 7, 15),  # a triggerer: no first look before the deferring process was seen to exit
        (30, 7, 30),
    ],
)
def test_a_triggerer_takes_its_first_look_after_the_deferral_has_settled(
    waiter_delay, trigger_id, first_look
):
    from etlkit.triggers import GlueRunTrigger

    trigger = GlueRunTrigger(job_name="j", run_id="jr_1", verbose=True, waiter_delay=waiter_delay)
    trigger.trigger_id = trigger_id
    assert trigger.first_look_seconds() == first_look
