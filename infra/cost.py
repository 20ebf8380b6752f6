"""`make cost PIPELINE=reviews_etl FROM=2015-06-01 TO=2015-06-30`: what a pipeline's runs
cost on AWS, per run date, read from the runs' own records (the way to check a day's cost
before backfilling thirty of them):

- every run of the shared Glue job (GetJobRuns) whose `--file` is one of the pipeline's
  steps: its ExecutionTime at its MaxCapacity (DPU), with Glue's one-minute minimum;
- every execution of the pipeline's state machine (`<prefix>-<pipeline>`): its state
  transitions, counted from GetExecutionHistory.

A Glue run's date is the pipeline's date param in its `--params`, else that of the
execution that started it (the history names its runs); a run with neither (a step that
takes no date, run by Airflow) is listed by the day it started. Prices:
etlkit_core.pricing, which cites AWS's pricing pages.

    python -m infra.cost --pipeline reviews_etl --from 2015-06-01 --to 2015-06-30 \\
        [--region eu-west-1] [--profile p] [--stack-prefix etlkit]

After `. .local/env` it reads the local stack (AWS_ENDPOINT_URL).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import boto3

from etlkit_core import pricing
from etlkit_core.spec import PipelineSpec, discover
from infra import REPO_ROOT
from infra.errors import CostError

SQL_ROOT = REPO_ROOT / "sql"


@dataclass
class DayCost:
    glue_runs: int = 0
    dpu_seconds: float = 0.0
    executions: int = 0
    transitions: int = 0

    @property
    def usd(self) -> float:
        return pricing.glue_usd(self.dpu_seconds) + pricing.sfn_usd(self.transitions)


def costs(
    spec: PipelineSpec,
    job_runs: Iterable[Mapping[str, Any]],
    executions: Iterable[tuple[Mapping[str, Any], list[dict]]],
    first: dt.date,
    last: dt.date,
) -> tuple[dict[str, DayCost], dict[str, DayCost]]:
    """(cost per run date in first..last, cost per start day of the runs with no date)."""
    files = {step.s3_key for step in spec.steps}
    dated: dict[str, DayCost] = defaultdict(DayCost)
    undated: dict[str, DayCost] = defaultdict(DayCost)
    run_dates: dict[str, str] = {}  # Glue run id -> the date of the execution that ran it
    for execution, events in executions:
        day = _execution_date(spec, execution, events)
        if day is None or not _within(day, first, last):
            continue
        dated[day].executions += 1
        dated[day].transitions += pricing.state_transitions(events)
        for run_id in _glue_run_ids(events):
            run_dates[run_id] = day
    for run in job_runs:
        arguments = run.get("Arguments") or {}
        if arguments.get("--file") not in files:
            continue
        day = _params(arguments).get(spec.date_param or "") or run_dates.get(run["Id"])
        seconds = pricing.glue_dpu_seconds(run.get("ExecutionTime") or 0, run["MaxCapacity"])
        if day is None:
            target = undated[run["StartedOn"].astimezone(dt.UTC).date().isoformat()]
        elif _within(day, first, last):
            target = dated[day]
        else:
            continue
        target.glue_runs += 1
        target.dpu_seconds += seconds
    return dict(sorted(dated.items())), dict(sorted(undated.items()))


def _within(day: str, first: dt.date, last: dt.date) -> bool:
    return first.isoformat() <= day <= last.isoformat()


def _params(arguments: Mapping[str, str]) -> dict[str, Any]:
    try:
        value = json.loads(arguments.get("--params") or "{}")
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def _execution_date(
    spec: PipelineSpec, execution: Mapping[str, Any], events: list[dict]
) -> str | None:
    started = next((e for e in events if e["type"] == "ExecutionStarted"), None)
    if started is None or spec.date_param is None:
        return None
    try:
        given = json.loads(started["executionStartedEventDetails"].get("input") or "{}")
    except json.JSONDecodeError:
        given = {}
    day = given.get(spec.date_param) if isinstance(given, dict) else None
    # a scheduled execution is named after its date and resolves it in the machine
    return day or execution["name"][:10]


def _glue_run_ids(events: list[dict]) -> Iterator[str]:
    for event in events:
        if event["type"] == "TaskSubmitted":
            output = event["taskSubmittedEventDetails"].get("output") or "{}"
            run_id = json.loads(output).get("JobRunId")
            if run_id:
                yield run_id


# ------------------------------------------------------------------ reading AWS


def read_job_runs(glue: Any, job_name: str) -> Iterator[dict]:
    for page in glue.get_paginator("get_job_runs").paginate(JobName=job_name):
        yield from page["JobRuns"]


def read_executions(sfn: Any, state_machine_arn: str) -> Iterator[tuple[dict, list[dict]]]:
    for page in sfn.get_paginator("list_executions").paginate(stateMachineArn=state_machine_arn):
        for execution in page["executions"]:
            history = sfn.get_paginator("get_execution_history").paginate(
                executionArn=execution["executionArn"]
            )
            yield execution, [event for part in history for event in part["events"]]


def platform_output(cloudformation: Any, stack: str, key: str) -> str:
    try:
        described = cloudformation.describe_stacks(StackName=stack)["Stacks"][0]
    except cloudformation.exceptions.ClientError as exc:
        raise CostError(f"stack {stack} cannot be read ({exc}): deploy first") from None
    for output in described.get("Outputs", []):
        if output["OutputKey"] == key:
            return output["OutputValue"]
    raise CostError(f"stack {stack} has no output {key}")


def state_machine_arn(sfn: Any, name: str) -> str | None:
    for page in sfn.get_paginator("list_state_machines").paginate():
        for machine in page["stateMachines"]:
            if machine["name"] == name:
                return machine["stateMachineArn"]
    return None


# ------------------------------------------------------------------ report


def report(
    spec: PipelineSpec,
    dated: Mapping[str, DayCost],
    undated: Mapping[str, DayCost],
    first: dt.date,
    last: dt.date,
) -> str:
    header = (
        f"{spec.name}: cost per run date {first}..{last} at US East list prices "
        f"(Glue ${pricing.GLUE_USD_PER_DPU_HOUR}/DPU-hour, 1-minute minimum per run; Step "
        f"Functions ${pricing.SFN_USD_PER_TRANSITION * 1000}/1,000 transitions; "
        "etlkit/pricing.py)"
    )
    lines = [header, _row("run_date", "glue_runs", "DPU-s", "executions", "transitions", "USD")]
    total = DayCost()
    for day, cost in dated.items():
        lines.append(_cost_row(day, cost))
        total.glue_runs += cost.glue_runs
        total.dpu_seconds += cost.dpu_seconds
        total.executions += cost.executions
        total.transitions += cost.transitions
    lines.append(_cost_row("total", total))
    if dated:
        lines.append(f"per run date: ${total.usd / len(dated):.4f}")
    else:
        lines.append("no runs of those dates")
    for day, cost in undated.items():
        lines.append(
            f"also {cost.glue_runs} run(s) without a run date started on {day} (steps that "
            f"take none): {cost.dpu_seconds:.1f} DPU-s, ${cost.usd:.4f}"
        )
    return "\n".join(lines)


def _cost_row(label: str, cost: DayCost) -> str:
    return _row(
        label,
        str(cost.glue_runs),
        f"{cost.dpu_seconds:.1f}",
        str(cost.executions),
        str(cost.transitions),
        f"{cost.usd:.4f}",
    )


def _row(*cells: str) -> str:
    widths = (10, 9, 9, 10, 11, 8)
    return "  ".join(
        cell.rjust(width) if i else cell.ljust(width)
        for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infra.cost", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--pipeline", required=True)
    parser.add_argument("--from", dest="first", required=True, type=dt.date.fromisoformat)
    parser.add_argument("--to", dest="last", required=True, type=dt.date.fromisoformat)
    parser.add_argument("--region", default=None)
    parser.add_argument("--profile", default=None)
    parser.add_argument("--stack-prefix", default="etlkit")
    options = parser.parse_args(argv)
    try:
        specs = {spec.name: spec for spec in discover(SQL_ROOT)}
        spec = specs.get(options.pipeline)
        if spec is None:
            raise CostError(
                f"no pipeline {options.pipeline!r} in {SQL_ROOT}; there are: {', '.join(specs)}"
            )
        if options.last < options.first:
            raise CostError(f"--to {options.last} is before --from {options.first}")
        session = boto3.Session(profile_name=options.profile, region_name=options.region)
        region = session.region_name or os.environ.get("AWS_DEFAULT_REGION")
        if region is None:
            raise CostError("no region: pass REGION=... (or set AWS_DEFAULT_REGION)")
        glue = session.client("glue", region_name=region)
        sfn = session.client("stepfunctions", region_name=region)
        cloudformation = session.client("cloudformation", region_name=region)
        job = platform_output(cloudformation, f"{options.stack_prefix}-platform", "GlueJobName")
        machine = state_machine_arn(sfn, f"{options.stack_prefix}-{spec.name}")
        executions = read_executions(sfn, machine) if machine else iter(())
        dated, undated = costs(
            spec, read_job_runs(glue, job), executions, options.first, options.last
        )
    except CostError as exc:
        print(f"cost: {exc}", file=sys.stderr)
        return 2
    print(report(spec, dated, undated, options.first, options.last))
    return 0


if __name__ == "__main__":
    sys.exit(main())
