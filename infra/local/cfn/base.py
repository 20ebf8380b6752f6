"""What CloudFormation keeps of a resource that an extension creates in a moto backend.

moto finds resource types through the *direct* subclasses of its `CloudFormationModel`,
so every resource class here lists `CloudFormationModel` itself among its bases, next to
this mixin, which supplies the parts they share: the Ref value, GetAtt from a table, and
update by replacement unless a class knows better. The stack keeps the returned object;
moto calls `delete()` on it when the stack or the resource goes away.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from moto.cloudformation.exceptions import UnformattedGetAttTemplateException, ValidationError

from infra.local.errors import LocalAwsError


class TemplateError(LocalAwsError, ValidationError):
    """A resource cannot be made as declared; the stack call answers ValidationError with this."""

    def __init__(self, message: str) -> None:
        ValidationError.__init__(self, message=message)


class BackendResource:
    CFN_TYPE: ClassVar[str]
    # The property holding the resource's name, used by moto to name it when absent.
    NAME_PROPERTY: ClassVar[str] = ""
    # GetAtt attribute name -> instance attribute.
    ATTRIBUTES: ClassVar[Mapping[str, str]] = {}

    def __init__(
        self, physical_id: str, account_id: str, region: str, properties: Mapping[str, Any]
    ) -> None:
        self.physical_id = physical_id
        self.account_id = account_id
        self.region = region
        self.properties = dict(properties)

    # -- what moto asks of a CloudFormationModel ------------------------------------------

    @classmethod
    def cloudformation_type(cls) -> str:
        return cls.CFN_TYPE

    @classmethod
    def cloudformation_name_type(cls) -> str:
        return cls.NAME_PROPERTY

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in cls.ATTRIBUTES

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        if attribute_name not in self.ATTRIBUTES:
            raise UnformattedGetAttTemplateException()
        return getattr(self, self.ATTRIBUTES[attribute_name])

    @property
    def physical_resource_id(self) -> str:
        return self.physical_id

    def is_created(self) -> bool:
        return True

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Mapping[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> BackendResource:
        properties = cloudformation_json.get("Properties") or {}
        return cls.create(cls._name(resource_name, properties), properties, account_id, region_name)

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: BackendResource,
        new_resource_name: str,
        cloudformation_json: Mapping[str, Any],
        account_id: str,
        region_name: str,
    ) -> BackendResource:
        properties = cloudformation_json.get("Properties") or {}
        if original_resource is None:
            # moto modifies resources whose Condition kept them from being created.
            return cls.create_from_cloudformation_json(
                new_resource_name, cloudformation_json, account_id, region_name
            )
        if properties == original_resource.properties:
            # moto marks every resource that references a passed parameter as modified;
            # CloudFormation leaves a resource whose properties did not change alone.
            return original_resource
        return original_resource.update(cls._name(new_resource_name, properties), properties)

    @classmethod
    def _name(cls, generated: str, properties: Mapping[str, Any]) -> str:
        """The declared name; moto's own lookup can pick another model's name property."""
        declared = properties.get(cls.NAME_PROPERTY) if cls.NAME_PROPERTY else None
        return str(declared) if declared else generated

    @classmethod
    def delete_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Mapping[str, Any],
        account_id: str,
        region_name: str,
    ) -> None:
        raise TemplateError(f"{cls.CFN_TYPE} {resource_name}: delete goes through the stack")

    def delete(self, account_id: str, region_name: str) -> None:
        self.remove()

    # -- what each resource class implements ------------------------------------------------

    @classmethod
    def create(
        cls, name: str, properties: Mapping[str, Any], account_id: str, region: str
    ) -> BackendResource:
        raise NotImplementedError

    def remove(self) -> None:
        raise NotImplementedError

    def update(self, new_name: str, properties: Mapping[str, Any]) -> BackendResource:
        """Replacement, as CloudFormation does for properties that cannot change in place."""
        self.remove()
        return self.create(new_name, properties, self.account_id, self.region)


def required(properties: Mapping[str, Any], key: str, resource_type: str) -> Any:
    value = properties.get(key)
    if value in (None, ""):
        raise TemplateError(f"{resource_type}: property {key} is required")
    return value


def cfn_tags(properties: Mapping[str, Any]) -> list[dict[str, str]]:
    """CloudFormation's [{Key, Value}] tags (a plain map is accepted too)."""
    tags = properties.get("Tags") or []
    if isinstance(tags, Mapping):
        return [{"Key": key, "Value": str(value)} for key, value in tags.items()]
    return [{"Key": tag["Key"], "Value": str(tag["Value"])} for tag in tags]
