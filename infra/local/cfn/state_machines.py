"""AWS::StepFunctions::StateMachine that lands in the store whose executions really run.

moto's own model reads only DefinitionString and writes to the non-executing backend.
Here the definition comes from `Definition` (an object), `DefinitionString` or
`DefinitionS3Location` (read from local S3), with `${Name}` placeholders filled from
`DefinitionSubstitutions`, and the state machine is created in the backend that the
Step Functions API itself answers from. Ref gives the ARN; GetAtt Arn, Name and
StateMachineRevisionId (a new UUID per create/update) as documented.
https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-stepfunctions-statemachine.html
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any, ClassVar

from moto.core.common_models import CloudFormationModel
from moto.s3.models import s3_backends
from moto.stepfunctions.responses import get_backend

from infra.local.cfn.base import BackendResource, TemplateError, cfn_tags

_DEFINITION_SOURCES = ("Definition", "DefinitionString", "DefinitionS3Location")


def _substitution_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def definition_text(properties: Mapping[str, Any], account_id: str) -> str:
    """The ASL text of the properties, substitutions applied."""
    given = [key for key in _DEFINITION_SOURCES if properties.get(key) is not None]
    if len(given) != 1:
        raise TemplateError(
            f"{StateMachineResource.CFN_TYPE}: exactly one of {', '.join(_DEFINITION_SOURCES)} "
            f"is required (found: {', '.join(given) or 'none'})"
        )
    source = given[0]
    if source == "Definition":
        text = json.dumps(properties["Definition"])
    elif source == "DefinitionString":
        text = str(properties["DefinitionString"])
    else:
        location = properties["DefinitionS3Location"]
        found = s3_backends[account_id]["aws"].get_object(
            location["Bucket"], location["Key"], version_id=location.get("Version")
        )
        if found is None:
            raise TemplateError(
                f"DefinitionS3Location s3://{location['Bucket']}/{location['Key']} not found"
            )
        text = found.value.decode("utf-8")
    for name, value in (properties.get("DefinitionSubstitutions") or {}).items():
        text = text.replace("${" + name + "}", _substitution_text(value))
    return text


class StateMachineResource(BackendResource, CloudFormationModel):
    CFN_TYPE = "AWS::StepFunctions::StateMachine"
    NAME_PROPERTY = "StateMachineName"
    ATTRIBUTES: ClassVar[Mapping[str, str]] = {
        "Arn": "physical_id",
        "Name": "name",
        "StateMachineRevisionId": "revision_id",
    }

    @classmethod
    def create(
        cls, name: str, properties: Mapping[str, Any], account_id: str, region: str
    ) -> StateMachineResource:
        backend = get_backend(account_id, region)
        machine = backend.create_state_machine(
            name=name,
            definition=definition_text(properties, account_id),
            roleArn=properties.get("RoleArn", ""),
            tags=[{"key": tag["Key"], "value": tag["Value"]} for tag in cfn_tags(properties)],
            loggingConfiguration=properties.get("LoggingConfiguration"),
            tracingConfiguration=properties.get("TracingConfiguration"),
            encryptionConfiguration=properties.get("EncryptionConfiguration"),
            sm_type=properties.get("StateMachineType"),
        )
        resource = cls(machine.arn, account_id, region, properties)
        resource.name = name
        resource.revision_id = str(uuid.uuid4())
        return resource

    def update(self, new_name: str, properties: Mapping[str, Any]) -> BackendResource:
        if new_name != self.name:
            return super().update(new_name, properties)
        get_backend(self.account_id, self.region).update_state_machine(
            self.physical_id,
            definition=definition_text(properties, self.account_id),
            role_arn=properties.get("RoleArn"),
            logging_configuration=properties.get("LoggingConfiguration"),
            tracing_configuration=properties.get("TracingConfiguration"),
            encryption_configuration=properties.get("EncryptionConfiguration"),
        )
        self.revision_id = str(uuid.uuid4())
        self.properties = dict(properties)
        return self

    def remove(self) -> None:
        get_backend(self.account_id, self.region).delete_state_machine(self.physical_id)
