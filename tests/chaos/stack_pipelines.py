"""Pipelines written by a test, deployed onto the local stack the Airflow tests bring up
(`make local-up`'s code: its own PostgreSQL cluster, the real runner, the real Airflow), so
one date can be run by the state machine and by both DAGs and the data compared.

- `deploy(...)`: a pipeline directory (spec + SQL) deployed as `deploy` deploys pipelines:
  its SQL uploaded, its state machine generated and its pipeline stack created; optionally
  on a stand-in runner job (tests/local_aws/glue_scripts.py STAND_IN_RUNNER).
- `airflow_for(...)`: the Airflow commands with the pipeline directory as the DAGs' specs.
- `Alerts`: an SQS queue subscribed to the alert topic, read with arrival times.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import textwrap
import time
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from infra.deploy import DeployResult, deploy_pipeline
from tests.airflow.conftest import Airflow, LocalStack
from tests.local_aws.glue_scripts import stand_in_job

from .platform import CHAOS_DIR, HOLD_SECONDS, write_chaos_tree


def deployed_of(local_stack: LocalStack, **outputs: str) -> DeployResult:
    state = local_stack.state
    return DeployResult(
        region=state.region,
        endpoint_url=state.endpoint_url,
        stacks={},
        outputs={**state.outputs, **outputs},
        state_machines=dict(state.state_machines),
    )


def write_pipeline(root: Path, directory: str, spec: str, sql: Mapping[str, str]) -> Path:
    target = root / "sql" / directory
    target.mkdir(parents=True)
    (target / "pipeline.yaml").write_text(textwrap.dedent(spec))
    for name, text in sql.items():
        (target / name).write_text(text)
    return root / "sql"


def deploy(
    local_stack: LocalStack, sql_root: Path, *, glue_job: str | None = None, **outputs: str
) -> dict[str, str]:
    """Deploy every pipeline under `sql_root`; returns their state machine ARNs by name."""
    if glue_job is not None:
        outputs["GlueJobName"] = glue_job
    return deploy_pipeline(
        deployed=deployed_of(local_stack, **outputs),
        sql_root=sql_root,
        stack_prefix=f"t{uuid.uuid4().hex[:6]}",
    )


def stand_in(local_stack: LocalStack) -> str:
    """The stand-in runner job on the stack (made once)."""
    glue = local_stack.client("glue")
    name = "etlkit-stand-in-runner"
    if name not in glue.list_jobs()["JobNames"]:
        stand_in_job(glue, local_stack.client("s3"), local_stack.state.outputs["GlueJobName"], name)
    return name


def held_reviews_tree(root: Path, name: str, hold_seconds: int = HOLD_SECONDS) -> Path:
    """The reviews pipeline as committed, its load holding its transaction for a few seconds
    before COMMIT (platform.write_chaos_tree), renamed `name`."""
    sql_root = write_chaos_tree(root)
    spec = sql_root / CHAOS_DIR / "pipeline.yaml"
    spec.write_text(spec.read_text().replace("name: chaos_reviews_etl\n", f"name: {name}\n"))
    load = sql_root / CHAOS_DIR / "load_reviews.sql"
    held = f"SELECT pg_sleep({HOLD_SECONDS});"
    assert held in load.read_text()
    load.write_text(load.read_text().replace(held, f"SELECT pg_sleep({hold_seconds});"))
    return sql_root


def airflow_for(airflow: Airflow, sql_root: Path, **variables: str) -> Airflow:
    """The Airflow CLI with the DAGs of the pipelines under `sql_root` only."""
    env = {"ETLKIT_PIPELINES_DIR": str(sql_root)}
    env |= {f"AIRFLOW_VAR_{name.upper()}": value for name, value in variables.items()}
    return airflow.with_env(**env)


@dataclasses.dataclass
class Alert:
    subject: str
    message: str
    sent: dt.datetime


class Alerts:
    """Alerts published to the stack's topic from now on, with when SNS sent them."""

    def __init__(self, local_stack: LocalStack, topic_arn: str | None = None) -> None:
        self.sqs = local_stack.client("sqs")
        sns = local_stack.client("sns")
        self.url = self.sqs.create_queue(QueueName=f"chaos-alerts-{uuid.uuid4().hex[:8]}")[
            "QueueUrl"
        ]
        arn = self.sqs.get_queue_attributes(QueueUrl=self.url, AttributeNames=["QueueArn"])
        sns.subscribe(
            TopicArn=topic_arn or local_stack.state.outputs["AlertTopicArn"],
            Protocol="sqs",
            Endpoint=arn["Attributes"]["QueueArn"],
        )

    def read(self, expected: int = 1, timeout: float = 60) -> list[Alert]:
        found: list[Alert] = []
        deadline = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=timeout)
        while len(found) < expected and dt.datetime.now(dt.UTC) < deadline:
            for message in self.sqs.receive_message(
                QueueUrl=self.url,
                MaxNumberOfMessages=10,
                WaitTimeSeconds=1,
                AttributeNames=["SentTimestamp"],
            ).get("Messages", []):
                body = json.loads(message["Body"])
                sent = int(message["Attributes"]["SentTimestamp"]) / 1000
                found.append(
                    Alert(
                        body.get("Subject", ""),
                        body["Message"],
                        dt.datetime.fromtimestamp(sent, dt.UTC),
                    )
                )
                self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=message["ReceiptHandle"])
        return found


def glue_runs(local_stack: LocalStack, job: str, file: str, since: dt.datetime) -> list[dict]:
    """The job's runs of one SQL file started since `since`, oldest first."""
    runs = local_stack.client("glue").get_job_runs(JobName=job, MaxResults=200)["JobRuns"]
    return sorted(
        (
            run
            for run in runs
            if run.get("Arguments", {}).get("--file") == file and run["StartedOn"] >= since
        ),
        key=lambda run: run["StartedOn"],
    )


def wait_execution(local_stack: LocalStack, arn: str, timeout: float = 300) -> dict[str, Any]:
    sfn = local_stack.client("stepfunctions")
    deadline = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=timeout)
    while (described := sfn.describe_execution(executionArn=arn))["status"] == "RUNNING":
        assert dt.datetime.now(dt.UTC) < deadline, f"execution {arn} still running"
        time.sleep(0.25)
    history = sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
    return {**described, "history": history}
