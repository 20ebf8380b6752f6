"""Glue Python shell runs that really execute, inside the moto server process.

moto's `FakeJob.start_job_run` builds the module-level `FakeJobRun` at call time, so a
subclass installed there backs every run; a wrapper around `start_job_run` then hands the
run its job (for Command and account/region) and the run's own Arguments (GetJobRun
reports those, not the merged map). A run is a subprocess of the configured interpreter
that executes the job's script fetched from local S3, with the `--extra-py-files` on
PYTHONPATH, the environment pointing boto3 at this server, and stdout/stderr streamed to
the Python shell log groups.

States follow the JobRun doc: STARTING -> RUNNING -> SUCCEEDED | FAILED | TIMEOUT, or
STOPPING -> STOPPED through BatchStopJobRun (which stock moto leaves unimplemented, as it
does UpdateJob). https://docs.aws.amazon.com/glue/latest/dg/aws-glue-api-jobs-runs.html

A FAILED run's ErrorMessage is what AWS writes for a Python shell script that exits
non-zero, "Command failed with exit code N", and nothing of the script's own output
(awslabs/aws-glue-libs#221: exit code 2 from argparse; aws/aws-sdk-pandas#1176: exit code 10
for a run out of memory; an uncaught exception is Python's exit code 1, reported the same
way). The output is in the run's log streams, as on AWS. A script ended by a signal is
reported as a shell reports it, 128 + the signal number.

Timeouts are in minutes as on AWS; `minute_seconds` (server option, default 60) says
how long a minute lasts so tests can time runs out in seconds.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from moto.core.responses import ActionResult
from moto.core.utils import utcnow
from moto.glue import models as glue_models
from moto.glue import responses as glue_responses
from moto.glue.exceptions import JobNotFoundException
from moto.s3.models import s3_backends

from infra.local import glue_arguments, glue_logs
from infra.local.errors import UnsupportedGlueFeature
from infra.local.patching import Spot, apply, original_of

LOG = logging.getLogger(__name__)

# Glue's default Timeout for a job without one: 2,880 minutes (48 hours).
DEFAULT_TIMEOUT_MINUTES = 2880
# How long a stopped or timed-out run gets between SIGTERM and SIGKILL.
STOP_GRACE_SECONDS = 3.0
# A shell reports a process ended by signal N with exit status 128 + N.
_SIGNAL_EXIT_BASE = 128


@dataclass
class GlueRuntime:
    """Where and how runs execute; set once by the server before any run starts."""

    interpreter: str
    work_dir: Path
    endpoint_url: str
    minute_seconds: float = 60.0


_runtime: GlueRuntime | None = None
_live_runs: set[LocalJobRun] = set()
_live_lock = threading.Lock()


def configure(runtime: GlueRuntime) -> None:
    global _runtime
    _runtime = runtime


class LocalJobRun(glue_models.FakeJobRun):
    """A FakeJobRun whose state comes from a real subprocess rather than moto's state manager."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._state = "STARTING"
        self._state_lock = threading.Lock()
        self.run_arguments: dict[str, str] = {}
        self.error_message: str | None = None
        self.completed_on = None
        self.execution_seconds = 0
        self.glue_version: str | None = None
        self._process: subprocess.Popen[str] | None = None
        self._stop_requested = threading.Event()

    # moto's ManagedState computes `status` from its state manager on every read.
    @property  # type: ignore[override]
    def status(self) -> str:
        return self._state

    @status.setter
    def status(self, value: str) -> None:
        self._state = value

    def advance(self) -> None:
        """moto calls this on every read to move fake states on; a real run moves by itself."""

    def as_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "Id": self.job_run_id,
            "Attempt": 0,
            "JobName": self.job_name,
            "StartedOn": self.started_on,
            "LastModifiedOn": self.modified_on,
            "JobRunState": self._state,
            "PredecessorRuns": [],
            "ExecutionTime": self.execution_seconds,
            "LogGroupName": glue_logs.LOG_GROUP_PREFIX,
            "Timeout": self.timeout or DEFAULT_TIMEOUT_MINUTES,
        }
        optional = {
            "Arguments": self.run_arguments,
            "CompletedOn": self.completed_on,
            "ErrorMessage": self.error_message,
            "MaxCapacity": self.max_capacity,
            "GlueVersion": self.glue_version,
            "PreviousRunId": self.previous_run_id,
            "NotificationProperty": self.notification_property,
            "SecurityConfiguration": self.security_configuration,
        }
        result.update({key: value for key, value in optional.items() if value})
        return result

    def launch(self, job: glue_models.FakeJob, run_arguments: Mapping[str, str] | None) -> None:
        self.run_arguments = dict(run_arguments or {})
        self.glue_version = job.glue_version
        with _live_lock:
            _live_runs.add(self)
        worker = threading.Thread(
            target=self._execute,
            args=(job,),
            name=f"glue-run-{self.job_run_id[:12]}",
            daemon=True,
        )
        worker.start()

    def request_stop(self) -> bool:
        """BatchStopJobRun on this run: True if it was still running."""
        with self._state_lock:
            if self._state not in ("STARTING", "RUNNING"):
                return False
            self._state = "STOPPING"
            self.modified_on = utcnow()
        self._stop_requested.set()
        return True

    def kill(self) -> None:
        """Server shutdown: end the subprocess at once."""
        self._stop_requested.set()
        process = self._process
        if process is not None and process.poll() is None:
            _signal_group(process, signal.SIGKILL)

    # -- the run itself -------------------------------------------------------------

    def _execute(self, job: glue_models.FakeJob) -> None:
        started = time.monotonic()
        try:
            final_state, message = self._run_subprocess(job)
        except UnsupportedGlueFeature as error:
            final_state, message = "FAILED", str(error)
        except Exception as error:  # the run must end in a state whatever went wrong
            LOG.exception("local Glue run %s crashed", self.job_run_id)
            final_state, message = "FAILED", f"Local Glue runtime error: {error}"
        finally:
            with _live_lock:
                _live_runs.discard(self)
        with self._state_lock:
            if self._stop_requested.is_set() and final_state != "SUCCEEDED":
                final_state, message = "STOPPED", None
            self.error_message = message
            self.execution_seconds = round(time.monotonic() - started)
            self.completed_on = utcnow()
            self.modified_on = self.completed_on
            self._state = final_state
        LOG.info("Glue run %s of %s ended %s", self.job_run_id, self.job_name, final_state)

    def _run_subprocess(self, job: glue_models.FakeJob) -> tuple[str, str | None]:
        runtime = _require_runtime()
        account_id, region = job.backend.account_id, job.backend.region_name
        command_line = glue_arguments.resolve(job.command or {}, self.arguments or {})
        run_dir = runtime.work_dir / "glue-runs" / self.job_run_id
        script = _download(account_id, command_line.script_location, run_dir)
        python_path = _python_path(account_id, command_line.extra_py_files, run_dir / "py")
        for uri in command_line.extra_files:
            _download(account_id, uri, run_dir)

        if self._stop_requested.is_set():
            return "STOPPED", None
        process = subprocess.Popen(
            [runtime.interpreter, "-u", str(script), *command_line.argv_tail],
            cwd=run_dir,
            env=_job_environment(runtime, region, python_path),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            errors="replace",
            start_new_session=True,
        )
        self._process = process
        with self._state_lock:
            if self._state == "STARTING":
                self._state = "RUNNING"
                self.modified_on = utcnow()

        pumps = [
            _pump(process.stdout, glue_logs.OUTPUT_GROUP, account_id, region, self),
            _pump(process.stderr, glue_logs.ERROR_GROUP, account_id, region, self),
        ]
        timeout_minutes = self.timeout or DEFAULT_TIMEOUT_MINUTES
        deadline = time.monotonic() + timeout_minutes * runtime.minute_seconds
        timed_out = self._wait(process, deadline)
        for pump in pumps:
            pump.join(timeout=5)

        if timed_out:
            return "TIMEOUT", f"Job run timed out after {timeout_minutes} minutes"
        if self._stop_requested.is_set():
            return "STOPPED", None
        if process.returncode == 0:
            return "SUCCEEDED", None
        return "FAILED", failure_message(process.returncode)

    def _wait(self, process: subprocess.Popen[str], deadline: float) -> bool:
        """Wait for the process; end it on stop or timeout. True if it timed out."""
        while True:
            try:
                process.wait(timeout=0.1)
                return False
            except subprocess.TimeoutExpired:
                pass
            timed_out = time.monotonic() >= deadline
            if timed_out or self._stop_requested.is_set():
                _terminate(process)
                return timed_out


def _require_runtime() -> GlueRuntime:
    if _runtime is None:
        raise UnsupportedGlueFeature(
            "the local Glue runtime is not configured (server not started)"
        )
    return _runtime


def _job_environment(runtime: GlueRuntime, region: str, python_path: list[Path]) -> dict[str, str]:
    """A clean environment: nothing of the server's own credentials or Python set-up leaks in."""
    environment = {
        key: os.environ[key]
        for key in ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR")
        if key in os.environ
    }
    environment.update(
        {
            "AWS_ENDPOINT_URL": runtime.endpoint_url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": region,
            "AWS_REGION": region,
            # boto3 >= 1.36 computes a CRC32 over every upload by default; the local server
            # checks none, and on large UNLOADs the checksum costs more than the upload.
            "AWS_REQUEST_CHECKSUM_CALCULATION": "when_required",
            "PYTHONUNBUFFERED": "1",
        }
    )
    if python_path:
        environment["PYTHONPATH"] = os.pathsep.join(str(path) for path in python_path)
    return environment


def _download(account_id: str, uri: str, into: Path) -> Path:
    """Copy one object from local S3 into a directory; return the file."""
    if not uri.startswith("s3://") or "/" not in uri[5:]:
        raise UnsupportedGlueFeature(f"{uri!r} is not an s3://bucket/key URI")
    bucket, key = uri[5:].split("/", 1)
    try:
        found = s3_backends[account_id]["aws"].get_object(bucket, key)
    except Exception as error:  # moto raises its own MissingBucket etc.
        raise UnsupportedGlueFeature(f"cannot read {uri} from local S3: {error}") from error
    if found is None:
        raise UnsupportedGlueFeature(f"{uri} does not exist in local S3")
    into.mkdir(parents=True, exist_ok=True)
    target = into / Path(key).name
    target.write_bytes(found.value)
    return target


def _python_path(account_id: str, uris: Iterable[str], into: Path) -> list[Path]:
    """PYTHONPATH entries for --extra-py-files: archives as such, a .py file's directory."""
    entries: list[Path] = []
    for uri in uris:
        downloaded = _download(account_id, uri, into)
        entry = into if downloaded.suffix == ".py" else downloaded
        if entry not in entries:
            entries.append(entry)
    return entries


def _pump(
    stream: Any,
    group: str,
    account_id: str,
    region: str,
    run: LocalJobRun,
) -> threading.Thread:
    log_stream = glue_logs.RunLogStream(account_id, region, group, run.job_run_id)

    def copy_lines() -> None:
        for raw_line in stream:
            log_stream.write(raw_line.rstrip("\n"))
        stream.close()

    thread = threading.Thread(target=copy_lines, daemon=True)
    thread.start()
    return thread


def _signal_group(process: subprocess.Popen[str], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)


def _terminate(process: subprocess.Popen[str]) -> None:
    _signal_group(process, signal.SIGTERM)
    try:
        process.wait(timeout=STOP_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        _signal_group(process, signal.SIGKILL)
        process.wait()


def failure_message(returncode: int) -> str:
    """The ErrorMessage of a run whose script exited with `returncode` (Popen's: negative for
    a signal)."""
    exit_code = returncode if returncode >= 0 else _SIGNAL_EXIT_BASE - returncode
    return f"Command failed with exit code {exit_code}"


def stop_all_runs() -> None:
    with _live_lock:
        runs = list(_live_runs)
    for run in runs:
        run.kill()


# -- API additions ----------------------------------------------------------------------


def batch_stop_job_run(self: glue_responses.GlueResponse) -> ActionResult:
    """BatchStopJobRun: moves running runs to STOPPING; their subprocess gets SIGTERM."""
    job_name = self._get_param("JobName")
    run_ids = self._get_param("JobRunIds") or []
    job = self.glue_backend.get_job(job_name)
    runs = {run.job_run_id: run for run in job.job_runs}
    submitted, errors = [], []
    for run_id in run_ids:
        run = runs.get(run_id)
        if isinstance(run, LocalJobRun) and run.request_stop():
            submitted.append({"JobName": job_name, "JobRunId": run_id})
            continue
        detail = (
            {"ErrorCode": "EntityNotFoundException", "ErrorMessage": f"Job run {run_id} not found"}
            if run is None
            else {
                "ErrorCode": "InvalidInputException",
                "ErrorMessage": f"Job run {run_id} is not running (state {run.status})",
            }
        )
        errors.append({"JobName": job_name, "JobRunId": run_id, "ErrorDetail": detail})
    return ActionResult({"SuccessfulSubmissions": submitted, "Errors": errors})


# JobUpdate field -> FakeJob attribute. UpdateJob overwrites the whole definition:
# https://docs.aws.amazon.com/glue/latest/dg/aws-glue-api-jobs-job.html#aws-glue-api-jobs-job-UpdateJob
JOB_UPDATE_FIELDS: dict[str, str] = {
    "Description": "description",
    "LogUri": "log_uri",
    "Role": "role",
    "ExecutionProperty": "execution_property",
    "Command": "command",
    "DefaultArguments": "default_arguments",
    "NonOverridableArguments": "non_overridable_arguments",
    "Connections": "connections",
    "MaxRetries": "max_retries",
    "AllocatedCapacity": "allocated_capacity",
    "Timeout": "timeout",
    "MaxCapacity": "max_capacity",
    "WorkerType": "worker_type",
    "NumberOfWorkers": "number_of_workers",
    "SecurityConfiguration": "security_configuration",
    "NotificationProperty": "notification_property",
    "GlueVersion": "glue_version",
    "CodeGenConfigurationNodes": "code_gen_configuration_nodes",
    "ExecutionClass": "execution_class",
    "SourceControlDetails": "source_control_details",
}
_EMPTY_MAPPINGS = {"execution_property", "default_arguments"}


def overwrite_job(job: glue_models.FakeJob, job_update: Mapping[str, Any]) -> None:
    for field, attribute in JOB_UPDATE_FIELDS.items():
        value = job_update.get(field)
        if value is None and attribute in _EMPTY_MAPPINGS:
            value = {}
        setattr(job, attribute, value)
    job.execution_class = job.execution_class or "STANDARD"
    job.last_modified_on = utcnow()


def update_job(self: glue_responses.GlueResponse) -> ActionResult:
    job_name = self._get_param("JobName")
    if job_name not in self.glue_backend.jobs:
        raise JobNotFoundException(job_name)
    overwrite_job(self.glue_backend.jobs[job_name], self._get_param("JobUpdate") or {})
    return ActionResult({"JobName": job_name})


# -- installation ------------------------------------------------------------------------

_RECHECK_RUN = (
    "FakeJobRun.__init__ arguments/attributes and as_dict fields that LocalJobRun relies on"
)
SPOTS = (
    JOB_RUN_CLASS := Spot(
        glue_models,
        "FakeJobRun",
        "7825b0e9ca2f401f",
        "runs must execute instead of following moto's fake state manager",
        _RECHECK_RUN,
    ),
    START_JOB_RUN := Spot(
        glue_models.FakeJob,
        "start_job_run",
        "eacd4b77429e3106",
        "the run needs its job and its own Arguments to launch",
        "that FakeJob.start_job_run still builds glue_models.FakeJobRun at call time, "
        "keeps MaxConcurrentRuns and merges arguments",
    ),
    BATCH_STOP := Spot(
        glue_responses.GlueResponse,
        "batch_stop_job_run",
        None,
        "stock moto answers BatchStopJobRun with HTTP 500",
        "moto's own BatchStopJobRun: drop ours if it stops LocalJobRun processes",
    ),
    UPDATE_JOB := Spot(
        glue_responses.GlueResponse,
        "update_job",
        None,
        "stock moto answers UpdateJob with HTTP 500",
        "moto's own UpdateJob: drop ours if it overwrites the definition like AWS",
    ),
)


def _start_job_run(job: glue_models.FakeJob, **kwargs: Any) -> str:
    run_id = original_of(START_JOB_RUN)(job, **kwargs)
    run = next(run for run in job.job_runs if run.job_run_id == run_id)
    if isinstance(run, LocalJobRun):
        run.launch(job, kwargs.get("arguments"))
    return run_id


def install() -> None:
    apply(JOB_RUN_CLASS, LocalJobRun)
    apply(START_JOB_RUN, _start_job_run)
    apply(BATCH_STOP, batch_stop_job_run)
    apply(UPDATE_JOB, update_job)
