"""A run's date, as people see it and as a backfill may set it: the DAG marks its date
param so the scheduler's listener can note each run's date (etlkit.run_notes), and a
backfill's conf cannot pin every run of its range to one date."""

from __future__ import annotations

import datetime as dt
import json
import types

import pytest

from etlkit import params, run_notes
from etlkit.errors import RunParamError
from tests.dags.conftest import interval_start

JUNE_1 = interval_start(dt.date(2015, 6, 1))


def _context(dag, run_type, **given):
    return {
        "params": {**{name: None for name in dag.params}, **given},
        "data_interval_start": JUNE_1,
        "dag_run": types.SimpleNamespace(run_type=run_type),
    }


def test_the_date_param_is_marked_for_the_scheduler(dagbag):
    from airflow.serialization.serialized_objects import DagSerialization

    for dag_id in ("reviews_etl_glue", "reviews_etl_stepfunctions"):
        dag = dagbag.dags[dag_id]
        # the scheduler holds the DAG deserialized: the mark survives the round trip
        loaded = DagSerialization.from_dict(DagSerialization.to_dict(dag))
        assert run_notes.date_param(loaded.params) == "run_date"
    assert run_notes.date_param(dagbag.dags["reviews_etl_glue"].params) == "run_date"


def test_a_backfill_conf_cannot_pin_its_runs_to_one_date(dagbag, specs, variables):
    spec = specs["reviews_etl"]
    dag = dagbag.dags["reviews_etl_glue"]
    pinned = _context(dag, "backfill", run_date="2015-06-30")
    with pytest.raises(RunParamError, match=r"backfill's conf sets run_date=2015-06-30"):
        params.step_params_json(spec, "load_reviews", pinned)
    with pytest.raises(RunParamError, match="without run_date in the conf"):
        params.execution_values(spec, pinned)
    # what the run is noted and alerted as: its own date
    assert params.run_date(spec, pinned) == "2015-06-01"
    # other params in a backfill's conf are fine; a manual run may set the date
    fine = _context(dag, "backfill", min_rows=0)
    assert json.loads(params.step_params_json(spec, "load_reviews", fine)) == {
        "run_date": "2015-06-01",
        "min_rows": 0,
    }
    manual = _context(dag, "manual", run_date="2015-06-30")
    assert params.execution_values(spec, manual) == {"run_date": "2015-06-30"}
    assert params.run_date(spec, manual) == "2015-06-30"


def test_run_day():
    assert run_notes.run_day(None, JUNE_1, "scheduled") == "2015-06-01"
    assert run_notes.run_day("", JUNE_1, "manual") == "2015-06-01"
    assert run_notes.run_day("2015-07-04", JUNE_1, "manual") == "2015-07-04"
    assert run_notes.run_day("2015-07-04", JUNE_1, "backfill") == "2015-06-01"
    late = dt.datetime(2015, 6, 1, 23, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    assert run_notes.run_day(None, late, "scheduled") == "2015-06-02"  # the UTC day
    assert run_notes.run_day(None, None, "manual") is None
