"""A DAG that keeps its pipeline's cron for backfills and manual runs but never schedules one.

Each pipeline has one scheduler (etlkit_core.spec SCHEDULERS). The DAGs that are not it must still
backfill and take manual runs with proper data intervals, and neither `schedule=None` nor a
paused DAG allows that: Airflow 3 refuses a backfill of a non-periodic timetable
(airflow/models/backfill.py, DagNonPeriodicScheduleException), and runs no task of a paused
DAG, backfills included.

So this timetable is the pipeline's CronDataIntervalTimetable with one difference: asked for
the next run with no end to the time range, which is how the scheduler asks (the DAG's
TimeRestriction; our DAGs set no end_date), it has none. A backfill asks for the runs between
two dates, and `dags trigger` infers a manual run's interval: both get the cron's intervals as
before. Same on Airflow 2.11 (dag.next_dagrun_info / iter_dagrun_infos_between) and 3.x.

A custom timetable must be registered by a plugin for the scheduler to deserialize the DAG:
plugins/etlkit_plugin.py does it.
"""

from __future__ import annotations

from typing import Any

from airflow.timetables.interval import CronDataIntervalTimetable


class UnscheduledCronTimetable(CronDataIntervalTimetable):
    """CronDataIntervalTimetable for backfills and manual runs only."""

    def next_dagrun_info(self, *, last_automated_data_interval: Any, restriction: Any) -> Any:
        if restriction.latest is None:
            return None
        return super().next_dagrun_info(
            last_automated_data_interval=last_automated_data_interval, restriction=restriction
        )

    @property
    def summary(self) -> str:
        return f"{self._expression} (not scheduled here)"

    def _describe_with_dom_dow_fix(self, expression: str) -> str:
        """The UI's description: what matters is that nothing runs on it (and cron_descriptor,
        which would describe the cron, reads its locale files: no I/O at DAG parse time)."""
        return f"Not scheduled here: backfills and manual runs of the cron {expression}"
