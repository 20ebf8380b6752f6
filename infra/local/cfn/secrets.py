"""AWS::SecretsManager::Secret and ::SecretTargetAttachment, created in moto's backend.

- Secret: SecretString, or GenerateSecretString (password from moto's GetRandomPassword,
  put under GenerateStringKey of SecretStringTemplate when a template is given). Ref and
  GetAtt Id give the secret ARN.
  https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-secretsmanager-secret.html
- SecretTargetAttachment: writes the target's connection fields into the secret's JSON
  (the database credential secret structure), removes them again on delete. Ref and
  GetAtt Id give the secret ARN. Only Redshift clusters are emulated as targets.
  https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-secretsmanager-secrettargetattachment.html
  https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_secret_json_structure.html
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, ClassVar

from moto.core.common_models import CloudFormationModel
from moto.redshift.models import redshift_backends
from moto.secretsmanager.models import secretsmanager_backends

from infra.local.cfn.base import BackendResource, TemplateError, cfn_tags, required

# GenerateSecretString property -> (GetRandomPassword argument, CloudFormation default)
_PASSWORD_OPTIONS: dict[str, tuple[str, Any]] = {
    "PasswordLength": ("password_length", 32),
    "ExcludeCharacters": ("exclude_characters", ""),
    "ExcludeNumbers": ("exclude_numbers", False),
    "ExcludePunctuation": ("exclude_punctuation", False),
    "ExcludeUppercase": ("exclude_uppercase", False),
    "ExcludeLowercase": ("exclude_lowercase", False),
    "IncludeSpace": ("include_space", False),
    "RequireEachIncludedType": ("require_each_included_type", True),
}

_DEFAULT_REDSHIFT_DBNAME = "dev"


def _as_bool(value: Any) -> bool:
    return value if isinstance(value, bool) else str(value).lower() == "true"


def _backend(account_id: str, region: str) -> Any:
    return secretsmanager_backends[account_id][region]


def generate_secret_string(backend: Any, options: Mapping[str, Any]) -> str:
    arguments: dict[str, Any] = {}
    for key, (argument, default) in _PASSWORD_OPTIONS.items():
        value = options.get(key, default)
        arguments[argument] = int(value) if key == "PasswordLength" else value
        if isinstance(default, bool):
            arguments[argument] = _as_bool(value)
    password = json.loads(backend.get_random_password(**arguments))["RandomPassword"]
    template = options.get("SecretStringTemplate")
    key = options.get("GenerateStringKey")
    if template is None and key is None:
        return password
    if template is None or key is None:
        raise TemplateError(
            "GenerateSecretString: SecretStringTemplate and GenerateStringKey go together"
        )
    try:
        document = json.loads(template)
    except json.JSONDecodeError as error:
        raise TemplateError(f"GenerateSecretString.SecretStringTemplate: {error}") from error
    document[key] = password
    return json.dumps(document)


class SecretResource(BackendResource, CloudFormationModel):
    CFN_TYPE = "AWS::SecretsManager::Secret"
    NAME_PROPERTY = "Name"
    ATTRIBUTES: ClassVar[Mapping[str, str]] = {"Id": "physical_id"}

    @classmethod
    def create(
        cls, name: str, properties: Mapping[str, Any], account_id: str, region: str
    ) -> SecretResource:
        backend = _backend(account_id, region)
        backend.create_secret(
            name=name,
            secret_string=cls._secret_string(backend, properties),
            secret_binary=None,
            description=properties.get("Description"),
            tags=cfn_tags(properties),
            kms_key_id=properties.get("KmsKeyId"),
            client_request_token=None,
            replica_regions=[],
            force_overwrite=False,
        )
        arn = str(backend.describe_secret(name).arn)
        resource = cls(arn, account_id, region, properties)
        resource.name = name
        return resource

    @staticmethod
    def _secret_string(backend: Any, properties: Mapping[str, Any]) -> str:
        if "SecretString" in properties and "GenerateSecretString" in properties:
            raise TemplateError(f"{SecretResource.CFN_TYPE}: SecretString or GenerateSecretString")
        if "SecretString" in properties:
            return str(properties["SecretString"])
        return generate_secret_string(backend, properties.get("GenerateSecretString") or {})

    def update(self, new_name: str, properties: Mapping[str, Any]) -> BackendResource:
        if new_name != self.name:
            return super().update(new_name, properties)
        backend = _backend(self.account_id, self.region)
        value_source = ("SecretString", "GenerateSecretString")
        if any(properties.get(key) != self.properties.get(key) for key in value_source):
            backend.put_secret_value(
                secret_id=self.physical_id,
                secret_string=self._secret_string(backend, properties),
                secret_binary=None,
                client_request_token=None,
                version_stages=["AWSCURRENT"],
            )
        if properties.get("Description") != self.properties.get("Description"):
            backend.describe_secret(self.physical_id).description = properties.get("Description")
        self.properties = dict(properties)
        return self

    def remove(self) -> None:
        _backend(self.account_id, self.region).delete_secret(
            self.physical_id, recovery_window_in_days=None, force_delete_without_recovery=True
        )


def _redshift_connection(account_id: str, region: str, target_id: str) -> dict[str, Any]:
    cluster_id = target_id.rsplit(":", 1)[-1]
    clusters = redshift_backends[account_id][region].clusters
    if cluster_id not in clusters:
        raise TemplateError(f"SecretTargetAttachment: Redshift cluster {cluster_id} not found")
    cluster = clusters[cluster_id]
    return {
        "engine": "redshift",
        "host": cluster.address,
        "port": int(cluster.port),
        "dbname": cluster.db_name or _DEFAULT_REDSHIFT_DBNAME,
        "dbClusterIdentifier": cluster_id,
    }


# TargetType -> how to read the target's connection fields.
_TARGETS = {"AWS::Redshift::Cluster": _redshift_connection}


class SecretTargetAttachmentResource(BackendResource, CloudFormationModel):
    CFN_TYPE = "AWS::SecretsManager::SecretTargetAttachment"
    ATTRIBUTES: ClassVar[Mapping[str, str]] = {"Id": "physical_id"}

    @classmethod
    def create(
        cls, name: str, properties: Mapping[str, Any], account_id: str, region: str
    ) -> SecretTargetAttachmentResource:
        secret_id = required(properties, "SecretId", cls.CFN_TYPE)
        target_type = required(properties, "TargetType", cls.CFN_TYPE)
        target_id = required(properties, "TargetId", cls.CFN_TYPE)
        if target_type not in _TARGETS:
            raise TemplateError(
                f"{cls.CFN_TYPE}: TargetType {target_type} is not emulated locally "
                f"(emulated: {', '.join(sorted(_TARGETS))})"
            )
        connection = _TARGETS[target_type](account_id, region, target_id)
        backend = _backend(account_id, region)
        secret = backend.describe_secret(secret_id)
        document = _secret_document(backend, secret_id)
        document.update(connection)
        _put(backend, secret_id, document)
        resource = cls(str(secret.arn), account_id, region, properties)
        resource.added_keys = sorted(connection)
        return resource

    def remove(self) -> None:
        backend = _backend(self.account_id, self.region)
        try:
            document = _secret_document(backend, self.physical_id)
        except Exception:  # the secret itself went first
            return
        for key in self.added_keys:
            document.pop(key, None)
        _put(backend, self.physical_id, document)


def _secret_document(backend: Any, secret_id: str) -> dict[str, Any]:
    value = backend.get_secret_value(secret_id, version_id=None, version_stage=None)
    try:
        document = json.loads(value.get("SecretString") or "{}")
    except json.JSONDecodeError as error:
        raise TemplateError(f"secret {secret_id} does not hold a JSON object") from error
    if not isinstance(document, dict):
        raise TemplateError(f"secret {secret_id} does not hold a JSON object")
    return document


def _put(backend: Any, secret_id: str, document: Mapping[str, Any]) -> None:
    backend.put_secret_value(
        secret_id=secret_id,
        secret_string=json.dumps(document),
        secret_binary=None,
        client_request_token=None,
        version_stages=["AWSCURRENT"],
    )
