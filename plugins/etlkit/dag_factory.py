"""Two DAGs per pipeline spec: `<name>_glue` (Airflow runs the steps) and
`<name>_stepfunctions` (Airflow starts the pipeline's state machine).

Building a DAG reads only the spec files (local YAML) and environment variables: no
Variable, connection or AWS call happens at parse time; the templated fields call
etlkit.templating's functions when a task runs.

Both DAGs have the spec's cron as a data-interval timetable in UTC, which gives a run the same
data interval on Airflow 2.11 and 3.x (a plain cron string means a data interval on 2.x but a
point in time on 3.x), so a run's date is the date its data interval starts on either way.
Only the spec's scheduler runs on it: with `scheduler: airflow` the `<name>_glue` DAG
(CronDataIntervalTimetable); every other DAG has etlkit.timetables' UnscheduledCronTimetable,
the same intervals for backfills and manual runs but no run of its own. A spec without a
schedule gives DAGs without one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from etlkit import config, docs, operators
from etlkit.alerts import STATE_MACHINE_TASK, failure_notifier
from etlkit.assets import step_assets
from etlkit.compat import DAG, EXPONENTIAL_BACKOFF, CronDataIntervalTimetable
from etlkit.operators import PipelineExecutionOperator, SqlRunnerStepOperator
from etlkit.params import dag_params
from etlkit.templating import pipeline_macros
from etlkit.timetables import UnscheduledCronTimetable
from etlkit_core.pipeline_graph import discover_compiled, load_graph
from etlkit_core.spec import PipelineSpec, StepSpec

GLUE, STEPFUNCTIONS = "glue", "stepfunctions"
# The DAG that runs on the schedule, per spec `scheduler`; `stepfunctions` schedules with
# EventBridge, so no DAG does.
SCHEDULED_KIND = {"airflow": GLUE}
# Time a finished Glue run or execution may take to be noticed and reported, on top of
# the limits the spec sets.
_MARGIN = dt.timedelta(minutes=10)
# What the state machine's Retry on transient Glue errors may add per step (infra/asl.py
# TRANSIENT_RETRY: 6 attempts from 15 s, doubling, capped at 300 s: about 13 minutes).
_TRANSIENT_RETRIES = dt.timedelta(minutes=15)


def build_dags(dags_folder: Path | str, file_doc: str | None = None) -> dict[str, DAG]:
    """Every pipeline's two DAGs by dag_id, for a DAG file's globals()."""
    specs = discover_compiled(config.pipelines_dir(dags_folder))
    return dags_for(specs, file_doc)


def dags_for(specs: Iterable[PipelineSpec], file_doc: str | None = None) -> dict[str, DAG]:
    dags: dict[str, DAG] = {}
    for spec in specs:
        for dag in (glue_dag(spec, file_doc), stepfunctions_dag(spec, file_doc)):
            dags[dag.dag_id] = dag
    return dags


def glue_dag(spec: PipelineSpec, file_doc: str | None = None) -> DAG:
    """One task per step; a task waits for exactly the steps the step graph puts before it
    (etlkit_core.pipeline_graph, read from the committed file), so independent steps run
    in parallel. Its outlets and inlets are the Assets the step writes and reads."""
    dag = _dag(spec, GLUE, file_doc)
    step_limit = dt.timedelta(minutes=spec.step_timeout_minutes)
    graph = load_graph(spec)
    assets = step_assets(spec, graph)
    tasks = {
        step.id: SqlRunnerStepOperator(
            task_id=step.id,
            dag=dag,
            doc_md=_step_doc(step),
            inlets=assets[step.id][0],
            outlets=assets[step.id][1],
            job_name="{{ etlkit_glue_job_name() }}",
            script_args={
                "--file": step.s3_key,
                "--params": f"{{{{ etlkit_step_params('{step.id}') }}}}",
                "--statement_timeout": str(spec.statement_timeout_ms),
                # the OpenLineage job `<pipeline>.<step>` (sqlrunner.lineage)
                "--pipeline": spec.name,
                "--step": step.id,
                # The runner retries a transient failure itself; a failed run is final.
                "--retries": str(spec.retries),
                "--retry_delay_seconds": str(spec.retry_delay_minutes * 60),
            },
            # Glue ends the run itself at the step's limit, as the state machine asks it to.
            run_job_kwargs={"Timeout": spec.step_timeout_minutes},
            aws_conn_id=config.AWS_CONN_ID,
            wait_for_completion=True,
            deferrable=True,
            verbose=True,
            stop_job_run_on_kill=True,
            waiter_delay=config.poll_seconds(),
            waiter_max_attempts=_attempts(step_limit + _MARGIN),
            execution_timeout=step_limit + 2 * _MARGIN,
            on_failure_callback=failure_notifier(),
        )
        for step in spec.steps
    }
    for step_id, task in tasks.items():
        task.sql = f"{{{{ etlkit_step_sql('{step_id}') }}}}"
        operators.no_console_links_locally(task)
    for edge in graph.edges:
        tasks[edge.before] >> tasks[edge.after]
    return dag


def stepfunctions_dag(spec: PipelineSpec, file_doc: str | None = None) -> DAG:
    dag = _dag(spec, STEPFUNCTIONS, file_doc)
    budget = _execution_budget(spec)
    PipelineExecutionOperator(
        task_id=STATE_MACHINE_TASK,
        dag=dag,
        doc_md="Starts the state machine with the run's params and waits for it to end.",
        state_machine_arn="{{ etlkit_state_machine_arn() }}",
        name="{{ etlkit_execution_name() }}",
        rerun_name="{{ etlkit_rerun_execution_name() }}",
        state_machine_input="{{ etlkit_execution_input() }}",
        aws_conn_id=config.AWS_CONN_ID,
        deferrable=True,
        waiter_delay=config.poll_seconds(),
        waiter_max_attempts=_attempts(budget),
        execution_timeout=budget + _MARGIN,
        on_failure_callback=failure_notifier(),
    )
    return dag


def _dag(spec: PipelineSpec, kind: str, file_doc: str | None) -> DAG:
    dag_id = f"{spec.name}_{kind}"
    start = spec.start_date
    return DAG(
        dag_id=dag_id,
        description=_first_sentence(spec.description) or f"etlkit pipeline {spec.name}",
        schedule=_timetable(spec, kind),
        start_date=dt.datetime(start.year, start.month, start.day, tzinfo=dt.UTC),
        catchup=spec.catchup,
        max_active_runs=spec.max_active_runs,
        default_args={
            "owner": spec.owner,
            "retries": spec.retries,
            "retry_delay": dt.timedelta(minutes=spec.retry_delay_minutes),
            "retry_exponential_backoff": EXPONENTIAL_BACKOFF,
        },
        params=dag_params(spec),
        user_defined_macros=pipeline_macros(spec),
        tags=_tags(spec, kind),
        doc_md=docs.doc_md(spec, kind, dag_id, file_doc),
    )


def _timetable(spec: PipelineSpec, kind: str) -> object | None:
    if spec.schedule is None:
        return None
    if kind == SCHEDULED_KIND.get(spec.scheduler or ""):
        return CronDataIntervalTimetable(spec.schedule, timezone="UTC")
    return UnscheduledCronTimetable(spec.schedule, timezone="UTC")


def _tags(spec: PipelineSpec, kind: str) -> list[str]:
    tags = ["etlkit", "glue" if kind == GLUE else "step-functions", *spec.tags]
    return list(dict.fromkeys(tags))


def _execution_budget(spec: PipelineSpec) -> dt.timedelta:
    """Longest an execution may take: every step one after the other, each Glue run ending at
    its timeout (which bounds the runner's own retries) after the Glue API's retries."""
    per_step = dt.timedelta(minutes=spec.step_timeout_minutes) + _TRANSIENT_RETRIES
    return len(spec.steps) * per_step + _MARGIN


def _attempts(limit: dt.timedelta) -> int:
    return int(limit.total_seconds() // config.poll_seconds()) + 1


def _step_doc(step: StepSpec) -> str:
    """The task's doc: the step's description and the file it runs."""
    return (
        f"{step.description.strip()}\n\nRuns `{step.s3_key}`."
        if step.description
        else (f"Runs `{step.s3_key}`.")
    )


def _first_sentence(text: str) -> str:
    return text.split(". ")[0].rstrip(".") + "." if text else ""
