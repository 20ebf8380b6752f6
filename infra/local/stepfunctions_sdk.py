"""AWS SDK integrations (`arn:aws:states:::aws-sdk:<service>:<action>`) as Step Functions
runs them, for moto 5.2.5's interpreter.

moto hands the state's Arguments to boto3 as they are and returns boto3's answer as it is.
Step Functions does not (developer guide, "Learning to use AWS service SDK integrations"):
- the service name is the SDK's, which is not always boto3's: `cloudwatchlogs` is boto3's
  `logs` (and `sfn` its `stepfunctions`, which moto already maps);
- "Parameters in Step Functions are expressed in PascalCase, even if the native service API
  is in camelCase": GetLogEvents takes `LogGroupName`, where boto3 wants `logGroupName`;
- the result's field names come back in PascalCase too (`Events[].Message`);
- an error is `<Service>.<Error>Exception` with the service in PascalCase
  (`CloudWatchLogs.ResourceNotFoundException`).
So parameters are renamed to the operation's member names (botocore's input shape, matched
case-insensitively, with moto's own helper), the response renamed back, and the service named
as Step Functions names it.
"""

from __future__ import annotations

from typing import Any

from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
    state_task_service_aws_sdk as aws_sdk_module,
)
from moto.stepfunctions.parser.asl.utils.boto_client import boto_client_for

from infra.local.patching import Spot, apply

# Step Functions' SDK service name -> boto3's, where they differ.
BOTO_SERVICE_NAMES = {"cloudwatchlogs": "logs", "sfn": "stepfunctions"}
# Step Functions' SDK service name -> the PascalCase name its errors carry.
ERROR_SERVICE_NAMES = {"cloudwatchlogs": "CloudWatchLogs"}

SPOTS = (
    EVAL_SERVICE_TASK := Spot(
        aws_sdk_module.StateTaskServiceAwsSdk,
        "_eval_service_task",
        "e68dc9e06e6ae0ce",
        "aws-sdk integrations passed PascalCase parameters to boto3 as they were",
        "whether moto now normalises aws-sdk parameters and responses itself "
        "(_normalise_parameters/_normalise_response of StateTaskServiceAwsSdk)",
    ),
)


def _eval_service_task(
    self: Any,
    env: Any,
    resource_runtime_part: Any,
    normalised_parameters: dict,
    state_credentials: Any,
) -> None:
    sdk_service = self.resource.api_name
    client = boto_client_for(
        service=BOTO_SERVICE_NAMES.get(sdk_service, sdk_service),
        region=resource_runtime_part.region,
        state_credentials=state_credentials,
    )
    action = self._get_boto_service_action()
    operation = client.meta.service_model.operation_model(client.meta.method_to_api_mapping[action])
    parameters = dict(normalised_parameters)
    if operation.input_shape is not None:
        self._to_boto_request(parameters, operation.input_shape)
    response = getattr(client, action)(**parameters) or {}
    response.pop("ResponseMetadata", None)
    if operation.output_shape is not None:
        self._from_boto_response(response, operation.output_shape)
    env.stack.append(response)


def install() -> None:
    apply(EVAL_SERVICE_TASK, _eval_service_task)
    # A data table of moto's, extended rather than replaced.
    aws_sdk_module._SERVICE_ERROR_NAMES.update(ERROR_SERVICE_NAMES)
