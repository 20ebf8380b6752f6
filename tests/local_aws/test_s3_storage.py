"""The local server's leaner S3 storage (infra/local/s3_storage.py) stores and answers
exactly what moto's own code does: the same object bytes, ETags, checksum details and
errors, only with fewer copies. Each case runs both implementations on the same parts,
then the whole path through the running server with boto3.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import random
from collections.abc import Callable
from typing import Any

import pytest
from moto.s3 import models as s3_models
from moto.s3.exceptions import EntityTooSmall, InvalidPart, MalformedXML

from infra.local import s3_storage
from infra.local.patching import original_of
from infra.local.server import LocalAws

MB = 1 << 20


@pytest.fixture(scope="module", autouse=True)
def patched() -> None:
    s3_storage.install()  # idempotent; the session's local_aws installs it as well


def _bytes(size: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(size)  # noqa: S311 - test data, not secrets


def _md5(data: bytes) -> Any:
    return hashlib.md5(data)  # noqa: S324 - S3's ETag is an md5


def _upload(sizes: list[int], metadata: dict[str, str] | None = None) -> s3_models.FakeMultipart:
    upload = s3_models.FakeMultipart(
        "lake/file.txt", s3_models.CaseInsensitiveDict(metadata or {}), "123456789012", "us-east-1"
    )
    for number, size in enumerate(sizes, start=1):
        upload.set_part(number, _bytes(size, number))
    return upload


def _listed(upload: s3_models.FakeMultipart) -> list[tuple[int, str]]:
    return [(number, upload.parts[number].etag) for number in upload.partlist]


def _both(
    upload: s3_models.FakeMultipart, listed: list[tuple[int, str]]
) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    ours = s3_models.FakeMultipart.complete(upload, iter(listed))
    theirs = original_of(s3_storage.COMPLETE)(upload, iter(listed))
    return (bytes(ours[0]), *ours[1:]), (bytes(theirs[0]), *theirs[1:])


@pytest.mark.parametrize(
    "metadata",
    [
        {},  # S3's default: a CRC64NVME full-object checksum
        {"x-amz-checksum-algorithm": "CRC32"},  # composite by default
        {"x-amz-checksum-algorithm": "CRC32", "x-amz-checksum-type": "FULL_OBJECT"},
        {"x-amz-checksum-algorithm": "CRC32C", "x-amz-checksum-type": "FULL_OBJECT"},
        {"x-amz-checksum-algorithm": "SHA256"},
        {"x-amz-checksum-algorithm": "SHA1", "x-amz-checksum-type": "FULL_OBJECT"},
    ],
    ids=["default", "crc32-composite", "crc32-full", "crc32c-full", "sha256", "sha1-full"],
)
def test_complete_answers_what_moto_answers(metadata: dict[str, str]) -> None:
    upload = _upload([5 * MB, 5 * MB + 17, 123], metadata)
    ours, theirs = _both(upload, _listed(upload))
    assert ours == theirs
    assert ours[0] == b"".join(
        _bytes(size, n) for n, size in ((1, 5 * MB), (2, 5 * MB + 17), (3, 123))
    )
    digests = b"".join(
        _md5(_bytes(s, n)).digest() for n, s in ((1, 5 * MB), (2, 5 * MB + 17), (3, 123))
    )
    assert ours[1] == _md5(digests).hexdigest() + "-3"


def test_default_checksum_is_the_whole_objects() -> None:
    """S3's default CRC64NVME; without awscrt moto (and so the local server) gives CRC32."""
    upload = _upload([5 * MB, 999])
    value, _, details = s3_models.FakeMultipart.complete(upload, iter(_listed(upload)))
    if s3_storage.HAS_CRT:
        from awscrt import checksums

        digest = checksums.crc64nvme(bytes(value)).to_bytes(8, "big")
    else:
        digest = binascii.crc32(bytes(value)).to_bytes(4, "big")
    assert details == ("FULL_OBJECT", base64.b64encode(digest).decode(), 1)


def test_a_subset_of_parts_in_the_request_is_what_is_stored() -> None:
    upload = _upload([5 * MB, 5 * MB, 10])
    listed = [_listed(upload)[0], _listed(upload)[2]]
    ours, theirs = _both(upload, listed)
    assert ours == theirs
    assert ours[0] == _bytes(5 * MB, 1) + _bytes(10, 3)


@pytest.mark.parametrize(
    ("sizes", "listed", "error"),
    [
        (
            [5 * MB, 10],
            lambda parts: [parts[0], (2, '"0123456789abcdef0123456789abcdef"')],
            InvalidPart,
        ),
        ([5 * MB, 10], lambda parts: [parts[0], (7, parts[1][1])], InvalidPart),
        ([100, 10], lambda parts: parts, EntityTooSmall),
        ([100], lambda parts: [], MalformedXML),
    ],
    ids=["wrong-etag", "unknown-part", "small-part-not-last", "no-parts"],
)
def test_complete_refuses_what_moto_refuses(
    sizes: list[int], listed: Callable[[list[tuple[int, str]]], list[tuple[int, str]]], error: type
) -> None:
    upload = _upload(sizes)
    request = listed(_listed(upload))
    with pytest.raises(error):
        s3_models.FakeMultipart.complete(upload, iter(request))
    with pytest.raises(error):
        original_of(s3_storage.COMPLETE)(upload, iter(request))


@pytest.mark.parametrize("size", [0, 3, 5 * MB - 1024, 5 * MB - 1023, 9 * MB])
def test_key_value_is_stored_as_moto_stores_it(size: int) -> None:
    data = _bytes(size, size)
    ours = s3_models.FakeKey("ours", data, "123456789012", "us-east-1")
    theirs = s3_models.FakeKey("theirs", b"", "123456789012", "us-east-1")
    original_of(s3_storage.KEY_VALUE).fset(theirs, data)
    theirs._etag = None
    assert ours.value == theirs.value == data
    assert ours.etag == theirs.etag == f'"{_md5(data).hexdigest()}"'
    assert ours.contentsize == theirs.contentsize == size
    # spilled to disk exactly when moto's spool would have spilled
    assert ours._value_buffer._rolled == theirs._value_buffer._rolled == (size > 5 * MB - 1024)


def test_a_given_etag_is_kept_and_text_is_encoded() -> None:
    given = s3_models.FakeKey("k", b"abc", "123456789012", "us-east-1", etag="given")
    assert given.etag == '"given"'
    word = "caf\u00e9"
    text = s3_models.FakeKey("t", word, "123456789012", "us-east-1")  # type: ignore[arg-type]
    assert text.value == word.encode()
    assert text.etag == f'"{_md5(word.encode()).hexdigest()}"'


def test_multipart_upload_through_the_server(
    local_aws: LocalAws, unique: Callable[[str], str]
) -> None:
    s3 = local_aws.client("s3")
    bucket = unique("storage")
    s3.create_bucket(Bucket=bucket)
    parts = [_bytes(6 * MB, 1), _bytes(5 * MB, 2), _bytes(4321, 3)]
    upload = s3.create_multipart_upload(Bucket=bucket, Key="big.bin")["UploadId"]
    listed = []
    for number, body in enumerate(parts, start=1):
        answer = s3.upload_part(
            Bucket=bucket, Key="big.bin", UploadId=upload, PartNumber=number, Body=body
        )
        assert answer["ETag"] == f'"{_md5(body).hexdigest()}"'
        listed.append({"PartNumber": number, "ETag": answer["ETag"]})
    done = s3.complete_multipart_upload(
        Bucket=bucket, Key="big.bin", UploadId=upload, MultipartUpload={"Parts": listed}
    )
    digests = b"".join(_md5(body).digest() for body in parts)
    assert done["ETag"] == f'"{_md5(digests).hexdigest()}-3"'
    stored = s3.get_object(Bucket=bucket, Key="big.bin")
    assert stored["Body"].read() == b"".join(parts)
    assert stored["ETag"] == done["ETag"]
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []

    small = s3.put_object(Bucket=bucket, Key="small.txt", Body=b"hello")
    assert small["ETag"] == f'"{_md5(b"hello").hexdigest()}"'
    assert s3.get_object(Bucket=bucket, Key="small.txt")["Body"].read() == b"hello"
