"""The options of UNLOAD and COPY as data: grammar, local behaviour, and the AWS doc each
follows; plus the combinations Redshift refuses.

Every option Redshift documents is listed. `status` says what the local adapter does:

- "emulated": reproduced against local S3 (the `behaviour` column says how);
- "accepted": parsed and validated, no local effect (authorization, encryption at rest,
  planner hints; nothing a query result or file could show);
- "refused": fails with "not emulated locally: <statement> <option>" before anything
  is read or written.

`parse_options` reads the option list of one statement against a table, and `check_rules`
applies the table of refused combinations. Both raise the runner's errors before any
side effect.
"""

from typing import Any, Dict, NamedTuple, Sequence, Tuple

from sqlrunner.errors import EmulationError, NotEmulatedError

from .words import Words

UNLOAD_DOC = "https://docs.aws.amazon.com/redshift/latest/dg/r_UNLOAD.html"
AUTH_DOC = "https://docs.aws.amazon.com/redshift/latest/dg/copy-parameters-authorization.html"
COPY_SOURCE_DOC = (
    "https://docs.aws.amazon.com/redshift/latest/dg/copy-parameters-data-source-s3.html"
)
COPY_FORMAT_DOC = "https://docs.aws.amazon.com/redshift/latest/dg/copy-parameters-data-format.html"
COPY_COMPRESSION_DOC = (
    "https://docs.aws.amazon.com/redshift/latest/dg/copy-parameters-file-compression.html"
)
COPY_CONVERSION_DOC = (
    "https://docs.aws.amazon.com/redshift/latest/dg/copy-parameters-data-conversion.html"
)
COPY_LOAD_DOC = "https://docs.aws.amazon.com/redshift/latest/dg/copy-parameters-data-load.html"
COLUMNAR_DOC = (
    "https://docs.aws.amazon.com/redshift/latest/dg/copy-usage_notes-copy-from-columnar.html"
)

MB = 1 << 20
GB = 1 << 30


class Option(NamedTuple):
    words: Tuple[str, ...]  # the keywords that start it
    key: str  # its name among the parsed options
    value: str  # grammar of what follows the keywords (see _VALUE_READERS)
    status: str  # emulated | accepted | refused
    behaviour: str
    doc: str


class Rule(NamedTuple):
    """`first` and `second` may not appear together. A side is an option key, or
    KEY=VALUE for a particular value (FORMAT=PARQUET)."""

    first: str
    second: str
    doc: str


class Requirement(NamedTuple):
    """`option` needs one of `needs`; an empty `option` means the statement always does."""

    option: str
    needs: Tuple[str, ...]
    message: str
    doc: str


AUTHORIZATION: Tuple[Option, ...] = (
    Option(
        ("IAM_ROLE",),
        "IAM_ROLE",
        "role",
        "accepted",
        "default or role ARN(s), validated; local S3 needs no role",
        AUTH_DOC + "#copy-iam-role",
    ),
    Option(
        ("CREDENTIALS",),
        "CREDENTIALS",
        "string",
        "accepted",
        "credentials string; not used locally",
        AUTH_DOC + "#copy-credentials",
    ),
    Option(
        ("WITH", "CREDENTIALS"),
        "CREDENTIALS",
        "string",
        "accepted",
        "credentials string; not used locally",
        AUTH_DOC + "#copy-credentials",
    ),
    Option(
        ("ACCESS_KEY_ID",),
        "ACCESS_KEY_ID",
        "string",
        "accepted",
        "key pair; not used locally",
        AUTH_DOC + "#copy-access-key-id",
    ),
    Option(
        ("SECRET_ACCESS_KEY",),
        "SECRET_ACCESS_KEY",
        "string",
        "accepted",
        "key pair; not used locally",
        AUTH_DOC + "#copy-access-key-id",
    ),
    Option(
        ("SESSION_TOKEN",),
        "SESSION_TOKEN",
        "string",
        "accepted",
        "temporary credentials; not used locally",
        AUTH_DOC + "#copy-token",
    ),
    Option(
        ("REGION",),
        "REGION",
        "string",
        "accepted",
        "bucket region; the local S3 has one endpoint",
        UNLOAD_DOC + "#unload-region",
    ),
)

UNLOAD_OPTIONS: Tuple[Option, ...] = (
    *AUTHORIZATION,
    Option(
        ("FORMAT",),
        "FORMAT",
        "format",
        "emulated",
        "CSV, PARQUET and JSON as below",
        UNLOAD_DOC + "#unload-csv",
    ),
    Option(
        ("CSV",),
        "FORMAT",
        "format_word",
        "emulated",
        "CSV, quoted where a field holds the delimiter, a quote, CR or LF",
        UNLOAD_DOC + "#unload-csv",
    ),
    Option(
        ("PARQUET",),
        "FORMAT",
        "format_word",
        "emulated",
        "Parquet 1.0, snappy row groups, .parquet suffix",
        UNLOAD_DOC + "#unload-csv",
    ),
    Option(
        ("JSON",),
        "FORMAT",
        "format_word",
        "emulated",
        'one JSON object per line named by the query\'s columns; booleans "t"/"f", '
        "NULL null, dates and times as text; no file for zero rows",
        UNLOAD_DOC + "#unload-csv",
    ),
    Option(
        ("PARTITION", "BY"),
        "PARTITION_BY",
        "partition",
        "emulated",
        "Hive folders col=value/, NULL -> __HIVE_DEFAULT_PARTITION__, columns dropped "
        "unless INCLUDE",
        UNLOAD_DOC + "#unload-partitionby",
    ),
    Option(
        ("MANIFEST",),
        "MANIFEST",
        "manifest",
        "emulated",
        "<prefix>manifest with entries[].url; VERBOSE adds meta, schema, author",
        UNLOAD_DOC + "#unload-manifest",
    ),
    Option(
        ("HEADER",),
        "HEADER",
        "flag",
        "emulated",
        "column names as the first line of every file",
        UNLOAD_DOC + "#unload-header",
    ),
    Option(
        ("DELIMITER",),
        "DELIMITER",
        "string",
        "emulated",
        "one ASCII character between fields (default | for text, , for CSV)",
        UNLOAD_DOC + "#unload-delimiter",
    ),
    Option(
        ("FIXEDWIDTH",),
        "FIXEDWIDTH",
        "string",
        "emulated",
        "'id:width,...': each value left-aligned and padded to its width, NULL as blanks "
        "(or NULL AS); a longer value fails the UNLOAD",
        UNLOAD_DOC + "#unload-fixedwidth",
    ),
    Option(
        ("ENCRYPTED",),
        "ENCRYPTED",
        "encrypted",
        "accepted",
        "server-side encryption; local S3 stores plain objects",
        UNLOAD_DOC + "#unload-parameters-encrypted",
    ),
    Option(
        ("KMS_KEY_ID",),
        "KMS_KEY_ID",
        "string",
        "accepted",
        "SSE-KMS key; local S3 stores plain objects",
        UNLOAD_DOC + "#unload-parameters-kms-key-id",
    ),
    Option(
        ("MASTER_SYMMETRIC_KEY",),
        "MASTER_SYMMETRIC_KEY",
        "string",
        "refused",
        "",
        UNLOAD_DOC + "#unload-parameters-master-symmetric-key",
    ),
    Option(
        ("BZIP2",),
        "COMPRESSION",
        "codec",
        "emulated",
        "bzip2 stream, .bz2 suffix",
        UNLOAD_DOC + "#unload-bzip2",
    ),
    Option(
        ("GZIP",),
        "COMPRESSION",
        "codec",
        "emulated",
        "gzip stream, .gz suffix",
        UNLOAD_DOC + "#unload-gzip",
    ),
    Option(
        ("ZSTD",),
        "COMPRESSION",
        "codec",
        "emulated",
        "Zstandard frames, .zst suffix",
        UNLOAD_DOC + "#unload-zstd",
    ),
    Option(
        ("ADDQUOTES",),
        "ADDQUOTES",
        "flag",
        "emulated",
        "every non-NULL field in double quotes (quotes inside kept as they are, escaped "
        "with ESCAPE)",
        UNLOAD_DOC + "#unload-addquotes",
    ),
    Option(
        ("NULL",),
        "NULL",
        "string",
        "emulated",
        "text written for NULL (default: empty string)",
        UNLOAD_DOC + "#unload-null-as",
    ),
    Option(
        ("ESCAPE",),
        "ESCAPE",
        "flag",
        "emulated",
        "backslash before LF, CR, the delimiter and backslash in text output",
        UNLOAD_DOC + "#unload-escape",
    ),
    Option(
        ("ALLOWOVERWRITE",),
        "ALLOWOVERWRITE",
        "flag",
        "emulated",
        "replace files of the same names; without it any such file fails the UNLOAD",
        UNLOAD_DOC + "#allowoverwrite",
    ),
    Option(
        ("CLEANPATH",),
        "CLEANPATH",
        "flag",
        "emulated",
        "delete the TO prefix's objects first (with PARTITION BY: only in folders written)",
        UNLOAD_DOC + "#cleanpath",
    ),
    Option(
        ("PARALLEL",),
        "PARALLEL",
        "on_off",
        "emulated",
        "ON: <prefix><slice>_part_<nn>; OFF: <prefix><nnn>",
        UNLOAD_DOC + "#unload-parallel",
    ),
    Option(
        ("MAXFILESIZE",),
        "MAXFILESIZE",
        "size",
        "emulated",
        "5 MB to 6.2 GB (default 6.2 GB); a new file starts past it",
        UNLOAD_DOC + "#unload-maxfilesize",
    ),
    Option(
        ("ROWGROUPSIZE",),
        "ROWGROUPSIZE",
        "size",
        "accepted",
        "32 to 128 MB, PARQUET only; local row groups follow the read batches",
        UNLOAD_DOC + "#unload-rowgroupsize",
    ),
    Option(
        ("EXTENSION",),
        "EXTENSION",
        "string",
        "emulated",
        "'.ext' replaces the compression/.parquet suffix",
        UNLOAD_DOC + "#unload-extension",
    ),
)

UNLOAD_RULES: Tuple[Rule, ...] = (
    *(
        Rule("FORMAT=PARQUET", other, UNLOAD_DOC + "#unload-csv")
        for other in (
            "DELIMITER",
            "FIXEDWIDTH",
            "ADDQUOTES",
            "ESCAPE",
            "NULL",
            "HEADER",
            "COMPRESSION",
        )
    ),
    Rule("FORMAT=CSV", "FIXEDWIDTH", UNLOAD_DOC + "#unload-csv"),
    Rule("FORMAT=CSV", "ADDQUOTES", UNLOAD_DOC + "#unload-csv"),
    *(
        Rule("FORMAT=JSON", other, UNLOAD_DOC + "#unload-csv")
        for other in ("DELIMITER", "HEADER", "FIXEDWIDTH", "ADDQUOTES", "ESCAPE", "NULL")
    ),
    Rule("FORMAT=CSV", "ESCAPE", UNLOAD_DOC + "#unload-escape"),
    Rule("FIXEDWIDTH", "DELIMITER", UNLOAD_DOC + "#unload-fixedwidth"),
    Rule("FIXEDWIDTH", "HEADER", UNLOAD_DOC + "#unload-header"),
    Rule("CLEANPATH", "ALLOWOVERWRITE", UNLOAD_DOC + "#cleanpath"),
    Rule("IAM_ROLE", "CREDENTIALS", UNLOAD_DOC + "#unload-iam"),
    Rule("IAM_ROLE", "ACCESS_KEY_ID", UNLOAD_DOC + "#unload-iam"),
    Rule("IAM_ROLE", "SESSION_TOKEN", UNLOAD_DOC + "#unload-iam"),
    Rule("CREDENTIALS", "ACCESS_KEY_ID", AUTH_DOC),
    Rule("CREDENTIALS", "KMS_KEY_ID", UNLOAD_DOC + "#unload-parameters-kms-key-id"),
)

# UNLOAD and COPY authorize the same way (AUTH_DOC).
AUTH_REQUIREMENTS: Tuple[Requirement, ...] = (
    Requirement(
        "",
        ("IAM_ROLE", "CREDENTIALS", "ACCESS_KEY_ID"),
        "needs authorization: IAM_ROLE, CREDENTIALS or ACCESS_KEY_ID/SECRET_ACCESS_KEY",
        AUTH_DOC,
    ),
    Requirement(
        "ACCESS_KEY_ID",
        ("SECRET_ACCESS_KEY",),
        "ACCESS_KEY_ID needs SECRET_ACCESS_KEY",
        AUTH_DOC + "#copy-access-key-id",
    ),
)

UNLOAD_REQUIREMENTS: Tuple[Requirement, ...] = (
    *AUTH_REQUIREMENTS,
    Requirement(
        "KMS_KEY_ID",
        ("ENCRYPTED",),
        "KMS_KEY_ID needs ENCRYPTED",
        UNLOAD_DOC + "#unload-parameters-kms-key-id",
    ),
    Requirement(
        "ROWGROUPSIZE",
        ("FORMAT=PARQUET",),
        "ROWGROUPSIZE needs FORMAT PARQUET",
        UNLOAD_DOC + "#unload-rowgroupsize",
    ),
)

# Size limits, inclusive: MAXFILESIZE 5 MB - 6.2 GB, ROWGROUPSIZE 32 - 128 MB.
SIZE_LIMITS: Dict[str, Tuple[int, int]] = {
    "MAXFILESIZE": (5 * MB, int(6.2 * GB)),
    "ROWGROUPSIZE": (32 * MB, 128 * MB),
}

COPY_OPTIONS: Tuple[Option, ...] = (
    *AUTHORIZATION,
    Option(
        ("FORMAT",),
        "FORMAT",
        "format",
        "emulated",
        "CSV, PARQUET, JSON as below",
        COPY_FORMAT_DOC + "#copy-format",
    ),
    Option(
        ("CSV",),
        "FORMAT",
        "csv",
        "emulated",
        "CSV with QUOTE [AS] 'c' (default \"); empty unquoted fields load as NULL in "
        "non-text columns",
        COPY_FORMAT_DOC + "#copy-csv",
    ),
    Option(
        ("PARQUET",),
        "FORMAT",
        "format_word",
        "emulated",
        "columns matched by position; count must equal the column list",
        COPY_FORMAT_DOC + "#copy-parquet",
    ),
    Option(
        ("JSON",),
        "FORMAT",
        "json",
        "emulated",
        "'auto', 'auto ignorecase' (keys matched to column names) and 's3://jsonpaths' "
        "(one JSONPath per column, dot or bracket notation); GZIP/BZIP2/ZSTD input; "
        "'noshred' refused",
        COPY_FORMAT_DOC + "#copy-json",
    ),
    Option(("AVRO",), "FORMAT", "avro", "refused", "", COPY_FORMAT_DOC + "#copy-avro"),
    Option(("ORC",), "FORMAT", "format_word", "refused", "", COPY_FORMAT_DOC + "#copy-orc"),
    Option(
        ("SHAPEFILE",), "FORMAT", "format_word", "refused", "", COPY_FORMAT_DOC + "#copy-shapefile"
    ),
    Option(
        ("FIXEDWIDTH",),
        "FIXEDWIDTH",
        "string",
        "emulated",
        "'label:width,...': fields cut by character counts, one per column",
        COPY_FORMAT_DOC + "#copy-fixedwidth",
    ),
    Option(
        ("DELIMITER",),
        "DELIMITER",
        "string",
        "emulated",
        "one character between fields (default | for text, , for CSV); a trailing "
        "delimiter after the last column is ignored",
        COPY_FORMAT_DOC + "#copy-delimiter",
    ),
    Option(
        ("MANIFEST",),
        "MANIFEST",
        "flag",
        "emulated",
        "FROM names a manifest; entries[].url loaded, missing mandatory ones fail",
        COPY_SOURCE_DOC + "#copy-manifest",
    ),
    Option(("ENCRYPTED",), "ENCRYPTED", "flag", "refused", "", COPY_SOURCE_DOC + "#copy-encrypted"),
    Option(
        ("MASTER_SYMMETRIC_KEY",), "MASTER_SYMMETRIC_KEY", "string", "refused", "", COPY_SOURCE_DOC
    ),
    Option(("BZIP2",), "COMPRESSION", "codec", "emulated", "bzip2 input", COPY_COMPRESSION_DOC),
    Option(("GZIP",), "COMPRESSION", "codec", "emulated", "gzip input", COPY_COMPRESSION_DOC),
    Option(("ZSTD",), "COMPRESSION", "codec", "emulated", "Zstandard input", COPY_COMPRESSION_DOC),
    Option(("LZOP",), "COMPRESSION", "codec", "refused", "", COPY_COMPRESSION_DOC),
    Option(
        ("IGNOREHEADER",),
        "IGNOREHEADER",
        "integer",
        "emulated",
        "skip that many lines at the start of every file",
        COPY_CONVERSION_DOC + "#copy-ignoreheader",
    ),
    Option(
        ("NULL",),
        "NULL",
        "string",
        "emulated",
        "field text that loads as NULL (default \\N)",
        COPY_CONVERSION_DOC + "#copy-null-as",
    ),
    Option(
        ("EMPTYASNULL",),
        "EMPTYASNULL",
        "flag",
        "emulated",
        "empty CHAR/VARCHAR fields load as NULL",
        COPY_CONVERSION_DOC + "#copy-emptyasnull",
    ),
    Option(
        ("BLANKSASNULL",),
        "BLANKSASNULL",
        "flag",
        "emulated",
        "blank CHAR/VARCHAR fields load as NULL",
        COPY_CONVERSION_DOC + "#copy-blanksasnull",
    ),
    Option(
        ("DATEFORMAT",),
        "DATEFORMAT",
        "string",
        "emulated",
        "patterns of YYYY YY MM MON DD HH HH24 HH12 MI SS AM PM and separators, parsed "
        "exactly; 'auto' reads what PostgreSQL's date input reads (Redshift's, from PG 8)",
        COPY_CONVERSION_DOC + "#copy-dateformat",
    ),
    Option(
        ("TIMEFORMAT",),
        "TIMEFORMAT",
        "string",
        "emulated",
        "as DATEFORMAT, plus fractional seconds after SS, 'epochsecs' and "
        "'epochmillisecs'; a time zone in the pattern is refused",
        COPY_CONVERSION_DOC + "#copy-timeformat",
    ),
    Option(
        ("ENCODING",),
        "ENCODING",
        "word",
        "emulated",
        "UTF8 only; others refused",
        COPY_CONVERSION_DOC + "#copy-encoding",
    ),
    Option(
        ("COMPUPDATE",),
        "COMPUPDATE",
        "optional_word",
        "accepted",
        "compression analysis; PostgreSQL has none",
        COPY_LOAD_DOC + "#copy-compupdate",
    ),
    Option(
        ("STATUPDATE",),
        "STATUPDATE",
        "optional_word",
        "accepted",
        "statistics refresh; PostgreSQL's autovacuum does it",
        COPY_LOAD_DOC + "#copy-statupdate",
    ),
    Option(
        ("ACCEPTANYDATE",),
        "ACCEPTANYDATE",
        "flag",
        "refused",
        "",
        COPY_CONVERSION_DOC + "#copy-acceptanydate",
    ),
    Option(
        ("ACCEPTINVCHARS",),
        "ACCEPTINVCHARS",
        "optional_string",
        "emulated",
        "each invalid UTF-8 byte in a CHAR/VARCHAR field becomes the replacement "
        "character (default ?); without it such a row is a load error (1220)",
        COPY_CONVERSION_DOC + "#copy-acceptinvchars",
    ),
    Option(
        ("ESCAPE",),
        "ESCAPE",
        "flag",
        "emulated",
        "backslash makes the next character data: delimiter, quote, newline, backslash",
        COPY_CONVERSION_DOC + "#copy-escape",
    ),
    Option(
        ("EXPLICIT_IDS",),
        "EXPLICIT_IDS",
        "flag",
        "refused",
        "",
        COPY_CONVERSION_DOC + "#copy-explicit-ids",
    ),
    Option(
        ("FILLRECORD",),
        "FILLRECORD",
        "flag",
        "emulated",
        "missing trailing fields load as NULL ('' in CHAR/VARCHAR unless EMPTYASNULL)",
        COPY_CONVERSION_DOC + "#copy-fillrecord",
    ),
    Option(
        ("IGNOREBLANKLINES",),
        "IGNOREBLANKLINES",
        "flag",
        "emulated",
        "empty lines are skipped",
        COPY_CONVERSION_DOC + "#copy-ignoreblanklines",
    ),
    Option(
        ("REMOVEQUOTES",),
        "REMOVEQUOTES",
        "flag",
        "emulated",
        "a field in '...' or \"...\" loses its quotes and keeps delimiters inside; an "
        "unterminated quote is a load error",
        COPY_CONVERSION_DOC + "#copy-removequotes",
    ),
    Option(
        ("ROUNDEC",),
        "ROUNDEC",
        "flag",
        "emulated",
        "DECIMAL digits past the scale are rounded; without it they are truncated",
        COPY_CONVERSION_DOC + "#copy-roundec",
    ),
    Option(
        ("TRIMBLANKS",),
        "TRIMBLANKS",
        "flag",
        "emulated",
        "trailing blanks removed from CHAR/VARCHAR fields",
        COPY_CONVERSION_DOC + "#copy-trimblanks",
    ),
    Option(
        ("TRUNCATECOLUMNS",),
        "TRUNCATECOLUMNS",
        "flag",
        "emulated",
        "CHAR/VARCHAR fields cut to the column's width in bytes, at a character "
        "boundary; without it a longer field is a load error (1204)",
        COPY_CONVERSION_DOC + "#copy-truncatecolumns",
    ),
    Option(
        ("MAXERROR",),
        "MAXERROR",
        "integer",
        "emulated",
        "rejected rows are skipped and written to STL_LOAD_ERRORS / SYS_LOAD_ERROR_DETAIL; "
        "the COPY fails when they reach the count (0 and 1: the first); above 100000 "
        "counts as 100000",
        COPY_LOAD_DOC + "#copy-maxerror",
    ),
    Option(
        ("NOLOAD",),
        "NOLOAD",
        "flag",
        "emulated",
        "every row is read and checked, nothing is loaded",
        COPY_LOAD_DOC + "#copy-noload",
    ),
    Option(("SERIALIZETOJSON",), "SERIALIZETOJSON", "flag", "refused", "", COPY_FORMAT_DOC),
)

COPY_RULES: Tuple[Rule, ...] = (
    Rule("FORMAT=PARQUET", "DELIMITER", COPY_FORMAT_DOC + "#copy-parquet"),
    Rule("FORMAT=PARQUET", "IGNOREHEADER", COPY_FORMAT_DOC + "#copy-parquet"),
    Rule("FORMAT=PARQUET", "NULL", COPY_FORMAT_DOC + "#copy-parquet"),
    Rule("FORMAT=PARQUET", "COMPRESSION", COPY_FORMAT_DOC + "#copy-parquet"),
    *(
        Rule("FORMAT=PARQUET", other, COLUMNAR_DOC)
        for other in ("FIXEDWIDTH", "ESCAPE", "REMOVEQUOTES", "MAXERROR", "ACCEPTANYDATE")
    ),
    Rule("FORMAT=JSON", "DELIMITER", COPY_FORMAT_DOC + "#copy-json"),
    Rule("FORMAT=JSON", "IGNOREHEADER", COPY_FORMAT_DOC + "#copy-json"),
    *(
        Rule("FORMAT=JSON", other, COPY_FORMAT_DOC + "#copy-json")
        for other in ("FIXEDWIDTH", "ESCAPE", "REMOVEQUOTES", "FILLRECORD")
    ),
    *(
        Rule("FORMAT=CSV", other, COPY_FORMAT_DOC + "#copy-csv")
        for other in ("FIXEDWIDTH", "REMOVEQUOTES", "ESCAPE")
    ),
    Rule("FIXEDWIDTH", "DELIMITER", COPY_FORMAT_DOC + "#copy-fixedwidth"),
    Rule("FIXEDWIDTH", "ESCAPE", COPY_CONVERSION_DOC + "#copy-escape"),
    Rule("IAM_ROLE", "CREDENTIALS", AUTH_DOC + "#copy-iam-role"),
    Rule("IAM_ROLE", "ACCESS_KEY_ID", AUTH_DOC + "#copy-iam-role"),
    Rule("CREDENTIALS", "ACCESS_KEY_ID", AUTH_DOC),
)

COPY_REQUIREMENTS = AUTH_REQUIREMENTS

# IAM_ROLE 'arn:aws:iam::123456789012:role/Name[,arn:...]' (chained roles) or default.
_ROLE_ARN_PREFIX = "arn:aws"


def parse_options(words: Words, table: Sequence[Option], statement: str) -> Dict[str, Any]:
    """Read options until the end of the statement. Refused options raise
    NotEmulatedError; unknown or repeated ones raise EmulationError."""
    by_length = sorted(table, key=lambda option: -len(option.words))
    found: Dict[str, Any] = {}
    while not words.done:
        option = next((o for o in by_length if words.at(*o.words)), None)
        if option is None:
            raise words.error(f"unknown {statement} option")
        words.accept(*option.words)
        value = _VALUE_READERS[option.value](words, option)
        if option.status == "refused":
            raise NotEmulatedError(f"not emulated locally: {statement} {_label(option, value)}")
        if option.key in found:
            raise EmulationError(f"{statement}: {option.key} is given twice")
        if isinstance(value, tuple) and option.key == "FORMAT":
            value, found["FORMAT_ARG"] = value  # CSV QUOTE 'c', JSON 'auto'
        found[option.key] = value
    return found


def check_rules(
    options: Dict[str, Any],
    rules: Sequence[Rule],
    requirements: Sequence[Requirement],
    statement: str,
) -> None:
    for rule in rules:
        if has(options, rule.first) and has(options, rule.second):
            raise EmulationError(
                f"{statement}: {_side(rule.first)} can't be used with {_side(rule.second)} "
                f"({rule.doc})"
            )
    for need in requirements:
        if (not need.option or has(options, need.option)) and not any(
            has(options, alternative) for alternative in need.needs
        ):
            raise EmulationError(f"{statement} {need.message} ({need.doc})")
    role = options.get("IAM_ROLE")
    if role is not None and role != "default":
        for arn in role.split(","):
            if not arn.strip().startswith(_ROLE_ARN_PREFIX) or ":role/" not in arn:
                raise EmulationError(
                    f"{statement}: IAM_ROLE {arn.strip()!r} is not a role ARN ({AUTH_DOC})"
                )
    for key, (low, high) in SIZE_LIMITS.items():
        size = options.get(key)
        if size is not None and not low <= size <= high:
            raise EmulationError(
                f"{statement}: {key} must be between {low // MB} MB and {high / MB:g} MB "
                f"({UNLOAD_DOC})"
            )


def has(options: Dict[str, Any], side: str) -> bool:
    key, _, value = side.partition("=")
    if value:
        return options.get(key) == value
    return key in options


def _side(side: str) -> str:
    key, _, value = side.partition("=")
    return value or key.replace("_", " ")


def _label(option: Option, value: Any) -> str:
    if option.words == ("FORMAT",) and isinstance(value, str):
        return f"FORMAT {value}"
    return " ".join(option.words)


# --- value grammars


def _flag(words: Words, option: Option) -> Any:
    return True


def _string(words: Words, option: Option) -> Any:
    words.accept("AS")
    return words.string()


def _optional_string(words: Words, option: Option) -> Any:
    words.accept("AS")
    token = words.peek()
    return words.string() if token is not None and token.kind == "string" else True


def _integer(words: Words, option: Option) -> Any:
    words.accept("AS")
    text = words.number()
    if not text.isdigit():
        raise words.error(f"{option.key} needs a whole number")
    return int(text)


def _size(words: Words, option: Option) -> Any:
    words.accept("AS")
    try:
        amount = float(words.number())
    except ValueError:
        raise words.error(f"{option.key} needs a number") from None
    unit = MB
    if words.accept("GB"):
        unit = GB
    else:
        words.accept("MB")
    return int(amount * unit)


def _on_off(words: Words, option: Option) -> Any:
    for word, value in (("ON", True), ("TRUE", True), ("OFF", False), ("FALSE", False)):
        if words.accept(word):
            return value
    return True


def _word(words: Words, option: Option) -> Any:
    token = words.take()
    if token.kind != "word":
        raise words.error(f"{option.key} needs a keyword")
    return token.text.upper()


def _optional_word(words: Words, option: Option) -> Any:
    for word in ("ON", "OFF", "TRUE", "FALSE", "PRESET"):
        if words.accept(word):
            return word
    return True


def _format(words: Words, option: Option) -> Any:
    words.accept("AS")
    token = words.peek()
    name = words.word()
    if name == "CSV":
        return _csv(_advance(words), option)
    if name == "JSON":
        return _json(_advance(words), option)
    if name in ("PARQUET", "ORC", "AVRO", "SHAPEFILE"):
        words.take()
        if name != "PARQUET":
            raise NotEmulatedError(f"not emulated locally: FORMAT {name}")
        return name
    raise words.error(f"unknown format {token.text if token else ''!r}")


def _advance(words: Words) -> Words:
    words.take()
    return words


def _format_word(words: Words, option: Option) -> Any:
    return option.words[0]


def _csv(words: Words, option: Option) -> Any:
    if words.accept("QUOTE"):
        words.accept("AS")
        quote = words.string()
        if len(quote) != 1:
            raise EmulationError(f"QUOTE must be one character, not {quote!r} ({COPY_FORMAT_DOC})")
        return ("CSV", quote)
    return "CSV"


def _json(words: Words, option: Option) -> Any:
    words.accept("AS")
    token = words.peek()
    if token is None or token.kind != "string":
        return ("JSON", "auto")
    spec = words.string()
    if spec.lower() in ("auto", "auto ignorecase"):
        return ("JSON", spec.lower())
    if spec.startswith("s3://"):
        return ("JSON", spec)
    raise NotEmulatedError(f"not emulated locally: JSON {spec!r}")


def _avro(words: Words, option: Option) -> Any:
    _optional_string(words, option)
    return "AVRO"


def _codec(words: Words, option: Option) -> Any:
    return option.words[0]


def _role(words: Words, option: Option) -> Any:
    if words.accept("DEFAULT"):
        return "default"
    return words.string()


def _manifest(words: Words, option: Option) -> Any:
    return "VERBOSE" if words.accept("VERBOSE") else True


def _partition(words: Words, option: Option) -> Any:
    columns = words.names_in_parens()
    if not columns:
        raise words.error("PARTITION BY needs at least one column")
    return (tuple(columns), words.accept("INCLUDE"))


def _encrypted(words: Words, option: Option) -> Any:
    return "AUTO" if words.accept("AUTO") else True


_VALUE_READERS = {
    "flag": _flag,
    "string": _string,
    "optional_string": _optional_string,
    "integer": _integer,
    "size": _size,
    "on_off": _on_off,
    "word": _word,
    "optional_word": _optional_word,
    "format": _format,
    "format_word": _format_word,
    "csv": _csv,
    "json": _json,
    "avro": _avro,
    "codec": _codec,
    "role": _role,
    "manifest": _manifest,
    "partition": _partition,
    "encrypted": _encrypted,
}


def file_format(options: Dict[str, Any]) -> str:
    """'CSV', 'PARQUET', 'JSON' or, without a FORMAT option, 'TEXT' (pipe-delimited)."""
    return str(options.get("FORMAT", "TEXT"))
