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

from etlkit_core.spec import discover, load_spec
from infra import asl

from .conftest import evaluate, substitute, validate_asl

SPECS = discover(asl.SQL_ROOT)
COMMITTED = sorted(asl.OUT_DIR.glob(f"*{asl.ASL_SUFFIX}"))


def test_committed_definitions_match_their_specs() -> None:
    assert asl.stale_files() == [], "run `python -m infra.asl` and commit the result"


def test_every_spec_has_a_committed_definition() -> None:
    assert sorted(asl.asl_path(spec) for spec in SPECS) == COMMITTED


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
    assert found <= set(asl.PLACEHOLDERS)
    assert "GlueJobName" in found and "AlertTopicArn" in found


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


def test_one_step_state_per_step_in_spec_order(spec_and_definition: tuple) -> None:
    spec, definition = spec_and_definition
    step_ids = [step.id for step in spec.steps]
    assert _chain(definition) == [asl.RESOLVE, asl.CHECK, *step_ids]
    for step_id in step_ids:
        state = definition["States"][step_id]
        assert state["Type"] == "Parallel"
        (branch,) = state["Branches"]
        assert branch["StartAt"] == step_id + asl.RUN_SUFFIX
        assert branch["States"][step_id + asl.RUN_SUFFIX]["Resource"] == asl.GLUE_RUN_SYNC
        assert branch["States"][step_id + asl.FAILED_SUFFIX]["Type"] == "Fail"
    assert definition["States"][step_ids[-1]]["End"] is True
    assert definition["QueryLanguage"] == "JSONata"


def _task(definition: dict[str, Any], step_id: str) -> dict[str, Any]:
    return definition["States"][step_id]["Branches"][0]["States"][step_id + asl.RUN_SUFFIX]


def test_each_task_passes_its_file_exactly_its_params_and_a_statement_timeout(
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


def test_glue_api_errors_are_retried_in_the_task_and_only_transient_runs_by_the_step(
    spec_and_definition: tuple,
) -> None:
    spec, definition = spec_and_definition
    for step in spec.steps:
        task = _task(definition, step.id)
        (transient,) = task["Retry"]
        assert "Glue.ConcurrentRunsExceededException" in transient["ErrorEquals"]
        assert "Glue.ThrottlingException" in transient["ErrorEquals"]
        assert "Glue.InternalServiceException" in transient["ErrorEquals"]
        assert "States.TaskFailed" not in transient["ErrorEquals"]
        assert transient["BackoffRate"] > 1 and transient["JitterStrategy"] == "FULL"
        assert task["TimeoutSeconds"] == spec.step_timeout_minutes * 60
        assert task["Arguments"]["Timeout"] == spec.step_timeout_minutes
        (caught,) = task["Catch"]
        assert caught["ErrorEquals"] == ["States.ALL"]
        assert caught["Next"] == step.id + asl.FAILED_SUFFIX

        state = definition["States"][step.id]
        # a failed run is retried only if it failed transiently; nothing else is
        assert state["Retry"] == [
            {
                "ErrorEquals": [asl.RETRYABLE_FAILURE],
                "IntervalSeconds": spec.retry_delay_minutes * 60,
                "BackoffRate": 2.0,
                "MaxAttempts": spec.retries,
            }
        ]
        (catch,) = state["Catch"]
        assert catch["ErrorEquals"] == ["States.ALL"] and catch["Next"] == asl.READ_ERROR
    notify = definition["States"][asl.NOTIFY]
    assert notify["Resource"] == asl.SNS_PUBLISH
    assert notify["Arguments"]["TopicArn"] == "${AlertTopicArn}"
    assert notify["Next"] == asl.FAILED and notify["Catch"][0]["Next"] == asl.UNDELIVERED
    assert definition["States"][asl.FAILED]["Type"] == "Fail"
    assert definition["States"][asl.UNDELIVERED]["Error"] == asl.ALERT_NOT_DELIVERED


def test_no_run_retrier_when_the_spec_asks_for_no_retries(tmp_path: Path) -> None:
    spec = _throwaway_spec(tmp_path, retries=0)
    for step in spec.steps:
        assert "Retry" not in asl.build(spec)["States"][step.id]


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
    states = asl.build(load_spec(directory / "pipeline.yaml"))["States"]
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


# What the Task of a step catches, for each way a run can end (error output as Step Functions
# gives it: a failed run's Cause is its GetJobRun result), and what the step makes of it.
def _glue_error(state: str, message: str | None = None) -> dict[str, Any]:
    run = {"Id": "jr_123", "JobRunState": state, **({"ErrorMessage": message} if message else {})}
    return {"Error": "States.TaskFailed", "Cause": json.dumps(run)}


CAUGHT = [
    (_glue_error("FAILED", "Command failed with exit code 1"), "permanent", False),
    (_glue_error("FAILED", "Command failed with exit code 2"), "bad_input", False),
    (_glue_error("FAILED", "Command failed with exit code 3"), "transient", True),
    (_glue_error("FAILED", "Command failed with exit code 137"), "transient", True),
    (_glue_error("TIMEOUT", "Job run timed out after 60 minutes"), "permanent", False),
    (_glue_error("STOPPED"), "permanent", False),
    (_glue_error("ERROR", "Internal error"), "transient", True),
    ({"Error": "States.Timeout", "Cause": "The state timed out."}, "permanent", False),
    (
        {"Error": "Glue.ConcurrentRunsExceededException", "Cause": "Concurrent runs exceeded"},
        "transient",
        False,  # the Task's own Retry spent its attempts on it already
    ),
    ({"Error": "Glue.AccessDeniedException", "Cause": "not allowed"}, "permanent", False),
]


@pytest.mark.parametrize(("error", "failure_class", "retried"), CAUGHT)
def test_a_step_classifies_what_its_task_caught_as_etlkit_failures_does(
    error: dict[str, Any], failure_class: str, retried: bool
) -> None:
    from etlkit_core import failures

    branch = asl.build(REVIEWS)["States"]["load_reviews"]["Branches"][0]["States"]
    task, failed = branch["load_reviews.run"], branch["load_reviews.failed"]
    caught = evaluate(task["Catch"][0]["Output"], input={"params": {}}, errorOutput=error)
    assert caught["class"] == failure_class and caught["retry"] is retried
    assert caught["step"] == "load_reviews" and caught["file"] == "sql/reviews/load_reviews.sql"
    assert caught["error"] == error["Error"]
    cause = json.loads(error["Cause"]) if error["Cause"].startswith("{") else None
    if cause is not None:  # the same answer as the Airflow operator's
        assert failures.classify_run(cause) == failure_class
        assert caught["run_id"] == "jr_123"
        assert caught["reason"].startswith(f"Glue run jr_123 {cause['JobRunState']}")
    else:
        assert "run_id" not in caught and caught["reason"] == error["Cause"]
    expected_error = asl.RETRYABLE_FAILURE if retried else asl.STEP_FAILURE
    assert evaluate(failed["Error"], input=caught) == expected_error
    assert json.loads(evaluate(failed["Cause"], input=caught)) == caught


def test_a_failed_run_is_alerted_with_the_runners_line_and_failed_with_its_error() -> None:
    states = asl.build(REVIEWS)["States"]
    step_input = {"params": {"run_date": "2024-02-29"}, "runs": {"create_schema": "jr_000"}}
    failure = {
        "step": "load_reviews",
        "file": "sql/reviews/load_reviews.sql",
        "error": "States.TaskFailed",
        "class": "permanent",
        "retry": False,
        "run_id": "jr_123",
        "reason": "Glue run jr_123 FAILED: Command failed with exit code 1",
    }
    context = {"State": {"RetryCount": 0}}
    caught = evaluate(
        states["load_reviews"]["Catch"][0]["Output"],
        input=step_input,
        errorOutput={"Error": asl.STEP_FAILURE, "Cause": json.dumps(failure)},
        context=context,
    )
    assert caught["failure"] == {**failure, "attempts": 1}
    assert caught["runs"] == {"create_schema": "jr_000"}
    assert evaluate(states[asl.READ_ERROR]["Choices"][0]["Condition"], input=caught) is True

    line = "sqlrunner: error: s3://b/sql/reviews/load_reviews.sql:3: statement 2: boom [SQLSTATE 42P01] (failure: permanent)"
    events = {"Events": [{"Message": "running 5 statement(s)"}, {"Message": line}]}
    fetch = states[asl.FETCH_ERROR]
    assert fetch["Resource"] == asl.GET_LOG_EVENTS
    assert evaluate(fetch["Arguments"]["LogStreamName"], input=caught) == "jr_123"
    assert fetch["Arguments"]["LogGroupName"] == "/aws-glue/python-jobs/error"
    read = evaluate(fetch["Output"], input=caught, result=events)
    assert read["failure"]["line"] == line
    # a stream without the runner's line leaves the failure as it was
    assert evaluate(fetch["Output"], input=caught, result={"Events": []}) == caught

    context = {"Execution": {"Id": "arn:execution:x", "StartTime": "2024-03-01T02:00:01Z"}}
    arguments = states[asl.NOTIFY]["Arguments"]
    subject = evaluate(arguments["Subject"], input=read, context=context)
    message = evaluate(arguments["Message"], input=read, context=context)
    assert subject == "[etlkit] reviews_etl failed at load_reviews for 2024-02-29"
    assert "Step:      load_reviews (sql/reviews/load_reviews.sql)" in message
    assert "Run date:  2024-02-29" in message
    assert f"Error:     {line}" in message
    assert "Failure:   permanent, 1 attempt(s) (not retried: retrying cannot fix it)" in message
    assert (
        "Cause:     States.TaskFailed: Glue run jr_123 FAILED: Command failed with exit code 1"
        in message
    )
    # the failed step's run too, not only those of the steps before it
    assert 'Glue runs: {"create_schema":"jr_000","load_reviews":"jr_123"}' in message
    first = {"params": read["params"], "failure": {**read["failure"], "step": "create_schema"}}
    message = evaluate(arguments["Message"], input=first, context=context)
    assert 'Glue runs: {"create_schema":"jr_123"}' in message
    no_run = {**first, "failure": {k: v for k, v in first["failure"].items() if k != "run_id"}}
    message = evaluate(arguments["Message"], input=no_run, context=context)
    assert "Glue runs: none (no Glue run had started)" in message
    assert "Execution: arn:execution:x" in message

    failed = states[asl.FAILED]
    assert evaluate(failed["Error"], input=read) == "StepFailed"
    assert evaluate(failed["Cause"], input=read) == f"load_reviews: States.TaskFailed: {line}"

    undelivered = {**read, "alert_error": {"Error": "SNS.NotFoundException", "Cause": "gone"}}
    cause = evaluate(states[asl.UNDELIVERED]["Cause"], input=undelivered)
    assert cause == (
        f"the alert was not delivered (SNS.NotFoundException: gone); the failure: "
        f"load_reviews: States.TaskFailed: {line}"
    )


def test_a_transient_failure_retried_to_the_end_says_so() -> None:
    states = asl.build(REVIEWS)["States"]
    failure = {"step": "load_reviews", "error": "States.TaskFailed", "class": "transient",
               "retry": True, "run_id": "jr_9", "reason": "Glue run jr_9 FAILED: x"}  # fmt: skip
    caught = evaluate(
        states["load_reviews"]["Catch"][0]["Output"],
        input={"params": {"run_date": "2024-02-29"}},
        errorOutput={"Error": asl.RETRYABLE_FAILURE, "Cause": json.dumps(failure)},
        context={"State": {"RetryCount": 2}},
    )
    message = evaluate(states[asl.NOTIFY]["Arguments"]["Message"], input=caught, context={})
    assert "Failure:   transient, 3 attempt(s)\n" in message


def test_a_branch_error_that_is_not_ours_is_reported_as_is() -> None:
    catch = asl.build(REVIEWS)["States"]["create_schema"]["Catch"][0]["Output"]
    error = {"Error": "States.Runtime", "Cause": "An error occurred while evaluating"}
    caught = evaluate(
        catch, input={"params": {}}, errorOutput=error, context={"State": {"RetryCount": 0}}
    )
    assert caught["failure"]["reason"] == "An error occurred while evaluating"
    assert caught["failure"]["class"] == "permanent"
    assert "run_id" not in caught["failure"]


def test_invalid_input_fails_with_its_own_error_name() -> None:
    failed = asl.build(REVIEWS)["States"][asl.FAILED]
    resolved = _resolve({})
    assert evaluate(failed["Error"], input=resolved) == "InvalidExecutionInput"
    assert evaluate(failed["Cause"], input=resolved).startswith(
        "execution input: InvalidExecutionInput: param 'run_date' (date) of pipeline reviews_etl "
        "comes from the data interval"
    )


def test_alert_subject_stays_within_snss_limit(tmp_path: Path) -> None:
    spec = _throwaway_spec(tmp_path, name="p" * 60, step_id="s" * 60)
    subject_field = asl.build(spec)["States"][asl.NOTIFY]["Arguments"]["Subject"]
    state_input = {"params": {"day": "2024-02-29"}, "failure": {"step": "s" * 60}}
    assert len(evaluate(subject_field, input=state_input)) == asl.SUBJECT_LIMIT


# ------------------------------------------------------------------ a second pipeline


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
              - {{id: report, file: report.sql}}
            """
        )
    )
    return load_spec(directory / "pipeline.yaml")


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
    assert definition["States"]["load_orders"]["Retry"][0]["IntervalSeconds"] == 120
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
    spec = load_spec(directory / "pipeline.yaml")
    resolve = asl.build(spec)["States"][asl.RESOLVE]["Output"]
    resolved = evaluate(substitute(resolve), input={})
    assert resolved["params"]["note"] == 'it\'s \\\\ etlkit-data-bucket "x"'
