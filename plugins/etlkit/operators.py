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
- It starts an execution under whatever name it is given, and fails if that name exists. A
  pipeline's runs are named after their date (etlkit_core.executions), so the operator joins the
  date's running execution instead of starting a second one, and starts a rerun under a
  name of its own once the date's first run has ended.
- Neither stops what it started when its waiter gives up, so a retry would run next to it.
- GlueJobOperator forgets its run id across the deferral, so a task killed after resuming
  tries to stop run `None`.
- Every failed run would be retried the same way, though a SQL error, a missing file or a
  misspelt secret fails again on every try. The runner retries a transient failure itself
  (`--retries`, sqlrunner.retrying), so a run that failed has had its retries: it fails
  the task at once (AirflowFailException), whatever its class (etlkit_core.failures, contract C1
  of issue 14), and the alert goes out. Airflow's own retries are left for what happens
  before a run ends (the Glue API refusing to start it, a wait that ran out). The task log
  and the alert carry the run's class and the runner's own error line, read from the run's
  error log stream.

Both defer with etlkit.triggers' subclasses of the provider's triggers (see there why).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, ClassVar

from airflow.providers.amazon.aws.hooks.base_aws import AwsBaseHook
from airflow.providers.amazon.aws.links.step_function import (
    StateMachineDetailsLink,
    StateMachineExecutionsDetailsLink,
)
from airflow.providers.amazon.aws.operators.glue import GlueJobOperator
from airflow.providers.amazon.aws.operators.step_function import (
    StepFunctionStartExecutionOperator,
)

from etlkit import config, execution_log, executions
from etlkit.compat import AirflowFailException
from etlkit.errors import RunFailedError
from etlkit.triggers import ExecutionTrigger, GlueRunTrigger, quiet_provider_warning
from etlkit_core import failures, pricing
from etlkit_core.executions import rerun_name

# Glue JobRunState values (Glue API reference, JobRun): still going, or ended.
GLUE_ACTIVE_STATES = frozenset({"STARTING", "RUNNING", "STOPPING", "WAITING"})
# The XCom key under which the Step Functions task keeps the ARN of its execution.
EXECUTION_ARN_XCOM = "execution_arn"
# Step Functions execution status (DescribeExecution API reference).
SFN_ACTIVE_STATES = frozenset({"RUNNING", "PENDING_REDRIVE"})


def no_console_links_locally(operator: Any) -> None:
    """The provider's extra links open the AWS console, which knows nothing of the local
    AWS: there the task offers none (the serialized DAG, which the UI reads, then lists none)."""
    if config.local_aws():
        operator.operator_extra_links = ()


class SqlRunnerStepOperator(GlueJobOperator):
    """One pipeline step: a run of the shared SQL runner Glue job (see the module docstring).

    `sql` is for people only: the step's SQL file rendered with the run's params, shown under
    Rendered Templates. The Glue run is given `--file` and `--params`, never this text."""

    template_fields = (*GlueJobOperator.template_fields, "sql")
    template_fields_renderers: ClassVar[dict[str, str]] = {
        **GlueJobOperator.template_fields_renderers,
        "sql": "sql",
    }

    # Set by the DAG factory after construction (as are the extra links,
    # no_console_links_locally) rather than by an __init__ of this class: every __init__ level makes Airflow deep-copy the DAG's params once more per
    # task, a cost DAG parse time feels with a thousand tasks.
    sql: str = ""

    def execute(self, context: Any) -> Any:
        quiet_provider_warning()
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
        quiet_provider_warning()
        run_id = (event or {}).get("run_id") or self._job_run_id
        if not run_id:
            raise RunFailedError(f"the Glue trigger returned no run id: {event!r}")
        self._job_run_id = run_id  # what on_kill stops if the task is killed from here on
        run = self.hook.conn.get_job_run(JobName=self.job_name, RunId=run_id)["JobRun"]
        state = run["JobRunState"]
        where = f"Glue run {run_id} of {self.job_name} ({self.script_args.get('--file')})"
        cost = pricing.cost_line(
            pricing.glue_dpu_seconds(run.get("ExecutionTime") or 0, run.get("MaxCapacity") or 0)
        )
        if state == "SUCCEEDED":
            self.log.info("%s SUCCEEDED in %s s; %s", where, run.get("ExecutionTime", "?"), cost)
            return run_id
        if state in GLUE_ACTIVE_STATES:
            self.log.error("%s is still %s after the wait ran out: stopping it", where, state)
            self.hook.conn.batch_stop_job_run(JobName=self.job_name, JobRunIds=[run_id])
            raise RunFailedError(
                f"{where} was still {state} when the wait ran out ({(event or {}).get('message')}); "
                "it was stopped"
            )
        failure_class = failures.classify_run(run)
        glue_message = run.get("ErrorMessage") or "no error message"
        runner_line = self._runner_error(run_id)
        ended = f"{where} ended {state}, {failure_class}: " + (
            f"{runner_line} ({glue_message})" if runner_line else glue_message
        )
        ended += f"; {cost}"
        self.log.error("%s", ended)
        if state == "STOPPED":
            # Someone stopped it (console, API): a retry would start it again behind their back.
            raise AirflowFailException(
                f"{ended}; stopped from outside Airflow, not retried: clear the task to run "
                "the step again"
            )
        if failures.is_retried(failure_class):
            raise AirflowFailException(
                f"{ended}; the runner retried it as the pipeline's retries allow"
            )
        raise AirflowFailException(f"{ended}; not retried: retrying cannot fix it")

    def _runner_error(self, run_id: str) -> str | None:
        """The runner's error line from the run's error log stream, if it wrote one."""
        try:
            events = self.hook.logs_hook.get_conn().get_log_events(
                logGroupName=failures.ERROR_LOG_GROUP,
                logStreamName=run_id,
                limit=failures.ERROR_LOG_TAIL,
                startFromHead=False,
            )["events"]
        except Exception as error:  # the error line is a help, never a reason to fail differently
            self.log.warning("cannot read the error log of Glue run %s: %s", run_id, error)
            return None
        return failures.error_line(event["message"] for event in events)


class PipelineExecutionOperator(StepFunctionStartExecutionOperator):
    """Starts the pipeline's state machine and waits for the execution (deferred).

    An execution that ends FAILED, TIMED_OUT or ABORTED fails the task without Airflow
    retries: the runner has already retried each step by the spec, and a new execution would
    rerun every step; the execution is resumed with RedriveExecution instead (its ARN is the
    task's `execution_arn` XCom, which the alert quotes). Errors before that (starting,
    polling) retry as usual.

    `name` is the date's first-run name and `rerun_name` the one this try starts a rerun
    with, `<key>_rerun_<hash>_t<try>` (etlkit_core.executions, which also says how they are used).
    """

    template_fields = (*StepFunctionStartExecutionOperator.template_fields, "rerun_name")

    def __init__(self, *, rerun_name: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rerun_name = rerun_name
        no_console_links_locally(self)

    def execute(self, context: Any) -> str:
        quiet_provider_warning()
        StateMachineDetailsLink.persist(
            context=context,
            operator=self,
            region_name=self.hook.conn_region_name,
            aws_partition=self.hook.conn_partition,
            state_machine_arn=self.state_machine_arn,
        )
        prefix, _, this_try = self.rerun_name.rpartition("_t")
        earlier = (
            [rerun_name(prefix, k) for k in range(1, int(this_try))]
            if prefix and this_try.isdigit()
            else []
        )
        arn, how = executions.start_or_join(
            self.hook.conn,
            self.state_machine_arn,
            self.state_machine_input,
            first_name=self.name,
            earlier_names=earlier,
            this_name=self.rerun_name,
        )
        StateMachineExecutionsDetailsLink.persist(
            context=context,
            operator=self,
            region_name=self.hook.conn_region_name,
            aws_partition=self.hook.conn_partition,
            execution_arn=arn,
        )
        context["ti"].xcom_push(key=EXECUTION_ARN_XCOM, value=arn)
        self.log.info(
            {
                "joined": "joined the execution of this run already running: %s",
                "started": "started the first execution of this run: %s",
                "rerun": "this run ran before: started a rerun, %s",
            }[how],
            arn,
        )
        self.defer(
            trigger=ExecutionTrigger(
                execution_arn=arn,
                waiter_delay=self.waiter_delay,
                waiter_max_attempts=self.waiter_max_attempts,
                aws_conn_id=self.aws_conn_id,
                region_name=self.region_name,
                botocore_config=self.botocore_config,
                verify=self.verify,
            ),
            method_name="execute_complete",
            timeout=timedelta(seconds=self.waiter_max_attempts * self.waiter_delay),
        )
        return arn

    def defer(self, *, trigger: Any, method_name: str, **kwargs: Any) -> Any:
        _, arguments = trigger.serialize()
        super().defer(trigger=ExecutionTrigger(**arguments), method_name=method_name, **kwargs)

    def execute_complete(self, context: Any, event: dict[str, Any] | None = None) -> str:
        quiet_provider_warning()
        arn = (event or {}).get("execution_arn")
        if not arn:
            raise RunFailedError(f"the Step Functions trigger returned no execution ARN: {event!r}")
        execution = self.hook.describe_execution(arn)
        status = execution["status"]
        cost = self._log_states(arn) if status not in SFN_ACTIVE_STATES else ""
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
        raise AirflowFailException(f"execution {arn} ended {status}: {error}: {cause}; {cost}")

    def _log_states(self, arn: str) -> str:
        """Each state's outcome and each step's statement lines into the task log; returns
        the execution's cost line (etlkit.execution_log)."""
        try:
            found = execution_log.report(
                self.hook.conn,
                self._client("glue"),
                self._client("logs"),
                arn,
            )
        except Exception as error:  # the summary is a help, never a reason to fail differently
            self.log.warning("cannot read the history of execution %s: %s", arn, error)
            return ""
        self.log.info("execution %s, state by state:\n%s", arn, "\n".join(found.lines))
        return found.cost

    def _client(self, service: str) -> Any:
        """A client of another service on the task's connection (endpoint, region)."""
        return AwsBaseHook(
            aws_conn_id=self.aws_conn_id, region_name=self.region_name, client_type=service
        ).conn
