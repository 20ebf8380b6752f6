"""S3 objects as streams for the emulated COPY, UNLOAD and Spectrum reads.

Bulk data never sits whole in memory: reads go through the object's body in chunks
(decompressed on the fly), writes stream as multipart uploads part by part, so memory
stays bounded by a part whatever the data size.

Compression uses the formats' standard framing, so real tools read the files:
gzip (zlib), bzip2 (bz2) and Zstandard (pyarrow's codec; each chunk is one frame, and
a Zstandard stream may hold several).
"""

import bz2
import contextlib
import io
import tempfile
import zlib
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable, Dict, Iterator, List, NamedTuple, Optional, Tuple

from sqlrunner.errors import EmulationError, aws_error_code

READ_CHUNK = 1 << 20
PART_BYTES = 8 << 20  # multipart part size (S3's minimum is 5 MB)
IN_MEMORY_BYTES = 64 << 20  # objects read whole up to this size, spooled to disk above


def parse_url(url: str, what: str) -> Tuple[str, str]:
    """('bucket', 'key/prefix') of an s3:// URL."""
    if not url.startswith("s3://") or len(url) <= len("s3://"):
        raise EmulationError(f"{what}: {url!r} is not an s3://bucket/key URL")
    bucket, _, key = url[len("s3://") :].partition("/")
    if not bucket:
        raise EmulationError(f"{what}: {url!r} names no bucket")
    return bucket, key


class S3Object(NamedTuple):
    bucket: str
    key: str
    size: int
    etag: str

    @property
    def url(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


def list_objects(s3: Any, bucket: str, prefix: str, what: str) -> List[S3Object]:
    """Every object whose key starts with `prefix`, in key order."""
    found = []
    try:
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                found.append(S3Object(bucket, item["Key"], int(item["Size"]), item.get("ETag", "")))
    except Exception as exc:
        raise EmulationError(
            f"{what}: cannot list s3://{bucket}/{prefix}: {_reason(exc)}"
        ) from None
    return found


def head(s3: Any, bucket: str, key: str) -> Optional[S3Object]:
    try:
        meta = s3.head_object(Bucket=bucket, Key=key)
    except Exception as exc:
        if aws_error_code(exc) in ("404", "NoSuchKey", "NotFound"):
            return None
        raise EmulationError(f"cannot read s3://{bucket}/{key}: {_reason(exc)}") from None
    return S3Object(bucket, key, int(meta["ContentLength"]), meta.get("ETag", ""))


def read_bytes(s3: Any, bucket: str, key: str, what: str) -> bytes:
    """A small object (a manifest) whole."""
    try:
        return s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    except Exception as exc:
        raise EmulationError(f"{what}: cannot read s3://{bucket}/{key}: {_reason(exc)}") from None


def read_chunks(s3: Any, obj: S3Object, compression: Optional[str], what: str) -> Iterator[bytes]:
    """The object's bytes in chunks, decompressed if `compression` names a codec."""
    try:
        body = s3.get_object(Bucket=obj.bucket, Key=obj.key)["Body"]
    except Exception as exc:
        raise EmulationError(f"{what}: cannot read {obj.url}: {_reason(exc)}") from None
    if compression is None:
        while True:
            chunk = body.read(READ_CHUNK)
            if not chunk:
                return
            yield chunk
    import pyarrow as pa

    try:
        stream = pa.CompressedInputStream(pa.PythonFile(body, mode="r"), compression)
        while True:
            chunk = stream.read(READ_CHUNK)
            if not chunk:
                return
            yield chunk
    except (OSError, pa.ArrowException) as exc:
        raise EmulationError(f"{what}: {obj.url} is not valid {compression} data: {exc}") from None


def download(s3: Any, obj: S3Object) -> Any:
    """The object as a seekable file (Parquet readers need random access): in memory
    when small, else a temporary file on disk."""
    try:
        if obj.size <= IN_MEMORY_BYTES:
            return io.BytesIO(s3.get_object(Bucket=obj.bucket, Key=obj.key)["Body"].read())
        spool = tempfile.TemporaryFile()  # noqa: SIM115 - the caller reads and closes it
        s3.download_fileobj(obj.bucket, obj.key, spool)
    except Exception as exc:
        raise EmulationError(f"cannot read {obj.url}: {_reason(exc)}") from None
    spool.seek(0)
    return spool


def delete(s3: Any, bucket: str, keys: List[str]) -> None:
    for start in range(0, len(keys), 1000):
        batch = [{"Key": key} for key in keys[start : start + 1000]]
        s3.delete_objects(Bucket=bucket, Delete={"Objects": batch, "Quiet": True})


def put_bytes(s3: Any, bucket: str, key: str, data: bytes) -> None:
    s3.put_object(Bucket=bucket, Key=key, Body=data)


def _zstd() -> Callable[[bytes], bytes]:
    import pyarrow as pa

    return lambda data: pa.compress(data, "zstd", asbytes=True)


class _Compressor:
    """`compress(chunk) -> bytes` and `flush() -> bytes` for one codec."""

    def __init__(self, codec: str) -> None:
        self._flush: Callable[[], bytes] = lambda: b""
        if codec == "gzip":
            z = zlib.compressobj(6, zlib.DEFLATED, 31)  # wbits 31: gzip header and trailer
            self.compress: Callable[[bytes], bytes] = z.compress
            self._flush = z.flush
        elif codec == "bz2":
            b = bz2.BZ2Compressor()
            self.compress = b.compress
            self._flush = b.flush
        elif codec == "zstd":
            self.compress = _zstd()
        else:  # pragma: no cover - codecs come from a fixed table
            raise ValueError(codec)

    def flush(self) -> bytes:
        return self._flush()


_UNSIGNED_OPERATIONS = ("PutObject", "UploadPart")


def _unsigned_payload(request: Any, **_: Any) -> None:
    from botocore.config import Config

    config = request.context.get("client_config")
    unsigned = Config(s3={"payload_signing_enabled": False})
    request.context["client_config"] = config.merge(unsigned) if config else unsigned


def unsigned_uploads(s3: Any) -> Any:
    """`s3`, set to send upload bodies unhashed. The emulation writes only to the local
    S3, reached over plain HTTP, where botocore hashes every body with SHA-256 to sign it
    (auth.py `_should_sha256_sign_payload`: payloads are always signed over insecure
    connections); that hash cost a large UNLOAD a sixth of its time, and the local
    server checks no body hash. Other calls on the client are unchanged."""
    for operation in _UNSIGNED_OPERATIONS:
        s3.meta.events.register(
            f"before-sign.s3.{operation}",
            _unsigned_payload,
            unique_id=f"local_redshift-unsigned-{operation}",
        )
    return s3


class OutputFile:
    """One object being written, streamed: bytes are (compressed and) buffered, every
    PART_BYTES go up as a multipart-upload part, and `close()` completes the upload (or
    sends a single PUT when the object is small). Memory stays at one part.

    File-like enough (write/tell/flush/closed) for pyarrow's ParquetWriter. `size` is
    the stored (compressed) size so far; `records` counts rows for MANIFEST VERBOSE.
    """

    def __init__(self, s3: Any, bucket: str, key: str, codec: Optional[str] = None) -> None:
        self.s3, self.bucket, self.key = unsigned_uploads(s3), bucket, key
        self.compressor = _Compressor(codec) if codec else None
        self.buffer = bytearray()
        self.parts: List[Dict[str, Any]] = []
        self.upload_id: Optional[str] = None
        self.uploader: Optional[ThreadPoolExecutor] = None
        self.pending: List["Future[None]"] = []
        self.size = 0
        self.records = 0
        self.closed = False

    @property
    def url(self) -> str:
        return f"s3://{self.bucket}/{self.key}"

    def write(self, data: bytes) -> int:
        if self.compressor is not None:
            data = self.compressor.compress(data)
        self.buffer += data
        self.size += len(data)
        if len(self.buffer) >= PART_BYTES:
            self._upload_part()
        return len(data)

    def tell(self) -> int:
        return self.size

    def flush(self) -> None:
        """Data goes up in whole parts; nothing to do until a part is full or close()."""

    def _upload_part(self) -> None:
        """Send the buffer as the next part, in a worker thread so reading the next rows
        overlaps the upload; at most one part waits while another is in flight."""
        try:
            if self.upload_id is None:
                answer = self.s3.create_multipart_upload(Bucket=self.bucket, Key=self.key)
                self.upload_id = answer["UploadId"]
                self.uploader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlrunner-s3")
            if len(self.pending) > 1:
                self.pending.pop(0).result()
        except Exception as exc:
            self.discard()
            raise EmulationError(f"cannot write {self.url}: {_reason(exc)}") from None
        number = len(self.parts) + 1
        body, self.buffer = bytes(self.buffer), bytearray()
        self.parts.append({"PartNumber": number})
        self.pending.append(self.uploader.submit(self._send_part, number, body))

    def _send_part(self, number: int, body: bytes) -> None:
        answer = self.s3.upload_part(
            Bucket=self.bucket, Key=self.key, UploadId=self.upload_id, PartNumber=number, Body=body
        )
        self.parts[number - 1]["ETag"] = answer["ETag"]

    def close(self) -> int:
        """Finish the object; returns its size."""
        if self.closed:
            return self.size
        if self.compressor is not None:
            tail = self.compressor.flush()
            self.buffer += tail
            self.size += len(tail)
        try:
            if self.upload_id is None:
                self.s3.put_object(Bucket=self.bucket, Key=self.key, Body=bytes(self.buffer))
            else:
                if self.buffer:
                    self._upload_part()
                for future in self.pending:
                    future.result()
                self.uploader.shutdown()
                self.s3.complete_multipart_upload(
                    Bucket=self.bucket,
                    Key=self.key,
                    UploadId=self.upload_id,
                    MultipartUpload={"Parts": self.parts},
                )
        except EmulationError:
            raise
        except Exception as exc:
            self.discard()
            raise EmulationError(f"cannot write {self.url}: {_reason(exc)}") from None
        self.closed = True
        self.buffer = bytearray()
        return self.size

    def discard(self) -> None:
        """Abandon the object (an unfinished multipart upload is aborted)."""
        self.closed = True
        self.buffer = bytearray()
        if self.uploader is not None:
            self.uploader.shutdown(wait=True)
        if self.upload_id is not None:
            with contextlib.suppress(Exception):
                self.s3.abort_multipart_upload(
                    Bucket=self.bucket, Key=self.key, UploadId=self.upload_id
                )


def _reason(exc: BaseException) -> str:
    return aws_error_code(exc) or f"{type(exc).__name__}: {exc}"
