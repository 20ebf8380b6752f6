-- The TICKIT pipeline's schemas: `tickit` for the loaded tables, and the data lake's
-- sales as a Spectrum external table partitioned by sale day (the layout of the
-- Redshift Spectrum tutorial's partitioned sales, one folder per saledate=). Each
-- day's partition is added by the step that reads it. Idempotent; no BEGIN, since
-- Redshift refuses external DDL inside a transaction block.
-- Adapted from AWS's "Partitioning Redshift Spectrum external tables"
-- (https://docs.aws.amazon.com/redshift/latest/dg/c-spectrum-external-tables.html).
--
-- @param lake_uri s3_uri

CREATE SCHEMA IF NOT EXISTS tickit;

CREATE EXTERNAL SCHEMA IF NOT EXISTS tickit_lake
FROM DATA CATALOG
DATABASE 'tickit_lake'
IAM_ROLE default
CREATE EXTERNAL DATABASE IF NOT EXISTS;

CREATE EXTERNAL TABLE IF NOT EXISTS tickit_lake.sales (
    salesid    integer,
    listid     integer,
    sellerid   integer,
    buyerid    integer,
    eventid    integer,
    dateid     smallint,
    qtysold    smallint,
    pricepaid  decimal(8,2),
    commission decimal(8,2),
    saletime   timestamp
)
PARTITIONED BY (saledate date)
STORED AS PARQUET
LOCATION '${lake_uri}';
