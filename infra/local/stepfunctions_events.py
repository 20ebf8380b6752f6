"""Step Functions execution status changes on EventBridge, and rules that start state
machines: moto 5.2.5 has neither.

What AWS documents, and this follows (Step Functions developer guide, "Automating Step
Functions event delivery with EventBridge"; EventBridge user guide, "Targets" and "Using
dead-letter queues"):

- every STANDARD execution's status change goes to the account's default event bus as
  source `aws.states`, detail-type `Step Functions Execution Status Change`, resources
  `[executionArn]`, detail `{executionArn, stateMachineArn, name, status, startDate,
  stopDate, input, output, error, cause, redriveCount}` (dates in epoch milliseconds).
  Here the ended statuses are sent (SUCCEEDED, FAILED, TIMED_OUT, ABORTED), a redriven
  execution's again when it ends again; RUNNING is not sent;
- a rule's target that is a state machine gets StartExecution with the event (after the
  target's InputTransformer / Input / InputPath, as moto already computes for its own
  targets) as the execution input;
- a target that cannot be invoked sends the event to the target's DeadLetterConfig queue,
  with the error in the message attributes ERROR_CODE and ERROR_MESSAGE; without a queue
  the event is dropped (logged here).

The event is sent after the execution's status is final, from the thread that ran it.
"""

from __future__ import annotations

import copy
import datetime
import json
import logging
from typing import Any

from moto.events import models as events_models
from moto.stepfunctions.parser.backend import execution as execution_module
from moto.utilities.arns import parse_arn

from infra.local.patching import Spot, apply, original_of

LOG = logging.getLogger(__name__)

SOURCE = "aws.states"
DETAIL_TYPE = "Step Functions Execution Status Change"
ENDED = frozenset({"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"})

SPOTS = (
    TERMINATED := Spot(
        execution_module.BaseExecutionWorkerCommunication,
        "terminated",
        "360372a6a57bf99b",
        "an ended execution's status change is put on the default event bus",
        "that terminated() is still where the execution's final status is set",
    ),
    SEND_TO_TARGETS := Spot(
        events_models.Rule,
        "send_to_targets",
        "472e002e2dab8a59",
        "rules with state machine targets start them; a failed delivery goes to the "
        "target's dead-letter queue",
        "the targets moto now supports itself (a `states` target would raise "
        "NotImplementedError in the original) and how it transforms the input",
    ),
)


def _millis(when: datetime.datetime | None) -> int | None:
    return int(when.timestamp() * 1000) if when is not None else None


def _json_text(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def status_change_detail(execution: Any) -> dict[str, Any]:
    from infra.local import stepfunctions_redrive

    detail = {
        "executionArn": execution.exec_arn,
        "stateMachineArn": execution.state_machine.arn,
        "name": execution.name,
        "status": execution.exec_status.value,
        "startDate": _millis(execution.start_date),
        "stopDate": _millis(execution.stop_date),
        "input": _json_text(execution.input_data),
        "output": _json_text(execution.output)
        if execution.exec_status.value == "SUCCEEDED"
        else None,
        "error": execution.error,
        "cause": execution.cause,
        "redriveCount": stepfunctions_redrive.redrive_count(execution.exec_arn),
    }
    return detail


def _terminated(self: Any) -> None:
    original_of(TERMINATED)(self)
    execution = self.execution
    status = execution.exec_status.value if execution.exec_status is not None else None
    if status not in ENDED:
        return
    try:
        events = events_models.events_backends[execution.account_id][execution.region_name]
        events.put_events(
            [
                {
                    "Source": SOURCE,
                    "DetailType": DETAIL_TYPE,
                    "Detail": json.dumps(status_change_detail(execution)),
                    "Resources": [execution.exec_arn],
                }
            ]
        )
    except Exception:  # an event that cannot be sent must not change the execution
        LOG.exception("status change of %s not sent to EventBridge", execution.exec_arn)


def _send_to_targets(self: Any, original_event: Any, transform_input: bool = True) -> None:
    if not self.event_pattern.matches_event(original_event):
        return
    ours = [t for t in self.targets if parse_arn(t["Arn"]).service == "states"]
    others = [t for t in self.targets if t not in ours]
    if others:
        rest = copy.copy(self)
        rest.targets = others
        original_of(SEND_TO_TARGETS)(rest, original_event, transform_input)
    for target in ours:
        _start_state_machine(self, target, original_event)


def _target_input(target: dict[str, Any], event: Any) -> str:
    if "Input" in target:
        return str(target["Input"])
    transformer = target.get("InputTransformer", {})
    body = events_models.EventTemplateParser.parse(
        input_template=transformer.get("InputTemplate"),
        input_paths_map=transformer.get("InputPathsMap", {}),
        event=event,
    )
    return body if isinstance(body, str) else json.dumps(body, default=str)


def _start_state_machine(rule: Any, target: dict[str, Any], event: Any) -> None:
    from moto.stepfunctions.responses import get_backend

    arn = parse_arn(target["Arn"])
    try:
        backend = get_backend(arn.account, arn.region)
        execution = backend.start_execution(
            target["Arn"], execution_input=_target_input(target, event)
        )
        LOG.info("rule %s started %s", rule.name, execution.exec_arn)
    except Exception as error:
        _dead_letter(rule, target, event, error)


def _dead_letter(rule: Any, target: dict[str, Any], event: Any, error: Exception) -> None:
    queue_arn = (target.get("DeadLetterConfig") or {}).get("Arn")
    code = (
        getattr(error, "error_type", None) or getattr(error, "code", None) or type(error).__name__
    )
    LOG.warning("rule %s could not invoke %s: %s", rule.name, target["Arn"], error)
    if not queue_arn:
        return
    from moto.sqs import sqs_backends

    queue = parse_arn(queue_arn)
    sqs_backends[queue.account][queue.region].send_message(
        queue_name=queue.resource_id,
        message_body=json.dumps(event, default=str),
        message_attributes={
            "RULE_ARN": {"DataType": "String", "StringValue": rule.arn},
            "TARGET_ARN": {"DataType": "String", "StringValue": target["Arn"]},
            "ERROR_CODE": {"DataType": "String", "StringValue": str(code)},
            "ERROR_MESSAGE": {"DataType": "String", "StringValue": str(error)[:1000]},
        },
    )


def install() -> None:
    apply(TERMINATED, _terminated)
    apply(SEND_TO_TARGETS, _send_to_targets)
