"""Local Redshift: the runner's emulation of Redshift-only statements on PostgreSQL.

Used only when the database secret says `engine: postgres` (the local stack). For each
statement the executor calls `LocalRedshift.execute(sql)`: Spectrum DDL becomes Glue
Data Catalog entries plus local tables read from the Parquet files in local S3,
UNLOAD and COPY run against local S3 with Redshift's file naming and options, Redshift
table attributes are rewritten away, and anything else Redshift-only fails with
"not emulated locally: <what>". Plain SQL comes back as None and runs as written.

Modules, one job each: adapter (classification and the refused list), spectrum
(external schemas/tables/partitions) with spectrum_grammar (the DDL read as data),
glue_catalog and spectrum_load (partition files into child tables), unload,
copy_from_s3 with copy_records (files into records) and copy_values (fields into
values, Redshift's load errors), load_history (STL_LOAD_ERRORS, SYS_LOAD_ERROR_DETAIL,
pg_last_copy_count/id), ddl (CREATE/ALTER TABLE rewrites), options (UNLOAD/COPY options
as data, with their AWS docs), parquet_load, pgcopy (COPY streaming over PyGreSQL 5.0.6
and 6.x), s3io, words (token cursor).

Statements can be checked without the database, S3 or Glue, raising what running them
would raise for their text: copy_from_s3.parse, unload.parse,
spectrum_grammar.parse_create_schema / parse_create_table / parse_alter_table.

pyarrow is imported only where Parquet or Zstandard is touched, so the runner on real
Redshift needs nothing beyond boto3 and PyGreSQL.
"""

from .adapter import LocalRedshift

__all__ = ["LocalRedshift"]
