"""The CloudFormation templates: cfn-lint clean, and the properties the design promises
(encryption, no public access, TLS only, least privilege, the Python shell 3.9 runner)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cfnlint.api
import pytest
from cfnlint.decode import cfn_yaml

from infra import asl
from infra.deploy import TEMPLATES, WIRED_PARAMETERS

TEMPLATE_FILES = sorted(TEMPLATES.glob("*.yaml"))
# Statements whose Resource is "*" because AWS accepts nothing narrower; each carries a
# comment in the template citing the AWS doc that says so.
STAR_RESOURCE_SIDS = {"DescribeNetworkForConnection", "DeliverExecutionLogs"}


def load(name: str) -> dict[str, Any]:
    return cfn_yaml.loads((TEMPLATES / f"{name}.yaml").read_text())


def resources(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {
        name: body.get("Properties", {})
        for name, body in template["Resources"].items()
        if body["Type"] == kind
    }


def statements(template: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every IAM statement of every role; a conditional one (Fn::If) as its true branch."""
    for role_name, role in resources(template, "AWS::IAM::Role").items():
        for policy in role.get("Policies", []):
            for statement in policy["PolicyDocument"]["Statement"]:
                if "Fn::If" in statement:
                    statement = statement["Fn::If"][1]
                yield role_name, statement


def statement(template: dict[str, Any], role: str, sid: str) -> dict[str, Any]:
    (found,) = [s for name, s in statements(template) if name == role and s.get("Sid") == sid]
    return found


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


@pytest.mark.parametrize("path", TEMPLATE_FILES, ids=lambda path: path.name)
def test_cfn_lint_is_clean(path: Path) -> None:
    # cfn-lint's Python API: the same rules as the CLI, without a process per template.
    matches = cfnlint.api.lint_file(path)
    assert not matches, "\n".join(str(match) for match in matches)


def test_the_four_lifecycle_templates_exist() -> None:
    assert [path.stem for path in TEMPLATE_FILES] == ["network", "pipeline", "platform", "storage"]


@pytest.mark.parametrize("path", TEMPLATE_FILES, ids=lambda path: path.name)
def test_nothing_account_specific_is_hard_coded(path: Path) -> None:
    text = path.read_text()
    assert not re.search(r"\b\d{12}\b", text), "an account id"
    assert "arn:aws:" not in text, "use arn:${AWS::Partition}:"
    assert not re.search(r"\b(us|eu|ap|sa|ca|me|af)-[a-z]+-\d\b", text), "a region"


@pytest.mark.parametrize("name", ["platform", "pipeline"])
def test_iam_actions_are_named_and_star_resources_are_justified(name: str) -> None:
    for role, statement in statements(load(name)):
        actions = as_list(statement["Action"])
        assert all("*" not in action for action in actions), (role, actions)
        if "*" in as_list(statement["Resource"]):
            assert statement.get("Sid") in STAR_RESOURCE_SIDS, (role, statement)
            assert all(
                action.split(":")[1].startswith(("Describe", "List", "Get"))
                or action.startswith("logs:")
                for action in actions
            ), (role, actions)


def test_star_resource_statements_carry_a_written_reason() -> None:
    for name in ("platform", "pipeline"):
        text = (TEMPLATES / f"{name}.yaml").read_text()
        for sid in STAR_RESOURCE_SIDS:
            match = re.search(rf"((?:\s*#.*\n)+)\s*- Sid: {sid}\n", text)
            if f"Sid: {sid}" in text:
                assert match and "AWS" in match.group(1), f"{name}: {sid} needs a comment"


def test_buckets_are_private_encrypted_and_tls_only() -> None:
    storage = load("storage")
    buckets = resources(storage, "AWS::S3::Bucket")
    assert set(buckets) == {"ScriptsBucket", "DataBucket"}
    for properties in buckets.values():
        assert all(properties["PublicAccessBlockConfiguration"].values())
        (rule,) = properties["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"]
    policies = resources(storage, "AWS::S3::BucketPolicy")
    assert {p["Bucket"]["Ref"] for p in policies.values()} == set(buckets)
    for policy in policies.values():
        denies = policy["PolicyDocument"]["Statement"]
        assert any(
            s["Effect"] == "Deny" and s["Condition"]["Bool"]["aws:SecureTransport"] == "false"
            for s in denies
            if "Bool" in s.get("Condition", {})
        )
    assert storage["Resources"]["DataBucket"]["DeletionPolicy"] == "Retain"


def test_redshift_is_encrypted_private_routed_through_the_vpc_and_requires_tls() -> None:
    platform = load("platform")
    (cluster,) = resources(platform, "AWS::Redshift::Cluster").values()
    assert cluster["Encrypted"] is True
    assert cluster["PubliclyAccessible"] is False
    assert cluster["EnhancedVpcRouting"] is True
    assert cluster["IamRoles"] == [{"Fn::GetAtt": ["RedshiftRole", "Arn"]}]
    assert "resolve:secretsmanager" in cluster["MasterUserPassword"]["Fn::Sub"]
    (group,) = resources(platform, "AWS::Redshift::ClusterParameterGroup").values()
    assert {"ParameterName": "require_ssl", "ParameterValue": "true"} in group["Parameters"]
    attachments = resources(platform, "AWS::SecretsManager::SecretTargetAttachment")
    assert {a["SecretId"]["Ref"] for a in attachments.values()} == {
        "RedshiftSecret",
        "EtlUserSecret",
    }
    assert all(a["TargetType"] == "AWS::Redshift::Cluster" for a in attachments.values())
    for secret in resources(platform, "AWS::SecretsManager::Secret").values():
        assert secret["GenerateSecretString"]["GenerateStringKey"] == "password"


def test_pipelines_run_as_the_etl_user_and_the_runner_cannot_read_the_admin_secret() -> None:
    platform = load("platform")
    secrets = resources(platform, "AWS::SecretsManager::Secret")
    assert set(secrets) == {"RedshiftSecret", "EtlUserSecret"}
    etl = secrets["EtlUserSecret"]["GenerateSecretString"]["SecretStringTemplate"]["Fn::Sub"]
    assert '"username": "${EtlUsername}"' in etl
    admin = secrets["RedshiftSecret"]["GenerateSecretString"]["SecretStringTemplate"]["Fn::Sub"]
    assert '"username": "${MasterUsername}"' in admin
    (job,) = resources(platform, "AWS::Glue::Job").values()
    assert job["DefaultArguments"]["--db_creds"] == {"Ref": "EtlUserSecret"}
    read = [
        s
        for role, s in statements(platform)
        if "secretsmanager:GetSecretValue" in as_list(s["Action"])
    ]
    assert [s["Resource"] for s in read] == [{"Ref": "EtlUserSecret"}]
    outputs = platform["Outputs"]
    assert outputs["SecretArn"]["Value"] == {"Ref": "EtlUserSecret"}
    assert outputs["AdminSecretArn"]["Value"] == {"Ref": "RedshiftSecret"}


def test_the_runner_may_list_and_delete_only_under_the_report_prefix() -> None:
    platform = load("platform")
    listing = statement(platform, "RunnerRole", "ListOwnedReportPrefixes")
    assert listing["Action"] == "s3:ListBucket"
    assert listing["Resource"] == {"Fn::Sub": "arn:${AWS::Partition}:s3:::${DataBucket}"}
    assert listing["Condition"] == {"StringLike": {"s3:prefix": {"Fn::Sub": "${ReportPrefix}*"}}}
    deleting = statement(platform, "RunnerRole", "DeleteStaleReportFiles")
    assert deleting["Action"] == "s3:DeleteObject"
    assert deleting["Resource"] == {
        "Fn::Sub": "arn:${AWS::Partition}:s3:::${DataBucket}/${ReportPrefix}*"
    }
    deleting_anywhere = [
        s
        for role, s in statements(platform)
        if role == "RunnerRole" and "s3:DeleteObject" in as_list(s["Action"])
    ]
    assert deleting_anywhere == [deleting]


def test_the_runner_is_one_python_shell_39_job_with_the_contract_arguments() -> None:
    (job,) = resources(load("platform"), "AWS::Glue::Job").values()
    assert job["Command"]["Name"] == "pythonshell"
    assert job["Command"]["PythonVersion"] == "3.9"
    assert job["MaxCapacity"] == 0.0625
    assert job["ExecutionProperty"]["MaxConcurrentRuns"] == {"Ref": "GlueMaxConcurrentRuns"}
    assert job["Timeout"] == {"Ref": "GlueJobTimeoutMinutes"}
    arguments = job["DefaultArguments"]
    assert arguments["library-set"] == "analytics"
    assert arguments["--extra-py-files"] == {"Fn::Sub": "s3://${ScriptsBucket}/${RunnerWheelKey}"}
    assert {"--db", "--db_creds", "--bucket"} <= set(arguments)
    assert not {"--file", "--params"} & set(arguments), "each run passes these"
    # the runner's summary reports DPU-seconds at the job's capacity: they must agree
    assert float(arguments["--dpu"]) == job["MaxCapacity"]
    assert job["Connections"]["Connections"] == [{"Ref": "RunnerConnection"}]


def test_state_machine_substitutions_fill_every_asl_placeholder() -> None:
    pipeline = load("pipeline")
    machines = resources(pipeline, "AWS::StepFunctions::StateMachine")
    assert set(machines) == {"StateMachine", "Notifier"}
    machine, notifier = machines["StateMachine"], machines["Notifier"]
    assert set(machine["DefinitionSubstitutions"]) == set(asl.PLACEHOLDERS)
    assert set(machine["DefinitionS3Location"]) == {"Bucket", "Key"}
    assert set(notifier["DefinitionSubstitutions"]) == set(asl.NOTIFIER_PLACEHOLDERS)
    assert notifier["DefinitionS3Location"]["Key"] == {"Ref": "NotifierDefinitionKey"}


def test_failed_executions_start_the_notifier_and_undelivered_alerts_alarm() -> None:
    pipeline = load("pipeline")
    rule = pipeline["Resources"]["AlertRule"]["Properties"]
    pattern = rule["EventPattern"]
    assert pattern["source"] == ["aws.states"]
    assert pattern["detail-type"] == ["Step Functions Execution Status Change"]
    assert pattern["detail"] == {
        "status": ["FAILED", "TIMED_OUT", "ABORTED"],
        "stateMachineArn": [{"Ref": "StateMachine"}],
    }
    (target,) = rule["Targets"]
    assert target["Arn"] == {"Ref": "Notifier"}
    assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": ["AlertDeadLetterQueue", "Arn"]}}
    starting = statement(pipeline, "AlertRuleRole", "StartTheNotifier")
    assert (starting["Action"], starting["Resource"]) == (
        "states:StartExecution",
        {"Ref": "Notifier"},
    )
    reading = statement(pipeline, "NotifierRole", "ReadThePipelinesExecutions")
    assert reading["Action"] == "states:GetExecutionHistory"
    assert reading["Resource"]["Fn::Sub"].endswith(":execution:${NamePrefix}-${PipelineName}:*")
    failed = pipeline["Resources"]["NotifierFailedAlarm"]["Properties"]
    assert failed["Dimensions"] == [{"Name": "StateMachineArn", "Value": {"Ref": "Notifier"}}]
    undelivered = pipeline["Resources"]["AlertDeadLetterAlarm"]["Properties"]
    assert undelivered["Dimensions"] == [
        {"Name": "QueueName", "Value": {"Fn::GetAtt": ["AlertDeadLetterQueue", "QueueName"]}}
    ]


def test_schedule_passes_the_scheduled_time_and_is_optional() -> None:
    pipeline = load("pipeline")
    schedule = pipeline["Resources"]["Schedule"]
    assert schedule["Condition"] == "HasSchedule"
    properties = schedule["Properties"]
    assert properties["ScheduleExpressionTimezone"] == "UTC"
    assert '"scheduled_time": "<aws.scheduler.scheduled-time>"' in properties["Target"]["Input"]
    assert asl.SCHEDULED_TIME == "scheduled_time"


def test_the_schedule_dead_letters_what_it_cannot_deliver_and_that_alarms() -> None:
    pipeline = load("pipeline")
    target = pipeline["Resources"]["Schedule"]["Properties"]["Target"]
    assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": ["ScheduleDeadLetterQueue", "Arn"]}}
    queue = pipeline["Resources"]["ScheduleDeadLetterQueue"]
    assert queue["Condition"] == "HasSchedule"
    assert queue["Properties"]["KmsMasterKeyId"] == "alias/aws/sqs"
    encrypting = statement(pipeline, "SchedulerRole", "EncryptDeadLettersWithTheSqsKey")
    assert encrypting["Condition"]["ForAnyValue:StringEquals"] == {
        "kms:ResourceAliases": "alias/aws/sqs"
    }
    sending = statement(pipeline, "SchedulerRole", "DeadLetterUndeliveredRuns")
    assert sending["Action"] == "sqs:SendMessage"
    assert sending["Resource"] == {"Fn::GetAtt": ["ScheduleDeadLetterQueue", "Arn"]}
    alarm = pipeline["Resources"]["ScheduleDeadLetterAlarm"]["Properties"]
    assert (alarm["Namespace"], alarm["MetricName"]) == (
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
    )
    assert alarm["Dimensions"] == [
        {"Name": "QueueName", "Value": {"Fn::GetAtt": ["ScheduleDeadLetterQueue", "QueueName"]}}
    ]
    assert alarm["Threshold"] == 0 and alarm["ComparisonOperator"] == "GreaterThanThreshold"


@pytest.mark.parametrize(
    ("alarm", "metric"),
    [
        ("ExecutionsFailedAlarm", "ExecutionsFailed"),
        ("ExecutionsTimedOutAlarm", "ExecutionsTimedOut"),
    ],
)
def test_failed_and_timed_out_executions_alarm_per_state_machine(alarm: str, metric: str) -> None:
    properties = load("pipeline")["Resources"][alarm]["Properties"]
    assert (properties["Namespace"], properties["MetricName"]) == ("AWS/States", metric)
    assert properties["Dimensions"] == [
        {"Name": "StateMachineArn", "Value": {"Ref": "StateMachine"}}
    ]
    assert properties["Statistic"] == "Sum" and properties["Threshold"] == 0
    assert properties["ComparisonOperator"] == "GreaterThanThreshold"
    assert properties["TreatMissingData"] == "notBreaching"
    assert properties["AlarmActions"] == [{"Ref": "AlertTopicArn"}]


def test_the_state_machine_reads_only_the_runners_error_log_and_starts_only_itself() -> None:
    pipeline = load("pipeline")
    reading = statement(pipeline, "NotifierRole", "ReadRunnerErrors")
    assert reading["Action"] == "logs:GetLogEvents"
    assert reading["Resource"]["Fn::Sub"].endswith(
        ":log-group:/aws-glue/python-jobs/error:log-stream:*"
    )
    starting = statement(pipeline, "StateMachineRole", "StartTheDatedRun")
    assert starting["Action"] == "states:StartExecution"
    assert starting["Resource"]["Fn::Sub"].endswith(":stateMachine:${NamePrefix}-${PipelineName}")
    machine = pipeline["Resources"]["StateMachine"]["Properties"]
    assert machine["StateMachineName"] == {"Fn::Sub": "${NamePrefix}-${PipelineName}"}


def test_alert_email_subscription_is_conditional() -> None:
    platform = load("platform")
    subscription = platform["Resources"]["AlertEmailSubscription"]
    assert subscription["Condition"] == "HasAlertEmail"
    assert subscription["Properties"]["Protocol"] == "email"


def test_outputs_airflow_needs() -> None:
    outputs = {
        name: set(load(name).get("Outputs", {}))
        for name in ("network", "storage", "platform", "pipeline")
    }
    assert {"ScriptsBucket", "DataBucket"} <= outputs["storage"]
    assert {
        "GlueJobName",
        "SecretArn",
        "DbName",
        "AlertTopicArn",
        "RedshiftRoleArn",
        "RedshiftClusterId",
    } <= outputs["platform"]
    assert "StateMachineArn" in outputs["pipeline"]
    assert {"VpcId", "SubnetIds", "GlueSubnetAvailabilityZone"} <= outputs["network"]


def test_deploy_wires_exactly_the_parameters_without_defaults() -> None:
    declared = {
        name: {
            key for key, spec in load(name).get("Parameters", {}).items() if "Default" not in spec
        }
        for name in ("storage", "platform", "pipeline")
    }
    network_selected = {"VpcId", "SubnetIds", "GlueSubnetAvailabilityZone"}
    assert declared["storage"] == set()
    assert declared["platform"] - network_selected <= WIRED_PARAMETERS
    assert declared["pipeline"] <= WIRED_PARAMETERS
