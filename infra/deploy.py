"""One deploy for real AWS and for the local AWS: only the endpoint differs.

    python -m infra.deploy --profile prod --region eu-west-1
    python -m infra.deploy --endpoint-url http://127.0.0.1:4566 --region us-east-1
    python -m infra.deploy ... --parameter VpcId=vpc-1 --parameter SubnetIds=subnet-a,subnet-b \\
        --parameter GlueSubnetAvailabilityZone=eu-west-1a     # an existing VPC: no network stack

Steps, in this order because each needs the previous one's outputs:
1. refuse if a spec's params disagree with its SQL files' `-- @param` headers, or a
   committed state machine differs from its spec (`python -m infra.asl`);
2. network stack (`<prefix>-network`), unless VpcId is given;
3. storage stack (`<prefix>-storage`): the scripts and data buckets;
4. build the runner wheel (`uv build`), upload it, the Glue script, every `sql/**` file and
   the state machines (infra.artifacts) - before the platform points the Glue job at them;
5. platform stack (`<prefix>-platform`), then the cluster's default IAM role, which
   CloudFormation has no property for (ModifyClusterIamRoles), then the ETL user the
   pipelines run as, created with the admin secret through the Redshift Data API
   (infra/etl_user.py);
6. one `<prefix>-pipeline-<name>` stack per `sql/*/pipeline.yaml`.
The outputs (DeployResult) are what Airflow's configuration and `.local/env` are made of.

`point_secret_at` is the one extra step a local stack takes: it replaces the generated
Redshift credentials with the local PostgreSQL's (engine postgres), after deploy.
Credentials come from the usual boto3 chain (profile, environment); the local AWS accepts
any, e.g. AWS_ACCESS_KEY_ID=testing.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError, WaiterError

from etlkit_core.spec import PipelineSpec, SpecError, discover, verify_sql
from infra import REPO_ROOT, artifacts, deploy_cli, etl_user
from infra.asl import NOTIFIER_PATH, asl_path, stale_files, write
from infra.errors import DeployError
from infra.schedule import eventbridge_cron
from infra.stacks import WAITER_CONFIG, Template, deploy_stack

LOG = logging.getLogger("infra.deploy")

TEMPLATES = REPO_ROOT / "infra" / "templates"
# The notifier's key prefix under the state machine definitions (no pipeline has this name).
NOTIFIER = "_notifier"
# Parameters that select an existing VPC instead of the network stack.
NETWORK_PARAMETERS = ("VpcId", "SubnetIds", "GlueSubnetAvailabilityZone")
# Parameters deploy itself fills from other stacks' outputs and the uploads.
WIRED_PARAMETERS = frozenset(
    {
        "ScriptsBucket",
        "DataBucket",
        "RunnerScriptKey",
        "RunnerWheelKey",
        "NamePrefix",
        "PipelineName",
        "DefinitionBucket",
        "DefinitionKey",
        "NotifierDefinitionKey",
        "GlueJobName",
        "AlertTopicArn",
        "ScheduleExpression",
    }
)


@dataclass(frozen=True)
class DeployResult:
    """What a deploy produced. `outputs` merges the network, storage and platform stacks'
    outputs (ScriptsBucket, DataBucket, GlueJobName, SecretArn (the ETL user's),
    AdminSecretArn, DbName, AlertTopicArn, RedshiftRoleArn, ...); `state_machines` maps each
    pipeline's name to its ARN."""

    region: str
    endpoint_url: str | None
    stacks: dict[str, str]
    outputs: dict[str, str]
    state_machines: dict[str, str]
    schedules: dict[str, str] = field(default_factory=dict)
    artifacts: dict[str, str] = field(default_factory=dict)

    @property
    def glue_job_name(self) -> str:
        return self.outputs["GlueJobName"]

    @property
    def scripts_bucket(self) -> str:
        return self.outputs["ScriptsBucket"]

    @property
    def data_bucket(self) -> str:
        return self.outputs["DataBucket"]

    @property
    def secret_arn(self) -> str:
        return self.outputs["SecretArn"]

    @property
    def db_name(self) -> str:
        return self.outputs["DbName"]

    @property
    def alert_topic_arn(self) -> str:
        return self.outputs["AlertTopicArn"]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def deploy(
    *,
    endpoint_url: str | None,
    region: str,
    profile: str | None = None,
    stack_prefix: str = "etlkit",
    parameters: dict[str, str] | None = None,
) -> DeployResult:
    """Deploy (create or update) every stack and upload every artifact; see the module doc."""
    given = dict(parameters or {})
    templates = {name: Template.load(TEMPLATES / f"{name}.yaml") for name in _TEMPLATE_NAMES}
    _check_parameters(given, templates)
    specs = _specs_with_current_definitions()
    aws = _Clients(endpoint_url=endpoint_url, region=region, profile=profile)
    cloudformation = aws.client("cloudformation")

    def settings(template: str) -> dict[str, str]:
        return {k: v for k, v in given.items() if k in templates[template].parameters}

    stacks: dict[str, str] = {}
    outputs: dict[str, str] = {}

    network = {k: given[k] for k in NETWORK_PARAMETERS if k in given}
    if not network:
        stacks["network"] = f"{stack_prefix}-network"
        outputs |= deploy_stack(
            cloudformation,
            name=stacks["network"],
            template=templates["network"],
            parameters=settings("network"),
        )
        network = {k: outputs[k] for k in NETWORK_PARAMETERS}

    stacks["storage"] = f"{stack_prefix}-storage"
    outputs |= deploy_stack(
        cloudformation,
        name=stacks["storage"],
        template=templates["storage"],
        parameters=settings("storage"),
        termination_protection=True,
    )
    bucket = outputs["ScriptsBucket"]

    s3 = aws.client("s3")
    with artifacts.temporary_directory() as scratch:
        wheel = artifacts.build_wheel(Path(scratch))
        wheel_key = artifacts.wheel_key(wheel)
        definition_keys = {
            spec.name: artifacts.definition_key(spec.name, asl_path(spec)) for spec in specs
        }
        notifier_key = artifacts.definition_key(NOTIFIER, NOTIFIER_PATH)
        artifacts.upload(
            s3,
            bucket,
            [
                artifacts.Upload(wheel, wheel_key),
                artifacts.Upload(artifacts.GLUE_SCRIPT, artifacts.GLUE_SCRIPT_KEY),
                *artifacts.sql_uploads(),
                *(artifacts.Upload(asl_path(spec), definition_keys[spec.name]) for spec in specs),
                artifacts.Upload(NOTIFIER_PATH, notifier_key),
            ],
        )

    stacks["platform"] = f"{stack_prefix}-platform"
    outputs |= deploy_stack(
        cloudformation,
        name=stacks["platform"],
        template=templates["platform"],
        parameters={
            **settings("platform"),
            **network,
            "ScriptsBucket": bucket,
            "DataBucket": outputs["DataBucket"],
            "RunnerScriptKey": artifacts.GLUE_SCRIPT_KEY,
            "RunnerWheelKey": wheel_key,
        },
        termination_protection=True,
    )
    set_default_iam_role(
        aws.client("redshift"), outputs["RedshiftClusterId"], outputs["RedshiftRoleArn"]
    )
    etl_user.bootstrap(
        aws.client("redshift-data"),
        aws.client("secretsmanager"),
        cluster_id=outputs["RedshiftClusterId"],
        database=outputs["DbName"],
        admin_secret_arn=outputs["AdminSecretArn"],
        etl_secret_arn=outputs["SecretArn"],
        default_role_arn=outputs["RedshiftRoleArn"],
    )

    state_machines: dict[str, str] = {}
    schedules: dict[str, str] = {}
    for spec in specs:
        name = f"{stack_prefix}-pipeline-{spec.name.replace('_', '-')}"
        stacks[f"pipeline:{spec.name}"] = name
        pipeline_outputs = deploy_stack(
            cloudformation,
            name=name,
            template=templates["pipeline"],
            parameters={
                **settings("pipeline"),
                **pipeline_parameters(
                    spec,
                    stack_prefix=stack_prefix,
                    definition=(bucket, definition_keys[spec.name]),
                    notifier_key=notifier_key,
                    outputs=outputs,
                ),
            },
        )
        state_machines[spec.name] = pipeline_outputs["StateMachineArn"]
        if "ScheduleName" in pipeline_outputs:
            schedules[spec.name] = pipeline_outputs["ScheduleName"]

    return DeployResult(
        region=region,
        endpoint_url=endpoint_url,
        stacks=stacks,
        outputs=outputs,
        state_machines=state_machines,
        schedules=schedules,
        artifacts={
            "RunnerWheel": f"s3://{bucket}/{wheel_key}",
            "RunnerScript": f"s3://{bucket}/{artifacts.GLUE_SCRIPT_KEY}",
            **{
                f"Definition:{pipeline}": f"s3://{bucket}/{key}"
                for pipeline, key in definition_keys.items()
            },
        },
    )


def deploy_pipeline(
    *,
    deployed: DeployResult,
    sql_root: Path,
    profile: str | None = None,
    stack_prefix: str = "etlkit",
) -> dict[str, str]:
    """Deploy the pipelines of another SQL tree (a test's or a benchmark's specs) onto an
    already deployed platform: their SQL and generated definitions are uploaded and one
    pipeline stack is made per spec, exactly as `deploy` does for `sql/`. Returns the
    state machine ARN of each pipeline."""
    specs = discover(sql_root)
    for spec in specs:
        verify_sql(spec)
    aws = _Clients(endpoint_url=deployed.endpoint_url, region=deployed.region, profile=profile)
    bucket = deployed.scripts_bucket
    with artifacts.temporary_directory() as scratch:
        write(sql_root, Path(scratch))
        paths = {spec.name: asl_path(spec, Path(scratch)) for spec in specs}
        keys = {spec.name: artifacts.definition_key(spec.name, paths[spec.name]) for spec in specs}
        notifier_key = artifacts.definition_key(NOTIFIER, NOTIFIER_PATH)
        artifacts.upload(
            aws.client("s3"),
            bucket,
            [
                *artifacts.sql_uploads(sql_root),
                *(artifacts.Upload(paths[spec.name], keys[spec.name]) for spec in specs),
                artifacts.Upload(NOTIFIER_PATH, notifier_key),
            ],
        )
    template = Template.load(TEMPLATES / "pipeline.yaml")
    machines = {}
    for spec in specs:
        outputs = deploy_stack(
            aws.client("cloudformation"),
            name=f"{stack_prefix}-pipeline-{spec.name.replace('_', '-')}",
            template=template,
            parameters=pipeline_parameters(
                spec,
                stack_prefix=stack_prefix,
                definition=(bucket, keys[spec.name]),
                notifier_key=notifier_key,
                outputs=deployed.outputs,
            ),
        )
        machines[spec.name] = outputs["StateMachineArn"]
    return machines


def pipeline_parameters(
    spec: PipelineSpec,
    *,
    stack_prefix: str,
    definition: tuple[str, str],
    notifier_key: str,
    outputs: Mapping[str, str],
) -> dict[str, str]:
    """A pipeline stack's parameters. The EventBridge schedule exists only when the spec's
    scheduler is stepfunctions: with `scheduler: airflow` a DAG starts the runs, and two
    schedulers would start every date twice."""
    bucket, key = definition
    scheduled = spec.schedule is not None and spec.scheduler == "stepfunctions"
    return {
        "NamePrefix": stack_prefix,
        "PipelineName": spec.name,
        "DefinitionBucket": bucket,
        "DefinitionKey": key,
        "NotifierDefinitionKey": notifier_key,
        "GlueJobName": outputs["GlueJobName"],
        "AlertTopicArn": outputs["AlertTopicArn"],
        "DataBucket": outputs["DataBucket"],
        "ScheduleExpression": eventbridge_cron(spec.schedule) if scheduled else "",
    }


def set_default_iam_role(redshift: Any, cluster_id: str, role_arn: str) -> None:
    """Make `role_arn` what `IAM_ROLE default` means on the cluster, if it is not yet."""
    try:
        cluster = redshift.describe_clusters(ClusterIdentifier=cluster_id)["Clusters"][0]
        if cluster.get("DefaultIamRoleArn") == role_arn:
            return
        LOG.info("making %s the default IAM role of cluster %s", role_arn, cluster_id)
        redshift.modify_cluster_iam_roles(ClusterIdentifier=cluster_id, DefaultIamRoleArn=role_arn)
        redshift.get_waiter("cluster_available").wait(
            ClusterIdentifier=cluster_id, WaiterConfig=WAITER_CONFIG
        )
    except (ClientError, WaiterError, BotoCoreError) as exc:
        raise DeployError(f"setting the default IAM role of cluster {cluster_id}: {exc}") from None


def point_secret_at(
    *,
    endpoint_url: str | None,
    region: str,
    secret_id: str,
    host: str,
    port: int,
    username: str,
    password: str,
    dbname: str,
    engine: str = "postgres",
    profile: str | None = None,
) -> None:
    """Replace the database secret's value (standard database-secret shape). A local stack
    points it at PostgreSQL with engine postgres, which selects the runner's local adapter."""
    value = {
        "engine": engine,
        "host": host,
        "port": int(port),
        "username": username,
        "password": password,
        "dbname": dbname,
    }
    client = _Clients(endpoint_url=endpoint_url, region=region, profile=profile).client(
        "secretsmanager"
    )
    try:
        client.put_secret_value(SecretId=secret_id, SecretString=json.dumps(value))
    except ClientError as exc:
        raise DeployError(f"updating secret {secret_id}: {exc}") from None
    LOG.info("secret %s now points at %s %s:%s/%s", secret_id, engine, host, port, dbname)


# ------------------------------------------------------------------ helpers

_TEMPLATE_NAMES = ("network", "storage", "platform", "pipeline")


class _Clients:
    def __init__(self, *, endpoint_url: str | None, region: str, profile: str | None) -> None:
        self.endpoint_url = endpoint_url
        try:
            self.session = boto3.Session(profile_name=profile, region_name=region)
        except BotoCoreError as exc:
            raise DeployError(f"AWS session: {exc}") from None

    def client(self, service: str) -> Any:
        return self.session.client(service, endpoint_url=self.endpoint_url)


def _check_parameters(given: Mapping[str, str], templates: Mapping[str, Template]) -> None:
    declared = {name for template in templates.values() for name in template.parameters}
    unknown = sorted(set(given) - declared)
    if unknown:
        raise DeployError(
            f"unknown parameter(s) {', '.join(unknown)}; the templates declare: "
            + ", ".join(sorted(declared - WIRED_PARAMETERS))
        )
    wired = sorted(set(given) & WIRED_PARAMETERS)
    if wired:
        raise DeployError(
            f"parameter(s) {', '.join(wired)} are set by deploy from the stacks it creates"
        )
    network = [name for name in NETWORK_PARAMETERS if name in given]
    if network and len(network) != len(NETWORK_PARAMETERS):
        raise DeployError(
            "an existing VPC needs all of " + ", ".join(NETWORK_PARAMETERS) + f" (got {network})"
        )


def _specs_with_current_definitions() -> list[PipelineSpec]:
    try:
        specs = discover(artifacts.SQL_ROOT)
        for spec in specs:
            verify_sql(spec)  # each step passes what its SQL file declares
        stale = stale_files()
    except SpecError as exc:
        raise DeployError(f"pipeline spec: {exc}") from None
    if stale:
        raise DeployError(
            "state machine definitions are out of date with their specs; run "
            "`python -m infra.asl` and commit:\n  " + "\n  ".join(stale)
        )
    return specs


def main(argv: Sequence[str] | None = None) -> int:
    parser = deploy_cli.parser(
        "python -m infra.deploy",
        "Deploy the etlkit stacks to AWS or to the local AWS (--endpoint-url).",
        endpoint_help="the local AWS, e.g. http://127.0.0.1:4566",
        template="stack template (e.g. AlertEmail=team@example.com)",
    )
    return deploy_cli.run(parser, argv, deploy, lambda result: result.to_json())


if __name__ == "__main__":
    sys.exit(main())
