"""Compressed Retry intervals, for local runs that must show a retry without waiting.

A state machine's Retry waits IntervalSeconds x BackoffRate^n (with jitter) between
attempts, which is right on AWS and too slow for `make demo` or a test of the retry
path (the reviews pipeline waits 5 minutes between attempts of a failed step). Setting
`LOCALAWS_RETRY_SCALE` in the server's environment multiplies every computed interval
by that factor (default 1: AWS's timing). The definition itself is untouched.

moto computes the interval in a chain of evaluators (interval, backoff, max delay,
jitter) and sleeps on the result; the jitter evaluator runs last whether or not the
definition sets a JitterStrategy, so that is where the scale is applied.
"""

from __future__ import annotations

import os
from typing import Any

from moto.stepfunctions.parser.asl.component.common.retry import jitter_strategy_decl

from infra.local.patching import Spot, apply, original_of

RETRY_SCALE_ENV = "LOCALAWS_RETRY_SCALE"

SPOTS = (
    RETRY_INTERVAL := Spot(
        jitter_strategy_decl.JitterStrategyDecl,
        "_eval_body",
        "13a10f4ac093e55b",
        "Retry intervals are scaled by LOCALAWS_RETRY_SCALE after the last interval evaluator",
        "that RetrierDecl still evaluates jitter_strategy last, right before sleeping on the "
        "value it leaves on env.stack",
    ),
)


def retry_scale() -> float:
    raw = os.environ.get(RETRY_SCALE_ENV, "")
    try:
        scale = float(raw) if raw else 1.0
    except ValueError:
        return 1.0
    return scale if scale > 0 else 1.0


def install() -> None:
    original = original_of(RETRY_INTERVAL)

    def _eval_body(self: Any, env: Any) -> None:
        original(self, env)
        env.stack.append(env.stack.pop() * retry_scale())

    apply(RETRY_INTERVAL, _eval_body)
