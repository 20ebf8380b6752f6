"""No secret value in any output: the end-to-end flows run with a recognisable password in
the database secret, then every output they produced is searched for it.

Flows: the runner CLI (success, failing statement, unreachable database, malformed
secret); Glue runs on the local stack through the state machine, happy path and
failure paths (wrong database, malformed secret) with their SNS alerts. Outputs scanned:
the CLI's stdout and stderr, every event of every CloudWatch log group of the local AWS,
every SNS message delivered, every execution's history and description, every Glue
run's ErrorMessage and Arguments. A control proves the scan finds the password where it
legitimately is (the secret itself).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from infra.local.server import LocalAws
from tests.chaos.platform import (
    DAYS,
    PASSWORD,
    PGHOST,
    PGPORT,
    PGUSER,
    Platform,
    build_platform,
    log_messages,
    own_database,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def platform(local_aws: LocalAws, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    with own_database("chaos_secscan") as database:
        yield build_platform(
            local_aws,
            database,
            tmp_path_factory.mktemp("secscan"),
            stack_prefix="secscan",
            max_concurrent_runs=4,
        )


def _cli_outputs(platform: Platform, tmp_path: Path) -> list[str]:
    """The runner CLI as a developer runs it against the local stack's secret."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(platform.aws.environment())
    secrets = platform.client("secretsmanager")
    bad_port = "secscan/port-text"
    secrets.create_secret(
        Name=bad_port, SecretString=json.dumps({**platform.secret_value, "port": "x"})
    )
    unreachable = "secscan/unreachable"
    secrets.create_secret(
        Name=unreachable, SecretString=json.dumps({**platform.secret_value, "port": 1})
    )
    files = {
        "ok.sql": "SELECT 1;\n",
        "fails.sql": "SELECT 1;\nSELECT * FROM no_such_table;\n",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    calls = [
        (platform.deployed.secret_arn, "ok.sql", 0),
        (platform.deployed.secret_arn, "fails.sql", 1),
        (bad_port, "ok.sql", 1),
        (unreachable, "ok.sql", 3),  # refused, retried: transient
    ]
    outputs = []
    for secret, file, code in calls:
        done = subprocess.run(
            [
                sys.executable, "-m", "sqlrunner", "run", "--db", platform.database,
                "--db_creds", secret, "--file", str(tmp_path / file),
            ],
            env=env, capture_output=True, text=True, timeout=180, check=False,
        )  # fmt: skip
        assert done.returncode == code, done.stderr
        outputs += [done.stdout, done.stderr]
    return outputs


def _state_machine_outputs(platform: Platform, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setenv("LOCALAWS_RETRY_SCALE", "0.01")
    outputs = []
    happy = platform.run("reviews_etl", {"run_date": DAYS[0].isoformat()})
    assert happy["status"] == "SUCCEEDED", happy
    with platform.job_arguments(db="secscan_no_such_db"):
        wrong_db = platform.run("reviews_etl", {"run_date": DAYS[1].isoformat()})
    assert wrong_db["status"] == "FAILED"
    with platform.secret_replaced(json.dumps({**platform.secret_value, "engine": "oracle"})):
        bad_secret = platform.run("reviews_etl", {"run_date": DAYS[2].isoformat()})
    assert bad_secret["status"] == "FAILED"
    # the runner's errors reach the alerts (the notifier reads each run's error stream)
    alerts = platform.alerts(expected=2)
    assert len(alerts) == 2
    messages = "\n".join(alert["Message"] for alert in alerts)
    assert 'database "secscan_no_such_db" does not exist' in messages
    assert "field 'engine' must be one of" in messages
    outputs += [json.dumps(alert) for alert in alerts]
    sfn = platform.client("stepfunctions")
    # every machine of the account: the pipelines' and their alert notifiers'
    machines = [m["stateMachineArn"] for m in sfn.list_state_machines()["stateMachines"]]
    assert set(platform.machines.values()) < set(machines)
    for machine in machines:
        for execution in sfn.list_executions(stateMachineArn=machine)["executions"]:
            described = sfn.describe_execution(executionArn=execution["executionArn"])
            outputs.append(json.dumps(described, default=str))
            outputs.append(json.dumps(platform.history(execution["executionArn"]), default=str))
    return outputs


def _aws_side_outputs(platform: Platform) -> list[str]:
    logs = platform.client("logs")
    groups = logs.describe_log_groups()["logGroups"]
    assert any(group["logGroupName"] == "/aws-glue/python-jobs/output" for group in groups)
    outputs = log_messages(logs)
    runs = platform.client("glue").get_job_runs(JobName=platform.job)["JobRuns"]
    assert runs
    outputs += [json.dumps(run, default=str) for run in runs]
    return outputs


def test_no_output_of_any_flow_contains_the_password(
    platform: Platform, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # the control: the scan finds the password where it legitimately is
    secret = platform.client("secretsmanager").get_secret_value(
        SecretId=platform.deployed.secret_arn
    )
    assert PASSWORD in json.dumps(secret, default=str)
    assert (
        platform.secret_value["host"],
        platform.secret_value["port"],
        platform.secret_value["username"],
    ) == (PGHOST, PGPORT, PGUSER)

    cli = _cli_outputs(platform, tmp_path)
    machines = _state_machine_outputs(platform, monkeypatch)
    aws_side = _aws_side_outputs(platform)
    # every source was read: 4 runs' stdout and stderr; 2 alerts and, for each of 3 pipeline
    # and 2 notifier executions, its description and history; the runs' log events and records
    assert len(cli) == 8 and len(machines) >= 2 + 2 * 5 and len(aws_side) > 20, (
        "suspiciously little output to scan"
    )
    outputs: list[Any] = cli + machines + aws_side
    leaks = [text for text in outputs if PASSWORD in text]
    assert leaks == [], f"the password leaked into {len(leaks)} output(s): {leaks[:3]}"
