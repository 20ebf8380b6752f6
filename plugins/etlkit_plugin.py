"""Registers etlkit's timetable with Airflow, which deserializes a DAG's custom timetable only
if a plugin names it (the scheduler reads DAGs from their serialized form).

The one module of the plugins folder Airflow's plugin manager imports: the etlkit package
itself is listed in .airflowignore (see there why).
"""

from typing import ClassVar

from airflow.plugins_manager import AirflowPlugin

from etlkit.timetables import UnscheduledCronTimetable


class EtlkitPlugin(AirflowPlugin):
    name = "etlkit"
    timetables: ClassVar[list[type]] = [UnscheduledCronTimetable]
