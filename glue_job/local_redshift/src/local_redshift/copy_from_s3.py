"""COPY table [(columns)] FROM 's3://...' against local S3.

`parse(sql)` reads and checks the statement without touching the database or S3 (the
adapter's pre-run check uses it); `copy(db, s3, sql)` runs it.

Sources: every object whose key starts with the FROM prefix (COPY's prefix match), or
the entries of a manifest (MANIFEST; a missing entry fails only if it is mandatory).
https://docs.aws.amazon.com/redshift/latest/dg/copy-parameters-data-source-s3.html

How rows flow (text, CSV, FIXEDWIDTH, JSON): copy_records splits each file into records
with their line numbers, copy_values converts each field by the target column's type
and the options, and the rows stream into `COPY target FROM STDIN` (PostgreSQL's text
format) inside a savepoint. A row Python rejects is a load error; a row PostgreSQL
rejects (bad digits, out of range, NOT NULL...) is found from its error's CONTEXT line,
becomes a load error too, and the COPY runs again without it. Load errors go to
STL_LOAD_ERRORS / SYS_LOAD_ERROR_DETAIL (load_history); when they reach MAXERROR (0 and
1: the first) nothing is loaded and the statement fails with Redshift's message,
"Load into table 't' failed.  Check 'stl_load_errors' system table for details.", plus
the line, column and reason of the error that stopped it. Parquet goes through
parquet_load (columns by position). The whole COPY is one statement: if it fails, no
row of any file stays.
"""

import json
import re
from typing import Any, Callable, Dict, Iterator, List, NamedTuple, Optional, Set, Tuple

from sqlrunner.errors import EmulationError, NotEmulatedError, StatementError
from sqlrunner.result import Result

from . import copy_records, copy_values, load_history, parquet_load, pgcopy, s3io
from .copy_values import Column, Conversions, LoadError
from .options import (
    COLUMNAR_DOC,
    COPY_CONVERSION_DOC,
    COPY_FORMAT_DOC,
    COPY_LOAD_DOC,
    COPY_OPTIONS,
    COPY_REQUIREMENTS,
    COPY_RULES,
    COPY_SOURCE_DOC,
    check_rules,
    file_format,
    parse_options,
)
from .words import Words, ident, literal, qualified

CODECS = {"GZIP": "gzip", "BZIP2": "bz2", "ZSTD": "zstd"}
MAXERROR_LIMIT = 100_000  # copy-parameters-data-load.html#copy-maxerror
SEND_CHARS = 1 << 20  # rows are sent to PostgreSQL in blocks of about this size
_LINE_BITS = 40  # a row's key: file index << _LINE_BITS | line number
_SAVEPOINT = "sqlrunner_copy"
_PG_SPECIAL = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


class CopyCommand(NamedTuple):
    schema: Optional[str]
    table: str
    columns: Optional[List[str]]
    source: str
    options: Dict[str, Any]

    @property
    def format(self) -> str:
        if "FIXEDWIDTH" in self.options:
            return "FIXEDWIDTH"
        return file_format(self.options)


def parse(sql: str) -> CopyCommand:
    """The statement, checked as far as it can be without the database or S3: raises
    NotEmulatedError for what is not emulated, EmulationError for what Redshift
    refuses."""
    words = Words(sql, "COPY")
    words.expect("COPY")
    schema, table = words.qualified_name()
    names = words.names_in_parens() if words.at_op("(") else None
    words.expect("FROM")
    token = words.peek()
    if token is None or token.kind != "string":
        raise NotEmulatedError(
            f"not emulated locally: COPY FROM {token.text if token else 'nothing'}"
            " (only 's3://...' is)"
        )
    source = words.string()
    if not source.startswith("s3://"):
        kind = source.split(":", 1)[0] if ":" in source else source
        raise NotEmulatedError(f"not emulated locally: COPY FROM '{kind}://...' (only s3:// is)")
    s3io.parse_url(source, "COPY")
    options = parse_options(words, COPY_OPTIONS, "COPY")
    check_rules(options, COPY_RULES, COPY_REQUIREMENTS, "COPY")
    command = CopyCommand(schema, table, names, source, options)
    _check(command)
    return command


def _check(command: CopyCommand) -> None:
    options = command.options
    if options.get("ENCODING", "UTF8") not in ("UTF8",):
        raise NotEmulatedError(f"not emulated locally: COPY ENCODING {options['ENCODING']}")
    for key in ("DATEFORMAT", "TIMEFORMAT"):
        copy_values.date_setting(options, key)
    fmt = command.format
    if fmt == "PARQUET" and "FILLRECORD" in options:
        raise NotEmulatedError(
            f"not emulated locally: COPY FORMAT PARQUET FILLRECORD ({COLUMNAR_DOC})"
        )
    if fmt in ("TEXT", "CSV"):
        delimiter = options.get("DELIMITER", "," if fmt == "CSV" else "|")
        if len(delimiter) != 1 or delimiter == "\n":
            raise EmulationError(
                f"COPY: DELIMITER must be one character other than newline, not {delimiter!r} "
                f"({COPY_FORMAT_DOC}#copy-delimiter)"
            )
    if fmt == "FIXEDWIDTH":
        copy_records.fixed_widths(options["FIXEDWIDTH"], 0)
    replacement = options.get("ACCEPTINVCHARS")
    if isinstance(replacement, str) and (len(replacement) != 1 or not 0 < ord(replacement) < 128):
        raise EmulationError(
            f"COPY: ACCEPTINVCHARS takes one ASCII character other than NUL, not {replacement!r} "
            f"({COPY_CONVERSION_DOC}#copy-acceptinvchars)"
        )
    spec = options.get("FORMAT_ARG", "")
    if fmt == "JSON" and spec.startswith("s3://"):
        s3io.parse_url(spec, "COPY JSON")


def copy(db: Any, s3: Any, sql: str) -> Result:
    return load(db, s3, parse(sql))


def load(db: Any, s3: Any, command: CopyCommand) -> Result:
    load_history.ensure(db)
    target = qualified(command.schema, command.table)
    table_oid, columns = _table_columns(db, target, command.columns)
    objects = _sources(s3, command.source, "MANIFEST" in command.options)
    started = str(db.fetch("SELECT (clock_timestamp() AT TIME ZONE 'UTC')::text")[0][0])
    copy_id = load_history.start(db)
    if command.format == "PARQUET":
        targets = [parquet_load.TargetColumn(c.name, None) for c in columns]
        rows = parquet_load.load(
            db.raw, s3, objects, target, targets, by_name=False, surplus="DISABLED", what="COPY"
        )
        load_history.finish(db, rows)
        return Result(rows, f"from {len(objects)} file(s)")
    run = _Load(db, s3, command, target, columns, objects)
    try:
        rows, rejected = run.load()
    except _Failed as failed:
        load_history.record(db, copy_id, table_oid, started, failed.rejected)
        load_history.finish(db, 0)
        raise failed.error from None
    load_history.record(db, copy_id, table_oid, started, rejected)
    load_history.finish(db, rows)
    detail = f"from {len(objects)} file(s)"
    if "NOLOAD" in command.options:
        detail = f"NOLOAD: {rows} row(s) checked, nothing loaded, from {len(objects)} file(s)"
        rows = 0
    if rejected:
        detail += (
            f"; {len(rejected)} record(s) could not be loaded. Check 'stl_load_errors' system "
            "table for details"
        )
    return Result(rows, detail)


def _table_columns(db: Any, target: str, names: Optional[List[str]]) -> Tuple[int, List[Column]]:
    rows = db.fetch(
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.atttypid, t.typcategory,"
        " CASE WHEN a.atttypmod > 4 AND t.typcategory = 'S' THEN a.atttypmod - 4 END,"
        " CASE WHEN a.atttypid = 1700 AND a.atttypmod >= 4 THEN (a.atttypmod - 4) & 65535 END,"
        f" a.attnotnull, a.attrelid::integer, t.typname FROM pg_attribute a"
        " JOIN pg_type t ON t.oid = a.atttypid"
        f" WHERE a.attrelid = {literal(target)}::regclass AND a.attnum > 0 AND NOT a.attisdropped"
        " ORDER BY a.attnum"
    )
    if not rows:
        raise EmulationError(f"COPY: relation {target} has no columns")
    columns = [
        Column(name, type_sql, type_name, int(oid), category, width, scale, bool(not_null))
        for name, type_sql, oid, category, width, scale, not_null, _, type_name in rows
    ]
    table_oid = int(rows[0][7])
    if names is None:
        return table_oid, columns
    by_name = {c.name: c for c in columns}
    missing = [n for n in names if n not in by_name]
    if missing:
        raise EmulationError(f'COPY: column "{missing[0]}" of relation {target} does not exist')
    return table_oid, [by_name[n] for n in names]


def _sources(s3: Any, url: str, manifest: bool) -> List[s3io.S3Object]:
    bucket, key = s3io.parse_url(url, "COPY")
    if not manifest:
        objects = [o for o in s3io.list_objects(s3, bucket, key, "COPY") if not o.key.endswith("/")]
        if not objects:
            raise EmulationError(
                f"COPY: the specified S3 prefix {url!r} does not exist ({COPY_SOURCE_DOC})"
            )
        return objects
    try:
        entries = json.loads(s3io.read_bytes(s3, bucket, key, "COPY MANIFEST"))["entries"]
    except (ValueError, KeyError, TypeError):
        raise EmulationError(
            f'COPY: {url} is not a manifest ({{"entries": [{{"url": ...}}]}}) ({COPY_SOURCE_DOC})'
        ) from None
    objects = []
    for entry in entries:
        entry_bucket, entry_key = s3io.parse_url(entry.get("url", ""), "COPY manifest entry")
        found = s3io.head(s3, entry_bucket, entry_key)
        if found is None:
            if entry.get("mandatory", False):
                raise EmulationError(
                    f"COPY: mandatory manifest entry {entry['url']} does not exist "
                    f"({COPY_SOURCE_DOC})"
                )
            continue
        objects.append(found)
    return objects


class _Failed(Exception):
    def __init__(self, error: StatementError, rejected: List[load_history.Rejected]) -> None:
        super().__init__(error.message)
        self.error, self.rejected = error, rejected


class _Load:
    """One COPY of text, CSV, FIXEDWIDTH or JSON files into `target`."""

    def __init__(
        self,
        db: Any,
        s3: Any,
        command: CopyCommand,
        target: str,
        columns: List[Column],
        objects: List[s3io.S3Object],
    ) -> None:
        self.db, self.s3, self.command, self.target = db, s3, command, target
        self.columns, self.objects = columns, objects
        self.options = options = command.options
        self.fmt = command.format
        self.limit = max(1, min(int(options.get("MAXERROR", 0)), MAXERROR_LIMIT))
        self.conversions = Conversions(columns, options)
        if self.fmt == "JSON":
            self.conversions.null = None  # NULL AS applies to text, not to JSON values
        self.codec = CODECS.get(options.get("COMPRESSION", ""))
        self.paths = self._jsonpaths()
        self.by_name = {c.name: c for c in columns}
        # A record whose text holds no backslash, CR, LF or (unless it is the delimiter)
        # tab yields values PostgreSQL's text format takes as they are.
        tab = "" if options.get("DELIMITER") == "\t" and self.fmt == "TEXT" else "\t"
        special = re.compile("[\\\\\r\n" + tab + "]").search
        self.plain: Callable[[str], bool] = lambda raw: special(raw) is None
        column_list = ", ".join(ident(c.name) for c in columns)
        self.copy_sql = f"COPY {target} ({column_list}) FROM STDIN"

    def _jsonpaths(self) -> Optional[List[List[copy_records.Step]]]:
        spec = self.options.get("FORMAT_ARG", "")
        if self.fmt != "JSON" or not spec.startswith("s3://"):
            return None
        bucket, key = s3io.parse_url(spec, "COPY JSON")
        text = s3io.read_bytes(self.s3, bucket, key, "COPY JSONPaths file")
        return copy_records.parse_jsonpaths(text, spec, len(self.columns))

    def load(self) -> Tuple[int, List[load_history.Rejected]]:
        """(rows loaded, load errors); raises _Failed when the errors reach MAXERROR."""
        refused: Dict[int, load_history.Rejected] = {}  # rows PostgreSQL refused, by key
        with pgcopy.transaction(self.db):
            while True:
                attempt = _Attempt(self, set(refused))
                self.db.query(f"SAVEPOINT {_SAVEPOINT}")
                failed: Optional[pgcopy.CopyFailed] = None
                try:
                    rows = pgcopy.copy_in(self.db.raw, self.copy_sql, attempt.chunks())
                except pgcopy.CopyFailed as error:
                    failed = error
                if failed is not None or attempt.stopped:
                    self.db.query(f"ROLLBACK TO SAVEPOINT {_SAVEPOINT}")
                if failed is not None:  # a row PostgreSQL refused, sent before any stop
                    key, rejected = self._refused_row(attempt, failed)
                    refused[key] = rejected
                if attempt.stopped or len(attempt.rejected) + len(refused) >= self.limit:
                    raise self._failure(attempt.rejected + list(refused.values()))
                if failed is not None:
                    continue
                if "NOLOAD" in self.options:
                    self.db.query(f"ROLLBACK TO SAVEPOINT {_SAVEPOINT}")
                self.db.query(f"RELEASE SAVEPOINT {_SAVEPOINT}")
                rejected = sorted(
                    attempt.rejected + list(refused.values()),
                    key=lambda r: (r.filename, r.line_number),
                )
                break
        return rows, rejected

    def _refused_row(
        self, attempt: "_Attempt", failed: pgcopy.CopyFailed
    ) -> Tuple[int, load_history.Rejected]:
        found = copy_values.complaint(failed.server_text)
        if found is None or not 0 < found.line <= len(attempt.sent):
            raise failed
        key = attempt.sent[found.line - 1]
        column = self.by_name.get(found.column or "")
        error = copy_values.reason_for(found, column)
        raw = attempt.recent.get(key, found.value)
        return key, self.rejected(key, raw, error)

    def rejected(self, key: int, raw: str, error: LoadError) -> load_history.Rejected:
        column = self.by_name.get(error.column)
        length = ""
        if column is not None and column.max_bytes is not None:
            length = str(column.max_bytes)
        elif column is not None and column.scale is not None:
            length = column.type_sql[column.type_sql.find("(") + 1 : -1].replace(",", ", ")
        return load_history.Rejected(
            filename=self.objects[key >> _LINE_BITS].url,
            line_number=key & ((1 << _LINE_BITS) - 1),
            colname=error.column,
            type=column.type_name if column is not None else "",
            col_length=length,
            position=error.pos,
            raw_line=raw,
            raw_field_value=error.value,
            err_code=error.code,
            err_reason=error.reason,
        )

    def _failure(self, rejected: List[load_history.Rejected]) -> _Failed:
        rejected = sorted(rejected, key=lambda r: (r.filename, r.line_number))
        last = rejected[min(self.limit, len(rejected)) - 1]  # the error that reached MAXERROR
        where = f"line {last.line_number} of {last.filename}"
        if last.colname:
            where += f", column {last.colname}"
        value = f", value {last.raw_field_value[:60]!r}" if last.raw_field_value else ""
        message = (
            f"Load into table '{self.command.table}' failed.  Check 'stl_load_errors' system "
            f"table for details. ({where}: {last.err_reason} [code {last.err_code}]{value}; "
            f"{len(rejected)} load error(s), MAXERROR {self.options.get('MAXERROR', 0)}) "
            f"({COPY_LOAD_DOC}#copy-maxerror)"
        )
        return _Failed(StatementError(message, sqlstate="XX000"), rejected)

    def records(self, obj: s3io.S3Object) -> Iterator[copy_records.Record]:
        chunks = s3io.read_chunks(self.s3, obj, self.codec, "COPY")
        options, width = self.options, len(self.columns)
        if self.fmt == "JSON":
            names = [c.name for c in self.columns]
            spec = options.get("FORMAT_ARG", "auto")
            return copy_records.json_records(chunks, names, spec, self.paths)
        lines = copy_records.lines_of(chunks)
        first = copy_records.skip_header(lines, int(options.get("IGNOREHEADER", 0))) + 1
        fill = "FILLRECORD" in options
        if self.fmt == "CSV":
            delimiter = options.get("DELIMITER", ",")
            quote = options.get("FORMAT_ARG", '"')
            return copy_records.csv_records(lines, delimiter, quote, width, fill, first)
        if self.fmt == "FIXEDWIDTH":
            widths = copy_records.fixed_widths(options["FIXEDWIDTH"], width)
            return copy_records.fixed_records(
                lines, widths, fill, "IGNOREBLANKLINES" in options, first
            )
        text = copy_records.TextFormat(
            options.get("DELIMITER", "|"),
            "ESCAPE" in options,
            "REMOVEQUOTES" in options,
            "IGNOREBLANKLINES" in options,
        )
        return copy_records.text_records(lines, text, width, fill, first)


class _Attempt:
    """One pass over the files: rows as PostgreSQL text-format blocks, the key of every
    row sent (the COPY stream's line N is sent[N - 1]), and the rows rejected on the way."""

    def __init__(self, load: _Load, skip: Set[int]) -> None:
        self.load, self.skip = load, skip
        self.sent: List[int] = []
        self.rejected: List[load_history.Rejected] = []
        self.recent: Dict[int, str] = {}  # raw text of the rows of the last few blocks
        self.stopped = False  # the load errors reached MAXERROR: the rows sent end the COPY

    def chunks(self) -> Iterator[bytes]:
        load, skip, sent = self.load, self.skip, self.sent
        convert = load.conversions.row
        special = _PG_SPECIAL
        plain = load.plain
        block: List[str] = []
        size = 0
        recent: Dict[int, str] = {}
        for index, obj in enumerate(load.objects):
            if self.stopped:
                break
            base = index << _LINE_BITS
            for record in load.records(obj):
                key = base | record.line
                if key in skip:
                    continue
                fields = record.fields
                try:
                    if isinstance(fields, LoadError):
                        raise fields
                    values = convert(fields, record.raw)
                except LoadError as error:
                    self.rejected.append(load.rejected(key, record.raw, error))
                    if len(self.rejected) + len(skip) >= load.limit:
                        # PostgreSQL still checks the rows sent, so a row it refuses before
                        # this one is reported too, as the first error
                        self.stopped = True
                        break
                    continue
                if plain(record.raw):
                    line = "\t".join(["\\N" if v is None else v for v in values])
                else:
                    line = "\t".join(["\\N" if v is None else v.translate(special) for v in values])
                block.append(line)
                sent.append(key)
                recent[key] = record.raw
                size += len(line) + 1
                if size >= SEND_CHARS:
                    self.recent = recent
                    yield ("\n".join(block) + "\n").encode("utf-8", "surrogateescape")
                    block, size, recent = [], 0, dict(list(recent.items())[-4096:])
        self.recent = recent
        if block:
            yield ("\n".join(block) + "\n").encode("utf-8", "surrogateescape")
