"""Redshift Spectrum on PostgreSQL: external schemas and tables in the Glue Data Catalog,
their Parquet files from S3 made queryable as local tables.

The design, and the rule for when files are (re-)read:

- The Glue Data Catalog is the source of truth, as for Spectrum: CREATE EXTERNAL
  SCHEMA/TABLE and ALTER TABLE ... PARTITION write the catalog first.
- Each external table `s.t` is a PostgreSQL table of the same name holding the data
  columns and the partition columns. Each partition's rows live in an inheriting child
  table (`sqlrunner_local.p_<hash>`) whose partition columns default to, and are
  CHECK-constrained to, the partition's values: reloading a partition is TRUNCATE +
  COPY of one child, and a query filtering on the partition column skips the other
  children (constraint exclusion).
- Before any statement that names `s.t` runs (including the query inside UNLOAD), the
  table is synced with the catalog and S3 under an advisory lock: partitions added or
  removed in Glue are loaded or dropped, and a partition whose file listing (keys,
  sizes, ETags) differs from the one it was loaded from is re-read. ALTER TABLE ... ADD
  PARTITION syncs at once. So a query sees exactly the files that are in S3 when the
  statement starts, re-adding a partition never duplicates rows, and concurrent runs
  cannot interleave a reload.
- What was loaded is recorded in `sqlrunner_local` (the adapter's own bookkeeping
  schema): external schema -> Glue database, table signatures, partition fingerprints.

Spectrum's reading rules followed: files in the location and its subfolders, except
hidden ones (names starting with . _ or #, or ending with ~); Parquet columns matched
by name; strings wider than their column become NULL unless the table's
surplus_char_handling says otherwise.
https://docs.aws.amazon.com/redshift/latest/dg/r_CREATE_EXTERNAL_TABLE.html
"""

import contextlib
import hashlib
import json
import re
from typing import Any, Dict, Iterator, List, NamedTuple, Optional, Sequence, Set, Tuple

from sqlrunner.errors import EmulationError, NotEmulatedError, aws_error_code
from sqlrunner.result import Result

from . import parquet_load, pgcopy, s3io
from .options import AUTHORIZATION, Option, parse_options
from .words import Words, ident, literal, name_of, qualified, split_top_level, text_of

SCHEMA_DOC = "https://docs.aws.amazon.com/redshift/latest/dg/r_CREATE_EXTERNAL_SCHEMA.html"
TABLE_DOC = "https://docs.aws.amazon.com/redshift/latest/dg/r_CREATE_EXTERNAL_TABLE.html"
ALTER_DOC = "https://docs.aws.amazon.com/redshift/latest/dg/r_ALTER_TABLE_external-table.html"
DROP_SCHEMA_DOC = "https://docs.aws.amazon.com/redshift/latest/dg/r_DROP_SCHEMA.html"
TRANSACTION_DOC = "https://docs.aws.amazon.com/redshift/latest/dg/c-spectrum-external-tables.html"

BOOKKEEPING = "sqlrunner_local"
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
# Spectrum skips these files (r_CREATE_EXTERNAL_TABLE.html, LOCATION).
_HIDDEN = re.compile(r"(?:^|/)[._#][^/]*$|~$|_\$folder\$$")
_BOOKKEEPING_DDL = (
    f"CREATE SCHEMA {BOOKKEEPING}",
    f"CREATE TABLE {BOOKKEEPING}.external_schemas ("
    " schema_name text PRIMARY KEY, glue_database text NOT NULL)",
    f"CREATE UNLOGGED TABLE {BOOKKEEPING}.external_tables ("
    " schema_name text, table_name text, signature text NOT NULL,"
    " PRIMARY KEY (schema_name, table_name))",
    f"CREATE UNLOGGED TABLE {BOOKKEEPING}.external_partitions ("
    " schema_name text, table_name text, key_values text, child text NOT NULL,"
    " fingerprint text NOT NULL, rows bigint NOT NULL,"
    " PRIMARY KEY (schema_name, table_name, key_values))",
)


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


class Spectrum:
    """The external objects of one connection's database."""

    def __init__(self, db: Any, s3: Any, glue: Any) -> None:
        self.db, self.s3, self.glue = db, s3, glue
        self.schemas: Dict[str, str] = {}  # local external schema -> Glue database

    # --- bookkeeping

    def load_schemas(self) -> None:
        exists = self.db.fetch(
            f"SELECT to_regclass({literal(BOOKKEEPING + '.external_schemas')}) IS NOT NULL"
        )
        if exists and exists[0][0]:
            rows = self.db.fetch(
                f"SELECT schema_name, glue_database FROM {BOOKKEEPING}.external_schemas"
            )
            self.schemas = {schema: database for schema, database in rows}

    @contextlib.contextmanager
    def _locked(self, key: str) -> Iterator[None]:
        """A transaction (unless the caller's block is one) holding an advisory lock on `key`."""
        own = not pgcopy.in_transaction(self.db.raw)
        if own:
            self.db.query("BEGIN")
        try:
            self.db.query(
                f"SELECT pg_advisory_xact_lock(hashtext({literal(BOOKKEEPING + ':' + key)}))"
            )
            yield
        except BaseException:
            if own:
                self.db.query("ROLLBACK")
            raise
        if own:
            self.db.query("COMMIT")

    def _exists(self, schema: str, table: str) -> bool:
        """Read from pg_class itself, not with to_regclass: after waiting on an advisory lock,
        to_regclass can still answer from a catalog cache that predates what the session
        that held the lock committed (two first runs racing saw that)."""
        return bool(
            self.db.fetch(
                "SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                f" WHERE n.nspname = {literal(schema)} AND c.relname = {literal(table)}"
            )
        )

    def _drop(self, schema: str, table: str) -> None:
        """DROP TABLE ... CASCADE if it exists (checked first: IF EXISTS prints a NOTICE)."""
        if self._exists(schema, table):
            self.db.query(f"DROP TABLE {qualified(schema, table)} CASCADE")

    def _ensure_bookkeeping(self) -> None:
        """Create the bookkeeping schema once per database (callers hold an advisory lock)."""
        if not self._exists(BOOKKEEPING, "external_partitions"):
            for ddl in _BOOKKEEPING_DDL:
                self.db.query(ddl)

    def _refuse_in_transaction(self, what: str) -> None:
        if pgcopy.in_transaction(self.db.raw):
            raise EmulationError(
                f"{what} cannot run inside a transaction block ({TRANSACTION_DOC})"
            )

    # --- statements

    def create_schema(self, sql: str) -> Result:
        self._refuse_in_transaction("CREATE EXTERNAL SCHEMA")
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
        options = parse_options(words, _SCHEMA_OPTIONS, "CREATE EXTERNAL SCHEMA")
        create_database = "CREATE_DATABASE" in options
        if "IAM_ROLE" not in options:
            raise EmulationError(f"CREATE EXTERNAL SCHEMA needs IAM_ROLE ({SCHEMA_DOC})")
        if not self._glue_database_exists(database):
            if not create_database:
                raise EmulationError(
                    f"CREATE EXTERNAL SCHEMA: external database {database!r} does not exist in the "
                    f"Glue Data Catalog; add CREATE EXTERNAL DATABASE IF NOT EXISTS ({SCHEMA_DOC})"
                )
            # IF NOT EXISTS: another run creating it first is not an error
            self._create("create_database", DatabaseInput={"Name": database})
        with self._locked("schemas"):
            self._ensure_bookkeeping()
            known = self.db.fetch(
                f"SELECT glue_database FROM {BOOKKEEPING}.external_schemas"
                f" WHERE schema_name = {literal(schema)}"
            )
            local = self.db.fetch(f"SELECT 1 FROM pg_namespace WHERE nspname = {literal(schema)}")
            if known or local:
                if not if_not_exists:
                    raise EmulationError(
                        f'CREATE EXTERNAL SCHEMA: schema "{schema}" already exists'
                    )
                if known:  # made by another session since this one connected
                    self.schemas[schema] = known[0][0]
                return Result(None, f"schema {schema} exists, skipped")
            self.db.query(f"CREATE SCHEMA {ident(schema)}")
            self.db.query(
                f"INSERT INTO {BOOKKEEPING}.external_schemas"
                f" VALUES ({literal(schema)}, {literal(database)})"
            )
        self.schemas[schema] = database
        return Result(None, f"external schema {schema} -> Glue database {database}")

    def create_table(self, sql: str) -> Result:
        self._refuse_in_transaction("CREATE EXTERNAL TABLE")
        words = Words(sql, "CREATE EXTERNAL TABLE")
        words.expect("CREATE", "EXTERNAL", "TABLE")
        if_not_exists = words.accept("IF", "NOT", "EXISTS")
        schema, table = words.qualified_name()
        database = self._database_of(schema, "CREATE EXTERNAL TABLE")
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
            raise EmulationError(
                f"CREATE EXTERNAL TABLE needs STORED AS and LOCATION ({TABLE_DOC})"
            )
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
        if self._glue_table(database, table) is not None:
            if not if_not_exists:
                raise EmulationError(
                    f'CREATE EXTERNAL TABLE: relation "{schema}.{table}" already exists'
                )
            rows = self.sync(schema, table)
            return Result(rows, f"{schema}.{table} exists, skipped")
        created = self._create(
            "create_table",
            DatabaseName=database,
            TableInput={
                "Name": table,
                "TableType": "EXTERNAL_TABLE",
                "Parameters": dict(properties, EXTERNAL="TRUE", classification="parquet"),
                "PartitionKeys": [{"Name": p.name, "Type": p.hive_type} for p in partitions],
                "StorageDescriptor": _storage(columns, location),
            },
        )
        if not created:  # another run made it between the check above and now
            if not if_not_exists:
                raise EmulationError(
                    f'CREATE EXTERNAL TABLE: relation "{schema}.{table}" already exists'
                )
            rows = self.sync(schema, table)
            return Result(rows, f"{schema}.{table} exists, skipped")
        rows = self.sync(schema, table)
        return Result(
            rows, f"Glue table {database}.{table}" + (f", {rows} rows" if not partitions else "")
        )

    def alter_table(self, sql: str, schema: str, table: str) -> Result:
        self._refuse_in_transaction("ALTER TABLE on an external table")
        database = self._database_of(schema, "ALTER TABLE")
        words = Words(sql, "ALTER TABLE")
        words.expect("ALTER", "TABLE")
        words.qualified_name()
        glue_table = self._glue_table(database, table)
        if glue_table is None:
            raise EmulationError(f'ALTER TABLE: external table "{schema}.{table}" does not exist')
        keys = [k["Name"] for k in glue_table.get("PartitionKeys", [])]
        if words.accept("ADD"):
            if_not_exists = words.accept("IF", "NOT", "EXISTS")
            added, skipped = 0, 0
            while not words.done:
                words.expect("PARTITION")
                values = _partition_values(words, keys)
                words.expect("LOCATION")
                location = words.string()
                s3io.parse_url(location, "ALTER TABLE ADD PARTITION LOCATION")
                if self._glue_partition(database, table, values) is not None:
                    if not if_not_exists:
                        raise EmulationError(
                            f"ALTER TABLE ADD PARTITION: partition {_show(keys, values)} "
                            f"already exists ({ALTER_DOC})"
                        )
                    skipped += 1
                    continue
                storage = dict(glue_table["StorageDescriptor"], Location=location)
                created = self._create(
                    "create_partition",
                    DatabaseName=database,
                    TableName=table,
                    PartitionInput={"Values": list(values), "StorageDescriptor": storage},
                )
                if not created and not if_not_exists:  # another run added it meanwhile
                    raise EmulationError(
                        f"ALTER TABLE ADD PARTITION: partition {_show(keys, values)} "
                        f"already exists ({ALTER_DOC})"
                    )
                if created:
                    added += 1
                else:
                    skipped += 1
            rows = self.sync(schema, table)
            return Result(
                rows, f"{added} partition(s) added, {skipped} already there; {rows} rows (re)loaded"
            )
        if words.accept("DROP", "PARTITION"):
            values = _partition_values(words, keys)
            self._end(words)
            if self._glue_partition(database, table, values) is None:
                raise EmulationError(
                    f"ALTER TABLE DROP PARTITION: partition {_show(keys, values)} does not exist"
                )
            self._glue(
                "delete_partition",
                DatabaseName=database,
                TableName=table,
                PartitionValues=list(values),
            )
            self.sync(schema, table)
            return Result(None, f"partition {_show(keys, values)} dropped")
        if words.accept("PARTITION"):
            values = _partition_values(words, keys)
            words.expect("SET", "LOCATION")
            location = words.string()
            self._end(words)
            partition = self._glue_partition(database, table, values)
            if partition is None:
                raise EmulationError(f"ALTER TABLE: partition {_show(keys, values)} does not exist")
            storage = dict(partition["StorageDescriptor"], Location=location)
            self._glue(
                "update_partition",
                DatabaseName=database,
                TableName=table,
                PartitionValueList=list(values),
                PartitionInput={"Values": list(values), "StorageDescriptor": storage},
            )
            rows = self.sync(schema, table)
            return Result(rows, f"partition {_show(keys, values)} now at {location}")
        if words.accept("SET", "LOCATION"):
            location = words.string()
            self._end(words)
            self._update_table(database, glue_table, location=location)
            rows = self.sync(schema, table)
            return Result(rows, f"{schema}.{table} now at {location}")
        if words.accept("SET", "TABLE", "PROPERTIES"):
            properties = _properties(words)
            self._end(words)
            self._update_table(database, glue_table, properties=properties)
            return Result(None, f"{len(properties)} table propert(ies) set")
        raise NotEmulatedError(
            f"not emulated locally: ALTER TABLE {words.rest()[:40]} on an external table"
        )

    def drop_tables(self, names: Sequence[Tuple[str, str]], if_exists: bool) -> Result:
        self._refuse_in_transaction("DROP TABLE of an external table")
        dropped = 0
        for schema, table in names:
            database = self._database_of(schema, "DROP TABLE")
            if self._glue_table(database, table) is None:
                if if_exists:
                    continue
                raise EmulationError(
                    f'DROP TABLE: external table "{schema}.{table}" does not exist'
                )
            self._glue("delete_table", DatabaseName=database, Name=table)
            with self._locked(f"{schema}.{table}"):
                self._forget_table(schema, table)
            dropped += 1
        return Result(None, f"{dropped} external table(s) dropped")

    def drop_schemas(
        self, schemas: Sequence[str], if_exists: bool, drop_database: bool, cascade: bool
    ) -> Result:
        self._refuse_in_transaction("DROP SCHEMA of an external schema")
        for schema in schemas:
            database = self.schemas[schema]
            if drop_database:
                tables = self._glue_tables(database)
                if tables and not cascade:
                    raise EmulationError(
                        f"DROP SCHEMA {schema} DROP EXTERNAL DATABASE: database {database!r} holds "
                        f"{len(tables)} table(s); add CASCADE ({DROP_SCHEMA_DOC})"
                    )
                self._glue("delete_database", Name=database)
            with self._locked("schemas"):
                if self.db.fetch(f"SELECT 1 FROM pg_namespace WHERE nspname = {literal(schema)}"):
                    self.db.query(f"DROP SCHEMA {ident(schema)} CASCADE")
                for table in ("external_partitions", "external_tables", "external_schemas"):
                    self.db.query(
                        f"DELETE FROM {BOOKKEEPING}.{table} WHERE schema_name = {literal(schema)}"
                    )
            del self.schemas[schema]
        return Result(None, f"{len(schemas)} external schema(s) dropped")

    # --- sync: the local copy follows Glue and S3

    def sync(self, schema: str, table: str) -> int:
        """Make the local relation match the catalog and the files; returns rows (re)loaded."""
        database = self.schemas[schema]
        with self._locked(f"{schema}.{table}"):
            self._ensure_bookkeeping()
            glue_table = self._glue_table(database, table)
            if glue_table is None:
                self._forget_table(schema, table)
                return 0
            columns = [
                ExternalColumn(c["Name"].lower(), c["Type"])
                for c in glue_table["StorageDescriptor"]["Columns"]
            ]
            keys = [
                ExternalColumn(k["Name"].lower(), k["Type"])
                for k in glue_table.get("PartitionKeys", [])
            ]
            _require_parquet(glue_table["StorageDescriptor"], f"{schema}.{table}")
            signature = json.dumps([columns, keys], sort_keys=True)
            known = self.db.fetch(
                f"SELECT signature FROM {BOOKKEEPING}.external_tables"
                f" WHERE schema_name = {literal(schema)}"
                f" AND table_name = {literal(table)}"
            )
            relation_exists = self._exists(schema, table)
            if not known or known[0][0] != signature or not relation_exists:
                self._forget_table(schema, table)
                definitions = ", ".join(
                    f"{ident(c.name)} {c.postgres_type}" for c in columns + keys
                )
                self.db.query(f"CREATE UNLOGGED TABLE {qualified(schema, table)} ({definitions})")
                self.db.query(
                    f"INSERT INTO {BOOKKEEPING}.external_tables"
                    f" VALUES ({literal(schema)}, {literal(table)}, {literal(signature)})"
                )
            wanted: Dict[str, Tuple[Tuple[str, ...], str]] = {}
            if keys:
                for partition in self._glue_partitions(database, table):
                    values = tuple(partition["Values"])
                    wanted[json.dumps(values)] = (
                        values,
                        partition["StorageDescriptor"]["Location"],
                    )
            else:
                wanted["[]"] = ((), glue_table["StorageDescriptor"]["Location"])
            loaded = {
                row[0]: (row[1], row[2])
                for row in self.db.fetch(
                    f"SELECT key_values, child, fingerprint FROM {BOOKKEEPING}.external_partitions"
                    f" WHERE schema_name = {literal(schema)} AND table_name = {literal(table)}"
                )
            }
            for key_values in set(loaded) - set(wanted):
                self._drop_partition(schema, table, key_values, loaded[key_values][0])
            surplus = (
                glue_table.get("Parameters", {}).get("surplus_char_handling", "SET_TO_NULL").upper()
            )
            rows = 0
            listings = _listings(
                self.s3,
                glue_table["StorageDescriptor"]["Location"],
                sorted({location for _, location in wanted.values()}),
                f"{schema}.{table}",
            )
            for key_values, (values, location) in sorted(wanted.items()):
                files = listings[location]
                fingerprint = _fingerprint(location, files)
                if key_values in loaded and loaded[key_values][1] == fingerprint:
                    continue
                rows += self._load_partition(
                    schema,
                    table,
                    columns,
                    keys,
                    values,
                    key_values,
                    files,
                    fingerprint,
                    surplus,
                    loaded.get(key_values),
                )
            return rows

    def _load_partition(
        self,
        schema: str,
        table: str,
        columns: List[ExternalColumn],
        keys: List[ExternalColumn],
        values: Tuple[str, ...],
        key_values: str,
        files: List[s3io.S3Object],
        fingerprint: str,
        surplus: str,
        loaded: Optional[Tuple[str, str]],
    ) -> int:
        child = (
            "p_" + hashlib.sha256(f"{schema}.{table}:{key_values}".encode("utf-8")).hexdigest()[:24]
        )
        child_sql = qualified(BOOKKEEPING, child)
        if loaded is None:
            self._drop(BOOKKEEPING, child)
            self.db.query(
                f"CREATE UNLOGGED TABLE {child_sql} () INHERITS ({qualified(schema, table)})"
            )
            for key, value in ((key, values[i]) for i, key in enumerate(keys)):
                typed = f"CAST({literal(value)} AS {key.postgres_type})"
                self.db.query(
                    f"ALTER TABLE {child_sql} ALTER COLUMN {ident(key.name)} SET DEFAULT {typed}"
                )
                self.db.query(f"ALTER TABLE {child_sql} ADD CHECK ({ident(key.name)} = {typed})")
        else:
            self.db.query(f"TRUNCATE {child_sql}")
        targets = [parquet_load.TargetColumn(c.name, c.max_bytes) for c in columns]
        rows = parquet_load.load(
            self.db.raw,
            self.s3,
            files,
            child_sql,
            targets,
            by_name=True,
            surplus=surplus,
            what=f"{schema}.{table}",
        )
        self.db.query(
            f"INSERT INTO {BOOKKEEPING}.external_partitions"
            f" VALUES ({literal(schema)}, {literal(table)},"
            f" {literal(key_values)}, {literal(child)}, {literal(fingerprint)}, {rows})"
            " ON CONFLICT (schema_name, table_name, key_values) DO UPDATE"
            " SET fingerprint = EXCLUDED.fingerprint, rows = EXCLUDED.rows"
        )
        return rows

    def _drop_partition(self, schema: str, table: str, key_values: str, child: str) -> None:
        self._drop(BOOKKEEPING, child)
        self.db.query(
            f"DELETE FROM {BOOKKEEPING}.external_partitions WHERE schema_name = {literal(schema)}"
            f" AND table_name = {literal(table)} AND key_values = {literal(key_values)}"
        )

    def _forget_table(self, schema: str, table: str) -> None:
        self._drop(schema, table)  # CASCADE: its partition children too
        for bookkeeping in ("external_partitions", "external_tables"):
            self.db.query(
                f"DELETE FROM {BOOKKEEPING}.{bookkeeping} WHERE schema_name = {literal(schema)}"
                f" AND table_name = {literal(table)}"
            )

    # --- Glue

    def _database_of(self, schema: Optional[str], what: str) -> str:
        if schema is None or schema not in self.schemas:
            raise EmulationError(
                f"{what}: {schema or '(no schema)'} is not an external schema "
                "(create it with CREATE EXTERNAL SCHEMA)"
            )
        return self.schemas[schema]

    def _glue(self, operation: str, *, expected: str = "", **kwargs: Any) -> Any:
        """A Glue Data Catalog call; None if it fails with the `expected` error code (an
        answer, not a failure), an EmulationError for any other failure."""
        try:
            return getattr(self.glue, operation)(**kwargs)
        except Exception as exc:
            code = aws_error_code(exc)
            if expected and code == expected:
                return None
            raise EmulationError(f"Glue Data Catalog {operation} failed: {code or exc}") from None

    def _create(self, operation: str, **kwargs: Any) -> bool:
        """A Glue create call; False if the entity exists already. Concurrent first runs
        (a backfill starting several dates at once) race between "does it exist" and
        "create it", so a lost race must read as "already there", not as a failure."""
        return self._glue(operation, expected="AlreadyExistsException", **kwargs) is not None

    def _missing(self, operation: str, **kwargs: Any) -> Optional[Any]:
        return self._glue(operation, expected="EntityNotFoundException", **kwargs)

    def _glue_database_exists(self, database: str) -> bool:
        return self._missing("get_database", Name=database) is not None

    def _glue_table(self, database: str, table: str) -> Optional[Dict[str, Any]]:
        found = self._missing("get_table", DatabaseName=database, Name=table)
        return found["Table"] if found else None

    def _glue_tables(self, database: str) -> List[Dict[str, Any]]:
        pages = self.glue.get_paginator("get_tables").paginate(DatabaseName=database)
        return [t for page in pages for t in page.get("TableList", [])]

    def _glue_partition(
        self, database: str, table: str, values: Sequence[str]
    ) -> Optional[Dict[str, Any]]:
        found = self._missing(
            "get_partition", DatabaseName=database, TableName=table, PartitionValues=list(values)
        )
        return found["Partition"] if found else None

    def _glue_partitions(self, database: str, table: str) -> List[Dict[str, Any]]:
        pages = self.glue.get_paginator("get_partitions").paginate(
            DatabaseName=database, TableName=table
        )
        return [p for page in pages for p in page.get("Partitions", [])]

    def _update_table(
        self,
        database: str,
        glue_table: Dict[str, Any],
        *,
        location: Optional[str] = None,
        properties: Optional[Dict[str, str]] = None,
    ) -> None:
        table_input = {
            key: glue_table[key]
            for key in ("Name", "TableType", "Parameters", "PartitionKeys", "StorageDescriptor")
            if key in glue_table
        }
        if location is not None:
            table_input["StorageDescriptor"] = dict(
                table_input["StorageDescriptor"], Location=location
            )
        if properties:
            table_input["Parameters"] = dict(table_input.get("Parameters", {}), **properties)
        self._glue("update_table", DatabaseName=database, TableInput=table_input)

    @staticmethod
    def _end(words: Words) -> None:
        if not words.done:
            raise words.error("unexpected text")

    # --- references

    def referenced(self, tokens: Sequence[Any]) -> List[Tuple[str, str]]:
        """External tables named `schema.table` (or `db.schema.table`) in the tokens."""
        found: List[Tuple[str, str]] = []
        seen: Set[Tuple[str, str]] = set()
        for i in range(len(tokens) - 2):
            first, dot, second = tokens[i], tokens[i + 1], tokens[i + 2]
            if (
                first.kind in ("word", "ident")
                and dot.kind == "op"
                and dot.text == "."
                and second.kind in ("word", "ident")
                and name_of(first) in self.schemas
            ):
                pair = (name_of(first), name_of(second))
                if pair not in seen:
                    seen.add(pair)
                    found.append(pair)
        return found


# What may follow DATABASE '...' in CREATE EXTERNAL SCHEMA ... FROM DATA CATALOG.
_SCHEMA_OPTIONS = (
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
        from sqlrunner.lexer import string_value

        properties[string_value(item[0].text)] = string_value(item[2].text)
    return properties


def _storage(columns: Sequence[ExternalColumn], location: str) -> Dict[str, Any]:
    return {
        "Columns": [{"Name": c.name, "Type": c.hive_type} for c in columns],
        "Location": location,
        "InputFormat": PARQUET_INPUT,
        "OutputFormat": PARQUET_OUTPUT,
        "SerdeInfo": {
            "SerializationLibrary": PARQUET_SERDE,
            "Parameters": {"serialization.format": "1"},
        },
    }


def _require_parquet(storage: Dict[str, Any], name: str) -> None:
    if storage.get("InputFormat") != PARQUET_INPUT:
        raise NotEmulatedError(
            f"not emulated locally: external table {name} stored as {storage.get('InputFormat')}"
        )


def _partition_values(words: Words, keys: Sequence[str]) -> Tuple[str, ...]:
    given: Dict[str, str] = {}
    for item in split_top_level(words.group()):
        if len(item) != 3 or item[1].text != "=" or item[0].kind not in ("word", "ident"):
            raise words.error("expected PARTITION (column='value', ...)")
        value = item[2]
        if value.kind == "string":
            from sqlrunner.lexer import string_value

            given[name_of(item[0])] = string_value(value.text)
        elif value.kind == "number":
            given[name_of(item[0])] = value.text
        else:
            raise words.error("partition values are literals")
    if sorted(given) != sorted(keys):
        raise EmulationError(
            f"PARTITION ({', '.join(given)}) must name exactly the partition columns "
            f"({', '.join(keys)}) ({ALTER_DOC})"
        )
    return tuple(given[key] for key in keys)


def _show(keys: Sequence[str], values: Sequence[str]) -> str:
    return "(" + ", ".join(f"{k}='{values[i]}'" for i, k in enumerate(keys)) + ")"


def _folder(location: str, what: str) -> Tuple[str, str]:
    bucket, prefix = s3io.parse_url(location, what)
    if prefix and not prefix.endswith("/"):
        prefix += "/"  # a folder: 'x/Books' must not also read 'x/Books_and_more/'
    return bucket, prefix


def _visible(obj: s3io.S3Object, prefix: str) -> bool:
    return not obj.key.endswith("/") and not _HIDDEN.search(obj.key[len(prefix) :])


def _listings(
    s3: Any, table_location: str, locations: Sequence[str], what: str
) -> Dict[str, List[s3io.S3Object]]:
    """The files Spectrum reads at each location. Checking a table before each statement
    that names it lists its partitions' folders; when they all sit under the table's
    LOCATION (the usual layout), one paginated listing of that prefix serves them all, so
    a table of many partitions costs a listing per 1,000 files, not one per partition."""
    folders = {location: _folder(location, what) for location in locations}
    bucket, root = _folder(table_location, what)
    shared = len(folders) > 1 and all(
        b == bucket and prefix.startswith(root) for b, prefix in folders.values()
    )
    if not shared:
        found = {}
        for location, (b, prefix) in folders.items():
            objects = s3io.list_objects(s3, b, prefix, what)
            found[location] = [obj for obj in objects if _visible(obj, prefix)]
        return found
    by_prefix: Dict[str, List[str]] = {}
    for location, (_, prefix) in folders.items():
        by_prefix.setdefault(prefix, []).append(location)
    listings: Dict[str, List[s3io.S3Object]] = {location: [] for location in locations}
    for obj in s3io.list_objects(s3, bucket, root, what):
        # every folder above the key (down to the root) that is a partition's location
        cut = len(obj.key)
        while True:
            cut = obj.key.rfind("/", 0, cut)
            prefix = obj.key[: cut + 1]  # "" above the first '/'
            if len(prefix) < len(root):
                break
            for location in by_prefix.get(prefix, ()):
                if _visible(obj, prefix):
                    listings[location].append(obj)
            if cut < 0:
                break
    return listings


def _fingerprint(location: str, files: Sequence[s3io.S3Object]) -> str:
    listing = "\n".join(f"{o.key}\t{o.size}\t{o.etag}" for o in files)
    return hashlib.sha256(f"{location}\n{listing}".encode("utf-8")).hexdigest()
