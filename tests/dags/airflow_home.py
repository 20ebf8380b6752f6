"""A throwaway AIRFLOW_HOME for the tests that import Airflow, set before Airflow is imported.

Importing Airflow reads (and on first use writes) $AIRFLOW_HOME/airflow.cfg; without this a
test run would create ~/airflow. Imported first by tests/dags and tests/airflow conftests.
"""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

if "ETLKIT_TEST_AIRFLOW_HOME" not in os.environ:
    _home = tempfile.mkdtemp(prefix="etlkit-test-airflow-")
    atexit.register(shutil.rmtree, _home, ignore_errors=True)
    os.environ["ETLKIT_TEST_AIRFLOW_HOME"] = _home
    os.environ["AIRFLOW_HOME"] = _home
    os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
    os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(REPO / "dags")
    os.environ["AIRFLOW__CORE__PLUGINS_FOLDER"] = str(REPO / "plugins")

AIRFLOW_HOME = Path(os.environ["ETLKIT_TEST_AIRFLOW_HOME"])
