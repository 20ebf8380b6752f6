"""`make deploy-mwaa`: build the MWAA bundle and deploy it to its environment, one command.

    python -m infra.mwaa.deploy --region eu-west-1 [--profile prod] [--stack-prefix etlkit]
        [--parameter EnvironmentClass=mw1.medium ...] [--endpoint-url URL]

`make deploy` (python -m infra.deploy) comes first: this reads what it deployed. Steps:
1. The platform's wiring, from the deployed stacks of the prefix: the storage, platform
   and network stacks' outputs, and the state machine of every pipeline stack.
2. `make package` into dist/mwaa/ (infra/mwaa/package.py).
3. The environment stack, `<prefix>-mwaa` from infra/mwaa/mwaa-environment.yaml: if it
   has no bucket yet, a first pass with CreateEnvironment=false makes it.
4. plugins.zip and requirements.txt go to the versioned bucket, each only if its bytes
   changed; their S3 version ids are what the environment is pinned to.
5. The stack is created or updated with CreateEnvironment=true and those versions, the
   stacks' wiring, the given parameters (EnvironmentName defaults to the prefix); CloudFormation creates or updates the
   environment and waits for it (20-30 minutes when plugins.zip or requirements.txt
   changed; nothing to do when neither did).
6. dags/ is synced: changed files uploaded, files the bundle no longer has deleted. MWAA
   picks them up without an update. It runs after step 5 so the DAGs never run ahead of
   the plugins they import, and not at all when step 5 failed.
Prints a JSON summary: stack, bucket, object versions, DAG files written and deleted,
and the outputs (the Airflow UI's URL among them).
"""

from __future__ import annotations

import hashlib
import logging
import sys
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from infra import REPO_ROOT, deploy_cli
from infra.errors import DeployError
from infra.mwaa import package
from infra.stacks import Template, deploy_stack, stack_outputs, stack_status

LOG = logging.getLogger("infra.deploy")

TEMPLATE = REPO_ROOT / "infra" / "mwaa" / "mwaa-environment.yaml"
VERSIONED_FILES = {
    "plugins.zip": "PluginsObjectVersion",
    "requirements.txt": "RequirementsObjectVersion",
}
DAGS_PREFIX = "dags/"  # the template's DagS3Path
# Parameters this command sets itself (from the stacks, the bundle and the uploads).
WIRED = frozenset(
    {
        "GlueJobName",
        "DataBucket",
        "AlertTopicArn",
        "StateMachineArns",
        "StateMachineNamePrefix",
        "CreateEnvironment",
        "AirflowVersion",
        *VERSIONED_FILES.values(),
    }
)


@dataclass
class MwaaDeployResult:
    stack: str
    bucket: str
    versions: dict[str, str]
    dags_written: list[str] = field(default_factory=list)
    dags_deleted: list[str] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)


def deploy_mwaa(
    *,
    region: str,
    endpoint_url: str | None = None,
    profile: str | None = None,
    stack_prefix: str = "etlkit",
    parameters: Mapping[str, str] | None = None,
    bundle: Path = package.OUT,
) -> MwaaDeployResult:
    """Steps 1-6 of the module doc."""
    given = dict(parameters or {})
    template = Template.load(TEMPLATE)
    _check_parameters(given, template)
    try:
        session = boto3.Session(profile_name=profile, region_name=region)
    except BotoCoreError as exc:
        raise DeployError(f"AWS session: {exc}") from None
    cloudformation = session.client("cloudformation", endpoint_url=endpoint_url)
    s3 = session.client("s3", endpoint_url=endpoint_url)

    settings = {
        "EnvironmentName": stack_prefix,
        **platform_wiring(cloudformation, stack_prefix),
        **given,
        "AirflowVersion": package.AIRFLOW_VERSION,
    }
    _check_network(settings, stack_prefix)
    try:
        package.build(bundle)
    except package.PackageError as exc:
        raise DeployError(f"building the MWAA bundle: {exc}") from None

    name = f"{stack_prefix}-mwaa"
    bucket = _environment_bucket(cloudformation, name, template, settings)
    versions = {
        parameter: put_versioned(s3, bucket, key, bundle / key)
        for key, parameter in VERSIONED_FILES.items()
    }
    LOG.info("bundle in s3://%s: %s", bucket, versions)
    outputs = deploy_stack(
        cloudformation,
        name=name,
        template=template,
        parameters={**settings, **versions, "CreateEnvironment": "true"},
    )
    written, deleted = sync_dags(s3, bucket, bundle / "dags")
    return MwaaDeployResult(
        stack=name,
        bucket=bucket,
        versions=versions,
        dags_written=written,
        dags_deleted=deleted,
        outputs=outputs,
    )


def platform_wiring(cloudformation: Any, stack_prefix: str) -> dict[str, str]:
    """The template's parameters that come from the platform `make deploy` made."""
    outputs: dict[str, str] = {}
    for part in ("network", "storage", "platform"):
        stack = f"{stack_prefix}-{part}"
        if stack_status(cloudformation, stack) is not None:
            outputs |= stack_outputs(cloudformation, stack)
        elif part != "network":  # an existing VPC replaces the network stack
            raise DeployError(f"stack {stack} does not exist: run `make deploy` first")
    result = {
        "outputs": outputs,
        "stacks": {"storage": f"{stack_prefix}-storage"},
        "state_machines": _state_machines(cloudformation, stack_prefix),
    }
    try:
        wired = package.environment_parameters(result)
    except package.PackageError as exc:
        raise DeployError(f"the {stack_prefix} stacks: {exc}") from None
    return {item["ParameterKey"]: item["ParameterValue"] for item in wired}


def _state_machines(cloudformation: Any, stack_prefix: str) -> dict[str, str]:
    """{pipeline: state machine ARN} of every live pipeline stack of the prefix."""
    machines = {}
    try:
        for page in cloudformation.get_paginator("describe_stacks").paginate():
            for stack in page["Stacks"]:
                given = {
                    p["ParameterKey"]: p.get("ParameterValue") for p in stack.get("Parameters", [])
                }
                outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
                if (
                    given.get("NamePrefix") == stack_prefix
                    and "PipelineName" in given
                    and "StateMachineArn" in outputs
                    and not stack["StackStatus"].startswith("DELETE")
                ):
                    machines[given["PipelineName"]] = outputs["StateMachineArn"]
    except ClientError as exc:
        raise DeployError(f"listing the {stack_prefix} pipeline stacks: {exc}") from None
    return machines


def _check_parameters(given: Mapping[str, str], template: Template) -> None:
    unknown = sorted(set(given) - set(template.parameters))
    if unknown:
        raise DeployError(
            f"unknown parameter(s) {', '.join(unknown)}; {TEMPLATE.name} takes: "
            + ", ".join(sorted(set(template.parameters) - WIRED))
        )
    wired = sorted(set(given) & WIRED)
    if wired:
        raise DeployError(
            f"parameter(s) {', '.join(wired)} are set by deploy-mwaa from the stacks and the bundle"
        )


def _check_network(settings: Mapping[str, str], stack_prefix: str) -> None:
    missing = [name for name in ("VpcId", "SubnetIds") if not settings.get(name)]
    if missing:
        raise DeployError(
            f"no {' or '.join(missing)}: the {stack_prefix}-network stack has none (an existing "
            'VPC was used); pass PARAMS="VpcId=vpc-... SubnetIds=subnet-a,subnet-b"'
        )


def _environment_bucket(
    cloudformation: Any, name: str, template: Template, settings: Mapping[str, str]
) -> str:
    """The environment's bucket; a first pass without the environment makes it."""
    if stack_status(cloudformation, name) is not None:
        bucket = stack_outputs(cloudformation, name).get("EnvironmentBucketName")
        if bucket:
            return bucket
    LOG.info("stack %s: first pass, the bucket (CreateEnvironment=false)", name)
    outputs = deploy_stack(
        cloudformation,
        name=name,
        template=template,
        parameters={**settings, "CreateEnvironment": "false"},
    )
    return outputs["EnvironmentBucketName"]


def put_versioned(s3: Any, bucket: str, key: str, path: Path) -> str:
    """Upload `path` unless the current object has the same bytes; its S3 version id."""
    body = path.read_bytes()
    digest = hashlib.md5(body).hexdigest()  # noqa: S324 - compared with the S3 ETag
    try:
        try:
            head = s3.head_object(Bucket=bucket, Key=key)
            if head["ETag"].strip('"') == digest and head.get("VersionId"):
                return head["VersionId"]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") not in ("404", "NoSuchKey", "NotFound"):
                raise
        version = s3.put_object(Bucket=bucket, Key=key, Body=body).get("VersionId")
    except ClientError as exc:
        raise DeployError(f"uploading {path} to s3://{bucket}/{key}: {exc}") from None
    if not version:
        raise DeployError(f"s3://{bucket} is not versioned: MWAA needs object versions")
    return version


def sync_dags(s3: Any, bucket: str, dags: Path) -> tuple[list[str], list[str]]:
    """Make s3://bucket/dags/ hold exactly `dags`; returns the keys written and deleted."""
    local = {
        DAGS_PREFIX + path.relative_to(dags).as_posix(): path
        for path in sorted(dags.rglob("*"))
        if path.is_file()
    }
    remote: dict[str, str] = {}
    try:
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=DAGS_PREFIX):
            remote |= {item["Key"]: item["ETag"].strip('"') for item in page.get("Contents", [])}
        written = []
        for key, path in local.items():
            body = path.read_bytes()
            if remote.get(key) != hashlib.md5(body).hexdigest():  # noqa: S324 - S3 ETag
                s3.put_object(Bucket=bucket, Key=key, Body=body)
                written.append(key)
        deleted = sorted(set(remote) - set(local))
        for start in range(0, len(deleted), 1000):  # DeleteObjects takes up to 1000 keys
            s3.delete_objects(
                Bucket=bucket,
                Delete={"Objects": [{"Key": key} for key in deleted[start : start + 1000]]},
            )
    except ClientError as exc:
        raise DeployError(f"syncing {dags} to s3://{bucket}/{DAGS_PREFIX}: {exc}") from None
    LOG.info("dags: %d file(s) written, %d deleted", len(written), len(deleted))
    return written, deleted


def main(argv: Sequence[str] | None = None) -> int:
    parser = deploy_cli.parser(
        "python -m infra.mwaa.deploy",
        "Build the MWAA bundle and deploy it and its environment (after `make deploy`).",
        endpoint_help="another endpoint (tests)",
        template="mwaa-environment.yaml (e.g. EnvironmentClass=mw1.medium)",
    )
    return deploy_cli.run(parser, argv, deploy_mwaa, asdict)


if __name__ == "__main__":
    sys.exit(main())
