"""The SQL source streams: chunk boundaries inside multi-byte characters, S3 downloads
spooled once and read twice, and byte offsets of bad input."""

import pytest

from sqlrunner import source
from sqlrunner.errors import SourceError, UnusableSqlFile
from sqlrunner.source import open_sql

from .conftest import BUCKET

TEXT = "-- café; naïve\nSELECT 'déjà vu; 東京' AS \"ß\";\nSELECT 2"


@pytest.mark.parametrize("chunk_bytes", [1, 2, 3, 5, 1 << 20])
def test_local_file_decodes_across_any_chunk_boundary(tmp_path, monkeypatch, chunk_bytes):
    monkeypatch.setattr(source, "CHUNK_BYTES", chunk_bytes)
    path = tmp_path / "f.sql"
    path.write_bytes(b"\xef\xbb\xbf" + TEXT.encode())
    sql = open_sql(None, str(path), s3=None)
    assert sql.read() == "\ufeff" + TEXT
    assert sql.read() == "\ufeff" + TEXT  # a second pass reads it again


def test_s3_object_is_downloaded_once_and_read_twice(aws, monkeypatch):
    s3, _ = aws
    s3.put_object(Bucket=BUCKET, Key="sql/x/f.sql", Body=TEXT.encode())
    monkeypatch.setattr(source, "CHUNK_BYTES", 4)
    calls = []

    def client():
        calls.append(1)
        return s3

    sql = open_sql(BUCKET, "sql/x/f.sql", s3=client)
    assert sql.read() == TEXT and sql.read() == TEXT
    assert len(calls) == 1
    assert sql.location == f"s3://{BUCKET}/sql/x/f.sql"


@pytest.mark.parametrize("chunk_bytes", [1, 3, 1 << 20])
def test_invalid_utf8_names_its_byte_offset_whatever_the_chunks(tmp_path, monkeypatch, chunk_bytes):
    monkeypatch.setattr(source, "CHUNK_BYTES", chunk_bytes)
    path = tmp_path / "bad.sql"
    path.write_bytes("SELECT 'é".encode() + b"\xff rest'")
    with pytest.raises(UnusableSqlFile, match=r"is not UTF-8 text \(invalid byte at offset 10\)"):
        open_sql(None, str(path), s3=None).read()


def test_missing_local_file_is_named(tmp_path):
    with pytest.raises(SourceError, match=r"cannot read .*nope\.sql: No such file or directory"):
        open_sql(None, str(tmp_path / "nope.sql"), s3=None)
