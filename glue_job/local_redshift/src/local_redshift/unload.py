"""UNLOAD ('query') TO 's3://...' against local S3, with Redshift's file names and options.

How the data flows: PostgreSQL runs the query inside `COPY (...) TO STDOUT`, one row per
message (pgcopy.copy_out), and the rows stream into files that are uploaded as each
fills (s3io.OutputFile); nothing holds the whole result.

- Text and CSV take their text forms from the database (booleans t/f, dates, numbers
  exactly as Redshift prints them). PostgreSQL's text format escapes backslash, LF, CR,
  tab and the delimiter; Redshift writes them raw unless ESCAPE is given. Rows without
  a backslash are therefore already right and pass through untouched; the rare row with
  one is decoded and re-encoded field by field. PostgreSQL's CSV quoting is Redshift's
  (fields holding the delimiter, a quote, CR or LF are quoted; quotes doubled).
- Parquet: the rows come as CSV, pyarrow parses blocks of them into typed columns
  (types from the query's result columns, see PARQUET_TYPES) and writes snappy row groups.

File names follow r_UNLOAD.html: `<prefix><slice>_part_<nn>` (PARALLEL ON; the local
cluster has one slice, so every file is slice 0000 and MAXFILESIZE adds parts) or
`<prefix><nnn>` (PARALLEL OFF), then `.parquet` for Parquet or the compression's
suffix, or EXTENSION instead of either. PARTITION BY puts files under
`<prefix>/<col>=<value>/...` (Hive escaping, NULL -> __HIVE_DEFAULT_PARTITION__).
An empty result writes one empty (or header-only) text file and no Parquet file.
"""

import json
import re
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Sequence, Tuple

from sqlrunner.errors import EmulationError, NotEmulatedError
from sqlrunner.result import Result

from . import pgcopy, s3io
from .copy_records import fixed_widths
from .options import (
    UNLOAD_DOC,
    UNLOAD_OPTIONS,
    UNLOAD_REQUIREMENTS,
    UNLOAD_RULES,
    check_rules,
    file_format,
    parse_options,
)
from .words import Words, ident, literal, significant

DEFAULT_MAXFILESIZE = int(6.2 * (1 << 30))
NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"
PARQUET_BLOCK_BYTES = 16 << 20  # CSV rows parsed into one Arrow table (one row group) at a time
CODECS = {"GZIP": ("gzip", ".gz"), "BZIP2": ("bz2", ".bz2"), "ZSTD": ("zstd", ".zst")}

# PostgreSQL result type (oid) -> (Arrow type name, SQL wrapping the column for COPY).
# Redshift writes TIMESTAMPTZ as the plain timestamp ("only the timestamp values are
# unloaded", r_UNLOAD.html#unload-parquet-usage). NUMERIC with a declared precision
# becomes decimal128(p, s); PostgreSQL's unconstrained NUMERIC has none, so float64.
# Anything not listed is written as its text form.
PARQUET_TYPES: Dict[int, Tuple[str, str]] = {
    16: ("bool_", "{}"),
    20: ("int64", "{}"),
    21: ("int16", "{}"),
    23: ("int32", "{}"),
    700: ("float32", "{}"),
    701: ("float64", "{}"),
    1082: ("date32", "{}"),
    1114: ("timestamp_us", "{}"),
    1184: ("timestamp_us", "({} AT TIME ZONE 'UTC')"),
    1700: ("numeric", "{}"),
}

# Hive's FileUtils.escapePathName: these characters (and controls) become %XX in
# partition folder names, as in UNLOAD's "Apache Hive convention".
_HIVE_ESCAPED = frozenset("\"#%'*/:=?\\{[]^\x7f")
_PG_ESCAPES = {b"b": b"\b", b"f": b"\f", b"n": b"\n", b"r": b"\r", b"t": b"\t", b"v": b"\v"}
_PG_ESCAPE = re.compile(rb"\\(.)", re.S)


class Column:
    def __init__(self, position: int, name: str, oid: int, modifier: int) -> None:
        self.position, self.name, self.oid, self.modifier = position, name, oid, modifier
        self.alias = f"c{position}"


class UnloadCommand(NamedTuple):
    query: str
    url: str
    options: Dict[str, Any]

    @property
    def format(self) -> str:
        return "FIXEDWIDTH" if "FIXEDWIDTH" in self.options else file_format(self.options)


def parse(sql: str) -> UnloadCommand:
    """The statement, checked as far as it can be without the database or S3: raises
    NotEmulatedError for what is not emulated, EmulationError for what Redshift refuses."""
    words = Words(sql, "UNLOAD")
    words.expect("UNLOAD")
    inside = words.group()
    if len(inside) != 1 or inside[0].kind != "string":
        raise EmulationError("UNLOAD: the query must be one quoted string: UNLOAD ('select ...')")
    from sqlrunner.lexer import string_value

    query = string_value(inside[0].text)
    words.expect("TO")
    url = words.string()
    options = parse_options(words, UNLOAD_OPTIONS, "UNLOAD")
    check_rules(options, UNLOAD_RULES, UNLOAD_REQUIREMENTS, "UNLOAD")
    command = UnloadCommand(query, url, options)
    if command.format in ("JSON", "FIXEDWIDTH") and "PARTITION_BY" in options:
        raise NotEmulatedError(f"not emulated locally: UNLOAD {command.format} PARTITION BY")
    if "FIXEDWIDTH" in options:
        fixed_widths(options["FIXEDWIDTH"], 0)
    _refuse_outer_limit(query)
    s3io.parse_url(url, "UNLOAD")
    return command


def unload(db: Any, s3: Any, sql: str, prepare: Callable[[str], None]) -> Result:
    """Run one UNLOAD statement. `prepare(query)` readies external tables the query reads."""
    command = parse(sql)
    query, options, fmt = command.query, command.options, command.format
    prepare(query)
    bucket, prefix = s3io.parse_url(command.url, "UNLOAD")
    columns = [
        Column(i, name, oid, mod)
        for i, (name, oid, mod) in enumerate(pgcopy.columns_of(db.raw, query))
    ]
    plan = Plan(bucket, prefix, fmt, options, columns)
    plan.prepare_target(s3)
    if fmt == "PARQUET":
        rows = _write_parquet(db, s3, plan, query)
    elif fmt in ("JSON", "FIXEDWIDTH"):
        rows = _write_lines(db, s3, plan, query)
    else:
        rows = _write_text(db, s3, plan, query)
    if "MANIFEST" in options:
        _write_manifest(db, s3, plan)
    size = sum(f.size for f in plan.written)
    return Result(
        rows, f"{len(plan.written)} file(s), {size:,} bytes to s3://{bucket}/{plan.prefix}"
    )


def _refuse_outer_limit(query: str) -> None:
    """Redshift refuses LIMIT in the UNLOAD query's outer SELECT
    (r_UNLOAD.html#unload-usage-limit-clause)."""
    depth = 0
    for token in significant(query):
        if token.kind == "op" and token.text == "(":
            depth += 1
        elif token.kind == "op" and token.text == ")":
            depth -= 1
        elif depth == 0 and token.kind == "word" and token.text.upper() == "LIMIT":
            raise EmulationError(
                "UNLOAD: the query can't use LIMIT in its outer SELECT; nest it in a subquery "
                f"({UNLOAD_DOC}#unload-usage-limit-clause)"
            )


class Plan:
    """Where files go and what they are called, for one UNLOAD."""

    def __init__(
        self, bucket: str, prefix: str, fmt: str, options: Dict[str, Any], columns: List[Column]
    ) -> None:
        self.bucket, self.fmt, self.options, self.columns = bucket, fmt, options, columns
        partition = options.get("PARTITION_BY")
        self.partition_by: List[Column] = []
        self.include = False
        if partition is not None:
            names, self.include = partition
            by_name = {c.name: c for c in columns}
            for name in names:
                if name not in by_name:
                    raise EmulationError(
                        f"UNLOAD: PARTITION BY column {name!r} is not in the query's result "
                        f"({UNLOAD_DOC}#unload-partitionby)"
                    )
                self.partition_by.append(by_name[name])
            if prefix and not prefix.endswith("/"):
                prefix += "/"  # "a forward slash (/) is automatically added" (r_UNLOAD.html)
        self.prefix = prefix
        partitioned = {c.position for c in self.partition_by}
        self.data_columns = [c for c in columns if self.include or c.position not in partitioned]
        if not self.data_columns:
            raise EmulationError(
                "UNLOAD: PARTITION BY needs at least one column that is not a partition column "
                f"({UNLOAD_DOC}#unload-partitionby-usage)"
            )
        self.parallel = options.get("PARALLEL", True)
        self.max_size = options.get("MAXFILESIZE", DEFAULT_MAXFILESIZE)
        codec = options.get("COMPRESSION")
        self.codec = CODECS[codec][0] if codec else None
        suffix = ".parquet" if fmt == "PARQUET" else (CODECS[codec][1] if codec else "")
        if "EXTENSION" in options:
            suffix = "." + options["EXTENSION"].lstrip(".")
        self.suffix = suffix
        self.written: List[s3io.OutputFile] = []
        self.cleaned: set = set()

    def key(self, folder: str, part: int) -> str:
        name = f"0000_part_{part:02d}" if self.parallel else f"{part:03d}"
        return f"{self.prefix}{folder}{name}{self.suffix}"

    @property
    def manifest_key(self) -> str:
        return f"{self.prefix}manifest"

    def _ours(self) -> "re.Pattern[str]":
        folders = r"(?:[^/]+=[^/]*/)+" if self.partition_by else ""
        name = r"\d{4}_part_\d{2}" if self.parallel else r"\d{3}"
        return re.compile(
            rf"{re.escape(self.prefix)}(?:{folders}{name}{re.escape(self.suffix)}|manifest)\Z"
        )

    def prepare_target(self, s3: Any) -> None:
        """CLEANPATH empties the prefix (partitioned: each folder on first use, see
        `open`); otherwise any file this UNLOAD could write must not exist unless
        ALLOWOVERWRITE."""
        if "CLEANPATH" in self.options:
            if not self.partition_by:
                keys = [o.key for o in s3io.list_objects(s3, self.bucket, self.prefix, "UNLOAD")]
                s3io.delete(s3, self.bucket, keys)
            return
        if "ALLOWOVERWRITE" in self.options:
            return
        ours = self._ours()
        for obj in s3io.list_objects(s3, self.bucket, self.prefix, "UNLOAD"):
            if ours.match(obj.key):
                raise EmulationError(
                    f"UNLOAD: {obj.url} already exists; add ALLOWOVERWRITE or CLEANPATH to "
                    "replace it "
                    f"({UNLOAD_DOC}#allowoverwrite)"
                )

    def open(self, s3: Any, folder: str, part: int) -> s3io.OutputFile:
        if folder and "CLEANPATH" in self.options and folder not in self.cleaned:
            self.cleaned.add(folder)
            stale = s3io.list_objects(s3, self.bucket, self.prefix + folder, "UNLOAD")
            s3io.delete(s3, self.bucket, [o.key for o in stale])
        return s3io.OutputFile(s3, self.bucket, self.key(folder, part), self.codec)

    def done(self, output: s3io.OutputFile) -> None:
        output.close()
        self.written.append(output)


def hive_folder(names: Sequence[str], values: Sequence[Optional[str]]) -> str:
    parts = []
    for name, value in ((name, values[i]) for i, name in enumerate(names)):
        text = (
            NULL_PARTITION
            if value is None
            else "".join(
                f"%{ord(ch):02X}" if ch in _HIVE_ESCAPED or ord(ch) < 32 else ch for ch in value
            )
        )
        parts.append(f"{_hive_escape(name)}={text}/")
    return "".join(parts)


def _hive_escape(text: str) -> str:
    return "".join(f"%{ord(ch):02X}" if ch in _HIVE_ESCAPED or ord(ch) < 32 else ch for ch in text)


def _partition_selects(plan: Plan) -> List[str]:
    """Leading COPY columns carrying each partition value: NULL as '' and any value as
    '=' + its text form, so NULL and the empty string stay apart in every format."""
    return [f"coalesce('=' || {c.alias}::text, '')" for c in plan.partition_by]


def _partition_values(fields: Sequence[bytes]) -> Tuple[Optional[str], ...]:
    return tuple(f.decode("utf-8")[1:] if f else None for f in fields)


# --- text and CSV


class _TextFiles:
    """The open file of each partition folder, rolling to a new part past MAXFILESIZE.
    Rows arrive in blocks; a block goes to its file in one write unless it would cross
    MAXFILESIZE, in which case it is split at a row boundary."""

    def __init__(self, s3: Any, plan: Plan, header: bytes) -> None:
        self.s3, self.plan, self.header = s3, plan, header
        self.open: Dict[str, s3io.OutputFile] = {}
        self.parts: Dict[str, int] = {}

    def file(self, folder: str) -> s3io.OutputFile:
        output = self.open.get(folder)
        if output is None:
            part = self.parts.get(folder, 0)
            self.parts[folder] = part + 1
            output = self.plan.open(self.s3, folder, part)
            self.open[folder] = output
            if self.header:
                output.write(self.header)
                output.records += 1
        return output

    def write(self, folder: str, rows: Sequence[bytes], block: Optional[bytes] = None) -> None:
        output = self.file(folder)
        block = b"".join(rows) if block is None else block
        room = self.plan.max_size - output.size
        if len(block) <= room or (
            output.compressor is not None and output.size < self.plan.max_size
        ):
            # compressed files are checked per block: their size is only known after writing
            output.write(block)
            output.records += len(rows)
            return
        taken, size = 0, 0
        while taken < len(rows) and size + len(rows[taken]) <= room:
            size += len(rows[taken])
            taken += 1
        if taken == 0 and output.records <= (1 if self.header else 0):
            taken, size = 1, len(rows[0])  # a row larger than MAXFILESIZE still needs a file
        if taken:
            output.write(block[:size])
            output.records += taken
        self.close(folder)
        if taken < len(rows):
            self.write(folder, rows[taken:], block[size:])

    def close(self, folder: str) -> None:
        self.plan.done(self.open.pop(folder))

    def close_all(self) -> None:
        for folder in list(self.open):
            self.close(folder)


def _write_text(db: Any, s3: Any, plan: Plan, query: str) -> int:
    csv = plan.fmt == "CSV"
    delimiter = plan.options.get("DELIMITER", "," if csv else "|")
    if len(delimiter) != 1 or ord(delimiter) > 127:
        raise EmulationError(
            f"UNLOAD: DELIMITER must be one ASCII character, not {delimiter!r} "
            f"({UNLOAD_DOC}#unload-delimiter)"
        )
    null = plan.options.get("NULL", "")
    escape = "ESCAPE" in plan.options
    quote = "ADDQUOTES" in plan.options
    names = [c.name for c in plan.data_columns]
    header = b""
    if "HEADER" in plan.options:
        line = _csv_line(names, delimiter) if csv else _text_line(names, delimiter, escape)
        header = line.encode("utf-8")
    selects = _partition_selects(plan) + [c.alias for c in plan.data_columns]
    options = (
        f"FORMAT {'csv' if csv else 'text'}, DELIMITER {literal(delimiter)}, NULL {literal(null)}"
    )
    copy_sql = f"COPY ({_select(plan, query, selects)}) TO STDOUT WITH ({options})"
    files = _TextFiles(s3, plan, header)
    keys = len(plan.partition_by)
    delim = delimiter.encode("utf-8")
    null_bytes = null.encode("utf-8")
    folders: Dict[Tuple[Optional[str], ...], str] = {}
    part_names = [c.name for c in plan.partition_by]
    if not keys:
        files.file("")  # an empty result still writes one (empty or header-only) file
    rows = 0
    for block in pgcopy.copy_out(db.raw, copy_sql):
        rows += len(block)
        if not keys:
            joined = b"".join(block)
            if quote:
                block = [
                    _redshift_text(_pg_text_fields(r, delim), delim, null_bytes, escape, quote)
                    for r in block
                ]
                joined = b"".join(block)
            elif not csv and b"\\" in joined:  # only such rows differ from Redshift's text
                block = [
                    _redshift_text(_pg_text_fields(r, delim), delim, null_bytes, escape)
                    if b"\\" in r
                    else r
                    for r in block
                ]
                joined = b"".join(block)
            files.write("", block, joined)
            continue
        by_folder: Dict[str, List[bytes]] = {}
        for row in block:
            values, data = _split_partition(row, delim, keys, csv, null_bytes, escape, quote)
            folder = folders.get(values)
            if folder is None:
                folder = folders[values] = hive_folder(part_names, values)
            by_folder.setdefault(folder, []).append(data)
        for folder, folder_rows in by_folder.items():
            files.write(folder, folder_rows)
    files.close_all()
    return rows


# Result types written as JSON text rather than by json_build_object's own rules:
# booleans as "t"/"f" (r_UNLOAD.html#unload-csv), dates and times in their text form.
_JSON_AS_TEXT = {16: "CASE WHEN {0} THEN 't' WHEN NOT {0} THEN 'f' END"}
_JSON_TEXT_TYPES = (1082, 1083, 1114, 1184, 1266)
# One field per line for COPY CSV: characters json_build_object escapes and rpad's
# output never holds, so the lines come out as they are.
_LINE_COPY = "WITH (FORMAT csv, DELIMITER E'\\x02', QUOTE E'\\x01')"


def _write_lines(db: Any, s3: Any, plan: Plan, query: str) -> int:
    """FORMAT JSON and FIXEDWIDTH: PostgreSQL builds each line; files roll as for text."""
    if plan.fmt == "JSON":
        names = [c.name for c in plan.data_columns]
        if len(set(names)) != len(names):
            raise EmulationError(
                "UNLOAD: JSON needs each column of the query to have a unique name "
                f"({UNLOAD_DOC}#unload-csv)"
            )
        pairs = []
        for c in plan.data_columns:
            value = _JSON_AS_TEXT.get(c.oid, "{0}").format(c.alias)
            if c.oid in _JSON_TEXT_TYPES:
                value = f"{c.alias}::text"
            pairs.append(f"{literal(c.name)}, {value}")
        selects = ["'f'", f"json_build_object({', '.join(pairs)})::text"]
    else:
        widths = fixed_widths(plan.options["FIXEDWIDTH"], len(plan.data_columns))
        null = literal(plan.options.get("NULL", ""))
        fields = [f"coalesce({c.alias}::text, {null})" for c in plan.data_columns]
        too_long = " OR ".join(f"length({f}) > {widths[i]}" for i, f in enumerate(fields))
        padded = " || ".join(f"rpad({f}, {widths[i]})" for i, f in enumerate(fields))
        selects = [f"CASE WHEN {too_long} THEN 't' ELSE 'f' END", padded]
    copy_sql = f"COPY ({_select(plan, query, selects)}) TO STDOUT {_LINE_COPY}"
    files = _TextFiles(s3, plan, b"")
    if plan.fmt != "JSON":
        files.file("")  # zero rows still write one empty file; JSON writes none
    rows = 0
    for block in pgcopy.copy_out(db.raw, copy_sql):
        if plan.fmt == "FIXEDWIDTH" and any(row[:1] == b"t" for row in block):
            raise EmulationError(
                "UNLOAD: a value is longer than its FIXEDWIDTH width (FIXEDWIDTH doesn't "
                f"truncate data) ({UNLOAD_DOC}#unload-fixedwidth)"
            )
        rows += len(block)
        files.write("", [row[2:] for row in block])
    files.close_all()
    return rows


def _select(plan: Plan, query: str, selects: Sequence[str]) -> str:
    aliases = ", ".join(c.alias for c in plan.columns)
    return f"SELECT {', '.join(selects)} FROM ({query}\n) AS sqlrunner_q({aliases})"


def _split_partition(
    row: bytes, delim: bytes, keys: int, csv: bool, null: bytes, escape: bool, quote: bool = False
) -> Tuple[Tuple[Optional[str], ...], bytes]:
    """The partition values leading the row, and the row's data part (as written)."""
    if csv:
        if not row.startswith(b'"') and all(
            not f.startswith(b'"') for f in row.split(delim, keys)[:keys]
        ):
            fields = row.split(delim, keys)
            return _partition_values(fields[:keys]), fields[keys]
        text = row.decode("utf-8")
        values, pos = [], 0
        for _ in range(keys):
            end = _csv_field_end(text, pos, delim.decode())
            field = text[pos:end]
            if field.startswith('"'):
                field = field[1:-1].replace('""', '"')
            values.append(field.encode("utf-8"))
            pos = end + 1
        return _partition_values(values), text[pos:].encode("utf-8")
    if b"\\" not in row and not quote:
        fields = row.split(delim, keys)
        return _partition_values(fields[:keys]), fields[keys]
    fields = _pg_text_fields(row, delim)
    values = [_pg_unescape(f) for f in fields[:keys]]
    return _partition_values(values), _redshift_text(fields[keys:], delim, null, escape, quote)


def _csv_field_end(text: str, start: int, delim: str) -> int:
    if text.startswith('"', start):
        pos = start + 1
        while True:
            pos = text.index('"', pos)
            if not text.startswith('"', pos + 1):
                return pos + 1
            pos += 2
    end = text.find(delim, start)
    return len(text) if end < 0 else end


def _pg_unescape(field: bytes) -> bytes:
    return _PG_ESCAPE.sub(lambda m: _PG_ESCAPES.get(m.group(1), m.group(1)), field)


def _redshift_text(
    fields: Sequence[bytes], delim: bytes, null: bytes, escape: bool, quote: bool = False
) -> bytes:
    """PostgreSQL text-format fields re-encoded as Redshift writes them: raw values, or
    with ESCAPE a backslash before LF, CR, the delimiter and backslash (and quotation
    marks with ADDQUOTES), each non-NULL field in double quotes with ADDQUOTES
    (r_UNLOAD.html#unload-escape, #unload-addquotes)."""
    out = []
    specials = rb"\\\n\r" + re.escape(delim) + (rb"\"'" if quote else b"")
    special = re.compile(rb"([" + specials + rb"])")
    for field in fields:
        if field == null:
            out.append(null)
            continue
        value = _pg_unescape(field)
        if escape:
            value = special.sub(rb"\\\1", value)
        out.append(b'"' + value + b'"' if quote else value)
    return delim.join(out) + b"\n"


def _pg_text_fields(row: bytes, delim: bytes) -> List[bytes]:
    """Split a PostgreSQL text-format row (newline included) at unescaped delimiters."""
    if row.endswith(b"\n"):
        row = row[:-1]
    fields, start, pos, end = [], 0, 0, len(row)
    d = delim[0]
    while pos < end:
        byte = row[pos]
        if byte == 0x5C:  # backslash: the next byte is escaped
            pos += 2
        elif byte == d:
            fields.append(row[start:pos])
            pos += 1
            start = pos
        else:
            pos += 1
    fields.append(row[start:])
    return fields


def _text_line(names: Sequence[str], delimiter: str, escape: bool) -> str:
    if escape:
        names = [re.sub(r"([\\\n\r" + re.escape(delimiter) + r"])", r"\\\1", n) for n in names]
    return delimiter.join(names) + "\n"


def _csv_line(names: Sequence[str], delimiter: str) -> str:
    def quote(name: str) -> str:
        if any(ch in name for ch in (delimiter, '"', "\n", "\r")):
            return '"' + name.replace('"', '""') + '"'
        return name

    return delimiter.join(quote(n) for n in names) + "\n"


# --- Parquet


def _arrow_type(pa: Any, column: Column) -> Any:
    kind = PARQUET_TYPES.get(column.oid, ("string", "{}"))[0]
    if kind == "numeric":
        if column.modifier >= 4:
            precision, scale = (column.modifier - 4) >> 16, (column.modifier - 4) & 0xFFFF
            return pa.decimal128(precision, scale)
        return pa.float64()
    if kind == "timestamp_us":
        return pa.timestamp("us")
    return getattr(pa, kind)()


def _write_parquet(db: Any, s3: Any, plan: Plan, query: str) -> int:
    import io

    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    keys = len(plan.partition_by)
    key_names = [f"p{i}" for i in range(keys)]
    data_names = [c.alias for c in plan.data_columns]
    types = {c.alias: _arrow_type(pa, c) for c in plan.data_columns}
    types.update({name: pa.string() for name in key_names})
    schema = pa.schema([(c.name, types[c.alias]) for c in plan.data_columns])
    wrapped = [PARQUET_TYPES.get(c.oid, ("", "{}"))[1].format(c.alias) for c in plan.data_columns]
    selects = _partition_selects(plan) + [
        f"{expr} AS {ident(c.alias)}" if expr != c.alias else c.alias
        for expr, c in ((wrapped[i], c) for i, c in enumerate(plan.data_columns))
    ]
    copy_sql = f"COPY ({_select(plan, query, selects)}) TO STDOUT WITH (FORMAT csv)"
    # One thread: the block is parsed while the next is read from PostgreSQL, on a
    # machine the database and the local S3 share; pyarrow's parallel parse of a 16 MB
    # block took 1.5x the time of a serial one there (and quoted newlines serialise it).
    read_options = pacsv.ReadOptions(column_names=key_names + data_names, use_threads=False)
    parse_options = pacsv.ParseOptions(newlines_in_values=True)
    convert_options = pacsv.ConvertOptions(
        column_types=types,
        null_values=[""],
        strings_can_be_null=True,
        quoted_strings_can_be_null=False,
        true_values=["t"],
        false_values=["f"],
    )
    writers: Dict[str, Tuple[Any, s3io.OutputFile]] = {}
    parts: Dict[str, int] = {}
    part_names = [c.name for c in plan.partition_by]

    def write(folder: str, table: Any) -> None:
        entry = writers.get(folder)
        if entry is None:
            part = parts.get(folder, 0)
            parts[folder] = part + 1
            output = plan.open(s3, folder, part)
            entry = (pq.ParquetWriter(output, schema, compression="snappy"), output)
            writers[folder] = entry
        writer, output = entry
        writer.write_table(table.rename_columns(schema.names).cast(schema))
        output.records += table.num_rows
        if output.size >= plan.max_size:
            finish(folder)

    def finish(folder: str) -> None:
        writer, output = writers.pop(folder)
        writer.close()
        plan.done(output)

    def parse(block: List[bytes]) -> Any:
        return pacsv.read_csv(
            io.BytesIO(b"".join(block)),
            read_options=read_options,
            parse_options=parse_options,
            convert_options=convert_options,
        )

    def store(table: Any) -> None:
        if not keys:
            write("", table.select(data_names))
            return
        # one write per partition folder present in the block (values: '' = NULL, '=v')
        for combo in table.select(key_names).group_by(key_names).aggregate([]).to_pylist():
            mask = None
            for name in key_names:
                test = pc.equal(table[name], combo[name])
                mask = test if mask is None else pc.and_(mask, test)
            values = tuple(combo[n][1:] if combo[n] else None for n in key_names)
            write(hive_folder(part_names, values), table.filter(mask).select(data_names))

    # A pipeline of three threads, each block passing through in order: this one reads
    # rows from PostgreSQL, one parses the previous block's CSV into Arrow, one encodes
    # the block before that as Parquet (pyarrow works outside the GIL). Parsing and
    # encoding in one worker made that worker the bottleneck (bench/redshift_emulation).
    rows = 0
    parsing: Optional[Future] = None
    storing: Optional[Future] = None
    with (
        ThreadPoolExecutor(1, "sqlrunner-csv") as parser,
        ThreadPoolExecutor(1, "sqlrunner-parquet") as encoder,
    ):

        def hand_on(parsed: Future) -> Future:
            table = parsed.result()
            if storing is not None:
                storing.result()
            return encoder.submit(store, table)

        for block in pgcopy.copy_out(db.raw, copy_sql, PARQUET_BLOCK_BYTES):
            rows += len(block)
            if parsing is not None:
                storing = hand_on(parsing)
            parsing = parser.submit(parse, block)
        if parsing is not None:
            storing = hand_on(parsing)
        if storing is not None:
            storing.result()
    for folder in list(writers):
        finish(folder)
    return rows


# --- manifest


def _write_manifest(db: Any, s3: Any, plan: Plan) -> None:
    """`<prefix>manifest`: entries[].url, and with VERBOSE per-file meta, the schema, the
    totals and the author (r_UNLOAD.html#unload-manifest, r_UNLOAD_command_examples.html)."""
    verbose = plan.options["MANIFEST"] == "VERBOSE"
    entries = []
    for output in plan.written:
        entry: Dict[str, Any] = {"url": output.url}
        if verbose:
            entry["meta"] = {"content_length": output.size, "record_count": output.records}
        entries.append(entry)
    manifest: Dict[str, Any] = {"entries": entries}
    if verbose:
        manifest["schema"] = {"elements": _schema_elements(db, plan.data_columns)}
        manifest["meta"] = {
            "content_length": sum(o.size for o in plan.written),
            "record_count": sum(o.records for o in plan.written),
        }
        manifest["author"] = {"name": "Amazon Redshift", "version": "1.0.0"}
    body = json.dumps(manifest, indent=2).encode("utf-8")
    s3io.put_bytes(s3, plan.bucket, plan.manifest_key, body)


def _schema_elements(db: Any, columns: Sequence[Column]) -> List[Dict[str, Any]]:
    if not columns:
        return []
    oids = ", ".join(str(c.oid) for c in columns)
    mods = ", ".join(str(c.modifier) for c in columns)
    types = db.fetch(
        f"SELECT format_type(t.o, t.m) FROM unnest(ARRAY[{oids}]::oid[], ARRAY[{mods}]::int[])"
        " WITH ORDINALITY AS t(o, m, n) ORDER BY t.n"
    )
    elements = []
    for column, (type_name,) in ((c, types[i]) for i, c in enumerate(columns)):
        base, _, dims = type_name.partition("(")
        spec: Dict[str, Any] = {"base": base.strip()}
        numbers = [int(n) for n in re.findall(r"\d+", dims)]
        if numbers and spec["base"] in ("character varying", "character"):
            spec["max_length"] = numbers[0]
        elif numbers and spec["base"] == "numeric":
            spec["precision"], spec["scale"] = numbers[0], numbers[1] if len(numbers) > 1 else 0
        elements.append({"name": column.name, "type": spec})
    return elements
