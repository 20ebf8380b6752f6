"""Runs under the Airflow 2.11.2 venv (.venv-af211), driven by test_airflow_211.py.

    .venv-af211/bin/python tests/dags/af211_check.py <repo>

Parses dags/ with Airflow 2.11's DagBag, serializes every DAG as the 2.11 scheduler does
(a custom timetable needs its plugin), renders one step's arguments, asks each DAG for its
first run as the scheduler asks (no end) and as a backfill asks (a range), and loads the
plugins folder; prints one JSON report line.
"""

import copy
import datetime as dt
import json
import os
import sys
import types


def main(repo: str) -> None:
    os.environ.update(
        {
            "AIRFLOW_VAR_ETLKIT_GLUE_JOB_NAME": "job",
            "AIRFLOW_VAR_ETLKIT_DATA_BUCKET": "bucket",
        }
    )
    import airflow
    from airflow import plugins_manager
    from airflow.models.dagbag import DagBag
    from airflow.serialization.serialized_objects import SerializedDAG
    from airflow.timetables.base import TimeRestriction

    bag = DagBag(os.path.join(repo, "dags"), include_examples=False)
    report = {
        "airflow": airflow.__version__,
        "import_errors": {str(k): str(v) for k, v in bag.import_errors.items()},
        "dags": {},
    }

    def interval(info):
        if info is None:
            return None
        return [info.data_interval.start.isoformat(), info.data_interval.end.isoformat()]

    for dag_id, dag in sorted(bag.dags.items()):
        serialized = SerializedDAG.from_dict(SerializedDAG.to_dict(dag))
        scheduled = serialized.timetable.next_dagrun_info(
            last_automated_data_interval=None,
            restriction=TimeRestriction(earliest=dag.start_date, latest=None, catchup=True),
        )
        backfill = serialized.timetable.next_dagrun_info(
            last_automated_data_interval=None,
            restriction=TimeRestriction(
                earliest=dag.start_date,
                latest=dag.start_date + dt.timedelta(days=3),
                catchup=True,
            ),
        )
        report["dags"][dag_id] = {
            "tasks": [t.task_id for t in dag.topological_sort()],
            "timetable": type(serialized.timetable).__name__,
            "scheduled_first_interval": interval(scheduled),
            "backfill_first_interval": interval(backfill),
            "backoff": [t.retry_exponential_backoff for t in dag.tasks],
        }
    task = copy.copy(bag.dags["reviews_etl_glue"].get_task("load_reviews"))
    context = {
        "dag": task.dag,
        "task": task,
        "params": {"run_date": None, "lake_uri": None, "report_uri": None, "min_rows": None},
        "data_interval_start": dt.datetime(2026, 11, 25, 2, tzinfo=dt.UTC),
        "run_id": "scheduled__2026-11-25T02:00:00+00:00",
        "ti": types.SimpleNamespace(try_number=1),
    }
    task.render_template_fields(context, task.dag.get_template_env())
    report["load_reviews_args"] = task.script_args
    from airflow.exceptions import TaskDeferred
    from airflow.providers.amazon.aws.triggers.glue import GlueJobCompleteTrigger

    try:
        task.defer(
            trigger=GlueJobCompleteTrigger(job_name="j", run_id="jr_1", verbose=True),
            method_name="execute_complete",
        )
    except TaskDeferred as deferred:
        report["deferred_with"] = deferred.trigger.serialize()[0]
    before = set(sys.modules)
    plugins_manager.load_plugins_from_plugin_directory()
    report["plugin_errors"] = dict(plugins_manager.import_errors)
    report["plugins"] = sorted(plugin.name for plugin in plugins_manager.plugins or [])
    report["leaked_modules"] = sorted(
        {"params", "config", "spec", "dag_factory"} & (set(sys.modules) - before)
    )
    sys.stdout.write("\nAF211 " + json.dumps(report) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
