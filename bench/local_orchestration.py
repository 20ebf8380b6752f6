"""The local AWS as an orchestration platform:

- start-up: seconds until `python -m infra.local.server` answers (moto + every
  extension imported), next to a bare moto ThreadedMotoServer started the same way;
- per-step overhead: a state machine of N trivial steps (`SELECT 1` each, real Glue runs
  of the runner against PostgreSQL) vs the same N runner invocations of the Glue entry
  script called directly, one after the other, same interpreter and environment;
- time to alert: a step that fails permanently (a SQL error) in a pipeline allowing two
  retries 5 minutes apart, from the end of its Glue run to the SNS alert leaving (the
  SentTimestamp of the message in an SQS queue subscribed to the topic), best and worst of
  3: through the state machine, and through the `_glue` DAG (`airflow dags test`) with the
  deferred task polling every ETLKIT_POLL_SECONDS, at the production default (30 s) and at
  the local stack's (5 s). Target: <= 60 s after the failing run ends.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from infra import REPO_ROOT
from infra.deploy import DeployResult, deploy_pipeline
from infra.local import stack
from infra.local.server import default_glue_python

STEPS = 5


def _startup(state: Path) -> float:
    started = time.perf_counter()
    pid, _ = stack.start_server(state, 0)
    took = time.perf_counter() - started
    stack.stop_server(pid)
    return took


def _bare_moto_startup() -> float:
    code = (
        "import time; t = time.perf_counter(); from moto.server import ThreadedMotoServer; "
        "s = ThreadedMotoServer(ip_address='127.0.0.1', port=0, verbose=False); s.start(); "
        "print(time.perf_counter() - t); s.stop()"
    )
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    return time.perf_counter() - started


def run() -> dict:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        startups = [_startup(root / f"s{i}") for i in range(3)]
        bare = min(_bare_moto_startup() for _ in range(3))
        database = "bench_orch_" + uuid.uuid4().hex[:8]
        state = stack.up(
            state_dir=root / "stack",
            aws_port=0,
            database=database,
            sample_rows=0,
            say=lambda _: None,
        )
        try:
            return {
                "server_startup_s": round(min(startups), 2),
                "bare_moto_startup_s": round(bare, 2),
                **_overhead(state, root),
                "time_to_alert": _time_to_alert(state, root),
            }
        finally:
            stack.discard(root / "stack", state)


def _overhead(state: "stack.StackState", root: Path) -> dict:
    spec_dir = root / "sql" / "trivial"
    spec_dir.mkdir(parents=True)
    steps = "\n".join(f"  - {{id: step_{i}, file: step_{i}.sql}}" for i in range(STEPS))
    (spec_dir / "pipeline.yaml").write_text(
        f"name: bench_trivial\nschedule: null\nstart_date: 2024-01-01\nretries: 0\nsteps:\n{steps}\n"
    )
    for i in range(STEPS):
        (spec_dir / f"step_{i}.sql").write_text("SELECT 1\n")
    deployed = DeployResult(
        state.region, state.endpoint_url, {}, state.outputs, state.state_machines
    )
    (arn,) = deploy_pipeline(deployed=deployed, sql_root=root / "sql").values()
    sfn = state.client("stepfunctions")
    timings = []
    for attempt in range(3):
        execution = sfn.start_execution(
            stateMachineArn=arn, name=f"bench-{attempt}-{uuid.uuid4().hex[:6]}", input="{}"
        )
        while (described := sfn.describe_execution(executionArn=execution["executionArn"]))[
            "status"
        ] == "RUNNING":
            time.sleep(0.1)
        assert described["status"] == "SUCCEEDED", described
        timings.append((described["stopDate"] - described["startDate"]).total_seconds())

    env = {**os.environ, **state.env, "PYTHONPATH": str(REPO_ROOT / "glue_job" / "src"),
           "AWS_REQUEST_CHECKSUM_CALCULATION": "when_required"}  # fmt: skip
    script = REPO_ROOT / "glue_job" / "run_sql.py"

    def direct() -> float:
        started = time.perf_counter()
        for i in range(STEPS):
            subprocess.run(
                [default_glue_python(), str(script), "--db", state.database,
                 "--db_creds", state.outputs["SecretArn"], "--bucket", state.outputs["ScriptsBucket"],
                 "--file", f"sql/trivial/step_{i}.sql"],
                env=env, check=True, capture_output=True,
            )  # fmt: skip
        return time.perf_counter() - started

    direct_s = min(direct() for _ in range(3))
    machine_s = min(timings)
    return {
        "steps": STEPS,
        "state_machine_s": round(machine_s, 2),
        "direct_runner_s": round(direct_s, 2),
        "overhead_per_step_s": round((machine_s - direct_s) / STEPS, 2),
        "ratio": round(machine_s / direct_s, 2),
    }


FAILING_SPEC = """\
name: bench_failing
schedule: null
start_date: 2024-01-01
retries: 2
retry_delay_minutes: 5
params:
  run_date: {type: date}
steps:
  - {id: broken_step, file: broken.sql, params: [run_date]}
"""
FAILING_SQL = (
    "-- @param run_date date\nSELECT count(*) FROM no_such_table WHERE d = '${run_date}';\n"
)


def _time_to_alert(state: "stack.StackState", root: Path) -> dict:
    spec_dir = root / "failing" / "sql" / "failing"
    spec_dir.mkdir(parents=True)
    (spec_dir / "pipeline.yaml").write_text(FAILING_SPEC)
    (spec_dir / "broken.sql").write_text(FAILING_SQL)
    deployed = DeployResult(
        state.region, state.endpoint_url, {}, state.outputs, state.state_machines
    )
    (arn,) = deploy_pipeline(deployed=deployed, sql_root=root / "failing" / "sql").values()
    queue = _alert_queue(state)
    glue, sfn = state.client("glue"), state.client("stepfunctions")
    job = state.outputs["GlueJobName"]

    def after_run_end(alert: tuple[float, str]) -> float:
        """Seconds from the failed Glue run's end to the alert; the alert names the run."""
        sent, message = alert
        run_id = re.search(r"Glue run (jr_\w+)", message).group(1)
        run = glue.get_job_run(JobName=job, RunId=run_id)["JobRun"]
        return sent - run["CompletedOn"].timestamp()

    machine = []
    for attempt in range(3):
        sfn.start_execution(
            stateMachineArn=arn, name=f"alert-{attempt}-{uuid.uuid4().hex[:6]}",
            input=json.dumps({"run_date": "2024-01-01"}),
        )  # fmt: skip
        machine.append(after_run_end(_next_alert(state, queue)))

    from infra.mwaa import local_airflow

    airflow_env = local_airflow.airflow_environment(
        home=root / "airflow", stack_env=state.env, port=local_airflow.free_port(0)
    )
    airflow_env["ETLKIT_PIPELINES_DIR"] = str(root / "failing" / "sql")
    subprocess.run(["airflow", "db", "migrate"], env=airflow_env, check=True, capture_output=True)
    airflow = {}
    for poll in ("30", "5"):
        seconds = []
        for _ in range(3):
            done = subprocess.run(
                ["airflow", "dags", "test", "bench_failing_glue", "--conf", '{"run_date": "2024-01-02"}'],
                env={**airflow_env, "ETLKIT_POLL_SECONDS": poll}, capture_output=True, text=True,
            )  # fmt: skip
            assert done.returncode != 0 and "not retried" in done.stdout + done.stderr
            seconds.append(after_run_end(_next_alert(state, queue)))
        airflow[f"poll_{poll}s"] = seconds
    return {
        "state_machine_s": [round(min(machine), 1), round(max(machine), 1)],
        **{
            f"airflow_{key}": [round(min(value), 1), round(max(value), 1)]
            for key, value in airflow.items()
        },
        "target_s": 60,
    }


def _alert_queue(state: "stack.StackState") -> str:
    sqs = state.client("sqs")
    url = sqs.create_queue(QueueName=f"bench-alerts-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
    state.client("sns").subscribe(
        TopicArn=state.outputs["AlertTopicArn"], Protocol="sqs", Endpoint=arn["QueueArn"]
    )
    return url


def _next_alert(state: "stack.StackState", url: str, timeout: float = 300) -> tuple[float, str]:
    """When SNS sent the next alert (epoch seconds), and its message."""
    sqs = state.client("sqs")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in sqs.receive_message(
            QueueUrl=url, WaitTimeSeconds=1, AttributeNames=["SentTimestamp"]
        ).get("Messages", []):
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            body = json.loads(message["Body"])
            return int(message["Attributes"]["SentTimestamp"]) / 1000, body["Message"]
    raise AssertionError(f"no alert within {timeout} s")


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
