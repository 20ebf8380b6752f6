"""Shorthands for the analysis tests (Python 3.9: these tests run on Glue's runtime too)."""

from typing import FrozenSet, Optional, Tuple

from sqlrunner.analysis import S3, SCHEMA, TABLE, URI, Dataset, FileAnalysis, analyse


def table(name: str, default_schema: str = "") -> Dataset:
    return Dataset(TABLE, name, default_schema)


def s3(uri: str) -> Dataset:
    return Dataset(S3, uri)


def uri(text: str) -> Dataset:
    return Dataset(URI, text)


def schema(name: str) -> Dataset:
    return Dataset(SCHEMA, name)


def understood(sql: str, file: str = "test.sql", declarations=None) -> FileAnalysis:
    """The analysis of `sql`, which must have no statement of unknown effect."""
    return analyse(sql, file, declarations).check()


def effects(
    sql: str, declarations=None
) -> Tuple[FrozenSet[Dataset], FrozenSet[Dataset], Optional[str]]:
    """(reads, writes, kind of the last statement) of a fully understood `sql`."""
    result = understood(sql, declarations=declarations)
    kind = result.statements[-1].kind if result.statements else None
    return result.reads, result.writes, kind
