"""`make demo`: the reviews and TICKIT pipelines end to end on the local stack, narrated.

1. `make local-up`'s work: PostgreSQL-as-Redshift, the local AWS, the production
   templates deployed, sample reviews generated into the data lake bucket.
2. The reviews state machine for one run date, followed state by state; then what it
   did: rows loaded (checked against the Parquet files read independently), files
   unloaded (keys and sizes), and the top helpful review per marketplace and category.
3. The failure path of the blog post, a misspelt secret: the Glue job's `--db_creds`
   is pointed at a secret that does not exist, the execution must end FAILED and the
   SNS alert is printed; the job is restored afterwards.
4. The TICKIT pipeline (sql/tickit, AWS's sample schema loaded from the tutorial's files)
   through its state machine for its busiest sale day: row counts and checksums of its
   final tables and of the unloaded report.
5. The same run dates through Airflow: `<pipeline>_glue` and `<pipeline>_stepfunctions`
   of both pipelines run with the real Airflow against the local stack, and the three
   orchestrations' results are compared (reviews: same rows loaded, same unloaded
   reviews; TICKIT: same row counts and checksums of tables and report).
6. The lineage every step run sent to the local S3, drawn per pipeline
   (`lineage-<pipeline>.html`, infra.lineage_picture).

Exits 0 only if every step happened as expected; the stack is left up for exploring
(`. .local/env`), `make local-down` stops it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import json
import shutil
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.compute as pc
import pyarrow.parquet as pq

from infra.local import stack, tickit_data
from sqlrunner.process import exit_with

PIPELINE = "reviews_etl"
TICKIT = "tickit_etl"
# TICKIT's final tables: the run date's rows of the dated ones, all rows of the others.
TICKIT_TABLES = {
    "tickit.sales": "",
    "tickit.event_dim": "",
    "tickit.lake_sales_daily": "saledate",
    "tickit.daily_event_sales": "saledate",
}
TICKIT_REPORT = "reports/tickit_top_events/"
DEFAULT_RUN_DATE = dt.date(2015, 6, 15)
RETRY_SCALE = 0.01  # the failed step's 5-minute retry interval becomes 3 seconds
MISSPELT_SECRET = "etlkit/redshfit"  # noqa: S105 - the name of a secret, not a value


class DemoFailed(stack.LocalAwsError):
    """Something did not happen as the demo expects; the message says what."""


@dataclass
class Outcome:
    """What one orchestration left behind, to compare orchestrators."""

    rows: list[tuple[Any, ...]] = field(default_factory=list)
    unloaded: list[tuple[Any, ...]] = field(default_factory=list)
    files: list[tuple[str, int]] = field(default_factory=list)


def heading(text: str) -> None:
    print(f"\n== {text}", flush=True)


def check(condition: bool, problem: str) -> None:
    if not condition:
        raise DemoFailed(problem)


def run_state_machine(
    state: stack.StackState, run_date: dt.date, label: str, pipeline: str = PIPELINE
) -> dict[str, Any]:
    """Start the pipeline's execution and print its states as they enter and exit. The
    date's first run is named after it, a rerun `<date>_rerun_<label>` (README, "Runs of a
    date")."""
    sfn = state.client("stepfunctions")
    name = str(run_date) if label == "demo" else f"{run_date}_rerun_{label}"
    arn = sfn.start_execution(
        stateMachineArn=state.state_machines[pipeline],
        name=name,
        input=json.dumps({"run_date": run_date.isoformat()}),
    )["executionArn"]
    print(f"execution {name}", flush=True)
    seen, entered = 0, {}
    while True:
        described = sfn.describe_execution(executionArn=arn)
        events = sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
        for event in events[seen:]:
            details = event.get("stateEnteredEventDetails") or event.get("stateExitedEventDetails")
            if not details:
                continue
            if event["type"].endswith("StateEntered"):
                entered[details["name"]] = event["timestamp"]
            else:
                took = (
                    event["timestamp"] - entered.get(details["name"], event["timestamp"])
                ).total_seconds()
                print(f"  {details['name']:<28} {took:6.1f}s", flush=True)
        seen = len(events)
        if described["status"] != "RUNNING":
            break
        time.sleep(0.5)
    took = (described["stopDate"] - described["startDate"]).total_seconds()
    print(f"  execution {described['status']} in {took:.1f}s", flush=True)
    return described


def lake_rows_on(state: stack.StackState, run_date: dt.date) -> int:
    """The run date's rows counted straight from the Parquet files (not through the
    database), the reference the loaded rows are checked against."""
    s3 = state.client("s3")
    bucket = state.outputs["DataBucket"]
    total = 0
    for key in _keys(s3, bucket, stack.LAKE_PREFIX):
        table = pq.read_table(io.BytesIO(s3.get_object(Bucket=bucket, Key=key)["Body"].read()))
        total += pc.sum(pc.equal(table["review_date"], run_date)).as_py() or 0
    return total


def _keys(s3: Any, bucket: str, prefix: str) -> list[str]:
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    return sorted(item["Key"] for page in pages for item in page.get("Contents", []))


def outcome(state: stack.StackState, run_date: dt.date) -> Outcome:
    db = state.postgres.connect(state.database)
    try:
        rows = db.query(
            "SELECT review_id, marketplace, product_category, helpful_votes FROM reviews "
            "WHERE review_date = $1 ORDER BY review_id",
            (run_date,),
        ).getresult()
    finally:
        db.close()
    s3 = state.client("s3")
    bucket = state.outputs["DataBucket"]
    prefix = f"reports/helpful_reviews/run_date={run_date}/"
    result = Outcome(rows=rows)
    for key in _keys(s3, bucket, prefix):
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        result.files.append((key[len(prefix) :], len(body)))
        partition = dict(part.split("=", 1) for part in key[len(prefix) :].split("/")[:-1])
        for record in pq.read_table(io.BytesIO(body)).to_pylist():
            result.unloaded.append(
                (
                    partition.get("marketplace"),
                    partition.get("product_category"),
                    record["review_id"],
                    record["helpful_votes"],
                    record["total_votes"],
                    record["star_rating"],
                    record["review_headline"],
                )
            )
    result.unloaded.sort(key=lambda r: (r[0], r[1], -r[3], -r[4], r[2]))
    return result


def print_results(result: Outcome, expected_rows: int, run_date: dt.date) -> None:
    print(
        f"rows loaded into reviews for {run_date}: {len(result.rows):,} (the lake's Parquet files hold {expected_rows:,})"
    )
    size = sum(length for _, length in result.files)
    print(f"files unloaded: {len(result.files)} ({size / 1024:.1f} KiB)")
    for key, length in result.files[:6]:
        print(f"  {key}  {length:,} B")
    if len(result.files) > 6:
        print(f"  ... and {len(result.files) - 6} more")
    print("top helpful review per marketplace and category:")
    header = f"  {'market':<6} {'category':<16} {'helpful':>7} {'total':>5} {'stars':>5}  headline"
    print(header)
    print("  " + "-" * (len(header) - 2))
    done = set()
    for market, category, _review, helpful, total, stars, headline in result.unloaded:
        if (market, category) in done:
            continue
        done.add((market, category))
        print(f"  {market:<6} {category:<16} {helpful:>7} {total:>5} {stars:>5}  {headline[:40]}")


def tickit_run_date(state: stack.StackState) -> dt.date:
    """The sale day with the most sales in the TICKIT files the stack holds (read from the
    tab-delimited sales file itself, so the demo reports on a day with plenty to show)."""
    s3 = state.client("s3")
    key = f"{tickit_data.DEFAULT_PREFIX}sales_tab.txt"
    body = s3.get_object(Bucket=state.outputs["DataBucket"], Key=key)["Body"].read().decode()
    days = Counter(
        dt.datetime.strptime(line.split("\t")[9], "%m/%d/%Y %H:%M:%S").date()
        for line in body.splitlines()
        if line
    )
    return max(sorted(days), key=lambda day: days[day])


def tickit_outcome(state: stack.StackState, run_date: dt.date) -> dict[str, tuple[int, str]]:
    """Rows and an MD5 checksum of each final table (the run date's rows of the dated
    ones) and of the unloaded report, to compare orchestrations."""
    result: dict[str, tuple[int, str]] = {}
    db = state.postgres.connect(state.database)
    try:
        for table, dated in TICKIT_TABLES.items():
            query = (
                "SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "
                f"FROM {table} t"
            )
            found = (
                db.query(f"{query} WHERE {dated} = $1", (run_date,)) if dated else db.query(query)
            )
            count, checksum = found.getresult()[0]
            result[table] = (count, checksum)
    finally:
        db.close()
    s3 = state.client("s3")
    bucket = state.outputs["DataBucket"]
    prefix = f"{TICKIT_REPORT}run_date={run_date}/"
    digest, lines = hashlib.md5(usedforsecurity=False), 0
    for key in _keys(s3, bucket, prefix):
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        digest.update(body)
        lines += max(0, body.count(b"\n") - 1)  # the header is not a row
    result[f"s3://{bucket}/{prefix}"] = (lines, digest.hexdigest())
    return result


def print_tickit(result: dict[str, tuple[int, str]]) -> None:
    for name, (rows, checksum) in result.items():
        print(f"  {name:<58} {rows:>7,} rows  md5 {checksum}")


def tickit_part(state: stack.StackState) -> tuple[dt.date, dict[str, tuple[int, str]]]:
    run_date = tickit_run_date(state)
    heading(f"Step Functions: {TICKIT} for run_date {run_date}")
    described = run_state_machine(state, run_date, "demo", TICKIT)
    check(
        described["status"] == "SUCCEEDED",
        f"the TICKIT execution ended {described['status']}: {described.get('cause', '')[:500]}",
    )
    heading("What it did")
    result = tickit_outcome(state, run_date)
    print_tickit(result)
    check(all(rows > 0 for rows, _ in result.values()), "a TICKIT table or the report is empty")
    return run_date, result


def draw_lineage(state: stack.StackState, state_dir: Path) -> None:
    """Each pipeline's lineage from the events its step runs sent to the local S3."""
    from infra import lineage_picture

    heading("Lineage (OpenLineage events in the local S3)")
    where = f"s3://{state.outputs['DataBucket']}/lineage/"
    events = lineage_picture.read_events(where, state.client("s3"))
    for pipeline in (PIPELINE, TICKIT):
        graph = lineage_picture.graph_of(pipeline, events)
        check(bool(graph.nodes), f"no lineage events of {pipeline} under {where}")
        out = state_dir / f"lineage-{pipeline}.html"
        out.write_text(lineage_picture.page(graph))
        steps = sum(1 for n in graph.nodes.values() if n.kind == lineage_picture.STEP)
        print(f"  {pipeline}: {steps} steps, {len(graph.nodes) - steps} datasets -> {out}")
    print(f"  (events: {len(events)} under {where}; `make lineage PIPELINE=...` draws one)")


def failure_path(state: stack.StackState, run_date: dt.date) -> None:
    """The post's injected failure, a misspelt secret name: FAILED plus an SNS alert."""
    glue, sqs, sns = state.client("glue"), state.client("sqs"), state.client("sns")
    job_name = state.outputs["GlueJobName"]
    queue_url = sqs.create_queue(QueueName="etlkit-demo-alerts")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    sns.subscribe(TopicArn=state.outputs["AlertTopicArn"], Protocol="sqs", Endpoint=queue_arn)
    sqs.purge_queue(QueueUrl=queue_url)
    job = glue.get_job(JobName=job_name)["Job"]
    update = {
        key: job[key]
        for key in (
            "Role",
            "Command",
            "DefaultArguments",
            "Connections",
            "MaxCapacity",
            "Timeout",
            "ExecutionProperty",
            "GlueVersion",
        )
        if key in job
    }
    broken = dict(
        update, DefaultArguments={**job["DefaultArguments"], "--db_creds": MISSPELT_SECRET}
    )
    glue.update_job(JobName=job_name, JobUpdate=broken)
    print(f"Glue job {job_name}: --db_creds set to {MISSPELT_SECRET!r} (misspelt)")
    try:
        described = run_state_machine(state, run_date, "demo-broken")
    finally:
        glue.update_job(JobName=job_name, JobUpdate=update)
        print(f"Glue job {job_name}: --db_creds restored")
    check(
        described["status"] == "FAILED", f"the broken run ended {described['status']}, not FAILED"
    )
    message = _receive(sqs, queue_url)
    check(message is not None, "no SNS alert arrived for the failed execution")
    check(MISSPELT_SECRET in message["Message"], "the alert does not name the misspelt secret")
    print("SNS alert received:")
    print(f"  Subject: {message.get('Subject')}")
    for line in message["Message"].splitlines():
        print(f"  {line}")


def _receive(sqs: Any, queue_url: str, timeout: float = 20.0) -> dict[str, Any] | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        messages = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=1).get("Messages", [])
        if messages:
            return json.loads(messages[0]["Body"])
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infra.local.demo", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--run-date", type=dt.date.fromisoformat, default=DEFAULT_RUN_DATE)
    parser.add_argument(
        "--rows", type=int, default=None, help="sample reviews (default: the generator's)"
    )
    parser.add_argument("--state-dir", type=Path, default=stack.DEFAULT_STATE_DIR)
    parser.add_argument("--skip-airflow", action="store_true", help="only the Step Functions part")
    options = parser.parse_args(argv)
    started = time.monotonic()
    try:
        heading("Local stack (make local-up)")
        state = stack.up(
            state_dir=options.state_dir, sample_rows=options.rows, retry_scale=RETRY_SCALE
        )
        print(
            f"(state machine Retry intervals run {1 / RETRY_SCALE:.0f}x faster than on AWS for this demo)"
        )
        run_date = options.run_date
        expected = lake_rows_on(state, run_date)
        check(
            expected > 0, f"the sample data has no reviews on {run_date}; pick another --run-date"
        )

        heading(f"Step Functions: {PIPELINE} for run_date {run_date}")
        described = run_state_machine(state, run_date, "demo")
        check(
            described["status"] == "SUCCEEDED",
            f"the execution ended {described['status']}: {described.get('cause', '')[:500]}",
        )
        heading("What it did")
        reference = outcome(state, run_date)
        print_results(reference, expected, run_date)
        check(
            len(reference.rows) == expected,
            f"{len(reference.rows)} rows loaded, the lake has {expected}",
        )
        check(bool(reference.files), "no files were unloaded")

        heading("Rerun of the same date (idempotency)")
        described = run_state_machine(state, run_date, "demo-rerun")
        check(described["status"] == "SUCCEEDED", f"the rerun ended {described['status']}")
        again = outcome(state, run_date)
        check(again.rows == reference.rows, "the rerun changed the loaded rows")
        check(again.unloaded == reference.unloaded, "the rerun changed the unloaded reviews")
        print(f"same {len(again.rows):,} rows and the same {len(again.files)} files' contents")

        heading("Failure path: a misspelt secret")
        failure_path(state, run_date)

        tickit_date, tickit_reference = tickit_part(state)

        if not options.skip_airflow:
            airflow = _airflow(state, options.state_dir)
            airflow_part(state, run_date, reference, airflow)
            tickit_airflow_part(state, tickit_date, tickit_reference, airflow)
        draw_lineage(state, options.state_dir)
    except (DemoFailed, stack.LocalAwsError) as exc:
        print(f"\nDEMO FAILED: {exc}", file=sys.stderr)
        return 1
    print(
        f"\nDemo complete in {time.monotonic() - started:.0f}s. The stack is still up: `. {options.state_dir / 'env'}`; `make local-down` stops it."
    )
    return 0


def airflow_part(
    state: stack.StackState,
    run_date: dt.date,
    reference: Outcome,
    airflow: tuple[str, dict[str, str]],
) -> None:
    """Both DAGs of the pipeline for the same date, with the real Airflow (`airflow dags
    test`: a real DagRun with the DAG's own operators, deferrals and triggers) against
    the local stack; each must leave exactly what the state machine left."""
    for dag_id in (f"{PIPELINE}_glue", f"{PIPELINE}_stepfunctions"):
        _dag_test(*airflow, dag_id, run_date)
        result = outcome(state, run_date)
        check(result.rows == reference.rows, f"{dag_id} loaded other rows than the state machine")
        check(result.unloaded == reference.unloaded, f"{dag_id} unloaded other reviews")
    heading("Orchestrators compared")
    print(
        f"Step Functions, Airflow + Glue and Airflow + Step Functions: the same "
        f"{len(reference.rows):,} rows loaded and the same {len(reference.unloaded)} reviews "
        f"in {len(reference.files)} unloaded files"
    )


def tickit_airflow_part(
    state: stack.StackState,
    run_date: dt.date,
    reference: dict[str, tuple[int, str]],
    airflow: tuple[str, dict[str, str]],
) -> None:
    """TICKIT's two DAGs for its date; each must leave the tables and the report exactly
    as the state machine did (row counts and checksums)."""
    for dag_id in (f"{TICKIT}_glue", f"{TICKIT}_stepfunctions"):
        _dag_test(*airflow, dag_id, run_date)
        result = tickit_outcome(state, run_date)
        differ = [name for name in reference if result.get(name) != reference[name]]
        check(not differ, f"{dag_id} left other rows or checksums in: {', '.join(differ)}")
    heading("TICKIT orchestrators compared")
    print(
        "Step Functions, Airflow + Glue and Airflow + Step Functions: the same rows and checksums"
    )
    print_tickit(reference)


def _airflow(state: stack.StackState, state_dir: Path) -> tuple[str, dict[str, str]]:
    """The airflow command and its environment against the local stack, migrated."""
    from infra.mwaa import local_airflow

    env = local_airflow.airflow_environment(
        home=state_dir / "airflow", stack_env=state.env, port=local_airflow.free_port(0)
    )
    env["ETLKIT_POLL_SECONDS"] = "1"
    airflow = shutil.which("airflow", path=env["PATH"]) or "airflow"
    migrated = subprocess.run([airflow, "db", "migrate"], env=env, capture_output=True, text=True)
    check(migrated.returncode == 0, f"airflow db migrate failed: {migrated.stderr[-2000:]}")
    return airflow, env


def _dag_test(airflow: str, env: dict[str, str], dag_id: str, run_date: dt.date) -> None:
    """One DAG run for `run_date` with `airflow dags test`, its tasks printed."""
    heading(f"Airflow: {dag_id} for run_date {run_date}")
    conf = json.dumps({"run_date": run_date.isoformat()})
    started = time.monotonic()
    done = subprocess.run(
        [airflow, "dags", "test", dag_id, "--conf", conf],
        env=env,
        capture_output=True,
        text=True,
    )
    took = time.monotonic() - started
    for task, outcome_state, seconds in _task_outcomes(airflow, env, dag_id):
        print(f"  {task:<28} {outcome_state:<8} {seconds:6.1f}s")
    check(done.returncode == 0, f"{dag_id} failed:\n{(done.stdout + done.stderr)[-3000:]}")
    print(f"  DAG run succeeded in {took:.0f}s (including Airflow's start-up)")


def _json_in(stdout: str) -> list[dict[str, Any]]:
    """The JSON document of a CLI's `-o json` output (Airflow may print warnings first)."""
    lines = [line for line in stdout.splitlines() if line.startswith("[")]
    return json.loads(lines[-1]) if lines else []


def _task_outcomes(airflow: str, env: dict[str, str], dag_id: str) -> list[tuple[str, str, float]]:
    runs = subprocess.run(
        [airflow, "dags", "list-runs", dag_id, "-o", "json"],
        env=env,
        capture_output=True,
        text=True,
    )
    if runs.returncode != 0 or not runs.stdout.strip():
        return []
    latest = max(_json_in(runs.stdout), key=lambda run: run.get("start_date") or "")
    tasks = subprocess.run(
        [airflow, "tasks", "states-for-dag-run", dag_id, latest["run_id"], "-o", "json"],
        env=env, capture_output=True, text=True,
    )  # fmt: skip
    if tasks.returncode != 0:
        return []
    outcomes = []
    for task in sorted(_json_in(tasks.stdout), key=lambda t: t.get("start_date") or ""):
        began, ended = task.get("start_date"), task.get("end_date")
        seconds = (
            (dt.datetime.fromisoformat(ended) - dt.datetime.fromisoformat(began)).total_seconds()
            if began and ended
            else 0.0
        )
        outcomes.append((task["task_id"], task["state"], seconds))
    return outcomes


if __name__ == "__main__":
    exit_with(main())
