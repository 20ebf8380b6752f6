"""Spectrum's DDL read without touching the database, S3 or Glue: CREATE EXTERNAL SCHEMA,
CREATE EXTERNAL TABLE and ALTER TABLE on an external table, as plain data.

`parse_create_schema`, `parse_create_table` and `parse_alter_table` raise exactly what
running the statement raises for its text (NotEmulatedError for what is not emulated,
EmulationError for what Redshift refuses), so statements can be checked before anything
runs; spectrum.Spectrum runs them against Glue (glue_catalog) and PostgreSQL
(spectrum_load).
https://docs.aws.amazon.com/redshift/latest/dg/r_CREATE_EXTERNAL_SCHEMA.html
https://docs.aws.amazon.com/redshift/latest/dg/r_CREATE_EXTERNAL_TABLE.html
https://docs.aws.amazon.com/redshift/latest/dg/r_ALTER_TABLE_external-table.html
"""

from typing import Any, Dict, List, NamedTuple, Optional, Sequence, Tuple

from sqlrunner.errors import EmulationError, NotEmulatedError
from sqlrunner.lexer import string_value

from . import parquet_load, s3io
from .options import AUTHORIZATION, Option, parse_options
from .words import Words, name_of, split_top_level, text_of

SCHEMA_DOC = "https://docs.aws.amazon.com/redshift/latest/dg/r_CREATE_EXTERNAL_SCHEMA.html"
TABLE_DOC = "https://docs.aws.amazon.com/redshift/latest/dg/r_CREATE_EXTERNAL_TABLE.html"
ALTER_DOC = "https://docs.aws.amazon.com/redshift/latest/dg/r_ALTER_TABLE_external-table.html"

PARQUET_INPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
PARQUET_OUTPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"
PARQUET_SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"

# Column types an external table may declare: Redshift spelling -> the Hive type Glue
# stores (r_CREATE_EXTERNAL_TABLE.html, "Data types").
REDSHIFT_TO_HIVE: Dict[Tuple[str, ...], str] = {
    ("SMALLINT",): "smallint",
    ("INT2",): "smallint",
    ("INTEGER",): "int",
    ("INT",): "int",
    ("INT4",): "int",
    ("BIGINT",): "bigint",
    ("INT8",): "bigint",
    ("DECIMAL",): "decimal",
    ("NUMERIC",): "decimal",
    ("REAL",): "float",
    ("FLOAT4",): "float",
    ("DOUBLE", "PRECISION"): "double",
    ("FLOAT8",): "double",
    ("FLOAT",): "double",
    ("BOOLEAN",): "boolean",
    ("BOOL",): "boolean",
    ("CHAR",): "char",
    ("CHARACTER",): "char",
    ("NCHAR",): "char",
    ("BPCHAR",): "char",
    ("VARCHAR",): "varchar",
    ("CHARACTER", "VARYING"): "varchar",
    ("NVARCHAR",): "varchar",
    ("TEXT",): "varchar",
    ("STRING",): "string",
    ("DATE",): "date",
    ("TIMESTAMP",): "timestamp",
}
# Hive type (as Glue holds it) -> the local column type.
HIVE_TO_POSTGRES: Dict[str, str] = {
    "tinyint": "smallint",
    "smallint": "smallint",
    "int": "integer",
    "integer": "integer",
    "bigint": "bigint",
    "decimal": "numeric",
    "float": "real",
    "double": "double precision",
    "boolean": "boolean",
    "char": "char",
    "varchar": "varchar",
    "string": "text",
    "date": "date",
    "timestamp": "timestamp",
}
# STORED AS values: only Parquet is emulated.
STORED_AS_PARQUET = ("PARQUET",)


class ExternalColumn(NamedTuple):
    name: str
    hive_type: str  # e.g. varchar(25)

    @property
    def postgres_type(self) -> str:
        base, args = _split_type(self.hive_type)
        if base not in HIVE_TO_POSTGRES:
            raise NotEmulatedError(f"not emulated locally: external column type {self.hive_type}")
        return HIVE_TO_POSTGRES[base] + (f"({args})" if args else "")

    @property
    def max_bytes(self) -> Optional[int]:
        base, args = _split_type(self.hive_type)
        return int(args) if base in ("char", "varchar") and args.isdigit() else None


def _split_type(hive_type: str) -> Tuple[str, str]:
    base, _, rest = hive_type.strip().lower().partition("(")
    return base.strip(), rest.rstrip(")").replace(" ", "")


# What may follow DATABASE '...' in CREATE EXTERNAL SCHEMA ... FROM DATA CATALOG.
SCHEMA_OPTIONS = (
    *(o for o in AUTHORIZATION if o.key in ("IAM_ROLE", "REGION")),
    Option(
        ("CATALOG_ROLE",),
        "CATALOG_ROLE",
        "role",
        "accepted",
        "Glue access role; not used locally",
        SCHEMA_DOC,
    ),
    Option(
        ("CATALOG_ID",),
        "CATALOG_ID",
        "string",
        "accepted",
        "Glue catalog account; the local one has one",
        SCHEMA_DOC,
    ),
    Option(
        ("CREATE", "EXTERNAL", "DATABASE", "IF", "NOT", "EXISTS"),
        "CREATE_DATABASE",
        "flag",
        "emulated",
        "creates the Glue database when missing",
        SCHEMA_DOC,
    ),
)


def _columns(words: Words, tokens: Sequence[Any]) -> List[ExternalColumn]:
    columns = []
    for item in split_top_level(tokens):
        if item[0].kind not in ("word", "ident") or len(item) < 2:
            raise words.error("expected column definitions: name type")
        name = name_of(item[0])
        type_words = tuple(t.text.upper() for t in item[1:] if t.kind == "word")
        paren = next((i for i, t in enumerate(item) if t.kind == "op" and t.text == "("), None)
        head = tuple(t.text.upper() for t in item[1 : paren if paren is not None else len(item)])
        hive = REDSHIFT_TO_HIVE.get(head)
        if hive is None or not type_words:
            raise NotEmulatedError(
                f"not emulated locally: external column type {text_of(words.sql, item[1:])}"
            )
        if paren is not None:
            args = "".join(t.text for t in item[paren + 1 : -1]).replace(" ", "")
            if args.upper() == "MAX":
                args = "65535"
            hive = f"{hive}({args})"
        elif hive == "varchar":
            hive = "varchar(256)"  # Redshift's default VARCHAR length
        columns.append(ExternalColumn(name, hive))
    return columns


def _row_format(words: Words) -> None:
    if words.accept("SERDE"):
        serde = words.string()
        if serde != PARQUET_SERDE:
            raise NotEmulatedError(f"not emulated locally: ROW FORMAT SERDE {serde!r}")
        if words.accept("WITH", "SERDEPROPERTIES"):
            words.group()
        return
    raise NotEmulatedError("not emulated locally: ROW FORMAT DELIMITED (text external tables)")


def _stored_as(words: Words) -> str:
    if words.accept("INPUTFORMAT"):
        input_format = words.string()
        words.expect("OUTPUTFORMAT")
        words.string()
        if input_format != PARQUET_INPUT:
            raise NotEmulatedError(f"not emulated locally: STORED AS INPUTFORMAT {input_format!r}")
        return "PARQUET"
    token = words.take()
    stored = token.text.upper()
    if stored not in STORED_AS_PARQUET:
        raise NotEmulatedError(f"not emulated locally: CREATE EXTERNAL TABLE STORED AS {stored}")
    return stored


def _properties(words: Words) -> Dict[str, str]:
    properties = {}
    for item in split_top_level(words.group()):
        if (
            len(item) != 3
            or item[0].kind != "string"
            or item[1].text != "="
            or item[2].kind != "string"
        ):
            raise words.error("TABLE PROPERTIES are 'name'='value' pairs")
        properties[string_value(item[0].text)] = string_value(item[2].text)
    return properties


def _partition_values(words: Words) -> Dict[str, str]:
    given: Dict[str, str] = {}
    for item in split_top_level(words.group()):
        if len(item) != 3 or item[1].text != "=" or item[0].kind not in ("word", "ident"):
            raise words.error("expected PARTITION (column='value', ...)")
        value = item[2]
        if value.kind == "string":
            given[name_of(item[0])] = string_value(value.text)
        elif value.kind == "number":
            given[name_of(item[0])] = value.text
        else:
            raise words.error("partition values are literals")
    return given


def partition_values(given: Dict[str, str], keys: Sequence[str]) -> Tuple[str, ...]:
    """The values in the table's partition-key order; they must name exactly its keys."""
    if sorted(given) != sorted(keys):
        raise EmulationError(
            f"PARTITION ({', '.join(given)}) must name exactly the partition columns "
            f"({', '.join(keys)}) ({ALTER_DOC})"
        )
    return tuple(given[key] for key in keys)


def show(keys: Sequence[str], values: Sequence[str]) -> str:
    return "(" + ", ".join(f"{k}='{values[i]}'" for i, k in enumerate(keys)) + ")"


# --- statements as data


class CreateSchema(NamedTuple):
    schema: str
    database: str
    if_not_exists: bool
    create_database: bool


class CreateTable(NamedTuple):
    schema: Optional[str]
    table: str
    if_not_exists: bool
    columns: List[ExternalColumn]
    partitions: List[ExternalColumn]
    location: str
    properties: Dict[str, str]


class AddPartition(NamedTuple):
    values: Dict[str, str]  # partition column -> value, as written
    location: str


class AlterTable(NamedTuple):
    """One ALTER TABLE on an external table; `action` is ADD, DROP, SET_PARTITION_LOCATION,
    SET_LOCATION or SET_PROPERTIES."""

    schema: Optional[str]
    table: str
    action: str
    if_not_exists: bool = False
    partitions: Tuple[AddPartition, ...] = ()
    values: Optional[Dict[str, str]] = None
    location: Optional[str] = None
    properties: Optional[Dict[str, str]] = None


def parse_create_schema(sql: str) -> CreateSchema:
    words = Words(sql, "CREATE EXTERNAL SCHEMA")
    words.expect("CREATE", "EXTERNAL", "SCHEMA")
    if_not_exists = words.accept("IF", "NOT", "EXISTS")
    schema = words.name()
    if words.accept("FROM") and not words.accept("DATA", "CATALOG"):
        source = words.take().text.upper()
        if source == "HIVE":
            source = "HIVE METASTORE"
        raise NotEmulatedError(f"not emulated locally: CREATE EXTERNAL SCHEMA FROM {source}")
    words.expect("DATABASE")
    database = words.string()
    options = parse_options(words, SCHEMA_OPTIONS, "CREATE EXTERNAL SCHEMA")
    if "IAM_ROLE" not in options:
        raise EmulationError(f"CREATE EXTERNAL SCHEMA needs IAM_ROLE ({SCHEMA_DOC})")
    return CreateSchema(schema, database, if_not_exists, "CREATE_DATABASE" in options)


def parse_create_table(sql: str) -> CreateTable:
    words = Words(sql, "CREATE EXTERNAL TABLE")
    words.expect("CREATE", "EXTERNAL", "TABLE")
    if_not_exists = words.accept("IF", "NOT", "EXISTS")
    schema, table = words.qualified_name()
    tokens = words.tokens
    for i in range(len(tokens) - 1):
        if tokens[i].text.upper() == "AS" and tokens[i + 1].text.upper() in (
            "SELECT",
            "WITH",
            "(",
        ):
            raise NotEmulatedError("not emulated locally: CREATE EXTERNAL TABLE AS")
    columns = _columns(words, words.group())
    partitions: List[ExternalColumn] = []
    properties: Dict[str, str] = {}
    location = None
    stored = None
    while not words.done:
        if words.accept("PARTITIONED", "BY"):
            partitions = _columns(words, words.group())
        elif words.accept("ROW", "FORMAT"):
            _row_format(words)
        elif words.accept("STORED", "AS"):
            stored = _stored_as(words)
        elif words.accept("LOCATION"):
            location = words.string()
        elif words.accept("TABLE", "PROPERTIES"):
            properties.update(_properties(words))
        else:
            raise words.error("unexpected clause")
    if stored is None or location is None:
        raise EmulationError(f"CREATE EXTERNAL TABLE needs STORED AS and LOCATION ({TABLE_DOC})")
    s3io.parse_url(location, "CREATE EXTERNAL TABLE LOCATION")
    clash = {c.name for c in columns} & {p.name for p in partitions}
    if clash:
        raise EmulationError(
            f"CREATE EXTERNAL TABLE: partition column {sorted(clash)[0]!r} is also a table "
            f"column ({TABLE_DOC})"
        )
    surplus = properties.get("surplus_char_handling", "SET_TO_NULL").upper()
    if surplus not in parquet_load.SURPLUS_ACTIONS:
        raise EmulationError(
            f"CREATE EXTERNAL TABLE: surplus_char_handling {surplus!r} is not one of "
            + ", ".join(parquet_load.SURPLUS_ACTIONS)
        )
    return CreateTable(schema, table, if_not_exists, columns, partitions, location, properties)


def parse_alter_table(sql: str) -> AlterTable:
    """ALTER TABLE [IF EXISTS] schema.table ... on an external table."""
    words = Words(sql, "ALTER TABLE")
    words.expect("ALTER", "TABLE")
    words.accept("IF", "EXISTS")
    schema, table = words.qualified_name()
    if words.accept("ADD"):
        if_not_exists = words.accept("IF", "NOT", "EXISTS")
        added = []
        while not words.done:
            words.expect("PARTITION")
            values = _partition_values(words)
            words.expect("LOCATION")
            location = words.string()
            s3io.parse_url(location, "ALTER TABLE ADD PARTITION LOCATION")
            added.append(AddPartition(values, location))
        if not added:
            raise words.error("expected PARTITION")
        return AlterTable(schema, table, "ADD", if_not_exists, tuple(added))
    if words.accept("DROP", "PARTITION"):
        values = _partition_values(words)
        _end(words)
        return AlterTable(schema, table, "DROP", values=values)
    if words.accept("PARTITION"):
        values = _partition_values(words)
        words.expect("SET", "LOCATION")
        location = words.string()
        _end(words)
        return AlterTable(schema, table, "SET_PARTITION_LOCATION", values=values, location=location)
    if words.accept("SET", "LOCATION"):
        location = words.string()
        _end(words)
        return AlterTable(schema, table, "SET_LOCATION", location=location)
    if words.accept("SET", "TABLE", "PROPERTIES"):
        properties = _properties(words)
        _end(words)
        return AlterTable(schema, table, "SET_PROPERTIES", properties=properties)
    raise NotEmulatedError(
        f"not emulated locally: ALTER TABLE {words.rest()[:40]} on an external table"
    )


def _end(words: Words) -> None:
    if not words.done:
        raise words.error("unexpected text")
