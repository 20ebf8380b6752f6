"""`infra.deploy.deploy()` against the local AWS (infra/local), the same code path as AWS.

One server and one deploy for the module: every stack, every resource in its backend,
the artifacts in S3, outputs, the ETL user's statements, a redeploy that changes nothing,
the secret pointed at a real PostgreSQL database (prefix infra_), and executions of the
generated state machines in the local Step Functions with real Glue runs of the runner
wheel: a scheduled run started once however often the schedule delivers it, a failing step
failing at its step after one attempt and alerted by the notifier with the runner's error
line and the redrive command, and an unusable input; with a stand-in runner
(tests/local_aws/glue_scripts.py), no failed run started again by the state machine.
"""

from __future__ import annotations

import dataclasses
import json
import secrets
import textwrap
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pg
import pytest
import yaml

from etlkit import execution_log
from etlkit_core import pricing
from etlkit_core.pipeline_graph import load_graph
from etlkit_core.spec import load_spec
from infra import artifacts, asl
from infra.deploy import DeployResult, deploy, deploy_pipeline, point_secret_at
from infra.local.server import LocalAws
from tests.local_aws.glue_scripts import stand_in_job

from .conftest import substitute

pytestmark = pytest.mark.slow

REGION = "us-east-1"
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}


class _Loader(yaml.SafeLoader):
    """Only the resource types of a template matter here; intrinsic values do not."""


_Loader.add_multi_constructor("!", lambda loader, suffix, node: None)


def template_types(name: str, false_conditions: frozenset[str] = frozenset()) -> dict[str, str]:
    """Logical id -> type of the template's resources, but those whose Condition is false."""
    path = asl.REPO_ROOT / "infra" / "templates" / f"{name}.yaml"
    document = yaml.load(path.read_text(), Loader=_Loader)  # noqa: S506 - a SafeLoader
    return {
        logical: body["Type"]
        for logical, body in document["Resources"].items()
        if body.get("Condition") not in false_conditions
    }


def _admin(dbname: str = "postgres") -> Any:
    return pg.DB(dbname=dbname, **PG)


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    name = f"infra_deploy_{uuid.uuid4().hex[:8]}"
    try:
        admin = _admin()
    except pg.Error as exc:
        pytest.skip(
            f"PostgreSQL at {PG['host']}:{PG['port']} is not reachable ({exc}); run make pg"
        )
    admin.query(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        admin.query(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture(scope="module")
def deployed(local_aws: LocalAws, database: str) -> DeployResult:
    result = deploy(
        endpoint_url=local_aws.endpoint_url,
        region=REGION,
        parameters={"DatabaseName": database, "AlertEmail": "data-team@example.com"},
    )
    point_secret_at(
        endpoint_url=local_aws.endpoint_url,
        region=REGION,
        secret_id=result.secret_arn,
        host=PG["host"],
        port=PG["port"],
        username=PG["user"],
        password=PASSWORD,
        dbname=database,
    )
    return result


PASSWORD = "pw-" + secrets.token_hex(12)  # trust auth ignores it; tests look for leaks


# ------------------------------------------------------------------ resources


def _existence_checks(aws: LocalAws) -> dict[str, Callable[[str], Any]]:
    """Type -> a call that raises unless the resource with that physical id exists."""
    ec2, s3, iam = aws.client("ec2"), aws.client("s3"), aws.client("iam")
    return {
        "AWS::EC2::VPC": lambda i: ec2.describe_vpcs(VpcIds=[i]),
        "AWS::EC2::Subnet": lambda i: ec2.describe_subnets(SubnetIds=[i]),
        "AWS::EC2::RouteTable": lambda i: ec2.describe_route_tables(RouteTableIds=[i]),
        "AWS::EC2::SubnetRouteTableAssociation": lambda i: _assert(
            any(
                a["RouteTableAssociationId"] == i
                for t in ec2.describe_route_tables()["RouteTables"]
                for a in t["Associations"]
            )
        ),
        "AWS::EC2::VPCEndpoint": lambda i: ec2.describe_vpc_endpoints(VpcEndpointIds=[i]),
        "AWS::EC2::SecurityGroup": lambda i: ec2.describe_security_groups(GroupIds=[i]),
        "AWS::EC2::SecurityGroupIngress": lambda i: _assert(
            ec2.describe_security_group_rules()["SecurityGroupRules"]
        ),
        "AWS::S3::Bucket": lambda i: s3.head_bucket(Bucket=i),
        "AWS::S3::BucketPolicy": lambda i: _assert(
            "aws:SecureTransport" in s3.get_bucket_policy(Bucket=i)["Policy"]
        ),
        "AWS::IAM::Role": lambda i: iam.get_role(RoleName=i),
        "AWS::SecretsManager::Secret": lambda i: aws.client("secretsmanager").describe_secret(
            SecretId=i
        ),
        "AWS::SecretsManager::SecretTargetAttachment": lambda i: aws.client(
            "secretsmanager"
        ).describe_secret(SecretId=i),
        "AWS::Redshift::Cluster": lambda i: aws.client("redshift").describe_clusters(
            ClusterIdentifier=i
        ),
        "AWS::Redshift::ClusterSubnetGroup": lambda i: aws.client(
            "redshift"
        ).describe_cluster_subnet_groups(ClusterSubnetGroupName=i),
        "AWS::Redshift::ClusterParameterGroup": lambda i: aws.client(
            "redshift"
        ).describe_cluster_parameter_groups(ParameterGroupName=i),
        "AWS::Glue::Connection": lambda i: aws.client("glue").get_connection(Name=i),
        "AWS::Glue::Job": lambda i: aws.client("glue").get_job(JobName=i),
        "AWS::SNS::Topic": lambda i: aws.client("sns").get_topic_attributes(TopicArn=i),
        "AWS::SNS::Subscription": lambda i: aws.client("sns").get_subscription_attributes(
            SubscriptionArn=i
        ),
        "AWS::Logs::LogGroup": lambda i: _assert(
            aws.client("logs").describe_log_groups(logGroupNamePrefix=i)["logGroups"]
        ),
        "AWS::StepFunctions::StateMachine": lambda i: aws.client(
            "stepfunctions"
        ).describe_state_machine(stateMachineArn=i),
        "AWS::Scheduler::Schedule": lambda i: aws.client("scheduler").get_schedule(Name=i),
        "AWS::SQS::Queue": lambda i: aws.client("sqs").get_queue_attributes(QueueUrl=i),
        "AWS::CloudWatch::Alarm": lambda i: _assert(
            aws.client("cloudwatch").describe_alarms(AlarmNames=[i])["MetricAlarms"]
        ),
        "AWS::Events::Rule": lambda i: _assert(
            aws.client("events").describe_rule(Name=i.rsplit("/", 1)[-1])["EventPattern"]
        ),
        "AWS::SQS::QueuePolicy": lambda i: _assert(
            [
                url
                for url in aws.client("sqs").list_queues()["QueueUrls"]
                if "Policy"
                in aws.client("sqs")
                .get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])
                .get("Attributes", {})
            ]
        ),
    }


def _assert(value: Any) -> None:
    assert value


def test_every_stack_is_complete_and_every_resource_exists(
    local_aws: LocalAws, deployed: DeployResult
) -> None:
    cloudformation = local_aws.client("cloudformation")
    checks = _existence_checks(local_aws)
    assert sorted(deployed.stacks) == [
        "network",
        "pipeline:reviews_etl",
        "pipeline:tickit_etl",
        "platform",
        "storage",
    ]
    for role, stack_name in deployed.stacks.items():
        template, _, pipeline = role.partition(":")
        # a pipeline scheduled by Airflow has no EventBridge schedule (HasSchedule false)
        unscheduled = pipeline and pipeline not in deployed.schedules
        expected = template_types(template, frozenset({"HasSchedule"} if unscheduled else ()))
        (stack,) = cloudformation.describe_stacks(StackName=stack_name)["Stacks"]
        assert stack["StackStatus"] == "CREATE_COMPLETE"
        listed = cloudformation.list_stack_resources(StackName=stack_name)
        # moto lists each resource a false condition skipped as an empty summary
        resources = {
            r["LogicalResourceId"]: r
            for r in listed["StackResourceSummaries"]
            if r["LogicalResourceId"]
        }
        assert sorted(resources) == sorted(expected), stack_name
        for logical_id, kind in expected.items():
            assert kind in checks, f"no existence check for {kind}"
            checks[kind](resources[logical_id]["PhysicalResourceId"])


def test_outputs_hold_what_airflow_needs(deployed: DeployResult) -> None:
    for key in (
        "GlueJobName",
        "ScriptsBucket",
        "DataBucket",
        "SecretArn",
        "DbName",
        "AlertTopicArn",
        "RedshiftRoleArn",
        "VpcId",
    ):
        assert deployed.outputs[key], key
    assert set(deployed.state_machines) == {"reviews_etl", "tickit_etl"}
    assert deployed.state_machines["reviews_etl"].startswith("arn:aws:states:us-east-1:")
    # tickit_etl's scheduler is airflow: no EventBridge schedule
    assert set(deployed.schedules) == {"reviews_etl"}
    json.dumps(deployed.to_json())  # serialisable for .local/env and the CLI


def test_runner_wheel_script_sql_and_definitions_are_in_the_scripts_bucket(
    local_aws: LocalAws, deployed: DeployResult
) -> None:
    s3 = local_aws.client("s3")

    def stored(uri: str) -> bytes:
        bucket, key = uri.removeprefix("s3://").split("/", 1)
        return s3.get_object(Bucket=bucket, Key=key)["Body"].read()

    assert stored(deployed.artifacts["RunnerScript"]) == artifacts.GLUE_SCRIPT.read_bytes()
    assert stored(deployed.artifacts["RunnerWheel"])[:2] == b"PK"
    committed = asl.asl_path(load_spec(asl.SQL_ROOT / "reviews" / "pipeline.yaml"))
    assert stored(deployed.artifacts["Definition:reviews_etl"]) == committed.read_bytes()
    for upload in artifacts.sql_uploads():
        body = s3.get_object(Bucket=deployed.scripts_bucket, Key=upload.key)["Body"].read()
        assert body == upload.path.read_bytes(), upload.key


def test_glue_job_runs_the_uploaded_wheel_with_the_contract_arguments(
    local_aws: LocalAws, deployed: DeployResult, database: str
) -> None:
    job = local_aws.client("glue").get_job(JobName=deployed.glue_job_name)["Job"]
    assert job["Command"]["PythonVersion"] == "3.9"
    assert job["MaxCapacity"] == 0.0625
    arguments = job["DefaultArguments"]
    assert arguments["--extra-py-files"] == deployed.artifacts["RunnerWheel"]
    assert arguments["--db"] == database
    assert arguments["--db_creds"] == deployed.secret_arn
    assert arguments["--bucket"] == deployed.scripts_bucket
    assert arguments["library-set"] == "analytics"
    assert arguments["--lineage"] == "off"  # the Lineage parameter's default


def test_state_machine_is_the_committed_definition_with_the_stacks_values(
    local_aws: LocalAws, deployed: DeployResult
) -> None:
    described = local_aws.client("stepfunctions").describe_state_machine(
        stateMachineArn=deployed.state_machines["reviews_etl"]
    )
    committed = (asl.OUT_DIR / "reviews_etl.asl.json").read_text()
    expected = substitute(
        committed,
        {
            "GlueJobName": deployed.glue_job_name,
            "AlertTopicArn": deployed.alert_topic_arn,
            "DataBucket": deployed.data_bucket,
        },
    )
    assert json.loads(described["definition"]) == json.loads(expected)


def test_schedule_starts_the_machine_daily_with_the_scheduled_time(
    local_aws: LocalAws, deployed: DeployResult
) -> None:
    schedule = local_aws.client("scheduler").get_schedule(Name=deployed.schedules["reviews_etl"])
    assert schedule["ScheduleExpression"] == "cron(0 2 * * ? *)"
    assert schedule["ScheduleExpressionTimezone"] == "UTC"
    assert schedule["Target"]["Arn"] == deployed.state_machines["reviews_etl"]
    assert json.loads(schedule["Target"]["Input"]) == {
        "scheduled_time": "<aws.scheduler.scheduled-time>"
    }


def test_the_etl_user_is_created_with_a_password_hash_and_granted_what_etl_needs(
    local_aws: LocalAws, deployed: DeployResult
) -> None:
    """What deploy sent to the Data API (the local AWS records it; only a real cluster runs
    it): the user with an MD5 hash, never the password, then its grants."""
    from infra import etl_user

    secrets_client = local_aws.client("secretsmanager")
    # as generated by the stack, before point_secret_at pointed it at PostgreSQL: read the
    # first version's user and password the way deploy did
    versions = secrets_client.list_secret_version_ids(SecretId=deployed.secret_arn)["Versions"]
    first = min(versions, key=lambda version: version["CreatedDate"])
    generated = json.loads(
        secrets_client.get_secret_value(SecretId=deployed.secret_arn, VersionId=first["VersionId"])[
            "SecretString"
        ]
    )
    user = etl_user.EtlUser(generated["username"], generated["password"])
    assert user.username == deployed.outputs["EtlUsername"] == "etl_runner"
    data_api = local_aws.client("redshift-data")
    ids = etl_user.bootstrap(
        data_api,
        secrets_client,
        cluster_id=deployed.outputs["RedshiftClusterId"],
        database=deployed.db_name,
        admin_secret_arn=deployed.outputs["AdminSecretArn"],
        etl_secret_arn=deployed.secret_arn,
        default_role_arn=deployed.outputs["RedshiftRoleArn"],
    )
    sent = [data_api.describe_statement(Id=id_) for id_ in ids]
    assert {s["SecretArn"] for s in sent} == {deployed.outputs["AdminSecretArn"]}
    texts = [s["QueryString"] for s in sent]
    current = json.loads(
        secrets_client.get_secret_value(SecretId=deployed.secret_arn)["SecretString"]
    )
    expected_user = etl_user.EtlUser(current["username"], current["password"])
    assert texts[0] == (
        f"CREATE USER \"{current['username']}\" PASSWORD '{expected_user.password_hash}'"
    )
    assert texts[1:] == etl_user.grant_statements(
        expected_user, deployed.db_name, deployed.outputs["RedshiftRoleArn"]
    )
    assert all(current["password"] not in text for text in texts)
    assert user.password not in repr(user)


def test_cluster_default_iam_role_is_the_redshift_role(
    local_aws: LocalAws, deployed: DeployResult
) -> None:
    (cluster,) = local_aws.client("redshift").describe_clusters(
        ClusterIdentifier=deployed.outputs["RedshiftClusterId"]
    )["Clusters"]
    assert cluster["DefaultIamRoleArn"] == deployed.outputs["RedshiftRoleArn"]
    assert cluster["Encrypted"] is True and cluster["PubliclyAccessible"] is False


def test_secret_points_at_postgres_and_is_never_logged(
    local_aws: LocalAws, deployed: DeployResult, database: str, caplog: pytest.LogCaptureFixture
) -> None:
    value = json.loads(
        local_aws.client("secretsmanager").get_secret_value(SecretId=deployed.secret_arn)[
            "SecretString"
        ]
    )
    assert value == {
        "engine": "postgres",
        "host": PG["host"],
        "port": PG["port"],
        "username": PG["user"],
        "password": PASSWORD,
        "dbname": database,
    }
    caplog.set_level("DEBUG", logger="infra.deploy")
    point_secret_at(
        endpoint_url=local_aws.endpoint_url,
        region=REGION,
        secret_id=deployed.secret_arn,
        host=PG["host"],
        port=PG["port"],
        username=PG["user"],
        password=PASSWORD,
        dbname=database,
    )
    assert caplog.records and PASSWORD not in caplog.text


def test_redeploy_changes_nothing(local_aws: LocalAws, deployed: DeployResult) -> None:
    s3 = local_aws.client("s3")
    versions = s3.list_object_versions(Bucket=deployed.scripts_bucket)["Versions"]
    again = deploy(
        endpoint_url=local_aws.endpoint_url,
        region=REGION,
        parameters={"DatabaseName": deployed.db_name, "AlertEmail": "data-team@example.com"},
    )
    assert again.outputs == deployed.outputs
    assert again.state_machines == deployed.state_machines
    assert again.artifacts == deployed.artifacts
    assert s3.list_object_versions(Bucket=deployed.scripts_bucket)["Versions"] == versions


# ------------------------------------------------------------------ executions

PROBE_SPEC = """\
    name: infra_probe
    schedule: "0 3 * * *"
    scheduler: stepfunctions
    start_date: 2024-01-01
    retries: 2
    retry_delay_minutes: 1
    step_timeout_minutes: 5
    params:
      run_date: {type: date, from: data_interval_start}
      target: {type: identifier, default: probe_rows}
    steps:
      - {id: make_table, file: make_table.sql, params: [target]}
      - {id: insert_row, file: insert_row.sql, params: [run_date, target], after: [make_table]}
    """
PROBE_SQL = {
    "make_table.sql": "-- @param target identifier\n"
    "CREATE TABLE IF NOT EXISTS ${target} (run_date date, note text);\n",
    "insert_row.sql": "-- @param run_date date\n-- @param target identifier\n"
    "DELETE FROM ${target} WHERE run_date = '${run_date}';\n"
    "INSERT INTO ${target} VALUES ('${run_date}', 'step functions');\n",
}


def deploy_probe(
    local_aws: LocalAws, deployed: DeployResult, root: Any, spec_text: str, sql: dict[str, str]
) -> str:
    """Deploy a pipeline written only for a test onto the deployed platform: its state
    machine runs real Glue runs of the deployed runner against PostgreSQL."""
    spec_dir = root / "sql" / "probe"
    spec_dir.mkdir(parents=True)
    (spec_dir / "pipeline.yaml").write_text(textwrap.dedent(spec_text))
    for name, text in sql.items():
        (spec_dir / name).write_text(text)
    (arn,) = deploy_pipeline(deployed=deployed, sql_root=root / "sql").values()
    return arn


@pytest.fixture(scope="module")
def probe(
    local_aws: LocalAws, deployed: DeployResult, tmp_path_factory: pytest.TempPathFactory
) -> str:
    return deploy_probe(
        local_aws, deployed, tmp_path_factory.mktemp("probe"), PROBE_SPEC, PROBE_SQL
    )


@pytest.fixture(scope="module")
def alerts(local_aws: LocalAws, deployed: DeployResult) -> Callable[[], list[str]]:
    """Reads the alert topic back through an SQS subscription."""
    sqs = local_aws.client("sqs")
    queue = sqs.create_queue(QueueName="infra-alerts")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])
    local_aws.client("sns").subscribe(
        TopicArn=deployed.alert_topic_arn,
        Protocol="sqs",
        Endpoint=queue_arn["Attributes"]["QueueArn"],
        Attributes={"RawMessageDelivery": "true"},
    )

    def read(expected: int = 0, timeout: float = 30) -> list[str]:
        """The alerts published so far, waiting up to `timeout` for `expected` of them
        (the notifier runs after the execution has ended)."""
        found: list[str] = []
        deadline = time.monotonic() + timeout
        while True:
            got = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", [])
            for message in got:
                sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
            found += [message["Body"] for message in got]
            if len(found) >= expected or time.monotonic() > deadline:
                return found
            time.sleep(0.2)

    return read


def run(
    local_aws: LocalAws, arn: str, execution_input: dict[str, Any], name: str | None = None
) -> dict[str, Any]:
    sfn = local_aws.client("stepfunctions")
    execution = sfn.start_execution(
        stateMachineArn=arn,
        name=name or f"t-{uuid.uuid4().hex[:12]}",
        input=json.dumps(execution_input),
    )["executionArn"]
    return wait(local_aws, execution)


def wait(local_aws: LocalAws, execution: str, timeout: float = 60) -> dict[str, Any]:
    sfn = local_aws.client("stepfunctions")
    deadline = time.monotonic() + timeout
    active = ("RUNNING", "PENDING_REDRIVE")
    while (described := sfn.describe_execution(executionArn=execution))["status"] in active:
        assert time.monotonic() < deadline, f"execution still running after {timeout} s"
        time.sleep(0.2)
    history = sfn.get_execution_history(executionArn=execution, maxResults=1000)["events"]
    return {**described, "events": [event["type"] for event in history], "history": history}


def glue_attempts(done: dict[str, Any]) -> list[dict[str, Any]]:
    """The Glue runs an execution started (TaskStarted events of glue tasks)."""
    return [
        event
        for event in done["history"]
        if event["type"] == "TaskStarted"
        and event["taskStartedEventDetails"].get("resourceType") == "glue"
    ]


def test_a_scheduled_run_starts_the_dates_execution_once_however_often_it_is_delivered(
    local_aws: LocalAws, probe: str, database: str
) -> None:
    """EventBridge Scheduler delivers at least once: each delivery's execution starts the
    run date's own, named after the date; the second finds the name taken and ends."""
    sfn = local_aws.client("stepfunctions")
    delivery = {"scheduled_time": "2024-03-01T03:00:00Z"}
    first = run(local_aws, probe, delivery)
    assert first["status"] == "SUCCEEDED", first
    assert "TaskScheduled" in first["events"] and "ParallelStateEntered" not in first["events"]
    dated = json.loads(first["output"])["started"]
    assert dated.endswith(":2024-02-29")
    done = wait(local_aws, dated)
    assert done["status"] == "SUCCEEDED", done
    assert json.loads(done["input"]) == {"run_date": "2024-02-29"}
    output = json.loads(done["output"])
    assert output["params"] == {"run_date": "2024-02-29", "target": "probe_rows"}
    assert set(output["runs"]) == {"make_table", "insert_row"}
    assert done["events"].count("TaskSucceeded") == 2

    again = run(local_aws, probe, delivery)  # the same tick delivered again, later
    assert again["status"] == "SUCCEEDED"
    assert json.loads(again["output"]) == {"already_started": "2024-02-29"}
    names = [e["name"] for e in sfn.list_executions(stateMachineArn=probe)["executions"]]
    assert names.count("2024-02-29") == 1
    db = _admin(database)
    try:
        rows = db.query("SELECT run_date::text, note FROM probe_rows").getresult()
    finally:
        db.close()
    assert rows == [("2024-02-29", "step functions")]


def test_a_failing_step_fails_the_execution_there_and_the_alert_names_the_redrive(
    local_aws: LocalAws, probe: str, alerts: Callable[[], list[str]]
) -> None:
    """A SQL error is permanent (exit code 1): one Glue run, the execution fails AT the step
    (nothing caught it), and the notifier, started by the execution's status change, sends
    the runner's error line and the command that resumes the execution."""
    alerts()  # drop anything earlier tests published
    done = run(local_aws, probe, {"run_date": "2024-03-05", "target": "no_such_schema.t"})
    assert done["status"] == "FAILED"
    assert done["error"] == "States.TaskFailed"
    assert json.loads(done["cause"])["JobRunState"] == "FAILED"
    assert len(glue_attempts(done)) == 1
    entered = [
        e["stateEnteredEventDetails"]["name"]
        for e in done["history"]
        if e["type"].endswith("StateEntered")
    ]
    assert entered[-1] == "make_table" and "insert_row" not in entered
    (message,) = alerts(expected=1)
    assert f"execution {done['name']} ended FAILED." in message
    assert "  make_table (sql/probe/make_table.sql): Glue run jr_" in message
    assert "Command failed with exit code 1 [permanent]" in message
    assert "Error:     sqlrunner: error: s3://" in message
    assert 'schema "no_such_schema" does not exist' in message
    assert f"aws stepfunctions redrive-execution --execution-arn {done['executionArn']}" in message
    assert PASSWORD not in message


def test_an_unusable_input_fails_before_any_glue_run(
    local_aws: LocalAws, deployed: DeployResult, alerts: Callable[[], list[str]]
) -> None:
    alerts()
    done = run(local_aws, deployed.state_machines["reviews_etl"], {"rundate": "2024-01-01"})
    assert done["status"] == "FAILED"
    assert done["error"] == "InvalidExecutionInput"
    assert "unknown param(s) rundate" in done["cause"]
    assert "TaskScheduled" not in done["events"]
    (message,) = alerts(expected=1)
    assert "reviews_etl" in message and "Failed step(s): none recorded" in message
    assert "Cost:      0.0 Glue DPU-s ($0.0000), 3 state transitions ($0.0001)" in message
    assert "Error:     InvalidExecutionInput: " in message and (
        "'run_date' (date) of pipeline reviews_etl comes from the data interval" in message
    )


STAND_IN_SPEC = """\
    name: infra_stand_in
    schedule: null
    start_date: 2024-01-01
    retries: 2
    retry_delay_minutes: 1
    step_timeout_minutes: 5
    params:
      run_date: {type: date}
    steps:
      - {id: the_step, file: {behaviour}.sql, params: [run_date]}
    """


@pytest.fixture(scope="module")
def stand_in(
    local_aws: LocalAws, deployed: DeployResult, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str], str]:
    """A pipeline per stand-in behaviour, on a copy of the runner job whose script is the
    stand-in runner: its state machine ARN."""
    job = stand_in_job(
        local_aws.client("glue"), local_aws.client("s3"), deployed.glue_job_name, "infra-stand-in"
    )
    on_stand_in = dataclasses.replace(deployed, outputs={**deployed.outputs, "GlueJobName": job})
    machines: dict[str, str] = {}

    def machine(behaviour: str) -> str:
        if behaviour not in machines:
            root = tmp_path_factory.mktemp(behaviour)
            spec = STAND_IN_SPEC.replace("{behaviour}", behaviour).replace(
                "infra_stand_in", f"infra_stand_in_{behaviour}"
            )
            sql = {f"{behaviour}.sql": "-- @param run_date date\nSELECT '${run_date}';\n"}
            machines[behaviour] = deploy_probe(local_aws, on_stand_in, root, spec, sql)
        return machines[behaviour]

    return machine


@pytest.mark.parametrize(
    ("behaviour", "failure"),
    [("exit3", "transient"), ("exit1", "permanent"), ("exit2", "bad_input")],
)
def test_the_state_machine_never_runs_a_failed_step_again(
    local_aws: LocalAws,
    stand_in: Callable[[str], str],
    alerts: Callable[[], list[str]],
    behaviour: str,
    failure: str,
) -> None:
    """The runner has retried what retrying can fix (its --retries): whatever the class of
    the run's failure, the execution fails after one Glue run and alerts with the class."""
    alerts()
    done = run(local_aws, stand_in(behaviour), {"run_date": "2024-04-02"})
    assert done["status"] == "FAILED"
    assert len(glue_attempts(done)) == 1
    (started,) = [e for e in done["history"] if e["type"] == "TaskScheduled"]
    arguments = json.loads(started["taskScheduledEventDetails"]["parameters"])["Arguments"]
    assert (arguments["--retries"], arguments["--retry_delay_seconds"]) == ("2", "60")
    (message,) = alerts(expected=1)
    assert f"[{failure}]" in message
    assert f"sql/probe/{behaviour}.sql:1: statement 1: stand-in {behaviour}" in message


# ------------------------------------------------------------------ graph and resume

DIAMOND_SPEC = """\
    name: infra_diamond
    schedule: null
    start_date: 2024-01-01
    retries: 0
    step_timeout_minutes: 30
    params:
      run_date: {type: date}
      lookup: {type: identifier}
    steps:
      - {id: first, file: first.sql, params: [run_date]}
      - {id: left, file: left.sql, params: [run_date, lookup], after: [first]}
      - {id: right, file: right.sql, params: [run_date], after: [first]}
      - {id: last, file: last.sql, params: [run_date], after: [left, right]}
    """
# Each step writes a table of its own (two steps writing one table would need an order
# between them, which the diamond's middle steps must not have); `after:` draws the diamond.
_OWN_ROW = (
    "-- @param run_date date\n"
    "CREATE TABLE IF NOT EXISTS diamond_{step} (run_date date, step text);\n"
    "DELETE FROM diamond_{step} WHERE run_date = '${run_date}';\n"
)
DIAMOND_SQL = {
    "first.sql": _OWN_ROW.replace("{step}", "first")
    + "INSERT INTO diamond_first VALUES ('${run_date}', 'first');\n",
    # reads a table the caller names: one that does not exist yet makes this step fail
    "left.sql": "-- @param lookup identifier\n"
    + _OWN_ROW.replace("{step}", "left")
    + "SELECT pg_sleep(4);\n"
    "INSERT INTO diamond_left SELECT '${run_date}', 'left' FROM ${lookup} LIMIT 1;\n",
    # done well before `left` fails: a branch still running when another fails is stopped
    # with the Parallel state (as on AWS), and a redrive runs it again
    "right.sql": _OWN_ROW.replace("{step}", "right")
    + "SELECT pg_sleep(1);\nINSERT INTO diamond_right VALUES ('${run_date}', 'right');\n",
    "last.sql": _OWN_ROW.replace("{step}", "last")
    + "INSERT INTO diamond_last VALUES ('${run_date}', 'last');\n",
}
DIAMOND_ROWS = " UNION ALL ".join(
    f"SELECT step FROM diamond_{step} WHERE run_date = $1"
    for step in ("first", "left", "right", "last")
)
# (Glue Timeout minutes last a second on this server: 30 s per run.)
DIAMOND = [("first", "left"), ("first", "right"), ("left", "last"), ("right", "last")]


@pytest.fixture(scope="module")
def diamond(
    local_aws: LocalAws,
    deployed: DeployResult,
    database: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> str:
    """The diamond pipeline, deployed like any other: its graph comes from its spec's
    `after:` lists (no step reads what another writes), and is the diamond."""
    root = tmp_path_factory.mktemp("diamond")
    arn = deploy_probe(local_aws, deployed, root, DIAMOND_SPEC, DIAMOND_SQL)
    graph = load_graph(load_spec(root / "sql" / "probe" / "pipeline.yaml"))
    assert sorted((edge.before, edge.after) for edge in graph.edges) == sorted(DIAMOND)
    db = _admin(database)
    try:
        db.query("CREATE TABLE IF NOT EXISTS diamond_lookup (x int)")
        db.query("INSERT INTO diamond_lookup VALUES (1)")
    finally:
        db.close()
    return arn


def _runs_by_step(
    local_aws: LocalAws, deployed: DeployResult, since: Any, day: str
) -> dict[str, list]:
    """The probe pipelines' Glue runs for `day` started since `since` (the previous test's
    last run may have started within the second `since` allows for: its date tells it)."""
    runs = local_aws.client("glue").get_job_runs(JobName=deployed.glue_job_name)["JobRuns"]
    found: dict[str, list] = {}
    for run in runs:
        arguments = run.get("Arguments", {})
        file = arguments.get("--file", "")
        run_date = json.loads(arguments.get("--params") or "{}").get("run_date")
        if run["StartedOn"] >= since and file.startswith("sql/probe/") and run_date == day:
            found.setdefault(file.rsplit("/", 1)[-1].removesuffix(".sql"), []).append(run)
    return found


def _diamond_rows(database: str, day: str) -> list[str]:
    db = _admin(database)
    try:
        rows = db.query(
            f"SELECT step FROM ({DIAMOND_ROWS}) AS steps ORDER BY step", (day,)
        ).getresult()
    finally:
        db.close()
    return [row[0] for row in rows]


def test_the_diamonds_independent_steps_overlap_and_every_edge_holds(
    local_aws: LocalAws, deployed: DeployResult, diamond: str, database: str
) -> None:
    since = _now(local_aws)
    day = "2024-05-01"
    done = run(local_aws, diamond, {"run_date": day, "lookup": "diamond_lookup"})
    assert done["status"] == "SUCCEEDED", done
    runs = {step: only for step, (only,) in _runs_by_step(local_aws, deployed, since, day).items()}
    start = {step: run["StartedOn"] for step, run in runs.items()}
    end = {step: run["CompletedOn"] for step, run in runs.items()}
    for before, after in DIAMOND:
        assert end[before] <= start[after], (before, after)
    assert start["left"] < end["right"] and start["right"] < end["left"], "no overlap"
    print(
        "diamond: left", start["left"], "-", end["left"], "right", start["right"], "-", end["right"]
    )
    assert _diamond_rows(database, "2024-05-01") == ["first", "last", "left", "right"]


def test_a_redrive_reruns_the_failed_step_and_what_follows_only(
    local_aws: LocalAws,
    deployed: DeployResult,
    diamond: str,
    database: str,
    alerts: Callable[[], list[str]],
) -> None:
    """`left` reads a table that does not exist yet: the execution fails at `left` while
    `right` finishes. Once the table exists, the redrive the alert names runs `left` and
    `last`; `first` and `right` do not run again, and the data is whole."""
    alerts()
    since = _now(local_aws)
    day = "2024-05-02"
    failed = run(local_aws, diamond, {"run_date": day, "lookup": "diamond_lookup_later"})
    assert failed["status"] == "FAILED" and failed["error"] == "States.TaskFailed", failed["cause"]
    assert {k: len(v) for k, v in _runs_by_step(local_aws, deployed, since, day).items()} == {
        "first": 1, "left": 1, "right": 1,
    }  # fmt: skip
    (message,) = alerts(expected=1)
    assert "  left (sql/probe/left.sql): Glue run jr_" in message
    command = f"aws stepfunctions redrive-execution --execution-arn {failed['executionArn']}"
    assert command in message
    # what the execution cost, priced by the notifier as the _stepfunctions DAG's task log
    # prices it: three runs (two succeeded, one failed), at least Glue's minimum each
    logged = execution_log.report(
        *(local_aws.client(name) for name in ("stepfunctions", "glue", "logs")),
        failed["executionArn"],
    )
    (cost,) = [line for line in message.splitlines() if line.startswith("Cost:")]
    assert cost == "Cost:      " + logged.cost.removeprefix("cost: ")
    least = 3 * pricing.GLUE_MINIMUM_BILLED_SECONDS * min(pricing.GLUE_PYTHON_SHELL_DPU)
    assert float(cost.split()[1]) >= float(pricing.shown(least, 1))

    db = _admin(database)
    try:  # the fix: the table it reads now exists
        db.query("CREATE TABLE diamond_lookup_later AS SELECT 1 AS x")
    finally:
        db.close()
    local_aws.client("stepfunctions").redrive_execution(executionArn=failed["executionArn"])
    done = wait(local_aws, failed["executionArn"])
    assert done["status"] == "SUCCEEDED", done
    counts = {k: len(v) for k, v in _runs_by_step(local_aws, deployed, since, day).items()}
    assert counts == {"first": 1, "left": 2, "right": 1, "last": 1}
    assert _diamond_rows(database, day) == ["first", "last", "left", "right"]
    assert json.loads(done["output"])["runs"].keys() == {"first", "left", "right", "last"}


def _now(local_aws: LocalAws) -> Any:
    import datetime as dt

    return dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
