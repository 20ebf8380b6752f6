"""Local Redshift: the runner's emulation of Redshift-only statements on PostgreSQL.

Used only when the database secret says `engine: postgres` (the local stack). For each
statement the executor calls `LocalRedshift.execute(sql)`: Spectrum DDL becomes Glue
Data Catalog entries plus local tables read from the Parquet files in local S3,
UNLOAD and COPY run against local S3 with Redshift's file naming and options, Redshift
table attributes are rewritten away, and anything else Redshift-only fails with
"not emulated locally: <what>". Plain SQL comes back as None and runs as written.

Modules, one job each: adapter (classification and the refused list), spectrum
(external schemas/tables/partitions), unload, copy_from_s3, ddl (CREATE/ALTER TABLE
rewrites), options (UNLOAD/COPY options as data, with their AWS docs), parquet_load,
pgcopy (COPY streaming over PyGreSQL 5.0.6 and 6.x), s3io, words (token cursor).

pyarrow is imported only where Parquet or Zstandard is touched, so the runner on real
Redshift needs nothing beyond boto3 and PyGreSQL.
"""

from .adapter import LocalRedshift

__all__ = ["LocalRedshift"]
