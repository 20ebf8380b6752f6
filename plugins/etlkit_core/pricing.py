"""What AWS charges for what a pipeline run uses: the one table `make cost`, the task logs
and the alerts price runs with. US East (N. Virginia) list prices, on-demand, in USD;
check your region's on the pages cited (prices differ by region and change).

AWS Glue (https://aws.amazon.com/glue/pricing/): jobs are billed per DPU-hour, per second,
with a 1-minute minimum per job run; a Python shell job runs on 0.0625 DPU (the default)
or 1 DPU (its MaxCapacity). The DPU-seconds rule is sqlrunner.cost's.

AWS Step Functions (https://aws.amazon.com/step-functions/pricing/): Standard workflows
are billed per state transition, each retry being one more; the first 4,000 transitions
of a month are free (not deducted here: a run's cost is what it adds to a busy account).
"""

from __future__ import annotations

# Glue's billing rule (minimum, DPU sizes) is the runner's, which reports DPU-seconds too.
from sqlrunner.cost import GLUE_MINIMUM_BILLED_SECONDS, GLUE_PYTHON_SHELL_DPU, glue_dpu_seconds

GLUE_USD_PER_DPU_HOUR = 0.44
SFN_USD_PER_TRANSITION = 0.025 / 1000
SFN_FREE_TRANSITIONS_PER_MONTH = 4000


def glue_usd(dpu_seconds: float) -> float:
    return dpu_seconds / 3600 * GLUE_USD_PER_DPU_HOUR


def sfn_usd(transitions: int) -> float:
    return transitions * SFN_USD_PER_TRANSITION


def state_transitions(events: list[dict]) -> int:
    """The transitions an execution is billed, from its GetExecutionHistory events: one per
    state entered, plus one per retry of a Task (a TaskScheduled beyond the one of each
    Task state entered)."""
    entered = sum(1 for event in events if event["type"].endswith("StateEntered"))
    tasks = sum(1 for event in events if event["type"] == "TaskStateEntered")
    scheduled = sum(1 for event in events if event["type"] == "TaskScheduled")
    return entered + max(scheduled - tasks, 0)


def cost_line(dpu_seconds: float, transitions: int | None = None) -> str:
    """One line for people: `cost: 11.2 DPU-s Glue ($0.0014)[, 8 state transitions ($0.0002)]`."""
    line = f"cost: {dpu_seconds:.1f} Glue DPU-s (${glue_usd(dpu_seconds):.4f})"
    if transitions is not None:
        line += f", {transitions} state transitions (${sfn_usd(transitions):.4f})"
    return line


__all__ = [
    "GLUE_MINIMUM_BILLED_SECONDS",
    "GLUE_PYTHON_SHELL_DPU",
    "GLUE_USD_PER_DPU_HOUR",
    "SFN_FREE_TRANSITIONS_PER_MONTH",
    "SFN_USD_PER_TRANSITION",
    "cost_line",
    "glue_dpu_seconds",
    "glue_usd",
    "sfn_usd",
    "state_transitions",
]
