"""Redshift table DDL on PostgreSQL: physical-design attributes dropped, types and
IDENTITY mapped, informational constraints dropped; everything else kept verbatim.

The rewrite works on the lexer's tokens and edits only the spans it recognises, so
comments, quoting and the rest of the statement reach PostgreSQL exactly as written.
Each rewrite is a row in ATTRIBUTES/TYPES with the AWS doc it follows.
"""

import hashlib
from typing import Any, Dict, List, NamedTuple, Optional, Sequence, Tuple

from sqlrunner.errors import NotEmulatedError
from sqlrunner.lexer import Token

from .words import ident, literal, significant

CREATE_TABLE_DOC = "https://docs.aws.amazon.com/redshift/latest/dg/r_CREATE_TABLE_NEW.html"
ALTER_DOC = "https://docs.aws.amazon.com/redshift/latest/dg/r_ALTER_TABLE.html"
TYPES_DOC = "https://docs.aws.amazon.com/redshift/latest/dg/c_Supported_data_types.html"
CONSTRAINTS_DOC = "https://docs.aws.amazon.com/redshift/latest/dg/t_Defining_constraints.html"


class Attribute(NamedTuple):
    words: Tuple[str, ...]  # keywords that start it
    argument: (
        str  # what follows: "" none, "word" one keyword, "group" a (...) list, "word_or_group"
    )
    doc: str


# Table attributes (after the column list, or before AS in CREATE TABLE AS): physical
# layout only, no effect on results, so dropped.
TABLE_ATTRIBUTES: Tuple[Attribute, ...] = (
    Attribute(("DISTSTYLE",), "word", CREATE_TABLE_DOC),
    Attribute(("DISTKEY",), "group", CREATE_TABLE_DOC),
    Attribute(("COMPOUND", "SORTKEY"), "group", CREATE_TABLE_DOC),
    Attribute(("INTERLEAVED", "SORTKEY"), "group", CREATE_TABLE_DOC),
    Attribute(("SORTKEY",), "word_or_group", CREATE_TABLE_DOC),
    Attribute(("ENCODE",), "word", CREATE_TABLE_DOC),
    Attribute(("BACKUP",), "word", CREATE_TABLE_DOC),
)
# Column attributes dropped for the same reason, and constraints Redshift does not
# enforce ("informational only", t_Defining_constraints.html): keeping them would make
# PostgreSQL reject rows Redshift accepts.
COLUMN_ATTRIBUTES: Tuple[Attribute, ...] = (
    Attribute(("ENCODE",), "word", CREATE_TABLE_DOC),
    Attribute(("DISTKEY",), "", CREATE_TABLE_DOC),
    Attribute(("SORTKEY",), "", CREATE_TABLE_DOC),
    Attribute(("COLLATE", "CASE_SENSITIVE"), "", CREATE_TABLE_DOC),
    Attribute(("COLLATE", "CS"), "", CREATE_TABLE_DOC),
    Attribute(("PRIMARY", "KEY"), "", CONSTRAINTS_DOC),
    Attribute(("UNIQUE",), "", CONSTRAINTS_DOC),
    Attribute(("REFERENCES",), "reference", CONSTRAINTS_DOC),
)
# Column attributes that change results and are not emulated.
REFUSED_COLUMN_ATTRIBUTES: Dict[Tuple[str, ...], str] = {
    ("COLLATE", "CASE_INSENSITIVE"): "COLLATE CASE_INSENSITIVE",
    ("COLLATE", "CI"): "COLLATE CASE_INSENSITIVE",
}
# Table-level elements of the column list that are informational constraints.
CONSTRAINT_ELEMENTS = ("PRIMARY", "UNIQUE", "FOREIGN", "CONSTRAINT")

# Redshift type spellings PostgreSQL lacks -> PostgreSQL's (TYPES_DOC). (MAX) is
# Redshift's 65535-byte maximum; TEXT is VARCHAR(256) in Redshift.
TYPE_RENAMES: Dict[str, str] = {"NVARCHAR": "varchar", "NCHAR": "char", "TEXT": "varchar(256)"}
# A character type without a length: VARCHAR is VARCHAR(256) and BPCHAR is CHAR(256) in
# Redshift (PostgreSQL's would be unlimited); CHAR alone is CHAR(1) in both.
# https://docs.aws.amazon.com/redshift/latest/dg/r_Character_types.html
DEFAULT_LENGTHS: Dict[str, str] = {"VARCHAR": "256", "NVARCHAR": "256", "BPCHAR": "256"}
# DECIMAL without a precision is DECIMAL(18, 0) in Redshift (PostgreSQL's would keep any
# scale): https://docs.aws.amazon.com/redshift/latest/dg/r_Numeric_types201.html
DEFAULT_PRECISIONS: Dict[str, str] = {"DECIMAL": "18, 0", "NUMERIC": "18, 0", "DEC": "18, 0"}
VARCHAR_WORDS = ("VARCHAR", "NVARCHAR", "VARYING", "CHAR", "CHARACTER", "NCHAR", "BPCHAR")
MAX_LENGTH = "65535"
# Redshift-only types with no PostgreSQL counterpart the adapter emulates.
REFUSED_TYPES = ("SUPER", "GEOMETRY", "GEOGRAPHY", "HLLSKETCH", "VARBYTE", "VARBINARY", "BINARY")


class Edit(NamedTuple):
    start: int
    end: int
    text: str


class Rewrite(NamedTuple):
    sql: str
    notes: List[str]


def apply(sql: str, edits: Sequence[Edit]) -> str:
    out, pos = [], 0
    for edit in sorted(edits):
        out.append(sql[pos : edit.start])
        out.append(edit.text)
        pos = edit.end
    out.append(sql[pos:])
    return "".join(out)


def end_of(token: Token) -> int:
    return token.start + len(token.text)


def upper_word(token: Token) -> str:
    return token.text.upper() if token.kind == "word" else ""


def _matches(tokens: Sequence[Token], at: int, words: Sequence[str]) -> bool:
    return all(
        at + i < len(tokens) and upper_word(tokens[at + i]) == w for i, w in enumerate(words)
    )


def _closing(tokens: Sequence[Token], at: int) -> int:
    """Index of the ')' matching the '(' at `at`."""
    depth = 0
    for i in range(at, len(tokens)):
        if tokens[i].kind == "op" and tokens[i].text == "(":
            depth += 1
        elif tokens[i].kind == "op" and tokens[i].text == ")":
            depth -= 1
            if depth == 0:
                return i
    return len(tokens) - 1


def is_op(tokens: Sequence[Token], at: int, op: str) -> bool:
    return at < len(tokens) and tokens[at].kind == "op" and tokens[at].text == op


def drop_attribute(
    tokens: Sequence[Token],
    i: int,
    attributes: Sequence[Attribute],
    edits: List[Edit],
    notes: List[str],
) -> int:
    """If one of `attributes` starts at tokens[i], edit it out (noting it); the index to
    go on from: after the attribute, or the next token."""
    attribute = next((a for a in attributes if _matches(tokens, i, a.words)), None)
    if attribute is None:
        return i + 1
    end = _attribute_end(tokens, i, attribute)
    edits.append(Edit(tokens[i].start, end_of(tokens[end - 1]), ""))
    notes.append(" ".join(attribute.words))
    return end


def _attribute_end(tokens: Sequence[Token], at: int, attribute: Attribute) -> int:
    """Index after the attribute starting at `at`."""
    i = at + len(attribute.words)
    if attribute.argument == "word" or (
        attribute.argument == "word_or_group" and not is_op(tokens, i, "(")
    ):
        return i + 1
    if attribute.argument in ("group", "word_or_group"):
        return _closing(tokens, i) + 1
    if attribute.argument == "reference":
        i += 1  # the referenced table
        while is_op(tokens, i, "."):
            i += 2
        if is_op(tokens, i, "("):
            i = _closing(tokens, i) + 1
        return i
    return i


def rewrite_create_table(sql: str) -> Optional[Rewrite]:
    """The statement rewritten for PostgreSQL, or None when nothing needed changing."""
    edits, notes = create_table_edits(significant(sql))
    return Rewrite(apply(sql, edits), notes) if edits else None


def create_table_edits(tokens: Sequence[Token]) -> Tuple[List[Edit], List[str]]:
    """Edits for one CREATE TABLE statement whose significant tokens are `tokens` (they
    may be a slice of a longer text, such as a stored procedure's body)."""
    edits: List[Edit] = []
    notes: List[str] = []
    i = 0
    while i < len(tokens) and upper_word(tokens[i]) != "TABLE":
        i += 1
    i += 1
    if _matches(tokens, i, ("IF", "NOT", "EXISTS")):
        i += 3
    while i < len(tokens) and (tokens[i].kind in ("word", "ident") or is_op(tokens, i, ".")):
        if i > 0 and upper_word(tokens[i]) in (
            "DISTSTYLE",
            "DISTKEY",
            "SORTKEY",
            "COMPOUND",
            "INTERLEAVED",
            "BACKUP",
            "ENCODE",
            "AS",
        ):
            break
        i += 1
    if is_op(tokens, i, "("):
        close = _closing(tokens, i)
        _column_list(tokens[i + 1 : close], edits, notes)
        i = close + 1
    _table_attributes(tokens, i, edits, notes)
    return edits, notes


def _table_attributes(tokens: Sequence[Token], i: int, edits: List[Edit], notes: List[str]) -> None:
    while i < len(tokens):
        if upper_word(tokens[i]) == "AS":
            return  # CREATE TABLE ... AS query: the query is left alone
        i = drop_attribute(tokens, i, TABLE_ATTRIBUTES, edits, notes)


def _column_list(tokens: Sequence[Token], edits: List[Edit], notes: List[str]) -> None:
    elements: List[Tuple[List[Token], Optional[Token]]] = []  # (tokens, the comma before it)
    current: List[Token] = []
    comma: Optional[Token] = None
    depth = 0
    for token in tokens:
        if token.kind == "op" and token.text in "()":
            depth += 1 if token.text == "(" else -1
        if depth == 0 and token.kind == "op" and token.text == ",":
            elements.append((current, comma))
            current, comma = [], token
        else:
            current.append(token)
    if current:
        elements.append((current, comma))
    kept_first = False
    for index, (element, comma_before) in enumerate(elements):
        if upper_word(element[0]) in CONSTRAINT_ELEMENTS and (
            upper_word(element[0]) != "CONSTRAINT"
            or any(upper_word(t) in ("PRIMARY", "UNIQUE", "FOREIGN") for t in element[2:3])
        ):
            # drop the element with one comma next to it
            if comma_before is not None and kept_first:
                edits.append(Edit(comma_before.start, end_of(element[-1]), ""))
            else:
                following = elements[index + 1][1] if index + 1 < len(elements) else None
                end = end_of(following) if following is not None else end_of(element[-1])
                edits.append(Edit(element[0].start, end, ""))
            notes.append("informational constraint")
            continue
        kept_first = True
        if element[0].kind in ("word", "ident") and upper_word(element[0]) != "LIKE":
            column_definition(element, edits, notes)


def column_definition(element: Sequence[Token], edits: List[Edit], notes: List[str]) -> None:
    """Edits for one `name type [attributes]` column definition."""
    _type(element, 1, edits, notes)
    i = 2
    while i < len(element):
        for words, label in REFUSED_COLUMN_ATTRIBUTES.items():
            if _matches(element, i, words):
                raise NotEmulatedError(f"not emulated locally: {label}")
        if _matches(element, i, ("IDENTITY",)) and is_op(element, i + 1, "("):
            close = _closing(element, i + 1)
            seed, step = _identity_args(element[i + 2 : close])
            edits.append(
                Edit(
                    element[i].start,
                    end_of(element[close]),
                    f"GENERATED ALWAYS AS IDENTITY {_sequence(seed, step)}",
                )
            )
            notes.append("IDENTITY")
            i = close + 1
            continue
        if _matches(element, i, ("IDENTITY",)):
            # IDENTITY without (seed, step): seed 1, step 1
            edits.append(Edit(element[i].start, end_of(element[i]), "GENERATED ALWAYS AS IDENTITY"))
            notes.append("IDENTITY")
            i += 1
            continue
        if _matches(element, i, ("GENERATED", "BY", "DEFAULT", "AS", "IDENTITY")):
            if is_op(element, i + 5, "("):
                close = _closing(element, i + 5)
                seed, step = _identity_args(element[i + 6 : close])
                edits.append(
                    Edit(element[i + 5].start, end_of(element[close]), _sequence(seed, step))
                )
                i = close + 1
            else:
                i += 5
            continue
        i = drop_attribute(element, i, COLUMN_ATTRIBUTES, edits, notes)


def _sequence(seed: str, step: str) -> str:
    """PostgreSQL's sequence options for IDENTITY(seed, step); a seed below PostgreSQL's
    default minimum (1) lowers the minimum, as Redshift allows IDENTITY(0, 1)."""
    options = f"START WITH {seed} INCREMENT BY {step}"
    if int(seed) < 1 and int(step) > 0:
        options += f" MINVALUE {seed}"
    return f"({options})"


def _identity_args(tokens: Sequence[Token]) -> Tuple[str, str]:
    numbers = [t.text for t in tokens if t.kind == "number"]
    signs = "".join(t.text for t in tokens)
    if len(numbers) != 2:
        raise NotEmulatedError(f"not emulated locally: IDENTITY({signs})")
    parts = signs.split(",")
    return parts[0], parts[1]


def _type(element: Sequence[Token], at: int, edits: List[Edit], notes: List[str]) -> None:
    if at >= len(element):
        return
    word = upper_word(element[at])
    if word in REFUSED_TYPES:
        raise NotEmulatedError(f"not emulated locally: {word} columns ({TYPES_DOC})")
    if word in TYPE_RENAMES and not (word == "TEXT" and is_op(element, at + 1, "(")):
        edits.append(Edit(element[at].start, end_of(element[at]), TYPE_RENAMES[word]))
        notes.append(word)
    if word in DEFAULT_LENGTHS or _matches(element, at, ("CHARACTER", "VARYING")):
        last = at + 1 if word == "CHARACTER" else at
        if not is_op(element, last + 1, "("):
            length = DEFAULT_LENGTHS["VARCHAR" if word == "CHARACTER" else word]
            edits.append(Edit(end_of(element[last]), end_of(element[last]), f"({length})"))
            notes.append(f"{word} without a length")
    if word in DEFAULT_PRECISIONS and not is_op(element, at + 1, "("):
        edits.append(
            Edit(end_of(element[at]), end_of(element[at]), f"({DEFAULT_PRECISIONS[word]})")
        )
        notes.append(f"{word} without a precision")
    max_type_edits(element, edits, notes)


def max_type_edits(tokens: Sequence[Token], edits: List[Edit], notes: List[str]) -> None:
    """VARCHAR(MAX) and friends -> (65535), wherever they appear (casts included)."""
    for i in range(len(tokens) - 3):
        if (
            upper_word(tokens[i]) in VARCHAR_WORDS
            and is_op(tokens, i + 1, "(")
            and upper_word(tokens[i + 2]) == "MAX"
            and is_op(tokens, i + 3, ")")
        ):
            edits.append(Edit(tokens[i + 2].start, end_of(tokens[i + 2]), MAX_LENGTH))
            notes.append("(MAX)")


# ALTER TABLE forms that change only the physical layout: accepted with no effect.
PHYSICAL_ALTERS: Tuple[Tuple[str, ...], ...] = (
    ("ALTER", "DISTSTYLE"),
    ("ALTER", "DISTKEY"),
    ("ALTER", "SORTKEY"),
    ("ALTER", "COMPOUND", "SORTKEY"),
    ("ALTER", "INTERLEAVED", "SORTKEY"),
    ("ALTER", "ENCODE"),
)


def rewrite_alter_table(sql: str) -> Optional[Rewrite]:
    """ALTER TABLE t ADD [COLUMN] definition: the column attributes rewritten. ALTER
    COLUMN c ENCODE and the physical ALTERs give an empty rewrite (nothing to run)."""
    tokens = significant(sql)
    i = 2
    while i < len(tokens) and (tokens[i].kind in ("word", "ident") or is_op(tokens, i, ".")):
        if upper_word(tokens[i]) in ("ADD", "ALTER", "APPEND") and i > 2:
            break
        i += 1
    for words in PHYSICAL_ALTERS:
        if _matches(tokens, i, words):
            return Rewrite("", [" ".join(words[1:])])
    if _matches(tokens, i, ("ALTER", "COLUMN")) and any(
        upper_word(t) == "ENCODE" for t in tokens[i:]
    ):
        return Rewrite("", ["ENCODE"])
    if _matches(tokens, i, ("APPEND", "FROM")):
        raise NotEmulatedError("not emulated locally: ALTER TABLE APPEND")
    if _matches(tokens, i, ("ADD",)):
        start = i + (2 if _matches(tokens, i, ("ADD", "COLUMN")) else 1)
        edits: List[Edit] = []
        notes: List[str] = []
        if start < len(tokens) and upper_word(tokens[start]) not in CONSTRAINT_ELEMENTS:
            column_definition(tokens[start:], edits, notes)
        return Rewrite(apply(sql, edits), notes) if edits else None
    return None


# VARCHAR(n) and CHAR(n) hold n *bytes* in Redshift, characters in PostgreSQL
# (r_Character_types.html: 'Zürich' does not fit VARCHAR(6)). Each such column of a table
# the adapter creates gets a CHECK on octet_length whose name is Redshift's error message,
# so a violation reads as Redshift's does (see too_long_message); CHAR also holds only
# single-byte characters there.
BYTES_DOC = "https://docs.aws.amazon.com/redshift/latest/dg/r_Character_types.html"
_TOO_LONG = "value too long for type {type}"
_CHECK_NAME_BYTES = 63  # PostgreSQL's identifier limit


def byte_length_checks(db: Any, table: str) -> int:
    """Bring `table`'s (a regclass literal's text) byte-length CHECKs in line with its
    columns: a CHECK left from a column's earlier type (ALTER COLUMN ... TYPE varchar(n))
    is dropped, and every column that lacks one gets it; returns how many were added."""
    stale = db.fetch(
        "SELECT c.conname FROM pg_catalog.pg_constraint c "
        "JOIN pg_catalog.pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
        f"WHERE c.conrelid = {literal(table)}::regclass AND c.contype = 'c' "
        "AND c.conname LIKE 'value too long for type %' "
        "AND c.conname NOT LIKE 'value too long for type ' || "
        "pg_catalog.format_type(a.atttypid, a.atttypmod) || ' [%'"
    )
    if stale:
        db.query(
            f"ALTER TABLE {table} "
            + ", ".join(f"DROP CONSTRAINT {ident(name)}" for (name,) in stale)
        )
    rows = db.fetch(
        "SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), t.typname, "
        "a.atttypmod - 4 FROM pg_catalog.pg_attribute a "
        "JOIN pg_catalog.pg_type t ON t.oid = a.atttypid "
        f"WHERE a.attrelid = {literal(table)}::regclass AND a.attnum > 0 AND NOT a.attisdropped "
        "AND t.typname IN ('varchar', 'bpchar') AND a.atttypmod > 4 "
        "AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint c WHERE c.conrelid = a.attrelid "
        "AND c.contype = 'c' AND a.attnum = ANY (c.conkey) "
        "AND c.conname LIKE 'value too long for type %')"
    )
    clauses = []
    for column, type_sql, typname, length in rows:
        name = _check_name(_TOO_LONG.format(type=type_sql), column)
        value = ident(column)
        if typname == "bpchar":
            check = f"pg_catalog.octet_length({value}::text) = pg_catalog.length({value}::text)"
        else:
            check = f"pg_catalog.octet_length({value}) <= {int(length)}"
        clauses.append(f"ADD CONSTRAINT {ident(name)} CHECK ({check})")
    if clauses:
        db.query(f"ALTER TABLE {table} " + ", ".join(clauses))
    return len(clauses)


def _check_name(message: str, column: str) -> str:
    name = f"{message} [{column}]"
    if len(name.encode()) <= _CHECK_NAME_BYTES:
        return name
    digest = hashlib.sha256(column.encode()).hexdigest()[:8]
    return f"{message} [{digest}]"


def too_long_message(error_message: str) -> Optional[str]:
    """Redshift's message for a PostgreSQL check violation of one of the CHECKs above, or
    None for any other error."""
    marker = 'violates check constraint "value too long for type '
    at = error_message.find(marker)
    if at < 0:
        return None
    name = error_message[at + len(marker) - len("value too long for type ") :]
    return name.split(" [", 1)[0]
