"""Runs the corpus of public Redshift SQL on the real local stack and judges each statement
against the result Redshift documents for it.

A corpus file (tests/corpus/sql/*.sql) names its source in its header and gives, in the
comments right before a statement, what Redshift does with it:

    -- expect: rows            the documented rows, one `-- | a | b` line each, compared
    -- | 2009-08-28 00:00:00   with PostgreSQL's text output (NULL for null); `rows
                               unordered` compares them as a multiset
    -- expect: count 3         rows inserted/updated/deleted/unloaded
    -- expect: types bigint, date      the result columns' types
    -- expect: error <text>    Redshift documents an error; the message contains <text>
    -- expect: refused <text>  not emulated: refused by name before anything runs
    -- expect: keys <prefix>   the S3 keys the statement wrote under s3://corpus/<prefix>,
    -- | <key>                 one per line
    -- expect: ok              runs (the default)
    -- local: refused <text>   the local stack refuses it by name before anything runs (a
                               gap the support matrix lists); the expectation stays
                               Redshift's

and `-- s3: <key> = <file>` lines in the header put data files into the local S3 bucket
`corpus` (or `-- s3: s3://bucket/key = <file>`) before the file runs; `-- bucket: <name>`
creates an empty bucket. `expect: keys s3://bucket/prefix` lists another bucket.

Each statement ends in one of four outcomes: behaved (as documented), refused (by name,
before running), different (ran, other result) or error (failed while running).
The same harness drives the emulation as it stands and, for the before/after figure, an
older copy of it (measure.py), through the executor's interface only: execute(), and
the adapter's translate() where it has one.
"""

from __future__ import annotations

import io
import os
import re
import uuid
from pathlib import Path
from typing import Any, NamedTuple

CORPUS = Path(__file__).parent / "sql"
DATA = Path(__file__).parent / "data"
BUCKET = "corpus"
PGHOST = os.environ.get("PGHOST", "127.0.0.1")
PGPORT = int(os.environ.get("PGPORT", "5432"))
PGUSER = os.environ.get("PGUSER", "postgres")

BEHAVED, REFUSED, DIFFERENT, ERROR = "behaved", "refused", "different", "error"
_EXPECT = re.compile(r"^--\s*expect:\s*(\w+)\s*(.*)$")
_ROW = re.compile(r"^--\s*\|(.*)$")
_S3 = re.compile(r"^--\s*s3:\s*(\S+)\s*=\s*(\S+)\s*$")
_LOCAL = re.compile(r"^--\s*local:\s*refused\s*(.*)$")
_BUCKET = re.compile(r"^--\s*bucket:\s*(\S+)\s*$")


class Expectation(NamedTuple):
    kind: str  # rows | count | types | error | refused | keys | ok
    argument: str
    rows: tuple[tuple[str, ...], ...]
    local_refusal: str = ""  # `-- local: refused <text>`


class Outcome(NamedTuple):
    file: str
    line: int
    statement: str
    expected: Expectation
    kind: str  # behaved | refused | different | error
    detail: str


class Case(NamedTuple):
    line: int
    text: str
    expected: Expectation


def load(path: Path) -> tuple[list[Case], dict[str, Path | None]]:
    from sqlrunner.splitter import split

    text = path.read_text()
    uploads: dict[str, Path | None] = {
        m.group(1): DATA / m.group(2) for m in map(_S3.match, text.splitlines()) if m
    }
    for match in map(_BUCKET.match, text.splitlines()):
        if match:
            uploads[f"s3://{match.group(1)}/"] = None
    cases = []
    previous_end = 0
    for statement in split(text, str(path)):
        comments = text[previous_end : statement.offset].splitlines()
        cases.append(Case(statement.line, statement.text, _expectation(comments)))
        previous_end = statement.offset + len(statement.text)
    return cases, uploads


def _expectation(comments: list[str]) -> Expectation:
    kind, argument, rows, local = "ok", "", [], ""
    for line in (c.strip() for c in comments):
        refused_here = _LOCAL.match(line)
        if refused_here:
            local = refused_here.group(1).strip()
            continue
        match = _EXPECT.match(line)
        if match:
            kind, argument, rows = match.group(1), match.group(2).strip(), []
            continue
        row = _ROW.match(line)
        if row and kind in ("rows", "keys"):
            rows.append(tuple(cell.strip() for cell in row.group(1).split("|")))
    return Expectation(kind, argument, tuple(rows), local)


# ----------------------------------------------------------------- the local stack


class Stack:
    """A fresh database with the adapter in front, local S3 and Glue from moto."""

    def __init__(self, s3: Any, glue: Any) -> None:
        import pg

        from local_redshift import LocalRedshift
        from sqlrunner.connection import Database

        self.name = "corpus_" + uuid.uuid4().hex[:10]
        admin = pg.DB(dbname="postgres", host=PGHOST, port=PGPORT, user=PGUSER)
        admin.query(f'CREATE DATABASE "{self.name}"')
        admin.close()
        self.raw = pg.connect(dbname=self.name, host=PGHOST, port=PGPORT, user=PGUSER)
        self.db = Database(self.raw, "postgres")
        self.s3 = s3
        self.adapter = LocalRedshift(self.db, s3=s3, glue=glue, log=lambda _message: None)
        self.adapter.on_connect()

    def close(self) -> None:
        import pg

        self.db.close()
        admin = pg.DB(dbname="postgres", host=PGHOST, port=PGPORT, user=PGUSER)
        admin.query(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        admin.close()


def run_file(path: Path, s3: Any, glue: Any) -> list[Outcome]:
    cases, uploads = load(path)
    for target, source in uploads.items():
        bucket, key = _bucket_key(target)
        _ensure_bucket(s3, bucket)
        if source is not None:
            s3.put_object(Bucket=bucket, Key=key, Body=source.read_bytes())
    _ensure_bucket(s3, BUCKET)
    stack = Stack(s3, glue)
    try:
        plans = _classified(stack, [c.text for c in cases])
        return [_judge(stack, path, case, plans[k]) for k, case in enumerate(cases)]
    finally:
        stack.close()


def _bucket_key(target: str) -> tuple[str, str]:
    if target.startswith("s3://"):
        bucket, _, key = target[5:].partition("/")
        return bucket, key
    return BUCKET, target


def _ensure_bucket(s3: Any, bucket: str) -> None:
    try:
        s3.head_bucket(Bucket=bucket)
    except Exception:
        s3.create_bucket(Bucket=bucket)


def _classified(stack: Stack, texts: list[str]) -> list[Any | None]:
    """The pre-connect plans where the emulation has them (None for an older one)."""
    try:
        from local_redshift.classify import Classifier
    except ImportError:
        return [None] * len(texts)

    class _Text(NamedTuple):
        text: str
        line: int
        index: int

    classifier = Classifier()
    stack.adapter.classifier = classifier
    return [plan for _s, plan in classifier.plans(_Text(t, 0, 0) for t in texts)]


def _judge(stack: Stack, path: Path, case: Case, plan: Any) -> Outcome:
    from sqlrunner.errors import NotEmulatedError, RunnerError

    def outcome(kind: str, detail: str = "") -> Outcome:
        return Outcome(path.name, case.line, case.text, case.expected, kind, detail)

    expected = case.expected
    if plan is not None and getattr(plan, "kind", "") == "refused":
        return outcome(REFUSED, plan.error.message)
    try:
        got = _run(stack, case.text, expected)
    except NotEmulatedError as err:
        if plan is None:  # an emulation without the pre-connect check refuses as it runs
            return outcome(REFUSED, err.message)
        return outcome(ERROR, f"refused while running, not before: {err.message}")
    except RunnerError as err:
        if expected.kind == "error" and expected.argument.lower() in err.message.lower():
            return outcome(BEHAVED, err.message)
        return outcome(ERROR, err.message)
    except Exception as exc:  # a traceback: the worst outcome
        return outcome(ERROR, f"{type(exc).__name__}: {exc}")
    if expected.kind in ("error", "refused"):
        return outcome(
            DIFFERENT, f"ran, but Redshift documents: {expected.kind} {expected.argument}"
        )
    if got != _wanted(expected):
        return outcome(DIFFERENT, f"got {got!r}, documented {_wanted(expected)!r}")
    return outcome(BEHAVED)


def _wanted(expected: Expectation) -> Any:
    if expected.kind == "rows":
        rows = [tuple(expected.rows[k]) for k in range(len(expected.rows))]
        return sorted(rows) if expected.argument == "unordered" else rows
    if expected.kind == "count":
        return int(expected.argument)
    if expected.kind == "types":
        return [t.strip() for t in re.split(r",(?![^(]*\))", expected.argument)]
    if expected.kind == "keys":
        return sorted(row[0] for row in expected.rows)
    return None


def _run(stack: Stack, sql: str, expected: Expectation) -> Any:
    """Run the statement as the executor would, and return what `expected` compares."""
    adapter = stack.adapter
    if expected.kind in ("rows", "types"):
        translate = getattr(adapter, "translate", None)
        query = translate(sql) if translate is not None else sql
        if translate is None:
            adapter.execute(sql)  # the old adapter: refusals and Spectrum syncs
        if expected.kind == "types":
            return _types(stack, query)
        rows = _text_rows(stack, query)
        return sorted(rows) if expected.argument == "unordered" else rows
    result = adapter.execute(sql)
    if result is None:
        result = stack.db.query(sql)
    if expected.kind == "count":
        return result.rows
    if expected.kind == "keys":
        bucket, prefix = _bucket_key(expected.argument)
        listing = stack.s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])
        return sorted(item["Key"] for item in listing)
    return None


def _text_rows(stack: Stack, query: str) -> list[tuple[str, ...]]:
    """PostgreSQL's text output of the query's rows (what psql or a client shows)."""
    from local_redshift import pgcopy

    data = io.BytesIO()
    for block in pgcopy.copy_out(stack.raw, f"COPY ({query}) TO STDOUT"):
        data.write(b"".join(block))
    rows = []
    for line in data.getvalue().decode().splitlines():
        # documented tables pad their cells: compare without the padding
        cells = [_unescape(cell).strip() for cell in line.split("\t")]
        rows.append(tuple(cells))
    return rows


def _unescape(cell: str) -> str:
    if cell == "\\N":
        return "NULL"
    return cell.replace("\\t", "\t").replace("\\n", "\n").replace("\\\\", "\\")


def _types(stack: Stack, query: str) -> list[str]:
    from local_redshift import pgcopy

    return [
        stack.db.fetch(f"SELECT format_type({oid}, {mod})")[0][0]
        for _name, oid, mod in pgcopy.columns_of(stack.raw, query)
    ]


def accepted(outcome: Outcome) -> bool:
    """As Redshift documents, or refused by name before running where the file says the
    local stack refuses it."""
    if outcome.kind == BEHAVED:
        return True
    expected = outcome.expected
    wanted = expected.argument if expected.kind == "refused" else expected.local_refusal
    return (
        outcome.kind == REFUSED
        and (expected.kind == "refused" or bool(expected.local_refusal))
        and wanted.lower() in outcome.detail.lower()
    )


def corpus_files() -> list[Path]:
    return sorted(CORPUS.glob("*.sql"))
