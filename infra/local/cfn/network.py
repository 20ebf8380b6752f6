"""AWS::EC2::SubnetRouteTableAssociation that DescribeRouteTables can see.

moto's own model files the association in a side table that the EC2 API never reads,
so the subnet stays unassociated as far as any client can tell. Here the association
is made as AssociateRouteTable makes it; Ref gives the association id, as documented.
https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-subnetroutetableassociation.html
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.ec2.models import ec2_backends

from infra.local.cfn.base import BackendResource, required


class SubnetRouteTableAssociationResource(BackendResource, CloudFormationModel):
    CFN_TYPE = "AWS::EC2::SubnetRouteTableAssociation"

    @classmethod
    def create(
        cls, name: str, properties: Mapping[str, Any], account_id: str, region: str
    ) -> SubnetRouteTableAssociationResource:
        association_id = ec2_backends[account_id][region].associate_route_table(
            route_table_id=required(properties, "RouteTableId", cls.CFN_TYPE),
            subnet_id=required(properties, "SubnetId", cls.CFN_TYPE),
        )
        return cls(association_id, account_id, region, properties)

    def remove(self) -> None:
        ec2_backends[self.account_id][self.region].disassociate_route_table(self.physical_id)
