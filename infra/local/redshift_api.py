"""Two Redshift APIs deploy.py calls, as the local AWS answers them.

- ModifyClusterIamRoles, which moto answers with HTTP 500: deploy.py makes the cluster's
  Spectrum/COPY/UNLOAD role its default (`IAM_ROLE default`) with this call, because
  CloudFormation has no property for it. Roles are added and removed from the cluster's
  list; DefaultIamRoleArn must be one of the cluster's roles after the change, as AWS
  requires, and DescribeClusters reports it.
  https://docs.aws.amazon.com/redshift/latest/APIReference/API_ModifyClusterIamRoles.html
- The Data API's ExecuteStatement, whose statements moto leaves STARTED for ever: deploy.py
  creates the ETL user with it (infra/etl_user.py) and waits for each statement to end.
  There is no cluster to run them on (the local stack's database is PostgreSQL, where
  infra.local.stack makes the runner's role itself), so a statement is recorded and ends
  FINISHED at once, without a result set: DescribeStatement shows what was sent.
  https://docs.aws.amazon.com/redshift-data/latest/APIReference/API_ExecuteStatement.html
"""

from __future__ import annotations

from typing import Any

from moto.core.responses import ActionResult
from moto.redshift import responses as redshift_responses
from moto.redshift.exceptions import InvalidParameterValueError
from moto.redshiftdata import models as redshift_data_models

from infra.local.patching import Spot, apply, original_of

SPOTS = (
    MODIFY_IAM_ROLES := Spot(
        redshift_responses.RedshiftResponse,
        "modify_cluster_iam_roles",
        None,
        "stock moto answers ModifyClusterIamRoles with HTTP 500",
        "moto's own ModifyClusterIamRoles: drop ours if it keeps DefaultIamRoleArn",
    ),
    EXECUTE_STATEMENT := Spot(
        redshift_data_models.RedshiftDataAPIServiceBackend,
        "execute_statement",
        "55158419e22e74a6",
        "Data API statements stayed STARTED for ever",
        "whether moto's Statement still starts STARTED and execute_statement returns it",
    ),
)


def modify_cluster_iam_roles(self: redshift_responses.RedshiftResponse) -> ActionResult:
    cluster_id = self._get_param("ClusterIdentifier")
    cluster = self.redshift_backend.describe_clusters(cluster_id)[0]
    removed = set(self._get_param("RemoveIamRoles", []) or [])
    roles = [role for role in cluster.iam_roles_arn if role not in removed]
    roles += [role for role in self._get_param("AddIamRoles", []) or [] if role not in roles]
    default_role = self._get_param("DefaultIamRoleArn")
    if default_role and default_role not in roles:
        raise InvalidParameterValueError(
            f"DefaultIamRoleArn {default_role} is not associated with cluster {cluster_id}"
        )
    cluster.iam_roles_arn = roles
    if default_role:
        cluster.default_iam_role_arn = default_role
    return ActionResult({"Cluster": cluster})


def execute_statement(self: Any, **kwargs: Any) -> Any:
    statement = original_of(EXECUTE_STATEMENT)(self, **kwargs)
    statement.status = "FINISHED"
    return statement


def install() -> None:
    apply(MODIFY_IAM_ROLES, modify_cluster_iam_roles)
    apply(EXECUTE_STATEMENT, execute_statement)
