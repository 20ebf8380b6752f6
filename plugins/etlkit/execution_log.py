"""What a Step Functions DAG task logs when its execution has ended, so the task log says
what happened inside it rather than one opaque line: each state's outcome (from
GetExecutionHistory), the SQL runner's statement lines of every Glue run the execution
started (each run's `/aws-glue/python-jobs/output` log stream, which Glue names by run id),
and what the execution cost (etlkit_core.pricing: its state transitions, its Glue runs'
DPU-seconds).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from etlkit_core import pricing

OUTPUT_LOG_GROUP = "/aws-glue/python-jobs/output"
# Statement lines shown per Glue run; a longer file's full output stays in CloudWatch.
OUTPUT_LINES_PER_RUN = 200
CAUSE_LIMIT = 500


@dataclass
class ExecutionReport:
    lines: list[str] = field(default_factory=list)
    cost: str = ""


def report(sfn: Any, glue: Any, logs: Any, execution_arn: str) -> ExecutionReport:
    events = [
        event
        for page in sfn.get_paginator("get_execution_history").paginate(executionArn=execution_arn)
        for event in page["events"]
    ]
    out = ExecutionReport()
    dpu_seconds = 0.0
    for line, run in _outcomes(events):
        out.lines.append(line)
        if run is None:
            continue
        job_name, run_id = run
        try:
            job_run = glue.get_job_run(JobName=job_name, RunId=run_id)["JobRun"]
            dpu_seconds += pricing.glue_dpu_seconds(
                job_run.get("ExecutionTime") or 0, job_run["MaxCapacity"]
            )
        except Exception as error:  # a missing figure must not hide the rest
            out.lines.append(f"      (Glue run {run_id} cannot be read: {error})")
        out.lines.extend(f"      {text}" for text in _runner_output(logs, run_id))
    out.cost = pricing.cost_line(dpu_seconds, pricing.state_transitions(events))
    out.lines.append(out.cost)
    return out


def _outcomes(events: list[dict]) -> Iterator[tuple[str, tuple[str, str] | None]]:
    """One line per state that ended (or failed), with the Glue run a Task state started."""
    by_id = {event["id"]: event for event in events}

    def state_of(event: dict) -> str | None:
        """The state an event is about: its chain of previous events leads back to that
        state's StateEntered event (a Parallel state's branches interleave their events)."""
        while event is not None:
            if event["type"].endswith("StateEntered"):
                return event["stateEnteredEventDetails"]["name"]
            event = by_id.get(event.get("previousEventId"))
        return None

    entered: dict[str, Any] = {}
    runs: dict[str, tuple[str, str]] = {}
    problems: dict[str, str] = {}
    for event in events:
        kind = event["type"]
        details = next((v for k, v in event.items() if k.endswith("EventDetails")), {}) or {}
        if kind.endswith("StateEntered"):
            entered[details.get("name")] = event["timestamp"]
        elif kind == "TaskSubmitted" and (state := state_of(event)):
            output = json.loads(details.get("output") or "{}")
            if output.get("JobRunId"):
                runs[state] = (output.get("JobName", "?"), output["JobRunId"])
        elif kind in ("TaskFailed", "TaskTimedOut", "ExecutionFailed", "ExecutionTimedOut"):
            cause = str(details.get("cause") or "")[:CAUSE_LIMIT]
            where = "execution" if kind.startswith("Execution") else state_of(event)
            if where == "execution" and problems:  # the failed state's problem, passed on
                continue
            problems[where or "execution"] = f"{details.get('error', kind)}: {cause}".strip()
        elif kind.endswith("StateExited"):
            name = details.get("name")
            seconds = (event["timestamp"] - entered.pop(name, event["timestamp"])).total_seconds()
            outcome = "failed " + problems.pop(name) if name in problems else "done"
            yield f"  {name}: {outcome} ({seconds:.1f} s)", runs.pop(name, None)
    for name in list(entered):  # never exited: where the execution stopped
        yield f"  {name}: {'failed ' + problems.pop(name, 'did not end')}", runs.pop(name, None)
    for name, problem in problems.items():
        yield f"  {name}: {problem}", None


def _runner_output(logs: Any, run_id: str) -> list[str]:
    try:
        events = logs.get_log_events(
            logGroupName=OUTPUT_LOG_GROUP,
            logStreamName=run_id,
            limit=OUTPUT_LINES_PER_RUN,
            startFromHead=True,
        )["events"]
    except Exception as error:  # the lines are a help, never a reason to fail
        return [f"(no runner output for {run_id}: {error})"]
    return [event["message"].rstrip() for event in events if event["message"].strip()]
