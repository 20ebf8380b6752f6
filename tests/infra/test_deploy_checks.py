"""deploy's checks that need no AWS: parameters, artifact keys, and how a failed stack
is explained."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber

from infra import artifacts
from infra.deploy import deploy
from infra.errors import DeployError, StackError
from infra.stacks import failure_reasons

# Nothing listens here: a check that wrongly reached AWS would fail with a connection error.
UNREACHABLE = "http://127.0.0.1:9"


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        ({"NodeTyp": "ra3.large"}, "unknown parameter(s) NodeTyp"),
        ({"GlueJobName": "mine"}, "GlueJobName are set by deploy"),
        ({"VpcId": "vpc-1"}, "an existing VPC needs all of VpcId, SubnetIds"),
    ],
)
def test_bad_parameters_are_refused_before_any_aws_call(
    parameters: dict[str, str], message: str
) -> None:
    with pytest.raises(DeployError, match=re.escape(message)):
        deploy(endpoint_url=UNREACHABLE, region="us-east-1", parameters=parameters)


def _wheel(path: Path, content: bytes, when: tuple[int, ...]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zipfile.ZipInfo("sqlrunner/__init__.py", date_time=when), content)
    return path


def test_wheel_key_follows_content_not_timestamps(tmp_path: Path) -> None:
    name = "sqlrunner-1.0.0-py3-none-any.whl"
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "c").mkdir()
    first = artifacts.wheel_key(_wheel(tmp_path / "a" / name, b"x = 1\n", (2020, 2, 2, 0, 0, 0)))
    rebuilt = artifacts.wheel_key(_wheel(tmp_path / "b" / name, b"x = 1\n", (2024, 5, 1, 9, 0, 0)))
    changed = artifacts.wheel_key(_wheel(tmp_path / "c" / name, b"x = 2\n", (2020, 2, 2, 0, 0, 0)))
    assert first == rebuilt
    assert first != changed
    assert first.startswith("glue/wheels/") and first.endswith("/" + name)


def test_definition_key_follows_the_definition(tmp_path: Path) -> None:
    path = tmp_path / "p.asl.json"
    path.write_text("{}\n")
    before = artifacts.definition_key("p", path)
    path.write_text('{"StartAt": "x"}\n')
    assert artifacts.definition_key("p", path) != before
    assert before.startswith("statemachine/p/") and before.endswith(".asl.json")


def test_every_sql_file_is_uploaded_under_its_step_key(tmp_path: Path) -> None:
    (tmp_path / "orders").mkdir()
    (tmp_path / "orders" / "load.sql").write_text("SELECT 1;")
    (tmp_path / "orders" / "__pycache__").mkdir()
    (tmp_path / "orders" / "__pycache__" / "x.pyc").write_bytes(b"")
    keys = [upload.key for upload in artifacts.sql_uploads(tmp_path)]
    assert keys == ["sql/orders/load.sql"]


def test_stack_failure_names_each_failed_resource__stubbed_cloudformation() -> None:
    # moto fails a bad template synchronously instead of recording failed events, so the
    # event stream of a real failed create is replayed here through botocore's Stubber.
    client = boto3.client(
        "cloudformation",
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )
    now = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)

    def event(logical: str, kind: str, status: str, reason: str = "") -> dict:
        return {
            "StackId": "arn:stack",
            "EventId": f"{logical}-{status}",
            "StackName": "etlkit-platform",
            "LogicalResourceId": logical,
            "ResourceType": kind,
            "Timestamp": now,
            "ResourceStatus": status,
            **({"ResourceStatusReason": reason} if reason else {}),
        }

    events = [  # newest first, as CloudFormation returns them
        event("etlkit-platform", "AWS::CloudFormation::Stack", "ROLLBACK_COMPLETE"),
        event("SqlRunnerJob", "AWS::Glue::Job", "CREATE_FAILED", "Resource creation cancelled"),
        event("RedshiftCluster", "AWS::Redshift::Cluster", "CREATE_FAILED", "NodeType invalid"),
        event(
            "etlkit-platform", "AWS::CloudFormation::Stack", "CREATE_IN_PROGRESS", "User Initiated"
        ),
        event("Older", "AWS::S3::Bucket", "CREATE_FAILED", "from an earlier operation"),
    ]
    with Stubber(client) as stub:
        stub.add_response(
            "describe_stack_events", {"StackEvents": events}, {"StackName": "etlkit-platform"}
        )
        reasons = failure_reasons(client, "etlkit-platform")
    assert reasons == [
        "RedshiftCluster (AWS::Redshift::Cluster): NodeType invalid",
        "SqlRunnerJob (AWS::Glue::Job): Resource creation cancelled",
    ]
    message = str(StackError("etlkit-platform", "ROLLBACK_COMPLETE", reasons))
    assert "stack etlkit-platform ended ROLLBACK_COMPLETE" in message
    assert "- RedshiftCluster (AWS::Redshift::Cluster): NodeType invalid" in message
