"""The database secret: AWS Secrets Manager's database-secret JSON shape.

`{"engine": "redshift"|"postgres", "host", "port", "username", "password", "dbname"?}`,
as a SecretString, or base64 of that JSON as SecretBinary (the convention of the post
this kit grew from). It is what `AWS::SecretsManager::SecretTargetAttachment` writes for
a Redshift cluster. `engine: postgres` selects the local Redshift adapter.

Problems name the secret and the field, never a value: a malformed password must not
end up in a Glue log because we tried to be helpful.
"""

import base64
import binascii
import json
from typing import Any, Dict, NamedTuple, Optional

from . import redact
from .errors import SecretError, aws_error_code, aws_failure

ENGINES = ("redshift", "postgres")


class DatabaseSecret(NamedTuple):
    engine: str
    host: str
    port: int
    username: str
    password: str
    dbname: Optional[str]

    def __repr__(self) -> str:  # keep the password out of any accidental print
        return (
            f"DatabaseSecret(engine={self.engine!r}, host={self.host!r}, port={self.port}, "
            f"username={self.username!r}, password='***', dbname={self.dbname!r})"
        )


def fetch_secret(secret_id: str, *, client: Any) -> DatabaseSecret:
    """Read and validate `secret_id` with a boto3 Secrets Manager client."""
    try:
        response = client.get_secret_value(SecretId=secret_id)
    except Exception as exc:
        code = aws_error_code(exc)
        if code == "ResourceNotFoundException":
            raise SecretError(f"secret {secret_id!r} does not exist (--db_creds)") from None
        if code in ("AccessDeniedException", "UnrecognizedClientException"):
            raise SecretError(f"not allowed to read secret {secret_id!r} ({code})") from None
        raise SecretError(
            f"cannot read secret {secret_id!r}: {code or type(exc).__name__}",
            failure=aws_failure(exc),
        ) from None
    return parse_secret(secret_id, response)


def parse_secret(secret_id: str, response: Dict[str, Any]) -> DatabaseSecret:
    """A `get_secret_value` response turned into a validated secret."""
    if response.get("SecretString") is not None:
        text = response["SecretString"]
        origin = "SecretString"
    elif response.get("SecretBinary") is not None:
        origin = "SecretBinary"
        try:
            text = base64.b64decode(response["SecretBinary"], validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            raise SecretError(
                f"secret {secret_id!r}: SecretBinary is not base64 of UTF-8 JSON"
            ) from None
    else:
        raise SecretError(f"secret {secret_id!r} has neither SecretString nor SecretBinary")
    try:
        fields = json.loads(text)
    except ValueError:
        raise SecretError(f"secret {secret_id!r}: {origin} is not JSON") from None
    if not isinstance(fields, dict):
        raise SecretError(f"secret {secret_id!r}: {origin} must be a JSON object")
    password = fields.get("password")
    if isinstance(password, str) and password:
        redact.register(password)
    return DatabaseSecret(
        engine=_engine(secret_id, fields),
        host=_text(secret_id, fields, "host"),
        port=_port(secret_id, fields),
        username=_text(secret_id, fields, "username"),
        password=_text(secret_id, fields, "password"),
        dbname=_text(secret_id, fields, "dbname") if fields.get("dbname") is not None else None,
    )


def _text(secret_id: str, fields: Dict[str, Any], name: str) -> str:
    if name not in fields or fields[name] is None:
        raise SecretError(f"secret {secret_id!r}: field {name!r} is missing")
    value = fields[name]
    if not isinstance(value, str) or not value.strip():
        raise SecretError(f"secret {secret_id!r}: field {name!r} must be a non-empty string")
    return value


def _engine(secret_id: str, fields: Dict[str, Any]) -> str:
    engine = _text(secret_id, fields, "engine")
    if engine not in ENGINES:
        raise SecretError(
            f"secret {secret_id!r}: field 'engine' must be one of {', '.join(ENGINES)}"
        )
    return engine


def _port(secret_id: str, fields: Dict[str, Any]) -> int:
    if fields.get("port") is None:
        raise SecretError(f"secret {secret_id!r}: field 'port' is missing")
    value = fields["port"]
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 65536:
        raise SecretError(f"secret {secret_id!r}: field 'port' must be an integer from 1 to 65535")
    return value
