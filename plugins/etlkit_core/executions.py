"""Step Functions executions of a pipeline: one name per run date, so a date is never started
twice at once.

StartExecution (Standard workflows) is idempotent per execution name: the same name and input
while that execution runs returns it; once it has closed, or with other input, the name is
refused with ExecutionAlreadyExists (StartExecution API reference). So every starter names the
first run of a date after the date alone, the *run key*:

- the pipeline's EventBridge schedule (through the state machine's StartDatedRun state,
  infra/asl.py): a schedule delivered twice, or retried, starts the date once;
- the `<name>_stepfunctions` DAG's runs (scheduled, backfill, manual): a DAG run for a date the
  schedule already started joins that execution instead of starting a second one.

The run key is the value of the spec's date param (`from: data_interval_start`), e.g.
`2015-06-01`; a pipeline without one is keyed by the time its run was scheduled for,
`2015-06-01T0200`, and one without a schedule either by nothing (each run is its own).

A rerun of a date, once its first run has ended, is a deliberate act with a name of its own:
`<key>_rerun_<tag>`. The DAG makes the tag from its run id and try number, so a retry of the
task after a crash finds the execution its earlier try started and waits for it instead of
starting another. By hand, start the state machine with any such name (README, "Reruns").
A run of a date that starts while another one of it runs (a rerun by hand next to the
schedule's run, say) is serialised by the SQL itself (`LOCK` in the load step).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any

from .spec import PipelineSpec

RERUN_MARK = "_rerun_"
# Execution names: 1-80 characters; for CloudWatch logging only 0-9, A-Z, a-z, - and _
# (StartExecution API reference, "name"). The pipeline state machines log to CloudWatch.
NAME_MAX = 80
_UNSAFE = re.compile(r"[^0-9A-Za-z_-]")
_TAG_HASH_CHARS = 8
# The run key of a pipeline without a date param: when its run was scheduled for, in UTC, in
# name-safe characters; as a strftime format, and as the JSONata picture infra/asl.py uses.
SCHEDULED_KEY_FORMAT = "%Y-%m-%dT%H%M"
SCHEDULED_KEY_PICTURE = "[Y0001]-[M01]-[D01]T[H01][m01]"


def run_key(
    spec: PipelineSpec, values: Mapping[str, Any], scheduled_for: dt.datetime | None
) -> str | None:
    """What names the first run of a date (see the module docstring)."""
    if spec.date_param is not None:
        return str(values[spec.date_param])
    if scheduled_for is not None:
        return scheduled_for.astimezone(dt.UTC).strftime(SCHEDULED_KEY_FORMAT)
    return None


def rerun_prefix(key: str, run_id: str) -> str:
    """`<key>_rerun_<hash of the Airflow run id>`; each try appends `_t<try>`."""
    digest = hashlib.sha256(run_id.encode()).hexdigest()[:_TAG_HASH_CHARS]
    return f"{key}{RERUN_MARK}{digest}"


def rerun_name(prefix: str, try_number: int) -> str:
    return f"{prefix}_t{int(try_number)}"[:NAME_MAX]


def unkeyed_name(run_id: str, try_number: int) -> str:
    """A name unique per Airflow run and try, for a pipeline whose runs have no key."""
    suffix = f"_try{int(try_number)}"
    safe = _UNSAFE.sub("_", run_id)
    if safe == run_id and len(safe) + len(suffix) <= NAME_MAX:
        return safe + suffix
    digest = hashlib.sha256(run_id.encode()).hexdigest()[:10]
    room = NAME_MAX - len(suffix) - len(digest) - 1
    return f"{safe[:room]}_{digest}{suffix}"


def execution_input(values: Mapping[str, Any]) -> str:
    """The execution input as the state machine's own StartDatedRun writes it (JSONata
    `$string`: compact JSON), so that the schedule and a DAG starting the same date with the
    same params send the same input and StartExecution treats them as one."""
    return json.dumps(dict(values), separators=(",", ":"), ensure_ascii=False)


def execution_arn(machine_arn: str, name: str) -> str:
    head, _, machine = machine_arn.partition(":stateMachine:")
    return f"{head}:execution:{machine}:{name}"
