"""The generated state machines: committed = generated, valid ASL, the shape the spec asks
for, and JSONata that computes the right values (evaluated with jsonata-python, the engine
the local AWS uses; the execution tests in test_deploy_local.py run them in Step Functions).
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest

from etlkit.spec import discover, load_spec
from infra import asl
from infra.errors import AslError

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


def test_one_glue_task_per_step_in_spec_order(spec_and_definition: tuple) -> None:
    spec, definition = spec_and_definition
    step_ids = [step.id for step in spec.steps]
    assert _chain(definition) == [asl.RESOLVE, asl.CHECK, *step_ids]
    glue_tasks = [
        name
        for name, state in definition["States"].items()
        if state.get("Resource") == asl.GLUE_RUN_SYNC
    ]
    assert glue_tasks == step_ids
    assert definition["States"][step_ids[-1]]["End"] is True
    assert definition["QueryLanguage"] == "JSONata"


def test_each_task_passes_its_file_and_exactly_its_params(spec_and_definition: tuple) -> None:
    spec, definition = spec_and_definition
    params = {"run_date": "2024-03-01", "lake_uri": "s3://b/l/", "report_uri": "s3://b/r/"}
    params |= {name: f"value_of_{name}" for name in spec.params if name not in params}
    for step in spec.steps:
        arguments = definition["States"][step.id]["Arguments"]
        assert arguments["JobName"] == "${GlueJobName}"
        assert arguments["Arguments"]["--file"] == step.s3_key
        rendered = arguments["Arguments"]["--params"]
        if step.params:
            rendered = evaluate(rendered, input={"params": params})
        assert json.loads(rendered) == {name: params[name] for name in step.params}


def test_each_task_retries_transient_errors_then_failures_and_catches_all(
    spec_and_definition: tuple,
) -> None:
    spec, definition = spec_and_definition
    for step in spec.steps:
        state = definition["States"][step.id]
        transient, failed = state["Retry"]
        assert "Glue.ConcurrentRunsExceededException" in transient["ErrorEquals"]
        assert "Glue.ThrottlingException" in transient["ErrorEquals"]
        assert "Glue.InternalServiceException" in transient["ErrorEquals"]
        assert "States.TaskFailed" not in transient["ErrorEquals"]
        assert transient["BackoffRate"] > 1 and transient["JitterStrategy"] == "FULL"
        assert failed == {
            "ErrorEquals": ["States.TaskFailed"],
            "IntervalSeconds": spec.retry_delay_minutes * 60,
            "BackoffRate": 1.0,
            "MaxAttempts": spec.retries,
        }
        assert state["TimeoutSeconds"] == spec.step_timeout_minutes * 60
        assert state["Arguments"]["Timeout"] == spec.step_timeout_minutes
        (catch,) = state["Catch"]
        assert catch["ErrorEquals"] == ["States.ALL"] and catch["Next"] == asl.NOTIFY
    notify = definition["States"][asl.NOTIFY]
    assert notify["Resource"] == asl.SNS_PUBLISH
    assert notify["Arguments"]["TopicArn"] == "${AlertTopicArn}"
    assert notify["Next"] == asl.FAILED and notify["Catch"][0]["Next"] == asl.FAILED
    assert definition["States"][asl.FAILED]["Type"] == "Fail"


def test_no_failure_retrier_when_the_spec_asks_for_no_retries(tmp_path: Path) -> None:
    spec = _throwaway_spec(tmp_path, retries=0)
    for step in spec.steps:
        (only,) = asl.build(spec)["States"][step.id]["Retry"]
        assert "States.TaskFailed" not in only["ErrorEquals"]


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
        }
    }


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
    assert "unknown input key(s) rundate" in failure["reason"]
    assert "run_date is missing" in failure["reason"]


def test_a_failed_glue_run_is_caught_alerted_and_failed_with_its_error_message() -> None:
    states = asl.build(REVIEWS)["States"]
    glue_run = {"Id": "jr_123", "JobRunState": "FAILED", "ErrorMessage": "load_reviews.sql:3: boom"}
    step_input = {"params": {"run_date": "2024-02-29"}, "runs": {"create_schema": "jr_000"}}
    error = {"Error": "States.TaskFailed", "Cause": json.dumps(glue_run)}
    caught = evaluate(
        states["load_reviews"]["Catch"][0]["Output"], input=step_input, errorOutput=error
    )
    assert caught["failure"] == {
        "step": "load_reviews",
        "file": "sql/reviews/load_reviews.sql",
        "error": "States.TaskFailed",
        "reason": "Glue run jr_123 FAILED: load_reviews.sql:3: boom",
    }

    context = {"Execution": {"Id": "arn:execution:x", "StartTime": "2024-03-01T02:00:01Z"}}
    arguments = states[asl.NOTIFY]["Arguments"]
    subject = evaluate(arguments["Subject"], input=caught, context=context)
    message = evaluate(arguments["Message"], input=caught, context=context)
    assert subject == "[etlkit] reviews_etl failed at load_reviews for 2024-02-29"
    assert "Step:      load_reviews (sql/reviews/load_reviews.sql)" in message
    assert "Run date:  2024-02-29" in message
    assert "Error:     States.TaskFailed" in message
    assert "Cause:     Glue run jr_123 FAILED: load_reviews.sql:3: boom" in message
    assert 'Glue runs: {"create_schema":"jr_000"}' in message
    assert "Execution: arn:execution:x" in message

    failed = states[asl.FAILED]
    assert evaluate(failed["Error"], input=caught) == "StepFailed"
    assert evaluate(failed["Cause"], input=caught) == (
        "load_reviews: States.TaskFailed: Glue run jr_123 FAILED: load_reviews.sql:3: boom"
    )


def test_a_timeout_keeps_its_plain_cause() -> None:
    catch = asl.build(REVIEWS)["States"]["create_schema"]["Catch"][0]["Output"]
    error = {"Error": "States.Timeout", "Cause": "The state timed out."}
    caught = evaluate(catch, input={"params": {}}, errorOutput=error)
    assert caught["failure"]["reason"] == "The state timed out."


def test_invalid_input_fails_with_its_own_error_name() -> None:
    failed = asl.build(REVIEWS)["States"][asl.FAILED]
    resolved = _resolve({})
    assert evaluate(failed["Error"], input=resolved) == "InvalidExecutionInput"
    assert evaluate(failed["Cause"], input=resolved).startswith(
        "execution input: InvalidExecutionInput: run_date is missing"
    )


def test_alert_subject_stays_within_snss_limit(tmp_path: Path) -> None:
    spec = _throwaway_spec(tmp_path, name="p" * 60, step_id="s" * 60)
    subject_field = asl.build(spec)["States"][asl.NOTIFY]["Arguments"]["Subject"]
    state_input = {"params": {"day": "2024-02-29"}, "failure": {"step": "s" * 60}}
    assert len(evaluate(subject_field, input=state_input)) == asl.SUBJECT_LIMIT


# ------------------------------------------------------------------ a second pipeline


def _throwaway_spec(
    root: Path, *, name: str = "orders_daily", step_id: str = "load_orders", retries: int = 1
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
    load = definition["States"]["load_orders"]
    assert load["TimeoutSeconds"] == 900
    assert load["Retry"][1]["IntervalSeconds"] == 120
    assert definition["States"]["report"]["Arguments"]["Arguments"]["--params"] == "{}"
    resolve = definition["States"][asl.RESOLVE]["Output"]
    assert evaluate(resolve, input={"scheduled_time": "2024-01-01T04:30:00Z", "target": "t"}) == {
        "params": {"day": "2023-12-31", "batch": 500, "target": "t"}
    }
    missing_target = evaluate(resolve, input={"day": "2024-01-01"})["failure"]["reason"]
    assert "target (identifier) is required" in missing_target
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


@pytest.mark.parametrize(
    ("param_yaml", "message"),
    [
        ("scheduled_time: {type: timestamp}", "reserved for the scheduler"),
        ("in: {type: integer, default: 1}", "JSONata keyword"),
        ("cost: {type: s3_uri, default: 's3://b/$x'}", "'$' is not allowed"),
    ],
)
def test_specs_the_machine_cannot_express_are_refused_by_field(
    tmp_path: Path, param_yaml: str, message: str
) -> None:
    directory = tmp_path / "p"
    directory.mkdir()
    (directory / "a.sql").write_text("SELECT 1;\n")
    (directory / "pipeline.yaml").write_text(
        f"name: p\nstart_date: 2024-01-01\nparams:\n  {param_yaml}\n"
        "steps:\n  - {id: a, file: a.sql}\n"
    )
    with pytest.raises(AslError, match=re.escape(message)) as raised:
        asl.build(load_spec(directory / "pipeline.yaml"))
    assert "pipeline.yaml: params." in str(raised.value)


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
