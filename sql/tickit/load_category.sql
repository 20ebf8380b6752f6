-- Reloads TICKIT's categories from the CSV copy of the file (a description holds commas
-- and quotes, so fields are quoted where needed). Table adapted from the Amazon
-- Redshift Getting Started Guide (https://docs.aws.amazon.com/redshift/latest/gsg/rs-gsg-create-sample-db.html),
-- the COPY from the COPY examples' "Load CATEGORY from a CSV file"
-- (https://docs.aws.amazon.com/redshift/latest/dg/r_COPY_command_examples.html).
--
-- @param tickit_uri s3_uri

CREATE TABLE IF NOT EXISTS tickit.category (
    catid    smallint NOT NULL DISTKEY SORTKEY,
    catgroup varchar(10),
    catname  varchar(10),
    catdesc  varchar(50)
);

BEGIN;

DELETE FROM tickit.category;

COPY tickit.category
FROM '${tickit_uri}category_csv.txt'
IAM_ROLE default
CSV;

COMMIT;
