-- Reloads TICKIT's venues from the tutorial's pipe-delimited file. Table and COPY
-- adapted from the Amazon Redshift Getting Started Guide, "Load data from Amazon S3"
-- (https://docs.aws.amazon.com/redshift/latest/gsg/rs-gsg-create-sample-db.html).
--
-- @param tickit_uri s3_uri

CREATE TABLE IF NOT EXISTS tickit.venue (
    venueid    smallint NOT NULL DISTKEY SORTKEY,
    venuename  varchar(100),
    venuecity  varchar(30),
    venuestate char(2),
    venueseats integer
);

BEGIN;

DELETE FROM tickit.venue;

COPY tickit.venue
FROM '${tickit_uri}venue_pipe.txt'
IAM_ROLE default
DELIMITER '|';

COMMIT;
