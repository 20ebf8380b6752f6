"""AWS::SNS::Subscription, AWS::Scheduler::Schedule and AWS::SQS::QueuePolicy, created in
moto's backends.

- Subscription: Ref gives the subscription ARN; FilterPolicy, RawMessageDelivery and the
  other attributes are set as SetSubscriptionAttributes would.
  https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-sns-subscription.html
- Schedule: stored (moto's scheduler does not fire schedules); Ref gives the name, GetAtt
  Arn the ARN.
  https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-scheduler-schedule.html
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, ClassVar

from moto.core.common_models import CloudFormationModel
from moto.scheduler.models import scheduler_backends
from moto.sns.models import sns_backends

from infra.local.cfn.base import BackendResource, required

# Subscription property -> SetSubscriptionAttributes name, for the ones set after Subscribe.
_SUBSCRIPTION_ATTRIBUTES = {
    "RawMessageDelivery": "RawMessageDelivery",
    "FilterPolicy": "FilterPolicy",
    "FilterPolicyScope": "FilterPolicyScope",
    "RedrivePolicy": "RedrivePolicy",
    "DeliveryPolicy": "DeliveryPolicy",
    "SubscriptionRoleArn": "SubscriptionRoleArn",
}


def _attribute_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


class SnsSubscriptionResource(BackendResource, CloudFormationModel):
    CFN_TYPE = "AWS::SNS::Subscription"
    ATTRIBUTES: ClassVar[Mapping[str, str]] = {"Arn": "physical_id"}

    @classmethod
    def create(
        cls, name: str, properties: Mapping[str, Any], account_id: str, region: str
    ) -> SnsSubscriptionResource:
        topic_arn = required(properties, "TopicArn", cls.CFN_TYPE)
        protocol = required(properties, "Protocol", cls.CFN_TYPE)
        topic_region = properties.get("Region") or topic_arn.split(":")[3] or region
        backend = sns_backends[account_id][topic_region]
        subscription = backend.subscribe(topic_arn, properties.get("Endpoint", ""), protocol)
        for key, attribute in _SUBSCRIPTION_ATTRIBUTES.items():
            if key in properties:
                backend.set_subscription_attributes(
                    subscription.arn, attribute, _attribute_text(properties[key])
                )
        return cls(subscription.arn, account_id, topic_region, properties)

    def remove(self) -> None:
        sns_backends[self.account_id][self.region].unsubscribe(self.physical_id)


class ScheduleResource(BackendResource, CloudFormationModel):
    CFN_TYPE = "AWS::Scheduler::Schedule"
    NAME_PROPERTY = "Name"
    ATTRIBUTES: ClassVar[Mapping[str, str]] = {"Arn": "arn"}

    @classmethod
    def create(
        cls, name: str, properties: Mapping[str, Any], account_id: str, region: str
    ) -> ScheduleResource:
        schedule = scheduler_backends[account_id][region].create_schedule(
            **cls._arguments(name, properties)
        )
        resource = cls(name, account_id, region, properties)
        resource.arn = schedule.arn
        resource.group_name = properties.get("GroupName")
        return resource

    @classmethod
    def _arguments(cls, name: str, properties: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "description": properties.get("Description"),
            "end_date": properties.get("EndDate"),
            "flexible_time_window": required(properties, "FlexibleTimeWindow", cls.CFN_TYPE),
            "group_name": properties.get("GroupName"),
            "kms_key_arn": properties.get("KmsKeyArn"),
            "name": name,
            "schedule_expression": required(properties, "ScheduleExpression", cls.CFN_TYPE),
            "schedule_expression_timezone": properties.get("ScheduleExpressionTimezone"),
            "start_date": properties.get("StartDate"),
            "state": properties.get("State", "ENABLED"),
            "target": required(properties, "Target", cls.CFN_TYPE),
            "action_after_completion": None,
        }

    def update(self, new_name: str, properties: Mapping[str, Any]) -> BackendResource:
        if new_name != self.physical_id or properties.get("GroupName") != self.group_name:
            return super().update(new_name, properties)
        arguments = self._arguments(new_name, properties)
        del arguments["action_after_completion"]
        scheduler_backends[self.account_id][self.region].update_schedule(**arguments)
        self.properties = dict(properties)
        return self

    def remove(self) -> None:
        scheduler_backends[self.account_id][self.region].delete_schedule(
            self.group_name, self.physical_id
        )


class QueuePolicyResource(BackendResource, CloudFormationModel):
    """AWS::SQS::QueuePolicy: the PolicyDocument set as each queue's Policy attribute
    (SetQueueAttributes). Ref gives a generated id, as AWS does; moto does not enforce it.
    https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-sqs-queuepolicy.html
    """

    CFN_TYPE = "AWS::SQS::QueuePolicy"

    @classmethod
    def create(
        cls, name: str, properties: Mapping[str, Any], account_id: str, region: str
    ) -> QueuePolicyResource:
        from moto.sqs.models import sqs_backends

        queues = required(properties, "Queues", cls.CFN_TYPE)
        document = required(properties, "PolicyDocument", cls.CFN_TYPE)
        text = document if isinstance(document, str) else json.dumps(document)
        backend = sqs_backends[account_id][region]
        for url in queues:
            backend.set_queue_attributes(str(url).rstrip("/").rsplit("/", 1)[-1], {"Policy": text})
        return cls(name, account_id, region, properties)

    def remove(self) -> None:
        from moto.sqs.models import sqs_backends

        backend = sqs_backends[self.account_id][self.region]
        for url in self.properties.get("Queues", []):
            queue = str(url).rstrip("/").rsplit("/", 1)[-1]
            if queue in backend.queues:
                backend.set_queue_attributes(queue, {"Policy": ""})
