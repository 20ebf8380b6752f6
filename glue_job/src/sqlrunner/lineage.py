"""OpenLineage run events for one step run: START before the first statement, COMPLETE
or FAIL at the end, naming the datasets the step's SQL reads and writes.

The datasets come from the runner's own analysis (`sqlrunner.analysis`), which reads
what OpenLineage's SQL parser cannot (OpenLineage issues 3698 and 3699): COPY sources,
UNLOAD targets, Spectrum tables and the S3 locations of the partitions a file adds.
Names follow OpenLineage's naming spec (`analysis.naming`); `${param}` templates are
rendered with the run's values, so a dated run names its dated prefixes.

Where events go is the job argument `--lineage` (a deployment setting: the platform
stack's `Lineage` parameter sets it on the Glue job for every orchestrator):

- `off` (the default): nothing is emitted;
- `s3://bucket/prefix/`: one JSON object per event under
  `<prefix><pipeline>/<step>/<event time>_<run id>_<type>.json`;
- `file:///dir`: the same layout under a local directory;
- `http://...` / `https://...`: POSTed to an OpenLineage API at that base URL
  (`<url>/api/v1/lineage`, e.g. Marquez), with openlineage-python's HTTP transport.

The job is `<pipeline>.<step>` in namespace `etlkit` (`--pipeline` and `--step`, which
both orchestrators pass; without them, the file's folder and name). The run id is one
UUID per Glue run: derived from --JOB_RUN_ID when Glue passes it, else made once per
process, so a run's START and its end carry the same id.

Lineage is a by-product: when the analysis, the library or the transport fails, the
runner says so on stdout and the run goes on. openlineage-python and sqlglot are the
`sqlrunner[lineage]` extra; without them, `--lineage` other than `off` is reported the
same way.
"""

import datetime
import os
import uuid
from typing import Any, Callable, Dict, List, Mapping, NamedTuple, Optional, Tuple
from urllib.parse import urlsplit

from .analysis import S3, Dataset, Deployment, analyse, openlineage_name
from .errors import UsageError

OFF = "off"
JOB_NAMESPACE = "etlkit"
PRODUCER = "https://github.com/etlkit/redshift-etl-kit/tree/main/glue_job/src/sqlrunner"
# Stable run ids: uuid5 of the Glue job run id in this namespace.
_RUN_NAMESPACE = uuid.UUID("1b0f8e2c-6a43-5d2e-9b7c-7e1f3f6c9a10")
_SCHEMES = ("s3", "file", "http", "https")
# Redshift endpoints: <cluster>.<id>.<region>.redshift.amazonaws.com (provisioned) and
# <workgroup>.<account>.<region>.redshift-serverless.amazonaws.com (serverless).
_REDSHIFT_DOMAINS = (".redshift.amazonaws.com", ".redshift-serverless.amazonaws.com")


class Target(NamedTuple):
    """A parsed `--lineage` value."""

    scheme: str  # "s3", "file", "http" or "https"
    location: str  # bucket (s3), directory (file), base URL (http)
    prefix: str = ""  # key prefix (s3), ending in "/" unless empty

    @property
    def uri(self) -> str:
        if self.scheme == "s3":
            return f"s3://{self.location}/{self.prefix}"
        if self.scheme == "file":
            return "file://" + self.location
        return self.location


def parse_target(value: Optional[str]) -> Optional[Target]:
    """The target of `--lineage`; None when absent or `off`. UsageError for a value the
    runner cannot send events to, naming the argument."""
    if value is None or value.strip().lower() in ("", OFF):
        return None
    parts = urlsplit(value.strip())
    scheme = parts.scheme.lower()
    if scheme not in _SCHEMES:
        raise UsageError(
            f"--lineage {value!r}: expected off, s3://bucket/prefix/, file:///dir or an "
            "http(s):// OpenLineage endpoint"
        )
    if scheme == "s3":
        if not parts.netloc:
            raise UsageError(f"--lineage {value!r}: an s3:// target needs a bucket")
        prefix = parts.path.lstrip("/")
        if prefix and not prefix.endswith("/"):
            prefix += "/"
        return Target("s3", parts.netloc, prefix)
    if scheme == "file":
        if parts.netloc or not parts.path.startswith("/"):
            raise UsageError(f"--lineage {value!r}: a file target is file:///absolute/dir")
        return Target("file", parts.path.rstrip("/") or "/")
    if not parts.netloc:
        raise UsageError(f"--lineage {value!r}: an http(s) target needs a host")
    return Target(scheme, value.strip().rstrip("/"))


def run_id_of(job_run_id: Optional[str]) -> str:
    """The OpenLineage run id of a Glue run: stable for a job run id, else new."""
    if job_run_id:
        return str(uuid.uuid5(_RUN_NAMESPACE, job_run_id))
    return str(uuid.uuid4())


def redshift_deployment(
    host: str, port: int, database: str, region: Optional[str] = None
) -> Deployment:
    """Where the tables live, for naming them: a Redshift endpoint's first label is the
    cluster (or workgroup) and its third the region; any other host (the local stack's
    PostgreSQL) is named as given, in the region of the runner's AWS session."""
    lowered = host.lower()
    if lowered.endswith(_REDSHIFT_DOMAINS):
        labels = lowered.split(".")
        return Deployment(labels[0], labels[2], database, port)
    region = region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    return Deployment(lowered, region or "unknown", database, port)


Named = Tuple[str, str]  # (namespace, name)


def step_datasets(
    text: str, file: str, values: Mapping[str, Any], deployment: Any
) -> Tuple[List[Named], List[Named]]:
    """(inputs, outputs) of a SQL file, rendered with a run's parameter values and named
    for `deployment`; schemas are left out (they have no OpenLineage name). A Spectrum
    table the file defines is an output whose data is its S3 locations (its LOCATION, or
    its partitions' outside it), so those are inputs: the picture then shows the lake
    feeding the table. A file whose statements are not all understood still names what
    was."""
    analysis = analyse(text, file)
    defined = {loc for table in analysis.external_tables.values() for loc in table.locations}
    # a partition under the table's LOCATION is part of what the LOCATION names
    locations = {
        Dataset(S3, loc)
        for loc in defined
        if not any(loc != other and loc.startswith(other) for other in defined)
    }

    def named(datasets: Any) -> List[Named]:
        found = {openlineage_name(d, deployment, values) for d in datasets}
        return sorted(n for n in found if n is not None)

    return named(analysis.reads | locations), named(analysis.writes)


class Emitter:
    """One step run's events. Every public method logs instead of raising: lineage
    never fails a run."""

    def __init__(
        self,
        target: Target,
        job_name: str,
        run_id: str,
        *,
        log: Callable[[str], None],
        s3: Optional[Callable[[], Any]] = None,
    ) -> None:
        self.target = target
        self.job_name = job_name
        self.run_id = run_id
        self._log = log
        self._s3 = s3
        self.inputs: List[Named] = []
        self.outputs: List[Named] = []
        self.sent: List[str] = []  # where each event went, in order
        self._broken = False

    def describe(self, text: str, file: str, values: Mapping[str, Any], deployment: Any) -> None:
        """Find the step's datasets; on failure the events go without them."""
        try:
            self.inputs, self.outputs = step_datasets(text, file, values, deployment)
        except Exception as exc:  # an analysis problem must not stop the SQL
            self._log(f"lineage: the datasets of {file} are unknown ({_reason(exc)})")

    def start(self) -> None:
        self._emit("START")

    def complete(self) -> None:
        self._emit("COMPLETE")

    def fail(self, message: str) -> None:
        self._emit("FAIL", message)

    def _emit(self, event_type: str, error: Optional[str] = None) -> None:
        if self._broken:
            return
        try:
            event = self._event(event_type, error)
            self.sent.append(self._send(event_type, event))
        except Exception as exc:  # lineage is a by-product: never fail the run
            self._broken = True
            self._log(
                f"lineage: {event_type} event of {self.job_name} not sent to "
                f"{self.target.uri} ({_reason(exc)}); the run goes on without lineage"
            )

    def _event(self, event_type: str, error: Optional[str]) -> Any:
        from openlineage.client.event_v2 import (
            InputDataset,
            Job,
            OutputDataset,
            Run,
            RunEvent,
            RunState,
        )
        from openlineage.client.facet_v2 import error_message_run, job_type_job

        run_facets: Dict[str, Any] = {}
        if error is not None:
            run_facets["errorMessage"] = error_message_run.ErrorMessageRunFacet(
                message=error, programmingLanguage="SQL"
            )
        job_facets = {
            "jobType": job_type_job.JobTypeJobFacet(
                processingType="BATCH", integration="ETLKIT", jobType="SQL_FILE"
            )
        }
        return RunEvent(
            eventType=RunState[event_type],
            eventTime=datetime.datetime.now(datetime.timezone.utc).isoformat(),
            run=Run(runId=self.run_id, facets=run_facets),
            job=Job(namespace=JOB_NAMESPACE, name=self.job_name, facets=job_facets),
            inputs=[InputDataset(namespace=ns, name=name) for ns, name in self.inputs],
            outputs=[OutputDataset(namespace=ns, name=name) for ns, name in self.outputs],
            producer=PRODUCER,
        )

    def _send(self, event_type: str, event: Any) -> str:
        from openlineage.client.serde import Serde

        if self.target.scheme in ("http", "https"):
            from openlineage.client import OpenLineageClient
            from openlineage.client.transport.http import HttpConfig, HttpTransport

            transport = HttpTransport(HttpConfig.from_dict({"url": self.target.location}))
            OpenLineageClient(transport=transport).emit(event)
            return self.target.location
        body = Serde.to_json(event)
        key = self._key(event_type, event.eventTime)
        if self.target.scheme == "s3":
            if self._s3 is None:
                raise UsageError("no S3 client for an s3:// lineage target")
            self._s3().put_object(
                Bucket=self.target.location,
                Key=key,
                Body=body.encode("utf-8"),
                ContentType="application/json",
            )
            return f"s3://{self.target.location}/{key}"
        path = os.path.join(self.target.location, key[len(self.target.prefix) :])
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(body)
        return "file://" + path

    def _key(self, event_type: str, event_time: str) -> str:
        pipeline, _, step = self.job_name.partition(".")
        stamp = event_time.replace(":", "").replace("-", "").replace("+0000", "Z")
        return (
            f"{self.target.prefix}{pipeline}/{step or pipeline}/"
            f"{stamp}_{self.run_id}_{event_type}.json"
        )


def _reason(exc: BaseException) -> str:
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    if isinstance(exc, ImportError):
        return f"{message}; install the sqlrunner[lineage] extra"
    return message
