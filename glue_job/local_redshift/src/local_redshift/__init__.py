"""Local Redshift: the runner's emulation of Redshift on PostgreSQL (engine: postgres).

Every statement of a file is classified before the runner connects (`check`): passed as
written, translated, emulated, or refused by name with its AWS page, so nothing
Redshift-only fails half-way through a run. Then, for each statement, the executor calls
`LocalRedshift.execute(sql)`: Spectrum DDL becomes Glue Data Catalog entries plus local
tables read from the Parquet files in local S3, UNLOAD and COPY run against local S3 with
Redshift's file naming and options, Redshift syntax and functions are translated (sqlglot
for TOP/QUALIFY, token edits, and the compat schema of SQL functions in the local
database), and what runs as written comes back as None.

Modules, one job each: adapter (the executor's entry point), classify (plans, the
pre-connect check), translate (Redshift -> PostgreSQL SQL), compat (the compat schema),
functions / statements / options (what is emulated, as data citing AWS's pages), ddl
(table DDL), spectrum (external schemas/tables/partitions) with spectrum_grammar (the DDL
read as data), glue_catalog and spectrum_load (partition files into child tables), unload,
copy_from_s3 with copy_records (files into records) and copy_values (fields into values,
Redshift's load errors), load_history (STL_LOAD_ERRORS, SYS_LOAD_ERROR_DETAIL,
pg_last_copy_count/id), parquet_load, pgcopy (COPY streaming over PyGreSQL 5.0.6 and
6.x), s3io, words (token cursor), check_command (`sqlrunner check`), matrix (the support
matrix, SUPPORT.md).

Statements can be checked without the database, S3 or Glue, raising what running them
would raise for their text: copy_from_s3.parse, unload.parse,
spectrum_grammar.parse_create_schema / parse_create_table / parse_alter_table.

pyarrow and sqlglot are imported only where Parquet or TOP/QUALIFY are met. This
distribution is installed in local environments only: the wheel Glue runs never has it.
"""

from typing import Iterable

from .adapter import LocalRedshift
from .classify import Classifier


def check(statements: Iterable, location: str) -> Classifier:
    """Classify every statement (objects with .text, .line, .index) before anything runs;
    raises NotEmulatedError (exit 2) naming each refused one with its line. The returned
    classifier keeps the plans for the adapter."""
    classifier = Classifier()
    classifier.check(statements, location)
    return classifier


__all__ = ["Classifier", "LocalRedshift", "check"]
