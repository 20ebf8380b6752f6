"""Typed parameters: `${name}` placeholders, declared in the file's header.

    -- @param run_date date
    -- @param top_n integer default 10

A value reaches the SQL text only if it matches its type's grammar in full, and no
grammar admits a quote, a semicolon, whitespace, a comment marker or a non-ASCII
character, so a value can never change a statement's shape: it lands as one token
wherever the placeholder is (inside a string literal or not). Every check runs before
any connection is opened: an undeclared placeholder, a missing, extra or invalid value
fails the run with the name of the parameter and the line of the file.
"""

import datetime as dt
import json
import re
from typing import Any, Callable, Dict, Iterable, Iterator, List, NamedTuple, Optional

from .errors import ParamError

# Each type: a full-match grammar (ASCII only: Python's \d would accept other scripts'
# digits) and an extra semantic check where the grammar alone is not enough.
_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}\Z")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_TIMESTAMP = re.compile(
    r"(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})[ T](?P<time>[0-9]{2}:[0-9]{2}:[0-9]{2})"
    r"(?P<fraction>\.[0-9]{1,6})?(?P<zone>Z|[+-][0-9]{2}:[0-9]{2})?\Z"
)
_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]{0,18})\Z")
# Redshift names: letters, digits, _ and $, not starting with a digit, up to 127 bytes;
# up to three dot-separated parts (database.schema.table).
# https://docs.aws.amazon.com/redshift/latest/dg/r_names.html
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_$]{0,126}(?:\.[A-Za-z_][A-Za-z0-9_$]{0,126}){0,2}\Z")
# Bucket names per the S3 naming rules; keys limited to S3's "safe characters".
# https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
# https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html
_S3_URI = re.compile(r"s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](?:/[A-Za-z0-9!_.*()=/-]*)?\Z")
# Sequences that would start or end a comment if a placeholder sat outside quotes.
_S3_FORBIDDEN = ("--", "/*", "*/", "..")
_INT64 = 2**63

_PLACEHOLDER = re.compile(r"\$\{([^{}\n]*)\}")
_OPENING = "${"
_DECLARATION = re.compile(r"--\s*@param\b(?P<rest>.*)$")
_HEADER_LINE = re.compile(r"\s*(--.*)?$")


def _check_date(text: str) -> bool:
    try:
        dt.date(int(text[:4]), int(text[5:7]), int(text[8:10]))
    except ValueError:
        return False
    return int(text[:4]) >= 1


def _check_timestamp(text: str) -> bool:
    match = _TIMESTAMP.match(text)
    if not match or not _check_date(match.group("date")):
        return False
    hours, minutes, seconds = (int(part) for part in match.group("time").split(":"))
    zone = match.group("zone")
    if zone and zone != "Z" and (int(zone[1:3]) > 14 or int(zone[4:6]) > 59):
        return False
    return hours < 24 and minutes < 60 and seconds < 60


def _check_integer(text: str) -> bool:
    return -_INT64 <= int(text) < _INT64


def _check_s3_uri(text: str) -> bool:
    return not any(bad in text for bad in _S3_FORBIDDEN) and len(text) <= 1024


class ParamType(NamedTuple):
    grammar: "re.Pattern[str]"
    check: Optional[Callable[[str], bool]]
    expected: str  # for error messages


TYPES: Dict[str, ParamType] = {
    "date": ParamType(_DATE, _check_date, "a date YYYY-MM-DD"),
    "timestamp": ParamType(
        _TIMESTAMP, _check_timestamp, "a timestamp YYYY-MM-DD HH:MM:SS[.ffffff][Z|+HH:MM]"
    ),
    "integer": ParamType(_INTEGER, _check_integer, "a 64-bit integer"),
    "identifier": ParamType(
        _IDENTIFIER, None, "an unquoted identifier (letters, digits, _ or $; up to 3 parts)"
    ),
    "s3_uri": ParamType(_S3_URI, _check_s3_uri, "an s3://bucket/key URI with S3-safe characters"),
}


class Declaration(NamedTuple):
    name: str
    type: str
    default: Optional[str]
    line: int


def validate(kind: str, value: Any) -> Optional[str]:
    """The value as text if it is a valid `kind`, else None."""
    if kind == "integer" and isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    spec = TYPES[kind]
    if not spec.grammar.match(value) or (spec.check is not None and not spec.check(value)):
        return None
    return value


def parse_declarations(text: str, file: Optional[str] = None) -> Dict[str, Declaration]:
    """The `-- @param` lines of the header: the comment and blank lines before the first
    line of SQL. A declaration anywhere else is an error, not silently ignored."""
    return declarations_of(text.splitlines(), file)


def declarations_of(lines: Iterable[str], file: Optional[str] = None) -> Dict[str, Declaration]:
    """parse_declarations over the file's lines, given one at a time."""
    declarations: Dict[str, Declaration] = {}
    in_header = True
    for number, line in enumerate(lines, 1):
        if number == 1:
            line = line.lstrip("\ufeff")
        if in_header and not _HEADER_LINE.match(line):
            in_header = False
        match = _DECLARATION.match(line.strip())
        if match is None:
            continue
        if not in_header:
            raise ParamError(
                "@param declarations belong in the header comment, before the first statement",
                file=file,
                line=number,
            )
        declaration = _parse_declaration(match.group("rest"), file, number)
        if declaration.name in declarations:
            raise ParamError(
                f"parameter {declaration.name!r} is declared twice", file=file, line=number
            )
        declarations[declaration.name] = declaration
    return declarations


def lines_of(chunks: Iterable[str]) -> Iterator[str]:
    """The lines of text given in chunks (cut anywhere), without line endings."""
    carry = ""
    for chunk in chunks:
        pieces = (carry + chunk).split("\n")
        carry = pieces.pop()
        for piece in pieces:
            yield piece[:-1] if piece.endswith("\r") else piece
    if carry:
        yield carry


def _parse_declaration(rest: str, file: Optional[str], line: int) -> Declaration:
    words = rest.split()
    usage = "expected '-- @param <name> <type> [default <value>]'"
    if len(words) not in (2, 4) or (len(words) == 4 and words[2] != "default"):
        raise ParamError(usage, file=file, line=line)
    name, kind = words[0], words[1]
    if not _NAME.match(name):
        raise ParamError(
            f"parameter name {name!r} must be lower-case letters, digits and _",
            file=file,
            line=line,
        )
    if kind not in TYPES:
        raise ParamError(
            f"parameter {name!r} has unknown type {kind!r}; types: {', '.join(TYPES)}",
            file=file,
            line=line,
        )
    default = None
    if len(words) == 4:
        default = validate(kind, words[3])
        if default is None:
            raise ParamError(
                f"default of parameter {name!r} is not {TYPES[kind].expected}", file=file, line=line
            )
    return Declaration(name, kind, default, line)


def parse_values(raw: str, source: str = "--params") -> Dict[str, Any]:
    """The `--params` JSON object."""
    if raw is None or not raw.strip():
        return {}
    try:
        values = json.loads(raw)
    except ValueError as exc:
        raise ParamError(f"{source} is not valid JSON ({exc.msg} at character {exc.pos})") from None
    if not isinstance(values, dict):
        raise ParamError(f"{source} must be a JSON object of parameter names to values")
    return values


def bind(
    declarations: Dict[str, Declaration], values: Dict[str, Any], file: Optional[str] = None
) -> Dict[str, str]:
    """Validated text of every declared parameter: given values, else defaults."""
    extra = sorted(set(values) - set(declarations))
    if extra:
        declared = ", ".join(sorted(declarations)) or "none"
        raise ParamError(
            f"parameter(s) {', '.join(map(repr, extra))} given but not declared "
            f"(declared: {declared})",
            file=file,
        )
    bound: Dict[str, str] = {}
    for name, declaration in declarations.items():
        if name in values:
            text = validate(declaration.type, values[name])
            if text is None:
                raise ParamError(
                    f"value of parameter {name!r} is not {TYPES[declaration.type].expected}",
                    file=file,
                    line=declaration.line,
                )
            bound[name] = text
        elif declaration.default is not None:
            bound[name] = declaration.default
        else:
            raise ParamError(
                f"parameter {name!r} ({declaration.type}) has no value and no default",
                file=file,
                line=declaration.line,
            )
    return bound


def placeholders(
    text: str, file: Optional[str] = None, first_line: int = 1
) -> List["re.Match[str]"]:
    """Every `${...}`; a `${` that does not close on its line is an error, since sending
    it to the database would only fail later and less clearly."""
    found = list(_PLACEHOLDER.finditer(text))
    if text.count(_OPENING) != len(found):
        starts = {match.start() for match in found}
        at = next(i for i in _find_all(text, _OPENING) if i not in starts)
        raise ParamError(
            "unclosed placeholder: '${' without '}' on the same line",
            file=file,
            line=first_line + text.count("\n", 0, at),
        )
    return found


def _find_all(text: str, needle: str) -> "List[int]":
    found, at = [], text.find(needle)
    while at >= 0:
        found.append(at)
        at = text.find(needle, at + 1)
    return found


def substitute(
    text: str, bound: Dict[str, str], file: Optional[str] = None, first_line: int = 1
) -> str:
    """`text` with every `${name}` replaced by its bound value; `first_line` is the line
    of the file where `text` starts, for errors."""
    if _OPENING not in text:
        return text
    pieces = []
    last = 0
    for match in placeholders(text, file, first_line):
        name = match.group(1)
        if name not in bound:
            problem = (
                f"placeholder ${{{name}}} is not declared with -- @param"
                if _NAME.match(name)
                else f"malformed placeholder ${{{name}}}: expected ${{name}} in lower-case"
            )
            line = first_line + text.count("\n", 0, match.start())
            raise ParamError(problem, file=file, line=line)
        pieces.append(text[last : match.start()])
        pieces.append(bound[name])
        last = match.end()
    pieces.append(text[last:])
    return "".join(pieces)


def render(text: str, values: Dict[str, Any], file: Optional[str] = None) -> str:
    """The whole file with every `${name}` replaced by its validated value."""
    return substitute(text, bind(parse_declarations(text, file), values, file), file)
