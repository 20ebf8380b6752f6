"""TLS that authenticates the server, not only encrypts: engine redshift connects with
`sslmode=verify-full`, so libpq checks the server's certificate against a CA bundle and
its name against the secret's host before the password is sent. (`sslmode=require`
encrypts but accepts any certificate: a server in the middle would get the password.)

The bundle is the roots of Amazon Trust Services that Redshift's ACM certificates chain
to (certs/amazon-trust-services-roots.pem, shipped in the wheel), unless the job argument
`--sslrootcert` names another: a local path or an `s3://bucket/key` (downloaded with the
job's role; the Glue job's role then needs s3:GetObject on it). libpq reads a file, and
Glue may import the wheel from a zip, so the bundle is written to a temporary file for
the connection and removed after. (`sslrootcert=system` would need libpq 16; Glue's
PyGreSQL 5.0.6 links an older one.)
"""

import contextlib
import os
import pkgutil
import tempfile
from typing import Any, Callable, Iterator, Optional

from .errors import SourceError, UsageError, aws_error_code, aws_failure

BUNDLE_RESOURCE = "certs/amazon-trust-services-roots.pem"
_PEM_CERTIFICATE = b"-----BEGIN CERTIFICATE-----"


@contextlib.contextmanager
def ca_bundle(source: Optional[str], s3: Callable[[], Any]) -> Iterator[str]:
    """The path of a PEM file of trusted roots for as long as the block runs."""
    if source is not None and not source.startswith("s3://"):
        _require_pem(_read_local(source), source)
        yield source
        return
    if source is None:
        data = pkgutil.get_data(__package__, BUNDLE_RESOURCE) or b""
        _require_pem(data, BUNDLE_RESOURCE)
    else:
        data = _download(s3(), source)
        _require_pem(data, source)
    handle, path = tempfile.mkstemp(prefix="sqlrunner-ca-", suffix=".pem")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        yield path
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)


def _read_local(path: str) -> bytes:
    try:
        with open(path, "rb") as file:
            return file.read()
    except OSError as exc:
        raise UsageError(f"--sslrootcert {path}: {exc.strerror}") from None


def _require_pem(data: bytes, origin: str) -> None:
    if _PEM_CERTIFICATE not in data:
        raise UsageError(f"--sslrootcert {origin} holds no PEM certificate")


def _download(client: Any, uri: str) -> bytes:
    bucket, _, key = uri[len("s3://") :].partition("/")
    if not bucket or not key:
        raise UsageError(f"--sslrootcert {uri!r} must be s3://bucket/key or a local path")
    try:
        return client.get_object(Bucket=bucket, Key=key)["Body"].read()
    except Exception as exc:
        code = aws_error_code(exc)
        raise SourceError(
            f"cannot read --sslrootcert {uri}: {code or type(exc).__name__}",
            failure=aws_failure(exc),
        ) from None
