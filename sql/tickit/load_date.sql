-- Reloads TICKIT's calendar (every day of 2008) from the tutorial's pipe-delimited file.
-- Table and COPY adapted from the Amazon Redshift Getting Started Guide, "Load data from
-- Amazon S3" (https://docs.aws.amazon.com/redshift/latest/gsg/rs-gsg-create-sample-db.html).
--
-- @param tickit_uri s3_uri

CREATE TABLE IF NOT EXISTS tickit.date (
    dateid  smallint NOT NULL DISTKEY SORTKEY,
    caldate date NOT NULL,
    day     character(3) NOT NULL,
    week    smallint NOT NULL,
    month   character(5) NOT NULL,
    qtr     character(5) NOT NULL,
    year    smallint NOT NULL,
    holiday boolean DEFAULT ('N')
);

BEGIN;

DELETE FROM tickit.date;

COPY tickit.date
FROM '${tickit_uri}date2008_pipe.txt'
IAM_ROLE default
DELIMITER '|';

COMMIT;
