"""A run's pipeline params: the trigger form, the values a run resolves, a step's `--params`.

A run resolves each of the spec's params by the rule the state machine's ResolveParams
state applies (infra/asl.py), so both orchestrators run a date the same way:

1. a value given for the run wins (the trigger form, `dag_run.conf`, `backfill --dag-run-conf`:
   Airflow merges them into the run's Params);
2. a `from: data_interval_start` param takes the UTC date the run's data interval starts on
   (for the daily reviews schedule, the day that just ended);
3. a default fills the rest, its `{data_bucket}` read from the `etlkit_data_bucket` Variable;
otherwise the run fails before any Glue run starts, naming the param.

The trigger form checks each value with the runner's own JSON Schema for its type
(sqlrunner.params, the one table of parameter types), so the form refuses exactly what
the runner would.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from typing import Any

from etlkit import config
from etlkit.compat import Param
from etlkit.errors import RunParamError
from etlkit.run_notes import INTERVAL_START, SOURCE_KEY, is_backfill, run_day
from etlkit.spec import ParamSpec, PipelineSpec, expand_settings
from sqlrunner.params import json_schema


def dag_params(spec: PipelineSpec) -> dict[str, Param]:
    """One Param per spec param, empty by default, so a manual run can set any of them."""
    return {
        name: Param(
            None,
            title=name,
            description=_describe(param),
            **_form_schema(param.type),
            **({SOURCE_KEY: param.source} if param.source else {}),
        )
        for name, param in spec.params.items()
    }


def _form_schema(kind: str) -> dict[str, Any]:
    """The runner's JSON Schema for the type, which may also be left empty (null): the run
    then resolves the param as described above."""
    schema = json_schema(kind)
    schema["type"] = ["null", schema["type"]]
    return schema


def _describe(param: ParamSpec) -> str:
    if param.source == "data_interval_start":
        fallback = "the UTC date the run's data interval starts on"
    elif param.default is not None:
        fallback = f"{param.default}"
        if isinstance(param.default, str) and "{data_bucket}" in param.default:
            fallback += f" ({{data_bucket}} = Variable {config.DATA_BUCKET})"
    else:
        fallback = "nothing: a run must give it"
    text = f"{param.description.strip()} " if param.description else ""
    return f"{text}({param.type}; empty: {fallback})"


def resolve(spec: PipelineSpec, context: Mapping[str, Any]) -> dict[str, str | int]:
    """Every param of the pipeline for this run, in spec order."""
    given = dict(context.get("params") or {})
    _refuse_unknown(spec, given)
    _refuse_pinned_backfill(spec, context, given)
    settings = _VariableSettings()
    values: dict[str, str | int] = {}
    for name, param in spec.params.items():
        value = given.get(name)
        if value is not None and value != "":
            values[name] = value
        elif param.source == "data_interval_start":
            values[name] = interval_start_date(context, name)
        elif param.default is not None:
            values[name] = expand_settings(param.default, settings)
        else:
            raise RunParamError(
                f"param {name!r} ({param.type}) of pipeline {spec.name} has no value and no "
                f"default: trigger the run with {{{json.dumps(name)}: ...}}"
            )
    return values


def _refuse_unknown(spec: PipelineSpec, given: Mapping[str, Any]) -> None:
    unknown = sorted(set(given) - set(spec.params))
    if unknown:
        raise RunParamError(
            f"unknown param(s) {', '.join(unknown)} for pipeline {spec.name}; it takes: "
            + (", ".join(spec.params) or "none")
        )


def _refuse_pinned_backfill(
    spec: PipelineSpec, context: Mapping[str, Any], given: Mapping[str, Any]
) -> None:
    """A backfill runs each date of its range; its conf (`--dag-run-conf`, the backfill form's
    run config) goes to every one of its runs, so a date in it would load that one date once
    per run of the range."""
    name = spec.date_param
    if name is not None and given.get(name) not in (None, "") and _is_backfill(context):
        raise RunParamError(
            f"this backfill's conf sets {name}={given[name]}, which would make every run of "
            f"its range load {given[name]}: a backfill run processes its own date (its data "
            f"interval's); backfill again without {name} in the conf, or trigger a single "
            f"run with {{{json.dumps(name)}: ...}}"
        )


def _is_backfill(context: Mapping[str, Any]) -> bool:
    return is_backfill(getattr(context.get("dag_run"), "run_type", None))


def step_params_json(spec: PipelineSpec, step_id: str, context: Mapping[str, Any]) -> str:
    """The step's `--params`: a JSON object of exactly the params the step lists."""
    values = resolve(spec, context)
    return json.dumps({name: values[name] for name in spec.step(step_id).params})


def execution_values(spec: PipelineSpec, context: Mapping[str, Any]) -> dict[str, Any]:
    """The state machine's execution input: the params given for the run, and the date param
    resolved. The state machine fills the defaults itself (from its own deployment's
    settings), so a DAG run and the schedule starting a date send the same input."""
    given = {
        name: value
        for name, value in (context.get("params") or {}).items()
        if value is not None and value != ""
    }
    _refuse_unknown(spec, given)
    _refuse_pinned_backfill(spec, context, given)
    values: dict[str, Any] = {}
    if spec.date_param is not None:
        values[spec.date_param] = given.get(spec.date_param) or interval_start_date(
            context, spec.date_param
        )
    values.update((name, given[name]) for name in spec.params if name in given)
    return values


def interval_start_date(context: Mapping[str, Any], name: str = "run_date") -> str:
    start = context.get("data_interval_start")
    if start is None:
        raise RunParamError(
            f"param {name!r} comes from the data interval, and this run has none: "
            f"give {name} (YYYY-MM-DD) when triggering it"
        )
    return start.astimezone(dt.UTC).date().isoformat()


def run_date(spec: PipelineSpec, context: Mapping[str, Any]) -> str | None:
    """The run's date for people (alerts): the resolved `from:` param, if the spec has one.
    Never reads a Variable, so an alert can name the date even when configuration is broken."""
    name = spec.date_param
    if name is None:
        return None
    run = context.get("dag_run")
    return run_day(
        (context.get("params") or {}).get(name),
        context.get(INTERVAL_START),
        getattr(run, "run_type", None),
    )


class _VariableSettings(Mapping[str, str]):
    """The deployment settings a default refers to, each read from its Variable on first use,
    so a run whose defaults name no setting reads none."""

    def __init__(self) -> None:
        self._read: dict[str, str] = {}

    def __getitem__(self, setting: str) -> str:
        if setting not in self._read:
            self._read[setting] = config.variable(config.SETTING_VARIABLES[setting])
        return self._read[setting]

    def __iter__(self) -> Iterator[str]:
        return iter(config.SETTING_VARIABLES)

    def __len__(self) -> int:
        return len(config.SETTING_VARIABLES)
