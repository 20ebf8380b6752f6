-- Reloads TICKIT's listings from the tutorial's pipe-delimited file. Table and COPY
-- adapted from the Amazon Redshift Getting Started Guide, "Load data from Amazon S3"
-- (https://docs.aws.amazon.com/redshift/latest/gsg/rs-gsg-create-sample-db.html).
--
-- @param tickit_uri s3_uri

CREATE TABLE IF NOT EXISTS tickit.listing (
    listid         integer NOT NULL DISTKEY,
    sellerid       integer NOT NULL,
    eventid        integer NOT NULL,
    dateid         smallint NOT NULL SORTKEY,
    numtickets     smallint NOT NULL,
    priceperticket decimal(8,2),
    totalprice     decimal(8,2),
    listtime       timestamp
);

BEGIN;

DELETE FROM tickit.listing;

COPY tickit.listing
FROM '${tickit_uri}listings_pipe.txt'
IAM_ROLE default
DELIMITER '|';

COMMIT;
