"""The etlkit pipelines as Airflow DAGs: `<name>_glue` and `<name>_stepfunctions` for every
pipeline spec (`sql/<pipeline>/pipeline.yaml`; on MWAA, `dags/pipelines/`).

This file only hands its folder to the DAG factory, `etlkit` (`plugins/etlkit` here; on
MWAA it sits beside this file in the dags folder, its triggers in plugins.zip): adding a
pipeline is a spec and its SQL files, no Python. Parsing reads the spec files and nothing
else; see `plugins/README.md` for the configuration the tasks read when they run.
"""

from pathlib import Path

# The DAG processor imports a DAG file's `airflow.*` imports once, before it forks a parser
# per file ([dag_processor] parsing_pre_import_modules, on by default; [scheduler] on 2.11).
# Naming the provider modules the factory uses spares each parse their import (boto3's
# above all): most of this file's parse time otherwise.
import airflow.providers.amazon.aws.notifications.sns
import airflow.providers.amazon.aws.operators.glue
import airflow.providers.amazon.aws.operators.step_function  # noqa: F401

from etlkit.dag_factory import build_dags

globals().update(build_dags(Path(__file__).resolve().parent, file_doc=__doc__))
