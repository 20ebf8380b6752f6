"""`make cost`'s arithmetic on run records shaped as AWS returns them: Glue's one-minute
minimum at the run's DPU, retries as transitions, a run dated by its execution, runs of
other pipelines and dates left out, undated runs listed by start day."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from etlkit_core import pricing
from etlkit_core.spec import discover
from infra import REPO_ROOT, cost

SPEC = {spec.name: spec for spec in discover(REPO_ROOT / "sql")}["reviews_etl"]
JUNE = (dt.date(2015, 6, 1), dt.date(2015, 6, 30))
STARTED = dt.datetime(2026, 12, 7, 3, tzinfo=dt.UTC)


def run(run_id, file, seconds, dpu=0.0625, **params):
    arguments = {"--file": f"sql/{file}"}
    if params:
        arguments["--params"] = json.dumps(params)
    return {"Id": run_id, "Arguments": arguments, "ExecutionTime": seconds, "MaxCapacity": dpu,
            "StartedOn": STARTED}  # fmt: skip


def history(day, run_ids, retries=0):
    events = [{"type": "ExecutionStarted",
               "executionStartedEventDetails": {"input": json.dumps({"run_date": day})}},
              {"type": "PassStateEntered"}, {"type": "ChoiceStateEntered"}]  # fmt: skip
    for run_id in run_ids:
        events += [{"type": "ParallelStateEntered"}, {"type": "TaskStateEntered"}]
        events += [{"type": "TaskScheduled"}] * (1 + retries)
        events.append(
            {"type": "TaskSubmitted",
             "taskSubmittedEventDetails": {"output": json.dumps({"JobRunId": run_id})}}
        )  # fmt: skip
    return ({"name": day}, events)


def test_glue_minimum_dpu_retries_and_dates():
    runs = [
        run("a", "reviews/create_schema.sql", 5),  # dated by its execution
        run("b", "reviews/load_reviews.sql", 90, run_date="2015-06-01"),
        run("c", "reviews/unload_helpful_reviews.sql", 30, dpu=1.0, run_date="2015-06-01"),
        run("d", "reviews/load_reviews.sql", 10, run_date="2015-07-01"),  # out of range
        run("e", "tickit/load.sql", 10, run_date="2015-06-01"),  # another pipeline
        run("f", "reviews/create_schema.sql", 70),  # by Airflow: no date
    ]
    dated, undated = cost.costs(SPEC, runs, [history("2015-06-01", ["a", "b", "c"], 1)], *JUNE)
    day = dated["2015-06-01"]
    assert day.glue_runs == 3
    assert day.dpu_seconds == pytest.approx(60 * 0.0625 + 90 * 0.0625 + 60 * 1.0)
    # 2 states before the steps (Pass, Choice), 2 per step, and one retry per step
    assert day.executions == 1 and day.transitions == 2 + 3 * 2 + 3
    assert day.usd == pytest.approx(day.dpu_seconds / 3600 * 0.44 + 11 * 0.025 / 1000)
    assert list(dated) == ["2015-06-01"]
    assert undated["2026-12-07"].glue_runs == 1
    assert undated["2026-12-07"].dpu_seconds == pytest.approx(70 * 0.0625)
    text = cost.report(SPEC, dated, undated, *JUNE)
    assert "2015-06-01" in text and "per run date: $" in text
    assert "1 run(s) without a run date started on 2026-12-07" in text


def test_prices_cite_their_pages_and_python_shell_dpu():
    assert "https://aws.amazon.com/glue/pricing/" in pricing.__doc__
    assert "https://aws.amazon.com/step-functions/pricing/" in pricing.__doc__
    assert pricing.glue_dpu_seconds(1, 0.0625) == 3.75  # the one-minute minimum
    assert pricing.glue_dpu_seconds(600, 1.0) == 600
    assert set(pricing.GLUE_PYTHON_SHELL_DPU) == {0.0625, 1.0}


def test_unknown_pipeline_and_reversed_range_are_refused(capsys):
    assert cost.main(["--pipeline", "nope", "--from", "2015-06-01", "--to", "2015-06-02"]) == 2
    assert "no pipeline 'nope'" in capsys.readouterr().err
    args = ["--pipeline", "reviews_etl", "--from", "2015-06-02", "--to", "2015-06-01"]
    assert cost.main(args) == 2
    assert "is before" in capsys.readouterr().err
