"""Where the SQL text comes from: S3 (`--bucket` + `--file`, as Glue runs it) or a local
path (development, `sqlrunner run` without `--bucket`)."""

from typing import Any, Callable, NamedTuple, Optional

from .errors import SourceError

BOM = b"\xef\xbb\xbf"


class SqlText(NamedTuple):
    location: str  # s3://bucket/key or the local path, for messages
    text: str


def read_sql(bucket: Optional[str], file: str, *, s3: Callable[[], Any]) -> SqlText:
    """The file's text. `s3` makes the client, so a local read needs no AWS at all."""
    if bucket:
        location = f"s3://{bucket}/{file}"
        data = _get_object(s3(), bucket, file, location)
    else:
        location = file
        try:
            with open(file, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            raise SourceError(f"cannot read {file}: {exc.strerror}") from None
    return SqlText(location, decode(data, location))


def decode(data: bytes, location: str) -> str:
    if data.startswith(BOM):
        data = data[len(BOM) :]
    if b"\x00" in data:
        raise SourceError(f"{location} contains NUL bytes: not a SQL text file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(
            f"{location} is not UTF-8 text (invalid byte at offset {exc.start})"
        ) from None


def _get_object(client: Any, bucket: str, key: str, location: str) -> bytes:
    try:
        return client.get_object(Bucket=bucket, Key=key)["Body"].read()
    except Exception as exc:
        code = str(getattr(exc, "response", {}).get("Error", {}).get("Code", ""))
        if code in ("NoSuchKey", "404"):
            raise SourceError(f"{location} does not exist (--file)") from None
        if code == "NoSuchBucket":
            raise SourceError(f"bucket {bucket!r} does not exist (--bucket)") from None
        if code in ("AccessDenied", "403"):
            raise SourceError(f"not allowed to read {location} ({code})") from None
        raise SourceError(f"cannot read {location}: {code or type(exc).__name__}") from None
