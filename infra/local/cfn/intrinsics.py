"""Dotted GetAtt attribute names, which moto's template handling splits apart.

CloudFormation attribute names can contain dots (`Endpoint.Address` of a Redshift
cluster). The short form `!GetAtt Cluster.Endpoint.Address` names resource `Cluster` and
attribute `Endpoint.Address`: only the first dot separates them, and the same holds for
`${Cluster.Endpoint.Address}` inside Fn::Sub.
https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-getatt.html
moto splits at every dot (YAML short form and Fn::Sub), so such a reference failed.
GetAtt attributes and Ref values that moto lacks are added from tables below, and a
GetAtt that still cannot be resolved fails the stack instead of passing on unresolved.

Dynamic references (`{{resolve:secretsmanager:<id>:SecretString:<key>}}`,
`{{resolve:ssm:<name>}}`) are resolved as CloudFormation does when it reads the
template, from the local Secrets Manager and SSM; moto passed them on verbatim.
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references.html
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import yaml
from moto.cloudformation import models as cfn_models
from moto.cloudformation import parsing
from moto.cloudformation import responses as cfn_responses
from moto.ec2.models.subnets import Subnet
from moto.redshift import models as redshift_models
from moto.secretsmanager.models import secretsmanager_backends
from moto.sns.models import Topic
from moto.ssm.models import ssm_backends

from infra.local.cfn.base import TemplateError
from infra.local.patching import Spot, apply, original_of

_YAML_WHY = "!GetAtt X.A.B must name attribute A.B of X"
_ATTR_WHY = "GetAtt attributes AWS documents that moto lacks or answers wrongly (EXTRA_ATTRIBUTES)"
_REF_WHY = "moto has no physical_resource_id here, so Ref returned the model object"
_REF_RECHECK = "moto's own physical_resource_id: drop ours from EXTRA_REFS"
_ATTR_RECHECK = "the class's own get_cfn_attribute/has_cfn_attr: drop rows moto now answers"
# moto class name -> fingerprints of (get_cfn_attribute, has_cfn_attr)
_ATTRIBUTE_FINGERPRINTS = {
    "Subnet": ("fd7fece78d0cd380", "a8a4787660efa40a"),
    "Topic": ("ab0e2b6a6ffa2168", "665600b5b7162a0f"),
}
_YAML_RECHECK = "moto's yaml_tag_constructor short-form handling"
_YAML_FINGERPRINT = "d5c3b8a0d6300f9e"

SPOTS = (
    *(
        Spot(module, "yaml_tag_constructor", _YAML_FINGERPRINT, _YAML_WHY, _YAML_RECHECK)
        for module in (cfn_models, cfn_responses)
    ),
    CLEAN_JSON := Spot(
        parsing,
        "clean_json",
        "9fbe5dedab810616",
        "Fn::Sub ${X.A.B} reaches Fn::GetAtt as [X, A, B]",
        "that clean_json still resolves Fn::GetAtt as [logical id, attribute] and calls "
        "itself through the module global",
    ),
    *(
        spot
        for moto_class in (Subnet, Topic)
        for spot in (
            Spot(
                moto_class,
                "get_cfn_attribute",
                _ATTRIBUTE_FINGERPRINTS[moto_class.__name__][0],
                _ATTR_WHY,
                _ATTR_RECHECK,
            ),
            Spot(
                moto_class,
                "has_cfn_attr",
                _ATTRIBUTE_FINGERPRINTS[moto_class.__name__][1],
                _ATTR_WHY,
                _ATTR_RECHECK,
            ),
        )
    ),
    *(
        Spot(moto_class, "physical_resource_id", None, _REF_WHY, _REF_RECHECK)
        for moto_class in (redshift_models.SubnetGroup, redshift_models.ParameterGroup)
    ),
)


def yaml_tag_constructor(loader: yaml.Loader, tag: str, node: yaml.Node) -> dict[str, Any]:
    """Short-form intrinsic (`!Sub x`) to its long form (`{"Fn::Sub": x}`)."""
    key = "Ref" if tag == "!Ref" else f"Fn::{tag[1:]}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = node.value
        if tag == "!GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {key: value}


def _joined_get_att(resource_json: Any) -> Any:
    if isinstance(resource_json, dict):
        reference = resource_json.get("Fn::GetAtt")
        if isinstance(reference, list) and len(reference) > 2:
            return {**resource_json, "Fn::GetAtt": [reference[0], ".".join(reference[1:])]}
        if isinstance(reference, str):
            return {**resource_json, "Fn::GetAtt": reference.split(".", 1)}
    return resource_json


_DYNAMIC_REFERENCE = re.compile(r"\{\{resolve:(secretsmanager|ssm|ssm-secure):([^}]+)\}\}")
# An ARN names a secret in its first seven colon-separated fields.
_ARN_FIELDS = 7


def _secret_reference(body: str, account_id: str, region: str) -> str:
    """secret-id:SecretString:json-key:version-stage:version-id, all after the id optional."""
    fields = body.split(":")
    split_at = _ARN_FIELDS if fields[0] == "arn" else 1
    secret_id = ":".join(fields[:split_at])
    rest = fields[split_at:] + [""] * 4
    _, json_key, version_stage, version_id = rest[:4]
    value = secretsmanager_backends[account_id][region].get_secret_value(
        secret_id, version_id=version_id or None, version_stage=version_stage or None
    )
    text = value.get("SecretString") or ""
    if not json_key:
        return text
    try:
        return str(json.loads(text)[json_key])
    except (ValueError, KeyError, TypeError) as error:
        raise TemplateError(
            f"dynamic reference secretsmanager:{secret_id}: no JSON key {json_key!r}"
        ) from error


def _resolve_dynamic_references(text: str, account_id: str, region: str) -> str:
    def replace(match: re.Match[str]) -> str:
        service, body = match.group(1), match.group(2)
        if service == "secretsmanager":
            return _secret_reference(body, account_id, region)
        name, _, version = body.partition(":")
        parameter = ssm_backends[account_id][region].get_parameter(
            f"{name}:{version}" if version else name
        )
        if parameter is None:
            raise TemplateError(f"dynamic reference {service}:{body}: no such parameter")
        return str(parameter.value)

    return _DYNAMIC_REFERENCE.sub(replace, text)


def clean_json(resource_json: Any, resources_map: Any) -> Any:
    resource_json = _joined_get_att(resource_json)
    cleaned = original_of(CLEAN_JSON)(resource_json, resources_map)
    if isinstance(cleaned, dict) and "Fn::GetAtt" in cleaned and "Fn::GetAtt" in resource_json:
        # moto logs a warning and passes the unresolved function on as a value.
        logical_id, attribute = resource_json["Fn::GetAtt"]
        raise TemplateError(f"Fn::GetAtt {logical_id}.{attribute} is not supported locally")
    if isinstance(cleaned, str) and "{{resolve:" in cleaned:
        return _resolve_dynamic_references(
            cleaned, resources_map["AWS::AccountId"], resources_map["AWS::Region"]
        )
    return cleaned


# moto class -> GetAtt attribute -> value, as the AWS resource reference documents them:
# https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-subnet.html
# https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-sns-topic.html
EXTRA_ATTRIBUTES: dict[type, dict[str, Callable[[Any], Any]]] = {
    Subnet: {
        "AvailabilityZone": lambda subnet: subnet.availability_zone,
        "AvailabilityZoneId": lambda subnet: subnet.availability_zone_id,
        "CidrBlock": lambda subnet: subnet.cidr_block,
        "SubnetId": lambda subnet: subnet.id,
        "VpcId": lambda subnet: subnet.vpc_id,
    },
    Topic: {"TopicArn": lambda topic: topic.arn, "TopicName": lambda topic: topic.name},
}


# moto class -> Ref value, for the classes where moto has no physical_resource_id (so Ref
# returned the model object itself): Redshift subnet and parameter groups give their
# names (AWS resource reference, "Return values").
EXTRA_REFS: dict[type, Callable[[Any], str]] = {
    redshift_models.SubnetGroup: lambda group: group.cluster_subnet_group_name,
    redshift_models.ParameterGroup: lambda group: group.name,
}


def _attribute_spots(moto_class: type) -> tuple[Spot, Spot]:
    get_spot, has_spot = (
        spot for spot in SPOTS if spot.owner is moto_class and "cfn_attr" in spot.name
    )
    return (get_spot, has_spot) if get_spot.name == "get_cfn_attribute" else (has_spot, get_spot)


def _install_attributes(moto_class: type) -> None:
    table = EXTRA_ATTRIBUTES[moto_class]
    get_spot, has_spot = _attribute_spots(moto_class)

    def get_cfn_attribute(self: Any, attribute_name: str) -> Any:
        if attribute_name in table:
            return table[attribute_name](self)
        return original_of(get_spot)(self, attribute_name)

    def has_cfn_attr(cls: type, attr: str) -> bool:
        return attr in table or original_of(has_spot).__get__(None, cls)(attr)

    apply(get_spot, get_cfn_attribute)
    apply(has_spot, classmethod(has_cfn_attr))


def install() -> None:
    for spot in SPOTS:
        if spot.name == "yaml_tag_constructor":
            apply(spot, yaml_tag_constructor)
    apply(CLEAN_JSON, clean_json)
    for moto_class in EXTRA_ATTRIBUTES:
        _install_attributes(moto_class)
    for spot in SPOTS:
        if spot.name == "physical_resource_id":
            apply(spot, property(EXTRA_REFS[spot.owner]))
