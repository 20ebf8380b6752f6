"""COPY table [(columns)] FROM 's3://...' against local S3.

Sources: every object whose key starts with the FROM prefix (COPY's prefix match), or
the entries of a manifest (MANIFEST; a missing entry fails only if it is mandatory).
https://docs.aws.amazon.com/redshift/latest/dg/copy-parameters-data-source-s3.html

Formats:
- Text (default, pipe-delimited) and CSV stream, decompressed on the fly, into a
  temporary staging table of text columns through PostgreSQL's CSV reader (text uses a
  quote character that cannot occur, so nothing is unquoted and backslashes stay data,
  as in Redshift's text format without ESCAPE). One INSERT ... SELECT then converts into
  the target with Redshift's rules: an empty field is NULL in a non-character column
  and '' in a character one, unless EMPTYASNULL/BLANKSASNULL
  (https://docs.aws.amazon.com/redshift/latest/dg/r_UNLOAD_command_examples.html, NULL AS).
- JSON 'auto' ['ignorecase']: objects streamed one at a time; keys matched to column
  names; nested values kept as JSON text.
- Parquet: columns by position, through parquet_load.
The whole COPY is one statement: if any file fails, no row of any file stays.
"""

import itertools
import json
from typing import Any, Dict, Iterator, List, NamedTuple, Optional, Sequence

from sqlrunner.errors import EmulationError, NotEmulatedError
from sqlrunner.result import Result

from . import parquet_load, pgcopy, s3io
from .options import (
    COPY_CONVERSION_DOC,
    COPY_OPTIONS,
    COPY_REQUIREMENTS,
    COPY_RULES,
    COPY_SOURCE_DOC,
    check_rules,
    file_format,
    parse_options,
)
from .words import Words, ident, literal, qualified

_STAGING_NUMBERS = itertools.count(1)
CODECS = {"GZIP": "gzip", "BZIP2": "bz2", "ZSTD": "zstd"}
# A quote character for PostgreSQL's CSV reader that text data cannot contain (NUL is
# not valid in PostgreSQL text either), so Redshift text fields are taken verbatim.
TEXT_QUOTE = "\x01"
CHARACTER_CATEGORY = "S"  # pg_type.typcategory of char/varchar/text
ACCEPTED_DATEFORMATS = ("auto", "YYYY-MM-DD")
ACCEPTED_TIMEFORMATS = ("auto", "YYYY-MM-DD HH:MI:SS")


class TableColumn(NamedTuple):
    name: str
    type_sql: str
    category: str  # pg_type.typcategory
    max_bytes: Optional[int]


def copy(db: Any, s3: Any, sql: str) -> Result:
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
    options = parse_options(words, COPY_OPTIONS, "COPY")
    check_rules(options, COPY_RULES, COPY_REQUIREMENTS, "COPY")
    _check_conversions(options)
    target = qualified(schema, table)
    columns = _table_columns(db, target, names)
    objects = _sources(s3, source, "MANIFEST" in options)
    fmt = file_format(options)
    if fmt == "PARQUET":
        targets = [parquet_load.TargetColumn(c.name, None) for c in columns]
        rows = parquet_load.load(
            db.raw, s3, objects, target, targets, by_name=False, surplus="DISABLED", what="COPY"
        )
    else:
        rows = _copy_via_staging(db, s3, target, columns, objects, fmt, options)
    return Result(rows, f"from {len(objects)} file(s)")


def _check_conversions(options: Dict[str, Any]) -> None:
    for key, accepted in (
        ("DATEFORMAT", ACCEPTED_DATEFORMATS),
        ("TIMEFORMAT", ACCEPTED_TIMEFORMATS),
    ):
        if key in options and options[key] not in accepted:
            raise NotEmulatedError(f"not emulated locally: COPY {key} {options[key]!r}")
    if options.get("ENCODING", "UTF8") not in ("UTF8",):
        raise NotEmulatedError(f"not emulated locally: COPY ENCODING {options['ENCODING']}")


def _table_columns(db: Any, target: str, names: Optional[List[str]]) -> List[TableColumn]:
    rows = db.fetch(
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod), t.typcategory,"
        " CASE WHEN a.atttypmod > 4 AND t.typcategory = 'S' THEN a.atttypmod - 4 END"
        f" FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid"
        f" WHERE a.attrelid = {literal(target)}::regclass AND a.attnum > 0 AND NOT a.attisdropped"
        " ORDER BY a.attnum"
    )
    columns = [
        TableColumn(name, type_sql, category, width) for name, type_sql, category, width in rows
    ]
    if names is None:
        return columns
    by_name = {c.name: c for c in columns}
    missing = [n for n in names if n not in by_name]
    if missing:
        raise EmulationError(f'COPY: column "{missing[0]}" of relation {target} does not exist')
    return [by_name[n] for n in names]


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


def _copy_via_staging(
    db: Any,
    s3: Any,
    target: str,
    columns: Sequence[TableColumn],
    objects: Sequence[s3io.S3Object],
    fmt: str,
    options: Dict[str, Any],
) -> int:
    staging = f"sqlrunner_copy_{next(_STAGING_NUMBERS)}"
    own = not pgcopy.in_transaction(db.raw)
    if own:
        db.query("BEGIN")
    try:
        db.query(
            f"CREATE TEMP TABLE {staging} ({', '.join(f'c{i} text' for i in range(len(columns)))})"
            " ON COMMIT DROP"
        )
        null = options.get("NULL", "\\N")
        if fmt == "JSON":
            copy_sql = f"COPY {staging} FROM STDIN WITH (FORMAT csv)"
            chunks = _json_rows(s3, objects, columns, options.get("FORMAT_ARG", "auto"))
        else:
            delimiter = options.get("DELIMITER", "," if fmt == "CSV" else "|")
            if len(delimiter) != 1:
                raise EmulationError(f"COPY: DELIMITER must be one character, not {delimiter!r}")
            quote = options.get("FORMAT_ARG", '"') if fmt == "CSV" else TEXT_QUOTE
            copy_sql = (
                f"COPY {staging} FROM STDIN WITH (FORMAT csv, DELIMITER {literal(delimiter)},"
                f" QUOTE {literal(quote)}, NULL {literal(null)})"
            )
            codec = CODECS.get(options.get("COMPRESSION", ""))
            chunks = _text_chunks(s3, objects, codec, options.get("IGNOREHEADER", 0))
        pgcopy.copy_in(db.raw, copy_sql, chunks)
        converted = ", ".join(
            _convert(f"c{i}", column, options) for i, column in enumerate(columns)
        )
        result = db.query(
            f"INSERT INTO {target} ({', '.join(ident(c.name) for c in columns)})"
            f" SELECT {converted} FROM {staging}"
        )
        if own:
            db.query("COMMIT")
        else:
            db.query(f"DROP TABLE {staging}")
    except BaseException:
        if own:
            db.query("ROLLBACK")
        raise
    return result.rows or 0


def _convert(field: str, column: TableColumn, options: Dict[str, Any]) -> str:
    """The staging text field as the target column's value, with Redshift's empty-field
    rules (COPY_CONVERSION_DOC: EMPTYASNULL, BLANKSASNULL)."""
    if column.category == CHARACTER_CATEGORY:
        if "BLANKSASNULL" in options:
            field = f"CASE WHEN btrim({field}) = '' THEN NULL ELSE {field} END"
        elif "EMPTYASNULL" in options:
            field = f"NULLIF({field}, '')"
        return f"CAST({field} AS {column.type_sql})"
    return f"CAST(NULLIF({field}, '') AS {column.type_sql})"


def _text_chunks(
    s3: Any, objects: Sequence[s3io.S3Object], codec: Optional[str], skip_lines: int
) -> Iterator[bytes]:
    for obj in objects:
        remaining = skip_lines
        last = b""
        for chunk in s3io.read_chunks(s3, obj, codec, "COPY"):
            while remaining and chunk:
                newline = chunk.find(b"\n")
                if newline < 0:
                    chunk = b""
                    break
                chunk = chunk[newline + 1 :]
                remaining -= 1
            if chunk:
                last = chunk[-1:]
                yield chunk
        if last and last != b"\n":
            yield b"\n"  # the next file starts on its own line


def _json_rows(
    s3: Any, objects: Sequence[s3io.S3Object], columns: Sequence[TableColumn], spec: str
) -> Iterator[bytes]:
    decoder = json.JSONDecoder()
    ignore_case = spec == "auto ignorecase"
    batch: List[str] = []
    for obj in objects:
        buffer = ""
        for chunk in s3io.read_chunks(s3, obj, None, "COPY"):
            buffer += chunk.decode("utf-8")
            pos = 0
            while True:
                while pos < len(buffer) and buffer[pos] in " \t\r\n":
                    pos += 1
                if pos >= len(buffer):
                    break
                try:
                    value, end = decoder.raw_decode(buffer, pos)
                except ValueError:
                    break  # an object continues in the next chunk
                batch.append(_json_line(value, columns, ignore_case, obj))
                pos = end
            buffer = buffer[pos:]
            if len(batch) >= 10_000:
                yield "".join(batch).encode("utf-8")
                batch = []
        if buffer.strip():
            raise EmulationError(
                f"COPY: {obj.url} holds invalid JSON near {buffer.strip()[:40]!r} "
                f"({COPY_CONVERSION_DOC})"
            )
    if batch:
        yield "".join(batch).encode("utf-8")


def _json_line(
    value: Any, columns: Sequence[TableColumn], ignore_case: bool, obj: s3io.S3Object
) -> str:
    if not isinstance(value, dict):
        raise EmulationError(f"COPY: {obj.url}: JSON 'auto' needs one object per record")
    if ignore_case:
        value = {str(k).lower(): v for k, v in value.items()}
    fields = []
    for column in columns:
        item = value.get(column.name)
        if item is None:
            fields.append("")
            continue
        if isinstance(item, bool):
            text = "true" if item else "false"
        elif isinstance(item, (dict, list)):
            text = json.dumps(item, separators=(",", ":"))
        else:
            text = str(item)
        fields.append('"' + text.replace('"', '""') + '"')
    return ",".join(fields) + "\n"
