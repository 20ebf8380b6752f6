"""The pipeline spec loader: the committed specs load, and every kind of mistake is
refused with the file and field named."""

import datetime as dt
import textwrap
from pathlib import Path

import pytest

from etlkit_core.spec import SpecError, discover, expand_settings, load_spec, verify_sql

REPO = Path(__file__).resolve().parents[2]


def test_committed_specs_load_and_match_their_sql():
    specs = discover(REPO / "sql")
    assert [spec.name for spec in specs] == ["reviews_etl", "tickit_etl"]
    for spec in specs:
        verify_sql(spec)


def test_reviews_spec():
    spec = load_spec(REPO / "sql/reviews/pipeline.yaml")
    assert [step.id for step in spec.steps] == [
        "create_schema",
        "load_reviews",
        "unload_helpful_reviews",
    ]
    assert spec.step("load_reviews").s3_key == "sql/reviews/load_reviews.sql"
    assert spec.step("unload_helpful_reviews").params == ("run_date", "report_uri")
    assert spec.step("load_reviews").params == ("run_date", "min_rows")
    assert spec.params["run_date"].source == "data_interval_start"
    assert spec.date_param == "run_date"
    assert spec.params["min_rows"].default == 1  # an empty day is an error
    assert spec.schedule == "0 2 * * *" and spec.start_date == dt.date(2015, 1, 1)
    assert spec.scheduler == "stepfunctions"
    assert spec.statement_timeout_ms == (60 * 60 - 60) * 1000
    assert spec.catchup is False and spec.max_active_runs == 1
    lake = expand_settings(spec.params["lake_uri"].default, {"data_bucket": "acme-data"})
    assert lake == "s3://acme-data/lake/reviews/parquet/"


VALID = """
name: demo
schedule: "30 1 * * *"
scheduler: airflow
start_date: 2026-01-01
params:
  run_date: {type: date, from: data_interval_start}
steps:
  - id: first
    file: first.sql
    params: [run_date]
"""


def write(tmp_path, body, sql="-- @param run_date date\nSELECT '${run_date}'"):
    (tmp_path / "first.sql").write_text(sql)
    path = tmp_path / "pipeline.yaml"
    path.write_text(textwrap.dedent(body))
    return path


def test_minimal_spec_defaults(tmp_path):
    spec = load_spec(write(tmp_path, VALID))
    assert (spec.retries, spec.max_active_runs, spec.owner, spec.catchup) == (
        2,
        1,
        "data-engineering",
        False,
    )
    verify_sql(spec)


@pytest.mark.parametrize(
    "change, where, problem",
    [
        (("name: demo", "name: Demo-1"), "name", "must match"),
        (('schedule: "30 1 * * *"', 'schedule: "@daily"'), "schedule", "must be a 5-field cron"),
        (
            ('schedule: "30 1 * * *"', 'schedule: "61 1 * * *"'),
            "schedule",
            "minute value 61 is outside 0-59",
        ),
        (
            ('schedule: "30 1 * * *"', 'schedule: "0 * * * *"'),
            "params.run_date.from",
            "needs a once-a-day schedule",
        ),
        (
            ('schedule: "30 1 * * *"', 'schedule: "0 1 ? * MON"'),
            "schedule",
            "is not numeric cron syntax",
        ),
        (("start_date: 2026-01-01", "start_date: yesterday"), "start_date", "must be a date"),
        (
            ("type: date", "type: datetime"),
            "params.run_date.type",
            "must be one of date, timestamp",
        ),
        (
            ("from: data_interval_start", "from: now"),
            "params.run_date.from",
            "must be one of data_interval_start",
        ),
        (("file: first.sql", "file: missing.sql"), "steps[0].file", "missing.sql does not exist"),
        (("file: first.sql", "file: ../first.sql"), "steps[0].file", "must be a relative path"),
        (
            ("params: [run_date]", "params: [run_day]"),
            "steps[0].params",
            "'run_day' is not declared",
        ),
        (("  - id: first", "  - id: First"), "steps[0].id", "must match"),
        (("steps:", "stages:"), "top level", "unknown key(s) stages"),
        (("scheduler: airflow", "scheduler: cron"), "scheduler", "must be one of airflow"),
        (("scheduler: airflow", ""), "scheduler", "is required with a schedule"),
        (
            ('schedule: "30 1 * * *"\nscheduler: airflow', "schedule: null\nscheduler: airflow"),
            "scheduler",
            "needs a schedule",
        ),
        # What the state machine cannot run is refused here, not by its generator.
        (
            ('schedule: "30 1 * * *"', 'schedule: "30 1 1 * 1"'),
            "schedule",
            "restricts both day of month and day of week",
        ),
        (
            ("  run_date: {", "  scheduled_time: {type: timestamp}\n  run_date: {"),
            "params.scheduled_time",
            "reserved for the scheduler",
        ),
        (
            ("  run_date: {", "  in: {type: integer, default: 1}\n  run_date: {"),
            "params.in",
            "JSONata keyword",
        ),
        (
            ("  run_date: {", "  cost: {type: s3_uri, default: 's3://b/$x'}\n  run_date: {"),
            "params.cost.default",
            "'$' is not allowed",
        ),
        (
            (
                "  run_date: {type: date, from: data_interval_start}",
                "  run_date: {type: date, from: data_interval_start}\n"
                "  day: {type: date, from: data_interval_start}",
            ),
            "params.day.from",
            "only one param may come from the data interval (run_date already does)",
        ),
    ],
)
def test_mistakes_are_named(tmp_path, change, where, problem):
    old, new = change
    assert old in VALID
    path = write(tmp_path, VALID.replace(old, new))
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    assert caught.value.where == where
    assert problem in caught.value.problem
    assert str(caught.value).startswith(f"{path}: {where}: ")


def test_duplicate_step_ids(tmp_path):
    body = VALID + "  - id: first\n    file: first.sql\n"
    with pytest.raises(SpecError, match=r"steps\[1\].id: duplicate step id 'first'"):
        load_spec(write(tmp_path, body))


def test_unknown_deployment_setting(tmp_path):
    body = VALID.replace(
        "params:\n", "params:\n  out: {type: s3_uri, default: 's3://{bucket}/x/'}\n"
    )
    with pytest.raises(
        SpecError, match=r"\{bucket\} is not a deployment setting; known: \{data_bucket\}"
    ):
        load_spec(write(tmp_path, body))


def test_invalid_yaml_names_the_line(tmp_path):
    with pytest.raises(SpecError, match=r"pipeline.yaml: line \d+: is not valid YAML"):
        load_spec(write(tmp_path, VALID + "  - id: [unclosed\n"))


@pytest.mark.parametrize(
    "sql, problem",
    [
        ("SELECT 1", "'run_date' is not declared in first.sql"),
        (
            "-- @param run_date integer\nSELECT ${run_date}",
            "'run_date' is date in the spec but integer in first.sql",
        ),
        ("-- @param run_date date\n-- @param n integer\nSELECT 1", "first.sql needs 'n'"),
    ],
)
def test_spec_and_sql_headers_must_agree(tmp_path, sql, problem):
    spec = load_spec(write(tmp_path, VALID, sql=sql))
    with pytest.raises(SpecError, match=problem):
        verify_sql(spec)


def test_duplicate_pipeline_names(tmp_path):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        write(tmp_path / folder, VALID)
    with pytest.raises(SpecError, match="'demo' is also used by"):
        discover(tmp_path)


@pytest.mark.parametrize(
    ("minutes", "expected_seconds"),
    [(1, 54), (10, 540), (60, 3540), (2880, 172740)],
)
def test_statements_end_before_their_step_does(tmp_path, minutes, expected_seconds):
    """`--statement_timeout` leaves the runner time to cancel and roll back before Glue's
    Timeout: a tenth of the step's limit, at most a minute (contract C4)."""
    body = VALID.replace("params:\n", f"retries: 0\nstep_timeout_minutes: {minutes}\nparams:\n")
    spec = load_spec(write(tmp_path, body))
    assert spec.statement_timeout_ms == expected_seconds * 1000


@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        (
            "retries: 2\nretry_delay_minutes: 5\nstep_timeout_minutes: 15\n",
            "retries: 2 retries wait 5, 10 min (15 min in all), which does not fit in one "
            "step's Glue run (step_timeout_minutes 15)",
        ),
        (
            "retries: 6\nretry_delay_minutes: 1\n",  # the default step_timeout_minutes: 60
            "retries: 6 retries wait 1, 2, 4, 8, 16, 32 min (63 min in all)",
        ),
        (
            "step_timeout_minutes: 10\n",  # the defaults: 2 retries, 5 min
            "retries: 2 retries wait 5, 10 min (15 min in all)",
        ),
    ],
)
def test_retry_waits_must_fit_in_the_steps_glue_run(tmp_path, settings, problem):
    """The runner retries inside one Glue run: waits that outlast its Timeout would end the
    run as TIMEOUT before the last retry, hiding the failure being retried."""
    with pytest.raises(SpecError) as raised:
        load_spec(write(tmp_path, VALID.replace("params:\n", settings + "params:\n")))
    assert problem in str(raised.value)


def test_retry_waits_just_inside_the_steps_glue_run_load(tmp_path):
    body = "retries: 2\nretry_delay_minutes: 5\nstep_timeout_minutes: 16\nparams:\n"
    spec = load_spec(write(tmp_path, VALID.replace("params:\n", body)))
    assert (spec.retries, spec.retry_delay_minutes, spec.step_timeout_minutes) == (2, 5, 16)
