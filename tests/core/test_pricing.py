"""One pricing rule, two implementations: Python prices a run for the task logs, the Airflow
alerts and `make cost` (etlkit_core.pricing); the Step Functions alert machine prices the
execution it reports in the JSONata generated from the same module. Both are fed the same
figures here, the JSONata through the local AWS's evaluator (what the local Step Functions
runs, as AWS's JSONata: `$round` half to even on the decimal form), and must print the same
figures."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from etlkit_core import pricing
from infra.local.jsonata_engine import eval_jsonata_expression

RUNS = st.lists(
    st.fixed_dictionaries(
        {"MaxCapacity": st.sampled_from(pricing.GLUE_PYTHON_SHELL_DPU)},
        optional={"ExecutionTime": st.integers(min_value=0, max_value=48 * 3600)},
    ),
    max_size=40,
)
EVENT_TYPES = st.sampled_from(
    ["TaskStateEntered", "ChoiceStateEntered", "ParallelStateEntered", "PassStateEntered",
     "TaskScheduled", "TaskSucceeded", "TaskStateExited", "ExecutionStarted"]
)  # fmt: skip


def _evaluate(expression: str) -> object:
    return eval_jsonata_expression(expression)


@given(runs=RUNS, transitions=st.integers(min_value=0, max_value=100_000))
def test_the_alert_machine_prices_runs_as_python_does(runs, transitions):
    dpu_seconds = sum(
        pricing.glue_dpu_seconds(run.get("ExecutionTime") or 0, run["MaxCapacity"]) for run in runs
    )
    per_run = pricing.jsonata_run_dpu_seconds("$r")
    total = f"$sum($map({json.dumps(runs)}, function($r) {{ {per_run} }}))"
    figures = _evaluate(pricing.jsonata_cost_figures(total, str(transitions)))
    assert figures == pricing.cost_figures(dpu_seconds, transitions)


@given(types=st.lists(EVENT_TYPES, max_size=60))
def test_the_alert_machine_counts_transitions_as_python_does(types):
    events = json.dumps([{"Type": kind} for kind in types])
    count = pricing.jsonata_state_transitions(
        f"$count({events}[$contains(Type, /StateEntered$/)])",
        f"$count({events}[Type = 'TaskStateEntered'])",
        f"$count({events}[Type = 'TaskScheduled'])",
    )
    assert _evaluate(count) == pricing.state_transitions([{"type": kind} for kind in types])


def test_figures_round_half_to_even_on_their_decimal_form():
    # 0.25 and 4.25 are ties in binary too; 0.01045 is one only in decimal
    assert [pricing.shown(v, p) for v, p in ((0.25, 1), (4.25, 1), (0.35, 1), (0.01045, 4))] == [
        "0.2", "4.2", "0.4", "0.0104"
    ]  # fmt: skip
    assert (
        pricing.cost_line(3.75, 2)
        == "cost: 3.8 Glue DPU-s ($0.0005), 2 state transitions ($0.0000)"
    )
