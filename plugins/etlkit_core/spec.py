"""The pipeline spec (`sql/<pipeline>/pipeline.yaml`): the one source both orchestrators follow.

The Airflow DAG factory, the state machine generator and `make package` all read a
pipeline through this module, so a spec that loads here is a spec every orchestrator
can run. Validation is strict and names the file and field at fault, because a typo
in a spec should fail a test or a deploy, not a 3 a.m. run.

Reading a spec is local file I/O only (no AWS, no database), so DAG files may call
it at parse time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import EtlkitCoreError, GraphError
from .graph import Step, graph

SPEC_FILENAME = "pipeline.yaml"
# libyaml's safe loader where PyYAML was built with it (MWAA's is): the same documents and
# errors as yaml.SafeLoader, ten times faster, which DAG parse time feels with many specs.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# A param's type is one of the runner's parameter types (sqlrunner.params.TYPES, the one
# table; the schema's enum is held to it by tests/spec), since every value ends up in
# `--params` for the runner to validate.
#
# A param's `from:` says where a scheduled run's value comes from when nobody passes one.
# `data_interval_start` is the UTC date of the start of the run's data interval: for a
# daily schedule, the day that just ended. Airflow renders it from the data interval; the
# state machine derives it from the EventBridge Scheduler's scheduled time minus one day,
# which is why a spec that uses it must have a once-a-day schedule.

# Who starts a pipeline's scheduled runs: exactly one of them, so a date is never started
# twice by two schedulers. `airflow`: the `<name>_glue` DAG runs on the schedule, and the
# pipeline stack has no EventBridge schedule. `stepfunctions`: the pipeline stack's
# EventBridge Scheduler schedule starts the state machine, and no DAG runs on the schedule.
# Either way the DAGs that do not run on the schedule keep the cron for backfills and manual
# runs (etlkit.timetables).
SCHEDULERS = ("airflow", "stepfunctions")

# A statement may run until this much before its step's time limit (contract C4 of issue 14):
# the runner cancels it and rolls back while Glue still lets it, instead of Glue killing a
# process whose session would keep its locks. The margin is a tenth of the limit, at most
# a minute.
STATEMENT_MARGIN_SECONDS = 60

# Values that differ per deployment and that a param's default may refer to as
# `{name}`: the orchestrators fill them in at run time (Airflow from its Variables,
# the state machine from DefinitionSubstitutions), so one spec serves every account.
DEPLOYMENT_SETTINGS = ("data_bucket",)

# The execution-input key the EventBridge Scheduler fills with the time a run was scheduled
# for (infra/templates/pipeline.yaml): a param may not take its name, or the state machine
# could not tell a run's params from the schedule's input.
SCHEDULED_TIME = "scheduled_time"
# Words JSONata reads as operators or literals: the state machine refers to a param as the
# path `$input.<name>`, which such a word cannot be.
JSONATA_WORDS = frozenset({"and", "or", "in", "true", "false", "null", "function"})
_SETTING_REF = re.compile(r"\{([^{}]*)\}")

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_CRON_FIELD = re.compile(r"^(\*|\d+(-\d+)?)(/\d+)?(,(\*|\d+(-\d+)?)(/\d+)?)*$")
_CRON_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 6))

# The spec's shape, published for editors too (`# yaml-language-server: $schema=...`).
SCHEMA_PATH = Path(__file__).with_name("pipeline.schema.json")
_SCHEMA_TEXT = SCHEMA_PATH.read_text(encoding="utf-8")
SCHEMA: dict[str, Any] = json.loads(_SCHEMA_TEXT)
_VALIDATOR: Any = None  # built on first use
# How a broken pattern is reported, by the schema's pattern.
_PATTERN_PROBLEMS = {
    _NAME.pattern: "{value} must match " + _NAME.pattern + " (lower-case snake_case)",
    SCHEMA["properties"]["start_date"]["pattern"]: "{value} must be a date (YYYY-MM-DD)",
    SCHEMA["$defs"]["step"]["properties"]["file"]["pattern"]: (
        "{value} must be a relative path to a .sql file in this directory"
    ),
}
_TYPE_WORDS = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "integer": "an integer",
    "boolean": "true or false",
    "null": "null",
}


class SpecError(EtlkitCoreError):
    """A pipeline spec is invalid; the message names the file and the field."""

    def __init__(self, path: Path | str, where: str, problem: str) -> None:
        self.path = str(path)
        self.where = where
        self.problem = problem
        super().__init__(f"{path}: {where}: {problem}")


@dataclass(frozen=True)
class ParamSpec:
    name: str
    type: str
    source: str | None = None  # `from:`, data_interval_start
    default: str | int | None = None  # may refer to DEPLOYMENT_SETTINGS as {name}
    description: str = ""

    @property
    def required(self) -> bool:
        """True when a run must be given a value explicitly (no source, no default)."""
        return self.source is None and self.default is None


@dataclass(frozen=True)
class StepSpec:
    id: str
    file: str  # relative to the pipeline directory
    s3_key: str  # where deploy uploads it in the scripts bucket: the `--file` argument
    params: tuple[str, ...] = ()
    description: str = ""
    # Steps this one runs after besides those its SQL makes it wait for (etlkit_core.graph):
    # for what the SQL cannot show, e.g. a step that reads what a stored procedure wrote.
    after: tuple[str, ...] = ()


@dataclass(frozen=True)
class PipelineSpec:
    name: str
    directory: Path
    description: str
    owner: str
    tags: tuple[str, ...]
    schedule: str | None  # 5-field cron in UTC, or None for manual runs only
    scheduler: str | None  # one of SCHEDULERS when there is a schedule, else None
    start_date: dt.date
    catchup: bool
    max_active_runs: int
    retries: int
    retry_delay_minutes: int
    step_timeout_minutes: int
    params: dict[str, ParamSpec] = field(default_factory=dict)
    steps: tuple[StepSpec, ...] = ()

    @property
    def path(self) -> Path:
        return self.directory / SPEC_FILENAME

    @property
    def date_param(self) -> str | None:
        """The param holding the run's date (`from: data_interval_start`), if there is one:
        what alerts name, and what execution names are made of."""
        return next((p.name for p in self.params.values() if p.source), None)

    @property
    def statement_timeout_ms(self) -> int:
        """The runner's `--statement_timeout` for every step: the step's limit less a margin."""
        limit = self.step_timeout_minutes * 60
        return (limit - min(STATEMENT_MARGIN_SECONDS, limit // 10)) * 1000

    def step(self, step_id: str) -> StepSpec:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)


def discover(
    sql_root: Path | str,
    *,
    check_files: bool = True,
    compiled: Callable[[Path], Mapping[str, Any] | None] | None = None,
) -> list[PipelineSpec]:
    """Every `<sql_root>/*/pipeline.yaml`, sorted by directory; names must be unique.
    `compiled(path)` may give a spec's compiled copy (see load_spec)."""
    specs = [
        load_spec(path, check_files=check_files, compiled=compiled(path) if compiled else None)
        for path in sorted(Path(sql_root).glob(f"*/{SPEC_FILENAME}"))
    ]
    seen: dict[str, Path] = {}
    for spec in specs:
        if spec.name in seen:
            raise SpecError(spec.path, "name", f"{spec.name!r} is also used by {seen[spec.name]}")
        seen[spec.name] = spec.path
    return specs


def load_spec(
    path: Path | str, *, check_files: bool = True, compiled: Mapping[str, Any] | None = None
) -> PipelineSpec:
    """Load and validate one spec: its shape against pipeline.schema.json, then what a
    schema cannot say. `check_files=False` skips the step-file existence check, for places
    (an MWAA dags folder) where the SQL lives in S3 rather than beside the spec.

    `compiled` is a copy of the spec's document as compile_spec() made it (etlkit_core.
    pipeline_graph stores one in the committed graph file): while the spec's text and the
    schema are what it was made from, the YAML is not parsed nor the shape checked again,
    which is most of the time a DAG file with many pipelines spends loading them."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SpecError(path, "file", f"cannot be read ({exc.strerror})") from None
    if compiled is not None and compiled.get("sha256") == spec_digest(text):
        raw = compiled["document"]
    else:
        raw = _checked_document(path, text)
    return _Parser(path, check_files).pipeline(raw)


def compile_spec(path: Path) -> dict[str, Any]:
    """The spec's document, shape-checked, with the digest load_spec() trusts it by."""
    text = path.read_text(encoding="utf-8")
    return {"sha256": spec_digest(text), "document": _checked_document(path, text)}


def spec_digest(text: str) -> str:
    """What a compiled document stands for: this spec text checked against this schema."""
    return hashlib.sha256(f"{_SCHEMA_TEXT}\0{text}".encode()).hexdigest()


def _checked_document(path: Path, text: str) -> Any:
    try:
        raw = yaml.load(text, Loader=_LOADER)  # noqa: S506 (a safe loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "yaml"
        raise SpecError(
            path, where, f"is not valid YAML ({getattr(exc, 'problem', exc)})"
        ) from None
    raw = _as_json(raw)
    _check_shape(path, raw)
    return raw


def _as_json(value: Any) -> Any:
    """The YAML document as JSON would hold it (what the schema describes): YAML's dates and
    timestamps become their ISO text, which the schema's date pattern tells apart."""
    if isinstance(value, dict):
        return {key: _as_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_as_json(item) for item in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _check_shape(path: Path, raw: Any) -> None:
    """The first schema violation (the shallowest), as a SpecError naming the field."""
    import jsonschema  # imported here: the DAG processor pays for it only when specs load

    global _VALIDATOR
    if _VALIDATOR is None:
        _VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
    error = jsonschema.exceptions.best_match(_VALIDATOR.iter_errors(raw))
    if error is not None:
        where, problem = _shape_problem(error)
        raise SpecError(path, where, problem)


def _shape_problem(error: Any) -> tuple[str, str]:
    """(where, problem) of a jsonschema error, worded as the rest of the loader words them."""
    path = list(error.absolute_path)
    value, schema, keyword = error.instance, error.schema, error.validator
    if keyword == "required":
        missing = next(key for key in error.validator_value if key not in value)
        return _where([*path, missing]), "is required"
    if keyword == "additionalProperties":
        allowed = sorted(schema["properties"])
        unknown = sorted(str(key) for key in value if key not in schema["properties"])
        return _where(path), f"unknown key(s) {', '.join(unknown)}; allowed: {', '.join(allowed)}"
    if keyword == "pattern":
        if "propertyNames" in error.absolute_schema_path:  # a key (a param's name) is at fault
            path.append(value)
        return _where(path), _PATTERN_PROBLEMS[schema["pattern"]].replace("{value}", repr(value))
    if keyword == "enum":
        choices = ", ".join(str(choice) for choice in schema["enum"] if choice is not None)
        return _where(path), f"{value!r} must be one of {choices}"
    if "minimum" in schema and keyword in ("type", "minimum", "maximum"):
        return (
            _where(path),
            f"{value!r} must be an integer from {schema['minimum']} to {schema['maximum']}",
        )
    if keyword == "not":
        return _where(path), "give either 'from' or 'default', not both"
    if keyword == "uniqueItems":
        return _where(path), "lists an item twice"
    if keyword == "minItems":
        return _where(path), "must be a non-empty list"
    if keyword == "type":
        expected = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        wanted = " or ".join(_TYPE_WORDS[kind] for kind in expected)
        return _where(path), f"{value!r} must be {wanted}"
    return _where(path), error.message


def _where(path: list[Any]) -> str:
    """`params.run_date.type`, `steps[1].file`; `top level` for the document itself."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else str(part)
    return text or "top level"


class _Parser:
    """What the schema cannot check, on a document of the schema's shape."""

    def __init__(self, path: Path, check_files: bool) -> None:
        self.path = path
        self.check_files = check_files

    def fail(self, where: str, problem: str) -> SpecError:
        return SpecError(self.path, where, problem)

    def pipeline(self, top: dict[str, Any]) -> PipelineSpec:
        schedule = self.schedule(top.get("schedule"))
        scheduler = self.scheduler(top.get("scheduler"), schedule)
        params = self.params(top.get("params") or {})
        steps = self.steps(top["steps"], params)
        dated = [param.name for param in params.values() if param.source]
        if len(dated) > 1:
            # Alerts and execution names carry one run date; two would make it ambiguous.
            raise self.fail(
                f"params.{dated[1]}.from",
                f"only one param may come from the data interval ({dated[0]} already does)",
            )
        if schedule is not None:
            for param in params.values():
                if param.source == "data_interval_start" and not _is_daily(schedule):
                    raise self.fail(
                        f"params.{param.name}.from",
                        f"data_interval_start needs a once-a-day schedule (e.g. '0 2 * * *'), "
                        f"got {schedule!r}",
                    )
        defaults = {key: body.get("default") for key, body in SCHEMA["properties"].items()}
        retries = top.get("retries", defaults["retries"])
        retry_delay = top.get("retry_delay_minutes", defaults["retry_delay_minutes"])
        step_timeout = top.get("step_timeout_minutes", defaults["step_timeout_minutes"])
        self.retries_fit(retries, retry_delay, step_timeout)
        return PipelineSpec(
            name=top["name"],
            directory=self.path.parent,
            description=top.get("description", "").strip(),
            owner=top.get("owner", defaults["owner"]),
            tags=tuple(top.get("tags") or ()),
            schedule=schedule,
            scheduler=scheduler,
            start_date=dt.date.fromisoformat(top["start_date"]),
            catchup=top.get("catchup", defaults["catchup"]),
            max_active_runs=top.get("max_active_runs", defaults["max_active_runs"]),
            retries=retries,
            retry_delay_minutes=retry_delay,
            step_timeout_minutes=step_timeout,
            params=params,
            steps=steps,
        )

    def retries_fit(self, retries: int, delay: int, timeout: int) -> None:
        """The runner retries inside the step's one Glue run (sqlrunner.retrying), so its
        waits, `delay` minutes doubling after each retry, must end before the run's Timeout:
        otherwise Glue stops the run before its last retry and the alert reports a TIMEOUT
        instead of the failure that was being retried."""
        waits = [delay * 2**number for number in range(retries)]
        if sum(waits) >= timeout:
            listed = ", ".join(str(wait) for wait in waits)
            raise self.fail(
                "retries",
                f"{retries} retries wait {listed} min ({sum(waits)} min in all), which does not "
                f"fit in one step's Glue run (step_timeout_minutes {timeout}): lower retries "
                "or retry_delay_minutes, or raise step_timeout_minutes",
            )

    def schedule(self, value: str | None) -> str | None:
        if value is None:
            return None
        fields = value.split()
        if len(fields) != 5:
            raise self.fail(
                "schedule", f"{value!r} must be a 5-field cron (minute hour day month weekday), UTC"
            )
        for index, (text, (lowest, highest)) in enumerate(zip(fields, _CRON_RANGES, strict=True)):
            label = ("minute", "hour", "day of month", "month", "day of week")[index]
            if not _CRON_FIELD.match(text):
                raise self.fail("schedule", f"{label} field {text!r} is not numeric cron syntax")
            for number in re.findall(r"\d+", text.split("/")[0]):
                if not lowest <= int(number) <= highest:
                    raise self.fail(
                        "schedule", f"{label} value {number} is outside {lowest}-{highest}"
                    )
        if fields[2] != "*" and fields[4] != "*":
            raise self.fail(
                "schedule",
                f"{value!r} restricts both day of month and day of week (cron runs on either "
                "day); EventBridge Scheduler cannot express that, so restrict only one",
            )
        return " ".join(fields)

    def scheduler(self, value: str | None, schedule: str | None) -> str | None:
        if schedule is None:
            if value is not None:
                raise self.fail(
                    "scheduler",
                    f"{value!r} needs a schedule; a pipeline without one runs only "
                    "when started by hand (remove the key)",
                )
            return None
        if value is None:
            raise self.fail(
                "scheduler",
                f"is required with a schedule: {' or '.join(SCHEDULERS)} (who starts the "
                "scheduled runs; the other orchestrator can still run backfills and reruns)",
            )
        return value

    def params(self, raw: dict[str, Any]) -> dict[str, ParamSpec]:
        params = {}
        for name, body in raw.items():
            where = f"params.{name}"
            if name == SCHEDULED_TIME:
                raise self.fail(where, "the name is reserved for the scheduler's input key")
            if name in JSONATA_WORDS:
                raise self.fail(where, f"{name!r} is a JSONata keyword; rename the param")
            kind = body["type"]
            source = body.get("from")
            if source == "data_interval_start" and kind != "date":
                raise self.fail(f"{where}.from", "data_interval_start gives a date: use type date")
            default = body.get("default")
            if isinstance(default, str) and "$" in default:
                raise self.fail(
                    f"{where}.default",
                    "'$' is not allowed (CloudFormation DefinitionSubstitutions would rewrite it)",
                )
            if isinstance(default, str):
                for ref in _SETTING_REF.findall(default):
                    if ref not in DEPLOYMENT_SETTINGS:
                        raise self.fail(
                            f"{where}.default",
                            f"{{{ref}}} is not a deployment setting; known: "
                            + ", ".join(f"{{{name}}}" for name in DEPLOYMENT_SETTINGS),
                        )
            params[name] = ParamSpec(
                name=name,
                type=kind,
                source=source,
                default=default,
                description=body.get("description", ""),
            )
        return params

    def steps(
        self, raw: list[dict[str, Any]], params: dict[str, ParamSpec]
    ) -> tuple[StepSpec, ...]:
        steps = []
        seen: set[str] = set()
        for index, body in enumerate(raw):
            where = f"steps[{index}]"
            step_id = body["id"]
            if step_id in seen:
                raise self.fail(f"{where}.id", f"duplicate step id {step_id!r}")
            seen.add(step_id)
            file = body["file"]
            if self.check_files and not (self.path.parent / file).is_file():
                raise self.fail(f"{where}.file", f"{file} does not exist next to the spec")
            step_params = body.get("params") or []
            for name in step_params:
                if name not in params:
                    raise self.fail(
                        f"{where}.params", f"{name!r} is not declared under the pipeline's params"
                    )
            steps.append(
                StepSpec(
                    id=step_id,
                    file=file,
                    s3_key=f"sql/{self.path.parent.name}/{file}",
                    params=tuple(step_params),
                    description=body.get("description", ""),
                    after=tuple(body.get("after") or ()),
                )
            )
        self.order(steps)
        return tuple(steps)

    def order(self, steps: list[StepSpec]) -> None:
        """`after:` must name steps of this pipeline and form no cycle (what the SQL adds
        is checked by etlkit_core.pipeline_graph, where the SQL is read)."""
        try:
            graph([Step(step.id, after=step.after) for step in steps])
        except GraphError as exc:
            index = next(i for i, step in enumerate(steps) if step.id == exc.steps[0])
            raise self.fail(f"steps[{index}].after", str(exc)) from None


def verify_sql(spec: PipelineSpec) -> None:
    """Check each step's params against its SQL file's `-- @param` header: the spec must
    pass exactly what the file declares without a default, may pass what it declares with
    one, and the types must agree. Runs where the SQL files are (tests, deploy, package),
    not at DAG parse time.
    """
    from sqlrunner.errors import ParamError
    from sqlrunner.params import parse_declarations

    for index, step in enumerate(spec.steps):
        where = f"steps[{index}].params"
        path = spec.directory / step.file
        try:
            declared = parse_declarations(path.read_text(encoding="utf-8"), str(path))
        except ParamError as exc:
            raise SpecError(spec.path, f"steps[{index}].file", str(exc)) from None
        for name in step.params:
            if name not in declared:
                raise SpecError(spec.path, where, f"{name!r} is not declared in {step.file}")
            if declared[name].type != spec.params[name].type:
                raise SpecError(
                    spec.path,
                    where,
                    f"{name!r} is {spec.params[name].type} in the spec but "
                    f"{declared[name].type} in {step.file}",
                )
        for name, declaration in declared.items():
            if declaration.default is None and name not in step.params:
                raise SpecError(
                    spec.path,
                    where,
                    f"{step.file} needs {name!r} (declared without a default) but the step "
                    "does not pass it",
                )


def expand_settings(value: str | int, settings: Mapping[str, str]) -> str | int:
    """A default with its `{setting}` references replaced from `settings`."""
    if not isinstance(value, str):
        return value
    return _SETTING_REF.sub(lambda match: settings[match.group(1)], value)


def _is_daily(cron: str) -> bool:
    minute, hour, dom, month, dow = cron.split()
    return minute.isdigit() and hour.isdigit() and dom == month == dow == "*"
