"""The published JSON Schema of pipeline.yaml (plugins/etlkit_core/pipeline.schema.json):
a valid schema, its enums the code's tables, named by every committed spec for editors,
and in agreement with the loader: what it accepts loads unless a rule beyond shape says
otherwise, what it refuses the loader refuses naming the same field."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import jsonschema
import pytest
import yaml

from etlkit_core.spec import SCHEDULERS, SCHEMA, SCHEMA_PATH, SpecError, load_spec
from sqlrunner.params import TYPES
from tests.core.branching import write_pipeline

REPO = Path(__file__).resolve().parents[2]
COMMITTED = sorted((REPO / "sql").glob("*/pipeline.yaml"))
MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$")

GOOD = """
name: demo
schedule: "30 1 * * *"
scheduler: airflow
start_date: 2026-01-01
params:
  run_date: {type: date, from: data_interval_start}
  lake: {type: s3_uri, default: "s3://{data_bucket}/lake/"}
steps:
  - id: first
    file: first.sql
    params: [run_date]
  - {id: second, file: second.sql, after: [first]}
"""

# (change to GOOD, where the loader says it is wrong): shape errors the schema catches too
SHAPE_ERRORS = [
    (("name: demo", "name: Demo"), "name"),
    (("start_date: 2026-01-01", "start_date: 2026-01-01T02:00:00"), "start_date"),
    (("start_date: 2026-01-01\n", ""), "start_date"),
    (("scheduler: airflow", "scheduler: cron"), "scheduler"),
    (("steps:", "retries: two\nsteps:"), "retries"),
    (("steps:", "retries: 11\nsteps:"), "retries"),
    (("steps:", 'catchup: "yes"\nsteps:'), "catchup"),
    (("steps:", "stages: []\nsteps:"), "top level"),
    (("type: s3_uri", "type: float"), "params.lake.type"),
    (("from: data_interval_start}", "from: now}"), "params.run_date.from"),
    (('default: "s3://{data_bucket}/lake/"', "default: [1]"), "params.lake.default"),
    (("lake: {", "Lake: {"), "params.Lake"),
    (("lake: {type: s3_uri,", "lake: {type: s3_uri, from: data_interval_start,"), "params.lake"),
    (("file: first.sql", "file: ../first.sql"), "steps[0].file"),
    (("file: first.sql", "file: first.txt"), "steps[0].file"),
    (("    params: [run_date]", "    params: [run_date, run_date]"), "steps[0].params"),
    (("after: [first]", "after: First"), "steps[1].after"),
    (("  - {id: second", "  - {idd: x, id: second"), "steps[1]"),
]
# beyond shape: the schema accepts these, the loader does not
RULE_ERRORS = [
    (("30 1 * * *", "61 1 * * *"), "schedule"),
    (("30 1 * * *", "30 1 1 * 1"), "schedule"),
    (("after: [first]", "after: [nowhere]"), "steps[1].after"),
    (("{data_bucket}", "{bucket}"), "params.lake.default"),
    (("params: [run_date]", "params: [day]"), "steps[0].params"),
]


def _document(text):
    """The spec as an editor's YAML language server sees it (YAML 1.2: dates are text)."""
    raw = yaml.safe_load(text)
    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in raw.items()}


def _schema_accepts(text):
    return jsonschema.Draft202012Validator(SCHEMA).is_valid(_document(text))


def _write(tmp_path, text):
    (tmp_path / "first.sql").write_text("SELECT 1;\n")
    (tmp_path / "second.sql").write_text("SELECT 2;\n")
    path = tmp_path / "pipeline.yaml"
    path.write_text(textwrap.dedent(text))
    return path


def test_the_schema_is_a_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_the_schemas_enums_are_the_codes_tables():
    assert SCHEMA["$defs"]["param"]["properties"]["type"]["enum"] == list(TYPES)
    assert SCHEMA["properties"]["scheduler"]["enum"] == [*SCHEDULERS, None]


@pytest.mark.parametrize("path", COMMITTED, ids=lambda p: p.parent.name)
def test_committed_specs_name_the_schema_for_editors(path):
    first = path.read_text().splitlines()[0]
    match = MODELINE.match(first)
    assert match, f"{path}: first line must be `# yaml-language-server: $schema=<path>`"
    assert (path.parent / match.group(1)).resolve() == SCHEMA_PATH
    assert _schema_accepts(path.read_text())


def test_good_specs_pass_both(tmp_path):
    assert _schema_accepts(GOOD)
    load_spec(_write(tmp_path, GOOD))
    branching = write_pipeline(tmp_path / "branching")
    assert _schema_accepts(branching.read_text())
    load_spec(branching)


@pytest.mark.parametrize(("change", "where"), SHAPE_ERRORS, ids=lambda v: str(v))
def test_shape_errors_are_refused_by_both_naming_the_field(tmp_path, change, where):
    old, new = change
    assert old in GOOD
    text = GOOD.replace(old, new)
    assert not _schema_accepts(text)
    with pytest.raises(SpecError) as caught:
        load_spec(_write(tmp_path, text))
    assert caught.value.where == where


@pytest.mark.parametrize(("change", "where"), RULE_ERRORS, ids=lambda v: str(v))
def test_rules_beyond_shape_are_the_loaders(tmp_path, change, where):
    old, new = change
    text = GOOD.replace(old, new)
    assert _schema_accepts(text)
    with pytest.raises(SpecError) as caught:
        load_spec(_write(tmp_path, text))
    assert caught.value.where == where
