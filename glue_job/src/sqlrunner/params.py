"""Typed parameters: `${name}` placeholders, declared in the file's header.

    -- @param run_date date
    -- @param top_n integer default 10

`TYPES` is the one table of parameter types: the runner validates values with it, the
pipeline spec loader takes its type names from it, and the Airflow trigger form takes
each type's JSON Schema from `json_schema()`. A type's grammar is one anchored regular
expression, written in the subset that Python's `re` and JavaScript (ECMA-262, with or
without the u/v flags) read alike, so the form and the runner accept exactly the same
strings; the calendar (leap years included), the 64-bit range and the names an
identifier may not take are part of it. Checking the schema against the grammar is
tests/runner/test_param_types.py's job.

A value reaches the SQL text only if it matches its type in full, and no grammar admits
a quote, a semicolon, whitespace (timestamps aside: one space), a comment marker or a
non-ASCII character. That alone does not keep a statement's shape (`-${n}` with n = -5
is `--5`, a comment), so every statement with a placeholder is lexed again after
substitution and refused unless its tokens are the template's (shape.py). Every check
runs before any connection is opened: an undeclared placeholder, a missing, extra or
invalid value fails the run with the name of the parameter and the line of the file.
"""

import json
import re
from typing import Any, Dict, Iterable, Iterator, List, NamedTuple, Optional, Tuple

from . import names, shape
from .errors import ParamError
from .splitter import BOM, iter_statements

# ---------------------------------------------------------------- the type table

_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}\Z")
_END = r"(?![\s\S])"  # end of input: `$` in Python also matches before a final newline
_INT64 = 2**63


def _anycase(word: str) -> str:
    return "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else c for c in word)


def _one_of(words: Iterable[str]) -> str:
    return "(?:" + "|".join(_anycase(word) for word in sorted(words)) + ")"


# Proleptic Gregorian calendar dates from 0001-01-01 (what datetime.date accepts).
_DATE = (
    r"(?!0000)(?:[0-9]{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
    r"|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))"
    r"|(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)-02-29)"
)
_TIMESTAMP = (
    _DATE + r"[ T](?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]{1,6})?"
    r"(?:Z|[+\-](?:0[0-9]|1[0-4]):[0-5][0-9])?"
)
# One canonical spelling per value: no leading zeros, no `+`, no `-0`.
_INTEGER = r"(?:0|-?[1-9][0-9]{0,18})"
# Redshift names: letters, digits, _ and $, not starting with a digit, up to 127 bytes;
# up to three dot-separated parts (database.schema.table), not a name names.py refuses. https://docs.aws.amazon.com/redshift/latest/dg/r_names.html
_IDENT_CHARS = "[A-Za-z0-9_$]"
_PART = r"[A-Za-z_]" + _IDENT_CHARS + "{0,126}"
_NOT_RESERVED = f"(?!{_one_of(names.RESERVED_WORDS | names.GROUP_NAMES)}(?!{_IDENT_CHARS}))"
_IDENTIFIER = (
    f"(?!{_one_of(names.SYSTEM_PREFIXES)}{_IDENT_CHARS}*{_END})"
    f"(?!(?:{_IDENT_CHARS}+\\.)?(?:{_one_of(names.SYSTEM_SCHEMA_PREFIXES)}{_IDENT_CHARS}*"
    f"|{_one_of(names.SYSTEM_SCHEMAS)})\\.{_IDENT_CHARS}+{_END})"
    f"{_NOT_RESERVED}{_PART}(?:\\.{_PART}){{0,2}}"
)
# Bucket names per the S3 naming rules; keys limited to S3's "safe characters", without
# the sequences that would start or end a comment or climb a path.
# https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
# https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html
_S3_URI = (
    r"(?!.*(?:--|\/\*|\*\/|\.\.))s3:\/\/[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]"
    r"(?:\/[A-Za-z0-9!_.*\(\)=\/\-]*)?"
)


class ParamType(NamedTuple):
    pattern: str  # anchored; Python re and ECMA-262 alike
    json_type: str  # how a form gives the value: "string" or "integer"
    expected: str  # for error messages
    reference: str  # a plain value of the type, for shape checks (shape.py)
    max_length: Optional[int] = None
    bounds: Optional[Tuple[int, int]] = None  # an integer's range (its text's too)
    format: Optional[str] = None  # JSON Schema format, for the form's widget

    @property
    def grammar(self) -> "re.Pattern[str]":
        return _COMPILED[self.pattern]


def _anchored(body: str) -> str:
    return f"^(?:{body}){_END}"


TYPES: Dict[str, ParamType] = {
    "date": ParamType(_anchored(_DATE), "string", "a date YYYY-MM-DD", "2000-01-01", format="date"),
    "timestamp": ParamType(
        _anchored(_TIMESTAMP),
        "string",
        "a timestamp YYYY-MM-DD HH:MM:SS[.ffffff][Z|+HH:MM]",
        "2000-01-01 00:00:00",
    ),
    "integer": ParamType(
        _anchored(_INTEGER),
        "integer",
        "a 64-bit integer",
        "1",
        bounds=(-_INT64, _INT64 - 1),
    ),
    "identifier": ParamType(
        _anchored(_IDENTIFIER),
        "string",
        "an unquoted identifier (letters, digits, _ or $; up to 3 parts; not a reserved "
        "word or a system name)",
        "x",
    ),
    "s3_uri": ParamType(
        _anchored(_S3_URI),
        "string",
        "an s3://bucket/key URI with S3-safe characters",
        "s3://bucket/key",
        max_length=1024,
    ),
}
_COMPILED = {spec.pattern: re.compile(spec.pattern) for spec in TYPES.values()}


def validate(kind: str, value: Any) -> Optional[str]:
    """The value as text if it is a valid `kind`, else None. An integer may come as a JSON
    number or as its canonical text."""
    spec = TYPES[kind]
    if spec.json_type == "integer" and isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not spec.grammar.match(value):
        return None
    if spec.max_length is not None and len(value) > spec.max_length:
        return None
    if spec.bounds is not None and not spec.bounds[0] <= int(value) <= spec.bounds[1]:
        return None
    return value


def json_schema(kind: str) -> Dict[str, Any]:
    """The JSON Schema accepting exactly the values `validate(kind, ...)` accepts, as a form
    gives them (integers as JSON numbers, the rest as strings). A new dict each call."""
    spec = TYPES[kind]
    schema: Dict[str, Any] = {"type": spec.json_type}
    if spec.bounds is not None:
        schema.update(minimum=spec.bounds[0], maximum=spec.bounds[1])
    if spec.json_type == "string":
        schema["pattern"] = spec.pattern
    if spec.max_length is not None:
        schema["maxLength"] = spec.max_length
    if spec.format is not None:
        schema["format"] = spec.format
    return schema


def _refused(kind: str, name: str) -> str:
    """The error for a value of parameter `name` that `validate` refused."""
    return f"value of parameter {name!r} is not {TYPES[kind].expected}"


# ---------------------------------------------------------------- declarations


class Declaration(NamedTuple):
    name: str
    type: str
    default: Optional[str]
    line: int


class Header(NamedTuple):
    params: Dict[str, Declaration]
    owns: List[Tuple[int, str]]  # (line, prefix template) of each `-- @owns`


_HEADER_DIRECTIVE = re.compile(r"--\s*@(?P<name>param|owns)\b(?P<rest>.*)$")
_HEADER_LINE = re.compile(r"\s*(--.*)?$")


def parse_declarations(text: str, file: Optional[str] = None) -> Dict[str, Declaration]:
    """The `-- @param` lines of the header: the comment and blank lines before the first
    line of SQL. A declaration anywhere else is an error, not silently ignored."""
    return read_header(text.splitlines(), file).params


def declarations_of(lines: Iterable[str], file: Optional[str] = None) -> Dict[str, Declaration]:
    """parse_declarations over the file's lines, given one at a time."""
    return read_header(lines, file).params


def read_header(lines: Iterable[str], file: Optional[str] = None) -> Header:
    """The header's directives (`-- @param`, `-- @owns`), from the file's lines given one
    at a time; one of them after the header is an error."""
    declarations: Dict[str, Declaration] = {}
    owns: List[Tuple[int, str]] = []
    in_header = True
    for number, line in enumerate(lines, 1):
        if number == 1:
            line = line.lstrip(BOM)
        if in_header and not _HEADER_LINE.match(line):
            in_header = False
        match = _HEADER_DIRECTIVE.match(line.strip())
        if match is None:
            continue
        directive = match.group("name")
        if not in_header:
            what = "declarations" if directive == "param" else "directives"
            raise ParamError(
                f"@{directive} {what} belong in the header comment, before the first statement",
                file=file,
                line=number,
            )
        if directive == "owns":
            owns.append((number, match.group("rest").strip()))
            continue
        declaration = _parse_declaration(match.group("rest"), file, number)
        if declaration.name in declarations:
            raise ParamError(
                f"parameter {declaration.name!r} is declared twice", file=file, line=number
            )
        declarations[declaration.name] = declaration
    return Header(declarations, owns)


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
                f"default of parameter {name!r} is not {TYPES[kind].expected}"
                + _why(kind, words[3]),
                file=file,
                line=line,
            )
    return Declaration(name, kind, default, line)


def _why(kind: str, value: Any) -> str:
    """The reason an identifier that looks like a name is refused (names.py), if any."""
    if kind == "identifier" and isinstance(value, str):
        reason = names.refusal(value)
        return f": {reason}" if reason else ""
    return ""


# ---------------------------------------------------------------- values


class DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs: List[Tuple[str, Any]]) -> Dict[str, Any]:
    seen: Dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise DuplicateKey(key)
        seen[key] = value
    return seen


def parse_values(raw: Optional[str], source: str = "--params") -> Dict[str, Any]:
    """The `--params` JSON object. A key given twice is refused (JSON parsers keep one of
    the two silently), and so is nesting too deep to read."""
    if raw is None or not raw.strip():
        return {}
    try:
        values = json.loads(raw, object_pairs_hook=_no_duplicates)
    except DuplicateKey as exc:
        raise ParamError(f"{source} gives parameter {exc.args[0]!r} twice") from None
    except RecursionError:
        raise ParamError(f"{source} is nested too deeply to be a parameter object") from None
    except json.JSONDecodeError as exc:
        raise ParamError(f"{source} is not valid JSON ({exc.msg} at character {exc.pos})") from None
    if not isinstance(values, dict):
        raise ParamError(f"{source} must be a JSON object of parameter names to values")
    return values


class Bound(NamedTuple):
    text: str  # the validated value, as it is substituted
    type: str


def bind(
    declarations: Dict[str, Declaration], values: Dict[str, Any], file: Optional[str] = None
) -> Dict[str, Bound]:
    """Validated text of every declared parameter: given values, else defaults."""
    extra = sorted(set(values) - set(declarations))
    if extra:
        declared = ", ".join(sorted(declarations)) or "none"
        raise ParamError(
            f"parameter(s) {', '.join(map(repr, extra))} given but not declared "
            f"(declared: {declared})",
            file=file,
        )
    bound: Dict[str, Bound] = {}
    for name, declaration in declarations.items():
        if name in values:
            text = validate(declaration.type, values[name])
            if text is None:
                raise ParamError(
                    _refused(declaration.type, name) + _why(declaration.type, values[name]),
                    file=file,
                    line=declaration.line,
                )
            bound[name] = Bound(text, declaration.type)
        elif declaration.default is not None:
            bound[name] = Bound(declaration.default, declaration.type)
        else:
            raise ParamError(
                f"parameter {name!r} ({declaration.type}) has no value and no default",
                file=file,
                line=declaration.line,
            )
    return bound


# ---------------------------------------------------------------- placeholders

_PLACEHOLDER = re.compile(r"\$\{([^{}\n]*)\}")
_OPENING = "${"


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
    text: str, bound: Dict[str, Bound], file: Optional[str] = None, first_line: int = 1
) -> str:
    """`text` (one statement) with every `${name}` replaced by its bound value, refused if
    a value would change the statement's tokens; `first_line` is the line of the file
    where `text` starts, for errors."""
    if _OPENING not in text:
        return text
    slots = _slots(text, bound, file, first_line)
    values = {name: value.text for name, value in bound.items()}
    references = {name: TYPES[value.type].reference for name, value in bound.items()}
    culprits = shape.changed_by(text, slots, values, references)
    if culprits:
        slot = culprits[0]
        who = ", ".join(repr(s.name) for s in culprits)
        raise ParamError(
            f"value of parameter{'s' if len(culprits) > 1 else ''} {who} would change the "
            f"statement's structure: {shape.describe(text, slot, values)}; nothing was run",
            file=file,
            line=first_line + text.count("\n", 0, slot.start),
        )
    return shape.fill(text, slots, values)


def expand(text: str, bound: Dict[str, Bound], file: Optional[str] = None, line: int = 1) -> str:
    """`text` that is not SQL (a directive's argument) with its placeholders filled."""
    values = {name: value.text for name, value in bound.items()}
    return shape.fill(text, _slots(text, bound, file, line), values)


def _slots(
    text: str, bound: Dict[str, Bound], file: Optional[str], first_line: int
) -> List[shape.Slot]:
    """The placeholders of `text`, each naming a declared parameter."""
    slots = []
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
        slots.append(shape.Slot(match.start(), match.end(), name))
    return slots


def render(text: str, values: Dict[str, Any], file: Optional[str] = None) -> str:
    """The file as `run` executes it: each statement with its placeholders substituted,
    and what lies between statements (comments, blanks) exactly as written."""
    bom = BOM if text.startswith(BOM) else ""
    body = text[len(bom) :]
    bound = bind(parse_declarations(text, file), values, file)
    pieces, done = [bom], 0
    for statement in iter_statements([body], file):
        pieces.append(body[done : statement.offset])
        pieces.append(substitute(statement.text, bound, file, statement.line))
        done = statement.offset + len(statement.text)
    pieces.append(body[done:])
    return "".join(pieces)
