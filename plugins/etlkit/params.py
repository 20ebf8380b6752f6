"""A run's pipeline params: the trigger form, the values a run resolves, a step's `--params`.

A run resolves each of the spec's params by etlkit_core.run_params' rule, which the state
machine's ResolveParams state applies too (infra/asl.py writes it in JSONata from the same
module), so both orchestrators run a date the same way: a value given for the run (the
trigger form, `dag_run.conf`, `backfill --dag-run-conf`: Airflow merges them into the run's
Params; empty fields are not given), else the data interval's start date for a
`from: data_interval_start` param, else the default, its `{data_bucket}` read from the
`etlkit_data_bucket` Variable; otherwise the run fails before any Glue run starts, naming
the param.

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
from etlkit_core import run_params
from etlkit_core.run_params import RunParamsError
from etlkit_core.spec import ParamSpec, PipelineSpec
from sqlrunner.params import json_schema


def dag_params(spec: PipelineSpec) -> dict[str, Param]:
    """One Param per spec param, empty by default, so a manual run can set any of them."""
    return {
        name: Param(
            None, description=_describe(param), schema=_form_schema(name, param.type, param.source)
        )
        for name, param in spec.params.items()
    }


class _Schema(dict):
    """A Param's schema, shared by its copies. Airflow deep-copies the DAG's Params once per
    `__init__` level of every task (three for a Glue step), so with a thousand tasks copying
    the schemas was a large part of DAG parse time. Nothing changes a schema after the DAG
    is built, and it stays a dict to everything else (serialization, the trigger form)."""

    def __deepcopy__(self, memo: dict[int, Any]) -> _Schema:
        return self


def _form_schema(name: str, kind: str, source: str | None) -> _Schema:
    """The runner's JSON Schema for the type, which may also be left empty (null): the run
    then resolves the param as described above. A param from the data interval says so
    (SOURCE_KEY), for the run's note (etlkit.run_notes)."""
    schema = json_schema(kind)
    schema["type"] = ["null", schema["type"]]
    if source:
        schema[SOURCE_KEY] = source
    return _Schema(title=name, **schema)


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
    """Every param of the pipeline for this run, in spec order (etlkit_core.run_params)."""
    given = dict(context.get("params") or {})
    _refuse_pinned_backfill(spec, context, given)
    try:
        return run_params.resolve(spec, given, _interval_day(context), _VariableSettings())
    except RunParamsError as exc:
        raise RunParamError(str(exc)) from None


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
        if value not in run_params.EMPTY_VALUES
    }
    unknown = [name for name in given if name not in spec.params]
    if unknown:
        raise RunParamError(run_params.unknown_message(spec, unknown, ()))
    _refuse_pinned_backfill(spec, context, given)
    values: dict[str, Any] = {}
    if spec.date_param is not None:
        day = given.get(spec.date_param) or _interval_day(context)
        if day is None:
            raise RunParamError(run_params.missing_message(spec, spec.params[spec.date_param]))
        values[spec.date_param] = day
    values.update((name, given[name]) for name in spec.params if name in given)
    return values


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


def _interval_day(context: Mapping[str, Any]) -> str | None:
    """The UTC date the run's data interval starts on, if it has one."""
    start = context.get(INTERVAL_START)
    return None if start is None else start.astimezone(dt.UTC).date().isoformat()


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
