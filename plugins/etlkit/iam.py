"""The AWS permissions each kind of DAG uses, as data.

Each DAG's doc_md lists them, and tests/dags holds the MWAA execution role in
infra/mwaa/mwaa-environment.yaml to exactly these actions, so the documentation, the role and
the code cannot drift apart. Resources are ARN patterns; `<...>` marks a deployment value.
Actions are the API calls the operators make (apache-airflow-providers-amazon 9.34.0).
"""

from __future__ import annotations

from typing import NamedTuple


class Permission(NamedTuple):
    actions: tuple[str, ...]
    resource: str
    why: str


GLUE_JOB = "arn:aws:glue:<region>:<account>:job/<etlkit_glue_job_name>"
GLUE_LOGS = "arn:aws:logs:<region>:<account>:log-group:/aws-glue/python-jobs/*"
STATE_MACHINE = "arn:aws:states:<region>:<account>:stateMachine:<state machine name>"
EXECUTIONS = "arn:aws:states:<region>:<account>:execution:<state machine name>:*"
ALERT_TOPIC = "<etlkit_alert_topic_arn>"

ALERTS = Permission(("sns:Publish",), ALERT_TOPIC, "failure alert (SnsNotifier)")

BY_KIND: dict[str, tuple[Permission, ...]] = {
    "glue": (
        Permission(
            ("glue:GetJob",),
            GLUE_JOB,
            "check the shared job exists before a run (the DAG never creates it)",
        ),
        Permission(
            ("glue:StartJobRun", "glue:GetJobRun"),
            GLUE_JOB,
            "start one run per step and follow it",
        ),
        Permission(
            ("glue:BatchStopJobRun",),
            GLUE_JOB,
            "stop the run when the task is killed or its wait runs out",
        ),
        Permission(
            ("logs:GetLogEvents", "logs:FilterLogEvents"),
            GLUE_LOGS,
            "copy the run's output and error logs into the task log (verbose), and quote the "
            "runner's error line when the run fails",
        ),
        ALERTS,
    ),
    "stepfunctions": (
        Permission(("states:StartExecution",), STATE_MACHINE, "start one execution per try"),
        Permission(
            ("states:DescribeExecution", "states:StopExecution"),
            EXECUTIONS,
            "find the date's running execution to join, follow it; stop it if the wait runs out",
        ),
        ALERTS,
    ),
}


def actions(kind: str) -> set[str]:
    return {action for permission in BY_KIND[kind] for action in permission.actions}
