-- Reloads TICKIT's events from the tutorial's pipe-delimited file, start times as
-- YYYY-MM-DD HH:MI:SS. Table and COPY adapted from the Amazon Redshift Getting Started
-- Guide, "Load data from Amazon S3" (https://docs.aws.amazon.com/redshift/latest/gsg/rs-gsg-create-sample-db.html).
--
-- @param tickit_uri s3_uri

CREATE TABLE IF NOT EXISTS tickit.event (
    eventid   integer NOT NULL DISTKEY,
    venueid   smallint NOT NULL,
    catid     smallint NOT NULL,
    dateid    smallint NOT NULL SORTKEY,
    eventname varchar(200),
    starttime timestamp
);

BEGIN;

DELETE FROM tickit.event;

COPY tickit.event
FROM '${tickit_uri}allevents_pipe.txt'
IAM_ROLE default
DELIMITER '|'
TIMEFORMAT 'YYYY-MM-DD HH:MI:SS';

COMMIT;
