"""AWS::CloudWatch::Alarm, created with moto's PutMetricAlarm (moto 5.2.5 has the API but no
CloudFormation model for it). Ref gives the alarm name, GetAtt Arn its ARN; every property
the pipeline stack uses is stored as PutMetricAlarm stores it. A change of properties
rewrites the alarm in place, as PutMetricAlarm on an existing name does; a new name
replaces it.
https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudwatch-alarm.html
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from moto.cloudwatch.models import cloudwatch_backends
from moto.core.common_models import CloudFormationModel

from infra.local.cfn.base import BackendResource, required


class AlarmResource(BackendResource, CloudFormationModel):
    CFN_TYPE = "AWS::CloudWatch::Alarm"
    NAME_PROPERTY = "AlarmName"
    ATTRIBUTES: ClassVar[Mapping[str, str]] = {"Arn": "arn"}

    @classmethod
    def create(
        cls, name: str, properties: Mapping[str, Any], account_id: str, region: str
    ) -> AlarmResource:
        resource = cls(name, account_id, region, properties)
        resource.arn = resource._put(name, properties).alarm_arn
        return resource

    def _put(self, name: str, properties: Mapping[str, Any]) -> Any:
        return cloudwatch_backends[self.account_id][self.region].put_metric_alarm(
            name=name,
            namespace=required(properties, "Namespace", self.CFN_TYPE),
            metric_name=required(properties, "MetricName", self.CFN_TYPE),
            comparison_operator=required(properties, "ComparisonOperator", self.CFN_TYPE),
            evaluation_periods=int(required(properties, "EvaluationPeriods", self.CFN_TYPE)),
            period=int(required(properties, "Period", self.CFN_TYPE)),
            threshold=float(properties.get("Threshold", 0)),
            statistic=required(properties, "Statistic", self.CFN_TYPE),
            description=properties.get("AlarmDescription", ""),
            dimensions=[
                {"Name": d["Name"], "Value": str(d["Value"])}
                for d in properties.get("Dimensions") or []
            ],
            alarm_actions=list(properties.get("AlarmActions") or []),
            ok_actions=list(properties.get("OKActions") or []),
            insufficient_data_actions=list(properties.get("InsufficientDataActions") or []),
            datapoints_to_alarm=properties.get("DatapointsToAlarm"),
            unit=properties.get("Unit"),
            actions_enabled=properties.get("ActionsEnabled", True) in (True, "true", "True"),
            treat_missing_data=properties.get("TreatMissingData"),
        )

    def update(self, new_name: str, properties: Mapping[str, Any]) -> BackendResource:
        if new_name != self.physical_id:
            return super().update(new_name, properties)
        self._put(new_name, properties)
        self.properties = dict(properties)
        return self

    def remove(self) -> None:
        cloudwatch_backends[self.account_id][self.region].delete_alarms([self.physical_id])
