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

This module runs the statements; its parts have one job each: spectrum_grammar reads
the DDL (without the database, S3 or Glue), glue_catalog talks to the Data Catalog,
spectrum_load lists a partition's files and loads them into its child table.

https://docs.aws.amazon.com/redshift/latest/dg/r_CREATE_EXTERNAL_TABLE.html
"""

import json
from typing import Any, Dict, List, Optional, Sequence, Set, Tuple

from sqlrunner.errors import EmulationError
from sqlrunner.result import Result

from . import glue_catalog, pgcopy, spectrum_load
from .spectrum_grammar import (
    ALTER_DOC,
    SCHEMA_DOC,
    ExternalColumn,
    parse_alter_table,
    parse_create_schema,
    parse_create_table,
    partition_values,
    show,
)
from .spectrum_load import BOOKKEEPING
from .words import ident, literal, name_of, qualified

DROP_SCHEMA_DOC = "https://docs.aws.amazon.com/redshift/latest/dg/r_DROP_SCHEMA.html"
TRANSACTION_DOC = "https://docs.aws.amazon.com/redshift/latest/dg/c-spectrum-external-tables.html"

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


class Spectrum:
    """The external objects of one connection's database."""

    def __init__(self, db: Any, s3: Any, glue: Any) -> None:
        self.db, self.s3 = db, s3
        self.catalog = glue_catalog.GlueCatalog(glue)
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

    def _locked(self, key: str) -> Any:
        """A transaction (unless the caller's block is one) holding an advisory lock on `key`."""
        return pgcopy.transaction(self.db, BOOKKEEPING + ":" + key)

    def _ensure_bookkeeping(self) -> None:
        """Create the bookkeeping schema once per database (callers hold an advisory lock)."""
        if not spectrum_load.exists(self.db, BOOKKEEPING, "external_partitions"):
            for ddl in _BOOKKEEPING_DDL:
                self.db.query(ddl)

    def _refuse_in_transaction(self, what: str) -> None:
        if pgcopy.in_transaction(self.db.raw):
            raise EmulationError(
                f"{what} cannot run inside a transaction block ({TRANSACTION_DOC})"
            )

    # --- statements

    def create_schema(self, sql: str) -> Result:
        command = parse_create_schema(sql)
        self._refuse_in_transaction("CREATE EXTERNAL SCHEMA")
        schema, database = command.schema, command.database
        if_not_exists, create_database = command.if_not_exists, command.create_database
        if not self.catalog.database_exists(database):
            if not create_database:
                raise EmulationError(
                    f"CREATE EXTERNAL SCHEMA: external database {database!r} does not exist in the "
                    f"Glue Data Catalog; add CREATE EXTERNAL DATABASE IF NOT EXISTS ({SCHEMA_DOC})"
                )
            # IF NOT EXISTS: another run creating it first is not an error
            self.catalog.create("create_database", DatabaseInput={"Name": database})
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
        command = parse_create_table(sql)
        self._refuse_in_transaction("CREATE EXTERNAL TABLE")
        schema, table = command.schema, command.table
        database = self._database_of(schema, "CREATE EXTERNAL TABLE")
        if self.catalog.table(database, table) is not None:
            if not command.if_not_exists:
                raise EmulationError(
                    f'CREATE EXTERNAL TABLE: relation "{schema}.{table}" already exists'
                )
            rows = self.sync(schema, table)  # type: ignore[arg-type]
            return Result(rows, f"{schema}.{table} exists, skipped")
        created = self.catalog.create(
            "create_table",
            DatabaseName=database,
            TableInput={
                "Name": table,
                "TableType": "EXTERNAL_TABLE",
                "Parameters": dict(command.properties, EXTERNAL="TRUE", classification="parquet"),
                "PartitionKeys": [
                    {"Name": p.name, "Type": p.hive_type} for p in command.partitions
                ],
                "StorageDescriptor": glue_catalog.storage(command.columns, command.location),
            },
        )
        if not created:  # another run made it between the check above and now
            if not command.if_not_exists:
                raise EmulationError(
                    f'CREATE EXTERNAL TABLE: relation "{schema}.{table}" already exists'
                )
            rows = self.sync(schema, table)  # type: ignore[arg-type]
            return Result(rows, f"{schema}.{table} exists, skipped")
        rows = self.sync(schema, table)  # type: ignore[arg-type]
        return Result(
            rows,
            f"Glue table {database}.{table}" + (f", {rows} rows" if not command.partitions else ""),
        )

    def alter_table(self, sql: str, schema: str, table: str) -> Result:
        command = parse_alter_table(sql)
        self._refuse_in_transaction("ALTER TABLE on an external table")
        database = self._database_of(schema, "ALTER TABLE")
        glue_table = self.catalog.table(database, table)
        if glue_table is None:
            raise EmulationError(f'ALTER TABLE: external table "{schema}.{table}" does not exist')
        keys = [k["Name"] for k in glue_table.get("PartitionKeys", [])]
        if command.action == "ADD":
            added, skipped = 0, 0
            for partition in command.partitions:
                values = partition_values(partition.values, keys)
                if self.catalog.partition(database, table, values) is not None:
                    if not command.if_not_exists:
                        raise EmulationError(
                            f"ALTER TABLE ADD PARTITION: partition {show(keys, values)} "
                            f"already exists ({ALTER_DOC})"
                        )
                    skipped += 1
                    continue
                storage = dict(glue_table["StorageDescriptor"], Location=partition.location)
                created = self.catalog.create(
                    "create_partition",
                    DatabaseName=database,
                    TableName=table,
                    PartitionInput={"Values": list(values), "StorageDescriptor": storage},
                )
                if not created and not command.if_not_exists:  # another run added it meanwhile
                    raise EmulationError(
                        f"ALTER TABLE ADD PARTITION: partition {show(keys, values)} "
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
        if command.action == "DROP":
            values = partition_values(command.values or {}, keys)
            if self.catalog.partition(database, table, values) is None:
                raise EmulationError(
                    f"ALTER TABLE DROP PARTITION: partition {show(keys, values)} does not exist"
                )
            self.catalog.call(
                "delete_partition",
                DatabaseName=database,
                TableName=table,
                PartitionValues=list(values),
            )
            self.sync(schema, table)
            return Result(None, f"partition {show(keys, values)} dropped")
        if command.action == "SET_PARTITION_LOCATION":
            values = partition_values(command.values or {}, keys)
            partition = self.catalog.partition(database, table, values)
            if partition is None:
                raise EmulationError(f"ALTER TABLE: partition {show(keys, values)} does not exist")
            storage = dict(partition["StorageDescriptor"], Location=command.location)
            self.catalog.call(
                "update_partition",
                DatabaseName=database,
                TableName=table,
                PartitionValueList=list(values),
                PartitionInput={"Values": list(values), "StorageDescriptor": storage},
            )
            rows = self.sync(schema, table)
            return Result(rows, f"partition {show(keys, values)} now at {command.location}")
        if command.action == "SET_LOCATION":
            self.catalog.update_table(database, glue_table, location=command.location)
            rows = self.sync(schema, table)
            return Result(rows, f"{schema}.{table} now at {command.location}")
        properties = command.properties or {}
        self.catalog.update_table(database, glue_table, properties=properties)
        return Result(None, f"{len(properties)} table propert(ies) set")

    def drop_tables(self, names: Sequence[Tuple[str, str]], if_exists: bool) -> Result:
        self._refuse_in_transaction("DROP TABLE of an external table")
        dropped = 0
        for schema, table in names:
            database = self._database_of(schema, "DROP TABLE")
            if self.catalog.table(database, table) is None:
                if if_exists:
                    continue
                raise EmulationError(
                    f'DROP TABLE: external table "{schema}.{table}" does not exist'
                )
            self.catalog.call("delete_table", DatabaseName=database, Name=table)
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
                tables = self.catalog.tables(database)
                if tables and not cascade:
                    raise EmulationError(
                        f"DROP SCHEMA {schema} DROP EXTERNAL DATABASE: database {database!r} holds "
                        f"{len(tables)} table(s); add CASCADE ({DROP_SCHEMA_DOC})"
                    )
                self.catalog.call("delete_database", Name=database)
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
            glue_table = self.catalog.table(database, table)
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
            glue_catalog.require_parquet(glue_table["StorageDescriptor"], f"{schema}.{table}")
            signature = json.dumps([columns, keys], sort_keys=True)
            known = self.db.fetch(
                f"SELECT signature FROM {BOOKKEEPING}.external_tables"
                f" WHERE schema_name = {literal(schema)}"
                f" AND table_name = {literal(table)}"
            )
            relation_exists = spectrum_load.exists(self.db, schema, table)
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
                for partition in self.catalog.partitions(database, table):
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
            listings = spectrum_load.listings(
                self.s3,
                glue_table["StorageDescriptor"]["Location"],
                sorted({location for _, location in wanted.values()}),
                f"{schema}.{table}",
            )
            for key_values, (values, location) in sorted(wanted.items()):
                files = listings[location]
                fingerprint = spectrum_load.fingerprint(location, files)
                if key_values in loaded and loaded[key_values][1] == fingerprint:
                    continue
                rows += spectrum_load.load_partition(
                    self.db,
                    self.s3,
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

    def _drop_partition(self, schema: str, table: str, key_values: str, child: str) -> None:
        spectrum_load.drop(self.db, BOOKKEEPING, child)
        self.db.query(
            f"DELETE FROM {BOOKKEEPING}.external_partitions WHERE schema_name = {literal(schema)}"
            f" AND table_name = {literal(table)} AND key_values = {literal(key_values)}"
        )

    def _forget_table(self, schema: str, table: str) -> None:
        spectrum_load.drop(self.db, schema, table)  # CASCADE: its partition children too
        for bookkeeping in ("external_partitions", "external_tables"):
            self.db.query(
                f"DELETE FROM {BOOKKEEPING}.{bookkeeping} WHERE schema_name = {literal(schema)}"
                f" AND table_name = {literal(table)}"
            )

    def _database_of(self, schema: Optional[str], what: str) -> str:
        if schema is None or schema not in self.schemas:
            raise EmulationError(
                f"{what}: {schema or '(no schema)'} is not an external schema "
                "(create it with CREATE EXTERNAL SCHEMA)"
            )
        return self.schemas[schema]

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
