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
    CheckInput (Choice)    a `failure` goes straight to NotifyFailure.
    <step id> (Task) ...   one `glue:startJobRun.sync` per step, in spec order, passing
                           `--file` (the step's S3 key) and `--params` (JSON of exactly the
                           step's params); Retry with backoff and jitter on transient Glue
                           errors, a second Retry for the run itself failing (steps are
                           idempotent), TimeoutSeconds, Catch -> NotifyFailure.
    NotifyFailure (Task)   SNS publish of a readable alert (pipeline, step, run date,
                           error, cause, input to rerun with).
    PipelineFailed (Fail)  so a failed pipeline ends FAILED with the step's error.

`${GlueJobName}`, `${AlertTopicArn}` and `${DataBucket}` stay in the file for the pipeline
template's DefinitionSubstitutions: nothing account-specific is generated.

JSONata used, kept to what AWS documents and the local AWS evaluates with jsonata-python:
`$states.input/.result/.errorOutput/.context`, `:=` blocks, `? :`, `$exists`, `$not`, `in`,
`$keys`, `$filter` with a lambda, `$append`, `$count`, `$join`, `$merge`, `$string`,
`$substring`, `$toMillis`, `$fromMillis` with a picture, and Step Functions' `$parse`.
Never a bare `$` (the local evaluator rejects it, as AWS does at the top level).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from etlkit.spec import DEPLOYMENT_SETTINGS, PipelineSpec, SpecError, discover, expand_settings
from infra import REPO_ROOT
from infra.errors import AslError

SQL_ROOT = REPO_ROOT / "sql"
OUT_DIR = REPO_ROOT / "infra" / "statemachine"
ASL_SUFFIX = ".asl.json"

GLUE_RUN_SYNC = "arn:aws:states:::glue:startJobRun.sync"
SNS_PUBLISH = "arn:aws:states:::sns:publish"

# The placeholders every definition may contain; the pipeline template's
# DefinitionSubstitutions must fill each of them (tests/infra checks both sides).
PLACEHOLDERS = ("GlueJobName", "AlertTopicArn", "DataBucket")
# Spec deployment settings -> the placeholder standing for them in a definition.
SETTING_PLACEHOLDERS = {"data_bucket": "DataBucket"}

# The execution-input key EventBridge Scheduler fills (infra/templates/pipeline.yaml).
SCHEDULED_TIME = "scheduled_time"

# The errors a failed execution ends with. Error names starting "States." are reserved for
# Step Functions (Amazon States Language, "Errors"), so a step's own error (States.TaskFailed,
# States.Timeout, Glue.*) is reported in the Cause and the alert, not re-raised as is.
INVALID_INPUT = "InvalidExecutionInput"
STEP_FAILED = "StepFailed"

# A Catch's readable reason: a failed Glue run's Cause is the run as JSON, whose ErrorMessage
# is the runner's own one-line summary (file, statement, line); other causes are text.
_READABLE_CAUSE = (
    "$glue := $substring($error.Cause, 0, 1) = '{' ? $parse($error.Cause); "
    "$reason := $exists($glue.ErrorMessage) ? 'Glue run ' & $glue.Id & ' ' & "
    "$glue.JobRunState & ': ' & $glue.ErrorMessage : $error.Cause"
)

# Fixed state names are CamelCase; step ids are snake_case (spec rule), so they never clash.
RESOLVE, CHECK, NOTIFY, FAILED = "ResolveParams", "CheckInput", "NotifyFailure", "PipelineFailed"

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
# Publishing the alert is retried briefly; if it still fails the execution fails anyway.
ALERT_RETRY = {
    "ErrorEquals": ["States.TaskFailed"],
    "IntervalSeconds": 5,
    "BackoffRate": 2.0,
    "MaxAttempts": 3,
}

# SNS subjects are at most 100 ASCII characters (SNS API reference, Publish).
SUBJECT_LIMIT = 100

# Words JSONata reads as operators or literals: a param so named cannot be a path step.
_JSONATA_WORDS = frozenset({"and", "or", "in", "true", "false", "null", "function"})


def build(spec: PipelineSpec) -> dict[str, Any]:
    """The state machine definition of one pipeline, as a JSON-ready dict."""
    _check(spec)
    states: dict[str, Any] = {
        RESOLVE: _resolve_state(spec),
        CHECK: {
            "Type": "Choice",
            "Comment": "An unusable execution input is reported like a failed step.",
            "Choices": [{"Condition": "{% $exists($states.input.failure) %}", "Next": NOTIFY}],
            "Default": spec.steps[0].id,
        },
    }
    for index, step in enumerate(spec.steps):
        following = spec.steps[index + 1].id if index + 1 < len(spec.steps) else None
        states[step.id] = _step_state(spec, index, following)
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
        "Cause": (
            "{% $states.input.failure.step & ': ' & $states.input.failure.error & ': ' & "
            "$states.input.failure.reason %}"
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
    allowed = [*spec.params, SCHEDULED_TIME]
    values = ", ".join(f"{_lit(name)}: {_resolved_value(spec, name)}" for name in spec.params)
    problems = [
        f"$not($exists($params.{name})) ? {_lit(_missing_message(spec, name))}"
        for name in spec.params
        if spec.params[name].default is None
    ]
    expression = "; ".join(
        [
            "$input := $states.input",
            f"$day_before := $exists($input.{SCHEDULED_TIME}) ? "
            f"$fromMillis($toMillis($input.{SCHEDULED_TIME}) - 86400000, '[Y0001]-[M01]-[D01]')",
            f"$params := {{{values}}}",
            f"$unknown := $filter($keys($input), function($k) {{ $not($k in {_lit_list(allowed)}) }})",
            "$problems := $append($exists($unknown) ? "
            f"['unknown input key(s) ' & $join($unknown, ', ') & "
            f"{_lit('; expected ' + ', '.join(allowed))}] : [], [{', '.join(problems)}])",
            "$count($problems) = 0 ? {'params': $params} : {'params': $params, 'failure': "
            f"{{'step': 'execution input', 'error': {_lit(INVALID_INPUT)}, "
            "'reason': $join($problems, '; ')}}",
        ]
    )
    return {
        "Type": "Pass",
        "Comment": (
            "Resolves the params once: input values win, then scheduled_time minus one day "
            "for data_interval_start params, then the spec's defaults."
        ),
        "Output": "{% (" + expression + ") %}",
        "Next": CHECK,
    }


def _resolved_value(spec: PipelineSpec, name: str) -> str:
    param = spec.params[name]
    given = f"$input.{name}"
    if param.source == "data_interval_start":
        fallback = "$day_before"
    elif param.default is not None:
        fallback = _lit(_placeholder_default(spec, name))
    else:
        return given
    return f"$exists({given}) ? {given} : {fallback}"


def _missing_message(spec: PipelineSpec, name: str) -> str:
    param = spec.params[name]
    if param.source == "data_interval_start":
        return (
            f"{name} is missing: pass it (YYYY-MM-DD), or pass {SCHEDULED_TIME} "
            "(ISO 8601) to run for the UTC day before it"
        )
    return f"{name} ({param.type}) is required and has no default"


def _step_state(spec: PipelineSpec, index: int, following: str | None) -> dict[str, Any]:
    step = spec.steps[index]
    if step.params:
        fields = ", ".join(f"{_lit(name)}: $states.input.params.{name}" for name in step.params)
        params_argument = "{% $string({" + fields + "}) %}"
    else:
        params_argument = "{}"
    state: dict[str, Any] = {
        "Type": "Task",
        "Comment": step.description or f"Runs {step.s3_key}.",
        "Resource": GLUE_RUN_SYNC,
        "Arguments": {
            "JobName": "${GlueJobName}",
            "Arguments": {"--file": step.s3_key, "--params": params_argument},
            # Glue stops the run itself at the same limit, so no run outlives its state.
            "Timeout": spec.step_timeout_minutes,
        },
        "TimeoutSeconds": spec.step_timeout_minutes * 60,
        "Output": (
            "{% $merge([$states.input, {'runs': $merge([$states.input.runs, "
            f"{{{_lit(step.id)}: $states.result.Id}}])}}]) %}}"
        ),
        "Retry": [{"ErrorEquals": list(TRANSIENT_GLUE_ERRORS), **TRANSIENT_RETRY}],
        "Catch": [
            {
                "ErrorEquals": ["States.ALL"],
                "Next": NOTIFY,
                "Output": (
                    "{% ($error := $states.errorOutput; "
                    f"{_READABLE_CAUSE}; "
                    "$merge([$states.input, {'failure': {"
                    f"'step': {_lit(step.id)}, 'file': {_lit(step.s3_key)}, "
                    "'error': $error.Error, 'reason': $reason}}])) %}"
                ),
            }
        ],
    }
    if spec.retries:
        # States.TaskFailed also matches the Glue errors above, so it must come second:
        # the first retrier whose ErrorEquals matches is the one used.
        state["Retry"].append(
            {
                "ErrorEquals": ["States.TaskFailed"],
                "IntervalSeconds": spec.retry_delay_minutes * 60,
                "BackoffRate": 1.0,
                "MaxAttempts": spec.retries,
            }
        )
    if following is None:
        state["End"] = True
    else:
        state["Next"] = following
    return state


def _notify_state(spec: PipelineSpec) -> dict[str, Any]:
    date_param = next((p.name for p in spec.params.values() if p.source), None)
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
        "'Error:     ' & $failure.error",
        "'Cause:     ' & $failure.reason",
        "'Params:    ' & $string($states.input.params)",
        "'Glue runs: ' & ($exists($states.input.runs) ? $string($states.input.runs) : 'none')",
        "'Execution: ' & $states.context.Execution.Id",
        "'Started:   ' & $states.context.Execution.StartTime",
        "''",
        "'Steps are idempotent: once the cause is fixed, start the state machine again with "
        "the input ' & $string($states.input.params) & '.'",
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
        "Catch": [{"ErrorEquals": ["States.ALL"], "Next": FAILED, "Output": "{% $states.input %}"}],
        "Next": FAILED,
    }


# ------------------------------------------------------------------ checks and literals


def _check(spec: PipelineSpec) -> None:
    unmapped = set(DEPLOYMENT_SETTINGS) - set(SETTING_PLACEHOLDERS)
    if unmapped:  # a spec loader change this generator has not caught up with
        raise AslError(f"deployment setting(s) {sorted(unmapped)} have no ASL placeholder")
    for name, param in spec.params.items():
        where = f"{spec.path}: params.{name}"
        if name == SCHEDULED_TIME:
            raise AslError(f"{where}: the name is reserved for the scheduler's input key")
        if name in _JSONATA_WORDS:
            raise AslError(f"{where}: {name!r} is a JSONata keyword; rename the param")
        if isinstance(param.default, str) and "$" in param.default:
            raise AslError(
                f"{where}.default: '$' is not allowed (CloudFormation DefinitionSubstitutions "
                "would rewrite it)"
            )
    if len([p for p in spec.params.values() if p.source]) > 1:
        # The alert names one run date; two date sources would make it ambiguous.
        raise AslError(f"{spec.path}: params: at most one param may use 'from'")


def _placeholder_default(spec: PipelineSpec, name: str) -> str | int:
    default = spec.params[name].default
    assert default is not None
    placeholders = {setting: f"${{{ph}}}" for setting, ph in SETTING_PLACEHOLDERS.items()}
    return expand_settings(default, placeholders)


def _lit(value: str | int) -> str:
    """A JSONata literal. Strings are single-quoted (the expression sits inside JSON's double
    quotes); JSONata has no \\' escape, so quotes and control characters become \\uXXXX."""
    if isinstance(value, int):
        return str(value)
    out = []
    for char in value:
        if char == "\\":
            out.append("\\\\")
        elif char == "'" or ord(char) < 0x20:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return "'" + "".join(out) + "'"


def _lit_list(values: Sequence[str]) -> str:
    return "[" + ", ".join(_lit(value) for value in values) + "]"


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
