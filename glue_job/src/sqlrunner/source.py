"""Where the SQL text comes from: S3 (`--bucket` + `--file`, as Glue runs it) or a local
path (development, `sqlrunner run` without `--bucket`).

The text is read as a stream of decoded chunks, never as one string, and can be read
again: the runner passes over it once to check everything (parameters, syntax) before
connecting and once more to execute. An S3 object is downloaded once into a spooled
temporary file (in memory up to SPOOL_BYTES, on disk beyond), so memory stays flat
whatever the file's size.
"""

import codecs
import tempfile
from typing import IO, Any, Callable, Iterator, Optional

from .errors import SourceError, UnusableSqlFile, aws_error_code, aws_failure

CHUNK_BYTES = 1 << 20
SPOOL_BYTES = 16 << 20


class SqlFile:
    def __init__(self, location: str, opener: Callable[[], IO[bytes]]) -> None:
        self.location = location  # s3://bucket/key or the local path, for messages
        self._open = opener

    def chunks(self) -> Iterator[str]:
        """The text, decoded as UTF-8 in chunks of about CHUNK_BYTES."""
        decoder = codecs.getincrementaldecoder("utf-8")("strict")
        done = 0
        with self._open() as handle:
            while True:
                data = handle.read(CHUNK_BYTES)
                if b"\x00" in data:
                    raise UnusableSqlFile(
                        f"{self.location} contains NUL bytes: not a SQL text file"
                    )
                pending = len(decoder.getstate()[0])  # bytes of a character cut by the last read
                try:
                    text = decoder.decode(data, final=not data)
                except UnicodeDecodeError as exc:
                    at = done - pending + exc.start
                    raise UnusableSqlFile(
                        f"{self.location} is not UTF-8 text (invalid byte at offset {max(at, 0)})"
                    ) from None
                done += len(data)
                if text:
                    yield text
                if not data:
                    return

    def read(self) -> str:
        return "".join(self.chunks())


def open_sql(bucket: Optional[str], file: str, *, s3: Callable[[], Any]) -> SqlFile:
    """The SQL file; `s3` makes the client, so a local file needs no AWS at all."""
    if not bucket:
        try:
            with open(file, "rb"):
                pass
        except OSError as exc:
            raise SourceError(f"cannot read {file}: {exc.strerror}") from None
        return SqlFile(file, lambda: open(file, "rb"))
    location = f"s3://{bucket}/{file}"
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - kept by SqlFile
    body = _get_object(s3(), bucket, file, location)
    try:
        for data in body.iter_chunks(CHUNK_BYTES):
            spool.write(data)
    except Exception as exc:  # the connection dropped mid-download
        raise SourceError(
            f"cannot read {location}: {type(exc).__name__}", failure=aws_failure(exc)
        ) from None

    def reopen() -> IO[bytes]:
        spool.seek(0)
        return _Unclosed(spool)

    return SqlFile(location, reopen)


class _Unclosed:
    """The spool, for one pass: leaving the `with` block must not delete it."""

    def __init__(self, handle: Any) -> None:
        self._handle = handle

    def __enter__(self) -> Any:
        return self._handle

    def __exit__(self, *exc: object) -> None:
        return None


def _get_object(client: Any, bucket: str, key: str, location: str) -> Any:
    try:
        return client.get_object(Bucket=bucket, Key=key)["Body"]
    except Exception as exc:
        code = aws_error_code(exc)
        if code in ("NoSuchKey", "404"):
            raise SourceError(f"{location} does not exist (--file)") from None
        if code == "NoSuchBucket":
            raise SourceError(f"bucket {bucket!r} does not exist (--bucket)") from None
        if code in ("AccessDenied", "403"):
            raise SourceError(f"not allowed to read {location} ({code})") from None
        raise SourceError(
            f"cannot read {location}: {code or type(exc).__name__}", failure=aws_failure(exc)
        ) from None
