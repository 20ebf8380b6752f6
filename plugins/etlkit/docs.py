"""Each DAG's doc_md: what the pipeline does, how a run picks its params, how to run and
backfill it, what it is configured by, and the AWS permissions it needs.

Generated from the spec, so the page in the Airflow UI describes the DAG that is running.
"""

from __future__ import annotations

from etlkit import config, iam
from etlkit_core.spec import PipelineSpec

_KIND_TITLE = {
    "glue": "Airflow orchestrates: one Glue run of the shared SQL runner per step",
    "stepfunctions": "Step Functions orchestrates: Airflow starts the pipeline's state machine",
}


def doc_md(spec: PipelineSpec, kind: str, dag_id: str, file_doc: str | None = None) -> str:
    sections = [
        f"# {dag_id}\n\n**{_KIND_TITLE[kind]}.** {spec.description}",
        _schedule(spec, kind),
        _steps(spec, kind),
        _params(spec),
        _running(spec, dag_id),
        _configuration(spec, kind),
        _permissions(kind),
    ]
    if file_doc:
        sections.append("## Where this DAG comes from\n\n" + file_doc.strip())
    return "\n\n".join(sections) + "\n"


def _schedule(spec: PipelineSpec, kind: str) -> str:
    if spec.schedule is None:
        when = "No schedule: manual runs only."
    else:
        scheduled_here = spec.scheduler == "airflow" and kind == "glue"
        who = (
            "This DAG runs on it (the spec's `scheduler: airflow`)."
            if scheduled_here
            else "This DAG does not run on it (the spec's scheduler is "
            f"`{spec.scheduler}`): it takes backfills and manual runs, with the cron's "
            "intervals."
        )
        when = (
            f"Cron `{spec.schedule}` in UTC, as data intervals: the run at the end of an "
            "interval processes that interval (for a daily schedule, the day that just ended). "
            f"Catchup: {'on' if spec.catchup else 'off'}. {who}"
        )
    return (
        f"## Schedule\n\n{when} Start date {spec.start_date.isoformat()}; at most "
        f"{spec.max_active_runs} run(s) at a time. A failure is retried only if it is "
        f"transient (the runner's exit code 3), {spec.retries} times, first after "
        f"{spec.retry_delay_minutes} min, then doubling; any other fails the task at once "
        f"and alerts. Owner: {spec.owner}."
    )


def _steps(spec: PipelineSpec, kind: str) -> str:
    rows = "\n".join(
        f"| `{step.id}` | `{step.s3_key}` | {', '.join(step.params) or '-'} | "
        f"{step.description or ''} |"
        for step in spec.steps
    )
    if kind == "glue":
        intro = (
            "One task per step, in this order, each a run of the shared Glue job with "
            f"`--file` = the S3 key below and `--params` = the step's params as JSON "
            f"(Glue run timeout {spec.step_timeout_minutes} min). The task defers while the "
            "run is in flight and copies the run's logs into the task log."
        )
    else:
        intro = (
            "One task, `run_state_machine`, starts the pipeline's state machine with the run's "
            "date and the params given for the run as the execution input (the state machine "
            "fills in the defaults) and defers until it ends. The state machine runs "
            "the steps below and retries each one itself, so a FAILED execution fails the "
            "task without Airflow retries (and the state machine publishes its own alert "
            "too). The execution is named after the run date (`2026-11-25`), as the pipeline's "
            "EventBridge schedule names it: a run of a date that is running joins that "
            "execution; a run of a date that ran before is a rerun, "
            "`<date>_rerun_<run id hash>_t<try>`."
        )
    table = "| Step | SQL (scripts bucket) | Params | What it does |\n|---|---|---|---|"
    return f"## Steps\n\n{intro}\n\n{table}\n{rows}"


def _params(spec: PipelineSpec) -> str:
    if not spec.params:
        return "## Params\n\nNone."
    rows = []
    for name, param in spec.params.items():
        if param.source == "data_interval_start":
            fallback = "the UTC date the data interval starts on"
        elif param.default is not None:
            fallback = f"`{param.default}`"
        else:
            fallback = "required"
        rows.append(f"| `{name}` | {param.type} | {fallback} | {param.description} |")
    return (
        "## Params\n\nA value given when triggering (the form, or `--conf`) wins; empty "
        "params take the fallback. `{data_bucket}` is the "
        f"`{config.DATA_BUCKET}` Variable.\n\n"
        "| Param | Type | When empty | Meaning |\n|---|---|---|---|\n" + "\n".join(rows)
    )


def _running(spec: PipelineSpec, dag_id: str) -> str:
    date_param = spec.date_param
    example = f'{{"{date_param}": "2026-11-25"}}' if date_param else "{}"
    return (
        "## Running it\n\n"
        f"- A date by hand: *Trigger DAG* with {example}, or "
        f"`airflow dags trigger {dag_id} --conf '{example}'`.\n"
        f"- A range, Airflow 3: `airflow backfill create --dag-id {dag_id} --from-date "
        "2026-11-01 --to-date 2026-11-03T23:59:59` with a scheduler running (locally: "
        f"`make backfill DAG={dag_id} FROM=2026-11-01 TO=2026-11-03`, which waits for the "
        "runs).\n"
        f"- A range, Airflow 2.11: `airflow dags backfill -s 2026-11-01 -e 2026-11-03 {dag_id}`.\n"
        "- Every step is idempotent per param set: rerunning a date or a range leaves the same "
        "rows and files, and two runs of one date that overlap are serialised by the SQL "
        "(the load's `LOCK`). The spec's `scheduler` says who starts scheduled runs; the "
        "DAGs that are not it never start one."
    )


def _configuration(spec: PipelineSpec, kind: str) -> str:
    used = {
        "glue": (config.GLUE_JOB_NAME, config.DATA_BUCKET, config.ALERT_TOPIC_ARN),
        "stepfunctions": (config.STATE_MACHINE_ARNS, config.DATA_BUCKET, config.ALERT_TOPIC_ARN),
    }[kind]
    meaning = {
        config.GLUE_JOB_NAME: "name of the shared SQL runner Glue job (platform stack "
        "output `GlueJobName`)",
        config.DATA_BUCKET: "data bucket, for `{data_bucket}` in param defaults (storage "
        "stack output `DataBucket`)",
        config.ALERT_TOPIC_ARN: "SNS topic of failure alerts (platform stack output "
        "`AlertTopicArn`)",
        config.STATE_MACHINE_ARNS: "JSON object, pipeline name -> state machine ARN "
        f'(pipeline stack output `StateMachineArn`), e.g. `{{"{spec.name}": "arn:aws:states:..."}}`',
    }
    rows = "\n".join(f"- Variable `{name}`: {meaning[name]}." for name in used)
    return (
        "## Configuration (read when a task runs, never at parse time)\n\n"
        f"{rows}\n- Connection `{config.AWS_CONN_ID}`: AWS credentials and region (on MWAA, "
        "the execution role).\n- Environment `ETLKIT_POLL_SECONDS`: seconds between status "
        f"polls of a deferred task (default {config.DEFAULT_POLL_SECONDS})."
    )


def _permissions(kind: str) -> str:
    rows = "\n".join(
        f"| {', '.join(f'`{a}`' for a in p.actions)} | `{p.resource}` | {p.why} |"
        for p in iam.BY_KIND[kind]
    )
    return (
        "## IAM permissions (the MWAA execution role)\n\n"
        "| Actions | Resource | Why |\n|---|---|---|\n" + rows
    )
