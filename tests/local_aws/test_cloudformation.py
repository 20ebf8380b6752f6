"""The production templates (infra/templates/*.yaml) deploy to the local AWS as they are.

Every resource of every stack must exist in its moto backend afterwards: the check is a
describe/get call per resource type, so a type that moto skips silently (stack still
CREATE_COMPLETE) fails here, and so does a type without a check in EXISTENCE_CHECKS.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from infra import asl
from infra.local.server import LocalAws

REPO = Path(__file__).resolve().parents[2]
TEMPLATES = REPO / "infra" / "templates"
ASL = REPO / "infra" / "statemachine" / "reviews_etl.asl.json"
TEMPLATE_NAMES = ("network", "storage", "platform", "pipeline")

pytestmark = pytest.mark.skipif(
    not all((TEMPLATES / f"{name}.yaml").exists() for name in TEMPLATE_NAMES) or not ASL.exists(),
    reason="infra/templates/{network,storage,platform,pipeline}.yaml or the ASL is missing",
)


def _vpc_endpoint(aws: LocalAws, physical_id: str) -> Any:
    return aws.client("ec2").describe_vpc_endpoints(VpcEndpointIds=[physical_id])


def _subnet_association(aws: LocalAws, physical_id: str) -> Any:
    tables = aws.client("ec2").describe_route_tables()["RouteTables"]
    found = [
        association
        for table in tables
        for association in table["Associations"]
        if association["RouteTableAssociationId"] == physical_id and association.get("SubnetId")
    ]
    assert found, f"route table association {physical_id} not found"


def _security_group_ingress(aws: LocalAws, physical_id: str) -> Any:
    rules = aws.client("ec2").describe_security_group_rules()["SecurityGroupRules"]
    assert rules, "no security group rules at all"


def _role(aws: LocalAws, physical_id: str) -> Any:
    return aws.client("iam").get_role(RoleName=physical_id)


def _log_group(aws: LocalAws, physical_id: str) -> Any:
    groups = aws.client("logs").describe_log_groups(logGroupNamePrefix=physical_id)["logGroups"]
    assert [g for g in groups if g["logGroupName"] == physical_id], physical_id


def _bucket_policy(aws: LocalAws, physical_id: str) -> Any:
    policy = json.loads(aws.client("s3").get_bucket_policy(Bucket=physical_id)["Policy"])
    assert policy["Statement"], policy


def _subscription(aws: LocalAws, physical_id: str) -> Any:
    return aws.client("sns").get_subscription_attributes(SubscriptionArn=physical_id)


def _schedule(aws: LocalAws, physical_id: str) -> Any:
    return aws.client("scheduler").get_schedule(Name=physical_id)


def _secret(aws: LocalAws, physical_id: str) -> Any:
    return aws.client("secretsmanager").describe_secret(SecretId=physical_id)


def _alarm(aws: LocalAws, physical_id: str) -> Any:
    alarms = aws.client("cloudwatch").describe_alarms(AlarmNames=[physical_id])["MetricAlarms"]
    assert [alarm["AlarmName"] for alarm in alarms] == [physical_id]


# AWS type -> a call that fails (or asserts) unless the resource with this physical id exists.
def _queue_policy(aws: LocalAws, physical_id: str) -> None:
    sqs = aws.client("sqs")
    with_policy = [
        url
        for url in sqs.list_queues().get("QueueUrls", [])
        if sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])
        .get("Attributes", {})
        .get("Policy")
    ]
    assert with_policy, f"queue policy {physical_id}: no queue has a policy"


EXISTENCE_CHECKS: dict[str, Callable[[LocalAws, str], Any]] = {
    "AWS::EC2::VPC": lambda aws, i: aws.client("ec2").describe_vpcs(VpcIds=[i]),
    "AWS::EC2::Subnet": lambda aws, i: aws.client("ec2").describe_subnets(SubnetIds=[i]),
    "AWS::EC2::RouteTable": lambda aws, i: aws.client("ec2").describe_route_tables(
        RouteTableIds=[i]
    ),
    "AWS::EC2::SubnetRouteTableAssociation": _subnet_association,
    "AWS::EC2::SecurityGroup": lambda aws, i: aws.client("ec2").describe_security_groups(
        GroupIds=[i]
    ),
    "AWS::EC2::SecurityGroupIngress": _security_group_ingress,
    "AWS::EC2::VPCEndpoint": _vpc_endpoint,
    "AWS::S3::Bucket": lambda aws, i: aws.client("s3").head_bucket(Bucket=i),
    "AWS::S3::BucketPolicy": _bucket_policy,
    "AWS::IAM::Role": _role,
    "AWS::SecretsManager::Secret": _secret,
    "AWS::SecretsManager::SecretTargetAttachment": _secret,
    "AWS::Redshift::Cluster": lambda aws, i: aws.client("redshift").describe_clusters(
        ClusterIdentifier=i
    ),
    "AWS::Redshift::ClusterSubnetGroup": lambda aws, i: aws.client(
        "redshift"
    ).describe_cluster_subnet_groups(ClusterSubnetGroupName=i),
    "AWS::Redshift::ClusterParameterGroup": lambda aws, i: aws.client(
        "redshift"
    ).describe_cluster_parameter_groups(ParameterGroupName=i),
    "AWS::Glue::Connection": lambda aws, i: aws.client("glue").get_connection(Name=i),
    "AWS::Glue::Job": lambda aws, i: aws.client("glue").get_job(JobName=i),
    "AWS::Glue::Database": lambda aws, i: aws.client("glue").get_database(Name=i),
    "AWS::SNS::Topic": lambda aws, i: aws.client("sns").get_topic_attributes(TopicArn=i),
    "AWS::SNS::Subscription": _subscription,
    "AWS::Logs::LogGroup": _log_group,
    "AWS::StepFunctions::StateMachine": lambda aws, i: aws.client(
        "stepfunctions"
    ).describe_state_machine(stateMachineArn=i),
    "AWS::Scheduler::Schedule": _schedule,
    "AWS::SQS::Queue": lambda aws, i: aws.client("sqs").get_queue_attributes(QueueUrl=i),
    "AWS::CloudWatch::Alarm": _alarm,
    "AWS::Events::Rule": lambda aws, i: aws.client("events").describe_rule(
        Name=i.rsplit("/", 1)[-1]
    ),
    "AWS::SQS::QueuePolicy": _queue_policy,
}


class _Loader(yaml.SafeLoader):
    """Reads a template's resource list; the intrinsic functions' values do not matter here."""


_Loader.add_multi_constructor("!", lambda loader, suffix, node: None)


def template_resources(name: str) -> dict[str, str]:
    document = yaml.load((TEMPLATES / f"{name}.yaml").read_text(), Loader=_Loader)  # noqa: S506
    return {logical: body["Type"] for logical, body in document["Resources"].items()}


def deploy(aws: LocalAws, stack_name: str, template: str, parameters: dict[str, str]) -> dict:
    cloudformation = aws.client("cloudformation")
    cloudformation.create_stack(
        StackName=stack_name,
        TemplateBody=(TEMPLATES / f"{template}.yaml").read_text(),
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
        Capabilities=["CAPABILITY_NAMED_IAM"],
    )
    stack = cloudformation.describe_stacks(StackName=stack_name)["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack
    return {output["OutputKey"]: output["OutputValue"] for output in stack.get("Outputs", [])}


def assert_every_resource_exists(aws: LocalAws, stack_name: str, template: str) -> None:
    listed = {
        summary["LogicalResourceId"]: summary
        for summary in aws.client("cloudformation").list_stack_resources(StackName=stack_name)[
            "StackResourceSummaries"
        ]
    }
    declared = template_resources(template)
    assert sorted(declared) == sorted(listed), f"{stack_name}: resources not created"
    for logical_id, resource_type in declared.items():
        check = EXISTENCE_CHECKS.get(resource_type)
        assert check is not None, f"no existence check for {resource_type}: add one"
        physical_id = listed[logical_id]["PhysicalResourceId"]
        check(aws, physical_id)


@pytest.fixture(scope="module")
def stacks(local_aws: LocalAws) -> dict[str, dict[str, str]]:
    """The four stacks deployed in order, every condition true; their outputs by stack."""
    network = deploy(local_aws, "etl-network", "network", {"CreateInterfaceEndpoints": "true"})
    storage = deploy(local_aws, "etl-storage", "storage", {})
    platform_parameters = {
        "VpcId": network["VpcId"],
        "SubnetIds": network["SubnetIds"],
        "GlueSubnetAvailabilityZone": network["GlueSubnetAvailabilityZone"],
        "ScriptsBucket": storage["ScriptsBucket"],
        "DataBucket": storage["DataBucket"],
        "RunnerWheelKey": "glue/sqlrunner-0.1.0-py3-none-any.whl",
        "AlertEmail": "alerts@example.com",
    }
    platform = deploy(local_aws, "etl-platform", "platform", platform_parameters)
    definition_key = "statemachine/reviews_etl-test.asl.json"
    local_aws.client("s3").put_object(
        Bucket=storage["ScriptsBucket"], Key=definition_key, Body=ASL.read_bytes()
    )
    notifier_key = "statemachine/_notifier-test.asl.json"
    local_aws.client("s3").put_object(
        Bucket=storage["ScriptsBucket"], Key=notifier_key, Body=asl.NOTIFIER_PATH.read_bytes()
    )
    pipeline = deploy(
        local_aws,
        "etl-pipeline-reviews",
        "pipeline",
        {
            # a prefix of its own: the session's server also holds tests/infra's deploy
            "NamePrefix": "etl",
            "PipelineName": "reviews_etl",
            "DefinitionBucket": storage["ScriptsBucket"],
            "DefinitionKey": definition_key,
            "NotifierDefinitionKey": notifier_key,
            "GlueJobName": platform["GlueJobName"],
            "AlertTopicArn": platform["AlertTopicArn"],
            "DataBucket": storage["DataBucket"],
            "ScheduleExpression": "cron(0 2 * * ? *)",
        },
    )
    return {
        "network": network,
        "storage": storage,
        "platform": platform,
        "pipeline": pipeline,
        "platform_parameters": platform_parameters,
    }


@pytest.mark.parametrize(
    ("stack_name", "template"),
    [
        ("etl-network", "network"),
        ("etl-storage", "storage"),
        ("etl-platform", "platform"),
        ("etl-pipeline-reviews", "pipeline"),
    ],
)
def test_every_template_resource_exists_in_its_backend(
    local_aws: LocalAws, stacks: dict, stack_name: str, template: str
) -> None:
    assert_every_resource_exists(local_aws, stack_name, template)


@pytest.mark.parametrize(
    ("output", "username"), [("SecretArn", "etl_runner"), ("AdminSecretArn", "etl_admin")]
)
def test_secrets_are_generated_and_attached_to_the_cluster(
    local_aws: LocalAws, stacks: dict, output: str, username: str
) -> None:
    platform = stacks["platform"]
    secret = json.loads(
        local_aws.client("secretsmanager").get_secret_value(SecretId=platform[output])[
            "SecretString"
        ]
    )
    assert secret["engine"] == "redshift"
    assert secret["username"] == username
    assert secret["dbname"] == "etl"
    assert len(secret["password"]) >= 8
    assert secret["host"] == platform["RedshiftEndpointAddress"]
    assert str(secret["port"]) == platform["RedshiftEndpointPort"] == "5439"
    cluster = local_aws.client("redshift").describe_clusters(
        ClusterIdentifier=platform["RedshiftClusterId"]
    )["Clusters"][0]
    # {{resolve:secretsmanager:...}} in the template reached the cluster resolved.
    assert cluster["MasterUsername"] == "etl_admin"
    assert cluster["Endpoint"]["Address"] == platform["RedshiftEndpointAddress"]


def test_glue_job_is_the_templates_python_shell_job(local_aws: LocalAws, stacks: dict) -> None:
    platform, storage = stacks["platform"], stacks["storage"]
    job = local_aws.client("glue").get_job(JobName=platform["GlueJobName"])["Job"]
    assert job["Command"]["Name"] == "pythonshell"
    assert job["Command"]["ScriptLocation"] == f"s3://{storage['ScriptsBucket']}/glue/run_sql.py"
    assert job["ExecutionProperty"] == {"MaxConcurrentRuns": 4}
    assert job["Timeout"] == 120
    assert job["MaxCapacity"] == 0.0625
    assert job["DefaultArguments"]["--db_creds"] == platform["SecretArn"]
    assert job["Connections"] == {"Connections": [platform["GlueConnectionName"]]}


def test_state_machine_is_substituted_and_executable(local_aws: LocalAws, stacks: dict) -> None:
    pipeline, platform = stacks["pipeline"], stacks["platform"]
    sfn = local_aws.client("stepfunctions")
    machine = sfn.describe_state_machine(stateMachineArn=pipeline["StateMachineArn"])
    assert machine["name"] == pipeline["StateMachineName"] == "etl-reviews_etl"
    assert "${" not in machine["definition"]
    assert platform["GlueJobName"] in machine["definition"]
    # The executing store holds it: an execution runs (and fails fast on bad input).
    execution_arn = sfn.start_execution(
        stateMachineArn=pipeline["StateMachineArn"], input=json.dumps({"bogus": 1})
    )["executionArn"]
    from tests.local_aws.conftest import wait_for

    described = wait_for(
        lambda: sfn.describe_execution(executionArn=execution_arn),
        lambda d: d["status"] != "RUNNING",
    )
    assert described["status"] == "FAILED"


def test_schedule_targets_the_state_machine_with_a_dead_letter_queue(
    local_aws: LocalAws, stacks: dict
) -> None:
    schedule = local_aws.client("scheduler").get_schedule(Name=stacks["pipeline"]["ScheduleName"])
    assert schedule["Target"]["Arn"] == stacks["pipeline"]["StateMachineArn"]
    assert schedule["ScheduleExpression"] == "cron(0 2 * * ? *)"
    assert schedule["State"] == "ENABLED"
    sqs = local_aws.client("sqs")
    queue_url = stacks["pipeline"]["ScheduleDeadLetterQueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])
    assert schedule["Target"]["DeadLetterConfig"]["Arn"] == queue_arn["Attributes"]["QueueArn"]


def test_execution_alarms_watch_this_state_machine(local_aws: LocalAws, stacks: dict) -> None:
    pipeline = stacks["pipeline"]
    names = pipeline["ExecutionAlarms"].split(",")
    alarms = local_aws.client("cloudwatch").describe_alarms(AlarmNames=names)["MetricAlarms"]
    assert sorted((a["Namespace"], a["MetricName"]) for a in alarms) == [
        ("AWS/States", "ExecutionsFailed"),
        ("AWS/States", "ExecutionsTimedOut"),
    ]
    for alarm in alarms:
        assert alarm["Dimensions"] == [
            {"Name": "StateMachineArn", "Value": pipeline["StateMachineArn"]}
        ]
        assert alarm["AlarmActions"] == [stacks["platform"]["AlertTopicArn"]]


def test_tls_only_bucket_policy_leaves_local_s3_usable(local_aws: LocalAws, stacks: dict) -> None:
    s3 = local_aws.client("s3")
    bucket = stacks["storage"]["ScriptsBucket"]
    s3.put_object(Bucket=bucket, Key="probe.txt", Body=b"ok")
    assert s3.get_object(Bucket=bucket, Key="probe.txt")["Body"].read() == b"ok"


def test_stack_update_changes_resources_in_place(local_aws: LocalAws, stacks: dict) -> None:
    platform = stacks["platform"]
    local_aws.client("cloudformation").update_stack(
        StackName="etl-platform",
        TemplateBody=(TEMPLATES / "platform.yaml").read_text(),
        Parameters=[
            {"ParameterKey": key, "ParameterValue": value}
            for key, value in {
                **stacks["platform_parameters"],
                "GlueJobTimeoutMinutes": "30",
            }.items()
        ],
        Capabilities=["CAPABILITY_NAMED_IAM"],
    )
    job = local_aws.client("glue").get_job(JobName=platform["GlueJobName"])["Job"]
    assert job["Timeout"] == 30
    # Resources whose properties did not change keep their identity.
    clusters = local_aws.client("redshift").describe_clusters()["Clusters"]
    assert platform["RedshiftClusterId"] in [c["ClusterIdentifier"] for c in clusters]


def test_stack_delete_removes_added_resource_types(local_aws: LocalAws, stacks: dict) -> None:
    pipeline = stacks["pipeline"]
    local_aws.client("cloudformation").delete_stack(StackName="etl-pipeline-reviews")
    machines = local_aws.client("stepfunctions").list_state_machines()["stateMachines"]
    assert pipeline["StateMachineArn"] not in [m["stateMachineArn"] for m in machines]
    schedules = local_aws.client("scheduler").list_schedules()["Schedules"]
    assert pipeline["ScheduleName"] not in [s["Name"] for s in schedules]
    alarms = local_aws.client("cloudwatch").describe_alarms(
        AlarmNames=pipeline["ExecutionAlarms"].split(",")
    )["MetricAlarms"]
    assert alarms == []


def test_cluster_default_iam_role_can_be_set_as_deploy_does(
    local_aws: LocalAws, stacks: dict
) -> None:
    platform = stacks["platform"]
    redshift = local_aws.client("redshift")
    redshift.modify_cluster_iam_roles(
        ClusterIdentifier=platform["RedshiftClusterId"],
        DefaultIamRoleArn=platform["RedshiftRoleArn"],
    )
    cluster = redshift.describe_clusters(ClusterIdentifier=platform["RedshiftClusterId"])[
        "Clusters"
    ][0]
    assert cluster["DefaultIamRoleArn"] == platform["RedshiftRoleArn"]
    assert [role["IamRoleArn"] for role in cluster["IamRoles"]] == [platform["RedshiftRoleArn"]]
