"""COPY's input files as records: each with its line number, its raw text and its fields
(or the load error that rejects it), for the text, CSV, FIXEDWIDTH and JSON formats.

Redshift's rules (copy-parameters-data-format.html, copy-parameters-data-conversion.html):
- text: one record per line, fields split at DELIMITER (default |); with ESCAPE a
  backslash makes the next character data (a delimiter, a quote, a newline, itself);
  with REMOVEQUOTES a field in '...' or "..." loses its quotes and keeps the delimiters
  inside; IGNOREBLANKLINES skips empty lines.
- CSV: RFC-4180 quoting with QUOTE (default "), records may span lines.
- FIXEDWIDTH 'label:width,...': fields cut by character counts.
- JSON: one object (or, with a JSONPaths file, array) per record; 'auto' matches keys
  to column names, 'auto ignorecase' ignoring case, a JSONPaths file maps one path per
  column; line_number is the object's last line (r_STL_LOAD_ERRORS.html).
- Field counts: one empty field past the last column (a trailing delimiter) is dropped
  (r_COPY_command_examples.html, "Load data from a file with default values"); fewer
  fields fail with "Delimiter not found" unless FILLRECORD, more with "Extra column(s)
  found".

Invalid UTF-8 bytes are kept as lone surrogates (surrogateescape) so that copy_values
can reject or replace them (ACCEPTINVCHARS).

Why by hand: the csv module reads CSV (and is used for it); nothing reads Redshift's
text format with its ESCAPE and REMOVEQUOTES rules while keeping line numbers.
"""

import codecs
import csv
import itertools
import json
import re
from typing import Any, Iterable, Iterator, List, NamedTuple, Optional, Sequence, Tuple, Union

from sqlrunner.errors import EmulationError

from .copy_values import CODES, LoadError

FORMAT_DOC = "https://docs.aws.amazon.com/redshift/latest/dg/copy-parameters-data-format.html"
Fields = List[Optional[str]]


class Record(NamedTuple):
    line: int
    raw: str
    fields: Union[Fields, LoadError]


def lines_of(chunks: Iterable[bytes]) -> Iterator[str]:
    """The text of `chunks` line by line (without the newline), decoded as UTF-8 with
    invalid bytes kept as surrogates."""
    decoder = codecs.getincrementaldecoder("utf-8")("surrogateescape")
    pending = ""
    for chunk in chunks:
        parts = (pending + decoder.decode(chunk)).split("\n")
        pending = parts.pop()
        yield from parts
    pending += decoder.decode(b"", final=True)
    if pending:
        yield pending


def skip_header(lines: Iterator[str], count: int) -> int:
    """Skip IGNOREHEADER lines; returns how many were there."""
    skipped = 0
    while skipped < count and next(lines, None) is not None:
        skipped += 1
    return skipped


def fit(fields: Fields, columns: int, fill: bool, trailing_delimiter: bool) -> Fields:
    """Redshift's field-count rules; raises LoadError."""
    if trailing_delimiter and len(fields) == columns + 1 and fields[-1] == "":
        fields.pop()
    if len(fields) > columns:
        raise LoadError(1202, CODES[1202])
    if len(fields) < columns:
        if not fill:
            raise LoadError(1214, CODES[1214])
        fields.extend([""] * (columns - len(fields)))
    return fields


# --- text


class TextFormat(NamedTuple):
    delimiter: str
    escape: bool
    remove_quotes: bool
    ignore_blank_lines: bool


def text_records(
    lines: Iterator[str], fmt: TextFormat, columns: int, fill: bool, first_line: int
) -> Iterator[Record]:
    number = first_line - 1
    for line in lines:
        number += 1
        start = number
        if fmt.escape:
            while _escaped_newline(line):
                following = next(lines, None)
                if following is None:
                    break
                number += 1
                line = line + "\n" + following
        if not line and fmt.ignore_blank_lines:
            continue
        try:
            fields = split_text(line, fmt)
            yield Record(start, line, fit(fields, columns, fill, True))
        except LoadError as error:
            yield Record(start, line, error)


def _escaped_newline(line: str) -> bool:
    trailing = len(line) - len(line.rstrip("\\"))
    return trailing % 2 == 1


def split_text(line: str, fmt: TextFormat) -> Fields:
    special = (fmt.escape and "\\" in line) or (fmt.remove_quotes and ("'" in line or '"' in line))
    if not special:
        fields: Fields = list(line.split(fmt.delimiter))
        return fields
    fields, field, at, size = [], [], 0, len(line)
    quote = None  # the quote character of the field being read, with REMOVEQUOTES
    field_start = True
    while at < size:
        ch = line[at]
        if fmt.escape and ch == "\\" and at + 1 < size:
            field.append(line[at + 1])
            at += 2
            field_start = False
            continue
        if quote is not None:
            if ch == quote:
                quote = None
            else:
                field.append(ch)
        elif fmt.remove_quotes and field_start and ch in "'\"":
            quote = ch
        elif ch == fmt.delimiter:
            fields.append("".join(field))
            field = []
            field_start = True
            at += 1
            continue
        else:
            field.append(ch)
        field_start = False
        at += 1
    if quote is not None:
        raise LoadError(1216, f"{CODES[1216]}: unterminated quoted field (REMOVEQUOTES)")
    fields.append("".join(field))
    return fields


# --- CSV


def csv_records(
    lines: Iterator[str], delimiter: str, quote: str, columns: int, fill: bool, first_line: int
) -> Iterator[Record]:
    counted = _Counted(lines)
    reader = csv.reader(counted, delimiter=delimiter, quotechar=quote, strict=True)
    while True:
        start = counted.number + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield Record(
                first_line - 1 + start, counted.last, LoadError(1216, f"{CODES[1216]}: {error}")
            )
            continue
        raw = (
            counted.last
            if counted.number == start
            else "\n".join(counted.recent[-(counted.number - start + 1) :])
        )
        try:
            yield Record(first_line - 1 + start, raw, fit(list(row), columns, fill, True))
        except LoadError as error:
            yield Record(first_line - 1 + start, raw, error)


class _Counted:
    """Lines with their newline, for csv.reader, counting them and keeping the last few
    (a record's raw text for STL_LOAD_ERRORS)."""

    def __init__(self, lines: Iterator[str]) -> None:
        self.lines, self.number, self.recent = lines, 0, []  # type: ignore[var-annotated]
        self.last = ""

    def __iter__(self) -> "_Counted":
        return self

    def __next__(self) -> str:
        line = next(self.lines)
        self.number += 1
        self.last = line
        self.recent.append(line)
        if len(self.recent) > 64:
            del self.recent[:32]
        return line + "\n"


# --- FIXEDWIDTH


def fixed_widths(spec: str, columns: int) -> List[int]:
    """'label:width,label:width' -> widths; one pair per target column."""
    widths = []
    for item in spec.split(","):
        label, colon, width = item.strip().rpartition(":")
        if not colon or not label.strip() or not width.strip().isdigit() or int(width) == 0:
            raise EmulationError(
                f"COPY: FIXEDWIDTH {spec!r}: {item.strip()!r} is not label:width "
                f"({FORMAT_DOC}#copy-fixedwidth)"
            )
        widths.append(int(width))
    if columns and len(widths) != columns:
        raise EmulationError(
            f"COPY: FIXEDWIDTH gives {len(widths)} fields for {columns} columns "
            f"({FORMAT_DOC}#copy-fixedwidth)"
        )
    return widths


def fixed_records(
    lines: Iterator[str], widths: Sequence[int], fill: bool, ignore_blank: bool, first_line: int
) -> Iterator[Record]:
    number = first_line - 1
    total = sum(widths)
    for line in lines:
        number += 1
        if line.endswith("\r"):
            line = line[:-1]
        if not line and ignore_blank:
            continue
        fields: Fields = []
        at = 0
        for width in widths:
            if at >= len(line):
                break
            fields.append(line[at : at + width])
            at += width
        if len(line) > total and line[total:].strip():
            yield Record(number, line, LoadError(1202, CODES[1202]))
            continue
        try:
            yield Record(number, line, fit(fields, len(widths), fill, False))
        except LoadError as error:
            yield Record(number, line, error)


# --- JSON


_PATH_DOT = re.compile(r"\.([^.\[\]]+)|\[(\d+)\]")
_PATH_BRACKET = re.compile(r"\[\s*(?:'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\"|(\d+))\s*\]")
Step = Union[str, int]


def parse_jsonpaths(text: bytes, url: str, columns: int) -> List[List[Step]]:
    """A JSONPaths file: {"jsonpaths": ["$.a", "$['b']", "$.c[0]", ...]}, one per column."""
    try:
        document = json.loads(text.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise EmulationError(f"COPY: JSONPaths file {url} is not valid JSON: {exc}") from None
    if not isinstance(document, dict) or not isinstance(document.get("jsonpaths"), list):
        raise EmulationError(
            f'COPY: JSONPaths file {url} must hold one object {{"jsonpaths": [...]}} '
            f"({FORMAT_DOC}#copy-json-jsonpaths)"
        )
    paths = [_json_path(p, url) for p in document["jsonpaths"]]
    if len(paths) != columns:
        raise EmulationError(
            f"COPY: JSONPaths file {url} has {len(paths)} paths for {columns} columns "
            f"({FORMAT_DOC}#copy-json-jsonpaths)"
        )
    return paths


def _json_path(path: Any, url: str) -> List[Step]:
    if not isinstance(path, str) or not path.startswith("$"):
        raise EmulationError(f"COPY: JSONPaths file {url}: {path!r} is not a JSONPath expression")
    rest = path[1:].strip()
    steps: List[Step] = []
    bracket = rest.startswith("[") and not re.match(r"\[\d+\]", rest)
    pattern = _PATH_BRACKET if bracket else _PATH_DOT
    at = 0
    while at < len(rest):
        match = pattern.match(rest, at)
        if match is None:
            raise EmulationError(
                f"COPY: JSONPaths file {url}: {path!r} mixes notations or is not a single-element "
                f"path ({FORMAT_DOC}#copy-json-jsonpath-expressions)"
            )
        if bracket:
            name, name2, index = match.groups()
            steps.append(int(index) if index is not None else (name if name is not None else name2))
        else:
            name, index = match.groups()
            steps.append(int(index) if index is not None else name)
        at = match.end()
    return steps


def json_records(
    chunks: Iterable[bytes],
    names: Sequence[str],
    spec: str,
    paths: Optional[List[List[Step]]],
) -> Iterator[Record]:
    decoder = json.JSONDecoder()
    text_decoder = codecs.getincrementaldecoder("utf-8")("surrogateescape")
    ignore_case = spec == "auto ignorecase"
    buffer, line = "", 1
    for chunk in itertools.chain(chunks, [None]):
        buffer += text_decoder.decode(chunk or b"", final=chunk is None)
        pos = 0
        while True:
            skipped = len(buffer) - len(buffer[pos:].lstrip(" \t\r\n"))
            line += buffer.count("\n", pos, skipped)
            pos = skipped
            if pos >= len(buffer):
                break
            try:
                value, end = decoder.raw_decode(buffer, pos)
            except ValueError as exc:
                if chunk is not None:
                    break  # the object may continue in the next chunk
                raw = buffer[pos:].split("\n", 1)[0]
                yield Record(line, raw, LoadError(1224, f"{CODES[1224]}: {exc}"))
                return
            raw = buffer[pos:end]
            line += raw.count("\n")
            pos = end
            yield Record(line, raw, _json_fields(value, names, ignore_case, paths))
        buffer = buffer[pos:]


def _json_fields(
    value: Any, names: Sequence[str], ignore_case: bool, paths: Optional[List[List[Step]]]
) -> Union[Fields, LoadError]:
    if paths is not None:
        if not isinstance(value, (dict, list)):
            return LoadError(1224, f"{CODES[1224]}: a record must be an object or an array")
        return [_json_text(_follow(value, steps)) for steps in paths]
    if not isinstance(value, dict):
        return LoadError(1224, f"{CODES[1224]}: JSON 'auto' needs one object per record")
    if ignore_case:
        value = {str(k).lower(): v for k, v in value.items()}
    return [_json_text(value.get(name)) for name in names]


def _follow(value: Any, steps: List[Step]) -> Any:
    for step in steps:
        if isinstance(step, int):
            if not isinstance(value, list) or step >= len(value):
                raise EmulationError(
                    "COPY: Invalid JSONPath format: Not an array or index out of range. "
                    f"({FORMAT_DOC}#copy-json-jsonpath-expressions)"
                )
            value = value[step]
        elif isinstance(value, dict):
            value = value.get(step)
        else:
            return None
        if value is None:
            return None
    return value


def _json_text(item: Any) -> Optional[str]:
    if item is None:
        return None
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, (dict, list)):
        return json.dumps(item, separators=(",", ":"), ensure_ascii=False)
    return str(item)


def json_source(spec: str) -> Tuple[str, Optional[str]]:
    """('auto' | 'auto ignorecase' | 'paths', the JSONPaths URL or None)."""
    if spec.lower() in ("auto", "auto ignorecase"):
        return spec.lower(), None
    if spec.startswith("s3://"):
        return "paths", spec
    return "auto", None  # pragma: no cover - refused while parsing the option
