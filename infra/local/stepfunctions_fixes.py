"""Four fixes that let moto 5.2.5's Step Functions interpreter run our state machines.

1. `.sync`-only integrations (`arn:aws:states:::glue:startJobRun.sync`) always failed with
   `States.Runtime: 'NoneType' object has no attribute 'interrupt_all'`: moto releases a
   task-token callback endpoint that such integrations never create. For them we run the
   sync pattern without any callback endpoint; integrations that do support
   waitForTaskToken keep moto's code. (Allowing waitForTaskToken instead would break Retry.)
   HeartbeatSeconds has no meaning without a task token and is not applied on this path.
2. DescribeExecution answered HTTP 500 when the execution output held datetimes (every
   `.sync` GetJobRun result does): the output is stored as JSON-safe data, datetimes as
   ISO-8601 strings, the way moto already encodes them inside history events.
3. StartExecution without `name` named the execution `None`, so the second unnamed start
   failed with ExecutionAlreadyExists. AWS generates a UUID; so do we.
4. Literal strings of the definition kept their JSON escapes (`"say \\"hi\\""` was stored
   with the backslashes): a string token of the ASL is a JSON string and is decoded as one.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from moto.stepfunctions.parser import models as parser_models
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
    state_task_service_callback as callback_module,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.resource import (
    ResourceCondition,
)
from moto.stepfunctions.parser.asl.parse import preprocessor as preprocessor_module
from moto.stepfunctions.parser.asl.utils.encoding import to_json_str
from moto.stepfunctions.parser.backend import execution as execution_module

from infra.local.patching import Spot, apply, original_of

SPOTS = (
    SYNC_PATTERN := Spot(
        callback_module.StateTaskServiceCallback,
        "_eval_integration_pattern",
        "3b97ada1d4cb7280",
        "`.sync` integrations without waitForTaskToken crash on a None callback endpoint",
        "whether moto now guards `callback_endpoint` itself, and that _eval_sync and "
        "_build_sync_resolver/_build_sync2_resolver keep their signatures",
    ),
    EXECUTION_OUTPUT := Spot(
        execution_module.BaseExecutionWorkerCommunication,
        "_reflect_execution_status",
        "038a396107afe59b",
        "datetimes in the execution output make DescribeExecution fail with HTTP 500",
        "how moto stores Execution.output and serialises it in describe_execution",
    ),
    UNNAMED_EXECUTION := Spot(
        parser_models.StepFunctionsParserBackend,
        "start_execution",
        "0f8d9dd57baf0c28",
        "an execution started without a name is named None",
        "whether moto now generates a name when none is given",
    ),
    STRING_LITERAL := Spot(
        preprocessor_module.Preprocessor,
        "_inner_string_of",
        "d9f476327b5bbd34",
        "literal strings of the ASL kept their JSON escape sequences",
        "whether moto now decodes string tokens (e.g. with from_string_literal)",
    ),
)


def _eval_integration_pattern(
    self: Any,
    env: Any,
    resource_runtime_part: Any,
    normalised_parameters: dict,
    state_credentials: Any,
) -> None:
    waits_for_token = ResourceCondition.WaitForTaskToken in self._supported_integration_patterns
    if waits_for_token or self.resource.condition == ResourceCondition.WaitForTaskToken:
        original_of(SYNC_PATTERN)(
            self, env, resource_runtime_part, normalised_parameters, state_credentials
        )
        return
    task_output = env.stack.pop()
    self.timeout.eval(env=env)
    timeout_seconds = env.stack.pop()
    # The sync resolvers read the submitted task's output from the stack.
    env.stack.append(task_output)
    build_resolver = (
        self._build_sync_resolver
        if self.resource.condition == ResourceCondition.Sync
        else self._build_sync2_resolver
    )
    sync_resolver = build_resolver(
        env=env,
        resource_runtime_part=resource_runtime_part,
        normalised_parameters=normalised_parameters,
        state_credentials=state_credentials,
    )
    outcome = self._eval_sync(
        env=env,
        sync_resolver=sync_resolver,
        timeout_seconds=timeout_seconds,
        callback_endpoint=None,
        heartbeat_endpoint=None,
    )
    env.stack.append(outcome)


def _reflect_execution_status(self: Any) -> None:
    original_of(EXECUTION_OUTPUT)(self)
    output = self.execution.output
    if output is not None and not isinstance(output, str):
        self.execution.output = json.loads(to_json_str(output))


def _start_execution(
    self: Any,
    state_machine_arn: str,
    name: str | None = None,
    execution_input: str | None = None,
    trace_header: str | None = None,
) -> Any:
    return original_of(UNNAMED_EXECUTION)(
        self,
        state_machine_arn,
        name=name or str(uuid.uuid4()),
        execution_input=execution_input,
        trace_header=trace_header,
    )


def _inner_string_of(parser_rule_context: Any) -> str | None:
    text = original_of(STRING_LITERAL).__func__(parser_rule_context)
    if text is None:
        return None
    raw = parser_rule_context.getText()
    if raw.startswith('"') and raw.endswith('"'):
        return json.loads(raw)
    return text


def install() -> None:
    apply(SYNC_PATTERN, _eval_integration_pattern)
    apply(EXECUTION_OUTPUT, _reflect_execution_status)
    apply(UNNAMED_EXECUTION, _start_execution)
    apply(STRING_LITERAL, staticmethod(_inner_string_of))
