"""CloudWatch Logs of local Glue Python shell runs, written into moto's logs backend.

Glue writes a Python shell run's stdout to `/aws-glue/python-jobs/output` and its stderr
to `/aws-glue/python-jobs/error`, one stream per JobRunId, creating the groups on first
use; GetJobRun reports `LogGroupName` `/aws-glue/python-jobs`. Airflow's GlueJobOperator
(verbose=True) reads `<LogGroupName>/output|error` with FilterLogEvents on the stream
named after the run id, from the run's StartedOn on.
https://docs.aws.amazon.com/glue/latest/dg/monitor-continuous-logging.html
"""

from __future__ import annotations

import contextlib
import threading
import time

from moto.logs.exceptions import ResourceAlreadyExistsException
from moto.logs.models import logs_backends

LOG_GROUP_PREFIX = "/aws-glue/python-jobs"
OUTPUT_GROUP = f"{LOG_GROUP_PREFIX}/output"
ERROR_GROUP = f"{LOG_GROUP_PREFIX}/error"

_lock = threading.Lock()


class RunLogStream:
    """Appends lines of one run to one of its two log groups, creating group and stream."""

    def __init__(self, account_id: str, region: str, group: str, run_id: str) -> None:
        self._backend = logs_backends[account_id][region]
        self._group = group
        self._run_id = run_id
        with _lock:
            with contextlib.suppress(ResourceAlreadyExistsException):
                self._backend.create_log_group(group, tags={})
            with contextlib.suppress(ResourceAlreadyExistsException):
                self._backend.create_log_stream(group, run_id)

    def write(self, line: str) -> None:
        event = {"timestamp": int(time.time() * 1000), "message": line}
        with _lock:
            self._backend.put_log_events(self._group, self._run_id, [event])
