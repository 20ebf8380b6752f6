"""The Airflow names etlkit uses: from `airflow.sdk` on Airflow 3, from the 2.x paths on 2.11.

Amazon MWAA runs both lines on Python 3.12 (3.3.1 and 2.11.2), and a team stays on 2.11 until
its in-place upgrade, so the DAG factory must import on both. Every other etlkit module takes
Airflow names from here: the fallback, and the behaviour differences that matter to us, sit in
one place.
"""

from __future__ import annotations

try:
    from airflow.sdk import DAG, Asset, CronDataIntervalTimetable, Param, Variable
    from airflow.sdk.exceptions import AirflowFailException

    AIRFLOW_3 = True
except ImportError:  # Airflow 2.11
    from airflow.datasets import Dataset as Asset  # URI only: no name on 2.x
    from airflow.exceptions import AirflowFailException
    from airflow.models.dag import DAG
    from airflow.models.param import Param
    from airflow.models.variable import Variable
    from airflow.timetables.interval import CronDataIntervalTimetable

    AIRFLOW_3 = False

# BaseOperator(retry_exponential_backoff=...): a bool on 2.x (True doubles the delay each try);
# a float multiplier on 3.x, where True reads as 1.0, i.e. a constant delay (Airflow 3
# BaseOperator reference: "Set to 2.0 for standard exponential backoff").
EXPONENTIAL_BACKOFF: bool | float = 2.0 if AIRFLOW_3 else True

__all__ = [
    "AIRFLOW_3",
    "DAG",
    "EXPONENTIAL_BACKOFF",
    "AirflowFailException",
    "Asset",
    "CronDataIntervalTimetable",
    "Param",
    "Variable",
]
