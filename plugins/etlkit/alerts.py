"""The failure alert: the provider's SnsNotifier, with a subject and message a person can act on.

Every task gets its own notifier as `on_failure_callback`, which Airflow calls once a task
has failed for good (after its retries). The notifier's fields are templates rendered with
the failed task's context; the macros they call (etlkit.templating) build the text below.
The text names the pipeline, DAG, step, run date, try, error and log link, and the exact
command that resumes the run from its failed step, as the state machine's alert does
(infra/asl.py, the notifier).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from airflow.providers.amazon.aws.notifications.sns import SnsNotifier

from etlkit import config, params
from etlkit.operators import EXECUTION_ARN_XCOM
from etlkit_core.spec import PipelineSpec

# The task of the `_stepfunctions` DAG (etlkit.dag_factory).
STATE_MACHINE_TASK = "run_state_machine"

# SNS Publish (API reference): a subject is at most 100 printable ASCII characters, no
# line breaks; it becomes the e-mail subject line.
SUBJECT_LIMIT = 100
# Enough of the error for the reader to recognise it; the full text is in the task log.
ERROR_LIMIT = 2000


def failure_notifier() -> SnsNotifier:
    """A fresh notifier (rendering fills its fields in place, so tasks must not share one)."""
    return SnsNotifier(
        aws_conn_id=config.AWS_CONN_ID,
        target_arn="{{ etlkit_alert_topic_arn() }}",
        subject="{{ etlkit_alert_subject() }}",
        message="{{ etlkit_alert_message() }}",
    )


def subject(spec: PipelineSpec, context: Mapping[str, Any]) -> str:
    ti = context.get("ti")
    task_id = getattr(ti, "task_id", "?")
    date = params.run_date(spec, context)
    text = f"[etlkit] {spec.name} failed at {task_id}" + (f" for {date}" if date else "")
    text += f" ({_dag_id(context)})"
    ascii_only = text.encode("ascii", "replace").decode("ascii")
    return " ".join(ascii_only.split())[:SUBJECT_LIMIT]


def message(spec: PipelineSpec, context: Mapping[str, Any]) -> str:
    ti = context.get("ti")
    task_id = getattr(ti, "task_id", "?")
    date = params.run_date(spec, context)
    try_number = getattr(ti, "try_number", None)
    max_tries = getattr(ti, "max_tries", None)
    tries = f"{try_number}" + (f" of {max_tries + 1}" if isinstance(max_tries, int) else "")
    step = next((s for s in spec.steps if s.id == task_id), None)
    what = f"{task_id} (runs {step.s3_key})" if step else task_id
    error = context.get("exception")
    error_text = f"{type(error).__name__}: {error}" if error is not None else "see the log"
    if len(error_text) > ERROR_LIMIT:
        error_text = error_text[:ERROR_LIMIT] + " [...]"
    lines = [
        f"Pipeline {spec.name} failed in Airflow.",
        "",
        f"DAG:       {_dag_id(context)}",
        f"Task:      {what}",
        f"Run date:  {date or 'n/a'}",
        f"Run:       {context.get('run_id', '?')}",
        f"Try:       {tries}",
        f"Error:     {error_text}",
        f"Log:       {getattr(ti, 'log_url', 'n/a')}",
        "",
        *resume_lines(context),
    ]
    return "\n".join(lines)


def resume_lines(context: Mapping[str, Any]) -> list[str]:
    """How to resume this run once the cause is fixed, as commands to paste: finished steps
    are not run again. The `_glue` DAG's run clears its failed task and what follows it;
    the `_stepfunctions` DAG's run redrives its execution (whose ARN the task keeps)."""
    ti = context.get("ti")
    dag_id, task_id = _dag_id(context), getattr(ti, "task_id", "?")
    if task_id == STATE_MACHINE_TASK:
        arn = ti.xcom_pull(task_ids=task_id, key=EXECUTION_ARN_XCOM) if ti is not None else None
        if not arn:
            return ["The execution did not start: once the cause is fixed, clear this task."]
        return [
            "Once the cause is fixed, resume the execution (its failed steps and what follows "
            "run again, finished steps do not):",
            f"  aws stepfunctions redrive-execution --execution-arn {arn}",
            "then mark this task successful when the execution has succeeded.",
        ]
    dag_run = context.get("dag_run")
    logical = getattr(dag_run, "logical_date", None) or context.get("logical_date")
    if logical is None:
        return [
            "Once the cause is fixed, clear the failed task with its downstream tasks (Grid "
            "view: the task, Clear, Downstream and Only failed): finished steps do not run again."
        ]
    when = logical.isoformat()
    # `-t` takes the task id as is: Airflow 3 matches it as a substring of task ids (not the
    # regex its help text names; `'^id$'` matches nothing), Airflow 2 as a regex search. Step
    # ids are [a-z0-9_] only, so both read it alike; a longer id that contains it is cleared
    # too only if it failed in this run as well (`--only-failed`), and needs rerunning anyway.
    return [
        "Once the cause is fixed, rerun the failed step and what follows (finished steps do "
        "not run again):",
        f"  airflow tasks clear {dag_id} -t {task_id} --downstream --only-failed "
        f"-s {when} -e {when} --yes",
    ]


def _dag_id(context: Mapping[str, Any]) -> str:
    dag = context.get("dag")
    return getattr(dag, "dag_id", None) or getattr(context.get("ti"), "dag_id", "?")
