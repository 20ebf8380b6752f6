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

from decimal import ROUND_HALF_EVEN, Decimal

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


def shown(value: float, places: int) -> str:
    """`value` with `places` decimals, rounded half to even on its shortest decimal form: what
    JSONata's `$round` does, so the notifier machine's alert shows the figures Python shows."""
    step = Decimal(1).scaleb(-places)
    return str(Decimal(repr(float(value))).quantize(step, rounding=ROUND_HALF_EVEN))


def cost_figures(dpu_seconds: float, transitions: int | None = None) -> str:
    """`11.2 Glue DPU-s ($0.0014)[, 8 state transitions ($0.0002)]`."""
    figures = f"{shown(dpu_seconds, 1)} Glue DPU-s (${shown(glue_usd(dpu_seconds), 4)})"
    if transitions is not None:
        figures += f", {transitions} state transitions (${shown(sfn_usd(transitions), 4)})"
    return figures


def cost_line(dpu_seconds: float, transitions: int | None = None) -> str:
    """One line for people: `cost: 11.2 Glue DPU-s ($0.0014)[, 8 state transitions ($0.0002)]`."""
    return f"cost: {cost_figures(dpu_seconds, transitions)}"


# The same rules as JSONata expressions, for the Step Functions alert (infra/asl.py's
# notifier); tests/core/test_pricing.py feeds both the same figures.


def jsonata_run_dpu_seconds(run: str) -> str:
    """DPU-seconds billed for the Glue JobRun (GetJobRun's shape) `run` evaluates to; nothing
    for a run without its DPU."""
    return (
        f"($run := {run}; $exists($run.MaxCapacity) ? $max([$exists($run.ExecutionTime) ? "
        f"$run.ExecutionTime : 0, {GLUE_MINIMUM_BILLED_SECONDS}]) * $run.MaxCapacity)"
    )


def jsonata_state_transitions(entered: str, task_entered: str, task_scheduled: str) -> str:
    """state_transitions() from its three counts (states entered, Task states entered,
    TaskScheduled events)."""
    return f"({entered} + $max([{task_scheduled} - {task_entered}, 0]))"


def jsonata_cost_figures(dpu_seconds: str, transitions: str) -> str:
    """cost_figures(dpu_seconds, transitions) as JSONata over two numeric expressions (either
    may be undefined, as `$sum` of no runs is: zero)."""

    def shown_(value: str, places: int) -> str:
        return f"$formatNumber($round({value}, {places}), '0.{'0' * places}')"

    return (
        f"($d := {dpu_seconds}; $d := $exists($d) ? $d : 0; "
        f"$t := {transitions}; $t := $exists($t) ? $t : 0; " + shown_("$d", 1) + " & "
        f"' Glue DPU-s ($' & {shown_(f'$d / 3600 * {GLUE_USD_PER_DPU_HOUR!r}', 4)} & '), ' & "
        f"$string($t) & ' state transitions ($' & "
        f"{shown_(f'$t * {SFN_USD_PER_TRANSITION!r}', 4)} & ')')"
    )


__all__ = [
    "GLUE_MINIMUM_BILLED_SECONDS",
    "GLUE_PYTHON_SHELL_DPU",
    "GLUE_USD_PER_DPU_HOUR",
    "SFN_FREE_TRANSITIONS_PER_MONTH",
    "SFN_USD_PER_TRANSITION",
    "cost_figures",
    "cost_line",
    "glue_dpu_seconds",
    "glue_usd",
    "jsonata_cost_figures",
    "jsonata_run_dpu_seconds",
    "jsonata_state_transitions",
    "sfn_usd",
    "shown",
    "state_transitions",
]
