"""One run-param rule, two implementations: Airflow resolves a run's params in Python
(etlkit_core.run_params.resolve), the state machine in the JSONata infra/asl.py generates
from the same module. Both are fed the same inputs here, the JSONata through the local
AWS's evaluator (infra/local/jsonata_engine.py, what the local Step Functions runs), and
must agree: the same values, or a failure naming the same params."""

from __future__ import annotations

import datetime as dt
import json
import textwrap

import pytest

from etlkit_core import pipeline_graph
from etlkit_core.run_params import RunParamsError, resolve
from etlkit_core.spec import SCHEDULED_TIME, load_spec
from infra import asl
from infra.local.jsonata_engine import eval_jsonata_expression

SPEC = """
name: parity
schedule: "0 2 * * *"
scheduler: stepfunctions
start_date: 2026-01-01
params:
  run_date: {type: date, from: data_interval_start}
  lake_uri: {type: s3_uri, default: "s3://{data_bucket}/lake/"}
  min_rows: {type: integer, default: 1}
  target: {type: identifier}
steps:
  - {id: a, file: a.sql}
"""
BUCKET = "acme-data"
SCHEDULED = "2026-03-01T02:00:00Z"  # the day before: 2026-02-28

CASES = {
    "scheduled, required given": {SCHEDULED_TIME: SCHEDULED, "target": "t"},
    "explicit date wins": {SCHEDULED_TIME: SCHEDULED, "run_date": "2025-12-31", "target": "t"},
    "empty date falls back": {SCHEDULED_TIME: SCHEDULED, "run_date": "", "target": "t"},
    "null date falls back": {SCHEDULED_TIME: SCHEDULED, "run_date": None, "target": "t"},
    "empty date, no interval": {"run_date": "", "target": "t"},
    "missing date and required": {},
    "empty default falls back": {"run_date": "2025-01-01", "lake_uri": "", "target": "t"},
    "explicit values": {
        "run_date": "2025-01-01",
        "lake_uri": "s3://x/",
        "min_rows": 0,
        "target": "t",
    },
    "empty required": {"run_date": "2025-01-01", "target": ""},
    "unknown keys": {"run_date": "2025-01-01", "target": "t", "rundate": "x", "extra": 1},
}


@pytest.fixture(scope="module")
def spec(tmp_path_factory):
    directory = tmp_path_factory.mktemp("parity")
    (directory / "a.sql").write_text("SELECT 1;\n")
    (directory / "pipeline.yaml").write_text(textwrap.dedent(SPEC))
    spec = load_spec(directory / "pipeline.yaml")
    pipeline_graph.write([spec])  # the machine is built from the step graph
    return spec


def _python(spec, given):
    scheduled = given.get(SCHEDULED_TIME)
    day = None
    if scheduled:  # Airflow's data interval starts the day before the schedule fires
        fired = dt.datetime.fromisoformat(scheduled.replace("Z", "+00:00"))
        day = (fired - dt.timedelta(days=1)).date().isoformat()
    try:
        values = resolve(spec, given, day, {"data_bucket": BUCKET}, accepted=[SCHEDULED_TIME])
    except RunParamsError as exc:
        return "failed", set(exc.params), str(exc)
    return "resolved", values, None


def _jsonata(spec, given):
    output = asl.build(spec)["States"][asl.RESOLVE]["Output"]
    expression = output.removeprefix("{%").removesuffix("%}").replace("${DataBucket}", BUCKET)
    composed = f"($states := {json.dumps({'input': given})}; {expression})"
    result = eval_jsonata_expression(composed)
    if "failure" in result:
        return "failed", None, result["failure"]["reason"]
    return "resolved", result["params"], None


@pytest.mark.parametrize("case", CASES)
def test_python_and_jsonata_resolve_alike(spec, case):
    given = CASES[case]
    python, jsonata = _python(spec, given), _jsonata(spec, given)
    assert python[0] == jsonata[0], (python, jsonata)
    if python[0] == "resolved":
        assert python[1] == jsonata[1]
    else:
        assert python[2] == jsonata[2]  # the same problems, worded alike


def test_the_cases_cover_every_outcome(spec):
    """The parity cases are not all alike: they resolve each way and fail each way."""
    outcomes = {case: _python(spec, given) for case, given in CASES.items()}
    assert outcomes["scheduled, required given"][1] == {
        "run_date": "2026-02-28",
        "lake_uri": "s3://acme-data/lake/",
        "min_rows": 1,
        "target": "t",
    }
    assert outcomes["empty date falls back"][1]["run_date"] == "2026-02-28"
    assert outcomes["explicit date wins"][1]["run_date"] == "2025-12-31"
    assert outcomes["empty default falls back"][1]["lake_uri"] == "s3://acme-data/lake/"
    assert outcomes["explicit values"][1]["min_rows"] == 0
    assert outcomes["empty date, no interval"][:2] == ("failed", {"run_date"})
    assert outcomes["missing date and required"][:2] == ("failed", {"run_date", "target"})
    assert outcomes["empty required"][:2] == ("failed", {"target"})
    assert outcomes["unknown keys"][:2] == ("failed", {"rundate", "extra"})
    assert "unknown param(s) rundate, extra for pipeline parity" in outcomes["unknown keys"][2]
