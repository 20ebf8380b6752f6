"""How a run's params are resolved: one rule, run by Airflow in Python (`resolve`) and
by the state machine in JSONata (`jsonata_params`, `jsonata_problems`, which
infra/asl.py puts into its ResolveParams state). tests/core holds both to the same cases.

Each param takes its value from the first of its sources (`sources`) that has one:

1. GIVEN: a value given for the run (the trigger form, `dag_run.conf`, the execution
   input). Null and the empty string count as not given: the trigger form sends an empty
   field as one of them.
2. INTERVAL (`from: data_interval_start` params only): the UTC date the run's data
   interval starts on. Airflow reads it from the run; the state machine computes it as
   the UTC day before `scheduled_time`, the time EventBridge Scheduler scheduled the run
   for (for a once-a-day schedule, the same day).
3. DEFAULT: the spec's default, its `{setting}` references filled from the deployment.

A param with none of them, and any key of the input that is no param, is a problem; all
problems of a run are reported together, before any step starts.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from .errors import EtlkitCoreError
from .spec import ParamSpec, PipelineSpec, expand_settings

GIVEN, INTERVAL, DEFAULT = "given", "interval", "default"
EMPTY_VALUES = (None, "")  # a given value equal to one of these counts as not given


class RunParamsError(EtlkitCoreError):
    """A run's params cannot be resolved; `params` names the unknown and missing ones."""

    def __init__(self, problems: Sequence[str], params: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = tuple(problems)
        self.params = tuple(params)


def sources(param: ParamSpec) -> tuple[str, ...]:
    """Where `param` takes its value from, in order (the module docstring's rule)."""
    found = [GIVEN]
    if param.source == "data_interval_start":
        found.append(INTERVAL)
    if param.default is not None:
        found.append(DEFAULT)
    return tuple(found)


def resolve(
    spec: PipelineSpec,
    given: Mapping[str, Any],
    interval_day: str | None,
    settings: Mapping[str, str],
    accepted: Sequence[str] = (),
) -> dict[str, Any]:
    """Every param of `spec` for a run, in spec order. `interval_day` is the run's data
    interval start (YYYY-MM-DD) if it has one; `accepted` are input keys that are no param
    but may be given (the state machine's `scheduled_time`)."""
    problems, named = [], []
    unknown = [key for key in given if key not in spec.params and key not in accepted]
    if unknown:
        problems.append(unknown_message(spec, unknown, accepted))
        named += unknown
    values: dict[str, Any] = {}
    for name, param in spec.params.items():
        for source in sources(param):
            if source == GIVEN and given.get(name) not in EMPTY_VALUES:
                values[name] = given[name]
            elif source == INTERVAL and interval_day:
                values[name] = interval_day
            elif source == DEFAULT:
                values[name] = expand_settings(param.default, settings)
            else:
                continue
            break
        else:
            problems.append(missing_message(spec, param))
            named.append(name)
    if problems:
        raise RunParamsError(problems, named)
    return values


def unknown_message(spec: PipelineSpec, unknown: Sequence[str], accepted: Sequence[str]) -> str:
    return f"unknown param(s) {', '.join(unknown)} for pipeline {spec.name}; " + _takes(
        spec, accepted
    )


def missing_message(spec: PipelineSpec, param: ParamSpec) -> str:
    if INTERVAL in sources(param):
        return (
            f"param {param.name!r} ({param.type}) of pipeline {spec.name} comes from the data "
            f"interval, and this run has none: give {param.name} (YYYY-MM-DD) when starting it"
        )
    return (
        f"param {param.name!r} ({param.type}) of pipeline {spec.name} has no value and no "
        f"default: start the run with {{{json.dumps(param.name)}: ...}}"
    )


def _takes(spec: PipelineSpec, accepted: Sequence[str]) -> str:
    return "it takes: " + (", ".join([*spec.params, *accepted]) or "none")


# ---------------------------------------------------------------- JSONata


def jsonata_params(
    spec: PipelineSpec, input_ref: str, day_ref: str, settings: Mapping[str, str]
) -> str:
    """A JSONata object of the resolved params (a missing one is left out). `input_ref`
    evaluates to the run's input object, `day_ref` to its data interval day (undefined if
    none); `settings` are what a default's `{setting}` becomes (the state machine's
    DefinitionSubstitutions placeholders)."""
    fields = []
    for name, param in spec.params.items():
        value = f"{input_ref}.{name}"
        given = f"($exists({value}) and {' and '.join(f'{value} != {literal(e)}' for e in EMPTY_VALUES)})"
        fallback = None
        if INTERVAL in sources(param):
            fallback = day_ref
        elif DEFAULT in sources(param):
            fallback = literal(expand_settings(param.default, settings))
        expression = f"{given} ? {value}" + (f" : {fallback}" if fallback else "")
        fields.append(f"{literal(name)}: ({expression})")
    return "{" + ", ".join(fields) + "}"


def jsonata_problems(
    spec: PipelineSpec, input_ref: str, params_ref: str, accepted: Sequence[str] = ()
) -> str:
    """A JSONata array of the problems `resolve` reports, for the input `input_ref` and the
    object `params_ref` that `jsonata_params` gave."""
    keys = literal_list([*spec.params, *accepted])
    unknown = f"$filter($keys({input_ref}), function($k) {{ $not($k in {keys}) }})"
    head = f"unknown param(s) {{}} for pipeline {spec.name}; {_takes(spec, accepted)}"
    before, after = head.split("{}")
    missing = [
        f"$not($exists({params_ref}.{name})) ? {literal(missing_message(spec, param))}"
        for name, param in spec.params.items()
        if DEFAULT not in sources(param)
    ]
    return (
        f"($unknown := {unknown}; $append($exists($unknown) ? [{literal(before)} & "
        f"$join($unknown, ', ') & {literal(after)}] : [], [{', '.join(missing)}]))"
    )


def literal(value: str | int | None) -> str:
    """A JSONata literal. Strings are single-quoted (expressions sit inside JSON's double
    quotes); JSONata has no \\' escape, so quotes and control characters become \\uXXXX."""
    if value is None:
        return "null"
    if isinstance(value, int):
        return str(value)
    out = []
    for char in value:
        if char == "\\":
            out.append("\\\\")
        elif char == "'" or ord(char) < 0x20:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return "'" + "".join(out) + "'"


def literal_list(values: Sequence[str]) -> str:
    return "[" + ", ".join(literal(value) for value in values) + "]"
