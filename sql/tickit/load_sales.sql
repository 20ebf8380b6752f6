-- Upserts TICKIT's sales from the tutorial's tab-delimited file (times like
-- 2/18/2008 02:36:48): the file is staged in a temporary table, then merged by salesid,
-- so a corrected sale replaces its row and a rerun changes nothing. Table and COPY
-- adapted from the Amazon Redshift Getting Started Guide, "Load data from Amazon S3"
-- (https://docs.aws.amazon.com/redshift/latest/gsg/rs-gsg-create-sample-db.html); the
-- upsert follows the MERGE reference (https://docs.aws.amazon.com/redshift/latest/dg/r_MERGE.html).
--
-- @param tickit_uri s3_uri

CREATE TABLE IF NOT EXISTS tickit.sales (
    salesid    integer NOT NULL,
    listid     integer NOT NULL DISTKEY,
    sellerid   integer NOT NULL,
    buyerid    integer NOT NULL,
    eventid    integer NOT NULL,
    dateid     smallint NOT NULL SORTKEY,
    qtysold    smallint NOT NULL,
    pricepaid  decimal(8,2),
    commission decimal(8,2),
    saletime   timestamp
);

CREATE TEMP TABLE sales_stage (
    salesid    integer NOT NULL,
    listid     integer NOT NULL,
    sellerid   integer NOT NULL,
    buyerid    integer NOT NULL,
    eventid    integer NOT NULL,
    dateid     smallint NOT NULL,
    qtysold    smallint NOT NULL,
    pricepaid  decimal(8,2),
    commission decimal(8,2),
    saletime   timestamp
);

COPY sales_stage
FROM '${tickit_uri}sales_tab.txt'
IAM_ROLE default
DELIMITER '\t'
TIMEFORMAT 'MM/DD/YYYY HH:MI:SS';

MERGE INTO tickit.sales
USING sales_stage
ON tickit.sales.salesid = sales_stage.salesid
WHEN MATCHED THEN UPDATE SET
    listid = sales_stage.listid,
    sellerid = sales_stage.sellerid,
    buyerid = sales_stage.buyerid,
    eventid = sales_stage.eventid,
    dateid = sales_stage.dateid,
    qtysold = sales_stage.qtysold,
    pricepaid = sales_stage.pricepaid,
    commission = sales_stage.commission,
    saletime = sales_stage.saletime
WHEN NOT MATCHED THEN INSERT VALUES (
    sales_stage.salesid, sales_stage.listid, sales_stage.sellerid, sales_stage.buyerid,
    sales_stage.eventid, sales_stage.dateid, sales_stage.qtysold, sales_stage.pricepaid,
    sales_stage.commission, sales_stage.saletime
);
