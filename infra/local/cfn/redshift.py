"""AWS::Redshift::Cluster, created in moto's Redshift backend from the properties as named.

moto's own model expects `ClusterSubnetGroupName` to be a model object (its Ref returned
one), drops IamRoles, and has no Ref value. Here Ref gives the cluster identifier and
GetAtt `Endpoint.Address` / `Endpoint.Port` the host name and port, as documented.
https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-redshift-cluster.html
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from moto.core.common_models import CloudFormationModel
from moto.redshift.models import redshift_backends

from infra.local.cfn.base import BackendResource, cfn_tags, required


def _as_bool(value: Any) -> bool | None:
    if value is None:
        return None
    return value if isinstance(value, bool) else str(value).lower() == "true"


class RedshiftClusterResource(BackendResource, CloudFormationModel):
    CFN_TYPE = "AWS::Redshift::Cluster"
    NAME_PROPERTY = "ClusterIdentifier"
    ATTRIBUTES: ClassVar[Mapping[str, str]] = {
        "Endpoint.Address": "address",
        "Endpoint.Port": "port_text",
    }

    @classmethod
    def create(
        cls, name: str, properties: Mapping[str, Any], account_id: str, region: str
    ) -> RedshiftClusterResource:
        # Cluster identifiers are lower case; generated names carry an upper-case suffix.
        identifier = name.lower()
        cluster = redshift_backends[account_id][region].create_cluster(
            cluster_identifier=identifier,
            node_type=required(properties, "NodeType", cls.CFN_TYPE),
            master_username=properties.get("MasterUsername"),
            master_user_password=properties.get("MasterUserPassword"),
            db_name=required(properties, "DBName", cls.CFN_TYPE),
            cluster_type=required(properties, "ClusterType", cls.CFN_TYPE),
            cluster_security_groups=properties.get("ClusterSecurityGroups") or [],
            vpc_security_group_ids=properties.get("VpcSecurityGroupIds") or [],
            cluster_subnet_group_name=properties.get("ClusterSubnetGroupName"),
            availability_zone=properties.get("AvailabilityZone"),
            preferred_maintenance_window=properties.get("PreferredMaintenanceWindow"),
            cluster_parameter_group_name=properties.get("ClusterParameterGroupName"),
            automated_snapshot_retention_period=properties.get("AutomatedSnapshotRetentionPeriod"),
            port=properties.get("Port"),
            cluster_version=properties.get("ClusterVersion"),
            allow_version_upgrade=_as_bool(properties.get("AllowVersionUpgrade")),
            number_of_nodes=properties.get("NumberOfNodes"),
            publicly_accessible=_as_bool(properties.get("PubliclyAccessible")),
            encrypted=_as_bool(properties.get("Encrypted")),
            region_name=region,
            tags=cfn_tags(properties),
            iam_roles_arn=list(properties.get("IamRoles") or []),
            enhanced_vpc_routing=_as_bool(properties.get("EnhancedVpcRouting")) or False,
            kms_key_id=properties.get("KmsKeyId"),
        )
        resource = cls(identifier, account_id, region, properties)
        resource.address = cluster.address
        resource.port_text = str(cluster.port)
        return resource

    def remove(self) -> None:
        redshift_backends[self.account_id][self.region].delete_cluster(
            cluster_identifier=self.physical_id,
            skip_final_snapshot=True,
            final_cluster_snapshot_identifier=None,
        )
