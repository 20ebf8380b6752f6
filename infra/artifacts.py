"""What deploy puts in the scripts bucket, and under which keys.

- `glue/run_sql.py`: the Glue entry script (Glue reads it at every run start).
- `glue/wheels/<content hash>/<wheel file>`: the runner wheel. Glue caches nothing by
  content, but the job only changes when its DefaultArguments change: a new hash in the
  key makes a new runner a platform-stack update, and keeps the wheel filename valid.
- `sql/<dir>/<file>`: every file under `sql/` (a step's `--file` is its key here).
- `statemachine/<pipeline>/<content hash>.asl.json`: the committed definitions, hashed for
  the same reason (CloudFormation re-reads DefinitionS3Location only when it changes).

Uploads skip objects whose MD5 already matches (single-part S3 ETag), so a redeploy of
unchanged files writes nothing and the versioned bucket does not grow.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from infra import REPO_ROOT
from infra.errors import DeployError

LOG = logging.getLogger("infra.deploy")

RUNNER_PACKAGE = "sqlrunner"
GLUE_SCRIPT = REPO_ROOT / "glue_job" / "run_sql.py"
GLUE_SCRIPT_KEY = "glue/run_sql.py"
WHEEL_PREFIX = "glue/wheels"
SQL_ROOT = REPO_ROOT / "sql"
STATEMACHINE_PREFIX = "statemachine"
_HASH_CHARS = 16
_SKIPPED_PARTS = {"__pycache__", ".DS_Store"}


@dataclass(frozen=True)
class Upload:
    path: Path
    key: str


def build_wheel(out_dir: Path) -> Path:
    """`uv build --wheel --package sqlrunner` (what `make wheel` runs) into `out_dir`."""
    uv = _find_uv()
    command = [uv, "build", "--wheel", "--package", RUNNER_PACKAGE, "--out-dir", str(out_dir)]
    LOG.info("building the runner wheel: %s", " ".join(command[1:]))
    environment = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    done = subprocess.run(
        command, cwd=REPO_ROOT, capture_output=True, text=True, env=environment, check=False
    )
    if done.returncode != 0:
        raise DeployError(f"building the runner wheel failed:\n{done.stderr.strip()}")
    wheels = sorted(Path(out_dir).glob(f"{RUNNER_PACKAGE}-*.whl"))
    if len(wheels) != 1:
        raise DeployError(f"expected one {RUNNER_PACKAGE} wheel in {out_dir}, found {wheels}")
    return wheels[0]


def wheel_key(wheel: Path) -> str:
    """Key of the wheel: its members' hash, then its own (pip-valid) file name."""
    digest = hashlib.sha256()
    with zipfile.ZipFile(wheel) as archive:
        for name in sorted(archive.namelist()):
            digest.update(name.encode() + b"\0" + archive.read(name) + b"\0")
    return f"{WHEEL_PREFIX}/{digest.hexdigest()[:_HASH_CHARS]}/{wheel.name}"


def definition_key(pipeline: str, asl_file: Path) -> str:
    digest = hashlib.sha256(Path(asl_file).read_bytes()).hexdigest()[:_HASH_CHARS]
    return f"{STATEMACHINE_PREFIX}/{pipeline}/{digest}.asl.json"


def sql_uploads(sql_root: Path = SQL_ROOT) -> list[Upload]:
    """Every file under sql/, keyed `sql/<relative path>` (the spec's StepSpec.s3_key)."""
    return [
        Upload(path, "sql/" + path.relative_to(sql_root).as_posix())
        for path in sorted(Path(sql_root).rglob("*"))
        if path.is_file() and not _SKIPPED_PARTS.intersection(path.parts)
    ]


def upload(s3: Any, bucket: str, uploads: list[Upload]) -> int:
    """Put each file unless the same bytes are already there; returns how many were put."""
    written = 0
    for item in uploads:
        body = item.path.read_bytes()
        if _stored_md5(s3, bucket, item.key) == hashlib.md5(body).hexdigest():  # noqa: S324 - S3 ETag
            continue
        try:
            s3.put_object(Bucket=bucket, Key=item.key, Body=body)
        except ClientError as exc:
            raise DeployError(f"uploading {item.path} to s3://{bucket}/{item.key}: {exc}") from None
        written += 1
    LOG.info("uploaded %d of %d file(s) to s3://%s", written, len(uploads), bucket)
    return written


def _stored_md5(s3: Any, bucket: str, key: str) -> str | None:
    try:
        return s3.head_object(Bucket=bucket, Key=key)["ETag"].strip('"')
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise DeployError(f"reading s3://{bucket}/{key}: {exc}") from None


def _find_uv() -> str:
    candidates = [
        os.environ.get("UV"),
        shutil.which("uv"),
        str(REPO_ROOT / ".tools" / "bin" / "uv"),
    ]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    raise DeployError("uv not found (looked at $UV, PATH and .tools/bin/uv); run `make setup`")


def temporary_directory() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="etlkit-deploy-")
