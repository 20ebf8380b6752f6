"""The ETL user every pipeline runs as, created in the cluster by `infra.deploy`.

Pipelines must not run as the cluster's master user: a leaked runner secret would be the
keys to everything. The platform stack generates two secrets: the admin's (the master user,
for administration) and the ETL user's, which is the Glue job's `--db_creds` and the only
one its role may read. CloudFormation cannot create database users, so deploy does, with
the Redshift Data API authenticated by the admin secret:

1. `CREATE USER <etl user> PASSWORD 'md5<md5 of password + user name>'` (or, when the user
   exists, `ALTER USER ... PASSWORD` with the same hash, so a rotated secret is applied):
   Redshift takes an MD5 hash string in place of the password (CREATE USER reference,
   "PASSWORD"), so the password itself never appears in SQL text, in the Data API's
   statement history or in STL_QUERY;
2. the grants ETL needs and no more: create schemas (the pipelines' own and their Spectrum
   external schemas, which their creator owns) and tables in `public`, and assume the
   cluster's default IAM role for COPY and UNLOAD (`IAM_ROLE default`). The user owns what
   it creates; it is no superuser and gets no access to other users' objects.

The Data API answers asynchronously: each statement is polled until it ends. Users and grants
are cluster-wide facts no local stand-in can check: locally the statements go to the local
AWS's Data API, which records them (tests read them back), and the local stack's PostgreSQL
gets its own runner role (infra.local.stack). What only a real account checks is listed in
infra/README.md.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from typing import Any

from infra.errors import DeployError

# The Data API's statement states (DescribeStatement API reference, "Status").
_FINISHED, _FAILED = "FINISHED", frozenset({"FAILED", "ABORTED"})
_POLL_SECONDS = 1.0
_TIMEOUT_SECONDS = 300
# Redshift's message for a user that exists already (CREATE USER).
_EXISTS = "already exists"


@dataclass(frozen=True)
class EtlUser:
    username: str
    password: str = ""

    def __repr__(self) -> str:  # never show the password, even in a traceback
        return f"EtlUser(username={self.username!r})"

    @property
    def password_hash(self) -> str:
        """Redshift's MD5 password form: 'md5' + md5(password + user name) in hex."""
        digest = hashlib.md5(  # noqa: S324 - the hash format Redshift defines, not our choice
            (self.password + self.username).encode()
        ).hexdigest()
        return f"md5{digest}"


def create_statement(user: EtlUser) -> str:
    return f"CREATE USER {_identifier(user.username)} PASSWORD '{user.password_hash}'"


def password_statement(user: EtlUser) -> str:
    return f"ALTER USER {_identifier(user.username)} PASSWORD '{user.password_hash}'"


def grant_statements(user: EtlUser, database: str, default_role_arn: str) -> list[str]:
    name = _identifier(user.username)
    role = _literal(default_role_arn)
    return [
        f"GRANT CREATE ON DATABASE {_identifier(database)} TO {name}",
        f"GRANT USAGE, CREATE ON SCHEMA public TO {name}",
        f"GRANT ASSUMEROLE ON {role} TO {name} FOR COPY",
        f"GRANT ASSUMEROLE ON {role} TO {name} FOR UNLOAD",
    ]


def bootstrap(
    redshift_data: Any,
    secrets: Any,
    *,
    cluster_id: str,
    database: str,
    admin_secret_arn: str,
    etl_secret_arn: str,
    default_role_arn: str,
) -> list[str]:
    """Create (or re-password) the ETL user and grant it what ETL needs; idempotent.
    Returns the Data API ids of the statements it ran, in order."""
    user = read_user(secrets, etl_secret_arn)
    run = _Runner(redshift_data, cluster_id, database, admin_secret_arn)
    error = run(create_statement(user), tolerate=_EXISTS)
    if error is not None:
        run(password_statement(user))
    for statement in grant_statements(user, database, default_role_arn):
        run(statement)
    return run.ids


def read_user(secrets: Any, secret_arn: str) -> EtlUser:
    try:
        value = json.loads(secrets.get_secret_value(SecretId=secret_arn)["SecretString"])
        return EtlUser(username=value["username"], password=value["password"])
    except (KeyError, ValueError, TypeError) as exc:
        raise DeployError(
            f"secret {secret_arn} is not a database secret with username and password "
            f"({type(exc).__name__})"
        ) from None


class _Runner:
    """Runs one statement through the Data API and waits for it to end."""

    def __init__(self, client: Any, cluster_id: str, database: str, secret_arn: str) -> None:
        self.client = client
        self.target = {"ClusterIdentifier": cluster_id, "Database": database}
        self.secret_arn = secret_arn
        self.ids: list[str] = []

    def __call__(self, sql: str, tolerate: str | None = None) -> str | None:
        """None once the statement finished; its error if it failed with `tolerate` in it."""
        started = self.client.execute_statement(**self.target, SecretArn=self.secret_arn, Sql=sql)
        self.ids.append(started["Id"])
        deadline = time.monotonic() + _TIMEOUT_SECONDS
        while True:
            described = self.client.describe_statement(Id=started["Id"])
            status = described["Status"]
            if status == _FINISHED:
                return None
            if status in _FAILED:
                error = described.get("Error", status)
                if tolerate is not None and tolerate in error:
                    return error
                raise DeployError(f"creating the ETL user: `{_shown(sql)}` failed: {error}")
            if time.monotonic() > deadline:
                raise DeployError(
                    f"creating the ETL user: `{_shown(sql)}` still {status} after "
                    f"{_TIMEOUT_SECONDS} s (Data API statement {started['Id']})"
                )
            time.sleep(_POLL_SECONDS)


def _shown(sql: str) -> str:
    """A statement for an error message: the password hash left out."""
    head, sep, _ = sql.partition(" PASSWORD ")
    return f"{head} PASSWORD '...'" if sep else sql


def _identifier(name: str) -> str:
    if not name.replace("_", "").isalnum() or '"' in name:
        raise DeployError(f"{name!r} is not a plain database name")
    return f'"{name}"'


def _literal(text: str) -> str:
    if "'" in text or "\\" in text:
        raise DeployError(f"{text!r} cannot be a SQL literal here")
    return f"'{text}'"
