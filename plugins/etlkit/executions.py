"""Starting a pipeline's Step Functions execution from Airflow: start the run of a date, or
join the one already running (the names come from etlkit_core.executions, where the module
docstring explains the run key and rerun names)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from etlkit.errors import ExecutionConflict
from etlkit_core.executions import execution_arn

RUNNING = "RUNNING"


def start_or_join(
    client: Any,
    machine_arn: str,
    execution_input_text: str,
    first_name: str,
    earlier_names: Sequence[str],
    this_name: str,
) -> tuple[str, str]:
    """Start this run of a date, or join the one already running: returns (execution ARN,
    what happened: "joined", "started" or "rerun").

    `first_name` is the date's first-run name, `earlier_names` those of this DAG run's
    earlier tries, `this_name` the name this try starts a rerun with."""
    for name in (first_name, *earlier_names):
        running = _describe(client, execution_arn(machine_arn, name))
        if running is None or running["status"] != RUNNING:
            continue
        if running.get("input") == execution_input_text:
            return running["executionArn"], "joined"
        raise ExecutionConflict(
            f"execution {running['executionArn']} of the same run is RUNNING with other "
            f"input ({running.get('input')}, this run's: {execution_input_text}); this run "
            "starts after it ends (the task is retried)"
        )
    for name, how in ((first_name, "started"), (this_name, "rerun")):
        try:
            started = client.start_execution(
                stateMachineArn=machine_arn, name=name, input=execution_input_text
            )
        except client.exceptions.ExecutionAlreadyExists:
            continue
        return started["executionArn"], how
    # This very try started its rerun already (the task was restarted): follow it.
    return execution_arn(machine_arn, this_name), "joined"


def _describe(client: Any, arn: str) -> dict[str, Any] | None:
    try:
        return client.describe_execution(executionArn=arn)
    except client.exceptions.ExecutionDoesNotExist:
        return None
