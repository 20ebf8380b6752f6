"""S3 object storage in the local server without moto's extra copies of the data.

UNLOAD writes its files as multipart uploads (8 MB parts) and Spectrum and COPY read
them back, so on the local stack the cost of storing an object in moto was most of
UNLOAD's: a 66 MB file took ~0.5 s of server CPU. Two spots made most of it:

- A key's value setter writes into a SpooledTemporaryFile that spills to disk above
  5 MB, but only after the whole value went into its in-memory buffer first and was
  copied out again (tempfile's rollover on write); the big allocations made one write
  of 66 MB take 0.06-0.28 s. Here a value bigger than the spool's memory limit rolls the
  spool over first and is written to its file once (~0.02 s), and its md5 (the ETag)
  is taken from the value in hand rather than read back from the file.
- FakeMultipart.complete read every part twice, kept a second copy of the whole
  object for the full-object checksum and copied both again. Here each part is read
  once, straight into its place in one buffer, and the checksum is chained over the
  parts as they land.

What moto stores and answers stays the same: the same object, ETags (md5, and for a
multipart upload md5 of the parts' md5s plus "-<count>"), checksum details, and errors
for missing, mismatched or too-small parts
(https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html);
tests/local_aws/test_s3_storage.py compares both spots with moto's own. Without an
algorithm named, the object gets a CRC64NVME full-object checksum, as S3 gives by
default (https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html);
moto falls back to CRC32 when awscrt is missing, and so does this.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterator
from typing import Any

from moto.core.compat import HAS_CRT
from moto.s3 import models as s3_models
from moto.s3.exceptions import EntityTooSmall, InvalidPart, MalformedXML
from moto.s3.utils import compute_checksum

from infra.local.patching import Spot, apply, original_of

SPOTS = (
    KEY_VALUE := Spot(
        s3_models.FakeKey,
        "value",
        "bc1a1122bc371309",
        "a large object value is written to its spool file once, its md5 taken on the way",
        "FakeKey.value and FakeKey.etag: that the value lives in _value_buffer (a "
        "SpooledTemporaryFile of _max_buffer_size) and _etag None means 'not hashed yet'",
    ),
    COMPLETE := Spot(
        s3_models.FakeMultipart,
        "complete",
        "a5cd01f2f2f28c9b",
        "CompleteMultipartUpload reads each part once and checksums without a second copy",
        "FakeMultipart.complete and MultipartChecksumBuilder: same validation, same ETag "
        "and checksum details (test_s3_storage compares them)",
    ),
)


def _chained_checksum(algorithm: str) -> tuple[Callable[[Any, int], int], int] | None:
    """(update(data, running) -> running, width in bytes) of the full-object checksum
    moto's compute_checksum gives for `algorithm`, for the ones fed part by part here."""
    if algorithm == "CRC64NVME" and HAS_CRT:
        from awscrt import checksums

        return checksums.crc64nvme, 8
    if algorithm in ("CRC32", "CRC64NVME"):
        return binascii.crc32, 4  # CRC64NVME: moto's own fallback without awscrt
    return None


def _set_value(self: s3_models.FakeKey, new_value: bytes) -> None:
    if isinstance(new_value, str):  # moto's own tests pass text
        new_value = new_value.encode(s3_models.DEFAULT_TEXT_ENCODING)
    spool = self._value_buffer
    spool.seek(0)
    spool.truncate()
    if len(new_value) > self._max_buffer_size:
        spool.rollover()
    if self._etag is None:
        self._etag = s3_models.md5_hash(new_value).hexdigest()
    spool.write(new_value)
    self.contentsize = len(new_value)


def install() -> None:
    original_value = original_of(KEY_VALUE)
    apply(KEY_VALUE, property(original_value.fget, _set_value))
    original = original_of(COMPLETE)

    def complete(
        self: s3_models.FakeMultipart, body: Iterator[tuple[int, str]]
    ) -> tuple[bytes, str, tuple[str, str, int] | None]:
        builder = s3_models.MultipartChecksumBuilder(
            self.metadata.get("x-amz-checksum-algorithm"),
            self.metadata.get("x-amz-checksum-type"),
        )
        composite = builder.checksum_type == "COMPOSITE"
        chained = None if composite else _chained_checksum(builder.checksum_algorithm)
        if not composite and chained is None:
            return original(self, body)  # CRC32C, or SHA (which S3 refuses for full objects)
        parts: list[s3_models.FakeKey] = []
        md5s = bytearray()
        for number, etag in body:
            part = self.parts.get(number)
            part_etag = part.etag.replace('"', "") if part is not None else None
            if part is None or part_etag != etag.replace('"', ""):
                raise InvalidPart()
            if parts and parts[-1].contentsize < s3_models.S3_UPLOAD_PART_MIN_SIZE:
                raise EntityTooSmall()
            parts.append(part)
            md5s.extend(bytes.fromhex(part_etag))
        if not parts:
            raise MalformedXML
        # one buffer of the object's size, each part read straight into its place
        whole = bytearray(sum(part.contentsize for part in parts))
        running, offset = 0, 0
        with memoryview(whole) as view:
            for part in parts:
                with view[offset : offset + part.contentsize] as added:
                    with part.lock:
                        part._value_buffer.seek(0)
                        if part._value_buffer.readinto(added) != part.contentsize:
                            raise OSError(f"part {part.name} of {self.key_name} was cut short")
                    if chained is None:
                        algorithm = builder.checksum_algorithm
                        digest = compute_checksum(added, algorithm, encode_base64=False)
                        builder.checksum.extend(digest)
                    else:
                        running = chained[0](added, running)
                offset += part.contentsize
                builder.part_count += 1
        full_etag = s3_models.md5_hash()
        full_etag.update(bytes(md5s))
        if chained is None:
            details = builder.build()
        else:
            value = base64.b64encode(running.to_bytes(chained[1], "big")).decode()
            details = (builder.checksum_type, value, 1)
        # a bytearray, not a bytes copy of it: moto only writes the value to the key's spool
        return whole, f"{full_etag.hexdigest()}-{builder.part_count}", details  # type: ignore[return-value]

    apply(COMPLETE, complete)
