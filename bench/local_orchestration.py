"""The local AWS as an orchestration platform:

- start-up: seconds until `python -m infra.local.server` answers (moto + every
  extension imported), next to a bare moto ThreadedMotoServer started the same way;
- per-step overhead: a state machine of N trivial steps (`SELECT 1` each, real Glue runs
  of the runner against PostgreSQL) vs the same N runner invocations of the Glue entry
  script called directly, one after the other, same interpreter and environment.
"""

import json
import os
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


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
