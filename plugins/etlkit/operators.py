"""The two operators the DAGs use: the provider's Glue and Step Functions operators, each with
the end of a run judged by the run itself rather than by the waiter's verdict.

Both stay the provider classes (same arguments, trigger, links, deferral); what they change
was found reading apache-airflow-providers-amazon 9.34.0 (MWAA 3.3.1) and 9.22.0 (2.11.2):

- GlueJobOperator counts a STOPPED run as success (hooks/glue.py `_handle_state`, and the
  verbose GlueJobCompleteTrigger), so a run stopped from the console would let the next step
  run on a half-done one. A failed run fails the task with "exited with state: FAILED" but
  without the run's ErrorMessage, which is where the runner puts its one-line summary (file,
  statement, line).
- When the job does not exist, GlueJobOperator tries to *create* one of that name
  (GlueJobHook.get_or_create_glue_job) and fails on the missing IAM role with a message about
  `RoleName`. The shared job belongs to the platform stack; a DAG must never create one.
- StepFunctionStartExecutionOperator reports a failed execution as "Trigger error: event
  is {...}"; the execution's own error and cause are what a reader needs.
- Neither stops what it started when its waiter gives up, so a retry would run next to it.
- GlueJobOperator forgets its run id across the deferral, so a task killed after resuming
  tries to stop run `None`.

Both defer with etlkit.triggers' subclasses of the provider's triggers (see there why).
"""

from __future__ import annotations

from typing import Any

from airflow.providers.amazon.aws.operators.glue import GlueJobOperator
from airflow.providers.amazon.aws.operators.step_function import (
    StepFunctionStartExecutionOperator,
)

from etlkit.compat import AirflowFailException
from etlkit.errors import RunFailedError
from etlkit.triggers import ExecutionTrigger, GlueRunTrigger

# Glue JobRunState values (Glue API reference, JobRun): still going, or ended.
GLUE_ACTIVE_STATES = frozenset({"STARTING", "RUNNING", "STOPPING", "WAITING"})
# Step Functions execution status (DescribeExecution API reference).
SFN_ACTIVE_STATES = frozenset({"RUNNING", "PENDING_REDRIVE"})


class SqlRunnerStepOperator(GlueJobOperator):
    """One pipeline step: a run of the shared SQL runner Glue job (see the module docstring)."""

    def execute(self, context: Any) -> Any:
        if not self.hook.has_job(self.job_name):
            raise AirflowFailException(
                f"Glue job {self.job_name!r} does not exist in {self.hook.conn_region_name}: "
                "deploy the platform stack, or correct the etlkit_glue_job_name Variable "
                "(a DAG never creates the job)"
            )
        return super().execute(context)

    def defer(self, *, trigger: Any, method_name: str, **kwargs: Any) -> Any:
        _, arguments = trigger.serialize()
        super().defer(trigger=GlueRunTrigger(**arguments), method_name=method_name, **kwargs)

    def execute_complete(self, context: Any, event: dict[str, Any] | None = None) -> str:
        run_id = (event or {}).get("run_id") or self._job_run_id
        if not run_id:
            raise RunFailedError(f"the Glue trigger returned no run id: {event!r}")
        self._job_run_id = run_id  # what on_kill stops if the task is killed from here on
        run = self.hook.conn.get_job_run(JobName=self.job_name, RunId=run_id)["JobRun"]
        state = run["JobRunState"]
        where = f"Glue run {run_id} of {self.job_name} ({self.script_args.get('--file')})"
        if state == "SUCCEEDED":
            self.log.info("%s SUCCEEDED in %s s", where, run.get("ExecutionTime", "?"))
            return run_id
        if state in GLUE_ACTIVE_STATES:
            self.log.error("%s is still %s after the wait ran out: stopping it", where, state)
            self.hook.conn.batch_stop_job_run(JobName=self.job_name, JobRunIds=[run_id])
            raise RunFailedError(
                f"{where} was still {state} when the wait ran out ({(event or {}).get('message')}); "
                "it was stopped"
            )
        if state == "STOPPED":
            # Someone stopped it (console, API): a retry would start it again behind their back.
            raise AirflowFailException(
                f"{where} ended STOPPED from outside Airflow; not retried: clear the task to "
                "run the step again"
            )
        detail = run.get("ErrorMessage") or (event or {}).get("message") or "no error message"
        raise RunFailedError(f"{where} ended {state}: {detail}")


class PipelineExecutionOperator(StepFunctionStartExecutionOperator):
    """Starts the pipeline's state machine and waits for the execution (deferred).

    An execution that ends FAILED, TIMED_OUT or ABORTED fails the task without Airflow
    retries: the state machine has already retried each step by the spec, and a second round
    would rerun every step again. Errors before that (starting, polling) retry as usual.
    """

    def defer(self, *, trigger: Any, method_name: str, **kwargs: Any) -> Any:
        _, arguments = trigger.serialize()
        super().defer(trigger=ExecutionTrigger(**arguments), method_name=method_name, **kwargs)

    def execute_complete(self, context: Any, event: dict[str, Any] | None = None) -> str:
        arn = (event or {}).get("execution_arn")
        if not arn:
            raise RunFailedError(f"the Step Functions trigger returned no execution ARN: {event!r}")
        execution = self.hook.describe_execution(arn)
        status = execution["status"]
        if status == "SUCCEEDED":
            self.log.info("execution %s SUCCEEDED; output: %s", arn, execution.get("output"))
            return arn
        if status in SFN_ACTIVE_STATES:
            self.log.error(
                "execution %s is still %s after the wait ran out: stopping it", arn, status
            )
            self.hook.conn.stop_execution(
                executionArn=arn,
                error="etlkit.WaitExpired",
                cause="Airflow stopped waiting for this execution; the task will retry",
            )
            raise RunFailedError(
                f"execution {arn} was still {status} when the wait ran out; it was stopped"
            )
        error = execution.get("error", "no error")
        cause = execution.get("cause", "no cause")
        self.log.error("execution %s ended %s\n  error: %s\n  cause: %s", arn, status, error, cause)
        raise AirflowFailException(f"execution {arn} ended {status}: {error}: {cause}")
