"""AWS::S3::BucketPolicy, and how local S3 enforces bucket policies.

The resource puts the PolicyDocument on the bucket (PutBucketPolicy); Ref gives the
bucket name as AWS does.
https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-s3-bucketpolicy.html

moto enforces bucket policies but ignores their Condition blocks, so the usual TLS-only
statement (Deny s3:* when aws:SecureTransport is false) denies every request. The local
endpoint stands in for S3's HTTPS endpoint; moto cannot evaluate conditions, so
statements that carry a Condition are left out of local enforcement. Unconditional
statements are enforced as moto does.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.s3 import models as s3_models
from moto.s3.models import s3_backends

from infra.local.cfn.base import BackendResource, required
from infra.local.patching import Spot, apply

SPOTS = (
    BUCKET_PERMISSION := Spot(
        s3_models.FakeBucket,
        "get_permission",
        "7571412a3495a0e3",
        "moto applies conditional statements unconditionally (a TLS-only Deny denies all)",
        "whether moto now evaluates Condition blocks in bucket policies",
    ),
)


def _unconditional_policy(policy: bytes) -> bytes | None:
    document = json.loads(policy.decode())
    statements = document.get("Statement", [])
    if isinstance(statements, Mapping):
        statements = [statements]
    kept = [statement for statement in statements if not statement.get("Condition")]
    if not kept:
        return None
    return json.dumps({**document, "Statement": kept}).encode()


def _get_permission(self: Any, action: str, resource: str) -> Any:
    from moto.iam.access_control import IAMPolicy, PermissionResult

    enforced = None if self.policy is None else _unconditional_policy(self.policy)
    if enforced is None:
        return PermissionResult.NEUTRAL
    return IAMPolicy(enforced.decode()).is_action_permitted(action, resource)


class BucketPolicyResource(BackendResource, CloudFormationModel):
    CFN_TYPE = "AWS::S3::BucketPolicy"

    @classmethod
    def create(
        cls, name: str, properties: Mapping[str, Any], account_id: str, region: str
    ) -> BucketPolicyResource:
        bucket = required(properties, "Bucket", cls.CFN_TYPE)
        document = required(properties, "PolicyDocument", cls.CFN_TYPE)
        text = document if isinstance(document, str) else json.dumps(document)
        s3_backends[account_id]["aws"].put_bucket_policy(bucket, text.encode())
        return cls(bucket, account_id, region, properties)

    def update(self, new_name: str, properties: Mapping[str, Any]) -> BackendResource:
        if properties.get("Bucket") == self.physical_id:
            return self.create(new_name, properties, self.account_id, self.region)
        return super().update(new_name, properties)

    def remove(self) -> None:
        backend = s3_backends[self.account_id]["aws"]
        if self.physical_id in backend.buckets:
            backend.delete_bucket_policy(self.physical_id)


def install() -> None:
    apply(BUCKET_PERMISSION, _get_permission)
