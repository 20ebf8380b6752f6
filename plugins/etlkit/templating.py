"""The Jinja functions the DAGs' templated fields call, bound to one pipeline.

Operators' templated fields are rendered when a task starts, on the worker, with the run's
context: the right moment to read Airflow Variables and the run's data interval and Params,
and the rendered values are kept (the task's "Rendered Template" view shows exactly which
`--params` a step ran with). Parsing a DAG file only builds these closures.

Registered as each DAG's `user_defined_macros`; `pass_context` hands a function the
template context (params, data_interval_start, run_id, ti, exception, ...).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jinja2 import pass_context

from etlkit import alerts, config, params
from etlkit_core import executions
from etlkit_core.spec import PipelineSpec
from sqlrunner import params as sql_params


def pipeline_macros(spec: PipelineSpec) -> dict[str, Callable[..., str]]:
    """`etlkit_*` template functions for `spec`'s DAGs."""

    def glue_job_name() -> str:
        return config.variable(config.GLUE_JOB_NAME)

    def state_machine_arn() -> str:
        return config.state_machine_arn(spec.name)

    def alert_topic_arn() -> str:
        return config.variable(config.ALERT_TOPIC_ARN)

    @pass_context
    def step_params(context: Any, step_id: str) -> str:
        return params.step_params_json(spec, step_id, context)

    @pass_context
    def step_sql(context: Any, step_id: str) -> str:
        """The step's SQL file as the runner will run it with this run's params. A display
        only: what cannot be rendered here says why instead of failing the task."""
        step = spec.step(step_id)
        path = spec.directory / step.file
        try:
            values = params.resolve(spec, context)
            chosen = {name: values[name] for name in step.params}
            return sql_params.render(path.read_text(encoding="utf-8"), chosen, step.file)
        except Exception as exc:  # the run itself renders and checks the SQL in Glue
            return f"-- {step.s3_key} cannot be shown rendered here: {exc}"

    @pass_context
    def execution_input(context: Any) -> str:
        return executions.execution_input(params.execution_values(spec, context))

    def _run_key(context: Any) -> str | None:
        values = params.execution_values(spec, context)
        return executions.run_key(spec, values, context.get("data_interval_end"))

    @pass_context
    def execution_name(context: Any) -> str:
        """The date's first-run name; without a run key, one name per Airflow run and try."""
        key = _run_key(context)
        if key is None:
            return executions.unkeyed_name(context["run_id"], context["ti"].try_number)
        return key

    @pass_context
    def rerun_execution_name(context: Any) -> str:
        """The name this try starts a rerun with: `<key>_rerun_<run id hash>_t<try>`."""
        key = _run_key(context)
        if key is None:
            return executions.unkeyed_name(context["run_id"], context["ti"].try_number)
        prefix = executions.rerun_prefix(key, context["run_id"])
        return executions.rerun_name(prefix, context["ti"].try_number)

    @pass_context
    def alert_subject(context: Any) -> str:
        return alerts.subject(spec, context)

    @pass_context
    def alert_message(context: Any) -> str:
        return alerts.message(spec, context)

    return {
        "etlkit_glue_job_name": glue_job_name,
        "etlkit_state_machine_arn": state_machine_arn,
        "etlkit_alert_topic_arn": alert_topic_arn,
        "etlkit_step_params": step_params,
        "etlkit_step_sql": step_sql,
        "etlkit_execution_input": execution_input,
        "etlkit_execution_name": execution_name,
        "etlkit_rerun_execution_name": rerun_execution_name,
        "etlkit_alert_subject": alert_subject,
        "etlkit_alert_message": alert_message,
    }
