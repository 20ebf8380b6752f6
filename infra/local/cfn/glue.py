"""AWS::Glue::Job, ::Connection and ::Database, created in moto's Glue backend.

Ref gives the name of each (none of them has GetAtt attributes).
https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-glue-job.html
https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-glue-connection.html
https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-glue-database.html
A job updates in place through the same overwrite as the UpdateJob API (jobs keep their
runs); connections and databases update their input in place.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.glue.models import glue_backends

from infra.local.cfn.base import BackendResource, TemplateError, required
from infra.local.glue_runs import JOB_UPDATE_FIELDS, overwrite_job

# Template values arrive as strings when they come from String parameters.
_INTEGER_FIELDS = ("MaxRetries", "AllocatedCapacity", "Timeout", "NumberOfWorkers")


def _backend(account_id: str, region: str) -> Any:
    return glue_backends[account_id][region]


def job_definition(properties: Mapping[str, Any]) -> dict[str, Any]:
    """The Job properties as a JobUpdate-shaped mapping with API types."""
    definition = {key: properties.get(key) for key in JOB_UPDATE_FIELDS}
    for key in _INTEGER_FIELDS:
        if definition[key] is not None:
            definition[key] = int(definition[key])
    if definition["MaxCapacity"] is not None:
        definition["MaxCapacity"] = float(definition["MaxCapacity"])
    execution_property = dict(definition["ExecutionProperty"] or {})
    if "MaxConcurrentRuns" in execution_property:
        execution_property["MaxConcurrentRuns"] = int(execution_property["MaxConcurrentRuns"])
    definition["ExecutionProperty"] = execution_property
    if definition["DefaultArguments"] is not None:
        definition["DefaultArguments"] = {
            key: str(value) for key, value in definition["DefaultArguments"].items()
        }
    return definition


class GlueJobResource(BackendResource, CloudFormationModel):
    CFN_TYPE = "AWS::Glue::Job"
    NAME_PROPERTY = "Name"

    @classmethod
    def create(
        cls, name: str, properties: Mapping[str, Any], account_id: str, region: str
    ) -> GlueJobResource:
        required(properties, "Role", cls.CFN_TYPE)
        required(properties, "Command", cls.CFN_TYPE)
        backend = _backend(account_id, region)
        if name in backend.jobs:
            raise TemplateError(f"{cls.CFN_TYPE}: a job named {name} already exists")
        definition = job_definition(properties)
        backend.create_job(
            name=name,
            role=definition["Role"],
            command=definition["Command"],
            description=definition["Description"],
            log_uri=definition["LogUri"],
            execution_property=definition["ExecutionProperty"],
            default_arguments=definition["DefaultArguments"],
            non_overridable_arguments=definition["NonOverridableArguments"],
            connections=definition["Connections"],
            max_retries=definition["MaxRetries"],
            allocated_capacity=definition["AllocatedCapacity"],
            timeout=definition["Timeout"],
            max_capacity=definition["MaxCapacity"],
            security_configuration=definition["SecurityConfiguration"],
            tags=properties.get("Tags") or {},
            notification_property=definition["NotificationProperty"],
            glue_version=definition["GlueVersion"],
            number_of_workers=definition["NumberOfWorkers"],
            worker_type=definition["WorkerType"],
            code_gen_configuration_nodes=definition["CodeGenConfigurationNodes"],
            execution_class=definition["ExecutionClass"],
            source_control_details=definition["SourceControlDetails"],
        )
        return cls(name, account_id, region, properties)

    def update(self, new_name: str, properties: Mapping[str, Any]) -> BackendResource:
        if new_name != self.physical_id:
            return super().update(new_name, properties)
        overwrite_job(
            _backend(self.account_id, self.region).get_job(self.physical_id),
            job_definition(properties),
        )
        self.properties = dict(properties)
        return self

    def remove(self) -> None:
        _backend(self.account_id, self.region).delete_job(self.physical_id)


class GlueConnectionResource(BackendResource, CloudFormationModel):
    CFN_TYPE = "AWS::Glue::Connection"

    @classmethod
    def create(
        cls, name: str, properties: Mapping[str, Any], account_id: str, region: str
    ) -> GlueConnectionResource:
        catalog_id = str(required(properties, "CatalogId", cls.CFN_TYPE))
        connection_input = dict(required(properties, "ConnectionInput", cls.CFN_TYPE))
        connection_input.setdefault("Name", name)
        backend = _backend(account_id, region)
        if connection_input["Name"] in backend.connections:
            raise TemplateError(f"{cls.CFN_TYPE}: {connection_input['Name']} already exists")
        backend.create_connection(catalog_id, connection_input, tags={})
        return cls(connection_input["Name"], account_id, region, properties)

    def remove(self) -> None:
        # moto has no DeleteConnection; its store is a plain dict by name.
        _backend(self.account_id, self.region).connections.pop(self.physical_id, None)


class GlueDatabaseResource(BackendResource, CloudFormationModel):
    CFN_TYPE = "AWS::Glue::Database"

    @classmethod
    def create(
        cls, name: str, properties: Mapping[str, Any], account_id: str, region: str
    ) -> GlueDatabaseResource:
        database_input = dict(required(properties, "DatabaseInput", cls.CFN_TYPE))
        database_name = properties.get("DatabaseName") or database_input.get("Name") or name
        database_input["Name"] = database_name
        _backend(account_id, region).create_database(database_name, database_input, tags={})
        return cls(database_name, account_id, region, properties)

    def update(self, new_name: str, properties: Mapping[str, Any]) -> BackendResource:
        database_input = dict(properties.get("DatabaseInput") or {})
        database_name = properties.get("DatabaseName") or database_input.get("Name") or new_name
        if database_name != self.physical_id:
            return super().update(new_name, properties)
        database_input["Name"] = database_name
        _backend(self.account_id, self.region).update_database(database_name, database_input)
        self.properties = dict(properties)
        return self

    def remove(self) -> None:
        _backend(self.account_id, self.region).delete_database(self.physical_id)
