"""The Glue Data Catalog as Spectrum uses it: databases, external tables and partitions.

Every call goes through `call`, which tells expected answers (AlreadyExists when a
concurrent run created the entity first, EntityNotFound for "absent") from failures,
which become EmulationError naming the operation. `storage` is the StorageDescriptor
of a Parquet external table, as Redshift writes it for CREATE EXTERNAL TABLE.
"""

from typing import Any, Dict, List, Optional, Sequence

from sqlrunner.errors import EmulationError, NotEmulatedError, aws_error_code

from .spectrum_grammar import PARQUET_INPUT, PARQUET_OUTPUT, PARQUET_SERDE, ExternalColumn


class GlueCatalog:
    def __init__(self, glue: Any) -> None:
        self.glue = glue

    def call(self, operation: str, *, expected: str = "", **kwargs: Any) -> Any:
        """A Glue Data Catalog call; None if it fails with the `expected` error code (an
        answer, not a failure), an EmulationError for any other failure."""
        try:
            return getattr(self.glue, operation)(**kwargs)
        except Exception as exc:
            code = aws_error_code(exc)
            if expected and code == expected:
                return None
            raise EmulationError(f"Glue Data Catalog {operation} failed: {code or exc}") from None

    def create(self, operation: str, **kwargs: Any) -> bool:
        """A Glue create call; False if the entity exists already. Concurrent first runs
        (a backfill starting several dates at once) race between "does it exist" and
        "create it", so a lost race must read as "already there", not as a failure."""
        return self.call(operation, expected="AlreadyExistsException", **kwargs) is not None

    def missing(self, operation: str, **kwargs: Any) -> Optional[Any]:
        return self.call(operation, expected="EntityNotFoundException", **kwargs)

    def database_exists(self, database: str) -> bool:
        return self.missing("get_database", Name=database) is not None

    def table(self, database: str, table: str) -> Optional[Dict[str, Any]]:
        found = self.missing("get_table", DatabaseName=database, Name=table)
        return found["Table"] if found else None

    def tables(self, database: str) -> List[Dict[str, Any]]:
        pages = self.glue.get_paginator("get_tables").paginate(DatabaseName=database)
        return [t for page in pages for t in page.get("TableList", [])]

    def partition(
        self, database: str, table: str, values: Sequence[str]
    ) -> Optional[Dict[str, Any]]:
        found = self.missing(
            "get_partition", DatabaseName=database, TableName=table, PartitionValues=list(values)
        )
        return found["Partition"] if found else None

    def partitions(self, database: str, table: str) -> List[Dict[str, Any]]:
        pages = self.glue.get_paginator("get_partitions").paginate(
            DatabaseName=database, TableName=table
        )
        return [p for page in pages for p in page.get("Partitions", [])]

    def update_table(
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
        self.call("update_table", DatabaseName=database, TableInput=table_input)


def storage(columns: Sequence[ExternalColumn], location: str) -> Dict[str, Any]:
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


def require_parquet(storage: Dict[str, Any], name: str) -> None:
    if storage.get("InputFormat") != PARQUET_INPUT:
        raise NotEmulatedError(
            f"not emulated locally: external table {name} stored as {storage.get('InputFormat')}"
        )
