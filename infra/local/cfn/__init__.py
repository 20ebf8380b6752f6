"""CloudFormation resource types that moto 5.2.5 skips or stores wrongly, added in-process.

moto builds its type map from `CloudFormationModel.__subclasses__()` once (lru_cache);
`install()` clears that cache after the classes below exist and checks that each type now
resolves to ours, so the production templates deploy locally as they are: each resource
really created in the matching moto backend, with Ref/GetAtt as AWS documents, updates
and deletes included.
"""

from __future__ import annotations

from moto.cloudformation import parsing

from infra.local.cfn import (
    alarms,
    bucket_policy,
    glue,
    intrinsics,
    messaging,
    network,
    redshift,
    secrets,
    state_machines,
)
from infra.local.errors import MotoDriftError
from infra.local.patching import Spot

RESOURCE_CLASSES = (
    secrets.SecretResource,
    secrets.SecretTargetAttachmentResource,
    glue.GlueJobResource,
    glue.GlueConnectionResource,
    glue.GlueDatabaseResource,
    messaging.SnsSubscriptionResource,
    messaging.ScheduleResource,
    messaging.QueuePolicyResource,
    bucket_policy.BucketPolicyResource,
    state_machines.StateMachineResource,
    redshift.RedshiftClusterResource,
    network.SubnetRouteTableAssociationResource,
    alarms.AlarmResource,
)

_MODEL_MAP_RECHECK = (
    "that moto still discovers resource types from CloudFormationModel.__subclasses__() "
    "through the lru_cached get_model_list/get_model_map/get_name_type_map"
)

SPOTS: tuple[Spot, ...] = (
    # Relied on, not replaced: a change here means our classes may be ignored.
    Spot(parsing, "get_model_list", "f951e0f10931343f", "type discovery", _MODEL_MAP_RECHECK),
    Spot(parsing, "get_model_map", "fb06726090724d5f", "type discovery", _MODEL_MAP_RECHECK),
    *intrinsics.SPOTS,
    *bucket_policy.SPOTS,
)


def install() -> None:
    intrinsics.install()
    bucket_policy.install()
    for cached in (parsing.get_model_list, parsing.get_model_map, parsing.get_name_type_map):
        cached.cache_clear()
    model_map = parsing.get_model_map()
    for resource_class in RESOURCE_CLASSES:
        found = model_map.get(resource_class.CFN_TYPE)
        if found is not resource_class:
            raise MotoDriftError(
                f"moto.cloudformation.parsing.get_model_map()[{resource_class.CFN_TYPE!r}]",
                f"resolves to {found!r}, not {resource_class.__qualname__}",
                _MODEL_MAP_RECHECK,
            )
