"""The generated state machines: committed = generated, valid ASL, the shape the spec asks
for, and JSONata that computes the right values (evaluated with jsonata-python, the engine
the local AWS uses; the execution tests in test_deploy_local.py run them in Step Functions).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest

from etlkit_core import pipeline_graph
from etlkit_core.pipeline_graph import load_graph
from etlkit_core.spec import discover, load_spec
from infra import asl

from .conftest import evaluate, substitute, validate_asl
from .test_asl_graph import finished_before

SPECS = discover(asl.SQL_ROOT)
COMMITTED = sorted(asl.OUT_DIR.glob(f"*{asl.ASL_SUFFIX}"))


def test_committed_definitions_match_their_specs() -> None:
    assert asl.stale_files() == [], "run `python -m infra.asl` and commit the result"


def test_every_spec_has_a_committed_definition() -> None:
    assert sorted([*(asl.asl_path(spec) for spec in SPECS), asl.NOTIFIER_PATH]) == COMMITTED


@pytest.mark.parametrize("path", COMMITTED, ids=lambda path: path.name)
def test_committed_definition_passes_asl_validator(path: Path) -> None:
    done = validate_asl([path])
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("path", COMMITTED, ids=lambda path: path.name)
def test_committed_definition_with_substitutions_passes_asl_validator(
    path: Path, tmp_path: Path
) -> None:
    substituted = tmp_path / path.name
    substituted.write_text(substitute(path.read_text()))
    done = validate_asl([substituted])
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("path", COMMITTED, ids=lambda path: path.name)
def test_only_known_placeholders_remain(path: Path) -> None:
    found = set(re.findall(r"\$\{([A-Za-z0-9]+)\}", path.read_text()))
    if path == asl.NOTIFIER_PATH:
        assert found == set(asl.NOTIFIER_PLACEHOLDERS)
    else:
        assert found <= set(asl.PLACEHOLDERS) and "GlueJobName" in found


# ------------------------------------------------------------------ shape


@pytest.fixture(params=SPECS, ids=lambda spec: spec.name)
def spec_and_definition(request: pytest.FixtureRequest) -> tuple[Any, dict[str, Any]]:
    return request.param, asl.build(request.param)


def _chain(definition: dict[str, Any]) -> list[str]:
    """State names from StartAt following Next/Default (the happy path)."""
    names, current = [], definition["StartAt"]
    while current is not None:
        names.append(current)
        state = definition["States"][current]
        current = state.get("Next") or state.get("Default")
    return names


def _tasks(states: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every step Task of a definition, by step id, wherever it is nested."""
    found = {}
    for name, state in states.items():
        if state.get("Resource") == asl.GLUE_RUN_SYNC:
            found[name] = state
        for branch in state.get("Branches", []):
            found |= _tasks(branch["States"])
    return found


def _task(definition: dict[str, Any], step_id: str) -> dict[str, Any]:
    return _tasks(definition["States"])[step_id]


def test_the_committed_machines_run_their_steps_as_the_sql_graph_orders_them(
    spec_and_definition,
) -> None:
    """Every edge of the pipeline's committed step graph (derived from its SQL) is honoured:
    a step starts only when every step before it in the graph has finished."""
    spec, definition = spec_and_definition
    graph = load_graph(spec)
    before = finished_before(definition)
    assert set(before) == {step.id for step in spec.steps}
    for edge in graph.edges:
        assert edge.before in before[edge.after], edge
    assert definition["QueryLanguage"] == "JSONata"


def test_each_task_passes_its_file_exactly_its_params_a_statement_timeout_and_retries(
    spec_and_definition: tuple,
) -> None:
    spec, definition = spec_and_definition
    params = {"run_date": "2024-03-01", "lake_uri": "s3://b/l/", "report_uri": "s3://b/r/"}
    params |= {name: f"value_of_{name}" for name in spec.params if name not in params}
    for step in spec.steps:
        arguments = _task(definition, step.id)["Arguments"]
        assert arguments["JobName"] == "${GlueJobName}"
        assert arguments["Arguments"]["--file"] == step.s3_key
        rendered = arguments["Arguments"]["--params"]
        if step.params:
            rendered = evaluate(rendered, input={"params": params})
        assert json.loads(rendered) == {name: params[name] for name in step.params}
        # no statement outlives its step (contract C4)
        assert arguments["Arguments"]["--statement_timeout"] == str(spec.statement_timeout_ms)
        assert spec.statement_timeout_ms < spec.step_timeout_minutes * 60 * 1000
        # the run's OpenLineage job is <pipeline>.<step> (sqlrunner.lineage)
        assert (arguments["Arguments"]["--pipeline"], arguments["Arguments"]["--step"]) == (
            spec.name,
            step.id,
        )
        # the runner retries transient failures itself, as the spec says
        assert arguments["Arguments"]["--retries"] == str(spec.retries)
        delay = str(spec.retry_delay_minutes * 60)
        assert arguments["Arguments"]["--retry_delay_seconds"] == delay


def test_a_failed_run_fails_the_execution_at_its_step_and_only_glue_api_errors_retry(
    spec_and_definition: tuple,
) -> None:
    """No Catch on the way from a step to the end: the execution fails at the step's own
    state, which is where RedriveExecution resumes."""
    spec, definition = spec_and_definition
    for step in spec.steps:
        task = _task(definition, step.id)
        (transient,) = task["Retry"]
        assert "Glue.ConcurrentRunsExceededException" in transient["ErrorEquals"]
        assert "Glue.ThrottlingException" in transient["ErrorEquals"]
        assert "Glue.InternalServiceException" in transient["ErrorEquals"]
        assert {"States.TaskFailed", "States.ALL"}.isdisjoint(transient["ErrorEquals"])
        assert transient["BackoffRate"] > 1 and transient["JitterStrategy"] == "FULL"
        assert task["TimeoutSeconds"] == spec.step_timeout_minutes * 60
        assert task["Arguments"]["Timeout"] == spec.step_timeout_minutes
        assert "Catch" not in task
    catching = [n for n, s in definition["States"].items() if "Catch" in s]
    assert catching in ([], [asl.START_DATED])  # only ExecutionAlreadyExists, which ends well
    assert asl.NOTIFY not in definition["States"]


def test_every_glue_run_output_keeps_the_run_ids_of_the_steps_before() -> None:
    task = _task(asl.build(REVIEWS), "load_reviews")
    out = evaluate(
        task["Output"],
        input={"params": {"run_date": "2024-02-29"}, "runs": {"create_schema": "jr_0"}},
        result={"Id": "jr_1", "JobRunState": "SUCCEEDED"},
    )
    assert out == {
        "params": {"run_date": "2024-02-29"},
        "runs": {"create_schema": "jr_0", "load_reviews": "jr_1"},
    }


# ------------------------------------------------------------------ JSONata values

REVIEWS = next(spec for spec in SPECS if spec.name == "reviews_etl")


def _resolve(execution_input: dict[str, Any]) -> dict[str, Any]:
    field = asl.build(REVIEWS)["States"][asl.RESOLVE]["Output"]
    return evaluate(substitute(field), input=execution_input)


def test_scheduled_run_processes_the_utc_day_before_the_scheduled_time() -> None:
    resolved = _resolve({"scheduled_time": "2024-03-01T02:00:00Z"})
    assert resolved == {
        "params": {
            "run_date": "2024-02-29",
            "lake_uri": "s3://etlkit-data-bucket/lake/reviews/parquet/",
            "report_uri": "s3://etlkit-data-bucket/reports/helpful_reviews/",
            "min_rows": 1,
        },
        "scheduled": "2024-03-01T02:00:00Z",
    }


def test_a_run_from_the_schedule_starts_the_dates_own_execution_and_ends() -> None:
    """scheduler: stepfunctions: the schedule's execution starts `<run date>` with the date
    as input, the name and input the `_stepfunctions` DAG uses too (etlkit_core.executions)."""
    from etlkit_core import executions

    states = asl.build(REVIEWS)["States"]
    resolved = _resolve({"scheduled_time": "2024-03-01T02:00:00Z"})
    choices = states[asl.CHECK]["Choices"]
    routed = [c["Next"] for c in choices if evaluate(c["Condition"], input=resolved)]
    assert routed == [asl.START_DATED]
    start = states[asl.START_DATED]
    assert start["Resource"] == "arn:aws:states:::aws-sdk:sfn:startExecution"
    arguments = start["Arguments"]
    context = {"StateMachine": {"Id": "arn:aws:states:us-east-1:1:stateMachine:m"}}
    assert evaluate(arguments["StateMachineArn"], input=resolved, context=context).endswith(":m")
    assert evaluate(arguments["Name"], input=resolved) == "2024-02-29"
    sent = evaluate(arguments["Input"], input=resolved)
    assert sent == executions.execution_input({"run_date": "2024-02-29"})
    # a taken name ends the run at once: no retrier may match it first
    assert all(
        {"States.ALL", "States.TaskFailed"}.isdisjoint(retry["ErrorEquals"])
        for retry in start["Retry"]
    )
    assert start["Catch"][0] == {
        "ErrorEquals": ["Sfn.ExecutionAlreadyExistsException"],
        "Next": asl.ALREADY_STARTED,
        "Output": start["Catch"][0]["Output"],
    }
    assert states[asl.ALREADY_STARTED]["Type"] == states[asl.STARTED]["Type"] == "Succeed"
    # the dated execution itself runs the steps
    dated = _resolve(json.loads(sent))
    assert [c["Next"] for c in choices if evaluate(c["Condition"], input=dated)] == []
    assert states[asl.CHECK]["Default"] == "create_schema"


def test_without_a_date_param_the_schedule_keys_runs_by_their_scheduled_time(
    tmp_path: Path,
) -> None:
    from etlkit_core import executions

    directory = tmp_path / "p"
    directory.mkdir()
    (directory / "a.sql").write_text("SELECT 1;\n")
    (directory / "pipeline.yaml").write_text(
        'name: p\nschedule: "15 * * * *"\nscheduler: stepfunctions\nstart_date: 2024-01-01\n'
        "steps:\n  - {id: a, file: a.sql}\n"
    )
    states = asl.build(_loaded(directory / "pipeline.yaml"))["States"]
    resolved = evaluate(
        states[asl.RESOLVE]["Output"], input={"scheduled_time": "2024-03-01T07:15:00Z"}
    )
    name = evaluate(states[asl.START_DATED]["Arguments"]["Name"], input=resolved)
    when = dt.datetime(2024, 3, 1, 7, 15, tzinfo=dt.UTC)
    assert name == when.strftime(executions.SCHEDULED_KEY_FORMAT) == "2024-03-01T0715"
    assert evaluate(states[asl.START_DATED]["Arguments"]["Input"], input=resolved) == "{}"


def test_explicit_values_win_over_scheduled_time_and_defaults() -> None:
    resolved = _resolve(
        {"scheduled_time": "2024-03-01T02:00:00Z", "run_date": "2023-12-31", "lake_uri": "s3://x/"}
    )
    assert resolved["params"]["run_date"] == "2023-12-31"
    assert resolved["params"]["lake_uri"] == "s3://x/"
    assert "failure" not in resolved


def test_missing_run_date_and_unknown_keys_become_a_failure() -> None:
    resolved = _resolve({"rundate": "2024-01-01"})
    failure = resolved["failure"]
    assert failure["error"] == "InvalidExecutionInput"
    assert "unknown param(s) rundate" in failure["reason"]
    assert (
        "'run_date' (date) of pipeline reviews_etl comes from the data interval"
        in (failure["reason"])
    )


def test_invalid_input_fails_with_its_own_error_name() -> None:
    states = asl.build(REVIEWS)["States"]
    resolved = _resolve({})
    choices = states[asl.CHECK]["Choices"]
    assert [c["Next"] for c in choices if evaluate(c["Condition"], input=resolved)] == [asl.INVALID]
    assert states[asl.INVALID]["Error"] == "InvalidExecutionInput"
    assert evaluate(states[asl.INVALID]["Cause"], input=resolved) == (
        "param 'run_date' (date) of pipeline reviews_etl comes from the data interval, and "
        "this run has none: give run_date (YYYY-MM-DD) when starting it"
    )


# ------------------------------------------------------------------ a second pipeline


def _loaded(path: Path) -> Any:
    """A spec written by a test, with its step graph (which the definition is built from)."""
    spec = load_spec(path)
    pipeline_graph.write([spec])
    return spec


def _throwaway_spec(
    root: Path,
    *,
    name: str = "orders_daily",
    step_id: str = "load_orders",
    retries: int = 1,
    scheduler: str = "airflow",
) -> Any:
    directory = root / "sql" / "orders"
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "load.sql").write_text("-- @param day date\nSELECT '${day}';\n")
    (directory / "report.sql").write_text("SELECT 1;\n")
    (directory / "pipeline.yaml").write_text(
        textwrap.dedent(
            f"""\
            name: {name}
            schedule: "30 4 * * *"
            scheduler: {scheduler}
            start_date: 2024-01-01
            retries: {retries}
            retry_delay_minutes: 2
            step_timeout_minutes: 15
            params:
              day: {{type: date, from: data_interval_start}}
              batch: {{type: integer, default: 500}}
              target: {{type: identifier}}
            steps:
              - {{id: {step_id}, file: load.sql, params: [day, target, batch]}}
              - {{id: report, file: report.sql, after: [{step_id}]}}
            """
        )
    )
    return _loaded(directory / "pipeline.yaml")


def test_a_new_pipeline_spec_generates_a_valid_machine_without_code_changes(
    tmp_path: Path,
) -> None:
    spec = _throwaway_spec(tmp_path)
    out_dir = tmp_path / "statemachine"
    arguments = ["--sql-root", str(tmp_path / "sql"), "--out-dir", str(out_dir)]
    assert asl.main(["--check", *arguments]) == 1  # nothing generated yet
    assert asl.main(arguments) == 0
    assert asl.main(["--check", *arguments]) == 0
    path = out_dir / "orders_daily.asl.json"
    done = validate_asl([path])
    assert done.returncode == 0, done.stdout + done.stderr

    definition = json.loads(path.read_text())
    assert _chain(definition) == [asl.RESOLVE, asl.CHECK, "load_orders", "report"]
    load = _task(definition, "load_orders")
    assert load["TimeoutSeconds"] == 900
    assert load["Arguments"]["Arguments"]["--retry_delay_seconds"] == "120"
    assert _task(definition, "report")["Arguments"]["Arguments"]["--params"] == "{}"
    assert asl.START_DATED not in definition["States"]  # Airflow schedules it
    resolve = definition["States"][asl.RESOLVE]["Output"]
    assert evaluate(resolve, input={"scheduled_time": "2024-01-01T04:30:00Z", "target": "t"}) == {
        "params": {"day": "2023-12-31", "batch": 500, "target": "t"}
    }
    missing_target = evaluate(resolve, input={"day": "2024-01-01"})["failure"]["reason"]
    assert "'target' (identifier) of pipeline orders_daily has no value and no default" in (
        missing_target
    )
    step_params = evaluate(
        load["Arguments"]["Arguments"]["--params"],
        input={"params": {"day": "2023-12-31", "batch": 500, "target": "t"}},
    )
    assert json.loads(step_params) == {"day": "2023-12-31", "target": "t", "batch": 500}
    assert spec.name == "orders_daily"


def test_check_reports_an_edited_file_and_an_orphan(tmp_path: Path) -> None:
    _throwaway_spec(tmp_path)
    out_dir = tmp_path / "statemachine"
    asl.write(tmp_path / "sql", out_dir)
    (out_dir / "orders_daily.asl.json").write_text("{}\n")
    (out_dir / "gone.asl.json").write_text("{}\n")
    problems = asl.stale_files(tmp_path / "sql", out_dir)
    assert len(problems) == 2
    assert any("orders_daily.asl.json: differs" in p for p in problems)
    assert any("gone.asl.json: no sql/*/pipeline.yaml" in p for p in problems)
    asl.write(tmp_path / "sql", out_dir)
    assert asl.stale_files(tmp_path / "sql", out_dir) == []
    assert not (out_dir / "gone.asl.json").exists()


def test_defaults_with_quotes_and_backslashes_reach_the_params_unchanged(tmp_path: Path) -> None:
    directory = tmp_path / "p"
    directory.mkdir()
    (directory / "a.sql").write_text("SELECT 1;\n")
    (directory / "pipeline.yaml").write_text(
        "name: p\nstart_date: 2024-01-01\nparams:\n"
        "  note: {type: identifier, default: 'it''s \\\\ {data_bucket} \"x\"'}\n"
        "steps:\n  - {id: a, file: a.sql, params: [note]}\n"
    )
    spec = _loaded(directory / "pipeline.yaml")
    resolve = asl.build(spec)["States"][asl.RESOLVE]["Output"]
    resolved = evaluate(substitute(resolve), input={})
    assert resolved["params"]["note"] == 'it\'s \\\\ etlkit-data-bucket "x"'
