"""`make deploy-mwaa` (infra.mwaa.deploy) against the local AWS, as far as it goes.

Real: the platform deployed by `infra.deploy` (its stacks' outputs are what the command
reads), the versioned environment bucket made by the template's first pass, the uploads
and their S3 version ids, the DAG folder sync, and CloudFormation's create and update of
the environment stack with those versions, through the same template as on AWS.

Filled in: the bucket's VersioningConfiguration, which the local AWS's CloudFormation
drops (moto 5.2.5 creates AWS::S3::Bucket with its encryption and tags only, and
infra/local/cfn does not add the rest yet): `bucket_versioning_applied` applies it as
CloudFormation does, from the template, and does nothing once the local AWS does.

Stood in: the MWAA control plane. moto has no MWAA (CloudFormation skips
AWS::MWAA::Environment, and the template's WebserverUrl output then fails), so
`RecordedMwaaEnvironment` takes the resource's place in the local AWS's CloudFormation and
records the properties CloudFormation would send to MWAA's CreateEnvironment and
UpdateEnvironment. What only a real account shows (the environment starting, pip
installing requirements.txt from plugins.zip in MWAA's containers, the DAGs in the UI) is
listed in infra/mwaa/README.md.
"""

from __future__ import annotations

import json
import uuid
import zipfile
from collections.abc import Iterator
from typing import Any, ClassVar

import pytest
from moto.cloudformation import parsing
from moto.core.common_models import CloudFormationModel
from moto.s3 import models as s3_models

from infra.deploy import deploy
from infra.errors import DeployError
from infra.mwaa import deploy as mwaa_deploy
from infra.mwaa import package

pytestmark = pytest.mark.slow

REGION = "us-east-1"


class RecordedMwaaEnvironment(CloudFormationModel):
    """AWS::MWAA::Environment in the local AWS's CloudFormation: records each create,
    update and delete with the properties CloudFormation resolved; runs nothing."""

    calls: ClassVar[list[tuple[str, str, dict[str, Any]]]] = []
    ATTRIBUTES: ClassVar[tuple[str, ...]] = ("Arn", "WebserverUrl")

    def __init__(self, name: str, properties: dict[str, Any], account_id: str, region: str):
        self.name = name
        self.properties = properties
        self.arn = f"arn:aws:airflow:{region}:{account_id}:environment/{name}"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::MWAA::Environment"

    @staticmethod
    def cloudformation_name_type() -> str:
        return "Name"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in cls.ATTRIBUTES

    def get_cfn_attribute(self, attribute_name: str) -> str:
        return {"Arn": self.arn, "WebserverUrl": f"{self.name}.airflow.local.test"}[attribute_name]

    @property
    def physical_resource_id(self) -> str:
        return self.name

    def is_created(self) -> bool:
        return True

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[override]
        cls, resource_name, cloudformation_json, account_id, region_name, **kwargs
    ):
        properties = dict(cloudformation_json["Properties"])
        cls.calls.append(("create", properties["Name"], properties))
        return cls(properties["Name"], properties, account_id, region_name)

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[override]
        cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name
    ):
        properties = dict(cloudformation_json["Properties"])
        if original_resource is not None and properties == original_resource.properties:
            return original_resource  # CloudFormation leaves an unchanged resource alone
        cls.calls.append(("update", properties["Name"], properties))
        return cls(properties["Name"], properties, account_id, region_name)

    @classmethod
    def delete_from_cloudformation_json(  # type: ignore[override]
        cls, resource_name, cloudformation_json, account_id, region_name
    ):
        cls.calls.append(("delete", resource_name, {}))

    def delete(self, account_id: str, region_name: str) -> None:
        self.calls.append(("delete", self.name, {}))


@pytest.fixture(scope="module")
def mwaa_in_local_cloudformation() -> Iterator[type[RecordedMwaaEnvironment]]:
    # moto finds resource types among CloudFormationModel's subclasses, cached.
    for cached in (parsing.get_model_list, parsing.get_model_map, parsing.get_name_type_map):
        cached.cache_clear()
    assert parsing.get_model_map()["AWS::MWAA::Environment"] is RecordedMwaaEnvironment
    yield RecordedMwaaEnvironment


@pytest.fixture(scope="module")
def bucket_versioning_applied() -> Iterator[None]:
    created = s3_models.FakeBucket.create_from_cloudformation_json

    def create(resource_name, cloudformation_json, account_id, region_name, **kwargs):
        bucket = created(resource_name, cloudformation_json, account_id, region_name, **kwargs)
        wanted = cloudformation_json.get("Properties", {}).get("VersioningConfiguration")
        if wanted and bucket.versioning_status is None:
            bucket.versioning_status = wanted["Status"]
        return bucket

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(s3_models.FakeBucket, "create_from_cloudformation_json", create)
        yield


@pytest.fixture(scope="module")
def platform(local_aws, mwaa_in_local_cloudformation, bucket_versioning_applied):
    """The platform as `make deploy` leaves it, under a prefix of this module's own."""
    prefix = f"mw{uuid.uuid4().hex[:8]}"
    result = deploy(endpoint_url=local_aws.endpoint_url, region=REGION, stack_prefix=prefix)
    return prefix, result


def run(local_aws, prefix, bundle, **kwargs):
    return mwaa_deploy.deploy_mwaa(
        region=REGION, endpoint_url=local_aws.endpoint_url, stack_prefix=prefix, bundle=bundle, **kwargs
    )  # fmt: skip


def stack_parameters(local_aws, name):
    stack = local_aws.client("cloudformation").describe_stacks(StackName=name)["Stacks"][0]
    return {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]}


def test_deploy_creates_then_updates_the_environment_with_the_uploaded_versions(
    local_aws, platform, tmp_path, monkeypatch
):
    prefix, deployed = platform
    s3 = local_aws.client("s3")
    recorded = RecordedMwaaEnvironment.calls
    recorded.clear()

    first = run(local_aws, prefix, tmp_path / "mwaa")

    bucket = first.bucket
    assert bucket == f"airflow-{prefix}-123456789012"
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    for key, parameter in mwaa_deploy.VERSIONED_FILES.items():
        stored = s3.get_object(Bucket=bucket, Key=key)
        assert stored["VersionId"] == first.versions[parameter]
        assert stored["Body"].read() == (tmp_path / "mwaa" / key).read_bytes()
    bundle_dags = sorted(
        f"dags/{p.relative_to(tmp_path / 'mwaa' / 'dags').as_posix()}"
        for p in (tmp_path / "mwaa" / "dags").rglob("*")
        if p.is_file()
    )
    listed = s3.list_objects_v2(Bucket=bucket, Prefix="dags/")["Contents"]
    assert sorted(item["Key"] for item in listed) == bundle_dags == sorted(first.dags_written)

    parameters = stack_parameters(local_aws, first.stack)
    assert parameters["CreateEnvironment"] == "true"
    assert parameters["AirflowVersion"] == package.AIRFLOW_VERSION
    assert parameters["GlueJobName"] == deployed.glue_job_name
    assert json.loads(parameters["StateMachineArns"]) == deployed.state_machines
    [(action, name, properties)] = recorded
    assert (action, name) == ("create", prefix)
    assert properties["PluginsS3ObjectVersion"] == first.versions["PluginsObjectVersion"]
    assert properties["RequirementsS3ObjectVersion"] == first.versions["RequirementsObjectVersion"]
    assert properties["AirflowVersion"] == package.AIRFLOW_VERSION
    assert properties["SourceBucketArn"] == f"arn:aws:s3:::{bucket}"
    assert properties["DagS3Path"] == "dags" and properties["PluginsS3Path"] == "plugins.zip"
    network = properties["NetworkConfiguration"]
    assert network["SubnetIds"] == deployed.outputs["SubnetIds"].split(",")
    assert first.outputs["WebserverUrl"] == f"https://{prefix}.airflow.local.test"

    # Nothing changed: no new object version, no environment update, no DAG written.
    again = run(local_aws, prefix, tmp_path / "mwaa")
    assert again.versions == first.versions and again.dags_written == []
    assert len(recorded) == 1
    versions = s3.list_object_versions(Bucket=bucket, Prefix="plugins.zip")["Versions"]
    assert len(versions) == 1

    # A new plugins.zip (here: its constraints file changed) is a new version and an
    # update; a DAG file the bundle no longer has is deleted from the bucket.
    constraints = tmp_path / package.CONSTRAINTS.name
    constraints.write_text(package.CONSTRAINTS.read_text() + "# amended\n")
    monkeypatch.setattr(package, "CONSTRAINTS", constraints)
    s3.put_object(Bucket=bucket, Key="dags/retired_pipeline.py", Body=b"# gone\n")
    third = run(local_aws, prefix, tmp_path / "mwaa")
    assert third.versions["PluginsObjectVersion"] != first.versions["PluginsObjectVersion"]
    assert (
        third.versions["RequirementsObjectVersion"] == first.versions["RequirementsObjectVersion"]
    )
    assert third.dags_deleted == ["dags/retired_pipeline.py"]
    assert recorded[-1][0] == "update"
    assert recorded[-1][2]["PluginsS3ObjectVersion"] == third.versions["PluginsObjectVersion"]
    with zipfile.ZipFile(tmp_path / "mwaa" / "plugins.zip") as archive:
        assert archive.read(constraints.name).endswith(b"# amended\n")
    versions = s3.list_object_versions(Bucket=bucket, Prefix="plugins.zip")["Versions"]
    assert len(versions) == 2, "the previous plugins.zip stays, to roll back to"


def test_deploy_without_the_platform_says_to_deploy_it_first(local_aws, tmp_path):
    with pytest.raises(
        DeployError, match=r"stack nothere-storage does not exist: run `make deploy`"
    ):
        run(local_aws, "nothere", tmp_path / "mwaa")
    assert not (tmp_path / "mwaa").exists()


@pytest.mark.parametrize(
    ("parameter", "message"),
    [
        ({"PluginsObjectVersion": "v1"}, "set by deploy-mwaa"),
        ({"AirflowVersion": "2.11.2"}, "set by deploy-mwaa"),
        ({"EnvironmentKlass": "mw1.small"}, "unknown parameter"),
    ],
)
def test_parameters_deploy_sets_or_the_template_lacks_are_refused(
    local_aws, tmp_path, parameter, message
):
    with pytest.raises(DeployError, match=message):
        run(local_aws, "anything", tmp_path / "mwaa", parameters=parameter)
