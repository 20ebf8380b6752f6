"""Create-or-update of one CloudFormation stack, waiting for it and explaining failures.

`aws cloudformation deploy` does the same through change sets; here it is a few calls on
boto3 so the local AWS and real AWS take the same path and a failure reads as the stack's
own failed events (`<logical id> (<type>): <reason>`) instead of a waiter timeout.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from botocore.exceptions import ClientError, WaiterError

from infra.errors import DeployError, StackError

LOG = logging.getLogger("infra.deploy")

# Redshift takes 10-20 minutes to create; a waiter gives up after Delay * MaxAttempts.
WAITER_CONFIG = {"Delay": 10, "MaxAttempts": 720}
CAPABILITIES = ["CAPABILITY_IAM"]

# CloudFormation's answer to an update that changes nothing (UpdateStack API reference).
_NO_UPDATES = "No updates are to be performed"
# A first create that rolled back leaves a stack that can only be deleted.
_DEAD_AFTER_FAILED_CREATE = "ROLLBACK_COMPLETE"
_STABLE = {
    "CREATE_COMPLETE",
    "UPDATE_COMPLETE",
    "UPDATE_ROLLBACK_COMPLETE",
    "IMPORT_COMPLETE",
    "IMPORT_ROLLBACK_COMPLETE",
}


@dataclass(frozen=True)
class Template:
    """A template file and the parameters it declares (name -> has a default)."""

    path: Path
    body: str
    parameters: Mapping[str, bool]

    @classmethod
    def load(cls, path: Path) -> Template:
        body = Path(path).read_text(encoding="utf-8")
        try:
            document = yaml.load(body, Loader=_TemplateLoader)  # noqa: S506 - safe loader subclass
        except yaml.YAMLError as exc:
            raise DeployError(f"{path}: not valid YAML ({exc})") from None
        declared = (document or {}).get("Parameters") or {}
        return cls(
            path=Path(path),
            body=body,
            parameters={name: "Default" in spec for name, spec in declared.items()},
        )


class _TemplateLoader(yaml.SafeLoader):
    """SafeLoader that reads CloudFormation's short-form tags (!Ref, !Sub ...) as plain
    values: only the Parameters section is looked at, and it holds none."""


_TemplateLoader.add_multi_constructor("!", lambda loader, suffix, node: None)


def deploy_stack(
    cloudformation: Any,
    *,
    name: str,
    template: Template,
    parameters: Mapping[str, str],
    termination_protection: bool = False,
) -> dict[str, str]:
    """Create the stack or update it to `template`; return its outputs once complete."""
    missing = sorted(
        p
        for p, has_default in template.parameters.items()
        if not has_default and p not in parameters
    )
    if missing:
        raise DeployError(
            f"stack {name} ({template.path.name}) needs parameter(s) {', '.join(missing)}"
        )
    unknown = sorted(set(parameters) - set(template.parameters))
    if unknown:
        raise DeployError(f"{template.path.name} declares no parameter(s) {', '.join(unknown)}")
    arguments = {
        "StackName": name,
        "TemplateBody": template.body,
        "Parameters": [
            {"ParameterKey": key, "ParameterValue": str(value)}
            for key, value in sorted(parameters.items())
        ],
        "Capabilities": CAPABILITIES,
    }
    status = stack_status(cloudformation, name)
    if status == _DEAD_AFTER_FAILED_CREATE:
        LOG.warning(
            "stack %s is %s after a failed first create: deleting it to start over", name, status
        )
        try:
            cloudformation.delete_stack(StackName=name)
        except ClientError as exc:
            raise DeployError(f"stack {name}: cannot delete the failed stack: {exc}") from None
        _wait(cloudformation, "stack_delete_complete", name)
        status = None
    elif status is not None and status not in _STABLE:
        raise DeployError(f"stack {name} is {status}; wait until it settles, then deploy again")

    if status is None:
        LOG.info("creating stack %s from %s", name, template.path.name)
        try:
            cloudformation.create_stack(
                **arguments, EnableTerminationProtection=termination_protection
            )
        except ClientError as exc:
            raise DeployError(f"stack {name}: {exc}") from None
        _wait(cloudformation, "stack_create_complete", name)
    else:
        LOG.info("updating stack %s from %s", name, template.path.name)
        try:
            cloudformation.update_stack(**arguments)
        except ClientError as exc:
            if _NO_UPDATES not in str(exc):
                raise DeployError(f"stack {name}: {exc}") from None
            LOG.info("stack %s is up to date", name)
        else:
            _wait(cloudformation, "stack_update_complete", name)
    return stack_outputs(cloudformation, name)


def stack_status(cloudformation: Any, name: str) -> str | None:
    """The stack's status, or None if no such (live) stack exists."""
    try:
        stacks = cloudformation.describe_stacks(StackName=name)["Stacks"]
    except ClientError as exc:
        if "does not exist" in str(exc):
            return None
        raise DeployError(f"stack {name}: {exc}") from None
    status = stacks[0]["StackStatus"] if stacks else None
    return None if status == "DELETE_COMPLETE" else status


def stack_outputs(cloudformation: Any, name: str) -> dict[str, str]:
    stack = cloudformation.describe_stacks(StackName=name)["Stacks"][0]
    return {output["OutputKey"]: output["OutputValue"] for output in stack.get("Outputs", [])}


def failure_reasons(cloudformation: Any, name: str) -> list[str]:
    """The failed events of the stack's latest operation, oldest first."""
    reasons = []
    paginator = cloudformation.get_paginator("describe_stack_events")
    for page in paginator.paginate(StackName=name):
        for event in page["StackEvents"]:  # newest first
            status = event.get("ResourceStatus", "")
            is_stack = event.get("LogicalResourceId") == name
            if is_stack and status in ("CREATE_IN_PROGRESS", "UPDATE_IN_PROGRESS"):
                return list(reversed(reasons))  # the operation's first event
            if status.endswith("_FAILED") and event.get("ResourceStatusReason"):
                reasons.append(
                    f"{event['LogicalResourceId']} ({event.get('ResourceType', '?')}): "
                    f"{event['ResourceStatusReason']}"
                )
    return list(reversed(reasons))


def _wait(cloudformation: Any, waiter_name: str, name: str) -> None:
    try:
        cloudformation.get_waiter(waiter_name).wait(StackName=name, WaiterConfig=WAITER_CONFIG)
    except WaiterError:
        status = stack_status(cloudformation, name) or "DELETE_COMPLETE"
        raise StackError(name, status, failure_reasons(cloudformation, name)) from None
