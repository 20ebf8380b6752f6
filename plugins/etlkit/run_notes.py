"""Every run of an etlkit DAG carries the date it processes in its note: `run_date=2015-06-14`.

Airflow names a run after when it was made (`manual__2026-12-07T01:57:01...`) or its logical
date, which for a daily data-interval schedule is the end of the interval, the day *after*
the one processed: neither says which day a run loaded. The note is what the grid, the run
list and the run's page show beside the run.

The scheduler calls on_dag_run_running when it starts a run (scheduled, manual or backfill:
SchedulerJobRunner._start_queued_dagruns, inside its session, which commits the note with
the run's state). The date is the one the run's tasks use (run_day, which etlkit.params uses
too): the trigger's value, else the UTC day the data interval starts on; a backfill's conf
cannot pin it (etlkit.params refuses that run). A note a person wrote first is kept. `airflow
dags test` runs without a scheduler: DagRun.update_state calls on_dag_run_success (or
_failed) in its session when the run ends, and the note is written then.

This module runs in the scheduler, which has the plugins folder on sys.path but not the dags
folder (on MWAA the rest of etlkit lives there): it imports nothing of etlkit. The DAG marks
its date param in the param's JSON Schema (SOURCE_KEY, set by etlkit.params.dag_params), so
the serialized DAG the scheduler holds says which param it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import sqlalchemy
from airflow.listeners import hookimpl

# Schema keyword naming where an empty date param's value comes from (JSON Schema ignores
# keywords it does not know; the trigger form too).
SOURCE_KEY = "x-etlkit-from"
INTERVAL_START = "data_interval_start"
# DagRunType.BACKFILL_JOB's value on Airflow 2.11 and 3.x.
BACKFILL_RUN_TYPE = "backfill"


@hookimpl
def on_dag_run_running(dag_run: Any, msg: str) -> None:
    _note(dag_run)


@hookimpl
def on_dag_run_success(dag_run: Any, msg: str) -> None:
    _note(dag_run)  # a run no scheduler started (`airflow dags test`) is noted as it ends


@hookimpl
def on_dag_run_failed(dag_run: Any, msg: str) -> None:
    _note(dag_run)


def _note(dag_run: Any) -> None:
    state = sqlalchemy.inspect(dag_run)
    if not state.detached:
        _write(dag_run, getattr(dag_run, "dag", None))
        return
    # `airflow dags test` hands its run over outside any session (its attributes expired):
    # the note goes in through a session of its own
    from airflow.utils.session import create_session

    with create_session() as session:
        attached = session.get(type(dag_run), state.identity)
        if attached is not None:
            _write(attached, getattr(dag_run, "dag", None))


def _write(dag_run: Any, dag: Any) -> None:
    if dag_run.note:
        return
    name = date_param(getattr(dag, "params", None) or {})
    if name is None:
        return
    day = run_day((dag_run.conf or {}).get(name), dag_run.data_interval_start, dag_run.run_type)
    if day:
        dag_run.note = f"{name}={day}"


def date_param(params: Mapping[str, Any]) -> str | None:
    """The param the DAG takes its run's date from, if it has one."""
    for name in params:
        param = params.get_param(name) if hasattr(params, "get_param") else params[name]
        if (getattr(param, "schema", None) or {}).get(SOURCE_KEY) == INTERVAL_START:
            return name
    return None


def run_day(given: Any, interval_start: dt.datetime | None, run_type: Any) -> str | None:
    """The date a run processes: the value given for it, unless the run is a backfill's,
    else the UTC day its data interval starts on (None without either)."""
    if given not in (None, "") and not is_backfill(run_type):
        return str(given)
    if interval_start is None:
        return None
    return interval_start.astimezone(dt.UTC).date().isoformat()


def is_backfill(run_type: Any) -> bool:
    return str(getattr(run_type, "value", run_type)) == BACKFILL_RUN_TYPE
