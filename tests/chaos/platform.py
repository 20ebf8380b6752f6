"""The chaos suite's platform: the production templates deployed to the local AWS under
their own stack prefix, with the shared Glue job limited to ONE concurrent run (so every
backfill meets ConcurrentRunsExceeded), a PostgreSQL database of its own, a small data
lake of known days, and the tools the faults need: starting and watching executions and
Glue runs, finding a run's runner process, reading alerts, snapshots that prove
"nothing changed".

Nothing here reaches into the local AWS's internals: faults are injected from outside,
the way they happen on AWS (a process dies, the database restarts, an argument or an
object is wrong), and outcomes are read through the same APIs a user has.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pg
import pytest

from etlkit_core import failures
from infra import REPO_ROOT
from infra.deploy import DeployResult, deploy, deploy_pipeline, point_secret_at
from infra.local import sample_data
from infra.local.sample_data import Summary
from infra.local.server import LocalAws

STACK_PREFIX = "chaos"
REGION = "us-east-1"
PGHOST, PGPORT, PGUSER = "127.0.0.1", 5432, "postgres"
LAKE_PREFIX = "lake/reviews/parquet/"
REPORT_PREFIX = "reports/helpful_reviews/"
# The days the lake holds; tests share them, each test uses its own day(s).
DAYS = [dt.date(2015, 6, 10) + dt.timedelta(days=i) for i in range(8)]
LAKE_ROWS = 8_000
# Recognisable in any output; only letters, digits and '-', so JSON, logs and URLs
# would carry it unchanged if it ever leaked.
PASSWORD = "chaosCanaryPw-" + uuid.uuid4().hex[:16]

# The reviews pipeline as committed, except that the load step holds its transaction
# open for a few seconds after the INSERT (a test-only copy): a fault injected while it
# sleeps lands after the DELETE and the INSERT and before the COMMIT, the worst moment.
HOLD_SECONDS = 4
CHAOS_PIPELINE = "chaos_reviews_etl"
CHAOS_DIR = "chaos_reviews"
# A variant of the unload step without CLEANPATH, to show what UNLOAD does to a prefix
# that already holds another run's files.
UNLOAD_NO_CLEANPATH = "unload_without_cleanpath.sql"

TERMINAL_RUN_STATES = {"SUCCEEDED", "FAILED", "TIMEOUT", "STOPPED", "ERROR"}


def write_chaos_tree(root: Path) -> Path:
    """sql/chaos_reviews/ under `root`: the committed reviews SQL with the load step's hold."""
    source = REPO_ROOT / "sql" / "reviews"
    target = root / "sql" / CHAOS_DIR
    target.mkdir(parents=True)
    spec = (source / "pipeline.yaml").read_text()
    assert "name: reviews_etl\n" in spec and "retry_delay_minutes: 5\n" in spec
    assert "step_timeout_minutes: 60\n" in spec
    # the runner's retry of a transient failure waits a minute, not five; a Glue minute
    # lasts a second on the test server, so the step's timeout leaves room for that wait
    (target / "pipeline.yaml").write_text(
        spec.replace("name: reviews_etl\n", f"name: {CHAOS_PIPELINE}\n")
        .replace("retry_delay_minutes: 5\n", "retry_delay_minutes: 1\n")
        .replace("step_timeout_minutes: 60\n", "step_timeout_minutes: 240\n")
    )
    for name in ("create_schema.sql", "unload_helpful_reviews.sql"):
        (target / name).write_text((source / name).read_text())
    load = (source / "load_reviews.sql").read_text()
    assert load.count("\nCOMMIT;") == 1
    (target / "load_reviews.sql").write_text(
        load.replace("\nCOMMIT;", f"\nSELECT pg_sleep({HOLD_SECONDS});\n\nCOMMIT;")
    )
    unload = (source / "unload_helpful_reviews.sql").read_text()
    assert unload.count("\nCLEANPATH;") == 1
    (target / UNLOAD_NO_CLEANPATH).write_text(unload.replace("\nCLEANPATH;", ";"))
    return root / "sql"


@dataclass
class Platform:
    aws: LocalAws
    deployed: DeployResult
    database: str
    lake: Summary
    machines: dict[str, str]
    alert_queue: str
    secret_value: dict[str, Any] = field(default_factory=dict)

    # ------------------------------------------------------------ clients and names

    def client(self, service: str) -> Any:
        return self.aws.client(service)

    @property
    def job(self) -> str:
        return self.deployed.glue_job_name

    @property
    def scripts_bucket(self) -> str:
        return self.deployed.scripts_bucket

    @property
    def data_bucket(self) -> str:
        return self.deployed.data_bucket

    def db(self) -> pg.DB:
        return pg.DB(dbname=self.database, host=PGHOST, port=PGPORT, user=PGUSER)

    def query(self, sql: str, *args: Any) -> Any:
        """Rows of a query; for a statement without rows, what PyGreSQL returns."""
        db = self.db()
        try:
            result = db.query(sql, args) if args else db.query(sql)
            return result.getresult() if hasattr(result, "getresult") else result
        finally:
            db.close()

    # ------------------------------------------------------------ executions

    def start(self, pipeline: str, execution_input: dict[str, Any]) -> str:
        return self.client("stepfunctions").start_execution(
            stateMachineArn=self.machines[pipeline],
            name=f"chaos-{uuid.uuid4().hex[:12]}",
            input=json.dumps(execution_input),
        )["executionArn"]

    def wait_execution(self, arn: str, timeout: float = 180) -> dict[str, Any]:
        sfn = self.client("stepfunctions")
        deadline = time.monotonic() + timeout
        while (described := sfn.describe_execution(executionArn=arn))["status"] == "RUNNING":
            assert time.monotonic() < deadline, f"execution {arn} still running after {timeout}s"
            time.sleep(0.25)
        return {**described, "history": self.history(arn)}

    def history(self, arn: str) -> list[dict[str, Any]]:
        sfn = self.client("stepfunctions")
        events, token = [], None
        while True:
            page = sfn.get_execution_history(
                executionArn=arn, maxResults=1000, **({"nextToken": token} if token else {})
            )
            events += page["events"]
            token = page.get("nextToken")
            if not token:
                return events

    def run(self, pipeline: str, execution_input: dict[str, Any], timeout: float = 180) -> dict:
        return self.wait_execution(self.start(pipeline, execution_input), timeout)

    # ------------------------------------------------------------ Glue runs

    def start_glue_run(self, file: str, params: dict[str, Any], **arguments: str) -> str:
        args = {"--file": file, "--params": json.dumps(params)}
        args.update({f"--{name}": value for name, value in arguments.items()})
        return self.client("glue").start_job_run(JobName=self.job, Arguments=args)["JobRunId"]

    def wait_glue_run(self, run_id: str, timeout: float = 120) -> dict[str, Any]:
        glue = self.client("glue")
        deadline = time.monotonic() + timeout
        while True:
            run = glue.get_job_run(JobName=self.job, RunId=run_id)["JobRun"]
            if run["JobRunState"] in TERMINAL_RUN_STATES:
                return run
            assert time.monotonic() < deadline, f"Glue run {run_id} still {run['JobRunState']}"
            time.sleep(0.2)

    def runner_pids(self, run_id: str) -> list[int]:
        """The processes of a Glue run: the local Glue starts each run's script in the
        run's own work directory, so a process whose cwd is that directory is the run."""
        work_dir = str(self.aws.state_dir / "glue-runs" / run_id)
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            with contextlib.suppress(OSError):
                if os.readlink(entry / "cwd") == work_dir:
                    pids.append(int(entry.name))
        return pids

    def runner_error(self, run_id: str) -> str | None:
        """The runner's error line of a Glue run, from its error log stream (Glue's
        ErrorMessage only carries the exit code, as on AWS)."""
        return failures.error_line(self.log_lines(failures.ERROR_LOG_GROUP, run_id))

    def log_lines(self, group: str, run_id: str) -> list[str]:
        logs = self.client("logs")
        try:
            events = logs.get_log_events(logGroupName=group, logStreamName=run_id)["events"]
        except logs.exceptions.ResourceNotFoundException:
            return []
        return [event["message"] for event in events]

    # ------------------------------------------------------------ alerts

    def alerts(self, expected: int = 0, timeout: float = 60) -> list[dict[str, Any]]:
        """SNS notifications published since the last call (SQS subscription, not raw),
        waiting up to `timeout` s for `expected` of them: the notifier publishes after the
        failed execution has ended."""
        sqs = self.client("sqs")
        found: list[dict[str, Any]] = []
        deadline = time.monotonic() + timeout
        while True:
            messages = sqs.receive_message(
                QueueUrl=self.alert_queue, MaxNumberOfMessages=10, WaitTimeSeconds=0
            ).get("Messages", [])
            if not messages:
                if len(found) >= expected or time.monotonic() > deadline:
                    return found
                time.sleep(0.2)
            for message in messages:
                found.append(json.loads(message["Body"]))
                sqs.delete_message(
                    QueueUrl=self.alert_queue, ReceiptHandle=message["ReceiptHandle"]
                )

    # ------------------------------------------------------------ the Glue job's arguments

    @contextlib.contextmanager
    def job_arguments(self, **overrides: str) -> Iterator[None]:
        """The shared Glue job with some DefaultArguments replaced (UpdateJob), restored after."""
        glue = self.client("glue")
        job = glue.get_job(JobName=self.job)["Job"]
        keys = (
            "Role", "Command", "DefaultArguments", "Connections", "MaxCapacity", "Timeout",
            "ExecutionProperty", "GlueVersion", "MaxRetries", "Description",
        )  # fmt: skip
        update = {key: job[key] for key in keys if key in job}
        changed = {f"--{name}": value for name, value in overrides.items()}
        glue.update_job(
            JobName=self.job,
            JobUpdate={**update, "DefaultArguments": {**job["DefaultArguments"], **changed}},
        )
        try:
            yield
        finally:
            glue.update_job(JobName=self.job, JobUpdate=update)

    @contextlib.contextmanager
    def secret_replaced(self, value: str) -> Iterator[None]:
        secrets = self.client("secretsmanager")
        secrets.put_secret_value(SecretId=self.deployed.secret_arn, SecretString=value)
        try:
            yield
        finally:
            secrets.put_secret_value(
                SecretId=self.deployed.secret_arn, SecretString=json.dumps(self.secret_value)
            )

    # ------------------------------------------------------------ snapshots

    def day_rows(self, day: dt.date) -> list[tuple[Any, ...]]:
        return self.query(
            "SELECT review_id, marketplace, product_category, helpful_votes, review_headline "
            "FROM reviews WHERE review_date = $1 ORDER BY review_id",
            day,
        )

    def tables_snapshot(self) -> dict[str, str]:
        """Every user table's rows, as a digest per table: equal snapshots, equal data."""
        db = self.db()
        try:
            tables = db.query(
                "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables "
                "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1"
            ).getresult()
            digests = {}
            for (table,) in tables:
                rows = db.query(f"SELECT t::text FROM {table} t").getresult()
                text = "\n".join(sorted(row[0] for row in rows))
                digests[table] = f"{len(rows)}:{hashlib.sha256(text.encode()).hexdigest()}"
            return digests
        finally:
            db.close()

    def object_versions(self, bucket: str, prefix: str = "") -> dict[str, list[tuple[Any, ...]]]:
        """Key -> its versions (id, delete marker, ETag, last modified). A rewrite or a
        delete shows: a new version in a versioned bucket, a new modification time in
        any bucket (tests compare snapshots taken seconds apart)."""
        s3 = self.client("s3")
        versions: dict[str, list[tuple[Any, ...]]] = {}
        for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=prefix):
            for item in page.get("Versions", []):
                versions.setdefault(item["Key"], []).append(
                    (item["VersionId"], False, item["ETag"], item["LastModified"])
                )
            for item in page.get("DeleteMarkers", []):
                versions.setdefault(item["Key"], []).append(
                    (item["VersionId"], True, None, item["LastModified"])
                )
        return {key: sorted(found, key=str) for key, found in versions.items()}

    def keys(self, bucket: str, prefix: str) -> list[str]:
        s3 = self.client("s3")
        pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))


def build_platform(
    aws: LocalAws,
    database: str,
    scratch: Path,
    *,
    stack_prefix: str = STACK_PREFIX,
    max_concurrent_runs: int = 1,
) -> Platform:
    """Deploy the templates (same code path as AWS), point the secret at PostgreSQL,
    add the test-only pipeline, seed the lake and subscribe a queue to the alerts."""
    deployed = deploy(
        endpoint_url=aws.endpoint_url,
        region=REGION,
        stack_prefix=stack_prefix,
        parameters={"DatabaseName": database, "GlueMaxConcurrentRuns": str(max_concurrent_runs)},
    )
    secret = {
        "engine": "postgres",
        "host": PGHOST,
        "port": PGPORT,
        "username": PGUSER,
        "password": PASSWORD,
        "dbname": database,
    }
    point_secret_at(
        endpoint_url=aws.endpoint_url,
        region=REGION,
        secret_id=deployed.secret_arn,
        host=PGHOST,
        port=PGPORT,
        username=PGUSER,
        password=PASSWORD,
        dbname=database,
    )
    machines = dict(deployed.state_machines)
    machines.update(
        deploy_pipeline(
            deployed=deployed, sql_root=write_chaos_tree(scratch), stack_prefix=stack_prefix
        )
    )
    lake = sample_data.generate(
        aws.client("s3"), deployed.data_bucket, LAKE_PREFIX, rows=LAKE_ROWS, dates=DAYS
    )
    sqs = aws.client("sqs")
    queue = sqs.create_queue(QueueName=f"{stack_prefix}-alerts-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])
    aws.client("sns").subscribe(
        TopicArn=deployed.alert_topic_arn,
        Protocol="sqs",
        Endpoint=queue_arn["Attributes"]["QueueArn"],
    )
    return Platform(
        aws=aws,
        deployed=deployed,
        database=database,
        lake=lake,
        machines=machines,
        alert_queue=queue,
        secret_value=secret,
    )


@contextlib.contextmanager
def own_database(prefix: str = "chaos") -> Iterator[str]:
    """A database of our own on the shared server, dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    try:
        admin = pg.DB(dbname="postgres", host=PGHOST, port=PGPORT, user=PGUSER)
    except pg.Error as exc:
        pytest.fail(f"PostgreSQL at {PGHOST}:{PGPORT} is required (run `make pg`): {exc}")
    admin.query(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        admin.query(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def log_messages(logs: Any) -> list[str]:
    """Every event of every CloudWatch Logs stream, through the user's API."""
    messages = []
    for group in logs.describe_log_groups()["logGroups"]:
        name = group["logGroupName"]
        for stream in logs.describe_log_streams(logGroupName=name)["logStreams"]:
            events = logs.get_log_events(
                logGroupName=name, logStreamName=stream["logStreamName"], startFromHead=True
            )["events"]
            messages += [event["message"] for event in events]
    return messages


def wait_for(condition: Callable[[], Any], timeout: float, what: str, every: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def backend_in(database: str, application_like: str, query_like: str, *, port: int = PGPORT):
    """A probe: the pid of a server backend of `database` whose application_name and
    current query match, inside an open transaction; None if there is none."""

    def probe() -> int | None:
        admin = pg.DB(dbname="postgres", host=PGHOST, port=port, user=PGUSER)
        try:
            found = admin.query(
                "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name LIKE $2 "
                "AND query ILIKE $3 AND state = 'active' AND xact_start IS NOT NULL",
                (database, application_like, query_like),
            ).getresult()
        finally:
            admin.close()
        return found[0][0] if found else None

    return probe


def backend_gone(database: str, application_like: str, *, port: int = PGPORT):
    def probe() -> bool:
        admin = pg.DB(dbname="postgres", host=PGHOST, port=port, user=PGUSER)
        try:
            found = admin.query(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 "
                "AND application_name LIKE $2",
                (database, application_like),
            ).getresult()[0][0]
        finally:
            admin.close()
        return found == 0

    return probe


def events_of(history: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [event for event in history if event["type"] == kind]


def failed_tasks(history: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(step, error) of each failed Glue task, in order: one per failed attempt."""
    by_id = {event["id"]: event for event in history}
    found = []
    for event in events_of(history, "TaskFailed"):
        details = event["taskFailedEventDetails"]
        if details.get("resourceType") != "glue":
            continue
        step = _state_of(event, by_id)  # a step's Task is named after it
        found.append((step, details.get("error", "")))
    return found


def glue_attempts(history: list[dict[str, Any]], step: str) -> int:
    """How many Glue runs the execution started for a step."""
    by_id = {event["id"]: event for event in history}
    return sum(
        1
        for event in events_of(history, "TaskStarted")
        if event["taskStartedEventDetails"].get("resourceType") == "glue"
        and _state_of(event, by_id) == step
    )


def _state_of(event: dict[str, Any], by_id: dict[int, dict[str, Any]]) -> str:
    current = event
    while current is not None:
        details = current.get("stateEnteredEventDetails")
        if details:
            return details["name"]
        current = by_id.get(current.get("previousEventId"))
    return "?"
