"""Where the DAGs get their deployment-specific values, and the names they go by.

Run-time values (job name, bucket, topic, state machines) are Airflow Variables read while a
task runs, never while a DAG file is parsed: the scheduler parses every file every few
seconds, and a Variable read there is a metadata-database query per parse. Locally the same
Variables arrive as `AIRFLOW_VAR_<NAME>` environment variables (`.local/env`), which Airflow
reads before its database. AWS access goes through the `aws_default` connection (locally
`AIRFLOW_CONN_AWS_DEFAULT`, whose extra carries the local `endpoint_url`).

Parse-time values are environment variables only: where the pipeline specs are, and how
often a deferred task polls AWS.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from etlkit.compat import Variable
from etlkit.errors import PipelinesNotFoundError, SettingError
from sqlrunner.analysis.naming import Deployment

# Airflow Variables (run time).
GLUE_JOB_NAME = "etlkit_glue_job_name"  # the one shared SQL runner Glue job
DATA_BUCKET = "etlkit_data_bucket"  # fills {data_bucket} in spec param defaults
ALERT_TOPIC_ARN = "etlkit_alert_topic_arn"  # SNS topic of failure alerts
STATE_MACHINE_ARNS = "etlkit_state_machine_arns"  # JSON object: pipeline name -> ARN
VARIABLES = (GLUE_JOB_NAME, DATA_BUCKET, ALERT_TOPIC_ARN, STATE_MACHINE_ARNS)
# The Variable behind each deployment setting a spec default may name (etlkit_core.spec
# DEPLOYMENT_SETTINGS, e.g. "s3://{data_bucket}/lake/").
SETTING_VARIABLES = {"data_bucket": DATA_BUCKET}

AWS_CONN_ID = "aws_default"

# Environment (parse time).
PIPELINES_DIR_ENV = "ETLKIT_PIPELINES_DIR"
POLL_SECONDS_ENV = "ETLKIT_POLL_SECONDS"
# Where the pipelines' tables live, for the names of the Assets the tasks produce and
# consume (OpenLineage's `redshift://<cluster>.<region>:5439/<database>.<schema>.<table>`),
# and the data bucket for the S3 ones (`{data_bucket}` in a param default). Without the
# three Redshift ones the DAGs have no Assets; without the bucket, no S3 Asset whose name
# needs it.
REDSHIFT_CLUSTER_ENV = "ETLKIT_REDSHIFT_CLUSTER"
REDSHIFT_REGION_ENV = "ETLKIT_REDSHIFT_REGION"
REDSHIFT_DATABASE_ENV = "ETLKIT_REDSHIFT_DATABASE"
REDSHIFT_PORT_ENV = "ETLKIT_REDSHIFT_PORT"  # optional; Redshift's 5439 when unset
DATA_BUCKET_ENV = "ETLKIT_DATA_BUCKET"
# Seconds between two status calls of a deferred task. A Glue Python shell run takes a
# minute or more to start on AWS, so 30 s costs little latency; the local stack, whose runs
# take seconds, sets 2.
DEFAULT_POLL_SECONDS = 30
_POLL_RANGE = (1, 600)
# Set by `.local/env` and docker compose (the local AWS), never on MWAA: the AWS console
# links the operators offer would lead nowhere there.
LOCAL_ENDPOINT_ENV = "AWS_ENDPOINT_URL"


def local_aws() -> bool:
    """Whether the DAGs run against the local AWS (parse time)."""
    return bool(os.environ.get(LOCAL_ENDPOINT_ENV))


def pipelines_dir(dags_folder: Path | str) -> Path:
    """The directory holding `<pipeline>/pipeline.yaml`: $ETLKIT_PIPELINES_DIR if set, else
    `<dags folder>/../sql` (a checkout, docker compose), else `<dags folder>/pipelines`
    (the MWAA bundle `make package` builds)."""
    explicit = os.environ.get(PIPELINES_DIR_ENV)
    if explicit:
        path = Path(explicit)
        if not path.is_dir():
            raise PipelinesNotFoundError(f"{PIPELINES_DIR_ENV}={explicit} is not a directory")
        return path
    folder = Path(dags_folder)
    candidates = (folder.parent / "sql", folder / "pipelines")
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    raise PipelinesNotFoundError(
        "no pipeline specs: looked for "
        + " and ".join(str(c) for c in candidates)
        + f"; set {PIPELINES_DIR_ENV} to the directory holding <pipeline>/pipeline.yaml"
    )


def poll_seconds() -> int:
    """$ETLKIT_POLL_SECONDS, or the default."""
    raw = os.environ.get(POLL_SECONDS_ENV)
    if raw is None or raw == "":
        return DEFAULT_POLL_SECONDS
    low, high = _POLL_RANGE
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise SettingError(
            f"{POLL_SECONDS_ENV}={raw!r} must be a whole number from {low} to {high}"
        )
    return int(raw)


def asset_deployment() -> Deployment | None:
    """The Redshift cluster, region, database (and port) Asset names use; None unless the
    first three are set. The runner's OpenLineage events name the same tables from its
    secret's host and port (sqlrunner.lineage), so on AWS these are the cluster's; the local
    stack sets them to its PostgreSQL's, which the runner's events name too."""
    values = [
        os.environ.get(name, "").strip()
        for name in (REDSHIFT_CLUSTER_ENV, REDSHIFT_REGION_ENV, REDSHIFT_DATABASE_ENV)
    ]
    if not all(values):
        return None
    port = os.environ.get(REDSHIFT_PORT_ENV, "").strip()
    if port and not port.isdigit():
        raise SettingError(f"{REDSHIFT_PORT_ENV}={port!r} must be a port number")
    return Deployment(*values, int(port)) if port else Deployment(*values)


def asset_settings() -> dict[str, str]:
    """The deployment settings Asset names may use, those set in the environment."""
    bucket = os.environ.get(DATA_BUCKET_ENV, "").strip()
    return {"data_bucket": bucket} if bucket else {}


def variable(name: str) -> str:
    """An Airflow Variable's value; a missing or empty one is an error that says how to set it."""
    value = Variable.get(name, None)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise SettingError(
            f"Airflow Variable {name!r} is not set: add it under Admin > Variables, or export "
            f"AIRFLOW_VAR_{name.upper()} to every Airflow component (see plugins/README.md)"
        )
    return value.strip()


def state_machine_arn(pipeline: str) -> str:
    """The pipeline's entry in the `etlkit_state_machine_arns` JSON object."""
    raw = variable(STATE_MACHINE_ARNS)
    try:
        arns = json.loads(raw)
    except ValueError:
        raise SettingError(
            f"Airflow Variable {STATE_MACHINE_ARNS!r} is not JSON; expected an object of "
            'pipeline name -> state machine ARN, e.g. {"reviews_etl": "arn:aws:states:..."}'
        ) from None
    if not isinstance(arns, dict):
        raise SettingError(
            f"Airflow Variable {STATE_MACHINE_ARNS!r} must be a JSON object of pipeline name -> "
            f"state machine ARN, got {type(arns).__name__}"
        )
    arn = arns.get(pipeline)
    if not isinstance(arn, str) or not arn.startswith("arn:"):
        known = ", ".join(sorted(map(str, arns))) or "none"
        raise SettingError(
            f"Airflow Variable {STATE_MACHINE_ARNS!r} has no state machine ARN for pipeline "
            f"{pipeline!r} (it has: {known}); add the pipeline stack's StateMachineArn output"
        )
    return arn
