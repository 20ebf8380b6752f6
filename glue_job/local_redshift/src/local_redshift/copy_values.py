"""COPY's field conversions: one field of the input as the text PostgreSQL loads, or a
load error with Redshift's code and reason.

Redshift reads a field by the target column's type and the statement's conversion
options (copy-parameters-data-conversion.html). Python applies the rules PostgreSQL
would get wrong or would not know: NULL AS, empty and blank fields, character widths
counted in bytes (with TRUNCATECOLUMNS), invalid UTF-8 (ACCEPTINVCHARS), DATEFORMAT and
TIMEFORMAT patterns and epochs, and DECIMAL scale truncated rather than rounded (unless
ROUNDEC). Everything else (digits, ranges, 'auto' dates, booleans, NOT NULL) is checked
by PostgreSQL itself when the rows arrive; `reason_for` turns its complaint into
Redshift's load error for that row.

Why by hand: no library reads Redshift's DATEFORMAT/TIMEFORMAT patterns, and these
rules are Redshift's own. The patterns follow r_DATEFORMAT_and_TIMEFORMAT_strings.html.
"""

import datetime as dt
import re
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Tuple

from sqlrunner.errors import EmulationError

DOCS = "https://docs.aws.amazon.com/redshift/latest/dg/"
FORMATS_DOC = DOCS + "r_DATEFORMAT_and_TIMEFORMAT_strings.html"
ERRORS_DOC = DOCS + "r_Load_Error_Reference.html"

CHARACTER = "S"  # pg_type.typcategory of char, varchar, text
DATE_OID, TIMESTAMP_OID, TIMESTAMPTZ_OID, NUMERIC_OID = 1082, 1114, 1184, 1700
INTEGER_TYPES = {21: "Smallint", 23: "Integer", 20: "Bigint"}


class LoadError(Exception):
    """One rejected row: Redshift's error code and reason (r_Load_Error_Reference.html)."""

    def __init__(self, code: int, reason: str, column: str = "", value: str = "", pos: int = 0):
        super().__init__(reason)
        self.code, self.reason, self.column, self.value, self.pos = code, reason, column, value, pos


# Error codes and their documented descriptions (r_Load_Error_Reference.html), used as
# the reason where Redshift's exact wording for a case is not documented.
CODES: Dict[int, str] = {
    1202: "Extra column(s) found",
    1203: "Input data had fewer columns than were defined in the DDL",
    1204: "String length exceeds DDL length",
    1205: "Date format is not valid",
    1206: "Timestamp format is not valid",
    1207: "Data contained a value outside of the expected range of 0-9",
    1208: "FLOAT data type format error",
    1209: "DECIMAL data type format error",
    1210: "BOOLEAN data type format error",
    1213: "Missing data for not-null field",
    1214: "Delimiter not found",
    1216: "Input line is not valid",
    1220: "String contains invalid or unsupported UTF8 codepoints",
    1222: "Integer value overflow error",
    1224: "Input data is malformed JSON",
}


class Column(NamedTuple):
    name: str
    type_sql: str  # format_type(), e.g. character varying(20)
    type_name: str  # pg_type.typname, e.g. varchar (STL_LOAD_ERRORS.type)
    oid: int
    category: str  # pg_type.typcategory
    max_bytes: Optional[int]  # CHAR/VARCHAR width; Redshift counts it in bytes
    scale: Optional[int]  # DECIMAL scale
    not_null: bool


# --- DATEFORMAT / TIMEFORMAT patterns

# Pattern parts: Redshift spelling -> (regex, field). Longest first so HH24 wins over HH.
_PARTS: Tuple[Tuple[str, str, str], ...] = (
    ("YYYY", r"(\d{4})", "year"),
    ("HH24", r"(\d{1,2})", "hour"),
    ("HH12", r"(\d{1,2})", "hour12"),
    ("MON", r"([A-Za-z]{3,9})", "month_name"),
    ("YY", r"(\d{2})", "year2"),
    ("MM", r"(\d{1,2})", "month"),
    ("DD", r"(\d{1,2})", "day"),
    ("HH", r"(\d{1,2})", "hour"),
    ("MI", r"(\d{1,2})", "minute"),
    ("SS", r"(\d{1,2})(?:\.(\d{1,6}))?", "second"),
    ("AM", r"([AaPp][Mm])", "meridian"),
    ("PM", r"([AaPp][Mm])", "meridian"),
)
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
EPOCHS = {"epochsecs": 1, "epochmillisecs": 1000}


class DatePattern:
    """A compiled DATEFORMAT/TIMEFORMAT string: `parse(text)` -> datetime or None."""

    def __init__(self, pattern: str, option: str) -> None:
        self.pattern = pattern
        if "TZ" in pattern.upper() or "OF" in pattern.upper():
            raise EmulationError(
                f"COPY: {option} {pattern!r} can't include a time zone specifier (TZ, tz or OF) "
                f"({FORMATS_DOC})"
            )
        regex, self.fields = [r"\s*"], []
        at = 0
        upper = pattern.upper()
        while at < len(pattern):
            part = next((p for p in _PARTS if upper.startswith(p[0], at)), None)
            if part is not None:
                regex.append(part[1])
                self.fields.append(part[2])
                at += len(part[0])
            elif pattern[at].isalnum():
                raise EmulationError(
                    f"COPY: {option} {pattern!r}: {pattern[at:]!r} is not a datepart or "
                    f"timepart ({FORMATS_DOC})"
                )
            else:
                regex.append(r"\s+" if pattern[at].isspace() else re.escape(pattern[at]))
                at += 1
        regex.append(r"\s*")
        self.regex = re.compile("".join(regex))

    def parse(self, text: str) -> Optional[dt.datetime]:
        match = self.regex.fullmatch(text)
        if match is None:
            return None
        values: Dict[str, Any] = {"year": 1900, "month": 1, "day": 1, "hour": 0}
        groups = iter(match.groups())
        meridian = None
        for field in self.fields:
            value = next(groups)
            if field == "second":
                values["second"] = int(value)
                fraction = next(groups)
                values["microsecond"] = int((fraction or "0").ljust(6, "0"))
            elif field == "month_name":
                month = _MONTHS.get(value.lower())
                if month is None:
                    return None
                values["month"] = month
            elif field == "year2":
                year = int(value)
                values["year"] = year + (2000 if year < 70 else 1900)
            elif field == "meridian":
                meridian = value.upper()
            elif field == "hour12":
                values["hour"] = int(value)
                meridian = meridian or "AM"
            else:
                values[field] = int(value)
        if meridian is not None:
            if not 1 <= values["hour"] <= 12:
                return None
            values["hour"] = values["hour"] % 12 + (12 if meridian == "PM" else 0)
        try:
            return dt.datetime(**values)
        except ValueError:
            return None


def date_setting(options: Dict[str, Any], key: str) -> Any:
    """DATEFORMAT/TIMEFORMAT as given: None (the default), 'auto', an epoch name or a
    compiled pattern; raises on a pattern COPY would refuse."""
    value = options.get(key)
    if value is None or value == "auto":
        return value
    if value in EPOCHS:
        if key == "DATEFORMAT":
            raise EmulationError(f"COPY: DATEFORMAT can't be {value!r} ({FORMATS_DOC})")
        return value
    return DatePattern(value, key)


# --- converters


Converter = Callable[[Optional[str]], Optional[str]]


class Conversions:
    """Per target column, a function from the field (None: no field) to the text
    PostgreSQL loads (None: NULL), raising LoadError for a rejected row."""

    def __init__(self, columns: List[Column], options: Dict[str, Any]) -> None:
        self.columns = columns
        self.null = options.get("NULL", "\\N")
        self.empty_as_null = "EMPTYASNULL" in options
        self.blanks_as_null = "BLANKSASNULL" in options
        self.trim = "TRIMBLANKS" in options
        self.truncate = "TRUNCATECOLUMNS" in options
        self.round = "ROUNDEC" in options
        replacement = options.get("ACCEPTINVCHARS")
        self.replacement = (
            None if replacement is None else ("?" if replacement is True else replacement)
        )
        self.date = date_setting(options, "DATEFORMAT")
        self.time = date_setting(options, "TIMEFORMAT")
        self.convert: List[Converter] = [self._converter(c) for c in columns]

    def row(self, fields: List[Optional[str]], raw: str) -> List[Optional[str]]:
        """The record's values; `raw` (its text) is checked once for invalid UTF-8."""
        i = 0
        try:
            if _SURROGATE.search(raw):
                fields = [None if f is None else self._valid(f, i) for i, f in enumerate(fields)]
            values = []
            for i, convert in enumerate(self.convert):
                values.append(convert(fields[i]))
            return values
        except LoadError as error:
            error.column = self.columns[i].name
            raise

    def _converter(self, column: Column) -> Converter:
        """One function per column, chosen once: the common cases do the least work."""
        if column.category == CHARACTER:
            return lambda field: self._text(field, column)
        setting = None
        if column.oid == DATE_OID:
            setting, code, kind = self.date, 1205, "date"
        elif column.oid in (TIMESTAMP_OID, TIMESTAMPTZ_OID):
            setting, code, kind = self.time, 1206, "timestamp"
        if setting is not None and setting != "auto":
            return lambda field: self._datetime(field, setting, code, kind, column)
        if column.oid == NUMERIC_OID and column.scale is not None and not self.round:
            return lambda field: self._decimal(field, column.scale)  # type: ignore[arg-type]
        return self._other

    def _valid(self, field: str, column: int) -> str:
        """Invalid UTF-8 arrives as lone surrogates (decoded with surrogateescape): only
        CHAR/VARCHAR fields may take ACCEPTINVCHARS' replacement."""
        if not _SURROGATE.search(field):
            return field
        if self.replacement is None or self.columns[column].category != CHARACTER:
            bad = _SURROGATE.search(field)
            hex_bytes = " ".join(f"{ord(ch) - 0xDC00:02x}" for ch in bad.group(0))  # type: ignore[union-attr]
            raise LoadError(1220, f"{CODES[1220]}. Bad UTF8 hex sequence: {hex_bytes}", value=field)
        return _SURROGATE.sub(lambda m: self.replacement * len(m.group(0)), field)  # type: ignore[operator]

    def _text(self, field: Optional[str], column: Column) -> Optional[str]:
        if field is None or field == self.null:
            return None
        if self.trim:
            field = field.rstrip(" ")
        if self.blanks_as_null and not field.strip():
            return None
        if self.empty_as_null and not field:
            return None
        if column.max_bytes is not None and len(field) * 4 > column.max_bytes:
            size = len(field.encode("utf-8"))
            if size > column.max_bytes:
                if not self.truncate:
                    raise LoadError(1204, CODES[1204], value=field)
                field = field.encode("utf-8")[: column.max_bytes].decode("utf-8", "ignore")
        return field

    def _other(self, field: Optional[str]) -> Optional[str]:
        if not field or field == self.null or field.isspace():
            return None
        return field

    def _datetime(
        self, field: Optional[str], setting: Any, code: int, kind: str, column: Column
    ) -> Optional[str]:
        value = self._other(field)
        if value is None:
            return value
        if setting in EPOCHS:
            try:
                number = int(value.strip())
            except ValueError:
                raise LoadError(
                    code, f"Invalid {kind} format or value [{setting}]", value=value
                ) from None
            moment = dt.datetime(1970, 1, 1) + dt.timedelta(
                microseconds=number * (1_000_000 // EPOCHS[setting])
            )
            return moment.isoformat(" ")
        moment = setting.parse(value)
        if moment is None:
            raise LoadError(
                code, f"Invalid {kind} format or value [{setting.pattern}]", value=value
            )
        if column.oid == DATE_OID:
            return moment.date().isoformat()
        return moment.isoformat(" ")

    def _decimal(self, field: Optional[str], scale: int) -> Optional[str]:
        """COPY truncates digits past the column's scale; INSERT (and ROUNDEC) round
        (copy-parameters-data-conversion.html#copy-roundec)."""
        value = self._other(field)
        if value is None:
            return None
        dot = value.find(".")
        if dot < 0 or len(value) - dot - 1 <= scale:  # the usual case: nothing to cut
            return value
        match = _DECIMAL.fullmatch(value)
        if match is None or len(match.group(2)) <= scale:
            return value
        return match.group(1) + ("." + match.group(2)[:scale] if scale else "")


_SURROGATE = re.compile("[\udc80-\udcff]+")
_DECIMAL = re.compile(r"\s*([+-]?\d*)\.(\d+)\s*")

# --- PostgreSQL's complaint about a row -> Redshift's load error

_PG_CONTEXT = re.compile(r'COPY [^,]+, line (\d+)(?:, column ([^:]+): "(.*)")?', re.S)
_HARD_FAILURES = ("duplicate key", "violates check constraint", "violates foreign key")


class RowComplaint(NamedTuple):
    line: int  # 1-based row of the COPY stream
    column: Optional[str]
    value: str
    message: str


def complaint(message: str) -> Optional[RowComplaint]:
    """The row PostgreSQL rejected, from its COPY error's CONTEXT; None if the error is
    not about one row's data (Redshift doesn't enforce unique or foreign keys, so those
    stay statement failures)."""
    if any(text in message for text in _HARD_FAILURES):
        return None
    match = _PG_CONTEXT.search(message)
    if match is None:
        return None
    first = message.strip().splitlines()[0]
    if first.startswith("ERROR:"):
        first = first[len("ERROR:") :].strip()
    return RowComplaint(int(match.group(1)), match.group(2), match.group(3) or "", first)


def reason_for(found: RowComplaint, column: Optional[Column]) -> LoadError:
    """Redshift's error for a value PostgreSQL refused, by the column's type."""
    value = found.value
    if "not-null constraint" in found.message:
        name = re.search(r'column "([^"]+)"', found.message)
        return LoadError(1213, CODES[1213], column=name.group(1) if name else "", value="")
    if column is None:
        return LoadError(1216, f"{CODES[1216]}: {found.message}", value=value)
    if column.oid in INTEGER_TYPES:
        kind = INTEGER_TYPES[column.oid]
        if "out of range" in found.message:
            return LoadError(1222, f"Overflow, Value '{value}', Type: {kind}", column.name, value)
        pos = next((i for i, ch in enumerate(value.strip()) if not (ch.isdigit() or ch in "+-")), 0)
        return LoadError(
            1207,
            f"Invalid digit, Value '{value[pos : pos + 1]}', Pos {pos}, Type: {kind}",
            column.name,
            value,
            pos,
        )
    if column.oid == NUMERIC_OID:
        code = 1204 if "overflow" in found.message or "out of range" in found.message else 1209
        return LoadError(code, CODES[code], column.name, value)
    if column.oid in (700, 701):
        return LoadError(1208, CODES[1208], column.name, value)
    if column.oid == 16:
        return LoadError(1210, CODES[1210], column.name, value)
    if column.oid == DATE_OID:
        return LoadError(1205, f"Invalid date format or value [{value}]", column.name, value)
    if column.oid in (TIMESTAMP_OID, TIMESTAMPTZ_OID):
        return LoadError(1206, f"Invalid timestamp format or value [{value}]", column.name, value)
    if column.category == CHARACTER:
        return LoadError(1204, CODES[1204], column.name, value)
    return LoadError(1216, f"{CODES[1216]}: {found.message}", column.name, value)
