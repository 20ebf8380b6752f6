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
    CheckInput (Choice)    a `failure` goes to InvalidInput (Fail); with `scheduler:
                           stepfunctions`, an input from the schedule goes to StartDatedRun.
    StartDatedRun (Task)   (`scheduler: stepfunctions` only) starts this state machine again
                           for the run date under the date's own name, `<run key>`
                           (etlkit_core.executions), and ends: StartExecution is idempotent per
                           name, so a schedule delivered twice runs the date once, and the
                           `_stepfunctions` DAG starting the same date joins that execution.
    the steps              one `glue:startJobRun.sync` Task per step, named by its id, passing
                           `--file`, `--params` (JSON of exactly the step's params),
                           `--statement_timeout`, `--pipeline` and `--step` (its OpenLineage
                           job name) and `--retries`/`--retry_delay_seconds` from the spec: the runner retries a transient failure itself
                           (sqlrunner.retrying). The Task retries only the Glue API's
                           transient errors (concurrency limit, throttling) and catches
                           nothing, so a failed run fails the execution AT its step, and
                           RedriveExecution resumes exactly there: the failed step(s) and what
                           follows run, finished ones do not. The steps run as the pipeline's
                           graph orders them: independent steps in Parallel states, every edge
                           honoured (infra.asl_layout says how).

The alert is not in this machine (a Catch leading to it would make the Fail state after it the
place a redrive resumes from). An EventBridge rule on the machine's FAILED, TIMED_OUT and
ABORTED "Step Functions Execution Status Change" events starts the notifier, one generated
definition for every pipeline (`_notifier.asl.json`, deployed by each pipeline stack):

    ReadHistory (Task)     GetExecutionHistory of the failed execution: every failed Glue run
                           with the step (state) that ran it, its file and failure class.
    ReadRunError (Choice)  a failure with a Glue run goes to FetchErrorLine, any other to the alert.
    FetchErrorLine (Task)  GetLogEvents on the run's `/aws-glue/python-jobs/error` stream: the
                           runner's own error line (file, line, statement, SQLSTATE), which
                           Glue's ErrorMessage ("Command failed with exit code N") lacks.
    PriceExecution (Task)  GetExecutionHistory with data, COST_PAGE events at a time (looped
      MoreToPrice (Choice) while there is a next page): the Glue runs' DPU-seconds and the
                           state transitions, priced by etlkit_core.pricing's rules.
    NotifyFailure (Task)   SNS publish of a readable alert: machine, execution, failed steps,
                           the runner's error, input, its cost, and the command that resumes it,
                           `aws stepfunctions redrive-execution --execution-arn <arn>`.
    AlertNotDelivered (Fail) when the alert could not be published: the notifier's own
                           failure, watched by the pipeline stack's alarm; a notifier that
                           could not even start lands in the rule's dead-letter queue.

`${GlueJobName}` and `${DataBucket}` (the notifier's `${AlertTopicArn}`) stay in the files for the pipeline
template's DefinitionSubstitutions: nothing account-specific is generated.

JSONata used, kept to what AWS documents and the local AWS evaluates with jsonata-python:
`$states.input/.result/.errorOutput/.context`, `:=` blocks, `? :`, `$exists`, `$not`, `in`,
`$keys`, `$filter` and `$map` with a lambda, a lambda that calls itself, `$split`, `$append`, `$count`, `$join`, `$merge`, `$string`,
`$substring`, `$match` and `$lookup`, `$toMillis`, `$fromMillis` with a picture, `$sum`,
`$max`, `$round`, `$formatNumber`, `$contains` with a regular expression, and Step Functions'
`$parse`. Never a bare `$` (the local evaluator rejects it, as AWS does at the top
level).
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from etlkit_core import executions, failures, pipeline_graph, pricing, run_params
from etlkit_core.graph import Graph
from etlkit_core.pipeline_graph import load_graph
from etlkit_core.run_params import literal as _lit
from etlkit_core.spec import (
    DEPLOYMENT_SETTINGS,
    SCHEDULED_TIME,
    PipelineSpec,
    SpecError,
    StepSpec,
    discover,
)
from infra import REPO_ROOT
from infra.asl_layout import Node, Series, layout, steps_of
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
GET_EXECUTION_HISTORY = "arn:aws:states:::aws-sdk:sfn:getExecutionHistory"
EXECUTION_EXISTS = "Sfn.ExecutionAlreadyExistsException"
# GetExecutionHistory's largest page, newest first: a failed step's events are the last ones.
HISTORY_PAGE = 1000
# Events per page when the notifier prices an execution. These pages carry execution data (a
# Glue run's JobRun is a TaskSucceeded event's output), and a Task's result must stay under
# Step Functions' 256 KiB payload quota: 25 events of a few KiB each leave room to spare.
COST_PAGE = 25

# The placeholders every definition may contain; the pipeline template's
# DefinitionSubstitutions must fill each of them (tests/infra checks both sides).
PLACEHOLDERS = ("GlueJobName", "DataBucket")
NOTIFIER_PLACEHOLDERS = ("AlertTopicArn",)
# The notifier's definition, one for every pipeline; its name is no pipeline's (spec names
# start with a letter).
NOTIFIER_PATH = OUT_DIR / f"_notifier{ASL_SUFFIX}"
# Spec deployment settings -> the placeholder standing for them in a definition.
SETTING_PLACEHOLDERS = {"data_bucket": "DataBucket"}

# The errors a failed execution ends with. Error names starting "States." are reserved for
# Step Functions (Amazon States Language, "Errors"), so a step's own error (States.TaskFailed,
# States.Timeout, Glue.*) is reported in the Cause and the alert, not re-raised as is.
INVALID_INPUT = "InvalidExecutionInput"
ALERT_NOT_DELIVERED = "AlertNotDelivered"

# Fixed state names are CamelCase; step ids are snake_case (spec rule), so they never clash.
# A step's inner states are named after it with a suffix no step id can have.
RESOLVE, CHECK, INVALID = "ResolveParams", "CheckInput", "InvalidInput"
START_DATED, STARTED, ALREADY_STARTED = "StartDatedRun", "DatedRunStarted", "DatedRunAlreadyStarted"
# A Parallel state running independent parts of the graph: `Parallel<n>`.
PARALLEL_PREFIX = "Parallel"
# The notifier's states.
READ_HISTORY, READ_ERROR, FETCH_ERROR = "ReadHistory", "ReadRunError", "FetchErrorLine"
PRICE, PRICE_MORE = "PriceExecution", "MoreToPrice"
NOTIFY, ALERTED, UNDELIVERED = "NotifyFailure", "Alerted", "AlertNotDelivered"

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


def build(spec: PipelineSpec, graph: Graph | None = None) -> dict[str, Any]:
    """The state machine definition of one pipeline, as a JSON-ready dict. Its steps run as
    `graph` orders them (infra.asl_layout); without one, as the pipeline's committed step
    graph says (etlkit_core.pipeline_graph)."""
    _check(spec)
    graph = graph if graph is not None else load_graph(spec)
    if set(graph.steps) != {step.id for step in spec.steps}:
        raise AslError(f"{spec.path}: the graph's steps {list(graph.steps)} are not the spec's")
    dispatch = spec.scheduler == "stepfunctions"
    steps: dict[str, Any] = {}
    first = _layout_states(spec, layout(graph), steps, None, itertools.count(1))
    choices = [{"Condition": "{% $exists($states.input.failure) %}", "Next": INVALID}]
    if dispatch:
        choices.append({"Condition": "{% $exists($states.input.scheduled) %}", "Next": START_DATED})
    states: dict[str, Any] = {
        RESOLVE: _resolve_state(spec),
        CHECK: {
            "Type": "Choice",
            "Comment": (
                "An unusable execution input fails the execution at once."
                + (" A run from the schedule starts the date's own execution." if dispatch else "")
            ),
            "Choices": choices,
            "Default": first,
        },
        INVALID: {
            "Type": "Fail",
            "Comment": "The input cannot run the pipeline; the alert quotes the reason.",
            "Error": INVALID_INPUT,
            "Cause": "{% $states.input.failure.reason %}",
        },
    }
    if dispatch:
        states.update(_dispatch_states(spec))
    states.update(steps)
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
    return render_definition(build(spec))


def render_definition(definition: dict[str, Any]) -> str:
    return json.dumps(definition, indent=2, ensure_ascii=False) + "\n"


def asl_path(spec: PipelineSpec, out_dir: Path = OUT_DIR) -> Path:
    return Path(out_dir) / f"{spec.name}{ASL_SUFFIX}"


def generate(sql_root: Path = SQL_ROOT, out_dir: Path = OUT_DIR) -> dict[Path, str]:
    """Every pipeline's definition text by the path it belongs at, and the notifier's."""
    texts = {asl_path(spec, out_dir): render(spec) for spec in discover(sql_root)}
    texts[Path(out_dir) / NOTIFIER_PATH.name] = render_definition(build_notifier())
    return texts


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
    """(Re)writes every pipeline's step graph (etlkit_core.pipeline_graph: a definition is
    built from it), then every definition, and removes those whose spec is gone; returns the
    files changed."""
    changed = pipeline_graph.write(discover(sql_root))
    expected = generate(sql_root, out_dir)
    Path(out_dir).mkdir(parents=True, exist_ok=True)
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
                }
            ],
            "Next": STARTED,
        },
        STARTED: {"Type": "Succeed", "Comment": "The date's execution runs the pipeline."},
        ALREADY_STARTED: {
            "Type": "Succeed",
            "Comment": "The date was started already (a repeated delivery, or a DAG run).",
        },
    }


def _layout_states(
    spec: PipelineSpec,
    node: Node,
    states: dict[str, Any],
    following: str | None,
    numbers: Iterator[int],
) -> str:
    """Adds the states running `node` to `states` (one scope), the last one going on to
    `following` (None: it ends the scope); returns the name of the first."""
    if isinstance(node, str):
        states[node] = _step_state(spec, _step(spec, node), following)
        return node
    if isinstance(node, Series):
        first, scopes = following, []
        for part in reversed(node.parts):  # each part needs the name of the one after it
            scope: dict[str, Any] = {}
            first = _layout_states(spec, part, scope, first, numbers)
            scopes.insert(0, scope)
        for scope in scopes:  # in the order they run, for a reader of the file
            states.update(scope)
        assert first is not None
        return first
    name = f"{PARALLEL_PREFIX}{next(numbers)}"
    branches = []
    for part in node.parts:
        branch: dict[str, Any] = {}
        start = _layout_states(spec, part, branch, None, numbers)
        branches.append({"StartAt": start, "States": branch})
    state: dict[str, Any] = {
        "Type": "Parallel",
        "Comment": "Independent steps: "
        + "; ".join(", ".join(steps_of(part)) for part in node.parts),
        "Branches": branches,
        "Output": ("{% $merge([$states.input, {'runs': $merge($states.result.runs)}]) %}"),
    }
    if following is None:
        state["End"] = True
    else:
        state["Next"] = following
    states[name] = state
    return name


def _step(spec: PipelineSpec, step_id: str) -> StepSpec:
    return next(step for step in spec.steps if step.id == step_id)


def _step_state(spec: PipelineSpec, step: StepSpec, following: str | None) -> dict[str, Any]:
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
            "Arguments": {
                "--file": step.s3_key,
                "--params": params_argument,
                # No statement outlives the step: the runner cancels it first.
                "--statement_timeout": str(spec.statement_timeout_ms),
                # the OpenLineage job `<pipeline>.<step>` (sqlrunner.lineage)
                "--pipeline": spec.name,
                "--step": step.id,
                # A transient failure is retried inside the run (sqlrunner.retrying).
                "--retries": str(spec.retries),
                "--retry_delay_seconds": str(spec.retry_delay_minutes * 60),
            },
            # Glue stops the run itself at the same limit, so no run outlives its state.
            "Timeout": spec.step_timeout_minutes,
        },
        "TimeoutSeconds": spec.step_timeout_minutes * 60,
        "Output": (
            "{% $merge([$states.input, {'runs': $merge([$states.input.runs, "
            f"{{{_lit(step.id)}: $states.result.Id}}])}}]) %}}"
        ),
        # Only the Glue API's own transient errors: a run that failed is not started again
        # here (the runner has retried what retrying can fix), and no Catch, so the
        # execution fails at this state and a redrive runs it again.
        "Retry": [{"ErrorEquals": list(TRANSIENT_GLUE_ERRORS), **TRANSIENT_RETRY}],
    }
    if following is None:
        state["End"] = True
    else:
        state["Next"] = following
    return state


# ------------------------------------------------------------------ the notifier


def build_notifier() -> dict[str, Any]:
    """The alert machine every pipeline stack deploys next to its own: started by the
    EventBridge rule on its pipeline's FAILED, TIMED_OUT and ABORTED executions with the
    "Step Functions Execution Status Change" event as input (see the module docstring)."""
    return {
        "Comment": (
            "etlkit alert: reads a failed pipeline execution and publishes what failed and "
            "how to resume it. Generated by `python -m infra.asl`; do not edit."
        ),
        "QueryLanguage": "JSONata",
        "StartAt": READ_HISTORY,
        "States": {
            READ_HISTORY: _read_history_state(),
            READ_ERROR: {
                "Type": "Choice",
                "Comment": "A failed Glue run left the runner's error line in its error stream.",
                "Choices": [
                    {
                        "Condition": "{% $exists($states.input.failures[0].run_id) %}",
                        "Next": FETCH_ERROR,
                    }
                ],
                "Default": PRICE,
            },
            FETCH_ERROR: _fetch_error_state(),
            PRICE: _price_state(),
            PRICE_MORE: {
                "Type": "Choice",
                "Comment": "The history has more pages to price.",
                "Choices": [{"Condition": "{% $exists($states.input.cost.next) %}", "Next": PRICE}],
                "Default": NOTIFY,
            },
            NOTIFY: _notify_state(),
            ALERTED: {"Type": "Succeed"},
            UNDELIVERED: {
                "Type": "Fail",
                "Comment": "The alert could not be published: this machine's alarm says so.",
                "Error": ALERT_NOT_DELIVERED,
                "Cause": (
                    "{% 'the alert was not delivered (' & $states.input.alert_error.Error & "
                    "': ' & $states.input.alert_error.Cause & ') for ' & "
                    "$states.input.event.detail.executionArn %}"
                ),
            },
        },
    }


def _read_history_state() -> dict[str, Any]:
    """The failed Glue runs of the execution, each with the state that ran it: a TaskFailed
    event's chain of previous events leads back to its TaskStateEntered, named after the
    step. Several steps may have failed at once in parallel branches."""
    run_class = failures.jsonata_class("$run.JobRunState", "$run.ErrorMessage")
    failed = (
        "($events := $states.result.Events; "
        "$byId := $merge($map($events, function($e) { {$string($e.Id): $e} })); "
        "$entered := function($id) { ($e := $lookup($byId, $string($id)); "
        "$exists($e) ? ($e.Type = 'TaskStateEntered' ? $e.StateEnteredEventDetails.Name : "
        "$entered($e.PreviousEventId))) }; "
        "$glue := $filter($events, function($e) { $e.Type = 'TaskFailed' and "
        "$e.TaskFailedEventDetails.ResourceType = 'glue' }); "
        "$failures := $append([], $map($glue, function($event) { ("
        "$cause := $event.TaskFailedEventDetails.Cause; "
        "$run := $substring($cause, 0, 1) = '{' ? $parse($cause); "
        "{'step': $entered($event.PreviousEventId), "
        "'file': $lookup($run.Arguments, '--file'), 'run_id': $run.Id, "
        "'reason': $exists($run.Id) ? 'Glue run ' & $run.Id & ' ' & $run.JobRunState & "
        "($exists($run.ErrorMessage) ? ': ' & $run.ErrorMessage : '') : "
        "$event.TaskFailedEventDetails.Error & ': ' & $cause, "
        f"'class': $exists($run.JobRunState) ? {run_class} }}) }})); "
        "{'event': $states.input, 'failures': $failures})"
    )
    return {
        "Type": "Task",
        "Comment": "The execution's history: which steps failed, and their Glue runs.",
        "Resource": GET_EXECUTION_HISTORY,
        "Arguments": {
            "ExecutionArn": "{% $states.input.detail.executionArn %}",
            "ReverseOrder": True,
            "MaxResults": HISTORY_PAGE,
            "IncludeExecutionData": False,
        },
        "Output": "{% " + failed + " %}",
        "Catch": [
            {
                "ErrorEquals": ["States.ALL"],
                "Next": NOTIFY,
                "Output": (
                    "{% {'event': $states.input, 'failures': [], 'history_error': "
                    "$states.errorOutput.Error & ': ' & $states.errorOutput.Cause} %}"
                ),
            }
        ],
        "Next": READ_ERROR,
    }


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
            "LogStreamName": "{% $states.input.failures[0].run_id %}",
            "StartFromHead": False,
            "Limit": failures.ERROR_LOG_TAIL,
        },
        "Output": "{% (" + found + "; $merge([$states.input, {'line': $line}])) %}",
        "Catch": [{"ErrorEquals": ["States.ALL"], "Next": PRICE, "Output": "{% $states.input %}"}],
        "Next": PRICE,
    }


def _price_state() -> dict[str, Any]:
    """One page of the execution's history with its data, added to the running figures the
    alert's cost line is made of (etlkit_core.pricing's rules, as the task logs price an
    execution): each Glue run's DPU-seconds from its JobRun (a TaskSucceeded event's output
    or a TaskFailed event's cause), and the states entered and Tasks scheduled, which make
    the billed state transitions. If a page cannot be read the alert says so and goes out."""
    per_run = pricing.jsonata_run_dpu_seconds("$r")
    page = (
        "$events := $states.result.Events; "
        "$glue := $filter($events, function($e) { "
        "($e.Type = 'TaskSucceeded' and $e.TaskSucceededEventDetails.ResourceType = 'glue') or "
        "($e.Type = 'TaskFailed' and $e.TaskFailedEventDetails.ResourceType = 'glue') }); "
        "$runs := $map($glue, function($e) { ($text := $e.Type = 'TaskSucceeded' ? "
        "$e.TaskSucceededEventDetails.Output : $e.TaskFailedEventDetails.Cause; "
        "$substring($text, 0, 1) = '{' ? $parse($text)) }); "
        "$was := $states.input.cost; "
        "$add := function($a, $b) { ($exists($a) ? $a : 0) + ($exists($b) ? $b : 0) }; "
        "$merge([$states.input, {'cost': {"
        "'dpu_seconds': $add($was.dpu_seconds, $sum($map($runs, function($r) { "
        + per_run
        + " }))), "
        "'entered': $add($was.entered, $count($events[$contains(Type, /StateEntered$/)])), "
        "'task_entered': $add($was.task_entered, $count($events[Type = 'TaskStateEntered'])), "
        "'scheduled': $add($was.scheduled, $count($events[Type = 'TaskScheduled'])), "
        "'next': $states.result.NextToken}}])"
    )
    arguments = (
        "$merge([{'ExecutionArn': $states.input.event.detail.executionArn, "
        f"'MaxResults': {COST_PAGE}, 'IncludeExecutionData': true}}, "
        "$exists($states.input.cost.next) ? {'NextToken': $states.input.cost.next} : {}])"
    )
    return {
        "Type": "Task",
        "Comment": "What the execution cost, from its history a page at a time.",
        "Resource": GET_EXECUTION_HISTORY,
        "Arguments": "{% " + arguments + " %}",
        "Output": "{% (" + page + ") %}",
        "Catch": [
            {
                "ErrorEquals": ["States.ALL"],
                "Next": NOTIFY,
                "Output": (
                    "{% $merge([$states.input, {'cost_error': $states.errorOutput.Error & ': ' "
                    "& $states.errorOutput.Cause}]) %}"
                ),
            }
        ],
        "Next": PRICE_MORE,
    }


def _notify_state() -> dict[str, Any]:
    detail = "$states.input.event.detail"
    machine = f"$split({detail}.stateMachineArn, ':')[-1]"
    subject = (
        f"'[etlkit] ' & {machine} & ' ' & {detail}.status & "
        "($exists($first.step) ? ' at ' & $first.step : '') & ' (' & " + f"{detail}.name & ')'"
    )
    step_line = (
        "'  ' & ($exists($f.step) ? $f.step : '?') & ($exists($f.file) ? ' (' & $f.file & ')' "
        ": '') & ': ' & $f.reason & ($exists($f.class) ? ' [' & $f.class & ']' : '')"
    )
    lines = [
        f"'Pipeline state machine ' & {machine} & ': execution ' & {detail}.name & ' ended ' "
        f"& {detail}.status & '.'",
        "''",
        "'Failed step(s):' & ($count($failures) = 0 ? ' none recorded' : '')",
        "$join($map($failures, function($f) { " + step_line + " }), '\\n')",
        "'Error:     ' & ($exists($states.input.line) ? $states.input.line : "
        f"($exists({detail}.error) ? {detail}.error & ': ' & "
        f"($exists({detail}.cause) ? {detail}.cause : '') : {detail}.status))",
        "'Input:     ' & (" + f"$exists({detail}.input) ? {detail}.input : '{{}}')",
        f"'Execution: ' & {detail}.executionArn",
        "'Cost:      ' & ($exists($states.input.cost_error) ? 'unreadable (' & "
        "$states.input.cost_error & ')' : "
        + pricing.jsonata_cost_figures(
            "$states.input.cost.dpu_seconds",
            pricing.jsonata_state_transitions(
                "$states.input.cost.entered",
                "$states.input.cost.task_entered",
                "$states.input.cost.scheduled",
            ),
        )
        + ")",
        "($exists($states.input.history_error) ? 'History:   unreadable (' & "
        "$states.input.history_error & ')' : '')",
        "''",
        "'Transient failures were retried inside the run; retrying the same run cannot fix "
        "this one. Once the cause is fixed, resume the execution: the failed step(s) and what "
        "follows run again, finished steps do not:'",
        f"'  aws stepfunctions redrive-execution --execution-arn ' & {detail}.executionArn",
    ]
    return {
        "Type": "Task",
        "Comment": "Publishes a readable alert naming the command that resumes the execution.",
        "Resource": SNS_PUBLISH,
        "Arguments": {
            "TopicArn": "${AlertTopicArn}",
            "Subject": "{% ($failures := $states.input.failures; $first := $failures[0]; "
            f"$substring({subject}, 0, {SUBJECT_LIMIT})) %}}",
            "Message": "{% ($failures := $states.input.failures; $join($filter(["
            + ", ".join(lines)
            + "], function($l) { $exists($l) }), '\\n')) %}",
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
        "Next": ALERTED,
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
