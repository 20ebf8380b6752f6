"""Registers etlkit's timetable with Airflow, which deserializes a DAG's custom timetable only
if a plugin names it (the scheduler reads DAGs from their serialized form), and the listener
that notes each run's date.

The one module of the plugins folder Airflow's plugin manager imports: the etlkit package
itself is listed in .airflowignore (see there why).
"""

from typing import ClassVar

from airflow.plugins_manager import AirflowPlugin

from etlkit import run_notes
from etlkit.timetables import UnscheduledCronTimetable


class EtlkitPlugin(AirflowPlugin):
    name = "etlkit"
    timetables: ClassVar[list[type]] = [UnscheduledCronTimetable]
    # Each run's note names the date it processes (etlkit/run_notes.py).
    listeners: ClassVar[list[object]] = [run_notes]
