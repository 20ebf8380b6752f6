"""Generates each pipeline's state machine from its spec: `infra/statemachine/<name>.asl.json`.

`python -m infra.asl` writes one file per `sql/*/pipeline.yaml`; `python -m infra.asl --check`
writes nothing and exits 1 naming every file that differs from what the specs generate (the
drift test and CI run it). The files are committed so a reviewer sees the machine a spec
change produces.

Every machine has the same shape, in JSONata (date arithmetic and alert text need no Lambda):

    ResolveParams (Pass)   the spec's params from the execution input, resolved once:
                           explicit values win; a `from: data_interval_start` param falls
                           back to the UTC day before `scheduled_time` (the time EventBridge
                           Scheduler puts in the input); defaults fill the rest, their
                           `{data_bucket}` becoming `${DataBucket}`. Unknown keys and
                           missing values are collected as a `failure` instead.
    CheckInput (Choice)    a `failure` goes straight to NotifyFailure; with `scheduler:
                           stepfunctions`, an input from the schedule goes to StartDatedRun.
    StartDatedRun (Task)   (`scheduler: stepfunctions` only) starts this state machine again
                           for the run date under the date's own name, `<run key>`
                           (etlkit_core.executions), and ends: StartExecution is idempotent per
                           name, so a schedule delivered twice runs the date once, and the
                           `_stepfunctions` DAG starting the same date joins that execution.
    <step id> (Parallel)   one per step, in spec order. Its single branch is the step's
                           `glue:startJobRun.sync` Task, passing `--file`, `--params` (JSON of
                           exactly the step's params), `--statement_timeout`, and `--pipeline`
                           and `--step` (its OpenLineage job name), retrying the
                           Glue API's transient errors (concurrency limit, throttling), and
                           catching the rest into a Fail state whose error says whether the run
                           failed transiently (etlkit_core.failures: the runner's exit code). The
                           Parallel retries that error only, as the spec's retries say; any
                           other failure goes to the alert after one attempt.
    ReadRunError (Choice)  a failure with a Glue run goes to FetchErrorLine, any other to the alert.
    FetchErrorLine (Task)  GetLogEvents on the run's `/aws-glue/python-jobs/error` stream: the
                           runner's own error line (file, line, statement, SQLSTATE), which
                           Glue's ErrorMessage ("Command failed with exit code N") lacks.
    NotifyFailure (Task)   SNS publish of a readable alert (pipeline, step, run date, the
                           runner's error, failure class and attempts, input to rerun with).
    PipelineFailed (Fail)  so a failed pipeline ends FAILED with the step's error;
    AlertNotDelivered (Fail) instead when the alert could not be published, so a lost alert
                           shows in the execution's error (and the pipeline stack's alarm).

`${GlueJobName}`, `${AlertTopicArn}` and `${DataBucket}` stay in the file for the pipeline
template's DefinitionSubstitutions: nothing account-specific is generated.

JSONata used, kept to what AWS documents and the local AWS evaluates with jsonata-python:
`$states.input/.result/.errorOutput/.context`, `:=` blocks, `? :`, `$exists`, `$not`, `in`,
`$keys`, `$filter` with a lambda, `$append`, `$count`, `$join`, `$merge`, `$string`,
`$substring`, `$match` and `$lookup`, `$toMillis`, `$fromMillis` with a picture, and Step
Functions' `$parse`. Never a bare `$` (the local evaluator rejects it, as AWS does at the top
level).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from etlkit_core import executions, failures, run_params
from etlkit_core.run_params import literal as _lit
from etlkit_core.run_params import literal_list as _lit_list
from etlkit_core.spec import (
    DEPLOYMENT_SETTINGS,
    SCHEDULED_TIME,
    PipelineSpec,
    SpecError,
    discover,
)
from infra import REPO_ROOT
from infra.errors import AslError

SQL_ROOT = REPO_ROOT / "sql"
OUT_DIR = REPO_ROOT / "infra" / "statemachine"
ASL_SUFFIX = ".asl.json"

GLUE_RUN_SYNC = "arn:aws:states:::glue:startJobRun.sync"
SNS_PUBLISH = "arn:aws:states:::sns:publish"
# AWS SDK integrations: service names and PascalCase parameters as Step Functions spells them
# (developer guide, "Learning to use AWS service SDK integrations").
GET_LOG_EVENTS = "arn:aws:states:::aws-sdk:cloudwatchlogs:getLogEvents"
START_EXECUTION = "arn:aws:states:::aws-sdk:sfn:startExecution"
EXECUTION_EXISTS = "Sfn.ExecutionAlreadyExistsException"

# The placeholders every definition may contain; the pipeline template's
# DefinitionSubstitutions must fill each of them (tests/infra checks both sides).
PLACEHOLDERS = ("GlueJobName", "AlertTopicArn", "DataBucket")
# Spec deployment settings -> the placeholder standing for them in a definition.
SETTING_PLACEHOLDERS = {"data_bucket": "DataBucket"}

# The errors a failed execution ends with. Error names starting "States." are reserved for
# Step Functions (Amazon States Language, "Errors"), so a step's own error (States.TaskFailed,
# States.Timeout, Glue.*) is reported in the Cause and the alert, not re-raised as is.
INVALID_INPUT = "InvalidExecutionInput"
STEP_FAILED = "StepFailed"
ALERT_NOT_DELIVERED = "AlertNotDelivered"
# What a step's branch fails with: its run failed transiently (retried), or anything else.
RETRYABLE_FAILURE = "etlkit.RetryableFailure"
STEP_FAILURE = "etlkit.StepFailure"

# Fixed state names are CamelCase; step ids are snake_case (spec rule), so they never clash.
# A step's inner states are named after it with a suffix no step id can have.
RESOLVE, CHECK, NOTIFY, FAILED = "ResolveParams", "CheckInput", "NotifyFailure", "PipelineFailed"
START_DATED, STARTED, ALREADY_STARTED = "StartDatedRun", "DatedRunStarted", "DatedRunAlreadyStarted"
READ_ERROR, FETCH_ERROR, UNDELIVERED = "ReadRunError", "FetchErrorLine", "AlertNotDelivered"
RUN_SUFFIX, FAILED_SUFFIX = ".run", ".failed"

# Errors of the Glue integration after which the same run request can simply be repeated:
# Step Functions names a service error "Glue.<exception name>" (Step Functions developer
# guide, "Error handling": errors from integrated services); the exception names are the
# StartJobRun/GetJobRun errors of the Glue API reference ("Exceptions"). Throttling reaches
# Step Functions as ThrottlingException or, from its Java SDK, as the generic AWSGlueException.
TRANSIENT_GLUE_ERRORS = (
    "Glue.ConcurrentRunsExceededException",
    "Glue.ThrottlingException",
    "Glue.InternalServiceException",
    "Glue.OperationTimeoutException",
    "Glue.AWSGlueException",
)
TRANSIENT_RETRY = {
    "IntervalSeconds": 15,
    "BackoffRate": 2.0,
    "MaxAttempts": 6,
    "MaxDelaySeconds": 300,
    "JitterStrategy": "FULL",
}
# A transient failure of the run is retried after retry_delay_minutes, doubling each time:
# the delays Airflow's retry_exponential_backoff gives the `_glue` DAG's tasks.
RUN_RETRY_BACKOFF = 2.0
# Publishing the alert is retried briefly; if it still fails the execution says so.
ALERT_RETRY = {
    "ErrorEquals": ["States.TaskFailed"],
    "IntervalSeconds": 5,
    "BackoffRate": 2.0,
    "MaxAttempts": 3,
}
# Starting the date's execution: throttling and service errors are retried briefly (named:
# States.TaskFailed would match ExecutionAlreadyExists too, the answer that ends the run).
START_RETRY = {
    "ErrorEquals": ["Sfn.ThrottlingException", "Sfn.SfnException"],
    "IntervalSeconds": 5,
    "BackoffRate": 2.0,
    "MaxAttempts": 3,
}

# SNS subjects are at most 100 ASCII characters (SNS API reference, Publish).
SUBJECT_LIMIT = 100

# The failure in one line: `<step>: <error>: <the runner's line, or the reason>`.
_FAILURE_TEXT = (
    "$states.input.failure.step & ': ' & $states.input.failure.error & ': ' & "
    "($exists($states.input.failure.line) ? $states.input.failure.line : "
    "$states.input.failure.reason)"
)


def build(spec: PipelineSpec) -> dict[str, Any]:
    """The state machine definition of one pipeline, as a JSON-ready dict."""
    _check(spec)
    dispatch = spec.scheduler == "stepfunctions"
    choices = [{"Condition": "{% $exists($states.input.failure) %}", "Next": NOTIFY}]
    if dispatch:
        choices.append({"Condition": "{% $exists($states.input.scheduled) %}", "Next": START_DATED})
    states: dict[str, Any] = {
        RESOLVE: _resolve_state(spec),
        CHECK: {
            "Type": "Choice",
            "Comment": (
                "An unusable execution input is reported like a failed step."
                + (" A run from the schedule starts the date's own execution." if dispatch else "")
            ),
            "Choices": choices,
            "Default": spec.steps[0].id,
        },
    }
    if dispatch:
        states.update(_dispatch_states(spec))
    for index, step in enumerate(spec.steps):
        following = spec.steps[index + 1].id if index + 1 < len(spec.steps) else None
        states[step.id] = _step_state(spec, index, following)
    states[READ_ERROR] = {
        "Type": "Choice",
        "Comment": "A failed Glue run left the runner's error line in its error log stream.",
        "Choices": [
            {"Condition": "{% $exists($states.input.failure.run_id) %}", "Next": FETCH_ERROR}
        ],
        "Default": NOTIFY,
    }
    states[FETCH_ERROR] = _fetch_error_state()
    states[NOTIFY] = _notify_state(spec)
    states[FAILED] = {
        "Type": "Fail",
        "Comment": (
            "Ends the execution FAILED. Error names starting 'States.' are reserved, so the "
            "step's own error goes into the Cause."
        ),
        "Error": (
            f"{{% $states.input.failure.error = {_lit(INVALID_INPUT)} ? {_lit(INVALID_INPUT)} "
            f": {_lit(STEP_FAILED)} %}}"
        ),
        "Cause": "{% " + _FAILURE_TEXT + " %}",
    }
    states[UNDELIVERED] = {
        "Type": "Fail",
        "Comment": "The alert could not be published: the execution's error says so.",
        "Error": ALERT_NOT_DELIVERED,
        "Cause": (
            "{% 'the alert was not delivered (' & $states.input.alert_error.Error & ': ' & "
            "$states.input.alert_error.Cause & '); the failure: ' & " + _FAILURE_TEXT + " %}"
        ),
    }
    return {
        "Comment": (
            f"{spec.name}: generated from {_relative(spec.path)} by `python -m infra.asl`; "
            "do not edit."
        ),
        "QueryLanguage": "JSONata",
        "StartAt": RESOLVE,
        "States": states,
    }


def render(spec: PipelineSpec) -> str:
    """The definition as committed: 2-space JSON, key order as built, final newline."""
    return json.dumps(build(spec), indent=2, ensure_ascii=False) + "\n"


def asl_path(spec: PipelineSpec, out_dir: Path = OUT_DIR) -> Path:
    return Path(out_dir) / f"{spec.name}{ASL_SUFFIX}"


def generate(sql_root: Path = SQL_ROOT, out_dir: Path = OUT_DIR) -> dict[Path, str]:
    """Every pipeline's definition text by the path it belongs at."""
    return {asl_path(spec, out_dir): render(spec) for spec in discover(sql_root)}


def stale_files(sql_root: Path = SQL_ROOT, out_dir: Path = OUT_DIR) -> list[str]:
    """What `--check` reports: definitions that differ, are missing, or have no spec."""
    expected = generate(sql_root, out_dir)
    problems = [
        f"{_relative(path)}: {'differs from' if path.exists() else 'missing; generate it from'} "
        f"its spec"
        for path, text in expected.items()
        if not path.exists() or path.read_text(encoding="utf-8") != text
    ]
    problems += [
        f"{_relative(path)}: no sql/*/pipeline.yaml generates it any more"
        for path in sorted(Path(out_dir).glob(f"*{ASL_SUFFIX}"))
        if path not in expected
    ]
    return problems


def write(sql_root: Path = SQL_ROOT, out_dir: Path = OUT_DIR) -> list[Path]:
    """(Re)writes every definition and removes those whose spec is gone; returns the changed."""
    expected = generate(sql_root, out_dir)
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    changed = []
    for path, text in expected.items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    for path in sorted(Path(out_dir).glob(f"*{ASL_SUFFIX}")):
        if path not in expected:
            path.unlink()
            changed.append(path)
    return changed


# ------------------------------------------------------------------ states


def _resolve_state(spec: PipelineSpec) -> dict[str, Any]:
    """The params resolved by etlkit_core.run_params' rule, written as JSONata by it."""
    placeholders = {setting: f"${{{ph}}}" for setting, ph in SETTING_PLACEHOLDERS.items()}
    params = run_params.jsonata_params(spec, "$input", "$day_before", placeholders)
    problems = run_params.jsonata_problems(spec, "$input", "$params", [SCHEDULED_TIME])
    resolved = "{'params': $params}"
    if spec.scheduler == "stepfunctions":
        resolved = (
            f"$merge([{resolved}, $exists($input.{SCHEDULED_TIME}) ? "
            f"{{'scheduled': $input.{SCHEDULED_TIME}}} : {{}}])"
        )
    expression = "; ".join(
        [
            "$input := $states.input",
            f"$day_before := $exists($input.{SCHEDULED_TIME}) ? "
            f"$fromMillis($toMillis($input.{SCHEDULED_TIME}) - 86400000, '[Y0001]-[M01]-[D01]')",
            f"$params := {params}",
            f"$problems := {problems}",
            f"$count($problems) = 0 ? {resolved} : {{'params': $params, 'failure': "
            f"{{'step': 'execution input', 'error': {_lit(INVALID_INPUT)}, "
            "'reason': $join($problems, '; ')}}",
        ]
    )
    return {
        "Type": "Pass",
        "Comment": (
            "Resolves the params once (etlkit_core.run_params): input values that are not null "
            "or empty win, then scheduled_time minus one day for data_interval_start params, "
            "then the spec's defaults."
        ),
        "Output": "{% (" + expression + ") %}",
        "Next": CHECK,
    }


def _dispatch_states(spec: PipelineSpec) -> dict[str, Any]:
    """StartDatedRun and its two ends (see the module docstring)."""
    date_param = spec.date_param
    if date_param is not None:
        key = f"$states.input.params.{date_param}"
        dated_input = f"$string({{{_lit(date_param)}: {key}}})"
    else:
        picture = _lit(executions.SCHEDULED_KEY_PICTURE)
        key = f"$fromMillis($toMillis($states.input.scheduled), {picture})"
        dated_input = "'{}'"
    return {
        START_DATED: {
            "Type": "Task",
            "Comment": (
                "Starts this state machine for the run date under the date's own name; a "
                "second delivery of the schedule finds that name taken and ends here."
            ),
            "Resource": START_EXECUTION,
            "Arguments": {
                "StateMachineArn": "{% $states.context.StateMachine.Id %}",
                "Name": "{% " + key + " %}",
                "Input": "{% " + dated_input + " %}",
            },
            "Output": "{% {'started': $states.result.ExecutionArn} %}",
            "Retry": [START_RETRY],
            "Catch": [
                {
                    "ErrorEquals": [EXECUTION_EXISTS],
                    "Next": ALREADY_STARTED,
                    "Output": "{% {'already_started': " + key + "} %}",
                },
                {
                    "ErrorEquals": ["States.ALL"],
                    "Next": NOTIFY,
                    "Output": (
                        "{% $merge([$states.input, {'failure': {'step': "
                        f"{_lit(START_DATED)}, 'error': $states.errorOutput.Error, "
                        "'reason': $states.errorOutput.Cause}}]) %}"
                    ),
                },
            ],
            "Next": STARTED,
        },
        STARTED: {"Type": "Succeed", "Comment": "The date's execution runs the pipeline."},
        ALREADY_STARTED: {
            "Type": "Succeed",
            "Comment": "The date was started already (a repeated delivery, or a DAG run).",
        },
    }


def _step_state(spec: PipelineSpec, index: int, following: str | None) -> dict[str, Any]:
    step = spec.steps[index]
    run, failed = step.id + RUN_SUFFIX, step.id + FAILED_SUFFIX
    if step.params:
        fields = ", ".join(f"{_lit(name)}: $states.input.params.{name}" for name in step.params)
        params_argument = "{% $string({" + fields + "}) %}"
    else:
        params_argument = "{}"
    task: dict[str, Any] = {
        "Type": "Task",
        "Comment": step.description or f"Runs {step.s3_key}.",
        "Resource": GLUE_RUN_SYNC,
        "Arguments": {
            "JobName": "${GlueJobName}",
            "Arguments": {
                "--file": step.s3_key,
                "--params": params_argument,
                # No statement outlives the step: the runner cancels it first.
                "--statement_timeout": str(spec.statement_timeout_ms),
                # the OpenLineage job `<pipeline>.<step>` (sqlrunner.lineage)
                "--pipeline": spec.name,
                "--step": step.id,
            },
            # Glue stops the run itself at the same limit, so no run outlives its state.
            "Timeout": spec.step_timeout_minutes,
        },
        "TimeoutSeconds": spec.step_timeout_minutes * 60,
        "Output": "{% {'run': $states.result.Id} %}",
        "Retry": [{"ErrorEquals": list(TRANSIENT_GLUE_ERRORS), **TRANSIENT_RETRY}],
        "Catch": [
            {
                "ErrorEquals": ["States.ALL"],
                "Next": failed,
                "Output": "{% " + _caught_failure(step.id, step.s3_key) + " %}",
            }
        ],
        "End": True,
    }
    state: dict[str, Any] = {
        "Type": "Parallel",
        "Comment": (
            f"{step.id}: one Glue run of {step.s3_key}; a run that failed transiently is run "
            "again as the spec's retries say, any other failure goes to the alert at once."
        ),
        "Branches": [
            {
                "StartAt": run,
                "States": {
                    run: task,
                    failed: {
                        "Type": "Fail",
                        "Comment": "Carries the failure to the step: retried or alerted.",
                        "Error": (
                            "{% $states.input.retry ? "
                            f"{_lit(RETRYABLE_FAILURE)} : {_lit(STEP_FAILURE)} %}}"
                        ),
                        "Cause": "{% $string($states.input) %}",
                    },
                },
            }
        ],
        "Output": (
            "{% $merge([$states.input, {'runs': $merge([$states.input.runs, "
            f"{{{_lit(step.id)}: $states.result[0].run}}])}}]) %}}"
        ),
        "Catch": [
            {
                "ErrorEquals": ["States.ALL"],
                "Next": READ_ERROR,
                "Output": (
                    "{% ($error := $states.errorOutput; "
                    f"$ours := $error.Error in [{_lit(RETRYABLE_FAILURE)}, {_lit(STEP_FAILURE)}]; "
                    "$failure := $ours ? $parse($error.Cause) : {'step': "
                    + _lit(step.id)
                    + ", 'file': "
                    + _lit(step.s3_key)
                    + ", 'error': $error.Error, 'class': "
                    + _lit(failures.PERMANENT)
                    + ", 'reason': $error.Cause}; "
                    "$merge([$states.input, {'failure': $merge([$failure, "
                    "{'attempts': $states.context.State.RetryCount + 1}])}])) %}"
                ),
            }
        ],
    }
    if spec.retries:
        state["Retry"] = [
            {
                "ErrorEquals": [RETRYABLE_FAILURE],
                "IntervalSeconds": spec.retry_delay_minutes * 60,
                "BackoffRate": RUN_RETRY_BACKOFF,
                "MaxAttempts": spec.retries,
            }
        ]
    if following is None:
        state["End"] = True
    else:
        state["Next"] = following
    return state


def _caught_failure(step_id: str, file: str) -> str:
    """A step's failure, from what its Task caught: the Glue run if the Cause is one (Step
    Functions puts the failed run's GetJobRun result there), its class by etlkit_core.failures,
    and whether retrying may help. A Glue API error that outlived the Task's own Retry
    (TRANSIENT_GLUE_ERRORS) is transient but not retried again."""
    run_class = failures.jsonata_class("$glue.JobRunState", "$glue.ErrorMessage")
    return (
        "($error := $states.errorOutput; "
        "$glue := $substring($error.Cause, 0, 1) = '{' ? $parse($error.Cause); "
        "$ran := $error.Error = 'States.TaskFailed' and $exists($glue.JobRunState); "
        f"$class := $ran ? {run_class} : ($error.Error in {_lit_list(TRANSIENT_GLUE_ERRORS)} "
        f"? {_lit(failures.TRANSIENT)} : {_lit(failures.PERMANENT)}); "
        f"{{'step': {_lit(step_id)}, 'file': {_lit(file)}, 'error': $error.Error, "
        f"'class': $class, 'retry': $ran and $class = {_lit(failures.TRANSIENT)}, "
        "'run_id': $ran ? $glue.Id, "
        "'reason': $ran ? 'Glue run ' & $glue.Id & ' ' & $glue.JobRunState & "
        "($exists($glue.ErrorMessage) ? ': ' & $glue.ErrorMessage : '') : $error.Cause})"
    )


def _fetch_error_state() -> dict[str, Any]:
    prefix = failures.ERROR_LINE_PREFIX
    found = (
        "$line := $filter($states.result.Events, function($e) { "
        f"$substring($e.Message, 0, {len(prefix)}) = {_lit(prefix)} }})[-1].Message"
    )
    return {
        "Type": "Task",
        "Comment": (
            "The runner's last stderr line is its error (file, line, statement, SQLSTATE); "
            "Glue's ErrorMessage only has the exit code. If it cannot be read, the alert "
            "goes out with what is known."
        ),
        "Resource": GET_LOG_EVENTS,
        "Arguments": {
            "LogGroupName": failures.ERROR_LOG_GROUP,
            "LogStreamName": "{% $states.input.failure.run_id %}",
            "StartFromHead": False,
            "Limit": failures.ERROR_LOG_TAIL,
        },
        "Output": (
            "{% (" + found + "; $exists($line) ? $merge([$states.input, {'failure': "
            "$merge([$states.input.failure, {'line': $line}])}]) : $states.input) %}"
        ),
        "Catch": [{"ErrorEquals": ["States.ALL"], "Next": NOTIFY, "Output": "{% $states.input %}"}],
        "Next": NOTIFY,
    }


def _notify_state(spec: PipelineSpec) -> dict[str, Any]:
    date_param = spec.date_param
    run_date = f"$states.input.params.{date_param}" if date_param else None
    subject = f"'[etlkit] {spec.name} failed at ' & $failure.step" + (
        f" & ($exists({run_date}) ? ' for ' & {run_date} : '')" if run_date else ""
    )
    lines = [
        _lit(f"Pipeline {spec.name} failed."),
        "''",
        "'Step:      ' & $failure.step & ($exists($failure.file) ? ' (' & $failure.file & ')' : '')",
    ]
    if run_date:
        lines.append(f"'Run date:  ' & ($exists({run_date}) ? {run_date} : 'unknown')")
    lines += [
        "'Error:     ' & ($exists($failure.line) ? $failure.line : $failure.reason)",
        "'Failure:   ' & ($exists($failure.class) ? $failure.class & ', ' : '') & "
        "($exists($failure.attempts) ? $string($failure.attempts) & ' attempt(s)' : "
        "'before any step ran') & ($failure.class = "
        + _lit(failures.TRANSIENT)
        + " ? '' : ' (not retried: retrying cannot fix it)')",
        "'Cause:     ' & $failure.error & ': ' & $failure.reason",
        "'Params:    ' & $string($states.input.params)",
        # the steps' runs, the failed step's included (its run is in the failure, not in runs)
        "'Glue runs: ' & ($runs := $merge([($exists($states.input.runs) ? $states.input.runs "
        ": {}), ($exists($failure.run_id) ? {$failure.step: $failure.run_id} : {})]); "
        "$count($keys($runs)) > 0 ? $string($runs) : 'none (no Glue run had started)')",
        "'Execution: ' & $states.context.Execution.Id",
        "'Started:   ' & $states.context.Execution.StartTime",
        "''",
        "'Steps are idempotent: once the cause is fixed, start the state machine again with "
        "the input ' & $string($states.input.params) & ' (the execution name "
        "<date>_rerun_<anything> marks a rerun).'",
    ]
    return {
        "Type": "Task",
        "Comment": "Publishes a readable alert, then the execution fails.",
        "Resource": SNS_PUBLISH,
        "Arguments": {
            "TopicArn": "${AlertTopicArn}",
            "Subject": "{% ($failure := $states.input.failure; $substring("
            + subject
            + f", 0, {SUBJECT_LIMIT})) %}}",
            "Message": "{% ($failure := $states.input.failure; $join(["
            + ", ".join(lines)
            + "], '\\n')) %}",
        },
        "Output": "{% $states.input %}",
        "Retry": [ALERT_RETRY],
        "Catch": [
            {
                "ErrorEquals": ["States.ALL"],
                "Next": UNDELIVERED,
                "Output": "{% $merge([$states.input, {'alert_error': $states.errorOutput}]) %}",
            }
        ],
        "Next": FAILED,
    }


# ------------------------------------------------------------------ checks and literals


def _check(spec: PipelineSpec) -> None:
    unmapped = set(DEPLOYMENT_SETTINGS) - set(SETTING_PLACEHOLDERS)
    if unmapped:  # a spec loader change this generator has not caught up with
        raise AslError(f"deployment setting(s) {sorted(unmapped)} have no ASL placeholder")


def _relative(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


# ------------------------------------------------------------------ CLI


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infra.asl",
        description="Generate infra/statemachine/<pipeline>.asl.json from sql/*/pipeline.yaml.",
    )
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if any file is out of date"
    )
    parser.add_argument("--sql-root", type=Path, default=SQL_ROOT, help=argparse.SUPPRESS)
    parser.add_argument("--out-dir", type=Path, default=OUT_DIR, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        if args.check:
            problems = stale_files(args.sql_root, args.out_dir)
            for problem in problems:
                print(problem, file=sys.stderr)
            if problems:
                print("run `python -m infra.asl` and commit the result", file=sys.stderr)
            return 1 if problems else 0
        for path in write(args.sql_root, args.out_dir):
            print(f"wrote {_relative(path)}" if path.exists() else f"removed {_relative(path)}")
        return 0
    except (SpecError, AslError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
