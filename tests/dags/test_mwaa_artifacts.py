"""`make package` builds what MWAA takes (its installation is tests/dags/test_mwaa_bundle.py);
the MWAA environment template passes cfn-lint, offers the Airflow version the bundle is built
and tested for, and grants the DAGs exactly what they call."""

from __future__ import annotations

import json
import subprocess
import zipfile

import pytest
from cfnlint.decode import decode_str

from etlkit import config, iam
from infra.mwaa import package
from tests.dags.airflow_home import REPO

TEMPLATE = REPO / "infra" / "mwaa" / "mwaa-environment.yaml"


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist") / "mwaa"
    package.build(out)
    return out


def test_bundle_contents(bundle):
    files = sorted(str(p.relative_to(bundle)) for p in bundle.rglob("*") if p.is_file())
    etlkit = sorted(
        f"dags/etlkit/{p.name}"
        for p in (REPO / "plugins/etlkit").glob("*.py")
        if p.name not in ("__init__.py", *package.PLUGINS_FOLDER_MODULES)
    )
    core = sorted(f"dags/etlkit_core/{p.name}" for p in (REPO / "plugins/etlkit_core").glob("*"))
    core = [name for name in core if "__pycache__" not in name]
    source = REPO / "glue_job/src/sqlrunner"
    sqlrunner = sorted(
        f"dags/sqlrunner/{p.relative_to(source)}"
        for p in source.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    )
    assert files == sorted(
        [
            "dags/.airflowignore",
            "dags/etlkit_pipelines.py",
            "dags/pipelines/reviews/pipeline.yaml",
            "dags/pipelines/reviews/pipeline.graph.json",
            *(f"dags/pipelines/reviews/{p.name}" for p in (REPO / "sql/reviews").glob("*.sql")),
            "dags/pipelines/tickit/pipeline.yaml",
            "dags/pipelines/tickit/pipeline.graph.json",
            *(f"dags/pipelines/tickit/{p.name}" for p in (REPO / "sql/tickit").glob("*.sql")),
            *etlkit,
            *core,
            *sqlrunner,
            "plugins.zip",
            "requirements.txt",
        ]
    )
    spec = (bundle / "dags/pipelines/reviews/pipeline.yaml").read_bytes()
    assert spec == (REPO / "sql/reviews/pipeline.yaml").read_bytes()


def test_plugins_zip_holds_what_changes_rarely_and_is_reproducible(bundle, tmp_path):
    with zipfile.ZipFile(bundle / "plugins.zip") as archive:
        names = archive.namelist()
    assert names == [
        ".airflowignore",
        package.CONSTRAINTS.name,
        *sorted(f"etlkit/{name}" for name in package.PLUGINS_FOLDER_MODULES),
        "etlkit_plugin.py",
    ]
    again = tmp_path / "again.zip"
    package.write_plugins_zip(again)
    assert again.read_bytes() == (bundle / "plugins.zip").read_bytes()


def test_template_offers_only_the_airflow_version_the_bundle_is_built_for():
    parameter = _template()["Parameters"]["AirflowVersion"]
    assert parameter["AllowedValues"] == [package.AIRFLOW_VERSION]
    assert parameter["Default"] == package.AIRFLOW_VERSION
    pins = (REPO / "pyproject.toml").read_text()
    assert f'"apache-airflow=={package.AIRFLOW_VERSION}"' in pins, "the tested Airflow"


def test_package_refuses_a_broken_spec(tmp_path, monkeypatch):
    sql = tmp_path / "sql" / "bad"
    sql.mkdir(parents=True)
    (sql / "pipeline.yaml").write_text(
        "name: bad\nstart_date: 2026-01-01\nsteps:\n  - id: one\n    file: missing.sql\n"
    )
    monkeypatch.setattr(package, "SQL_ROOT", tmp_path / "sql")
    with pytest.raises(package.PackageError, match=r"missing.sql does not exist"):
        package.build(tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_environment_parameters_from_a_deploy_result():
    result = {
        "stacks": {"storage": "acme-storage", "platform": "acme-platform"},
        "outputs": {
            "GlueJobName": "acme-platform-sql-runner",
            "DataBucket": "acme-data",
            "AlertTopicArn": "arn:aws:sns:eu-west-1:123456789012:acme-platform-alerts",
            "VpcId": "vpc-1",
            "SubnetIds": "subnet-a,subnet-b",
        },
        "state_machines": {
            "reviews_etl": "arn:aws:states:eu-west-1:1:stateMachine:acme-reviews_etl"
        },
    }
    parameters = {
        p["ParameterKey"]: p["ParameterValue"] for p in package.environment_parameters(result)
    }
    assert parameters == {
        "GlueJobName": "acme-platform-sql-runner",
        "DataBucket": "acme-data",
        "AlertTopicArn": "arn:aws:sns:eu-west-1:123456789012:acme-platform-alerts",
        "StateMachineArns": json.dumps(result["state_machines"]),
        "StateMachineNamePrefix": "acme",
        "VpcId": "vpc-1",
        "SubnetIds": "subnet-a,subnet-b",
    }
    declared = set(_template()["Parameters"])
    assert set(parameters) <= declared
    with pytest.raises(package.PackageError, match="missing 'outputs'"):
        package.environment_parameters({"stacks": {}})


def _template():
    template, problems = decode_str(TEMPLATE.read_text())
    assert problems == []
    return template


def test_template_passes_cfn_lint():
    done = subprocess.run(
        [str(REPO / ".venv/bin/cfn-lint"), str(TEMPLATE)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_execution_role_grants_exactly_what_the_dags_call():
    role = _template()["Resources"]["ExecutionRole"]["Properties"]
    policies = {policy["PolicyName"]: policy["PolicyDocument"] for policy in role["Policies"]}
    granted = set()
    for statement in policies["etlkit-dags"]["Statement"]:
        assert statement["Effect"] == "Allow"
        actions = statement["Action"]
        granted |= set([actions] if isinstance(actions, str) else actions)
        resources = statement["Resource"]
        for resource in resources if isinstance(resources, list) else [resources]:
            assert resource != "*", statement["Sid"]
    assert granted == iam.actions("glue") | iam.actions("stepfunctions")


def test_variables_are_served_to_airflow_from_secrets_manager():
    template = _template()
    options = template["Resources"]["Environment"]["Properties"]["AirflowConfigurationOptions"]
    backend = options["secrets.backend_kwargs"]["Fn::Sub"]
    prefix = json.loads(backend.replace("${EnvironmentName}", "ENV"))["variables_prefix"]
    secrets = {
        resource["Properties"]["Name"]["Fn::Sub"].replace("${EnvironmentName}", "ENV")
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::SecretsManager::Secret"
    }
    assert secrets == {f"{prefix}/{name}" for name in config.VARIABLES}
